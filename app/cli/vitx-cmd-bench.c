/* vitx-cmd-bench.c: `vitx bench`: forward throughput against the sgemm peak */
#define G_LOG_DOMAIN "vitx-bench"
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "vitx-commands.h"
#include "vitx-xbar-options.h"
#include "vx-rng.h"
#include "vx-xbar.h"

/* Best-of-`reps` GFLOP/s of one square sgemm of side n */
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
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a, n, b, n, 0.f, c, n);
  for (int i = 0; i < reps; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a, n, b, n, 0.f, c, n);
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

int
vitx_cmd_bench (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "train") == 0)
    return vitx_bench_train (argc - 1, argv + 1);

  g_autofree char *model_path = NULL;
  int batch = 128, threads = 0, reps = 10, gemm_n = 1536;
  gboolean json = FALSE, noisy = FALSE;
  GOptionEntry entries[] = {
    { "noisy", 0, 0, G_OPTION_ARG_NONE, &noisy,
      "Also time the forward pass on simulated crossbars (functional mode unless --mode) "
      "and print the ratio noisy/ideal (the two kinds of pass alternate)", NULL },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model (default: the shipped model)", "FILE" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Images per forward pass (default 128)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default: all cores)", "T" },
    { "reps", 'r', 0, G_OPTION_ARG_INT, &reps, "Timed repetitions, best is kept (default 10)", "R" },
    { "gemm-size", 0, 0, G_OPTION_ARG_INT, &gemm_n, "Side of the square sgemm measuring the peak (default 1536)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[train] - throughput benchmarks");
  g_option_context_set_description (ctx,
    "Measures this machine's cblas_sgemm peak (a large square product) and the\n"
    "forward throughput of the model, and prints their ratio (utilisation).\n"
    "'vitx bench train' measures training instead (see 'vitx bench train --help').\n"
    "With token pruning (--prune-keep, listed with the crossbar options, or the model's\n"
    "vitx.prune_keep) it times and counts the FLOPs of the pruned forward pass.\n"    "With --json: prune_keep, forward_flops_per_image, forward_gflops, sgemm_peak_gflops,\n"
    "utilization, images_per_s, batch, threads;\n"
    "with --noisy also noisy_images_per_s and noisy_over_ideal (time ratio).\n"
    "Exit status: 0 success, 1 the model could not be read, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (VitxXbarOptions) xo = vitx_xbar_options_new ();
  g_option_context_add_group (ctx, vitx_xbar_options_group (xo));
  if (!vitx_parse (ctx, "bench", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("bench", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (batch <= 0 || batch > 4096 || threads < 0 || threads > 1024 || reps <= 0 || reps > 10000
      || gemm_n < 64 || gemm_n > 8192)
    {
      vitx_error ("bench", "--batch 1..4096, --threads 0..1024, --reps 1..10000, --gemm-size 64..8192");
      return VITX_EXIT_USAGE;
    }
  VxXbarConfig cfg;
  g_autoptr (GError) error = NULL;
  if (noisy && !vitx_xbar_options_config (xo, &cfg, &error))
    {
      vitx_error ("bench", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  double keep_arg;
  if (!vitx_xbar_options_prune_keep (xo, &keep_arg, &error))
    {
      vitx_error ("bench", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (threads);
  g_autoptr (VxModel) m = vitx_load_model ("bench", model_path);
  if (!m)
    return VITX_EXIT_FAILURE;
  vitx_xbar_options_apply_prune (xo, m, NULL);   /* checked above */
  g_autoptr (VxXbarSim) sim = NULL;
  if (noisy && !(sim = vx_xbar_sim_new (m, &cfg, &error)))
    {
      vitx_error ("bench", "%s", error->message);
      return VITX_EXIT_FAILURE;
    }

  double peak = sgemm_peak (gemm_n, 5);
  double s, s_noisy;
  forward_seconds (m, batch, reps, sim, &s, &s_noisy);
  /* the pruned network's FLOPs when it prunes (--prune-keep or its vitx.prune_keep) */
  double keep = vx_model_prune_keep (m);
  double flops_image = vx_prune_flops_per_image (&m->arch, keep);
  double flops = flops_image * batch;
  double gflops = flops / s / 1e9;
  double ips = batch / s;

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, m->path);
      json_builder_set_member_name (b, "prune_keep");
      json_builder_add_double_value (b, keep);
      json_builder_set_member_name (b, "forward_flops_per_image");
      json_builder_add_double_value (b, flops_image);
      json_builder_set_member_name (b, "forward_gflops");
      json_builder_add_double_value (b, gflops);
      json_builder_set_member_name (b, "sgemm_peak_gflops");
      json_builder_add_double_value (b, peak);
      json_builder_set_member_name (b, "utilization");
      json_builder_add_double_value (b, gflops / peak);
      json_builder_set_member_name (b, "images_per_s");
      json_builder_add_double_value (b, ips);
      json_builder_set_member_name (b, "batch");
      json_builder_add_int_value (b, batch);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, vx_get_num_threads ());
      if (sim)
        {
          json_builder_set_member_name (b, "noisy_images_per_s");
          json_builder_add_double_value (b, batch / s_noisy);
          json_builder_set_member_name (b, "noisy_over_ideal");
          json_builder_add_double_value (b, s_noisy / s);
          json_builder_set_member_name (b, "config");
          json_builder_add_value (b, vx_xbar_config_to_json (&cfg));
        }
      json_builder_end_object (b);
      vitx_print_json (b);
    }
  else
    {
      printf ("model            %s\n", m->path);
      g_autofree char *pruning = vitx_prune_describe (m);
      if (pruning)
        printf ("pruning          %s\n", pruning);
      printf ("forward FLOPs    %.2f MFLOP per image\n", flops_image / 1e6);
      printf ("sgemm peak       %.1f GFLOP/s (%dx%d, %d threads)\n", peak, gemm_n, gemm_n, vx_get_num_threads ());
      printf ("forward          %.1f GFLOP/s, %.0f images/s (batch %d, best of %d)\n", gflops, ips, batch, reps);
      printf ("utilisation      %.1f%% of the sgemm peak\n", 100 * gflops / peak);
      if (sim)
        {
          g_autofree char *summary = vx_xbar_config_to_string (&cfg);
          printf ("noisy forward    %.0f images/s, %.2fx the ideal time (%s)\n",
                  batch / s_noisy, s_noisy / s, summary);
        }
    }
  return VITX_EXIT_OK;
}
