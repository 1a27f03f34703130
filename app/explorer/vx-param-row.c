/* vx-param-row.c: a scale and a spin button kept in step, on a linear or log axis */
#define G_LOG_DOMAIN "vx-param-row"
#include "config.h"

#include <math.h>

#include "vx-param-row.h"

struct _VxParamRow {
  GtkWidget parent_instance;

  GtkLabel *title_label;
  GtkSpinButton *spin;
  GtkAdjustment *spin_adjustment;
  GtkLabel *unit_label;
  GtkMenuButton *info_button;
  GtkLabel *info_label;
  GtkScale *scale;
  GtkAdjustment *scale_adjustment;

  double lower, upper, step;
  int digits;
  gboolean log_scale;
  gboolean pow2;
  double default_value;
  double value;
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (VxParamRow, vx_param_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_UNIT,
  PROP_EQUATION,
  PROP_LOWER,
  PROP_UPPER,
  PROP_STEP,
  PROP_DIGITS,
  PROP_LOG_SCALE,
  PROP_POW2,
  PROP_DEFAULT_VALUE,
  PROP_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- value <-> scale position ------------------------------------------------------- */

static double
to_position (VxParamRow *self, double v)
{
  if (self->pow2)
    return log2 (MAX (v, 1.0));
  if (self->log_scale)
    return log10 (MAX (v, 1e-12));
  return v;
}

static double
round_digits (double v, int digits)
{
  double f = pow (10.0, digits);
  return round (v * f) / f;
}

static double
nearest_pow2 (double v)
{
  return exp2 (round (log2 (MAX (v, 1.0))));
}

static double
from_position (VxParamRow *self, double p)
{
  if (self->pow2)
    return exp2 (round (p));
  if (self->log_scale)
    {
      /* keep about three significant digits on a log axis */
      double v = pow (10.0, p);
      int d = MAX (self->digits, 0);
      double mag = floor (log10 (MAX (v, 1e-12)));
      int sig = (int) MAX (0, 2 - mag);
      return round_digits (v, MIN (d, sig));
    }
  return round_digits (p, self->digits);
}

static void
configure_adjustments (VxParamRow *self)
{
  self->syncing = TRUE;
  gtk_adjustment_configure (self->spin_adjustment, CLAMP (self->value, self->lower, self->upper),
                            self->lower, self->upper, self->step,
                            self->pow2 ? self->step : self->step * 10, 0);
  gtk_spin_button_set_digits (self->spin, self->pow2 ? 0 : self->digits);
  double lo = to_position (self, self->lower), hi = to_position (self, self->upper);
  double span = hi - lo;
  double sstep = self->pow2 ? 1.0 : self->log_scale ? span / 200.0 : self->step;
  gtk_adjustment_configure (self->scale_adjustment, to_position (self, self->value), lo, hi,
                            sstep, self->pow2 ? 1.0 : span / 10.0, 0);
  gtk_range_set_round_digits (GTK_RANGE (self->scale), self->pow2 ? 0 : -1);
  gtk_scale_clear_marks (self->scale);
  if (isfinite (self->default_value) && self->default_value >= self->lower
      && self->default_value <= self->upper)
    gtk_scale_add_mark (self->scale, to_position (self, self->default_value), GTK_POS_BOTTOM, NULL);
  self->syncing = FALSE;
}

static void
store_value (VxParamRow *self, double v)
{
  v = CLAMP (v, self->lower, self->upper);
  if (v == self->value)
    return;
  self->value = v;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}

static void
on_spin_changed (GtkAdjustment *adj, VxParamRow *self)
{
  if (self->syncing)
    return;
  double v = gtk_adjustment_get_value (adj);
  if (self->pow2 && v != nearest_pow2 (v))
    {
      /* a step up or down from a power of two goes to the next one */
      v = v > self->value ? exp2 (ceil (log2 (v))) : exp2 (floor (log2 (MAX (v, 1.0))));
      v = CLAMP (v, self->lower, self->upper);
      self->syncing = TRUE;
      gtk_adjustment_set_value (adj, v);
      self->syncing = FALSE;
    }
  self->syncing = TRUE;
  gtk_adjustment_set_value (self->scale_adjustment, to_position (self, v));
  self->syncing = FALSE;
  store_value (self, v);
}

static void
on_scale_changed (GtkAdjustment *adj, VxParamRow *self)
{
  if (self->syncing)
    return;
  double v = CLAMP (from_position (self, gtk_adjustment_get_value (adj)), self->lower, self->upper);
  self->syncing = TRUE;
  gtk_adjustment_set_value (self->spin_adjustment, v);
  self->syncing = FALSE;
  store_value (self, v);
}

/* ---- public --------------------------------------------------------------------------- */

double
vx_param_row_get_value (VxParamRow *self)
{
  g_return_val_if_fail (VX_IS_PARAM_ROW (self), 0.0);
  return self->value;
}

void
vx_param_row_set_value (VxParamRow *self, double value)
{
  g_return_if_fail (VX_IS_PARAM_ROW (self));
  if (self->pow2)
    value = nearest_pow2 (value);
  value = CLAMP (value, self->lower, self->upper);
  self->syncing = TRUE;
  gtk_adjustment_set_value (self->spin_adjustment, value);
  gtk_adjustment_set_value (self->scale_adjustment, to_position (self, value));
  self->syncing = FALSE;
  store_value (self, value);
}

void
vx_param_row_set_range (VxParamRow *self, double lower, double upper)
{
  g_return_if_fail (VX_IS_PARAM_ROW (self));
  g_return_if_fail (lower <= upper);
  if (lower == self->lower && upper == self->upper)
    return;
  self->lower = lower;
  self->upper = upper;
  configure_adjustments (self);
  store_value (self, self->value);
}

GtkScale *
vx_param_row_get_scale (VxParamRow *self)
{
  return self->scale;
}

GtkSpinButton *
vx_param_row_get_spin (VxParamRow *self)
{
  return self->spin;
}

GtkMenuButton *
vx_param_row_get_info_button (VxParamRow *self)
{
  return self->info_button;
}

const char *
vx_param_row_get_info_text (VxParamRow *self)
{
  return gtk_label_get_text (self->info_label);
}

char *
vx_param_tooltip_markup (const VxXbarParam *p)
{
  g_autofree char *description = g_markup_escape_text (p->description, -1);
  g_autofree char *equation = p->equation ? g_markup_escape_text (p->equation, -1) : NULL;
  return g_strdup_printf ("%s%s%s%s\n<small>docs/MODEL.md section %s</small>", description,
                          equation ? "\n<tt>" : "", equation ? equation : "",
                          equation ? "</tt>" : "", p->section);
}

void
vx_param_row_configure (VxParamRow *self, const VxXbarParam *p)
{
  g_return_if_fail (VX_IS_PARAM_ROW (self));
  g_return_if_fail (p->type == VX_XBAR_PARAM_DOUBLE || p->type == VX_XBAR_PARAM_INT);
  /* the meaning and the equation in a popover on demand, not in a tooltip: a tall
   * tooltip covers the next control, and GTK 4.8 can crash when a drag starts
   * on a slider under one */
  g_autofree char *info = vx_param_tooltip_markup (p);
  g_autofree char *about = g_strdup_printf ("About %s", p->label);
  g_object_freeze_notify (G_OBJECT (self));
  gtk_label_set_label (self->title_label, p->label);
  gtk_label_set_label (self->unit_label, p->unit);
  gtk_label_set_markup (self->info_label, info);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->info_button), about);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->info_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, about, -1);
  self->lower = p->ui_min;
  self->upper = p->ui_max;
  self->step = p->step;
  self->digits = p->digits;
  self->log_scale = (p->flags & VX_XBAR_PARAM_LOG_SCALE) != 0;
  self->pow2 = (p->flags & VX_XBAR_PARAM_POW2) != 0;
  self->default_value = p->def;
  configure_adjustments (self);
  vx_param_row_set_value (self, p->def);
  for (int i = PROP_TITLE; i < PROP_VALUE; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- GObject --------------------------------------------------------------------------- */

static void
vx_param_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VxParamRow *self = VX_PARAM_ROW (object);
  switch (prop_id)
    {
    case PROP_TITLE: g_value_set_string (value, gtk_label_get_label (self->title_label)); break;
    case PROP_UNIT: g_value_set_string (value, gtk_label_get_label (self->unit_label)); break;
    case PROP_EQUATION: g_value_set_string (value, gtk_widget_get_tooltip_markup (GTK_WIDGET (self))); break;
    case PROP_LOWER: g_value_set_double (value, self->lower); break;
    case PROP_UPPER: g_value_set_double (value, self->upper); break;
    case PROP_STEP: g_value_set_double (value, self->step); break;
    case PROP_DIGITS: g_value_set_int (value, self->digits); break;
    case PROP_LOG_SCALE: g_value_set_boolean (value, self->log_scale); break;
    case PROP_POW2: g_value_set_boolean (value, self->pow2); break;
    case PROP_DEFAULT_VALUE: g_value_set_double (value, self->default_value); break;
    case PROP_VALUE: g_value_set_double (value, self->value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vx_param_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VxParamRow *self = VX_PARAM_ROW (object);
  switch (prop_id)
    {
    case PROP_TITLE: gtk_label_set_label (self->title_label, g_value_get_string (value)); break;
    case PROP_UNIT: gtk_label_set_label (self->unit_label, g_value_get_string (value)); break;
    case PROP_EQUATION:
      gtk_widget_set_tooltip_markup (GTK_WIDGET (self), g_value_get_string (value));
      break;
    case PROP_LOWER: self->lower = g_value_get_double (value); configure_adjustments (self); break;
    case PROP_UPPER: self->upper = g_value_get_double (value); configure_adjustments (self); break;
    case PROP_STEP: self->step = g_value_get_double (value); configure_adjustments (self); break;
    case PROP_DIGITS: self->digits = g_value_get_int (value); configure_adjustments (self); break;
    case PROP_LOG_SCALE: self->log_scale = g_value_get_boolean (value); configure_adjustments (self); break;
    case PROP_POW2: self->pow2 = g_value_get_boolean (value); configure_adjustments (self); break;
    case PROP_DEFAULT_VALUE:
      self->default_value = g_value_get_double (value);
      configure_adjustments (self);
      break;
    case PROP_VALUE: vx_param_row_set_value (self, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vx_param_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_PARAM_ROW);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  G_OBJECT_CLASS (vx_param_row_parent_class)->dispose (object);
}

static void
vx_param_row_class_init (VxParamRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = vx_param_row_get_property;
  object_class->set_property = vx_param_row_set_property;
  object_class->dispose = vx_param_row_dispose;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_UNIT] = g_param_spec_string ("unit", NULL, NULL, NULL, rw);
  properties[PROP_EQUATION] = g_param_spec_string ("equation", NULL, NULL, NULL, rw);
  properties[PROP_LOWER] = g_param_spec_double ("lower", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  properties[PROP_UPPER] = g_param_spec_double ("upper", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1, rw);
  properties[PROP_STEP] = g_param_spec_double ("step", NULL, NULL, 0, G_MAXDOUBLE, 0.1, rw);
  properties[PROP_DIGITS] = g_param_spec_int ("digits", NULL, NULL, 0, 10, 1, rw);
  properties[PROP_LOG_SCALE] = g_param_spec_boolean ("log-scale", NULL, NULL, FALSE, rw);
  properties[PROP_POW2] = g_param_spec_boolean ("pow2", NULL, NULL, FALSE, rw);
  properties[PROP_DEFAULT_VALUE] = g_param_spec_double ("default-value", NULL, NULL, -G_MAXDOUBLE,
                                                        G_MAXDOUBLE, 0.0, rw);
  properties[PROP_VALUE] = g_param_spec_double ("value", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-param-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, spin);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, spin_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, unit_label);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, info_button);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, info_label);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, scale);
  gtk_widget_class_bind_template_child (widget_class, VxParamRow, scale_adjustment);
  gtk_widget_class_set_css_name (widget_class, "vxparamrow");
}

static void
vx_param_row_init (VxParamRow *self)
{
  self->lower = 0.0;
  self->upper = 1.0;
  self->step = 0.1;
  self->digits = 1;
  self->default_value = NAN;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->title_label, NULL, -1);
  g_signal_connect (self->spin_adjustment, "value-changed", G_CALLBACK (on_spin_changed), self);
  g_signal_connect (self->scale_adjustment, "value-changed", G_CALLBACK (on_scale_changed), self);
  configure_adjustments (self);
}
