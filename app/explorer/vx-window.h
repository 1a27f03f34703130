/* vx-window.h: the explorer's main window */
#pragma once

#include <gtk/gtk.h>

#include "vx-dataset.h"
#include "vx-model.h"

G_BEGIN_DECLS

#define VX_TYPE_WINDOW (vx_window_get_type ())
G_DECLARE_FINAL_TYPE (VxWindow, vx_window, VX, WINDOW, GtkApplicationWindow)

VxWindow *vx_window_new          (GtkApplication *app, GSettings *settings);

/* Load a model or a dataset; on failure the previous one stays and error says why. */
gboolean  vx_window_load_model   (VxWindow *self, const char *path, GError **error);
gboolean  vx_window_load_dataset (VxWindow *self, const char *path, GError **error);
/* the shipped model; the default test set (Debian's Fashion-MNIST, or the bundled subset) */
gboolean  vx_window_load_default_model   (VxWindow *self, GError **error);
gboolean  vx_window_load_default_dataset (VxWindow *self, GError **error);
/* What the Open actions do: the same on a worker thread, then an error dialog on failure. */
void      vx_window_open_model_file   (VxWindow *self, const char *path);
void      vx_window_open_dataset_file (VxWindow *self, const char *path);
gboolean  vx_window_is_loading        (VxWindow *self);

gboolean  vx_window_save_study   (VxWindow *self, const char *path, GError **error);
gboolean  vx_window_open_study   (VxWindow *self, const char *path, GError **error);
/* every chart of every view as PNG, SVG and CSV into dir; *n_files set */
gboolean  vx_window_export_all   (VxWindow *self, const char *dir, guint *n_files, GError **error);

/* back to the settings before the last change, and forward again; FALSE when there is none */
gboolean  vx_window_undo         (VxWindow *self);
gboolean  vx_window_redo         (VxWindow *self);
/* the settings differ from the study file's (or from the start, for an untitled study) */
gboolean  vx_window_is_dirty     (VxWindow *self);

void      vx_window_set_classroom (VxWindow *self, gboolean classroom);
/* the controls pane (hidden in classroom mode until F9) */
void      vx_window_set_controls_visible (VxWindow *self, gboolean visible);
gboolean  vx_window_get_controls_visible (VxWindow *self);
gboolean  vx_window_get_classroom (VxWindow *self);
/* keep the SNR axis while settings change (it only widens) */
void      vx_window_set_lock_axes (VxWindow *self, gboolean lock);
/* compare what follows with the result shown now (FALSE: with the ideal model again) */
void      vx_window_pin_baseline  (VxWindow *self, gboolean pin);
void      vx_window_show_tour_step (VxWindow *self, guint step);
guint     vx_window_get_tour_step (VxWindow *self);

/* the window as rendered now, as a PNG file */
gboolean  vx_window_save_screenshot (VxWindow *self, const char *path, GError **error);

G_END_DECLS
