/* vx-chart-heatmap.c: heatmaps over a labelled grid */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-heatmap.h"
#include "vx-chart-private.h"

void
vx_chart_heatmap_render_full (cairo_t *cr, double width, double height,
                              const VxChartHeatmap *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  VxGridSpec g;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!m || m->n_rows == 0 || m->n_cols == 0
      || !_vx_chart_any_finite (m->values, (gsize) m->n_rows * m->n_cols))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }
  g = (VxGridSpec) {
    .n_rows = m->n_rows, .n_cols = m->n_cols, .values = m->values,
    .row_labels = m->row_labels, .col_labels = m->col_labels,
    .x_title = m->x_title, .y_title = m->y_title, .value_title = m->value_title,
    .lo = m->value_min, .hi = m->value_max, .rows_top_down = m->rows_top_down,
    .square = FALSE, .show_values = !m->hide_values, .decimals = m->value_decimals,
    .map = m->colormap,
  };
  _vx_chart_grid_render (&ctx, &g);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (heatmap, VxChartHeatmap)

VxChartTable *
vx_chart_heatmap_to_table (const VxChartHeatmap *m)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  g_ptr_array_add (cols, g_strdup (m->y_title ? m->y_title : "row"));
  for (guint c = 0; c < m->n_cols; c++)
    g_ptr_array_add (cols, m->col_labels ? g_strdup (m->col_labels[c]) : g_strdup_printf ("%u", c));
  t = vx_chart_table_new (cols->len, (const char *const *) cols->pdata);
  for (guint r = 0; r < m->n_rows; r++)
    {
      g_autofree char *idx = g_strdup_printf ("%u", r);
      vx_chart_table_add_string (t, m->row_labels ? m->row_labels[r] : idx);
      for (guint c = 0; c < m->n_cols; c++)
        vx_chart_table_add_number (t, m->values ? m->values[r * m->n_cols + c] : NAN);
    }
  return t;
}
