/* vitx-train.h: the output side of `vitx train` (progress, epoch lines, CSV log,
 * Ctrl-C), private to the train command */
#pragma once

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vx-train.h"

G_BEGIN_DECLS

typedef struct {
  FILE *out;               /* progress and epoch lines: stdout, or stderr with --json */
  gboolean tty;
  gint64 last_plain;       /* monotonic time of the last plain progress line */
  int last_len;            /* length of the redrawn line */
  FILE *csv;
  JsonBuilder *epochs;     /* with --json: the array of epochs */
  char *checkpoint;
} VitxTrainUi;

/* "1h05m", "3m07s", "42s"; "?" for a negative or non-finite duration */
void   vitx_train_format_duration (char *buf, size_t len, double s);

/* the trainer's callbacks, user = the VitxTrainUi */
void     vitx_train_ui_progress  (void *user, const VxTrainProgress *p);
void     vitx_train_ui_epoch     (void *user, const VxTrainEpoch *e);
/* TRUE once Ctrl-C was pressed during vitx_train_catch_interrupt (TRUE) */
gboolean vitx_train_ui_cancelled (void *user);

/* TRUE: the first Ctrl-C asks the trainer to stop after its step, a second one
 * kills the program; FALSE: the default action again */
void   vitx_train_catch_interrupt (gboolean on);

/* The CSV log: a new file, or on resume (keep_epochs > 0) the old one cut back to
 * the rows of the epochs the checkpoint holds. */
FILE  *vitx_train_open_csv (const char *path, int keep_epochs, GError **error);

G_END_DECLS
