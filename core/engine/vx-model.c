/* vx-model.c: architecture, parameter layout and model objects */
#define G_LOG_DOMAIN "vx-model"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-model.h"
#include "vx-rng.h"

int
vx_arch_num_patches (const VxArch *a)
{
  int g = a->img_size / a->patch_size;
  return g * g;
}

int
vx_arch_num_tokens (const VxArch *a)
{
  return vx_arch_num_patches (a) + 1 + (a->distilled ? 1 : 0);
}

int
vx_arch_head_dim (const VxArch *a)
{
  return a->embed_dim / a->num_heads;
}

gboolean
vx_arch_validate (const VxArch *a, GError **error)
{
  struct { const char *name; int value; int max; } f[] = {
    { "img_size", a->img_size, 4096 },
    { "patch_size", a->patch_size, 1024 },
    { "in_chans", a->in_chans, 16 },
    { "num_classes", a->num_classes, 100000 },
    { "embed_dim", a->embed_dim, 16384 },
    { "depth", a->depth, 256 },
    { "num_heads", a->num_heads, 1024 },
    { "mlp_hidden", a->mlp_hidden, 65536 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    if (f[i].value <= 0 || f[i].value > f[i].max)
      {
        g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                     "architecture: %s = %d is outside 1..%d", f[i].name, f[i].value, f[i].max);
        return FALSE;
      }
  if (a->img_size % a->patch_size != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "architecture: image size %d is not a multiple of the patch size %d",
                   a->img_size, a->patch_size);
      return FALSE;
    }
  if (a->embed_dim % a->num_heads != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "architecture: embedding dim %d is not divisible by %d heads",
                   a->embed_dim, a->num_heads);
      return FALSE;
    }
  if (a->distilled != 0 && a->distilled != 1)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "architecture: distilled must be 0 or 1, not %d", a->distilled);
      return FALSE;
    }
  if (!(a->ln_eps > 0.f && a->ln_eps < 1.f))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "architecture: LayerNorm eps %g is outside (0, 1)", (double) a->ln_eps);
      return FALSE;
    }
  if ((double) vx_params_count (a) > 4e9)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "architecture: %.3g parameters is more than this program handles",
                   (double) vx_params_count (a));
      return FALSE;
    }
  return TRUE;
}

double
vx_arch_flops_per_image (const VxArch *a)
{
  double N = vx_arch_num_tokens (a), Np = vx_arch_num_patches (a);
  double D = a->embed_dim, F = a->mlp_hidden, C = a->in_chans, P = a->patch_size;
  double T = a->distilled ? 2 : 1;
  double macs = Np * C * P * P * D;                 /* patch embedding */
  macs += a->depth * (N * D * 3 * D                  /* qkv */
                      + 2 * N * N * D                /* q k^T and s v over all heads */
                      + N * D * D                    /* projection */
                      + 2 * N * D * F);              /* MLP */
  macs += T * D * a->num_classes;                    /* head(s) */
  return 2.0 * macs;
}

/* ---- parameter table ------------------------------------------------------ */

typedef struct {
  GArray *infos;
  size_t offset;
} TableBuilder;

static void
add_param (TableBuilder *tb, const char *name, gboolean decay, int ndim,
           int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
  VxParamInfo info = { 0 };
  int64_t dims[4] = { d0, d1, d2, d3 };
  g_strlcpy (info.name, name, sizeof info.name);
  info.ndim = ndim;
  info.numel = 1;
  for (int i = 0; i < ndim; i++)
    {
      info.shape[i] = dims[i];
      info.numel *= (size_t) dims[i];
    }
  info.offset = tb->offset;
  info.decay = decay;
  tb->offset += info.numel;
  g_array_append_val (tb->infos, info);
}

VxParamInfo *
vx_params_table (const VxArch *a, int *n_out)
{
  TableBuilder tb = { g_array_new (FALSE, TRUE, sizeof (VxParamInfo)), 0 };
  int64_t D = a->embed_dim, F = a->mlp_hidden, K = a->num_classes;
  int64_t N = vx_arch_num_tokens (a);
  char name[64];

  add_param (&tb, "patch_embed.proj.weight", TRUE, 4, D, a->in_chans, a->patch_size, a->patch_size);
  add_param (&tb, "patch_embed.proj.bias", FALSE, 1, D, 0, 0, 0);
  add_param (&tb, "cls_token", FALSE, 3, 1, 1, D, 0);
  if (a->distilled)
    add_param (&tb, "dist_token", FALSE, 3, 1, 1, D, 0);
  add_param (&tb, "pos_embed", FALSE, 3, 1, N, D, 0);
  for (int l = 0; l < a->depth; l++)
    {
#define BLK(suffix, decay, nd, d0, d1) \
      g_snprintf (name, sizeof name, "blocks.%d." suffix, l); \
      add_param (&tb, name, decay, nd, d0, d1, 0, 0)
      BLK ("norm1.weight", FALSE, 1, D, 0);
      BLK ("norm1.bias", FALSE, 1, D, 0);
      BLK ("attn.qkv.weight", TRUE, 2, 3 * D, D);
      BLK ("attn.qkv.bias", FALSE, 1, 3 * D, 0);
      BLK ("attn.proj.weight", TRUE, 2, D, D);
      BLK ("attn.proj.bias", FALSE, 1, D, 0);
      BLK ("norm2.weight", FALSE, 1, D, 0);
      BLK ("norm2.bias", FALSE, 1, D, 0);
      BLK ("mlp.fc1.weight", TRUE, 2, F, D);
      BLK ("mlp.fc1.bias", FALSE, 1, F, 0);
      BLK ("mlp.fc2.weight", TRUE, 2, D, F);
      BLK ("mlp.fc2.bias", FALSE, 1, D, 0);
#undef BLK
    }
  add_param (&tb, "norm.weight", FALSE, 1, D, 0, 0, 0);
  add_param (&tb, "norm.bias", FALSE, 1, D, 0, 0, 0);
  add_param (&tb, "head.weight", TRUE, 2, K, D, 0, 0);
  add_param (&tb, "head.bias", FALSE, 1, K, 0, 0, 0);
  if (a->distilled)
    {
      add_param (&tb, "head_dist.weight", TRUE, 2, K, D, 0, 0);
      add_param (&tb, "head_dist.bias", FALSE, 1, K, 0, 0, 0);
    }
  *n_out = (int) tb.infos->len;
  return (VxParamInfo *) g_array_free (tb.infos, FALSE);
}

size_t
vx_params_count (const VxArch *a)
{
  size_t D = a->embed_dim, F = a->mlp_hidden, K = a->num_classes;
  size_t N = vx_arch_num_tokens (a), T = a->distilled ? 2 : 1;
  size_t per_block = 4 * D + 3 * D * D + 3 * D + D * D + D + F * D + F + D * F + D;
  return D * a->in_chans * a->patch_size * a->patch_size + D + T * D + N * D
         + a->depth * per_block + 2 * D + T * (K * D + K);
}

void
vx_params_bind (VxParams *p, const VxArch *a, float *mem)
{
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (a, &n);
  p->mem = mem;
  p->n = vx_params_count (a);
  p->blocks = g_new0 (VxBlockParams, a->depth);
  p->dist_token = p->head_dist_w = p->head_dist_b = NULL;

  int i = 0;
#define NEXT() (mem + t[i++].offset)
  p->patch_w = NEXT ();
  p->patch_b = NEXT ();
  p->cls_token = NEXT ();
  if (a->distilled)
    p->dist_token = NEXT ();
  p->pos_embed = NEXT ();
  for (int l = 0; l < a->depth; l++)
    {
      VxBlockParams *b = &p->blocks[l];
      b->norm1_w = NEXT ();
      b->norm1_b = NEXT ();
      b->qkv_w = NEXT ();
      b->qkv_b = NEXT ();
      b->proj_w = NEXT ();
      b->proj_b = NEXT ();
      b->norm2_w = NEXT ();
      b->norm2_b = NEXT ();
      b->fc1_w = NEXT ();
      b->fc1_b = NEXT ();
      b->fc2_w = NEXT ();
      b->fc2_b = NEXT ();
    }
  p->norm_w = NEXT ();
  p->norm_b = NEXT ();
  p->head_w = NEXT ();
  p->head_b = NEXT ();
  if (a->distilled)
    {
      p->head_dist_w = NEXT ();
      p->head_dist_b = NEXT ();
    }
#undef NEXT
  g_assert (i == n);
}

void
vx_params_unbind (VxParams *p)
{
  g_clear_pointer (&p->blocks, g_free);
}

/* ---- model objects ---------------------------------------------------------- */

static char **
default_class_names (int K)
{
  char **names = g_new0 (char *, K + 1);
  for (int k = 0; k < K; k++)
    names[k] = g_strdup_printf ("%d", k);
  return names;
}

VxModel *
vx_model_new (const VxArch *a, GError **error)
{
  if (!vx_arch_validate (a, error))
    return NULL;
  size_t n = vx_params_count (a);
  float *mem = g_try_new0 (float, n);
  if (!mem)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "cannot allocate %zu parameters (%.1f MB)", n, n * 4.0 / 1e6);
      return NULL;
    }
  VxModel *m = g_new0 (VxModel, 1);
  m->arch = *a;
  vx_params_bind (&m->params, a, mem);
  for (int c = 0; c < 3; c++)
    {
      m->mean[c] = 0.5f;
      m->std[c] = 0.5f;
    }
  m->class_names = default_class_names (a->num_classes);
  m->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return m;
}

void
vx_model_free (VxModel *m)
{
  if (!m)
    return;
  g_free (m->params.mem);
  vx_params_unbind (&m->params);
  g_strfreev (m->class_names);
  g_clear_pointer (&m->metadata, g_hash_table_unref);
  g_free (m->path);
  g_free (m);
}

VxModel *
vx_model_copy (const VxModel *m)
{
  VxModel *c = vx_model_new (&m->arch, NULL);
  g_assert (c);
  memcpy (c->params.mem, m->params.mem, sizeof (float) * m->params.n);
  memcpy (c->mean, m->mean, sizeof m->mean);
  memcpy (c->std, m->std, sizeof m->std);
  g_strfreev (c->class_names);
  c->class_names = g_strdupv (m->class_names);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, m->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (c->metadata, g_strdup (k), g_strdup (v));
  c->path = g_strdup (m->path);
  return c;
}

static float
trunc_normal (VxRng *r, float std)
{
  /* timm's trunc_normal_(std) truncates at +-2 (absolute); with std 0.02 that
   * never triggers, so this is a normal redrawn outside +-2 std. */
  for (;;)
    {
      float z = vx_rng_normal (r);
      if (fabsf (z) <= 2.f)
        return z * std;
    }
}

void
vx_model_init_random (VxModel *m, uint64_t seed)
{
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&m->arch, &n);
  for (int i = 0; i < n; i++)
    {
      float *p = m->params.mem + t[i].offset;
      VxRng r;
      vx_rng_init (&r, vx_rng_key (seed, vx_rng_tag ("init"), i, -1, -1));
      const char *name = t[i].name;
      gboolean is_norm_w = g_str_has_suffix (name, "norm1.weight") || g_str_has_suffix (name, "norm2.weight")
                           || strcmp (name, "norm.weight") == 0;
      if (is_norm_w)
        for (size_t j = 0; j < t[i].numel; j++)
          p[j] = 1.f;
      else if (t[i].ndim >= 2 || strstr (name, "token") || strstr (name, "pos_embed"))
        for (size_t j = 0; j < t[i].numel; j++)
          p[j] = trunc_normal (&r, 0.02f);
      else
        memset (p, 0, sizeof (float) * t[i].numel);
    }
}

const char *
vx_model_get_meta (const VxModel *m, const char *key)
{
  return g_hash_table_lookup (m->metadata, key);
}

void
vx_model_set_meta (VxModel *m, const char *key, const char *value)
{
  if (value)
    g_hash_table_insert (m->metadata, g_strdup (key), g_strdup (value));
  else
    g_hash_table_remove (m->metadata, key);
}

gboolean
vx_model_check_finite (const VxModel *m, GError **error)
{
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&m->arch, &n);
  for (int i = 0; i < n; i++)
    {
      const float *p = m->params.mem + t[i].offset;
      for (size_t j = 0; j < t[i].numel; j++)
        if (!isfinite (p[j]))
          {
            g_set_error (error, VX_ERROR, VX_ERROR_VALUE,
                         "%s: tensor %s has a non-finite value (%g) at element %zu",
                         m->path ? m->path : "model", t[i].name, (double) p[j], j);
            return FALSE;
          }
    }
  return TRUE;
}
