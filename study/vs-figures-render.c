/* vs-figures-render.c: what each figure of `vitx figures` computes and draws */
#define G_LOG_DOMAIN "vs-figures-render"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vs-figures-private.h"

/* series colours (theme indices), the same design always in the same colour,
 * as in the explorer: untransformed, ClipFormer, SRAM, ideal */
enum { COLOR_PLAIN = 0, COLOR_CLIP = 1, COLOR_SRAM = 2, COLOR_IDEAL = 3 };

/* y range of a line chart: the data with their error bars, widened to at
 * least min_span so that noise between equal settings does not look like a trend */
static void
y_range (const double *y, const double *err, guint n, double min_span, double floor_lo,
         double *lo, double *hi)
{
  double a = INFINITY, b = -INFINITY;
  for (guint i = 0; i < n; i++)
    if (isfinite (y[i]))
      {
        double e = err && isfinite (err[i]) ? err[i] : 0.0;
        a = MIN (a, y[i] - e);
        b = MAX (b, y[i] + e);
      }
  if (!isfinite (a))
    {
      *lo = *hi = 0.0;   /* equal: automatic */
      return;
    }
  if (b - a < min_span)
    {
      double c = 0.5 * (a + b);
      a = c - 0.5 * min_span;
      b = c + 0.5 * min_span;
    }
  double pad = 0.08 * (b - a);
  *lo = MAX (a - pad, floor_lo);
  *hi = b + pad;
}

static JsonNode *
kv_stats_node (const FigRun *r, int block)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kv_stats_block");
  json_builder_add_int_value (b, block + 1);
  json_builder_set_member_name (b, "kv_stats_k");
  json_builder_add_value (b, vx_kv_stats_to_json (&r->res.kv_stats[block * 2]));
  json_builder_set_member_name (b, "kv_stats_v");
  json_builder_add_value (b, vx_kv_stats_to_json (&r->res.kv_stats[block * 2 + 1]));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- Fig. 1a: radar, RRAM vs SRAM ------------------------------------------------------- */

/* the SRAM digital-IMC preset with the base configuration's precision and policies */
static VxXbarConfig
sram_config (const FigStudy *s)
{
  const VxXbarConfig *b = &s->o->base;
  VxXbarConfig c;
  vx_xbar_config_init_preset (&c, VX_XBAR_PRESET_SRAM_IMC);
  c.weight_bits = b->weight_bits;
  c.input_bits = b->input_bits;
  c.xbar_size = b->xbar_size;
  c.kv_scale = b->kv_scale;
  c.static_noise = b->static_noise;
  c.analog = b->analog;
  c.mode = b->mode;
  c.seed = b->seed;
  return c;
}

enum { RADAR_ACC, RADAR_AREA, RADAR_ENERGY, RADAR_LOSS_HI, RADAR_LOSS_LO, RADAR_SNR, RADAR_N };
enum { SER_IDEAL, SER_PLAIN, SER_CLIP, SER_SRAM, SER_N };

gboolean
_vitx_fig_radar (FigStudy *s, GError **error)
{
  const VsFiguresOpts *o = s->o;
  double gamma = o->base.gamma, g_lo = _vitx_fig_gammas[0], g_hi = _vitx_fig_gammas[2];
  VxXbarConfig cfg[SER_N];
  cfg[SER_IDEAL] = _vitx_fig_config (s, 0.0, 0.0, FIG_CLIP_NONE);
  cfg[SER_IDEAL].sigma_r = cfg[SER_IDEAL].sigma_w = 0.0;
  cfg[SER_PLAIN] = _vitx_fig_config (s, gamma, 0.0, FIG_CLIP_NONE);
  cfg[SER_CLIP] = _vitx_fig_config (s, gamma, 0.0, FIG_CLIP_2_025);
  cfg[SER_SRAM] = sram_config (s);
  /* noise-free arrays give the same answer for every seed: one repeat */
  FigRun *at[SER_N], *lo[SER_N], *hi[SER_N];
  at[SER_IDEAL] = lo[SER_IDEAL] = hi[SER_IDEAL] = _vitx_fig_run (s, &cfg[SER_IDEAL], 1.0, 1, FALSE);
  at[SER_SRAM] = lo[SER_SRAM] = hi[SER_SRAM] = _vitx_fig_run (s, &cfg[SER_SRAM], 1.0, 1, FALSE);
  for (int k = SER_PLAIN; k <= SER_CLIP; k++)
    {
      const FigClip *clip = k == SER_PLAIN ? FIG_CLIP_NONE : FIG_CLIP_2_025;
      VxXbarConfig c_lo = _vitx_fig_config (s, g_lo, 0.0, clip);
      VxXbarConfig c_hi = _vitx_fig_config (s, g_hi, 0.0, clip);
      at[k] = _vitx_fig_run (s, &cfg[k], 1.0, o->repeats, FALSE);
      lo[k] = _vitx_fig_run (s, &c_lo, 1.0, o->repeats, FALSE);
      hi[k] = _vitx_fig_run (s, &c_hi, 1.0, o->repeats, FALSE);
    }
  if (s->planning)
    return TRUE;

  VxHwReport hw[SER_N];
  for (int k = 0; k < SER_N; k++)
    if (!vx_hw_estimate (&o->model->arch, k == SER_IDEAL ? &cfg[SER_PLAIN] : &cfg[k], &hw[k], error))
      return FALSE;

  double values[SER_N][RADAR_N];
  double sw = 100.0 * s->software_top1;
  double max_area = 0, max_energy = 0, max_loss = 0, min_loss = 0, max_snr = 0;
  for (int k = 0; k < SER_N; k++)
    {
      double *v = values[k];
      v[RADAR_ACC] = _vitx_fig_top1_pct (at[k]);
      v[RADAR_AREA] = hw[k].attn_area_mm2;
      v[RADAR_ENERGY] = hw[k].attn_energy_uj;
      v[RADAR_LOSS_LO] = sw - _vitx_fig_top1_pct (lo[k]);
      v[RADAR_LOSS_HI] = sw - _vitx_fig_top1_pct (hi[k]);
      /* a block without measurable error counts with the cap (200 dB), a lower bound */
      v[RADAR_SNR] = at[k]->res.snr_db ? at[k]->res.snr_mean_db : NAN;
      max_area = MAX (max_area, v[RADAR_AREA]);
      max_energy = MAX (max_energy, v[RADAR_ENERGY]);
      max_loss = MAX (max_loss, MAX (v[RADAR_LOSS_LO], v[RADAR_LOSS_HI]));
      min_loss = MIN (min_loss, MIN (v[RADAR_LOSS_LO], v[RADAR_LOSS_HI]));
      if (isfinite (v[RADAR_SNR]))
        max_snr = MAX (max_snr, v[RADAR_SNR]);
    }

  g_autofree char *acc_name = g_strdup_printf ("Top-1 accuracy, γ = %g", gamma);
  g_autofree char *snr_name = g_strdup_printf ("⟨SNR⟩, γ = %g", gamma);
  g_autofree char *lo_name = g_strdup_printf ("Accuracy loss, γ = %g", g_lo);
  g_autofree char *hi_name = g_strdup_printf ("Accuracy loss, γ = %g", g_hi);
  int K = o->model->arch.num_classes;
  double loss_max = max_loss > 0 ? ceil (max_loss * 1.15) : 1.0;
  VxChartRadarAxis axes[RADAR_N] = {
    [RADAR_ACC] = { acc_name, "%", K > 1 ? 100.0 / K : 0.0, 100.0, FALSE, 0 },
    [RADAR_AREA] = { "Attention area", "mm²", 0.0, max_area * 1.15, TRUE, max_area < 8 ? 2 : 0 },
    [RADAR_ENERGY] = { "Attention energy", "µJ/image", 0.0, max_energy * 1.15, TRUE,
                       max_energy < 8 ? 2 : 0 },
    [RADAR_LOSS_HI] = { hi_name, "pp", MIN (0.0, floor (min_loss)), loss_max, TRUE, 0 },
    [RADAR_LOSS_LO] = { lo_name, "pp", MIN (0.0, floor (min_loss)), loss_max, TRUE, 0 },
    [RADAR_SNR] = { snr_name, "dB", 0.0, max_snr > 0 ? ceil (max_snr * 1.15) : 1.0, FALSE, 0 },
  };
  VxChartRadarSeries series[SER_N] = {
    [SER_IDEAL] = { "Ideal RRAM (noise-free devices)", values[SER_IDEAL], COLOR_IDEAL },
    [SER_PLAIN] = { "RRAM untransformed", values[SER_PLAIN], COLOR_PLAIN },
    [SER_CLIP] = { "RRAM + ClipFormer (2, 0.25)", values[SER_CLIP], COLOR_CLIP },
    [SER_SRAM] = { "SRAM digital IMC", values[SER_SRAM], COLOR_SRAM },
  };
  g_autofree char *scope = _vitx_fig_scope (s);
  g_autofree char *sub = g_strdup_printf ("%s; loss = software %.2f%% − crossbar accuracy; SRAM costs fitted to "
                                       "the paper's Fig. 1a ratios", scope, sw);
  VxChartRadar m = { 0 };
  m.base = _vitx_fig_common (s, "Attention on RRAM vs SRAM (paper Fig. 1a)", sub);
  m.axes = axes;
  m.n_axes = RADAR_N;
  m.series = series;
  m.n_series = SER_N;
  g_autoptr (VxChartTable) table = vx_chart_radar_to_table (&m);
  FigRun *runs[] = { at[SER_IDEAL], at[SER_SRAM], at[SER_PLAIN], lo[SER_PLAIN], hi[SER_PLAIN],
                     at[SER_CLIP], lo[SER_CLIP], hi[SER_CLIP] };
  return _vitx_fig_export (s, "fig1a-radar", vx_chart_radar_draw, &m, table, runs,
                           G_N_ELEMENTS (runs), NULL, error);
}

/* ---- Fig. 5: K/V conductance histograms -------------------------------------------------- */

/* the active cell of every G+/G- pair: both arrays summed, minus the idle
 * partner that every value leaves at level 0 (G_min, bin 0) */
static double *
active_counts (const VxXbarHist *h, int stage)
{
  double *c = g_new0 (double, h->bins);
  const guint64 *gp = vx_xbar_hist_row (h, stage, 0), *gm = vx_xbar_hist_row (h, stage, 1);
  for (int k = 0; k < h->bins; k++)
    c[k] = (double) gp[k] + (double) gm[k];
  c[0] -= (double) h->cells[stage][0];
  return c;
}

static gboolean
hist_one (FigStudy *s, FigRun *const *runs, int block, int kv, GError **error)
{
  const VxXbarHist *h[3];
  double *counts[3];
  for (int i = 0; i < 3; i++)
    {
      h[i] = &runs[i]->res.hists[block * 2 + kv];
      counts[i] = active_counts (h[i], 1);
    }
  const VxXbarConfig *clip = &runs[2]->cfg;
  g_autofree char *shift_label = g_strdup_printf ("α·G_min = %g µS (stage I)", clip->alpha * clip->g_min);
  g_autofree char *clip_label = g_strdup_printf ("β·G_max = %g µS (stage II)", clip->beta * clip->g_max);
  VxChartHistogramSeries series[3] = {
    { "Untransformed", counts[0], VX_CHART_HISTOGRAM_FILLED, COLOR_PLAIN },
    { "ClipFormer (2, 1)", counts[1], VX_CHART_HISTOGRAM_OUTLINE, COLOR_CLIP },
    { "ClipFormer (2, 0.25)", counts[2], VX_CHART_HISTOGRAM_OUTLINE, COLOR_SRAM },
  };
  g_autofree char *title = g_strdup_printf ("%s conductances of block %d of %d (paper Fig. 5)",
                                            kv ? "V" : "K", block + 1, s->o->model->arch.depth);
  g_autofree char *sub = g_strdup_printf ("%s, %d images; active cell of each G+/G− pair, before noise",
                                          s->model_label, runs[0]->res.observed_images);
  VxChartHistogram m = { 0 };
  m.base = _vitx_fig_common (s, title, sub);
  m.n_bins = h[0]->bins;
  m.x_min = h[0]->g_lo;
  m.x_max = h[0]->g_hi;
  m.series = series;
  m.n_series = 3;
  m.log_y = TRUE;
  m.shift = (VxChartMarkerLine) { clip->alpha * clip->g_min, shift_label };
  m.clip = (VxChartMarkerLine) { clip->beta * clip->g_max, clip_label };
  m.y_title = "Count (cells, log scale)";
  g_autoptr (VxChartTable) table = vx_chart_histogram_to_table (&m);
  gboolean ok = _vitx_fig_export (s, kv ? "fig5-hist-v" : "fig5-hist-k", vx_chart_histogram_draw, &m,
                                  table, runs, 3, kv_stats_node (runs[0], block), error);
  for (int i = 0; i < 3; i++)
    g_free (counts[i]);
  return ok;
}

gboolean
_vitx_fig_hist (FigStudy *s, GError **error)
{
  /* conductances before noise do not depend on gamma: the gamma 4 runs of Fig. 6 */
  const FigClip *clips[3] = { FIG_CLIP_NONE, FIG_CLIP_2_1, FIG_CLIP_2_025 };
  FigRun *runs[3];
  for (int i = 0; i < 3; i++)
    {
      VxXbarConfig c = _vitx_fig_config (s, 4.0, 0.0, clips[i]);
      runs[i] = _vitx_fig_run (s, &c, 1.0, s->o->repeats, TRUE);
    }
  if (s->planning)
    return TRUE;
  int block = s->o->hist_block - 1;
  return hist_one (s, runs, block, 0, error) && hist_one (s, runs, block, 1, error);
}

/* ---- Fig. 6: SNR ----------------------------------------------------------------------------------- */

static gboolean
snr_blocks (FigStudy *s, FigRun *const *runs, guint n_runs, double gamma, GError **error)
{
  int depth = s->o->model->arch.depth;
  g_autoptr (GPtrArray) cats = g_ptr_array_new_with_free_func (g_free);
  for (int l = 0; l < depth; l++)
    g_ptr_array_add (cats, g_strdup_printf ("%d", l + 1));
  double *values = g_new0 (double, (size_t) depth * n_runs);
  VxChartBarSeries series[3];
  gboolean capped = FALSE;
  for (guint i = 0; i < n_runs; i++)
    {
      const VxXbarEvalResult *r = &runs[i]->res;
      for (int l = 0; l < depth; l++)
        {
          gboolean cap = !r->snr_db || r->snr_capped[l];
          capped = capped || (r->snr_db && r->snr_capped[l]);
          values[i * depth + l] = cap ? NAN : r->snr_db[l];
        }
      series[i] = (VxChartBarSeries) { i == 0 ? "Untransformed" : i == 1 ? "ClipFormer (2, 1)"
                                                                         : "ClipFormer (2, 0.25)",
                                       values + i * depth, NULL,
                                       r->snr_db ? r->snr_mean_db : NAN,
                                       i == 0 ? COLOR_PLAIN : i == 1 ? COLOR_CLIP : COLOR_SRAM };
    }
  g_autofree char *title = g_strdup_printf ("Attention SNR per block at γ = %g (paper Fig. 6 left)", gamma);
  g_autofree char *sub = g_strdup_printf ("%s, %s SNR over %d images%s", s->model_label,
                                          vx_snr_mode_to_string (s->o->snr), runs[0]->res.snr_images,
                                          capped ? "; no bar: identical outputs (∞ dB)" : "");
  VxChartBars m = { 0 };
  m.base = _vitx_fig_common (s, title, sub);
  m.categories = (const char *const *) cats->pdata;
  m.n_categories = depth;
  m.series = series;
  m.n_series = n_runs;
  m.x_title = "Attention block";
  m.y_title = "SNR (dB)";
  m.summary_name = "⟨SNR⟩";
  m.value_unit = "dB";
  m.summary_decimals = 2;
  if (!runs[0]->res.snr_db)
    m.base.empty_message = "SNR was not computed (--snr none)";
  g_autoptr (VxChartTable) table = vx_chart_bars_to_table (&m);
  gboolean ok = _vitx_fig_export (s, "fig6-snr-blocks", vx_chart_bars_draw, &m, table, runs, n_runs,
                                  NULL, error);
  g_free (values);
  return ok;
}

static gboolean
snr_gamma (FigStudy *s, FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS], GError **error)
{
  double y[FIG_GRID_N][FIG_N_GAMMAS], all[FIG_GRID_N * FIG_N_GAMMAS];
  VxChartLineSeries series[FIG_GRID_N];
  for (int c = 0; c < FIG_GRID_N; c++)
    {
      for (int g = 0; g < FIG_N_GAMMAS; g++)
        {
          const VxXbarEvalResult *r = &runs[c][g]->res;
          y[c][g] = r->snr_db ? r->snr_mean_db : NAN;
          all[c * FIG_N_GAMMAS + g] = y[c][g];
        }
      series[c] = (VxChartLineSeries) { _vitx_fig_grid[c].label, _vitx_fig_gammas, y[c], NULL,
                                        FIG_N_GAMMAS, c, FALSE };
    }
  g_autofree char *sub = g_strdup_printf ("%s, %s SNR over %d images", s->model_label,
                                          vx_snr_mode_to_string (s->o->snr), runs[0][0]->res.snr_images);
  VxChartLines m = { 0 };
  m.base = _vitx_fig_common (s, "⟨SNR⟩ vs write-noise factor (paper Fig. 6 right)", sub);
  m.series = series;
  m.n_series = FIG_GRID_N;
  m.x_title = "Write-noise factor γ";
  m.y_title = "⟨SNR⟩, mean over blocks (dB)";
  y_range (all, NULL, G_N_ELEMENTS (all), 2.0, -INFINITY, &m.y_min, &m.y_max);
  if (!runs[0][0]->res.snr_db)
    m.base.empty_message = "SNR was not computed (--snr none)";
  g_autoptr (VxChartTable) table = vx_chart_lines_to_table (&m);
  return _vitx_fig_export (s, "fig6-snr-gamma", vx_chart_lines_draw, &m, table, &runs[0][0],
                           FIG_GRID_N * FIG_N_GAMMAS, NULL, error);
}

static void
grid_runs (FigStudy *s, FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS])
{
  for (int c = 0; c < FIG_GRID_N; c++)
    for (int g = 0; g < FIG_N_GAMMAS; g++)
      {
        VxXbarConfig cfg = _vitx_fig_config (s, _vitx_fig_gammas[g], 0.0, &_vitx_fig_grid[c]);
        runs[c][g] = _vitx_fig_run (s, &cfg, 1.0, s->o->repeats, FALSE);
      }
}

gboolean
_vitx_fig_snr (FigStudy *s, GError **error)
{
  FigRun *grid[FIG_GRID_N][FIG_N_GAMMAS];
  grid_runs (s, grid);
  const FigClip *clips[3] = { FIG_CLIP_NONE, FIG_CLIP_2_1, FIG_CLIP_2_025 };
  FigRun *left[3];
  for (int i = 0; i < 3; i++)
    {
      VxXbarConfig c = _vitx_fig_config (s, 4.0, 0.0, clips[i]);
      left[i] = _vitx_fig_run (s, &c, 1.0, s->o->repeats, FALSE);
    }
  if (s->planning)
    return TRUE;
  return snr_blocks (s, left, 3, 4.0, error) && snr_gamma (s, grid, error);
}

/* ---- Fig. 8: the ablation ------------------------------------------------------------------------- */

/* every grid setting: the numbers behind Fig. 8 and Table II */
static VxChartTable *
grid_table (const FigStudy *s, FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS])
{
  static const char *const cols[] = {
    "setting", "clipformer", "alpha", "beta", "gamma", "images", "repeats", "top1_mean_pct",
    "top1_std_pct", "top1_runs_pct", "snr_mean_db",
  };
  VxChartTable *t = vx_chart_table_new (G_N_ELEMENTS (cols), cols);
  for (int c = 0; c < FIG_GRID_N; c++)
    for (int g = 0; g < FIG_N_GAMMAS; g++)
      {
        const FigRun *r = runs[c][g];
        g_autofree char *each = _vitx_fig_top1_runs_pct (r);
        vx_chart_table_add_string (t, _vitx_fig_grid[c].label);
        vx_chart_table_add_uint (t, r->cfg.clipformer);
        vx_chart_table_add_number (t, r->cfg.clipformer ? r->cfg.alpha : NAN);
        vx_chart_table_add_number (t, r->cfg.clipformer ? r->cfg.beta : NAN);
        vx_chart_table_add_number (t, r->cfg.gamma);
        vx_chart_table_add_uint (t, r->res.n);
        vx_chart_table_add_uint (t, r->res.repeats_done);
        vx_chart_table_add_number (t, _vitx_fig_top1_pct (r));
        vx_chart_table_add_number (t, _vitx_fig_top1_std_pct (r));
        vx_chart_table_add_string (t, each);
        vx_chart_table_add_number (t, r->res.snr_db ? r->res.snr_mean_db : NAN);
      }
  return t;
}

gboolean
_vitx_fig_ablation (FigStudy *s, GError **error)
{
  FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS];
  grid_runs (s, runs);
  if (s->planning)
    return TRUE;

  double acc[FIG_GRID_N * FIG_N_GAMMAS];
  const char *row_labels[FIG_GRID_N], *col_labels[FIG_N_GAMMAS];
  char col_text[FIG_N_GAMMAS][32];
  for (int c = 0; c < FIG_GRID_N; c++)
    {
      row_labels[c] = _vitx_fig_grid[c].label;
      for (int g = 0; g < FIG_N_GAMMAS; g++)
        acc[c * FIG_N_GAMMAS + g] = _vitx_fig_top1_pct (runs[c][g]);
    }
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    {
      g_snprintf (col_text[g], sizeof col_text[g], "γ = %g", _vitx_fig_gammas[g]);
      col_labels[g] = col_text[g];
    }
  g_autofree char *scope = _vitx_fig_scope (s);
  g_autofree char *sub = g_strdup_printf ("%s; software %.2f%%", scope, 100.0 * s->software_top1);
  VxChartHeatmap hm = { 0 };
  hm.base = _vitx_fig_common (s, "Accuracy over the ClipFormer ablation (paper Fig. 8)", sub);
  hm.n_rows = FIG_GRID_N;
  hm.n_cols = FIG_N_GAMMAS;
  hm.values = acc;
  hm.row_labels = row_labels;
  hm.col_labels = col_labels;
  hm.x_title = "Write-noise factor";
  hm.y_title = "ClipFormer (α, β)";
  hm.value_title = "Top-1 accuracy, mean (%)";
  hm.rows_top_down = TRUE;
  hm.value_decimals = 2;
  g_autoptr (VxChartTable) table = grid_table (s, runs);
  if (!_vitx_fig_export (s, "fig8-ablation-heatmap", vx_chart_heatmap_draw, &hm, table, &runs[0][0],
                         FIG_GRID_N * FIG_N_GAMMAS, NULL, error))
    return FALSE;

  double mean[FIG_GRID_N][FIG_N_GAMMAS], err[FIG_GRID_N][FIG_N_GAMMAS];
  VxChartBarSeries series[FIG_GRID_N];
  for (int c = 0; c < FIG_GRID_N; c++)
    {
      for (int g = 0; g < FIG_N_GAMMAS; g++)
        {
          mean[c][g] = _vitx_fig_top1_pct (runs[c][g]);
          err[c][g] = _vitx_fig_top1_std_pct (runs[c][g]);
        }
      series[c] = (VxChartBarSeries) { _vitx_fig_grid[c].label, mean[c], err[c], NAN, c };
    }
  g_autofree char *sub2 = g_strdup_printf ("%s; error bars: ±1 std over repeats; software %.2f%%",
                                           scope, 100.0 * s->software_top1);
  VxChartBars bars = { 0 };
  bars.base = _vitx_fig_common (s, "Accuracy over the ClipFormer ablation (paper Fig. 8)", sub2);
  bars.categories = col_labels;
  bars.n_categories = FIG_N_GAMMAS;
  bars.series = series;
  bars.n_series = FIG_GRID_N;
  bars.x_title = "Write-noise factor";
  bars.y_title = "Top-1 accuracy (%)";
  bars.y_min = 0.0;
  bars.y_max = 100.0;
  g_autoptr (VxChartTable) bars_table = vx_chart_bars_to_table (&bars);
  return _vitx_fig_export (s, "fig8-ablation-bars", vx_chart_bars_draw, &bars, bars_table,
                           &runs[0][0], FIG_GRID_N * FIG_N_GAMMAS, NULL, error);
}

/* ---- Fig. 9: ON/OFF ratio ------------------------------------------------------------------------- */

#define ONOFF_N 3
static const double onoffs[ONOFF_N] = { 25.0, 50.0, 100.0 };

gboolean
_vitx_fig_onoff (FigStudy *s, GError **error)
{
  const FigClip *clips[2] = { FIG_CLIP_NONE, FIG_CLIP_2_1 };
  const double gammas[2] = { 3.0, 4.0 };
  FigRun *runs[2][2][ONOFF_N];
  for (int c = 0; c < 2; c++)
    for (int g = 0; g < 2; g++)
      for (int k = 0; k < ONOFF_N; k++)
        {
          VxXbarConfig cfg = _vitx_fig_config (s, gammas[g], onoffs[k], clips[c]);
          runs[c][g][k] = _vitx_fig_run (s, &cfg, 1.0, s->o->repeats, FALSE);
        }
  if (s->planning)
    return TRUE;

  double y[2][2][ONOFF_N], e[2][2][ONOFF_N], all_y[2 * 2 * ONOFF_N], all_e[2 * 2 * ONOFF_N];
  char labels[2][2][64];
  VxChartLineSeries series[4];
  for (int c = 0; c < 2; c++)
    for (int g = 0; g < 2; g++)
      {
        for (int k = 0; k < ONOFF_N; k++)
          {
            y[c][g][k] = _vitx_fig_top1_pct (runs[c][g][k]);
            e[c][g][k] = _vitx_fig_top1_std_pct (runs[c][g][k]);
            all_y[(c * 2 + g) * ONOFF_N + k] = y[c][g][k];
            all_e[(c * 2 + g) * ONOFF_N + k] = e[c][g][k];
          }
        g_snprintf (labels[c][g], sizeof labels[c][g], "%s, γ = %g", clips[c]->label, gammas[g]);
        /* colour = ClipFormer setting as everywhere; dashes = the higher noise */
        series[c * 2 + g] = (VxChartLineSeries) { labels[c][g], onoffs, y[c][g], e[c][g], ONOFF_N,
                                                  c == 0 ? COLOR_PLAIN : COLOR_CLIP, g == 1 };
      }
  g_autofree char *scope = _vitx_fig_scope (s);
  g_autofree char *sub = g_strdup_printf ("%s; G_min = %g µS fixed; error bars ±1 std", scope,
                                          s->o->base.g_min);
  VxChartLines m = { 0 };
  m.base = _vitx_fig_common (s, "Accuracy vs device ON/OFF ratio (paper Fig. 9)", sub);
  m.series = series;
  m.n_series = 4;
  m.x_title = "ON/OFF ratio G_max / G_min";
  m.y_title = "Top-1 accuracy (%)";
  y_range (all_y, all_e, G_N_ELEMENTS (all_y), 10.0, 0.0, &m.y_min, &m.y_max);
  g_autoptr (VxChartTable) table = vx_chart_lines_to_table (&m);
  return _vitx_fig_export (s, "fig9-onoff", vx_chart_lines_draw, &m, table, &runs[0][0][0],
                           2 * 2 * ONOFF_N, NULL, error);
}

/* ---- Fig. 10: attention area and energy ------------------------------------------------------------ */

#define HW_N_ARCHS 3

gboolean
_vitx_fig_hw (FigStudy *s, GError **error)
{
  if (s->planning)
    return TRUE;
  const VsFiguresOpts *o = s->o;
  VxArch archs[HW_N_ARCHS];
  const char *names[HW_N_ARCHS] = { "DeiT-S", "LV-ViT-S", s->model_label };
  if (!vx_hw_arch_preset ("deit-s", &archs[0], error) || !vx_hw_arch_preset ("lvvit-s", &archs[1], error))
    return FALSE;
  archs[2] = o->model->arch;
  VxXbarConfig plain = _vitx_fig_config (s, o->base.gamma, 0.0, FIG_CLIP_NONE);
  VxXbarConfig clip = _vitx_fig_config (s, o->base.gamma, 0.0, FIG_CLIP_2_025);
  VxHwReport rp[HW_N_ARCHS], rc[HW_N_ARCHS];
  static const char *const cols[] = {
    "architecture", "blocks", "tokens", "xbars_untransformed", "xbars_clipformer",
    "area_untransformed_mm2", "area_clipformer_mm2", "area_clipformer_pct",
    "energy_untransformed_uj", "energy_clipformer_uj", "energy_clipformer_pct",
  };
  g_autoptr (VxChartTable) table = vx_chart_table_new (G_N_ELEMENTS (cols), cols);
  double area_p[HW_N_ARCHS], area_c[HW_N_ARCHS], en_p[HW_N_ARCHS], en_c[HW_N_ARCHS];
  for (int a = 0; a < HW_N_ARCHS; a++)
    {
      if (!vx_hw_estimate (&archs[a], &plain, &rp[a], error)
          || !vx_hw_estimate (&archs[a], &clip, &rc[a], error))
        return FALSE;
      area_p[a] = en_p[a] = 100.0;
      area_c[a] = 100.0 * rc[a].attn_area_mm2 / rp[a].attn_area_mm2;
      en_c[a] = 100.0 * rc[a].attn_energy_uj / rp[a].attn_energy_uj;
      vx_chart_table_add_string (table, names[a]);
      vx_chart_table_add_uint (table, archs[a].depth);
      vx_chart_table_add_uint (table, rp[a].tokens);
      vx_chart_table_add_uint (table, rp[a].attn_xbars);
      vx_chart_table_add_uint (table, rc[a].attn_xbars);
      vx_chart_table_add_number (table, rp[a].attn_area_mm2);
      vx_chart_table_add_number (table, rc[a].attn_area_mm2);
      vx_chart_table_add_number (table, area_c[a]);
      vx_chart_table_add_number (table, rp[a].attn_energy_uj);
      vx_chart_table_add_number (table, rc[a].attn_energy_uj);
      vx_chart_table_add_number (table, en_c[a]);
    }
  VxChartBarSeries series[4] = {
    { "Area, untransformed", area_p, NULL, NAN, 0 },
    { "Area, ClipFormer (2, 0.25)", area_c, NULL, NAN, 1 },
    { "Energy, untransformed", en_p, NULL, NAN, 4 },
    { "Energy, ClipFormer (2, 0.25)", en_c, NULL, NAN, 5 },
  };
  VxChartBars m = { 0 };
  m.base = _vitx_fig_common (s, "Attention area and energy with ClipFormer (paper Fig. 10)",
                             "each relative to its untransformed design; absolute mm² and µJ in the CSV");
  m.categories = names;
  m.n_categories = HW_N_ARCHS;
  m.series = series;
  m.n_series = 4;
  m.x_title = "Architecture";
  m.y_title = "Attention area or energy (% of untransformed)";
  m.y_min = 0.0;
  m.y_max = 110.0;
  m.show_values = TRUE;
  m.value_decimals = 1;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "hw_config_untransformed");
  json_builder_add_value (b, vx_xbar_config_to_json (&plain));
  json_builder_set_member_name (b, "hw_config_clipformer");
  json_builder_add_value (b, vx_xbar_config_to_json (&clip));
  json_builder_end_object (b);
  return _vitx_fig_export (s, "fig10-hw", vx_chart_bars_draw, &m, table, NULL, 0,
                           json_builder_get_root (b), error);
}

/* ---- Table II ------------------------------------------------------------------------------------- */

static char *
pct_pm (const FigRun *r)
{
  return g_strdup_printf ("%.2f ± %.2f", _vitx_fig_top1_pct (r), _vitx_fig_top1_std_pct (r));
}

static char *
table2_markdown (FigStudy *s, FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS], const int *best)
{
  GString *md = g_string_new (NULL);
  g_string_append_printf (md, "# Table II: %s on crossbars\n\n", s->model_label);
  g_string_append_printf (md,
    "Top-1 accuracy (%%) without → with the best ClipFormer (α, β) of the grid "
    "{(1, 1), (2, 1), (1, 0.25), (2, 0.25)}, mean ± sample standard deviation over %d "
    "repeat%s (seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT ") of %d images; software "
    "(float) accuracy in brackets.\n\n",
    s->o->repeats, s->o->repeats == 1 ? "" : "s", s->o->base.seed,
    s->o->base.seed + (guint64) s->o->repeats - 1, s->n);
  const char *cols[1 + FIG_N_GAMMAS] = { "model" };
  char col_text[FIG_N_GAMMAS][32];
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    {
      g_snprintf (col_text[g], sizeof col_text[g], "γ = %g", _vitx_fig_gammas[g]);
      cols[1 + g] = col_text[g];
    }
  g_autoptr (VxChartTable) t = vx_chart_table_new (1 + FIG_N_GAMMAS, cols);
  g_autofree char *name = g_strdup_printf ("%s (%.2f)", s->model_label, 100.0 * s->software_top1);
  vx_chart_table_add_string (t, name);
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    {
      const FigRun *w = runs[best[g]][g];
      g_autofree char *a = pct_pm (runs[0][g]), *b = pct_pm (w);
      g_autofree char *cell = g_strdup_printf ("%s → %s (%g, %g)", a, b, w->cfg.alpha, w->cfg.beta);
      vx_chart_table_add_string (t, cell);
    }
  g_autofree char *main_md = vx_chart_table_to_markdown (t);
  g_string_append (md, main_md);

  g_string_append (md, "\nEvery setting of the grid (the numbers of Fig. 8):\n\n");
  const char *gcols[1 + FIG_N_GAMMAS] = { "ClipFormer (α, β)" };
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    gcols[1 + g] = col_text[g];
  g_autoptr (VxChartTable) gt = vx_chart_table_new (1 + FIG_N_GAMMAS, gcols);
  for (int c = 0; c < FIG_GRID_N; c++)
    {
      vx_chart_table_add_string (gt, c == 0 ? "untransformed" : _vitx_fig_grid[c].short_label);
      for (int g = 0; g < FIG_N_GAMMAS; g++)
        {
          g_autofree char *cell = pct_pm (runs[c][g]);
          vx_chart_table_add_string (gt, cell);
        }
    }
  g_autofree char *grid_md = vx_chart_table_to_markdown (gt);
  g_string_append (md, grid_md);
  g_autofree char *summary = vx_xbar_config_to_string (&s->o->base);
  g_string_append_printf (md, "\nModel `%s`, data `%s`, base crossbar %s. Written by vitx %s "
                          "(`vitx figures`).\n",
                          s->o->model->path ? s->o->model->path : s->model_label,
                          s->o->data->source ? s->o->data->source : "", summary, PACKAGE_VERSION);
  return g_string_free (md, FALSE);
}

gboolean
_vitx_fig_table2 (FigStudy *s, GError **error)
{
  FigRun *runs[FIG_GRID_N][FIG_N_GAMMAS];
  grid_runs (s, runs);
  if (s->planning)
    return TRUE;

  int best[FIG_N_GAMMAS];
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    {
      best[g] = 1;
      for (int c = 2; c < FIG_GRID_N; c++)
        if (_vitx_fig_top1_pct (runs[c][g]) > _vitx_fig_top1_pct (runs[best[g]][g]))
          best[g] = c;
    }

  static const char *const cols[] = {
    "gamma", "software_top1_pct", "without_top1_mean_pct", "without_top1_std_pct", "best_alpha",
    "best_beta", "with_top1_mean_pct", "with_top1_std_pct", "repeats", "images",
  };
  g_autoptr (VxChartTable) table = vx_chart_table_new (G_N_ELEMENTS (cols), cols);
  double without[FIG_N_GAMMAS], without_e[FIG_N_GAMMAS], with[FIG_N_GAMMAS], with_e[FIG_N_GAMMAS];
  char cat_text[FIG_N_GAMMAS][64];
  const char *cats[FIG_N_GAMMAS];
  for (int g = 0; g < FIG_N_GAMMAS; g++)
    {
      const FigRun *p = runs[0][g], *w = runs[best[g]][g];
      without[g] = _vitx_fig_top1_pct (p);
      without_e[g] = _vitx_fig_top1_std_pct (p);
      with[g] = _vitx_fig_top1_pct (w);
      with_e[g] = _vitx_fig_top1_std_pct (w);
      g_snprintf (cat_text[g], sizeof cat_text[g], "γ = %g, best %s", _vitx_fig_gammas[g],
                  _vitx_fig_grid[best[g]].short_label);
      cats[g] = cat_text[g];
      vx_chart_table_add_number (table, _vitx_fig_gammas[g]);
      vx_chart_table_add_number (table, 100.0 * s->software_top1);
      vx_chart_table_add_number (table, without[g]);
      vx_chart_table_add_number (table, without_e[g]);
      vx_chart_table_add_number (table, w->cfg.alpha);
      vx_chart_table_add_number (table, w->cfg.beta);
      vx_chart_table_add_number (table, with[g]);
      vx_chart_table_add_number (table, with_e[g]);
      vx_chart_table_add_uint (table, p->res.repeats_done);
      vx_chart_table_add_uint (table, p->res.n);
    }
  VxChartBarSeries series[2] = {
    { "Without ClipFormer", without, without_e, NAN, COLOR_PLAIN },
    { "With the best ClipFormer (α, β)", with, with_e, NAN, COLOR_CLIP },
  };
  g_autofree char *scope = _vitx_fig_scope (s);
  g_autofree char *sub = g_strdup_printf ("%s; software %.2f%%; error bars ±1 std", scope,
                                          100.0 * s->software_top1);
  VxChartBars m = { 0 };
  m.base = _vitx_fig_common (s, "Accuracy without and with ClipFormer (paper Table II)", sub);
  m.categories = cats;
  m.n_categories = FIG_N_GAMMAS;
  m.series = series;
  m.n_series = 2;
  m.x_title = "Write-noise factor, best (α, β) of the grid";
  m.y_title = "Top-1 accuracy (%)";
  m.y_min = 0.0;
  m.y_max = 100.0;
  m.show_values = TRUE;
  m.value_decimals = 1;
  if (!_vitx_fig_export (s, "table2", vx_chart_bars_draw, &m, table, &runs[0][0],
                         FIG_GRID_N * FIG_N_GAMMAS, NULL, error))
    return FALSE;
  g_autofree char *md = table2_markdown (s, runs, best);
  return _vitx_fig_write_text (s, "table2.md", md, error);
}

/* ---- the outlier what-if (docs/MODEL.md section 10) ------------------------------------------------------------ */

#define OUTLIER_N 5
static const double outlier_scales[OUTLIER_N] = { 1.0, 4.0, 8.0, 16.0, 32.0 };
#define OUTLIER_GAMMA 5.0

enum { OUT_PLAIN, OUT_PHYSICAL, OUT_RENORM, OUT_CHANNEL, OUT_N };

gboolean
_vitx_fig_outlier (FigStudy *s, GError **error)
{
  VxXbarConfig cfg[OUT_N];
  cfg[OUT_PLAIN] = _vitx_fig_config (s, OUTLIER_GAMMA, 0.0, FIG_CLIP_NONE);
  cfg[OUT_PHYSICAL] = _vitx_fig_config (s, OUTLIER_GAMMA, 0.0, FIG_CLIP_2_025);
  cfg[OUT_PHYSICAL].decode = VX_CLIP_DECODE_PHYSICAL;
  cfg[OUT_RENORM] = cfg[OUT_PHYSICAL];
  cfg[OUT_RENORM].decode = VX_CLIP_DECODE_RENORMALISED;
  cfg[OUT_CHANNEL] = cfg[OUT_PLAIN];
  cfg[OUT_CHANNEL].kv_scale = VX_KV_SCALE_PER_CHANNEL;
  FigRun *runs[OUT_N][OUTLIER_N];
  for (int k = 0; k < OUT_N; k++)
    for (int i = 0; i < OUTLIER_N; i++)
      runs[k][i] = _vitx_fig_run_outlier (s, &cfg[k], outlier_scales[i], s->o->repeats);
  if (s->planning)
    return TRUE;

  static const char *const labels[OUT_N] = {
    "Untransformed", "ClipFormer (2, 0.25), physical", "ClipFormer (2, 0.25), renormalised",
    "Per-channel K/V scale",
  };
  static const int colors[OUT_N] = { COLOR_PLAIN, COLOR_CLIP, 5, COLOR_SRAM };
  double y[OUT_N][OUTLIER_N], e[OUT_N][OUTLIER_N], all_y[OUT_N * OUTLIER_N + 1];
  double all_e[OUT_N * OUTLIER_N + 1];
  VxChartLineSeries series[OUT_N + 1];
  for (int k = 0; k < OUT_N; k++)
    {
      for (int i = 0; i < OUTLIER_N; i++)
        {
          y[k][i] = _vitx_fig_top1_pct (runs[k][i]);
          e[k][i] = _vitx_fig_top1_std_pct (runs[k][i]);
          all_y[k * OUTLIER_N + i] = y[k][i];
          all_e[k * OUTLIER_N + i] = e[k][i];
        }
      series[k] = (VxChartLineSeries) { labels[k], outlier_scales, y[k], e[k], OUTLIER_N, colors[k],
                                        FALSE };
    }
  /* the float network computes the same function for every s */
  double sw_x[2] = { outlier_scales[0], outlier_scales[OUTLIER_N - 1] };
  double sw_y[2] = { 100.0 * s->software_top1, 100.0 * s->software_top1 };
  series[OUT_N] = (VxChartLineSeries) { "Software (float), every s", sw_x, sw_y, NULL, 2, COLOR_IDEAL,
                                        TRUE };
  all_y[OUT_N * OUTLIER_N] = sw_y[0];
  all_e[OUT_N * OUTLIER_N] = 0.0;
  g_autofree char *scope = _vitx_fig_scope (s);
  g_autofree char *sub = g_strdup_printf ("%s; %d K and V channels per head scaled by s, "
                                          "function-preserving; error bars ±1 std",
                                          scope, s->o->outlier_channels);
  g_autofree char *title = g_strdup_printf ("Accuracy at γ = %g with K/V outlier channels (docs/MODEL.md §10)",
                                            OUTLIER_GAMMA);
  VxChartLines m = { 0 };
  m.base = _vitx_fig_common (s, title, sub);
  m.series = series;
  m.n_series = OUT_N + 1;
  m.x_title = "Outlier scale s";
  m.y_title = "Top-1 accuracy (%)";
  y_range (all_y, all_e, G_N_ELEMENTS (all_y), 10.0, 0.0, &m.y_min, &m.y_max);
  m.y_max = MIN (m.y_max, 100.0);
  g_autoptr (VxChartTable) table = vx_chart_lines_to_table (&m);
  return _vitx_fig_export (s, "figx-outlier", vx_chart_lines_draw, &m, table, &runs[0][0],
                           OUT_N * OUTLIER_N, NULL, error);
}
