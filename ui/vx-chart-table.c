/* vx-chart-table.c: chart data tables and their CSV form */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-chart-common.h"
#include "vx-chart-table.h"

struct _VxChartTable {
  guint      n_columns;
  char     **columns;  /* (n_columns) */
  GPtrArray *cells;    /* (n_rows * n_columns) char*, row-major */
};

VxChartTable *
vx_chart_table_new (guint n_columns, const char *const *column_names)
{
  VxChartTable *t;

  g_return_val_if_fail (n_columns > 0, NULL);
  g_return_val_if_fail (column_names != NULL, NULL);
  t = g_new0 (VxChartTable, 1);
  t->n_columns = n_columns;
  t->columns = g_new0 (char *, n_columns + 1);
  for (guint i = 0; i < n_columns; i++)
    t->columns[i] = g_strdup (column_names[i] ? column_names[i] : "");
  t->cells = g_ptr_array_new_with_free_func (g_free);
  return t;
}

void
vx_chart_table_free (VxChartTable *table)
{
  if (!table)
    return;
  g_strfreev (table->columns);
  g_ptr_array_unref (table->cells);
  g_free (table);
}

void
vx_chart_table_add_string (VxChartTable *table, const char *value)
{
  g_return_if_fail (table != NULL);
  g_ptr_array_add (table->cells, g_strdup (value ? value : ""));
}

void
vx_chart_table_add_number (VxChartTable *table, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (table != NULL);
  if (!isfinite (value))
    {
      vx_chart_table_add_string (table, "");
      return;
    }
  /* %.9g is exact for floats and short for the values charts hold. */
  g_ascii_formatd (buf, sizeof buf, "%.9g", value);
  vx_chart_table_add_string (table, buf);
}

void
vx_chart_table_add_uint (VxChartTable *table, guint64 value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  vx_chart_table_add_string (table, buf);
}

guint
vx_chart_table_get_n_columns (const VxChartTable *table)
{
  g_return_val_if_fail (table != NULL, 0);
  return table->n_columns;
}

guint
vx_chart_table_get_n_rows (const VxChartTable *table)
{
  g_return_val_if_fail (table != NULL, 0);
  return table->cells->len / table->n_columns;
}

const char *
vx_chart_table_get_column (const VxChartTable *table, guint col)
{
  g_return_val_if_fail (table != NULL && col < table->n_columns, NULL);
  return table->columns[col];
}

const char *
vx_chart_table_get_cell (const VxChartTable *table, guint row, guint col)
{
  guint idx;

  g_return_val_if_fail (table != NULL && col < table->n_columns, NULL);
  idx = row * table->n_columns + col;
  g_return_val_if_fail (idx < table->cells->len, NULL);
  return g_ptr_array_index (table->cells, idx);
}

static void
append_field (GString *out, const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
vx_chart_table_to_csv (const VxChartTable *table)
{
  GString *out;
  guint n_rows;

  g_return_val_if_fail (table != NULL, NULL);
  out = g_string_new (NULL);
  for (guint c = 0; c < table->n_columns; c++)
    {
      if (c)
        g_string_append_c (out, ',');
      append_field (out, table->columns[c]);
    }
  g_string_append (out, "\r\n");
  n_rows = vx_chart_table_get_n_rows (table);
  for (guint r = 0; r < n_rows; r++)
    {
      for (guint c = 0; c < table->n_columns; c++)
        {
          if (c)
            g_string_append_c (out, ',');
          append_field (out, vx_chart_table_get_cell (table, r, c));
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

static gboolean
column_is_numeric (const VxChartTable *table, guint col)
{
  guint n_rows = vx_chart_table_get_n_rows (table);
  gboolean any = FALSE;

  for (guint r = 0; r < n_rows; r++)
    {
      const char *cell = vx_chart_table_get_cell (table, r, col);
      char *end = NULL;
      if (!*cell)
        continue;
      g_ascii_strtod (cell, &end);
      if (end == cell || *end)
        return FALSE;
      any = TRUE;
    }
  return any;
}

static void
append_md_cell (GString *out, const char *cell)
{
  g_string_append_c (out, ' ');
  for (const char *p = cell; *p; p++)
    {
      if (*p == '|')
        g_string_append_c (out, '\\');
      if (*p == '\n' || *p == '\r')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  g_string_append (out, " |");
}

char *
vx_chart_table_to_markdown (const VxChartTable *table)
{
  GString *out;
  guint n_rows;

  g_return_val_if_fail (table != NULL, NULL);
  out = g_string_new ("|");
  for (guint c = 0; c < table->n_columns; c++)
    append_md_cell (out, table->columns[c]);
  g_string_append (out, "\n|");
  for (guint c = 0; c < table->n_columns; c++)
    g_string_append (out, column_is_numeric (table, c) ? " ---: |" : " --- |");
  g_string_append_c (out, '\n');
  n_rows = vx_chart_table_get_n_rows (table);
  for (guint r = 0; r < n_rows; r++)
    {
      g_string_append_c (out, '|');
      for (guint c = 0; c < table->n_columns; c++)
        append_md_cell (out, vx_chart_table_get_cell (table, r, c));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

gboolean
vx_chart_table_write_csv (const VxChartTable *table, const char *filename, GError **error)
{
  g_autofree char *csv = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);
  if (table->cells->len % table->n_columns != 0)
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_INVALID,
                   "%s: table has an incomplete last row", filename);
      return FALSE;
    }
  csv = vx_chart_table_to_csv (table);
  if (!g_file_set_contents (filename, csv, -1, &local))
    {
      g_set_error (error, VX_CHART_ERROR, VX_CHART_ERROR_IO, "%s: cannot write CSV: %s",
                   filename, local->message);
      return FALSE;
    }
  return TRUE;
}
