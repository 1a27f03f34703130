/* vx-settings.h: the explorer's GSettings and VsRunSettings, both ways
 *
 * GSettings is the one place the current settings live: the controls are bound
 * to it, the tour, presets, studies and "Reset to Paper Defaults" write it,
 * the window reads it into a VsRunSettings for the worker. When the schema is
 * not installed (running from the build tree) the compiled schema next to the
 * binary is used with a key file in the user's configuration directory.
 */
#pragma once

#include <gio/gio.h>

#include "vs-run-settings.h"

G_BEGIN_DECLS

/* the explorer's settings, wherever the schema is */
GSettings *vx_settings_new (void);

/* Every key that changes what is computed (not window or view state). */
const char *const *vx_settings_compute_keys (void);
gboolean   vx_settings_is_compute_key (const char *key);

void       vx_run_settings_load  (VsRunSettings *s, GSettings *settings);
/* writes every compute key (the window coalesces the notifications into one request) */
void       vx_run_settings_store (const VsRunSettings *s, GSettings *settings);
/* the compute keys back to the schema defaults: the paper's Table I */
void       vx_settings_reset_paper_defaults (GSettings *settings);
/* a preset's device values (noise, ON/OFF, slicing, ADC, crossbar size) */
void       vx_settings_apply_preset (GSettings *settings, VxXbarPreset preset);
/* the preset whose device values the settings hold, or -1 (custom) */
int        vx_settings_matching_preset (GSettings *settings);

/* prepend a study URI to "recent-studies" (at most 10, no duplicates) */
void       vx_settings_add_recent (GSettings *settings, const char *uri);

G_END_DECLS
