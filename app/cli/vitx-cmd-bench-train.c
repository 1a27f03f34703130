/* vitx-cmd-bench-train.c: `vitx bench train`, the throughput of training steps */
#define G_LOG_DOMAIN "vitx-bench-train"
#include "config.h"

#include <stdio.h>
#include <cblas.h>

#include "vitx-commands.h"
#include "vx-backward.h"
#include "vx-rng.h"
#include "vx-train.h"
#include "vx-vat.h"

typedef struct {
  int batch, steps, threads, depth, dim, heads, mlp, patch;
  gboolean json, vat;
} BenchArgs;

/* the defaults: the shipped models' architecture and batch */
static BenchArgs args = { .batch = 128, .steps = 10, .threads = 0, .depth = 6, .dim = 64,
                          .heads = 4, .mlp = 256, .patch = 4 };

static const GOptionEntry entries[] = {
  { "batch", 'b', 0, G_OPTION_ARG_INT, &args.batch, "Images per step (default 128)", "B" },
  { "vat", 0, 0, G_OPTION_ARG_NONE, &args.vat, "Also time variation-aware steps (crossbar noise, gamma 2), interleaved with standard ones", NULL },
  { "steps", 'n', 0, G_OPTION_ARG_INT, &args.steps, "Timed steps after one warm-up step (default 10)", "N" },
  { "threads", 't', 0, G_OPTION_ARG_INT, &args.threads, "Threads (default: all cores)", "T" },
  { "depth", 0, 0, G_OPTION_ARG_INT, &args.depth, "Blocks (default 6)", "L" },
  { "dim", 0, 0, G_OPTION_ARG_INT, &args.dim, "Embedding dimension (default 64)", "D" },
  { "heads", 0, 0, G_OPTION_ARG_INT, &args.heads, "Attention heads (default 4)", "H" },
  { "mlp", 0, 0, G_OPTION_ARG_INT, &args.mlp, "MLP hidden dimension (default 256)", "F" },
  { "patch", 0, 0, G_OPTION_ARG_INT, &args.patch, "Patch side (default 4)", "P" },
  { "json", 0, 0, G_OPTION_ARG_NONE, &args.json, "One JSON object on stdout", NULL },
  { NULL }
};

/* wall time of the forward's GEMMs: static products on the calling thread, attention
 * products as thread time (nanoseconds, summed over the OpenMP threads) */
typedef struct {
  int threads;
  double linear_s;
  gint64 attn_ns;
} GemmClock;

static void
timed_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *w, const float *b, int M, int K, int N)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  vx_linear_forward_blocked (out, in, w, b, M, K, N, c->threads);
  c->linear_s += (g_get_monotonic_time () - t0) / 1e6;
}

static void
timed_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
          int N, int Dh, int ld)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, k, ld, 0.0f, scores, N);
  __atomic_fetch_add (&c->attn_ns, (g_get_monotonic_time () - t0) * 1000, __ATOMIC_RELAXED);
}

static void
timed_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
          const float *v, int N, int Dh, int ld)
{
  GemmClock *c = user;
  gint64 t0 = g_get_monotonic_time ();
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, s, N, v, ld, 0.0f, out, ld_out);
  __atomic_fetch_add (&c->attn_ns, (g_get_monotonic_time () - t0) * 1000, __ATOMIC_RELAXED);
}

/* one step's random batch and the seconds its parts took, summed over the timed steps */
typedef struct {
  VxArch arch;
  VxModel *model;
  VxTrainer *trainer;
  float *images;           /* (batch, 1, 28, 28) */
  int32_t *labels;         /* (batch) */
  GemmClock clock;
  double total, fwd, bwd, bwd_gemm, bwd_attn, opt;
  double plain_s, vat_s;   /* --vat: interleaved standard and variation-aware steps */
} BenchRun;

static void
bench_run_clear (BenchRun *r)
{
  g_clear_pointer (&r->trainer, vx_trainer_free);
  g_clear_pointer (&r->model, vx_model_free);
  g_clear_pointer (&r->images, g_free);
  g_clear_pointer (&r->labels, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchRun, bench_run_clear)

static gboolean
bench_run_init (BenchRun *r, GError **error)
{
  r->arch = (VxArch) { .img_size = 28, .patch_size = args.patch, .in_chans = 1, .num_classes = 10,
                       .embed_dim = args.dim, .depth = args.depth, .num_heads = args.heads,
                       .mlp_hidden = args.mlp, .distilled = 0, .ln_eps = 1e-6f };
  r->model = vx_model_new (&r->arch, error);
  if (!r->model)
    return FALSE;
  vx_model_init_random (r->model, 1);
  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.batch = args.batch;
  r->trainer = vx_trainer_new (r->model, &cfg, error);
  g_assert_no_error (*error);

  size_t img = (size_t) 28 * 28;
  r->images = g_new (float, img * args.batch);
  r->labels = g_new (int32_t, args.batch);
  VxRng rng;
  vx_rng_init (&rng, vx_rng_key (1, vx_rng_tag ("bench-train"), -1, -1, -1));
  vx_rng_normal_fill (&rng, r->images, img * args.batch);
  for (int i = 0; i < args.batch; i++)
    r->labels[i] = (int32_t) vx_rng_below (&rng, 10);
  r->clock = (GemmClock) { vx_get_num_threads (), 0.0, 0 };
  return TRUE;
}

static void
bench_run_steps (BenchRun *r)
{
  VxMatmulHooks hooks = { 0 };
  hooks.linear = timed_linear;
  hooks.attn_qk = timed_qk;
  hooks.attn_sv = timed_sv;
  hooks.user = &r->clock;

  VxStepResult res;
  vx_trainer_step (r->trainer, r->images, r->labels, args.batch, 1e-4, &hooks, &res);   /* warm-up */
  r->clock.linear_s = 0.0;
  r->clock.attn_ns = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (int s = 0; s < args.steps; s++)
    {
      vx_trainer_step (r->trainer, r->images, r->labels, args.batch, 1e-4, &hooks, &res);
      r->fwd += res.forward_s;
      r->bwd += res.backward_s;
      r->bwd_gemm += res.backward_gemm_s;
      r->bwd_attn += res.backward_attention_s;
      r->opt += res.optimiser_s;
    }
  r->total = (g_get_monotonic_time () - t0) / 1e6;
}

/* standard and variation-aware steps taken in turn, so both see the same machine
 * load; the ratio is the paper's Fig. 7 comparison */
static void
bench_run_vat_steps (BenchRun *r)
{
  g_autoptr (GError) error = NULL;
  VxXbarConfig xc;
  vx_vat_config_init (&xc, VX_VAT_GAMMA_DEFAULT);
  g_autoptr (VxVat) v = vx_vat_new (&xc, 1, 0, &error);
  g_assert_no_error (error);
  VxStepResult res;
  vx_trainer_step (r->trainer, r->images, r->labels, args.batch, 1e-4, vx_vat_get_hooks (v), &res);   /* warm-up */
  for (int s = 0; s < args.steps; s++)
    {
      gint64 a0 = g_get_monotonic_time ();
      vx_trainer_step (r->trainer, r->images, r->labels, args.batch, 1e-4, NULL, &res);
      gint64 a1 = g_get_monotonic_time ();
      vx_trainer_step (r->trainer, r->images, r->labels, args.batch, 1e-4, vx_vat_get_hooks (v), &res);
      r->plain_s += (a1 - a0) / 1e6;
      r->vat_s += (g_get_monotonic_time () - a1) / 1e6;
    }
}

static void
json_member_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
json_member_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
print_json (const BenchRun *r)
{
  double attn_s = r->clock.attn_ns / 1e9 / r->clock.threads;
  double fwd_gemm = r->clock.linear_s + attn_s;
  double ips = (double) args.steps * args.batch / r->total;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_member_int (b, "params", (gint64) r->model->params.n);
  json_member_int (b, "batch", args.batch);
  json_member_int (b, "steps", args.steps);
  json_member_int (b, "threads", vx_get_num_threads ());
  json_member_double (b, "images_per_s", ips);
  json_member_double (b, "step_s", r->total / args.steps);
  json_member_double (b, "forward_share", r->fwd / r->total);
  json_member_double (b, "backward_share", r->bwd / r->total);
  json_member_double (b, "optimiser_share", r->opt / r->total);
  json_member_double (b, "gemm_share", (fwd_gemm + r->bwd_gemm) / r->total);
  json_member_double (b, "forward_gemm_share", fwd_gemm / r->total);
  json_member_double (b, "backward_gemm_share", r->bwd_gemm / r->total);
  json_member_double (b, "backward_attention_share", r->bwd_attn / r->total);
  json_member_double (b, "gflops", 3.0 * vx_arch_flops_per_image (&r->arch) * ips / 1e9);
  if (args.vat)
    {
      json_member_double (b, "interleaved_standard_step_s", r->plain_s / args.steps);
      json_member_double (b, "vat_step_s", r->vat_s / args.steps);
      json_member_double (b, "vat_time_ratio", r->vat_s / r->plain_s);
    }
  json_builder_end_object (b);
  vitx_print_json (b);
}

static void
print_text (const BenchRun *r)
{
  double total = r->total, steps = args.steps, batch = args.batch;
  double attn_s = r->clock.attn_ns / 1e9 / r->clock.threads;
  double fwd_gemm = r->clock.linear_s + attn_s;
  double ips = steps * batch / total;
  double gemm_share = (fwd_gemm + r->bwd_gemm) / total;
  printf ("training: ViT depth %d, dim %d, %d heads, MLP %d, patch %d; %zu parameters\n",
          args.depth, args.dim, args.heads, args.mlp, args.patch, r->model->params.n);
  printf ("batch %d, %d steps, %d threads: %.1f images/s (%.3f s per step, ~%.1f GFLOP/s "
          "counting backward as 2x forward)\n", args.batch, args.steps, vx_get_num_threads (), ips,
          total / steps, 3.0 * vx_arch_flops_per_image (&r->arch) * ips / 1e9);
  printf ("  forward    %5.1f%%  (GEMMs %.1f%%: linear layers %.1f%%, attention %.1f%%)\n",
          100 * r->fwd / total, 100 * fwd_gemm / total, 100 * r->clock.linear_s / total,
          100 * attn_s / total);
  printf ("  backward   %5.1f%%  (GEMMs of the linear layers %.1f%%; attention, its GEMMs and "
          "softmax, %.1f%%)\n", 100 * r->bwd / total, 100 * r->bwd_gemm / total,
          100 * r->bwd_attn / total);
  printf ("  optimiser  %5.1f%%  (gradient norm, clipping, AdamW)\n", 100 * r->opt / total);
  printf ("  GEMMs      %5.1f%% of the step (%.1f%% with the backward attention block)\n",
          100 * gemm_share, 100 * (gemm_share + r->bwd_attn / total));
  if (args.vat)
    printf ("variation-aware (gamma 2), %d steps interleaved with %d standard ones: %.3f s per "
            "step vs %.3f s standard (%.2fx); one epoch of 60,000 images: %.0f s vs %.0f s "
            "(training steps only)\n", args.steps, args.steps, r->vat_s / steps, r->plain_s / steps,
            r->vat_s / r->plain_s, r->vat_s / steps * 60000.0 / batch,
            r->plain_s / steps * 60000.0 / batch);
}

int
vitx_bench_train (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- training throughput");
  g_option_context_set_description (ctx,
    "Times training steps (forward, cross-entropy, backward, clipping, AdamW) of a randomly\n"
    "initialised ViT on random 28x28 grey images with 10 classes, and splits the step into\n"
    "forward, backward and optimiser, with the share spent in GEMMs. Forward attention\n"
    "products are timed per thread and divided by the thread count; the backward\n"
    "attention block (its GEMMs with the softmax backward) is timed as a whole.\n"
    "Exit status: 0 success, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "bench train", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("bench train", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (args.batch < 1 || args.steps < 1 || args.threads < 0)
    {
      vitx_error ("bench train", "--batch and --steps must be at least 1, --threads not negative");
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (args.threads);
  g_autoptr (GError) error = NULL;
  g_auto (BenchRun) run = { 0 };
  if (!bench_run_init (&run, &error))
    {
      vitx_error ("bench train", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  bench_run_steps (&run);
  if (args.vat)
    bench_run_vat_steps (&run);
  if (args.json)
    print_json (&run);
  else
    print_text (&run);
  return VITX_EXIT_OK;
}
