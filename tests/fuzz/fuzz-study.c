/* fuzz-study.c: libFuzzer harness for the explorer's study-file reader (GTK-free) */
#define G_LOG_DOMAIN "fuzz-study"
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "vx-error.h"
#include "vs-study.h"

#define NAME "fuzz.vitx-study"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* a private copy without a terminating NUL, so the reader must respect the length */
  g_autofree char *copy = g_memdup2 (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (VsStudy) study = vs_study_parse (copy, size, NAME, &error);
  if (!study)
    {
      FUZZ_CHECK_ERROR (error, NAME);
      return 0;
    }

  /* what the reader accepted, the writer writes, and reading that back gives
   * the same study: the same settings, and the same text when written again */
  g_autofree char *json = vs_study_to_json (study);
  g_autoptr (VsStudy) back = vs_study_parse (json, strlen (json), "rewritten", &error);
  if (!back)
    g_error ("a study that was read cannot be read back after writing: %s", error->message);
  if (!vs_run_settings_equal (&study->settings, &back->settings))
    g_error ("the settings changed in a write/read round trip");
  g_autofree char *again = vs_study_to_json (back);
  if (strcmp (json, again) != 0)
    g_error ("writing the study twice gives different text");
  fuzz_report ("  study: %s, results %s/%s", study->model_path ? study->model_path : "(no model)",
               study->current ? "current" : "-", study->other ? "other" : "-");
  return 0;
}
