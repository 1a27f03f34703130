/* vx-window-history.c: undo and redo of every settings change, the undo toast, unsaved changes, the title */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include "vx-dialogs.h"
#include "vx-settings.h"
#include "vx-window-private.h"

#define HISTORY_MAX 100
/* changes of one key closer together than this are one step (a slider drag) */
#define HISTORY_MERGE_US (700 * G_TIME_SPAN_MILLISECOND)
#define TOAST_SECONDS 8

/* the values of every compute key, in vx_settings_compute_keys () order */
typedef struct {
  GPtrArray *values;        /* GVariant */
  char *label;              /* "Reset 22 parameters", "γ", ... */
  guint n_changed;
  const char *single_key;   /* the key when one changed, else NULL */
  gint64 time;
} HistoryEntry;

static GPtrArray *
snapshot (GSettings *settings)
{
  GPtrArray *v = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  for (const char *const *k = vx_settings_compute_keys (); *k; k++)
    g_ptr_array_add (v, g_settings_get_value (settings, *k));
  return v;
}

/* keys that differ; *single set to the key when exactly one does */
static guint
count_changed (GPtrArray *a, GPtrArray *b, const char **single)
{
  const char *const *keys = vx_settings_compute_keys ();
  guint n = 0;
  *single = NULL;
  for (guint i = 0; i < a->len; i++)
    if (!g_variant_equal (a->pdata[i], b->pdata[i]))
      {
        n++;
        *single = keys[i];
      }
  if (n != 1)
    *single = NULL;
  return n;
}

static void
entry_free (gpointer data)
{
  HistoryEntry *e = data;
  g_ptr_array_unref (e->values);
  g_free (e->label);
  g_free (e);
}

void
_vx_window_history_init (VxWindow *self)
{
  self->history_merge_us = HISTORY_MERGE_US;
  self->undo_stack = g_queue_new ();
  self->redo_stack = g_queue_new ();
}

void
_vx_window_history_clear (VxWindow *self)
{
  g_clear_handle_id (&self->toast_id, g_source_remove);
  if (self->undo_stack)
    g_queue_free_full (g_steal_pointer (&self->undo_stack), entry_free);
  if (self->redo_stack)
    g_queue_free_full (g_steal_pointer (&self->redo_stack), entry_free);
  g_clear_pointer (&self->history_now, g_ptr_array_unref);
  g_clear_pointer (&self->clean, g_ptr_array_unref);
  g_clear_pointer (&self->history_label, g_free);
  g_clear_pointer (&self->study_path, g_free);
}

/* ---- the toast -------------------------------------------------------------------------------- */

static gboolean
toast_timeout (gpointer data)
{
  VxWindow *self = data;
  self->toast_id = 0;
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
  return G_SOURCE_REMOVE;
}

void
_vx_window_toast (VxWindow *self, const char *text, const char *button_label, const char *action)
{
  gtk_label_set_label (self->toast_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->toast_button), action != NULL);
  if (action)
    {
      gtk_button_set_label (self->toast_button, button_label);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->toast_button), action);
    }
  gtk_revealer_set_reveal_child (self->toast_revealer, TRUE);
  g_clear_handle_id (&self->toast_id, g_source_remove);
  self->toast_id = g_timeout_add_seconds (TOAST_SECONDS, toast_timeout, self);
}

const char *
vx_window_get_toast (VxWindow *self)
{
  return gtk_revealer_get_reveal_child (self->toast_revealer)
         ? gtk_label_get_label (self->toast_label) : NULL;
}

/* ---- recording ----------------------------------------------------------------------------------- */

void
_vx_window_history_set_label (VxWindow *self, const char *label)
{
  g_free (self->history_label);
  self->history_label = g_strdup (label);
}

/* "Reset {n} parameters" with n = 1: "Reset 1 parameter" */
static char *
name_step (const char *label, guint n)
{
  g_autoptr (GString) s = g_string_new (label);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_string_replace (s, "{n}", count, 0);
  if (n == 1)
    g_string_replace (s, "1 parameters", "1 parameter", 0);
  return g_strdup (s->str);
}

static void
push (GQueue *stack, HistoryEntry *e)
{
  g_queue_push_head (stack, e);
  while (g_queue_get_length (stack) > HISTORY_MAX)
    entry_free (g_queue_pop_tail (stack));
}

/* Called once per burst of settings changes: what changed since the last call
 * becomes one undo step (tour steps and undo/redo themselves excepted). */
void
_vx_window_history_commit (VxWindow *self)
{
  g_autoptr (GPtrArray) now = snapshot (self->settings);
  g_autofree char *label = g_steal_pointer (&self->history_label);
  if (!self->history_now || self->history_restoring || self->classroom)
    {
      g_clear_pointer (&self->history_now, g_ptr_array_unref);
      self->history_now = g_steal_pointer (&now);
      self->history_restoring = FALSE;
      _vx_window_update_actions (self);
      _vx_window_update_title (self);
      return;
    }
  const char *single;
  guint n = count_changed (self->history_now, now, &single);
  if (n == 0)
    return;
  gint64 t = g_get_monotonic_time ();
  HistoryEntry *top = g_queue_peek_head (self->undo_stack);
  gboolean merge = top && single && !label && top->single_key == single
                   && t - top->time < self->history_merge_us;
  if (!merge)
    {
      HistoryEntry *e = g_new0 (HistoryEntry, 1);
      e->values = g_steal_pointer (&self->history_now);
      e->n_changed = n;
      e->single_key = single;
      e->label = label ? name_step (label, n)
               : single ? g_strdup_printf ("Changed %s", single)
               : g_strdup_printf ("Changed %u parameters", n);
      push (self->undo_stack, e);
      if (n > 1)
        _vx_window_toast (self, e->label, "_Undo", "win.undo");
    }
  top = g_queue_peek_head (self->undo_stack);
  top->time = t;
  g_queue_free_full (self->redo_stack, entry_free);
  self->redo_stack = g_queue_new ();
  g_clear_pointer (&self->history_now, g_ptr_array_unref);
  self->history_now = g_steal_pointer (&now);
  _vx_window_update_actions (self);
  _vx_window_update_title (self);
}

/* ---- undo, redo ----------------------------------------------------------------------------------- */

static void
restore (VxWindow *self, GPtrArray *values)
{
  const char *const *keys = vx_settings_compute_keys ();
  g_autoptr (GPtrArray) now = snapshot (self->settings);
  for (guint i = 0; i < values->len; i++)
    if (!g_variant_equal (now->pdata[i], values->pdata[i]))
      {
        /* the next commit takes these values without recording them */
        self->history_restoring = TRUE;
        g_settings_set_value (self->settings, keys[i], values->pdata[i]);
      }
}

/* from one stack to the other: the current values go where the restored ones came from */
static gboolean
move (VxWindow *self, GQueue *from, GQueue *to, const char *verb)
{
  HistoryEntry *e = g_queue_pop_head (from);
  if (!e || !self->history_now)
    return FALSE;
  GPtrArray *restored = e->values;
  e->values = g_ptr_array_ref (self->history_now);
  e->time = 0;
  push (to, e);
  restore (self, restored);
  g_clear_pointer (&self->history_now, g_ptr_array_unref);
  self->history_now = restored;
  g_autofree char *text = g_strdup_printf ("%s: %s", verb, e->label);
  _vx_window_toast (self, text, g_str_equal (verb, "Undone") ? "_Redo" : "_Undo",
                    g_str_equal (verb, "Undone") ? "win.redo" : "win.undo");
  _vx_window_update_actions (self);
  _vx_window_update_title (self);
  return TRUE;
}

gboolean
vx_window_undo (VxWindow *self)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  return !self->classroom && move (self, self->undo_stack, self->redo_stack, "Undone");
}

gboolean
vx_window_redo (VxWindow *self)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  return !self->classroom && move (self, self->redo_stack, self->undo_stack, "Redone");
}

gboolean
_vx_window_can_undo (VxWindow *self)
{
  return !self->classroom && self->undo_stack && !g_queue_is_empty (self->undo_stack);
}

gboolean
_vx_window_can_redo (VxWindow *self)
{
  return !self->classroom && self->redo_stack && !g_queue_is_empty (self->redo_stack);
}

/* ---- unsaved changes, title ------------------------------------------------------------------------- */

/* the current settings are what the study file holds (or what the window started with) */
void
_vx_window_mark_clean (VxWindow *self, const char *study_path)
{
  /* study_path may be self->study_path itself (saving where it was opened) */
  if (study_path && study_path != self->study_path)
    {
      g_free (self->study_path);
      self->study_path = g_strdup (study_path);
    }
  g_clear_pointer (&self->clean, g_ptr_array_unref);
  self->clean = snapshot (self->settings);
  _vx_window_update_title (self);
}

gboolean
vx_window_is_dirty (VxWindow *self)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  if (!self->clean || !self->settings || self->classroom)
    return FALSE;
  const char *single;
  g_autoptr (GPtrArray) now = snapshot (self->settings);
  return count_changed (self->clean, now, &single) > 0;
}

void
_vx_window_update_title (VxWindow *self)
{
  gboolean dirty = vx_window_is_dirty (self);
  g_autofree char *study = self->study_path ? g_path_get_basename (self->study_path)
                                            : g_strdup ("Untitled Study");
  g_autofree char *title = self->model
    ? g_strdup_printf ("%s%s — %s — ViT-X Explorer", dirty ? "• " : "", study, self->model->name)
    : g_strdup_printf ("%s%s — ViT-X Explorer", dirty ? "• " : "", study);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* ---- closing with unsaved changes ------------------------------------------------------------------ */

static void
on_close_response (GtkDialog *dialog, int response, VxWindow *self)
{
  self->close_dialog = NULL;
  /* the window may be gone before the dialog's last reference (this emission's) */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_autoptr (GError) error = NULL;
  switch (response)
    {
    case GTK_RESPONSE_REJECT:
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
      break;
    case GTK_RESPONSE_ACCEPT:
      if (!self->study_path)
        {
          /* the file chooser closes the window once the study is saved */
          _vx_window_choose_save (self, TRUE);
        }
      else if (vx_window_save_study (self, self->study_path, &error))
        {
          self->close_confirmed = TRUE;
          gtk_window_close (GTK_WINDOW (self));
        }
      else
        vx_show_error (GTK_WIDGET (self), "The study could not be saved", error->message);
      break;
    default:
      break;
    }
}

/* TRUE when the window may close now; else a dialog asks first */
gboolean
_vx_window_confirm_close (VxWindow *self)
{
  if (self->close_confirmed || !vx_window_is_dirty (self))
    return TRUE;
  if (self->close_dialog)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return FALSE;
    }
  g_autofree char *study = self->study_path ? g_path_get_basename (self->study_path) : NULL;
  GtkWidget *d = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                         GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                         study ? "Save the changes to %s?" : "Save these settings as a study?",
                                         study);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (d),
                                            study ? "The settings differ from the saved study."
                                            : "The settings were changed and are not in a study file.");
  gtk_dialog_add_buttons (GTK_DIALOG (d), "_Cancel", GTK_RESPONSE_CANCEL,
                          "Close _Without Saving", GTK_RESPONSE_REJECT,
                          study ? "_Save" : "_Save As…", GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (d), GTK_RESPONSE_ACCEPT);
  g_signal_connect (d, "response", G_CALLBACK (on_close_response), self);
  self->close_dialog = d;
  gtk_window_present (GTK_WINDOW (d));
  return FALSE;
}

GtkWidget *
vx_window_get_close_dialog (VxWindow *self)
{
  return self->close_dialog;
}
