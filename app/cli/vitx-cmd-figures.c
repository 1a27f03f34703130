/* vitx-cmd-figures.c: `vitx figures`, the paper's figure set for one model */
#define G_LOG_DOMAIN "vitx-figures"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vitx-commands.h"
#include "vs-figures.h"
#include "vitx-xbar-options.h"
#include "vx-error.h"
#include "vx-outlier.h"

typedef struct {
  gint64 t0;
  gboolean quiet;
  gboolean finished;   /* the bar reached the end (figures are being written) */
} Progress;

static void
on_progress (void *user, const char *what, gint64 done, gint64 total)
{
  Progress *p = user;
  if (p->quiet || p->finished)
    return;
  if (done >= total)
    {
      p->finished = TRUE;
      what = "writing the figures";
    }
  /* a fixed-width label keeps the redrawn bar in place */
  char label[48];
  g_snprintf (label, sizeof label, "%-40.40s", what);
  vitx_progress (label, (int) MIN (done, G_MAXINT), (int) MIN (total, G_MAXINT),
                 (g_get_monotonic_time () - p->t0) / 1e6);
}

/* --repeats lives in the shared crossbar group, whose default (1) suits single
 * evaluations; figures default to 3, so look whether it was given at all */
static gboolean
repeats_given (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (strcmp (argv[i], "--repeats") == 0 || g_str_has_prefix (argv[i], "--repeats="))
        return TRUE;
    }
  return FALSE;
}

static gboolean
parse_formats (const char *list, VxChartFormats *out)
{
  g_auto (GStrv) parts = g_strsplit (list, ",", -1);
  VxChartFormats f = 0;
  for (guint i = 0; parts[i]; i++)
    {
      const char *p = g_strstrip (parts[i]);
      if (g_ascii_strcasecmp (p, "png") == 0)
        f |= VX_CHART_FORMAT_PNG;
      else if (g_ascii_strcasecmp (p, "svg") == 0)
        f |= VX_CHART_FORMAT_SVG;
      else if (*p)
        return FALSE;
    }
  *out = f;
  return f != 0;
}

typedef struct {
  char *model_path, *data_path, *out, *formats, *only;
  gboolean quiet;
} FiguresArgs;

static void
figures_args_clear (FiguresArgs *a)
{
  g_free (a->model_path);
  g_free (a->data_path);
  g_free (a->out);
  g_free (a->formats);
  g_free (a->only);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FiguresArgs, figures_args_clear)

/* GLib copies the entries, so they may live on this function's stack */
static void
add_figures_options (GOptionContext *ctx, FiguresArgs *a, VsFiguresOpts *fo)
{
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &a->model_path, "Model (default: the shipped model)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &a->data_path,
      "Dataset (default: the Fashion-MNIST test set)", "PATH" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out, "Directory for the figures (required; created)", "DIR" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &a->formats, "png, svg or png,svg (default); CSV always", "LIST" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &a->only,
      "Only these figures: radar, hist, snr, ablation, onoff, hw, table2, outlier (default all)", "LIST" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &fo->limit, "Images per evaluation (default 1000; 0 = all)", "N" },
    { "snr-limit", 0, 0, G_OPTION_ARG_INT, &fo->snr_limit,
      "Images for SNR and histograms (default 256; 0 = --limit)", "N" },
    { "hist-block", 0, 0, G_OPTION_ARG_INT, &fo->hist_block,
      "Block of the Fig. 5 histograms, counted from 1 (default 1, the first)", "B" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &fo->batch, "Images per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &fo->threads, "Threads (default: all cores)", "T" },
    { "width", 0, 0, G_OPTION_ARG_DOUBLE, &fo->width, "Figure width in logical pixels (default 900)", "W" },
    { "height", 0, 0, G_OPTION_ARG_DOUBLE, &fo->height, "Figure height in logical pixels (default 600)", "H" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &fo->scale, "PNG pixels per logical pixel (default 2)", "S" },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &fo->dpi, "PNG resolution recorded in pHYs (default 300)", "DPI" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &fo->dark, "Dark variant", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "No progress on stderr", NULL },
    { NULL }
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

static const char figures_description[] =
  "Evaluates the model on simulated crossbars for every setting the figures need and\n"
  "writes each figure as PNG and SVG plus the CSV of its numbers into DIR:\n"
  "  fig1a-radar            RRAM vs SRAM: accuracy and <SNR> at the base gamma, attention\n"
  "                         area and energy, accuracy loss at gamma 3 and 5\n"
  "  fig5-hist-k, -v        K/V conductances of --hist-block: untransformed, ClipFormer\n"
  "                         (2, 1), (2, 0.25)\n"
  "  fig6-snr-blocks        per-block SNR at gamma 4; fig6-snr-gamma: <SNR> vs gamma\n"
  "  fig8-ablation-heatmap  accuracy over untransformed, (1,1), (2,1), (1,0.25), (2,0.25)\n"
  "  fig8-ablation-bars     x gamma 3, 4, 5\n"
  "  fig9-onoff             accuracy vs ON/OFF 25, 50, 100 at gamma 3 and 4\n"
  "  fig10-hw               attention area and energy, DeiT-S, LV-ViT-S and the model\n"
  "  table2 (+ table2.md)   accuracy without and with the best (alpha, beta)\n"
  "  figx-outlier           accuracy at gamma 5 vs outlier scale s = 1, 4, 8, 16, 32:\n"
  "                         untransformed, ClipFormer (2, 0.25) physical and renormalised,\n"
  "                         per-channel K/V scale (of the model without --outlier-scale)\n"
  "Each figure sets gamma, ON/OFF and ClipFormer itself; every other crossbar option\n"
  "(see --help-crossbar) applies to all, and so does --prune-keep (token pruning;\n"
  "default: the model's vitx.prune_keep). --repeats defaults to 3 here. Every PNG carries\n"
  "the settings JSON (tEXt \"vitx-settings\") and the program version; SVGs in <metadata>.\n"
  "Exit status: 0 success, 1 a file could not be read or written, 2 bad command line.";

/* the command line into a, fo and xo, checked before anything is loaded */
static int
figures_parse (int argc, char **argv, FiguresArgs *a, VsFiguresOpts *fo, VitxXbarOptions *xo)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the paper's figures for one model");
  g_option_context_set_description (ctx, figures_description);
  add_figures_options (ctx, a, fo);
  g_option_context_add_group (ctx, vitx_xbar_options_group (xo));
  gboolean repeats_set = repeats_given (argc, argv);
  if (!vitx_parse (ctx, "figures", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("figures", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (!a->out)
    {
      vitx_error ("figures", "--out DIR is required");
      return VITX_EXIT_USAGE;
    }
  if (a->formats && !parse_formats (a->formats, &fo->formats))
    {
      vitx_error ("figures", "--format %s: expected png, svg or png,svg", a->formats);
      return VITX_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  if (a->only && !vs_figures_parse_set (a->only, &fo->figures, &error))
    {
      vitx_error ("figures", "--only: %s", error->message);
      return VITX_EXIT_USAGE;
    }
  double keep;
  if (!vitx_xbar_options_config (xo, &fo->base, &error)
      || !vitx_xbar_options_prune_keep (xo, &keep, &error))
    {
      vitx_error ("figures", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  if (repeats_set)
    fo->repeats = vitx_xbar_options_repeats (xo);
  fo->snr = vitx_xbar_options_snr (xo);
  fo->out_dir = a->out;
  if (fo->limit < 0 || fo->snr_limit < 0 || fo->batch <= 0 || fo->batch > 4096 || fo->threads < 0
      || fo->threads > 1024)
    {
      vitx_error ("figures", "--limit and --snr-limit must be >= 0, --batch 1..4096, --threads 0..1024");
      return VITX_EXIT_USAGE;
    }
  return VITX_EXIT_OK;
}

/* the model the figures run on: the source, or (with --outlier-scale) its what-if
 * copy, every figure then on the copy and the outlier sweep from the source */
static int
figures_models (VsFiguresOpts *fo, const VitxXbarOptions *xo, VxModel *source,
                VxModel **transformed)
{
  /* before the outlier copy, which keeps the model's metadata */
  vitx_xbar_options_apply_prune (xo, source, NULL);   /* checked in figures_parse */
  VxOutlierOpts oo;
  if (vitx_xbar_options_outlier (xo, &oo))
    {
      g_autoptr (GError) error = NULL;
      *transformed = vx_outlier_apply (source, &oo, &error);
      if (!*transformed)
        {
          vitx_error ("figures", "%s", error->message);
          return VITX_EXIT_USAGE;
        }
      fo->outlier_source = source;
      fo->outlier_channels = oo.channels;
    }
  fo->model = *transformed ? *transformed : source;
  return VITX_EXIT_OK;
}

int
vitx_cmd_figures (int argc, char **argv)
{
  g_auto (FiguresArgs) a = { NULL };
  VsFiguresOpts fo;
  vs_figures_opts_init (&fo);
  g_autoptr (VitxXbarOptions) xo = vitx_xbar_options_new ();
  int rc = figures_parse (argc, argv, &a, &fo, xo);
  if (rc != VITX_EXIT_OK)
    return rc;
  vx_set_num_threads (fo.threads);

  g_autoptr (VxModel) source = vitx_load_model ("figures", a.model_path);
  if (!source)
    return VITX_EXIT_FAILURE;
  g_autoptr (VxModel) transformed = NULL;
  rc = figures_models (&fo, xo, source, &transformed);
  if (rc != VITX_EXIT_OK)
    return rc;
  g_autoptr (VxDataset) ds = vitx_load_data ("figures", a.data_path, fo.model);
  if (!ds)
    return VITX_EXIT_FAILURE;
  fo.data = ds;

  Progress prog = { g_get_monotonic_time (), a.quiet };
  VsFiguresResult res;
  g_autoptr (GError) error = NULL;
  if (!vs_figures_run (&fo, on_progress, NULL, &prog, &res, &error))
    {
      vitx_error ("figures", "%s", error->message);
      vs_figures_result_clear (&res);
      return g_error_matches (error, VX_ERROR, VX_ERROR_INVALID_ARG) ? VITX_EXIT_USAGE
                                                                      : VITX_EXIT_FAILURE;
    }
  for (guint i = 0; i < res.files->len; i++)
    printf ("%s\n", (const char *) res.files->pdata[i]);
  printf ("figures: %u files in %s; %d crossbar settings, %" G_GINT64_FORMAT
          " image passes on crossbars; total time %.1f s\n",
          res.files->len, a.out, res.runs, res.images, res.seconds);
  vs_figures_result_clear (&res);
  return VITX_EXIT_OK;
}
