/* test-backward.c: finite-difference checks of every backward kernel and of the model's backward pass */
#define G_LOG_DOMAIN "test-backward"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-backward.h"
#include "vx-kernels.h"
#include "vx-model-private.h"
#include "vx-rng.h"
#include "vx-train.h"

/* A scalar function of the float buffer being checked: the test's loss. */
typedef double (*LossFn) (void *ctx);

static void
fill_normal (float *x, size_t n, uint64_t seed, float scale)
{
  VxRng r;
  vx_rng_init (&r, vx_rng_key (seed, vx_rng_tag ("test-backward"), -1, -1, -1));
  for (size_t i = 0; i < n; i++)
    x[i] = scale * vx_rng_normal (&r);
}

static double
dot (const float *a, const float *b, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

/* Compare the analytic gradient g (n) of loss with respect to x (n) with central
 * differences of step h, element by element: |a - num| must be within
 * rtol * max(|a|, |num|) + atol, where atol = atol_frac * max |g|.
 * At most `max_checks` elements, spread over the buffer. */
static void
check_gradient (const char *what, float *x, const float *g, size_t n, LossFn loss, void *ctx,
                float h, double rtol, double atol_frac, size_t max_checks)
{
  double gmax = 0.0;
  for (size_t i = 0; i < n; i++)
    gmax = MAX (gmax, fabs (g[i]));
  double atol = atol_frac * gmax + 1e-6;
  size_t stride = n > max_checks ? (n + max_checks - 1) / max_checks : 1;
  double worst = 0.0;
  size_t worst_i = 0, checked = 0;
  for (size_t i = 0; i < n; i += stride, checked++)
    {
      float x0 = x[i];
      x[i] = x0 + h;
      double lp = loss (ctx);
      x[i] = x0 - h;
      double lm = loss (ctx);
      x[i] = x0;
      /* the step actually taken, after float rounding */
      double hp = (double) (float) (x0 + h) - x0, hm = x0 - (double) (float) (x0 - h);
      double num = (lp - lm) / (hp + hm);
      double err = fabs (num - g[i]);
      double allowed = rtol * MAX (fabs (num), fabs (g[i])) + atol;
      if (err / allowed > worst)
        {
          worst = err / allowed;
          worst_i = i;
        }
      if (err > allowed)
        {
          g_printerr ("%s: element %zu: analytic %.7g, numeric %.7g (|diff| %.3g > %.3g)\n",
                      what, i, (double) g[i], num, err, allowed);
          g_assert_cmpfloat (err, <=, allowed);
        }
    }
  g_test_message ("%s: %zu elements, max |g| %.3g, worst error %.2f of the allowance (element %zu)",
                  what, checked, gmax, worst, worst_i);
}

/* ---- linear -------------------------------------------------------------------------- */

typedef struct {
  int M, K, N;
  float *inp, *w, *b, *out, *r;
} LinearCase;

static double
linear_loss (void *p)
{
  LinearCase *c = p;
  vx_linear_forward (c->out, c->inp, c->w, c->b, c->M, c->K, c->N, 1);
  return dot (c->out, c->r, (size_t) c->M * c->N);
}

static void
test_linear (void)
{
  LinearCase c = { 7, 5, 6 };
  c.inp = g_new (float, c.M * c.K);
  c.w = g_new (float, c.N * c.K);
  c.b = g_new (float, c.N);
  c.out = g_new (float, c.M * c.N);
  c.r = g_new (float, c.M * c.N);
  fill_normal (c.inp, c.M * c.K, 1, 1.f);
  fill_normal (c.w, c.N * c.K, 2, 0.5f);
  fill_normal (c.b, c.N, 3, 0.5f);
  fill_normal (c.r, c.M * c.N, 4, 1.f);

  /* gradients start at 0.25 so that accumulation (+=) is checked too */
  g_autofree float *dinp = g_new (float, c.M * c.K);
  g_autofree float *dw = g_new (float, c.N * c.K);
  g_autofree float *db = g_new (float, c.N);
  for (int i = 0; i < c.M * c.K; i++) dinp[i] = 0.25f;
  for (int i = 0; i < c.N * c.K; i++) dw[i] = 0.25f;
  for (int i = 0; i < c.N; i++) db[i] = 0.25f;
  vx_linear_backward (dinp, dw, db, c.r, c.inp, c.w, c.M, c.K, c.N, 0);
  for (int i = 0; i < c.M * c.K; i++) dinp[i] -= 0.25f;
  for (int i = 0; i < c.N * c.K; i++) dw[i] -= 0.25f;
  for (int i = 0; i < c.N; i++) db[i] -= 0.25f;

  check_gradient ("linear dinp", c.inp, dinp, c.M * c.K, linear_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  check_gradient ("linear dweight", c.w, dw, c.N * c.K, linear_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  check_gradient ("linear dbias", c.b, db, c.N, linear_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);

  /* the patch embedding's backward is the parameter half of it */
  g_autofree float *dw2 = g_new0 (float, c.N * c.K);
  g_autofree float *db2 = g_new0 (float, c.N);
  vx_patch_embed_backward (dw2, db2, c.r, c.inp, c.M, c.K, c.N, 0);
  check_gradient ("patch embed dweight", c.w, dw2, c.N * c.K, linear_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  check_gradient ("patch embed dbias", c.b, db2, c.N, linear_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);

  g_free (c.inp); g_free (c.w); g_free (c.b); g_free (c.out); g_free (c.r);
}

/* ---- the blocked GEMM against a naive one ---------------------------------------- */

static void
naive_gemm (gboolean ta, gboolean tb, int M, int N, int K, const float *A, int lda,
            const float *B, int ldb, float beta, double *C, int ldc)
{
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double s = 0.0;
        for (int k = 0; k < K; k++)
          s += (double) (ta ? A[(size_t) k * lda + i] : A[(size_t) i * lda + k])
               * (tb ? B[(size_t) j * ldb + k] : B[(size_t) k * ldb + j]);
        C[(size_t) i * ldc + j] = s + beta * C[(size_t) i * ldc + j];
      }
}

static void
test_gemm_blocked (void)
{
  /* shapes cutting into row blocks (M >= N, including M >= 2048 with 128-row
   * blocks and a ragged last block) and into column blocks (M < N) */
  const int shapes[][3] = { { 7, 5, 6 }, { 100, 9, 13 }, { 9, 70, 33 }, { 2100, 40, 17 }, { 40, 2100, 5 } };
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        {
          int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
          int lda = ta ? M : K, ldb = tb ? K : N;
          g_autofree float *A = g_new (float, (size_t) M * K);
          g_autofree float *B = g_new (float, (size_t) K * N);
          g_autofree float *C1 = g_new (float, (size_t) M * N);
          g_autofree float *C2 = g_new (float, (size_t) M * N);
          g_autofree double *want = g_new (double, (size_t) M * N);
          fill_normal (A, (size_t) M * K, 101 + s, 1.f);
          fill_normal (B, (size_t) K * N, 201 + s, 1.f);
          fill_normal (C1, (size_t) M * N, 301 + s, 1.f);
          memcpy (C2, C1, sizeof (float) * M * N);
          for (size_t i = 0; i < (size_t) M * N; i++)
            want[i] = C1[i];
          naive_gemm (ta, tb, M, N, K, A, lda, B, ldb, 0.5f, want, N);
          vx_gemm_blocked (ta, tb, M, N, K, A, lda, B, ldb, 0.5f, C1, N, 1);
          vx_gemm_blocked (ta, tb, M, N, K, A, lda, B, ldb, 0.5f, C2, N, 2);
          g_assert_cmpmem (C1, sizeof (float) * M * N, C2, sizeof (float) * M * N);
          for (size_t i = 0; i < (size_t) M * N; i++)
            g_assert_cmpfloat (fabs (C1[i] - want[i]), <=, 1e-5 * (sqrt ((double) K) + fabs (want[i])));
        }
}

/* ---- layernorm ------------------------------------------------------------------------- */

typedef struct {
  int M, C;
  float *inp, *w, *b, *out, *mean, *rstd, *r;
} LnCase;

static double
ln_loss (void *p)
{
  LnCase *c = p;
  vx_layernorm_forward (c->out, c->mean, c->rstd, c->inp, c->w, c->b, c->M, c->C, 1e-6f, 1);
  return dot (c->out, c->r, (size_t) c->M * c->C);
}

static void
test_layernorm (void)
{
  /* M > 32 rows so that the chunked parameter reduction has several chunks */
  LnCase c = { 70, 9 };
  size_t n = (size_t) c.M * c.C;
  c.inp = g_new (float, n);
  c.w = g_new (float, c.C);
  c.b = g_new (float, c.C);
  c.out = g_new (float, n);
  c.mean = g_new (float, c.M);
  c.rstd = g_new (float, c.M);
  c.r = g_new (float, n);
  fill_normal (c.inp, n, 11, 1.5f);
  for (size_t i = 0; i < n; i++)
    c.inp[i] += 0.7f;                 /* a non-zero mean */
  fill_normal (c.w, c.C, 12, 0.5f);
  for (int j = 0; j < c.C; j++)
    c.w[j] += 1.0f;
  fill_normal (c.b, c.C, 13, 0.5f);
  fill_normal (c.r, n, 14, 1.f);

  ln_loss (&c);   /* saved statistics */
  g_autofree float *dinp = g_new (float, n);
  g_autofree float *dw = g_new (float, c.C);
  g_autofree float *db = g_new (float, c.C);
  for (size_t i = 0; i < n; i++) dinp[i] = -0.5f;
  for (int j = 0; j < c.C; j++) dw[j] = db[j] = -0.5f;
  vx_layernorm_backward (dinp, dw, db, c.r, c.inp, c.w, c.mean, c.rstd, c.M, c.C, 0);
  for (size_t i = 0; i < n; i++) dinp[i] += 0.5f;
  for (int j = 0; j < c.C; j++) { dw[j] += 0.5f; db[j] += 0.5f; }

  check_gradient ("layernorm dinp", c.inp, dinp, n, ln_loss, &c, 1e-2f, 2e-3, 2e-3, 1000);
  check_gradient ("layernorm dweight", c.w, dw, c.C, ln_loss, &c, 1e-2f, 2e-3, 2e-3, 1000);
  check_gradient ("layernorm dbias", c.b, db, c.C, ln_loss, &c, 1e-2f, 2e-3, 2e-3, 1000);

  /* 1 and 2 threads give the same bits */
  g_autofree float *dw1 = g_new0 (float, c.C), *dw2 = g_new0 (float, c.C);
  g_autofree float *dx1 = g_new0 (float, n), *dx2 = g_new0 (float, n);
  vx_layernorm_backward (dx1, dw1, NULL, c.r, c.inp, c.w, c.mean, c.rstd, c.M, c.C, 1);
  vx_layernorm_backward (dx2, dw2, NULL, c.r, c.inp, c.w, c.mean, c.rstd, c.M, c.C, 2);
  g_assert_cmpmem (dw1, sizeof (float) * c.C, dw2, sizeof (float) * c.C);
  g_assert_cmpmem (dx1, sizeof (float) * n, dx2, sizeof (float) * n);

  g_free (c.inp); g_free (c.w); g_free (c.b); g_free (c.out);
  g_free (c.mean); g_free (c.rstd); g_free (c.r);
}

/* ---- GELU, residual, softmax ----------------------------------------------------------- */

typedef struct {
  size_t n;
  float *inp, *out, *r;
} ElemCase;

static double
gelu_loss (void *p)
{
  ElemCase *c = p;
  vx_gelu_forward (c->out, c->inp, c->n, 1);
  return dot (c->out, c->r, c->n);
}

static void
test_gelu (void)
{
  ElemCase c = { 301 };
  c.inp = g_new (float, c.n);
  c.out = g_new (float, c.n);
  c.r = g_new (float, c.n);
  fill_normal (c.inp, c.n, 21, 2.f);
  fill_normal (c.r, c.n, 22, 1.f);
  g_autofree float *d = g_new (float, c.n);
  for (size_t i = 0; i < c.n; i++) d[i] = 1.0f;
  vx_gelu_backward (d, c.inp, NULL, c.r, c.n, 0);
  for (size_t i = 0; i < c.n; i++) d[i] -= 1.0f;
  check_gradient ("gelu", c.inp, d, c.n, gelu_loss, &c, 1e-2f, 2e-3, 1e-3, 1000);

  /* with the forward's output (Phi = y / x) the same to float rounding */
  gelu_loss (&c);
  g_autofree float *d2 = g_new0 (float, c.n);
  g_autofree float *d3 = g_new0 (float, c.n);
  vx_gelu_backward (d2, c.inp, c.out, c.r, c.n, 0);
  vx_gelu_backward (d3, c.inp, NULL, c.r, c.n, 0);
  for (size_t i = 0; i < c.n; i++)
    g_assert_cmpfloat (fabsf (d2[i] - d3[i]), <=, 1e-6f * (1.0f + fabsf (d3[i])));

  /* known values: GELU'(0) = 1/2, GELU'(x) -> 1 for large x, -> 0 for very negative x */
  float x[3] = { 0.f, 8.f, -8.f }, ones[3] = { 1.f, 1.f, 1.f }, dx[3] = { 0 };
  vx_gelu_backward (dx, x, NULL, ones, 3, 1);
  g_assert_cmpfloat_with_epsilon (dx[0], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (dx[1], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (dx[2], 0.0, 1e-6);
  g_free (c.inp); g_free (c.out); g_free (c.r);
}

static void
test_residual (void)
{
  float dout[4] = { 1.f, -2.f, 3.5f, 0.25f };
  float da[4] = { 1.f, 1.f, 1.f, 1.f }, db[4] = { 0 };
  vx_residual_backward (da, db, dout, 4);
  vx_residual_backward (NULL, db, dout, 4);
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpfloat (da[i], ==, 1.f + dout[i]);
      g_assert_cmpfloat (db[i], ==, 2.f * dout[i]);
    }
}

typedef struct {
  int rows, cols;
  float scale;
  float *x, *y, *r;
} SoftmaxCase;

static double
softmax_loss (void *p)
{
  SoftmaxCase *c = p;
  size_t n = (size_t) c->rows * c->cols;
  memcpy (c->y, c->x, sizeof (float) * n);
  vx_softmax_forward (c->y, c->scale, c->rows, c->cols);
  return dot (c->y, c->r, n);
}

static void
test_softmax (void)
{
  SoftmaxCase c = { 5, 11, 0.7f };
  size_t n = (size_t) c.rows * c.cols;
  c.x = g_new (float, n);
  c.y = g_new (float, n);
  c.r = g_new (float, n);
  fill_normal (c.x, n, 31, 2.f);
  fill_normal (c.r, n, 32, 1.f);
  softmax_loss (&c);
  g_autofree float *d = g_new (float, n);
  for (size_t i = 0; i < n; i++) d[i] = 0.125f;
  vx_softmax_backward (d, c.r, c.y, c.scale, c.rows, c.cols);
  for (size_t i = 0; i < n; i++) d[i] -= 0.125f;
  check_gradient ("softmax", c.x, d, n, softmax_loss, &c, 1e-2f, 2e-3, 1e-3, 1000);
  g_free (c.x); g_free (c.y); g_free (c.r);
}

/* ---- attention --------------------------------------------------------------------------- */

typedef struct {
  int B, N, D, H;
  float *qkv, *probs, *att, *r;
} AttnCase;

/* a plain-loop forward, independent of vx-forward.c's */
static double
attn_loss (void *p)
{
  AttnCase *c = p;
  int B = c->B, N = c->N, D = c->D, H = c->H, Dh = D / H;
  float scale = 1.0f / sqrtf ((float) Dh);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++)
      {
        float *P = c->probs + ((size_t) b * H + h) * N * N;
        for (int i = 0; i < N; i++)
          for (int j = 0; j < N; j++)
            {
              const float *q = c->qkv + ((size_t) b * N + i) * 3 * D + h * Dh;
              const float *k = c->qkv + ((size_t) b * N + j) * 3 * D + D + h * Dh;
              float s = 0.f;
              for (int d = 0; d < Dh; d++)
                s += q[d] * k[d];
              P[i * N + j] = s;
            }
        vx_softmax_forward (P, scale, N, N);
        for (int i = 0; i < N; i++)
          for (int d = 0; d < Dh; d++)
            {
              float s = 0.f;
              for (int j = 0; j < N; j++)
                s += P[i * N + j] * c->qkv[((size_t) b * N + j) * 3 * D + 2 * D + h * Dh + d];
              c->att[((size_t) b * N + i) * D + h * Dh + d] = s;
            }
      }
  return dot (c->att, c->r, (size_t) B * N * D);
}

static void
test_attention (void)
{
  AttnCase c = { 2, 6, 8, 2 };
  size_t nqkv = (size_t) c.B * c.N * 3 * c.D, natt = (size_t) c.B * c.N * c.D;
  c.qkv = g_new (float, nqkv);
  c.probs = g_new (float, (size_t) c.B * c.H * c.N * c.N);
  c.att = g_new (float, natt);
  c.r = g_new (float, natt);
  fill_normal (c.qkv, nqkv, 41, 1.2f);
  fill_normal (c.r, natt, 42, 1.f);
  attn_loss (&c);

  g_autofree float *d = g_new (float, nqkv);
  for (size_t i = 0; i < nqkv; i++) d[i] = 2.0f;
  vx_attention_backward (d, c.r, c.qkv, c.probs, c.B, c.N, c.D, c.H, 0);
  for (size_t i = 0; i < nqkv; i++) d[i] -= 2.0f;
  check_gradient ("attention dqkv", c.qkv, d, nqkv, attn_loss, &c, 1e-2f, 3e-3, 2e-3, 1000);

  /* thread count does not change a bit */
  g_autofree float *d1 = g_new0 (float, nqkv), *d2 = g_new0 (float, nqkv);
  attn_loss (&c);
  vx_attention_backward (d1, c.r, c.qkv, c.probs, c.B, c.N, c.D, c.H, 1);
  vx_attention_backward (d2, c.r, c.qkv, c.probs, c.B, c.N, c.D, c.H, 2);
  g_assert_cmpmem (d1, sizeof (float) * nqkv, d2, sizeof (float) * nqkv);
  g_free (c.qkv); g_free (c.probs); g_free (c.att); g_free (c.r);
}

/* ---- embedding and gather ------------------------------------------------------------------ */

typedef struct {
  int B, Np, T, D;
  float *patch_out, *cls, *dist, *pos, *x, *r;
} EmbedCase;

static double
embed_loss (void *p)
{
  EmbedCase *c = p;
  vx_embed_forward (c->x, c->patch_out, c->cls, c->dist, c->pos, c->B, c->Np, c->T, c->D);
  return dot (c->x, c->r, (size_t) c->B * (c->Np + c->T) * c->D);
}

static void
run_embed_case (int T)
{
  EmbedCase c = { 3, 4, T, 5 };
  int N = c.Np + T;
  size_t nx = (size_t) c.B * N * c.D, npo = (size_t) c.B * c.Np * c.D;
  c.patch_out = g_new (float, npo);
  c.cls = g_new (float, c.D);
  c.dist = g_new (float, c.D);
  c.pos = g_new (float, (size_t) N * c.D);
  c.x = g_new (float, nx);
  c.r = g_new (float, nx);
  fill_normal (c.patch_out, npo, 51, 1.f);
  fill_normal (c.cls, c.D, 52, 1.f);
  fill_normal (c.dist, c.D, 53, 1.f);
  fill_normal (c.pos, (size_t) N * c.D, 54, 1.f);
  fill_normal (c.r, nx, 55, 1.f);

  g_autofree float *dpo = g_new0 (float, npo);
  g_autofree float *dcls = g_new0 (float, c.D);
  g_autofree float *ddist = g_new0 (float, c.D);
  g_autofree float *dpos = g_new0 (float, (size_t) N * c.D);
  vx_embed_backward (dpo, dcls, T > 1 ? ddist : NULL, dpos, c.r, c.B, c.Np, T, c.D);
  const char *tag = T > 1 ? "embed (distilled)" : "embed";
  g_autofree char *n1 = g_strdup_printf ("%s dpatch_out", tag);
  g_autofree char *n2 = g_strdup_printf ("%s dcls", tag);
  g_autofree char *n3 = g_strdup_printf ("%s dpos", tag);
  check_gradient (n1, c.patch_out, dpo, npo, embed_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  check_gradient (n2, c.cls, dcls, c.D, embed_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  check_gradient (n3, c.pos, dpos, (size_t) N * c.D, embed_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  if (T > 1)
    check_gradient ("embed (distilled) ddist", c.dist, ddist, c.D, embed_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  g_free (c.patch_out); g_free (c.cls); g_free (c.dist); g_free (c.pos); g_free (c.x); g_free (c.r);
}

static void
test_embed (void)
{
  run_embed_case (1);
  run_embed_case (2);
}

typedef struct {
  int B, N, D, token;
  float *x, *out, *r;
} GatherCase;

static double
gather_loss (void *p)
{
  GatherCase *c = p;
  vx_gather_token (c->out, c->x, c->token, c->B, c->N, c->D);
  return dot (c->out, c->r, (size_t) c->B * c->D);
}

static void
test_gather (void)
{
  GatherCase c = { 3, 4, 5, 1 };
  size_t nx = (size_t) c.B * c.N * c.D;
  c.x = g_new (float, nx);
  c.out = g_new (float, (size_t) c.B * c.D);
  c.r = g_new (float, (size_t) c.B * c.D);
  fill_normal (c.x, nx, 61, 1.f);
  fill_normal (c.r, (size_t) c.B * c.D, 62, 1.f);
  g_autofree float *d = g_new0 (float, nx);
  vx_gather_token_backward (d, c.r, c.token, c.B, c.N, c.D);
  check_gradient ("gather", c.x, d, nx, gather_loss, &c, 1e-2f, 1e-3, 1e-3, 1000);
  g_free (c.x); g_free (c.out); g_free (c.r);
}

/* ---- cross-entropy ------------------------------------------------------------------------- */

typedef struct {
  int B, K;
  float eps;
  float *logits;
  int32_t *labels;
} CeCase;

static double
ce_loss (void *p)
{
  CeCase *c = p;
  return vx_crossentropy_forward (NULL, c->logits, c->labels, c->B, c->K, c->eps);
}

static void
test_crossentropy (void)
{
  CeCase c = { 6, 7, 0.1f };
  c.logits = g_new (float, c.B * c.K);
  c.labels = g_new (int32_t, c.B);
  fill_normal (c.logits, c.B * c.K, 71, 2.f);
  for (int b = 0; b < c.B; b++)
    c.labels[b] = (b * 3) % c.K;

  g_autofree float *d = g_new (float, c.B * c.K);
  for (int i = 0; i < c.B * c.K; i++) d[i] = 0.5f;
  vx_crossentropy_backward (d, c.logits, c.labels, 1.0f / c.B, c.B, c.K, c.eps);
  for (int i = 0; i < c.B * c.K; i++) d[i] -= 0.5f;
  check_gradient ("cross-entropy", c.logits, d, c.B * c.K, ce_loss, &c, 1e-2f, 2e-3, 1e-3, 1000);

  /* the definition: per image, (1-eps) * -log p[y] + eps * mean_k -log p[k] */
  g_autofree float *losses = g_new (float, c.B);
  double mean = vx_crossentropy_forward (losses, c.logits, c.labels, c.B, c.K, c.eps);
  double sum = 0.0;
  for (int b = 0; b < c.B; b++)
    {
      const float *x = c.logits + b * c.K;
      double z = 0.0, nll_all = 0.0;
      for (int k = 0; k < c.K; k++)
        z += exp (x[k]);
      for (int k = 0; k < c.K; k++)
        nll_all += -(x[k] - log (z));
      double want = 0.9 * -(x[c.labels[b]] - log (z)) + 0.1 * nll_all / c.K;
      g_assert_cmpfloat_with_epsilon (losses[b], want, 1e-5 * fabs (want));
      sum += want;
    }
  g_assert_cmpfloat_with_epsilon (mean, sum / c.B, 1e-6 * sum / c.B);

  /* equal logits: loss log K whatever the smoothing; gradient 1/K - target */
  float flat[3] = { 0.3f, 0.3f, 0.3f }, dflat[3] = { 0 };
  int32_t y = 2;
  g_assert_cmpfloat_with_epsilon (vx_crossentropy_forward (NULL, flat, &y, 1, 3, 0.2f), log (3.0), 1e-12);
  vx_crossentropy_backward (dflat, flat, &y, 1.0f, 1, 3, 0.2f);
  g_assert_cmpfloat_with_epsilon (dflat[0], 1.0 / 3 - 0.2 / 3, 1e-7);
  g_assert_cmpfloat_with_epsilon (dflat[2], 1.0 / 3 - 0.8 - 0.2 / 3, 1e-7);
  g_free (c.logits); g_free (c.labels);
}

/* ---- the whole model ------------------------------------------------------------------------- */

typedef struct {
  VxModel *m;
  VxActs *acts;
  int B;
  float *images, *logits;
  int32_t *labels;
} ModelCase;

static double
model_loss (void *p)
{
  ModelCase *c = p;
  vx_model_forward (c->m, c->acts, c->images, c->B, c->logits, NULL);
  return vx_crossentropy_forward (NULL, c->logits, c->labels, c->B, c->m->arch.num_classes, 0.1f);
}

static void
run_model_case (const VxArch *arch, uint64_t seed)
{
  ModelCase c = { 0 };
  c.B = 3;
  c.m = vx_model_new (arch, NULL);
  g_assert_nonnull (c.m);
  /* larger than timm's 0.02 init so every path carries a visible gradient */
  fill_normal (c.m->params.mem, c.m->params.n, seed, 0.4f);
  int n_t = 0;
  g_autofree VxParamInfo *table = vx_params_table (arch, &n_t);
  for (int i = 0; i < n_t; i++)
    if (strstr (table[i].name, "norm") && g_str_has_suffix (table[i].name, ".weight"))
      for (size_t j = 0; j < table[i].numel; j++)
        c.m->params.mem[table[i].offset + j] += 1.0f;
  size_t img = (size_t) arch->in_chans * arch->img_size * arch->img_size;
  int K = arch->num_classes;
  c.images = g_new (float, img * c.B);
  c.logits = g_new (float, (size_t) c.B * K);
  c.labels = g_new (int32_t, c.B);
  fill_normal (c.images, img * c.B, seed + 1, 1.f);
  for (int b = 0; b < c.B; b++)
    c.labels[b] = (int32_t) ((b * 7 + 1) % K);
  c.acts = vx_acts_new (arch, c.B, TRUE);

  /* analytic gradient */
  model_loss (&c);
  g_autofree float *dlogits = g_new0 (float, (size_t) c.B * K);
  vx_crossentropy_backward (dlogits, c.logits, c.labels, 1.0f / c.B, c.B, K, 0.1f);
  g_autofree float *gmem = g_new0 (float, c.m->params.n);
  VxParams grads;
  vx_params_bind (&grads, arch, gmem);
  VxGradActs *ga = vx_grad_acts_new (arch, c.B);
  vx_model_backward (c.m, c.acts, ga, dlogits, c.B, &grads, NULL);

  for (int i = 0; i < n_t; i++)
    {
      g_autofree char *what = g_strdup_printf ("model%s %s", arch->distilled ? " (distilled)" : "",
                                               table[i].name);
      check_gradient (what, c.m->params.mem + table[i].offset, gmem + table[i].offset,
                      table[i].numel, model_loss, &c, 1e-2f, 1e-2, 5e-3, 200);
    }

  vx_grad_acts_free (ga);
  vx_params_unbind (&grads);
  vx_acts_free (c.acts);
  g_free (c.images); g_free (c.logits); g_free (c.labels);
  vx_model_free (c.m);
}

static void
test_model (void)
{
  VxArch a = { .img_size = 8, .patch_size = 4, .in_chans = 1, .num_classes = 5, .embed_dim = 8,
               .depth = 2, .num_heads = 2, .mlp_hidden = 12, .distilled = 0, .ln_eps = 1e-6f };
  run_model_case (&a, 81);
}

static void
test_model_distilled (void)
{
  VxArch a = { .img_size = 8, .patch_size = 4, .in_chans = 3, .num_classes = 4, .embed_dim = 12,
               .depth = 2, .num_heads = 3, .mlp_hidden = 16, .distilled = 1, .ln_eps = 1e-6f };
  run_model_case (&a, 91);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vx_set_num_threads (2);
  g_test_add_func ("/backward/gemm-blocked", test_gemm_blocked);
  g_test_add_func ("/backward/linear", test_linear);
  g_test_add_func ("/backward/layernorm", test_layernorm);
  g_test_add_func ("/backward/gelu", test_gelu);
  g_test_add_func ("/backward/residual", test_residual);
  g_test_add_func ("/backward/softmax", test_softmax);
  g_test_add_func ("/backward/attention", test_attention);
  g_test_add_func ("/backward/embed", test_embed);
  g_test_add_func ("/backward/gather", test_gather);
  g_test_add_func ("/backward/crossentropy", test_crossentropy);
  g_test_add_func ("/backward/model", test_model);
  g_test_add_func ("/backward/model-distilled", test_model_distilled);
  return g_test_run ();
}
