/* vx-application.c: command line, app actions, accelerators, style, windows */
#define G_LOG_DOMAIN "vx-application"
#include "config.h"

#include "vx-application.h"
#include "vx-settings.h"
#include "vx-window-private.h"

struct _VxApplication {
  GtkApplication parent_instance;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (VxApplication, vx_application, GTK_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL,
    "The model to open (safetensors; default: the shipped model)", "FILE" },
  { "data", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    "The test set: an IDX file or folder, or an image folder (default: Fashion-MNIST)", "PATH" },
  { "study", 's', 0, G_OPTION_ARG_FILENAME, NULL, "A study to open", "FILE" },
  { "classroom", 0, 0, G_OPTION_ARG_NONE, NULL, "Start in classroom mode", NULL },
  { "tour-step", 0, 0, G_OPTION_ARG_INT, NULL,
    "With --classroom: start the tour at this step (1 is the first)", "N" },
  { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Start on a view: overview, sweeps, hardware or sample", "VIEW" },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "When the results are in, save the window as a PNG file and quit", "FILE" },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version and exit", NULL },
  { NULL }
};

/* ---- --screenshot ---------------------------------------------------------------------------- */

typedef struct {
  VxWindow *window;
  char *path;
  int quiet_ticks;
} Screenshot;

static gboolean
screenshot_tick (gpointer data)
{
  Screenshot *s = data;
  VxWindow *w = s->window;
  gboolean busy = vx_window_is_busy (w);
  s->quiet_ticks = busy ? 0 : s->quiet_ticks + 1;
  /* the picture is of the results, not of a passing notification (it slides away) */
  if (s->quiet_ticks == 1)
    gtk_widget_activate_action (GTK_WIDGET (w), "win.dismiss-toast", NULL);
  if (s->quiet_ticks < 5)
    return G_SOURCE_CONTINUE;
  g_autoptr (GError) error = NULL;
  if (!vx_window_save_screenshot (w, s->path, &error))
    g_printerr ("vitx-explorer: %s\n", error->message);
  else
    g_print ("%s\n", s->path);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (w))));
  g_free (s->path);
  g_free (s);
  return G_SOURCE_REMOVE;
}

/* ---- windows --------------------------------------------------------------------------------- */

static VxWindow *
open_window (VxApplication *self, const char *model, const char *data, const char *study)
{
  VxWindow *win = vx_window_new (GTK_APPLICATION (self), self->settings);
  g_autoptr (GError) error = NULL;
  /* the model first: an image folder is read at the model's input size */
  if (!(model ? vx_window_load_model (win, model, &error) : vx_window_load_default_model (win, &error)))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (!(data ? vx_window_load_dataset (win, data, &error) : vx_window_load_default_dataset (win, &error)))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (study && !vx_window_open_study (win, study, &error))
    g_warning ("%s", error->message);
  gtk_window_present (GTK_WINDOW (win));
  return win;
}

static int
vx_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  VxApplication *self = VX_APPLICATION (app);
  GVariantDict *opts = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *model = NULL, *data = NULL, *study = NULL, *shot = NULL;
  g_variant_dict_lookup (opts, "model", "^ay", &model);
  g_variant_dict_lookup (opts, "data", "^ay", &data);
  g_variant_dict_lookup (opts, "study", "^ay", &study);
  g_variant_dict_lookup (opts, "screenshot", "^ay", &shot);
  /* relative paths are relative to the caller's directory */
  const char *cwd = g_application_command_line_get_cwd (cmdline);
  char **paths[] = { &model, &data, &study, &shot };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (*paths[i] && !g_path_is_absolute (*paths[i]) && cwd)
      {
        char *abs = g_build_filename (cwd, *paths[i], NULL);
        g_free (*paths[i]);
        *paths[i] = abs;
      }
  VxWindow *win = open_window (self, model, data, study);
  const char *view = NULL;
  if (g_variant_dict_lookup (opts, "view", "&s", &view))
    gtk_widget_activate_action (GTK_WIDGET (win), "win.show-view", "s", view);
  if (g_variant_dict_contains (opts, "classroom"))
    vx_window_set_classroom (win, TRUE);
  gint32 step = 0;
  if (g_variant_dict_lookup (opts, "tour-step", "i", &step))
    {
      guint n;
      vx_tour_steps (&n);
      if (step < 1 || step > (gint32) n || !vx_window_get_classroom (win))
        {
          g_application_command_line_printerr (cmdline, "vitx-explorer: --tour-step: a step from 1 "
                                               "to %u, with --classroom\n", n);
          gtk_window_destroy (GTK_WINDOW (win));
          return 2;
        }
      vx_window_show_tour_step (win, (guint) step - 1);
    }
  if (shot)
    {
      Screenshot *s = g_new0 (Screenshot, 1);
      s->window = win;
      s->path = g_steal_pointer (&shot);
      g_timeout_add (200, screenshot_tick, s);
    }
  return 0;
}

static int
vx_application_handle_local_options (GApplication *app, GVariantDict *opts)
{
  if (g_variant_dict_contains (opts, "version"))
    {
      g_print ("vitx-explorer %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static void
vx_application_activate (GApplication *app)
{
  GtkWindow *win = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (win)
    gtk_window_present (win);
  else
    open_window (VX_APPLICATION (app), NULL, NULL, NULL);
}

/* ---- app actions --------------------------------------------------------------------------------- */

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  /* a window with unsaved changes asks first and may stay open; the
   * application ends with its last window */
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));
  for (GList *it = windows; it; it = it->next)
    gtk_window_close (it->data);
  g_list_free (windows);
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  static const char *authors[] = { "The ViT-X Explorer contributors", NULL };
  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                         "program-name", "ViT-X Explorer",
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", "What-if studies of Vision Transformers on noisy memristive "
                                     "crossbars: read and write noise, ClipFormer, outlier channels, "
                                     "area and energy. After Bhattacharjee, Moitra and Panda, "
                                     "ClipFormer, IEEE TCAD 2024 (arXiv:2402.02586).",
                         "license-type", GTK_LICENSE_MIT_X11,
                         "authors", authors,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

static const struct { const char *action; const char *accels[3]; } accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "win.open-model", { "<Control>o", NULL } },
  { "win.open-dataset", { "<Control><Shift>o", NULL } },
  { "win.open-study", { "<Control><Alt>o", NULL } },
  { "win.save-study", { "<Control>s", NULL } },
  { "win.export-all", { "<Control>e", NULL } },
  { "win.classroom", { "F5", "F11", NULL } },
  { "win.show-controls", { "F9", NULL } },
  { "win.reset-defaults", { "<Control>r", NULL } },
  { "win.undo", { "<Control>z", NULL } },
  { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
  { "win.show-view::overview", { "<Alt>1", NULL } },
  { "win.show-view::sweeps", { "<Alt>2", NULL } },
  { "win.show-view::hardware", { "<Alt>3", NULL } },
  { "win.show-view::sample", { "<Alt>4", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
vx_application_startup (GApplication *app)
{
  VxApplication *self = VX_APPLICATION (app);
  G_APPLICATION_CLASS (vx_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/vitx/Explorer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_window_set_default_icon_name (APP_ID);
  self->settings = vx_settings_new ();
}

static void
vx_application_finalize (GObject *object)
{
  g_clear_object (&VX_APPLICATION (object)->settings);
  G_OBJECT_CLASS (vx_application_parent_class)->finalize (object);
}

static void
vx_application_class_init (VxApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = vx_application_finalize;
  app_class->startup = vx_application_startup;
  app_class->activate = vx_application_activate;
  app_class->command_line = vx_application_command_line;
  app_class->handle_local_options = vx_application_handle_local_options;
}

static void
vx_application_init (VxApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "What-if studies of Vision Transformers on noisy "
                                            "memristive crossbars (ClipFormer).");
}

VxApplication *
vx_application_new (GApplicationFlags extra_flags)
{
  return g_object_new (VX_TYPE_APPLICATION, "application-id", APP_ID,
                       "resource-base-path", "/org/vitx/Explorer",
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE | extra_flags, NULL);
}

GSettings *
vx_application_get_settings (VxApplication *self)
{
  g_return_val_if_fail (VX_IS_APPLICATION (self), NULL);
  return self->settings;
}
