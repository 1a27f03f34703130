/* vs-figures-private.h: the study behind `vitx figures`, shared by its two files
 *
 * vs-figures.c owns the study: the list of crossbar settings (runs), their
 * evaluation, the settings JSON and the export of one figure. Each figure is
 * one function in vs-figures-render.c that is called twice: first while the
 * study is planning (every _vitx_fig_run call registers a setting and returns
 * a run without results; the function returns right after asking), then
 * after every run was evaluated (the same calls return the finished runs and
 * the function draws). So what a figure shows and what is computed for it are
 * written once.
 */
#pragma once

#include "vs-figures.h"
#include "vx-hw.h"

G_BEGIN_DECLS

/* one ClipFormer setting of the ablation grid (or none) */
typedef struct {
  const char *label;     /* "Untransformed", "ClipFormer (2, 0.25)" */
  const char *short_label; /* "none", "(2, 0.25)" */
  gboolean    on;
  double      alpha, beta;
} FigClip;

/* the paper's ablation grid: untransformed, (1,1), (2,1), (1,0.25), (2,0.25) */
#define FIG_GRID_N 5
extern const FigClip _vitx_fig_grid[FIG_GRID_N];
#define FIG_CLIP_NONE  (&_vitx_fig_grid[0])
#define FIG_CLIP_2_1   (&_vitx_fig_grid[2])
#define FIG_CLIP_2_025 (&_vitx_fig_grid[4])
/* the write-noise factors of the ablation (paper Table II, Fig. 8) */
#define FIG_N_GAMMAS 3
extern const double _vitx_fig_gammas[FIG_N_GAMMAS];

typedef struct {
  char             *key;           /* config JSON + outlier scale: identical settings share a run */
  char             *label;         /* human description of the setting */
  VxXbarConfig      cfg;
  double            outlier_scale; /* 1 = the model itself */
  gboolean          from_source;   /* the sweep of figx-outlier on VsFiguresOpts.outlier_source */
  int               repeats;
  gboolean          observe;       /* gather histograms (repeat 0, snr images) */
  gboolean          done;
  VxXbarEvalResult  res;
} FigRun;

typedef struct {
  const VsFiguresOpts *o;
  char                  *model_label;
  gboolean               planning;
  GPtrArray             *runs;        /* (FigRun *) in plan order */
  GHashTable            *index;       /* key -> FigRun */
  int                    n;           /* images per evaluation */
  int                    snr_images;  /* images for SNR and histograms */
  double                 software_top1;   /* float network, fraction */
  /* progress */
  VsFiguresProgress    progress;
  VsFiguresCancelled   cancelled;
  void                  *user;
  gint64                 done, total;
  VsFiguresResult     *result;
} FigStudy;

/* the base config with gamma, ON/OFF and ClipFormer set (the grid's way) */
VxXbarConfig _vitx_fig_config (const FigStudy *s, double gamma, double onoff, const FigClip *clip);

/* The run of a setting: registered while planning (merging repeats as the
 * maximum and observe as "any"), looked up afterwards. Never NULL. */
FigRun *_vitx_fig_run (FigStudy *s, const VxXbarConfig *cfg, double outlier_scale,
                       int repeats, gboolean observe);

/* a run of the outlier sweep: the model (or VsFiguresOpts.outlier_source when
 * set) with outlier scale s, repeats as given, no histograms */
FigRun *_vitx_fig_run_outlier (FigStudy *s, const VxXbarConfig *cfg, double outlier_scale,
                               int repeats);

/* accuracy of a run in percent: mean and sample std over repeats */
double  _vitx_fig_top1_pct (const FigRun *r);
double  _vitx_fig_top1_std_pct (const FigRun *r);
/* "a b c": every repeat's accuracy in percent, newly allocated */
char   *_vitx_fig_top1_runs_pct (const FigRun *r);

/* the common part of every chart model: title, subtitle, variant */
VxChartCommon _vitx_fig_common (const FigStudy *s, const char *title, const char *subtitle);
/* "vit-fmnist-std, 1000 images, 3 repeats": for subtitles, newly allocated */
char   *_vitx_fig_scope (const FigStudy *s);

/* Write DIR/NAME.{png,svg} (as asked) and NAME.csv with the settings JSON of
 * the runs behind it; extra (nullable, consumed) is merged into that JSON. */
gboolean _vitx_fig_export (FigStudy *s, const char *name, VxChartRenderFunc func,
                           gconstpointer model, const VxChartTable *table,
                           FigRun *const *runs, guint n_runs, JsonNode *extra, GError **error);
/* write DIR/NAME (a text file) atomically and record it */
gboolean _vitx_fig_write_text (FigStudy *s, const char *name, const char *text, GError **error);

/* the figures (vs-figures-render.c); each returns at once while planning */
gboolean _vitx_fig_radar    (FigStudy *s, GError **error);
gboolean _vitx_fig_hist     (FigStudy *s, GError **error);
gboolean _vitx_fig_snr      (FigStudy *s, GError **error);
gboolean _vitx_fig_ablation (FigStudy *s, GError **error);
gboolean _vitx_fig_onoff    (FigStudy *s, GError **error);
gboolean _vitx_fig_hw       (FigStudy *s, GError **error);
gboolean _vitx_fig_table2   (FigStudy *s, GError **error);
gboolean _vitx_fig_outlier  (FigStudy *s, GError **error);

G_END_DECLS
