/* test-task.c: app/explorer/vx-task.h, the explorer's way of running jobs on GLib's pool
 *
 * /task/owner-released-on-main: the owner of a job (a widget, in the explorer)
 * is released on the main thread, never by the pool thread's last reference to
 * the task. Many jobs are started with the caller's reference dropped at once,
 * so each owner's last reference is the job's. This check is statistical: with
 * the owner as the task's source object (the explorer's code before vx-task.h)
 * it failed in some runs only (3 of 8 runs on a 2-core machine: 1 or 2 owners
 * of 200-1,000 finalised on a pool thread), since it depends on which thread
 * drops the task last.
 *
 * /task/post-never-in-place: vx_main_post from a thread while the main context
 * is free to acquire (as between two g_main_context_iteration calls) queues the
 * function for the main thread instead of running it on the calling thread, as
 * g_main_context_invoke_full would.
 */
#include <glib.h>

#include "vx-task.h"

#define N_JOBS 1000

static GThread *main_thread;
static int finalized_on_main;       /* main thread only */
static int finalized_elsewhere;     /* atomic */
static int callbacks;               /* main thread only */

static void
owner_finalized (gpointer data, GObject *where_the_object_was)
{
  if (g_thread_self () == main_thread)
    finalized_on_main++;
  else
    g_atomic_int_inc (&finalized_elsewhere);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  int *value = task_data;
  *value *= 2;
  g_task_return_boolean (task, TRUE);
}

static void
job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GObject) owner = user_data;
  g_assert_null (source);
  g_assert_true (G_IS_OBJECT (owner));
  g_assert_true (g_task_propagate_boolean (G_TASK (res), NULL));
  int *value = g_task_get_task_data (G_TASK (res));
  g_assert_cmpint (*value, ==, 42);
  callbacks++;
}

static void
test_owner_released_on_main (void)
{
  main_thread = g_thread_self ();
  for (int i = 0; i < N_JOBS; i++)
    {
      GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
      g_object_weak_ref (owner, owner_finalized, NULL);
      int *value = g_new (int, 1);
      *value = 21;
      vx_task_run (owner, NULL, TRUE, value, g_free, job_thread, job_done);
      g_object_unref (owner);
    }
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((callbacks < N_JOBS || finalized_on_main + g_atomic_int_get (&finalized_elsewhere) < N_JOBS)
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (callbacks, ==, N_JOBS);
  g_assert_cmpint (g_atomic_int_get (&finalized_elsewhere), ==, 0);
  g_assert_cmpint (finalized_on_main, ==, N_JOBS);
}

typedef struct {
  GThread *ran_on;
  gboolean freed;
} Post;

static gboolean
post_func (gpointer data)
{
  Post *p = data;
  p->ran_on = g_thread_self ();
  return G_SOURCE_REMOVE;
}

static void
post_free (gpointer data)
{
  Post *p = data;
  p->freed = TRUE;
}

static gpointer
poster_thread (gpointer data)
{
  vx_main_post (NULL, post_func, data, post_free);
  return NULL;
}

static void
test_post_never_in_place (void)
{
  Post p = { NULL, FALSE };
  /* the default context is not acquired by any thread while the poster runs */
  g_thread_join (g_thread_new ("poster", poster_thread, &p));
  g_assert_null (p.ran_on);
  g_assert_false (p.freed);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!p.freed && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (p.ran_on == g_thread_self ());
  g_assert_true (p.freed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/task/owner-released-on-main", test_owner_released_on_main);
  g_test_add_func ("/task/post-never-in-place", test_post_never_in_place);
  return g_test_run ();
}
