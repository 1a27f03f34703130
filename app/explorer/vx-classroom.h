/* vx-classroom.h: the guided tour of classroom mode and the bar that shows it
 *
 * Each step starts from the paper's defaults, sets the controls it is about,
 * shows one view and one sentence. The last two steps go beyond the paper
 * (MODEL.md section 10): outlier channels, and the per-channel mapping.
 */
#pragma once

#include <gtk/gtk.h>

#include "vs-run-settings.h"

G_BEGIN_DECLS

typedef struct {
  const char *title;
  const char *sentence;
  const char *view;                          /* "overview", "hardware", ... */
  void (*apply) (VsRunSettings *s);          /* on top of the paper's defaults */
} VxTourStep;

const VxTourStep *vx_tour_steps (guint *n_steps);
/* the settings of step i */
void              vx_tour_step_settings (guint i, VsRunSettings *out);

#define VX_TYPE_TOUR_BAR (vx_tour_bar_get_type ())
G_DECLARE_FINAL_TYPE (VxTourBar, vx_tour_bar, VX, TOUR_BAR, GtkWidget)

void vx_tour_bar_show_step (VxTourBar *self, guint index);
/* the settings the step set, in one line ("γ = 5 · ClipFormer (2, 0.25) · ...") */
void vx_tour_bar_set_settings (VxTourBar *self, const VsRunSettings *s);
char *vx_run_settings_describe (const VsRunSettings *s);
const char *vx_tour_bar_get_sentence (VxTourBar *self);

G_END_DECLS
