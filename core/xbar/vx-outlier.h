/* vx-outlier.h: the function-preserving K/V outlier what-if (docs/MODEL.md section 10)
 *
 * Large pretrained ViTs have outlier channels in K and V; small ones do not.
 * This transform gives a model copy such channels without changing what it
 * computes: in each chosen block, c channels per head of K are multiplied by s
 * and the same channels of Q divided by s (q_j k_j is unchanged), and c
 * channels per head of V are multiplied by s and the matching input columns
 * of the projection divided by s. For powers of two the ideal logits are
 * bit-identical; otherwise equal up to float rounding.
 *
 * Channels are chosen deterministically from the weights alone: per head, the
 * c channels whose (weight row, bias) has the largest L2 norm, i.e. the
 * largest natural magnitude; ties go to the lower index.
 */
#pragma once

#include <glib.h>
#include "vx-model.h"

G_BEGIN_DECLS

typedef struct {
  double scale;         /* s, 1..64 */
  int channels;         /* c per head, 0..Dh */
  guint64 blocks;       /* bit l = transform block l; 0 = every block */
  gboolean keys;        /* scale K (and Q) channels */
  gboolean values;      /* scale V channels (and the projection's input columns) */
} VxOutlierOpts;

/* s = 32, c = 2, every block, keys and values (the experiment of docs/MODEL.md 10.2) */
void     vx_outlier_opts_init (VxOutlierOpts *o);
gboolean vx_outlier_opts_validate (const VxOutlierOpts *o, const VxArch *a, GError **error);

/* the c channels (head-local indices 0..Dh-1, largest first) of head h of block l;
 * kv: 0 = K, 1 = V. out holds c ints. */
void     vx_outlier_pick_channels (const VxModel *m, int block, int head, int kv, int c, int *out);

/* a transformed copy of m (metadata "vitx.outlier" records the parameters) */
VxModel *vx_outlier_apply (const VxModel *m, const VxOutlierOpts *o, GError **error);

G_END_DECLS
