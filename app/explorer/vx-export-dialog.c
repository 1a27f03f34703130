/* vx-export-dialog.c: the figure set on a worker thread, its progress in a small window */
#define G_LOG_DOMAIN "vx-export-dialog"
#include "config.h"

#include <gio/gio.h>

#include "vx-error.h"
#include "vx-export-dialog.h"
#include "vx-task.h"

struct _VxExportDialog {
  GtkWindow parent_instance;
  GtkLabel *heading_label, *what_label, *detail_label;
  GtkProgressBar *progress_bar;
  GtkButton *cancel_button, *close_button;

  GCancellable *cancellable;
  VxExportViewsFunc views;
  gpointer views_user;
  gboolean done;
  guint n_files;
  char *error;
  char *dir;

  /* progress from the worker thread: the newest values, at most one idle pending */
  GMutex lock;
  char *what;
  gint64 progress_done, progress_total;
  guint progress_idle;
};

G_DEFINE_FINAL_TYPE (VxExportDialog, vx_export_dialog, GTK_TYPE_WINDOW)

typedef struct {
  VsFiguresRequest request;
  VsFiguresResult result;
  VxExportDialog *dialog;    /* kept alive by the callback's reference (vx-task.h) */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;
  vs_figures_request_clear (&job->request);
  vs_figures_result_clear (&job->result);
  g_free (job);
}

static gboolean
show_progress (gpointer data)
{
  VxExportDialog *self = data;
  g_mutex_lock (&self->lock);
  self->progress_idle = 0;
  g_autofree char *what = g_strdup (self->what);
  double fraction = self->progress_total > 0 ? (double) self->progress_done / self->progress_total : 0.0;
  g_mutex_unlock (&self->lock);
  if (!self->done)
    {
      gtk_label_set_label (self->what_label, what ? what : "");
      gtk_progress_bar_set_fraction (self->progress_bar, fraction);
    }
  return G_SOURCE_REMOVE;
}

static void
on_progress (void *user, const char *what, gint64 done, gint64 total)
{
  VxExportDialog *self = user;
  g_mutex_lock (&self->lock);
  g_free (self->what);
  self->what = g_strdup (what);
  self->progress_done = done;
  self->progress_total = total;
  if (!self->progress_idle)
    self->progress_idle = g_idle_add_full (G_PRIORITY_DEFAULT, show_progress, g_object_ref (self),
                                           g_object_unref);
  g_mutex_unlock (&self->lock);
}

static gboolean
on_cancelled (void *user)
{
  return g_cancellable_is_cancelled (VX_EXPORT_DIALOG (user)->cancellable);
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  if (vs_figures_request_run (&job->request, on_progress, on_cancelled, job->dialog, &job->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
finish (VxExportDialog *self, const char *message)
{
  self->done = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->close_button));
  gtk_label_set_label (self->detail_label, message);
}

static void
export_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxExportDialog) self = user_data;
  ExportJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      self->error = g_strdup (error->message);
      gtk_label_set_label (self->heading_label,
                           g_error_matches (error, VX_ERROR, VX_ERROR_CANCELLED)
                           ? "Export cancelled" : "The figures could not be exported");
      finish (self, error->message);
      return;
    }
  self->n_files = job->result.files->len;
  guint views = 0;
  if (self->views)
    {
      g_autofree char *sub = g_build_filename (self->dir, "explorer-views", NULL);
      if (!self->views (self->views_user, sub, &views, &error))
        self->error = g_strdup (error->message);
      self->n_files += views;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_label_set_label (self->heading_label, self->error ? "The views could not be exported"
                                                        : "Figures exported");
  gtk_label_set_label (self->what_label, "");
  g_autofree char *msg = g_strdup_printf ("%u files in %s: the figure set (%d evaluations, %.0f s) "
                                          "and %u files of the explorer's charts in "
                                          "explorer-views.%s%s", self->n_files, self->dir,
                                          job->result.runs, job->result.seconds, views,
                                          self->error ? " " : "", self->error ? self->error : "");
  finish (self, msg);
}

VxExportDialog *
vx_export_dialog_new (GtkWindow *parent, VsFiguresRequest *request, VxExportViewsFunc views,
                      gpointer views_user)
{
  VxExportDialog *self = g_object_new (VX_TYPE_EXPORT_DIALOG, "transient-for", parent,
                                       "destroy-with-parent", TRUE, NULL);
  self->views = views;
  self->views_user = views_user;
  self->dir = g_strdup (request->dir);
  ExportJob *job = g_new0 (ExportJob, 1);
  job->request = *request;
  memset (request, 0, sizeof *request);
  job->dialog = self;
  vx_task_run (self, self->cancellable, FALSE, job, export_job_free, export_thread, export_done);
  return self;
}

gboolean
vx_export_dialog_is_done (VxExportDialog *self)
{
  return self->done;
}

guint
vx_export_dialog_get_n_files (VxExportDialog *self)
{
  return self->n_files;
}

const char *
vx_export_dialog_get_error (VxExportDialog *self)
{
  return self->error;
}

void
vx_export_dialog_cancel (VxExportDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_label_set_label (self->what_label, "Cancelling after the current batch…");
}

static void
on_cancel_clicked (GtkButton *button, VxExportDialog *self)
{
  vx_export_dialog_cancel (self);
}

static void
on_close_clicked (GtkButton *button, VxExportDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
vx_export_dialog_close_request (GtkWindow *window)
{
  VxExportDialog *self = VX_EXPORT_DIALOG (window);
  if (!self->done)
    {
      /* closing while it runs means cancel; the window goes when the job has stopped */
      vx_export_dialog_cancel (self);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (vx_export_dialog_parent_class)->close_request (window);
}

static void
vx_export_dialog_dispose (GObject *object)
{
  VxExportDialog *self = VX_EXPORT_DIALOG (object);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (vx_export_dialog_parent_class)->dispose (object);
}

static void
vx_export_dialog_finalize (GObject *object)
{
  VxExportDialog *self = VX_EXPORT_DIALOG (object);
  g_clear_object (&self->cancellable);
  g_free (self->error);
  g_free (self->dir);
  g_free (self->what);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (vx_export_dialog_parent_class)->finalize (object);
}

static void
vx_export_dialog_class_init (VxExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = vx_export_dialog_dispose;
  object_class->finalize = vx_export_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = vx_export_dialog_close_request;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, what_label);
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, detail_label);
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, VxExportDialog, close_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked);
}

static void
vx_export_dialog_init (VxExportDialog *self)
{
  g_mutex_init (&self->lock);
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
