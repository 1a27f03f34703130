/* vx-tour.c: the classroom tour: eight steps whose sentences are written from their results, and the bar */
#define G_LOG_DOMAIN "vx-tour"
#include "config.h"

#include <math.h>

#include "vx-hw.h"
#include "vx-tour.h"

/* ---- the settings of the steps ------------------------------------------------------------ */

static void
set_ideal (VsRunSettings *s)
{
  s->xbar.sigma_r = 0.0;
  s->xbar.sigma_w = 0.0;
  s->xbar.gamma = 0.0;
}

static void
set_read_noise (VsRunSettings *s)
{
  s->xbar.gamma = 0.0;
}

static void
set_write_noise (VsRunSettings *s)
{
  s->xbar.gamma = 5.0;
}

static void
set_stage_one (VsRunSettings *s)
{
  set_write_noise (s);
  s->xbar.clipformer = TRUE;
  s->xbar.alpha = 2.0;
  s->xbar.beta = 1.0;
}

static void
set_stage_two (VsRunSettings *s)
{
  set_stage_one (s);
  s->xbar.beta = 0.25;
}

static void
set_outliers (VsRunSettings *s)
{
  set_write_noise (s);
  s->outlier_scale = 32.0;
  s->outlier_channels = 2;
}

static void
set_outliers_stage_one (VsRunSettings *s)
{
  set_outliers (s);
  s->xbar.clipformer = TRUE;
  s->xbar.alpha = 2.0;
  s->xbar.beta = 1.0;
}

static void
set_per_channel (VsRunSettings *s)
{
  set_outliers (s);
  s->xbar.kv_scale = VX_KV_SCALE_PER_CHANNEL;
}

/* ---- sentences from numbers --------------------------------------------------------------- */

char *
vx_tour_format (VxTourMetric metric, double value)
{
  switch (metric)
    {
    case VX_TOUR_ACCURACY:
      return g_strdup_printf ("%.1f %%", 100.0 * value);
    case VX_TOUR_SNR:
      return g_strdup_printf ("%.1f dB", value);
    case VX_TOUR_AREA:
      return g_strdup_printf ("%.1f mm²", value);
    case VX_TOUR_ENERGY:
      return g_strdup_printf ("%.2f µJ", value);
    default:
      g_assert_not_reached ();
    }
}

int
vx_tour_direction (VxTourMetric metric, double before, double after)
{
  double d = after - before;
  double same = metric == VX_TOUR_ACCURACY ? VX_TOUR_ACCURACY_SAME
              : metric == VX_TOUR_SNR ? VX_TOUR_SNR_SAME
              : VX_TOUR_HW_SAME * fabs (before);
  return fabs (d) <= same ? 0 : d > 0 ? 1 : -1;
}

static int
add_claim (VxTourStory *st, VxTourMetric metric, double before, double after)
{
  int dir = vx_tour_direction (metric, before, after);
  g_assert (st->n_claims < VX_TOUR_MAX_CLAIMS);
  st->claims[st->n_claims++] = (VxTourClaim) { metric, before, after, dir };
  return dir;
}

/* "the accuracy falls from 92.6 % to 85.6 %", "… stays at 85.5 % (85.6 % before)";
 * returns the direction it wrote */
static int
change (VxTourStory *st, const char *subject, VxTourMetric metric, double before, double after)
{
  int dir = add_claim (st, metric, before, after);
  g_autofree char *b = vx_tour_format (metric, before);
  g_autofree char *a = vx_tour_format (metric, after);
  g_string_append_printf (st->text, "%s%s", subject, *subject ? " " : "");
  if (dir == 0)
    g_string_append_printf (st->text, "stays at %s (%s before)", a, b);
  else
    g_string_append_printf (st->text, "%s from %s to %s", dir > 0 ? "rises" : "falls", b, a);
  return dir;
}

/* accuracy and mean SNR of `now` against `before` */
static void
acc_and_snr (VxTourStory *st, const VsRunResult *before, const VsRunResult *now,
             int *acc_dir, int *snr_dir)
{
  *acc_dir = change (st, "Accuracy", VX_TOUR_ACCURACY, before->top1, now->top1);
  g_string_append (st->text, " and ");
  *snr_dir = change (st, "the mean SNR", VX_TOUR_SNR, before->snr_mean_db, now->snr_mean_db);
}

static void
narrate_ideal (const VxTourFacts *f, VxTourStory *st)
{
  int dir = add_claim (st, VX_TOUR_ACCURACY, f->ideal, f->now->top1);
  g_autofree char *a = vx_tour_format (VX_TOUR_ACCURACY, f->now->top1);
  g_autofree char *d = vx_tour_format (VX_TOUR_ACCURACY, f->ideal);
  g_autofree char *snr = vx_tour_format (VX_TOUR_SNR, f->now->snr_mean_db);
  g_string_append_printf (st->text, "Accuracy %s, %s the digital model's %s; the mean SNR is %s, "
                          "the ceiling the next steps are measured against.", a,
                          dir == 0 ? "within half a point of" : dir < 0 ? "below" : "above", d, snr);
}

static void
narrate_read_noise (const VxTourFacts *f, VxTourStory *st)
{
  int acc, snr;
  acc_and_snr (st, f->refs[0], f->now, &acc, &snr);
  if (snr < 0 && acc == 0)
    g_string_append (st->text, ": the noise shows in the SNR, yet changes few predictions.");
  else if (acc < 0)
    g_string_append (st->text, ": read noise alone already costs accuracy.");
  else
    g_string_append (st->text, ".");
}

static void
narrate_write_noise (const VxTourFacts *f, VxTourStory *st)
{
  int acc, snr;
  acc_and_snr (st, f->refs[0], f->now, &acc, &snr);
  if (acc < 0 && snr < 0)
    g_string_append (st->text, ": noisy K and V are what the next steps try to repair.");
  else
    g_string_append (st->text, ".");
}

static void
narrate_stage_one (const VxTourFacts *f, VxTourStory *st)
{
  int snr = change (st, "The mean SNR", VX_TOUR_SNR, f->refs[0]->snr_mean_db, f->now->snr_mean_db);
  g_string_append (st->text, " and ");
  int acc = change (st, "accuracy", VX_TOUR_ACCURACY, f->refs[0]->top1, f->now->top1);
  double gain = f->now->snr_mean_db - f->refs[0]->snr_mean_db;
  if (snr > 0 && acc <= 0)
    g_string_append_printf (st->text, ": the exact zeros help the SNR%s, not the predictions.",
                            gain < 3.0 ? " a little" : "");
  else if (snr > 0)
    g_string_append (st->text, ": the exact zeros carry no write noise.");
  else
    g_string_append (st->text, ".");
}

static void
narrate_stage_two (const VxTourFacts *f, VxTourStory *st)
{
  int acc, snr;
  acc_and_snr (st, f->refs[0], f->now, &acc, &snr);
  if (acc < 0)
    g_string_append (st->text, ": on this model the clip removes more signal than noise.");
  else if (acc > 0)
    g_string_append (st->text, ": on this model the clip removes more noise than signal.");
  else
    g_string_append (st->text, ": on this model the clip costs no accuracy.");
}

/* DeiT-S whatever model is loaded (the paper's saving is about DeiT-S), and the
 * accuracy the clip costs the loaded model */
static void
narrate_hardware (const VxTourFacts *f, VxTourStory *st)
{
  VxArch a;
  VxHwReport plain, clip;
  VxXbarConfig c = f->settings->xbar;
  c.clipformer = FALSE;
  gboolean ok = vx_hw_arch_preset ("deit-s", &a, NULL) && vx_hw_estimate (&a, &c, &plain, NULL);
  c.clipformer = TRUE;
  if (!ok || !vx_hw_estimate (&a, &c, &clip, NULL))
    {
      g_string_append (st->text, "The estimator cannot size DeiT-S with these settings.");
      return;
    }
  g_string_append_printf (st->text, "DeiT-S needs %" G_GINT64_FORMAT " attention crossbars "
                          "instead of %" G_GINT64_FORMAT ": ", clip.attn_xbars, plain.attn_xbars);
  int area = change (st, "its attention area", VX_TOUR_AREA, plain.attn_area_mm2, clip.attn_area_mm2);
  g_string_append_printf (st->text, " (%+.1f %%) and ", 100.0 * (clip.attn_area_mm2 / plain.attn_area_mm2 - 1.0));
  change (st, "the energy per image", VX_TOUR_ENERGY, plain.attn_energy_uj, clip.attn_energy_uj);
  g_string_append_printf (st->text, " (%+.1f %%), while on this model ",
                          100.0 * (clip.attn_energy_uj / plain.attn_energy_uj - 1.0));
  change (st, "accuracy", VX_TOUR_ACCURACY, f->refs[0]->top1, f->now->top1);
  g_string_append (st->text, area < 0 ? ": that is the price of the saving." : ".");
}

static void
narrate_outliers (const VxTourFacts *f, VxTourStory *st)
{
  int acc, snr;
  acc_and_snr (st, f->refs[0], f->now, &acc, &snr);
  double lost = f->refs[0]->top1 - f->now->top1;
  if (acc < 0 && lost > 0.25)
    g_string_append (st->text, ": the model collapses, as DeiT-S does in the paper.");
  else if (acc < 0)
    g_string_append (st->text, ": the model loses accuracy, less than DeiT-S does in the paper.");
  else
    g_string_append (st->text, ": this model does not collapse.");
}

/* refs: outliers untransformed, outliers with ClipFormer stage I, no outliers */
static void
narrate_mitigations (const VxTourFacts *f, VxTourStory *st)
{
  const VsRunResult *plain = f->refs[0], *clip = f->refs[1], *clean = f->refs[2];
  g_autofree char *p = vx_tour_format (VX_TOUR_ACCURACY, plain->top1);
  g_autofree char *w = vx_tour_format (VX_TOUR_ACCURACY, clean->top1);
  g_string_append_printf (st->text, "From %s with the outliers (%s without them): ", p, w);
  g_autofree char *clabel_acc = vx_tour_format (VX_TOUR_ACCURACY, clip->top1);
  int c = add_claim (st, VX_TOUR_ACCURACY, plain->top1, clip->top1);
  g_string_append_printf (st->text, "ClipFormer stage I %s %s; ",
                          c > 0 ? "brings it to" : c < 0 ? "lowers it to" : "leaves it at", clabel_acc);
  g_autofree char *n = vx_tour_format (VX_TOUR_ACCURACY, f->now->top1);
  int k = add_claim (st, VX_TOUR_ACCURACY, plain->top1, f->now->top1);
  int back = add_claim (st, VX_TOUR_ACCURACY, clean->top1, f->now->top1);
  g_string_append_printf (st->text, "a per-channel K/V scale %s %s%s.",
                          k > 0 ? "brings it back to" : k < 0 ? "lowers it to" : "leaves it at", n,
                          back == 0 ? ", the accuracy without outliers"
                          : back < 0 ? ", short of the accuracy without outliers" : "");
}

/* ---- the steps ---------------------------------------------------------------------------- */

static const VxTourStep steps[] = {
  { "The ideal model",
    "overview",
    "Without read or write noise the crossbars compute what the digital model computes, "
    "up to their 8-bit conductances.",
    set_ideal, { NULL }, narrate_ideal },
  { "Read noise",
    "overview",
    "Read noise (σ_R = 5 %) wobbles every conductance each time it is read.",
    set_read_noise, { set_ideal }, narrate_read_noise },
  { "Write noise on K and V",
    "overview",
    "K and V are written anew for every image, so they also get write noise, which grows "
    "with the square root of the conductance (γ = 5).",
    set_write_noise, { set_read_noise }, narrate_write_noise },
  { "ClipFormer stage I",
    "overview",
    "Stage I shifts the K/V conductances down by α·G_min = 0.2 µS: small values become "
    "exact zeros at G_min, where a cell has no write noise.",
    set_stage_one, { set_write_noise }, narrate_stage_one },
  { "ClipFormer stage II",
    "overview",
    "Stage II also caps the conductances at β·G_max = 2.5 µS: the largest, noisiest cells "
    "are clipped and K and V fit in 6 bits.",
    set_stage_two, { set_stage_one }, narrate_stage_two },
  { "Hardware savings",
    "hardware",
    "Six bits are three 2-bit slices instead of four, so the K/V crossbars shrink by a quarter.",
    set_stage_two, { set_stage_one }, narrate_hardware },
  { "What large ViTs look like",
    "overview",
    "Large pretrained ViTs have a few huge channels in K and V; giving this model two such "
    "channels per head (s = 32) leaves its function unchanged but stretches K/V's range.",
    set_outliers, { set_write_noise }, narrate_outliers },
  { "What brings it back",
    "overview",
    "Giving every K/V channel its own scale (a digital gain, counted by the estimator) keeps "
    "the outliers from squeezing all other values onto a few levels.",
    set_per_channel, { set_outliers, set_outliers_stage_one, set_write_noise },
    narrate_mitigations },
};

const VxTourStep *
vx_tour_steps (guint *n_steps)
{
  *n_steps = G_N_ELEMENTS (steps);
  return steps;
}

guint
vx_tour_step_n_refs (guint i)
{
  g_return_val_if_fail (i < G_N_ELEMENTS (steps), 0);
  guint n = 0;
  while (n < VX_TOUR_MAX_REFS && steps[i].refs[n])
    n++;
  return n;
}

/* the paper's defaults under `apply`, evaluated as the user asked (images, repeats, seed) */
static void
settings_for (VxTourApply apply, const VsRunSettings *user, VsRunSettings *out)
{
  vs_run_settings_init (out);
  apply (out);
  if (user)
    {
      out->n_images = user->n_images;
      out->repeats = user->repeats;
      out->xbar.seed = user->xbar.seed;
    }
}

void
vx_tour_step_settings (guint i, const VsRunSettings *user, VsRunSettings *out)
{
  g_return_if_fail (i < G_N_ELEMENTS (steps));
  settings_for (steps[i].apply, user, out);
}

void
vx_tour_ref_settings (guint i, guint r, const VsRunSettings *user, VsRunSettings *out)
{
  g_return_if_fail (i < G_N_ELEMENTS (steps) && r < vx_tour_step_n_refs (i));
  settings_for (steps[i].refs[r], user, out);
}

void
vx_tour_narrate (guint i, const VxTourFacts *f, VxTourStory *out)
{
  g_return_if_fail (i < G_N_ELEMENTS (steps));
  out->text = g_string_new (steps[i].change);
  out->n_claims = 0;
  g_string_append_c (out->text, ' ');
  steps[i].narrate (f, out);
}

void
vx_tour_story_clear (VxTourStory *story)
{
  if (story->text)
    g_string_free (story->text, TRUE);
  story->text = NULL;
  story->n_claims = 0;
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
  gtk_label_set_label (self->sentence_label, st[index].change);
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

void
vx_tour_bar_set_sentence (VxTourBar *self, const char *sentence)
{
  g_return_if_fail (VX_IS_TOUR_BAR (self));
  gtk_label_set_label (self->sentence_label, sentence);
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
