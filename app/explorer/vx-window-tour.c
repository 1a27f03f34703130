/* vx-window-tour.c: the classroom tour in the window: steps set the settings, sentences wait for their numbers */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vx-settings.h"
#include "vx-task.h"
#include "vx-window-private.h"

/* ---- results the sentences are written from ------------------------------------------------- */

static char *
result_key (VxWindow *self, const VsRunSettings *s)
{
  return vs_run_settings_cache_key (s, self->model->id, self->data->id);
}

static void
remember (VxWindow *self, VsRunResult *r)
{
  if (!r || !r->complete || !self->model || !self->data)
    return;
  g_hash_table_replace (self->tour_results, result_key (self, &r->settings), vs_run_result_ref (r));
}

static VsRunResult *
lookup (VxWindow *self, const VsRunSettings *s)
{
  g_autofree char *key = result_key (self, s);
  return g_hash_table_lookup (self->tour_results, key);
}

void
_vx_window_tour_forget (VxWindow *self)
{
  g_cancellable_cancel (self->tour_cancel);
  g_clear_object (&self->tour_cancel);
  g_hash_table_remove_all (self->tour_results);
  g_hash_table_remove_all (self->tour_pending);
}

/* ---- measuring a reference off the main thread ------------------------------------------------ */

typedef struct {
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings settings;
  char *key;
  VsRunResult *result;
} RefJob;

static void
ref_job_free (gpointer data)
{
  RefJob *job = data;
  vs_shared_model_unref (job->model);
  vs_shared_data_unref (job->data);
  g_free (job->key);
  if (job->result)
    vs_run_result_unref (job->result);
  g_free (job);
}

static gboolean
ref_cancelled (gpointer user)
{
  return g_cancellable_is_cancelled (user);
}

static void
ref_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RefJob *job = task_data;
  GError *error = NULL;
  g_autoptr (VxModel) owned = NULL;
  const VxModel *m = vs_compute_prepare_model (job->model->model, &job->settings, &owned, &error);
  if (m)
    {
      job->result = vs_compute_first (m, job->data->data, &job->settings, ref_cancelled, cancellable,
                                      &error);
      if (job->result && !vs_compute_accuracy (m, job->data->data, job->result, NULL, ref_cancelled,
                                               cancellable, &error))
        g_clear_pointer (&job->result, vs_run_result_unref);
    }
  if (job->result)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
ref_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxWindow) self = user_data;
  RefJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  self->tour_jobs--;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  /* results of the model and data shown now only */
  if (!g_hash_table_remove (self->tour_pending, job->key))
    return;
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("tour reference could not be measured: %s", error->message);
      return;
    }
  g_hash_table_replace (self->tour_results, g_strdup (job->key), vs_run_result_ref (job->result));
  /* the worker shows it at once when the tour moves there */
  vx_worker_seed_cache (self->worker, job->result);
  _vx_window_tour_update (self);
}

static void
measure (VxWindow *self, const VsRunSettings *s)
{
  g_autofree char *key = result_key (self, s);
  if (g_hash_table_contains (self->tour_pending, key))
    return;
  if (!self->tour_cancel)
    self->tour_cancel = g_cancellable_new ();
  RefJob *job = g_new0 (RefJob, 1);
  job->model = vs_shared_model_ref (self->model);
  job->data = vs_shared_data_ref (self->data);
  job->settings = *s;
  job->key = g_strdup (key);
  g_hash_table_add (self->tour_pending, g_steal_pointer (&key));
  self->tour_jobs++;
  vx_task_run (self, self->tour_cancel, TRUE, job, ref_job_free, ref_thread, ref_done);
}

/* ---- the sentence --------------------------------------------------------------------------------- */

/* the step's facts when all are in (TRUE), else starts what is missing */
static gboolean
gather (VxWindow *self, guint step, VsRunSettings *now, VsRunSettings *refs, VxTourFacts *f)
{
  VsRunSettings user;
  vx_run_settings_load (&user, self->settings);
  vx_tour_step_settings (step, &user, now);
  *f = (VxTourFacts) { .settings = now, .ideal = vx_worker_get_ideal (self->worker) };
  f->now = lookup (self, now);
  gboolean all = f->now && isfinite (f->ideal);
  for (guint r = 0; r < vx_tour_step_n_refs (step); r++)
    {
      vx_tour_ref_settings (step, r, &user, &refs[r]);
      f->refs[r] = lookup (self, &refs[r]);
      if (!f->refs[r])
        {
          all = FALSE;
          measure (self, &refs[r]);
        }
    }
  return all;
}

void
_vx_window_tour_update (VxWindow *self)
{
  remember (self, vx_worker_get_current (self->worker));
  remember (self, vx_worker_get_other (self->worker));
  if (!self->classroom || !self->model || !self->data)
    return;
  guint n;
  const VxTourStep *steps = vx_tour_steps (&n);
  VsRunSettings now, refs[VX_TOUR_MAX_REFS];
  VxTourFacts f;
  if (!gather (self, self->tour_step, &now, refs, &f))
    {
      g_autofree char *waiting = g_strconcat (steps[self->tour_step].change, " Measuring…", NULL);
      vx_tour_bar_set_sentence (self->tour_bar, waiting);
      self->tour_told = FALSE;
      return;
    }
  VxTourStory story = { 0 };
  vx_tour_narrate (self->tour_step, &f, &story);
  vx_tour_bar_set_sentence (self->tour_bar, story.text->str);
  self->tour_claims_n = story.n_claims;
  memcpy (self->tour_claims, story.claims, sizeof story.claims);
  self->tour_told = TRUE;
  vx_tour_story_clear (&story);
}

gboolean
vx_window_get_tour_claims (VxWindow *self, const VxTourClaim **claims, guint *n)
{
  *claims = self->tour_claims;
  *n = self->tour_claims_n;
  return self->tour_told;
}

/* ---- steps ----------------------------------------------------------------------------------------- */

void
vx_window_show_tour_step (VxWindow *self, guint step)
{
  guint n;
  const VxTourStep *steps = vx_tour_steps (&n);
  self->tour_step = MIN (step, n - 1);
  VsRunSettings user, s;
  vx_run_settings_load (&user, self->settings);
  vx_tour_step_settings (self->tour_step, &user, &s);
  vx_run_settings_store (&s, self->settings);
  gtk_stack_set_visible_child_name (self->view_stack, steps[self->tour_step].view);
  /* the paper's saving is DeiT-S's, whatever was chosen before */
  if (g_str_equal (steps[self->tour_step].view, "hardware"))
    vx_hardware_view_select_arch (self->hardware_view, "deit-s");
  vx_tour_bar_show_step (self->tour_bar, self->tour_step);
  vx_tour_bar_set_settings (self->tour_bar, &s);
  _vx_window_update_actions (self);
  _vx_window_tour_update (self);
}

guint
vx_window_get_tour_step (VxWindow *self)
{
  return self->tour_step;
}
