/* test-explorer-compare.c: the explorer under Xvfb: the run history (the last results, restored
 * with their settings from the cache) and the Sweeps view's comparisons: hover values,
 * click to apply, out-of-date marks, any parameter on the x axis, several seeds */
#define G_LOG_DOMAIN "test-explorer-compare"
#include "config.h"

#include <math.h>

#include "test-explorer-window.h"
#include "vx-chart-view.h"
#include "vx-sweep-axis.h"

static TestExplorer fx;

#define WAIT_MS_SWEEPS 600000

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

/* ---- the Sweeps view ------------------------------------------------------------------------- */

/* the layout of card's last draw, once it shows data */
static const VxChartLayout *
drawn_layout (VxChartCard *card)
{
  GtkWidget *view = vx_chart_card_get_view (card);
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gtk_widget_queue_draw (view);
  const VxChartLayout *l;
  while (!(l = vx_chart_view_get_layout (VX_CHART_VIEW (view))) || l->no_data
         || l->plot.width <= 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
    }
  /* and once more after the last change */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  return vx_chart_view_get_layout (VX_CHART_VIEW (view));
}

static VxChartCard *
card (const char *name)
{
  return vx_window_get_card (fx.win, name);
}

static void
run_sweeps (VxSweepsView *sv)
{
  vx_sweeps_view_run (sv);
  gint64 end = g_get_monotonic_time () + test_wait_ms (WAIT_MS_SWEEPS) * G_TIME_SPAN_MILLISECOND;
  while (vx_sweeps_view_is_running (sv))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_sweeps (void)
{
  VxSweepsView *sv = vx_window_get_sweeps_view (fx.win);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "sweeps");
  vx_sweeps_view_set_images (sv, 32);
  run_sweeps (sv);
  g_assert_cmpuint (vx_sweeps_view_get_done (sv), ==,
                    VX_SWEEP_N_X * VX_SWEEP_N_VARIANTS + VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS);
  g_assert_false (vx_sweeps_view_is_stale (sv, FALSE));
  g_assert_false (vx_sweeps_view_is_stale (sv, TRUE));
  g_assert_nonnull (strstr (vx_sweeps_view_get_status (sv), "Hover a point"));

  /* hover: the point of ClipFormer (2, 0.25) at γ 5 is found near where it is drawn */
  VxChartCard *lines = card ("sweep-accuracy-vs-gamma");
  const VxChartLayout *l = drawn_layout (lines);
  const VxChartLines *lm = &vx_chart_card_get_box (lines)->u.lines;
  double y5 = lm->series[4].y[5];
  double px = vx_chart_layout_x_to_px (l, 5.0), py = vx_chart_layout_y_to_px (l, y5);
  int i = vx_sweeps_view_point_at (sv, lines, px + 3, py - 2);
  g_assert_cmpint (i, ==, vx_sweeps_view_line_point (4, 5));
  g_assert_cmpint (vx_sweeps_view_point_at (sv, lines, l->plot.x - 30, l->plot.y - 30), ==, -1);
  g_autofree char *tip = vx_sweeps_view_describe_point (sv, i);
  g_autofree char *want = g_strdup_printf ("ClipFormer (2, 0.25) at Write-noise factor γ 5: %.1f %% top-1", y5);
  g_test_message ("%s", tip);
  g_assert_true (g_str_has_prefix (tip, want));

  /* a heatmap cell: its value, and a click applies (α 2, β 0.25) as one undo step */
  VxChartCard *heat = card ("sweep-alpha-beta");
  l = drawn_layout (heat);
  VxChartRect r = vx_chart_layout_cell (l, 1, 2);    /* beta 0.25, alpha 2 */
  i = vx_sweeps_view_point_at (sv, heat, r.x + r.width / 2, r.y + r.height / 2);
  g_assert_cmpint (i, ==, vx_sweeps_view_cell_point (2, 1));
  g_free (tip);
  tip = vx_sweeps_view_describe_point (sv, i);
  double v = vx_chart_card_get_box (heat)->u.heatmap.values[1 * VX_SWEEP_N_ALPHAS + 2];
  g_free (want);
  want = g_strdup_printf ("ClipFormer (2, 0.25) at Write-noise factor γ 3: %.1f %% top-1", v);
  g_assert_true (g_str_has_prefix (tip, want));
  g_assert_false (g_settings_get_boolean (fx.settings, "clipformer"));
  vx_sweeps_view_apply_point (sv, i);
  wait_idle ();
  g_assert_true (g_settings_get_boolean (fx.settings, "clipformer"));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "alpha"), ==, 2.0);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "beta"), ==, 0.25);
  g_assert_cmpint (g_settings_get_int (fx.settings, "test-images"), ==, 128);
  g_assert_false (vx_sweeps_view_is_stale (sv, TRUE));
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.undo", NULL);
  wait_idle ();
  g_assert_false (g_settings_get_boolean (fx.settings, "clipformer"));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "beta"), ==, 1.0);

  /* out of date: γ only the heatmap; the ON/OFF ratio both */
  g_settings_set_double (fx.settings, "gamma", 5.0);
  wait_idle ();
  g_assert_false (vx_sweeps_view_is_stale (sv, FALSE));
  g_assert_true (vx_sweeps_view_is_stale (sv, TRUE));
  g_test_message ("%s", vx_sweeps_view_get_status (sv));
  g_assert_true (g_str_has_prefix (vx_sweeps_view_get_status (sv), "The heatmap is out of date"));
  g_assert_nonnull (strstr (vx_sweeps_view_get_status (sv), "γ 5 (was 3)"));
  drawn_layout (heat);
  g_assert_true (g_str_has_prefix (vx_chart_card_get_box (heat)->u.heatmap.base.subtitle,
                                   "Out of date · "));
  g_settings_set_double (fx.settings, "on-off-ratio", 50);
  wait_idle ();
  g_assert_true (vx_sweeps_view_is_stale (sv, FALSE));
  g_test_message ("%s", vx_sweeps_view_get_status (sv));
  g_assert_true (g_str_has_prefix (vx_sweeps_view_get_status (sv), "Both charts are out of date"));
  g_assert_nonnull (strstr (vx_sweeps_view_get_status (sv), "ON/OFF ratio 50 × (was 100 ×)"));
  g_assert_true (g_str_has_prefix (vx_chart_card_get_box (lines)->u.lines.base.subtitle,
                                   "Out of date · "));
  g_settings_reset (fx.settings, "on-off-ratio");
  g_settings_reset (fx.settings, "gamma");
  wait_idle ();
  g_assert_false (vx_sweeps_view_is_stale (sv, FALSE));
  g_assert_false (vx_sweeps_view_is_stale (sv, TRUE));
  g_assert_null (strstr (vx_sweeps_view_get_status (sv), "out of date"));

  /* a point of the lines: its γ and ClipFormer setting; then the heatmap is out of date */
  vx_sweeps_view_apply_point (sv, vx_sweeps_view_line_point (0, 8));
  wait_idle ();
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 8.0);
  g_assert_false (g_settings_get_boolean (fx.settings, "clipformer"));
  g_assert_true (vx_sweeps_view_is_stale (sv, TRUE));
  g_settings_reset (fx.settings, "gamma");
  wait_idle ();
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "overview");
}

/* the x axis: any numeric parameter with a control; several seeds give mean and spread */
static void
test_sweeps_axis_and_seeds (void)
{
  /* the values across the controls' range */
  double x[VX_SWEEP_AXIS_MAX_VALUES];
  guint n = vx_sweep_axis_values (vx_sweep_axis_by_json_key ("gamma"), x);
  g_assert_cmpuint (n, ==, 9);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (x[i], ==, i);
  n = vx_sweep_axis_values (vx_sweep_axis_by_json_key ("bits_per_cell"), x);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (x[0], ==, 1);
  g_assert_cmpfloat (x[3], ==, 8);
  n = vx_sweep_axis_values (vx_sweep_axis_by_json_key ("on_off"), x);
  g_assert_cmpfloat (x[0], ==, 2);
  g_assert_cmpfloat (x[n - 1], ==, 1000);
  for (guint i = 1; i < n; i++)
    g_assert_cmpfloat (x[i] / x[i - 1], >, 1.5);    /* geometric */
  g_assert_null (vx_sweep_axis_by_json_key ("alpha"));
  g_assert_null (vx_sweep_axis_by_json_key ("images"));
  g_assert_nonnull (vx_sweep_axis_by_json_key ("outlier_scale"));

  VxSweepsView *sv = vx_window_get_sweeps_view (fx.win);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "sweeps");
  g_assert_false (vx_sweeps_view_set_x_param (sv, "alpha"));
  g_assert_true (vx_sweeps_view_set_x_param (sv, "sigma_r"));
  vx_sweeps_view_set_seeds (sv, 3);
  vx_sweeps_view_set_images (sv, 32);
  run_sweeps (sv);
  VxChartCard *lines = card ("sweep-accuracy-vs-sigma_r");
  g_assert_nonnull (lines);
  g_assert_cmpstr (vx_chart_card_get_title (lines), ==, "Accuracy vs read noise σR");
  const VxChartLines *m = &vx_chart_card_get_box (lines)->u.lines;
  g_autofree char *title = vx_sweep_axis_title (vx_sweep_axis_by_json_key ("sigma_r"));
  g_assert_cmpstr (m->x_title, ==, title);
  g_assert_nonnull (strstr (m->base.subtitle, "mean of 3 seeds"));
  n = vx_sweep_axis_values (vx_sweep_axis_by_json_key ("sigma_r"), x);
  g_assert_cmpuint (m->series[0].n_points, ==, n);

  /* one point again: three evaluations with the seeds 0, 1, 2; the curve shows their
   * mean, its error bar their sample standard deviation */
  const VsRunSettings *run = vx_worker_get_settings (vx_window_get_worker (fx.win));
  VsSharedModel *model = vx_window_get_model (fx.win);
  VsSharedData *data = vx_window_get_data (fx.win);
  guint k = n - 1;
  double acc[3], sum = 0, ss = 0;
  for (int seed = 0; seed < 3; seed++)
    {
      VsRunSettings s = *run;
      s.xbar.sigma_r = x[k];
      s.xbar.clipformer = FALSE;
      s.xbar.seed = run->xbar.seed + seed;
      s.repeats = 1;
      double lo, hi;
      g_assert_true (vs_compute_point (model->model, data->data, &s, 32, NULL, NULL, &acc[seed],
                                       &lo, &hi, NULL, NULL));
      sum += acc[seed];
    }
  double mean = sum / 3;
  for (int seed = 0; seed < 3; seed++)
    ss += (acc[seed] - mean) * (acc[seed] - mean);
  double sd = sqrt (ss / 2);
  g_test_message ("σR %g: %g %g %g, mean %g, std %g", x[k], acc[0], acc[1], acc[2], mean, sd);
  g_assert_cmpfloat (fabs (m->series[0].x[k] - x[k]), <, 1e-12);
  g_assert_cmpfloat (fabs (m->series[0].y[k] - 100 * mean), <, 1e-9);
  g_assert_cmpfloat (fabs (m->series[0].y_err[k] - 100 * sd), <, 1e-9);
  g_assert_cmpfloat (sd, >, 0);
  int i = vx_sweeps_view_line_point (0, k);
  g_autofree char *tip = vx_sweeps_view_describe_point (sv, i);
  g_autofree char *want = g_strdup_printf ("Untransformed at Read noise σR %g: %.1f %% top-1 "
                                           "(mean of 3 seeds, standard deviation %.1f points",
                                           x[k], 100 * mean, 100 * sd);
  g_assert_true (g_str_has_prefix (tip, want));
  /* σR is on the axis: changing it does not make the curves out of date */
  g_settings_set_double (fx.settings, "sigma-r", 0.2);
  wait_idle ();
  g_assert_false (vx_sweeps_view_is_stale (sv, FALSE));
  g_assert_true (vx_sweeps_view_is_stale (sv, TRUE));
  g_settings_reset (fx.settings, "sigma-r");
  wait_idle ();
  vx_sweeps_view_set_x_param (sv, "gamma");
  vx_sweeps_view_set_seeds (sv, 1);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "overview");
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  test_explorer_open (&fx, 128);

  g_test_add_func ("/explorer-compare/run-history", test_run_history);
  g_test_add_func ("/explorer-compare/sweeps", test_sweeps);
  g_test_add_func ("/explorer-compare/sweeps-axis-and-seeds", test_sweeps_axis_and_seeds);
  int status = g_test_run ();

  test_explorer_close (&fx);
  return status;
}
