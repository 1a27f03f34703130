/* vx-compute.h: the explorer's computations, run on worker threads
 *
 * Everything here is GTK-free and blocking; vx-worker.c, the sweeps and the
 * sample view call it from GTask threads, the tests and the benchmark call
 * it directly. Long loops poll a cancel callback between batches.
 */
#pragma once

#include <glib.h>

#include "vx-dataset.h"
#include "vx-model.h"
#include "vx-run-result.h"
#include "vx-run-settings.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

/* A loaded model or dataset shared by the window and the jobs in flight
 * (reference counted; the contents never change after creation). */
typedef struct {
  VxModel *model;
  char *id;          /* unique for this load: part of the cache key */
  char *name;        /* for titles: the file's base name */
} VxSharedModel;

typedef struct {
  VxDataset *data;
  char *id;
  char *name;
} VxSharedData;

VxSharedModel *vx_shared_model_new   (VxModel *model);      /* takes model */
VxSharedModel *vx_shared_model_ref   (VxSharedModel *m);
void           vx_shared_model_unref (VxSharedModel *m);
VxSharedData  *vx_shared_data_new    (VxDataset *data);     /* takes data */
VxSharedData  *vx_shared_data_ref    (VxSharedData *d);
void           vx_shared_data_unref  (VxSharedData *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxSharedModel, vx_shared_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxSharedData, vx_shared_data_unref)

/* One lock for the heavy work: jobs run one after another on the two cores
 * instead of fighting over them; a cancelled job gives it up at its next batch. */
void     vx_compute_lock   (void);
void     vx_compute_unlock (void);

typedef gboolean (*VxCancelFunc) (gpointer user);
typedef void     (*VxBatchFunc)  (gpointer user, const VxRunResult *r);

/* images per repeat for these settings on this dataset */
int      vx_compute_images (const VxDataset *ds, const VxRunSettings *s);

/* The model the settings run on: a transformed copy when the outlier what-if
 * is on (*owned set, free with vx_model_free), else m itself. NULL on error. */
const VxModel *vx_compute_prepare_model (const VxModel *m, const VxRunSettings *s,
                                         VxModel **owned, GError **error);

/* A new result for the settings: the first stage (SNR, histograms, K/V statistics
 * and the accuracy of the first VX_RUN_FIRST_IMAGES images). m is the prepared model. */
VxRunResult *vx_compute_first (const VxModel *m, const VxDataset *ds, const VxRunSettings *s,
                               VxCancelFunc cancelled, gpointer user, GError **error);

/* Continue r's accuracy batch by batch until complete; batch_done (may be NULL)
 * after every batch. Identical to vx_xbar_eval_run's accuracy for the same settings. */
gboolean vx_compute_accuracy (const VxModel *m, const VxDataset *ds, VxRunResult *r,
                              VxBatchFunc batch_done, VxCancelFunc cancelled, gpointer user,
                              GError **error);

/* Top-1 accuracy of the ideal (digital float) model on the first n images. */
gboolean vx_compute_ideal (const VxModel *m, const VxDataset *ds, int n, VxCancelFunc cancelled,
                           gpointer user, double *top1, GError **error);

/* The same evaluation as the explorer's stages, in one vx_xbar_eval_run call
 * (tests and benchmark compare against it). Applies the outlier what-if. */
gboolean vx_compute_reference (const VxModel *m, const VxDataset *ds, const VxRunSettings *s,
                               VxXbarEvalResult *out, GError **error);

/* One point of a sweep: accuracy (mean over s->repeats) on the first n images. */
gboolean vx_compute_point (const VxModel *m, const VxDataset *ds, const VxRunSettings *s, int n,
                           VxCancelFunc cancelled, gpointer user, double *top1, double *lo,
                           double *hi, GError **error);

/* One test image through the ideal and the crossbar network. */
typedef struct {
  int index, label, block;
  int num_classes;
  int channels, width, height;
  guint8 *pixels;           /* (height, width, channels) interleaved, for display */
  double *probs_ideal;      /* (num_classes) softmax of the logits */
  double *probs_noisy;
  int pred_ideal, pred_noisy;
  int grid;                 /* patches per side */
  float *attn_ideal;        /* (grid, grid) class-token attention to each patch, mean over heads;
                               NAN for patches token pruning dropped before this block */
  float *attn_noisy;        /* the same on crossbars (its selection may differ from the ideal one) */
  int tokens;               /* tokens (rows per image) of this block: num_tokens unless pruned */
  int num_tokens;           /* tokens of the unpruned network (class token(s) + patches) */
} VxSampleResult;

gboolean vx_compute_sample (const VxModel *m, const VxDataset *ds, const VxRunSettings *s,
                            int index, int block, VxSampleResult *out, GError **error);
void     vx_sample_result_clear (VxSampleResult *r);

G_END_DECLS
