/* vitx-xbar-options.c: the crossbar options shared by eval, snr, hist, hw, figures */
#define G_LOG_DOMAIN "vitx-xbar-options"
#include "config.h"

#include <math.h>

#include "vx-error.h"
#include "vitx-commands.h"
#include "vitx-xbar-options.h"

#define UNSET_INT G_MININT

struct _VitxXbarOptions {
  char *preset;
  double gamma, onoff, alpha, beta, sigma_r, sigma_w;
  int adc_bits, bits_per_cell, weight_bits, input_bits, xbar;
  gboolean clipformer, no_clipformer;
  char *mode, *snr, *kv_scale, *decode, *static_noise, *analog;
  gint64 seed;
  gboolean seed_set;
  char *seed_text;
  int repeats;
  double outlier_scale;
  int outlier_channels;
  gboolean crossbar;
  char *prune_keep;    /* --prune-keep text (not a crossbar option) */
};

VitxXbarOptions *
vitx_xbar_options_new (void)
{
  VitxXbarOptions *o = g_new0 (VitxXbarOptions, 1);
  o->gamma = o->onoff = o->alpha = o->beta = o->sigma_r = o->sigma_w = NAN;
  o->adc_bits = o->bits_per_cell = o->weight_bits = o->input_bits = o->xbar = UNSET_INT;
  o->repeats = UNSET_INT;
  o->outlier_scale = NAN;
  o->outlier_channels = UNSET_INT;
  return o;
}

void
vitx_xbar_options_free (VitxXbarOptions *o)
{
  if (!o)
    return;
  g_free (o->preset);
  g_free (o->mode);
  g_free (o->snr);
  g_free (o->kv_scale);
  g_free (o->decode);
  g_free (o->static_noise);
  g_free (o->analog);
  g_free (o->seed_text);
  g_free (o->prune_keep);
  g_free (o);
}

/* a finite number for one of the double options; NaN marks "not given", so
 * it (and infinities) must not get through as a value */
static gboolean
parse_double (const char *option_name, const char *value, gpointer data, GError **error)
{
  VitxXbarOptions *o = data;
  struct { const char *name; double *field; } map[] = {
    { "--gamma", &o->gamma }, { "--onoff", &o->onoff }, { "--alpha", &o->alpha },
    { "--beta", &o->beta }, { "--sigma-r", &o->sigma_r }, { "--sigma-w", &o->sigma_w },
    { "--outlier-scale", &o->outlier_scale },
  };
  char *end = NULL;
  double v = g_ascii_strtod (value, &end);
  if (!value[0] || !end || *end || !isfinite (v))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s %s: expected a finite number", option_name, value);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (option_name, map[i].name))
      {
        *map[i].field = v;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unknown option %s", option_name);
  return FALSE;
}

GOptionGroup *
vitx_xbar_options_group (VitxXbarOptions *o)
{
  GOptionEntry entries[] = {
    { "crossbar", 'x', 0, G_OPTION_ARG_NONE, &o->crossbar,
      "Simulate crossbars with the preset's values (implied by any option below)", NULL },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &o->preset,
      "Device preset: rram-paper (Table I, default) or sram-imc", "NAME" },
    { "gamma", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "Write-noise factor gamma (eq. 3; default 3)", "G" },
    { "onoff", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "ON/OFF ratio G_max/G_min, G_min fixed (default 100)", "R" },
    { "alpha", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "ClipFormer shift, >= 1 (enables ClipFormer)", "A" },
    { "beta", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "ClipFormer clip, in (0, 1] (enables ClipFormer)", "B" },
    { "clipformer", 0, 0, G_OPTION_ARG_NONE, &o->clipformer, "Apply ClipFormer to K and V (default alpha 2, beta 1)", NULL },
    { "no-clipformer", 0, 0, G_OPTION_ARG_NONE, &o->no_clipformer, "Do not apply ClipFormer", NULL },
    { "sigma-r", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "Read-noise standard deviation (eq. 2; default 0.05)", "S" },
    { "sigma-w", 0, 0, G_OPTION_ARG_CALLBACK, parse_double, "Write-noise standard deviation (eq. 3; default 0.1)", "S" },
    { "adc-bits", 0, 0, G_OPTION_ARG_INT, &o->adc_bits, "ADC resolution in circuit mode (default 6)", "BITS" },
    { "bits-per-cell", 0, 0, G_OPTION_ARG_INT, &o->bits_per_cell, "Bits per cell (default 2)", "BITS" },
    { "weight-bits", 0, 0, G_OPTION_ARG_INT, &o->weight_bits, "Conductance precision (default 8)", "BITS" },
    { "input-bits", 0, 0, G_OPTION_ARG_INT, &o->input_bits, "Input precision (default 8)", "BITS" },
    { "xbar", 0, 0, G_OPTION_ARG_INT, &o->xbar, "Crossbar size X (default 64)", "X" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &o->mode, "Fidelity: functional (default) or circuit", "MODE" },
    { "snr", 0, 0, G_OPTION_ARG_STRING, &o->snr, "SNR reference: end-to-end (default), local or none", "MODE" },
    { "kv-scale", 0, 0, G_OPTION_ARG_STRING, &o->kv_scale,
      "K/V w_max policy: per-head (default), per-tensor, per-batch, calibrated, per-channel", "POLICY" },
    { "decode", 0, 0, G_OPTION_ARG_STRING, &o->decode,
      "ClipFormer decode reading: physical (default) or renormalised", "READING" },
    { "static-noise", 0, 0, G_OPTION_ARG_STRING, &o->static_noise,
      "When static read noise is drawn: per-batch (default), per-image, once", "WHEN" },
    { "analog", 0, 0, G_OPTION_ARG_STRING, &o->analog,
      "Analog products, comma-separated from patch,qkv,proj,fc1,fc2,head,qk,sv "
      "(default qkv,proj,fc1,fc2,qk,sv)", "LIST" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &o->seed_text, "Noise seed (default 0); repeat r uses seed + r", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &o->repeats, "Repeats with seeds seed, seed+1, ... (default 1)", "N" },
    { "outlier-scale", 0, 0, G_OPTION_ARG_CALLBACK, parse_double,
      "Outlier what-if: scale c K/V channels per head by s (1..64), function-preserving", "S" },
    { "outlier-channels", 0, 0, G_OPTION_ARG_INT, &o->outlier_channels,
      "Outlier what-if: channels per head (default 2)", "C" },
    { "prune-keep", 0, 0, G_OPTION_ARG_STRING, &o->prune_keep,
      "Token pruning, with or without a crossbar: keep this share (0..1] of the patch tokens "
      "before blocks L/4, L/2, 3L/4, ranked by class-token attention (default: the model's "
      "vitx.prune_keep, else none; 1 = off)", "R" },
    { NULL }
  };
  GOptionGroup *g = g_option_group_new ("crossbar", "Crossbar simulation (ViT-X, MODEL.md):",
                                        "Show the crossbar options", o, NULL);
  g_option_group_add_entries (g, entries);
  return g;
}

gboolean
vitx_xbar_options_any (const VitxXbarOptions *o)
{
  return o->crossbar || o->preset || !isnan (o->gamma) || !isnan (o->onoff) || !isnan (o->alpha)
         || !isnan (o->beta) || !isnan (o->sigma_r) || !isnan (o->sigma_w)
         || o->adc_bits != UNSET_INT || o->bits_per_cell != UNSET_INT
         || o->weight_bits != UNSET_INT || o->input_bits != UNSET_INT || o->xbar != UNSET_INT
         || o->clipformer || o->no_clipformer || o->mode || o->kv_scale || o->decode
         || o->static_noise || o->analog || o->seed_text || o->repeats != UNSET_INT
         || !isnan (o->outlier_scale)
         || o->outlier_channels != UNSET_INT;
}

static gboolean
bad (GError **error, const char *option, const char *value, const char *expected)
{
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "%s %s: expected %s", option, value, expected);
  return FALSE;
}

gboolean
vitx_xbar_options_config (const VitxXbarOptions *o, VxXbarConfig *cfg, GError **error)
{
  if (o->preset)
    {
      if (!vx_xbar_config_init_named (cfg, o->preset, error))
        return FALSE;
    }
  else
    vx_xbar_config_init (cfg);

  if (o->clipformer && o->no_clipformer)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "--clipformer and --no-clipformer contradict each other");
      return FALSE;
    }
  if (!isnan (o->gamma))
    cfg->gamma = o->gamma;
  if (!isnan (o->onoff))
    {
      if (!(o->onoff > 1.0) || !isfinite (o->onoff))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                       "--onoff %g: the ON/OFF ratio must be finite and greater than 1", o->onoff);
          return FALSE;
        }
      vx_xbar_config_set_onoff (cfg, o->onoff);
    }
  if (!isnan (o->alpha))
    cfg->alpha = o->alpha;
  if (!isnan (o->beta))
    cfg->beta = o->beta;
  if (o->clipformer || ((!isnan (o->alpha) || !isnan (o->beta)) && !o->no_clipformer))
    cfg->clipformer = TRUE;
  if (o->no_clipformer)
    cfg->clipformer = FALSE;
  if (!isnan (o->sigma_r))
    cfg->sigma_r = o->sigma_r;
  if (!isnan (o->sigma_w))
    cfg->sigma_w = o->sigma_w;
  if (o->adc_bits != UNSET_INT)
    cfg->adc_bits = o->adc_bits;
  if (o->bits_per_cell != UNSET_INT)
    cfg->bits_per_cell = o->bits_per_cell;
  if (o->weight_bits != UNSET_INT)
    cfg->weight_bits = o->weight_bits;
  if (o->input_bits != UNSET_INT)
    cfg->input_bits = o->input_bits;
  if (o->xbar != UNSET_INT)
    cfg->xbar_size = o->xbar;
  if (o->mode && !vx_xbar_mode_from_string (o->mode, &cfg->mode))
    return bad (error, "--mode", o->mode, "functional or circuit");
  if (o->kv_scale && !vx_kv_scale_from_string (o->kv_scale, &cfg->kv_scale))
    return bad (error, "--kv-scale", o->kv_scale, "per-head, per-tensor, per-batch, calibrated or per-channel");
  if (o->decode && !vx_clip_decode_from_string (o->decode, &cfg->decode))
    return bad (error, "--decode", o->decode, "physical or renormalised");
  if (o->static_noise && !vx_static_noise_from_string (o->static_noise, &cfg->static_noise))
    return bad (error, "--static-noise", o->static_noise, "per-batch, per-image or once");
  if (o->analog && !vx_xbar_analog_from_string (o->analog, &cfg->analog, error))
    return FALSE;
  if (o->seed_text)
    {
      guint64 seed;
      if (!g_ascii_string_to_unsigned (o->seed_text, 10, 0, G_MAXUINT64, &seed, NULL))
        return bad (error, "--seed", o->seed_text, "a non-negative integer");
      cfg->seed = seed;
    }
  if (o->repeats != UNSET_INT && (o->repeats < 1 || o->repeats > 1000))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "--repeats %d: expected 1..1000", o->repeats);
      return FALSE;
    }
  VxSnrMode snr;
  if (o->snr && !vx_snr_mode_from_string (o->snr, &snr))
    return bad (error, "--snr", o->snr, "end-to-end, local or none");
  return vx_xbar_config_validate (cfg, error);
}

int
vitx_xbar_options_repeats (const VitxXbarOptions *o)
{
  return o->repeats == UNSET_INT ? 1 : o->repeats;
}

VxSnrMode
vitx_xbar_options_snr (const VitxXbarOptions *o)
{
  VxSnrMode snr = VX_SNR_END_TO_END;
  if (o->snr)
    vx_snr_mode_from_string (o->snr, &snr);
  return snr;
}

gboolean
vitx_xbar_options_outlier (const VitxXbarOptions *o, VxOutlierOpts *out)
{
  if (isnan (o->outlier_scale) && o->outlier_channels == UNSET_INT)
    return FALSE;
  vx_outlier_opts_init (out);
  if (!isnan (o->outlier_scale))
    out->scale = o->outlier_scale;
  if (o->outlier_channels != UNSET_INT)
    out->channels = o->outlier_channels;
  return TRUE;
}

gboolean
vitx_xbar_options_prune_keep (const VitxXbarOptions *o, double *keep, GError **error)
{
  *keep = NAN;
  if (!o->prune_keep)
    return TRUE;
  if (!vx_prune_keep_parse (o->prune_keep, keep, error))
    {
      g_prefix_error (error, "--prune-keep: ");
      return FALSE;
    }
  return TRUE;
}

gboolean
vitx_xbar_options_apply_prune (const VitxXbarOptions *o, VxModel *m, GError **error)
{
  double keep;
  if (!vitx_xbar_options_prune_keep (o, &keep, error))
    return FALSE;
  if (!isnan (keep))
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      vx_model_set_meta (m, VX_META_PRUNE_KEEP, g_ascii_formatd (text, sizeof text, "%.6g", keep));
    }
  return TRUE;
}

char *
vitx_prune_describe (const VxModel *m)
{
  double keep = vx_model_prune_keep (m);
  if (keep >= 1.0)
    return NULL;
  const VxArch *a = &m->arch;
  int stages[VX_PRUNE_MAX_STAGES];
  int ns = vx_prune_blocks (a->depth, stages);
  g_autofree int *tokens = g_new (int, a->depth);
  vx_prune_schedule (a, keep, tokens);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "keep %.3g of the patch tokens before block%s", keep, ns == 1 ? "" : "s");
  for (int i = 0; i < ns; i++)
    g_string_append_printf (s, "%s %d", i ? "," : "", stages[i]);
  if (ns == 0)
    g_string_append (s, " (none: the model is too shallow)");
  g_string_append (s, " (0-based); tokens per block");
  for (int l = 0; l < a->depth; l++)
    g_string_append_printf (s, " %d", tokens[l]);
  g_string_append_printf (s, "; %.1f%% of the unpruned forward FLOPs",
                          100.0 * vx_prune_flops_per_image (a, keep) / vx_arch_flops_per_image (a));
  return g_string_free (s, FALSE);
}

/* the model the crossbar options ask for: the outlier what-if copy, or m itself */
VxModel *
vitx_xbar_prepare_model (const char *cmd, const VitxXbarOptions *xo, VxModel *m)
{
  VxOutlierOpts oo;
  if (!vitx_xbar_options_outlier (xo, &oo))
    return m;
  g_autoptr (GError) error = NULL;
  VxModel *t = vx_outlier_apply (m, &oo, &error);
  if (!t)
    vitx_error (cmd, "%s", error->message);
  vx_model_free (m);
  return t;
}
