/* vx-safetensors.h: read and write safetensors files
 *
 * Format: 8-byte little-endian header length n, then n bytes of JSON
 * {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 *  "__metadata__": {"key": "value", ...}}, then the byte buffer the offsets index.
 * F32, F16 and BF16 tensors are read and converted to float; everything is
 * validated against the file size before any byte is used.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  char *name;
  char *dtype;        /* as in the file: "F32", "F16", "BF16" */
  int ndim;
  int64_t shape[8];
  int64_t numel;
  float *data;        /* numel floats, converted to F32; owned */
} VxTensor;

typedef struct {
  GPtrArray *tensors;     /* VxTensor*, in file order */
  GHashTable *by_name;    /* name -> VxTensor* (borrowed) */
  GHashTable *metadata;   /* char* -> char* (owned) */
  char *path;
} VxSafetensors;

VxSafetensors *vx_safetensors_read  (const char *path, GError **error);
/* parse from memory; name is used in error messages */
VxSafetensors *vx_safetensors_parse (const guint8 *bytes, gsize len, const char *name, GError **error);
void           vx_safetensors_free  (VxSafetensors *st);
VxTensor      *vx_safetensors_get   (const VxSafetensors *st, const char *name);

/* Writing: tensors are always F32; metadata may be NULL. The file is written
 * atomically (temporary file + rename). */
typedef struct _VxSafetensorsWriter VxSafetensorsWriter;
VxSafetensorsWriter *vx_safetensors_writer_new (void);
void vx_safetensors_writer_add  (VxSafetensorsWriter *w, const char *name, const float *data,
                                 int ndim, const int64_t *shape);
void vx_safetensors_writer_meta (VxSafetensorsWriter *w, const char *key, const char *value);
gboolean vx_safetensors_writer_save (VxSafetensorsWriter *w, const char *path, GError **error);
void vx_safetensors_writer_free (VxSafetensorsWriter *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxSafetensors, vx_safetensors_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VxSafetensorsWriter, vx_safetensors_writer_free)

G_END_DECLS
