/* vx-chart-radar.c: radar charts with per-axis ranges and directions */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-chart-private.h"
#include "vx-chart-radar.h"

static const VxMarker series_markers[] = {
  VX_MARKER_CIRCLE, VX_MARKER_SQUARE, VX_MARKER_TRIANGLE, VX_MARKER_DIAMOND, VX_MARKER_TRIANGLE_DOWN,
};

static gboolean
radar_has_data (const VxChartRadar *m)
{
  if (!m || m->n_axes < 3 || !m->axes || m->n_series == 0 || !m->series)
    return FALSE;
  for (guint s = 0; s < m->n_series; s++)
    if (_vx_chart_any_finite (m->series[s].values, m->n_axes))
      return TRUE;
  return FALSE;
}

double
vx_chart_radar_normalize (const VxChartRadarAxis *axis, double value)
{
  double t;

  g_return_val_if_fail (axis != NULL, NAN);
  if (!isfinite (value))
    return NAN;
  if (!(axis->max > axis->min))
    return 0.5;
  t = (value - axis->min) / (axis->max - axis->min);
  if (axis->lower_is_better)
    t = 1.0 - t;
  return CLAMP (t, 0.0, 1.0);
}

static void
axis_direction (guint i, guint n, double *dx, double *dy)
{
  double theta = 2 * G_PI * i / n;
  *dx = sin (theta);
  *dy = -cos (theta);
}

void
vx_chart_radar_point (const VxChartLayout *layout, const VxChartRadar *m,
                      guint axis, double value, double *x, double *y)
{
  double dx, dy, t;

  g_return_if_fail (layout != NULL && m != NULL && x != NULL && y != NULL);
  *x = layout->center_x;
  *y = layout->center_y;
  if (axis >= m->n_axes)
    return;
  t = vx_chart_radar_normalize (&m->axes[axis], value);
  if (!isfinite (t))
    t = 0;
  axis_direction (axis, m->n_axes, &dx, &dy);
  *x += dx * t * layout->radius;
  *y += dy * t * layout->radius;
}

static char *
format_value (double v, int decimals)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];

  g_snprintf (fmt, sizeof fmt, "%%.%df", CLAMP (decimals, 0, 6));
  g_ascii_formatd (num, sizeof num, fmt, v);
  return g_strdup (num);
}

typedef struct {
  char  *title;      /* "Name (unit)", on up to LABEL_LINES lines */
  char  *range;      /* "centre → rim" */
  double w, h;       /* box of both, as fitted */
  double title_h;
} AxisLabel;

typedef struct {
  AxisLabel *labels;
  double     cap;    /* the width the labels were fitted into */
  double     radius, cx, cy;
} RadarFit;

#define LABEL_LINES 3

/* FALSE when the label does not fit in cap whole. */
static gboolean
measure_label (VxChartCtx *ctx, const VxChartRadarAxis *a, double cap, AxisLabel *al)
{
  g_autofree char *lo = format_value (a->lower_is_better ? a->max : a->min, a->decimals);
  g_autofree char *hi = format_value (a->lower_is_better ? a->min : a->max, a->decimals);
  double w1, h1, w2, h2;
  gboolean whole;

  al->title = a->unit && *a->unit ? g_strdup_printf ("%s (%s)", a->name ? a->name : "", a->unit)
                                  : g_strdup (a->name ? a->name : "");
  al->range = g_strdup_printf ("%s \u2192 %s", lo, hi);
  whole = _vx_chart_text_fit_size (ctx, al->title, VX_CHART_TEXT_AXIS_TITLE, cap, LABEL_LINES, &w1, &h1);
  whole &= _vx_chart_text_fit_size (ctx, al->range, VX_CHART_TEXT_TICK, cap, 1, &w2, &h2);
  al->w = MAX (w1, w2);
  al->h = h1 + h2;
  al->title_h = h1;
  return whole;
}

static void
free_labels (AxisLabel *labels, guint n)
{
  for (guint i = 0; labels && i < n; i++)
    {
      g_free (labels[i].title);
      g_free (labels[i].range);
    }
  g_free (labels);
}

/* Labels sit beside the rim point, never across it: right of it on the
 * right half, left on the left half, centred only near the vertical. */
static void
label_align (double dx, double dy, double *xa, double *ya)
{
  *xa = CLAMP (0.5 - 1.5 * dx, 0.0, 1.0);
  *ya = CLAMP (0.5 - 1.5 * dy, 0.0, 1.0);
}

/* The top-left corner of axis i's label for a web of radius r centred at 0. */
static void
label_origin (const AxisLabel *al, guint i, guint n, double r, double gap, double *x, double *y)
{
  double dx, dy, xa, ya;

  axis_direction (i, n, &dx, &dy);
  label_align (dx, dy, &xa, &ya);
  *x = dx * (r + gap) - xa * al->w;
  *y = dy * (r + gap) - ya * al->h;
}

/* The box around the web and its labels, relative to the centre. */
static void
content_box (const AxisLabel *labels, guint n, double r, double gap, VxChartRect *box)
{
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;

  for (guint i = 0; i < n; i++)
    {
      double dx, dy, lx, ly;
      axis_direction (i, n, &dx, &dy);
      x0 = MIN (x0, dx * r);
      x1 = MAX (x1, dx * r);
      y0 = MIN (y0, dy * r);
      y1 = MAX (y1, dy * r);
      label_origin (&labels[i], i, n, r, gap, &lx, &ly);
      x0 = MIN (x0, lx);
      y0 = MIN (y0, ly);
      x1 = MAX (x1, lx + labels[i].w);
      y1 = MAX (y1, ly + labels[i].h);
    }
  *box = (VxChartRect) { x0, y0, x1 - x0, y1 - y0 };
}

/* The largest web whose labels, measured, still fit in the free area, and
 * the centre that puts web and labels in the middle of it. */
static void
fit_web (VxChartCtx *ctx, guint n, double gap, RadarFit *fit)
{
  const VxChartRect *a = &ctx->area;
  double lo = 0.0, hi = MAX (0.0, MIN (a->width, a->height) / 2);
  VxChartRect box;

  for (int it = 0; it < 40; it++)
    {
      double mid = (lo + hi) / 2;
      content_box (fit->labels, n, mid, gap, &box);
      if (box.width <= a->width && box.height <= a->height)
        lo = mid;
      else
        hi = mid;
    }
  fit->radius = lo;
  content_box (fit->labels, n, lo, gap, &box);
  fit->cx = a->x + (a->width - box.width) / 2 - box.x;
  fit->cy = a->y + (a->height - box.height) / 2 - box.y;
}

/* Narrow label boxes wrap long axis names onto two lines and leave more
 * room for the web; wide ones keep them on one. Whichever gives the larger
 * web wins. */
static void
fit_radar (VxChartCtx *ctx, const VxChartRadar *m, double gap, RadarFit *best)
{
  static const double caps[] = { 0.4, 0.32, 0.25, 0.19 };

  gboolean best_whole = FALSE;

  memset (best, 0, sizeof *best);
  best->radius = -1;
  for (guint c = 0; c < G_N_ELEMENTS (caps); c++)
    {
      RadarFit f = { g_new0 (AxisLabel, m->n_axes), ctx->area.width * caps[c] };
      gboolean whole = TRUE;
      for (guint i = 0; i < m->n_axes; i++)
        whole &= measure_label (ctx, &m->axes[i], f.cap, &f.labels[i]);
      fit_web (ctx, m->n_axes, gap, &f);
      /* Whole labels first, then the larger web. */
      /* Caps go from wide to narrow: wrapping must buy a clearly larger web. */
      if ((whole && !best_whole) || (whole == best_whole && f.radius > best->radius * 1.08))
        {
          best_whole = whole;
          free_labels (best->labels, m->n_axes);
          *best = f;
        }
      else
        free_labels (f.labels, m->n_axes);
    }
}

static void
draw_web (VxChartCtx *ctx, guint n, double cx, double cy, double radius)
{
  cairo_t *cr = ctx->cr;

  cairo_save (cr);
  cairo_set_line_width (cr, _vx_chart_line_width (ctx));
  vx_chart_color_set_source (cr, &ctx->theme->grid, 1.0);
  for (int ring = 1; ring <= 4; ring++)
    {
      double rr = radius * ring / 4.0;
      for (guint i = 0; i <= n; i++)
        {
          double dx, dy;
          axis_direction (i % n, n, &dx, &dy);
          if (i == 0)
            cairo_move_to (cr, cx + dx * rr, cy + dy * rr);
          else
            cairo_line_to (cr, cx + dx * rr, cy + dy * rr);
        }
      cairo_close_path (cr);
      /* Inner rings in the grid colour, the rim like an axis. */
      if (ring == 3)
        cairo_stroke (cr);
    }
  vx_chart_color_set_source (cr, &ctx->theme->axis, 0.8);
  for (guint i = 0; i < n; i++)
    {
      double dx, dy;
      axis_direction (i, n, &dx, &dy);
      cairo_move_to (cr, cx, cy);
      cairo_line_to (cr, cx + dx * radius, cy + dy * radius);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_series (VxChartCtx *ctx, const VxChartRadar *m)
{
  cairo_t *cr = ctx->cr;
  double lw = _vx_chart_line_width (ctx);

  for (guint s = 0; s < m->n_series; s++)
    {
      const VxChartRadarSeries *ser = &m->series[s];
      int idx = ser->color_index;
      VxChartColor c = vx_chart_theme_series_color (ctx->theme, idx >= 0 ? (guint) idx : s);
      for (guint i = 0; i < m->n_axes; i++)
        {
          double x, y;
          vx_chart_radar_point (ctx->layout, m, i, ser->values ? ser->values[i] : NAN, &x, &y);
          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_close_path (cr);
      vx_chart_color_set_source (cr, &c, 0.12);
      cairo_fill_preserve (cr);
      vx_chart_color_set_source (cr, &c, 1.0);
      cairo_set_line_width (cr, 2 * lw);
      cairo_stroke (cr);
      for (guint i = 0; i < m->n_axes; i++)
        {
          double x, y;
          if (!ser->values || !isfinite (ser->values[i]))
            continue;
          vx_chart_radar_point (ctx->layout, m, i, ser->values[i], &x, &y);
          _vx_chart_marker (cr, series_markers[s % G_N_ELEMENTS (series_markers)], x, y, ctx->font * 0.6);
          cairo_fill (cr);
        }
    }
}

static void
draw_labels (VxChartCtx *ctx, const VxChartRadar *m, const RadarFit *fit, double gap, double *lowest)
{
  for (guint i = 0; i < m->n_axes; i++)
    {
      const AxisLabel *al = &fit->labels[i];
      double x, y;
      VxChartRect r;
      label_origin (al, i, m->n_axes, fit->radius, gap, &x, &y);
      x += fit->cx + al->w / 2;
      y += fit->cy;
      _vx_chart_text_lines (ctx, al->title, VX_CHART_TEXT_AXIS_TITLE, x, y, 0.5, 0.0, fit->cap,
                            LABEL_LINES, &ctx->theme->foreground, FALSE);
      r = _vx_chart_text (ctx, al->range, VX_CHART_TEXT_TICK, x, y + al->title_h, 0.5, 0.0, fit->cap,
                          &ctx->theme->muted, FALSE);
      *lowest = MAX (*lowest, r.y + r.height);
    }
}

/* The legend goes where it costs the web the least radius; fit is the web
 * for the area the legend leaves. */
static void
place_legend (VxChartCtx *ctx, const VxChartRadar *m, const VxLegendItem *items, double gap,
              RadarFit *fit)
{
  VxChartRect full = ctx->area;
  double top_h = _vx_chart_legend_top_height (ctx, items, m->n_series);
  double right_w = _vx_chart_legend_right_width (ctx, items, m->n_series, full.width);
  /* At the right only where its labels stay whole. */
  gboolean right_ok = right_w <= full.width * 0.3 + ctx->font;
  RadarFit top, right = { NULL };

  ctx->area.y += top_h;
  ctx->area.height -= top_h;
  fit_radar (ctx, m, gap, &top);
  ctx->area = full;
  if (right_ok)
    {
      ctx->area.width -= right_w;
      fit_radar (ctx, m, gap, &right);
      ctx->area = full;
    }
  if (right_ok && right.radius > top.radius * 1.05)
    {
      _vx_chart_legend_right (ctx, items, m->n_series, full.width * 0.3);
      *fit = right;
      free_labels (top.labels, m->n_axes);
    }
  else
    {
      _vx_chart_legend_top (ctx, items, m->n_series);
      *fit = top;
      free_labels (right.labels, m->n_axes);
    }
}

void
vx_chart_radar_render_full (cairo_t *cr, double width, double height,
                            const VxChartRadar *m, VxChartLayout *layout)
{
  static const char note[] = "Outward is better on every axis (labels: centre \u2192 rim)";
  VxChartCtx ctx;
  g_autofree VxLegendItem *items = NULL;
  RadarFit fit;
  double gap, note_x, note_w, note_h, note_bottom, lowest;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!radar_has_data (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }

  items = g_new0 (VxLegendItem, m->n_series);
  for (guint s = 0; s < m->n_series; s++)
    {
      int idx = m->series[s].color_index;
      items[s] = (VxLegendItem) { m->series[s].label,
                                  vx_chart_theme_series_color (ctx.theme, idx >= 0 ? (guint) idx : s),
                                  VX_SWATCH_LINE, series_markers[s % G_N_ELEMENTS (series_markers)], 1.0 };
    }
  /* Room for the reading rule under the web; drawn once the web is placed,
   * across the whole width, whichever side the legend takes. */
  note_x = ctx.area.x + ctx.area.width / 2;
  note_w = ctx.area.width;
  _vx_chart_text_fit_size (&ctx, note, VX_CHART_TEXT_TICK, note_w, 2, NULL, &note_h);
  note_bottom = ctx.area.y + ctx.area.height;
  ctx.area.height = MAX (0.0, ctx.area.height - note_h - ctx.font * 0.4);

  gap = ctx.font * 0.8;
  place_legend (&ctx, m, items, gap, &fit);
  ctx.layout->center_x = fit.cx;
  ctx.layout->center_y = fit.cy;
  ctx.layout->radius = fit.radius;
  ctx.layout->plot = (VxChartRect) { fit.cx - fit.radius, fit.cy - fit.radius, 2 * fit.radius, 2 * fit.radius };

  lowest = fit.cy + fit.radius;
  draw_web (&ctx, m->n_axes, fit.cx, fit.cy, fit.radius);
  draw_series (&ctx, m);
  draw_labels (&ctx, m, &fit, gap, &lowest);
  free_labels (fit.labels, m->n_axes);
  /* Right under the web and its labels, not stranded at the bottom of a tall view. */
  _vx_chart_text_lines (&ctx, note, VX_CHART_TEXT_TICK, note_x,
                        MIN (note_bottom - note_h, lowest + ctx.font * 0.8), 0.5, 0.0, note_w, 2,
                        &ctx.theme->muted, FALSE);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (radar, VxChartRadar)

VxChartTable *
vx_chart_radar_to_table (const VxChartRadar *m)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  for (const char *const *c = (const char *const[]) { "axis", "unit", "min", "max", "lower_is_better", NULL }; *c; c++)
    g_ptr_array_add (cols, g_strdup (*c));
  for (guint s = 0; s < m->n_series; s++)
    g_ptr_array_add (cols, g_strdup (m->series[s].label ? m->series[s].label : "value"));
  t = vx_chart_table_new (cols->len, (const char *const *) cols->pdata);
  for (guint i = 0; i < m->n_axes; i++)
    {
      vx_chart_table_add_string (t, m->axes[i].name);
      vx_chart_table_add_string (t, m->axes[i].unit);
      vx_chart_table_add_number (t, m->axes[i].min);
      vx_chart_table_add_number (t, m->axes[i].max);
      vx_chart_table_add_string (t, m->axes[i].lower_is_better ? "true" : "false");
      for (guint s = 0; s < m->n_series; s++)
        vx_chart_table_add_number (t, m->series[s].values ? m->series[s].values[i] : NAN);
    }
  return t;
}
