/* vx-eval.h: evaluating a model over a dataset */
#pragma once

#include <glib.h>
#include "vx-model.h"
#include "vx-dataset.h"

G_BEGIN_DECLS

typedef struct {
  int batch;                        /* images per forward pass; 0 = 64 */
  int limit;                        /* evaluate the first `limit` images; 0 = all */
  int threads;                      /* 0 = vx_get_num_threads() */
  const VxMatmulHooks *hooks;       /* NULL: ideal engine */
  /* called before each batch (e.g. to draw per-batch read noise); may be NULL */
  void (*batch_begin) (void *user, int64_t batch_index, int64_t first_image, int count);
  /* progress after each batch; may be NULL */
  void (*progress) (void *user, int done, int total);
  /* polled between batches; returning TRUE stops with VX_ERROR_CANCELLED */
  gboolean (*cancelled) (void *user);
  void *user;
  gboolean keep_logits;             /* store every image's logits in the result */
  /* Resuming: start at this batch index (images resume_batch * batch .. of the
   * first `limit`); the earlier batches are skipped and not counted in the
   * result. Batch indices, first images and so per-batch noise stay those of
   * an uninterrupted run. 0 = from the start. */
  int64_t resume_batch;
  /* called after each batch with its logits (count, K), valid during the call;
   * may be NULL. Staged callers accumulate their own results here. */
  void (*batch_done) (void *user, int64_t batch_index, int64_t first_image, int count,
                      const float *logits);
} VxEvalOpts;

typedef struct {
  int n;                  /* images evaluated (from the resumed batch on) */
  int num_classes;
  int top1_correct, top5_correct;
  double top1, top5;      /* fractions 0..1 */
  double top1_lo, top1_hi;/* 95% Wilson interval of top1 */
  int *confusion;         /* (K, K): rows = true class, columns = predicted */
  float *logits;          /* (n, K) when keep_logits */
  int *predicted;         /* (n) argmax */
  double seconds;
  double images_per_s;
} VxEvalResult;

gboolean vx_eval_run (const VxModel *m, const VxDataset *ds, const VxEvalOpts *opts,
                      VxEvalResult *result, GError **error);
void     vx_eval_result_clear (VxEvalResult *r);

/* FALSE with VX_ERROR_SHAPE naming the dataset unless its images are the
 * model's (C, S, S); vx_eval_run checks this first */
gboolean vx_eval_check_images (const VxModel *m, const VxDataset *ds, GError **error);

/* 95% Wilson score interval for k successes in n trials */
void     vx_wilson_interval (int k, int n, double *lo, double *hi);

/* index of the largest of n values (first one on ties) */
int      vx_argmax (const float *x, int n);

G_END_DECLS
