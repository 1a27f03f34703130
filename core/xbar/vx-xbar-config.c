/* vx-xbar-config.c: crossbar configuration: presets, validation, strings, JSON */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-json.h"
#include "vx-xbar.h"

/* ---- presets ------------------------------------------------------------------- */

/* Energy of one digital multiply, used for the per-channel K/V scaling: a
 * 16-bit floating-point multiply, 1.1 pJ at 45 nm (M. Horowitz, "Computing's
 * energy problem", ISSCC 2014). Not scaled down to 32 nm, so an upper bound. */
#define VX_E_MULT_PJ 1.1

/* The SRAM digital-IMC preset (paper Fig. 1a). The paper gives no SRAM
 * component values, only the ratios: RRAM needs ~5.1x less attention area and
 * ~2.3x less attention energy. With 1 bit/cell and signed bit columns (no
 * pair) an 8-bit SRAM matrix takes 8 arrays, as many as the RRAM pair of four
 * 2-bit slices, so the ratios are those of the per-array values; these are
 * FITTED to the paper's ratios: A = 5.1 x 0.03 mm^2, E_R = 2.3 x 25 pJ,
 * E_W = 2.3 x 118 pJ (writes are < 1% of the energy either way). */
#define SRAM_AREA_RATIO   5.1
#define SRAM_ENERGY_RATIO 2.3

static const char *preset_names[] = { "rram-paper", "sram-imc" };
static const char *preset_labels[] = { "RRAM (paper)", "SRAM digital IMC" };

const char *
vx_xbar_preset_name (VxXbarPreset preset)
{
  return preset < VX_XBAR_PRESET_N ? preset_names[preset] : "unknown";
}

const char *
vx_xbar_preset_label (VxXbarPreset preset)
{
  return preset < VX_XBAR_PRESET_N ? preset_labels[preset] : "unknown";
}

void
vx_xbar_config_init_preset (VxXbarConfig *cfg, VxXbarPreset preset)
{
  memset (cfg, 0, sizeof *cfg);
  /* paper Table I */
  cfg->g_min = 0.1;
  cfg->g_max = 10.0;
  cfg->sigma_r = 0.05;
  cfg->sigma_w = 0.1;
  cfg->gamma = 3.0;          /* the lowest of the paper's studied 3, 4, 5 */
  cfg->weight_bits = 8;
  cfg->input_bits = 8;
  cfg->bits_per_cell = 2;
  cfg->adc_bits = 6;
  cfg->xbar_size = 64;
  cfg->differential = TRUE;
  cfg->e_read_pj = 25.0;
  cfg->e_write_pj = 118.0;
  cfg->area_mm2 = 0.03;
  cfg->e_mult_pj = VX_E_MULT_PJ;
  cfg->clipformer = FALSE;
  cfg->alpha = 2.0;          /* the paper's best at gamma 3-4 */
  cfg->beta = 1.0;
  cfg->decode = VX_CLIP_DECODE_PHYSICAL;
  cfg->kv_scale = VX_KV_SCALE_PER_HEAD;
  cfg->static_noise = VX_STATIC_NOISE_PER_BATCH;
  cfg->analog = VX_XBAR_ANALOG_DEFAULT;
  cfg->mode = VX_XBAR_FUNCTIONAL;
  cfg->seed = 0;

  if (preset == VX_XBAR_PRESET_SRAM_IMC)
    {
      cfg->sigma_r = 0.0;
      cfg->sigma_w = 0.0;
      cfg->gamma = 0.0;
      cfg->bits_per_cell = 1;
      cfg->adc_bits = 16;    /* a digital adder tree is exact; 16 bits stands for it */
      cfg->differential = FALSE;
      cfg->e_read_pj = 25.0 * SRAM_ENERGY_RATIO;
      cfg->e_write_pj = 118.0 * SRAM_ENERGY_RATIO;
      cfg->area_mm2 = 0.03 * SRAM_AREA_RATIO;
    }
  else
    preset = VX_XBAR_PRESET_RRAM_PAPER;
  g_strlcpy (cfg->preset, preset_names[preset], sizeof cfg->preset);
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
    if (g_ascii_strcasecmp (name, preset_names[p]) == 0
        || g_ascii_strcasecmp (name, preset_labels[p]) == 0)
      {
        vx_xbar_config_init_preset (cfg, p);
        return TRUE;
      }
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar preset \"%s\" is unknown (known: %s, %s)", name,
               preset_names[0], preset_names[1]);
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

static gboolean
check_range (double v, double lo, double hi, const char *name, GError **error)
{
  if (isfinite (v) && v >= lo && v <= hi)
    return TRUE;
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar config: %s = %g is outside [%g, %g]", name, v, lo, hi);
  return FALSE;
}

static gboolean
check_int (int v, int lo, int hi, const char *name, GError **error)
{
  if (v >= lo && v <= hi)
    return TRUE;
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar config: %s = %d is outside %d..%d", name, v, lo, hi);
  return FALSE;
}

gboolean
vx_xbar_config_validate (const VxXbarConfig *c, GError **error)
{
  if (!(isfinite (c->g_min) && c->g_min > 0))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: G_min = %g uS must be positive", c->g_min);
      return FALSE;
    }
  if (!(isfinite (c->g_max) && c->g_min < c->g_max))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: G_min = %g uS must be below G_max = %g uS "
                   "(ON/OFF ratio above 1)", c->g_min, c->g_max);
      return FALSE;
    }
  if (!check_range (c->sigma_r, 0, 10, "sigma_R (read noise)", error)
      || !check_range (c->sigma_w, 0, 10, "sigma_W (write noise)", error)
      || !check_range (c->gamma, 0, 1000, "gamma (write-noise factor)", error))
    return FALSE;
  if (!(isfinite (c->beta) && c->beta > 0 && c->beta <= 1))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: ClipFormer beta = %g is outside (0, 1]", c->beta);
      return FALSE;
    }
  if (!check_range (c->alpha, 1, 1e6, "ClipFormer alpha", error))
    return FALSE;
  if (c->beta * c->g_max <= c->g_min)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: ClipFormer beta * G_max = %g uS is not above G_min = %g uS "
                   "(stage II would clip below the floor)", c->beta * c->g_max, c->g_min);
      return FALSE;
    }
  if (!check_int (c->weight_bits, 1, 16, "weight bits", error)
      || !check_int (c->input_bits, 2, 16, "input bits", error)
      || !check_int (c->bits_per_cell, 1, 8, "bits per cell", error)
      || !check_int (c->adc_bits, 1, 16, "ADC bits", error)
      || !check_int (c->xbar_size, 1, 4096, "crossbar size", error))
    return FALSE;
  if (c->weight_bits % c->bits_per_cell != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: %d bits per cell do not divide the %d weight bits",
                   c->bits_per_cell, c->weight_bits);
      return FALSE;
    }
  if (!check_range (c->e_read_pj, 0, 1e9, "read energy (pJ)", error)
      || !check_range (c->e_write_pj, 0, 1e9, "write energy (pJ)", error)
      || !check_range (c->area_mm2, 0, 1e6, "crossbar area (mm^2)", error)
      || !check_range (c->e_mult_pj, 0, 1e9, "multiply energy (pJ)", error))
    return FALSE;
  if ((unsigned) c->decode >= VX_CLIP_DECODE_N || (unsigned) c->kv_scale >= VX_KV_SCALE_N
      || (unsigned) c->static_noise >= VX_STATIC_NOISE_N
      || (c->mode != VX_XBAR_FUNCTIONAL && c->mode != VX_XBAR_CIRCUIT))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: an enumeration (decode, kv scale, static noise, mode) "
                   "is out of range");
      return FALSE;
    }
  if (c->analog & ~((1u << VX_MM_N_KINDS) - 1))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "crossbar config: analog mask 0x%x has bits beyond the %d matrix kinds",
                   c->analog, VX_MM_N_KINDS);
      return FALSE;
    }
  return TRUE;
}

/* ---- enumerations as strings ------------------------------------------------------- */

static const char *kv_scale_names[] = { "per-head", "per-tensor", "per-batch", "calibrated",
                                        "per-channel" };
static const char *decode_names[] = { "physical", "renormalised" };
static const char *static_noise_names[] = { "per-batch", "per-image", "once" };
static const char *mode_names[] = { "functional", "circuit" };

static gboolean
lookup_name (const char *s, const char *const *names, int n, int *out)
{
  for (int i = 0; s && i < n; i++)
    if (g_ascii_strcasecmp (s, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
vx_kv_scale_to_string (VxKvScale s)
{
  return (unsigned) s < VX_KV_SCALE_N ? kv_scale_names[s] : "unknown";
}

gboolean
vx_kv_scale_from_string (const char *s, VxKvScale *out)
{
  int v;
  if (!lookup_name (s, kv_scale_names, VX_KV_SCALE_N, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_clip_decode_to_string (VxClipDecode d)
{
  return (unsigned) d < VX_CLIP_DECODE_N ? decode_names[d] : "unknown";
}

gboolean
vx_clip_decode_from_string (const char *s, VxClipDecode *out)
{
  int v;
  if (g_strcmp0 (s, "renormalized") == 0)
    s = "renormalised";
  if (!lookup_name (s, decode_names, VX_CLIP_DECODE_N, &v))
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
  return (unsigned) n < VX_STATIC_NOISE_N ? static_noise_names[n] : "unknown";
}

gboolean
vx_static_noise_from_string (const char *s, VxStaticNoise *out)
{
  int v;
  if (!lookup_name (s, static_noise_names, VX_STATIC_NOISE_N, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
vx_xbar_mode_to_string (VxXbarMode m)
{
  return (unsigned) m <= VX_XBAR_CIRCUIT ? mode_names[m] : "unknown";
}

gboolean
vx_xbar_mode_from_string (const char *s, VxXbarMode *out)
{
  int v;
  if (!lookup_name (s, mode_names, 2, &v))
    return FALSE;
  *out = v;
  return TRUE;
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
    if (strcmp (c->preset, preset_names[p]) == 0)
      label = preset_labels[p];
  return g_strdup_printf ("%s: G %g-%g uS (ON/OFF %g), sigma_R %g, sigma_W %g, gamma %g; "
                          "%d-bit weights, %d-bit inputs, %d bit/cell, %d-bit ADC, %dx%d; "
                          "%s; K/V scale %s; static noise %s; analog %s; %s; seed %" G_GUINT64_FORMAT,
                          label, c->g_min, c->g_max, vx_xbar_config_onoff (c), c->sigma_r,
                          c->sigma_w, c->gamma, c->weight_bits, c->input_bits, c->bits_per_cell,
                          c->adc_bits, c->xbar_size, c->xbar_size, clip,
                          vx_kv_scale_to_string (c->kv_scale),
                          vx_static_noise_to_string (c->static_noise),
                          analog[0] ? analog : "none", vx_xbar_mode_to_string (c->mode), c->seed);
}

/* ---- JSON ------------------------------------------------------------------------------ */

JsonNode *
vx_xbar_config_to_json (const VxXbarConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
#define D(key, v) json_builder_set_member_name (b, key); json_builder_add_double_value (b, v)
#define I(key, v) json_builder_set_member_name (b, key); json_builder_add_int_value (b, v)
#define S(key, v) json_builder_set_member_name (b, key); json_builder_add_string_value (b, v)
#define B(key, v) json_builder_set_member_name (b, key); json_builder_add_boolean_value (b, v)
  S ("preset", c->preset);
  D ("g_min_us", c->g_min);
  D ("g_max_us", c->g_max);
  D ("on_off", vx_xbar_config_onoff (c));
  D ("sigma_r", c->sigma_r);
  D ("sigma_w", c->sigma_w);
  D ("gamma", c->gamma);
  I ("weight_bits", c->weight_bits);
  I ("input_bits", c->input_bits);
  I ("bits_per_cell", c->bits_per_cell);
  I ("adc_bits", c->adc_bits);
  I ("xbar_size", c->xbar_size);
  B ("differential", c->differential);
  D ("e_read_pj", c->e_read_pj);
  D ("e_write_pj", c->e_write_pj);
  D ("area_mm2", c->area_mm2);
  D ("e_mult_pj", c->e_mult_pj);
  B ("clipformer", c->clipformer);
  D ("alpha", c->alpha);
  D ("beta", c->beta);
  S ("clip_decode", vx_clip_decode_to_string (c->decode));
  S ("kv_scale", vx_kv_scale_to_string (c->kv_scale));
  S ("static_noise", vx_static_noise_to_string (c->static_noise));
  json_builder_set_member_name (b, "analog");
  json_builder_begin_array (b);
  for (int k = 0; k < VX_MM_N_KINDS; k++)
    if (c->analog & VX_XBAR_ANALOG (k))
      json_builder_add_string_value (b, vx_matmul_kind_to_string (k));
  json_builder_end_array (b);
  S ("mode", vx_xbar_mode_to_string (c->mode));
  I ("seed", (gint64) c->seed);
#undef D
#undef I
#undef S
#undef B
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
bad_enum (const char *key, const char *value, GError **error)
{
  g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
               "crossbar config JSON: \"%s\" has an unknown value \"%s\"", key,
               value ? value : "(not a string)");
  return FALSE;
}

static gboolean
apply_member (VxXbarConfig *c, const char *key, JsonNode *n, GError **error)
{
  struct { const char *key; double *p; } doubles[] = {
    { "g_min_us", &c->g_min }, { "g_max_us", &c->g_max }, { "sigma_r", &c->sigma_r },
    { "sigma_w", &c->sigma_w }, { "gamma", &c->gamma }, { "e_read_pj", &c->e_read_pj },
    { "e_write_pj", &c->e_write_pj }, { "area_mm2", &c->area_mm2 }, { "e_mult_pj", &c->e_mult_pj },
    { "alpha", &c->alpha }, { "beta", &c->beta },
  };
  struct { const char *key; int *p; } ints[] = {
    { "weight_bits", &c->weight_bits }, { "input_bits", &c->input_bits },
    { "bits_per_cell", &c->bits_per_cell }, { "adc_bits", &c->adc_bits },
    { "xbar_size", &c->xbar_size },
  };
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    if (strcmp (key, doubles[i].key) == 0)
      return get_number (n, key, doubles[i].p, error);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (strcmp (key, ints[i].key) == 0)
      return get_int (n, key, ints[i].p, error);
  if (strcmp (key, "differential") == 0)
    return get_bool (n, key, &c->differential, error);
  if (strcmp (key, "clipformer") == 0)
    return get_bool (n, key, &c->clipformer, error);
  if (strcmp (key, "on_off") == 0 || strcmp (key, "preset") == 0)
    return TRUE;
  if (strcmp (key, "seed") == 0)
    {
      /* written as a signed 64-bit integer: the bit pattern round-trips */
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        return bad_type (key, "an integer", error);
      c->seed = (guint64) json_node_get_int (n);
      return TRUE;
    }
  const char *s = get_string (n);
  if (strcmp (key, "clip_decode") == 0)
    return vx_clip_decode_from_string (s, &c->decode) || bad_enum (key, s, error);
  if (strcmp (key, "kv_scale") == 0)
    return vx_kv_scale_from_string (s, &c->kv_scale) || bad_enum (key, s, error);
  if (strcmp (key, "static_noise") == 0)
    return vx_static_noise_from_string (s, &c->static_noise) || bad_enum (key, s, error);
  if (strcmp (key, "mode") == 0)
    return vx_xbar_mode_from_string (s, &c->mode) || bad_enum (key, s, error);
  if (strcmp (key, "analog") == 0)
    {
      if (!JSON_NODE_HOLDS_ARRAY (n))
        return bad_type (key, "an array of matrix kinds", error);
      JsonArray *a = json_node_get_array (n);
      guint mask = 0;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *name = get_string (json_array_get_element (a, i));
          if (!name)
            return bad_type (key, "an array of strings", error);
          if (!analog_kind_from_name (name, &mask, error))
            return FALSE;
        }
      c->analog = mask;
      return TRUE;
    }
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "crossbar config JSON: unknown key \"%s\"", key);
  return FALSE;
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
