/* vs-sweep-records.c: records, result files (resume) and merging of `vitx sweep` */
#define G_LOG_DOMAIN "vs-sweep-records"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "vs-sweep.h"
#include "vx-error.h"
#include "vx-json.h"

/* ---- records ------------------------------------------------------------------------------ */

static const char *const timing_fields[] = { "seconds", "finished", "host" };

gboolean
vs_sweep_is_timing_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (timing_fields); i++)
    if (g_str_equal (name, timing_fields[i]))
      return TRUE;
  return FALSE;
}

static void
set_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
set_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
set_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  if (v)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

JsonNode *
vs_sweep_record_new (const VsSweepGrid *g, const VsSweepPoint *p, const VxXbarConfig *cfg,
                       const char *data_source, double prune_keep, const VxXbarEvalResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *key = vs_sweep_point_key (g, p);
  g_autofree char *clip = vs_sweep_clip_label (&p->clip);
  json_builder_begin_object (b);
  set_int (b, "format", VS_SWEEP_FORMAT);
  set_string (b, "sweep", g->id);
  set_int (b, "index", p->index);
  set_int (b, "points", g->points);
  set_string (b, "key", key);
  set_string (b, "model", g_ptr_array_index (g->models, p->model));
  set_double (b, "prune_keep", prune_keep);
  set_double (b, "outlier_scale", p->outlier_scale);
  set_int (b, "outlier_channels", p->outlier_scale > 1 ? g->outlier_channels : 0);
  set_string (b, "kv_scale", vx_kv_scale_to_string (p->kv_scale));
  set_string (b, "clip", clip);
  json_builder_set_member_name (b, "clipformer");
  json_builder_add_boolean_value (b, p->clip.on);
  json_builder_set_member_name (b, "alpha");
  if (p->clip.on)
    json_builder_add_double_value (b, p->clip.alpha);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "beta");
  if (p->clip.on)
    json_builder_add_double_value (b, p->clip.beta);
  else
    json_builder_add_null_value (b);
  set_string (b, "decode", p->clip.on ? vx_clip_decode_to_string (p->clip.decode) : NULL);
  set_double (b, "onoff", vx_xbar_config_onoff (cfg));
  set_double (b, "gamma", p->gamma);
  set_int (b, "seed", (gint64) p->seed);
  set_string (b, "data", data_source);
  set_int (b, "limit", g->limit);
  set_int (b, "batch", g->batch);
  set_int (b, "n_images", r->n);
  set_double (b, "top1", r->top1[0]);
  set_int (b, "top1_correct", r->top1_correct[0]);
  json_builder_set_member_name (b, "top1_ci");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, r->top1_lo);
  json_builder_add_double_value (b, r->top1_hi);
  json_builder_end_array (b);
  set_string (b, "snr_mode", vx_snr_mode_to_string (r->snr_mode));
  json_builder_set_member_name (b, "snr_mean_db");
  if (r->snr_db)
    json_builder_add_double_value (b, r->snr_mean_db);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "snr_db");
  json_builder_begin_array (b);
  for (int l = 0; r->snr_db && l < r->depth; l++)
    json_builder_add_double_value (b, r->snr_db[l]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, vx_xbar_config_to_json (cfg));
  set_double (b, "seconds", r->seconds);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *finished = g_date_time_format_iso8601 (now);
  set_string (b, "finished", finished);
  set_string (b, "host", g_get_host_name ());
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
vs_sweep_record_to_line (JsonNode *record)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, record);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

char *
vs_sweep_record_canonical (JsonObject *record)
{
  g_autoptr (JsonObject) copy = json_object_new ();
  g_autoptr (GList) members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    if (!vs_sweep_is_timing_field (l->data))
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (record, l->data)));
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, copy);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* CSV columns: record members, except top1_lo/top1_hi (from top1_ci). Columns
 * added later stand before the last one, config (quoted JSON), so that readers
 * of the older files find the others where they were (tools/sweep-table). */
static const char *const csv_columns[] = {
  "sweep", "index", "points", "key", "model", "outlier_scale", "outlier_channels", "kv_scale",
  "clip", "alpha", "beta", "decode", "onoff", "gamma", "seed", "data", "n_images", "batch",
  "top1", "top1_correct", "top1_lo", "top1_hi", "snr_mode", "snr_mean_db", "seconds",
  "finished", "host", "prune_keep", "config",
};
/* the column files written before token pruning lack */
#define CSV_PRUNE_COLUMN "prune_keep"

static gboolean
csv_has_column (guint i, gboolean legacy)
{
  return !legacy || !g_str_equal (csv_columns[i], CSV_PRUNE_COLUMN);
}

static guint
csv_n_columns (gboolean legacy)
{
  return G_N_ELEMENTS (csv_columns) - (legacy ? 1 : 0);
}

static char *
csv_header_new (gboolean legacy)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0, n = 0; i < G_N_ELEMENTS (csv_columns); i++)
    if (csv_has_column (i, legacy))
      g_string_append_printf (s, "%s%s", n++ ? "," : "", csv_columns[i]);
  g_string_append_c (s, '\n');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const char *
vs_sweep_csv_header (void)
{
  static gsize header;
  if (g_once_init_enter (&header))
    g_once_init_leave (&header, (gsize) csv_header_new (FALSE));
  return (const char *) header;
}

/* the header of CSV files written before column prune_keep existed */
static const char *
csv_header_legacy (void)
{
  static gsize header;
  if (g_once_init_enter (&header))
    g_once_init_leave (&header, (gsize) csv_header_new (TRUE));
  return (const char *) header;
}

static void
csv_append_text (GString *out, const char *text)
{
  if (!strpbrk (text, ",\"\n\r"))
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
csv_append_node (GString *out, JsonNode *node)
{
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);
      if (t == G_TYPE_STRING)
        csv_append_text (out, json_node_get_string (node));
      else if (t == G_TYPE_BOOLEAN)
        g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      else if (t == G_TYPE_INT64)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        {
          g_autofree char *v = vs_sweep_format_double (json_node_get_double (node));
          g_string_append (out, v);
        }
      return;
    }
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  csv_append_text (out, text);
}

static char *
record_to_csv (JsonObject *record, gboolean legacy)
{
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0, n = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      const char *name = csv_columns[i];
      if (!csv_has_column (i, legacy))
        continue;
      if (n++)
        g_string_append_c (out, ',');
      if (g_str_equal (name, "top1_lo") || g_str_equal (name, "top1_hi"))
        {
          JsonArray *ci = json_object_has_member (record, "top1_ci")
                            ? json_object_get_array_member (record, "top1_ci") : NULL;
          guint k = g_str_equal (name, "top1_lo") ? 0 : 1;
          if (ci && json_array_get_length (ci) == 2)
            csv_append_node (out, json_array_get_element (ci, k));
          continue;
        }
      csv_append_node (out, json_object_has_member (record, name) ? json_object_get_member (record, name) : NULL);
    }
  g_string_append_c (out, '\n');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
vs_sweep_record_to_csv (JsonObject *record)
{
  return record_to_csv (record, FALSE);
}

char *
vs_sweep_file_csv_row (const VsSweepFile *f, JsonObject *record)
{
  return record_to_csv (record, f->csv_legacy);
}

/* the fields of one CSV line (no newline), NULL if its quotes are unbalanced */
static char **
csv_split (const char *line, gsize len)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) cur = g_string_new (NULL);
  gboolean quoted = FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];
      if (quoted)
        {
          if (c == '"' && i + 1 < len && line[i + 1] == '"')
            {
              g_string_append_c (cur, '"');
              i++;
            }
          else if (c == '"')
            quoted = FALSE;
          else
            g_string_append_c (cur, c);
        }
      else if (c == '"')
        quoted = TRUE;
      else if (c == ',')
        {
          g_ptr_array_add (fields, g_strdup (cur->str));
          g_string_truncate (cur, 0);
        }
      else
        g_string_append_c (cur, c);
    }
  if (quoted)
    return NULL;
  g_ptr_array_add (fields, g_strdup (cur->str));
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
}

/* the length of text up to and including its last newline */
static gsize
complete_length (const char *text, gsize len)
{
  while (len > 0 && text[len - 1] != '\n')
    len--;
  return len;
}

/* ---- result files ------------------------------------------------------------------------- */

static void
node_unref0 (gpointer p)
{
  if (p)
    json_node_unref (p);
}

void
vs_sweep_file_free (VsSweepFile *f)
{
  if (!f)
    return;
  if (f->fd >= 0)
    close (f->fd);
  g_clear_pointer (&f->done, g_hash_table_unref);
  g_free (f->path);
  g_free (f);
}

gboolean
vs_sweep_file_has (const VsSweepFile *f, guint index)
{
  return g_hash_table_contains (f->done, GUINT_TO_POINTER (index + 1));
}

JsonNode *
vs_sweep_file_get (const VsSweepFile *f, guint index)
{
  return g_hash_table_lookup (f->done, GUINT_TO_POINTER (index + 1));
}

static gboolean
io_error (GError **error, const char *path, const char *what, int errsv)
{
  g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: %s: %s", path, what, g_strerror (errsv));
  return FALSE;
}

/* the point a record claims to be must be this grid's point */
static gboolean
check_point (const VsSweepFile *f, const VsSweepGrid *g, guint lineno, const char *sweep,
             gint64 index, const char *key, GError **error)
{
  if (!sweep || !g_str_equal (sweep, g->id))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_VALUE,
                   "%s line %u: a result of another sweep (%s; these options make sweep %s): "
                   "write to another file, or give the options that made it",
                   f->path, lineno, sweep ? sweep : "no sweep id", g->id);
      return FALSE;
    }
  if (index < 0 || index >= g->points)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: point index %" G_GINT64_FORMAT
                   " is outside the grid of %u points", f->path, lineno, index, g->points);
      return FALSE;
    }
  VsSweepPoint p;
  vs_sweep_grid_point (g, (guint) index, &p);
  g_autofree char *want = vs_sweep_point_key (g, &p);
  if (!key || !g_str_equal (key, want))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: point %" G_GINT64_FORMAT
                   " has key %s, expected %s", f->path, lineno, index, key ? key : "(none)", want);
      return FALSE;
    }
  return TRUE;
}

static gboolean
scan_jsonl_line (VsSweepFile *f, const VsSweepGrid *g, guint lineno, const char *line,
                 gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;
  /* vx_json_load: a line of 10^5 '[' would overflow json-glib's recursive parser */
  if (!vx_json_load (parser, line, (gssize) len, VX_JSON_MAX_DEPTH, &local)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: not a sweep record (%s)",
                   f->path, lineno, local ? local->message : "not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  const char *sweep = json_object_get_string_member_with_default (o, "sweep", NULL);
  gint64 index = json_object_get_int_member_with_default (o, "index", -1);
  const char *key = json_object_get_string_member_with_default (o, "key", NULL);
  if (!check_point (f, g, lineno, sweep, index, key, error))
    return FALSE;
  if (!vs_sweep_file_has (f, (guint) index))
    g_hash_table_insert (f->done, GUINT_TO_POINTER (index + 1), json_node_copy (root));
  return TRUE;
}

static gboolean
scan_csv_line (VsSweepFile *f, const VsSweepGrid *g, guint lineno, const char *line,
               gsize len, GError **error)
{
  g_auto (GStrv) fields = csv_split (line, len);
  if (!fields || g_strv_length (fields) != csv_n_columns (f->csv_legacy))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: not a sweep row (%s)", f->path,
                   lineno, fields ? "wrong number of columns" : "unbalanced quotes");
      return FALSE;
    }
  /* columns 0, 1, 3: sweep, index, key */
  guint64 index;
  if (!g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXINT, &index, NULL))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: bad point index '%s'", f->path,
                   lineno, fields[1]);
      return FALSE;
    }
  if (!check_point (f, g, lineno, fields[0], (gint64) index, fields[3], error))
    return FALSE;
  g_hash_table_insert (f->done, GUINT_TO_POINTER ((guint) index + 1), NULL);
  return TRUE;
}

static gboolean
scan (VsSweepFile *f, const VsSweepGrid *g, const char *text, gsize complete, GError **error)
{
  const char *header = vs_sweep_csv_header (), *legacy = csv_header_legacy ();
  gsize header_len = strlen (header), legacy_len = strlen (legacy);
  gsize pos = 0;
  guint lineno = 0;
  if (f->format == VS_SWEEP_CSV && complete > 0)
    {
      /* a file of an older vitx (no prune_keep column) goes on in its own columns */
      f->csv_legacy = complete >= legacy_len && memcmp (text, legacy, legacy_len) == 0;
      if (f->csv_legacy)
        header_len = legacy_len;
      else if (complete < header_len || memcmp (text, header, header_len) != 0)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: not a vitx sweep CSV file (its first line is not the sweep header)", f->path);
          return FALSE;
        }
      pos = header_len;
      lineno = 1;
    }
  while (pos < complete)
    {
      const char *nl = memchr (text + pos, '\n', complete - pos);
      gsize len = (gsize) (nl - (text + pos));
      lineno++;
      if (len > 0)
        {
          gboolean ok = f->format == VS_SWEEP_JSONL
                          ? scan_jsonl_line (f, g, lineno, text + pos, len, error)
                          : scan_csv_line (f, g, lineno, text + pos, len, error);
          if (!ok)
            return FALSE;
        }
      pos += len + 1;
    }
  return TRUE;
}

static gboolean
read_fd (int fd, const char *path, GString *out, GError **error)
{
  char buf[65536];
  if (lseek (fd, 0, SEEK_SET) < 0)
    return io_error (error, path, "cannot seek", errno);
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return io_error (error, path, "cannot read", errno);
      if (n == 0)
        return TRUE;
      g_string_append_len (out, buf, n);
    }
}

VsSweepFile *
vs_sweep_file_open (const char *path, VsSweepFormat format, const VsSweepGrid *g,
                      gboolean writable, GError **error)
{
  g_autoptr (VsSweepFile) f = g_new0 (VsSweepFile, 1);
  f->path = g_strdup (path);
  f->format = format;
  f->fd = -1;
  f->done = g_hash_table_new_full (NULL, NULL, NULL, node_unref0);
  g_autoptr (GString) text = g_string_new (NULL);
  if (writable)
    {
      f->fd = open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (f->fd < 0)
        {
          io_error (error, path, "cannot open for writing", errno);
          return NULL;
        }
      if (flock (f->fd, LOCK_EX | LOCK_NB) < 0)
        {
          if (errno == EWOULDBLOCK)
            g_set_error (error, VX_ERROR, VX_ERROR_IO,
                         "%s: another vitx sweep is writing this file (give each shard its own file)", path);
          else
            io_error (error, path, "cannot lock", errno);
          return NULL;
        }
      if (!read_fd (f->fd, path, text, error))
        return NULL;
    }
  else
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr (GError) local = NULL;
      if (g_file_get_contents (path, &contents, &len, &local))
        g_string_append_len (text, contents, len);
      else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s", local->message);
          return NULL;
        }
    }
  gsize complete = complete_length (text->str, text->len);
  f->torn = text->len - complete;
  if (!scan (f, g, text->str, complete, error))
    return NULL;
  if (writable)
    {
      if (f->torn && ftruncate (f->fd, (off_t) complete) < 0)
        {
          io_error (error, path, "cannot drop the incomplete last line", errno);
          return NULL;
        }
      if (format == VS_SWEEP_CSV && complete == 0
          && !vs_sweep_file_append (f, vs_sweep_csv_header (), error))
        return NULL;
    }
  return g_steal_pointer (&f);
}

gboolean
vs_sweep_file_append (VsSweepFile *f, const char *text, GError **error)
{
  g_return_val_if_fail (f->fd >= 0, FALSE);
  gsize len = strlen (text), done = 0;
  while (done < len)
    {
      ssize_t n = write (f->fd, text + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return io_error (error, f->path, "cannot write", errno);
      done += (gsize) n;
    }
  if (fsync (f->fd) < 0 && errno != EINVAL && errno != EROFS)
    return io_error (error, f->path, "cannot sync", errno);
  return TRUE;
}

/* ---- merging ------------------------------------------------------------------------------ */

void
vs_sweep_merge_clear (VsSweepMerge *m)
{
  g_clear_pointer (&m->sweep, g_free);
  g_clear_pointer (&m->lines, g_ptr_array_unref);
}

typedef struct {
  char *canonical;
  const char *file;
  guint lineno;
} MergeSource;

static gboolean
merge_line (VsSweepMerge *m, GPtrArray *sources, const char *file, guint lineno,
            const char *line, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;
  /* vx_json_load: a line of 10^5 '[' would overflow json-glib's recursive parser */
  if (!vx_json_load (parser, line, (gssize) len, VX_JSON_MAX_DEPTH, &local)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s line %u: not a sweep record (%s)", file,
                   lineno, local ? local->message : "not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  const char *sweep = json_object_get_string_member_with_default (o, "sweep", NULL);
  gint64 index = json_object_get_int_member_with_default (o, "index", -1);
  gint64 points = json_object_get_int_member_with_default (o, "points", -1);
  const char *key = json_object_get_string_member_with_default (o, "key", NULL);
  if (!sweep || !key || points <= 0 || points > G_MAXINT || index < 0 || index >= points)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s line %u: not a sweep record (no sweep, key, index or points)", file, lineno);
      return FALSE;
    }
  if (!m->sweep)
    {
      m->sweep = g_strdup (sweep);
      m->points = (guint) points;
      m->lines = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_set_size (m->lines, m->points);
      g_ptr_array_set_size (sources, m->points);
    }
  else if (!g_str_equal (sweep, m->sweep) || (guint) points != m->points)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "%s line %u: a result of sweep %s (%" G_GINT64_FORMAT " points), but the first "
                   "record read belongs to sweep %s (%u points): these are not shards of one sweep",
                   file, lineno, sweep, points, m->sweep, m->points);
      return FALSE;
    }
  g_autofree char *canonical = vs_sweep_record_canonical (o);
  MergeSource *seen = g_ptr_array_index (sources, index);
  if (seen)
    {
      if (!g_str_equal (seen->canonical, canonical))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_VALUE,
                       "conflicting results for point %" G_GINT64_FORMAT " (%s): %s line %u and "
                       "%s line %u differ beyond their timing", index, key, seen->file,
                       seen->lineno, file, lineno);
          return FALSE;
        }
      m->duplicates++;
      return TRUE;
    }
  seen = g_new0 (MergeSource, 1);
  seen->canonical = g_steal_pointer (&canonical);
  seen->file = file;
  seen->lineno = lineno;
  g_ptr_array_index (sources, index) = seen;
  g_ptr_array_index (m->lines, index) = g_strndup (line, len + 1);
  return TRUE;
}

static void
merge_source_free (gpointer p)
{
  MergeSource *s = p;
  if (!s)
    return;
  g_free (s->canonical);
  g_free (s);
}

gboolean
vs_sweep_merge_read (VsSweepMerge *m, const char *const *inputs, GError **error)
{
  memset (m, 0, sizeof *m);
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (merge_source_free);
  for (guint i = 0; inputs[i]; i++)
    {
      g_autofree char *text = NULL;
      gsize len = 0;
      g_autoptr (GError) local = NULL;
      if (!g_file_get_contents (inputs[i], &text, &len, &local))
        {
          g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s", local->message);
          return FALSE;
        }
      gsize complete = complete_length (text, len);
      if (complete < len)
        m->torn++;
      gsize pos = 0;
      guint lineno = 0;
      while (pos < complete)
        {
          const char *nl = memchr (text + pos, '\n', complete - pos);
          gsize n = (gsize) (nl - (text + pos));
          lineno++;
          if (n > 0 && !merge_line (m, sources, inputs[i], lineno, text + pos, n, error))
            return FALSE;
          pos += n + 1;
        }
    }
  if (!m->sweep)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY, "no sweep records in the input files");
      return FALSE;
    }
  return TRUE;
}
