/* vx-hardware-view.c: the area/energy estimator for DeiT-S, LV-ViT-S and the loaded model */
#define G_LOG_DOMAIN "vx-hardware-view"
#include "config.h"

#include <math.h>

#include "vx-chart-card.h"
#include "vx-hardware-view.h"
#include "vs-result-charts.h"

/* totals are shown for these presets, then the loaded model */
static const char *const total_presets[] = { "deit-s", "lvvit-s" };
static const char *const preset_labels[][2] = {
  { "deit-t", "DeiT-T" }, { "deit-s", "DeiT-S" }, { "deit-b", "DeiT-B" }, { "lvvit-s", "LV-ViT-S" },
};

struct _VxHardwareView {
  GtkWidget parent_instance;
  GtkDropDown *arch_dropdown;
  GtkStringList *arch_list;
  GtkLabel *summary_label;
  VxChartCard *area_card, *energy_card, *breakdown_area_card, *breakdown_energy_card;

  gboolean has_loaded;
  VxArch loaded;
  char *loaded_name;
  VxXbarConfig cfg;
  gboolean has_cfg;
  char *settings_json;
  VsChartStyle style;
};

G_DEFINE_FINAL_TYPE (VxHardwareView, vx_hardware_view, GTK_TYPE_WIDGET)

static const char *
preset_label (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (preset_labels); i++)
    if (g_strcmp0 (preset_labels[i][0], name) == 0)
      return preset_labels[i][1];
  return name;
}

/* plain (ClipFormer off) and clip (on, with the current alpha, beta, decode) */
static gboolean
estimate_pair (const VxArch *a, const VxXbarConfig *cfg, VxHwReport *plain, VxHwReport *clip)
{
  VxXbarConfig c = *cfg;
  c.clipformer = FALSE;
  if (!vx_hw_estimate (a, &c, plain, NULL))
    return FALSE;
  c.clipformer = TRUE;
  return vx_hw_estimate (a, &c, clip, NULL);
}

/* the architecture chosen in the dropdown: a preset, or the loaded model (last item) */
static gboolean
selected_arch (VxHardwareView *self, VxArch *out, const char **label)
{
  guint i = gtk_drop_down_get_selected (self->arch_dropdown);
  if (i < G_N_ELEMENTS (preset_labels))
    {
      *label = preset_labels[i][1];
      return vx_hw_arch_preset (preset_labels[i][0], out, NULL);
    }
  if (!self->has_loaded)
    return FALSE;
  *out = self->loaded;
  *label = self->loaded_name;
  return TRUE;
}

static void
update_summary (VxHardwareView *self, const char *label, const VxHwReport *plain,
                const VxHwReport *clip, const char *clip_label)
{
  double da = 100.0 * (1.0 - clip->attn_area_mm2 / plain->attn_area_mm2);
  double de = 100.0 * (1.0 - clip->attn_energy_uj / plain->attn_energy_uj);
  g_autofree char *text = NULL;
  if (clip->attn_xbars == plain->attn_xbars && fabs (de) < 0.05)
    text = g_markup_printf_escaped ("<b>%s on %s</b>: no saving, K and V keep all their bit "
                                    "slices (they need β ≤ 0.25 and the physical reading)",
                                    clip_label, label);
  else
    text = g_markup_printf_escaped ("<b>%s on %s</b>: %'" G_GINT64_FORMAT " instead of %'"
                                    G_GINT64_FORMAT " attention crossbars · <b>%.1f %%</b> less "
                                    "area · <b>%.1f %%</b> %s energy per image",
                                    clip_label, label, clip->attn_xbars, plain->attn_xbars, da,
                                    fabs (de), de >= 0 ? "less" : "more");
  gtk_label_set_markup (self->summary_label, text);
  g_autofree char *plain_text = NULL;
  pango_parse_markup (text, -1, 0, NULL, &plain_text, NULL, NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), plain_text);
}

static void
set_card (VxChartCard *card, VsChartBox *box, const char *json)
{
  vx_chart_card_set_box (card, box);
  vx_chart_card_set_settings_json (card, json);
}

static void
rebuild (VxHardwareView *self)
{
  if (!self->has_cfg)
    return;
  g_autofree char *clip_label = NULL;
  VxXbarConfig cc = self->cfg;
  cc.clipformer = TRUE;
  clip_label = vs_result_config_label (&cc);

  VxHwReport plain[3], clip[3];
  const char *names[3];
  guint n = 0;
  for (guint i = 0; i < G_N_ELEMENTS (total_presets); i++)
    {
      VxArch a;
      if (vx_hw_arch_preset (total_presets[i], &a, NULL)
          && estimate_pair (&a, &self->cfg, &plain[n], &clip[n]))
        names[n++] = preset_label (total_presets[i]);
    }
  if (self->has_loaded && estimate_pair (&self->loaded, &self->cfg, &plain[n], &clip[n]))
    names[n++] = self->loaded_name;
  set_card (self->area_card,
            vs_result_chart_hw_totals ("hw-attention-area", "W_Q, W_K, W_V, Kᵀ and V of every block",
                                       FALSE, names, n, plain, clip, clip_label, &self->style),
            self->settings_json);
  set_card (self->energy_card,
            vs_result_chart_hw_totals ("hw-attention-energy", "Crossbar reads and writes of one image",
                                       TRUE, names, n, plain, clip, clip_label, &self->style),
            self->settings_json);

  VxArch a;
  const char *label = NULL;
  VxHwReport p, c;
  if (selected_arch (self, &a, &label) && estimate_pair (&a, &self->cfg, &p, &c))
    {
      set_card (self->breakdown_area_card,
                vs_result_chart_hw_breakdown ("hw-breakdown-area", label, FALSE, &p, &c,
                                              clip_label, &self->style), self->settings_json);
      set_card (self->breakdown_energy_card,
                vs_result_chart_hw_breakdown ("hw-breakdown-energy", label, TRUE, &p, &c,
                                              clip_label, &self->style), self->settings_json);
      update_summary (self, label, &p, &c, clip_label);
    }
  else
    {
      vx_chart_card_set_box (self->breakdown_area_card, NULL);
      vx_chart_card_set_box (self->breakdown_energy_card, NULL);
      gtk_label_set_label (self->summary_label, "The estimator does not accept these settings.");
    }
}

void
vx_hardware_view_update (VxHardwareView *self, const VxArch *loaded, const char *name,
                         const VxXbarConfig *cfg, const char *settings_json,
                         const VsChartStyle *style)
{
  g_return_if_fail (VX_IS_HARDWARE_VIEW (self));
  gboolean had = self->has_loaded;
  self->has_loaded = loaded != NULL;
  if (loaded)
    self->loaded = *loaded;
  g_free (self->loaded_name);
  self->loaded_name = g_strdup (name ? name : "Loaded model");
  self->cfg = *cfg;
  self->has_cfg = TRUE;
  g_free (self->settings_json);
  self->settings_json = g_strdup (settings_json);
  self->style = *style;
  guint items = g_list_model_get_n_items (G_LIST_MODEL (self->arch_list));
  if (had != self->has_loaded || items != G_N_ELEMENTS (preset_labels) + (self->has_loaded ? 1 : 0))
    {
      guint sel = gtk_drop_down_get_selected (self->arch_dropdown);
      const char *loaded_item[] = { self->loaded_name, NULL };
      gtk_string_list_splice (self->arch_list, G_N_ELEMENTS (preset_labels),
                              items - G_N_ELEMENTS (preset_labels),
                              self->has_loaded ? loaded_item : NULL);
      gtk_drop_down_set_selected (self->arch_dropdown,
                                  sel < G_N_ELEMENTS (preset_labels) + (self->has_loaded ? 1 : 0) ? sel : 1);
    }
  rebuild (self);
}

void
vx_hardware_view_select_arch (VxHardwareView *self, const char *preset)
{
  g_return_if_fail (VX_IS_HARDWARE_VIEW (self));
  for (guint i = 0; i < G_N_ELEMENTS (preset_labels); i++)
    if (g_str_equal (preset_labels[i][0], preset))
      gtk_drop_down_set_selected (self->arch_dropdown, i);
}

const char *
vx_hardware_view_get_summary (VxHardwareView *self)
{
  return gtk_label_get_label (self->summary_label);
}

GList *
vx_hardware_view_get_cards (VxHardwareView *self)
{
  GList *l = NULL;
  l = g_list_append (l, self->area_card);
  l = g_list_append (l, self->energy_card);
  l = g_list_append (l, self->breakdown_area_card);
  l = g_list_append (l, self->breakdown_energy_card);
  return l;
}

static void
on_arch_selected (GtkDropDown *dropdown, GParamSpec *pspec, VxHardwareView *self)
{
  rebuild (self);
}

static void
vx_hardware_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_HARDWARE_VIEW);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  G_OBJECT_CLASS (vx_hardware_view_parent_class)->dispose (object);
}

static void
vx_hardware_view_finalize (GObject *object)
{
  VxHardwareView *self = VX_HARDWARE_VIEW (object);
  g_free (self->loaded_name);
  g_free (self->settings_json);
  G_OBJECT_CLASS (vx_hardware_view_parent_class)->finalize (object);
}

static void
vx_hardware_view_class_init (VxHardwareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = vx_hardware_view_dispose;
  object_class->finalize = vx_hardware_view_finalize;
  g_type_ensure (VX_TYPE_CHART_CARD);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-hardware-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, arch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, arch_list);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, area_card);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, energy_card);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, breakdown_area_card);
  gtk_widget_class_bind_template_child (widget_class, VxHardwareView, breakdown_energy_card);
}

static void
vx_hardware_view_init (VxHardwareView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (preset_labels); i++)
    gtk_string_list_append (self->arch_list, preset_labels[i][1]);
  gtk_drop_down_set_selected (self->arch_dropdown, 1);
  self->style.font_scale = 1.0;
  g_signal_connect (self->arch_dropdown, "notify::selected", G_CALLBACK (on_arch_selected), self);
}
