/* test-sweep.c: `vitx sweep` end to end: grid order, shards and merge, resuming after
 * --stop-after and after a SIGKILL with a torn last line, the emitted Slurm and GNU
 * parallel scripts, agreement with `vitx eval`, and bad grids */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static char *vitx_bin;
static char *model_path;
static char *data_path;
static char *reference;      /* the uninterrupted, unsharded run of GRID (canonical records) */

/* 8 points: clip (2) x gamma (2) x seed (2); a few seconds in all */
#define GRID "--gamma", "3,5", "--clip", "none,2:0.25", "--seeds", "0,1"

/* ---- running vitx ------------------------------------------------------------------------ */

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("vitx-sweep-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

static char **
child_env (void)
{
  char **env = g_get_environ ();
  env = g_environ_setenv (env, "VITX_FASHION_MNIST_DIR", "/nonexistent-vitx-test-dir", TRUE);
  return g_environ_unsetenv (env, "SLURM_ARRAY_TASK_ID");
}

/* argv: the common model, data, size and thread options, then the NULL-terminated list */
static GPtrArray *
sweep_argv (const char *first, va_list ap)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, vitx_bin);
  g_ptr_array_add (argv, (char *) "sweep");
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* run argv in dir; returns the exit status; stdout, stderr in *out, *err (nullable) */
static int
run_argv (const char *dir, char **argv, char **out, char **err)
{
  g_auto (GStrv) env = child_env ();
  g_autoptr (GError) error = NULL;
  int status = 0;
  char *o = NULL, *e = NULL;
  g_assert_true (g_spawn_sync (dir, argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status, &error));
  g_assert_no_error (error);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* vitx sweep ARGS... NULL in dir */
G_GNUC_NULL_TERMINATED static int
sweep (const char *dir, char **out, char **err, const char *first, ...)
{
  va_list ap;
  va_start (ap, first);
  g_autoptr (GPtrArray) argv = sweep_argv (first, ap);
  va_end (ap);
  return run_argv (dir, (char **) argv->pdata, out, err);
}

static void write_file (const char *dir, const char *name, const char *text, gssize len);
static JsonObject *parse_object (const char *text, JsonParser *parser);

/* ---- records ----------------------------------------------------------------------------- */

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* the records of a JSONL text, each without its timing fields (seconds, finished,
 * host), one per line; asserts each line is a complete object */
static char *
canonical_records (const char *text)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      if (!lines[i][0])
        {
          g_assert_null (lines[i + 1]);   /* only the text after the last newline is empty */
          continue;
        }
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      g_assert_nonnull (o);
      g_assert_true (json_object_has_member (o, "seconds"));
      json_object_remove_member (o, "seconds");
      json_object_remove_member (o, "finished");
      json_object_remove_member (o, "host");
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, json_parser_get_root (parser));
      g_autofree char *s = json_generator_to_data (gen, NULL);
      g_string_append_printf (out, "%s\n", s);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
canonical_file (const char *dir, const char *name)
{
  g_autofree char *text = read_file (dir, name);
  return canonical_records (text);
}

/* the "index" of every record in order */
static GArray *
indexes (const char *text)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (int));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      if (!lines[i][0])
        continue;
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      int idx = (int) json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "index");
      g_array_append_val (a, idx);
    }
  return a;
}

static int
count_char (const char *s, char c)
{
  int n = 0;
  for (; *s; s++)
    n += *s == c;
  return n;
}

static const char *
ensure_reference (void)
{
  if (reference)
    return reference;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *err = NULL;
  int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                  "--out", "ref.jsonl", NULL);
  g_assert_cmpint (rc, ==, 0);
  reference = canonical_file (dir, "ref.jsonl");
  g_assert_cmpint (count_char (reference, '\n'), ==, 8);
  rm_rf (dir);
  return reference;
}

/* ---- grid order and --list --------------------------------------------------------------- */

static void
test_list (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = NULL;
  int rc = sweep (dir, &out, NULL, "-m", model_path, GRID, "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "# sweep "));
  g_assert_nonnull (strstr (lines[0], ": 8 points"));
  /* index = clip * 4 + gamma * 2 + seed: the seed varies fastest */
  const char *clips[] = { "none", "2:0.25" }, *gammas[] = { "3", "5" };
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *want = g_strdup_printf ("%d\tmodel=%s;outlier=1;kv=per-head;clip=%s;onoff=100;gamma=%s;seed=%d",
                                               i, model_path, clips[i / 4], gammas[i / 2 % 2], i % 2);
      g_assert_cmpstr (lines[i + 2], ==, want);
    }
  g_assert_cmpstr (lines[10], ==, "");
  g_assert_null (lines[11]);

  /* a shard lists the points whose index % n == i */
  g_autofree char *shard = NULL;
  rc = sweep (dir, &shard, NULL, "-m", model_path, GRID, "--list", "--shard", "1/3", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_auto (GStrv) sl = g_strsplit (shard, "\n", -1);
  g_assert_nonnull (strstr (sl[0], "shard 1/3: 3 points"));
  g_assert_true (g_str_has_prefix (sl[2], "1\t"));
  g_assert_true (g_str_has_prefix (sl[3], "4\t"));
  g_assert_true (g_str_has_prefix (sl[4], "7\t"));
  g_assert_cmpstr (sl[5], ==, "");

  /* --seed S --repeats R is the same sweep as --seeds S..S+R-1 */
  g_autofree char *rep = NULL;
  rc = sweep (dir, &rep, NULL, "-m", model_path, "--gamma", "3,5", "--clip", "none,2:0.25",
              "--repeats", "2", "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (rep, ==, out);
  rm_rf (dir);
}

/* ---- the model axis: a copy of the model under another name gives the same results ------ */

static void
test_models (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (model_path, &bytes, &len, NULL));
  write_file (dir, "copy.safetensors", bytes, (gssize) len);
  int rc = sweep (dir, NULL, NULL, "-m", model_path, "-m", "copy.safetensors", "-d", data_path,
                  "-n", "32", "-t", "1", "--gamma", "5", "--seeds", "0,1", "--out", "m.jsonl", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *text = read_file (dir, "m.jsonl");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *o = parse_object (lines[i], p);
      g_assert_cmpint (json_object_get_int_member (o, "index"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (o, "model"), ==, i < 2 ? model_path : "copy.safetensors");
      g_assert_cmpint (json_object_get_int_member (o, "seed"), ==, i % 2);
    }
  /* model 1's records are model 0's apart from the model and the place in the grid */
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (JsonParser) pa = json_parser_new (), pb = json_parser_new ();
      JsonObject *a = parse_object (lines[i], pa), *b = parse_object (lines[i + 2], pb);
      const char *differ[] = { "index", "key", "model", "seconds", "finished", "host" };
      for (guint k = 0; k < G_N_ELEMENTS (differ); k++)
        {
          json_object_remove_member (a, differ[k]);
          json_object_remove_member (b, differ[k]);
        }
      g_assert_true (json_node_equal (json_parser_get_root (pa), json_parser_get_root (pb)));
    }
  rm_rf (dir);
}

/* ---- a point equals `vitx eval` of the same setting ------------------------------------- */

static JsonObject *
parse_object (const char *text, JsonParser *parser)
{
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_matches_eval (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *err = NULL;
  int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "48", "-t", "1",
                  "--gamma", "5", "--onoff", "50", "--clip", "2:0.25:renormalised",
                  "--kv-scale", "per-channel", "--outlier-scale", "4", "--seeds", "3",
                  "--snr", "end-to-end", "--snr-limit", "16", "--sigma-r", "0.07", "--out", "p.jsonl", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *line = read_file (dir, "p.jsonl");
  g_assert_cmpint (count_char (line, '\n'), ==, 1);

  const char *eval_argv[] = {
    vitx_bin, "eval", "-m", model_path, "-d", data_path, "-n", "48", "-t", "1", "--json", "-q",
    "--gamma", "5", "--onoff", "50", "--alpha", "2", "--beta", "0.25", "--decode", "renormalised",
    "--kv-scale", "per-channel", "--outlier-scale", "4", "--seed", "3", "--snr", "end-to-end",
    "--snr-limit", "16", "--sigma-r", "0.07", NULL
  };
  g_autofree char *eval_out = NULL;
  rc = run_argv (dir, (char **) eval_argv, &eval_out, NULL);
  g_assert_cmpint (rc, ==, 0);

  g_autoptr (JsonParser) p1 = json_parser_new (), p2 = json_parser_new ();
  JsonObject *rec = parse_object (line, p1), *ev = parse_object (eval_out, p2);
  g_assert_cmpint (json_object_get_int_member (rec, "n_images"), ==, 48);
  g_assert_cmpint (json_object_get_int_member (rec, "n_images"), ==, json_object_get_int_member (ev, "n_images"));
  g_assert_cmpfloat (json_object_get_double_member (rec, "top1"), ==, json_object_get_double_member (ev, "top1"));
  g_assert_cmpfloat (json_object_get_double_member (rec, "snr_mean_db"), ==,
                     json_object_get_double_member (ev, "snr_mean_db"));
  JsonArray *s1 = json_object_get_array_member (rec, "snr_db"), *s2 = json_object_get_array_member (ev, "snr_db");
  g_assert_cmpuint (json_array_get_length (s1), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (json_array_get_double_element (s1, i), ==, json_array_get_double_element (s2, i));
  g_assert_true (json_node_equal (json_object_get_member (rec, "config"), json_object_get_member (ev, "config")));
  g_assert_cmpfloat (json_object_get_double_member (rec, "outlier_scale"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (rec, "outlier_channels"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (rec, "clip"), ==, "2:0.25:renormalised");
  g_assert_cmpstr (json_object_get_string_member (rec, "decode"), ==, "renormalised");
  g_assert_cmpint (json_object_get_int_member (rec, "seed"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (rec, "onoff"), ==, 50);
  g_assert_cmpstr (json_object_get_string_member (rec, "snr_mode"), ==, "end-to-end");
  /* correct / n and a Wilson interval around it */
  double top1 = json_object_get_double_member (rec, "top1");
  g_assert_cmpfloat (top1 * 48, ==, (double) json_object_get_int_member (rec, "top1_correct"));
  JsonArray *ci = json_object_get_array_member (rec, "top1_ci");
  g_assert_cmpfloat (json_array_get_double_element (ci, 0), <=, top1);
  g_assert_cmpfloat (json_array_get_double_element (ci, 1), >=, top1);
  rm_rf (dir);
}

/* ---- shards merged equal the unsharded sweep --------------------------------------------- */

static void
test_shards_merge (void)
{
  const char *ref = ensure_reference ();
  g_autofree char *dir = make_tmp_dir ();
  const char *files[] = { "s0.jsonl", "s1.jsonl", "s2.jsonl" };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *shard = g_strdup_printf ("%d/3", i);
      int rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                      "--shard", shard, "--out", files[i], "-q", NULL);
      g_assert_cmpint (rc, ==, 0);
      g_autofree char *text = read_file (dir, files[i]);
      g_autoptr (GArray) idx = indexes (text);
      g_assert_cmpuint (idx->len, ==, i < 2 ? 3 : 2);
      for (guint k = 0; k < idx->len; k++)
        g_assert_cmpint (g_array_index (idx, int, k), ==, i + 3 * (int) k);
    }
  /* inputs in a scrambled order: the merge sorts by index */
  const char *merge_argv[] = { vitx_bin, "sweep", "merge", "--csv", "m.csv", "m.jsonl",
                               "s2.jsonl", "s0.jsonl", "s1.jsonl", NULL };
  g_autofree char *err = NULL;
  int rc = run_argv (dir, (char **) merge_argv, NULL, &err);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "8 of 8 points"));
  g_autofree char *merged = canonical_file (dir, "m.jsonl");
  g_assert_cmpstr (merged, ==, ref);

  /* the CSV: a header and one row per point, in grid order */
  g_autofree char *csv = read_file (dir, "m.csv");
  g_auto (GStrv) rows = g_strsplit (csv, "\n", -1);
  g_assert_true (g_str_has_prefix (rows[0], "sweep,index,points,key,"));
  for (int i = 0; i < 8; i++)
    {
      g_auto (GStrv) f = g_strsplit (rows[i + 1], ",", 4);
      g_autofree char *want = g_strdup_printf ("%d", i);
      g_assert_cmpstr (f[1], ==, want);
      g_assert_cmpstr (f[2], ==, "8");
    }
  g_assert_cmpstr (rows[9], ==, "");

  /* merging a file twice drops the identical duplicates */
  const char *again[] = { vitx_bin, "sweep", "merge", "m2.jsonl", "m.jsonl", "s1.jsonl", NULL };
  g_clear_pointer (&err, g_free);
  rc = run_argv (dir, (char **) again, NULL, &err);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "3 identical duplicates dropped"));
  g_autofree char *merged2 = canonical_file (dir, "m2.jsonl");
  g_assert_cmpstr (merged2, ==, ref);
  rm_rf (dir);
}

/* ---- merge refuses conflicts and reports missing points ---------------------------------- */

static void
write_file (const char *dir, const char *name, const char *text, gssize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

static void
test_merge_errors (void)
{
  g_autofree char *dir = make_tmp_dir ();
  int rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                  "--shard", "0/2", "--out", "a.jsonl", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  /* half the points: 4 missing, listed by index; exit 1 unless --partial */
  const char *half[] = { vitx_bin, "sweep", "merge", "h.jsonl", "a.jsonl", NULL };
  g_autofree char *err = NULL;
  rc = run_argv (dir, (char **) half, NULL, &err);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "4 of 8 points missing: index 1, 3, 5, 7"));
  g_autofree char *h = read_file (dir, "h.jsonl");
  g_assert_cmpint (count_char (h, '\n'), ==, 4);
  const char *partial[] = { vitx_bin, "sweep", "merge", "--partial", "h.jsonl", "a.jsonl", NULL };
  rc = run_argv (dir, (char **) partial, NULL, NULL);
  g_assert_cmpint (rc, ==, 0);

  /* a second copy of a point with a different result */
  g_autofree char *text = read_file (dir, "a.jsonl");
  char *top1 = strstr (text, "\"top1\":");
  g_assert_nonnull (top1);
  g_autoptr (GString) changed = g_string_new_len (text, top1 - text);
  g_string_append (changed, "\"top1\":0.123,\"was\":");
  g_string_append (changed, top1 + strlen ("\"top1\":"));
  write_file (dir, "b.jsonl", changed->str, -1);
  const char *conflict[] = { vitx_bin, "sweep", "merge", "c.jsonl", "a.jsonl", "b.jsonl", NULL };
  g_clear_pointer (&err, g_free);
  rc = run_argv (dir, (char **) conflict, NULL, &err);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "conflicting results for point 0"));
  g_assert_nonnull (strstr (err, "b.jsonl line 1"));
  g_autofree char *c_path = g_build_filename (dir, "c.jsonl", NULL);
  g_assert_false (g_file_test (c_path, G_FILE_TEST_EXISTS));

  /* records of another sweep */
  rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1",
              "--gamma", "4", "--out", "other.jsonl", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  const char *mixed[] = { vitx_bin, "sweep", "merge", "x.jsonl", "a.jsonl", "other.jsonl", NULL };
  g_clear_pointer (&err, g_free);
  rc = run_argv (dir, (char **) mixed, NULL, &err);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "not shards of one sweep"));

  /* ... and a sweep refuses to append to it */
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--out", "other.jsonl", NULL);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "other.jsonl line 1: a result of another sweep"));

  /* no inputs, an unreadable input */
  const char *none[] = { vitx_bin, "sweep", "merge", "x.jsonl", NULL };
  g_assert_cmpint (run_argv (dir, (char **) none, NULL, NULL), ==, 2);
  const char *missing[] = { vitx_bin, "sweep", "merge", "x.jsonl", "no-such.jsonl", NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_argv (dir, (char **) missing, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no-such.jsonl"));
  rm_rf (dir);
}

/* ---- resuming ------------------------------------------------------------------------------- */

static void
test_resume_stop_after (void)
{
  const char *ref = ensure_reference ();
  g_autofree char *dir = make_tmp_dir ();
  /* 3 points, 2 more, then the rest, with a CSV beside the JSONL */
  const char *stops[] = { "3", "2", "0" };
  int expect[] = { 3, 5, 8 };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *err = NULL;
      int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                      "--out", "r.jsonl", "--csv", "r.csv", "--stop-after", stops[i], NULL);
      g_assert_cmpint (rc, ==, 0);
      g_autofree char *text = read_file (dir, "r.jsonl");
      g_assert_cmpint (count_char (text, '\n'), ==, expect[i]);
      g_autofree char *csv = read_file (dir, "r.csv");
      g_assert_cmpint (count_char (csv, '\n'), ==, expect[i] + 1);
      if (i > 0)
        {
          g_autofree char *want = g_strdup_printf ("%d already done, %d to run", expect[i - 1], 8 - expect[i - 1]);
          g_assert_nonnull (strstr (err, want));
        }
    }
  g_autofree char *got = canonical_file (dir, "r.jsonl");
  g_assert_cmpstr (got, ==, ref);

  /* finished: a rerun runs nothing and leaves the file as it is */
  g_autofree char *before = read_file (dir, "r.jsonl");
  g_autofree char *err = NULL;
  int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                  "--out", "r.jsonl", "--csv", "r.csv", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "8 already done, 0 to run"));
  g_autofree char *after = read_file (dir, "r.jsonl");
  g_assert_cmpstr (after, ==, before);

  /* a lost CSV is rebuilt from the JSONL records without running anything */
  g_autofree char *csv_before = read_file (dir, "r.csv");
  g_autofree char *csv_path = g_build_filename (dir, "r.csv", NULL);
  g_assert_cmpint (g_remove (csv_path), ==, 0);
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--out", "r.jsonl", "--csv", "r.csv", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "0 to run"));
  g_autofree char *csv_after = read_file (dir, "r.csv");
  g_assert_cmpstr (csv_after, ==, csv_before);

  /* a CSV alone resumes too */
  rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--csv", "only.csv", "--stop-after", "4", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--csv", "only.csv", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "4 already done, 4 to run"));
  g_autofree char *only = read_file (dir, "only.csv");
  g_assert_cmpint (count_char (only, '\n'), ==, 9);
  rm_rf (dir);
}

/* the offset of the start of the last complete line of text */
static gsize
last_line_start (const char *text, gsize complete)
{
  gsize i = complete - 1;   /* its newline */
  while (i > 0 && text[i - 1] != '\n')
    i--;
  return i;
}

static void
test_resume_sigkill (void)
{
  g_autofree char *dir = make_tmp_dir ();
  /* the uninterrupted result of this (slower) grid */
#define KILL_ARGS "-m", model_path, "-d", data_path, "-n", "160", "-t", "1", GRID
  int rc = sweep (dir, NULL, NULL, KILL_ARGS, "--out", "whole.jsonl", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *whole = canonical_file (dir, "whole.jsonl");

  /* a background run killed (SIGKILL) once two records are in its file */
  const char *argv[] = { vitx_bin, "sweep", KILL_ARGS, "--out", "k.jsonl", "-q", NULL };
  g_auto (GStrv) env = child_env ();
  g_autoptr (GError) error = NULL;
  GPid pid;
  g_assert_true (g_spawn_async (dir, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "k.jsonl", NULL);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *text = NULL;
      if (g_file_get_contents (path, &text, NULL, NULL) && count_char (text, '\n') >= 2)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  /* it was still running: the kill ended it, not its own exit */
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  /* a write torn by the kill: cut the last complete record in half */
  g_autofree char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  gsize complete = len;
  while (complete > 0 && text[complete - 1] != '\n')
    complete--;
  int lines = count_char (text, '\n');
  g_assert_cmpint (lines, >=, 2);
  g_assert_cmpint (lines, <, 8);
  gsize start = last_line_start (text, complete);
  gsize cut = start + (complete - start) / 2;
  g_assert_cmpint (truncate (path, (off_t) cut), ==, 0);

  g_autofree char *listing = NULL;
  rc = sweep (dir, &listing, NULL, KILL_ARGS, "--out", "k.jsonl", "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpint (count_char (listing, '\n') - 2, ==, 8);
  g_autofree char *done_mark = g_strdup_printf ("\tdone\n");
  int done = 0;
  for (const char *p = listing; (p = strstr (p, done_mark)); p++)
    done++;
  g_assert_cmpint (done, ==, lines - 1);
  /* --list reads without writing: the torn line is still there */
  g_autofree char *still = NULL;
  gsize still_len;
  g_assert_true (g_file_get_contents (path, &still, &still_len, NULL));
  g_assert_cmpuint (still_len, ==, cut);

  g_autofree char *err = NULL;
  rc = sweep (dir, NULL, &err, KILL_ARGS, "--out", "k.jsonl", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "dropped an incomplete last line"));
  g_autofree char *want = g_strdup_printf ("%d already done, %d to run", lines - 1, 9 - lines);
  g_assert_nonnull (strstr (err, want));
  g_autofree char *got = canonical_file (dir, "k.jsonl");
  g_assert_cmpstr (got, ==, whole);
  g_autofree char *raw = read_file (dir, "k.jsonl");
  g_autoptr (GArray) idx = indexes (raw);
  g_assert_cmpuint (idx->len, ==, 8);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint (g_array_index (idx, int, i), ==, i);
#undef KILL_ARGS
  rm_rf (dir);
}

/* a second writer of the same file is refused while the first holds it */
static void
test_lock (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "busy.jsonl", NULL);
  int fd = open (path, O_RDWR | O_CREAT, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  g_autofree char *err = NULL;
  int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                  "--out", "busy.jsonl", NULL);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "busy.jsonl: another vitx sweep is writing this file"));
  close (fd);
  rm_rf (dir);
}

/* ---- the emitted scripts --------------------------------------------------------------------- */

static void
test_scripts (void)
{
  const char *ref = ensure_reference ();
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *script = NULL;
  int rc = sweep (dir, &script, NULL, "-m", model_path, "-d", data_path, "-n", "32", GRID,
                  "--emit", "slurm", "--shards", "3", "--out", "res.jsonl", "--csv", "res.csv",
                  "--sbatch=--time=00:10:00", "-t", "1", NULL);
  g_assert_cmpint (rc, ==, 0);
  write_file (dir, "sweep.sh", script, -1);
  g_assert_true (g_str_has_prefix (script, "#!/bin/bash\n"));
  g_assert_nonnull (strstr (script, "\n#SBATCH --array=0-2\n"));
  g_assert_nonnull (strstr (script, "\n#SBATCH --time=00:10:00\n"));
  g_assert_nonnull (strstr (script, "\n#SBATCH --cpus-per-task=1\n"));
  g_assert_nonnull (strstr (script, "$SLURM_ARRAY_TASK_ID"));
  g_assert_nonnull (strstr (script, "--dependency=\"afterok:$jobid\""));
  /* the grid's own options, verbatim; the per-shard ones set by the script */
  g_assert_nonnull (strstr (script, "'--gamma' '3,5' '--clip' 'none,2:0.25' '--seeds' '0,1'"));
  g_assert_null (strstr (script, "'--emit'"));
  g_assert_null (strstr (script, "'-t'"));
  g_assert_null (strstr (script, "'--out'"));

  const char *check[] = { "bash", "-n", "sweep.sh", NULL };
  g_autofree char *err = NULL;
  rc = run_argv (dir, (char **) check, NULL, &err);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (err, ==, "");

  /* without Slurm and with no action it refuses to guess */
  const char *bare[] = { "bash", "sweep.sh", NULL };
  g_assert_cmpint (run_argv (dir, (char **) bare, NULL, NULL), ==, 2);

  /* the shards one by one, then the merge */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *n = g_strdup_printf ("%d", i);
      const char *one[] = { "bash", "sweep.sh", "shard", n, NULL };
      g_assert_cmpint (run_argv (dir, (char **) one, NULL, NULL), ==, 0);
    }
  const char *merge[] = { "bash", "sweep.sh", "merge", NULL };
  g_assert_cmpint (run_argv (dir, (char **) merge, NULL, NULL), ==, 0);
  g_autofree char *merged = canonical_file (dir, "res.jsonl");
  g_assert_cmpstr (merged, ==, ref);
  g_autofree char *csv = read_file (dir, "res.csv");
  g_assert_cmpint (count_char (csv, '\n'), ==, 9);

  g_autofree char *parallel = g_find_program_in_path ("parallel");
  if (!parallel)
    {
      g_test_skip ("GNU parallel is not installed (tools/install-deps installs it)");
      rm_rf (dir);
      return;
    }
  /* the same script's shards through GNU parallel, from scratch */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("res.shard-%d.jsonl", i);
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_assert_cmpint (g_remove (p), ==, 0);
    }
  const char *local[] = { "bash", "sweep.sh", "local", "2", NULL };
  g_clear_pointer (&err, g_free);
  rc = run_argv (dir, (char **) local, NULL, &err);
  if (rc != 0)
    g_printerr ("%s", err);
  g_assert_cmpint (rc, ==, 0);
  g_clear_pointer (&merged, g_free);
  merged = canonical_file (dir, "res.jsonl");
  g_assert_cmpstr (merged, ==, ref);

  /* --emit parallel: no #SBATCH, and running it with no action runs everything */
  g_autofree char *pscript = NULL;
  rc = sweep (dir, &pscript, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--emit", "parallel", "--shards", "4", "--out", "par.jsonl", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_null (strstr (pscript, "#SBATCH"));
  write_file (dir, "par.sh", pscript, -1);
  const char *pcheck[] = { "bash", "-n", "par.sh", NULL };
  g_assert_cmpint (run_argv (dir, (char **) pcheck, NULL, NULL), ==, 0);
  const char *prun[] = { "bash", "par.sh", NULL };
  g_assert_cmpint (run_argv (dir, (char **) prun, NULL, NULL), ==, 0);
  g_autofree char *pmerged = canonical_file (dir, "par.jsonl");
  g_assert_cmpstr (pmerged, ==, ref);
  rm_rf (dir);
}

/* ---- bad grids and files ------------------------------------------------------------------- */

typedef struct {
  const char *what;
  int status;
  const char *message;       /* must occur in stderr */
  const char *args[8];
} BadCase;

static void
test_bad (void)
{
  static const BadCase cases[] = {
    { "empty list", 2, "--gamma '': an empty list", { "--gamma", "" } },
    { "empty item", 2, "--gamma '3,,4': an empty item", { "--gamma", "3,,4" } },
    { "negative gamma", 2, "--gamma -1: expected values in [0, 1000]", { "--gamma", "-1" } },
    { "gamma not a number", 2, "--gamma 3x: expected a number", { "--gamma", "3x" } },
    { "repeated gamma", 2, "the value 3 appears twice", { "--gamma", "3,4,3" } },
    { "beta 0", 2, "--beta 0: expected values in (0, 1]", { "--beta", "0" } },
    { "alpha below 1", 2, "--alpha 0.5: expected values in [1, 1e+06]", { "--alpha", "0.5" } },
    { "clip beta 0", 2, "--clip beta 0: expected values in (0, 1]", { "--clip", "none,2:0" } },
    { "clip form", 2, "--clip 2: expected none, ALPHA:BETA", { "--clip", "2" } },
    { "clip reading", 2, "the reading exact is not physical", { "--clip", "2:1:exact" } },
    { "clip twice", 2, "the ClipFormer setting 2:1 appears twice", { "--clip", "2:1", "--alpha", "2" } },
    { "onoff 1", 2, "--onoff 1: expected values in (1, 1e+06]", { "--onoff", "1" } },
    { "beta below the floor", 2, "point 4 (", { "--onoff", "3", "--clip", "none,1:0.25" } },
    { "kv policy", 2, "--kv-scale per-row: expected per-head", { "--kv-scale", "per-head,per-row" } },
    { "outlier scale", 2, "--outlier-scale 100: expected values in [1, 64]", { "--outlier-scale", "1,100" } },
    { "seeds", 2, "--seeds x: expected non-negative integers", { "--seeds", "1,x" } },
    { "seeds and repeats", 2, "not both", { "--seeds", "1,2", "--repeats", "2" } },
    { "shard 3/3", 2, "--shard 3/3: expected I/N with 0 <= I < N", { "--shard", "3/3" } },
    { "shard form", 2, "--shard 1: expected I/N", { "--shard", "1" } },
    { "shard 0/0", 2, "--shard 0/0", { "--shard", "0/0" } },
    { "snr mode", 2, "--snr loud: expected end-to-end, local or none", { "--snr", "loud" } },
    { "stop-after", 2, "--stop-after >= 0", { "--stop-after", "-1" } },
    { "list and dry-run", 2, "at most one of", { "--list", "--dry-run" } },
    { "emit kind", 2, "--emit pbs: expected slurm or parallel", { "--emit", "pbs", "--out", "x.jsonl" } },
    { "emit without out", 2, "--emit needs --out", { "--emit", "slurm" } },
    { "emit too many shards", 2, "--shards 9: the grid has only 8 points",
      { "--emit", "slurm", "--out", "x.jsonl", "--shards", "9" } },
    { "stray argument", 2, "unexpected argument 'extra'", { "extra" } },
    { "unknown model", 1, "no-such-model.safetensors", { "-m", "no-such-model.safetensors" } },
    { "unknown model, emit", 1, "no-such-model.safetensors: no such model file",
      { "-m", "no-such-model.safetensors", "--emit", "slurm", "--out", "x.jsonl" } },
    { "outlier channels", 2, "channels", { "--outlier-scale", "1,4", "--outlier-channels", "99" } },
    { "prune keep 0", 2, "--prune-keep 0: expected values in (0, 1]", { "--prune-keep", "0.7,0" } },
    { "prune keep 1.5", 2, "--prune-keep 1.5: expected values in (0, 1]", { "--prune-keep", "1.5" } },
    { "crossbar prune keep", 2, "--prune-keep: token pruning keep ratio 'x'",
      { "--crossbar-prune-keep", "x" } },
  };
  g_autofree char *dir = make_tmp_dir ();
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const BadCase *bc = &cases[c];
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      const char *common[] = { vitx_bin, "sweep", "-m", model_path, "-d", data_path, "-n", "8", "-t", "1", GRID };
      for (guint i = 0; i < G_N_ELEMENTS (common); i++)
        g_ptr_array_add (argv, (char *) common[i]);
      for (guint i = 0; bc->args[i]; i++)
        g_ptr_array_add (argv, (char *) bc->args[i]);
      g_ptr_array_add (argv, NULL);
      g_autofree char *err = NULL, *out = NULL;
      int rc = run_argv (dir, (char **) argv->pdata, &out, &err);
      g_test_message ("%s: exit %d, %s", bc->what, rc, err);
      g_assert_cmpint (rc, ==, bc->status);
      g_assert_true (g_str_has_prefix (err, "vitx sweep: "));
      g_assert_nonnull (strstr (err, bc->message));
      g_assert_cmpstr (out, ==, "");
      g_assert_null (strstr (err, "CRITICAL"));
    }

  /* damaged result files */
  write_file (dir, "bad.csv", "a,b,c\n", -1);
  g_autofree char *err = NULL;
  int rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "8", GRID, "--csv", "bad.csv", NULL);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "bad.csv: not a vitx sweep CSV file"));
  write_file (dir, "bad.jsonl", "{\"sweep\": 1}\nnot json\n", -1);
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "8", GRID, "--out", "bad.jsonl", NULL);
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "bad.jsonl line 1:"));
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "8", GRID, "--out", "x.jsonl",
              "--csv", "x.jsonl", NULL);
  g_assert_cmpint (rc, ==, 2);
  rm_rf (dir);
}

/* ---- the token pruning axis ----------------------------------------------------------------- */

/* the number of CSV fields of a line (commas outside quotes + 1) */
static int
csv_fields (const char *line)
{
  int n = 1;
  gboolean quoted = FALSE;
  for (const char *c = line; *c && *c != '\n'; c++)
    {
      if (*c == '"')
        quoted = !quoted;
      else if (*c == ',' && !quoted)
        n++;
    }
  return n;
}

/* the line's field i (0-based; only for fields before any quoted one) */
static char *
csv_field (const char *line, int i)
{
  g_auto (GStrv) f = g_strsplit (line, ",", i + 2);
  g_assert_cmpuint (g_strv_length (f), >, (guint) i);
  return g_strdup (f[i]);
}

/* a CSV as vitx wrote it before column prune_keep (28 columns, config last):
 * field 27 (0-based) of every line removed */
static char *
csv_drop_prune_column (const char *text)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      if (!lines[i][0])
        continue;
      g_assert_cmpint (csv_fields (lines[i]), ==, 29);
      /* 27 commas before the field; nothing before config is quoted in these rows */
      const char *start = lines[i];
      for (int k = 0; k < 27; k++)
        start = strchr (start, ',') + 1;
      const char *end = strchr (start, ',');
      g_string_append_len (out, lines[i], start - lines[i]);
      g_string_append (out, end + 1);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_prune_keep (void)
{
  g_autofree char *dir = make_tmp_dir ();

  /* the axis comes right after the model; keys name it, other grids' keys do not */
  g_autofree char *list = NULL;
  int rc = sweep (dir, &list, NULL, "-m", model_path, "--prune-keep", "0.7,1", "--gamma", "3,5",
                  "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_auto (GStrv) lines = g_strsplit (list, "\n", -1);
  g_assert_nonnull (strstr (lines[0], ": 4 points"));
  const char *keeps[] = { "0.7", "1" }, *gammas[] = { "3", "5" };
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *want = g_strdup_printf ("%d\tmodel=%s;prune=%s;outlier=1;kv=per-head;clip=none;"
                                               "onoff=100;gamma=%s;seed=0", i, model_path,
                                               keeps[i / 2], gammas[i % 2]);
      g_assert_cmpstr (lines[i + 2], ==, want);
    }
  /* the single-valued crossbar option is the same grid; without either, another sweep
   * with the keys of sweeps made before the axis */
  g_autofree char *one = NULL, *single = NULL, *none = NULL;
  rc = sweep (dir, &one, NULL, "-m", model_path, "--prune-keep", "0.7", "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  rc = sweep (dir, &single, NULL, "-m", model_path, "--crossbar-prune-keep", "0.7", "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (single, ==, one);
  rc = sweep (dir, &none, NULL, "-m", model_path, "--list", NULL);
  g_assert_cmpint (rc, ==, 0);
  /* "# sweep ID: 1 points": the sweep ids differ */
  g_auto (GStrv) none_lines = g_strsplit (none, "\n", 2), one_lines = g_strsplit (one, "\n", 2);
  g_assert_true (g_str_has_suffix (none_lines[0], ": 1 points"));
  g_assert_cmpstr (none_lines[0], !=, one_lines[0]);
  g_assert_null (strstr (none, "prune"));

  /* each point equals `vitx eval --prune-keep` of its ratio (per-block SNR included,
   * which pruning changes) and records the ratio it ran with */
  g_autofree char *err = NULL;
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1",
              "--prune-keep", "0.5,1", "--gamma", "5", "--snr", "end-to-end", "--snr-limit", "8",
              "--out", "p.jsonl", "--csv", "p.csv", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *text = read_file (dir, "p.jsonl");
  g_auto (GStrv) recs = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (recs), ==, 3);
  double snr_block2[2];
  for (int i = 0; i < 2; i++)
    {
      const char *keep = i == 0 ? "0.5" : "1";
      const char *eval_argv[] = {
        vitx_bin, "eval", "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", "--json", "-q",
        "--gamma", "5", "--seed", "0", "--snr", "end-to-end", "--snr-limit", "8",
        "--prune-keep", keep, NULL
      };
      g_autofree char *eval_out = NULL;
      rc = run_argv (dir, (char **) eval_argv, &eval_out, NULL);
      g_assert_cmpint (rc, ==, 0);
      g_autoptr (JsonParser) p1 = json_parser_new (), p2 = json_parser_new ();
      JsonObject *rec = parse_object (recs[i], p1), *ev = parse_object (eval_out, p2);
      g_assert_cmpfloat (json_object_get_double_member (rec, "prune_keep"), ==, i == 0 ? 0.5 : 1.0);
      g_assert_cmpfloat (json_object_get_double_member (ev, "prune_keep"), ==, i == 0 ? 0.5 : 1.0);
      g_assert_cmpfloat (json_object_get_double_member (rec, "top1"), ==,
                         json_object_get_double_member (ev, "top1"));
      JsonArray *s1 = json_object_get_array_member (rec, "snr_db"), *s2 = json_object_get_array_member (ev, "snr_db");
      g_assert_cmpuint (json_array_get_length (s1), ==, 3);
      for (guint b = 0; b < 3; b++)
        g_assert_cmpfloat (json_array_get_double_element (s1, b), ==, json_array_get_double_element (s2, b));
      snr_block2[i] = json_array_get_double_element (s1, 2);
    }
  /* block 2 runs pruned (before blocks 1 and 2 of this depth-3 model) at 0.5 only */
  g_assert_cmpfloat (snr_block2[0], !=, snr_block2[1]);

  /* CSV: prune_keep is the column before config; the others keep their places */
  g_autofree char *csv = read_file (dir, "p.csv");
  g_auto (GStrv) rows = g_strsplit (csv, "\n", -1);
  g_assert_true (g_str_has_suffix (rows[0], ",finished,host,prune_keep,config"));
  g_assert_cmpint (csv_fields (rows[0]), ==, 29);
  g_autofree char *gamma_head = csv_field (rows[0], 13), *top1_head = csv_field (rows[0], 18);
  g_assert_cmpstr (gamma_head, ==, "gamma");
  g_assert_cmpstr (top1_head, ==, "top1");
  for (int i = 1; i <= 2; i++)
    {
      g_assert_cmpint (csv_fields (rows[i]), ==, 29);
      g_autofree char *keep = csv_field (rows[i], 27);
      g_assert_cmpstr (keep, ==, i == 1 ? "0.5" : "1");
    }

  /* a CSV of an older vitx (no prune_keep column) resumes in its own columns */
  rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--csv", "new.csv", "--stop-after", "3", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *partial = read_file (dir, "new.csv");
  g_autofree char *legacy = csv_drop_prune_column (partial);
  g_assert_true (g_str_has_prefix (legacy, "sweep,index,points,key,model,"));
  g_assert_nonnull (strstr (legacy, ",finished,host,config\n"));
  write_file (dir, "old.csv", legacy, -1);
  g_clear_pointer (&err, g_free);
  rc = sweep (dir, NULL, &err, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--csv", "old.csv", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (err, "3 already done, 5 to run"));
  g_autofree char *resumed = read_file (dir, "old.csv");
  g_assert_true (g_str_has_prefix (resumed, legacy));
  g_auto (GStrv) old_rows = g_strsplit (resumed, "\n", -1);
  g_assert_cmpuint (g_strv_length (old_rows), ==, 10);
  for (int i = 0; i < 9; i++)
    g_assert_cmpint (csv_fields (old_rows[i]), ==, 28);
  rm_rf (dir);
}

/* --dry-run checks the models and lists the points to run, writing nothing */
static void
test_dry_run (void)
{
  g_autofree char *dir = make_tmp_dir ();
  int rc = sweep (dir, NULL, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
                  "--out", "d.jsonl", "--stop-after", "3", "-q", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_autofree char *before = read_file (dir, "d.jsonl");
  g_autofree char *out = NULL;
  rc = sweep (dir, &out, NULL, "-m", model_path, "-d", data_path, "-n", "32", "-t", "1", GRID,
              "--out", "d.jsonl", "--dry-run", "--shard", "1/2", NULL);
  g_assert_cmpint (rc, ==, 0);
  /* shard 1/2 is 1, 3, 5, 7; 0, 1, 2 are done */
  g_assert_nonnull (strstr (out, "shard 1/2: 4 points; 1 already done; would run 3:\n3\t"));
  g_assert_nonnull (strstr (out, "\n5\t"));
  g_assert_nonnull (strstr (out, "\n7\t"));
  g_autofree char *after = read_file (dir, "d.jsonl");
  g_assert_cmpstr (after, ==, before);
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vitx_bin = g_strdup (g_getenv ("VITX_BIN"));
  const char *datadir = g_getenv ("VITX_DATADIR");
  if (!vitx_bin || !datadir)
    {
      g_printerr ("test-sweep: VITX_BIN and VITX_DATADIR must be set (meson test does)\n");
      return 1;
    }
  model_path = g_test_build_filename (G_TEST_DIST, "data", "ref-tiny.safetensors", NULL);
  data_path = g_build_filename (datadir, "fashion-mnist-subset", NULL);
  g_test_add_func ("/sweep/list", test_list);
  g_test_add_func ("/sweep/models", test_models);
  g_test_add_func ("/sweep/matches-eval", test_matches_eval);
  g_test_add_func ("/sweep/shards-merge", test_shards_merge);
  g_test_add_func ("/sweep/merge-errors", test_merge_errors);
  g_test_add_func ("/sweep/resume-stop-after", test_resume_stop_after);
  g_test_add_func ("/sweep/resume-sigkill", test_resume_sigkill);
  g_test_add_func ("/sweep/lock", test_lock);
  g_test_add_func ("/sweep/dry-run", test_dry_run);
  g_test_add_func ("/sweep/scripts", test_scripts);
  g_test_add_func ("/sweep/bad", test_bad);
  g_test_add_func ("/sweep/prune-keep", test_prune_keep);
  int rc = g_test_run ();
  g_free (reference);
  g_free (vitx_bin);
  g_free (model_path);
  g_free (data_path);
  return rc;
}
