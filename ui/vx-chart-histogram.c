/* vx-chart-histogram.c: conductance histograms with the ClipFormer markers */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-histogram.h"
#include "vx-chart-private.h"

static gboolean
histogram_has_data (const VxChartHistogram *m)
{
  if (!m || m->n_bins == 0 || !m->series || m->n_series == 0)
    return FALSE;
  if (!isfinite (m->x_min) || !isfinite (m->x_max) || !(m->x_max > m->x_min))
    return FALSE;
  for (guint s = 0; s < m->n_series; s++)
    for (guint i = 0; m->series[s].counts && i < m->n_bins; i++)
      if (isfinite (m->series[s].counts[i]) && m->series[s].counts[i] > 0)
        return TRUE;
  return FALSE;
}

static VxChartColor
series_color (VxChartCtx *ctx, const VxChartHistogram *m, guint s)
{
  int idx = m->series[s].color_index;
  return vx_chart_theme_series_color (ctx->theme, idx >= 0 ? (guint) idx : s);
}

static double
count_at (const VxChartHistogramSeries *s, guint i)
{
  double v = s->counts ? s->counts[i] : 0.0;
  return isfinite (v) && v > 0 ? v : 0.0;
}

/* The outline of one series as a staircase along its bin tops. */
static void
step_path (cairo_t *cr, const VxCartesian *cart, const VxChartHistogram *m,
           const VxChartHistogramSeries *s, double base)
{
  double bin_w = (m->x_max - m->x_min) / m->n_bins;
  double prev = base;

  cairo_move_to (cr, vx_chart_axis_to_px (&cart->x, m->x_min), base);
  for (guint i = 0; i < m->n_bins; i++)
    {
      double c = count_at (s, i);
      double x0 = vx_chart_axis_to_px (&cart->x, m->x_min + i * bin_w);
      double x1 = vx_chart_axis_to_px (&cart->x, m->x_min + (i + 1) * bin_w);
      double y = c > 0 ? vx_chart_axis_to_px (&cart->y, c) : base;
      y = MIN (y, base);
      if (y != prev)
        cairo_line_to (cr, x0, y);
      cairo_line_to (cr, x1, y);
      prev = y;
    }
  cairo_line_to (cr, vx_chart_axis_to_px (&cart->x, m->x_max), base);
}

static void
draw_series (VxChartCtx *ctx, const VxCartesian *cart, const VxChartHistogram *m)
{
  cairo_t *cr = ctx->cr;
  double base = cart->plot.y + cart->plot.height;
  double bin_w = (m->x_max - m->x_min) / m->n_bins;
  double lw = _vx_chart_line_width (ctx);

  for (guint s = 0; s < m->n_series; s++)
    {
      const VxChartHistogramSeries *ser = &m->series[s];
      VxChartColor c = series_color (ctx, m, s);
      if (ser->style != VX_CHART_HISTOGRAM_FILLED)
        continue;
      vx_chart_color_set_source (cr, &c, 0.45);
      for (guint i = 0; i < m->n_bins; i++)
        {
          double v = count_at (ser, i), x0, x1, y;
          if (v <= 0)
            continue;
          x0 = vx_chart_axis_to_px (&cart->x, m->x_min + i * bin_w);
          x1 = vx_chart_axis_to_px (&cart->x, m->x_min + (i + 1) * bin_w);
          y = MIN (vx_chart_axis_to_px (&cart->y, v), base);
          cairo_rectangle (cr, x0, y, x1 - x0, base - y);
        }
      cairo_fill (cr);
    }
  for (guint s = 0; s < m->n_series; s++)
    {
      const VxChartHistogramSeries *ser = &m->series[s];
      VxChartColor c = series_color (ctx, m, s);
      step_path (cr, cart, m, ser, base);
      vx_chart_color_set_source (cr, &c, 1.0);
      cairo_set_line_width (cr, ser->style == VX_CHART_HISTOGRAM_FILLED ? lw : 2 * lw);
      cairo_stroke (cr);
    }
}

static void
draw_markers (VxChartCtx *ctx, const VxCartesian *cart, const VxChartHistogram *m)
{
  const VxChartRect *p = &cart->plot;

  if (isfinite (m->shift.value) && m->shift.value > m->x_min)
    {
      double x1 = vx_chart_axis_to_px (&cart->x, MIN (m->shift.value, m->x_max));
      cairo_rectangle (ctx->cr, p->x, p->y, x1 - p->x, p->height);
      vx_chart_color_set_source (ctx->cr, &ctx->theme->muted, 0.16);
      cairo_fill (ctx->cr);
      _vx_chart_vline_dash (ctx, x1, p->y, p->y + p->height, &ctx->theme->muted);
    }
  if (isfinite (m->clip.value) && m->clip.value >= m->x_min && m->clip.value <= m->x_max)
    {
      double x = vx_chart_axis_to_px (&cart->x, m->clip.value);
      _vx_chart_vline_dash (ctx, x, p->y, p->y + p->height, &ctx->theme->marker);
    }
}

void
vx_chart_histogram_render_full (cairo_t *cr, double width, double height,
                                const VxChartHistogram *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  VxLegendItem items[VX_CHART_N_SERIES_COLORS + 2];
  guint n_items = 0;
  double ymax = 0, ymin_pos = INFINITY;
  VxAxisSpec xs = { 0 }, ys = { 0 };
  VxCartesian cart;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!histogram_has_data (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }

  for (guint s = 0; s < m->n_series && n_items < VX_CHART_N_SERIES_COLORS; s++)
    items[n_items++] = (VxLegendItem) {
      m->series[s].label, series_color (&ctx, m, s),
      m->series[s].style == VX_CHART_HISTOGRAM_FILLED ? VX_SWATCH_BOX : VX_SWATCH_LINE,
      VX_MARKER_NONE, 0.45 };
  if (isfinite (m->shift.value) && m->shift.value > m->x_min)
    items[n_items++] = (VxLegendItem) { m->shift.label ? m->shift.label : "\u03b1\u00b7G\u2098\u1d62\u2099 shift",
                                        ctx.theme->muted, VX_SWATCH_BOX, VX_MARKER_NONE, 0.16 };
  if (isfinite (m->clip.value) && m->clip.value >= m->x_min && m->clip.value <= m->x_max)
    items[n_items++] = (VxLegendItem) { m->clip.label ? m->clip.label : "\u03b2\u00b7G\u2098\u2090\u2093 clip",
                                        ctx.theme->marker, VX_SWATCH_DASH, VX_MARKER_NONE, 1.0 };
  _vx_chart_legend_top (&ctx, items, n_items);

  for (guint s = 0; s < m->n_series; s++)
    for (guint i = 0; i < m->n_bins; i++)
      {
        double v = count_at (&m->series[s], i);
        ymax = MAX (ymax, v);
        if (v > 0)
          ymin_pos = MIN (ymin_pos, v);
      }
  xs = (VxAxisSpec) { m->x_title ? m->x_title : "Conductance G (\u00b5S)", m->x_min, m->x_max, FALSE, FALSE };
  if (m->log_y)
    ys = (VxAxisSpec) { m->y_title ? m->y_title : "Count (cells, log scale)", MIN (ymin_pos, 1.0), ymax, TRUE, TRUE };
  else
    ys = (VxAxisSpec) { m->y_title ? m->y_title : "Count (cells)", 0.0, ymax * 1.04, FALSE, TRUE };
  _vx_chart_cartesian_layout (&ctx, &xs, &ys, &cart);
  _vx_chart_cartesian_grid (&ctx, &cart);

  cairo_save (cr);
  cairo_rectangle (cr, cart.plot.x, cart.plot.y, cart.plot.width, cart.plot.height);
  cairo_clip (cr);
  draw_markers (&ctx, &cart, m);
  draw_series (&ctx, &cart, m);
  cairo_restore (cr);

  _vx_chart_cartesian_axes (&ctx, &cart);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (histogram, VxChartHistogram)

VxChartTable *
vx_chart_histogram_to_table (const VxChartHistogram *m)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  VxChartTable *t;
  double bin_w;

  g_return_val_if_fail (m != NULL, NULL);
  g_ptr_array_add (cols, g_strdup ("bin_lo_uS"));
  g_ptr_array_add (cols, g_strdup ("bin_hi_uS"));
  for (guint s = 0; s < m->n_series; s++)
    g_ptr_array_add (cols, g_strdup (m->series[s].label ? m->series[s].label : "count"));
  t = vx_chart_table_new (cols->len, (const char *const *) cols->pdata);
  bin_w = m->n_bins ? (m->x_max - m->x_min) / m->n_bins : 0;
  for (guint i = 0; i < m->n_bins; i++)
    {
      vx_chart_table_add_number (t, m->x_min + i * bin_w);
      vx_chart_table_add_number (t, m->x_min + (i + 1) * bin_w);
      for (guint s = 0; s < m->n_series; s++)
        vx_chart_table_add_number (t, m->series[s].counts ? m->series[s].counts[i] : NAN);
    }
  return t;
}
