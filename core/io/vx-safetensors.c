/* vx-safetensors.c: safetensors reader (validating) and F32 writer */
#define G_LOG_DOMAIN "vx-safetensors"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vx-error.h"
#include "vx-safetensors.h"

/* Limits that keep a hostile file from costing unbounded time or memory.
 * The header limit is the one the reference implementation uses (100 MB). */
#define VX_ST_MAX_HEADER   (100u * 1000u * 1000u)
#define VX_ST_MAX_TENSORS  100000
#define VX_ST_MAX_NDIM     8
/* JSON nesting in a valid header is 3 deep ({ "t": { "shape": [ ); json-glib's
 * parser recurses, so deep nesting is refused before it sees the text. */
#define VX_ST_MAX_DEPTH    16
/* values (commas) in the whole header: ~20 per tensor is far more than a valid
 * entry needs, and bounds json-glib's node allocations */
#define VX_ST_MAX_VALUES   (20 * VX_ST_MAX_TENSORS)

typedef struct {
  const char *name;
  int size;          /* bytes per element */
  gboolean supported;
} DtypeInfo;

static const DtypeInfo dtypes[] = {
  { "F32", 4, TRUE }, { "F16", 2, TRUE }, { "BF16", 2, TRUE },
  { "F64", 8, FALSE }, { "I64", 8, FALSE }, { "U64", 8, FALSE },
  { "I32", 4, FALSE }, { "U32", 4, FALSE }, { "I16", 2, FALSE }, { "U16", 2, FALSE },
  { "I8", 1, FALSE }, { "U8", 1, FALSE }, { "BOOL", 1, FALSE },
  { "F8_E4M3", 1, FALSE }, { "F8_E5M2", 1, FALSE },
};

static const DtypeInfo *
dtype_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (strcmp (dtypes[i].name, name) == 0)
      return &dtypes[i];
  return NULL;
}

static void
tensor_free (gpointer p)
{
  VxTensor *t = p;
  g_free (t->name);
  g_free (t->dtype);
  g_free (t->data);
  g_free (t);
}

void
vx_safetensors_free (VxSafetensors *st)
{
  if (!st)
    return;
  g_clear_pointer (&st->by_name, g_hash_table_unref);
  g_clear_pointer (&st->tensors, g_ptr_array_unref);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  g_free (st->path);
  g_free (st);
}

VxTensor *
vx_safetensors_get (const VxSafetensors *st, const char *name)
{
  g_return_val_if_fail (st != NULL && name != NULL, NULL);
  return g_hash_table_lookup (st->by_name, name);
}

/* ---- numbers ---------------------------------------------------------------- */

static float
f16_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000u) << 16;
  guint32 exp = (h >> 10) & 0x1fu;
  guint32 mant = h & 0x3ffu;
  guint32 bits;

  if (exp == 0)
    {
      /* zero or subnormal: mant * 2^-24, exact in float */
      float f = (float) mant * 0x1p-24f;
      return sign ? -f : f;
    }
  if (exp == 31)
    bits = sign | 0x7f800000u | (mant << 13);          /* Inf, NaN */
  else
    bits = sign | ((exp + 112u) << 23) | (mant << 13); /* rebias 15 -> 127 */
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

static float
bf16_to_float (guint16 h)
{
  guint32 bits = (guint32) h << 16;
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

static void
convert_to_float (float *out, const guint8 *src, int64_t numel, const char *dtype)
{
  if (strcmp (dtype, "F32") == 0)
    for (int64_t i = 0; i < numel; i++)
      {
        guint32 u;
        memcpy (&u, src + 4 * i, 4);
        u = GUINT32_FROM_LE (u);
        memcpy (&out[i], &u, 4);
      }
  else
    {
      gboolean bf = strcmp (dtype, "BF16") == 0;
      for (int64_t i = 0; i < numel; i++)
        {
          guint16 u;
          memcpy (&u, src + 2 * i, 2);
          u = GUINT16_FROM_LE (u);
          out[i] = bf ? bf16_to_float (u) : f16_to_float (u);
        }
    }
}

/* ---- header pre-scan ------------------------------------------------------------ */

/* One pass over the raw header before json-glib parses it: bounds nesting,
 * the number of values and of top-level keys, and finds duplicate top-level
 * keys (json-glib keeps only the last of duplicate members, silently). */
typedef struct {
  int top_keys;
  char *duplicate;   /* first duplicated top-level key (raw text), or NULL */
} ScanResult;

/* TRUE if the digit at h[i] continues a number (an integer, fraction or
 * exponent part) rather than starting its integer part */
static gboolean
starts_inside_number (const char *h, gsize i)
{
  if (i == 0)
    return FALSE;
  char p = h[i - 1];
  if (g_ascii_isdigit (p) || p == '.' || p == 'e' || p == 'E')
    return TRUE;
  return (p == '+' || p == '-') && i >= 2 && (h[i - 2] == 'e' || h[i - 2] == 'E');
}

static gboolean
scan_header (const char *h, gsize n, const char *name, ScanResult *res, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int depth = 0;
  gsize values = 0;

  memset (res, 0, sizeof *res);
  for (gsize i = 0; i < n; i++)
    {
      char c = h[i];
      if (c == '"')
        {
          gsize start = ++i;
          while (i < n && h[i] != '"')
            i += h[i] == '\\' ? 2 : 1;
          if (i >= n)
            {
              g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                           "%s: header JSON has an unterminated string", name);
              return FALSE;
            }
          if (depth != 1)
            continue;
          gsize j = i + 1;
          while (j < n && g_ascii_isspace (h[j]))
            j++;
          if (j >= n || h[j] != ':')
            continue;
          if (++res->top_keys > VX_ST_MAX_TENSORS + 1)
            {
              g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                           "%s: header lists more than %d tensors", name, VX_ST_MAX_TENSORS);
              return FALSE;
            }
          char *key = g_strndup (h + start, i - start);
          if (!g_hash_table_add (seen, key) && !res->duplicate)
            res->duplicate = g_strdup (key);
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > VX_ST_MAX_DEPTH)
            {
              g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                           "%s: header JSON is nested more than %d levels deep", name,
                           VX_ST_MAX_DEPTH);
              return FALSE;
            }
        }
      else if (c == '}' || c == ']')
        depth--;
      else if (c == ',' && ++values > VX_ST_MAX_VALUES)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                       "%s: header JSON has more than %d values", name, VX_ST_MAX_VALUES);
          return FALSE;
        }
      else if (c == '0' && i + 1 < n && (g_ascii_isdigit (h[i + 1]) || h[i + 1] == 'x' || h[i + 1] == 'X')
               && !starts_inside_number (h, i))
        {
          /* json-glib reads 010 as octal and 0x10 as hex; JSON has neither */
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: header JSON has a number with a leading zero (byte %" G_GSIZE_FORMAT ")",
                       name, i);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- header entries ------------------------------------------------------------- */

typedef struct {
  VxTensor *t;
  const DtypeInfo *dt;
  guint64 begin, end;
} Entry;

static gboolean
get_int (JsonNode *node, int64_t *out)
{
  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
parse_metadata (VxSafetensors *st, JsonNode *node, const char *name, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: __metadata__ is not a JSON object", name);
      return FALSE;
    }
  JsonObjectIter it;
  const char *key;
  JsonNode *value;
  json_object_iter_init_ordered (&it, json_node_get_object (node));
  while (json_object_iter_next_ordered (&it, &key, &value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                       "%s: __metadata__ value of '%s' is not a string", name, key);
          return FALSE;
        }
      g_hash_table_insert (st->metadata, g_strdup (key), g_strdup (json_node_get_string (value)));
    }
  return TRUE;
}

static gboolean
parse_entry (Entry *e, const char *tname, JsonNode *node, gsize data_len, const char *name,
             GError **error)
{
#define FAIL(code, ...) \
  do { \
    g_autofree char *why_ = g_strdup_printf (__VA_ARGS__); \
    g_set_error (error, VX_ERROR, code, "%s: tensor '%s': %s", name, tname, why_); \
    return FALSE; \
  } while (0)

  if (!JSON_NODE_HOLDS_OBJECT (node))
    FAIL (VX_ERROR_FORMAT, "entry is not a JSON object");
  JsonObject *o = json_node_get_object (node);

  JsonNode *dn = json_object_get_member (o, "dtype");
  if (!dn || !JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING)
    FAIL (VX_ERROR_FORMAT, "\"dtype\" is missing or not a string");
  const char *dtype = json_node_get_string (dn);
  e->dt = dtype_lookup (dtype);
  if (!e->dt)
    FAIL (VX_ERROR_UNSUPPORTED, "unknown dtype '%s'", dtype);
  if (!e->dt->supported)
    FAIL (VX_ERROR_UNSUPPORTED, "dtype %s is not supported (F32, F16 and BF16 are)", dtype);

  JsonNode *sn = json_object_get_member (o, "shape");
  if (!sn || !JSON_NODE_HOLDS_ARRAY (sn))
    FAIL (VX_ERROR_FORMAT, "\"shape\" is missing or not an array");
  JsonArray *sa = json_node_get_array (sn);
  guint ndim = json_array_get_length (sa);
  if (ndim > VX_ST_MAX_NDIM)
    FAIL (VX_ERROR_UNSUPPORTED, "%u dimensions (at most %d are supported)", ndim, VX_ST_MAX_NDIM);
  int64_t shape[VX_ST_MAX_NDIM];
  int64_t numel = 1;
  for (guint d = 0; d < ndim; d++)
    {
      if (!get_int (json_array_get_element (sa, d), &shape[d]) || shape[d] < 0)
        FAIL (VX_ERROR_FORMAT, "shape[%u] is not a non-negative integer", d);
      if (shape[d] != 0 && numel > G_MAXINT64 / shape[d])
        FAIL (VX_ERROR_FORMAT, "the element count of its shape overflows 64 bits");
      numel *= shape[d];
    }
  if (numel > G_MAXINT64 / e->dt->size)
    FAIL (VX_ERROR_FORMAT, "its size in bytes overflows 64 bits");
  guint64 nbytes = (guint64) numel * (guint64) e->dt->size;

  JsonNode *on = json_object_get_member (o, "data_offsets");
  if (!on || !JSON_NODE_HOLDS_ARRAY (on) || json_array_get_length (json_node_get_array (on)) != 2)
    FAIL (VX_ERROR_FORMAT, "\"data_offsets\" is missing or not an array of two integers");
  JsonArray *oa = json_node_get_array (on);
  int64_t begin, end;
  if (!get_int (json_array_get_element (oa, 0), &begin)
      || !get_int (json_array_get_element (oa, 1), &end))
    FAIL (VX_ERROR_FORMAT, "\"data_offsets\" are not integers");
  if (begin < 0 || end < begin)
    FAIL (VX_ERROR_FORMAT, "data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] are not an "
          "ascending pair of non-negative offsets", begin, end);
  if ((guint64) end > data_len)
    FAIL (VX_ERROR_FORMAT, "data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] run past "
          "the end of the data (%" G_GSIZE_FORMAT " bytes): truncated file?", begin, end, data_len);
  if ((guint64) (end - begin) != nbytes)
    FAIL (VX_ERROR_FORMAT, "data_offsets span %" G_GINT64_FORMAT " bytes but %" G_GINT64_FORMAT
          " elements of %s need %" G_GUINT64_FORMAT, end - begin, numel, dtype, nbytes);
#undef FAIL

  VxTensor *t = g_new0 (VxTensor, 1);
  t->name = g_strdup (tname);
  t->dtype = g_strdup (dtype);
  t->ndim = (int) ndim;
  memcpy (t->shape, shape, sizeof (int64_t) * ndim);
  t->numel = numel;
  e->t = t;
  e->begin = (guint64) begin;
  e->end = (guint64) end;
  return TRUE;
}

static int
entry_cmp_begin (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry * const *) a, *y = *(Entry * const *) b;
  return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : 0;
}

/* Two tensors may not share bytes (empty tensors share nothing). */
static gboolean
check_overlaps (Entry *entries, guint n, const char *name, GError **error)
{
  g_autofree Entry **sorted = g_new (Entry *, n ? n : 1);
  guint m = 0;
  for (guint i = 0; i < n; i++)
    if (entries[i].end > entries[i].begin)
      sorted[m++] = &entries[i];
  qsort (sorted, m, sizeof (Entry *), entry_cmp_begin);
  for (guint i = 1; i < m; i++)
    if (sorted[i]->begin < sorted[i - 1]->end)
      {
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                     "%s: tensors '%s' [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") and '%s' [%"
                     G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") overlap", name,
                     sorted[i - 1]->t->name, sorted[i - 1]->begin, sorted[i - 1]->end,
                     sorted[i]->t->name, sorted[i]->begin, sorted[i]->end);
        return FALSE;
      }
  return TRUE;
}

static VxSafetensors *
safetensors_new (const char *name)
{
  VxSafetensors *st = g_new0 (VxSafetensors, 1);
  st->tensors = g_ptr_array_new_with_free_func (tensor_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  st->path = g_strdup (name);
  return st;
}

static gboolean
parse_header (VxSafetensors *st, Entry *entries, guint *n_entries, JsonObject *root,
              gsize data_len, const char *name, GError **error)
{
  JsonObjectIter it;
  const char *key;
  JsonNode *node;
  guint n = 0;

  json_object_iter_init_ordered (&it, root);
  while (json_object_iter_next_ordered (&it, &key, &node))
    {
      if (strcmp (key, "__metadata__") == 0)
        {
          if (!parse_metadata (st, node, name, error))
            return FALSE;
          continue;
        }
      Entry *e = &entries[n];
      if (!parse_entry (e, key, node, data_len, name, error))
        return FALSE;
      n++;
      *n_entries = n;
      g_ptr_array_add (st->tensors, e->t);
      g_hash_table_insert (st->by_name, e->t->name, e->t);
    }
  return TRUE;
}

static gboolean
load_tensor_data (Entry *entries, guint n, const guint8 *data, const char *name, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      VxTensor *t = entries[i].t;
      if (t->numel == 0)
        continue;
      t->data = g_try_new (float, (gsize) t->numel);
      if (!t->data)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                       "%s: tensor '%s': cannot allocate %" G_GINT64_FORMAT " floats", name,
                       t->name, t->numel);
          return FALSE;
        }
      convert_to_float (t->data, data + entries[i].begin, t->numel, t->dtype);
    }
  return TRUE;
}

VxSafetensors *
vx_safetensors_parse (const guint8 *bytes, gsize len, const char *name, GError **error)
{
  g_return_val_if_fail (bytes != NULL || len == 0, NULL);
  if (!name)
    name = "safetensors data";

  if (len < 8)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: %" G_GSIZE_FORMAT " bytes is too short for a safetensors file "
                   "(8-byte header length missing)", name, len);
      return NULL;
    }
  guint64 hlen;
  memcpy (&hlen, bytes, 8);
  hlen = GUINT64_FROM_LE (hlen);
  if (hlen > len - 8)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: header length %" G_GUINT64_FORMAT " runs past the end of the file "
                   "(%" G_GSIZE_FORMAT " bytes): not a safetensors file, or truncated",
                   name, hlen, len);
      return NULL;
    }
  if (hlen > VX_ST_MAX_HEADER || hlen < 2)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: header length %" G_GUINT64_FORMAT " is not plausible (2..%u bytes)",
                   name, hlen, VX_ST_MAX_HEADER);
      return NULL;
    }
  const char *header = (const char *) bytes + 8;
  const guint8 *data = bytes + 8 + hlen;
  gsize data_len = len - 8 - (gsize) hlen;

  ScanResult scan;
  gboolean scanned = scan_header (header, (gsize) hlen, name, &scan, error);
  g_autofree char *duplicate = scan.duplicate;
  if (!scanned)
    return NULL;

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) jerr = NULL;
  if (!json_parser_load_from_data (parser, header, (gssize) hlen, &jerr))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: header is not valid JSON: %s",
                   name, jerr->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: header is not a JSON object", name);
      return NULL;
    }
  JsonObject *obj = json_node_get_object (root);
  guint members = json_object_get_size (obj);
  if (duplicate || members != (guint) scan.top_keys)
    {
      /* fewer members than keys: json-glib merged duplicates; more: keys in
       * a syntax the scan does not count (json-glib accepts 'single quotes') */
      if (duplicate)
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: header names '%s' more than once",
                     name, duplicate);
      else if (members < (guint) scan.top_keys)
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                     "%s: header names a tensor more than once (%d keys, %u distinct)",
                     name, scan.top_keys, members);
      else
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                     "%s: header is not standard JSON (keys must be in double quotes)", name);
      return NULL;
    }
  if (members > VX_ST_MAX_TENSORS + (json_object_has_member (obj, "__metadata__") ? 1u : 0u))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: header lists more than %d tensors", name, VX_ST_MAX_TENSORS);
      return NULL;
    }

  g_autoptr (VxSafetensors) st = safetensors_new (name);
  g_autofree Entry *entries = g_new0 (Entry, members ? members : 1);
  guint n = 0;
  if (!parse_header (st, entries, &n, obj, data_len, name, error)
      || !check_overlaps (entries, n, name, error)
      || !load_tensor_data (entries, n, data, name, error))
    return NULL;
  return g_steal_pointer (&st);
}

VxSafetensors *
vx_safetensors_read (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot open: %s", path, g_strerror (err));
      return NULL;
    }
  GStatBuf sb;
  if (fstat (fd, &sb) != 0 || !S_ISREG (sb.st_mode))
    {
      close (fd);
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: not a regular file", path);
      return NULL;
    }
  g_autoptr (GError) ferr = NULL;
  g_autoptr (GMappedFile) mf = g_mapped_file_new_from_fd (fd, FALSE, &ferr);
  close (fd);   /* the mapping stays valid */
  if (!mf)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot read: %s", path, ferr->message);
      return NULL;
    }
  return vx_safetensors_parse ((const guint8 *) g_mapped_file_get_contents (mf),
                               g_mapped_file_get_length (mf), path, error);
}

/* ---- writer --------------------------------------------------------------------- */

typedef struct {
  char *name;
  int ndim;
  int64_t shape[VX_ST_MAX_NDIM];
  guint64 begin, end;
} WEntry;

struct _VxSafetensorsWriter {
  GArray *entries;          /* WEntry */
  GHashTable *names;        /* tensor names (borrowed from entries) */
  GByteArray *data;         /* the data buffer, little-endian F32 */
  GPtrArray *meta_keys;     /* insertion order */
  GHashTable *meta;         /* key -> value (owned) */
  char *problem;            /* first bad add, reported by save */
};

static void
wentry_clear (gpointer p)
{
  g_free (((WEntry *) p)->name);
}

VxSafetensorsWriter *
vx_safetensors_writer_new (void)
{
  VxSafetensorsWriter *w = g_new0 (VxSafetensorsWriter, 1);
  w->entries = g_array_new (FALSE, TRUE, sizeof (WEntry));
  g_array_set_clear_func (w->entries, wentry_clear);
  w->names = g_hash_table_new (g_str_hash, g_str_equal);
  w->data = g_byte_array_new ();
  w->meta_keys = g_ptr_array_new_with_free_func (g_free);
  w->meta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return w;
}

void
vx_safetensors_writer_free (VxSafetensorsWriter *w)
{
  if (!w)
    return;
  g_hash_table_unref (w->names);
  g_array_unref (w->entries);
  g_byte_array_unref (w->data);
  g_hash_table_unref (w->meta);
  g_ptr_array_unref (w->meta_keys);
  g_free (w->problem);
  g_free (w);
}

static void
writer_problem (VxSafetensorsWriter *w, char *msg)
{
  if (!w->problem)
    w->problem = msg;
  else
    g_free (msg);
}

void
vx_safetensors_writer_add (VxSafetensorsWriter *w, const char *name, const float *data,
                           int ndim, const int64_t *shape)
{
  g_return_if_fail (w != NULL && name != NULL);
  if (ndim < 0 || ndim > VX_ST_MAX_NDIM || (ndim > 0 && !shape))
    return writer_problem (w, g_strdup_printf ("tensor '%s' has %d dimensions", name, ndim));
  if (strcmp (name, "__metadata__") == 0 || g_hash_table_contains (w->names, name))
    return writer_problem (w, g_strdup_printf ("tensor name '%s' is used twice or reserved", name));
  int64_t numel = 1;
  for (int d = 0; d < ndim; d++)
    {
      if (shape[d] < 0 || (shape[d] != 0 && numel > (G_MAXINT64 / 4) / shape[d]))
        return writer_problem (w, g_strdup_printf ("tensor '%s' has an invalid shape", name));
      numel *= shape[d];
    }
  if (numel > 0 && !data)
    return writer_problem (w, g_strdup_printf ("tensor '%s' has no data", name));
  if ((guint64) numel * 4 > G_MAXUINT - w->data->len)
    return writer_problem (w, g_strdup_printf ("tensor '%s' makes the file larger than 4 GB", name));

  WEntry e = { g_strdup (name), ndim, { 0 }, w->data->len, 0 };
  if (ndim > 0)
    memcpy (e.shape, shape, sizeof (int64_t) * ndim);
  g_byte_array_set_size (w->data, w->data->len + (guint) numel * 4);
  guint8 *dst = w->data->data + e.begin;
  for (int64_t i = 0; i < numel; i++)
    {
      guint32 u;
      memcpy (&u, &data[i], 4);
      u = GUINT32_TO_LE (u);
      memcpy (dst + 4 * i, &u, 4);
    }
  e.end = w->data->len;
  g_array_append_val (w->entries, e);
  WEntry *stored = &g_array_index (w->entries, WEntry, w->entries->len - 1);
  /* the array may move its elements, so the set holds the name string, which does not */
  g_hash_table_add (w->names, stored->name);
}

void
vx_safetensors_writer_meta (VxSafetensorsWriter *w, const char *key, const char *value)
{
  g_return_if_fail (w != NULL && key != NULL && value != NULL);
  if (!g_hash_table_contains (w->meta, key))
    g_ptr_array_add (w->meta_keys, g_strdup (key));
  /* keys are borrowed from meta_keys, which never drops one */
  for (guint i = 0; i < w->meta_keys->len; i++)
    if (strcmp (w->meta_keys->pdata[i], key) == 0)
      {
        g_hash_table_insert (w->meta, w->meta_keys->pdata[i], g_strdup (value));
        break;
      }
}

static char *
writer_header (VxSafetensorsWriter *w, gsize *len_out)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  if (w->meta_keys->len > 0)
    {
      json_builder_set_member_name (b, "__metadata__");
      json_builder_begin_object (b);
      for (guint i = 0; i < w->meta_keys->len; i++)
        {
          const char *k = w->meta_keys->pdata[i];
          json_builder_set_member_name (b, k);
          json_builder_add_string_value (b, g_hash_table_lookup (w->meta, k));
        }
      json_builder_end_object (b);
    }
  for (guint i = 0; i < w->entries->len; i++)
    {
      WEntry *e = &g_array_index (w->entries, WEntry, i);
      json_builder_set_member_name (b, e->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, "F32");
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int d = 0; d < e->ndim; d++)
        json_builder_add_int_value (b, e->shape[d]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "data_offsets");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, (gint64) e->begin);
      json_builder_add_int_value (b, (gint64) e->end);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  gsize n = 0;
  g_autofree char *json = json_generator_to_data (gen, &n);
  /* pad with spaces so the data buffer starts 8-byte aligned (8 + header) */
  gsize padded = (n + 7) & ~(gsize) 7;
  char *out = g_malloc (padded);
  memcpy (out, json, n);
  memset (out + n, ' ', padded - n);
  *len_out = padded;
  return out;
}

static gboolean
write_all (int fd, const void *buf, gsize len)
{
  const guint8 *p = buf;
  while (len > 0)
    {
      ssize_t k = write (fd, p, MIN (len, (gsize) 1 << 30));
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return FALSE;
      p += k;
      len -= (gsize) k;
    }
  return TRUE;
}

gboolean
vx_safetensors_writer_save (VxSafetensorsWriter *w, const char *path, GError **error)
{
  g_return_val_if_fail (w != NULL && path != NULL, FALSE);
  if (w->problem)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "%s: %s", path, w->problem);
      return FALSE;
    }
  gsize hlen = 0;
  g_autofree char *header = writer_header (w, &hlen);
  guint64 hlen_le = GUINT64_TO_LE ((guint64) hlen);

  /* temporary file beside the target, renamed over it once complete */
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot create a file there: %s", path,
                   g_strerror (err));
      return FALSE;
    }
  gboolean ok = write_all (fd, &hlen_le, 8) && write_all (fd, header, hlen)
                && write_all (fd, w->data->data, w->data->len) && fsync (fd) == 0;
  int err = errno;
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      err = errno;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      ok = FALSE;
      err = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot write: %s", path, g_strerror (err));
    }
  return ok;
}
