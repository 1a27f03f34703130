/* vs-chart-box.c: chart models that own what they point to */
#define G_LOG_DOMAIN "vs-chart-box"
#include "config.h"

#include "vs-chart-box.h"

static VxChartTable *
histogram_table (gconstpointer m)
{
  return vx_chart_histogram_to_table (m);
}

static VxChartTable *
bars_table (gconstpointer m)
{
  return vx_chart_bars_to_table (m);
}

static VxChartTable *
radar_table (gconstpointer m)
{
  return vx_chart_radar_to_table (m);
}

static VxChartTable *
lines_table (gconstpointer m)
{
  return vx_chart_lines_to_table (m);
}

static VxChartTable *
heatmap_table (gconstpointer m)
{
  return vx_chart_heatmap_to_table (m);
}

static VxChartTable *
image_table (gconstpointer m)
{
  return vx_chart_image_to_table (m);
}

static const struct {
  VxChartRenderFunc render;
  VsChartTableFunc table;
} kinds[] = {
  [VS_CHART_KIND_HISTOGRAM] = { vx_chart_histogram_draw, histogram_table },
  [VS_CHART_KIND_BARS] = { vx_chart_bars_draw, bars_table },
  [VS_CHART_KIND_RADAR] = { vx_chart_radar_draw, radar_table },
  [VS_CHART_KIND_LINES] = { vx_chart_lines_draw, lines_table },
  [VS_CHART_KIND_HEATMAP] = { vx_chart_heatmap_draw, heatmap_table },
  [VS_CHART_KIND_IMAGE] = { vx_chart_image_draw, image_table },
};

VsChartBox *
vs_chart_box_new (VsChartKind kind, const char *name, const VsChartStyle *style)
{
  g_return_val_if_fail (kind <= VS_CHART_KIND_IMAGE, NULL);
  VsChartBox *box = g_new0 (VsChartBox, 1);
  box->render = kinds[kind].render;
  box->table = kinds[kind].table;
  box->name = g_strdup (name);
  box->mem = g_ptr_array_new_with_free_func (g_free);
  if (style)
    {
      box->u.common.variant = style->variant;
      box->u.common.font_scale = style->font_scale;
      box->u.common.line_scale = style->line_scale;
    }
  return box;
}

void
vs_chart_box_free (gpointer data)
{
  VsChartBox *box = data;
  if (!box)
    return;
  g_ptr_array_unref (box->mem);
  g_free (box->name);
  g_free (box);
}

gpointer
vs_chart_box_alloc (VsChartBox *box, gsize size)
{
  gpointer p = g_malloc0 (MAX (size, 1));
  g_ptr_array_add (box->mem, p);
  return p;
}

const char *
vs_chart_box_strdup (VsChartBox *box, const char *s)
{
  if (!s)
    return NULL;
  char *copy = g_strdup (s);
  g_ptr_array_add (box->mem, copy);
  return copy;
}

const char *
vs_chart_box_printf (VsChartBox *box, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  char *s = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (box->mem, s);
  return s;
}

VxChartTable *
vs_chart_box_to_table (const VsChartBox *box)
{
  return box->table ? box->table (box) : NULL;
}
