/* vx-checkpoint.c: saving and restoring a trainer (parameters, AdamW moments, recipe, position) */
#define G_LOG_DOMAIN "vx-checkpoint"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-model-io-private.h"
#include "vx-safetensors.h"
#include "vx-train-private.h"

#define MOMENT1_PREFIX "adam_m."
#define MOMENT2_PREFIX "adam_v."

/* Format version of the train.* keys; a reader refuses a newer one. */
#define CKPT_VERSION 1

static char *
double_to_string (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));   /* round-trips exactly */
}

static void
meta_take (GHashTable *meta, const char *key, char *value)
{
  g_hash_table_insert (meta, g_strdup (key), value);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

gboolean
vx_trainer_save_checkpoint (const VxTrainer *t, const char *path, GError **error)
{
  g_return_val_if_fail (t != NULL && path != NULL, FALSE);
  const VxModel *m = t->model;
  const VxTrainConfig *c = &t->cfg;

  /* the model's metadata, then its own fields, then the trainer's state */
  g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, m->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_str_has_prefix (k, VX_CKPT_PREFIX))
      g_hash_table_insert (meta, g_strdup (k), g_strdup (v));

  _vx_model_meta_add_arch (meta, m);
  struct { const char *key; int value; } ints[] = {
    { "train.version", CKPT_VERSION }, { "train.epoch", t->epoch },
    { "train.epochs", c->epochs }, { "train.batch", c->batch },
    { "train.augment", c->augment }, { "train.crop_pad", c->crop_pad },
    { "train.flip", c->flip }, { "train.eval_batch", c->eval_batch },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    meta_take (meta, ints[i].key, g_strdup_printf ("%d", ints[i].value));

  struct { const char *key; double value; } dbls[] = {
    { "train.lr", c->lr }, { "train.min_lr", c->min_lr },
    { "train.warmup_epochs", c->warmup_epochs }, { "train.weight_decay", c->weight_decay },
    { "train.beta1", c->beta1 }, { "train.beta2", c->beta2 }, { "train.adam_eps", c->adam_eps },
    { "train.label_smoothing", c->label_smoothing }, { "train.clip_norm", c->clip_norm },
    { "train.wall_time_s", t->wall_time },
  };
  for (guint i = 0; i < G_N_ELEMENTS (dbls); i++)
    meta_take (meta, dbls[i].key, double_to_string (dbls[i].value));
  meta_take (meta, "train.seed", g_strdup_printf ("%" G_GUINT64_FORMAT, c->seed));
  meta_take (meta, "train.step", g_strdup_printf ("%" G_GINT64_FORMAT, t->step));
  /* every draw is keyed by (seed, purpose, epoch, image) with its counter at 0,
   * so the next epoch's index is the whole position of the random streams */
  meta_take (meta, "train.rng_position",
             g_strdup_printf ("epoch %d of streams train-shuffle, train-augment", t->epoch));

  g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
  guint n_keys = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (meta, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    vx_safetensors_writer_meta (w, keys[i], g_hash_table_lookup (meta, keys[i]));

  for (int i = 0; i < t->n_tensors; i++)
    {
      const VxParamInfo *p = &t->table[i];
      g_autofree char *mname = g_strconcat (MOMENT1_PREFIX, p->name, NULL);
      g_autofree char *vname = g_strconcat (MOMENT2_PREFIX, p->name, NULL);
      vx_safetensors_writer_add (w, p->name, m->params.mem + p->offset, p->ndim, p->shape);
      vx_safetensors_writer_add (w, mname, t->adam_m + p->offset, p->ndim, p->shape);
      vx_safetensors_writer_add (w, vname, t->adam_v + p->offset, p->ndim, p->shape);
    }
  return vx_safetensors_writer_save (w, path, error);
}

/* ---- restoring ------------------------------------------------------------------------ */

static const char *
meta_string (const VxSafetensors *st, const char *key, GError **error)
{
  const char *s = g_hash_table_lookup (st->metadata, key);
  if (!s)
    g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                 "%s: not a training checkpoint: __metadata__ has no '%s'", st->path, key);
  return s;
}

static gboolean
meta_int64 (const VxSafetensors *st, const char *key, int64_t lo, int64_t hi, int64_t *out,
            GError **error)
{
  const char *s = meta_string (st, key, error);
  if (!s)
    return FALSE;
  gint64 v;
  if (!g_ascii_string_to_signed (s, 10, lo, hi, &v, NULL))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ %s = '%s' is not an integer in %" G_GINT64_FORMAT
                   "..%" G_GINT64_FORMAT, st->path, key, s, lo, hi);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
meta_int (const VxSafetensors *st, const char *key, int lo, int hi, int *out, GError **error)
{
  int64_t v;
  if (!meta_int64 (st, key, lo, hi, &v, error))
    return FALSE;
  *out = (int) v;
  return TRUE;
}

static gboolean
meta_double (const VxSafetensors *st, const char *key, double *out, GError **error)
{
  const char *s = meta_string (st, key, error);
  if (!s)
    return FALSE;
  char *end = NULL;
  double v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0' || !isfinite (v))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ %s = '%s' is not a finite number", st->path, key, s);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
read_recipe (const VxSafetensors *st, VxTrainConfig *c, int *epoch, int64_t *step,
             double *wall, GError **error)
{
  int version = 0;
  if (!meta_int (st, "train.version", 1, G_MAXINT, &version, error))
    return FALSE;
  if (version > CKPT_VERSION)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: checkpoint format %d is newer than this program's (%d)",
                   st->path, version, CKPT_VERSION);
      return FALSE;
    }
  vx_train_config_init (c);
  const char *seed = meta_string (st, "train.seed", error);
  guint64 seed_v = 0;
  if (!seed)
    return FALSE;
  if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXUINT64, &seed_v, NULL))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ train.seed = '%s' is not an unsigned integer", st->path, seed);
      return FALSE;
    }
  c->seed = seed_v;
  return meta_int (st, "train.epochs", 1, G_MAXINT, &c->epochs, error)
         && meta_int (st, "train.batch", 1, 65536, &c->batch, error)
         && meta_int (st, "train.augment", 0, 1, &c->augment, error)
         && meta_int (st, "train.crop_pad", 0, 4096, &c->crop_pad, error)
         && meta_int (st, "train.flip", 0, 1, &c->flip, error)
         && meta_int (st, "train.eval_batch", 1, 65536, &c->eval_batch, error)
         && meta_double (st, "train.lr", &c->lr, error)
         && meta_double (st, "train.min_lr", &c->min_lr, error)
         && meta_double (st, "train.warmup_epochs", &c->warmup_epochs, error)
         && meta_double (st, "train.weight_decay", &c->weight_decay, error)
         && meta_double (st, "train.beta1", &c->beta1, error)
         && meta_double (st, "train.beta2", &c->beta2, error)
         && meta_double (st, "train.adam_eps", &c->adam_eps, error)
         && meta_double (st, "train.label_smoothing", &c->label_smoothing, error)
         && meta_double (st, "train.clip_norm", &c->clip_norm, error)
         && meta_double (st, "train.wall_time_s", wall, error)
         && meta_int (st, "train.epoch", 0, c->epochs, epoch, error)
         && meta_int64 (st, "train.step", 0, G_MAXINT64, step, error);
}

/* Move the optimiser's tensors (names with a moment prefix) out of st into a
 * table name -> GBytes of the floats, so that st then holds only the model. */
static GHashTable *
take_moments (VxSafetensors *st)
{
  GHashTable *moments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < st->tensors->len;)
    {
      VxTensor *t = st->tensors->pdata[i];
      if (!g_str_has_prefix (t->name, MOMENT1_PREFIX) && !g_str_has_prefix (t->name, MOMENT2_PREFIX))
        {
          i++;
          continue;
        }
      g_hash_table_insert (moments, g_strdup (t->name),
                           g_bytes_new (t->data, sizeof (float) * (size_t) t->numel));
      g_hash_table_remove (st->by_name, t->name);
      g_ptr_array_remove_index (st->tensors, i);
    }
  return moments;
}

/* dst (the parameters' layout) from the moment tensors of `prefix` */
static gboolean
restore_moments (GHashTable *moments, const VxParamInfo *table, int n, const char *prefix,
                 float *dst, const char *path, GError **error)
{
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = g_strconcat (prefix, table[i].name, NULL);
      GBytes *data = g_hash_table_lookup (moments, name);
      if (!data || g_bytes_get_size (data) != sizeof (float) * table[i].numel)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: optimiser tensor '%s' is %s",
                       path, name, data ? "the wrong size" : "missing");
          return FALSE;
        }
      memcpy (dst + table[i].offset, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    }
  return TRUE;
}

VxTrainer *
vx_trainer_load_checkpoint (const char *path, int threads, VxModel **model_out, GError **error)
{
  g_return_val_if_fail (path != NULL && model_out != NULL, NULL);
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, error);
  if (!st)
    return NULL;

  VxTrainConfig cfg;
  int epoch = 0;
  int64_t step = 0;
  double wall = 0.0;
  if (!read_recipe (st, &cfg, &epoch, &step, &wall, error))
    return NULL;
  cfg.threads = threads;

  g_autoptr (GHashTable) moments = take_moments (st);
  g_autoptr (VxModel) model = vx_model_from_safetensors (st, error);
  if (!model)
    return NULL;
  /* the recipe and position belong to the trainer, not to the model */
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, model->metadata);
  while (g_hash_table_iter_next (&it, &k, NULL))
    if (g_str_has_prefix (k, VX_CKPT_PREFIX))
      g_hash_table_iter_remove (&it);

  VxTrainer *t = vx_trainer_new (model, &cfg, error);
  if (!t)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!restore_moments (moments, t->table, t->n_tensors, MOMENT1_PREFIX, t->adam_m, path, error)
      || !restore_moments (moments, t->table, t->n_tensors, MOMENT2_PREFIX, t->adam_v, path, error))
    {
      vx_trainer_free (t);
      return NULL;
    }
  t->epoch = epoch;
  t->step = step;
  t->wall_time = wall;
  *model_out = g_steal_pointer (&model);
  return t;
}
