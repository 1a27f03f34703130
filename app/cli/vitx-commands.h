/* vitx-commands.h: the subcommands of the vitx command-line tool
 *
 * Each command parses its own options (GOptionContext) and returns the exit
 * status: VITX_EXIT_OK, VITX_EXIT_FAILURE (the work failed: bad file, bad data)
 * or VITX_EXIT_USAGE (bad command line).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vx-model.h"
#include "vx-dataset.h"

G_BEGIN_DECLS

enum { VITX_EXIT_OK = 0, VITX_EXIT_FAILURE = 1, VITX_EXIT_USAGE = 2 };

int vitx_cmd_info  (int argc, char **argv);
int vitx_cmd_eval  (int argc, char **argv);
int vitx_cmd_bench (int argc, char **argv);
int vitx_cmd_train (int argc, char **argv);
int vitx_cmd_snr   (int argc, char **argv);
int vitx_cmd_hist  (int argc, char **argv);
int vitx_cmd_hw    (int argc, char **argv);
int vitx_cmd_figures (int argc, char **argv);
int vitx_cmd_sweep (int argc, char **argv);
int vitx_bench_train (int argc, char **argv);

/* ---- helpers shared by the commands (vitx.c) ---- */

/* print "vitx CMD: message" to stderr */
void vitx_error (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* parse options; on failure prints the error and returns FALSE */
gboolean vitx_parse (GOptionContext *ctx, const char *cmd, int *argc, char ***argv);
/* the model at path, or the shipped default when path is NULL */
VxModel *vitx_load_model (const char *cmd, const char *path);
/* the dataset at path sized for the model, or the default test set when NULL */
VxDataset *vitx_load_data (const char *cmd, const char *path, const VxModel *m);
/* print one JSON object to stdout, followed by a newline */
void vitx_print_json (JsonBuilder *b);
/* TRUE when stderr is a terminal (for progress bars) */
gboolean vitx_stderr_is_tty (void);
/* a progress line on stderr: a redrawn bar on a TTY, occasional plain lines otherwise */
void vitx_progress (const char *what, int done, int total, double seconds);

G_END_DECLS
