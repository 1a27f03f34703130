/* vs-compute.h: the explorer's computations, run on worker threads
 *
 * Everything here is GTK-free and blocking; vx-worker.c, the sweeps and the
 * sample view call it from GTask threads, the tests and the benchmark call
 * it directly. Long loops poll a cancel callback between batches.
 */
#pragma once

#include <glib.h>

#include "vx-dataset.h"
#include "vx-model.h"
#include "vs-run-result.h"
#include "vs-run-settings.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

/* A loaded model or dataset shared by the window and the jobs in flight
 * (reference counted; the contents never change after creation). */
typedef struct {
  VxModel *model;
  char *id;          /* unique for this load: part of the cache key */
  char *name;        /* for titles: the file's base name */
} VsSharedModel;

typedef struct {
  VxDataset *data;
  char *id;
  char *name;
} VsSharedData;

VsSharedModel *vs_shared_model_new   (VxModel *model);      /* takes model */
VsSharedModel *vs_shared_model_ref   (VsSharedModel *m);
void           vs_shared_model_unref (VsSharedModel *m);
VsSharedData  *vs_shared_data_new    (VxDataset *data);     /* takes data */
VsSharedData  *vs_shared_data_ref    (VsSharedData *d);
void           vs_shared_data_unref  (VsSharedData *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsSharedModel, vs_shared_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsSharedData, vs_shared_data_unref)

typedef gboolean (*VsCancelFunc) (gpointer user);
typedef void     (*VsBatchFunc)  (gpointer user, const VsRunResult *r);

/* images per repeat for these settings on this dataset */
int      vs_compute_images (const VxDataset *ds, const VsRunSettings *s);

/* The model the settings run on: a transformed copy when the outlier what-if
 * is on (*owned set, free with vx_model_free), else m itself. NULL on error. */
const VxModel *vs_compute_prepare_model (const VxModel *m, const VsRunSettings *s,
                                         VxModel **owned, GError **error);

/* A new result for the settings: the first stage (SNR, histograms, K/V statistics
 * and the accuracy of the first VS_RUN_FIRST_IMAGES images). m is the prepared model. */
VsRunResult *vs_compute_first (const VxModel *m, const VxDataset *ds, const VsRunSettings *s,
                               VsCancelFunc cancelled, gpointer user, GError **error);

/* Continue r's accuracy batch by batch until complete; batch_done (may be NULL)
 * after every batch. Identical to vx_xbar_eval_run's accuracy for the same settings. */
gboolean vs_compute_accuracy (const VxModel *m, const VxDataset *ds, VsRunResult *r,
                              VsBatchFunc batch_done, VsCancelFunc cancelled, gpointer user,
                              GError **error);

/* Top-1 accuracy of the ideal (digital float) model on the first n images. */
gboolean vs_compute_ideal (const VxModel *m, const VxDataset *ds, int n, VsCancelFunc cancelled,
                           gpointer user, double *top1, GError **error);

/* The same evaluation as the explorer's stages, in one vx_xbar_eval_run call
 * (tests and benchmark compare against it). Applies the outlier what-if. */
gboolean vs_compute_reference (const VxModel *m, const VxDataset *ds, const VsRunSettings *s,
                               VxXbarEvalResult *out, GError **error);

/* One point of a sweep: accuracy (mean over s->repeats, the seeds xbar.seed ..
 * xbar.seed + repeats - 1) on the first n images; lo, hi: the 95 % interval of the
 * pooled repeats; std (nullable): the sample standard deviation over the repeats
 * (0 for one). */
gboolean vs_compute_point (const VxModel *m, const VxDataset *ds, const VsRunSettings *s, int n,
                           VsCancelFunc cancelled, gpointer user, double *top1, double *lo,
                           double *hi, double *std, GError **error);

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
} VsSampleResult;

gboolean vs_compute_sample (const VxModel *m, const VxDataset *ds, const VsRunSettings *s,
                            int index, int block, VsSampleResult *out, GError **error);
void     vs_sample_result_clear (VsSampleResult *r);

G_END_DECLS
