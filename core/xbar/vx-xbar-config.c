/* vx-xbar-config.c: crossbar configuration: presets, validation, strings, JSON */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-json.h"
#include "vx-xbar.h"
#include "vx-xbar-params.h"

/* ---- presets ------------------------------------------------------------------- */

/* The SRAM digital-IMC preset (paper Fig. 1a). The paper gives no SRAM
 * component values, only the ratios: RRAM needs ~5.1x less attention area and
 * ~2.3x less attention energy. With 1 bit/cell and signed bit columns (no
 * pair) an 8-bit SRAM matrix takes 8 arrays, as many as the RRAM pair of four
 * 2-bit slices, so the ratios are those of the per-array values; these are
 * FITTED to the paper's ratios: A = 5.1 x 0.03 mm^2, E_R = 2.3 x 25 pJ,
 * E_W = 2.3 x 118 pJ (writes are < 1% of the energy either way). */
#define SRAM_AREA_RATIO   5.1
#define SRAM_ENERGY_RATIO 2.3

/* the choices of a parameter looked up by its JSON member */
static const VxXbarParam *
param (const char *json_key)
{
  const VxXbarParam *p = vx_xbar_param_by_json_key (json_key);
  g_assert (p);
  return p;
}

static const char *
choice_nick (const char *json_key, int value)
{
  const VxXbarParamChoice *c = vx_xbar_param_choice_by_value (param (json_key), value);
  return c ? c->nick : "unknown";
}

static gboolean
choice_from_nick (const char *json_key, const char *nick, int *out)
{
  const VxXbarParamChoice *c = vx_xbar_param_choice_by_nick (param (json_key), nick);
  if (c)
    *out = c->value;
  return c != NULL;
}

const char *
vx_xbar_preset_name (VxXbarPreset preset)
{
  return choice_nick ("preset", preset);
}

const char *
vx_xbar_preset_label (VxXbarPreset preset)
{
  const VxXbarParamChoice *c = vx_xbar_param_choice_by_value (param ("preset"), preset);
  return c ? c->label : "unknown";
}

/* every parameter at the table's default: the RRAM (paper) preset */
static void
init_table_defaults (VxXbarConfig *cfg)
{
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    {
      const VxXbarParam *p = &t[i];
      if (p->flags & VX_XBAR_PARAM_DERIVED)
        continue;
      switch (p->type)
        {
        case VX_XBAR_PARAM_DOUBLE: vx_xbar_param_set_double (p, cfg, p->def); break;
        case VX_XBAR_PARAM_MASK: vx_xbar_param_set_mask (p, cfg, (guint) p->def); break;
        case VX_XBAR_PARAM_UINT64: vx_xbar_param_set_uint64 (p, cfg, (guint64) p->def); break;
        default: vx_xbar_param_set_int (p, cfg, (int) p->def); break;
        }
    }
}

void
vx_xbar_config_init_preset (VxXbarConfig *cfg, VxXbarPreset preset)
{
  memset (cfg, 0, sizeof *cfg);
  init_table_defaults (cfg);
  if (preset == VX_XBAR_PRESET_SRAM_IMC)
    {
      cfg->sigma_r = 0.0;
      cfg->sigma_w = 0.0;
      cfg->gamma = 0.0;
      /* ClipFormer answers write noise; on a noise-free digital array it would
       * only zero and clip exact values (docs/MODEL.md section 4) */
      cfg->clipformer = FALSE;
      cfg->bits_per_cell = 1;
      cfg->adc_bits = 16;    /* a digital adder tree is exact; 16 bits stands for it */
      cfg->differential = FALSE;
      cfg->e_read_pj = param ("e_read_pj")->def * SRAM_ENERGY_RATIO;
      cfg->e_write_pj = param ("e_write_pj")->def * SRAM_ENERGY_RATIO;
      cfg->area_mm2 = param ("area_mm2")->def * SRAM_AREA_RATIO;
    }
  else
    preset = VX_XBAR_PRESET_RRAM_PAPER;
  g_strlcpy (cfg->preset, vx_xbar_preset_name (preset), sizeof cfg->preset);
}

const char *
vx_xbar_config_costs_note (const VxXbarConfig *cfg)
{
  VxXbarConfig sram;
  vx_xbar_config_init_preset (&sram, VX_XBAR_PRESET_SRAM_IMC);
  if (cfg->e_read_pj != sram.e_read_pj || cfg->e_write_pj != sram.e_write_pj
      || cfg->area_mm2 != sram.area_mm2)
    return NULL;
  return "SRAM costs are fitted to the paper's Fig. 1a ratios (attention area 5.1x, energy "
         "2.3x the RRAM preset's), not published component values (docs/MODEL.md section 1)";
}

void
vx_xbar_config_init (VxXbarConfig *cfg)
{
  vx_xbar_config_init_preset (cfg, VX_XBAR_PRESET_RRAM_PAPER);
}

gboolean
vx_xbar_config_init_named (VxXbarConfig *cfg, const char *name, GError **error)
{
  for (int p = 0; p < VX_XBAR_PRESET_N; p++)
    if (g_ascii_strcasecmp (name, vx_xbar_preset_name (p)) == 0
        || g_ascii_strcasecmp (name, vx_xbar_preset_label (p)) == 0)
      {
        vx_xbar_config_init_preset (cfg, p);
        return TRUE;
      }
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar preset \"%s\" is unknown (known: %s, %s)", name,
               vx_xbar_preset_name (0), vx_xbar_preset_name (1));
  return FALSE;
}

void
vx_xbar_config_set_onoff (VxXbarConfig *cfg, double ratio)
{
  cfg->g_max = cfg->g_min * ratio;
}

double
vx_xbar_config_onoff (const VxXbarConfig *cfg)
{
  return cfg->g_min > 0 ? cfg->g_max / cfg->g_min : 0.0;
}

/* ---- validation ------------------------------------------------------------------ */

/* every value of the table inside its range: the first one outside is the error */
static gboolean
validate_ranges (const VxXbarConfig *c, GError **error)
{
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    {
      const VxXbarParam *p = &t[i];
      /* any preset name (a label only) and any seed are valid; derived values
       * (the ON/OFF ratio) are checked through what they derive from */
      if (p->type == VX_XBAR_PARAM_PRESET || p->type == VX_XBAR_PARAM_UINT64
          || (p->flags & VX_XBAR_PARAM_DERIVED))
        continue;
      if (!vx_xbar_param_check (p, vx_xbar_param_get_number (p, c), "crossbar config", NULL, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
vx_xbar_config_validate (const VxXbarConfig *c, GError **error)
{
  if (!validate_ranges (c, error))
    return FALSE;
  if (!(c->g_min < c->g_max))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: G_min = %g uS must be below G_max = %g uS "
                   "(--onoff: the ON/OFF ratio must be above 1)", c->g_min, c->g_max);
      return FALSE;
    }
  if (c->beta * c->g_max <= c->g_min)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: ClipFormer beta * G_max = %g uS is not above G_min = %g uS "
                   "(stage II would clip below the floor; --beta, --onoff)",
                   c->beta * c->g_max, c->g_min);
      return FALSE;
    }
  if (c->weight_bits % c->bits_per_cell != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: %d bits per cell (--bits-per-cell) do not divide the "
                   "%d weight bits (--weight-bits)", c->bits_per_cell, c->weight_bits);
      return FALSE;
    }
  return TRUE;
}

/* ---- enumerations as strings ------------------------------------------------------- */

const char *
vx_kv_scale_to_string (VxKvScale s)
{
  return choice_nick ("kv_scale", s);
}

gboolean
vx_kv_scale_from_string (const char *s, VxKvScale *out)
{
  int v;
  if (!choice_from_nick ("kv_scale", s, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_clip_decode_to_string (VxClipDecode d)
{
  return choice_nick ("clip_decode", d);
}

gboolean
vx_clip_decode_from_string (const char *s, VxClipDecode *out)
{
  int v;
  if (g_strcmp0 (s, "renormalized") == 0)
    s = "renormalised";
  if (!choice_from_nick ("clip_decode", s, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_clip_decode_describe (VxClipDecode d)
{
  if (d == VX_CLIP_DECODE_RENORMALISED)
    return "Renormalised (an interpretation): the transformed K and V are re-mapped onto the "
           "full conductance range before noise, which lowers their write noise but needs "
           "all bit slices.";
  return "Physical (the paper's Algorithm 1): the transformed conductances are decoded with "
         "the original w_max, so clipped K and V fit in fewer bits (3 slices at beta 0.25).";
}

const char *
vx_static_noise_to_string (VxStaticNoise n)
{
  return choice_nick ("static_noise", n);
}

gboolean
vx_static_noise_from_string (const char *s, VxStaticNoise *out)
{
  int v;
  if (!choice_from_nick ("static_noise", s, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_xbar_mode_to_string (VxXbarMode m)
{
  return choice_nick ("mode", m);
}

gboolean
vx_xbar_mode_from_string (const char *s, VxXbarMode *out)
{
  int v;
  if (!choice_from_nick ("mode", s, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_write_clamp_to_string (VxWriteClamp c)
{
  return choice_nick ("write_clamp", c);
}

char *
vx_xbar_analog_to_string (guint analog)
{
  GString *s = g_string_new (NULL);
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    if (analog & VX_XBAR_ANALOG (k))
      g_string_append_printf (s, "%s%s", s->len ? "," : "", vx_matmul_kind_to_string (k));
  return g_string_free (s, FALSE);
}

static gboolean
analog_kind_from_name (const char *name, guint *mask, GError **error)
{
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    if (g_ascii_strcasecmp (name, vx_matmul_kind_to_string (k)) == 0)
      {
        *mask |= VX_XBAR_ANALOG (k);
        return TRUE;
      }
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar config: \"%s\" is not a matrix kind "
               "(patch, qkv, proj, fc1, fc2, head, qk, sv)", name);
  return FALSE;
}

gboolean
vx_xbar_analog_from_string (const char *s, guint *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  guint mask = 0;
  for (int i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0' || g_ascii_strcasecmp (parts[i], "none") == 0)
        continue;
      if (!analog_kind_from_name (parts[i], &mask, error))
        return FALSE;
    }
  *out = mask;
  return TRUE;
}

char *
vx_xbar_config_to_string (const VxXbarConfig *c)
{
  g_autofree char *analog = vx_xbar_analog_to_string (c->analog);
  g_autofree char *clip = c->clipformer
    ? g_strdup_printf ("ClipFormer (%g, %g) %s", c->alpha, c->beta,
                       vx_clip_decode_to_string (c->decode))
    : g_strdup ("ClipFormer off");
  const char *label = c->preset;
  for (int p = 0; p < VX_XBAR_PRESET_N; p++)
    if (strcmp (c->preset, vx_xbar_preset_name (p)) == 0)
      label = vx_xbar_preset_label (p);
  return g_strdup_printf ("%s: G %g-%g uS (ON/OFF %g), sigma_R %g, sigma_W %g, gamma %g, write clamp %s; "
                          "%d-bit weights, %d-bit inputs, %d bit/cell, %d-bit ADC, %dx%d; "
                          "%s; K/V scale %s; static noise %s; analog %s; %s; seed %" G_GUINT64_FORMAT,
                          label, c->g_min, c->g_max, vx_xbar_config_onoff (c), c->sigma_r,
                          c->sigma_w, c->gamma, vx_write_clamp_to_string (c->write_clamp),
                          c->weight_bits, c->input_bits, c->bits_per_cell,
                          c->adc_bits, c->xbar_size, c->xbar_size, clip,
                          vx_kv_scale_to_string (c->kv_scale),
                          vx_static_noise_to_string (c->static_noise),
                          analog[0] ? analog : "none", vx_xbar_mode_to_string (c->mode), c->seed);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void
add_param (JsonBuilder *b, const VxXbarParam *p, const VxXbarConfig *c)
{
  json_builder_set_member_name (b, p->json_key);
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE:
      json_builder_add_double_value (b, vx_xbar_param_get_double (p, c));
      break;
    case VX_XBAR_PARAM_INT:
      json_builder_add_int_value (b, vx_xbar_param_get_int (p, c));
      break;
    case VX_XBAR_PARAM_BOOL:
      json_builder_add_boolean_value (b, vx_xbar_param_get_int (p, c));
      break;
    case VX_XBAR_PARAM_ENUM:
      json_builder_add_string_value (b, choice_nick (p->json_key, vx_xbar_param_get_int (p, c)));
      break;
    case VX_XBAR_PARAM_PRESET:
      json_builder_add_string_value (b, c->preset);
      break;
    case VX_XBAR_PARAM_MASK:
      json_builder_begin_array (b);
      for (int i = 0; i < p->n_choices; i++)
        if (vx_xbar_param_get_mask (p, c) & (1u << p->choices[i].value))
          json_builder_add_string_value (b, p->choices[i].nick);
      json_builder_end_array (b);
      break;
    case VX_XBAR_PARAM_UINT64:
      /* as a signed 64-bit integer: the bit pattern round-trips */
      json_builder_add_int_value (b, (gint64) vx_xbar_param_get_uint64 (p, c));
      break;
    }
}

JsonNode *
vx_xbar_config_to_json (const VxXbarConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    add_param (b, &t[i], c);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
vx_xbar_config_to_json_string (const VxXbarConfig *c, gboolean pretty)
{
  g_autoptr (JsonNode) node = vx_xbar_config_to_json (c);
  return json_to_string (node, pretty);
}

static gboolean
bad_type (const char *key, const char *want, GError **error)
{
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
               "crossbar config JSON: \"%s\" must be %s", key, want);
  return FALSE;
}

static gboolean
get_number (JsonNode *n, const char *key, double *out, GError **error)
{
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) == G_TYPE_STRING
      || json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    return bad_type (key, "a number", error);
  *out = json_node_get_double (n);
  return TRUE;
}

static gboolean
get_int (JsonNode *n, const char *key, int *out, GError **error)
{
  double v;
  if (!get_number (n, key, &v, error))
    return FALSE;
  if (v != floor (v) || fabs (v) > G_MAXINT)
    return bad_type (key, "an integer", error);
  *out = (int) v;
  return TRUE;
}

static gboolean
get_bool (JsonNode *n, const char *key, gboolean *out, GError **error)
{
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return bad_type (key, "true or false", error);
  *out = json_node_get_boolean (n);
  return TRUE;
}

static const char *
get_string (JsonNode *n)
{
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
bad_enum (const VxXbarParam *p, const char *value, GError **error)
{
  g_autofree char *nicks = vx_xbar_param_nicks_text (p);
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar config JSON: \"%s\" has an unknown value \"%s\" (expected %s)",
               p->json_key, value ? value : "(not a string)", nicks);
  return FALSE;
}

static gboolean
read_mask (const VxXbarParam *p, JsonNode *n, guint *out, GError **error)
{
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return bad_type (p->json_key, "an array of matrix kinds", error);
  JsonArray *a = json_node_get_array (n);
  guint mask = 0;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *name = get_string (json_array_get_element (a, i));
      if (!name)
        return bad_type (p->json_key, "an array of strings", error);
      if (!analog_kind_from_name (name, &mask, error))
        return FALSE;
    }
  *out = mask;
  return TRUE;
}

/* one member into c; numbers are held to the table's range, named by their member */
static gboolean
apply_member (VxXbarConfig *c, const char *key, JsonNode *n, GError **error)
{
  const VxXbarParam *p = vx_xbar_param_by_json_key (key);
  g_autofree char *as = g_strdup_printf ("\"%s\"", key);
  double d;
  int i;
  guint mask;
  if (!p)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "crossbar config JSON: unknown key \"%s\"", key);
      return FALSE;
    }
  if ((p->flags & VX_XBAR_PARAM_DERIVED) || p->type == VX_XBAR_PARAM_PRESET)
    return TRUE;   /* the preset was applied first; derived values are for readers */
  switch (p->type)
    {
    case VX_XBAR_PARAM_DOUBLE:
      if (!get_number (n, key, &d, error)
          || !vx_xbar_param_check (p, d, "crossbar config JSON", as, error))
        return FALSE;
      vx_xbar_param_set_double (p, c, d);
      return TRUE;
    case VX_XBAR_PARAM_INT:
      if (!get_int (n, key, &i, error)
          || !vx_xbar_param_check (p, i, "crossbar config JSON", as, error))
        return FALSE;
      vx_xbar_param_set_int (p, c, i);
      return TRUE;
    case VX_XBAR_PARAM_BOOL:
      if (!get_bool (n, key, &i, error))
        return FALSE;
      vx_xbar_param_set_int (p, c, i);
      return TRUE;
    case VX_XBAR_PARAM_ENUM:
      if (!(p == param ("clip_decode")
            ? vx_clip_decode_from_string (get_string (n), (VxClipDecode *) &i)
            : choice_from_nick (key, get_string (n), &i)))
        return bad_enum (p, get_string (n), error);
      vx_xbar_param_set_int (p, c, i);
      return TRUE;
    case VX_XBAR_PARAM_MASK:
      if (!read_mask (p, n, &mask, error))
        return FALSE;
      vx_xbar_param_set_mask (p, c, mask);
      return TRUE;
    case VX_XBAR_PARAM_UINT64:
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        return bad_type (key, "an integer", error);
      vx_xbar_param_set_uint64 (p, c, (guint64) json_node_get_int (n));
      return TRUE;
    case VX_XBAR_PARAM_PRESET:
      break;
    }
  g_assert_not_reached ();
}

gboolean
vx_xbar_config_from_json (VxXbarConfig *cfg, JsonNode *node, GError **error)
{
  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "crossbar config JSON: not an object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (node);
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  if (json_object_has_member (o, "preset"))
    {
      const char *p = get_string (json_object_get_member (o, "preset"));
      if (!p)
        return bad_type ("preset", "a string", error);
      if (!vx_xbar_config_init_named (&c, p, error))
        return FALSE;
    }
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    if (!apply_member (&c, l->data, json_object_get_member (o, l->data), error))
      return FALSE;
  if (!vx_xbar_config_validate (&c, error))
    return FALSE;
  *cfg = c;
  return TRUE;
}

gboolean
vx_xbar_config_from_json_string (VxXbarConfig *cfg, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  /* the nesting is measured first: json-glib recurses once per level */
  if (!vx_json_load (parser, json, -1, VX_JSON_MAX_DEPTH, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "crossbar config JSON: %s", local->message);
      return FALSE;
    }
  return vx_xbar_config_from_json (cfg, json_parser_get_root (parser), error);
}
