/* vitx-cmd-train.c: `vitx train`: a ViT trained from scratch or fine-tuned (--from),
 * standard or variation-aware (--vat), or an interrupted run continued (--resume) */
#define G_LOG_DOMAIN "vitx-train"
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "vitx-commands.h"
#include "vitx-train.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-train.h"
#include "vx-vat.h"

/* ---- command line helpers ------------------------------------------------------------ */

static char *
command_line (int argc, char **argv)
{
  GString *s = g_string_new ("vitx");
  for (int i = 0; i < argc; i++)
    {
      gboolean plain = argv[i][0] != '\0';
      for (const char *c = argv[i]; *c && plain; c++)
        plain = g_ascii_isalnum (*c) || strchr ("-_./=,:+@%", *c);
      g_autofree char *q = plain ? g_strdup (argv[i]) : g_shell_quote (argv[i]);
      g_string_append_printf (s, " %s", q);
    }
  return g_string_free (s, FALSE);
}

/* a number for the model card: 6 significant digits, C locale */
static char *
dtostr (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* the default checkpoint path: OUT without .safetensors, plus .ckpt.safetensors */
static char *
default_checkpoint (const char *out)
{
  g_autofree char *stem = g_str_has_suffix (out, ".safetensors")
                          ? g_strndup (out, strlen (out) - strlen (".safetensors")) : g_strdup (out);
  return g_strconcat (stem, ".ckpt.safetensors", NULL);
}

/* per-channel mean and std of a dataset's pixels in [0, 1], rounded to 4 decimals
 * (Fashion-MNIST's training set gives the customary 0.2860 and 0.3530) */
static void
dataset_normalisation (const VxDataset *ds, float *mean, float *std)
{
  size_t hw = (size_t) ds->height * ds->width;
  for (int c = 0; c < ds->channels && c < 3; c++)
    {
      double s = 0.0, s2 = 0.0;
      for (int i = 0; i < ds->n; i++)
        {
          const guint8 *p = ds->pixels + ((size_t) i * ds->channels + c) * hw;
          for (size_t j = 0; j < hw; j++)
            {
              double v = p[j] / 255.0;
              s += v;
              s2 += v * v;
            }
        }
      double n = (double) ds->n * hw;
      double m = s / n, sd = sqrt (MAX (s2 / n - m * m, 1e-12));
      mean[c] = (float) (round (m * 1e4) / 1e4);
      std[c] = (float) MAX (round (sd * 1e4) / 1e4, 1e-4);
    }
}

/* ---- vitx train ------------------------------------------------------------------------- */

typedef struct {
  char *data, *out, *resume, *checkpoint, *log, *init, *from;
  int epochs, batch, seed, threads, limit, test_limit;
  int depth, dim, heads, mlp, patch;
  double lr, min_lr, warmup, wd, smoothing, clip;
  gboolean no_augment, keep_checkpoint, json;
  gboolean vat;            /* variation-aware training: --vat, --vat-gamma, --vat-config */
  double vat_gamma;
  char *vat_config;
  char *prune_keep;        /* token pruning keep ratio (--prune-keep) */
} TrainArgs;

static void
train_args_clear (TrainArgs *a)
{
  g_free (a->data);
  g_free (a->out);
  g_free (a->resume);
  g_free (a->checkpoint);
  g_free (a->log);
  g_free (a->init);
  g_free (a->from);
  g_free (a->vat_config);
  g_free (a->prune_keep);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TrainArgs, train_args_clear)

/* options that define the recipe or the architecture: unset = the sentinel below */
#define UNSET_I (-1)
#define UNSET_D (-1.0)

static int usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  vitx_error ("train", "%s", msg);
  return VITX_EXIT_USAGE;
}

static int
check_args (const TrainArgs *a)
{
  struct { const char *name; gboolean bad; } c[] = {
    { "--epochs must be at least 1", a->epochs != UNSET_I && a->epochs < 1 },
    { "--batch must be in 1..65536", a->batch != UNSET_I && (a->batch < 1 || a->batch > 65536) },
    { "--lr must not be negative", a->lr != UNSET_D && !(a->lr >= 0) },
    { "--min-lr must not be negative", a->min_lr != UNSET_D && a->min_lr < 0 },
    { "--warmup must not be negative", a->warmup != UNSET_D && a->warmup < 0 },
    { "--wd must not be negative", a->wd != UNSET_D && a->wd < 0 },
    { "--label-smoothing must be in [0, 1)", a->smoothing != UNSET_D && (a->smoothing < 0 || a->smoothing >= 1) },
    { "--clip must not be negative (0 = no clipping)", a->clip != UNSET_D && a->clip < 0 },
    { "--seed must not be negative", a->seed != UNSET_I && a->seed < 0 },
    { "--threads must not be negative", a->threads < 0 },
    { "--limit must not be negative", a->limit < 0 },
    { "--test-limit must not be negative", a->test_limit < 0 },
    { "--depth must be at least 1", a->depth != UNSET_I && a->depth < 1 },
    { "--dim must be at least 1", a->dim != UNSET_I && a->dim < 1 },
    { "--heads must be at least 1", a->heads != UNSET_I && a->heads < 1 },
    { "--mlp must be at least 1", a->mlp != UNSET_I && a->mlp < 1 },
    { "--patch must be at least 1", a->patch != UNSET_I && a->patch < 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    if (c[i].bad)
      return usage_error ("%s", c[i].name);
  if (a->init && strcmp (a->init, "torch") != 0 && strcmp (a->init, "timm") != 0)
    return usage_error ("--init must be torch or timm, not '%s'", a->init);
  if (!a->vat && (a->vat_gamma != UNSET_D || a->vat_config))
    return usage_error ("--vat-gamma and --vat-config need --vat");
  if (a->vat_gamma != UNSET_D && !(a->vat_gamma >= 0))
    return usage_error ("--vat-gamma must not be negative");
  double keep;
  g_autoptr (GError) keep_error = NULL;
  if (a->prune_keep && !vx_prune_keep_parse (a->prune_keep, &keep, &keep_error))
    return usage_error ("--prune-keep: %s", keep_error->message);
  if (a->prune_keep && a->resume)
    return usage_error ("--prune-keep cannot be combined with --resume: the checkpoint's "
                        "vitx.prune_keep says how the run prunes");
  if (a->vat && a->resume)
    return usage_error ("--vat cannot be combined with --resume: the checkpoint says whether "
                        "the run is variation-aware");
  if (a->from)
    {
      /* the architecture is the model's */
      struct { const char *name; gboolean set; } f[] = {
        { "--resume", a->resume != NULL }, { "--init", a->init != NULL },
        { "--depth", a->depth != UNSET_I }, { "--dim", a->dim != UNSET_I },
        { "--heads", a->heads != UNSET_I }, { "--mlp", a->mlp != UNSET_I },
        { "--patch", a->patch != UNSET_I },
      };
      for (guint i = 0; i < G_N_ELEMENTS (f); i++)
        if (f[i].set)
          return usage_error ("%s cannot be combined with --from: the architecture and the "
                              "weights come from the model", f[i].name);
    }
  if (a->resume)
    {
      /* the recipe and architecture are the checkpoint's; only the length may change */
      struct { const char *name; gboolean set; } r[] = {
        { "--batch", a->batch != UNSET_I }, { "--lr", a->lr != UNSET_D },
        { "--min-lr", a->min_lr != UNSET_D }, { "--warmup", a->warmup != UNSET_D },
        { "--wd", a->wd != UNSET_D }, { "--label-smoothing", a->smoothing != UNSET_D },
        { "--clip", a->clip != UNSET_D }, { "--seed", a->seed != UNSET_I },
        { "--depth", a->depth != UNSET_I }, { "--dim", a->dim != UNSET_I },
        { "--heads", a->heads != UNSET_I }, { "--mlp", a->mlp != UNSET_I },
        { "--patch", a->patch != UNSET_I }, { "--no-augment", a->no_augment },
        { "--limit", a->limit > 0 }, { "--init", a->init != NULL },
      };
      for (guint i = 0; i < G_N_ELEMENTS (r); i++)
        if (r[i].set)
          return usage_error ("%s cannot be combined with --resume: the recipe and the "
                              "architecture come from the checkpoint", r[i].name);
    }
  return VITX_EXIT_OK;
}

#define OR(v, unset, def) ((v) == (unset) ? (def) : (v))

/* Fine-tuning (--from) defaults: one epoch, no warm-up, a cosine from FINETUNE_LR
 * (1/20 of training's peak) to 1/100 of it; data/models/README.md ("VAT") has
 * the measurement behind the choice. */
#define FINETUNE_LR 1e-4

/* the recipe from the command line; fine-tuning changes the defaults */
static void
recipe_from_args (const TrainArgs *a, gboolean finetune, VxTrainConfig *cfg)
{
  vx_train_config_init (cfg);
  cfg->epochs = OR (a->epochs, UNSET_I, finetune ? 1 : 30);
  cfg->batch = OR (a->batch, UNSET_I, 128);
  cfg->lr = OR (a->lr, UNSET_D, finetune ? FINETUNE_LR : 2e-3);
  cfg->min_lr = OR (a->min_lr, UNSET_D, MIN (finetune ? cfg->lr / 100 : 1e-5, cfg->lr));
  cfg->warmup_epochs = MIN (OR (a->warmup, UNSET_D, finetune ? 0.0 : 1.0), (double) cfg->epochs);
  cfg->weight_decay = OR (a->wd, UNSET_D, 0.05);
  cfg->label_smoothing = OR (a->smoothing, UNSET_D, 0.1);
  cfg->clip_norm = OR (a->clip, UNSET_D, 1.0);
  cfg->seed = (uint64_t) OR (a->seed, UNSET_I, 0);
  cfg->augment = !a->no_augment;
  cfg->threads = a->threads;
}

/* a new model and trainer from the command line */
static VxTrainer *
new_run (const TrainArgs *a, const VxDataset *train, VxModel **model_out, GError **error)
{
  VxArch arch = {
    .img_size = train->height, .patch_size = OR (a->patch, UNSET_I, 4), .in_chans = train->channels,
    .num_classes = train->num_classes, .embed_dim = OR (a->dim, UNSET_I, 64),
    .depth = OR (a->depth, UNSET_I, 6), .num_heads = OR (a->heads, UNSET_I, 4),
    .mlp_hidden = OR (a->mlp, UNSET_I, 256), .distilled = 0, .ln_eps = 1e-6f,
  };
  g_autoptr (VxModel) m = vx_model_new (&arch, error);
  if (!m)
    return NULL;
  VxTrainConfig cfg;
  recipe_from_args (a, FALSE, &cfg);

  if (a->init && strcmp (a->init, "timm") == 0)
    vx_model_init_random (m, cfg.seed);
  else
    vx_train_init_torch (m, cfg.seed);
  dataset_normalisation (train, m->mean, m->std);
  if (train->class_names && (int) g_strv_length (train->class_names) == arch.num_classes)
    {
      g_strfreev (m->class_names);
      m->class_names = g_strdupv (train->class_names);
    }
  VxTrainer *t = vx_trainer_new (m, &cfg, error);
  if (t)
    *model_out = g_steal_pointer (&m);
  return t;
}

/* a trainer that fine-tunes the model of --from (architecture, weights,
 * normalisation, class names) with a new optimiser state */
static VxTrainer *
from_run (const TrainArgs *a, const VxDataset *train, VxModel **model_out, GError **error)
{
  g_autoptr (VxModel) m = vx_model_load (a->from, error);
  if (!m)
    return NULL;
  const VxArch *ar = &m->arch;
  if (ar->in_chans != train->channels || ar->img_size != train->height
      || ar->img_size != train->width || ar->num_classes != train->num_classes)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: the model takes %dx%dx%d images in %d classes, the training set has "
                   "%dx%dx%d in %d", a->from, ar->in_chans, ar->img_size, ar->img_size,
                   ar->num_classes, train->channels, train->height, train->width,
                   train->num_classes);
      return NULL;
    }
  /* the source's provenance, before the new run's keys replace it */
  const char *keys[][2] = { { "vitx.train_command", "vitx.from.train_command" },
                            { "vitx.test_top1", "vitx.from.test_top1" },
                            { "vitx.epochs", "vitx.from.epochs" },
                            { "vitx.wall_time_s", "vitx.from.wall_time_s" },
                            { "vitx.train_images", "vitx.from.train_images" } };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *v = vx_model_get_meta (m, keys[i][0]);
      if (v && !vx_model_get_meta (m, keys[i][1]))
        vx_model_set_meta (m, keys[i][1], v);
    }
  vx_model_set_meta (m, "vitx.from", a->from);
  VxTrainConfig cfg;
  recipe_from_args (a, TRUE, &cfg);
  VxTrainer *t = vx_trainer_new (m, &cfg, error);
  if (t)
    *model_out = g_steal_pointer (&m);
  return t;
}

/* the provenance keys of the model file */
static void
set_metadata (VxModel *m, const VxTrainer *t, const char *dataset, double test_top1,
              int n_train, int n_test)
{
  const VxTrainConfig *c = vx_trainer_get_config (t);
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, c->seed);
  g_autofree char *epochs = g_strdup_printf ("%d", vx_trainer_get_epoch (t));
  g_autofree char *wall = g_strdup_printf ("%.1f", vx_trainer_get_wall_time (t));
  g_autofree char *top1 = g_strdup_printf ("%.4f", test_top1);
  g_autofree char *batch = g_strdup_printf ("%d", c->batch);
  g_autofree char *lr = dtostr (c->lr), *min_lr = dtostr (c->min_lr);
  g_autofree char *warm = dtostr (c->warmup_epochs), *wd = dtostr (c->weight_decay);
  g_autofree char *ls = dtostr (c->label_smoothing), *clip = dtostr (c->clip_norm);
  g_autofree char *ntr = g_strdup_printf ("%d", n_train), *nte = g_strdup_printf ("%d", n_test);
  g_autofree char *steps = g_strdup_printf ("%" G_GINT64_FORMAT, vx_trainer_get_step (t));
  g_autofree char *params = g_strdup_printf ("%zu", m->params.n);
  g_autofree char *aug = c->augment ? g_strdup_printf ("random crop (padding %d, black) + "
                                                       "horizontal flip (p = 0.5)", c->crop_pad)
                                    : g_strdup ("none");
  struct { const char *k; const char *v; } kv[] = {
    { "vitx.seed", seed }, { "vitx.epochs", epochs }, { "vitx.wall_time_s", wall },
    { "vitx.test_top1", top1 }, { "vitx.dataset", dataset },
    { "vitx.train_images", ntr }, { "vitx.test_images", nte }, { "vitx.params", params },
    { "vitx.train.optimizer", "AdamW (decoupled weight decay on matrices only)" },
    { "vitx.train.batch", batch }, { "vitx.train.lr", lr }, { "vitx.train.min_lr", min_lr },
    { "vitx.train.schedule", "linear warm-up, then cosine to min_lr, per step" },
    { "vitx.train.warmup_epochs", warm }, { "vitx.train.weight_decay", wd },
    { "vitx.train.betas", "0.9,0.999" }, { "vitx.train.label_smoothing", ls },
    { "vitx.train.clip_norm", clip }, { "vitx.train.augment", aug }, { "vitx.train.steps", steps },
    { "vitx.trainer", "vitx " PACKAGE_VERSION },
  };
  for (guint i = 0; i < G_N_ELEMENTS (kv); i++)
    vx_model_set_meta (m, kv[i].k, kv[i].v);
}

/* Variation-aware training: from --vat (recorded in the model's metadata, so
 * the checkpoint carries it), or from a resumed checkpoint's metadata. *out
 * stays NULL for standard training. */
static gboolean
setup_vat (const TrainArgs *a, VxModel *m, const VxTrainer *t, VxVat **out, GError **error)
{
  VxXbarConfig xc;
  guint64 seed = vx_trainer_get_config (t)->seed;
  if (a->resume)
    {
      const char *on = vx_model_get_meta (m, "vitx.vat");
      if (!on || strcmp (on, "1") != 0)
        return TRUE;
      const char *json = vx_model_get_meta (m, "vitx.vat.config");
      const char *s = vx_model_get_meta (m, "vitx.vat.seed");
      if (!json)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: vitx.vat.config is missing", a->resume);
          return FALSE;
        }
      if (!vx_xbar_config_from_json_string (&xc, json, error))
        {
          g_prefix_error (error, "%s: vitx.vat.config: ", a->resume);
          return FALSE;
        }
      seed = s ? g_ascii_strtoull (s, NULL, 10) : seed;
    }
  else if (!a->vat)
    return TRUE;
  else
    {
      vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
      if (a->vat_config && !vx_xbar_config_from_json_string (&xc, a->vat_config, error))
        {
          g_prefix_error (error, "--vat-config: ");
          return FALSE;
        }
      xc.gamma = a->vat_gamma != UNSET_D ? a->vat_gamma : VX_VAT_GAMMA_DEFAULT;
    }
  VxVat *v = vx_vat_new (&xc, seed, a->threads, error);
  if (!v)
    return FALSE;
  g_autofree char *json = vx_xbar_config_to_json_string (&xc, FALSE);
  g_autofree char *gamma = dtostr (xc.gamma);
  g_autofree char *seed_s = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
  vx_model_set_meta (m, "vitx.vat", "1");
  vx_model_set_meta (m, "vitx.vat_gamma", gamma);
  vx_model_set_meta (m, "vitx.vat.config", json);
  vx_model_set_meta (m, "vitx.vat.seed", seed_s);
  vx_model_set_meta (m, "vitx.vat.noise",
                     "forward: static weights (analog kinds of vitx.vat.config) read back with read "
                     "noise, fresh every step; K and V written with write and read noise, fresh "
                     "every image; inputs exact");
  vx_model_set_meta (m, "vitx.vat.gradients",
                     "straight-through: the ideal backward (ideal weights) at the noisy forward's "
                     "activations");
  *out = v;
  return TRUE;
}

/* ---- the command line --------------------------------------------------------------------- */

/* GLib copies the entries, so they may live on this function's stack */
static void
add_train_options (GOptionContext *ctx, TrainArgs *a)
{
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &a->data,
      "Directory of IDX files with train-* and t10k-* splits (default: Debian's Fashion-MNIST)", "DIR" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out, "Model file to write (default vitx-model.safetensors)", "FILE" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &a->epochs, "Epochs (default 30; with --resume: extends the schedule)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &a->batch, "Images per step (default 128)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &a->lr, "Peak learning rate (default 2e-3)", "LR" },
    { "min-lr", 0, 0, G_OPTION_ARG_DOUBLE, &a->min_lr, "Learning rate at the end of the cosine (default 1e-5)", "LR" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &a->warmup, "Epochs of linear warm-up (default 1)", "E" },
    { "wd", 0, 0, G_OPTION_ARG_DOUBLE, &a->wd, "AdamW weight decay on matrices (default 0.05)", "WD" },
    { "label-smoothing", 0, 0, G_OPTION_ARG_DOUBLE, &a->smoothing, "Label smoothing (default 0.1)", "EPS" },
    { "clip", 0, 0, G_OPTION_ARG_DOUBLE, &a->clip, "Clip gradients to this global L2 norm, 0 = off (default 1)", "NORM" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &a->seed, "Seed of initialisation, shuffling and augmentation (default 0)", "S" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &a->init, "Initialisation: torch (PyTorch's nn.Linear/Conv2d default, the default) or timm (trunc-normal 0.02)", "KIND" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &a->threads, "Threads (default: all cores); the weights do not depend on it", "T" },
    { "depth", 0, 0, G_OPTION_ARG_INT, &a->depth, "Blocks (default 6)", "L" },
    { "dim", 0, 0, G_OPTION_ARG_INT, &a->dim, "Embedding dimension (default 64)", "D" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &a->heads, "Attention heads (default 4)", "H" },
    { "mlp", 0, 0, G_OPTION_ARG_INT, &a->mlp, "MLP hidden dimension (default 256)", "F" },
    { "patch", 0, 0, G_OPTION_ARG_INT, &a->patch, "Patch side (default 4)", "P" },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &a->no_augment, "No random crop and flip", NULL },
    { "from", 'f', 0, G_OPTION_ARG_FILENAME, &a->from, "Fine-tune this model (its architecture and weights, a new optimiser; defaults: 1 epoch, lr 1e-4, no warm-up)", "MODEL" },
    { "vat", 0, 0, G_OPTION_ARG_NONE, &a->vat, "Variation-aware training: crossbar noise in the forward pass, straight-through gradients (docs/MODEL.md section 8)", NULL },
    { "vat-gamma", 0, 0, G_OPTION_ARG_DOUBLE, &a->vat_gamma, "Write-noise factor of --vat (default 2)", "G" },
    { "vat-config", 0, 0, G_OPTION_ARG_STRING, &a->vat_config, "Crossbar of --vat as JSON, e.g. '{\"sigma_r\":0.05,\"kv_scale\":\"per-channel\"}' (default: the rram-paper preset; --vat-gamma sets gamma)", "JSON" },
    { "prune-keep", 0, 0, G_OPTION_ARG_STRING, &a->prune_keep, "Token pruning in training: keep this share (0..1] of the patch tokens before blocks L/4, L/2, 3L/4, ranked by class-token attention; stored as vitx.prune_keep, which eval follows (default: the --from model's, else none; 1 = off)", "R" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &a->resume, "Continue from this checkpoint (bit-identical to an uninterrupted run)", "CKPT" },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &a->checkpoint, "Checkpoint written after every epoch (default: OUT with .ckpt.safetensors)", "FILE" },
    { "keep-checkpoint", 0, 0, G_OPTION_ARG_NONE, &a->keep_checkpoint, "Keep the default checkpoint after a finished run (one named by --checkpoint or --resume is always kept)", NULL },
    { "log", 'l', 0, G_OPTION_ARG_FILENAME, &a->log, "CSV log: epoch,lr,loss,train_acc,test_acc,seconds", "CSV" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &a->limit, "Train on a stratified subset of N images", "N" },
    { "test-limit", 0, 0, G_OPTION_ARG_INT, &a->test_limit, "Evaluate on a stratified subset of N test images", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a->json, "One JSON object on stdout at the end (progress goes to stderr)", NULL },
    { NULL }
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

static int
parse_train_args (int argc, char **argv, TrainArgs *a)
{
  a->epochs = a->batch = a->seed = UNSET_I;
  a->depth = a->dim = a->heads = a->mlp = a->patch = UNSET_I;
  a->lr = a->min_lr = a->warmup = a->wd = a->smoothing = a->clip = UNSET_D;
  a->vat_gamma = UNSET_D;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train a Vision Transformer");
  g_option_context_set_description (ctx,
    "Trains a ViT (timm layout) from scratch, or fine-tunes one (--from MODEL), on an IDX\n"
    "dataset with AdamW, linear warm-up\n"
    "and cosine decay, label smoothing, gradient clipping, random crop + flip; evaluates on\n"
    "the test split after every epoch and writes a checkpoint, so an interrupted run (Ctrl-C)\n"
    "continues with --resume CKPT exactly as if it had not stopped. The same seed gives the\n"
    "same weights for any number of threads. The model file carries the architecture,\n"
    "normalisation, class names and the provenance (command, seed, epochs, wall time,\n"
    "test accuracy).\n"
    "Exit status: 0 success, 1 the work failed (data, files, interrupted), 2 bad command line.");
  add_train_options (ctx, a);
  if (!vitx_parse (ctx, "train", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("train", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  return check_args (a);
}

/* ---- one run ---------------------------------------------------------------------------- */

typedef struct {
  const char *dir;                 /* of the dataset */
  VxDataset *train_all, *test_all;
  VxModel *model;
  VxTrainer *trainer;              /* trains model in place */
  VxVat *vat;                      /* NULL: standard training */
  VxDataset *train_sub, *test_sub; /* --limit, --test-limit; NULL: the whole split */
  const VxDataset *train, *test;   /* the sets the run uses */
  const char *out;
  char *ckpt;
  VitxTrainUi ui;
  JsonBuilder *epochs_json;        /* with --json */
} TrainRun;

static void
train_run_clear (TrainRun *r)
{
  g_clear_object (&r->epochs_json);
  g_clear_pointer (&r->ckpt, g_free);
  g_clear_pointer (&r->test_sub, vx_dataset_free);
  g_clear_pointer (&r->train_sub, vx_dataset_free);
  g_clear_pointer (&r->vat, vx_vat_free);
  g_clear_pointer (&r->trainer, vx_trainer_free);
  g_clear_pointer (&r->model, vx_model_free);
  g_clear_pointer (&r->test_all, vx_dataset_free);
  g_clear_pointer (&r->train_all, vx_dataset_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TrainRun, train_run_clear)

/* the model and trainer: resumed, fine-tuned (--from) or new, with the provenance
 * keys of the command line */
static gboolean
train_run_start (TrainRun *r, const TrainArgs *a, const char *cmdline, GError **error)
{
  if (a->resume)
    {
      r->trainer = vx_trainer_load_checkpoint (a->resume, a->threads, &r->model, error);
      if (r->trainer && a->epochs != UNSET_I)
        vx_trainer_set_epochs (r->trainer, a->epochs);
    }
  else
    r->trainer = a->from ? from_run (a, r->train_all, &r->model, error)
                         : new_run (a, r->train_all, &r->model, error);
  if (!r->trainer)
    return FALSE;
  if (a->resume)
    vx_model_set_meta (r->model, "vitx.resume_command", cmdline);
  else
    {
      vx_model_set_meta (r->model, "vitx.train_command", cmdline);
      vx_model_set_meta (r->model, "vitx.train.init", a->from ? "fine-tuned from the model of vitx.from"
                         : a->init && strcmp (a->init, "timm") == 0
                         ? "timm: trunc-normal(0.02) weights, zero biases"
                         : "torch: nn.Linear/Conv2d default, U(+-1/sqrt(fan_in)); zero tokens; "
                           "pos_embed N(0, 0.02^2)");
    }
  if (a->prune_keep)
    {
      double keep = 1.0;
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      vx_prune_keep_parse (a->prune_keep, &keep, NULL);   /* checked in check_args */
      vx_model_set_meta (r->model, VX_META_PRUNE_KEEP, g_ascii_formatd (text, sizeof text, "%.6g", keep));
    }
  return setup_vat (a, r->model, r->trainer, &r->vat, error);
}

/* --limit: a stratified subset of the training set. The checkpoint keeps its size
 * in vitx.train_images, so a resumed run trains on the same subset. */
static void
train_run_subsets (TrainRun *r, const TrainArgs *a)
{
  const VxTrainConfig *cfg = vx_trainer_get_config (r->trainer);
  int limit = a->limit;
  const char *kept = vx_model_get_meta (r->model, "vitx.train_images");
  if (a->resume && kept)
    limit = atoi (kept);
  if (limit > 0 && limit < r->train_all->n)
    r->train_sub = vx_dataset_subset_stratified (r->train_all, limit, cfg->seed);
  if (a->test_limit > 0 && a->test_limit < r->test_all->n)
    r->test_sub = vx_dataset_subset_stratified (r->test_all, a->test_limit, 0);
  r->train = r->train_sub ? r->train_sub : r->train_all;
  r->test = r->test_sub ? r->test_sub : r->test_all;
  g_autofree char *ntrain = g_strdup_printf ("%d", r->train->n);
  vx_model_set_meta (r->model, "vitx.train_images", ntrain);
}

/* where the run writes: the model, its checkpoint, the CSV log, the JSON epochs */
static gboolean
train_run_open_output (TrainRun *r, const TrainArgs *a, GError **error)
{
  r->out = a->out ? a->out : "vitx-model.safetensors";
  r->ckpt = a->checkpoint ? g_strdup (a->checkpoint)
            : a->resume ? g_strdup (a->resume) : default_checkpoint (r->out);
  r->ui.out = a->json ? stderr : stdout;
  r->ui.tty = isatty (fileno (r->ui.out));
  r->ui.checkpoint = r->ckpt;
  if (a->log)
    {
      r->ui.csv = vitx_train_open_csv (a->log, a->resume ? vx_trainer_get_epoch (r->trainer) : 0,
                                       error);
      if (!r->ui.csv)
        return FALSE;
    }
  if (a->json)
    {
      r->epochs_json = json_builder_new ();
      json_builder_begin_array (r->epochs_json);
      r->ui.epochs = r->epochs_json;
    }
  return TRUE;
}

static void
train_run_print_header (const TrainRun *r, const TrainArgs *a)
{
  FILE *out = r->ui.out;
  const VxArch *ar = &r->model->arch;
  const VxTrainConfig *cfg = vx_trainer_get_config (r->trainer);
  fprintf (out, "%s: ViT depth %d, dim %d, %d heads, MLP %d, patch %d (%d tokens), %zu parameters\n",
           r->out, ar->depth, ar->embed_dim, ar->num_heads, ar->mlp_hidden, ar->patch_size,
           vx_arch_num_tokens (ar), r->model->params.n);
  fprintf (out, "data: %s: %d training, %d test images; %d epochs of %d steps (batch %d), "
           "lr %g, wd %g, seed %" G_GUINT64_FORMAT ", %d threads%s\n",
           r->dir, r->train->n, r->test->n, cfg->epochs, (r->train->n + cfg->batch - 1) / cfg->batch,
           cfg->batch, cfg->lr, cfg->weight_decay, cfg->seed, vx_get_num_threads (),
           a->resume ? "; resumed" : "");
  if (a->resume)
    fprintf (out, "resuming %s after epoch %d (step %" G_GINT64_FORMAT ")\n", a->resume,
             vx_trainer_get_epoch (r->trainer), vx_trainer_get_step (r->trainer));
  fflush (out);
}

/* the epochs, until done or Ctrl-C */
static int
train_run_fit (TrainRun *r)
{
  VitxTrainUi *ui = &r->ui;
  g_autoptr (GError) error = NULL;
  vitx_train_catch_interrupt (TRUE);
  if (r->vat)
    {
      g_autofree char *xs = vx_xbar_config_to_string (vx_vat_get_config (r->vat));
      fprintf (ui->out, "variation-aware: crossbar noise in the forward pass (%s), "
               "straight-through gradients\n", xs);
      fflush (ui->out);
    }
  VxTrainCallbacks cb = { vitx_train_ui_progress, vitx_train_ui_epoch, vitx_train_ui_cancelled, ui };
  cb.hooks = r->vat ? vx_vat_get_hooks (r->vat) : NULL;
  gboolean ok = vx_trainer_fit (r->trainer, r->train, r->test, r->ckpt, &cb, &error);
  vitx_train_catch_interrupt (FALSE);
  if (ui->csv)
    g_clear_pointer (&ui->csv, fclose);
  if (ok)
    return VITX_EXIT_OK;
  int epoch = vx_trainer_get_epoch (r->trainer);
  if (ui->tty && ui->last_len > 0)
    fputc ('\n', ui->out);
  if (g_error_matches (error, VX_ERROR, VX_ERROR_CANCELLED))
    vitx_error ("train", "interrupted; %s", epoch > 0
                ? "continue with --resume (the checkpoint holds the last finished epoch)"
                : "no epoch had finished, so there is no checkpoint");
  else
    vitx_error ("train", "%s", error->message);
  if (epoch > 0)
    fprintf (stderr, "checkpoint: %s (epoch %d)\n", r->ckpt, epoch);
  return VITX_EXIT_FAILURE;
}

/* a variation-aware fine-tune against the standard training of its source model,
 * both on the same number of images, each with its per-epoch evaluation */
static void
print_time_per_epoch (const TrainRun *r)
{
  const char *src_wall = vx_model_get_meta (r->model, "vitx.from.wall_time_s");
  const char *src_epochs = vx_model_get_meta (r->model, "vitx.from.epochs");
  const char *src_images = vx_model_get_meta (r->model, "vitx.from.train_images");
  if (!r->vat || !src_wall || !src_epochs || atoi (src_epochs) <= 0 || !src_images
      || atoi (src_images) != r->train->n)
    return;
  double per = vx_trainer_get_wall_time (r->trainer) / MAX (vx_trainer_get_epoch (r->trainer), 1);
  double std_per = g_ascii_strtod (src_wall, NULL) / atoi (src_epochs);
  fprintf (r->ui.out, "time per epoch: %.1f s variation-aware, %.1f s in the source model's "
           "standard training (%.2fx; each with its test-set evaluation)\n", per, std_per,
           std_per > 0 ? per / std_per : 0.0);
  fflush (r->ui.out);
}

static void
print_result_json (const TrainRun *r, const VxEvalResult *er)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, r->out);
  json_builder_set_member_name (b, "params");
  json_builder_add_int_value (b, (gint64) r->model->params.n);
  json_builder_set_member_name (b, "train_images");
  json_builder_add_int_value (b, r->train->n);
  json_builder_set_member_name (b, "test_images");
  json_builder_add_int_value (b, er->n);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, vx_trainer_get_epoch (r->trainer));
  json_builder_set_member_name (b, "test_top1");
  json_builder_add_double_value (b, er->top1);
  json_builder_set_member_name (b, "wall_time_s");
  json_builder_add_double_value (b, vx_trainer_get_wall_time (r->trainer));
  json_builder_set_member_name (b, "log");
  json_builder_end_array (r->epochs_json);
  json_builder_add_value (b, json_builder_get_root (r->epochs_json));
  json_builder_end_object (b);
  vitx_print_json (b);
}

/* the final accuracy on the whole test set, the model file, the summary */
static int
train_run_finish (TrainRun *r, const TrainArgs *a)
{
  g_autoptr (GError) error = NULL;
  VxEvalOpts eo = { .batch = 256 };
  VxEvalResult er;
  if (!vx_eval_run (r->model, r->test, &eo, &er, &error))
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  g_autofree char *base = g_path_get_basename (r->dir);
  g_autofree char *dataset = a->data ? g_strdup_printf ("%s (IDX)", base)
                             : g_strdup ("Fashion-MNIST (Debian package dataset-fashion-mnist)");
  set_metadata (r->model, r->trainer, dataset, er.top1, r->train->n, r->test->n);
  if (!vx_model_check_finite (r->model, &error) || !vx_model_save (r->model, r->out, &error))
    {
      vitx_error ("train", "%s", error->message);
      vx_eval_result_clear (&er);
      return VITX_EXIT_FAILURE;
    }
  /* a finished run needs no checkpoint; one the user named stays */
  if (!a->keep_checkpoint && !a->checkpoint && !a->resume)
    g_unlink (r->ckpt);
  char wall[32];
  vitx_train_format_duration (wall, sizeof wall, vx_trainer_get_wall_time (r->trainer));
  fprintf (r->ui.out, "wrote %s: test top-1 %.2f%% (%d/%d, 95%% CI %.2f-%.2f%%), %d epochs, %s\n",
           r->out, 100 * er.top1, er.top1_correct, er.n, 100 * er.top1_lo, 100 * er.top1_hi,
           vx_trainer_get_epoch (r->trainer), wall);
  print_time_per_epoch (r);
  fflush (r->ui.out);
  if (a->json)
    print_result_json (r, &er);
  vx_eval_result_clear (&er);
  return VITX_EXIT_OK;
}

int
vitx_cmd_train (int argc, char **argv)
{
  g_autofree char *cmdline = command_line (argc, argv);
  g_auto (TrainArgs) a = { NULL };
  int rc = parse_train_args (argc, argv, &a);
  if (rc != VITX_EXIT_OK)
    return rc;

  vx_set_num_threads (a.threads);
  g_autoptr (GError) error = NULL;
  g_auto (TrainRun) r = { NULL };
  r.dir = a.data ? a.data : vx_fashion_mnist_dir ();
  r.train_all = vx_dataset_load_idx_dir (r.dir, "train", &error);
  r.test_all = r.train_all ? vx_dataset_load_idx_dir (r.dir, "test", &error) : NULL;
  if (!r.train_all || !r.test_all || !train_run_start (&r, &a, cmdline, &error))
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  train_run_subsets (&r, &a);
  if (!train_run_open_output (&r, &a, &error))
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  train_run_print_header (&r, &a);
  rc = train_run_fit (&r);
  if (rc != VITX_EXIT_OK)
    return rc;
  return train_run_finish (&r, &a);
}
