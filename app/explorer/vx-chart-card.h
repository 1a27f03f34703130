/* vx-chart-card.h: a titled card showing one chart, with export and copy
 *
 * Holds a VsChartBox (model + memory + render and table functions). Its menu
 * exports the chart as PNG or SVG (with the settings JSON as metadata), its
 * numbers as CSV, or copies the image to the clipboard. In a .ui file,
 * children of type "header" go beside the title, of type "side" beside the chart.
 */
#pragma once

#include <gtk/gtk.h>

#include "vs-chart-box.h"

G_BEGIN_DECLS

#define VX_TYPE_CHART_CARD (vx_chart_card_get_type ())
G_DECLARE_FINAL_TYPE (VxChartCard, vx_chart_card, VX, CHART_CARD, GtkWidget)

/* takes box (NULL clears the chart) */
void        vx_chart_card_set_box      (VxChartCard *self, VsChartBox *box);
VsChartBox *vx_chart_card_get_box      (VxChartCard *self);
const char *vx_chart_card_get_title    (VxChartCard *self);
/* the widget that draws the chart (a VxChartView), for hit-testing with its layout */
GtkWidget  *vx_chart_card_get_view     (VxChartCard *self);
/* the settings JSON written into exported files (nullable) */
void        vx_chart_card_set_settings_json (VxChartCard *self, const char *json);

/* Write the chart: PNG (at twice the on-screen size), SVG, CSV. The exported
 * figure carries the card's title. */
gboolean    vx_chart_card_export       (VxChartCard *self, const char *path,
                                        VxChartFormats format, GError **error);
/* DIR/<name>.png, .svg, .csv */
gboolean    vx_chart_card_export_all   (VxChartCard *self, const char *dir, GError **error);
/* the chart as a texture, e.g. for the clipboard */
GdkTexture *vx_chart_card_to_texture   (VxChartCard *self, GError **error);

G_END_DECLS
