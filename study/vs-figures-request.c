/* vs-figures-request.c: the paper's figure set with the explorer's settings */
#define G_LOG_DOMAIN "vs-figures-request"
#include "config.h"

#include "vs-figures-request.h"

void
vs_figures_request_clear (VsFiguresRequest *r)
{
  g_clear_pointer (&r->model, vs_shared_model_unref);
  g_clear_pointer (&r->data, vs_shared_data_unref);
  g_clear_pointer (&r->dir, g_free);
}

void
vs_figures_request_opts (const VsFiguresRequest *r, VsFiguresOpts *o)
{
  vs_figures_opts_init (o);
  o->model = r->model->model;
  o->data = r->data->data;
  o->base = r->settings.xbar;
  o->out_dir = r->dir;
  o->figures = r->figures;
  o->formats = VX_CHART_FORMAT_PNG | VX_CHART_FORMAT_SVG;
  o->limit = vs_compute_images (r->data->data, &r->settings);
  o->repeats = r->settings.repeats;
  o->snr = r->settings.snr_mode;
  o->snr_limit = MIN (o->snr_limit, o->limit);
  o->hist_block = r->hist_block + 1;
  o->outlier_channels = r->settings.outlier_channels;
  o->model_label = r->model->name;
}

gboolean
vs_figures_request_run (const VsFiguresRequest *r, VsFiguresProgress progress,
                        VsFiguresCancelled cancelled, void *user, VsFiguresResult *result,
                        GError **error)
{
  VsFiguresOpts o;
  vs_figures_request_opts (r, &o);
  return vs_figures_run (&o, progress, cancelled, user, result, error);
}
