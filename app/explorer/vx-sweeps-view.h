/* vx-sweeps-view.h: accuracy vs a parameter (γ by default) for the paper's ablation grid
 * and the (α, β) heatmap, over one or several seeds, computed on demand on a worker
 * thread with progress and cancel */
#pragma once

#include <gtk/gtk.h>

#include "vs-chart-box.h"
#include "vs-compute.h"

G_BEGIN_DECLS

#define VX_TYPE_SWEEPS_VIEW (vx_sweeps_view_get_type ())
G_DECLARE_FINAL_TYPE (VxSweepsView, vx_sweeps_view, VX, SWEEPS_VIEW, GtkWidget)

#define VX_SWEEP_N_X 9             /* x values at most (γ = 0, 1, ..., 8) */
#define VX_SWEEP_N_VARIANTS 5      /* untransformed, (1,1), (2,1), (1,0.25), (2,0.25) */
#define VX_SWEEP_N_ALPHAS 6
#define VX_SWEEP_N_BETAS 5

/* the inputs the next run uses */
void     vx_sweeps_view_set_inputs (VxSweepsView *self, VsSharedModel *model, VsSharedData *data,
                                    const VsRunSettings *s, const VsChartStyle *style);
void     vx_sweeps_view_run        (VxSweepsView *self);
void     vx_sweeps_view_cancel     (VxSweepsView *self);
gboolean vx_sweeps_view_is_running (VxSweepsView *self);
void     vx_sweeps_view_set_images (VxSweepsView *self, int n);
/* the next run's x-axis parameter (a JSON member of vx_sweep_axis_params); FALSE if
 * it is not one */
gboolean vx_sweeps_view_set_x_param (VxSweepsView *self, const char *json_key);
/* the next run's seeds: xbar.seed, xbar.seed + 1, ... (1..5) */
void     vx_sweeps_view_set_seeds  (VxSweepsView *self, int n);
/* Signal "apply-settings" (gpointer const VsRunSettings *): a computed point was
 * clicked; the settings are the sweep's at that point, with the current images
 * and repeats. */

/* the point under (x, y) of card's chart (a card of this view), or -1 */
int      vx_sweeps_view_point_at   (VxSweepsView *self, VxChartCard *card, double x, double y);
/* what hovering point `index` shows, newly allocated; NULL when it is not computed */
char    *vx_sweeps_view_describe_point (VxSweepsView *self, int index);
/* as clicking point `index` does */
void     vx_sweeps_view_apply_point (VxSweepsView *self, int index);
/* the point's index: the line of variant v (0 = untransformed, then (1,1), (2,1),
 * (1,0.25), (2,0.25)) at x value x_index; or heatmap cell (alpha index a, beta index b) */
int      vx_sweeps_view_line_point (guint variant, guint x_index);
int      vx_sweeps_view_cell_point (guint alpha_index, guint beta_index);
/* the status line under the buttons */
const char *vx_sweeps_view_get_status (VxSweepsView *self);
/* the lines chart (FALSE) or the heatmap (TRUE) no longer matches the settings */
gboolean vx_sweeps_view_is_stale   (VxSweepsView *self, gboolean heatmap);
/* points computed by the last run (or the one running) */
guint    vx_sweeps_view_get_done   (VxSweepsView *self);
GList   *vx_sweeps_view_get_cards  (VxSweepsView *self);

G_END_DECLS
