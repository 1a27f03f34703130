/* test-xbar-modes.c: functional vs ideal, circuit vs functional, scale policies,
 * static-noise options, and results independent of the thread count */
#define G_LOG_DOMAIN "test-xbar-modes"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-eval.h"
#include "vx-gemm.h"
#include "vx-kernels.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

#define ALL_KINDS ((1u << VX_MM_N_KINDS) - 1)

static void
zero_noise (VxXbarConfig *c)
{
  vx_xbar_config_init (c);
  c->sigma_r = c->sigma_w = c->gamma = 0;
}

static float *
random_images (int B, guint64 seed)
{
  float *x = g_new (float, (size_t) B * 256);
  VxRng r;
  vx_rng_init (&r, seed);
  vx_rng_normal_fill (&r, x, (size_t) B * 256);
  return x;
}

/* logits (B, 10) of m on images through cfg's simulator (NULL: ideal) */
static float *
run_forward (const VxModel *m, const VxXbarConfig *cfg, const float *images, int B)
{
  float *logits = g_new (float, (size_t) B * m->arch.num_classes);
  VxActs *acts = vx_acts_new (&m->arch, B, FALSE);
  VxXbarSim *sim = NULL;
  VxForwardOpts fo = { 0 };
  if (cfg)
    {
      g_autoptr (GError) err = NULL;
      sim = vx_xbar_sim_new (m, cfg, &err);
      g_assert_no_error (err);
      fo.hooks = vx_xbar_sim_get_hooks (sim);
    }
  vx_model_forward (m, acts, images, B, logits, &fo);
  vx_xbar_sim_free (sim);
  vx_acts_free (acts);
  return logits;
}

/* ---- functional mode at zero noise = the ideal engine up to quantisation ----------------- */

static double
logit_error (const VxModel *m, const float *images, int B, int bits, guint analog)
{
  VxXbarConfig c;
  zero_noise (&c);
  c.weight_bits = c.input_bits = bits;
  c.bits_per_cell = bits % 2 ? 1 : 2;
  c.analog = analog;
  g_autofree float *ideal = run_forward (m, NULL, images, B);
  g_autofree float *got = run_forward (m, &c, images, B);
  return xbar_test_max_diff (ideal, got, (size_t) B * 10) / xbar_test_max_abs (ideal, (size_t) B * 10);
}

static void
test_functional_vs_ideal (void)
{
  VxModel *m = xbar_test_model (2, 2, 11);
  g_autofree float *images = random_images (6, 5);
  double e16 = logit_error (m, images, 6, 16, ALL_KINDS);
  double e12 = logit_error (m, images, 6, 12, VX_XBAR_ANALOG_DEFAULT);
  double e8 = logit_error (m, images, 6, 8, VX_XBAR_ANALOG_DEFAULT);
  g_test_message ("relative logit error at 16/12/8 bits: %.2e %.2e %.2e", e16, e12, e8);
  /* 16 bits: the mapping adds nothing but rounding */
  g_assert_cmpfloat (e16, <, 2e-3);
  /* 8 bits: an 8-bit quantisation error, clearly above 12 bits' (16x finer) */
  g_assert_cmpfloat (e8, <, 0.15);
  g_assert_cmpfloat (e8, >, 4 * e12);
  /* nothing analog: exactly the ideal engine */
  g_assert_cmpfloat (logit_error (m, images, 6, 8, 0), ==, 0.0);
  vx_model_free (m);
}

/* ---- circuit mode at zero noise = functional mode (ADC resolution aside) ------------------ */

/* the bound on one output of the ADC's rounding: every conversion is off by at
 * most half an LSB; the digital side divides by the cell step and shift-adds */
static double
adc_bound (const VxXbarConfig *c, int Kin, int bits, double in_scale, double unit)
{
  int slices = (bits + c->bits_per_cell - 1) / c->bits_per_cell;
  double fs = c->xbar_size * c->g_max, lsb = fs / ((1 << c->adc_bits) - 1);
  double dgc = (c->g_max - c->g_min) / ((1 << c->bits_per_cell) - 1);
  double shifts = 0;
  for (int s = 0; s < slices; s++)
    shifts += ldexp (1.0, c->bits_per_cell * s);
  double cycles = ldexp (1.0, c->input_bits) - 1;
  int tiles = (Kin + c->xbar_size - 1) / c->xbar_size;
  return in_scale / ((1 << (c->input_bits - 1)) - 1) * unit * cycles * shifts * tiles * lsb / dgc;
}

typedef struct {
  double max_diff, bound, scale;
} Cmp;

/* one product of each kind through both modes */
static void
compare_products (VxXbarConfig *c, VxKvScale policy, Cmp out[3])
{
  VxModel *m = xbar_test_model (1, 2, 21);
  int N = 17, D = 32, Dh = 16, B = 2;
  c->kv_scale = policy;
  VxXbarConfig cf = *c, cc = *c;
  cf.mode = VX_XBAR_FUNCTIONAL;
  cc.mode = VX_XBAR_CIRCUIT;
  VxXbarSim *sf = vx_xbar_sim_new (m, &cf, NULL), *scir = vx_xbar_sim_new (m, &cc, NULL);
  const VxMatmulHooks *hf = vx_xbar_sim_get_hooks (sf), *hc = vx_xbar_sim_get_hooks (scir);

  /* QKV: x (B N, D) W^T */
  g_autofree float *x = random_images (B * N * D / 256 + 1, 3);
  const float *w = m->params.blocks[0].qkv_w;
  g_autofree float *yf = g_new (float, B * N * 3 * D), *yc = g_new (float, B * N * 3 * D);
  VxMatmulSite site = { VX_MM_QKV, 0, -1, 0, 0, 0 };
  hf->linear (hf->user, &site, yf, x, w, NULL, B * N, D, 3 * D);
  hc->linear (hc->user, &site, yc, x, w, NULL, B * N, D, 3 * D);
  double wmax = xbar_test_max_abs (w, 3 * D * D), xs = 0;
  for (int b = 0; b < B; b++)
    xs = fmax (xs, xbar_test_max_abs (x + b * N * D, N * D));
  out[0].max_diff = xbar_test_max_diff (yf, yc, B * N * 3 * D);
  out[0].bound = adc_bound (c, D, c->weight_bits, xs, wmax / vx_xbar_levels (c));
  out[0].scale = xbar_test_max_abs (yf, B * N * 3 * D);

  /* QK^T and SV of image 0, head 1 on the functional K and V; fresh simulators,
   * since each took its K/V scales from its own QKV product */
  vx_xbar_sim_free (sf);
  vx_xbar_sim_free (scir);
  sf = vx_xbar_sim_new (m, &cf, NULL);
  scir = vx_xbar_sim_new (m, &cc, NULL);
  hf = vx_xbar_sim_get_hooks (sf);
  hc = vx_xbar_sim_get_hooks (scir);
  const float *q = yf + Dh, *k = yf + D + Dh, *v = yf + 2 * D + Dh;
  g_autofree float *sf_ = g_new (float, N * N), *sc_ = g_new (float, N * N);
  VxMatmulSite sq = { VX_MM_QK, 0, 1, 0, 0, 0 };
  hf->attn_qk (hf->user, &sq, sf_, q, k, N, Dh, 3 * D);
  hc->attn_qk (hc->user, &sq, sc_, q, k, N, Dh, 3 * D);
  out[1].max_diff = xbar_test_max_diff (sf_, sc_, N * N);
  out[1].scale = xbar_test_max_abs (sf_, N * N);
  double kmax = 0, qmax = 0;
  for (int t = 0; t < N; t++)
    for (int j = 0; j < Dh; j++)
      {
        kmax = fmax (kmax, fabs (k[t * 3 * D + j]));
        qmax = fmax (qmax, fabs (q[t * 3 * D + j]));
      }
  /* per channel the queries carry the channel scales: bound with the largest */
  out[1].bound = policy == VX_KV_SCALE_PER_CHANNEL
    ? adc_bound (c, Dh, vx_xbar_kv_bits (c), qmax * kmax, 1.0 / vx_xbar_levels (c))
    : adc_bound (c, Dh, vx_xbar_kv_bits (c), qmax, kmax / vx_xbar_levels (c));

  g_autofree float *s = g_new (float, N * N);
  memcpy (s, sf_, sizeof (float) * N * N);
  vx_softmax_forward (s, 0.25f, N, N);
  g_autofree float *of = g_new (float, N * Dh), *oc = g_new (float, N * Dh);
  VxMatmulSite sv = { VX_MM_SV, 0, 1, 0, 0, 0 };
  hf->attn_sv (hf->user, &sv, of, Dh, s, v, N, Dh, 3 * D);
  hc->attn_sv (hc->user, &sv, oc, Dh, s, v, N, Dh, 3 * D);
  double vmax = 0;
  for (int t = 0; t < N; t++)
    for (int j = 0; j < Dh; j++)
      vmax = fmax (vmax, fabs (v[t * 3 * D + j]));
  out[2].max_diff = xbar_test_max_diff (of, oc, N * Dh);
  out[2].bound = adc_bound (c, N, vx_xbar_kv_bits (c), xbar_test_max_abs (s, N * N),
                            vmax / vx_xbar_levels (c));
  out[2].scale = xbar_test_max_abs (of, N * Dh);

  vx_xbar_sim_free (sf);
  vx_xbar_sim_free (scir);
  vx_model_free (m);
}

static void
test_circuit_vs_functional (void)
{
  VxKvScale policies[] = { VX_KV_SCALE_PER_HEAD, VX_KV_SCALE_PER_CHANNEL };
  for (guint pi = 0; pi < G_N_ELEMENTS (policies); pi++)
    for (int clip = 0; clip < 2; clip++)
      {
        VxXbarConfig c;
        zero_noise (&c);
        c.xbar_size = 8;            /* several tiles per product */
        c.adc_bits = 16;
        c.clipformer = clip;
        c.beta = 0.25;
        Cmp wide[3], narrow[3];
        compare_products (&c, policies[pi], wide);
        c.adc_bits = 6;
        compare_products (&c, policies[pi], narrow);
        for (int i = 0; i < 3; i++)
          {
            g_test_message ("policy %d clip %d product %d: |diff| %.3g (bound %.3g, scale %.3g); "
                            "6-bit ADC %.3g", pi, clip, i, wide[i].max_diff, wide[i].bound,
                            wide[i].scale, narrow[i].max_diff);
            g_assert_cmpfloat (wide[i].max_diff, <=, wide[i].bound + 1e-5 * wide[i].scale);
            g_assert_cmpfloat (wide[i].max_diff, <, 1e-2 * wide[i].scale);
            /* the ADC is really there: 6 bits are much coarser */
            g_assert_cmpfloat (narrow[i].max_diff, >, 20 * wide[i].max_diff);
          }
      }
}

static void
test_circuit_forward (void)
{
  VxModel *m = xbar_test_model (2, 2, 31);
  g_autofree float *images = random_images (2, 8);
  VxXbarConfig c;
  zero_noise (&c);
  c.xbar_size = 16;
  c.adc_bits = 16;
  /* 16-bit inputs: with 8 the ADC's tiny differences flip input roundings (by a
   * whole 8-bit step) in the next layers, which says nothing about the modes */
  c.input_bits = 16;
  g_autofree float *lf = run_forward (m, &c, images, 2);
  c.mode = VX_XBAR_CIRCUIT;
  g_autofree float *lc = run_forward (m, &c, images, 2);
  double e = xbar_test_max_diff (lf, lc, 20) / xbar_test_max_abs (lf, 20);
  c.adc_bits = 6;
  g_autofree float *l6 = run_forward (m, &c, images, 2);
  double e6 = xbar_test_max_diff (lf, l6, 20) / xbar_test_max_abs (lf, 20);
  g_test_message ("circuit vs functional forward, zero noise: 16-bit ADC %.2e, 6-bit %.2e", e, e6);
  /* the products agree to ~1e-4 (see circuit-vs-functional); two blocks amplify that */
  g_assert_cmpfloat (e, <, 5e-3);
  g_assert_cmpfloat (e6, >, 10 * e);
  /* with noise the two modes draw differently but stay in the same regime */
  c.sigma_r = 0.05;
  c.sigma_w = 0.1;
  c.gamma = 3;
  c.adc_bits = 8;
  c.input_bits = 8;
  g_autofree float *ln = run_forward (m, &c, images, 2);
  double en = xbar_test_max_diff (lf, ln, 20) / xbar_test_max_abs (lf, 20);
  g_assert_cmpfloat (en, >, e);
  g_assert_true (isfinite (en));
  vx_model_free (m);
}

/* ---- K/V scale policies ---------------------------------------------------------------------- */

static void
test_policies (void)
{
  g_autofree float *images = random_images (3, 9);
  VxXbarConfig c;
  zero_noise (&c);

  /* one head: per tensor is per head */
  VxModel *m1 = xbar_test_model (2, 1, 41);
  c.kv_scale = VX_KV_SCALE_PER_HEAD;
  g_autofree float *a = run_forward (m1, &c, images, 3);
  c.kv_scale = VX_KV_SCALE_PER_TENSOR;
  g_autofree float *b = run_forward (m1, &c, images, 3);
  g_assert_cmpmem (a, 30 * sizeof (float), b, 30 * sizeof (float));
  vx_model_free (m1);

  /* two heads: they differ; per batch of one image is per tensor */
  VxModel *m = xbar_test_model (2, 2, 42);
  c.kv_scale = VX_KV_SCALE_PER_HEAD;
  g_autofree float *h = run_forward (m, &c, images, 3);
  c.kv_scale = VX_KV_SCALE_PER_TENSOR;
  g_autofree float *t = run_forward (m, &c, images, 3);
  c.kv_scale = VX_KV_SCALE_PER_CHANNEL;
  g_autofree float *ch = run_forward (m, &c, images, 3);
  c.kv_scale = VX_KV_SCALE_PER_BATCH;
  g_autofree float *pb = run_forward (m, &c, images, 3);
  g_assert_cmpfloat (xbar_test_max_diff (h, t, 30), >, 0);
  g_assert_cmpfloat (xbar_test_max_diff (h, ch, 30), >, 0);
  g_assert_cmpfloat (xbar_test_max_diff (t, pb, 30), >, 0);
  for (int i = 0; i < 3; i++)
    {
      /* (GEMMs of different heights may round differently: compare batches of one) */
      c.kv_scale = VX_KV_SCALE_PER_BATCH;
      g_autofree float *one = run_forward (m, &c, images + i * 256, 1);
      c.kv_scale = VX_KV_SCALE_PER_TENSOR;
      g_autofree float *ref = run_forward (m, &c, images + i * 256, 1);
      g_assert_cmpmem (one, 10 * sizeof (float), ref, 10 * sizeof (float));
      g_test_message ("image %d: batch of 1 vs batch of 3, per tensor: %.3g", i,
                      xbar_test_max_diff (ref, t + i * 10, 10));
    }
  /* with only K and V analog and 16-bit inputs, the K/V grid is what matters: the
   * finer it is, the closer to the ideal logits */
  g_autofree float *ideal = run_forward (m, NULL, images, 3);
  c.analog = VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_SV);
  c.input_bits = 16;
  double err[3];
  VxKvScale order[3] = { VX_KV_SCALE_PER_CHANNEL, VX_KV_SCALE_PER_HEAD, VX_KV_SCALE_PER_BATCH };
  for (int i = 0; i < 3; i++)
    {
      c.kv_scale = order[i];
      g_autofree float *l = run_forward (m, &c, images, 3);
      err[i] = 0;
      for (int j = 0; j < 30; j++)
        err[i] += (ideal[j] - l[j]) * (ideal[j] - l[j]);
    }
  g_test_message ("K/V-only error: per channel %.3g, per head %.3g, per batch %.3g",
                  err[0], err[1], err[2]);
  g_assert_cmpfloat (err[0], <, err[1]);
  g_assert_cmpfloat (err[1], <, err[2]);
  vx_model_free (m);
}

static void
test_calibrated (void)
{
  /* one block, K and V analog only: the K/V seen in the run are the ideal ones, so
   * scales calibrated on one image are that image's per-head maxima */
  VxModel *m = xbar_test_model (1, 2, 51);
  g_autoptr (VxDataset) ds = xbar_test_dataset (1, 3, -1);
  g_autofree float *img = g_new (float, 256);
  vx_dataset_fill_batch (ds, m, 0, 1, img);
  VxXbarConfig c;
  zero_noise (&c);
  c.analog = VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_SV);
  g_autofree float *head = run_forward (m, &c, img, 1);

  c.kv_scale = VX_KV_SCALE_CALIBRATED;
  VxXbarSim *sim = vx_xbar_sim_new (m, &c, NULL);
  g_assert_false (vx_xbar_sim_is_calibrated (sim));
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_xbar_sim_calibrate (sim, ds, 0, &err));
  g_assert_no_error (err);
  g_assert_true (vx_xbar_sim_is_calibrated (sim));
  float lg[10];
  VxActs *acts = vx_acts_new (&m->arch, 1, FALSE);
  VxForwardOpts fo = { vx_xbar_sim_get_hooks (sim), 0, 0, 0 };
  vx_model_forward (m, acts, img, 1, lg, &fo);
  g_assert_cmpmem (lg, sizeof lg, head, sizeof lg);

  /* twice the scale: a coarser grid, different logits; values never exceed it */
  float k2[2], v2[2];
  for (int h = 0; h < 2; h++)
    {
      k2[h] = 1e3f;
      v2[h] = 1e3f;
    }
  vx_xbar_sim_set_calibration (sim, k2, v2);
  vx_model_forward (m, acts, img, 1, lg, &fo);
  g_assert_cmpfloat (xbar_test_max_diff (lg, head, 10), >, 0);
  vx_acts_free (acts);
  vx_xbar_sim_free (sim);
  vx_model_free (m);
}

/* ---- static noise: per batch, per image, once ----------------------------------------------------- */

static float *
eval_logits_threads (const VxModel *m, const VxDataset *ds, const VxXbarConfig *c, int batch,
                     int threads)
{
  VxXbarSim *sim = vx_xbar_sim_new (m, c, NULL);
  VxEvalOpts eo = { 0 };
  eo.batch = batch;
  eo.threads = threads;
  eo.hooks = vx_xbar_sim_get_hooks (sim);
  eo.batch_begin = vx_xbar_sim_batch_begin;
  eo.user = sim;
  eo.keep_logits = TRUE;
  VxEvalResult r;
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_eval_run (m, ds, &eo, &r, &err));
  g_assert_no_error (err);
  float *lg = g_steal_pointer (&r.logits);
  vx_eval_result_clear (&r);
  vx_xbar_sim_free (sim);
  return lg;
}

static float *
eval_logits (const VxModel *m, const VxDataset *ds, const VxXbarConfig *c, int batch)
{
  return eval_logits_threads (m, ds, c, batch, 0);
}

static void
test_static_noise_options (void)
{
  VxModel *m = xbar_test_model (2, 2, 61);
  /* image 4 is a copy of image 0, in the next batch of 4 */
  g_autoptr (VxDataset) ds = xbar_test_dataset (8, 4, 4);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 0;
  c.analog = VX_XBAR_ANALOG (VX_MM_QKV) | VX_XBAR_ANALOG (VX_MM_PROJ)
             | VX_XBAR_ANALOG (VX_MM_FC1) | VX_XBAR_ANALOG (VX_MM_FC2);
  c.seed = 5;

  c.static_noise = VX_STATIC_NOISE_PER_BATCH;
  g_autofree float *pb = eval_logits (m, ds, &c, 4);
  g_autofree float *pb2 = eval_logits (m, ds, &c, 4);
  g_assert_cmpmem (pb, 80 * sizeof (float), pb2, 80 * sizeof (float));
  g_assert_cmpfloat (xbar_test_max_diff (pb, pb + 40, 10), >, 0);

  c.static_noise = VX_STATIC_NOISE_ONCE;
  g_autofree float *once = eval_logits (m, ds, &c, 4);
  g_assert_cmpmem (once, 10 * sizeof (float), once + 40, 10 * sizeof (float));

  /* per-image noise does not depend on how images are batched (patch and head analog
   * too, so every product is one GEMM per image, of the same height in both runs) */
  c.static_noise = VX_STATIC_NOISE_PER_IMAGE;
  c.analog |= VX_XBAR_ANALOG (VX_MM_PATCH) | VX_XBAR_ANALOG (VX_MM_HEAD);
  g_autofree float *pi4 = eval_logits (m, ds, &c, 4);
  g_autofree float *pi3 = eval_logits (m, ds, &c, 3);
  g_assert_cmpfloat (xbar_test_max_diff (pi4, pi4 + 40, 10), >, 1e-3 * xbar_test_max_abs (pi4, 80));
  /* the same noise; only the engine's rounding may differ between batch sizes */
  g_assert_cmpfloat (xbar_test_max_diff (pi4, pi3, 80), <=, 1e-5 * xbar_test_max_abs (pi4, 80));

  /* batch_begin only moves the decode earlier: the hooks alone give the same */
  c.static_noise = VX_STATIC_NOISE_PER_BATCH;
  c.analog &= ~(VX_XBAR_ANALOG (VX_MM_PATCH) | VX_XBAR_ANALOG (VX_MM_HEAD));
  VxXbarSim *sim = vx_xbar_sim_new (m, &c, NULL);
  VxEvalOpts eo = { 0 };
  eo.batch = 4;
  eo.hooks = vx_xbar_sim_get_hooks (sim);
  eo.keep_logits = TRUE;
  VxEvalResult r;
  g_assert_true (vx_eval_run (m, ds, &eo, &r, NULL));
  g_assert_cmpmem (r.logits, 80 * sizeof (float), pb, 80 * sizeof (float));
  vx_eval_result_clear (&r);
  vx_xbar_sim_free (sim);
  vx_model_free (m);
}

static void
test_kv_noise_per_image (void)
{
  /* K/V noise is fresh for every image: image 2 copies image 0 in the same batch,
   * and with only K and V analog their logits still differ */
  VxModel *m = xbar_test_model (2, 2, 62);
  g_autoptr (VxDataset) ds = xbar_test_dataset (8, 7, 2);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 3;
  c.analog = VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_SV);
  g_autofree float *a = eval_logits (m, ds, &c, 8);
  g_assert_cmpfloat (xbar_test_max_diff (a, a + 20, 10), >, 1e-3 * xbar_test_max_abs (a, 80));
  /* and it is keyed by the image, not the batch: other batchings, the same noise
   * (patch and head analog too, so every product is one GEMM per image; the
   * engine's elementwise kernels may still round differently per batch size) */
  c.analog |= VX_XBAR_ANALOG (VX_MM_PATCH) | VX_XBAR_ANALOG (VX_MM_HEAD);
  c.static_noise = VX_STATIC_NOISE_PER_IMAGE;
  g_autofree float *b8 = eval_logits (m, ds, &c, 8);
  g_autofree float *b3 = eval_logits (m, ds, &c, 3);
  double d = xbar_test_max_diff (b8, b3, 80), scale = xbar_test_max_abs (b8, 80);
  g_test_message ("K/V noise, batches of 8 vs 3: max logit difference %.3g of %.3g", d, scale);
  g_assert_cmpfloat (d, <=, 1e-5 * scale);
  vx_model_free (m);
}

/* ---- same seed, same results, with 1 and 2 threads -------------------------------------------- */

static void
test_threads (void)
{
  VxModel *m = xbar_test_model (2, 2, 71);
  g_autoptr (VxDataset) ds = xbar_test_dataset (80, 5, -1);
  /* batches of 64: the products are large enough to be cut into row blocks
   * on two threads (vx-gemm.h), so the split itself is what is compared */
  int N = vx_arch_num_tokens (&m->arch), D = m->arch.embed_dim;
  g_assert_cmpint (vx_gemm_rows_threads (64 * N, 3 * D, D, 2), ==, 2);
  VxXbarMode modes[] = { VX_XBAR_FUNCTIONAL, VX_XBAR_CIRCUIT };
  for (guint mi = 0; mi < G_N_ELEMENTS (modes); mi++)
    {
      gboolean circuit = modes[mi] == VX_XBAR_CIRCUIT;
      int n = circuit ? 4 : 80, batch = circuit ? 2 : 64;
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.mode = modes[mi];
      c.gamma = 4;
      c.clipformer = TRUE;
      c.seed = 99;
      VxXbarEvalOpts o = { 0 };
      o.batch = batch;
      o.limit = n;
      o.snr = VX_SNR_END_TO_END;
      o.observe = TRUE;
      VxXbarEvalResult r[2];
      float *lg[2] = { NULL, NULL };
      for (int t = 0; t < 2; t++)
        {
          o.threads = t + 1;
          g_assert_true (vx_xbar_eval_run (m, ds, &c, &o, &r[t], NULL));
          lg[t] = eval_logits_threads (m, ds, &c, batch, t + 1);
        }
      g_assert_cmpmem (lg[0], 80 * 10 * sizeof (float), lg[1], 80 * 10 * sizeof (float));
      g_assert_cmpfloat (r[0].top1_mean, ==, r[1].top1_mean);
      g_assert_cmpmem (r[0].snr_db, 2 * sizeof (double), r[1].snr_db, 2 * sizeof (double));
      g_assert_cmpmem (r[0].kv_stats, 4 * sizeof (VxKvStats), r[1].kv_stats, 4 * sizeof (VxKvStats));
      for (int i = 0; i < 4; i++)
        g_assert_cmpmem (r[0].hists[i].counts, 4 * 128 * sizeof (guint64), r[1].hists[i].counts,
                         4 * 128 * sizeof (guint64));
      vx_xbar_eval_result_clear (&r[0]);
      vx_xbar_eval_result_clear (&r[1]);

      /* a different seed, different noise */
      c.seed = 100;
      g_autofree float *other = eval_logits_threads (m, ds, &c, batch, 2);
      g_assert_cmpfloat (xbar_test_max_diff (other, lg[0], 80 * 10), >, 0);
      g_free (lg[0]);
      g_free (lg[1]);
    }
  vx_model_free (m);
}

/* ---- batch slices side by side: the results of the unsliced pass ------------------------------- */

/* The forward pass cuts a batch into slices on their own threads when the
 * hooks allow it (vx_forward_slices). With 17 tokens a slice is a multiple of
 * 48 images, so batches of 100 make two slices on two threads, three on three.
 * Every K/V scale, static noise kind and both modes must give the logits of one
 * thread; per-batch K/V scales (a maximum over the whole batch) do not slice. */
static void
test_slices (void)
{
  VxModel *m = xbar_test_model (2, 2, 73);
  const int batch = 100;
  struct { VxXbarMode mode; VxKvScale kv; VxStaticNoise st; int n; } cases[] = {
    { VX_XBAR_FUNCTIONAL, VX_KV_SCALE_PER_HEAD, VX_STATIC_NOISE_PER_BATCH, 200 },
    { VX_XBAR_FUNCTIONAL, VX_KV_SCALE_PER_TENSOR, VX_STATIC_NOISE_PER_IMAGE, 200 },
    { VX_XBAR_FUNCTIONAL, VX_KV_SCALE_PER_CHANNEL, VX_STATIC_NOISE_ONCE, 200 },
    { VX_XBAR_FUNCTIONAL, VX_KV_SCALE_PER_BATCH, VX_STATIC_NOISE_PER_BATCH, 200 },
    { VX_XBAR_CIRCUIT, VX_KV_SCALE_PER_HEAD, VX_STATIC_NOISE_PER_BATCH, 100 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.mode = cases[i].mode;
      c.kv_scale = cases[i].kv;
      c.static_noise = cases[i].st;
      c.gamma = 4;
      c.seed = 5;
      VxXbarSim *sim = vx_xbar_sim_new (m, &c, NULL);
      int want = c.kv_scale == VX_KV_SCALE_PER_BATCH ? 1 : 2;
      g_assert_cmpint (vx_forward_slices (&m->arch, batch, 2, vx_xbar_sim_get_hooks (sim), FALSE,
                                          1.0, NULL), ==, want);
      vx_xbar_sim_free (sim);

      g_autoptr (VxDataset) sub = xbar_test_dataset (cases[i].n, 5, -1);
      size_t bytes = (size_t) cases[i].n * 10 * sizeof (float);
      g_autofree float *one = eval_logits_threads (m, sub, &c, batch, 1);
      for (int t = 2; t <= (c.mode == VX_XBAR_CIRCUIT ? 2 : 3); t++)
        {
          g_autofree float *many = eval_logits_threads (m, sub, &c, batch, t);
          g_assert_cmpmem (one, bytes, many, bytes);
        }
    }
  vx_model_free (m);
}

/* ---- vx_eval_run resumed from a batch: the same batches, the same noise ------------------------ */

typedef struct {
  VxXbarSim *sim;
  float *logits;      /* (12, 10) */
  int calls;
  int64_t last_batch;
} ResumeCtx;

static void
resume_batch_begin (void *user, int64_t batch_index, int64_t first_image, int count)
{
  ResumeCtx *c = user;
  vx_xbar_sim_batch_begin (c->sim, batch_index, first_image, count);
}

static void
resume_batch_done (void *user, int64_t batch_index, int64_t first_image, int count,
                   const float *logits)
{
  ResumeCtx *c = user;
  g_assert_cmpint (first_image, ==, batch_index * 4);
  memcpy (c->logits + first_image * 10, logits, sizeof (float) * count * 10);
  c->calls++;
  c->last_batch = batch_index;
}

static void
test_eval_resume (void)
{
  VxModel *m = xbar_test_model (2, 2, 73);
  g_autoptr (VxDataset) ds = xbar_test_dataset (12, 6, -1);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 4;
  c.seed = 5;
  g_autofree float *full = eval_logits (m, ds, &c, 4);   /* per-batch read noise */

  ResumeCtx rc = { vx_xbar_sim_new (m, &c, NULL), g_new0 (float, 120), 0, -1 };
  VxEvalOpts eo = { 0 };
  eo.batch = 4;
  eo.hooks = vx_xbar_sim_get_hooks (rc.sim);
  eo.batch_begin = resume_batch_begin;
  eo.batch_done = resume_batch_done;
  eo.user = &rc;
  eo.resume_batch = 1;
  VxEvalResult r;
  g_assert_true (vx_eval_run (m, ds, &eo, &r, NULL));
  g_assert_cmpint (r.n, ==, 8);
  g_assert_cmpint (rc.calls, ==, 2);
  g_assert_cmpint (rc.last_batch, ==, 2);
  /* images 4..11 as in the uninterrupted run; images 0..3 never ran */
  g_assert_cmpmem (rc.logits + 40, 80 * sizeof (float), full + 40, 80 * sizeof (float));
  g_assert_cmpfloat (xbar_test_max_abs (rc.logits, 40), ==, 0);
  vx_eval_result_clear (&r);

  /* resuming past the end evaluates nothing */
  eo.resume_batch = 3;
  rc.calls = 0;
  g_assert_true (vx_eval_run (m, ds, &eo, &r, NULL));
  g_assert_cmpint (r.n, ==, 0);
  g_assert_cmpint (rc.calls, ==, 0);
  vx_eval_result_clear (&r);
  g_free (rc.logits);
  vx_xbar_sim_free (rc.sim);
  vx_model_free (m);
}

/* ---- W_QKV: W_Q, W_K and W_V each with its own scale ------------------------------------------- */

/* a noise-free simulator of one analog kind, functional (mode 0) or circuit
 * (mode 1) with a 16-bit ADC */
static VxXbarSim *
exact_sim (const VxModel *m, VxMatmulKind kind, int mode)
{
  VxXbarConfig c;
  zero_noise (&c);
  c.analog = VX_XBAR_ANALOG (kind);
  c.mode = mode ? VX_XBAR_CIRCUIT : VX_XBAR_FUNCTIONAL;
  c.adc_bits = 16;
  return vx_xbar_sim_new (m, &c, NULL);
}

/* The fused W_QKV read back through the linear hook with one-hot inputs (exact at
 * 8 bits): every row group (W_Q, W_K, W_V) is quantised on its own w_max, in
 * functional mode exactly and in circuit mode (16-bit ADC) within the ADC's
 * rounding. W_Q is made 8 times smaller, so one shared scale would give it
 * coarser levels. */
static void
test_qkv_scales (void)
{
  VxModel *m = xbar_test_model (1, 2, 11);
  int N = vx_arch_num_tokens (&m->arch), D = m->arch.embed_dim;
  float *w = m->params.blocks[0].qkv_w;
  for (int i = 0; i < D * D; i++)
    w[i] *= 0.125f;
  double wmax[3] = { 0, 0, 0 };
  for (int r = 0; r < 3 * D; r++)
    for (int c = 0; c < D; c++)
      wmax[r / D] = fmax (wmax[r / D], fabs (w[r * D + c]));
  g_assert_cmpfloat (wmax[0] * 4, <, wmax[1]);
  g_autofree float *x = g_new0 (float, (size_t) N * D);
  for (int t = 0; t < N; t++)
    x[t * D + t % D] = 1.0f;
  g_autofree float *out = g_new (float, (size_t) N * 3 * D);
  for (int mode = 0; mode < 2; mode++)
    {
      VxXbarSim *sim = exact_sim (m, VX_MM_QKV, mode);
      const VxMatmulHooks *hk = vx_xbar_sim_get_hooks (sim);
      VxMatmulSite site = { VX_MM_QKV, 0, -1, 0, 0, 0, N, 1 };
      hk->linear (hk->user, &site, out, x, w, NULL, N, D, 3 * D);
      int coarser = 0;
      for (int t = 0; t < N; t++)
        for (int j = 0; j < 3 * D; j++)
          {
            double v = w[j * D + t % D], unit = wmax[j / D] / 255;
            double q = rint (fabs (v) / unit) * unit, shared = rint (fabs (v) / (wmax[1] / 255));
            q = v < 0 ? -q : q;
            /* functional: float arithmetic; circuit: the 16-bit ADC's rounding, at
             * most half a code (0.0015 cell steps) per slice and array, weighted
             * by 4^s over 4 slices: under 0.3 levels */
            double tol = mode ? 0.3 * unit : 1e-6 * wmax[j / D];
            g_assert_cmpfloat (fabs (out[t * 3 * D + j] - q), <=, tol);
            coarser += j < D && fabs (shared * wmax[1] / 255 - fabs (v)) > unit;
          }
      /* a scale shared with W_K would put many W_Q weights a level or more off */
      g_assert_cmpint (coarser, >, N * D / 4);
      vx_xbar_sim_free (sim);
    }
  vx_model_free (m);
}

/* ---- S V: the softmax probabilities are quantised unsigned ---------------------------------------- */

/* With V's first Dh rows one-hot (exact on the crossbar), S V returns the
 * quantised probabilities: round(p 255 / s) s / 255 with s the image's largest
 * probability, in functional mode exactly, in circuit mode (16-bit ADC, no sign
 * cycle) within 0.3 of a step (at most half a code per slice, array and cycle) */
static void
test_unsigned_softmax (void)
{
  VxModel *m = xbar_test_model (1, 2, 3);
  int N = vx_arch_num_tokens (&m->arch), Dh = vx_arch_head_dim (&m->arch);
  g_assert_cmpint (Dh, <, N);
  g_autofree float *sm = g_new (float, (size_t) N * N);
  g_autofree float *v = g_new0 (float, (size_t) N * Dh);
  g_autofree float *out = g_new (float, (size_t) N * Dh);
  VxRng r;
  vx_rng_init (&r, 21);
  vx_rng_normal_fill (&r, sm, (size_t) N * N);
  vx_softmax_forward (sm, 1.0f, N, N);
  for (int j = 0; j < Dh; j++)
    v[j * Dh + j] = 1.0f;
  double s = xbar_test_max_abs (sm, (size_t) N * N), step = s / 255;
  for (int mode = 0; mode < 2; mode++)
    {
      VxXbarSim *sim = exact_sim (m, VX_MM_SV, mode);
      const VxMatmulHooks *hk = vx_xbar_sim_get_hooks (sim);
      VxMatmulSite site = { VX_MM_SV, 0, 0, 0, 0, 0, N, 1 };
      hk->attn_sv (hk->user, &site, out, Dh, sm, v, N, Dh, Dh);
      int finer = 0;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < Dh; j++)
          {
            double p = sm[(size_t) i * N + j], q = rint (p / step) * step;
            double tol = mode ? 0.3 * step : 1e-6 * s;
            g_assert_cmpfloat (fabs (out[i * Dh + j] - q), <=, tol);
            /* the signed grid (127 steps) would be off by more */
            finer += fabs (rint (p / (s / 127)) * (s / 127) - q) > 0.4 * step;
          }
      g_assert_cmpint (finer, >, N * Dh / 4);
      vx_xbar_sim_free (sim);
    }
  vx_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xbar/modes/functional-vs-ideal", test_functional_vs_ideal);
  g_test_add_func ("/xbar/modes/circuit-vs-functional", test_circuit_vs_functional);
  g_test_add_func ("/xbar/modes/circuit-forward", test_circuit_forward);
  g_test_add_func ("/xbar/modes/policies", test_policies);
  g_test_add_func ("/xbar/modes/calibrated", test_calibrated);
  g_test_add_func ("/xbar/modes/static-noise-options", test_static_noise_options);
  g_test_add_func ("/xbar/modes/kv-noise-per-image", test_kv_noise_per_image);
  g_test_add_func ("/xbar/modes/threads", test_threads);
  g_test_add_func ("/xbar/modes/slices", test_slices);
  g_test_add_func ("/xbar/modes/eval-resume", test_eval_resume);
  g_test_add_func ("/xbar/modes/qkv-scales", test_qkv_scales);
  g_test_add_func ("/xbar/modes/unsigned-softmax", test_unsigned_softmax);
  return g_test_run ();
}
