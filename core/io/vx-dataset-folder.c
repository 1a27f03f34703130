/* vx-dataset-folder.c: ImageNet-style image folders (one sub-folder per class) */
#define G_LOG_DOMAIN "vx-dataset-folder"
#include "config.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vx-dataset.h"
#include "vx-error.h"

/* Images are refused from their header, before decoding, when a side exceeds
 * this or the pixel count exceeds VX_FOLDER_MAX_PIXELS (64 Mpx, 256 MB as
 * RGBA), so a forged header cannot make the decoder allocate gigabytes. */
#define VX_FOLDER_MAX_SIDE   16384
#define VX_FOLDER_MAX_PIXELS ((gint64) 1 << 26)

static gboolean
is_image_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  return g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".jpg")
         || g_str_has_suffix (lower, ".jpeg");
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Sorted names in dir that are directories (want_dirs) or image files.
 * Hidden entries (".git", ".DS_Store") are skipped. */
static GPtrArray *
list_dir (const char *dir, gboolean want_dirs, GError **error)
{
  g_autoptr (GError) gerr = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &gerr);
  if (!d)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot open folder: %s", dir, gerr->message);
      return NULL;
    }
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      if (name[0] == '.')
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (want_dirs ? g_file_test (path, G_FILE_TEST_IS_DIR)
                    : is_image_name (name) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* Python's round() on x.0 or x.5 (half to even), as torchvision's CenterCrop uses */
static int
half_of_rounded_even (int diff)
{
  int q = diff / 2;
  if (diff % 2 == 0)
    return q;
  return q % 2 == 0 ? q : q + 1;
}

/* The decoded image as 8-bit RGB without alpha (alpha dropped, as PIL's
 * convert("RGB") does, not composited). */
static GdkPixbuf *
to_rgb (GdkPixbuf *pb)
{
  if (!gdk_pixbuf_get_has_alpha (pb) && gdk_pixbuf_get_n_channels (pb) == 3)
    return g_object_ref (pb);
  int w = gdk_pixbuf_get_width (pb), h = gdk_pixbuf_get_height (pb);
  int nc = gdk_pixbuf_get_n_channels (pb), stride = gdk_pixbuf_get_rowstride (pb);
  const guint8 *src = gdk_pixbuf_read_pixels (pb);
  GdkPixbuf *rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  guint8 *dst = gdk_pixbuf_get_pixels (rgb);
  int dstride = gdk_pixbuf_get_rowstride (rgb);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      memcpy (dst + (size_t) y * dstride + 3 * x, src + (size_t) y * stride + (size_t) nc * x, 3);
  return rgb;
}

/* TRUE if the file starts with the PNG or the JPEG signature. gdk-pixbuf
 * picks its decoder from the content, not the name, and even asking it for
 * the size (gdk_pixbuf_get_file_info) runs that decoder: a BMP, TGA, ICO, ANI
 * or SVG file named .png would reach that format's loader (librsvg for SVG),
 * a much larger attack surface than the two formats promised here. (The
 * image fuzzer found a 74-byte BMP named .png that made the BMP loader ask
 * for 3.7 GB.) So nothing else is handed to gdk-pixbuf. */
static gboolean
check_signature (const char *path, GError **error)
{
  static const guint8 png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 jpeg_sig[3] = { 0xff, 0xd8, 0xff };
  guint8 head[8] = { 0 };
  gsize got = 0;
  FILE *f = g_fopen (path, "rb");
  if (!f)
    {
      int err = errno;
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot open: %s", path, g_strerror (err));
      return FALSE;
    }
  got = fread (head, 1, sizeof head, f);
  fclose (f);
  if (got == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: empty file (0 bytes), not an image", path);
      return FALSE;
    }
  if ((got >= sizeof png_sig && memcmp (head, png_sig, sizeof png_sig) == 0)
      || (got >= sizeof jpeg_sig && memcmp (head, jpeg_sig, sizeof jpeg_sig) == 0))
    return TRUE;
  g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
               "%s: not a PNG or JPEG image (it starts with neither signature; only those "
               "formats are read)", path);
  return FALSE;
}

/* One image -> out (channels, size, size): timm's eval transform, i.e.
 * resize the short side to floor(size / crop_pct) keeping the aspect ratio
 * (long side truncated, as torchvision does), then a centre crop of size x size.
 * Interpolation: GDK_INTERP_BILINEAR. gdk-pixbuf has no bicubic filter, and
 * its HYPER filter is deprecated (lower quality than BILINEAR since 2.38);
 * BILINEAR averages over the source footprint when shrinking, so it is
 * anti-aliased like PIL's resize. Pixels therefore differ slightly from
 * timm's bicubic ones. Only the crop is rendered (gdk_pixbuf_scale with an
 * offset), so extreme aspect ratios do not allocate a huge resized image. */
static gboolean
load_image (const char *path, int size, int channels, double crop_pct, guint8 *out, GError **error)
{
  if (!check_signature (path, error))
    return FALSE;
  int w = 0, h = 0;
  GdkPixbufFormat *fmt = gdk_pixbuf_get_file_info (path, &w, &h);
  if (!fmt)
    {
      GStatBuf sb;
      gboolean empty = g_stat (path, &sb) == 0 && sb.st_size == 0;
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: %s", path,
                   empty ? "empty file (0 bytes), not an image" : "not a readable PNG or JPEG image");
      return FALSE;
    }
  /* the decoder gdk-pixbuf chose for the signature (a second guard) */
  g_autofree char *fmt_name = gdk_pixbuf_format_get_name (fmt);
  if (g_strcmp0 (fmt_name, "png") != 0 && g_strcmp0 (fmt_name, "jpeg") != 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT,
                   "%s: gdk-pixbuf reads it as %s, not PNG or JPEG (only those are read)", path,
                   fmt_name ? fmt_name : "unknown");
      return FALSE;
    }
  if (w <= 0 || h <= 0 || w > VX_FOLDER_MAX_SIDE || h > VX_FOLDER_MAX_SIDE
      || (gint64) w * h > VX_FOLDER_MAX_PIXELS)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: the image is %dx%d pixels; at most %d per side and %" G_GINT64_FORMAT
                   " pixels are read", path, w, h, VX_FOLDER_MAX_SIDE, VX_FOLDER_MAX_PIXELS);
      return FALSE;
    }
  g_autoptr (GError) gerr = NULL;
  g_autoptr (GdkPixbuf) raw = gdk_pixbuf_new_from_file (path, &gerr);
  if (!raw)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_FORMAT, "%s: cannot decode: %s", path, gerr->message);
      return FALSE;
    }
  w = gdk_pixbuf_get_width (raw);
  h = gdk_pixbuf_get_height (raw);
  if (w <= 0 || h <= 0 || w > VX_FOLDER_MAX_SIDE || h > VX_FOLDER_MAX_SIDE
      || gdk_pixbuf_get_bits_per_sample (raw) != 8 || gdk_pixbuf_get_n_channels (raw) < 3)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED, "%s: unexpected decoded layout", path);
      return FALSE;
    }
  g_autoptr (GdkPixbuf) rgb = to_rgb (raw);

  int scale_size = (int) floor (size / crop_pct);
  int new_w, new_h;
  if (w <= h)
    {
      new_w = scale_size;
      new_h = (int) ((double) ((gint64) scale_size * h) / w);
    }
  else
    {
      new_h = scale_size;
      new_w = (int) ((double) ((gint64) scale_size * w) / h);
    }
  int top = half_of_rounded_even (new_h - size);
  int left = half_of_rounded_even (new_w - size);

  g_autoptr (GdkPixbuf) crop = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, size, size);
  if (new_w == w && new_h == h)
    gdk_pixbuf_copy_area (rgb, left, top, size, size, crop, 0, 0);
  else
    gdk_pixbuf_scale (rgb, crop, 0, 0, size, size, -left, -top,
                      (double) new_w / w, (double) new_h / h, GDK_INTERP_BILINEAR);

  const guint8 *px = gdk_pixbuf_read_pixels (crop);
  int stride = gdk_pixbuf_get_rowstride (crop);
  size_t plane = (size_t) size * size;
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        const guint8 *p = px + (size_t) y * stride + 3 * x;
        size_t o = (size_t) y * size + x;
        if (channels == 3)
          {
            out[o] = p[0];
            out[plane + o] = p[1];
            out[2 * plane + o] = p[2];
          }
        else  /* ITU-R 601-2 luma, in PIL's fixed point (convert("L")) */
          out[o] = (guint8) ((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
      }
  return TRUE;
}

typedef struct {
  char *path;
  int label;
} Item;

static void
item_clear (gpointer p)
{
  g_free (((Item *) p)->path);
}

/* Every image of every class, or with a limit, a round robin over the
 * classes (file i of each class in turn) so a small limit still covers them. */
static GArray *
collect_items (const char *dir, GPtrArray *classes, int limit, GError **error)
{
  GPtrArray **files = g_new0 (GPtrArray *, classes->len);
  guint total = 0, longest = 0;
  gboolean ok = TRUE;
  for (guint k = 0; k < classes->len && ok; k++)
    {
      g_autofree char *cdir = g_build_filename (dir, classes->pdata[k], NULL);
      files[k] = list_dir (cdir, FALSE, error);
      ok = files[k] != NULL;
      if (ok)
        {
          total += files[k]->len;
          longest = MAX (longest, files[k]->len);
        }
    }
  GArray *items = NULL;
  if (ok && total == 0)
    g_set_error (error, VX_ERROR, VX_ERROR_EMPTY,
                 "%s: no PNG or JPEG images in its %u class folder(s)", dir, classes->len);
  else if (ok)
    {
      guint want = limit > 0 ? MIN ((guint) limit, total) : total;
      g_autofree gboolean **chosen = g_new0 (gboolean *, classes->len);
      for (guint k = 0; k < classes->len; k++)
        chosen[k] = g_new0 (gboolean, files[k]->len + 1);
      guint taken = 0;
      for (guint i = 0; i < longest && taken < want; i++)
        for (guint k = 0; k < classes->len && taken < want; k++)
          if (i < files[k]->len)
            {
              chosen[k][i] = TRUE;
              taken++;
            }
      items = g_array_sized_new (FALSE, TRUE, sizeof (Item), want);
      g_array_set_clear_func (items, item_clear);
      for (guint k = 0; k < classes->len; k++)
        {
          for (guint i = 0; i < files[k]->len; i++)
            if (chosen[k][i])
              {
                Item it = { g_build_filename (dir, classes->pdata[k], files[k]->pdata[i], NULL),
                            (int) k };
                g_array_append_val (items, it);
              }
          g_free (chosen[k]);
        }
    }
  for (guint k = 0; k < classes->len; k++)
    if (files[k])
      g_ptr_array_unref (files[k]);
  g_free (files);
  return items;
}

VxDataset *
vx_dataset_load_image_folder (const char *dir, int size, int channels, double crop_pct, int limit,
                              GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  if (size < 1 || size > 4096 || (channels != 1 && channels != 3)
      || !(crop_pct >= 0.1 && crop_pct <= 1.0))
    {
      g_set_error (error, VX_ERROR, VX_ERROR_INVALID_ARG,
                   "%s: cannot load images at size %d, %d channel(s), crop %g (size 1..4096, "
                   "channels 1 or 3, crop 0.1..1)", dir, size, channels, crop_pct);
      return NULL;
    }
  g_autoptr (GPtrArray) classes = list_dir (dir, TRUE, error);
  if (!classes)
    return NULL;
  if (classes->len == 0)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_EMPTY,
                   "%s: no class sub-folders (an image folder has one folder of images per class)",
                   dir);
      return NULL;
    }
  g_autoptr (GArray) items = collect_items (dir, classes, limit, error);
  if (!items)
    return NULL;

  size_t per_image = (size_t) channels * size * size;
  if (items->len > (guint) G_MAXINT || items->len > G_MAXSIZE / per_image)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED, "%s: too many images (%u)", dir,
                   items->len);
      return NULL;
    }
  g_autoptr (VxDataset) ds = g_new0 (VxDataset, 1);
  ds->pixels = g_try_malloc (per_image * items->len);
  if (!ds->pixels)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED,
                   "%s: %u images of %dx%dx%d need %.1f GB; load fewer (a limit)", dir,
                   items->len, channels, size, size, (double) per_image * items->len / 1e9);
      return NULL;
    }
  ds->n = (int) items->len;
  ds->channels = channels;
  ds->height = ds->width = size;
  ds->num_classes = (int) classes->len;
  ds->labels = g_new (int32_t, items->len);
  ds->class_names = g_new0 (char *, classes->len + 1);
  for (guint k = 0; k < classes->len; k++)
    ds->class_names[k] = g_strdup (classes->pdata[k]);
  ds->source = g_strdup (dir);
  for (guint i = 0; i < items->len; i++)
    {
      const Item *it = &g_array_index (items, Item, i);
      if (!load_image (it->path, size, channels, crop_pct, ds->pixels + per_image * i, error))
        return NULL;
      ds->labels[i] = it->label;
    }
  return g_steal_pointer (&ds);
}
