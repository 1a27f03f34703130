/* test-outlier.c: the function-preserving K/V outlier transform (docs/MODEL.md section 10) */
#define G_LOG_DOMAIN "test-outlier"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-outlier.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

static float *
ideal_logits (const VxModel *m, const float *images, int B)
{
  float *lg = g_new (float, (size_t) B * m->arch.num_classes);
  VxActs *acts = vx_acts_new (&m->arch, B, FALSE);
  vx_model_forward (m, acts, images, B, lg, NULL);
  vx_acts_free (acts);
  return lg;
}

static void
test_preserves_logits (void)
{
  VxModel *m = xbar_test_model (3, 2, 81);
  int B = 6;
  g_autofree float *images = g_new (float, B * 256);
  VxRng r;
  vx_rng_init (&r, 17);
  vx_rng_normal_fill (&r, images, B * 256);
  g_autofree float *ref = ideal_logits (m, images, B);
  double scale = xbar_test_max_abs (ref, B * 10);

  double ss[] = { 1, 4, 16, 64, 10, 33.3 };
  for (guint i = 0; i < G_N_ELEMENTS (ss); i++)
    {
      VxOutlierOpts o;
      vx_outlier_opts_init (&o);
      o.scale = ss[i];
      o.channels = 3;
      g_autoptr (GError) err = NULL;
      VxModel *t = vx_outlier_apply (m, &o, &err);
      g_assert_no_error (err);
      g_autofree float *got = ideal_logits (t, images, B);
      double d = xbar_test_max_diff (ref, got, B * 10);
      g_test_message ("s = %g: max logit difference %.3g (logits up to %.3g)", ss[i], d, scale);
      g_assert_cmpfloat (d, <=, 1e-5 * scale);
      /* the weights really changed (except for s = 1) */
      double dw = xbar_test_max_diff (m->params.mem, t->params.mem, m->params.n);
      if (ss[i] == 1)
        g_assert_cmpfloat (dw, ==, 0.0);
      else
        g_assert_cmpfloat (dw, >, 0.0);
      g_assert_nonnull (vx_model_get_meta (t, "vitx.outlier"));
      vx_model_free (t);
    }
  vx_model_free (m);
}

static void
test_channels (void)
{
  VxModel *m = xbar_test_model (2, 2, 82);
  int D = 32, Dh = 16;
  for (int l = 0; l < 2; l++)
    for (int h = 0; h < 2; h++)
      for (int kv = 0; kv < 2; kv++)
        {
          int ch[16];
          vx_outlier_pick_channels (m, l, h, kv, Dh, ch);
          /* a permutation, in non-increasing order of the row norm */
          const VxBlockParams *bp = &m->params.blocks[l];
          double prev = INFINITY;
          gboolean seen[16] = { FALSE };
          for (int i = 0; i < Dh; i++)
            {
              g_assert_false (seen[ch[i]]);
              seen[ch[i]] = TRUE;
              int row = (kv + 1) * D + h * Dh + ch[i];
              double n = (double) bp->qkv_b[row] * bp->qkv_b[row];
              for (int j = 0; j < D; j++)
                n += (double) bp->qkv_w[row * D + j] * bp->qkv_w[row * D + j];
              g_assert_cmpfloat (n, <=, prev);
              prev = n;
            }
        }
  vx_model_free (m);
}

static void
test_what_changes (void)
{
  VxModel *m = xbar_test_model (2, 2, 83);
  int D = 32, Dh = 16;
  VxOutlierOpts o;
  vx_outlier_opts_init (&o);
  o.scale = 8;
  o.channels = 2;
  o.blocks = 1u << 1;    /* block 1 only */
  o.values = FALSE;      /* keys only */
  VxModel *t = vx_outlier_apply (m, &o, NULL);
  const VxBlockParams *b0 = &m->params.blocks[0], *t0 = &t->params.blocks[0];
  g_assert_cmpmem (b0->qkv_w, 3 * D * D * sizeof (float), t0->qkv_w, 3 * D * D * sizeof (float));
  const VxBlockParams *b1 = &m->params.blocks[1], *t1 = &t->params.blocks[1];
  g_assert_cmpmem (b1->proj_w, D * D * sizeof (float), t1->proj_w, D * D * sizeof (float));
  for (int h = 0; h < 2; h++)
    {
      int ch[2];
      vx_outlier_pick_channels (m, 1, h, 0, 2, ch);
      for (int i = 0; i < 2; i++)
        {
          int q = h * Dh + ch[i], k = D + q;
          g_assert_cmpfloat (t1->qkv_w[k * D + 3], ==, 8 * b1->qkv_w[k * D + 3]);
          g_assert_cmpfloat (t1->qkv_b[k], ==, 8 * b1->qkv_b[k]);
          g_assert_cmpfloat (t1->qkv_w[q * D + 5], ==, b1->qkv_w[q * D + 5] / 8);
        }
    }
  /* V channels and the projection's matching input columns */
  o.keys = FALSE;
  o.values = TRUE;
  VxModel *v = vx_outlier_apply (m, &o, NULL);
  int ch[2];
  vx_outlier_pick_channels (m, 1, 1, 1, 2, ch);
  int col = Dh + ch[0];
  g_assert_cmpfloat (v->params.blocks[1].qkv_w[(2 * D + col) * D], ==,
                     8 * b1->qkv_w[(2 * D + col) * D]);
  for (int r = 0; r < D; r++)
    g_assert_cmpfloat (v->params.blocks[1].proj_w[r * D + col], ==, b1->proj_w[r * D + col] / 8);
  vx_model_free (v);
  vx_model_free (t);
  vx_model_free (m);
}

static void
test_inflates_wmax (void)
{
  /* the K/V statistics see the outliers: the largest channel far above the median */
  VxModel *m = xbar_test_model (2, 2, 84);
  g_autoptr (VxDataset) ds = xbar_test_dataset (8, 6, -1);
  VxOutlierOpts o;
  vx_outlier_opts_init (&o);
  o.scale = 32;
  VxModel *t = vx_outlier_apply (m, &o, NULL);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.sigma_r = c.sigma_w = c.gamma = 0;
  c.analog = VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_SV);
  VxXbarEvalOpts eo = { 0 };
  eo.observe = TRUE;
  VxXbarEvalResult a, b;
  g_assert_true (vx_xbar_eval_run (m, ds, &c, &eo, &a, NULL));
  g_assert_true (vx_xbar_eval_run (t, ds, &c, &eo, &b, NULL));
  for (int i = 0; i < 4; i++)
    {
      g_test_message ("block %d %s: channel max ratio %.2f -> %.2f, max/mean %.2f -> %.2f, "
                      "zeroed %.3f -> %.3f", i / 2, i % 2 ? "V" : "K",
                      a.kv_stats[i].channel_max_ratio, b.kv_stats[i].channel_max_ratio,
                      a.kv_stats[i].max_over_mean, b.kv_stats[i].max_over_mean,
                      a.kv_stats[i].share_zeroed, b.kv_stats[i].share_zeroed);
      g_assert_cmpfloat (b.kv_stats[i].channel_max_ratio, >, 8 * a.kv_stats[i].channel_max_ratio);
      g_assert_cmpfloat (b.kv_stats[i].max_over_mean, >, 2 * a.kv_stats[i].max_over_mean);
      g_assert_cmpfloat (b.kv_stats[i].share_zeroed, >, a.kv_stats[i].share_zeroed);
    }
  vx_xbar_eval_result_clear (&a);
  vx_xbar_eval_result_clear (&b);
  vx_model_free (t);
  vx_model_free (m);
}

static void
test_validate (void)
{
  VxModel *m = xbar_test_model (2, 2, 85);
  struct { double s; int c; guint64 blocks; } bad[] = {
    { 0.5, 2, 0 }, { 65, 2, 0 }, { NAN, 2, 0 }, { 4, -1, 0 }, { 4, 17, 0 }, { 4, 2, 1u << 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      VxOutlierOpts o;
      vx_outlier_opts_init (&o);
      o.scale = bad[i].s;
      o.channels = bad[i].c;
      o.blocks = bad[i].blocks;
      g_autoptr (GError) err = NULL;
      g_assert_null (vx_outlier_apply (m, &o, &err));
      g_assert_error (err, VX_ERROR, VX_ERROR_INVALID_ARG);
    }
  vx_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outlier/preserves-logits", test_preserves_logits);
  g_test_add_func ("/outlier/channels", test_channels);
  g_test_add_func ("/outlier/what-changes", test_what_changes);
  g_test_add_func ("/outlier/inflates-wmax", test_inflates_wmax);
  g_test_add_func ("/outlier/validate", test_validate);
  return g_test_run ();
}
