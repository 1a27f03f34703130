/* vs-sweep.c: the grid and point keys of `vitx sweep` */
#define G_LOG_DOMAIN "vs-sweep"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vs-sweep.h"
#include "vx-error.h"
#include "vx-paths.h"

/* ---- numbers and lists ------------------------------------------------------------------ */

char *
vs_sweep_format_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int digits = 6; digits <= 17; digits++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

static gboolean
usage_error (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, VX_ERROR, VX_ERROR_INVALID_ARG, msg);
  return FALSE;
}

/* the items of a comma list, each stripped of blanks and none empty */
static char **
split_list (const char *option, const char *text, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  if (!items[0])
    {
      usage_error (error, "%s '%s': an empty list (give one or more values separated by commas)",
                   option, text);
      return NULL;
    }
  for (int i = 0; items[i]; i++)
    if (!g_strstrip (items[i])[0])
      {
        usage_error (error, "%s '%s': an empty item in the list", option, text);
        return NULL;
      }
  return g_steal_pointer (&items);
}

/* a finite number in [lo, hi] (lo excluded when lo_open) */
static gboolean
parse_number (const char *option, const char *item, double lo, gboolean lo_open, double hi,
              double *out, GError **error)
{
  char *end = NULL;
  double v = g_ascii_strtod (item, &end);
  if (!end || *end || end == item || !isfinite (v))
    return usage_error (error, "%s %s: expected a number", option, item);
  if (v < lo || (lo_open && v == lo) || v > hi)
    {
      g_autofree char *l = vs_sweep_format_double (lo), *h = vs_sweep_format_double (hi);
      return usage_error (error, "%s %s: expected values in %s%s, %s]", option, item,
                          lo_open ? "(" : "[", l, h);
    }
  *out = v;
  return TRUE;
}

static GArray *
parse_doubles (const char *option, const char *text, double lo, gboolean lo_open, double hi,
               GError **error)
{
  g_auto (GStrv) items = split_list (option, text, error);
  if (!items)
    return NULL;
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; items[i]; i++)
    {
      double v;
      if (!parse_number (option, items[i], lo, lo_open, hi, &v, error))
        return NULL;
      for (guint j = 0; j < out->len; j++)
        if (g_array_index (out, double, j) == v)
          {
            usage_error (error, "%s %s: the value %s appears twice", option, text, items[i]);
            return NULL;
          }
      g_array_append_val (out, v);
    }
  return g_steal_pointer (&out);
}

static GArray *
single_double (double v)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (a, v);
  return a;
}

static GArray *
parse_seeds (const char *text, GError **error)
{
  g_auto (GStrv) items = split_list ("--seeds", text, error);
  if (!items)
    return NULL;
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (int i = 0; items[i]; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (items[i], 10, 0, G_MAXINT64, &v, NULL))
        {
          usage_error (error, "--seeds %s: expected non-negative integers", items[i]);
          return NULL;
        }
      for (guint j = 0; j < out->len; j++)
        if (g_array_index (out, guint64, j) == v)
          {
            usage_error (error, "--seeds %s: the seed %s appears twice", text, items[i]);
            return NULL;
          }
      g_array_append_val (out, v);
    }
  return g_steal_pointer (&out);
}

static GArray *
parse_kv_scales (const char *text, GError **error)
{
  g_auto (GStrv) items = split_list ("--kv-scale", text, error);
  if (!items)
    return NULL;
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (VxKvScale));
  for (int i = 0; items[i]; i++)
    {
      VxKvScale s;
      if (!vx_kv_scale_from_string (items[i], &s))
        {
          usage_error (error, "--kv-scale %s: expected per-head, per-tensor, per-batch, "
                       "calibrated or per-channel", items[i]);
          return NULL;
        }
      for (guint j = 0; j < out->len; j++)
        if (g_array_index (out, VxKvScale, j) == s)
          {
            usage_error (error, "--kv-scale %s: the policy %s appears twice", text, items[i]);
            return NULL;
          }
      g_array_append_val (out, s);
    }
  return g_steal_pointer (&out);
}

static gboolean
clip_equal (const VsSweepClip *a, const VsSweepClip *b)
{
  if (a->on != b->on)
    return FALSE;
  return !a->on || (a->alpha == b->alpha && a->beta == b->beta && a->decode == b->decode);
}

static gboolean
add_clip (GArray *clips, const VsSweepClip *c, GError **error)
{
  for (guint j = 0; j < clips->len; j++)
    if (clip_equal (&g_array_index (clips, VsSweepClip, j), c))
      {
        g_autofree char *label = vs_sweep_clip_label (c);
        return usage_error (error, "the ClipFormer setting %s appears twice (from --clip, "
                            "--alpha and --beta)", label);
      }
  g_array_append_val (clips, *c);
  return TRUE;
}

/* "none" or "A:B" or "A:B:physical" or "A:B:renormalised" */
static gboolean
parse_clip_item (const char *item, VxClipDecode base_decode, VsSweepClip *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (g_str_equal (item, "none"))
    return TRUE;
  g_auto (GStrv) parts = g_strsplit (item, ":", -1);
  guint n = g_strv_length (parts);
  if (n < 2 || n > 3)
    return usage_error (error, "--clip %s: expected none, ALPHA:BETA or ALPHA:BETA:READING "
                        "(e.g. 2:0.25 or 2:0.25:renormalised)", item);
  out->on = TRUE;
  out->decode = base_decode;
  if (!parse_number ("--clip alpha", parts[0], 1, FALSE, 1e6, &out->alpha, error)
      || !parse_number ("--clip beta", parts[1], 0, TRUE, 1, &out->beta, error))
    return FALSE;
  if (n == 3 && !vx_clip_decode_from_string (parts[2], &out->decode))
    return usage_error (error, "--clip %s: the reading %s is not physical or renormalised",
                        item, parts[2]);
  return TRUE;
}

static GArray *
parse_clips (const VsSweepSpec *s, GError **error)
{
  g_autoptr (GArray) clips = g_array_new (FALSE, FALSE, sizeof (VsSweepClip));
  if (s->clip)
    {
      g_auto (GStrv) items = split_list ("--clip", s->clip, error);
      if (!items)
        return NULL;
      for (int i = 0; items[i]; i++)
        {
          VsSweepClip c;
          if (!parse_clip_item (items[i], s->base->decode, &c, error) || !add_clip (clips, &c, error))
            return NULL;
        }
    }
  if (s->alpha || s->beta)
    {
      g_autoptr (GArray) alphas = s->alpha ? parse_doubles ("--alpha", s->alpha, 1, FALSE, 1e6, error)
                                           : single_double (s->base->alpha);
      if (!alphas)
        return NULL;
      g_autoptr (GArray) betas = s->beta ? parse_doubles ("--beta", s->beta, 0, TRUE, 1, error)
                                         : single_double (s->base->beta);
      if (!betas)
        return NULL;
      for (guint a = 0; a < alphas->len; a++)
        for (guint b = 0; b < betas->len; b++)
          {
            VsSweepClip c = { TRUE, g_array_index (alphas, double, a),
                                g_array_index (betas, double, b), s->base->decode };
            if (!add_clip (clips, &c, error))
              return NULL;
          }
    }
  if (clips->len == 0)
    {
      VsSweepClip c = { s->base->clipformer, s->base->alpha, s->base->beta, s->base->decode };
      g_array_append_val (clips, c);
    }
  return g_steal_pointer (&clips);
}

char *
vs_sweep_clip_label (const VsSweepClip *c)
{
  if (!c->on)
    return g_strdup ("none");
  g_autofree char *a = vs_sweep_format_double (c->alpha), *b = vs_sweep_format_double (c->beta);
  return g_strdup_printf ("%s:%s%s", a, b, c->decode == VX_CLIP_DECODE_RENORMALISED ? ":renormalised" : "");
}

/* ---- the grid ----------------------------------------------------------------------------- */

static void
grid_compute_id (VsSweepGrid *g)
{
  /* everything that changes a point's result, except what the axes set */
  VxXbarConfig base = g->base;
  base.gamma = 0;
  base.clipformer = FALSE;
  base.alpha = base.beta = 1;
  base.decode = VX_CLIP_DECODE_PHYSICAL;
  base.kv_scale = VX_KV_SCALE_PER_HEAD;
  base.seed = 0;
  if (g->onoff_axis)
    base.g_max = 0;
  g_autoptr (GString) s = g_string_new ("vitx-sweep format 1\n");
  for (guint i = 0; i < g->models->len; i++)
    g_string_append_printf (s, "model %s\n", (char *) g_ptr_array_index (g->models, i));
  /* only with the axis: the ids of sweeps without it stay what they were */
  for (guint i = 0; g->prune_axis && i < g->prune_keeps->len; i++)
    g_string_append_printf (s, "prune %.17g\n", g_array_index (g->prune_keeps, double, i));
  for (guint i = 0; i < g->outlier_scales->len; i++)
    g_string_append_printf (s, "outlier %.17g\n", g_array_index (g->outlier_scales, double, i));
  for (guint i = 0; i < g->kv_scales->len; i++)
    g_string_append_printf (s, "kv %s\n", vx_kv_scale_to_string (g_array_index (g->kv_scales, VxKvScale, i)));
  for (guint i = 0; i < g->clips->len; i++)
    {
      g_autofree char *label = vs_sweep_clip_label (&g_array_index (g->clips, VsSweepClip, i));
      g_string_append_printf (s, "clip %s\n", label);
    }
  for (guint i = 0; g->onoff_axis && i < g->onoffs->len; i++)
    g_string_append_printf (s, "onoff %.17g\n", g_array_index (g->onoffs, double, i));
  for (guint i = 0; i < g->gammas->len; i++)
    g_string_append_printf (s, "gamma %.17g\n", g_array_index (g->gammas, double, i));
  for (guint i = 0; i < g->seeds->len; i++)
    g_string_append_printf (s, "seed %" G_GUINT64_FORMAT "\n", g_array_index (g->seeds, guint64, i));
  g_autofree char *cfg = vx_xbar_config_to_json_string (&base, FALSE);
  g_string_append_printf (s, "outlier_channels %d\ndata %s\nlimit %d\nbatch %d\nsnr %s\nsnr_limit %d\nbase %s\n",
                          g->outlier_channels, g->data ? g->data : "(default)", g->limit, g->batch,
                          vx_snr_mode_to_string (g->snr), g->snr_limit, cfg);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, s->str, s->len);
  memcpy (g->id, sum, 16);
  g->id[16] = 0;
}

void
vs_sweep_grid_free (VsSweepGrid *g)
{
  if (!g)
    return;
  g_clear_pointer (&g->models, g_ptr_array_unref);
  g_clear_pointer (&g->prune_keeps, g_array_unref);
  g_clear_pointer (&g->outlier_scales, g_array_unref);
  g_clear_pointer (&g->kv_scales, g_array_unref);
  g_clear_pointer (&g->clips, g_array_unref);
  g_clear_pointer (&g->onoffs, g_array_unref);
  g_clear_pointer (&g->gammas, g_array_unref);
  g_clear_pointer (&g->seeds, g_array_unref);
  g_free (g->data);
  g_free (g);
}

static gboolean
grid_models (VsSweepGrid *g, char **models, GError **error)
{
  g->models = g_ptr_array_new_with_free_func (g_free);
  if (!models || !models[0])
    {
      char *def = vx_default_model_path (NULL);
      if (!def)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_IO,
                       "no --model given and the shipped model %s was not found "
                       "(set VITX_DATADIR or pass --model)", VX_DEFAULT_MODEL_NAME);
          return FALSE;
        }
      g_ptr_array_add (g->models, def);
      return TRUE;
    }
  for (int i = 0; models[i]; i++)
    {
      if (!models[i][0])
        return usage_error (error, "--model '': an empty file name");
      for (guint j = 0; j < g->models->len; j++)
        if (g_str_equal (g_ptr_array_index (g->models, j), models[i]))
          return usage_error (error, "--model %s: given twice", models[i]);
      g_ptr_array_add (g->models, g_strdup (models[i]));
    }
  return TRUE;
}

static gboolean
grid_seeds (VsSweepGrid *g, const VsSweepSpec *s, GError **error)
{
  if (s->seeds)
    {
      if (s->repeats > 1)
        return usage_error (error, "give the seeds with --seeds or with --seed and --repeats, not both");
      g->seeds = parse_seeds (s->seeds, error);
      return g->seeds != NULL;
    }
  int repeats = MAX (1, s->repeats);
  if (s->base->seed > (guint64) G_MAXINT64 - (guint64) repeats)
    return usage_error (error, "--seed %" G_GUINT64_FORMAT ": too large for %d repeats",
                        s->base->seed, repeats);
  g->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (int r = 0; r < repeats; r++)
    {
      guint64 seed = s->base->seed + (guint64) r;
      g_array_append_val (g->seeds, seed);
    }
  return TRUE;
}

VsSweepGrid *
vs_sweep_grid_new (const VsSweepSpec *s, GError **error)
{
  g_autoptr (VsSweepGrid) g = g_new0 (VsSweepGrid, 1);
  g->base = *s->base;
  g->outlier_channels = s->outlier_channels;
  g->data = g_strdup (s->data);
  g->limit = s->limit;
  g->batch = s->batch;
  g->snr = s->snr;
  g->snr_limit = s->snr_limit;

  g->gammas = s->gamma ? parse_doubles ("--gamma", s->gamma, 0, FALSE, 1000, error)
                       : single_double (s->base->gamma);
  if (!g->gammas)
    return NULL;
  g->onoff_axis = s->onoff != NULL;
  g->onoffs = s->onoff ? parse_doubles ("--onoff", s->onoff, 1, TRUE, 1e6, error)
                       : single_double (vx_xbar_config_onoff (s->base));
  if (!g->onoffs)
    return NULL;
  g->prune_axis = s->prune_keep != NULL;
  g->prune_keeps = s->prune_keep ? parse_doubles ("--prune-keep", s->prune_keep, 0, TRUE, 1, error)
                                 : single_double (0.0);
  if (!g->prune_keeps)
    return NULL;
  g->outlier_scales = s->outlier_scale ? parse_doubles ("--outlier-scale", s->outlier_scale, 1, FALSE, 64, error)
                                       : single_double (1.0);
  if (!g->outlier_scales)
    return NULL;
  if (s->kv_scale)
    g->kv_scales = parse_kv_scales (s->kv_scale, error);
  else
    {
      g->kv_scales = g_array_new (FALSE, FALSE, sizeof (VxKvScale));
      g_array_append_val (g->kv_scales, s->base->kv_scale);
    }
  if (!g->kv_scales)
    return NULL;
  g->clips = parse_clips (s, error);
  if (!g->clips || !grid_seeds (g, s, error) || !grid_models (g, s->models, error))
    return NULL;

  guint64 points = g->models->len;
  guint lens[] = { g->prune_keeps->len, g->outlier_scales->len, g->kv_scales->len, g->clips->len, g->onoffs->len,
                   g->gammas->len, g->seeds->len };
  for (guint i = 0; i < G_N_ELEMENTS (lens); i++)
    {
      points *= lens[i];
      if (points > 10000000)
        {
          usage_error (error, "the grid has more than 10 million points; split it into several sweeps");
          return NULL;
        }
    }
  g->points = (guint) points;

  /* every point must be a valid crossbar setting (beta * G_max above G_min, ...) */
  for (guint i = 0; i < g->points; i++)
    {
      VsSweepPoint p;
      VxXbarConfig cfg;
      g_autoptr (GError) local = NULL;
      vs_sweep_grid_point (g, i, &p);
      vs_sweep_point_config (g, &p, &cfg);
      if (!vx_xbar_config_validate (&cfg, &local))
        {
          g_autofree char *key = vs_sweep_point_key (g, &p);
          usage_error (error, "point %u (%s): %s", i, key, local->message);
          return NULL;
        }
    }
  grid_compute_id (g);
  return g_steal_pointer (&g);
}

void
vs_sweep_grid_point (const VsSweepGrid *g, guint index, VsSweepPoint *p)
{
  g_assert (index < g->points);
  guint i = index;
  p->index = index;
  p->seed = g_array_index (g->seeds, guint64, i % g->seeds->len);
  i /= g->seeds->len;
  p->gamma = g_array_index (g->gammas, double, i % g->gammas->len);
  i /= g->gammas->len;
  p->onoff = g_array_index (g->onoffs, double, i % g->onoffs->len);
  i /= g->onoffs->len;
  p->clip = g_array_index (g->clips, VsSweepClip, i % g->clips->len);
  i /= g->clips->len;
  p->kv_scale = g_array_index (g->kv_scales, VxKvScale, i % g->kv_scales->len);
  i /= g->kv_scales->len;
  p->outlier_scale = g_array_index (g->outlier_scales, double, i % g->outlier_scales->len);
  i /= g->outlier_scales->len;
  p->prune_keep = g_array_index (g->prune_keeps, double, i % g->prune_keeps->len);
  i /= g->prune_keeps->len;
  p->model = i;
}

void
vs_sweep_point_config (const VsSweepGrid *g, const VsSweepPoint *p, VxXbarConfig *cfg)
{
  *cfg = g->base;
  cfg->gamma = p->gamma;
  if (g->onoff_axis)
    vx_xbar_config_set_onoff (cfg, p->onoff);
  cfg->clipformer = p->clip.on;
  if (p->clip.on)
    {
      cfg->alpha = p->clip.alpha;
      cfg->beta = p->clip.beta;
      cfg->decode = p->clip.decode;
    }
  cfg->kv_scale = p->kv_scale;
  cfg->seed = p->seed;
}

char *
vs_sweep_point_key (const VsSweepGrid *g, const VsSweepPoint *p)
{
  g_autofree char *s = vs_sweep_format_double (p->outlier_scale);
  g_autofree char *clip = vs_sweep_clip_label (&p->clip);
  g_autofree char *onoff = vs_sweep_format_double (p->onoff);
  g_autofree char *gamma = vs_sweep_format_double (p->gamma);
  g_autofree char *keep = vs_sweep_format_double (p->prune_keep);
  /* ";prune=R" only on a pruning axis: keys without it are those of older sweeps */
  g_autofree char *prune = g->prune_axis ? g_strconcat (";prune=", keep, NULL) : g_strdup ("");
  return g_strdup_printf ("model=%s%s;outlier=%s;kv=%s;clip=%s;onoff=%s;gamma=%s;seed=%" G_GUINT64_FORMAT,
                          (const char *) g_ptr_array_index (g->models, p->model), prune, s,
                          vx_kv_scale_to_string (p->kv_scale), clip, onoff, gamma, p->seed);
}
