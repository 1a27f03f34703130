/* vx-vat.h: variation-aware training (docs/MODEL.md section 8): the crossbar's noise
 * in the training forward pass
 *
 * A VxVat supplies VxMatmulHooks for vx_trainer_step / VxTrainCallbacks.hooks.
 * Every product that VxXbarConfig.analog marks analog runs on weights read
 * back through vx_xbar_program_decode (functional mode, eq. 2, 3, 5, 6):
 *   - static weights (W_QKV, projection, MLP by default): quantised to the
 *     conductance levels, read noise (eq. 2), one scale w_max = max |W| per
 *     matrix, fresh noise for every optimiser step (the weights change every step);
 *   - K and V: quantised, ClipFormer if the config enables it, write noise
 *     (eq. 3, gamma) and read noise, fresh for every image, scale per head
 *     (or per tensor, or per channel, as VxXbarConfig.kv_scale says).
 * Inputs are applied exactly (no 8-bit input quantisation: VAT trains against
 * the conductance noise). Patch embedding and head stay digital by default.
 *
 * Every noise draw is keyed by vx_rng_key from the VAT seed and
 *   static arrays: ("vat-static", step, block, 2 * kind + which)
 *   K/V arrays:    ("vat-kv", image, block, 2 * head + (0 for K, 1 for V));
 *                  per channel: ("vat-kv-channel", channel) under that key,
 * where step is VxMatmulSite.batch and image VxMatmulSite.image (the trainer
 * passes the optimiser step and the global training image counter), so the
 * weights a VAT run produces do not depend on the thread count.
 *
 * Gradients are straight-through (vx-train.h): the backward pass is the ideal
 * model's backward, with the ideal weights, evaluated at the activations the
 * noisy forward stored. Equivalently, it is the exact gradient of a network in
 * which each analog product's deviation from the ideal product (noisy minus
 * ideal output) is a constant added to its output.
 */
#pragma once

#include <glib.h>

#include "vx-model.h"
#include "vx-xbar.h"

G_BEGIN_DECLS

/* the write-noise factor of the paper's VAT (it did not converge above 2) */
#define VX_VAT_GAMMA_DEFAULT 2.0

/* the RRAM (paper) preset with write-noise factor gamma */
void vx_vat_config_init (VxXbarConfig *cfg, double gamma);

typedef struct _VxVat VxVat;

/* NULL with VX_ERROR_INVALID_ARG if cfg is invalid or asks for what VAT does not
 * model: circuit mode, K/V scales per batch or calibrated, static noise other
 * than per batch. seed keys the noise (cfg->seed is not used); threads runs the
 * static products (0 = vx_get_num_threads ()). */
VxVat               *vx_vat_new        (const VxXbarConfig *cfg, guint64 seed, int threads,
                                        GError **error);
void                 vx_vat_free       (VxVat *v);
const VxXbarConfig  *vx_vat_get_config (const VxVat *v);
guint64              vx_vat_get_seed   (const VxVat *v);
/* hooks for the forward pass (user = v); valid while v lives */
const VxMatmulHooks *vx_vat_get_hooks  (VxVat *v);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxVat, vx_vat_free)

G_END_DECLS
