/* vx-chart-heatmap.h: values over a 2-D grid, e.g. accuracy over (alpha, beta)
 *
 * Row 0 is drawn at the bottom (like a y axis) unless rows_top_down. Cell
 * colours come from a perceptually uniform map with a colour bar; the value
 * is printed in each cell when every value fits.
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"
#include "vx-chart-theme.h"

G_BEGIN_DECLS

typedef struct {
  VxChartCommon       base;
  guint               n_rows, n_cols;
  const double       *values;          /* (n_rows, n_cols) row-major; NaN = missing */
  const char *const  *row_labels;      /* (n_rows), e.g. "β = 0.25" */
  const char *const  *col_labels;      /* (n_cols), e.g. "α = 2" */
  const char         *x_title;         /* e.g. "Shift α (× G_min)" */
  const char         *y_title;
  const char         *value_title;     /* colour bar, e.g. "Accuracy (%)" */
  double              value_min, value_max;  /* equal: the data range */
  gboolean            rows_top_down;
  gboolean            hide_values;
  int                 value_decimals;
  VxChartColormap     colormap;        /* default viridis */
} VxChartHeatmap;

void          vx_chart_heatmap_render      (cairo_t *cr, double width, double height,
                                            const VxChartHeatmap *m);
void          vx_chart_heatmap_render_full (cairo_t *cr, double width, double height,
                                            const VxChartHeatmap *m, VxChartLayout *layout);
void          vx_chart_heatmap_draw        (cairo_t *cr, double width, double height,
                                            gconstpointer m, VxChartLayout *layout);
/* Columns: row label, then one per column label. */
VxChartTable *vx_chart_heatmap_to_table    (const VxChartHeatmap *m);

G_END_DECLS
