/* vx-forward.c: the ViT forward pass with matrix-product hooks */
#define G_LOG_DOMAIN "vx-forward"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <omp.h>

#include "vx-kernels.h"
#include "vx-model-private.h"

/* ---- threads ------------------------------------------------------------------ */

static int vx_threads;   /* 0 = not yet set */

void
vx_set_num_threads (int threads)
{
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  vx_threads = threads;
  openblas_set_num_threads (threads);
  omp_set_num_threads (threads);
}

int
vx_get_num_threads (void)
{
  if (vx_threads == 0)
    vx_set_num_threads (0);
  return vx_threads;
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
  return acts;
}

void
vx_acts_free (VxActs *acts)
{
  if (!acts)
    return;
  g_free (acts->mem);
  g_free (acts->blk);
  g_free (acts);
}

/* ---- forward ---------------------------------------------------------------------- */

static void
linear (const VxForwardOpts *o, VxMatmulKind kind, int block, int which,
        float *out, const float *inp, const float *w, const float *b, int M, int K, int N)
{
  if (o->hooks && o->hooks->linear)
    {
      VxMatmulSite site = { kind, block, -1, o->first_image, o->batch_index, which };
      o->hooks->linear (o->hooks->user, &site, out, inp, w, b, M, K, N);
    }
  else
    vx_linear_forward (out, inp, w, b, M, K, N);
}

/* probs (B, H, N, N), att (B, N, D) from qkv (B, N, 3D) */
static void
attention_forward (const VxForwardOpts *o, int block, float *att, float *probs,
                   const float *qkv, int B, int N, int D, int H)
{
  int Dh = D / H;
  float scale = 1.0f / sqrtf ((float) Dh);
  const VxMatmulHooks *hk = o->hooks;
  int threads = o->threads > 0 ? o->threads : vx_get_num_threads ();

  /* One (image, head) pair per iteration; each is computed by exactly one
   * thread with the same arithmetic, so results do not depend on threads. */
  openblas_set_num_threads (1);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int bh = 0; bh < B * H; bh++)
    {
      int b = bh / H, h = bh % H;
      const float *q = qkv + (size_t) b * N * 3 * D + (size_t) h * Dh;
      const float *k = q + D;
      const float *v = q + 2 * D;
      float *s = probs + ((size_t) b * H + h) * N * N;
      float *out = att + (size_t) b * N * D + (size_t) h * Dh;
      VxMatmulSite site = { VX_MM_QK, block, h, o->first_image + b, o->batch_index, 0 };

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
  openblas_set_num_threads (vx_get_num_threads ());
}

void
vx_model_forward (const VxModel *m, VxActs *acts, const float *images, int B,
                  float *logits, const VxForwardOpts *opts)
{
  static const VxForwardOpts no_opts = { 0 };
  const VxForwardOpts *o = opts ? opts : &no_opts;
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  const VxMatmulHooks *hk = o->hooks;
  int N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  int D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads, K = a->num_classes;
  int C = a->in_chans, P = a->patch_size, S = a->img_size;
  int T = a->distilled ? 2 : 1;
  size_t BND = (size_t) B * N * D;

  g_return_if_fail (B > 0 && B <= acts->max_batch);
  g_return_if_fail (memcmp (&acts->arch, a, sizeof *a) == 0);
  vx_get_num_threads ();

  /* patch embedding and tokens */
  vx_patchify_forward (acts->patches, images, B, C, S, P);
  linear (o, VX_MM_PATCH, -1, 0, acts->patch_out, acts->patches, p->patch_w, p->patch_b,
          B * Np, C * P * P, D);
  vx_embed_forward (acts->x0, acts->patch_out, p->cls_token, p->dist_token, p->pos_embed,
                    B, Np, T, D);

  float *x = acts->x0;
  for (int l = 0; l < a->depth; l++)
    {
      const VxBlockParams *bp = &p->blocks[l];
      VxBlockActs *ba = vx_acts_block (acts, l);

      if (ba->x_in)
        {
          memcpy (ba->x_in, x, sizeof (float) * BND);
          x = ba->x_in;
        }
      if (hk && hk->block_in)
        hk->block_in (hk->user, l, o->first_image, x, B, N, D);

      vx_layernorm_forward (ba->ln1, ba->ln1_mean, ba->ln1_rstd, x, bp->norm1_w, bp->norm1_b,
                            B * N, D, a->ln_eps);
      linear (o, VX_MM_QKV, l, 0, ba->qkv, ba->ln1, bp->qkv_w, bp->qkv_b, B * N, D, 3 * D);
      attention_forward (o, l, ba->att, ba->probs, ba->qkv, B, N, D, H);
      if (hk && hk->attn_probs)
        hk->attn_probs (hk->user, l, o->first_image, ba->probs, B, H, N);
      if (hk && hk->attn_out)
        hk->attn_out (hk->user, l, o->first_image, ba->att, B, N, D);
      linear (o, VX_MM_PROJ, l, 0, acts->tmp, ba->att, bp->proj_w, bp->proj_b, B * N, D, D);
      vx_residual_forward (ba->res1, x, acts->tmp, BND);

      vx_layernorm_forward (ba->ln2, ba->ln2_mean, ba->ln2_rstd, ba->res1, bp->norm2_w, bp->norm2_b,
                            B * N, D, a->ln_eps);
      linear (o, VX_MM_FC1, l, 0, ba->fc1, ba->ln2, bp->fc1_w, bp->fc1_b, B * N, D, F);
      vx_gelu_forward (ba->gelu, ba->fc1, (size_t) B * N * F);
      linear (o, VX_MM_FC2, l, 0, acts->tmp, ba->gelu, bp->fc2_w, bp->fc2_b, B * N, F, D);
      /* res2 may be x itself when buffers are shared: x is no longer needed */
      vx_residual_forward (ba->res2, ba->res1, acts->tmp, BND);
      x = ba->res2;
    }

  /* final norm of the head tokens only, then the head(s) */
  for (int t = 0; t < T; t++)
    {
      float *feat = acts->feat + (size_t) t * B * D;
      float *lnf = acts->lnf + (size_t) t * B * D;
      float *lt = acts->logits_t + (size_t) t * B * K;
      vx_gather_token (feat, x, t, B, N, D);
      vx_layernorm_forward (lnf, acts->lnf_mean + (size_t) t * B, acts->lnf_rstd + (size_t) t * B,
                            feat, p->norm_w, p->norm_b, B, D, a->ln_eps);
      linear (o, VX_MM_HEAD, -1, t, lt, lnf, t == 0 ? p->head_w : p->head_dist_w,
              t == 0 ? p->head_b : p->head_dist_b, B, D, K);
    }
  if (T == 1)
    memcpy (logits, acts->logits_t, sizeof (float) * B * K);
  else
    for (size_t i = 0; i < (size_t) B * K; i++)
      logits[i] = 0.5f * (acts->logits_t[i] + acts->logits_t[(size_t) B * K + i]);
}
