/* vx-worker.h: the GTask bridge between the controls and the crossbar core
 *
 * vx_worker_request is called on every change. An isolated change starts at
 * once; a burst of changes is coalesced and runs 150 ms after the last one
 * (debounce). Starting a job cancels the one in flight (GCancellable); the job
 * runs on a worker thread with its own copy of the settings and posts results
 * back to the main context in stages (first batch: SNR, histograms, K/V stats;
 * then the accuracy batch by batch; the same for ClipFormer switched the other
 * way; the ideal accuracy). A post whose cancellable is not the current one is
 * dropped. Complete results are cached by their settings JSON.
 */
#pragma once

#include <glib-object.h>

#include "vs-compute.h"
#include "vs-run-result.h"
#include "vs-run-settings.h"

G_BEGIN_DECLS

#define VX_WORKER_DEBOUNCE_MS 150
#define VX_WORKER_CACHE_SIZE 64

typedef enum {
  VX_WORKER_STAGE_STARTED,      /* a new job was accepted (results cleared) */
  VX_WORKER_STAGE_FIRST,        /* current: SNR, histograms, statistics (+ first accuracy) */
  VX_WORKER_STAGE_OTHER_FIRST,  /* the same for ClipFormer switched */
  VX_WORKER_STAGE_BATCH,        /* current: accuracy refined */
  VX_WORKER_STAGE_CURRENT_DONE,
  VX_WORKER_STAGE_IDEAL,
  VX_WORKER_STAGE_OTHER_DONE,
  VX_WORKER_STAGE_IDLE,         /* nothing more will come for these settings */
} VxWorkerStage;

#define VX_TYPE_WORKER (vx_worker_get_type ())
G_DECLARE_FINAL_TYPE (VxWorker, vx_worker, VX, WORKER, GObject)

VxWorker      *vx_worker_new           (void);
/* the model and dataset later jobs use (refs taken; NULL clears) */
void           vx_worker_set_inputs    (VxWorker *self, VsSharedModel *model, VsSharedData *data);
VsSharedModel *vx_worker_get_model     (VxWorker *self);
VsSharedData  *vx_worker_get_data      (VxWorker *self);
void           vx_worker_request       (VxWorker *self, const VsRunSettings *s);
/* put complete results (e.g. from a study) into the cache */
void           vx_worker_seed_cache    (VxWorker *self, VsRunResult *r);
void           vx_worker_seed_ideal    (VxWorker *self, int n, double top1);

gboolean       vx_worker_is_busy       (VxWorker *self);   /* a job or a debounce pending */
gboolean       vx_worker_is_computing  (VxWorker *self);   /* a job on a worker thread */
double         vx_worker_get_fraction  (VxWorker *self);
/* the settings of the job whose results are shown */
const VsRunSettings *vx_worker_get_settings (VxWorker *self);
VsRunResult   *vx_worker_get_current   (VxWorker *self);   /* nullable, not a new ref */
VsRunResult   *vx_worker_get_other     (VxWorker *self);   /* nullable */
double         vx_worker_get_ideal     (VxWorker *self);   /* NAN when unknown */
guint          vx_worker_get_generation (VxWorker *self);  /* jobs started so far */
guint          vx_worker_get_dropped   (VxWorker *self);   /* stale posts dropped so far */
/* the error of the current settings (invalid settings, failed job), or NULL */
const char    *vx_worker_get_error     (VxWorker *self);

G_END_DECLS
