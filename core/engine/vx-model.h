/* vx-model.h: the Vision Transformer (DeiT / timm VisionTransformer layout)
 *
 * Size letters used in shape comments throughout libvitx:
 *   B  images in a batch            C  input channels      S  image side (H = W = S)
 *   P  patch side                   Np patches = (S/P)^2   T  extra tokens (1 cls, +1 dist)
 *   N  tokens = Np + T              D  embedding dim       H  heads, Dh = D / H
 *   F  MLP hidden dim               K  classes             L  blocks (depth)
 *
 * All parameters live in one float allocation (VxParams.mem) pointed into by
 * the struct; gradients and optimiser state use the same layout, so a model's
 * parameter count is VxParams.n and zeroing a gradient is one memset.
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stddef.h>

G_BEGIN_DECLS

typedef struct {
  int img_size;      /* S */
  int patch_size;    /* P */
  int in_chans;      /* C */
  int num_classes;   /* K */
  int embed_dim;     /* D */
  int depth;         /* L */
  int num_heads;     /* H */
  int mlp_hidden;    /* F */
  int distilled;     /* 1: DeiT distilled (dist_token + head_dist), 0: plain */
  float ln_eps;      /* 1e-6 for timm ViT/DeiT */
} VxArch;

/* derived sizes */
int     vx_arch_num_patches (const VxArch *a);   /* Np */
int     vx_arch_num_tokens  (const VxArch *a);   /* N = Np + 1 (+1 if distilled) */
int     vx_arch_head_dim    (const VxArch *a);   /* Dh */
/* TRUE if every size is positive and consistent (S % P == 0, D % H == 0, ...);
 * otherwise sets error (VX_ERROR_INVALID_ARG / VX_ERROR_SHAPE) naming the field. */
gboolean vx_arch_validate   (const VxArch *a, GError **error);
/* multiply-accumulates of one image's forward pass x 2 */
double  vx_arch_flops_per_image (const VxArch *a);

typedef struct {
  float *norm1_w, *norm1_b;   /* (D) (D) */
  float *qkv_w, *qkv_b;       /* (3D, D) (3D): rows [0,D) q, [D,2D) k, [2D,3D) v; head h = rows h*Dh.. */
  float *proj_w, *proj_b;     /* (D, D) (D) */
  float *norm2_w, *norm2_b;   /* (D) (D) */
  float *fc1_w, *fc1_b;       /* (F, D) (F) */
  float *fc2_w, *fc2_b;       /* (D, F) (D) */
} VxBlockParams;

typedef struct {
  float *mem;                 /* the one allocation (not owned when bound to foreign memory) */
  size_t n;                   /* floats in mem */
  float *patch_w, *patch_b;   /* (D, C, P, P) (D) */
  float *cls_token;           /* (D) */
  float *dist_token;          /* (D) or NULL */
  float *pos_embed;           /* (N, D) */
  VxBlockParams *blocks;      /* L of them */
  float *norm_w, *norm_b;     /* (D) (D) */
  float *head_w, *head_b;     /* (K, D) (K) */
  float *head_dist_w, *head_dist_b; /* (K, D) (K) or NULL */
} VxParams;

/* One entry per tensor, in timm naming; offsets index VxParams.mem. */
typedef struct {
  char name[64];
  int ndim;
  int64_t shape[4];
  size_t offset;
  size_t numel;
  gboolean decay;             /* AdamW weight decay applies (matrices only) */
} VxParamInfo;

/* The parameter table of an architecture (timm order); free with g_free. */
VxParamInfo *vx_params_table (const VxArch *a, int *n_out);
size_t       vx_params_count (const VxArch *a);
/* Point p's fields into mem (which holds vx_params_count() floats).
 * p->blocks is allocated here; release with vx_params_unbind. */
void         vx_params_bind   (VxParams *p, const VxArch *a, float *mem);
void         vx_params_unbind (VxParams *p);

typedef struct {
  VxArch arch;
  VxParams params;
  float mean[3], std[3];      /* input normalisation, per channel */
  char **class_names;         /* K strings (NULL-terminated strv), never NULL */
  GHashTable *metadata;       /* char* -> char*: everything from __metadata__ */
  char *path;                 /* file it came from, or NULL */
} VxModel;

/* A zero-initialised model of this architecture, with default normalisation
 * (mean 0.5, std 0.5) and class names "0".."K-1". */
VxModel *vx_model_new   (const VxArch *a, GError **error);
void     vx_model_free  (VxModel *m);
VxModel *vx_model_copy  (const VxModel *m);
/* timm-style initialisation: trunc-normal(0.02) weights, zero biases, unit norms */
void     vx_model_init_random (VxModel *m, uint64_t seed);
/* metadata helpers */
const char *vx_model_get_meta (const VxModel *m, const char *key);
void        vx_model_set_meta (VxModel *m, const char *key, const char *value);
/* FALSE and VX_ERROR_VALUE naming the tensor if any weight is NaN or Inf */
gboolean    vx_model_check_finite (const VxModel *m, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxModel, vx_model_free)

/* ---------------------------------------------------------------------------
 * Matrix-product hooks: the crossbar model replaces products here.
 *
 * Every matrix product of the forward pass goes through VxMatmulHooks when a
 * hook is set, and through cblas_sgemm otherwise.
 */
typedef enum {
  VX_MM_PATCH,   /* patch embedding  out(B*Np, D)  = patches(B*Np, C*P*P) W^T + b */
  VX_MM_QKV,     /* out(B*N, 3D) = x(B*N, D) W^T + b */
  VX_MM_PROJ,    /* out(B*N, D)  = x(B*N, D) W^T + b */
  VX_MM_FC1,     /* out(B*N, F)  = x(B*N, D) W^T + b */
  VX_MM_FC2,     /* out(B*N, D)  = x(B*N, F) W^T + b */
  VX_MM_HEAD,    /* out(B, K)    = x(B, D) W^T + b (also head_dist) */
  VX_MM_QK,      /* scores(N, N) = q(N, Dh) k(N, Dh)^T  (the stored operand is K^T) */
  VX_MM_SV,      /* out(N, Dh)   = s(N, N) v(N, Dh)     (the stored operand is V)   */
  VX_MM_N_KINDS
} VxMatmulKind;

const char *vx_matmul_kind_to_string (VxMatmulKind k);

typedef struct {
  VxMatmulKind kind;
  int block;          /* 0..L-1, or -1 for patch and head */
  int head;           /* 0..H-1 for QK and SV, -1 otherwise */
  int64_t image;      /* QK/SV: global index of the image (for per-image noise);
                         static kinds: global index of the batch's first image */
  int64_t batch;      /* index of the batch in this evaluation (for per-batch noise) */
  int which;          /* HEAD: 0 = head, 1 = head_dist; 0 otherwise */
  int tokens;         /* rows per image of this product (N of the block: fewer than N
                         after token pruning; Np for PATCH, 1 for HEAD); 0 in sites
                         built by code that predates pruning */
  int threads;        /* threads the hook may use for this product (its own OpenMP
                         loops, vx_linear_forward): the forward pass's resolved
                         count for static kinds, 1 for QK and SV (already called
                         from several threads at once); 0 = vx_get_num_threads() */
  int lane;           /* when the batch is cut into slices run side by side (see
                         concurrent_slices): the slice's thread, 0 .. lanes - 1;
                         0 otherwise */
  int lanes;          /* slices running side by side; 0 or 1 when not sliced */
} VxMatmulSite;

/* most slices a batch is cut into (vx_forward_slices) */
#define VX_FORWARD_MAX_LANES 64

typedef struct {
  /* Static weight product: out(M, Nout) = in(M, Kin) W(Nout, Kin)^T + bias.
   * bias may be NULL. Called from one thread at a time. */
  void (*linear) (void *user, const VxMatmulSite *site,
                  float *out, const float *in, const float *weight, const float *bias,
                  int M, int Kin, int Nout);
  /* scores(N, N) = q k^T, q and k rows of Dh floats with row stride ld.
   * Called concurrently from several threads (one per image and head). */
  void (*attn_qk) (void *user, const VxMatmulSite *site,
                   float *scores, const float *q, const float *k, int N, int Dh, int ld);
  /* out(N, Dh) (row stride ld_out) = s(N, N) v(N, Dh) (row stride ld).
   * Called concurrently from several threads (one per image and head). */
  void (*attn_sv) (void *user, const VxMatmulSite *site,
                   float *out, int ld_out, const float *s, const float *v, int N, int Dh, int ld);
  /* Observers (may be NULL), called from one thread after each block's
   * attention: probs(B, H, N, N) softmax rows; attn_out(B, N, D) heads
   * concatenated, before the projection (X_b of docs/MODEL.md eq. 4). */
  void (*attn_probs) (void *user, int block, int64_t first_image,
                      const float *probs, int B, int H, int N);
  void (*attn_out)   (void *user, int block, int64_t first_image,
                      const float *x, int B, int N, int D);
  /* Called with the block's input (B, N, D) before it runs; a hook may
   * replace it in place (used by "local" SNR and by token pruning studies). */
  void (*block_in)   (void *user, int block, int64_t first_image,
                      float *x, int B, int N, int D);
  void *user;
  /* Token pruning (see below). Observer (may be NULL), called from one thread
   * when tokens are dropped before `block`: kept (B, N) is the original token
   * index (0 .. vx_arch_num_tokens - 1) of every remaining row, in row order;
   * that block and the later ones run with N rows per image. */
  void (*tokens_kept) (void *user, int block, int64_t first_image, const int *kept, int B, int N);
  /* TRUE if `linear` accepts products of pruned blocks as they are, with
   * site->tokens (< N) rows per image. FALSE (hooks written for N rows per
   * image): the engine pads every image of such a product back to N rows by
   * repeating its class-token row and drops the extra output rows, so per-image
   * maxima and row counts are what such a hook expects. */
  gboolean linear_any_rows;
  /* TRUE if every hook above may run on several threads at once for disjoint
   * slices of a batch's images (vx_forward_slices): each slice calls the hooks
   * with its own images only (B = the slice's images, first_image its first)
   * and site->lane names its thread, so a hook keeps per-lane state apart.
   * FALSE: the whole batch runs through the hooks together. */
  gboolean concurrent_slices;
} VxMatmulHooks;

/* ---------------------------------------------------------------------------
 * Forward pass
 */

typedef struct _VxActs VxActs;   /* activation buffers, opaque (vx-model-private.h) */

/* Buffers for batches of up to max_batch images. With keep_all (training)
 * every block's activations are kept for the backward pass. */
VxActs *vx_acts_new  (const VxArch *a, int max_batch, gboolean keep_all);
void    vx_acts_free (VxActs *acts);

typedef struct {
  const VxMatmulHooks *hooks;  /* NULL: ideal float engine */
  int64_t first_image;         /* global index of images[0] */
  int64_t batch_index;
  int threads;                 /* OpenMP threads of this pass (products, attention,
                                  elementwise loops); 0 = vx_get_num_threads().
                                  Results are bitwise the same for every count. */
  /* token pruning keep ratio: 0 = the model's own (metadata vitx.prune_keep;
   * no pruning without it), in (0, 1) = prune with it, >= 1 = no pruning */
  double prune_keep;
} VxForwardOpts;

/* How a forward pass of B images on `threads` threads is spread: the number of
 * slices of the batch that run side by side, each on one thread through the
 * whole stack of blocks (1: the batch runs as one, and each operation spreads
 * over the threads). Slicing is chosen when
 *  - there are at least two threads, the buffers are not kept for training
 *    (keep_all), no token is pruned, and the hooks (if any) allow it
 *    (concurrent_slices), and
 *  - the batch holds at least two slices of q images, where q is the smallest
 *    count whose rows (q N) are a multiple of VX_GEMM_ROW_ALIGN: every slice
 *    then starts on a row block boundary, so its products equal the unsliced
 *    ones bit for bit (vx-gemm.h). q is 24 images for N = 50 tokens and 48 for
 *    N = 197 (DeiT): a DeiT batch of 32, and batch 1, run one operation at a
 *    time on all threads, where the products are large enough to share.
 * The patch embedding and the heads run on the whole batch. At most `threads`
 * (and VX_FORWARD_MAX_LANES) slices; bounds (slices + 1), if not NULL, gets
 * each slice's first image and B. keep_all: the buffers are kept (training). */
int  vx_forward_slices (const VxArch *a, int B, int threads, const VxMatmulHooks *hooks,
                        gboolean keep_all, double prune_keep, int *bounds);

/* images (B, C, S, S) already normalised -> logits (B, K).
 * Distilled models return (head + head_dist) / 2, as timm does at eval.
 * Threads: see vx_forward_slices; the logits are the same for every count.
 * Token pruning (opts->prune_keep, else the model's vitx.prune_keep) runs the
 * blocks after each pruning point with fewer rows per image; every hook gets
 * those rows (see linear_any_rows for the linear products). */
void vx_model_forward (const VxModel *m, VxActs *acts, const float *images, int B,
                       float *logits, const VxForwardOpts *opts);

/* ---------------------------------------------------------------------------
 * Token pruning: the "Sparse" variant, ranked by class-token attention
 *
 * Before each of the (up to three) blocks vx_prune_blocks() names, the patch
 * tokens present are cut to the k = ceil(keep * n) of the n with the largest
 * attention from the class token in the preceding block (the class token's
 * softmax row, averaged over the heads; ties go to the lower index). The class
 * (and distillation) tokens always stay; kept tokens keep their order. keep is
 * applied at every stage, so the last blocks see about keep^3 of the patches.
 * This is top-k by CLS attention in the style of EViT (without its fused
 * token), not DynamicViT's learned predictor. In training the selection is a
 * constant: gradients flow through the kept tokens only.
 */
#define VX_META_PRUNE_KEEP "vitx.prune_keep"
#define VX_PRUNE_MAX_STAGES 3

/* The blocks pruned before, for depth L: round(i L / 4) for i = 1, 2, 3 (halves
 * up), keeping those in 1..L-1 and dropping repeats (L = 12: 3, 6, 9; L = 6:
 * 2, 3, 5). Writes them to blocks (VX_PRUNE_MAX_STAGES) in increasing order and
 * returns how many there are. */
int     vx_prune_blocks (int depth, int *blocks);
/* patch tokens kept of n: ceil(keep n) clamped to 1..n (n when keep >= 1 or <= 0) */
int     vx_prune_keep_count (int n, double keep);
/* tokens (depth): rows per image in each block for this keep ratio */
void    vx_prune_schedule (const VxArch *a, double keep, int *tokens);
/* multiply-accumulates x 2 of one image's pruned forward pass (as vx_arch_flops_per_image) */
double  vx_prune_flops_per_image (const VxArch *a, double keep);
/* the model's keep ratio from metadata vitx.prune_keep: a number in (0, 1), else 1 (none) */
double  vx_model_prune_keep (const VxModel *m);
/* keep ratio given as text (a command-line value): a number in (0, 1] */
gboolean vx_prune_keep_parse (const char *text, double *keep, GError **error);
/* The selection: kept (B, T + k) row indices (ascending) of the tokens that stay,
 * the T class/distillation rows first, from probs (B, H, N, N) of the preceding
 * block's attention (rows = queries). */
void    vx_prune_select (int *kept, const float *probs, int B, int H, int N, int T, int k);
/* out (B, Nk, D) = x[b, kept[b, i], :] for x (B, N, D), kept (B, Nk) */
void    vx_tokens_gather (float *out, const float *x, const int *kept, int B, int N, int Nk, int D);

/* The library's default thread count: what a `threads` argument of 0 (or an
 * options struct's threads = 0) means. vx_set_num_threads (0) = all cores,
 * which is also the default before any call. It changes no OpenBLAS or OpenMP
 * setting: OpenBLAS always runs on one thread inside libvitx (vx-gemm.h), and
 * every parallel loop names its thread count. Results never depend on it. */
void vx_set_num_threads (int threads);
int  vx_get_num_threads (void);

G_END_DECLS
