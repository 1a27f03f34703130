/* vx-hw.c: crossbar area and energy estimator (docs/MODEL.md section 7) */
#define G_LOG_DOMAIN "vx-hw"
#include "config.h"

#include <string.h>

#include "vx-error.h"
#include "vx-hw.h"

static int64_t
ceil_div (int64_t a, int64_t b)
{
  return (a + b - 1) / b;
}

typedef struct {
  const char *name;
  gboolean attention, dynamic;
  int rows, cols, count;
  double reads_per_xbar;   /* per image per block */
  double mults;            /* per image per block */
} MatrixSpec;

static void
add_matrix (VxHwReport *r, const MatrixSpec *s, int bits)
{
  const VxXbarConfig *c = &r->config;
  int depth = r->arch.depth;
  VxHwMatrix *m = &r->m[r->n_matrices++];
  g_assert (r->n_matrices <= VX_HW_MAX_MATRICES);
  g_strlcpy (m->name, s->name, sizeof m->name);
  m->attention = s->attention;
  m->dynamic = s->dynamic;
  m->rows = s->rows;
  m->cols = s->cols;
  m->count = s->count;
  m->bits = bits;
  m->slices = (int) ceil_div (bits, c->bits_per_cell);
  m->tiles = ceil_div (s->rows, c->xbar_size) * ceil_div (s->cols, c->xbar_size);
  m->xbars_per_block = m->tiles * m->slices * (c->differential ? 2 : 1) * s->count;
  m->xbars = m->xbars_per_block * depth;
  m->reads = (double) m->xbars * s->reads_per_xbar;
  m->writes = s->dynamic ? (double) m->xbars : 0.0;
  m->mults = s->mults * depth;
  m->area_mm2 = m->xbars * c->area_mm2;
  m->energy_uj = (m->reads * c->e_read_pj + m->writes * c->e_write_pj
                  + m->mults * c->e_mult_pj) * 1e-6;
}

gboolean
vx_hw_estimate (const VxArch *arch, const VxXbarConfig *cfg, VxHwReport *r, GError **error)
{
  if (!vx_arch_validate (arch, error) || !vx_xbar_config_validate (cfg, error))
    return FALSE;
  memset (r, 0, sizeof *r);
  r->arch = *arch;
  r->config = *cfg;
  int N = vx_arch_num_tokens (arch), D = arch->embed_dim, H = arch->num_heads;
  int Dh = vx_arch_head_dim (arch), F = arch->mlp_hidden;
  int wb = cfg->weight_bits, kvb = vx_xbar_kv_bits (cfg);
  double chan_mults = cfg->kv_scale == VX_KV_SCALE_PER_CHANNEL ? (double) N * Dh * H : 0.0;
  r->tokens = N;

  /* stored operands: rows = inputs, cols = outputs */
  const MatrixSpec specs[] = {
    { "W_Q", TRUE, FALSE, D, D, 1, N, 0 },
    { "W_K", TRUE, FALSE, D, D, 1, N, 0 },
    { "W_V", TRUE, FALSE, D, D, 1, N, 0 },
    { "K^T", TRUE, TRUE, Dh, N, H, N, chan_mults },   /* read once per query row */
    { "V", TRUE, TRUE, N, Dh, H, N, chan_mults },     /* read once per softmax row */
    { "proj", FALSE, FALSE, D, D, 1, N, 0 },
    { "fc1", FALSE, FALSE, D, F, 1, N, 0 },
    { "fc2", FALSE, FALSE, F, D, 1, N, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    add_matrix (r, &specs[i], specs[i].dynamic ? kvb : wb);

  for (int i = 0; i < r->n_matrices; i++)
    {
      const VxHwMatrix *m = &r->m[i];
      if (m->attention)
        {
          r->attn_xbars += m->xbars;
          r->attn_area_mm2 += m->area_mm2;
          r->attn_energy_uj += m->energy_uj;
          r->attn_reads += m->reads;
          r->attn_writes += m->writes;
          r->attn_mults += m->mults;
        }
      else
        {
          r->other_xbars += m->xbars;
          r->other_area_mm2 += m->area_mm2;
          r->other_energy_uj += m->energy_uj;
        }
    }
  r->attn_mult_energy_uj = r->attn_mults * cfg->e_mult_pj * 1e-6;
  return TRUE;
}

/* ---- architecture presets ------------------------------------------------------------------- */

static const char *const preset_names[] = { "deit-t", "deit-s", "deit-b", "lvvit-s", NULL };

const char *const *
vx_hw_arch_preset_names (void)
{
  return preset_names;
}

gboolean
vx_hw_arch_preset (const char *name, VxArch *out, GError **error)
{
  /* img, patch, chans, classes, dim, depth, heads, mlp, distilled, eps */
  static const VxArch archs[] = {
    { 224, 16, 3, 1000, 192, 12, 3, 768, 0, 1e-6f },     /* DeiT-T */
    { 224, 16, 3, 1000, 384, 12, 6, 1536, 0, 1e-6f },    /* DeiT-S */
    { 224, 16, 3, 1000, 768, 12, 12, 3072, 0, 1e-6f },   /* DeiT-B */
    { 224, 16, 3, 1000, 384, 16, 6, 1152, 0, 1e-6f },    /* LV-ViT-S: depth 16, MLP ratio 3 */
  };
  for (int i = 0; preset_names[i]; i++)
    if (g_ascii_strcasecmp (name, preset_names[i]) == 0)
      {
        *out = archs[i];
        return TRUE;
      }
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "architecture preset \"%s\" is unknown (known: deit-t, deit-s, deit-b, lvvit-s)",
               name);
  return FALSE;
}

/* ---- output ----------------------------------------------------------------------------------- */

JsonNode *
vx_hw_report_to_json (const VxHwReport *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const VxArch *a = &r->arch;
  json_builder_begin_object (b);
#define INT(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
#define DBL(k, v) json_builder_set_member_name (b, k); json_builder_add_double_value (b, v)
  json_builder_set_member_name (b, "arch");
  json_builder_begin_object (b);
  INT ("depth", a->depth);
  INT ("embed_dim", a->embed_dim);
  INT ("num_heads", a->num_heads);
  INT ("head_dim", vx_arch_head_dim (a));
  INT ("mlp_hidden", a->mlp_hidden);
  json_builder_end_object (b);
  INT ("tokens", r->tokens);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, vx_xbar_config_to_json (&r->config));
  json_builder_set_member_name (b, "attention");
  json_builder_begin_object (b);
  INT ("xbars", r->attn_xbars);
  DBL ("area_mm2", r->attn_area_mm2);
  DBL ("energy_uj", r->attn_energy_uj);
  DBL ("reads", r->attn_reads);
  DBL ("writes", r->attn_writes);
  DBL ("mults", r->attn_mults);
  DBL ("mult_energy_uj", r->attn_mult_energy_uj);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "other");
  json_builder_begin_object (b);
  INT ("xbars", r->other_xbars);
  DBL ("area_mm2", r->other_area_mm2);
  DBL ("energy_uj", r->other_energy_uj);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "breakdown");
  json_builder_begin_array (b);
  for (int i = 0; i < r->n_matrices; i++)
    {
      const VxHwMatrix *m = &r->m[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->name);
      json_builder_set_member_name (b, "attention");
      json_builder_add_boolean_value (b, m->attention);
      json_builder_set_member_name (b, "dynamic");
      json_builder_add_boolean_value (b, m->dynamic);
      INT ("rows", m->rows);
      INT ("cols", m->cols);
      INT ("count", m->count);
      INT ("bits", m->bits);
      INT ("slices", m->slices);
      INT ("tiles", m->tiles);
      INT ("xbars_per_block", m->xbars_per_block);
      INT ("xbars", m->xbars);
      DBL ("reads", m->reads);
      DBL ("writes", m->writes);
      DBL ("mults", m->mults);
      DBL ("area_mm2", m->area_mm2);
      DBL ("energy_uj", m->energy_uj);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* the costs' provenance: a sentence when they are fitted, else null */
  const char *note = vx_xbar_config_costs_note (&r->config);
  json_builder_set_member_name (b, "costs_fitted");
  json_builder_add_boolean_value (b, note != NULL);
  json_builder_set_member_name (b, "costs_note");
  if (note)
    json_builder_add_string_value (b, note);
  else
    json_builder_add_null_value (b);
#undef INT
#undef DBL
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
vx_hw_report_to_table (const VxHwReport *r)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%-6s %5s %5s %5s %4s %6s %9s %12s %9s %10s %11s\n", "matrix",
                          "rows", "cols", "count", "bits", "slices", "xbars/blk", "reads/img",
                          "writes", "area_mm2", "energy_uJ");
  for (int i = 0; i < r->n_matrices; i++)
    {
      const VxHwMatrix *m = &r->m[i];
      g_string_append_printf (s, "%-6s %5d %5d %5d %4d %6d %9" G_GINT64_FORMAT " %12.0f %9.0f %10.3f %11.3f\n",
                              m->name, m->rows, m->cols, m->count, m->bits, m->slices,
                              m->xbars_per_block, m->reads, m->writes, m->area_mm2, m->energy_uj);
    }
  g_string_append_printf (s, "attention (W_QKV + K^T + V, %d blocks): %" G_GINT64_FORMAT
                          " crossbars, %.3f mm^2, %.3f uJ per image",
                          r->arch.depth, r->attn_xbars, r->attn_area_mm2, r->attn_energy_uj);
  if (r->attn_mults > 0)
    g_string_append_printf (s, " (of which %.0f digital multiplies, %.3f uJ)", r->attn_mults,
                            r->attn_mult_energy_uj);
  g_string_append_printf (s, "\nprojection + MLP: %" G_GINT64_FORMAT " crossbars, %.3f mm^2, "
                          "%.3f uJ per image\n", r->other_xbars, r->other_area_mm2,
                          r->other_energy_uj);
  const char *note = vx_xbar_config_costs_note (&r->config);
  if (note)
    g_string_append_printf (s, "note: %s\n", note);
  return g_string_free (s, FALSE);
}
