/* test-json-depth.c: deeply nested JSON in model metadata and study files is refused, not a crash */
#define G_LOG_DOMAIN "test-json-depth"
#include "config.h"

#include <string.h>

#include "vx-error.h"
#include "vx-json.h"
#include "vx-model-io.h"
#include "vs-study.h"
#include "vx-xbar.h"

/* n opening brackets, then n closing ones (closed: FALSE leaves them open) */
static char *
nested (const char *before, int n, const char *after, gboolean closed)
{
  GString *s = g_string_new (before);
  for (int i = 0; i < n; i++)
    g_string_append_c (s, i % 2 ? '{' : '[');
  for (int i = n - 1; closed && i >= 0; i--)
    g_string_append (s, i % 2 ? "\"k\":0}" : "]");
  g_string_append (s, after);
  return g_string_free (s, FALSE);
}

static void
test_depth (void)
{
  g_assert_cmpint (vx_json_depth ("", -1), ==, 0);
  g_assert_cmpint (vx_json_depth ("[1, 2]", -1), ==, 1);
  g_assert_cmpint (vx_json_depth ("{\"a\": [[{}]]}", -1), ==, 4);
  /* brackets inside strings, escaped quotes included, do not count */
  g_assert_cmpint (vx_json_depth ("[\"[[[\\\"[[\", {\"]]\": \"{\"}]", -1), ==, 2);
  /* the length is respected: nothing past it is read */
  g_assert_cmpint (vx_json_depth ("[[[[", 2), ==, 2);
  /* unbalanced closers do not go negative and hide later opens */
  g_assert_cmpint (vx_json_depth ("]]]][[", -1), ==, 2);

  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_json_load (p, "{\"a\": [1, {\"b\": 2}]}", -1, 3, &error));
  g_assert_no_error (error);
  g_assert_false (vx_json_load (p, "{\"a\": [1, {\"b\": 2}]}", -1, 2, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "3 levels"));
  g_clear_error (&error);
  g_assert_false (vx_json_load (p, "{\"a\": ", -1, 8, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
}

/* json-glib recurses once per level: a million levels would overflow any stack */
static void
test_study (void)
{
  const int depths[] = { 100000, 1000000 };
  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    for (int closed = 0; closed < 2; closed++)
      {
        g_autofree char *text = nested ("{\"format\": \"vitx-explorer-study\", \"version\": 1, "
                                        "\"settings\": ", depths[i], "}", closed);
        g_autoptr (GError) error = NULL;
        g_autoptr (VsStudy) st = vs_study_parse (text, strlen (text), "deep.vitx-study", &error);
        g_assert_null (st);
        g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
        g_assert_nonnull (strstr (error->message, "deep.vitx-study"));
        g_assert_nonnull (strstr (error->message, "nested"));
      }
}

/* a model whose vitx.class_names metadata is a deeply nested array */
static void
test_class_names (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "ref-tiny.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  g_autofree char *deep = nested ("", 200000, "", TRUE);
  g_hash_table_insert (st->metadata, g_strdup ("vitx.class_names"), g_steal_pointer (&deep));
  g_autoptr (VxModel) m = vx_model_from_safetensors (st, &error);
  g_assert_null (m);
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "vitx.class_names"));
}

/* a crossbar config document (vx_xbar_config_from_json_string) nested a million
 * levels deep, as an unknown member's value and as the whole document: refused
 * for its nesting, the config untouched */
static void
test_xbar_config (void)
{
  for (int closed = 0; closed < 2; closed++)
    {
      g_autofree char *member = nested ("{\"gamma\": 2, \"x\": ", 1000000, "}", closed);
      g_autofree char *whole = nested ("", 1000000, "", closed);
      const char *docs[] = { member, whole };
      for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
        {
          VxXbarConfig c, before;
          vx_xbar_config_init_preset (&c, VX_XBAR_PRESET_SRAM_IMC);
          before = c;
          g_autoptr (GError) error = NULL;
          g_assert_false (vx_xbar_config_from_json_string (&c, docs[i], &error));
          g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
          g_assert_nonnull (strstr (error->message, "crossbar config"));
          g_assert_nonnull (strstr (error->message, "nested"));
          g_assert_cmpmem (&c, sizeof c, &before, sizeof before);
        }
    }
  /* the limit is exact: VX_JSON_MAX_DEPTH levels reach the config reader (which
   * refuses the unknown member), one more is refused for its nesting */
  for (int extra = 0; extra < 2; extra++)
    {
      g_autofree char *doc = nested ("{\"x\": ", VX_JSON_MAX_DEPTH - 1 + extra, "}", TRUE);
      g_assert_cmpint (vx_json_depth (doc, -1), ==, VX_JSON_MAX_DEPTH + extra);
      VxXbarConfig c;
      g_autoptr (GError) error = NULL;
      g_assert_false (vx_xbar_config_from_json_string (&c, doc, &error));
      g_assert_nonnull (error);
      g_assert_true ((strstr (error->message, "nested") != NULL) == (extra == 1));
    }
  VxXbarConfig c;
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_xbar_config_from_json_string (&c, "{\"gamma\": 2, \"analog\": [\"qk\"]}", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (c.gamma, ==, 2.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-depth/measure", test_depth);
  g_test_add_func ("/json-depth/study", test_study);
  g_test_add_func ("/json-depth/model-class-names", test_class_names);
  g_test_add_func ("/json-depth/xbar-config", test_xbar_config);
  return g_test_run ();
}
