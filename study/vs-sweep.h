/* vs-sweep.h: the grid, point keys, result records and result files of `vitx sweep`
 *
 * A sweep is the product of eight axes, enumerated in this fixed order,
 * outermost first (the last axis varies fastest):
 *
 *   model, token pruning keep ratio, outlier scale s, K/V scale policy,
 *   ClipFormer, ON/OFF, gamma, seed
 *
 * The pruning axis exists only with --prune-keep: without it every point runs
 * the model's own ratio (its vitx.prune_keep, or none), and keys and sweep ids
 * are those of sweeps made before the axis existed.
 *
 * Point index i (0 .. points-1) is the mixed-radix number of its axis
 * positions. One point is one crossbar evaluation with one seed; it gives one
 * record: a JSON object on one line of a JSONL file and/or one CSV row. Each
 * record names its sweep (a hash of every axis and setting that changes
 * results), its index and its key, a canonical string of its coordinates, so
 * a rerun skips finished points and shards can be merged and checked.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vx-xbar.h"

G_BEGIN_DECLS

/* record format version (field "format" of every record) */
#define VS_SWEEP_FORMAT 1

/* one value of the ClipFormer axis */
typedef struct {
  gboolean on;
  double alpha, beta;        /* meaningful when on */
  VxClipDecode decode;       /* meaningful when on */
} VsSweepClip;

/* what the command line asked for: comma lists as text (NULL: not given) */
typedef struct {
  char **models;             /* NULL or empty: the shipped model */
  const char *gamma, *onoff, *alpha, *beta, *clip, *kv_scale, *outlier_scale, *seeds;
  const char *prune_keep;    /* keep ratios in (0, 1]; NULL: each model's own */
  int repeats;               /* without seeds: seeds base.seed .. base.seed + repeats - 1 */
  const VxXbarConfig *base;  /* every other setting (validated) */
  int outlier_channels;      /* c of the outlier what-if (points with s > 1) */
  const char *data;          /* as given; NULL: the default test set */
  int limit, batch;
  VxSnrMode snr;
  int snr_limit;
} VsSweepSpec;

typedef struct {
  GPtrArray *models;         /* char *, as given (the default resolved to its path) */
  GArray *prune_keeps;       /* double in (0, 1] (1 = no pruning); without the axis one 0 */
  gboolean prune_axis;       /* FALSE: each model runs its own ratio (vitx.prune_keep) */
  GArray *outlier_scales;    /* double; 1 = the model as it is */
  GArray *kv_scales;         /* VxKvScale */
  GArray *clips;             /* VsSweepClip */
  GArray *onoffs;            /* double */
  gboolean onoff_axis;       /* FALSE: the base config's G_max is kept as it is */
  GArray *gammas;            /* double */
  GArray *seeds;             /* guint64 */
  VxXbarConfig base;
  int outlier_channels;
  char *data;                /* NULL: the default test set */
  int limit, batch;
  VxSnrMode snr;
  int snr_limit;
  guint points;
  char id[17];               /* 16 hex digits */
} VsSweepGrid;

typedef struct {
  guint index;
  guint model;               /* index into grid->models */
  double prune_keep;         /* 0: the model's own ratio (no pruning axis) */
  double outlier_scale;
  VxKvScale kv_scale;
  VsSweepClip clip;
  double onoff, gamma;
  guint64 seed;
} VsSweepPoint;

/* FALSE with VX_ERROR_INVALID_ARG naming the option and the value at fault */
VsSweepGrid *vs_sweep_grid_new   (const VsSweepSpec *spec, GError **error);
void           vs_sweep_grid_free  (VsSweepGrid *g);
void           vs_sweep_grid_point (const VsSweepGrid *g, guint index, VsSweepPoint *p);
/* the crossbar config of a point */
void           vs_sweep_point_config (const VsSweepGrid *g, const VsSweepPoint *p,
                                        VxXbarConfig *cfg);
/* "model=M;outlier=1;kv=per-head;clip=2:0.25;onoff=100;gamma=5;seed=0", with
 * ";prune=R" after the model when the grid has a pruning axis */
char          *vs_sweep_point_key  (const VsSweepGrid *g, const VsSweepPoint *p);
/* "none", "2:0.25", "2:0.25:renormalised" */
char          *vs_sweep_clip_label (const VsSweepClip *c);
/* a number in the shortest text that reads back to the same double */
char          *vs_sweep_format_double (double v);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsSweepGrid, vs_sweep_grid_free)

/* ---- records (vs-sweep-records.c) ---- */

/* the record of a finished point; data_source: the dataset's description;
 * prune_keep: the keep ratio the point ran with (1 = no pruning) */
JsonNode   *vs_sweep_record_new (const VsSweepGrid *g, const VsSweepPoint *p,
                                   const VxXbarConfig *cfg, const char *data_source,
                                   double prune_keep, const VxXbarEvalResult *r);
/* compact JSON and a newline */
char       *vs_sweep_record_to_line (JsonNode *record);
/* fields that differ between two runs of the same point: seconds, finished, host */
gboolean    vs_sweep_is_timing_field (const char *name);
/* the record without its timing fields, as compact JSON (for comparisons) */
char       *vs_sweep_record_canonical (JsonObject *record);
/* the CSV header line and one row (both ending in a newline); column prune_keep
 * stands just before the last one (config), so the columns before it keep the
 * positions they had in files written before it existed */
const char *vs_sweep_csv_header (void);
char       *vs_sweep_record_to_csv (JsonObject *record);

/* ---- result files ---- */

typedef enum { VS_SWEEP_JSONL, VS_SWEEP_CSV } VsSweepFormat;

typedef struct {
  char *path;
  VsSweepFormat format;
  int fd;                    /* -1 when read only */
  gsize torn;                /* bytes of an incomplete last line (left by a kill) */
  gboolean csv_legacy;       /* CSV: written before column prune_keep existed (rows
                                appended to it leave the column out too) */
  GHashTable *done;          /* index (GUINT_TO_POINTER (i + 1)) -> JsonNode * record
                                (CSV: NULL values) */
} VsSweepFile;

/* Opens (writable: creates, locks against a second writer, drops an incomplete
 * last line, writes the CSV header) and reads the results already there. Every
 * complete record must belong to grid g. A missing file opened read only is
 * empty. */
VsSweepFile *vs_sweep_file_open   (const char *path, VsSweepFormat format,
                                       const VsSweepGrid *g, gboolean writable, GError **error);
void           vs_sweep_file_free   (VsSweepFile *f);
gboolean       vs_sweep_file_has    (const VsSweepFile *f, guint index);
JsonNode      *vs_sweep_file_get    (const VsSweepFile *f, guint index);
/* appends text with one write, then fsync */
gboolean       vs_sweep_file_append (VsSweepFile *f, const char *text, GError **error);
/* a CSV row of the record in the file's columns (see csv_legacy) */
char          *vs_sweep_file_csv_row (const VsSweepFile *f, JsonObject *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VsSweepFile, vs_sweep_file_free)

/* ---- merging shard files ---- */

typedef struct {
  char *sweep;               /* the sweep id shared by every record */
  guint points;
  GPtrArray *lines;          /* (points) char * record line (with newline) or NULL */
  guint duplicates;          /* identical records seen more than once */
  guint torn;                /* input files that ended in an incomplete line */
} VsSweepMerge;

/* reads every input; FALSE on a record of another sweep, a conflicting
 * duplicate (same point, different results) or an unreadable file */
gboolean vs_sweep_merge_read  (VsSweepMerge *m, const char *const *inputs, GError **error);
void     vs_sweep_merge_clear (VsSweepMerge *m);

/* ---- job scripts (vs-sweep-emit.c) ---- */

typedef struct {
  gboolean slurm;            /* a Slurm job array; FALSE: GNU parallel only */
  const VsSweepGrid *grid;
  char **argv;               /* the sweep's command line, argv[0] = "sweep"; the options the
                                script sets per shard (--out, --csv, --shard, --threads) and
                                --emit, --shards, --sbatch, --list, --dry-run, --stop-after
                                are left out, the rest is kept verbatim */
  const char *out, *csv;     /* the merged result; shard i writes OUT-stem.shard-i.ext */
  guint shards;              /* 1..points */
  int threads;               /* per shard (Slurm: --cpus-per-task) */
  char **sbatch;             /* extra #SBATCH lines (NULL-terminated, nullable) */
  const char *vitx;          /* the vitx executable the script runs */
  const char *cwd;           /* the directory the script works in */
} VsSweepEmit;

/* a bash script: actions submit (Slurm only), local [J], shard I, merge */
char *vs_sweep_emit_script (const VsSweepEmit *e);

G_END_DECLS
