/* vx-gemm.h: matrix products spread over our own threads, with reproducible sums
 *
 * OpenBLAS runs on one thread inside libvitx (vx_blas_init sets that once, the
 * first time any product runs): its own threading changes how a product is cut
 * and so the rounding of the sums, which would make results depend on the
 * thread count. All parallelism is ours (OpenMP `num_threads(n)`), and every
 * function here takes its thread count as an argument (threads <= 0: the
 * library default, vx_get_num_threads()); none changes a process-wide setting.
 *
 * Two ways of cutting a product, both giving results independent of threads:
 *  - vx_gemm_rows: blocks of VX_GEMM_ROW_ALIGN output rows. OpenBLAS's
 *    single-threaded kernels compute every element the same way wherever a
 *    block starts, as long as it starts at a multiple of their row unroll (12
 *    on Haswell/Zen, 16 or less elsewhere); 48 is a multiple of all of these.
 *    So a row-blocked product equals the one-call product bit for bit, at any
 *    thread count (tests/test-model.c checks this on the machine it runs on).
 *    The forward pass uses it.
 *  - vx_gemm_blocked: blocks whose size depends on the shape alone (rows, or
 *    columns for a product with few rows). Bit-identical for any thread count,
 *    but not to a one-call product. The trainer uses it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* row blocks of vx_gemm_rows start at multiples of this */
#define VX_GEMM_ROW_ALIGN 48

/* Pins OpenBLAS to one thread, once per process; every product in libvitx
 * calls it first. Exported for programs that call cblas themselves. */
void vx_blas_init (void);

/* Threads a product of M x N outputs with a reduction of K uses: 1 below about
 * 4 MFLOP (a parallel region costs more than it saves), else up to `threads`,
 * at most one per VX_GEMM_ROW_ALIGN rows. The choice never changes results. */
int  vx_gemm_rows_threads (int M, int N, int K, int threads);

/* C (M, N) = A (M, K) op(B) + beta C, row-major; op(B) = B^T when trans_b
 * (B stored (N, K)), else B stored (K, N). Blocks of VX_GEMM_ROW_ALIGN rows
 * over vx_gemm_rows_threads() threads: bitwise the same as one cblas_sgemm. */
void vx_gemm_rows (gboolean trans_b, int M, int N, int K,
                   const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc, int threads);

/* C (M, N) = op(A) op(B) + beta C, with cblas row-major conventions (op = transpose
 * when trans_a / trans_b). The output is cut into blocks of rows (or of columns when
 * it has few rows) whose size depends only on M, N, K; the blocks are spread over
 * OpenMP threads, each an OpenBLAS call on one thread. */
void vx_gemm_blocked (gboolean trans_a, gboolean trans_b, int M, int N, int K,
                      const float *A, int lda, const float *B, int ldb,
                      float beta, float *C, int ldc, int threads);

/* vx_linear_forward computed with vx_gemm_blocked (the trainer's products):
 * out (M, N) = inp (M, K) weight (N, K)^T + bias (N) */
void vx_linear_forward_blocked (float *out, const float *inp, const float *weight, const float *bias,
                                int M, int K, int N, int threads);

G_END_DECLS
