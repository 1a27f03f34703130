/* vx-eval.c: evaluating a model over a dataset */
#define G_LOG_DOMAIN "vx-eval"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-eval.h"

int
vx_argmax (const float *x, int n)
{
  int best = 0;
  for (int i = 1; i < n; i++)
    if (x[i] > x[best])
      best = i;
  return best;
}

void
vx_wilson_interval (int k, int n, double *lo, double *hi)
{
  if (n <= 0)
    {
      *lo = 0.0;
      *hi = 1.0;
      return;
    }
  const double z = 1.959963984540054;
  double p = (double) k / n, z2n = z * z / n;
  double centre = (p + z2n / 2) / (1 + z2n);
  double half = z * sqrt (p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
  *lo = MAX (0.0, centre - half);
  *hi = MIN (1.0, centre + half);
}

/* rank of the true class among the logits: 0 = top-1 */
static int
rank_of (const float *logits, int K, int label)
{
  int rank = 0;
  for (int k = 0; k < K; k++)
    if (logits[k] > logits[label] || (logits[k] == logits[label] && k < label))
      rank++;
  return rank;
}

gboolean
vx_eval_check_images (const VxModel *m, const VxDataset *ds, GError **error)
{
  const VxArch *a = &m->arch;
  if (ds->channels != a->in_chans || ds->height != a->img_size || ds->width != a->img_size)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: images are %dx%dx%d but the model expects %dx%dx%d",
                   ds->source ? ds->source : "dataset", ds->channels, ds->height, ds->width,
                   a->in_chans, a->img_size, a->img_size);
      return FALSE;
    }
  return TRUE;
}

gboolean
vx_eval_run (const VxModel *m, const VxDataset *ds, const VxEvalOpts *opts,
             VxEvalResult *r, GError **error)
{
  static const VxEvalOpts defaults = { 0 };
  const VxEvalOpts *o = opts ? opts : &defaults;
  const VxArch *a = &m->arch;
  int K = a->num_classes;

  memset (r, 0, sizeof *r);
  if (!vx_eval_check_images (m, ds, error))
    return FALSE;
  if (ds->num_classes > K)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: the dataset has %d classes but the model only %d",
                   ds->source ? ds->source : "dataset", ds->num_classes, K);
      return FALSE;
    }
  int n = o->limit > 0 ? MIN (o->limit, ds->n) : ds->n;
  if (n <= 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY, "%s: no images to evaluate",
                   ds->source ? ds->source : "dataset");
      return FALSE;
    }
  int batch = o->batch > 0 ? o->batch : 64;
  batch = MIN (batch, n);

  size_t img_floats = (size_t) a->in_chans * a->img_size * a->img_size;
  VxActs *acts = vx_acts_new (a, batch, FALSE);
  float *images = g_new (float, img_floats * batch);
  float *logits = g_new (float, (size_t) batch * K);

  r->num_classes = K;
  r->confusion = g_new0 (int, (size_t) K * K);
  r->predicted = g_new0 (int, n);
  if (o->keep_logits)
    r->logits = g_new (float, (size_t) n * K);

  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = TRUE;
  int64_t bi = MAX (o->resume_batch, 0);
  int first = (int) MIN (bi * batch, (int64_t) n);
  for (int start = first; start < n; start += batch, bi++)
    {
      if (o->cancelled && o->cancelled (o->user))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_CANCELLED, "evaluation cancelled");
          ok = FALSE;
          break;
        }
      int count = MIN (batch, n - start);
      if (o->batch_begin)
        o->batch_begin (o->user, bi, start, count);
      vx_dataset_fill_batch (ds, m, start, count, images);
      VxForwardOpts fo = { o->hooks, start, bi, o->threads };
      vx_model_forward (m, acts, images, count, logits, &fo);
      for (int i = 0; i < count; i++)
        {
          const float *li = logits + (size_t) i * K;
          int label = ds->labels[start + i];
          int pred = vx_argmax (li, K);
          int rank = rank_of (li, K, label);
          r->predicted[start + i] = pred;
          r->top1_correct += rank == 0;
          r->top5_correct += rank < 5;
          r->confusion[(size_t) label * K + pred]++;
          if (r->logits)
            memcpy (r->logits + (size_t) (start + i) * K, li, sizeof (float) * K);
        }
      r->n = start + count - first;
      if (o->batch_done)
        o->batch_done (o->user, bi, start, count, logits);
      if (o->progress)
        o->progress (o->user, start + count, n);
    }
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  r->images_per_s = r->seconds > 0 ? r->n / r->seconds : 0.0;
  if (r->n > 0)
    {
      r->top1 = (double) r->top1_correct / r->n;
      r->top5 = (double) r->top5_correct / r->n;
    }
  vx_wilson_interval (r->top1_correct, r->n, &r->top1_lo, &r->top1_hi);

  g_free (images);
  g_free (logits);
  vx_acts_free (acts);
  if (!ok)
    vx_eval_result_clear (r);
  return ok;
}

void
vx_eval_result_clear (VxEvalResult *r)
{
  g_clear_pointer (&r->confusion, g_free);
  g_clear_pointer (&r->logits, g_free);
  g_clear_pointer (&r->predicted, g_free);
}
