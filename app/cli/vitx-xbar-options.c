/* vitx-xbar-options.c: the crossbar options shared by eval, snr, hist, hw, figures */
#define G_LOG_DOMAIN "vitx-xbar-options"
#include "config.h"

#include <math.h>

#include "vx-error.h"
#include "vitx-commands.h"
#include "vitx-xbar-options.h"
#include "vx-xbar-params.h"

#define UNSET_INT G_MININT

/* what was given for one table parameter with a flag */
typedef struct {
  gboolean set;
  double number;            /* DOUBLE, INT */
  char *text;               /* as given */
} Given;

struct _VitxXbarOptions {
  const VxXbarParam *table;
  guint n_params;
  Given *given;             /* (n_params) */
  GPtrArray *help;          /* the generated option descriptions */
  gboolean no_clipformer;
  char *snr;
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
  o->table = vx_xbar_params (&o->n_params);
  o->given = g_new0 (Given, o->n_params);
  o->help = g_ptr_array_new_with_free_func (g_free);
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
  for (guint i = 0; i < o->n_params; i++)
    g_free (o->given[i].text);
  g_free (o->given);
  g_ptr_array_unref (o->help);
  g_free (o->snr);
  g_free (o->prune_keep);
  g_free (o);
}

static gboolean
parse_number (const char *value, double *out)
{
  char *end = NULL;
  *out = g_ascii_strtod (value, &end);
  return value[0] && end && !*end && isfinite (*out);
}

/* a table parameter's flag: numbers must parse here (bad syntax is a usage
 * error); ranges are checked with the whole config */
static gboolean
parse_param (const char *option_name, const char *value, gpointer data, GError **error)
{
  VitxXbarOptions *o = data;
  const VxXbarParam *p = vx_xbar_param_by_key (option_name + 2);
  if (!p)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unknown option %s", option_name);
      return FALSE;
    }
  Given *g = &o->given[p - o->table];
  if (p->type == VX_XBAR_PARAM_BOOL)
    value = "true";
  double v = NAN;
  if ((p->type == VX_XBAR_PARAM_DOUBLE || p->type == VX_XBAR_PARAM_INT) && !parse_number (value, &v))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: expected a finite number",
                   option_name, value);
      return FALSE;
    }
  if (p->type == VX_XBAR_PARAM_INT && (v != floor (v) || fabs (v) > G_MAXINT))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: expected an integer",
                   option_name, value);
      return FALSE;
    }
  g->set = TRUE;
  g->number = v;
  g_free (g->text);
  g->text = g_strdup (value);
  return TRUE;
}

static gboolean
parse_outlier_scale (const char *option_name, const char *value, gpointer data, GError **error)
{
  VitxXbarOptions *o = data;
  if (!parse_number (value, &o->outlier_scale))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: expected a finite number",
                   option_name, value);
      return FALSE;
    }
  return TRUE;
}

/* the default as --help-crossbar writes it */
static char *
default_text (const VxXbarParam *p)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  switch (p->type)
    {
    case VX_XBAR_PARAM_ENUM:
    case VX_XBAR_PARAM_PRESET:
      return g_strdup (vx_xbar_param_choice_by_value (p, (int) p->def)->nick);
    case VX_XBAR_PARAM_MASK:
      return vx_xbar_analog_to_string ((guint) p->def);
    case VX_XBAR_PARAM_BOOL:
      return g_strdup (p->def != 0 ? "on" : "off");
    default:
      return g_strdup (g_ascii_formatd (num, sizeof num, "%g", p->def));
    }
}

static const char *
arg_name (const VxXbarParam *p)
{
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE: return "NUMBER";
    case VX_XBAR_PARAM_INT: return g_str_equal (p->unit, "bit") ? "BITS" : "N";
    case VX_XBAR_PARAM_UINT64: return "N";
    case VX_XBAR_PARAM_MASK: return "LIST";
    case VX_XBAR_PARAM_BOOL: return NULL;
    default: return "NAME";
    }
}

/* "<description> (<range>; default <d>; docs/MODEL.md section <s>)" for one flag */
static const char *
describe (VitxXbarOptions *o, const VxXbarParam *p)
{
  g_autofree char *range = NULL;
  if (p->type == VX_XBAR_PARAM_MASK)
    {
      GString *s = g_string_new ("comma-separated from ");
      for (int i = 0; i < p->n_choices; i++)
        g_string_append_printf (s, "%s%s", i ? "," : "", p->choices[i].nick);
      range = g_string_free (s, FALSE);
    }
  else
    range = vx_xbar_param_range_text (p, FALSE);
  g_autofree char *def = default_text (p);
  char *text = p->type == VX_XBAR_PARAM_BOOL
    ? g_strdup_printf ("%s (default %s; docs/MODEL.md section %s)", p->description, def, p->section)
    : g_strdup_printf ("%s (%s; default %s; docs/MODEL.md section %s)", p->description, range, def,
                       p->section);
  g_ptr_array_add (o->help, text);
  return text;
}

static void
add_table_entries (VitxXbarOptions *o, GOptionGroup *g)
{
  for (guint i = 0; i < o->n_params; i++)
    {
      const VxXbarParam *p = &o->table[i];
      if (!p->key)
        continue;
      GOptionEntry e[3] = { { p->key, 0, 0, G_OPTION_ARG_CALLBACK, parse_param, describe (o, p),
                              arg_name (p) } };
      if (p->type == VX_XBAR_PARAM_BOOL)
        {
          e[0].flags = G_OPTION_FLAG_NO_ARG;
          /* --no-clipformer: the one switch that turns a parameter off */
          e[1] = (GOptionEntry) { "no-clipformer", 0, 0, G_OPTION_ARG_NONE, &o->no_clipformer,
                                  "Do not apply ClipFormer", NULL };
        }
      g_option_group_add_entries (g, e);
    }
}

GOptionGroup *
vitx_xbar_options_group (VitxXbarOptions *o)
{
  GOptionEntry first[] = {
    { "crossbar", 'x', 0, G_OPTION_ARG_NONE, &o->crossbar,
      "Simulate crossbars with the preset's values (implied by any option below)", NULL },
    { NULL }
  };
  GOptionEntry entries[] = {
    { "snr", 0, 0, G_OPTION_ARG_STRING, &o->snr, "SNR reference: end-to-end (default), local or none", "MODE" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &o->repeats, "Repeats with seeds seed, seed+1, ... (default 1)", "N" },
    { "outlier-scale", 0, 0, G_OPTION_ARG_CALLBACK, parse_outlier_scale,
      "Outlier what-if: scale c K/V channels per head by s (1..64), function-preserving", "S" },
    { "outlier-channels", 0, 0, G_OPTION_ARG_INT, &o->outlier_channels,
      "Outlier what-if: channels per head (default 2)", "C" },
    { "prune-keep", 0, 0, G_OPTION_ARG_STRING, &o->prune_keep,
      "Token pruning, with or without a crossbar: keep this share (0..1] of the patch tokens "
      "before blocks L/4, L/2, 3L/4, ranked by class-token attention (default: the model's "
      "vitx.prune_keep, else none; 1 = off)", "R" },
    { NULL }
  };
  GOptionGroup *g = g_option_group_new ("crossbar", "Crossbar simulation (ViT-X, docs/MODEL.md):",
                                        "Show the crossbar options", o, NULL);
  g_option_group_add_entries (g, first);
  add_table_entries (o, g);
  g_option_group_add_entries (g, entries);
  return g;
}

gboolean
vitx_xbar_options_any (const VitxXbarOptions *o)
{
  for (guint i = 0; i < o->n_params; i++)
    if (o->given[i].set)
      return TRUE;
  return o->crossbar || o->no_clipformer || o->repeats != UNSET_INT
         || !isnan (o->outlier_scale) || o->outlier_channels != UNSET_INT;
}

static gboolean
bad (GError **error, const char *option, const char *value, const char *expected)
{
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "%s %s: expected %s", option, value, expected);
  return FALSE;
}

/* one given flag onto cfg, held to the table's range */
static gboolean
apply_given (const VxXbarParam *p, const Given *g, VxXbarConfig *cfg, GError **error)
{
  g_autofree char *flag = g_strconcat ("--", p->key, NULL);
  g_autofree char *nicks = NULL;
  const VxXbarParamChoice *c;
  guint64 seed;
  guint mask;
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE:
      if (!vx_xbar_param_check (p, g->number, "crossbar config", NULL, error))
        return FALSE;
      vx_xbar_param_set_double (p, cfg, g->number);
      return TRUE;
    case VX_XBAR_PARAM_INT:
      if (!vx_xbar_param_check (p, g->number, "crossbar config", NULL, error))
        return FALSE;
      vx_xbar_param_set_int (p, cfg, (int) g->number);
      return TRUE;
    case VX_XBAR_PARAM_BOOL:
      vx_xbar_param_set_int (p, cfg, TRUE);
      return TRUE;
    case VX_XBAR_PARAM_ENUM:
      c = vx_xbar_param_choice_by_nick (p, g->text);
      if (!c && g_str_equal (p->key, "decode") && g_strcmp0 (g->text, "renormalized") == 0)
        c = vx_xbar_param_choice_by_value (p, VX_CLIP_DECODE_RENORMALISED);
      if (!c)
        return bad (error, flag, g->text, (nicks = vx_xbar_param_nicks_text (p)));
      vx_xbar_param_set_int (p, cfg, c->value);
      return TRUE;
    case VX_XBAR_PARAM_MASK:
      if (!vx_xbar_analog_from_string (g->text, &mask, error))
        return FALSE;
      vx_xbar_param_set_mask (p, cfg, mask);
      return TRUE;
    case VX_XBAR_PARAM_UINT64:
      if (!g_ascii_string_to_unsigned (g->text, 10, 0, G_MAXUINT64, &seed, NULL))
        return bad (error, flag, g->text, "a non-negative integer");
      vx_xbar_param_set_uint64 (p, cfg, seed);
      return TRUE;
    case VX_XBAR_PARAM_PRESET:
      return TRUE;   /* applied first */
    }
  g_assert_not_reached ();
}

gboolean
vitx_xbar_options_config (const VitxXbarOptions *o, VxXbarConfig *cfg, GError **error)
{
  const VxXbarParam *preset = vx_xbar_param_by_key ("preset");
  const Given *gp = &o->given[preset - o->table];
  if (gp->set)
    {
      if (!vx_xbar_config_init_named (cfg, gp->text, error))
        return FALSE;
    }
  else
    vx_xbar_config_init (cfg);

  const VxXbarParam *clip = vx_xbar_param_by_key ("clipformer");
  gboolean clip_on = o->given[clip - o->table].set;
  if (clip_on && o->no_clipformer)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "--clipformer and --no-clipformer contradict each other");
      return FALSE;
    }
  for (guint i = 0; i < o->n_params; i++)
    if (o->given[i].set && !apply_given (&o->table[i], &o->given[i], cfg, error))
      return FALSE;
  /* alpha or beta asks for ClipFormer, unless it is turned off explicitly */
  if (o->given[vx_xbar_param_by_key ("alpha") - o->table].set
      || o->given[vx_xbar_param_by_key ("beta") - o->table].set)
    cfg->clipformer = TRUE;
  if (o->no_clipformer)
    cfg->clipformer = FALSE;
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
