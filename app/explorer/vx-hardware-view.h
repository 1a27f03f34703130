/* vx-hardware-view.h: crossbar area and energy, untransformed vs ClipFormer */
#pragma once

#include <gtk/gtk.h>

#include "vs-chart-box.h"
#include "vx-hw.h"

G_BEGIN_DECLS

#define VX_TYPE_HARDWARE_VIEW (vx_hardware_view_get_type ())
G_DECLARE_FINAL_TYPE (VxHardwareView, vx_hardware_view, VX, HARDWARE_VIEW, GtkWidget)

/* loaded: the loaded model's architecture (nullable), named `name` */
void vx_hardware_view_update (VxHardwareView *self, const VxArch *loaded, const char *name,
                              const VxXbarConfig *cfg, const char *settings_json,
                              const VsChartStyle *style);
/* show the breakdown and summary of a preset ("deit-s", ...) */
void vx_hardware_view_select_arch (VxHardwareView *self, const char *preset);
const char *vx_hardware_view_get_summary (VxHardwareView *self);
/* the cards, for "Export All Figures" */
GList *vx_hardware_view_get_cards (VxHardwareView *self);

G_END_DECLS
