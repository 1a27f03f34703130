/* vx-chart-view.c: GtkWidget drawing a chart through its render function */
#define G_LOG_DOMAIN "vx-chart-view"
#include "config.h"

#include <string.h>

#include "vx-chart-view.h"

struct _VxChartView {
  GtkWidget         parent_instance;
  VxChartRenderFunc func;
  gpointer          model;
  GDestroyNotify    destroy;
  VxChartLayout     layout;
};

G_DEFINE_FINAL_TYPE (VxChartView, vx_chart_view, GTK_TYPE_WIDGET)

static void
clear_model (VxChartView *self)
{
  gpointer model = g_steal_pointer (&self->model);
  GDestroyNotify destroy = self->destroy;

  self->destroy = NULL;
  self->func = NULL;
  if (model && destroy)
    destroy (model);
}

/* Every chart model starts with a VxChartCommon: its title names the image. */
static void
update_accessible_label (VxChartView *self)
{
  const VxChartCommon *common = self->model;
  const char *title = common && common->title ? common->title : "Chart";

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

static void
vx_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  VxChartView *self = VX_CHART_VIEW (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!self->func || w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  self->func (cr, w, h, self->model, &self->layout);
  cairo_destroy (cr);
}

static void
vx_chart_view_dispose (GObject *object)
{
  clear_model (VX_CHART_VIEW (object));
  G_OBJECT_CLASS (vx_chart_view_parent_class)->dispose (object);
}

static void
vx_chart_view_class_init (VxChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vx_chart_view_dispose;
  widget_class->snapshot = vx_chart_view_snapshot;
  gtk_widget_class_set_css_name (widget_class, "vxchartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vx_chart_view_init (VxChartView *self)
{
  /* Small enough for a side pane, the charts shrink their text below 640x480. */
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 160);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
vx_chart_view_new (void)
{
  return g_object_new (VX_TYPE_CHART_VIEW, NULL);
}

void
vx_chart_view_set_chart (VxChartView *self, VxChartRenderFunc func, gpointer model,
                         GDestroyNotify destroy)
{
  g_return_if_fail (VX_IS_CHART_VIEW (self));

  if (self->func == func && self->model == model && self->destroy == destroy)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  clear_model (self);
  self->func = func;
  self->model = model;
  self->destroy = destroy;
  memset (&self->layout, 0, sizeof self->layout);
  update_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vx_chart_view_queue_redraw (VxChartView *self)
{
  g_return_if_fail (VX_IS_CHART_VIEW (self));
  update_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

VxChartRenderFunc
vx_chart_view_get_func (VxChartView *self)
{
  g_return_val_if_fail (VX_IS_CHART_VIEW (self), NULL);
  return self->func;
}

gpointer
vx_chart_view_get_model (VxChartView *self)
{
  g_return_val_if_fail (VX_IS_CHART_VIEW (self), NULL);
  return self->model;
}

const VxChartLayout *
vx_chart_view_get_layout (VxChartView *self)
{
  g_return_val_if_fail (VX_IS_CHART_VIEW (self), NULL);
  return &self->layout;
}
