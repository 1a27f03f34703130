/* vx-xbar-circuit-private.h: what circuit mode's fast path (vx-xbar-circuit.c)
 * and its naive reference (vx-xbar-circuit-ref.c) share (docs/MODEL.md section 6)
 *
 * Both define every number the same way, so they agree bit for bit:
 * - a column current is the sum of the cells whose input bit is 1, taken in
 *   double in row order and rounded once to float. Every cell is a float (24
 *   significant bits), so the double sum is exact while the column's largest
 *   partial sum and its smallest cell's last bit are at most 53 bits apart:
 *   with the paper's devices (G_min 0.1 uS, last bit 2^-27; 64 rows of at
 *   most ~15 uS, below 2^10) that is 37 bits. The current is then the exact
 *   sum correctly rounded, which does not depend on any order of additions;
 *   only a cell that noise pushed to within ~2^-20 uS of 0 can make the double
 *   sum round, and then the row order still fixes the result. (A BLAS product
 *   is no definition: its order of additions changes with the kernel and with
 *   the number of threads.)
 * - the ADC code of a current, xbar_circ_adc;
 * - the digital side: acc += w * (double) ((qp - qn) * from_code) for tiles,
 *   then cycles, then slices, in that order.
 */
#pragma once

#include "vx-xbar-private.h"

struct _XbarCircScratch {
  float *xint;  size_t xint_cap;    /* (M, Kin) integer inputs */
  float *scale; size_t scale_cap;   /* (M) input scale of each row */
  float *cells; size_t cells_cap;   /* (slices, Kin, 2 Nout): [G+ | G-] per slice */
  double *acc;  size_t acc_cap;     /* (M, Nout) shift-added integer result */
  float *z;     size_t z_cap;       /* normals of one row of cells */
  float *work;  size_t work_cap;    /* fast path: per-thread tables and codes */
  float *cur;   size_t cur_cap;     /* reference: (2 Nout) column currents */
};

static inline void *
xbar_circ_grow (void *p, size_t *cap, size_t n, size_t elem)
{
  if (*cap >= n)
    return p;
  g_free (p);
  *cap = n;
  return g_malloc (n * elem);
}

/* the ADC: round to the nearest code, clip to [0, top] */
static inline float
xbar_circ_adc (float cur, float to_code, float top)
{
  float q = xbar_roundf (cur * to_code);
  return q < 0.f ? 0.f : q > top ? top : q;
}

/* one column current (see the top of this file): rows cells g (stride ld) with
 * the integer inputs xint (rows); bit k of each input's two's complement
 * (mask: input_bits ones) drives its row */
static inline float
xbar_circ_current (const float *g, size_t ld, const float *xint, int rows, unsigned mask, int k)
{
  double s = 0.0;
  for (int r = 0; r < rows; r++)
    if ((((unsigned) (int) xint[r] & mask) >> k) & 1u)
      s += (double) g[(size_t) r * ld];
  return (float) s;
}

/* the weight of cycle k and slice s on the digital side: 2^k (the MSB cycle
 * negative for signed inputs; unsigned ones have no sign cycle) times
 * 2^(bits_per_cell s), over the cell step */
static inline double
xbar_circ_weight (int k, int s, int input_bits, gboolean nonneg, int bits_per_cell,
                  float cell_step)
{
  return ldexp (k == input_bits - 1 && !nonneg ? -1.0 : 1.0, k) * ldexp (1.0, bits_per_cell * s)
         / cell_step;
}

/* c->cells (slices, Kin, 2 Nout) of the stored levels lev (Kin, Nout), with
 * noise drawn from key (one stream per slice and row) */
void _vx_xbar_circ_program_cells (const VxXbarSim *sim, XbarCircScratch *c, const float *lev,
                                  int Kin, int Nout, int slices, gboolean written, guint64 key);
/* c->xint (M, Kin) and c->scale (M) of the inputs x (M, Kin; stride ldx), one
 * scale per image of rows_per_image rows (symmetric, or unsigned when nonneg) */
void _vx_xbar_circ_quantize_rows (const VxXbarSim *sim, XbarCircScratch *c, const float *x,
                                  int ldx, int M, int Kin, int rows_per_image, gboolean nonneg);
/* out (M, Nout) = acc times the row scale and the column unit */
void _vx_xbar_circ_write_out (const XbarCircScratch *c, float *out, int ld_out, int M, int Nout,
                              const float *col_unit, float unit);

/* the naive reference of _vx_xbar_circuit_matmul (same arguments, same result
 * bit for bit): every current of every tile, cycle and slice on its own */
void _vx_xbar_circuit_matmul_ref (const VxXbarSim *sim, XbarScratch *sc, float *out, int ld_out,
                                  const float *x, int ldx, int M, int rows_per_image,
                                  gboolean nonneg,
                                  const float *lev, int Kin, int Nout, int bits,
                                  const float *col_unit, float unit, gboolean written,
                                  guint64 key);

/* Tests only: when set, _vx_xbar_circuit_matmul runs the reference, so a whole
 * forward pass can be compared with the fast path. */
void _vx_xbar_circuit_set_reference (gboolean use_reference);
