/* vx-settings.c: GSettings <-> VsRunSettings through the parameter tables, presets,
 * defaults, checks and reports, recent studies */
#define G_LOG_DOMAIN "vx-settings"
#include "config.h"

#include <math.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "vx-settings.h"

/* the key file's group for the keys directly under the schema's path (without
 * one the key-file backend refuses to write them) */
#define KEYFILE_GROUP "Explorer"

/* ---- the keys of the parameter tables ---------------------------------------------- */

/* a table row with a settings key: the crossbar's (run == FALSE) or the run's own */
typedef struct {
  const VxXbarParam *p;
  gboolean run;
} Key;

static GArray *
keys (void)
{
  static GArray *all;
  if (g_once_init_enter (&all))
    {
      GArray *a = g_array_new (FALSE, FALSE, sizeof (Key));
      guint n;
      const VxXbarParam *t = vx_xbar_params (&n);
      for (guint i = 0; i < n; i++)
        if (t[i].settings_key)
          g_array_append_val (a, ((Key) { &t[i], FALSE }));
      t = vs_run_params (&n);
      for (guint i = 0; i < n; i++)
        g_array_append_val (a, ((Key) { &t[i], TRUE }));
      g_once_init_leave (&all, a);
    }
  return all;
}

const char *const *
vx_settings_compute_keys (void)
{
  static const char **names;
  if (g_once_init_enter (&names))
    {
      GArray *k = keys ();
      const char **v = g_new0 (const char *, k->len + 1);
      for (guint i = 0; i < k->len; i++)
        v[i] = g_array_index (k, Key, i).p->settings_key;
      g_once_init_leave (&names, v);
    }
  return names;
}

gboolean
vx_settings_is_compute_key (const char *key)
{
  return g_strv_contains (vx_settings_compute_keys (), key);
}

/* ---- reports -------------------------------------------------------------------------- */

typedef struct {
  GPtrArray *messages;      /* NULL-terminated */
  VxSettingsReportFunc func;
  gpointer user_data;
} Reports;

static void
reports_free (gpointer data)
{
  Reports *r = data;
  g_ptr_array_unref (r->messages);
  g_free (r);
}

static Reports *
reports (GSettings *settings)
{
  Reports *r = g_object_get_data (G_OBJECT (settings), "vx-settings-reports");
  if (!r)
    {
      r = g_new0 (Reports, 1);
      r->messages = g_ptr_array_new_null_terminated (4, g_free, TRUE);
      g_object_set_data_full (G_OBJECT (settings), "vx-settings-reports", r, reports_free);
    }
  return r;
}

G_GNUC_PRINTF (2, 3) static void
report (GSettings *settings, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  char *message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_info ("%s", message);
  Reports *r = reports (settings);
  g_ptr_array_add (r->messages, message);
  if (r->func)
    r->func (settings, message, r->user_data);
}

void
vx_settings_set_report_func (GSettings *settings, VxSettingsReportFunc func, gpointer user_data)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  Reports *r = reports (settings);
  r->func = func;
  r->user_data = user_data;
  for (guint i = 0; func && i < r->messages->len; i++)
    func (settings, g_ptr_array_index (r->messages, i), user_data);
}

const char *const *
vx_settings_get_reports (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  return (const char *const *) reports (settings)->messages->pdata;
}

void
vx_settings_clear_reports (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_ptr_array_set_size (reports (settings)->messages, 0);
}

/* ---- one parameter from and to its key ---------------------------------------------- */

/* the bits of the nicks the key lists; an unknown nick is left out (and
 * reported once, by vx_settings_check) */
static guint
read_mask (GSettings *settings, const VxXbarParam *p)
{
  g_auto (GStrv) nicks = g_settings_get_strv (settings, p->settings_key);
  guint mask = 0;
  for (int i = 0; nicks[i]; i++)
    {
      const VxXbarParamChoice *c = vx_xbar_param_choice_by_nick (p, nicks[i]);
      if (c)
        mask |= 1u << c->value;
    }
  return mask;
}

/* the key's value as a number (enums by their value; the mask as its bits) */
static double
read_number (GSettings *settings, const VxXbarParam *p)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE: return g_settings_get_double (settings, p->settings_key);
    case VX_XBAR_PARAM_BOOL: return g_settings_get_boolean (settings, p->settings_key);
    case VX_XBAR_PARAM_ENUM:
    case VX_XBAR_PARAM_PRESET: return g_settings_get_enum (settings, p->settings_key);
    case VX_XBAR_PARAM_MASK: return read_mask (settings, p);
    default: return g_settings_get_int (settings, p->settings_key);
    }
}

static void
write_number (GSettings *settings, const VxXbarParam *p, double v)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE:
      g_settings_set_double (settings, p->settings_key, v);
      break;
    case VX_XBAR_PARAM_BOOL:
      g_settings_set_boolean (settings, p->settings_key, v != 0);
      break;
    case VX_XBAR_PARAM_ENUM:
    case VX_XBAR_PARAM_PRESET:
      g_settings_set_enum (settings, p->settings_key, (int) v);
      break;
    case VX_XBAR_PARAM_MASK:
      {
        g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
        for (int i = 0; i < p->n_choices; i++)
          if ((guint) v & (1u << p->choices[i].value))
            g_strv_builder_add (b, p->choices[i].nick);
        g_auto (GStrv) nicks = g_strv_builder_end (b);
        g_settings_set_strv (settings, p->settings_key, (const char *const *) nicks);
      }
      break;
    default:
      g_settings_set_int (settings, p->settings_key, (int) v);
      break;
    }
}

static char *
format_value (double v)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  /* integers (seeds, counts) in full */
  if (v == floor (v) && fabs (v) < 1e18)
    return g_strdup_printf ("%.0f", v);
  return g_strdup (g_ascii_formatd (text, sizeof text, "%.10g", v));
}

/* v into the key if the controls' range holds it; else the key keeps its value
 * and the user is told which value was not taken and why */
static void
store_checked (GSettings *settings, const VxXbarParam *p, double v)
{
  if (p->type == VX_XBAR_PARAM_MASK || vx_xbar_param_in_range (p, v, TRUE))
    {
      write_number (settings, p, v);
      return;
    }
  g_autofree char *range = vx_xbar_param_range_text (p, TRUE);
  g_autofree char *value = format_value (v);
  g_autofree char *kept = format_value (read_number (settings, p));
  report (settings, "Not applied: %s %s is outside the explorer's range %s, so it stays %s.",
          p->name, value, range, kept);
}

/* ---- load, store ------------------------------------------------------------------------ */

void
vx_run_settings_load (VsRunSettings *s, GSettings *settings)
{
  vs_run_settings_init (s);
  VxXbarConfig *c = &s->xbar;
  vx_xbar_config_init_preset (c, g_settings_get_enum (settings, "preset"));
  GArray *k = keys ();
  for (guint i = 0; i < k->len; i++)
    {
      const Key *key = &g_array_index (k, Key, i);
      const VxXbarParam *p = key->p;
      if (key->run)
        vs_run_param_set (p, s, read_number (settings, p));
      else if (p->type == VX_XBAR_PARAM_DOUBLE)
        vx_xbar_param_set_double (p, c, g_settings_get_double (settings, p->settings_key));
      else if (p->type == VX_XBAR_PARAM_MASK)
        vx_xbar_param_set_mask (p, c, read_mask (settings, p));
      else if (p->type == VX_XBAR_PARAM_UINT64)
        vx_xbar_param_set_uint64 (p, c, (guint64) g_settings_get_int (settings, p->settings_key));
      else if (p->type != VX_XBAR_PARAM_PRESET)
        vx_xbar_param_set_int (p, c, (int) read_number (settings, p));
    }
}

/* parameters the explorer has no control for: a study that sets them differently
 * from the preset is computed with the preset's value, so say so */
static void
report_uncontrolled (GSettings *settings, const VxXbarConfig *c)
{
  VxXbarConfig preset;
  if (!vx_xbar_config_init_named (&preset, c->preset, NULL))
    vx_xbar_config_init (&preset);
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    {
      const VxXbarParam *p = &t[i];
      if (p->settings_key || (p->flags & VX_XBAR_PARAM_DERIVED) || p->type == VX_XBAR_PARAM_PRESET)
        continue;
      double v = vx_xbar_param_get_number (p, c), want = vx_xbar_param_get_number (p, &preset);
      if (v == want)
        continue;
      g_autofree char *value = format_value (v);
      g_autofree char *used = format_value (want);
      report (settings, "Not applied: %s %s has no control in the explorer, which computes "
              "with %s.", p->name, value, used);
    }
}

void
vx_run_settings_store (const VsRunSettings *s, GSettings *settings)
{
  const VxXbarConfig *c = &s->xbar;
  int preset = vx_xbar_param_get_int (vx_xbar_param_by_settings_key ("preset"), c);
  g_settings_set_enum (settings, "preset", preset < 0 ? VX_XBAR_PRESET_RRAM_PAPER : preset);
  GArray *k = keys ();
  for (guint i = 0; i < k->len; i++)
    {
      const Key *key = &g_array_index (k, Key, i);
      if (key->p->type == VX_XBAR_PARAM_PRESET)
        continue;
      double v = key->run ? vs_run_param_get (key->p, s) : vx_xbar_param_get_number (key->p, c);
      store_checked (settings, key->p, v);
    }
  report_uncontrolled (settings, c);
}

void
vx_settings_reset_paper_defaults (GSettings *settings)
{
  for (const char *const *k = vx_settings_compute_keys (); *k; k++)
    g_settings_reset (settings, *k);
}

/* ---- presets ----------------------------------------------------------------------------- */

/* the keys a preset sets: its device values and ClipFormer */
static const char *const preset_keys[] = {
  "gamma", "on-off-ratio", "sigma-r", "sigma-w", "bits-per-cell", "adc-bits", "crossbar-size",
  "clipformer", NULL
};

void
vx_settings_apply_preset (GSettings *settings, VxXbarPreset preset)
{
  VxXbarConfig c;
  vx_xbar_config_init_preset (&c, preset);
  g_settings_set_enum (settings, "preset", preset);
  for (int i = 0; preset_keys[i]; i++)
    {
      const VxXbarParam *p = vx_xbar_param_by_settings_key (preset_keys[i]);
      store_checked (settings, p, vx_xbar_param_get_number (p, &c));
    }
}

int
vx_settings_matching_preset (GSettings *settings)
{
  VxXbarConfig c;
  int preset = g_settings_get_enum (settings, "preset");
  vx_xbar_config_init_preset (&c, preset);
  for (int i = 0; preset_keys[i]; i++)
    {
      const VxXbarParam *p = vx_xbar_param_by_settings_key (preset_keys[i]);
      /* ClipFormer is the paper's remedy on RRAM, so RRAM with it is still RRAM;
       * noise-free SRAM with it is not the SRAM preset */
      if (p->type == VX_XBAR_PARAM_BOOL && preset == VX_XBAR_PRESET_RRAM_PAPER)
        continue;
      if (fabs (read_number (settings, p) - vx_xbar_param_get_number (p, &c)) >= 1e-9)
        return -1;
    }
  return preset;
}

/* ---- checks ------------------------------------------------------------------------------- */

/* a list key naming something the table does not know: rewritten without it */
static guint
check_mask (GSettings *settings, const VxXbarParam *p)
{
  g_auto (GStrv) nicks = g_settings_get_strv (settings, p->settings_key);
  guint problems = 0;
  for (int i = 0; nicks[i]; i++)
    if (!vx_xbar_param_choice_by_nick (p, nicks[i]))
      {
        report (settings, "The saved %s named \"%s\", which is unknown; it is left out.",
                p->name, nicks[i]);
        problems++;
      }
  if (problems)
    write_number (settings, p, read_mask (settings, p));
  return problems;
}

guint
vx_settings_check (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), 0);
  guint problems = 0;
  GArray *k = keys ();
  for (guint i = 0; i < k->len; i++)
    {
      const VxXbarParam *p = g_array_index (k, Key, i).p;
      double v = read_number (settings, p);
      if (p->type == VX_XBAR_PARAM_MASK)
        {
          problems += check_mask (settings, p);
          continue;
        }
      if (vx_xbar_param_in_range (p, v, TRUE))
        continue;
      g_autofree char *range = vx_xbar_param_range_text (p, TRUE);
      g_autofree char *value = format_value (v);
      g_settings_reset (settings, p->settings_key);
      report (settings, "The saved %s %s was outside %s and is reset to its default.", p->name,
              value, range);
      problems++;
    }
  VsRunSettings s;
  vx_run_settings_load (&s, settings);
  g_autoptr (GError) error = NULL;
  if (!vs_run_settings_validate (&s, &error))
    {
      vx_settings_reset_paper_defaults (settings);
      report (settings, "The saved settings do not fit together (%s); they are reset to the "
              "paper's defaults.", error->message);
      problems++;
    }
  return problems;
}

/* one entry of the key file: NULL if GSettings would take it, else the problem */
static char *
keyfile_entry_problem (GSettingsSchema *schema, const char *key, const char *text)
{
  if (!g_settings_schema_has_key (schema, key))
    return g_strdup ("is not a setting of this version");
  g_autoptr (GSettingsSchemaKey) sk = g_settings_schema_get_key (schema, key);
  g_autoptr (GVariant) v = g_variant_parse (g_settings_schema_key_get_value_type (sk), text,
                                            NULL, NULL, NULL);
  if (!v)
    return g_strdup_printf ("is not a value of type %s",
                            g_variant_type_peek_string (g_settings_schema_key_get_value_type (sk)));
  if (g_settings_schema_key_range_check (sk, v))
    return NULL;
  const VxXbarParam *p = vx_xbar_param_by_settings_key (key);
  if (!p)
    p = vs_run_param_by_settings_key (key);
  g_autofree char *range = p ? vx_xbar_param_range_text (p, TRUE) : g_strdup ("its range");
  return g_strdup_printf ("is outside %s", range);
}

static void
check_keyfile (GSettingsSchema *schema, const char *path, GPtrArray *messages)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_ptr_array_add (messages, g_strdup_printf ("The settings file %s cannot be read (%s); "
                                                    "the defaults are used.", path,
                                                    error->message));
      return;
    }
  g_auto (GStrv) names = g_key_file_get_keys (kf, KEYFILE_GROUP, NULL, NULL);
  guint problems = 0;
  for (int i = 0; names && names[i]; i++)
    {
      g_autofree char *text = g_key_file_get_value (kf, KEYFILE_GROUP, names[i], NULL);
      g_autofree char *problem = keyfile_entry_problem (schema, names[i], text ? text : "");
      if (!problem)
        continue;
      g_ptr_array_add (messages, g_strdup_printf ("The saved setting %s = %s in %s %s; it is "
                                                  "removed and the default is used.", names[i],
                                                  text, path, problem));
      g_key_file_remove_key (kf, KEYFILE_GROUP, names[i], NULL);
      problems++;
    }
  if (problems && !g_key_file_save_to_file (kf, path, &error))
    g_ptr_array_add (messages, g_strdup_printf ("The settings file %s cannot be rewritten: %s",
                                                path, error->message));
}

char **
vx_settings_check_keyfile (GSettingsSchema *schema, const char *path)
{
  g_return_val_if_fail (schema != NULL && path != NULL, NULL);
  GPtrArray *messages = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  check_keyfile (schema, path, messages);
  return (char **) g_ptr_array_free (messages, FALSE);
}

/* ---- where the schema is ------------------------------------------------------------------ */

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
    {
      GSettings *settings = g_settings_new (APP_ID);
      vx_settings_check (settings);
      return settings;
    }

  g_autoptr (GSettingsSchemaSource) src = build_tree_source ();
  g_autoptr (GSettingsSchema) schema = src ? g_settings_schema_source_lookup (src, APP_ID, FALSE) : NULL;
  if (!schema)
    g_error ("The settings schema %s is neither installed nor in the build tree; "
             "run \"meson install\" or start vitx-explorer from its build directory", APP_ID);
  /* uninstalled: keep the settings in a key file, unless a backend is forced;
   * the file is checked before the backend reads it, which would skip a bad
   * entry without a word */
  g_autoptr (GSettingsBackend) backend = NULL;
  g_auto (GStrv) messages = NULL;
  if (!g_getenv ("GSETTINGS_BACKEND"))
    {
      g_autofree char *file = g_build_filename (g_get_user_config_dir (), "vitx-explorer",
                                                "settings.ini", NULL);
      messages = vx_settings_check_keyfile (schema, file);
      backend = g_keyfile_settings_backend_new (file, "/org/vitx/Explorer/", KEYFILE_GROUP);
    }
  GSettings *settings = g_settings_new_full (schema, backend, NULL);
  for (int i = 0; messages && messages[i]; i++)
    report (settings, "%s", messages[i]);
  vx_settings_check (settings);
  return settings;
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
