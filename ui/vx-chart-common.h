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

/* First member of every model. */
typedef struct {
  const char    *title;         /* nullable */
  const char    *subtitle;      /* nullable, one line under the title */
  const char    *empty_message; /* nullable: shown under "No data" */
  VxChartVariant variant;
  double         font_scale;    /* 0 or 1 = normal; 1.4 for classroom mode */
} VxChartCommon;

typedef struct {
  double x, y, width, height;
} VxChartRect;

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
