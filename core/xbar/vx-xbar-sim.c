/* vx-xbar-sim.c: the crossbar simulator: VxMatmulHooks in functional mode; static
 * arrays and their linear products (the K/V hooks are in vx-xbar-sim-kv.c) */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vx-kernels.h"
#include "vx-xbar-private.h"

#define STAMP_NONE G_MININT64

static guint64 tag_static, tag_cell_static;

static void
init_tags (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      tag_static = vx_rng_tag (XBAR_TAG_STATIC);
      tag_cell_static = vx_rng_tag (XBAR_TAG_CELL_STATIC);
      g_once_init_leave (&done, 1);
    }
}

static gboolean
is_analog (const VxXbarSim *sim, VxMatmulKind kind)
{
  return _vx_xbar_is_analog (sim, kind);
}

/* ---- scratch pool ------------------------------------------------------------------------ */

static XbarScratch *
scratch_new (const VxXbarSim *sim)
{
  int N = sim->N, Dh = sim->Dh, W = MAX (N, Dh);
  XbarScratch *sc = g_new0 (XbarScratch, 1);
  sc->lev = g_new (float, (size_t) N * Dh);
  sc->levT = g_new (float, (size_t) N * Dh);
  sc->z = g_new (float, (size_t) 2 * N * Dh);
  sc->dec = g_new (float, (size_t) N * Dh);
  sc->in = g_new (float, (size_t) N * W);
  sc->wmax = g_new (float, Dh);
  sc->unit = g_new (float, W);
  sc->tmp = g_new (float, (size_t) N * W);
  return sc;
}

static void
scratch_free (gpointer p)
{
  XbarScratch *sc = p;
  g_free (sc->lev);
  g_free (sc->levT);
  g_free (sc->z);
  g_free (sc->dec);
  g_free (sc->in);
  g_free (sc->wmax);
  g_free (sc->unit);
  g_free (sc->tmp);
  g_free (sc->hist);
  if (sc->circ)
    _vx_xbar_circ_scratch_free (sc->circ);
  g_free (sc);
}

XbarScratch *
_vx_xbar_scratch_take (VxXbarSim *sim)
{
  XbarScratch *sc = NULL;
  g_mutex_lock (&sim->pool_lock);
  if (sim->pool->len > 0)
    sc = g_ptr_array_steal_index_fast (sim->pool, sim->pool->len - 1);
  g_mutex_unlock (&sim->pool_lock);
  if (!sc)
    sc = scratch_new (sim);
  if (sim->observing && sc->hist_bins != sim->hist_bins)
    {
      g_free (sc->hist);
      sc->hist = g_new0 (guint64, vx_xbar_hist_len (sim->hist_bins));
      sc->hist_bins = sim->hist_bins;
    }
  return sc;
}

void
_vx_xbar_scratch_give (VxXbarSim *sim, XbarScratch *sc)
{
  g_mutex_lock (&sim->pool_lock);
  g_ptr_array_add (sim->pool, sc);
  g_mutex_unlock (&sim->pool_lock);
}

/* ---- creation -------------------------------------------------------------------------------- */

VxXbarSim *
vx_xbar_sim_new (const VxModel *m, const VxXbarConfig *cfg, GError **error)
{
  g_return_val_if_fail (m != NULL && cfg != NULL, NULL);
  if (!vx_xbar_config_validate (cfg, error) || !vx_arch_validate (&m->arch, error))
    return NULL;
  init_tags ();

  VxXbarSim *sim = g_new0 (VxXbarSim, 1);
  const VxArch *a = &m->arch;
  sim->model = m;
  sim->arch = *a;
  sim->N = vx_arch_num_tokens (a);
  sim->Np = vx_arch_num_patches (a);
  sim->D = a->embed_dim;
  sim->H = a->num_heads;
  sim->Dh = vx_arch_head_dim (a);
  sim->F = a->mlp_hidden;
  sim->depth = a->depth;
  sim->cfg = *cfg;
  sim->seed = cfg->seed;
  for (int t = 0; t < VX_FORWARD_MAX_LANES; t++)
    sim->lanes[t].cur_block = -1;
  _vx_xbar_map_init (&sim->map, cfg);

  sim->n_static = sim->depth * 4 + 3;
  sim->stat = g_new0 (XbarStatic, sim->n_static);
  for (int i = 0; i < sim->n_static; i++)
    sim->stat[i].stamp = STAMP_NONE;

  g_mutex_init (&sim->pool_lock);
  g_mutex_init (&sim->obs_lock);
  g_mutex_init (&sim->static_lock);
  sim->pool = g_ptr_array_new_with_free_func (scratch_free);

  sim->hooks.linear = _vx_xbar_sim_linear;
  sim->hooks.attn_qk = _vx_xbar_sim_attn_qk;
  sim->hooks.attn_sv = _vx_xbar_sim_attn_sv;
  sim->hooks.attn_out = _vx_xbar_sim_attn_out;
  sim->hooks.user = sim;
  _vx_xbar_sim_set_observing (sim, FALSE);
  return sim;
}

void
vx_xbar_sim_free (VxXbarSim *sim)
{
  if (!sim)
    return;
  for (int i = 0; i < sim->n_static; i++)
    g_free (sim->stat[i].noisy);
  g_free (sim->stat);
  for (int t = 0; t < VX_FORWARD_MAX_LANES; t++)
    {
      XbarLane *ln = &sim->lanes[t];
      g_free (ln->lin_in);
      g_free (ln->lin_w);
      g_free (ln->chan_max);
      g_free (ln->tensor_max);
      g_free (ln->slots);
    }
  g_free (sim->calib);
  g_ptr_array_unref (sim->pool);
  _vx_xbar_observe_free (sim);
  g_mutex_clear (&sim->pool_lock);
  g_mutex_clear (&sim->static_lock);
  g_mutex_clear (&sim->obs_lock);
  _vx_xbar_map_clear (&sim->map);
  g_free (sim);
}

const VxXbarConfig *
vx_xbar_sim_get_config (const VxXbarSim *sim)
{
  return &sim->cfg;
}

const VxMatmulHooks *
vx_xbar_sim_get_hooks (VxXbarSim *sim)
{
  return &sim->hooks;
}

void
_vx_xbar_sim_set_observing (VxXbarSim *sim, gboolean on)
{
  sim->observing = on;
  sim->hooks.concurrent_slices = !on && sim->cfg.kv_scale != VX_KV_SCALE_PER_BATCH;
}

void
vx_xbar_sim_set_seed (VxXbarSim *sim, guint64 seed)
{
  sim->seed = seed;
  sim->cfg.seed = seed;
  for (int i = 0; i < sim->n_static; i++)
    sim->stat[i].stamp = STAMP_NONE;
}

/* ---- static arrays ----------------------------------------------------------------------------- */

static int
static_id (const VxXbarSim *sim, const VxMatmulSite *site)
{
  switch (site->kind)
    {
    case VX_MM_QKV: return site->block * 4;
    case VX_MM_PROJ: return site->block * 4 + 1;
    case VX_MM_FC1: return site->block * 4 + 2;
    case VX_MM_FC2: return site->block * 4 + 3;
    case VX_MM_PATCH: return sim->depth * 4;
    case VX_MM_HEAD: return sim->depth * 4 + 1 + (site->which ? 1 : 0);
    case VX_MM_QK:
    case VX_MM_SV:
    case VX_MM_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static int
rows_per_image (const VxXbarSim *sim, VxMatmulKind kind)
{
  return kind == VX_MM_PATCH ? sim->Np : kind == VX_MM_HEAD ? 1 : sim->N;
}

/* the noise stamp of a static array for this site: batch, or 0 for once per run */
static int64_t
static_stamp (const VxXbarSim *sim, const VxMatmulSite *site)
{
  return sim->cfg.static_noise == VX_STATIC_NOISE_ONCE ? 0 : site->batch;
}

/* row groups of a static array with a scale each: the fused W_QKV holds the
 * three matrices W_Q, W_K and W_V (rows 0..D-1, D..2D-1, 2D..3D-1), each
 * mapped with its own w_max, as three separate crossbar matrices would be */
static int
static_parts (const VxXbarSim *sim, int id)
{
  return id < sim->depth * 4 && id % 4 == 0 ? 3 : 1;
}

static void
static_bind (XbarStatic *st, const float *w, int rows, int cols, int parts)
{
  if (st->src == w && st->rows == rows && st->cols == cols && st->parts == parts)
    return;
  g_assert (parts >= 1 && parts <= 3 && rows % parts == 0);
  size_t per = (size_t) rows / parts * cols;
  for (int k = 0; k < parts; k++)
    {
      float m = 0.f;
      for (size_t i = 0; i < per; i++)
        m = fmaxf (m, fabsf (w[k * per + i]));
      st->w_max[k] = m;
    }
  st->src = w;
  st->rows = rows;
  st->cols = cols;
  st->parts = parts;
  st->stamp = STAMP_NONE;
  g_clear_pointer (&st->noisy, g_free);
}

/* the scale of row r of a static array */
static inline float
static_row_max (const XbarStatic *st, int r)
{
  return st->w_max[r / (st->rows / st->parts)];
}

/* one row r of the decoded noisy copy of st's weight, noise stamp `stamp`:
 * one stream per (array, row), so the result does not depend on the thread count */
static void
static_decode_row (const VxXbarSim *sim, const XbarStatic *st, int id, int64_t stamp, int r,
                   float *o)
{
  int cols = st->cols;
  gboolean noisy = sim->cfg.sigma_r > 0;
  if (noisy)
    {
      VxRng g;
      vx_rng_init (&g, vx_rng_key (sim->seed, tag_static, stamp, id, r));
      vx_rng_normal_bulk (&g, o, cols);
    }
  _vx_xbar_decode_static (&sim->map, o, st->src + (size_t) r * cols, cols,
                          static_row_max (st, r), noisy ? o : NULL);
}

/* elements below which a loop runs on one thread (a parallel region costs more) */
#define PARALLEL_MIN 16384

/* dst (rows, cols) = decoded noisy copy of st's weight, noise stamp `stamp` */
static void
static_decode (const VxXbarSim *sim, const XbarStatic *st, int id, int64_t stamp, float *dst,
               int threads)
{
  int rows = st->rows, cols = st->cols;
  threads = threads > 0 ? threads : vx_get_num_threads ();
#pragma omp parallel for schedule(static) num_threads(threads) \
    if ((size_t) rows * cols >= PARALLEL_MIN)
  for (int r = 0; r < rows; r++)
    static_decode_row (sim, st, id, stamp, r, dst + (size_t) r * cols);
}

/* the cached decoded weights of a static array for a stamp (functional mode) */
static const float *
static_cached (VxXbarSim *sim, int id, const float *w, int rows, int cols, int64_t stamp,
               int threads)
{
  XbarStatic *st = &sim->stat[id];
  static_bind (st, w, rows, cols, static_parts (sim, id));
  if (st->stamp != stamp || !st->noisy)
    {
      if (!st->noisy)
        st->noisy = g_new (float, (size_t) rows * cols);
      static_decode (sim, st, id, stamp, st->noisy, threads);
      st->stamp = stamp;
    }
  return st->noisy;
}

/* the static arrays a batch decodes: ids and where each one's rows start in
 * the run of all their rows */
typedef struct {
  int n;
  int *ids;           /* (n_static) */
  int *first_row;     /* (n_static + 1) */
} DecodeList;

/* add array `id` (weight w, rows x cols) to the list when it is analog and not
 * yet decoded for `stamp`; binds it and allocates its cache */
static void
decode_list_add (VxXbarSim *sim, DecodeList *dl, VxMatmulKind kind, int id, const float *w,
                 int rows, int cols, int64_t stamp)
{
  if (!w || !is_analog (sim, kind))
    return;
  XbarStatic *st = &sim->stat[id];
  static_bind (st, w, rows, cols, static_parts (sim, id));
  if (!st->noisy)
    st->noisy = g_new (float, (size_t) rows * cols);
  if (st->stamp == stamp)
    return;
  dl->ids[dl->n] = id;
  dl->first_row[dl->n + 1] = dl->first_row[dl->n] + rows;
  dl->n++;
}

void
vx_xbar_sim_batch_begin (void *user, int64_t batch_index, int64_t first_image, int count)
{
  VxXbarSim *sim = user;
  const VxParams *p = &sim->model->params;
  const VxArch *a = &sim->arch;
  int D = sim->D, F = sim->F;
  if (sim->cfg.mode != VX_XBAR_FUNCTIONAL || sim->cfg.static_noise == VX_STATIC_NOISE_PER_IMAGE)
    return;
  int64_t stamp = sim->cfg.static_noise == VX_STATIC_NOISE_ONCE ? 0 : batch_index;

  int ids[sim->n_static], first_row[sim->n_static + 1];
  DecodeList dl = { 0, ids, first_row };
  first_row[0] = 0;
  for (int l = 0; l < sim->depth; l++)
    {
      const VxBlockParams *b = &p->blocks[l];
      decode_list_add (sim, &dl, VX_MM_QKV, l * 4, b->qkv_w, 3 * D, D, stamp);
      decode_list_add (sim, &dl, VX_MM_PROJ, l * 4 + 1, b->proj_w, D, D, stamp);
      decode_list_add (sim, &dl, VX_MM_FC1, l * 4 + 2, b->fc1_w, F, D, stamp);
      decode_list_add (sim, &dl, VX_MM_FC2, l * 4 + 3, b->fc2_w, D, F, stamp);
    }
  decode_list_add (sim, &dl, VX_MM_PATCH, sim->depth * 4, p->patch_w, D,
                   a->in_chans * a->patch_size * a->patch_size, stamp);
  decode_list_add (sim, &dl, VX_MM_HEAD, sim->depth * 4 + 1, p->head_w, a->num_classes, D, stamp);
  decode_list_add (sim, &dl, VX_MM_HEAD, sim->depth * 4 + 2, p->head_dist_w, a->num_classes, D,
                   stamp);

  /* all rows of all arrays in one parallel loop: each row is its own stream,
   * so how the rows are split does not change the numbers */
  int total = first_row[dl.n], threads = sim->threads > 0 ? sim->threads : vx_get_num_threads ();
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) if (total > 1)
  for (int i = 0; i < total; i++)
    {
      int k = 0;
      while (first_row[k + 1] <= i)
        k++;
      const XbarStatic *st = &sim->stat[ids[k]];
      int r = i - first_row[k];
      static_decode_row (sim, st, ids[k], stamp, r, st->noisy + (size_t) r * st->cols);
    }
  for (int k = 0; k < dl.n; k++)
    sim->stat[ids[k]].stamp = stamp;
}

/* signed levels of the stored operand W^T (Kin, Nout) of a static array (circuit mode) */
static float *
static_levels_T (const VxXbarSim *sim, const XbarStatic *st)
{
  int rows = st->rows, cols = st->cols;   /* W is (Nout = rows, Kin = cols) */
  float *levT = g_new (float, (size_t) rows * cols);
  for (int r = 0; r < rows; r++)
    {
      float m = static_row_max (st, r), inv = m > 0 ? sim->map.Lf / m : 0.f;
      for (int c = 0; c < cols; c++)
      {
        float w = st->src[(size_t) r * cols + c];
        float q = xbar_roundf (fminf (fabsf (w) * inv, sim->map.Lf));
        levT[(size_t) c * rows + r] = w < 0 ? -q : q;
      }
    }
  return levT;
}

static float *
grow (float **buf, size_t *cap, size_t n)
{
  if (*cap < n)
    {
      g_free (*buf);
      *buf = g_new (float, n);
      *cap = n;
    }
  return *buf;
}

static void
add_bias (float *out, const float *bias, int M, int Nout)
{
  if (!bias)
    return;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < Nout; j++)
      out[(size_t) i * Nout + j] += bias[j];
}

/* Maxima of the K and V just computed, in one vectorised pass over the product:
 * every channel's max over the tokens of each image, then each image's tensor
 * max and the batch max; the attention hooks take per-tensor and per-batch
 * scales from these. Per-head and per-channel scales need only the hook's own
 * slice, which the hook reads anyway: it takes them from there (one pass the
 * fewer over the product). Also resets the statistics slots. */
static void
note_qkv (VxXbarSim *sim, const VxMatmulSite *site, const float *out, int M)
{
  int N = sim->N, D = sim->D, B = M / N;
  XbarLane *ln = &sim->lanes[site->lane];
  ln->cur_first_image = site->image;
  ln->cur_block = site->block;
  ln->cur_batch = B;
  ln->chan_noted = FALSE;
  if (B > ln->cap_batch)
    {
      g_free (ln->chan_max);
      g_free (ln->tensor_max);
      g_free (ln->slots);
      ln->chan_max = g_new (float, (size_t) 2 * B * D);
      ln->tensor_max = g_new (float, (size_t) 2 * B);
      ln->slots = g_new0 (XbarGroupStat, (size_t) B * sim->H * 2);
      ln->cap_batch = B;
    }
  if (sim->observing)
    memset (ln->slots, 0, sizeof (XbarGroupStat) * B * sim->H * 2);
  if (sim->cfg.kv_scale != VX_KV_SCALE_PER_TENSOR && sim->cfg.kv_scale != VX_KV_SCALE_PER_BATCH)
    return;
  int threads = site->threads > 0 ? site->threads : vx_get_num_threads ();
#pragma omp parallel for schedule(static) num_threads(threads) \
    if ((size_t) B * N * D >= PARALLEL_MIN)
  for (int b = 0; b < B; b++)
    for (int kv = 0; kv < 2; kv++)
      {
        float *cm = ln->chan_max + ((size_t) b * 2 + kv) * D;
        memset (cm, 0, sizeof (float) * D);
        for (int t = 0; t < N; t++)
          {
            const float *x = out + ((size_t) b * N + t) * 3 * D + (size_t) (kv + 1) * D;
#pragma omp simd
            for (int j = 0; j < D; j++)
              {
                /* not fmaxf: that is a library call here */
                float a = fabsf (x[j]);
                cm[j] = a > cm[j] ? a : cm[j];
              }
          }
        float m = 0.f;
        for (int j = 0; j < D; j++)
          m = cm[j] > m ? cm[j] : m;
        ln->tensor_max[b * 2 + kv] = m;
      }
  ln->batch_max[0] = ln->batch_max[1] = 0.f;
  for (int b = 0; b < B; b++)
    for (int kv = 0; kv < 2; kv++)
      {
        float m = ln->tensor_max[b * 2 + kv];
        ln->batch_max[kv] = m > ln->batch_max[kv] ? m : ln->batch_max[kv];
      }
  ln->chan_noted = TRUE;
}

void
_vx_xbar_sim_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
                     const float *weight, const float *bias, int M, int Kin, int Nout)
{
  VxXbarSim *sim = user;
  int threads = site->threads > 0 ? site->threads : vx_get_num_threads ();
  XbarLane *ln = &sim->lanes[site->lane];
  if (site->lanes <= 1)
    sim->threads = threads;   /* for the next batch's vx_xbar_sim_batch_begin */
  if (!is_analog (sim, site->kind))
    {
      vx_linear_forward (out, in, weight, bias, M, Kin, Nout, threads);
      if (site->kind == VX_MM_QKV)
        note_qkv (sim, site, out, M);
      return;
    }
  int rpi = rows_per_image (sim, site->kind), B = M / rpi;
  int id = static_id (sim, site);
  g_assert (B * rpi == M);

  /* inputs: symmetric, per-tensor dynamic scale, one tensor per image (circuit
   * mode quantises them itself, into integers) */
  gboolean circuit = sim->cfg.mode == VX_XBAR_CIRCUIT;
  float *xq = NULL;
  if (!circuit)
    {
      xq = grow (&ln->lin_in, &ln->lin_in_cap, (size_t) M * Kin);
#pragma omp parallel for schedule(static) num_threads(threads) \
    if ((size_t) M * Kin >= PARALLEL_MIN)
      for (int b = 0; b < B; b++)
        _vx_xbar_quantize_inputs (&sim->map, xq + (size_t) b * rpi * Kin,
                                  in + (size_t) b * rpi * Kin, rpi, Kin, Kin, TRUE, FALSE);
    }

  gboolean per_image = sim->cfg.static_noise == VX_STATIC_NOISE_PER_IMAGE;
  if (!circuit && !per_image)
    {
      g_mutex_lock (&sim->static_lock);
      const float *wq = static_cached (sim, id, weight, Nout, Kin, static_stamp (sim, site),
                                       threads);
      g_mutex_unlock (&sim->static_lock);
      vx_linear_forward (out, xq, wq, bias, M, Kin, Nout, threads);
    }
  else if (!circuit)
    {
      XbarStatic *st = &sim->stat[id];
      g_mutex_lock (&sim->static_lock);
      static_bind (st, weight, Nout, Kin, static_parts (sim, id));
      g_mutex_unlock (&sim->static_lock);
      float *wq = grow (&ln->lin_w, &ln->lin_w_cap, (size_t) Nout * Kin);
      for (int b = 0; b < B; b++)
        {
          static_decode (sim, st, id, site->image + b, wq, threads);
          vx_linear_forward (out + (size_t) b * rpi * Nout, xq + (size_t) b * rpi * Kin, wq, bias,
                             rpi, Kin, Nout, threads);
        }
    }
  else
    {
      XbarStatic *st = &sim->stat[id];
      g_mutex_lock (&sim->static_lock);
      static_bind (st, weight, Nout, Kin, static_parts (sim, id));
      g_autofree float *levT = static_levels_T (sim, st);
      g_mutex_unlock (&sim->static_lock);
      XbarScratch *sc = _vx_xbar_scratch_take (sim);
      float unit = st->w_max[0] / sim->map.Lf;
      /* several scales: one unit per output column (a row of W) */
      g_autofree float *col_unit = NULL;
      if (st->parts > 1)
        {
          col_unit = g_new (float, Nout);
          for (int j = 0; j < Nout; j++)
            col_unit[j] = static_row_max (st, j) / sim->map.Lf;
        }
      int groups = per_image ? B : 1, rows = per_image ? rpi : M;
      for (int g = 0; g < groups; g++)
        {
          int64_t stamp = per_image ? site->image + g : static_stamp (sim, site);
          guint64 key = vx_rng_key (sim->seed, tag_cell_static, stamp, id, -1);
          _vx_xbar_circuit_matmul (sim, sc, out + (size_t) g * rows * Nout, Nout,
                                   in + (size_t) g * rows * Kin, Kin, rows, rpi, FALSE, levT,
                                   Kin, Nout,
                                   sim->cfg.weight_bits, col_unit, unit, FALSE, key);
        }
      _vx_xbar_scratch_give (sim, sc);
      add_bias (out, bias, M, Nout);
    }
  if (site->kind == VX_MM_QKV)
    note_qkv (sim, site, out, M);
}

/* ---- calibration ----------------------------------------------------------------------------- */

typedef struct {
  const VxXbarSim *sim;
  float *maxima;     /* (depth, H, 2) */
} CalibCtx;

static void
calib_linear (void *user, const VxMatmulSite *site, float *out, const float *in,
              const float *weight, const float *bias, int M, int Kin, int Nout)
{
  CalibCtx *c = user;
  vx_linear_forward (out, in, weight, bias, M, Kin, Nout, site->threads);
  if (site->kind != VX_MM_QKV)
    return;
  int D = c->sim->D, H = c->sim->H, Dh = c->sim->Dh;
  for (int i = 0; i < M; i++)
    for (int kv = 0; kv < 2; kv++)
      for (int h = 0; h < H; h++)
        {
          const float *x = out + (size_t) i * 3 * D + (size_t) (kv + 1) * D + (size_t) h * Dh;
          float *m = &c->maxima[((size_t) site->block * H + h) * 2 + kv];
          for (int j = 0; j < Dh; j++)
            *m = fmaxf (*m, fabsf (x[j]));
        }
}

gboolean
vx_xbar_sim_calibrate (VxXbarSim *sim, const VxDataset *ds, int limit, GError **error)
{
  CalibCtx c = { sim, g_new0 (float, (size_t) sim->depth * sim->H * 2) };
  VxMatmulHooks hooks = { 0 };
  hooks.linear = calib_linear;
  hooks.user = &c;
  VxEvalOpts eo = { 0 };
  eo.limit = limit;
  eo.hooks = &hooks;
  VxEvalResult er;
  if (!vx_eval_run (sim->model, ds, &eo, &er, error))
    {
      g_free (c.maxima);
      return FALSE;
    }
  vx_eval_result_clear (&er);
  g_free (sim->calib);
  sim->calib = c.maxima;
  return TRUE;
}

void
vx_xbar_sim_set_calibration (VxXbarSim *sim, const float *k_max, const float *v_max)
{
  size_t n = (size_t) sim->depth * sim->H;
  if (!sim->calib)
    sim->calib = g_new (float, n * 2);
  for (size_t i = 0; i < n; i++)
    {
      sim->calib[i * 2] = k_max[i];
      sim->calib[i * 2 + 1] = v_max[i];
    }
}

gboolean
vx_xbar_sim_is_calibrated (const VxXbarSim *sim)
{
  return sim->calib != NULL;
}
