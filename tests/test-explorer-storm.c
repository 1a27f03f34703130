/* test-explorer-storm.c: 500 rapid random control changes end with exactly the final settings' result */
#define G_LOG_DOMAIN "test-explorer-storm"
#include "config.h"

#include <math.h>

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vs-compute.h"
#include "vx-settings.h"
#include "vx-window-private.h"

#define N_CHANGES 500

static char *model_path, *data_dir;

/* one random change of one control, always inside the control's range; circuit mode
 * (seconds per batch) is left out so that a storm stays a storm */
static void
random_change (GSettings *s, GRand *rng)
{
  static const char *const kv[] = { "per-head", "per-tensor", "per-batch", "calibrated", "per-channel" };
  static const char *const analog_sets[][7] = {
    { "qkv", "proj", "fc1", "fc2", "qk", "sv", NULL },
    { "qk", "sv", NULL },
    { "patch", "qkv", "proj", "fc1", "fc2", "head", NULL },
    { NULL },
  };
  switch (g_rand_int_range (rng, 0, 16))
    {
    case 0: g_settings_set_double (s, "gamma", g_rand_double_range (rng, 0, 8)); break;
    case 1: g_settings_set_double (s, "on-off-ratio", exp (g_rand_double_range (rng, log (2), log (1000)))); break;
    case 2: g_settings_set_double (s, "sigma-r", g_rand_double_range (rng, 0, 0.2)); break;
    case 3: g_settings_set_double (s, "sigma-w", g_rand_double_range (rng, 0, 0.3)); break;
    case 4: g_settings_set_boolean (s, "clipformer", g_rand_boolean (rng)); break;
    case 5: g_settings_set_double (s, "alpha", g_rand_double_range (rng, 1, 4)); break;
    case 6: g_settings_set_double (s, "beta", g_rand_double_range (rng, 0.05, 1)); break;
    case 7: g_settings_set_string (s, "clip-decode", g_rand_boolean (rng) ? "physical" : "renormalised"); break;
    case 8: g_settings_set_string (s, "kv-scale", kv[g_rand_int_range (rng, 0, 5)]); break;
    case 9: g_settings_set_double (s, "outlier-scale", g_rand_boolean (rng) ? 1.0 : g_rand_double_range (rng, 1, 64)); break;
    case 10: g_settings_set_int (s, "outlier-channels", g_rand_int_range (rng, 1, 17)); break;
    case 11: g_settings_set_int (s, "seed", g_rand_int_range (rng, 0, 1000)); break;
    case 12: g_settings_set_int (s, "repeats", g_rand_int_range (rng, 1, 3)); break;
    case 13: g_settings_set_string (s, "snr-mode", g_rand_boolean (rng) ? "end-to-end" : "local"); break;
    case 14: g_settings_set_strv (s, "analog-layers", analog_sets[g_rand_int_range (rng, 0, 4)]); break;
    default: g_settings_set_int (s, "test-images", g_rand_int_range (rng, 32, 97)); break;
    }
}

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* run the main loop for ms milliseconds */
static void
run_for (int ms)
{
  gboolean done = FALSE;
  g_timeout_add (ms, on_deadline, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_same (const VsRunResult *r, const VxXbarEvalResult *x)
{
  g_assert_cmpint (r->n, ==, x->n);
  g_assert_cmpint (r->repeats, ==, x->repeats_done);
  for (int i = 0; i < r->repeats; i++)
    g_assert_cmpint (r->correct_runs[i], ==, x->top1_correct[i]);
  g_assert_cmpfloat (r->top1, ==, x->top1_mean);
  g_assert_cmpfloat (r->top1_lo, ==, x->top1_lo);
  g_assert_cmpint (r->snr_images, ==, x->snr_images);
  for (int b = 0; b < r->depth; b++)
    {
      g_assert_cmpfloat (r->snr_db[b], ==, x->snr_db[b]);
      for (int kv = 0; kv < 2; kv++)
        {
          const VxXbarHist *a = &r->hists[b * 2 + kv], *c = &x->hists[b * 2 + kv];
          g_assert_cmpint (a->bins, ==, c->bins);
          g_assert_cmpmem (a->counts, sizeof (guint64) * 4 * a->bins, c->counts, sizeof (guint64) * 4 * c->bins);
          g_assert_cmpint (a->max_level[1], ==, c->max_level[1]);
          g_assert_cmpfloat (r->kv_stats[b * 2 + kv].share_clipped, ==, x->kv_stats[b * 2 + kv].share_clipped);
        }
    }
}

static void
test_storm (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxApplication) app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  GSettings *s = vx_application_get_settings (app);
  vx_settings_reset_paper_defaults (s);
  g_settings_set_int (s, "test-images", 64);
  VxWindow *win = vx_window_new (GTK_APPLICATION (app), s);
  g_assert_true (vx_window_load_model (win, model_path, &error));
  g_assert_true (vx_window_load_dataset (win, data_dir, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (vx_window_wait_idle (win, test_wait_ms (300000)));

  VxWorker *worker = vx_window_get_worker (win);
  guint gen0 = vx_worker_get_generation (worker);
  g_autoptr (GRand) rng = g_rand_new_with_seed (20240205);
  for (int i = 0; i < N_CHANGES; i++)
    {
      random_change (s, rng);
      /* mostly a burst within the debounce period; now and then the loop runs
       * long enough for a job to start, post stages and be cancelled mid-way */
      int spins = g_rand_int_range (rng, 0, 4);
      for (int k = 0; k < spins; k++)
        g_main_context_iteration (NULL, FALSE);
      if (g_rand_int_range (rng, 0, 20) == 0)
        run_for (g_rand_int_range (rng, 0, 400));
    }
  /* a storm may end on settings the core refuses (beta * G_max <= G_min):
   * the window shows that error; one more change makes them valid */
  VsRunSettings last;
  vx_run_settings_load (&last, s);
  if (!vs_run_settings_validate (&last, NULL))
    g_settings_set_double (s, "beta", 1.0);
  g_assert_true (vx_window_wait_idle (win, test_wait_ms (600000)));
  g_test_message ("%u jobs started, %u stale posts dropped", vx_worker_get_generation (worker) - gen0,
                  vx_worker_get_dropped (worker));
  g_assert_cmpuint (vx_worker_get_generation (worker) - gen0, >, 5);

  VsRunSettings final;
  vx_run_settings_load (&final, s);
  VsRunResult *r = vx_window_get_last_result (win);
  g_assert_nonnull (r);
  g_assert_true (r->complete);
  g_assert_true (vs_run_settings_equal (&r->settings, &final));

  VxXbarEvalResult x;
  VsSharedModel *m = vx_window_get_model (win);
  VsSharedData *d = vx_window_get_data (win);
  g_assert_true (vs_compute_reference (m->model, d->data, &final, &x, &error));
  g_assert_no_error (error);
  g_autofree char *final_json = vs_run_settings_to_json_string (&final, FALSE);
  g_test_message ("final: %s -> %.2f %%", final_json, 100 * r->top1);
  assert_same (r, &x);
  vx_xbar_eval_result_clear (&x);

  /* the other setting (ClipFormer switched) is exact too */
  VsRunResult *o = vx_worker_get_other (worker);
  VsRunSettings other;
  vs_run_settings_toggle_clipformer (&final, &other);
  g_assert_true (o && o->complete && vs_run_settings_equal (&o->settings, &other));
  g_assert_true (vs_compute_reference (m->model, d->data, &other, &x, &error));
  assert_same (o, &x);
  vx_xbar_eval_result_clear (&x);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_autofree char *dir = test_mkdtemp ();
  data_dir = g_build_filename (dir, "data", NULL);
  g_mkdir (data_dir, 0755);
  g_autoptr (VxDataset) eval = test_eval_dataset ();
  test_write_idx (eval, data_dir);
  model_path = test_model_path (dir);
  g_test_add_func ("/explorer/storm-of-changes-ends-exact", test_storm);
  int status = g_test_run ();
  test_rmdir (dir);
  g_free (data_dir);
  g_free (model_path);
  return status;
}
