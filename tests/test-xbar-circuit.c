/* test-xbar-circuit.c: circuit mode's fast path equals its naive reference bit
 * for bit (products and whole forward passes), whatever the thread count */
#define G_LOG_DOMAIN "test-xbar-circuit"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-xbar-circuit-private.h"
#include "xbar-test-common.h"

/* one product's shape and circuit */
typedef struct {
  const char *name;
  int M, rows_per_image, Kin, Nout, bits;
  int xbar_size, bits_per_cell, input_bits, adc_bits;
  double gamma;
  gboolean clipformer, written, col_units;
  gboolean nonneg;      /* inputs non-negative, quantised unsigned (softmax) */
} Case;

static const Case cases[] = {
  /* the paper's circuit on shapes of the small model's products */
  { "qkv", 34, 17, 32, 96, 8, 64, 2, 8, 6, 0, FALSE, FALSE, FALSE },
  { "qkv-noisy", 34, 17, 32, 96, 8, 64, 2, 8, 6, 4, FALSE, TRUE, FALSE },
  { "sv-clip", 17, 17, 17, 16, 9, 64, 2, 8, 6, 4, TRUE, TRUE, TRUE },
  /* odd sizes: partial tiles, partial groups of rows, partial column blocks */
  { "odd-tiles", 23, 7, 70, 37, 8, 13, 2, 8, 6, 4, FALSE, TRUE, FALSE },
  { "odd-tiles-clip", 23, 23, 45, 19, 8, 7, 2, 8, 6, 0, TRUE, FALSE, TRUE },
  /* more rows than one work item, several column blocks, two tiles */
  { "big", 150, 50, 128, 50, 8, 64, 2, 8, 6, 4, FALSE, TRUE, FALSE },
  /* other slicings and converters; a 16-bit ADC leaves many codes undecided
   * by the tables (its step is small), so the exact path is exercised */
  { "1-bit-cells", 19, 19, 33, 21, 8, 16, 1, 5, 6, 4, FALSE, TRUE, FALSE },
  { "3-bit-cells", 19, 19, 33, 21, 7, 32, 3, 16, 8, 0, FALSE, FALSE, TRUE },
  { "adc16", 40, 20, 64, 24, 8, 64, 2, 8, 16, 4, TRUE, TRUE, FALSE },
  { "noise-free", 21, 21, 40, 33, 8, 16, 2, 8, 6, -1, FALSE, FALSE, FALSE },
  /* a tile so large that with a 16-bit ADC the margins reach half a code:
   * every current is computed exactly */
  { "huge-tile", 5, 5, 2000, 5, 8, 2048, 2, 8, 16, 4, FALSE, TRUE, FALSE },
  /* unsigned inputs (S V's softmax): no sign cycle */
  { "sv-unsigned", 34, 17, 17, 16, 8, 64, 2, 8, 6, 4, TRUE, TRUE, TRUE, TRUE },
  { "unsigned-adc16", 40, 20, 64, 24, 8, 64, 2, 8, 16, 4, FALSE, TRUE, FALSE, TRUE },
};

static void
case_config (VxXbarConfig *c, const Case *k)
{
  vx_xbar_config_init (c);
  c->mode = VX_XBAR_CIRCUIT;
  c->xbar_size = k->xbar_size;
  c->bits_per_cell = k->bits_per_cell;
  c->weight_bits = k->bits_per_cell == 3 ? 6 : 8;
  c->input_bits = k->input_bits;
  c->adc_bits = k->adc_bits;
  c->clipformer = k->clipformer;
  if (k->gamma < 0)
    c->sigma_r = c->sigma_w = c->gamma = 0;
  else
    c->gamma = k->gamma;
}

/* random signed levels (Kin, Nout) of `bits` bits, a fifth of them 0 */
static float *
random_levels (int Kin, int Nout, int bits, guint64 seed)
{
  float *lev = g_new (float, (size_t) Kin * Nout);
  VxRng r;
  vx_rng_init (&r, seed);
  int top = (1 << bits) - 1;
  for (int i = 0; i < Kin * Nout; i++)
    {
      int v = (int) vx_rng_below (&r, 2 * top + 1) - top;
      lev[i] = vx_rng_below (&r, 5) == 0 ? 0.f : (float) v;
    }
  return lev;
}

/* out (M, Nout) of one product through the fast path or the reference */
static float *
run_product (VxXbarSim *sim, const Case *k, const float *x, const float *lev,
             const float *units, gboolean reference)
{
  float *out = g_new (float, (size_t) k->M * k->Nout);
  XbarScratch *sc = _vx_xbar_scratch_take (sim);
  _vx_xbar_circuit_set_reference (reference);
  _vx_xbar_circuit_matmul (sim, sc, out, k->Nout, x, k->Kin, k->M, k->rows_per_image,
                           k->nonneg, lev, k->Kin, k->Nout, k->bits, k->col_units ? units : NULL, 0.37f,
                           k->written, 0x5eedull + (guint64) k->M);
  _vx_xbar_circuit_set_reference (FALSE);
  _vx_xbar_scratch_give (sim, sc);
  return out;
}

static void
test_products (void)
{
  VxModel *m = xbar_test_model (1, 2, 5);
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const Case *k = &cases[ci];
      VxXbarConfig c;
      case_config (&c, k);
      g_autoptr (GError) err = NULL;
      g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (m, &c, &err);
      g_assert_no_error (err);
      g_autofree float *x = g_new (float, (size_t) k->M * k->Kin);
      VxRng r;
      vx_rng_init (&r, 40 + ci);
      vx_rng_normal_fill (&r, x, (size_t) k->M * k->Kin);
      for (size_t i = 0; k->nonneg && i < (size_t) k->M * k->Kin; i++)
        x[i] = fabsf (x[i]);
      g_autofree float *lev = random_levels (k->Kin, k->Nout, k->bits, 50 + ci);
      g_autofree float *units = g_new (float, k->Nout);
      for (int j = 0; j < k->Nout; j++)
        units[j] = 0.01f * (1 + j % 7);

      g_autofree float *ref = run_product (sim, k, x, lev, units, TRUE);
      double scale = xbar_test_max_abs (ref, (size_t) k->M * k->Nout);
      g_assert_cmpfloat (scale, >, 0);
      for (int threads = 1; threads <= 2; threads++)
        {
          vx_set_num_threads (threads);
          g_autofree float *fast = run_product (sim, k, x, lev, units, FALSE);
          double d = xbar_test_max_diff (fast, ref, (size_t) k->M * k->Nout);
          g_test_message ("%s, %d thread(s): |fast - reference| %.3g (scale %.3g)", k->name,
                          threads, d, scale);
          g_assert_true (memcmp (fast, ref, sizeof (float) * k->M * k->Nout) == 0);
        }
    }
  vx_set_num_threads (0);
  vx_model_free (m);
}

/* logits (B, classes) of m on images through a circuit-mode simulator */
static float *
circuit_logits (const VxModel *m, const VxXbarConfig *c, const float *images, int B,
                gboolean reference)
{
  float *logits = g_new (float, (size_t) B * m->arch.num_classes);
  VxActs *acts = vx_acts_new (&m->arch, B, FALSE);
  g_autoptr (GError) err = NULL;
  g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (m, c, &err);
  g_assert_no_error (err);
  VxForwardOpts fo = { 0 };
  fo.hooks = vx_xbar_sim_get_hooks (sim);
  _vx_xbar_circuit_set_reference (reference);
  vx_model_forward (m, acts, images, B, logits, &fo);
  _vx_xbar_circuit_set_reference (FALSE);
  vx_acts_free (acts);
  return logits;
}

/* the whole network: reference once, fast path on 1 and 2 threads */
static void
compare_forward (const VxModel *m, const VxXbarConfig *c, const float *images, int B,
                 const char *what)
{
  size_t n = (size_t) B * m->arch.num_classes;
  vx_set_num_threads (2);
  g_autofree float *ref = circuit_logits (m, c, images, B, TRUE);
  for (int threads = 1; threads <= 2; threads++)
    {
      vx_set_num_threads (threads);
      g_autofree float *fast = circuit_logits (m, c, images, B, FALSE);
      g_test_message ("%s, %d thread(s): |fast - reference| %.3g (logits up to %.3g)", what,
                      threads, xbar_test_max_diff (fast, ref, n), xbar_test_max_abs (ref, n));
      g_assert_true (memcmp (fast, ref, sizeof (float) * n) == 0);
    }
  vx_set_num_threads (0);
}

static void
test_forward_small (void)
{
  VxModel *m = xbar_test_model (2, 2, 11);
  int B = 3;
  g_autofree float *images = g_new (float, (size_t) B * 256);
  VxRng r;
  vx_rng_init (&r, 12);
  vx_rng_normal_fill (&r, images, (size_t) B * 256);
  for (int clip = 0; clip < 2; clip++)
    for (int gi = 0; gi < 2; gi++)
      {
        VxXbarConfig c;
        vx_xbar_config_init (&c);
        c.mode = VX_XBAR_CIRCUIT;
        c.gamma = gi == 0 ? 0.0 : 4.0;
        c.clipformer = clip;
        c.xbar_size = 24;          /* a 32-wide model: partial tiles */
        g_autofree char *what = g_strdup_printf ("small model, gamma %g, ClipFormer %s",
                                                 c.gamma, clip ? "on" : "off");
        compare_forward (m, &c, images, B, what);
      }
  vx_model_free (m);
}

static void
test_forward_shipped (void)
{
  g_autofree char *path = vx_default_model_path (NULL);
  g_assert_nonnull (path);
  g_autoptr (GError) err = NULL;
  VxModel *m = vx_model_load (path, &err);
  g_assert_no_error (err);
  g_autoptr (VxDataset) ds = vx_dataset_open_embedded (&err);
  g_assert_no_error (err);
  int B = 2;
  size_t px = (size_t) m->arch.in_chans * m->arch.img_size * m->arch.img_size;
  g_autofree float *images = g_new (float, B * px);
  vx_dataset_fill_batch (ds, m, 0, B, images);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.mode = VX_XBAR_CIRCUIT;
  c.gamma = 5;
  compare_forward (m, &c, images, B, "shipped model, gamma 5");
  c.clipformer = TRUE;
  compare_forward (m, &c, images, B, "shipped model, gamma 5, ClipFormer");
  vx_model_free (m);
}

/* circuit mode's cells: with the device clamp no written cell leaves
 * [G_min, G_max]; without it eq. 3 takes some outside; the same draws, so the
 * clamped cells are the unclamped ones clamped, bit for bit */
static void
test_write_clamp (void)
{
  VxModel *m = xbar_test_model (1, 2, 5);
  int Kin = 40, Nout = 24, slices = 4;
  g_autofree float *lev = random_levels (Kin, Nout, 8, 61);
  size_t n = (size_t) slices * Kin * 2 * Nout;
  g_autofree float *cells[2] = { NULL, NULL };
  for (int clamp = 0; clamp < 2; clamp++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.mode = VX_XBAR_CIRCUIT;
      c.gamma = 5;
      c.sigma_r = 0;
      c.write_clamp = clamp ? VX_WRITE_CLAMP_DEVICE : VX_WRITE_CLAMP_NONE;
      g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (m, &c, NULL);
      XbarCircScratch *cs = g_new0 (XbarCircScratch, 1);
      _vx_xbar_circ_program_cells (sim, cs, lev, Kin, Nout, slices, TRUE, 0xc1a3full);
      cells[clamp] = g_memdup2 (cs->cells, n * sizeof (float));
      _vx_xbar_circ_scratch_free (cs);
    }
  float lo = 0.1f, hi = 10.0f;
  int below = 0, above = 0;
  for (size_t i = 0; i < n; i++)
    {
      float u = cells[0][i], want = u < lo ? lo : u > hi ? hi : u;
      below += u < lo;
      above += u > hi;
      g_assert_cmpfloat (cells[1][i], >=, lo);
      g_assert_cmpfloat (cells[1][i], <=, hi);
      g_assert_cmpfloat (cells[1][i], ==, want);
    }
  g_assert_cmpint (below, >, 0);
  g_assert_cmpint (above, >, 0);
  vx_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xbar/circuit/products", test_products);
  g_test_add_func ("/xbar/circuit/forward-small", test_forward_small);
  g_test_add_func ("/xbar/circuit/forward-shipped", test_forward_shipped);
  g_test_add_func ("/xbar/circuit/write-clamp", test_write_clamp);
  return g_test_run ();
}
