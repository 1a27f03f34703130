/* vx-chart-axis.c: axis mapping and nice ticks */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-axis.h"

static double
axis_t (const VxChartAxis *axis, double value)
{
  if (axis->log)
    {
      if (!(value > 0.0) || !(axis->min > 0.0) || !(axis->max > axis->min))
        return value > 0.0 ? 0.0 : -INFINITY;
      return (log10 (value) - log10 (axis->min)) / (log10 (axis->max) - log10 (axis->min));
    }
  if (axis->max == axis->min)
    return 0.5;
  return (value - axis->min) / (axis->max - axis->min);
}

double
vx_chart_axis_to_px (const VxChartAxis *axis, double value)
{
  g_return_val_if_fail (axis != NULL, 0.0);
  return axis->px_min + axis_t (axis, value) * (axis->px_max - axis->px_min);
}

double
vx_chart_axis_from_px (const VxChartAxis *axis, double px)
{
  double t;

  g_return_val_if_fail (axis != NULL, 0.0);
  if (axis->px_max == axis->px_min)
    return axis->min;
  t = (px - axis->px_min) / (axis->px_max - axis->px_min);
  if (axis->log && axis->min > 0.0 && axis->max > 0.0)
    return pow (10.0, log10 (axis->min) + t * (log10 (axis->max) - log10 (axis->min)));
  return axis->min + t * (axis->max - axis->min);
}

double
vx_chart_nice_step (double raw_step)
{
  double p, f;

  if (!(raw_step > 0.0) || !isfinite (raw_step))
    return 1.0;
  p = pow (10.0, floor (log10 (raw_step)));
  f = raw_step / p;
  /* A small slack so that 2.0000001 stays 2 rather than jumping to 5. */
  if (f <= 1.0 + 1e-9)
    return p;
  if (f <= 2.0 + 1e-9)
    return 2.0 * p;
  if (f <= 5.0 + 1e-9)
    return 5.0 * p;
  return 10.0 * p;
}

void
vx_chart_nice_ticks (double lo, double hi, guint target_count, gboolean extend,
                     double *out_lo, double *out_hi, VxChartTicks *ticks)
{
  double step, first, last;
  guint n = 0;

  g_return_if_fail (ticks != NULL);
  if (!isfinite (lo) || !isfinite (hi))
    {
      lo = 0.0;
      hi = 1.0;
    }
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (hi == lo)
    {
      double pad = lo == 0.0 ? 1.0 : fabs (lo) * 0.5;
      lo -= pad;
      hi += pad;
    }
  target_count = CLAMP (target_count, 1, VX_CHART_MAX_TICKS - 2);
  step = vx_chart_nice_step ((hi - lo) / target_count);
  first = ceil (lo / step - 1e-9) * step;
  last = floor (hi / step + 1e-9) * step;
  if (extend)
    {
      first = floor (lo / step + 1e-9) * step;
      last = ceil (hi / step - 1e-9) * step;
      lo = first;
      hi = last;
    }
  for (double v = first; v <= last + step * 1e-6 && n < VX_CHART_MAX_TICKS; v = first + n * step)
    ticks->values[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  ticks->n = n;
  ticks->step = step;
  ticks->pow10 = FALSE;
  if (out_lo)
    *out_lo = lo;
  if (out_hi)
    *out_hi = hi;
}

void
vx_chart_log_ticks (double lo, double hi, guint max_count,
                    double *out_lo, double *out_hi, VxChartTicks *ticks)
{
  int d0, d1, every;
  guint n = 0;

  g_return_if_fail (ticks != NULL);
  if (!(lo > 0.0) || !isfinite (lo))
    lo = 1.0;
  if (!(hi > lo) || !isfinite (hi))
    hi = lo * 10.0;
  d0 = (int) floor (log10 (lo) + 1e-9);
  d1 = (int) ceil (log10 (hi) - 1e-9);
  if (d1 <= d0)
    d1 = d0 + 1;
  max_count = CLAMP (max_count, 2, VX_CHART_MAX_TICKS);
  every = (d1 - d0 + (int) max_count - 1) / ((int) max_count - 1);
  every = MAX (every, 1);
  for (int d = d0; d <= d1 && n < VX_CHART_MAX_TICKS; d += every)
    {
      ticks->values[n++] = pow (10.0, d);
      if (d1 - d0 == 1 && d < d1 && n + 2 <= VX_CHART_MAX_TICKS)
        {
          ticks->values[n++] = 2.0 * pow (10.0, d);
          ticks->values[n++] = 5.0 * pow (10.0, d);
        }
    }
  ticks->n = n;
  ticks->step = 0.0;
  ticks->pow10 = d1 > 4 || d0 < -2;
  if (out_lo)
    *out_lo = pow (10.0, d0);
  if (out_hi)
    *out_hi = pow (10.0, d1);
}

static const char *const superscript[] = {
  "\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
  "\u2075", "\u2076", "\u2077", "\u2078", "\u2079",
};

static char *
format_power_of_ten (double value, gboolean always)
{
  int e = (int) lround (log10 (value));
  GString *s;
  char digits[16];

  if (fabs (value - pow (10.0, e)) > 1e-9 * value || (!always && e >= -2 && e <= 4))
    return NULL;
  s = g_string_new ("10");
  if (e < 0)
    g_string_append (s, "\u207b");
  g_snprintf (digits, sizeof digits, "%d", ABS (e));
  for (const char *p = digits; *p; p++)
    g_string_append (s, superscript[*p - '0']);
  return g_string_free (s, FALSE);
}

char *
vx_chart_format_tick (double value, double step)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char fmt[16];
  int decimals;

  if (!isfinite (value))
    return g_strdup ("\u2013");
  if (step == 0.0 && value > 0.0)
    {
      char *p = format_power_of_ten (value, FALSE);
      if (p)
        return p;
      step = pow (10.0, floor (log10 (value)));
    }
  decimals = step > 0.0 ? (int) ceil (-log10 (step) - 1e-9) : 0;
  decimals = CLAMP (decimals, 0, 8);
  g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, fmt, fabs (value));
  /* No "-0". U+2212 is the typographic minus. */
  if (value < 0.0 && g_ascii_strtod (buf, NULL) != 0.0)
    return g_strconcat ("\u2212", buf, NULL);
  return g_strdup (buf);
}

char *
vx_chart_ticks_label (const VxChartTicks *ticks, guint i)
{
  g_return_val_if_fail (ticks != NULL && i < ticks->n, NULL);
  if (ticks->pow10 && ticks->values[i] > 0.0)
    {
      char *p = format_power_of_ten (ticks->values[i], TRUE);
      if (p)
        return p;
    }
  return vx_chart_format_tick (ticks->values[i], ticks->step);
}
