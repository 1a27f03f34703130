/* vx-chart-radar.h: radar (spider) chart, outward = better on every axis
 *
 * Each axis has its own range and unit. An axis where lower is better
 * (area, energy, accuracy loss) is flipped, so a larger polygon is always a
 * better design; each axis label shows "centre value -> rim value".
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;             /* e.g. "Attention area" */
  const char *unit;             /* e.g. "mm²"; nullable for unitless */
  double      min, max;         /* value range of the axis */
  gboolean    lower_is_better;  /* flip so that outward = better */
  int         decimals;         /* for the range labels */
} VxChartRadarAxis;

typedef struct {
  const char   *label;
  const double *values;         /* (n_axes); NaN drawn at the centre, unmarked */
  int           color_index;    /* < 0: by position */
} VxChartRadarSeries;

typedef struct {
  VxChartCommon             base;
  const VxChartRadarAxis   *axes;
  guint                     n_axes;    /* at least 3 */
  const VxChartRadarSeries *series;
  guint                     n_series;
} VxChartRadar;

void          vx_chart_radar_render      (cairo_t *cr, double width, double height,
                                          const VxChartRadar *m);
void          vx_chart_radar_render_full (cairo_t *cr, double width, double height,
                                          const VxChartRadar *m, VxChartLayout *layout);
void          vx_chart_radar_draw        (cairo_t *cr, double width, double height,
                                          gconstpointer m, VxChartLayout *layout);
/* 0 at the centre, 1 at the rim (clamped), NaN for NaN. */
double        vx_chart_radar_normalize   (const VxChartRadarAxis *axis, double value);
/* The point of a value on an axis, from the layout of a render. Axis 0
 * points up, the others follow clockwise. */
void          vx_chart_radar_point       (const VxChartLayout *layout, const VxChartRadar *m,
                                          guint axis, double value, double *x, double *y);
/* Columns: axis, unit, min, max, lower_is_better, then one per series. */
VxChartTable *vx_chart_radar_to_table    (const VxChartRadar *m);

G_END_DECLS
