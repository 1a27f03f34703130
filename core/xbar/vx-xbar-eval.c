/* vx-xbar-eval.c: noisy evaluations on top of vx_eval_run: repeats, SNR, observations */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vx-kernels.h"
#include "vx-xbar-private.h"

static const char *snr_mode_names[] = { "none", "end-to-end", "local" };

const char *
vx_snr_mode_to_string (VxSnrMode m)
{
  return (unsigned) m < VX_SNR_N ? snr_mode_names[m] : "unknown";
}

gboolean
vx_snr_mode_from_string (const char *s, VxSnrMode *out)
{
  for (int i = 0; s && i < VX_SNR_N; i++)
    if (g_ascii_strcasecmp (s, snr_mode_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  if (g_strcmp0 (s, "e2e") == 0 || g_strcmp0 (s, "end_to_end") == 0)
    {
      *out = VX_SNR_END_TO_END;
      return TRUE;
    }
  return FALSE;
}

typedef struct {
  const VxModel *m;
  const VxDataset *ds;
  VxXbarSim *sim;
  const VxXbarEvalOpts *o;
  VxXbarEvalResult *res;
  VxMatmulHooks hooks;       /* the sim's hooks wrapped with SNR observers */
  int N, D, H, Dh, depth, batch;
  int repeat, n, limit_obs;
  gboolean snr_batch;        /* SNR (and observation) active for this batch */
  gboolean first_reported;
  /* end-to-end: the ideal network's X_b of the batch */
  VxActs *ideal_acts;
  float *images, *ideal_logits;
  float *ideal_att;          /* (depth, B, N, D); block l's rows: (B, ideal_rows[l], D) */
  int cur_count;
  /* end-to-end with token pruning: which token each row is (original index) */
  int *ideal_orig;           /* (depth, B, N): the ideal run's rows of block l */
  int *ideal_pos;            /* (depth, B, N): row of original token t in block l, or -1 */
  int *ideal_rows;           /* (depth) rows per image in block l of the ideal run */
  int *run_orig;             /* (B, N): the current run's rows (ideal, then noisy) */
  int run_rows;
  /* local: this block's ideal attention from the noisy block input */
  float *loc_ln, *loc_qkv, *loc_probs, *loc_att;
} EvalCtx;

/* ---- SNR observers ------------------------------------------------------------------------ */

/* rows of the run about to start: every token, in order */
static void
run_orig_reset (EvalCtx *c, int B)
{
  c->run_rows = c->N;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < c->N; t++)
      c->run_orig[(size_t) b * c->N + t] = t;
}

/* token pruning dropped tokens: kept (B, N) original indices of the rows left */
static void
track_tokens_kept (void *user, int block, int64_t first_image, const int *kept, int B, int N)
{
  EvalCtx *c = user;
  if (!c->run_orig)
    return;
  memcpy (c->run_orig, kept, sizeof (int) * B * N);
  c->run_rows = N;
}

static void
capture_attn_out (void *user, int block, int64_t first_image, const float *x, int B, int N, int D)
{
  EvalCtx *c = user;
  size_t off = (size_t) block * c->batch * c->N;
  memcpy (c->ideal_att + off * D, x, sizeof (float) * B * N * D);
  c->ideal_rows[block] = N;
  memcpy (c->ideal_orig + off, c->run_orig, sizeof (int) * B * N);
  int *pos = c->ideal_pos + off;
  for (size_t i = 0; i < (size_t) B * c->N; i++)
    pos[i] = -1;
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++)
      pos[(size_t) b * c->N + c->run_orig[(size_t) b * N + i]] = i;
}

/* End-to-end SNR of block l: the noisy run's X_b (B, N, D) against the ideal
 * run's. With token pruning the two runs may keep different tokens: rows are
 * matched by token, and only tokens both runs still carry in this block count
 * (a token dropped by either has no X_b row to compare). */
static void
accumulate_end_to_end (EvalCtx *c, int block, const float *x, int B, int N, int D)
{
  size_t off = (size_t) block * c->batch * c->N;
  const float *ideal = c->ideal_att + off * D;
  int Ni = c->ideal_rows[block];
  double *sig = &c->res->snr_signal[block], *err = &c->res->snr_error[block];
  if (Ni == N && memcmp (c->ideal_orig + off, c->run_orig, sizeof (int) * B * N) == 0)
    {
      vx_xbar_snr_accumulate (sig, err, ideal, x, (size_t) B * N * D);
      return;
    }
  const int *pos = c->ideal_pos + off;
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++)
      {
        int j = pos[(size_t) b * c->N + c->run_orig[(size_t) b * N + i]];
        if (j >= 0)
          vx_xbar_snr_accumulate (sig, err, ideal + ((size_t) b * Ni + j) * D,
                                  x + ((size_t) b * N + i) * D, (size_t) D);
      }
}

/* X_b = softmax(Q K^T / sqrt(Dh)) V of block l from its input x (B, N, D),
 * the same kernels as the engine's ideal forward pass */
static void
local_attention (EvalCtx *c, int block, const float *x, int B, int N)
{
  const VxBlockParams *bp = &c->m->params.blocks[block];
  int D = c->D, H = c->H, Dh = c->Dh;
  int threads = c->o->threads;
  vx_layernorm_forward (c->loc_ln, NULL, NULL, x, bp->norm1_w, bp->norm1_b, B * N, D,
                        c->m->arch.ln_eps, threads);
  vx_linear_forward (c->loc_qkv, c->loc_ln, bp->qkv_w, bp->qkv_b, B * N, D, 3 * D, threads);
  float scale = 1.0f / sqrtf ((float) Dh);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++)
      {
        const float *q = c->loc_qkv + (size_t) b * N * 3 * D + (size_t) h * Dh;
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, 3 * D, q + D,
                     3 * D, 0.0f, c->loc_probs, N);
        vx_softmax_forward (c->loc_probs, scale, N, N);
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, c->loc_probs, N,
                     q + 2 * D, 3 * D, 0.0f, c->loc_att + (size_t) b * N * D + (size_t) h * Dh, D);
      }
}

static void
wrap_block_in (void *user, int block, int64_t first_image, float *x, int B, int N, int D)
{
  EvalCtx *c = user;
  if (c->snr_batch && c->o->snr == VX_SNR_LOCAL)
    local_attention (c, block, x, B, N);
}

static void
wrap_attn_out (void *user, int block, int64_t first_image, const float *x, int B, int N, int D)
{
  EvalCtx *c = user;
  _vx_xbar_sim_attn_out (c->sim, block, first_image, x, B, N, D);
  if (!c->snr_batch || c->o->snr == VX_SNR_NONE)
    return;
  if (c->o->snr == VX_SNR_LOCAL)
    vx_xbar_snr_accumulate (&c->res->snr_signal[block], &c->res->snr_error[block], c->loc_att, x,
                            (size_t) B * N * D);
  else
    accumulate_end_to_end (c, block, x, B, N, D);
}

static void
wrap_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
             const float *weight, const float *bias, int M, int Kin, int Nout)
{
  EvalCtx *c = user;
  _vx_xbar_sim_linear (c->sim, site, out, in, weight, bias, M, Kin, Nout);
}

static void
wrap_qk (void *user, const VxMatmulSite *site, float *scores, const float *q, const float *k,
         int N, int Dh, int ld)
{
  EvalCtx *c = user;
  _vx_xbar_sim_attn_qk (c->sim, site, scores, q, k, N, Dh, ld);
}

static void
wrap_sv (void *user, const VxMatmulSite *site, float *out, int ld_out, const float *s,
         const float *v, int N, int Dh, int ld)
{
  EvalCtx *c = user;
  _vx_xbar_sim_attn_sv (c->sim, site, out, ld_out, s, v, N, Dh, ld);
}

/* ---- staged results ---------------------------------------------------------------------------- */

static void
publish_observations (EvalCtx *c)
{
  VxXbarEvalResult *r = c->res;
  if (r->snr_db)
    {
      double sum = 0.0;
      for (int b = 0; b < c->depth; b++)
        {
          r->snr_db[b] = vx_xbar_snr_db (r->snr_signal[b], r->snr_error[b], &r->snr_capped[b]);
          sum += r->snr_db[b];
        }
      r->snr_mean_db = sum / c->depth;
    }
  if (r->hists)
    {
      const VxXbarHist *h = vx_xbar_sim_get_hists (c->sim);
      const VxKvStats *s = vx_xbar_sim_get_kv_stats (c->sim);
      for (int i = 0; i < c->depth * 2; i++)
        {
          VxXbarHist *dst = &r->hists[i];
          guint64 *counts = dst->counts;
          *dst = h[i];
          dst->counts = counts;
          memcpy (dst->counts, h[i].counts, sizeof (guint64) * vx_xbar_hist_len (dst->bins));
          r->kv_stats[i] = s[i];
        }
    }
}

static void
batch_begin (void *user, int64_t batch_index, int64_t first_image, int count)
{
  EvalCtx *c = user;
  c->cur_count = count;
  c->snr_batch = c->repeat == 0 && first_image < c->limit_obs;
  if (c->res->hists)
    _vx_xbar_sim_set_observing (c->sim, c->snr_batch);
  if (c->snr_batch)
    {
      c->res->snr_images += count;
      if (c->res->hists)
        c->res->observed_images += count;
    }
  if (c->snr_batch && c->o->snr == VX_SNR_END_TO_END)
    {
      VxMatmulHooks cap = { 0 };
      cap.attn_out = capture_attn_out;
      cap.tokens_kept = track_tokens_kept;
      cap.user = c;
      VxForwardOpts fo = { &cap, first_image, batch_index, c->o->threads };
      vx_dataset_fill_batch (c->ds, c->m, (int) first_image, count, c->images);
      run_orig_reset (c, count);
      vx_model_forward (c->m, c->ideal_acts, c->images, count, c->ideal_logits, &fo);
      run_orig_reset (c, count);   /* the noisy run follows */
    }
  c->sim->threads = c->o->threads;
  vx_xbar_sim_batch_begin (c->sim, batch_index, first_image, count);
  /* the SNR observers add up the batch in order: slices only without them */
  c->hooks.concurrent_slices = c->sim->hooks.concurrent_slices
                               && (!c->snr_batch || c->o->snr == VX_SNR_NONE);
}

static void
progress (void *user, int done, int total)
{
  EvalCtx *c = user;
  if (c->o->progress)
    c->o->progress (c->o->user, c->repeat * c->n + done, c->res->repeats * c->n);
  if (c->repeat == 0 && !c->first_reported)
    {
      c->first_reported = TRUE;
      if (c->o->stage)
        {
          publish_observations (c);
          c->o->stage (c->o->user, VX_XBAR_STAGE_FIRST_BATCH, c->res);
        }
    }
}

static gboolean
cancelled (void *user)
{
  EvalCtx *c = user;
  return c->o->cancelled && c->o->cancelled (c->o->user);
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static void
ctx_alloc (EvalCtx *c)
{
  const VxArch *a = &c->m->arch;
  size_t BND = (size_t) c->batch * c->N * c->D;
  size_t img = (size_t) a->in_chans * a->img_size * a->img_size;
  if (c->o->snr == VX_SNR_END_TO_END)
    {
      c->ideal_acts = vx_acts_new (a, c->batch, FALSE);
      c->images = g_new (float, img * c->batch);
      c->ideal_logits = g_new (float, (size_t) c->batch * a->num_classes);
      c->ideal_att = g_new (float, BND * c->depth);
      size_t rows = (size_t) c->depth * c->batch * c->N;
      c->ideal_orig = g_new (int, rows);
      c->ideal_pos = g_new (int, rows);
      c->ideal_rows = g_new0 (int, c->depth);
      c->run_orig = g_new (int, (size_t) c->batch * c->N);
    }
  else if (c->o->snr == VX_SNR_LOCAL)
    {
      c->loc_ln = g_new (float, BND);
      c->loc_qkv = g_new (float, BND * 3);
      c->loc_probs = g_new (float, (size_t) c->N * c->N);
      c->loc_att = g_new (float, BND);
    }
}

static void
ctx_free (EvalCtx *c)
{
  vx_acts_free (c->ideal_acts);
  g_free (c->images);
  g_free (c->ideal_logits);
  g_free (c->ideal_att);
  g_free (c->ideal_orig);
  g_free (c->ideal_pos);
  g_free (c->ideal_rows);
  g_free (c->run_orig);
  g_free (c->loc_ln);
  g_free (c->loc_qkv);
  g_free (c->loc_probs);
  g_free (c->loc_att);
}

static void
result_alloc (VxXbarEvalResult *r, const VxXbarConfig *cfg, const VxXbarEvalOpts *o, int depth,
              int n, int repeats, int bins)
{
  memset (r, 0, sizeof *r);
  r->config = *cfg;
  r->repeats = repeats;
  r->n = n;
  r->depth = depth;
  r->top1 = g_new0 (double, repeats);
  r->top1_correct = g_new0 (int, repeats);
  r->snr_mode = o->snr;
  if (o->snr != VX_SNR_NONE)
    {
      r->snr_db = g_new0 (double, depth);
      r->snr_capped = g_new0 (gboolean, depth);
      r->snr_signal = g_new0 (double, depth);
      r->snr_error = g_new0 (double, depth);
    }
  if (o->observe)
    {
      r->hists = g_new0 (VxXbarHist, depth * 2);
      for (int i = 0; i < depth * 2; i++)
        _vx_xbar_hist_init (&r->hists[i], bins, cfg->g_min, cfg->g_max);
      r->kv_stats = g_new0 (VxKvStats, depth * 2);
    }
}

static void
finish_accuracy (VxXbarEvalResult *r)
{
  int R = r->repeats_done, correct = 0;
  double sum = 0.0, ss = 0.0;
  for (int i = 0; i < R; i++)
    {
      sum += r->top1[i];
      correct += r->top1_correct[i];
    }
  r->top1_mean = R ? sum / R : 0.0;
  for (int i = 0; i < R; i++)
    ss += (r->top1[i] - r->top1_mean) * (r->top1[i] - r->top1_mean);
  r->top1_std = R > 1 ? sqrt (ss / (R - 1)) : 0.0;
  vx_wilson_interval (correct, R * r->n, &r->top1_lo, &r->top1_hi);
}

gboolean
vx_xbar_eval_run (const VxModel *m, const VxDataset *ds, const VxXbarConfig *cfg,
                  const VxXbarEvalOpts *opts, VxXbarEvalResult *res, GError **error)
{
  static const VxXbarEvalOpts defaults = { 0 };
  const VxXbarEvalOpts *o = opts ? opts : &defaults;
  gint64 t0 = g_get_monotonic_time ();

  memset (res, 0, sizeof *res);
  if ((unsigned) o->snr >= VX_SNR_N)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG, "crossbar evaluation: bad SNR mode %d",
                   o->snr);
      return FALSE;
    }
  g_autoptr (VxXbarSim) sim = vx_xbar_sim_new (m, cfg, error);
  if (!sim)
    return FALSE;
  if (cfg->kv_scale == VX_KV_SCALE_CALIBRATED
      && !vx_xbar_sim_calibrate (sim, o->calib ? o->calib : ds,
                                 o->calib_limit > 0 ? o->calib_limit : 512, error))
    return FALSE;

  EvalCtx c = { 0 };
  c.m = m;
  c.ds = ds;
  c.sim = sim;
  c.o = o;
  c.res = res;
  c.N = sim->N;
  c.D = sim->D;
  c.H = sim->H;
  c.Dh = sim->Dh;
  c.depth = sim->depth;
  c.n = o->limit > 0 ? MIN (o->limit, ds->n) : ds->n;
  c.batch = MAX (1, MIN (o->batch > 0 ? o->batch : 64, c.n));
  c.limit_obs = o->snr_limit > 0 ? MIN (o->snr_limit, c.n) : c.n;
  int repeats = MAX (1, o->repeats);
  int bins = o->hist_bins > 0 ? o->hist_bins : VX_XBAR_HIST_BINS_DEFAULT;
  result_alloc (res, cfg, o, c.depth, c.n, repeats, bins);
  ctx_alloc (&c);
  if (o->observe)
    vx_xbar_sim_observe (sim, TRUE, bins);

  c.hooks.linear = wrap_linear;
  c.hooks.attn_qk = wrap_qk;
  c.hooks.attn_sv = wrap_sv;
  c.hooks.attn_out = wrap_attn_out;
  c.hooks.block_in = o->snr == VX_SNR_LOCAL ? wrap_block_in : NULL;
  c.hooks.tokens_kept = track_tokens_kept;
  c.hooks.user = &c;

  gboolean ok = TRUE;
  for (int r = 0; r < repeats && ok; r++)
    {
      c.repeat = r;
      vx_xbar_sim_set_seed (sim, cfg->seed + (guint64) r);
      VxEvalOpts eo = { 0 };
      eo.batch = c.batch;
      eo.limit = c.n;
      eo.threads = o->threads;
      eo.hooks = &c.hooks;
      eo.batch_begin = batch_begin;
      eo.progress = progress;
      eo.cancelled = cancelled;
      eo.user = &c;
      VxEvalResult er;
      ok = vx_eval_run (m, ds, &eo, &er, error);
      if (!ok)
        break;
      res->top1[r] = er.top1;
      res->top1_correct[r] = er.top1_correct;
      res->repeats_done = r + 1;
      vx_eval_result_clear (&er);
      if (r == 0)
        {
          _vx_xbar_sim_set_observing (sim, FALSE);
          publish_observations (&c);
        }
      finish_accuracy (res);
      res->seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (o->stage)
        o->stage (o->user, VX_XBAR_STAGE_REPEAT, res);
    }
  ctx_free (&c);
  if (!ok)
    {
      vx_xbar_eval_result_clear (res);
      return FALSE;
    }
  res->seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (o->stage)
    o->stage (o->user, VX_XBAR_STAGE_DONE, res);
  return TRUE;
}

void
vx_xbar_eval_result_clear (VxXbarEvalResult *r)
{
  g_clear_pointer (&r->top1, g_free);
  g_clear_pointer (&r->top1_correct, g_free);
  g_clear_pointer (&r->snr_db, g_free);
  g_clear_pointer (&r->snr_capped, g_free);
  g_clear_pointer (&r->snr_signal, g_free);
  g_clear_pointer (&r->snr_error, g_free);
  if (r->hists)
    for (int i = 0; i < r->depth * 2; i++)
      _vx_xbar_hist_clear (&r->hists[i]);
  g_clear_pointer (&r->hists, g_free);
  g_clear_pointer (&r->kv_stats, g_free);
}

/* ---- JSON and CSV ------------------------------------------------------------------------------------ */

JsonNode *
vx_kv_stats_to_json (const VxKvStats *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "groups");
  json_builder_add_int_value (b, (gint64) s->groups);
  json_builder_set_member_name (b, "values");
  json_builder_add_int_value (b, (gint64) s->values);
  json_builder_set_member_name (b, "max_over_mean");
  json_builder_add_double_value (b, s->max_over_mean);
  json_builder_set_member_name (b, "excess_kurtosis");
  json_builder_add_double_value (b, s->excess_kurtosis);
  json_builder_set_member_name (b, "channel_max_ratio");
  json_builder_add_double_value (b, s->channel_max_ratio);
  json_builder_set_member_name (b, "share_clipped");
  json_builder_add_double_value (b, s->share_clipped);
  json_builder_set_member_name (b, "share_zeroed");
  json_builder_add_double_value (b, s->share_zeroed);
  json_builder_set_member_name (b, "max_level");
  json_builder_add_int_value (b, s->max_level);
  json_builder_set_member_name (b, "bits_used");
  json_builder_add_int_value (b, s->bits_used);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
add_doubles (JsonBuilder *b, const char *name, const double *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; v && i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

JsonNode *
vx_xbar_eval_result_to_json (const VxXbarEvalResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, vx_xbar_config_to_json (&r->config));
  json_builder_set_member_name (b, "n_images");
  json_builder_add_int_value (b, r->n);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, r->repeats_done);
  add_doubles (b, "top1_runs", r->top1, r->repeats_done);
  json_builder_set_member_name (b, "top1_mean");
  json_builder_add_double_value (b, r->top1_mean);
  json_builder_set_member_name (b, "top1_std");
  json_builder_add_double_value (b, r->top1_std);
  double ci[2] = { r->top1_lo, r->top1_hi };
  add_doubles (b, "top1_ci95", ci, 2);
  json_builder_set_member_name (b, "snr_mode");
  json_builder_add_string_value (b, vx_snr_mode_to_string (r->snr_mode));
  json_builder_set_member_name (b, "snr_images");
  json_builder_add_int_value (b, r->snr_images);
  add_doubles (b, "snr_db", r->snr_db, r->snr_db ? r->depth : 0);
  json_builder_set_member_name (b, "snr_capped");
  json_builder_begin_array (b);
  for (int i = 0; r->snr_capped && i < r->depth; i++)
    json_builder_add_boolean_value (b, r->snr_capped[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "snr_cap_db");
  json_builder_add_double_value (b, VX_XBAR_SNR_CAP_DB);
  json_builder_set_member_name (b, "snr_mean_db");
  if (r->snr_db)
    json_builder_add_double_value (b, r->snr_mean_db);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "kv_stats");
  json_builder_begin_array (b);
  for (int l = 0; r->kv_stats && l < r->depth; l++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "block");
      json_builder_add_int_value (b, l);
      json_builder_set_member_name (b, "k");
      json_builder_add_value (b, vx_kv_stats_to_json (&r->kv_stats[l * 2]));
      json_builder_set_member_name (b, "v");
      json_builder_add_value (b, vx_kv_stats_to_json (&r->kv_stats[l * 2 + 1]));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, r->seconds);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static const char *matrix_names[] = { "K", "V" };
static const char *stage_names[] = { "before", "after", "written" };
static const char *array_names[] = { "G+", "G-" };

void
vx_xbar_hists_to_csv (const VxXbarEvalResult *r, gboolean written, GString *out)
{
  g_string_append (out, "block,matrix,stage,array,bin,g_lo_us,g_hi_us,count\n");
  for (int i = 0; r->hists && i < r->depth * 2; i++)
    {
      const VxXbarHist *h = &r->hists[i];
      double w = (h->g_hi - h->g_lo) / h->bins;
      int stages = written && vx_xbar_hist_has_written (h) ? 3 : 2;
      for (int s = 0; s < stages; s++)
        for (int a = 0; a < 2; a++)
          {
            const guint64 *row = vx_xbar_hist_row (h, s, a);
            const char *pre = matrix_names[i % 2], *st = stage_names[s], *ar = array_names[a];
            if (s == 2)
              g_string_append_printf (out, "%d,%s,%s,%s,-1,-inf,%.6g,%" G_GUINT64_FORMAT "\n",
                                      i / 2, pre, st, ar, h->g_lo, h->below[a]);
            for (int k = 0; k < h->bins; k++)
              g_string_append_printf (out, "%d,%s,%s,%s,%d,%.6g,%.6g,%" G_GUINT64_FORMAT "\n",
                                      i / 2, pre, st, ar, k, h->g_lo + k * w,
                                      h->g_lo + (k + 1) * w, row[k]);
            if (s == 2)
              g_string_append_printf (out, "%d,%s,%s,%s,%d,%.6g,inf,%" G_GUINT64_FORMAT "\n",
                                      i / 2, pre, st, ar, h->bins, h->g_hi, h->above[a]);
          }
    }
}

static void
add_pair (JsonBuilder *b, const char *name, const guint64 v[2])
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  json_builder_add_int_value (b, (gint64) v[0]);
  json_builder_add_int_value (b, (gint64) v[1]);
  json_builder_end_array (b);
}

static void
add_stage (JsonBuilder *b, const VxXbarHist *h, int s)
{
  json_builder_set_member_name (b, stage_names[s]);
  json_builder_begin_object (b);
  for (int a = 0; a < 2; a++)
    {
      const guint64 *row = vx_xbar_hist_row (h, s, a);
      json_builder_set_member_name (b, a == 0 ? "g_plus" : "g_minus");
      json_builder_begin_array (b);
      for (int k = 0; k < h->bins; k++)
        json_builder_add_int_value (b, (gint64) row[k]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "frac_at_gmin");
  json_builder_add_double_value (b, vx_xbar_hist_frac_at_gmin (h, s));
  if (s < 2)
    {
      json_builder_set_member_name (b, "max_level");
      json_builder_add_int_value (b, h->max_level[s]);
      json_builder_set_member_name (b, "bits_needed");
      json_builder_add_int_value (b, vx_xbar_hist_bits_needed (h, s));
    }
  else
    {
      add_pair (b, "below_gmin", h->below);
      add_pair (b, "above_gmax", h->above);
    }
  json_builder_end_object (b);
}

JsonNode *
vx_xbar_hists_to_json (const VxXbarEvalResult *r, gboolean written)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  for (int i = 0; r->hists && i < r->depth * 2; i++)
    {
      const VxXbarHist *h = &r->hists[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "block");
      json_builder_add_int_value (b, i / 2);
      json_builder_set_member_name (b, "matrix");
      json_builder_add_string_value (b, matrix_names[i % 2]);
      json_builder_set_member_name (b, "g_lo_us");
      json_builder_add_double_value (b, h->g_lo);
      json_builder_set_member_name (b, "g_hi_us");
      json_builder_add_double_value (b, h->g_hi);
      json_builder_set_member_name (b, "bins");
      json_builder_add_int_value (b, h->bins);
      for (int s = 0; s < (written && vx_xbar_hist_has_written (h) ? 3 : 2); s++)
        add_stage (b, h, s);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
