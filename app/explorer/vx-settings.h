/* vx-settings.h: the explorer's GSettings and VsRunSettings, both ways
 *
 * GSettings is the one place the current settings live: the controls are bound
 * to it, the tour, presets, studies and "Reset to Paper Defaults" write it,
 * the window reads it into a VsRunSettings for the worker. When the schema is
 * not installed (running from the build tree) the compiled schema next to the
 * binary is used with a key file in the user's configuration directory.
 *
 * Every key of a crossbar or run parameter is read and written through the
 * parameter tables (vx-xbar-params.h, vs-run-settings.h). A value the settings
 * cannot hold (outside the controls' range, an unknown key or an unreadable
 * value in the key file, a study value without a control) is not dropped
 * silently: it becomes a message in the settings' report list, and the
 * window shows it.
 */
#pragma once

#include <gio/gio.h>

#include "vs-run-settings.h"

G_BEGIN_DECLS

/* the explorer's settings, wherever the schema is; checked (vx_settings_check,
 * and the key file's own entries when one is used) */
GSettings *vx_settings_new (void);

/* Every key that changes what is computed (not window or view state). */
const char *const *vx_settings_compute_keys (void);
gboolean   vx_settings_is_compute_key (const char *key);

void       vx_run_settings_load  (VsRunSettings *s, GSettings *settings);
/* writes every compute key (the window coalesces the notifications into one
 * request); a value the settings cannot hold is reported, not written */
void       vx_run_settings_store (const VsRunSettings *s, GSettings *settings);
/* the compute keys back to the schema defaults: the paper's Table I */
void       vx_settings_reset_paper_defaults (GSettings *settings);
/* a preset's device values (noise, ON/OFF, slicing, ADC, crossbar size) and
 * its ClipFormer switch (off: ClipFormer answers write noise, which SRAM has not) */
void       vx_settings_apply_preset (GSettings *settings, VxXbarPreset preset);
/* the preset whose device values the settings hold, or -1 (custom) */
int        vx_settings_matching_preset (GSettings *settings);

/* prepend a study URI to "recent-studies" (at most 10, no duplicates) */
void       vx_settings_add_recent (GSettings *settings, const char *uri);

/* ---- reports: what was reset or could not be stored, and why ---------------------- */

typedef void (*VxSettingsReportFunc) (GSettings *settings, const char *message, gpointer user_data);

/* Each message is one sentence for the user. The function is called for
 * every message reported so far (so start-up problems reach a window that
 * connects later) and for every new one; NULL disconnects. */
void       vx_settings_set_report_func (GSettings *settings, VxSettingsReportFunc func,
                                        gpointer user_data);
/* every message so far, oldest first (NULL-terminated, owned by settings) */
const char *const *vx_settings_get_reports (GSettings *settings);
void       vx_settings_clear_reports (GSettings *settings);

/* Checks the compute keys against the parameter tables and the crossbar
 * validation; a value outside a range, or settings that do not validate
 * together, are reset (to the schema default) and reported. Returns the
 * number of problems. */
guint      vx_settings_check (GSettings *settings);
/* Checks a key file of settings before a key-file backend reads it: unknown
 * keys, values that do not parse or lie outside the schema's range (which
 * GSettings would ignore without a word) are removed from the file (written
 * atomically). Returns one message per problem (NULL-terminated, maybe empty). */
char     **vx_settings_check_keyfile (GSettingsSchema *schema, const char *path);

G_END_DECLS
