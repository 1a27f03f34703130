/* test-explorer-common.h: the explorer tests' model, data and window
 *
 * The model is the shipped one when it exists (data/models/, found through
 * VITX_DATADIR), otherwise a small ViT trained here, in a few seconds, on the
 * last 1,500 images of the bundled Fashion-MNIST subset. The tests evaluate the
 * first 500 images, which that model never saw.
 */
#pragma once

#include <glib/gstdio.h>
#include <string.h>

#include "vx-dataset.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-train.h"

#define TEST_EVAL_IMAGES 500

/* How long a test waits for the explorer's worker: ms, multiplied by
 * VITX_TEST_TIMEOUT_SCALE (a positive number) when it is set. tools/run-valgrind
 * sets it: under memcheck the staged evaluation runs 50-100 times slower. */
G_GNUC_UNUSED static guint
test_wait_ms (guint ms)
{
  const char *s = g_getenv ("VITX_TEST_TIMEOUT_SCALE");
  double scale = s ? g_ascii_strtod (s, NULL) : 1.0;
  if (!(scale >= 1.0 && scale <= 1000.0))
    scale = 1.0;
  return (guint) (ms * scale);
}

/* images [start, start + n) of ds as a dataset of their own */
G_GNUC_UNUSED static VxDataset *
test_dataset_slice (const VxDataset *ds, int start, int n)
{
  VxDataset *out = g_new0 (VxDataset, 1);
  size_t img = (size_t) ds->channels * ds->height * ds->width;
  out->n = n;
  out->channels = ds->channels;
  out->height = ds->height;
  out->width = ds->width;
  out->num_classes = ds->num_classes;
  out->pixels = g_memdup2 (ds->pixels + img * start, img * n);
  out->labels = g_memdup2 (ds->labels + start, sizeof (int32_t) * n);
  out->class_names = g_strdupv (ds->class_names);
  out->source = g_strdup_printf ("%s [%d, %d)", ds->source ? ds->source : "subset", start, start + n);
  return out;
}

/* the evaluation set: the first TEST_EVAL_IMAGES images of the bundled subset */
G_GNUC_UNUSED static VxDataset *
test_eval_dataset (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxDataset) all = vx_dataset_open_embedded (&error);
  g_assert_no_error (error);
  g_assert_cmpint (all->n, >=, 2000);
  return test_dataset_slice (all, 0, TEST_EVAL_IMAGES);
}

G_GNUC_UNUSED static VxModel *
test_train_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxDataset) all = vx_dataset_open_embedded (&error);
  g_assert_no_error (error);
  g_autoptr (VxDataset) train = test_dataset_slice (all, TEST_EVAL_IMAGES, all->n - TEST_EVAL_IMAGES);
  VxArch a = { .img_size = 28, .patch_size = 4, .in_chans = 1, .num_classes = 10,
               .embed_dim = 32, .depth = 3, .num_heads = 2, .mlp_hidden = 64,
               .distilled = 0, .ln_eps = 1e-6f };
  VxModel *m = vx_model_new (&a, &error);
  g_assert_no_error (error);
  vx_model_init_random (m, 7);
  g_strfreev (m->class_names);
  m->class_names = g_strdupv (all->class_names);
  VxTrainConfig cfg;
  vx_train_config_init (&cfg);
  cfg.epochs = 6;
  cfg.batch = 64;
  cfg.lr = 3e-3;
  cfg.augment = FALSE;
  cfg.seed = 1;
  /* one thread: on a busy machine OpenMP's barriers cost more than they give */
  cfg.threads = 1;
  g_autoptr (VxTrainer) t = vx_trainer_new (m, &cfg, &error);
  g_assert_no_error (error);
  gboolean ok = vx_trainer_fit (t, train, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return m;
}

/* A model file for the explorer: the shipped model, or the small one saved into
 * dir. Returns the path (newly allocated). */
G_GNUC_UNUSED static char *
test_model_path (const char *dir)
{
  char *shipped = vx_default_model_path (NULL);
  if (shipped)
    return shipped;
  g_autoptr (VxModel) m = test_train_model ();
  char *path = g_build_filename (dir, "explorer-test-model.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  vx_model_save (m, path, &error);
  g_assert_no_error (error);
  return path;
}

/* a fresh temporary directory (removed by test_rmdir) */
G_GNUC_UNUSED static char *
test_mkdtemp (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("vitx-explorer-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

G_GNUC_UNUSED static void
test_rmdir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        test_rmdir (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

G_GNUC_UNUSED static void
put_be32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (b, x, 4);
}

/* ds as a Fashion-MNIST-style IDX pair in dir (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) */
G_GNUC_UNUSED static void
test_write_idx (const VxDataset *ds, const char *dir)
{
  g_autoptr (GByteArray) img = g_byte_array_new ();
  g_autoptr (GByteArray) lab = g_byte_array_new ();
  put_be32 (img, 0x00000803);
  put_be32 (img, ds->n);
  put_be32 (img, ds->height);
  put_be32 (img, ds->width);
  g_byte_array_append (img, ds->pixels, (guint) ds->n * ds->height * ds->width);
  put_be32 (lab, 0x00000801);
  put_be32 (lab, ds->n);
  for (int i = 0; i < ds->n; i++)
    {
      guint8 l = (guint8) ds->labels[i];
      g_byte_array_append (lab, &l, 1);
    }
  g_autofree char *ip = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  g_autofree char *lp = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (ip, (const char *) img->data, img->len, &error);
  g_assert_no_error (error);
  g_file_set_contents (lp, (const char *) lab->data, lab->len, &error);
  g_assert_no_error (error);
}
