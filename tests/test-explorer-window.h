/* test-explorer-window.h: one explorer window on the tests' model and data
 *
 * The window evaluates `images` test images at the paper's defaults, at
 * 1280x800; test_explorer_open returns once its first result is complete.
 */
#pragma once

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vx-settings.h"
#include "vx-window-private.h"

typedef struct {
  VxApplication *app;
  GSettings *settings;
  VxWindow *win;
  char *dir;
  char *data_dir;
  char *model_path;
} TestExplorer;

#define TEST_EXPLORER_WAIT_MS 300000

G_GNUC_UNUSED static void
test_explorer_wait_idle (TestExplorer *fx)
{
  g_assert_true (vx_window_wait_idle (fx->win, test_wait_ms (TEST_EXPLORER_WAIT_MS)));
}

G_GNUC_UNUSED static void
test_explorer_open (TestExplorer *fx, int images)
{
  g_autoptr (GError) error = NULL;
  fx->dir = test_mkdtemp ();
  fx->data_dir = g_build_filename (fx->dir, "data", NULL);
  g_mkdir (fx->data_dir, 0755);
  g_autoptr (VxDataset) eval = test_eval_dataset ();
  test_write_idx (eval, fx->data_dir);
  fx->model_path = test_model_path (fx->dir);

  fx->app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (fx->app), NULL, &error));
  g_assert_no_error (error);
  fx->settings = vx_application_get_settings (fx->app);
  vx_settings_reset_paper_defaults (fx->settings);
  g_settings_set_int (fx->settings, "test-images", images);
  fx->win = vx_window_new (GTK_APPLICATION (fx->app), fx->settings);
  gtk_window_set_default_size (GTK_WINDOW (fx->win), 1280, 800);
  g_assert_true (vx_window_load_model (fx->win, fx->model_path, &error));
  g_assert_true (vx_window_load_dataset (fx->win, fx->data_dir, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (fx->win));
  test_explorer_wait_idle (fx);
}

G_GNUC_UNUSED static void
test_explorer_close (TestExplorer *fx)
{
  gtk_window_destroy (GTK_WINDOW (fx->win));
  g_object_unref (fx->app);
  test_rmdir (fx->dir);
  g_free (fx->dir);
  g_free (fx->data_dir);
  g_free (fx->model_path);
}
