/* test-params.c: the parameter tables against the settings schema, the
 * controls template, the config JSON, the validation messages and the presets */
#include "config.h"

#include <math.h>
#include <string.h>

#include "params-test-common.h"
#include "vs-run-settings.h"
#include "vx-xbar-params.h"

/* ---- both tables ------------------------------------------------------------------- */

typedef struct {
  const VxXbarParam *p;
  gboolean run;
} Row;

static GArray *
all_rows (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (Row));
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    g_array_append_val (a, ((Row) { &t[i], FALSE }));
  t = vs_run_params (&n);
  for (guint i = 0; i < n; i++)
    g_array_append_val (a, ((Row) { &t[i], TRUE }));
  return a;
}

static void
test_table (void)
{
  g_autoptr (GArray) rows = all_rows ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      const VxXbarParam *p = g_array_index (rows, Row, i).p;
      const char *names[] = { p->key, p->json_key, p->settings_key };
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        if (names[k])
          {
            g_autofree char *tag = g_strdup_printf ("%u:%s", k, names[k]);
            g_assert_false (g_hash_table_contains (seen, tag));
            g_hash_table_add (seen, g_steal_pointer (&tag));
          }
      g_assert_nonnull (p->json_key);
      g_assert_nonnull (p->description);
      g_assert_nonnull (p->section);
      /* --help-crossbar may print in the C locale */
      for (const char *c = p->description; *c; c++)
        g_assert_cmpint ((guchar) *c, <, 128);
      g_assert_cmpfloat (p->min, <=, p->ui_min);
      g_assert_cmpfloat (p->ui_max, <=, p->max);
      g_assert_true (vx_xbar_param_in_range (p, p->def, TRUE));
      g_assert_true (p->type == VX_XBAR_PARAM_UINT64 || vx_xbar_param_in_range (p, p->def, FALSE));
      for (int c = 0; c < p->n_choices; c++)
        for (int d = c + 1; d < p->n_choices; d++)
          {
            g_assert_cmpstr (p->choices[c].nick, !=, p->choices[d].nick);
            g_assert_cmpint (p->choices[c].value, !=, p->choices[d].value);
          }
    }
  /* the analog choices are the engine's matrix kinds */
  const VxXbarParam *analog = vx_xbar_param_by_key ("analog");
  g_assert_cmpint (analog->n_choices, ==, VX_MM_N_KINDS);
  for (int k = 0; k < analog->n_choices; k++)
    g_assert_cmpstr (analog->choices[k].nick, ==, vx_matmul_kind_to_string (analog->choices[k].value));
}

/* the RRAM preset is the table's defaults; the JSON writes the table's rows in order */
static void
test_defaults_and_json (void)
{
  VxXbarConfig c;
  vx_xbar_config_init (&c);
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (vx_xbar_param_get_number (&t[i], &c), ==, t[i].def);
  g_autoptr (JsonNode) node = vx_xbar_config_to_json (&c);
  g_autoptr (GList) members = json_object_get_members (json_node_get_object (node));
  guint i = 0;
  for (GList *l = members; l; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, t[i].json_key);
  g_assert_cmpuint (i, ==, n);

  VsRunSettings s;
  vs_run_settings_init (&s);
  const VxXbarParam *r = vs_run_params (&n);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (vs_run_param_get (&r[i], &s), ==, r[i].def);
}

/* ---- the settings schema ------------------------------------------------------------- */

typedef struct {
  char *type, *enum_id, *def;
  char *min, *max;
} SchemaKey;

typedef struct {
  GHashTable *enums;   /* id -> GPtrArray of "nick=value" */
  GHashTable *keys;    /* name -> SchemaKey */
  char *enum_id;
  SchemaKey *key;
  gboolean in_default;
  GString *text;
} Schema;

static void
schema_key_free (gpointer data)
{
  SchemaKey *k = data;
  g_free (k->type);
  g_free (k->enum_id);
  g_free (k->def);
  g_free (k->min);
  g_free (k->max);
  g_free (k);
}

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
schema_start (GMarkupParseContext *ctx, const char *element, const char **names,
              const char **values, gpointer data, GError **error)
{
  Schema *s = data;
  if (strcmp (element, "enum") == 0)
    {
      s->enum_id = g_strdup (attr (names, values, "id"));
      g_hash_table_insert (s->enums, g_strdup (s->enum_id), g_ptr_array_new_with_free_func (g_free));
    }
  else if (strcmp (element, "value") == 0 && s->enum_id)
    g_ptr_array_add (g_hash_table_lookup (s->enums, s->enum_id),
                     g_strdup_printf ("%s=%s", attr (names, values, "nick"), attr (names, values, "value")));
  else if (strcmp (element, "key") == 0)
    {
      s->key = g_new0 (SchemaKey, 1);
      s->key->type = g_strdup (attr (names, values, "type"));
      s->key->enum_id = g_strdup (attr (names, values, "enum"));
      g_hash_table_insert (s->keys, g_strdup (attr (names, values, "name")), s->key);
    }
  else if (strcmp (element, "range") == 0 && s->key)
    {
      s->key->min = g_strdup (attr (names, values, "min"));
      s->key->max = g_strdup (attr (names, values, "max"));
    }
  else if (strcmp (element, "default") == 0 && s->key)
    {
      s->in_default = TRUE;
      g_string_truncate (s->text, 0);
    }
}

static void
schema_end (GMarkupParseContext *ctx, const char *element, gpointer data, GError **error)
{
  Schema *s = data;
  if (strcmp (element, "enum") == 0)
    g_clear_pointer (&s->enum_id, g_free);
  else if (strcmp (element, "key") == 0)
    s->key = NULL;
  else if (strcmp (element, "default") == 0 && s->key)
    {
      s->key->def = g_strstrip (g_strdup (s->text->str));
      s->in_default = FALSE;
    }
}

static void
schema_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  Schema *s = data;
  if (s->in_default)
    g_string_append_len (s->text, text, len);
}

static void
parse_file (const char *name, const GMarkupParser *parser, gpointer data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "resources", name, NULL);
  g_autofree char *xml = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &xml, NULL, &error));
  g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (parser, 0, data, NULL);
  g_assert_true (g_markup_parse_context_parse (ctx, xml, -1, &error));
  g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
}

/* the schema's text of a number as the table holds it */
static double
number (const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  g_assert_true (end && *end == '\0');
  return v;
}

static void
check_schema_enum (const Schema *s, const SchemaKey *k, const VxXbarParam *p)
{
  g_assert_nonnull (k->enum_id);
  GPtrArray *values = g_hash_table_lookup (s->enums, k->enum_id);
  g_assert_nonnull (values);
  g_assert_cmpuint (values->len, ==, p->n_choices);
  for (int c = 0; c < p->n_choices; c++)
    {
      g_autofree char *want = g_strdup_printf ("%s=%d", p->choices[c].nick, p->choices[c].value);
      g_assert_cmpstr (g_ptr_array_index (values, c), ==, want);
    }
  g_autofree char *def = g_strdup_printf ("'%s'", vx_xbar_param_choice_by_value (p, (int) p->def)->nick);
  g_assert_cmpstr (k->def, ==, def);
}

static void
check_schema_mask (const SchemaKey *k, const VxXbarParam *p)
{
  g_assert_cmpstr (k->type, ==, "as");
  GString *want = g_string_new ("[");
  for (int c = 0; c < p->n_choices; c++)
    if ((guint) p->def & (1u << p->choices[c].value))
      g_string_append_printf (want, "%s'%s'", want->len > 1 ? ", " : "", p->choices[c].nick);
  g_string_append (want, "]");
  g_assert_cmpstr (k->def, ==, want->str);
  g_string_free (want, TRUE);
}

static void
check_schema_key (const Schema *s, const VxXbarParam *p)
{
  const SchemaKey *k = g_hash_table_lookup (s->keys, p->settings_key);
  if (!k)
    g_error ("the schema has no key %s", p->settings_key);
  g_test_message ("%s: default %s, range %s..%s", p->settings_key, k->def, k->min, k->max);
  switch (p->type)
    {
    case VX_XBAR_PARAM_ENUM:
    case VX_XBAR_PARAM_PRESET:
      check_schema_enum (s, k, p);
      return;
    case VX_XBAR_PARAM_MASK:
      check_schema_mask (k, p);
      return;
    case VX_XBAR_PARAM_BOOL:
      g_assert_cmpstr (k->type, ==, "b");
      g_assert_cmpstr (k->def, ==, p->def != 0 ? "true" : "false");
      return;
    default:
      g_assert_cmpstr (k->type, ==, p->type == VX_XBAR_PARAM_DOUBLE ? "d" : "i");
      g_assert_cmpfloat (number (k->def), ==, p->def);
      g_assert_nonnull (k->min);
      g_assert_cmpfloat (number (k->min), ==, p->ui_min);
      g_assert_cmpfloat (number (k->max), ==, p->ui_max);
    }
}

static void
test_gschema (void)
{
  GMarkupParser parser = { schema_start, schema_end, schema_text, NULL, NULL };
  Schema s = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref),
               g_hash_table_new_full (g_str_hash, g_str_equal, g_free, schema_key_free),
               NULL, NULL, FALSE, g_string_new (NULL) };
  parse_file ("org.vitx.Explorer.gschema.xml", &parser, &s);
  g_autoptr (GArray) rows = all_rows ();
  guint checked = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const VxXbarParam *p = g_array_index (rows, Row, i).p;
      if (!p->settings_key)
        continue;
      check_schema_key (&s, p);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 23);
  g_hash_table_unref (s.enums);
  g_hash_table_unref (s.keys);
  g_string_free (s.text, TRUE);
}

/* ---- the controls template carries no copy ------------------------------------------ */

typedef struct {
  GPtrArray *objects;   /* "class#id" of the open <object>s */
  GPtrArray *copies;    /* what the template should not hold */
  guint rows, dropdowns;
} Template;

static void
ui_start (GMarkupParseContext *ctx, const char *element, const char **names,
          const char **values, gpointer data, GError **error)
{
  Template *t = data;
  if (strcmp (element, "object") == 0 || strcmp (element, "template") == 0)
    {
      const char *cls = attr (names, values, "class"), *id = attr (names, values, "id");
      g_ptr_array_add (t->objects, g_strdup_printf ("%s#%s", cls, id ? id : ""));
      t->rows += g_strcmp0 (cls, "VxParamRow") == 0;
      t->dropdowns += g_strcmp0 (cls, "GtkDropDown") == 0;
      return;
    }
  if (strcmp (element, "property") != 0 && strcmp (element, "item") != 0)
    return;
  const char *top = t->objects->len ? g_ptr_array_index (t->objects, t->objects->len - 1) : "";
  const char *name = strcmp (element, "item") == 0 ? "item" : attr (names, values, "name");
  static const char *const row_props[] = { "title", "unit", "lower", "upper", "step", "digits",
                                           "log-scale", "pow2", "default-value", "equation", NULL };
  gboolean copy =
    (g_str_has_prefix (top, "VxParamRow#") && g_strv_contains (row_props, name))
    || (g_str_has_prefix (top, "GtkDropDown#") && strcmp (name, "model") == 0)
    || (g_str_has_prefix (top, "GtkStringList#") && strcmp (name, "item") == 0)
    || (g_str_has_prefix (top, "GtkCheckButton#analog_") && strcmp (name, "label") == 0)
    || (strcmp (top, "GtkAdjustment#seed_adjustment") == 0
        && (strcmp (name, "lower") == 0 || strcmp (name, "upper") == 0));
  if (copy)
    g_ptr_array_add (t->copies, g_strdup_printf ("%s %s", top, name));
}

static void
ui_end (GMarkupParseContext *ctx, const char *element, gpointer data, GError **error)
{
  Template *t = data;
  if (strcmp (element, "object") == 0 || strcmp (element, "template") == 0)
    g_ptr_array_remove_index (t->objects, t->objects->len - 1);
}

static void
test_controls_template (void)
{
  GMarkupParser parser = { ui_start, ui_end, NULL, NULL, NULL };
  Template t = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free), 0, 0 };
  parse_file ("vx-controls.ui", &parser, &t);
  for (guint i = 0; i < t.copies->len; i++)
    g_test_message ("vx-controls.ui holds a copy of a table value: %s",
                    (char *) g_ptr_array_index (t.copies, i));
  g_assert_cmpuint (t.copies->len, ==, 0);
  g_assert_cmpuint (t.rows, ==, 13);
  g_assert_cmpuint (t.dropdowns, ==, 7);
  g_ptr_array_unref (t.objects);
  g_ptr_array_unref (t.copies);
}

/* ---- messages name the flag or key and the range ------------------------------------- */

static void
assert_error_names (const GError *error, const char *a, const char *b)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (!strstr (error->message, a) || (b && !strstr (error->message, b)))
    g_error ("\"%s\" does not name %s and %s", error->message, a, b ? b : "");
}

static void
test_validation_messages (void)
{
  guint n;
  const VxXbarParam *t = vx_xbar_params (&n);
  for (guint i = 0; i < n; i++)
    {
      const VxXbarParam *p = &t[i];
      if (p->type != VX_XBAR_PARAM_DOUBLE && p->type != VX_XBAR_PARAM_INT)
        continue;
      if (p->flags & VX_XBAR_PARAM_DERIVED)
        continue;
      VxXbarConfig c;
      vx_xbar_config_init (&c);
      double bad = isinf (p->max) ? p->min - 1 : p->max + 1;
      if (p->type == VX_XBAR_PARAM_DOUBLE)
        vx_xbar_param_set_double (p, &c, bad);
      else
        vx_xbar_param_set_int (p, &c, (int) bad);
      g_autoptr (GError) error = NULL;
      g_assert_false (vx_xbar_config_validate (&c, &error));
      g_autofree char *range = vx_xbar_param_range_text (p, FALSE);
      g_autofree char *flag = p->key ? g_strconcat ("--", p->key, NULL) : g_strdup (p->json_key);
      assert_error_names (error, flag, range);

      /* the JSON reader names the member */
      g_autofree char *json = g_strdup_printf ("{\"%s\": %.17g}", p->json_key, bad);
      g_autofree char *member = g_strdup_printf ("\"%s\"", p->json_key);
      g_clear_error (&error);
      g_assert_false (vx_xbar_config_from_json_string (&c, json, &error));
      assert_error_names (error, member, range);
    }
  VxXbarConfig c;
  g_autoptr (GError) error = NULL;
  g_assert_false (vx_xbar_config_from_json_string (&c, "{\"gamma\": 3, \"colour\": 1}", &error));
  assert_error_names (error, "\"colour\"", NULL);
  g_clear_error (&error);
  g_assert_false (vx_xbar_config_from_json_string (&c, "{\"kv_scale\": \"per-planet\"}", &error));
  assert_error_names (error, "\"kv_scale\"", "per-head, per-tensor, per-batch, calibrated or per-channel");
  g_clear_error (&error);
  g_assert_false (vx_xbar_config_from_json_string (&c, "{\"bits_per_cell\": 3}", &error));
  assert_error_names (error, "--bits-per-cell", "--weight-bits");
}

static gboolean
run_settings_from (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  VsRunSettings s;
  return vs_run_settings_from_json (&s, json_parser_get_root (parser), error);
}

static void
test_run_settings_messages (void)
{
  struct { const char *json, *a, *b; } cases[] = {
    { "{\"repeats\": 11}", "\"repeats\"", "1..10" },
    { "{\"outlier_scale\": 0.5}", "\"outlier_scale\"", "[1, 64]" },
    { "{\"outlier_channels\": 0}", "\"outlier_channels\"", "1..1024" },
    { "{\"images\": 0}", "\"images\"", "1..2147483647" },
    { "{\"snr\": \"none\"}", "\"snr\"", "end-to-end or local" },
    { "{\"crossbar\": {\"gamma\": 1001}}", "\"gamma\"", "[0, 1000]" },
    { "{\"window\": 1}", "\"window\"", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (run_settings_from (cases[i].json, &error));
      assert_error_names (error, cases[i].a, cases[i].b);
    }
  g_assert_true (run_settings_from ("{\"repeats\": 10, \"crossbar\": {\"gamma\": 1000}}", NULL));
}

/* ---- the SRAM preset is noise-free and computes what the ideal network does ----------- */

static void
test_sram_is_ideal (void)
{
  VxXbarConfig c;
  vx_xbar_config_init_preset (&c, VX_XBAR_PRESET_SRAM_IMC);
  g_assert_false (c.clipformer);
  g_assert_cmpfloat (c.sigma_r, ==, 0.0);
  g_assert_cmpfloat (c.sigma_w, ==, 0.0);
  /* ClipFormer switched on in a JSON config of the preset stays a user's choice */
  VxXbarConfig j;
  g_assert_true (vx_xbar_config_from_json_string (&j, "{\"preset\": \"sram-imc\"}", NULL));
  g_assert_false (j.clipformer);

  ParamsTestFixture f = { 0 };
  params_test_fixture_load (&f);
  double ideal = params_test_ideal_top1 (&f), sram = params_test_xbar_top1 (&f, &c);
  g_test_message ("ideal %.2f %%, SRAM preset %.2f %% (%d images)", 100 * ideal, 100 * sram,
                  PARAMS_TEST_IMAGES);
  /* only the 8-bit weights and inputs differ from the float network */
  g_assert_cmpfloat (fabs (sram - ideal), <=, 0.02);
  params_test_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/params/table", test_table);
  g_test_add_func ("/params/defaults-and-json", test_defaults_and_json);
  g_test_add_func ("/params/gschema", test_gschema);
  g_test_add_func ("/params/controls-template", test_controls_template);
  g_test_add_func ("/params/validation-messages", test_validation_messages);
  g_test_add_func ("/params/run-settings-messages", test_run_settings_messages);
  g_test_add_func ("/params/sram-is-ideal", test_sram_is_ideal);
  return g_test_run ();
}
