/* vx-chart-confusion.c: confusion matrices */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-confusion.h"
#include "vx-chart-private.h"

static gboolean
confusion_has_data (const VxChartConfusion *m)
{
  gsize n;

  if (!m || m->n_classes == 0 || !m->counts)
    return FALSE;
  n = (gsize) m->n_classes * m->n_classes;
  for (gsize i = 0; i < n; i++)
    if (isfinite (m->counts[i]) && m->counts[i] > 0)
      return TRUE;
  return FALSE;
}

void
vx_chart_confusion_render_full (cairo_t *cr, double width, double height,
                                const VxChartConfusion *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  VxGridSpec g;
  g_autofree double *values = NULL;
  g_autoptr (GPtrArray) names = NULL;
  guint n;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!confusion_has_data (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }
  n = m->n_classes;
  values = g_memdup2 (m->counts, sizeof (double) * n * n);
  if (m->normalize)
    for (guint r = 0; r < n; r++)
      {
        double sum = 0;
        for (guint c = 0; c < n; c++)
          sum += isfinite (values[r * n + c]) ? values[r * n + c] : 0;
        for (guint c = 0; c < n; c++)
          values[r * n + c] = sum > 0 ? 100.0 * values[r * n + c] / sum : NAN;
      }
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, m->class_names && m->class_names[i] ? g_strdup (m->class_names[i])
                                                                : g_strdup_printf ("%u", i));
  g = (VxGridSpec) {
    .n_rows = n, .n_cols = n, .values = values,
    .row_labels = (const char *const *) names->pdata, .col_labels = (const char *const *) names->pdata,
    .x_title = "Predicted class", .y_title = "True class",
    .value_title = m->normalize ? "Share of true class (%)" : "Images (count)",
    .lo = 0, .hi = m->normalize ? 100 : 0, .rows_top_down = TRUE, .square = TRUE,
    .show_values = TRUE, .decimals = 0, .map = VX_CHART_COLORMAP_BLUES,
  };
  _vx_chart_grid_render (&ctx, &g);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (confusion, VxChartConfusion)

VxChartTable *
vx_chart_confusion_to_table (const VxChartConfusion *m)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  g_ptr_array_add (cols, g_strdup ("true \\ predicted"));
  for (guint c = 0; c < m->n_classes; c++)
    g_ptr_array_add (cols, m->class_names ? g_strdup (m->class_names[c]) : g_strdup_printf ("%u", c));
  t = vx_chart_table_new (cols->len, (const char *const *) cols->pdata);
  for (guint r = 0; r < m->n_classes; r++)
    {
      g_autofree char *idx = g_strdup_printf ("%u", r);
      vx_chart_table_add_string (t, m->class_names ? m->class_names[r] : idx);
      for (guint c = 0; c < m->n_classes; c++)
        vx_chart_table_add_number (t, m->counts ? m->counts[r * m->n_classes + c] : NAN);
    }
  return t;
}
