/* vx-figures-export.c: the paper's figure set with the explorer's settings */
#define G_LOG_DOMAIN "vx-figures-export"
#include "config.h"

#include "vx-figures-export.h"

void
vx_figures_request_clear (VxFiguresRequest *r)
{
  g_clear_pointer (&r->model, vx_shared_model_unref);
  g_clear_pointer (&r->data, vx_shared_data_unref);
  g_clear_pointer (&r->dir, g_free);
}

void
vx_figures_request_opts (const VxFiguresRequest *r, VitxFiguresOpts *o)
{
  vitx_figures_opts_init (o);
  o->model = r->model->model;
  o->data = r->data->data;
  o->base = r->settings.xbar;
  o->out_dir = r->dir;
  o->figures = r->figures;
  o->formats = VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG;
  o->limit = vx_compute_images (r->data->data, &r->settings);
  o->repeats = r->settings.repeats;
  o->snr = r->settings.snr_mode;
  o->snr_limit = MIN (o->snr_limit, o->limit);
  o->hist_block = r->hist_block + 1;
  o->outlier_channels = r->settings.outlier_channels;
  o->model_label = r->model->name;
}

gboolean
vx_figures_request_run (const VxFiguresRequest *r, VitxFiguresProgress progress,
                        VitxFiguresCancelled cancelled, void *user, VitxFiguresResult *result,
                        GError **error)
{
  VitxFiguresOpts o;
  vx_figures_request_opts (r, &o);
  return vitx_figures_run (&o, progress, cancelled, user, result, error);
}
