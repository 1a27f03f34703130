/* vitx-cmd-bench.c: `vitx bench`: forward throughput against the sgemm peak */
#define G_LOG_DOMAIN "vitx-bench"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vitx-commands.h"
#include "vitx-xbar-options.h"
#include "vx-eval.h"
#include "vx-gemm.h"
#include "vx-rng.h"
#include "vx-xbar.h"

/* Best-of-`reps` GFLOP/s of one square sgemm of side n on the threads the
 * forward pass uses, cut the way libvitx cuts its products (vx_gemm_rows:
 * OpenBLAS on one thread per block), so utilisation compares like with like */
static double
sgemm_peak (int n, int reps)
{
  size_t nn = (size_t) n * n;
  float *a = g_new (float, nn), *b = g_new (float, nn), *c = g_new0 (float, nn);
  VxRng r;
  vx_rng_init (&r, 1);
  for (size_t i = 0; i < nn; i++)
    {
      a[i] = vx_rng_uniform (&r) - 0.5f;
      b[i] = vx_rng_uniform (&r) - 0.5f;
    }
  double best = 0;
  vx_gemm_rows (FALSE, n, n, n, a, n, b, n, 0.f, c, n, 0);
  for (int i = 0; i < reps; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      vx_gemm_rows (FALSE, n, n, n, a, n, b, n, 0.f, c, n, 0);
      double s = (g_get_monotonic_time () - t0) / 1e6;
      best = MAX (best, 2.0 * n * (double) n * n / s / 1e9);
    }
  g_free (a);
  g_free (b);
  g_free (c);
  return best;
}

/* Best-of-`reps` seconds of one forward pass of B random images, ideal
 * (*s_ideal) and, with a simulator, on crossbars (*s_noisy). The two kinds of
 * pass alternate (ideal, noisy, ideal, ...), so on a machine shared with other
 * work both see the same load and their ratio stays meaningful. Each noisy
 * pass is a new batch (fresh static read noise, decoded once per batch as in
 * an evaluation). */
static void
forward_seconds (const VxModel *m, int B, int reps, VxXbarSim *sim,
                 double *s_ideal, double *s_noisy)
{
  const VxArch *a = &m->arch;
  size_t img = (size_t) a->in_chans * a->img_size * a->img_size;
  float *x = g_new (float, img * B);
  float *logits = g_new (float, (size_t) B * a->num_classes);
  VxRng r;
  vx_rng_init (&r, 2);
  vx_rng_normal_fill (&r, x, img * B);
  VxActs *acts = vx_acts_new (a, B, FALSE);
  VxForwardOpts fo = { NULL, 0, 0, 0 };
  VxForwardOpts fn = { sim ? vx_xbar_sim_get_hooks (sim) : NULL, 0, 0, 0 };
  /* warm-up passes (first-touch of buffers, thread start) */
  vx_model_forward (m, acts, x, B, logits, &fo);
  if (sim)
    {
      vx_xbar_sim_batch_begin (sim, 0, 0, B);
      vx_model_forward (m, acts, x, B, logits, &fn);
    }
  double best = G_MAXDOUBLE, best_noisy = G_MAXDOUBLE;
  for (int i = 0; i < reps; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      vx_model_forward (m, acts, x, B, logits, &fo);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
      if (!sim)
        continue;
      t0 = g_get_monotonic_time ();
      fn.batch_index = i + 1;
      fn.first_image = (int64_t) (i + 1) * B;
      vx_xbar_sim_batch_begin (sim, fn.batch_index, fn.first_image, B);
      vx_model_forward (m, acts, x, B, logits, &fn);
      best_noisy = MIN (best_noisy, (g_get_monotonic_time () - t0) / 1e6);
    }
  vx_acts_free (acts);
  g_free (x);
  g_free (logits);
  *s_ideal = best;
  *s_noisy = sim ? best_noisy : 0;
}

/* Random-weight shapes for timing networks no file ships (docs/MODEL.md
 * section 7's presets); vx_model_init_random's weights, ImageNet-sized inputs */
typedef struct {
  const char *name;
  VxArch arch;
} BenchShape;

static const BenchShape bench_shapes[] = {
  { "deit-t", { 224, 16, 3, 1000, 192, 12, 3, 768, 0, 1e-6f } },
  { "deit-s", { 224, 16, 3, 1000, 384, 12, 6, 1536, 0, 1e-6f } },
  { "deit-b", { 224, 16, 3, 1000, 768, 12, 12, 3072, 0, 1e-6f } },
};

typedef struct {
  char *model_path;
  char *shape;
  char *data_path;
  int batch, threads, reps, gemm_n, predict;
  gboolean json, noisy;
} BenchOpts;

static void
bench_opts_clear (BenchOpts *o)
{
  g_clear_pointer (&o->model_path, g_free);
  g_clear_pointer (&o->shape, g_free);
  g_clear_pointer (&o->data_path, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchOpts, bench_opts_clear)

/* the model to time: a file, or random weights of a named shape */
static VxModel *
bench_model_new (const BenchOpts *o)
{
  if (!o->shape)
    return vitx_load_model ("bench", o->model_path);
  for (size_t i = 0; i < G_N_ELEMENTS (bench_shapes); i++)
    if (strcmp (o->shape, bench_shapes[i].name) == 0)
      {
        g_autoptr (GError) error = NULL;
        VxModel *m = vx_model_new (&bench_shapes[i].arch, &error);
        if (!m)
          {
            vitx_error ("bench", "--shape %s: %s", o->shape, error->message);
            return NULL;
          }
        vx_model_init_random (m, 1);
        return m;
      }
  g_assert_not_reached ();   /* names checked with the other options */
}

static gboolean
bench_shape_known (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (bench_shapes); i++)
    if (strcmp (name, bench_shapes[i].name) == 0)
      return TRUE;
  return FALSE;
}

/* Top-1 of the network (ideal, or on the crossbars of sim) on the first n
 * images of the data set, one JSON object: what bench/compare checks a peer
 * implementation against before it times anything (the same network must give
 * the same answers). */
static int
bench_predict (const VxModel *m, const BenchOpts *o, VxXbarSim *sim)
{
  g_autoptr (VxDataset) ds = vitx_load_data ("bench", o->data_path, m);
  if (!ds)
    return VITX_EXIT_FAILURE;
  int n = MIN (o->predict, ds->n), B = MIN (o->batch, n), K = m->arch.num_classes;
  size_t img = (size_t) m->arch.in_chans * m->arch.img_size * m->arch.img_size;
  g_autofree float *x = g_new (float, img * B);
  g_autofree float *logits = g_new (float, (size_t) B * K);
  g_autofree int *pred = g_new (int, n);
  VxActs *acts = vx_acts_new (&m->arch, B, FALSE);
  int correct = 0;
  for (int start = 0; start < n; start += B)
    {
      int count = MIN (B, n - start);
      VxForwardOpts fo = { .hooks = sim ? vx_xbar_sim_get_hooks (sim) : NULL,
                           .first_image = start, .batch_index = start / B };
      vx_dataset_fill_batch (ds, m, start, count, x);
      if (sim)
        vx_xbar_sim_batch_begin (sim, fo.batch_index, start, count);
      vx_model_forward (m, acts, x, count, logits, &fo);
      for (int i = 0; i < count; i++)
        {
          pred[start + i] = vx_argmax (logits + (size_t) i * K, K);
          correct += pred[start + i] == ds->labels[start + i];
        }
    }
  vx_acts_free (acts);

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, m->path ? m->path : o->shape);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, ds->source ? ds->source : "");
  json_builder_set_member_name (b, "n_images");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "top1");
  json_builder_add_double_value (b, n > 0 ? (double) correct / n : 0.0);
  json_builder_set_member_name (b, "predictions");
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, pred[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  vitx_print_json (b);
  return VITX_EXIT_OK;
}

typedef struct {
  double peak, s_ideal, s_noisy, keep, flops_image;
} BenchTimes;

static void
bench_print_json (const VxModel *m, const BenchOpts *o, const BenchTimes *t,
                  const VxXbarConfig *cfg)
{
  double gflops = t->flops_image * o->batch / t->s_ideal / 1e9;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, m->path ? m->path : o->shape);
  if (o->shape)
    {
      json_builder_set_member_name (b, "shape");
      json_builder_add_string_value (b, o->shape);
    }
  json_builder_set_member_name (b, "prune_keep");
  json_builder_add_double_value (b, t->keep);
  json_builder_set_member_name (b, "forward_flops_per_image");
  json_builder_add_double_value (b, t->flops_image);
  json_builder_set_member_name (b, "forward_gflops");
  json_builder_add_double_value (b, gflops);
  if (t->peak > 0)
    {
      json_builder_set_member_name (b, "sgemm_peak_gflops");
      json_builder_add_double_value (b, t->peak);
      json_builder_set_member_name (b, "utilization");
      json_builder_add_double_value (b, gflops / t->peak);
    }
  json_builder_set_member_name (b, "images_per_s");
  json_builder_add_double_value (b, o->batch / t->s_ideal);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, o->batch);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, vx_get_num_threads ());
  if (cfg)
    {
      json_builder_set_member_name (b, "noisy_images_per_s");
      json_builder_add_double_value (b, o->batch / t->s_noisy);
      json_builder_set_member_name (b, "noisy_over_ideal");
      json_builder_add_double_value (b, t->s_noisy / t->s_ideal);
      json_builder_set_member_name (b, "config");
      json_builder_add_value (b, vx_xbar_config_to_json (cfg));
    }
  json_builder_end_object (b);
  vitx_print_json (b);
}

static void
bench_print_text (const VxModel *m, const BenchOpts *o, const BenchTimes *t,
                  const VxXbarConfig *cfg)
{
  double gflops = t->flops_image * o->batch / t->s_ideal / 1e9;
  if (m->path)
    printf ("model            %s\n", m->path);
  else
    printf ("model            random weights, shape %s\n", o->shape);
  g_autofree char *pruning = vitx_prune_describe (m);
  if (pruning)
    printf ("pruning          %s\n", pruning);
  printf ("forward FLOPs    %.2f MFLOP per image\n", t->flops_image / 1e6);
  if (t->peak > 0)
    printf ("sgemm peak       %.1f GFLOP/s (%dx%d, %d threads)\n", t->peak, o->gemm_n, o->gemm_n,
            vx_get_num_threads ());
  printf ("forward          %.1f GFLOP/s, %.4g images/s (batch %d, best of %d)\n", gflops,
          o->batch / t->s_ideal, o->batch, o->reps);
  if (t->peak > 0)
    printf ("utilisation      %.1f%% of the sgemm peak\n", 100 * gflops / t->peak);
  if (cfg)
    {
      g_autofree char *summary = vx_xbar_config_to_string (cfg);
      printf ("noisy forward    %.4g images/s, %.2fx the ideal time (%s)\n",
              o->batch / t->s_noisy, t->s_noisy / t->s_ideal, summary);
    }
}

static gboolean
bench_opts_check (const BenchOpts *o)
{
  if (o->batch <= 0 || o->batch > 4096 || o->threads < 0 || o->threads > 1024 || o->reps <= 0
      || o->reps > 10000 || (o->gemm_n != 0 && (o->gemm_n < 64 || o->gemm_n > 8192))
      || o->predict < 0 || o->predict > 10000000)
    {
      vitx_error ("bench", "--batch 1..4096, --threads 0..1024, --reps 1..10000, "
                  "--gemm-size 0 or 64..8192, --predict 0..10000000");
      return FALSE;
    }
  if (o->shape && !bench_shape_known (o->shape))
    {
      vitx_error ("bench", "--shape '%s': expected deit-t, deit-s or deit-b", o->shape);
      return FALSE;
    }
  if (o->shape && o->model_path)
    {
      vitx_error ("bench", "--shape and --model exclude each other (random weights or a file)");
      return FALSE;
    }
  if (o->predict > 0 && o->shape)
    {
      vitx_error ("bench", "--predict runs a model file: not with --shape");
      return FALSE;
    }
  return TRUE;
}

/* Parses the command line into o, the crossbar options into xo; FALSE after
 * printing the problem. */
static gboolean
bench_parse (BenchOpts *o, VitxXbarOptions *xo, int *argc, char ***argv)
{
  GOptionEntry entries[] = {
    { "noisy", 0, 0, G_OPTION_ARG_NONE, &o->noisy,
      "Also time the forward pass on simulated crossbars (functional mode unless --mode) "
      "and print the ratio noisy/ideal (the two kinds of pass alternate)", NULL },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o->model_path, "Model (default: the shipped model)", "FILE" },
    { "shape", 0, 0, G_OPTION_ARG_STRING, &o->shape,
      "Random weights of a DeiT shape instead of a model: deit-t, deit-s or deit-b", "NAME" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &o->batch, "Images per forward pass (default 128)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o->threads, "Threads (default: all cores)", "T" },
    { "reps", 'r', 0, G_OPTION_ARG_INT, &o->reps, "Timed repetitions, best is kept (default 10)", "R" },
    { "gemm-size", 0, 0, G_OPTION_ARG_INT, &o->gemm_n,
      "Side of the square sgemm measuring the peak (default 1536; 0 skips the peak)", "N" },
    { "predict", 0, 0, G_OPTION_ARG_INT, &o->predict,
      "Time nothing: print the top-1 class of the first N images of --data as JSON "
      "(ideal, or on crossbars with --noisy)", "N" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &o->data_path,
      "Dataset for --predict (default: the Fashion-MNIST test set)", "PATH" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "One JSON object on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[train] - throughput benchmarks");
  g_option_context_set_description (ctx,
    "Measures this machine's sgemm peak on the same threads (a large square product,\n"
    "cut as the forward pass cuts its products) and the forward throughput of the\n"
    "model, and prints their ratio (utilisation).\n"
    "'vitx bench train' measures training instead (see 'vitx bench train --help').\n"
    "With token pruning (--prune-keep, listed with the crossbar options, or the model's\n"
    "vitx.prune_keep) it times and counts the FLOPs of the pruned forward pass.\n"
    "With --json: prune_keep, forward_flops_per_image, forward_gflops, sgemm_peak_gflops,\n"
    "utilization (these two not with --gemm-size 0), images_per_s, batch, threads;\n"
    "with --noisy also noisy_images_per_s and noisy_over_ideal (time ratio).\n"
    "With --predict N: model, dataset, n_images, top1 and predictions (one class per image).\n"
    "Exit status: 0 success, 1 the model or data could not be read, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, vitx_xbar_options_group (xo));
  if (!vitx_parse (ctx, "bench", argc, argv))
    return FALSE;
  if (*argc > 1)
    {
      vitx_error ("bench", "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  return bench_opts_check (o);
}

int
vitx_cmd_bench (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "train") == 0)
    return vitx_bench_train (argc - 1, argv + 1);

  g_auto (BenchOpts) o = { .batch = 128, .reps = 10, .gemm_n = 1536 };
  g_autoptr (VitxXbarOptions) xo = vitx_xbar_options_new ();
  if (!bench_parse (&o, xo, &argc, &argv))
    return VITX_EXIT_USAGE;
  VxXbarConfig cfg;
  g_autoptr (GError) error = NULL;
  double keep_arg;
  if ((o.noisy && !vitx_xbar_options_config (xo, &cfg, &error))
      || !vitx_xbar_options_prune_keep (xo, &keep_arg, &error))
    {
      vitx_error ("bench", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (o.threads);
  g_autoptr (VxModel) m = bench_model_new (&o);
  if (!m)
    return VITX_EXIT_FAILURE;
  vitx_xbar_options_apply_prune (xo, m, NULL);   /* checked above */
  g_autoptr (VxXbarSim) sim = NULL;
  if (o.noisy && !(sim = vx_xbar_sim_new (m, &cfg, &error)))
    {
      vitx_error ("bench", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  if (o.predict > 0)
    return bench_predict (m, &o, sim);

  BenchTimes t = { 0 };
  if (o.gemm_n > 0)
    t.peak = sgemm_peak (o.gemm_n, 5);
  forward_seconds (m, o.batch, o.reps, sim, &t.s_ideal, &t.s_noisy);
  /* the pruned network's FLOPs when it prunes (--prune-keep or its vitx.prune_keep) */
  t.keep = vx_model_prune_keep (m);
  t.flops_image = vx_prune_flops_per_image (&m->arch, t.keep);
  if (o.json)
    bench_print_json (m, &o, &t, sim ? &cfg : NULL);
  else
    bench_print_text (m, &o, &t, sim ? &cfg : NULL);
  return VITX_EXIT_OK;
}
