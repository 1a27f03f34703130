/* vx-xbar-circuit.c: bit-accurate crossbars (MODEL.md section 6)
 *
 * A stored matrix of signed levels (Kin inputs x Nout outputs) is split into
 * bits/bits_per_cell slices on a G+/G- pair, each cell its own conductance in
 * [G_min, G_max] with its own noise. Inputs are integers of input_bits bits in
 * two's complement, applied one bit per read cycle. Rows are tiled X at a time;
 * every column current of every tile, slice, array and cycle goes through a
 * uniform ADC (full scale X * G_max * V_read, clipped), then the digital side
 * subtracts the pair, divides by the cell step and shift-adds: slices by
 * 2^(bits_per_cell * s), cycles by 2^k with the MSB cycle subtracted.
 * V_read scales currents and full scale alike, so it is 1 here.
 */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-xbar-private.h"

struct _XbarCircScratch {
  float *xint;  size_t xint_cap;    /* (M, Kin) integer inputs */
  float *scale; size_t scale_cap;   /* (M) input scale of each row */
  float *bits;  size_t bits_cap;    /* (M, X) one bit plane of one tile */
  float *cells; size_t cells_cap;   /* (slices, Kin, 2 Nout): [G+ | G-] per slice */
  float *cur;   size_t cur_cap;     /* (M, 2 Nout) column currents */
  double *acc;  size_t acc_cap;     /* (M, Nout) shift-added integer result */
  float *z;     size_t z_cap;       /* normals of one row of cells */
};

void
_vx_xbar_circ_scratch_free (XbarCircScratch *c)
{
  g_free (c->xint);
  g_free (c->scale);
  g_free (c->bits);
  g_free (c->cells);
  g_free (c->cur);
  g_free (c->acc);
  g_free (c->z);
  g_free (c);
}

static void *
grow (void *p, size_t *cap, size_t n, size_t elem)
{
  if (*cap >= n)
    return p;
  g_free (p);
  *cap = n;
  return g_malloc (n * elem);
}

/* cells (slices, Kin, 2 Nout) of the stored levels, with noise */
static void
program_cells (const VxXbarSim *sim, XbarCircScratch *c, const float *lev, int Kin, int Nout,
               int slices, gboolean written, guint64 key)
{
  const VxXbarConfig *cfg = &sim->cfg;
  int bc = cfg->bits_per_cell, cmax = (1 << bc) - 1;
  float gmin = (float) cfg->g_min, dGc = (float) ((cfg->g_max - cfg->g_min) / cmax);
  float range = (float) (cfg->g_max - cfg->g_min);
  float wk = written ? (float) (cfg->gamma * cfg->sigma_w) : 0.f, sr = (float) cfg->sigma_r;
  gboolean noisy = wk > 0.f || sr > 0.f;
  size_t row = (size_t) 2 * Nout;
  c->z = grow (c->z, &c->z_cap, 2 * row, sizeof (float));

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
              G += wk * xbar_sqrtf ((G - gmin) * range) * c->z[j];           /* eq. 3 */
            g[j] = G * (1.0f + sr * c->z[row + j]);                            /* eq. 2 */
          }
      }
}

/* integer inputs (two's complement range) and the scale of each row; one
 * symmetric per-tensor scale per image of rows_per_image rows */
static void
quantize_rows (const VxXbarSim *sim, XbarCircScratch *c, const float *x, int ldx, int M,
               int Kin, int rows_per_image)
{
  for (int r0 = 0; r0 < M; r0 += rows_per_image)
    {
      int rows = MIN (rows_per_image, M - r0);
      float s = _vx_xbar_quantize_inputs (&sim->map, c->xint + (size_t) r0 * Kin,
                                          x + (size_t) r0 * ldx, rows, Kin, ldx, FALSE);
      for (int r = 0; r < rows; r++)
        c->scale[r0 + r] = s / sim->map.in_levels;
    }
}

void
_vx_xbar_circuit_matmul (const VxXbarSim *sim, XbarScratch *sc, float *out, int ld_out,
                         const float *x, int ldx, int M, int rows_per_image,
                         const float *lev, int Kin, int Nout, int bits,
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
  c->xint = grow (c->xint, &c->xint_cap, (size_t) M * Kin, sizeof (float));
  c->scale = grow (c->scale, &c->scale_cap, M, sizeof (float));
  c->bits = grow (c->bits, &c->bits_cap, (size_t) M * MIN (X, Kin), sizeof (float));
  c->cells = grow (c->cells, &c->cells_cap, (size_t) slices * Kin * n2, sizeof (float));
  c->cur = grow (c->cur, &c->cur_cap, (size_t) M * n2, sizeof (float));
  c->acc = grow (c->acc, &c->acc_cap, (size_t) M * Nout, sizeof (double));

  program_cells (sim, c, lev, Kin, Nout, slices, written, key);
  quantize_rows (sim, c, x, ldx, M, Kin, rows_per_image);
  memset (c->acc, 0, sizeof (double) * M * Nout);

  unsigned mask = (1u << bin) - 1;
  for (int r0 = 0; r0 < Kin; r0 += X)
    {
      int rows = MIN (X, Kin - r0);
      for (int k = 0; k < bin; k++)
        {
          /* the bit plane of cycle k: 0/1 voltages on this tile's rows */
          for (int i = 0; i < M; i++)
            for (int r = 0; r < rows; r++)
              {
                unsigned u = (unsigned) (int) c->xint[(size_t) i * Kin + r0 + r] & mask;
                c->bits[(size_t) i * rows + r] = (float) ((u >> k) & 1u);
              }
          double wk = ldexp (k == bin - 1 ? -1.0 : 1.0, k);
          for (int s = 0; s < slices; s++)
            {
              const float *g = c->cells + ((size_t) s * Kin + r0) * n2;
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, M, (int) n2, rows, 1.0f,
                           c->bits, rows, g, (int) n2, 0.0f, c->cur, (int) n2);
              double w = wk * ldexp (1.0, bc * s) / dGc;
              for (int i = 0; i < M; i++)
                {
                  const float *cur = c->cur + (size_t) i * n2;
                  double *acc = c->acc + (size_t) i * Nout;
                  for (int col = 0; col < Nout; col++)
                    {
                      float qp = fminf (fmaxf (xbar_roundf (cur[col] * to_code), 0.f), adc_top);
                      float qn = fminf (fmaxf (xbar_roundf (cur[Nout + col] * to_code), 0.f), adc_top);
                      acc[col] += w * (double) ((qp - qn) * from_code);
                    }
                }
            }
        }
    }
  for (int i = 0; i < M; i++)
    for (int col = 0; col < Nout; col++)
      out[(size_t) i * ld_out + col] = (float) (c->acc[(size_t) i * Nout + col] * c->scale[i]
                                                * (col_unit ? col_unit[col] : unit));
}
