/* vx-chart-radar.c: radar charts with per-axis ranges and directions */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

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
  char  *title;      /* "Name (unit)" */
  char  *range;      /* "centre → rim" */
  double w, h;       /* box of both lines */
  double title_h;
} AxisLabel;

static void
measure_label (VxChartCtx *ctx, const VxChartRadarAxis *a, double cap, AxisLabel *al)
{
  g_autofree char *lo = format_value (a->lower_is_better ? a->max : a->min, a->decimals);
  g_autofree char *hi = format_value (a->lower_is_better ? a->min : a->max, a->decimals);
  double w1, h1, w2, h2;

  al->title = a->unit && *a->unit ? g_strdup_printf ("%s (%s)", a->name ? a->name : "", a->unit)
                                  : g_strdup (a->name ? a->name : "");
  al->range = g_strdup_printf ("%s \u2192 %s", lo, hi);
  _vx_chart_text_size (ctx, al->title, VX_CHART_TEXT_AXIS_TITLE, &w1, &h1);
  _vx_chart_text_size (ctx, al->range, VX_CHART_TEXT_TICK, &w2, &h2);
  al->w = MIN (MAX (w1, w2), cap);
  al->h = h1 + h2;
  al->title_h = h1;
}

/* Labels sit beside the rim point, never across it: right of it on the
 * right half, left on the left half, centred only near the vertical. */
static void
label_align (double dx, double dy, double *xa, double *ya)
{
  *xa = CLAMP (0.5 - 1.5 * dx, 0.0, 1.0);
  *ya = CLAMP (0.5 - 1.5 * dy, 0.0, 1.0);
}

/* The largest radius at which every axis label still fits in the area. */
static double
fit_radius (VxChartCtx *ctx, const AxisLabel *labels, guint n, double gap)
{
  const VxChartRect *a = &ctx->area;
  double r = MIN (a->width, a->height) / 2 - gap;

  for (guint i = 0; i < n; i++)
    {
      double dx, dy, xa, ya, out_x, out_y;
      axis_direction (i, n, &dx, &dy);
      label_align (dx, dy, &xa, &ya);
      out_x = dx >= 0 ? (1 - xa) * labels[i].w : xa * labels[i].w;
      out_y = dy >= 0 ? (1 - ya) * labels[i].h : ya * labels[i].h;
      if (fabs (dx) > 1e-6)
        r = MIN (r, (a->width / 2 - out_x) / fabs (dx) - gap);
      else
        r = MIN (r, a->width / 2 - labels[i].w / 2);
      if (fabs (dy) > 1e-6)
        r = MIN (r, (a->height / 2 - out_y) / fabs (dy) - gap);
      else
        r = MIN (r, a->height / 2 - labels[i].h / 2);
    }
  return MAX (r, ctx->font);
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

void
vx_chart_radar_render_full (cairo_t *cr, double width, double height,
                            const VxChartRadar *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  g_autofree VxLegendItem *items = NULL;
  g_autofree AxisLabel *labels = NULL;
  double gap, radius, cx, cy, note_h, note_bottom, lowest;

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
  /* Room for the reading rule under the web; drawn once the web is placed. */
  _vx_chart_text_size (&ctx, "Ag", VX_CHART_TEXT_TICK, NULL, &note_h);
  note_bottom = ctx.area.y + ctx.area.height;
  ctx.area.height = MAX (0.0, ctx.area.height - note_h - ctx.font * 0.4);

  labels = g_new0 (AxisLabel, m->n_axes);
  for (guint i = 0; i < m->n_axes; i++)
    measure_label (&ctx, &m->axes[i], ctx.area.width * 0.3, &labels[i]);
  gap = ctx.font * 0.8;
  {
    /* The legend goes where it costs the web the least radius. */
    VxChartRect full = ctx.area;
    double top_h = _vx_chart_legend_top_height (&ctx, items, m->n_series);
    double right_w = _vx_chart_legend_right_width (&ctx, items, m->n_series, ctx.area.width * 0.3);
    double r_top, r_right;
    ctx.area.y += top_h;
    ctx.area.height -= top_h;
    r_top = fit_radius (&ctx, labels, m->n_axes, gap);
    ctx.area = full;
    ctx.area.width -= right_w;
    r_right = fit_radius (&ctx, labels, m->n_axes, gap);
    ctx.area = full;
    if (r_right > r_top * 1.05)
      _vx_chart_legend_right (&ctx, items, m->n_series, full.width * 0.3);
    else
      _vx_chart_legend_top (&ctx, items, m->n_series);
  }
  radius = fit_radius (&ctx, labels, m->n_axes, gap);
  cx = ctx.area.x + ctx.area.width / 2;
  cy = ctx.area.y + ctx.area.height / 2;
  ctx.layout->center_x = cx;
  ctx.layout->center_y = cy;
  ctx.layout->radius = radius;
  ctx.layout->plot = (VxChartRect) { cx - radius, cy - radius, 2 * radius, 2 * radius };

  lowest = cy + radius;
  draw_web (&ctx, m->n_axes, cx, cy, radius);
  draw_series (&ctx, m);
  for (guint i = 0; i < m->n_axes; i++)
    {
      double dx, dy, xa, ya, lx, ly, top;
      VxChartRect r;
      axis_direction (i, m->n_axes, &dx, &dy);
      label_align (dx, dy, &xa, &ya);
      lx = cx + dx * (radius + gap);
      ly = cy + dy * (radius + gap);
      top = ly - ya * labels[i].h;
      _vx_chart_text (&ctx, labels[i].title, VX_CHART_TEXT_AXIS_TITLE, lx - xa * labels[i].w + labels[i].w / 2,
                      top, 0.5, 0.0, labels[i].w, &ctx.theme->foreground, FALSE);
      r = _vx_chart_text (&ctx, labels[i].range, VX_CHART_TEXT_TICK, lx - xa * labels[i].w + labels[i].w / 2,
                          top + labels[i].title_h, 0.5, 0.0, labels[i].w, &ctx.theme->muted, FALSE);
      lowest = MAX (lowest, r.y + r.height);
      g_free (labels[i].title);
      g_free (labels[i].range);
    }
  /* Right under the web and its labels, not stranded at the bottom of a tall view. */
  _vx_chart_text (&ctx, "Outward is better on every axis (labels: centre \u2192 rim)", VX_CHART_TEXT_TICK,
                  ctx.area.x + ctx.area.width / 2, MIN (note_bottom - note_h, lowest + ctx.font * 0.8),
                  0.5, 0.0, ctx.area.width, &ctx.theme->muted, FALSE);
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
