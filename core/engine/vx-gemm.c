/* vx-gemm.c: matrix products on our threads (see vx-gemm.h) */
#define G_LOG_DOMAIN "vx-gemm"
#include "config.h"

#include <string.h>
#include <cblas.h>

#include "vx-gemm.h"
#include "vx-model.h"

void
vx_blas_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&done, 1);
    }
}

static int
resolve_threads (int threads)
{
  return threads > 0 ? threads : vx_get_num_threads ();
}

/* products below this many multiply-adds run on the calling thread */
#define GEMM_PARALLEL_MIN_MACS (2.0 * 1024 * 1024)

int
vx_gemm_rows_threads (int M, int N, int K, int threads)
{
  int blocks = (M + VX_GEMM_ROW_ALIGN - 1) / VX_GEMM_ROW_ALIGN;
  if ((double) M * N * K < GEMM_PARALLEL_MIN_MACS)
    return 1;
  return MAX (1, MIN (resolve_threads (threads), blocks));
}

void
vx_gemm_rows (gboolean trans_b, int M, int N, int K,
              const float *A, int lda, const float *B, int ldb,
              float beta, float *C, int ldc, int threads)
{
  CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  int nt = vx_gemm_rows_threads (M, N, K, threads);
  vx_blas_init ();
  if (nt == 1)
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
      return;
    }
  /* one contiguous run of aligned rows per thread: each keeps its part of A
   * and C to itself, and no block boundary falls inside a kernel unroll */
  int blocks = (M + VX_GEMM_ROW_ALIGN - 1) / VX_GEMM_ROW_ALIGN;
#pragma omp parallel for schedule(static, 1) num_threads(nt)
  for (int t = 0; t < nt; t++)
    {
      int b0 = (int) ((gint64) blocks * t / nt), b1 = (int) ((gint64) blocks * (t + 1) / nt);
      int i0 = b0 * VX_GEMM_ROW_ALIGN, i1 = MIN (M, b1 * VX_GEMM_ROW_ALIGN);
      if (i1 > i0)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, tb, i1 - i0, N, K, 1.0f, A + (size_t) i0 * lda,
                     lda, B, ldb, beta, C + (size_t) i0 * ldc, ldc);
    }
}

void
vx_gemm_blocked (gboolean trans_a, gboolean trans_b, int M, int N, int K,
                 const float *A, int lda, const float *B, int ldb,
                 float beta, float *C, int ldc, int threads)
{
  /* Blocks of output rows when there are many rows (activations: M = B*N tokens),
   * else blocks of output columns (a weight gradient with a long reduction);
   * sizes from the shapes alone. */
  gboolean by_rows = M >= N;
  int extent = by_rows ? M : N;
  int block = extent >= 2048 ? 128 : 32;
  int nblocks = (extent + block - 1) / block;
  CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  int nt = resolve_threads (threads);

  vx_blas_init ();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if(nblocks > 1)
  for (int ib = 0; ib < nblocks; ib++)
    {
      int i0 = ib * block, n = MIN (block, extent - i0);
      if (by_rows)
        {
          /* rows i0.. of op(A): A (M, K) row i0, or A^T stored (K, M) column i0 */
          const float *a = trans_a ? A + i0 : A + (size_t) i0 * lda;
          cblas_sgemm (CblasRowMajor, ta, tb, n, N, K, 1.0f, a, lda, B, ldb, beta,
                       C + (size_t) i0 * ldc, ldc);
        }
      else
        {
          /* columns i0.. of op(B): B (K, N) column i0, or B^T stored (N, K) row i0 */
          const float *b = trans_b ? B + (size_t) i0 * ldb : B + i0;
          cblas_sgemm (CblasRowMajor, ta, tb, M, n, K, 1.0f, A, lda, b, ldb, beta, C + i0, ldc);
        }
    }
}

void
vx_linear_forward_blocked (float *out, const float *inp, const float *weight, const float *bias,
                           int M, int K, int N, int threads)
{
  if (bias)
    for (int i = 0; i < M; i++)
      memcpy (out + (size_t) i * N, bias, sizeof (float) * N);
  vx_gemm_blocked (FALSE, TRUE, M, N, K, inp, K, weight, K, bias ? 1.0f : 0.0f, out, N, threads);
}
