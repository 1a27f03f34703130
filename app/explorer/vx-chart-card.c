/* vx-chart-card.c: a card around one chart: title, extra header widgets, export menu */
#define G_LOG_DOMAIN "vx-chart-card"
#include "config.h"

#include "vx-chart-card.h"
#include "vx-chart-view.h"
#include "vx-dialogs.h"

struct _VxChartCard {
  GtkWidget parent_instance;

  GtkLabel *title_label;
  GtkBox *header_box;
  GtkMenuButton *menu_button;
  VxChartView *view;
  GtkBox *side_box;

  VsChartBox *box;          /* owned by the view */
  char *settings_json;
};

static void vx_chart_card_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VxChartCard, vx_chart_card, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      vx_chart_card_buildable_init))

enum { PROP_0, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];
static GtkBuildableIface *parent_buildable;

/* ---- the chart ---------------------------------------------------------------------- */

void
vx_chart_card_set_box (VxChartCard *self, VsChartBox *box)
{
  g_return_if_fail (VX_IS_CHART_CARD (self));
  self->box = box;
  if (box)
    vx_chart_view_set_chart (self->view, box->render, box, vs_chart_box_free);
  else
    vx_chart_view_set_chart (self->view, NULL, NULL, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.export-png", box != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.export-svg", box != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.export-csv", box != NULL && box->table);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.copy", box != NULL);
}

VsChartBox *
vx_chart_card_get_box (VxChartCard *self)
{
  g_return_val_if_fail (VX_IS_CHART_CARD (self), NULL);
  return self->box;
}

GtkWidget *
vx_chart_card_get_view (VxChartCard *self)
{
  g_return_val_if_fail (VX_IS_CHART_CARD (self), NULL);
  return GTK_WIDGET (self->view);
}

const char *
vx_chart_card_get_title (VxChartCard *self)
{
  g_return_val_if_fail (VX_IS_CHART_CARD (self), NULL);
  return gtk_label_get_label (self->title_label);
}

void
vx_chart_card_set_settings_json (VxChartCard *self, const char *json)
{
  g_return_if_fail (VX_IS_CHART_CARD (self));
  g_free (self->settings_json);
  self->settings_json = g_strdup (json);
}

static const char *
base_name (VxChartCard *self)
{
  if (self->box && self->box->name)
    return self->box->name;
  return gtk_widget_get_name (GTK_WIDGET (self));
}

static void
export_options (VxChartCard *self, VxChartExportOptions *o)
{
  double w = MAX (gtk_widget_get_width (GTK_WIDGET (self->view)), 640);
  double h = MAX (gtk_widget_get_height (GTK_WIDGET (self->view)), 420);
  vx_chart_export_options_init (o, w, h);
  o->scale = 2.0;
  o->software = "vitx-explorer " PACKAGE_VERSION;
  o->settings_json = self->settings_json;
}

gboolean
vx_chart_card_export (VxChartCard *self, const char *path, VxChartFormats format, GError **error)
{
  g_return_val_if_fail (VX_IS_CHART_CARD (self), FALSE);
  if (!self->box)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID, "%s: the chart has no data yet", path);
      return FALSE;
    }
  if (format == VX_CHART_FORMAT_CSV)
    {
      g_autoptr (VxChartTable) table = vs_chart_box_to_table (self->box);
      return vx_chart_export_csv (path, table, error);
    }
  VxChartExportOptions o;
  export_options (self, &o);
  /* on screen the card shows the title; an exported figure carries it itself */
  const char *old = self->box->u.common.title;
  self->box->u.common.title = vx_chart_card_get_title (self);
  gboolean ok = format == VX_CHART_FORMAT_SVG
    ? vx_chart_export_svg (path, self->box->render, self->box, &o, error)
    : vx_chart_export_png (path, self->box->render, self->box, &o, error);
  self->box->u.common.title = old;
  return ok;
}

gboolean
vx_chart_card_export_all (VxChartCard *self, const char *dir, GError **error)
{
  static const struct { VxChartFormats format; const char *ext; } formats[] = {
    { VX_CHART_FORMAT_PNG, "png" }, { VX_CHART_FORMAT_SVG, "svg" }, { VX_CHART_FORMAT_CSV, "csv" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.%s", base_name (self), formats[i].ext);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      if (!vx_chart_card_export (self, path, formats[i].format, error))
        return FALSE;
    }
  return TRUE;
}

GdkTexture *
vx_chart_card_to_texture (VxChartCard *self, GError **error)
{
  g_return_val_if_fail (VX_IS_CHART_CARD (self), NULL);
  if (!self->box)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID, "the chart has no data yet");
      return NULL;
    }
  VxChartExportOptions o;
  export_options (self, &o);
  g_autoptr (GBytes) png = vx_chart_export_png_bytes (self->box->render, self->box, &o, error);
  if (!png)
    return NULL;
  return gdk_texture_new_from_bytes (png, error);
}

/* ---- actions -------------------------------------------------------------------------- */

static void
export_chosen (GtkWidget *owner, GFile *file, gpointer user_data)
{
  VxChartCard *self = VX_CHART_CARD (owner);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  if (!path || !vx_chart_card_export (self, path, GPOINTER_TO_INT (user_data), &error))
    vx_show_error (owner, "The chart could not be exported",
                   error ? error->message : "The location is not a local file.");
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  VxChartCard *self = VX_CHART_CARD (widget);
  static const char *const png[] = { "*.png", NULL }, *const svg[] = { "*.svg", NULL },
                           *const csv[] = { "*.csv", NULL };
  VxChartFormats format = g_str_has_suffix (action_name, "png") ? VX_CHART_FORMAT_PNG
    : g_str_has_suffix (action_name, "svg") ? VX_CHART_FORMAT_SVG : VX_CHART_FORMAT_CSV;
  const char *ext = format == VX_CHART_FORMAT_PNG ? "png" : format == VX_CHART_FORMAT_SVG ? "svg" : "csv";
  const char *filter = format == VX_CHART_FORMAT_PNG ? "PNG images"
    : format == VX_CHART_FORMAT_SVG ? "SVG drawings" : "CSV tables";
  g_autofree char *name = g_strdup_printf ("%s.%s", base_name (self), ext);
  g_autofree char *title = g_strdup_printf ("Export “%s”", vx_chart_card_get_title (self));
  vx_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SAVE, title, "_Export", name, filter,
                  format == VX_CHART_FORMAT_PNG ? png : format == VX_CHART_FORMAT_SVG ? svg : csv,
                  export_chosen, GINT_TO_POINTER (format));
}

static void
copy_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  VxChartCard *self = VX_CHART_CARD (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = vx_chart_card_to_texture (self, &error);
  if (!texture)
    {
      vx_show_error (widget, "The chart could not be copied", error->message);
      return;
    }
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
}

/* ---- GtkBuildable: "header" and "side" children ------------------------------------- */

static void
vx_chart_card_add_child (GtkBuildable *buildable, GtkBuilder *builder, GObject *child,
                         const char *type)
{
  VxChartCard *self = VX_CHART_CARD (buildable);
  if (g_strcmp0 (type, "header") == 0)
    gtk_box_append (self->header_box, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "side") == 0)
    {
      gtk_box_append (self->side_box, GTK_WIDGET (child));
      gtk_widget_set_visible (GTK_WIDGET (self->side_box), TRUE);
    }
  else
    parent_buildable->add_child (buildable, builder, child, type);
}

static void
vx_chart_card_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable = g_type_interface_peek_parent (iface);
  iface->add_child = vx_chart_card_add_child;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
vx_chart_card_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VxChartCard *self = VX_CHART_CARD (object);
  if (prop_id == PROP_TITLE)
    g_value_set_string (value, gtk_label_get_label (self->title_label));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vx_chart_card_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VxChartCard *self = VX_CHART_CARD (object);
  if (prop_id == PROP_TITLE)
    {
      const char *title = g_value_get_string (value);
      gtk_label_set_label (self->title_label, title);
      /* the title wraps onto more lines where the header is crowded */
      gtk_label_set_width_chars (self->title_label, MIN (10, title ? (int) g_utf8_strlen (title, -1) : 0));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      g_value_get_string (value), -1);
    }
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vx_chart_card_dispose (GObject *object)
{
  VxChartCard *self = VX_CHART_CARD (object);
  self->box = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (object), VX_TYPE_CHART_CARD);
  /* children of the template that are not bound are not unparented by it */
  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (c);
  G_OBJECT_CLASS (vx_chart_card_parent_class)->dispose (object);
}

static void
vx_chart_card_finalize (GObject *object)
{
  g_free (VX_CHART_CARD (object)->settings_json);
  G_OBJECT_CLASS (vx_chart_card_parent_class)->finalize (object);
}

static void
vx_chart_card_class_init (VxChartCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vx_chart_card_get_property;
  object_class->set_property = vx_chart_card_set_property;
  object_class->dispose = vx_chart_card_dispose;
  object_class->finalize = vx_chart_card_finalize;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VX_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/vitx/Explorer/vx-chart-card.ui");
  gtk_widget_class_bind_template_child (widget_class, VxChartCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, VxChartCard, header_box);
  gtk_widget_class_bind_template_child (widget_class, VxChartCard, menu_button);
  gtk_widget_class_bind_template_child (widget_class, VxChartCard, view);
  gtk_widget_class_bind_template_child (widget_class, VxChartCard, side_box);

  gtk_widget_class_install_action (widget_class, "card.export-png", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "card.export-svg", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "card.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "card.copy", NULL, copy_action);
  gtk_widget_class_set_css_name (widget_class, "vxchartcard");
}

static void
vx_chart_card_init (VxChartCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vx_chart_card_set_box (self, NULL);
}
