/* vx-tour.h: the guided tour of classroom mode and the bar that shows it
 *
 * Each step starts from the paper's defaults and sets the controls it is
 * about. Its sentence has two parts: what the step changed (physics, true by
 * construction) and what that did, written from the results on screen: the
 * numbers come from the step's result and from the results of its reference
 * settings (usually the step before), and every direction word ("falls",
 * "rises", "stays at") is chosen from those numbers. The last two steps go
 * beyond the paper (docs/MODEL.md section 10): outlier channels, and the mitigations.
 */
#pragma once

#include <gtk/gtk.h>

#include "vs-run-result.h"
#include "vs-run-settings.h"

G_BEGIN_DECLS

#define VX_TOUR_MAX_REFS 3
#define VX_TOUR_MAX_CLAIMS 4

/* below these differences a number "stays" (accuracy as a fraction, SNR in dB) */
#define VX_TOUR_ACCURACY_SAME 0.005
#define VX_TOUR_SNR_SAME 0.25
#define VX_TOUR_HW_SAME 0.0005     /* relative */

typedef enum {
  VX_TOUR_ACCURACY,        /* top-1, 0..1 */
  VX_TOUR_SNR,             /* mean SNR over blocks, dB */
  VX_TOUR_AREA,            /* attention area, mm² */
  VX_TOUR_ENERGY,          /* attention energy per image, µJ */
} VxTourMetric;

/* one comparison the sentence makes: before -> after, and the direction it says */
typedef struct {
  VxTourMetric metric;
  double before, after;
  int direction;           /* -1 falls, 0 stays, +1 rises */
} VxTourClaim;

typedef struct {
  const VsRunSettings *settings;               /* the step's */
  const VsRunResult *now;                      /* the step's own result, complete */
  const VsRunResult *refs[VX_TOUR_MAX_REFS];   /* its reference settings' results */
  double ideal;                                /* the digital model's top-1, NAN unknown */
} VxTourFacts;

typedef struct {
  GString *text;
  VxTourClaim claims[VX_TOUR_MAX_CLAIMS];
  guint n_claims;
} VxTourStory;

typedef void (*VxTourApply) (VsRunSettings *s);

typedef struct {
  const char *title;
  const char *view;                          /* "overview", "hardware", ... */
  const char *change;                        /* what the step changed: no result in it */
  VxTourApply apply;                         /* on top of the paper's defaults */
  VxTourApply refs[VX_TOUR_MAX_REFS];        /* settings it is compared with (NULL-ended) */
  void (*narrate) (const VxTourFacts *f, VxTourStory *out);
} VxTourStep;

const VxTourStep *vx_tour_steps (guint *n_steps);
guint             vx_tour_step_n_refs (guint i);
/* the settings of step i, and of its reference r; the evaluation's size
 * (images, repeats, seed) is taken from `user` */
void              vx_tour_step_settings (guint i, const VsRunSettings *user, VsRunSettings *out);
void              vx_tour_ref_settings  (guint i, guint r, const VsRunSettings *user,
                                         VsRunSettings *out);
/* The step's sentence from its facts (every result it needs present), with the
 * claims it makes; free with vx_tour_story_clear. */
void              vx_tour_narrate (guint i, const VxTourFacts *f, VxTourStory *out);
void              vx_tour_story_clear (VxTourStory *story);
/* the value of a metric the way the sentence prints it ("85.6 %", "12.3 dB") */
char             *vx_tour_format (VxTourMetric metric, double value);
/* -1, 0 or +1: how `after` compares with `before` given the metric's tolerance */
int               vx_tour_direction (VxTourMetric metric, double before, double after);

#define VX_TYPE_TOUR_BAR (vx_tour_bar_get_type ())
G_DECLARE_FINAL_TYPE (VxTourBar, vx_tour_bar, VX, TOUR_BAR, GtkWidget)

void vx_tour_bar_show_step (VxTourBar *self, guint index);
void vx_tour_bar_set_sentence (VxTourBar *self, const char *sentence);
/* the settings the step set, in one line ("γ = 5 · ClipFormer (2, 0.25) · ...") */
void vx_tour_bar_set_settings (VxTourBar *self, const VsRunSettings *s);
char *vx_run_settings_describe (const VsRunSettings *s);
const char *vx_tour_bar_get_sentence (VxTourBar *self);

G_END_DECLS
