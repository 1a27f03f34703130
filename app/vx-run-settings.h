/* vx-run-settings.h: everything one explorer evaluation depends on
 *
 * A VxRunSettings is the crossbar config plus the explorer's own choices
 * (outlier what-if, images, repeats, SNR reference). It has no GTK in it:
 * the worker threads, the study files and the tests use it as it is. Its
 * JSON (with the model's and the dataset's identities) keys the result cache.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vx-xbar.h"

G_BEGIN_DECLS

/* Images of the first stage (SNR, histograms, K/V statistics) and of every
 * batch after it. The same batch size everywhere keeps per-batch noise and
 * per-batch K/V scales identical to one vx_xbar_eval_run over all images. */
#define VX_RUN_BATCH 32
#define VX_RUN_FIRST_IMAGES VX_RUN_BATCH

#define VX_RUN_MIN_IMAGES 32
#define VX_RUN_MAX_REPEATS 10

typedef struct {
  VxXbarConfig xbar;
  double outlier_scale;   /* s: 1 = the model as it is */
  int outlier_channels;   /* c per head of K and of V */
  int n_images;           /* per repeat: the first n of the dataset */
  int repeats;            /* seeds xbar.seed .. xbar.seed + repeats - 1 */
  VxSnrMode snr_mode;     /* end-to-end or local */
} VxRunSettings;

/* The paper's defaults: RRAM Table I, ClipFormer off (2, 1), 1,000 images, 1 repeat. */
void      vx_run_settings_init          (VxRunSettings *s);
gboolean  vx_run_settings_validate      (const VxRunSettings *s, GError **error);
gboolean  vx_run_settings_equal         (const VxRunSettings *a, const VxRunSettings *b);
/* the same settings with ClipFormer switched the other way */
void      vx_run_settings_toggle_clipformer (const VxRunSettings *s, VxRunSettings *out);
gboolean  vx_run_settings_outlier_active (const VxRunSettings *s);

/* {"crossbar": {...}, "outlier_scale", "outlier_channels", "images", "repeats", "snr"} */
JsonNode *vx_run_settings_to_json       (const VxRunSettings *s);
char     *vx_run_settings_to_json_string (const VxRunSettings *s, gboolean pretty);
/* Missing members keep their defaults; wrong types and unknown members are
 * errors (VX_ERROR_FORMAT) naming the member; the result is validated. */
gboolean  vx_run_settings_from_json     (VxRunSettings *s, JsonNode *node, GError **error);

/* The cache key: the compact settings JSON with the model's and the dataset's ids. */
char     *vx_run_settings_cache_key     (const VxRunSettings *s, const char *model_id,
                                         const char *data_id);

G_END_DECLS
