/* test-prune.c: token pruning by class-token attention (the "Sparse" variant) */
#define G_LOG_DOMAIN "test-prune"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "vx-backward.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-kernels.h"
#include "vx-model-private.h"
#include "vx-train.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

/* the crossbar tests' small model (16x16 images, patch 4: 16 patches + class
 * token = 17 tokens, dim 32, MLP 64) with `depth` blocks and 2 heads */
static VxModel *
small_model (int depth, guint64 seed)
{
  return xbar_test_model (depth, 2, seed);
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

static float *
forward (const VxModel *m, const float *images, int B, double keep, const VxMatmulHooks *hooks,
         int threads, gboolean keep_all, VxActs **acts_out)
{
  float *logits = g_new (float, (size_t) B * m->arch.num_classes);
  VxActs *acts = vx_acts_new (&m->arch, B, keep_all);
  VxForwardOpts fo = { hooks, 0, 0, threads, keep };
  vx_model_forward (m, acts, images, B, logits, &fo);
  if (acts_out)
    *acts_out = acts;
  else
    vx_acts_free (acts);
  return logits;
}

/* ---- schedule ------------------------------------------------------------------------------- */

static void
test_schedule (void)
{
  int b[VX_PRUNE_MAX_STAGES];
  g_assert_cmpint (vx_prune_blocks (12, b), ==, 3);
  g_assert_cmpint (b[0], ==, 3); g_assert_cmpint (b[1], ==, 6); g_assert_cmpint (b[2], ==, 9);
  g_assert_cmpint (vx_prune_blocks (6, b), ==, 3);
  g_assert_cmpint (b[0], ==, 2); g_assert_cmpint (b[1], ==, 3); g_assert_cmpint (b[2], ==, 5);
  g_assert_cmpint (vx_prune_blocks (4, b), ==, 3);
  g_assert_cmpint (b[0], ==, 1); g_assert_cmpint (b[1], ==, 2); g_assert_cmpint (b[2], ==, 3);
  g_assert_cmpint (vx_prune_blocks (3, b), ==, 2);   /* 0.75 -> 1, 1.5 -> 2, 2.25 -> 2 */
  g_assert_cmpint (b[0], ==, 1); g_assert_cmpint (b[1], ==, 2);
  g_assert_cmpint (vx_prune_blocks (2, b), ==, 1);
  g_assert_cmpint (b[0], ==, 1);
  g_assert_cmpint (vx_prune_blocks (1, b), ==, 0);

  /* k = ceil(keep n) */
  g_assert_cmpint (vx_prune_keep_count (49, 0.7), ==, 35);   /* 34.3 */
  g_assert_cmpint (vx_prune_keep_count (35, 0.7), ==, 25);   /* 24.5 */
  g_assert_cmpint (vx_prune_keep_count (25, 0.7), ==, 18);   /* 17.5 */
  g_assert_cmpint (vx_prune_keep_count (10, 0.7), ==, 7);    /* exactly 7, not 8 */
  g_assert_cmpint (vx_prune_keep_count (196, 0.7), ==, 138); /* DeiT-S: 137.2 */
  g_assert_cmpint (vx_prune_keep_count (3, 0.01), ==, 1);
  g_assert_cmpint (vx_prune_keep_count (16, 1.0), ==, 16);

  /* the shipped architecture: 50 tokens, 6 blocks */
  VxArch a = { 28, 4, 1, 10, 64, 6, 4, 256, 0, 1e-6f };
  int tokens[6];
  vx_prune_schedule (&a, 0.7, tokens);
  int want[6] = { 50, 50, 36, 26, 26, 19 };
  for (int l = 0; l < 6; l++)
    g_assert_cmpint (tokens[l], ==, want[l]);
  vx_prune_schedule (&a, 1.0, tokens);
  for (int l = 0; l < 6; l++)
    g_assert_cmpint (tokens[l], ==, 50);
  g_assert_cmpfloat (vx_prune_flops_per_image (&a, 1.0), ==, vx_arch_flops_per_image (&a));
  /* by hand: patch 49*16*64, blocks N*D*3D + 2 N^2 D + N D^2 + 2 N D F, head 64*10 */
  double macs = 49.0 * 16 * 64 + 64 * 10;
  for (int l = 0; l < 6; l++)
    {
      double N = want[l];
      macs += N * 64 * 192 + 2 * N * N * 64 + N * 64 * 64 + 2 * N * 64 * 256;
    }
  g_assert_cmpfloat_with_epsilon (vx_prune_flops_per_image (&a, 0.7), 2 * macs, 1e-6 * macs);

  /* keep ratios as text */
  double k = 0;
  g_assert_true (vx_prune_keep_parse ("0.7", &k, NULL));
  g_assert_cmpfloat (k, ==, 0.7);
  g_assert_true (vx_prune_keep_parse ("1", &k, NULL));
  const char *bad[] = { "0", "-0.5", "1.5", "abc", "", "0.7x", "nan", "inf" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) err = NULL;
      g_assert_false (vx_prune_keep_parse (bad[i], &k, &err));
      g_assert_error (err, VX_ERROR, VX_ERROR_INVALID_ARG);
    }
}

/* ---- the selection, by hand ------------------------------------------------------------------- */

static void
test_select_by_hand (void)
{
  /* B = 2 images, H = 2 heads, N = 7 tokens (class + 6 patches); dyadic values so
   * the head averages are exact */
  enum { B = 2, H = 2, N = 7 };
  float probs[B][H][N][N];
  memset (probs, 0, sizeof probs);
  /* image 0: class-token rows of heads 0 and 1 */
  const float h0[N] = { 0.0625f, 0.25f, 0.125f, 0.0625f, 0.25f, 0.125f, 0.125f };
  const float h1[N] = { 0.125f, 0.0625f, 0.25f, 0.25f, 0.125f, 0.0625f, 0.125f };
  /* patch averages 1..6: 0.15625 0.1875 0.15625 0.1875 0.09375 0.125 */
  memcpy (probs[0][0][0], h0, sizeof h0);
  memcpy (probs[0][1][0], h1, sizeof h1);
  /* image 1: the class token looks at patches 6, 5, 4 */
  const float g[N] = { 0.0f, 0.0f, 0.0f, 0.0f, 0.125f, 0.375f, 0.5f };
  memcpy (probs[1][0][0], g, sizeof g);
  memcpy (probs[1][1][0], g, sizeof g);
  /* rows of other queries must not count: all their mass on patch 1 */
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++)
      for (int q = 1; q < N; q++)
        probs[b][h][q][1] = 1.0f;

  int kept[B][4];
  vx_prune_select (&kept[0][0], &probs[0][0][0][0], B, H, N, 1, 3);
  /* image 0: 0.1875 at 2 and 4, then the tie 0.15625 at 1 and 3 goes to 1 */
  int want0[4] = { 0, 1, 2, 4 }, want1[4] = { 0, 4, 5, 6 };
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (kept[0][i], ==, want0[i]);
      g_assert_cmpint (kept[1][i], ==, want1[i]);
    }

  /* distilled (T = 2): both special tokens stay, column 1 is not a candidate */
  float pd[1][1][5][5];
  memset (pd, 0, sizeof pd);
  const float r0[5] = { 0.0f, 0.75f, 0.0625f, 0.125f, 0.0625f };
  memcpy (pd[0][0][0], r0, sizeof r0);
  int kd[3];
  vx_prune_select (kd, &pd[0][0][0][0], 1, 1, 5, 2, 1);
  g_assert_cmpint (kd[0], ==, 0);
  g_assert_cmpint (kd[1], ==, 1);
  g_assert_cmpint (kd[2], ==, 3);

  /* the gather, and its backward as its adjoint: <gather(x), y> = <x, gather^T(y)> */
  enum { D = 3 };
  float x[B * N * D], y[B * 4 * D], gx[B * 4 * D], dx[B * N * D];
  for (int i = 0; i < B * N * D; i++)
    x[i] = (float) (i % 11) - 5.0f;
  for (int i = 0; i < B * 4 * D; i++)
    y[i] = 0.5f * (float) (i % 7) - 1.0f;
  vx_tokens_gather (gx, x, &kept[0][0], B, N, 4, D);
  for (int b = 0; b < B; b++)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < D; j++)
        g_assert_cmpfloat (gx[(b * 4 + i) * D + j], ==, x[(b * N + kept[b][i]) * D + j]);
  memset (dx, 0, sizeof dx);
  vx_tokens_gather_backward (dx, y, &kept[0][0], B, N, 4, D);
  double lhs = 0, rhs = 0;
  for (int i = 0; i < B * 4 * D; i++)
    lhs += (double) gx[i] * y[i];
  for (int i = 0; i < B * N * D; i++)
    rhs += (double) x[i] * dx[i];
  g_assert_cmpfloat (lhs, ==, rhs);
  /* dropped rows get nothing */
  for (int j = 0; j < D; j++)
    {
      g_assert_cmpfloat (dx[(0 * N + 3) * D + j], ==, 0.0f);
      g_assert_cmpfloat (dx[(1 * N + 1) * D + j], ==, 0.0f);
    }
}

/* ---- keep 1 = the unpruned engine, bit for bit ----------------------------------------------- */

static void
test_keep_one_identical (void)
{
  VxModel *m = small_model (4, 3);
  g_autofree float *img = random_images (5, 4);
  g_autofree float *plain = forward (m, img, 5, 0.0, NULL, 0, FALSE, NULL);
  g_autofree float *one = forward (m, img, 5, 1.0, NULL, 0, FALSE, NULL);
  g_autofree float *one_all = forward (m, img, 5, 1.0, NULL, 0, TRUE, NULL);
  g_assert_cmpmem (plain, 5 * 10 * sizeof (float), one, 5 * 10 * sizeof (float));
  g_assert_cmpmem (plain, 5 * 10 * sizeof (float), one_all, 5 * 10 * sizeof (float));
  /* the model's own ratio 1 (a --prune-keep 1 override) is no pruning either */
  vx_model_set_meta (m, VX_META_PRUNE_KEEP, "1");
  g_autofree float *meta_one = forward (m, img, 5, 0.0, NULL, 0, FALSE, NULL);
  g_assert_cmpmem (plain, 5 * 10 * sizeof (float), meta_one, 5 * 10 * sizeof (float));
  /* with pruning the logits do change */
  g_autofree float *pruned = forward (m, img, 5, 0.7, NULL, 0, FALSE, NULL);
  g_assert_cmpfloat (xbar_test_max_diff (plain, pruned, 50), >, 1e-3);
  vx_model_free (m);
}

/* ---- the model's metadata is the default ------------------------------------------------------- */

static void
test_metadata_default (void)
{
  VxModel *m = small_model (4, 5);
  g_autofree float *img = random_images (3, 6);
  g_autofree float *explicit = forward (m, img, 3, 0.7, NULL, 0, FALSE, NULL);
  g_autofree float *plain = forward (m, img, 3, 0.0, NULL, 0, FALSE, NULL);
  vx_model_set_meta (m, VX_META_PRUNE_KEEP, "0.7");
  g_assert_cmpfloat (vx_model_prune_keep (m), ==, 0.7);
  g_autofree float *meta = forward (m, img, 3, 0.0, NULL, 0, FALSE, NULL);
  g_assert_cmpmem (explicit, 30 * sizeof (float), meta, 30 * sizeof (float));
  /* an explicit 1 overrides the model's ratio */
  g_autofree float *off = forward (m, img, 3, 1.0, NULL, 0, FALSE, NULL);
  g_assert_cmpmem (plain, 30 * sizeof (float), off, 30 * sizeof (float));
  /* copies keep it (the metadata travels with the model) */
  g_autoptr (VxModel) c = vx_model_copy (m);
  g_assert_cmpfloat (vx_model_prune_keep (c), ==, 0.7);
  /* unusable values mean no pruning */
  const char *bad[] = { "abc", "1.5", "0", "-1" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      vx_model_set_meta (m, VX_META_PRUNE_KEEP, bad[i]);
      g_assert_cmpfloat (vx_model_prune_keep (m), ==, 1.0);
    }
  vx_model_free (m);
}

/* ---- tokens per block, seen by every hook ----------------------------------------------------- */

typedef struct {
  int linear_rows[4][4];   /* [block][kind QKV..FC2] M of the linear calls */
  int qk_n[4], block_n[4], probs_n[4], out_n[4];
  int kept_calls, kept_block[4], kept_n[4];
  int kept[4][64];         /* original indices of image 0 after each pruning */
} Seen;

static void
seen_linear (void *user, const VxMatmulSite *s, float *out, const float *in, const float *w,
             const float *b, int M, int K, int N)
{
  Seen *seen = user;
  if (s->block >= 0)
    {
      seen->linear_rows[s->block][s->kind - VX_MM_QKV] = M;
      g_assert_cmpint (M % s->tokens, ==, 0);
    }
  vx_linear_forward (out, in, w, b, M, K, N, 1);
}

static void
seen_qk (void *user, const VxMatmulSite *s, float *scores, const float *q, const float *k,
         int N, int Dh, int ld)
{
  Seen *seen = user;
  if (s->image == 0 && s->head == 0)
    seen->qk_n[s->block] = N;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, k, ld, 0.0f, scores, N);
}

static void
seen_block_in (void *user, int block, int64_t fi, float *x, int B, int N, int D)
{
  ((Seen *) user)->block_n[block] = N;
}

static void
seen_probs (void *user, int block, int64_t fi, const float *p, int B, int H, int N)
{
  ((Seen *) user)->probs_n[block] = N;
}

static void
seen_out (void *user, int block, int64_t fi, const float *x, int B, int N, int D)
{
  ((Seen *) user)->out_n[block] = N;
}

static void
seen_kept (void *user, int block, int64_t fi, const int *kept, int B, int N)
{
  Seen *seen = user;
  int i = seen->kept_calls++;
  g_assert_cmpint (i, <, 4);
  seen->kept_block[i] = block;
  seen->kept_n[i] = N;
  memcpy (seen->kept[i], kept, sizeof (int) * N);
}

static void
test_tokens_per_block (void)
{
  VxModel *m = small_model (4, 7);
  int B = 3;
  g_autofree float *img = random_images (B, 8);
  /* 16 patches: 12 (11.2) before block 1, 9 (8.4) before 2, 7 (6.3) before 3 */
  int want[4] = { 17, 13, 10, 8 };
  for (int any_rows = 0; any_rows < 2; any_rows++)
    {
      Seen seen = { 0 };
      VxMatmulHooks hk = { .linear = seen_linear, .attn_qk = seen_qk, .block_in = seen_block_in,
                           .attn_probs = seen_probs, .attn_out = seen_out, .user = &seen,
                           .tokens_kept = seen_kept, .linear_any_rows = any_rows };
      VxActs *acts = NULL;
      g_autofree float *lg = forward (m, img, B, 0.7, &hk, 0, TRUE, &acts);
      g_assert_nonnull (lg);
      g_assert_cmpint (seen.kept_calls, ==, 3);
      for (int l = 0; l < 4; l++)
        {
          g_assert_cmpint (acts->tokens[l], ==, want[l]);
          g_assert_cmpint (acts->pruned[l], ==, l > 0);
          g_assert_cmpint (seen.block_n[l], ==, want[l]);
          g_assert_cmpint (seen.qk_n[l], ==, want[l]);
          g_assert_cmpint (seen.probs_n[l], ==, want[l]);
          g_assert_cmpint (seen.out_n[l], ==, want[l]);
          /* hooks for N rows per image get the products padded back to N rows */
          for (int k = 0; k < 4; k++)
            g_assert_cmpint (seen.linear_rows[l][k], ==, B * (any_rows ? want[l] : 17));
          if (l > 0)
            {
              g_assert_cmpint (seen.kept_block[l - 1], ==, l);
              g_assert_cmpint (seen.kept_n[l - 1], ==, want[l]);
            }
        }
      /* the original indices compose the per-stage selections */
      int cur[17];
      for (int t = 0; t < 17; t++)
        cur[t] = t;
      for (int l = 1; l < 4; l++)
        {
          const int *rel = acts->kept + (size_t) l * B * 17;   /* image 0 */
          for (int i = 0; i < want[l]; i++)
            {
              g_assert_cmpint (seen.kept[l - 1][i], ==, cur[rel[i]]);
              if (i > 0)   /* ascending: the order of the tokens is kept */
                g_assert_cmpint (seen.kept[l - 1][i], >, seen.kept[l - 1][i - 1]);
            }
          g_assert_cmpint (seen.kept[l - 1][0], ==, 0);
          for (int i = 0; i < want[l]; i++)
            cur[i] = seen.kept[l - 1][i];
        }
      vx_acts_free (acts);
    }
  vx_model_free (m);
}

/* ---- a reference forward that gathers the tokens itself ------------------------------------------ */

typedef struct {
  double score;
  int index;
} Ranked;

static int
ranked_cmp (const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index - y->index;
}

static int
int_cmp (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

/* logits (B, K) of m with keep-ratio pruning, written out plainly: per image, per
 * block, with its own ranking (qsort) and an explicit copy of the kept rows;
 * kept_out (depth, 64) gets image `watch`'s original token indices per block */
static float *
reference_forward (const VxModel *m, const float *images, int B, double keep, int watch,
                   int kept_out[][64])
{
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a), D = a->embed_dim;
  int H = a->num_heads, Dh = D / H, F = a->mlp_hidden, K = a->num_classes;
  int CPP = a->in_chans * a->patch_size * a->patch_size;
  float *logits = g_new (float, (size_t) B * K);
  int stages[3], ns = vx_prune_blocks (a->depth, stages);
  for (int b = 0; b < B; b++)
    {
      const float *im = images + (size_t) b * a->in_chans * a->img_size * a->img_size;
      g_autofree float *patches = g_new (float, (size_t) Np * CPP);
      g_autofree float *pe = g_new (float, (size_t) Np * D);
      g_autofree float *x = g_new (float, (size_t) N * D);
      g_autofree float *ln = g_new (float, (size_t) N * D);
      g_autofree float *qkv = g_new (float, (size_t) N * 3 * D);
      g_autofree float *probs = g_new (float, (size_t) H * N * N);
      g_autofree float *att = g_new (float, (size_t) N * D);
      g_autofree float *tmp = g_new (float, (size_t) N * D);
      g_autofree float *h1 = g_new (float, (size_t) N * F);
      g_autofree float *h2 = g_new (float, (size_t) N * F);
      g_autofree float *gathered = g_new (float, (size_t) N * D);
      int orig[256];
      vx_patchify_forward (patches, im, 1, a->in_chans, a->img_size, a->patch_size);
      vx_linear_forward (pe, patches, p->patch_w, p->patch_b, Np, CPP, D, 1);
      vx_embed_forward (x, pe, p->cls_token, NULL, p->pos_embed, 1, Np, 1, D);
      for (int t = 0; t < N; t++)
        orig[t] = t;
      int n = N;
      for (int l = 0, s = 0; l < a->depth; l++)
        {
          if (s < ns && stages[s] == l)
            {
              s++;
              Ranked r[256];
              for (int j = 1; j < n; j++)
                {
                  double sum = 0;
                  for (int h = 0; h < H; h++)
                    sum += probs[(size_t) h * n * n + j];
                  r[j - 1] = (Ranked) { sum / H, j };
                }
              qsort (r, n - 1, sizeof (Ranked), ranked_cmp);
              int k = (int) ceil (keep * (n - 1) - 1e-9);
              int idx[256];
              idx[0] = 0;
              for (int i = 0; i < k; i++)
                idx[i + 1] = r[i].index;
              qsort (idx + 1, k, sizeof (int), int_cmp);
              for (int i = 0; i <= k; i++)
                {
                  memcpy (gathered + (size_t) i * D, x + (size_t) idx[i] * D, sizeof (float) * D);
                  idx[i] = orig[idx[i]];
                }
              memcpy (x, gathered, sizeof (float) * (k + 1) * D);
              memcpy (orig, idx, sizeof (int) * (k + 1));
              n = k + 1;
            }
          if (b == watch && kept_out)
            {
              for (int i = 0; i < 64; i++)
                kept_out[l][i] = i < n ? orig[i] : -1;
            }
          const VxBlockParams *bp = &p->blocks[l];
          vx_layernorm_forward (ln, NULL, NULL, x, bp->norm1_w, bp->norm1_b, n, D, a->ln_eps, 1);
          vx_linear_forward (qkv, ln, bp->qkv_w, bp->qkv_b, n, D, 3 * D, 1);
          for (int h = 0; h < H; h++)
            {
              float *s_h = probs + (size_t) h * n * n;
              const float *q = qkv + h * Dh;
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Dh, 1.0f, q, 3 * D,
                           q + D, 3 * D, 0.0f, s_h, n);
              vx_softmax_forward (s_h, 1.0f / sqrtf ((float) Dh), n, n);
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Dh, n, 1.0f, s_h, n,
                           q + 2 * D, 3 * D, 0.0f, att + h * Dh, D);
            }
          vx_linear_forward (tmp, att, bp->proj_w, bp->proj_b, n, D, D, 1);
          vx_residual_forward (x, x, tmp, (size_t) n * D, 1);
          vx_layernorm_forward (ln, NULL, NULL, x, bp->norm2_w, bp->norm2_b, n, D, a->ln_eps, 1);
          vx_linear_forward (h1, ln, bp->fc1_w, bp->fc1_b, n, D, F, 1);
          vx_gelu_forward (h2, h1, (size_t) n * F, 1);
          vx_linear_forward (tmp, h2, bp->fc2_w, bp->fc2_b, n, F, D, 1);
          vx_residual_forward (x, x, tmp, (size_t) n * D, 1);
        }
      float feat[256];
      vx_layernorm_forward (feat, NULL, NULL, x, p->norm_w, p->norm_b, 1, D, a->ln_eps, 1);
      vx_linear_forward (logits + (size_t) b * K, feat, p->head_w, p->head_b, 1, D, K, 1);
    }
  return logits;
}

static void
test_reference (void)
{
  for (int depth = 4; depth <= 6; depth += 2)
    {
      VxModel *m = small_model (depth, 11 + depth);
      int B = 4;
      g_autofree float *img = random_images (B, 12);
      int ref_kept[6][64];
      Seen seen = { 0 };
      VxMatmulHooks hk = { .tokens_kept = seen_kept, .user = &seen };
      g_autofree float *ref = reference_forward (m, img, B, 0.7, 0, ref_kept);
      g_autofree float *got = forward (m, img, B, 0.7, &hk, 0, FALSE, NULL);
      double err = xbar_test_max_diff (ref, got, (size_t) B * 10);
      double scale = xbar_test_max_abs (ref, (size_t) B * 10);
      g_test_message ("depth %d: max |engine - reference| %.3g of %.3g", depth, err, scale);
      g_assert_cmpfloat (err, <=, 1e-5 * scale);
      /* the same tokens, after every pruning point */
      int stages[3], ns = vx_prune_blocks (depth, stages);
      g_assert_cmpint (seen.kept_calls, ==, ns);
      for (int s = 0; s < ns; s++)
        for (int i = 0; i < seen.kept_n[s]; i++)
          g_assert_cmpint (seen.kept[s][i], ==, ref_kept[stages[s]][i]);
      /* and the unpruned reference is the unpruned engine */
      g_autofree float *ref1 = reference_forward (m, img, B, 1.0, -1, NULL);
      g_autofree float *got1 = forward (m, img, B, 0.0, NULL, 0, FALSE, NULL);
      g_assert_cmpfloat (xbar_test_max_diff (ref1, got1, (size_t) B * 10), <=, 1e-5 * scale);
      vx_model_free (m);
    }
}

/* ---- the selection of a real forward pass: by the class token's attention ------------------- */

static void
test_select_in_model (void)
{
  VxModel *m = small_model (4, 13);
  int B = 2, H = 2;
  g_autofree float *img = random_images (B, 14);
  VxActs *acts = NULL;
  g_autofree float *lg = forward (m, img, B, 0.5, NULL, 0, TRUE, &acts);
  g_assert_nonnull (lg);
  for (int l = 1; l < 4; l++)
    {
      int n = acts->tokens[l - 1], k = acts->tokens[l] - 1;
      const float *pr = acts->blk[l - 1].probs;   /* (B, H, n, n) */
      for (int b = 0; b < B; b++)
        {
          const int *kept = acts->kept + (size_t) l * B * 17 + (size_t) b * (k + 1);
          char taken[64] = { 0 };
          g_assert_cmpint (kept[0], ==, 0);
          for (int i = 1; i <= k; i++)
            taken[kept[i]] = 1;
          /* every kept patch has at least the head-averaged class attention of
           * every dropped one */
          double min_kept = INFINITY, max_dropped = -INFINITY;
          for (int j = 1; j < n; j++)
            {
              double s = 0;
              for (int h = 0; h < H; h++)
                s += pr[((size_t) b * H + h) * n * n + j];
              s /= H;
              if (taken[j])
                min_kept = fmin (min_kept, s);
              else
                max_dropped = fmax (max_dropped, s);
            }
          g_assert_cmpfloat (min_kept, >=, max_dropped);
        }
    }
  vx_acts_free (acts);
  vx_model_free (m);
}

/* ---- backward: finite differences with the selection held ---------------------------------------- */

typedef struct {
  VxModel *m;
  VxActs *acts;
  int B;
  float *images, *logits;
  int32_t *labels;
  int *kept0;          /* the selection of the unperturbed pass */
  size_t kept_n;
} FdCase;

static double
fd_loss (FdCase *c, gboolean *same_selection)
{
  VxForwardOpts fo = { 0 };
  fo.prune_keep = 0.6;
  vx_model_forward (c->m, c->acts, c->images, c->B, c->logits, &fo);
  if (same_selection)
    *same_selection = memcmp (c->acts->kept, c->kept0, sizeof (int) * c->kept_n) == 0;
  return vx_crossentropy_forward (NULL, c->logits, c->labels, c->B, c->m->arch.num_classes, 0.1f);
}

static void
test_backward_fd (void)
{
  /* 8x8 images, patch 2: 16 patches; 4 blocks; pruned to 10, 6, 4 patches */
  VxArch a = { 8, 2, 1, 5, 8, 4, 2, 12, 0, 1e-6f };
  FdCase c = { 0 };
  c.B = 2;
  c.m = vx_model_new (&a, NULL);
  VxRng r;
  vx_rng_init (&r, 501);
  for (size_t i = 0; i < c.m->params.n; i++)
    c.m->params.mem[i] = 0.4f * vx_rng_normal (&r);
  int n_t = 0;
  g_autofree VxParamInfo *table = vx_params_table (&a, &n_t);
  for (int i = 0; i < n_t; i++)
    if (strstr (table[i].name, "norm") && g_str_has_suffix (table[i].name, ".weight"))
      for (size_t j = 0; j < table[i].numel; j++)
        c.m->params.mem[table[i].offset + j] += 1.0f;
  c.images = g_new (float, 64 * c.B);
  vx_rng_normal_fill (&r, c.images, 64 * c.B);
  c.logits = g_new (float, 5 * c.B);
  c.labels = g_new (int32_t, c.B);
  c.labels[0] = 1;
  c.labels[1] = 3;
  c.acts = vx_acts_new (&a, c.B, TRUE);
  c.kept_n = (size_t) a.depth * c.B * 17;
  c.kept0 = g_new (int, c.kept_n);

  fd_loss (&c, NULL);
  memcpy (c.kept0, c.acts->kept, sizeof (int) * c.kept_n);
  g_assert_cmpint (c.acts->tokens[3], ==, 5);
  g_autofree float *dlogits = g_new0 (float, 5 * c.B);
  vx_crossentropy_backward (dlogits, c.logits, c.labels, 1.0f / c.B, c.B, 5, 0.1f);
  g_autofree float *gmem = g_new0 (float, c.m->params.n);
  VxParams grads;
  vx_params_bind (&grads, &a, gmem);
  VxGradActs *ga = vx_grad_acts_new (&a, c.B);
  vx_model_backward (c.m, c.acts, ga, dlogits, c.B, &grads, NULL);

  /* central differences of every parameter tensor, at up to 40 elements each;
   * steps that change the selection (a discontinuity the backward pass treats
   * as constant) are skipped */
  int checked = 0, skipped = 0;
  double worst = 0;
  for (int t = 0; t < n_t; t++)
    {
      float *x = c.m->params.mem + table[t].offset;
      const float *g = gmem + table[t].offset;
      size_t n = table[t].numel, stride = n > 40 ? (n + 39) / 40 : 1;
      double gmax = 0;
      for (size_t i = 0; i < n; i++)
        gmax = fmax (gmax, fabs (g[i]));
      for (size_t i = 0; i < n; i += stride)
        {
          float x0 = x[i], h = 1e-2f;
          gboolean s1, s2;
          x[i] = x0 + h;
          double lp = fd_loss (&c, &s1);
          x[i] = x0 - h;
          double lm = fd_loss (&c, &s2);
          x[i] = x0;
          if (!s1 || !s2)
            {
              skipped++;
              continue;
            }
          double hp = (double) (float) (x0 + h) - x0, hm = x0 - (double) (float) (x0 - h);
          double num = (lp - lm) / (hp + hm);
          double tol = 1e-2 * fmax (fabs (num), fabs (g[i])) + 5e-3 * gmax + 1e-6;
          double e = fabs (num - g[i]);
          if (e > tol)
            g_error ("%s[%zu]: analytic %.6g, numeric %.6g", table[t].name, i, g[i], num);
          worst = fmax (worst, e / (tol));
          checked++;
        }
    }
  g_test_message ("finite differences: %d elements checked, %d skipped (selection changed), "
                  "worst error %.2f of the tolerance", checked, skipped, worst);
  g_assert_cmpint (checked, >, 10 * MAX (skipped, 1));
  vx_grad_acts_free (ga);
  vx_params_unbind (&grads);
  vx_acts_free (c.acts);
  g_free (c.kept0);
  g_free (c.images); g_free (c.logits); g_free (c.labels);
  vx_model_free (c.m);
}

/* ---- one thread or two: the same bits ---------------------------------------------------------- */

static void
test_threads (void)
{
  VxModel *m = small_model (4, 21);
  int B = 6, K = 10;
  g_autofree float *img = random_images (B, 22);
  float *lg[2];
  float *grad[2];
  int32_t labels[6] = { 0, 1, 2, 3, 4, 5 };
  for (int t = 0; t < 2; t++)
    {
      VxActs *acts = NULL;
      lg[t] = forward (m, img, B, 0.7, NULL, t + 1, TRUE, &acts);
      g_autofree float *dl = g_new0 (float, (size_t) B * K);
      vx_crossentropy_backward (dl, lg[t], labels, 1.0f / B, B, K, 0.1f);
      grad[t] = g_new0 (float, m->params.n);
      VxParams g;
      vx_params_bind (&g, &m->arch, grad[t]);
      VxGradActs *ga = vx_grad_acts_new (&m->arch, B);
      VxBackwardOpts bo = { t + 1, NULL, NULL };
      vx_model_backward (m, acts, ga, dl, B, &g, &bo);
      vx_grad_acts_free (ga);
      vx_params_unbind (&g);
      vx_acts_free (acts);
    }
  g_assert_cmpmem (lg[0], (size_t) B * K * sizeof (float), lg[1], (size_t) B * K * sizeof (float));
  g_assert_cmpmem (grad[0], m->params.n * sizeof (float), grad[1], m->params.n * sizeof (float));
  for (int t = 0; t < 2; t++)
    {
      g_free (lg[t]);
      g_free (grad[t]);
    }
  vx_model_free (m);
}

/* ---- crossbar hooks at zero noise = the ideal pruned forward, up to quantisation ------------------ */

static void
test_crossbar_zero_noise (void)
{
  VxModel *m = small_model (4, 31);
  int B = 4;
  g_autofree float *img = random_images (B, 32);
  g_autofree float *ideal = forward (m, img, B, 0.7, NULL, 0, FALSE, NULL);
  double scale = xbar_test_max_abs (ideal, (size_t) B * 10);
  int bits[2] = { 16, 8 };
  double tol[2] = { 2e-3, 0.15 };
  for (int i = 0; i < 2; i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.sigma_r = c.sigma_w = c.gamma = 0;
      c.weight_bits = c.input_bits = bits[i];
      c.bits_per_cell = 2;
      g_autoptr (GError) err = NULL;
      VxXbarSim *sim = vx_xbar_sim_new (m, &c, &err);
      g_assert_no_error (err);
      g_autofree float *got = forward (m, img, B, 0.7, vx_xbar_sim_get_hooks (sim), 0, FALSE, NULL);
      double e = xbar_test_max_diff (ideal, got, (size_t) B * 10) / scale;
      g_test_message ("%d bits, zero noise, keep 0.7: relative logit error %.3g", bits[i], e);
      g_assert_cmpfloat (e, <, tol[i]);
      vx_xbar_sim_free (sim);
    }
  vx_model_free (m);
}

/* ---- end-to-end SNR with pruning: rows matched by token ------------------------------------------ */

typedef struct {
  const VxMatmulHooks *sim;   /* the simulator's hooks (noisy run) or NULL (ideal run) */
  int depth, N, D, batch;
  int *orig, rows;            /* (B, N) the current run's original token of each row */
  float *att[8];              /* [block] (B, N, D) X_b */
  int *att_orig[8];           /* [block] (B, N) */
  int att_rows[8];
} SnrRun;

static void
snr_kept (void *user, int block, int64_t fi, const int *kept, int B, int N)
{
  SnrRun *r = user;
  memcpy (r->orig, kept, sizeof (int) * B * N);
  r->rows = N;
}

static void
snr_out (void *user, int block, int64_t fi, const float *x, int B, int N, int D)
{
  SnrRun *r = user;
  memcpy (r->att[block], x, sizeof (float) * B * N * D);
  memcpy (r->att_orig[block], r->orig, sizeof (int) * B * N);
  r->att_rows[block] = N;
}

static void
snr_linear (void *user, const VxMatmulSite *s, float *out, const float *in, const float *w,
            const float *b, int M, int K, int N)
{
  SnrRun *r = user;
  r->sim->linear (r->sim->user, s, out, in, w, b, M, K, N);
}

static void
snr_qk (void *user, const VxMatmulSite *s, float *sc, const float *q, const float *k, int N,
        int Dh, int ld)
{
  SnrRun *r = user;
  r->sim->attn_qk (r->sim->user, s, sc, q, k, N, Dh, ld);
}

static void
snr_sv (void *user, const VxMatmulSite *s, float *out, int ldo, const float *sm, const float *v,
        int N, int Dh, int ld)
{
  SnrRun *r = user;
  r->sim->attn_sv (r->sim->user, s, out, ldo, sm, v, N, Dh, ld);
}

static void
snr_run_init (SnrRun *r, const VxMatmulHooks *sim, int depth, int B, int N, int D)
{
  memset (r, 0, sizeof *r);
  r->sim = sim;
  r->depth = depth;
  r->N = N;
  r->D = D;
  r->batch = B;
  r->orig = g_new (int, (size_t) B * N);
  for (int l = 0; l < depth; l++)
    {
      r->att[l] = g_new (float, (size_t) B * N * D);
      r->att_orig[l] = g_new (int, (size_t) B * N);
    }
}

static void
snr_run_clear (SnrRun *r)
{
  g_free (r->orig);
  for (int l = 0; l < r->depth; l++)
    {
      g_free (r->att[l]);
      g_free (r->att_orig[l]);
    }
}

static void
snr_run_forward (SnrRun *r, const VxModel *m, VxActs *acts, const float *img, int B,
                 int64_t first, int64_t bi)
{
  for (int b = 0; b < B; b++)
    for (int t = 0; t < r->N; t++)
      r->orig[(size_t) b * r->N + t] = t;
  VxMatmulHooks hk = { .attn_out = snr_out, .tokens_kept = snr_kept, .user = r };
  if (r->sim)
    {
      hk.linear = snr_linear;
      hk.attn_qk = snr_qk;
      hk.attn_sv = snr_sv;
    }
  float logits[16 * 10];
  VxForwardOpts fo = { &hk, first, bi, 1, 0.0 };
  vx_model_forward (m, acts, img, B, logits, &fo);
}

static void
test_snr_matched_rows (void)
{
  VxModel *m = small_model (4, 41);
  vx_model_set_meta (m, VX_META_PRUNE_KEEP, "0.6");
  int n = 16, batch = 8, depth = 4, N = 17, D = 32;
  g_autoptr (VxDataset) ds = xbar_test_dataset (n, 42, -1);
  VxXbarConfig cfg;
  vx_xbar_config_init (&cfg);
  cfg.gamma = 4;
  cfg.seed = 9;
  VxXbarEvalOpts eo = { 0 };
  eo.batch = batch;
  eo.threads = 1;
  eo.snr = VX_SNR_END_TO_END;
  VxXbarEvalResult res;
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_xbar_eval_run (m, ds, &cfg, &eo, &res, &err));
  g_assert_no_error (err);

  /* the same runs by hand: the ideal and the noisy network, SNR over the rows of
   * tokens both still carry in the block */
  VxXbarSim *sim = vx_xbar_sim_new (m, &cfg, &err);
  g_assert_no_error (err);
  vx_xbar_sim_set_seed (sim, cfg.seed);
  const VxMatmulHooks *sh = vx_xbar_sim_get_hooks (sim);
  SnrRun ideal, noisy;
  snr_run_init (&ideal, NULL, depth, batch, N, D);
  snr_run_init (&noisy, sh, depth, batch, N, D);
  VxActs *acts = vx_acts_new (&m->arch, batch, FALSE);
  g_autofree float *img = g_new (float, (size_t) batch * 256);
  double sig[4] = { 0 }, errs[4] = { 0 };
  int mismatched = 0;
  for (int first = 0, bi = 0; first < n; first += batch, bi++)
    {
      vx_dataset_fill_batch (ds, m, first, batch, img);
      snr_run_forward (&ideal, m, acts, img, batch, first, bi);
      vx_xbar_sim_batch_begin (sim, bi, first, batch);
      snr_run_forward (&noisy, m, acts, img, batch, first, bi);
      for (int l = 0; l < depth; l++)
        {
          int ni = ideal.att_rows[l], nn = noisy.att_rows[l];
          g_assert_cmpint (ni, ==, nn);   /* the same k: only the tokens may differ */
          for (int b = 0; b < batch; b++)
            for (int i = 0; i < nn; i++)
              {
                int tok = noisy.att_orig[l][b * nn + i], j = -1;
                for (int q = 0; q < ni; q++)
                  if (ideal.att_orig[l][b * ni + q] == tok)
                    j = q;
                if (j < 0)
                  {
                    mismatched++;
                    continue;
                  }
                for (int d = 0; d < D; d++)
                  {
                    double y = ideal.att[l][((size_t) b * ni + j) * D + d];
                    double z = noisy.att[l][((size_t) b * nn + i) * D + d];
                    sig[l] += y * y;
                    errs[l] += (y - z) * (y - z);
                  }
              }
        }
    }
  g_test_message ("rows without a partner (kept by the noisy run only): %d", mismatched);
  /* the case must exercise the matching: some tokens differ between the runs */
  g_assert_cmpint (mismatched, >, 0);
  for (int l = 0; l < depth; l++)
    {
      double want = 10 * log10 (sig[l] / errs[l]);
      g_test_message ("block %d: SNR %.4f dB (eval) vs %.4f dB (by hand)", l, res.snr_db[l], want);
      g_assert_cmpfloat_with_epsilon (res.snr_db[l], want, 1e-6 * fabs (want) + 1e-9);
    }
  vx_acts_free (acts);
  snr_run_clear (&ideal);
  snr_run_clear (&noisy);
  vx_xbar_sim_free (sim);
  vx_xbar_eval_result_clear (&res);
  vx_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prune/schedule", test_schedule);
  g_test_add_func ("/prune/select-by-hand", test_select_by_hand);
  g_test_add_func ("/prune/keep-one-identical", test_keep_one_identical);
  g_test_add_func ("/prune/metadata-default", test_metadata_default);
  g_test_add_func ("/prune/tokens-per-block", test_tokens_per_block);
  g_test_add_func ("/prune/reference", test_reference);
  g_test_add_func ("/prune/select-in-model", test_select_in_model);
  g_test_add_func ("/prune/backward-finite-differences", test_backward_fd);
  g_test_add_func ("/prune/threads", test_threads);
  g_test_add_func ("/prune/crossbar-zero-noise", test_crossbar_zero_noise);
  g_test_add_func ("/prune/snr-matched-rows", test_snr_matched_rows);
  return g_test_run ();
}
