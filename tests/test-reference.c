/* test-reference.c: the forward pass against PyTorch float64 references (tests/data) */
#define G_LOG_DOMAIN "vx-test-reference"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-model-io.h"
#include "vx-model-private.h"
#include "vx-model.h"
#include "vx-safetensors.h"

/* max |engine - PyTorch float64| allowed on logits, attention outputs and
 * block outputs (float32 PyTorch itself lands within ~1e-5) */
#define TOLERANCE 1e-4

/* ---- capture of intermediate values through the hooks -------------------------- */

typedef struct {
  int L;
  size_t bnd;          /* B * N * D */
  float **attn_out;    /* L buffers (B, N, D) */
  float **block_in;    /* L buffers (B, N, D) */
  int n_attn, n_block_in;
} Capture;

static void
capture_init (Capture *c, int L, size_t bnd)
{
  c->L = L;
  c->bnd = bnd;
  c->attn_out = g_new0 (float *, L);
  c->block_in = g_new0 (float *, L);
  for (int l = 0; l < L; l++)
    {
      c->attn_out[l] = g_new0 (float, bnd);
      c->block_in[l] = g_new0 (float, bnd);
    }
  c->n_attn = c->n_block_in = 0;
}

static void
capture_clear (Capture *c)
{
  for (int l = 0; l < c->L; l++)
    {
      g_free (c->attn_out[l]);
      g_free (c->block_in[l]);
    }
  g_free (c->attn_out);
  g_free (c->block_in);
}

static void
on_attn_out (void *user, int block, int64_t first_image, const float *x, int B, int N, int D)
{
  Capture *c = user;
  g_assert_cmpint (block, >=, 0);
  g_assert_cmpint (block, <, c->L);
  g_assert_cmpuint ((size_t) B * N * D, ==, c->bnd);
  memcpy (c->attn_out[block], x, sizeof (float) * c->bnd);
  c->n_attn++;
}

static void
on_block_in (void *user, int block, int64_t first_image, float *x, int B, int N, int D)
{
  Capture *c = user;
  g_assert_cmpint (block, >=, 0);
  g_assert_cmpint (block, <, c->L);
  g_assert_cmpuint ((size_t) B * N * D, ==, c->bnd);
  memcpy (c->block_in[block], x, sizeof (float) * c->bnd);
  c->n_block_in++;
}

/* ---- reference tensors ------------------------------------------------------------ */

static VxSafetensors *
load_io (const char *case_name)
{
  g_autofree char *file = g_strdup_printf ("ref-%s-io.safetensors", case_name);
  const char *path = g_test_get_filename (G_TEST_DIST, "data", file, NULL);
  g_autoptr (GError) error = NULL;
  VxSafetensors *st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (st);
  return st;
}

static const VxTensor *
want_tensor (const VxSafetensors *st, const char *name, int64_t numel)
{
  const VxTensor *t = vx_safetensors_get (st, name);
  if (!t)
    g_error ("%s: no tensor %s", st->path, name);
  g_assert_cmpint (t->numel, ==, numel);
  return t;
}

/* max |got - want| over the B images, the listed tokens (all N when tokens is
 * NULL) and D features; got is (B, N, D), want is (B, n_tok, D) */
static double
max_diff_tokens (const float *got, const float *want, int B, int N, int D,
                 const int *tokens, int n_tok)
{
  double worst = 0;
  for (int b = 0; b < B; b++)
    for (int j = 0; j < n_tok; j++)
      {
        int t = tokens ? tokens[j] : j;
        const float *g = got + ((size_t) b * N + t) * D;
        const float *w = want + ((size_t) b * n_tok + j) * D;
        for (int d = 0; d < D; d++)
          {
            double e = fabs ((double) g[d] - (double) w[d]);
            if (!(e <= worst))     /* catches NaN */
              worst = isnan (e) ? INFINITY : e;
          }
      }
  return worst;
}

static double
max_diff (const float *got, const float *want, size_t n)
{
  return max_diff_tokens (got, want, 1, 1, (int) n, NULL, 1);
}

/* Runs the model on the reference input and checks logits, every block's
 * attention output and every block's output. tokens/n_tok select the rows the
 * reference stores for the intermediates (NULL: all N). */
static void
check_against_reference (const char *case_name, const VxModel *m, const VxSafetensors *io,
                         const int *tokens, int n_tok)
{
  const VxArch *a = &m->arch;
  int N = vx_arch_num_tokens (a), D = a->embed_dim, L = a->depth, K = a->num_classes;
  int C = a->in_chans, S = a->img_size;
  const VxTensor *input = vx_safetensors_get (io, "input");
  g_assert_nonnull (input);
  g_assert_cmpint (input->ndim, ==, 4);
  int B = (int) input->shape[0];
  g_assert_cmpint (input->numel, ==, (int64_t) B * C * S * S);
  const VxTensor *want_logits = want_tensor (io, "logits", (int64_t) B * K);
  if (!tokens)
    n_tok = N;
  size_t bnd = (size_t) B * N * D;

  Capture cap;
  capture_init (&cap, L, bnd);
  VxMatmulHooks hooks = { 0 };
  hooks.attn_out = on_attn_out;
  hooks.block_in = on_block_in;
  hooks.user = &cap;
  VxForwardOpts opts = { 0 };
  opts.hooks = &hooks;

  /* inference buffers (shared between blocks), as vitx eval uses them */
  VxActs *acts = vx_acts_new (a, B, FALSE);
  g_autofree float *logits = g_new0 (float, (size_t) B * K);
  vx_model_forward (m, acts, input->data, B, logits, &opts);
  g_assert_cmpint (cap.n_attn, ==, L);
  g_assert_cmpint (cap.n_block_in, ==, L);

  /* every difference is printed before any is asserted, so a failure shows
   * the first block where the engine departs from the reference */
  double d_logits = max_diff (logits, want_logits->data, (size_t) B * K);
  double worst_attn = 0, worst_block = 0;
  for (int l = 0; l < L; l++)
    {
      g_autofree char *an = g_strdup_printf ("attn_out.%d", l);
      g_autofree char *bn = g_strdup_printf ("block_out.%d", l);
      const VxTensor *wa = want_tensor (io, an, (int64_t) B * n_tok * D);
      const VxTensor *wb = want_tensor (io, bn, (int64_t) B * n_tok * D);
      double da = max_diff_tokens (cap.attn_out[l], wa->data, B, N, D, tokens, n_tok);
      /* block l's output is block l+1's input; the last block's output is
       * read from the engine's activation buffers (vx-model-private.h) */
      const float *out = l + 1 < L ? cap.block_in[l + 1] : vx_acts_block (acts, l)->res2;
      double db = max_diff_tokens (out, wb->data, B, N, D, tokens, n_tok);
      g_test_message ("%s: block %d: attn_out max |diff| %.3g, block_out max |diff| %.3g",
                      case_name, l, da, db);
      worst_attn = MAX (worst_attn, da);
      worst_block = MAX (worst_block, db);
    }
  g_test_message ("%s: largest differences: logits %.3g, attn_out %.3g, block_out %.3g (tolerance %g)",
                  case_name, d_logits, worst_attn, worst_block, TOLERANCE);
  g_assert_cmpfloat (worst_attn, <=, TOLERANCE);
  g_assert_cmpfloat (worst_block, <=, TOLERANCE);
  g_assert_cmpfloat (d_logits, <=, TOLERANCE);

  vx_acts_free (acts);
  capture_clear (&cap);
}

/* The training buffers (every block kept) must give the same numbers. */
static void
check_keep_all (const char *case_name, const VxModel *m, const VxSafetensors *io)
{
  const VxArch *a = &m->arch;
  int N = vx_arch_num_tokens (a), D = a->embed_dim, K = a->num_classes;
  const VxTensor *input = vx_safetensors_get (io, "input");
  int B = (int) input->shape[0];
  VxActs *acts = vx_acts_new (a, B, TRUE);
  g_autofree float *logits = g_new0 (float, (size_t) B * K);
  vx_model_forward (m, acts, input->data, B, logits, NULL);

  double worst = max_diff (logits, vx_safetensors_get (io, "logits")->data, (size_t) B * K);
  for (int l = 0; l < a->depth; l++)
    {
      g_autofree char *an = g_strdup_printf ("attn_out.%d", l);
      g_autofree char *bn = g_strdup_printf ("block_out.%d", l);
      VxBlockActs *ba = vx_acts_block (acts, l);
      worst = MAX (worst, max_diff (ba->att, vx_safetensors_get (io, an)->data, (size_t) B * N * D));
      worst = MAX (worst, max_diff (ba->res2, vx_safetensors_get (io, bn)->data, (size_t) B * N * D));
    }
  g_test_message ("%s: training buffers: largest difference %.3g", case_name, worst);
  g_assert_cmpfloat (worst, <=, TOLERANCE);
  vx_acts_free (acts);
}

static VxModel *
load_model (const char *case_name)
{
  g_autofree char *file = g_strdup_printf ("ref-%s.safetensors", case_name);
  const char *path = g_test_get_filename (G_TEST_DIST, "data", file, NULL);
  g_autoptr (GError) error = NULL;
  VxModel *m = vx_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static void
assert_arch (const VxArch *a, int S, int P, int C, int K, int D, int L, int H, int F, int distilled)
{
  g_assert_cmpint (a->img_size, ==, S);
  g_assert_cmpint (a->patch_size, ==, P);
  g_assert_cmpint (a->in_chans, ==, C);
  g_assert_cmpint (a->num_classes, ==, K);
  g_assert_cmpint (a->embed_dim, ==, D);
  g_assert_cmpint (a->depth, ==, L);
  g_assert_cmpint (a->num_heads, ==, H);
  g_assert_cmpint (a->mlp_hidden, ==, F);
  g_assert_cmpint (a->distilled, ==, distilled);
  g_assert_cmpfloat (a->ln_eps, ==, 1e-6f);
}

static void
test_tiny (void)
{
  g_autoptr (VxModel) m = load_model ("tiny");
  assert_arch (&m->arch, 28, 4, 1, 10, 32, 3, 4, 64, 0);
  g_assert_cmpfloat_with_epsilon (m->mean[0], 0.2860, 1e-6);
  g_assert_cmpfloat_with_epsilon (m->std[0], 0.3530, 1e-6);
  g_assert_cmpstr (m->class_names[9], ==, "Ankle boot");
  g_autoptr (VxSafetensors) io = load_io ("tiny");
  check_against_reference ("tiny", m, io, NULL, 0);
  check_keep_all ("tiny", m, io);
}

static void
test_dist (void)
{
  g_autoptr (VxModel) m = load_model ("dist");
  assert_arch (&m->arch, 32, 8, 3, 10, 32, 3, 2, 64, 1);
  g_assert_nonnull (m->params.dist_token);
  g_assert_nonnull (m->params.head_dist_w);
  g_autoptr (VxSafetensors) io = load_io ("dist");
  check_against_reference ("dist", m, io, NULL, 0);
  check_keep_all ("dist", m, io);
}

/* ---- DeiT-S shape, weights by formula (tests/data/README.md) ------------------------ */

static uint64_t
fnv1a64 (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    {
      h ^= (unsigned char) *s;
      h *= 0x100000001b3ULL;
    }
  return h;
}

static void
formula_scale (const char *name, float *centre, float *half_width)
{
  static const struct { const char *suffix; float a; } matrices[] = {
    { "patch_embed.proj.weight", 0.0625f },
    { "attn.qkv.weight", 0.125f },
    { "attn.proj.weight", 0.0625f },
    { "mlp.fc1.weight", 0.0875f },
    { "mlp.fc2.weight", 0.03125f },
    { "head.weight", 0.0875f },
    { "head_dist.weight", 0.0875f },
  };
  *centre = 0.f;
  if (strcmp (name, "cls_token") == 0 || strcmp (name, "dist_token") == 0
      || strcmp (name, "pos_embed") == 0)
    {
      *half_width = 0.5f;
      return;
    }
  if (g_str_has_suffix (name, "norm1.weight") || g_str_has_suffix (name, "norm2.weight")
      || strcmp (name, "norm.weight") == 0)
    {
      *centre = 1.f;
      *half_width = 0.25f;
      return;
    }
  if (g_str_has_suffix (name, ".bias"))
    {
      *half_width = 0.1f;
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (matrices); i++)
    if (g_str_has_suffix (name, matrices[i].suffix))
      {
        *half_width = matrices[i].a;
        return;
      }
  g_error ("no formula scale for tensor %s", name);
}

static void
formula_fill (float *out, const char *name, size_t n)
{
  float centre, a;
  formula_scale (name, &centre, &a);
  uint64_t key = fnv1a64 (name);
  for (size_t i = 0; i < n; i++)
    {
      uint64_t z = key + (uint64_t) (i + 1) * 0x9e3779b97f4a7c15ULL;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      float s = (float) ((int32_t) (z >> 40) - 8388608) * (1.0f / 8388608.0f);
      out[i] = centre + a * s;
    }
}

static void
test_formula_values (void)
{
  /* the check values printed in tests/data/README.md (from the Python script) */
  g_assert_cmphex (fnv1a64 ("cls_token"), ==, 0x4121142b781a9599ULL);
  float w[3];
  formula_fill (w, "blocks.3.attn.qkv.weight", 3);
  g_assert_cmpfloat_with_epsilon (w[0], 0.07344241, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[1], 0.01906493, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[2], -0.01882917, 1e-7);
  formula_fill (w, "norm.weight", 3);
  g_assert_cmpfloat_with_epsilon (w[0], 0.88147384, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[1], 0.7634574, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[2], 1.0352615, 1e-7);
}

static void
test_deits (void)
{
  VxArch arch = { .img_size = 224, .patch_size = 16, .in_chans = 3, .num_classes = 1000,
                  .embed_dim = 384, .depth = 12, .num_heads = 6, .mlp_hidden = 1536,
                  .distilled = 0, .ln_eps = 1e-6f };
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) m = vx_model_new (&arch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vx_arch_num_tokens (&arch), ==, 197);

  int n = 0;
  g_autofree VxParamInfo *table = vx_params_table (&arch, &n);
  size_t filled = 0;
  for (int i = 0; i < n; i++)
    {
      formula_fill (m->params.mem + table[i].offset, table[i].name, table[i].numel);
      filled += table[i].numel;
    }
  g_assert_cmpuint (filled, ==, m->params.n);

  g_autoptr (VxSafetensors) io = load_io ("deits");
  const VxTensor *tok = vx_safetensors_get (io, "tokens");
  g_assert_nonnull (tok);
  int n_tok = (int) tok->numel;
  g_autofree int *tokens = g_new (int, n_tok);
  for (int j = 0; j < n_tok; j++)
    {
      tokens[j] = (int) tok->data[j];
      g_assert_cmpint (tokens[j], >=, 0);
      g_assert_cmpint (tokens[j], <, 197);
    }
  check_against_reference ("deits", m, io, tokens, n_tok);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reference/tiny", test_tiny);
  g_test_add_func ("/reference/dist", test_dist);
  g_test_add_func ("/reference/formula-values", test_formula_values);
  g_test_add_func ("/reference/deits", test_deits);
  return g_test_run ();
}
