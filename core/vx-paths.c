/* vx-paths.c: where the shipped data lives */
#define G_LOG_DOMAIN "vx-paths"
#include "config.h"

#include "vx-paths.h"

static gboolean
is_data_dir (const char *dir)
{
  g_autofree char *models = g_build_filename (dir, "models", NULL);
  return g_file_test (models, G_FILE_TEST_IS_DIR);
}

const char *
vx_data_dir (void)
{
  static char *found;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("VITX_DATADIR");
      const char *candidates[] = { env, VX_SOURCE_DATADIR, VX_DATADIR };
      for (guint i = 0; i < G_N_ELEMENTS (candidates) && !found; i++)
        if (candidates[i] && *candidates[i] && is_data_dir (candidates[i]))
          found = g_strdup (candidates[i]);
      g_once_init_leave (&once, 1);
    }
  return found;
}

char *
vx_default_model_path (const char *name)
{
  const char *dir = vx_data_dir ();
  if (!dir)
    return NULL;
  char *path = g_build_filename (dir, "models", name ? name : VX_DEFAULT_MODEL_NAME, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_free (path);
      return NULL;
    }
  return path;
}

const char *
vx_fashion_mnist_dir (void)
{
  const char *env = g_getenv ("VITX_FASHION_MNIST_DIR");
  return env && *env ? env : VX_FASHION_MNIST_DIR;
}
