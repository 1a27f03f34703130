/* vitx-cmd-sweep.c: `vitx sweep` (grids of crossbar evaluations) and `vitx sweep merge` */
#define G_LOG_DOMAIN "vitx-sweep"
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vitx-commands.h"
#include "vs-sweep.h"
#include "vitx-xbar-options.h"
#include "vx-error.h"
#include "vx-outlier.h"

#define SHARDS_MAX 100000

typedef struct {
  char **models;
  char *data;
  int limit, batch, threads;
  char *gamma, *onoff, *alpha, *beta, *clip, *kv_scale, *outlier_scale, *seeds, *snr;
  char *prune_keep;
  int snr_limit;
  char *out, *csv, *shard, *emit;
  int shards, stop_after;
  char **sbatch;
  gboolean list, dry_run, quiet;
  guint shard_i, shard_n;
  VitxXbarOptions *xo;
} SweepArgs;

static void
sweep_args_clear (SweepArgs *a)
{
  g_strfreev (a->models);
  g_strfreev (a->sbatch);
  char **strings[] = { &a->data, &a->gamma, &a->onoff, &a->alpha, &a->beta, &a->clip,
                       &a->kv_scale, &a->outlier_scale, &a->seeds, &a->snr, &a->out, &a->csv,
                       &a->shard, &a->emit, &a->prune_keep };
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_free (*strings[i]);
  vitx_xbar_options_free (a->xo);
}

/* exit status of a failed step: bad options are usage errors, the rest failures */
static int
fail (const GError *error)
{
  vitx_error ("sweep", "%s", error->message);
  return g_error_matches (error, VX_ERROR, VX_ERROR_INVALID_ARG) ? VITX_EXIT_USAGE : VITX_EXIT_FAILURE;
}

static gboolean
in_shard (const SweepArgs *a, guint index)
{
  return index % a->shard_n == a->shard_i;
}

/* "i/n" with 0 <= i < n */
static gboolean
parse_shard (SweepArgs *a, GError **error)
{
  a->shard_i = 0;
  a->shard_n = 1;
  if (!a->shard)
    return TRUE;
  g_auto (GStrv) parts = g_strsplit (a->shard, "/", -1);
  guint64 i, n;
  if (g_strv_length (parts) != 2 || !g_ascii_string_to_unsigned (parts[0], 10, 0, SHARDS_MAX, &i, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 1, SHARDS_MAX, &n, NULL) || i >= n)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "--shard %s: expected I/N with 0 <= I < N <= %d (e.g. 0/4 .. 3/4)", a->shard, SHARDS_MAX);
      return FALSE;
    }
  a->shard_i = (guint) i;
  a->shard_n = (guint) n;
  return TRUE;
}

/* ---- --list and --dry-run ------------------------------------------------------------------- */

static void
print_list (const SweepArgs *a, const VsSweepGrid *g, const VsSweepFile *jf, const VsSweepFile *cf)
{
  guint n = 0;
  for (guint i = 0; i < g->points; i++)
    n += in_shard (a, i);
  printf ("# sweep %s: %u points", g->id, g->points);
  if (a->shard_n > 1)
    printf ("; shard %u/%u: %u points", a->shard_i, a->shard_n, n);
  printf ("\n# index\tkey%s\n", jf || cf ? "\tstatus" : "");
  for (guint i = 0; i < g->points; i++)
    {
      if (!in_shard (a, i))
        continue;
      VsSweepPoint p;
      vs_sweep_grid_point (g, i, &p);
      g_autofree char *key = vs_sweep_point_key (g, &p);
      const VsSweepFile *f = jf ? jf : cf;
      printf ("%u\t%s%s\n", i, key, f ? (vs_sweep_file_has (f, i) ? "\tdone" : "\ttodo") : "");
    }
}

/* ---- --emit: a Slurm job array or a GNU parallel script ------------------------------------ */

static char *
self_path (void)
{
  char *exe = g_file_read_link ("/proc/self/exe", NULL);
  return exe ? exe : g_find_program_in_path ("vitx");
}

static int
emit_script (const SweepArgs *a, const VsSweepGrid *g, char **orig_argv)
{
  gboolean slurm = g_str_equal (a->emit, "slurm");
  if (!slurm && !g_str_equal (a->emit, "parallel"))
    {
      vitx_error ("sweep", "--emit %s: expected slurm or parallel", a->emit);
      return VITX_EXIT_USAGE;
    }
  if (!a->out)
    {
      vitx_error ("sweep", "--emit needs --out FILE.jsonl (the merged result; the shards write beside it)");
      return VITX_EXIT_USAGE;
    }
  if (a->shard)
    {
      vitx_error ("sweep", "--emit writes every shard: give --shards N, not --shard");
      return VITX_EXIT_USAGE;
    }
  guint shards = a->shards > 0 ? (guint) a->shards : MIN (g->points, 1000u);
  if (shards > g->points)
    {
      vitx_error ("sweep", "--shards %u: the grid has only %u points", shards, g->points);
      return VITX_EXIT_USAGE;
    }
  for (guint i = 0; i < g->models->len; i++)
    if (!g_file_test (g_ptr_array_index (g->models, i), G_FILE_TEST_IS_REGULAR))
      {
        vitx_error ("sweep", "%s: no such model file", (char *) g_ptr_array_index (g->models, i));
        return VITX_EXIT_FAILURE;
      }
  g_autofree char *exe = self_path ();
  g_autofree char *cwd = g_get_current_dir ();
  VsSweepEmit e = {
    .slurm = slurm, .grid = g, .argv = orig_argv, .out = a->out, .csv = a->csv, .shards = shards,
    .threads = a->threads > 0 ? a->threads : 1, .sbatch = a->sbatch, .vitx = exe ? exe : "vitx",
    .cwd = cwd,
  };
  g_autofree char *script = vs_sweep_emit_script (&e);
  fputs (script, stdout);
  fflush (stdout);
  return VITX_EXIT_OK;
}

/* ---- running ---------------------------------------------------------------------------------- */

typedef struct {
  const SweepArgs *a;
  VsSweepGrid *g;
  VsSweepFile *jf, *cf;
  VxOutlierOpts outlier;
  VxModel **models;          /* (models) loaded for the points to run, else NULL */
  VxDataset **data;          /* (models) */
  VxModel *transformed;      /* the outlier what-if of transformed_model at transformed_scale */
  guint transformed_model;
  double transformed_scale;
  gint64 t0, point_t0;
  char label[64];
} Run;

static void
run_clear (Run *r)
{
  for (guint i = 0; r->g && i < r->g->models->len; i++)
    {
      if (r->models)
        vx_model_free (r->models[i]);
      if (r->data)
        vx_dataset_free (r->data[i]);
    }
  g_free (r->models);
  g_free (r->data);
  vx_model_free (r->transformed);
  vs_sweep_file_free (r->jf);
  vs_sweep_file_free (r->cf);
  vs_sweep_grid_free (r->g);
}

static void
on_progress (void *user, int done, int total)
{
  Run *r = user;
  /* a plain log gets the point's summary line instead of a final progress line */
  if (r->a->quiet || (done >= total && !vitx_stderr_is_tty ()))
    return;
  vitx_progress (r->label, done, total, (g_get_monotonic_time () - r->point_t0) / 1e6);
}

/* load the models (and their datasets) the points to run need */
static int
load_models (Run *r, GArray *todo)
{
  guint n = r->g->models->len;
  r->models = g_new0 (VxModel *, n);
  r->data = g_new0 (VxDataset *, n);
  for (guint t = 0; t < todo->len; t++)
    {
      VsSweepPoint p;
      vs_sweep_grid_point (r->g, g_array_index (todo, guint, t), &p);
      if (r->models[p.model])
        continue;
      const char *path = g_ptr_array_index (r->g->models, p.model);
      r->models[p.model] = vitx_load_model ("sweep", path);
      if (!r->models[p.model])
        return VITX_EXIT_FAILURE;
      g_autoptr (GError) error = NULL;
      VxOutlierOpts o = r->outlier;
      o.scale = 1;
      for (guint i = 0; i < r->g->outlier_scales->len; i++)
        o.scale = MAX (o.scale, g_array_index (r->g->outlier_scales, double, i));
      if (o.scale > 1 && !vx_outlier_opts_validate (&o, &r->models[p.model]->arch, &error))
        {
          vitx_error ("sweep", "%s: %s", path, error->message);
          return VITX_EXIT_USAGE;
        }
      r->data[p.model] = vitx_load_data ("sweep", r->g->data, r->models[p.model]);
      if (!r->data[p.model])
        return VITX_EXIT_FAILURE;
    }
  return VITX_EXIT_OK;
}

/* the network of a point: the model itself or its outlier what-if, with the
 * point's token pruning ratio when the grid has that axis */
static VxModel *
point_model (Run *r, const VsSweepPoint *p, GError **error)
{
  VxModel *m;
  if (p->outlier_scale <= 1)
    m = r->models[p->model];
  else if (r->transformed && r->transformed_model == p->model && r->transformed_scale == p->outlier_scale)
    m = r->transformed;
  else
    {
      g_clear_pointer (&r->transformed, vx_model_free);
      VxOutlierOpts o = r->outlier;
      o.scale = p->outlier_scale;
      r->transformed = vx_outlier_apply (r->models[p->model], &o, error);
      r->transformed_model = p->model;
      r->transformed_scale = p->outlier_scale;
      m = r->transformed;
    }
  if (m && p->prune_keep > 0)
    {
      /* set for every point: the cached models serve points of other ratios too */
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      vx_model_set_meta (m, VX_META_PRUNE_KEEP, g_ascii_dtostr (text, sizeof text, p->prune_keep));
    }
  return m;
}

static gboolean
write_record (Run *r, guint index, JsonNode *record, GError **error)
{
  if (!r->jf && !r->cf)
    {
      g_autofree char *line = vs_sweep_record_to_line (record);
      fputs (line, stdout);
      fflush (stdout);
      return TRUE;
    }
  if (r->jf)
    {
      g_autofree char *line = vs_sweep_record_to_line (record);
      if (!vs_sweep_file_append (r->jf, line, error))
        return FALSE;
    }
  if (r->cf && !vs_sweep_file_has (r->cf, index))
    {
      g_autofree char *row = vs_sweep_file_csv_row (r->cf, json_node_get_object (record));
      if (!vs_sweep_file_append (r->cf, row, error))
        return FALSE;
    }
  return TRUE;
}

/* the coordinates of a point on the axes that vary, for progress lines */
static char *
point_label (const VsSweepGrid *g, const VsSweepPoint *p)
{
  g_autoptr (GString) s = g_string_new (NULL);
  if (g->models->len > 1)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (g->models, p->model));
      g_string_append_printf (s, " model=%s", base);
    }
  if (g->prune_keeps->len > 1)
    g_string_append_printf (s, " prune=%g", p->prune_keep);
  struct { guint len; const char *name; double v; } nums[] = {
    { g->outlier_scales->len, "s", p->outlier_scale }, { g->onoffs->len, "onoff", p->onoff },
    { g->gammas->len, "gamma", p->gamma },
  };
  if (nums[0].len > 1)
    g_string_append_printf (s, " s=%g", nums[0].v);
  if (g->kv_scales->len > 1)
    g_string_append_printf (s, " kv=%s", vx_kv_scale_to_string (p->kv_scale));
  if (g->clips->len > 1)
    {
      g_autofree char *clip = vs_sweep_clip_label (&p->clip);
      g_string_append_printf (s, " clip=%s", clip);
    }
  for (guint i = 1; i < G_N_ELEMENTS (nums); i++)
    if (nums[i].len > 1)
      g_string_append_printf (s, " %s=%g", nums[i].name, nums[i].v);
  if (g->seeds->len > 1)
    g_string_append_printf (s, " seed=%" G_GUINT64_FORMAT, p->seed);
  return s->len ? g_strdup (s->str + 1) : g_strdup ("(the only point)");
}

static int
run_point (Run *r, guint index, guint nth, guint count)
{
  const SweepArgs *a = r->a;
  VsSweepPoint p;
  VxXbarConfig cfg;
  vs_sweep_grid_point (r->g, index, &p);
  vs_sweep_point_config (r->g, &p, &cfg);
  g_autofree char *key = vs_sweep_point_key (r->g, &p);
  g_autoptr (GError) error = NULL;
  VxModel *m = point_model (r, &p, &error);
  if (!m)
    return fail (error);
  g_snprintf (r->label, sizeof r->label, "point %u (%u/%u)", index, nth + 1, count);
  r->point_t0 = g_get_monotonic_time ();
  VxXbarEvalOpts opts = {
    .repeats = 1, .batch = a->batch, .limit = a->limit, .threads = a->threads,
    .snr = r->g->snr, .snr_limit = a->snr_limit, .progress = on_progress, .user = r,
  };
  VxXbarEvalResult res;
  if (!vx_xbar_eval_run (m, r->data[p.model], &cfg, &opts, &res, &error))
    {
      vitx_error ("sweep", "point %u (%s): %s", index, key, error->message);
      return VITX_EXIT_FAILURE;
    }
  g_autoptr (JsonNode) record = vs_sweep_record_new (r->g, &p, &cfg, r->data[p.model]->source,
                                                       vx_model_prune_keep (m), &res);
  double top1 = res.top1[0], secs = res.seconds;
  int n = res.n;
  vx_xbar_eval_result_clear (&res);
  if (!write_record (r, index, record, &error))
    return fail (error);
  if (!a->quiet)
    {
      double elapsed = (g_get_monotonic_time () - r->t0) / 1e6;
      double eta = elapsed * (count - nth - 1) / (nth + 1);
      g_autofree char *label = point_label (r->g, &p);
      fprintf (stderr, "vitx sweep: [%u/%u] point %u %s: top-1 %.2f%% of %d, %.1f s; ETA %.0f s\n",
               nth + 1, count, index, label, 100 * top1, n, secs, eta);
    }
  return VITX_EXIT_OK;
}

/* CSV rows of the points the JSONL file has and the CSV file lacks */
static gboolean
copy_missing_rows (Run *r, GError **error)
{
  for (guint i = 0; r->jf && r->cf && i < r->g->points; i++)
    if (in_shard (r->a, i) && vs_sweep_file_has (r->jf, i) && !vs_sweep_file_has (r->cf, i))
      {
        g_autofree char *row = vs_sweep_file_csv_row (r->cf, json_node_get_object (vs_sweep_file_get (r->jf, i)));
        if (!vs_sweep_file_append (r->cf, row, error))
          return FALSE;
      }
  return TRUE;
}

static void
report_torn (const VsSweepFile *f, gboolean writable)
{
  if (f && f->torn)
    fprintf (stderr, "vitx sweep: %s: %s an incomplete last line (%" G_GSIZE_FORMAT
             " bytes) left by an interrupted run\n", f->path, writable ? "dropped" : "would drop", f->torn);
}

static int
run_sweep (const SweepArgs *a, VsSweepGrid *grid)
{
  Run r = { .a = a, .g = grid, .t0 = g_get_monotonic_time () };
  int rc = VITX_EXIT_OK;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) todo = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean writable = !a->dry_run && !a->list;
  vx_outlier_opts_init (&r.outlier);
  r.outlier.channels = grid->outlier_channels;

  if (a->out && !(r.jf = vs_sweep_file_open (a->out, VS_SWEEP_JSONL, grid, writable, &error)))
    {
      rc = fail (error);
      goto out;
    }
  if (a->csv && !(r.cf = vs_sweep_file_open (a->csv, VS_SWEEP_CSV, grid, writable, &error)))
    {
      rc = fail (error);
      goto out;
    }
  report_torn (r.jf, writable);
  report_torn (r.cf, writable);
  guint in = 0, done = 0;
  for (guint i = 0; i < grid->points; i++)
    {
      if (!in_shard (a, i))
        continue;
      in++;
      VsSweepFile *primary = r.jf ? r.jf : r.cf;
      if (primary && vs_sweep_file_has (primary, i))
        done++;
      else
        g_array_append_val (todo, i);
    }
  if (a->list)
    {
      print_list (a, grid, r.jf, r.cf);
      goto out;
    }
  if (a->dry_run)
    {
      printf ("sweep %s: %u points", grid->id, grid->points);
      if (a->shard_n > 1)
        printf ("; shard %u/%u: %u points", a->shard_i, a->shard_n, in);
      printf ("; %u already done; would run %u:\n", done, todo->len);
    }
  if (todo->len > 0 && (rc = load_models (&r, todo)) != VITX_EXIT_OK)
    goto out;
  if (a->dry_run)
    {
      for (guint t = 0; t < todo->len; t++)
        {
          VsSweepPoint p;
          vs_sweep_grid_point (grid, g_array_index (todo, guint, t), &p);
          g_autofree char *key = vs_sweep_point_key (grid, &p);
          printf ("%u\t%s\n", p.index, key);
        }
      goto out;
    }
  if (!copy_missing_rows (&r, &error))
    {
      rc = fail (error);
      goto out;
    }
  if (!a->quiet)
    {
      g_autofree char *shard = a->shard_n > 1 ? g_strdup_printf ("; shard %u/%u: %u points", a->shard_i,
                                                                 a->shard_n, in) : NULL;
      fprintf (stderr, "vitx sweep: sweep %s, %u points%s; %u already done, %u to run\n", grid->id,
               grid->points, shard ? shard : "", done, todo->len);
    }
  guint ran = 0;
  for (guint t = 0; t < todo->len; t++)
    {
      if (a->stop_after > 0 && ran >= (guint) a->stop_after)
        {
          fprintf (stderr, "vitx sweep: stopped after %u points (--stop-after); %u remain, run "
                   "the same command again to continue\n", ran, todo->len - t);
          break;
        }
      if ((rc = run_point (&r, g_array_index (todo, guint, t), t, todo->len)) != VITX_EXIT_OK)
        goto out;
      ran++;
    }
  if (!a->quiet)
    fprintf (stderr, "vitx sweep: %u points run in %.1f s%s%s%s%s\n", ran,
             (g_get_monotonic_time () - r.t0) / 1e6, a->out || a->csv ? "; results in " : "",
             a->out ? a->out : "", a->out && a->csv ? " and " : "", a->csv ? a->csv : "");
out:
  run_clear (&r);
  return rc;
}

/* ---- vitx sweep merge ------------------------------------------------------------------------- */

/* "3, 5-7, 12" for the first few missing indexes */
static char *
missing_ranges (const VsSweepMerge *m, guint *count)
{
  g_autoptr (GString) s = g_string_new (NULL);
  guint shown = 0;
  *count = 0;
  for (guint i = 0; i < m->points; i++)
    {
      if (g_ptr_array_index (m->lines, i))
        continue;
      guint j = i;
      while (j + 1 < m->points && !g_ptr_array_index (m->lines, j + 1))
        j++;
      *count += j - i + 1;
      if (shown++ < 20)
        {
          if (j > i)
            g_string_append_printf (s, "%s%u-%u", s->len ? ", " : "", i, j);
          else
            g_string_append_printf (s, "%s%u", s->len ? ", " : "", i);
        }
      else if (shown == 21)
        g_string_append (s, ", ...");
      i = j;
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
write_merged (const VsSweepMerge *m, const char *out, const char *csv, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) rows = g_string_new (vs_sweep_csv_header ());
  for (guint i = 0; i < m->points; i++)
    {
      const char *line = g_ptr_array_index (m->lines, i);
      if (!line)
        continue;
      g_string_append (text, line);
      if (!csv)
        continue;
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, line, -1, error))
        return FALSE;
      g_autofree char *row = vs_sweep_record_to_csv (json_node_get_object (json_parser_get_root (parser)));
      g_string_append (rows, row);
    }
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (out, text->str, (gssize) text->len, &local)
      || (csv && !g_file_set_contents (csv, rows->str, (gssize) rows->len, &local)))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

static int
sweep_merge (int argc, char **argv)
{
  g_autofree char *csv = NULL;
  gboolean partial = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Also write the merged results as CSV", "FILE" },
    { "partial", 0, 0, G_OPTION_ARG_NONE, &partial, "Exit 0 even when points are missing", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No summary on stderr", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("OUT IN... - combine the shard files of one sweep");
  g_option_context_set_description (ctx,
    "Reads the JSONL files of `vitx sweep --shard i/n` runs and writes OUT with every\n"
    "record once, in grid order (atomically; OUT may be one of the inputs). An\n"
    "incomplete last line of an input (an interrupted run) is ignored. Records of\n"
    "different sweeps, or two different results for one point, are refused.\n"
    "Missing points are listed by index (`vitx sweep --list` with the sweep's\n"
    "options names them); they make the exit status 1 unless --partial.\n"
    "Exit status: 0 success, 1 unreadable, conflicting or incomplete input, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "sweep merge", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc < 3)
    {
      vitx_error ("sweep merge", "expected OUT and at least one input file (see 'vitx sweep merge --help')");
      return VITX_EXIT_USAGE;
    }
  VsSweepMerge m;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inputs = g_ptr_array_new ();
  for (int i = 2; i < argc; i++)
    g_ptr_array_add (inputs, argv[i]);
  g_ptr_array_add (inputs, NULL);
  if (!vs_sweep_merge_read (&m, (const char *const *) inputs->pdata, &error)
      || !write_merged (&m, argv[1], csv, &error))
    {
      vitx_error ("sweep merge", "%s", error->message);
      vs_sweep_merge_clear (&m);
      return VITX_EXIT_FAILURE;
    }
  guint missing;
  g_autofree char *ranges = missing_ranges (&m, &missing);
  if (!quiet)
    {
      fprintf (stderr, "vitx sweep merge: %u of %u points of sweep %s from %d files into %s",
               m.points - missing, m.points, m.sweep, argc - 2, argv[1]);
      if (m.duplicates)
        fprintf (stderr, " (%u identical duplicates dropped)", m.duplicates);
      fputc ('\n', stderr);
      if (m.torn)
        fprintf (stderr, "vitx sweep merge: ignored the incomplete last line of %u input file%s\n",
                 m.torn, m.torn == 1 ? "" : "s");
    }
  if (missing)
    vitx_error ("sweep merge", "%u of %u points missing: index %s", missing, m.points, ranges);
  vs_sweep_merge_clear (&m);
  return missing && !partial ? VITX_EXIT_FAILURE : VITX_EXIT_OK;
}

/* ---- vitx sweep ----------------------------------------------------------------------------------- */

static const char sweep_description[] =
  "Evaluates every point of a grid on simulated crossbars, one seed per point, and\n"
  "appends one record per point as it finishes (JSONL with --out, CSV with --csv,\n"
  "else JSONL on stdout). Lists are comma-separated: --gamma 3,4,5 --onoff 25,50,100.\n"
  "--clip takes none, ALPHA:BETA or ALPHA:BETA:renormalised; --alpha and --beta add\n"
  "every (alpha, beta) pair of their product to the ClipFormer axis.\n"
  "The crossbar options (--help-crossbar) set everything else for every point; the\n"
  "list options above replace the crossbar options of the same name (which GLib\n"
  "then shows as --crossbar-NAME). --seed S --repeats R means --seeds S,...,S+R-1.\n"
  "\n"
  "--prune-keep takes token pruning keep ratios in (0, 1] (1 = no pruning, see\n"
  "docs/PRUNING.md); without it every model runs its own (vitx.prune_keep, else none).\n"
  "\n"
  "Points are numbered in this order, the last axis fastest: model, pruning keep\n"
  "ratio (only with --prune-keep), outlier scale, K/V scale, ClipFormer, ON/OFF,\n"
  "gamma, seed. --shard I/N runs the points whose index % N == I. A rerun with the\n"
  "same options skips the points already in the output files (an incomplete last\n"
  "line left by a kill is dropped), so a killed sweep resumes; a file written by a\n"
  "different sweep is refused.\n"
  "\n"
  "  vitx sweep merge OUT IN...   combine shard files (see 'vitx sweep merge --help')\n"
  "  --emit slurm | parallel      print a script running N shards as a Slurm job array\n"
  "                               or through GNU parallel, and the merge\n"
  "\n"
  "Record fields: format, sweep, index, points, key, model, prune_keep, outlier_scale,\n"
  "outlier_channels, kv_scale, clip, clipformer, alpha, beta, decode, onoff, gamma,\n"
  "seed, data, limit, batch, n_images, top1, top1_correct, top1_ci, snr_mode,\n"
  "snr_mean_db, snr_db, config, and the timing fields seconds, finished, host.\n"
  "Exit status: 0 success, 1 a file could not be read or written or does not fit,\n"
  "2 bad command line or grid.";

static int
sweep_parse (SweepArgs *a, int *argc, char ***argv)
{
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME_ARRAY, &a->models,
      "Model (repeat for a model axis; default: the shipped model)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &a->data, "Dataset (default: the Fashion-MNIST test set)", "PATH" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &a->limit, "Evaluate the first N images per point (default: all)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &a->batch, "Images per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &a->threads, "Threads (default: all cores)", "T" },
    { "gamma", 0, 0, G_OPTION_ARG_STRING, &a->gamma, "Write-noise factors", "LIST" },
    { "onoff", 0, 0, G_OPTION_ARG_STRING, &a->onoff, "ON/OFF ratios", "LIST" },
    { "clip", 0, 0, G_OPTION_ARG_STRING, &a->clip, "ClipFormer settings: none, A:B, A:B:renormalised", "LIST" },
    { "alpha", 0, 0, G_OPTION_ARG_STRING, &a->alpha, "ClipFormer alphas (times --beta)", "LIST" },
    { "beta", 0, 0, G_OPTION_ARG_STRING, &a->beta, "ClipFormer betas (times --alpha)", "LIST" },
    { "kv-scale", 0, 0, G_OPTION_ARG_STRING, &a->kv_scale, "K/V w_max policies", "LIST" },
    { "outlier-scale", 0, 0, G_OPTION_ARG_STRING, &a->outlier_scale,
      "Outlier what-if scales s (1 = the model as it is)", "LIST" },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &a->seeds, "Noise seeds", "LIST" },
    { "prune-keep", 0, 0, G_OPTION_ARG_STRING, &a->prune_keep,
      "Token pruning keep ratios (0..1], 1 = off (default: each model's own)", "LIST" },
    { "snr", 0, 0, G_OPTION_ARG_STRING, &a->snr, "Also measure SNR: end-to-end or local (default none)", "MODE" },
    { "snr-limit", 0, 0, G_OPTION_ARG_INT, &a->snr_limit, "Images for SNR (default 256; 0 = all)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out, "Append records to this JSONL file", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &a->csv, "Append records to this CSV file", "FILE" },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &a->shard, "Run only the points with index % N == I", "I/N" },
    { "list", 0, 0, G_OPTION_ARG_NONE, &a->list, "Print the grid's points (and their status) and exit", NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &a->dry_run,
      "Check everything, print the points that would run, and exit", NULL },
    { "stop-after", 0, 0, G_OPTION_ARG_INT, &a->stop_after, "Stop after running N points", "N" },
    { "emit", 0, 0, G_OPTION_ARG_STRING, &a->emit, "Print a job script: slurm or parallel", "KIND" },
    { "shards", 0, 0, G_OPTION_ARG_INT, &a->shards, "--emit: shards (default: one per point, at most 1000)", "N" },
    { "sbatch", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->sbatch,
      "--emit slurm: an extra #SBATCH line (repeatable), e.g. --sbatch=--time=02:00:00", "OPTION" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "No progress on stderr", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- a grid of crossbar evaluations, resumable and sharded");
  g_option_context_set_description (ctx, sweep_description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  a->xo = vitx_xbar_options_new ();
  g_option_context_add_group (ctx, vitx_xbar_options_group (a->xo));
  if (!vitx_parse (ctx, "sweep", argc, argv))
    return VITX_EXIT_USAGE;
  if (*argc > 1)
    {
      vitx_error ("sweep", "unexpected argument '%s'", (*argv)[1]);
      return VITX_EXIT_USAGE;
    }
  if (a->limit < 0 || a->batch <= 0 || a->batch > 4096 || a->threads < 0 || a->threads > 1024
      || a->snr_limit < 0 || a->stop_after < 0 || a->shards < 0 || a->shards > SHARDS_MAX)
    {
      vitx_error ("sweep", "--limit must be >= 0, --batch 1..4096, --threads 0..1024, --snr-limit >= 0, "
                  "--stop-after >= 0, --shards 0..%d", SHARDS_MAX);
      return VITX_EXIT_USAGE;
    }
  if (a->list + a->dry_run + (a->emit != NULL) > 1)
    {
      vitx_error ("sweep", "give at most one of --list, --dry-run and --emit");
      return VITX_EXIT_USAGE;
    }
  if (a->out && a->csv && g_str_equal (a->out, a->csv))
    {
      vitx_error ("sweep", "--out and --csv name the same file %s", a->out);
      return VITX_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  if (!parse_shard (a, &error))
    return fail (error);
  return VITX_EXIT_OK;
}

int
vitx_cmd_sweep (int argc, char **argv)
{
  if (argc > 1 && g_str_equal (argv[1], "merge"))
    return sweep_merge (argc - 1, argv + 1);

  g_auto (GStrv) orig = g_strdupv (argv);
  SweepArgs a = { .batch = 64, .snr_limit = 256 };
  int rc = sweep_parse (&a, &argc, &argv);
  if (rc != VITX_EXIT_OK)
    {
      sweep_args_clear (&a);
      return rc;
    }
  g_autoptr (GError) error = NULL;
  VxXbarConfig base;
  VxSnrMode snr = VX_SNR_NONE;
  if (a.snr && (!vx_snr_mode_from_string (a.snr, &snr)))
    {
      vitx_error ("sweep", "--snr %s: expected end-to-end, local or none", a.snr);
      sweep_args_clear (&a);
      return VITX_EXIT_USAGE;
    }
  if (!vitx_xbar_options_config (a.xo, &base, &error))
    {
      rc = fail (error);
      sweep_args_clear (&a);
      return rc;
    }
  VxOutlierOpts outlier;
  vx_outlier_opts_init (&outlier);
  VxOutlierOpts given;
  g_autofree char *given_scale = NULL;
  if (vitx_xbar_options_outlier (a.xo, &given))
    {
      outlier.channels = given.channels;
      /* the single-valued --crossbar-outlier-scale, when the list is not given */
      if (!a.outlier_scale && given.scale > 1)
        given_scale = vs_sweep_format_double (given.scale);
    }
  /* the single-valued --crossbar-prune-keep, when the list is not given */
  double given_keep;
  if (!vitx_xbar_options_prune_keep (a.xo, &given_keep, &error))
    {
      rc = fail (error);
      sweep_args_clear (&a);
      return rc;
    }
  g_autofree char *given_keep_text = !a.prune_keep && !isnan (given_keep)
                                       ? vs_sweep_format_double (given_keep) : NULL;
  VsSweepSpec spec = {
    .prune_keep = a.prune_keep ? a.prune_keep : given_keep_text,
    .models = a.models, .gamma = a.gamma, .onoff = a.onoff, .alpha = a.alpha, .beta = a.beta,
    .clip = a.clip, .kv_scale = a.kv_scale,
    .outlier_scale = a.outlier_scale ? a.outlier_scale : given_scale, .seeds = a.seeds,
    .repeats = vitx_xbar_options_repeats (a.xo), .base = &base, .outlier_channels = outlier.channels,
    .data = a.data, .limit = a.limit, .batch = a.batch, .snr = snr, .snr_limit = a.snr_limit,
  };
  VsSweepGrid *grid = vs_sweep_grid_new (&spec, &error);
  if (!grid)
    rc = fail (error);
  else if (a.emit)
    {
      rc = emit_script (&a, grid, orig);
      vs_sweep_grid_free (grid);
    }
  else
    {
      vx_set_num_threads (a.threads);
      rc = run_sweep (&a, grid);   /* takes the grid */
    }
  sweep_args_clear (&a);
  return rc;
}
