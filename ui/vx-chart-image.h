/* vx-chart-image.h: one input image, optionally with an attention overlay
 *
 * For the Sample view: a grey or RGB image scaled to fit (pixels kept sharp),
 * a caption under it (class, prediction) and, when given, a heat overlay such
 * as the class-token attention of one block, with its colour bar.
 */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef struct {
  VxChartCommon  base;
  guint          width, height;    /* pixels of the image */
  guint          channels;         /* 1 (grey) or 3 (RGB) */
  guint          stride;           /* bytes per row; 0 = width * channels */
  const guint8  *pixels;
  const float   *overlay;          /* (overlay_height, overlay_width), nullable */
  guint          overlay_width, overlay_height;
  double         overlay_alpha;    /* opacity at the maximum (fades to 20 % of it at the minimum); 0: 0.7 */
  const char    *overlay_title;    /* colour bar title, e.g. "Attention weight" */
  const char    *caption;          /* e.g. "True: Trouser · ideal: Trouser (97 %)" */
  double         overlay_lo, overlay_hi; /* colour scale; equal: the overlay's own range
                                            (two maps to compare share one scale) */
} VxChartImage;

void          vx_chart_image_render      (cairo_t *cr, double width, double height,
                                          const VxChartImage *m);
void          vx_chart_image_render_full (cairo_t *cr, double width, double height,
                                          const VxChartImage *m, VxChartLayout *layout);
void          vx_chart_image_draw        (cairo_t *cr, double width, double height,
                                          gconstpointer m, VxChartLayout *layout);
/* Columns: row, col, value: the overlay when there is one, else the grey
 * (or mean RGB) pixel values. */
VxChartTable *vx_chart_image_to_table    (const VxChartImage *m);

G_END_DECLS
