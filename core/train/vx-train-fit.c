/* vx-train-fit.c: the training loop (epochs of steps, evaluation, checkpoints)
 *
 * Apart from vx-train.c so that the trainer and its checkpoints do not depend
 * on each other: vx-checkpoint.c builds trainers, this file uses both. */
#define G_LOG_DOMAIN "vx-train"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vx-rng.h"
#include "vx-train-private.h"

/* ---- the training loop -------------------------------------------------------------- */

typedef struct {
  VxTrainer *t;
  const VxTrainCallbacks *cb;
  VxTrainProgress p;
  gint64 session_start;    /* monotonic time at the start of fit */
  double wall_at_start;    /* t->wall_time then */
  double eval_estimate;    /* seconds of one evaluation */
  int n_train, n_test;
} FitState;

static double
fit_elapsed (const FitState *s)
{
  return s->wall_at_start + (g_get_monotonic_time () - s->session_start) / 1e6;
}

/* seconds left: training images at the current rate, plus the evaluations */
static double
estimate_eta (const FitState *s, int train_left_epoch, double eval_fraction_left)
{
  const VxTrainProgress *p = &s->p;
  double rate = p->images_per_s > 0 ? p->images_per_s : 0.0;
  if (rate <= 0)
    return -1.0;
  int later_epochs = p->epochs - p->epoch - 1;
  double images = train_left_epoch + (double) later_epochs * s->n_train;
  double eval = s->eval_estimate >= 0 ? s->eval_estimate : s->n_test / (3.0 * rate);
  double evals = s->n_test > 0 ? eval_fraction_left + later_epochs : 0.0;
  return images / rate + evals * eval;
}

static void
eval_progress (void *user, int done, int total)
{
  FitState *s = user;
  s->p.phase = VX_TRAIN_PHASE_EVAL;
  s->p.done = done;
  s->p.total = total;
  s->p.elapsed_s = fit_elapsed (s);
  s->p.eta_s = estimate_eta (s, 0, 1.0 - (double) done / MAX (total, 1));
  if (s->cb->progress)
    s->cb->progress (s->cb->user, &s->p);
}

static gboolean
eval_cancelled (void *user)
{
  FitState *s = user;
  return s->cb->cancelled && s->cb->cancelled (s->cb->user);
}

static gboolean
check_dataset (const VxModel *m, const VxDataset *ds, GError **error)
{
  const VxArch *a = &m->arch;
  const char *name = ds->source ? ds->source : "dataset";
  if (ds->n <= 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY, "%s: no images to train on", name);
      return FALSE;
    }
  if (ds->channels != a->in_chans || ds->height != a->img_size || ds->width != a->img_size)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: images are %dx%dx%d but the model expects %dx%dx%d", name,
                   ds->channels, ds->height, ds->width, a->in_chans, a->img_size, a->img_size);
      return FALSE;
    }
  for (int i = 0; i < ds->n; i++)
    if (ds->labels[i] < 0 || ds->labels[i] >= a->num_classes)
      {
        g_set_error (error, VX_ERROR, VX_ERROR_VALUE,
                     "%s: image %d has label %d, outside the model's %d classes", name, i,
                     ds->labels[i], a->num_classes);
        return FALSE;
      }
  return TRUE;
}

/* images (count, C, S, S) and labels of batch positions [start, start+count) of the
 * epoch's permutation, augmented with draws keyed by (seed, epoch, image) */
static void
fill_train_batch (const VxTrainer *t, const VxDataset *ds, const int *perm, int start, int count,
                  int epoch, float *images, int32_t *labels, float *tmp)
{
  const VxModel *m = t->model;
  int C = m->arch.in_chans, S = m->arch.img_size;
  size_t img = (size_t) C * S * S;
  float fill[3] = { 0 };
  for (int c = 0; c < C && c < 3; c++)
    fill[c] = -m->mean[c] / m->std[c];   /* a black pixel, normalised */
  uint64_t tag = vx_rng_tag ("train-augment");

  for (int i = 0; i < count; i++)
    {
      int idx = perm[start + i];
      labels[i] = ds->labels[idx];
      if (!t->cfg.augment)
        {
          vx_dataset_fill_batch (ds, m, idx, 1, images + i * img);
          continue;
        }
      vx_dataset_fill_batch (ds, m, idx, 1, tmp);
      VxRng r;
      vx_rng_init (&r, vx_rng_key (t->cfg.seed, tag, epoch, idx, -1));
      int span = 2 * t->cfg.crop_pad + 1;
      int dx = (int) vx_rng_below (&r, span);
      int dy = (int) vx_rng_below (&r, span);
      gboolean flip = t->cfg.flip && vx_rng_below (&r, 2) == 1;
      vx_augment_image (images + i * img, tmp, C, S, t->cfg.crop_pad, fill, dx, dy, flip);
    }
}

/* the buffers of one training batch */
typedef struct {
  int *perm;          /* (n) the epoch's order of the training images */
  float *images;      /* (batch, C, S, S) */
  float *tmp;         /* (C, S, S) an image before augmentation */
  int32_t *labels;    /* (batch) */
} FitBatch;

/* The optimiser steps of epoch t->epoch over `train`, with progress every
 * `every` steps; fills ep's training fields. FALSE when cancelled. */
static gboolean
fit_train_epoch (FitState *s, const VxDataset *train, FitBatch *fb, int every, VxTrainEpoch *ep,
                 GError **error)
{
  VxTrainer *t = s->t;
  const VxTrainCallbacks *c = s->cb;
  const VxTrainConfig *cfg = &t->cfg;
  int n = train->n, batch = cfg->batch, e = t->epoch;
  int64_t spe = (n + batch - 1) / batch;
  double train_s = 0.0, loss_sum = 0.0, norm_sum = 0.0, lr = 0.0;
  int correct = 0, seen = 0;

  for (int i = 0; i < n; i++)
    fb->perm[i] = i;
  VxRng r;
  vx_rng_init (&r, vx_rng_key (cfg->seed, vx_rng_tag ("train-shuffle"), e, -1, -1));
  vx_rng_shuffle (&r, fb->perm, n);

  s->p.epoch = e;
  s->p.phase = VX_TRAIN_PHASE_TRAIN;
  s->p.total = n;
  for (int64_t k = 0; k < spe; k++)
    {
      if (c->cancelled && c->cancelled (c->user))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_CANCELLED,
                       "training cancelled in epoch %d at step %" G_GINT64_FORMAT, e + 1, k);
          return FALSE;
        }
      gint64 s0 = g_get_monotonic_time ();
      int start = (int) (k * batch), count = MIN (batch, n - start);
      fill_train_batch (t, train, fb->perm, start, count, e, fb->images, fb->labels, fb->tmp);
      lr = vx_train_lr_at (cfg, t->step, spe);
      VxStepResult res;
      vx_trainer_step (t, fb->images, fb->labels, count, lr, c->hooks, &res);
      train_s += (g_get_monotonic_time () - s0) / 1e6;
      loss_sum += res.loss * count;
      norm_sum += res.grad_norm;
      correct += res.correct;
      seen += count;

      if (c->progress && ((k + 1) % every == 0 || k + 1 == spe))
        {
          s->p.phase = VX_TRAIN_PHASE_TRAIN;
          s->p.done = seen;
          s->p.step = t->step;
          s->p.lr = lr;
          s->p.loss = loss_sum / seen;
          s->p.train_acc = (double) correct / seen;
          s->p.images_per_s = train_s > 0 ? seen / train_s : 0.0;
          s->p.elapsed_s = fit_elapsed (s);
          s->p.eta_s = estimate_eta (s, n - seen, 1.0);
          c->progress (c->user, &s->p);
        }
    }
  s->p.images_per_s = train_s > 0 ? seen / train_s : 0.0;

  ep->epoch = e + 1;
  ep->lr = lr;
  ep->loss = loss_sum / seen;
  ep->train_acc = (double) correct / seen;
  ep->train_seconds = train_s;
  ep->images_per_s = s->p.images_per_s;
  ep->grad_norm = norm_sum / spe;
  return TRUE;
}

/* top-1 accuracy on `test` with the ideal forward pass, into *top1 */
static gboolean
fit_evaluate (FitState *s, const VxDataset *test, double *top1, GError **error)
{
  VxTrainer *t = s->t;
  VxEvalOpts eo = { 0 };
  eo.batch = t->cfg.eval_batch;
  eo.threads = t->cfg.threads;
  eo.hooks = &t->ideal;
  eo.progress = eval_progress;
  eo.cancelled = eval_cancelled;
  eo.user = s;
  VxEvalResult er;
  gint64 v0 = g_get_monotonic_time ();
  if (!vx_eval_run (t->model, test, &eo, &er, error))
    return FALSE;
  s->eval_estimate = (g_get_monotonic_time () - v0) / 1e6;
  *top1 = er.top1;
  vx_eval_result_clear (&er);
  return TRUE;
}

gboolean
vx_trainer_fit (VxTrainer *t, const VxDataset *train, const VxDataset *test,
                const char *checkpoint_path, const VxTrainCallbacks *cb, GError **error)
{
  static const VxTrainCallbacks no_cb = { 0 };
  const VxTrainCallbacks *c = cb ? cb : &no_cb;
  VxModel *m = t->model;
  const VxArch *a = &m->arch;
  const VxTrainConfig *cfg = &t->cfg;

  if (!check_dataset (m, train, error) || (test && !check_dataset (m, test, error)))
    return FALSE;

  int n = train->n, batch = cfg->batch;
  int64_t spe = (n + batch - 1) / batch;
  int every = c->progress_every > 0 ? c->progress_every : 10;
  size_t img = (size_t) a->in_chans * a->img_size * a->img_size;
  g_autofree int *perm = g_new (int, n);
  g_autofree float *images = g_new (float, img * batch);
  g_autofree float *tmp = g_new (float, img);
  g_autofree int32_t *labels = g_new (int32_t, batch);
  FitBatch fb = { perm, images, tmp, labels };

  FitState s = { 0 };
  s.t = t;
  s.cb = c;
  s.session_start = g_get_monotonic_time ();
  s.wall_at_start = t->wall_time;
  s.eval_estimate = -1.0;
  s.n_train = n;
  s.n_test = test ? test->n : 0;
  s.p.epochs = cfg->epochs;
  s.p.total_steps = (int64_t) cfg->epochs * spe;

  while (t->epoch < cfg->epochs)
    {
      gint64 e0 = g_get_monotonic_time ();
      VxTrainEpoch ep = { 0 };
      ep.test_acc = -1.0;
      if (!fit_train_epoch (&s, train, &fb, every, &ep, error)
          || (test && !fit_evaluate (&s, test, &ep.test_acc, error)))
        {
          t->wall_time = fit_elapsed (&s);
          return FALSE;
        }
      ep.seconds = (g_get_monotonic_time () - e0) / 1e6;

      t->epoch = ep.epoch;
      t->wall_time = fit_elapsed (&s);
      if (checkpoint_path && !vx_trainer_save_checkpoint (t, checkpoint_path, error))
        return FALSE;
      if (c->epoch_done)
        c->epoch_done (c->user, &ep);
    }
  t->wall_time = fit_elapsed (&s);
  return TRUE;
}
