/* vx-model-io-private.h: what the model writer shares with the trainer's checkpoints */
#pragma once

#include <glib.h>
#include "vx-model.h"

/* Adds the metadata a model file needs to be read back: the architecture (vitx.img_size .. vitx.distilled, vitx.ln_eps),
 * the input normalisation (vitx.mean, vitx.std) and vitx.class_names, each as
 * text that round-trips exactly. Keys and values are newly allocated strings;
 * meta must free both. */
void _vx_model_meta_add_arch (GHashTable *meta, const VxModel *m);
