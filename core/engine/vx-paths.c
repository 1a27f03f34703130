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

/* <prefix>/<datadir>/vitx-explorer of the prefix this executable runs from
 * (<prefix>/<bindir>/vitx), so an installed tree that was moved, or unpacked
 * under a DESTDIR, finds its own data; NULL when the executable is not in a
 * bindir (the build tree) or its path is unknown. */
static char *
data_dir_beside_exe (void)
{
  if (g_path_is_absolute (VX_BINDIR_REL) || g_path_is_absolute (VX_DATADIR_REL))
    return NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (!exe || !g_path_is_absolute (exe))
    return NULL;
  char *dir = g_path_get_dirname (exe);
  g_auto (GStrv) parts = g_strsplit (VX_BINDIR_REL, G_DIR_SEPARATOR_S, -1);
  for (int i = (int) g_strv_length (parts) - 1; i >= 0; i--)
    {
      if (!*parts[i] || g_str_equal (parts[i], "."))
        continue;
      g_autofree char *base = g_path_get_basename (dir);
      char *up = g_path_get_dirname (dir);
      gboolean same = g_str_equal (base, parts[i]);
      g_free (dir);
      dir = up;
      if (!same)
        {
          g_free (dir);
          return NULL;
        }
    }
  char *data = g_build_filename (dir, VX_DATADIR_REL, NULL);
  g_free (dir);
  return data;
}

const char *
vx_data_dir (void)
{
  static char *found;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("VITX_DATADIR");
      g_autofree char *beside = data_dir_beside_exe ();
      /* the installed tree beside the executable wins over the source tree,
       * which only an executable in the build tree should use */
      const char *candidates[] = { env, beside, VX_SOURCE_DATADIR, VX_DATADIR };
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
  if (!name)
    {
      char *path = vx_default_model_path (VX_DEFAULT_MODEL_NAME);
      return path ? path : vx_default_model_path (VX_SMALL_MODEL_NAME);
    }
  char *path = g_build_filename (dir, "models", name, NULL);
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
