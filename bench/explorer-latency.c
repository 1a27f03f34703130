/* explorer-latency.c: how quickly the explorer answers a control change, and its peak memory
 *
 * Opens the real window (run it under `xvfb-run -a`), waits for the
 * first results, then changes the write-noise factor several times and measures
 *   1. change -> the first updated histogram/SNR draw (the frame after the first stage),
 *   2. change -> the accuracy on all test images (1,000 by default) complete,
 * and prints the peak resident memory of the process. Targets: <= 150 ms, <= 1.5 s, <= 300 MB.
 *
 *   xvfb-run -a build/app/explorer/explorer-latency [--model FILE] [--data PATH] [--trials N]
 */
#define G_LOG_DOMAIN "explorer-latency"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vx-application.h"
#include "vx-settings.h"
#include "vx-window-private.h"

typedef struct {
  VxWindow *win;
  gint64 t0, t_first_stage, t_first_draw, t_accuracy;
  double cpu0, cpu_first_draw, cpu_accuracy;   /* process CPU seconds */
  gboolean waiting_draw;
} Trial;

/* CPU time of the whole process (all threads): on a machine shared with other
 * work the wall-clock figures grow, these do not */
static double
main_thread_cpu (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
on_after_paint (GdkFrameClock *clock, Trial *t)
{
  if (t->waiting_draw && t->t_first_stage)
    {
      t->t_first_draw = g_get_monotonic_time ();
      t->cpu_first_draw = cpu_seconds ();
      t->waiting_draw = FALSE;
    }
}

static void
on_updated (VxWorker *worker, int stage, Trial *t)
{
  if (t->t0 == 0)
    return;
  if (stage == VX_WORKER_STAGE_FIRST && !t->t_first_stage)
    {
      t->t_first_stage = g_get_monotonic_time ();
      t->waiting_draw = TRUE;
    }
  if (stage == VX_WORKER_STAGE_CURRENT_DONE && !t->t_accuracy)
    {
      t->t_accuracy = g_get_monotonic_time ();
      t->cpu_accuracy = cpu_seconds ();
    }
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int
main (int argc, char **argv)
{
  /* as vitx-explorer's main() does (libgomp reads the variable before main),
   * with the arguments as they came */
  if (!g_getenv ("OMP_WAIT_POLICY"))
    {
      g_setenv ("OMP_WAIT_POLICY", "passive", TRUE);
      execv ("/proc/self/exe", argv);
    }
  g_autofree char *model = NULL, *data = NULL;
  int trials = 5;
  GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "Model (default: the shipped one)", "FILE" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Test set (default: Fashion-MNIST)", "PATH" },
    { "trials", 0, 0, G_OPTION_ARG_INT, &trials, "Changes to time (default 5)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time the explorer's answers");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("explorer-latency: %s\n", error->message);
      return 2;
    }
  trials = CLAMP (trials, 1, 50);

  gtk_init ();
  g_autoptr (VxApplication) app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("explorer-latency: %s\n", error->message);
      return 1;
    }
  GSettings *settings = vx_application_get_settings (app);
  vx_settings_reset_paper_defaults (settings);
  VxWindow *win = vx_window_new (GTK_APPLICATION (app), settings);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gboolean ok = model ? vx_window_load_model (win, model, &error) : vx_window_load_default_model (win, &error);
  if (ok)
    ok = data ? vx_window_load_dataset (win, data, &error) : vx_window_load_default_dataset (win, &error);
  if (!ok)
    {
      g_printerr ("explorer-latency: %s\n", error->message);
      return 1;
    }
  gtk_window_present (GTK_WINDOW (win));
  if (!vx_window_wait_idle (win, 600000))
    {
      g_printerr ("explorer-latency: the first evaluation did not finish\n");
      return 1;
    }

  Trial t = { win };
  g_signal_connect (vx_window_get_worker (win), "updated", G_CALLBACK (on_updated), &t);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (win));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &t);
  double *first = g_new (double, trials), *acc = g_new (double, trials);
  double *cfirst = g_new (double, trials), *cacc = g_new (double, trials);
  double main0 = main_thread_cpu (), wall0 = g_get_monotonic_time () / 1e6;
  int n_images = vx_window_get_last_result (win) ? vx_window_get_last_result (win)->n : 0;

  for (int i = 0; i < trials; i++)
    {
      /* values never seen before, so nothing comes from the cache */
      double gamma = 2.0 + 0.37 * (i + 1);
      t = (Trial) { win };
      t.t0 = g_get_monotonic_time ();
      t.cpu0 = cpu_seconds ();
      g_settings_set_double (settings, "gamma", gamma);
      while (!t.t_first_draw || !t.t_accuracy || vx_worker_is_busy (vx_window_get_worker (win)))
        g_main_context_iteration (NULL, TRUE);
      first[i] = (t.t_first_draw - t.t0) / 1e3;
      acc[i] = (t.t_accuracy - t.t0) / 1e3;
      cfirst[i] = (t.cpu_first_draw - t.cpu0) * 1e3;
      cacc[i] = (t.cpu_accuracy - t.cpu0) * 1e3;
      printf ("change %d (gamma %.2f): first histogram/SNR draw %.0f ms (CPU %.0f ms), "
              "accuracy on %d images %.0f ms (CPU %.0f ms)\n",
              i + 1, gamma, first[i], cfirst[i], n_images, acc[i], cacc[i]);
    }
  double main_cpu = main_thread_cpu () - main0, wall = g_get_monotonic_time () / 1e6 - wall0;
  printf ("main thread (GTK): %.0f ms CPU over %.1f s of trials (%.0f %%)\n", main_cpu * 1e3, wall,
          100 * main_cpu / wall);
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  double rss_mb = ru.ru_maxrss / 1024.0;
  VsSharedModel *m = vx_window_get_model (win);
  printf ("model %s (%zu parameters), %d test images, %d threads\n", m->name, m->model->params.n,
          n_images, vx_get_num_threads ());
  double load[3] = { 0 };
  getloadavg (load, 3);
  printf ("load average during the run: %.2f (other processes share the cores: compare CPU and wall)\n",
          load[0]);
  printf ("change -> first histogram/SNR draw: median %.0f ms wall, %.0f ms CPU (target <= 150 ms)\n",
          median (first, trials), median (cfirst, trials));
  printf ("change -> accuracy on %d images:    median %.0f ms wall, %.0f ms CPU (target <= 1500 ms)\n",
          n_images, median (acc, trials), median (cacc, trials));
  printf ("peak resident memory:               %.0f MB (target <= 300 MB)\n", rss_mb);
  g_free (first);
  g_free (acc);
  g_free (cfirst);
  g_free (cacc);
  gtk_window_destroy (GTK_WINDOW (win));
  return 0;
}
