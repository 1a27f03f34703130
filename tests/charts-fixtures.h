/* charts-fixtures.h: the chart models the chart tests draw, with the labels
 * and values of the paper's figures (included by each chart test) */
#pragma once

#include <math.h>

#include "vx-charts.h"

static const char *const blocks[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12" };
static double snr_untransformed[12], snr_clipformer[12];
static VxChartBarSeries snr_series[2];
static VxChartBars snr_bars;

static double hist_before[50], hist_after[50];
static VxChartHistogramSeries hist_series[2];
static VxChartHistogram hist;

static const VxChartRadarAxis radar_axes[] = {
  { "Accuracy", "%", 0, 100, FALSE, 0 },
  { "Attention area", "mm\u00b2", 0, 40, TRUE, 0 },
  { "Attention energy", "\u00b5J", 0, 80, TRUE, 0 },
  { "\u27e8SNR\u27e9", "dB", 0, 20, FALSE, 0 },
  { "Accuracy loss at \u03b3 = 5", "pp", 0, 60, TRUE, 0 },
};
static const double radar_rram[] = { 79.8, 12.0, 25.0, 18.0, 57.0 };
static const double radar_clip[] = { 74.6, 11.1, 23.0, 19.0, 15.7 };
static const double radar_sram[] = { 79.8, 36.0, 60.0, 20.0, 0.0 };
static const VxChartRadarSeries radar_series[] = {
  { "RRAM untransformed", radar_rram, -1 },
  { "RRAM ClipFormer", radar_clip, -1 },
  { "SRAM digital IMC", radar_sram, -1 },
};
static VxChartRadar radar = { { "RRAM vs SRAM", NULL }, radar_axes, 5, radar_series, 3 };

static const double gammas[] = { 0, 1, 2, 3, 4, 5 };
static const double acc_u[] = { 79.8, 79.1, 77.0, 71.1, 54.8, 22.6 };
static const double acc_c[] = { 79.8, 79.4, 78.3, 74.6, 68.8, 64.0 };
static const double acc_err[] = { 0.5, 0.6, 0.7, 0.9, 1.2, 1.5 };
static const VxChartLineSeries line_series[] = {
  { "Untransformed", gammas, acc_u, acc_err, 6, -1, FALSE },
  { "ClipFormer (2, 0.25)", gammas, acc_c, acc_err, 6, -1, FALSE },
};
static VxChartLines lines = { { "Accuracy vs write noise", "95 % intervals" }, line_series, 2,
                                    "Write-noise factor \u03b3", "Top-1 accuracy (%)" };

static const char *const alphas[] = { "\u03b1 = 1", "\u03b1 = 2", "\u03b1 = 3" };
static const char *const betas[] = { "\u03b2 = 0.25", "\u03b2 = 0.5", "\u03b2 = 1" };
static const double grid_acc[] = { 55.0, 58.0, 61.0,
                                   57.0, 62.5, 63.0,
                                   60.0, 66.0, 64.5 };
static VxChartHeatmap heatmap = {
  { "Accuracy over (\u03b1, \u03b2)", "\u03b3 = 4" }, 3, 3, grid_acc, betas, alphas,
  "Shift \u03b1 (\u00d7 G\u2098\u1d62\u2099)", "Clip \u03b2 (\u00d7 G\u2098\u2090\u2093)", "Top-1 accuracy (%)",
  0, 0, FALSE, FALSE, 1, VX_CHART_COLORMAP_VIRIDIS,
};

static const char *const classes[] = { "T-shirt/top", "Trouser", "Pullover", "Dress" };
static const double confusion_counts[] = { 90, 2, 5, 3,
                                           1, 97, 1, 1,
                                           8, 0, 85, 7,
                                           4, 3, 2, 91 };
static VxChartConfusion confusion = { { "Confusion matrix", NULL }, 4, confusion_counts, classes, FALSE };

static guint8 image_pixels[8 * 8];
static float image_attention[4 * 4];
static VxChartImage image;

static void
init_fixtures (void)
{
  for (int i = 0; i < 12; i++)
    {
      snr_untransformed[i] = 14.0 - 0.6 * i + 0.4 * (i % 3);
      snr_clipformer[i] = snr_untransformed[i] + 1.7;
    }
  snr_series[0] = (VxChartBarSeries) { "Untransformed", snr_untransformed, NULL, 10.9, -1 };
  snr_series[1] = (VxChartBarSeries) { "ClipFormer (2, 1)", snr_clipformer, NULL, 12.6, -1 };
  snr_bars = (VxChartBars) { { "Per-block SNR", "\u03b3 = 4" }, blocks, 12, snr_series, 2,
                             "Attention block", "SNR (dB)", "\u27e8SNR\u27e9", "dB", 1 };

  for (int i = 0; i < 50; i++)
    {
      double g = 0.1 + (i + 0.5) * 9.9 / 50;
      hist_before[i] = floor (8000 * exp (-(g - 0.1) / 1.2));
      hist_after[i] = g < 2.5 ? floor (10000 * exp (-(g - 0.1) / 0.6)) : 0;
    }
  hist_series[0] = (VxChartHistogramSeries) { "Untransformed", hist_before, VX_CHART_HISTOGRAM_FILLED, -1 };
  hist_series[1] = (VxChartHistogramSeries) { "ClipFormer (2, 0.25)", hist_after, VX_CHART_HISTOGRAM_FILLED, -1 };
  hist = (VxChartHistogram) { { "Block 1, K", "G+ array" }, 50, 0.1, 10.0, hist_series, 2, FALSE,
                              { 2.5, NULL }, { 0.3, NULL } };

  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      image_pixels[y * 8 + x] = (guint8) (x < 4 ? (y < 4 ? 0 : 64) : (y < 4 ? 255 : 128));
  for (int i = 0; i < 16; i++)
    image_attention[i] = (float) i / 15.0f;
  image = (VxChartImage) { { "Sample", NULL }, 8, 8, 1, 0, image_pixels, image_attention, 4, 4, 0.6,
                           "Attention weight", "True: Trouser" };
}

typedef struct {
  const char       *name;
  VxChartRenderFunc func;
  gconstpointer     model;
} Chart;

G_GNUC_UNUSED static guint
all_charts (Chart *out)
{
  guint n = 0;

  out[n++] = (Chart) { "histogram", vx_chart_histogram_draw, &hist };
  out[n++] = (Chart) { "bars", vx_chart_bars_draw, &snr_bars };
  out[n++] = (Chart) { "radar", vx_chart_radar_draw, &radar };
  out[n++] = (Chart) { "lines", vx_chart_lines_draw, &lines };
  out[n++] = (Chart) { "heatmap", vx_chart_heatmap_draw, &heatmap };
  out[n++] = (Chart) { "confusion", vx_chart_confusion_draw, &confusion };
  out[n++] = (Chart) { "image", vx_chart_image_draw, &image };
  return n;
}
