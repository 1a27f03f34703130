/* test-safetensors.c: safetensors round trip, dtype conversion, hostile files */
#define G_LOG_DOMAIN "test-safetensors"
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-safetensors.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* 8-byte little-endian length (hlen, or the header's own length when
 * hlen < 0), the header text, then data */
static char *
write_raw (const char *name, gint64 hlen, const char *header, const void *data, gsize data_len)
{
  char *path = tmp_path (name);
  gsize n = strlen (header);
  guint64 len_le = GUINT64_TO_LE (hlen < 0 ? (guint64) n : (guint64) hlen);
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) &len_le, 8);
  g_byte_array_append (b, (const guint8 *) header, (guint) n);
  if (data_len)
    g_byte_array_append (b, data, (guint) data_len);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, (const char *) b->data, b->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (b);
  return path;
}

/* the read fails with this code, and the message names the file */
static void
expect_error (const char *path, int code, const char *also_in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_null (st);
  g_assert_error (error, VX_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (also_in_message)
    g_assert_nonnull (strstr (error->message, also_in_message));
}

static const float payload16[4] = { 1, 2, 3, 4 };

/* ---- round trip -------------------------------------------------------------------- */

static void
test_roundtrip (void)
{
  g_autofree char *path = tmp_path ("rt.safetensors");
  float a[6] = { 0.f, -1.5f, 3.25f, 1e-30f, -0.f, 123456.789f };
  float b[1] = { 42.f };
  float d[4] = { INFINITY, -INFINITY, 1.f / 3.f, -2.f };
  int64_t sa[2] = { 2, 3 }, sc[1] = { 0 }, sd[3] = { 1, 2, 2 };

  {
    g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
    vx_safetensors_writer_add (w, "blocks.0.a", a, 2, sa);
    vx_safetensors_writer_add (w, "scalar", b, 0, NULL);
    vx_safetensors_writer_add (w, "empty", NULL, 1, sc);
    vx_safetensors_writer_add (w, "d", d, 3, sd);
    vx_safetensors_writer_meta (w, "vitx.seed", "7");
    vx_safetensors_writer_meta (w, "note", "caf\xc3\xa9 \"quoted\"");
    vx_safetensors_writer_meta (w, "vitx.seed", "8");   /* replaces */
    g_autoptr (GError) error = NULL;
    g_assert_true (vx_safetensors_writer_save (w, path, &error));
    g_assert_no_error (error);
    /* saving again replaces the file atomically and leaves no temporary */
    g_assert_true (vx_safetensors_writer_save (w, path, &error));
    g_assert_no_error (error);
  }

  /* the raw layout: header padded with spaces so the data is 8-byte aligned,
   * data in insertion order, little-endian F32 */
  g_autofree char *raw = NULL;
  gsize raw_len = 0;
  g_assert_true (g_file_get_contents (path, &raw, &raw_len, NULL));
  guint64 hlen;
  memcpy (&hlen, raw, 8);
  hlen = GUINT64_FROM_LE (hlen);
  g_assert_cmpuint ((8 + hlen) % 8, ==, 0);
  g_assert_cmpuint (raw_len, ==, 8 + hlen + 4 * (6 + 1 + 0 + 4));
  g_assert_cmpint (raw[8], ==, '{');
  g_autofree char *header = g_strndup (raw + 8, hlen);
  g_assert_nonnull (strstr (header, "\"dtype\":\"F32\""));
  gsize json_len = hlen;
  while (json_len > 0 && header[json_len - 1] == ' ')
    json_len--;
  g_assert_cmpint (header[json_len - 1], ==, '}');
  g_assert_cmpuint (hlen - json_len, <, 8);
  float first;
  memcpy (&first, raw + 8 + hlen + 4, 4);   /* a[1] on a little-endian host */
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    g_assert_cmpfloat (first, ==, -1.5f);

  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  int entries = 0;
  while (g_dir_read_name (dir))
    entries++;
  g_assert_cmpint (entries, ==, 1);

  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (st->path, ==, path);
  g_assert_cmpuint (st->tensors->len, ==, 4);
  const char *order[] = { "blocks.0.a", "scalar", "empty", "d" };
  for (int i = 0; i < 4; i++)
    g_assert_cmpstr (((VxTensor *) st->tensors->pdata[i])->name, ==, order[i]);

  VxTensor *t = vx_safetensors_get (st, "blocks.0.a");
  g_assert_nonnull (t);
  g_assert_cmpstr (t->dtype, ==, "F32");
  g_assert_cmpint (t->ndim, ==, 2);
  g_assert_cmpint (t->shape[0], ==, 2);
  g_assert_cmpint (t->shape[1], ==, 3);
  g_assert_cmpint (t->numel, ==, 6);
  g_assert_cmpmem (t->data, sizeof a, a, sizeof a);
  t = vx_safetensors_get (st, "scalar");
  g_assert_cmpint (t->ndim, ==, 0);
  g_assert_cmpint (t->numel, ==, 1);
  g_assert_cmpfloat (t->data[0], ==, 42.f);
  t = vx_safetensors_get (st, "empty");
  g_assert_cmpint (t->numel, ==, 0);
  t = vx_safetensors_get (st, "d");
  g_assert_cmpint (t->numel, ==, 4);
  g_assert_cmpmem (t->data, sizeof d, d, sizeof d);
  g_assert_null (vx_safetensors_get (st, "missing"));

  g_assert_cmpuint (g_hash_table_size (st->metadata), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (st->metadata, "vitx.seed"), ==, "8");
  g_assert_cmpstr (g_hash_table_lookup (st->metadata, "note"), ==, "caf\xc3\xa9 \"quoted\"");
  g_unlink (path);
}

/* a file written by hand (as another program would) reads the same */
static void
test_foreign_layout (void)
{
  /* metadata last, tensors not in offset order, no padding, trailing spaces */
  const char *hdr = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                    " \"a\" : {\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"},"
                    "\"__metadata__\":{\"format\":\"pt\"}}   ";
  g_autofree char *path = write_raw ("foreign.safetensors", -1, hdr, payload16, sizeof payload16);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (vx_safetensors_get (st, "a")->data[1], ==, 2.f);
  g_assert_cmpfloat (vx_safetensors_get (st, "b")->data[0], ==, 3.f);
  g_assert_cmpstr (g_hash_table_lookup (st->metadata, "format"), ==, "pt");
  g_unlink (path);
}

/* ---- F16 / BF16 ------------------------------------------------------------------------- */

static void
test_half_types (void)
{
  /* bit patterns and their exact values */
  const guint16 f16[] = { 0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x8000, 0x0400, 0x3800, 0x03ff };
  const float f16_val[] = { 1.f, -2.f, 0.333251953125f, 65504.f, 5.9604644775390625e-08f, -0.f,
                            6.103515625e-05f, 0.5f, 6.097555160522461e-05f };
  const guint16 bf16[] = { 0x3f80, 0xc040, 0x3eab, 0x4049, 0x7f7f, 0x0001 };
  const float bf16_val[] = { 1.f, -3.f, 0.333984375f, 3.140625f, 3.3895313892515355e+38f,
                             9.183549615799121e-41f };
  guint8 data[2 * (9 + 6)];
  for (int i = 0; i < 9; i++)
    {
      data[2 * i] = f16[i] & 0xff;
      data[2 * i + 1] = f16[i] >> 8;
    }
  for (int i = 0; i < 6; i++)
    {
      data[18 + 2 * i] = bf16[i] & 0xff;
      data[18 + 2 * i + 1] = bf16[i] >> 8;
    }
  const char *hdr = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3,3],\"data_offsets\":[0,18]},"
                    "\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[18,30]}}";
  g_autofree char *path = write_raw ("half.safetensors", -1, hdr, data, sizeof data);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  VxTensor *h = vx_safetensors_get (st, "h"), *b = vx_safetensors_get (st, "b");
  g_assert_cmpstr (h->dtype, ==, "F16");
  g_assert_cmpstr (b->dtype, ==, "BF16");
  for (int i = 0; i < 9; i++)
    {
      g_assert_cmpfloat (h->data[i], ==, f16_val[i]);
      g_assert_cmpint (signbit (h->data[i]) != 0, ==, signbit (f16_val[i]) != 0);
    }
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (b->data[i], ==, bf16_val[i]);
  g_unlink (path);
}

/* ---- hostile files -------------------------------------------------------------------- */

static void
test_missing_file (void)
{
  g_autofree char *path = tmp_path ("does-not-exist.safetensors");
  expect_error (path, VX_ERROR_IO, NULL);
}

static void
test_short_header_length (void)
{
  g_autofree char *p0 = tmp_path ("zero.safetensors");
  g_autofree char *p5 = tmp_path ("five.safetensors");
  g_assert_true (g_file_set_contents (p0, "", 0, NULL));
  g_assert_true (g_file_set_contents (p5, "\x10\0\0\0\0", 5, NULL));
  expect_error (p0, VX_ERROR_FORMAT, "too short");
  expect_error (p5, VX_ERROR_FORMAT, "too short");
  /* a zero or one-byte header cannot be a JSON object */
  g_autofree char *p1 = write_raw ("tiny-header.safetensors", 0, "", NULL, 0);
  expect_error (p1, VX_ERROR_FORMAT, "header length");
  g_unlink (p0);
  g_unlink (p5);
  g_unlink (p1);
}

static void
test_header_beyond_file (void)
{
  g_autofree char *p = write_raw ("beyond.safetensors", 1000, "{}", NULL, 0);
  expect_error (p, VX_ERROR_FORMAT, "past the end");
  g_autofree char *q = write_raw ("huge-len.safetensors", G_MAXINT64, "{}", NULL, 0);
  expect_error (q, VX_ERROR_FORMAT, "past the end");
  g_unlink (p);
  g_unlink (q);
}

static void
test_not_json (void)
{
  const char *bad[] = {
    "this is not json",
    "[1, 2, 3]",
    "\"a string\"",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}",   /* unclosed */
    "{\"a\": {\"dtype\": \"F32\"",                                                /* unterminated */
    "{\"a\":1} trailing",
    "{'a': {'dtype': 'F32', 'shape': [4], 'data_offsets': [0, 16]}}",            /* quotes */
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 0x10]}}", /* hex */
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [04], \"data_offsets\": [0, 16]}}",  /* octal */
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_strdup_printf ("notjson-%u.safetensors", i);
      g_autofree char *p = write_raw (name, -1, bad[i], payload16, sizeof payload16);
      expect_error (p, VX_ERROR_FORMAT, NULL);
      g_unlink (p);
    }
  /* nesting deep enough to overflow a recursive parser's stack */
  GString *deep = g_string_new ("{\"a\":");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_autofree char *p = write_raw ("deep.safetensors", -1, deep->str, NULL, 0);
  g_string_free (deep, TRUE);
  expect_error (p, VX_ERROR_FORMAT, "nested");
  g_unlink (p);
}

static void
test_wrong_types (void)
{
  const char *bad[] = {
    "{\"a\": 5}",
    "{\"a\": {\"shape\": [4], \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": 32, \"shape\": [4], \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": \"4\", \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4.0], \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [-4], \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [\"4\"], \"data_offsets\": [0, 16]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16, 32]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [\"0\", \"16\"]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": {\"0\": 16}}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16.5]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 9223372036854775808]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"__metadata__\": [1]}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"__metadata__\": {\"k\": 1}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"__metadata__\": {\"k\": null}}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_strdup_printf ("types-%u.safetensors", i);
      g_autofree char *p = write_raw (name, -1, bad[i], payload16, sizeof payload16);
      expect_error (p, VX_ERROR_FORMAT, NULL);
      g_unlink (p);
    }
}

static void
test_truncated_payload (void)
{
  g_autofree char *path = tmp_path ("trunc.safetensors");
  float v[64];
  for (int i = 0; i < 64; i++)
    v[i] = (float) i;
  int64_t shape[2] = { 8, 8 };
  g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
  vx_safetensors_writer_add (w, "w", v, 2, shape);
  g_assert_true (vx_safetensors_writer_save (w, path, NULL));
  g_autofree char *raw = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &raw, &len, NULL));
  g_assert_true (g_file_set_contents (path, raw, len - 3, NULL));
  expect_error (path, VX_ERROR_FORMAT, "truncated");
  g_unlink (path);
}

static void
test_offsets_out_of_range (void)
{
  const char *bad[] = {
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 1600]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [16, 32]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [16, 0]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [-16, 0]}}",
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 16]}}",   /* size mismatch */
    "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 18446744073709551615]}}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_strdup_printf ("range-%u.safetensors", i);
      g_autofree char *p = write_raw (name, -1, bad[i], payload16, sizeof payload16);
      expect_error (p, VX_ERROR_FORMAT, "'a'");
      g_unlink (p);
    }
}

static void
test_overlapping_offsets (void)
{
  const char *hdr = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                    " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]},"
                    " \"c\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [6, 10]}}";
  g_autofree char *p = write_raw ("overlap.safetensors", -1, hdr, payload16, sizeof payload16);
  expect_error (p, VX_ERROR_FORMAT, "overlap");
  /* the same bytes named twice */
  const char *hdr2 = "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
                     " \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}";
  g_autofree char *q = write_raw ("alias.safetensors", -1, hdr2, payload16, sizeof payload16);
  expect_error (q, VX_ERROR_FORMAT, "overlap");
  g_unlink (p);
  g_unlink (q);
}

static void
test_count_overflow (void)
{
  /* 2^32 * 2^32 * 16 overflows 64 bits; a wrapped product would be 0 and
   * match the empty offsets */
  const char *hdr = "{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 16],"
                    " \"data_offsets\": [0, 0]}}";
  g_autofree char *p = write_raw ("overflow.safetensors", -1, hdr, NULL, 0);
  expect_error (p, VX_ERROR_FORMAT, "overflow");
  /* fits in elements but not in bytes */
  const char *hdr2 = "{\"a\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904],"
                     " \"data_offsets\": [0, 0]}}";
  g_autofree char *q = write_raw ("overflow-bytes.safetensors", -1, hdr2, NULL, 0);
  expect_error (q, VX_ERROR_FORMAT, "overflow");
  /* more than 8 dimensions */
  const char *hdr3 = "{\"a\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1],"
                     " \"data_offsets\": [0, 4]}}";
  g_autofree char *r = write_raw ("ndim.safetensors", -1, hdr3, payload16, 4);
  expect_error (r, VX_ERROR_UNSUPPORTED, "dimensions");
  g_unlink (p);
  g_unlink (q);
  g_unlink (r);
}

static void
test_unsupported_dtype (void)
{
  const char *hdr = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                    " \"steps\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [8, 16]}}";
  g_autofree char *p = write_raw ("i64.safetensors", -1, hdr, payload16, sizeof payload16);
  g_autoptr (GError) error = NULL;
  g_assert_null (vx_safetensors_read (p, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, p));
  g_assert_nonnull (strstr (error->message, "I64"));
  g_assert_nonnull (strstr (error->message, "'steps'"));
  const char *hdr2 = "{\"w\": {\"dtype\": \"Q4_K\", \"shape\": [2], \"data_offsets\": [0, 8]}}";
  g_autofree char *q = write_raw ("q4.safetensors", -1, hdr2, payload16, sizeof payload16);
  expect_error (q, VX_ERROR_UNSUPPORTED, "Q4_K");
  g_unlink (p);
  g_unlink (q);
}

static void
test_duplicate_names (void)
{
  const char *hdr = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                    " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}";
  g_autofree char *p = write_raw ("dup.safetensors", -1, hdr, payload16, sizeof payload16);
  expect_error (p, VX_ERROR_FORMAT, "'a'");
  /* the same name spelt with an escape */
  const char *hdr2 = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                     " \"\\u0061\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}";
  g_autofree char *q = write_raw ("dup-escaped.safetensors", -1, hdr2, payload16, sizeof payload16);
  expect_error (q, VX_ERROR_FORMAT, "more than once");
  /* a duplicate followed by a broken header (found by fuzzing: the duplicate's
   * name leaked when the scan failed later) */
  const char *hdr3 = "{\"a\": 1, \"a\": 2, \"b\": \"unterminated";
  g_autofree char *r = write_raw ("dup-broken.safetensors", -1, hdr3, NULL, 0);
  expect_error (r, VX_ERROR_FORMAT, "unterminated");
  g_unlink (p);
  g_unlink (q);
  g_unlink (r);
}

static void
test_too_many_tensors (void)
{
  /* 10^6 empty tensors: refused by the pre-scan, before json-glib builds a node for each */
  GString *h = g_string_new ("{");
  for (int i = 0; i < 1000000; i++)
    g_string_append_printf (h, "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}",
                            i ? "," : "", i);
  g_string_append_c (h, '}');
  g_autofree char *p = write_raw ("many.safetensors", -1, h->str, NULL, 0);
  g_string_free (h, TRUE);
  expect_error (p, VX_ERROR_UNSUPPORTED, "tensors");
  g_unlink (p);
}

static void
test_parse_from_memory (void)
{
  /* the in-memory entry point validates the same way and names its source */
  guint8 buf[8] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0 };
  g_autoptr (GError) error = NULL;
  g_assert_null (vx_safetensors_parse (buf, sizeof buf, "memory-blob", &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "memory-blob"));
}

static void
test_writer_errors (void)
{
  float v[2] = { 1, 2 };
  int64_t shape[1] = { 2 };
  g_autofree char *nodir = g_build_filename (tmpdir, "no-such-dir", "x.safetensors", NULL);
  {
    g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
    vx_safetensors_writer_add (w, "v", v, 1, shape);
    g_autoptr (GError) error = NULL;
    g_assert_false (vx_safetensors_writer_save (w, nodir, &error));
    g_assert_error (error, VX_ERROR, VX_ERROR_IO);
    g_assert_nonnull (strstr (error->message, nodir));
  }
  {
    g_autofree char *p = tmp_path ("dup-write.safetensors");
    g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
    vx_safetensors_writer_add (w, "v", v, 1, shape);
    vx_safetensors_writer_add (w, "v", v, 1, shape);
    g_autoptr (GError) error = NULL;
    g_assert_false (vx_safetensors_writer_save (w, p, &error));
    g_assert_error (error, VX_ERROR, VX_ERROR_INVALID_ARG);
    g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  tmpdir = g_dir_make_tmp ("vitx-st-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/safetensors/roundtrip", test_roundtrip);
  g_test_add_func ("/safetensors/foreign-layout", test_foreign_layout);
  g_test_add_func ("/safetensors/f16-bf16", test_half_types);
  g_test_add_func ("/safetensors/hostile/missing-file", test_missing_file);
  g_test_add_func ("/safetensors/hostile/short-header-length", test_short_header_length);
  g_test_add_func ("/safetensors/hostile/header-beyond-file", test_header_beyond_file);
  g_test_add_func ("/safetensors/hostile/not-json", test_not_json);
  g_test_add_func ("/safetensors/hostile/wrong-types", test_wrong_types);
  g_test_add_func ("/safetensors/hostile/truncated-payload", test_truncated_payload);
  g_test_add_func ("/safetensors/hostile/offsets-out-of-range", test_offsets_out_of_range);
  g_test_add_func ("/safetensors/hostile/overlapping-offsets", test_overlapping_offsets);
  g_test_add_func ("/safetensors/hostile/count-overflow", test_count_overflow);
  g_test_add_func ("/safetensors/hostile/unsupported-dtype", test_unsupported_dtype);
  g_test_add_func ("/safetensors/hostile/duplicate-names", test_duplicate_names);
  g_test_add_func ("/safetensors/hostile/too-many-tensors", test_too_many_tensors);
  g_test_add_func ("/safetensors/hostile/parse-from-memory", test_parse_from_memory);
  g_test_add_func ("/safetensors/writer-errors", test_writer_errors);

  int ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return ret;
}
