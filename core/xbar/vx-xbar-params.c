/* vx-xbar-params.c: the table of every crossbar parameter and its accessors */
#define G_LOG_DOMAIN "vx-xbar-params"
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "vx-error.h"
#include "vx-xbar-params.h"

/* Energy of one digital multiply, used for the per-channel K/V scaling: a
 * 16-bit floating-point multiply, 1.1 pJ at 45 nm (M. Horowitz, "Computing's
 * energy problem", ISSCC 2014). Not scaled down to 32 nm, so an upper bound. */
#define VX_E_MULT_PJ 1.1

static const VxXbarParamChoice preset_choices[] = {
  { VX_XBAR_PRESET_RRAM_PAPER, "rram-paper", "RRAM (paper)" },
  { VX_XBAR_PRESET_SRAM_IMC, "sram-imc", "SRAM digital IMC" },
};
static const VxXbarParamChoice decode_choices[] = {
  { VX_CLIP_DECODE_PHYSICAL, "physical", "Physical" },
  { VX_CLIP_DECODE_RENORMALISED, "renormalised", "Renormalised" },
};
static const VxXbarParamChoice kv_scale_choices[] = {
  { VX_KV_SCALE_PER_HEAD, "per-head", "Per head" },
  { VX_KV_SCALE_PER_TENSOR, "per-tensor", "Per image tensor" },
  { VX_KV_SCALE_PER_BATCH, "per-batch", "Per batch" },
  { VX_KV_SCALE_CALIBRATED, "calibrated", "Calibrated" },
  { VX_KV_SCALE_PER_CHANNEL, "per-channel", "Per channel" },
};
static const VxXbarParamChoice static_noise_choices[] = {
  { VX_STATIC_NOISE_PER_BATCH, "per-batch", "Per batch" },
  { VX_STATIC_NOISE_PER_IMAGE, "per-image", "Per image" },
  { VX_STATIC_NOISE_ONCE, "once", "Once per run" },
};
static const VxXbarParamChoice mode_choices[] = {
  { VX_XBAR_FUNCTIONAL, "functional", "Functional" },
  { VX_XBAR_CIRCUIT, "circuit", "Circuit (slow)" },
};
static const VxXbarParamChoice write_clamp_choices[] = {
  { VX_WRITE_CLAMP_NONE, "none", "None (eq. 3 as written)" },
  { VX_WRITE_CLAMP_DEVICE, "device", "Device range [G_min, G_max]" },
};
/* the nicks are vx_matmul_kind_to_string's names (a test holds them equal) */
static const VxXbarParamChoice analog_choices[] = {
  { VX_MM_PATCH, "patch", "Patch embedding" },
  { VX_MM_QKV, "qkv", "W_QKV" },
  { VX_MM_PROJ, "proj", "Projection" },
  { VX_MM_FC1, "fc1", "MLP fc1" },
  { VX_MM_FC2, "fc2", "MLP fc2" },
  { VX_MM_HEAD, "head", "Classifier head" },
  { VX_MM_QK, "qk", "Kᵀ (Q·Kᵀ)" },
  { VX_MM_SV, "sv", "V (S·V)" },
};

static double get_onoff (const VxXbarConfig *c) { return vx_xbar_config_onoff (c); }
static void   set_onoff (VxXbarConfig *c, double v) { vx_xbar_config_set_onoff (c, v); }

#define FIELD(f) offsetof (VxXbarConfig, f), NULL, NULL
#define CHOICES(a) a, G_N_ELEMENTS (a)
#define NO_CHOICES NULL, 0
#define BIG 1e9

static const VxXbarParam params[] = {
  { "preset", "preset", "preset", "device preset", "_Preset", "", VX_XBAR_PARAM_PRESET, 0,
    VX_XBAR_PRESET_RRAM_PAPER, 0, VX_XBAR_PRESET_N - 1, 0, VX_XBAR_PRESET_N - 1, 1, 0,
    "1 and 7", NULL,
    "The device the settings start from: the paper's RRAM (Table I) or an SRAM digital "
    "in-memory-computing array (1 bit per cell, noise-free, ClipFormer off; its costs are "
    "fitted to the paper's Fig. 1a).",
    CHOICES (preset_choices), FIELD (preset) },
  { NULL, "g_min_us", NULL, "G_min in uS", "G_min", "µS", VX_XBAR_PARAM_DOUBLE, VX_XBAR_PARAM_MIN_OPEN,
    0.1, 0, INFINITY, 0, INFINITY, 0.01, 2, "2, eq. 5", 
    "G = G_min + w (G_max − G_min) / w_max",
    "The lowest conductance of a cell (level 0).", NO_CHOICES, FIELD (g_min) },
  { NULL, "g_max_us", NULL, "G_max in uS", "G_max", "µS", VX_XBAR_PARAM_DOUBLE, VX_XBAR_PARAM_MIN_OPEN,
    10.0, 0, INFINITY, 0, INFINITY, 0.1, 1, "2, eq. 5",
    "G = G_min + w (G_max − G_min) / w_max",
    "The highest conductance of a cell (level 2^bits - 1).", NO_CHOICES, FIELD (g_max) },
  { "onoff", "on_off", "on-off-ratio", "ON/OFF ratio", "_ON/OFF ratio", "×", VX_XBAR_PARAM_DOUBLE,
    VX_XBAR_PARAM_MIN_OPEN | VX_XBAR_PARAM_LOG_SCALE | VX_XBAR_PARAM_DERIVED,
    100.0, 1, INFINITY, 2, 1000, 1, 0, "3, eq. 8, 9", "r = G_max / G_min",
    "ON/OFF ratio G_max/G_min; G_min stays fixed and G_max = r * G_min (paper Fig. 9). "
    "The read-noise error grows as w + w_max/(r - 1) (eq. 8); the write-noise error does not "
    "depend on r (eq. 9).",
    NO_CHOICES, G_MAXSIZE, get_onoff, set_onoff },
  { "sigma-r", "sigma_r", "sigma-r", "read-noise sigma_R", "_Read noise σ_R", "",
    VX_XBAR_PARAM_DOUBLE, 0, 0.05, 0, 10, 0, 0.5, 0.005, 3, "3, eq. 2",
    "G′ = G (1 + n_R),  n_R ~ N(0, σ_R²)",
    "Read-noise standard deviation, on every analog array.", NO_CHOICES, FIELD (sigma_r) },
  { "sigma-w", "sigma_w", "sigma-w", "write-noise sigma_W", "_Write noise σ_W", "",
    VX_XBAR_PARAM_DOUBLE, 0, 0.1, 0, 10, 0, 0.5, 0.005, 3, "3, eq. 3",
    "n_W = γ · √((G − G_min)(G_max − G_min)) · N(0, σ_W²)",
    "Write-noise standard deviation, on the K and V arrays written at inference.",
    NO_CHOICES, FIELD (sigma_w) },
  { "gamma", "gamma", "gamma", "write-noise factor gamma", "Write-noise factor _γ", "",
    VX_XBAR_PARAM_DOUBLE, 0, 3.0, 0, 1000, 0, 8, 0.1, 1, "3, eq. 3",
    "n_W = γ · √((G − G_min)(G_max − G_min)) · N(0, σ_W²)",
    "Write-noise factor gamma, on the K and V arrays written at inference; the paper "
    "studies 3, 4 and 5.", NO_CHOICES, FIELD (gamma) },
  { "weight-bits", "weight_bits", NULL, "weight bits", "_Weight bits", "bit", VX_XBAR_PARAM_INT, 0,
    8, 1, 16, 1, 16, 1, 0, "2", "levels 0 … 2^bits − 1 per array",
    "Conductance precision: every value is rounded to 2^bits - 1 levels before mapping.",
    NO_CHOICES, FIELD (weight_bits) },
  { "input-bits", "input_bits", NULL, "input bits", "_Input bits", "bit", VX_XBAR_PARAM_INT, 0,
    8, 2, 16, 2, 16, 1, 0, "2", NULL,
    "Input precision: one dynamic scale per image; symmetric for signed inputs, unsigned "
    "for the softmax probabilities (never negative).",
    NO_CHOICES, FIELD (input_bits) },
  { "bits-per-cell", "bits_per_cell", "bits-per-cell", "bits per cell", "_Bits per cell", "bit",
    VX_XBAR_PARAM_INT, VX_XBAR_PARAM_POW2, 2, 1, 8, 1, 8, 1, 0, "7",
    "crossbars per matrix = ⌈rows/X⌉ · ⌈cols/X⌉ · ⌈bits/b_c⌉ · 2",
    "Bit slicing: a weight of b_w bits takes b_w / b_c cells of b_c bits (must divide the "
    "weight bits).", NO_CHOICES, FIELD (bits_per_cell) },
  { "adc-bits", "adc_bits", "adc-bits", "ADC bits", "_ADC resolution", "bit", VX_XBAR_PARAM_INT, 0,
    6, 1, 16, 1, 16, 1, 0, "6", "full scale X · G_max · V_read, 2^bits levels, clipped",
    "Resolution of the per-column ADC in circuit mode.", NO_CHOICES, FIELD (adc_bits) },
  { "xbar", "xbar_size", "crossbar-size", "crossbar size", "Crossbar _size X", "rows",
    VX_XBAR_PARAM_INT, VX_XBAR_PARAM_POW2, 64, 1, 4096, 8, 1024, 1, 0, "7",
    "tiles per matrix = ⌈rows/X⌉ · ⌈cols/X⌉",
    "Crossbar size X: crossbars are X x X cells and matrices are tiled over them.",
    NO_CHOICES, FIELD (xbar_size) },
  { NULL, "differential", NULL, "differential pairs", "_Differential pairs", "", VX_XBAR_PARAM_BOOL,
    0, TRUE, 0, 1, 0, 1, 1, 0, "7", NULL,
    "The estimator counts a G+/G- pair per value (RRAM); without, signed bit columns (SRAM).",
    NO_CHOICES, FIELD (differential) },
  { NULL, "e_read_pj", NULL, "read energy in pJ", "Read energy", "pJ", VX_XBAR_PARAM_DOUBLE, 0,
    25.0, 0, BIG, 0, BIG, 1, 1, "7", NULL,
    "One read of one crossbar including its peripherals.", NO_CHOICES, FIELD (e_read_pj) },
  { NULL, "e_write_pj", NULL, "write energy in pJ", "Write energy", "pJ", VX_XBAR_PARAM_DOUBLE, 0,
    118.0, 0, BIG, 0, BIG, 1, 1, "7", NULL,
    "One write of one crossbar including its peripherals.", NO_CHOICES, FIELD (e_write_pj) },
  { NULL, "area_mm2", NULL, "crossbar area in mm^2", "Crossbar area", "mm²", VX_XBAR_PARAM_DOUBLE, 0,
    0.03, 0, 1e6, 0, 1e6, 0.01, 3, "7", NULL,
    "One crossbar including ADCs, accumulators and write drivers.", NO_CHOICES, FIELD (area_mm2) },
  { NULL, "e_mult_pj", NULL, "multiply energy in pJ", "Multiply energy", "pJ", VX_XBAR_PARAM_DOUBLE,
    0, VX_E_MULT_PJ, 0, BIG, 0, BIG, 0.1, 1, "10", NULL,
    "One digital multiply (the per-channel K/V scaling).", NO_CHOICES, FIELD (e_mult_pj) },
  { "clipformer", "clipformer", "clipformer", "ClipFormer", "ClipFormer", "", VX_XBAR_PARAM_BOOL, 0,
    FALSE, 0, 1, 0, 1, 1, 0, "4", NULL,
    "Apply ClipFormer (paper Algorithm 1) to the K and V conductances before noise.",
    NO_CHOICES, FIELD (clipformer) },
  { "alpha", "alpha", "alpha", "ClipFormer alpha", "Shift _α", "× G_min", VX_XBAR_PARAM_DOUBLE, 0,
    2.0, 1, 1e6, 1, 4, 0.05, 2, "4, stage I", "G ← max(G − α·G_min, G_min)",
    "ClipFormer shift alpha: values within alpha*G_min of the floor become exact zeros, which "
    "carry no write noise (enables ClipFormer).", NO_CHOICES, FIELD (alpha) },
  { "beta", "beta", "beta", "ClipFormer beta", "Clip _β", "× G_max", VX_XBAR_PARAM_DOUBLE,
    VX_XBAR_PARAM_MIN_OPEN, 1.0, 0, 1, 0.05, 1, 0.01, 2, "4, stage II",
    "G ← min(G, β·G_max)",
    "ClipFormer clip beta: 1 skips the clip; 0.25 leaves levels <= 63 (6 bits) (enables "
    "ClipFormer).", NO_CHOICES, FIELD (beta) },
  { "decode", "clip_decode", "clip-decode", "ClipFormer decode reading", "_Decode reading", "",
    VX_XBAR_PARAM_ENUM, 0, VX_CLIP_DECODE_PHYSICAL, 0, VX_CLIP_DECODE_N - 1, 0,
    VX_CLIP_DECODE_N - 1, 1, 0, "4", NULL,
    "How the transformed K and V are read back: physical is the paper's reading, "
    "renormalised an interpretation.", CHOICES (decode_choices), FIELD (decode) },
  { "kv-scale", "kv_scale", "kv-scale", "K/V scale policy", "K/V _scale", "", VX_XBAR_PARAM_ENUM, 0,
    VX_KV_SCALE_PER_HEAD, 0, VX_KV_SCALE_N - 1, 0, VX_KV_SCALE_N - 1, 1, 0,
    "10, eq. 5", "G = G_min + w (G_max − G_min) / w_max",
    "How w_max of the dynamic K and V arrays is chosen.", CHOICES (kv_scale_choices),
    FIELD (kv_scale) },
  { "static-noise", "static_noise", "static-noise", "static read-noise draws",
    "Static _noise drawn", "", VX_XBAR_PARAM_ENUM, 0, VX_STATIC_NOISE_PER_BATCH, 0,
    VX_STATIC_NOISE_N - 1, 0, VX_STATIC_NOISE_N - 1, 1, 0, "3", NULL,
    "When the read noise of the static (weight) arrays is drawn.",
    CHOICES (static_noise_choices), FIELD (static_noise) },
  { "analog", "analog", "analog-layers", "analog products", "Analog matrices", "",
    VX_XBAR_PARAM_MASK, 0, VX_XBAR_ANALOG_DEFAULT, 0, (1 << VX_MM_N_KINDS) - 1, 0,
    (1 << VX_MM_N_KINDS) - 1, 1, 0, "2", NULL,
    "Matrix products computed on crossbars (read noise on static weights; write and read "
    "noise on K^T and V); the others are digital and exact.", CHOICES (analog_choices),
    FIELD (analog) },
  { "mode", "mode", "mode", "fidelity mode", "_Fidelity", "", VX_XBAR_PARAM_ENUM, 0,
    VX_XBAR_FUNCTIONAL, 0, VX_XBAR_CIRCUIT, 0, VX_XBAR_CIRCUIT, 1, 0, "6", NULL,
    "Functional: per-element conductances and a float product (fast). Circuit: bit-sliced "
    "cells, bit-serial inputs, tiles and per-column ADCs (slow).", CHOICES (mode_choices),
    FIELD (mode) },
  { "seed", "seed", "seed", "noise seed", "Noise s_eed", "", VX_XBAR_PARAM_UINT64, 0,
    0, 0, 18446744073709551615.0, 0, G_MAXINT32, 1, 0, "3", NULL,
    "Base seed of every noise stream; repeat r uses seed + r.", NO_CHOICES, FIELD (seed) },
  { "write-clamp", "write_clamp", "write-clamp", "write-noise clamp", "Write _clamp", "",
    VX_XBAR_PARAM_ENUM, 0, VX_WRITE_CLAMP_DEVICE, 0, VX_WRITE_CLAMP_N - 1, 0,
    VX_WRITE_CLAMP_N - 1, 1, 0, "3, eq. 3", "G′ = min(max(G + n_W, G_min), G_max)",
    "Where a conductance written at inference (K and V) may end up after write noise: "
    "device keeps it in [G_min, G_max], the range a cell holds; none applies eq. 3 as "
    "written (below G_min, negative even, or above G_max).",
    CHOICES (write_clamp_choices), FIELD (write_clamp) },
};

#undef FIELD
#undef CHOICES
#undef NO_CHOICES
#undef BIG

const VxXbarParam *
vx_xbar_params (guint *n)
{
  *n = G_N_ELEMENTS (params);
  return params;
}

static const VxXbarParam *
find (const char *name, gsize member)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (params); i++)
    {
      const char *k = G_STRUCT_MEMBER (const char *, &params[i], member);
      if (k && strcmp (k, name) == 0)
        return &params[i];
    }
  return NULL;
}

const VxXbarParam *
vx_xbar_param_by_key (const char *key)
{
  return find (key, G_STRUCT_OFFSET (VxXbarParam, key));
}

const VxXbarParam *
vx_xbar_param_by_json_key (const char *json_key)
{
  return find (json_key, G_STRUCT_OFFSET (VxXbarParam, json_key));
}

const VxXbarParam *
vx_xbar_param_by_settings_key (const char *settings_key)
{
  return find (settings_key, G_STRUCT_OFFSET (VxXbarParam, settings_key));
}

char *
vx_xbar_param_plain_label (const VxXbarParam *p)
{
  GString *s = g_string_new (NULL);
  for (const char *c = p->label; *c; c++)
    if (*c != '_')
      g_string_append_c (s, *c);
  return g_string_free (s, FALSE);
}

/* ---- accessors --------------------------------------------------------------------- */

double
vx_xbar_param_get_double (const VxXbarParam *p, const VxXbarConfig *cfg)
{
  g_return_val_if_fail (p->type == VX_XBAR_PARAM_DOUBLE, NAN);
  if (p->offset == G_MAXSIZE)
    return p->get (cfg);
  return *(const double *) G_STRUCT_MEMBER_P (cfg, p->offset);
}

void
vx_xbar_param_set_double (const VxXbarParam *p, VxXbarConfig *cfg, double v)
{
  g_return_if_fail (p->type == VX_XBAR_PARAM_DOUBLE);
  if (p->offset == G_MAXSIZE)
    p->set (cfg, v);
  else
    *(double *) G_STRUCT_MEMBER_P (cfg, p->offset) = v;
}

static int
preset_index (const VxXbarConfig *cfg)
{
  for (int i = 0; i < VX_XBAR_PRESET_N; i++)
    if (strcmp (cfg->preset, preset_choices[i].nick) == 0)
      return i;
  return -1;
}

int
vx_xbar_param_get_int (const VxXbarParam *p, const VxXbarConfig *cfg)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_INT: return *(const int *) G_STRUCT_MEMBER_P (cfg, p->offset);
    case VX_XBAR_PARAM_BOOL: return *(const gboolean *) G_STRUCT_MEMBER_P (cfg, p->offset);
    /* the enumerations are int-sized (a static assertion below holds them so) */
    case VX_XBAR_PARAM_ENUM: return *(const int *) G_STRUCT_MEMBER_P (cfg, p->offset);
    case VX_XBAR_PARAM_PRESET: return preset_index (cfg);
    default: g_return_val_if_reached (0);
    }
}

void
vx_xbar_param_set_int (const VxXbarParam *p, VxXbarConfig *cfg, int v)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_INT:
    case VX_XBAR_PARAM_ENUM:
      *(int *) G_STRUCT_MEMBER_P (cfg, p->offset) = v;
      break;
    case VX_XBAR_PARAM_BOOL:
      *(gboolean *) G_STRUCT_MEMBER_P (cfg, p->offset) = v != 0;
      break;
    case VX_XBAR_PARAM_PRESET:
      g_return_if_fail (v >= 0 && v < VX_XBAR_PRESET_N);
      g_strlcpy (cfg->preset, preset_choices[v].nick, sizeof cfg->preset);
      break;
    default:
      g_return_if_reached ();
    }
}

G_STATIC_ASSERT (sizeof (VxClipDecode) == sizeof (int) && sizeof (VxKvScale) == sizeof (int)
                 && sizeof (VxStaticNoise) == sizeof (int) && sizeof (VxXbarMode) == sizeof (int)
                 && sizeof (VxWriteClamp) == sizeof (int));

guint
vx_xbar_param_get_mask (const VxXbarParam *p, const VxXbarConfig *cfg)
{
  g_return_val_if_fail (p->type == VX_XBAR_PARAM_MASK, 0);
  return *(const guint *) G_STRUCT_MEMBER_P (cfg, p->offset);
}

void
vx_xbar_param_set_mask (const VxXbarParam *p, VxXbarConfig *cfg, guint mask)
{
  g_return_if_fail (p->type == VX_XBAR_PARAM_MASK);
  *(guint *) G_STRUCT_MEMBER_P (cfg, p->offset) = mask;
}

guint64
vx_xbar_param_get_uint64 (const VxXbarParam *p, const VxXbarConfig *cfg)
{
  g_return_val_if_fail (p->type == VX_XBAR_PARAM_UINT64, 0);
  return *(const guint64 *) G_STRUCT_MEMBER_P (cfg, p->offset);
}

void
vx_xbar_param_set_uint64 (const VxXbarParam *p, VxXbarConfig *cfg, guint64 v)
{
  g_return_if_fail (p->type == VX_XBAR_PARAM_UINT64);
  *(guint64 *) G_STRUCT_MEMBER_P (cfg, p->offset) = v;
}

double
vx_xbar_param_get_number (const VxXbarParam *p, const VxXbarConfig *cfg)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE: return vx_xbar_param_get_double (p, cfg);
    case VX_XBAR_PARAM_MASK: return vx_xbar_param_get_mask (p, cfg);
    case VX_XBAR_PARAM_UINT64: return (double) vx_xbar_param_get_uint64 (p, cfg);
    default: return vx_xbar_param_get_int (p, cfg);
    }
}

/* ---- choices ------------------------------------------------------------------------ */

const VxXbarParamChoice *
vx_xbar_param_choice_by_nick (const VxXbarParam *p, const char *nick)
{
  for (int i = 0; nick && i < p->n_choices; i++)
    if (g_ascii_strcasecmp (nick, p->choices[i].nick) == 0)
      return &p->choices[i];
  return NULL;
}

const VxXbarParamChoice *
vx_xbar_param_choice_by_value (const VxXbarParam *p, int value)
{
  for (int i = 0; i < p->n_choices; i++)
    if (p->choices[i].value == value)
      return &p->choices[i];
  return NULL;
}

char *
vx_xbar_param_nicks_text (const VxXbarParam *p)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < p->n_choices; i++)
    g_string_append_printf (s, "%s%s", i == 0 ? "" : i == p->n_choices - 1 ? " or " : ", ",
                            p->choices[i].nick);
  return g_string_free (s, FALSE);
}

/* ---- ranges ------------------------------------------------------------------------- */

/* the lower end is excluded: (min, max]; the controls' own lower end is
 * closed when it lies above min */
static gboolean
min_open (const VxXbarParam *p, gboolean ui)
{
  return (p->flags & VX_XBAR_PARAM_MIN_OPEN) && !(ui && p->ui_min > p->min);
}

gboolean
vx_xbar_param_in_range (const VxXbarParam *p, double v, gboolean ui)
{
  double lo = ui ? p->ui_min : p->min, hi = ui ? p->ui_max : p->max;
  /* a config holds finite numbers only */
  if (!isfinite (v) || v < lo || v > hi || (min_open (p, ui) && v == lo))
    return FALSE;
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE: return TRUE;
    case VX_XBAR_PARAM_ENUM: return v == floor (v) && vx_xbar_param_choice_by_value (p, (int) v);
    default: return v == floor (v);
    }
}

char *
vx_xbar_param_range_text (const VxXbarParam *p, gboolean ui)
{
  double lo = ui ? p->ui_min : p->min, hi = ui ? p->ui_max : p->max;
  gboolean open = min_open (p, ui);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (a, sizeof a, "%.10g", lo);
  g_ascii_formatd (b, sizeof b, "%.10g", hi);
  if (p->type == VX_XBAR_PARAM_ENUM || p->type == VX_XBAR_PARAM_PRESET)
    return vx_xbar_param_nicks_text (p);
  if (p->type == VX_XBAR_PARAM_BOOL)
    return g_strdup ("true or false");
  if (p->type == VX_XBAR_PARAM_UINT64 && !ui)
    return g_strdup ("a non-negative integer");
  if (isinf (hi))
    return g_strdup_printf ("%s%s, inf)", open ? "(" : "[", a);
  if (p->type == VX_XBAR_PARAM_INT || p->type == VX_XBAR_PARAM_UINT64)
    return g_strdup_printf ("%s..%s", a, b);
  return g_strdup_printf ("%s%s, %s]", open ? "(" : "[", a, b);
}

gboolean
vx_xbar_param_check (const VxXbarParam *p, double v, const char *where, const char *as,
                     GError **error)
{
  if (vx_xbar_param_in_range (p, v, FALSE))
    return TRUE;
  g_autofree char *range = vx_xbar_param_range_text (p, FALSE);
  g_autofree char *flag = p->key ? g_strconcat ("--", p->key, NULL) : g_strdup (p->json_key);
  char value[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (value, sizeof value, "%.10g", v);
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "%s: %s %s is outside %s (%s; docs/MODEL.md section %s)", where,
               as ? as : flag, value, range, p->name, p->section);
  return FALSE;
}
