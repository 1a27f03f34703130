/* test-explorer-study.c: the explorer's settings, staged results and study files, without GTK */
#define G_LOG_DOMAIN "test-explorer-study"
#include "config.h"

#include <math.h>

#include "test-explorer-common.h"
#include "vs-compute.h"
#include "vx-error.h"
#include "vx-paths.h"
#include "vs-study.h"

static VxModel *model;
static VxDataset *data;

static void
settings_variant (VsRunSettings *s, int i)
{
  vs_run_settings_init (s);
  s->n_images = 64;
  s->xbar.seed = 11 + i;
  switch (i)
    {
    case 0: break;
    case 1: s->xbar.gamma = 5; s->xbar.clipformer = TRUE; s->xbar.beta = 0.25; break;
    case 2: s->xbar.kv_scale = VX_KV_SCALE_PER_BATCH; s->repeats = 2; break;
    case 3: s->xbar.kv_scale = VX_KV_SCALE_CALIBRATED; s->snr_mode = VX_SNR_LOCAL; break;
    case 4: s->outlier_scale = 16; s->outlier_channels = 2; s->xbar.kv_scale = VX_KV_SCALE_PER_CHANNEL; break;
    case 5: s->xbar.static_noise = VX_STATIC_NOISE_ONCE; s->xbar.decode = VX_CLIP_DECODE_RENORMALISED;
            s->xbar.clipformer = TRUE; s->xbar.beta = 0.5; s->n_images = 70; break;
    default: g_assert_not_reached ();
    }
}

/* ---- settings JSON ------------------------------------------------------------------------ */

static void
test_settings_json (void)
{
  for (int i = 0; i < 6; i++)
    {
      VsRunSettings s, back;
      settings_variant (&s, i);
      g_autofree char *json = vs_run_settings_to_json_string (&s, FALSE);
      g_autoptr (JsonParser) p = json_parser_new ();
      g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
      g_autoptr (GError) error = NULL;
      g_assert_true (vs_run_settings_from_json (&back, json_parser_get_root (p), &error));
      g_assert_no_error (error);
      g_assert_true (vs_run_settings_equal (&s, &back));
      g_assert_cmpfloat (back.outlier_scale, ==, s.outlier_scale);
      g_assert_cmpint (back.xbar.kv_scale, ==, s.xbar.kv_scale);
    }
  const char *bad[][2] = {
    { "{\"images\": \"many\"}", "images" },
    { "{\"repeats\": 2.5}", "repeats" },
    { "{\"snr\": \"sideways\"}", "snr" },
    { "{\"outlier_scale\": 100}", "outlier scale" },
    { "{\"colour\": 1}", "colour" },
    { "{\"crossbar\": {\"beta\": 0}}", "beta" },
    { "{\"crossbar\": {\"g_max_us\": 0.1}}", "G_max" },
    { "[1, 2]", "object" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      g_assert_true (json_parser_load_from_data (p, bad[i][0], -1, NULL));
      VsRunSettings s;
      g_autoptr (GError) error = NULL;
      g_assert_false (vs_run_settings_from_json (&s, json_parser_get_root (p), &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, bad[i][1]));
    }
}

static void
test_cache_key (void)
{
  VsRunSettings a, b;
  vs_run_settings_init (&a);
  b = a;
  g_autofree char *ka = vs_run_settings_cache_key (&a, "model-1", "data-1");
  g_autofree char *kb = vs_run_settings_cache_key (&b, "model-1", "data-1");
  g_assert_cmpstr (ka, ==, kb);
  b.xbar.gamma += 1e-6;
  g_autofree char *kc = vs_run_settings_cache_key (&b, "model-1", "data-1");
  g_assert_cmpstr (ka, !=, kc);
  g_autofree char *kd = vs_run_settings_cache_key (&a, "model-2", "data-1");
  g_assert_cmpstr (ka, !=, kd);
  b = a;
  b.outlier_channels = 3;
  g_autofree char *ke = vs_run_settings_cache_key (&b, "model-1", "data-1");
  g_assert_cmpstr (ka, !=, ke);
}

/* ---- the explorer's stages equal one vx_xbar_eval_run ------------------------------------------ */

static VsRunResult *
staged (const VsRunSettings *s, int *batches)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) owned = NULL;
  const VxModel *m = vs_compute_prepare_model (model, s, &owned, &error);
  g_assert_no_error (error);
  VsRunResult *r = vs_compute_first (m, data, s, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (r->has_first);
  g_assert_cmpint (r->images_done, ==, MIN (VS_RUN_FIRST_IMAGES, r->n));
  double width0 = r->top1_hi - r->top1_lo;
  g_assert_true (vs_compute_accuracy (m, data, r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (r->complete);
  /* the interval narrows as images come in */
  g_assert_cmpfloat (r->top1_hi - r->top1_lo, <, width0);
  if (batches)
    *batches = r->images_done;
  return r;
}

static void
count_batch (gpointer user, const VsRunResult *r)
{
  (*(int *) user)++;
}

static void
test_stages_exact (void)
{
  for (int i = 0; i < 6; i++)
    {
      VsRunSettings s;
      settings_variant (&s, i);
      g_autoptr (VsRunResult) r = staged (&s, NULL);
      VxXbarEvalResult x;
      g_autoptr (GError) error = NULL;
      g_assert_true (vs_compute_reference (model, data, &s, &x, &error));
      g_assert_no_error (error);
      g_test_message ("variant %d: staged %d/%d, reference %d", i, r->correct, r->images_done,
                      x.top1_correct[0] + (x.repeats_done > 1 ? x.top1_correct[1] : 0));
      g_assert_cmpint (r->repeats, ==, x.repeats_done);
      for (int k = 0; k < r->repeats; k++)
        g_assert_cmpint (r->correct_runs[k], ==, x.top1_correct[k]);
      g_assert_cmpfloat (r->top1, ==, x.top1_mean);
      g_assert_cmpfloat (r->top1_std, ==, x.top1_std);
      for (int b = 0; b < r->depth; b++)
        {
          g_assert_cmpfloat (r->snr_db[b], ==, x.snr_db[b]);
          g_assert_cmpmem (r->hists[b * 2].counts,
                           sizeof (guint64) * vx_xbar_hist_len (r->hists[b * 2].bins),
                           x.hists[b * 2].counts,
                           sizeof (guint64) * vx_xbar_hist_len (x.hists[b * 2].bins));
        }
      vx_xbar_eval_result_clear (&x);
    }
  /* a batch callback after every batch after the first */
  VsRunSettings s;
  settings_variant (&s, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (VsRunResult) r = vs_compute_first (model, data, &s, NULL, NULL, &error);
  int calls = 0;
  g_assert_true (vs_compute_accuracy (model, data, r, count_batch, NULL, &calls, &error));
  g_assert_cmpint (calls, ==, (64 - VS_RUN_FIRST_IMAGES + VS_RUN_BATCH - 1) / VS_RUN_BATCH);
}

/* one image through the ideal and the noisy network; a dataset of another shape is refused */
static void
test_sample (void)
{
  VsRunSettings s;
  settings_variant (&s, 1);
  VsSampleResult r;
  g_autoptr (GError) error = NULL;
  g_assert_true (vs_compute_sample (model, data, &s, 5, 1, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.label, ==, data->labels[5]);
  g_assert_cmpint (r.grid, ==, 4);
  double sum = 0;
  for (int k = 0; k < r.num_classes; k++)
    sum += r.probs_noisy[k];
  g_assert_cmpfloat (fabs (sum - 1.0), <, 1e-9);
  /* ideal and noisy attention differ at gamma 5, both are probabilities */
  double diff = 0;
  for (int i = 0; i < 16; i++)
    {
      g_assert_cmpfloat (r.attn_noisy[i], >=, 0);
      diff += fabs (r.attn_ideal[i] - r.attn_noisy[i]);
    }
  g_assert_cmpfloat (diff, >, 0);
  vs_sample_result_clear (&r);

  VxArch a = model->arch;
  a.img_size = 35;
  g_autoptr (VxModel) other = vx_model_new (&a, &error);
  g_assert_no_error (error);
  g_assert_false (vs_compute_sample (other, data, &s, 0, 0, &r, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (vs_compute_sample (model, data, &s, data->n, 0, &r, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_INVALID_ARG);
}

/* ---- the sample's attention map under token pruning ------------------------------------- */

typedef struct {
  int depth, H;
  int *n;           /* (depth) rows per image of each block */
  float **probs;    /* (depth) copies of the block's probs (1, H, n, n) */
} ProbsCapture;

static void
capture_probs (void *user, int block, int64_t first_image, const float *probs, int B, int H, int N)
{
  ProbsCapture *c = user;
  g_assert_cmpint (B, ==, 1);
  c->H = H;
  c->n[block] = N;
  g_free (c->probs[block]);
  c->probs[block] = g_memdup2 (probs, sizeof (float) * H * N * N);
}

/* the class token's attention to row i of a block, mean over the heads, as the
 * map averages it */
static float
cls_attention (const ProbsCapture *c, int block, int i)
{
  int N = c->n[block];
  float sum = 0.0f;
  for (int hd = 0; hd < c->H; hd++)
    sum += c->probs[block][(size_t) hd * N * N + i] / c->H;
  return sum;
}

/* The expected maps of every block for one image of m, from the ideal network's
 * attention: this test ranks the patch rows itself (head-averaged class
 * attention, ties to the lower index, ceil(keep n) kept, kept in order) and
 * follows every row back to its patch. expect (depth, grid * grid), NAN where
 * the block has no row. Returns the blocks' token counts (depth). */
static int *
expected_maps (const VxModel *m, const VxDataset *ds, int index, double keep, float *expect)
{
  const VxArch *a = &m->arch;
  int L = a->depth, T = a->distilled ? 2 : 1, N = vx_arch_num_tokens (a), np = N - T;
  ProbsCapture c = { L, 0, g_new0 (int, L), g_new0 (float *, L) };
  VxMatmulHooks hk = { .attn_probs = capture_probs, .user = &c, .linear_any_rows = TRUE };
  g_autofree float *image = g_new (float, (size_t) a->in_chans * a->img_size * a->img_size);
  g_autofree float *logits = g_new (float, a->num_classes);
  vx_dataset_fill_batch (ds, m, index, 1, image);
  VxActs *acts = vx_acts_new (a, 1, FALSE);
  VxForwardOpts fo = { &hk, index, 0, 0 };
  vx_model_forward (m, acts, image, 1, logits, &fo);
  vx_acts_free (acts);

  g_autofree int *orig = g_new (int, N), *next = g_new (int, N);
  g_autofree float *score = g_new (float, N);
  int n = N;
  for (int t = 0; t < N; t++)
    orig[t] = t;
  for (int l = 0; l < L; l++)
    {
      if (c.n[l] < n)
        {
          /* pruned before l: keep the k best patch rows of block l - 1 */
          int k = (int) ceil (keep * (n - T) - 1e-9);
          g_assert_cmpint (c.n[l], ==, T + k);
          for (int i = T; i < n; i++)
            score[i] = cls_attention (&c, l - 1, i);
          int kept = 0;
          for (int i = 0; i < n; i++)
            {
              int better = 0;
              for (int j = T; i >= T && j < n; j++)
                better += score[j] > score[i] || (score[j] == score[i] && j < i);
              if (i < T || better < k)
                next[kept++] = orig[i];
            }
          g_assert_cmpint (kept, ==, T + k);
          memcpy (orig, next, sizeof (int) * kept);
          n = kept;
        }
      g_assert_cmpint (c.n[l], ==, n);
      float *e = expect + (size_t) l * np;
      for (int p = 0; p < np; p++)
        e[p] = NAN;
      for (int i = T; i < n; i++)
        e[orig[i] - T] = cls_attention (&c, l, i);
    }
  for (int l = 0; l < L; l++)
    g_free (c.probs[l]);
  g_free (c.probs);
  return c.n;
}

/* the sample's ideal map of every block equals the expected one, pruned patches NAN;
 * the crossbar map has a value for exactly the kept number of patches */
static void
check_pruned_sample (const VxModel *m, const VxDataset *ds, int index, double keep,
                     int min_pruned_blocks)
{
  const VxArch *a = &m->arch;
  int L = a->depth, T = a->distilled ? 2 : 1, N = vx_arch_num_tokens (a), np = N - T;
  g_autofree float *expect = g_new (float, (size_t) L * np);
  g_autofree int *tokens = expected_maps (m, ds, index, keep, expect);
  VsRunSettings s;
  settings_variant (&s, 1);
  int pruned_blocks = 0;
  for (int l = 0; l < L; l++)
    {
      VsSampleResult r;
      g_autoptr (GError) error = NULL;
      g_assert_true (vs_compute_sample (m, ds, &s, index, l, &r, &error));
      g_assert_no_error (error);
      g_assert_cmpint (r.grid * r.grid, ==, np);
      g_assert_cmpint (r.num_tokens, ==, N);
      g_assert_cmpint (r.tokens, ==, tokens[l]);
      pruned_blocks += tokens[l] < N;
      int finite_ideal = 0, finite_noisy = 0;
      for (int p = 0; p < np; p++)
        {
          float want = expect[(size_t) l * np + p];
          if (isnan (want))
            g_assert_true (isnan (r.attn_ideal[p]));
          else
            {
              g_assert_cmpfloat_with_epsilon (r.attn_ideal[p], want, 1e-6);
              finite_ideal++;
            }
          if (!isnan (r.attn_noisy[p]))
            {
              g_assert_cmpfloat (r.attn_noisy[p], >=, 0);
              finite_noisy++;
            }
        }
      g_assert_cmpint (finite_ideal, ==, tokens[l] - T);
      g_assert_cmpint (finite_noisy, ==, tokens[l] - T);
      vs_sample_result_clear (&r);
    }
  g_assert_cmpint (pruned_blocks, >=, min_pruned_blocks);
}

static void
test_sample_pruned (void)
{
  /* a random 4-block model (pruned before blocks 1, 2 and 3: 17, 13, 10, 8 tokens) */
  VxArch a = model->arch;
  a.depth = 4;
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) m = vx_model_new (&a, &error);
  g_assert_no_error (error);
  vx_model_init_random (m, 5);
  vx_model_set_meta (m, VX_META_PRUNE_KEEP, "0.7");
  check_pruned_sample (m, data, 7, 0.7, 3);

  /* the shipped Sparse model (its own vitx.prune_keep 0.7: blocks 2 to 5 pruned) */
  g_autofree char *path = vx_default_model_path ("vit-fmnist-sparse.safetensors");
  if (!path)
    {
      g_test_message ("vit-fmnist-sparse.safetensors not found: checked the random model only");
      return;
    }
  g_autoptr (VxModel) sparse = vx_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (vx_model_prune_keep (sparse), ==, 0.7);
  check_pruned_sample (sparse, data, 3, 0.7, 4);
}

static gboolean
cancel_now (gpointer user)
{
  return TRUE;
}

static void
test_cancel (void)
{
  VsRunSettings s;
  settings_variant (&s, 0);
  g_autoptr (GError) error = NULL;
  VsRunResult *r = vs_compute_first (model, data, &s, cancel_now, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, VX_ERROR, VX_ERROR_CANCELLED);
}

/* ---- results and studies as JSON ---------------------------------------------------------------- */

static void
assert_results_equal (const VsRunResult *a, const VsRunResult *b)
{
  g_assert_true (vs_run_settings_equal (&a->settings, &b->settings));
  g_assert_cmpint (a->depth, ==, b->depth);
  g_assert_cmpint (a->n, ==, b->n);
  g_assert_cmpint (a->repeats, ==, b->repeats);
  g_assert_cmpint (a->correct, ==, b->correct);
  g_assert_cmpint (a->images_done, ==, b->images_done);
  g_assert_cmpfloat (fabs (a->top1 - b->top1), <, 1e-12);
  g_assert_cmpint (a->complete, ==, b->complete);
  for (int i = 0; i < a->depth; i++)
    {
      g_assert_cmpfloat (fabs (a->snr_db[i] - b->snr_db[i]), <, 1e-9);
      g_assert_cmpint (a->snr_capped[i], ==, b->snr_capped[i]);
    }
  for (int i = 0; i < a->depth * 2; i++)
    {
      const VxXbarHist *x = &a->hists[i], *y = &b->hists[i];
      g_assert_cmpint (x->bins, ==, y->bins);
      /* all three stages, the written one included */
      g_assert_true (vx_xbar_hist_has_written (x));
      g_assert_cmpmem (x->counts, sizeof (guint64) * vx_xbar_hist_len (x->bins),
                       y->counts, sizeof (guint64) * vx_xbar_hist_len (y->bins));
      g_assert_cmpmem (x->below, sizeof x->below, y->below, sizeof y->below);
      g_assert_cmpmem (x->above, sizeof x->above, y->above, sizeof y->above);
      g_assert_cmpmem (x->cells, sizeof x->cells, y->cells, sizeof y->cells);
      g_assert_cmpmem (x->at_gmin, sizeof x->at_gmin, y->at_gmin, sizeof y->at_gmin);
      g_assert_cmpint (x->max_level[1], ==, y->max_level[1]);
      g_assert_cmpint (a->kv_stats[i].bits_used, ==, b->kv_stats[i].bits_used);
      g_assert_cmpfloat (fabs (a->kv_stats[i].excess_kurtosis - b->kv_stats[i].excess_kurtosis), <, 1e-9);
    }
}

static void
test_study_roundtrip (void)
{
  VsRunSettings s;
  settings_variant (&s, 1);
  g_autoptr (VsStudy) study = vs_study_new (&s);
  study->current = staged (&s, NULL);
  study->model_path = g_strdup ("model.safetensors");
  study->ideal_top1 = 0.875;
  g_autofree char *dir = test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "x.vitx-study", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (vs_study_save (study, path, &error));
  g_assert_no_error (error);
  g_autoptr (VsStudy) back = vs_study_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (vs_run_settings_equal (&back->settings, &s));
  g_assert_cmpstr (back->model_path, ==, "model.safetensors");
  g_assert_null (back->data_source);
  g_assert_null (back->other);
  g_assert_cmpfloat (back->ideal_top1, ==, 0.875);
  assert_results_equal (study->current, back->current);
  /* an unwritable place: an error naming it */
  g_autofree char *nowhere = g_build_filename (dir, "no", "such", "dir", "x.vitx-study", NULL);
  g_assert_false (vs_study_save (study, nowhere, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_IO);
  g_assert_nonnull (strstr (error->message, nowhere));
  test_rmdir (dir);
}

static void
test_study_hostile (void)
{
  VsRunSettings s;
  settings_variant (&s, 0);
  g_autoptr (VsStudy) study = vs_study_new (&s);
  study->current = staged (&s, NULL);
  g_autofree char *good = vs_study_to_json (study);
  g_autoptr (GError) error = NULL;
  g_autoptr (VsStudy) ok = vs_study_parse (good, strlen (good), "good", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* each edit breaks one thing; every one must be a clean VX_ERROR_FORMAT */
  const char *edits[][2] = {
    { "\"vitx-explorer-study\"", "\"something-else\"" },
    { "\"version\" : 1", "\"version\" : 2" },
    { "\"depth\" : ", "\"depth\" : 100000000, \"x\" : " },
    { "\"bins\" : 128", "\"bins\" : 127" },
    { "\"bins\" : 128", "\"bins\" : -5" },
    { "\"correct_runs\" : [", "\"correct_runs\" : [999999, " },
    { "\"snr_db\" : [", "\"snr_db\" : [\"loud\", " },
    { "\"stages\" : [", "\"stages\" : [{}, " },
    { "\"max_level\" : ", "\"max_level\" : 1e300, \"y\" : " },
    { "\"repeats\" : 1", "\"repeats\" : 0" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      const char *at = strstr (good, edits[i][0]);
      g_assert_nonnull (at);
      g_autoptr (GString) bad = g_string_new_len (good, at - good);
      g_string_append (bad, edits[i][1]);
      g_string_append (bad, at + strlen (edits[i][0]));
      g_autoptr (GError) e = NULL;
      g_test_message ("edit %u: %s", i, edits[i][1]);
      g_autoptr (VsStudy) st = vs_study_parse (bad->str, bad->len, "bad.vitx-study", &e);
      g_assert_null (st);
      g_assert_nonnull (e);
      g_assert_true (e->domain == VX_ERROR);
      g_assert_nonnull (strstr (e->message, "bad.vitx-study"));
    }
  const char *junk[] = { "", "{", "null", "[]", "{\"format\": 3}", "\xff\xfe" };
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_autoptr (GError) e = NULL;
      g_assert_null (vs_study_parse (junk[i], strlen (junk[i]), "junk", &e));
      g_assert_error (e, VX_ERROR, VX_ERROR_FORMAT);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (VxDataset) all = test_eval_dataset ();
  data = test_dataset_slice (all, 0, 96);
  VxArch a = { .img_size = 28, .patch_size = 7, .in_chans = 1, .num_classes = 10,
               .embed_dim = 32, .depth = 2, .num_heads = 2, .mlp_hidden = 64, .ln_eps = 1e-6f };
  g_autoptr (GError) error = NULL;
  model = vx_model_new (&a, &error);
  g_assert_no_error (error);
  vx_model_init_random (model, 3);
  g_test_add_func ("/explorer-study/settings-json", test_settings_json);
  g_test_add_func ("/explorer-study/cache-key", test_cache_key);
  g_test_add_func ("/explorer-study/stages-equal-one-evaluation", test_stages_exact);
  g_test_add_func ("/explorer-study/cancel", test_cancel);
  g_test_add_func ("/explorer-study/sample", test_sample);
  g_test_add_func ("/explorer-study/sample-pruned", test_sample_pruned);
  g_test_add_func ("/explorer-study/roundtrip", test_study_roundtrip);
  g_test_add_func ("/explorer-study/hostile-files", test_study_hostile);
  int status = g_test_run ();
  vx_model_free (model);
  vx_dataset_free (data);
  return status;
}
