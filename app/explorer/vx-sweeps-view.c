/* vx-sweeps-view.c: on-demand sweeps: accuracy vs a parameter (ablation grid) and over (α, β) */
#define G_LOG_DOMAIN "vx-sweeps-view"
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "vs-result-charts.h"
#include "vx-sweeps-view-private.h"
#include "vx-task.h"

G_STATIC_ASSERT (VX_SWEEP_N_X == VX_SWEEP_AXIS_MAX_VALUES);
/* the paper's ablation grid (Fig. 8): alpha, beta; alpha 0 = untransformed */
static const double variants[VX_SWEEP_N_VARIANTS][2] = {
  { 0, 0 }, { 1, 1 }, { 2, 1 }, { 1, 0.25 }, { 2, 0.25 },
};
static const double alphas[VX_SWEEP_N_ALPHAS] = { 1, 1.5, 2, 2.5, 3, 4 };
static const double betas[VX_SWEEP_N_BETAS] = { 0.1, 0.25, 0.5, 0.75, 1 };

G_DEFINE_FINAL_TYPE (VxSweepsView, vx_sweeps_view, GTK_TYPE_WIDGET)

enum { SIGNAL_APPLY_SETTINGS, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
axis_init (SweepAxis *ax, const VxXbarParam *p)
{
  ax->param = p;
  ax->n = vx_sweep_axis_values (p, ax->x);
}

gboolean
_vx_sweeps_is_point (const SweepAxis *ax, guint i)
{
  return i >= N_LINE_POINTS || i % VX_SWEEP_N_X < ax->n;
}

/* the points of a sweep on axis ax */
static guint
n_points (const SweepAxis *ax)
{
  return ax->n * VX_SWEEP_N_VARIANTS + VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS;
}

void
_vx_sweeps_point_settings (const SweepAxis *ax, const VsRunSettings *base, guint i,
                           VsRunSettings *out)
{
  *out = *base;
  if (i < N_LINE_POINTS)
    {
      guint v = i / VX_SWEEP_N_X, g = i % VX_SWEEP_N_X;
      vx_sweep_axis_set (ax->param, out, ax->x[g]);
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
  const SweepAxis *ax = &self->shown_axis;
  g_autofree char *name = g_strdup_printf ("sweep-accuracy-vs-%s", ax->param->json_key);
  VsChartBox *box = vs_chart_box_new (VS_CHART_KIND_LINES, name, &self->style);
  VxChartLines *m = &box->u.lines;
  gboolean seeds = self->shown_seeds > 1;
  VxChartLineSeries *series = vs_chart_box_new0 (box, VxChartLineSeries, VX_SWEEP_N_VARIANTS);
  for (guint v = 0; v < VX_SWEEP_N_VARIANTS; v++)
    {
      double *x = vs_chart_box_new0 (box, double, VX_SWEEP_N_X);
      double *y = vs_chart_box_new0 (box, double, VX_SWEEP_N_X);
      double *e = vs_chart_box_new0 (box, double, VX_SWEEP_N_X);
      for (guint g = 0; g < ax->n; g++)
        {
          guint i = v * VX_SWEEP_N_X + g;
          x[g] = ax->x[g];
          y[g] = 100 * self->shown.top1[i];
          e[g] = seeds ? 100 * self->shown.std[i] : 50 * (self->shown.hi[i] - self->shown.lo[i]);
        }
      series[v].label = v == 0 ? "Untransformed"
        : vs_chart_box_printf (box, "ClipFormer (%g, %g)", variants[v][0], variants[v][1]);
      series[v].x = x;
      series[v].y = y;
      series[v].y_err = e;
      series[v].n_points = ax->n;
      series[v].color_index = (int) v;
    }
  m->series = series;
  m->n_series = VX_SWEEP_N_VARIANTS;
  g_autofree char *title = vx_sweep_axis_title (ax->param);
  m->x_title = vs_chart_box_printf (box, "%s", title);
  m->log_x = (ax->param->flags & (VX_XBAR_PARAM_LOG_SCALE | VX_XBAR_PARAM_POW2)) && ax->x[0] > 0;
  m->y_title = "Top-1 accuracy (%)";
  if (self->done == 0)
    m->base.empty_message = "Press Run Sweeps to compute";
  if (seeds)
    m->base.subtitle = vs_chart_box_printf (box, "%s%d images per point · mean of %d seeds · "
                                            "error bars: ±1 standard deviation over the seeds",
                                            self->stale_lines ? "Out of date · " : "",
                                            self->shown_images, self->shown_seeds);
  else
    m->base.subtitle = vs_chart_box_printf (box, "%s%d images per point · error bars: 95 %% "
                                            "interval", self->stale_lines ? "Out of date · " : "",
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
    m->base.empty_message = "Computed after the lines";
  g_autofree char *seeds = self->shown_seeds > 1
                           ? g_strdup_printf (" · mean of %d seeds", self->shown_seeds) : NULL;
  m->base.subtitle = vs_chart_box_printf (box, "%sClipFormer at γ = %g · %d images per point%s",
                                          self->stale_heat ? "Out of date · " : "",
                                          self->shown_run.xbar.gamma, self->shown_images,
                                          seeds ? seeds : "");
  return box;
}

/* ---- out of date ----------------------------------------------------------------------------- */

/* what the charts depend on that changed since they were computed: NULL when nothing */
static char *
stale_text (VxSweepsView *self, gboolean heatmap)
{
  /* the sweeps vary ClipFormer and (the lines) their x parameter; images and seeds
   * are their own */
  const char *const skip_lines[] = { "clipformer", "alpha", "beta", "images", "repeats",
                                     self->shown_axis.param->json_key, NULL };
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

static const VxXbarParam *
chosen_param (VxSweepsView *self)
{
  guint k = gtk_drop_down_get_selected (self->x_dropdown);
  const VxXbarParam *const *ps = vx_sweep_axis_params ();
  for (guint i = 0; ps[i]; i++)
    if (i == k)
      return ps[i];
  return vx_sweep_axis_by_json_key ("gamma");
}

static char *
status_main (VxSweepsView *self)
{
  const SweepAxis *ax = &self->shown_axis;
  g_autofree char *label = vx_xbar_param_plain_label (ax->param);
  g_autofree char *seeds = self->shown_seeds > 1
                           ? g_strdup_printf (" × %d seeds", self->shown_seeds) : g_strdup ("");
  if (self->error)
    return g_strdup (self->error);
  if (self->running)
    return g_strdup_printf ("Point %u of %u%s…", self->done_points + 1, n_points (ax), seeds);
  if (self->stale_lines || self->stale_heat)
    return g_strdup_printf ("%s out of date, changed since %s ran: %s. Run Sweeps to update.",
                            !self->stale_heat ? "The curves are"
                            : !self->stale_lines ? "The heatmap is" : "Both charts are",
                            self->stale_lines && self->stale_heat ? "they" : "it",
                            self->stale_heat ? self->stale_heat : self->stale_lines);
  g_autofree char *skipped = self->skipped
    ? g_strdup_printf (" %u left out: settings that do not fit together.", self->skipped)
    : g_strdup ("");
  if (self->done == N_POINTS)
    return g_strdup_printf ("%u points%s, %d images each, with the current settings (%s and "
                            "ClipFormer varied). Hover a point for its value, click it to use "
                            "its settings.%s", n_points (ax), seeds, self->shown_images, label,
                            skipped);
  if (self->done > 0)
    return g_strdup_printf ("Cancelled after %u of %u points", self->done_points, n_points (ax));
  return g_strdup_printf ("%u evaluations%s: %u values of %s for five ClipFormer settings, then "
                          "6 × 5 (α, β) at the current γ", n_points (ax), seeds, ax->n, label);
}

static char *
status_text (VxSweepsView *self)
{
  char *main = status_main (self);
  const VxXbarParam *next = chosen_param (self);
  if (self->done == 0 || self->running || next == self->shown_axis.param)
    return main;
  g_autofree char *label = vx_xbar_param_plain_label (next);
  char *s = g_strdup_printf ("%s The next run sweeps %s.", main, label);
  g_free (main);
  return s;
}

/* "Accuracy vs write-noise factor γ" */
static char *
lines_title (const VxXbarParam *p)
{
  g_autofree char *label = vx_xbar_param_plain_label (p);
  /* lower case unless the label starts with an abbreviation ("ON/OFF ratio") */
  if (g_ascii_isupper (label[0]) && g_ascii_islower (label[1]))
    label[0] = g_ascii_tolower (label[0]);
  return g_strdup_printf ("Accuracy vs %s", label);
}

static void
refresh (VxSweepsView *self)
{
  update_stale (self);
  g_autofree char *title = lines_title (self->shown_axis.param);
  g_object_set (self->lines_card, "title", title, NULL);
  /* the card is named as its chart (and its exported files) */
  g_autofree char *name = g_strdup_printf ("sweep-accuracy-vs-%s", self->shown_axis.param->json_key);
  gtk_widget_set_name (GTK_WIDGET (self->lines_card), name);
  g_autofree char *json = vs_run_settings_to_json_string (&self->shown_run, FALSE);
  vx_chart_card_set_box (self->lines_card, lines_chart (self));
  vx_chart_card_set_box (self->heatmap_card, heatmap_chart (self));
  vx_chart_card_set_settings_json (self->lines_card, json);
  vx_chart_card_set_settings_json (self->heatmap_card, json);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 (double) self->done_points / n_points (&self->shown_axis));
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
  SweepAxis axis;
  int images, seeds;
  VxSweepsView *view;        /* kept alive by the callback's reference (vx-task.h) */
} SweepJob;

typedef struct {
  VxSweepsView *view;        /* a reference, released on the main thread */
  GCancellable *cancellable;
  guint index;
  gboolean skipped;          /* settings that do not fit together: not computed */
  double top1, lo, hi, std;
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
  self->shown.top1[p->index] = p->skipped ? NAN : p->top1;
  self->shown.lo[p->index] = p->lo;
  self->shown.hi[p->index] = p->hi;
  self->shown.std[p->index] = p->std;
  self->done = p->index + 1;
  self->done_points++;
  self->skipped += p->skipped;
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
  /* the outlier what-if changes the model itself: prepared for each of its values */
  gboolean per_point = g_str_has_prefix (job->axis.param->json_key, "outlier_");
  for (guint i = 0; m && i < N_POINTS; i++)
    {
      if (!_vx_sweeps_is_point (&job->axis, i))
        continue;
      VsRunSettings s;
      SweepPoint *p = g_new0 (SweepPoint, 1);
      _vx_sweeps_point_settings (&job->axis, &job->run, i, &s);
      s.repeats = job->seeds;
      p->view = g_object_ref (job->view);
      p->cancellable = g_object_ref (cancellable);
      p->index = i;
      p->skipped = !vs_run_settings_validate (&s, NULL);
      g_autoptr (VxModel) own_point = NULL;
      const VxModel *pm = m;
      if (!p->skipped && per_point && i < N_LINE_POINTS)
        pm = vs_compute_prepare_model (job->model->model, &s, &own_point, &error);
      gboolean ok = p->skipped
                    || (pm && vs_compute_point (pm, job->data->data, &s, job->images,
                                                sweep_cancelled, cancellable, &p->top1, &p->lo,
                                                &p->hi, &p->std, &error));
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
    self->shown.top1[i] = self->shown.lo[i] = self->shown.hi[i] = self->shown.std[i] = NAN;
  self->done = self->done_points = self->skipped = 0;
  self->shown_run = self->run;
  axis_init (&self->shown_axis, chosen_param (self));
  self->shown_seeds = (int) gtk_adjustment_get_value (self->seeds_adjustment);
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
  job->axis = self->shown_axis;
  job->seeds = self->shown_seeds;
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

gboolean
vx_sweeps_view_set_x_param (VxSweepsView *self, const char *json_key)
{
  const VxXbarParam *const *ps = vx_sweep_axis_params ();
  for (guint i = 0; ps[i]; i++)
    if (g_str_equal (ps[i]->json_key, json_key))
      {
        gtk_drop_down_set_selected (self->x_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

void
vx_sweeps_view_set_seeds (VxSweepsView *self, int n)
{
  gtk_adjustment_set_value (self->seeds_adjustment, n);
}

/* the x parameter for the next run: before any run the charts show it already */
static void
on_x_param_changed (GtkDropDown *dropdown, GParamSpec *pspec, VxSweepsView *self)
{
  if (self->done == 0 && !self->running)
    axis_init (&self->shown_axis, chosen_param (self));
  refresh (self);
}

static void
on_seeds_changed (GtkAdjustment *adjustment, VxSweepsView *self)
{
  if (self->done == 0 && !self->running)
    self->shown_seeds = (int) gtk_adjustment_get_value (adjustment);
  refresh (self);
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

/* ---- applying a point ------------------------------------------------------------------------ */

/* the settings a click on point i applies: the sweep's, with the current images and repeats */
static void
applied_settings (VxSweepsView *self, int i, VsRunSettings *out)
{
  _vx_sweeps_point_settings (&self->shown_axis, &self->shown_run, (guint) i, out);
  out->n_images = self->run.n_images;
  out->repeats = self->run.repeats;
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
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, seeds_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VxSweepsView, x_dropdown);
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
    self->shown.top1[i] = self->shown.lo[i] = self->shown.hi[i] = self->shown.std[i] = NAN;
  vs_run_settings_init (&self->run);
  self->shown_run = self->run;
  self->shown_images = (int) gtk_adjustment_get_value (self->images_adjustment);
  self->shown_seeds = (int) gtk_adjustment_get_value (self->seeds_adjustment);
  g_autoptr (GtkStringList) titles = gtk_string_list_new (NULL);
  for (const VxXbarParam *const *p = vx_sweep_axis_params (); *p; p++)
    {
      g_autofree char *t = vx_sweep_axis_title (*p);
      gtk_string_list_append (titles, t);
    }
  gtk_drop_down_set_model (self->x_dropdown, G_LIST_MODEL (titles));
  vx_sweeps_view_set_x_param (self, "gamma");
  axis_init (&self->shown_axis, chosen_param (self));
  g_signal_connect (self->x_dropdown, "notify::selected", G_CALLBACK (on_x_param_changed), self);
  g_signal_connect (self->seeds_adjustment, "value-changed", G_CALLBACK (on_seeds_changed), self);
  _vx_sweeps_view_hover_init (self);
  refresh (self);
}
