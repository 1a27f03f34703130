/* vx-chart-box.h: a chart model together with the memory it points into
 *
 * Chart models (ui/) only point at labels and numbers they do not own. A
 * VxChartBox holds the model, everything it points to, its render function,
 * its CSV table function and a file name, so one pointer can go to a
 * VxChartView (destroy = vx_chart_box_free), an exporter or a test.
 */
#pragma once

#include <glib.h>

#include "vx-charts.h"

G_BEGIN_DECLS

typedef VxChartTable *(*VxChartTableFunc) (gconstpointer model);

typedef struct {
  union {                      /* first, so a box is also its model */
    VxChartCommon    common;
    VxChartHistogram histogram;
    VxChartBars      bars;
    VxChartRadar     radar;
    VxChartLines     lines;
    VxChartHeatmap   heatmap;
    VxChartImage     image;
  } u;
  VxChartRenderFunc render;
  VxChartTableFunc  table;
  char             *name;      /* file base name, e.g. "kv-histogram" */
  GPtrArray        *mem;       /* owned allocations the model points into */
} VxChartBox;

typedef enum {
  VX_CHART_KIND_HISTOGRAM,
  VX_CHART_KIND_BARS,
  VX_CHART_KIND_RADAR,
  VX_CHART_KIND_LINES,
  VX_CHART_KIND_HEATMAP,
  VX_CHART_KIND_IMAGE,
} VxChartKind;

/* How every chart of the window looks right now. */
typedef struct {
  VxChartVariant variant;
  double font_scale;           /* 1 normally, 1.4 in classroom mode */
} VxChartStyle;

VxChartBox *vx_chart_box_new    (VxChartKind kind, const char *name, const VxChartStyle *style);
void        vx_chart_box_free   (gpointer box);
/* memory owned by the box (zeroed) */
gpointer    vx_chart_box_alloc  (VxChartBox *box, gsize size);
#define     vx_chart_box_new0(box, type, n) ((type *) vx_chart_box_alloc ((box), sizeof (type) * (n)))
const char *vx_chart_box_strdup (VxChartBox *box, const char *s);
const char *vx_chart_box_printf (VxChartBox *box, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* the numbers behind the chart */
VxChartTable *vx_chart_box_to_table (const VxChartBox *box);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxChartBox, vx_chart_box_free)

G_END_DECLS
