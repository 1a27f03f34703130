/* vx-backward.c: backward kernels of the ViT (see vx-backward.h) */
#define G_LOG_DOMAIN "vx-backward"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <glib.h>

#include "vx-backward.h"
#include "vx-fastmath.h"
#include "vx-gemm.h"
#include "vx-model.h"

/* Rows per chunk of a chunked reduction: fixed, so the order of additions
 * does not depend on how many threads share the chunks. */
#define ROW_CHUNK 32

static int
resolve_threads (int threads)
{
  return threads > 0 ? threads : vx_get_num_threads ();
}

/* out (N) += column sums of x (M, N): partial sums over fixed chunks of rows,
 * added in chunk order */
static void
column_sums_add (float *out, const float *x, int M, int N, int threads)
{
  enum { CHUNK = 256 };
  int nchunks = (M + CHUNK - 1) / CHUNK;
  float *partial = g_new0 (float, (size_t) nchunks * N);
#pragma omp parallel for schedule(static) num_threads(threads) if(nchunks > 1)
  for (int ch = 0; ch < nchunks; ch++)
    {
      float *acc = partial + (size_t) ch * N;
      int i1 = MIN (M, (ch + 1) * CHUNK);
      for (int i = ch * CHUNK; i < i1; i++)
        {
          const float *row = x + (size_t) i * N;
          for (int j = 0; j < N; j++)
            acc[j] += row[j];
        }
    }
  for (int ch = 0; ch < nchunks; ch++)
    for (int j = 0; j < N; j++)
      out[j] += partial[(size_t) ch * N + j];
  g_free (partial);
}

void
vx_linear_backward (float *dinp, float *dweight, float *dbias,
                    const float *dout, const float *inp, const float *weight,
                    int M, int K, int N, int threads)
{
  if (dinp)   // (M, K) += (M, N) (N, K)
    vx_gemm_blocked (FALSE, FALSE, M, K, N, dout, N, weight, K, 1.0f, dinp, K, threads);
  if (dweight)   // (N, K) += (M, N)^T (M, K)
    vx_gemm_blocked (TRUE, FALSE, N, K, M, dout, N, inp, K, 1.0f, dweight, K, threads);
  if (dbias)
    column_sums_add (dbias, dout, M, N, resolve_threads (threads));
}

void
vx_patch_embed_backward (float *dweight, float *dbias,
                         const float *dout, const float *patches,
                         int M, int CPP, int D, int threads)
{
  vx_linear_backward (NULL, dweight, dbias, dout, patches, NULL, M, CPP, D, threads);
}

void
vx_layernorm_backward (float *dinp, float *dweight, float *dbias,
                       const float *dout, const float *inp, const float *weight,
                       const float *mean, const float *rstd, int M, int C, int threads)
{
  int nchunks = (M + ROW_CHUNK - 1) / ROW_CHUNK;
  gboolean want_params = dweight || dbias;
  /* per chunk: C sums of dout xhat, then C sums of dout */
  float *partial = want_params ? g_new0 (float, (size_t) nchunks * 2 * C) : NULL;

#pragma omp parallel for schedule(static) num_threads(resolve_threads (threads))
  for (int ch = 0; ch < nchunks; ch++)
    {
      float *pw = partial ? partial + (size_t) ch * 2 * C : NULL;
      float *pb = pw ? pw + C : NULL;
      int i1 = MIN (M, (ch + 1) * ROW_CHUNK);
      for (int i = ch * ROW_CHUNK; i < i1; i++)
        {
          const float *x = inp + (size_t) i * C;
          const float *dy = dout + (size_t) i * C;
          float mu = mean[i], rs = rstd[i];
          float mean_g = 0.f, mean_gx = 0.f;
          for (int j = 0; j < C; j++)
            {
              float xhat = (x[j] - mu) * rs;
              float g = dy[j] * weight[j];
              mean_g += g;
              mean_gx += g * xhat;
              if (pw)
                {
                  pw[j] += dy[j] * xhat;
                  pb[j] += dy[j];
                }
            }
          mean_g /= C;
          mean_gx /= C;
          if (dinp)
            {
              float *dx = dinp + (size_t) i * C;
              for (int j = 0; j < C; j++)
                {
                  float xhat = (x[j] - mu) * rs;
                  dx[j] += rs * (dy[j] * weight[j] - mean_g - xhat * mean_gx);
                }
            }
        }
    }

  if (partial)
    {
      for (int ch = 0; ch < nchunks; ch++)
        for (int j = 0; j < C; j++)
          {
            if (dweight)
              dweight[j] += partial[(size_t) ch * 2 * C + j];
            if (dbias)
              dbias[j] += partial[(size_t) ch * 2 * C + C + j];
          }
      g_free (partial);
    }
}

/* GCC if-converts (and so vectorises) the selects of the GELU loop only when it
 * may assume FP compares do not trap; nothing here inspects FP exception flags. */
#if defined(__GNUC__) && !defined(__clang__)
#define VX_VECTORISABLE_SELECTS __attribute__ ((optimize ("no-trapping-math")))
#else
#define VX_VECTORISABLE_SELECTS
#endif

VX_VECTORISABLE_SELECTS void
vx_gelu_backward (float *dinp, const float *inp, const float *out, const float *dout,
                  size_t n, int threads)
{
  const float inv_sqrt_2pi = 0.39894228040143267794f;
  if (!out)
    {
#pragma omp parallel for schedule(static) num_threads(resolve_threads (threads)) if(n > 65536)
      for (size_t i = 0; i < n; i++)
        {
          float x = inp[i];
          float cdf = 0.5f * (1.0f + erff (x * (float) M_SQRT1_2));
          float pdf = expf (-0.5f * x * x) * inv_sqrt_2pi;
          dinp[i] += dout[i] * (cdf + x * pdf);
        }
      return;
    }
  /* Phi(x) = y / x from the forward's output; near 0, where that division loses
   * digits, Phi's series 1/2 + phi(0) (x - x^3/6) (error below 1e-11 for |x| < 1e-2) */
#pragma omp parallel for simd schedule(static) num_threads(resolve_threads (threads)) if(n > 65536)
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      float series = 0.5f + inv_sqrt_2pi * (x - x * x * x * (1.0f / 6));
      gboolean far = fabsf (x) > 1e-2f;
      float ratio = out[i] / (far ? x : 1.0f);   /* a division that never traps, so it vectorises */
      float cdf = far ? ratio : series;
      float pdf = vx_fast_expf (-0.5f * x * x) * inv_sqrt_2pi;
      dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

void
vx_residual_backward (float *da, float *db, const float *dout, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (da)
        da[i] += dout[i];
      if (db)
        db[i] += dout[i];
    }
}

void
vx_softmax_backward (float *dinp, const float *dout, const float *probs, float scale,
                     int rows, int cols)
{
  for (int r = 0; r < rows; r++)
    {
      const float *y = probs + (size_t) r * cols;
      const float *dy = dout + (size_t) r * cols;
      float *dx = dinp + (size_t) r * cols;
      float dot = 0.f;
      for (int j = 0; j < cols; j++)
        dot += dy[j] * y[j];
      for (int j = 0; j < cols; j++)
        dx[j] += scale * y[j] * (dy[j] - dot);
    }
}

void
vx_attention_backward (float *dqkv, const float *datt, const float *qkv, const float *probs,
                       int B, int N, int D, int H, int threads)
{
  int Dh = D / H, ld = 3 * D;
  float scale = 1.0f / sqrtf ((float) Dh);
  int nt = resolve_threads (threads);

  /* one (image, head) per iteration, each with one thread's sequential GEMMs */
  vx_blas_init ();
#pragma omp parallel num_threads(nt)
  {
    float *dp = g_new (float, (size_t) N * N);   // (N, N) gradient of probs, then of scores
    float *ds = g_new (float, (size_t) N * N);
#pragma omp for schedule(dynamic, 1)
    for (int bh = 0; bh < B * H; bh++)
      {
        int b = bh / H, h = bh % H;
        size_t off = (size_t) b * N * ld + (size_t) h * Dh;
        const float *q = qkv + off, *k = q + D, *v = q + 2 * D;
        float *dq = dqkv + off, *dk = dq + D, *dv = dq + 2 * D;
        const float *p = probs + ((size_t) b * H + h) * N * N;       // (N, N)
        const float *dout = datt + (size_t) b * N * D + (size_t) h * Dh;  // (N, Dh), ld D

        /* att = p v: dp = dout v^T, dv += p^T dout */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh,
                     1.0f, dout, D, v, ld, 0.0f, dp, N);
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, N, Dh, N,
                     1.0f, p, N, dout, D, 1.0f, dv, ld);
        /* p = softmax(scale q k^T): ds = gradient of the raw scores q k^T */
        memset (ds, 0, sizeof (float) * N * N);
        vx_softmax_backward (ds, dp, p, scale, N, N);
        /* dq += ds k, dk += ds^T q */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N,
                     1.0f, ds, N, k, ld, 1.0f, dq, ld);
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, N, Dh, N,
                     1.0f, ds, N, q, ld, 1.0f, dk, ld);
      }
    g_free (dp);
    g_free (ds);
  }
}

void
vx_embed_backward (float *dpatch_out, float *dcls, float *ddist, float *dpos,
                   const float *dx, int B, int Np, int T, int D)
{
  int N = Np + T;
  for (int b = 0; b < B; b++)
    {
      const float *xb = dx + (size_t) b * N * D;
      if (dcls)
        for (int j = 0; j < D; j++)
          dcls[j] += xb[j];
      if (ddist && T > 1)
        for (int j = 0; j < D; j++)
          ddist[j] += xb[D + j];
      if (dpatch_out)
        {
          float *po = dpatch_out + (size_t) b * Np * D;
          const float *src = xb + (size_t) T * D;
          for (size_t i = 0; i < (size_t) Np * D; i++)
            po[i] += src[i];
        }
      if (dpos)
        for (size_t i = 0; i < (size_t) N * D; i++)
          dpos[i] += xb[i];
    }
}

void
vx_gather_token_backward (float *dx, const float *dout, int token, int B, int N, int D)
{
  for (int b = 0; b < B; b++)
    {
      float *row = dx + ((size_t) b * N + token) * D;
      const float *src = dout + (size_t) b * D;
      for (int j = 0; j < D; j++)
        row[j] += src[j];
    }
}

void
vx_tokens_gather_backward (float *dx, const float *dout, const int *kept, int B, int N, int Nk, int D)
{
  for (int b = 0; b < B; b++)
    for (int i = 0; i < Nk; i++)
      {
        float *row = dx + ((size_t) b * N + kept[(size_t) b * Nk + i]) * D;
        const float *src = dout + ((size_t) b * Nk + i) * D;
        for (int j = 0; j < D; j++)
          row[j] += src[j];
      }
}

/* log-sum-exp of a row, in double */
static double
row_logsumexp (const float *x, int K)
{
  float mx = x[0];
  for (int k = 1; k < K; k++)
    mx = MAX (mx, x[k]);
  double s = 0.0;
  for (int k = 0; k < K; k++)
    s += exp ((double) x[k] - mx);
  return mx + log (s);
}

double
vx_crossentropy_forward (float *losses, const float *logits, const int32_t *labels,
                         int B, int K, float eps)
{
  double total = 0.0;
  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * K;
      double lse = row_logsumexp (x, K);
      double nll = lse - x[labels[b]];
      double mean_nll = 0.0;
      for (int k = 0; k < K; k++)
        mean_nll += lse - x[k];
      mean_nll /= K;
      double loss = (1.0 - eps) * nll + eps * mean_nll;
      if (losses)
        losses[b] = (float) loss;
      total += loss;
    }
  return total / B;
}

void
vx_crossentropy_backward (float *dlogits, const float *logits, const int32_t *labels,
                          float dloss, int B, int K, float eps)
{
  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * K;
      float *dx = dlogits + (size_t) b * K;
      double lse = row_logsumexp (x, K);
      for (int k = 0; k < K; k++)
        {
          double p = exp ((double) x[k] - lse);
          double target = eps / K + (k == labels[b] ? 1.0 - eps : 0.0);
          dx[k] += (float) (dloss * (p - target));
        }
    }
}
