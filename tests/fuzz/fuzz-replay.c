/* fuzz-replay.c: runs a fuzz harness over files and folders (no libFuzzer needed)
 *
 * Linked with one harness, it feeds every regular file named on the command
 * line, or found (sorted) in a folder named there, to LLVMFuzzerTestOneInput.
 * This keeps the committed seed corpora and every crash ever found running in
 * the ordinary test suite, with gcc and under the sanitizers.
 */
#define G_LOG_DOMAIN "fuzz-replay"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
run_file (const char *path, int *count)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  /* an exact-size copy, as libFuzzer hands it over */
  g_autofree guint8 *input = g_memdup2 (contents, len);
  fuzz_report ("%s", path);
  LLVMFuzzerTestOneInput (input, len);
  (*count)++;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
      return 2;
    }
  LLVMFuzzerInitialize (&argc, &argv);
  int count = 0;
  for (int i = 1; i < argc; i++)
    {
      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          run_file (argv[i], &count);
          continue;
        }
      g_autoptr (GError) error = NULL;
      g_autoptr (GDir) dir = g_dir_open (argv[i], 0, &error);
      if (!dir)
        g_error ("%s", error->message);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while ((name = g_dir_read_name (dir)))
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_strings);
      for (guint k = 0; k < names->len; k++)
        if (g_file_test (names->pdata[k], G_FILE_TEST_IS_REGULAR))
          run_file (names->pdata[k], &count);
    }
  g_autofree char *self = g_path_get_basename (argv[0]);
  printf ("%s: %d inputs replayed, none crashed\n", self, count);
  /* an empty corpus means the test checked nothing */
  return count > 0 ? 0 : 1;
}
