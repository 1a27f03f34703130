/* vx-model-io.c: ViT models to and from safetensors files in timm naming */
#define G_LOG_DOMAIN "vx-model-io"
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vx-error.h"
#include "vx-json.h"
#include "vx-model-io.h"
#include "vx-model-io-private.h"

static const float imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
static const float imagenet_std[3] = { 0.229f, 0.224f, 0.225f };

static const char *
st_name (const VxSafetensors *st)
{
  return st->path ? st->path : "safetensors data";
}

static char *
shape_to_string (int ndim, const int64_t *shape)
{
  GString *s = g_string_new ("(");
  for (int d = 0; d < ndim; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", shape[d]);
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

static VxTensor *
require_tensor (const VxSafetensors *st, const char *name, int ndim, GError **error)
{
  VxTensor *t = vx_safetensors_get (st, name);
  if (!t)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: tensor '%s' is missing, so the architecture cannot be inferred",
                   st_name (st), name);
      return NULL;
    }
  if (t->ndim != ndim)
    {
      g_autofree char *found = shape_to_string (t->ndim, t->shape);
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: tensor '%s' should have %d dimensions, found shape %s",
                   st_name (st), name, ndim, found);
      return NULL;
    }
  for (int d = 0; d < ndim; d++)
    if (t->shape[d] <= 0 || t->shape[d] > G_MAXINT)
      {
        g_autofree char *found = shape_to_string (t->ndim, t->shape);
        g_set_error (error, VX_ERROR, VX_ERROR_SHAPE, "%s: tensor '%s' has an unusable shape %s",
                     st_name (st), name, found);
        return NULL;
      }
  return t;
}

/* The architecture from shapes. heads_required: fail when D is not a
 * multiple of 64 (no DeiT convention to fall back on); otherwise leave
 * num_heads 0 for the caller to fill from metadata. */
static gboolean
infer_arch (const VxSafetensors *st, VxArch *a, gboolean heads_required, GError **error)
{
  const char *name = st_name (st);
  memset (a, 0, sizeof *a);
  a->ln_eps = 1e-6f;

  VxTensor *pw = require_tensor (st, "patch_embed.proj.weight", 4, error); /* (D, C, P, P) */
  if (!pw)
    return FALSE;
  if (pw->shape[2] != pw->shape[3])
    {
      g_autofree char *found = shape_to_string (pw->ndim, pw->shape);
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: tensor 'patch_embed.proj.weight' has non-square patches %s", name, found);
      return FALSE;
    }
  a->embed_dim = (int) pw->shape[0];
  a->in_chans = (int) pw->shape[1];
  a->patch_size = (int) pw->shape[2];
  a->distilled = vx_safetensors_get (st, "dist_token") ? 1 : 0;

  /* depth: one more than the highest N of any blocks.N.* tensor */
  int depth = 0;
  for (guint i = 0; i < st->tensors->len; i++)
    {
      const VxTensor *t = st->tensors->pdata[i];
      if (!g_str_has_prefix (t->name, "blocks."))
        continue;
      char *end = NULL;
      errno = 0;
      long l = strtol (t->name + 7, &end, 10);
      if (errno == 0 && end != t->name + 7 && *end == '.' && l >= 0 && l < 100000)
        depth = MAX (depth, (int) l + 1);
    }
  if (depth == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: no blocks.N.* tensors, so the depth cannot be inferred", name);
      return FALSE;
    }
  a->depth = depth;

  VxTensor *fc1 = require_tensor (st, "blocks.0.mlp.fc1.weight", 2, error); /* (F, D) */
  VxTensor *head = fc1 ? require_tensor (st, "head.weight", 2, error) : NULL; /* (K, D) */
  VxTensor *pos = head ? require_tensor (st, "pos_embed", 3, error) : NULL; /* (1, N, D) */
  if (!pos)
    return FALSE;
  a->mlp_hidden = (int) fc1->shape[0];
  a->num_classes = (int) head->shape[0];

  /* S from the token count: N = (S/P)^2 + 1 (+1 distilled) */
  int64_t np = pos->shape[1] - 1 - a->distilled;
  int64_t grid = (int64_t) llround (sqrt ((double) MAX (np, 0)));
  if (np <= 0 || grid * grid != np || grid * a->patch_size > G_MAXINT)
    {
      g_autofree char *found = shape_to_string (pos->ndim, pos->shape);
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: tensor 'pos_embed' %s does not hold a square grid of patches plus %d "
                   "extra token(s)", name, found, 1 + a->distilled);
      return FALSE;
    }
  a->img_size = (int) (grid * a->patch_size);

  if (a->embed_dim % 64 == 0)
    a->num_heads = a->embed_dim / 64;
  else if (heads_required)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: cannot infer the number of heads: embedding dim %d is not a multiple "
                   "of 64 (DeiT's head size); store it as __metadata__ vitx.num_heads",
                   name, a->embed_dim);
      return FALSE;
    }
  return TRUE;
}

gboolean
vx_arch_infer (const VxSafetensors *st, VxArch *out, GError **error)
{
  g_return_val_if_fail (st != NULL && out != NULL, FALSE);
  VxArch a;
  if (!infer_arch (st, &a, TRUE, error))
    return FALSE;
  if (!vx_arch_validate (&a, error))
    {
      g_prefix_error (error, "%s: ", st_name (st));
      return FALSE;
    }
  *out = a;
  return TRUE;
}

/* ---- metadata ------------------------------------------------------------------- */

static gboolean
meta_int (const VxSafetensors *st, const char *key, int *out, GError **error)
{
  const char *s = g_hash_table_lookup (st->metadata, key);
  if (!s)
    return TRUE;
  gint64 v = 0;
  g_autoptr (GError) perr = NULL;
  if (!g_ascii_string_to_signed (s, 10, 0, G_MAXINT, &v, &perr))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ %s = '%s' is not a non-negative integer", st_name (st), key, s);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

/* the architecture: metadata where present, shapes elsewhere */
static gboolean
arch_from_file (const VxSafetensors *st, VxArch *a, GError **error)
{
  if (!infer_arch (st, a, FALSE, error))
    return FALSE;
  struct { const char *key; int *field; } keys[] = {
    { "vitx.img_size", &a->img_size }, { "vitx.patch_size", &a->patch_size },
    { "vitx.in_chans", &a->in_chans }, { "vitx.num_classes", &a->num_classes },
    { "vitx.embed_dim", &a->embed_dim }, { "vitx.depth", &a->depth },
    { "vitx.num_heads", &a->num_heads }, { "vitx.mlp_hidden", &a->mlp_hidden },
    { "vitx.distilled", &a->distilled },
  };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!meta_int (st, keys[i].key, keys[i].field, error))
      return FALSE;
  const char *eps = g_hash_table_lookup (st->metadata, "vitx.ln_eps");
  if (eps)
    {
      char *end = NULL;
      double v = g_ascii_strtod (eps, &end);
      if (end == eps || *end != '\0' || !(v > 0 && v < 1))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: __metadata__ vitx.ln_eps = '%s' is not a number in (0, 1)",
                       st_name (st), eps);
          return FALSE;
        }
      a->ln_eps = (float) v;
    }
  if (a->num_heads == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: cannot infer the number of heads: embedding dim %d is not a multiple "
                   "of 64 (DeiT's head size); store it as __metadata__ vitx.num_heads",
                   st_name (st), a->embed_dim);
      return FALSE;
    }
  if (!vx_arch_validate (a, error))
    {
      g_prefix_error (error, "%s: ", st_name (st));
      return FALSE;
    }
  return TRUE;
}

/* "a,b,c" with exactly n finite floats */
static gboolean
parse_floats (const char *s, int n, float *out, gboolean positive)
{
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  if ((int) g_strv_length (parts) != n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      char *p = g_strstrip (parts[i]);
      char *end = NULL;
      double v = g_ascii_strtod (p, &end);
      if (end == p || *end != '\0' || !isfinite (v) || (positive && !(v > 0)))
        return FALSE;
      out[i] = (float) v;
    }
  return TRUE;
}

static gboolean
normalisation_from_file (VxModel *m, const VxSafetensors *st, GError **error)
{
  int C = m->arch.in_chans;
  if (C == 3)
    {
      memcpy (m->mean, imagenet_mean, sizeof m->mean);
      memcpy (m->std, imagenet_std, sizeof m->std);
    }
  else
    {
      /* other channel counts: ImageNet's statistics averaged over RGB, as timm
       * does for single-channel models */
      for (int c = 0; c < 3; c++)
        {
          m->mean[c] = (imagenet_mean[0] + imagenet_mean[1] + imagenet_mean[2]) / 3.f;
          m->std[c] = (imagenet_std[0] + imagenet_std[1] + imagenet_std[2]) / 3.f;
        }
    }
  if (C > 3)
    return TRUE;   /* the struct holds three; more channels keep the averaged defaults */

  const char *keys[2] = { "vitx.mean", "vitx.std" };
  float *dst[2] = { m->mean, m->std };
  for (int k = 0; k < 2; k++)
    {
      const char *s = g_hash_table_lookup (st->metadata, keys[k]);
      if (!s)
        continue;
      float v[3];
      if (!parse_floats (s, C, v, k == 1))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: __metadata__ %s = '%s' is not %d comma-separated %s numbers",
                       st_name (st), keys[k], s, C, k == 1 ? "positive" : "finite");
          return FALSE;
        }
      for (int c = 0; c < 3; c++)
        dst[k][c] = v[MIN (c, C - 1)];
    }
  return TRUE;
}

static gboolean
class_names_from_file (VxModel *m, const VxSafetensors *st, GError **error)
{
  const char *s = g_hash_table_lookup (st->metadata, "vitx.class_names");
  if (!s)
    return TRUE;
  int K = m->arch.num_classes;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root = NULL;
  /* a flat array; the depth check keeps a string of 10^5 '[' from overflowing
   * json-glib's recursive parser (found by tests/test-cli-hostile.sh) */
  if (vx_json_load (parser, s, -1, 2, NULL))
    root = json_parser_get_root (parser);
  JsonArray *arr = root && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;
  if (!arr || (int) json_array_get_length (arr) != K)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ vitx.class_names is not a JSON array of %d strings",
                   st_name (st), K);
      return FALSE;
    }
  char **names = g_new0 (char *, K + 1);
  for (int k = 0; k < K; k++)
    {
      JsonNode *n = json_array_get_element (arr, k);
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        {
          g_strfreev (names);
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: __metadata__ vitx.class_names[%d] is not a string", st_name (st), k);
          return FALSE;
        }
      names[k] = g_strdup (json_node_get_string (n));
    }
  g_strfreev (m->class_names);
  m->class_names = names;
  return TRUE;
}

/* ---- tensors ---------------------------------------------------------------------- */

/* Every tensor of the architecture present with its shape, and nothing else.
 * Checked before the model is allocated, so metadata that claims a huge
 * architecture costs nothing unless the file really holds its tensors. */
static gboolean
check_tensors (const VxArch *a, const VxSafetensors *st, GError **error)
{
  int n = 0;
  g_autofree VxParamInfo *table = vx_params_table (a, &n);
  g_autoptr (GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);

  for (int i = 0; i < n; i++)
    {
      const VxParamInfo *p = &table[i];
      g_hash_table_add (expected, (gpointer) p->name);
      g_autofree char *want = shape_to_string (p->ndim, p->shape);
      VxTensor *t = vx_safetensors_get (st, p->name);
      if (!t)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                       "%s: tensor '%s' of shape %s is missing", st_name (st), p->name, want);
          return FALSE;
        }
      gboolean same = t->ndim == p->ndim;
      for (int d = 0; same && d < p->ndim; d++)
        same = t->shape[d] == p->shape[d];
      if (!same)
        {
          g_autofree char *found = shape_to_string (t->ndim, t->shape);
          g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                       "%s: tensor '%s' has shape %s, the architecture needs %s",
                       st_name (st), p->name, found, want);
          return FALSE;
        }
    }

  /* A tensor this engine does not know (layer scale, fc_norm, ...) would be
   * silently ignored and give wrong results, so it is an error. */
  for (guint i = 0; i < st->tensors->len; i++)
    {
      const VxTensor *t = st->tensors->pdata[i];
      if (!g_hash_table_contains (expected, t->name))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                       "%s: tensor '%s' is not part of a ViT/DeiT of this architecture "
                       "(depth %d%s)", st_name (st), t->name, a->depth,
                       a->distilled ? ", distilled" : "");
          return FALSE;
        }
    }
  return TRUE;
}

static void
copy_tensors (VxModel *m, const VxSafetensors *st)
{
  int n = 0;
  g_autofree VxParamInfo *table = vx_params_table (&m->arch, &n);
  for (int i = 0; i < n; i++)
    {
      const VxTensor *t = vx_safetensors_get (st, table[i].name);
      g_assert (t && (size_t) t->numel == table[i].numel);
      if (table[i].numel)
        memcpy (m->params.mem + table[i].offset, t->data, sizeof (float) * table[i].numel);
    }
}

VxModel *
vx_model_from_safetensors (const VxSafetensors *st, GError **error)
{
  g_return_val_if_fail (st != NULL, NULL);
  VxArch a;
  if (!arch_from_file (st, &a, error))
    return NULL;
  if (!check_tensors (&a, st, error))
    return NULL;
  g_autoptr (VxModel) m = vx_model_new (&a, error);
  if (!m)
    {
      g_prefix_error (error, "%s: ", st_name (st));
      return NULL;
    }
  m->path = g_strdup (st->path);
  copy_tensors (m, st);
  if (!vx_model_check_finite (m, error))
    return NULL;

  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, st->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    vx_model_set_meta (m, k, v);
  if (!normalisation_from_file (m, st, error) || !class_names_from_file (m, st, error))
    return NULL;
  return g_steal_pointer (&m);
}

VxModel *
vx_model_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, error);
  if (!st)
    return NULL;
  return vx_model_from_safetensors (st, error);
}

/* ---- saving --------------------------------------------------------------------- */

static char *
floats_to_string (const float *v, int n)
{
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int i = 0; i < n; i++)
    {
      /* %.9g round-trips every float exactly */
      g_ascii_formatd (buf, sizeof buf, "%.9g", (double) v[i]);
      g_string_append_printf (s, "%s%s", i ? "," : "", buf);
    }
  return g_string_free (s, FALSE);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char *
class_names_to_json (char **names)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  for (int k = 0; names[k]; k++)
    json_builder_add_string_value (b, names[k]);
  json_builder_end_array (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

void
_vx_model_meta_add_arch (GHashTable *meta, const VxModel *m)
{
  const VxArch *a = &m->arch;
  struct { const char *key; int value; } ints[] = {
    { "vitx.img_size", a->img_size }, { "vitx.patch_size", a->patch_size },
    { "vitx.in_chans", a->in_chans }, { "vitx.num_classes", a->num_classes },
    { "vitx.embed_dim", a->embed_dim }, { "vitx.depth", a->depth },
    { "vitx.num_heads", a->num_heads }, { "vitx.mlp_hidden", a->mlp_hidden },
    { "vitx.distilled", a->distilled },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    g_hash_table_insert (meta, g_strdup (ints[i].key), g_strdup_printf ("%d", ints[i].value));
  float eps = a->ln_eps;
  g_hash_table_insert (meta, g_strdup ("vitx.ln_eps"), floats_to_string (&eps, 1));
  int C = MIN (a->in_chans, 3);
  g_hash_table_insert (meta, g_strdup ("vitx.mean"), floats_to_string (m->mean, C));
  g_hash_table_insert (meta, g_strdup ("vitx.std"), floats_to_string (m->std, C));
  g_hash_table_insert (meta, g_strdup ("vitx.class_names"), class_names_to_json (m->class_names));
}

gboolean
vx_model_save (const VxModel *m, const char *path, GError **error)
{
  g_return_val_if_fail (m != NULL && path != NULL, FALSE);
  const VxArch *a = &m->arch;
  if ((int) g_strv_length (m->class_names) != a->num_classes)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "%s: the model has %u class names for %d classes", path,
                   g_strv_length (m->class_names), a->num_classes);
      return FALSE;
    }

  /* every metadata entry, then the struct's own fields over it (they win);
   * keys sorted so the same model always gives the same file */
  g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, m->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (meta, g_strdup (k), g_strdup (v));
  _vx_model_meta_add_arch (meta, m);

  g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
  guint n_keys = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (meta, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    vx_safetensors_writer_meta (w, keys[i], g_hash_table_lookup (meta, keys[i]));

  int n = 0;
  g_autofree VxParamInfo *table = vx_params_table (a, &n);
  for (int i = 0; i < n; i++)
    vx_safetensors_writer_add (w, table[i].name, m->params.mem + table[i].offset,
                               table[i].ndim, table[i].shape);
  return vx_safetensors_writer_save (w, path, error);
}
