/* vx-chart-private.h: drawing helpers shared by the renderers (not installed)
 *
 * A VxChartCtx lives for one render call. It owns the free area left for the
 * plot: the header and legend take their bands from it, so nothing drawn
 * later can cover them. Every piece of text goes through _vx_chart_text (or
 * _vx_chart_text_lines, vx-chart-text.c), which shrinks, wraps or, as a last
 * resort, ellipsizes it to the space given, keeps it inside the surface and
 * records its extents, truncation and missing glyphs in the layout.
 */
#pragma once

#include <pango/pangocairo.h>

#include "vx-chart-axis.h"
#include "vx-chart-common.h"
#include "vx-chart-theme.h"

G_BEGIN_DECLS

typedef struct {
  cairo_t            *cr;
  double              width, height;
  const VxChartTheme *theme;
  double              font;      /* base font size in user units */
  double              line_width; /* the base stroke, from the font and the line scale */
  VxChartLayout      *layout;    /* never NULL inside a render */
  VxChartLayout       scratch;
  VxChartRect         area;      /* still free for the plot */
  cairo_font_options_t *font_options;
} VxChartCtx;

typedef enum {
  VX_MARKER_NONE,
  VX_MARKER_CIRCLE,
  VX_MARKER_SQUARE,
  VX_MARKER_TRIANGLE,
  VX_MARKER_DIAMOND,
  VX_MARKER_TRIANGLE_DOWN,
  VX_N_MARKERS,
} VxMarker;

typedef enum {
  VX_SWATCH_BOX,
  VX_SWATCH_LINE,
  VX_SWATCH_DASH,
} VxSwatch;

typedef struct {
  const char  *label;
  VxChartColor color;
  VxSwatch     swatch;
  VxMarker     marker;
  double       fill_alpha;  /* boxes */
} VxLegendItem;

/* An axis request. Categorical when n_categories > 0. */
typedef struct {
  const char         *title;
  double              lo, hi;
  gboolean            log;
  gboolean            extend;
  const char *const  *categories;
  guint               n_categories;
} VxAxisSpec;

typedef struct {
  VxChartAxis  x, y;
  VxChartTicks xt, yt;
  VxChartRect  plot;
  guint        n_categories;
  const char *const *categories;
  double       band;          /* width of one category */
  gboolean     vertical_categories;  /* category names too wide for their band, rotated */
  double       category_h;    /* depth of the category names under the axis */
  const char  *x_title, *y_title;
} VxCartesian;

void        _vx_chart_begin       (VxChartCtx *ctx, cairo_t *cr, double width, double height,
                                   const VxChartCommon *common, VxChartLayout *layout);
void        _vx_chart_end         (VxChartCtx *ctx);
void        _vx_chart_no_data     (VxChartCtx *ctx, const VxChartCommon *common);

VxChartRect _vx_chart_text        (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                                   double x, double y, double xalign, double yalign,
                                   double max_width, const VxChartColor *color, gboolean vertical);
/* Like _vx_chart_text, on up to max_lines lines wrapped at word boundaries. */
VxChartRect _vx_chart_text_lines  (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                                   double x, double y, double xalign, double yalign,
                                   double max_width, guint max_lines, const VxChartColor *color,
                                   gboolean vertical);
/* The natural size of text on one line. */
void        _vx_chart_text_size   (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                                   double *width, double *height);
/* The size _vx_chart_text_lines will give text in max_width; FALSE when it
 * will have to be ellipsized. */
gboolean    _vx_chart_text_fit_size (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                                     double max_width, guint max_lines, double *width,
                                     double *height);
double      _vx_chart_role_size   (VxChartCtx *ctx, VxChartTextRole role);

void        _vx_chart_marker      (cairo_t *cr, VxMarker marker, double x, double y, double size);
void        _vx_chart_legend_top  (VxChartCtx *ctx, const VxLegendItem *items, guint n_items);
double      _vx_chart_legend_top_height  (VxChartCtx *ctx, const VxLegendItem *items, guint n_items);
double      _vx_chart_legend_right_width (VxChartCtx *ctx, const VxLegendItem *items, guint n_items,
                                          double max_width);
void        _vx_chart_legend_right (VxChartCtx *ctx, const VxLegendItem *items, guint n_items,
                                    double max_width);

void        _vx_chart_cartesian_layout (VxChartCtx *ctx, const VxAxisSpec *xs, const VxAxisSpec *ys,
                                        VxCartesian *cart);
void        _vx_chart_cartesian_grid   (VxChartCtx *ctx, const VxCartesian *cart);
void        _vx_chart_cartesian_axes   (VxChartCtx *ctx, const VxCartesian *cart);
double      _vx_chart_category_center  (const VxCartesian *cart, guint index);

/* A colour bar: reserve its band at the right of ctx->area before the plot
 * layout, draw it beside the plot afterwards. */
typedef struct {
  VxChartColormap map;
  double          lo, hi;
  const char     *title;
  VxChartTicks    ticks;
  double          x;         /* left edge of the ramp */
  double          ramp_width;
} VxColorbar;

void        _vx_chart_colorbar_reserve (VxChartCtx *ctx, VxColorbar *cb);
void        _vx_chart_colorbar_draw    (VxChartCtx *ctx, const VxColorbar *cb, const VxChartRect *plot);
double      _vx_chart_line_width  (VxChartCtx *ctx);
void        _vx_chart_hline_dash  (VxChartCtx *ctx, double x0, double x1, double y);
void        _vx_chart_vline_dash  (VxChartCtx *ctx, double x, double y0, double y1,
                                   const VxChartColor *color);

/* Finite-value helpers. */
gboolean    _vx_chart_any_finite  (const double *values, gsize n);
void        _vx_chart_finite_range (const double *values, gsize n, double *lo, double *hi);

#define VX_CHART_DEFINE_ENTRY_POINTS(kind, Type)                                   \
  void vx_chart_##kind##_render (cairo_t *cr, double width, double height,         \
                                 const Type *m)                                    \
  {                                                                                \
    vx_chart_##kind##_render_full (cr, width, height, m, NULL);                    \
  }                                                                                \
  void vx_chart_##kind##_draw (cairo_t *cr, double width, double height,           \
                               gconstpointer m, VxChartLayout *layout)             \
  {                                                                                \
    vx_chart_##kind##_render_full (cr, width, height, (const Type *) m, layout);   \
  }

G_END_DECLS

G_BEGIN_DECLS

/* A grid of coloured cells with a colour bar (heatmap, confusion matrix). */
typedef struct {
  guint               n_rows, n_cols;
  const double       *values;          /* (n_rows, n_cols) row-major */
  const char *const  *row_labels;
  const char *const  *col_labels;
  const char         *x_title, *y_title, *value_title;
  double              lo, hi;          /* colour range; lo >= hi: from the data */
  gboolean            rows_top_down;
  gboolean            square;
  gboolean            show_values;
  int                 decimals;
  VxChartColormap     map;
} VxGridSpec;

void _vx_chart_grid_render (VxChartCtx *ctx, const VxGridSpec *g);

G_END_DECLS
