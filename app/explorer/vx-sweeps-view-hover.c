/* vx-sweeps-view-hover.c: the Sweeps view's points under the pointer: hovering shows a
 * point's value, clicking it applies its settings */
#define G_LOG_DOMAIN "vx-sweeps-view"
#include "config.h"

#include <math.h>

#include "vx-chart-view.h"
#include "vs-result-charts.h"
#include "vx-sweeps-view-private.h"

/* the hover and click radius around a point of the lines, px */
#define HIT_RADIUS 12.0

int
vx_sweeps_view_line_point (guint variant, guint gamma_index)
{
  g_return_val_if_fail (variant < VX_SWEEP_N_VARIANTS && gamma_index < VX_SWEEP_N_X, -1);
  return (int) (variant * VX_SWEEP_N_X + gamma_index);
}

int
vx_sweeps_view_cell_point (guint alpha_index, guint beta_index)
{
  g_return_val_if_fail (alpha_index < VX_SWEEP_N_ALPHAS && beta_index < VX_SWEEP_N_BETAS, -1);
  return (int) (N_LINE_POINTS + beta_index * VX_SWEEP_N_ALPHAS + alpha_index);
}

int
vx_sweeps_view_point_at (VxSweepsView *self, VxChartCard *card, double x, double y)
{
  g_return_val_if_fail (VX_IS_SWEEPS_VIEW (self), -1);
  const VxChartLayout *l = vx_chart_view_get_layout (VX_CHART_VIEW (vx_chart_card_get_view (card)));
  if (!l || l->no_data)
    return -1;
  if (card == self->heatmap_card)
    {
      for (guint b = 0; b < VX_SWEEP_N_BETAS; b++)
        for (guint a = 0; a < VX_SWEEP_N_ALPHAS; a++)
          {
            VxChartRect r = vx_chart_layout_cell (l, b, a);
            int i = vx_sweeps_view_cell_point (a, b);
            if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
                && isfinite (self->shown.top1[i]))
              return i;
          }
      return -1;
    }
  int best = -1;
  double best_d2 = HIT_RADIUS * HIT_RADIUS;
  for (guint i = 0; i < N_LINE_POINTS; i++)
    {
      if (!isfinite (self->shown.top1[i]))
        continue;
      double dx = vx_chart_layout_x_to_px (l, self->shown_axis.x[i % VX_SWEEP_N_X]) - x;
      double dy = vx_chart_layout_y_to_px (l, 100 * self->shown.top1[i]) - y;
      if (dx * dx + dy * dy <= best_d2)
        {
          best = (int) i;
          best_d2 = dx * dx + dy * dy;
        }
    }
  return best;
}

char *
vx_sweeps_view_describe_point (VxSweepsView *self, int i)
{
  g_return_val_if_fail (VX_IS_SWEEPS_VIEW (self), NULL);
  if (i < 0 || i >= N_POINTS || !isfinite (self->shown.top1[i]))
    return NULL;
  VsRunSettings s;
  _vx_sweeps_point_settings (&self->shown_axis, &self->shown_run, (guint) i, &s);
  g_autofree char *label = vs_result_config_label (&s.xbar);
  gboolean stale = i < N_LINE_POINTS ? self->stale_lines != NULL : self->stale_heat != NULL;
  /* where: the line's x value, or the heatmap's γ */
  const VxXbarParam *xp = i < N_LINE_POINTS ? self->shown_axis.param
                          : vx_sweep_axis_by_json_key ("gamma");
  g_autofree char *xlabel = vx_xbar_param_plain_label (xp);
  double xv = vx_sweep_axis_get (xp, &s);
  g_autofree char *spread = self->shown_seeds > 1
    ? g_strdup_printf ("mean of %d seeds, standard deviation %.1f points", self->shown_seeds,
                       100 * self->shown.std[i])
    : g_strdup_printf ("95 %% interval %.1f–%.1f %%", 100 * self->shown.lo[i],
                       100 * self->shown.hi[i]);
  return g_strdup_printf ("%s at %s %g%s%s: %.1f %% top-1 (%s, %d images)\n"
                          "Click to use these settings%s (Ctrl+Z undoes it)",
                          label, xlabel, xv, *xp->unit ? " " : "", xp->unit,
                          100 * self->shown.top1[i], spread, self->shown_images,
                          stale ? ", with the other settings as the sweep ran" : "");
}

static gboolean
on_query_tooltip (GtkWidget *view, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  VxSweepsView *self)
{
  VxChartCard *card = VX_CHART_CARD (gtk_widget_get_ancestor (view, VX_TYPE_CHART_CARD));
  g_autofree char *text = vx_sweeps_view_describe_point (self,
                                                         vx_sweeps_view_point_at (self, card, x, y));
  if (!text)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_click_released (GtkGestureClick *click, int n_press, double x, double y, VxSweepsView *self)
{
  VxChartCard *card = g_object_get_data (G_OBJECT (click), "vx-card");
  vx_sweeps_view_apply_point (self, vx_sweeps_view_point_at (self, card, x, y));
}

const char *
vx_sweeps_view_get_status (VxSweepsView *self)
{
  return gtk_label_get_label (self->status_label);
}

gboolean
vx_sweeps_view_is_stale (VxSweepsView *self, gboolean heatmap)
{
  return (heatmap ? self->stale_heat : self->stale_lines) != NULL;
}

void
_vx_sweeps_view_hover_init (VxSweepsView *self)
{
  VxChartCard *cards[] = { self->lines_card, self->heatmap_card };
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      GtkWidget *view = vx_chart_card_get_view (cards[i]);
      gtk_widget_set_has_tooltip (view, TRUE);
      g_signal_connect (view, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
      GtkGesture *click = gtk_gesture_click_new ();
      g_object_set_data (G_OBJECT (click), "vx-card", cards[i]);
      g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
      gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (click));
    }
}
