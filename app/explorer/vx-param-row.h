/* vx-param-row.h: one numeric setting: a scale, an exact entry, a unit, an equation
 *
 * "value" is the setting in its own units; the scale may run on a logarithmic
 * axis (log-scale) and integer settings may be restricted to powers of two
 * (pow2). The tooltip states the equation the value enters.
 */
#pragma once

#include <gtk/gtk.h>

#include "vx-xbar-params.h"

G_BEGIN_DECLS

#define VX_TYPE_PARAM_ROW (vx_param_row_get_type ())
G_DECLARE_FINAL_TYPE (VxParamRow, vx_param_row, VX, PARAM_ROW, GtkWidget)

double      vx_param_row_get_value (VxParamRow *self);
void        vx_param_row_set_value (VxParamRow *self, double value);
void        vx_param_row_set_range (VxParamRow *self, double lower, double upper);
GtkScale   *vx_param_row_get_scale (VxParamRow *self);
GtkSpinButton *vx_param_row_get_spin (VxParamRow *self);
/* the info button and the text of its popover (the meaning, equation and
 * docs/MODEL.md section of the parameter) */
GtkMenuButton *vx_param_row_get_info_button (VxParamRow *self);
const char    *vx_param_row_get_info_text (VxParamRow *self);
/* title, unit, the controls' range, step, digits, axis, default mark and the
 * info popover (meaning, equation, section), all from the parameter's table row */
void        vx_param_row_configure (VxParamRow *self, const VxXbarParam *p);
/* the tooltip of a table row: its description, equation and docs/MODEL.md section (markup) */
char       *vx_param_tooltip_markup (const VxXbarParam *p);

G_END_DECLS
