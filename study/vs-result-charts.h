/* vs-result-charts.h: chart models built from the explorer's results
 *
 * GTK-free: the window shows these boxes, "Export All Figures" writes them,
 * the tests read their numbers back (e.g. the histogram's largest bin).
 */
#pragma once

#include <glib.h>

#include "vs-chart-box.h"
#include "vs-compute.h"
#include "vx-hw.h"
#include "vs-run-result.h"

G_BEGIN_DECLS

typedef enum {
  VS_HIST_BEFORE,      /* as mapped (before ClipFormer) */
  VS_HIST_AFTER,       /* as programmed (after ClipFormer) */
  VS_HIST_BOTH,
  VS_HIST_WRITTEN,     /* as programmed, and as written (after write noise) overlaid */
} VsHistStage;

/* "ClipFormer (2, 0.25)" or "Untransformed", newly allocated */
char       *vs_result_config_label (const VxXbarConfig *cfg);

/* K or V conductances of one block (both arrays of every pair). r may be NULL. */
VsChartBox *vs_result_chart_histogram (const VsRunResult *r, int block, int kv, VsHistStage stage,
                                       gboolean log_y, const VsChartStyle *style);
/* upper edge (uS) of the highest non-empty bin of a histogram chart's series
 * `series` (0 = first); NAN when empty */
double      vs_result_histogram_top (const VsChartBox *box, guint series);

/* Per-block SNR, untransformed vs ClipFormer (either may be NULL or partial), and a
 * pinned baseline's as a third series when there is one (nullable). */
VsChartBox *vs_result_chart_snr (const VsRunResult *plain, const VsRunResult *clip,
                                 const VsRunResult *baseline, const VsChartStyle *style);

typedef struct {
  const char *label;
  double top1;           /* 0..1, NAN = unknown */
  double area_mm2;
  double energy_uj;
} VsRadarEntry;

/* Accuracy, attention area and attention energy per image of up to four designs. */
VsChartBox *vs_result_chart_radar (const VsRadarEntry *entries, guint n, int num_classes,
                                   const char *subtitle, const VsChartStyle *style);

/* Hardware: one value per (architecture, design): attention area or energy. */
VsChartBox *vs_result_chart_hw_totals (const char *name, const char *title, gboolean energy,
                                       const char *const *archs, guint n_archs,
                                       const VxHwReport *plain, const VxHwReport *clip,
                                       const char *clip_label, const VsChartStyle *style);
/* Hardware: every matrix of one architecture, plain vs ClipFormer. */
VsChartBox *vs_result_chart_hw_breakdown (const char *name, const char *arch, gboolean energy,
                                          const VxHwReport *plain, const VxHwReport *clip,
                                          const char *clip_label, const VsChartStyle *style);

/* Sample view: the image (attn NULL) or the image with an attention overlay. */
VsChartBox *vs_result_chart_sample_image (const VsSampleResult *s, const float *attn,
                                          const char *name, const char *title,
                                          const char *caption, const VsChartStyle *style);
VsChartBox *vs_result_chart_sample_probs (const VsSampleResult *s, const char *const *class_names,
                                          const VsChartStyle *style);

G_END_DECLS
