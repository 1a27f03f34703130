/* vx-json.h: json-glib parsing that untrusted text cannot crash
 *
 * json-glib's parser recurses once per nesting level, so a file of 200 KB of
 * '[' overflows the stack (SIGSEGV) long before any size limit applies. Every
 * JSON that comes from a file (model metadata, study files, sweep records)
 * goes through vx_json_load, which measures the nesting first.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Nesting a legitimate ViT-X JSON never comes near; far below the depth
 * (tens of thousands) at which json-glib exhausts an 8 MB stack. */
#define VX_JSON_MAX_DEPTH 64

/* The deepest nesting of [ and { in text (len bytes, or NUL-terminated when
 * len < 0), outside strings. */
int vx_json_depth (const char *text, gssize len);

/* json_parser_load_from_data after checking the nesting against max_depth.
 * Errors are VX_ERROR_FORMAT; the message names the problem but not the
 * file (callers prefix it). */
gboolean vx_json_load (JsonParser *parser, const char *text, gssize len, int max_depth,
                       GError **error);

G_END_DECLS
