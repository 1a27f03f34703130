/* test-charts-view.c: the GTK chart view owns its model and draws through the render function */
#define G_LOG_DOMAIN "test-charts-view"
#include "config.h"

#include <gtk/gtk.h>

#include "charts-fixtures.h"
#include "vx-chart-view.h"

static int n_destroyed;

static void
count_destroy (gpointer data)
{
  n_destroyed++;
  g_free (data);
}

static VxChartBars *
new_bars (void)
{
  static const char *const cats[] = { "1", "2", "3" };
  static const double u[] = { 12.0, 10.5, 9.0 }, c[] = { 13.5, 12.0, 11.0 };
  static const VxChartBarSeries series[] = {
    { "Untransformed", u, NULL, 10.5, -1 },
    { "ClipFormer", c, NULL, 12.2, -1 },
  };
  VxChartBars *m = g_new0 (VxChartBars, 1);

  *m = (VxChartBars) { { "SNR", NULL }, cats, 3, series, 2, "Attention block", "SNR (dB)",
                       "\u27e8SNR\u27e9", "dB", 1 };
  return m;
}

static void
test_ownership (void)
{
  VxChartView *view = VX_CHART_VIEW (g_object_ref_sink (vx_chart_view_new ()));
  VxChartBars *a = new_bars (), *b = new_bars ();

  n_destroyed = 0;
  vx_chart_view_set_chart (view, vx_chart_bars_draw, a, count_destroy);
  g_assert_true (vx_chart_view_get_model (view) == a);
  g_assert_true (vx_chart_view_get_func (view) == vx_chart_bars_draw);
  /* Setting the same chart again only redraws. */
  vx_chart_view_set_chart (view, vx_chart_bars_draw, a, count_destroy);
  g_assert_cmpint (n_destroyed, ==, 0);
  vx_chart_view_set_chart (view, vx_chart_bars_draw, b, count_destroy);
  g_assert_cmpint (n_destroyed, ==, 1);
  g_assert_true (vx_chart_view_get_model (view) == b);
  g_object_unref (view);
  g_assert_cmpint (n_destroyed, ==, 2);
}

static gboolean
give_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the view has drawn (some text is in its layout). */
static const VxChartLayout *
wait_for_draw (GtkWidget *view)
{
  const VxChartLayout *layout = vx_chart_view_get_layout (VX_CHART_VIEW (view));
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (20, give_up, &timed_out);

  while (layout->n_texts == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  g_assert_false (timed_out);
  return layout;
}

static void
test_draws (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = vx_chart_view_new ();
  const VxChartLayout *layout;

  vx_chart_view_set_chart (VX_CHART_VIEW (view), vx_chart_bars_draw, new_bars (), g_free);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  layout = wait_for_draw (view);
  /* The layout reports what the render function drew at the widget's size. */
  g_assert_false (layout->no_data);
  g_assert_cmpfloat (layout->plot.width, >, 100);
  g_assert_cmpfloat (layout->plot.x + layout->plot.width, <=, gtk_widget_get_width (view));
  g_assert_true (layout->has_legend);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Fig. 1a as the study titles it, owned by the view. */
static VxChartRadar *
new_radar (void)
{
  VxChartRadar *m = g_memdup2 (&radar, sizeof radar);

  m->base.title = "RRAM vs SRAM (paper Fig. 1a)";
  return m;
}

/* The explorer's windows (and the projector in classroom mode), with the
 * chart in a card of a third of the window: every piece of text whole, on
 * the widget and drawable. */
static void
test_explorer_windows (void)
{
  const struct {
    int      w, h;
    gboolean classroom;
  } sizes[] = { { 1600, 1000, FALSE }, { 1280, 800, FALSE }, { 1024, 700, FALSE }, { 1024, 768, TRUE } };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      GtkWidget *window = gtk_window_new ();
      GtkWidget *view = vx_chart_view_new ();
      VxChartRadar *radar = new_radar ();
      const VxChartLayout *layout;

      vx_chart_common_set_classroom (&radar->base, sizes[k].classroom);
      vx_chart_view_set_chart (VX_CHART_VIEW (view), vx_chart_radar_draw, radar, g_free);
      gtk_widget_set_size_request (view, sizes[k].w / 3, sizes[k].h / 3);
      gtk_widget_set_hexpand (view, FALSE);
      gtk_widget_set_vexpand (view, FALSE);
      gtk_widget_set_halign (view, GTK_ALIGN_START);
      gtk_widget_set_valign (view, GTK_ALIGN_START);
      gtk_window_set_default_size (GTK_WINDOW (window), sizes[k].w, sizes[k].h);
      gtk_window_set_child (GTK_WINDOW (window), view);
      gtk_window_present (GTK_WINDOW (window));
      layout = wait_for_draw (view);
      g_test_message ("radar card %dx%d%s: radius %.1f, %u texts", gtk_widget_get_width (view),
                      gtk_widget_get_height (view), sizes[k].classroom ? " classroom" : "",
                      layout->radius, layout->n_texts);
      g_assert_cmpuint (layout->n_texts_truncated, ==, 0);
      g_assert_cmpuint (layout->n_texts_moved, ==, 0);
      g_assert_cmpuint (layout->n_unknown_glyphs, ==, 0);
      g_assert_cmpfloat (layout->text_bounds.x + layout->text_bounds.width, <=, gtk_widget_get_width (view));
      g_assert_cmpfloat (layout->text_bounds.y + layout->text_bounds.height, <=, gtk_widget_get_height (view));
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  init_fixtures ();
  g_test_add_func ("/charts/view/ownership", test_ownership);
  g_test_add_func ("/charts/view/draws", test_draws);
  g_test_add_func ("/charts/view/explorer-windows", test_explorer_windows);
  return g_test_run ();
}
