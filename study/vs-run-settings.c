/* vs-run-settings.c: the settings of one explorer evaluation, as a struct and as JSON */
#define G_LOG_DOMAIN "vs-run-settings"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vs-run-settings.h"

void
vs_run_settings_init (VsRunSettings *s)
{
  memset (s, 0, sizeof *s);
  vx_xbar_config_init (&s->xbar);
  s->outlier_scale = 1.0;
  s->outlier_channels = 2;
  s->n_images = 1000;
  s->repeats = 1;
  s->snr_mode = VX_SNR_END_TO_END;
}

gboolean
vs_run_settings_validate (const VsRunSettings *s, GError **error)
{
  if (!(isfinite (s->outlier_scale) && s->outlier_scale >= 1.0 && s->outlier_scale <= 64.0))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "settings: outlier scale s = %g is outside [1, 64]", s->outlier_scale);
      return FALSE;
    }
  if (s->outlier_channels < 1 || s->outlier_channels > 1024)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "settings: outlier channels c = %d is outside 1..1024", s->outlier_channels);
      return FALSE;
    }
  if (s->n_images < 1 || s->repeats < 1 || s->repeats > VS_RUN_MAX_REPEATS)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "settings: %d images and %d repeats: need at least one image and 1..%d repeats",
                   s->n_images, s->repeats, VS_RUN_MAX_REPEATS);
      return FALSE;
    }
  if (s->snr_mode != VX_SNR_END_TO_END && s->snr_mode != VX_SNR_LOCAL)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "settings: the SNR reference must be end-to-end or local");
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
  json_builder_set_member_name (b, "outlier_scale");
  json_builder_add_double_value (b, s->outlier_scale);
  json_builder_set_member_name (b, "outlier_channels");
  json_builder_add_int_value (b, s->outlier_channels);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, s->n_images);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, s->repeats);
  json_builder_set_member_name (b, "snr");
  json_builder_add_string_value (b, vx_snr_mode_to_string (s->snr_mode));
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
  if (strcmp (name, "outlier_scale") == 0)
    {
      if (!is_number (n))
        return wrong_type (name, "a number", error);
      s->outlier_scale = json_node_get_double (n);
      return TRUE;
    }
  if (strcmp (name, "outlier_channels") == 0)
    return read_int (n, name, &s->outlier_channels, error);
  if (strcmp (name, "images") == 0)
    return read_int (n, name, &s->n_images, error);
  if (strcmp (name, "repeats") == 0)
    return read_int (n, name, &s->repeats, error);
  if (strcmp (name, "snr") == 0)
    {
      const char *v = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
        ? json_node_get_string (n) : NULL;
      if (!v || !vx_snr_mode_from_string (v, &s->snr_mode))
        return wrong_type (name, "\"end-to-end\" or \"local\"", error);
      return TRUE;
    }
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "settings: unknown member \"%s\"", name);
  return FALSE;
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
