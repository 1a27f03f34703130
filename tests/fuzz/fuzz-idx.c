/* fuzz-idx.c: libFuzzer harness for the IDX reader (images + labels, plain or gzip) */
#define G_LOG_DOMAIN "fuzz-idx"
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "vx-dataset.h"
#include "vx-error.h"

/* Input layout: byte 0 flags (bit 0: give the labels a Fashion-MNIST file
 * name, which switches on the 10-class check), bytes 1..4 the length L of the
 * images file (little endian, clamped to what follows), then L bytes of
 * images file, then the labels file. tools/make_fuzz_corpus.py writes seeds
 * in this layout. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 5)
    return 0;
  gboolean mnist = data[0] & 1;
  guint32 n_images = (guint32) data[1] | (guint32) data[2] << 8 | (guint32) data[3] << 16
                     | (guint32) data[4] << 24;
  data += 5;
  size -= 5;
  gsize li = MIN ((gsize) n_images, size);
  /* private copies, so reads past either file are heap overflows ASan sees */
  g_autoptr (GBytes) images = g_bytes_new_take (g_memdup2 (data, li), li);
  g_autoptr (GBytes) labels = g_bytes_new_take (g_memdup2 (data + li, size - li), size - li);
  const char *images_name = mnist ? "t10k-images-idx3-ubyte" : "fuzz-images-idx3";
  const char *labels_name = mnist ? "t10k-labels-idx1-ubyte" : "fuzz-labels-idx1";

  g_autoptr (GError) error = NULL;
  g_autoptr (VxDataset) ds = vx_dataset_parse_idx (images, labels, images_name, labels_name, &error);
  if (!ds)
    {
      /* the message names the images or the labels file */
      if (!error || error->domain != VX_ERROR
          || (!strstr (error->message, images_name) && !strstr (error->message, labels_name)))
        g_error ("a failed load must set a VX_ERROR naming a file, got %s",
                 error ? error->message : "no error");
      fuzz_report ("  error: %s", error->message);
      return 0;
    }

  /* what a dataset promises: n images of C x H x W bytes, labels < num_classes,
   * a name for every class */
  if (ds->n <= 0 || ds->channels != 1 || ds->height < 0 || ds->width < 0 || ds->num_classes <= 0)
    g_error ("implausible dataset: n %d, %dx%dx%d, %d classes", ds->n, ds->channels, ds->height,
             ds->width, ds->num_classes);
  if (g_strv_length (ds->class_names) != (guint) ds->num_classes)
    g_error ("%d classes but %u class names", ds->num_classes, g_strv_length (ds->class_names));
  volatile unsigned sum = 0;
  size_t bytes = (size_t) ds->n * ds->channels * ds->height * ds->width;
  for (size_t i = 0; i < bytes; i++)
    sum += ds->pixels[i];
  for (int i = 0; i < ds->n; i++)
    if (ds->labels[i] < 0 || ds->labels[i] >= ds->num_classes)
      g_error ("label %d of image %d is outside 0..%d", ds->labels[i], i, ds->num_classes - 1);
  (void) sum;

  /* the stratified subset indexes per-class tables with the labels */
  g_autoptr (VxDataset) sub = vx_dataset_subset_stratified (ds, MIN (ds->n, 7), 1);
  if (sub->n != MIN (ds->n, 7))
    g_error ("subset of %d images has %d", MIN (ds->n, 7), sub->n);
  fuzz_report ("  dataset: %d images %dx%d, %d classes", ds->n, ds->height, ds->width,
               ds->num_classes);
  return 0;
}
