/* vx-chart-common.c: the chart error domain and layout mapping */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-common.h"

G_DEFINE_QUARK (vx-chart-error-quark, vx_chart_error)

static double
layout_t (double v, double lo, double hi, gboolean log)
{
  if (log)
    {
      if (!(v > 0.0) || !(lo > 0.0) || !(hi > lo))
        return -INFINITY;
      return (log10 (v) - log10 (lo)) / (log10 (hi) - log10 (lo));
    }
  if (hi == lo)
    return 0.5;
  return (v - lo) / (hi - lo);
}

double
vx_chart_layout_x_to_px (const VxChartLayout *layout, double x)
{
  g_return_val_if_fail (layout != NULL, 0.0);
  return layout->plot.x + layout_t (x, layout->x_min, layout->x_max, layout->x_log) * layout->plot.width;
}

double
vx_chart_layout_y_to_px (const VxChartLayout *layout, double y)
{
  g_return_val_if_fail (layout != NULL, 0.0);
  return layout->plot.y + layout->plot.height
         - layout_t (y, layout->y_min, layout->y_max, layout->y_log) * layout->plot.height;
}

VxChartRect
vx_chart_layout_cell (const VxChartLayout *layout, guint row, guint col)
{
  VxChartRect r = { 0, 0, 0, 0 };
  guint display_row;

  g_return_val_if_fail (layout != NULL, r);
  if (layout->n_cols == 0 || layout->n_rows == 0 || row >= layout->n_rows || col >= layout->n_cols)
    return r;
  display_row = layout->rows_top_down ? row : layout->n_rows - 1 - row;
  r.width = layout->plot.width / layout->n_cols;
  r.height = layout->plot.height / layout->n_rows;
  r.x = layout->plot.x + col * r.width;
  r.y = layout->plot.y + display_row * r.height;
  return r;
}

gboolean
vx_chart_rect_contains_rect (const VxChartRect *outer, const VxChartRect *inner)
{
  const double eps = 1e-6;

  g_return_val_if_fail (outer != NULL && inner != NULL, FALSE);
  return inner->x >= outer->x - eps && inner->y >= outer->y - eps
         && inner->x + inner->width <= outer->x + outer->width + eps
         && inner->y + inner->height <= outer->y + outer->height + eps;
}

void
vx_chart_common_set_classroom (VxChartCommon *common, gboolean classroom)
{
  g_return_if_fail (common != NULL);
  common->font_scale = classroom ? VX_CHART_CLASSROOM_FONT_SCALE : 1.0;
  common->line_scale = classroom ? VX_CHART_CLASSROOM_LINE_SCALE : 0.0;
}
