/* vx-train.c: the trainer: its state, one training step (the backward pass is in
 * vx-model-backward.c, the training loop in vx-train-fit.c) */
#define G_LOG_DOMAIN "vx-train"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-backward.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-rng.h"
#include "vx-train-private.h"

/* ---- the trainer ------------------------------------------------------------------- */

static int
trainer_threads (const VxTrainer *t)
{
  return t->cfg.threads > 0 ? t->cfg.threads : vx_get_num_threads ();
}

/* The ideal forward's static products, as blocked GEMMs on the OpenMP threads
 * (see vx_gemm_blocked): one thread pool for the whole step. */
static void
ideal_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *weight, const float *bias, int M, int K, int N)
{
  const VxTrainer *t = user;
  vx_linear_forward_blocked (out, in, weight, bias, M, K, N, trainer_threads (t));
}

VxTrainer *
vx_trainer_new (VxModel *model, const VxTrainConfig *cfg, GError **error)
{
  g_return_val_if_fail (model != NULL && cfg != NULL, NULL);
  struct { const char *name; gboolean ok; } checks[] = {
    { "epochs must be at least 1", cfg->epochs >= 1 },
    { "batch must be at least 1", cfg->batch >= 1 && cfg->batch <= 65536 },
    { "learning rate must be finite and not negative", cfg->lr >= 0 && isfinite (cfg->lr) },
    { "minimum learning rate must be in [0, lr]", cfg->min_lr >= 0 && cfg->min_lr <= cfg->lr },
    { "warm-up epochs must be in [0, epochs]", cfg->warmup_epochs >= 0 && cfg->warmup_epochs <= cfg->epochs },
    { "weight decay must be in [0, 1/lr)", cfg->weight_decay >= 0 && cfg->weight_decay * cfg->lr < 1 },
    { "betas must be in [0, 1)", cfg->beta1 >= 0 && cfg->beta1 < 1 && cfg->beta2 >= 0 && cfg->beta2 < 1 },
    { "Adam eps must be positive", cfg->adam_eps > 0 },
    { "label smoothing must be in [0, 1)", cfg->label_smoothing >= 0 && cfg->label_smoothing < 1 },
    { "clip norm must not be negative", cfg->clip_norm >= 0 },
    { "crop padding must be in [0, image size)", cfg->crop_pad >= 0 && cfg->crop_pad < model->arch.img_size },
    { "evaluation batch must be at least 1", cfg->eval_batch >= 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    if (!checks[i].ok)
      {
        g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "training recipe: %s", checks[i].name);
        return NULL;
      }

  VxTrainer *t = g_new0 (VxTrainer, 1);
  const VxArch *a = &model->arch;
  size_t n = model->params.n;
  t->model = model;
  t->cfg = *cfg;
  t->table = vx_params_table (a, &t->n_tensors);
  t->grad_mem = g_new0 (float, n);
  vx_params_bind (&t->grads, a, t->grad_mem);
  t->adam_m = g_new0 (float, n);
  t->adam_v = g_new0 (float, n);
  t->acts = vx_acts_new (a, cfg->batch, TRUE);
  t->gacts = vx_grad_acts_new (a, cfg->batch);
  t->logits = g_new0 (float, (size_t) cfg->batch * a->num_classes);
  t->dlogits = g_new0 (float, (size_t) cfg->batch * a->num_classes);
  t->ideal.linear = ideal_linear;
  t->ideal.user = t;
  t->ideal.linear_any_rows = TRUE;   /* plain GEMMs: pruned blocks need no padding */
  return t;
}

void
vx_trainer_free (VxTrainer *t)
{
  if (!t)
    return;
  g_free (t->table);
  vx_params_unbind (&t->grads);
  g_free (t->grad_mem);
  g_free (t->adam_m);
  g_free (t->adam_v);
  vx_acts_free (t->acts);
  vx_grad_acts_free (t->gacts);
  g_free (t->logits);
  g_free (t->dlogits);
  g_free (t);
}

const VxTrainConfig *vx_trainer_get_config (const VxTrainer *t) { return &t->cfg; }
VxModel *vx_trainer_get_model (const VxTrainer *t) { return t->model; }
const VxParams *vx_trainer_get_grads (const VxTrainer *t) { return &t->grads; }
int vx_trainer_get_epoch (const VxTrainer *t) { return t->epoch; }
int64_t vx_trainer_get_step (const VxTrainer *t) { return t->step; }
double vx_trainer_get_wall_time (const VxTrainer *t) { return t->wall_time; }

void
vx_trainer_set_epochs (VxTrainer *t, int epochs)
{
  g_return_if_fail (epochs >= 1);
  t->cfg.epochs = epochs;
  t->cfg.warmup_epochs = MIN (t->cfg.warmup_epochs, (double) epochs);
}

void
vx_trainer_step (VxTrainer *t, const float *images, const int32_t *labels, int B, double lr,
                 const VxMatmulHooks *hooks, VxStepResult *out)
{
  g_return_if_fail (B > 0 && B <= t->cfg.batch);
  VxModel *m = t->model;
  int K = m->arch.num_classes;
  int th = trainer_threads (t);
  float eps = (float) t->cfg.label_smoothing;
  VxStepResult r = { 0 };

  gint64 t0 = g_get_monotonic_time ();
  VxForwardOpts fo = { hooks ? hooks : &t->ideal, t->step * t->cfg.batch, t->step, th };
  vx_model_forward (m, t->acts, images, B, t->logits, &fo);
  r.loss = vx_crossentropy_forward (NULL, t->logits, labels, B, K, eps);
  for (int b = 0; b < B; b++)
    r.correct += vx_argmax (t->logits + (size_t) b * K, K) == labels[b];
  gint64 t1 = g_get_monotonic_time ();

  memset (t->dlogits, 0, sizeof (float) * B * K);
  vx_crossentropy_backward (t->dlogits, t->logits, labels, 1.0f / B, B, K, eps);
  memset (t->grad_mem, 0, sizeof (float) * t->grads.n);
  VxBackwardOpts bo = { th, &r.backward_gemm_s, &r.backward_attention_s };
  vx_model_backward (m, t->acts, t->gacts, t->dlogits, B, &t->grads, &bo);
  gint64 t2 = g_get_monotonic_time ();

  r.grad_norm = vx_grad_global_norm (t->grad_mem, t->grads.n);
  vx_grad_clip (t->grad_mem, t->grads.n, r.grad_norm, t->cfg.clip_norm);
  t->step++;
  VxAdamWParams hp = { lr, t->cfg.beta1, t->cfg.beta2, t->cfg.adam_eps, t->cfg.weight_decay };
  vx_adamw_step (m->params.mem, t->grad_mem, t->adam_m, t->adam_v, t->table, t->n_tensors,
                 t->step, &hp, th);
  gint64 t3 = g_get_monotonic_time ();

  r.forward_s = (t1 - t0) / 1e6;
  r.backward_s = (t2 - t1) / 1e6;
  r.optimiser_s = (t3 - t2) / 1e6;
  if (out)
    *out = r;
}

