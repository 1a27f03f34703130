/* vx-chart-lines.h: line charts with markers and error bars
 *
 * E.g. accuracy vs write-noise factor for several (alpha, beta). Each series
 * has its own x values; NaN points break the line. Every series also gets a
 * distinct marker shape, so it reads without colour.
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef struct {
  const char   *label;
  const double *x;            /* (n_points) */
  const double *y;            /* (n_points) */
  const double *y_err;        /* (n_points) symmetric half-widths, nullable */
  guint         n_points;
  int           color_index;  /* < 0: by position */
  gboolean      dashed;
} VxChartLineSeries;

typedef struct {
  VxChartCommon            base;
  const VxChartLineSeries *series;
  guint                    n_series;
  const char              *x_title;   /* e.g. "Write-noise factor γ" */
  const char              *y_title;   /* e.g. "Top-1 accuracy (%)" */
  gboolean                 log_x;
  double                   y_min, y_max;  /* equal: automatic */
} VxChartLines;

void          vx_chart_lines_render      (cairo_t *cr, double width, double height,
                                          const VxChartLines *m);
void          vx_chart_lines_render_full (cairo_t *cr, double width, double height,
                                          const VxChartLines *m, VxChartLayout *layout);
void          vx_chart_lines_draw        (cairo_t *cr, double width, double height,
                                          gconstpointer m, VxChartLayout *layout);
/* Long format. Columns: series, x, y, y_error. */
VxChartTable *vx_chart_lines_to_table    (const VxChartLines *m);

G_END_DECLS
