/* vx-train.c: the model's backward pass, one training step, and the training loop */
#define G_LOG_DOMAIN "vx-train"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-backward.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-rng.h"
#include "vx-train-private.h"

/* ---- gradient buffers of the activations ------------------------------------------ */

struct _VxGradActs {
  VxArch arch;
  int max_batch;
  float *mem;
  float *dx;          /* (B, N, D) gradient of the residual stream */
  float *dres1;       /* (B, N, D) */
  float *dln;         /* (B, N, D) gradient of a LayerNorm output */
  float *datt;        /* (B, N, D) */
  float *dqkv;        /* (B, N, 3D) */
  float *dgelu;       /* (B, N, F) */
  float *dfc1;        /* (B, N, F) */
  float *dpatch_out;  /* (B, Np, D) */
  float *dlt;         /* (B, K) gradient of one head's logits */
  float *dlnf;        /* (B, D) */
  float *dfeat;       /* (B, D) */
};

VxGradActs *
vx_grad_acts_new (const VxArch *a, int max_batch)
{
  size_t B = max_batch, N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  size_t D = a->embed_dim, F = a->mlp_hidden, K = a->num_classes;
  size_t n = 4 * B * N * D + 3 * B * N * D + 2 * B * N * F + B * Np * D + B * K + 2 * B * D;
  VxGradActs *g = g_new0 (VxGradActs, 1);
  g->arch = *a;
  g->max_batch = max_batch;
  g->mem = g_new0 (float, n);
  float *p = g->mem;
#define TAKE(count) (p += (count), p - (count))
  g->dx = TAKE (B * N * D);
  g->dres1 = TAKE (B * N * D);
  g->dln = TAKE (B * N * D);
  g->datt = TAKE (B * N * D);
  g->dqkv = TAKE (B * N * 3 * D);
  g->dgelu = TAKE (B * N * F);
  g->dfc1 = TAKE (B * N * F);
  g->dpatch_out = TAKE (B * Np * D);
  g->dlt = TAKE (B * K);
  g->dlnf = TAKE (B * D);
  g->dfeat = TAKE (B * D);
#undef TAKE
  g_assert ((size_t) (p - g->mem) == n);
  return g;
}

void
vx_grad_acts_free (VxGradActs *g)
{
  if (!g)
    return;
  g_free (g->mem);
  g_free (g);
}

/* ---- model backward ---------------------------------------------------------------- */

static inline void
zero (float *x, size_t n)
{
  memset (x, 0, sizeof (float) * n);
}

/* vx_linear_backward, timed into *gemm_s when gemm_s is not NULL */
static void
linear_bw (double *gemm_s, float *dinp, float *dweight, float *dbias, const float *dout,
           const float *inp, const float *weight, int M, int K, int N, int threads)
{
  gint64 t0 = gemm_s ? g_get_monotonic_time () : 0;
  vx_linear_backward (dinp, dweight, dbias, dout, inp, weight, M, K, N, threads);
  if (gemm_s)
    *gemm_s += (g_get_monotonic_time () - t0) / 1e6;
}

void
vx_model_backward (const VxModel *m, const VxActs *acts, VxGradActs *w,
                   const float *dlogits, int B, VxParams *g, const VxBackwardOpts *opts)
{
  static const VxBackwardOpts no_opts = { 0 };
  const VxBackwardOpts *o = opts ? opts : &no_opts;
  const VxArch *a = &m->arch;
  const VxParams *p = &m->params;
  int N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  int D = a->embed_dim, F = a->mlp_hidden, H = a->num_heads, K = a->num_classes;
  int CPP = a->in_chans * a->patch_size * a->patch_size;
  int T = a->distilled ? 2 : 1;
  /* rows per image of the last block (fewer than N after token pruning) */
  int Nl = a->depth > 0 ? acts->tokens[a->depth - 1] : N;
  int BN = B * Nl;
  size_t BND = (size_t) BN * D;
  int th = o->threads > 0 ? o->threads : vx_get_num_threads ();
  double *gs = o->gemm_seconds;

  g_return_if_fail (acts->keep_all);
  g_return_if_fail (B > 0 && B <= acts->max_batch && B <= w->max_batch);
  g_return_if_fail (memcmp (&acts->arch, a, sizeof *a) == 0);
  g_return_if_fail (memcmp (&w->arch, a, sizeof *a) == 0);

  /* head(s), final norm of the head tokens, gather */
  zero (w->dx, BND);
  for (int t = 0; t < T; t++)
    {
      const float *lnf = acts->lnf + (size_t) t * B * D;       // (B, D)
      const float *feat = acts->feat + (size_t) t * B * D;     // (B, D)
      float s = T == 1 ? 1.0f : 0.5f;
      for (size_t i = 0; i < (size_t) B * K; i++)
        w->dlt[i] = s * dlogits[i];
      zero (w->dlnf, (size_t) B * D);
      linear_bw (gs, w->dlnf, t == 0 ? g->head_w : g->head_dist_w, t == 0 ? g->head_b : g->head_dist_b,
                 w->dlt, lnf, t == 0 ? p->head_w : p->head_dist_w, B, D, K, th);
      zero (w->dfeat, (size_t) B * D);
      vx_layernorm_backward (w->dfeat, g->norm_w, g->norm_b, w->dlnf, feat, p->norm_w,
                             acts->lnf_mean + (size_t) t * B, acts->lnf_rstd + (size_t) t * B,
                             B, D, th);
      vx_gather_token_backward (w->dx, w->dfeat, t, B, Nl, D);
    }

  for (int l = a->depth - 1; l >= 0; l--)
    {
      const VxBlockParams *bp = &p->blocks[l];
      VxBlockParams *bg = &g->blocks[l];
      const VxBlockActs *ba = &acts->blk[l];
      Nl = acts->tokens[l];
      BN = B * Nl;
      BND = (size_t) BN * D;

      /* res2 = res1 + fc2(gelu(fc1(ln2(res1)))); dx holds d res2 */
      memcpy (w->dres1, w->dx, sizeof (float) * BND);
      zero (w->dgelu, (size_t) BN * F);
      linear_bw (gs, w->dgelu, bg->fc2_w, bg->fc2_b, w->dx, ba->gelu, bp->fc2_w, BN, F, D, th);
      zero (w->dfc1, (size_t) BN * F);
      vx_gelu_backward (w->dfc1, ba->fc1, ba->gelu, w->dgelu, (size_t) BN * F, th);
      zero (w->dln, BND);
      linear_bw (gs, w->dln, bg->fc1_w, bg->fc1_b, w->dfc1, ba->ln2, bp->fc1_w, BN, D, F, th);
      vx_layernorm_backward (w->dres1, bg->norm2_w, bg->norm2_b, w->dln, ba->res1, bp->norm2_w,
                             ba->ln2_mean, ba->ln2_rstd, BN, D, th);

      /* res1 = x_in + proj(attention(qkv(ln1(x_in)))) */
      memcpy (w->dx, w->dres1, sizeof (float) * BND);
      zero (w->datt, BND);
      linear_bw (gs, w->datt, bg->proj_w, bg->proj_b, w->dres1, ba->att, bp->proj_w, BN, D, D, th);
      zero (w->dqkv, (size_t) BN * 3 * D);
      gint64 a0 = o->attention_seconds ? g_get_monotonic_time () : 0;
      vx_attention_backward (w->dqkv, w->datt, ba->qkv, ba->probs, B, Nl, D, H, th);
      if (o->attention_seconds)
        *o->attention_seconds += (g_get_monotonic_time () - a0) / 1e6;
      zero (w->dln, BND);
      linear_bw (gs, w->dln, bg->qkv_w, bg->qkv_b, w->dqkv, ba->ln1, bp->qkv_w, BN, D, 3 * D, th);
      vx_layernorm_backward (w->dx, bg->norm1_w, bg->norm1_b, w->dln, ba->x_in, bp->norm1_w,
                             ba->ln1_mean, ba->ln1_rstd, BN, D, th);

      /* token pruning before this block: the gather's gradient goes back to the
       * kept rows of the previous block's output (the selection is a constant) */
      if (acts->pruned[l] && l > 0)
        {
          int Np_prev = acts->tokens[l - 1];
          size_t prev = (size_t) B * Np_prev * D;
          zero (w->dres1, prev);
          vx_tokens_gather_backward (w->dres1, w->dx, acts->kept + (size_t) l * B * N,
                                     B, Np_prev, Nl, D);
          memcpy (w->dx, w->dres1, sizeof (float) * prev);
        }
    }

  /* tokens and patch embedding */
  zero (w->dpatch_out, (size_t) B * Np * D);
  vx_embed_backward (w->dpatch_out, g->cls_token, g->dist_token, g->pos_embed, w->dx, B, Np, T, D);
  gint64 t0 = gs ? g_get_monotonic_time () : 0;
  vx_patch_embed_backward (g->patch_w, g->patch_b, w->dpatch_out, acts->patches, B * Np, CPP, D, th);
  if (gs)
    *gs += (g_get_monotonic_time () - t0) / 1e6;
}

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

  zero (t->dlogits, (size_t) B * K);
  vx_crossentropy_backward (t->dlogits, t->logits, labels, 1.0f / B, B, K, eps);
  zero (t->grad_mem, t->grads.n);
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
      int e = t->epoch;
      gint64 e0 = g_get_monotonic_time ();
      double train_s = 0.0, loss_sum = 0.0, norm_sum = 0.0, lr = 0.0;
      int correct = 0, seen = 0;

      for (int i = 0; i < n; i++)
        perm[i] = i;
      VxRng r;
      vx_rng_init (&r, vx_rng_key (cfg->seed, vx_rng_tag ("train-shuffle"), e, -1, -1));
      vx_rng_shuffle (&r, perm, n);

      s.p.epoch = e;
      s.p.phase = VX_TRAIN_PHASE_TRAIN;
      s.p.total = n;
      for (int64_t k = 0; k < spe; k++)
        {
          if (c->cancelled && c->cancelled (c->user))
            {
              g_set_error (error, VX_ERROR, VX_ERROR_CANCELLED,
                           "training cancelled in epoch %d at step %" G_GINT64_FORMAT, e + 1, k);
              t->wall_time = fit_elapsed (&s);
              return FALSE;
            }
          gint64 s0 = g_get_monotonic_time ();
          int start = (int) (k * batch), count = MIN (batch, n - start);
          fill_train_batch (t, train, perm, start, count, e, images, labels, tmp);
          lr = vx_train_lr_at (cfg, t->step, spe);
          VxStepResult res;
          vx_trainer_step (t, images, labels, count, lr, c->hooks, &res);
          train_s += (g_get_monotonic_time () - s0) / 1e6;
          loss_sum += res.loss * count;
          norm_sum += res.grad_norm;
          correct += res.correct;
          seen += count;

          if (c->progress && ((k + 1) % every == 0 || k + 1 == spe))
            {
              s.p.phase = VX_TRAIN_PHASE_TRAIN;
              s.p.done = seen;
              s.p.step = t->step;
              s.p.lr = lr;
              s.p.loss = loss_sum / seen;
              s.p.train_acc = (double) correct / seen;
              s.p.images_per_s = train_s > 0 ? seen / train_s : 0.0;
              s.p.elapsed_s = fit_elapsed (&s);
              s.p.eta_s = estimate_eta (&s, n - seen, 1.0);
              c->progress (c->user, &s.p);
            }
        }
      s.p.images_per_s = train_s > 0 ? seen / train_s : 0.0;

      VxTrainEpoch ep = { 0 };
      ep.epoch = e + 1;
      ep.lr = lr;
      ep.loss = loss_sum / seen;
      ep.train_acc = (double) correct / seen;
      ep.train_seconds = train_s;
      ep.images_per_s = s.p.images_per_s;
      ep.grad_norm = norm_sum / spe;
      ep.test_acc = -1.0;
      if (test)
        {
          VxEvalOpts eo = { 0 };
          eo.batch = cfg->eval_batch;
          eo.threads = trainer_threads (t);
          eo.hooks = &t->ideal;
          eo.progress = eval_progress;
          eo.cancelled = eval_cancelled;
          eo.user = &s;
          VxEvalResult er;
          gint64 v0 = g_get_monotonic_time ();
          if (!vx_eval_run (m, test, &eo, &er, error))
            {
              t->wall_time = fit_elapsed (&s);
              return FALSE;
            }
          s.eval_estimate = (g_get_monotonic_time () - v0) / 1e6;
          ep.test_acc = er.top1;
          vx_eval_result_clear (&er);
        }
      ep.seconds = (g_get_monotonic_time () - e0) / 1e6;

      t->epoch = e + 1;
      t->wall_time = fit_elapsed (&s);
      if (checkpoint_path && !vx_trainer_save_checkpoint (t, checkpoint_path, error))
        return FALSE;
      if (c->epoch_done)
        c->epoch_done (c->user, &ep);
    }
  t->wall_time = fit_elapsed (&s);
  return TRUE;
}
