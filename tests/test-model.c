/* test-model.c: parameter layout and the forward pass against a naive reference */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vx-fastmath.h"
#include "vx-gemm.h"
#include "vx-kernels.h"
#include "vx-model.h"
#include "vx-model-private.h"
#include "vx-rng.h"

static VxArch
tiny_arch (int distilled)
{
  VxArch a = { .img_size = 12, .patch_size = 4, .in_chans = 2, .num_classes = 5,
               .embed_dim = 16, .depth = 2, .num_heads = 4, .mlp_hidden = 24,
               .distilled = distilled, .ln_eps = 1e-6f };
  return a;
}

/* random weights of a visible scale, so attention is far from uniform */
static VxModel *
random_model (const VxArch *a, uint64_t seed)
{
  g_autoptr (GError) error = NULL;
  VxModel *m = vx_model_new (a, &error);
  g_assert_no_error (error);
  VxRng r;
  vx_rng_init (&r, seed);
  for (size_t i = 0; i < m->params.n; i++)
    m->params.mem[i] = 0.3f * vx_rng_normal (&r);
  return m;
}

static float *
random_images (const VxArch *a, int B, uint64_t seed)
{
  size_t n = (size_t) B * a->in_chans * a->img_size * a->img_size;
  float *x = g_new (float, n);
  VxRng r;
  vx_rng_init (&r, seed);
  vx_rng_normal_fill (&r, x, n);
  return x;
}

/* ---- naive reference forward, written independently of vx-kernels.c ---------- */

static void
ref_layernorm (double *y, const double *x, const float *w, const float *b, int C, double eps)
{
  double m = 0, v = 0;
  for (int j = 0; j < C; j++)
    m += x[j];
  m /= C;
  for (int j = 0; j < C; j++)
    v += (x[j] - m) * (x[j] - m);
  v /= C;
  for (int j = 0; j < C; j++)
    y[j] = (x[j] - m) / sqrt (v + eps) * w[j] + b[j];
}

static void
ref_linear (double *y, const double *x, const float *w, const float *b, int K, int N)
{
  for (int o = 0; o < N; o++)
    {
      double s = b ? b[o] : 0;
      for (int k = 0; k < K; k++)
        s += x[k] * w[(size_t) o * K + k];
      y[o] = s;
    }
}

static void
ref_forward_one (const VxModel *m, const float *img, double *logits)
{
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int S = a->img_size, P = a->patch_size, C = a->in_chans, G = S / P;
  int D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads, Dh = D / H, K = a->num_classes;
  int T = a->distilled ? 2 : 1, N = G * G + T;
  double *x = g_new0 (double, (size_t) N * D), *h = g_new0 (double, (size_t) N * D);
  double *qkv = g_new0 (double, (size_t) N * 3 * D), *att = g_new0 (double, (size_t) N * D);
  double *t1 = g_new0 (double, (size_t) N * F), *t2 = g_new0 (double, (size_t) N * D);
  double *s = g_new0 (double, N);

  /* patch embedding as a strided convolution */
  for (int gy = 0; gy < G; gy++)
    for (int gx = 0; gx < G; gx++)
      for (int d = 0; d < D; d++)
        {
          double acc = p->patch_b[d];
          for (int c = 0; c < C; c++)
            for (int py = 0; py < P; py++)
              for (int px = 0; px < P; px++)
                acc += (double) p->patch_w[((d * C + c) * P + py) * P + px]
                       * img[(c * S + gy * P + py) * S + gx * P + px];
          x[(size_t) (T + gy * G + gx) * D + d] = acc;
        }
  for (int d = 0; d < D; d++)
    {
      x[d] = p->cls_token[d];
      if (T > 1)
        x[D + d] = p->dist_token[d];
    }
  for (int i = 0; i < N * D; i++)
    x[i] += p->pos_embed[i];

  for (int l = 0; l < a->depth; l++)
    {
      const VxBlockParams *bp = &p->blocks[l];
      for (int t = 0; t < N; t++)
        {
          ref_layernorm (h + (size_t) t * D, x + (size_t) t * D, bp->norm1_w, bp->norm1_b, D, a->ln_eps);
          ref_linear (qkv + (size_t) t * 3 * D, h + (size_t) t * D, bp->qkv_w, bp->qkv_b, D, 3 * D);
        }
      for (int hh = 0; hh < H; hh++)
        for (int i = 0; i < N; i++)
          {
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < N; j++)
              {
                double dot = 0;
                for (int e = 0; e < Dh; e++)
                  dot += qkv[(size_t) i * 3 * D + hh * Dh + e] * qkv[(size_t) j * 3 * D + D + hh * Dh + e];
                s[j] = dot / sqrt ((double) Dh);
                mx = fmax (mx, s[j]);
              }
            for (int j = 0; j < N; j++)
              sum += (s[j] = exp (s[j] - mx));
            for (int e = 0; e < Dh; e++)
              {
                double acc = 0;
                for (int j = 0; j < N; j++)
                  acc += s[j] / sum * qkv[(size_t) j * 3 * D + 2 * D + hh * Dh + e];
                att[(size_t) i * D + hh * Dh + e] = acc;
              }
          }
      for (int t = 0; t < N; t++)
        {
          ref_linear (t2, att + (size_t) t * D, bp->proj_w, bp->proj_b, D, D);
          for (int d = 0; d < D; d++)
            x[(size_t) t * D + d] += t2[d];
          ref_layernorm (h, x + (size_t) t * D, bp->norm2_w, bp->norm2_b, D, a->ln_eps);
          ref_linear (t1, h, bp->fc1_w, bp->fc1_b, D, F);
          for (int f = 0; f < F; f++)
            t1[f] = 0.5 * t1[f] * (1 + erf (t1[f] / sqrt (2.0)));
          ref_linear (t2, t1, bp->fc2_w, bp->fc2_b, F, D);
          for (int d = 0; d < D; d++)
            x[(size_t) t * D + d] += t2[d];
        }
    }
  double *lk = g_new0 (double, K);
  for (int k = 0; k < K; k++)
    logits[k] = 0;
  for (int t = 0; t < T; t++)
    {
      ref_layernorm (h, x + (size_t) t * D, p->norm_w, p->norm_b, D, a->ln_eps);
      ref_linear (lk, h, t ? p->head_dist_w : p->head_w, t ? p->head_dist_b : p->head_b, D, K);
      for (int k = 0; k < K; k++)
        logits[k] += lk[k] / T;
    }
  g_free (lk);
  g_free (x);
  g_free (h);
  g_free (qkv);
  g_free (att);
  g_free (t1);
  g_free (t2);
  g_free (s);
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_params_table (void)
{
  for (int dist = 0; dist <= 1; dist++)
    {
      VxArch a = tiny_arch (dist);
      int n = 0;
      g_autofree VxParamInfo *t = vx_params_table (&a, &n);
      size_t total = 0;
      for (int i = 0; i < n; i++)
        {
          g_assert_cmpuint (t[i].offset, ==, total);
          total += t[i].numel;
        }
      g_assert_cmpuint (total, ==, vx_params_count (&a));
      g_assert_cmpstr (t[0].name, ==, "patch_embed.proj.weight");
      g_assert_cmpstr (t[n - 1].name, ==, dist ? "head_dist.bias" : "head.bias");
    }
}

static void
test_params_deit_sizes (void)
{
  /* parameter counts of timm's DeiT models, and DeiT-S's 4.6 GMACs */
  VxArch ti = { 224, 16, 3, 1000, 192, 12, 3, 768, 0, 1e-6f };
  VxArch s = { 224, 16, 3, 1000, 384, 12, 6, 1536, 0, 1e-6f };
  VxArch b = { 224, 16, 3, 1000, 768, 12, 12, 3072, 0, 1e-6f };
  g_assert_cmpuint (vx_params_count (&ti), ==, 5717416);
  g_assert_cmpuint (vx_params_count (&s), ==, 22050664);
  g_assert_cmpuint (vx_params_count (&b), ==, 86567656);
  double gmacs = vx_arch_flops_per_image (&s) / 2e9;
  g_assert_cmpfloat (gmacs, >, 4.55);
  g_assert_cmpfloat (gmacs, <, 4.65);
}

static void
test_arch_validate (void)
{
  VxArch a = tiny_arch (0);
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_arch_validate (&a, NULL));
  a.num_heads = 3;
  g_assert_false (vx_arch_validate (&a, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_SHAPE);
  g_clear_error (&error);
  a = tiny_arch (0);
  a.img_size = 13;
  g_assert_false (vx_arch_validate (&a, &error));
  g_clear_error (&error);
  a = tiny_arch (0);
  a.depth = 0;
  g_assert_false (vx_arch_validate (&a, &error));
  g_assert_nonnull (strstr (error->message, "depth"));
}

static void
check_against_reference (int distilled)
{
  VxArch a = tiny_arch (distilled);
  g_autoptr (VxModel) m = random_model (&a, 11 + distilled);
  const int B = 3;
  g_autofree float *x = random_images (&a, B, 5);
  g_autofree float *logits = g_new (float, B * a.num_classes);
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  vx_model_forward (m, acts, x, B, logits, NULL);
  vx_acts_free (acts);

  size_t img = (size_t) a.in_chans * a.img_size * a.img_size;
  double ref[16], maxdiff = 0, maxabs = 0;
  for (int b = 0; b < B; b++)
    {
      ref_forward_one (m, x + b * img, ref);
      for (int k = 0; k < a.num_classes; k++)
        {
          maxdiff = fmax (maxdiff, fabs (ref[k] - logits[b * a.num_classes + k]));
          maxabs = fmax (maxabs, fabs (ref[k]));
        }
    }
  g_test_message ("max |diff| %.3g (max |logit| %.3g)", maxdiff, maxabs);
  g_assert_cmpfloat (maxabs, >, 0.1);
  g_assert_cmpfloat (maxdiff, <, 1e-4 * fmax (1.0, maxabs));
}

static void
test_forward_reference (void)
{
  check_against_reference (0);
}

static void
test_forward_reference_distilled (void)
{
  check_against_reference (1);
}

static void
test_forward_batch_invariance (void)
{
  /* the logits of an image do not depend on the rest of its batch, and
   * keep_all buffers give the same numbers as shared ones */
  VxArch a = tiny_arch (0);
  g_autoptr (VxModel) m = random_model (&a, 3);
  const int B = 5;
  int K = a.num_classes;
  size_t img = (size_t) a.in_chans * a.img_size * a.img_size;
  g_autofree float *x = random_images (&a, B, 8);
  g_autofree float *all = g_new (float, B * K);
  g_autofree float *kept = g_new (float, B * K);
  float one[16];
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  VxActs *acts_keep = vx_acts_new (&a, B, TRUE);
  vx_model_forward (m, acts, x, B, all, NULL);
  vx_model_forward (m, acts_keep, x, B, kept, NULL);
  g_assert_cmpmem (all, B * K * sizeof (float), kept, B * K * sizeof (float));
  for (int b = 0; b < B; b++)
    {
      vx_model_forward (m, acts, x + b * img, 1, one, NULL);
      for (int k = 0; k < K; k++)
        g_assert_cmpfloat (fabsf (one[k] - all[b * K + k]), <, 1e-5f);
    }
  vx_acts_free (acts);
  vx_acts_free (acts_keep);
}

static void
test_forward_threads_identical (void)
{
  VxArch a = { .img_size = 28, .patch_size = 4, .in_chans = 1, .num_classes = 10, .embed_dim = 64,
               .depth = 2, .num_heads = 4, .mlp_hidden = 128, .ln_eps = 1e-6f };
  g_autoptr (VxModel) m = random_model (&a, 21);
  const int B = 32;
  g_autofree float *x = random_images (&a, B, 9);
  g_autofree float *l1 = g_new (float, B * 10);
  g_autofree float *l2 = g_new (float, B * 10);
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  /* large enough that the products are cut into row blocks on two threads */
  int N = vx_arch_num_tokens (&a);
  g_assert_cmpint (vx_gemm_rows_threads (B * N, 3 * a.embed_dim, a.embed_dim, 2), ==, 2);
  VxForwardOpts o1 = { .threads = 1 }, o2 = { .threads = 2 };
  vx_model_forward (m, acts, x, B, l1, &o1);
  vx_model_forward (m, acts, x, B, l2, &o2);
  vx_acts_free (acts);
  g_assert_cmpmem (l1, B * 10 * sizeof (float), l2, B * 10 * sizeof (float));
}

/* batches cut into slices that run side by side (vx_forward_slices) give the
 * logits and the activations of the unsliced pass, bit for bit */
static void
test_forward_slices_identical (void)
{
  VxArch a = { .img_size = 28, .patch_size = 4, .in_chans = 1, .num_classes = 10, .embed_dim = 64,
               .depth = 2, .num_heads = 4, .mlp_hidden = 128, .ln_eps = 1e-6f };
  g_autoptr (VxModel) m = random_model (&a, 23);
  const int B = 77, K = 10;   /* N = 50 tokens: slices of whole 24-image quanta, a tail of 5 */
  int bounds[VX_FORWARD_MAX_LANES + 1];

  /* the rule: one slice per thread while there are two quanta, none for
   * training buffers, pruning, hooks that do not allow it or a small batch */
  g_assert_cmpint (vx_forward_slices (&a, B, 1, NULL, FALSE, 1.0, bounds), ==, 1);
  g_assert_cmpint (vx_forward_slices (&a, B, 2, NULL, FALSE, 1.0, bounds), ==, 2);
  g_assert_cmpint (bounds[0], ==, 0);
  g_assert_cmpint (bounds[1], ==, 48);   /* 38.5 rounds to the quantum at 48 */
  g_assert_cmpint (bounds[2], ==, B);
  g_assert_cmpint (vx_forward_slices (&a, B, 8, NULL, FALSE, 1.0, bounds), ==, 3);
  g_assert_cmpint (bounds[1], ==, 24);
  g_assert_cmpint (bounds[2], ==, 48);
  g_assert_cmpint (bounds[3], ==, B);
  g_assert_cmpint (vx_forward_slices (&a, 47, 2, NULL, FALSE, 1.0, NULL), ==, 1);
  g_assert_cmpint (vx_forward_slices (&a, B, 2, NULL, TRUE, 1.0, NULL), ==, 1);
  g_assert_cmpint (vx_forward_slices (&a, B, 2, NULL, FALSE, 0.5, NULL), ==, 1);
  VxMatmulHooks plain = { 0 }, sliceable = { .concurrent_slices = TRUE };
  g_assert_cmpint (vx_forward_slices (&a, B, 2, &plain, FALSE, 1.0, NULL), ==, 1);
  g_assert_cmpint (vx_forward_slices (&a, B, 2, &sliceable, FALSE, 1.0, NULL), ==, 2);

  g_autofree float *x = random_images (&a, B, 11);
  g_autofree float *ref = g_new (float, B * K);
  g_autofree float *got = g_new (float, B * K);
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  VxForwardOpts o = { .threads = 1 };
  vx_model_forward (m, acts, x, B, ref, &o);
  VxBlockActs *blk = vx_acts_block (acts, 0);
  size_t n_att = (size_t) B * vx_arch_num_tokens (&a) * a.embed_dim;
  g_autofree float *att_ref = g_memdup2 (blk->att, sizeof (float) * n_att);
  for (int threads = 2; threads <= 3; threads++)
    {
      o.threads = threads;
      memset (blk->att, 0, sizeof (float) * n_att);
      vx_model_forward (m, acts, x, B, got, &o);
      g_assert_cmpmem (ref, B * K * sizeof (float), got, B * K * sizeof (float));
      g_assert_cmpmem (att_ref, n_att * sizeof (float), blk->att, n_att * sizeof (float));
    }
  vx_acts_free (acts);
}

/* a hook that does every product with naive loops must give the same logits,
 * and must be called for every kind of product */
typedef struct {
  int calls[VX_MM_N_KINDS];
  GMutex lock;
} HookCount;

static void
naive_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *w, const float *b, int M, int K, int N)
{
  HookCount *hc = user;
  hc->calls[site->kind]++;
  for (int i = 0; i < M; i++)
    for (int o = 0; o < N; o++)
      {
        double s = b ? b[o] : 0;
        for (int k = 0; k < K; k++)
          s += (double) in[(size_t) i * K + k] * w[(size_t) o * K + k];
        out[(size_t) i * N + o] = (float) s;
      }
}

static void
naive_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
          int N, int Dh, int ld)
{
  HookCount *hc = user;
  g_mutex_lock (&hc->lock);
  hc->calls[site->kind]++;
  g_mutex_unlock (&hc->lock);
  g_assert_cmpint (site->head, >=, 0);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        double s = 0;
        for (int e = 0; e < Dh; e++)
          s += (double) q[(size_t) i * ld + e] * k[(size_t) j * ld + e];
        scores[(size_t) i * N + j] = (float) s;
      }
}

static void
naive_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
          const float *v, int N, int Dh, int ld)
{
  HookCount *hc = user;
  g_mutex_lock (&hc->lock);
  hc->calls[site->kind]++;
  g_mutex_unlock (&hc->lock);
  for (int i = 0; i < N; i++)
    for (int e = 0; e < Dh; e++)
      {
        double acc = 0;
        for (int j = 0; j < N; j++)
          acc += (double) s[(size_t) i * N + j] * v[(size_t) j * ld + e];
        out[(size_t) i * ld_out + e] = (float) acc;
      }
}

static void
test_forward_hooks (void)
{
  VxArch a = tiny_arch (1);
  g_autoptr (VxModel) m = random_model (&a, 4);
  const int B = 2;
  int K = a.num_classes;
  g_autofree float *x = random_images (&a, B, 6);
  g_autofree float *plain = g_new (float, B * K);
  g_autofree float *hooked = g_new (float, B * K);
  HookCount hc = { 0 };
  g_mutex_init (&hc.lock);
  VxMatmulHooks hooks = { .linear = naive_linear, .attn_qk = naive_qk, .attn_sv = naive_sv, .user = &hc };
  VxForwardOpts o = { .hooks = &hooks, .first_image = 100 };
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  vx_model_forward (m, acts, x, B, plain, NULL);
  vx_model_forward (m, acts, x, B, hooked, &o);
  vx_acts_free (acts);
  for (int i = 0; i < B * K; i++)
    g_assert_cmpfloat (fabsf (plain[i] - hooked[i]), <, 1e-4f);
  g_assert_cmpint (hc.calls[VX_MM_PATCH], ==, 1);
  g_assert_cmpint (hc.calls[VX_MM_QKV], ==, a.depth);
  g_assert_cmpint (hc.calls[VX_MM_PROJ], ==, a.depth);
  g_assert_cmpint (hc.calls[VX_MM_FC1], ==, a.depth);
  g_assert_cmpint (hc.calls[VX_MM_FC2], ==, a.depth);
  g_assert_cmpint (hc.calls[VX_MM_HEAD], ==, 2);
  g_assert_cmpint (hc.calls[VX_MM_QK], ==, a.depth * B * a.num_heads);
  g_assert_cmpint (hc.calls[VX_MM_SV], ==, a.depth * B * a.num_heads);
  g_mutex_clear (&hc.lock);
}

static void
test_model_copy_and_meta (void)
{
  VxArch a = tiny_arch (0);
  g_autoptr (VxModel) m = random_model (&a, 2);
  vx_model_set_meta (m, "vitx.seed", "42");
  g_autoptr (VxModel) c = vx_model_copy (m);
  g_assert_cmpmem (m->params.mem, m->params.n * 4, c->params.mem, c->params.n * 4);
  g_assert_cmpstr (vx_model_get_meta (c, "vitx.seed"), ==, "42");
  g_assert_true (vx_model_check_finite (c, NULL));
  c->params.blocks[1].fc2_b[3] = NAN;
  g_autoptr (GError) error = NULL;
  g_assert_false (vx_model_check_finite (c, &error));
  g_assert_nonnull (strstr (error->message, "blocks.1.mlp.fc2.bias"));
}

static void
test_fastmath (void)
{
  double worst_exp = 0, worst_erf = 0;
  for (double x = -87.0; x <= 88.0; x += 0.001)
    {
      double ref = exp ((float) x);
      worst_exp = fmax (worst_exp, fabs (vx_fast_expf ((float) x) - ref) / ref);
    }
  for (double x = -6.0; x <= 6.0; x += 0.0005)
    worst_erf = fmax (worst_erf, fabs (vx_fast_erff ((float) x) - erf ((float) x)));
  g_test_message ("exp: max relative error %.3g; erf: max absolute error %.3g", worst_exp, worst_erf);
  g_assert_cmpfloat (worst_exp, <, 3e-7);
  g_assert_cmpfloat (worst_erf, <, 5e-7);
  /* softmax rows sum to one and keep their order, also for very negative scores */
  float row[37];
  for (int j = 0; j < 37; j++)
    row[j] = -200.0f + 3.0f * j;
  vx_softmax_forward (row, 1.0f, 1, 37);
  double sum = 0;
  for (int j = 0; j < 37; j++)
    sum += row[j];
  g_assert_cmpfloat (fabs (sum - 1.0), <, 1e-6);
  g_assert_cmpfloat (row[36], >, row[35]);
  g_assert_cmpfloat (fabs (row[36] - 1.0 / (1.0 + exp (-3.0) / (1 - exp (-3.0)))), <, 1e-4);
}

static void
test_wilson (void)
{
  double lo, hi;
  vx_wilson_interval (90, 100, &lo, &hi);
  /* textbook values for 90/100: 0.8256 .. 0.9448 */
  g_assert_cmpfloat (fabs (lo - 0.8256), <, 1e-3);
  g_assert_cmpfloat (fabs (hi - 0.9448), <, 1e-3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/params-table", test_params_table);
  g_test_add_func ("/model/params-deit-sizes", test_params_deit_sizes);
  g_test_add_func ("/model/arch-validate", test_arch_validate);
  g_test_add_func ("/model/copy-and-meta", test_model_copy_and_meta);
  g_test_add_func ("/forward/reference", test_forward_reference);
  g_test_add_func ("/forward/reference-distilled", test_forward_reference_distilled);
  g_test_add_func ("/forward/batch-invariance", test_forward_batch_invariance);
  g_test_add_func ("/forward/threads-identical", test_forward_threads_identical);
  g_test_add_func ("/forward/slices-identical", test_forward_slices_identical);
  g_test_add_func ("/forward/hooks", test_forward_hooks);
  g_test_add_func ("/eval/wilson", test_wilson);
  g_test_add_func ("/kernels/fastmath", test_fastmath);
  return g_test_run ();
}
