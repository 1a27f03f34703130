/* test-params-settings.c: the explorer's settings and controls follow the
 * parameter tables, and what they cannot hold is reported, not dropped */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <gtk/gtk.h>

#include "params-test-common.h"
#include "vx-controls.h"
#include "vx-param-row.h"
#include "vx-settings.h"

static GSettingsSchema *
schema (void)
{
  GSettingsSchemaSource *src = g_settings_schema_source_get_default ();
  g_assert_nonnull (src);
  GSettingsSchema *s = g_settings_schema_source_lookup (src, APP_ID, TRUE);
  g_assert_nonnull (s);
  return s;
}

static GSettings *
memory_settings (void)
{
  g_autoptr (GSettingsSchema) s = schema ();
  g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
  return g_settings_new_full (s, backend, NULL);
}

static gboolean
reports_name (GSettings *settings, const char *a, const char *b)
{
  for (const char *const *m = vx_settings_get_reports (settings); *m; m++)
    if (strstr (*m, a) && (!b || strstr (*m, b)))
      return TRUE;
  return FALSE;
}

/* ---- the key file: what GSettings would skip in silence is reported and removed ---------- */

static void
test_keyfile (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-params-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "settings.ini", NULL);
  g_assert_true (g_file_set_contents (path, "[Explorer]\ngamma=12.0\ncolour=1\nsigma-r=abc\n"
                                      "alpha=2.5\n", -1, NULL));
  g_autoptr (GSettingsSchema) s = schema ();
  g_auto (GStrv) messages = vx_settings_check_keyfile (s, path);
  for (int i = 0; messages[i]; i++)
    g_test_message ("%s", messages[i]);
  g_assert_cmpuint (g_strv_length (messages), ==, 3);
  g_assert_nonnull (strstr (messages[0], "gamma = 12.0"));
  g_assert_nonnull (strstr (messages[0], "[0, 8]"));
  g_assert_nonnull (strstr (messages[1], "colour"));
  g_assert_nonnull (strstr (messages[2], "sigma-r = abc"));

  /* the file keeps what is good; its keys are writable again */
  g_autoptr (GSettingsBackend) backend = g_keyfile_settings_backend_new (path, "/org/vitx/Explorer/",
                                                                         "Explorer");
  g_autoptr (GSettings) settings = g_settings_new_full (s, backend, NULL);
  g_assert_cmpfloat (g_settings_get_double (settings, "alpha"), ==, 2.5);
  g_assert_cmpfloat (g_settings_get_double (settings, "gamma"), ==, 3.0);
  g_assert_true (g_settings_set_double (settings, "gamma", 4.0));
  g_settings_sync ();
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "gamma=4.0"));
  g_assert_null (strstr (text, "colour"));
  g_auto (GStrv) again = vx_settings_check_keyfile (s, path);
  g_assert_cmpuint (g_strv_length (again), ==, 0);
  g_remove (path);
  g_rmdir (dir);
}

/* ---- storing a study: values without a place are reported -------------------------------- */

static void
count_report (GSettings *settings, const char *message, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_store_reports (void)
{
  g_autoptr (GSettings) settings = memory_settings ();
  guint calls = 0;
  vx_settings_set_report_func (settings, count_report, &calls);
  VsRunSettings s;
  vs_run_settings_init (&s);
  s.xbar.gamma = 12;               /* valid, but beyond the controls */
  s.xbar.weight_bits = 6;          /* no control in the explorer */
  s.xbar.seed = G_GUINT64_CONSTANT (1) << 40;
  s.repeats = 4;
  vx_run_settings_store (&s, settings);
  for (const char *const *m = vx_settings_get_reports (settings); *m; m++)
    g_test_message ("%s", *m);
  g_assert_true (reports_name (settings, "gamma 12", "[0, 8]"));
  g_assert_true (reports_name (settings, "weight bits 6", "with 8"));
  g_assert_true (reports_name (settings, "seed 1099511627776", "0..2147483647"));
  g_assert_cmpuint (calls, ==, 3);
  g_assert_cmpfloat (g_settings_get_double (settings, "gamma"), ==, 3.0);
  g_assert_cmpint (g_settings_get_int (settings, "repeats"), ==, 4);

  /* a window that connects later still hears of them */
  guint late = 0;
  vx_settings_set_report_func (settings, count_report, &late);
  g_assert_cmpuint (late, ==, 3);
  vx_settings_clear_reports (settings);
  g_assert_null (vx_settings_get_reports (settings)[0]);

  /* what fits is stored without a word */
  vs_run_settings_init (&s);
  s.xbar.gamma = 5;
  vx_run_settings_store (&s, settings);
  g_assert_null (vx_settings_get_reports (settings)[0]);
  VsRunSettings back;
  vx_run_settings_load (&back, settings);
  g_assert_true (vs_run_settings_equal (&s, &back));
  vx_settings_set_report_func (settings, NULL, NULL);
}

/* ---- start-up: settings that do not fit together are reset, and said so ------------------ */

static void
test_check (void)
{
  g_autoptr (GSettings) settings = memory_settings ();
  g_assert_cmpuint (vx_settings_check (settings), ==, 0);
  /* beta * G_max below G_min: each key inside its range, the pair not */
  g_settings_set_double (settings, "on-off-ratio", 2);
  g_settings_set_double (settings, "beta", 0.05);
  g_assert_cmpuint (vx_settings_check (settings), ==, 1);
  g_assert_true (reports_name (settings, "reset to the paper's defaults", "beta"));
  g_assert_cmpfloat (g_settings_get_double (settings, "beta"), ==, 1.0);
  g_assert_cmpfloat (g_settings_get_double (settings, "on-off-ratio"), ==, 100.0);

  /* a matrix this version does not know is left out of the list */
  const char *const kinds[] = { "qkv", "attention-sink", "sv", NULL };
  g_settings_set_strv (settings, "analog-layers", kinds);
  g_assert_cmpuint (vx_settings_check (settings), ==, 1);
  g_assert_true (reports_name (settings, "attention-sink", "left out"));
  g_auto (GStrv) now = g_settings_get_strv (settings, "analog-layers");
  g_assert_cmpuint (g_strv_length (now), ==, 2);
  g_assert_cmpstr (now[1], ==, "sv");
}

/* ---- presets: SRAM turns ClipFormer off and then computes what the ideal network does ------ */

static void
test_sram_preset (void)
{
  g_autoptr (GSettings) settings = memory_settings ();
  g_settings_set_boolean (settings, "clipformer", TRUE);
  g_settings_set_double (settings, "beta", 0.25);
  g_assert_cmpint (vx_settings_matching_preset (settings), ==, VX_XBAR_PRESET_RRAM_PAPER);
  vx_settings_apply_preset (settings, VX_XBAR_PRESET_SRAM_IMC);
  g_assert_false (g_settings_get_boolean (settings, "clipformer"));
  g_assert_cmpint (vx_settings_matching_preset (settings), ==, VX_XBAR_PRESET_SRAM_IMC);
  g_settings_set_boolean (settings, "clipformer", TRUE);
  g_assert_cmpint (vx_settings_matching_preset (settings), ==, -1);
  vx_settings_apply_preset (settings, VX_XBAR_PRESET_SRAM_IMC);

  VsRunSettings s;
  vx_run_settings_load (&s, settings);
  g_assert_false (s.xbar.clipformer);
  ParamsTestFixture f = { 0 };
  params_test_fixture_load (&f);
  double ideal = params_test_ideal_top1 (&f), sram = params_test_xbar_top1 (&f, &s.xbar);
  g_test_message ("ideal %.2f %%, SRAM preset from the explorer %.2f %%", 100 * ideal, 100 * sram);
  g_assert_cmpfloat (fabs (sram - ideal), <=, 0.02);
  params_test_fixture_clear (&f);
}

/* ---- the controls: every row and dropdown as the tables say ---------------------------------- */

static const VxXbarParam *
param (const char *key)
{
  const VxXbarParam *p = vx_xbar_param_by_settings_key (key);
  return p ? p : vs_run_param_by_settings_key (key);
}

static void
check_row (GtkWidget *controls, const char *id, const char *key)
{
  VxParamRow *row = VX_PARAM_ROW (gtk_widget_get_template_child (controls, VX_TYPE_CONTROLS, id));
  const VxXbarParam *p = param (key);
  double lower, upper, step, def;
  int digits;
  g_autofree char *title = NULL;
  g_object_get (row, "lower", &lower, "upper", &upper, "step", &step, "digits", &digits,
                "default-value", &def, "title", &title, NULL);
  g_assert_cmpfloat (lower, ==, p->ui_min);
  g_assert_cmpfloat (upper, ==, p->ui_max);
  g_assert_cmpfloat (step, ==, p->step);
  g_assert_cmpint (digits, ==, p->digits);
  g_assert_cmpfloat (def, ==, p->def);
  g_assert_cmpstr (title, ==, p->label);
  /* the meaning and equation are in the info popover; no tall tooltip on the row */
  g_assert_null (gtk_widget_get_tooltip_markup (GTK_WIDGET (row)));
  g_assert_nonnull (strstr (vx_param_row_get_info_text (row), p->section));
  g_assert_nonnull (strstr (vx_param_row_get_info_text (row), p->description));
  if (p->equation)
    g_assert_nonnull (strstr (vx_param_row_get_info_text (row), p->equation));
}

static void
check_dropdown (GtkWidget *controls, const char *id, const char *key, guint extra)
{
  GtkDropDown *d = GTK_DROP_DOWN (gtk_widget_get_template_child (controls, VX_TYPE_CONTROLS, id));
  const VxXbarParam *p = param (key);
  GListModel *items = gtk_drop_down_get_model (d);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, p->n_choices + extra);
  for (int i = 0; i < p->n_choices; i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), i), ==, p->choices[i].label);
}

static void
test_controls (void)
{
  g_autoptr (GSettings) settings = memory_settings ();
  GtkWidget *controls = g_object_ref_sink (g_object_new (VX_TYPE_CONTROLS, NULL));
  vx_controls_bind (VX_CONTROLS (controls), settings);
  const char *rows[][2] = {
    { "gamma_row", "gamma" }, { "onoff_row", "on-off-ratio" }, { "sigma_r_row", "sigma-r" },
    { "sigma_w_row", "sigma-w" }, { "alpha_row", "alpha" }, { "beta_row", "beta" },
    { "outlier_scale_row", "outlier-scale" }, { "outlier_channels_row", "outlier-channels" },
    { "adc_row", "adc-bits" }, { "bpc_row", "bits-per-cell" }, { "xbar_row", "crossbar-size" },
    { "images_row", "test-images" }, { "repeats_row", "repeats" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    check_row (controls, rows[i][0], rows[i][1]);
  check_dropdown (controls, "preset_dropdown", "preset", 1);
  check_dropdown (controls, "decode_dropdown", "clip-decode", 0);
  check_dropdown (controls, "kv_scale_dropdown", "kv-scale", 0);
  check_dropdown (controls, "mode_dropdown", "mode", 0);
  check_dropdown (controls, "snr_dropdown", "snr-mode", 0);
  check_dropdown (controls, "static_noise_dropdown", "static-noise", 0);
  check_dropdown (controls, "write_clamp_dropdown", "write-clamp", 0);

  /* a dropdown writes the table's nick, whatever its position */
  GtkDropDown *kv = GTK_DROP_DOWN (gtk_widget_get_template_child (controls, VX_TYPE_CONTROLS,
                                                                  "kv_scale_dropdown"));
  gtk_drop_down_set_selected (kv, 3);
  g_autofree char *nick = g_settings_get_string (settings, "kv-scale");
  g_assert_cmpstr (nick, ==, param ("kv-scale")->choices[3].nick);
  g_object_unref (controls);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  g_test_add_func ("/params-settings/keyfile", test_keyfile);
  g_test_add_func ("/params-settings/store-reports", test_store_reports);
  g_test_add_func ("/params-settings/check", test_check);
  g_test_add_func ("/params-settings/sram-preset", test_sram_preset);
  g_test_add_func ("/params-settings/controls", test_controls);
  return g_test_run ();
}
