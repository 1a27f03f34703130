/* vs-run-settings.c: the settings of one explorer evaluation, as a struct and as JSON */
#define G_LOG_DOMAIN "vs-run-settings"
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "vx-error.h"
#include "vs-run-settings.h"

static const VxXbarParamChoice snr_choices[] = {
  { VX_SNR_END_TO_END, "end-to-end", "End-to-end" },
  { VX_SNR_LOCAL, "local", "Local" },
};

#define FIELD(f) offsetof (VsRunSettings, f), NULL, NULL

/* in the order of the settings JSON, after "crossbar" */
static const VxXbarParam run_params[] = {
  { NULL, "outlier_scale", "outlier-scale", "outlier scale s", "Outlier _scale s", "×",
    VX_XBAR_PARAM_DOUBLE, VX_XBAR_PARAM_LOG_SCALE, 1.0, 1, 64, 1, 64, 0.5, 1, "10",
    "(q/s)·(s k) = q·k",
    "Function-preserving outlier what-if: in every block, c channels per head of K are "
    "multiplied by s and the matching Q channels divided by s; c channels of V are multiplied "
    "by s and the matching projection input columns divided by s. The ideal model is "
    "unchanged, but w_max of K and V grows s-fold. s = 1 is off.", NULL, 0,
    FIELD (outlier_scale) },
  { NULL, "outlier_channels", "outlier-channels", "outlier channels c", "Outlier _channels c",
    "/ head", VX_XBAR_PARAM_INT, 0, 2, 1, 1024, 1, 64, 1, 0, "10", NULL,
    "Channels per head of K and V scaled by s: the ones with the largest natural magnitude.",
    NULL, 0, FIELD (outlier_channels) },
  { NULL, "images", "test-images", "test images", "Test _images", "", VX_XBAR_PARAM_INT,
    VX_XBAR_PARAM_LOG_SCALE, 1000, 1, G_MAXINT, VS_RUN_MIN_IMAGES, 10000, VS_RUN_BATCH, 0, "9",
    "95 % interval ∝ 1/√n",
    "Images per repeat (the first ones of the test set); the 95 % Wilson interval of the "
    "accuracy narrows as 1/sqrt(n).", NULL, 0, FIELD (n_images) },
  { NULL, "repeats", "repeats", "repeats", "_Repeats", "", VX_XBAR_PARAM_INT, 0, 1, 1,
    VS_RUN_MAX_REPEATS, 1, VS_RUN_MAX_REPEATS, 1, 0, "3", "seeds seed … seed + repeats − 1",
    "Independent noise draws with seeds seed, seed + 1, ...; the accuracy is their mean with a "
    "pooled 95 % interval.", NULL, 0, FIELD (repeats) },
  { NULL, "snr", "snr-mode", "SNR reference", "SNR _reference", "", VX_XBAR_PARAM_ENUM, 0,
    VX_SNR_END_TO_END, VX_SNR_END_TO_END, VX_SNR_LOCAL, VX_SNR_END_TO_END, VX_SNR_LOCAL, 1, 0,
    "5, eq. 4", "SNR_b = 10 log10(‖X_ideal‖² / ‖X_ideal − X_noisy‖²) dB",
    "End-to-end: X_ideal from the ideal network (noise accumulates with depth). Local: this "
    "block's ideal attention on the noisy network's own input.", snr_choices,
    G_N_ELEMENTS (snr_choices), FIELD (snr_mode) },
};

#undef FIELD

const VxXbarParam *
vs_run_params (guint *n)
{
  *n = G_N_ELEMENTS (run_params);
  return run_params;
}

const VxXbarParam *
vs_run_param_by_settings_key (const char *settings_key)
{
  for (guint i = 0; settings_key && i < G_N_ELEMENTS (run_params); i++)
    if (strcmp (run_params[i].settings_key, settings_key) == 0)
      return &run_params[i];
  return NULL;
}

static const VxXbarParam *
by_json_key (const char *json_key)
{
  for (guint i = 0; i < G_N_ELEMENTS (run_params); i++)
    if (strcmp (run_params[i].json_key, json_key) == 0)
      return &run_params[i];
  return NULL;
}

G_STATIC_ASSERT (sizeof (VxSnrMode) == sizeof (int));

double
vs_run_param_get (const VxXbarParam *p, const VsRunSettings *s)
{
  g_return_val_if_fail (p >= run_params && p < run_params + G_N_ELEMENTS (run_params), NAN);
  if (p->type == VX_XBAR_PARAM_DOUBLE)
    return *(const double *) G_STRUCT_MEMBER_P (s, p->offset);
  return *(const int *) G_STRUCT_MEMBER_P (s, p->offset);
}

void
vs_run_param_set (const VxXbarParam *p, VsRunSettings *s, double v)
{
  g_return_if_fail (p >= run_params && p < run_params + G_N_ELEMENTS (run_params));
  if (p->type == VX_XBAR_PARAM_DOUBLE)
    *(double *) G_STRUCT_MEMBER_P (s, p->offset) = v;
  else
    *(int *) G_STRUCT_MEMBER_P (s, p->offset) = (int) v;
}

void
vs_run_settings_init (VsRunSettings *s)
{
  memset (s, 0, sizeof *s);
  vx_xbar_config_init (&s->xbar);
  for (guint i = 0; i < G_N_ELEMENTS (run_params); i++)
    vs_run_param_set (&run_params[i], s, run_params[i].def);
}

gboolean
vs_run_settings_validate (const VsRunSettings *s, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (run_params); i++)
    {
      const VxXbarParam *p = &run_params[i];
      g_autofree char *as = g_strdup_printf ("\"%s\"", p->json_key);
      if (!vx_xbar_param_check (p, vs_run_param_get (p, s), "settings", as, error))
        return FALSE;
    }
  return vx_xbar_config_validate (&s->xbar, error);
}

gboolean
vs_run_settings_equal (const VsRunSettings *a, const VsRunSettings *b)
{
  g_autofree char *ja = vs_run_settings_to_json_string (a, FALSE);
  g_autofree char *jb = vs_run_settings_to_json_string (b, FALSE);
  return strcmp (ja, jb) == 0;
}

void
vs_run_settings_toggle_clipformer (const VsRunSettings *s, VsRunSettings *out)
{
  *out = *s;
  out->xbar.clipformer = !s->xbar.clipformer;
}

gboolean
vs_run_settings_outlier_active (const VsRunSettings *s)
{
  return s->outlier_scale > 1.0;
}

JsonNode *
vs_run_settings_to_json (const VsRunSettings *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "crossbar");
  json_builder_add_value (b, vx_xbar_config_to_json (&s->xbar));
  for (guint i = 0; i < G_N_ELEMENTS (run_params); i++)
    {
      const VxXbarParam *p = &run_params[i];
      double v = vs_run_param_get (p, s);
      json_builder_set_member_name (b, p->json_key);
      if (p->type == VX_XBAR_PARAM_DOUBLE)
        json_builder_add_double_value (b, v);
      else if (p->type == VX_XBAR_PARAM_INT)
        json_builder_add_int_value (b, (gint64) v);
      else
        json_builder_add_string_value (b, vx_snr_mode_to_string ((VxSnrMode) v));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
vs_run_settings_to_json_string (const VsRunSettings *s, gboolean pretty)
{
  g_autoptr (JsonNode) node = vs_run_settings_to_json (s);
  return json_to_string (node, pretty);
}

static gboolean
wrong_type (const char *member, const char *want, GError **error)
{
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "settings: \"%s\" must be %s", member, want);
  return FALSE;
}

static gboolean
is_number (JsonNode *n)
{
  GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  return t == G_TYPE_DOUBLE || t == G_TYPE_INT64;
}

static gboolean
read_int (JsonNode *n, const char *member, int *out, GError **error)
{
  if (!is_number (n))
    return wrong_type (member, "an integer", error);
  double v = json_node_get_double (n);
  if (v != floor (v) || fabs (v) > G_MAXINT)
    return wrong_type (member, "an integer", error);
  *out = (int) v;
  return TRUE;
}

static gboolean
apply_member (VsRunSettings *s, const char *name, JsonNode *n, GError **error)
{
  if (strcmp (name, "crossbar") == 0)
    return vx_xbar_config_from_json (&s->xbar, n, error);
  const VxXbarParam *p = by_json_key (name);
  if (!p)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "settings: unknown member \"%s\"", name);
      return FALSE;
    }
  int i;
  if (p->type == VX_XBAR_PARAM_DOUBLE)
    {
      if (!is_number (n))
        return wrong_type (name, "a number", error);
      vs_run_param_set (p, s, json_node_get_double (n));
      return TRUE;
    }
  if (p->type == VX_XBAR_PARAM_INT)
    {
      if (!read_int (n, name, &i, error))
        return FALSE;
      vs_run_param_set (p, s, i);
      return TRUE;
    }
  const char *v = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
    ? json_node_get_string (n) : NULL;
  const VxXbarParamChoice *c = vx_xbar_param_choice_by_nick (p, v);
  if (!c)
    {
      g_autofree char *nicks = vx_xbar_param_nicks_text (p);
      g_autofree char *want = g_strdup_printf ("one of %s", nicks);
      return wrong_type (name, want, error);
    }
  vs_run_param_set (p, s, c->value);
  return TRUE;
}

gboolean
vs_run_settings_from_json (VsRunSettings *s, JsonNode *node, GError **error)
{
  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "settings: not a JSON object");
      return FALSE;
    }
  VsRunSettings tmp;
  vs_run_settings_init (&tmp);
  JsonObject *o = json_node_get_object (node);
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    if (!apply_member (&tmp, l->data, json_object_get_member (o, l->data), error))
      return FALSE;
  if (!vs_run_settings_validate (&tmp, error))
    return FALSE;
  *s = tmp;
  return TRUE;
}

char *
vs_run_settings_cache_key (const VsRunSettings *s, const char *model_id, const char *data_id)
{
  g_autofree char *json = vs_run_settings_to_json_string (s, FALSE);
  return g_strdup_printf ("%s|%s|%s", model_id ? model_id : "-", data_id ? data_id : "-", json);
}

/* ---- what differs between two settings -------------------------------------------------------- */

static char *
param_value_text (const VxXbarParam *p, double v)
{
  if (p->type == VX_XBAR_PARAM_BOOL)
    return g_strdup (v != 0 ? "on" : "off");
  if (p->type == VX_XBAR_PARAM_ENUM || p->type == VX_XBAR_PARAM_PRESET)
    {
      const VxXbarParamChoice *c = vx_xbar_param_choice_by_value (p, (int) v);
      return g_strdup (c ? c->label : "?");
    }
  return g_strdup_printf ("%g%s%s", v, *p->unit ? " " : "", p->unit);
}

static void
append_change (GString *out, const VxXbarParam *p, const char *now, const char *before)
{
  g_autofree char *label = vx_xbar_param_plain_label (p);
  g_string_append_printf (out, "%s%s %s", out->len ? " · " : "", label, now);
  if (before)
    g_string_append_printf (out, " (was %s)", before);
}

/* one crossbar parameter: its value in a and b as text, NULL when they are equal */
static char *
xbar_param_change (const VxXbarParam *p, const VxXbarConfig *a, const VxXbarConfig *b,
                   char **before)
{
  *before = NULL;
  if (p->type == VX_XBAR_PARAM_MASK)
    {
      if (vx_xbar_param_get_mask (p, a) == vx_xbar_param_get_mask (p, b))
        return NULL;
      *before = g_strdup ("another choice");
      return g_strdup ("changed");
    }
  if (p->type == VX_XBAR_PARAM_UINT64)
    {
      guint64 x = vx_xbar_param_get_uint64 (p, a), y = vx_xbar_param_get_uint64 (p, b);
      if (x == y)
        return NULL;
      *before = g_strdup_printf ("%" G_GUINT64_FORMAT, y);
      return g_strdup_printf ("%" G_GUINT64_FORMAT, x);
    }
  gboolean preset = p->type == VX_XBAR_PARAM_PRESET;
  double x = preset ? vx_xbar_param_get_int (p, a) : vx_xbar_param_get_number (p, a);
  double y = preset ? vx_xbar_param_get_int (p, b) : vx_xbar_param_get_number (p, b);
  if (x == y)
    return NULL;
  *before = param_value_text (p, y);
  return param_value_text (p, x);
}

char *
vs_run_settings_describe_changes (const VsRunSettings *s, const VsRunSettings *against,
                                  const char *const *skip, gboolean was)
{
  GString *out = g_string_new (NULL);
  guint n;
  const VxXbarParam *ps = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    {
      const VxXbarParam *p = &ps[i];
      /* what the explorer sets (the ON/OFF ratio, derived in the JSON, included) */
      if (!p->settings_key || (skip && g_strv_contains (skip, p->json_key)))
        continue;
      g_autofree char *before = NULL;
      g_autofree char *now = xbar_param_change (p, &s->xbar, &against->xbar, &before);
      if (now)
        append_change (out, p, now, was ? before : NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (run_params); i++)
    {
      const VxXbarParam *p = &run_params[i];
      double v = vs_run_param_get (p, s), w = vs_run_param_get (p, against);
      if (v == w || (skip && g_strv_contains (skip, p->json_key)))
        continue;
      g_autofree char *now = param_value_text (p, v), *before = param_value_text (p, w);
      append_change (out, p, now, was ? before : NULL);
    }
  return g_string_free (out, FALSE);
}
