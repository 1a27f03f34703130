/* vx-chart-lines.c: line charts with error bars */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-lines.h"
#include "vx-chart-private.h"

static const VxMarker series_markers[] = {
  VX_MARKER_CIRCLE, VX_MARKER_SQUARE, VX_MARKER_TRIANGLE, VX_MARKER_DIAMOND, VX_MARKER_TRIANGLE_DOWN,
};

static gboolean
point_ok (const VxChartLines *m, const VxChartLineSeries *s, guint i)
{
  return s->x && s->y && isfinite (s->x[i]) && isfinite (s->y[i]) && (!m->log_x || s->x[i] > 0);
}

static gboolean
lines_have_data (const VxChartLines *m)
{
  if (!m || !m->series || m->n_series == 0)
    return FALSE;
  for (guint s = 0; s < m->n_series; s++)
    for (guint i = 0; i < m->series[s].n_points; i++)
      if (point_ok (m, &m->series[s], i))
        return TRUE;
  return FALSE;
}

static double
err_at (const VxChartLineSeries *s, guint i)
{
  return s->y_err && isfinite (s->y_err[i]) ? fabs (s->y_err[i]) : 0.0;
}

static VxChartColor
line_color (VxChartCtx *ctx, const VxChartLines *m, guint s)
{
  int idx = m->series[s].color_index;
  return vx_chart_theme_series_color (ctx->theme, idx >= 0 ? (guint) idx : s);
}

static void
draw_series (VxChartCtx *ctx, const VxCartesian *cart, const VxChartLines *m, guint s)
{
  cairo_t *cr = ctx->cr;
  const VxChartLineSeries *ser = &m->series[s];
  VxChartColor c = line_color (ctx, m, s);
  double lw = _vx_chart_line_width (ctx);
  gboolean pen_down = FALSE;

  vx_chart_color_set_source (cr, &c, 1.0);
  cairo_set_line_width (cr, 2 * lw);
  if (ser->dashed)
    cairo_set_dash (cr, (double[]) { 5 * lw, 3 * lw }, 2, 0);
  for (guint i = 0; i < ser->n_points; i++)
    {
      double x, y;
      if (!point_ok (m, ser, i))
        {
          pen_down = FALSE;
          continue;
        }
      x = vx_chart_axis_to_px (&cart->x, ser->x[i]);
      y = vx_chart_axis_to_px (&cart->y, ser->y[i]);
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  cairo_set_line_width (cr, 1.2 * lw);
  for (guint i = 0; i < ser->n_points; i++)
    {
      double e = err_at (ser, i), x, cap;
      if (!point_ok (m, ser, i) || e <= 0)
        continue;
      x = vx_chart_axis_to_px (&cart->x, ser->x[i]);
      cap = ctx->font * 0.3;
      cairo_move_to (cr, x, vx_chart_axis_to_px (&cart->y, ser->y[i] - e));
      cairo_line_to (cr, x, vx_chart_axis_to_px (&cart->y, ser->y[i] + e));
      cairo_move_to (cr, x - cap, vx_chart_axis_to_px (&cart->y, ser->y[i] - e));
      cairo_line_to (cr, x + cap, vx_chart_axis_to_px (&cart->y, ser->y[i] - e));
      cairo_move_to (cr, x - cap, vx_chart_axis_to_px (&cart->y, ser->y[i] + e));
      cairo_line_to (cr, x + cap, vx_chart_axis_to_px (&cart->y, ser->y[i] + e));
    }
  cairo_stroke (cr);

  for (guint i = 0; i < ser->n_points; i++)
    {
      if (!point_ok (m, ser, i))
        continue;
      _vx_chart_marker (cr, series_markers[s % G_N_ELEMENTS (series_markers)],
                        vx_chart_axis_to_px (&cart->x, ser->x[i]),
                        vx_chart_axis_to_px (&cart->y, ser->y[i]), ctx->font * 0.62);
      vx_chart_color_set_source (cr, &c, 1.0);
      cairo_fill_preserve (cr);
      vx_chart_color_set_source (cr, &ctx->theme->background, 1.0);
      cairo_set_line_width (cr, lw);
      cairo_stroke (cr);
    }
}

void
vx_chart_lines_render_full (cairo_t *cr, double width, double height,
                            const VxChartLines *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  g_autofree VxLegendItem *items = NULL;
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  VxAxisSpec xs = { 0 }, ys = { 0 };
  VxCartesian cart;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!lines_have_data (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }
  items = g_new0 (VxLegendItem, m->n_series);
  for (guint s = 0; s < m->n_series; s++)
    items[s] = (VxLegendItem) { m->series[s].label, line_color (&ctx, m, s),
                                m->series[s].dashed ? VX_SWATCH_DASH : VX_SWATCH_LINE,
                                series_markers[s % G_N_ELEMENTS (series_markers)], 1.0 };
  _vx_chart_legend_top (&ctx, items, m->n_series);

  for (guint s = 0; s < m->n_series; s++)
    for (guint i = 0; i < m->series[s].n_points; i++)
      {
        const VxChartLineSeries *ser = &m->series[s];
        double e = err_at (ser, i);
        if (!point_ok (m, ser, i))
          continue;
        xlo = MIN (xlo, ser->x[i]);
        xhi = MAX (xhi, ser->x[i]);
        ylo = MIN (ylo, ser->y[i] - e);
        yhi = MAX (yhi, ser->y[i] + e);
      }
  if (m->y_max > m->y_min)
    {
      ylo = m->y_min;
      yhi = m->y_max;
    }
  xs = (VxAxisSpec) { m->x_title, xlo, xhi, m->log_x, TRUE };
  ys = (VxAxisSpec) { m->y_title, ylo, yhi, FALSE, !(m->y_max > m->y_min) };
  _vx_chart_cartesian_layout (&ctx, &xs, &ys, &cart);
  _vx_chart_cartesian_grid (&ctx, &cart);
  /* Axes first: markers on an axis (x = 0) stay visible on top of it. */
  _vx_chart_cartesian_axes (&ctx, &cart);

  /* Markers at the plot edge stay whole: clip a little outside the plot. */
  cairo_save (cr);
  cairo_rectangle (cr, cart.plot.x - ctx.font * 0.6, cart.plot.y - ctx.font * 0.6,
                   cart.plot.width + ctx.font * 1.2, cart.plot.height + ctx.font * 1.2);
  cairo_clip (cr);
  for (guint s = 0; s < m->n_series; s++)
    draw_series (&ctx, &cart, m, s);
  cairo_restore (cr);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (lines, VxChartLines)

VxChartTable *
vx_chart_lines_to_table (const VxChartLines *m)
{
  const char *cols[] = { "series", "x", "y", "y_error" };
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  t = vx_chart_table_new (G_N_ELEMENTS (cols), cols);
  for (guint s = 0; s < m->n_series; s++)
    for (guint i = 0; i < m->series[s].n_points; i++)
      {
        const VxChartLineSeries *ser = &m->series[s];
        vx_chart_table_add_string (t, ser->label);
        vx_chart_table_add_number (t, ser->x ? ser->x[i] : NAN);
        vx_chart_table_add_number (t, ser->y ? ser->y[i] : NAN);
        vx_chart_table_add_number (t, ser->y_err ? ser->y_err[i] : NAN);
      }
  return t;
}
