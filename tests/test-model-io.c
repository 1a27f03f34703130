/* test-model-io.c: model files: round trip, inference from shapes, bad tensors */
#define G_LOG_DOMAIN "test-model-io"
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vx-error.h"
#include "vx-model-io.h"

static char *tmpdir;

static const VxArch small_arch = {
  .img_size = 8, .patch_size = 4, .in_chans = 3, .num_classes = 5, .embed_dim = 128,
  .depth = 2, .num_heads = 2, .mlp_hidden = 96, .distilled = 0, .ln_eps = 1e-6f,
};

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static VxModel *
random_model (const VxArch *a, uint64_t seed)
{
  g_autoptr (GError) error = NULL;
  VxModel *m = vx_model_new (a, &error);
  g_assert_no_error (error);
  vx_model_init_random (m, seed);
  /* make biases and norms non-trivial too, so a mix-up of tensors shows */
  for (size_t i = 0; i < m->params.n; i++)
    m->params.mem[i] += 1e-3f * (float) (i % 97);
  return m;
}

typedef struct {
  const char *skip;        /* leave this tensor out */
  const char *reshape;     /* write this tensor with its last dimension + 1 */
  const char *extra;       /* add an unknown tensor of this name */
  gboolean metadata;       /* write the vitx.* architecture keys */
  const char *num_heads;   /* only this vitx.* key (when metadata is FALSE) */
} Variant;

/* Writes m's tensors in timm naming directly with the safetensors writer,
 * as a checkpoint from elsewhere would look. */
static void
write_variant (const VxModel *m, const char *path, const Variant *v)
{
  g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
  int n = 0;
  g_autofree VxParamInfo *t = vx_params_table (&m->arch, &n);
  g_autofree float *bigger = NULL;
  for (int i = 0; i < n; i++)
    {
      if (v->skip && strcmp (t[i].name, v->skip) == 0)
        continue;
      int64_t shape[4];
      memcpy (shape, t[i].shape, sizeof shape);
      const float *data = m->params.mem + t[i].offset;
      if (v->reshape && strcmp (t[i].name, v->reshape) == 0)
        {
          int64_t rows = (int64_t) t[i].numel / shape[t[i].ndim - 1];
          shape[t[i].ndim - 1] += 1;
          bigger = g_new0 (float, rows * shape[t[i].ndim - 1]);
          data = bigger;
        }
      vx_safetensors_writer_add (w, t[i].name, data, t[i].ndim, shape);
    }
  if (v->extra)
    {
      float one = 1.f;
      int64_t s1 = 1;
      vx_safetensors_writer_add (w, v->extra, &one, 1, &s1);
    }
  if (v->metadata)
    {
      g_autofree char *D = g_strdup_printf ("%d", m->arch.embed_dim);
      g_autofree char *H = g_strdup_printf ("%d", m->arch.num_heads);
      g_autofree char *F = g_strdup_printf ("%d", m->arch.mlp_hidden);
      vx_safetensors_writer_meta (w, "vitx.embed_dim", D);
      vx_safetensors_writer_meta (w, "vitx.num_heads", H);
      vx_safetensors_writer_meta (w, "vitx.mlp_hidden", F);
    }
  else if (v->num_heads)
    vx_safetensors_writer_meta (w, "vitx.num_heads", v->num_heads);
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_safetensors_writer_save (w, path, &error));
  g_assert_no_error (error);
}

static void
assert_same_arch (const VxArch *a, const VxArch *b)
{
  g_assert_cmpint (a->img_size, ==, b->img_size);
  g_assert_cmpint (a->patch_size, ==, b->patch_size);
  g_assert_cmpint (a->in_chans, ==, b->in_chans);
  g_assert_cmpint (a->num_classes, ==, b->num_classes);
  g_assert_cmpint (a->embed_dim, ==, b->embed_dim);
  g_assert_cmpint (a->depth, ==, b->depth);
  g_assert_cmpint (a->num_heads, ==, b->num_heads);
  g_assert_cmpint (a->mlp_hidden, ==, b->mlp_hidden);
  g_assert_cmpint (a->distilled, ==, b->distilled);
  g_assert_cmpfloat (a->ln_eps, ==, b->ln_eps);
}

static void
expect_load_error (const char *path, int code, const char *tensor, const char *also)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) m = vx_model_load (path, &error);
  g_assert_null (m);
  g_assert_error (error, VX_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (tensor)
    g_assert_nonnull (strstr (error->message, tensor));
  if (also)
    g_assert_nonnull (strstr (error->message, also));
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_roundtrip (gconstpointer data)
{
  gboolean distilled = GPOINTER_TO_INT (data);
  VxArch a = small_arch;
  a.distilled = distilled;
  a.ln_eps = 1e-5f;
  g_autoptr (VxModel) m = random_model (&a, 11);
  const float mean[3] = { 0.1f, 0.2f, 1.f / 3.f }, std[3] = { 0.7f, 0.25f, 0.123456789f };
  memcpy (m->mean, mean, sizeof mean);
  memcpy (m->std, std, sizeof std);
  const char *names[] = { "cat", "dog", "caf\xc3\xa9", "a \"quoted\" one", "T-shirt/top", NULL };
  g_strfreev (m->class_names);
  m->class_names = g_strdupv ((char **) names);
  vx_model_set_meta (m, "vitx.train_command", "vitx train --epochs 3");
  vx_model_set_meta (m, "vitx.test_top1", "0.8842");
  vx_model_set_meta (m, "vitx.num_heads", "999");   /* the struct wins over stale metadata */

  g_autofree char *path = tmp_path (distilled ? "rt-dist.safetensors" : "rt.safetensors");
  g_autoptr (GError) error = NULL;
  g_assert_true (vx_model_save (m, path, &error));
  g_assert_no_error (error);

  g_autoptr (VxModel) l = vx_model_load (path, &error);
  g_assert_no_error (error);
  assert_same_arch (&l->arch, &m->arch);
  g_assert_cmpuint (l->params.n, ==, m->params.n);
  g_assert_cmpmem (l->params.mem, sizeof (float) * l->params.n, m->params.mem,
                   sizeof (float) * m->params.n);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (l->mean[c], ==, mean[c]);
      g_assert_cmpfloat (l->std[c], ==, std[c]);
    }
  for (int k = 0; names[k]; k++)
    g_assert_cmpstr (l->class_names[k], ==, names[k]);
  g_assert_null (l->class_names[5]);
  g_assert_cmpstr (vx_model_get_meta (l, "vitx.train_command"), ==, "vitx train --epochs 3");
  g_assert_cmpstr (vx_model_get_meta (l, "vitx.test_top1"), ==, "0.8842");
  g_assert_cmpstr (vx_model_get_meta (l, "vitx.num_heads"), ==, "2");
  g_assert_cmpstr (l->path, ==, path);
  if (distilled)
    {
      g_assert_nonnull (l->params.dist_token);
      g_assert_cmpfloat (l->params.head_dist_b[4], ==, m->params.head_dist_b[4]);
    }

  /* the file uses timm's names and shapes (an independent list, not the table) */
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  struct { const char *name; int ndim; int64_t s[4]; } want[] = {
    { "patch_embed.proj.weight", 4, { 128, 3, 4, 4 } }, { "patch_embed.proj.bias", 1, { 128 } },
    { "cls_token", 3, { 1, 1, 128 } }, { "pos_embed", 3, { 1, 4 + 1 + distilled, 128 } },
    { "blocks.1.norm1.weight", 1, { 128 } }, { "blocks.1.attn.qkv.weight", 2, { 384, 128 } },
    { "blocks.1.attn.qkv.bias", 1, { 384 } }, { "blocks.1.attn.proj.weight", 2, { 128, 128 } },
    { "blocks.0.norm2.bias", 1, { 128 } }, { "blocks.0.mlp.fc1.weight", 2, { 96, 128 } },
    { "blocks.0.mlp.fc1.bias", 1, { 96 } }, { "blocks.0.mlp.fc2.weight", 2, { 128, 96 } },
    { "norm.weight", 1, { 128 } }, { "norm.bias", 1, { 128 } },
    { "head.weight", 2, { 5, 128 } }, { "head.bias", 1, { 5 } },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      VxTensor *t = vx_safetensors_get (st, want[i].name);
      g_assert_nonnull (t);
      g_assert_cmpint (t->ndim, ==, want[i].ndim);
      for (int d = 0; d < want[i].ndim; d++)
        g_assert_cmpint (t->shape[d], ==, want[i].s[d]);
    }
  g_assert_cmpuint (st->tensors->len, ==, 4 + distilled + 12 * 2 + 4 + 2 * distilled);
  g_assert_true ((vx_safetensors_get (st, "dist_token") != NULL) == distilled);
  g_assert_cmpfloat (vx_safetensors_get (st, "blocks.1.attn.qkv.weight")->data[7], ==,
                     m->params.blocks[1].qkv_w[7]);
  g_assert_cmpstr (g_hash_table_lookup (st->metadata, "vitx.depth"), ==, "2");
  g_assert_cmpstr (g_hash_table_lookup (st->metadata, "vitx.distilled"), ==, distilled ? "1" : "0");
  g_unlink (path);
}

/* a checkpoint without any metadata: architecture from shapes, ImageNet normalisation */
static void
test_infer (gconstpointer data)
{
  gboolean distilled = GPOINTER_TO_INT (data);
  VxArch a = { .img_size = 12, .patch_size = 4, .in_chans = 3, .num_classes = 7,
               .embed_dim = 192, .depth = 3, .num_heads = 3, .mlp_hidden = 80,
               .distilled = distilled, .ln_eps = 1e-6f };
  g_autoptr (VxModel) m = random_model (&a, 5);
  g_autofree char *path = tmp_path ("stripped.safetensors");
  Variant v = { 0 };
  write_variant (m, path, &v);

  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (st->metadata), ==, 0);
  VxArch inferred;
  g_assert_true (vx_arch_infer (st, &inferred, &error));
  g_assert_no_error (error);
  assert_same_arch (&inferred, &a);

  g_autoptr (VxModel) l = vx_model_from_safetensors (st, &error);
  g_assert_no_error (error);
  assert_same_arch (&l->arch, &a);
  g_assert_cmpmem (l->params.mem, sizeof (float) * l->params.n, m->params.mem,
                   sizeof (float) * m->params.n);
  const float mean[3] = { 0.485f, 0.456f, 0.406f }, std[3] = { 0.229f, 0.224f, 0.225f };
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (l->mean[c], ==, mean[c]);
      g_assert_cmpfloat (l->std[c], ==, std[c]);
    }
  g_assert_cmpstr (l->class_names[0], ==, "0");
  g_assert_cmpstr (l->class_names[6], ==, "6");
  g_unlink (path);
}

/* D = 96 is no multiple of 64: the heads must come from metadata */
static void
test_infer_heads (void)
{
  VxArch a = small_arch;
  a.embed_dim = 96;
  a.num_heads = 4;
  g_autoptr (VxModel) m = random_model (&a, 3);
  g_autofree char *path = tmp_path ("heads.safetensors");
  Variant v = { 0 };
  write_variant (m, path, &v);
  expect_load_error (path, VX_ERROR_UNSUPPORTED, NULL, "vitx.num_heads");
  g_autoptr (VxSafetensors) st = vx_safetensors_read (path, NULL);
  VxArch inferred;
  g_autoptr (GError) error = NULL;
  g_assert_false (vx_arch_infer (st, &inferred, &error));
  g_assert_error (error, VX_ERROR, VX_ERROR_UNSUPPORTED);

  Variant vh = { .num_heads = "4" };
  write_variant (m, path, &vh);
  g_autoptr (VxModel) l = vx_model_load (path, NULL);
  g_assert_nonnull (l);
  assert_same_arch (&l->arch, &a);
  g_unlink (path);
}

static void
test_shape_mismatch (void)
{
  g_autoptr (VxModel) m = random_model (&small_arch, 1);
  g_autofree char *path = tmp_path ("shape.safetensors");
  Variant v = { .reshape = "blocks.1.mlp.fc2.weight", .metadata = TRUE };
  write_variant (m, path, &v);
  expect_load_error (path, VX_ERROR_SHAPE, "blocks.1.mlp.fc2.weight", "(128, 97)");
  g_autoptr (GError) error = NULL;
  g_autoptr (VxModel) l = vx_model_load (path, &error);
  g_assert_null (l);
  g_assert_nonnull (strstr (error->message, "(128, 96)"));

  /* metadata that contradicts the tensors: the shape check names the first victim */
  {
    g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
    int n = 0;
    g_autofree VxParamInfo *t = vx_params_table (&m->arch, &n);
    for (int i = 0; i < n; i++)
      vx_safetensors_writer_add (w, t[i].name, m->params.mem + t[i].offset, t[i].ndim, t[i].shape);
    vx_safetensors_writer_meta (w, "vitx.mlp_hidden", "64");
    g_assert_true (vx_safetensors_writer_save (w, path, NULL));
  }
  expect_load_error (path, VX_ERROR_SHAPE, "blocks.0.mlp.fc1.weight", "(64, 128)");
  g_unlink (path);
}

static void
test_missing_tensor (void)
{
  g_autoptr (VxModel) m = random_model (&small_arch, 2);
  g_autofree char *path = tmp_path ("missing.safetensors");
  Variant v = { .skip = "blocks.1.attn.proj.bias", .metadata = TRUE };
  write_variant (m, path, &v);
  expect_load_error (path, VX_ERROR_SHAPE, "blocks.1.attn.proj.bias", "missing");
  /* without the tensors inference needs */
  Variant v2 = { .skip = "patch_embed.proj.weight" };
  write_variant (m, path, &v2);
  expect_load_error (path, VX_ERROR_SHAPE, "patch_embed.proj.weight", "missing");
  /* and a tensor this engine does not know */
  Variant v3 = { .extra = "blocks.0.ls1.gamma", .metadata = TRUE };
  write_variant (m, path, &v3);
  expect_load_error (path, VX_ERROR_UNSUPPORTED, "blocks.0.ls1.gamma", NULL);
  g_unlink (path);
}

static void
test_nonfinite (void)
{
  g_autoptr (VxModel) m = random_model (&small_arch, 4);
  g_autofree char *path = tmp_path ("nan.safetensors");
  m->params.blocks[0].qkv_w[17] = NAN;
  Variant v = { .metadata = TRUE };
  write_variant (m, path, &v);
  expect_load_error (path, VX_ERROR_VALUE, "blocks.0.attn.qkv.weight", NULL);
  m->params.blocks[0].qkv_w[17] = 0.f;
  m->params.head_b[2] = -INFINITY;
  write_variant (m, path, &v);
  expect_load_error (path, VX_ERROR_VALUE, "head.bias", NULL);
  g_unlink (path);
}

static void
test_bad_metadata (void)
{
  g_autoptr (VxModel) m = random_model (&small_arch, 6);
  g_autofree char *path = tmp_path ("meta.safetensors");
  struct { const char *key, *value; int code; } bad[] = {
    { "vitx.mean", "0.5,0.5", VX_ERROR_FORMAT },
    { "vitx.std", "0.5,0,0.5", VX_ERROR_FORMAT },
    { "vitx.mean", "0.5,nan,0.5", VX_ERROR_FORMAT },
    { "vitx.depth", "two", VX_ERROR_FORMAT },
    { "vitx.depth", "-2", VX_ERROR_FORMAT },
    { "vitx.class_names", "[\"a\",\"b\"]", VX_ERROR_FORMAT },
    { "vitx.class_names", "[1,2,3,4,5]", VX_ERROR_FORMAT },
    { "vitx.class_names", "not json", VX_ERROR_FORMAT },
    { "vitx.num_heads", "3", VX_ERROR_SHAPE },        /* 128 is not divisible by 3 */
    { "vitx.img_size", "0", VX_ERROR_INVALID_ARG },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (VxModel) c = vx_model_copy (m);
      g_assert_true (vx_model_save (c, path, NULL));
      /* rewrite with one metadata entry replaced */
      g_autoptr (VxSafetensors) st = vx_safetensors_read (path, NULL);
      g_autoptr (VxSafetensorsWriter) w = vx_safetensors_writer_new ();
      for (guint j = 0; j < st->tensors->len; j++)
        {
          VxTensor *t = st->tensors->pdata[j];
          vx_safetensors_writer_add (w, t->name, t->data, t->ndim, t->shape);
        }
      vx_safetensors_writer_meta (w, bad[i].key, bad[i].value);
      g_assert_true (vx_safetensors_writer_save (w, path, NULL));
      expect_load_error (path, bad[i].code, NULL, NULL);
    }
  g_unlink (path);
}

static void
test_missing_file (void)
{
  g_autofree char *path = tmp_path ("no-model.safetensors");
  expect_load_error (path, VX_ERROR_IO, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  tmpdir = g_dir_make_tmp ("vitx-mio-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/model-io/roundtrip", GINT_TO_POINTER (0), test_roundtrip);
  g_test_add_data_func ("/model-io/roundtrip-distilled", GINT_TO_POINTER (1), test_roundtrip);
  g_test_add_data_func ("/model-io/infer", GINT_TO_POINTER (0), test_infer);
  g_test_add_data_func ("/model-io/infer-distilled", GINT_TO_POINTER (1), test_infer);
  g_test_add_func ("/model-io/infer-heads", test_infer_heads);
  g_test_add_func ("/model-io/error/shape-mismatch", test_shape_mismatch);
  g_test_add_func ("/model-io/error/missing-tensor", test_missing_tensor);
  g_test_add_func ("/model-io/error/nonfinite", test_nonfinite);
  g_test_add_func ("/model-io/error/bad-metadata", test_bad_metadata);
  g_test_add_func ("/model-io/error/missing-file", test_missing_file);

  int ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return ret;
}
