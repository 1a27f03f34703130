/* vs-study.c: study files (settings + results as JSON), written atomically */
#define G_LOG_DOMAIN "vs-study"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-json.h"
#include "vs-study.h"

VsStudy *
vs_study_new (const VsRunSettings *s)
{
  VsStudy *study = g_new0 (VsStudy, 1);
  study->settings = *s;
  study->ideal_top1 = NAN;
  return study;
}

void
vs_study_free (VsStudy *study)
{
  if (!study)
    return;
  g_free (study->model_path);
  g_free (study->data_source);
  g_free (study->saved);
  g_clear_pointer (&study->current, vs_run_result_unref);
  g_clear_pointer (&study->other, vs_run_result_unref);
  g_free (study);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

char *
vs_study_to_json (const VsStudy *study)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "format", VS_STUDY_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, VS_STUDY_VERSION);
  add_string (b, "software", "vitx-explorer " PACKAGE_VERSION);
  add_string (b, "saved", study->saved);
  add_string (b, "model", study->model_path);
  add_string (b, "dataset", study->data_source);
  json_builder_set_member_name (b, "settings");
  json_builder_add_value (b, vs_run_settings_to_json (&study->settings));
  json_builder_set_member_name (b, "ideal_top1");
  if (isfinite (study->ideal_top1))
    json_builder_add_double_value (b, study->ideal_top1);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_object (b);
  if (study->current)
    {
      json_builder_set_member_name (b, "current");
      json_builder_add_value (b, vs_run_result_to_json (study->current));
    }
  if (study->other)
    {
      json_builder_set_member_name (b, "other");
      json_builder_add_value (b, vs_run_result_to_json (study->other));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

gboolean
vs_study_save (const VsStudy *study, const char *path, GError **error)
{
  g_autofree char *json = vs_study_to_json (study);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, json, -1, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the study could not be written: %s", path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fail (GError **error, const char *name, const char *problem)
{
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: %s", name, problem);
  return FALSE;
}

/* an optional string member: TRUE with *out (or NULL) when it is a string, null or absent */
static gboolean
optional_string (JsonObject *o, const char *member, char **out)
{
  JsonNode *n = json_object_get_member (o, member);
  *out = NULL;
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static gboolean
check_header (JsonObject *o, const char *name, GError **error)
{
  JsonNode *f = json_object_get_member (o, "format");
  JsonNode *v = json_object_get_member (o, "version");
  if (!f || !JSON_NODE_HOLDS_VALUE (f) || json_node_get_value_type (f) != G_TYPE_STRING
      || strcmp (json_node_get_string (f), VS_STUDY_FORMAT) != 0)
    return fail (error, name, "not a ViT-X Explorer study (\"format\" is not "
                 "\"" VS_STUDY_FORMAT "\")");
  if (!v || !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64
      || json_node_get_int (v) != VS_STUDY_VERSION)
    return fail (error, name, "unsupported study version (this program reads version 1)");
  return TRUE;
}

static gboolean
read_results (VsStudy *study, JsonObject *o, const char *name, GError **error)
{
  JsonNode *rn = json_object_get_member (o, "results");
  if (!rn || JSON_NODE_HOLDS_NULL (rn))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (rn))
    return fail (error, name, "\"results\" must be an object");
  JsonObject *ro = json_node_get_object (rn);
  const char *keys[] = { "current", "other" };
  VsRunResult **slots[] = { &study->current, &study->other };
  for (int i = 0; i < 2; i++)
    {
      JsonNode *n = json_object_get_member (ro, keys[i]);
      if (!n)
        continue;
      g_autoptr (GError) local = NULL;
      *slots[i] = vs_run_result_from_json (n, &local);
      if (!*slots[i])
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: results \"%s\": %s", name, keys[i],
                       local->message);
          return FALSE;
        }
    }
  return TRUE;
}

VsStudy *
vs_study_parse (const char *data, gsize length, const char *name, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (length > VS_STUDY_MAX_BYTES)
    {
      fail (error, name, "the file is too large for a study");
      return NULL;
    }
  /* the nesting is checked before json-glib, whose parser recurses once per
   * level: 10^5 '[' overflowed the stack (found by tests/fuzz/fuzz-study) */
  if (!vx_json_load (parser, data, (gssize) length, VX_JSON_MAX_DEPTH, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: %s", name, local->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, name, "a study must be a JSON object");
      return NULL;
    }
  JsonObject *o = json_node_get_object (root);
  if (!check_header (o, name, error))
    return NULL;

  VsRunSettings s;
  JsonNode *sn = json_object_get_member (o, "settings");
  if (!sn || !vs_run_settings_from_json (&s, sn, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: %s", name,
                   local ? local->message : "\"settings\" is missing");
      return NULL;
    }
  g_autoptr (VsStudy) study = vs_study_new (&s);
  if (!optional_string (o, "model", &study->model_path)
      || !optional_string (o, "dataset", &study->data_source)
      || !optional_string (o, "saved", &study->saved))
    {
      fail (error, name, "\"model\", \"dataset\" and \"saved\" must be strings");
      return NULL;
    }
  JsonNode *ideal = json_object_get_member (o, "ideal_top1");
  if (ideal && JSON_NODE_HOLDS_VALUE (ideal)
      && (json_node_get_value_type (ideal) == G_TYPE_DOUBLE
          || json_node_get_value_type (ideal) == G_TYPE_INT64))
    study->ideal_top1 = json_node_get_double (ideal);
  else if (ideal && !JSON_NODE_HOLDS_NULL (ideal))
    {
      fail (error, name, "\"ideal_top1\" must be a number");
      return NULL;
    }
  if (!read_results (study, o, name, error))
    return NULL;
  return g_steal_pointer (&study);
}

VsStudy *
vs_study_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  return vs_study_parse (data, length, path, error);
}
