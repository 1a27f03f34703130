/* vs-run-settings.h: everything one explorer evaluation depends on
 *
 * A VsRunSettings is the crossbar config plus the explorer's own choices
 * (outlier what-if, images, repeats, SNR reference). It has no GTK in it:
 * the worker threads, the study files and the tests use it as it is. Its
 * JSON (with the model's and the dataset's identities) keys the result cache.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vx-xbar.h"
#include "vx-xbar-params.h"

G_BEGIN_DECLS

/* Images of the first stage (SNR, histograms, K/V statistics) and of every
 * batch after it. The same batch size everywhere keeps per-batch noise and
 * per-batch K/V scales identical to one vx_xbar_eval_run over all images. */
#define VS_RUN_BATCH 32
#define VS_RUN_FIRST_IMAGES VS_RUN_BATCH

#define VS_RUN_MIN_IMAGES 32
#define VS_RUN_MAX_REPEATS 10

typedef struct {
  VxXbarConfig xbar;
  double outlier_scale;   /* s: 1 = the model as it is */
  int outlier_channels;   /* c per head of K and of V */
  int n_images;           /* per repeat: the first n of the dataset */
  int repeats;            /* seeds xbar.seed .. xbar.seed + repeats - 1 */
  VxSnrMode snr_mode;     /* end-to-end or local */
} VsRunSettings;

/* The run's own parameters (outlier what-if, images, repeats, SNR reference),
 * described as the crossbar's are (vx-xbar-params.h) and read by the JSON
 * reader, the explorer's settings and controls, and the settings-schema test.
 * Their offset is into VsRunSettings, so read and write them with
 * vs_run_param_get and vs_run_param_set, not the crossbar accessors; the
 * range, choice and check functions of vx-xbar-params.h apply as they are. */
const VxXbarParam *vs_run_params (guint *n);
const VxXbarParam *vs_run_param_by_settings_key (const char *settings_key);
double    vs_run_param_get (const VxXbarParam *p, const VsRunSettings *s);
void      vs_run_param_set (const VxXbarParam *p, VsRunSettings *s, double v);

/* The paper's defaults: RRAM Table I, ClipFormer off (2, 1), 1,000 images, 1 repeat. */
void      vs_run_settings_init          (VsRunSettings *s);
gboolean  vs_run_settings_validate      (const VsRunSettings *s, GError **error);
gboolean  vs_run_settings_equal         (const VsRunSettings *a, const VsRunSettings *b);
/* the same settings with ClipFormer switched the other way */
void      vs_run_settings_toggle_clipformer (const VsRunSettings *s, VsRunSettings *out);
gboolean  vs_run_settings_outlier_active (const VsRunSettings *s);

/* {"crossbar": {...}, "outlier_scale", "outlier_channels", "images", "repeats", "snr"} */
JsonNode *vs_run_settings_to_json       (const VsRunSettings *s);
char     *vs_run_settings_to_json_string (const VsRunSettings *s, gboolean pretty);
/* Missing members keep their defaults; wrong types and unknown members are
 * errors (VX_ERROR_FORMAT) naming the member; the result is validated. */
gboolean  vs_run_settings_from_json     (VsRunSettings *s, JsonNode *node, GError **error);

/* The settings of s that differ from `against`, each as "label value", joined by " · "
 * ("Write-noise factor γ 5 · ON/OFF ratio 50"); with `was`, each followed by
 * " (was 3)". Parameters whose JSON member is in `skip` (nullable, NULL-terminated)
 * are left out. "" when nothing differs. Newly allocated. */
char     *vs_run_settings_describe_changes (const VsRunSettings *s, const VsRunSettings *against,
                                            const char *const *skip, gboolean was);

/* The cache key: the compact settings JSON with the model's and the dataset's ids. */
char     *vs_run_settings_cache_key     (const VsRunSettings *s, const char *model_id,
                                         const char *data_id);

G_END_DECLS
