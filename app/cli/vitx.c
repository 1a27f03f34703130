/* vitx.c: the command-line tool's entry point and shared helpers */
#define G_LOG_DOMAIN "vitx"
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vitx-commands.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-paths.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} VitxCommand;

static const VitxCommand commands[] = {
  { "info",  vitx_cmd_info,  "architecture, parameters, FLOPs and metadata of a model" },
  { "eval",  vitx_cmd_eval,  "accuracy of a model on a dataset (ideal or on crossbars)" },
  { "bench", vitx_cmd_bench, "forward throughput against this machine's sgemm peak" },
  { "train", vitx_cmd_train, "train a ViT (standard or variation-aware)" },
  { "snr",   vitx_cmd_snr,   "per-block attention SNR (eq. 4) on crossbars" },
  { "hist",  vitx_cmd_hist,  "K/V conductance histograms and statistics" },
  { "hw",    vitx_cmd_hw,    "crossbar count, area and energy of the attention" },
  { "figures", vitx_cmd_figures, "the paper's figure set (PNG, SVG, CSV) for one model" },
  { "sweep",   vitx_cmd_sweep,   "a grid of crossbar evaluations: resumable, sharded, Slurm" },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: vitx COMMAND [OPTIONS]\n"
           "\n"
           "Vision Transformers on non-ideal memristive crossbars (ViT-X, ClipFormer).\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "Run 'vitx COMMAND --help' for the options of a command.\n"
           "Exit status: 0 success, 1 the work failed (bad file, bad data), 2 bad command line.\n");
}

/* The trainer runs every parallel loop on one OpenMP pool, and libgomp's default
 * is to spin between loops, which on a machine shared with other jobs steals the
 * cores the working threads need (training throughput fell 3x in our
 * measurements). libgomp reads OMP_WAIT_POLICY once, in its constructor, before
 * main() runs: setting the variable now, or calling any OpenMP function, cannot
 * change it. So `vitx train` and `vitx bench train` start themselves again once
 * with OMP_WAIT_POLICY=passive; a policy the user chose is respected. */
static void
sleep_between_parallel_loops (int argc, char **argv)
{
  gboolean trains = strcmp (argv[1], "train") == 0
                    || (strcmp (argv[1], "bench") == 0 && argc > 2 && strcmp (argv[2], "train") == 0);
  if (!trains || g_getenv ("OMP_WAIT_POLICY"))
    return;
  g_setenv ("OMP_WAIT_POLICY", "passive", TRUE);
  execv ("/proc/self/exe", argv);
  /* no /proc: carry on with the default policy */
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return VITX_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return VITX_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("vitx %s\n", PACKAGE_VERSION);
      return VITX_EXIT_OK;
    }
  sleep_between_parallel_loops (argc, argv);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "vitx: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return VITX_EXIT_USAGE;
}

/* ---- shared helpers ------------------------------------------------------------ */

void
vitx_error (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "vitx %s: %s\n", cmd, msg);
}

gboolean
vitx_parse (GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      vitx_error (cmd, "%s (see 'vitx %s --help')", error->message, cmd);
      return FALSE;
    }
  return TRUE;
}

VxModel *
vitx_load_model (const char *cmd, const char *path)
{
  g_autofree char *def = NULL;
  if (!path)
    {
      def = vx_default_model_path (NULL);
      if (!def)
        {
          vitx_error (cmd, "no model given and the shipped model %s was not found "
                      "(set VITX_DATADIR or pass --model)", VX_DEFAULT_MODEL_NAME);
          return NULL;
        }
      path = def;
    }
  g_autoptr (GError) error = NULL;
  VxModel *m = vx_model_load (path, &error);
  if (!m)
    vitx_error (cmd, "%s", error->message);
  return m;
}

VxDataset *
vitx_load_data (const char *cmd, const char *path, const VxModel *m)
{
  g_autoptr (GError) error = NULL;
  VxDataset *ds = path ? vx_dataset_open (path, m, &error) : vx_dataset_open_default (&error);
  if (!ds)
    vitx_error (cmd, "%s", error->message);
  return ds;
}

void
vitx_print_json (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

gboolean
vitx_stderr_is_tty (void)
{
  return isatty (STDERR_FILENO);
}

void
vitx_progress (const char *what, int done, int total, double seconds)
{
  static gint64 last_plain;
  double frac = total > 0 ? (double) done / total : 1.0;
  double eta = done > 0 ? seconds * (total - done) / done : 0.0;
  if (vitx_stderr_is_tty ())
    {
      int width = 30, fill = (int) (frac * width + 0.5);
      char bar[64];
      for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
      bar[width] = 0;
      fprintf (stderr, "\r%s [%s] %d/%d  %.0fs, ETA %.0fs ", what, bar, done, total, seconds, eta);
      if (done >= total)
        fputc ('\n', stderr);
      fflush (stderr);
      return;
    }
  gint64 now = g_get_monotonic_time ();
  if (done >= total || now - last_plain > 5 * G_USEC_PER_SEC)
    {
      last_plain = now;
      fprintf (stderr, "%s: %d/%d (%.0f%%) %.1fs, ETA %.0fs\n", what, done, total, 100 * frac, seconds, eta);
    }
}
