/* vx-figures-export.h: "Export All Figures": the `vitx figures` set for the explorer's settings
 *
 * GTK-free. Builds VitxFiguresOpts from the explorer's current settings (the
 * crossbar configuration as the base of every figure, the images, repeats and
 * outlier channels) and runs vitx_figures_run, the engine `vitx figures` uses.
 */
#pragma once

#include <glib.h>

#include "vitx-figures.h"
#include "vx-compute.h"

G_BEGIN_DECLS

typedef struct {
  VxSharedModel *model;
  VxSharedData *data;
  VxRunSettings settings;
  int hist_block;            /* 0-based block of the histogram figure */
  guint figures;             /* VitxFigureSet bits; 0 = all */
  char *dir;
} VxFiguresRequest;

void     vx_figures_request_clear (VxFiguresRequest *r);
/* the options vitx_figures_run gets for a request (pointers into r) */
void     vx_figures_request_opts  (const VxFiguresRequest *r, VitxFiguresOpts *o);
gboolean vx_figures_request_run   (const VxFiguresRequest *r, VitxFiguresProgress progress,
                                   VitxFiguresCancelled cancelled, void *user,
                                   VitxFiguresResult *result, GError **error);

G_END_DECLS
