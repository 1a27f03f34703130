/* vx-model-private.h: activation buffers, shared by the forward and backward passes */
#pragma once

#include "vx-model.h"

typedef struct {
  float *x_in;       /* (B, N, D) the block's input (keep_all only; else NULL) */
  float *ln1;        /* (B, N, D) */
  float *ln1_mean;   /* (B, N) */
  float *ln1_rstd;   /* (B, N) */
  float *qkv;        /* (B, N, 3D) */
  float *probs;      /* (B, H, N, N) softmax rows */
  float *att;        /* (B, N, D) attention output, heads concatenated, before proj */
  float *res1;       /* (B, N, D) x + proj(att) */
  float *ln2;        /* (B, N, D) */
  float *ln2_mean;   /* (B, N) */
  float *ln2_rstd;   /* (B, N) */
  float *fc1;        /* (B, N, F) before GELU */
  float *gelu;       /* (B, N, F) */
  float *res2;       /* (B, N, D) block output */
} VxBlockActs;

struct _VxActs {
  VxArch arch;
  int max_batch;
  int keep_all;
  float *mem;
  size_t n;
  float *patches;    /* (B, Np, C*P*P) */
  float *patch_out;  /* (B, Np, D) */
  float *x0;         /* (B, N, D) embedded tokens */
  VxBlockActs *blk;  /* depth entries (keep_all) or 1 */
  float *tmp;        /* (B, N, D) projection / fc2 output */
  float *feat;       /* (T, B, D) head tokens gathered from the last block */
  float *lnf;        /* (T, B, D) final norm of the head tokens */
  float *lnf_mean;   /* (T, B) */
  float *lnf_rstd;   /* (T, B) */
  float *logits_t;   /* (T, B, K) logits of each head before averaging */
  /* token pruning of the last forward pass (vx-model.h) */
  int *tokens;       /* (depth) rows per image in each block */
  int *pruned;       /* (depth) 1 if tokens were dropped before the block */
  int *kept;         /* (depth, B, N): for a pruned block l, (B, tokens[l]) rows of the
                        previous block's output that stay (vx_prune_select) */
  int *orig;         /* (2, B, N) original token index of each current row, and scratch */
  float *pad;        /* padded products for hooks without linear_any_rows, or NULL */
  size_t pad_n;      /* floats in pad */
};

/* the block's buffers: block l when keep_all, else the shared set */
static inline VxBlockActs *
vx_acts_block (VxActs *a, int l)
{
  return &a->blk[a->keep_all ? l : 0];
}
