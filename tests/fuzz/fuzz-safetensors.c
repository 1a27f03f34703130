/* fuzz-safetensors.c: libFuzzer harness for the safetensors reader and the model loader */
#define G_LOG_DOMAIN "fuzz-safetensors"
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-safetensors.h"

#define NAME "fuzz.safetensors"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  vx_set_num_threads (1);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* a private copy, so a read past the input is a heap overflow ASan sees */
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (VxSafetensors) st = vx_safetensors_parse (copy, size, NAME, &error);
  if (!st)
    {
      FUZZ_CHECK_ERROR (error, NAME);
      return 0;
    }

  /* what a reader promises: every tensor has its elements, converted */
  for (guint i = 0; i < st->tensors->len; i++)
    {
      const VxTensor *t = st->tensors->pdata[i];
      int64_t numel = 1;
      for (int d = 0; d < t->ndim; d++)
        numel *= t->shape[d];
      if (numel != t->numel || (t->numel > 0 && !t->data))
        g_error ("tensor '%s': numel %" G_GINT64_FORMAT " does not match its shape", t->name,
                 t->numel);
      if (vx_safetensors_get (st, t->name) != t)
        g_error ("tensor '%s' is not found under its own name", t->name);
      volatile float sum = 0;
      for (int64_t j = 0; j < t->numel; j++)
        sum += t->data[j];
      (void) sum;
    }

  g_autoptr (VxModel) m = vx_model_from_safetensors (st, &error);
  if (!m)
    {
      FUZZ_CHECK_ERROR (error, NAME);
      return 0;
    }
  /* a model that loaded is usable: finite weights, names for every class */
  if (g_strv_length (m->class_names) != (guint) m->arch.num_classes)
    g_error ("model with %d classes has %u class names", m->arch.num_classes,
             g_strv_length (m->class_names));
  for (size_t j = 0; j < m->params.n; j++)
    if (!isfinite (m->params.mem[j]))
      g_error ("model loaded with a non-finite parameter at %zu", j);

  /* and runs: one grey image through whatever architecture the file describes */
  const VxArch *a = &m->arch;
  size_t pixels = (size_t) a->in_chans * a->img_size * a->img_size;
  g_autofree float *image = g_new0 (float, pixels);              // (1, C, S, S)
  g_autofree float *logits = g_new0 (float, a->num_classes);     // (1, K)
  VxActs *acts = vx_acts_new (a, 1, FALSE);
  VxForwardOpts opts = { .threads = 1 };
  vx_model_forward (m, acts, image, 1, logits, &opts);
  vx_acts_free (acts);
  fuzz_report ("  model: %d classes, depth %d, dim %d, logit[0] %g", a->num_classes, a->depth,
               a->embed_dim, (double) logits[0]);
  return 0;
}
