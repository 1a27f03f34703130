/* test-explorer-tour.c: every classroom tour step under Xvfb: its sentence says what its numbers show */
#define G_LOG_DOMAIN "test-explorer-tour"
#include "config.h"

#include <math.h>

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vx-settings.h"
#include "vx-window-private.h"

#define WAIT_MS 600000
#define TOUR_IMAGES 96

static struct {
  VxApplication *app;
  GSettings *settings;
  VxWindow *win;
  char *dir;
  char *data_dir;
  char *model_path;
} fx;

static void
wait_idle (void)
{
  g_assert_true (vx_window_wait_idle (fx.win, test_wait_ms (WAIT_MS)));
}

static double
metric_of (const VsRunResult *r, VxTourMetric m)
{
  return m == VX_TOUR_ACCURACY ? r->top1 : r->snr_mean_db;
}

/* the claim compares exactly these two results' numbers */
static void
assert_claim (const VxTourClaim *c, VxTourMetric m, const VsRunResult *before, const VsRunResult *after)
{
  g_assert_cmpint (c->metric, ==, m);
  g_assert_cmpfloat (c->before, ==, metric_of (before, m));
  g_assert_cmpfloat (c->after, ==, metric_of (after, m));
}

/* what every claim must satisfy: its direction is the numbers', its numbers are on screen,
 * and the sentence has the words of that direction */
static void
assert_claims_true (const char *sentence, const VxTourClaim *claims, guint n)
{
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      const VxTourClaim *c = &claims[i];
      double d = c->after - c->before;
      double same = c->metric == VX_TOUR_ACCURACY ? VX_TOUR_ACCURACY_SAME
                  : c->metric == VX_TOUR_SNR ? VX_TOUR_SNR_SAME : VX_TOUR_HW_SAME * fabs (c->before);
      if (c->direction == 0)
        g_assert_cmpfloat (fabs (d), <=, same);
      else
        {
          g_assert_cmpfloat (fabs (d), >, same);
          g_assert_cmpint (c->direction, ==, d > 0 ? 1 : -1);
        }
      g_autofree char *after = vx_tour_format (c->metric, c->after);
      g_autofree char *before = vx_tour_format (c->metric, c->before);
      g_assert_nonnull (strstr (sentence, after));
      g_assert_nonnull (strstr (sentence, before));
      const char *up[] = { "rises", "brings", "above" }, *down[] = { "falls", "lowers", "below", "short of" };
      const char *const *words = c->direction > 0 ? up : down;
      guint n_words = c->direction > 0 ? G_N_ELEMENTS (up) : G_N_ELEMENTS (down);
      gboolean found = c->direction == 0 && (strstr (sentence, "stays") || strstr (sentence, "within")
                                               || strstr (sentence, "leaves"));
      for (guint w = 0; c->direction != 0 && w < n_words; w++)
        found |= strstr (sentence, words[w]) != NULL;
      g_assert_true (found);
    }
}

static VsRunResult *
step_result (guint step)
{
  VsRunResult *r = vx_window_get_last_result (fx.win);
  g_assert_nonnull (r);
  g_assert_true (r->complete);
  VsRunSettings user, s;
  vx_run_settings_load (&user, fx.settings);
  vx_tour_step_settings (step, &user, &s);
  g_assert_true (vs_run_settings_equal (&r->settings, &s));
  return vs_run_result_ref (r);
}

static void
test_every_step (void)
{
  guint n;
  const VxTourStep *steps = vx_tour_steps (&n);
  g_assert_cmpuint (n, ==, 8);
  VsRunResult *res[8] = { NULL };
  vx_window_set_classroom (fx.win, TRUE);
  double snr_lo = NAN, snr_hi = NAN;
  for (guint i = 0; i < n; i++)
    {
      vx_window_show_tour_step (fx.win, i);
      wait_idle ();
      const VxTourClaim *claims;
      guint n_claims;
      g_assert_true (vx_window_get_tour_claims (fx.win, &claims, &n_claims));
      const char *sentence = vx_tour_bar_get_sentence (fx.win->tour_bar);
      g_test_message ("step %u: %s", i + 1, sentence);
      g_assert_true (g_str_has_prefix (sentence, steps[i].change));
      g_assert_null (strstr (sentence, "Measuring"));
      assert_claims_true (sentence, claims, n_claims);
      res[i] = step_result (i);
      VsChartBox *snr = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
      if (!isnan (snr_lo))
        {
          /* one SNR axis through the tour */
          g_assert_cmpfloat (snr->u.bars.y_min, ==, snr_lo);
          g_assert_cmpfloat (snr->u.bars.y_max, ==, snr_hi);
        }
      snr_lo = snr->u.bars.y_min;
      snr_hi = snr->u.bars.y_max;
      g_assert_cmpfloat (snr_hi, >, snr_lo);
      switch (i)
        {
        case 0:
          g_assert_cmpfloat (claims[0].before, ==, vx_worker_get_ideal (vx_window_get_worker (fx.win)));
          g_assert_cmpfloat (claims[0].after, ==, res[0]->top1);
          break;
        case 1: case 2: case 4:
          assert_claim (&claims[0], VX_TOUR_ACCURACY, res[i - 1], res[i]);
          assert_claim (&claims[1], VX_TOUR_SNR, res[i - 1], res[i]);
          break;
        case 3:
          assert_claim (&claims[0], VX_TOUR_SNR, res[2], res[3]);
          assert_claim (&claims[1], VX_TOUR_ACCURACY, res[2], res[3]);
          break;
        case 5:
          {
            /* DeiT-S, whichever architecture the view showed before */
            g_assert_nonnull (strstr (vx_hardware_view_get_summary (fx.win->hardware_view), "DeiT-S"));
            VxArch a;
            VxHwReport hp;
            VxXbarConfig c = res[5]->settings.xbar;
            c.clipformer = FALSE;
            g_assert_true (vx_hw_arch_preset ("deit-s", &a, NULL) && vx_hw_estimate (&a, &c, &hp, NULL));
            g_assert_cmpint (claims[0].metric, ==, VX_TOUR_AREA);
            g_assert_cmpfloat (claims[0].before, ==, hp.attn_area_mm2);
            g_assert_cmpint (claims[0].direction, ==, -1);
            assert_claim (&claims[2], VX_TOUR_ACCURACY, res[3], res[5]);
            break;
          }
        case 6:
          assert_claim (&claims[0], VX_TOUR_ACCURACY, res[2], res[6]);
          assert_claim (&claims[1], VX_TOUR_SNR, res[2], res[6]);
          break;
        case 7:
          g_assert_cmpfloat (claims[0].before, ==, res[6]->top1);
          g_assert_cmpfloat (claims[1].before, ==, res[6]->top1);
          g_assert_cmpfloat (claims[1].after, ==, res[7]->top1);
          g_assert_cmpfloat (claims[2].before, ==, res[2]->top1);
          break;
        }
    }
  /* the story on the shipped model: write noise hurts, the outliers collapse it, the
   * per-channel scale brings part of it back */
  g_assert_cmpfloat (res[2]->top1, <, res[1]->top1);
  g_assert_cmpfloat (res[2]->snr_mean_db, <, res[1]->snr_mean_db);
  g_assert_cmpfloat (res[6]->top1, <, res[2]->top1 - 0.2);
  g_assert_cmpfloat (res[7]->top1, >, res[6]->top1);

  /* back to the step before: its sentence again, from the results already measured */
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.tour-previous", NULL);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  const VxTourClaim *claims;
  guint n_claims;
  g_assert_true (vx_window_get_tour_claims (fx.win, &claims, &n_claims));
  g_assert_false (vx_worker_is_computing (vx_window_get_worker (fx.win)));
  vx_window_set_classroom (fx.win, FALSE);
  for (guint i = 0; i < n; i++)
    vs_run_result_unref (res[i]);
}

/* a step shown first (nothing measured before it) measures its references itself */
static void
test_jump (void)
{
  vx_window_set_classroom (fx.win, TRUE);
  g_hash_table_remove_all (fx.win->tour_results);
  vx_window_show_tour_step (fx.win, 4);
  g_assert_nonnull (strstr (vx_tour_bar_get_sentence (fx.win->tour_bar), "Measuring"));
  wait_idle ();
  const VxTourClaim *claims;
  guint n_claims;
  g_assert_true (vx_window_get_tour_claims (fx.win, &claims, &n_claims));
  assert_claims_true (vx_tour_bar_get_sentence (fx.win->tour_bar), claims, n_claims);
  vx_window_set_classroom (fx.win, FALSE);
  wait_idle ();
}

/* outside the tour, a locked SNR axis stays while gamma changes */
static void
test_lock_axes (void)
{
  g_settings_set_double (fx.settings, "gamma", 0.0);
  wait_idle ();
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.lock-axes", NULL);
  VsChartBox *b0 = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  double lo = b0->u.bars.y_min, hi = b0->u.bars.y_max;
  g_assert_cmpfloat (hi, >, lo);
  g_settings_set_double (fx.settings, "gamma", 2.0);
  wait_idle ();
  VsChartBox *b1 = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpfloat (b1->u.bars.y_max, ==, hi);
  g_assert_cmpfloat (b1->u.bars.y_min, <=, lo);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.lock-axes", NULL);
  VsChartBox *b2 = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpfloat (b2->u.bars.y_min, ==, b2->u.bars.y_max);
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
  fx.model_path = test_model_path (fx.dir);

  fx.app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (fx.app), NULL, &error));
  g_assert_no_error (error);
  fx.settings = vx_application_get_settings (fx.app);
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", TOUR_IMAGES);
  fx.win = vx_window_new (GTK_APPLICATION (fx.app), fx.settings);
  gtk_window_set_default_size (GTK_WINDOW (fx.win), 1280, 800);
  g_assert_true (vx_window_load_model (fx.win, fx.model_path, &error));
  g_assert_true (vx_window_load_dataset (fx.win, fx.data_dir, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (fx.win));
  wait_idle ();

  g_test_add_func ("/explorer-tour/every-step-says-what-it-shows", test_every_step);
  g_test_add_func ("/explorer-tour/jump-measures-references", test_jump);
  g_test_add_func ("/explorer-tour/lock-axes", test_lock_axes);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fx.win));
  g_object_unref (fx.app);
  test_rmdir (fx.dir);
  g_free (fx.dir);
  g_free (fx.data_dir);
  g_free (fx.model_path);
  return status;
}
