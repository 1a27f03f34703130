/* vs-figures.c: the study behind the figure set: settings, evaluations, export */
#define G_LOG_DOMAIN "vs-figures"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "vs-figures-private.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-outlier.h"

const FigClip _vitx_fig_grid[FIG_GRID_N] = {
  { "Untransformed",        "none",      FALSE, 1.0, 1.0 },
  { "ClipFormer (1, 1)",    "(1, 1)",    TRUE,  1.0, 1.0 },
  { "ClipFormer (2, 1)",    "(2, 1)",    TRUE,  2.0, 1.0 },
  { "ClipFormer (1, 0.25)", "(1, 0.25)", TRUE,  1.0, 0.25 },
  { "ClipFormer (2, 0.25)", "(2, 0.25)", TRUE,  2.0, 0.25 },
};

const double _vitx_fig_gammas[FIG_N_GAMMAS] = { 3.0, 4.0, 5.0 };

void
vs_figures_opts_init (VsFiguresOpts *o)
{
  memset (o, 0, sizeof *o);
  vx_xbar_config_init (&o->base);
  o->figures = VS_FIG_ALL;
  o->formats = VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG;
  o->limit = 1000;
  o->repeats = 3;
  o->batch = 64;
  o->snr_limit = 256;
  o->snr = VX_SNR_END_TO_END;
  o->hist_block = 1;
  o->outlier_channels = 2;
  o->width = 900;
  o->height = 600;
  o->scale = 2;
  o->dpi = 300;
}

static const struct {
  const char *name, *alias;
  guint bit;
} figure_names[] = {
  { "radar",    "fig1a",  VS_FIG_RADAR },
  { "hist",     "fig5",   VS_FIG_HIST },
  { "snr",      "fig6",   VS_FIG_SNR },
  { "ablation", "fig8",   VS_FIG_ABLATION },
  { "onoff",    "fig9",   VS_FIG_ONOFF },
  { "hw",       "fig10",  VS_FIG_HW },
  { "table2",   "table",  VS_FIG_TABLE2 },
  { "outlier",  "figx",   VS_FIG_OUTLIER },
};

gboolean
vs_figures_parse_set (const char *list, guint *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (list, ",", -1);
  guint set = 0;
  for (guint i = 0; parts[i]; i++)
    {
      const char *p = g_strstrip (parts[i]);
      guint bit = 0;
      if (!*p)
        continue;
      if (g_ascii_strcasecmp (p, "all") == 0)
        bit = VS_FIG_ALL;
      for (guint k = 0; k < G_N_ELEMENTS (figure_names) && !bit; k++)
        if (g_ascii_strcasecmp (p, figure_names[k].name) == 0
            || g_ascii_strcasecmp (p, figure_names[k].alias) == 0)
          bit = figure_names[k].bit;
      if (!bit)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                       "figure \"%s\" is unknown (known: radar, hist, snr, ablation, onoff, hw, "
                       "table2, outlier, all)", p);
          return FALSE;
        }
      set |= bit;
    }
  if (!set)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "no figure named in \"%s\"", list);
      return FALSE;
    }
  *out = set;
  return TRUE;
}

void
vs_figures_result_clear (VsFiguresResult *r)
{
  g_clear_pointer (&r->files, g_ptr_array_unref);
}

/* ---- settings and runs ----------------------------------------------------------------- */

VxXbarConfig
_vitx_fig_config (const FigStudy *s, double gamma, double onoff, const FigClip *clip)
{
  VxXbarConfig c = s->o->base;
  c.gamma = gamma;
  if (onoff > 0)
    vx_xbar_config_set_onoff (&c, onoff);
  c.clipformer = clip->on;
  if (clip->on)
    {
      c.alpha = clip->alpha;
      c.beta = clip->beta;
    }
  return c;
}

/* ASCII, for progress lines and the settings JSON */
static char *
run_label (const VxXbarConfig *c, double outlier_scale)
{
  GString *g = g_string_new (NULL);
  if (g_strcmp0 (c->preset, vx_xbar_preset_name (VX_XBAR_PRESET_SRAM_IMC)) == 0)
    g_string_append (g, "SRAM digital IMC");
  else if (c->sigma_r == 0 && c->sigma_w == 0)
    g_string_append (g, "RRAM, noise-free devices");
  else
    g_string_append_printf (g, "gamma %g, ON/OFF %g", c->gamma, vx_xbar_config_onoff (c));
  if (c->clipformer)
    g_string_append_printf (g, ", ClipFormer (%g, %g)%s", c->alpha, c->beta,
                            c->decode == VX_CLIP_DECODE_RENORMALISED ? " renormalised" : "");
  else
    g_string_append (g, ", untransformed");
  if (c->kv_scale != VX_KV_SCALE_PER_HEAD)
    g_string_append_printf (g, ", %s K/V scale", vx_kv_scale_to_string (c->kv_scale));
  if (outlier_scale != 1.0)
    g_string_append_printf (g, ", outlier s %g", outlier_scale);
  return g_string_free (g, FALSE);
}

static void
fig_run_free (gpointer p)
{
  FigRun *r = p;
  g_free (r->key);
  g_free (r->label);
  vx_xbar_eval_result_clear (&r->res);
  g_free (r);
}

static FigRun *
fig_run_full (FigStudy *s, const VxXbarConfig *cfg, double outlier_scale, gboolean from_source,
              int repeats, gboolean observe)
{
  g_autofree char *json = vx_xbar_config_to_json_string (cfg, FALSE);
  g_autofree char *key = g_strdup_printf ("%s|s=%.17g|source=%d", json, outlier_scale, from_source);
  FigRun *r = g_hash_table_lookup (s->index, key);
  if (r)
    {
      /* a finished run only answers; merging happens while planning */
      g_assert (s->planning || r->done);
      if (s->planning)
        {
          r->repeats = MAX (r->repeats, repeats);
          r->observe = r->observe || observe;
        }
      return r;
    }
  g_assert (s->planning);
  r = g_new0 (FigRun, 1);
  r->key = g_steal_pointer (&key);
  r->label = run_label (cfg, outlier_scale);
  if (from_source)
    {
      char *l = g_strconcat (r->label, " (of the model without --outlier-scale)", NULL);
      g_free (r->label);
      r->label = l;
    }
  r->cfg = *cfg;
  r->outlier_scale = outlier_scale;
  r->from_source = from_source;
  r->repeats = MAX (1, repeats);
  r->observe = observe;
  g_ptr_array_add (s->runs, r);
  g_hash_table_insert (s->index, r->key, r);
  return r;
}

FigRun *
_vitx_fig_run (FigStudy *s, const VxXbarConfig *cfg, double outlier_scale, int repeats,
               gboolean observe)
{
  return fig_run_full (s, cfg, outlier_scale, FALSE, repeats, observe);
}

FigRun *
_vitx_fig_run_outlier (FigStudy *s, const VxXbarConfig *cfg, double outlier_scale, int repeats)
{
  return fig_run_full (s, cfg, outlier_scale, s->o->outlier_source != NULL, repeats, FALSE);
}

double
_vitx_fig_top1_pct (const FigRun *r)
{
  return r->done ? 100.0 * r->res.top1_mean : NAN;
}

double
_vitx_fig_top1_std_pct (const FigRun *r)
{
  return r->done ? 100.0 * r->res.top1_std : NAN;
}

char *
_vitx_fig_top1_runs_pct (const FigRun *r)
{
  GString *g = g_string_new (NULL);
  for (int i = 0; r->done && i < r->res.repeats_done; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      if (i)
        g_string_append_c (g, ' ');
      g_string_append (g, g_ascii_dtostr (num, sizeof num, 100.0 * r->res.top1[i]));
    }
  return g_string_free (g, FALSE);
}

/* ---- evaluation -------------------------------------------------------------------------- */

typedef struct {
  FigStudy   *s;
  const char *what;
  gint64      base;   /* image passes done before this evaluation */
} ProgressCtx;

static void
on_progress (void *user, int done, int total)
{
  ProgressCtx *p = user;
  p->s->done = p->base + done;
  if (p->s->progress)
    p->s->progress (p->s->user, p->what, p->s->done, p->s->total);
}

static gboolean
on_cancelled (void *user)
{
  ProgressCtx *p = user;
  return p->s->cancelled && p->s->cancelled (p->s->user);
}

static gboolean
evaluate_software (FigStudy *s, GError **error)
{
  const VsFiguresOpts *o = s->o;
  ProgressCtx pc = { s, "software (float network)", s->done };
  VxEvalOpts eo = {
    .batch = o->batch, .limit = s->n, .threads = o->threads,
    .progress = on_progress, .cancelled = on_cancelled, .user = &pc,
  };
  VxEvalResult er;
  if (!vx_eval_run (o->model, o->data, &eo, &er, error))
    return FALSE;
  s->software_top1 = er.top1;
  s->done = pc.base + s->n;
  vx_eval_result_clear (&er);
  return TRUE;
}

static gboolean
evaluate_run (FigStudy *s, FigRun *r, GError **error)
{
  const VsFiguresOpts *o = s->o;
  const VxModel *m = o->model;
  g_autoptr (VxModel) transformed = NULL;
  if (r->from_source && r->outlier_scale == 1.0)
    m = o->outlier_source;
  else if (r->outlier_scale != 1.0)
    {
      VxOutlierOpts oo;
      vx_outlier_opts_init (&oo);
      oo.scale = r->outlier_scale;
      oo.channels = o->outlier_channels;
      transformed = vx_outlier_apply (o->outlier_source ? o->outlier_source : o->model, &oo, error);
      if (!transformed)
        return FALSE;
      m = transformed;
    }
  ProgressCtx pc = { s, r->label, s->done };
  VxXbarEvalOpts eo = {
    .repeats = r->repeats, .batch = o->batch, .limit = s->n, .threads = o->threads,
    .snr = o->snr, .snr_limit = s->snr_images, .observe = r->observe,
    .progress = on_progress, .cancelled = on_cancelled, .user = &pc,
  };
  if (!vx_xbar_eval_run (m, o->data, &r->cfg, &eo, &r->res, error))
    return FALSE;
  r->done = TRUE;
  s->done = pc.base + (gint64) s->n * r->repeats;
  s->result->runs++;
  s->result->images += (gint64) s->n * r->repeats;
  return TRUE;
}

/* ---- export ---------------------------------------------------------------------------------- */

VxChartCommon
_vitx_fig_common (const FigStudy *s, const char *title, const char *subtitle)
{
  VxChartCommon c = { 0 };
  c.title = title;
  c.subtitle = subtitle;
  c.variant = s->o->dark ? VX_CHART_VARIANT_DARK : VX_CHART_VARIANT_LIGHT;
  c.font_scale = 1.0;
  return c;
}

char *
_vitx_fig_scope (const FigStudy *s)
{
  return g_strdup_printf ("%s, %d images, %d repeat%s", s->model_label, s->n, s->o->repeats,
                          s->o->repeats == 1 ? "" : "s");
}

static char *
settings_json (FigStudy *s, const char *figure, FigRun *const *runs, guint n_runs, JsonNode *extra)
{
  const VsFiguresOpts *o = s->o;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, "vitx figures");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "figure");
  json_builder_add_string_value (b, figure);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, o->model->path ? o->model->path : "");
  const char *outlier = vx_model_get_meta (o->model, "vitx.outlier");
  if (outlier)
    {
      json_builder_set_member_name (b, "model_outlier");
      json_builder_add_string_value (b, outlier);
    }
  double keep = vx_model_prune_keep (o->model);
  if (keep < 1.0)
    {
      json_builder_set_member_name (b, "prune_keep");
      json_builder_add_double_value (b, keep);
    }
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, o->data->source ? o->data->source : "");
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, o->limit);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, s->n);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, o->repeats);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) o->base.seed);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, o->batch);
  json_builder_set_member_name (b, "snr_mode");
  json_builder_add_string_value (b, vx_snr_mode_to_string (o->snr));
  json_builder_set_member_name (b, "snr_images");
  json_builder_add_int_value (b, s->snr_images);
  json_builder_set_member_name (b, "software_top1");
  json_builder_add_double_value (b, s->software_top1);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, vx_xbar_config_to_json (&o->base));
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_runs; i++)
    {
      const FigRun *r = runs[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, r->label);
      json_builder_set_member_name (b, "outlier_scale");
      json_builder_add_double_value (b, r->outlier_scale);
      if (r->outlier_scale != 1.0)
        {
          json_builder_set_member_name (b, "outlier_channels");
          json_builder_add_int_value (b, o->outlier_channels);
        }
      json_builder_set_member_name (b, "repeats");
      json_builder_add_int_value (b, r->repeats);
      json_builder_set_member_name (b, "config");
      json_builder_add_value (b, vx_xbar_config_to_json (&r->cfg));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (extra)
    {
      JsonObject *eo = json_node_get_object (extra);
      g_autoptr (GList) members = json_object_get_members (eo);
      for (GList *l = members; l; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_object_dup_member (eo, l->data));
        }
      json_node_unref (extra);
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
report (FigStudy *s, const char *what)
{
  if (s->progress)
    s->progress (s->user, what, s->done, s->total);
}

gboolean
_vitx_fig_export (FigStudy *s, const char *name, VxChartRenderFunc func, gconstpointer model,
                  const VxChartTable *table, FigRun *const *runs, guint n_runs, JsonNode *extra,
                  GError **error)
{
  const VsFiguresOpts *o = s->o;
  g_autofree char *json = settings_json (s, name, runs, n_runs, extra);
  g_autofree char *what = g_strdup_printf ("writing %s", name);
  report (s, what);
  VxChartExportOptions eo;
  vx_chart_export_options_init (&eo, o->width, o->height);
  eo.scale = o->scale;
  eo.dpi = o->dpi;
  eo.software = "vitx " PACKAGE_VERSION;
  eo.settings_json = json;
  VxChartFormats formats = o->formats & (VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG);
  if (table)
    formats |= VX_CHART_FORMAT_CSV;
  if (!vx_chart_export_files (o->out_dir, name, formats, func, model, table, &eo, error))
    return FALSE;
  static const struct { VxChartFormats f; const char *ext; } exts[] = {
    { VX_CHART_FORMAT_PNG, "png" }, { VX_CHART_FORMAT_SVG, "svg" }, { VX_CHART_FORMAT_CSV, "csv" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (formats & exts[i].f)
      {
        g_autofree char *base = g_strdup_printf ("%s.%s", name, exts[i].ext);
        g_ptr_array_add (s->result->files, g_build_filename (o->out_dir, base, NULL));
      }
  return TRUE;
}

gboolean
_vitx_fig_write_text (FigStudy *s, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (s->o->out_dir, name, NULL);
  g_autoptr (GError) local = NULL;
  if (g_mkdir_with_parents (s->o->out_dir, 0755) != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot create the directory: %s",
                   s->o->out_dir, g_strerror (errno));
      return FALSE;
    }
  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  g_ptr_array_add (s->result->files, g_steal_pointer (&path));
  return TRUE;
}

/* ---- the whole job ---------------------------------------------------------------------------- */

typedef gboolean (*FigFunc) (FigStudy *s, GError **error);

static const struct {
  guint   bit;
  FigFunc func;
} figure_funcs[] = {
  { VS_FIG_RADAR,    _vitx_fig_radar },
  { VS_FIG_HIST,     _vitx_fig_hist },
  { VS_FIG_SNR,      _vitx_fig_snr },
  { VS_FIG_ABLATION, _vitx_fig_ablation },
  { VS_FIG_ONOFF,    _vitx_fig_onoff },
  { VS_FIG_HW,       _vitx_fig_hw },
  { VS_FIG_TABLE2,   _vitx_fig_table2 },
  { VS_FIG_OUTLIER,  _vitx_fig_outlier },
};

static gboolean
check_opts (const VsFiguresOpts *o, GError **error)
{
  const char *bad = NULL;
  if (!o->model || !o->data || !o->out_dir)
    bad = "model, data and output directory are required";
  else if (o->limit < 0 || o->snr_limit < 0)
    bad = "limit and SNR limit must be >= 0";
  else if (o->repeats < 1 || o->repeats > 1000)
    bad = "repeats must be 1..1000";
  else if (o->batch < 0 || o->batch > 4096 || o->threads < 0)
    bad = "batch must be 0..4096 and threads >= 0";
  else if (o->hist_block < 1 || o->hist_block > o->model->arch.depth)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "histogram block %d: the model has blocks 1..%d", o->hist_block,
                   o->model->arch.depth);
      return FALSE;
    }
  else if (!(o->width >= 200 && o->width <= 10000 && o->height >= 150 && o->height <= 10000))
    bad = "figure size must be 200..10000 x 150..10000 pixels";
  else if (!(o->scale > 0 && o->scale <= 10 && o->dpi > 0 && o->dpi <= 10000))
    bad = "scale must be in (0, 10] and dpi in (0, 10000]";
  else if (!(o->formats & (VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG)))
    bad = "at least one of PNG and SVG must be asked for";
  else if (o->outlier_channels < 1 || o->outlier_channels > vx_arch_head_dim (&o->model->arch))
    bad = "outlier channels must be 1..head dimension";
  if (bad)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "%s", bad);
      return FALSE;
    }
  return vx_xbar_config_validate (&o->base, error);
}

gboolean
vs_figures_run (const VsFiguresOpts *o, VsFiguresProgress progress,
                  VsFiguresCancelled cancelled, void *user, VsFiguresResult *result,
                  GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  memset (result, 0, sizeof *result);
  result->files = g_ptr_array_new_with_free_func (g_free);
  if (!check_opts (o, error))
    return FALSE;

  FigStudy s = { 0 };
  s.o = o;
  s.model_label = o->model_label ? g_strdup (o->model_label)
                  : o->model->path ? g_path_get_basename (o->model->path) : g_strdup ("model");
  if (!o->model_label && g_str_has_suffix (s.model_label, ".safetensors"))
    s.model_label[strlen (s.model_label) - strlen (".safetensors")] = 0;
  s.runs = g_ptr_array_new_with_free_func (fig_run_free);
  s.index = g_hash_table_new (g_str_hash, g_str_equal);
  s.n = o->limit > 0 ? MIN (o->limit, o->data->n) : o->data->n;
  s.snr_images = o->snr_limit > 0 ? MIN (o->snr_limit, s.n) : s.n;
  s.progress = progress;
  s.cancelled = cancelled;
  s.user = user;
  s.result = result;
  guint figures = o->figures ? o->figures : VS_FIG_ALL;

  gboolean ok = TRUE;
  s.planning = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (figure_funcs) && ok; i++)
    if (figures & figure_funcs[i].bit)
      ok = figure_funcs[i].func (&s, error);
  s.planning = FALSE;

  s.total = s.n;
  for (guint i = 0; i < s.runs->len; i++)
    s.total += (gint64) s.n * ((FigRun *) s.runs->pdata[i])->repeats;
  if (ok && s.n == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY, "%s: the dataset has no images",
                   o->data->source ? o->data->source : "data");
      ok = FALSE;
    }
  if (ok)
    ok = evaluate_software (&s, error);
  for (guint i = 0; i < s.runs->len && ok; i++)
    ok = evaluate_run (&s, s.runs->pdata[i], error);
  for (guint i = 0; i < G_N_ELEMENTS (figure_funcs) && ok; i++)
    if (figures & figure_funcs[i].bit)
      ok = figure_funcs[i].func (&s, error);

  g_hash_table_unref (s.index);
  g_ptr_array_unref (s.runs);
  g_free (s.model_label);
  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return ok;
}
