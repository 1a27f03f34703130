/* vx-controls.c: the controls pane: every control bound to a GSettings key */
#define G_LOG_DOMAIN "vx-controls"
#include "config.h"

#include <math.h>

#include "vx-controls.h"
#include "vx-param-row.h"
#include "vx-settings.h"
#include "vx-xbar.h"
#include "vx-xbar-params.h"

#define PRESET_CUSTOM VX_XBAR_PRESET_N

struct _VxControls {
  GtkWidget parent_instance;

  GtkDropDown *preset_dropdown;
  VxParamRow *gamma_row, *onoff_row, *sigma_r_row, *sigma_w_row;
  GtkSwitch *clipformer_switch;
  VxParamRow *alpha_row, *beta_row;
  GtkDropDown *decode_dropdown;
  GtkLabel *decode_description;
  GtkDropDown *kv_scale_dropdown;
  VxParamRow *outlier_scale_row, *outlier_channels_row;
  VxParamRow *adc_row, *bpc_row, *xbar_row;
  GtkDropDown *mode_dropdown;
  VxParamRow *images_row, *repeats_row;
  GtkAdjustment *seed_adjustment;
  GtkButton *seed_random_button;
  GtkDropDown *snr_dropdown, *static_noise_dropdown;
  GtkDropDown *write_clamp_dropdown;
  GtkCheckButton *analog[VX_MM_N_KINDS];

  GSettings *settings;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (VxControls, vx_controls, GTK_TYPE_WIDGET)

/* the parameter row of a settings key: the crossbar's table or the run's */
static const VxXbarParam *
param (const char *settings_key)
{
  const VxXbarParam *p = vx_xbar_param_by_settings_key (settings_key);
  if (!p)
    p = vs_run_param_by_settings_key (settings_key);
  g_assert (p);
  return p;
}

/* ---- GSettings mappings ------------------------------------------------------------- */

/* a dropdown's items are the parameter's choices, in the table's order */
static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const VxXbarParam *p = user_data;
  const char *nick = g_variant_get_string (variant, NULL);
  for (int i = 0; i < p->n_choices; i++)
    if (g_strcmp0 (p->choices[i].nick, nick) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const VxXbarParam *p = user_data;
  guint i = g_value_get_uint (value);
  if (i >= (guint) p->n_choices)
    return NULL;
  return g_variant_new_string (p->choices[i].nick);
}

static gboolean
int_to_double (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, g_variant_get_int32 (variant));
  return TRUE;
}

static GVariant *
double_to_int (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_int32 ((gint32) lround (g_value_get_double (value)));
}

static void
bind_dropdown (VxControls *self, const char *key, GtkDropDown *dropdown)
{
  g_settings_bind_with_mapping (self->settings, key, dropdown, "selected", G_SETTINGS_BIND_DEFAULT,
                                nick_to_index, index_to_nick, (gpointer) param (key), NULL);
}

static void
bind_double (VxControls *self, const char *key, VxParamRow *row)
{
  g_settings_bind (self->settings, key, row, "value", G_SETTINGS_BIND_DEFAULT);
}

static void
bind_int (VxControls *self, const char *key, gpointer object, const char *property)
{
  g_settings_bind_with_mapping (self->settings, key, object, property, G_SETTINGS_BIND_DEFAULT,
                                int_to_double, double_to_int, NULL, NULL);
}

/* ---- presets, dependent sensitivity, analog layers -------------------------------------- */

static void
sync_preset (VxControls *self)
{
  int p = vx_settings_matching_preset (self->settings);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, p < 0 ? PRESET_CUSTOM : (guint) p);
  self->updating = FALSE;
}

static void
on_preset_selected (GtkDropDown *dropdown, GParamSpec *pspec, VxControls *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  if (self->updating || i >= VX_XBAR_PRESET_N)
    return;
  vx_settings_apply_preset (self->settings, (VxXbarPreset) i);
}

static void
sync_dependent (VxControls *self)
{
  VxClipDecode d = g_settings_get_enum (self->settings, "clip-decode");
  gtk_label_set_label (self->decode_description, vx_clip_decode_describe (d));
  gboolean circuit = g_settings_get_enum (self->settings, "mode") == VX_XBAR_CIRCUIT;
  gtk_widget_set_sensitive (GTK_WIDGET (self->adc_row), circuit);
  gboolean outliers = g_settings_get_double (self->settings, "outlier-scale") > 1.0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->outlier_channels_row), outliers);
}

static void
sync_analog (VxControls *self)
{
  g_auto (GStrv) kinds = g_settings_get_strv (self->settings, "analog-layers");
  self->updating = TRUE;
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    gtk_check_button_set_active (self->analog[k],
                                 g_strv_contains ((const char *const *) kinds,
                                                  vx_matmul_kind_to_string (k)));
  self->updating = FALSE;
}

static void
on_analog_toggled (GtkCheckButton *button, VxControls *self)
{
  if (self->updating)
    return;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    if (gtk_check_button_get_active (self->analog[k]))
      g_strv_builder_add (b, vx_matmul_kind_to_string (k));
  g_auto (GStrv) kinds = g_strv_builder_end (b);
  g_settings_set_strv (self->settings, "analog-layers", (const char *const *) kinds);
}

static void
on_settings_changed (GSettings *settings, const char *key, VxControls *self)
{
  if (g_strcmp0 (key, "analog-layers") == 0)
    sync_analog (self);
  sync_preset (self);
  sync_dependent (self);
}

static void
on_seed_random (GtkButton *button, VxControls *self)
{
  const VxXbarParam *seed = param ("seed");
  g_settings_set_int (self->settings, "seed",
                      g_random_int_range ((gint32) seed->ui_min, (gint32) seed->ui_max));
}

/* ---- public ------------------------------------------------------------------------------ */

void
vx_controls_bind (VxControls *self, GSettings *settings)
{
  g_return_if_fail (VX_IS_CONTROLS (self));
  g_return_if_fail (self->settings == NULL);
  self->settings = g_object_ref (settings);

  bind_double (self, "gamma", self->gamma_row);
  bind_double (self, "on-off-ratio", self->onoff_row);
  bind_double (self, "sigma-r", self->sigma_r_row);
  bind_double (self, "sigma-w", self->sigma_w_row);
  g_settings_bind (settings, "clipformer", self->clipformer_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_double (self, "alpha", self->alpha_row);
  bind_double (self, "beta", self->beta_row);
  bind_dropdown (self, "clip-decode", self->decode_dropdown);
  bind_dropdown (self, "kv-scale", self->kv_scale_dropdown);
  bind_double (self, "outlier-scale", self->outlier_scale_row);
  bind_int (self, "outlier-channels", self->outlier_channels_row, "value");
  bind_int (self, "adc-bits", self->adc_row, "value");
  bind_int (self, "bits-per-cell", self->bpc_row, "value");
  bind_int (self, "crossbar-size", self->xbar_row, "value");
  bind_dropdown (self, "mode", self->mode_dropdown);
  bind_int (self, "test-images", self->images_row, "value");
  bind_int (self, "repeats", self->repeats_row, "value");
  bind_int (self, "seed", self->seed_adjustment, "value");
  bind_dropdown (self, "snr-mode", self->snr_dropdown);
  bind_dropdown (self, "static-noise", self->static_noise_dropdown);
  bind_dropdown (self, "write-clamp", self->write_clamp_dropdown);

  g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
  g_signal_connect (self->preset_dropdown, "notify::selected", G_CALLBACK (on_preset_selected), self);
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    g_signal_connect (self->analog[k], "toggled", G_CALLBACK (on_analog_toggled), self);
  g_signal_connect (self->seed_random_button, "clicked", G_CALLBACK (on_seed_random), self);
  sync_analog (self);
  sync_preset (self);
  sync_dependent (self);
}

void
vx_controls_set_limits (VxControls *self, int head_dim, int n_images)
{
  g_return_if_fail (VX_IS_CONTROLS (self));
  const VxXbarParam *c = param ("outlier-channels"), *im = param ("test-images");
  int c_max = (int) c->ui_max, im_min = (int) im->ui_min, im_max = (int) im->ui_max;
  vx_param_row_set_range (self->outlier_channels_row, c->ui_min, MAX (1, MIN (head_dim, c_max)));
  vx_param_row_set_range (self->images_row, MIN (im_min, MAX (1, n_images)),
                          MAX (1, MIN (n_images, im_max)));
}

/* ---- GObject ----------------------------------------------------------------------------- */

static void
vx_controls_dispose (GObject *object)
{
  VxControls *self = VX_CONTROLS (object);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_CONTROLS);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (vx_controls_parent_class)->dispose (object);
}

static void
vx_controls_class_init (VxControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vx_controls_dispose;
  g_type_ensure (VX_TYPE_PARAM_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-controls.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VxControls, name)
  CHILD (preset_dropdown);
  CHILD (gamma_row);
  CHILD (onoff_row);
  CHILD (sigma_r_row);
  CHILD (sigma_w_row);
  CHILD (clipformer_switch);
  CHILD (alpha_row);
  CHILD (beta_row);
  CHILD (decode_dropdown);
  CHILD (decode_description);
  CHILD (kv_scale_dropdown);
  CHILD (outlier_scale_row);
  CHILD (outlier_channels_row);
  CHILD (adc_row);
  CHILD (bpc_row);
  CHILD (xbar_row);
  CHILD (mode_dropdown);
  CHILD (images_row);
  CHILD (repeats_row);
  CHILD (seed_adjustment);
  CHILD (seed_random_button);
  CHILD (snr_dropdown);
  CHILD (static_noise_dropdown);
  CHILD (write_clamp_dropdown);
#undef CHILD
  static const char *const analog_ids[VX_MM_N_KINDS] = {
    "analog_patch", "analog_qkv", "analog_proj", "analog_fc1", "analog_fc2", "analog_head",
    "analog_qk", "analog_sv",
  };
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    gtk_widget_class_bind_template_child_full (widget_class, analog_ids[k], FALSE,
                                               G_STRUCT_OFFSET (VxControls, analog) + k * sizeof (gpointer));
  gtk_widget_class_set_css_name (widget_class, "vxcontrols");
}

/* items of a dropdown: the labels of the parameter's choices, then `extra` */
static void
fill_dropdown (GtkDropDown *dropdown, const VxXbarParam *p, const char *extra)
{
  g_autoptr (GtkStringList) items = gtk_string_list_new (NULL);
  for (int i = 0; i < p->n_choices; i++)
    gtk_string_list_append (items, p->choices[i].label);
  if (extra)
    gtk_string_list_append (items, extra);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (items));
  g_autofree char *tooltip = vx_param_tooltip_markup (p);
  gtk_widget_set_tooltip_markup (GTK_WIDGET (dropdown), tooltip);
}

/* Ranges, steps, defaults, labels and tooltips come from the parameter tables;
 * the template only places the widgets. */
static void
configure_from_tables (VxControls *self)
{
  struct { VxParamRow *row; const char *key; } rows[] = {
    { self->gamma_row, "gamma" }, { self->onoff_row, "on-off-ratio" },
    { self->sigma_r_row, "sigma-r" }, { self->sigma_w_row, "sigma-w" },
    { self->alpha_row, "alpha" }, { self->beta_row, "beta" },
    { self->outlier_scale_row, "outlier-scale" }, { self->outlier_channels_row, "outlier-channels" },
    { self->adc_row, "adc-bits" }, { self->bpc_row, "bits-per-cell" },
    { self->xbar_row, "crossbar-size" }, { self->images_row, "test-images" },
    { self->repeats_row, "repeats" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    vx_param_row_configure (rows[i].row, param (rows[i].key));
  fill_dropdown (self->preset_dropdown, param ("preset"), "Custom");
  fill_dropdown (self->decode_dropdown, param ("clip-decode"), NULL);
  fill_dropdown (self->kv_scale_dropdown, param ("kv-scale"), NULL);
  fill_dropdown (self->mode_dropdown, param ("mode"), NULL);
  fill_dropdown (self->snr_dropdown, param ("snr-mode"), NULL);
  fill_dropdown (self->static_noise_dropdown, param ("static-noise"), NULL);
  fill_dropdown (self->write_clamp_dropdown, param ("write-clamp"), NULL);
  const VxXbarParam *analog = param ("analog-layers");
  for (int i = 0; i < analog->n_choices; i++)
    gtk_check_button_set_label (self->analog[analog->choices[i].value], analog->choices[i].label);
  const VxXbarParam *seed = param ("seed");
  gtk_adjustment_set_lower (self->seed_adjustment, seed->ui_min);
  gtk_adjustment_set_upper (self->seed_adjustment, seed->ui_max);
}

static void
vx_controls_init (VxControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  configure_from_tables (self);
}
