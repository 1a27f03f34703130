/* test-xbar-clipformer.c: ClipFormer (docs/MODEL.md section 4) and its two decode readings */
#define G_LOG_DOMAIN "test-xbar-clipformer"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-hw.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

#define NSAMP 100000

static void
clip_config (VxXbarConfig *c, double alpha, double beta, double onoff)
{
  vx_xbar_config_init (c);
  c->sigma_r = c->sigma_w = c->gamma = 0;
  /* the write-noise spreads below are eq. 9's, which sets no bound */
  c->write_clamp = VX_WRITE_CLAMP_NONE;
  c->clipformer = TRUE;
  c->alpha = alpha;
  c->beta = beta;
  vx_xbar_config_set_onoff (c, onoff);
}

/* the levels 0..255 as values with w_max = 1, programmed as K/V and read back */
static void
decode_levels (const VxXbarConfig *c, float *out)
{
  float in[256];
  for (int q = 0; q < 256; q++)
    in[q] = q / 255.0f;
  vx_xbar_program_decode (c, out, in, 256, 1.0, TRUE, 1);
}

static void
test_off (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  for (int q = 0; q <= 255; q++)
    g_assert_cmpint (vx_xbar_clipformer_level (&c, q), ==, q);
  g_assert_cmpint (vx_xbar_kv_bits (&c), ==, 8);
}

static void
test_beta_one (void)
{
  double alphas[] = { 1, 2, 3 }, ratios[] = { 25, 100 };
  for (guint ai = 0; ai < G_N_ELEMENTS (alphas); ai++)
    for (guint ri = 0; ri < G_N_ELEMENTS (ratios); ri++)
      {
        VxXbarConfig c;
        clip_config (&c, alphas[ai], 1.0, ratios[ri]);
        double a = alphas[ai] * 255 / (ratios[ri] - 1);    /* alpha G_min in levels */
        for (int q = 0; q <= 255; q++)
          {
            /* stage I alone, re-quantised: stage II never acts */
            int want = (int) rint (fmax (q - a, 0.0));
            g_assert_cmpint (vx_xbar_clipformer_level (&c, q), ==, want);
          }
        g_assert_cmpint (vx_xbar_kv_max_level (&c), ==, (int) rint (255 - a));
        g_assert_cmpint (vx_xbar_kv_bits (&c), ==, 8);
      }
}

static void
test_stage_one_zeroes (void)
{
  double alphas[] = { 1, 2 }, ratios[] = { 25, 100 };
  for (guint ai = 0; ai < G_N_ELEMENTS (alphas); ai++)
    for (guint ri = 0; ri < G_N_ELEMENTS (ratios); ri++)
      {
        VxXbarConfig c;
        clip_config (&c, alphas[ai], 1.0, ratios[ri]);
        float out[256];
        decode_levels (&c, out);
        double gmin = c.g_min, dG = c.g_max - c.g_min;
        int zeros = 0;
        for (int q = 0; q <= 255; q++)
          {
            double above = q * dG / 255;          /* G - G_min */
            if (above <= alphas[ai] * gmin)
              {
                g_assert_cmpfloat (out[q], ==, 0.0f);
                zeros++;
              }
            else if (above >= alphas[ai] * gmin + dG / 510)
              {
                /* more than half a level above: survives, shifted down by alpha G_min */
                g_assert_cmpfloat (out[q], >, 0.0f);
                double want = rint (q - alphas[ai] * gmin * 255 / dG) / 255;
                g_assert_cmpfloat (fabs (out[q] - want), <, 1e-6);
              }
          }
        /* the soft threshold of docs/MODEL.md: alpha w_max / (r - 1) */
        g_assert_cmpint (zeros, ==, (int) floor (alphas[ai] * 255 / (ratios[ri] - 1)) + 1);
      }
}

static void
test_beta_quarter (void)
{
  double alphas[] = { 1, 2 }, ratios[] = { 25, 100, 1000 };
  for (guint ai = 0; ai < G_N_ELEMENTS (alphas); ai++)
    for (guint ri = 0; ri < G_N_ELEMENTS (ratios); ri++)
      {
        VxXbarConfig c;
        clip_config (&c, alphas[ai], 0.25, ratios[ri]);
        double dG = c.g_max - c.g_min;
        int top = 0;
        for (int q = 0; q <= 255; q++)
          {
            int p = vx_xbar_clipformer_level (&c, q);
            top = MAX (top, p);
            /* never above beta G_max once programmed */
            g_assert_cmpfloat (c.g_min + p * dG / 255, <=, 0.25 * c.g_max + 1e-12);
          }
        g_assert_cmpint (top, <=, 63);
        g_assert_cmpint (top, ==, vx_xbar_kv_max_level (&c));
        g_assert_cmpint (vx_xbar_kv_bits (&c), ==, 6);

        /* in value terms: soft threshold, then a clip (docs/MODEL.md section 4) */
        float out[256];
        decode_levels (&c, out);
        double thr = alphas[ai] / (ratios[ri] - 1);
        double cap = (0.25 * c.g_max - c.g_min) / dG;
        for (int q = 0; q <= 255; q++)
          {
            /* re-quantised to the nearest level, but never above the highest level
             * under beta G_max: within one level of the exact soft-threshold-and-clip */
            double soft = fmax (q / 255.0 - thr, 0.0);
            double want = fmin (rint (soft * 255), floor (cap * 255 + 1e-9)) / 255;
            g_assert_cmpfloat (fabs (out[q] - want), <=, 1e-6);
            g_assert_cmpfloat (fabs (out[q] - fmin (soft, cap)), <=, 1.0 / 255 + 1e-6);
          }
      }

  /* the estimator: 3 two-bit slices for K and V, 4 for the static weights */
  VxXbarConfig c;
  clip_config (&c, 2, 0.25, 100);
  VxArch a;
  g_assert_true (vx_hw_arch_preset ("deit-s", &a, NULL));
  VxHwReport r;
  g_assert_true (vx_hw_estimate (&a, &c, &r, NULL));
  for (int i = 0; i < r.n_matrices; i++)
    g_assert_cmpint (r.m[i].slices, ==, r.m[i].dynamic ? 3 : 4);
}

static void
test_gmin_no_write_noise (void)
{
  VxXbarConfig c;
  clip_config (&c, 2, 1.0, 100);
  c.gamma = 5;
  c.sigma_w = 0.1;
  /* level 5 is within alpha G_min (5.15 levels) of the floor: zeroed, so exact */
  float *in = g_new (float, NSAMP), *out = g_new (float, NSAMP);
  for (int i = 0; i < NSAMP; i++)
    in[i] = (i % 2 ? 5 : -5) / 255.0f;
  vx_xbar_program_decode (&c, out, in, NSAMP, 1.0, TRUE, 7);
  for (int i = 0; i < NSAMP; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
  /* untransformed zeros too; and the idle array of every pair */
  c.clipformer = FALSE;
  for (int i = 0; i < NSAMP; i++)
    in[i] = 0.0f;
  vx_xbar_program_decode (&c, out, in, NSAMP, 1.0, TRUE, 8);
  for (int i = 0; i < NSAMP; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
  /* a surviving value has eq. 9's spread at its programmed level */
  c.clipformer = TRUE;
  for (int i = 0; i < NSAMP; i++)
    in[i] = 100 / 255.0f;
  vx_xbar_program_decode (&c, out, in, NSAMP, 1.0, TRUE, 9);
  double *d = g_new (double, NSAMP), mean;
  for (int i = 0; i < NSAMP; i++)
    d[i] = out[i];
  double sd = xbar_test_std (d, NSAMP, &mean);
  int p = vx_xbar_clipformer_level (&c, 100);
  g_assert_cmpint (p, ==, 95);
  g_assert_cmpfloat (fabs (sd / (5 * 0.1 * sqrt (p / 255.0)) - 1), <, 0.03);
  g_assert_cmpfloat (fabs (mean - p / 255.0), <, 4 * sd / sqrt (NSAMP));
  g_free (in);
  g_free (out);
  g_free (d);
}

static double
write_sd (const VxXbarConfig *c, int level, guint64 key)
{
  float *in = g_new (float, NSAMP), *out = g_new (float, NSAMP);
  double *d = g_new (double, NSAMP), mean;
  for (int i = 0; i < NSAMP; i++)
    in[i] = level / 255.0f;
  vx_xbar_program_decode (c, out, in, NSAMP, 1.0, TRUE, key);
  for (int i = 0; i < NSAMP; i++)
    d[i] = out[i];
  double sd = xbar_test_std (d, NSAMP, &mean);
  g_free (in);
  g_free (out);
  g_free (d);
  return sd;
}

static void
test_readings (void)
{
  VxXbarConfig phys, ren;
  clip_config (&phys, 2, 0.25, 100);
  ren = phys;
  ren.decode = VX_CLIP_DECODE_RENORMALISED;
  int top = vx_xbar_kv_max_level (&phys);       /* T(L) */
  g_assert_cmpint (top, ==, 61);

  /* the same values at zero noise, up to half a re-mapped level */
  float a[256], b[256];
  decode_levels (&phys, a);
  decode_levels (&ren, b);
  double half = (double) top / 255 / 255 / 2;
  for (int q = 0; q <= 255; q++)
    g_assert_cmpfloat (fabs (a[q] - b[q]), <=, half + 1e-7);

  /* bits: the physical reading keeps the saving, the renormalised one does not */
  g_assert_cmpint (vx_xbar_kv_bits (&phys), ==, 6);
  g_assert_cmpint (vx_xbar_kv_bits (&ren), ==, 8);
  VxArch arch;
  g_assert_true (vx_hw_arch_preset ("deit-s", &arch, NULL));
  VxHwReport rp, rr;
  g_assert_true (vx_hw_estimate (&arch, &phys, &rp, NULL));
  g_assert_true (vx_hw_estimate (&arch, &ren, &rr, NULL));
  g_assert_cmpint (rp.m[3].slices, ==, 3);
  g_assert_cmpint (rr.m[3].slices, ==, 4);
  g_assert_cmpint (rr.attn_xbars, >, rp.attn_xbars);

  /* write noise: renormalised spreads the clipped range over all levels, so its
   * decoded write noise is sqrt(T(L) / L) of the physical reading's */
  phys.gamma = ren.gamma = 5;
  phys.sigma_w = ren.sigma_w = 0.1;
  for (int q = 40; q <= 200; q += 80)
    {
      double sp = write_sd (&phys, q, 11), sr = write_sd (&ren, q, 12);
      int p = vx_xbar_clipformer_level (&phys, q);
      g_assert_cmpfloat (fabs (sp / (5 * 0.1 * sqrt (p / 255.0)) - 1), <, 0.03);
      double pr = rint ((double) p * 255 / top);
      double want_r = 5 * 0.1 * sqrt (pr / 255.0) * top / 255.0;
      g_assert_cmpfloat (fabs (sr / want_r - 1), <, 0.03);
      g_assert_cmpfloat (fabs (sr / sp - sqrt ((double) top / 255)), <, 0.03);
    }

  /* without ClipFormer the reading does not matter */
  phys.clipformer = ren.clipformer = FALSE;
  float *in = g_new (float, 5000), *o1 = g_new (float, 5000), *o2 = g_new (float, 5000);
  for (int i = 0; i < 5000; i++)
    in[i] = (float) sin (i * 0.01);
  vx_xbar_program_decode (&phys, o1, in, 5000, 0, TRUE, 3);
  vx_xbar_program_decode (&ren, o2, in, 5000, 0, TRUE, 3);
  g_assert_cmpmem (o1, 5000 * sizeof (float), o2, 5000 * sizeof (float));
  g_free (in);
  g_free (o1);
  g_free (o2);

  g_assert_cmpstr (vx_clip_decode_describe (VX_CLIP_DECODE_PHYSICAL), !=,
                   vx_clip_decode_describe (VX_CLIP_DECODE_RENORMALISED));
  g_assert_nonnull (strstr (vx_clip_decode_describe (VX_CLIP_DECODE_RENORMALISED),
                            "interpretation"));
}

static void
test_thresholds (void)
{
  VxXbarConfig c;
  clip_config (&c, 2, 0.25, 100);
  double z, k;
  vx_xbar_clip_thresholds (&c, 1.0, &z, &k);
  g_assert_cmpfloat_with_epsilon (z, 2.0 / 99, 1e-12);
  g_assert_cmpfloat_with_epsilon (k, (2.5 - 0.1 + 0.2) / 9.9, 1e-12);
  /* consistent with the level transform: a level just above the clip point is capped */
  int qk = (int) ceil (k * 255 + 1e-9);
  g_assert_cmpint (vx_xbar_clipformer_level (&c, qk), ==, vx_xbar_kv_max_level (&c));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xbar/clipformer/off", test_off);
  g_test_add_func ("/xbar/clipformer/beta-one", test_beta_one);
  g_test_add_func ("/xbar/clipformer/stage-one-zeroes", test_stage_one_zeroes);
  g_test_add_func ("/xbar/clipformer/beta-quarter", test_beta_quarter);
  g_test_add_func ("/xbar/clipformer/gmin-no-write-noise", test_gmin_no_write_noise);
  g_test_add_func ("/xbar/clipformer/readings", test_readings);
  g_test_add_func ("/xbar/clipformer/thresholds", test_thresholds);
  return g_test_run ();
}
