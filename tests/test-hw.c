/* test-hw.c: the area/energy estimator against docs/MODEL.md section 7 and the paper */
#define G_LOG_DOMAIN "test-hw"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-hw.h"

static void
estimate (const char *arch, const VxXbarConfig *c, VxHwReport *r)
{
  VxArch a;
  g_autoptr (GError) err = NULL;
  g_assert_true (vx_hw_arch_preset (arch, &a, &err));
  g_assert_true (vx_hw_estimate (&a, c, r, &err));
  g_assert_no_error (err);
}

static const VxHwMatrix *
find (const VxHwReport *r, const char *name)
{
  for (int i = 0; i < r->n_matrices; i++)
    if (strcmp (r->m[i].name, name) == 0)
      return &r->m[i];
  g_error ("no matrix %s", name);
}

/* docs/MODEL.md's worked example: one DeiT-S block */
static void
test_deit_s_block (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  VxHwReport r;
  estimate ("deit-s", &c, &r);
  g_assert_cmpint (r.tokens, ==, 197);
  g_assert_cmpint (find (&r, "W_Q")->xbars_per_block, ==, 6 * 6 * 4 * 2);
  g_assert_cmpint (find (&r, "W_K")->xbars_per_block, ==, 288);
  g_assert_cmpint (find (&r, "W_V")->xbars_per_block, ==, 288);
  g_assert_cmpint (find (&r, "K^T")->tiles, ==, 4);
  g_assert_cmpint (find (&r, "K^T")->xbars_per_block, ==, 6 * 32);
  g_assert_cmpint (find (&r, "V")->xbars_per_block, ==, 6 * 32);
  int L = 12;
  g_assert_cmpint (r.attn_xbars, ==, 1248 * L);
  g_assert_cmpfloat (r.attn_reads, ==, 245856.0 * L);
  g_assert_cmpfloat (r.attn_writes, ==, 384.0 * L);
  g_assert_cmpfloat (fabs (r.attn_energy_uj / L - 6.191712), <, 1e-9);
  g_assert_cmpfloat (fabs (r.attn_area_mm2 / L - 1248 * 0.03), <, 1e-9);
  g_assert_cmpfloat (r.attn_mults, ==, 0.0);
  /* projection and MLP apart: proj 6x6, fc1 6x24, fc2 24x6 tiles, 8 arrays each */
  g_assert_cmpint (r.other_xbars, ==, (36 + 144 + 144) * 8 * L);
  g_assert_cmpfloat (find (&r, "proj")->writes, ==, 0.0);
}

static double
saving (double before, double after)
{
  return 100.0 * (before - after) / before;
}

static void
test_clipformer_saving (void)
{
  VxXbarConfig base, clip;
  vx_xbar_config_init (&base);
  clip = base;
  clip.clipformer = TRUE;
  clip.alpha = 2;
  clip.beta = 0.25;
  const char *archs[] = { "deit-s", "lvvit-s", "deit-t", "deit-b" };
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      VxHwReport a, b;
      estimate (archs[i], &base, &a);
      estimate (archs[i], &clip, &b);
      double da = saving (a.attn_area_mm2, b.attn_area_mm2);
      double de = saving (a.attn_energy_uj, b.attn_energy_uj);
      g_test_message ("%s: attention area -%.2f%%, energy -%.2f%% with ClipFormer (2, 0.25)",
                      archs[i], da, de);
      /* the paper's 7-8% for DeiT-S (12 blocks) and LV-ViT-S (16 blocks) */
      if (i < 2)
        {
          g_assert_cmpfloat (da, >=, 7.0);
          g_assert_cmpfloat (da, <=, 8.0);
          g_assert_cmpfloat (de, >=, 7.0);
          g_assert_cmpfloat (de, <=, 8.0);
        }
      g_assert_cmpint (find (&b, "K^T")->slices, ==, 3);
      g_assert_cmpint (find (&b, "K^T")->bits, ==, 6);
    }
  /* DeiT-S per block: 1,152 crossbars, 226,944 reads, 288 writes, 5.71 uJ */
  VxHwReport b;
  estimate ("deit-s", &clip, &b);
  g_assert_cmpint (b.attn_xbars, ==, 1152 * 12);
  g_assert_cmpfloat (b.attn_reads, ==, 226944.0 * 12);
  g_assert_cmpfloat (b.attn_writes, ==, 288.0 * 12);
  g_assert_cmpfloat (fabs (b.attn_energy_uj / 12 - (226944 * 25.0 + 288 * 118.0) * 1e-6), <, 1e-9);

  /* alpha alone (beta = 1) keeps 8 bits; the renormalised reading keeps 4 slices */
  VxHwReport x;
  clip.beta = 1;
  estimate ("deit-s", &clip, &x);
  g_assert_cmpint (x.attn_xbars, ==, 1248 * 12);
  clip.beta = 0.25;
  clip.decode = VX_CLIP_DECODE_RENORMALISED;
  estimate ("deit-s", &clip, &x);
  g_assert_cmpint (x.attn_xbars, ==, 1248 * 12);
}

static void
test_sram (void)
{
  VxXbarConfig rram, sram;
  vx_xbar_config_init (&rram);
  vx_xbar_config_init_preset (&sram, VX_XBAR_PRESET_SRAM_IMC);
  const char *archs[] = { "deit-s", "lvvit-s", "deit-b" };
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      VxHwReport a, b;
      estimate (archs[i], &rram, &a);
      estimate (archs[i], &sram, &b);
      /* 8 one-bit arrays, no pair: as many arrays as RRAM's 4 slices x 2 */
      g_assert_cmpint (find (&b, "W_Q")->slices, ==, 8);
      g_assert_cmpint (b.attn_xbars, ==, a.attn_xbars);
      g_assert_cmpfloat (fabs (b.attn_area_mm2 / a.attn_area_mm2 - 5.1), <, 1e-9);
      g_assert_cmpfloat (fabs (b.attn_energy_uj / a.attn_energy_uj - 2.3), <, 1e-9);
    }
  /* the fitted costs say so, in the table and the JSON; the paper's RRAM ones do not */
  VxHwReport a, b;
  estimate ("deit-s", &rram, &a);
  estimate ("deit-s", &sram, &b);
  g_assert_null (vx_xbar_config_costs_note (&rram));
  g_assert_nonnull (strstr (vx_xbar_config_costs_note (&sram), "fitted"));
  g_autofree char *ta = vx_hw_report_to_table (&a), *tb = vx_hw_report_to_table (&b);
  g_assert_null (strstr (ta, "fitted"));
  g_assert_nonnull (strstr (tb, "fitted to the paper's Fig. 1a"));
  g_autoptr (JsonNode) ja = vx_hw_report_to_json (&a), jb = vx_hw_report_to_json (&b);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (ja), "costs_fitted"));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (jb), "costs_fitted"));
  /* costs of one's own are no longer the fitted ones */
  sram.area_mm2 = 0.2;
  g_assert_null (vx_xbar_config_costs_note (&sram));
}

static void
test_per_channel (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  VxHwReport a, b;
  estimate ("deit-s", &c, &a);
  c.kv_scale = VX_KV_SCALE_PER_CHANNEL;
  estimate ("deit-s", &c, &b);
  /* N * Dh multiplies per head for K (query pre-scaling) and for V (post-ADC gain) */
  double mults = 2.0 * 197 * 64 * 6 * 12;
  g_assert_cmpfloat (b.attn_mults, ==, mults);
  g_assert_cmpfloat (find (&b, "K^T")->mults, ==, mults / 2);
  g_assert_cmpfloat (fabs (b.attn_mult_energy_uj - mults * 1.1e-6), <, 1e-9);
  g_assert_cmpfloat (fabs (b.attn_energy_uj - a.attn_energy_uj - mults * 1.1e-6), <, 1e-9);
  g_assert_cmpint (b.attn_xbars, ==, a.attn_xbars);
  g_autofree char *t = vx_hw_report_to_table (&b);
  g_assert_nonnull (strstr (t, "digital multiplies"));
}

static void
test_presets_and_errors (void)
{
  const char *const *names = vx_hw_arch_preset_names ();
  g_assert_cmpstr (names[0], ==, "deit-t");
  g_assert_cmpuint (g_strv_length ((char **) names), ==, 4);
  VxArch a;
  g_assert_true (vx_hw_arch_preset ("LVVIT-S", &a, NULL));
  g_assert_cmpint (a.depth, ==, 16);
  g_assert_cmpint (a.mlp_hidden, ==, 3 * a.embed_dim);
  g_assert_cmpint (vx_arch_num_tokens (&a), ==, 197);
  g_autoptr (GError) err = NULL;
  g_assert_false (vx_hw_arch_preset ("vit-h", &a, &err));
  g_assert_error (err, VX_ERROR, VX_ERROR_INVALID_ARG);

  VxXbarConfig c;
  vx_xbar_config_init (&c);
  VxHwReport r;
  g_clear_error (&err);
  c.bits_per_cell = 3;
  g_assert_false (vx_hw_estimate (&a, &c, &r, &err));
  g_assert_nonnull (err);
  vx_xbar_config_init (&c);
  a.num_heads = 5;     /* 384 not divisible */
  g_clear_error (&err);
  g_assert_false (vx_hw_estimate (&a, &c, &r, &err));
  g_assert_nonnull (err);

  /* a small model: one tile per matrix, the shapes of the stored operands */
  VxArch s = { 28, 4, 1, 10, 64, 6, 4, 128, 0, 1e-6f };
  g_assert_true (vx_hw_estimate (&s, &c, &r, NULL));
  g_assert_cmpint (r.tokens, ==, 50);
  const VxHwMatrix *k = find (&r, "K^T");
  g_assert_cmpint (k->rows, ==, 16);
  g_assert_cmpint (k->cols, ==, 50);
  g_assert_cmpint (k->count, ==, 4);
  g_assert_cmpint (k->xbars_per_block, ==, 1 * 4 * 2 * 4);
  g_assert_cmpint (find (&r, "fc2")->rows, ==, 128);
}

static void
test_json (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  VxHwReport r;
  estimate ("deit-s", &c, &r);
  g_autoptr (JsonNode) j = vx_hw_report_to_json (&r);
  JsonObject *o = json_node_get_object (j);
  JsonObject *att = json_object_get_object_member (o, "attention");
  g_assert_cmpint (json_object_get_int_member (att, "xbars"), ==, 1248 * 12);
  g_assert_cmpfloat (json_object_get_double_member (att, "area_mm2"), ==, r.attn_area_mm2);
  g_assert_cmpfloat (json_object_get_double_member (att, "energy_uj"), ==, r.attn_energy_uj);
  JsonArray *bd = json_object_get_array_member (o, "breakdown");
  g_assert_cmpint (json_array_get_length (bd), ==, 8);
  JsonObject *kt = json_array_get_object_element (bd, 3);
  g_assert_cmpstr (json_object_get_string_member (kt, "name"), ==, "K^T");
  g_assert_cmpint (json_object_get_int_member (kt, "slices"), ==, 4);
  g_assert_true (json_object_has_member (o, "config"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hw/deit-s-block", test_deit_s_block);
  g_test_add_func ("/hw/clipformer-saving", test_clipformer_saving);
  g_test_add_func ("/hw/sram", test_sram);
  g_test_add_func ("/hw/per-channel", test_per_channel);
  g_test_add_func ("/hw/presets-and-errors", test_presets_and_errors);
  g_test_add_func ("/hw/json", test_json);
  return g_test_run ();
}
