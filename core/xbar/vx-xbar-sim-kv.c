/* vx-xbar-sim-kv.c: the crossbar simulator's attention hooks: Q K^T and S V with
 * K and V written into crossbars for each (image, head) */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "vx-xbar-private.h"

static guint64 tag_kv, tag_cell_kv;

static void
init_tags (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      tag_kv = vx_rng_tag (XBAR_TAG_KV);
      tag_cell_kv = vx_rng_tag (XBAR_TAG_CELL_KV);
      g_once_init_leave (&done, 1);
    }
}

/* ---- K and V ------------------------------------------------------------------------------------ */

/* wmax (cols) for one head's K or V (rows tokens x cols channels, stride ld):
 * per-tensor and per-batch scales from the maxima noted with the QKV product,
 * per-channel and per-head ones from x itself */
static void
kv_scales (VxXbarSim *sim, const VxMatmulSite *site, int kv, float *wmax, const float *x,
           int rows, int cols, int ld)
{
  const XbarLane *ln = &sim->lanes[site->lane];
  int b = (int) (site->image - ln->cur_first_image);
  gboolean noted = ln->chan_noted && site->block == ln->cur_block && b >= 0
                   && b < ln->cur_batch;
  float m = 0.f;
  switch (sim->cfg.kv_scale)
    {
    case VX_KV_SCALE_PER_CHANNEL:
      _vx_xbar_col_abs_max (wmax, x, rows, cols, ld);
      return;
    case VX_KV_SCALE_PER_TENSOR:
      g_assert (noted);
      m = ln->tensor_max[b * 2 + kv];
      break;
    case VX_KV_SCALE_PER_BATCH:
      g_assert (noted);
      m = ln->batch_max[kv];
      break;
    case VX_KV_SCALE_CALIBRATED:
      if (sim->calib)
        {
          m = sim->calib[((size_t) site->block * sim->H + site->head) * 2 + kv];
          break;
        }
      g_critical ("crossbar: calibrated K/V scales used before vx_xbar_sim_calibrate; "
                  "using the per-head maximum");
      G_GNUC_FALLTHROUGH;
    case VX_KV_SCALE_PER_HEAD:
    case VX_KV_SCALE_N:
    default:
      _vx_xbar_col_abs_max (wmax, x, rows, cols, ld);
      for (int c = 0; c < cols; c++)
        m = wmax[c] > m ? wmax[c] : m;
      break;
    }
  for (int c = 0; c < cols; c++)
    wmax[c] = m;
}

static XbarGroupStat *
slot_for (VxXbarSim *sim, const VxMatmulSite *site, int kv)
{
  XbarLane *ln = &sim->lanes[site->lane];
  int b = (int) (site->image - ln->cur_first_image);
  g_assert (b >= 0 && b < ln->cur_batch);
  return &ln->slots[((size_t) b * sim->H + site->head) * 2 + kv];
}

/* normals for one (image, head) K or V array: z (2, N, Dh): write, then read */
static void
kv_normals (const VxXbarSim *sim, const VxMatmulSite *site, int kv, float *z, size_t n,
            const float **z1, const float **z2)
{
  gboolean w = sim->map.write_k > 0.f, r = sim->map.sigma_r > 0.f;
  *z1 = *z2 = NULL;
  if (!w && !r)
    return;
  VxRng g;
  init_tags ();
  vx_rng_init (&g, vx_rng_key (sim->seed, tag_kv, site->image, site->block, site->head * 2 + kv));
  vx_rng_normal_bulk (&g, z, 2 * n);
  *z1 = w ? z : NULL;
  *z2 = r ? z + n : NULL;
}

/* Ask for the rows (rows, cols; stride ld) of one head's slice of the QKV
 * product ahead of use: the slices are strided, one or two cache lines a row,
 * and the hooks draw their normals (arithmetic only) while these arrive. */
static inline void
prefetch_rows (const float *x, int rows, int cols, int ld)
{
  for (int r = 0; r < rows; r++)
    {
      const float *row = x + (size_t) r * ld;
      for (int c = 0; c < cols; c += 16)
        __builtin_prefetch (row + c);
      __builtin_prefetch (row + cols - 1);
    }
}

static guint64
kv_cell_key (const VxXbarSim *sim, const VxMatmulSite *site, int kv)
{
  init_tags ();
  return vx_rng_key (sim->seed, tag_cell_kv, site->image, site->block, site->head * 2 + kv);
}

void
_vx_xbar_sim_attn_qk (void *user, const VxMatmulSite *site, float *scores, const float *q,
                      const float *k, int N, int Dh, int ld)
{
  VxXbarSim *sim = user;
  if (!_vx_xbar_is_analog (sim, VX_MM_QK))
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, q, ld, k, ld, 0.0f,
                   scores, N);
      return;
    }
  XbarScratch *sc = _vx_xbar_scratch_take (sim);
  const XbarMap *mp = &sim->map;
  gboolean per_channel = sim->cfg.kv_scale == VX_KV_SCALE_PER_CHANNEL;
  gboolean circuit = sim->cfg.mode == VX_XBAR_CIRCUIT;
  const float *z1 = NULL, *z2 = NULL;

  prefetch_rows (k, N, Dh, ld);
  prefetch_rows (q, N, Dh, ld);
  if (!circuit)
    kv_normals (sim, site, 0, sc->z, (size_t) N * Dh, &z1, &z2);
  kv_scales (sim, site, 0, sc->wmax, k, N, Dh, ld);
  _vx_xbar_kv_levels (mp, sc->lev, k, N, Dh, ld, sc->wmax);
  if (sim->observing)
    _vx_xbar_observe_group (sim, sc, site->block, 0, slot_for (sim, site, 0), k, N, Dh, ld,
                            sc->wmax, z1);

  /* K^T's per-row (channel) scale pre-multiplies the query inputs digitally;
   * a single scale is applied to the outputs instead (same product) */
  const float *x = q;
  int ldx = ld;
  float unit = mp->kv_dec / mp->Lf * (per_channel ? 1.0f : sc->wmax[0]);
  if (per_channel)
    {
      for (int t = 0; t < N; t++)
        for (int j = 0; j < Dh; j++)
          sc->tmp[(size_t) t * Dh + j] = q[(size_t) t * ld + j] * sc->wmax[j];
      x = sc->tmp;
      ldx = Dh;
    }

  if (circuit)
    {
      for (int t = 0; t < N; t++)
        for (int j = 0; j < Dh; j++)
          sc->levT[(size_t) j * N + t] = sc->lev[(size_t) t * Dh + j];
      _vx_xbar_circuit_matmul (sim, sc, scores, N, x, ldx, N, N, FALSE, sc->levT, Dh, N,
                               vx_xbar_kv_bits (&sim->cfg), NULL, unit, TRUE,
                               kv_cell_key (sim, site, 0));
    }
  else
    {
      for (int j = 0; j < Dh; j++)
        sc->unit[j] = unit;
      _vx_xbar_kv_decode (mp, sc->dec, sc->lev, N, Dh, sc->unit, z1, z2);
      _vx_xbar_quantize_inputs (mp, sc->in, x, N, Dh, ldx, TRUE, FALSE);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dh, 1.0f, sc->in, Dh,
                   sc->dec, Dh, 0.0f, scores, N);
    }
  _vx_xbar_scratch_give (sim, sc);
}

void
_vx_xbar_sim_attn_sv (void *user, const VxMatmulSite *site, float *out, int ld_out,
                      const float *s, const float *v, int N, int Dh, int ld)
{
  VxXbarSim *sim = user;
  if (!_vx_xbar_is_analog (sim, VX_MM_SV))
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, s, N, v, ld, 0.0f,
                   out, ld_out);
      return;
    }
  XbarScratch *sc = _vx_xbar_scratch_take (sim);
  const XbarMap *mp = &sim->map;
  gboolean circuit = sim->cfg.mode == VX_XBAR_CIRCUIT;
  const float *z1 = NULL, *z2 = NULL;

  prefetch_rows (v, N, Dh, ld);
  if (!circuit)
    kv_normals (sim, site, 1, sc->z, (size_t) N * Dh, &z1, &z2);
  kv_scales (sim, site, 1, sc->wmax, v, N, Dh, ld);
  _vx_xbar_kv_levels (mp, sc->lev, v, N, Dh, ld, sc->wmax);
  if (sim->observing)
    _vx_xbar_observe_group (sim, sc, site->block, 1, slot_for (sim, site, 1), v, N, Dh, ld,
                            sc->wmax, z1);
  /* V's per-column scale is a digital gain after the ADC */
  for (int j = 0; j < Dh; j++)
    sc->unit[j] = sc->wmax[j] * mp->kv_dec / mp->Lf;

  if (circuit)
    /* the softmax probabilities are never negative: unsigned inputs */
    _vx_xbar_circuit_matmul (sim, sc, out, ld_out, s, N, N, N, TRUE, sc->lev, N, Dh,
                             vx_xbar_kv_bits (&sim->cfg), sc->unit, 0.f, TRUE,
                             kv_cell_key (sim, site, 1));
  else
    {
      _vx_xbar_kv_decode (mp, sc->dec, sc->lev, N, Dh, sc->unit, z1, z2);
      _vx_xbar_quantize_inputs (mp, sc->in, s, N, N, N, TRUE, TRUE);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dh, N, 1.0f, sc->in, N,
                   sc->dec, Dh, 0.0f, out, ld_out);
    }
  _vx_xbar_scratch_give (sim, sc);
}

void
_vx_xbar_sim_attn_out (void *user, int block, int64_t first_image, const float *x,
                       int B, int N, int D)
{
  VxXbarSim *sim = user;
  if (sim->observing)
    _vx_xbar_observe_reduce (sim, block, B);
}
