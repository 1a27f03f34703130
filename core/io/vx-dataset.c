/* vx-dataset.c: IDX datasets (plain or gzip), the default test set, batches and subsets */
#define G_LOG_DOMAIN "vx-dataset"
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vx-core-resources.h"
#include "vx-dataset.h"
#include "vx-error.h"
#include "vx-paths.h"
#include "vx-rng.h"

/* An IDX payload larger than this is refused before anything is allocated
 * (Fashion-MNIST's training images are 47 MB). G_MAXINT, not 2^31: every
 * dimension then fits the int fields of VxDataset (a header of 1 x 2^31 x 1
 * with its 2 GB payload would otherwise give a negative height). */
#define VX_IDX_MAX_BYTES ((guint64) G_MAXINT)

#define VX_IDX_IMAGES_MAGIC 0x00000803u   /* unsigned bytes, 3 dimensions */
#define VX_IDX_LABELS_MAGIC 0x00000801u   /* unsigned bytes, 1 dimension */

#define VX_EMBEDDED_PREFIX "/org/vitx/Explorer/core/fashion-mnist-subset/"

static const char *const fashion_names[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL
};

void
vx_dataset_free (VxDataset *ds)
{
  if (!ds)
    return;
  g_free (ds->pixels);
  g_free (ds->labels);
  g_strfreev (ds->class_names);
  g_free (ds->source);
  g_free (ds);
}

/* ---- IDX streams ------------------------------------------------------------------ */

typedef struct {
  int ndim;
  guint32 dims[3];
  guint8 *payload;
  gsize len;
} IdxFile;

static void
idx_clear (IdxFile *f)
{
  g_clear_pointer (&f->payload, g_free);
}

/* A GIO read error: corrupt or cut-off gzip is a format problem, the rest is I/O. */
static void
set_read_error (GError **error, const char *name, const GError *gerr)
{
  gboolean format = g_error_matches (gerr, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)
                    || g_error_matches (gerr, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_set_error (error, VX_ERROR, format ? VX_ERROR_FORMAT : VX_ERROR_IO, "%s: %s%s", name,
               format ? "corrupt or truncated gzip data: " : "cannot read: ", gerr->message);
}

/* Reads exactly len bytes; *got says how many arrived before the end. */
static gboolean
read_exact (GInputStream *in, void *buf, gsize len, gsize *got, const char *name, GError **error)
{
  g_autoptr (GError) gerr = NULL;
  *got = 0;
  if (!g_input_stream_read_all (in, buf, len, got, NULL, &gerr))
    {
      set_read_error (error, name, gerr);
      return FALSE;
    }
  return TRUE;
}

/* The stream itself, or a gunzip of it when it starts with the gzip magic. */
static GInputStream *
maybe_gunzip (GInputStream *base, const char *name, GError **error)
{
  g_autoptr (GInputStream) buffered = g_buffered_input_stream_new (base);
  g_autoptr (GError) gerr = NULL;
  GBufferedInputStream *b = G_BUFFERED_INPUT_STREAM (buffered);
  /* fill until two bytes are there or the stream ends */
  while (g_buffered_input_stream_get_available (b) < 2)
    {
      gssize k = g_buffered_input_stream_fill (b, 2 - (gssize) g_buffered_input_stream_get_available (b),
                                               NULL, &gerr);
      if (k < 0)
        {
          set_read_error (error, name, gerr);
          return NULL;
        }
      if (k == 0)
        break;
    }
  gsize avail = 0;
  const guint8 *peek = g_buffered_input_stream_peek_buffer (b, &avail);
  if (avail >= 2 && peek[0] == 0x1f && peek[1] == 0x8b)
    {
      g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      return g_converter_input_stream_new (buffered, G_CONVERTER (z));
    }
  return g_steal_pointer (&buffered);
}

static gboolean
idx_read (GInputStream *base, const char *name, guint32 want_magic, IdxFile *out, GError **error)
{
  const char *what = want_magic == VX_IDX_IMAGES_MAGIC ? "images" : "labels";
  int want_ndim = (int) (want_magic & 0xff);
  memset (out, 0, sizeof *out);

  g_autoptr (GInputStream) in = maybe_gunzip (base, name, error);
  if (!in)
    return FALSE;

  guint8 hdr[4 + 4 * 3];
  gsize got = 0;
  if (!read_exact (in, hdr, 4, &got, name, error))
    return FALSE;
  if (got < 4)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: %" G_GSIZE_FORMAT " bytes is too short for an IDX file", name, got);
      return FALSE;
    }
  guint32 magic = ((guint32) hdr[0] << 24) | ((guint32) hdr[1] << 16) | ((guint32) hdr[2] << 8) | hdr[3];
  if (magic != want_magic)
    {
      guint type = (magic >> 8) & 0xff;
      gboolean idx_type = type == 0x08 || type == 0x09 || type == 0x0b || type == 0x0c
                          || type == 0x0d || type == 0x0e;
      if ((magic >> 16) != 0 || !idx_type)
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                     "%s: bad magic 0x%08x: not an IDX file (an IDX %s file starts with 0x%08x)",
                     name, magic, what, want_magic);
      else if (type != 0x08)
        g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                     "%s: IDX element type 0x%02x (magic 0x%08x); only unsigned bytes (0x08) "
                     "are read", name, type, magic);
      else
        g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                     "%s: IDX magic 0x%08x has %u dimensions, an IDX %s file (0x%08x) has %d: "
                     "images and labels swapped?", name, magic, magic & 0xff, what, want_magic,
                     want_ndim);
      return FALSE;
    }
  out->ndim = want_ndim;
  if (!read_exact (in, hdr + 4, 4 * (gsize) want_ndim, &got, name, error))
    return FALSE;
  if (got < 4 * (gsize) want_ndim)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: the IDX header is cut off", name);
      return FALSE;
    }
  guint64 total = 1;
  for (int d = 0; d < want_ndim; d++)
    {
      const guint8 *p = hdr + 4 + 4 * d;
      out->dims[d] = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
      /* each factor is < 2^32 and total stays <= 2^31 before it, so no overflow */
      total *= out->dims[d];
      if (total > VX_IDX_MAX_BYTES)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                       "%s: the IDX header claims more than %" G_GUINT64_FORMAT " bytes of %s "
                       "(dimension %d is %u)", name, VX_IDX_MAX_BYTES, what, d, out->dims[d]);
          return FALSE;
        }
    }
  if (total == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY, "%s: the IDX file holds no %s", name, what);
      return FALSE;
    }
  out->len = (gsize) total;
  /* read in growing pieces rather than allocating what the header claims:
   * a short file with a large header then costs only what it holds */
  gsize cap = MIN (out->len, (gsize) 1 << 20), have = 0;
  out->payload = g_malloc (cap);
  for (;;)
    {
      if (!read_exact (in, out->payload + have, cap - have, &got, name, error))
        return FALSE;
      have += got;
      if (have < cap || cap == out->len)
        break;
      cap = MIN (out->len, cap * 2);
      guint8 *bigger = g_try_realloc (out->payload, cap);
      if (!bigger)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED, "%s: cannot allocate %"
                       G_GSIZE_FORMAT " bytes", name, cap);
          return FALSE;
        }
      out->payload = bigger;
    }
  if (have < out->len)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: truncated: the header promises %" G_GSIZE_FORMAT " bytes of %s, the file "
                   "holds %" G_GSIZE_FORMAT, name, out->len, what, have);
      return FALSE;
    }
  guint8 extra;
  if (!read_exact (in, &extra, 1, &got, name, error))
    return FALSE;
  if (got != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: the file is longer than its IDX header says (%" G_GSIZE_FORMAT
                   " bytes of %s)", name, out->len, what);
      return FALSE;
    }
  return TRUE;
}

/* Fashion-MNIST and MNIST share file names; the path tells them apart. */
static gboolean
looks_like_mnist (const char *labels_name)
{
  g_autofree char *base = g_path_get_basename (labels_name);
  return g_str_has_prefix (base, "t10k-labels-idx1-ubyte") || g_str_has_prefix (base, "train-labels-idx1-ubyte");
}

static gboolean
looks_like_digits (const char *labels_name)
{
  g_autofree char *lower = g_ascii_strdown (labels_name, -1);
  return strstr (lower, "mnist") && !strstr (lower, "fashion");
}

static VxDataset *
dataset_from_idx (IdxFile *img, IdxFile *lab, const char *images_name, const char *labels_name,
                  GError **error)
{
  guint32 n = img->dims[0];
  if (lab->dims[0] != n)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s holds %u images but %s holds %u labels",
                   images_name, n, labels_name, lab->dims[0]);
      return NULL;
    }
  /* labels index classes: MNIST-named files have 10, others as many as the largest + 1 */
  gboolean mnist = looks_like_mnist (labels_name);
  int num_classes = 0;
  for (guint32 i = 0; i < n; i++)
    {
      int y = lab->payload[i];
      if (mnist && y >= 10)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_VALUE,
                       "%s: label %d of image %u is out of range (Fashion-MNIST has classes 0..9)",
                       labels_name, y, i);
          return NULL;
        }
      num_classes = MAX (num_classes, y + 1);
    }
  if (mnist)
    num_classes = 10;

  VxDataset *ds = g_new0 (VxDataset, 1);
  ds->n = (int) n;
  ds->channels = 1;
  ds->height = (int) img->dims[1];
  ds->width = (int) img->dims[2];
  ds->num_classes = num_classes;
  ds->pixels = g_steal_pointer (&img->payload);   /* (n, rows, cols) is (n, 1, H, W) */
  ds->labels = g_new (int32_t, n);
  for (guint32 i = 0; i < n; i++)
    ds->labels[i] = lab->payload[i];
  if (mnist && !looks_like_digits (labels_name))
    ds->class_names = g_strdupv ((char **) fashion_names);
  else
    {
      ds->class_names = g_new0 (char *, num_classes + 1);
      for (int k = 0; k < num_classes; k++)
        ds->class_names[k] = g_strdup_printf ("%d", k);
    }
  ds->source = g_strdup (images_name);
  return ds;
}

static VxDataset *
load_idx_streams (GInputStream *images, GInputStream *labels, const char *images_name,
                  const char *labels_name, GError **error)
{
  IdxFile img = { 0 }, lab = { 0 };
  VxDataset *ds = NULL;
  if (idx_read (labels, labels_name, VX_IDX_LABELS_MAGIC, &lab, error)
      && idx_read (images, images_name, VX_IDX_IMAGES_MAGIC, &img, error))
    ds = dataset_from_idx (&img, &lab, images_name, labels_name, error);
  idx_clear (&img);
  idx_clear (&lab);
  return ds;
}

static GInputStream *
open_file (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) gerr = NULL;
  GFileInputStream *in = g_file_read (file, NULL, &gerr);
  if (!in && g_error_matches (gerr, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: no such file", path);
  else if (!in)
    g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot open: %s", path, gerr->message);
  return G_INPUT_STREAM (in);
}

VxDataset *
vx_dataset_load_idx (const char *images_path, const char *labels_path, GError **error)
{
  g_return_val_if_fail (images_path != NULL && labels_path != NULL, NULL);
  g_autoptr (GInputStream) images = open_file (images_path, error);
  if (!images)
    return NULL;
  g_autoptr (GInputStream) labels = open_file (labels_path, error);
  if (!labels)
    return NULL;
  return load_idx_streams (images, labels, images_path, labels_path, error);
}

VxDataset *
vx_dataset_parse_idx (GBytes *images, GBytes *labels, const char *images_name,
                      const char *labels_name, GError **error)
{
  g_return_val_if_fail (images != NULL && labels != NULL, NULL);
  g_autoptr (GInputStream) in_images = g_memory_input_stream_new_from_bytes (images);
  g_autoptr (GInputStream) in_labels = g_memory_input_stream_new_from_bytes (labels);
  return load_idx_streams (in_images, in_labels, images_name ? images_name : "IDX images",
                           labels_name ? labels_name : "IDX labels", error);
}

/* dir/base or dir/base.gz, whichever exists; NULL if neither */
static char *
find_idx (const char *dir, const char *base)
{
  g_autofree char *plain = g_build_filename (dir, base, NULL);
  if (g_file_test (plain, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&plain);
  char *gz = g_strconcat (plain, ".gz", NULL);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return gz;
  g_free (gz);
  return NULL;
}

VxDataset *
vx_dataset_load_idx_dir (const char *dir, const char *split, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  const char *prefix;
  if (!split || strcmp (split, "test") == 0)
    prefix = "t10k";
  else if (strcmp (split, "train") == 0)
    prefix = "train";
  else
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "%s: unknown split '%s' (test or train)", dir, split);
      return NULL;
    }
  g_autofree char *images_base = g_strdup_printf ("%s-images-idx3-ubyte", prefix);
  g_autofree char *labels_base = g_strdup_printf ("%s-labels-idx1-ubyte", prefix);
  g_autofree char *images = find_idx (dir, images_base);
  g_autofree char *labels = find_idx (dir, labels_base);
  if (!images || !labels)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: no %s[.gz] in this directory", dir,
                   images ? labels_base : images_base);
      return NULL;
    }
  return vx_dataset_load_idx (images, labels, error);
}

VxDataset *
vx_dataset_open_embedded (GError **error)
{
  const char *names[2] = { VX_EMBEDDED_PREFIX "t10k-images-idx3-ubyte.gz",
                           VX_EMBEDDED_PREFIX "t10k-labels-idx1-ubyte.gz" };
  GBytes *bytes[2] = { NULL, NULL };
  VxDataset *ds = NULL;
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (GError) gerr = NULL;
      bytes[i] = g_resource_lookup_data (vx_core_get_resource (), names[i],
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &gerr);
      if (!bytes[i])
        {
          g_set_error (error, VX_ERROR, VX_ERROR_IO, "resource://%s: %s", names[i], gerr->message);
          break;
        }
    }
  if (bytes[0] && bytes[1])
    {
      g_autofree char *images_name = g_strconcat ("resource://", names[0], NULL);
      g_autofree char *labels_name = g_strconcat ("resource://", names[1], NULL);
      ds = vx_dataset_parse_idx (bytes[0], bytes[1], images_name, labels_name, error);
    }
  for (int i = 0; i < 2; i++)
    g_clear_pointer (&bytes[i], g_bytes_unref);
  if (ds)
    {
      g_free (ds->source);
      ds->source = g_strdup ("embedded Fashion-MNIST test subset (resource://" VX_EMBEDDED_PREFIX ")");
    }
  return ds;
}

VxDataset *
vx_dataset_open_default (GError **error)
{
  const char *dir = vx_fashion_mnist_dir ();
  g_autofree char *images = dir ? find_idx (dir, "t10k-images-idx3-ubyte") : NULL;
  if (images)
    return vx_dataset_load_idx_dir (dir, "test", error);
  return vx_dataset_open_embedded (error);
}

/* ---- opening any path ----------------------------------------------------------------- */

static VxDataset *
open_idx_file (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *at = strstr (base, "images-idx3");
  if (!at)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "%s: not a directory, and not an IDX images file named *images-idx3* "
                   "(its labels are looked up beside it as *labels-idx1*)", path);
      return NULL;
    }
  g_autofree char *stem = g_strndup (base, (gsize) (at - base));
  g_autofree char *rest = g_strdup (at + strlen ("images-idx3"));
  if (g_str_has_suffix (rest, ".gz"))
    rest[strlen (rest) - 3] = '\0';
  g_autofree char *labels_base = g_strconcat (stem, "labels-idx1", rest, NULL);
  g_autofree char *labels = find_idx (dir, labels_base);
  if (!labels)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: its labels %s[.gz] are not beside it",
                   path, labels_base);
      return NULL;
    }
  return vx_dataset_load_idx (path, labels, error);
}

VxDataset *
vx_dataset_open (const char *path, const VxModel *model, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  VxDataset *ds = NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *test_images = find_idx (path, "t10k-images-idx3-ubyte");
      g_autofree char *train_images = find_idx (path, "train-images-idx3-ubyte");
      if (test_images || train_images)
        ds = vx_dataset_load_idx_dir (path, test_images ? "test" : "train", error);
      else
        {
          /* an image folder at the model's input; ImageNet's 224x224 RGB without one */
          int size = model ? model->arch.img_size : 224;
          int channels = model ? model->arch.in_chans : 3;
          double crop_pct = 0.875;   /* timm's default for DeiT */
          const char *s = model ? vx_model_get_meta (model, "vitx.crop_pct") : NULL;
          if (s)
            crop_pct = g_ascii_strtod (s, NULL);
          ds = vx_dataset_load_image_folder (path, size, channels, crop_pct, 0, error);
        }
    }
  else if (g_file_test (path, G_FILE_TEST_EXISTS))
    ds = open_idx_file (path, error);
  else
    g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: no such file or directory", path);

  if (ds && model
      && (ds->channels != model->arch.in_chans || ds->height != model->arch.img_size
          || ds->width != model->arch.img_size))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_SHAPE,
                   "%s: images are %dx%dx%d (channels x height x width), the model expects "
                   "%dx%dx%d", path, ds->channels, ds->height, ds->width, model->arch.in_chans,
                   model->arch.img_size, model->arch.img_size);
      g_clear_pointer (&ds, vx_dataset_free);
    }
  return ds;
}

/* ---- batches and subsets -------------------------------------------------------------- */

void
vx_dataset_fill_batch (const VxDataset *ds, const VxModel *m, int start, int count, float *out)
{
  g_return_if_fail (ds != NULL && m != NULL && out != NULL);
  g_return_if_fail (start >= 0 && count >= 0 && start <= ds->n - count);
  g_return_if_fail (ds->channels == m->arch.in_chans && ds->channels <= 3);
  g_return_if_fail (ds->height == m->arch.img_size && ds->width == m->arch.img_size);

  size_t hw = (size_t) ds->height * ds->width;
  size_t per_image = hw * ds->channels;
  for (int i = 0; i < count; i++)
    for (int c = 0; c < ds->channels; c++)
      {
        const guint8 *src = ds->pixels + (size_t) (start + i) * per_image + c * hw; // (H, W)
        float *dst = out + (size_t) i * per_image + c * hw;                       // (H, W)
        float mean = m->mean[c], std = m->std[c];
        /* the same float operations as torchvision's ToTensor + Normalize */
        for (size_t j = 0; j < hw; j++)
          dst[j] = ((float) src[j] / 255.0f - mean) / std;
      }
}

VxDataset *
vx_dataset_subset_stratified (const VxDataset *ds, int n, uint64_t seed)
{
  g_return_val_if_fail (ds != NULL && n >= 0, NULL);
  n = MIN (n, ds->n);
  int K = ds->num_classes;

  /* per class, its image indices in a seeded shuffle */
  g_autofree int *count = g_new0 (int, K);
  for (int i = 0; i < ds->n; i++)
    count[ds->labels[i]]++;
  int **members = g_new0 (int *, K);
  g_autofree int *fill = g_new0 (int, K);
  for (int k = 0; k < K; k++)
    members[k] = g_new (int, MAX (count[k], 1));
  for (int i = 0; i < ds->n; i++)
    members[ds->labels[i]][fill[ds->labels[i]]++] = i;
  for (int k = 0; k < K; k++)
    {
      VxRng r;
      vx_rng_init (&r, vx_rng_key (seed, vx_rng_tag ("stratified"), k, -1, -1));
      vx_rng_shuffle (&r, members[k], count[k]);
    }

  /* round robin over the classes, so every prefix of the subset is stratified too */
  g_autofree int *pick = g_new (int, MAX (n, 1));
  int taken = 0;
  for (int rank = 0; taken < n; rank++)
    for (int k = 0; k < K && taken < n; k++)
      if (rank < count[k])
        pick[taken++] = members[k][rank];
  for (int k = 0; k < K; k++)
    g_free (members[k]);
  g_free (members);

  size_t per_image = (size_t) ds->channels * ds->height * ds->width;
  VxDataset *sub = g_new0 (VxDataset, 1);
  sub->n = n;
  sub->channels = ds->channels;
  sub->height = ds->height;
  sub->width = ds->width;
  sub->num_classes = K;
  sub->pixels = g_malloc (MAX (per_image * n, 1));
  sub->labels = g_new (int32_t, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      memcpy (sub->pixels + per_image * i, ds->pixels + per_image * pick[i], per_image);
      sub->labels[i] = ds->labels[pick[i]];
    }
  sub->class_names = g_strdupv (ds->class_names);
  sub->source = g_strdup_printf ("%s (stratified subset of %d, seed %" G_GUINT64_FORMAT ")",
                                 ds->source ? ds->source : "dataset", n, (guint64) seed);
  return sub;
}
