/* vx-window.c: the main window: inputs, settings, and the overview drawn from the worker's results */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vx-dialogs.h"
#include "vx-error.h"
#include "vx-hw.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-result-charts.h"
#include "vx-settings.h"
#include "vx-study.h"
#include "vx-window-private.h"

G_DEFINE_FINAL_TYPE (VxWindow, vx_window, GTK_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_CLASSROOM, PROP_CONTROLS_VISIBLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *const stage_nicks[] = { "before", "after", "both", NULL };

/* ---- formatting ------------------------------------------------------------------------ */

/* 12345 -> "12,345" whatever the locale: the figures are read next to the charts' */
static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *s = g_string_new (n < 0 ? "−" : "");
  size_t len = strlen (digits);
  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static char *
format_percent (double fraction)
{
  return isfinite (fraction) ? g_strdup_printf ("%.1f %%", 100.0 * fraction) : g_strdup ("—");
}

/* ---- the K/V statistics beside the histogram --------------------------------------------- */

static void
stats_row (GtkGrid *grid, int row, const char *name, const char *value, const char *tooltip)
{
  GtkWidget *l = gtk_label_new (name);
  GtkWidget *v = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_xalign (GTK_LABEL (v), 1);
  gtk_widget_add_css_class (l, "dim-label");
  gtk_widget_add_css_class (v, "numeric");
  gtk_widget_set_tooltip_text (l, tooltip);
  gtk_widget_set_tooltip_text (v, tooltip);
  gtk_grid_attach (grid, l, 0, row, 1, 1);
  gtk_grid_attach (grid, v, 1, row, 1, 1);
}

static void
refresh_stats (VxWindow *self, const VxRunResult *r, int block, int kv)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->kv_stats_grid))))
    gtk_grid_remove (self->kv_stats_grid, child);
  g_autofree char *title = g_strdup_printf ("%s, block %d", kv ? "V" : "Kᵀ", block + 1);
  GtkWidget *heading = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (self->kv_stats_grid, heading, 0, 0, 2, 1);
  if (!r || !r->kv_stats || block >= r->depth)
    {
      stats_row (self->kv_stats_grid, 1, "Waiting for the first batch", "", NULL);
      gtk_label_set_label (self->kv_stats_note, "");
      return;
    }
  const VxKvStats *s = &r->kv_stats[block * 2 + kv];
  const VxXbarHist *h = vx_run_result_hist (r, block, kv);
  g_autofree char *v0 = g_strdup_printf ("%.1f", s->max_over_mean);
  g_autofree char *v1 = g_strdup_printf ("%.2f", s->excess_kurtosis);
  g_autofree char *v2 = g_strdup_printf ("%.2f", s->channel_max_ratio);
  g_autofree char *v3 = g_strdup_printf ("%.1f %%", 100 * s->share_clipped);
  g_autofree char *v4 = g_strdup_printf ("%.1f %%", 100 * s->share_zeroed);
  g_autofree char *v5 = g_strdup_printf ("%.1f %%", 100 * vx_xbar_hist_frac_at_gmin (h, 1));
  g_autofree char *v6 = g_strdup_printf ("%d (%d bits)", s->max_level, s->bits_used);
  stats_row (self->kv_stats_grid, 1, "max / mean |x|", v0,
             "Mean over heads and images of the largest |value| over the mean |value|: "
             "large for matrices with outliers");
  stats_row (self->kv_stats_grid, 2, "Excess kurtosis", v1,
             "0 for a Gaussian; large when a few values dominate");
  stats_row (self->kv_stats_grid, 3, "Top / median channel", v2,
             "Largest channel maximum over the median channel maximum (outlier channels)");
  stats_row (self->kv_stats_grid, 4, "Clipped (stage II)", v3,
             "Share of values above the clip: ClipFormer stage II caps them at β·G_max");
  stats_row (self->kv_stats_grid, 5, "Zeroed (stage I)", v4,
             "Share of values within α·G_min of the floor: stage I makes them exact zeros");
  stats_row (self->kv_stats_grid, 6, "Cells at G_min", v5,
             "Share of all cells (G+ and G−) programmed at G_min, where write noise is zero");
  stats_row (self->kv_stats_grid, 7, "Top level used", v6,
             "Largest programmed level and the bits it needs (8-bit arrays: 255)");
  g_autofree char *note = g_strdup_printf ("Over %d images, K/V scale %s. Clipped and zeroed "
                                           "shares use α = %g, β = %g, whether or not "
                                           "ClipFormer is on.", r->snr_images,
                                           vx_kv_scale_to_string (r->settings.xbar.kv_scale),
                                           r->settings.xbar.alpha, r->settings.xbar.beta);
  gtk_label_set_label (self->kv_stats_note, note);
}

/* ---- the overview ---------------------------------------------------------------------------- */

static void
set_card (VxWindow *self, VxChartCard *card, VxChartBox *box)
{
  const VxRunSettings *s = vx_worker_get_settings (self->worker);
  g_autofree char *json = s ? vx_run_settings_to_json_string (s, FALSE) : NULL;
  vx_chart_card_set_box (card, box);
  vx_chart_card_set_settings_json (card, json);
}

void
_vx_window_refresh_histogram (VxWindow *self)
{
  VxRunResult *r = vx_worker_get_current (self->worker);
  int depth = self->model ? self->model->model->arch.depth : 1;
  int block = MIN (g_settings_get_int (self->settings, "hist-block"), depth - 1);
  int kv = g_settings_get_enum (self->settings, "hist-matrix");
  VxHistStage stage = g_settings_get_enum (self->settings, "hist-stage");
  gboolean log_y = g_settings_get_boolean (self->settings, "hist-log");
  set_card (self, self->hist_card, vx_result_chart_histogram (r, block, kv, stage, log_y, &self->style));
  refresh_stats (self, r, block, kv);
}

static gboolean
estimate (const VxArch *a, const VxXbarConfig *cfg, gboolean clip, VxHwReport *out)
{
  VxXbarConfig c = *cfg;
  c.clipformer = clip;
  return vx_hw_estimate (a, &c, out, NULL);
}

static void
refresh_radar (VxWindow *self, const VxRunSettings *s, VxRunResult *plain, VxRunResult *clip)
{
  VxRadarEntry e[3];
  guint n = 0;
  VxHwReport hp, hc, hs;
  const VxArch *a = &self->model->model->arch;
  g_autofree char *clabel = NULL;
  VxXbarConfig cc = s->xbar;
  cc.clipformer = TRUE;
  clabel = vx_result_config_label (&cc);
  if (estimate (a, &s->xbar, FALSE, &hp))
    e[n++] = (VxRadarEntry) { "Untransformed", plain && plain->images_done ? plain->top1 : NAN,
                              hp.attn_area_mm2, hp.attn_energy_uj };
  if (estimate (a, &s->xbar, TRUE, &hc))
    e[n++] = (VxRadarEntry) { clabel, clip && clip->images_done ? clip->top1 : NAN,
                              hc.attn_area_mm2, hc.attn_energy_uj };
  VxXbarConfig sram;
  vx_xbar_config_init_preset (&sram, VX_XBAR_PRESET_SRAM_IMC);
  if (strcmp (s->xbar.preset, "sram-imc") != 0 && vx_hw_estimate (a, &sram, &hs, NULL))
    e[n++] = (VxRadarEntry) { "SRAM digital IMC", vx_worker_get_ideal (self->worker),
                              hs.attn_area_mm2, hs.attn_energy_uj };
  g_autofree char *sub = g_strdup_printf ("%s · γ = %g · SRAM: noise-free, the ideal accuracy",
                                          self->model->name, s->xbar.gamma);
  set_card (self, self->radar_card,
            vx_result_chart_radar (e, n, a->num_classes, sub, &self->style));
}

static void
refresh_readout (VxWindow *self, const VxRunSettings *s, VxRunResult *cur, VxRunResult *oth)
{
  gboolean have = cur && cur->images_done > 0;
  g_autofree char *acc = format_percent (have ? cur->top1 : NAN);
  gtk_label_set_label (self->accuracy_label, acc);
  g_autofree char *interval = NULL;
  if (have)
    {
      g_autofree char *extra = cur->complete && cur->repeats > 1
        ? g_strdup_printf (" · σ over %d repeats %.2f %%", cur->repeats, 100 * cur->top1_std)
        : g_strdup ("");
      interval = g_strdup_printf ("95 %% interval %.1f–%.1f %%%s", 100 * cur->top1_lo,
                                  100 * cur->top1_hi, extra);
    }
  gtk_label_set_label (self->interval_label, interval ? interval : "95 % interval —");
  int total = cur ? cur->n * cur->repeats : 0;
  g_autofree char *done = format_count (cur ? cur->images_done : 0);
  g_autofree char *all = format_count (total);
  g_autofree char *images = cur && cur->repeats > 1
    ? g_strdup_printf ("%s of %s images (%d repeats)", done, all, cur->repeats)
    : g_strdup_printf ("%s of %s images", done, all);
  gtk_label_set_label (self->images_label, cur ? images : "");
  gtk_level_bar_set_value (self->images_bar, total > 0 ? (double) cur->images_done / total : 0.0);

  g_autofree char *ideal = format_percent (vx_worker_get_ideal (self->worker));
  gtk_label_set_label (self->ideal_label, ideal);
  VxRunSettings other;
  vx_run_settings_toggle_clipformer (s, &other);
  g_autofree char *oname = vx_result_config_label (&other.xbar);
  gtk_label_set_label (self->other_name_label, oname);
  g_autofree char *oacc = format_percent (oth && oth->images_done ? oth->top1 : NAN);
  g_autofree char *oacc2 = oth && !oth->complete && oth->images_done ? g_strconcat (oacc, " …", NULL) : NULL;
  gtk_label_set_label (self->other_label, oacc2 ? oacc2 : oacc);
  g_autofree char *snr = cur && cur->snr_db ? g_strdup_printf ("%.1f dB", cur->snr_mean_db) : g_strdup ("—");
  gtk_label_set_label (self->snr_label, snr);
}

static void
refresh_status (VxWindow *self, VxRunResult *cur)
{
  const char *error = vx_worker_get_error (self->worker);
  gboolean busy = vx_worker_is_busy (self->worker);
  g_autofree char *status = NULL;
  const char *model = self->model ? self->model->name : "no model";
  g_autofree char *count = self->data ? format_count (self->data->data->n) : NULL;
  g_autofree char *data = self->data ? g_strdup_printf ("%s (%s images)", self->data->name, count)
                                     : g_strdup ("no dataset");
  if (self->loading)
    status = g_strdup_printf ("%s · %s\nLoading…", model, data);
  else if (busy)
    status = g_strdup_printf ("%s · %s\nComputing…", model, data);
  else if (cur && cur->complete)
    status = g_strdup_printf ("%s · %s\nDone (%.1f s of compute)", model, data, cur->seconds);
  else
    status = g_strdup_printf ("%s · %s", model, data);
  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), status);
  gtk_spinner_set_spinning (self->busy_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy);
  gtk_progress_bar_set_fraction (self->progress_bar, vx_worker_get_fraction (self->worker));

  if (!self->model || !self->data)
    {
      gtk_label_set_label (self->banner_label, error ? error : "Open a model to begin.");
      gtk_button_set_label (self->banner_button, self->model ? "Open _Dataset…" : "Open _Model…");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button),
                                      self->model ? "win.open-dataset" : "win.open-model");
      gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
    }
  else if (error && !busy)
    {
      gtk_label_set_label (self->banner_label, error);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_label), error);
      gtk_button_set_label (self->banner_button, "_Reset to Paper Defaults");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), "win.reset-defaults");
      gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
    }
  else
    gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

void
_vx_window_refresh (VxWindow *self)
{
  const VxRunSettings *s = vx_worker_get_settings (self->worker);
  VxRunResult *cur = vx_worker_get_current (self->worker);
  VxRunResult *oth = vx_worker_get_other (self->worker);
  refresh_status (self, cur);
  _vx_window_refresh_histogram (self);
  if (!s || !self->model)
    {
      set_card (self, self->snr_card, vx_result_chart_snr (NULL, NULL, &self->style));
      set_card (self, self->radar_card, vx_result_chart_radar (NULL, 0, 10, NULL, &self->style));
      refresh_readout (self, s ? s : &(VxRunSettings) { 0 }, NULL, NULL);
      return;
    }
  VxRunResult *plain = s->xbar.clipformer ? oth : cur;
  VxRunResult *clip = s->xbar.clipformer ? cur : oth;
  set_card (self, self->snr_card, vx_result_chart_snr (plain, clip, &self->style));
  refresh_radar (self, s, plain, clip);
  refresh_readout (self, s, cur, oth);
}

static void
on_worker_updated (VxWorker *worker, int stage, VxWindow *self)
{
  if (stage == VX_WORKER_STAGE_STARTED)
    self->started_at = g_get_monotonic_time ();
  if (stage == VX_WORKER_STAGE_IDLE)
    self->finished_at = g_get_monotonic_time ();
  _vx_window_refresh (self);
}

static void
on_worker_busy (VxWorker *worker, GParamSpec *pspec, VxWindow *self)
{
  refresh_status (self, vx_worker_get_current (worker));
}

/* ---- settings -> worker, views --------------------------------------------------------------- */

void
_vx_window_apply_settings (VxWindow *self)
{
  VxRunSettings s;
  vx_run_settings_load (&s, self->settings);
  vx_worker_request (self->worker, &s);
  g_autofree char *json = vx_run_settings_to_json_string (&s, FALSE);
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

/* ---- inputs ------------------------------------------------------------------------------------- */

static void
set_inputs (VxWindow *self, VxSharedModel *model, VxSharedData *data)
{
  if (model && model != self->model)
    {
      g_clear_pointer (&self->model, vx_shared_model_unref);
      self->model = vx_shared_model_ref (model);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->block_list));
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      for (int l = 0; l < model->model->arch.depth; l++)
        {
          g_autofree char *item = g_strdup_printf ("Block %d", l + 1);
          g_strv_builder_add (b, item);
        }
      g_auto (GStrv) items = g_strv_builder_end (b);
      gtk_string_list_splice (self->block_list, 0, n, (const char *const *) items);
      g_autofree char *title = g_strdup_printf ("ViT-X Explorer — %s", model->name);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  if (data && data != self->data)
    {
      g_clear_pointer (&self->data, vx_shared_data_unref);
      self->data = vx_shared_data_ref (data);
    }
  if (self->model)
    vx_controls_set_limits (self->controls, vx_arch_head_dim (&self->model->model->arch),
                            self->data ? self->data->data->n : 10000);
  vx_worker_set_inputs (self->worker, self->model, self->data);
  _vx_window_apply_settings (self);
  _vx_window_update_actions (self);
  _vx_window_refresh (self);
}

gboolean
vx_window_load_model (VxWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  g_autoptr (VxModel) m = vx_model_load (path, error);
  if (!m || !vx_model_check_finite (m, error))
    return FALSE;
  g_autoptr (VxSharedModel) shared = vx_shared_model_new (g_steal_pointer (&m));
  set_inputs (self, shared, NULL);
  return TRUE;
}

gboolean
vx_window_load_dataset (VxWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (VX_IS_WINDOW (self), FALSE);
  g_autoptr (VxDataset) ds = vx_dataset_open (path, self->model ? self->model->model : NULL, error);
  if (!ds)
    return FALSE;
  g_autoptr (VxSharedData) shared = vx_shared_data_new (g_steal_pointer (&ds));
  set_inputs (self, NULL, shared);
  return TRUE;
}

gboolean
vx_window_load_default_dataset (VxWindow *self, GError **error)
{
  g_autoptr (VxDataset) ds = vx_dataset_open_default (error);
  if (!ds)
    return FALSE;
  g_autoptr (VxSharedData) data = vx_shared_data_new (g_steal_pointer (&ds));
  set_inputs (self, NULL, data);
  return TRUE;
}

gboolean
vx_window_load_default_model (VxWindow *self, GError **error)
{
  g_autofree char *path = vx_default_model_path (NULL);
  if (!path)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO,
                   "The shipped model data/models/%s was not found: open a model with "
                   "Open ▸ Open Model… (Ctrl+O).", VX_DEFAULT_MODEL_NAME);
      return FALSE;
    }
  return vx_window_load_model (self, path, error);
}

/* the study's settings, and its results when they were computed on the files loaded now */
static void
apply_study (VxWindow *self, const VxStudy *study)
{
  gboolean same_files = self->model && self->data
    && g_strcmp0 (study->model_path, self->model->model->path) == 0
    && g_strcmp0 (study->data_source, self->data->data->source) == 0;
  if (same_files)
    {
      if (study->current)
        vx_worker_seed_cache (self->worker, study->current);
      if (study->other)
        vx_worker_seed_cache (self->worker, study->other);
      if (study->current)
        vx_worker_seed_ideal (self->worker, study->current->n, study->ideal_top1);
    }
  vx_run_settings_store (&study->settings, self->settings);
}

/* ---- opening files without blocking the main loop ---------------------------------------- */

typedef struct {
  char *path;
  gboolean is_model;
  VxStudy *study;            /* applied once the model is in (nullable) */
  VxSharedModel *model;      /* the model a dataset is sized for (image folders), nullable */
  VxModel *loaded_model;
  VxDataset *loaded_data;
} OpenJob;

static void
open_job_free (gpointer data)
{
  OpenJob *job = data;
  g_free (job->path);
  vx_study_free (job->study);
  g_clear_pointer (&job->model, vx_shared_model_unref);
  vx_model_free (job->loaded_model);
  vx_dataset_free (job->loaded_data);
  g_free (job);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OpenJob *job = task_data;
  GError *error = NULL;
  if (job->is_model)
    {
      job->loaded_model = vx_model_load (job->path, &error);
      if (job->loaded_model && !vx_model_check_finite (job->loaded_model, &error))
        g_clear_pointer (&job->loaded_model, vx_model_free);
    }
  else
    job->loaded_data = vx_dataset_open (job->path, job->model ? job->model->model : NULL, &error);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
open_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  VxWindow *self = VX_WINDOW (source);
  OpenJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;
  self->loading--;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      vx_show_error (GTK_WIDGET (self), job->is_model
                     ? "The model could not be opened; the previous one stays loaded"
                     : "The dataset could not be opened; the previous one stays loaded",
                     error->message);
      if (job->study)
        apply_study (self, job->study);
      _vx_window_refresh (self);
      return;
    }
  if (job->is_model)
    {
      g_autoptr (VxSharedModel) m = vx_shared_model_new (g_steal_pointer (&job->loaded_model));
      set_inputs (self, m, NULL);
      if (job->study)
        apply_study (self, job->study);
    }
  else
    {
      g_autoptr (VxSharedData) d = vx_shared_data_new (g_steal_pointer (&job->loaded_data));
      set_inputs (self, NULL, d);
    }
}

static void
open_file (VxWindow *self, const char *path, gboolean is_model, VxStudy *study)
{
  OpenJob *job = g_new0 (OpenJob, 1);
  job->path = g_strdup (path);
  job->is_model = is_model;
  job->study = study;
  job->model = self->model ? vx_shared_model_ref (self->model) : NULL;
  self->loading++;
  _vx_window_refresh (self);
  GTask *task = g_task_new (self, NULL, open_done, NULL);
  g_task_set_task_data (task, job, open_job_free);
  g_task_run_in_thread (task, open_thread);
  g_object_unref (task);
}

void
vx_window_open_model_file (VxWindow *self, const char *path)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  open_file (self, path, TRUE, NULL);
}

void
vx_window_open_dataset_file (VxWindow *self, const char *path)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  open_file (self, path, FALSE, NULL);
}

gboolean
vx_window_is_loading (VxWindow *self)
{
  return self->loading > 0;
}

/* ---- studies ------------------------------------------------------------------------------- */

gboolean
vx_window_save_study (VxWindow *self, const char *path, GError **error)
{
  const VxRunSettings *s = vx_worker_get_settings (self->worker);
  VxRunSettings now;
  vx_run_settings_load (&now, self->settings);
  g_autoptr (VxStudy) study = vx_study_new (&now);
  g_autoptr (GDateTime) t = g_date_time_new_now_local ();
  study->saved = g_date_time_format_iso8601 (t);
  study->model_path = self->model && self->model->model->path ? g_strdup (self->model->model->path) : NULL;
  study->data_source = self->data && self->data->data->source ? g_strdup (self->data->data->source) : NULL;
  if (s && vx_run_settings_equal (s, &now))
    {
      VxRunResult *cur = vx_worker_get_current (self->worker), *oth = vx_worker_get_other (self->worker);
      study->current = cur ? vx_run_result_ref (cur) : NULL;
      study->other = oth ? vx_run_result_ref (oth) : NULL;
      study->ideal_top1 = vx_worker_get_ideal (self->worker);
    }
  if (!vx_study_save (study, path, error))
    return FALSE;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  vx_settings_add_recent (self->settings, uri);
  return TRUE;
}

gboolean
vx_window_open_study (VxWindow *self, const char *path, GError **error)
{
  g_autoptr (VxStudy) study = vx_study_load (path, error);
  if (!study)
    return FALSE;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  vx_settings_add_recent (self->settings, uri);
  /* another model: it loads on a worker thread and the study applies when it is in */
  if (study->model_path && (!self->model || g_strcmp0 (self->model->model->path, study->model_path) != 0)
      && g_file_test (study->model_path, G_FILE_TEST_IS_REGULAR))
    {
      open_file (self, study->model_path, TRUE, g_steal_pointer (&study));
      return TRUE;
    }
  apply_study (self, study);
  return TRUE;
}

/* ---- export, screenshot ----------------------------------------------------------------------- */

GList *
vx_window_get_cards (VxWindow *self)
{
  GList *l = NULL;
  l = g_list_append (l, self->hist_card);
  l = g_list_append (l, self->snr_card);
  l = g_list_append (l, self->radar_card);
  l = g_list_concat (l, vx_sweeps_view_get_cards (self->sweeps_view));
  l = g_list_concat (l, vx_hardware_view_get_cards (self->hardware_view));
  l = g_list_concat (l, vx_sample_view_get_cards (self->sample_view));
  return l;
}

gboolean
vx_window_export_all (VxWindow *self, const char *dir, guint *n_files, GError **error)
{
  g_autoptr (GList) cards = vx_window_get_cards (self);
  *n_files = 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the folder could not be created: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  for (GList *l = cards; l; l = l->next)
    {
      VxChartBox *box = vx_chart_card_get_box (l->data);
      /* charts still waiting for data (e.g. sweeps never run) are left out */
      if (!box || box->u.common.empty_message)
        continue;
      if (!vx_chart_card_export_all (l->data, dir, error))
        return FALSE;
      *n_files += 3;
    }
  return TRUE;
}

gboolean
vx_window_save_screenshot (VxWindow *self, const char *path, GError **error)
{
  GtkWidget *w = GTK_WIDGET (self);
  int width = gtk_widget_get_width (w), height = gtk_widget_get_height (w);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (width <= 0 || height <= 0 || !renderer)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the window is not shown yet", path);
      return FALSE;
    }
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (w);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (!node)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the window has not been drawn yet", path);
      return FALSE;
    }
  graphene_rect_t bounds;
  gsk_render_node_get_bounds (node, &bounds);
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node, &bounds);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: the screenshot could not be written", path);
      return FALSE;
    }
  return TRUE;
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
  self->style.font_scale = self->classroom ? 1.4 : 1.0;
  _vx_window_apply_settings (self);
  _vx_window_refresh (self);
}

void
vx_window_show_tour_step (VxWindow *self, guint step)
{
  guint n;
  const VxTourStep *steps = vx_tour_steps (&n);
  self->tour_step = MIN (step, n - 1);
  VxRunSettings now, s;
  vx_run_settings_load (&now, self->settings);
  vx_tour_step_settings (self->tour_step, &s);
  /* the evaluation's size stays the user's */
  s.n_images = now.n_images;
  s.repeats = now.repeats;
  s.xbar.seed = now.xbar.seed;
  vx_run_settings_store (&s, self->settings);
  gtk_stack_set_visible_child_name (self->view_stack, steps[self->tour_step].view);
  vx_tour_bar_show_step (self->tour_bar, self->tour_step);
  vx_tour_bar_set_settings (self->tour_bar, &s);
  _vx_window_update_actions (self);
}

guint
vx_window_get_tour_step (VxWindow *self)
{
  return self->tour_step;
}

void
vx_window_set_classroom (VxWindow *self, gboolean classroom)
{
  g_return_if_fail (VX_IS_WINDOW (self));
  classroom = !!classroom;
  if (classroom == self->classroom)
    return;
  self->classroom = classroom;
  /* the class sees the charts; the tour bar says what each step set (F9 shows the controls) */
  vx_window_set_controls_visible (self, !classroom);
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
      vx_run_settings_store (&self->before_classroom, self->settings);
    }
  restyle (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASSROOM]);
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

VxRunResult *
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
vx_window_wait_idle (VxWindow *self, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);
  while (!timed_out && (self->apply_id || self->loading || vx_worker_is_busy (self->worker)
                        || vx_sample_view_is_busy (self->sample_view)
                        || vx_sweeps_view_is_running (self->sweeps_view)))
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

VxSharedModel *
vx_window_get_model (VxWindow *self)
{
  return self->model;
}

VxSharedData *
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
  return i < 3 ? g_variant_new_string (stage_nicks[i]) : NULL;
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
  g_signal_connect_object (s, "changed", G_CALLBACK (on_settings_changed), self, 0);
  _vx_window_update_recent (self);
}

VxWindow *
vx_window_new (GtkApplication *app, GSettings *settings)
{
  VxWindow *self = g_object_new (VX_TYPE_WINDOW, "application", app, NULL);
  self->settings = g_object_ref (settings);
  bind_settings (self);
  _vx_window_apply_settings (self);
  _vx_window_update_actions (self);
  _vx_window_refresh (self);
  return self;
}

static gboolean
vx_window_close_request (GtkWindow *window)
{
  VxWindow *self = VX_WINDOW (window);
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
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vx_window_dispose (GObject *object)
{
  VxWindow *self = VX_WINDOW (object);
  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (self->worker)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->model, vx_shared_model_unref);
  g_clear_pointer (&self->data, vx_shared_data_unref);
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

  properties[PROP_CLASSROOM] = g_param_spec_boolean ("classroom", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                     | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONTROLS_VISIBLE] = g_param_spec_boolean ("controls-visible", NULL, NULL, TRUE,
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
  CHILD (classroom_button);
  CHILD (busy_spinner);
  CHILD (banner_revealer);
  CHILD (banner_label);
  CHILD (banner_button);
  CHILD (paned);
  CHILD (controls_scroller);
  CHILD (controls);
  CHILD (progress_bar);
  CHILD (view_stack);
  CHILD (accuracy_label);
  CHILD (interval_label);
  CHILD (images_label);
  CHILD (ideal_label);
  CHILD (other_name_label);
  CHILD (other_label);
  CHILD (snr_label);
  CHILD (status_label);
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
  self->worker = vx_worker_new ();
  g_signal_connect (self->worker, "updated", G_CALLBACK (on_worker_updated), self);
  g_signal_connect (self->worker, "notify::busy", G_CALLBACK (on_worker_busy), self);
}
