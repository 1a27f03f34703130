/* vx-window.c: the main window: settings to worker and views, classroom mode, test hooks, GObject */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vx-settings.h"
#include "vx-window-private.h"

G_DEFINE_FINAL_TYPE (VxWindow, vx_window, GTK_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_CLASSROOM, PROP_CONTROLS_VISIBLE, PROP_LOCK_AXES, PROP_PINNED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *const stage_nicks[] = { "before", "after", "both", "written", NULL };

static void
on_worker_updated (VxWorker *worker, int stage, VxWindow *self)
{
  if (stage == VX_WORKER_STAGE_STARTED)
    self->started_at = g_get_monotonic_time ();
  if (stage == VX_WORKER_STAGE_IDLE)
    self->finished_at = g_get_monotonic_time ();
  _vx_window_refresh_stage (self, stage);
  if (stage == VX_WORKER_STAGE_CURRENT_DONE)
    _vx_window_runs_add (self, vx_worker_get_current (worker));
  if (stage != VX_WORKER_STAGE_BATCH)
    _vx_window_tour_update (self);
}

static void
on_worker_busy (VxWorker *worker, GParamSpec *pspec, VxWindow *self)
{
  _vx_window_refresh_status (self, vx_worker_get_current (worker));
}

/* ---- settings -> worker, views --------------------------------------------------------------- */

void
_vx_window_apply_settings (VxWindow *self)
{
  VsRunSettings s;
  vx_run_settings_load (&s, self->settings);
  vx_worker_request (self->worker, &s);
  g_autofree char *json = vs_run_settings_to_json_string (&s, FALSE);
  vx_hardware_view_update (self->hardware_view, self->model ? &self->model->model->arch : NULL,
                           self->model ? self->model->name : NULL, &s.xbar, json, &self->style);
  if (self->model && self->data)
    {
      vx_sample_view_set_inputs (self->sample_view, self->model, self->data, &s, &self->style);
      vx_sweeps_view_set_inputs (self->sweeps_view, self->model, self->data, &s, &self->style);
    }
}

/* a tour step, a preset or a study changes many keys at once: one request for all */
static gboolean
apply_settings_idle (gpointer data)
{
  VxWindow *self = data;
  self->apply_id = 0;
  _vx_window_history_commit (self);
  _vx_window_apply_settings (self);
  return G_SOURCE_REMOVE;
}

static void
on_settings_changed (GSettings *settings, const char *key, VxWindow *self)
{
  if (vx_settings_is_compute_key (key))
    {
      if (!self->apply_id)
        self->apply_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_settings_idle, self, NULL);
    }
  else if (g_str_has_prefix (key, "hist-"))
    {
      int kv = g_settings_get_enum (settings, "hist-matrix");
      gtk_toggle_button_set_active (kv ? self->matrix_v_button : self->matrix_k_button, TRUE);
      _vx_window_refresh_histogram (self);
    }
  else if (g_str_equal (key, "recent-studies"))
    _vx_window_update_recent (self);
}

static void
on_matrix_toggled (GtkToggleButton *button, VxWindow *self)
{
  if (gtk_toggle_button_get_active (button))
    g_settings_set_enum (self->settings, "hist-matrix", button == self->matrix_v_button);
}

void
_vx_window_update_recent (VxWindow *self)
{
  g_auto (GStrv) uris = g_settings_get_strv (self->settings, "recent-studies");
  g_menu_remove_all (self->recent_section);
  for (int i = 0; uris[i]; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (uris[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr (GMenuItem) item = g_menu_item_new (name, NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (self->recent_section, item);
    }
}

/* ---- classroom --------------------------------------------------------------------------------- */

static gboolean
on_tour_key (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
             VxWindow *self)
{
  switch (keyval)
    {
    case GDK_KEY_Right: case GDK_KEY_Page_Down: case GDK_KEY_space: case GDK_KEY_KP_Right:
      gtk_widget_activate_action (GTK_WIDGET (self), "win.tour-next", NULL);
      return TRUE;
    case GDK_KEY_Left: case GDK_KEY_Page_Up: case GDK_KEY_BackSpace: case GDK_KEY_KP_Left:
      gtk_widget_activate_action (GTK_WIDGET (self), "win.tour-previous", NULL);
      return TRUE;
    case GDK_KEY_Escape:
      vx_window_set_classroom (self, FALSE);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
restyle (VxWindow *self)
{
  /* a projector needs larger text and thicker lines (ui/vx-chart-common.h) */
  self->style.font_scale = self->classroom ? 1.4 : 1.0;
  self->style.line_scale = self->classroom ? 1.5 : 1.0;
  _vx_window_apply_settings (self);
  _vx_window_refresh (self);
}

void
vx_window_set_classroom (VxWindow *self, gboolean classroom)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  classroom = !!classroom;
  if (classroom == self->classroom)
    return;
  self->classroom = classroom;
  /* the tour's axis is its own; the user's locked one starts again afterwards */
  self->snr_lo = self->snr_hi = 0.0;
  /* the class sees the charts; the tour bar says what each step set (F9 shows the controls) */
  vx_window_set_controls_visible (self, !classroom);
  gtk_widget_set_visible (GTK_WIDGET (self->kv_stats_note), !classroom);
  if (classroom)
    {
      /* the tour sets the controls; the user's own settings come back afterwards */
      vx_run_settings_load (&self->before_classroom, self->settings);
      gtk_widget_add_css_class (GTK_WIDGET (self), "classroom");
      gtk_window_fullscreen (GTK_WINDOW (self));
      self->tour_keys = gtk_event_controller_key_new ();
      gtk_event_controller_set_propagation_phase (self->tour_keys, GTK_PHASE_CAPTURE);
      g_signal_connect (self->tour_keys, "key-pressed", G_CALLBACK (on_tour_key), self);
      gtk_widget_add_controller (GTK_WIDGET (self), self->tour_keys);
      gtk_widget_set_visible (GTK_WIDGET (self->tour_bar), TRUE);
      vx_window_show_tour_step (self, self->tour_step);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "classroom");
      gtk_window_unfullscreen (GTK_WINDOW (self));
      if (self->tour_keys)
        gtk_widget_remove_controller (GTK_WIDGET (self), self->tour_keys);
      self->tour_keys = NULL;
      gtk_widget_set_visible (GTK_WIDGET (self->tour_bar), FALSE);
      /* back to where the user was: not a step to undo */
      vx_run_settings_store (&self->before_classroom, self->settings);
      self->history_restoring = TRUE;
      _vx_window_history_commit (self);
    }
  restyle (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASSROOM]);
}

void
vx_window_set_lock_axes (VxWindow *self, gboolean lock)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  lock = !!lock;
  if (lock == self->lock_axes)
    return;
  self->lock_axes = lock;
  self->snr_lo = self->snr_hi = 0.0;
  if (self->settings)
    _vx_window_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_AXES]);
}

void
vx_window_pin_baseline (VxWindow *self, gboolean pin)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  VsRunResult *cur = pin && self->worker ? vx_worker_get_current (self->worker) : NULL;
  if (!pin && !self->baseline)
    return;
  g_clear_pointer (&self->baseline, vs_run_result_unref);
  if (cur)
    self->baseline = vs_run_result_ref (cur);
  if (self->settings)
    _vx_window_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

gboolean
vx_window_get_classroom (VxWindow *self)
{
  return self->classroom;
}

void
vx_window_set_controls_visible (VxWindow *self, gboolean visible)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  visible = !!visible;
  if (!self->controls_scroller || visible == vx_window_get_controls_visible (self))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->controls_scroller), visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTROLS_VISIBLE]);
}

gboolean
vx_window_get_controls_visible (VxWindow *self)
{
  /* asked by the property action while the window is disposed too */
  return self->controls_scroller && gtk_widget_get_visible (GTK_WIDGET (self->controls_scroller));
}

/* ---- hooks ---------------------------------------------------------------------------------------- */

VxWorker *
vx_window_get_worker (VxWindow *self)
{
  return self->worker;
}

GSettings *
vx_window_get_settings (VxWindow *self)
{
  return self->settings;
}

VsRunResult *
vx_window_get_last_result (VxWindow *self)
{
  return vx_worker_get_current (self->worker);
}

static gboolean
on_wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
vx_window_is_busy (VxWindow *self)
{
  return self->apply_id || self->loading || self->tour_jobs > 0 || vx_worker_is_busy (self->worker)
         || vx_sample_view_is_busy (self->sample_view) || vx_sweeps_view_is_running (self->sweeps_view);
}

gboolean
vx_window_wait_idle (VxWindow *self, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);
  while (!timed_out && vx_window_is_busy (self))
    g_main_context_iteration (NULL, TRUE);
  /* let the last results reach the screen */
  while (!timed_out && g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

VxChartCard *
vx_window_get_card (VxWindow *self, const char *name)
{
  g_autoptr (GList) cards = vx_window_get_cards (self);
  for (GList *l = cards; l; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), name) == 0)
      return l->data;
  return NULL;
}

const char *
vx_window_get_delta_text (VxWindow *self)
{
  return gtk_label_get_label (self->delta_label);
}

const char *
vx_window_get_accuracy_text (VxWindow *self)
{
  return gtk_label_get_label (self->accuracy_label);
}

VxSweepsView *
vx_window_get_sweeps_view (VxWindow *self)
{
  return self->sweeps_view;
}

VxSampleView *
vx_window_get_sample_view (VxWindow *self)
{
  return self->sample_view;
}

VsSharedModel *
vx_window_get_model (VxWindow *self)
{
  return self->model;
}

VsSharedData *
vx_window_get_data (VxWindow *self)
{
  return self->data;
}

/* ---- GObject --------------------------------------------------------------------------------------- */

static gboolean
int_to_uint (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_uint (value, (guint) MAX (0, g_variant_get_int32 (variant)));
  return TRUE;
}

static GVariant *
uint_to_int (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint v = g_value_get_uint (value);
  return v == GTK_INVALID_LIST_POSITION ? NULL : g_variant_new_int32 ((gint32) MIN (v, 127u));
}

static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);
  for (guint i = 0; stage_nicks[i]; i++)
    if (g_str_equal (stage_nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint i = g_value_get_uint (value);
  return i < G_N_ELEMENTS (stage_nicks) - 1 ? g_variant_new_string (stage_nicks[i]) : NULL;
}

/* a point of the Sweeps view was clicked: its settings, as one undo step */
static void
on_sweep_apply (VxSweepsView *view, gpointer settings, VxWindow *self)
{
  vx_run_settings_store (settings, self->settings);
  _vx_window_history_set_label (self, "Used a sweep point: {n} parameters changed");
  _vx_window_history_commit (self);
}

static void
bind_settings (VxWindow *self)
{
  GSettings *s = self->settings;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (s, "window-width"),
                               g_settings_get_int (s, "window-height"));
  if (g_settings_get_boolean (s, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (s, "sidebar-width", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "view", self->view_stack, "visible-child-name", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (s, "hist-block", self->block_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, int_to_uint, uint_to_int, NULL, NULL);
  g_settings_bind_with_mapping (s, "hist-stage", self->stage_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick, NULL, NULL);
  g_settings_bind (s, "hist-log", self->log_button, "active", G_SETTINGS_BIND_DEFAULT);
  gtk_toggle_button_set_active (g_settings_get_enum (s, "hist-matrix") ? self->matrix_v_button
                                : self->matrix_k_button, TRUE);
  g_signal_connect (self->matrix_k_button, "toggled", G_CALLBACK (on_matrix_toggled), self);
  g_signal_connect (self->matrix_v_button, "toggled", G_CALLBACK (on_matrix_toggled), self);
  vx_controls_bind (self->controls, s);
  vx_sample_view_bind (self->sample_view, s);
  g_signal_connect (self->sweeps_view, "apply-settings", G_CALLBACK (on_sweep_apply), self);
  g_signal_connect_object (s, "changed", G_CALLBACK (on_settings_changed), self, 0);
  _vx_window_update_recent (self);
}

static void
on_settings_report (GSettings *settings, const char *message, gpointer user_data)
{
  VxWindow *self = user_data;
  /* several problems found together are shown together */
  const char *shown = vx_window_get_toast (self);
  g_autofree char *text = shown ? g_strconcat (shown, "\n", message, NULL) : g_strdup (message);
  _vx_window_toast (self, text, NULL, NULL);
}

VxWindow *
vx_window_new (GtkApplication *app, GSettings *settings)
{
  VxWindow *self = g_object_new (VX_TYPE_WINDOW, "application", app, NULL);
  self->settings = g_object_ref (settings);
  /* values the settings could not keep (out of range, unknown, inconsistent) are
   * shown, not dropped silently; problems found at start-up are replayed now */
  vx_settings_set_report_func (self->settings, on_settings_report, self);
  bind_settings (self);
  _vx_window_history_commit (self);
  _vx_window_mark_clean (self, NULL);
  _vx_window_apply_settings (self);
  _vx_window_update_actions (self);
  _vx_window_refresh (self);
  return self;
}

static gboolean
vx_window_close_request (GtkWindow *window)
{
  VxWindow *self = VX_WINDOW (window);
  /* the user's own settings, not the tour's, are kept for the next session and
   * are the ones that may need saving */
  if (self->classroom)
    vx_window_set_classroom (self, FALSE);
  if (self->settings && !_vx_window_confirm_close (self))
    return TRUE;
  if (self->settings && !self->classroom)
    {
      int w, h;
      gtk_window_get_default_size (window, &w, &h);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window) && w > 0 && h > 0)
        {
          g_settings_set_int (self->settings, "window-width", CLAMP (w, 480, 16384));
          g_settings_set_int (self->settings, "window-height", CLAMP (h, 360, 16384));
        }
    }
  return GTK_WINDOW_CLASS (vx_window_parent_class)->close_request (window);
}

static void
vx_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_CLASSROOM)
    g_value_set_boolean (value, VX_WINDOW (object)->classroom);
  else if (prop_id == PROP_CONTROLS_VISIBLE)
    g_value_set_boolean (value, vx_window_get_controls_visible (VX_WINDOW (object)));
  else if (prop_id == PROP_LOCK_AXES)
    g_value_set_boolean (value, VX_WINDOW (object)->lock_axes);
  else if (prop_id == PROP_PINNED)
    g_value_set_boolean (value, VX_WINDOW (object)->baseline != NULL);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vx_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_CLASSROOM)
    vx_window_set_classroom (VX_WINDOW (object), g_value_get_boolean (value));
  else if (prop_id == PROP_CONTROLS_VISIBLE)
    vx_window_set_controls_visible (VX_WINDOW (object), g_value_get_boolean (value));
  else if (prop_id == PROP_LOCK_AXES)
    vx_window_set_lock_axes (VX_WINDOW (object), g_value_get_boolean (value));
  else if (prop_id == PROP_PINNED)
    vx_window_pin_baseline (VX_WINDOW (object), g_value_get_boolean (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vx_window_dispose (GObject *object)
{
  VxWindow *self = VX_WINDOW (object);
  g_clear_handle_id (&self->apply_id, g_source_remove);
  g_clear_handle_id (&self->relayout_id, g_source_remove);
  if (self->close_dialog)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->close_dialog)));
  if (self->tour_results)
    _vx_window_tour_forget (self);
  g_clear_pointer (&self->tour_results, g_hash_table_unref);
  g_clear_pointer (&self->tour_pending, g_hash_table_unref);
  if (self->worker)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_WINDOW);
  _vx_window_history_clear (self);
  _vx_window_runs_free (self);
  if (self->settings)
    vx_settings_set_report_func (self->settings, NULL, NULL);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->baseline, vs_run_result_unref);
  g_clear_pointer (&self->model, vs_shared_model_unref);
  g_clear_pointer (&self->data, vs_shared_data_unref);
  G_OBJECT_CLASS (vx_window_parent_class)->dispose (object);
}

/* charts follow the theme: dark when the theme's text colour is light (this covers
 * a dark GTK theme, GTK_THEME=...:dark and gtk-application-prefer-dark-theme) */
static void
sync_variant (VxWindow *self)
{
  GdkRGBA fg;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  double luminance = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue;
  VxChartVariant v = luminance > 0.5 ? VX_CHART_VARIANT_DARK : VX_CHART_VARIANT_LIGHT;
  if (v == self->style.variant)
    return;
  self->style.variant = v;
  if (self->settings)
    {
      _vx_window_apply_settings (self);
      _vx_window_refresh (self);
    }
}

static void
on_theme_changed (GtkSettings *gs, GParamSpec *pspec, VxWindow *self)
{
  sync_variant (self);
}

static void
vx_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GTK_WIDGET_CLASS (vx_window_parent_class)->size_allocate (widget, width, height, baseline);
  _vx_window_check_width (VX_WINDOW (widget), width);
}

static void
vx_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vx_window_parent_class)->realize (widget);
  sync_variant (VX_WINDOW (widget));
}

static void
vx_window_class_init (VxWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = vx_window_get_property;
  object_class->set_property = vx_window_set_property;
  object_class->dispose = vx_window_dispose;
  window_class->close_request = vx_window_close_request;
  widget_class->realize = vx_window_realize;
  widget_class->size_allocate = vx_window_size_allocate;

  properties[PROP_CLASSROOM] = g_param_spec_boolean ("classroom", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                     | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONTROLS_VISIBLE] = g_param_spec_boolean ("controls-visible", NULL, NULL, TRUE,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                            | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOCK_AXES] = g_param_spec_boolean ("lock-axes", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                     | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PINNED] = g_param_spec_boolean ("baseline-pinned", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                  | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VX_TYPE_CONTROLS);
  g_type_ensure (VX_TYPE_CHART_CARD);
  g_type_ensure (VX_TYPE_SWEEPS_VIEW);
  g_type_ensure (VX_TYPE_HARDWARE_VIEW);
  g_type_ensure (VX_TYPE_SAMPLE_VIEW);
  g_type_ensure (VX_TYPE_TOUR_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-window.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VxWindow, name)
  CHILD (open_button);
  CHILD (runs_button);
  CHILD (classroom_button);
  CHILD (busy_spinner);
  CHILD (banner_revealer);
  CHILD (banner_label);
  CHILD (banner_button);
  CHILD (paned);
  CHILD (overview_grid);
  CHILD (readout);
  CHILD (stats_card);
  CHILD (controls_scroller);
  CHILD (controls);
  CHILD (progress_bar);
  CHILD (toast_revealer);
  CHILD (toast_label);
  CHILD (toast_button);
  CHILD (view_stack);
  CHILD (accuracy_label);
  CHILD (interval_label);
  CHILD (images_label);
  CHILD (ideal_label);
  CHILD (other_name_label);
  CHILD (other_label);
  CHILD (snr_label);
  CHILD (status_label);
  CHILD (delta_label);
  CHILD (baseline_name_label);
  CHILD (baseline_label);
  CHILD (images_bar);
  CHILD (hist_card);
  CHILD (radar_card);
  CHILD (snr_card);
  CHILD (block_dropdown);
  CHILD (block_list);
  CHILD (matrix_k_button);
  CHILD (matrix_v_button);
  CHILD (stage_dropdown);
  CHILD (log_button);
  CHILD (kv_stats_grid);
  CHILD (kv_stats_note);
  CHILD (sweeps_view);
  CHILD (hardware_view);
  CHILD (sample_view);
  CHILD (tour_bar);
  CHILD (recent_section);
#undef CHILD
  _vx_window_class_add_actions (widget_class);
}

static void
vx_window_init (VxWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->style.font_scale = 1.0;
  GtkSettings *gs = gtk_settings_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  g_signal_connect_object (gs, "notify::gtk-application-prefer-dark-theme", G_CALLBACK (on_theme_changed), self, 0);
  g_signal_connect_object (gs, "notify::gtk-theme-name", G_CALLBACK (on_theme_changed), self, 0);
  self->tour_results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) vs_run_result_unref);
  self->tour_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _vx_window_history_init (self);
  _vx_window_runs_init (self);
  _vx_window_guard_wheel (self);
  self->worker = vx_worker_new ();
  g_signal_connect (self->worker, "updated", G_CALLBACK (on_worker_updated), self);
  g_signal_connect (self->worker, "notify::busy", G_CALLBACK (on_worker_busy), self);
}
