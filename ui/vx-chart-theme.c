/* vx-chart-theme.c: palettes, font sizes and colour maps */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-theme.h"

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0, 1.0 }

/* Okabe-Ito, ordered so the first two series (typically "before" and "after")
 * differ in hue and lightness: blue, vermillion, bluish green, orange,
 * reddish purple, sky blue, yellow, grey. */
static const VxChartTheme light_theme = {
  .variant = VX_CHART_VARIANT_LIGHT,
  .background = RGB (0xffffff),
  .foreground = RGB (0x1a1a1a),
  .muted = RGB (0x555555),
  .axis = RGB (0x4d4d4d),
  .grid = RGB (0xe3e3e3),
  .marker = RGB (0x222222),
  .missing = RGB (0xbdbdbd),
  .series = {
    RGB (0x0072b2), RGB (0xd55e00), RGB (0x009e73), RGB (0xe69f00),
    RGB (0xcc79a7), RGB (0x56b4e9), RGB (0xf0e442), RGB (0x7f7f7f),
  },
  .font_family = "DejaVu Sans, Sans",
};

/* On a dark background the dark blue and vermillion lose contrast: the same
 * order with their lighter Okabe-Ito neighbours. */
static const VxChartTheme dark_theme = {
  .variant = VX_CHART_VARIANT_DARK,
  .background = RGB (0x1e1e1e),
  .foreground = RGB (0xf0f0f0),
  .muted = RGB (0xb4b4b4),
  .axis = RGB (0xa8a8a8),
  .grid = RGB (0x3a3a3a),
  .marker = RGB (0xeeeeee),
  .missing = RGB (0x5a5a5a),
  .series = {
    RGB (0x56b4e9), RGB (0xe69f00), RGB (0x009e73), RGB (0xd55e00),
    RGB (0xcc79a7), RGB (0xf0e442), RGB (0x0072b2), RGB (0xbdbdbd),
  },
  .font_family = "DejaVu Sans, Sans",
};

const VxChartTheme *
vx_chart_theme_get (VxChartVariant variant)
{
  return variant == VX_CHART_VARIANT_DARK ? &dark_theme : &light_theme;
}

VxChartColor
vx_chart_theme_series_color (const VxChartTheme *theme, guint index)
{
  g_return_val_if_fail (theme != NULL, light_theme.foreground);
  return theme->series[index % VX_CHART_N_SERIES_COLORS];
}

double
vx_chart_theme_font_px (double width, double height, double font_scale)
{
  double s = MIN (width / 640.0, height / 480.0);
  double f;

  if (!(s > 0.0))
    return 6.0;
  /* Smaller surfaces shrink text less than the plot, larger ones grow it less
   * than proportionally, so a big window is not a poster. */
  f = s < 1.0 ? 12.0 * sqrt (s) : 12.0 * pow (s, 0.75);
  if (font_scale > 0.0)
    f *= font_scale;
  return MAX (f, 6.0);
}

static const guint32 viridis[] = {
  0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
  0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
};
static const guint32 inferno[] = {
  0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754,
  0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4,
};
static const guint32 blues[] = {
  0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6,
  0x2171b5, 0x08519c, 0x08306b,
};

static VxChartColor
ramp_eval (const guint32 *stops, guint n, double t)
{
  VxChartColor c;
  double pos, f;
  guint i;

  if (!isfinite (t))
    t = 0.0;
  t = CLAMP (t, 0.0, 1.0);
  pos = t * (n - 1);
  i = (guint) floor (pos);
  if (i >= n - 1)
    i = n - 2;
  f = pos - i;
  c.r = ((1 - f) * (stops[i] >> 16 & 0xff) + f * (stops[i + 1] >> 16 & 0xff)) / 255.0;
  c.g = ((1 - f) * (stops[i] >> 8 & 0xff) + f * (stops[i + 1] >> 8 & 0xff)) / 255.0;
  c.b = ((1 - f) * (stops[i] & 0xff) + f * (stops[i + 1] & 0xff)) / 255.0;
  c.a = 1.0;
  return c;
}

VxChartColor
vx_chart_colormap_eval (VxChartColormap map, double t)
{
  switch (map)
    {
    case VX_CHART_COLORMAP_BLUES:
      return ramp_eval (blues, G_N_ELEMENTS (blues), t);
    case VX_CHART_COLORMAP_INFERNO:
      return ramp_eval (inferno, G_N_ELEMENTS (inferno), t);
    case VX_CHART_COLORMAP_VIRIDIS:
    default:
      return ramp_eval (viridis, G_N_ELEMENTS (viridis), t);
    }
}

void
vx_chart_color_set_source (cairo_t *cr, const VxChartColor *c, double alpha)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a * alpha);
}

static double
linearize (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

double
vx_chart_color_luminance (const VxChartColor *c)
{
  return 0.2126 * linearize (c->r) + 0.7152 * linearize (c->g) + 0.0722 * linearize (c->b);
}
