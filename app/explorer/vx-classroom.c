/* vx-classroom.c: the classroom tour: eight steps from the ideal model to a mapping that fixes large ViTs */
#define G_LOG_DOMAIN "vx-classroom"
#include "config.h"

#include "vx-classroom.h"

/* ---- the steps -------------------------------------------------------------------------- */

static void
step_ideal (VsRunSettings *s)
{
  s->xbar.sigma_r = 0.0;
  s->xbar.sigma_w = 0.0;
  s->xbar.gamma = 0.0;
}

static void
step_read_noise (VsRunSettings *s)
{
  s->xbar.gamma = 0.0;
}

static void
step_write_noise (VsRunSettings *s)
{
  s->xbar.gamma = 5.0;
}

static void
step_stage_one (VsRunSettings *s)
{
  s->xbar.gamma = 5.0;
  s->xbar.clipformer = TRUE;
  s->xbar.alpha = 2.0;
  s->xbar.beta = 1.0;
}

static void
step_stage_two (VsRunSettings *s)
{
  s->xbar.gamma = 5.0;
  s->xbar.clipformer = TRUE;
  s->xbar.alpha = 2.0;
  s->xbar.beta = 0.25;
}

static void
step_outliers (VsRunSettings *s)
{
  step_stage_two (s);
  s->outlier_scale = 32.0;
  s->outlier_channels = 2;
}

static void
step_per_channel (VsRunSettings *s)
{
  step_outliers (s);
  s->xbar.clipformer = FALSE;
  s->xbar.kv_scale = VX_KV_SCALE_PER_CHANNEL;
}

static const VxTourStep steps[] = {
  { "The ideal model",
    "With noise-free devices the crossbars compute what the digital model computes: every "
    "block's SNR is high and the accuracy is the software accuracy.",
    "overview", step_ideal },
  { "Read noise",
    "Read noise (σ_R = 5 %) wobbles every conductance each time it is read: the SNR bars "
    "drop, yet the accuracy barely moves.",
    "overview", step_read_noise },
  { "Write noise on K and V",
    "K and V are written anew for every image, so they also get write noise, which grows "
    "with the square root of the conductance: at γ = 5 the SNR of every block collapses.",
    "overview", step_write_noise },
  { "ClipFormer stage I",
    "Stage I shifts the K/V conductances down by α·G_min = 0.2 µS: small values become "
    "exact zeros at G_min, where a cell has no write noise.",
    "overview", step_stage_one },
  { "ClipFormer stage II",
    "Stage II caps the conductances at β·G_max = 2.5 µS: the largest, noisiest cells are "
    "clipped and K and V fit in 6 bits.",
    "overview", step_stage_two },
  { "Hardware savings",
    "Six bits are three 2-bit slices instead of four, so the K/V crossbars shrink by a "
    "quarter: about 8 % less attention area and energy for DeiT-S.",
    "hardware", step_stage_two },
  { "What large ViTs look like",
    "Large pretrained ViTs have a few huge channels in K and V; giving this model such "
    "channels (s = 32) leaves its function unchanged but inflates w_max, and at γ = 5 it "
    "collapses like DeiT-S.",
    "overview", step_outliers },
  { "A mapping that fixes it",
    "Giving every K/V channel its own scale (a digital gain, counted by the estimator) "
    "keeps the outliers from squeezing all other values onto a few levels: the accuracy "
    "comes back.",
    "overview", step_per_channel },
};

const VxTourStep *
vx_tour_steps (guint *n_steps)
{
  *n_steps = G_N_ELEMENTS (steps);
  return steps;
}

void
vx_tour_step_settings (guint i, VsRunSettings *out)
{
  g_return_if_fail (i < G_N_ELEMENTS (steps));
  vs_run_settings_init (out);
  steps[i].apply (out);
}

/* ---- the bar ------------------------------------------------------------------------------ */

struct _VxTourBar {
  GtkWidget parent_instance;
  GtkLabel *step_label;
  GtkLabel *sentence_label;
  GtkLabel *settings_label;
  GtkBox *dots;
};

G_DEFINE_FINAL_TYPE (VxTourBar, vx_tour_bar, GTK_TYPE_WIDGET)

void
vx_tour_bar_show_step (VxTourBar *self, guint index)
{
  g_return_if_fail (VX_IS_TOUR_BAR (self));
  guint n;
  const VxTourStep *st = vx_tour_steps (&n);
  index = MIN (index, n - 1);
  g_autofree char *label = g_strdup_printf ("Step %u of %u · %s", index + 1, n, st[index].title);
  gtk_label_set_label (self->step_label, label);
  gtk_label_set_label (self->sentence_label, st[index].sentence);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dots))))
    gtk_box_remove (self->dots, child);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *dot = gtk_label_new ("●");
      gtk_widget_add_css_class (dot, i == index ? "vx-dot-current" : "vx-dot");
      gtk_box_append (self->dots, dot);
    }
}

char *
vx_run_settings_describe (const VsRunSettings *s)
{
  const VxXbarConfig *c = &s->xbar;
  GString *d = g_string_new (NULL);
  g_string_append_printf (d, "γ = %g · σ_R = %g · σ_W = %g · ON/OFF %g · ", c->gamma, c->sigma_r,
                          c->sigma_w, vx_xbar_config_onoff (c));
  if (c->clipformer)
    g_string_append_printf (d, "ClipFormer (α = %g, β = %g)", c->alpha, c->beta);
  else
    g_string_append (d, "ClipFormer off");
  g_string_append_printf (d, " · K/V scale %s", vx_kv_scale_to_string (c->kv_scale));
  if (s->outlier_scale > 1.0)
    g_string_append_printf (d, " · outliers s = %g, c = %d", s->outlier_scale, s->outlier_channels);
  return g_string_free (d, FALSE);
}

void
vx_tour_bar_set_settings (VxTourBar *self, const VsRunSettings *s)
{
  g_return_if_fail (VX_IS_TOUR_BAR (self));
  g_autofree char *text = vx_run_settings_describe (s);
  gtk_label_set_label (self->settings_label, text);
}

const char *
vx_tour_bar_get_sentence (VxTourBar *self)
{
  return gtk_label_get_label (self->sentence_label);
}

static void
vx_tour_bar_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_TOUR_BAR);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  G_OBJECT_CLASS (vx_tour_bar_parent_class)->dispose (object);
}

static void
vx_tour_bar_class_init (VxTourBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = vx_tour_bar_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-tour-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, VxTourBar, step_label);
  gtk_widget_class_bind_template_child (widget_class, VxTourBar, sentence_label);
  gtk_widget_class_bind_template_child (widget_class, VxTourBar, settings_label);
  gtk_widget_class_bind_template_child (widget_class, VxTourBar, dots);
  gtk_widget_class_set_css_name (widget_class, "vxtourbar");
}

static void
vx_tour_bar_init (VxTourBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vx_tour_bar_show_step (self, 0);
}
