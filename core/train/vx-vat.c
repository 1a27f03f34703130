/* vx-vat.c: variation-aware training: noisy crossbar products for the training forward pass */
#define G_LOG_DOMAIN "vx-vat"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-backward.h"
#include "vx-error.h"
#include "vx-rng.h"
#include "vx-vat.h"

struct _VxVat {
  VxXbarConfig cfg;
  guint64 seed;
  int threads;
  VxMatmulHooks hooks;
  guint64 tag_static, tag_kv, tag_channel;
  float *wbuf;             /* decoded static weights (linear runs on one thread at a time) */
  size_t wbuf_cap;
};

void
vx_vat_config_init (VxXbarConfig *cfg, double gamma)
{
  vx_xbar_config_init_preset (cfg, VX_XBAR_PRESET_RRAM_PAPER);
  cfg->gamma = gamma;
}

static gboolean
is_analog (const VxVat *v, VxMatmulKind kind)
{
  return (v->cfg.analog & VX_XBAR_ANALOG (kind)) != 0;
}

/* out (M, Nout) = in (M, Kin) W'(Nout, Kin)^T + bias, W' = W read back from its
 * crossbar with this step's read noise */
static void
vat_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
            const float *weight, const float *bias, int M, int Kin, int Nout)
{
  VxVat *v = user;
  const float *w = weight;
  if (is_analog (v, site->kind))
    {
      size_t n = (size_t) Nout * Kin;
      if (v->wbuf_cap < n)
        {
          g_free (v->wbuf);
          v->wbuf = g_new (float, n);
          v->wbuf_cap = n;
        }
      guint64 key = vx_rng_key (v->seed, v->tag_static, site->batch, site->block,
                                2 * (int64_t) site->kind + site->which);
      /* W_QKV holds W_Q, W_K and W_V, each mapped with its own w_max as in
       * inference (docs/MODEL.md section 2), each from a sub-stream of key */
      int parts = site->kind == VX_MM_QKV && Nout % 3 == 0 ? 3 : 1;
      size_t per = n / parts;
      for (int k = 0; k < parts; k++)
        vx_xbar_program_decode (&v->cfg, v->wbuf + k * per, weight + k * per, per, 0.0, FALSE,
                                parts > 1 ? vx_rng_key (key, k, -1, -1, -1) : key);
      w = v->wbuf;
    }
  vx_linear_forward_blocked (out, in, w, bias, M, Kin, Nout, v->threads);
}

/* dst (N, Dh) = one head's K or V (rows of stride ld) written to its crossbar and
 * read back (write and read noise); tmp holds N * Dh floats */
static void
kv_program (const VxVat *v, const VxMatmulSite *site, int kv, float *dst, float *tmp,
            const float *x, int N, int Dh, int ld)
{
  guint64 key = vx_rng_key (v->seed, v->tag_kv, site->image, site->block, 2 * (int64_t) site->head + kv);
  size_t n = (size_t) N * Dh;
  if (v->cfg.kv_scale == VX_KV_SCALE_PER_CHANNEL)
    {
      /* each channel (a row of K^T, a column of V) with its own scale */
      for (int c = 0; c < Dh; c++)
        {
          for (int t = 0; t < N; t++)
            tmp[t] = x[(size_t) t * ld + c];
          guint64 ck = vx_rng_key (key, v->tag_channel, c, -1, -1);
          vx_xbar_program_decode (&v->cfg, tmp + N, tmp, N, 0.0, TRUE, ck);
          for (int t = 0; t < N; t++)
            dst[(size_t) t * Dh + c] = tmp[N + t];
        }
      return;
    }
  double w_max = 0.0;   /* per head: vx_xbar_program_decode takes max |x| */
  if (v->cfg.kv_scale == VX_KV_SCALE_PER_TENSOR)
    {
      /* all heads of this image's K (or V): the row starts head * Dh floats earlier */
      const float *row0 = x - (size_t) site->head * Dh;
      int D = ld / 3;
      float m = 0.f;
      for (int t = 0; t < N; t++)
        for (int j = 0; j < D; j++)
          m = fmaxf (m, fabsf (row0[(size_t) t * ld + j]));
      w_max = m;
      if (!(w_max > 0))
        w_max = 1.0;   /* an all-zero tensor: any scale decodes zeros */
    }
  for (int t = 0; t < N; t++)
    memcpy (tmp + (size_t) t * Dh, x + (size_t) t * ld, sizeof (float) * Dh);
  vx_xbar_program_decode (&v->cfg, dst, tmp, n, w_max, TRUE, key);
}

/* scores (N, N) = q K'^T: K written to its crossbar for this image and read back */
static void
vat_attn_qk (void *user, const VxMatmulSite *site, float *scores, const float *q,
             const float *k, int N, int Dh, int ld)
{
  const VxVat *v = user;
  if (!is_analog (v, VX_MM_QK))
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, k, ld, 0.0f,
                   scores, N);
      return;
    }
  size_t n = (size_t) N * Dh;
  g_autofree float *buf = g_new (float, 2 * n + 2 * (size_t) N);
  float *kd = buf, *tmp = buf + n;
  kv_program (v, site, 0, kd, tmp, k, N, Dh, ld);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, kd, Dh, 0.0f,
               scores, N);
}

/* out (N, Dh) = s V': V written to its crossbar for this image and read back */
static void
vat_attn_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
             const float *vv, int N, int Dh, int ld)
{
  const VxVat *v = user;
  if (!is_analog (v, VX_MM_SV))
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, s, N, vv, ld, 0.0f,
                   out, ld_out);
      return;
    }
  size_t n = (size_t) N * Dh;
  g_autofree float *buf = g_new (float, 2 * n + 2 * (size_t) N);
  float *vd = buf, *tmp = buf + n;
  kv_program (v, site, 1, vd, tmp, vv, N, Dh, ld);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, s, N, vd, Dh, 0.0f,
               out, ld_out);
}

VxVat *
vx_vat_new (const VxXbarConfig *cfg, guint64 seed, int threads, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  if (!vx_xbar_config_validate (cfg, error))
    return NULL;
  const char *bad = NULL;
  if (cfg->mode != VX_XBAR_FUNCTIONAL)
    bad = "circuit mode (VAT uses the functional model)";
  else if (cfg->kv_scale != VX_KV_SCALE_PER_HEAD && cfg->kv_scale != VX_KV_SCALE_PER_TENSOR
           && cfg->kv_scale != VX_KV_SCALE_PER_CHANNEL)
    bad = "K/V scales per batch or calibrated (use per-head, per-tensor or per-channel)";
  else if (cfg->static_noise != VX_STATIC_NOISE_PER_BATCH)
    bad = "static noise other than per batch (VAT draws it fresh for every optimiser step)";
  if (bad)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "variation-aware training: the crossbar setting asks for %s", bad);
      return NULL;
    }
  VxVat *v = g_new0 (VxVat, 1);
  v->cfg = *cfg;
  v->seed = seed;
  v->threads = threads > 0 ? threads : vx_get_num_threads ();
  v->tag_static = vx_rng_tag ("vat-static");
  v->tag_kv = vx_rng_tag ("vat-kv");
  v->tag_channel = vx_rng_tag ("vat-kv-channel");
  v->hooks.linear = vat_linear;
  v->hooks.attn_qk = vat_attn_qk;
  v->hooks.attn_sv = vat_attn_sv;
  /* the static products treat rows alike, so pruned blocks need no padding */
  v->hooks.linear_any_rows = TRUE;
  v->hooks.user = v;
  return v;
}

void
vx_vat_free (VxVat *v)
{
  if (!v)
    return;
  g_free (v->wbuf);
  g_free (v);
}

const VxXbarConfig *vx_vat_get_config (const VxVat *v) { return &v->cfg; }
guint64 vx_vat_get_seed (const VxVat *v) { return v->seed; }
const VxMatmulHooks *vx_vat_get_hooks (VxVat *v) { return &v->hooks; }
