/* test-train.c: one training step against PyTorch, the optimiser, and short training runs */
#define G_LOG_DOMAIN "test-train"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "vx-backward.h"
#include "vx-dataset.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-safetensors.h"
#include "vx-train.h"

/* ---- one step against PyTorch (tests/data/train-step.safetensors) ---------------------- */

static VxTensor *
need_tensor (const VxSafetensors *st, const char *name)
{
  VxTensor *t = vx_safetensors_get (st, name);
  if (!t)
    g_error ("train-step.safetensors: tensor %s is missing", name);
  return t;
}

static int
meta_int (const VxSafetensors *st, const char *key)
{
  const char *s = g_hash_table_lookup (st->metadata, key);
  g_assert_nonnull (s);
  return atoi (s);
}

/* the largest |a - b| relative to max(|b|, floor) over n elements; where the
 * largest happened goes to *where */
static double
max_rel_error (const float *a, const float *b, size_t n, double floor, size_t *where)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double e = fabs ((double) a[i] - b[i]) / MAX (fabs ((double) b[i]), floor);
      if (e > worst)
        {
          worst = e;
          if (where)
            *where = i;
        }
    }
  return worst;
}

static void
test_pytorch_step (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "train-step.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);

  VxArch a = { meta_int (st, "vitx.img_size"), meta_int (st, "vitx.patch_size"),
               meta_int (st, "vitx.in_chans"), meta_int (st, "vitx.num_classes"),
               meta_int (st, "vitx.embed_dim"), meta_int (st, "vitx.depth"),
               meta_int (st, "vitx.num_heads"), meta_int (st, "vitx.mlp_hidden"),
               meta_int (st, "vitx.distilled"), 1e-6f };
  int B = meta_int (st, "vitx.batch"), K = a.num_classes;
  g_autoptr (VxModel) m = vx_model_new (&a, &error);
  g_assert_no_error (error);
  int n_t = 0;
  g_autofree VxParamInfo *table = vx_params_table (&a, &n_t);
  for (int i = 0; i < n_t; i++)
    {
      VxTensor *t = need_tensor (st, table[i].name);
      g_assert_cmpint (t->numel, ==, table[i].numel);
      memcpy (m->params.mem + table[i].offset, t->data, sizeof (float) * table[i].numel);
    }
  g_autofree float *before = g_memdup2 (m->params.mem, sizeof (float) * m->params.n);
  VxTensor *input = need_tensor (st, "input"), *labels_f = need_tensor (st, "labels");
  g_assert_cmpint (labels_f->numel, ==, B);
  int32_t labels[64];
  for (int b = 0; b < B; b++)
    labels[b] = (int32_t) labels_f->data[b];

  /* the forward pass and the loss */
  g_autofree float *logits = g_new (float, (size_t) B * K);
  VxActs *acts = vx_acts_new (&a, B, FALSE);
  vx_model_forward (m, acts, input->data, B, logits, NULL);
  vx_acts_free (acts);
  size_t where = 0;
  double e = max_rel_error (logits, need_tensor (st, "logits")->data, (size_t) B * K, 1e-3, &where);
  g_test_message ("logits: max relative error %.3g", e);
  g_assert_cmpfloat (e, <, 1e-4);

  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.batch = B;
  cfg.lr = 1e-3;
  cfg.weight_decay = 0.05;
  cfg.beta1 = 0.9;
  cfg.beta2 = 0.999;
  cfg.adam_eps = 1e-8;
  cfg.label_smoothing = 0.1;
  cfg.clip_norm = 1.0;
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &cfg, &error);
  g_assert_no_error (error);
  VxStepResult r;
  vx_trainer_step (t, input->data, labels, B, 1e-3, NULL, &r);

  double want_loss = need_tensor (st, "loss")->data[0];
  double want_norm = need_tensor (st, "grad_norm")->data[0];
  g_test_message ("loss %.7f (PyTorch %.7f), grad norm %.6f (PyTorch %.6f)", r.loss, want_loss,
                  r.grad_norm, want_norm);
  g_assert_cmpfloat (fabs (r.loss - want_loss), <, 1e-4 * want_loss);
  g_assert_cmpfloat (fabs (r.grad_norm - want_norm), <, 1e-4 * want_norm);
  g_assert_cmpint (vx_trainer_get_step (t), ==, 1);

  /* gradients: the trainer holds them clipped, the reference before clipping */
  double coef = cfg.clip_norm / (r.grad_norm + 1e-6);
  const VxParams *grads = vx_trainer_get_grads (t);
  for (int i = 0; i < n_t; i++)
    {
      const VxParamInfo *p = &table[i];
      g_autofree char *gname = g_strconcat ("grad.", p->name, NULL);
      g_autofree char *aname = g_strconcat ("after.", p->name, NULL);
      const float *gref = need_tensor (st, gname)->data;
      const float *aref = need_tensor (st, aname)->data;
      g_autofree float *graw = g_new (float, p->numel);
      double gmax = 0.0;
      for (size_t j = 0; j < p->numel; j++)
        {
          graw[j] = (float) (grads->mem[p->offset + j] / coef);
          gmax = MAX (gmax, fabs (gref[j]));
        }
      /* within 1e-4 of each element, or of a tenth of the tensor's largest
       * gradient for elements smaller than that: those are sums that cancel,
       * where float32 rounding in the forward pass (its vectorised exp and erf
       * are good to ~1e-7) is a larger share of the result */
      double eg = max_rel_error (graw, gref, p->numel, 0.1 * gmax, &where);
      if (eg >= 1e-4)
        g_printerr ("%s: element %zu: %.8g, PyTorch %.8g (max |g| %.3g)\n", gname, where,
                    (double) graw[where], (double) gref[where], gmax);
      g_assert_cmpfloat (eg, <, 1e-4);

      /* Parameters after the step: p (1 - lr wd) - lr u, where Adam's first step
       * u = g / (|g| + eps) is within [-1, 1]. Within 1e-4 of the reference,
       * plus 1e-3 lr for u: where |g| is not far above eps (1e-8), u is as
       * sensitive as g's last digits. The keys' bias of qkv has an analytic zero
       * gradient, where u is rounding residue of any size up to 1 (see
       * tests/data/README.md): there only |u| <= 1 is checked. */
      gboolean is_qkv_bias = g_str_has_suffix (p->name, "attn.qkv.bias");
      double ea = 0.0;
      for (size_t j = 0; j < p->numel; j++)
        {
          float got = m->params.mem[p->offset + j];
          if (is_qkv_bias && j >= (size_t) a.embed_dim && j < 2 * (size_t) a.embed_dim)
            {
              g_assert_cmpfloat (fabs (got - aref[j]), <=, 2.001 * cfg.lr);
              g_assert_cmpfloat (fabs (graw[j]), <, 1e-6 * gmax);
              continue;
            }
          double err = fabs ((double) got - aref[j]) / (1e-4 * fabs ((double) aref[j]) + 1e-3 * cfg.lr);
          if (err > ea)
            ea = err;
          if (err >= 1.0)
            g_printerr ("%s[%zu]: after %.8g, PyTorch %.8g, before %.8g; gradient %.6g, PyTorch %.6g\n",
                        p->name, j, (double) got, (double) aref[j], (double) before[p->offset + j],
                        (double) graw[j], (double) gref[j]);
        }
      g_test_message ("%-28s gradient: max rel error %.2e; after the step: %.2f of the tolerance",
                      p->name, eg, ea);
      g_assert_cmpfloat (ea, <, 1.0);
      /* and the step really moved the parameters */
      g_assert_true (memcmp (before + p->offset, m->params.mem + p->offset,
                             sizeof (float) * p->numel) != 0);
    }
}

/* ---- initialisation ------------------------------------------------------------------ */

static void
test_init_torch (void)
{
  VxArch a = { .img_size = 28, .patch_size = 4, .in_chans = 1, .num_classes = 10, .embed_dim = 64,
               .depth = 2, .num_heads = 4, .mlp_hidden = 256, .distilled = 1, .ln_eps = 1e-6f };
  g_autoptr (VxModel) m = vx_model_new (&a, NULL);
  g_autoptr (VxModel) m2 = vx_model_new (&a, NULL);
  vx_train_init_torch (m, 3);
  vx_train_init_torch (m2, 3);
  g_assert_cmpmem (m->params.mem, sizeof (float) * m->params.n, m2->params.mem, sizeof (float) * m->params.n);
  vx_train_init_torch (m2, 4);
  g_assert_true (memcmp (m->params.mem, m2->params.mem, sizeof (float) * m->params.n) != 0);

  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&a, &n);
  for (int i = 0; i < n; i++)
    {
      const float *p = m->params.mem + t[i].offset;
      double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, s2 = 0.0;
      for (size_t j = 0; j < t[i].numel; j++)
        {
          lo = MIN (lo, p[j]);
          hi = MAX (hi, p[j]);
          s2 += (double) p[j] * p[j];
        }
      double rms = sqrt (s2 / t[i].numel);
      /* fan-in of a weight (D, C, P, P) or (out, in) and of the bias after it */
      const char *w = g_str_has_suffix (t[i].name, ".bias") ? NULL : t[i].name;
      int k = w ? i : i - 1;
      double bound = 1.0 / sqrt ((double) (t[k].numel / t[k].shape[0]));
      if (strstr (t[i].name, "norm"))
        {
          g_assert_cmpfloat (lo, ==, g_str_has_suffix (t[i].name, ".weight") ? 1.0 : 0.0);
          g_assert_cmpfloat (hi, ==, lo);
        }
      else if (g_str_has_suffix (t[i].name, "_token"))
        g_assert_cmpfloat (rms, ==, 0.0);
      else if (strcmp (t[i].name, "pos_embed") == 0)
        g_assert_cmpfloat (fabs (rms - 0.02), <, 0.002);
      else
        {
          /* uniform in +-bound: inside it, and spread over most of it */
          g_assert_cmpfloat (lo, >=, -bound);
          g_assert_cmpfloat (hi, <=, bound);
          if (t[i].numel >= 256)
            g_assert_cmpfloat (fabs (rms - bound / sqrt (3.0)), <, 0.1 * bound);
        }
    }
  /* patch embedding: fan-in C P P = 16 */
  g_assert_cmpfloat (t[0].numel / t[0].shape[0], ==, 16);
}

/* ---- optimiser pieces --------------------------------------------------------------------- */

static void
test_adamw (void)
{
  /* two tensors, one with weight decay; two steps against the formula in double */
  VxParamInfo table[2] = { 0 };
  g_strlcpy (table[0].name, "w", sizeof table[0].name);
  table[0].numel = 3;
  table[0].decay = TRUE;
  g_strlcpy (table[1].name, "b", sizeof table[1].name);
  table[1].offset = 3;
  table[1].numel = 2;
  float p[5] = { 0.5f, -1.0f, 2.0f, 0.1f, -0.3f };
  float m[5] = { 0 }, v[5] = { 0 };
  float g1[5] = { 0.1f, -0.2f, 0.3f, 1e-3f, -5.0f };
  float g2[5] = { -0.05f, -0.1f, 0.2f, 2e-3f, 1.0f };
  VxAdamWParams hp = { 0.01, 0.9, 0.999, 1e-8, 0.1 };
  double pd[5], md[5] = { 0 }, vd[5] = { 0 };
  for (int i = 0; i < 5; i++)
    pd[i] = p[i];
  for (int step = 1; step <= 2; step++)
    {
      const float *g = step == 1 ? g1 : g2;
      vx_adamw_step (p, g, m, v, table, 2, step, &hp, 1);
      for (int i = 0; i < 5; i++)
        {
          if (i < 3)
            pd[i] *= 1.0 - hp.lr * hp.weight_decay;
          md[i] = 0.9 * md[i] + 0.1 * g[i];
          vd[i] = 0.999 * vd[i] + 0.001 * (double) g[i] * g[i];
          double mh = md[i] / (1 - pow (0.9, step)), vh = vd[i] / (1 - pow (0.999, step));
          pd[i] -= hp.lr * mh / (sqrt (vh) + 1e-8);
        }
    }
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (p[i], pd[i], 1e-6);

  /* clipping: only above the threshold, to max_norm / (norm + 1e-6) */
  float gr[2] = { 3.f, 4.f };
  double n = vx_grad_global_norm (gr, 2);
  g_assert_cmpfloat (n, ==, 5.0);
  vx_grad_clip (gr, 2, n, 10.0);
  g_assert_cmpfloat (gr[0], ==, 3.f);
  vx_grad_clip (gr, 2, n, 1.0);
  g_assert_cmpfloat_with_epsilon (gr[0], 3.0 / (5.0 + 1e-6), 1e-7);
  g_assert_cmpfloat_with_epsilon (gr[1], 4.0 / (5.0 + 1e-6), 1e-7);
}

static void
test_schedule (void)
{
  VxTrainConfig c;
  vx_train_config_init (&c);
  c.epochs = 10;
  c.lr = 1e-3;
  c.min_lr = 1e-5;
  c.warmup_epochs = 2;
  int64_t spe = 50, total = c.epochs * spe;
  /* warm-up: linear, reaching lr on its last step */
  g_assert_cmpfloat_with_epsilon (vx_train_lr_at (&c, 0, spe), 1e-3 / 100, 1e-15);
  g_assert_cmpfloat_with_epsilon (vx_train_lr_at (&c, 49, spe), 1e-3 / 2, 1e-15);
  g_assert_cmpfloat_with_epsilon (vx_train_lr_at (&c, 99, spe), 1e-3, 1e-15);
  /* cosine: lr right after warm-up, the midpoint halfway, min_lr on the last step */
  g_assert_cmpfloat_with_epsilon (vx_train_lr_at (&c, 100, spe), 1e-3, 1e-15);
  double mid = vx_train_lr_at (&c, 100 + (total - 100 - 1) / 2.0, spe);
  g_assert_cmpfloat (fabs (mid - (1e-5 + 0.5 * (1e-3 - 1e-5))), <, 2e-6);
  g_assert_cmpfloat_with_epsilon (vx_train_lr_at (&c, total - 1, spe), 1e-5, 1e-15);
  for (int64_t s = 100; s + 1 < total; s++)
    g_assert_cmpfloat (vx_train_lr_at (&c, s + 1, spe), <=, vx_train_lr_at (&c, s, spe));
}

static void
test_augment (void)
{
  enum { S = 5, PAD = 2 };
  float in[2 * S * S], out[2 * S * S], back[2 * S * S];
  float fill[2] = { -7.f, -9.f };
  for (int i = 0; i < 2 * S * S; i++)
    in[i] = (float) i;
  /* centred crop, no flip: the image itself */
  vx_augment_image (out, in, 2, S, PAD, fill, PAD, PAD, FALSE);
  g_assert_cmpmem (out, sizeof out, in, sizeof in);
  /* flip twice: the image itself; flip once: columns mirrored */
  vx_augment_image (out, in, 2, S, PAD, fill, PAD, PAD, TRUE);
  g_assert_cmpfloat (out[0], ==, in[S - 1]);
  g_assert_cmpfloat (out[S * S + 2 * S + 1], ==, in[S * S + 2 * S + S - 2]);
  vx_augment_image (back, out, 2, S, PAD, fill, PAD, PAD, TRUE);
  g_assert_cmpmem (back, sizeof back, in, sizeof in);
  /* crop at (0, 0): shifted right and down by PAD, padding on the top and left */
  vx_augment_image (out, in, 2, S, PAD, fill, 0, 0, FALSE);
  for (int c = 0; c < 2; c++)
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        {
          float want = (y < PAD || x < PAD) ? fill[c] : in[(c * S + y - PAD) * S + x - PAD];
          g_assert_cmpfloat (out[(c * S + y) * S + x], ==, want);
        }
  /* crop at (2 PAD, 1), flipped: the crop's right column is the padded image's
   * column 2 PAD, i.e. input column PAD */
  vx_augment_image (out, in, 2, S, PAD, fill, 2 * PAD, 1, TRUE);
  g_assert_cmpfloat (out[(0 * S + 3) * S + (S - 1)], ==, in[(0 * S + 2) * S + PAD]);
  g_assert_cmpfloat (out[(1 * S + 0) * S + 0], ==, fill[1]);   /* padded column S+PAD.. */
}

/* ---- short training runs ------------------------------------------------------------------- */

static VxDataset *train_set, *test_set;

static void
load_data (void)
{
  if (train_set)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (VxDataset) all = vx_dataset_open_default (&error);
  g_assert_no_error (error);
  train_set = vx_dataset_subset_stratified (all, 400, 7);
  g_assert_cmpint (train_set->n, ==, 400);
  /* a disjoint-enough check set: another stratified draw */
  test_set = vx_dataset_subset_stratified (all, 200, 99);
}

static VxArch
small_arch (void)
{
  VxArch a = { .img_size = 28, .patch_size = 7, .in_chans = 1, .num_classes = 10, .embed_dim = 32,
               .depth = 2, .num_heads = 2, .mlp_hidden = 64, .distilled = 0, .ln_eps = 1e-6f };
  return a;
}

static VxModel *
small_model (uint64_t seed)
{
  VxArch a = small_arch ();
  VxModel *m = vx_model_new (&a, NULL);
  vx_model_init_random (m, seed);
  m->mean[0] = 0.2860f;
  m->std[0] = 0.3530f;
  return m;
}

static void
small_config (VxTrainConfig *c, int epochs)
{
  vx_train_config_init (c);
  c->epochs = epochs;
  c->batch = 16;
  c->lr = 5e-3;
  c->warmup_epochs = 0.5;
  c->seed = 5;
}

typedef struct {
  GArray *epochs;          /* VxTrainEpoch */
  int cancel_after;        /* cancel once this many epochs are done; 0 = never */
  int progress_calls;
} Recorder;

static void
rec_epoch (void *user, const VxTrainEpoch *e)
{
  Recorder *r = user;
  g_array_append_val (r->epochs, *e);
}

static void
rec_progress (void *user, const VxTrainProgress *p)
{
  Recorder *r = user;
  g_assert_cmpint (p->done, <=, p->total);
  r->progress_calls++;
}

static gboolean
rec_cancelled (void *user)
{
  Recorder *r = user;
  return r->cancel_after > 0 && (int) r->epochs->len >= r->cancel_after;
}

/* train a fresh small model; returns its parameters (g_free) */
static float *
train_small (int epochs, int threads, gboolean augment, const char *ckpt, Recorder *rec,
             GError **error)
{
  vx_set_num_threads (threads);
  g_autoptr (VxModel) m = small_model (11);
  VxTrainConfig c;
  small_config (&c, epochs);
  c.augment = augment;
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &c, error);
  g_assert_nonnull (t);
  VxTrainCallbacks cb = { rec_progress, rec_epoch, rec_cancelled, rec };
  if (!vx_trainer_fit (t, train_set, test_set, ckpt, &cb, error))
    return NULL;
  return g_memdup2 (m->params.mem, sizeof (float) * m->params.n);
}

static void
test_loss_falls (void)
{
  load_data ();
  Recorder rec = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  g_autoptr (GError) error = NULL;
  /* without augmentation: 400 images learn fast enough to see it in a few epochs */
  g_autofree float *p = train_small (8, 2, FALSE, NULL, &rec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_cmpuint (rec.epochs->len, ==, 8);
  VxTrainEpoch *e = (VxTrainEpoch *) rec.epochs->data;
  for (guint i = 0; i < rec.epochs->len; i++)
    g_test_message ("epoch %d: lr %.2e loss %.4f train acc %.3f test acc %.3f, %.0f images/s",
                    e[i].epoch, e[i].lr, e[i].loss, e[i].train_acc, e[i].test_acc, e[i].images_per_s);
  /* ln 10 = 2.30 at chance; 400 images and 8 epochs get well below it and well
   * above chance (10%) on images the model has not seen */
  g_assert_cmpfloat (e[0].loss, >, 1.9);
  for (int i = 1; i < 8; i++)
    g_assert_cmpfloat (e[i].loss, <, e[i - 1].loss);
  g_assert_cmpfloat (e[7].loss, <, 0.85 * e[0].loss);
  g_assert_cmpfloat (e[7].train_acc, >, 0.35);
  g_assert_cmpfloat (e[7].test_acc, >, 0.35);
  g_assert_cmpint (rec.progress_calls, >, 8);
  g_array_unref (rec.epochs);
}

static void
test_deterministic (void)
{
  load_data ();
  g_autoptr (GError) error = NULL;
  Recorder r1 = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  Recorder r2 = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  Recorder r3 = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  g_autofree float *a = train_small (2, 2, TRUE, NULL, &r1, &error);
  g_autofree float *b = train_small (2, 2, TRUE, NULL, &r2, &error);
  g_autofree float *c = train_small (2, 1, TRUE, NULL, &r3, &error);
  g_assert_no_error (error);
  g_autoptr (VxModel) ref = small_model (11);
  size_t bytes = sizeof (float) * ref->params.n;
  g_assert_true (memcmp (a, ref->params.mem, bytes) != 0);
  g_assert_cmpmem (a, bytes, b, bytes);
  /* one thread and two threads: the same bits */
  g_assert_cmpmem (a, bytes, c, bytes);
  g_array_unref (r1.epochs);
  g_array_unref (r2.epochs);
  g_array_unref (r3.epochs);
  vx_set_num_threads (2);
}

static void
test_resume (void)
{
  load_data ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  g_autofree char *ckpt = g_build_filename (dir, "run.ckpt.safetensors", NULL);

  Recorder full = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  g_autofree float *want = train_small (3, 2, TRUE, NULL, &full, &error);
  g_assert_no_error (error);

  /* the same run, cancelled after its first epoch (checkpoint written) */
  Recorder part = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)), 1 };
  g_autofree float *none = train_small (3, 2, TRUE, ckpt, &part, &error);
  g_assert_null (none);
  g_assert_error (error, VX_ERROR, VX_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (part.epochs->len, ==, 1);

  /* resumed: the remaining two epochs */
  VxModel *m = NULL;
  g_autoptr (VxTrainer) t = vx_trainer_load_checkpoint (ckpt, 0, &m, &error);
  g_assert_no_error (error);
  g_autoptr (VxModel) model = m;
  g_assert_cmpint (vx_trainer_get_epoch (t), ==, 1);
  g_assert_cmpint (vx_trainer_get_step (t), ==, (400 + 15) / 16);
  g_assert_cmpint (vx_trainer_get_config (t)->epochs, ==, 3);
  g_assert_cmpuint (vx_trainer_get_config (t)->seed, ==, 5);
  g_assert_cmpfloat (model->std[0], ==, 0.3530f);
  Recorder rest = { g_array_new (FALSE, FALSE, sizeof (VxTrainEpoch)) };
  VxTrainCallbacks cb = { NULL, rec_epoch, NULL, &rest };
  g_assert_true (vx_trainer_fit (t, train_set, test_set, ckpt, &cb, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rest.epochs->len, ==, 2);
  g_assert_cmpint (((VxTrainEpoch *) rest.epochs->data)[0].epoch, ==, 2);

  size_t bytes = sizeof (float) * model->params.n;
  g_assert_cmpmem (model->params.mem, bytes, want, bytes);
  VxTrainEpoch *ef = (VxTrainEpoch *) full.epochs->data, *er = (VxTrainEpoch *) rest.epochs->data;
  g_assert_cmpfloat (ef[2].loss, ==, er[1].loss);
  g_assert_cmpfloat (ef[2].test_acc, ==, er[1].test_acc);

  /* the final checkpoint holds the final weights; a finished run fits to a no-op */
  VxModel *m2 = NULL;
  g_autoptr (VxTrainer) t2 = vx_trainer_load_checkpoint (ckpt, 0, &m2, &error);
  g_assert_no_error (error);
  g_autoptr (VxModel) model2 = m2;
  g_assert_cmpint (vx_trainer_get_epoch (t2), ==, 3);
  g_assert_cmpmem (model2->params.mem, bytes, want, bytes);
  g_assert_true (vx_trainer_fit (t2, train_set, NULL, NULL, NULL, &error));
  g_assert_cmpmem (model2->params.mem, bytes, want, bytes);

  /* not a checkpoint: a clear error */
  g_autofree char *plain = g_build_filename (dir, "plain.safetensors", NULL);
  g_assert_true (vx_model_save (model2, plain, &error));
  VxModel *m3 = NULL;
  g_assert_null (vx_trainer_load_checkpoint (plain, 0, &m3, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not a training checkpoint"));
  g_assert_null (m3);

  g_unlink (ckpt);
  g_unlink (plain);
  g_rmdir (dir);
  g_array_unref (full.epochs);
  g_array_unref (part.epochs);
  g_array_unref (rest.epochs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vx_set_num_threads (2);
  g_test_add_func ("/train/pytorch-step", test_pytorch_step);
  g_test_add_func ("/train/init-torch", test_init_torch);
  g_test_add_func ("/train/adamw", test_adamw);
  g_test_add_func ("/train/schedule", test_schedule);
  g_test_add_func ("/train/augment", test_augment);
  g_test_add_func ("/train/loss-falls", test_loss_falls);
  g_test_add_func ("/train/deterministic", test_deterministic);
  g_test_add_func ("/train/resume", test_resume);
  int rc = g_test_run ();
  vx_dataset_free (train_set);
  vx_dataset_free (test_set);
  return rc;
}
