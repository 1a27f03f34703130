/* vx-train.h: training a ViT: the model's backward pass, AdamW, the learning-rate
 * schedule, augmentation, the training loop, checkpoints
 *
 * Gradients and the optimiser's moments use the parameters' layout (one float
 * allocation bound with vx_params_bind), so the i-th float of each is the same
 * element. Every random draw is keyed by (seed, purpose, epoch, image), so the
 * same seed and thread count give identical weights, and a run resumed from a
 * checkpoint continues bit-identically.
 *
 * Variation-aware training passes VxMatmulHooks to the forward pass; the
 * backward pass is straight-through: it uses the ideal weights and the
 * activations the (noisy) forward stored.
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include "vx-model.h"
#include "vx-dataset.h"

G_BEGIN_DECLS

/* ---- model backward ------------------------------------------------------------ */

typedef struct _VxGradActs VxGradActs;   /* gradient buffers of the activations */

VxGradActs *vx_grad_acts_new  (const VxArch *a, int max_batch);
void        vx_grad_acts_free (VxGradActs *g);

typedef struct {
  int threads;             /* OpenMP threads of the kernels; 0 = vx_get_num_threads() */
  double *gemm_seconds;    /* if not NULL, += wall time spent in the linear layers' GEMMs */
  double *attention_seconds; /* if not NULL, += wall time of the attention backward (GEMMs, softmax) */
} VxBackwardOpts;

/* grads (bound to vx_params_count() floats, the parameters' layout) += the gradient
 * of a loss whose gradient with respect to the logits of the last forward pass is
 * dlogits (B, K). acts must come from vx_acts_new (keep_all = TRUE) and hold that
 * pass. Distilled models: the logits were the mean of both heads, so each head gets
 * dlogits / 2. */
void vx_model_backward (const VxModel *m, const VxActs *acts, VxGradActs *work,
                        const float *dlogits, int B, VxParams *grads, const VxBackwardOpts *opts);

/* ---- optimiser ------------------------------------------------------------------ */

/* sqrt of the sum of squares of g (n), summed in double in a fixed order */
double vx_grad_global_norm (const float *g, size_t n);
/* PyTorch's clip_grad_norm_: if norm > max_norm, g *= max_norm / (norm + 1e-6).
 * Returns the norm before clipping. */
double vx_grad_clip (float *g, size_t n, double norm, double max_norm);

typedef struct {
  double lr;
  double beta1, beta2, eps;
  double weight_decay;     /* decoupled, applied to tensors whose VxParamInfo.decay is set */
} VxAdamWParams;

/* One AdamW step with PyTorch's semantics (torch.optim.AdamW): for every element,
 * p -= lr wd p (decay tensors only); m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr / (1-b1^t) m / (sqrt(v) / sqrt(1-b2^t) + eps), where t = step (1 for the
 * first step). params, grads, m, v share the layout described by table (n_tensors). */
void vx_adamw_step (float *params, const float *grads, float *m, float *v,
                    const VxParamInfo *table, int n_tensors, int64_t step,
                    const VxAdamWParams *hp, int threads);

/* ---- initialisation ---------------------------------------------------------------- */

/* PyTorch's default initialisation of a plain ViT built from nn.Linear and
 * nn.Conv2d: every weight and bias uniform in +-1/sqrt(fan_in) (kaiming_uniform
 * with a = sqrt(5)), LayerNorm weights 1 and biases 0, class and distillation
 * tokens 0, position embedding normal with std 0.02. For small models and short
 * schedules it trains markedly faster than timm's trunc-normal(0.02)
 * (vx_model_init_random). Seeded per tensor like vx_model_init_random. */
void vx_train_init_torch (VxModel *m, uint64_t seed);

/* ---- recipe --------------------------------------------------------------------- */

typedef struct {
  int epochs;              /* length of the schedule */
  int batch;               /* images per optimiser step (the last batch of an epoch may be smaller) */
  double lr;               /* peak learning rate */
  double min_lr;           /* floor of the cosine */
  double warmup_epochs;    /* linear warm-up from lr / warmup_steps to lr */
  double weight_decay;
  double beta1, beta2, adam_eps;
  double label_smoothing;
  double clip_norm;        /* global L2 norm; <= 0: no clipping */
  uint64_t seed;           /* shuffling and augmentation (initialisation is the caller's) */
  gboolean augment;        /* random crop with padding and horizontal flip */
  int crop_pad;            /* pixels of padding for the random crop */
  gboolean flip;           /* horizontal flip with probability 1/2 (when augment) */
  int threads;             /* OpenMP threads of the trainer's loops; 0 = vx_get_num_threads() */
  int eval_batch;          /* images per forward pass when evaluating */
} VxTrainConfig;

/* the defaults: 30 epochs, batch 128, AdamW lr 2e-3 (min 1e-5), betas (0.9, 0.999),
 * eps 1e-8, wd 0.05, label smoothing 0.1, clip 1.0, warm-up 1 epoch, crop pad 2 +
 * flip, seed 0, eval batch 256 */
void vx_train_config_init (VxTrainConfig *cfg);

/* learning rate of optimiser step `step` (0-based): linear warm-up over the first
 * warmup_epochs * steps_per_epoch steps ((step + 1) / warmup_steps * lr), then a
 * cosine from lr to min_lr over the remaining steps of cfg->epochs epochs */
double vx_train_lr_at (const VxTrainConfig *cfg, int64_t step, int64_t steps_per_epoch);

/* out (C, S, S) = the crop at offset (dx, dy) in 0..2*pad of `in` (C, S, S) padded
 * by pad pixels of value fill[c] on every side, then mirrored left-right if flip */
void vx_augment_image (float *out, const float *in, int C, int S, int pad, const float *fill,
                       int dx, int dy, gboolean flip);

/* ---- the trainer ---------------------------------------------------------------- */

typedef enum {
  VX_TRAIN_PHASE_TRAIN,
  VX_TRAIN_PHASE_EVAL,
} VxTrainPhase;

typedef struct {
  VxTrainPhase phase;
  int epoch;               /* 0-based epoch running */
  int epochs;
  int done, total;         /* images of this phase done / in all, this epoch */
  int64_t step;            /* optimiser steps done since the start of training */
  int64_t total_steps;
  double lr;               /* of the last step */
  double loss;             /* mean training loss of this epoch so far */
  double train_acc;        /* training accuracy (augmented images) of this epoch so far */
  double images_per_s;     /* training throughput of this epoch so far */
  double elapsed_s;        /* wall time of training so far, including resumed sessions */
  double eta_s;            /* estimated seconds to the end of the last epoch */
} VxTrainProgress;

typedef struct {
  int epoch;               /* epochs completed (1-based) */
  double lr;               /* learning rate of the epoch's last step */
  double loss;             /* mean training loss over the epoch */
  double train_acc;
  double test_acc;         /* top-1 on the test set; < 0 without one */
  double seconds;          /* wall time of the epoch, training and evaluation */
  double train_seconds;
  double images_per_s;     /* training throughput */
  double grad_norm;        /* mean global gradient norm before clipping */
} VxTrainEpoch;

typedef struct {
  /* each may be NULL */
  void     (*progress)   (void *user, const VxTrainProgress *p);
  void     (*epoch_done) (void *user, const VxTrainEpoch *e);
  gboolean (*cancelled)  (void *user);      /* polled between steps and eval batches */
  void *user;
  int progress_every;      /* call progress every this many steps; 0 = 10 */
  /* Noisy forward pass for variation-aware training; NULL: the ideal engine. The
   * forward sees first_image = global training image counter, batch = step. */
  const VxMatmulHooks *hooks;
} VxTrainCallbacks;

typedef struct _VxTrainer VxTrainer;

/* A trainer for `model`, which it trains in place (the model stays the caller's and
 * must outlive the trainer). The optimiser state starts at zero, at epoch 0. */
VxTrainer *vx_trainer_new  (VxModel *model, const VxTrainConfig *cfg, GError **error);
void       vx_trainer_free (VxTrainer *t);

const VxTrainConfig *vx_trainer_get_config (const VxTrainer *t);
VxModel        *vx_trainer_get_model      (const VxTrainer *t);
const VxParams *vx_trainer_get_grads      (const VxTrainer *t);  /* of the last step, after clipping */
int             vx_trainer_get_epoch      (const VxTrainer *t);  /* epochs completed */
int64_t         vx_trainer_get_step       (const VxTrainer *t);  /* optimiser steps taken */
double          vx_trainer_get_wall_time  (const VxTrainer *t);  /* seconds, over all sessions */
/* the schedule's length may be changed before fit (it changes the cosine) */
void            vx_trainer_set_epochs     (VxTrainer *t, int epochs);

typedef struct {
  double loss;             /* mean over the batch */
  double grad_norm;        /* before clipping */
  int correct;             /* argmax of the logits == label */
  double forward_s;        /* wall time of the forward pass and the loss */
  double backward_s;       /* of the backward pass */
  double backward_gemm_s;  /* of that, in the linear layers' GEMMs */
  double backward_attention_s; /* of that, in the attention backward (GEMMs, softmax) */
  double optimiser_s;      /* clipping and AdamW */
} VxStepResult;

/* One optimiser step on images (B, C, S, S) (normalised, augmented as wanted) with
 * labels (B) at learning rate lr: forward (through hooks if not NULL), loss,
 * backward, clipping, AdamW. B <= the configured batch. */
void vx_trainer_step (VxTrainer *t, const float *images, const int32_t *labels, int B, double lr,
                      const VxMatmulHooks *hooks, VxStepResult *out);

/* Train from the current epoch to the configured number of epochs. Each epoch
 * shuffles `train`, augments, takes the steps, evaluates on `test` (may be NULL),
 * writes a checkpoint to checkpoint_path (may be NULL) and then calls epoch_done.
 * Cancellation stops with VX_ERROR_CANCELLED; the last checkpoint stays valid. */
gboolean vx_trainer_fit (VxTrainer *t, const VxDataset *train, const VxDataset *test,
                         const char *checkpoint_path, const VxTrainCallbacks *cb, GError **error);

/* Checkpoint: a safetensors file with the parameters (timm names), the AdamW
 * moments (adam_m.<name>, adam_v.<name>), the architecture, normalisation and
 * model metadata, and in train.* metadata the recipe, the epoch, the step, the
 * RNG position and the wall time. Written atomically. */
gboolean   vx_trainer_save_checkpoint (const VxTrainer *t, const char *path, GError **error);
/* A trainer, and its model (returned in *model_out, owned by the caller), restored
 * from a checkpoint. threads is not part of the recipe: it comes from the caller. */
VxTrainer *vx_trainer_load_checkpoint (const char *path, int threads, VxModel **model_out,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxTrainer, vx_trainer_free)

G_END_DECLS
