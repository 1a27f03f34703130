/* vx-sample-view.c: a test image, its prediction ideal vs noisy, and class-token attention maps */
#define G_LOG_DOMAIN "vx-sample-view"
#include "config.h"

#include <gio/gio.h>

#include "vx-chart-card.h"
#include "vs-result-charts.h"
#include "vx-sample-view.h"
#include "vx-task.h"

struct _VxSampleView {
  GtkWidget parent_instance;
  GtkSpinButton *index_spin;
  GtkAdjustment *index_adjustment;
  GtkDropDown *block_dropdown;
  GtkStringList *block_list;
  GtkLabel *summary_label;
  VxChartCard *image_card, *ideal_card, *noisy_card, *probs_card;

  GSettings *settings;
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings run;
  gboolean has_inputs;
  VsChartStyle style;
  gboolean dirty;
  GCancellable *cancellable;
  gboolean running;
  VsSampleResult result;
  gboolean has_result;
  gboolean adopting;        /* the index moves to a result already computed */
};

G_DEFINE_FINAL_TYPE (VxSampleView, vx_sample_view, GTK_TYPE_WIDGET)

typedef struct {
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings run;
  int index, block;
  gboolean search;         /* from index on, the first image the crossbars get wrong */
  gboolean found;
  VsSampleResult result;
} SampleJob;

static void
sample_job_free (gpointer data)
{
  SampleJob *job = data;
  vs_shared_model_unref (job->model);
  vs_shared_data_unref (job->data);
  vs_sample_result_clear (&job->result);
  g_free (job);
}

/* the images after job->index, once round, until one is misclassified on crossbars */
static gboolean
search_wrong (SampleJob *job, GCancellable *cancellable, GError **error)
{
  int n = job->data->data->n;
  for (int k = 1; k <= n && !g_cancellable_is_cancelled (cancellable); k++)
    {
      int i = (job->index + k) % n;
      vs_sample_result_clear (&job->result);
      if (!vs_compute_sample (job->model->model, job->data->data, &job->run, i, job->block,
                              &job->result, error))
        return FALSE;
      if (job->result.pred_noisy != job->result.label)
        {
          job->index = i;
          job->found = TRUE;
          return TRUE;
        }
    }
  return !g_cancellable_is_cancelled (cancellable);
}

static void
sample_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SampleJob *job = task_data;
  GError *error = NULL;
  gboolean ok = !g_cancellable_is_cancelled (cancellable)
    && (job->search ? search_wrong (job, cancellable, &error)
        : vs_compute_sample (job->model->model, job->data->data, &job->run, job->index, job->block,
                             &job->result, &error));
  if (ok)
    g_task_return_boolean (task, TRUE);
  else if (error)
    g_task_return_error (task, error);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
}

static const char *
class_name (VxSampleView *self, int k)
{
  char **names = self->model->model->class_names;
  return k >= 0 && k < self->model->model->arch.num_classes && names[k] ? names[k] : "?";
}

static void
show_result (VxSampleView *self)
{
  const VsSampleResult *r = self->has_result ? &self->result : NULL;
  g_autofree char *cap0 = NULL, *cap1 = NULL, *cap2 = NULL, *title = NULL;
  if (r)
    {
      cap0 = g_strdup_printf ("True class: %s", class_name (self, r->label));
      cap1 = g_strdup_printf ("Ideal: %s (%.0f %%)", class_name (self, r->pred_ideal),
                              100 * r->probs_ideal[r->pred_ideal]);
      cap2 = g_strdup_printf ("Crossbars: %s (%.0f %%)", class_name (self, r->pred_noisy),
                              100 * r->probs_noisy[r->pred_noisy]);
      if (r->tokens > 0 && r->tokens < r->num_tokens)
        title = g_strdup_printf ("Block %d, mean over heads · token pruning: %d of %d tokens "
                                 "kept, dropped patches blank", r->block + 1, r->tokens,
                                 r->num_tokens);
      else
        title = g_strdup_printf ("Block %d, mean over heads", r->block + 1);
      g_autofree char *summary = g_strdup_printf ("Ideal %s · on crossbars %s",
                                                  r->pred_ideal == r->label ? "right" : "wrong",
                                                  r->pred_noisy == r->label ? "right" : "wrong");
      gtk_label_set_label (self->summary_label, summary);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), summary);
    }
  g_autofree char *json = vs_run_settings_to_json_string (&self->run, FALSE);
  VxChartCard *cards[] = { self->image_card, self->ideal_card, self->noisy_card, self->probs_card };
  vx_chart_card_set_box (self->image_card, vs_result_chart_sample_image (r, NULL, "sample-image",
                                                                         NULL, cap0, &self->style));
  vx_chart_card_set_box (self->ideal_card, vs_result_chart_sample_image (r, r ? r->attn_ideal : NULL,
                                                                         "sample-attention-ideal",
                                                                         title, cap1, &self->style));
  vx_chart_card_set_box (self->noisy_card, vs_result_chart_sample_image (r, r ? r->attn_noisy : NULL,
                                                                         "sample-attention-noisy",
                                                                         title, cap2, &self->style));
  vx_chart_card_set_box (self->probs_card,
                         vs_result_chart_sample_probs (r, (const char *const *) self->model->model->class_names,
                                                       &self->style));
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    vx_chart_card_set_settings_json (cards[i], json);
}

static void
sample_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (VxSampleView) self = user_data;
  GTask *task = G_TASK (res);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (task, &error);
  if (g_task_get_cancellable (task) != self->cancellable)
    return;
  self->running = FALSE;
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->summary_label, error->message);
      return;
    }
  SampleJob *job = g_task_get_task_data (task);
  if (job->search && !job->found)
    {
      gtk_label_set_label (self->summary_label, "No image of the dataset is misclassified on crossbars");
      return;
    }
  if (job->search)
    {
      /* the result is in hand: moving the index must not compute it again */
      self->adopting = TRUE;
      gtk_adjustment_set_value (self->index_adjustment, job->index);
      self->adopting = FALSE;
    }
  vs_sample_result_clear (&self->result);
  self->result = job->result;
  memset (&job->result, 0, sizeof job->result);
  self->has_result = TRUE;
  show_result (self);
}

static void
start_job (VxSampleView *self, gboolean search)
{
  if (!self->has_inputs || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->dirty = TRUE;
      return;
    }
  self->dirty = FALSE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  SampleJob *job = g_new0 (SampleJob, 1);
  job->model = vs_shared_model_ref (self->model);
  job->data = vs_shared_data_ref (self->data);
  job->run = self->run;
  job->index = MIN ((int) gtk_adjustment_get_value (self->index_adjustment), self->data->data->n - 1);
  job->block = MIN ((int) gtk_drop_down_get_selected (self->block_dropdown),
                    self->model->model->arch.depth - 1);
  job->search = search;
  self->running = TRUE;
  if (search)
    gtk_label_set_label (self->summary_label, "Looking for a misclassified image…");
  vx_task_run (self, self->cancellable, TRUE, job, sample_job_free, sample_thread, sample_done);
}

static void
start_sample (VxSampleView *self)
{
  start_job (self, FALSE);
}

/* ---- public ---------------------------------------------------------------------------- */

static gboolean
int_to_double (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, g_variant_get_int32 (variant));
  return TRUE;
}

static GVariant *
double_to_int (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_int32 ((gint32) g_value_get_double (value));
}

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

void
vx_sample_view_bind (VxSampleView *self, GSettings *settings)
{
  g_return_if_fail (VX_IS_SAMPLE_VIEW (self));
  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "sample-index", self->index_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, int_to_double, double_to_int, NULL, NULL);
  g_settings_bind_with_mapping (settings, "sample-block", self->block_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, int_to_uint, uint_to_int, NULL, NULL);
}

void
vx_sample_view_set_inputs (VxSampleView *self, VsSharedModel *model, VsSharedData *data,
                           const VsRunSettings *s, const VsChartStyle *style)
{
  g_return_if_fail (VX_IS_SAMPLE_VIEW (self));
  if (!model || !data)
    return;
  gboolean new_model = model != self->model;
  if (new_model)
    {
      g_clear_pointer (&self->model, vs_shared_model_unref);
      self->model = vs_shared_model_ref (model);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->block_list));
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      for (int l = 0; l < model->model->arch.depth; l++)
        {
          g_autofree char *item = g_strdup_printf ("Block %d", l + 1);
          g_strv_builder_add (b, item);
        }
      g_auto (GStrv) items = g_strv_builder_end (b);
      guint sel = self->settings ? (guint) g_settings_get_int (self->settings, "sample-block") : 0;
      gtk_string_list_splice (self->block_list, 0, n, (const char *const *) items);
      gtk_drop_down_set_selected (self->block_dropdown, MIN (sel, (guint) model->model->arch.depth - 1));
    }
  if (data != self->data)
    {
      g_clear_pointer (&self->data, vs_shared_data_unref);
      self->data = vs_shared_data_ref (data);
      gtk_adjustment_set_upper (self->index_adjustment, MAX (0, data->data->n - 1));
    }
  self->run = *s;
  self->style = *style;
  self->has_inputs = TRUE;
  if (self->has_result && !new_model)
    show_result (self);
  start_sample (self);
}

gboolean
vx_sample_view_is_busy (VxSampleView *self)
{
  return self->running || (self->dirty && gtk_widget_get_mapped (GTK_WIDGET (self)));
}

const VsSampleResult *
vx_sample_view_get_result (VxSampleView *self)
{
  return self->has_result ? &self->result : NULL;
}

GList *
vx_sample_view_get_cards (VxSampleView *self)
{
  GList *l = NULL;
  l = g_list_append (l, self->image_card);
  l = g_list_append (l, self->ideal_card);
  l = g_list_append (l, self->noisy_card);
  l = g_list_append (l, self->probs_card);
  return l;
}

/* ---- actions and signals ------------------------------------------------------------------ */

static void
step_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  VxSampleView *self = VX_SAMPLE_VIEW (widget);
  double v = gtk_adjustment_get_value (self->index_adjustment);
  double upper = gtk_adjustment_get_upper (self->index_adjustment);
  if (g_str_equal (action_name, "sample.next"))
    v = v + 1 > upper ? 0 : v + 1;
  else if (g_str_equal (action_name, "sample.previous"))
    v = v - 1 < 0 ? upper : v - 1;
  else
    v = g_random_int_range (0, (gint32) upper + 1);
  gtk_adjustment_set_value (self->index_adjustment, v);
}

void
vx_sample_view_next_misclassified (VxSampleView *self)
{
  g_return_if_fail (VX_IS_SAMPLE_VIEW (self));
  if (self->has_inputs)
    start_job (self, TRUE);
}

static void
next_wrong_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  vx_sample_view_next_misclassified (VX_SAMPLE_VIEW (widget));
}

static void
on_choice_changed (VxSampleView *self)
{
  if (!self->adopting)
    start_sample (self);
}

static void
vx_sample_view_map (GtkWidget *widget)
{
  VxSampleView *self = VX_SAMPLE_VIEW (widget);
  GTK_WIDGET_CLASS (vx_sample_view_parent_class)->map (widget);
  if (self->dirty)
    start_sample (self);
}

static void
vx_sample_view_dispose (GObject *object)
{
  VxSampleView *self = VX_SAMPLE_VIEW (object);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_SAMPLE_VIEW);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->model, vs_shared_model_unref);
  g_clear_pointer (&self->data, vs_shared_data_unref);
  G_OBJECT_CLASS (vx_sample_view_parent_class)->dispose (object);
}

static void
vx_sample_view_finalize (GObject *object)
{
  vs_sample_result_clear (&VX_SAMPLE_VIEW (object)->result);
  G_OBJECT_CLASS (vx_sample_view_parent_class)->finalize (object);
}

static void
vx_sample_view_class_init (VxSampleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = vx_sample_view_dispose;
  object_class->finalize = vx_sample_view_finalize;
  widget_class->map = vx_sample_view_map;
  g_type_ensure (VX_TYPE_CHART_CARD);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-sample-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, index_spin);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, index_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, block_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, block_list);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, image_card);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, ideal_card);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, noisy_card);
  gtk_widget_class_bind_template_child (widget_class, VxSampleView, probs_card);
  gtk_widget_class_install_action (widget_class, "sample.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "sample.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "sample.random", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "sample.next-wrong", NULL, next_wrong_action);
}

static void
vx_sample_view_init (VxSampleView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->style.font_scale = 1.0;
  g_signal_connect_swapped (self->index_adjustment, "value-changed", G_CALLBACK (on_choice_changed), self);
  g_signal_connect_swapped (self->block_dropdown, "notify::selected", G_CALLBACK (on_choice_changed), self);
}
