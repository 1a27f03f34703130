/* vx-xbar-observe.c: SNR (eq. 4), conductance histograms, K/V statistics */
#define G_LOG_DOMAIN "vx-xbar"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vx-xbar-private.h"

/* ---- SNR ------------------------------------------------------------------------------------ */

double
vx_xbar_snr_db (double signal, double error, gboolean *capped)
{
  double db = VX_XBAR_SNR_CAP_DB;
  gboolean cap = TRUE;
  if (error > 0 && signal > 0)
    {
      db = 10.0 * log10 (signal / error);
      cap = db >= VX_XBAR_SNR_CAP_DB;
      if (cap)
        db = VX_XBAR_SNR_CAP_DB;
    }
  else if (error > 0)
    {
      /* no signal at all but an error: as bad as it gets */
      db = -VX_XBAR_SNR_CAP_DB;
      cap = TRUE;
    }
  if (capped)
    *capped = cap;
  return db;
}

void
vx_xbar_snr_accumulate (double *signal, double *error, const float *ideal, const float *noisy,
                        size_t n)
{
  double s = 0.0, e = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) ideal[i] - noisy[i];
      s += (double) ideal[i] * ideal[i];
      e += d * d;
    }
  *signal += s;
  *error += e;
}

/* ---- histograms ------------------------------------------------------------------------------ */

void
_vx_xbar_hist_init (VxXbarHist *h, int bins, double g_lo, double g_hi)
{
  memset (h, 0, sizeof *h);
  h->bins = bins;
  h->g_lo = g_lo;
  h->g_hi = g_hi;
  h->counts = g_new0 (guint64, vx_xbar_hist_len (bins));
  for (int s = 0; s < VX_XBAR_HIST_STAGES; s++)
    h->max_level[s] = -1;
}

void
_vx_xbar_hist_clear (VxXbarHist *h)
{
  g_clear_pointer (&h->counts, g_free);
}

void
_vx_xbar_hist_add (VxXbarHist *dst, const VxXbarHist *src)
{
  g_return_if_fail (dst->bins == src->bins);
  for (size_t i = 0; i < vx_xbar_hist_len (dst->bins); i++)
    dst->counts[i] += src->counts[i];
  for (int s = 0; s < VX_XBAR_HIST_STAGES; s++)
    {
      for (int a = 0; a < 2; a++)
        {
          dst->cells[s][a] += src->cells[s][a];
          dst->at_gmin[s][a] += src->at_gmin[s][a];
        }
      dst->max_level[s] = MAX (dst->max_level[s], src->max_level[s]);
    }
  for (int a = 0; a < 2; a++)
    {
      dst->below[a] += src->below[a];
      dst->above[a] += src->above[a];
    }
}

double
vx_xbar_hist_frac_at_gmin (const VxXbarHist *h, int stage)
{
  guint64 cells = h->cells[stage][0] + h->cells[stage][1];
  return cells ? (double) (h->at_gmin[stage][0] + h->at_gmin[stage][1]) / cells : 0.0;
}

int
vx_xbar_hist_bits_needed (const VxXbarHist *h, int stage)
{
  return h->max_level[stage] < 0 ? 0 : vx_xbar_bits_for_level (h->max_level[stage]);
}

/* ---- K/V statistics of one group -------------------------------------------------------------- */

static int
cmp_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

typedef struct {
  guint64 *hist;          /* (3, 2, bins) or NULL */
  const int *level_bin;   /* (L + 1) */
  int bins, L;
  gboolean written;       /* count stage 2, as written */
  const float *z1;        /* write-noise normals (rows, cols), NULL: none */
  float write_k;
  guint64 cells[3][2], at_gmin[3][2], below[2], above[2];
  int max_level[3];
} GroupHist;

/* count one value v: level q as mapped, p as programmed; z its write-noise normal */
static inline void
hist_count (GroupHist *gh, float v, int q, int p, float z)
{
  int act = v < 0.f ? 1 : 0, bins = gh->bins;
  int lv[2] = { q, p };
  for (int s = 0; s < 2; s++)
    {
      guint64 *row = gh->hist + (size_t) s * 2 * bins;
      row[(size_t) act * bins + gh->level_bin[lv[s]]]++;
      row[(size_t) (1 - act) * bins + gh->level_bin[0]]++;
      gh->at_gmin[s][1 - act]++;
      gh->at_gmin[s][act] += lv[s] == 0;
      gh->max_level[s] = MAX (gh->max_level[s], lv[s]);
    }
  if (!gh->written)
    return;
  /* eq. 3 in level units, as the decoder writes it: the active array at p +
   * write_k sqrt(p) z1, the idle one stays at G_min */
  guint64 *row = gh->hist + (size_t) 4 * bins;
  row[(size_t) (1 - act) * bins + gh->level_bin[0]]++;
  gh->at_gmin[2][1 - act]++;
  float a = (float) p + gh->write_k * xbar_sqrtf ((float) p) * z;
  if (a < 0.f)
    gh->below[act]++;
  else if (a > (float) gh->L)
    gh->above[act]++;
  else
    {
      row[(size_t) act * bins + MIN (bins - 1, (int) ((double) a * bins / gh->L))]++;
      gh->at_gmin[2][act] += a == 0.f;
    }
}

/* statistics of x (rows, cols; stride ld) with per-column scales wmax */
static void
group_stats (const VxXbarConfig *cfg, const XbarMap *mp, XbarGroupStat *st, GroupHist *gh,
             const float *x, int rows, int cols, int ld, const float *wmax)
{
  size_t n = (size_t) rows * cols;
  double sum_abs = 0.0, sum = 0.0, max_abs = 0.0;
  float *chan = g_new0 (float, cols);
  float *inv = g_new (float, cols);
  double *zt = g_new (double, cols), *ct = g_new (double, cols);
  for (int c = 0; c < cols; c++)
    {
      inv[c] = wmax[c] > 0.f ? mp->Lf / wmax[c] : 0.f;
      vx_xbar_clip_thresholds (cfg, wmax[c], &zt[c], &ct[c]);
    }

  memset (st, 0, sizeof *st);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      {
        float v = x[(size_t) r * ld + c], a = fabsf (v);
        sum += v;
        sum_abs += a;
        max_abs = MAX (max_abs, a);
        chan[c] = fmaxf (chan[c], a);
        if (wmax[c] > 0.f && a <= zt[c])
          st->zeroed++;
        if (wmax[c] > 0.f && a > ct[c])
          st->clipped++;
        int q = (int) xbar_roundf (fminf (a * inv[c], mp->Lf));
        int p = (int) mp->kv_lut[q];
        st->max_level = MAX (st->max_level, p);
        if (gh)
          hist_count (gh, v, q, p, gh->z1 ? gh->z1[(size_t) r * cols + c] : 0.f);
      }
  if (gh)
    for (int s = 0; s < (gh->written ? 3 : 2); s++)
      gh->cells[s][0] = gh->cells[s][1] = n;

  double mean = n ? sum / n : 0.0, m2 = 0.0, m4 = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      {
        double d = x[(size_t) r * ld + c] - mean, d2 = d * d;
        m2 += d2;
        m4 += d2 * d2;
      }
  if (n)
    {
      m2 /= n;
      m4 /= n;
    }
  st->n = n;
  st->max_over_mean = sum_abs > 0 ? max_abs / (sum_abs / n) : 0.0;
  st->kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3.0 : 0.0;

  float top = 0.f;
  for (int c = 0; c < cols; c++)
    top = fmaxf (top, chan[c]);
  qsort (chan, cols, sizeof (float), cmp_float);
  double median = cols % 2 ? chan[cols / 2] : 0.5 * (chan[cols / 2 - 1] + chan[cols / 2]);
  st->chan_ratio = median > 0 ? top / median : 1.0;
  st->valid = TRUE;
  g_free (chan);
  g_free (inv);
  g_free (zt);
  g_free (ct);
}

static void
acc_add (XbarStatAcc *acc, const XbarGroupStat *st)
{
  acc->sum_max_over_mean += st->max_over_mean;
  acc->sum_kurtosis += st->kurtosis;
  acc->sum_chan_ratio += st->chan_ratio;
  acc->groups++;
  acc->values += st->n;
  acc->clipped += st->clipped;
  acc->zeroed += st->zeroed;
  acc->max_level = MAX (acc->max_level, st->max_level);
}

void
_vx_xbar_stats_finish (VxKvStats *out, const XbarStatAcc *acc)
{
  memset (out, 0, sizeof *out);
  out->groups = acc->groups;
  out->values = acc->values;
  if (acc->groups)
    {
      out->max_over_mean = acc->sum_max_over_mean / acc->groups;
      out->excess_kurtosis = acc->sum_kurtosis / acc->groups;
      out->channel_max_ratio = acc->sum_chan_ratio / acc->groups;
    }
  if (acc->values)
    {
      out->share_clipped = (double) acc->clipped / acc->values;
      out->share_zeroed = (double) acc->zeroed / acc->values;
    }
  out->max_level = acc->max_level;
  out->bits_used = acc->groups ? vx_xbar_bits_for_level (acc->max_level) : 0;
}

void
vx_xbar_kv_stats_compute (const VxXbarConfig *cfg, VxKvStats *out, const float *x, int rows,
                          int cols, int ld, double w_max)
{
  XbarMap mp;
  _vx_xbar_map_init (&mp, cfg);
  if (w_max <= 0)
    {
      w_max = 0;
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
          w_max = MAX (w_max, fabs (x[(size_t) r * ld + c]));
    }
  float *wmax = g_new (float, cols);
  for (int c = 0; c < cols; c++)
    wmax[c] = (float) w_max;
  XbarGroupStat st;
  XbarStatAcc acc = { 0 };
  group_stats (cfg, &mp, &st, NULL, x, rows, cols, ld, wmax);
  acc_add (&acc, &st);
  _vx_xbar_stats_finish (out, &acc);
  g_free (wmax);
  _vx_xbar_map_clear (&mp);
}

/* ---- observation in the simulator ------------------------------------------------------------ */

void
_vx_xbar_observe_alloc (VxXbarSim *sim, int bins)
{
  int n = sim->depth * 2, L = sim->map.L;
  sim->hist_bins = bins;
  sim->hists = g_new0 (VxXbarHist, n);
  for (int i = 0; i < n; i++)
    _vx_xbar_hist_init (&sim->hists[i], bins, sim->cfg.g_min, sim->cfg.g_max);
  sim->acc = g_new0 (XbarStatAcc, n);
  sim->stats = g_new0 (VxKvStats, n);
  sim->level_bin = g_new (int, L + 1);
  /* level q sits at G_min + q dG / L: the fraction q / L of the range */
  for (int q = 0; q <= L; q++)
    sim->level_bin[q] = MIN (bins - 1, (int) ((double) q * bins / L));
}

void
_vx_xbar_observe_free (VxXbarSim *sim)
{
  if (sim->hists)
    for (int i = 0; i < sim->depth * 2; i++)
      _vx_xbar_hist_clear (&sim->hists[i]);
  g_clear_pointer (&sim->hists, g_free);
  g_clear_pointer (&sim->acc, g_free);
  g_clear_pointer (&sim->stats, g_free);
  g_clear_pointer (&sim->level_bin, g_free);
}

void
vx_xbar_sim_observe (VxXbarSim *sim, gboolean on, int hist_bins)
{
  if (hist_bins <= 0)
    hist_bins = VX_XBAR_HIST_BINS_DEFAULT;
  _vx_xbar_observe_free (sim);
  _vx_xbar_sim_set_observing (sim, on);
  if (on)
    _vx_xbar_observe_alloc (sim, hist_bins);
}

const VxXbarHist *
vx_xbar_sim_get_hists (const VxXbarSim *sim)
{
  return sim->hists;
}

const VxKvStats *
vx_xbar_sim_get_kv_stats (const VxXbarSim *sim)
{
  return sim->stats;
}

void
_vx_xbar_observe_group (VxXbarSim *sim, XbarScratch *sc, int block, int kv, XbarGroupStat *slot,
                        const float *x, int rows, int cols, int ld, const float *wmax,
                        const float *z1)
{
  int bins = sim->hist_bins;
  /* circuit mode draws its write noise per cell in the circuit: no written stage */
  GroupHist gh = { .hist = sc->hist, .level_bin = sim->level_bin, .bins = bins,
                   .L = sim->map.L, .written = sim->cfg.mode != VX_XBAR_CIRCUIT,
                   .z1 = sim->map.write_k > 0.f ? z1 : NULL, .write_k = sim->map.write_k,
                   .max_level = { -1, -1, -1 } };
  memset (sc->hist, 0, sizeof (guint64) * vx_xbar_hist_len (bins));
  group_stats (&sim->cfg, &sim->map, slot, &gh, x, rows, cols, ld, wmax);

  /* integer counts: the merge order does not change the result */
  VxXbarHist *h = &sim->hists[block * 2 + kv];
  VxXbarHist part = { .bins = bins, .counts = sc->hist };
  memcpy (part.cells, gh.cells, sizeof part.cells);
  memcpy (part.at_gmin, gh.at_gmin, sizeof part.at_gmin);
  memcpy (part.max_level, gh.max_level, sizeof part.max_level);
  memcpy (part.below, gh.below, sizeof part.below);
  memcpy (part.above, gh.above, sizeof part.above);
  g_mutex_lock (&sim->obs_lock);
  _vx_xbar_hist_add (h, &part);
  g_mutex_unlock (&sim->obs_lock);
}

void
_vx_xbar_observe_reduce (VxXbarSim *sim, int block, int B)
{
  /* floating-point sums in image order, so the thread count cannot change them */
  for (int kv = 0; kv < 2; kv++)
    {
      XbarStatAcc *acc = &sim->acc[block * 2 + kv];
      for (int b = 0; b < B; b++)
        for (int h = 0; h < sim->H; h++)
          {
            XbarGroupStat *st = &sim->lanes[0].slots[((size_t) b * sim->H + h) * 2 + kv];
            if (st->valid)
              acc_add (acc, st);
            st->valid = FALSE;
          }
      _vx_xbar_stats_finish (&sim->stats[block * 2 + kv], acc);
    }
}
