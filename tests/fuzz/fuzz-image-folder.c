/* fuzz-image-folder.c: libFuzzer harness for the image-folder loader (PNG/JPEG via gdk-pixbuf) */
#define G_LOG_DOMAIN "fuzz-image-folder"
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "vx-dataset.h"
#include "vx-error.h"

/* The input is written as the one image of a one-class folder, under a .png
 * name (gdk-pixbuf decides the format from the content, so JPEG and every
 * other format it knows reach the loader too), and loaded at a size and
 * channel count taken from the input's length, so all of them get fuzzed
 * without a header that would keep seeds from being plain image files. */

static char *root;        /* a private temporary folder */
static char *image_path;  /* root/class-a/image.png */

static void
remove_root (void)
{
  g_unlink (image_path);
  g_autofree char *cls = g_path_get_dirname (image_path);
  g_rmdir (cls);
  g_rmdir (root);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  g_autoptr (GError) error = NULL;
  root = g_dir_make_tmp ("vitx-fuzz-folder-XXXXXX", &error);
  if (!root)
    g_error ("cannot make a temporary folder: %s", error->message);
  g_autofree char *cls = g_build_filename (root, "class-a", NULL);
  if (g_mkdir (cls, 0700) != 0)
    g_error ("cannot make %s", cls);
  image_path = g_build_filename (cls, "image.png", NULL);
  atexit (remove_root);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  if (!g_file_set_contents (image_path, (const char *) data, (gssize) size, &error))
    g_error ("cannot write %s: %s", image_path, error->message);

  static const int sizes[] = { 1, 3, 28, 32 };
  int img_size = sizes[size % 4];
  int channels = (size / 4) % 2 ? 3 : 1;
  double crop_pct = (size / 8) % 2 ? 1.0 : 0.875;

  g_autoptr (VxDataset) ds = vx_dataset_load_image_folder (root, img_size, channels, crop_pct, 0,
                                                           &error);
  if (!ds)
    {
      FUZZ_CHECK_ERROR (error, image_path);
      return 0;
    }
  if (ds->n != 1 || ds->num_classes != 1 || ds->labels[0] != 0 || ds->channels != channels
      || ds->height != img_size || ds->width != img_size)
    g_error ("one %dx%dx%d image expected, got n %d, %dx%dx%d, %d classes", channels, img_size,
             img_size, ds->n, ds->channels, ds->height, ds->width, ds->num_classes);
  volatile unsigned sum = 0;
  for (size_t i = 0; i < (size_t) channels * img_size * img_size; i++)
    sum += ds->pixels[i];
  (void) sum;
  fuzz_report ("  image: loaded at %dx%dx%d", channels, img_size, img_size);
  return 0;
}
