/* vx-result-charts.h: chart models built from the explorer's results
 *
 * GTK-free: the window shows these boxes, "Export All Figures" writes them,
 * the tests read their numbers back (e.g. the histogram's largest bin).
 */
#pragma once

#include <glib.h>

#include "vx-chart-box.h"
#include "vx-compute.h"
#include "vx-hw.h"
#include "vx-run-result.h"

G_BEGIN_DECLS

typedef enum {
  VX_HIST_BEFORE,      /* as mapped (before ClipFormer) */
  VX_HIST_AFTER,       /* as programmed (after ClipFormer) */
  VX_HIST_BOTH,
} VxHistStage;

/* "ClipFormer (2, 0.25)" or "Untransformed", newly allocated */
char       *vx_result_config_label (const VxXbarConfig *cfg);

/* K or V conductances of one block (both arrays of every pair). r may be NULL. */
VxChartBox *vx_result_chart_histogram (const VxRunResult *r, int block, int kv, VxHistStage stage,
                                       gboolean log_y, const VxChartStyle *style);
/* upper edge (uS) of the highest non-empty bin of a histogram chart's series
 * `series` (0 = first); NAN when empty */
double      vx_result_histogram_top (const VxChartBox *box, guint series);

/* Per-block SNR, untransformed vs ClipFormer (either may be NULL or partial). */
VxChartBox *vx_result_chart_snr (const VxRunResult *plain, const VxRunResult *clip,
                                 const VxChartStyle *style);

typedef struct {
  const char *label;
  double top1;           /* 0..1, NAN = unknown */
  double area_mm2;
  double energy_uj;
} VxRadarEntry;

/* Accuracy, attention area and attention energy per image of up to four designs. */
VxChartBox *vx_result_chart_radar (const VxRadarEntry *entries, guint n, int num_classes,
                                   const char *subtitle, const VxChartStyle *style);

/* Hardware: one value per (architecture, design): attention area or energy. */
VxChartBox *vx_result_chart_hw_totals (const char *name, const char *title, gboolean energy,
                                       const char *const *archs, guint n_archs,
                                       const VxHwReport *plain, const VxHwReport *clip,
                                       const char *clip_label, const VxChartStyle *style);
/* Hardware: every matrix of one architecture, plain vs ClipFormer. */
VxChartBox *vx_result_chart_hw_breakdown (const char *name, const char *arch, gboolean energy,
                                          const VxHwReport *plain, const VxHwReport *clip,
                                          const char *clip_label, const VxChartStyle *style);

/* Sample view: the image (attn NULL) or the image with an attention overlay. */
VxChartBox *vx_result_chart_sample_image (const VxSampleResult *s, const float *attn,
                                          const char *name, const char *title,
                                          const char *caption, const VxChartStyle *style);
VxChartBox *vx_result_chart_sample_probs (const VxSampleResult *s, const char *const *class_names,
                                          const VxChartStyle *style);

G_END_DECLS
