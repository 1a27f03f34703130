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
 *
 * Built with OpenMP (tools/run-tsan --openmp: clang, libomp and its Archer tool
 * for TSan), two more modes: "omp-race", a parallel loop that adds to one
 * shared int, which TSan must report, and "omp-clean", the loop shapes core/
 * uses (a reduction, per-thread slices, a critical section, results read
 * after the implicit barrier), where it must report nothing.
 */
#include <gio/gio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

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

/* runs func on two threads at once and waits for both */
static void
run_pair (GThreadFunc func)
{
  GThread *a = g_thread_new ("canary-a", func, NULL);
  GThread *b = g_thread_new ("canary-b", func, NULL);
  g_thread_join (a);
  g_thread_join (b);
}

static int
run_clean (void)
{
  run_pair (guarded_thread);
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
  run_pair (racy_thread);
  g_print ("racy counter: %d\n", racy_counter);
  return 0;
}

#ifdef _OPENMP
static int
run_omp_race (void)
{
  int sum = 0;
#pragma omp parallel for num_threads(2) schedule(static)
  for (int i = 0; i < ROUNDS; i++)
    sum += i & 1;
  g_print ("racy sum: %d\n", sum);
  return 0;
}

static int
run_omp_clean (void)
{
  int sum = 0, critical_sum = 0;
  int *slices = g_new0 (int, ROUNDS);
#pragma omp parallel for num_threads(2) schedule(static) reduction(+:sum)
  for (int i = 0; i < ROUNDS; i++)
    sum += i & 1;
#pragma omp parallel for num_threads(2) schedule(dynamic, 16)
  for (int i = 0; i < ROUNDS; i++)
    {
      slices[i] = 2 * i;
      if (i % 1000 == 0)
        {
#pragma omp critical
          critical_sum += 1;
        }
    }
  long total = 0;
  for (int i = 0; i < ROUNDS; i++)
    total += slices[i];
  g_free (slices);
  g_assert_cmpint (sum, ==, ROUNDS / 2);
  g_assert_cmpint (critical_sum, ==, ROUNDS / 1000);
  g_assert_cmpint (total, ==, (long) ROUNDS * (ROUNDS - 1));
  return 0;
}
#endif

int
main (int argc, char **argv)
{
#ifdef _OPENMP
  if (argc == 2 && strcmp (argv[1], "omp-race") == 0)
    return run_omp_race ();
  if (argc == 2 && strcmp (argv[1], "omp-clean") == 0)
    return run_omp_clean ();
#endif
  if (argc == 2 && strcmp (argv[1], "race") == 0)
    return run_race ();
  if (argc == 2 && strcmp (argv[1], "clean") == 0)
    return run_clean ();
  g_printerr ("usage: %s race|clean|omp-race|omp-clean\n", argv[0]);
  return 2;
}
