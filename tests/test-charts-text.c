/* test-charts-text.c: chart text at the sizes the explorer uses: whole, on the
 * surface, not overlapping, drawable with the installed fonts; classroom
 * scales; shared colour and axis ranges */
#define G_LOG_DOMAIN "test-charts-text"
#include "config.h"

#include <math.h>
#include <string.h>

#include "charts-fixtures.h"

/* ---- fixtures: the shared models with labels as long as the study writes them ---- */

static const char *const parts[] = { "Attention", "MLP", "ADC", "Peripherals", "Buffers" };
static const double energy_rram[] = { 1658.9, 1650.2, 12.0, 300.0, 41.5 };
static const double energy_sram[] = { 1658.9, 20.0, 1640.0, 280.0, 40.9 };
static VxChartBarSeries hw_series[2];
static VxChartBars hw_bars;

static void
init_long_labels (void)
{
  init_fixtures ();
  snr_bars.base = (VxChartCommon) { "Per-block SNR of the attention products (paper Fig. 6 left)",
                                    "\u03b3 = 4, ViT-Base on ImageNet-100, 8-bit ADC, 64x64 crossbars" };
  snr_bars.show_values = TRUE;
  snr_bars.value_decimals = 1;

  hw_series[0] = (VxChartBarSeries) { "RRAM crossbars", energy_rram, NULL, 0, -1 };
  hw_series[1] = (VxChartBarSeries) { "SRAM digital IMC", energy_sram, NULL, 0, -1 };
  hw_bars = (VxChartBars) { { "Energy per inference by component", "ViT-Base, 197 tokens" },
                            parts, 5, hw_series, 2, "Component", "Attention area or energy (% of untransformed)" };
  hw_bars.show_values = TRUE;
  hw_bars.value_decimals = 1;

  hist.base.title = "Conductances of block 1, K, before and after ClipFormer";
  hist.clip.label = "\u03b2\u00b7G\u2098\u2090\u2093 = 2.5 \u00b5S";
  hist.shift.label = "\u03b1\u00b7G\u2098\u1d62\u2099 = 0.3 \u00b5S";
  radar.base.title = "RRAM vs SRAM (paper Fig. 1a)";
  lines.base = (VxChartCommon) { "Top-1 accuracy vs write-noise factor (paper Fig. 6 right)",
                                 "95 % intervals over 5 seeds" };
  confusion.base.title = "Confusion matrix, noisy crossbars";
  image.base.title = "Sample 17: class-token attention, block 12";
  image.caption = "True: Trouser \u00b7 ideal: Trouser (97 %) \u00b7 crossbar: Trouser (91 %)";
}

typedef struct {
  const char       *name;
  VxChartRenderFunc func;
  VxChartCommon    *common;
} TextChart;

static guint
text_charts (TextChart *out)
{
  guint n = 0;

  out[n++] = (TextChart) { "histogram", vx_chart_histogram_draw, &hist.base };
  out[n++] = (TextChart) { "bars-snr", vx_chart_bars_draw, &snr_bars.base };
  out[n++] = (TextChart) { "bars-hardware", vx_chart_bars_draw, &hw_bars.base };
  out[n++] = (TextChart) { "radar", vx_chart_radar_draw, &radar.base };
  out[n++] = (TextChart) { "lines", vx_chart_lines_draw, &lines.base };
  out[n++] = (TextChart) { "heatmap", vx_chart_heatmap_draw, &heatmap.base };
  out[n++] = (TextChart) { "confusion", vx_chart_confusion_draw, &confusion.base };
  out[n++] = (TextChart) { "image", vx_chart_image_draw, &image.base };
  return n;
}

/* ---- recording what was drawn ------------------------------------------------------ */

typedef struct {
  char           *text;
  VxChartTextRole role;
  VxChartRect     rect;
  gboolean        truncated;
  guint           n_unknown;
} Text;

static void
text_clear (gpointer p)
{
  g_free (((Text *) p)->text);
}

static void
record (const VxChartTextInfo *info, gpointer user_data)
{
  Text t = { g_strdup (info->text), info->role, info->rect, info->truncated, info->n_unknown_glyphs };

  g_array_append_val ((GArray *) user_data, t);
}

static GArray *
texts_new (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (Text));

  g_array_set_clear_func (a, text_clear);
  return a;
}

/* Renders into an image surface (scale 1), recording every piece of text. */
static cairo_surface_t *
render (VxChartRenderFunc func, gconstpointer model, int w, int h, VxChartLayout *layout, GArray *texts)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (s);

  if (texts)
    g_array_set_size (texts, 0);
  vx_chart_set_text_observer (texts ? record : NULL, texts);
  func (cr, w, h, model, layout);
  vx_chart_set_text_observer (NULL, NULL);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static gboolean
rects_intersect (const VxChartRect *a, const VxChartRect *b)
{
  /* Touching boxes (shared edge, rounding) do not count. */
  const double eps = 0.25;
  return a->x + eps < b->x + b->width && b->x + eps < a->x + a->width
         && a->y + eps < b->y + b->height && b->y + eps < a->y + a->height;
}

static guint8
gray_at (cairo_surface_t *s, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  guint32 p = ((const guint32 *) (data + (gsize) y * cairo_image_surface_get_stride (s)))[x];

  return (guint8) (((p >> 16 & 0xff) + (p >> 8 & 0xff) + (p & 0xff)) / 3);
}

/* Every piece of text whole, on the surface and clear of every other. */
static void
assert_text_clean (const char *what, int w, int h, const VxChartLayout *l, GArray *texts)
{
  VxChartRect surface = { 0, 0, w, h };

  g_assert_cmpuint (texts->len, ==, l->n_texts);
  for (guint i = 0; i < texts->len; i++)
    {
      const Text *a = &g_array_index (texts, Text, i);
      if (a->truncated || a->n_unknown > 0 || !vx_chart_rect_contains_rect (&surface, &a->rect))
        g_error ("%s at %dx%d: \"%s\" truncated %d, %u unknown glyphs, at %.1f,%.1f %.1fx%.1f",
                 what, w, h, a->text, a->truncated, a->n_unknown, a->rect.x, a->rect.y,
                 a->rect.width, a->rect.height);
      for (guint j = i + 1; j < texts->len; j++)
        {
          const Text *b = &g_array_index (texts, Text, j);
          if (rects_intersect (&a->rect, &b->rect))
            g_error ("%s at %dx%d: \"%s\" (%.1f,%.1f %.1fx%.1f) overlaps \"%s\" (%.1f,%.1f %.1fx%.1f)",
                     what, w, h, a->text, a->rect.x, a->rect.y, a->rect.width, a->rect.height,
                     b->text, b->rect.x, b->rect.y, b->rect.width, b->rect.height);
        }
    }
  g_assert_cmpuint (l->n_texts_truncated, ==, 0);
  g_assert_cmpuint (l->n_texts_moved, ==, 0);
  g_assert_cmpuint (l->n_unknown_glyphs, ==, 0);
}

/* ---- tests ------------------------------------------------------------------------- */

/* The explorer's chart cards: a whole 1280x800 window, half of it, the
 * smallest cards (~300x250), and the 1024x768 projector in classroom mode
 * from the whole screen down to a third of it. */
static void
test_explorer_sizes (void)
{
  const struct {
    int      w, h;
    gboolean classroom;
  } sizes[] = {
    { 300, 250, FALSE }, { 360, 280, FALSE }, { 1280, 800, FALSE }, { 640, 400, FALSE }, { 620, 360, FALSE },
    { 1024, 768, TRUE }, { 512, 384, TRUE }, { 500, 340, TRUE }, { 400, 300, TRUE }, { 340, 256, TRUE },
  };
  g_autoptr (GArray) texts = texts_new ();
  TextChart charts[16];
  guint n = text_charts (charts);

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (guint i = 0; i < n; i++)
      {
        VxChartLayout l;
        cairo_surface_t *s;
        vx_chart_common_set_classroom (charts[i].common, sizes[k].classroom);
        s = render (charts[i].func, charts[i].common, sizes[k].w, sizes[k].h, &l, texts);
        g_test_message ("%s at %dx%d%s: %u texts", charts[i].name, sizes[k].w, sizes[k].h,
                        sizes[k].classroom ? " classroom" : "", l.n_texts);
        g_assert_cmpuint (l.n_texts, >, 3);
        assert_text_clean (charts[i].name, sizes[k].w, sizes[k].h, &l, texts);
        vx_chart_common_set_classroom (charts[i].common, FALSE);
        cairo_surface_destroy (s);
      }
}

/* A title too long for one line is wrapped onto two, not cut. */
static void
test_title_wraps (void)
{
  g_autoptr (GArray) texts = texts_new ();
  VxChartLayout l;
  cairo_surface_t *s = render (vx_chart_lines_draw, &lines, 300, 320, &l, texts);
  const Text *title = &g_array_index (texts, Text, 0);
  double one_line;

  g_assert_cmpint (title->role, ==, VX_CHART_TEXT_TITLE);
  g_assert_cmpstr (title->text, ==, lines.base.title);
  g_assert_false (title->truncated);
  cairo_surface_destroy (s);
  /* Two lines: taller than the same role on a wide surface, where it fits on one. */
  s = render (vx_chart_lines_draw, &lines, 3000, 320, &l, texts);
  one_line = g_array_index (texts, Text, 0).rect.height;
  cairo_surface_destroy (s);
  s = render (vx_chart_lines_draw, &lines, 300, 320, &l, texts);
  g_assert_cmpfloat (g_array_index (texts, Text, 0).rect.height, >, 1.3 * one_line);
  g_assert_cmpuint (l.n_texts_truncated, ==, 0);
  cairo_surface_destroy (s);
}

static void
test_no_unknown_glyphs (void)
{
  g_autoptr (GArray) texts = texts_new ();
  TextChart charts[16];
  guint n = text_charts (charts);
  VxChartBars cjk = snr_bars;
  VxChartBars pua = snr_bars;
  VxChartLayout l;
  cairo_surface_t *s;

  for (guint i = 0; i < n; i++)
    {
      s = render (charts[i].func, charts[i].common, 800, 600, &l, texts);
      g_assert_cmpuint (l.n_unknown_glyphs, ==, 0);
      for (guint j = 0; j < texts->len; j++)
        g_assert_cmpuint (g_array_index (texts, Text, j).n_unknown, ==, 0);
      cairo_surface_destroy (s);
    }
  /* Angle brackets from the CJK block, which DejaVu lacks, are replaced. */
  cjk.summary_name = "\u3008SNR\u3009";
  s = render (vx_chart_bars_draw, &cjk, 800, 600, &l, texts);
  g_assert_cmpuint (l.n_unknown_glyphs, ==, 0);
  cairo_surface_destroy (s);
  /* The counter itself works: a private-use code point has no glyph anywhere. */
  pua.summary_name = "\ue000SNR";
  s = render (vx_chart_bars_draw, &pua, 800, 600, &l, texts);
  g_assert_cmpuint (l.n_unknown_glyphs, >, 0);
  cairo_surface_destroy (s);
}

/* ⟨SNR⟩ must not come out as (SNR). With DejaVu's own U+27E8/U+27E9 the two
 * legends differ in about a dozen pixels at this size (they look the same);
 * the drawn brackets are wider and differ in hundreds. */
static void
test_mean_brackets (void)
{
  g_autoptr (GArray) texts = texts_new ();
  VxChartBars angle = snr_bars, paren = snr_bars;
  VxChartLayout la, lp;
  cairo_surface_t *a, *p;
  const Text *ta = NULL, *tp = NULL;
  guint differ = 0;

  angle.base.title = paren.base.title = NULL;
  angle.base.subtitle = paren.base.subtitle = NULL;
  angle.summary_name = "\u27e8SNR\u27e9";
  paren.summary_name = "(SNR)";
  p = render (vx_chart_bars_draw, &paren, 640, 480, &lp, texts);
  tp = &g_array_index (texts, Text, 0);
  g_assert_cmpint (tp->role, ==, VX_CHART_TEXT_LEGEND);
  a = render (vx_chart_bars_draw, &angle, 640, 480, &la, texts);
  ta = &g_array_index (texts, Text, 0);
  g_assert_cmpint (ta->role, ==, VX_CHART_TEXT_LEGEND);
  g_assert_true (g_str_has_suffix (ta->text, "\u27e9 = 10.9 dB"));
  for (int y = (int) ta->rect.y; y < (int) (ta->rect.y + ta->rect.height); y++)
    for (int x = (int) ta->rect.x; x < (int) (ta->rect.x + ta->rect.width); x++)
      if (ABS (gray_at (a, x, y) - gray_at (p, x, y)) > 60)
        differ++;
  g_test_message ("%u legend pixels differ between angle brackets and parentheses", differ);
  g_assert_cmpuint (differ, >, 100);
  cairo_surface_destroy (a);
  cairo_surface_destroy (p);
}

/* Fig. 1a on the explorer's smallest cards: whole labels outside the web,
 * and a web that is not a thumbnail. */
static void
test_radar_cards (void)
{
  const struct {
    int      w, h;
    gboolean classroom;
  } sizes[] = {
    { 300, 250, FALSE }, { 340, 260, FALSE }, { 420, 320, FALSE }, { 640, 480, FALSE },
    { 480, 360, TRUE }, { 512, 384, TRUE }, { 1024, 768, TRUE },
  };
  g_autoptr (GArray) texts = texts_new ();

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      VxChartLayout l;
      cairo_surface_t *s;
      vx_chart_common_set_classroom (&radar.base, sizes[k].classroom);
      s = render (vx_chart_radar_draw, &radar, sizes[k].w, sizes[k].h, &l, texts);
      g_test_message ("radar at %dx%d%s: radius %.1f", sizes[k].w, sizes[k].h,
                      sizes[k].classroom ? " classroom" : "", l.radius);
      assert_text_clean ("radar", sizes[k].w, sizes[k].h, &l, texts);
      g_assert_cmpfloat (l.radius, >=, (sizes[k].classroom ? 0.18 : 0.24) * MIN (sizes[k].w, sizes[k].h));
      /* No label covers the rim: points along every rim edge lie outside all text. */
      for (guint i = 0; i < radar.n_axes; i++)
        {
          double x0, y0, x1, y1;
          vx_chart_radar_point (&l, &radar, i, radar_axes[i].lower_is_better ? radar_axes[i].min : radar_axes[i].max,
                                &x0, &y0);
          vx_chart_radar_point (&l, &radar, (i + 1) % radar.n_axes,
                                radar_axes[(i + 1) % radar.n_axes].lower_is_better
                                  ? radar_axes[(i + 1) % radar.n_axes].min : radar_axes[(i + 1) % radar.n_axes].max,
                                &x1, &y1);
          for (int t = 0; t <= 40; t++)
            for (guint j = 0; j < texts->len; j++)
              {
                const VxChartRect *r = &g_array_index (texts, Text, j).rect;
                double x = x0 + (x1 - x0) * t / 40.0, y = y0 + (y1 - y0) * t / 40.0;
                if (x > r->x + 0.5 && x < r->x + r->width - 0.5 && y > r->y + 0.5 && y < r->y + r->height - 0.5)
                  g_error ("radar at %dx%d: \"%s\" covers the rim at %.1f,%.1f", sizes[k].w, sizes[k].h,
                           g_array_index (texts, Text, j).text, x, y);
              }
        }
      cairo_surface_destroy (s);
    }
  vx_chart_common_set_classroom (&radar.base, FALSE);
}

/* Hardware bars with equal neighbours (1658.9 next to 1658.9): value labels
 * never overlap each other, a bar they do not belong to, or an axis. */
static void
test_bar_value_labels (void)
{
  const int sizes[][2] = { { 300, 250 }, { 360, 280 }, { 480, 360 }, { 640, 400 }, { 1280, 800 } };
  g_autoptr (GArray) texts = texts_new ();

  for (guint k = 0; k < G_N_ELEMENTS (sizes) * 2; k++)
    {
      int w = sizes[k % G_N_ELEMENTS (sizes)][0], h = sizes[k % G_N_ELEMENTS (sizes)][1];
      VxChartLayout l;
      cairo_surface_t *s;
      guint n_values = 0;

      vx_chart_common_set_classroom (&hw_bars.base, k >= G_N_ELEMENTS (sizes));
      s = render (vx_chart_bars_draw, &hw_bars, w, h, &l, texts);
      assert_text_clean ("hardware bars", w, h, &l, texts);
      for (guint j = 0; j < texts->len; j++)
        {
          const Text *t = &g_array_index (texts, Text, j);
          if (t->role != VX_CHART_TEXT_VALUE)
            continue;
          n_values++;
          g_assert_cmpfloat (t->rect.x, >=, l.plot.x);
          g_assert_cmpfloat (t->rect.x + t->rect.width, <=, l.plot.x + l.plot.width);
          g_assert_cmpfloat (t->rect.y + t->rect.height, <, l.plot.y + l.plot.height);
          for (guint c = 0; c < hw_bars.n_categories; c++)
            for (guint b = 0; b < hw_bars.n_series; b++)
              {
                VxChartRect bar = vx_chart_bars_bar_rect (&l, &hw_bars, c, b);
                if (rects_intersect (&bar, &t->rect) && !vx_chart_rect_contains_rect (&bar, &t->rect))
                  g_error ("hardware bars at %dx%d: value \"%s\" straddles bar %u/%u", w, h, t->text, c, b);
              }
        }
      /* One form for all: equal values never read differently, and two
       * labels on one row keep a space between them. */
      for (guint i = 0; i < texts->len; i++)
        for (guint j = 0; j < texts->len; j++)
          {
            const Text *a = &g_array_index (texts, Text, i), *b = &g_array_index (texts, Text, j);
            VxChartRect wide = { a->rect.x - 2, a->rect.y, a->rect.width + 4, a->rect.height };
            if (i == j || a->role != VX_CHART_TEXT_VALUE || b->role != VX_CHART_TEXT_VALUE)
              continue;
            g_assert_false (rects_intersect (&wide, &b->rect));
            if (!strchr (a->text, 'k') && !strchr (b->text, 'k'))
              g_assert_true (!strchr (a->text, '.') == !strchr (b->text, '.'));
          }
      g_test_message ("hardware bars at %dx%d%s: %u of 10 values shown", w, h,
                      k >= G_N_ELEMENTS (sizes) ? " classroom" : "", n_values);
      g_assert_cmpuint (n_values, >=, 4);
      if (w >= 640)
        g_assert_cmpuint (n_values, ==, 10);
      cairo_surface_destroy (s);
    }
  vx_chart_common_set_classroom (&hw_bars.base, FALSE);
}

/* Darkness summed across the image frame: the stroke width in pixels. */
static double
frame_ink (cairo_surface_t *s, const VxChartLayout *l)
{
  int y = (int) (l->plot.y + l->plot.height / 2), x0 = (int) floor (l->plot.x);
  double ink = 0;

  for (int x = x0 - 6; x <= x0 + 1; x++)
    ink += (255.0 - gray_at (s, x, y)) / (255.0 - 0x4d);
  return ink;
}

static void
test_classroom_scale (void)
{
  static guint8 white[16 * 16];
  VxChartImage plain = { { "Sample", NULL }, 16, 16, 1, 0, white };
  VxChartCommon common = { 0 };
  g_autoptr (GArray) texts = texts_new ();
  VxChartLayout ln, lc;
  cairo_surface_t *n, *c;
  double title_n, title_c;

  vx_chart_common_set_classroom (&common, TRUE);
  g_assert_cmpfloat (common.font_scale, ==, VX_CHART_CLASSROOM_FONT_SCALE);
  g_assert_cmpfloat (common.line_scale, ==, VX_CHART_CLASSROOM_LINE_SCALE);
  vx_chart_common_set_classroom (&common, FALSE);
  g_assert_cmpfloat (common.font_scale, ==, 1.0);
  g_assert_cmpfloat (common.line_scale, ==, 0.0);

  memset (white, 255, sizeof white);
  n = render (vx_chart_image_draw, &plain, 400, 300, &ln, texts);
  title_n = g_array_index (texts, Text, 0).rect.height;
  vx_chart_common_set_classroom (&plain.base, TRUE);
  c = render (vx_chart_image_draw, &plain, 400, 300, &lc, texts);
  title_c = g_array_index (texts, Text, 0).rect.height;
  g_test_message ("title %.1f -> %.1f px, frame %.2f -> %.2f px", title_n, title_c,
                  frame_ink (n, &ln), frame_ink (c, &lc));
  g_assert_cmpfloat (title_c / title_n, >, 1.3);
  g_assert_cmpfloat (title_c / title_n, <, 1.5);
  g_assert_cmpfloat (frame_ink (n, &ln), >, 0.8);
  g_assert_cmpfloat (frame_ink (c, &lc) / frame_ink (n, &ln), >, 1.35);
  cairo_surface_destroy (n);
  cairo_surface_destroy (c);
}

static guint32
pixel_at (cairo_surface_t *s, double x, double y)
{
  const guint8 *data = cairo_image_surface_get_data (s);

  return ((const guint32 *) (data + (gsize) y * cairo_image_surface_get_stride (s)))[(int) x] & 0xffffff;
}

/* Two attention maps on one colour scale: the same value, the same colour. */
static void
test_shared_ranges (void)
{
  static float first[4] = { 0.1f, 0.2f, 0.3f, 0.4f }, second[4] = { 0.1f, 0.05f, 0.02f, 0.0f };
  static const double low[4] = { 10, 20, 30, 40 }, high[4] = { 10, 60, 70, 80 };
  VxChartImage a = image, b = image;
  VxChartHeatmap ha = { { "A" }, 2, 2, low }, hb = { { "B" }, 2, 2, high };
  VxChartLines locked = lines;
  VxChartLayout la, lb;
  cairo_surface_t *sa, *sb;

  a.overlay = first;
  b.overlay = second;
  a.overlay_width = b.overlay_width = a.overlay_height = b.overlay_height = 2;
  a.overlay_min = b.overlay_min = 0.0;
  a.overlay_max = b.overlay_max = 0.5;
  sa = render (vx_chart_image_draw, &a, 400, 300, &la, NULL);
  sb = render (vx_chart_image_draw, &b, 400, 300, &lb, NULL);
  g_assert_cmpfloat (la.colorbar_min, ==, 0.0);
  g_assert_cmpfloat (la.colorbar_max, ==, 0.5);
  g_assert_cmpfloat (lb.colorbar_min, ==, 0.0);
  g_assert_cmpfloat (lb.colorbar_max, ==, 0.5);
  /* Top-left overlay cell holds 0.1 in both. */
  g_assert_cmphex (pixel_at (sa, la.plot.x + la.plot.width / 8, la.plot.y + la.plot.height / 8), ==,
                   pixel_at (sb, lb.plot.x + lb.plot.width / 8, lb.plot.y + lb.plot.height / 8));
  cairo_surface_destroy (sa);
  cairo_surface_destroy (sb);
  /* Without the shared range each map spans its own colours. */
  b.overlay_min = b.overlay_max = 0.0;
  sb = render (vx_chart_image_draw, &b, 400, 300, &lb, NULL);
  g_assert_cmpfloat (lb.colorbar_max, <, 0.5);
  cairo_surface_destroy (sb);

  ha.hide_values = hb.hide_values = TRUE;
  ha.value_min = hb.value_min = 0;
  ha.value_max = hb.value_max = 100;
  sa = render (vx_chart_heatmap_draw, &ha, 400, 300, &la, NULL);
  sb = render (vx_chart_heatmap_draw, &hb, 400, 300, &lb, NULL);
  g_assert_cmpfloat (la.colorbar_min, ==, lb.colorbar_min);
  g_assert_cmpfloat (la.colorbar_max, ==, lb.colorbar_max);
  {
    VxChartRect ca = vx_chart_layout_cell (&la, 0, 0), cb = vx_chart_layout_cell (&lb, 0, 0);
    g_assert_cmphex (pixel_at (sa, ca.x + ca.width / 2, ca.y + ca.height / 2), ==,
                     pixel_at (sb, cb.x + cb.width / 2, cb.y + cb.height / 2));
  }
  cairo_surface_destroy (sa);
  cairo_surface_destroy (sb);

  /* Locked axes: the y range is the one given, even with data outside it. */
  locked.y_min = 60;
  locked.y_max = 80;
  sa = render (vx_chart_lines_draw, &locked, 400, 300, &la, NULL);
  g_assert_cmpfloat (la.y_min, ==, 60);
  g_assert_cmpfloat (la.y_max, ==, 80);
  cairo_surface_destroy (sa);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  init_long_labels ();
  g_test_add_func ("/charts/text/explorer-sizes", test_explorer_sizes);
  g_test_add_func ("/charts/text/title-wraps", test_title_wraps);
  g_test_add_func ("/charts/text/no-unknown-glyphs", test_no_unknown_glyphs);
  g_test_add_func ("/charts/text/mean-brackets", test_mean_brackets);
  g_test_add_func ("/charts/radar/cards", test_radar_cards);
  g_test_add_func ("/charts/bars/value-labels", test_bar_value_labels);
  g_test_add_func ("/charts/theme/classroom", test_classroom_scale);
  g_test_add_func ("/charts/ranges/shared", test_shared_ranges);
  return g_test_run ();
}
