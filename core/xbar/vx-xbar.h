/* vx-xbar.h: the ViT-X crossbar model (docs/MODEL.md sections 1-6, 10)
 *
 * A VxXbarConfig holds every device, precision, ClipFormer and policy
 * parameter; a VxXbarSim binds one to a model and supplies the
 * VxMatmulHooks that replace the forward pass's matrix products with
 * programmed, noisy, decoded crossbars. vx_xbar_eval_run (vx-xbar-eval.c)
 * drives whole evaluations: repeats, accuracy, SNR, histograms, K/V statistics.
 *
 * Units: conductances in microsiemens, energies in pJ, areas in mm^2.
 * Levels: a value maps to an integer level 0..L, L = 2^weight_bits - 1, on the
 * active array of its differential pair (G+ for w >= 0, G- for w < 0); the
 * other array sits at level 0 = G_min.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

#include "vx-model.h"
#include "vx-dataset.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------------
 * Configuration (vx-xbar-config.c)
 */

typedef enum {
  VX_XBAR_FUNCTIONAL,   /* per-element conductances, float GEMM on the decoded matrix (fast) */
  VX_XBAR_CIRCUIT,      /* bit-sliced cells, bit-serial inputs, tiles, per-column ADC (slow) */
} VxXbarMode;

/* How w_max of the dynamic K and V arrays is chosen (docs/MODEL.md sections 2, 10). */
typedef enum {
  VX_KV_SCALE_PER_HEAD,     /* max |.| of each head's matrix, per image (default) */
  VX_KV_SCALE_PER_TENSOR,   /* max |.| over all heads of the block's K (or V), per image */
  VX_KV_SCALE_PER_BATCH,    /* max |.| over the block's K (or V) of the whole batch
                               (results then depend on the batch size) */
  VX_KV_SCALE_CALIBRATED,   /* fixed per block and head from a calibration pass;
                               larger values saturate at the top level */
  VX_KV_SCALE_PER_CHANNEL,  /* each row of K^T and each column of V its own max, per
                               image and head; K's scale pre-multiplies the query
                               inputs, V's is a digital gain after the ADC */
  VX_KV_SCALE_N
} VxKvScale;

/* How ClipFormer's transformed K/V conductances are read back (docs/MODEL.md section 4). */
typedef enum {
  VX_CLIP_DECODE_PHYSICAL,      /* docs/MODEL.md section 4: decode with the original w_max; the
                                   clipped arrays need fewer bits (3 slices at beta 0.25) */
  VX_CLIP_DECODE_RENORMALISED,  /* interpretation: the transformed matrix is re-mapped onto
                                   the full conductance range before noise (full slices) */
  VX_CLIP_DECODE_N
} VxClipDecode;

/* When the read noise of the static (weight) arrays is drawn (docs/MODEL.md section 3). */
typedef enum {
  VX_STATIC_NOISE_PER_BATCH,   /* fresh for every batch (default) */
  VX_STATIC_NOISE_PER_IMAGE,   /* fresh for every image (slow: one GEMM per image) */
  VX_STATIC_NOISE_ONCE,        /* drawn once per run (per seed) */
  VX_STATIC_NOISE_N
} VxStaticNoise;

/* Where a conductance written at inference (K and V, eq. 3) may end up
 * (docs/MODEL.md section 3). */
typedef enum {
  VX_WRITE_CLAMP_NONE,      /* anywhere: eq. 3 as written, below G_min (negative even) or
                               above G_max */
  VX_WRITE_CLAMP_DEVICE,    /* [G_min, G_max], the range the device holds (default) */
  VX_WRITE_CLAMP_N
} VxWriteClamp;

/* bit of a VxMatmulKind in VxXbarConfig.analog */
#define VX_XBAR_ANALOG(kind) (1u << (kind))
/* W_QKV, projection, MLP, K (QK^T) and V (SV) analog; patch embedding and head digital */
#define VX_XBAR_ANALOG_DEFAULT                                                   \
  (VX_XBAR_ANALOG (VX_MM_QKV) | VX_XBAR_ANALOG (VX_MM_PROJ) | VX_XBAR_ANALOG (VX_MM_FC1) \
   | VX_XBAR_ANALOG (VX_MM_FC2) | VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_SV))

typedef struct {
  char preset[32];          /* the preset this started from ("rram-paper", "sram-imc") */
  /* device (paper Table I) */
  double g_min;             /* uS */
  double g_max;             /* uS; ON/OFF ratio r = g_max / g_min */
  double sigma_r;           /* read-noise standard deviation (eq. 2) */
  double sigma_w;           /* write-noise standard deviation (eq. 3) */
  double gamma;             /* write-noise factor (eq. 3) */
  VxWriteClamp write_clamp; /* range of a written conductance (device) */
  /* precision and geometry */
  int weight_bits;          /* conductance levels 2^bits - 1 per array (8) */
  int input_bits;           /* inputs, per-image dynamic scale: symmetric, unsigned for the
                               softmax (8) */
  int bits_per_cell;        /* bit slicing (circuit mode, estimator) (2) */
  int adc_bits;             /* circuit mode ADC resolution (6) */
  int xbar_size;            /* X: crossbars are X x X (64) */
  gboolean differential;    /* estimator: a G+/G- pair per value (RRAM); FALSE = signed
                               bit columns without a pair (SRAM). The simulator always
                               models the pair: for noise-free arrays both are exact. */
  /* hardware costs (estimator) */
  double e_read_pj;         /* one read of one crossbar incl. peripherals (25) */
  double e_write_pj;        /* one write of one crossbar incl. peripherals (118) */
  double area_mm2;          /* one crossbar incl. ADCs, accumulators, write drivers (0.03) */
  double e_mult_pj;         /* one digital multiply (per-channel K/V scaling) */
  /* ClipFormer (docs/MODEL.md section 4) */
  gboolean clipformer;
  double alpha;             /* >= 1 */
  double beta;              /* (0, 1] */
  VxClipDecode decode;
  /* policies */
  VxKvScale kv_scale;
  VxStaticNoise static_noise;
  guint analog;             /* VX_XBAR_ANALOG(kind) bits */
  VxXbarMode mode;
  guint64 seed;             /* base seed of every noise stream */
} VxXbarConfig;

typedef enum {
  VX_XBAR_PRESET_RRAM_PAPER,   /* "RRAM (paper)": Table I */
  VX_XBAR_PRESET_SRAM_IMC,     /* "SRAM digital IMC": 1 bit/cell, noise-free (Fig. 1a) */
  VX_XBAR_PRESET_N
} VxXbarPreset;

/* A sentence when cfg's costs (E_R, E_W, A_xbar) are the SRAM preset's, which
 * are fitted to the paper's Fig. 1a ratios rather than published component
 * values; NULL otherwise. Front ends print it beside any cost. */
const char  *vx_xbar_config_costs_note (const VxXbarConfig *cfg);
/* the RRAM (paper) preset */
void         vx_xbar_config_init        (VxXbarConfig *cfg);
void         vx_xbar_config_init_preset (VxXbarConfig *cfg, VxXbarPreset preset);
/* by name ("rram-paper", "sram-imc"; also the display names) */
gboolean     vx_xbar_config_init_named  (VxXbarConfig *cfg, const char *name, GError **error);
const char  *vx_xbar_preset_name        (VxXbarPreset preset);   /* "rram-paper" */
const char  *vx_xbar_preset_label       (VxXbarPreset preset);   /* "RRAM (paper)" */
/* G_max = ratio * G_min (the paper's Fig. 9 keeps G_min fixed) */
void         vx_xbar_config_set_onoff   (VxXbarConfig *cfg, double ratio);
double       vx_xbar_config_onoff       (const VxXbarConfig *cfg);
/* FALSE with VX_ERROR_INVALID_ARG naming the parameter and the allowed range */
gboolean     vx_xbar_config_validate    (const VxXbarConfig *cfg, GError **error);
/* one-line human summary, newly allocated */
char        *vx_xbar_config_to_string   (const VxXbarConfig *cfg);
/* JSON object with every parameter (enums as strings, analog as a list of kind names) */
JsonNode    *vx_xbar_config_to_json     (const VxXbarConfig *cfg);
char        *vx_xbar_config_to_json_string (const VxXbarConfig *cfg, gboolean pretty);
/* Starts from the preset named by "preset" (default rram-paper), then applies
 * every other key; unknown keys and wrong types are errors ("on_off", written
 * by to_json for readers, is ignored). The result is validated. */
gboolean     vx_xbar_config_from_json   (VxXbarConfig *cfg, JsonNode *node, GError **error);
gboolean     vx_xbar_config_from_json_string (VxXbarConfig *cfg, const char *json, GError **error);

const char  *vx_kv_scale_to_string      (VxKvScale s);       /* "per-head", ... */
gboolean     vx_kv_scale_from_string    (const char *s, VxKvScale *out);
const char  *vx_clip_decode_to_string   (VxClipDecode d);    /* "physical", "renormalised" */
gboolean     vx_clip_decode_from_string (const char *s, VxClipDecode *out);
/* one sentence for the UI */
const char  *vx_clip_decode_describe    (VxClipDecode d);
const char  *vx_static_noise_to_string  (VxStaticNoise n);   /* "per-batch", ... */
gboolean     vx_static_noise_from_string (const char *s, VxStaticNoise *out);
const char  *vx_xbar_mode_to_string     (VxXbarMode m);      /* "functional", "circuit" */
const char  *vx_write_clamp_to_string   (VxWriteClamp c);    /* "none", "device" */
gboolean     vx_xbar_mode_from_string   (const char *s, VxXbarMode *out);
/* "qkv,proj,fc1,fc2,qk,sv" <-> mask; parse fails naming the bad kind */
char        *vx_xbar_analog_to_string   (guint analog);
gboolean     vx_xbar_analog_from_string (const char *s, guint *out, GError **error);

/* ---------------------------------------------------------------------------
 * Mapping, ClipFormer, noise, decode (vx-xbar-map.c)
 */

/* largest conductance level 2^weight_bits - 1 */
int      vx_xbar_levels         (const VxXbarConfig *cfg);
/* ClipFormer on one level (before noise): stage I, stage II, re-quantisation
 * to the nearest level, never above beta*G_max. Returns the programmed level
 * for the physical reading (without ClipFormer: the level itself). */
int      vx_xbar_clipformer_level (const VxXbarConfig *cfg, int level);
/* the largest level a K/V array can hold after ClipFormer (L without it) */
int      vx_xbar_kv_max_level   (const VxXbarConfig *cfg);
/* bits needed to hold level 0..max_level */
int      vx_xbar_bits_for_level (int max_level);
/* bits of the K/V arrays: physical ClipFormer reading uses the clipped range,
 * renormalised and no ClipFormer use weight_bits */
int      vx_xbar_kv_bits        (const VxXbarConfig *cfg);
/* value thresholds of ClipFormer for a scale w_max: values with |w| <= zeroed are
 * within alpha*G_min of the floor (stage I makes them 0); values with
 * |w| > clipped end above beta*G_max after stage I (stage II clips them) */
void     vx_xbar_clip_thresholds (const VxXbarConfig *cfg, double w_max,
                                  double *zeroed, double *clipped);

/* Program n values onto differential pairs with one scale w_max, then read
 * them back (functional mode, eq. 2, 3, 5, 6): out (n) = decoded values.
 * dynamic: the array is written at inference (K/V: ClipFormer if enabled,
 * write noise, then read noise); otherwise a static array (read noise only).
 * w_max <= 0: max |in|. key: the noise stream (vx_rng_key). */
void     vx_xbar_program_decode (const VxXbarConfig *cfg, float *out, const float *in, size_t n,
                                 double w_max, gboolean dynamic, guint64 key);

/* ---------------------------------------------------------------------------
 * Observations (vx-xbar-observe.c)
 */

#define VX_XBAR_HIST_BINS_DEFAULT 128
/* SNR of identical outputs (+inf) and anything above it is reported as this, flagged */
#define VX_XBAR_SNR_CAP_DB 200.0

/* Conductance histogram of one block's K or V arrays. */
#define VX_XBAR_HIST_STAGES 3
typedef struct {
  int bins;                 /* over [g_lo, g_hi] = [G_min, G_max], equal widths */
  double g_lo, g_hi;
  guint64 *counts;          /* (3 stages, 2 arrays, bins): stage 0 = as mapped (before
                               ClipFormer), 1 = as programmed (after ClipFormer; the
                               re-mapped levels for the renormalised reading),
                               2 = as written (the programmed conductance plus write
                               noise, eq. 3, before read noise; functional mode only,
                               cells[2] are 0 in circuit mode); a written conductance
                               outside [G_min, G_max] is counted in below / above, not
                               in a bin; array 0 = G+, 1 = G- */
  guint64 cells[VX_XBAR_HIST_STAGES][2];    /* [stage][array] cells counted */
  guint64 at_gmin[VX_XBAR_HIST_STAGES][2];  /* [stage][array] cells at G_min (level 0) */
  int max_level[VX_XBAR_HIST_STAGES];       /* [stage] largest level seen, -1 if none
                                               (always -1 for stage 2) */
  guint64 below[2], above[2];               /* [array] stage 2 cells under G_min, over G_max */
} VxXbarHist;

/* number of counts of a histogram of `bins` bins */
static inline size_t
vx_xbar_hist_len (int bins)
{
  return (size_t) VX_XBAR_HIST_STAGES * 2 * (size_t) bins;
}

static inline guint64 *
vx_xbar_hist_row (const VxXbarHist *h, int stage, int array)
{
  return h->counts + ((size_t) stage * 2 + array) * h->bins;
}
/* whether the written stage (2) was gathered */
static inline gboolean
vx_xbar_hist_has_written (const VxXbarHist *h)
{
  return h->cells[2][0] + h->cells[2][1] > 0;
}
/* fraction of all cells (both arrays) at G_min in a stage */
double   vx_xbar_hist_frac_at_gmin (const VxXbarHist *h, int stage);
/* bits needed by the largest level of a stage */
int      vx_xbar_hist_bits_needed (const VxXbarHist *h, int stage);

/* K/V statistics of one block (docs/MODEL.md section 10). Group = one head of one image. */
typedef struct {
  guint64 groups;           /* (image, head) matrices seen */
  guint64 values;
  double max_over_mean;     /* mean over groups of max |x| / mean |x| */
  double excess_kurtosis;   /* mean over groups of the excess kurtosis of the values */
  double channel_max_ratio; /* mean over groups of (largest channel max / median channel max) */
  double share_clipped;     /* share of values stage II clips (above ~beta*w_max, with the
                               policy's w_max and the configured alpha, beta) */
  double share_zeroed;      /* share within alpha*G_min of the floor (stage I zeroes them) */
  int max_level;            /* largest programmed level (after ClipFormer) */
  int bits_used;            /* bits needed by max_level */
} VxKvStats;

/* statistics of one matrix x (rows tokens x cols channels, row stride ld) as one
 * group with scale w_max (<= 0: max |x|), thresholds from cfg's alpha and beta */
void     vx_xbar_kv_stats_compute (const VxXbarConfig *cfg, VxKvStats *out,
                                   const float *x, int rows, int cols, int ld, double w_max);

/* SNR of eq. 4 from pooled sums: 10 log10(signal / error); +inf or more than
 * VX_XBAR_SNR_CAP_DB gives the cap and sets *capped. */
double   vx_xbar_snr_db          (double signal, double error, gboolean *capped);
/* signal += sum ideal^2, error += sum (ideal - noisy)^2 */
void     vx_xbar_snr_accumulate  (double *signal, double *error,
                                  const float *ideal, const float *noisy, size_t n);

/* ---------------------------------------------------------------------------
 * The simulator: a config bound to a model (vx-xbar-sim.c, vx-xbar-circuit.c)
 */

typedef struct _VxXbarSim VxXbarSim;

/* The model must outlive the simulator and keep its weights while it is used. */
VxXbarSim  *vx_xbar_sim_new        (const VxModel *m, const VxXbarConfig *cfg, GError **error);
void        vx_xbar_sim_free       (VxXbarSim *sim);
const VxXbarConfig *vx_xbar_sim_get_config (const VxXbarSim *sim);
/* hooks for vx_model_forward / vx_eval_run (user = sim) */
const VxMatmulHooks *vx_xbar_sim_get_hooks (VxXbarSim *sim);
/* change the seed (and drop noise drawn with the old one) */
void        vx_xbar_sim_set_seed   (VxXbarSim *sim, guint64 seed);
/* VxEvalOpts.batch_begin (user = sim): draws the static arrays' read noise for the
 * batch and decodes the noisy weights once, so the forward pass is plain GEMMs.
 * Without it the hooks do the same on first use in the batch. */
void        vx_xbar_sim_batch_begin (void *sim, int64_t batch_index, int64_t first_image, int count);

/* Calibrated K/V scales: the max |K| and |V| of every block and head over the
 * first `limit` images of ds (0 = all) on the ideal network. Needed before a
 * forward pass with VX_KV_SCALE_CALIBRATED (vx_xbar_eval_run does it). */
gboolean    vx_xbar_sim_calibrate  (VxXbarSim *sim, const VxDataset *ds, int limit,
                                    GError **error);
/* or set them directly: k_max, v_max (depth, heads) */
void        vx_xbar_sim_set_calibration (VxXbarSim *sim, const float *k_max, const float *v_max);
gboolean    vx_xbar_sim_is_calibrated (const VxXbarSim *sim);

/* Observation of K/V conductances (histograms, statistics) during forward
 * passes: off by default. Enabling clears what was gathered. */
void        vx_xbar_sim_observe    (VxXbarSim *sim, gboolean on, int hist_bins);
/* what was gathered: (depth, 2) arrays, [block * 2 + 0] = K, [block * 2 + 1] = V;
 * owned by the sim, valid until the next vx_xbar_sim_observe */
const VxXbarHist *vx_xbar_sim_get_hists (const VxXbarSim *sim);
const VxKvStats  *vx_xbar_sim_get_kv_stats (const VxXbarSim *sim);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxXbarSim, vx_xbar_sim_free)

/* ---------------------------------------------------------------------------
 * Evaluation driver (vx-xbar-eval.c)
 */

typedef enum {
  VX_SNR_NONE,
  VX_SNR_END_TO_END,   /* X_ideal from the ideal network on the same image (default) */
  VX_SNR_LOCAL,        /* X_ideal from this block's ideal attention on the noisy
                          network's own block input */
  VX_SNR_N
} VxSnrMode;

const char *vx_snr_mode_to_string   (VxSnrMode m);   /* "none", "end-to-end", "local" */
gboolean    vx_snr_mode_from_string (const char *s, VxSnrMode *out);

typedef enum {
  VX_XBAR_STAGE_FIRST_BATCH,  /* after the first batch of repeat 0: SNR, histograms and
                                 statistics so far; no accuracy yet */
  VX_XBAR_STAGE_REPEAT,       /* a repeat finished: top1[0..repeats_done) valid */
  VX_XBAR_STAGE_DONE,
} VxXbarStage;

typedef struct {
  VxXbarConfig config;      /* what ran */
  int repeats, repeats_done;
  int n;                    /* images per repeat */
  int depth;
  double *top1;             /* (repeats) top-1 accuracy of each repeat (seed = config.seed + r) */
  int *top1_correct;        /* (repeats) */
  double top1_mean, top1_std;   /* std: sample standard deviation over repeats (0 for one) */
  double top1_lo, top1_hi;  /* 95% Wilson interval of the pooled repeats */
  /* SNR (eq. 4) over the first snr_images images of repeat 0, pooled */
  VxSnrMode snr_mode;
  int snr_images;
  double *snr_db;           /* (depth) */
  gboolean *snr_capped;     /* (depth) TRUE where the value is VX_XBAR_SNR_CAP_DB */
  double snr_mean_db;       /* <SNR>: mean of snr_db */
  double *snr_signal, *snr_error;  /* (depth) pooled ||X_ideal||^2 and ||X_ideal - X||^2 */
  /* histograms and K/V statistics (repeat 0, same images as SNR); NULL when not observed */
  int observed_images;
  VxXbarHist *hists;        /* (depth * 2): [b * 2] = K, [b * 2 + 1] = V */
  VxKvStats *kv_stats;      /* (depth * 2) */
  double seconds;
} VxXbarEvalResult;

typedef struct {
  int repeats;              /* 0 = 1 */
  int batch;                /* 0 = 64 */
  int limit;                /* images; 0 = all */
  int threads;              /* 0 = vx_get_num_threads() */
  VxSnrMode snr;
  int snr_limit;            /* images of repeat 0 for SNR, histograms, stats; 0 = all */
  gboolean observe;         /* gather histograms and K/V statistics */
  int hist_bins;            /* 0 = VX_XBAR_HIST_BINS_DEFAULT */
  const VxDataset *calib;   /* calibration set for VX_KV_SCALE_CALIBRATED (NULL: the
                               evaluation set itself) */
  int calib_limit;          /* 0 = 512 images */
  void (*progress) (void *user, int done, int total);   /* images over all repeats */
  gboolean (*cancelled) (void *user);
  /* staged results, called from the evaluating thread; partial is only valid
   * during the call */
  void (*stage) (void *user, VxXbarStage stage, const VxXbarEvalResult *partial);
  void *user;
} VxXbarEvalOpts;

gboolean vx_xbar_eval_run (const VxModel *m, const VxDataset *ds, const VxXbarConfig *cfg,
                           const VxXbarEvalOpts *opts, VxXbarEvalResult *result, GError **error);
void     vx_xbar_eval_result_clear (VxXbarEvalResult *r);
/* {config, n_images, repeats, top1_runs, top1_mean, top1_std, top1_ci95, snr_mode,
 *  snr_images, snr_db, snr_capped, snr_cap_db, snr_mean_db, kv_stats, seconds} */
JsonNode *vx_xbar_eval_result_to_json (const VxXbarEvalResult *r);
/* one row per (block, K/V, stage, array, bin): block,matrix,stage,array,bin,g_lo,g_hi,count;
 * stages "before" and "after" (ClipFormer); with `written`, where gathered, also stage
 * "written" with two more rows per array: bin -1 (g_lo -inf, g_hi G_min) counts the cells
 * written below G_min, bin `bins` (g_lo G_max, g_hi inf) those above G_max */
void      vx_xbar_hists_to_csv (const VxXbarEvalResult *r, gboolean written, GString *out);
/* with `written`, where gathered, each object also has "written" */
JsonNode *vx_xbar_hists_to_json (const VxXbarEvalResult *r, gboolean written);
JsonNode *vx_kv_stats_to_json (const VxKvStats *s);

G_END_DECLS
