/* vx-window-input.c: the sidebar's mouse wheel scrolls the sidebar, not the control under the pointer */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vx-window-private.h"

/* A wheel turned to scroll the sidebar would otherwise change every slider, spin
 * button or drop-down that passes under the pointer, and the change is saved for
 * the next session. A control takes the wheel only once it has the focus (a click
 * or Tab). */

static gboolean
takes_wheel (GtkWidget *w)
{
  return GTK_IS_RANGE (w) || GTK_IS_SPIN_BUTTON (w) || GTK_IS_DROP_DOWN (w);
}

/* the wheel-taking control at (x, y) of the scroller that does not have the focus, or NULL */
static GtkWidget *
unfocused_control_at (VxWindow *self, double x, double y)
{
  GtkWidget *scroller = GTK_WIDGET (self->controls_scroller);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  for (GtkWidget *w = gtk_widget_pick (scroller, x, y, GTK_PICK_DEFAULT); w && w != scroller;
       w = gtk_widget_get_parent (w))
    if (takes_wheel (w))
      return focus && (focus == w || gtk_widget_is_ancestor (focus, w)) ? NULL : w;
  return NULL;
}

gboolean
_vx_window_sidebar_wheel (VxWindow *self, double x, double y, double dy, GdkScrollUnit unit)
{
  if (!unfocused_control_at (self, x, y))
    return FALSE;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->controls_scroller);
  double page = gtk_adjustment_get_page_size (adj);
  /* GtkScrolledWindow's own step for a wheel notch */
  double step = unit == GDK_SCROLL_UNIT_WHEEL ? pow (page, 2.0 / 3.0) : 1.0;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + dy * step);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, VxWindow *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, VxWindow *self)
{
  return _vx_window_sidebar_wheel (self, self->pointer_x, self->pointer_y, dy,
                                   gtk_event_controller_scroll_get_unit (controller));
}

void
_vx_window_guard_wheel (VxWindow *self)
{
  GtkWidget *scroller = GTK_WIDGET (self->controls_scroller);
  /* capture: seen before the control under the pointer gets it */
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (scroll, "vx-wheel-guard");
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (scroller, scroll);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (motion, "vx-wheel-guard-motion");
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (scroller, motion);
}
