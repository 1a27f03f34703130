/* vitx-cmd-xbar.c: `vitx snr`, `vitx hist`, `vitx hw` */
#define G_LOG_DOMAIN "vitx-xbar"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vitx-commands.h"
#include "vitx-xbar-options.h"
#include "vx-hw.h"
#include "vx-error.h"
#include "vx-model-io.h"
#include "vx-paths.h"
#include "vx-xbar.h"

static void
print_node (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

typedef struct {
  char *model, *data;
  int limit, batch, threads, bins;
  gboolean json, quiet, written;
  char *out;
  VitxXbarOptions *xo;
} Common;

static void
on_progress (void *user, int done, int total)
{
  const gint64 *t0 = user;
  vitx_progress ("crossbar", done, total, (g_get_monotonic_time () - *t0) / 1e6);
}

/* parse, load, evaluate with observation; TRUE with r filled */
static int
run_observed (const char *cmd, int argc, char **argv, Common *c, const char *summary,
              const char *description, GOptionEntry *extra, VxXbarConfig *cfg,
              VxXbarEvalResult *r, VxModel **model_out)
{
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &c->model, "Model (default: the shipped model)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &c->data, "Dataset (default: the Fashion-MNIST test set)", "PATH" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &c->limit, "Images to evaluate (default 256)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &c->batch, "Images per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &c->threads, "Threads (default: all cores)", "T" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &c->json, "One JSON object on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &c->quiet, "No progress on stderr", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (extra)
    g_option_context_add_main_entries (ctx, extra, NULL);
  c->xo = vitx_xbar_options_new ();
  g_option_context_add_group (ctx, vitx_xbar_options_group (c->xo));
  if (!vitx_parse (ctx, cmd, &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error (cmd, "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  if (c->limit < 0 || c->batch <= 0 || c->batch > 4096 || c->threads < 0 || c->threads > 1024
      || c->bins < 2 || c->bins > 4096)
    {
      vitx_error (cmd, "--limit must be >= 0, --batch 1..4096, --threads 0..1024, --bins 2..4096");
      return VITX_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  if (!vitx_xbar_options_config (c->xo, cfg, &error))
    {
      vitx_error (cmd, "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  if (c->written && cfg->mode == VX_XBAR_CIRCUIT)
    {
      vitx_error (cmd, "--written: circuit mode draws its write noise per cell inside the "
                  "circuit, so the written conductances are gathered in functional mode only");
      return VITX_EXIT_USAGE;
    }
  vx_set_num_threads (c->threads);
  VxModel *m = vitx_load_model (cmd, c->model);
  if (!m)
    return VITX_EXIT_FAILURE;
  m = vitx_xbar_prepare_model (cmd, c->xo, m);
  if (!m)
    return VITX_EXIT_FAILURE;
  *model_out = m;
  g_autoptr (VxDataset) ds = vitx_load_data (cmd, c->data, m);
  if (!ds)
    return VITX_EXIT_FAILURE;
  gint64 t0 = g_get_monotonic_time ();
  VxXbarEvalOpts opts = {
    .repeats = 1, .batch = c->batch, .limit = c->limit, .threads = c->threads,
    .snr = vitx_xbar_options_snr (c->xo), .observe = TRUE, .hist_bins = c->bins,
    .progress = c->quiet ? NULL : on_progress, .user = &t0,
  };
  if (!vx_xbar_eval_run (m, ds, cfg, &opts, r, &error))
    {
      vitx_error (cmd, "%s", error->message);
      return VITX_EXIT_FAILURE;
    }
  return VITX_EXIT_OK;
}

static void
common_clear (Common *c)
{
  g_free (c->model);
  g_free (c->data);
  g_free (c->out);
  vitx_xbar_options_free (c->xo);
}

int
vitx_cmd_snr (int argc, char **argv)
{
  Common c = { .limit = 256, .batch = 64, .bins = VX_XBAR_HIST_BINS_DEFAULT };
  VxXbarConfig cfg;
  VxXbarEvalResult r = { 0 };
  VxModel *m = NULL;
  int rc = run_observed ("snr", argc, argv, &c, "- per-block attention SNR on crossbars",
    "For every block b: SNR_b = 10 log10(||X_ideal||^2 / ||X_ideal - X_noisy||^2) of the\n"
    "attention output (docs/MODEL.md eq. 4), pooled over the images; <SNR> is the mean over\n"
    "blocks. Identical outputs are capped at 200 dB and flagged.\n"
    "Exit status: 0 success, 1 a file could not be read, 2 bad command line.",
    NULL, &cfg, &r, &m);
  if (rc == VITX_EXIT_OK)
    {
      if (c.json)
        {
          g_autoptr (JsonNode) node = vx_xbar_eval_result_to_json (&r);
          JsonObject *o = json_node_get_object (node);
          json_object_set_string_member (o, "model", m->path ? m->path : "");
          json_object_remove_member (o, "kv_stats");
          print_node (node);
        }
      else
        {
          g_autofree char *summary = vx_xbar_config_to_string (&cfg);
          printf ("crossbar %s\n", summary);
          printf ("SNR (%s, %d images); top-1 on them %.2f%%\n", vx_snr_mode_to_string (r.snr_mode),
                  r.snr_images, 100 * r.top1_mean);
          printf ("%5s %10s %14s %14s\n", "block", "SNR (dB)", "||X||^2", "||X-X'||^2");
          for (int l = 0; l < r.depth; l++)
            printf ("%5d %10.2f%s %14.6g %14.6g\n", l, r.snr_db[l], r.snr_capped[l] ? "*" : " ",
                    r.snr_signal[l], r.snr_error[l]);
          printf ("<SNR> %.2f dB%s\n", r.snr_mean_db, "");
          for (int l = 0; l < r.depth; l++)
            if (r.snr_capped[l])
              {
                printf ("* no measurable error: capped at %.0f dB\n", VX_XBAR_SNR_CAP_DB);
                break;
              }
        }
    }
  vx_xbar_eval_result_clear (&r);
  vx_model_free (m);
  common_clear (&c);
  return rc;
}

static void
print_stats_row (int block, const char *mat, const VxKvStats *s)
{
  printf ("%5d %3s %9.2f %9.2f %9.2f %9.4f %9.4f %6d %5d\n", block, mat, s->max_over_mean,
          s->excess_kurtosis, s->channel_max_ratio, s->share_clipped, s->share_zeroed,
          s->max_level, s->bits_used);
}

int
vitx_cmd_hist (int argc, char **argv)
{
  Common c = { .limit = 256, .batch = 64, .bins = VX_XBAR_HIST_BINS_DEFAULT };
  GOptionEntry extra[] = {
    { "bins", 0, 0, G_OPTION_ARG_INT, &c.bins, "Histogram bins over [G_min, G_max] (default 128)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &c.out, "Write the histogram CSV here (atomically) instead of stdout", "FILE" },
    { "written", 0, 0, G_OPTION_ARG_NONE, &c.written, "Also the conductances as written: after write noise, before read noise (stage \"written\")", NULL },
    { NULL }
  };
  VxXbarConfig cfg;
  VxXbarEvalResult r = { 0 };
  VxModel *m = NULL;
  int rc = run_observed ("hist", argc, argv, &c, "- K/V conductance histograms and statistics",
    "Histograms of the K and V conductances of every block, before and after ClipFormer,\n"
    "G+ and G- arrays counted separately (CSV: block,matrix,stage,array,bin,g_lo,g_hi,count),\n"
    "and K/V statistics: max/mean |value|, excess kurtosis, channel max ratio, share\n"
    "clipped by stage II, share zeroed by stage I, largest level and bits used.\n"
    "With --written also stage \"written\": the programmed conductances plus write noise\n"
    "(eq. 3, docs/MODEL.md section 3), before read noise, in the same bins; two more rows\n"
    "per array count what was written outside the range: bin -1 (g_lo -inf) below G_min,\n"
    "bin N (g_hi inf) above G_max. Functional mode only.\n"
    "With --out the CSV goes to FILE and the statistics table to stdout; with --json\n"
    "one object {config, hists, kv_stats}.\n"
    "Exit status: 0 success, 1 a file could not be read or written, 2 bad command line.",
    extra, &cfg, &r, &m);
  if (rc == VITX_EXIT_OK)
    {
      if (c.json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "model");
          json_builder_add_string_value (b, m->path ? m->path : "");
          json_builder_set_member_name (b, "config");
          json_builder_add_value (b, vx_xbar_config_to_json (&cfg));
          json_builder_set_member_name (b, "images");
          json_builder_add_int_value (b, r.observed_images);
          json_builder_set_member_name (b, "hists");
          json_builder_add_value (b, vx_xbar_hists_to_json (&r, c.written));
          json_builder_set_member_name (b, "kv_stats");
          json_builder_begin_array (b);
          for (int l = 0; l < r.depth; l++)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "block");
              json_builder_add_int_value (b, l);
              json_builder_set_member_name (b, "k");
              json_builder_add_value (b, vx_kv_stats_to_json (&r.kv_stats[l * 2]));
              json_builder_set_member_name (b, "v");
              json_builder_add_value (b, vx_kv_stats_to_json (&r.kv_stats[l * 2 + 1]));
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
          vitx_print_json (b);
        }
      else
        {
          g_autoptr (GString) csv = g_string_new (NULL);
          vx_xbar_hists_to_csv (&r, c.written, csv);
          if (c.out)
            {
              g_autoptr (GError) error = NULL;
              if (!g_file_set_contents (c.out, csv->str, csv->len, &error))
                {
                  vitx_error ("hist", "%s", error->message);
                  rc = VITX_EXIT_FAILURE;
                }
              else
                {
                  g_autofree char *summary = vx_xbar_config_to_string (&cfg);
                  printf ("crossbar %s\n", summary);
                  printf ("histograms of %d images written to %s\n", r.observed_images, c.out);
                  printf ("%5s %3s %9s %9s %9s %9s %9s %6s %5s\n", "block", "mat", "max/mean",
                          "kurtosis", "ch.ratio", "clipped", "zeroed", "level", "bits");
                  for (int l = 0; l < r.depth; l++)
                    {
                      print_stats_row (l, "K", &r.kv_stats[l * 2]);
                      print_stats_row (l, "V", &r.kv_stats[l * 2 + 1]);
                    }
                }
            }
          else
            fputs (csv->str, stdout);
        }
    }
  vx_xbar_eval_result_clear (&r);
  vx_model_free (m);
  common_clear (&c);
  return rc;
}

/* ---- vitx hw --------------------------------------------------------------------- */

static gboolean
arch_from_name (const char *name, VxArch *out, char **label, GError **error)
{
  for (const char *const *p = vx_hw_arch_preset_names (); *p; p++)
    if (g_ascii_strcasecmp (name, *p) == 0)
      {
        *label = g_strdup (*p);
        return vx_hw_arch_preset (*p, out, error);
      }
  g_autoptr (VxModel) m = NULL;
  if (g_strcmp0 (name, "model") == 0)
    {
      g_autofree char *path = vx_default_model_path (NULL);
      if (!path)
        {
          g_set_error (error, VX_ERROR, VX_ERROR_IO, "the shipped model was not found");
          return FALSE;
        }
      m = vx_model_load (path, error);
    }
  else
    m = vx_model_load (name, error);
  if (!m)
    return FALSE;
  *out = m->arch;
  *label = g_strdup (m->path);
  return TRUE;
}

static void
add_report (JsonBuilder *b, const char *name, const VxHwReport *rep)
{
  json_builder_set_member_name (b, name);
  json_builder_add_value (b, vx_hw_report_to_json (rep));
}

int
vitx_cmd_hw (int argc, char **argv)
{
  char *arch_name = NULL;
  gboolean json = FALSE, compare = FALSE;
  GOptionEntry entries[] = {
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch_name,
      "deit-t, deit-s (default), deit-b, lvvit-s, model (the shipped model) or a model FILE", "ARCH" },
    { "compare", 'c', 0, G_OPTION_ARG_NONE, &compare,
      "Also estimate without ClipFormer and print the saving of the given ClipFormer", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- crossbar count, area and energy");
  g_option_context_set_description (ctx,
    "docs/MODEL.md section 7: #xbars = ceil(rows/X) ceil(cols/X) ceil(bits/b_c) x 2 (pair);\n"
    "attention = W_Q, W_K, W_V and the K^T, V crossbars of every head; energy per image =\n"
    "reads x E_R + writes x E_W. ClipFormer with beta 0.25 (physical reading) stores K/V in\n"
    "6 bits: 3 two-bit slices instead of 4. Example: vitx hw --arch deit-s --beta 0.25 --compare\n"
    "With --json: {arch, attention {xbars, area_mm2, energy_uj, ...}, breakdown [...],\n"
    "costs_fitted, costs_note} (SRAM preset: costs fitted to the paper's Fig. 1a ratios)\n"
    "(with --compare: {clipformer: ..., untransformed: ..., area_saving, energy_saving}).\n"
    "Exit status: 0 success, 1 a model could not be read, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (VitxXbarOptions) xo = vitx_xbar_options_new ();
  g_option_context_add_group (ctx, vitx_xbar_options_group (xo));
  if (!vitx_parse (ctx, "hw", &argc, &argv))
    return VITX_EXIT_USAGE;
  if (argc > 1)
    {
      vitx_error ("hw", "unexpected argument '%s'", argv[1]);
      return VITX_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  VxXbarConfig cfg;
  if (!vitx_xbar_options_config (xo, &cfg, &error))
    {
      vitx_error ("hw", "%s", error->message);
      g_free (arch_name);
      return VITX_EXIT_USAGE;
    }
  VxArch arch;
  g_autofree char *label = NULL;
  if (!arch_from_name (arch_name ? arch_name : "deit-s", &arch, &label, &error))
    {
      vitx_error ("hw", "%s", error->message);
      g_free (arch_name);
      return VITX_EXIT_FAILURE;
    }
  g_free (arch_name);

  VxHwReport rep, base;
  if (!vx_hw_estimate (&arch, &cfg, &rep, &error))
    {
      vitx_error ("hw", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  VxXbarConfig base_cfg = cfg;
  base_cfg.clipformer = FALSE;
  if (compare && !vx_hw_estimate (&arch, &base_cfg, &base, &error))
    {
      vitx_error ("hw", "%s", error->message);
      return VITX_EXIT_USAGE;
    }
  double area_saving = compare ? 1.0 - rep.attn_area_mm2 / base.attn_area_mm2 : 0;
  double energy_saving = compare ? 1.0 - rep.attn_energy_uj / base.attn_energy_uj : 0;

  if (json)
    {
      if (!compare)
        {
          g_autoptr (JsonNode) node = vx_hw_report_to_json (&rep);
          json_object_set_string_member (json_node_get_object (node), "name", label);
          print_node (node);
          return VITX_EXIT_OK;
        }
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, label);
      add_report (b, "clipformer", &rep);
      add_report (b, "untransformed", &base);
      json_builder_set_member_name (b, "area_saving");
      json_builder_add_double_value (b, area_saving);
      json_builder_set_member_name (b, "energy_saving");
      json_builder_add_double_value (b, energy_saving);
      json_builder_end_object (b);
      vitx_print_json (b);
      return VITX_EXIT_OK;
    }
  g_autofree char *summary = vx_xbar_config_to_string (&cfg);
  g_autofree char *table = vx_hw_report_to_table (&rep);
  printf ("%s\ncrossbar %s\n\n%s", label, summary, table);
  if (compare)
    {
      g_autofree char *base_table = vx_hw_report_to_table (&base);
      printf ("\nwithout ClipFormer:\n%s", base_table);
      printf ("\nattention area %.4g -> %.4g mm^2 (%.2f%% less), energy %.4g -> %.4g uJ/image (%.2f%% less)\n",
              base.attn_area_mm2, rep.attn_area_mm2, 100 * area_saving,
              base.attn_energy_uj, rep.attn_energy_uj, 100 * energy_saving);
    }
  return VITX_EXIT_OK;
}
