/* vx-chart-grid.c: cell grids with a colour bar (heatmap, confusion matrix) */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-private.h"

static double
max_label_width (VxChartCtx *ctx, const char *const *labels, guint n, double *height)
{
  double mw = 0, mh = 0;

  for (guint i = 0; labels && i < n; i++)
    {
      double w, h;
      _vx_chart_text_size (ctx, labels[i], VX_CHART_TEXT_TICK, &w, &h);
      mw = MAX (mw, w);
      mh = MAX (mh, h);
    }
  if (height)
    *height = mh > 0 ? mh : _vx_chart_role_size (ctx, VX_CHART_TEXT_TICK) * 1.2;
  return mw;
}

static char *
format_cell (double v, int decimals)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];

  if (!isfinite (v))
    return g_strdup ("\u2013");
  g_snprintf (fmt, sizeof fmt, "%%.%df", CLAMP (decimals, 0, 6));
  g_ascii_formatd (num, sizeof num, fmt, v);
  return g_strdup (num);
}

static void
draw_cells (VxChartCtx *ctx, const VxGridSpec *g, const VxColorbar *cb)
{
  cairo_t *cr = ctx->cr;
  double lw = _vx_chart_line_width (ctx);
  double widest = 0, cell_w, cell_h, text_h;
  gboolean values_fit;

  for (guint r = 0; r < g->n_rows; r++)
    for (guint c = 0; c < g->n_cols; c++)
      {
        VxChartRect rc = vx_chart_layout_cell (ctx->layout, r, c);
        double v = g->values[r * g->n_cols + c];
        VxChartColor col = isfinite (v) ? vx_chart_colormap_eval (g->map, (v - cb->lo) / (cb->hi - cb->lo))
                                        : ctx->theme->missing;
        cairo_rectangle (cr, rc.x, rc.y, rc.width, rc.height);
        vx_chart_color_set_source (cr, &col, 1.0);
        cairo_fill (cr);
      }
  /* Thin gaps in the background colour keep neighbouring cells apart. */
  cairo_set_line_width (cr, lw);
  vx_chart_color_set_source (cr, &ctx->theme->background, 1.0);
  for (guint r = 0; r <= g->n_rows; r++)
    {
      double y = ctx->layout->plot.y + r * ctx->layout->plot.height / g->n_rows;
      cairo_move_to (cr, ctx->layout->plot.x, y);
      cairo_line_to (cr, ctx->layout->plot.x + ctx->layout->plot.width, y);
    }
  for (guint c = 0; c <= g->n_cols; c++)
    {
      double x = ctx->layout->plot.x + c * ctx->layout->plot.width / g->n_cols;
      cairo_move_to (cr, x, ctx->layout->plot.y);
      cairo_line_to (cr, x, ctx->layout->plot.y + ctx->layout->plot.height);
    }
  cairo_stroke (cr);

  if (!g->show_values)
    return;
  cell_w = ctx->layout->plot.width / g->n_cols;
  cell_h = ctx->layout->plot.height / g->n_rows;
  for (guint i = 0; i < g->n_rows * g->n_cols; i++)
    {
      g_autofree char *s = format_cell (g->values[i], g->decimals);
      double w;
      _vx_chart_text_size (ctx, s, VX_CHART_TEXT_VALUE, &w, &text_h);
      widest = MAX (widest, w);
    }
  _vx_chart_text_size (ctx, "0", VX_CHART_TEXT_VALUE, NULL, &text_h);
  /* All values or none: a grid with some numbers missing reads as an error. */
  values_fit = widest <= cell_w * 0.92 && text_h <= cell_h * 0.95;
  if (!values_fit)
    return;
  for (guint r = 0; r < g->n_rows; r++)
    for (guint c = 0; c < g->n_cols; c++)
      {
        VxChartRect rc = vx_chart_layout_cell (ctx->layout, r, c);
        double v = g->values[r * g->n_cols + c];
        g_autofree char *s = format_cell (v, g->decimals);
        VxChartColor bg = isfinite (v) ? vx_chart_colormap_eval (g->map, (v - cb->lo) / (cb->hi - cb->lo))
                                       : ctx->theme->missing;
        VxChartColor ink = vx_chart_color_luminance (&bg) < 0.3 ? (VxChartColor) { 1, 1, 1, 1 }
                                                                 : (VxChartColor) { 0.1, 0.1, 0.1, 1 };
        _vx_chart_text (ctx, s, VX_CHART_TEXT_VALUE, rc.x + rc.width / 2, rc.y + rc.height / 2, 0.5, 0.5,
                        rc.width * 0.95, &ink, FALSE);
      }
}

static void
draw_labels (VxChartCtx *ctx, const VxGridSpec *g, gboolean vertical_cols, double col_h)
{
  const double pad = ctx->font * 0.4;
  const VxChartRect *p = &ctx->layout->plot;
  double row_h, tick_h, title_h, row_w, cell_w = p->width / g->n_cols, cell_h = p->height / g->n_rows;
  guint every;

  row_w = max_label_width (ctx, g->row_labels, g->n_rows, &row_h);
  row_w = MIN (row_w, ctx->area.width * 0.25);
  every = (guint) MAX (1.0, ceil (row_h / MAX (cell_h, 1.0)));
  for (guint r = 0; g->row_labels && r < g->n_rows; r += every)
    {
      VxChartRect rc = vx_chart_layout_cell (ctx->layout, r, 0);
      _vx_chart_text (ctx, g->row_labels[r], VX_CHART_TEXT_TICK, p->x - pad, rc.y + rc.height / 2, 1.0, 0.5,
                      row_w, &ctx->theme->foreground, FALSE);
    }
  _vx_chart_text_size (ctx, "0", VX_CHART_TEXT_TICK, NULL, &tick_h);
  every = (guint) MAX (1.0, ceil (tick_h / MAX (cell_w, 1.0)));
  for (guint c = 0; g->col_labels && c < g->n_cols; c += vertical_cols ? every : 1)
    {
      VxChartRect rc = vx_chart_layout_cell (ctx->layout, 0, c);
      if (vertical_cols)
        _vx_chart_text (ctx, g->col_labels[c], VX_CHART_TEXT_TICK, rc.x + rc.width / 2, p->y + p->height + pad,
                        0.5, 0.0, col_h, &ctx->theme->foreground, TRUE);
      else
        _vx_chart_text (ctx, g->col_labels[c], VX_CHART_TEXT_TICK, rc.x + rc.width / 2, p->y + p->height + pad,
                        0.5, 0.0, cell_w * 0.96, &ctx->theme->foreground, FALSE);
    }
  _vx_chart_text_size (ctx, "Ag", VX_CHART_TEXT_AXIS_TITLE, NULL, &title_h);
  if (g->x_title)
    _vx_chart_text (ctx, g->x_title, VX_CHART_TEXT_AXIS_TITLE, p->x + p->width / 2, p->y + p->height + pad * 2 + col_h,
                    0.5, 0.0, ctx->area.width, &ctx->theme->foreground, FALSE);
  if (g->y_title)
    _vx_chart_text (ctx, g->y_title, VX_CHART_TEXT_AXIS_TITLE, p->x - pad * 2 - row_w, p->y + p->height / 2,
                    1.0, 0.5, p->height, &ctx->theme->foreground, TRUE);
}

void
_vx_chart_grid_render (VxChartCtx *ctx, const VxGridSpec *g)
{
  const double pad = ctx->font * 0.4;
  VxColorbar cb = { g->map, g->lo, g->hi, g->value_title };
  double title_h, row_w, col_w, col_h, left, bottom, top, pw, ph;
  gboolean vertical_cols = FALSE;
  VxChartRect plot;

  if (!(g->hi > g->lo))
    {
      cb.lo = INFINITY;
      cb.hi = -INFINITY;
      _vx_chart_finite_range (g->values, (gsize) g->n_rows * g->n_cols, &cb.lo, &cb.hi);
    }
  _vx_chart_colorbar_reserve (ctx, &cb);

  _vx_chart_text_size (ctx, "Ag", VX_CHART_TEXT_AXIS_TITLE, NULL, &title_h);
  row_w = MIN (max_label_width (ctx, g->row_labels, g->n_rows, NULL), ctx->area.width * 0.25);
  left = (g->y_title ? title_h + pad : 0) + row_w + pad;
  col_w = max_label_width (ctx, g->col_labels, g->n_cols, &col_h);
  if (col_w > (ctx->area.width - left) / g->n_cols * 0.95)
    {
      vertical_cols = TRUE;
      col_h = MIN (col_w, ctx->area.height * 0.25);
    }
  bottom = pad + col_h + (g->x_title ? pad + title_h : 0);
  top = ctx->font * 0.3;
  pw = MAX (1.0, ctx->area.width - left);
  ph = MAX (1.0, ctx->area.height - bottom - top);
  plot = (VxChartRect) { ctx->area.x + left, ctx->area.y + top, pw, ph };
  if (g->square)
    {
      double cell = MIN (pw / g->n_cols, ph / g->n_rows);
      plot.width = cell * g->n_cols;
      plot.height = cell * g->n_rows;
      plot.x += (pw - plot.width) / 2;
      cb.x = plot.x + plot.width + ctx->font * 1.2;
    }

  ctx->layout->plot = plot;
  ctx->layout->n_cols = g->n_cols;
  ctx->layout->n_rows = g->n_rows;
  ctx->layout->rows_top_down = g->rows_top_down;
  ctx->layout->x_min = 0;
  ctx->layout->x_max = g->n_cols;
  ctx->layout->y_min = 0;
  ctx->layout->y_max = g->n_rows;

  draw_cells (ctx, g, &cb);
  draw_labels (ctx, g, vertical_cols, col_h);
  _vx_chart_colorbar_draw (ctx, &cb, &plot);
}
