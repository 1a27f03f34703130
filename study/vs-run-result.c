/* vs-run-result.c: staged results of one explorer setting, copies and JSON */
#define G_LOG_DOMAIN "vs-run-result"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-eval.h"
#include "vs-run-result.h"

#define MAX_DEPTH 1024
#define MAX_BINS 65536

static void
hist_init (VxXbarHist *h, int bins, double g_lo, double g_hi)
{
  memset (h, 0, sizeof *h);
  h->bins = bins;
  h->g_lo = g_lo;
  h->g_hi = g_hi;
  h->counts = g_new0 (guint64, vx_xbar_hist_len (bins));
  for (int s = 0; s < VX_XBAR_HIST_STAGES; s++)
    h->max_level[s] = -1;
}

static void
hist_copy (VxXbarHist *dst, const VxXbarHist *src)
{
  *dst = *src;
  dst->counts = g_memdup2 (src->counts, sizeof (guint64) * vx_xbar_hist_len (src->bins));
}

static void
run_result_clear (VsRunResult *r)
{
  if (r->hists)
    for (int i = 0; i < r->depth * 2; i++)
      g_free (r->hists[i].counts);
  g_free (r->hists);
  g_free (r->kv_stats);
  g_free (r->snr_db);
  g_free (r->snr_capped);
  g_free (r->correct_runs);
  g_free (r->done_runs);
}

VsRunResult *
vs_run_result_new (const VsRunSettings *s, int depth, int num_classes, int n)
{
  VsRunResult *r = g_atomic_rc_box_new0 (VsRunResult);
  r->settings = *s;
  r->depth = depth;
  r->num_classes = num_classes;
  r->n = n;
  r->repeats = MAX (1, s->repeats);
  r->correct_runs = g_new0 (int, r->repeats);
  r->done_runs = g_new0 (int, r->repeats);
  r->snr_mean_db = NAN;
  r->top1 = r->top1_lo = r->top1_hi = NAN;
  return r;
}

VsRunResult *
vs_run_result_copy (const VsRunResult *r)
{
  VsRunResult *c = (g_atomic_rc_box_dup) (sizeof *r, r);
  c->correct_runs = g_memdup2 (r->correct_runs, sizeof (int) * r->repeats);
  c->done_runs = g_memdup2 (r->done_runs, sizeof (int) * r->repeats);
  if (r->snr_db)
    {
      c->snr_db = g_memdup2 (r->snr_db, sizeof (double) * r->depth);
      c->snr_capped = g_memdup2 (r->snr_capped, sizeof (gboolean) * r->depth);
    }
  if (r->hists)
    {
      c->hists = g_new0 (VxXbarHist, r->depth * 2);
      for (int i = 0; i < r->depth * 2; i++)
        hist_copy (&c->hists[i], &r->hists[i]);
      c->kv_stats = g_memdup2 (r->kv_stats, sizeof (VxKvStats) * r->depth * 2);
    }
  return c;
}

VsRunResult *
vs_run_result_ref (VsRunResult *r)
{
  return g_atomic_rc_box_acquire (r);
}

void
vs_run_result_unref (VsRunResult *r)
{
  g_atomic_rc_box_release_full (r, (GDestroyNotify) run_result_clear);
}

void
vs_run_result_set_first (VsRunResult *r, const VxXbarEvalResult *x)
{
  g_assert (x->depth == r->depth);
  r->has_first = TRUE;
  r->snr_images = x->snr_images;
  if (x->snr_db)
    {
      g_free (r->snr_db);
      g_free (r->snr_capped);
      r->snr_db = g_memdup2 (x->snr_db, sizeof (double) * r->depth);
      r->snr_capped = g_memdup2 (x->snr_capped, sizeof (gboolean) * r->depth);
      r->snr_mean_db = x->snr_mean_db;
    }
  if (x->hists)
    {
      if (r->hists)
        for (int i = 0; i < r->depth * 2; i++)
          g_free (r->hists[i].counts);
      g_free (r->hists);
      g_free (r->kv_stats);
      r->hists = g_new0 (VxXbarHist, r->depth * 2);
      for (int i = 0; i < r->depth * 2; i++)
        hist_copy (&r->hists[i], &x->hists[i]);
      r->kv_stats = g_memdup2 (x->kv_stats, sizeof (VxKvStats) * r->depth * 2);
    }
}

void
vs_run_result_update_accuracy (VsRunResult *r)
{
  int done = 0, correct = 0, full = 0;
  double sum = 0.0, ss = 0.0;
  for (int i = 0; i < r->repeats; i++)
    {
      done += r->done_runs[i];
      correct += r->correct_runs[i];
      if (r->done_runs[i] == r->n && r->n > 0)
        {
          full++;
          sum += (double) r->correct_runs[i] / r->n;
        }
    }
  r->images_done = done;
  r->correct = correct;
  r->complete = full == r->repeats;
  /* while running, the pooled fraction; once complete, the mean over repeats
   * (the same number with equal repeats, as vx_xbar_eval_run reports it) */
  if (r->complete)
    r->top1 = sum / r->repeats;
  else
    r->top1 = done > 0 ? (double) correct / done : NAN;
  if (full > 1)
    {
      double mean = sum / full;
      for (int i = 0; i < r->repeats; i++)
        if (r->done_runs[i] == r->n)
          {
            double d = (double) r->correct_runs[i] / r->n - mean;
            ss += d * d;
          }
      r->top1_std = sqrt (ss / (full - 1));
    }
  else
    r->top1_std = 0.0;
  if (done > 0)
    vx_wilson_interval (correct, done, &r->top1_lo, &r->top1_hi);
  else
    r->top1_lo = r->top1_hi = NAN;
}

void
vs_run_result_add_batch (VsRunResult *r, int repeat, int count, int correct)
{
  g_assert (repeat >= 0 && repeat < r->repeats);
  r->done_runs[repeat] += count;
  r->correct_runs[repeat] += correct;
  vs_run_result_update_accuracy (r);
}

const VxXbarHist *
vs_run_result_hist (const VsRunResult *r, int block, int kv)
{
  if (!r || !r->hists || block < 0 || block >= r->depth || kv < 0 || kv > 1)
    return NULL;
  return &r->hists[block * 2 + kv];
}

double
vs_run_result_max_conductance (const VsRunResult *r, int block, int kv, int stage)
{
  const VxXbarHist *h = vs_run_result_hist (r, block, kv);
  if (!h || stage < 0 || stage > 1 || h->max_level[stage] < 0)
    return NAN;
  int L = (1 << r->settings.xbar.weight_bits) - 1;
  return h->g_lo + (h->g_hi - h->g_lo) * h->max_level[stage] / L;
}

/* ---- JSON ------------------------------------------------------------------------- */

static void
add_double_array (JsonBuilder *b, const char *name, const double *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; v && i < n; i++)
    {
      if (isfinite (v[i]))
        json_builder_add_double_value (b, v[i]);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_array (b);
}

static void
add_int_array (JsonBuilder *b, const char *name, const int *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
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

/* stage s's rows, cells and cells at G_min */
static void
add_stage_counts (JsonBuilder *b, const VxXbarHist *h, int s)
{
  for (int a = 0; a < 2; a++)
    {
      const guint64 *row = vx_xbar_hist_row (h, s, a);
      json_builder_set_member_name (b, a ? "g_minus" : "g_plus");
      json_builder_begin_array (b);
      for (int k = 0; k < h->bins; k++)
        json_builder_add_int_value (b, (gint64) row[k]);
      json_builder_end_array (b);
    }
  add_pair (b, "cells", h->cells[s]);
  add_pair (b, "at_gmin", h->at_gmin[s]);
}

static void
add_hist (JsonBuilder *b, const VxXbarHist *h, int index)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "block");
  json_builder_add_int_value (b, index / 2);
  json_builder_set_member_name (b, "matrix");
  json_builder_add_string_value (b, index % 2 ? "V" : "K");
  json_builder_set_member_name (b, "bins");
  json_builder_add_int_value (b, h->bins);
  add_number (b, "g_lo_us", h->g_lo);
  add_number (b, "g_hi_us", h->g_hi);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (int s = 0; s < 2; s++)
    {
      json_builder_begin_object (b);
      add_stage_counts (b, h, s);
      json_builder_set_member_name (b, "max_level");
      json_builder_add_int_value (b, h->max_level[s]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (vx_xbar_hist_has_written (h))
    {
      /* a member of its own, so files without it still read */
      json_builder_set_member_name (b, "written");
      json_builder_begin_object (b);
      add_stage_counts (b, h, 2);
      add_pair (b, "below_gmin", h->below);
      add_pair (b, "above_gmax", h->above);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

JsonNode *
vs_run_result_to_json (const VsRunResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "settings");
  json_builder_add_value (b, vs_run_settings_to_json (&r->settings));
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, r->depth);
  json_builder_set_member_name (b, "num_classes");
  json_builder_add_int_value (b, r->num_classes);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, r->n);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, r->repeats);
  add_int_array (b, "correct_runs", r->correct_runs, r->repeats);
  add_int_array (b, "done_runs", r->done_runs, r->repeats);
  add_number (b, "top1_mean", r->top1);
  add_number (b, "top1_std", r->top1_std);
  double ci[2] = { r->top1_lo, r->top1_hi };
  add_double_array (b, "top1_ci95", ci, 2);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, r->complete);
  json_builder_set_member_name (b, "has_first");
  json_builder_add_boolean_value (b, r->has_first);
  json_builder_set_member_name (b, "snr_images");
  json_builder_add_int_value (b, r->snr_images);
  if (r->snr_db)
    {
      add_double_array (b, "snr_db", r->snr_db, r->depth);
      json_builder_set_member_name (b, "snr_capped");
      json_builder_begin_array (b);
      for (int i = 0; i < r->depth; i++)
        json_builder_add_boolean_value (b, r->snr_capped[i]);
      json_builder_end_array (b);
      add_number (b, "snr_mean_db", r->snr_mean_db);
      add_number (b, "snr_cap_db", VX_XBAR_SNR_CAP_DB);
    }
  if (r->hists)
    {
      json_builder_set_member_name (b, "kv_stats");
      json_builder_begin_array (b);
      for (int i = 0; i < r->depth * 2; i++)
        json_builder_add_value (b, vx_kv_stats_to_json (&r->kv_stats[i]));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "histograms");
      json_builder_begin_array (b);
      for (int i = 0; i < r->depth * 2; i++)
        add_hist (b, &r->hists[i], i);
      json_builder_end_array (b);
    }
  add_number (b, "seconds", r->seconds);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- reading back: every member is checked, nothing is trusted ---- */

typedef struct {
  JsonObject *o;
  const char *where;
  GError **error;
  gboolean failed;
} Reader;

static void
reader_fail (Reader *rd, const char *member, const char *want)
{
  if (!rd->failed)
    g_set_error (rd->error, VX_ERROR, VX_ERROR_FORMAT, "%s: \"%s\" must be %s", rd->where,
                 member, want);
  rd->failed = TRUE;
}

static JsonNode *
reader_get (Reader *rd, const char *member, gboolean required)
{
  JsonNode *n = rd->o ? json_object_get_member (rd->o, member) : NULL;
  if (!n && required)
    reader_fail (rd, member, "present");
  return n;
}

static double
read_number (Reader *rd, const char *member, gboolean required)
{
  JsonNode *n = reader_get (rd, member, required);
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return NAN;
  GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    {
      reader_fail (rd, member, "a number");
      return NAN;
    }
  return json_node_get_double (n);
}

static gint64
read_int (Reader *rd, const char *member, gint64 lo, gint64 hi)
{
  JsonNode *n = reader_get (rd, member, TRUE);
  if (!n)
    return lo;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < lo || json_node_get_int (n) > hi)
    {
      g_autofree char *want = g_strdup_printf ("an integer in %" G_GINT64_FORMAT "..%"
                                               G_GINT64_FORMAT, lo, hi);
      reader_fail (rd, member, want);
      return lo;
    }
  return json_node_get_int (n);
}

static gboolean
read_bool (Reader *rd, const char *member)
{
  JsonNode *n = reader_get (rd, member, TRUE);
  if (!n)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    {
      reader_fail (rd, member, "true or false");
      return FALSE;
    }
  return json_node_get_boolean (n);
}

/* the array `member` of exactly n elements, or NULL (and a failure) */
static JsonArray *
read_array (Reader *rd, const char *member, int n)
{
  JsonNode *node = reader_get (rd, member, TRUE);
  if (!node)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node) || (n >= 0 && (int) json_array_get_length (json_node_get_array (node)) != n))
    {
      g_autofree char *want = g_strdup_printf ("an array of %d elements", n);
      reader_fail (rd, member, want);
      return NULL;
    }
  return json_node_get_array (node);
}

static gint64
element_int (Reader *rd, JsonArray *a, guint i, const char *member, gint64 lo, gint64 hi)
{
  JsonNode *n = json_array_get_element (a, i);
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < lo || json_node_get_int (n) > hi)
    {
      reader_fail (rd, member, "an array of integers in range");
      return lo;
    }
  return json_node_get_int (n);
}

static double
element_number (Reader *rd, JsonArray *a, guint i, const char *member)
{
  JsonNode *n = json_array_get_element (a, i);
  if (JSON_NODE_HOLDS_NULL (n))
    return NAN;
  GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    {
      reader_fail (rd, member, "an array of numbers");
      return NAN;
    }
  return json_node_get_double (n);
}

static void
read_kv_stats (Reader *parent, JsonNode *node, VxKvStats *s)
{
  Reader rd = { node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                "study results: kv_stats", parent->error, parent->failed };
  if (!rd.o)
    {
      reader_fail (parent, "kv_stats", "an array of objects");
      return;
    }
  s->groups = read_int (&rd, "groups", 0, G_MAXINT64);
  s->values = read_int (&rd, "values", 0, G_MAXINT64);
  s->max_over_mean = read_number (&rd, "max_over_mean", TRUE);
  s->excess_kurtosis = read_number (&rd, "excess_kurtosis", TRUE);
  s->channel_max_ratio = read_number (&rd, "channel_max_ratio", TRUE);
  s->share_clipped = read_number (&rd, "share_clipped", TRUE);
  s->share_zeroed = read_number (&rd, "share_zeroed", TRUE);
  s->max_level = read_int (&rd, "max_level", -1, G_MAXINT);
  s->bits_used = read_int (&rd, "bits_used", 0, 64);
  parent->failed = rd.failed;
}

static void
read_pair (Reader *rd, const char *name, guint64 v[2])
{
  JsonArray *arr = rd->failed ? NULL : read_array (rd, name, 2);
  for (int a = 0; arr && !rd->failed && a < 2; a++)
    v[a] = element_int (rd, arr, a, name, 0, G_MAXINT64);
}

static void
read_stage_counts (Reader *sr, VxXbarHist *h, int s)
{
  for (int a = 0; a < 2 && !sr->failed; a++)
    {
      JsonArray *row = read_array (sr, a ? "g_minus" : "g_plus", h->bins);
      guint64 *dst = vx_xbar_hist_row (h, s, a);
      for (int k = 0; row && !sr->failed && k < h->bins; k++)
        dst[k] = element_int (sr, row, k, "counts", 0, G_MAXINT64);
    }
  read_pair (sr, "cells", h->cells[s]);
  read_pair (sr, "at_gmin", h->at_gmin[s]);
}

static void
read_hist (Reader *parent, JsonNode *node, VxXbarHist *h)
{
  Reader rd = { node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                "study results: histogram", parent->error, parent->failed };
  if (!rd.o)
    {
      reader_fail (parent, "histograms", "an array of objects");
      hist_init (h, 1, 0, 1);
      return;
    }
  int bins = read_int (&rd, "bins", 1, MAX_BINS);
  double lo = read_number (&rd, "g_lo_us", TRUE), hi = read_number (&rd, "g_hi_us", TRUE);
  hist_init (h, bins, lo, hi);
  if (!rd.failed && !(isfinite (lo) && isfinite (hi) && lo < hi))
    reader_fail (&rd, "g_hi_us", "above g_lo_us");
  JsonArray *stages = rd.failed ? NULL : read_array (&rd, "stages", 2);
  for (int s = 0; stages && !rd.failed && s < 2; s++)
    {
      JsonNode *sn = json_array_get_element (stages, s);
      Reader sr = { JSON_NODE_HOLDS_OBJECT (sn) ? json_node_get_object (sn) : NULL,
                    "study results: histogram stage", rd.error, rd.failed };
      if (!sr.o)
        {
          reader_fail (&rd, "stages", "two objects");
          break;
        }
      read_stage_counts (&sr, h, s);
      if (!sr.failed)
        h->max_level[s] = read_int (&sr, "max_level", -1, 65535);
      rd.failed = sr.failed;
    }
  if (!rd.failed && json_object_has_member (rd.o, "written"))
    {
      JsonNode *wn = json_object_get_member (rd.o, "written");
      Reader wr = { JSON_NODE_HOLDS_OBJECT (wn) ? json_node_get_object (wn) : NULL,
                    "study results: histogram written", rd.error, rd.failed };
      if (!wr.o)
        reader_fail (&rd, "written", "an object");
      else
        {
          read_stage_counts (&wr, h, 2);
          read_pair (&wr, "below_gmin", h->below);
          read_pair (&wr, "above_gmax", h->above);
          rd.failed = wr.failed;
        }
    }
  parent->failed = rd.failed;
}

static void
read_first_stage (Reader *rd, VsRunResult *r)
{
  r->has_first = read_bool (rd, "has_first");
  if (json_object_has_member (rd->o, "snr_db"))
    {
      JsonArray *snr = read_array (rd, "snr_db", r->depth);
      JsonArray *cap = rd->failed ? NULL : read_array (rd, "snr_capped", r->depth);
      r->snr_db = g_new0 (double, r->depth);
      r->snr_capped = g_new0 (gboolean, r->depth);
      for (int i = 0; snr && cap && !rd->failed && i < r->depth; i++)
        {
          JsonNode *c = json_array_get_element (cap, i);
          r->snr_db[i] = element_number (rd, snr, i, "snr_db");
          if (!JSON_NODE_HOLDS_VALUE (c) || json_node_get_value_type (c) != G_TYPE_BOOLEAN)
            reader_fail (rd, "snr_capped", "an array of booleans");
          else
            r->snr_capped[i] = json_node_get_boolean (c);
        }
      r->snr_mean_db = read_number (rd, "snr_mean_db", TRUE);
      r->snr_images = read_int (rd, "snr_images", 0, G_MAXINT);
    }
  if (json_object_has_member (rd->o, "histograms") && !rd->failed)
    {
      JsonArray *hs = read_array (rd, "histograms", r->depth * 2);
      JsonArray *ks = rd->failed ? NULL : read_array (rd, "kv_stats", r->depth * 2);
      r->hists = g_new0 (VxXbarHist, r->depth * 2);
      r->kv_stats = g_new0 (VxKvStats, r->depth * 2);
      for (int i = 0; i < r->depth * 2; i++)
        {
          if (hs && ks && !rd->failed)
            {
              read_hist (rd, json_array_get_element (hs, i), &r->hists[i]);
              read_kv_stats (rd, json_array_get_element (ks, i), &r->kv_stats[i]);
            }
          else
            hist_init (&r->hists[i], 1, 0, 1);
        }
    }
}

VsRunResult *
vs_run_result_from_json (JsonNode *node, GError **error)
{
  Reader rd = { node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                "study results", error, FALSE };
  if (!rd.o)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "study results: not a JSON object");
      return NULL;
    }
  VsRunSettings s;
  JsonNode *sn = reader_get (&rd, "settings", TRUE);
  if (!sn || !vs_run_settings_from_json (&s, sn, error))
    return NULL;
  int depth = read_int (&rd, "depth", 1, MAX_DEPTH);
  int classes = read_int (&rd, "num_classes", 1, 1 << 20);
  int n = read_int (&rd, "images", 1, G_MAXINT / 2);
  int repeats = read_int (&rd, "repeats", 1, VS_RUN_MAX_REPEATS);
  if (rd.failed)
    return NULL;
  s.repeats = repeats;
  g_autoptr (VsRunResult) r = vs_run_result_new (&s, depth, classes, n);
  JsonArray *cr = read_array (&rd, "correct_runs", repeats);
  JsonArray *dr = rd.failed ? NULL : read_array (&rd, "done_runs", repeats);
  for (int i = 0; cr && dr && !rd.failed && i < repeats; i++)
    {
      r->done_runs[i] = element_int (&rd, dr, i, "done_runs", 0, n);
      r->correct_runs[i] = element_int (&rd, cr, i, "correct_runs", 0, r->done_runs[i]);
    }
  if (!rd.failed)
    read_first_stage (&rd, r);
  r->seconds = rd.failed ? 0.0 : read_number (&rd, "seconds", FALSE);
  if (rd.failed)
    return NULL;
  vs_run_result_update_accuracy (r);
  return g_steal_pointer (&r);
}
