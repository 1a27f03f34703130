/* vs-result-charts.c: the explorer's chart models, built from results */
#define G_LOG_DOMAIN "vs-result-charts"
#include "config.h"

#include <math.h>

#include "vs-result-charts.h"

/* series colours, the same design always in the same colour */
enum { COLOR_PLAIN = 0, COLOR_CLIP = 1, COLOR_SRAM = 2, COLOR_IDEAL = 3, COLOR_WRITTEN = 4 };

char *
vs_result_config_label (const VxXbarConfig *cfg)
{
  if (!cfg->clipformer)
    return g_strdup ("Untransformed");
  return g_strdup_printf ("ClipFormer (%g, %g)%s", cfg->alpha, cfg->beta,
                          cfg->decode == VX_CLIP_DECODE_RENORMALISED ? " renorm." : "");
}

/* ---- histogram ---------------------------------------------------------------------- */

static const double *
summed_counts (VsChartBox *box, const VxXbarHist *h, int stage)
{
  double *counts = vs_chart_box_new0 (box, double, h->bins);
  const guint64 *gp = vx_xbar_hist_row (h, stage, 0), *gm = vx_xbar_hist_row (h, stage, 1);
  for (int k = 0; k < h->bins; k++)
    counts[k] = (double) gp[k] + (double) gm[k];
  return counts;
}

/* as programmed, and as written where gathered; *note: what the chart leaves out */
static guint
written_series (VsChartBox *box, const VxXbarHist *h, const VxXbarConfig *cfg,
                VxChartHistogramSeries *series, const char **note)
{
  guint n = 0;
  series[n++] = (VxChartHistogramSeries) { cfg->clipformer ? "As programmed (after ClipFormer)"
                                           : "As programmed (ClipFormer off)",
                                           summed_counts (box, h, 1), VX_CHART_HISTOGRAM_FILLED,
                                           cfg->clipformer ? COLOR_CLIP : COLOR_PLAIN };
  if (!vx_xbar_hist_has_written (h))
    {
      *note = "written conductances are gathered in functional mode only";
      return n;
    }
  series[n++] = (VxChartHistogramSeries) { "As written (after write noise)",
                                           summed_counts (box, h, 2), VX_CHART_HISTOGRAM_OUTLINE,
                                           COLOR_WRITTEN };
  double out = (double) (h->below[0] + h->below[1] + h->above[0] + h->above[1]);
  *note = vs_chart_box_printf (box, "%.1f %% of cells written outside [G_min, G_max], not drawn",
                               100.0 * out / (h->cells[2][0] + h->cells[2][1]));
  return n;
}

VsChartBox *
vs_result_chart_histogram (const VsRunResult *r, int block, int kv, VsHistStage stage,
                           gboolean log_y, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_HISTOGRAM, "kv-histogram", style);
  VxChartHistogram *m = &box->u.histogram;
  const VxXbarHist *h = vs_run_result_hist (r, block, kv);
  m->log_y = log_y;
  m->clip.value = NAN;
  m->shift.value = NAN;
  m->y_title = "Count (cells of G+ and G−)";
  if (!h || h->bins <= 0)
    {
      m->base.empty_message = r ? "No K/V arrays were observed" : "Waiting for the first batch";
      return box;
    }
  const VxXbarConfig *cfg = &r->settings.xbar;
  VxChartHistogramSeries *series = vs_chart_box_new0 (box, VxChartHistogramSeries, 2);
  guint n = 0;
  const char *note = NULL;
  if (stage == VS_HIST_WRITTEN)
    n = written_series (box, h, cfg, series, &note);
  else if (!cfg->clipformer)
    {
      series[n++] = (VxChartHistogramSeries) { "As programmed (ClipFormer off)",
                                               summed_counts (box, h, 0),
                                               VX_CHART_HISTOGRAM_FILLED, COLOR_PLAIN };
    }
  else
    {
      if (stage != VS_HIST_AFTER)
        series[n++] = (VxChartHistogramSeries) { "Before ClipFormer", summed_counts (box, h, 0),
                                                 VX_CHART_HISTOGRAM_FILLED, COLOR_PLAIN };
      if (stage != VS_HIST_BEFORE)
        series[n++] = (VxChartHistogramSeries) { "After ClipFormer", summed_counts (box, h, 1),
                                                 stage == VS_HIST_BOTH ? VX_CHART_HISTOGRAM_OUTLINE
                                                 : VX_CHART_HISTOGRAM_FILLED, COLOR_CLIP };
    }
  if (cfg->clipformer)
    {
      if (cfg->beta < 1.0)
        {
          m->clip.value = cfg->beta * cfg->g_max;
          m->clip.label = vs_chart_box_printf (box, "β·G_max = %.3g µS", m->clip.value);
        }
      m->shift.value = cfg->alpha * cfg->g_min;
      m->shift.label = vs_chart_box_printf (box, "α·G_min = %.3g µS", m->shift.value);
    }
  m->series = series;
  m->n_series = n;
  m->n_bins = h->bins;
  m->x_min = h->g_lo;
  m->x_max = h->g_hi;
  g_autofree char *label = vs_result_config_label (cfg);
  m->base.subtitle = vs_chart_box_printf (box, "Block %d · %s · %d images · %s%s%s", block + 1,
                                          kv ? "V" : "Kᵀ", r->snr_images, label,
                                          note ? " · " : "", note ? note : "");
  return box;
}

double
vs_result_histogram_top (const VsChartBox *box, guint series)
{
  const VxChartHistogram *m = &box->u.histogram;
  if (series >= m->n_series || m->n_bins == 0)
    return NAN;
  const double *c = m->series[series].counts;
  double w = (m->x_max - m->x_min) / m->n_bins;
  for (int k = (int) m->n_bins - 1; k >= 0; k--)
    if (c[k] > 0)
      return m->x_min + (k + 1) * w;
  return NAN;
}

/* ---- SNR bars -------------------------------------------------------------------------- */

static const double *
snr_values (VsChartBox *box, const VsRunResult *r, int depth, double *mean)
{
  double *v = vs_chart_box_new0 (box, double, depth);
  *mean = NAN;
  for (int b = 0; b < depth; b++)
    v[b] = NAN;
  if (!r || !r->snr_db || r->depth != depth)
    return v;
  for (int b = 0; b < depth; b++)
    v[b] = r->snr_capped[b] ? NAN : r->snr_db[b];
  *mean = r->snr_mean_db;
  return v;
}

VsChartBox *
vs_result_chart_snr (const VsRunResult *plain, const VsRunResult *clip,
                     const VsRunResult *baseline, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_BARS, "snr-per-block", style);
  VxChartBars *m = &box->u.bars;
  const VsRunResult *any = plain && plain->snr_db ? plain : clip && clip->snr_db ? clip : NULL;
  m->x_title = "Attention block";
  m->y_title = "SNR (dB)";
  m->summary_name = "⟨SNR⟩";
  m->value_unit = "dB";
  m->summary_decimals = 1;
  if (!any)
    {
      m->base.empty_message = "Waiting for the first batch";
      return box;
    }
  int depth = any->depth;
  const char **cats = vs_chart_box_new0 (box, const char *, depth);
  for (int b = 0; b < depth; b++)
    cats[b] = vs_chart_box_printf (box, "%d", b + 1);
  gboolean with_base = baseline && baseline->snr_db && baseline->depth == depth;
  VxChartBarSeries *series = vs_chart_box_new0 (box, VxChartBarSeries, with_base ? 3 : 2);
  series[0].label = "Untransformed";
  series[0].values = snr_values (box, plain, depth, &series[0].summary);
  series[0].color_index = COLOR_PLAIN;
  VxXbarConfig ccfg = any->settings.xbar;
  ccfg.clipformer = TRUE;
  g_autofree char *clabel = vs_result_config_label (&ccfg);
  series[1].label = vs_chart_box_strdup (box, clabel);
  series[1].values = snr_values (box, clip, depth, &series[1].summary);
  series[1].color_index = COLOR_CLIP;
  m->categories = cats;
  m->n_categories = depth;
  if (with_base)
    {
      g_autofree char *blabel = vs_result_config_label (&baseline->settings.xbar);
      series[2].label = vs_chart_box_printf (box, "Baseline: %s, γ = %g", blabel,
                                             baseline->settings.xbar.gamma);
      series[2].values = snr_values (box, baseline, depth, &series[2].summary);
      series[2].color_index = COLOR_SRAM;
    }
  m->series = series;
  m->n_series = with_base ? 3 : 2;
  const char *mode = any->settings.snr_mode == VX_SNR_LOCAL ? "local" : "end-to-end";
  gboolean capped = FALSE;
  for (int i = 0; i < 2; i++)
    {
      const VsRunResult *r = i ? clip : plain;
      for (int b = 0; r && r->snr_capped && b < depth; b++)
        capped |= r->snr_capped[b];
    }
  m->base.subtitle = vs_chart_box_printf (box, "γ = %g · %s · %d images%s",
                                          any->settings.xbar.gamma, mode, any->snr_images,
                                          capped ? " · missing bars: identical outputs (∞ dB)" : "");
  return box;
}

/* ---- radar ------------------------------------------------------------------------------ */

VsChartBox *
vs_result_chart_radar (const VsRadarEntry *entries, guint n, int num_classes,
                       const char *subtitle, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_RADAR, "radar", style);
  VxChartRadar *m = &box->u.radar;
  VxChartRadarAxis *axes = vs_chart_box_new0 (box, VxChartRadarAxis, 3);
  double max_area = 0.0, max_energy = 0.0;
  for (guint i = 0; i < n; i++)
    {
      if (isfinite (entries[i].area_mm2))
        max_area = MAX (max_area, entries[i].area_mm2);
      if (isfinite (entries[i].energy_uj))
        max_energy = MAX (max_energy, entries[i].energy_uj);
    }
  axes[0] = (VxChartRadarAxis) { "Top-1 accuracy", "%", num_classes > 1 ? 100.0 / num_classes : 0.0,
                                 100.0, FALSE, 0 };
  axes[1] = (VxChartRadarAxis) { "Attention area", "mm²", 0.0, max_area > 0 ? max_area * 1.15 : 1.0,
                                 TRUE, max_area * 1.15 < 10 ? 2 : 0 };
  axes[2] = (VxChartRadarAxis) { "Attention energy", "µJ/image", 0.0,
                                 max_energy > 0 ? max_energy * 1.15 : 1.0, TRUE,
                                 max_energy * 1.15 < 10 ? 2 : 0 };
  VxChartRadarSeries *series = vs_chart_box_new0 (box, VxChartRadarSeries, MAX (n, 1));
  static const int colors[] = { COLOR_PLAIN, COLOR_CLIP, COLOR_SRAM, COLOR_IDEAL };
  for (guint i = 0; i < n; i++)
    {
      double *v = vs_chart_box_new0 (box, double, 3);
      v[0] = entries[i].top1 * 100.0;
      v[1] = entries[i].area_mm2;
      v[2] = entries[i].energy_uj;
      series[i].label = vs_chart_box_strdup (box, entries[i].label);
      series[i].values = v;
      series[i].color_index = colors[MIN (i, 3)];
    }
  m->axes = axes;
  m->n_axes = 3;
  m->series = series;
  m->n_series = n;
  m->base.subtitle = vs_chart_box_strdup (box, subtitle);
  if (n == 0)
    m->base.empty_message = "Waiting for results";
  return box;
}

/* ---- hardware ----------------------------------------------------------------------------- */

static void
hw_common (VxChartBars *m, gboolean energy)
{
  m->y_title = energy ? "Energy (µJ per image)" : "Area (mm²)";
  m->show_values = TRUE;
  m->value_decimals = 2;
}

VsChartBox *
vs_result_chart_hw_totals (const char *name, const char *title, gboolean energy,
                           const char *const *archs, guint n_archs, const VxHwReport *plain,
                           const VxHwReport *clip, const char *clip_label, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_BARS, name, style);
  VxChartBars *m = &box->u.bars;
  hw_common (m, energy);
  m->x_title = "Architecture";
  const char **cats = vs_chart_box_new0 (box, const char *, MAX (n_archs, 1));
  double *pv = vs_chart_box_new0 (box, double, MAX (n_archs, 1));
  double *cv = vs_chart_box_new0 (box, double, MAX (n_archs, 1));
  for (guint i = 0; i < n_archs; i++)
    {
      cats[i] = vs_chart_box_strdup (box, archs[i]);
      pv[i] = energy ? plain[i].attn_energy_uj : plain[i].attn_area_mm2;
      cv[i] = energy ? clip[i].attn_energy_uj : clip[i].attn_area_mm2;
    }
  VxChartBarSeries *series = vs_chart_box_new0 (box, VxChartBarSeries, 2);
  series[0] = (VxChartBarSeries) { "Untransformed", pv, NULL, 0.0, COLOR_PLAIN };
  series[1] = (VxChartBarSeries) { vs_chart_box_strdup (box, clip_label), cv, NULL, 0.0, COLOR_CLIP };
  m->categories = cats;
  m->n_categories = n_archs;
  m->series = series;
  m->n_series = 2;
  m->base.subtitle = vs_chart_box_strdup (box, title);
  return box;
}

VsChartBox *
vs_result_chart_hw_breakdown (const char *name, const char *arch, gboolean energy,
                              const VxHwReport *plain, const VxHwReport *clip,
                              const char *clip_label, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_BARS, name, style);
  VxChartBars *m = &box->u.bars;
  int n = plain->n_matrices;
  hw_common (m, energy);
  m->x_title = "Matrix (all blocks)";
  const char **cats = vs_chart_box_new0 (box, const char *, MAX (n, 1));
  double *pv = vs_chart_box_new0 (box, double, MAX (n, 1));
  double *cv = vs_chart_box_new0 (box, double, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      cats[i] = vs_chart_box_strdup (box, plain->m[i].name);
      pv[i] = energy ? plain->m[i].energy_uj : plain->m[i].area_mm2;
      cv[i] = energy ? clip->m[i].energy_uj : clip->m[i].area_mm2;
    }
  VxChartBarSeries *series = vs_chart_box_new0 (box, VxChartBarSeries, 2);
  series[0] = (VxChartBarSeries) { "Untransformed", pv, NULL, 0.0, COLOR_PLAIN };
  series[1] = (VxChartBarSeries) { vs_chart_box_strdup (box, clip_label), cv, NULL, 0.0, COLOR_CLIP };
  m->categories = cats;
  m->n_categories = n;
  m->series = series;
  m->n_series = 2;
  m->value_decimals = energy ? 2 : 1;
  m->base.subtitle = vs_chart_box_printf (box, "%s · depth %d · %d tokens", arch,
                                          plain->arch.depth, plain->tokens);
  return box;
}

/* ---- sample ------------------------------------------------------------------------------ */

static void
shared_attention_range (const VsSampleResult *s, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  const float *maps[] = { s->attn_ideal, s->attn_noisy };
  for (guint k = 0; k < G_N_ELEMENTS (maps); k++)
    for (int i = 0; maps[k] && i < s->grid * s->grid; i++)
      if (isfinite (maps[k][i]))
        {
          *lo = MIN (*lo, maps[k][i]);
          *hi = MAX (*hi, maps[k][i]);
        }
  if (!(*hi > *lo))
    *lo = *hi = 0.0;
}

VsChartBox *
vs_result_chart_sample_image (const VsSampleResult *s, const float *attn, const char *name,
                              const char *title, const char *caption, const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_IMAGE, name, style);
  VxChartImage *m = &box->u.image;
  if (!s || !s->pixels)
    {
      m->base.empty_message = "Waiting for the sample";
      return box;
    }
  gsize bytes = (gsize) s->width * s->height * s->channels;
  guint8 *pixels = vs_chart_box_alloc (box, bytes);
  memcpy (pixels, s->pixels, bytes);
  m->width = s->width;
  m->height = s->height;
  m->channels = s->channels;
  m->pixels = pixels;
  if (attn)
    {
      float *overlay = vs_chart_box_new0 (box, float, s->grid * s->grid);
      memcpy (overlay, attn, sizeof (float) * s->grid * s->grid);
      m->overlay = overlay;
      m->overlay_width = m->overlay_height = s->grid;
      m->overlay_title = "Attention weight";
      /* the ideal and the crossbar map side by side: one colour for one weight */
      shared_attention_range (s, &m->overlay_min, &m->overlay_max);
    }
  m->caption = vs_chart_box_strdup (box, caption);
  m->base.subtitle = vs_chart_box_strdup (box, title);
  return box;
}

VsChartBox *
vs_result_chart_sample_probs (const VsSampleResult *s, const char *const *class_names,
                              const VsChartStyle *style)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_BARS, "sample-probabilities", style);
  VxChartBars *m = &box->u.bars;
  m->x_title = "Class";
  m->y_title = "Probability (%)";
  m->y_min = 0.0;
  m->y_max = 100.0;
  if (!s || !s->probs_ideal)
    {
      m->base.empty_message = "Waiting for the sample";
      return box;
    }
  int K = s->num_classes;
  const char **cats = vs_chart_box_new0 (box, const char *, K);
  double *pi = vs_chart_box_new0 (box, double, K), *pn = vs_chart_box_new0 (box, double, K);
  for (int k = 0; k < K; k++)
    {
      cats[k] = vs_chart_box_strdup (box, class_names && class_names[k] ? class_names[k] : "?");
      pi[k] = 100.0 * s->probs_ideal[k];
      pn[k] = 100.0 * s->probs_noisy[k];
    }
  VxChartBarSeries *series = vs_chart_box_new0 (box, VxChartBarSeries, 2);
  series[0] = (VxChartBarSeries) { "Ideal (digital)", pi, NULL, 0.0, COLOR_IDEAL };
  series[1] = (VxChartBarSeries) { "On crossbars", pn, NULL, 0.0, COLOR_PLAIN };
  m->categories = cats;
  m->n_categories = K;
  m->series = series;
  m->n_series = 2;
  m->base.subtitle = vs_chart_box_printf (box, "Image %d · true class %s", s->index,
                                          class_names && class_names[s->label]
                                          ? class_names[s->label] : "?");
  return box;
}
