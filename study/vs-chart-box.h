/* vs-chart-box.h: a chart model together with the memory it points into
 *
 * Chart models (ui/) only point at labels and numbers they do not own. A
 * VsChartBox holds the model, everything it points to, its render function,
 * its CSV table function and a file name, so one pointer can go to a
 * VxChartView (destroy = vs_chart_box_free), an exporter or a test.
 */
#pragma once

#include <glib.h>

#include "vx-charts.h"

G_BEGIN_DECLS

typedef VxChartTable *(*VsChartTableFunc) (gconstpointer model);

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
  VsChartTableFunc  table;
  char             *name;      /* file base name, e.g. "kv-histogram" */
  GPtrArray        *mem;       /* owned allocations the model points into */
} VsChartBox;

typedef enum {
  VS_CHART_KIND_HISTOGRAM,
  VS_CHART_KIND_BARS,
  VS_CHART_KIND_RADAR,
  VS_CHART_KIND_LINES,
  VS_CHART_KIND_HEATMAP,
  VS_CHART_KIND_IMAGE,
} VsChartKind;

/* How every chart of the window looks right now. */
typedef struct {
  VxChartVariant variant;
  double font_scale;           /* 1 normally, 1.4 in classroom mode */
  double line_scale;           /* line widths: 1 normally, 1.5 in classroom mode; 0: 1 */
} VsChartStyle;

VsChartBox *vs_chart_box_new    (VsChartKind kind, const char *name, const VsChartStyle *style);
void        vs_chart_box_free   (gpointer box);
/* memory owned by the box (zeroed) */
gpointer    vs_chart_box_alloc  (VsChartBox *box, gsize size);
#define     vs_chart_box_new0(box, type, n) ((type *) vs_chart_box_alloc ((box), sizeof (type) * (n)))
const char *vs_chart_box_strdup (VsChartBox *box, const char *s);
const char *vs_chart_box_printf (VsChartBox *box, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* the numbers behind the chart */
VxChartTable *vs_chart_box_to_table (const VsChartBox *box);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsChartBox, vs_chart_box_free)

G_END_DECLS
