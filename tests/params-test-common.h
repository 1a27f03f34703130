/* params-test-common.h: accuracy of a crossbar config on the shipped model,
 * shared by the parameter tests */
#pragma once

#include "vx-eval.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-xbar.h"

/* The images: enough that ClipFormer (2, 0.25) on a noise-free array (about 52 %
 * against 92 % ideal on the shipped model) cannot pass for ideal, few enough to
 * run in seconds. */
#define PARAMS_TEST_IMAGES 256

typedef struct {
  VxModel *model;
  VxDataset *data;
} ParamsTestFixture;

static inline void
params_test_fixture_load (ParamsTestFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = vx_default_model_path (VX_DEFAULT_MODEL_NAME);
  g_assert_nonnull (path);
  f->model = vx_model_load (path, &error);
  g_assert_no_error (error);
  f->data = vx_dataset_open_embedded (&error);
  g_assert_no_error (error);
}

static inline void
params_test_fixture_clear (ParamsTestFixture *f)
{
  g_clear_pointer (&f->model, vx_model_free);
  g_clear_pointer (&f->data, vx_dataset_free);
}

static inline double
params_test_ideal_top1 (const ParamsTestFixture *f)
{
  VxEvalOpts opts = { .limit = PARAMS_TEST_IMAGES, .threads = 1 };
  VxEvalResult r;
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_eval_run (f->model, f->data, &opts, &r, &error));
  g_assert_no_error (error);
  double top1 = r.top1;
  vx_eval_result_clear (&r);
  return top1;
}

static inline double
params_test_xbar_top1 (const ParamsTestFixture *f, const VxXbarConfig *cfg)
{
  VxXbarEvalOpts opts = { .repeats = 1, .limit = PARAMS_TEST_IMAGES, .threads = 1,
                          .snr = VX_SNR_NONE };
  VxXbarEvalResult r;
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_xbar_eval_run (f->model, f->data, cfg, &opts, &r, &error));
  g_assert_no_error (error);
  double top1 = r.top1_mean;
  vx_xbar_eval_result_clear (&r);
  return top1;
}
