/* vitx-cmd-train.c: `vitx train` (training a ViT) and `vitx bench train` (its throughput) */
#define G_LOG_DOMAIN "vitx-train"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include <glib/gstdio.h>

#include "vitx-commands.h"
#include "vx-backward.h"
#include "vx-error.h"
#include "vx-eval.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-rng.h"
#include "vx-train.h"
#include "vx-vat.h"

#define CSV_HEADER "epoch,lr,loss,train_acc,test_acc,seconds\n"

/* ---- OpenMP waiting --------------------------------------------------------------- */

/* The trainer runs every parallel loop on one OpenMP pool. libgomp's default is
 * to spin between loops, which on a machine shared with other jobs steals the
 * cores the working threads need (throughput fell 3x in our measurements), and
 * libgomp reads its policy only at start-up. So, unless the user chose a policy,
 * run the same command line again with OMP_WAIT_POLICY=passive. */
static void
ensure_passive_waiting (void)
{
  if (g_getenv ("OMP_WAIT_POLICY") != NULL)
    return;
  g_setenv ("OMP_WAIT_POLICY", "passive", TRUE);
  g_autofree char *cmd = NULL;
  gsize len = 0;
  if (!g_file_get_contents ("/proc/self/cmdline", &cmd, &len, NULL) || len == 0)
    return;
  GPtrArray *args = g_ptr_array_new ();
  for (gsize i = 0; i < len; i += strlen (cmd + i) + 1)
    g_ptr_array_add (args, cmd + i);
  g_ptr_array_add (args, NULL);
  execv ("/proc/self/exe", (char **) args->pdata);
  /* exec failed: carry on with the default policy */
  g_ptr_array_free (args, TRUE);
}

/* ---- cancellation ------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  if (interrupted)
    {
      signal (sig, SIG_DFL);
      raise (sig);
    }
  interrupted = 1;
}

/* ---- output ------------------------------------------------------------------------- */

typedef struct {
  FILE *out;               /* progress and epoch lines: stdout, or stderr with --json */
  gboolean tty;
  gint64 last_plain;       /* monotonic time of the last plain progress line */
  int last_len;            /* length of the redrawn line */
  FILE *csv;
  JsonBuilder *epochs;     /* with --json: the array of epochs */
  char *checkpoint;
} TrainUi;

static void
format_duration (char *buf, size_t len, double s)
{
  if (s < 0 || !isfinite (s))
    g_strlcpy (buf, "?", len);
  else if (s >= 3600)
    g_snprintf (buf, len, "%dh%02dm", (int) (s / 3600), (int) fmod (s / 60, 60));
  else if (s >= 60)
    g_snprintf (buf, len, "%dm%02ds", (int) (s / 60), (int) fmod (s, 60));
  else
    g_snprintf (buf, len, "%.0fs", s);
}

static void
ui_progress (void *user, const VxTrainProgress *p)
{
  TrainUi *ui = user;
  char eta[32];
  format_duration (eta, sizeof eta, p->eta_s);
  g_autofree char *text = NULL;
  if (p->phase == VX_TRAIN_PHASE_TRAIN)
    text = g_strdup_printf ("epoch %d/%d  %d/%d  loss %.4f  acc %.1f%%  lr %.2e  %.0f img/s  ETA %s",
                            p->epoch + 1, p->epochs, p->done, p->total, p->loss,
                            100 * p->train_acc, p->lr, p->images_per_s, eta);
  else
    text = g_strdup_printf ("epoch %d/%d  evaluating %d/%d  ETA %s", p->epoch + 1, p->epochs,
                            p->done, p->total, eta);

  if (ui->tty)
    {
      int width = 24, fill = p->total > 0 ? (int) ((double) p->done / p->total * width + 0.5) : 0;
      char bar[32];
      for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
      bar[width] = 0;
      int len = fprintf (ui->out, "\r[%s] %s", bar, text);
      for (int i = len; i < ui->last_len; i++)
        fputc (' ', ui->out);
      ui->last_len = len;
      fflush (ui->out);
      return;
    }
  gint64 now = g_get_monotonic_time ();
  if (now - ui->last_plain >= 30 * G_USEC_PER_SEC)
    {
      ui->last_plain = now;
      fprintf (ui->out, "%s\n", text);
      fflush (ui->out);
    }
}

static void
ui_epoch (void *user, const VxTrainEpoch *e)
{
  TrainUi *ui = user;
  if (ui->tty && ui->last_len > 0)
    {
      fprintf (ui->out, "\r%*s\r", ui->last_len, "");
      ui->last_len = 0;
    }
  char test[32];
  if (e->test_acc >= 0)
    g_snprintf (test, sizeof test, "%.2f%%", 100 * e->test_acc);
  else
    g_strlcpy (test, "-", sizeof test);
  fprintf (ui->out, "epoch %d: loss %.4f  train acc %.2f%%  test acc %s  lr %.2e  "
           "%.0f img/s  %.1f s  (checkpoint %s)\n", e->epoch, e->loss, 100 * e->train_acc, test,
           e->lr, e->images_per_s, e->seconds, ui->checkpoint);
  fflush (ui->out);
  ui->last_plain = g_get_monotonic_time ();

  if (ui->csv)
    {
      char lr[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (lr, sizeof lr, "%.6e", e->lr);
      fprintf (ui->csv, "%d,%s,%.6f,%.6f,%.6f,%.2f\n", e->epoch, lr, e->loss, e->train_acc,
               e->test_acc, e->seconds);
      fflush (ui->csv);
    }
  if (ui->epochs)
    {
      JsonBuilder *b = ui->epochs;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "epoch");
      json_builder_add_int_value (b, e->epoch);
      json_builder_set_member_name (b, "lr");
      json_builder_add_double_value (b, e->lr);
      json_builder_set_member_name (b, "loss");
      json_builder_add_double_value (b, e->loss);
      json_builder_set_member_name (b, "train_acc");
      json_builder_add_double_value (b, e->train_acc);
      json_builder_set_member_name (b, "test_acc");
      json_builder_add_double_value (b, e->test_acc);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, e->seconds);
      json_builder_set_member_name (b, "images_per_s");
      json_builder_add_double_value (b, e->images_per_s);
      json_builder_end_object (b);
    }
}

static gboolean
ui_cancelled (void *user)
{
  return interrupted != 0;
}

/* Open the CSV log: a new file, or on resume the old one cut back to the rows of
 * the epochs the checkpoint holds (a run killed after writing a row but before
 * its checkpoint would otherwise repeat it). */
static FILE *
open_csv (const char *path, int keep_epochs, GError **error)
{
  g_autoptr (GString) kept = g_string_new (CSV_HEADER);
  g_autofree char *old = NULL;
  if (keep_epochs > 0 && g_file_get_contents (path, &old, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (old, "\n", -1);
      for (int i = 1; lines[i]; i++)
        {
          int epoch = atoi (lines[i]);
          if (lines[i][0] && epoch >= 1 && epoch <= keep_epochs)
            g_string_append_printf (kept, "%s\n", lines[i]);
        }
    }
  FILE *f = g_fopen (path, "w");
  if (!f)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot write the log: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  fputs (kept->str, f);
  fflush (f);
  return f;
}

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

int
vitx_cmd_train (int argc, char **argv)
{
  ensure_passive_waiting ();
  g_autofree char *cmdline = command_line (argc, argv);
  g_auto (TrainArgs) a = { NULL };
  a.epochs = a.batch = a.seed = UNSET_I;
  a.depth = a.dim = a.heads = a.mlp = a.patch = UNSET_I;
  a.lr = a.min_lr = a.warmup = a.wd = a.smoothing = a.clip = UNSET_D;
  a.vat_gamma = UNSET_D;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &a.data,
      "Directory of IDX files with train-* and t10k-* splits (default: Debian's Fashion-MNIST)", "DIR" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a.out, "Model file to write (default vitx-model.safetensors)", "FILE" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &a.epochs, "Epochs (default 30; with --resume: extends the schedule)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &a.batch, "Images per step (default 128)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &a.lr, "Peak learning rate (default 2e-3)", "LR" },
    { "min-lr", 0, 0, G_OPTION_ARG_DOUBLE, &a.min_lr, "Learning rate at the end of the cosine (default 1e-5)", "LR" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &a.warmup, "Epochs of linear warm-up (default 1)", "E" },
    { "wd", 0, 0, G_OPTION_ARG_DOUBLE, &a.wd, "AdamW weight decay on matrices (default 0.05)", "WD" },
    { "label-smoothing", 0, 0, G_OPTION_ARG_DOUBLE, &a.smoothing, "Label smoothing (default 0.1)", "EPS" },
    { "clip", 0, 0, G_OPTION_ARG_DOUBLE, &a.clip, "Clip gradients to this global L2 norm, 0 = off (default 1)", "NORM" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &a.seed, "Seed of initialisation, shuffling and augmentation (default 0)", "S" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &a.init, "Initialisation: torch (PyTorch's nn.Linear/Conv2d default, the default) or timm (trunc-normal 0.02)", "KIND" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &a.threads, "Threads (default: all cores); the weights do not depend on it", "T" },
    { "depth", 0, 0, G_OPTION_ARG_INT, &a.depth, "Blocks (default 6)", "L" },
    { "dim", 0, 0, G_OPTION_ARG_INT, &a.dim, "Embedding dimension (default 64)", "D" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &a.heads, "Attention heads (default 4)", "H" },
    { "mlp", 0, 0, G_OPTION_ARG_INT, &a.mlp, "MLP hidden dimension (default 256)", "F" },
    { "patch", 0, 0, G_OPTION_ARG_INT, &a.patch, "Patch side (default 4)", "P" },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &a.no_augment, "No random crop and flip", NULL },
    { "from", 'f', 0, G_OPTION_ARG_FILENAME, &a.from, "Fine-tune this model (its architecture and weights, a new optimiser; defaults: 1 epoch, lr 1e-4, no warm-up)", "MODEL" },
    { "vat", 0, 0, G_OPTION_ARG_NONE, &a.vat, "Variation-aware training: crossbar noise in the forward pass, straight-through gradients (MODEL.md section 8)", NULL },
    { "vat-gamma", 0, 0, G_OPTION_ARG_DOUBLE, &a.vat_gamma, "Write-noise factor of --vat (default 2)", "G" },
    { "vat-config", 0, 0, G_OPTION_ARG_STRING, &a.vat_config, "Crossbar of --vat as JSON, e.g. '{\"sigma_r\":0.05,\"kv_scale\":\"per-channel\"}' (default: the rram-paper preset; --vat-gamma sets gamma)", "JSON" },
    { "prune-keep", 0, 0, G_OPTION_ARG_STRING, &a.prune_keep, "Token pruning in training: keep this share (0..1] of the patch tokens before blocks L/4, L/2, 3L/4, ranked by class-token attention; stored as vitx.prune_keep, which eval follows (default: the --from model's, else none; 1 = off)", "R" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &a.resume, "Continue from this checkpoint (bit-identical to an uninterrupted run)", "CKPT" },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &a.checkpoint, "Checkpoint written after every epoch (default: OUT with .ckpt.safetensors)", "FILE" },
    { "keep-checkpoint", 0, 0, G_OPTION_ARG_NONE, &a.keep_checkpoint, "Keep the default checkpoint after a finished run (one named by --checkpoint or --resume is always kept)", NULL },
    { "log", 'l', 0, G_OPTION_ARG_FILENAME, &a.log, "CSV log: epoch,lr,loss,train_acc,test_acc,seconds", "CSV" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &a.limit, "Train on a stratified subset of N images", "N" },
    { "test-limit", 0, 0, G_OPTION_ARG_INT, &a.test_limit, "Evaluate on a stratified subset of N test images", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a.json, "One JSON object on stdout at the end (progress goes to stderr)", NULL },
    { NULL }
  };
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
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "train", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("train", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  int rc = check_args (&a);
  if (rc != VITX_EXIT_OK)
    return rc;

  vx_set_num_threads (a.threads);
  g_autoptr (GError) error = NULL;
  const char *dir = a.data ? a.data : vx_fashion_mnist_dir ();
  g_autoptr (VxDataset) train_all = vx_dataset_load_idx_dir (dir, "train", &error);
  g_autoptr (VxDataset) test_all = train_all ? vx_dataset_load_idx_dir (dir, "test", &error) : NULL;
  if (!train_all || !test_all)
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }

  g_autoptr (VxModel) model = NULL;
  g_autoptr (VxTrainer) t = NULL;
  VxModel *m = NULL;
  if (a.resume)
    {
      t = vx_trainer_load_checkpoint (a.resume, a.threads, &m, &error);
      model = m;
      if (t && a.epochs != UNSET_I)
        vx_trainer_set_epochs (t, a.epochs);
    }
  else
    {
      t = a.from ? from_run (&a, train_all, &m, &error) : new_run (&a, train_all, &m, &error);
      model = m;
    }
  if (!t)
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  if (a.resume)
    vx_model_set_meta (model, "vitx.resume_command", cmdline);
  else
    {
      vx_model_set_meta (model, "vitx.train_command", cmdline);
      vx_model_set_meta (model, "vitx.train.init", a.from ? "fine-tuned from the model of vitx.from"
                         : a.init && strcmp (a.init, "timm") == 0
                         ? "timm: trunc-normal(0.02) weights, zero biases"
                         : "torch: nn.Linear/Conv2d default, U(+-1/sqrt(fan_in)); zero tokens; "
                           "pos_embed N(0, 0.02^2)");
    }
  if (a.prune_keep)
    {
      double keep = 1.0;
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      vx_prune_keep_parse (a.prune_keep, &keep, NULL);   /* checked in check_args */
      vx_model_set_meta (model, VX_META_PRUNE_KEEP, g_ascii_formatd (text, sizeof text, "%.6g", keep));
    }
  g_autoptr (VxVat) vat = NULL;
  if (!setup_vat (&a, model, t, &vat, &error))
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }

  /* --limit: a stratified subset of the training set. The checkpoint keeps its
   * size in vitx.train_images, so a resumed run trains on the same subset. */
  const VxTrainConfig *cfg = vx_trainer_get_config (t);
  int limit = a.limit;
  const char *kept = vx_model_get_meta (model, "vitx.train_images");
  if (a.resume && kept)
    limit = atoi (kept);
  g_autoptr (VxDataset) train_sub = limit > 0 && limit < train_all->n
                                    ? vx_dataset_subset_stratified (train_all, limit, cfg->seed) : NULL;
  g_autoptr (VxDataset) test_sub = a.test_limit > 0 && a.test_limit < test_all->n
                                   ? vx_dataset_subset_stratified (test_all, a.test_limit, 0) : NULL;
  const VxDataset *train = train_sub ? train_sub : train_all;
  const VxDataset *test = test_sub ? test_sub : test_all;
  g_autofree char *ntrain = g_strdup_printf ("%d", train->n);
  vx_model_set_meta (model, "vitx.train_images", ntrain);

  const char *out = a.out ? a.out : "vitx-model.safetensors";
  g_autofree char *ckpt = a.checkpoint ? g_strdup (a.checkpoint)
                          : a.resume ? g_strdup (a.resume) : default_checkpoint (out);

  TrainUi ui = { 0 };
  ui.out = a.json ? stderr : stdout;
  ui.tty = isatty (fileno (ui.out));
  ui.checkpoint = ckpt;
  if (a.log)
    {
      ui.csv = open_csv (a.log, a.resume ? vx_trainer_get_epoch (t) : 0, &error);
      if (!ui.csv)
        {
          vitx_error ("train", "%s", error->message);
          return VITX_EXIT_FAILURE;
        }
    }
  g_autoptr (JsonBuilder) epochs_json = a.json ? json_builder_new () : NULL;
  if (epochs_json)
    {
      json_builder_begin_array (epochs_json);
      ui.epochs = epochs_json;
    }

  const VxArch *ar = &model->arch;
  fprintf (ui.out, "%s: ViT depth %d, dim %d, %d heads, MLP %d, patch %d (%d tokens), %zu parameters\n",
           out, ar->depth, ar->embed_dim, ar->num_heads, ar->mlp_hidden, ar->patch_size,
           vx_arch_num_tokens (ar), model->params.n);
  fprintf (ui.out, "data: %s: %d training, %d test images; %d epochs of %d steps (batch %d), "
           "lr %g, wd %g, seed %" G_GUINT64_FORMAT ", %d threads%s\n",
           dir, train->n, test->n, cfg->epochs, (train->n + cfg->batch - 1) / cfg->batch,
           cfg->batch, cfg->lr, cfg->weight_decay, cfg->seed, vx_get_num_threads (),
           a.resume ? "; resumed" : "");
  if (a.resume)
    fprintf (ui.out, "resuming %s after epoch %d (step %" G_GINT64_FORMAT ")\n", a.resume,
             vx_trainer_get_epoch (t), vx_trainer_get_step (t));
  fflush (ui.out);

  signal (SIGINT, on_sigint);
  if (vat)
    {
      g_autofree char *xs = vx_xbar_config_to_string (vx_vat_get_config (vat));
      fprintf (ui.out, "variation-aware: crossbar noise in the forward pass (%s), "
               "straight-through gradients\n", xs);
      fflush (ui.out);
    }
  VxTrainCallbacks cb = { ui_progress, ui_epoch, ui_cancelled, &ui };
  cb.hooks = vat ? vx_vat_get_hooks (vat) : NULL;
  gboolean ok = vx_trainer_fit (t, train, test, ckpt, &cb, &error);
  signal (SIGINT, SIG_DFL);
  if (ui.csv)
    fclose (ui.csv);
  if (!ok)
    {
      if (ui.tty && ui.last_len > 0)
        fputc ('\n', ui.out);
      if (g_error_matches (error, VX_ERROR, VX_ERROR_CANCELLED))
        vitx_error ("train", "interrupted; %s", vx_trainer_get_epoch (t) > 0
                    ? "continue with --resume (the checkpoint holds the last finished epoch)"
                    : "no epoch had finished, so there is no checkpoint");
      else
        vitx_error ("train", "%s", error->message);
      if (vx_trainer_get_epoch (t) > 0)
        fprintf (stderr, "checkpoint: %s (epoch %d)\n", ckpt, vx_trainer_get_epoch (t));
      return VITX_EXIT_FAILURE;
    }

  /* the final accuracy on the whole test set */
  VxEvalOpts eo = { .batch = 256 };
  VxEvalResult er;
  if (!vx_eval_run (model, test, &eo, &er, &error))
    {
      vitx_error ("train", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *dataset = a.data ? g_strdup_printf ("%s (IDX)", base)
                             : g_strdup ("Fashion-MNIST (Debian package dataset-fashion-mnist)");
  set_metadata (model, t, dataset, er.top1, train->n, test->n);
  if (!vx_model_check_finite (model, &error) || !vx_model_save (model, out, &error))
    {
      vitx_error ("train", "%s", error->message);
      vx_eval_result_clear (&er);
      return VITX_EXIT_FAILURE;
    }
  /* a finished run needs no checkpoint; one the user named stays */
  if (!a.keep_checkpoint && !a.checkpoint && !a.resume)
    g_unlink (ckpt);
  char wall[32];
  format_duration (wall, sizeof wall, vx_trainer_get_wall_time (t));
  fprintf (ui.out, "wrote %s: test top-1 %.2f%% (%d/%d, 95%% CI %.2f-%.2f%%), %d epochs, %s\n",
           out, 100 * er.top1, er.top1_correct, er.n, 100 * er.top1_lo, 100 * er.top1_hi,
           vx_trainer_get_epoch (t), wall);
  const char *src_wall = vx_model_get_meta (model, "vitx.from.wall_time_s");
  const char *src_epochs = vx_model_get_meta (model, "vitx.from.epochs");
  const char *src_images = vx_model_get_meta (model, "vitx.from.train_images");
  if (vat && src_wall && src_epochs && atoi (src_epochs) > 0 && src_images
      && atoi (src_images) == train->n)
    {
      /* both on the same number of images, each with its per-epoch evaluation */
      double per = vx_trainer_get_wall_time (t) / MAX (vx_trainer_get_epoch (t), 1);
      double std_per = g_ascii_strtod (src_wall, NULL) / atoi (src_epochs);
      fprintf (ui.out, "time per epoch: %.1f s variation-aware, %.1f s in the source model's "
               "standard training (%.2fx; each with its test-set evaluation)\n", per, std_per,
               std_per > 0 ? per / std_per : 0.0);
      fflush (ui.out);
    }
  fflush (ui.out);

  if (a.json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, out);
      json_builder_set_member_name (b, "params");
      json_builder_add_int_value (b, (gint64) model->params.n);
      json_builder_set_member_name (b, "train_images");
      json_builder_add_int_value (b, train->n);
      json_builder_set_member_name (b, "test_images");
      json_builder_add_int_value (b, er.n);
      json_builder_set_member_name (b, "epochs");
      json_builder_add_int_value (b, vx_trainer_get_epoch (t));
      json_builder_set_member_name (b, "test_top1");
      json_builder_add_double_value (b, er.top1);
      json_builder_set_member_name (b, "wall_time_s");
      json_builder_add_double_value (b, vx_trainer_get_wall_time (t));
      json_builder_set_member_name (b, "log");
      json_builder_end_array (epochs_json);
      json_builder_add_value (b, json_builder_get_root (epochs_json));
      json_builder_end_object (b);
      vitx_print_json (b);
    }
  vx_eval_result_clear (&er);
  return VITX_EXIT_OK;
}

/* ---- vitx bench train ------------------------------------------------------------------- */

/* wall time of the forward's GEMMs: static products on the calling thread, attention
 * products as thread time (nanoseconds, summed over the OpenMP threads) */
typedef struct {
  int threads;
  double linear_s;
  gint64 attn_ns;
} GemmClock;

static void
timed_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *w, const float *b, int M, int K, int N)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  vx_linear_forward_blocked (out, in, w, b, M, K, N, c->threads);
  c->linear_s += (g_get_monotonic_time () - t0) / 1e6;
}

static void
timed_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
          int N, int Dh, int ld)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, k, ld, 0.0f, scores, N);
  __atomic_fetch_add (&c->attn_ns, (g_get_monotonic_time () - t0) * 1000, __ATOMIC_RELAXED);
}

static void
timed_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
          const float *v, int N, int Dh, int ld)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, s, N, v, ld, 0.0f, out, ld_out);
  __atomic_fetch_add (&c->attn_ns, (g_get_monotonic_time () - t0) * 1000, __ATOMIC_RELAXED);
}

static void
json_member_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

int
vitx_bench_train (int argc, char **argv)
{
  ensure_passive_waiting ();
  int batch = 128, steps = 10, threads = 0, depth = 6, dim = 64, heads = 4, mlp = 256, patch = 4;
  gboolean json = FALSE, vat = FALSE;
  GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Images per step (default 128)", "B" },
    { "vat", 0, 0, G_OPTION_ARG_NONE, &vat, "Also time variation-aware steps (crossbar noise, gamma 2), interleaved with standard ones", NULL },
    { "steps", 'n', 0, G_OPTION_ARG_INT, &steps, "Timed steps after one warm-up step (default 10)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default: all cores)", "T" },
    { "depth", 0, 0, G_OPTION_ARG_INT, &depth, "Blocks (default 6)", "L" },
    { "dim", 0, 0, G_OPTION_ARG_INT, &dim, "Embedding dimension (default 64)", "D" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &heads, "Attention heads (default 4)", "H" },
    { "mlp", 0, 0, G_OPTION_ARG_INT, &mlp, "MLP hidden dimension (default 256)", "F" },
    { "patch", 0, 0, G_OPTION_ARG_INT, &patch, "Patch side (default 4)", "P" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- training throughput");
  g_option_context_set_description (ctx,
    "Times training steps (forward, cross-entropy, backward, clipping, AdamW) of a randomly\n"
    "initialised ViT on random 28x28 grey images with 10 classes, and splits the step into\n"
    "forward, backward and optimiser, with the share spent in GEMMs. Forward attention\n"
    "products are timed per thread and divided by the thread count; the backward\n"
    "attention block (its GEMMs with the softmax backward) is timed as a whole.\n"
    "Exit status: 0 success, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "bench train", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("bench train", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (batch < 1 || steps < 1 || threads < 0)
    {
      vitx_error ("bench train", "--batch and --steps must be at least 1, --threads not negative");
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (threads);
  g_autoptr (GError) error = NULL;
  VxArch arch = { .img_size = 28, .patch_size = patch, .in_chans = 1, .num_classes = 10,
                  .embed_dim = dim, .depth = depth, .num_heads = heads, .mlp_hidden = mlp,
                  .distilled = 0, .ln_eps = 1e-6f };
  g_autoptr (VxModel) m = vx_model_new (&arch, &error);
  if (!m)
    {
      vitx_error ("bench train", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  vx_model_init_random (m, 1);
  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.batch = batch;
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &cfg, &error);
  g_assert_no_error (error);

  size_t img = (size_t) 28 * 28;
  g_autofree float *images = g_new (float, img * batch);
  g_autofree int32_t *labels = g_new (int32_t, batch);
  VxRng r;
  vx_rng_init (&r, vx_rng_key (1, vx_rng_tag ("bench-train"), -1, -1, -1));
  vx_rng_normal_fill (&r, images, img * batch);
  for (int i = 0; i < batch; i++)
    labels[i] = (int32_t) vx_rng_below (&r, 10);

  GemmClock clock = { vx_get_num_threads (), 0.0, 0 };
  VxMatmulHooks hooks = { 0 };
  hooks.linear = timed_linear;
  hooks.attn_qk = timed_qk;
  hooks.attn_sv = timed_sv;
  hooks.user = &clock;

  VxStepResult res;
  vx_trainer_step (t, images, labels, batch, 1e-4, &hooks, &res);   /* warm-up */
  clock.linear_s = 0.0;
  clock.attn_ns = 0;
  double fwd = 0, bwd = 0, bwd_gemm = 0, bwd_attn = 0, opt = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (int s = 0; s < steps; s++)
    {
      vx_trainer_step (t, images, labels, batch, 1e-4, &hooks, &res);
      fwd += res.forward_s;
      bwd += res.backward_s;
      bwd_gemm += res.backward_gemm_s;
      bwd_attn += res.backward_attention_s;
      opt += res.optimiser_s;
    }
  double total = (g_get_monotonic_time () - t0) / 1e6;
  double attn_s = clock.attn_ns / 1e9 / clock.threads;
  double fwd_gemm = clock.linear_s + attn_s;
  double ips = (double) steps * batch / total;
  double gemm_share = (fwd_gemm + bwd_gemm) / total;

  /* --vat: standard and variation-aware steps taken in turn, so both see the
   * same machine load; the ratio is the paper's Fig. 7 comparison */
  double plain_s = 0.0, vat_s = 0.0;
  if (vat)
    {
      VxXbarConfig xc;
      vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
      g_autoptr (VxVat) v = vx_vat_new (&xc, 1, 0, &error);
      g_assert_no_error (error);
      vx_trainer_step (t, images, labels, batch, 1e-4, vx_vat_get_hooks (v), &res);   /* warm-up */
      for (int s = 0; s < steps; s++)
        {
          gint64 a0 = g_get_monotonic_time ();
          vx_trainer_step (t, images, labels, batch, 1e-4, NULL, &res);
          gint64 a1 = g_get_monotonic_time ();
          vx_trainer_step (t, images, labels, batch, 1e-4, vx_vat_get_hooks (v), &res);
          plain_s += (a1 - a0) / 1e6;
          vat_s += (g_get_monotonic_time () - a1) / 1e6;
        }
    }

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "params");
      json_builder_add_int_value (b, (gint64) m->params.n);
      json_builder_set_member_name (b, "batch");
      json_builder_add_int_value (b, batch);
      json_builder_set_member_name (b, "steps");
      json_builder_add_int_value (b, steps);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, vx_get_num_threads ());
      json_member_double (b, "images_per_s", ips);
      json_member_double (b, "step_s", total / steps);
      json_member_double (b, "forward_share", fwd / total);
      json_member_double (b, "backward_share", bwd / total);
      json_member_double (b, "optimiser_share", opt / total);
      json_member_double (b, "gemm_share", gemm_share);
      json_member_double (b, "forward_gemm_share", fwd_gemm / total);
      json_member_double (b, "backward_gemm_share", bwd_gemm / total);
      json_member_double (b, "backward_attention_share", bwd_attn / total);
      json_member_double (b, "gflops", 3.0 * vx_arch_flops_per_image (&arch) * ips / 1e9);
      if (vat)
        {
          json_member_double (b, "interleaved_standard_step_s", plain_s / steps);
          json_member_double (b, "vat_step_s", vat_s / steps);
          json_member_double (b, "vat_time_ratio", vat_s / plain_s);
        }
      json_builder_end_object (b);
      vitx_print_json (b);
      return VITX_EXIT_OK;
    }
  printf ("training: ViT depth %d, dim %d, %d heads, MLP %d, patch %d; %zu parameters\n",
          depth, dim, heads, mlp, patch, m->params.n);
  printf ("batch %d, %d steps, %d threads: %.1f images/s (%.3f s per step, ~%.1f GFLOP/s "
          "counting backward as 2x forward)\n", batch, steps, vx_get_num_threads (), ips,
          total / steps, 3.0 * vx_arch_flops_per_image (&arch) * ips / 1e9);
  printf ("  forward    %5.1f%%  (GEMMs %.1f%%: linear layers %.1f%%, attention %.1f%%)\n",
          100 * fwd / total, 100 * fwd_gemm / total, 100 * clock.linear_s / total, 100 * attn_s / total);
  printf ("  backward   %5.1f%%  (GEMMs of the linear layers %.1f%%; attention, its GEMMs and "
          "softmax, %.1f%%)\n", 100 * bwd / total, 100 * bwd_gemm / total, 100 * bwd_attn / total);
  printf ("  optimiser  %5.1f%%  (gradient norm, clipping, AdamW)\n", 100 * opt / total);
  printf ("  GEMMs      %5.1f%% of the step (%.1f%% with the backward attention block)\n",
          100 * gemm_share, 100 * (gemm_share + bwd_attn / total));
  if (vat)
    printf ("variation-aware (gamma 2), %d steps interleaved with %d standard ones: %.3f s per "
            "step vs %.3f s standard (%.2fx); one epoch of 60,000 images: %.0f s vs %.0f s "
            "(training steps only)\n", steps, steps, vat_s / steps, plain_s / steps,
            vat_s / plain_s, vat_s / steps * 60000.0 / batch, plain_s / steps * 60000.0 / batch);
  return VITX_EXIT_OK;
}
