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

/* the model the options ask for: m itself, or (with --outlier-scale) the
 * function-preserving outlier copy, in which case m is freed; NULL after
 * printing the error */
VxModel        *vitx_xbar_prepare_model (const char *cmd, const VitxXbarOptions *o, VxModel *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitxXbarOptions, vitx_xbar_options_free)

G_END_DECLS
