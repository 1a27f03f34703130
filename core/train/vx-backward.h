/* vx-backward.h: backward kernels of the ViT (the trainer's half of vx-kernels.h)
 *
 * llm.c style: gradients (outputs) first, then the forward's inputs and saved
 * activations, then sizes. Every kernel ACCUMULATES (+=) into its gradient
 * outputs, so callers zero them first; a NULL gradient output is skipped.
 * Size letters: see vx-model.h. Kernels that take `threads` split their work
 * over independent rows or (image, head) pairs with OpenMP, and every reduction
 * runs in an order fixed by the sizes alone, so results are bitwise identical
 * for any thread count (threads <= 0: vx_get_num_threads()).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "vx-gemm.h"   /* vx_gemm_blocked, vx_linear_forward_blocked */

/* Linear layer out (M, N) = inp (M, K) weight (N, K)^T + bias (N):
 *   dinp (M, K) += dout weight; dweight (N, K) += dout^T inp; dbias (N) += column sums of dout.
 * GEMMs through vx_gemm_blocked; dinp, dweight or dbias may be NULL. */
void vx_linear_backward (float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp, const float *weight,
                         int M, int K, int N, int threads);

/* Patch embedding out (B*Np, D) = patches (B*Np, C*P*P) W^T + b: only the
 * parameter gradients (the images need none). dweight (D, C*P*P), dbias (D). */
void vx_patch_embed_backward (float *dweight, float *dbias,
                              const float *dout, const float *patches,
                              int M, int CPP, int D, int threads);

/* LayerNorm over rows of C: with xhat = (inp - mean) rstd,
 *   dbias += sum_rows dout, dweight += sum_rows dout xhat,
 *   dinp += rstd (g - mean(g) - xhat mean(g xhat)) where g = dout weight.
 * mean, rstd (M) are the forward's saved statistics. */
void vx_layernorm_backward (float *dinp, float *dweight, float *dbias,
                            const float *dout, const float *inp, const float *weight,
                            const float *mean, const float *rstd, int M, int C, int threads);

/* exact-erf GELU y = x Phi(x): dinp += dout (Phi(x) + x phi(x)), elementwise over n.
 * out is the forward's output y (or NULL): where |x| is not tiny, Phi(x) = y / x
 * saves an erf per element. */
void vx_gelu_backward (float *dinp, const float *inp, const float *out, const float *dout,
                       size_t n, int threads);

/* out = a + b: da += dout, db += dout (either may be NULL) */
void vx_residual_backward (float *da, float *db, const float *dout, size_t n);

/* rows of y = softmax(x * scale): dinp += scale y (dout - sum(dout y)), rows of `cols` */
void vx_softmax_backward (float *dinp, const float *dout, const float *probs, float scale,
                          int rows, int cols);

/* Multi-head self-attention, all heads: with q, k, v the thirds of qkv (B, N, 3D),
 * head h using columns h*Dh.., probs (B, H, N, N) = softmax(q k^T / sqrt(Dh)) and
 * att (B, N, D) = probs v (heads concatenated):
 *   dqkv (B, N, 3D) += the gradient of att with respect to qkv, given datt (B, N, D).
 * Parallel over (image, head): each pair writes only its own slice of dqkv. */
void vx_attention_backward (float *dqkv, const float *datt, const float *qkv, const float *probs,
                            int B, int N, int D, int H, int threads);

/* Token embedding x (B, N, D) = [cls, (dist,) patch_out] + pos:
 *   dpatch_out (B, Np, D) += dx rows T..; dcls, ddist (D) += sums over images of
 *   rows 0 and 1; dpos (N, D) += sum over images. ddist is ignored when T = 1. */
void vx_embed_backward (float *dpatch_out, float *dcls, float *ddist, float *dpos,
                        const float *dx, int B, int Np, int T, int D);

/* gather of token `token`: dx[b, token, :] += dout[b, :]  (dx (B, N, D), dout (B, D)) */
void vx_gather_token_backward (float *dx, const float *dout, int token, int B, int N, int D);

/* Token pruning's gather out (B, Nk, D) = x[b, kept[b, i], :] (vx_tokens_gather),
 * with the selection kept (B, Nk) a constant: dx (B, N, D)[b, kept[b, i], :] +=
 * dout[b, i, :]; rows of dropped tokens get nothing. */
void vx_tokens_gather_backward (float *dx, const float *dout, const int *kept,
                                int B, int N, int Nk, int D);

/* Cross-entropy with label smoothing eps, PyTorch's definition:
 *   loss_b = (1 - eps) (-log p[label_b]) + eps mean_k (-log p_k), p = softmax(logits_b).
 * Returns the mean over the B images and, if losses is not NULL, writes each
 * image's loss (B). logits (B, K), labels (B) in 0..K-1. */
double vx_crossentropy_forward (float *losses, const float *logits, const int32_t *labels,
                                int B, int K, float eps);

/* dlogits (B, K) += dloss (p - (1 - eps) onehot(label) - eps / K): the gradient of
 * dloss * sum_b loss_b; pass dloss = 1/B for the gradient of the mean. */
void vx_crossentropy_backward (float *dlogits, const float *logits, const int32_t *labels,
                               float dloss, int B, int K, float eps);
