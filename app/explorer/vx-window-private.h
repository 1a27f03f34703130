/* vx-window-private.h: the window's insides, shared by vx-window*.c, and test hooks */
#pragma once

#include "vx-chart-card.h"
#include "vx-tour.h"
#include "vx-controls.h"
#include "vx-hardware-view.h"
#include "vx-sample-view.h"
#include "vx-sweeps-view.h"
#include "vx-window.h"
#include "vx-worker.h"

G_BEGIN_DECLS

/* below this window width the overview is one scrolling column */
#define VX_WINDOW_NARROW_WIDTH 1250
/* finished results the run history keeps */
#define VX_WINDOW_RUNS_MAX 20

struct _VxWindow {
  GtkApplicationWindow parent_instance;

  /* template */
  GtkMenuButton *open_button;
  GtkMenuButton *runs_button;
  GtkToggleButton *classroom_button;
  GtkSpinner *busy_spinner;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkButton *banner_button;
  GtkPaned *paned;
  GtkScrolledWindow *controls_scroller;
  VxControls *controls;
  GtkProgressBar *progress_bar;
  GtkRevealer *toast_revealer;
  GtkLabel *toast_label;
  GtkButton *toast_button;
  GtkStack *view_stack;
  GtkGrid *overview_grid;
  GtkBox *readout;
  GtkWidget *stats_card;
  GtkLabel *accuracy_label, *interval_label, *images_label;
  GtkLabel *ideal_label, *other_name_label, *other_label, *snr_label, *status_label;
  GtkLabel *delta_label, *baseline_name_label, *baseline_label;
  GtkLevelBar *images_bar;
  VxChartCard *hist_card, *radar_card, *snr_card;
  GtkDropDown *block_dropdown;
  GtkStringList *block_list;
  GtkToggleButton *matrix_k_button, *matrix_v_button;
  GtkDropDown *stage_dropdown;
  GtkToggleButton *log_button;
  GtkGrid *kv_stats_grid;
  GtkLabel *kv_stats_note;
  VxSweepsView *sweeps_view;
  VxHardwareView *hardware_view;
  VxSampleView *sample_view;
  VxTourBar *tour_bar;
  GMenu *recent_section;

  GSettings *settings;
  VxWorker *worker;
  VsSharedModel *model;
  VsSharedData *data;
  VsChartStyle style;
  gboolean classroom;
  guint tour_step;
  GtkEventController *tour_keys;
  gint64 finished_at, started_at;
  guint apply_id;               /* coalesces settings changes into one request */
  int loading;                  /* files being opened on worker threads */
  VsRunSettings before_classroom;  /* restored when classroom mode ends */
  GHashTable *tour_results;     /* cache key -> complete VsRunResult the tour has seen */
  GHashTable *tour_pending;     /* cache keys being measured for the tour */
  GCancellable *tour_cancel;
  int tour_jobs;
  gboolean tour_told;           /* the sentence has its numbers */
  VxTourClaim tour_claims[VX_TOUR_MAX_CLAIMS];
  VsRunResult *baseline;        /* pinned for A/B comparison, nullable */
  gboolean lock_axes;           /* the SNR axis only widens (always so in the tour) */
  double snr_lo, snr_hi;        /* that axis; equal: not set yet */
  double pointer_x, pointer_y;  /* over the sidebar, for the wheel guard */
  GQueue *undo_stack, *redo_stack;  /* HistoryEntry, newest first */
  GPtrArray *history_now;       /* the compute keys' values last recorded */
  GPtrArray *clean;             /* ... as the study file holds them */
  char *history_label;          /* names the next recorded change ("Reset {n} parameters") */
  gboolean history_restoring;   /* the next change is an undo or redo */
  gint64 history_merge_us;      /* one key's changes closer than this are one step */
  char *study_path;             /* the study's file, NULL: untitled */
  guint toast_id;
  GtkWidget *close_dialog;      /* asking about unsaved changes */
  gboolean narrow;              /* one column: below VX_WINDOW_NARROW_WIDTH */
  guint relayout_id;
  gboolean close_confirmed;     /* closing without asking (again) */
  guint tour_claims_n;
  GQueue *runs;                 /* VsRunResult, complete, newest first (VX_WINDOW_RUNS_MAX) */
  GtkWidget *runs_popover;
  GtkListBox *runs_list;
  GtkLabel *runs_empty;
  GtkScrolledWindow *runs_scroller;
};

/* vx-window.c */
void         _vx_window_update_recent  (VxWindow *self);
void         _vx_window_apply_settings (VxWindow *self);

/* vx-window-overview.c */
void         _vx_window_refresh        (VxWindow *self);
void         _vx_window_refresh_histogram (VxWindow *self);
void         _vx_window_refresh_status (VxWindow *self, VsRunResult *cur);
void         _vx_window_refresh_stage  (VxWindow *self, VxWorkerStage stage);

/* vx-window-files.c */
void         _vx_window_set_inputs     (VxWindow *self, VsSharedModel *model, VsSharedData *data);

/* vx-window-overview.c: the SNR chart, on the kept axis when there is one */
VsChartBox  *_vx_window_snr_chart      (VxWindow *self, VsRunResult *plain, VsRunResult *clip);

/* vx-window-tour.c */
void         _vx_window_tour_update    (VxWindow *self);
/* drop the tour's results and cancel its measurements (new model or data) */
void         _vx_window_tour_forget    (VxWindow *self);

/* vx-window-input.c */
void         _vx_window_guard_wheel    (VxWindow *self);
/* a wheel turn at (x, y) of the sidebar: TRUE when it scrolled the sidebar instead of a control */
gboolean     _vx_window_sidebar_wheel  (VxWindow *self, double x, double y, double dy,
                                        GdkScrollUnit unit);

/* vx-window-history.c */
void         _vx_window_history_init   (VxWindow *self);
void         _vx_window_history_clear  (VxWindow *self);
/* record what changed since the last commit as one undo step */
void         _vx_window_history_commit (VxWindow *self);
/* names the next step; "{n}" becomes the number of parameters it changed */
void         _vx_window_history_set_label (VxWindow *self, const char *label);
gboolean     _vx_window_can_undo       (VxWindow *self);
gboolean     _vx_window_can_redo       (VxWindow *self);
void         _vx_window_mark_clean     (VxWindow *self, const char *study_path);
void         _vx_window_update_title   (VxWindow *self);
gboolean     _vx_window_confirm_close  (VxWindow *self);
void         _vx_window_toast          (VxWindow *self, const char *text, const char *button_label,
                                        const char *action);

/* vx-window-runs.c */
void         _vx_window_runs_init      (VxWindow *self);
/* a finished result of the current settings (others are ignored) */
void         _vx_window_runs_add       (VxWindow *self, VsRunResult *r);
/* forget the runs (another model or dataset) */
void         _vx_window_runs_clear     (VxWindow *self);
void         _vx_window_runs_free      (VxWindow *self);
/* "ClipFormer (2, 0.25) · Write-noise factor γ 5": the ClipFormer label, then every
 * setting that differs from the paper's defaults (newly allocated) */
char        *_vx_window_run_summary    (const VsRunSettings *s);

/* vx-window-layout.c */
void         _vx_window_check_width    (VxWindow *self, int width);

/* vx-window-actions.c */
void         _vx_window_class_add_actions (GtkWidgetClass *widget_class);
void         _vx_window_update_actions (VxWindow *self);
/* the save chooser; close_after: close the window once the study is saved */
void         _vx_window_choose_save    (VxWindow *self, gboolean close_after);

/* ---- test and benchmark hooks --------------------------------------------------------- */
VxWorker    *vx_window_get_worker      (VxWindow *self);
GSettings   *vx_window_get_settings    (VxWindow *self);
/* the result shown for the current settings (may be partial), or NULL */
VsRunResult *vx_window_get_last_result (VxWindow *self);
/* something is computing or about to (live job, tour references, sample, sweeps, files) */
gboolean     vx_window_is_busy         (VxWindow *self);
/* iterate the main context until nothing is computing (live job, sample); FALSE on timeout */
gboolean     vx_window_wait_idle       (VxWindow *self, guint timeout_ms);
/* a chart card by name: "kv-histogram", "snr-per-block", "radar", "sweep-...", "hw-...", "sample-..." */
VxChartCard *vx_window_get_card        (VxWindow *self, const char *name);
/* the cards of all views */
GList       *vx_window_get_cards       (VxWindow *self);
const char  *vx_window_get_accuracy_text (VxWindow *self);
VxSweepsView *vx_window_get_sweeps_view (VxWindow *self);
VxSampleView *vx_window_get_sample_view (VxWindow *self);
VsSharedModel *vx_window_get_model     (VxWindow *self);
VsSharedData *vx_window_get_data       (VxWindow *self);
/* the accuracy's change against the comparison, as shown ("−7.0 points vs ideal") */
const char  *vx_window_get_delta_text  (VxWindow *self);
/* the overview is in its one-column layout */
gboolean     vx_window_is_narrow       (VxWindow *self);
/* the toast's text while it is shown, else NULL */
const char  *vx_window_get_toast       (VxWindow *self);
/* the dialog asking about unsaved changes while it is open, else NULL */
GtkWidget   *vx_window_get_close_dialog (VxWindow *self);
/* the run history, newest first: the count, and with runs a NULL-terminated array
 * to g_free (the results are not new refs) */
guint        vx_window_get_runs        (VxWindow *self, VsRunResult ***runs);
/* as choosing row `index` of the run history does */
void         vx_window_restore_run     (VxWindow *self, guint index);
/* the claims of the tour sentence on screen; FALSE while it waits for numbers */
gboolean     vx_window_get_tour_claims (VxWindow *self, const VxTourClaim **claims, guint *n);

G_END_DECLS
