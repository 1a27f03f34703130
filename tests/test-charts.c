/* test-charts.c: chart renderers, layouts and golden images */
#define G_LOG_DOMAIN "test-charts"
#include "config.h"

#include <cairo-svg.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vx-charts.h"

#include "charts-fixtures.h"

/* ---- pixel helpers ---------------------------------------------------------------- */

typedef struct {
  int r, g, b;
} Rgb;

static cairo_surface_t *
render_image (VxChartRenderFunc func, gconstpointer model, int w, int h, VxChartLayout *layout)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (s);

  func (cr, w, h, model, layout);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

static Rgb
pixel (cairo_surface_t *s, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  guint32 p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  p = ((const guint32 *) (data + (gsize) y * stride))[x];
  return (Rgb) { p >> 16 & 0xff, p >> 8 & 0xff, p & 0xff };
}

static Rgb
rgb_of (const VxChartColor *c)
{
  return (Rgb) { (int) lround (c->r * 255), (int) lround (c->g * 255), (int) lround (c->b * 255) };
}

static int
rgb_distance (Rgb a, Rgb b)
{
  return MAX (MAX (ABS (a.r - b.r), ABS (a.g - b.g)), ABS (a.b - b.b));
}

static void
assert_rgb_near (Rgb got, Rgb want, int tolerance)
{
  if (rgb_distance (got, want) > tolerance)
    g_error ("pixel (%d,%d,%d) differs from expected (%d,%d,%d) by more than %d",
             got.r, got.g, got.b, want.r, want.g, want.b, tolerance);
}

/* ---- axis helper ------------------------------------------------------------------ */

static void
test_nice_ticks (void)
{
  VxChartTicks t;
  double lo, hi;
  g_autofree char *minus = NULL, *zero = NULL, *half = NULL, *big = NULL, *plain = NULL;

  g_assert_cmpfloat_with_epsilon (vx_chart_nice_step (0.13), 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (vx_chart_nice_step (3.0), 5.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (vx_chart_nice_step (7.0), 10.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (vx_chart_nice_step (2.0), 2.0, 1e-12);

  vx_chart_nice_ticks (0.0, 14.2, 5, TRUE, &lo, &hi, &t);
  g_assert_cmpuint (t.n, ==, 4);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 15.0);
  g_assert_cmpfloat (t.values[3], ==, 15.0);

  vx_chart_nice_ticks (0.1, 10.0, 5, FALSE, &lo, &hi, &t);
  g_assert_cmpfloat (lo, ==, 0.1);
  g_assert_cmpfloat (hi, ==, 10.0);
  g_assert_cmpuint (t.n, ==, 5);
  g_assert_cmpfloat (t.values[0], ==, 2.0);

  /* A degenerate range is widened, never empty. */
  vx_chart_nice_ticks (3.0, 3.0, 4, TRUE, &lo, &hi, &t);
  g_assert_cmpfloat (lo, <, 3.0);
  g_assert_cmpfloat (hi, >, 3.0);
  g_assert_cmpuint (t.n, >=, 2);

  vx_chart_log_ticks (3.0, 12000.0, 8, &lo, &hi, &t);
  g_assert_cmpfloat (lo, ==, 1.0);
  g_assert_cmpfloat (hi, ==, 1e5);
  g_assert_cmpuint (t.n, ==, 6);
  g_assert_true (t.pow10);

  minus = vx_chart_format_tick (-0.5, 0.5);
  zero = vx_chart_format_tick (-1e-17, 0.5);
  half = vx_chart_format_tick (2.5, 0.5);
  big = vx_chart_ticks_label (&t, 5);
  plain = vx_chart_format_tick (1000.0, 0.0);
  g_assert_cmpstr (minus, ==, "\u22120.5");
  g_assert_cmpstr (zero, ==, "0.0");
  g_assert_cmpstr (half, ==, "2.5");
  g_assert_cmpstr (big, ==, "10\u2075");
  g_assert_cmpstr (plain, ==, "1000");
}

/* ---- every renderer on image and SVG surfaces ------------------------------------- */

static cairo_status_t
discard (void *closure, const unsigned char *data, unsigned int length)
{
  *(gsize *) closure += length;
  return CAIRO_STATUS_SUCCESS;
}

static void
test_all_surfaces (void)
{
  Chart charts[16];
  guint n = all_charts (charts);

  for (guint i = 0; i < n; i++)
    {
      VxChartLayout layout;
      cairo_surface_t *img = render_image (charts[i].func, charts[i].model, 640, 480, &layout);
      gsize svg_bytes = 0;
      cairo_surface_t *svg;
      cairo_t *cr;

      g_test_message ("%s", charts[i].name);
      g_assert_false (layout.no_data);
      g_assert_cmpuint (layout.n_texts, >, 2);
      g_assert_cmpfloat (layout.plot.width, >, 100);
      g_assert_cmpfloat (layout.plot.height, >, 100);
      cairo_surface_destroy (img);

      svg = cairo_svg_surface_create_for_stream (discard, &svg_bytes, 640, 480);
      cairo_svg_surface_set_document_unit (svg, CAIRO_SVG_UNIT_PX);
      cr = cairo_create (svg);
      charts[i].func (cr, 640, 480, charts[i].model, NULL);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      cairo_surface_finish (svg);
      g_assert_cmpint (cairo_surface_status (svg), ==, CAIRO_STATUS_SUCCESS);
      cairo_surface_destroy (svg);
      g_assert_cmpuint (svg_bytes, >, 1000);
    }
}

/* ---- what is drawn lands where the axes say ---------------------------------------- */

static int
top_row_of_color (cairo_surface_t *s, int x, int y_from, int y_to, Rgb color, int tolerance)
{
  for (int y = y_from; y <= y_to; y++)
    if (rgb_distance (pixel (s, x, y), color) <= tolerance)
      return y;
  return -1;
}

static void
test_bar_top (void)
{
  const char *cats[] = { "only" };
  double value = 7.3;
  VxChartBarSeries series = { "Series", &value, NULL, NAN, -1 };
  VxChartBars m = { { "One bar", NULL }, cats, 1, &series, 1, "Category", "Value (units)" };
  const VxChartTheme *theme = vx_chart_theme_get (VX_CHART_VARIANT_LIGHT);
  Rgb blue = rgb_of (&theme->series[0]);
  VxChartLayout l;
  VxChartRect bar;
  cairo_surface_t *s;
  double expected;
  int top, cx;

  m.y_min = 0;
  m.y_max = 10;
  s = render_image (vx_chart_bars_draw, &m, 640, 480, &l);
  g_assert_cmpfloat (l.y_min, ==, 0.0);
  g_assert_cmpfloat (l.y_max, ==, 10.0);
  /* Independent of the layout helpers: 73 % of the plot height above its bottom. */
  expected = l.plot.y + l.plot.height * (1.0 - 0.73);
  g_assert_cmpfloat (fabs (vx_chart_layout_y_to_px (&l, value) - expected), <, 1e-9);
  bar = vx_chart_bars_bar_rect (&l, &m, 0, 0);
  cx = (int) (bar.x + bar.width / 2);
  g_assert_cmpfloat (fabs (cx - (l.plot.x + l.plot.width / 2)), <, 1.0);
  top = top_row_of_color (s, cx, (int) l.plot.y - 2, (int) (l.plot.y + l.plot.height), blue, 2);
  g_assert_cmpint (top, >=, 0);
  g_assert_cmpint (ABS (top - (int) floor (expected)), <=, 1);
  /* The bar runs down to the baseline. */
  assert_rgb_near (pixel (s, cx, (int) (l.plot.y + l.plot.height) - 2), blue, 2);
  cairo_surface_destroy (s);

  /* A negative bar hangs below the zero line. */
  value = -4.0;
  m.y_min = -5;
  m.y_max = 5;
  s = render_image (vx_chart_bars_draw, &m, 640, 480, &l);
  {
    double y0 = vx_chart_layout_y_to_px (&l, 0.0), y4 = vx_chart_layout_y_to_px (&l, -4.0);
    assert_rgb_near (pixel (s, cx, (int) ((y0 + y4) / 2)), blue, 2);
    g_assert_cmpint (rgb_distance (pixel (s, cx, (int) (y0 - l.plot.height * 0.1)), blue), >, 40);
    g_assert_cmpint (rgb_distance (pixel (s, cx, (int) (y4 + 3)), blue), >, 40);
  }
  cairo_surface_destroy (s);
}

static int
count_dark_in_column (cairo_surface_t *s, int x, const VxChartRect *plot, int threshold)
{
  int n = 0;

  for (int y = (int) plot->y + 2; y < (int) (plot->y + plot->height) - 2; y++)
    {
      Rgb p = pixel (s, x, y);
      if (p.r + p.g + p.b < threshold)
        n++;
    }
  return n;
}

static void
test_histogram_markers (void)
{
  double counts[40] = { 0 };
  VxChartHistogramSeries series = { "Counts", counts, VX_CHART_HISTOGRAM_FILLED, -1 };
  VxChartHistogram m = { { "Markers", NULL }, 40, 0.1, 10.0, &series, 1, FALSE, { 2.5, NULL }, { 0.5, NULL } };
  VxChartLayout l;
  cairo_surface_t *s;
  double expected_x;
  int x, dark, around = 0;

  /* Data only below 1 uS, so the clip line stands on the background. */
  for (int i = 0; i < 4; i++)
    counts[i] = 100.0 / (i + 1);
  s = render_image (vx_chart_histogram_draw, &m, 640, 480, &l);
  expected_x = l.plot.x + l.plot.width * (2.5 - 0.1) / (10.0 - 0.1);
  g_assert_cmpfloat (l.x_min, ==, 0.1);
  g_assert_cmpfloat (l.x_max, ==, 10.0);
  g_assert_cmpfloat (fabs (vx_chart_layout_x_to_px (&l, 2.5) - expected_x), <, 1e-9);
  x = (int) floor (expected_x);
  dark = MAX (count_dark_in_column (s, x, &l.plot, 200), count_dark_in_column (s, x + 1, &l.plot, 200));
  /* Dashes cover more than half of the plot height. */
  g_assert_cmpint (dark, >, (int) (l.plot.height * 0.4));
  for (int dx = 4; dx <= 8; dx++)
    around += count_dark_in_column (s, x + dx, &l.plot, 200) + count_dark_in_column (s, x - dx, &l.plot, 200);
  g_assert_cmpint (around, ==, 0);

  /* The alpha*G_min region is shaded, the plot right of it is not. */
  {
    int y = (int) (l.plot.y + 5);
    Rgb shaded = pixel (s, (int) vx_chart_layout_x_to_px (&l, 0.3), y);
    Rgb clear = pixel (s, (int) vx_chart_layout_x_to_px (&l, 0.8), y);
    g_assert_cmpint (rgb_distance (shaded, (Rgb) { 255, 255, 255 }), >, 10);
    g_assert_cmpint (rgb_distance (clear, (Rgb) { 255, 255, 255 }), ==, 0);
  }
  cairo_surface_destroy (s);
}

static void
test_heatmap_colors (void)
{
  VxChartLayout l;
  cairo_surface_t *s = render_image (vx_chart_heatmap_draw, &heatmap, 640, 480, &l);
  VxChartRect max_cell, min_cell;
  Rgb top, bottom, max_px, min_px;
  VxChartColor viridis_top = vx_chart_colormap_eval (VX_CHART_COLORMAP_VIRIDIS, 1.0);

  g_assert_true (l.has_colorbar);
  g_assert_cmpfloat (l.colorbar_min, ==, 55.0);
  g_assert_cmpfloat (l.colorbar_max, ==, 66.0);
  g_assert_cmpuint (l.n_rows, ==, 3);
  g_assert_cmpuint (l.n_cols, ==, 3);
  /* Max 66.0 is row 2, col 1; row 0 is at the bottom. */
  max_cell = vx_chart_layout_cell (&l, 2, 1);
  min_cell = vx_chart_layout_cell (&l, 0, 0);
  g_assert_cmpfloat (max_cell.y, <, min_cell.y);
  max_px = pixel (s, (int) (max_cell.x + 4), (int) (max_cell.y + 4));
  min_px = pixel (s, (int) (min_cell.x + 4), (int) (min_cell.y + min_cell.height - 5));
  top = pixel (s, (int) (l.colorbar.x + l.colorbar.width / 2), (int) ceil (l.colorbar.y) + 1);
  bottom = pixel (s, (int) (l.colorbar.x + l.colorbar.width / 2),
                  (int) floor (l.colorbar.y + l.colorbar.height) - 2);
  assert_rgb_near (max_px, top, 4);
  assert_rgb_near (min_px, bottom, 4);
  assert_rgb_near (max_px, rgb_of (&viridis_top), 2);
  g_assert_cmpint (rgb_distance (max_px, min_px), >, 100);
  cairo_surface_destroy (s);
}

static double
luminance_of (Rgb p)
{
  VxChartColor c = { p.r / 255.0, p.g / 255.0, p.b / 255.0, 1 };
  return vx_chart_color_luminance (&c);
}

static void
test_confusion_layout (void)
{
  VxChartLayout l;
  cairo_surface_t *s = render_image (vx_chart_confusion_draw, &confusion, 640, 480, &l);
  VxChartRect c00 = vx_chart_layout_cell (&l, 0, 0), c01 = vx_chart_layout_cell (&l, 0, 1);
  VxChartRect c33 = vx_chart_layout_cell (&l, 3, 3);

  g_assert_true (l.rows_top_down);
  g_assert_cmpfloat (fabs (c00.width - c00.height), <, 1e-9);  /* square cells */
  g_assert_cmpfloat (c00.y, ==, l.plot.y);
  g_assert_cmpfloat (c33.y, >, c00.y);
  /* 90 on the diagonal is far darker than 2 beside it (Blues ramp). */
  g_assert_cmpfloat (luminance_of (pixel (s, (int) c00.x + 3, (int) c00.y + 3)), <,
                     luminance_of (pixel (s, (int) c01.x + 3, (int) c01.y + 3)) - 0.4);
  cairo_surface_destroy (s);
}

static void
test_radar_geometry (void)
{
  VxChartRadarAxis axes[3] = {
    { "A", "%", 0, 100, FALSE, 0 },
    { "B", "mm\u00b2", 10, 20, TRUE, 0 },
    { "C", NULL, 0, 1, FALSE, 1 },
  };
  double values[3] = { 100, 10, 0.5 };
  VxChartRadarSeries series = { "S", values, -1 };
  VxChartRadar m = { { "Radar", NULL }, axes, 3, &series, 1 };
  const VxChartTheme *theme = vx_chart_theme_get (VX_CHART_VARIANT_LIGHT);
  VxChartLayout l;
  cairo_surface_t *s;
  double x, y;

  g_assert_cmpfloat (vx_chart_radar_normalize (&axes[0], 25), ==, 0.25);
  g_assert_cmpfloat (vx_chart_radar_normalize (&axes[1], 12.5), ==, 0.75);  /* lower is better */
  g_assert_cmpfloat (vx_chart_radar_normalize (&axes[1], 99), ==, 0.0);
  g_assert_true (isnan (vx_chart_radar_normalize (&axes[0], NAN)));

  s = render_image (vx_chart_radar_draw, &m, 640, 480, &l);
  g_assert_cmpfloat (l.radius, >, 80);
  /* Axis 0 at its best value: straight up at the rim. */
  vx_chart_radar_point (&l, &m, 0, 100, &x, &y);
  g_assert_cmpfloat (fabs (x - l.center_x), <, 1e-9);
  g_assert_cmpfloat (fabs (y - (l.center_y - l.radius)), <, 1e-9);
  assert_rgb_near (pixel (s, (int) x, (int) y), rgb_of (&theme->series[0]), 3);
  /* Axis 1 at its minimum, which is its best: at the rim, lower right. */
  vx_chart_radar_point (&l, &m, 1, 10, &x, &y);
  g_assert_cmpfloat (fabs (hypot (x - l.center_x, y - l.center_y) - l.radius), <, 1e-9);
  g_assert_cmpfloat (x, >, l.center_x);
  assert_rgb_near (pixel (s, (int) x, (int) y), rgb_of (&theme->series[0]), 3);
  cairo_surface_destroy (s);
}

static void
test_lines_points (void)
{
  const VxChartTheme *theme = vx_chart_theme_get (VX_CHART_VARIANT_LIGHT);
  VxChartLayout l;
  cairo_surface_t *s = render_image (vx_chart_lines_draw, &lines, 640, 480, &l);

  g_assert_cmpfloat (l.x_min, <=, 0.0);
  g_assert_cmpfloat (l.x_max, >=, 5.0);
  for (guint i = 0; i < 6; i++)
    {
      int x = (int) lround (vx_chart_layout_x_to_px (&l, gammas[i]));
      int y = (int) lround (vx_chart_layout_y_to_px (&l, acc_c[i]));
      assert_rgb_near (pixel (s, x, y), rgb_of (&theme->series[1]), 3);
    }
  cairo_surface_destroy (s);
}

static void
test_image_pixels (void)
{
  VxChartImage m = image;
  VxChartLayout l;
  cairo_surface_t *s;
  const int expect[2][2] = { { 0, 255 }, { 64, 128 } };

  m.overlay = NULL;
  s = render_image (vx_chart_image_draw, &m, 640, 480, &l);
  g_assert_cmpfloat (fabs (l.plot.width - l.plot.height), <, 1e-9);  /* aspect kept */
  for (int qy = 0; qy < 2; qy++)
    for (int qx = 0; qx < 2; qx++)
      {
        int x = (int) (l.plot.x + l.plot.width * (0.25 + 0.5 * qx));
        int y = (int) (l.plot.y + l.plot.height * (0.25 + 0.5 * qy));
        int v = expect[qy][qx];
        assert_rgb_near (pixel (s, x, y), (Rgb) { v, v, v }, 1);
      }
  cairo_surface_destroy (s);

  /* With the overlay, the brightest attention (last cell, bottom right) tints most. */
  s = render_image (vx_chart_image_draw, &image, 640, 480, &l);
  g_assert_true (l.has_colorbar);
  {
    Rgb hot = pixel (s, (int) (l.plot.x + l.plot.width * 0.9), (int) (l.plot.y + l.plot.height * 0.9));
    g_assert_cmpint (rgb_distance (hot, (Rgb) { 128, 128, 128 }), >, 40);
  }
  cairo_surface_destroy (s);
}

static void
test_dark_variant (void)
{
  VxChartBars m = snr_bars;
  const VxChartTheme *dark = vx_chart_theme_get (VX_CHART_VARIANT_DARK);
  VxChartLayout l;
  cairo_surface_t *s;

  m.base.variant = VX_CHART_VARIANT_DARK;
  s = render_image (vx_chart_bars_draw, &m, 640, 480, &l);
  assert_rgb_near (pixel (s, 2, 2), rgb_of (&dark->background), 0);
  assert_rgb_near (pixel (s, 638, 478), rgb_of (&dark->background), 0);
  cairo_surface_destroy (s);
}

/* ---- degenerate models ---------------------------------------------------------------- */

static void
assert_no_data (const char *what, VxChartRenderFunc func, gconstpointer model)
{
  const VxChartTheme *theme = vx_chart_theme_get (VX_CHART_VARIANT_LIGHT);
  Rgb bg = rgb_of (&theme->background), muted = rgb_of (&theme->muted);
  VxChartLayout l;
  cairo_surface_t *s = render_image (func, model, 640, 480, &l);
  int text_px = 0, stray = 0;

  g_test_message ("no data: %s", what);
  g_assert_true (l.no_data);
  g_assert_cmpfloat (l.plot.width, ==, 0);
  g_assert_false (l.has_legend);
  /* "No data" in the text colour around the centre ... */
  for (int y = 200; y < 280; y++)
    for (int x = 220; x < 420; x++)
      if (rgb_distance (pixel (s, x, y), muted) < 40)
        text_px++;
  g_assert_cmpint (text_px, >, 50);
  /* ... and no plot: the lower third and the side bands are bare background. */
  for (int y = 330; y < 480; y++)
    for (int x = 0; x < 640; x += 2)
      if (rgb_distance (pixel (s, x, y), bg) > 0)
        stray++;
  for (int y = 100; y < 330; y++)
    for (int x = 0; x < 150; x++)
      if (rgb_distance (pixel (s, x, y), bg) > 0 || rgb_distance (pixel (s, 639 - x, y), bg) > 0)
        stray++;
  g_assert_cmpint (stray, ==, 0);
  cairo_surface_destroy (s);
}

static void
test_no_data (void)
{
  const double nans[4] = { NAN, NAN, NAN, NAN };
  const double zeros[16] = { 0 };
  VxChartBarSeries nan_series = { "NaN SNR", nans, NULL, NAN, -1 };
  VxChartBars no_blocks = { { "SNR", NULL }, NULL, 0, snr_series, 2 };
  VxChartBars nan_bars = { { "SNR", NULL }, blocks, 4, &nan_series, 1 };
  VxChartHistogramSeries zero_series = { "Zero", zeros, VX_CHART_HISTOGRAM_FILLED, -1 };
  VxChartHistogram zero_hist = { { "All zero", NULL }, 16, 0.1, 10, &zero_series, 1, TRUE, { 2.5, NULL }, { NAN, NULL } };
  VxChartHistogram bad_range = hist;
  VxChartRadar two_axes = radar;
  VxChartRadarSeries nan_radar_series = { "NaN", nans, -1 };
  VxChartRadar nan_radar = { { "Radar", NULL }, radar_axes, 4, &nan_radar_series, 1 };
  VxChartLineSeries nan_line = { "NaN", nans, nans, NULL, 4, -1, FALSE };
  VxChartLines nan_lines = { { "Lines", NULL }, &nan_line, 1 };
  VxChartLines no_lines = { { "Lines", NULL }, NULL, 0 };
  VxChartHeatmap empty_heat = heatmap;
  VxChartHeatmap nan_heat = { { "Heat", NULL }, 2, 2, nans };
  VxChartConfusion zero_conf = { { "Confusion", NULL }, 4, zeros, classes, TRUE };
  VxChartImage no_image = { { "Sample", NULL }, 0, 0, 1 };
  VxChartImage bad_channels = image;

  bad_range.x_max = bad_range.x_min;
  two_axes.n_axes = 2;
  empty_heat.n_rows = 0;
  bad_channels.channels = 2;
  assert_no_data ("bars without blocks", vx_chart_bars_draw, &no_blocks);
  assert_no_data ("bars all NaN", vx_chart_bars_draw, &nan_bars);
  assert_no_data ("histogram all zero", vx_chart_histogram_draw, &zero_hist);
  assert_no_data ("histogram empty range", vx_chart_histogram_draw, &bad_range);
  assert_no_data ("radar with two axes", vx_chart_radar_draw, &two_axes);
  assert_no_data ("radar all NaN", vx_chart_radar_draw, &nan_radar);
  assert_no_data ("lines all NaN", vx_chart_lines_draw, &nan_lines);
  assert_no_data ("lines without series", vx_chart_lines_draw, &no_lines);
  assert_no_data ("heatmap without rows", vx_chart_heatmap_draw, &empty_heat);
  assert_no_data ("heatmap all NaN", vx_chart_heatmap_draw, &nan_heat);
  assert_no_data ("confusion all zero", vx_chart_confusion_draw, &zero_conf);
  assert_no_data ("image without pixels", vx_chart_image_draw, &no_image);
  assert_no_data ("image with 2 channels", vx_chart_image_draw, &bad_channels);
  assert_no_data ("NULL model", vx_chart_bars_draw, NULL);
}

static void
test_single_values (void)
{
  /* One block, one point, one cell: real data, drawn without "No data". */
  const double one = 12.5, x = 3.0, err = 0.5;
  VxChartBarSeries s1 = { "One", &one, &err, NAN, -1 };
  VxChartBars one_block = { { "One block", NULL }, blocks, 1, &s1, 1, "Block", "SNR (dB)" };
  VxChartLineSeries l1 = { "One", &x, &one, &err, 1, -1, FALSE };
  VxChartLines one_point = { { "One point", NULL }, &l1, 1, "\u03b3", "Accuracy (%)" };
  VxChartHeatmap one_cell = { { "One cell", NULL }, 1, 1, &one, betas, alphas, "\u03b1", "\u03b2", "Accuracy (%)" };
  VxChartLayout l;
  cairo_surface_t *s;

  s = render_image (vx_chart_bars_draw, &one_block, 640, 480, &l);
  g_assert_false (l.no_data);
  cairo_surface_destroy (s);
  s = render_image (vx_chart_lines_draw, &one_point, 640, 480, &l);
  g_assert_false (l.no_data);
  g_assert_cmpfloat (l.x_min, <, 3.0);
  g_assert_cmpfloat (l.x_max, >, 3.0);
  cairo_surface_destroy (s);
  s = render_image (vx_chart_heatmap_draw, &one_cell, 640, 480, &l);
  g_assert_false (l.no_data);
  g_assert_cmpfloat (l.colorbar_max, >, l.colorbar_min);
  cairo_surface_destroy (s);
  /* Zero and tiny surfaces must not crash either. */
  s = render_image (vx_chart_bars_draw, &snr_bars, 1, 1, &l);
  cairo_surface_destroy (s);
  s = render_image (vx_chart_radar_draw, &radar, 40, 30, &l);
  cairo_surface_destroy (s);
}

/* ---- text stays on the surface; legends stay off the data ---------------------------- */

static gboolean
rects_overlap (const VxChartRect *a, const VxChartRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height
         && b->y < a->y + a->height;
}

static void
test_text_fits (void)
{
  const int sizes[][2] = { { 480, 320 }, { 640, 480 }, { 2400, 1600 }, { 320, 480 } };
  Chart charts[16];
  guint n = all_charts (charts);

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (guint i = 0; i < n; i++)
      {
        VxChartLayout l;
        VxChartRect surface = { 0, 0, sizes[k][0], sizes[k][1] };
        cairo_surface_t *s = render_image (charts[i].func, charts[i].model, sizes[k][0], sizes[k][1], &l);

        g_test_message ("%s at %dx%d: text %.1f,%.1f %.1fx%.1f", charts[i].name, sizes[k][0], sizes[k][1],
                        l.text_bounds.x, l.text_bounds.y, l.text_bounds.width, l.text_bounds.height);
        g_assert_cmpuint (l.n_texts, >, 2);
        g_assert_true (vx_chart_rect_contains_rect (&surface, &l.text_bounds));
        g_assert_cmpuint (l.n_texts_moved, ==, 0);
        g_assert_true (vx_chart_rect_contains_rect (&surface, &l.plot));
        if (l.has_legend)
          g_assert_false (rects_overlap (&l.legend, &l.plot));
        cairo_surface_destroy (s);
      }

  /* Classroom type (1.6x) on the smallest surface still fits. */
  {
    VxChartBars big = snr_bars;
    VxChartRadar big_radar = radar;
    VxChartRect surface = { 0, 0, 480, 320 };
    VxChartLayout l;
    cairo_surface_t *s;

    big.base.font_scale = 1.6;
    big_radar.base.font_scale = 1.6;
    s = render_image (vx_chart_bars_draw, &big, 480, 320, &l);
    g_assert_true (vx_chart_rect_contains_rect (&surface, &l.text_bounds));
    g_assert_cmpuint (l.n_texts_moved, ==, 0);
    g_assert_false (rects_overlap (&l.legend, &l.plot));
    cairo_surface_destroy (s);
    s = render_image (vx_chart_radar_draw, &big_radar, 480, 320, &l);
    g_assert_true (vx_chart_rect_contains_rect (&surface, &l.text_bounds));
    g_assert_cmpuint (l.n_texts_moved, ==, 0);
    cairo_surface_destroy (s);
  }
}

/* ---- golden images ------------------------------------------------------------------- */

static void
compare_golden (const char *name, VxChartRenderFunc func, gconstpointer model)
{
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "golden", file, NULL);
  cairo_surface_t *got = render_image (func, model, 480, 360, NULL);
  cairo_surface_t *want;
  int differ = 0, w, h;

  if (g_strcmp0 (g_getenv ("VITX_UPDATE_GOLDEN"), "1") == 0)
    {
      g_autofree char *golden_dir = g_path_get_dirname (path);
      g_mkdir_with_parents (golden_dir, 0755);
      g_assert_cmpint (cairo_surface_write_to_png (got, path), ==, CAIRO_STATUS_SUCCESS);
      g_test_message ("wrote %s", path);
    }
  want = cairo_image_surface_create_from_png (path);
  if (cairo_surface_status (want) != CAIRO_STATUS_SUCCESS)
    g_error ("%s: cannot read the golden image (run with VITX_UPDATE_GOLDEN=1 to create it)", path);
  w = cairo_image_surface_get_width (want);
  h = cairo_image_surface_get_height (want);
  g_assert_cmpint (w, ==, 480);
  g_assert_cmpint (h, ==, 360);
  /* Font rasterisation may differ by a few levels along glyph edges. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (rgb_distance (pixel (got, x, y), pixel (want, x, y)) > 24)
        differ++;
  g_test_message ("%s: %d of %d pixels differ", name, differ, w * h);
  g_assert_cmpfloat ((double) differ / (w * h), <=, 0.01);
  cairo_surface_destroy (want);
  cairo_surface_destroy (got);
}

static void
test_golden (void)
{
  compare_golden ("bars-snr", vx_chart_bars_draw, &snr_bars);
  compare_golden ("histogram-kv", vx_chart_histogram_draw, &hist);
  compare_golden ("heatmap-alpha-beta", vx_chart_heatmap_draw, &heatmap);
  compare_golden ("radar-fig1a", vx_chart_radar_draw, &radar);
}

/* The comparison itself must notice a changed chart. */
static void
test_golden_detects_change (void)
{
  VxChartBars changed = snr_bars;
  VxChartBarSeries series[2] = { snr_series[0], snr_series[1] };
  double higher[12];
  cairo_surface_t *a, *b;
  int differ = 0;

  for (int i = 0; i < 12; i++)
    higher[i] = snr_clipformer[i] + 3;
  series[1].values = higher;
  changed.series = series;
  a = render_image (vx_chart_bars_draw, &snr_bars, 480, 360, NULL);
  b = render_image (vx_chart_bars_draw, &changed, 480, 360, NULL);
  for (int y = 0; y < 360; y++)
    for (int x = 0; x < 480; x++)
      if (rgb_distance (pixel (a, x, y), pixel (b, x, y)) > 24)
        differ++;
  g_assert_cmpfloat ((double) differ / (480 * 360), >, 0.01);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  init_fixtures ();

  g_test_add_func ("/charts/axis/nice-ticks", test_nice_ticks);
  g_test_add_func ("/charts/render/all-surfaces", test_all_surfaces);
  g_test_add_func ("/charts/bars/bar-top", test_bar_top);
  g_test_add_func ("/charts/histogram/markers", test_histogram_markers);
  g_test_add_func ("/charts/heatmap/colors", test_heatmap_colors);
  g_test_add_func ("/charts/confusion/layout", test_confusion_layout);
  g_test_add_func ("/charts/radar/geometry", test_radar_geometry);
  g_test_add_func ("/charts/lines/points", test_lines_points);
  g_test_add_func ("/charts/image/pixels", test_image_pixels);
  g_test_add_func ("/charts/theme/dark", test_dark_variant);
  g_test_add_func ("/charts/degenerate/no-data", test_no_data);
  g_test_add_func ("/charts/degenerate/single-values", test_single_values);
  g_test_add_func ("/charts/text/fits", test_text_fits);
  g_test_add_func ("/charts/golden/compare", test_golden);
  g_test_add_func ("/charts/golden/detects-change", test_golden_detects_change);
  return g_test_run ();
}
