/* vx-optim.c: AdamW, gradient clipping, the learning-rate schedule and augmentation */
#define G_LOG_DOMAIN "vx-optim"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-rng.h"
#include "vx-train.h"

void
vx_train_config_init (VxTrainConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->epochs = 30;
  cfg->batch = 128;
  cfg->lr = 2e-3;
  cfg->min_lr = 1e-5;
  cfg->warmup_epochs = 1.0;
  cfg->weight_decay = 0.05;
  cfg->beta1 = 0.9;
  cfg->beta2 = 0.999;
  cfg->adam_eps = 1e-8;
  cfg->label_smoothing = 0.1;
  cfg->clip_norm = 1.0;
  cfg->seed = 0;
  cfg->augment = TRUE;
  cfg->crop_pad = 2;
  cfg->flip = TRUE;
  cfg->threads = 0;
  cfg->eval_batch = 256;
}

void
vx_train_init_torch (VxModel *m, uint64_t seed)
{
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&m->arch, &n);
  size_t fan_in = 1;
  for (int i = 0; i < n; i++)
    {
      const char *name = t[i].name;
      float *p = m->params.mem + t[i].offset;
      VxRng r;
      vx_rng_init (&r, vx_rng_key (seed, vx_rng_tag ("init-torch"), i, -1, -1));
      if (strstr (name, "norm"))
        {
          float v = g_str_has_suffix (name, ".weight") ? 1.0f : 0.0f;
          for (size_t j = 0; j < t[i].numel; j++)
            p[j] = v;
        }
      else if (strcmp (name, "cls_token") == 0 || strcmp (name, "dist_token") == 0)
        memset (p, 0, sizeof (float) * t[i].numel);
      else if (strcmp (name, "pos_embed") == 0)
        for (size_t j = 0; j < t[i].numel; j++)
          p[j] = 0.02f * vx_rng_normal (&r);
      else
        {
          /* a weight sets the fan-in for itself and the bias that follows it */
          if (t[i].ndim >= 2)
            fan_in = t[i].numel / (size_t) t[i].shape[0];
          float bound = (float) (1.0 / sqrt ((double) fan_in));
          for (size_t j = 0; j < t[i].numel; j++)
            p[j] = (2.0f * vx_rng_uniform (&r) - 1.0f) * bound;
        }
    }
}

double
vx_train_lr_at (const VxTrainConfig *cfg, int64_t step, int64_t steps_per_epoch)
{
  int64_t total = (int64_t) cfg->epochs * steps_per_epoch;
  int64_t warmup = (int64_t) llround (cfg->warmup_epochs * steps_per_epoch);
  warmup = CLAMP (warmup, 0, total);
  if (step < warmup)
    return cfg->lr * (double) (step + 1) / (double) warmup;
  int64_t decay_steps = total - warmup;
  if (decay_steps <= 1)
    return cfg->lr;
  double progress = (double) (step - warmup) / (double) (decay_steps - 1);
  progress = CLAMP (progress, 0.0, 1.0);
  return cfg->min_lr + 0.5 * (cfg->lr - cfg->min_lr) * (1.0 + cos (G_PI * progress));
}

double
vx_grad_global_norm (const float *g, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) g[i] * g[i];
  return sqrt (s);
}

double
vx_grad_clip (float *g, size_t n, double norm, double max_norm)
{
  if (max_norm > 0.0 && norm > max_norm)
    {
      float coef = (float) (max_norm / (norm + 1e-6));
      for (size_t i = 0; i < n; i++)
        g[i] *= coef;
    }
  return norm;
}

void
vx_adamw_step (float *params, const float *grads, float *m, float *v,
               const VxParamInfo *table, int n_tensors, int64_t step,
               const VxAdamWParams *hp, int threads)
{
  double bc1 = 1.0 - pow (hp->beta1, (double) step);
  double bc2 = 1.0 - pow (hp->beta2, (double) step);
  float step_size = (float) (hp->lr / bc1);
  float bc2_sqrt = (float) sqrt (bc2);
  float b1 = (float) hp->beta1, b2 = (float) hp->beta2, eps = (float) hp->eps;
  float one_minus_b1 = (float) (1.0 - hp->beta1), one_minus_b2 = (float) (1.0 - hp->beta2);
  int nt = threads > 0 ? threads : vx_get_num_threads ();

  for (int t = 0; t < n_tensors; t++)
    {
      float decay = table[t].decay ? (float) (1.0 - hp->lr * hp->weight_decay) : 1.0f;
      size_t off = table[t].offset;
      int64_t n = (int64_t) table[t].numel;
      float *p = params + off, *mt = m + off, *vt = v + off;
      const float *g = grads + off;
#pragma omp parallel for schedule(static) num_threads(nt) if(n > 16384)
      for (int64_t i = 0; i < n; i++)
        {
          float gi = g[i];
          p[i] *= decay;
          mt[i] = b1 * mt[i] + one_minus_b1 * gi;
          vt[i] = b2 * vt[i] + one_minus_b2 * gi * gi;
          float denom = sqrtf (vt[i]) / bc2_sqrt + eps;
          p[i] -= step_size * mt[i] / denom;
        }
    }
}

void
vx_augment_image (float *out, const float *in, int C, int S, int pad, const float *fill,
                  int dx, int dy, gboolean flip)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < S; y++)
      {
        int sy = y + dy - pad;
        float *row = out + ((size_t) c * S + y) * S;
        const float *src = in + ((size_t) c * S + (sy >= 0 && sy < S ? sy : 0)) * S;
        for (int x = 0; x < S; x++)
          {
            int cx = flip ? S - 1 - x : x;
            int sx = cx + dx - pad;
            row[x] = (sy >= 0 && sy < S && sx >= 0 && sx < S) ? src[sx] : fill[c];
          }
      }
}
