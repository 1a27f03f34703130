/* test-explorer-layout.c: the explorer under Xvfb: one column below the breakpoint, no label cut short */
#define G_LOG_DOMAIN "test-explorer-layout"
#include "config.h"

#include <stdlib.h>

#include "test-explorer-common.h"
#include "vx-application.h"
#include "vx-settings.h"
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

/* a few frames, so that size changes are allocated and drawn */
static void
draw_frames (guint n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fx.win));
  g_assert_nonnull (clock);
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gdk_frame_clock_get_frame_counter (clock) < start + n && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_resize (GTK_WIDGET (fx.win));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

/* the window at width x height (its default size: decorations aside) */
static void
resize (int width, int height)
{
  gtk_window_unfullscreen (GTK_WINDOW (fx.win));
  gtk_window_set_default_size (GTK_WINDOW (fx.win), width, height);
  int w = -1, h = -1;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  /* until the allocation settles */
  while ((w != gtk_widget_get_width (GTK_WIDGET (fx.win)) || h != gtk_widget_get_height (GTK_WIDGET (fx.win)))
         && g_get_monotonic_time () < deadline)
    {
      w = gtk_widget_get_width (GTK_WIDGET (fx.win));
      h = gtk_widget_get_height (GTK_WIDGET (fx.win));
      draw_frames (3);
    }
  g_test_message ("window %d x %d for %d x %d", w, h, width, height);
  g_assert_cmpint (abs (w - width), <=, 20);
  g_assert_cmpint (abs (h - height), <=, 20);
}

/* every label on screen, shown whole: names the ones cut short */
static void
collect_ellipsized (GtkWidget *w, GString *out, guint *n_labels)
{
  if (!gtk_widget_get_mapped (w))
    return;
  if (GTK_IS_LABEL (w))
    {
      (*n_labels)++;
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (w));
      if (pango_layout_is_ellipsized (layout))
        {
          g_autofree char *text = g_strdup (gtk_label_get_text (GTK_LABEL (w)));
          g_strdelimit (text, "\n", '/');
          g_string_append_printf (out, "  \"%s\" (%s, %d px wide)\n", text,
                                  G_OBJECT_TYPE_NAME (gtk_widget_get_parent (w)), gtk_widget_get_width (w));
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    collect_ellipsized (c, out, n_labels);
}

static void
assert_nothing_ellipsized (const char *where)
{
  g_autoptr (GString) cut = g_string_new (NULL);
  guint n = 0;
  collect_ellipsized (GTK_WIDGET (fx.win), cut, &n);
  g_test_message ("%s: %u labels on screen", where, n);
  g_assert_cmpuint (n, >, 20);
  if (cut->len)
    g_error ("%s: labels cut short:\n%s", where, cut->str);
}

static int
grid_column (GtkWidget *child)
{
  GtkLayoutManager *lm = gtk_widget_get_layout_manager (GTK_WIDGET (fx.win->overview_grid));
  return gtk_grid_layout_child_get_column (GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (lm, child)));
}

static void
test_wide (void)
{
  resize (1280, 800);
  g_assert_false (vx_window_is_narrow (fx.win));
  g_assert_cmpint (grid_column (GTK_WIDGET (fx.win->radar_card)), ==, 1);
  assert_nothing_ellipsized ("1280x800");
}

static void
test_narrow (void)
{
  resize (1024, 768);
  g_assert_true (vx_window_is_narrow (fx.win));
  g_assert_cmpint (grid_column (GTK_WIDGET (fx.win->radar_card)), ==, 0);
  g_assert_cmpint (grid_column (GTK_WIDGET (fx.win->stats_card)), ==, 0);
  /* one column: every card as wide as the grid (less its card padding), none beside another */
  int grid_w = gtk_widget_get_width (GTK_WIDGET (fx.win->overview_grid));
  int snr_w = gtk_widget_get_width (GTK_WIDGET (fx.win->snr_card));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx.win->radar_card)), ==, snr_w);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx.win->stats_card)), ==, snr_w);
  g_assert_cmpint (snr_w, >, grid_w - 40);
  assert_nothing_ellipsized ("1024x768");
  resize (1280, 800);
  g_assert_false (vx_window_is_narrow (fx.win));
  g_assert_cmpint (grid_column (GTK_WIDGET (fx.win->radar_card)), ==, 1);
}

static void
test_classroom (void)
{
  vx_window_set_classroom (fx.win, TRUE);
  wait_idle ();
  resize (1024, 768);
  guint n;
  vx_tour_steps (&n);
  for (guint i = 0; i < n; i++)
    {
      vx_window_show_tour_step (fx.win, i);
      wait_idle ();
      draw_frames (3);
      g_autofree char *where = g_strdup_printf ("classroom 1024x768, step %u", i + 1);
      assert_nothing_ellipsized (where);
    }
  VsChartBox *box = vx_chart_card_get_box (vx_window_get_card (fx.win, "snr-per-block"));
  g_assert_cmpfloat (box->u.common.font_scale, >, 1.0);
  vx_window_set_classroom (fx.win, FALSE);
  wait_idle ();
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

  g_test_add_func ("/explorer-layout/wide-nothing-cut", test_wide);
  g_test_add_func ("/explorer-layout/narrow-one-column", test_narrow);
  g_test_add_func ("/explorer-layout/classroom-1024-nothing-cut", test_classroom);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fx.win));
  g_object_unref (fx.app);
  test_rmdir (fx.dir);
  g_free (fx.dir);
  g_free (fx.data_dir);
  g_free (fx.model_path);
  return status;
}
