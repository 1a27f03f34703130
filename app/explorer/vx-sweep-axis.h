/* vx-sweep-axis.h: the parameters the Sweeps view can put on its x axis, and their values
 *
 * Every numeric parameter with an explorer control (the crossbar's table,
 * vx-xbar-params.h, and the run's, vs-run-settings.h), except ClipFormer's α and
 * β (the heatmap's axes) and the test images and repeats (the sweep's own). The
 * values span the controls' range: evenly, or geometrically for a logarithmic
 * control, powers of two for a power-of-two one, whole numbers for an integer.
 */
#pragma once

#include "vs-run-settings.h"

G_BEGIN_DECLS

#define VX_SWEEP_AXIS_MAX_VALUES 9

/* the parameters, in table order (NULL-terminated, static) */
const VxXbarParam *const *vx_sweep_axis_params (void);
/* by JSON member; NULL when it is not one of them */
const VxXbarParam *vx_sweep_axis_by_json_key (const char *json_key);
/* the x values of p (ascending, at most VX_SWEEP_AXIS_MAX_VALUES); returns how many */
guint    vx_sweep_axis_values (const VxXbarParam *p, double *out);
/* p's value in s, and s with p set to v */
double   vx_sweep_axis_get    (const VxXbarParam *p, const VsRunSettings *s);
void     vx_sweep_axis_set    (const VxXbarParam *p, VsRunSettings *s, double v);
/* "Write-noise factor γ", "ON/OFF ratio (×)": the axis title, newly allocated */
char    *vx_sweep_axis_title  (const VxXbarParam *p);

G_END_DECLS
