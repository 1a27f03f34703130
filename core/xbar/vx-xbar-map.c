/* vx-xbar-map.c: mapping (eq. 5, 6), quantisation, ClipFormer, noise (eq. 2, 3), decode */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "vx-xbar-private.h"

#ifdef XBAR_NO_CONTRACT
/* no fused multiply-adds in the AVX-512 clones (see XBAR_CLONES) */
#pragma GCC optimize ("fp-contract=off")
#endif

/* ---- levels and ClipFormer ---------------------------------------------------------- */

int
vx_xbar_levels (const VxXbarConfig *cfg)
{
  return (1 << cfg->weight_bits) - 1;
}

int
vx_xbar_bits_for_level (int max_level)
{
  int b = 1;
  while (b < 31 && ((1 << b) - 1) < max_level)
    b++;
  return b;
}

/* ClipFormer's parameters in level units (see vx-xbar-private.h): stage I
 * subtracts a = alpha G_min L / dG levels and floors at 0 (= G_min); stage II
 * caps at b = (beta G_max - G_min) L / dG; re-quantised to the nearest level,
 * never above floor(b), so the programmed conductance never exceeds beta G_max.
 * min(round(max(q - a, 0)), floor(b)) equals rounding min(max(q - a, 0), b) and
 * then capping at floor(b). */
static void
clip_params (XbarMap *mp, const VxXbarConfig *cfg)
{
  int L = vx_xbar_levels (cfg);
  double dG = cfg->g_max - cfg->g_min;
  mp->L = L;
  mp->Lf = (float) L;
  mp->renorm = 1.0f;
  if (!cfg->clipformer)
    {
      mp->clip_a = 0.f;
      mp->clip_top = (float) L;
      return;
    }
  mp->clip_a = (float) (cfg->alpha * cfg->g_min * L / dG);
  mp->clip_top = (float) floor ((cfg->beta * cfg->g_max - cfg->g_min) * L / dG + 1e-9);
}

int
vx_xbar_clipformer_level (const VxXbarConfig *cfg, int level)
{
  XbarMap mp;
  clip_params (&mp, cfg);
  return (int) xbar_kv_program ((float) level, mp.clip_a, mp.clip_top, mp.renorm);
}

int
vx_xbar_kv_max_level (const VxXbarConfig *cfg)
{
  return vx_xbar_clipformer_level (cfg, vx_xbar_levels (cfg));
}

int
vx_xbar_kv_bits (const VxXbarConfig *cfg)
{
  if (!cfg->clipformer || cfg->decode == VX_CLIP_DECODE_RENORMALISED)
    return cfg->weight_bits;
  return MIN (cfg->weight_bits, vx_xbar_bits_for_level (vx_xbar_kv_max_level (cfg)));
}

void
vx_xbar_clip_thresholds (const VxXbarConfig *cfg, double w_max, double *zeroed, double *clipped)
{
  double dG = cfg->g_max - cfg->g_min;
  /* G - G_min <= alpha G_min  <=>  |w| <= alpha G_min w_max / dG = alpha w_max / (r - 1) */
  if (zeroed)
    *zeroed = cfg->alpha * cfg->g_min * w_max / dG;
  /* G - alpha G_min > beta G_max  <=>  |w| > (beta G_max - G_min + alpha G_min) w_max / dG */
  if (clipped)
    *clipped = (cfg->beta * cfg->g_max - cfg->g_min + cfg->alpha * cfg->g_min) * w_max / dG;
}

void
_vx_xbar_map_init (XbarMap *mp, const VxXbarConfig *cfg)
{
  clip_params (mp, cfg);
  int L = mp->L;
  mp->g_min_l = (float) (L / (vx_xbar_config_onoff (cfg) - 1.0));
  mp->sigma_r = (float) cfg->sigma_r;
  mp->write_k = (float) (cfg->gamma * cfg->sigma_w * sqrt ((double) L));
  /* none: bounds no float passes, so the clamp changes no value */
  gboolean clamp = cfg->write_clamp == VX_WRITE_CLAMP_DEVICE;
  mp->write_lo = clamp ? 0.f : -FLT_MAX;
  mp->write_hi = clamp ? mp->Lf : FLT_MAX;
  mp->in_levels = (1 << (cfg->input_bits - 1)) - 1;
  mp->in_levels_u = (1 << cfg->input_bits) - 1;

  float top = xbar_kv_program (mp->Lf, mp->clip_a, mp->clip_top, 1.0f);  /* T(L), physical */
  gboolean renorm = cfg->clipformer && cfg->decode == VX_CLIP_DECODE_RENORMALISED;
  mp->renorm = renorm && top > 0.f ? mp->Lf / top : renorm ? 0.f : 1.0f;
  mp->kv_dec = renorm ? top / mp->Lf : 1.0f;
  mp->kv_lut = g_new (float, L + 1);
  for (int q = 0; q <= L; q++)
    mp->kv_lut[q] = xbar_kv_program ((float) q, mp->clip_a, mp->clip_top, mp->renorm);
  mp->kv_max_level = (int) mp->kv_lut[L];
}

void
_vx_xbar_map_clear (XbarMap *mp)
{
  g_clear_pointer (&mp->kv_lut, g_free);
}

/* ---- inputs ------------------------------------------------------------------------------ */

XBAR_CLONES void
_vx_xbar_col_abs_max (float *m, const float *x, int rows, int cols, int ldx)
{
  for (int c = 0; c < cols; c++)
    m[c] = 0.f;
  for (int r = 0; r < rows; r++)
    {
      const float *xr = x + (size_t) r * ldx;
#pragma omp simd
      for (int c = 0; c < cols; c++)
        {
          float a = fabsf (xr[c]);
          m[c] = a > m[c] ? a : m[c];
        }
    }
}

XBAR_CLONES float
_vx_xbar_quantize_inputs (const XbarMap *mp, float *out, const float *x, int rows, int cols,
                          int ldx, gboolean float_out, gboolean nonneg)
{
  /* s = max |x|, NaN ignored (not fmaxf: that is a library call here): one
   * flat loop over contiguous rows, else per-column maxima across the rows
   * and one reduction at the end (a reduction per row costs more than a
   * short row) */
  float s = 0.f;
  if (ldx == cols || rows == 1)
    {
      size_t n = (size_t) rows * cols;
#pragma omp simd reduction(max:s)
      for (size_t i = 0; i < n; i++)
        {
          float a = fabsf (x[i]);
          s = a > s ? a : s;
        }
    }
  else if (cols <= 64)
    {
      float m[64];
      for (int c = 0; c < cols; c++)
        m[c] = 0.f;
      for (int r = 0; r < rows; r++)
        {
          const float *xr = x + (size_t) r * ldx;
#pragma omp simd
          for (int c = 0; c < cols; c++)
            {
              float a = fabsf (xr[c]);
              m[c] = a > m[c] ? a : m[c];
            }
        }
      for (int c = 0; c < cols; c++)
        s = m[c] > s ? m[c] : s;
    }
  else
    for (int r = 0; r < rows; r++)
      {
        const float *xr = x + (size_t) r * ldx;
#pragma omp simd reduction(max:s)
        for (int c = 0; c < cols; c++)
          {
            float a = fabsf (xr[c]);
            s = a > s ? a : s;
          }
      }
  if (!(s > 0.f))
    {
      memset (out, 0, sizeof (float) * rows * cols);
      return 0.f;
    }
  float Q = (float) xbar_in_levels (mp, nonneg), inv = Q / s, back = float_out ? s / Q : 1.0f;
  /* unsigned: no negative integers (none: a bound no float passes) */
  float lo = nonneg ? 0.f : -FLT_MAX;
  if (ldx == cols)
    {
      size_t n = (size_t) rows * cols;
#pragma omp simd
      for (size_t i = 0; i < n; i++)
        {
          float q = xbar_roundf (x[i] * inv);
          out[i] = (q < lo ? lo : q) * back;
        }
      return s;
    }
  for (int r = 0; r < rows; r++)
    {
      const float *xr = x + (size_t) r * ldx;
      float *o = out + (size_t) r * cols;
#pragma omp simd
      for (int c = 0; c < cols; c++)
        {
          float q = xbar_roundf (xr[c] * inv);
          o[c] = (q < lo ? lo : q) * back;
        }
    }
  return s;
}

/* ---- static weights: read noise only ------------------------------------------------------ */

XBAR_CLONES void
_vx_xbar_decode_static (const XbarMap *mp, float *out, const float *w, size_t n, float w_max,
                        const float *z)
{
  if (!(w_max > 0.f))
    {
      /* an all-zero matrix: w_max = 0 makes the decode factor w_max / dG zero */
      for (size_t i = 0; i < n; i++)
        out[i] = 0.f;
      return;
    }
  float inv = mp->Lf / w_max, unit = w_max / mp->Lf, g = mp->g_min_l, sr = mp->sigma_r;
  float Lf = mp->Lf;
  if (!z || sr == 0.f)
    {
#pragma omp simd
      for (size_t i = 0; i < n; i++)
        {
          float a = fabsf (w[i]) * inv;
          float q = xbar_roundf (a < Lf ? a : Lf);
          out[i] = (w[i] < 0.f ? -q : q) * unit;
        }
      return;
    }
  /* active array at g + q, idle one at g: (G+' - G-') = sgn q + sigma_r sqrt((g+q)^2 + g^2) z,
   * the two arrays' independent read noises summed into one normal */
#pragma omp simd
  for (size_t i = 0; i < n; i++)
    {
      float a = fabsf (w[i]) * inv;
      float q = xbar_roundf (a < Lf ? a : Lf);
      float gp = g + q;
      float noise = sr * xbar_sqrtf (gp * gp + g * g) * z[i];
      out[i] = ((w[i] < 0.f ? -q : q) + noise) * unit;
    }
}

/* ---- K and V: ClipFormer, write noise, read noise ---------------------------------------- */

XBAR_CLONES void
_vx_xbar_kv_levels (const XbarMap *mp, float *lev, const float *x, int rows, int cols, int ldx,
                    const float *wmax)
{
  float inv[cols];
  for (int c = 0; c < cols; c++)
    inv[c] = wmax[c] > 0.f ? mp->Lf / wmax[c] : 0.f;
  float Lf = mp->Lf, ca = mp->clip_a, ct = mp->clip_top, rn = mp->renorm;
  for (int r = 0; r < rows; r++)
    {
      const float *xr = x + (size_t) r * ldx;
      float *o = lev + (size_t) r * cols;
#pragma omp simd
      for (int c = 0; c < cols; c++)
        {
          float a = fabsf (xr[c]) * inv[c];
          float p = xbar_kv_program (xbar_roundf (a < Lf ? a : Lf), ca, ct, rn);
          o[c] = xr[c] < 0.f ? -p : p;
        }
    }
}

/* The decoded value of a programmed level p (sign s) in level units:
 * active array a = g + p + write_k sqrt(p) z1 (eq. 3; the idle array at G_min
 * gets none), kept within [g + write_lo, g + write_hi] (the write clamp), read
 * noise (eq. 2) on both arrays summed into one normal:
 * s (a - g) + sigma_r sqrt(a^2 + g^2) z2. One loop per noise case, without
 * branches, so each vectorises. */
XBAR_CLONES void
_vx_xbar_kv_decode (const XbarMap *mp, float *out, const float *lev, int rows, int cols,
                    const float *unit, const float *z1, const float *z2)
{
  float g = mp->g_min_l, wk = mp->write_k, sr = mp->sigma_r, g2 = g * g;
  float lo = mp->write_lo, hi = mp->write_hi, alo = g + lo, ahi = g + hi;
  if (wk == 0.f)
    z1 = NULL;
  if (sr == 0.f)
    z2 = NULL;
  for (int r = 0; r < rows; r++)
    {
      const float *l = lev + (size_t) r * cols;
      float *o = out + (size_t) r * cols;
      const float *w1 = z1 ? z1 + (size_t) r * cols : NULL;
      const float *w2 = z2 ? z2 + (size_t) r * cols : NULL;
      if (w1 && w2)
#pragma omp simd
        for (int c = 0; c < cols; c++)
          {
            float p = fabsf (l[c]), sgn = l[c] < 0.f ? -1.f : 1.f;
            float a = g + p + wk * xbar_sqrtf (p) * w1[c];
            a = a < alo ? alo : a;
            a = a > ahi ? ahi : a;
            o[c] = (sgn * (a - g) + sr * xbar_sqrtf (a * a + g2) * w2[c]) * unit[c];
          }
      else if (w1)
#pragma omp simd
        for (int c = 0; c < cols; c++)
          {
            float p = fabsf (l[c]), sgn = l[c] < 0.f ? -1.f : 1.f;
            float d = p + wk * xbar_sqrtf (p) * w1[c];
            d = d < lo ? lo : d;
            d = d > hi ? hi : d;
            o[c] = sgn * d * unit[c];
          }
      else if (w2)
#pragma omp simd
        for (int c = 0; c < cols; c++)
          {
            float p = fabsf (l[c]), sgn = l[c] < 0.f ? -1.f : 1.f, a = g + p;
            o[c] = (sgn * p + sr * xbar_sqrtf (a * a + g2) * w2[c]) * unit[c];
          }
      else
#pragma omp simd
        for (int c = 0; c < cols; c++)
          o[c] = l[c] * unit[c];
    }
}

/* ---- one-shot program and read back ------------------------------------------------------------ */

void
vx_xbar_program_decode (const VxXbarConfig *cfg, float *out, const float *in, size_t n,
                        double w_max, gboolean dynamic, guint64 key)
{
  g_return_if_fail (vx_xbar_config_validate (cfg, NULL));
  g_return_if_fail (n <= G_MAXINT);
  if (w_max <= 0)
    {
      w_max = 0;
      for (size_t i = 0; i < n; i++)
        w_max = MAX (w_max, fabs (in[i]));
    }
  XbarMap mp;
  _vx_xbar_map_init (&mp, cfg);
  VxRng rng;
  vx_rng_init (&rng, key);
  if (!dynamic)
    {
      float *z = NULL;
      if (cfg->sigma_r > 0)
        {
          z = g_new (float, n);
          vx_rng_normal_bulk (&rng, z, n);
        }
      _vx_xbar_decode_static (&mp, out, in, n, (float) w_max, z);
      g_free (z);
    }
  else
    {
      /* n rows of one column, all with the same scale */
      float wm = (float) w_max, unit = (float) (w_max * mp.kv_dec / mp.L);
      float *lev = g_new (float, n);
      float *z = g_new (float, 2 * n);
      vx_rng_normal_bulk (&rng, z, 2 * n);
      _vx_xbar_kv_levels (&mp, lev, in, (int) n, 1, 1, &wm);
      _vx_xbar_kv_decode (&mp, out, lev, (int) n, 1, &unit,
                          cfg->gamma > 0 && cfg->sigma_w > 0 ? z : NULL,
                          cfg->sigma_r > 0 ? z + n : NULL);
      g_free (lev);
      g_free (z);
    }
  _vx_xbar_map_clear (&mp);
}
