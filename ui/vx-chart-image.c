/* vx-chart-image.c: a single image with an optional heat overlay */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-image.h"
#include "vx-chart-private.h"

static gboolean
image_ok (const VxChartImage *m)
{
  return m && m->pixels && m->width > 0 && m->height > 0 && (m->channels == 1 || m->channels == 3)
         && (m->stride == 0 || m->stride >= m->width * m->channels);
}

static gboolean
overlay_ok (const VxChartImage *m)
{
  return m->overlay && m->overlay_width > 0 && m->overlay_height > 0;
}

static cairo_surface_t *
image_surface (const VxChartImage *m)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, m->width, m->height);
  guint stride = m->stride ? m->stride : m->width * m->channels;
  int dst_stride = cairo_image_surface_get_stride (s);
  guint8 *dst;

  cairo_surface_flush (s);
  dst = cairo_image_surface_get_data (s);
  for (guint y = 0; y < m->height; y++)
    {
      const guint8 *src = m->pixels + (gsize) y * stride;
      guint32 *row = (guint32 *) (dst + (gsize) y * dst_stride);
      for (guint x = 0; x < m->width; x++)
        {
          guint8 r, g, b;
          if (m->channels == 1)
            r = g = b = src[x];
          else
            {
              r = src[3 * x];
              g = src[3 * x + 1];
              b = src[3 * x + 2];
            }
          row[x] = 0xff000000u | (guint32) r << 16 | (guint32) g << 8 | b;
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
overlay_range (const VxChartImage *m, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < m->overlay_width * m->overlay_height; i++)
    if (isfinite (m->overlay[i]))
      {
        *lo = MIN (*lo, m->overlay[i]);
        *hi = MAX (*hi, m->overlay[i]);
      }
}

/* Premultiplied ARGB from the inferno ramp. Opacity grows with the value, so
 * the image stays visible where attention is low. */
static cairo_surface_t *
overlay_surface (const VxChartImage *m, double lo, double hi, double alpha)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, m->overlay_width, m->overlay_height);
  int dst_stride = cairo_image_surface_get_stride (s);
  guint8 *dst;

  cairo_surface_flush (s);
  dst = cairo_image_surface_get_data (s);
  for (guint y = 0; y < m->overlay_height; y++)
    {
      guint32 *row = (guint32 *) (dst + (gsize) y * dst_stride);
      for (guint x = 0; x < m->overlay_width; x++)
        {
          double v = m->overlay[y * m->overlay_width + x];
          VxChartColor c;
          double t;
          guint32 a;
          if (!isfinite (v))
            {
              row[x] = 0;
              continue;
            }
          t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
          c = vx_chart_colormap_eval (VX_CHART_COLORMAP_INFERNO, t);
          a = (guint32) lround (alpha * (0.2 + 0.8 * CLAMP (t, 0.0, 1.0)) * 255);
          row[x] = a << 24 | (guint32) lround (c.r * a) << 16 | (guint32) lround (c.g * a) << 8
                   | (guint32) lround (c.b * a);
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
paint_scaled (cairo_t *cr, cairo_surface_t *s, const VxChartRect *r, guint w, guint h)
{
  cairo_pattern_t *p;

  cairo_save (cr);
  cairo_rectangle (cr, r->x, r->y, r->width, r->height);
  cairo_clip (cr);
  cairo_translate (cr, r->x, r->y);
  cairo_scale (cr, r->width / w, r->height / h);
  cairo_set_source_surface (cr, s, 0, 0);
  p = cairo_get_source (cr);
  /* Sharp pixels: a 28x28 digit and a 7x7 patch grid must stay readable. */
  cairo_pattern_set_filter (p, CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (p, CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
}

void
vx_chart_image_render_full (cairo_t *cr, double width, double height,
                            const VxChartImage *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  VxColorbar cb = { VX_CHART_COLORMAP_INFERNO };
  gboolean has_overlay;
  double cap_h = 0, scale, lo = 0, hi = 1;
  VxChartRect r;
  cairo_surface_t *img;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!image_ok (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }
  has_overlay = overlay_ok (m);
  if (has_overlay)
    {
      overlay_range (m, &lo, &hi);
      has_overlay = isfinite (lo);
      if (m->overlay_max > m->overlay_min)
        {
          lo = m->overlay_min;
          hi = m->overlay_max;
        }
    }
  if (has_overlay)
    {
      cb.lo = lo;
      cb.hi = hi;
      cb.title = m->overlay_title;
      _vx_chart_colorbar_reserve (&ctx, &cb);
    }
  if (m->caption && *m->caption)
    {
      VxChartRect cr_ = _vx_chart_text_lines (&ctx, m->caption, VX_CHART_TEXT_AXIS_TITLE,
                                              ctx.area.x + ctx.area.width / 2, ctx.area.y + ctx.area.height,
                                              0.5, 1.0, ctx.area.width, 2, &ctx.theme->foreground, FALSE);
      cap_h = cr_.height + ctx.font * 0.5;
    }
  scale = MIN (ctx.area.width / m->width, (ctx.area.height - cap_h) / m->height);
  scale = MAX (scale, 0.0);
  r.width = m->width * scale;
  r.height = m->height * scale;
  r.x = ctx.area.x + (ctx.area.width - r.width) / 2;
  r.y = ctx.area.y + (ctx.area.height - cap_h - r.height) / 2;
  ctx.layout->plot = r;
  ctx.layout->x_min = 0;
  ctx.layout->x_max = m->width;
  ctx.layout->y_min = m->height;
  ctx.layout->y_max = 0;

  img = image_surface (m);
  paint_scaled (cr, img, &r, m->width, m->height);
  cairo_surface_destroy (img);
  if (has_overlay)
    {
      cairo_surface_t *ov = overlay_surface (m, cb.lo, cb.hi,
                                             m->overlay_alpha > 0 ? MIN (m->overlay_alpha, 1.0) : 0.7);
      paint_scaled (cr, ov, &r, m->overlay_width, m->overlay_height);
      cairo_surface_destroy (ov);
      cb.x = r.x + r.width + ctx.font * 1.2;
      _vx_chart_colorbar_draw (&ctx, &cb, &r);
    }
  cairo_save (cr);
  cairo_rectangle (cr, r.x, r.y, r.width, r.height);
  cairo_set_line_width (cr, _vx_chart_line_width (&ctx));
  vx_chart_color_set_source (cr, &ctx.theme->axis, 1.0);
  cairo_stroke (cr);
  cairo_restore (cr);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (image, VxChartImage)

VxChartTable *
vx_chart_image_to_table (const VxChartImage *m)
{
  const char *cols[] = { "row", "col", "value" };
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  t = vx_chart_table_new (G_N_ELEMENTS (cols), cols);
  if (m->overlay && m->overlay_width > 0 && m->overlay_height > 0)
    {
      for (guint y = 0; y < m->overlay_height; y++)
        for (guint x = 0; x < m->overlay_width; x++)
          {
            vx_chart_table_add_uint (t, y);
            vx_chart_table_add_uint (t, x);
            vx_chart_table_add_number (t, m->overlay[y * m->overlay_width + x]);
          }
    }
  else if (image_ok (m))
    {
      guint stride = m->stride ? m->stride : m->width * m->channels;
      for (guint y = 0; y < m->height; y++)
        for (guint x = 0; x < m->width; x++)
          {
            const guint8 *p = m->pixels + (gsize) y * stride + (gsize) x * m->channels;
            double v = m->channels == 1 ? p[0] : (p[0] + p[1] + p[2]) / 3.0;
            vx_chart_table_add_uint (t, y);
            vx_chart_table_add_uint (t, x);
            vx_chart_table_add_number (t, v);
          }
    }
  return t;
}
