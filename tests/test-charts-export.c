/* test-charts-export.c: PNG, SVG and CSV export: metadata, atomic writes, errors */
#define G_LOG_DOMAIN "test-charts-export"
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <png.h>
#include <string.h>

#include "charts-fixtures.h"

static const char settings_json[] =
  "{\"gamma\": 4.0, \"clipformer\": {\"alpha\": 2, \"beta\": 0.25}, \"label\": \"\u03b3 & <SNR>\"}";

typedef struct {
  png_uint_32 width, height, res_x, res_y;
  int         unit;
  GHashTable *text;
} PngInfo;

static gboolean
read_png_info (const char *path, PngInfo *info)
{
  FILE *f = fopen (path, "rb");
  png_structp png;
  png_infop pi;
  png_textp text;
  int n_text = 0;

  g_assert_nonnull (f);
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  pi = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_read_struct (&png, &pi, NULL);
      fclose (f);
      return FALSE;
    }
  png_init_io (png, f);
  png_read_png (png, pi, PNG_TRANSFORM_IDENTITY, NULL);
  info->width = png_get_image_width (png, pi);
  info->height = png_get_image_height (png, pi);
  g_assert_true (png_get_valid (png, pi, PNG_INFO_pHYs));
  png_get_pHYs (png, pi, &info->res_x, &info->res_y, &info->unit);
  info->text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  png_get_text (png, pi, &text, &n_text);
  for (int i = 0; i < n_text; i++)
    {
      g_assert_cmpint (text[i].compression, ==, PNG_TEXT_COMPRESSION_NONE);  /* tEXt */
      g_hash_table_insert (info->text, g_strdup (text[i].key), g_strdup (text[i].text));
    }
  png_destroy_read_struct (&png, &pi, NULL);
  fclose (f);
  return TRUE;
}

static const char *
json_label (const char *json)
{
  static char label[64];
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpfloat (json_object_get_double_member (o, "gamma"), ==, 4.0);
  g_strlcpy (label, json_object_get_string_member (o, "label"), sizeof label);
  return label;
}

static void
test_export_png (void)
{
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "bars.png", NULL);
  g_autoptr (GError) error = NULL;
  VxChartExportOptions o;
  PngInfo info;
  cairo_surface_t *back;
  GDir *d;

  vx_chart_export_options_init (&o, 320, 240);
  o.scale = 2.0;
  o.dpi = 150;
  o.software = "vitx " PACKAGE_VERSION;
  o.settings_json = settings_json;
  g_assert_true (vx_chart_export_png (path, vx_chart_bars_draw, &snr_bars, &o, &error));
  g_assert_no_error (error);

  g_assert_true (read_png_info (path, &info));
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpuint (info.height, ==, 480);
  g_assert_cmpint (info.unit, ==, PNG_RESOLUTION_METER);
  g_assert_cmpuint (info.res_x, ==, (png_uint_32) lround (150 / 0.0254));
  g_assert_cmpuint (info.res_y, ==, info.res_x);
  g_assert_cmpstr (g_hash_table_lookup (info.text, "Software"), ==, "vitx " PACKAGE_VERSION);
  /* The settings survive as the same JSON value, non-ASCII included. */
  g_assert_cmpstr (json_label (g_hash_table_lookup (info.text, "vitx-settings")), ==, "\u03b3 & <SNR>");
  g_hash_table_unref (info.text);

  back = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, 640);
  cairo_surface_destroy (back);

  /* Default resolution is 300 dpi; no temp files are left behind. */
  vx_chart_export_options_init (&o, 200, 100);
  g_assert_true (vx_chart_export_png (path, vx_chart_radar_draw, &radar, &o, &error));
  g_assert_true (read_png_info (path, &info));
  g_assert_cmpuint (info.width, ==, 200);
  g_assert_cmpuint (info.res_x, ==, 11811);
  g_assert_null (g_hash_table_lookup (info.text, "vitx-settings"));
  g_hash_table_unref (info.text);
  d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "bars.png");
  g_assert_null (g_dir_read_name (d));
  g_dir_close (d);
  g_unlink (path);
  g_rmdir (dir);
}

typedef struct {
  double   width, height;
  gboolean in_settings;
  GString *settings;
  gboolean saw_metadata;
} SvgScan;

static double
px_attribute (const char *value)
{
  char *end = NULL;
  double v = g_ascii_strtod (value, &end);
  g_assert_true (*end == '\0' || g_str_equal (end, "px"));
  return v;
}

static void
svg_start (GMarkupParseContext *ctx, const char *name, const char **attr_names,
           const char **attr_values, gpointer user_data, GError **error)
{
  SvgScan *scan = user_data;

  if (g_str_equal (name, "svg"))
    for (int i = 0; attr_names[i]; i++)
      {
        if (g_str_equal (attr_names[i], "width"))
          scan->width = px_attribute (attr_values[i]);
        else if (g_str_equal (attr_names[i], "height"))
          scan->height = px_attribute (attr_values[i]);
      }
  if (g_str_equal (name, "metadata"))
    scan->saw_metadata = TRUE;
  scan->in_settings = g_str_equal (name, "vitx:settings");
}

static void
svg_end (GMarkupParseContext *ctx, const char *name, gpointer user_data, GError **error)
{
  ((SvgScan *) user_data)->in_settings = FALSE;
}

static void
svg_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data, GError **error)
{
  SvgScan *scan = user_data;

  if (scan->in_settings)
    g_string_append_len (scan->settings, text, (gssize) len);
}

static void
test_export_svg (void)
{
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "heatmap.svg", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  GMarkupParser parser = { svg_start, svg_end, svg_text, NULL, NULL };
  GMarkupParseContext *ctx;
  SvgScan scan = { 0, 0, FALSE, g_string_new (NULL), FALSE };
  VxChartExportOptions o;
  gsize len;

  vx_chart_export_options_init (&o, 500, 300);
  o.software = "vitx " PACKAGE_VERSION;
  o.settings_json = settings_json;
  g_assert_true (vx_chart_export_svg (path, vx_chart_heatmap_draw, &heatmap, &o, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  ctx = g_markup_parse_context_new (&parser, 0, &scan, NULL);
  g_assert_true (g_markup_parse_context_parse (ctx, contents, (gssize) len, &error));
  g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (ctx);
  g_assert_cmpfloat (scan.width, ==, 500);
  g_assert_cmpfloat (scan.height, ==, 300);
  g_assert_true (scan.saw_metadata);
  g_assert_cmpstr (scan.settings->str, ==, settings_json);
  g_assert_cmpstr (json_label (scan.settings->str), ==, "\u03b3 & <SNR>");
  g_string_free (scan.settings, TRUE);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_export_csv (void)
{
  const char *cats[] = { "a", "b,c" };
  const double v1[] = { 1.5, NAN }, e1[] = { 0.25, 0.5 }, v2[] = { -2, 1e-7 };
  VxChartBarSeries series[] = { { "first \"one\"", v1, e1, NAN, -1 }, { "second", v2, NULL, NAN, -1 } };
  VxChartBars m = { { "CSV", NULL }, cats, 2, series, 2 };
  g_autoptr (VxChartTable) t = vx_chart_bars_to_table (&m);
  g_autoptr (VxChartTable) h = vx_chart_histogram_to_table (&hist);
  g_autofree char *csv = vx_chart_table_to_csv (t);
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "bars.csv", NULL);
  g_autofree char *back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (csv, ==,
                   "category,\"first \"\"one\"\"\",\"first \"\"one\"\" error\",second\r\n"
                   "a,1.5,0.25,-2\r\n"
                   "\"b,c\",,0.5,1e-07\r\n");
  g_assert_cmpuint (vx_chart_table_get_n_rows (h), ==, 50);
  g_assert_cmpuint (vx_chart_table_get_n_columns (h), ==, 4);
  g_assert_cmpstr (vx_chart_table_get_cell (h, 0, 0), ==, "0.1");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (vx_chart_table_get_cell (h, 49, 1), NULL), 10.0, 1e-9);

  {
    g_autofree char *md = vx_chart_table_to_markdown (t);
    g_assert_cmpstr (md, ==,
                     "| category | first \"one\" | first \"one\" error | second |\n"
                     "| --- | ---: | ---: | ---: |\n"
                     "| a | 1.5 | 0.25 | -2 |\n"
                     "| b,c |  | 0.5 | 1e-07 |\n");
  }
  g_assert_true (vx_chart_export_csv (path, t, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &back, NULL, NULL));
  g_assert_cmpstr (back, ==, csv);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_export_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "fig.png", NULL);
  g_autofree char *ok = g_build_filename (dir, "fig.svg", NULL);
  g_autoptr (VxChartTable) t = vx_chart_radar_to_table (&radar);
  VxChartExportOptions o;
  GError *error = NULL;

  vx_chart_export_options_init (&o, 320, 240);
  g_assert_false (vx_chart_export_png (missing, vx_chart_bars_draw, &snr_bars, &o, &error));
  g_assert_error (error, VX_CHART_ERROR, VX_CHART_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_false (vx_chart_export_csv (missing, t, &error));
  g_assert_error (error, VX_CHART_ERROR, VX_CHART_ERROR_IO);
  g_clear_error (&error);

  o.settings_json = "{\"gamma\": ";
  g_assert_false (vx_chart_export_svg (ok, vx_chart_bars_draw, &snr_bars, &o, &error));
  g_assert_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, ok));
  g_clear_error (&error);
  g_assert_false (g_file_test (ok, G_FILE_TEST_EXISTS));

  vx_chart_export_options_init (&o, 0, 240);
  g_assert_false (vx_chart_export_png (ok, vx_chart_bars_draw, &snr_bars, &o, &error));
  g_assert_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID);
  g_clear_error (&error);

  /* All three formats in one call. */
  vx_chart_export_options_init (&o, 320, 240);
  g_assert_true (vx_chart_export_files (dir, "radar", VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG | VX_CHART_FORMAT_CSV,
                                        vx_chart_radar_draw, &radar, t, &o, &error));
  g_assert_no_error (error);
  for (const char *const *ext = (const char *const[]) { "png", "svg", "csv", NULL }; *ext; ext++)
    {
      g_autofree char *name = g_strdup_printf ("radar.%s", *ext);
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  init_fixtures ();
  g_test_add_func ("/charts/export/png", test_export_png);
  g_test_add_func ("/charts/export/svg", test_export_svg);
  g_test_add_func ("/charts/export/csv", test_export_csv);
  g_test_add_func ("/charts/export/errors", test_export_errors);
  return g_test_run ();
}
