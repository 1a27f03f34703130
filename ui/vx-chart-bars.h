/* vx-chart-bars.h: grouped bars with optional error bars
 *
 * One group per category (attention block, gamma, model), one bar per series
 * (untransformed, ClipFormer, ...). Used for per-block SNR, Table-II style
 * accuracy comparisons and area/energy breakdowns.
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef struct {
  const char   *label;
  const double *values;       /* (n_categories); NaN = missing bar */
  const double *errors;       /* (n_categories) symmetric half-widths, nullable */
  double        summary;      /* shown in the legend when the model has summary_name */
  int           color_index;  /* < 0: by position */
} VxChartBarSeries;

typedef struct {
  VxChartCommon           base;
  const char *const      *categories;    /* (n_categories) */
  guint                   n_categories;
  const VxChartBarSeries *series;
  guint                   n_series;
  const char             *x_title;       /* with unit where there is one */
  const char             *y_title;       /* e.g. "SNR (dB)" */
  const char             *summary_name;  /* e.g. "⟨SNR⟩": legend "label, ⟨SNR⟩ = 14.2 dB" */
  const char             *value_unit;    /* unit of the summary, e.g. "dB" */
  int                     summary_decimals;
  double                  y_min, y_max;  /* equal: automatic (always includes 0) */
  /* Print each value above its bar, stacked higher or inside the bar where
   * neighbours crowd it, in one form for all (1658.9, 1659 or 1.7k); a value
   * with no free place is left out rather than overlap. */
  gboolean                show_values;
  int                     value_decimals;
} VxChartBars;

void          vx_chart_bars_render      (cairo_t *cr, double width, double height,
                                         const VxChartBars *m);
void          vx_chart_bars_render_full (cairo_t *cr, double width, double height,
                                         const VxChartBars *m, VxChartLayout *layout);
void          vx_chart_bars_draw        (cairo_t *cr, double width, double height,
                                         gconstpointer m, VxChartLayout *layout);
/* Where bar (category, series) sits in a layout from a render of m: its x
 * extent and the pixel rows of its value and of the baseline. */
VxChartRect   vx_chart_bars_bar_rect    (const VxChartLayout *layout, const VxChartBars *m,
                                         guint category, guint series);
/* Columns: category, then per series "<label>" and, with errors, "<label> error". */
VxChartTable *vx_chart_bars_to_table    (const VxChartBars *m);

G_END_DECLS
