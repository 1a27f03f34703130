/* vx-window-overview.c: the overview drawn from the worker's results: readout, histogram, statistics, SNR, radar */
#define G_LOG_DOMAIN "vx-window"
#include "config.h"

#include <math.h>

#include "vx-hw.h"
#include "vs-result-charts.h"
#include "vx-window-private.h"

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
refresh_stats (VxWindow *self, const VsRunResult *r, int block, int kv)
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
  const VxXbarHist *h = vs_run_result_hist (r, block, kv);
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

/* ---- the SNR chart on a kept axis ------------------------------------------------------------ */

static void
widen (double *lo, double *hi, const VxChartBars *m)
{
  for (guint s = 0; s < m->n_series; s++)
    for (guint c = 0; c < m->n_categories; c++)
      {
        double v = m->series[s].values[c];
        if (isfinite (v))
          {
            *lo = MIN (*lo, 5.0 * floor (v / 5.0));
            *hi = MAX (*hi, 5.0 * ceil (v / 5.0));
          }
      }
}

/* In the tour (and with the axis locked) bars are compared from one setting to the
 * next, so the axis stays put: it only widens, never to cut a bar. */
VsChartBox *
_vx_window_snr_chart (VxWindow *self, VsRunResult *plain, VsRunResult *clip)
{
  VsChartBox *box = vs_result_chart_snr (plain, clip, self->baseline, &self->style);
  if ((!self->classroom && !self->lock_axes) || box->u.common.empty_message)
    return box;
  if (!(self->snr_hi > self->snr_lo))
    {
      /* the tour's steps span about -5 to 30 dB on the shipped models */
      self->snr_lo = self->classroom ? -10.0 : 0.0;
      self->snr_hi = self->classroom ? 35.0 : 0.0;
    }
  widen (&self->snr_lo, &self->snr_hi, &box->u.bars);
  box->u.bars.y_min = self->snr_lo;
  box->u.bars.y_max = self->snr_hi;
  /* on a fixed axis small bars are hard to read from the back of a room */
  box->u.bars.show_values = self->classroom;
  box->u.bars.value_decimals = 1;
  return box;
}

/* ---- the overview ---------------------------------------------------------------------------- */

static void
set_card (VxWindow *self, VxChartCard *card, VsChartBox *box)
{
  const VsRunSettings *s = vx_worker_get_settings (self->worker);
  g_autofree char *json = s ? vs_run_settings_to_json_string (s, FALSE) : NULL;
  vx_chart_card_set_box (card, box);
  vx_chart_card_set_settings_json (card, json);
}

void
_vx_window_refresh_histogram (VxWindow *self)
{
  VsRunResult *r = vx_worker_get_current (self->worker);
  int depth = self->model ? self->model->model->arch.depth : 1;
  int block = MIN (g_settings_get_int (self->settings, "hist-block"), depth - 1);
  int kv = g_settings_get_enum (self->settings, "hist-matrix");
  VsHistStage stage = g_settings_get_enum (self->settings, "hist-stage");
  gboolean log_y = g_settings_get_boolean (self->settings, "hist-log");
  set_card (self, self->hist_card, vs_result_chart_histogram (r, block, kv, stage, log_y, &self->style));
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
refresh_radar (VxWindow *self, const VsRunSettings *s, VsRunResult *plain, VsRunResult *clip)
{
  VsRadarEntry e[3];
  guint n = 0;
  VxHwReport hp, hc, hs;
  const VxArch *a = &self->model->model->arch;
  g_autofree char *clabel = NULL;
  VxXbarConfig cc = s->xbar;
  cc.clipformer = TRUE;
  clabel = vs_result_config_label (&cc);
  if (estimate (a, &s->xbar, FALSE, &hp))
    e[n++] = (VsRadarEntry) { "Untransformed", plain && plain->images_done ? plain->top1 : NAN,
                              hp.attn_area_mm2, hp.attn_energy_uj };
  if (estimate (a, &s->xbar, TRUE, &hc))
    e[n++] = (VsRadarEntry) { clabel, clip && clip->images_done ? clip->top1 : NAN,
                              hc.attn_area_mm2, hc.attn_energy_uj };
  VxXbarConfig sram;
  vx_xbar_config_init_preset (&sram, VX_XBAR_PRESET_SRAM_IMC);
  if (strcmp (s->xbar.preset, "sram-imc") != 0 && vx_hw_estimate (a, &sram, &hs, NULL))
    e[n++] = (VsRadarEntry) { "SRAM digital IMC", vx_worker_get_ideal (self->worker),
                              hs.attn_area_mm2, hs.attn_energy_uj };
  g_autofree char *sub = g_strdup_printf ("%s · γ = %g · SRAM: ideal accuracy, costs fitted to Fig. 1a",
                                          self->model->name, s->xbar.gamma);
  set_card (self, self->radar_card,
            vs_result_chart_radar (e, n, a->num_classes, sub, &self->style));
}

/* the accuracy against the pinned baseline, else the ideal model, coloured by direction */
static void
refresh_delta (VxWindow *self, double top1)
{
  const VsRunResult *b = self->baseline;
  double against = b ? (b->images_done ? b->top1 : NAN) : vx_worker_get_ideal (self->worker);
  GtkWidget *w = GTK_WIDGET (self->delta_label);
  gtk_widget_remove_css_class (w, "vx-delta-up");
  gtk_widget_remove_css_class (w, "vx-delta-down");
  gtk_widget_set_visible (GTK_WIDGET (self->baseline_name_label), b != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->baseline_label), b != NULL);
  if (b)
    {
      g_autofree char *acc = format_percent (b->images_done ? b->top1 : NAN);
      g_autofree char *text = g_strdup_printf ("%s · ⟨SNR⟩ %.1f dB", acc, b->snr_mean_db);
      gtk_label_set_label (self->baseline_label, text);
    }
  if (!isfinite (top1) || !isfinite (against))
    {
      gtk_label_set_label (self->delta_label, "");
      return;
    }
  double d = 100.0 * (top1 - against);
  const char *what = b ? "vs baseline" : "vs ideal";
  g_autofree char *text = fabs (d) < 0.05 ? g_strdup_printf ("±0.0 points %s", what)
                        : g_strdup_printf ("%s%.1f points %s", d > 0 ? "+" : "−", fabs (d), what);
  gtk_label_set_label (self->delta_label, text);
  if (fabs (d) >= 0.05)
    gtk_widget_add_css_class (w, d > 0 ? "vx-delta-up" : "vx-delta-down");
}

static void
refresh_readout (VxWindow *self, const VsRunSettings *s, VsRunResult *cur, VsRunResult *oth)
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
  VsRunSettings other;
  vs_run_settings_toggle_clipformer (s, &other);
  g_autofree char *oname = vs_result_config_label (&other.xbar);
  gtk_label_set_label (self->other_name_label, oname);
  g_autofree char *oacc = format_percent (oth && oth->images_done ? oth->top1 : NAN);
  g_autofree char *oacc2 = oth && !oth->complete && oth->images_done ? g_strconcat (oacc, " …", NULL) : NULL;
  gtk_label_set_label (self->other_label, oacc2 ? oacc2 : oacc);
  g_autofree char *snr = cur && cur->snr_db ? g_strdup_printf ("%.1f dB", cur->snr_mean_db) : g_strdup ("—");
  gtk_label_set_label (self->snr_label, snr);
  refresh_delta (self, have ? cur->top1 : NAN);
}

void
_vx_window_refresh_status (VxWindow *self, VsRunResult *cur)
{
  const char *error = vx_worker_get_error (self->worker);
  gboolean busy = vx_worker_is_busy (self->worker);
  g_autofree char *status = NULL;
  const char *model = self->model ? self->model->name : "no model";
  g_autofree char *count = self->data ? format_count (self->data->data->n) : NULL;
  g_autofree char *data = self->data ? g_strdup_printf ("%s (%s images)", self->data->name, count)
                                     : g_strdup ("no dataset");
  /* one line each: they wrap less in a narrow readout */
  if (self->loading)
    status = g_strdup_printf ("%s\n%s\nLoading…", model, data);
  else if (busy)
    status = g_strdup_printf ("%s\n%s\nComputing…", model, data);
  else if (cur && cur->complete)
    status = g_strdup_printf ("%s\n%s\nDone (%.1f s of compute)", model, data, cur->seconds);
  else
    status = g_strdup_printf ("%s\n%s", model, data);
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

/* the charts still show the previous settings while the first batch of new ones runs */
static void
set_stale (VxWindow *self, gboolean stale)
{
  if (stale)
    gtk_widget_add_css_class (GTK_WIDGET (self->overview_grid), "vx-stale");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->overview_grid), "vx-stale");
}

/* Redraw only what a stage changed: a batch moves the accuracy readout, not the
 * charts, so the main thread does not take CPU from the evaluation. */
void
_vx_window_refresh_stage (VxWindow *self, VxWorkerStage stage)
{
  const VsRunSettings *s = vx_worker_get_settings (self->worker);
  VsRunResult *cur = vx_worker_get_current (self->worker);
  VsRunResult *oth = vx_worker_get_other (self->worker);
  if (!s || !self->model)
    {
      set_stale (self, FALSE);
      _vx_window_refresh (self);
      return;
    }
  VsRunResult *plain = s->xbar.clipformer ? oth : cur;
  VsRunResult *clip = s->xbar.clipformer ? cur : oth;
  _vx_window_refresh_status (self, cur);
  switch (stage)
    {
    case VX_WORKER_STAGE_STARTED:
      /* from the cache: everything at once; otherwise the old charts, dimmed */
      set_stale (self, cur == NULL);
      if (cur)
        _vx_window_refresh (self);
      break;
    case VX_WORKER_STAGE_FIRST:
      set_stale (self, FALSE);
      _vx_window_refresh (self);
      break;
    case VX_WORKER_STAGE_BATCH:
      refresh_readout (self, s, cur, oth);
      break;
    case VX_WORKER_STAGE_OTHER_FIRST:
      set_card (self, self->snr_card, _vx_window_snr_chart (self, plain, clip));
      refresh_readout (self, s, cur, oth);
      break;
    case VX_WORKER_STAGE_CURRENT_DONE:
    case VX_WORKER_STAGE_IDEAL:
    case VX_WORKER_STAGE_OTHER_DONE:
      refresh_radar (self, s, plain, clip);
      refresh_readout (self, s, cur, oth);
      break;
    case VX_WORKER_STAGE_IDLE:
      /* invalid settings or a failed job: no results to show for them */
      if (!cur)
        {
          set_stale (self, FALSE);
          _vx_window_refresh (self);
        }
      break;
    }
}

void
_vx_window_refresh (VxWindow *self)
{
  const VsRunSettings *s = vx_worker_get_settings (self->worker);
  VsRunResult *cur = vx_worker_get_current (self->worker);
  VsRunResult *oth = vx_worker_get_other (self->worker);
  _vx_window_refresh_status (self, cur);
  _vx_window_refresh_histogram (self);
  if (!s || !self->model)
    {
      set_card (self, self->snr_card, vs_result_chart_snr (NULL, NULL, NULL, &self->style));
      set_card (self, self->radar_card, vs_result_chart_radar (NULL, 0, 10, NULL, &self->style));
      refresh_readout (self, s ? s : &(VsRunSettings) { 0 }, NULL, NULL);
      return;
    }
  VsRunResult *plain = s->xbar.clipformer ? oth : cur;
  VsRunResult *clip = s->xbar.clipformer ? cur : oth;
  set_card (self, self->snr_card, _vx_window_snr_chart (self, plain, clip));
  refresh_radar (self, s, plain, clip);
  refresh_readout (self, s, cur, oth);
}
