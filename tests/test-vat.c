/* test-vat.c: variation-aware training: straight-through gradients, noise statistics, threads, --from */
#define G_LOG_DOMAIN "test-vat"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "vx-backward.h"
#include "vx-dataset.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-rng.h"
#include "vx-train.h"
#include "vx-vat.h"

static void
fill_normal (float *x, size_t n, uint64_t seed, float scale)
{
  VxRng r;
  vx_rng_init (&r, vx_rng_key (seed, vx_rng_tag ("test-vat"), -1, -1, -1));
  vx_rng_normal_fill (&r, x, n);
  for (size_t i = 0; i < n; i++)
    x[i] *= scale;
}

/* ---- straight-through gradients -------------------------------------------------------------
 *
 * The definition (vx-vat.h): the backward pass is the ideal one, with the ideal
 * weights, at the activations of the noisy forward. That is the exact gradient
 * of a "surrogate" network in which every analog product is the ideal product
 * plus a constant: the deviation (noisy - ideal) the VAT forward produced at
 * these weights. The test records those deviations through the VAT hooks,
 * builds the surrogate with hooks of its own (ideal products in double plus the
 * recorded constants), and compares the trainer's VAT gradient with central
 * differences of the surrogate's loss. */

typedef struct {
  const VxMatmulHooks *vat;   /* the VAT hooks, called while recording */
  GHashTable *offsets;        /* site name -> float array (noisy - ideal) */
  GMutex lock;
  gboolean recording;
} Surrogate;

static char *
site_name (const VxMatmulSite *s)
{
  gboolean kv = s->kind == VX_MM_QK || s->kind == VX_MM_SV;
  return g_strdup_printf ("%d/%d/%d/%d/%" G_GINT64_FORMAT, (int) s->kind, s->block, s->head,
                          s->which, kv ? s->image : (int64_t) -1);
}

/* out (rows, cols; row stride ld) holds the ideal product: while recording,
 * replace it by the noisy one and keep the difference; otherwise add the kept one */
static void
sur_apply (Surrogate *s, const VxMatmulSite *site, float *out, const float *noisy, int rows,
           int cols, int ld)
{
  g_autofree char *name = site_name (site);
  g_mutex_lock (&s->lock);
  if (s->recording)
    {
      float *e = g_new (float, (size_t) rows * cols);
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
          {
            e[(size_t) i * cols + j] = noisy[(size_t) i * cols + j] - out[(size_t) i * ld + j];
            out[(size_t) i * ld + j] = noisy[(size_t) i * cols + j];
          }
      g_hash_table_replace (s->offsets, g_steal_pointer (&name), e);
    }
  else
    {
      const float *e = g_hash_table_lookup (s->offsets, name);
      g_assert_nonnull (e);
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
          out[(size_t) i * ld + j] += e[(size_t) i * cols + j];
    }
  g_mutex_unlock (&s->lock);
}

static void
sur_linear (void *user, const VxMatmulSite *site, float *out, const float *in, const float *w,
            const float *b, int M, int K, int N)
{
  Surrogate *s = user;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double acc = b ? b[j] : 0.0;
        for (int k = 0; k < K; k++)
          acc += (double) in[(size_t) i * K + k] * w[(size_t) j * K + k];
        out[(size_t) i * N + j] = (float) acc;
      }
  g_autofree float *noisy = NULL;
  if (s->recording)
    {
      noisy = g_new (float, (size_t) M * N);
      s->vat->linear (s->vat->user, site, noisy, in, w, b, M, K, N);
    }
  sur_apply (s, site, out, noisy, M, N, N);
}

static void
sur_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
        int N, int Dh, int ld)
{
  Surrogate *s = user;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        double acc = 0.0;
        for (int d = 0; d < Dh; d++)
          acc += (double) q[(size_t) i * ld + d] * k[(size_t) j * ld + d];
        scores[(size_t) i * N + j] = (float) acc;
      }
  g_autofree float *noisy = NULL;
  if (s->recording)
    {
      noisy = g_new (float, (size_t) N * N);
      s->vat->attn_qk (s->vat->user, site, noisy, q, k, N, Dh, ld);
    }
  sur_apply (s, site, scores, noisy, N, N, N);
}

static void
sur_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *p,
        const float *v, int N, int Dh, int ld)
{
  Surrogate *s = user;
  for (int i = 0; i < N; i++)
    for (int d = 0; d < Dh; d++)
      {
        double acc = 0.0;
        for (int t = 0; t < N; t++)
          acc += (double) p[(size_t) i * N + t] * v[(size_t) t * ld + d];
        out[(size_t) i * ld_out + d] = (float) acc;
      }
  g_autofree float *noisy = NULL;
  if (s->recording)
    {
      noisy = g_new (float, (size_t) N * Dh);
      s->vat->attn_sv (s->vat->user, site, noisy, Dh, p, v, N, Dh, ld);
    }
  sur_apply (s, site, out, noisy, N, Dh, ld_out);
}

typedef struct {
  VxModel *m;
  VxActs *acts;
  VxMatmulHooks hooks;
  int B;
  float *images, *logits;
  int32_t *labels;
} LossCase;

static double
surrogate_loss (LossCase *c)
{
  VxForwardOpts fo = { &c->hooks, 0, 0, 1 };
  vx_model_forward (c->m, c->acts, c->images, c->B, c->logits, &fo);
  return vx_crossentropy_forward (NULL, c->logits, c->labels, c->B, c->m->arch.num_classes, 0.1f);
}

/* central differences of the surrogate's loss against g at up to max_checks
 * elements of x (n); |numeric - g| <= rtol max(|.|) + atol_frac max|g| */
static void
check_against_surrogate (const char *what, float *x, const float *g, size_t n, LossCase *c,
                         float h, double rtol, double atol_frac, size_t max_checks)
{
  double gmax = 0.0;
  for (size_t i = 0; i < n; i++)
    gmax = MAX (gmax, fabs (g[i]));
  double atol = atol_frac * gmax + 1e-6;
  size_t stride = n > max_checks ? (n + max_checks - 1) / max_checks : 1;
  double worst = 0.0;
  for (size_t i = 0; i < n; i += stride)
    {
      float x0 = x[i];
      x[i] = x0 + h;
      double lp = surrogate_loss (c);
      x[i] = x0 - h;
      double lm = surrogate_loss (c);
      x[i] = x0;
      double hp = (double) (float) (x0 + h) - x0, hm = x0 - (double) (float) (x0 - h);
      double num = (lp - lm) / (hp + hm);
      double err = fabs (num - g[i]), allowed = rtol * MAX (fabs (num), fabs (g[i])) + atol;
      worst = MAX (worst, err / allowed);
      if (err > allowed)
        g_printerr ("%s: element %zu: VAT gradient %.7g, surrogate's numeric %.7g\n", what, i,
                    (double) g[i], num);
      g_assert_cmpfloat (err, <=, allowed);
    }
  g_test_message ("%s: max |g| %.3g, worst error %.2f of the allowance", what, gmax, worst);
}

static void
test_ste (void)
{
  VxArch a = { .img_size = 8, .patch_size = 4, .in_chans = 1, .num_classes = 5, .embed_dim = 8,
               .depth = 2, .num_heads = 2, .mlp_hidden = 12, .distilled = 0, .ln_eps = 1e-6f };
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) m = vx_model_new (&a, &error);
  g_assert_no_error (error);
  fill_normal (m->params.mem, m->params.n, 3, 0.4f);
  int n_t = 0;
  g_autofree VxParamInfo *table = vx_params_table (&a, &n_t);
  for (int i = 0; i < n_t; i++)
    if (strstr (table[i].name, "norm") && g_str_has_suffix (table[i].name, ".weight"))
      for (size_t j = 0; j < table[i].numel; j++)
        m->params.mem[table[i].offset + j] += 1.0f;

  LossCase c = { m };
  c.B = 3;
  int K = a.num_classes;
  size_t img = (size_t) a.img_size * a.img_size;
  c.images = g_new (float, img * c.B);
  c.logits = g_new (float, (size_t) c.B * K);
  c.labels = g_new (int32_t, c.B);
  fill_normal (c.images, img * c.B, 4, 1.0f);
  for (int b = 0; b < c.B; b++)
    c.labels[b] = (int32_t) ((3 * b + 1) % K);
  c.acts = vx_acts_new (&a, c.B, FALSE);

  /* strong noise, so that the noisy activations differ clearly from the ideal ones */
  VxXbarConfig xc;
  vx_vat_config_init (&xc, 5.0);
  g_autoptr (VxVat) vat = vx_vat_new (&xc, 17, 2, &error);
  g_assert_no_error (error);
  Surrogate sur = { vx_vat_get_hooks (vat),
                    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  g_mutex_init (&sur.lock);
  c.hooks.linear = sur_linear;
  c.hooks.attn_qk = sur_qk;
  c.hooks.attn_sv = sur_sv;
  c.hooks.user = &sur;

  /* the sites the trainer's first step uses: first image 0, batch 0 */
  sur.recording = TRUE;
  double noisy_loss = surrogate_loss (&c);
  sur.recording = FALSE;
  /* patch, head (digital: offset 0), 2 blocks x (qkv, proj, fc1, fc2), and
   * 2 blocks x 3 images x 2 heads x (K, V) */
  g_assert_cmpuint (g_hash_table_size (sur.offsets), ==, 2 + 2 * 4 + 2 * 3 * 2 * 2);

  /* the trainer's VAT gradient (lr 0: the weights stay; no clipping) */
  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.batch = c.B;
  cfg.lr = cfg.min_lr = 0.0;
  cfg.warmup_epochs = 0;
  cfg.clip_norm = 0.0;
  cfg.label_smoothing = 0.1;
  g_autofree float *before = g_memdup2 (m->params.mem, sizeof (float) * m->params.n);
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &cfg, &error);
  g_assert_no_error (error);
  VxStepResult r;
  vx_trainer_step (t, c.images, c.labels, c.B, 0.0, vx_vat_get_hooks (vat), &r);
  g_assert_cmpmem (m->params.mem, sizeof (float) * m->params.n, before, sizeof (float) * m->params.n);
  g_autofree float *g_vat = g_memdup2 (vx_trainer_get_grads (t)->mem, sizeof (float) * m->params.n);
  /* the recorded surrogate is the VAT forward at these weights */
  double sur_loss = surrogate_loss (&c);
  g_test_message ("loss: VAT step %.7f, recording %.7f, surrogate %.7f", r.loss, noisy_loss, sur_loss);
  g_assert_cmpfloat (fabs (r.loss - noisy_loss), <, 1e-5 * noisy_loss);
  g_assert_cmpfloat (fabs (sur_loss - noisy_loss), <, 1e-5 * noisy_loss);

  /* the ideal gradient differs: the noise matters at this strength */
  vx_trainer_step (t, c.images, c.labels, c.B, 0.0, NULL, &r);
  const float *g_ideal = vx_trainer_get_grads (t)->mem;
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < m->params.n; i++)
    {
      diff += ((double) g_vat[i] - g_ideal[i]) * ((double) g_vat[i] - g_ideal[i]);
      norm += (double) g_ideal[i] * g_ideal[i];
    }
  g_test_message ("|g_VAT - g_ideal| / |g_ideal| = %.3f, ideal loss %.5f", sqrt (diff / norm), r.loss);
  g_assert_cmpfloat (sqrt (diff / norm), >, 0.05);

  for (int i = 0; i < n_t; i++)
    check_against_surrogate (table[i].name, m->params.mem + table[i].offset,
                             g_vat + table[i].offset, table[i].numel, &c, 1e-2f, 1e-2, 5e-3, 24);

  g_hash_table_unref (sur.offsets);
  g_mutex_clear (&sur.lock);
  vx_acts_free (c.acts);
  g_free (c.images);
  g_free (c.logits);
  g_free (c.labels);
}

/* ---- noise statistics (docs/MODEL.md eq. 8, 9) ---------------------------------------------------- */

/* values on level q of L with w_max = 1 */
static const int stat_levels[4] = { 255, 128, 32, 0 };

typedef struct {
  double s1[4], s2[4];
  guint64 n[4];
} GroupStats;

static void
group_add (GroupStats *g, int grp, double dev)
{
  g->s1[grp] += dev;
  g->s2[grp] += dev * dev;
  g->n[grp]++;
}

static void
group_check (const char *what, const GroupStats *g, const double *want_std, double rtol)
{
  for (int i = 0; i < 4; i++)
    {
      double mean = g->s1[i] / g->n[i];
      double sd = sqrt (MAX (g->s2[i] / g->n[i] - mean * mean, 0.0));
      g_test_message ("%s: w = %3d/255: std %.6f, expected %.6f (%.2f%%), mean %.2e, %" G_GUINT64_FORMAT
                      " values", what, stat_levels[i], sd, want_std[i],
                      want_std[i] > 0 ? 100 * (sd / want_std[i] - 1) : 0.0, mean, g->n[i]);
      if (want_std[i] == 0)
        g_assert_cmpfloat (sd, <, 1e-7);
      else
        {
          g_assert_cmpfloat (fabs (sd / want_std[i] - 1), <, rtol);
          /* unbiased: within 4 standard errors of 0 */
          g_assert_cmpfloat (fabs (mean), <, 4 * want_std[i] / sqrt ((double) g->n[i]) + 1e-7);
        }
    }
}

/* one static matrix read back through the linear hook: W' = out^T for identity inputs */
static void
read_static (VxVat *v, int64_t step, const float *w, int n, float *wq)
{
  g_autofree float *eye = g_new0 (float, (size_t) n * n);
  g_autofree float *out = g_new (float, (size_t) n * n);
  for (int i = 0; i < n; i++)
    eye[(size_t) i * n + i] = 1.0f;
  VxMatmulSite site = { VX_MM_FC1, 0, -1, 0, step, 0 };
  const VxMatmulHooks *h = vx_vat_get_hooks (v);
  h->linear (h->user, &site, out, eye, w, NULL, n, n, n);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++)
      wq[(size_t) j * n + i] = out[(size_t) i * n + j];
}

static void
test_noise_static (void)
{
  enum { NW = 256 };
  VxXbarConfig xc;
  vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxVat) v = vx_vat_new (&xc, 5, 2, &error);
  g_assert_no_error (error);
  double r = xc.g_max / xc.g_min, c = 1.0 / (r - 1);

  /* column i in group i % 4 at level stat_levels, signs alternating by row */
  g_autofree float *w = g_new (float, NW * NW);
  for (int j = 0; j < NW; j++)
    for (int i = 0; i < NW; i++)
      w[j * NW + i] = (j % 2 ? -1.0f : 1.0f) * stat_levels[i % 4] / 255.0f;
  g_autofree float *w0 = g_new (float, NW * NW);
  g_autofree float *w0b = g_new (float, NW * NW);
  g_autofree float *w1 = g_new (float, NW * NW);
  read_static (v, 0, w, NW, w0);
  read_static (v, 0, w, NW, w0b);
  read_static (v, 1, w, NW, w1);
  /* the same step reads the same noise, the next step fresh noise */
  g_assert_cmpmem (w0, sizeof (float) * NW * NW, w0b, sizeof (float) * NW * NW);
  g_assert_true (memcmp (w0, w1, sizeof (float) * NW * NW) != 0);

  GroupStats g = { 0 };
  for (int pass = 0; pass < 2; pass++)
    for (int j = 0; j < NW; j++)
      for (int i = 0; i < NW; i++)
        group_add (&g, i % 4, (pass ? w1 : w0)[j * NW + i] - w[j * NW + i]);
  /* eq. 8, sigma_R (w + w_max/(r-1)), for the active array of each pair; the
   * idle array at G_min adds its own sigma_R w_max/(r-1): the two in quadrature */
  double want[4];
  for (int i = 0; i < 4; i++)
    {
      double wv = stat_levels[i] / 255.0;
      want[i] = xc.sigma_r * sqrt ((wv + c) * (wv + c) + c * c);
    }
  group_check ("static read noise", &g, want, 0.03);
}

/* V' through the S V hook with S = identity, for `images` images */
static void
kv_collect (VxVat *v, gboolean use_k, GroupStats *g, int images)
{
  enum { N = 64, DH = 16 };
  g_autofree float *x = g_new (float, N * DH);
  for (int t = 0; t < N; t++)
    for (int d = 0; d < DH; d++)
      x[t * DH + d] = (t % 2 ? -1.0f : 1.0f) * stat_levels[d % 4] / 255.0f;
  int n = use_k ? DH : N;   /* QK: q = identity needs N = Dh rows */
  g_autofree float *eye = g_new0 (float, N * N);
  g_autofree float *out = g_new (float, N * N);
  const VxMatmulHooks *h = vx_vat_get_hooks (v);
  for (int im = 0; im < images; im++)
    {
      VxMatmulSite site = { use_k ? VX_MM_QK : VX_MM_SV, 1, 1, im, 0, 0 };
      if (use_k)
        {
          for (int i = 0; i < n; i++)
            eye[i * DH + i] = 1.0f;
          /* scores (n, n) = I K'^T: scores[i][t] = K'[t][i] */
          h->attn_qk (h->user, &site, out, eye, x, n, DH, DH);
          for (int t = 0; t < n; t++)
            for (int d = 0; d < DH; d++)
              group_add (g, d % 4, out[d * n + t] - x[t * DH + d]);
        }
      else
        {
          for (int i = 0; i < N; i++)
            eye[i * N + i] = 1.0f;
          h->attn_sv (h->user, &site, out, DH, eye, x, N, DH, DH);
          for (int t = 0; t < N; t++)
            for (int d = 0; d < DH; d++)
              group_add (g, d % 4, out[t * DH + d] - x[t * DH + d]);
        }
    }
}

static void
test_noise_kv (void)
{
  g_autoptr (GError) error = NULL;
  VxXbarConfig xc;
  vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
  xc.write_clamp = VX_WRITE_CLAMP_NONE;   /* eq. 9 as written: the formulas have no bound */
  double L = 255, r = xc.g_max / xc.g_min, gmin = L / (r - 1);
  double wk = xc.gamma * xc.sigma_w * sqrt (L);
  double want[4];

  /* write noise alone: eq. 9, gamma sigma_W sqrt(w_max w); exact zeros get none */
  xc.sigma_r = 0.0;
  g_autoptr (VxVat) vw = vx_vat_new (&xc, 9, 1, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 4; i++)
    want[i] = xc.gamma * xc.sigma_w * sqrt (stat_levels[i] / 255.0);
  GroupStats gv = { 0 };
  kv_collect (vw, FALSE, &gv, 200);
  group_check ("V write noise", &gv, want, 0.03);
  GroupStats gk = { 0 };
  kv_collect (vw, TRUE, &gk, 800);
  group_check ("K write noise", &gk, want, 0.03);

  /* write then read noise: in level units p + wk sqrt(p) z1 is read with
   * sigma_R on both arrays of the pair: variance wk^2 p + sigma_R^2 ((g+p)^2 + wk^2 p + g^2) */
  xc.sigma_r = 0.05;
  g_autoptr (VxVat) vb = vx_vat_new (&xc, 9, 1, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 4; i++)
    {
      double p = stat_levels[i];
      double var = wk * wk * p + xc.sigma_r * xc.sigma_r * ((gmin + p) * (gmin + p) + wk * wk * p + gmin * gmin);
      want[i] = sqrt (var) / L;
    }
  GroupStats gb = { 0 };
  kv_collect (vb, FALSE, &gb, 200);
  group_check ("V write + read noise", &gb, want, 0.03);
}

static void
test_config_checks (void)
{
  VxXbarConfig xc;
  vx_vat_config_init (&xc, 2.0);
  g_assert_cmpfloat (xc.gamma, ==, 2.0);
  g_assert_true (vx_xbar_config_validate (&xc, NULL));
  g_autoptr (GError) error = NULL;
  xc.mode = VX_XBAR_CIRCUIT;
  g_assert_null (vx_vat_new (&xc, 0, 1, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_INVALID_ARG);
  g_clear_error (&error);
  xc.mode = VX_XBAR_FUNCTIONAL;
  xc.kv_scale = VX_KV_SCALE_CALIBRATED;
  g_assert_null (vx_vat_new (&xc, 0, 1, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_INVALID_ARG);
}

/* ---- threads ------------------------------------------------------------------------------- */

static VxDataset *train_set;

static void
load_data (void)
{
  if (train_set)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (VxDataset) all = vx_dataset_open_default (&error);
  g_assert_no_error (error);
  train_set = vx_dataset_subset_stratified (all, 96, 3);
}

static VxModel *
small_model (void)
{
  VxArch a = { .img_size = 28, .patch_size = 7, .in_chans = 1, .num_classes = 10, .embed_dim = 32,
               .depth = 2, .num_heads = 2, .mlp_hidden = 64, .distilled = 0, .ln_eps = 1e-6f };
  VxModel *m = vx_model_new (&a, NULL);
  vx_train_init_torch (m, 21);
  m->mean[0] = 0.2860f;
  m->std[0] = 0.3530f;
  return m;
}

/* a short VAT run (or a standard one with vat = FALSE); the weights (g_free) */
static float *
train_vat (int threads, gboolean vat)
{
  load_data ();
  vx_set_num_threads (threads);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) m = small_model ();
  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.epochs = 1;
  cfg.batch = 16;
  cfg.lr = 1e-3;
  cfg.warmup_epochs = 0;
  cfg.seed = 4;
  cfg.threads = threads;
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &cfg, &error);
  g_assert_no_error (error);
  VxXbarConfig xc;
  vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
  g_autoptr (VxVat) v = vx_vat_new (&xc, cfg.seed, threads, &error);
  g_assert_no_error (error);
  VxTrainCallbacks cb = { 0 };
  cb.hooks = vat ? vx_vat_get_hooks (v) : NULL;
  g_assert_true (vx_trainer_fit (t, train_set, NULL, NULL, &cb, &error));
  g_assert_no_error (error);
  return g_memdup2 (m->params.mem, sizeof (float) * m->params.n);
}

static void
test_threads (void)
{
  g_autoptr (VxModel) ref = small_model ();
  size_t bytes = sizeof (float) * ref->params.n;
  g_autofree float *one = train_vat (1, TRUE);
  g_autofree float *two = train_vat (2, TRUE);
  g_autofree float *plain = train_vat (2, FALSE);
  vx_set_num_threads (2);
  g_assert_true (memcmp (one, ref->params.mem, bytes) != 0);
  /* the noise changed the run */
  g_assert_true (memcmp (one, plain, bytes) != 0);
  g_assert_cmpmem (one, bytes, two, bytes);
}

/* ---- vitx train --from ----------------------------------------------------------------------- */

static void
run_vitx (const char *const *args, int want_status)
{
  const char *bin = g_getenv ("VITX_BIN");
  g_assert_nonnull (bin);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) bin);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_ptr_array_free (argv, TRUE);
  g_assert_no_error (error);
  g_test_message ("vitx %s: %s%s", args[0], out, err);
  if (want_status == 0)
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  else
    g_assert_false (g_spawn_check_wait_status (status, NULL));
}

static void
test_from (void)
{
  if (!g_getenv ("VITX_BIN"))
    {
      g_test_skip ("VITX_BIN is not set");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-vat-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *src = g_build_filename (dir, "src.safetensors", NULL);
  g_autofree char *same = g_build_filename (dir, "same.safetensors", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.safetensors", NULL);
  g_autoptr (VxModel) m = small_model ();
  vx_model_set_meta (m, "vitx.train_command", "vitx train --the-source");
  g_assert_true (vx_model_save (m, src, &error));
  g_assert_no_error (error);

  /* lr 0, with the noise on: the weights stay exactly as they were */
  const char *lr0[] = { "train", "--from", src, "--vat", "--lr", "0", "--limit", "64",
                        "--test-limit", "32", "--batch", "32", "--threads", "2", "--out", same, NULL };
  run_vitx (lr0, 0);
  g_autoptr (VxModel) a = vx_model_load (same, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a->params.mem, sizeof (float) * a->params.n, m->params.mem,
                   sizeof (float) * m->params.n);
  g_assert_cmpstr (vx_model_get_meta (a, "vitx.vat"), ==, "1");
  g_assert_cmpstr (vx_model_get_meta (a, "vitx.vat_gamma"), ==, "2");
  g_assert_cmpstr (vx_model_get_meta (a, "vitx.train.lr"), ==, "0");
  g_assert_cmpstr (vx_model_get_meta (a, "vitx.from"), ==, src);
  g_assert_cmpstr (vx_model_get_meta (a, "vitx.from.train_command"), ==, "vitx train --the-source");
  g_assert_nonnull (strstr (vx_model_get_meta (a, "vitx.train_command"), "--from"));
  g_assert_nonnull (vx_model_get_meta (a, "vitx.test_top1"));
  g_assert_nonnull (vx_model_get_meta (a, "vitx.wall_time_s"));
  g_assert_cmpfloat (a->std[0], ==, m->std[0]);

  /* a positive lr moves them (the check above could not pass by not training) */
  const char *lr1[] = { "train", "--from", src, "--lr", "1e-3", "--limit", "64", "--test-limit",
                        "32", "--batch", "32", "--threads", "2", "--out", moved, NULL };
  run_vitx (lr1, 0);
  g_autoptr (VxModel) b = vx_model_load (moved, &error);
  g_assert_no_error (error);
  g_assert_true (memcmp (b->params.mem, m->params.mem, sizeof (float) * m->params.n) != 0);
  g_assert_null (vx_model_get_meta (b, "vitx.vat"));

  /* the architecture is the model's */
  const char *bad[] = { "train", "--from", src, "--depth", "3", "--out", moved, NULL };
  run_vitx (bad, 2);

  g_unlink (src);
  g_unlink (same);
  g_unlink (moved);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vx_set_num_threads (2);
  g_test_add_func ("/vat/straight-through", test_ste);
  g_test_add_func ("/vat/noise-static", test_noise_static);
  g_test_add_func ("/vat/noise-kv", test_noise_kv);
  g_test_add_func ("/vat/config", test_config_checks);
  g_test_add_func ("/vat/threads", test_threads);
  g_test_add_func ("/vat/from", test_from);
  int rc = g_test_run ();
  vx_dataset_free (train_set);
  return rc;
}
