/* vx-xbar-circuit-ref.c: bit-accurate crossbars, the naive reference (docs/MODEL.md section 6)
 *
 * A stored matrix of signed levels (Kin inputs x Nout outputs) is split into
 * bits/bits_per_cell slices on a G+/G- pair, each cell its own conductance in
 * [G_min, G_max] with its own noise. Inputs are integers of input_bits bits in
 * two's complement (unsigned for inputs known non-negative, without a sign
 * cycle), applied one bit per read cycle. Rows are tiled X at a time;
 * every column current of every tile, slice, array and cycle goes through a
 * uniform ADC (full scale X * G_max * V_read, clipped), then the digital side
 * subtracts the pair, divides by the cell step and shift-adds: slices by
 * 2^(bits_per_cell * s), cycles by 2^k with the MSB cycle subtracted.
 * V_read scales currents and full scale alike, so it is 1 here.
 *
 * This file programs the cells and quantises the inputs for both paths, and
 * computes every current on its own, as written above: the definition the fast
 * path (vx-xbar-circuit.c) is tested against.
 */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "vx-xbar-circuit-private.h"

#if defined(__GNUC__) && !defined(__clang__)
/* acc += w * v stays a rounded product and a rounded sum, as in the fast path,
 * and the cloned cell programming rounds as the plain copy does */
#pragma GCC optimize ("fp-contract=off")
#endif

void
_vx_xbar_circ_scratch_free (XbarCircScratch *c)
{
  g_free (c->xint);
  g_free (c->scale);
  g_free (c->cells);
  g_free (c->acc);
  g_free (c->z);
  g_free (c->work);
  g_free (c->cur);
  g_free (c);
}

/* cloned: the noise loop vectorises; no clone fuses or reorders, so every
 * copy programs the same cells */
XBAR_CLONES void
_vx_xbar_circ_program_cells (const VxXbarSim *sim, XbarCircScratch *c, const float *lev,
                             int Kin, int Nout, int slices, gboolean written, guint64 key)
{
  const VxXbarConfig *cfg = &sim->cfg;
  int bc = cfg->bits_per_cell, cmax = (1 << bc) - 1;
  float gmin = (float) cfg->g_min, dGc = (float) ((cfg->g_max - cfg->g_min) / cmax);
  float range = (float) (cfg->g_max - cfg->g_min);
  float wk = written ? (float) (cfg->gamma * cfg->sigma_w) : 0.f, sr = (float) cfg->sigma_r;
  gboolean noisy = wk > 0.f || sr > 0.f;
  /* the write clamp: a written cell stays within [G_min, G_max] (none: no bound) */
  gboolean clamp = cfg->write_clamp == VX_WRITE_CLAMP_DEVICE;
  float lo = clamp ? gmin : -FLT_MAX, hi = clamp ? (float) cfg->g_max : FLT_MAX;
  size_t row = (size_t) 2 * Nout;
  c->cells = xbar_circ_grow (c->cells, &c->cells_cap, (size_t) slices * Kin * row, sizeof (float));
  c->z = xbar_circ_grow (c->z, &c->z_cap, 2 * row, sizeof (float));

  for (int s = 0; s < slices; s++)
    for (int r = 0; r < Kin; r++)
      {
        float *g = c->cells + ((size_t) s * Kin + r) * row;
        const float *l = lev + (size_t) r * Nout;
        for (int col = 0; col < Nout; col++)
          {
            int mag = (int) fabsf (l[col]);
            int cell = (mag >> (bc * s)) & cmax;
            g[col] = gmin + (l[col] > 0 ? cell : 0) * dGc;           /* G+ */
            g[Nout + col] = gmin + (l[col] < 0 ? cell : 0) * dGc;    /* G- */
          }
        if (!noisy)
          continue;
        /* one stream per (slice, row): write noise normals, then read noise normals */
        VxRng rng;
        vx_rng_init (&rng, vx_rng_key (key, 0, s, r, -1));
        vx_rng_normal_bulk (&rng, c->z, 2 * row);
        for (size_t j = 0; j < row; j++)
          {
            float G = g[j];
            if (wk > 0.f)
              {
                G += wk * xbar_sqrtf ((G - gmin) * range) * c->z[j];         /* eq. 3 */
                G = G < lo ? lo : G;
                G = G > hi ? hi : G;
              }
            g[j] = G * (1.0f + sr * c->z[row + j]);                            /* eq. 2 */
          }
      }
}

/* integer inputs (two's complement range) and the scale of each row; one
 * symmetric per-tensor scale per image of rows_per_image rows */
void
_vx_xbar_circ_quantize_rows (const VxXbarSim *sim, XbarCircScratch *c, const float *x, int ldx,
                             int M, int Kin, int rows_per_image, gboolean nonneg)
{
  c->xint = xbar_circ_grow (c->xint, &c->xint_cap, (size_t) M * Kin, sizeof (float));
  c->scale = xbar_circ_grow (c->scale, &c->scale_cap, M, sizeof (float));
  for (int r0 = 0; r0 < M; r0 += rows_per_image)
    {
      int rows = MIN (rows_per_image, M - r0);
      float s = _vx_xbar_quantize_inputs (&sim->map, c->xint + (size_t) r0 * Kin,
                                          x + (size_t) r0 * ldx, rows, Kin, ldx, FALSE, nonneg);
      for (int r = 0; r < rows; r++)
        c->scale[r0 + r] = s / xbar_in_levels (&sim->map, nonneg);
    }
}

void
_vx_xbar_circ_write_out (const XbarCircScratch *c, float *out, int ld_out, int M, int Nout,
                         const float *col_unit, float unit)
{
  for (int i = 0; i < M; i++)
    for (int col = 0; col < Nout; col++)
      out[(size_t) i * ld_out + col] = (float) (c->acc[(size_t) i * Nout + col] * c->scale[i]
                                                * (col_unit ? col_unit[col] : unit));
}

void
_vx_xbar_circuit_matmul_ref (const VxXbarSim *sim, XbarScratch *sc, float *out, int ld_out,
                             const float *x, int ldx, int M, int rows_per_image,
                             gboolean nonneg, const float *lev, int Kin, int Nout, int bits,
                             const float *col_unit, float unit, gboolean written, guint64 key)
{
  const VxXbarConfig *cfg = &sim->cfg;
  int bc = cfg->bits_per_cell, X = cfg->xbar_size, bin = cfg->input_bits;
  int slices = (bits + bc - 1) / bc;
  float dGc = (float) ((cfg->g_max - cfg->g_min) / ((1 << bc) - 1));
  float fs = (float) (X * cfg->g_max);
  float adc_top = (float) ((1 << cfg->adc_bits) - 1);
  float to_code = adc_top / fs, from_code = fs / adc_top;

  if (!sc->circ)
    sc->circ = g_new0 (XbarCircScratch, 1);
  XbarCircScratch *c = sc->circ;
  size_t n2 = (size_t) 2 * Nout;
  c->cur = xbar_circ_grow (c->cur, &c->cur_cap, n2, sizeof (float));
  c->acc = xbar_circ_grow (c->acc, &c->acc_cap, (size_t) M * Nout, sizeof (double));

  _vx_xbar_circ_program_cells (sim, c, lev, Kin, Nout, slices, written, key);
  _vx_xbar_circ_quantize_rows (sim, c, x, ldx, M, Kin, rows_per_image, nonneg);
  memset (c->acc, 0, sizeof (double) * M * Nout);

  unsigned mask = (1u << bin) - 1;
  for (int r0 = 0; r0 < Kin; r0 += X)
    {
      int rows = MIN (X, Kin - r0);
      for (int k = 0; k < bin; k++)
        for (int s = 0; s < slices; s++)
          {
            const float *g = c->cells + ((size_t) s * Kin + r0) * n2;
            double w = xbar_circ_weight (k, s, bin, nonneg, bc, dGc);
            for (int i = 0; i < M; i++)
              {
                const float *xi = c->xint + (size_t) i * Kin + r0;
                double *acc = c->acc + (size_t) i * Nout;
                for (size_t j = 0; j < n2; j++)
                  c->cur[j] = xbar_circ_current (g + j, n2, xi, rows, mask, k);
                for (int col = 0; col < Nout; col++)
                  {
                    float qp = xbar_circ_adc (c->cur[col], to_code, adc_top);
                    float qn = xbar_circ_adc (c->cur[Nout + col], to_code, adc_top);
                    acc[col] += w * (double) ((qp - qn) * from_code);
                  }
              }
          }
    }
  _vx_xbar_circ_write_out (c, out, ld_out, M, Nout, col_unit, unit);
}
