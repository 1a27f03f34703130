/* vx-main.c: vitx-explorer's entry point */
#define G_LOG_DOMAIN "vx-main"
#include "config.h"

#include "vx-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (VxApplication) app = vx_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
