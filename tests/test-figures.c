/* test-figures.c: `vitx figures` end to end: every file, its metadata, its numbers */
#define G_LOG_DOMAIN "test-figures"
#include "config.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* A tiny random-weight model (3 blocks, 1x28x28, 10 classes) on the bundled
 * Fashion-MNIST subset, so every machine sees the same images. */
#define LIMIT      "32"
#define SNR_LIMIT  "16"
#define REPEATS    "2"
#define WIDTH      480
#define HEIGHT     320

static char *vitx_bin;
static char *model_path;
static char *out_dir;

static const char *const figure_names[] = {
  "fig1a-radar", "fig5-hist-k", "fig5-hist-v", "fig6-snr-blocks", "fig6-snr-gamma",
  "fig8-ablation-heatmap", "fig8-ablation-bars", "fig9-onoff", "fig10-hw", "table2", "figx-outlier",
};

/* ---- running vitx ------------------------------------------------------------------------ */

static char **
child_env (void)
{
  char **env = g_get_environ ();
  /* no Debian dataset: the embedded subset, identical everywhere */
  return g_environ_setenv (env, "VITX_FASHION_MNIST_DIR", "/nonexistent-vitx-test-dir", TRUE);
}

/* run vitx with args; returns the exit status, stdout in *out (nullable) */
static int
run_vitx (const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, vitx_bin);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_auto (GStrv) env = child_env ();
  g_autoptr (GError) error = NULL;
  int status = 0;
  char *o = NULL, *e = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &o, &e, &status, &error));
  g_assert_no_error (error);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
ensure_figures (void)
{
  if (out_dir)
    return;
  out_dir = g_dir_make_tmp ("vitx-figures-XXXXXX", NULL);
  g_assert_nonnull (out_dir);
  char width[16], height[16];
  g_snprintf (width, sizeof width, "%d", WIDTH);
  g_snprintf (height, sizeof height, "%d", HEIGHT);
  const char *args[] = {
    "figures", "--model", model_path, "--out", out_dir, "--limit", LIMIT, "--snr-limit", SNR_LIMIT,
    "--repeats", REPEATS, "--width", width, "--height", height, "--scale", "1", "--quiet", NULL,
  };
  g_autofree char *out = NULL, *err = NULL;
  int rc = run_vitx (args, &out, &err);
  if (rc != 0)
    g_test_message ("vitx figures: %s", err);
  g_assert_cmpint (rc, ==, 0);
  /* the summary names the total time */
  g_assert_nonnull (strstr (out, "total time"));
}

static JsonObject *
eval_json (JsonParser *parser, const char *const *extra)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "eval", "--model", model_path, "--limit", LIMIT, "--snr-limit", SNR_LIMIT,
                         "--json", "--quiet" };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (args, (char *) base[i]);
  for (guint i = 0; extra[i]; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int rc = run_vitx ((const char *const *) args->pdata, &out, &err);
  if (rc != 0)
    g_test_message ("vitx eval: %s", err);
  g_assert_cmpint (rc, ==, 0);
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* ---- CSV ---------------------------------------------------------------------------------------- */

typedef struct {
  GPtrArray *rows;   /* (GStrv) header first */
} Csv;

static void
csv_clear (Csv *c)
{
  g_clear_pointer (&c->rows, g_ptr_array_unref);
}

/* RFC 4180: quoted fields with doubled quotes, CRLF or LF line ends */
static void
csv_load (Csv *c, const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  c->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE, any = FALSE;
  for (const char *p = text; *p; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
          continue;
        }
      if (*p == '"')
        quoted = any = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          any = TRUE;
        }
      else if (*p == '\r')
        continue;
      else if (*p == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (row, NULL);
          g_ptr_array_add (c->rows, g_ptr_array_steal (row, NULL));
          row = g_ptr_array_new_with_free_func (g_free);
          any = FALSE;
        }
      else
        {
          g_string_append_c (field, *p);
          any = TRUE;
        }
    }
  g_assert_false (quoted);
  g_assert_false (any);   /* the last line ends with a line break */
  g_string_free (field, TRUE);
}

static char **
csv_row (const Csv *c, guint i)
{
  g_assert_cmpuint (i, <, c->rows->len);
  return c->rows->pdata[i];
}

static int
csv_col (const Csv *c, const char *name)
{
  char **h = csv_row (c, 0);
  for (int i = 0; h[i]; i++)
    if (g_str_equal (h[i], name))
      return i;
  g_test_message ("column %s missing", name);
  g_assert_not_reached ();
  return -1;
}

static double
num (const char *s)
{
  char *end;
  g_assert_true (s && *s);
  double v = g_ascii_strtod (s, &end);
  g_assert_cmpstr (end, ==, "");
  return v;
}

/* the row whose column key_col equals key (and x_col equals x unless NaN) */
static char **
csv_find (const Csv *c, const char *key_col, const char *key, const char *x_col, double x)
{
  int k = csv_col (c, key_col), xi = x_col ? csv_col (c, x_col) : -1;
  for (guint i = 1; i < c->rows->len; i++)
    {
      char **r = csv_row (c, i);
      if (g_str_equal (r[k], key) && (xi < 0 || num (r[xi]) == x))
        return r;
    }
  g_test_message ("no row %s = %s, %s = %g", key_col, key, x_col ? x_col : "-", x);
  g_assert_not_reached ();
  return NULL;
}

static char *
fig_path (const char *name, const char *ext)
{
  g_autofree char *base = g_strdup_printf ("%s.%s", name, ext);
  return g_build_filename (out_dir, base, NULL);
}

/* the CSV values are printed with 9 significant digits */
#define assert_close(a, b) g_assert_cmpfloat_with_epsilon ((a), (b), 1e-7 * MAX (1.0, fabs (b)))

/* ---- the files ------------------------------------------------------------------------------------ */

static void
test_files (void)
{
  ensure_figures ();
  static const char *const exts[] = { "png", "svg", "csv" };
  for (guint i = 0; i < G_N_ELEMENTS (figure_names); i++)
    for (guint k = 0; k < G_N_ELEMENTS (exts); k++)
      {
        g_autofree char *p = fig_path (figure_names[i], exts[k]);
        if (!g_file_test (p, G_FILE_TEST_IS_REGULAR))
          g_test_message ("missing %s", p);
        g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      }
  g_autofree char *md = fig_path ("table2", "md");
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (md, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "| model | γ = 3 | γ = 4 | γ = 5 |"));
  g_assert_nonnull (strstr (text, "→"));
  /* nothing but the figures and no temp files left behind */
  GDir *d = g_dir_open (out_dir, 0, NULL);
  guint n = 0;
  for (const char *f = g_dir_read_name (d); f; f = g_dir_read_name (d))
    n++;
  g_dir_close (d);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (figure_names) * 3 + 1);
}

static void
check_settings (const char *figure, const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_nonnull (json);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "figure"), ==, figure);
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "model"), "ref-tiny.safetensors"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "data"), "Fashion-MNIST"));
  g_assert_cmpint (json_object_get_int_member (o, "limit"), ==, atoi (LIMIT));
  g_assert_cmpint (json_object_get_int_member (o, "images"), ==, atoi (LIMIT));
  g_assert_cmpint (json_object_get_int_member (o, "repeats"), ==, atoi (REPEATS));
  g_assert_cmpint (json_object_get_int_member (o, "seed"), ==, 0);
  JsonObject *cfg = json_object_get_object_member (o, "config");
  g_assert_nonnull (cfg);
  g_assert_cmpfloat (json_object_get_double_member (cfg, "g_min_us"), ==, 0.1);
  JsonArray *runs = json_object_get_array_member (o, "runs");
  g_assert_nonnull (runs);
  if (g_str_equal (figure, "fig10-hw"))
    g_assert_true (json_object_has_member (o, "hw_config_clipformer"));
  else
    {
      g_assert_cmpuint (json_array_get_length (runs), >, 0);
      JsonObject *r0 = json_array_get_object_element (runs, 0);
      g_assert_true (json_object_has_member (json_object_get_object_member (r0, "config"), "gamma"));
    }
}

static void
test_png (void)
{
  ensure_figures ();
  for (guint i = 0; i < G_N_ELEMENTS (figure_names); i++)
    {
      g_autofree char *p = fig_path (figure_names[i], "png");
      FILE *f = fopen (p, "rb");
      g_assert_nonnull (f);
      png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
      png_infop info = png_create_info_struct (png);
      g_assert_true (png && info);
      if (setjmp (png_jmpbuf (png)))
        {
          g_test_message ("%s does not decode", p);
          g_assert_not_reached ();
        }
      png_init_io (png, f);
      /* decodes every pixel, so a corrupt image fails here */
      png_read_png (png, info, PNG_TRANSFORM_IDENTITY, NULL);
      g_assert_cmpuint (png_get_image_width (png, info), ==, WIDTH);
      g_assert_cmpuint (png_get_image_height (png, info), ==, HEIGHT);
      png_uint_32 rx = 0, ry = 0;
      int unit = -1;
      g_assert_true (png_get_valid (png, info, PNG_INFO_pHYs));
      png_get_pHYs (png, info, &rx, &ry, &unit);
      g_assert_cmpint (unit, ==, PNG_RESOLUTION_METER);
      g_assert_cmpuint (rx, ==, (png_uint_32) lround (300 / 0.0254));
      g_assert_cmpuint (ry, ==, rx);
      png_textp text = NULL;
      int n_text = 0;
      const char *software = NULL, *settings = NULL;
      png_get_text (png, info, &text, &n_text);
      for (int k = 0; k < n_text; k++)
        {
          g_assert_cmpint (text[k].compression, ==, PNG_TEXT_COMPRESSION_NONE);  /* tEXt */
          if (g_str_equal (text[k].key, "Software"))
            software = text[k].text;
          else if (g_str_equal (text[k].key, "vitx-settings"))
            settings = text[k].text;
        }
      g_assert_cmpstr (software, ==, "vitx " PACKAGE_VERSION);
      check_settings (figure_names[i], settings);
      png_destroy_read_struct (&png, &info, NULL);
      fclose (f);
    }
}

typedef struct {
  double width, height;
  gboolean in_settings;
  GString *settings;
} SvgScan;

static double
px (const char *v)
{
  char *end;
  double d = g_ascii_strtod (v, &end);
  g_assert_true (*end == 0 || g_str_equal (end, "px"));
  return d;
}

static void
svg_start (GMarkupParseContext *ctx, const char *name, const char **an, const char **av,
           gpointer user, GError **error)
{
  SvgScan *s = user;
  if (g_str_equal (name, "svg"))
    for (int i = 0; an[i]; i++)
      {
        if (g_str_equal (an[i], "width"))
          s->width = px (av[i]);
        else if (g_str_equal (an[i], "height"))
          s->height = px (av[i]);
      }
  s->in_settings = g_str_has_suffix (name, ":settings");
}

static void
svg_end (GMarkupParseContext *ctx, const char *name, gpointer user, GError **error)
{
  ((SvgScan *) user)->in_settings = FALSE;
}

static void
svg_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer user, GError **error)
{
  SvgScan *s = user;
  if (s->in_settings)
    g_string_append_len (s->settings, text, (gssize) len);
}

static void
test_svg (void)
{
  ensure_figures ();
  for (guint i = 0; i < G_N_ELEMENTS (figure_names); i++)
    {
      g_autofree char *p = fig_path (figure_names[i], "svg");
      g_autofree char *text = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (p, &text, &len, NULL));
      SvgScan scan = { 0, 0, FALSE, g_string_new (NULL) };
      GMarkupParser parser = { svg_start, svg_end, svg_text, NULL, NULL };
      GMarkupParseContext *ctx = g_markup_parse_context_new (&parser, 0, &scan, NULL);
      g_autoptr (GError) error = NULL;
      gboolean ok = g_markup_parse_context_parse (ctx, text, (gssize) len, &error)
                    && g_markup_parse_context_end_parse (ctx, &error);
      if (!ok)
        g_test_message ("%s: %s", p, error->message);
      g_assert_true (ok);
      g_markup_parse_context_free (ctx);
      g_assert_cmpfloat (scan.width, ==, WIDTH);
      g_assert_cmpfloat (scan.height, ==, HEIGHT);
      check_settings (figure_names[i], scan.settings->str);
      g_string_free (scan.settings, TRUE);
    }
}

/* ---- CSV shape ------------------------------------------------------------------------------------- */

static void
test_csv (void)
{
  ensure_figures ();
  const int depth = 3;   /* ref-tiny */
  static const struct {
    const char *name;
    const char *header;
    guint rows;
  } expect[] = {
    { "fig1a-radar", "axis,unit,min,max,lower_is_better,Ideal RRAM (noise-free devices),"
                     "RRAM untransformed,RRAM + ClipFormer (2, 0.25),SRAM digital IMC", 6 },
    { "fig5-hist-k", "bin_lo_uS,bin_hi_uS,Untransformed,ClipFormer (2, 1),ClipFormer (2, 0.25)", 128 },
    { "fig5-hist-v", "bin_lo_uS,bin_hi_uS,Untransformed,ClipFormer (2, 1),ClipFormer (2, 0.25)", 128 },
    { "fig6-snr-blocks", "category,Untransformed,ClipFormer (2, 1),ClipFormer (2, 0.25)", depth },
    { "fig6-snr-gamma", "series,x,y,y_error", 5 * 3 },
    { "fig8-ablation-heatmap", "setting,clipformer,alpha,beta,gamma,images,repeats,top1_mean_pct,"
                               "top1_std_pct,top1_runs_pct,snr_mean_db", 5 * 3 },
    { "fig8-ablation-bars", "category,Untransformed,Untransformed error,ClipFormer (1, 1),"
                            "ClipFormer (1, 1) error,ClipFormer (2, 1),ClipFormer (2, 1) error,"
                            "ClipFormer (1, 0.25),ClipFormer (1, 0.25) error,ClipFormer (2, 0.25),"
                            "ClipFormer (2, 0.25) error", 3 },
    { "fig9-onoff", "series,x,y,y_error", 2 * 2 * 3 },
    { "fig10-hw", "architecture,blocks,tokens,xbars_untransformed,xbars_clipformer,"
                  "area_untransformed_mm2,area_clipformer_mm2,area_clipformer_pct,"
                  "energy_untransformed_uj,energy_clipformer_uj,energy_clipformer_pct", 3 },
    { "table2", "gamma,software_top1_pct,without_top1_mean_pct,without_top1_std_pct,best_alpha,"
                "best_beta,with_top1_mean_pct,with_top1_std_pct,repeats,images", 3 },
    { "figx-outlier", "series,x,y,y_error", 4 * 5 + 2 },
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (expect) == G_N_ELEMENTS (figure_names));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *p = fig_path (expect[i].name, "csv");
      Csv c = { 0 };
      csv_load (&c, p);
      g_autofree char *header = g_strjoinv (",", csv_row (&c, 0));
      g_assert_cmpstr (header, ==, expect[i].header);
      g_assert_cmpuint (c.rows->len - 1, ==, expect[i].rows);
      guint cols = g_strv_length (csv_row (&c, 0));
      for (guint r = 1; r < c.rows->len; r++)
        g_assert_cmpuint (g_strv_length (csv_row (&c, r)), ==, cols);
      csv_clear (&c);
    }
}

/* ---- the numbers are those of `vitx eval` ---------------------------------------------------------- */

static void
check_top1 (JsonObject *e, const char *mean_pct, const char *std_pct)
{
  assert_close (num (mean_pct), 100.0 * json_object_get_double_member (e, "top1_mean"));
  if (std_pct)
    assert_close (num (std_pct), 100.0 * json_object_get_double_member (e, "top1_std"));
}

static void
test_agrees_with_eval (void)
{
  ensure_figures ();
  Csv c = { 0 };

  /* Fig. 8 / Table II grid: ClipFormer (2, 0.25) at gamma 4 */
  {
    g_autofree char *p = fig_path ("fig8-ablation-heatmap", "csv");
    csv_load (&c, p);
    g_autoptr (JsonParser) jp = json_parser_new ();
    const char *args[] = { "--gamma", "4", "--alpha", "2", "--beta", "0.25", "--repeats", REPEATS, NULL };
    JsonObject *e = eval_json (jp, args);
    char **r = csv_find (&c, "setting", "ClipFormer (2, 0.25)", "gamma", 4.0);
    check_top1 (e, r[csv_col (&c, "top1_mean_pct")], r[csv_col (&c, "top1_std_pct")]);
    assert_close (num (r[csv_col (&c, "snr_mean_db")]), json_object_get_double_member (e, "snr_mean_db"));
    JsonArray *runs = json_object_get_array_member (e, "top1_runs");
    g_auto (GStrv) each = g_strsplit (r[csv_col (&c, "top1_runs_pct")], " ", -1);
    g_assert_cmpuint (g_strv_length (each), ==, json_array_get_length (runs));
    for (guint i = 0; each[i]; i++)
      assert_close (num (each[i]), 100.0 * json_array_get_double_element (runs, i));
    csv_clear (&c);
  }

  /* Fig. 6 left: per-block SNR, untransformed at gamma 4; Fig. 5: every K value of
   * block 1 is counted once (the idle cell of each pair is not) */
  {
    g_autoptr (JsonParser) jp = json_parser_new ();
    const char *args[] = { "--gamma", "4", "--repeats", REPEATS, NULL };
    JsonObject *e = eval_json (jp, args);
    JsonArray *snr = json_object_get_array_member (e, "snr_db");
    g_autofree char *p = fig_path ("fig6-snr-blocks", "csv");
    csv_load (&c, p);
    int col = csv_col (&c, "Untransformed");
    g_assert_cmpuint (c.rows->len - 1, ==, json_array_get_length (snr));
    for (guint l = 0; l < json_array_get_length (snr); l++)
      assert_close (num (csv_row (&c, l + 1)[col]), json_array_get_double_element (snr, l));
    csv_clear (&c);

    JsonObject *kv0 = json_array_get_object_element (json_object_get_array_member (e, "kv_stats"), 0);
    static const char *const hists[2][2] = { { "fig5-hist-k", "k" }, { "fig5-hist-v", "v" } };
    for (int h = 0; h < 2; h++)
      {
        g_autofree char *hp = fig_path (hists[h][0], "csv");
        csv_load (&c, hp);
        double total = 0, total_clip = 0;
        int cu = csv_col (&c, "Untransformed"), cc = csv_col (&c, "ClipFormer (2, 0.25)");
        for (guint i = 1; i < c.rows->len; i++)
          {
            total += num (csv_row (&c, i)[cu]);
            total_clip += num (csv_row (&c, i)[cc]);
          }
        gint64 values = json_object_get_int_member (json_object_get_object_member (kv0, hists[h][1]), "values");
        g_assert_cmpfloat (total, ==, (double) values);
        g_assert_cmpfloat (total_clip, ==, (double) values);
        /* beta = 0.25: nothing above beta * G_max = 2.5 uS */
        int lo = csv_col (&c, "bin_lo_uS");
        for (guint i = 1; i < c.rows->len; i++)
          if (num (csv_row (&c, i)[lo]) > 2.5)
            g_assert_cmpfloat (num (csv_row (&c, i)[cc]), ==, 0.0);
        csv_clear (&c);
      }
  }

  /* Fig. 9: ClipFormer (2, 1) at gamma 3 and ON/OFF 25 */
  {
    g_autofree char *p = fig_path ("fig9-onoff", "csv");
    csv_load (&c, p);
    g_autoptr (JsonParser) jp = json_parser_new ();
    const char *args[] = { "--gamma", "3", "--onoff", "25", "--alpha", "2", "--beta", "1",
                           "--repeats", REPEATS, NULL };
    JsonObject *e = eval_json (jp, args);
    char **r = csv_find (&c, "series", "ClipFormer (2, 1), γ = 3", "x", 25.0);
    check_top1 (e, r[csv_col (&c, "y")], r[csv_col (&c, "y_error")]);
    csv_clear (&c);
  }

  /* the outlier sweep: per-channel scale and the renormalised reading */
  {
    g_autofree char *p = fig_path ("figx-outlier", "csv");
    csv_load (&c, p);
    g_autoptr (JsonParser) jp1 = json_parser_new ();
    const char *a1[] = { "--gamma", "5", "--kv-scale", "per-channel", "--outlier-scale", "16",
                         "--outlier-channels", "2", "--repeats", REPEATS, NULL };
    JsonObject *e1 = eval_json (jp1, a1);
    char **r1 = csv_find (&c, "series", "Per-channel K/V scale", "x", 16.0);
    check_top1 (e1, r1[csv_col (&c, "y")], r1[csv_col (&c, "y_error")]);
    g_autoptr (JsonParser) jp2 = json_parser_new ();
    const char *a2[] = { "--gamma", "5", "--alpha", "2", "--beta", "0.25", "--decode", "renormalised",
                         "--outlier-scale", "4", "--repeats", REPEATS, NULL };
    JsonObject *e2 = eval_json (jp2, a2);
    char **r2 = csv_find (&c, "series", "ClipFormer (2, 0.25), renormalised", "x", 4.0);
    check_top1 (e2, r2[csv_col (&c, "y")], r2[csv_col (&c, "y_error")]);
    csv_clear (&c);
  }

  /* Fig. 1a: the SRAM preset (noise-free, one repeat) */
  {
    g_autofree char *p = fig_path ("fig1a-radar", "csv");
    csv_load (&c, p);
    g_autoptr (JsonParser) jp = json_parser_new ();
    const char *args[] = { "--preset", "sram-imc", NULL };
    JsonObject *e = eval_json (jp, args);
    char **r = csv_find (&c, "axis", "Top-1 accuracy, γ = 3", NULL, NAN);
    check_top1 (e, r[csv_col (&c, "SRAM digital IMC")], NULL);
    csv_clear (&c);
  }

  /* Table II: the software accuracy is the float network's */
  {
    g_autofree char *p = fig_path ("table2", "csv");
    csv_load (&c, p);
    g_autoptr (JsonParser) jp = json_parser_new ();
    const char *args[] = { NULL };
    JsonObject *e = eval_json (jp, args);
    for (guint i = 1; i < c.rows->len; i++)
      assert_close (num (csv_row (&c, i)[csv_col (&c, "software_top1_pct")]),
                    100.0 * json_object_get_double_member (e, "top1"));
    csv_clear (&c);
  }

  /* Fig. 10: DeiT-S as `vitx hw` counts it (docs/MODEL.md 7: 1,248 -> 1,152 crossbars per block) */
  {
    g_autofree char *p = fig_path ("fig10-hw", "csv");
    csv_load (&c, p);
    char **r = csv_find (&c, "architecture", "DeiT-S", NULL, NAN);
    g_assert_cmpfloat (num (r[csv_col (&c, "xbars_untransformed")]), ==, 12 * 1248);
    g_assert_cmpfloat (num (r[csv_col (&c, "xbars_clipformer")]), ==, 12 * 1152);
    const char *args[] = { "hw", "--arch", "deit-s", "--alpha", "2", "--beta", "0.25", "--compare",
                           "--json", NULL };
    g_autofree char *out = NULL;
    g_assert_cmpint (run_vitx (args, &out, NULL), ==, 0);
    g_autoptr (JsonParser) jp = json_parser_new ();
    g_assert_true (json_parser_load_from_data (jp, out, -1, NULL));
    JsonObject *o = json_node_get_object (json_parser_get_root (jp));
    JsonObject *clip = json_object_get_object_member (json_object_get_object_member (o, "clipformer"),
                                                      "attention");
    assert_close (num (r[csv_col (&c, "energy_clipformer_uj")]),
                  json_object_get_double_member (clip, "energy_uj"));
    assert_close (num (r[csv_col (&c, "area_clipformer_mm2")]),
                  json_object_get_double_member (clip, "area_mm2"));
    csv_clear (&c);
  }
}

/* ---- the command line --------------------------------------------------------------------------- */

static void
test_usage (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vitx-figures-usage-XXXXXX", NULL);
  const char *no_out[] = { "figures", "--model", model_path, NULL };
  const char *bad_format[] = { "figures", "--model", model_path, "--out", dir, "--format", "bmp", NULL };
  const char *bad_only[] = { "figures", "--model", model_path, "--out", dir, "--only", "fig7", NULL };
  const char *bad_block[] = { "figures", "--model", model_path, "--out", dir, "--hist-block", "9",
                              "--only", "hist", NULL };
  const char *bad_gamma[] = { "figures", "--model", model_path, "--out", dir, "--gamma", "-1", NULL };
  const char *const *cases[] = { no_out, bad_format, bad_only, bad_block, bad_gamma };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_assert_cmpint (run_vitx (cases[i], NULL, &err), ==, 2);
      g_assert_true (g_str_has_prefix (err, "vitx figures: "));
    }
  /* nothing was written for a refused command line */
  GDir *d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  g_dir_close (d);
  g_rmdir (dir);

  /* --only writes that figure alone, in the asked format */
  g_autofree char *only_dir = g_dir_make_tmp ("vitx-figures-only-XXXXXX", NULL);
  const char *only[] = { "figures", "--model", model_path, "--out", only_dir, "--only", "hw",
                         "--format", "svg", "--quiet", NULL };
  g_assert_cmpint (run_vitx (only, NULL, NULL), ==, 0);
  static const char *const want[] = { "fig10-hw.csv", "fig10-hw.svg" };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autofree char *p = g_build_filename (only_dir, want[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      g_unlink (p);
    }
  g_assert_cmpint (g_rmdir (only_dir), ==, 0);
}

static void
remove_out_dir (void)
{
  if (!out_dir)
    return;
  GDir *d = g_dir_open (out_dir, 0, NULL);
  for (const char *f = d ? g_dir_read_name (d) : NULL; f; f = g_dir_read_name (d))
    {
      g_autofree char *p = g_build_filename (out_dir, f, NULL);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (out_dir);
  g_clear_pointer (&out_dir, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vitx_bin = g_strdup (g_getenv ("VITX_BIN"));
  if (!vitx_bin)
    {
      g_printerr ("test-figures: VITX_BIN (the built vitx) is not set\n");
      return 1;
    }
  model_path = g_test_build_filename (G_TEST_DIST, "data", "ref-tiny.safetensors", NULL);
  g_test_add_func ("/figures/files", test_files);
  g_test_add_func ("/figures/png", test_png);
  g_test_add_func ("/figures/svg", test_svg);
  g_test_add_func ("/figures/csv", test_csv);
  g_test_add_func ("/figures/agrees-with-eval", test_agrees_with_eval);
  g_test_add_func ("/figures/usage", test_usage);
  int rc = g_test_run ();
  remove_out_dir ();
  g_free (vitx_bin);
  g_free (model_path);
  return rc;
}
