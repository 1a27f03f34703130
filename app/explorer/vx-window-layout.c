/* vx-window-layout.c: the overview in two columns on wide windows, in one scrolling column below a width */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include "vx-window-private.h"

/* GTK 4.8 has no breakpoints: the window's allocation decides, and the grid is
 * re-laid out from an idle (a layout must not change while it is allocated). */

typedef struct {
  const char *id;
  int wide_column, wide_row, wide_span;
  int narrow_row;
} Place;

static const Place places[] = {
  { "readout", 0, 0, 2, 0 },
  { "hist_card", 0, 1, 1, 1 },
  { "stats_card", 1, 1, 1, 2 },
  { "snr_card", 0, 2, 1, 3 },
  { "radar_card", 1, 2, 1, 4 },
};

static GtkWidget *
grid_child (VxWindow *self, const char *id)
{
  if (g_str_equal (id, "readout"))
    return GTK_WIDGET (self->readout);
  if (g_str_equal (id, "hist_card"))
    return GTK_WIDGET (self->hist_card);
  if (g_str_equal (id, "stats_card"))
    return GTK_WIDGET (self->stats_card);
  if (g_str_equal (id, "snr_card"))
    return GTK_WIDGET (self->snr_card);
  return GTK_WIDGET (self->radar_card);
}

static void
place (VxWindow *self, gboolean narrow)
{
  GtkLayoutManager *lm = gtk_widget_get_layout_manager (GTK_WIDGET (self->overview_grid));
  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      const Place *p = &places[i];
      GtkWidget *w = grid_child (self, p->id);
      GtkGridLayoutChild *c = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (lm, w));
      gtk_grid_layout_child_set_column (c, narrow ? 0 : p->wide_column);
      gtk_grid_layout_child_set_row (c, narrow ? p->narrow_row : p->wide_row);
      gtk_grid_layout_child_set_column_span (c, narrow ? 1 : p->wide_span);
    }
  /* the readout's three parts stack when they no longer fit side by side */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->readout),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_halign (GTK_WIDGET (self->status_label), narrow ? GTK_ALIGN_START : GTK_ALIGN_FILL);
  gtk_label_set_xalign (self->status_label, narrow ? 0.0f : 1.0f);
  /* a narrow radar would shrink its labels: the column is wide enough now */
  gtk_widget_set_size_request (GTK_WIDGET (self->radar_card), narrow ? -1 : 320, 220);
  if (narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self), "narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "narrow");
}

static gboolean
relayout_idle (gpointer data)
{
  VxWindow *self = data;
  self->relayout_id = 0;
  place (self, self->narrow);
  return G_SOURCE_REMOVE;
}

void
_vx_window_check_width (VxWindow *self, int width)
{
  gboolean narrow = width > 0 && width < VX_WINDOW_NARROW_WIDTH;
  if (narrow == self->narrow)
    return;
  self->narrow = narrow;
  if (!self->relayout_id)
    self->relayout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, relayout_idle, self, NULL);
}

gboolean
vx_window_is_narrow (VxWindow *self)
{
  return self->narrow;
}
