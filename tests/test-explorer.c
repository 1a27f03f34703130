/* test-explorer.c: the explorer's window under Xvfb: results, noise, ClipFormer, export, errors, studies, classroom */
#define G_LOG_DOMAIN "test-explorer"
#include "config.h"

#include <math.h>

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vx-error.h"
#include "vx-export-dialog.h"
#include "vs-result-charts.h"
#include "vx-settings.h"
#include "vs-study.h"
#include "vx-window-private.h"

#define WAIT_MS 300000

static struct {
  VxApplication *app;
  GSettings *settings;
  VxWindow *win;
  char *dir;          /* temporary files */
  char *data_dir;     /* the IDX pair of the evaluation set */
  char *model_path;
} fx;

static void
wait_idle (void)
{
  g_assert_true (vx_window_wait_idle (fx.win, test_wait_ms (WAIT_MS)));
}

static VsRunResult *
result (void)
{
  VsRunResult *r = vx_window_get_last_result (fx.win);
  g_assert_nonnull (r);
  g_assert_true (r->complete);
  g_assert_true (r->has_first);
  return r;
}

/* let GTK lay out and draw at least two frames */
static void
draw_frames (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fx.win));
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gdk_frame_clock_get_frame_counter (clock) < start + 2 && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (GTK_WIDGET (fx.win));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static double
displayed_accuracy (void)
{
  const char *text = vx_window_get_accuracy_text (fx.win);
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  g_assert_true (end != text);
  return v;
}

/* ---- the window opens on the model and data, and shows results ----------------------------- */

static void
test_opens (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_window_load_model (fx.win, fx.model_path, &error));
  g_assert_no_error (error);
  g_assert_true (vx_window_load_dataset (fx.win, fx.data_dir, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (fx.win));
  wait_idle ();

  VsRunResult *r = result ();
  g_assert_cmpint (r->n, ==, 160);
  g_assert_cmpint (r->images_done, ==, 160);
  g_assert_nonnull (r->snr_db);
  g_assert_nonnull (r->hists);
  g_assert_true (isfinite (r->top1) && r->top1 > 0.2);
  g_assert_true (isfinite (vx_worker_get_ideal (vx_window_get_worker (fx.win))));
  g_assert_cmpfloat (fabs (displayed_accuracy () - 100 * r->top1), <, 0.051);

  const char *cards[] = { "kv-histogram", "snr-per-block", "radar" };
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, cards[i]));
      g_assert_nonnull (box);
      g_assert_null (box->u.common.empty_message);
    }
  /* the other setting (ClipFormer on) finished too: both SNR series are there */
  VsRunResult *o = vx_worker_get_other (vx_window_get_worker (fx.win));
  g_assert_nonnull (o);
  g_assert_true (o->complete && o->settings.xbar.clipformer);
  VsChartBox *snr = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpuint (snr->u.bars.n_series, ==, 2);
  g_assert_cmpfloat (snr->u.bars.series[1].values[0], ==, o->snr_db[0]);

  draw_frames ();
  g_autofree char *shot = g_test_build_filename (G_TEST_BUILT, "explorer-screenshot.png", NULL);
  g_assert_true (vx_window_save_screenshot (fx.win, shot, &error));
  g_assert_no_error (error);
  g_autoptr (GdkTexture) tex = gdk_texture_new_from_filename (shot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (tex), >=, 800);
  g_assert_cmpint (gdk_texture_get_height (tex), >=, 500);
  g_test_message ("screenshot: %s", shot);
}

/* ---- gamma 0 -> 5 lowers the accuracy and the mean SNR ------------------------------------ */

static void
test_gamma (void)
{
  g_settings_set_double (fx.settings, "gamma", 0.0);
  wait_idle ();
  VsRunResult *r0 = result ();
  double acc0 = r0->top1, snr0 = r0->snr_mean_db, shown0 = displayed_accuracy ();
  g_assert_cmpfloat (r0->settings.xbar.gamma, ==, 0.0);

  g_settings_set_double (fx.settings, "gamma", 5.0);
  wait_idle ();
  VsRunResult *r5 = result ();
  double acc5 = r5->top1, snr5 = r5->snr_mean_db, shown5 = displayed_accuracy ();
  g_assert_cmpfloat (r5->settings.xbar.gamma, ==, 5.0);
  g_test_message ("gamma 0: %.2f %% <SNR> %.2f dB; gamma 5: %.2f %% <SNR> %.2f dB",
                  100 * acc0, snr0, 100 * acc5, snr5);
  g_assert_cmpfloat (acc5, <, acc0);
  g_assert_cmpfloat (shown5, <, shown0);
  g_assert_cmpfloat (snr5, <, snr0 - 1.0);
}

/* ---- ClipFormer at gamma 5: every K/V conductance <= beta * G_max ------------------------------ */

static void
test_clipformer_histogram (void)
{
  g_settings_set_double (fx.settings, "gamma", 5.0);
  g_settings_set_double (fx.settings, "alpha", 2.0);
  g_settings_set_double (fx.settings, "beta", 0.25);
  g_settings_set_boolean (fx.settings, "clipformer", TRUE);
  g_settings_set_enum (fx.settings, "hist-stage", VS_HIST_BOTH);
  g_settings_set_int (fx.settings, "hist-block", 0);
  g_settings_set_enum (fx.settings, "hist-matrix", 1);
  wait_idle ();
  VsRunResult *r = result ();
  const VxXbarConfig *c = &r->settings.xbar;
  g_assert_true (c->clipformer);
  double clip = c->beta * c->g_max;

  /* the shown histogram: "after" tops out at the clip, "before" above it */
  VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, "kv-histogram"));
  const VxChartHistogram *h = &box->u.histogram;
  g_assert_cmpuint (h->n_series, ==, 2);
  g_assert_cmpstr (h->series[1].label, ==, "After ClipFormer");
  double bin = (h->x_max - h->x_min) / h->n_bins;
  double top_after = vs_result_histogram_top (box, 1), top_before = vs_result_histogram_top (box, 0);
  g_test_message ("V block 1: highest bin before %.3f uS, after %.3f uS, beta*G_max %.3f uS",
                  top_before, top_after, clip);
  g_assert_cmpfloat (top_after - bin, <, clip);
  g_assert_cmpfloat (top_before - bin, >, clip);
  g_assert_cmpfloat (h->clip.value, ==, clip);

  /* exactly, from the largest level programmed, in every block */
  for (int b = 0; b < r->depth; b++)
    for (int kv = 0; kv < 2; kv++)
      {
        g_assert_cmpfloat (vs_run_result_max_conductance (r, b, kv, 1), <=, clip + 1e-9);
        g_assert_cmpfloat (vs_run_result_max_conductance (r, b, kv, 0), >, clip);
      }
}

/* ---- export: PNG with metadata, SVG that parses, CSV, clipboard, all figures -------------------- */

static void
svg_start (GMarkupParseContext *ctx, const char *name, const char **attr_names,
           const char **attr_values, gpointer user_data, GError **error)
{
  int *depth = user_data;
  if (*depth == 0)
    g_assert_cmpstr (name, ==, "svg");
  (*depth)++;
}

/* binary-safe search (a PNG has NUL bytes before its text chunks) */
static gboolean
contains_bytes (const char *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_export (void)
{
  VxChartCard *card = vx_window_get_card (fx.win, "kv-histogram");
  g_autoptr (GError) error = NULL;
  g_autofree char *png = g_build_filename (fx.dir, "hist.png", NULL);
  g_autofree char *svg = g_build_filename (fx.dir, "hist.svg", NULL);
  g_autofree char *csv = g_build_filename (fx.dir, "hist.csv", NULL);
  g_assert_true (vx_chart_card_export (card, png, VX_CHART_FORMAT_PNG, &error));
  g_assert_true (vx_chart_card_export (card, svg, VX_CHART_FORMAT_SVG, &error));
  g_assert_true (vx_chart_card_export (card, csv, VX_CHART_FORMAT_CSV, &error));
  g_assert_no_error (error);

  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (png, &data, &len, NULL));
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_true (contains_bytes (data, len, "vitx-settings"));
  g_assert_true (contains_bytes (data, len, "\"gamma\""));
  g_autoptr (GdkTexture) tex = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (tex), >=, 640);
  g_clear_pointer (&data, g_free);

  g_assert_true (g_file_get_contents (svg, &data, &len, NULL));
  int depth = 0;
  GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
  g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, 0, &depth, NULL);
  g_assert_true (g_markup_parse_context_parse (ctx, data, len, &error));
  g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
  g_assert_cmpint (depth, >, 10);
  /* cairo draws text as glyphs; the settings ride in <metadata> */
  g_assert_nonnull (strstr (data, "<metadata"));
  g_assert_nonnull (strstr (data, "&quot;gamma&quot;") ? "ok" : strstr (data, "\"gamma\""));
  g_clear_pointer (&data, g_free);

  g_assert_true (g_file_get_contents (csv, &data, &len, NULL));
  g_assert_true (g_str_has_prefix (data, "bin_lo_uS,bin_hi_uS,"));

  g_autoptr (GdkTexture) copy = vx_chart_card_to_texture (card, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (copy), >=, 640);
  gtk_widget_activate_action (GTK_WIDGET (card), "card.copy", NULL);

  g_autofree char *all = g_build_filename (fx.dir, "figures", NULL);
  guint n = 0;
  g_assert_true (vx_window_export_all (fx.win, all, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, >=, 3 * 7);
  const char *expect[] = { "kv-histogram.png", "snr-per-block.svg", "radar.csv",
                           "hw-attention-area.png", "hw-breakdown-energy.svg" };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *p = g_build_filename (all, expect[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
}

/* ---- "Export All Figures": the `vitx figures` set with progress, then the views ------------------ */

static gboolean
views_for_test (gpointer user, const char *dir, guint *n_files, GError **error)
{
  return vx_window_export_all (VX_WINDOW (user), dir, n_files, error);
}

static void
test_export_figures (void)
{
  const VsRunSettings *s = vx_worker_get_settings (vx_window_get_worker (fx.win));
  VsFiguresRequest req = { 0 };
  req.model = vs_shared_model_ref (vx_window_get_model (fx.win));
  req.data = vs_shared_data_ref (vx_window_get_data (fx.win));
  req.settings = *s;
  req.settings.n_images = 64;
  req.figures = VS_FIG_HIST | VS_FIG_HW;
  req.dir = g_build_filename (fx.dir, "figure-set", NULL);
  g_autofree char *dir = g_strdup (req.dir);
  VxExportDialog *dialog = vx_export_dialog_new (GTK_WINDOW (fx.win), &req, views_for_test, fx.win);
  g_assert_null (req.dir);
  gtk_window_present (GTK_WINDOW (dialog));
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  while (!vx_export_dialog_is_done (dialog) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (vx_export_dialog_is_done (dialog));
  g_assert_null (vx_export_dialog_get_error (dialog));
  const char *expect[] = { "fig5-hist-k.png", "fig5-hist-v.svg", "fig10-hw.csv",
                           "explorer-views/kv-histogram.png", "explorer-views/radar.svg" };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *p = g_build_filename (dir, expect[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpuint (vx_export_dialog_get_n_files (dialog), >=, 9 + 21);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* cancelled at once: stops with VX_ERROR_CANCELLED, nothing half-written claimed */
  req.model = vs_shared_model_ref (vx_window_get_model (fx.win));
  req.data = vs_shared_data_ref (vx_window_get_data (fx.win));
  req.settings = *s;
  req.dir = g_build_filename (fx.dir, "figure-set-cancelled", NULL);
  dialog = vx_export_dialog_new (GTK_WINDOW (fx.win), &req, NULL, NULL);
  vx_export_dialog_cancel (dialog);
  while (!vx_export_dialog_is_done (dialog))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (vx_export_dialog_get_error (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- a corrupt model: an error dialog, and the old model stays -------------------------------------- */

static GtkWindow *
find_message_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (tops, i);
      if (GTK_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

static void
test_corrupt_model (void)
{
  g_autoptr (VsSharedModel) before = vs_shared_model_ref (vx_window_get_model (fx.win));
  g_autoptr (VsRunResult) shown = vs_run_result_ref (vx_window_get_last_result (fx.win));
  g_autofree char *bad = g_build_filename (fx.dir, "corrupt.safetensors", NULL);
  const char garbage[] = "\x40\x00\x00\x00\x00\x00\x00\x00{\"a\": {\"dtype\": \"F32\", \"shape\": [4, 4], \"data_offsets\": [0, 999]}}";
  g_assert_true (g_file_set_contents (bad, garbage, sizeof garbage - 1, NULL));
  g_assert_null (find_message_dialog ());

  vx_window_open_model_file (fx.win, bad);
  g_assert_true (vx_window_is_loading (fx.win));
  while (vx_window_is_loading (fx.win))
    g_main_context_iteration (NULL, TRUE);
  GtkWindow *dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (fx.win));
  g_assert_true (vx_window_get_model (fx.win) == before);
  g_assert_true (vx_window_get_last_result (fx.win) == shown);
  gtk_window_destroy (dialog);
  g_assert_false (vx_worker_is_busy (vx_window_get_worker (fx.win)));

  /* a good file opens the same way, off the main thread, and replaces the model */
  vx_window_open_model_file (fx.win, fx.model_path);
  while (vx_window_is_loading (fx.win))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (find_message_dialog ());
  g_assert_true (vx_window_get_model (fx.win) != before);
  wait_idle ();
  g_assert_cmpint (result ()->correct, ==, shown->correct);
}

/* ---- studies: save, open, results from the cache at once, recent list ---------------------------------- */

static void
test_study (void)
{
  wait_idle ();
  VsRunResult *r = result ();
  int correct = r->correct;
  g_autofree char *path = g_build_filename (fx.dir, "a.vitx-study", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_window_save_study (fx.win, path, &error));
  g_assert_no_error (error);
  g_autoptr (VsStudy) study = vs_study_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (study->current);
  g_assert_cmpint (study->current->correct, ==, correct);
  g_assert_true (vs_run_settings_equal (&study->settings, &r->settings));

  g_settings_set_double (fx.settings, "gamma", 1.5);
  wait_idle ();
  g_assert_cmpfloat (result ()->settings.xbar.gamma, ==, 1.5);

  g_assert_true (vx_window_open_study (fx.win, path, &error));
  g_assert_no_error (error);
  /* the settings reach the window through GSettings' notifications; the results
   * come from the cache (seeded by the study): no job is needed */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  VsRunResult *now = vx_window_get_last_result (fx.win);
  g_assert_nonnull (now);
  g_assert_true (now->complete);
  g_assert_false (vx_worker_is_computing (vx_window_get_worker (fx.win)));
  g_assert_cmpint (now->correct, ==, correct);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 5.0);
  g_auto (GStrv) recent = g_settings_get_strv (fx.settings, "recent-studies");
  g_assert_nonnull (recent[0]);
  g_assert_true (g_str_has_suffix (recent[0], "a.vitx-study"));

  g_autofree char *broken = g_build_filename (fx.dir, "broken.vitx-study", NULL);
  g_assert_true (g_file_set_contents (broken, "{\"format\": \"vitx-explorer-study\", \"version\": 1, "
                                      "\"settings\": {\"images\": \"many\"}}", -1, NULL));
  g_assert_false (vx_window_open_study (fx.win, broken, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "images"));
  wait_idle ();
}

/* ---- classroom mode: full screen, large type, the tour sets the controls -------------------------------- */

static void
test_classroom (void)
{
  g_settings_set_double (fx.settings, "gamma", 2.5);
  g_settings_set_double (fx.settings, "sigma-w", 0.12);
  wait_idle ();
  vx_window_set_classroom (fx.win, TRUE);
  g_assert_false (vx_window_get_controls_visible (fx.win));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fx.win), "classroom"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx.win->tour_bar)));
  VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpfloat (box->u.common.font_scale, ==, 1.4);

  guint n;
  const VxTourStep *steps = vx_tour_steps (&n);
  g_assert_cmpuint (n, ==, 8);
  vx_window_show_tour_step (fx.win, 0);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 0.0);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "sigma-r"), ==, 0.0);
  for (guint i = 1; i < n; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.tour-next", NULL);
      g_assert_cmpuint (vx_window_get_tour_step (fx.win), ==, i);
      g_assert_true (g_str_has_prefix (vx_tour_bar_get_sentence (fx.win->tour_bar), steps[i].change));
      g_assert_cmpstr (gtk_stack_get_visible_child_name (fx.win->view_stack), ==, steps[i].view);
    }
  /* the last two steps: outlier channels, then the per-channel mapping */
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "outlier-scale"), ==, 32.0);
  g_assert_cmpint (g_settings_get_enum (fx.settings, "kv-scale"), ==, VX_KV_SCALE_PER_CHANNEL);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.tour-previous", NULL);
  g_assert_cmpuint (vx_window_get_tour_step (fx.win), ==, n - 2);
  g_assert_cmpint (g_settings_get_enum (fx.settings, "kv-scale"), ==, VX_KV_SCALE_PER_HEAD);
  wait_idle ();
  g_assert_cmpfloat (result ()->settings.outlier_scale, ==, 32.0);

  vx_window_set_classroom (fx.win, FALSE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fx.win), "classroom"));
  g_assert_true (vx_window_get_controls_visible (fx.win));
  box = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpfloat (box->u.common.font_scale, ==, 1.0);
  /* the user's settings are back */
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 2.5);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "sigma-w"), ==, 0.12);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "outlier-scale"), ==, 1.0);
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", 160);
  wait_idle ();
}

/* ---- the sample view: predictions and attention maps ------------------------------------------------------- */

static void
test_sample (void)
{
  g_settings_set_int (fx.settings, "sample-index", 3);
  g_settings_set_int (fx.settings, "sample-block", 1);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "sample");
  draw_frames ();
  wait_idle ();
  const VsSampleResult *s = vx_sample_view_get_result (vx_window_get_sample_view (fx.win));
  g_assert_nonnull (s);
  g_assert_cmpint (s->index, ==, 3);
  g_assert_cmpint (s->block, ==, 1);
  double pi = 0, pn = 0, attn = 0;
  for (int k = 0; k < s->num_classes; k++)
    {
      pi += s->probs_ideal[k];
      pn += s->probs_noisy[k];
      g_assert_cmpfloat (s->probs_ideal[k], <=, s->probs_ideal[s->pred_ideal]);
    }
  g_assert_cmpfloat (fabs (pi - 1), <, 1e-9);
  g_assert_cmpfloat (fabs (pn - 1), <, 1e-9);
  for (int i = 0; i < s->grid * s->grid; i++)
    {
      g_assert_cmpfloat (s->attn_ideal[i], >=, 0);
      attn += s->attn_ideal[i];
    }
  /* the class token also attends to itself: the patches get less than all of it */
  g_assert_cmpfloat (attn, >, 0.05);
  g_assert_cmpfloat (attn, <, 1.0);
  VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, "sample-attention-noisy"));
  g_assert_nonnull (box->u.image.overlay);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "overview");
}

/* ---- sweeps: all points, and cancel ------------------------------------------------------------------------ */

static void
test_sweeps (void)
{
  VxSweepsView *sv = vx_window_get_sweeps_view (fx.win);
  vx_sweeps_view_set_images (sv, 32);
  vx_sweeps_view_run (sv);
  g_assert_true (vx_sweeps_view_is_running (sv));
  wait_idle ();
  g_assert_false (vx_sweeps_view_is_running (sv));
  g_assert_cmpuint (vx_sweeps_view_get_done (sv), ==,
                    VX_SWEEP_N_X * VX_SWEEP_N_VARIANTS + VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS);
  VsChartBox *lines = vx_chart_card_get_box (vx_window_get_card (fx.win, "sweep-accuracy-vs-gamma"));
  g_assert_null (lines->u.common.empty_message);
  for (guint s = 0; s < lines->u.lines.n_series; s++)
    for (guint i = 0; i < lines->u.lines.series[s].n_points; i++)
      g_assert_true (isfinite (lines->u.lines.series[s].y[i]));

  vx_sweeps_view_run (sv);
  while (vx_sweeps_view_get_done (sv) < 2)
    g_main_context_iteration (NULL, TRUE);
  vx_sweeps_view_cancel (sv);
  g_assert_false (vx_sweeps_view_is_running (sv));
  guint done = vx_sweeps_view_get_done (sv);
  wait_idle ();
  g_assert_cmpuint (vx_sweeps_view_get_done (sv), ==, done);
  g_assert_cmpuint (done, <, VX_SWEEP_N_X * VX_SWEEP_N_VARIANTS);
}

/* ---- hardware: DeiT-S with ClipFormer (2, 0.25) saves 7-8 % of the attention area ------------------------- */

static void
test_hardware (void)
{
  g_settings_set_double (fx.settings, "beta", 0.25);
  wait_idle ();
  VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, "hw-attention-area"));
  const VxChartBars *m = &box->u.bars;
  g_assert_cmpuint (m->n_categories, ==, 3);
  g_assert_cmpstr (m->categories[0], ==, "DeiT-S");
  double saved = 1.0 - m->series[1].values[0] / m->series[0].values[0];
  g_test_message ("DeiT-S attention area saved by ClipFormer (2, 0.25): %.2f %%", 100 * saved);
  g_assert_cmpfloat (saved, >, 0.07);
  g_assert_cmpfloat (saved, <, 0.08);
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", 160);
  wait_idle ();
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  fx.dir = test_mkdtemp ();
  fx.data_dir = g_build_filename (fx.dir, "data", NULL);
  g_mkdir (fx.data_dir, 0755);
  g_autoptr (VxDataset) eval = test_eval_dataset ();
  test_write_idx (eval, fx.data_dir);
  gint64 t0 = g_get_monotonic_time ();
  fx.model_path = test_model_path (fx.dir);
  g_test_message ("model %s ready after %.1f s", fx.model_path, (g_get_monotonic_time () - t0) / 1e6);

  fx.app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (fx.app), NULL, &error));
  g_assert_no_error (error);
  fx.settings = vx_application_get_settings (fx.app);
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", 160);
  fx.win = vx_window_new (GTK_APPLICATION (fx.app), fx.settings);
  gtk_window_set_default_size (GTK_WINDOW (fx.win), 1280, 800);

  g_test_add_func ("/explorer/opens-and-shows-results", test_opens);
  g_test_add_func ("/explorer/write-noise-lowers-accuracy-and-snr", test_gamma);
  g_test_add_func ("/explorer/clipformer-clips-histogram", test_clipformer_histogram);
  g_test_add_func ("/explorer/export", test_export);
  g_test_add_func ("/explorer/export-figure-set", test_export_figures);
  g_test_add_func ("/explorer/corrupt-model-keeps-old", test_corrupt_model);
  g_test_add_func ("/explorer/study", test_study);
  g_test_add_func ("/explorer/classroom", test_classroom);
  g_test_add_func ("/explorer/sample", test_sample);
  g_test_add_func ("/explorer/sweeps", test_sweeps);
  g_test_add_func ("/explorer/hardware", test_hardware);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fx.win));
  g_object_unref (fx.app);
  test_rmdir (fx.dir);
  g_free (fx.dir);
  g_free (fx.data_dir);
  g_free (fx.model_path);
  return status;
}
