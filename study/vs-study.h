/* vs-study.h: a study file: the settings, the files they ran on, and the results
 *
 * JSON: {"format": "vitx-explorer-study", "version": 1, "software", "saved",
 *        "model", "dataset", "settings": {...}, "ideal_top1",
 *        "results": {"current": {...}, "other": {...}}}
 * "other" is the same settings with ClipFormer switched the other way. Files
 * are written atomically (g_file_set_contents). GTK-free, so the fuzzers and
 * the tests read studies exactly as the explorer does.
 */
#pragma once

#include <glib.h>

#include "vs-run-result.h"
#include "vs-run-settings.h"

G_BEGIN_DECLS

#define VS_STUDY_FORMAT  "vitx-explorer-study"
#define VS_STUDY_VERSION 1
#define VS_STUDY_MAX_BYTES (256u << 20)

typedef struct {
  VsRunSettings settings;
  char *model_path;         /* nullable */
  char *data_source;        /* nullable */
  char *saved;              /* ISO 8601, nullable */
  double ideal_top1;        /* NAN when unknown */
  VsRunResult *current;     /* nullable */
  VsRunResult *other;       /* nullable */
} VsStudy;

VsStudy *vs_study_new   (const VsRunSettings *s);
void     vs_study_free  (VsStudy *study);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsStudy, vs_study_free)

char    *vs_study_to_json (const VsStudy *study);
gboolean vs_study_save    (const VsStudy *study, const char *path, GError **error);
/* Errors (VX_ERROR_FORMAT, VX_ERROR_IO) name the file and the problem. */
VsStudy *vs_study_parse   (const char *data, gsize length, const char *name, GError **error);
VsStudy *vs_study_load    (const char *path, GError **error);

G_END_DECLS
