/* xbar-test-common.h: small models and datasets shared by the crossbar tests */
#pragma once

#include <math.h>
#include <string.h>

#include "vx-dataset.h"
#include "vx-model.h"
#include "vx-rng.h"

/* A small ViT: 16x16 grey images, patch 4 (17 tokens), dim 32, `heads` heads,
 * `depth` blocks, MLP 64, 10 classes. Random weights scaled up from timm's
 * std 0.02 to 0.2 so attention is far from uniform and K/V are not tiny. */
static inline VxModel *
xbar_test_model (int depth, int heads, guint64 seed)
{
  VxArch a = { 16, 4, 1, 10, 32, depth, heads, 64, 0, 1e-6f };
  VxModel *m = vx_model_new (&a, NULL);
  g_assert_nonnull (m);
  vx_model_init_random (m, seed);
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&a, &n);
  for (int i = 0; i < n; i++)
    {
      float *p = m->params.mem + t[i].offset;
      gboolean is_norm_w = strstr (t[i].name, "norm") && strstr (t[i].name, "weight");
      if (is_norm_w)
        continue;
      for (size_t j = 0; j < t[i].numel; j++)
        p[j] *= 10.0f;
      /* non-zero biases, so no product is exactly symmetric */
      if (t[i].ndim == 1)
        {
          VxRng r;
          vx_rng_init (&r, vx_rng_key (seed, 77, i, -1, -1));
          for (size_t j = 0; j < t[i].numel; j++)
            p[j] = 0.1f * vx_rng_normal (&r);
        }
    }
  return m;
}

/* n random 16x16 grey images with random labels; if dup >= 0, image dup is a
 * copy of image 0 */
static inline VxDataset *
xbar_test_dataset (int n, guint64 seed, int dup)
{
  VxDataset *ds = g_new0 (VxDataset, 1);
  ds->n = n;
  ds->channels = 1;
  ds->height = ds->width = 16;
  ds->num_classes = 10;
  ds->pixels = g_new (guint8, (size_t) n * 256);
  ds->labels = g_new (int32_t, n);
  ds->class_names = g_new0 (char *, 11);
  for (int k = 0; k < 10; k++)
    ds->class_names[k] = g_strdup_printf ("c%d", k);
  ds->source = g_strdup ("synthetic test images");
  VxRng r;
  vx_rng_init (&r, vx_rng_key (seed, 99, -1, -1, -1));
  for (size_t i = 0; i < (size_t) n * 256; i++)
    ds->pixels[i] = (guint8) vx_rng_below (&r, 256);
  for (int i = 0; i < n; i++)
    ds->labels[i] = (int32_t) vx_rng_below (&r, 10);
  if (dup >= 0 && dup < n)
    memcpy (ds->pixels + (size_t) dup * 256, ds->pixels, 256);
  return ds;
}

/* standard deviation of a sample */
static inline double
xbar_test_std (const double *x, size_t n, double *mean_out)
{
  double m = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++)
    m += x[i];
  m /= n;
  for (size_t i = 0; i < n; i++)
    s += (x[i] - m) * (x[i] - m);
  if (mean_out)
    *mean_out = m;
  return sqrt (s / (n - 1));
}

/* largest |a - b| over n floats */
static inline double
xbar_test_max_diff (const float *a, const float *b, size_t n)
{
  double d = 0.0;
  for (size_t i = 0; i < n; i++)
    d = fmax (d, fabs ((double) a[i] - b[i]));
  return d;
}

static inline double
xbar_test_max_abs (const float *a, size_t n)
{
  double d = 0.0;
  for (size_t i = 0; i < n; i++)
    d = fmax (d, fabs ((double) a[i]));
  return d;
}
