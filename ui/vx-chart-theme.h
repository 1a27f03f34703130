/* vx-chart-theme.h: colours, fonts and colour maps shared by all charts
 *
 * Series colours are the Okabe-Ito palette (safe for the common forms of colour
 * blindness); sequential data use viridis-like or single-hue ramps whose
 * lightness changes monotonically, so they also survive greyscale printing.
 *
 * Classroom mode is not a theme of its own: it scales a model's text and
 * strokes through its VxChartCommon (font_scale, line_scale), which
 * vx_chart_common_set_classroom sets for a 1024x768 projector. Every
 * renderer takes its sizes from there, in either variant.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "vx-chart-common.h"

G_BEGIN_DECLS

typedef struct {
  double r, g, b, a;
} VxChartColor;

#define VX_CHART_N_SERIES_COLORS 8

typedef struct {
  VxChartVariant variant;
  VxChartColor   background;
  VxChartColor   foreground;   /* titles, axis labels */
  VxChartColor   muted;        /* subtitles, tick labels, "No data" */
  VxChartColor   axis;         /* axis lines and ticks */
  VxChartColor   grid;         /* grid lines */
  VxChartColor   marker;       /* reference lines (clip, shift) */
  VxChartColor   missing;      /* NaN cells */
  VxChartColor   series[VX_CHART_N_SERIES_COLORS];
  const char    *font_family;
} VxChartTheme;

typedef enum {
  VX_CHART_COLORMAP_VIRIDIS,   /* perceptually uniform, dark blue -> yellow */
  VX_CHART_COLORMAP_BLUES,     /* white -> dark blue, for counts */
  VX_CHART_COLORMAP_INFERNO,   /* black -> yellow, for attention overlays */
} VxChartColormap;

const VxChartTheme *vx_chart_theme_get          (VxChartVariant variant);
VxChartColor        vx_chart_theme_series_color (const VxChartTheme *theme, guint index);
/* Base font size in user units for a surface of this size: proportional below
 * 640x480, growing more slowly above it, times font_scale (0 means 1). */
double              vx_chart_theme_font_px      (double width, double height, double font_scale);
VxChartColor        vx_chart_colormap_eval      (VxChartColormap map, double t);
void                vx_chart_color_set_source   (cairo_t *cr, const VxChartColor *c, double alpha);
/* Relative luminance (0..1), to pick black or white text on a coloured cell. */
double              vx_chart_color_luminance    (const VxChartColor *c);

G_END_DECLS
