/* vx-controls.h: the controls pane, bound to the explorer's GSettings */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VX_TYPE_CONTROLS (vx_controls_get_type ())
G_DECLARE_FINAL_TYPE (VxControls, vx_controls, VX, CONTROLS, GtkWidget)

/* bind every control to its key (once) */
void vx_controls_bind       (VxControls *self, GSettings *settings);
/* limits that depend on the model and dataset: c <= Dh, images <= the dataset */
void vx_controls_set_limits (VxControls *self, int head_dim, int n_images);

G_END_DECLS
