/* test-xbar-snr.c: SNR (eq. 4), the evaluation driver, histograms and K/V statistics */
#define G_LOG_DOMAIN "test-xbar-snr"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

/* ---- SNR arithmetic ---------------------------------------------------------------------- */

static void
test_snr_synthetic (void)
{
  gboolean capped = TRUE;
  g_assert_cmpfloat_with_epsilon (vx_xbar_snr_db (1.0, 0.01, &capped), 20.0, 1e-12);
  g_assert_false (capped);

  /* noisy = ideal (1 + eps): ||X - X'||^2 = eps^2 ||X||^2, SNR = -20 log10 eps */
  size_t n = 5000;
  float *x = g_new (float, n), *y = g_new (float, n);
  VxRng r;
  vx_rng_init (&r, 3);
  vx_rng_normal_fill (&r, x, n);
  double eps[] = { 0.5, 0.1, 1.0 / 64, 1e-3 };
  for (guint i = 0; i < G_N_ELEMENTS (eps); i++)
    {
      for (size_t j = 0; j < n; j++)
        y[j] = (float) (x[j] * (1.0 + eps[i]));
      double s = 0, e = 0;
      vx_xbar_snr_accumulate (&s, &e, x, y, n / 2);
      vx_xbar_snr_accumulate (&s, &e, x + n / 2, y + n / 2, n - n / 2);   /* pooled */
      double db = vx_xbar_snr_db (s, e, &capped);
      g_assert_false (capped);
      g_assert_cmpfloat (fabs (db + 20 * log10 (eps[i])), <, 1e-3);
    }
  /* independent noise of a tenth of the signal's power: 10 dB */
  for (size_t j = 0; j < n; j++)
    y[j] = x[j] + (float) sqrt (0.1) * vx_rng_normal (&r);
  double s = 0, e = 0;
  vx_xbar_snr_accumulate (&s, &e, x, y, n);
  g_assert_cmpfloat (fabs (vx_xbar_snr_db (s, e, NULL) - 10.0), <, 0.3);

  /* identical outputs: +inf reported as the finite cap, flagged */
  s = e = 0;
  vx_xbar_snr_accumulate (&s, &e, x, x, n);
  g_assert_cmpfloat (e, ==, 0.0);
  g_assert_cmpfloat (vx_xbar_snr_db (s, e, &capped), ==, VX_XBAR_SNR_CAP_DB);
  g_assert_true (capped);
  g_assert_cmpfloat (vx_xbar_snr_db (1.0, 1e-30, &capped), ==, VX_XBAR_SNR_CAP_DB);
  g_assert_true (capped);
  g_assert_cmpfloat (vx_xbar_snr_db (0.0, 1.0, &capped), ==, -VX_XBAR_SNR_CAP_DB);
  g_assert_true (capped);
  g_free (x);
  g_free (y);
}

/* ---- the evaluation driver ------------------------------------------------------------------- */

static void
run_eval (const VxModel *m, const VxDataset *ds, const VxXbarConfig *c, VxSnrMode snr,
          VxXbarEvalResult *r)
{
  VxXbarEvalOpts o = { 0 };
  o.batch = 8;
  o.snr = snr;
  o.observe = TRUE;
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_xbar_eval_run (m, ds, c, &o, r, &err));
  g_assert_no_error (err);
}

static void
test_identical_capped (void)
{
  VxModel *m = xbar_test_model (2, 2, 1);
  g_autoptr (VxDataset) ds = xbar_test_dataset (10, 1, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.analog = 0;
  VxXbarEvalResult r;
  run_eval (m, ds, &c, VX_SNR_END_TO_END, &r);
  for (int b = 0; b < 2; b++)
    {
      g_assert_cmpfloat (r.snr_db[b], ==, VX_XBAR_SNR_CAP_DB);
      g_assert_true (r.snr_capped[b]);
      g_assert_cmpfloat (r.snr_error[b], ==, 0.0);
      g_assert_cmpfloat (r.snr_signal[b], >, 0.0);
    }
  g_assert_cmpfloat (r.snr_mean_db, ==, VX_XBAR_SNR_CAP_DB);
  g_autoptr (JsonNode) j = vx_xbar_eval_result_to_json (&r);
  g_autofree char *s = json_to_string (j, FALSE);
  g_assert_nonnull (strstr (s, "\"snr_cap_db\":200"));
  g_assert_nonnull (strstr (s, "\"snr_capped\":[true,true]"));
  vx_xbar_eval_result_clear (&r);
  vx_model_free (m);
}

static void
test_local_vs_end_to_end (void)
{
  VxModel *m = xbar_test_model (3, 2, 2);
  g_autoptr (VxDataset) ds = xbar_test_dataset (16, 2, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 4;
  VxXbarEvalResult e2e, loc;
  run_eval (m, ds, &c, VX_SNR_END_TO_END, &e2e);
  run_eval (m, ds, &c, VX_SNR_LOCAL, &loc);
  /* block 0 sees the same (digital) input either way */
  g_assert_cmpfloat (fabs (e2e.snr_db[0] - loc.snr_db[0]), <, 1e-4);
  g_assert_cmpfloat (fabs (e2e.snr_signal[0] / loc.snr_signal[0] - 1), <, 1e-6);
  /* later blocks: end-to-end also counts the noise accumulated upstream */
  for (int b = 1; b < 3; b++)
    {
      g_assert_cmpfloat (e2e.snr_db[b], !=, loc.snr_db[b]);
      g_assert_false (e2e.snr_capped[b]);
    }
  g_assert_cmpfloat (e2e.snr_db[2], <, loc.snr_db[2]);
  /* the same noisy network: the same accuracy */
  g_assert_cmpfloat (e2e.top1_mean, ==, loc.top1_mean);
  double mean = (e2e.snr_db[0] + e2e.snr_db[1] + e2e.snr_db[2]) / 3;
  g_assert_cmpfloat_with_epsilon (e2e.snr_mean_db, mean, 1e-9);
  vx_xbar_eval_result_clear (&e2e);
  vx_xbar_eval_result_clear (&loc);
  vx_model_free (m);
}

static void
test_gamma_trend (void)
{
  VxModel *m = xbar_test_model (2, 2, 3);
  g_autoptr (VxDataset) ds = xbar_test_dataset (16, 3, -1);
  double prev = INFINITY;
  double gammas[] = { 0, 1, 3, 5 };
  for (guint i = 0; i < G_N_ELEMENTS (gammas); i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.gamma = gammas[i];
      VxXbarEvalResult r;
      run_eval (m, ds, &c, VX_SNR_END_TO_END, &r);
      g_test_message ("gamma %g: <SNR> %.2f dB", gammas[i], r.snr_mean_db);
      g_assert_cmpfloat (r.snr_mean_db, <, prev);
      prev = r.snr_mean_db;
      vx_xbar_eval_result_clear (&r);
    }
  vx_model_free (m);
}

typedef struct {
  GArray *stages;
  int last_done, total;
  gboolean first_had_data;
  int cancel_after;
  int calls;
} StageLog;

static void
on_stage (void *user, VxXbarStage stage, const VxXbarEvalResult *p)
{
  StageLog *l = user;
  g_array_append_val (l->stages, stage);
  if (stage == VX_XBAR_STAGE_FIRST_BATCH)
    {
      guint64 cells = p->hists[0].cells[0][0];
      l->first_had_data = p->repeats_done == 0 && p->snr_images > 0 && cells > 0
                          && isfinite (p->snr_db[0]) && p->snr_db[0] < VX_XBAR_SNR_CAP_DB
                          && p->kv_stats[0].groups > 0;
    }
}

static void
on_progress (void *user, int done, int total)
{
  StageLog *l = user;
  g_assert_cmpint (done, >, l->last_done);
  l->last_done = done;
  l->total = total;
  l->calls++;
}

static gboolean
on_cancelled (void *user)
{
  StageLog *l = user;
  return l->cancel_after > 0 && l->calls >= l->cancel_after;
}

static void
test_staged (void)
{
  VxModel *m = xbar_test_model (2, 2, 4);
  g_autoptr (VxDataset) ds = xbar_test_dataset (20, 4, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 5;
  StageLog log = { g_array_new (FALSE, FALSE, sizeof (VxXbarStage)), 0, 0, FALSE, 0, 0 };
  VxXbarEvalOpts o = { 0 };
  o.repeats = 3;
  o.batch = 8;
  o.snr = VX_SNR_END_TO_END;
  o.snr_limit = 8;
  o.observe = TRUE;
  o.stage = on_stage;
  o.progress = on_progress;
  o.cancelled = on_cancelled;
  o.user = &log;
  VxXbarEvalResult r;
  g_assert_true (vx_xbar_eval_run (m, ds, &c, &o, &r, NULL));

  VxXbarStage want[] = { VX_XBAR_STAGE_FIRST_BATCH, VX_XBAR_STAGE_REPEAT, VX_XBAR_STAGE_REPEAT,
                         VX_XBAR_STAGE_REPEAT, VX_XBAR_STAGE_DONE };
  g_assert_cmpmem (log.stages->data, log.stages->len * sizeof (VxXbarStage), want, sizeof want);
  g_assert_true (log.first_had_data);
  g_assert_cmpint (log.last_done, ==, 60);
  g_assert_cmpint (log.total, ==, 60);
  /* SNR and observations on the first batch of repeat 0 only (snr_limit 8) */
  g_assert_cmpint (r.snr_images, ==, 8);
  g_assert_cmpint (r.observed_images, ==, 8);
  g_assert_cmpuint (r.kv_stats[0].groups, ==, 8 * 2);

  /* accuracy: mean and sample sd of the runs, Wilson interval of the pooled runs */
  g_assert_cmpint (r.repeats_done, ==, 3);
  double mean, sd = xbar_test_std (r.top1, 3, &mean);
  g_assert_cmpfloat_with_epsilon (r.top1_mean, mean, 1e-12);
  g_assert_cmpfloat_with_epsilon (r.top1_std, sd, 1e-12);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat_with_epsilon (r.top1[i], r.top1_correct[i] / 20.0, 1e-12);
  double lo, hi;
  vx_wilson_interval (r.top1_correct[0] + r.top1_correct[1] + r.top1_correct[2], 60, &lo, &hi);
  g_assert_cmpfloat (r.top1_lo, ==, lo);
  g_assert_cmpfloat (r.top1_hi, ==, hi);
  g_assert_cmpfloat (r.top1_lo, <=, r.top1_mean);
  g_assert_cmpfloat (r.top1_hi, >=, r.top1_mean);
  g_autoptr (JsonNode) j = vx_xbar_eval_result_to_json (&r);
  JsonObject *jo = json_node_get_object (j);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (jo, "top1_runs")), ==, 3);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (jo, "snr_db")), ==, 2);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (jo, "kv_stats")), ==, 2);
  g_assert_true (json_object_has_member (jo, "config"));
  g_assert_true (json_object_has_member (jo, "top1_std"));
  vx_xbar_eval_result_clear (&r);

  /* cancel after the second batch */
  g_array_set_size (log.stages, 0);
  log.last_done = log.calls = 0;
  log.cancel_after = 2;
  g_autoptr (GError) err = NULL;
  g_assert_false (vx_xbar_eval_run (m, ds, &c, &o, &r, &err));
  g_assert_error (err, VX_ERROR, VX_ERROR_CANCELLED);
  g_assert_null (r.top1);
  g_array_unref (log.stages);
  vx_model_free (m);
}

/* ---- histograms ----------------------------------------------------------------------------------- */

static void
test_histograms (void)
{
  VxModel *m = xbar_test_model (2, 2, 5);
  g_autoptr (VxDataset) ds = xbar_test_dataset (12, 5, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.clipformer = TRUE;
  c.alpha = 2;
  c.beta = 0.25;
  VxXbarEvalOpts o = { 0 };
  o.batch = 5;
  o.observe = TRUE;
  o.hist_bins = 64;
  VxXbarEvalResult r;
  g_assert_true (vx_xbar_eval_run (m, ds, &c, &o, &r, NULL));
  guint64 values = 12 * 17 * 32;    /* images x tokens x (heads x Dh) per block */
  for (int i = 0; i < 4; i++)
    {
      const VxXbarHist *h = &r.hists[i];
      g_assert_cmpint (h->bins, ==, 64);
      g_assert_cmpfloat (h->g_lo, ==, 0.1);
      g_assert_cmpfloat (h->g_hi, ==, 10.0);
      for (int s = 0; s < 2; s++)
        {
          guint64 total[2] = { 0, 0 };
          for (int a = 0; a < 2; a++)
            {
              for (int k = 0; k < 64; k++)
                total[a] += vx_xbar_hist_row (h, s, a)[k];
              g_assert_cmpuint (total[a], ==, values);
              g_assert_cmpuint (h->cells[s][a], ==, values);
              /* every cell at G_min is in the first bin */
              g_assert_cmpuint (vx_xbar_hist_row (h, s, a)[0], >=, h->at_gmin[s][a]);
            }
          /* one array of each pair idles at G_min */
          g_assert_cmpfloat (vx_xbar_hist_frac_at_gmin (h, s), >=, 0.5);
        }
      /* per-head w_max: the largest value maps to the top level; ClipFormer leaves 61 */
      g_assert_cmpint (h->max_level[0], ==, 255);
      g_assert_cmpint (vx_xbar_hist_bits_needed (h, 0), ==, 8);
      g_assert_cmpint (h->max_level[1], ==, 61);
      g_assert_cmpint (vx_xbar_hist_bits_needed (h, 1), ==, 6);
      g_assert_cmpfloat (vx_xbar_hist_frac_at_gmin (h, 1), >=, vx_xbar_hist_frac_at_gmin (h, 0));
      /* after ClipFormer nothing sits above beta G_max = 2.5 uS: bins beyond 2.4/9.9 */
      for (int a = 0; a < 2; a++)
        for (int k = (int) (64 * 2.4 / 9.9) + 1; k < 64; k++)
          g_assert_cmpuint (vx_xbar_hist_row (h, 1, a)[k], ==, 0);
      const VxKvStats *st = &r.kv_stats[i];
      g_assert_cmpuint (st->values, ==, values);
      g_assert_cmpuint (st->groups, ==, 12 * 2);
      g_assert_cmpint (st->max_level, ==, 61);
      g_assert_cmpint (st->bits_used, ==, 6);
      /* zeroed values are active cells at G_min after the transform */
      guint64 active_zero = h->at_gmin[1][0] + h->at_gmin[1][1] - values;
      g_assert_cmpuint ((guint64) llround (st->share_zeroed * values), <=, active_zero);
    }
  GString *csv = g_string_new (NULL);
  vx_xbar_hists_to_csv (&r, FALSE, csv);
  g_assert_true (g_str_has_prefix (csv->str, "block,matrix,stage,array,bin,g_lo_us,g_hi_us,count\n"));
  int lines = 0;
  for (const char *p = csv->str; *p; p++)
    lines += *p == '\n';
  g_assert_cmpint (lines, ==, 1 + 2 * 2 * 2 * 2 * 64);
  g_string_free (csv, TRUE);
  g_autoptr (JsonNode) hj = vx_xbar_hists_to_json (&r, FALSE);
  g_assert_cmpint (json_array_get_length (json_node_get_array (hj)), ==, 4);
  vx_xbar_eval_result_clear (&r);
  vx_model_free (m);
}

/* ---- the written stage: K/V conductances after write noise ---------------------------------------- */

static void
eval_written (double gamma, VxXbarEvalResult *r, int bins)
{
  VxModel *m = xbar_test_model (2, 2, 5);
  g_autoptr (VxDataset) ds = xbar_test_dataset (12, 5, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.clipformer = FALSE;
  c.gamma = gamma;
  VxXbarEvalOpts o = { 0 };
  o.batch = 5;
  o.observe = TRUE;
  o.hist_bins = bins;
  g_assert_true (vx_xbar_eval_run (m, ds, &c, &o, r, NULL));
  vx_model_free (m);
}

static double
norm_cdf (double x)
{
  return 0.5 * erfc (-x / sqrt (2.0));
}

static void
test_written_gamma0 (void)
{
  /* no write noise: written = programmed, bin for bin (read noise, on by default,
   * is not part of it) */
  VxXbarEvalResult r;
  eval_written (0.0, &r, 64);
  for (int i = 0; i < r.depth * 2; i++)
    {
      const VxXbarHist *h = &r.hists[i];
      g_assert_true (vx_xbar_hist_has_written (h));
      for (int a = 0; a < 2; a++)
        {
          g_assert_cmpmem (vx_xbar_hist_row (h, 2, a), 64 * sizeof (guint64),
                           vx_xbar_hist_row (h, 1, a), 64 * sizeof (guint64));
          g_assert_cmpuint (h->cells[2][a], ==, h->cells[1][a]);
          g_assert_cmpuint (h->at_gmin[2][a], ==, h->at_gmin[1][a]);
          g_assert_cmpuint (h->below[a] + h->above[a], ==, 0);
        }
    }
  /* CSV: the default output has no written rows; with them, bins + 2 rows per array */
  GString *csv = g_string_new (NULL);
  vx_xbar_hists_to_csv (&r, FALSE, csv);
  g_assert_null (strstr (csv->str, "written"));
  gsize plain = csv->len;
  g_string_truncate (csv, 0);
  vx_xbar_hists_to_csv (&r, TRUE, csv);
  int lines = 0;
  for (const char *p = csv->str; *p; p++)
    lines += *p == '\n';
  g_assert_cmpint (lines, ==, 1 + r.depth * 2 * (2 * 2 * 64 + 2 * 66));
  g_assert_nonnull (strstr (csv->str, "\n0,K,written,G+,-1,-inf,0.1,0\n"));
  g_assert_cmpuint (csv->len, >, plain);
  g_string_free (csv, TRUE);
  vx_xbar_eval_result_clear (&r);
}

static void
test_written_gamma5 (void)
{
  /* 2 L bins: level p alone in bin 2p (L in the last), so the programmed
   * histogram gives each cell's level */
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  int L = vx_xbar_levels (&c), bins = 2 * L;
  double k = 5.0 * c.sigma_w * sqrt ((double) L);  /* write-noise std of level p: k sqrt(p) */
  VxXbarEvalResult r;
  eval_written (5.0, &r, bins);
  for (int i = 0; i < r.depth * 2; i++)
    {
      const VxXbarHist *h = &r.hists[i];
      double want_below = 0, want_above = 0, var_below = 0, var_above = 0;
      guint64 got_below = 0, got_above = 0;
      double mom[2][3] = { { 0 } };    /* [programmed, written] count, sum, sum of squares */
      for (int a = 0; a < 2; a++)
        {
          const guint64 *prog = vx_xbar_hist_row (h, 1, a), *wr = vx_xbar_hist_row (h, 2, a);
          guint64 in_range = 0;
          for (int b = 0; b < bins; b++)
            {
              in_range += wr[b];
              for (int s = 0; s < 2; s++)
                {
                  double n = (double) (s ? wr[b] : prog[b]);
                  mom[s][0] += n;
                  mom[s][1] += n * b;
                  mom[s][2] += n * b * b;
                }
              int p = b == bins - 1 ? L : b / 2;
              if (p == 0 || prog[b] == 0)
                continue;
              g_assert_true (b == bins - 1 || b % 2 == 0);
              /* eq. 3: level p + k sqrt(p) z, below 0 or above L */
              double pb = norm_cdf (-sqrt ((double) p) / k);
              double pa = norm_cdf (-(L - p) / (k * sqrt ((double) p)));
              want_below += prog[b] * pb;
              want_above += prog[b] * pa;
              var_below += prog[b] * pb * (1 - pb);
              var_above += prog[b] * pa * (1 - pa);
            }
          g_assert_cmpuint (in_range + h->below[a] + h->above[a], ==, h->cells[2][a]);
          g_assert_cmpuint (h->cells[2][a], ==, h->cells[1][a]);
          got_below += h->below[a];
          got_above += h->above[a];
        }
      g_assert_cmpfloat (want_below, >, 20);
      g_assert_cmpfloat (fabs (got_below - want_below), <, 5 * sqrt (var_below) + 1);
      g_assert_cmpfloat (fabs (got_above - want_above), <, 5 * sqrt (var_above) + 1);
      /* the spread of what stays in range grows */
      double sd[2];
      for (int s = 0; s < 2; s++)
        {
          double mean = mom[s][1] / mom[s][0];
          sd[s] = sqrt (mom[s][2] / mom[s][0] - mean * mean);
        }
      g_assert_cmpfloat (sd[1], >, 1.1 * sd[0]);
    }
  vx_xbar_eval_result_clear (&r);
}

/* ---- K/V statistics of a synthetic matrix --------------------------------------------------------- */

static void
test_kv_stats_synthetic (void)
{
  /* 10 tokens x 8 channels, row stride 9: channel 0 holds +8, +8, -8, -8 and six
   * zeros; channels 1..7 hold 40 values of +-1 and 30 zeros, every channel some */
  int rows = 10, cols = 8, ld = 9;
  float x[90];
  for (int i = 0; i < 90; i++)
    x[i] = 1e9f;    /* padding, must be ignored */
  for (int r = 0; r < rows; r++)
    {
      x[r * ld] = r < 2 ? 8.f : r < 4 ? -8.f : 0.f;
      for (int c = 1; c < cols; c++)
        {
          int i = r * 7 + (c - 1);
          x[r * ld + c] = i < 40 ? (i % 2 ? -1.f : 1.f) : 0.f;
        }
    }
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.alpha = 2;
  c.beta = 0.25;
  VxKvStats s;
  vx_xbar_kv_stats_compute (&c, &s, x, rows, cols, ld, 0);
  g_assert_cmpuint (s.values, ==, 80);
  g_assert_cmpuint (s.groups, ==, 1);
  /* mean |x| = (40 + 32) / 80 = 0.9 */
  g_assert_cmpfloat_with_epsilon (s.max_over_mean, 8 / 0.9, 1e-9);
  /* mean 0, m2 = (40 + 4 * 64) / 80, m4 = (40 + 4 * 4096) / 80 */
  double m2 = 296.0 / 80, m4 = 16424.0 / 80;
  g_assert_cmpfloat_with_epsilon (s.excess_kurtosis, m4 / (m2 * m2) - 3, 1e-9);
  /* channel maxima 8, 1 x 7: median 1 */
  g_assert_cmpfloat_with_epsilon (s.channel_max_ratio, 8.0, 1e-12);
  /* zeroed: |x| <= 2 * 8 / 99 (the 36 zeros); clipped: |x| > 2.6 / 9.9 * 8 (the four 8s) */
  g_assert_cmpfloat_with_epsilon (s.share_zeroed, 36.0 / 80, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.share_clipped, 4.0 / 80, 1e-12);
  g_assert_cmpint (s.max_level, ==, 255);
  g_assert_cmpint (s.bits_used, ==, 8);
  c.clipformer = TRUE;
  vx_xbar_kv_stats_compute (&c, &s, x, rows, cols, ld, 0);
  g_assert_cmpint (s.max_level, ==, 61);
  g_assert_cmpint (s.bits_used, ==, 6);
  /* a larger scale (calibrated): the ones fall under the stage-I threshold 2 * 64 / 99 */
  vx_xbar_kv_stats_compute (&c, &s, x, rows, cols, ld, 64);
  g_assert_cmpfloat_with_epsilon (s.share_zeroed, 76.0 / 80, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.share_clipped, 0.0, 1e-12);
  g_autoptr (JsonNode) j = vx_kv_stats_to_json (&s);
  g_assert_true (json_object_has_member (json_node_get_object (j), "excess_kurtosis"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xbar/snr/synthetic", test_snr_synthetic);
  g_test_add_func ("/xbar/snr/identical-capped", test_identical_capped);
  g_test_add_func ("/xbar/snr/local-vs-end-to-end", test_local_vs_end_to_end);
  g_test_add_func ("/xbar/snr/gamma-trend", test_gamma_trend);
  g_test_add_func ("/xbar/eval/staged", test_staged);
  g_test_add_func ("/xbar/observe/histograms", test_histograms);
  g_test_add_func ("/xbar/observe/kv-stats-synthetic", test_kv_stats_synthetic);
  g_test_add_func ("/xbar/observe/written-gamma0", test_written_gamma0);
  g_test_add_func ("/xbar/observe/written-gamma5", test_written_gamma5);
  return g_test_run ();
}
