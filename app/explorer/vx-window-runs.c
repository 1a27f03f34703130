/* vx-window-runs.c: the run history: the last finished results, each with its settings;
 * choosing one restores its settings (one undo step) and shows its result from the cache */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vs-result-charts.h"
#include "vx-settings.h"
#include "vx-window-private.h"

char *
_vx_window_run_summary (const VsRunSettings *s)
{
  /* ClipFormer's own parameters: the ClipFormer label names them */
  static const char *const clip_keys[] = { "clipformer", "alpha", "beta", "clip_decode", NULL };
  VsRunSettings def;
  vs_run_settings_init (&def);
  g_autofree char *clip = vs_result_config_label (&s->xbar);
  g_autofree char *rest = vs_run_settings_describe_changes (s, &def, clip_keys, FALSE);
  return *rest ? g_strconcat (clip, " · ", rest, NULL) : g_strdup (clip);
}

/* ---- the list ------------------------------------------------------------------------------- */

static GtkWidget *
run_row (VsRunResult *r)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  g_autofree char *head = g_strdup_printf ("<b>%.1f %%</b> top-1 · %d images%s",
                                           100.0 * r->top1, r->n,
                                           r->repeats > 1 ? " per repeat" : "");
  GtkWidget *top = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (top), head);
  gtk_label_set_xalign (GTK_LABEL (top), 0);
  g_autofree char *summary = _vx_window_run_summary (&r->settings);
  GtkWidget *what = gtk_label_new (summary);
  gtk_label_set_xalign (GTK_LABEL (what), 0);
  gtk_label_set_wrap (GTK_LABEL (what), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (what), 48);
  gtk_widget_add_css_class (what, "dim-label");
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), what);
  GtkWidget *row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, "Restore these settings and show their result");
  return row;
}

static void
rebuild (VxWindow *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list))))
    gtk_list_box_remove (self->runs_list, child);
  for (GList *l = self->runs->head; l; l = l->next)
    gtk_list_box_append (self->runs_list, run_row (l->data));
  gtk_widget_set_visible (GTK_WIDGET (self->runs_empty), g_queue_is_empty (self->runs));
  gtk_widget_set_visible (GTK_WIDGET (self->runs_scroller), !g_queue_is_empty (self->runs));
}

void
vx_window_restore_run (VxWindow *self, guint index)
{
  VsRunResult *r = g_queue_peek_nth (self->runs, index);
  g_return_if_fail (r != NULL);
  vs_run_result_ref (r);
  /* the result is shown from the cache, not computed again */
  vx_worker_seed_cache (self->worker, r);
  vx_run_settings_store (&r->settings, self->settings);
  _vx_window_history_set_label (self, "Restored a run: {n} parameters changed");
  _vx_window_history_commit (self);
  vs_run_result_unref (r);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, VxWindow *self)
{
  int index = gtk_list_box_row_get_index (row);
  gtk_popover_popdown (GTK_POPOVER (self->runs_popover));
  if (index >= 0)
    vx_window_restore_run (self, (guint) index);
}

void
_vx_window_runs_init (VxWindow *self)
{
  self->runs = g_queue_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new ("Last results, newest first");
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  self->runs_empty = GTK_LABEL (gtk_label_new ("No run has finished yet with this model and data."));
  gtk_label_set_wrap (self->runs_empty, TRUE);
  gtk_label_set_max_width_chars (self->runs_empty, 40);
  self->runs_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->runs_list, GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (self->runs_list, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->runs_list), "boxed-list");
  g_signal_connect (self->runs_list, "row-activated", G_CALLBACK (on_row_activated), self);
  self->runs_scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->runs_scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (self->runs_scroller, TRUE);
  gtk_scrolled_window_set_max_content_height (self->runs_scroller, 520);
  gtk_scrolled_window_set_child (self->runs_scroller, GTK_WIDGET (self->runs_list));
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->runs_empty));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->runs_scroller));
  self->runs_popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->runs_popover), box);
  gtk_menu_button_set_popover (self->runs_button, self->runs_popover);
  rebuild (self);
}

void
_vx_window_runs_clear (VxWindow *self)
{
  if (!self->runs)
    return;
  g_queue_clear_full (self->runs, (GDestroyNotify) vs_run_result_unref);
  if (self->runs_list)
    rebuild (self);
}

void
_vx_window_runs_free (VxWindow *self)
{
  if (self->runs)
    g_queue_free_full (g_steal_pointer (&self->runs), (GDestroyNotify) vs_run_result_unref);
}

void
_vx_window_runs_add (VxWindow *self, VsRunResult *r)
{
  if (!r || !r->complete || !self->runs)
    return;
  /* the same settings again move to the top */
  for (GList *l = self->runs->head; l; l = l->next)
    {
      VsRunResult *old = l->data;
      if (vs_run_settings_equal (&old->settings, &r->settings))
        {
          g_queue_delete_link (self->runs, l);
          vs_run_result_unref (old);
          break;
        }
    }
  g_queue_push_head (self->runs, vs_run_result_ref (r));
  while (g_queue_get_length (self->runs) > VX_WINDOW_RUNS_MAX)
    vs_run_result_unref (g_queue_pop_tail (self->runs));
  rebuild (self);
}

guint
vx_window_get_runs (VxWindow *self, VsRunResult ***runs)
{
  guint n = g_queue_get_length (self->runs);
  if (runs)
    {
      *runs = g_new0 (VsRunResult *, n + 1);
      guint i = 0;
      for (GList *l = self->runs->head; l; l = l->next)
        (*runs)[i++] = l->data;
    }
  return n;
}
