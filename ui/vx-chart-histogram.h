/* vx-chart-histogram.h: conductance histograms (K or V of a block)
 *
 * Several series share one binning of [x_min, x_max] (uS): typically the
 * conductances before and after ClipFormer, optionally G+ and G- arrays
 * separately. Filled series are drawn translucent, outline series as a step
 * line on top, so overlaid distributions stay readable.
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef enum {
  VX_CHART_HISTOGRAM_FILLED,
  VX_CHART_HISTOGRAM_OUTLINE,
} VxChartHistogramStyle;

typedef struct {
  const char           *label;
  const double         *counts;       /* (n_bins) */
  VxChartHistogramStyle style;
  int                   color_index;  /* into the theme's series colours; < 0 = by position */
} VxChartHistogramSeries;

/* A vertical reference line; hidden when value is NaN. */
typedef struct {
  double      value;   /* uS */
  const char *label;   /* e.g. "β·G_max = 2.5 µS" */
} VxChartMarkerLine;

typedef struct {
  VxChartCommon                 base;
  guint                         n_bins;
  double                        x_min, x_max;   /* bin edges span this range, uS */
  const VxChartHistogramSeries *series;
  guint                         n_series;
  gboolean                      log_y;
  VxChartMarkerLine             clip;    /* beta * G_max */
  VxChartMarkerLine             shift;   /* alpha * G_min: the shift region is shaded */
  const char                   *x_title; /* NULL: "Conductance G (µS)" */
  const char                   *y_title; /* NULL: "Count (cells)" */
} VxChartHistogram;

void          vx_chart_histogram_render      (cairo_t *cr, double width, double height,
                                              const VxChartHistogram *m);
void          vx_chart_histogram_render_full (cairo_t *cr, double width, double height,
                                              const VxChartHistogram *m, VxChartLayout *layout);
void          vx_chart_histogram_draw        (cairo_t *cr, double width, double height,
                                              gconstpointer m, VxChartLayout *layout);
/* Columns: bin_lo_uS, bin_hi_uS, then one count column per series. */
VxChartTable *vx_chart_histogram_to_table    (const VxChartHistogram *m);

G_END_DECLS
