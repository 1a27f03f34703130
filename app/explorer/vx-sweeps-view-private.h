/* vx-sweeps-view-private.h: the Sweeps view's insides, shared by vx-sweeps-view*.c */
#pragma once

#include "vx-chart-card.h"
#include "vx-sweep-axis.h"
#include "vx-sweeps-view.h"

G_BEGIN_DECLS

#define N_LINE_POINTS (VX_SWEEP_N_X * VX_SWEEP_N_VARIANTS)
#define N_POINTS (N_LINE_POINTS + VX_SWEEP_N_ALPHAS * VX_SWEEP_N_BETAS)

typedef struct {
  double top1[N_POINTS];     /* NAN until computed (or not a point: beyond the x values) */
  double lo[N_POINTS], hi[N_POINTS];   /* 95 % interval of the pooled seeds */
  double std[N_POINTS];      /* sample standard deviation over the seeds */
} SweepData;

/* the x axis of the lines */
typedef struct {
  const VxXbarParam *param;
  double x[VX_SWEEP_N_X];
  guint n;
} SweepAxis;

struct _VxSweepsView {
  GtkWidget parent_instance;
  GtkAdjustment *images_adjustment, *seeds_adjustment;
  GtkDropDown *x_dropdown;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  VxChartCard *lines_card, *heatmap_card;

  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings run;
  gboolean has_inputs;
  VsChartStyle style;

  GCancellable *cancellable;
  gboolean running;
  SweepData shown;
  VsRunSettings shown_run;
  SweepAxis shown_axis;
  int shown_images, shown_seeds;
  guint done;                   /* index + 1 of the last point computed */
  guint done_points;            /* points computed */
  guint skipped;                /* ... of them skipped: settings that do not fit together */
  char *error;
  char *shown_model_id, *shown_data_id;   /* the files the shown points were computed on */
  char *stale_lines, *stale_heat;         /* what changed since, as text; NULL: up to date */
};

/* point i exists: a line point within the x values, or a heatmap cell */
gboolean _vx_sweeps_is_point       (const SweepAxis *ax, guint i);
/* the settings of point i of a sweep of base on axis ax */
void     _vx_sweeps_point_settings (const SweepAxis *ax, const VsRunSettings *base, guint i,
                                    VsRunSettings *out);

/* vx-sweeps-view-hover.c: hovering shows a point's value, clicking applies it */
void     _vx_sweeps_view_hover_init (VxSweepsView *self);

G_END_DECLS
