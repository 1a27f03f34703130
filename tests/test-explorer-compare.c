/* test-explorer-compare.c: the explorer under Xvfb: the run history (the last results, restored
 * with their settings from the cache) and the Sweeps view's comparisons */
#define G_LOG_DOMAIN "test-explorer-compare"
#include "config.h"

#include <math.h>

#include "test-explorer-window.h"

static TestExplorer fx;

static void
wait_idle (void)
{
  test_explorer_wait_idle (&fx);
}

/* the labels of a run-history row, joined by newlines */
static char *
row_text (guint index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (fx.win->runs_list, (int) index);
  g_assert_nonnull (row);
  GString *s = g_string_new (NULL);
  GtkWidget *box = gtk_list_box_row_get_child (row);
  for (GtkWidget *c = gtk_widget_get_first_child (box); c; c = gtk_widget_get_next_sibling (c))
    g_string_append_printf (s, "%s\n", gtk_label_get_text (GTK_LABEL (c)));
  return g_string_free (s, FALSE);
}

static VsRunResult *
run_at (guint index)
{
  g_autofree VsRunResult **runs = NULL;
  guint n = vx_window_get_runs (fx.win, &runs);
  g_assert_cmpuint (index, <, n);
  return runs[index];
}

static void
test_run_history (void)
{
  /* the start-up run is there; two more, newest first */
  g_assert_cmpuint (vx_window_get_runs (fx.win, NULL), ==, 1);
  g_settings_set_double (fx.settings, "gamma", 0.0);
  wait_idle ();
  g_settings_set_double (fx.settings, "gamma", 5.0);
  wait_idle ();
  g_assert_cmpuint (vx_window_get_runs (fx.win, NULL), ==, 3);
  VsRunResult *g5 = run_at (0), *g0 = run_at (1), *g3 = run_at (2);
  g_assert_cmpfloat (g5->settings.xbar.gamma, ==, 5.0);
  g_assert_cmpfloat (g0->settings.xbar.gamma, ==, 0.0);
  g_assert_cmpfloat (g3->settings.xbar.gamma, ==, 3.0);
  g_assert_true (g5->complete && g0->complete && g3->complete);
  g_assert_cmpfloat (g0->top1, >, g5->top1);

  /* each row names its accuracy and what differs from the paper's defaults */
  g_autofree char *t0 = row_text (0), *t1 = row_text (1), *t2 = row_text (2);
  g_test_message ("rows:\n%s%s%s", t0, t1, t2);
  g_autofree char *acc = g_strdup_printf ("%.1f %% top-1", 100 * g5->top1);
  g_assert_true (g_str_has_prefix (t0, acc));
  g_assert_nonnull (strstr (t0, "\nUntransformed · Write-noise factor γ 5 · Test images 128\n"));
  g_assert_nonnull (strstr (t1, "\nUntransformed · Write-noise factor γ 0 · Test images 128\n"));
  /* the start-up run differs from the defaults only in the images the test sets */
  g_assert_nonnull (strstr (t2, "\nUntransformed · Test images 128\n"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx.win->runs_empty)));

  /* restoring: the settings and the very result, from the cache, as one undo step */
  vx_window_restore_run (fx.win, 1);
  while (fx.win->apply_id)
    g_main_context_iteration (NULL, TRUE);
  /* requested and shown at once: a computed result would come from a worker thread later */
  VxWorker *worker = vx_window_get_worker (fx.win);
  VsRunResult *cur = vx_worker_get_current (worker);
  g_assert_nonnull (cur);
  g_assert_true (cur->complete);
  g_assert_cmpint (cur->correct, ==, g0->correct);
  g_assert_cmpfloat (cur->top1, ==, g0->top1);
  g_assert_cmpfloat (cur->snr_mean_db, ==, g0->snr_mean_db);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 0.0);
  VsRunSettings now;
  vx_run_settings_load (&now, fx.settings);
  g_assert_true (vs_run_settings_equal (&now, &g0->settings));
  g_assert_true (vs_run_settings_equal (&cur->settings, &g0->settings));
  wait_idle ();
  g_assert_cmpstr (vx_window_get_accuracy_text (fx.win), !=, NULL);
  g_autofree char *shown = g_strdup_printf ("%.1f", 100 * g0->top1);
  g_assert_nonnull (strstr (vx_window_get_accuracy_text (fx.win), shown));
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.undo", NULL);
  wait_idle ();
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 5.0);

  /* at most VX_WINDOW_RUNS_MAX: the oldest go */
  for (int i = 1; i <= VX_WINDOW_RUNS_MAX; i++)
    {
      g_settings_set_double (fx.settings, "gamma", 0.1 * i);
      wait_idle ();
    }
  g_assert_cmpuint (vx_window_get_runs (fx.win, NULL), ==, VX_WINDOW_RUNS_MAX);
  g_assert_cmpfloat (fabs (run_at (0)->settings.xbar.gamma - 0.1 * VX_WINDOW_RUNS_MAX), <, 1e-12);
  g_assert_cmpfloat (fabs (run_at (VX_WINDOW_RUNS_MAX - 1)->settings.xbar.gamma - 0.1), <, 1e-12);
  g_assert_nonnull (gtk_list_box_get_row_at_index (fx.win->runs_list, VX_WINDOW_RUNS_MAX - 1));
  g_assert_null (gtk_list_box_get_row_at_index (fx.win->runs_list, VX_WINDOW_RUNS_MAX));
  g_settings_reset (fx.settings, "gamma");
  wait_idle ();
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  test_explorer_open (&fx, 128);

  g_test_add_func ("/explorer-compare/run-history", test_run_history);
  int status = g_test_run ();

  test_explorer_close (&fx);
  return status;
}
