/* vx-model-backward.c: the model's backward pass, block by block (the kernels are
 * in vx-backward.c) */
#define G_LOG_DOMAIN "vx-train"
#include "config.h"

#include <string.h>

#include "vx-backward.h"
#include "vx-model-private.h"
#include "vx-train.h"

/* ---- gradient buffers of the activations ------------------------------------------ */

struct _VxGradActs {
  VxArch arch;
  int max_batch;
  float *mem;
  float *dx;          /* (B, N, D) gradient of the residual stream */
  float *dres1;       /* (B, N, D) */
  float *dln;         /* (B, N, D) gradient of a LayerNorm output */
  float *datt;        /* (B, N, D) */
  float *dqkv;        /* (B, N, 3D) */
  float *dgelu;       /* (B, N, F) */
  float *dfc1;        /* (B, N, F) */
  float *dpatch_out;  /* (B, Np, D) */
  float *dlt;         /* (B, K) gradient of one head's logits */
  float *dlnf;        /* (B, D) */
  float *dfeat;       /* (B, D) */
};

VxGradActs *
vx_grad_acts_new (const VxArch *a, int max_batch)
{
  size_t B = max_batch, N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  size_t D = a->embed_dim, F = a->mlp_hidden, K = a->num_classes;
  size_t n = 4 * B * N * D + 3 * B * N * D + 2 * B * N * F + B * Np * D + B * K + 2 * B * D;
  VxGradActs *g = g_new0 (VxGradActs, 1);
  g->arch = *a;
  g->max_batch = max_batch;
  g->mem = g_new0 (float, n);
  float *p = g->mem;
#define TAKE(count) (p += (count), p - (count))
  g->dx = TAKE (B * N * D);
  g->dres1 = TAKE (B * N * D);
  g->dln = TAKE (B * N * D);
  g->datt = TAKE (B * N * D);
  g->dqkv = TAKE (B * N * 3 * D);
  g->dgelu = TAKE (B * N * F);
  g->dfc1 = TAKE (B * N * F);
  g->dpatch_out = TAKE (B * Np * D);
  g->dlt = TAKE (B * K);
  g->dlnf = TAKE (B * D);
  g->dfeat = TAKE (B * D);
#undef TAKE
  g_assert ((size_t) (p - g->mem) == n);
  return g;
}

void
vx_grad_acts_free (VxGradActs *g)
{
  if (!g)
    return;
  g_free (g->mem);
  g_free (g);
}

/* ---- model backward ---------------------------------------------------------------- */

static inline void
zero (float *x, size_t n)
{
  memset (x, 0, sizeof (float) * n);
}

/* vx_linear_backward, timed into *gemm_s when gemm_s is not NULL */
static void
linear_bw (double *gemm_s, float *dinp, float *dweight, float *dbias, const float *dout,
           const float *inp, const float *weight, int M, int K, int N, int threads)
{
  gint64 t0 = gemm_s ? g_get_monotonic_time () : 0;
  vx_linear_backward (dinp, dweight, dbias, dout, inp, weight, M, K, N, threads);
  if (gemm_s)
    *gemm_s += (g_get_monotonic_time () - t0) / 1e6;
}

void
vx_model_backward (const VxModel *m, const VxActs *acts, VxGradActs *w,
                   const float *dlogits, int B, VxParams *g, const VxBackwardOpts *opts)
{
  static const VxBackwardOpts no_opts = { 0 };
  const VxBackwardOpts *o = opts ? opts : &no_opts;
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  int D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads, K = a->num_classes;
  int CPP = a->in_chans * a->patch_size * a->patch_size;
  int T = a->distilled ? 2 : 1;
  /* rows per image of the last block (fewer than N after token pruning) */
  int Nl = a->depth > 0 ? acts->tokens[a->depth - 1] : N;
  int BN = B * Nl;
  size_t BND = (size_t) BN * D;
  int th = o->threads > 0 ? o->threads : vx_get_num_threads ();
  double *gs = o->gemm_seconds;

  g_return_if_fail (acts->keep_all);
  g_return_if_fail (B > 0 && B <= acts->max_batch && B <= w->max_batch);
  g_return_if_fail (memcmp (&acts->arch, a, sizeof *a) == 0);
  g_return_if_fail (memcmp (&w->arch, a, sizeof *a) == 0);

  /* head(s), final norm of the head tokens, gather */
  zero (w->dx, BND);
  for (int t = 0; t < T; t++)
    {
      const float *lnf = acts->lnf + (size_t) t * B * D;       // (B, D)
      const float *feat = acts->feat + (size_t) t * B * D;     // (B, D)
      float s = T == 1 ? 1.0f : 0.5f;
      for (size_t i = 0; i < (size_t) B * K; i++)
        w->dlt[i] = s * dlogits[i];
      zero (w->dlnf, (size_t) B * D);
      linear_bw (gs, w->dlnf, t == 0 ? g->head_w : g->head_dist_w, t == 0 ? g->head_b : g->head_dist_b,
                 w->dlt, lnf, t == 0 ? p->head_w : p->head_dist_w, B, D, K, th);
      zero (w->dfeat, (size_t) B * D);
      vx_layernorm_backward (w->dfeat, g->norm_w, g->norm_b, w->dlnf, feat, p->norm_w,
                             acts->lnf_mean + (size_t) t * B, acts->lnf_rstd + (size_t) t * B,
                             B, D, th);
      vx_gather_token_backward (w->dx, w->dfeat, t, B, Nl, D);
    }

  for (int l = a->depth - 1; l >= 0; l--)
    {
      const VxBlockParams *bp = &p->blocks[l];
      VxBlockParams *bg = &g->blocks[l];
      const VxBlockActs *ba = &acts->blk[l];
      Nl = acts->tokens[l];
      BN = B * Nl;
      BND = (size_t) BN * D;

      /* res2 = res1 + fc2(gelu(fc1(ln2(res1)))); dx holds d res2 */
      memcpy (w->dres1, w->dx, sizeof (float) * BND);
      zero (w->dgelu, (size_t) BN * F);
      linear_bw (gs, w->dgelu, bg->fc2_w, bg->fc2_b, w->dx, ba->gelu, bp->fc2_w, BN, F, D, th);
      zero (w->dfc1, (size_t) BN * F);
      vx_gelu_backward (w->dfc1, ba->fc1, ba->gelu, w->dgelu, (size_t) BN * F, th);
      zero (w->dln, BND);
      linear_bw (gs, w->dln, bg->fc1_w, bg->fc1_b, w->dfc1, ba->ln2, bp->fc1_w, BN, D, F, th);
      vx_layernorm_backward (w->dres1, bg->norm2_w, bg->norm2_b, w->dln, ba->res1, bp->norm2_w,
                             ba->ln2_mean, ba->ln2_rstd, BN, D, th);

      /* res1 = x_in + proj(attention(qkv(ln1(x_in)))) */
      memcpy (w->dx, w->dres1, sizeof (float) * BND);
      zero (w->datt, BND);
      linear_bw (gs, w->datt, bg->proj_w, bg->proj_b, w->dres1, ba->att, bp->proj_w, BN, D, D, th);
      zero (w->dqkv, (size_t) BN * 3 * D);
      gint64 a0 = o->attention_seconds ? g_get_monotonic_time () : 0;
      vx_attention_backward (w->dqkv, w->datt, ba->qkv, ba->probs, B, Nl, D, H, th);
      if (o->attention_seconds)
        *o->attention_seconds += (g_get_monotonic_time () - a0) / 1e6;
      zero (w->dln, BND);
      linear_bw (gs, w->dln, bg->qkv_w, bg->qkv_b, w->dqkv, ba->ln1, bp->qkv_w, BN, D, 3 * D, th);
      vx_layernorm_backward (w->dx, bg->norm1_w, bg->norm1_b, w->dln, ba->x_in, bp->norm1_w,
                             ba->ln1_mean, ba->ln1_rstd, BN, D, th);

      /* token pruning before this block: the gather's gradient goes back to the
       * kept rows of the previous block's output (the selection is a constant) */
      if (acts->pruned[l] && l > 0)
        {
          int Np_prev = acts->tokens[l - 1];
          size_t prev = (size_t) B * Np_prev * D;
          zero (w->dres1, prev);
          vx_tokens_gather_backward (w->dres1, w->dx, acts->kept + (size_t) l * B * N,
                                     B, Np_prev, Nl, D);
          memcpy (w->dx, w->dres1, sizeof (float) * prev);
        }
    }

  /* tokens and patch embedding */
  zero (w->dpatch_out, (size_t) B * Np * D);
  vx_embed_backward (w->dpatch_out, g->cls_token, g->dist_token, g->pos_embed, w->dx, B, Np, T, D);
  gint64 t0 = gs ? g_get_monotonic_time () : 0;
  vx_patch_embed_backward (g->patch_w, g->patch_b, w->dpatch_out, acts->patches, B * Np, CPP, D, th);
  if (gs)
    *gs += (g_get_monotonic_time () - t0) / 1e6;
}
