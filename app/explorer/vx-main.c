/* vx-main.c: vitx-explorer's entry point */
#define G_LOG_DOMAIN "vx-main"
#include "config.h"

#include <unistd.h>

#include "vx-application.h"

/* OpenMP's worker threads should sleep, not spin, between the evaluation's
 * parallel loops: the cores then stay free for the GTK main thread and for other
 * programs (spinning doubled the time to an answer on a busy machine). libgomp
 * reads OMP_WAIT_POLICY when it is loaded, before main(), so the program starts
 * itself again once with the variable set; an explicit setting is respected. */
static void
sleep_between_parallel_loops (char **argv)
{
  if (g_getenv ("OMP_WAIT_POLICY"))
    return;
  g_setenv ("OMP_WAIT_POLICY", "passive", TRUE);
  execv ("/proc/self/exe", argv);
  /* no /proc: carry on with the default policy */
}

int
main (int argc, char **argv)
{
  sleep_between_parallel_loops (argv);
  g_autoptr (VxApplication) app = vx_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
