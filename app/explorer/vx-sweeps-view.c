/* vx-sweeps-view.c: on-demand sweeps: accuracy vs γ (ablation grid) and over (α, β) */
#define G_LOG_DOMAIN "vx-sweeps-view"
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "vx-chart-card.h"
#include "vx-chart-view.h"
#include "vs-result-charts.h"
#include "vx-sweeps-view.h"
#include "vx-task.h"

static const double gammas[VX_SWEEP_N_GAMMAS] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
/* the paper's ablation grid (Fig. 8): alpha, beta; alpha 0 = untransformed */
static const double variants[VX_SWEEP_N_VARIANTS][2] = {
  { 0, 0 }, { 1, 1 }, { 2, 1 }, { 1, 0.25 }, { 2, 0.25 },
};
static const double alphas[VX_SWEEP_N_ALPHAS] = { 1, 1.5, 2, 2.5, 3, 4 };
static const double betas[VX_SWEEP_N_BETAS] = { 0.1, 0.25, 0.5, 0.75, 1 };

#define N_LINE_POINTS (VX_SWEEP_N_GAMMAS * VX_SWEEP_N_VARIANTS)
#define N_POINTS (N_LINE_POINTS + VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS)

typedef struct {
  double top1[N_POINTS];     /* NAN until computed */
  double lo[N_POINTS], hi[N_POINTS];
} SweepData;

struct _VxSweepsView {
  GtkWidget parent_instance;
  GtkAdjustment *images_adjustment;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  VxChartCard *lines_card, *heatmap_card;

  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings run;
  gboolean has_inputs;
  VsChartStyle style;

  GCancellable *cancellable;
  gboolean running;
  SweepData shown;
  VsRunSettings shown_run;
  int shown_images;
  guint done;
  char *error;
  char *shown_model_id, *shown_data_id;   /* the files the shown points were computed on */
  char *stale_lines, *stale_heat;         /* what changed since, as text; NULL: up to date */
};

G_DEFINE_FINAL_TYPE (VxSweepsView, vx_sweeps_view, GTK_TYPE_WIDGET)

enum { SIGNAL_APPLY_SETTINGS, N_SIGNALS };
static guint signals[N_SIGNALS];

/* the hover and click radius around a point of the lines, px */
#define HIT_RADIUS 12.0

/* the settings of point i */
static void
point_settings (const VsRunSettings *base, guint i, VsRunSettings *out)
{
  *out = *base;
  if (i < N_LINE_POINTS)
    {
      guint v = i / VX_SWEEP_N_GAMMAS, g = i % VX_SWEEP_N_GAMMAS;
      out->xbar.gamma = gammas[g];
      out->xbar.clipformer = variants[v][0] > 0;
      if (out->xbar.clipformer)
        {
          out->xbar.alpha = variants[v][0];
          out->xbar.beta = variants[v][1];
        }
    }
  else
    {
      guint k = i - N_LINE_POINTS;
      out->xbar.clipformer = TRUE;
      out->xbar.alpha = alphas[k % VX_SWEEP_N_ALPHAS];
      out->xbar.beta = betas[k / VX_SWEEP_N_ALPHAS];
    }
}

/* ---- charts -------------------------------------------------------------------------------- */

static VsChartBox *
lines_chart (VxSweepsView *self)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_LINES, "sweep-accuracy-vs-gamma", &self->style);
  VxChartLines *m = &box->u.lines;
  VxChartLineSeries *series = vs_chart_box_new0 (box, VxChartLineSeries, VX_SWEEP_N_VARIANTS);
  for (guint v = 0; v < VX_SWEEP_N_VARIANTS; v++)
    {
      double *x = vs_chart_box_new0 (box, double, VX_SWEEP_N_GAMMAS);
      double *y = vs_chart_box_new0 (box, double, VX_SWEEP_N_GAMMAS);
      double *e = vs_chart_box_new0 (box, double, VX_SWEEP_N_GAMMAS);
      for (guint g = 0; g < VX_SWEEP_N_GAMMAS; g++)
        {
          guint i = v * VX_SWEEP_N_GAMMAS + g;
          x[g] = gammas[g];
          y[g] = 100 * self->shown.top1[i];
          e[g] = 50 * (self->shown.hi[i] - self->shown.lo[i]);
        }
      series[v].label = v == 0 ? "Untransformed"
        : vs_chart_box_printf (box, "ClipFormer (%g, %g)", variants[v][0], variants[v][1]);
      series[v].x = x;
      series[v].y = y;
      series[v].y_err = e;
      series[v].n_points = VX_SWEEP_N_GAMMAS;
      series[v].color_index = (int) v;
    }
  m->series = series;
  m->n_series = VX_SWEEP_N_VARIANTS;
  m->x_title = "Write-noise factor γ";
  m->y_title = "Top-1 accuracy (%)";
  if (self->done == 0)
    m->base.empty_message = "Press Run Sweeps to compute";
  m->base.subtitle = vs_chart_box_printf (box, "%s%d images per point · error bars: 95 %% interval",
                                          self->stale_lines ? "Out of date · " : "",
                                          self->shown_images);
  return box;
}

static VsChartBox *
heatmap_chart (VxSweepsView *self)
{
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_HEATMAP, "sweep-alpha-beta", &self->style);
  VxChartHeatmap *m = &box->u.heatmap;
  double *values = vs_chart_box_new0 (box, double, VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS);
  const char **rows = vs_chart_box_new0 (box, const char *, VX_SWEEP_N_BETAS);
  const char **cols = vs_chart_box_new0 (box, const char *, VX_SWEEP_N_ALPHAS);
  for (guint i = 0; i < VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS; i++)
    values[i] = 100 * self->shown.top1[N_LINE_POINTS + i];
  for (guint b = 0; b < VX_SWEEP_N_BETAS; b++)
    rows[b] = vs_chart_box_printf (box, "%g", betas[b]);
  for (guint a = 0; a < VX_SWEEP_N_ALPHAS; a++)
    cols[a] = vs_chart_box_printf (box, "%g", alphas[a]);
  m->n_rows = VX_SWEEP_N_BETAS;
  m->n_cols = VX_SWEEP_N_ALPHAS;
  m->values = values;
  m->row_labels = rows;
  m->col_labels = cols;
  m->x_title = "Shift α (× G_min)";
  m->y_title = "Clip β (× G_max)";
  m->value_title = "Top-1 accuracy (%)";
  m->value_decimals = 1;
  if (self->done <= N_LINE_POINTS)
    m->base.empty_message = "Computed after the γ sweep";
  m->base.subtitle = vs_chart_box_printf (box, "%sClipFormer at γ = %g · %d images per point",
                                          self->stale_heat ? "Out of date · " : "",
                                          self->shown_run.xbar.gamma, self->shown_images);
  return box;
}

/* ---- out of date ----------------------------------------------------------------------------- */

/* what the charts depend on that changed since they were computed: NULL when nothing */
static char *
stale_text (VxSweepsView *self, gboolean heatmap)
{
  /* the sweeps vary ClipFormer and (the lines) γ; images are their own */
  static const char *const skip_lines[] = { "clipformer", "alpha", "beta", "gamma", "images",
                                            "repeats", NULL };
  static const char *const skip_heat[] = { "clipformer", "alpha", "beta", "images", "repeats",
                                           NULL };
  if (self->done == 0 || (heatmap && self->done <= N_LINE_POINTS))
    return NULL;
  if (!self->model || !self->data || g_strcmp0 (self->model->id, self->shown_model_id) != 0
      || g_strcmp0 (self->data->id, self->shown_data_id) != 0)
    return g_strdup ("another model or dataset is loaded");
  char *d = vs_run_settings_describe_changes (&self->run, &self->shown_run,
                                              heatmap ? skip_heat : skip_lines, TRUE);
  if (*d)
    return d;
  g_free (d);
  return NULL;
}

/* TRUE when the out-of-date state changed */
static gboolean
update_stale (VxSweepsView *self)
{
  g_autofree char *lines = stale_text (self, FALSE), *heat = stale_text (self, TRUE);
  gboolean changed = g_strcmp0 (lines, self->stale_lines) != 0
                     || g_strcmp0 (heat, self->stale_heat) != 0;
  g_free (self->stale_lines);
  g_free (self->stale_heat);
  self->stale_lines = g_steal_pointer (&lines);
  self->stale_heat = g_steal_pointer (&heat);
  return changed;
}

static char *
status_text (VxSweepsView *self)
{
  if (self->error)
    return g_strdup (self->error);
  if (self->running)
    return g_strdup_printf ("Point %u of %d…", self->done + 1, N_POINTS);
  if (self->stale_lines || self->stale_heat)
    return g_strdup_printf ("%s out of date, changed since %s ran: %s. Run Sweeps to update.",
                            !self->stale_heat ? "The γ sweep is"
                            : !self->stale_lines ? "The heatmap is" : "Both charts are",
                            self->stale_lines && self->stale_heat ? "they" : "it",
                            self->stale_heat ? self->stale_heat : self->stale_lines);
  if (self->done == N_POINTS)
    return g_strdup_printf ("%d points, %d images each, with the current settings "
                            "(γ and ClipFormer varied). Hover a point for its value, "
                            "click it to use its settings.", N_POINTS, self->shown_images);
  if (self->done > 0)
    return g_strdup_printf ("Cancelled after %u of %d points", self->done, N_POINTS);
  return g_strdup_printf ("%d evaluations: γ 0–8 for five ClipFormer settings, then "
                          "6 × 5 (α, β) at the current γ", N_POINTS);
}

static void
refresh (VxSweepsView *self)
{
  update_stale (self);
  g_autofree char *json = vs_run_settings_to_json_string (&self->shown_run, FALSE);
  vx_chart_card_set_box (self->lines_card, lines_chart (self));
  vx_chart_card_set_box (self->heatmap_card, heatmap_chart (self));
  vx_chart_card_set_settings_json (self->lines_card, json);
  vx_chart_card_set_settings_json (self->heatmap_card, json);
  gtk_progress_bar_set_fraction (self->progress_bar, (double) self->done / N_POINTS);
  g_autofree char *status = status_text (self);
  if (self->stale_lines || self->stale_heat)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), status);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sweeps.run", !self->running && self->has_inputs);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sweeps.cancel", self->running);
}

/* ---- the job ----------------------------------------------------------------------------------- */

typedef struct {
  GCancellable *cancellable;
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings run;
  int images;
  VxSweepsView *view;        /* kept alive by the callback's reference (vx-task.h) */
} SweepJob;

typedef struct {
  VxSweepsView *view;        /* a reference, released on the main thread */
  GCancellable *cancellable;
  guint index;
  double top1, lo, hi;
} SweepPoint;

static void
point_free (gpointer data)
{
  SweepPoint *p = data;
  g_object_unref (p->view);
  g_object_unref (p->cancellable);
  g_free (p);
}

static void
sweep_job_free (gpointer data)
{
  SweepJob *job = data;
  g_object_unref (job->cancellable);
  vs_shared_model_unref (job->model);
  vs_shared_data_unref (job->data);
  g_free (job);
}

static gboolean
point_dispatch (gpointer data)
{
  SweepPoint *p = data;
  VxSweepsView *self = p->view;
  if (p->cancellable != self->cancellable || g_cancellable_is_cancelled (p->cancellable))
    return G_SOURCE_REMOVE;
  self->shown.top1[p->index] = p->top1;
  self->shown.lo[p->index] = p->lo;
  self->shown.hi[p->index] = p->hi;
  self->done = p->index + 1;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static gboolean
sweep_cancelled (gpointer user)
{
  return g_cancellable_is_cancelled (user);
}

static void
sweep_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SweepJob *job = task_data;
  GError *error = NULL;
  g_autoptr (VxModel) owned = NULL;
  const VxModel *m = vs_compute_prepare_model (job->model->model, &job->run, &owned, &error);
  for (guint i = 0; m && i < N_POINTS; i++)
    {
      VsRunSettings s;
      SweepPoint *p = g_new0 (SweepPoint, 1);
      point_settings (&job->run, i, &s);
      p->view = g_object_ref (job->view);
      p->cancellable = g_object_ref (cancellable);
      p->index = i;
      gboolean ok = vs_compute_point (m, job->data->data, &s, job->images, sweep_cancelled,
                                      cancellable, &p->top1, &p->lo, &p->hi, &error);
      if (!ok)
        {
          point_free (p);
          break;
        }
      vx_main_post (NULL, point_dispatch, p, point_free);
    }
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
sweep_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxSweepsView) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  if (g_task_get_cancellable (G_TASK (res)) != self->cancellable)
    return;
  self->running = FALSE;
  if (!ok && !g_cancellable_is_cancelled (self->cancellable))
    self->error = g_strdup (error->message);
  refresh (self);
}

void
vx_sweeps_view_run (VxSweepsView *self)
{
  g_return_if_fail (VX_IS_SWEEPS_VIEW (self));
  if (!self->has_inputs)
    return;
  vx_sweeps_view_cancel (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->error, g_free);
  for (guint i = 0; i < N_POINTS; i++)
    self->shown.top1[i] = self->shown.lo[i] = self->shown.hi[i] = NAN;
  self->done = 0;
  self->shown_run = self->run;
  g_free (self->shown_model_id);
  g_free (self->shown_data_id);
  self->shown_model_id = g_strdup (self->model->id);
  self->shown_data_id = g_strdup (self->data->id);
  self->shown_images = MAX (1, MIN ((int) gtk_adjustment_get_value (self->images_adjustment),
                                    self->data->data->n));
  self->running = TRUE;

  SweepJob *job = g_new0 (SweepJob, 1);
  job->cancellable = g_object_ref (self->cancellable);
  job->model = vs_shared_model_ref (self->model);
  job->data = vs_shared_data_ref (self->data);
  job->run = self->run;
  job->images = self->shown_images;
  job->view = self;
  vx_task_run (self, self->cancellable, TRUE, job, sweep_job_free, sweep_thread, sweep_done);
  refresh (self);
}

void
vx_sweeps_view_cancel (VxSweepsView *self)
{
  g_return_if_fail (VX_IS_SWEEPS_VIEW (self));
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->running)
    {
      self->running = FALSE;
      refresh (self);
    }
}

gboolean
vx_sweeps_view_is_running (VxSweepsView *self)
{
  return self->running;
}

void
vx_sweeps_view_set_images (VxSweepsView *self, int n)
{
  gtk_adjustment_set_value (self->images_adjustment, n);
}

guint
vx_sweeps_view_get_done (VxSweepsView *self)
{
  return self->done;
}

GList *
vx_sweeps_view_get_cards (VxSweepsView *self)
{
  GList *l = NULL;
  l = g_list_append (l, self->lines_card);
  l = g_list_append (l, self->heatmap_card);
  return l;
}

void
vx_sweeps_view_set_inputs (VxSweepsView *self, VsSharedModel *model, VsSharedData *data,
                           const VsRunSettings *s, const VsChartStyle *style)
{
  g_return_if_fail (VX_IS_SWEEPS_VIEW (self));
  if (model != self->model)
    {
      g_clear_pointer (&self->model, vs_shared_model_unref);
      self->model = model ? vs_shared_model_ref (model) : NULL;
    }
  if (data != self->data)
    {
      g_clear_pointer (&self->data, vs_shared_data_unref);
      self->data = data ? vs_shared_data_ref (data) : NULL;
    }
  self->run = *s;
  if (!self->done && !self->running)
    self->shown_run = *s;
  self->has_inputs = self->model && self->data;
  gboolean restyle = style->font_scale != self->style.font_scale || style->variant != self->style.variant;
  self->style = *style;
  /* a redraw when the style or whether the points are out of date changes */
  if (restyle || !gtk_widget_get_realized (GTK_WIDGET (self)) || update_stale (self))
    refresh (self);
  else
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "sweeps.run", !self->running && self->has_inputs);
    }
}

/* ---- hover and click ------------------------------------------------------------------------- */

int
vx_sweeps_view_line_point (guint variant, guint gamma_index)
{
  g_return_val_if_fail (variant < VX_SWEEP_N_VARIANTS && gamma_index < VX_SWEEP_N_GAMMAS, -1);
  return (int) (variant * VX_SWEEP_N_GAMMAS + gamma_index);
}

int
vx_sweeps_view_cell_point (guint alpha_index, guint beta_index)
{
  g_return_val_if_fail (alpha_index < VX_SWEEP_N_ALPHAS && beta_index < VX_SWEEP_N_BETAS, -1);
  return (int) (N_LINE_POINTS + beta_index * VX_SWEEP_N_ALPHAS + alpha_index);
}

int
vx_sweeps_view_point_at (VxSweepsView *self, VxChartCard *card, double x, double y)
{
  g_return_val_if_fail (VX_IS_SWEEPS_VIEW (self), -1);
  const VxChartLayout *l = vx_chart_view_get_layout (VX_CHART_VIEW (vx_chart_card_get_view (card)));
  if (!l || l->no_data)
    return -1;
  if (card == self->heatmap_card)
    {
      for (guint b = 0; b < VX_SWEEP_N_BETAS; b++)
        for (guint a = 0; a < VX_SWEEP_N_ALPHAS; a++)
          {
            VxChartRect r = vx_chart_layout_cell (l, b, a);
            int i = vx_sweeps_view_cell_point (a, b);
            if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
                && isfinite (self->shown.top1[i]))
              return i;
          }
      return -1;
    }
  int best = -1;
  double best_d2 = HIT_RADIUS * HIT_RADIUS;
  for (guint i = 0; i < N_LINE_POINTS; i++)
    {
      if (!isfinite (self->shown.top1[i]))
        continue;
      double dx = vx_chart_layout_x_to_px (l, gammas[i % VX_SWEEP_N_GAMMAS]) - x;
      double dy = vx_chart_layout_y_to_px (l, 100 * self->shown.top1[i]) - y;
      if (dx * dx + dy * dy <= best_d2)
        {
          best = (int) i;
          best_d2 = dx * dx + dy * dy;
        }
    }
  return best;
}

/* the settings a click on point i applies: the sweep's, with the current images and repeats */
static void
applied_settings (VxSweepsView *self, int i, VsRunSettings *out)
{
  point_settings (&self->shown_run, (guint) i, out);
  out->n_images = self->run.n_images;
  out->repeats = self->run.repeats;
}

char *
vx_sweeps_view_describe_point (VxSweepsView *self, int i)
{
  g_return_val_if_fail (VX_IS_SWEEPS_VIEW (self), NULL);
  if (i < 0 || i >= N_POINTS || !isfinite (self->shown.top1[i]))
    return NULL;
  VsRunSettings s;
  point_settings (&self->shown_run, (guint) i, &s);
  g_autofree char *label = vs_result_config_label (&s.xbar);
  gboolean stale = i < N_LINE_POINTS ? self->stale_lines != NULL : self->stale_heat != NULL;
  return g_strdup_printf ("%s at γ %g: %.1f %% top-1 (95 %% interval %.1f–%.1f %%, %d images)\n"
                          "Click to use these settings%s (Ctrl+Z undoes it)",
                          label, s.xbar.gamma, 100 * self->shown.top1[i], 100 * self->shown.lo[i],
                          100 * self->shown.hi[i], self->shown_images,
                          stale ? ", with the other settings as the sweep ran" : "");
}

void
vx_sweeps_view_apply_point (VxSweepsView *self, int i)
{
  g_return_if_fail (VX_IS_SWEEPS_VIEW (self));
  if (i < 0 || i >= N_POINTS || !isfinite (self->shown.top1[i]))
    return;
  VsRunSettings s;
  applied_settings (self, i, &s);
  g_signal_emit (self, signals[SIGNAL_APPLY_SETTINGS], 0, &s);
}

static gboolean
on_query_tooltip (GtkWidget *view, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  VxSweepsView *self)
{
  VxChartCard *card = VX_CHART_CARD (gtk_widget_get_ancestor (view, VX_TYPE_CHART_CARD));
  g_autofree char *text = vx_sweeps_view_describe_point (self,
                                                         vx_sweeps_view_point_at (self, card, x, y));
  if (!text)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_click_released (GtkGestureClick *click, int n_press, double x, double y, VxSweepsView *self)
{
  VxChartCard *card = g_object_get_data (G_OBJECT (click), "vx-card");
  vx_sweeps_view_apply_point (self, vx_sweeps_view_point_at (self, card, x, y));
}

const char *
vx_sweeps_view_get_status (VxSweepsView *self)
{
  return gtk_label_get_label (self->status_label);
}

gboolean
vx_sweeps_view_is_stale (VxSweepsView *self, gboolean heatmap)
{
  return (heatmap ? self->stale_heat : self->stale_lines) != NULL;
}

/* ---- GObject --------------------------------------------------------------------------------- */

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  vx_sweeps_view_run (VX_SWEEPS_VIEW (widget));
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  vx_sweeps_view_cancel (VX_SWEEPS_VIEW (widget));
}

static void
vx_sweeps_view_dispose (GObject *object)
{
  VxSweepsView *self = VX_SWEEPS_VIEW (object);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_SWEEPS_VIEW);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  G_OBJECT_CLASS (vx_sweeps_view_parent_class)->dispose (object);
}

static void
vx_sweeps_view_finalize (GObject *object)
{
  VxSweepsView *self = VX_SWEEPS_VIEW (object);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->model, vs_shared_model_unref);
  g_clear_pointer (&self->data, vs_shared_data_unref);
  g_free (self->error);
  g_free (self->shown_model_id);
  g_free (self->shown_data_id);
  g_free (self->stale_lines);
  g_free (self->stale_heat);
  G_OBJECT_CLASS (vx_sweeps_view_parent_class)->finalize (object);
}

static void
vx_sweeps_view_class_init (VxSweepsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = vx_sweeps_view_dispose;
  object_class->finalize = vx_sweeps_view_finalize;
  g_type_ensure (VX_TYPE_CHART_CARD);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-sweeps-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, images_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, status_label);
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, lines_card);
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, heatmap_card);
  gtk_widget_class_install_action (widget_class, "sweeps.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "sweeps.cancel", NULL, cancel_action);
  signals[SIGNAL_APPLY_SETTINGS] =
    g_signal_new ("apply-settings", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
vx_sweeps_view_init (VxSweepsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->style.font_scale = 1.0;
  for (guint i = 0; i < N_POINTS; i++)
    self->shown.top1[i] = self->shown.lo[i] = self->shown.hi[i] = NAN;
  vs_run_settings_init (&self->run);
  self->shown_run = self->run;
  self->shown_images = (int) gtk_adjustment_get_value (self->images_adjustment);
  VxChartCard *cards[] = { self->lines_card, self->heatmap_card };
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      GtkWidget *view = vx_chart_card_get_view (cards[i]);
      gtk_widget_set_has_tooltip (view, TRUE);
      g_signal_connect (view, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
      GtkGesture *click = gtk_gesture_click_new ();
      g_object_set_data (G_OBJECT (click), "vx-card", cards[i]);
      g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
      gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (click));
    }
  refresh (self);
}
