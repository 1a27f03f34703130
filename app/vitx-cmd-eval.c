/* vitx-cmd-eval.c: `vitx eval` */
#define G_LOG_DOMAIN "vitx-eval"
#include "config.h"

#include <stdio.h>

#include "vitx-commands.h"
#include "vx-eval.h"

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

int
vitx_cmd_eval (int argc, char **argv)
{
  char *model_path = NULL, *data_path = NULL;
  int limit = 0, batch = 64, threads = 0;
  gboolean json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model (safetensors; default: the shipped model)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_path,
      "Dataset: a directory of IDX files, an IDX images file, or an image folder "
      "(default: Debian's Fashion-MNIST test set, else the bundled subset)", "PATH" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "Evaluate only the first N images", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Images per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default: all cores)", "T" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on stderr", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- accuracy of a model on a dataset");
  g_option_context_set_description (ctx,
    "Prints top-1 and top-5 accuracy (with a 95% Wilson interval), the confusion\n"
    "matrix and the throughput. With --json: one object with model, dataset,\n"
    "n_images, top1, top5 (fractions), top1_ci, images_per_s, confusion.\n"
    "Exit status: 0 success, 1 a file could not be read or does not fit, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "eval", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("eval", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (limit < 0 || batch <= 0 || batch > 4096 || threads < 0 || threads > 1024)
    {
      vitx_error ("eval", "--limit must be >= 0, --batch 1..4096, --threads 0..1024");
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (threads);

  g_autoptr (VxModel) m = vitx_load_model ("eval", model_path);
  if (!m)
    return VITX_EXIT_FAILURE;
  g_autoptr (VxDataset) ds = vitx_load_data ("eval", data_path, m);
  if (!ds)
    return VITX_EXIT_FAILURE;

  Progress prog = { g_get_monotonic_time (), quiet };
  VxEvalOpts opts = { .batch = batch, .limit = limit, .threads = threads,
                      .progress = on_progress, .user = &prog };
  VxEvalResult r;
  g_autoptr (GError) error = NULL;
  if (!vx_eval_run (m, ds, &opts, &r, &error))
    {
      vitx_error ("eval", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, m->path);
      json_builder_set_member_name (b, "dataset");
      json_builder_add_string_value (b, ds->source);
      json_builder_set_member_name (b, "n_images");
      json_builder_add_int_value (b, r.n);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, r.top1);
      json_builder_set_member_name (b, "top5");
      json_builder_add_double_value (b, r.top5);
      json_builder_set_member_name (b, "top1_ci");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, r.top1_lo);
      json_builder_add_double_value (b, r.top1_hi);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "images_per_s");
      json_builder_add_double_value (b, r.images_per_s);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, r.seconds);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, vx_get_num_threads ());
      json_builder_set_member_name (b, "confusion");
      json_builder_begin_array (b);
      for (int i = 0; i < r.num_classes; i++)
        {
          json_builder_begin_array (b);
          for (int j = 0; j < r.num_classes; j++)
            json_builder_add_int_value (b, r.confusion[i * r.num_classes + j]);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      vitx_print_json (b);
    }
  else
    {
      printf ("model    %s\n", m->path);
      printf ("data     %s (%d images evaluated)\n", ds->source, r.n);
      printf ("top-1    %.2f%%  (95%% interval %.2f-%.2f%%, %d/%d)\n",
              100 * r.top1, 100 * r.top1_lo, 100 * r.top1_hi, r.top1_correct, r.n);
      printf ("top-5    %.2f%%\n", 100 * r.top5);
      printf ("speed    %.1f images/s (%d threads, batch %d, %.2f s)\n",
              r.images_per_s, vx_get_num_threads (), batch, r.seconds);
      if (r.num_classes <= 20)
        print_confusion (&r, ds->class_names && g_strv_length (ds->class_names) >= (guint) r.num_classes
                               ? ds->class_names : m->class_names);
    }
  vx_eval_result_clear (&r);
  g_free (model_path);
  g_free (data_path);
  return VITX_EXIT_OK;
}
