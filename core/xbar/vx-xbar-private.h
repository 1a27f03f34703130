/* vx-xbar-private.h: internals shared by the vx-xbar-*.c files
 *
 * Level units: conductances are expressed as G * L / (G_max - G_min), so a
 * value at level p sits at g_min_l + p, with g_min_l = L / (r - 1). In these
 * units write noise (eq. 3) is gamma * sigma_w * sqrt(p * L) * N(0, 1) and
 * read noise (eq. 2) multiplies the conductance by (1 + sigma_r * N(0, 1)).
 */
#pragma once

#include <math.h>

#include "vx-clones.h"
#include "vx-xbar.h"
#include "vx-rng.h"

/* Hot element loops get AVX2 and AVX-512 copies (8 and 16 floats a vector
 * instead of SSE2's 4), chosen at run time where the CPU has them. No FMA, so
 * every copy rounds identically and results do not depend on the machine's
 * vector width: AVX2 has none, and the file defining the clones turns GCC's
 * fp-contract off (XBAR_NO_CONTRACT), which would otherwise fuse a * b + c in
 * the AVX-512 copy. Not with clang: clang 14 names the clones so that calls
 * from the other files of libvitx (which see only the plain prototypes here)
 * do not link. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) \
    && VX_CLONES_ALLOWED
#define XBAR_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#define XBAR_NO_CONTRACT 1
#else
#define XBAR_CLONES
#endif

/* sqrt(x) for x >= 0, branch-free so loops using it vectorise (sqrtf may set
 * errno, which keeps GCC from vectorising): bit-level guess of 1/sqrt, three
 * Newton steps (relative error < 1e-7); exactly 0 for x = 0. */
static inline float
xbar_sqrtf (float x)
{
  union { float f; int32_t i; } v = { x + 1e-30f };
  float hx = 0.5f * v.f;
  v.i = 0x5f3759df - (v.i >> 1);
  float y = v.f;
  y = y * (1.5f - hx * y * y);
  y = y * (1.5f - hx * y * y);
  y = y * (1.5f - hx * y * y);
  return x * y;
}

/* round to the nearest integer (ties to even) for |x| < 2^22, branch-free */
static inline float
xbar_roundf (float x)
{
  return (x + 12582912.0f) - 12582912.0f;
}

/* Per-config element arithmetic, derived once. */
typedef struct {
  int L;                /* top level, 2^weight_bits - 1 */
  float Lf;
  float g_min_l;        /* G_min in level units */
  float sigma_r;
  float write_k;        /* gamma * sigma_w * sqrt(L) */
  float write_hi;       /* a written level above G_min stays <= this: L (device clamp)
                           or FLT_MAX (none) */
  float write_lo;       /* ... and >= this: 0 (device) or -FLT_MAX (none) */
  float clip_a;         /* ClipFormer stage I in levels: alpha G_min L / dG (0 when off) */
  float clip_top;       /* highest level not above beta G_max (L when off) */
  float renorm;         /* renormalised reading: L / T(L); else 1 */
  float *kv_lut;        /* (L + 1): programmed level of each mapped K/V level
                           (ClipFormer and renormalisation; identity without) */
  float kv_dec;         /* decode factor of programmed K/V levels: 1 (physical),
                           T(L) / L (renormalised) */
  int kv_max_level;     /* largest programmed K/V level */
  int in_levels;        /* 2^(input_bits - 1) - 1: signed inputs */
  int in_levels_u;      /* 2^input_bits - 1: inputs known non-negative (softmax) */
} XbarMap;

/* ClipFormer on a mapped level q (an integer as float): stage I, re-quantisation,
 * the cap at the highest level under beta G_max, then the renormalised re-map;
 * a = XbarMap.clip_a, top = clip_top, rn = renorm. The one definition every
 * path uses (LUT, hot loops, vx_xbar_clipformer_level). max(t, 0) and
 * min(t, top) are written as exact arithmetic (t and top are integers below
 * 2^24): GCC does not vectorise a loop with these selects in a chain. */
static inline float
xbar_kv_program (float q, float a, float top, float rn)
{
  float t = q - a;
  t = xbar_roundf (0.5f * (t + fabsf (t)));          /* (I): max(q - a, 0), re-quantised */
  float d = t - top;
  t -= 0.5f * (d + fabsf (d));                        /* (II): min(t, top) */
  return xbar_roundf (t * rn);
}

void  _vx_xbar_map_init  (XbarMap *mp, const VxXbarConfig *cfg);
void  _vx_xbar_map_clear (XbarMap *mp);

/* Quantise rows x (rows, cols; stride ldx) with one scale s = max |x|:
 * out = round(x / s * Q) * s / Q (float_out) or the integers round(x / s * Q)
 * (when float_out is FALSE). Signed inputs: Q = in_levels, symmetric; inputs
 * known non-negative (nonneg): Q = in_levels_u, unsigned, negatives to 0.
 * Returns s. out has stride cols. */
float _vx_xbar_quantize_inputs (const XbarMap *mp, float *out, const float *x, int rows, int cols,
                                int ldx, gboolean float_out, gboolean nonneg);
/* the largest input integer: in_levels, or in_levels_u for non-negative inputs */
static inline int
xbar_in_levels (const XbarMap *mp, gboolean nonneg)
{
  return nonneg ? mp->in_levels_u : mp->in_levels;
}

/* m (cols) = max over the rows of |x| (rows, cols; stride ldx) for every
 * column, NaN ignored */
void  _vx_xbar_col_abs_max (float *m, const float *x, int rows, int cols, int ldx);

/* Static weights: out (n) = decoded noisy weights of w (n) with scale w_max.
 * z (n): standard normals (may alias out); NULL = no read noise. */
void  _vx_xbar_decode_static (const XbarMap *mp, float *out, const float *w, size_t n,
                              float w_max, const float *z);

/* K/V: programmed signed levels of x (rows, cols; stride ldx), with per-column
 * scale wmax (cols). Levels above L saturate (calibrated scales). */
void  _vx_xbar_kv_levels (const XbarMap *mp, float *lev, const float *x, int rows, int cols,
                          int ldx, const float *wmax);
/* K/V: decoded values from programmed levels: out = value * unit[col]; z1 (write)
 * and z2 (read) normals (rows * cols each) or NULL for no noise of that kind. */
void  _vx_xbar_kv_decode (const XbarMap *mp, float *out, const float *lev, int rows, int cols,
                          const float *unit, const float *z1, const float *z2);

/* ---- noise streams ---- */
#define XBAR_TAG_STATIC "xbar-static-read"
#define XBAR_TAG_KV     "xbar-kv"
#define XBAR_TAG_CELL_STATIC "xbar-cell-static"
#define XBAR_TAG_CELL_KV     "xbar-cell-kv"

/* ---- the simulator ---- */

typedef struct {
  const float *src;     /* the weight it was decoded from */
  int rows, cols;       /* Nout, Kin */
  int parts;            /* row groups with a scale each: 3 for W_QKV (W_Q, W_K, W_V), else 1 */
  float w_max[3];       /* max |w| of each row group */
  float *noisy;         /* (rows, cols) decoded noisy weights (functional) */
  int64_t stamp;        /* noise stamp it was decoded for; G_MININT64 = none */
} XbarStatic;

/* per (image, head, K/V) statistics, reduced in image order after each block */
typedef struct {
  gboolean valid;
  double max_over_mean, kurtosis, chan_ratio;
  guint64 n, clipped, zeroed;
  int max_level;
} XbarGroupStat;

typedef struct {
  double sum_max_over_mean, sum_kurtosis, sum_chan_ratio;
  guint64 groups, values, clipped, zeroed;
  int max_level;
} XbarStatAcc;

typedef struct _XbarCircScratch XbarCircScratch;

typedef struct {
  float *lev;           /* (N, Dh) programmed signed levels */
  float *levT;          /* (Dh, N) transposed levels (circuit K^T) */
  float *z;             /* (2, N, Dh) normals */
  float *dec;           /* (N, Dh) decoded */
  float *in;            /* (N, max(N, Dh)) quantised inputs */
  float *wmax;          /* (Dh) */
  float *unit;          /* (max(N, Dh)) */
  float *tmp;           /* (N * max(N, Dh)) */
  guint64 *hist;        /* vx_xbar_hist_len (bins) when observing */
  int hist_bins;
  XbarCircScratch *circ;
} XbarScratch;

/* What the hooks keep for one lane of a forward pass (a slice of the batch on
 * its thread, VxMatmulSite.lane) between a product and the next: buffers, and
 * the K/V maxima of its images' QKV product, from one pass over it */
typedef struct {
  float *lin_in;        /* quantised inputs of a linear product (grown on demand) */
  size_t lin_in_cap;
  float *lin_w;         /* per-image decoded weights (VX_STATIC_NOISE_PER_IMAGE) */
  size_t lin_w_cap;
  int64_t cur_first_image;
  int cur_block;
  int cur_batch;        /* images in the lane's slice; 0 = none noted */
  int cap_batch;
  float *chan_max;      /* (cap_batch, 2, D) max |.| over tokens of every K/V channel */
  gboolean chan_noted;  /* chan_max, tensor_max, batch_max hold the current block's */
  float *tensor_max;    /* (cap_batch, 2) */
  float batch_max[2];
  XbarGroupStat *slots; /* (cap_batch, H, 2) statistics while observing (lane 0 only) */
} XbarLane;

struct _VxXbarSim {
  const VxModel *model;
  VxArch arch;
  int N, Np, D, H, Dh, F, depth;
  VxXbarConfig cfg;
  XbarMap map;
  VxMatmulHooks hooks;
  guint64 seed;
  int threads;          /* threads of the last forward pass's products (0 = default) */

  /* static arrays: [block * 4 + {qkv, proj, fc1, fc2}], then patch, head, head_dist */
  int n_static;
  XbarStatic *stat;
  GMutex static_lock;   /* binding and decoding static arrays (lanes share them) */

  /* per lane: a slice of the batch running on its own thread (site->lane;
   * only lane 0 when the forward pass does not slice) */
  XbarLane lanes[VX_FORWARD_MAX_LANES];

  float *calib;         /* (depth, H, 2) or NULL */

  /* scratch pool for the concurrent attention hooks */
  GMutex pool_lock;
  GPtrArray *pool;

  /* observation */
  gboolean observing;
  int hist_bins;
  int *level_bin;       /* (L + 1) bin of each level */
  VxXbarHist *hists;    /* (depth * 2) */
  XbarStatAcc *acc;     /* (depth * 2) */
  VxKvStats *stats;     /* (depth * 2) */
  GMutex obs_lock;
};

XbarScratch *_vx_xbar_scratch_take (VxXbarSim *sim);
void         _vx_xbar_scratch_give (VxXbarSim *sim, XbarScratch *sc);

/* the hooks (vx-xbar-sim.c); user = sim */
void _vx_xbar_sim_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
                          const float *weight, const float *bias, int M, int Kin, int Nout);
void _vx_xbar_sim_attn_qk (void *user, const VxMatmulSite *site, float *scores, const float *q,
                           const float *k, int N, int Dh, int ld);
void _vx_xbar_sim_attn_sv (void *user, const VxMatmulSite *site, float *out, int ld_out,
                           const float *s, const float *v, int N, int Dh, int ld);
void _vx_xbar_sim_attn_out (void *user, int block, int64_t first_image, const float *x,
                            int B, int N, int D);
/* turn the observation of K/V statistics on or off; the hooks allow batch
 * slices (concurrent_slices) only while it is off, and never with per-batch
 * K/V scales (a maximum over the whole batch) */
void _vx_xbar_sim_set_observing (VxXbarSim *sim, gboolean on);

/* ---- observation (vx-xbar-observe.c) ---- */
void _vx_xbar_observe_alloc (VxXbarSim *sim, int bins);
void _vx_xbar_observe_free  (VxXbarSim *sim);
/* one K or V matrix (rows, cols; stride ld) of one (image, head) with its
 * per-column scales: fill the group statistics and histogram counts */
void _vx_xbar_observe_group (VxXbarSim *sim, XbarScratch *sc, int block, int kv,
                             XbarGroupStat *slot, const float *x, int rows, int cols, int ld,
                             const float *wmax, const float *z1);
/* reduce the slots of one block in image order */
void _vx_xbar_observe_reduce (VxXbarSim *sim, int block, int B);
void _vx_xbar_hist_init (VxXbarHist *h, int bins, double g_lo, double g_hi);
void _vx_xbar_hist_clear (VxXbarHist *h);
void _vx_xbar_hist_add (VxXbarHist *dst, const VxXbarHist *src);
void _vx_xbar_stats_finish (VxKvStats *out, const XbarStatAcc *acc);

/* ---- circuit mode (vx-xbar-circuit.c) ---- */

/* out (M, Nout) (row stride ld_out) = x (M, Kin) (row stride ldx), quantised per
 * image of rows_per_image rows (unsigned when nonneg: inputs known to be
 * non-negative, bit-serial without a sign cycle), times the stored matrix of signed levels
 * lev (Kin, Nout), each column scaled by col_unit[c] (or unit when col_unit is
 * NULL). Cells: `bits` of each level sliced into bits_per_cell cells on a G+/G-
 * pair, tiles of X rows, bit-serial inputs, per-column ADC. Noise: read noise
 * per cell; write noise too when `written`; streams from key and the cell. */
void _vx_xbar_circuit_matmul (const VxXbarSim *sim, XbarScratch *sc, float *out, int ld_out,
                              const float *x, int ldx, int M, int rows_per_image, gboolean nonneg,
                              const float *lev, int Kin, int Nout, int bits,
                              const float *col_unit, float unit, gboolean written, guint64 key);
void _vx_xbar_circ_scratch_free (XbarCircScratch *c);

/* ---- shared by vx-xbar-sim.c and vx-xbar-sim-kv.c ---- */
static inline gboolean
_vx_xbar_is_analog (const VxXbarSim *sim, VxMatmulKind kind)
{
  return (sim->cfg.analog & VX_XBAR_ANALOG (kind)) != 0;
}
