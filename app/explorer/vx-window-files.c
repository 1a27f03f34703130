/* vx-window-files.c: the window's inputs and files: models, datasets, studies, export, screenshot */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <errno.h>

#include "vx-dialogs.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-settings.h"
#include "vs-study.h"
#include "vx-task.h"
#include "vx-window-private.h"

/* ---- inputs ------------------------------------------------------------------------------------- */

void
_vx_window_set_inputs (VxWindow *self, VsSharedModel *model, VsSharedData *data)
{
  gboolean model_changed = model && model != self->model;
  gboolean data_changed = data && data != self->data;
  if (model_changed)
    {
      g_clear_pointer (&self->model, vs_shared_model_unref);
      self->model = vs_shared_model_ref (model);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->block_list));
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      for (int l = 0; l < model->model->arch.depth; l++)
        {
          g_autofree char *item = g_strdup_printf ("Block %d", l + 1);
          g_strv_builder_add (b, item);
        }
      g_auto (GStrv) items = g_strv_builder_end (b);
      gtk_string_list_splice (self->block_list, 0, n, (const char *const *) items);
    }
  if (data_changed)
    {
      g_clear_pointer (&self->data, vs_shared_data_unref);
      self->data = vs_shared_data_ref (data);
    }
  _vx_window_update_title (self);
  if (self->model)
    vx_controls_set_limits (self->controls, vx_arch_head_dim (&self->model->model->arch),
                            self->data ? self->data->data->n : 10000);
  if (model || data)
    _vx_window_tour_forget (self);
  if (model_changed || data_changed)
    _vx_window_runs_clear (self);
  vx_worker_set_inputs (self->worker, self->model, self->data);
  _vx_window_apply_settings (self);
  _vx_window_update_actions (self);
  _vx_window_refresh (self);
}

gboolean
vx_window_load_model (VxWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  g_autoptr (VxModel) m = vx_model_load (path, error);
  if (!m || !vx_model_check_finite (m, error))
    return FALSE;
  g_autoptr (VsSharedModel) shared = vs_shared_model_new (g_steal_pointer (&m));
  _vx_window_set_inputs (self, shared, NULL);
  return TRUE;
}

gboolean
vx_window_load_dataset (VxWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  g_autoptr (VxDataset) ds = vx_dataset_open (path, self->model ? self->model->model : NULL, error);
  if (!ds)
    return FALSE;
  g_autoptr (VsSharedData) shared = vs_shared_data_new (g_steal_pointer (&ds));
  _vx_window_set_inputs (self, NULL, shared);
  return TRUE;
}

gboolean
vx_window_load_default_dataset (VxWindow *self, GError **error)
{
  g_autoptr (VxDataset) ds = vx_dataset_open_default (error);
  if (!ds)
    return FALSE;
  g_autoptr (VsSharedData) data = vs_shared_data_new (g_steal_pointer (&ds));
  _vx_window_set_inputs (self, NULL, data);
  return TRUE;
}

gboolean
vx_window_load_default_model (VxWindow *self, GError **error)
{
  g_autofree char *path = vx_default_model_path (NULL);
  if (!path)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO,
                   "No shipped model (data/models/%s or %s) was found: open a model with "
                   "Open ▸ Open Model… (Ctrl+O).", VX_DEFAULT_MODEL_NAME, VX_SMALL_MODEL_NAME);
      return FALSE;
    }
  return vx_window_load_model (self, path, error);
}

/* the study's settings, and its results when they were computed on the files loaded now */
static void
apply_study (VxWindow *self, const VsStudy *study, const char *path)
{
  gboolean same_files = self->model && self->data
    && g_strcmp0 (study->model_path, self->model->model->path) == 0
    && g_strcmp0 (study->data_source, self->data->data->source) == 0;
  if (same_files)
    {
      if (study->current)
        vx_worker_seed_cache (self->worker, study->current);
      if (study->other)
        vx_worker_seed_cache (self->worker, study->other);
      if (study->current)
        vx_worker_seed_ideal (self->worker, study->current->n, study->ideal_top1);
    }
  vx_run_settings_store (&study->settings, self->settings);
  /* one undo step back to the settings before the study */
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *label = g_strdup_printf ("Opened %s: {n} parameters changed", name);
  _vx_window_history_set_label (self, label);
  _vx_window_history_commit (self);
  _vx_window_mark_clean (self, path);
}

/* ---- opening files without blocking the main loop ---------------------------------------- */

typedef struct {
  char *path;
  gboolean is_model;
  VsStudy *study;            /* applied once the model is in (nullable) */
  char *study_path;
  VsSharedModel *model;      /* the model a dataset is sized for (image folders), nullable */
  VxModel *loaded_model;
  VxDataset *loaded_data;
} OpenJob;

static void
open_job_free (gpointer data)
{
  OpenJob *job = data;
  g_free (job->path);
  vs_study_free (job->study);
  g_free (job->study_path);
  g_clear_pointer (&job->model, vs_shared_model_unref);
  vx_model_free (job->loaded_model);
  vx_dataset_free (job->loaded_data);
  g_free (job);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OpenJob *job = task_data;
  GError *error = NULL;
  if (job->is_model)
    {
      job->loaded_model = vx_model_load (job->path, &error);
      if (job->loaded_model && !vx_model_check_finite (job->loaded_model, &error))
        g_clear_pointer (&job->loaded_model, vx_model_free);
    }
  else
    job->loaded_data = vx_dataset_open (job->path, job->model ? job->model->model : NULL, &error);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
open_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxWindow) self = user_data;
  OpenJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  self->loading--;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      vx_show_error (GTK_WIDGET (self), job->is_model
                     ? "The model could not be opened; the previous one stays loaded"
                     : "The dataset could not be opened; the previous one stays loaded",
                     error->message);
      if (job->study)
        apply_study (self, job->study, job->study_path);
      _vx_window_refresh (self);
      return;
    }
  if (job->is_model)
    {
      g_autoptr (VsSharedModel) m = vs_shared_model_new (g_steal_pointer (&job->loaded_model));
      _vx_window_set_inputs (self, m, NULL);
      if (job->study)
        apply_study (self, job->study, job->study_path);
    }
  else
    {
      g_autoptr (VsSharedData) d = vs_shared_data_new (g_steal_pointer (&job->loaded_data));
      _vx_window_set_inputs (self, NULL, d);
    }
}

static void
open_file (VxWindow *self, const char *path, gboolean is_model, VsStudy *study, const char *study_path)
{
  OpenJob *job = g_new0 (OpenJob, 1);
  job->study_path = g_strdup (study_path);
  job->path = g_strdup (path);
  job->is_model = is_model;
  job->study = study;
  job->model = self->model ? vs_shared_model_ref (self->model) : NULL;
  self->loading++;
  _vx_window_refresh (self);
  vx_task_run (self, NULL, TRUE, job, open_job_free, open_thread, open_done);
}

void
vx_window_open_model_file (VxWindow *self, const char *path)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  open_file (self, path, TRUE, NULL, NULL);
}

void
vx_window_open_dataset_file (VxWindow *self, const char *path)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  open_file (self, path, FALSE, NULL, NULL);
}

gboolean
vx_window_is_loading (VxWindow *self)
{
  return self->loading > 0;
}

/* ---- studies ------------------------------------------------------------------------------- */

gboolean
vx_window_save_study (VxWindow *self, const char *path, GError **error)
{
  const VsRunSettings *s = vx_worker_get_settings (self->worker);
  VsRunSettings now;
  vx_run_settings_load (&now, self->settings);
  g_autoptr (VsStudy) study = vs_study_new (&now);
  g_autoptr (GDateTime) t = g_date_time_new_now_local ();
  study->saved = g_date_time_format_iso8601 (t);
  study->model_path = self->model && self->model->model->path ? g_strdup (self->model->model->path) : NULL;
  study->data_source = self->data && self->data->data->source ? g_strdup (self->data->data->source) : NULL;
  if (s && vs_run_settings_equal (s, &now))
    {
      VsRunResult *cur = vx_worker_get_current (self->worker), *oth = vx_worker_get_other (self->worker);
      study->current = cur ? vs_run_result_ref (cur) : NULL;
      study->other = oth ? vs_run_result_ref (oth) : NULL;
      study->ideal_top1 = vx_worker_get_ideal (self->worker);
    }
  if (!vs_study_save (study, path, error))
    return FALSE;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  vx_settings_add_recent (self->settings, uri);
  _vx_window_mark_clean (self, path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *text = g_strdup_printf ("Saved %s", name);
  _vx_window_toast (self, text, NULL, NULL);
  return TRUE;
}

gboolean
vx_window_open_study (VxWindow *self, const char *path, GError **error)
{
  g_autoptr (VsStudy) study = vs_study_load (path, error);
  if (!study)
    return FALSE;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  vx_settings_add_recent (self->settings, uri);
  /* another model: it loads on a worker thread and the study applies when it is in */
  if (study->model_path && (!self->model || g_strcmp0 (self->model->model->path, study->model_path) != 0)
      && g_file_test (study->model_path, G_FILE_TEST_IS_REGULAR))
    {
      open_file (self, study->model_path, TRUE, g_steal_pointer (&study), path);
      return TRUE;
    }
  apply_study (self, study, path);
  return TRUE;
}

/* ---- export, screenshot ----------------------------------------------------------------------- */

GList *
vx_window_get_cards (VxWindow *self)
{
  GList *l = NULL;
  l = g_list_append (l, self->hist_card);
  l = g_list_append (l, self->snr_card);
  l = g_list_append (l, self->radar_card);
  l = g_list_concat (l, vx_sweeps_view_get_cards (self->sweeps_view));
  l = g_list_concat (l, vx_hardware_view_get_cards (self->hardware_view));
  l = g_list_concat (l, vx_sample_view_get_cards (self->sample_view));
  return l;
}

gboolean
vx_window_export_all (VxWindow *self, const char *dir, guint *n_files, GError **error)
{
  g_autoptr (GList) cards = vx_window_get_cards (self);
  *n_files = 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the folder could not be created: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  for (GList *l = cards; l; l = l->next)
    {
      VsChartBox *box = vx_chart_card_get_box (l->data);
      /* charts still waiting for data (e.g. sweeps never run) are left out */
      if (!box || box->u.common.empty_message)
        continue;
      if (!vx_chart_card_export_all (l->data, dir, error))
        return FALSE;
      *n_files += 3;
    }
  return TRUE;
}

gboolean
vx_window_save_screenshot (VxWindow *self, const char *path, GError **error)
{
  GtkWidget *w = GTK_WIDGET (self);
  int width = gtk_widget_get_width (w), height = gtk_widget_get_height (w);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (width <= 0 || height <= 0 || !renderer)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the window is not shown yet", path);
      return FALSE;
    }
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (w);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (!node)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the window has not been drawn yet", path);
      return FALSE;
    }
  graphene_rect_t bounds;
  gsk_render_node_get_bounds (node, &bounds);
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node, &bounds);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the screenshot could not be written", path);
      return FALSE;
    }
  return TRUE;
}
