/* vx-chart-cartesian.c: x/y plot frame (ticks, grid, titles) and colour bars */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-chart-private.h"

#define Y_TITLE_LINES 3

static void
compute_ticks (const VxAxisSpec *s, guint target, double *lo, double *hi, VxChartTicks *t)
{
  if (s->log)
    vx_chart_log_ticks (s->lo, s->hi, target + 1, lo, hi, t);
  else
    vx_chart_nice_ticks (s->lo, s->hi, target, s->extend, lo, hi, t);
}

static double
max_tick_width (VxChartCtx *ctx, const VxChartTicks *t, double *height)
{
  double mw = 0, mh = 0;

  for (guint i = 0; i < t->n; i++)
    {
      g_autofree char *label = vx_chart_ticks_label (t, i);
      double w, h;
      _vx_chart_text_size (ctx, label, VX_CHART_TEXT_TICK, &w, &h);
      mw = MAX (mw, w);
      mh = MAX (mh, h);
    }
  if (height)
    *height = mh;
  return mw;
}

static double
category_width (VxChartCtx *ctx, const char *const *categories, guint n)
{
  double max_w = 0;

  for (guint i = 0; i < n; i++)
    {
      double w;
      _vx_chart_text_size (ctx, categories ? categories[i] : NULL, VX_CHART_TEXT_TICK, &w, NULL);
      max_w = MAX (max_w, w);
    }
  return max_w;
}

void
_vx_chart_cartesian_layout (VxChartCtx *ctx, const VxAxisSpec *xs, const VxAxisSpec *ys,
                            VxCartesian *cart)
{
  const double pad = ctx->font * 0.4, tick_len = ctx->font * 0.35;
  double tick_h, title_h, ytw, left, right, bottom, top, plot_w, plot_h;
  double ylo, yhi, xlo = 0, xhi = 1;
  guint target;

  memset (cart, 0, sizeof *cart);
  cart->x_title = xs->title;
  cart->y_title = ys->title;
  _vx_chart_text_size (ctx, "0", VX_CHART_TEXT_TICK, NULL, &tick_h);
  _vx_chart_text_size (ctx, "Ag", VX_CHART_TEXT_AXIS_TITLE, NULL, &title_h);

  bottom = tick_len + pad + tick_h + (xs->title ? pad + title_h : 0);
  top = tick_h / 2;
  plot_h = ctx->area.height - bottom - top;
  target = (guint) CLAMP (plot_h / (ctx->font * 2.6), 2, 8);
  compute_ticks (ys, target, &ylo, &yhi, &cart->yt);
  ytw = max_tick_width (ctx, &cart->yt, NULL);
  left = (ys->title ? title_h + pad : 0) + ytw + tick_len + pad;
  cart->category_h = tick_h;
  if (xs->n_categories > 0)
    {
      /* Names (not block numbers, which are thinned) wider than their band
       * stand upright rather than lose letters; the plot gives up the height. */
      double band = (ctx->area.width - left - ctx->font * 0.6) / xs->n_categories;
      double name_w = category_width (ctx, xs->categories, xs->n_categories);
      if (name_w >= ctx->font * 3 && name_w > band * 0.96)
        {
          cart->vertical_categories = TRUE;
          cart->category_h = MIN (name_w, ctx->area.height * 0.35);
          bottom += cart->category_h - tick_h;
        }
    }
  if (ys->title)
    {
      /* A y title longer than the plot is tall takes more lines. */
      double thick;
      _vx_chart_text_fit_size (ctx, ys->title, VX_CHART_TEXT_AXIS_TITLE,
                               ctx->area.height - bottom - top + tick_h, Y_TITLE_LINES, NULL, &thick);
      left += MAX (thick, title_h) - title_h;
    }

  right = ctx->font * 0.6;
  if (xs->n_categories == 0)
    {
      /* Fewer ticks until the labels no longer crowd each other. */
      double est_w = ctx->area.width - left - right;
      target = (guint) CLAMP (est_w / (ctx->font * 5), 2, 10);
      for (;;)
        {
          double mw;
          compute_ticks (xs, target, &xlo, &xhi, &cart->xt);
          mw = max_tick_width (ctx, &cart->xt, NULL);
          right = MAX (right, mw / 2);
          if ((mw + ctx->font) * cart->xt.n <= est_w || target <= 1)
            break;
          target--;
        }
    }
  plot_w = MAX (1.0, ctx->area.width - left - right);
  plot_h = MAX (1.0, ctx->area.height - top - bottom);
  cart->plot = (VxChartRect) { ctx->area.x + left, ctx->area.y + top, plot_w, plot_h };

  if (xs->n_categories > 0)
    {
      cart->n_categories = xs->n_categories;
      cart->categories = xs->categories;
      cart->band = plot_w / xs->n_categories;
      xlo = 0;
      xhi = xs->n_categories;
    }
  cart->x = (VxChartAxis) { xlo, xhi, xs->log, cart->plot.x, cart->plot.x + plot_w };
  cart->y = (VxChartAxis) { ylo, yhi, ys->log, cart->plot.y + plot_h, cart->plot.y };

  ctx->layout->plot = cart->plot;
  ctx->layout->x_min = xlo;
  ctx->layout->x_max = xhi;
  ctx->layout->x_log = xs->log;
  ctx->layout->y_min = ylo;
  ctx->layout->y_max = yhi;
  ctx->layout->y_log = ys->log;
}

double
_vx_chart_category_center (const VxCartesian *cart, guint index)
{
  return cart->plot.x + (index + 0.5) * cart->band;
}

void
_vx_chart_cartesian_grid (VxChartCtx *ctx, const VxCartesian *cart)
{
  cairo_t *cr = ctx->cr;

  cairo_save (cr);
  cairo_set_line_width (cr, _vx_chart_line_width (ctx));
  vx_chart_color_set_source (cr, &ctx->theme->grid, 1.0);
  for (guint i = 0; i < cart->yt.n; i++)
    {
      double y = round (vx_chart_axis_to_px (&cart->y, cart->yt.values[i])) + 0.5;
      if (y < cart->plot.y - 1 || y > cart->plot.y + cart->plot.height + 1)
        continue;
      cairo_move_to (cr, cart->plot.x, y);
      cairo_line_to (cr, cart->plot.x + cart->plot.width, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_category_labels (VxChartCtx *ctx, const VxCartesian *cart, double y)
{
  double max_w = category_width (ctx, cart->categories, cart->n_categories), tick_h;
  guint every = 1;

  _vx_chart_text_size (ctx, "0", VX_CHART_TEXT_TICK, NULL, &tick_h);
  /* Short labels (block numbers) are thinned rather than ellipsized to "…". */
  if (cart->vertical_categories && cart->band < tick_h * 1.1)
    every = (guint) ceil (tick_h * 1.1 / MAX (cart->band, 1.0));
  else if (!cart->vertical_categories && max_w < ctx->font * 3 && cart->band < max_w + ctx->font * 0.5)
    every = (guint) ceil ((max_w + ctx->font * 0.5) / MAX (cart->band, 1.0));
  for (guint i = 0; i < cart->n_categories; i += every)
    {
      if (!cart->categories || !cart->categories[i])
        continue;
      if (cart->vertical_categories)
        _vx_chart_text (ctx, cart->categories[i], VX_CHART_TEXT_TICK, _vx_chart_category_center (cart, i), y,
                        0.5, 0.0, cart->category_h, &ctx->theme->foreground, TRUE);
      else
        _vx_chart_text (ctx, cart->categories[i], VX_CHART_TEXT_TICK, _vx_chart_category_center (cart, i), y,
                        0.5, 0.0, cart->band * every * 0.96, &ctx->theme->foreground, FALSE);
    }
}

void
_vx_chart_cartesian_axes (VxChartCtx *ctx, const VxCartesian *cart)
{
  cairo_t *cr = ctx->cr;
  const double pad = ctx->font * 0.4, tick_len = ctx->font * 0.35;
  const VxChartRect *p = &cart->plot;
  double lw = _vx_chart_line_width (ctx);
  double x0 = round (p->x) + 0.5, y1 = round (p->y + p->height) + 0.5;
  double ytw = max_tick_width (ctx, &cart->yt, NULL);
  double tick_h;

  cairo_save (cr);
  cairo_set_line_width (cr, lw);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  vx_chart_color_set_source (cr, &ctx->theme->axis, 1.0);
  cairo_move_to (cr, x0, p->y);
  cairo_line_to (cr, x0, y1);
  cairo_line_to (cr, p->x + p->width, y1);
  for (guint i = 0; i < cart->yt.n; i++)
    {
      double y = round (vx_chart_axis_to_px (&cart->y, cart->yt.values[i])) + 0.5;
      cairo_move_to (cr, x0 - tick_len, y);
      cairo_line_to (cr, x0, y);
    }
  if (cart->n_categories == 0)
    for (guint i = 0; i < cart->xt.n; i++)
      {
        double x = round (vx_chart_axis_to_px (&cart->x, cart->xt.values[i])) + 0.5;
        cairo_move_to (cr, x, y1);
        cairo_line_to (cr, x, y1 + tick_len);
      }
  cairo_stroke (cr);
  cairo_restore (cr);

  for (guint i = 0; i < cart->yt.n; i++)
    {
      g_autofree char *label = vx_chart_ticks_label (&cart->yt, i);
      _vx_chart_text (ctx, label, VX_CHART_TEXT_TICK, x0 - tick_len - pad,
                      vx_chart_axis_to_px (&cart->y, cart->yt.values[i]), 1.0, 0.5, 0,
                      &ctx->theme->foreground, FALSE);
    }
  _vx_chart_text_size (ctx, "0", VX_CHART_TEXT_TICK, NULL, &tick_h);
  if (cart->n_categories > 0)
    draw_category_labels (ctx, cart, y1 + tick_len + pad * 0.5);
  else
    for (guint i = 0; i < cart->xt.n; i++)
      {
        g_autofree char *label = vx_chart_ticks_label (&cart->xt, i);
        _vx_chart_text (ctx, label, VX_CHART_TEXT_TICK, vx_chart_axis_to_px (&cart->x, cart->xt.values[i]),
                        y1 + tick_len + pad * 0.5, 0.5, 0.0, 0, &ctx->theme->foreground, FALSE);
      }
  if (cart->x_title)
    _vx_chart_text (ctx, cart->x_title, VX_CHART_TEXT_AXIS_TITLE, p->x + p->width / 2,
                    y1 + tick_len + pad * 1.5 + cart->category_h, 0.5, 0.0,
                    ctx->area.x + ctx->area.width - p->x + (p->x - ctx->area.x) * 0.5,
                    &ctx->theme->foreground, FALSE);
  if (cart->y_title)
    _vx_chart_text_lines (ctx, cart->y_title, VX_CHART_TEXT_AXIS_TITLE, x0 - tick_len - pad * 2 - ytw,
                          p->y + p->height / 2, 1.0, 0.5, p->height + tick_h, Y_TITLE_LINES,
                          &ctx->theme->foreground, TRUE);
}

void
_vx_chart_colorbar_reserve (VxChartCtx *ctx, VxColorbar *cb)
{
  const double pad = ctx->font * 0.4;
  double label_w = 0, title_h = 0;

  vx_chart_nice_ticks (cb->lo, cb->hi, 5, FALSE, &cb->lo, &cb->hi, &cb->ticks);
  label_w = max_tick_width (ctx, &cb->ticks, NULL);
  if (cb->title)
    _vx_chart_text_size (ctx, "Ag", VX_CHART_TEXT_AXIS_TITLE, NULL, &title_h);
  cb->ramp_width = ctx->font * 0.9;
  cb->x = ctx->area.x + ctx->area.width - (cb->ramp_width + pad * 2 + label_w + (cb->title ? pad + title_h : 0));
  ctx->area.width = MAX (0.0, cb->x - ctx->font * 1.2 - ctx->area.x);
}

void
_vx_chart_colorbar_draw (VxChartCtx *ctx, const VxColorbar *cb, const VxChartRect *plot)
{
  cairo_t *cr = ctx->cr;
  const double pad = ctx->font * 0.4;
  cairo_pattern_t *ramp;
  VxChartAxis axis = { cb->lo, cb->hi, FALSE, plot->y + plot->height, plot->y };
  double label_w = max_tick_width (ctx, &cb->ticks, NULL);
  const int n_stops = 64;

  ramp = cairo_pattern_create_linear (0, plot->y + plot->height, 0, plot->y);
  for (int i = 0; i < n_stops; i++)
    {
      double t = (double) i / (n_stops - 1);
      VxChartColor c = vx_chart_colormap_eval (cb->map, t);
      cairo_pattern_add_color_stop_rgb (ramp, t, c.r, c.g, c.b);
    }
  cairo_save (cr);
  cairo_rectangle (cr, cb->x, plot->y, cb->ramp_width, plot->height);
  cairo_set_source (cr, ramp);
  cairo_fill (cr);
  cairo_pattern_destroy (ramp);
  cairo_set_line_width (cr, _vx_chart_line_width (ctx));
  vx_chart_color_set_source (cr, &ctx->theme->axis, 1.0);
  for (guint i = 0; i < cb->ticks.n; i++)
    {
      double y = round (vx_chart_axis_to_px (&axis, cb->ticks.values[i])) + 0.5;
      cairo_move_to (cr, cb->x + cb->ramp_width, y);
      cairo_line_to (cr, cb->x + cb->ramp_width + pad * 0.8, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  for (guint i = 0; i < cb->ticks.n; i++)
    {
      g_autofree char *label = vx_chart_ticks_label (&cb->ticks, i);
      _vx_chart_text (ctx, label, VX_CHART_TEXT_TICK, cb->x + cb->ramp_width + pad * 2,
                      vx_chart_axis_to_px (&axis, cb->ticks.values[i]), 0.0, 0.5, 0,
                      &ctx->theme->foreground, FALSE);
    }
  if (cb->title)
    _vx_chart_text (ctx, cb->title, VX_CHART_TEXT_AXIS_TITLE, cb->x + cb->ramp_width + pad * 3 + label_w,
                    plot->y + plot->height / 2, 0.0, 0.5, plot->height, &ctx->theme->foreground, TRUE);

  ctx->layout->has_colorbar = TRUE;
  ctx->layout->colorbar = (VxChartRect) { cb->x, plot->y, cb->ramp_width, plot->height };
  ctx->layout->colorbar_min = cb->lo;
  ctx->layout->colorbar_max = cb->hi;
}
