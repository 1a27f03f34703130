/* vx-dataset.h: labelled image sets
 *
 * Images are kept as 8-bit pixels (n, C, S, S) at the model's input size and
 * normalised only when a batch is filled, so a dataset costs n*C*S*S bytes.
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include "vx-model.h"

G_BEGIN_DECLS

typedef struct {
  int n;              /* images */
  int channels;       /* C */
  int height, width;  /* S, S after any resize/crop */
  int num_classes;
  guint8 *pixels;     /* (n, C, H, W) */
  int32_t *labels;    /* (n) */
  char **class_names; /* num_classes strings, NULL-terminated */
  char *source;       /* where it came from, for reports */
} VxDataset;

void vx_dataset_free (VxDataset *ds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxDataset, vx_dataset_free)

/* IDX pair (images idx3 u8 + labels idx1 u8), plain or .gz. */
VxDataset *vx_dataset_load_idx (const char *images_path, const char *labels_path, GError **error);

/* The same from bytes already in memory (a GResource, a fuzzer's input); the
 * names are used in error messages and to recognise Fashion-MNIST files. */
VxDataset *vx_dataset_parse_idx (GBytes *images, GBytes *labels, const char *images_name,
                                 const char *labels_name, GError **error);

/* A directory holding Fashion-MNIST-style IDX files: t10k-images-idx3-ubyte[.gz] and
 * t10k-labels-idx1-ubyte[.gz] (split "test") or train-* (split "train"). */
VxDataset *vx_dataset_load_idx_dir (const char *dir, const char *split, GError **error);

/* An image folder: one sub-folder per class (sorted names = class indices), PNG/JPEG
 * images. Each image is resized so its short side is floor(size/crop_pct), as
 * timm's eval transform does (but bilinear: gdk-pixbuf has no bicubic filter),
 * centre-cropped to size x size, converted to `channels` (1 = grey, ITU-R 601
 * luma; 3 = RGB). limit <= 0: all images; otherwise at most limit, taken round
 * robin over the classes (file i of every class in turn). */
VxDataset *vx_dataset_load_image_folder (const char *dir, int size, int channels,
                                         double crop_pct, int limit, GError **error);

/* Open whatever path is: a directory of IDX files, a single images IDX file
 * (labels beside it), or an image folder sized for the model. */
VxDataset *vx_dataset_open (const char *path, const VxModel *model, GError **error);

/* The default test set: Debian's Fashion-MNIST test split if installed,
 * otherwise the 2,000-image subset shipped in data/. */
VxDataset *vx_dataset_open_default (GError **error);

/* The 2,000-image stratified Fashion-MNIST test subset compiled into libvitx. */
VxDataset *vx_dataset_open_embedded (GError **error);

/* Normalise images [start, start+count) for the model: out (count, C, S, S). */
void vx_dataset_fill_batch (const VxDataset *ds, const VxModel *m, int start, int count, float *out);

/* The first `n` images of a stratified shuffle (seed): equal share per class. */
VxDataset *vx_dataset_subset_stratified (const VxDataset *ds, int n, uint64_t seed);

G_END_DECLS
