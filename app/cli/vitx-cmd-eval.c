/* vitx-cmd-eval.c: `vitx eval` */
#define G_LOG_DOMAIN "vitx-eval"
#include "config.h"

#include <stdio.h>

#include "vitx-commands.h"
#include "vitx-xbar-options.h"
#include "vx-eval.h"
#include "vx-xbar.h"

typedef struct {
  gint64 t0;
  gboolean quiet;
} Progress;

static void
on_progress (void *user, int done, int total)
{
  Progress *p = user;
  if (!p->quiet)
    vitx_progress ("eval", done, total, (g_get_monotonic_time () - p->t0) / 1e6);
}

static void
print_confusion (const VxEvalResult *r, char **names)
{
  int K = r->num_classes;
  printf ("confusion matrix (rows: true class, columns: predicted)\n");
  printf ("%14s", "");
  for (int j = 0; j < K; j++)
    printf (" %5d", j);
  printf ("\n");
  for (int i = 0; i < K; i++)
    {
      int row = 0;
      for (int j = 0; j < K; j++)
        row += r->confusion[i * K + j];
      if (row == 0)
        continue;
      printf ("%2d %-11.11s", i, names[i] ? names[i] : "");
      for (int j = 0; j < K; j++)
        printf (" %5d", r->confusion[i * K + j]);
      printf ("\n");
    }
}

static int
eval_crossbar (const VitxXbarOptions *xo, VxModel *m, const VxDataset *ds, int limit, int batch,
               int threads, int snr_limit, gboolean json, gboolean quiet)
{
  VxXbarConfig cfg;
  g_autoptr (GError) error = NULL;
  if (!vitx_xbar_options_config (xo, &cfg, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  Progress prog = { g_get_monotonic_time (), quiet };
  VxXbarEvalOpts opts = {
    .repeats = vitx_xbar_options_repeats (xo), .batch = batch, .limit = limit, .threads = threads,
    .snr = vitx_xbar_options_snr (xo), .snr_limit = snr_limit, .observe = TRUE,
    .progress = on_progress, .user = &prog,
  };
  VxXbarEvalResult r;
  if (!vx_xbar_eval_run (m, ds, &cfg, &opts, &r, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  if (json)
    {
      g_autoptr (JsonNode) node = vx_xbar_eval_result_to_json (&r);
      JsonObject *o = json_node_get_object (node);
      json_object_set_string_member (o, "model", m->path ? m->path : "");
      json_object_set_string_member (o, "dataset", ds->source);
      json_object_set_double_member (o, "top1", r.top1_mean);
      json_object_set_double_member (o, "images_per_s", r.seconds > 0 ? r.n * r.repeats / r.seconds : 0);
      const char *outlier = vx_model_get_meta (m, "vitx.outlier");
      if (outlier)
        json_object_set_string_member (o, "outlier", outlier);
      json_object_set_double_member (o, "prune_keep", vx_model_prune_keep (m));
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, node);
      json_generator_set_pretty (gen, TRUE);
      g_autofree char *text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  else
    {
      g_autofree char *summary = vx_xbar_config_to_string (&cfg);
      printf ("model    %s%s%s\n", m->path ? m->path : "", vx_model_get_meta (m, "vitx.outlier") ? ", outlier what-if " : "",
              vx_model_get_meta (m, "vitx.outlier") ? vx_model_get_meta (m, "vitx.outlier") : "");
      printf ("data     %s (%d images, %d repeat%s)\n", ds->source, r.n, r.repeats, r.repeats == 1 ? "" : "s");
      printf ("crossbar %s\n", summary);
      g_autofree char *pruning = vitx_prune_describe (m);
      if (pruning)
        printf ("pruning  %s\n", pruning);
      printf ("top-1    %.2f%% mean", 100 * r.top1_mean);
      if (r.repeats > 1)
        printf (", std %.2f", 100 * r.top1_std);
      printf ("  (95%% interval %.2f-%.2f%%; runs:", 100 * r.top1_lo, 100 * r.top1_hi);
      for (int i = 0; i < r.repeats; i++)
        printf (" %.2f", 100 * r.top1[i]);
      printf (")\n");
      if (r.snr_db)
        {
          printf ("SNR      <SNR> %.2f dB (%s, %d images); per block:", r.snr_mean_db,
                  vx_snr_mode_to_string (r.snr_mode), r.snr_images);
          for (int l = 0; l < r.depth; l++)
            printf (" %.1f%s", r.snr_db[l], r.snr_capped[l] ? "(cap)" : "");
          printf ("\n");
        }
      printf ("time     %.2f s\n", r.seconds);
    }
  vx_xbar_eval_result_clear (&r);
  return VITX_EXIT_OK;
}

typedef struct {
  char *model_path, *data_path;
  int limit, batch, threads, snr_limit;
  gboolean json, quiet;
} EvalArgs;

static void
eval_args_clear (EvalArgs *a)
{
  g_free (a->model_path);
  g_free (a->data_path);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EvalArgs, eval_args_clear)

/* GLib copies the entries, so they may live on this function's stack */
static void
add_eval_options (GOptionContext *ctx, EvalArgs *a)
{
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &a->model_path, "Model (safetensors; default: the shipped model)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &a->data_path,
      "Dataset: a directory of IDX files, an IDX images file, or an image folder "
      "(default: Debian's Fashion-MNIST test set, else the bundled subset)", "PATH" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &a->limit, "Evaluate only the first N images", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &a->batch, "Images per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &a->threads, "Threads (default: all cores)", "T" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a->json, "One JSON object on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "No progress on stderr", NULL },
    { "snr-limit", 0, 0, G_OPTION_ARG_INT, &a->snr_limit,
      "Crossbar: images for SNR, histograms and K/V statistics (default 256; 0 = all)", "N" },
    { NULL }
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

/* the command line into a and xo, checked before anything is loaded */
static int
eval_parse (int argc, char **argv, EvalArgs *a, VitxXbarOptions *xo)
{
  *a = (EvalArgs) { .batch = 64, .snr_limit = 256 };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- accuracy of a model on a dataset");
  g_option_context_set_description (ctx,
    "Without crossbar options: the ideal (float) network. Prints top-1 and top-5\n"
    "accuracy (with a 95% Wilson interval), the confusion matrix and the throughput.\n"
    "With --json: one object with model, dataset, n_images, top1, top5 (fractions),\n"
    "top1_ci, images_per_s, confusion.\n"
    "With any crossbar option (see --help-crossbar): the network on simulated\n"
    "crossbars; prints accuracy over --repeats seeds, per-block SNR and <SNR>; the\n"
    "JSON adds config, top1_runs, top1_mean, top1_std, snr_db, snr_mean_db, kv_stats.\n"
    "Token pruning (--prune-keep, listed with the crossbar options) works in both;\n"
    "a model fine-tuned with pruning uses its vitx.prune_keep unless overridden.\n"
    "Exit status: 0 success, 1 a file could not be read or does not fit, 2 bad command line.");
  add_eval_options (ctx, a);
  g_option_context_add_group (ctx, vitx_xbar_options_group (xo));
  if (!vitx_parse (ctx, "eval", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("eval", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (a->limit < 0 || a->batch <= 0 || a->batch > 4096 || a->threads < 0 || a->threads > 1024
      || a->snr_limit < 0)
    {
      vitx_error ("eval", "--limit must be >= 0, --batch 1..4096, --threads 0..1024, --snr-limit >= 0");
      return VITX_EXIT_USAGE;
    }
  double keep;
  g_autoptr (GError) error = NULL;
  if (!vitx_xbar_options_prune_keep (xo, &keep, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  VxXbarConfig cfg;
  if (vitx_xbar_options_any (xo) && !vitx_xbar_options_config (xo, &cfg, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  return VITX_EXIT_OK;
}

static void
print_ideal_json (const VxModel *m, const VxDataset *ds, const VxEvalResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, m->path);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, ds->source);
  json_builder_set_member_name (b, "n_images");
  json_builder_add_int_value (b, r->n);
  json_builder_set_member_name (b, "top1");
  json_builder_add_double_value (b, r->top1);
  json_builder_set_member_name (b, "top5");
  json_builder_add_double_value (b, r->top5);
  json_builder_set_member_name (b, "top1_ci");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, r->top1_lo);
  json_builder_add_double_value (b, r->top1_hi);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "images_per_s");
  json_builder_add_double_value (b, r->images_per_s);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, r->seconds);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, vx_get_num_threads ());
  json_builder_set_member_name (b, "prune_keep");
  json_builder_add_double_value (b, vx_model_prune_keep (m));
  json_builder_set_member_name (b, "confusion");
  json_builder_begin_array (b);
  for (int i = 0; i < r->num_classes; i++)
    {
      json_builder_begin_array (b);
      for (int j = 0; j < r->num_classes; j++)
        json_builder_add_int_value (b, r->confusion[i * r->num_classes + j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  vitx_print_json (b);
}

static void
print_ideal_text (const VxModel *m, const VxDataset *ds, const VxEvalResult *r, int batch)
{
  printf ("model    %s\n", m->path);
  printf ("data     %s (%d images evaluated)\n", ds->source, r->n);
  g_autofree char *pruning = vitx_prune_describe (m);
  if (pruning)
    printf ("pruning  %s\n", pruning);
  printf ("top-1    %.2f%%  (95%% interval %.2f-%.2f%%, %d/%d)\n",
          100 * r->top1, 100 * r->top1_lo, 100 * r->top1_hi, r->top1_correct, r->n);
  printf ("top-5    %.2f%%\n", 100 * r->top5);
  printf ("speed    %.1f images/s (%d threads, batch %d, %.2f s)\n",
          r->images_per_s, vx_get_num_threads (), batch, r->seconds);
  if (r->num_classes <= 20)
    print_confusion (r, ds->class_names && g_strv_length (ds->class_names) >= (guint) r->num_classes
                          ? ds->class_names : m->class_names);
}

/* the ideal (float) network */
static int
eval_ideal (const EvalArgs *a, VxModel *m, const VxDataset *ds)
{
  Progress prog = { g_get_monotonic_time (), a->quiet };
  VxEvalOpts opts = { .batch = a->batch, .limit = a->limit, .threads = a->threads,
                      .progress = on_progress, .user = &prog };
  VxEvalResult r;
  g_autoptr (GError) error = NULL;
  if (!vx_eval_run (m, ds, &opts, &r, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  if (a->json)
    print_ideal_json (m, ds, &r);
  else
    print_ideal_text (m, ds, &r, a->batch);
  vx_eval_result_clear (&r);
  return VITX_EXIT_OK;
}

int
vitx_cmd_eval (int argc, char **argv)
{
  g_auto (EvalArgs) a = { NULL };
  g_autoptr (VitxXbarOptions) xo = vitx_xbar_options_new ();
  int rc = eval_parse (argc, argv, &a, xo);
  if (rc != VITX_EXIT_OK)
    return rc;
  vx_set_num_threads (a.threads);

  g_autoptr (VxModel) m = vitx_load_model ("eval", a.model_path);
  if (!m)
    return VITX_EXIT_FAILURE;
  g_autoptr (VxDataset) ds = vitx_load_data ("eval", a.data_path, m);
  if (!ds)
    return VITX_EXIT_FAILURE;
  vitx_xbar_options_apply_prune (xo, m, NULL);   /* checked in eval_parse */
  if (!vitx_xbar_options_any (xo))
    return eval_ideal (&a, m, ds);
  m = vitx_xbar_prepare_model ("eval", xo, g_steal_pointer (&m));
  if (!m)
    return VITX_EXIT_FAILURE;
  return eval_crossbar (xo, m, ds, a.limit, a.batch, a.threads, a.snr_limit, a.json, a.quiet);
}
