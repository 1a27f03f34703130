/* test-xbar-noise.c: crossbar config, mapping and the noise statistics of eq. 8 and 9 */
#define G_LOG_DOMAIN "test-xbar-noise"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-rng.h"
#include "vx-xbar.h"
#include "xbar-test-common.h"

#define NSAMP 100000

/* ---- config ---------------------------------------------------------------------------- */

static void
test_presets (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  g_assert_cmpstr (c.preset, ==, "rram-paper");
  g_assert_cmpfloat (c.g_min, ==, 0.1);
  g_assert_cmpfloat (c.g_max, ==, 10.0);
  g_assert_cmpfloat (vx_xbar_config_onoff (&c), ==, 100.0);
  g_assert_cmpfloat (c.sigma_r, ==, 0.05);
  g_assert_cmpfloat (c.sigma_w, ==, 0.1);
  g_assert_cmpint (c.weight_bits, ==, 8);
  g_assert_cmpint (c.input_bits, ==, 8);
  g_assert_cmpint (c.bits_per_cell, ==, 2);
  g_assert_cmpint (c.adc_bits, ==, 6);
  g_assert_cmpint (c.xbar_size, ==, 64);
  g_assert_cmpfloat (c.e_read_pj, ==, 25.0);
  g_assert_cmpfloat (c.e_write_pj, ==, 118.0);
  g_assert_cmpfloat (c.area_mm2, ==, 0.03);
  g_assert_cmpuint (c.analog, ==, VX_XBAR_ANALOG_DEFAULT);
  g_assert_false (c.analog & VX_XBAR_ANALOG (VX_MM_PATCH));
  g_assert_false (c.analog & VX_XBAR_ANALOG (VX_MM_HEAD));
  g_assert_true (c.analog & VX_XBAR_ANALOG (VX_MM_QK));
  g_assert_true (vx_xbar_config_validate (&c, NULL));

  VxXbarConfig s;
  g_assert_true (vx_xbar_config_init_named (&s, "SRAM digital IMC", NULL));
  g_assert_cmpstr (s.preset, ==, "sram-imc");
  g_assert_cmpint (s.bits_per_cell, ==, 1);
  g_assert_false (s.differential);
  g_assert_cmpfloat (s.sigma_r + s.sigma_w + s.gamma, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (s.area_mm2 / c.area_mm2, 5.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.e_read_pj / c.e_read_pj, 2.3, 1e-12);
  g_assert_true (vx_xbar_config_validate (&s, NULL));

  g_autoptr (GError) err = NULL;
  g_assert_false (vx_xbar_config_init_named (&s, "flash", &err));
  g_assert_error (err, VX_ERROR, VX_ERROR_INVALID_ARG);

  vx_xbar_config_set_onoff (&c, 25);
  g_assert_cmpfloat (c.g_min, ==, 0.1);
  g_assert_cmpfloat_with_epsilon (c.g_max, 2.5, 1e-12);
}

typedef void (*Breaker) (VxXbarConfig *c);
static void b_gmin_ge_gmax (VxXbarConfig *c) { c->g_max = c->g_min; }
static void b_beta_zero (VxXbarConfig *c) { c->beta = 0; }
static void b_beta_big (VxXbarConfig *c) { c->beta = 1.5; }
static void b_alpha_small (VxXbarConfig *c) { c->alpha = 0.5; }
static void b_gamma_neg (VxXbarConfig *c) { c->gamma = -1; }
static void b_sigma_r_neg (VxXbarConfig *c) { c->sigma_r = -0.01; }
static void b_sigma_w_neg (VxXbarConfig *c) { c->sigma_w = -0.01; }
static void b_adc_zero (VxXbarConfig *c) { c->adc_bits = 0; }
static void b_adc_big (VxXbarConfig *c) { c->adc_bits = 17; }
static void b_bpc_nodiv (VxXbarConfig *c) { c->bits_per_cell = 3; }
static void b_bpc_big (VxXbarConfig *c) { c->bits_per_cell = 9; c->weight_bits = 9; }
static void b_xbar_zero (VxXbarConfig *c) { c->xbar_size = 0; }
static void b_xbar_big (VxXbarConfig *c) { c->xbar_size = 4097; }
static void b_in_bits (VxXbarConfig *c) { c->input_bits = 1; }
static void b_beta_floor (VxXbarConfig *c) { c->beta = 0.01; }
static void b_gmin_neg (VxXbarConfig *c) { c->g_min = -0.1; }
static void b_analog (VxXbarConfig *c) { c->analog = 1u << 12; }
static void b_nan (VxXbarConfig *c) { c->sigma_r = NAN; }

static void
test_validate (void)
{
  struct { Breaker f; const char *word; } cases[] = {
    { b_gmin_ge_gmax, "G_max" }, { b_beta_zero, "beta" }, { b_beta_big, "beta" },
    { b_alpha_small, "alpha" }, { b_gamma_neg, "gamma" }, { b_sigma_r_neg, "sigma_R" },
    { b_sigma_w_neg, "sigma_W" }, { b_adc_zero, "ADC" }, { b_adc_big, "ADC" },
    { b_bpc_nodiv, "bits per cell" }, { b_bpc_big, "bits per cell" },
    { b_xbar_zero, "crossbar size" }, { b_xbar_big, "crossbar size" },
    { b_in_bits, "input bits" }, { b_beta_floor, "G_min" }, { b_gmin_neg, "G_min" },
    { b_analog, "analog" }, { b_nan, "sigma_R" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      cases[i].f (&c);
      g_autoptr (GError) err = NULL;
      g_assert_false (vx_xbar_config_validate (&c, &err));
      g_assert_error (err, VX_ERROR, VX_ERROR_INVALID_ARG);
      if (!strstr (err->message, cases[i].word))
        g_error ("case %u: message \"%s\" does not name \"%s\"", i, err->message, cases[i].word);
      /* the simulator refuses it too */
      VxModel *m = xbar_test_model (1, 2, 1);
      g_autoptr (GError) err2 = NULL;
      g_assert_null (vx_xbar_sim_new (m, &c, &err2));
      g_assert_nonnull (err2);
      vx_model_free (m);
    }
}

static void
test_json (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.g_max = 2.5;
  c.sigma_r = 0.07;
  c.gamma = 4.5;
  c.clipformer = TRUE;
  c.alpha = 2;
  c.beta = 0.25;
  c.decode = VX_CLIP_DECODE_RENORMALISED;
  c.kv_scale = VX_KV_SCALE_PER_CHANNEL;
  c.static_noise = VX_STATIC_NOISE_ONCE;
  c.write_clamp = VX_WRITE_CLAMP_NONE;
  c.analog = VX_XBAR_ANALOG (VX_MM_QK) | VX_XBAR_ANALOG (VX_MM_HEAD);
  c.mode = VX_XBAR_CIRCUIT;
  c.adc_bits = 9;
  c.seed = G_GUINT64_CONSTANT (0xfedcba9876543210);
  g_autofree char *json = vx_xbar_config_to_json_string (&c, TRUE);
  g_assert_nonnull (strstr (json, "\"clip_decode\" : \"renormalised\""));
  g_assert_nonnull (strstr (json, "\"kv_scale\" : \"per-channel\""));
  g_assert_nonnull (strstr (json, "\"write_clamp\" : \"none\""));

  VxXbarConfig d;
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_xbar_config_from_json_string (&d, json, &err));
  g_assert_no_error (err);
  g_assert_cmpmem (&c, sizeof c, &d, sizeof d);

  /* partial documents start from the preset */
  g_assert_true (vx_xbar_config_from_json_string (&d, "{\"preset\": \"sram-imc\", \"gamma\": 2}", NULL));
  g_assert_cmpint (d.bits_per_cell, ==, 1);
  g_assert_cmpfloat (d.gamma, ==, 2.0);

  const char *bad[] = {
    "{\"gama\": 3}",                  /* unknown key */
    "{\"gamma\": \"3\"}",             /* wrong type */
    "{\"beta\": 2}",                  /* fails validation */
    "{\"kv_scale\": \"per-row\"}",    /* unknown enum */
    "{\"write_clamp\": \"zero\"}",
    "{\"analog\": [\"qkv\", \"mlp\"]}",
    "{\"adc_bits\": 6.5}",
    "[1, 2]",
    "{not json",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_assert_false (vx_xbar_config_from_json_string (&d, bad[i], &e));
      g_assert_nonnull (e);
      g_assert_true (e->domain == VX_ERROR);
    }

  g_autofree char *s = vx_xbar_config_to_string (&c);
  g_assert_nonnull (strstr (s, "RRAM (paper)"));
  g_assert_nonnull (strstr (s, "ClipFormer (2, 0.25) renormalised"));
  g_assert_nonnull (strstr (s, "analog head,qk"));
  g_assert_nonnull (strstr (s, "write clamp none"));

  guint mask;
  g_assert_true (vx_xbar_analog_from_string ("qkv, proj ,sv", &mask, NULL));
  g_assert_cmpuint (mask, ==, VX_XBAR_ANALOG (VX_MM_QKV) | VX_XBAR_ANALOG (VX_MM_PROJ)
                    | VX_XBAR_ANALOG (VX_MM_SV));
  g_assert_false (vx_xbar_analog_from_string ("qkv,attn", &mask, NULL));
}

/* ---- bulk normals ------------------------------------------------------------------------ */

static void
test_normal_bulk (void)
{
  size_t n = 1000000;
  float *z = g_new (float, n);
  VxRng r;
  vx_rng_init (&r, vx_rng_key (5, 6, 7, 8, 9));
  vx_rng_normal_bulk (&r, z, n);
  double s1 = 0, s2 = 0, s4 = 0;
  size_t tail2 = 0;
  for (size_t i = 0; i < n; i++)
    {
      double v = z[i];
      s1 += v;
      s2 += v * v;
      s4 += v * v * v * v;
      tail2 += fabs (v) > 2.0;
    }
  double mean = s1 / n, var = s2 / n - mean * mean, kurt = s4 / n / (var * var);
  g_assert_cmpfloat (fabs (mean), <, 5e-3);
  g_assert_cmpfloat (fabs (var - 1.0), <, 1e-2);
  g_assert_cmpfloat (fabs (kurt - 3.0), <, 0.05);
  /* P(|z| > 2) = 0.0455; the binomial sd over 1e6 draws is 2.1e-4 */
  g_assert_cmpfloat (fabs ((double) tail2 / n - 0.0455), <, 1.5e-3);

  /* a pure function of (key, counter): same key, same numbers; blocks chain */
  float *a = g_new (float, 1000), *b = g_new (float, 1000);
  vx_rng_init (&r, 42);
  vx_rng_normal_bulk (&r, a, 1000);
  vx_rng_init (&r, 42);
  vx_rng_normal_bulk (&r, b, 256);
  vx_rng_normal_bulk (&r, b + 256, 744);
  g_assert_cmpmem (a, 1000 * sizeof (float), b, 1000 * sizeof (float));
  vx_rng_init (&r, 43);
  vx_rng_normal_bulk (&r, b, 1000);
  g_assert_cmpfloat (xbar_test_max_diff (a, b, 1000), >, 0.5);
  g_free (a);
  g_free (b);
  g_free (z);
}

/* ---- decoded-weight perturbation statistics ------------------------------------------------- */

/* decode NSAMP copies of the value level/L (w_max = 1); mean and sd of the error */
static void
perturbation (const VxXbarConfig *c, int level, gboolean dynamic, guint64 key,
              double *mean, double *sd)
{
  int L = vx_xbar_levels (c);
  float w = (float) level / L;
  float *in = g_new (float, NSAMP), *out = g_new (float, NSAMP);
  double *d = g_new (double, NSAMP);
  for (int i = 0; i < NSAMP; i++)
    in[i] = w;
  vx_xbar_program_decode (c, out, in, NSAMP, 1.0, dynamic, key);
  for (int i = 0; i < NSAMP; i++)
    d[i] = (double) out[i] - w;
  *sd = xbar_test_std (d, NSAMP, mean);
  g_free (in);
  g_free (out);
  g_free (d);
}

/* eq. 8 for one array: sigma_R (w + w_max / (r - 1)); the differential pair's idle
 * array at G_min adds an independent sigma_R w_max / (r - 1) */
static double
eq8_pair (double sigma_r, double w, double r)
{
  double c = 1.0 / (r - 1.0);
  return sigma_r * sqrt ((w + c) * (w + c) + c * c);
}

static void
test_read_eq8 (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.gamma = 0;
  int levels[] = { 0, 26, 64, 128, 255 };
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    for (int dyn = 0; dyn < 2; dyn++)
      {
        double w = levels[i] / 255.0, mean, sd;
        perturbation (&c, levels[i], dyn, 100 + i * 2 + dyn, &mean, &sd);
        double want = eq8_pair (0.05, w, 100);
        g_assert_cmpfloat (fabs (mean), <, 4 * want / sqrt (NSAMP) + 1e-7);
        g_assert_cmpfloat (fabs (sd / want - 1.0), <, 0.03);
        /* where the idle array's share is negligible, eq. 8 itself */
        if (w >= 0.25)
          g_assert_cmpfloat (fabs (sd / (0.05 * (w + 1.0 / 99)) - 1.0), <, 0.03);
      }
}

static void
test_read_onoff (void)
{
  /* read-noise spread shrinks as the ON/OFF ratio grows (G_min fixed), as eq. 8 says */
  double prev = INFINITY;
  double ratios[] = { 5, 10, 25, 100, 1000 };
  for (guint i = 0; i < G_N_ELEMENTS (ratios); i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.gamma = 0;
      vx_xbar_config_set_onoff (&c, ratios[i]);
      double mean, sd;
      perturbation (&c, 51, FALSE, 300 + i, &mean, &sd);        /* w = 0.2 w_max */
      double want = eq8_pair (0.05, 51 / 255.0, ratios[i]);
      g_assert_cmpfloat (fabs (sd / want - 1.0), <, 0.03);
      g_assert_cmpfloat (sd, <, prev);
      prev = sd;
    }
}

static void
test_write_eq9 (void)
{
  double ratios[] = { 10, 100, 1000 };
  int levels[] = { 26, 128, 255 };
  for (guint li = 0; li < G_N_ELEMENTS (levels); li++)
    {
      double w = levels[li] / 255.0, want = 3.0 * 0.1 * sqrt (w * 1.0), first = 0;
      for (guint ri = 0; ri < G_N_ELEMENTS (ratios); ri++)
        {
          VxXbarConfig c;
          vx_xbar_config_init (&c);
          c.write_clamp = VX_WRITE_CLAMP_NONE;   /* eq. 9 as written, no bound */
          c.sigma_r = 0;
          c.gamma = 3;
          vx_xbar_config_set_onoff (&c, ratios[ri]);
          double mean, sd;
          perturbation (&c, levels[li], TRUE, 500 + li * 8 + ri, &mean, &sd);
          g_assert_cmpfloat (fabs (mean), <, 4 * want / sqrt (NSAMP));
          g_assert_cmpfloat (fabs (sd / want - 1.0), <, 0.03);
          /* independent of r */
          if (ri == 0)
            first = sd;
          else
            g_assert_cmpfloat (fabs (sd / first - 1.0), <, 0.03);
        }
    }
  /* static arrays get no write noise */
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.sigma_r = 0;
  c.gamma = 5;
  double mean, sd;
  perturbation (&c, 128, FALSE, 900, &mean, &sd);
  g_assert_cmpfloat (sd, ==, 0.0);
}

static void
test_write_and_read (void)
{
  /* write noise first, then multiplicative read noise on the written conductance:
   * var = W^2 + sigma_R^2 ((w + c)^2 + W^2 + c^2), W = gamma sigma_W sqrt(w w_max) */
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.write_clamp = VX_WRITE_CLAMP_NONE;   /* the formula has no bound */
  c.gamma = 4;
  double w = 100 / 255.0, cc = 1.0 / 99, W = 4 * 0.1 * sqrt (w);
  double want = sqrt (W * W + 0.05 * 0.05 * ((w + cc) * (w + cc) + W * W + cc * cc));
  double mean, sd;
  perturbation (&c, 100, TRUE, 1000, &mean, &sd);
  g_assert_cmpfloat (fabs (sd / want - 1.0), <, 0.03);
  g_assert_cmpfloat (fabs (mean), <, 4 * want / sqrt (NSAMP));
  /* a zero: both arrays at G_min, no write noise, read noise on both (sqrt 2 of eq. 8) */
  perturbation (&c, 0, TRUE, 1001, &mean, &sd);
  g_assert_cmpfloat (fabs (sd / (0.05 * sqrt (2.0) * cc) - 1.0), <, 0.03);
}

/* E[min(max(X, a), b)] for X ~ N(mu, s^2) */
static double
clipped_normal_mean (double mu, double s, double a, double b)
{
  double al = (a - mu) / s, be = (b - mu) / s;
  double Pa = 0.5 * erfc (-al / sqrt (2)), Pb = 0.5 * erfc (-be / sqrt (2));
  double pa = exp (-0.5 * al * al) / sqrt (2 * G_PI), pb = exp (-0.5 * be * be) / sqrt (2 * G_PI);
  return a * Pa + b * (1 - Pb) + mu * (Pb - Pa) + s * (pa - pb);
}

static void
test_write_clamp (void)
{
  /* gamma 5: a value at level 1 lands below G_min 47% of the time, one at the
   * top level above G_max half the time (docs/MODEL.md section 3) */
  int levels[] = { 1, 64, 255 };
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      g_assert_cmpint (c.write_clamp, ==, VX_WRITE_CLAMP_DEVICE);   /* the default */
      c.sigma_r = 0;
      c.gamma = 5;
      int L = vx_xbar_levels (&c);
      float w = (float) levels[i] / L;
      float *in = g_new (float, NSAMP), *dev = g_new (float, NSAMP), *none = g_new (float, NSAMP);
      double *d = g_new (double, NSAMP);
      for (int k = 0; k < NSAMP; k++)
        in[k] = k % 2 ? w : -w;
      vx_xbar_program_decode (&c, dev, in, NSAMP, 1.0, TRUE, 1200 + i);
      c.write_clamp = VX_WRITE_CLAMP_NONE;
      vx_xbar_program_decode (&c, none, in, NSAMP, 1.0, TRUE, 1200 + i);
      int outside = 0;
      for (int k = 0; k < NSAMP; k++)
        {
          /* device: the written conductance stays in [G_min, G_max], i.e. the
           * decoded magnitude in [0, w_max], on the value's own side */
          float mag = k % 2 ? dev[k] : -dev[k];
          g_assert_cmpfloat (mag, >=, 0.0f);
          g_assert_cmpfloat (mag, <=, 1.0f);
          /* the same noise draws: device is none clamped, bit for bit */
          float n = k % 2 ? none[k] : -none[k];
          float want = n < 0.f ? 0.f : n > 1.f ? 1.f : n;
          g_assert_cmpfloat (mag, ==, want);
          outside += n < 0.f || n > 1.f;
          d[k] = mag;
        }
      /* without the clamp, eq. 3 leaves the range as often as the normal says */
      double sdw = 5 * 0.1 * sqrt (levels[i] * (double) L) / L;     /* value units */
      double p_out = 0.5 * erfc (w / sdw / sqrt (2)) + 0.5 * erfc ((1 - w) / sdw / sqrt (2));
      g_assert_cmpfloat (fabs ((double) outside / NSAMP - p_out), <, 4 * sqrt (p_out / NSAMP) + 1e-9);
      /* the clamped mean is that of the clipped normal */
      double mean, sd = xbar_test_std (d, NSAMP, &mean);
      double want_mean = clipped_normal_mean (w, sdw, 0, 1);
      g_assert_cmpfloat (fabs (mean - want_mean), <, 4 * sd / sqrt (NSAMP));
      g_free (in);
      g_free (dev);
      g_free (none);
      g_free (d);
    }
}

static void
test_zero_noise_quantisation (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.sigma_r = c.sigma_w = c.gamma = 0;
  float in[1001], out[1001];
  for (int i = 0; i <= 1000; i++)
    in[i] = (float) (sin (i * 0.37) * 1.7);
  for (int dyn = 0; dyn < 2; dyn++)
    {
      vx_xbar_program_decode (&c, out, in, 1001, 0, dyn, 1);
      double wmax = 0;
      for (int i = 0; i <= 1000; i++)
        wmax = fmax (wmax, fabs (in[i]));
      for (int i = 0; i <= 1000; i++)
        {
          double q = rint (fabs (in[i]) / wmax * 255.0) * wmax / 255.0;
          q = in[i] < 0 ? -q : q;
          g_assert_cmpfloat (fabs (out[i] - q), <=, 1e-6 * wmax);
          g_assert_cmpfloat (fabs (out[i] - in[i]), <=, wmax / 510.0 + 1e-6);
        }
    }
}

/* ---- per-channel scales decode exactly at zero noise ---------------------------------------- */

/* V through the SV hook with one-hot softmax rows: the output rows are the decoded V */
static void
decode_v (VxKvScale policy, float *vdec, const float *v, int N, int Dh)
{
  VxModel *m = xbar_test_model (1, 2, 3);
  g_assert_cmpint (vx_arch_num_tokens (&m->arch), ==, N);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  c.sigma_r = c.sigma_w = c.gamma = 0;
  c.kv_scale = policy;
  c.analog = VX_XBAR_ANALOG (VX_MM_SV);
  VxXbarSim *sim = vx_xbar_sim_new (m, &c, NULL);
  const VxMatmulHooks *hk = vx_xbar_sim_get_hooks (sim);
  float *s = g_new0 (float, N * N);
  for (int t = 0; t < N; t++)
    s[t * N + t] = 1.0f;
  VxMatmulSite site = { VX_MM_SV, 0, 0, 0, 0, 0 };
  hk->attn_sv (hk->user, &site, vdec, Dh, s, v, N, Dh, Dh);
  g_free (s);
  vx_xbar_sim_free (sim);
  vx_model_free (m);
}

static void
test_per_channel_decode (void)
{
  int N = 17, Dh = 16;
  float *v = g_new (float, N * Dh), *dec = g_new (float, N * Dh);
  double cmax[16];
  for (int j = 0; j < Dh; j++)
    cmax[j] = pow (2.0, -(j % 8)) * (1 + 0.1 * j);
  for (int t = 0; t < N; t++)
    for (int j = 0; j < Dh; j++)
      v[t * Dh + j] = (float) (cmax[j] * sin (1.3 * t + 0.7 * j + 0.2));
  for (int j = 0; j < Dh; j++)
    {
      double m = 0;
      for (int t = 0; t < N; t++)
        m = fmax (m, fabs (v[t * Dh + j]));
      cmax[j] = m;
    }
  double gmax = 0;
  for (int j = 0; j < Dh; j++)
    gmax = fmax (gmax, cmax[j]);

  decode_v (VX_KV_SCALE_PER_CHANNEL, dec, v, N, Dh);
  for (int t = 0; t < N; t++)
    for (int j = 0; j < Dh; j++)
      {
        double x = v[t * Dh + j];
        double q = rint (fabs (x) / cmax[j] * 255) * cmax[j] / 255;
        q = x < 0 ? -q : q;
        g_assert_cmpfloat (fabs (dec[t * Dh + j] - q), <=, 1e-6 * cmax[j]);
      }

  /* the per-head scale quantises small channels on the head's grid instead */
  decode_v (VX_KV_SCALE_PER_HEAD, dec, v, N, Dh);
  int differ = 0;
  for (int t = 0; t < N; t++)
    for (int j = 0; j < Dh; j++)
      {
        double x = v[t * Dh + j];
        double q = rint (fabs (x) / gmax * 255) * gmax / 255;
        q = x < 0 ? -q : q;
        g_assert_cmpfloat (fabs (dec[t * Dh + j] - q), <=, 1e-6 * gmax);
        differ += fabs (dec[t * Dh + j] - x) > cmax[j] / 510.0 + 1e-7;
      }
  g_assert_cmpint (differ, >, N * Dh / 4);
  g_free (v);
  g_free (dec);
}

/* ---- write noise per mode: whole conductance vs each 2-bit cell ------------------------------------- */

/* Functional mode applies eq. 3 to the whole 8-bit level p: in level units a
 * standard deviation of gamma sigma_W sqrt(p L). Circuit mode applies it to
 * each 2-bit cell c_s of the level with the full range, weighted by 4^s:
 * gamma sigma_W sqrt(sum_s 3 c_s 16^s) (docs/MODEL.md section 6). Measured
 * through the S V hook with one-hot softmax rows (the output is the decoded V),
 * no read noise, no clamp (the formulas have none), a 16-bit ADC. */
static double
cell_write_sd (int p)
{
  double v = 0;
  for (int sl = 0; sl < 4; sl++)
    v += 3.0 * ((p >> (2 * sl)) & 3) * pow (16.0, sl);
  return sqrt (v);
}

static void
test_write_granularity (void)
{
  VxModel *m = xbar_test_model (1, 2, 3);
  int N = vx_arch_num_tokens (&m->arch), Dh = vx_arch_head_dim (&m->arch), images = 150;
  const int levels[3] = { 255, 64, 1 };
  g_autofree float *v = g_new (float, N * Dh), *out = g_new (float, N * Dh);
  g_autofree float *s = g_new0 (float, N * N);
  for (int t = 0; t < N; t++)
    {
      s[t * N + t] = 1.0f;
      for (int j = 0; j < Dh; j++)
        v[t * Dh + j] = levels[j % 3] / 255.0f;    /* w_max = 1: level 255 is there */
    }
  for (int mode = 0; mode < 2; mode++)
    {
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      c.sigma_r = 0;
      c.gamma = 3;
      c.write_clamp = VX_WRITE_CLAMP_NONE;
      c.adc_bits = 16;
      c.analog = VX_XBAR_ANALOG (VX_MM_SV);
      c.mode = mode ? VX_XBAR_CIRCUIT : VX_XBAR_FUNCTIONAL;
      VxXbarSim *sim = vx_xbar_sim_new (m, &c, NULL);
      const VxMatmulHooks *hk = vx_xbar_sim_get_hooks (sim);
      double s1[3] = { 0 }, s2[3] = { 0 }, n[3] = { 0 };
      for (int im = 0; im < images; im++)
        {
          VxMatmulSite site = { VX_MM_SV, 0, 0, im, 0, 0, N, 1 };
          hk->attn_sv (hk->user, &site, out, Dh, s, v, N, Dh, Dh);
          for (int t = 0; t < N; t++)
            for (int j = 0; j < Dh; j++)
              {
                double d = (out[t * Dh + j] - v[t * Dh + j]) * 255.0;   /* levels */
                s1[j % 3] += d;
                s2[j % 3] += d * d;
                n[j % 3]++;
              }
        }
      for (int k = 0; k < 3; k++)
        {
          int p = levels[k];
          double want = 3 * 0.1 * (mode ? cell_write_sd (p) : sqrt (p * 255.0));
          double mean = s1[k] / n[k], sd = sqrt (s2[k] / n[k] - mean * mean);
          g_test_message ("%s, level %d: sd %.3f levels, formula %.3f (%.0f samples)",
                          mode ? "circuit" : "functional", p, sd, want, n[k]);
          g_assert_cmpfloat (fabs (sd / want - 1), <, 0.03);
          /* unbiased within 4 standard errors, and the ADC's half code */
          g_assert_cmpfloat (fabs (mean), <, 4 * want / sqrt (n[k]) + (mode ? 0.1 : 0));
        }
      vx_xbar_sim_free (sim);
    }
  /* the two granularities differ most for small levels: 0.52 vs 4.79 levels at level 1 */
  g_assert_cmpfloat (3 * 0.1 * cell_write_sd (1), <, 0.15 * 3 * 0.1 * sqrt (255.0));
  vx_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xbar/config/presets", test_presets);
  g_test_add_func ("/xbar/config/validate", test_validate);
  g_test_add_func ("/xbar/config/json", test_json);
  g_test_add_func ("/xbar/noise/normal-bulk", test_normal_bulk);
  g_test_add_func ("/xbar/noise/read-eq8", test_read_eq8);
  g_test_add_func ("/xbar/noise/read-onoff", test_read_onoff);
  g_test_add_func ("/xbar/noise/write-eq9", test_write_eq9);
  g_test_add_func ("/xbar/noise/write-and-read", test_write_and_read);
  g_test_add_func ("/xbar/noise/write-clamp", test_write_clamp);
  g_test_add_func ("/xbar/noise/write-granularity", test_write_granularity);
  g_test_add_func ("/xbar/noise/zero-noise-quantisation", test_zero_noise_quantisation);
  g_test_add_func ("/xbar/noise/per-channel-decode", test_per_channel_decode);
  return g_test_run ();
}
