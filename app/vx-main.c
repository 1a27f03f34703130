/* vx-main.c: vitx-explorer's entry point */
#define G_LOG_DOMAIN "vx-main"
#include "config.h"

#include <gtk/gtk.h>

#include "vx-dataset.h"
#include "vx-model-io.h"
#include "vx-paths.h"

static void
on_activate (GtkApplication *app, gpointer user_data)
{
  GtkWidget *win = gtk_application_window_new (app);
  gtk_window_set_title (GTK_WINDOW (win), "ViT-X Explorer");
  gtk_window_set_default_size (GTK_WINDOW (win), 720, 360);

  g_autoptr (GError) error = NULL;
  g_autofree char *model_path = vx_default_model_path (NULL);
  g_autoptr (VxModel) model = model_path ? vx_model_load (model_path, &error) : NULL;
  g_autoptr (GError) data_error = NULL;
  g_autoptr (VxDataset) data = vx_dataset_open_default (&data_error);

  g_autoptr (GString) text = g_string_new ("ViT-X Explorer\n\n");
  if (model)
    g_string_append_printf (text, "Model: %s\n(%zu parameters, depth %d, dim %d)\n\n",
                            model->path, model->params.n, model->arch.depth, model->arch.embed_dim);
  else
    g_string_append_printf (text, "No model loaded: %s\n\n",
                            error ? error->message : "the shipped model was not found");
  if (data)
    g_string_append_printf (text, "Data: %s (%d images)\n", data->source, data->n);
  else
    g_string_append_printf (text, "No data loaded: %s\n", data_error->message);

  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_text (GTK_LABEL (label), text->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 24);
  gtk_widget_set_margin_end (label, 24);
  gtk_window_set_child (GTK_WINDOW (win), label);
  gtk_window_present (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkApplication) app = gtk_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
