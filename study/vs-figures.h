/* vs-figures.h: the paper's figure set for one model, computed and exported
 *
 * vs_figures_run evaluates the model on simulated crossbars for every
 * setting the figures need (each setting once, however many figures use it),
 * then draws and writes every figure as PNG and/or SVG plus the CSV of its
 * numbers into one directory. It prints nothing: progress and cancellation go
 * through callbacks, so `vitx figures` and the explorer's "Export all
 * figures" share it. Every PNG (tEXt "vitx-settings") and SVG (<metadata>)
 * carries the settings JSON that made it: program version, model, data,
 * images, repeats, seed and the full crossbar configuration of every series.
 *
 * The figures (file names without extension):
 *   fig1a-radar              RRAM vs SRAM radar (paper Fig. 1a)
 *   fig5-hist-k, fig5-hist-v K and V conductances of one block (default the
 *                            first, "block 1" as the paper counts): untransformed,
 *                            ClipFormer (2, 1), ClipFormer (2, 0.25) (Fig. 5)
 *   fig6-snr-blocks          per-block SNR at gamma 4 (Fig. 6 left)
 *   fig6-snr-gamma           <SNR> vs gamma for the ablation grid (Fig. 6 right)
 *   fig8-ablation-heatmap,   accuracy over the (alpha, beta) grid x gamma 3, 4, 5
 *   fig8-ablation-bars       (Fig. 8)
 *   fig9-onoff               accuracy vs ON/OFF 25, 50, 100 at gamma 3 and 4 (Fig. 9)
 *   fig10-hw                 attention area and energy, untransformed vs
 *                            ClipFormer (2, 0.25), DeiT-S, LV-ViT-S, the model (Fig. 10)
 *   table2 (+ table2.md)     accuracy without and with the best (alpha, beta) (Table II)
 *   figx-outlier             accuracy at gamma 5 vs outlier scale s (docs/MODEL.md section 10)
 *
 * gamma, ON/OFF, ClipFormer and its (alpha, beta), and where a figure says so
 * the K/V scale policy and decode reading, are set by each figure; every
 * other parameter comes from the base configuration.
 */
#pragma once

#include <glib.h>

#include "vx-charts.h"
#include "vx-dataset.h"
#include "vx-model.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

typedef enum {
  VS_FIG_RADAR    = 1 << 0,   /* fig1a-radar */
  VS_FIG_HIST     = 1 << 1,   /* fig5-hist-k, fig5-hist-v */
  VS_FIG_SNR      = 1 << 2,   /* fig6-snr-blocks, fig6-snr-gamma */
  VS_FIG_ABLATION = 1 << 3,   /* fig8-ablation-heatmap, fig8-ablation-bars */
  VS_FIG_ONOFF    = 1 << 4,   /* fig9-onoff */
  VS_FIG_HW       = 1 << 5,   /* fig10-hw */
  VS_FIG_TABLE2   = 1 << 6,   /* table2.{png,svg,csv,md} */
  VS_FIG_OUTLIER  = 1 << 7,   /* figx-outlier */
  VS_FIG_ALL      = (1 << 8) - 1,
} VsFigureSet;

typedef struct {
  const VxModel   *model;       /* every figure's model (not modified) */
  const VxDataset *data;        /* evaluation images */
  VxXbarConfig     base;        /* every parameter a figure does not set */
  const char      *out_dir;     /* created if missing */
  guint            figures;     /* VsFigureSet bits; 0 = all */
  VxChartFormats   formats;     /* PNG and/or SVG; the CSV is always written */
  int              limit;       /* images per evaluation; 0 = the whole set */
  int              repeats;     /* seeds base.seed, base.seed + 1, ... (>= 1) */
  int              batch;       /* 0 = 64 */
  int              threads;     /* 0 = all cores */
  int              snr_limit;   /* images for SNR and histograms; 0 = limit */
  VxSnrMode        snr;         /* SNR reference (default end-to-end) */
  int              hist_block;  /* 1-based block of fig5 (1 = the first) */
  const VxModel   *outlier_source; /* the model figx-outlier transforms; NULL = model */
  int              outlier_channels; /* c per head in figx-outlier (2) */
  double           width, height;  /* logical size of every figure in pixels */
  double           scale;       /* PNG pixels per logical pixel */
  double           dpi;         /* PNG pHYs */
  gboolean         dark;        /* dark variant */
  const char      *model_label; /* for titles; NULL: the model file's base name */
} VsFiguresOpts;

/* defaults: all figures, PNG + SVG, 1000 images, 3 repeats, batch 64, SNR on 256
 * images, block 1, 900 x 600 at scale 2, 300 dpi, light; model and data unset */
void vs_figures_opts_init (VsFiguresOpts *o);

/* "radar", "hist", "snr", "ablation", "onoff", "hw", "table2", "outlier"
 * (also "fig1a", "fig5", "fig6", "fig8", "fig9", "fig10", "figx"), comma-separated */
gboolean vs_figures_parse_set (const char *list, guint *out, GError **error);

typedef struct {
  GPtrArray *files;      /* (char *) every file written, in order */
  int        runs;       /* crossbar evaluations (one per setting) */
  gint64     images;     /* image forward passes on crossbars, all repeats */
  double     seconds;
} VsFiguresResult;

void vs_figures_result_clear (VsFiguresResult *r);

/* progress: `what` names the setting being evaluated (or the figure being
 * written), done/total count image forward passes over the whole job.
 * cancelled is polled between batches (VX_ERROR_CANCELLED). Both may be NULL.
 * Called from the calling thread. */
typedef void     (*VsFiguresProgress)  (void *user, const char *what, gint64 done, gint64 total);
typedef gboolean (*VsFiguresCancelled) (void *user);

gboolean vs_figures_run (const VsFiguresOpts *o, VsFiguresProgress progress,
                           VsFiguresCancelled cancelled, void *user,
                           VsFiguresResult *result, GError **error);

G_END_DECLS
