/* vx-chart-axis.h: value <-> pixel mapping and "nice" ticks (1-2-5 steps) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VX_CHART_MAX_TICKS 32

typedef struct {
  double   min, max;        /* data range; for log axes both > 0 */
  gboolean log;
  double   px_min, px_max;  /* device coordinates of min and max */
} VxChartAxis;

typedef struct {
  guint  n;
  double values[VX_CHART_MAX_TICKS];
  double step;              /* linear step; 0 for log axes */
  gboolean pow10;           /* log axis labelled 10^n throughout */
} VxChartTicks;

double   vx_chart_axis_to_px    (const VxChartAxis *axis, double value);
double   vx_chart_axis_from_px  (const VxChartAxis *axis, double px);

/* The 1, 2 or 5 times a power of ten closest above raw_step. */
double   vx_chart_nice_step     (double raw_step);

/* Ticks for [lo, hi] with about target_count intervals. When extend is TRUE
 * lo and hi are widened to tick multiples; the range used is returned in
 * *out_lo / *out_hi. A degenerate range (lo == hi) is widened around lo. */
void     vx_chart_nice_ticks    (double lo, double hi, guint target_count, gboolean extend,
                                 double *out_lo, double *out_hi, VxChartTicks *ticks);

/* Decade ticks for a log axis over [lo, hi] (lo > 0), widened to decades; when
 * the range spans a single decade the 2 and 5 multiples are added. */
void     vx_chart_log_ticks     (double lo, double hi, guint max_count,
                                 double *out_lo, double *out_hi, VxChartTicks *ticks);

/* A tick label: as many decimals as the step needs, a real minus sign, and
 * powers of ten as 10 with superscript exponents when step is 0 (log axis). */
char    *vx_chart_format_tick   (double value, double step);
/* Label of tick i, formatted consistently for the whole set (a log axis
 * reaching 10^5 or 10^-3 writes every decade as a power of ten). */
char    *vx_chart_ticks_label   (const VxChartTicks *ticks, guint i);

G_END_DECLS
