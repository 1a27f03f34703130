/* vx-json.c: json-glib parsing with a nesting limit */
#define G_LOG_DOMAIN "vx-json"
#include "config.h"

#include <string.h>

#include "vx-error.h"
#include "vx-json.h"

int
vx_json_depth (const char *text, gssize len)
{
  g_return_val_if_fail (text != NULL || len == 0, 0);
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  int depth = 0, deepest = 0;
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];
      if (c == '"')
        {
          /* skip the string; an unterminated one ends the scan (json-glib rejects it) */
          for (i++; i < n && text[i] != '"'; i++)
            if (text[i] == '\\')
              i++;
        }
      else if (c == '[' || c == '{')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

gboolean
vx_json_load (JsonParser *parser, const char *text, gssize len, int max_depth, GError **error)
{
  g_return_val_if_fail (JSON_IS_PARSER (parser) && (text != NULL || len == 0), FALSE);
  int depth = vx_json_depth (text, len);
  if (depth > max_depth)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "JSON nested %d levels deep (at most %d are read)", depth, max_depth);
      return FALSE;
    }
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, text ? text : "", len, &local))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "not valid JSON: %s", local->message);
      return FALSE;
    }
  return TRUE;
}
