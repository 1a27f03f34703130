/* vx-chart-confusion.h: confusion matrix (true class by row, predicted by column) */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

typedef struct {
  VxChartCommon       base;
  guint               n_classes;
  const double       *counts;       /* (n_classes, n_classes): [true][predicted] */
  const char *const  *class_names;  /* (n_classes), nullable: numbers are used */
  gboolean            normalize;    /* show each row as % of its true class */
} VxChartConfusion;

void          vx_chart_confusion_render      (cairo_t *cr, double width, double height,
                                              const VxChartConfusion *m);
void          vx_chart_confusion_render_full (cairo_t *cr, double width, double height,
                                              const VxChartConfusion *m, VxChartLayout *layout);
void          vx_chart_confusion_draw        (cairo_t *cr, double width, double height,
                                              gconstpointer m, VxChartLayout *layout);
/* Columns: true class, then one per predicted class (raw counts). */
VxChartTable *vx_chart_confusion_to_table    (const VxChartConfusion *m);

G_END_DECLS
