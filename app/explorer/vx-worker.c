/* vx-worker.c: debounced, cancellable, staged evaluations on a worker thread */
#define G_LOG_DOMAIN "vx-worker"
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "vx-error.h"
#include "vx-task.h"
#include "vx-worker.h"

struct _VxWorker {
  GObject parent_instance;

  VsSharedModel *model;
  VsSharedData *data;

  /* debounce */
  VsRunSettings pending;
  gboolean has_pending;
  guint debounce_id;

  /* the job whose results are shown */
  gboolean has_settings;
  VsRunSettings settings;
  GCancellable *cancellable;
  gboolean running;
  VsRunResult *current, *other;
  double ideal;
  double fraction;
  char *error;
  guint generation, dropped;

  GHashTable *cache;            /* key -> VsRunResult (complete) */
  GQueue cache_order;           /* keys, oldest first */
  GHashTable *ideal_cache;      /* "model|data|n" -> double* */
};

G_DEFINE_FINAL_TYPE (VxWorker, vx_worker, G_TYPE_OBJECT)

enum { SIGNAL_UPDATED, N_SIGNALS };
static guint signals[N_SIGNALS];
enum { PROP_0, PROP_BUSY, PROP_FRACTION, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- the job (worker thread side) ---------------------------------------------------- */

typedef struct {
  GWeakRef worker;              /* only dereferenced on the main thread: the job never
                                 * holds the worker, so it is never finalised elsewhere */
  GMainContext *context;
  GCancellable *cancellable;
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings settings, other_settings;
  gboolean need_current, need_other, need_ideal;
  int total_images;             /* for the progress fraction */
  int done_before;              /* images of the first part, while the second runs */
  /* at most one pending batch post: the newest snapshot waits here */
  GMutex lock;
  VsRunResult *batch_result;
  gboolean batch_posted;
} Job;

typedef struct {
  Job *job;
  VxWorkerStage stage;
  VsRunResult *result;
  double ideal;
  int ideal_n;
  double fraction;
} Post;

static void
job_free (gpointer data)
{
  Job *job = data;
  g_weak_ref_clear (&job->worker);
  g_main_context_unref (job->context);
  g_object_unref (job->cancellable);
  vs_shared_model_unref (job->model);
  vs_shared_data_unref (job->data);
  g_clear_pointer (&job->batch_result, vs_run_result_unref);
  g_mutex_clear (&job->lock);
}

static void
job_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, job_free);
}

static gboolean
job_cancelled (gpointer user)
{
  Job *job = user;
  return g_cancellable_is_cancelled (job->cancellable);
}

static void apply_post (Post *p);

static gboolean
post_dispatch (gpointer data)
{
  Post *p = data;
  if (p->stage == VX_WORKER_STAGE_BATCH)
    {
      g_mutex_lock (&p->job->lock);
      p->result = g_steal_pointer (&p->job->batch_result);
      p->job->batch_posted = FALSE;
      g_mutex_unlock (&p->job->lock);
    }
  if (p->result || p->stage == VX_WORKER_STAGE_IDEAL || p->stage == VX_WORKER_STAGE_STARTED)
    apply_post (p);
  return G_SOURCE_REMOVE;
}

static void
post_free (gpointer data)
{
  Post *p = data;
  g_clear_pointer (&p->result, vs_run_result_unref);
  g_atomic_rc_box_release_full (p->job, job_free);
  g_free (p);
}

static void
job_post (Job *job, VxWorkerStage stage, VsRunResult *result, double fraction)
{
  Post *p = g_new0 (Post, 1);
  p->job = g_atomic_rc_box_acquire (job);
  p->stage = stage;
  p->result = result;
  p->fraction = fraction;
  vx_main_post (job->context, post_dispatch, p, post_free);
}

static double
job_fraction (Job *job, int done)
{
  return job->total_images > 0 ? MIN (1.0, (double) (job->done_before + done) / job->total_images) : 1.0;
}

static void
on_batch (gpointer user, const VsRunResult *r)
{
  Job *job = user;
  VsRunResult *copy = vs_run_result_copy (r);
  g_mutex_lock (&job->lock);
  g_clear_pointer (&job->batch_result, vs_run_result_unref);
  job->batch_result = copy;
  gboolean post = !job->batch_posted;
  job->batch_posted = TRUE;
  g_mutex_unlock (&job->lock);
  if (post)
    job_post (job, VX_WORKER_STAGE_BATCH, NULL, job_fraction (job, r->images_done));
}

static void
on_other_batch (gpointer user, const VsRunResult *r)
{
  Job *job = user;
  job_post (job, VX_WORKER_STAGE_STARTED, NULL, job_fraction (job, r->images_done));
}

static gboolean
job_run (Job *job, GError **error)
{
  const VxModel *m0 = job->model->model;
  const VxDataset *ds = job->data->data;
  g_autoptr (VxModel) owned = NULL;
  const VxModel *m = vs_compute_prepare_model (m0, &job->settings, &owned, error);
  if (!m)
    return FALSE;
  g_autoptr (VsRunResult) cur = NULL, oth = NULL;
  /* the current settings first and to the end (the accuracy the user waits for),
   * then the other setting's first batch (its SNR bars), the ideal accuracy, and
   * the other setting's accuracy (the radar) */
  if (job->need_current)
    {
      if (!(cur = vs_compute_first (m, ds, &job->settings, job_cancelled, job, error)))
        return FALSE;
      job_post (job, VX_WORKER_STAGE_FIRST, vs_run_result_copy (cur), job_fraction (job, cur->images_done));
      if (!vs_compute_accuracy (m, ds, cur, on_batch, job_cancelled, job, error))
        return FALSE;
      job_post (job, VX_WORKER_STAGE_CURRENT_DONE, vs_run_result_copy (cur), job_fraction (job, cur->images_done));
      job->done_before = cur->images_done;
    }
  if (job->need_other)
    {
      if (!(oth = vs_compute_first (m, ds, &job->other_settings, job_cancelled, job, error)))
        return FALSE;
      job_post (job, VX_WORKER_STAGE_OTHER_FIRST, vs_run_result_copy (oth), job_fraction (job, oth->images_done));
    }
  if (job->need_ideal)
    {
      Post *p = g_new0 (Post, 1);
      int n = vs_compute_images (ds, &job->settings);
      if (!vs_compute_ideal (m0, ds, n, job_cancelled, job, &p->ideal, error))
        {
          g_free (p);
          return FALSE;
        }
      p->job = g_atomic_rc_box_acquire (job);
      p->stage = VX_WORKER_STAGE_IDEAL;
      p->ideal_n = n;
      p->fraction = job_fraction (job, oth ? oth->images_done : 0);
      vx_main_post (job->context, post_dispatch, p, post_free);
    }
  if (oth)
    {
      if (!vs_compute_accuracy (m, ds, oth, on_other_batch, job_cancelled, job, error))
        return FALSE;
      job_post (job, VX_WORKER_STAGE_OTHER_DONE, vs_run_result_copy (oth), 1.0);
    }
  return TRUE;
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = g_cancellable_is_cancelled (cancellable) || job_run (job, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ---- main thread ------------------------------------------------------------------------ */

static void
set_busy_fraction (VxWorker *self, double fraction)
{
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
}

static void
notify_busy (VxWorker *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static char *
ideal_key (VxWorker *self, int n)
{
  return g_strdup_printf ("%s|%s|%d", self->model ? self->model->id : "-",
                          self->data ? self->data->id : "-", n);
}

static void
cache_put (VxWorker *self, const char *model_id, const char *data_id, VsRunResult *r)
{
  char *key = vs_run_settings_cache_key (&r->settings, model_id, data_id);
  if (g_hash_table_contains (self->cache, key))
    {
      g_free (key);
      return;
    }
  g_hash_table_insert (self->cache, key, vs_run_result_ref (r));
  g_queue_push_tail (&self->cache_order, key);
  while (g_queue_get_length (&self->cache_order) > VX_WORKER_CACHE_SIZE)
    g_hash_table_remove (self->cache, g_queue_pop_head (&self->cache_order));
}

static VsRunResult *
cache_get (VxWorker *self, const VsRunSettings *s)
{
  if (!self->model || !self->data)
    return NULL;
  g_autofree char *key = vs_run_settings_cache_key (s, self->model->id, self->data->id);
  return g_hash_table_lookup (self->cache, key);
}

static void
replace_result (VsRunResult **slot, VsRunResult *r)
{
  VsRunResult *old = *slot;
  *slot = r ? vs_run_result_ref (r) : NULL;
  if (old)
    vs_run_result_unref (old);
}

static void
apply_post (Post *p)
{
  Job *job = p->job;
  g_autoptr (VxWorker) self = g_weak_ref_get (&job->worker);
  if (!self)
    return;
  /* complete results are right for their settings whoever asked: cache them */
  if (p->result && p->result->complete)
    cache_put (self, job->model->id, job->data->id, p->result);
  if (p->stage == VX_WORKER_STAGE_IDEAL)
    {
      g_autofree char *key = g_strdup_printf ("%s|%s|%d", job->model->id, job->data->id, p->ideal_n);
      g_hash_table_replace (self->ideal_cache, g_steal_pointer (&key), g_memdup2 (&p->ideal, sizeof (double)));
    }
  if (job->cancellable != self->cancellable || g_cancellable_is_cancelled (job->cancellable))
    {
      self->dropped++;
      return;
    }
  switch (p->stage)
    {
    case VX_WORKER_STAGE_FIRST:
    case VX_WORKER_STAGE_BATCH:
    case VX_WORKER_STAGE_CURRENT_DONE:
      replace_result (&self->current, p->result);
      break;
    case VX_WORKER_STAGE_OTHER_FIRST:
    case VX_WORKER_STAGE_OTHER_DONE:
      replace_result (&self->other, p->result);
      break;
    case VX_WORKER_STAGE_IDEAL:
      self->ideal = p->ideal;
      break;
    default:
      break;
    }
  set_busy_fraction (self, p->fraction);
  if (p->stage != VX_WORKER_STAGE_STARTED)
    g_signal_emit (self, signals[SIGNAL_UPDATED], 0, p->stage);
}

static void
job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxWorker) self = user_data;
  GCancellable *c = g_task_get_cancellable (G_TASK (res));
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  if (c != self->cancellable)
    return;
  self->running = FALSE;
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (error, VX_ERROR, VX_ERROR_CANCELLED))
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
    }
  set_busy_fraction (self, 1.0);
  notify_busy (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0, VX_WORKER_STAGE_IDLE);
}

static void
finish_idle (VxWorker *self)
{
  notify_busy (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0, VX_WORKER_STAGE_IDLE);
}

static void
launch (VxWorker *self, const VsRunSettings *s, const VsRunSettings *other, gboolean need_ideal)
{
  Job *job = g_atomic_rc_box_new0 (Job);
  g_mutex_init (&job->lock);
  g_weak_ref_init (&job->worker, self);
  job->context = g_main_context_ref_thread_default ();
  job->cancellable = g_object_ref (self->cancellable);
  job->model = vs_shared_model_ref (self->model);
  job->data = vs_shared_data_ref (self->data);
  job->settings = *s;
  job->other_settings = *other;
  job->need_current = self->current == NULL;
  job->need_other = self->other == NULL;
  job->need_ideal = need_ideal;
  int n = vs_compute_images (self->data->data, s);
  job->total_images = n * s->repeats * ((job->need_current ? 1 : 0) + (job->need_other ? 1 : 0));
  self->running = TRUE;
  set_busy_fraction (self, 0.0);
  notify_busy (self);

  vx_task_run (self, self->cancellable, TRUE, job, job_release, job_thread, job_done);
}

static void
start_job (VxWorker *self, const VsRunSettings *s)
{
  g_autoptr (GError) error = NULL;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->settings = *s;
  self->has_settings = TRUE;
  g_clear_pointer (&self->error, g_free);
  replace_result (&self->current, NULL);
  replace_result (&self->other, NULL);
  self->ideal = NAN;
  self->running = FALSE;

  if (!self->model || !self->data)
    self->error = g_strdup ("No model or no dataset is loaded.");
  else if (!vs_run_settings_validate (s, &error))
    self->error = g_strdup (error->message);
  if (self->error)
    {
      finish_idle (self);
      return;
    }
  VsRunSettings other;
  vs_run_settings_toggle_clipformer (s, &other);
  g_autofree char *ik = ideal_key (self, vs_compute_images (self->data->data, s));
  double *ideal = g_hash_table_lookup (self->ideal_cache, ik);
  replace_result (&self->current, cache_get (self, s));
  replace_result (&self->other, cache_get (self, &other));
  self->ideal = ideal ? *ideal : NAN;
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0, VX_WORKER_STAGE_STARTED);
  if (self->current && self->other && ideal)
    finish_idle (self);
  else
    launch (self, s, &other, ideal == NULL);
}

/* ---- debounce ---------------------------------------------------------------------------- */

static void
start_pending (VxWorker *self)
{
  self->has_pending = FALSE;
  /* a job for exactly these settings is running or done: nothing to do */
  if (self->has_settings && !self->error && vs_run_settings_equal (&self->pending, &self->settings))
    return;
  start_job (self, &self->pending);
}

static gboolean
on_debounce (gpointer user_data)
{
  VxWorker *self = user_data;
  self->debounce_id = 0;
  if (self->has_pending)
    start_pending (self);
  notify_busy (self);
  return G_SOURCE_REMOVE;
}

void
vx_worker_request (VxWorker *self, const VsRunSettings *s)
{
  g_return_if_fail (VX_IS_WORKER (self));
  self->pending = *s;
  self->has_pending = TRUE;
  if (self->debounce_id == 0)
    {
      /* an isolated change runs at once; what follows within the quiet
       * period is coalesced and runs when it ends */
      start_pending (self);
    }
  else
    g_source_remove (self->debounce_id);
  self->debounce_id = g_timeout_add (VX_WORKER_DEBOUNCE_MS, on_debounce, self);
  notify_busy (self);
}

void
vx_worker_set_inputs (VxWorker *self, VsSharedModel *model, VsSharedData *data)
{
  g_return_if_fail (VX_IS_WORKER (self));
  if (model != self->model)
    {
      g_clear_pointer (&self->model, vs_shared_model_unref);
      self->model = model ? vs_shared_model_ref (model) : NULL;
    }
  if (data != self->data)
    {
      g_clear_pointer (&self->data, vs_shared_data_unref);
      self->data = data ? vs_shared_data_ref (data) : NULL;
    }
  /* the same settings on new inputs are a new job */
  if (self->has_settings)
    {
      VsRunSettings s = self->has_pending ? self->pending : self->settings;
      self->has_settings = FALSE;
      vx_worker_request (self, &s);
    }
}

void
vx_worker_seed_cache (VxWorker *self, VsRunResult *r)
{
  g_return_if_fail (VX_IS_WORKER (self));
  if (self->model && self->data && r && r->complete)
    cache_put (self, self->model->id, self->data->id, r);
}

void
vx_worker_seed_ideal (VxWorker *self, int n, double top1)
{
  g_return_if_fail (VX_IS_WORKER (self));
  if (!isfinite (top1))
    return;
  g_hash_table_replace (self->ideal_cache, ideal_key (self, n), g_memdup2 (&top1, sizeof top1));
}

/* ---- getters ---------------------------------------------------------------------------- */

VsSharedModel *
vx_worker_get_model (VxWorker *self)
{
  return self->model;
}

VsSharedData *
vx_worker_get_data (VxWorker *self)
{
  return self->data;
}

gboolean
vx_worker_is_busy (VxWorker *self)
{
  g_return_val_if_fail (VX_IS_WORKER (self), FALSE);
  return self->running || self->has_pending || self->debounce_id != 0;
}

gboolean
vx_worker_is_computing (VxWorker *self)
{
  g_return_val_if_fail (VX_IS_WORKER (self), FALSE);
  return self->running;
}

double
vx_worker_get_fraction (VxWorker *self)
{
  return self->fraction;
}

const VsRunSettings *
vx_worker_get_settings (VxWorker *self)
{
  return self->has_settings ? &self->settings : NULL;
}

VsRunResult *
vx_worker_get_current (VxWorker *self)
{
  return self->current;
}

VsRunResult *
vx_worker_get_other (VxWorker *self)
{
  return self->other;
}

double
vx_worker_get_ideal (VxWorker *self)
{
  return self->ideal;
}

guint
vx_worker_get_generation (VxWorker *self)
{
  return self->generation;
}

guint
vx_worker_get_dropped (VxWorker *self)
{
  return self->dropped;
}

const char *
vx_worker_get_error (VxWorker *self)
{
  return self->error;
}

/* ---- GObject ----------------------------------------------------------------------------- */

static void
vx_worker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VxWorker *self = VX_WORKER (object);
  switch (prop_id)
    {
    case PROP_BUSY: g_value_set_boolean (value, vx_worker_is_busy (self)); break;
    case PROP_FRACTION: g_value_set_double (value, self->fraction); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vx_worker_dispose (GObject *object)
{
  VxWorker *self = VX_WORKER (object);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  G_OBJECT_CLASS (vx_worker_parent_class)->dispose (object);
}

static void
vx_worker_finalize (GObject *object)
{
  VxWorker *self = VX_WORKER (object);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->model, vs_shared_model_unref);
  g_clear_pointer (&self->data, vs_shared_data_unref);
  g_clear_pointer (&self->current, vs_run_result_unref);
  g_clear_pointer (&self->other, vs_run_result_unref);
  g_queue_clear (&self->cache_order);
  g_hash_table_unref (self->cache);
  g_hash_table_unref (self->ideal_cache);
  g_free (self->error);
  G_OBJECT_CLASS (vx_worker_parent_class)->finalize (object);
}

static void
vx_worker_class_init (VxWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->get_property = vx_worker_get_property;
  object_class->dispose = vx_worker_dispose;
  object_class->finalize = vx_worker_finalize;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 1.0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
vx_worker_init (VxWorker *self)
{
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) vs_run_result_unref);
  self->ideal_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ideal = NAN;
  self->fraction = 1.0;
}

VxWorker *
vx_worker_new (void)
{
  return g_object_new (VX_TYPE_WORKER, NULL);
}
