/* vx-chart-export.h: PNG, SVG and CSV from the same render function
 *
 * PNGs are encoded with libpng so that they carry their physical resolution
 * (pHYs) and how they were made: a tEXt "Software" chunk (program and
 * version) and a tEXt "vitx-settings" chunk (the caller's settings JSON,
 * non-ASCII characters \u-escaped so it stays Latin-1 as tEXt requires).
 * SVGs use pixels as their unit and carry the same two strings in
 * <metadata>. Every file is written atomically (temp file + rename), and
 * every error is a VX_CHART_ERROR naming the file.
 */
#pragma once

#include <glib.h>

#include "vx-chart-common.h"
#include "vx-chart-table.h"

G_BEGIN_DECLS

#define VX_CHART_PNG_KEY_SOFTWARE "Software"
#define VX_CHART_PNG_KEY_SETTINGS "vitx-settings"
#define VX_CHART_SVG_NAMESPACE    "urn:x-vitx-explorer:figure"

typedef struct {
  double      width, height;  /* logical size in pixels (the render function's units) */
  double      scale;          /* PNG device pixels per logical pixel; 0 = 1 */
  double      dpi;            /* PNG pHYs; 0 = 300 */
  const char *software;       /* e.g. "vitx 0.1.0"; NULL = "vitx-explorer" */
  const char *settings_json;  /* nullable; must be valid JSON when given */
} VxChartExportOptions;

typedef enum {
  VX_CHART_FORMAT_PNG = 1 << 0,
  VX_CHART_FORMAT_SVG = 1 << 1,
  VX_CHART_FORMAT_CSV = 1 << 2,
} VxChartFormats;

void     vx_chart_export_options_init (VxChartExportOptions *options, double width, double height);

/* Encoded file contents, e.g. for the clipboard. */
GBytes  *vx_chart_export_png_bytes (VxChartRenderFunc func, gconstpointer model,
                                    const VxChartExportOptions *options, GError **error);
GBytes  *vx_chart_export_svg_bytes (VxChartRenderFunc func, gconstpointer model,
                                    const VxChartExportOptions *options, GError **error);

gboolean vx_chart_export_png (const char *filename, VxChartRenderFunc func, gconstpointer model,
                              const VxChartExportOptions *options, GError **error);
gboolean vx_chart_export_svg (const char *filename, VxChartRenderFunc func, gconstpointer model,
                              const VxChartExportOptions *options, GError **error);
gboolean vx_chart_export_csv (const char *filename, const VxChartTable *table, GError **error);

/* DIR/BASENAME.png, .svg and .csv as asked by formats (CSV needs table);
 * creates DIR. Stops at the first error. */
gboolean vx_chart_export_files (const char *dir, const char *basename, VxChartFormats formats,
                                VxChartRenderFunc func, gconstpointer model,
                                const VxChartTable *table, const VxChartExportOptions *options,
                                GError **error);

G_END_DECLS
