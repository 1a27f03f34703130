/* test-explorer-safety.c: the explorer under Xvfb: the wheel, undo and redo, unsaved changes, the title */
#define G_LOG_DOMAIN "test-explorer-safety"
#include "config.h"

#include <string.h>

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vx-settings.h"
#include "vs-study.h"
#include "vx-window-private.h"

#define WAIT_MS 300000

static struct {
  VxApplication *app;
  GSettings *settings;
  VxWindow *win;
  char *dir;
  char *data_dir;
  char *model_path;
} fx;

static void
wait_idle (void)
{
  g_assert_true (vx_window_wait_idle (fx.win, test_wait_ms (WAIT_MS)));
}

static void
draw_frames (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fx.win));
  g_assert_nonnull (clock);
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gdk_frame_clock_get_frame_counter (clock) < start + 2 && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (GTK_WIDGET (fx.win));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* every compute key's value, as one variant to compare */
static GVariant *
compute_values (void)
{
  GVariantBuilder b;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("av"));
  for (const char *const *k = vx_settings_compute_keys (); *k; k++)
    g_variant_builder_add (&b, "v", g_settings_get_value (fx.settings, *k));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static GtkEventController *
controller_named (GtkWidget *w, const char *name)
{
  g_autoptr (GListModel) list = gtk_widget_observe_controllers (w);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (list, i);
      if (g_strcmp0 (gtk_event_controller_get_name (c), name) == 0)
        return c;
    }
  return NULL;
}

/* the first visible, sensitive widget of a type under w */
static GtkWidget *
find_visible (GtkWidget *w, GType type)
{
  if (!gtk_widget_get_mapped (w))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_is_sensitive (w))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_visible (c, type);
      if (found)
        return found;
    }
  return NULL;
}

/* a wheel notch over `control` as the sidebar's controllers see it: TRUE when taken from it */
static gboolean
wheel_over (GtkWidget *control)
{
  GtkWidget *scroller = GTK_WIDGET (fx.win->controls_scroller);
  graphene_point_t p;
  g_assert_true (gtk_widget_compute_point (control, scroller,
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (control) / 2.0,
                                                                 gtk_widget_get_height (control) / 2.0), &p));
  g_assert_true (gtk_widget_pick (scroller, p.x, p.y, GTK_PICK_DEFAULT) != NULL);
  g_signal_emit_by_name (controller_named (scroller, "vx-wheel-guard-motion"), "motion", (double) p.x, (double) p.y);
  gboolean handled = FALSE;
  g_signal_emit_by_name (controller_named (scroller, "vx-wheel-guard"), "scroll", 0.0, 1.0, &handled);
  return handled;
}

static void
test_wheel (void)
{
  draw_frames ();
  GtkWidget *controls = GTK_WIDGET (fx.win->controls);
  GtkAdjustment *side = gtk_scrolled_window_get_vadjustment (fx.win->controls_scroller);
  GType types[] = { GTK_TYPE_SPIN_BUTTON, GTK_TYPE_SCALE, GTK_TYPE_DROP_DOWN };
  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      gtk_adjustment_set_value (side, 0.0);
      draw_frames ();
      GtkWidget *control = find_visible (controls, types[t]);
      g_assert_nonnull (control);
      gtk_window_set_focus (GTK_WINDOW (fx.win), NULL);
      g_autoptr (GVariant) before = compute_values ();
      double top = gtk_adjustment_get_value (side);
      g_assert_true (wheel_over (control));
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_autoptr (GVariant) after = compute_values ();
      g_assert_true (g_variant_equal (before, after));
      /* the sidebar scrolled instead (it is longer than the window) */
      g_assert_cmpfloat (gtk_adjustment_get_upper (side), >, gtk_adjustment_get_page_size (side));
      g_assert_cmpfloat (gtk_adjustment_get_value (side), >, top);
      /* focused, the control takes the wheel as usual */
      gtk_adjustment_set_value (side, 0.0);
      draw_frames ();
      g_assert_true (gtk_widget_grab_focus (control));
      g_assert_false (wheel_over (control));
    }
  gtk_window_set_focus (GTK_WINDOW (fx.win), NULL);
}

static void
test_undo_redo (void)
{
  g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fx.app), "win.undo");
  g_assert_true (g_strv_contains ((const char *const *) accels, "<Control>z"));
  g_settings_set_double (fx.settings, "gamma", 4.0);
  g_settings_set_boolean (fx.settings, "clipformer", TRUE);
  g_settings_set_double (fx.settings, "beta", 0.5);
  wait_idle ();
  g_autoptr (GVariant) mine = compute_values ();
  VsRunResult *mine_result = vx_window_get_last_result (fx.win);
  g_assert_true (mine_result && mine_result->complete);
  int correct = mine_result->correct;

  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.reset-defaults", NULL);
  const char *toast = vx_window_get_toast (fx.win);
  g_assert_nonnull (toast);
  g_assert_true (g_str_has_prefix (toast, "Reset "));
  g_assert_nonnull (strstr (toast, "parameters"));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 3.0);
  wait_idle ();
  g_autoptr (GVariant) defaults = compute_values ();

  /* undo: exactly the settings before, the result from the cache without a job */
  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.undo", NULL);
  g_autoptr (GVariant) undone = compute_values ();
  g_assert_true (g_variant_equal (undone, mine));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (vx_worker_is_computing (vx_window_get_worker (fx.win)));
  VsRunResult *r = vx_window_get_last_result (fx.win);
  g_assert_true (r && r->complete);
  g_assert_cmpint (r->correct, ==, correct);
  g_assert_nonnull (strstr (vx_window_get_toast (fx.win), "Undone"));

  gtk_widget_activate_action (GTK_WIDGET (fx.win), "win.redo", NULL);
  g_autoptr (GVariant) redone = compute_values ();
  g_assert_true (g_variant_equal (redone, defaults));
  wait_idle ();

  /* one change of one key, and a drag of another: two steps (a wide merge window:
   * under sanitizers the main loop takes longer between two changes than a hand) */
  g_settings_set_double (fx.settings, "gamma", 1.0);
  wait_idle ();
  gint64 merge_us = fx.win->history_merge_us;
  fx.win->history_merge_us = 60 * G_USEC_PER_SEC;
  for (int i = 1; i <= 5; i++)
    {
      g_settings_set_double (fx.settings, "sigma-r", 0.01 * i);
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
    }
  wait_idle ();
  fx.win->history_merge_us = merge_us;
  g_assert_true (vx_window_undo (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "sigma-r"), ==, 0.05);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 1.0);
  wait_idle ();
  g_assert_true (vx_window_undo (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 3.0);
  wait_idle ();
  /* the same key changed again after the window: a step of its own */
  fx.win->history_merge_us = 0;
  g_settings_set_double (fx.settings, "sigma-r", 0.06);
  wait_idle ();
  g_settings_set_double (fx.settings, "sigma-r", 0.07);
  wait_idle ();
  fx.win->history_merge_us = merge_us;
  g_assert_true (vx_window_undo (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "sigma-r"), ==, 0.06);
  wait_idle ();
  g_assert_true (vx_window_undo (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "sigma-r"), ==, 0.05);
  wait_idle ();
  /* a new change empties the redo list */
  g_settings_set_double (fx.settings, "gamma", 2.0);
  wait_idle ();
  g_assert_false (vx_window_redo (fx.win));
  /* the tour's steps are not steps to undo; afterwards undo works as before it */
  vx_window_set_classroom (fx.win, TRUE);
  g_assert_false (_vx_window_can_undo (fx.win));
  wait_idle ();
  vx_window_set_classroom (fx.win, FALSE);
  wait_idle ();
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 2.0);
  g_assert_true (_vx_window_can_undo (fx.win));
  g_assert_true (vx_window_undo (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 3.0);
  wait_idle ();
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", 64);
  wait_idle ();
}

static void
on_destroyed (gpointer data, GObject *where)
{
  *(gboolean *) data = TRUE;
}

static GtkDialog *
close_dialog (void)
{
  GtkWidget *d = vx_window_get_close_dialog (fx.win);
  g_assert_nonnull (d);
  g_assert_true (GTK_IS_DIALOG (d));
  g_assert_true (gtk_widget_get_visible (d));
  return GTK_DIALOG (d);
}

/* runs last: the window is closed at its end */
static void
test_title_save_close (void)
{
  g_autofree char *path = g_build_filename (fx.dir, "lesson.vitx-study", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_window_save_study (fx.win, path, &error));
  g_assert_no_error (error);
  g_assert_false (vx_window_is_dirty (fx.win));
  const char *title = gtk_window_get_title (GTK_WINDOW (fx.win));
  g_assert_true (g_str_has_prefix (title, "lesson.vitx-study — "));
  g_assert_cmpstr (vx_window_get_toast (fx.win), ==, "Saved lesson.vitx-study");

  g_settings_set_double (fx.settings, "gamma", 4.5);
  wait_idle ();
  g_assert_true (vx_window_is_dirty (fx.win));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (fx.win)), "• lesson.vitx-study"));

  /* closing asks; Cancel keeps the window */
  gboolean destroyed = FALSE;
  g_object_weak_ref (G_OBJECT (fx.win), on_destroyed, &destroyed);
  gtk_window_close (GTK_WINDOW (fx.win));
  gtk_dialog_response (close_dialog (), GTK_RESPONSE_CANCEL);
  g_assert_null (vx_window_get_close_dialog (fx.win));
  g_assert_false (destroyed);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx.win)));

  /* back to the study's settings: nothing to ask */
  g_assert_true (vx_window_undo (fx.win));
  g_assert_false (vx_window_is_dirty (fx.win));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (fx.win)), "lesson"));
  g_assert_true (vx_window_redo (fx.win));
  wait_idle ();

  /* Save writes the study and closes */
  gtk_window_close (GTK_WINDOW (fx.win));
  g_object_ref (fx.win);
  gtk_dialog_response (close_dialog (), GTK_RESPONSE_ACCEPT);
  g_autoptr (VsStudy) saved = vs_study_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (saved->settings.xbar.gamma, ==, 4.5);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx.win)));
  g_object_unref (fx.win);
  g_assert_true (destroyed);
  fx.win = NULL;
}

/* settings the window cannot keep are reset and said so on screen, not dropped in silence */
static void
test_settings_reported (void)
{
  g_assert_null (vx_window_get_toast (fx.win) && strstr (vx_window_get_toast (fx.win), "beta")
                 ? "stale toast" : NULL);
  /* each value inside its range, the pair not: beta * G_max below G_min */
  g_settings_set_double (fx.settings, "on-off-ratio", 2);
  g_settings_set_double (fx.settings, "beta", 0.05);
  g_assert_cmpuint (vx_settings_check (fx.settings), ==, 1);
  const char *toast = vx_window_get_toast (fx.win);
  g_assert_nonnull (toast);
  g_assert_nonnull (strstr (toast, "beta"));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "beta"), ==, 1.0);
  vx_settings_clear_reports (fx.settings);
  wait_idle ();
}

/* an untitled window: "Close Without Saving" closes it */
static void
test_discard (void)
{
  fx.win = vx_window_new (GTK_APPLICATION (fx.app), fx.settings);
  gtk_window_present (GTK_WINDOW (fx.win));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (fx.win)), "Untitled Study"));
  g_settings_set_double (fx.settings, "gamma", 2.5);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (fx.win)), "• Untitled Study"));
  gboolean destroyed = FALSE;
  g_object_weak_ref (G_OBJECT (fx.win), on_destroyed, &destroyed);
  /* closed during the tour: the user's settings come back, and they are unsaved */
  vx_window_set_classroom (fx.win, TRUE);
  vx_window_show_tour_step (fx.win, 6);
  gtk_window_close (GTK_WINDOW (fx.win));
  g_assert_false (destroyed);
  g_assert_false (vx_window_get_classroom (fx.win));
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "gamma"), ==, 2.5);
  g_assert_cmpfloat (g_settings_get_double (fx.settings, "outlier-scale"), ==, 1.0);
  gtk_dialog_response (close_dialog (), GTK_RESPONSE_REJECT);
  g_assert_true (destroyed);
  fx.win = NULL;
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  fx.dir = test_mkdtemp ();
  fx.data_dir = g_build_filename (fx.dir, "data", NULL);
  g_mkdir (fx.data_dir, 0755);
  g_autoptr (VxDataset) eval = test_eval_dataset ();
  test_write_idx (eval, fx.data_dir);
  fx.model_path = test_model_path (fx.dir);

  fx.app = vx_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (fx.app), NULL, &error));
  g_assert_no_error (error);
  fx.settings = vx_application_get_settings (fx.app);
  vx_settings_reset_paper_defaults (fx.settings);
  g_settings_set_int (fx.settings, "test-images", 64);
  fx.win = vx_window_new (GTK_APPLICATION (fx.app), fx.settings);
  gtk_window_set_default_size (GTK_WINDOW (fx.win), 1280, 800);
  g_assert_true (vx_window_load_model (fx.win, fx.model_path, &error));
  g_assert_true (vx_window_load_dataset (fx.win, fx.data_dir, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (fx.win));
  wait_idle ();

  g_test_add_func ("/explorer-safety/wheel-scrolls-sidebar-not-controls", test_wheel);
  g_test_add_func ("/explorer-safety/undo-redo", test_undo_redo);
  g_test_add_func ("/explorer-safety/settings-problems-shown", test_settings_reported);
  g_test_add_func ("/explorer-safety/title-save-close", test_title_save_close);
  g_test_add_func ("/explorer-safety/close-without-saving", test_discard);
  int status = g_test_run ();

  if (fx.win)
    gtk_window_destroy (GTK_WINDOW (fx.win));
  g_object_unref (fx.app);
  test_rmdir (fx.dir);
  g_free (fx.dir);
  g_free (fx.data_dir);
  g_free (fx.model_path);
  return status;
}
