/* vx-train-private.h: the trainer's state, shared by vx-train.c, vx-train-fit.c
 * and vx-checkpoint.c */
#pragma once

#include "vx-train.h"
#include "vx-model-private.h"

struct _VxTrainer {
  VxModel *model;          /* trained in place; not owned */
  VxTrainConfig cfg;
  VxParamInfo *table;      /* the parameter table (n_tensors entries) */
  int n_tensors;
  float *grad_mem;         /* gradients, the parameters' layout */
  VxParams grads;
  float *adam_m, *adam_v;  /* AdamW moments, the parameters' layout */
  VxActs *acts;            /* keep_all activations for cfg.batch images */
  VxGradActs *gacts;
  float *logits, *dlogits; /* (batch, K) */
  int epoch;               /* epochs completed */
  int64_t step;            /* optimiser steps taken */
  double wall_time;        /* seconds of training over all sessions */
  VxMatmulHooks ideal;     /* the ideal forward with the trainer's threading */
};

/* metadata keys of the recipe and state in a checkpoint */
#define VX_CKPT_PREFIX "train."
