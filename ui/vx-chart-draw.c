/* vx-chart-draw.c: frame, header, legends and "No data" shared by the renderers */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-chart-private.h"

double
_vx_chart_line_width (VxChartCtx *ctx)
{
  return ctx->line_width;
}

void
_vx_chart_begin (VxChartCtx *ctx, cairo_t *cr, double width, double height,
                 const VxChartCommon *common, VxChartLayout *layout)
{
  double margin, y;

  memset (ctx, 0, sizeof *ctx);
  ctx->cr = cr;
  ctx->width = MAX (width, 0.0);
  ctx->height = MAX (height, 0.0);
  ctx->layout = layout ? layout : &ctx->scratch;
  memset (ctx->layout, 0, sizeof *ctx->layout);
  ctx->theme = vx_chart_theme_get (common ? common->variant : VX_CHART_VARIANT_LIGHT);
  ctx->font = vx_chart_theme_font_px (ctx->width, ctx->height, common ? common->font_scale : 1.0);
  /* Without a line scale strokes follow the text; with one they follow the
   * unscaled text times the line scale, so thin lines (clamped to 1 px on
   * small surfaces) also grow in classroom mode. */
  if (common && common->line_scale > 0.0)
    ctx->line_width = MAX (1.0, vx_chart_theme_font_px (ctx->width, ctx->height, 1.0) / 12.0)
                      * common->line_scale;
  else
    ctx->line_width = MAX (1.0, ctx->font / 12.0);

  /* Unhinted outlines: the same text metrics on screen, in PNG and in SVG. */
  ctx->font_options = cairo_font_options_create ();
  cairo_font_options_set_antialias (ctx->font_options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (ctx->font_options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (ctx->font_options, CAIRO_HINT_METRICS_OFF);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, ctx->width, ctx->height);
  vx_chart_color_set_source (cr, &ctx->theme->background, 1.0);
  cairo_fill (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  margin = ctx->font * 0.8;
  ctx->area.x = margin;
  ctx->area.y = margin;
  ctx->area.width = MAX (0.0, ctx->width - 2 * margin);
  ctx->area.height = MAX (0.0, ctx->height - 2 * margin);

  y = ctx->area.y;
  if (common && common->title && *common->title)
    {
      VxChartRect r = _vx_chart_text_lines (ctx, common->title, VX_CHART_TEXT_TITLE, ctx->width / 2, y,
                                            0.5, 0.0, ctx->area.width, 2, &ctx->theme->foreground, FALSE);
      y = r.y + r.height;
    }
  if (common && common->subtitle && *common->subtitle)
    {
      VxChartRect r = _vx_chart_text_lines (ctx, common->subtitle, VX_CHART_TEXT_SUBTITLE, ctx->width / 2,
                                            y + ctx->font * 0.1, 0.5, 0.0, ctx->area.width, 2,
                                            &ctx->theme->muted, FALSE);
      y = r.y + r.height;
    }
  if (y > ctx->area.y)
    y += ctx->font * 0.6;
  ctx->area.height = MAX (0.0, ctx->area.height - (y - ctx->area.y));
  ctx->area.y = y;
}

void
_vx_chart_end (VxChartCtx *ctx)
{
  cairo_restore (ctx->cr);
  g_clear_pointer (&ctx->font_options, cairo_font_options_destroy);
}

void
_vx_chart_no_data (VxChartCtx *ctx, const VxChartCommon *common)
{
  double cx = ctx->area.x + ctx->area.width / 2;
  double cy = ctx->area.y + ctx->area.height / 2;
  VxChartRect r;

  ctx->layout->no_data = TRUE;
  memset (&ctx->layout->plot, 0, sizeof ctx->layout->plot);
  r = _vx_chart_text (ctx, "No data", VX_CHART_TEXT_NO_DATA, cx, cy, 0.5,
                      common && common->empty_message ? 1.0 : 0.5,
                      ctx->area.width, &ctx->theme->muted, FALSE);
  if (common && common->empty_message && *common->empty_message)
    _vx_chart_text_lines (ctx, common->empty_message, VX_CHART_TEXT_SUBTITLE, cx,
                          r.y + r.height + ctx->font * 0.3, 0.5, 0.0, ctx->area.width, 3,
                          &ctx->theme->muted, FALSE);
}

void
_vx_chart_marker (cairo_t *cr, VxMarker marker, double x, double y, double size)
{
  double h = size / 2;

  switch (marker)
    {
    case VX_MARKER_CIRCLE:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, h, 0, 2 * G_PI);
      break;
    case VX_MARKER_SQUARE:
      cairo_rectangle (cr, x - h * 0.88, y - h * 0.88, h * 1.76, h * 1.76);
      break;
    case VX_MARKER_TRIANGLE:
      cairo_move_to (cr, x, y - h * 1.15);
      cairo_line_to (cr, x + h * 1.05, y + h * 0.7);
      cairo_line_to (cr, x - h * 1.05, y + h * 0.7);
      cairo_close_path (cr);
      break;
    case VX_MARKER_TRIANGLE_DOWN:
      cairo_move_to (cr, x, y + h * 1.15);
      cairo_line_to (cr, x + h * 1.05, y - h * 0.7);
      cairo_line_to (cr, x - h * 1.05, y - h * 0.7);
      cairo_close_path (cr);
      break;
    case VX_MARKER_DIAMOND:
      cairo_move_to (cr, x, y - h * 1.2);
      cairo_line_to (cr, x + h * 1.2, y);
      cairo_line_to (cr, x, y + h * 1.2);
      cairo_line_to (cr, x - h * 1.2, y);
      cairo_close_path (cr);
      break;
    case VX_MARKER_NONE:
    case VX_N_MARKERS:
    default:
      break;
    }
}

static void
draw_swatch (VxChartCtx *ctx, const VxLegendItem *it, double x, double cy, double w)
{
  cairo_t *cr = ctx->cr;
  double lw = _vx_chart_line_width (ctx);
  double s = ctx->font * 0.75;

  cairo_save (cr);
  switch (it->swatch)
    {
    case VX_SWATCH_BOX:
      cairo_rectangle (cr, x + (w - s) / 2, cy - s / 2, s, s);
      vx_chart_color_set_source (cr, &it->color, it->fill_alpha > 0 ? it->fill_alpha : 1.0);
      cairo_fill_preserve (cr);
      vx_chart_color_set_source (cr, &it->color, 1.0);
      cairo_set_line_width (cr, lw);
      cairo_stroke (cr);
      break;
    case VX_SWATCH_DASH:
    case VX_SWATCH_LINE:
      if (it->swatch == VX_SWATCH_DASH)
        {
          double d[] = { 3 * lw, 2 * lw };
          cairo_set_dash (cr, d, 2, 0);
        }
      cairo_move_to (cr, x, cy);
      cairo_line_to (cr, x + w, cy);
      vx_chart_color_set_source (cr, &it->color, 1.0);
      cairo_set_line_width (cr, 2 * lw);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (it->marker != VX_MARKER_NONE)
        {
          _vx_chart_marker (cr, it->marker, x + w / 2, cy, ctx->font * 0.6);
          cairo_fill (cr);
        }
      break;
    default:
      break;
    }
  cairo_restore (cr);
}

/* Greedy flow of the items into rows no wider than the free area. */
static guint
legend_flow (VxChartCtx *ctx, const VxLegendItem *items, guint n_items, double *widths,
             guint *row_of, double *row_h)
{
  const double sw = ctx->font * 1.6, gap = ctx->font * 0.4, spacing = ctx->font * 1.2;
  double max_label = ctx->area.width - sw - gap, x = 0;
  guint n_rows = 0;

  *row_h = 0;
  for (guint i = 0; i < n_items; i++)
    {
      double w, h;
      _vx_chart_text_size (ctx, items[i].label, VX_CHART_TEXT_LEGEND, &w, &h);
      widths[i] = sw + gap + MIN (w, max_label);
      *row_h = MAX (*row_h, h);
    }
  for (guint i = 0; i < n_items; i++)
    {
      if (i > 0 && x + spacing + widths[i] > ctx->area.width)
        {
          n_rows++;
          x = 0;
        }
      else if (i > 0)
        x += spacing;
      row_of[i] = n_rows;
      x += widths[i];
    }
  return n_rows + 1;
}

double
_vx_chart_legend_top_height (VxChartCtx *ctx, const VxLegendItem *items, guint n_items)
{
  g_autofree double *widths = g_new0 (double, MAX (n_items, 1));
  g_autofree guint *row_of = g_new0 (guint, MAX (n_items, 1));
  double row_h;
  guint n_rows;

  if (n_items == 0)
    return 0;
  n_rows = legend_flow (ctx, items, n_items, widths, row_of, &row_h);
  return n_rows * row_h + ctx->font * 0.5;
}

void
_vx_chart_legend_top (VxChartCtx *ctx, const VxLegendItem *items, guint n_items)
{
  const double sw = ctx->font * 1.6, gap = ctx->font * 0.4, spacing = ctx->font * 1.2;
  g_autofree double *widths = NULL;
  g_autofree guint *row_of = NULL;
  double row_h = 0, y0 = ctx->area.y;
  guint n_rows;

  if (n_items == 0 || ctx->area.width < sw * 2)
    return;
  widths = g_new0 (double, n_items);
  row_of = g_new0 (guint, n_items);
  n_rows = legend_flow (ctx, items, n_items, widths, row_of, &row_h);
  for (guint row = 0; row < n_rows; row++)
    {
      double total = 0, x;
      guint count = 0;
      for (guint i = 0; i < n_items; i++)
        if (row_of[i] == row)
          {
            total += widths[i] + (count ? spacing : 0);
            count++;
          }
      x = ctx->area.x + (ctx->area.width - total) / 2;
      for (guint i = 0; i < n_items; i++)
        {
          double cy = y0 + row * row_h + row_h / 2;
          if (row_of[i] != row)
            continue;
          draw_swatch (ctx, &items[i], x, cy, sw);
          _vx_chart_text (ctx, items[i].label, VX_CHART_TEXT_LEGEND, x + sw + gap, cy, 0.0, 0.5,
                          widths[i] - sw - gap, &ctx->theme->foreground, FALSE);
          x += widths[i] + spacing;
        }
    }
  ctx->layout->has_legend = TRUE;
  ctx->layout->legend = (VxChartRect) { ctx->area.x, y0, ctx->area.width, n_rows * row_h };
  ctx->area.y += n_rows * row_h + ctx->font * 0.5;
  ctx->area.height = MAX (0.0, ctx->area.height - n_rows * row_h - ctx->font * 0.5);
}

double
_vx_chart_legend_right_width (VxChartCtx *ctx, const VxLegendItem *items, guint n_items,
                              double max_width)
{
  double text_w = 0;

  if (n_items == 0)
    return 0;
  for (guint i = 0; i < n_items; i++)
    {
      double w;
      _vx_chart_text_size (ctx, items[i].label, VX_CHART_TEXT_LEGEND, &w, NULL);
      text_w = MAX (text_w, w);
    }
  return MIN (ctx->font * 2.0 + text_w, max_width) + ctx->font;
}

void
_vx_chart_legend_right (VxChartCtx *ctx, const VxLegendItem *items, guint n_items,
                        double max_width)
{
  const double sw = ctx->font * 1.6, gap = ctx->font * 0.4;
  double text_w = 0, row_h = 0, total_w, x, y;

  if (n_items == 0)
    return;
  for (guint i = 0; i < n_items; i++)
    {
      double w, h;
      _vx_chart_text_size (ctx, items[i].label, VX_CHART_TEXT_LEGEND, &w, &h);
      text_w = MAX (text_w, w);
      row_h = MAX (row_h, h * 1.25);
    }
  total_w = MIN (sw + gap + text_w, max_width);
  x = ctx->area.x + ctx->area.width - total_w;
  y = ctx->area.y + (ctx->area.height - n_items * row_h) / 2;
  y = MAX (y, ctx->area.y);
  for (guint i = 0; i < n_items; i++)
    {
      double cy = y + i * row_h + row_h / 2;
      draw_swatch (ctx, &items[i], x, cy, sw);
      _vx_chart_text (ctx, items[i].label, VX_CHART_TEXT_LEGEND, x + sw + gap, cy, 0.0, 0.5,
                      total_w - sw - gap, &ctx->theme->foreground, FALSE);
    }
  ctx->layout->has_legend = TRUE;
  ctx->layout->legend = (VxChartRect) { x, y, total_w, n_items * row_h };
  ctx->area.width = MAX (0.0, ctx->area.width - total_w - ctx->font);
}

void
_vx_chart_vline_dash (VxChartCtx *ctx, double x, double y0, double y1, const VxChartColor *color)
{
  double lw = _vx_chart_line_width (ctx);
  double d[] = { 4 * lw, 3 * lw };

  cairo_save (ctx->cr);
  cairo_set_dash (ctx->cr, d, 2, 0);
  cairo_set_line_width (ctx->cr, 1.5 * lw);
  vx_chart_color_set_source (ctx->cr, color ? color : &ctx->theme->marker, 1.0);
  cairo_move_to (ctx->cr, x, y0);
  cairo_line_to (ctx->cr, x, y1);
  cairo_stroke (ctx->cr);
  cairo_restore (ctx->cr);
}

void
_vx_chart_hline_dash (VxChartCtx *ctx, double x0, double x1, double y)
{
  double lw = _vx_chart_line_width (ctx);
  double d[] = { 4 * lw, 3 * lw };

  cairo_save (ctx->cr);
  cairo_set_dash (ctx->cr, d, 2, 0);
  cairo_set_line_width (ctx->cr, lw);
  vx_chart_color_set_source (ctx->cr, &ctx->theme->marker, 1.0);
  cairo_move_to (ctx->cr, x0, y);
  cairo_line_to (ctx->cr, x1, y);
  cairo_stroke (ctx->cr);
  cairo_restore (ctx->cr);
}

gboolean
_vx_chart_any_finite (const double *values, gsize n)
{
  if (!values)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      return TRUE;
  return FALSE;
}

void
_vx_chart_finite_range (const double *values, gsize n, double *lo, double *hi)
{
  if (!values)
    return;
  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        *lo = MIN (*lo, values[i]);
        *hi = MAX (*hi, values[i]);
      }
}
