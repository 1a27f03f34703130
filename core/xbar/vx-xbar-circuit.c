/* vx-xbar-circuit.c: bit-accurate crossbars, the fast path (docs/MODEL.md section 6)
 *
 * The same numbers as the naive reference (vx-xbar-circuit-ref.c, which also
 * describes the circuit), obtained with far less work:
 *
 * - Input bits are 0/1, so a column current is a subset sum of the tile's
 *   cells. Rows are taken GROUP at a time: a table holds, for each of the
 *   2^GROUP bit patterns of a group, the sum of its cells, and a current is
 *   one table entry per group instead of one addition per row (16 additions
 *   for a 64-row tile instead of 64 multiply-adds). The tables are built per
 *   block of BLOCK output columns ([G+ | G-]: 2 BLOCK lanes), small enough to
 *   stay in the first-level cache while every row and cycle reads them.
 * - These float sums are added in another order than the defined current (the
 *   exact sum rounded once; vx-xbar-circuit-private.h), so they can differ by
 *   a few units in the last place. Only the ADC code matters downstream, and a
 *   code is decided unless the scaled current lies within the worst-case
 *   difference (delta below) of a rounding boundary. Those few currents (about
 *   one in 10^4 for the paper's devices) are recomputed exactly, so every code
 *   is the reference's.
 * - The digital side adds each output's terms in the reference's order
 *   (tiles, then cycles, then slices), in double.
 *
 * Work is split into blocks of output columns and of rows; each output is
 * computed by one thread with the same arithmetic, so results do not depend
 * on the number of threads.
 */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "vx-xbar-circuit-private.h"

#if defined(__GNUC__) && !defined(__clang__)
/* no fused multiply-adds, in any clone: the digital side must round as the
 * reference does (see XBAR_CLONES) */
#pragma GCC optimize ("fp-contract=off")
#endif

#define GROUP 4                       /* rows per table lookup */
#define PATTERNS (1 << GROUP)
G_STATIC_ASSERT (GROUP <= 4);         /* make_patterns spreads input bits 4 apart */
#define BLOCK 16                      /* output columns per table */
#define LANES (2 * BLOCK)             /* [G+ | G-] of those columns */
#define ROWS 64                       /* input rows per work item */
#define FORCED 1.0f                   /* a margin that marks every current undecided */

static gint use_reference;

void
_vx_xbar_circuit_set_reference (gboolean on)
{
  g_atomic_int_set (&use_reference, on ? 1 : 0);
}

typedef float HalfLanes __attribute__ ((vector_size (8 * sizeof (float))));
/* BLOCK is 16: add_digital takes it in quarters */
typedef float FourFloats __attribute__ ((vector_size (4 * sizeof (float))));
typedef double QuarterVec __attribute__ ((vector_size (4 * sizeof (double))));
G_STATIC_ASSERT (BLOCK == 16);

/* the read-only description of one product, shared by the work items */
typedef struct {
  const float *cells;   /* (slices, Kin, 2 Nout) */
  const uint32_t *pat;  /* (M, tiles, bin, groups_max) where each group's input bits
                           select its table entry: (q PATTERNS + bits) LANES */
  double *acc;          /* (M, Nout) */
  const double *w;      /* (bin, slices) weights of the digital side */
  const float *xint;    /* (M, Kin) */
  int M, Kin, Nout, X, bin, slices, tiles, groups_max;
  unsigned mask;
  float to_code, from_code, top;
} CircJob;

/* per-thread buffers, carved from one allocation */
typedef struct {
  float *table;         /* (groups, PATTERNS, LANES) */
  float *delta;         /* (LANES) */
  float *f;             /* (ROWS, bin, slices, BLOCK) digital values (qp - qn) from_code */
  double *acc;          /* (ROWS, BLOCK) */
  int *undecided;       /* (ROWS bin LANES) outputs (ii bin + k) BLOCK + l of one slice */
} CircBuf;

static size_t
up16 (size_t n)
{
  return (n + 15) / 16 * 16;
}

/* floats per thread, every part a multiple of 64 bytes from the start */
static size_t
buf_floats (const CircJob *j)
{
  return up16 ((size_t) j->groups_max * PATTERNS * LANES) + up16 (LANES)
         + up16 ((size_t) ROWS * j->bin * j->slices * BLOCK) + 2 * ROWS * BLOCK
         + up16 ((size_t) ROWS * j->bin * LANES);
}

static CircBuf
buf_carve (float *base, const CircJob *j)
{
  CircBuf b;
  b.table = base;
  b.delta = b.table + up16 ((size_t) j->groups_max * PATTERNS * LANES);
  b.f = b.delta + up16 (LANES);
  b.acc = (double *) (b.f + up16 ((size_t) ROWS * j->bin * j->slices * BLOCK));
  b.undecided = (int *) (b.acc + ROWS * BLOCK);
  return b;
}

/* bit k of u (16 bits: input_bits is at most 16) moved to bit 4k */
static inline uint64_t
spread4 (uint64_t u)
{
  u = (u | (u << 24)) & 0x000000FF000000FFull;
  u = (u | (u << 12)) & 0x000F000F000F000Full;
  u = (u | (u << 6)) & 0x0303030303030303ull;
  return (u | (u << 3)) & 0x1111111111111111ull;
}

/* j->pat of row i: for each tile, cycle and group, the group's table entry */
static void
make_patterns (uint32_t *pat, const CircJob *j, int i)
{
  const float *xr = j->xint + (size_t) i * j->Kin;
  for (int t = 0; t < j->tiles; t++)
    {
      int r0 = t * j->X, rows = MIN (j->X, j->Kin - r0);
      int groups = (rows + GROUP - 1) / GROUP;
      uint32_t *pt = pat + ((size_t) i * j->tiles + t) * j->bin * j->groups_max;
      for (int q = 0; q < groups; q++)
        {
          /* bit 4k + b: bit k of the group's row b */
          uint64_t bits = 0;
          for (int b = 0; b < GROUP && q * GROUP + b < rows; b++)
            bits |= spread4 ((unsigned) (int) xr[r0 + q * GROUP + b] & j->mask) << b;
          for (int k = 0; k < j->bin; k++)
            pt[(size_t) k * j->groups_max + q]
              = (uint32_t) (q * PATTERNS + ((bits >> (4 * k)) & (PATTERNS - 1))) * LANES;
        }
    }
}

/* The tables of slice s, tile rows r0..r0+rows, columns c0..c0+nc, in ADC
 * code units (each cell times to_code, rounded), and the margin delta of each
 * lane. A current from the tables adds each scaled cell through at most
 * GROUP + groups - 1 float additions (a tree of that depth h), so it differs
 * from to_code times the exact sum by at most gamma_(h+1) A: Higham, Accuracy
 * and Stability, eq. 4.4, with u = 2^-24, gamma_n = n u / (1 - n u), A = the
 * sum of |scaled cell| over the column, one more u for the scaling. The
 * reference's code (double sum in row order, rounded to float, times to_code,
 * rounded) lies within 2^-40 A + 3 u (top + 2) of to_code times the exact sum
 * for any current near a boundary inside the ADC's range. A margin of 1% over
 * both covers the rounding of delta itself. About 7 in 10^4 currents are
 * undecided in a 3200 x 64 x 256 product with the paper's devices. */
static void
build_tables (const CircJob *j, CircBuf *b, int s, int r0, int rows, int c0, int nc)
{
  int groups = (rows + GROUP - 1) / GROUP;
  size_t n2 = (size_t) 2 * j->Nout;
  double A[LANES] = { 0 };
  for (int q = 0; q < groups; q++)
    {
      float *t = b->table + (size_t) q * PATTERNS * LANES;
      float g[GROUP][LANES];
      memset (g, 0, sizeof g);
      for (int r = 0; r < GROUP && q * GROUP + r < rows; r++)
        {
          const float *src = j->cells + ((size_t) s * j->Kin + r0 + q * GROUP + r) * n2;
          for (int l = 0; l < nc; l++)
            {
              g[r][l] = src[c0 + l] * j->to_code;
              g[r][BLOCK + l] = src[j->Nout + c0 + l] * j->to_code;
            }
          for (int l = 0; l < LANES; l++)
            A[l] += fabs ((double) g[r][l]);
        }
      memset (t, 0, sizeof (float) * LANES);
      for (int p = 1; p < PATTERNS; p++)
        {
          const float *prev = t + (size_t) (p & (p - 1)) * LANES;
          const float *add = g[__builtin_ctz ((unsigned) p)];
          float *dst = t + (size_t) p * LANES;
          for (int l = 0; l < LANES; l++)
            dst[l] = prev[l] + add[l];
        }
    }
  double u = ldexp (1.0, -24), h1 = GROUP + groups;
  double gamma = h1 * u / (1.0 - h1 * u);
  for (int l = 0; l < LANES; l++)
    {
      double d = 1.01 * ((gamma + ldexp (1.0, -40)) * A[l] + 3.0 * u * (j->top + 2.0));
      /* a margin near half a code (huge tiles, fine ADCs) could reach past the
       * neighbouring boundary: FORCED makes every current of the lane exact */
      b->delta[l] = d < 0.25 ? (float) d : FORCED;
    }
}

/* the exact code pair of one lane pair (the reference's arithmetic) */
static float
exact_value (const CircJob *j, int i, int r0, int rows, int s, int k, int col)
{
  size_t n2 = (size_t) 2 * j->Nout;
  const float *g = j->cells + ((size_t) s * j->Kin + r0) * n2;
  const float *xi = j->xint + (size_t) i * j->Kin + r0;
  float qp = xbar_circ_adc (xbar_circ_current (g + col, n2, xi, rows, j->mask, k), j->to_code,
                            j->top);
  float qn = xbar_circ_adc (xbar_circ_current (g + j->Nout + col, n2, xi, rows, j->mask, k),
                            j->to_code, j->top);
  return (qp - qn) * j->from_code;
}

/* b->f (rows_i, bin, slices, BLOCK) for slice s of tile t from its tables
 * (whose sums are scaled currents: the ADC's input in codes):
 * the digital value of every output; b->undecided lists those with a code
 * the tables do not decide. Returns their number. */
XBAR_CLONES static int
slice_values (const CircJob *j, CircBuf *b, int i0, int rows_i, int t, int groups, int s)
{
  int n = 0;
  const float *delta = b->delta;
  float fc = j->from_code, top = j->top;
  for (int ii = 0; ii < rows_i; ii++)
    for (int k = 0; k < j->bin; k++)
      {
        const uint32_t *pp = j->pat + (((size_t) (i0 + ii) * j->tiles + t) * j->bin + k)
                                      * j->groups_max;
        /* the sums in registers (GCC keeps an array here in memory): G+ and
         * G- in halves of 8 lanes, a width every clone holds in registers
         * (wider generic vectors go through the stack in the AVX2 clone), and
         * two chains of each so the additions overlap */
        HalfLanes c[4], d[4], e;
        for (int v = 0; v < 4; v++)
          {
            memcpy (&c[v], b->table + pp[0] + 8 * v, sizeof e);
            memset (&d[v], 0, sizeof e);
          }
        int q = 1;
        for (; q + 1 < groups; q += 2)
          for (int v = 0; v < 4; v++)
            {
              memcpy (&e, b->table + pp[q] + 8 * v, sizeof e);
              c[v] += e;
              memcpy (&e, b->table + pp[q + 1] + 8 * v, sizeof e);
              d[v] += e;
            }
        if (q < groups)
          for (int v = 0; v < 4; v++)
            {
              memcpy (&e, b->table + pp[q] + 8 * v, sizeof e);
              c[v] += e;
            }
        float cur[LANES], code[LANES];
        for (int v = 0; v < 4; v++)
          {
            c[v] += d[v];
            memcpy (cur + 8 * v, &c[v], sizeof e);
          }
        int near = 0;
        for (int l = 0; l < LANES; l++)
          {
            float v = cur[l];
            float r = xbar_roundf (v);
            /* within delta of a rounding boundary? */
            near |= 0.5f - fabsf (v - r) <= delta[l];
            code[l] = r < 0.f ? 0.f : r > top ? top : r;
          }
        float *f = b->f + (((size_t) ii * j->bin + k) * j->slices + s) * BLOCK;
        for (int l = 0; l < BLOCK; l++)
          f[l] = (code[l] - code[BLOCK + l]) * fc;
        for (int l = 0; near && l < LANES; l++)
          {
            float v = cur[l];
            float r = xbar_roundf (v);
            /* boundaries outside (0, top) decide nothing: both sides clip alike.
             * An output whose pair is undecided twice is recomputed twice. */
            if ((0.5f - fabsf (v - r) <= delta[l] && v > 0.f && v < top) || delta[l] == FORCED)
              b->undecided[n++] = (ii * j->bin + k) * BLOCK + l % BLOCK;
          }
      }
  return n;
}

/* the digital side of one tile for rows_i rows: acc (rows_i, BLOCK) += the
 * values f, cycle by cycle and slice by slice as the reference adds them */
XBAR_CLONES static void
add_digital (double *acc, const float *f, const double *w, int rows_i, int bin, int slices)
{
  for (int ii = 0; ii < rows_i; ii++)
    {
      /* the sums in registers, in vectors of 4, as in slice_values */
      QuarterVec a[4];
      memcpy (a, acc + (size_t) ii * BLOCK, sizeof a);
      for (int ks = 0; ks < bin * slices; ks++)
        {
          const float *fr = f + ((size_t) ii * bin * slices + ks) * BLOCK;
          for (int v = 0; v < 4; v++)
            {
              FourFloats x;
              memcpy (&x, fr + 4 * v, sizeof x);
              a[v] += w[ks] * __builtin_convertvector (x, QuarterVec);
            }
        }
      memcpy (acc + (size_t) ii * BLOCK, a, sizeof a);
    }
}

/* one work item: rows i0..i0+rows_i, columns c0..c0+nc, every tile */
static void
run_item (const CircJob *j, CircBuf *b, int i0, int rows_i, int c0, int nc)
{
  memset (b->acc, 0, sizeof (double) * ROWS * BLOCK);
  for (int t = 0; t < j->tiles; t++)
    {
      int r0 = t * j->X, rows = MIN (j->X, j->Kin - r0), groups = (rows + GROUP - 1) / GROUP;
      for (int s = 0; s < j->slices; s++)
        {
          build_tables (j, b, s, r0, rows, c0, nc);
          int n = slice_values (j, b, i0, rows_i, t, groups, s);
          for (int e = 0; e < n; e++)
            {
              int at = b->undecided[e], l = at % BLOCK, ik = at / BLOCK;
              int ii = ik / j->bin, k = ik % j->bin;
              if (l < nc)
                b->f[((size_t) ik * j->slices + s) * BLOCK + l]
                  = exact_value (j, i0 + ii, r0, rows, s, k, c0 + l);
            }
        }
      add_digital (b->acc, b->f, j->w, rows_i, j->bin, j->slices);
    }
  for (int ii = 0; ii < rows_i; ii++)
    memcpy (j->acc + (size_t) (i0 + ii) * j->Nout + c0, b->acc + (size_t) ii * BLOCK,
            sizeof (double) * nc);
}

void
_vx_xbar_circuit_matmul (const VxXbarSim *sim, XbarScratch *sc, float *out, int ld_out,
                         const float *x, int ldx, int M, int rows_per_image, gboolean nonneg,
                         const float *lev, int Kin, int Nout, int bits,
                         const float *col_unit, float unit, gboolean written, guint64 key)
{
  if (g_atomic_int_get (&use_reference))
    {
      _vx_xbar_circuit_matmul_ref (sim, sc, out, ld_out, x, ldx, M, rows_per_image, nonneg, lev,
                                   Kin, Nout, bits, col_unit, unit, written, key);
      return;
    }
  const VxXbarConfig *cfg = &sim->cfg;
  int bc = cfg->bits_per_cell, bin = cfg->input_bits;
  int slices = (bits + bc - 1) / bc;
  float dGc = (float) ((cfg->g_max - cfg->g_min) / ((1 << bc) - 1));
  float fs = (float) (cfg->xbar_size * cfg->g_max);
  float top = (float) ((1 << cfg->adc_bits) - 1);

  if (!sc->circ)
    sc->circ = g_new0 (XbarCircScratch, 1);
  XbarCircScratch *c = sc->circ;
  _vx_xbar_circ_program_cells (sim, c, lev, Kin, Nout, slices, written, key);
  _vx_xbar_circ_quantize_rows (sim, c, x, ldx, M, Kin, rows_per_image, nonneg);
  c->acc = xbar_circ_grow (c->acc, &c->acc_cap, (size_t) M * Nout, sizeof (double));

  g_autofree double *w = g_new (double, (size_t) bin * slices);
  for (int k = 0; k < bin; k++)
    for (int s = 0; s < slices; s++)
      w[k * slices + s] = xbar_circ_weight (k, s, bin, nonneg, bc, dGc);
  CircJob j = {
    .cells = c->cells, .xint = c->xint, .acc = c->acc, .w = w,
    .M = M, .Kin = Kin, .Nout = Nout, .X = cfg->xbar_size, .bin = bin, .slices = slices,
    .tiles = (Kin + cfg->xbar_size - 1) / cfg->xbar_size,
    .groups_max = (MIN (cfg->xbar_size, Kin) + GROUP - 1) / GROUP,
    .mask = (1u << bin) - 1, .to_code = top / fs, .from_code = fs / top, .top = top,
  };

  int col_blocks = (Nout + BLOCK - 1) / BLOCK, row_blocks = (M + ROWS - 1) / ROWS;
  int items = col_blocks * row_blocks;
  int threads = MAX (1, MIN (vx_get_num_threads (), items));

#ifdef _OPENMP
  /* inside the attention's parallel loop: this call's share runs here */
  if (omp_in_parallel ())
    threads = 1;
#endif
  size_t per = buf_floats (&j);
  size_t pat_floats = up16 ((size_t) M * j.tiles * bin * j.groups_max);
  c->work = xbar_circ_grow (c->work, &c->work_cap, pat_floats + per * threads, sizeof (float));
  uint32_t *pat = (uint32_t *) c->work;
  float *work = c->work + pat_floats;
  j.pat = pat;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
#pragma omp for schedule(static)
    for (int i = 0; i < M; i++)
      make_patterns (pat, &j, i);
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num ();
#endif
    CircBuf b = buf_carve (work + per * tid, &j);
#pragma omp for schedule(dynamic, 1)
    for (int it = 0; it < items; it++)
      {
        int cb = it % col_blocks, rb = it / col_blocks;
        int c0 = cb * BLOCK, i0 = rb * ROWS;
        run_item (&j, &b, i0, MIN (ROWS, M - i0), c0, MIN (BLOCK, Nout - c0));
      }
  }
  _vx_xbar_circ_write_out (c, out, ld_out, M, Nout, col_unit, unit);
}
