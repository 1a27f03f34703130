/* vx-export-dialog.h: "Export All Figures" with progress and cancel */
#pragma once

#include <gtk/gtk.h>

#include "vs-figures-request.h"

G_BEGIN_DECLS

#define VX_TYPE_EXPORT_DIALOG (vx_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VxExportDialog, vx_export_dialog, VX, EXPORT_DIALOG, GtkWindow)

typedef gboolean (*VxExportViewsFunc) (gpointer user, const char *dir, guint *n_files, GError **error);

/* Starts computing the figure set of request (taken) on a worker thread; when it
 * is done, views (may be NULL) writes the explorer's own charts into
 * request->dir/explorer-views. */
VxExportDialog *vx_export_dialog_new     (GtkWindow *parent, VsFiguresRequest *request,
                                          VxExportViewsFunc views, gpointer views_user);
gboolean        vx_export_dialog_is_done (VxExportDialog *self);
/* files written so far (figures and views); error message when it failed */
guint           vx_export_dialog_get_n_files (VxExportDialog *self);
const char     *vx_export_dialog_get_error   (VxExportDialog *self);
void            vx_export_dialog_cancel  (VxExportDialog *self);

G_END_DECLS
