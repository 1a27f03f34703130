/* vx-kernels.h: numerical kernels of the ViT, forward and backward
 *
 * Free functions in llm.c style: outputs first, then inputs, then sizes.
 * Backward kernels ACCUMULATE (+=) into parameter gradients and into input
 * gradients unless a comment says otherwise. Size letters: see vx-model.h.
 * Kernels that take `threads` run on at most that many OpenMP threads (<= 0:
 * vx_get_num_threads()); their results are the same for every thread count.
 */
#pragma once

#include <stddef.h>

/* ---- forward (vx-kernels.c) ---------------------------------------------- */

/* images (B, C, S, S) -> patches (B, Np, C*P*P), each row in (c, py, px) order,
 * matching the flattening of a timm Conv2d weight (D, C, P, P). */
void vx_patchify_forward (float *patches, const float *images, int B, int C, int S, int P);

/* out (M, N) = inp (M, K) weight (N, K)^T + bias (N); bias may be NULL.
 * vx_gemm_rows: bitwise one cblas_sgemm, whatever `threads` is. */
void vx_linear_forward (float *out, const float *inp, const float *weight, const float *bias,
                        int M, int K, int N, int threads);

/* x (B, N, D): row 0 = cls, [row 1 = dist], rows T.. = patch_out (B, Np, D); then + pos (N, D) */
void vx_embed_forward (float *x, const float *patch_out, const float *cls, const float *dist,
                       const float *pos, int B, int Np, int T, int D);

/* out, mean, rstd: (M, C), (M), (M); mean/rstd may be NULL (inference) */
void vx_layernorm_forward (float *out, float *mean, float *rstd,
                           const float *inp, const float *weight, const float *bias,
                           int M, int C, float eps, int threads);

/* exact erf GELU, elementwise */
void vx_gelu_forward (float *out, const float *inp, size_t n, int threads);

/* out = a + b, elementwise (out may alias a or b) */
void vx_residual_forward (float *out, const float *a, const float *b, size_t n, int threads);

/* in-place: row = softmax(row * scale), rows of `cols` floats */
void vx_softmax_forward (float *x, float scale, int rows, int cols);

/* gather rows: out (B, D) = x[b, token, :] for x (B, N, D) */
void vx_gather_token (float *out, const float *x, int token, int B, int N, int D);

/* Backward kernels live in vx-backward.h / vx-backward.c (the trainer). */
