/* vs-run-result.h: what the explorer knows about one setting, stage by stage
 *
 * A VsRunResult is filled on a worker thread and handed to the main thread as
 * an immutable, reference-counted snapshot (vs_run_result_copy at each stage).
 * The first stage (has_first) holds the SNR, histograms and K/V statistics of
 * the first VS_RUN_FIRST_IMAGES images; the accuracy then grows batch by batch
 * until `complete`. Its final numbers equal one vx_xbar_eval_run over the same
 * settings (batch VS_RUN_BATCH, snr_limit VS_RUN_FIRST_IMAGES, observe on).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vs-run-settings.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

typedef struct {
  VsRunSettings settings;
  int depth;
  int num_classes;

  /* first stage */
  gboolean has_first;
  int snr_images;
  double *snr_db;           /* (depth) */
  gboolean *snr_capped;     /* (depth) */
  double snr_mean_db;
  VxXbarHist *hists;        /* (depth * 2), [b * 2] = K, [b * 2 + 1] = V, own counts */
  VxKvStats *kv_stats;      /* (depth * 2) */

  /* accuracy, growing */
  int n;                    /* images per repeat */
  int repeats;
  int *correct_runs;        /* (repeats) correct so far in each repeat */
  int *done_runs;           /* (repeats) images done in each repeat */
  int images_done;          /* over all repeats */
  int correct;              /* over all repeats */
  double top1;              /* mean over repeats of their accuracy so far (pooled while running) */
  double top1_std;          /* sample std over complete repeats (0 for fewer than two) */
  double top1_lo, top1_hi;  /* 95 % Wilson interval of the pooled images */
  gboolean complete;
  double seconds;           /* wall time of the work behind this result */
} VsRunResult;

VsRunResult *vs_run_result_new   (const VsRunSettings *s, int depth, int num_classes, int n);
VsRunResult *vs_run_result_copy  (const VsRunResult *r);
VsRunResult *vs_run_result_ref   (VsRunResult *r);
void         vs_run_result_unref (VsRunResult *r);

/* first stage from a finished (or staged) vx_xbar_eval_run over the first images */
void         vs_run_result_set_first (VsRunResult *r, const VxXbarEvalResult *x);
/* one batch of repeat `repeat` evaluated: `count` images, `correct` of them right */
void         vs_run_result_add_batch (VsRunResult *r, int repeat, int count, int correct);
/* the accuracy numbers from correct_runs / done_runs */
void         vs_run_result_update_accuracy (VsRunResult *r);

/* histogram of block b, matrix kv (0 = K, 1 = V); NULL before the first stage */
const VxXbarHist *vs_run_result_hist (const VsRunResult *r, int block, int kv);
/* largest conductance present in a stage (0 before, 1 after ClipFormer), in uS, from the
 * largest level seen; NAN when nothing was observed */
double       vs_run_result_max_conductance (const VsRunResult *r, int block, int kv, int stage);

/* {settings, images, repeats, top1_runs, top1_mean, top1_std, top1_ci95, images_done,
 *  complete, snr_images, snr_db, snr_capped, snr_mean_db, kv_stats, histograms} */
JsonNode    *vs_run_result_to_json   (const VsRunResult *r);
/* the inverse, for study files; every member is checked */
VsRunResult *vs_run_result_from_json (JsonNode *node, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsRunResult, vs_run_result_unref)

G_END_DECLS
