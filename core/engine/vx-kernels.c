/* vx-kernels.c: forward kernels of the ViT */
#define G_LOG_DOMAIN "vx-kernels"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-fastmath.h"
#include "vx-gemm.h"
#include "vx-kernels.h"
#include "vx-model.h"

static inline int
resolve_threads (int threads)
{
  return threads > 0 ? threads : vx_get_num_threads ();
}

void
vx_patchify_forward (float *patches, const float *images, int B, int C, int S, int P)
{
  int G = S / P;              /* patches per side */
  int row = C * P * P;
  for (int b = 0; b < B; b++)
    for (int gy = 0; gy < G; gy++)
      for (int gx = 0; gx < G; gx++)
        {
          float *dst = patches + ((size_t) b * G * G + (size_t) gy * G + gx) * row;
          for (int c = 0; c < C; c++)
            for (int py = 0; py < P; py++)
              {
                const float *src = images + (((size_t) b * C + c) * S + (size_t) gy * P + py) * S
                                   + (size_t) gx * P;
                memcpy (dst + ((size_t) c * P + py) * P, src, sizeof (float) * P);
              }
        }
}

void
vx_linear_forward (float *out, const float *inp, const float *weight, const float *bias,
                   int M, int K, int N, int threads)
{
  if (bias)
    {
      for (int i = 0; i < M; i++)
        memcpy (out + (size_t) i * N, bias, sizeof (float) * N);
    }
  vx_gemm_rows (TRUE, M, N, K, inp, K, weight, K, bias ? 1.0f : 0.0f, out, N, threads);
}

void
vx_embed_forward (float *x, const float *patch_out, const float *cls, const float *dist,
                  const float *pos, int B, int Np, int T, int D)
{
  int N = Np + T;
  for (int b = 0; b < B; b++)
    {
      float *xb = x + (size_t) b * N * D;
      memcpy (xb, cls, sizeof (float) * D);
      if (T > 1)
        memcpy (xb + D, dist, sizeof (float) * D);
      memcpy (xb + (size_t) T * D, patch_out + (size_t) b * Np * D, sizeof (float) * Np * D);
      for (size_t i = 0; i < (size_t) N * D; i++)
        xb[i] += pos[i];
    }
}

/* sum of x[0..n) in eight float lanes, combined in double: vectorisable, and
 * the order of additions depends on n alone */
static inline double
lane_sum (const float *x, int n, float shift)
{
  float part[8] = { 0 };
  int j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; k++)
      part[k] += x[j + k] - shift;
  double s = 0.0;
  for (int k = 0; k < 8; k++)
    s += part[k];
  for (; j < n; j++)
    s += x[j] - shift;
  return s;
}

static inline double
lane_sum_squares (const float *x, int n, float shift)
{
  float part[8] = { 0 };
  int j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; k++)
      {
        float d = x[j + k] - shift;
        part[k] += d * d;
      }
  double s = 0.0;
  for (int k = 0; k < 8; k++)
    s += part[k];
  for (; j < n; j++)
    {
      double d = x[j] - shift;
      s += d * d;
    }
  return s;
}

VX_SIMD_CLONES void
vx_layernorm_forward (float *out, float *mean, float *rstd,
                      const float *inp, const float *weight, const float *bias,
                      int M, int C, float eps, int threads)
{
  /* rows are independent: any thread count gives the same numbers */
#pragma omp parallel for schedule(static) num_threads(resolve_threads (threads)) \
    if((size_t) M * C > 65536)
  for (int i = 0; i < M; i++)
    {
      const float *x = inp + (size_t) i * C;
      float *y = out + (size_t) i * C;
      /* two passes (mean, then squared deviations), as torch does */
      float mf = (float) (lane_sum (x, C, 0.0f) / C);
      double v = lane_sum_squares (x, C, mf) / C;
      float s = (float) (1.0 / sqrt (v + eps));
      for (int j = 0; j < C; j++)
        y[j] = (x[j] - mf) * s * weight[j] + bias[j];
      if (mean)
        mean[i] = mf;
      if (rstd)
        rstd[i] = s;
    }
}

VX_SIMD_CLONES void
vx_gelu_forward (float *out, const float *inp, size_t n, int threads)
{
#pragma omp parallel for simd schedule(static) num_threads(resolve_threads (threads)) \
    if(n > 65536)
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      out[i] = 0.5f * x * (1.0f + vx_fast_erff (x * (float) M_SQRT1_2));
    }
}

VX_SIMD_CLONES void
vx_residual_forward (float *out, const float *a, const float *b, size_t n, int threads)
{
#pragma omp parallel for simd schedule(static) num_threads(resolve_threads (threads)) \
    if(n > 65536)
  for (size_t i = 0; i < n; i++)
    out[i] = a[i] + b[i];
}

VX_SIMD_CLONES void
vx_softmax_forward (float *x, float scale, int rows, int cols)
{
  for (int r = 0; r < rows; r++)
    {
      float *row = x + (size_t) r * cols;
      for (int j = 0; j < cols; j++)
        row[j] *= scale;
      float mx = -INFINITY;
      for (int j = 0; j < cols; j++)
        mx = row[j] > mx ? row[j] : mx;
      for (int j = 0; j < cols; j++)
        row[j] = vx_fast_expf (row[j] - mx);
      /* eight partial sums in a fixed order: vectorisable and deterministic */
      float part[8] = { 0 };
      int j = 0;
      for (; j + 8 <= cols; j += 8)
        for (int k = 0; k < 8; k++)
          part[k] += row[j + k];
      double sum = 0.0;
      for (int k = 0; k < 8; k++)
        sum += part[k];
      for (; j < cols; j++)
        sum += row[j];
      float inv = (float) (1.0 / sum);
      for (j = 0; j < cols; j++)
        row[j] *= inv;
    }
}

void
vx_gather_token (float *out, const float *x, int token, int B, int N, int D)
{
  for (int b = 0; b < B; b++)
    memcpy (out + (size_t) b * D, x + ((size_t) b * N + token) * D, sizeof (float) * D);
}
