/* vx-sweep-axis.c: the Sweeps view's x-axis parameters and their values */
#define G_LOG_DOMAIN "vx-sweeps-view"
#include "config.h"

#include <math.h>

#include "vx-sweep-axis.h"

static gboolean
is_run_param (const VxXbarParam *p)
{
  guint n;
  const VxXbarParam *run = vs_run_params (&n);
  return p >= run && p < run + n;
}

static gboolean
qualifies (const VxXbarParam *p)
{
  static const char *const excluded[] = { "alpha", "beta", "images", "repeats", NULL };
  return p->settings_key && (p->type == VX_XBAR_PARAM_DOUBLE || p->type == VX_XBAR_PARAM_INT)
         && !g_strv_contains (excluded, p->json_key) && isfinite (p->ui_max)
         && p->ui_max > p->ui_min;
}

const VxXbarParam *const *
vx_sweep_axis_params (void)
{
  static const VxXbarParam **list;
  static gsize done;
  if (g_once_init_enter (&done))
    {
      GPtrArray *a = g_ptr_array_new ();
      guint n;
      const VxXbarParam *ps = vx_xbar_params (&n);
      for (guint i = 0; i < n; i++)
        if (qualifies (&ps[i]))
          g_ptr_array_add (a, (gpointer) &ps[i]);
      ps = vs_run_params (&n);
      for (guint i = 0; i < n; i++)
        if (qualifies (&ps[i]))
          g_ptr_array_add (a, (gpointer) &ps[i]);
      g_ptr_array_add (a, NULL);
      list = (const VxXbarParam **) g_ptr_array_free (a, FALSE);
      g_once_init_leave (&done, 1);
    }
  return list;
}

const VxXbarParam *
vx_sweep_axis_by_json_key (const char *json_key)
{
  for (const VxXbarParam *const *p = vx_sweep_axis_params (); *p; p++)
    if (g_strcmp0 ((*p)->json_key, json_key) == 0)
      return *p;
  return NULL;
}

static double
round_to (double v, int digits)
{
  double f = pow (10.0, digits);
  return round (v * f) / f;
}

guint
vx_sweep_axis_values (const VxXbarParam *p, double *out)
{
  const guint max = VX_SWEEP_AXIS_MAX_VALUES;
  double lo = p->ui_min, hi = p->ui_max;
  guint n = 0;
  if (p->flags & VX_XBAR_PARAM_POW2)
    {
      for (double v = 1; v <= hi && n < max; v *= 2)
        if (v >= lo)
          out[n++] = v;
      return n;
    }
  gboolean geometric = (p->flags & VX_XBAR_PARAM_LOG_SCALE) && lo > 0;
  int digits = p->type == VX_XBAR_PARAM_INT ? 0 : p->digits;
  for (guint i = 0; i < max; i++)
    {
      double t = (double) i / (max - 1);
      double v = geometric ? lo * pow (hi / lo, t) : lo + t * (hi - lo);
      v = round_to (v, digits);
      if (geometric && digits == 0 && v >= 10)
        v = round_to (v, -(int) floor (log10 (v)) + 1);   /* two significant digits */
      v = CLAMP (v, lo, hi);
      if (n == 0 || v > out[n - 1])
        out[n++] = v;
    }
  return n;
}

double
vx_sweep_axis_get (const VxXbarParam *p, const VsRunSettings *s)
{
  return is_run_param (p) ? vs_run_param_get (p, s) : vx_xbar_param_get_number (p, &s->xbar);
}

void
vx_sweep_axis_set (const VxXbarParam *p, VsRunSettings *s, double v)
{
  if (is_run_param (p))
    vs_run_param_set (p, s, v);
  else if (p->type == VX_XBAR_PARAM_INT)
    vx_xbar_param_set_int (p, &s->xbar, (int) v);
  else
    vx_xbar_param_set_double (p, &s->xbar, v);
}

char *
vx_sweep_axis_title (const VxXbarParam *p)
{
  g_autofree char *label = vx_xbar_param_plain_label (p);
  return *p->unit ? g_strdup_printf ("%s (%s)", label, p->unit) : g_strdup (label);
}
