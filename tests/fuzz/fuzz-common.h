/* fuzz-common.h: what every libFuzzer harness of libvitx shares
 *
 * A harness defines LLVMFuzzerTestOneInput (and calls fuzz_init from
 * LLVMFuzzerInitialize). It is linked either with libFuzzer (clang,
 * -fsanitize=fuzzer: the `fuzz` suite) or with fuzz-replay.c (any compiler:
 * replays the committed corpus as an ordinary test).
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Warnings and criticals (a g_return_if_fail that fired) abort, so the fuzzer
 * reports them as findings; the loaders' own messages travel as GErrors. */
static inline void
fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* With VITX_FUZZ_VERBOSE set (replaying a corpus by hand), one line per input:
 * the loader's error or what it loaded. */
static inline void
fuzz_report (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
static inline void
fuzz_report (const char *fmt, ...)
{
  if (!g_getenv ("VITX_FUZZ_VERBOSE"))
    return;
  va_list ap;
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

/* A failed load must say why: a GError in VX_ERROR with a message that names
 * the input. Anything else is a bug in the loader. */
#define FUZZ_CHECK_ERROR(err, name) \
  G_STMT_START { \
    if ((err) == NULL || (err)->domain != VX_ERROR || (err)->message == NULL \
        || strstr ((err)->message, (name)) == NULL) \
      g_error ("%s: a failed load must set a VX_ERROR naming the input, got %s", \
               G_STRLOC, (err) ? (err)->message : "no error"); \
    fuzz_report ("  error: %s", (err)->message); \
  } G_STMT_END
