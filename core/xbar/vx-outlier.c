/* vx-outlier.c: the function-preserving K/V outlier transform of a model copy */
#define G_LOG_DOMAIN "vx-outlier"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-outlier.h"

void
vx_outlier_opts_init (VxOutlierOpts *o)
{
  o->scale = 32.0;
  o->channels = 2;
  o->blocks = 0;
  o->keys = TRUE;
  o->values = TRUE;
}

gboolean
vx_outlier_opts_validate (const VxOutlierOpts *o, const VxArch *a, GError **error)
{
  int Dh = vx_arch_head_dim (a);
  if (!(isfinite (o->scale) && o->scale >= 1.0 && o->scale <= 64.0))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "outlier transform: scale s = %g is outside [1, 64]", o->scale);
      return FALSE;
    }
  if (o->channels < 0 || o->channels > Dh)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "outlier transform: %d channels per head is outside 0..%d (the head dim)",
                   o->channels, Dh);
      return FALSE;
    }
  if (a->depth < 64 && (o->blocks >> a->depth) != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "outlier transform: block mask 0x%" G_GINT64_MODIFIER "x names blocks beyond "
                   "the model's %d", o->blocks, a->depth);
      return FALSE;
    }
  return TRUE;
}

/* squared L2 norm of qkv row `row` (D weights) and its bias */
static double
row_norm2 (const VxBlockParams *bp, int D, int row)
{
  const float *w = bp->qkv_w + (size_t) row * D;
  double s = (double) bp->qkv_b[row] * bp->qkv_b[row];
  for (int j = 0; j < D; j++)
    s += (double) w[j] * w[j];
  return s;
}

void
vx_outlier_pick_channels (const VxModel *m, int block, int head, int kv, int c, int *out)
{
  const VxArch *a = &m->arch;
  int D = a->embed_dim, Dh = vx_arch_head_dim (a);
  const VxBlockParams *bp = &m->params.blocks[block];
  int base = (kv + 1) * D + head * Dh;
  g_autofree double *norm = g_new (double, Dh);
  g_autofree gboolean *taken = g_new0 (gboolean, Dh);
  for (int j = 0; j < Dh; j++)
    norm[j] = row_norm2 (bp, D, base + j);
  for (int i = 0; i < c; i++)
    {
      int best = -1;
      for (int j = 0; j < Dh; j++)
        if (!taken[j] && (best < 0 || norm[j] > norm[best]))
          best = j;
      taken[best] = TRUE;
      out[i] = best;
    }
}

static void
scale_row (float *w, float *b, int n, float f)
{
  for (int j = 0; j < n; j++)
    w[j] *= f;
  *b *= f;
}

static void
transform_block (VxModel *t, const VxModel *m, int l, const VxOutlierOpts *o)
{
  const VxArch *a = &m->arch;
  int D = a->embed_dim, H = a->num_heads, Dh = vx_arch_head_dim (a);
  VxBlockParams *bp = &t->params.blocks[l];
  float s = (float) o->scale, inv = (float) (1.0 / o->scale);
  g_autofree int *ch = g_new (int, MAX (1, o->channels));
  for (int h = 0; h < H; h++)
    {
      if (o->keys)
        {
          vx_outlier_pick_channels (m, l, h, 0, o->channels, ch);
          for (int i = 0; i < o->channels; i++)
            {
              int q = h * Dh + ch[i], k = D + q;
              scale_row (bp->qkv_w + (size_t) k * D, &bp->qkv_b[k], D, s);
              scale_row (bp->qkv_w + (size_t) q * D, &bp->qkv_b[q], D, inv);
            }
        }
      if (o->values)
        {
          vx_outlier_pick_channels (m, l, h, 1, o->channels, ch);
          for (int i = 0; i < o->channels; i++)
            {
              int col = h * Dh + ch[i], v = 2 * D + col;
              scale_row (bp->qkv_w + (size_t) v * D, &bp->qkv_b[v], D, s);
              /* proj (D, D): output o = sum_i att_i proj_w[o][i] */
              for (int r = 0; r < D; r++)
                bp->proj_w[(size_t) r * D + col] *= inv;
            }
        }
    }
}

VxModel *
vx_outlier_apply (const VxModel *m, const VxOutlierOpts *o, GError **error)
{
  if (!vx_outlier_opts_validate (o, &m->arch, error))
    return NULL;
  VxModel *t = vx_model_copy (m);
  for (int l = 0; l < m->arch.depth; l++)
    if (o->blocks == 0 || (l < 64 && (o->blocks >> l) & 1))
      transform_block (t, m, l, o);
  g_autofree char *blocks = o->blocks == 0
    ? g_strdup ("all") : g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", o->blocks);
  g_autofree char *meta = g_strdup_printf ("s=%g c=%d blocks=%s keys=%d values=%d", o->scale,
                                           o->channels, blocks, o->keys ? 1 : 0,
                                           o->values ? 1 : 0);
  vx_model_set_meta (t, "vitx.outlier", meta);
  return t;
}
