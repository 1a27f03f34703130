/* vx-chart-view.h: a GTK 4 widget that shows one chart
 *
 * The view holds a render function, a model pointer and the model's destroy
 * notify; it draws by calling the same function the exporters use, at the
 * widget's size. Change the model in place and call vx_chart_view_queue_redraw,
 * or hand over a new one with vx_chart_view_set_chart. The model must start
 * with a VxChartCommon (every chart model does): its title becomes the
 * widget's accessible label.
 */
#pragma once

#include <gtk/gtk.h>

#include "vx-chart-common.h"

G_BEGIN_DECLS

#define VX_TYPE_CHART_VIEW (vx_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (VxChartView, vx_chart_view, VX, CHART_VIEW, GtkWidget)

GtkWidget        *vx_chart_view_new          (void);
/* Takes ownership of model (destroy is called when it is replaced or the
 * view is finalized); func NULL clears the view. Queues a redraw. */
void              vx_chart_view_set_chart    (VxChartView      *self,
                                              VxChartRenderFunc func,
                                              gpointer          model,
                                              GDestroyNotify    destroy);
void              vx_chart_view_queue_redraw (VxChartView      *self);
VxChartRenderFunc vx_chart_view_get_func     (VxChartView      *self);
gpointer          vx_chart_view_get_model    (VxChartView      *self);
/* The layout of the last draw (plot rectangle, axis mapping), for hit-testing. */
const VxChartLayout *vx_chart_view_get_layout (VxChartView     *self);

G_END_DECLS
