/* vx-chart-table.h: the numbers behind a chart, as a table that writes CSV */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VxChartTable VxChartTable;

VxChartTable *vx_chart_table_new        (guint n_columns, const char *const *column_names);
void          vx_chart_table_free       (VxChartTable *table);
/* Cells are appended left to right; a row is complete after n_columns cells. */
void          vx_chart_table_add_string (VxChartTable *table, const char *value);
/* Shortest round-trip decimal, "." as separator; NaN and infinities as empty cells. */
void          vx_chart_table_add_number (VxChartTable *table, double value);
void          vx_chart_table_add_uint   (VxChartTable *table, guint64 value);
guint         vx_chart_table_get_n_columns (const VxChartTable *table);
guint         vx_chart_table_get_n_rows    (const VxChartTable *table);
const char   *vx_chart_table_get_column    (const VxChartTable *table, guint col);
const char   *vx_chart_table_get_cell      (const VxChartTable *table, guint row, guint col);
/* RFC 4180: comma separated, CRLF line ends, quotes where needed, header first. */
char         *vx_chart_table_to_csv        (const VxChartTable *table);
/* GitHub-flavoured Markdown: header row, alignment row (numbers right-aligned),
 * "|" in cells escaped. For Table II style reports. */
char         *vx_chart_table_to_markdown   (const VxChartTable *table);
/* Atomic write (temp file + rename); errors in VX_CHART_ERROR name the file. */
gboolean      vx_chart_table_write_csv     (const VxChartTable *table, const char *filename,
                                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxChartTable, vx_chart_table_free)

G_END_DECLS
