/* vx-settings.c: GSettings <-> VsRunSettings, presets, defaults, recent studies */
#define G_LOG_DOMAIN "vx-settings"
#include "config.h"

#include <math.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "vx-settings.h"

static const char *const compute_keys[] = {
  "preset", "gamma", "on-off-ratio", "sigma-r", "sigma-w", "clipformer", "alpha", "beta",
  "clip-decode", "kv-scale", "outlier-scale", "outlier-channels", "adc-bits", "bits-per-cell",
  "crossbar-size", "mode", "snr-mode", "static-noise", "analog-layers", "test-images", "seed",
  "repeats", NULL
};

const char *const *
vx_settings_compute_keys (void)
{
  return compute_keys;
}

gboolean
vx_settings_is_compute_key (const char *key)
{
  return g_strv_contains (compute_keys, key);
}

/* The compiled schema of the build tree: <dir of the binary>/../resources. */
static GSettingsSchemaSource *
build_tree_source (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (!exe)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (exe);
  const char *candidates[] = { "../resources", "resources", "../../resources" };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], NULL);
      g_autofree char *compiled = g_build_filename (path, "gschemas.compiled", NULL);
      if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
        continue;
      GSettingsSchemaSource *src = g_settings_schema_source_new_from_directory (
        path, g_settings_schema_source_get_default (), FALSE, NULL);
      if (src)
        return src;
    }
  return NULL;
}

GSettings *
vx_settings_new (void)
{
  GSettingsSchemaSource *def = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) installed = def ? g_settings_schema_source_lookup (def, APP_ID, TRUE) : NULL;
  if (installed)
    return g_settings_new (APP_ID);

  g_autoptr (GSettingsSchemaSource) src = build_tree_source ();
  g_autoptr (GSettingsSchema) schema = src ? g_settings_schema_source_lookup (src, APP_ID, FALSE) : NULL;
  if (!schema)
    g_error ("The settings schema %s is neither installed nor in the build tree; "
             "run \"meson install\" or start vitx-explorer from its build directory", APP_ID);
  /* uninstalled: keep the settings in a key file, unless a backend is forced */
  g_autoptr (GSettingsBackend) backend = NULL;
  if (!g_getenv ("GSETTINGS_BACKEND"))
    {
      g_autofree char *file = g_build_filename (g_get_user_config_dir (), "vitx-explorer",
                                                "settings.ini", NULL);
      backend = g_keyfile_settings_backend_new (file, "/org/vitx/Explorer/", NULL);
    }
  return g_settings_new_full (schema, backend, NULL);
}

static void
load_analog (VsRunSettings *s, GSettings *settings)
{
  g_auto (GStrv) kinds = g_settings_get_strv (settings, "analog-layers");
  guint mask = 0;
  for (int i = 0; kinds[i]; i++)
    for (int k = 0; k < VX_MM_N_KINDS; k++)
      if (strcmp (kinds[i], vx_matmul_kind_to_string (k)) == 0)
        mask |= VX_XBAR_ANALOG (k);
  s->xbar.analog = mask;
}

void
vx_run_settings_load (VsRunSettings *s, GSettings *settings)
{
  vs_run_settings_init (s);
  VxXbarConfig *c = &s->xbar;
  vx_xbar_config_init_preset (c, g_settings_get_enum (settings, "preset"));
  c->gamma = g_settings_get_double (settings, "gamma");
  vx_xbar_config_set_onoff (c, g_settings_get_double (settings, "on-off-ratio"));
  c->sigma_r = g_settings_get_double (settings, "sigma-r");
  c->sigma_w = g_settings_get_double (settings, "sigma-w");
  c->clipformer = g_settings_get_boolean (settings, "clipformer");
  c->alpha = g_settings_get_double (settings, "alpha");
  c->beta = g_settings_get_double (settings, "beta");
  c->decode = g_settings_get_enum (settings, "clip-decode");
  c->kv_scale = g_settings_get_enum (settings, "kv-scale");
  c->adc_bits = g_settings_get_int (settings, "adc-bits");
  c->bits_per_cell = g_settings_get_int (settings, "bits-per-cell");
  c->xbar_size = g_settings_get_int (settings, "crossbar-size");
  c->mode = g_settings_get_enum (settings, "mode");
  c->static_noise = g_settings_get_enum (settings, "static-noise");
  c->seed = (guint64) g_settings_get_int (settings, "seed");
  load_analog (s, settings);
  s->outlier_scale = g_settings_get_double (settings, "outlier-scale");
  s->outlier_channels = g_settings_get_int (settings, "outlier-channels");
  s->n_images = g_settings_get_int (settings, "test-images");
  s->repeats = g_settings_get_int (settings, "repeats");
  s->snr_mode = g_settings_get_enum (settings, "snr-mode");
}

static void
set_range_int (GSettings *settings, const char *key, gint64 v)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  g_autoptr (GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);
  g_autoptr (GVariant) value = g_variant_ref_sink (g_variant_new_int32 ((gint32) CLAMP (v, G_MININT32, G_MAXINT32)));
  if (g_settings_schema_key_range_check (k, value))
    g_settings_set_value (settings, key, value);
}

static void
set_range_double (GSettings *settings, const char *key, double v)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  g_autoptr (GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);
  g_autoptr (GVariant) value = g_variant_ref_sink (g_variant_new_double (v));
  if (isfinite (v) && g_settings_schema_key_range_check (k, value))
    g_settings_set_value (settings, key, value);
}

void
vx_run_settings_store (const VsRunSettings *s, GSettings *settings)
{
  const VxXbarConfig *c = &s->xbar;
  g_settings_set_enum (settings, "preset", strcmp (c->preset, "sram-imc") == 0
                       ? VX_XBAR_PRESET_SRAM_IMC : VX_XBAR_PRESET_RRAM_PAPER);
  set_range_double (settings, "gamma", c->gamma);
  set_range_double (settings, "on-off-ratio", vx_xbar_config_onoff (c));
  set_range_double (settings, "sigma-r", c->sigma_r);
  set_range_double (settings, "sigma-w", c->sigma_w);
  g_settings_set_boolean (settings, "clipformer", c->clipformer);
  set_range_double (settings, "alpha", c->alpha);
  set_range_double (settings, "beta", c->beta);
  g_settings_set_enum (settings, "clip-decode", c->decode);
  g_settings_set_enum (settings, "kv-scale", c->kv_scale);
  set_range_int (settings, "adc-bits", c->adc_bits);
  set_range_int (settings, "bits-per-cell", c->bits_per_cell);
  set_range_int (settings, "crossbar-size", c->xbar_size);
  g_settings_set_enum (settings, "mode", c->mode);
  g_settings_set_enum (settings, "static-noise", c->static_noise);
  set_range_int (settings, "seed", (gint64) MIN (c->seed, (guint64) G_MAXINT32));
  GPtrArray *kinds = g_ptr_array_new ();
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    if (c->analog & VX_XBAR_ANALOG (k))
      g_ptr_array_add (kinds, (gpointer) vx_matmul_kind_to_string (k));
  g_ptr_array_add (kinds, NULL);
  g_settings_set_strv (settings, "analog-layers", (const char *const *) kinds->pdata);
  g_ptr_array_free (kinds, TRUE);
  set_range_double (settings, "outlier-scale", s->outlier_scale);
  set_range_int (settings, "outlier-channels", s->outlier_channels);
  set_range_int (settings, "test-images", s->n_images);
  set_range_int (settings, "repeats", s->repeats);
  g_settings_set_enum (settings, "snr-mode", s->snr_mode);
}

void
vx_settings_reset_paper_defaults (GSettings *settings)
{
  for (int i = 0; compute_keys[i]; i++)
    g_settings_reset (settings, compute_keys[i]);
}

void
vx_settings_apply_preset (GSettings *settings, VxXbarPreset preset)
{
  VxXbarConfig c;
  vx_xbar_config_init_preset (&c, preset);
  g_settings_set_enum (settings, "preset", preset);
  set_range_double (settings, "gamma", c.gamma);
  set_range_double (settings, "on-off-ratio", vx_xbar_config_onoff (&c));
  set_range_double (settings, "sigma-r", c.sigma_r);
  set_range_double (settings, "sigma-w", c.sigma_w);
  set_range_int (settings, "bits-per-cell", c.bits_per_cell);
  set_range_int (settings, "adc-bits", c.adc_bits);
  set_range_int (settings, "crossbar-size", c.xbar_size);
}

int
vx_settings_matching_preset (GSettings *settings)
{
  VxXbarConfig c;
  int preset = g_settings_get_enum (settings, "preset");
  vx_xbar_config_init_preset (&c, preset);
  gboolean same =
    fabs (g_settings_get_double (settings, "gamma") - c.gamma) < 1e-9
    && fabs (g_settings_get_double (settings, "on-off-ratio") - vx_xbar_config_onoff (&c)) < 1e-9
    && fabs (g_settings_get_double (settings, "sigma-r") - c.sigma_r) < 1e-9
    && fabs (g_settings_get_double (settings, "sigma-w") - c.sigma_w) < 1e-9
    && g_settings_get_int (settings, "bits-per-cell") == c.bits_per_cell
    && g_settings_get_int (settings, "adc-bits") == c.adc_bits
    && g_settings_get_int (settings, "crossbar-size") == c.xbar_size;
  return same ? preset : -1;
}

void
vx_settings_add_recent (GSettings *settings, const char *uri)
{
  g_auto (GStrv) old = g_settings_get_strv (settings, "recent-studies");
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, uri);
  int n = 1;
  for (int i = 0; old[i] && n < 10; i++)
    if (strcmp (old[i], uri) != 0)
      {
        g_strv_builder_add (b, old[i]);
        n++;
      }
  g_auto (GStrv) list = g_strv_builder_end (b);
  g_settings_set_strv (settings, "recent-studies", (const char *const *) list);
}
