/* vx-dialogs.h: error messages and file choosers shared by the explorer's views */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A modal message dialog: a short title (what failed) and the error (why). */
void vx_show_error (GtkWidget *parent, const char *title, const char *message);

typedef void (*VxFileChosenFunc) (GtkWidget *owner, GFile *file, gpointer user_data);

/* GtkFileChooserNative (GTK 4.8): calls done with the chosen file, or not at all
 * when cancelled. suggested_name is for saving; patterns like "*.png" filter. */
void vx_choose_file (GtkWidget *owner, GtkFileChooserAction action, const char *title,
                     const char *accept, const char *suggested_name,
                     const char *filter_name, const char *const *patterns,
                     VxFileChosenFunc done, gpointer user_data);

G_END_DECLS
