/* vx-forward.c: the ViT forward pass with matrix-product hooks */
#define G_LOG_DOMAIN "vx-forward"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-error.h"
#include "vx-gemm.h"
#include "vx-kernels.h"
#include "vx-model-private.h"

/* ---- threads ------------------------------------------------------------------ */

static int vx_threads;   /* 0 = not yet set */

void
vx_set_num_threads (int threads)
{
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  g_atomic_int_set (&vx_threads, threads);
}

int
vx_get_num_threads (void)
{
  int threads = g_atomic_int_get (&vx_threads);
  return threads > 0 ? threads : (int) g_get_num_processors ();
}

const char *
vx_matmul_kind_to_string (VxMatmulKind k)
{
  static const char *names[] = { "patch", "qkv", "proj", "fc1", "fc2", "head", "qk", "sv" };
  return k < VX_MM_N_KINDS ? names[k] : "unknown";
}

/* ---- activations ---------------------------------------------------------------- */

VxActs *
vx_acts_new (const VxArch *a, int max_batch, gboolean keep_all)
{
  size_t B = max_batch, N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  size_t D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads, K = a->num_classes;
  size_t CPP = (size_t) a->in_chans * a->patch_size * a->patch_size;
  size_t T = a->distilled ? 2 : 1;
  int nblk = keep_all ? a->depth : 1;
  /* x_in (keep_all), ln1, att, res1, ln2, res2; qkv; probs; 4 statistics; fc1, gelu */
  size_t per_block = (keep_all ? B * N * D : 0) + 5 * B * N * D + 3 * B * N * D + B * H * N * N
                     + 4 * B * N + 2 * B * N * F;
  size_t n = B * Np * CPP + B * Np * D + B * N * D + nblk * per_block + B * N * D
             + T * B * D * 2 + T * B * 2 + T * B * K;

  VxActs *acts = g_new0 (VxActs, 1);
  acts->arch = *a;
  acts->max_batch = max_batch;
  acts->keep_all = keep_all;
  acts->n = n;
  acts->mem = g_new0 (float, n);
  acts->blk = g_new0 (VxBlockActs, nblk);

  float *p = acts->mem;
#define TAKE(count) (p += (count), p - (count))
  acts->patches = TAKE (B * Np * CPP);
  acts->patch_out = TAKE (B * Np * D);
  acts->x0 = TAKE (B * N * D);
  for (int l = 0; l < nblk; l++)
    {
      VxBlockActs *b = &acts->blk[l];
      b->x_in = keep_all ? TAKE (B * N * D) : NULL;
      b->ln1 = TAKE (B * N * D);
      b->ln1_mean = TAKE (B * N);
      b->ln1_rstd = TAKE (B * N);
      b->qkv = TAKE (B * N * 3 * D);
      b->probs = TAKE (B * H * N * N);
      b->att = TAKE (B * N * D);
      b->res1 = TAKE (B * N * D);
      b->ln2 = TAKE (B * N * D);
      b->ln2_mean = TAKE (B * N);
      b->ln2_rstd = TAKE (B * N);
      b->fc1 = TAKE (B * N * F);
      b->gelu = TAKE (B * N * F);
      b->res2 = TAKE (B * N * D);
    }
  acts->tmp = TAKE (B * N * D);
  acts->feat = TAKE (T * B * D);
  acts->lnf = TAKE (T * B * D);
  acts->lnf_mean = TAKE (T * B);
  acts->lnf_rstd = TAKE (T * B);
  acts->logits_t = TAKE (T * B * K);
#undef TAKE
  g_assert ((size_t) (p - acts->mem) == n);
  acts->tokens = g_new0 (int, a->depth);
  acts->pruned = g_new0 (int, a->depth);
  acts->kept = g_new0 (int, (size_t) a->depth * B * N);
  acts->orig = g_new0 (int, 2 * B * N);
  return acts;
}

void
vx_acts_free (VxActs *acts)
{
  if (!acts)
    return;
  g_free (acts->mem);
  g_free (acts->blk);
  g_free (acts->tokens);
  g_free (acts->pruned);
  g_free (acts->kept);
  g_free (acts->orig);
  g_free (acts->pad);
  g_free (acts);
}

/* ---- token pruning ------------------------------------------------------------------ */

int
vx_prune_blocks (int depth, int *blocks)
{
  int n = 0;
  for (int i = 1; i <= VX_PRUNE_MAX_STAGES; i++)
    {
      int l = (i * depth + 2) / 4;   /* round(i * depth / 4), halves up */
      if (l >= 1 && l < depth && (n == 0 || blocks[n - 1] != l))
        blocks[n++] = l;
    }
  return n;
}

int
vx_prune_keep_count (int n, double keep)
{
  if (!(keep > 0.0) || keep >= 1.0 || n <= 0)
    return n;
  /* a small tolerance so that a keep ratio meant as an exact fraction (0.7 of 10)
   * is not pushed up by its binary rounding */
  int k = (int) ceil (keep * n - 1e-9);
  return CLAMP (k, 1, n);
}

void
vx_prune_schedule (const VxArch *a, double keep, int *tokens)
{
  int T = a->distilled ? 2 : 1, N = vx_arch_num_tokens (a);
  int stages[VX_PRUNE_MAX_STAGES];
  int ns = keep > 0.0 && keep < 1.0 ? vx_prune_blocks (a->depth, stages) : 0;
  for (int l = 0, s = 0; l < a->depth; l++)
    {
      if (s < ns && stages[s] == l)
        {
          N = T + vx_prune_keep_count (N - T, keep);
          s++;
        }
      tokens[l] = N;
    }
}

double
vx_prune_flops_per_image (const VxArch *a, double keep)
{
  g_autofree int *tokens = g_new (int, a->depth);
  vx_prune_schedule (a, keep, tokens);
  double Np = vx_arch_num_patches (a);
  double D = a->embed_dim, F = a->mlp_hidden, C = a->in_chans, P = a->patch_size;
  double T = a->distilled ? 2 : 1;
  double macs = Np * C * P * P * D;
  for (int l = 0; l < a->depth; l++)
    {
      double N = tokens[l];
      macs += N * D * 3 * D + 2 * N * N * D + N * D * D + 2 * N * D * F;
    }
  macs += T * D * a->num_classes;
  return 2.0 * macs;
}

gboolean
vx_prune_keep_parse (const char *text, double *keep, GError **error)
{
  char *end = NULL;
  double v = text ? g_ascii_strtod (text, &end) : NAN;
  if (!text || !text[0] || !end || *end || !isfinite (v) || !(v > 0.0) || v > 1.0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "token pruning keep ratio '%s': expected a number in (0, 1] (1 = no pruning)",
                   text ? text : "");
      return FALSE;
    }
  *keep = v;
  return TRUE;
}

double
vx_model_prune_keep (const VxModel *m)
{
  const char *text = vx_model_get_meta (m, VX_META_PRUNE_KEEP);
  double keep;
  if (!text || !vx_prune_keep_parse (text, &keep, NULL))
    return 1.0;
  return keep;
}

void
vx_prune_select (int *kept, const float *probs, int B, int H, int N, int T, int k)
{
  int n = N - T;
  g_return_if_fail (k >= 0 && k <= n);
  g_autofree double *score = g_new (double, n);
  g_autofree int *order = g_new (int, n);
  g_autofree char *take = g_new (char, n);
  for (int b = 0; b < B; b++)
    {
      /* the class token's attention to patch j, averaged over the heads */
      for (int j = 0; j < n; j++)
        {
          double sum = 0.0;
          for (int h = 0; h < H; h++)
            sum += probs[((size_t) b * H + h) * N * N + T + j];   /* row 0 of head h */
          score[j] = sum / H;
        }
      /* order by score, descending; the lower index first on ties (insertion sort:
       * stable, and n is a few hundred at most) */
      for (int j = 0; j < n; j++)
        {
          int i = j;
          while (i > 0 && score[order[i - 1]] < score[j])
            {
              order[i] = order[i - 1];
              i--;
            }
          order[i] = j;
        }
      memset (take, 0, n);
      for (int i = 0; i < k; i++)
        take[order[i]] = 1;
      int *out = kept + (size_t) b * (T + k);
      int r = 0;
      for (int t = 0; t < T; t++)
        out[r++] = t;
      for (int j = 0; j < n; j++)
        if (take[j])
          out[r++] = T + j;
    }
}

void
vx_tokens_gather (float *out, const float *x, const int *kept, int B, int N, int Nk, int D)
{
  for (int b = 0; b < B; b++)
    for (int i = 0; i < Nk; i++)
      memcpy (out + ((size_t) b * Nk + i) * D, x + ((size_t) b * N + kept[(size_t) b * Nk + i]) * D,
              sizeof (float) * D);
}

/* ---- forward ---------------------------------------------------------------------- */

/* the resolved options of a pass, and the slice of the batch it runs */
typedef struct {
  VxForwardOpts o;     /* threads resolved; first_image of the slice */
  int lane, lanes;     /* the slice's thread and how many run (0 and 1: not sliced) */
} Fwd;

static void
linear (const Fwd *f, VxMatmulKind kind, int block, int which, int tokens,
        float *out, const float *inp, const float *w, const float *b, int M, int K, int N)
{
  const VxForwardOpts *o = &f->o;
  if (o->hooks && o->hooks->linear)
    {
      VxMatmulSite site = { kind, block, -1, o->first_image, o->batch_index, which, tokens,
                            o->threads, f->lane, f->lanes };
      o->hooks->linear (o->hooks->user, &site, out, inp, w, b, M, K, N);
    }
  else
    vx_linear_forward (out, inp, w, b, M, K, N, o->threads);
}

/* A product of block `block` whose images have Nc rows (N without pruning):
 * out (B*Nc, Nout) = inp (B*Nc, Kin) W^T + b. A linear hook that expects N rows
 * per image gets every image padded to N rows with copies of its row 0 (the
 * class token, always kept): copies change no per-image maximum, and their
 * output rows are dropped. */
static void
block_linear (const Fwd *f, VxActs *acts, VxMatmulKind kind, int block,
              float *out, const float *inp, const float *w, const float *b,
              int B, int Nc, int N, int Kin, int Nout)
{
  const VxMatmulHooks *hk = f->o.hooks;
  if (Nc == N || !hk || !hk->linear || hk->linear_any_rows)
    {
      linear (f, kind, block, 0, Nc, out, inp, w, b, B * Nc, Kin, Nout);
      return;
    }
  /* only unsliced passes prune (vx_forward_slices), so acts->pad has one user */
  size_t need = (size_t) B * N * (Kin + Nout);
  if (acts->pad_n < need)
    {
      g_free (acts->pad);
      acts->pad = g_new (float, need);
      acts->pad_n = need;
    }
  float *pin = acts->pad;                          // (B, N, Kin)
  float *pout = acts->pad + (size_t) B * N * Kin;  // (B, N, Nout)
  for (int bi = 0; bi < B; bi++)
    {
      const float *src = inp + (size_t) bi * Nc * Kin;
      float *dst = pin + (size_t) bi * N * Kin;
      memcpy (dst, src, sizeof (float) * Nc * Kin);
      for (int r = Nc; r < N; r++)
        memcpy (dst + (size_t) r * Kin, src, sizeof (float) * Kin);
    }
  linear (f, kind, block, 0, N, pout, pin, w, b, B * N, Kin, Nout);
  for (int bi = 0; bi < B; bi++)
    memcpy (out + (size_t) bi * Nc * Nout, pout + (size_t) bi * N * Nout, sizeof (float) * Nc * Nout);
}

/* probs (B, H, N, N), att (B, N, D) from qkv (B, N, 3D) */
static void
attention_forward (const Fwd *f, int block, float *att, float *probs,
                   const float *qkv, int B, int N, int D, int H)
{
  const VxForwardOpts *o = &f->o;
  int Dh = D / H;
  float scale = 1.0f / sqrtf ((float) Dh);
  const VxMatmulHooks *hk = o->hooks;

  /* One (image, head) pair per iteration; each is computed by exactly one
   * thread with the same arithmetic, so results do not depend on threads. */
  vx_blas_init ();
#pragma omp parallel for schedule(dynamic, 1) num_threads(o->threads) if (o->threads > 1)
  for (int bh = 0; bh < B * H; bh++)
    {
      int b = bh / H, h = bh % H;
      const float *q = qkv + (size_t) b * N * 3 * D + (size_t) h * Dh;
      const float *k = q + D;
      const float *v = q + 2 * D;
      float *s = probs + ((size_t) b * H + h) * N * N;
      float *out = att + (size_t) b * N * D + (size_t) h * Dh;
      VxMatmulSite site = { VX_MM_QK, block, h, o->first_image + b, o->batch_index, 0, N, 1,
                            f->lane, f->lanes };

      if (hk && hk->attn_qk)
        hk->attn_qk (hk->user, &site, s, q, k, N, Dh, 3 * D);
      else
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh,
                     1.0f, q, 3 * D, k, 3 * D, 0.0f, s, N);
      vx_softmax_forward (s, scale, N, N);
      site.kind = VX_MM_SV;
      if (hk && hk->attn_sv)
        hk->attn_sv (hk->user, &site, out, D, s, v, N, Dh, 3 * D);
      else
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N,
                     1.0f, s, N, v, 3 * D, 0.0f, out, D);
    }
}

/* final norm of the head tokens of x (B, Nc, D) only, then the head(s) -> logits (B, K) */
static void
forward_heads (const VxModel *m, VxActs *acts, const Fwd *f, const float *x, int B,
               int Nc, float *logits)
{
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int D = a->embed_dim, K = a->num_classes, T = a->distilled ? 2 : 1;
  for (int t = 0; t < T; t++)
    {
      float *feat = acts->feat + (size_t) t * B * D;
      float *lnf = acts->lnf + (size_t) t * B * D;
      float *lt = acts->logits_t + (size_t) t * B * K;
      vx_gather_token (feat, x, t, B, Nc, D);
      vx_layernorm_forward (lnf, acts->lnf_mean + (size_t) t * B, acts->lnf_rstd + (size_t) t * B,
                            feat, p->norm_w, p->norm_b, B, D, a->ln_eps, f->o.threads);
      linear (f, VX_MM_HEAD, -1, t, 1, lt, lnf, t == 0 ? p->head_w : p->head_dist_w,
              t == 0 ? p->head_b : p->head_dist_b, B, D, K);
    }
  if (T == 1)
    memcpy (logits, acts->logits_t, sizeof (float) * B * K);
  else
    for (size_t i = 0; i < (size_t) B * K; i++)
      logits[i] = 0.5f * (acts->logits_t[i] + acts->logits_t[(size_t) B * K + i]);
}

/* One transformer block on x (B, Nc, D) (the input is already in place: x_in
 * when kept, else x itself); ba and tmp are the block's buffers for these B
 * images. Returns the output, ba->res2. */
static float *
forward_block (const VxModel *m, VxActs *acts, const Fwd *f, int l, VxBlockActs *ba, float *tmp,
               float *x, int B, int Nc)
{
  const VxArch *a = &m->arch;
  const VxBlockParams *bp = &m->params.blocks[l];
  const VxMatmulHooks *hk = f->o.hooks;
  int64_t first = f->o.first_image;
  int N = vx_arch_num_tokens (a), D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads;
  int nt = f->o.threads;
  size_t BND = (size_t) B * Nc * D;

  if (hk && hk->block_in)
    hk->block_in (hk->user, l, first, x, B, Nc, D);

  vx_layernorm_forward (ba->ln1, ba->ln1_mean, ba->ln1_rstd, x, bp->norm1_w, bp->norm1_b,
                        B * Nc, D, a->ln_eps, nt);
  block_linear (f, acts, VX_MM_QKV, l, ba->qkv, ba->ln1, bp->qkv_w, bp->qkv_b, B, Nc, N, D, 3 * D);
  attention_forward (f, l, ba->att, ba->probs, ba->qkv, B, Nc, D, H);
  if (hk && hk->attn_probs)
    hk->attn_probs (hk->user, l, first, ba->probs, B, H, Nc);
  if (hk && hk->attn_out)
    hk->attn_out (hk->user, l, first, ba->att, B, Nc, D);
  block_linear (f, acts, VX_MM_PROJ, l, tmp, ba->att, bp->proj_w, bp->proj_b, B, Nc, N, D, D);
  vx_residual_forward (ba->res1, x, tmp, BND, nt);

  vx_layernorm_forward (ba->ln2, ba->ln2_mean, ba->ln2_rstd, ba->res1, bp->norm2_w, bp->norm2_b,
                        B * Nc, D, a->ln_eps, nt);
  block_linear (f, acts, VX_MM_FC1, l, ba->fc1, ba->ln2, bp->fc1_w, bp->fc1_b, B, Nc, N, D, F);
  vx_gelu_forward (ba->gelu, ba->fc1, (size_t) B * Nc * F, nt);
  block_linear (f, acts, VX_MM_FC2, l, tmp, ba->gelu, bp->fc2_w, bp->fc2_b, B, Nc, N, F, D);
  /* res2 may be x itself when buffers are shared: x is no longer needed */
  vx_residual_forward (ba->res2, ba->res1, tmp, BND, nt);
  return ba->res2;
}

/* ---- batch slices ------------------------------------------------------------------ */

static int
gcd_int (int a, int b)
{
  while (b)
    {
      int t = a % b;
      a = b;
      b = t;
    }
  return a;
}

int
vx_forward_slices (const VxArch *a, int B, int threads, const VxMatmulHooks *hooks,
                   gboolean keep_all, double prune_keep, int *bounds)
{
  int N = vx_arch_num_tokens (a);
  int q = VX_GEMM_ROW_ALIGN / gcd_int (N, VX_GEMM_ROW_ALIGN);   /* images per quantum */
  int quanta = B / q;                                           /* the rest joins the last */
  int n = MIN (MIN (threads > 0 ? threads : vx_get_num_threads (), VX_FORWARD_MAX_LANES), quanta);
  gboolean pruning = prune_keep > 0.0 && prune_keep < 1.0;
  if (n < 2 || keep_all || pruning || (hooks && !hooks->concurrent_slices))
    n = 1;
  if (bounds)
    {
      /* as even as whole quanta allow: slice t starts at the quantum nearest B t / n */
      bounds[0] = 0;
      for (int t = 1; t < n; t++)
        {
          int k = (int) (((gint64) 2 * B * t / n + q) / (2 * q));
          bounds[t] = CLAMP (k, t, quanta - (n - t)) * q;
        }
      bounds[n] = B;
    }
  return n;
}

/* views of the shared block buffers and tmp for images b0 .. of a pass with N rows each */
static void
slice_view (const VxActs *acts, int b0, int N, VxBlockActs *ba, float **tmp)
{
  const VxArch *a = &acts->arch;
  size_t rows = (size_t) b0 * N, D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads;
  const VxBlockActs *s = &acts->blk[0];
  *ba = (VxBlockActs) {
    .x_in = NULL,
    .ln1 = s->ln1 + rows * D, .ln1_mean = s->ln1_mean + rows, .ln1_rstd = s->ln1_rstd + rows,
    .qkv = s->qkv + rows * 3 * D, .probs = s->probs + (size_t) b0 * H * N * N,
    .att = s->att + rows * D, .res1 = s->res1 + rows * D,
    .ln2 = s->ln2 + rows * D, .ln2_mean = s->ln2_mean + rows, .ln2_rstd = s->ln2_rstd + rows,
    .fc1 = s->fc1 + rows * F, .gelu = s->gelu + rows * F, .res2 = s->res2 + rows * D,
  };
  *tmp = acts->tmp + rows * D;
}

/* every block on `lanes` slices side by side (bounds from vx_forward_slices);
 * returns the last block's output for the whole batch */
static float *
forward_blocks_sliced (const VxModel *m, VxActs *acts, const Fwd *f, const int *bounds, int lanes)
{
  int N = vx_arch_num_tokens (&m->arch), D = m->arch.embed_dim;
  for (int l = 0; l < m->arch.depth; l++)
    {
      acts->tokens[l] = N;
      acts->pruned[l] = 0;
    }
#pragma omp parallel for schedule(static, 1) num_threads(lanes)
  for (int t = 0; t < lanes; t++)
    {
      Fwd sf = *f;
      int b0 = bounds[t], nb = bounds[t + 1] - b0;
      sf.o.first_image = f->o.first_image + b0;
      sf.o.threads = 1;
      sf.lane = t;
      sf.lanes = lanes;
      VxBlockActs ba;
      float *tmp;
      slice_view (acts, b0, N, &ba, &tmp);
      float *x = acts->x0 + (size_t) b0 * N * D;
      for (int l = 0; l < m->arch.depth; l++)
        x = forward_block (m, acts, &sf, l, &ba, tmp, x, nb, N);
    }
  return acts->blk[0].res2;
}

/* every block on the whole batch, pruning tokens where the schedule says;
 * returns the last block's output and its rows per image */
static float *
forward_blocks (const VxModel *m, VxActs *acts, const Fwd *f, int B, double keep, int *rows)
{
  const VxArch *a = &m->arch;
  const VxMatmulHooks *hk = f->o.hooks;
  int N = vx_arch_num_tokens (a), D = a->embed_dim, H = a->num_heads, T = a->distilled ? 2 : 1;

  /* token pruning: the blocks pruned before, and the original index of each row */
  int stages[VX_PRUNE_MAX_STAGES];
  int n_stages = keep > 0.0 && keep < 1.0 ? vx_prune_blocks (a->depth, stages) : 0;
  int *orig = acts->orig, *orig_next = acts->orig + (size_t) B * N;
  if (n_stages > 0)
    for (int b = 0; b < B; b++)
      for (int t = 0; t < N; t++)
        orig[(size_t) b * N + t] = t;

  float *x = acts->x0;
  int Nc = N;   /* rows per image in this block */
  for (int l = 0, stage = 0; l < a->depth; l++)
    {
      VxBlockActs *ba = vx_acts_block (acts, l);
      gboolean prune = stage < n_stages && stages[stage] == l;

      if (prune)
        {
          /* rank by the previous block's attention (its probs are still in
           * the shared buffers when they are shared), gather the kept rows into
           * this block's input: x_in, or res1, which the block writes only after
           * reading its input (the residual add may alias) */
          const float *prev_probs = vx_acts_block (acts, l - 1)->probs;   // (B, H, Nc, Nc)
          int k = vx_prune_keep_count (Nc - T, keep), Nn = T + k;
          int *kept = acts->kept + (size_t) l * B * N;                     // (B, Nn)
          float *dst = ba->x_in ? ba->x_in : ba->res1;
          vx_prune_select (kept, prev_probs, B, H, Nc, T, k);
          vx_tokens_gather (dst, x, kept, B, Nc, Nn, D);
          for (int b = 0; b < B; b++)
            for (int i = 0; i < Nn; i++)
              orig_next[(size_t) b * Nn + i] = orig[(size_t) b * Nc + kept[(size_t) b * Nn + i]];
          memcpy (orig, orig_next, sizeof (int) * B * Nn);
          Nc = Nn;
          x = dst;
          stage++;
          if (hk && hk->tokens_kept)
            hk->tokens_kept (hk->user, l, f->o.first_image, orig, B, Nc);
        }
      else if (ba->x_in)
        {
          memcpy (ba->x_in, x, sizeof (float) * B * Nc * D);
          x = ba->x_in;
        }
      acts->tokens[l] = Nc;
      acts->pruned[l] = prune;
      x = forward_block (m, acts, f, l, ba, acts->tmp, x, B, Nc);
    }
  *rows = Nc;
  return x;
}

void
vx_model_forward (const VxModel *m, VxActs *acts, const float *images, int B,
                  float *logits, const VxForwardOpts *opts)
{
  /* a copy whose thread count is resolved once: every kernel below gets it */
  Fwd f = { { 0 }, 0, 0 };
  if (opts)
    f.o = *opts;
  f.o.threads = f.o.threads > 0 ? f.o.threads : vx_get_num_threads ();
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  int D = a->embed_dim, C = a->in_chans, P = a->patch_size, S = a->img_size;
  int T = a->distilled ? 2 : 1;

  g_return_if_fail (B > 0 && B <= acts->max_batch);
  g_return_if_fail (memcmp (&acts->arch, a, sizeof *a) == 0);
  vx_blas_init ();   /* before any hook's own cblas call */

  /* patch embedding and tokens, on the whole batch */
  vx_patchify_forward (acts->patches, images, B, C, S, P);
  linear (&f, VX_MM_PATCH, -1, 0, Np, acts->patch_out, acts->patches, p->patch_w, p->patch_b,
          B * Np, C * P * P, D);
  vx_embed_forward (acts->x0, acts->patch_out, p->cls_token, p->dist_token, p->pos_embed,
                    B, Np, T, D);

  double keep = f.o.prune_keep > 0 ? f.o.prune_keep : vx_model_prune_keep (m);
  int bounds[VX_FORWARD_MAX_LANES + 1];
  int lanes = vx_forward_slices (a, B, f.o.threads, f.o.hooks, acts->keep_all, keep, bounds);
  const float *x;
  int Nc = N;
  if (lanes > 1)
    x = forward_blocks_sliced (m, acts, &f, bounds, lanes);
  else
    x = forward_blocks (m, acts, &f, B, keep, &Nc);

  forward_heads (m, acts, &f, x, B, Nc, logits);
}
