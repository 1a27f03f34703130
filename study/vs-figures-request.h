/* vs-figures-request.h: "Export All Figures": the `vitx figures` set for the explorer's settings
 *
 * GTK-free. Builds VsFiguresOpts from the explorer's current settings (the
 * crossbar configuration as the base of every figure, the images, repeats and
 * outlier channels) and runs vs_figures_run, the engine `vitx figures` uses.
 */
#pragma once

#include <glib.h>

#include "vs-figures.h"
#include "vs-compute.h"

G_BEGIN_DECLS

typedef struct {
  VsSharedModel *model;
  VsSharedData *data;
  VsRunSettings settings;
  int hist_block;            /* 0-based block of the histogram figure */
  guint figures;             /* VsFigureSet bits; 0 = all */
  char *dir;
} VsFiguresRequest;

void     vs_figures_request_clear (VsFiguresRequest *r);
/* the options vs_figures_run gets for a request (pointers into r) */
void     vs_figures_request_opts  (const VsFiguresRequest *r, VsFiguresOpts *o);
gboolean vs_figures_request_run   (const VsFiguresRequest *r, VsFiguresProgress progress,
                                   VsFiguresCancelled cancelled, void *user,
                                   VsFiguresResult *result, GError **error);

G_END_DECLS
