/* vs-compute.c: staged crossbar evaluations, ideal accuracy, sweep points, one sample */
#define G_LOG_DOMAIN "vs-compute"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vs-compute.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-outlier.h"

/* ---- shared inputs ------------------------------------------------------------------ */

static char *
next_id (const char *kind)
{
  static gint serial;
  return g_strdup_printf ("%s-%d", kind, g_atomic_int_add (&serial, 1));
}

static void
shared_model_clear (VsSharedModel *m)
{
  vx_model_free (m->model);
  g_free (m->id);
  g_free (m->name);
}

VsSharedModel *
vs_shared_model_new (VxModel *model)
{
  VsSharedModel *m = g_atomic_rc_box_new0 (VsSharedModel);
  m->model = model;
  m->id = next_id ("model");
  m->name = model->path ? g_path_get_basename (model->path) : g_strdup ("model");
  return m;
}

VsSharedModel *
vs_shared_model_ref (VsSharedModel *m)
{
  return g_atomic_rc_box_acquire (m);
}

void
vs_shared_model_unref (VsSharedModel *m)
{
  g_atomic_rc_box_release_full (m, (GDestroyNotify) shared_model_clear);
}

static void
shared_data_clear (VsSharedData *d)
{
  vx_dataset_free (d->data);
  g_free (d->id);
  g_free (d->name);
}

/* "fashion-mnist" for .../fashion-mnist/t10k-images-idx3-ubyte.gz, else the base name */
static char *
data_name (const VxDataset *data)
{
  if (!data->source)
    return g_strdup ("dataset");
  g_autofree char *base = g_path_get_basename (data->source);
  if (g_str_has_prefix (base, "t10k-") || g_str_has_prefix (base, "train-"))
    {
      g_autofree char *dir = g_path_get_dirname (data->source);
      if (strcmp (dir, ".") != 0)
        return g_path_get_basename (dir);
    }
  return g_steal_pointer (&base);
}

VsSharedData *
vs_shared_data_new (VxDataset *data)
{
  VsSharedData *d = g_atomic_rc_box_new0 (VsSharedData);
  d->data = data;
  d->id = next_id ("data");
  d->name = data_name (data);
  return d;
}

VsSharedData *
vs_shared_data_ref (VsSharedData *d)
{
  return g_atomic_rc_box_acquire (d);
}

void
vs_shared_data_unref (VsSharedData *d)
{
  g_atomic_rc_box_release_full (d, (GDestroyNotify) shared_data_clear);
}

/* ---- evaluations -------------------------------------------------------------------- */

int
vs_compute_images (const VxDataset *ds, const VsRunSettings *s)
{
  return MAX (1, MIN (s->n_images, ds->n));
}

const VxModel *
vs_compute_prepare_model (const VxModel *m, const VsRunSettings *s, VxModel **owned,
                          GError **error)
{
  *owned = NULL;
  if (!vs_run_settings_outlier_active (s))
    return m;
  VxOutlierOpts o;
  vx_outlier_opts_init (&o);
  o.scale = s->outlier_scale;
  o.channels = MIN (s->outlier_channels, vx_arch_head_dim (&m->arch));
  *owned = vx_outlier_apply (m, &o, error);
  return *owned;
}

static void
eval_opts_init (VxXbarEvalOpts *o, const VsRunSettings *s, int limit)
{
  memset (o, 0, sizeof *o);
  o->repeats = 1;
  o->batch = VS_RUN_BATCH;
  o->limit = limit;
  o->snr = s->snr_mode;
  o->snr_limit = VS_RUN_FIRST_IMAGES;
  o->observe = TRUE;
  o->hist_bins = VX_XBAR_HIST_BINS_DEFAULT;
}

VsRunResult *
vs_compute_first (const VxModel *m, const VxDataset *ds, const VsRunSettings *s,
                  VsCancelFunc cancelled, gpointer user, GError **error)
{
  int n = vs_compute_images (ds, s);
  int first = MIN (VS_RUN_FIRST_IMAGES, n);
  VxXbarEvalOpts o;
  eval_opts_init (&o, s, first);
  o.cancelled = cancelled;
  o.user = user;

  VxXbarEvalResult x;
  if (!vx_xbar_eval_run (m, ds, &s->xbar, &o, &x, error))
    return NULL;
  VsRunResult *r = vs_run_result_new (s, m->arch.depth, m->arch.num_classes, n);
  vs_run_result_set_first (r, &x);
  vs_run_result_add_batch (r, 0, x.n, x.top1_correct[0]);
  r->seconds = x.seconds;
  vx_xbar_eval_result_clear (&x);
  return r;
}

/* vx_eval_run's callbacks for the staged accuracy of a run */
typedef struct {
  VxXbarSim *sim;
  const VxDataset *ds;
  VsRunResult *r;
  int rep, K;
  gint64 t0;
  double seconds0;
  VsBatchFunc batch_done;
  VsCancelFunc cancelled;
  gpointer user;
} AccuracyCtx;

static void
accuracy_batch_begin (void *user, int64_t batch_index, int64_t first_image, int count)
{
  AccuracyCtx *c = user;
  vx_xbar_sim_batch_begin (c->sim, batch_index, first_image, count);
}

static void
accuracy_batch_done (void *user, int64_t batch_index, int64_t first_image, int count,
                     const float *logits)
{
  AccuracyCtx *c = user;
  const int32_t *labels = c->ds->labels + first_image;
  int correct = 0;
  for (int i = 0; i < count; i++)
    correct += vx_argmax (logits + (size_t) i * c->K, c->K) == labels[i];
  vs_run_result_add_batch (c->r, c->rep, count, correct);
  c->r->seconds = c->seconds0 + (g_get_monotonic_time () - c->t0) / 1e6;
  if (c->batch_done)
    c->batch_done (c->user, c->r);
}

static gboolean
accuracy_cancelled (void *user)
{
  AccuracyCtx *c = user;
  return c->cancelled && c->cancelled (c->user);
}

/* vx_eval_run on the run's first r->n images, once per repeat (seed + repeat,
 * as vx_xbar_eval_run), resumed from the batch each repeat reached: the same
 * batches, batch indices and seeds as an uninterrupted run, so the same noise. */
gboolean
vs_compute_accuracy (const VxModel *m, const VxDataset *ds, VsRunResult *r,
                     VsBatchFunc batch_done, VsCancelFunc cancelled, gpointer user,
                     GError **error)
{
  const VsRunSettings *s = &r->settings;
  int n = r->n;
  int batch = MAX (1, MIN (VS_RUN_BATCH, n));

  if (r->complete)
    return TRUE;
  g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (m, &s->xbar, error);
  if (!sim)
    return FALSE;
  if (s->xbar.kv_scale == VX_KV_SCALE_CALIBRATED && !vx_xbar_sim_calibrate (sim, ds, 512, error))
    return FALSE;

  AccuracyCtx c = { sim, ds, r, 0, m->arch.num_classes, g_get_monotonic_time (), r->seconds,
                    batch_done, cancelled, user };
  VxEvalOpts o = { 0 };
  o.batch = batch;
  o.limit = n;
  o.hooks = vx_xbar_sim_get_hooks (sim);
  o.batch_begin = accuracy_batch_begin;
  o.batch_done = accuracy_batch_done;
  o.cancelled = accuracy_cancelled;
  o.user = &c;
  for (int rep = 0; rep < r->repeats; rep++)
    {
      if (r->done_runs[rep] >= n)
        continue;
      c.rep = rep;
      vx_xbar_sim_set_seed (sim, s->xbar.seed + (guint64) rep);
      o.resume_batch = r->done_runs[rep] / batch;
      VxEvalResult er;
      if (!vx_eval_run (m, ds, &o, &er, error))
        return FALSE;
      vx_eval_result_clear (&er);
    }
  return TRUE;
}

typedef struct {
  VsCancelFunc cancelled;
  gpointer user;
} CancelRelay;

static gboolean
relay_cancelled (void *user)
{
  CancelRelay *c = user;
  return c->cancelled && c->cancelled (c->user);
}

gboolean
vs_compute_ideal (const VxModel *m, const VxDataset *ds, int n, VsCancelFunc cancelled,
                  gpointer user, double *top1, GError **error)
{
  CancelRelay relay = { cancelled, user };
  VxEvalOpts o = { 0 };
  o.batch = VS_RUN_BATCH;
  o.limit = n;
  o.cancelled = relay_cancelled;
  o.user = &relay;
  VxEvalResult er;
  if (!vx_eval_run (m, ds, &o, &er, error))
    return FALSE;
  *top1 = er.top1;
  vx_eval_result_clear (&er);
  return TRUE;
}

gboolean
vs_compute_reference (const VxModel *m, const VxDataset *ds, const VsRunSettings *s,
                      VxXbarEvalResult *out, GError **error)
{
  g_autoptr (VxModel) owned = NULL;
  const VxModel *pm = vs_compute_prepare_model (m, s, &owned, error);
  if (!pm)
    return FALSE;
  VxXbarEvalOpts o;
  eval_opts_init (&o, s, vs_compute_images (ds, s));
  o.repeats = s->repeats;
  return vx_xbar_eval_run (pm, ds, &s->xbar, &o, out, error);
}

gboolean
vs_compute_point (const VxModel *m, const VxDataset *ds, const VsRunSettings *s, int n,
                  VsCancelFunc cancelled, gpointer user, double *top1, double *lo, double *hi,
                  double *std, GError **error)
{
  CancelRelay relay = { cancelled, user };
  VxXbarEvalOpts o = { 0 };
  o.repeats = s->repeats;
  o.batch = VS_RUN_BATCH;
  o.limit = MAX (1, MIN (n, ds->n));
  o.snr = VX_SNR_NONE;
  o.cancelled = relay_cancelled;
  o.user = &relay;
  VxXbarEvalResult x;
  if (!vx_xbar_eval_run (m, ds, &s->xbar, &o, &x, error))
    return FALSE;
  *top1 = x.top1_mean;
  *lo = x.top1_lo;
  *hi = x.top1_hi;
  if (std)
    *std = x.top1_std;
  vx_xbar_eval_result_clear (&x);
  return TRUE;
}

/* ---- one sample ---------------------------------------------------------------------- */

/* The simulator's hooks with an observer of the attention probabilities chained in. */
typedef struct {
  const VxMatmulHooks *inner;
  VxMatmulHooks hooks;
  int block, grid, extra;
  float *attn;               /* (grid * grid) */
  int *orig;                 /* (N) original token index of each row of image 0 */
  int tokens;                /* rows per image of the observed block (0 until seen) */
} SampleHooks;

static void
chain_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *weight, const float *bias, int M, int Kin, int Nout)
{
  const VxMatmulHooks *h = ((SampleHooks *) user)->inner;
  h->linear (h->user, site, out, in, weight, bias, M, Kin, Nout);
}

static void
chain_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
          int N, int Dh, int ld)
{
  const VxMatmulHooks *h = ((SampleHooks *) user)->inner;
  h->attn_qk (h->user, site, scores, q, k, N, Dh, ld);
}

static void
chain_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
          const float *v, int N, int Dh, int ld)
{
  const VxMatmulHooks *h = ((SampleHooks *) user)->inner;
  h->attn_sv (h->user, site, out, ld_out, s, v, N, Dh, ld);
}

static void
chain_attn_out (void *user, int block, int64_t first_image, const float *x, int B, int N, int D)
{
  const VxMatmulHooks *h = ((SampleHooks *) user)->inner;
  h->attn_out (h->user, block, first_image, x, B, N, D);
}

static void
chain_block_in (void *user, int block, int64_t first_image, float *x, int B, int N, int D)
{
  const VxMatmulHooks *h = ((SampleHooks *) user)->inner;
  h->block_in (h->user, block, first_image, x, B, N, D);
}

/* Token pruning: kept (B, N) original token indices of the rows from `block` on */
static void
observe_tokens_kept (void *user, int block, int64_t first_image, const int *kept, int B, int N)
{
  SampleHooks *sh = user;
  const VxMatmulHooks *h = sh->inner;
  if (h && h->tokens_kept)
    h->tokens_kept (h->user, block, first_image, kept, B, N);
  memcpy (sh->orig, kept, sizeof (int) * N);   /* image 0: the sample */
}

/* probs (B, H, N, N): row 0 of every head is the class token's attention. In a
 * pruned block, row i is token sh->orig[i]; patches without a row get NAN. */
static void
observe_probs (void *user, int block, int64_t first_image, const float *probs, int B, int H, int N)
{
  SampleHooks *sh = user;
  const VxMatmulHooks *h = sh->inner;
  if (h && h->attn_probs)
    h->attn_probs (h->user, block, first_image, probs, B, H, N);
  if (block != sh->block)
    return;
  int np = sh->grid * sh->grid;
  sh->tokens = N;
  for (int p = 0; p < np; p++)
    sh->attn[p] = NAN;
  for (int i = sh->extra; i < N; i++)
    {
      int p = sh->orig[i] - sh->extra;
      g_return_if_fail (p >= 0 && p < np);
      float sum = 0.0f;
      for (int hd = 0; hd < H; hd++)
        sum += probs[(size_t) hd * N * N + i] / H;
      sh->attn[p] = sum;
    }
}

static void
sample_hooks_init (SampleHooks *sh, const VxMatmulHooks *inner, const VxArch *a, int block,
                   float *attn)
{
  memset (sh, 0, sizeof *sh);
  sh->inner = inner;
  sh->block = block;
  sh->grid = a->img_size / a->patch_size;
  sh->extra = a->distilled ? 2 : 1;
  sh->attn = attn;
  int N = vx_arch_num_tokens (a);
  sh->orig = g_new (int, N);
  for (int t = 0; t < N; t++)
    sh->orig[t] = t;
  if (inner)
    {
      sh->hooks.linear = inner->linear ? chain_linear : NULL;
      sh->hooks.attn_qk = inner->attn_qk ? chain_qk : NULL;
      sh->hooks.attn_sv = inner->attn_sv ? chain_sv : NULL;
      sh->hooks.attn_out = inner->attn_out ? chain_attn_out : NULL;
      sh->hooks.block_in = inner->block_in ? chain_block_in : NULL;
      sh->hooks.linear_any_rows = inner->linear_any_rows;
    }
  sh->hooks.attn_probs = observe_probs;
  sh->hooks.tokens_kept = observe_tokens_kept;
  sh->hooks.user = sh;
}

static void
sample_hooks_clear (SampleHooks *sh)
{
  g_clear_pointer (&sh->orig, g_free);
}

static void
softmax_probs (double *out, const float *logits, int K)
{
  double mx = logits[0], sum = 0.0;
  for (int k = 1; k < K; k++)
    mx = MAX (mx, logits[k]);
  for (int k = 0; k < K; k++)
    sum += out[k] = exp (logits[k] - mx);
  for (int k = 0; k < K; k++)
    out[k] /= sum;
}

static void
sample_pixels (VsSampleResult *r, const VxDataset *ds, int index)
{
  int C = ds->channels, H = ds->height, W = ds->width;
  const guint8 *src = ds->pixels + (size_t) index * C * H * W;
  r->channels = C == 1 ? 1 : 3;
  r->width = W;
  r->height = H;
  r->pixels = g_new (guint8, (size_t) H * W * r->channels);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < r->channels; c++)
        r->pixels[((size_t) y * W + x) * r->channels + c] =
          src[((size_t) MIN (c, C - 1) * H + y) * W + x];
}

gboolean
vs_compute_sample (const VxModel *m, const VxDataset *ds, const VsRunSettings *s, int index,
                   int block, VsSampleResult *out, GError **error)
{
  const VxArch *a = &m->arch;
  int K = a->num_classes;
  memset (out, 0, sizeof *out);
  if (!vx_eval_check_images (m, ds, error))
    return FALSE;
  if (index < 0 || index >= ds->n || block < 0 || block >= a->depth)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "sample: image %d or block %d is out of range", index, block);
      return FALSE;
    }
  g_autoptr (VxModel) owned = NULL;
  const VxModel *pm = vs_compute_prepare_model (m, s, &owned, error);
  if (!pm)
    return FALSE;
  g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (pm, &s->xbar, error);
  if (!sim)
    return FALSE;
  if (s->xbar.kv_scale == VX_KV_SCALE_CALIBRATED && !vx_xbar_sim_calibrate (sim, ds, 512, error))
    return FALSE;

  out->index = index;
  out->label = ds->labels[index];
  out->block = block;
  out->num_classes = K;
  out->grid = a->img_size / a->patch_size;
  out->num_tokens = vx_arch_num_tokens (a);
  out->attn_ideal = g_new0 (float, out->grid * out->grid);
  out->attn_noisy = g_new0 (float, out->grid * out->grid);
  out->probs_ideal = g_new (double, K);
  out->probs_noisy = g_new (double, K);
  sample_pixels (out, ds, index);

  size_t img = (size_t) a->in_chans * a->img_size * a->img_size;
  g_autofree float *image = g_new (float, img);
  g_autofree float *logits = g_new (float, K);
  VxActs *acts = vx_acts_new (a, 1, FALSE);
  vx_dataset_fill_batch (ds, pm, index, 1, image);

  /* the batch this image falls in during an evaluation: same static noise */
  int64_t bi = index / VS_RUN_BATCH;
  SampleHooks sh;
  sample_hooks_init (&sh, NULL, a, block, out->attn_ideal);
  VxForwardOpts fo = { &sh.hooks, index, bi, 0 };
  vx_model_forward (pm, acts, image, 1, logits, &fo);
  softmax_probs (out->probs_ideal, logits, K);
  out->pred_ideal = vx_argmax (logits, K);
  out->tokens = sh.tokens;
  sample_hooks_clear (&sh);

  vx_xbar_sim_set_seed (sim, s->xbar.seed);
  vx_xbar_sim_batch_begin (sim, bi, index, 1);
  sample_hooks_init (&sh, vx_xbar_sim_get_hooks (sim), a, block, out->attn_noisy);
  vx_model_forward (pm, acts, image, 1, logits, &fo);
  softmax_probs (out->probs_noisy, logits, K);
  out->pred_noisy = vx_argmax (logits, K);
  sample_hooks_clear (&sh);
  vx_acts_free (acts);
  return TRUE;
}

void
vs_sample_result_clear (VsSampleResult *r)
{
  g_clear_pointer (&r->pixels, g_free);
  g_clear_pointer (&r->probs_ideal, g_free);
  g_clear_pointer (&r->probs_noisy, g_free);
  g_clear_pointer (&r->attn_ideal, g_free);
  g_clear_pointer (&r->attn_noisy, g_free);
}
