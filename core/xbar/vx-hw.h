/* vx-hw.h: crossbar area and energy estimator (docs/MODEL.md section 7)
 *
 * Counts the crossbars of every matrix of a transformer block, the crossbar
 * reads and writes of one image, and turns them into area (mm^2) and energy
 * (uJ per image) with the config's A_xbar, E_R, E_W and E_mult:
 *   #xbars = ceil(rows/X) * ceil(cols/X) * ceil(bits/b_c) * (2 if differential)
 *   static arrays: every crossbar read once per token;
 *   K^T: every crossbar read once per query row; V: once per softmax row;
 *   K^T, V: every crossbar written once per image.
 * K/V bits follow vx_xbar_kv_bits (the physical ClipFormer reading at beta 0.25
 * needs 6 bits = 3 two-bit slices). With the per-channel K/V scale the extra
 * digital multiplies are counted: N * Dh per head for K (query pre-scaling)
 * and N * Dh per head for V (gain after the ADC), each e_mult_pj.
 * "Attention" is W_Q, W_K, W_V, K^T and V; projection and MLP are separate.
 * Patch embedding and head are not counted.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

#include "vx-model.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

typedef struct {
  char name[16];        /* "W_Q", "W_K", "W_V", "K^T", "V", "proj", "fc1", "fc2" */
  gboolean attention;   /* part of the attention total */
  gboolean dynamic;     /* written at inference (K^T, V) */
  int rows, cols;       /* stored operand: rows = inputs, cols = outputs */
  int count;            /* instances per block (heads for K^T and V, else 1) */
  int bits, slices;
  int64_t tiles;        /* per instance */
  int64_t xbars_per_block;  /* all instances */
  int64_t xbars;        /* all blocks */
  double reads;         /* crossbar reads per image, all blocks */
  double writes;        /* crossbar writes per image, all blocks */
  double mults;         /* extra digital multiplies per image, all blocks */
  double area_mm2;      /* all blocks */
  double energy_uj;     /* per image, all blocks, multiplies included */
} VxHwMatrix;

#define VX_HW_MAX_MATRICES 8

typedef struct {
  VxArch arch;
  int tokens;           /* N */
  VxXbarConfig config;
  int n_matrices;
  VxHwMatrix m[VX_HW_MAX_MATRICES];
  /* attention: W_Q, W_K, W_V, K^T, V over all blocks */
  int64_t attn_xbars;
  double attn_area_mm2, attn_energy_uj;
  double attn_reads, attn_writes, attn_mults, attn_mult_energy_uj;
  /* projection and MLP over all blocks */
  int64_t other_xbars;
  double other_area_mm2, other_energy_uj;
} VxHwReport;

/* FALSE with VX_ERROR_INVALID_ARG if the architecture or config is invalid */
gboolean vx_hw_estimate (const VxArch *arch, const VxXbarConfig *cfg, VxHwReport *out,
                         GError **error);

/* Architecture presets (224 x 224 ImageNet shapes, 197 tokens): "deit-t",
 * "deit-s", "deit-b", "lvvit-s" (depth 16, MLP ratio 3). */
gboolean vx_hw_arch_preset (const char *name, VxArch *out, GError **error);
/* NULL-terminated list of the preset names */
const char *const *vx_hw_arch_preset_names (void);

/* {arch, tokens, config, attention {xbars, area_mm2, energy_uj, reads, writes, mults,
 *  mult_energy_uj}, other {xbars, area_mm2, energy_uj}, breakdown [...]} */
JsonNode *vx_hw_report_to_json (const VxHwReport *r);
/* a plain-text table (one row per matrix, then the totals), newly allocated */
char     *vx_hw_report_to_table (const VxHwReport *r);

G_END_DECLS
