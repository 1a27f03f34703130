/* tsan-canary.c: checks that tools/run-tsan's set-up can both see a race and
 * see GLib's synchronisation.
 *
 * Built by tools/run-tsan with -fsanitize=thread and run against the GLib the
 * tests use. Mode "race": two threads increment a plain int, a data race that
 * TSan must report. Mode "clean": the same hand-offs the explorer makes, each
 * properly synchronised through GLib (a GMutex-guarded counter, a GTask whose
 * thread writes a result the main thread reads in the callback, a main-context
 * post carrying a block written on a thread, a GAtomicRcBox released on
 * another thread), where TSan must report nothing. With an uninstrumented GLib
 * the clean mode reports races: that is what the rebuilt GLib is for.
 */
#include <gio/gio.h>
#include <string.h>

#define ROUNDS 20000

static int racy_counter;
static int guarded_counter;
static GMutex guard;

static gpointer
racy_thread (gpointer data)
{
  for (int i = 0; i < ROUNDS; i++)
    racy_counter++;
  return NULL;
}

static gpointer
guarded_thread (gpointer data)
{
  for (int i = 0; i < ROUNDS; i++)
    {
      g_mutex_lock (&guard);
      guarded_counter++;
      g_mutex_unlock (&guard);
    }
  return NULL;
}

typedef struct {
  int input[64];
  int output[64];
} Job;

typedef struct {
  char text[32];
} Shared;

static GMainLoop *loop;
static int pending;                    /* posts and callbacks still to come: main thread only */

static void
one_done (void)
{
  if (--pending == 0)
    g_main_loop_quit (loop);
}

static gboolean
post_dispatch (gpointer data)
{
  int *block = data;
  g_assert_cmpint (block[0], ==, 7);
  block[0] = 8;                        /* written here, freed on this thread */
  return G_SOURCE_REMOVE;
}

static void
post_free (gpointer data)
{
  g_free (data);
  one_done ();
}

static void
shared_clear (gpointer data)
{
  Shared *s = data;
  memset (s->text, 0, sizeof s->text); /* the last release, on either thread */
}

static void
task_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  for (int i = 0; i < 64; i++)
    job->output[i] = 2 * job->input[i];
  int *block = g_new (int, 1);
  block[0] = 7;
  GSource *idle = g_idle_source_new ();
  g_source_set_callback (idle, post_dispatch, block, post_free);
  g_source_attach (idle, NULL);
  g_source_unref (idle);
  g_task_return_boolean (task, TRUE);
}

static void
task_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Job *job = g_task_get_task_data (G_TASK (res));
  g_assert_true (g_task_propagate_boolean (G_TASK (res), NULL));
  for (int i = 0; i < 64; i++)
    g_assert_cmpint (job->output[i], ==, 2 * i);
  one_done ();
}

static gpointer
release_thread (gpointer data)
{
  Shared *s = data;
  g_assert_cmpstr (s->text, ==, "hand-off");
  g_atomic_rc_box_release_full (s, shared_clear);
  return NULL;
}

static int
run_clean (void)
{
  GThread *a = g_thread_new ("guarded-a", guarded_thread, NULL);
  GThread *b = g_thread_new ("guarded-b", guarded_thread, NULL);
  g_thread_join (a);
  g_thread_join (b);
  g_assert_cmpint (guarded_counter, ==, 2 * ROUNDS);

  Shared *s = g_atomic_rc_box_new0 (Shared);
  strcpy (s->text, "hand-off");
  GThread *r = g_thread_new ("release", release_thread, g_atomic_rc_box_acquire (s));
  g_atomic_rc_box_release_full (s, shared_clear);
  g_thread_join (r);

  loop = g_main_loop_new (NULL, FALSE);
  pending = 2 * 8;                     /* each task: its post and its callback */
  for (int t = 0; t < 8; t++)
    {
      Job *job = g_new0 (Job, 1);
      for (int i = 0; i < 64; i++)
        job->input[i] = i;
      GTask *task = g_task_new (NULL, NULL, task_done, NULL);
      g_task_set_task_data (task, job, g_free);
      g_task_run_in_thread (task, task_thread);
      g_object_unref (task);
    }
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  return 0;
}

static int
run_race (void)
{
  GThread *a = g_thread_new ("racy-a", racy_thread, NULL);
  GThread *b = g_thread_new ("racy-b", racy_thread, NULL);
  g_thread_join (a);
  g_thread_join (b);
  g_print ("racy counter: %d\n", racy_counter);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "race") == 0)
    return run_race ();
  if (argc == 2 && strcmp (argv[1], "clean") == 0)
    return run_clean ();
  g_printerr ("usage: %s race|clean\n", argv[0]);
  return 2;
}
