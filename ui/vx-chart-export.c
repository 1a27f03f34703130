/* vx-chart-export.c: PNG (libpng, with pHYs and tEXt), SVG (with <metadata>) and CSV */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <cairo-svg.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "vx-chart-export.h"

/* Cairo's own limit on image surface sides. */
#define MAX_DEVICE_PX 32767

void
vx_chart_export_options_init (VxChartExportOptions *options, double width, double height)
{
  g_return_if_fail (options != NULL);
  memset (options, 0, sizeof *options);
  options->width = width;
  options->height = height;
  options->scale = 1.0;
  options->dpi = 300.0;
}

static const char *
software_of (const VxChartExportOptions *o)
{
  return o->software && *o->software ? o->software : "vitx-explorer";
}

static gboolean
check_options (const VxChartExportOptions *o, const char *what, GError **error)
{
  double scale = o->scale > 0 ? o->scale : 1.0;

  if (!(o->width >= 1 && o->height >= 1) || !isfinite (o->width) || !isfinite (o->height)
      || !isfinite (scale) || o->width * scale > MAX_DEVICE_PX || o->height * scale > MAX_DEVICE_PX)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID,
                   "%s: invalid size %gx%g at scale %g", what, o->width, o->height, scale);
      return FALSE;
    }
  if (o->dpi < 0 || !isfinite (o->dpi))
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID, "%s: invalid resolution %g dpi",
                   what, o->dpi);
      return FALSE;
    }
  if (o->settings_json)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) local = NULL;
      if (!json_parser_load_from_data (parser, o->settings_json, -1, &local))
        {
          g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID,
                       "%s: the settings are not valid JSON: %s", what, local->message);
          return FALSE;
        }
    }
  return TRUE;
}

/* Valid JSON with every non-ASCII character written as a \u escape: still the
 * same JSON value, and plain Latin-1 for a tEXt chunk. Raw non-ASCII only
 * occurs inside strings, where the escape means the same character. */
static char *
json_to_ascii (const char *json)
{
  GString *out = g_string_sized_new (strlen (json));

  for (const char *p = json; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if (c < 0x10000)
        g_string_append_printf (out, "\\u%04x", c);
      else
        {
          c -= 0x10000;
          g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
        }
    }
  return g_string_free (out, FALSE);
}

/* Printable Latin-1 only (tEXt), no control characters except newline. */
static char *
text_to_latin1 (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if ((c >= 0x20 && c < 0x7f) || c == '\n')
        g_string_append_c (out, (char) c);
      else
        g_string_append_c (out, '?');
    }
  return g_string_free (out, FALSE);
}

static cairo_surface_t *
render_image (VxChartRenderFunc func, gconstpointer model, const VxChartExportOptions *o,
              GError **error)
{
  double scale = o->scale > 0 ? o->scale : 1.0;
  int pw = (int) ceil (o->width * scale - 1e-9);
  int ph = (int) ceil (o->height * scale - 1e-9);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
  cairo_t *cr;
  cairo_status_t status;

  cairo_surface_set_device_scale (s, scale, scale);
  cr = cairo_create (s);
  func (cr, o->width, o->height, model, NULL);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (s);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_RENDER, "rendering failed: %s",
                   cairo_status_to_string (status));
      cairo_surface_destroy (s);
      return NULL;
    }
  return s;
}

typedef struct {
  GByteArray *out;
  char        message[256];
} PngSink;

static void
png_write_bytes (png_structp png, png_bytep data, png_size_t length)
{
  PngSink *sink = png_get_io_ptr (png);
  g_byte_array_append (sink->out, data, (guint) length);
}

static void
png_flush_nothing (png_structp png)
{
}

static void
png_fail (png_structp png, png_const_charp msg)
{
  PngSink *sink = png_get_error_ptr (png);
  g_strlcpy (sink->message, msg ? msg : "libpng error", sizeof sink->message);
  png_longjmp (png, 1);
}

static void
png_warn (png_structp png, png_const_charp msg)
{
  g_debug ("libpng: %s", msg);
}

/* Cairo's premultiplied native-endian ARGB to straight RGBA (or RGB when opaque). */
static guint8 *
unpremultiply (cairo_surface_t *s, gboolean *opaque)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s);
  const guint8 *data = cairo_image_surface_get_data (s);
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  *opaque = TRUE;
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);
      guint8 *dst = rgba + (gsize) y * w * 4;
      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x];
          guint a = p >> 24, r = p >> 16 & 0xff, g = p >> 8 & 0xff, b = p & 0xff;
          if (a != 255)
            *opaque = FALSE;
          if (a != 0 && a != 255)
            {
              r = (r * 255 + a / 2) / a;
              g = (g * 255 + a / 2) / a;
              b = (b * 255 + a / 2) / a;
            }
          dst[4 * x] = (guint8) MIN (r, 255u);
          dst[4 * x + 1] = (guint8) MIN (g, 255u);
          dst[4 * x + 2] = (guint8) MIN (b, 255u);
          dst[4 * x + 3] = (guint8) a;
        }
    }
  if (*opaque)
    for (gsize i = 0; i < (gsize) w * h; i++)
      memmove (rgba + 3 * i, rgba + 4 * i, 3);
  return rgba;
}

typedef struct {
  int         width, height;
  gboolean    opaque;
  png_bytep  *rows;
  png_text   *text;
  int         n_text;
  png_uint_32 ppm;
} PngJob;

/* Kept apart and not inlined: only these few locals live across setjmp. */
static G_GNUC_NO_INLINE gboolean
run_libpng (const PngJob *job, PngSink *sink)
{
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, sink, png_fail, png_warn);
  png_infop info = png ? png_create_info_struct (png) : NULL;

  if (!png || !info)
    {
      png_destroy_write_struct (&png, NULL);
      g_strlcpy (sink->message, "cannot start the PNG encoder", sizeof sink->message);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      return FALSE;
    }
  png_set_write_fn (png, sink, png_write_bytes, png_flush_nothing);
  png_set_IHDR (png, info, (png_uint_32) job->width, (png_uint_32) job->height, 8,
                job->opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_pHYs (png, info, job->ppm, job->ppm, PNG_RESOLUTION_METER);
  png_set_text (png, info, job->text, job->n_text);
  png_set_rows (png, info, job->rows);
  png_write_png (png, info, PNG_TRANSFORM_IDENTITY, NULL);
  png_destroy_write_struct (&png, &info);
  return TRUE;
}

static gboolean
encode_png (cairo_surface_t *s, const VxChartExportOptions *o, GByteArray *out, GError **error)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  g_autofree char *software = text_to_latin1 (software_of (o));
  g_autofree char *settings = o->settings_json ? json_to_ascii (o->settings_json) : NULL;
  g_autofree guint8 *pixels = NULL;
  g_autofree png_bytep *rows = g_new (png_bytep, h);
  png_text text[2];
  PngSink sink = { out, "" };
  PngJob job = { w, h, FALSE, rows, text, 0, 0 };
  int channels;

  pixels = unpremultiply (s, &job.opaque);
  channels = job.opaque ? 3 : 4;
  for (int y = 0; y < h; y++)
    rows[y] = pixels + (gsize) y * w * channels;
  job.ppm = (png_uint_32) lround ((o->dpi > 0 ? o->dpi : 300.0) / 0.0254);
  memset (text, 0, sizeof text);
  text[job.n_text].compression = PNG_TEXT_COMPRESSION_NONE;
  text[job.n_text].key = (png_charp) VX_CHART_PNG_KEY_SOFTWARE;
  text[job.n_text++].text = software;
  if (settings)
    {
      text[job.n_text].compression = PNG_TEXT_COMPRESSION_NONE;
      text[job.n_text].key = (png_charp) VX_CHART_PNG_KEY_SETTINGS;
      text[job.n_text++].text = settings;
    }
  if (!run_libpng (&job, &sink))
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_RENDER, "PNG encoding failed: %s", sink.message);
      return FALSE;
    }
  return TRUE;
}

GBytes *
vx_chart_export_png_bytes (VxChartRenderFunc func, gconstpointer model,
                           const VxChartExportOptions *options, GError **error)
{
  g_autoptr (GByteArray) out = NULL;
  cairo_surface_t *s;
  gboolean ok;

  g_return_val_if_fail (func != NULL && options != NULL, NULL);
  if (!check_options (options, "PNG", error))
    return NULL;
  s = render_image (func, model, options, error);
  if (!s)
    return NULL;
  out = g_byte_array_new ();
  ok = encode_png (s, options, out, error);
  cairo_surface_destroy (s);
  if (!ok)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static cairo_status_t
svg_write (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* XML 1.0 forbids most control characters even when escaped. */
static char *
xml_text (const char *s)
{
  g_autofree char *clean = g_strdup (s);

  for (char *p = clean; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
      *p = ' ';
  return g_markup_escape_text (clean, -1);
}

static char *
svg_metadata (const VxChartExportOptions *o)
{
  g_autofree char *software = xml_text (software_of (o));
  g_autofree char *settings = o->settings_json ? xml_text (o->settings_json) : NULL;
  GString *m = g_string_new ("\n<metadata>\n<vitx:figure xmlns:vitx=\"" VX_CHART_SVG_NAMESPACE "\">\n");

  g_string_append_printf (m, "<vitx:software>%s</vitx:software>\n", software);
  if (settings)
    g_string_append_printf (m, "<vitx:settings>%s</vitx:settings>\n", settings);
  g_string_append (m, "</vitx:figure>\n</metadata>");
  return g_string_free (m, FALSE);
}

GBytes *
vx_chart_export_svg_bytes (VxChartRenderFunc func, gconstpointer model,
                           const VxChartExportOptions *options, GError **error)
{
  g_autoptr (GByteArray) out = NULL;
  g_autofree char *meta = NULL;
  cairo_surface_t *s;
  cairo_t *cr;
  cairo_status_t status;
  const char *svg, *end;
  gsize at;

  g_return_val_if_fail (func != NULL && options != NULL, NULL);
  if (!check_options (options, "SVG", error))
    return NULL;
  out = g_byte_array_new ();
  s = cairo_svg_surface_create_for_stream (svg_write, out, options->width, options->height);
  cairo_svg_surface_set_document_unit (s, CAIRO_SVG_UNIT_PX);
  cr = cairo_create (s);
  func (cr, options->width, options->height, model, NULL);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (s);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (s);
  cairo_surface_destroy (s);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_RENDER, "SVG rendering failed: %s",
                   cairo_status_to_string (status));
      return NULL;
    }

  /* The metadata goes right after the opening <svg ...> tag. */
  g_byte_array_append (out, (const guint8 *) "", 1);
  svg = (const char *) out->data;
  end = strstr (svg, "<svg");
  end = end ? strchr (end, '>') : NULL;
  if (!end)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_RENDER, "cairo wrote no <svg> element");
      return NULL;
    }
  at = (gsize) (end - svg) + 1;
  meta = svg_metadata (options);
  g_byte_array_set_size (out, out->len - 1);
  {
    GByteArray *result = g_byte_array_sized_new (out->len + strlen (meta));
    g_byte_array_append (result, out->data, (guint) at);
    g_byte_array_append (result, (const guint8 *) meta, (guint) strlen (meta));
    g_byte_array_append (result, out->data + at, out->len - (guint) at);
    return g_byte_array_free_to_bytes (result);
  }
}

static gboolean
write_atomically (const char *filename, GBytes *bytes, GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents (filename, data, (gssize) len, &local))
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_IO, "%s: cannot write: %s", filename,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static void
prefix_error (GError **error, const char *filename)
{
  if (error && *error)
    g_prefix_error (error, "%s: ", filename);
}

gboolean
vx_chart_export_png (const char *filename, VxChartRenderFunc func, gconstpointer model,
                     const VxChartExportOptions *options, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (filename != NULL, FALSE);
  bytes = vx_chart_export_png_bytes (func, model, options, error);
  if (!bytes)
    {
      prefix_error (error, filename);
      return FALSE;
    }
  return write_atomically (filename, bytes, error);
}

gboolean
vx_chart_export_svg (const char *filename, VxChartRenderFunc func, gconstpointer model,
                     const VxChartExportOptions *options, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (filename != NULL, FALSE);
  bytes = vx_chart_export_svg_bytes (func, model, options, error);
  if (!bytes)
    {
      prefix_error (error, filename);
      return FALSE;
    }
  return write_atomically (filename, bytes, error);
}

gboolean
vx_chart_export_csv (const char *filename, const VxChartTable *table, GError **error)
{
  return vx_chart_table_write_csv (table, filename, error);
}

gboolean
vx_chart_export_files (const char *dir, const char *basename, VxChartFormats formats,
                       VxChartRenderFunc func, gconstpointer model, const VxChartTable *table,
                       const VxChartExportOptions *options, GError **error)
{
  g_return_val_if_fail (dir != NULL && basename != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_IO, "%s: cannot create directory: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }
  if (formats & VX_CHART_FORMAT_PNG)
    {
      g_autofree char *name = g_strconcat (basename, ".png", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!vx_chart_export_png (path, func, model, options, error))
        return FALSE;
    }
  if (formats & VX_CHART_FORMAT_SVG)
    {
      g_autofree char *name = g_strconcat (basename, ".svg", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!vx_chart_export_svg (path, func, model, options, error))
        return FALSE;
    }
  if ((formats & VX_CHART_FORMAT_CSV) && table)
    {
      g_autofree char *name = g_strconcat (basename, ".csv", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!vx_chart_export_csv (path, table, error))
        return FALSE;
    }
  return TRUE;
}
