/* test-explorer-physics.c: the explorer under Xvfb: the accuracy's change, a pinned baseline, the Sample view's shared scale and misclassified images, the written K/V histogram */
#define G_LOG_DOMAIN "test-explorer-physics"
#include "config.h"

#include <math.h>

#include "test-explorer-window.h"
#include "vs-result-charts.h"

static TestExplorer fx;

static void
wait_idle (void)
{
  test_explorer_wait_idle (&fx);
}

static VsRunResult *
result (void)
{
  VsRunResult *r = vx_window_get_last_result (fx.win);
  g_assert_nonnull (r);
  g_assert_true (r->complete);
  return r;
}

/* "−7.0 points vs ideal": the number and its sign, and the colour that goes with them */
static void
assert_delta (double against, const char *what)
{
  double d = 100.0 * (result ()->top1 - against);
  const char *text = vx_window_get_delta_text (fx.win);
  g_test_message ("delta: %s (%.3f)", text, d);
  g_assert_nonnull (strstr (text, what));
  g_autofree char *number = g_strdup_printf ("%.1f points", fabs (d));
  g_assert_nonnull (strstr (text, number));
  GtkWidget *w = GTK_WIDGET (fx.win->delta_label);
  if (fabs (d) < 0.05)
    g_assert_true (g_str_has_prefix (text, "±"));
  else
    {
      g_assert_true (g_str_has_prefix (text, d > 0 ? "+" : "−"));
      g_assert_true (gtk_widget_has_css_class (w, d > 0 ? "vx-delta-up" : "vx-delta-down"));
      g_assert_false (gtk_widget_has_css_class (w, d > 0 ? "vx-delta-down" : "vx-delta-up"));
    }
}

static void
test_delta_and_baseline (void)
{
  g_settings_set_double (fx.settings, "gamma", 0.0);
  wait_idle ();
  assert_delta (vx_worker_get_ideal (vx_window_get_worker (fx.win)), "vs ideal");
  g_autoptr (VsRunResult) base = vs_run_result_ref (result ());

  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.pin-baseline", NULL);
  g_assert_true (fx.win->baseline == base);
  g_settings_set_double (fx.settings, "gamma", 5.0);
  wait_idle ();
  g_assert_cmpfloat (result ()->top1, <, base->top1);
  assert_delta (base->top1, "vs baseline");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fx.win->delta_label), "vx-delta-down"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx.win->baseline_label)));
  VsChartBox *snr = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpuint (snr->u.bars.n_series, ==, 3);
  for (int b = 0; b < base->depth; b++)
    g_assert_cmpfloat (snr->u.bars.series[2].values[b], ==, base->snr_db[b]);
  g_assert_cmpfloat (snr->u.bars.series[2].summary, ==, base->snr_mean_db);

  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.pin-baseline", NULL);
  g_assert_null (fx.win->baseline);
  snr = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpuint (snr->u.bars.n_series, ==, 2);
  assert_delta (vx_worker_get_ideal (vx_window_get_worker (fx.win)), "vs ideal");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx.win->baseline_label)));
}

/* the SRAM preset is noise-free digital compute: ClipFormer off, and its accuracy
 * is the ideal one, which the readout shows as no change */
static void
test_sram_preset_is_ideal (void)
{
  g_settings_set_double (fx.settings, "gamma", 5.0);
  g_settings_set_boolean (fx.settings, "clipformer", TRUE);
  wait_idle ();
  double ideal = vx_worker_get_ideal (vx_window_get_worker (fx.win));
  g_assert_cmpfloat (result ()->top1, <, ideal);
  /* the radar says where the SRAM costs come from */
  VsChartBox *radar = vx_chart_card_get_box (vx_window_get_card (fx.win, "radar"));
  g_assert_nonnull (strstr (radar->u.radar.base.subtitle, "costs fitted to Fig. 1a"));

  vx_settings_apply_preset (fx.settings, VX_XBAR_PRESET_SRAM_IMC);
  wait_idle ();
  g_assert_cmpint (vx_settings_matching_preset (fx.settings), ==, VX_XBAR_PRESET_SRAM_IMC);
  g_assert_false (g_settings_get_boolean (fx.settings, "clipformer"));
  g_test_message ("SRAM preset: %.4f, ideal %.4f", result ()->top1, ideal);
  g_assert_cmpfloat (result ()->top1, ==, ideal);
  assert_delta (ideal, "vs ideal");

  vx_settings_apply_preset (fx.settings, VX_XBAR_PRESET_RRAM_PAPER);
  wait_idle ();
}

static void
test_sample (void)
{
  g_settings_set_int (fx.settings, "sample-index", 0);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "sample");
  wait_idle ();
  VxSampleView *sv = vx_window_get_sample_view (fx.win);
  const VsSampleResult *s = vx_sample_view_get_result (sv);
  g_assert_nonnull (s);

  /* one colour scale for both attention maps: the range of both */
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->grid * s->grid; i++)
    {
      lo = MIN (lo, MIN (s->attn_ideal[i], s->attn_noisy[i]));
      hi = MAX (hi, MAX (s->attn_ideal[i], s->attn_noisy[i]));
    }
  const VxChartImage *a = &vx_chart_card_get_box (vx_window_get_card (fx.win, "sample-attention-ideal"))->u.image;
  const VxChartImage *b = &vx_chart_card_get_box (vx_window_get_card (fx.win, "sample-attention-noisy"))->u.image;
  g_assert_cmpfloat (a->overlay_min, ==, lo);
  g_assert_cmpfloat (a->overlay_max, ==, hi);
  g_assert_cmpfloat (b->overlay_min, ==, lo);
  g_assert_cmpfloat (b->overlay_max, ==, hi);

  /* at gamma 5 some images are wrong: the next one is found, none skipped before it */
  int start = s->index;
  vx_sample_view_next_misclassified (sv);
  wait_idle ();
  s = vx_sample_view_get_result (sv);
  g_assert_cmpint (s->index, >, start);
  g_assert_cmpint (s->pred_noisy, !=, s->label);
  g_assert_cmpint (g_settings_get_int (fx.settings, "sample-index"), ==, s->index);
  const VsRunSettings *run = vx_worker_get_settings (vx_window_get_worker (fx.win));
  VsSharedModel *m = vx_window_get_model (fx.win);
  VsSharedData *d = vx_window_get_data (fx.win);
  for (int i = start + 1; i < s->index; i++)
    {
      VsSampleResult r = { 0 };
      g_autoptr (GError) error = NULL;
      g_assert_true (vs_compute_sample (m->model, d->data, run, i, s->block, &r, &error));
      g_assert_cmpint (r.pred_noisy, ==, r.label);
      vs_sample_result_clear (&r);
    }
  VsSampleResult again = { 0 };
  g_assert_true (vs_compute_sample (m->model, d->data, run, s->index, s->block, &again, NULL));
  g_assert_cmpint (again.pred_noisy, ==, s->pred_noisy);
  vs_sample_result_clear (&again);
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.show-view", "s", "overview");
}

/* spread (standard deviation, in bins) of a histogram series */
static double
series_spread (const VxChartHistogram *m, guint series)
{
  double n = 0, s1 = 0, s2 = 0;
  for (guint k = 0; k < m->n_bins; k++)
    {
      double c = m->series[series].counts[k];
      n += c;
      s1 += c * k;
      s2 += c * k * k;
    }
  g_assert_cmpfloat (n, >, 0);
  return sqrt (s2 / n - (s1 / n) * (s1 / n));
}

static void
test_histogram_written (void)
{
  /* the card's "Written" choice: as programmed against as written */
  g_settings_set_enum (fx.settings, "hist-stage", VS_HIST_WRITTEN);
  g_assert_cmpuint (gtk_drop_down_get_selected (fx.win->stage_dropdown), ==, 3);
  g_settings_set_double (fx.settings, "gamma", 0.0);
  wait_idle ();
  const VxChartHistogram *m = &vx_chart_card_get_box (vx_window_get_card (fx.win, "kv-histogram"))->u.histogram;
  g_assert_cmpuint (m->n_series, ==, 2);
  g_assert_cmpstr (m->series[1].label, ==, "As written (after write noise)");
  for (guint k = 0; k < m->n_bins; k++)
    g_assert_cmpfloat (m->series[0].counts[k], ==, m->series[1].counts[k]);
  g_assert_nonnull (strstr (m->base.subtitle, "0.0 % of cells written outside"));
  double flat = series_spread (m, 1);

  g_settings_set_double (fx.settings, "gamma", 5.0);
  wait_idle ();
  m = &vx_chart_card_get_box (vx_window_get_card (fx.win, "kv-histogram"))->u.histogram;
  g_assert_cmpuint (m->n_series, ==, 2);
  g_assert_cmpfloat (series_spread (m, 1), >, series_spread (m, 0));
  g_assert_cmpfloat (series_spread (m, 1), >, flat);
  /* the share the subtitle names is the result's */
  VsRunResult *r = result ();
  const VxXbarHist *h = vs_run_result_hist (r, g_settings_get_int (fx.settings, "hist-block"),
                                            g_settings_get_enum (fx.settings, "hist-matrix"));
  guint64 out = h->below[0] + h->below[1] + h->above[0] + h->above[1];
  g_assert_cmpuint (out, >, 0);
  g_autofree char *share = g_strdup_printf ("%.1f %% of cells written outside",
                                            100.0 * out / (h->cells[2][0] + h->cells[2][1]));
  g_assert_nonnull (strstr (m->base.subtitle, share));
  g_settings_reset (fx.settings, "hist-stage");
  g_settings_reset (fx.settings, "gamma");
  wait_idle ();
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  test_explorer_open (&fx, 128);

  g_test_add_func ("/explorer-physics/delta-and-baseline", test_delta_and_baseline);
  g_test_add_func ("/explorer-physics/sample-scale-and-misclassified", test_sample);
  g_test_add_func ("/explorer-physics/histogram-written", test_histogram_written);
  g_test_add_func ("/explorer-physics/sram-preset-is-ideal", test_sram_preset_is_ideal);
  int status = g_test_run ();

  test_explorer_close (&fx);
  return status;
}
