/* vx-study.h: a study file: the settings, the files they ran on, and the results
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

#include "vx-run-result.h"
#include "vx-run-settings.h"

G_BEGIN_DECLS

#define VX_STUDY_FORMAT  "vitx-explorer-study"
#define VX_STUDY_VERSION 1
#define VX_STUDY_MAX_BYTES (256u << 20)

typedef struct {
  VxRunSettings settings;
  char *model_path;         /* nullable */
  char *data_source;        /* nullable */
  char *saved;              /* ISO 8601, nullable */
  double ideal_top1;        /* NAN when unknown */
  VxRunResult *current;     /* nullable */
  VxRunResult *other;       /* nullable */
} VxStudy;

VxStudy *vx_study_new   (const VxRunSettings *s);
void     vx_study_free  (VxStudy *study);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxStudy, vx_study_free)

char    *vx_study_to_json (const VxStudy *study);
gboolean vx_study_save    (const VxStudy *study, const char *path, GError **error);
/* Errors (VX_ERROR_FORMAT, VX_ERROR_IO) name the file and the problem. */
VxStudy *vx_study_parse   (const char *data, gsize length, const char *name, GError **error);
VxStudy *vx_study_load    (const char *path, GError **error);

G_END_DECLS
