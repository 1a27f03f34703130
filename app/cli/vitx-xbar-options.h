/* vitx-xbar-options.h: the crossbar options shared by eval, snr, hist, hw, figures */
#pragma once

#include <glib.h>

#include "vx-outlier.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

typedef struct _VitxXbarOptions VitxXbarOptions;

VitxXbarOptions *vitx_xbar_options_new  (void);
void             vitx_xbar_options_free (VitxXbarOptions *o);
/* the option group (owned by the caller's GOptionContext once added) */
GOptionGroup    *vitx_xbar_options_group (VitxXbarOptions *o);
/* TRUE if any crossbar option was given on the command line */
gboolean         vitx_xbar_options_any   (const VitxXbarOptions *o);
/* the config: the preset, then every option given; validated */
gboolean         vitx_xbar_options_config (const VitxXbarOptions *o, VxXbarConfig *cfg, GError **error);
/* evaluation settings: repeats (>= 1), SNR mode */
int              vitx_xbar_options_repeats (const VitxXbarOptions *o);
VxSnrMode        vitx_xbar_options_snr     (const VitxXbarOptions *o);
/* the outlier what-if, if --outlier-scale was given (> 1): returns TRUE and fills out */
gboolean         vitx_xbar_options_outlier (const VitxXbarOptions *o, VxOutlierOpts *out);

/* --prune-keep (token pruning; not a crossbar option, so vitx_xbar_options_any
 * ignores it): *keep = the ratio given, or NAN if the option was not given;
 * FALSE if it is not a number in (0, 1] */
gboolean         vitx_xbar_options_prune_keep (const VitxXbarOptions *o, double *keep, GError **error);
/* with --prune-keep, store the ratio as the model's vitx.prune_keep (which the
 * engine follows; 1 turns pruning off) */
gboolean         vitx_xbar_options_apply_prune (const VitxXbarOptions *o, VxModel *m, GError **error);
/* one line about the model's token pruning (blocks, tokens, FLOPs), or NULL without */
char            *vitx_prune_describe (const VxModel *m);

/* the model the options ask for: m itself, or (with --outlier-scale) the
 * function-preserving outlier copy, in which case m is freed; NULL after
 * printing the error */
VxModel        *vitx_xbar_prepare_model (const char *cmd, const VitxXbarOptions *o, VxModel *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitxXbarOptions, vitx_xbar_options_free)

G_END_DECLS
