/* vx-window-actions.c: the window's actions: files, studies, export, classroom tour, views */
#define G_LOG_DOMAIN "vx-window-actions"
#include "config.h"

#include "vx-dialogs.h"
#include "vx-export-dialog.h"
#include "vx-settings.h"
#include "vx-window-private.h"

static const char *const model_patterns[] = { "*.safetensors", NULL };
static const char *const idx_patterns[] = { "*-ubyte", "*-ubyte.gz", "*.idx", "*.idx3", "*.gz", NULL };
static const char *const study_patterns[] = { "*.vitx-study", "*.json", NULL };

static void
model_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  g_autofree char *path = g_file_get_path (file);
  if (path)
    vx_window_open_model_file (VX_WINDOW (owner), path);
}

static void
open_model_action (GtkWidget *widget, const char *name, GVariant *param)
{
  vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_OPEN, "Open Model", "_Open", NULL,
                  "Models (safetensors)", model_patterns, model_chosen, NULL);
}

static void
dataset_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  g_autofree char *path = g_file_get_path (file);
  if (path)
    vx_window_open_dataset_file (VX_WINDOW (owner), path);
}

static void
open_dataset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  if (g_str_equal (name, "win.open-dataset-folder"))
    vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                    "Open an Image Folder or a Folder of IDX Files", "_Open", NULL, NULL, NULL,
                    dataset_chosen, NULL);
  else
    vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_OPEN, "Open Dataset (IDX Images File)", "_Open",
                    NULL, "IDX image files", idx_patterns, dataset_chosen, NULL);
}

static void
open_study_path (VxWindow *self, const char *path)
{
  g_autoptr (GError) error = NULL;
  if (!vx_window_open_study (self, path, &error))
    vx_show_error (GTK_WIDGET (self), "The study could not be opened", error->message);
}

static void
study_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  g_autofree char *path = g_file_get_path (file);
  if (path)
    open_study_path (VX_WINDOW (owner), path);
}

static void
open_study_action (GtkWidget *widget, const char *name, GVariant *param)
{
  vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_OPEN, "Open Study", "_Open", NULL,
                  "ViT-X Explorer studies", study_patterns, study_chosen, NULL);
}

static void
open_recent_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr (GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));
  g_autofree char *path = g_file_get_path (file);
  if (path)
    open_study_path (VX_WINDOW (widget), path);
}

static void
save_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  VxWindow *self = VX_WINDOW (owner);
  gboolean close = GPOINTER_TO_INT (user_data);
  if (!path || !vx_window_save_study (self, path, &error))
    vx_show_error (owner, "The study could not be saved",
                   error ? error->message : "The location is not a local file.");
  else if (close)
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

void
_vx_window_choose_save (VxWindow *self, gboolean close_after)
{
  vx_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_SAVE, "Save Study", "_Save",
                  "study.vitx-study", "ViT-X Explorer studies", study_patterns, save_chosen,
                  GINT_TO_POINTER (close_after));
}

static void
save_study_action (GtkWidget *widget, const char *name, GVariant *param)
{
  _vx_window_choose_save (VX_WINDOW (widget), FALSE);
}

static gboolean
export_views (gpointer user, const char *dir, guint *n_files, GError **error)
{
  return vx_window_export_all (VX_WINDOW (user), dir, n_files, error);
}

static void
export_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  VxWindow *self = VX_WINDOW (owner);
  g_autofree char *path = g_file_get_path (file);
  const VsRunSettings *s = vx_worker_get_settings (self->worker);
  if (!path || !s || !self->model || !self->data)
    {
      vx_show_error (owner, "The figures could not be exported",
                     path ? "No model or no dataset is loaded." : "The location is not a local folder.");
      return;
    }
  VsFiguresRequest req = { 0 };
  req.model = vs_shared_model_ref (self->model);
  req.data = vs_shared_data_ref (self->data);
  req.settings = *s;
  req.hist_block = g_settings_get_int (self->settings, "hist-block");
  req.dir = g_steal_pointer (&path);
  VxExportDialog *dialog = vx_export_dialog_new (GTK_WINDOW (self), &req, export_views, self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_all_action (GtkWidget *widget, const char *name, GVariant *param)
{
  vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "Export All Figures to a Folder",
                  "_Export", NULL, NULL, NULL, export_chosen, NULL);
}

static void
reset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  VxWindow *self = VX_WINDOW (widget);
  vx_settings_reset_paper_defaults (self->settings);
  /* one step, named, with its toast: 25 values back in one go are easy to regret */
  _vx_window_history_set_label (self, "Reset {n} parameters to the paper's defaults");
  _vx_window_history_commit (self);
}

static void
history_action (GtkWidget *widget, const char *name, GVariant *param)
{
  VxWindow *self = VX_WINDOW (widget);
  if (g_str_equal (name, "win.undo"))
    vx_window_undo (self);
  else
    vx_window_redo (self);
}

static void
dismiss_toast_action (GtkWidget *widget, const char *name, GVariant *param)
{
  VxWindow *self = VX_WINDOW (widget);
  g_clear_handle_id (&self->toast_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
}

static void
tour_action (GtkWidget *widget, const char *name, GVariant *param)
{
  VxWindow *self = VX_WINDOW (widget);
  guint n;
  vx_tour_steps (&n);
  if (g_str_equal (name, "win.tour-next") && self->tour_step + 1 < n)
    vx_window_show_tour_step (self, self->tour_step + 1);
  else if (g_str_equal (name, "win.tour-previous") && self->tour_step > 0)
    vx_window_show_tour_step (self, self->tour_step - 1);
}

static void
show_view_action (GtkWidget *widget, const char *name, GVariant *param)
{
  VxWindow *self = VX_WINDOW (widget);
  gtk_stack_set_visible_child_name (self->view_stack, g_variant_get_string (param, NULL));
}

void
_vx_window_update_actions (VxWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  guint n;
  vx_tour_steps (&n);
  gboolean ready = self->model && self->data;
  gtk_widget_action_set_enabled (w, "win.save-study", ready);
  gtk_widget_action_set_enabled (w, "win.export-all", ready);
  gtk_widget_action_set_enabled (w, "win.tour-next", self->classroom && self->tour_step + 1 < n);
  gtk_widget_action_set_enabled (w, "win.tour-previous", self->classroom && self->tour_step > 0);
  gtk_widget_action_set_enabled (w, "win.undo", _vx_window_can_undo (self));
  gtk_widget_action_set_enabled (w, "win.redo", _vx_window_can_redo (self));
}

void
_vx_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.open-dataset", NULL, open_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.open-dataset-folder", NULL, open_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.open-study", NULL, open_study_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.save-study", NULL, save_study_action);
  gtk_widget_class_install_action (widget_class, "win.export-all", NULL, export_all_action);
  gtk_widget_class_install_action (widget_class, "win.reset-defaults", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-toast", NULL, dismiss_toast_action);
  gtk_widget_class_install_action (widget_class, "win.tour-next", NULL, tour_action);
  gtk_widget_class_install_action (widget_class, "win.tour-previous", NULL, tour_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_property_action (widget_class, "win.classroom", "classroom");
  gtk_widget_class_install_property_action (widget_class, "win.show-controls", "controls-visible");
  gtk_widget_class_install_property_action (widget_class, "win.lock-axes", "lock-axes");
  gtk_widget_class_install_property_action (widget_class, "win.pin-baseline", "baseline-pinned");
}
