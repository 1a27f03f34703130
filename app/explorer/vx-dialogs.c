/* vx-dialogs.c: error dialogs and native file choosers */
#define G_LOG_DOMAIN "vx-dialogs"
#include "config.h"

#include "vx-dialogs.h"

static GtkWindow *
window_of (GtkWidget *widget)
{
  GtkRoot *root = widget ? gtk_widget_get_root (widget) : NULL;
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
vx_show_error (GtkWidget *parent, const char *title, const char *message)
{
  GtkWindow *win = window_of (parent);
  GtkWidget *dialog = gtk_message_dialog_new (win, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", title);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", message);
  gtk_widget_add_css_class (dialog, "vx-error-dialog");
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  g_message ("%s: %s", title, message);
}

typedef struct {
  GtkWidget *owner;
  VxFileChosenFunc done;
  gpointer user_data;
} Choice;

static void
on_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  Choice *c = data;
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file && c->owner)
        c->done (c->owner, file, c->user_data);
    }
  g_clear_weak_pointer (&c->owner);
  g_free (c);
  g_object_unref (dialog);
}

void
vx_choose_file (GtkWidget *owner, GtkFileChooserAction action, const char *title,
                const char *accept, const char *suggested_name, const char *filter_name,
                const char *const *patterns, VxFileChosenFunc done, gpointer user_data)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, window_of (owner), action,
                                                              accept, "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if (suggested_name)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested_name);
  if (patterns && patterns[0])
    {
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, filter_name);
      for (int i = 0; patterns[i]; i++)
        gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();
      gtk_file_filter_set_name (all, "All files");
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
    }
  Choice *c = g_new0 (Choice, 1);
  g_set_weak_pointer (&c->owner, owner);
  c->done = done;
  c->user_data = user_data;
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), c);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
