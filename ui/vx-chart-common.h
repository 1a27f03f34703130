/* vx-chart-common.h: types shared by every chart renderer
 *
 * A chart is a plain C model struct (filled by the caller, never owned by the
 * renderer) and a function that draws it into any cairo context:
 *
 *   void vx_chart_<kind>_render      (cairo_t *cr, double width, double height,
 *                                     const VxChart<Kind> *m);
 *   void vx_chart_<kind>_render_full (..., const VxChart<Kind> *m, VxChartLayout *layout);
 *   void vx_chart_<kind>_draw        (cairo_t *cr, double width, double height,
 *                                     gconstpointer m, VxChartLayout *layout);
 *
 * The last one has the VxChartRenderFunc signature, for the GTK view and the
 * exporters. Sizes are in user-space units (pixels of the logical surface).
 * Every model starts with a VxChartCommon. No renderer keeps state between calls.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define VX_CHART_ERROR (vx_chart_error_quark ())

typedef enum {
  VX_CHART_ERROR_IO,        /* a file could not be written */
  VX_CHART_ERROR_RENDER,    /* cairo or libpng failed while drawing/encoding */
  VX_CHART_ERROR_INVALID,   /* absurd arguments: zero size, invalid settings JSON */
} VxChartErrorCode;

GQuark vx_chart_error_quark (void);

typedef enum {
  VX_CHART_VARIANT_LIGHT,
  VX_CHART_VARIANT_DARK,
} VxChartVariant;

/* Text and line scale of classroom mode: a chart on a 1024x768 projector
 * read from the back of a room. */
#define VX_CHART_CLASSROOM_FONT_SCALE 1.4
#define VX_CHART_CLASSROOM_LINE_SCALE 1.5

/* First member of every model. */
typedef struct {
  const char    *title;         /* nullable; wrapped onto a second line when too long */
  const char    *subtitle;      /* nullable, under the title, wrapped like it */
  const char    *empty_message; /* nullable: shown under "No data" */
  VxChartVariant variant;
  double         font_scale;    /* 0 or 1 = normal; VX_CHART_CLASSROOM_FONT_SCALE */
  /* Multiplies every stroke (axes, grid, series, markers' outlines). 0: lines
   * follow the text size alone, as they always did. */
  double         line_scale;
} VxChartCommon;

/* Switches a model between normal and classroom scales. Every renderer
 * honours both fields, so this is all the explorer needs to call before a
 * redraw. */
void vx_chart_common_set_classroom (VxChartCommon *common, gboolean classroom);

typedef struct {
  double x, y, width, height;
} VxChartRect;

/* What a piece of text is for; sets its size and weight. */
typedef enum {
  VX_CHART_TEXT_TITLE,
  VX_CHART_TEXT_SUBTITLE,
  VX_CHART_TEXT_AXIS_TITLE,
  VX_CHART_TEXT_TICK,
  VX_CHART_TEXT_LEGEND,
  VX_CHART_TEXT_VALUE,
  VX_CHART_TEXT_NO_DATA,
} VxChartTextRole;

/* One piece of text as drawn: its box on the surface (axis-aligned, also for
 * rotated text), whether it had to be ellipsized and how many of its glyphs
 * no installed font has (drawn as hex boxes). */
typedef struct {
  const char     *text;
  VxChartTextRole role;
  VxChartRect     rect;
  gboolean        truncated;
  guint           n_unknown_glyphs;
} VxChartTextInfo;

typedef void (*VxChartTextObserver) (const VxChartTextInfo *info, gpointer user_data);

/* Every render on the calling thread reports each piece of text it draws to
 * observer (tests, accessibility); NULL stops it. Per thread, so a render in
 * a worker is never reported to the main thread's observer. */
void vx_chart_set_text_observer (VxChartTextObserver observer, gpointer user_data);

/* What a render call did, for tests and for hit-testing in the GTK view.
 * Cartesian charts fill the x/y mapping; the radar fills center/radius;
 * grid charts (heatmap, confusion) fill plot with n_cols x n_rows cells. */
typedef struct {
  gboolean    no_data;       /* the "No data" state was drawn */
  VxChartRect plot;          /* the data area */
  double      x_min, x_max;  /* data values at plot.x and plot.x + plot.width */
  double      y_min, y_max;  /* data values at the plot bottom and top */
  gboolean    x_log, y_log;
  double      center_x, center_y, radius;  /* radar */
  guint       n_cols, n_rows;              /* grid charts */
  gboolean    rows_top_down;               /* grid charts: row 0 at the top */
  gboolean    has_legend;
  VxChartRect legend;
  gboolean    has_colorbar;
  VxChartRect colorbar;      /* the colour ramp itself, min at the bottom */
  double      colorbar_min, colorbar_max;
  guint       n_texts;       /* pieces of text drawn */
  guint       n_texts_moved; /* ... that had to be pushed back onto the surface (a layout bug) */
  VxChartRect text_bounds;   /* union of the logical extents of all text */
  guint       n_texts_truncated;  /* ... that did not fit even shrunk and wrapped */
  guint       n_unknown_glyphs;   /* glyphs missing from every font */
} VxChartLayout;

typedef void (*VxChartRenderFunc) (cairo_t       *cr,
                                   double         width,
                                   double         height,
                                   gconstpointer  model,
                                   VxChartLayout *layout);

/* Map a data value to a device coordinate with the layout of the last render. */
double   vx_chart_layout_x_to_px (const VxChartLayout *layout, double x);
double   vx_chart_layout_y_to_px (const VxChartLayout *layout, double y);
/* The rectangle of grid cell (row, col) of a heatmap or confusion matrix. */
VxChartRect vx_chart_layout_cell (const VxChartLayout *layout, guint row, guint col);
gboolean vx_chart_rect_contains_rect (const VxChartRect *outer, const VxChartRect *inner);

G_END_DECLS
