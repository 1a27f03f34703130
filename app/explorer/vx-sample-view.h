/* vx-sample-view.h: one test image through the ideal and the crossbar network */
#pragma once

#include <gtk/gtk.h>

#include "vs-chart-box.h"
#include "vs-compute.h"

G_BEGIN_DECLS

#define VX_TYPE_SAMPLE_VIEW (vx_sample_view_get_type ())
G_DECLARE_FINAL_TYPE (VxSampleView, vx_sample_view, VX, SAMPLE_VIEW, GtkWidget)

/* bind the image index and the block to "sample-index" and "sample-block" */
void     vx_sample_view_bind       (VxSampleView *self, GSettings *settings);
/* recomputes (on a worker thread) when shown */
void     vx_sample_view_set_inputs (VxSampleView *self, VsSharedModel *model, VsSharedData *data,
                                    const VsRunSettings *s, const VsChartStyle *style);
gboolean vx_sample_view_is_busy    (VxSampleView *self);
/* the sample shown, or NULL */
const VsSampleResult *vx_sample_view_get_result (VxSampleView *self);
/* from the image shown on, the next one the crossbars misclassify (on a worker thread) */
void     vx_sample_view_next_misclassified (VxSampleView *self);
GList   *vx_sample_view_get_cards  (VxSampleView *self);

G_END_DECLS
