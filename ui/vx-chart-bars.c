/* vx-chart-bars.c: grouped bar charts */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>

#include "vx-chart-bars.h"
#include "vx-chart-private.h"

static gboolean
bars_have_data (const VxChartBars *m)
{
  if (!m || m->n_categories == 0 || m->n_series == 0 || !m->series)
    return FALSE;
  for (guint s = 0; s < m->n_series; s++)
    if (_vx_chart_any_finite (m->series[s].values, m->n_categories))
      return TRUE;
  return FALSE;
}

static VxChartColor
bar_color (VxChartCtx *ctx, const VxChartBars *m, guint s)
{
  int idx = m->series[s].color_index;
  return vx_chart_theme_series_color (ctx->theme, idx >= 0 ? (guint) idx : s);
}

static double
value_of (const VxChartBars *m, guint c, guint s)
{
  return m->series[s].values ? m->series[s].values[c] : NAN;
}

static double
error_of (const VxChartBars *m, guint c, guint s)
{
  double e = m->series[s].errors ? m->series[s].errors[c] : NAN;
  return isfinite (e) ? fabs (e) : 0.0;
}

VxChartRect
vx_chart_bars_bar_rect (const VxChartLayout *layout, const VxChartBars *m,
                        guint category, guint series)
{
  VxChartRect r = { 0, 0, 0, 0 };
  double band, group, bw, v, y0, yv, base;

  g_return_val_if_fail (layout != NULL && m != NULL, r);
  if (layout->no_data || category >= m->n_categories || series >= m->n_series)
    return r;
  band = layout->plot.width / m->n_categories;
  group = band * (m->n_series == 1 ? 0.62 : 0.8);
  bw = group / m->n_series;
  base = CLAMP (0.0, layout->y_min, layout->y_max);
  v = value_of (m, category, series);
  if (!isfinite (v))
    return r;
  v = CLAMP (v, layout->y_min, layout->y_max);
  y0 = vx_chart_layout_y_to_px (layout, base);
  yv = vx_chart_layout_y_to_px (layout, v);
  r.x = layout->plot.x + category * band + (band - group) / 2 + series * bw + bw * 0.06;
  r.width = bw * 0.88;
  r.y = MIN (y0, yv);
  r.height = fabs (y0 - yv);
  return r;
}

static void
legend (VxChartCtx *ctx, const VxChartBars *m)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree VxLegendItem *items = g_new0 (VxLegendItem, m->n_series);

  for (guint s = 0; s < m->n_series; s++)
    {
      const VxChartBarSeries *ser = &m->series[s];
      char *label;
      if (m->summary_name && isfinite (ser->summary))
        {
          char num[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];
          g_snprintf (fmt, sizeof fmt, "%%.%df", CLAMP (m->summary_decimals, 0, 6));
          g_ascii_formatd (num, sizeof num, fmt, ser->summary);
          label = g_strdup_printf ("%s, %s = %s%s%s", ser->label ? ser->label : "",
                                   m->summary_name, num, m->value_unit ? " " : "",
                                   m->value_unit ? m->value_unit : "");
        }
      else
        label = g_strdup (ser->label ? ser->label : "");
      g_ptr_array_add (labels, label);
      items[s] = (VxLegendItem) { label, bar_color (ctx, m, s), VX_SWATCH_BOX, VX_MARKER_NONE, 1.0 };
    }
  _vx_chart_legend_top (ctx, items, m->n_series);
}

/* ---- value labels ---------------------------------------------------------------- */

/* The value as asked, then without decimals, then with a k/M suffix: the
 * shorter forms only when the full one has no room. */
static char *
format_value (double v, int decimals, guint form)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];
  const char *suffix = "";

  if (form == 2 && fabs (v) >= 1e3)
    {
      suffix = fabs (v) >= 1e6 ? "M" : "k";
      v /= fabs (v) >= 1e6 ? 1e6 : 1e3;
      decimals = fabs (v) < 10 ? 1 : 0;
    }
  else if (form >= 1)
    decimals = 0;
  g_snprintf (fmt, sizeof fmt, "%%.%df", CLAMP (decimals, 0, 6));
  g_ascii_formatd (num, sizeof num, fmt, v);
  return g_strconcat (num, suffix, NULL);
}

typedef struct {
  VxChartRect  bounds;      /* where value labels may go: inside the axes */
  VxChartRect *obstacles;   /* the bars, then the labels placed so far */
  guint        n_bars, n_obstacles;
  double       spacing;     /* between two labels, so "1658.9" "1658.9" never reads as one number */
} LabelSpace;

typedef struct {
  char       *text;         /* NULL: no room anywhere */
  VxChartRect rect;
  gboolean    inside;       /* in the end of its bar, in the bar's contrast colour */
} ValueLabel;

static gboolean
rects_intersect (const VxChartRect *a, const VxChartRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width
         && a->y < b->y + b->height && b->y < a->y + a->height;
}

static gboolean
label_fits (const LabelSpace *sp, const VxChartRect *r, guint skip)
{
  VxChartRect wide = { r->x - sp->spacing / 2, r->y, r->width + sp->spacing, r->height };

  if (!vx_chart_rect_contains_rect (&sp->bounds, r))
    return FALSE;
  for (guint i = 0; i < sp->n_obstacles; i++)
    if (i != skip && rects_intersect (&sp->obstacles[i], i < sp->n_bars ? r : &wide))
      return FALSE;
  return TRUE;
}

/* Above the bar (below a negative one), stacked one or two labels higher
 * when a neighbour's label is in the way, else inside the bar's end: the
 * first place that is free. */
static void
place_value_label (VxChartCtx *ctx, LabelSpace *sp, guint own, double v, double e, ValueLabel *out)
{
  const VxChartLayout *l = ctx->layout;
  const VxChartRect *bar = &sp->obstacles[own];
  double gap = ctx->font * 0.2, w, h;
  double end = vx_chart_layout_y_to_px (l, v >= 0 ? MIN (v + e, l->y_max) : MAX (v - e, l->y_min));

  _vx_chart_text_size (ctx, out->text, VX_CHART_TEXT_VALUE, &w, &h);
  for (guint place = 0; place < 4; place++)
    {
      VxChartRect r = { bar->x + bar->width / 2 - w / 2, 0, w, h };
      gboolean inside = place == 3;
      if (inside)
        {
          /* Inside the end of the bar, away from its error bar. */
          r.y = v >= 0 ? bar->y + gap : bar->y + bar->height - gap - h;
          if (w > bar->width * 0.92 || h + 2 * gap > bar->height)
            continue;
        }
      else
        r.y = v >= 0 ? end - gap - h - place * (h + gap) : end + gap + place * (h + gap);
      if (label_fits (sp, &r, inside ? own : G_MAXUINT))
        {
          out->rect = r;
          out->inside = inside;
          sp->obstacles[sp->n_obstacles++] = r;
          return;
        }
    }
  g_clear_pointer (&out->text, g_free);
}

/* Every label in one form; how many found a place. */
static guint
place_all (VxChartCtx *ctx, const VxChartBars *m, guint form, LabelSpace *sp, ValueLabel *labels)
{
  guint n_placed = 0;

  sp->n_obstacles = sp->n_bars;
  for (guint i = 0; i < sp->n_bars; i++)
    {
      guint s = i / m->n_categories, c = i % m->n_categories;
      g_clear_pointer (&labels[i].text, g_free);
      if (sp->obstacles[i].width <= 0)
        continue;
      labels[i].text = format_value (value_of (m, c, s), m->value_decimals, form);
      place_value_label (ctx, sp, i, value_of (m, c, s), error_of (m, c, s), &labels[i]);
      n_placed += labels[i].text ? 1 : 0;
    }
  return n_placed;
}

/* One form for all labels, so equal values read equal: the full one where
 * every label finds room, else the least shortened one that places the
 * most. A label with no room is left out: a missing number beats two
 * unreadable ones. */
static void
draw_value_labels (VxChartCtx *ctx, const VxChartBars *m)
{
  const VxChartLayout *l = ctx->layout;
  guint n_bars = m->n_categories * m->n_series, n_shown = 0, best = 0, best_form = 0;
  LabelSpace sp = { l->plot, g_new0 (VxChartRect, 2 * n_bars), n_bars, n_bars, ctx->font * 0.5 };
  g_autofree ValueLabel *labels = g_new0 (ValueLabel, n_bars);
  double lw = _vx_chart_line_width (ctx);

  /* Clear of both axes, up to the band the plot keeps for labels above it. */
  sp.bounds.x += lw;
  sp.bounds.width -= lw;
  sp.bounds.height -= lw;
  sp.bounds.y = MAX (ctx->area.y, l->plot.y - ctx->font);
  sp.bounds.height += l->plot.y - sp.bounds.y;
  for (guint s = 0; s < m->n_series; s++)
    for (guint c = 0; c < m->n_categories; c++)
      {
        sp.obstacles[s * m->n_categories + c] = vx_chart_bars_bar_rect (l, m, c, s);
        n_shown += sp.obstacles[s * m->n_categories + c].width > 0 ? 1 : 0;
      }
  for (guint form = 0; form < 3 && best < n_shown; form++)
    {
      guint n = place_all (ctx, m, form, &sp, labels);
      if (n > best)
        {
          best = n;
          best_form = form;
        }
    }
  if (best > 0)
    place_all (ctx, m, best_form, &sp, labels);
  for (guint i = 0; i < n_bars; i++)
    {
      VxChartColor fill = bar_color (ctx, m, i / m->n_categories), ink = ctx->theme->muted;
      if (!labels[i].text)
        continue;
      if (labels[i].inside)
        ink = vx_chart_color_luminance (&fill) < 0.3 ? (VxChartColor) { 1, 1, 1, 1 }
                                                     : (VxChartColor) { 0.1, 0.1, 0.1, 1 };
      _vx_chart_text (ctx, labels[i].text, VX_CHART_TEXT_VALUE, labels[i].rect.x, labels[i].rect.y, 0.0, 0.0,
                      labels[i].rect.width * 1.01, &ink, FALSE);
      g_free (labels[i].text);
    }
  g_free (sp.obstacles);
}

static void
draw_bars (VxChartCtx *ctx, const VxChartBars *m)
{
  cairo_t *cr = ctx->cr;
  const VxChartLayout *l = ctx->layout;
  double lw = _vx_chart_line_width (ctx);

  for (guint s = 0; s < m->n_series; s++)
    {
      VxChartColor col = bar_color (ctx, m, s);
      for (guint c = 0; c < m->n_categories; c++)
        {
          VxChartRect r = vx_chart_bars_bar_rect (l, m, c, s);
          if (r.width <= 0)
            continue;
          cairo_rectangle (cr, r.x, r.y, r.width, r.height);
          vx_chart_color_set_source (cr, &col, 1.0);
          cairo_fill (cr);
        }
    }
  /* Error bars on top of all bars, in the axis colour so they read on any fill. */
  cairo_set_line_width (cr, lw * 1.2);
  vx_chart_color_set_source (cr, &ctx->theme->foreground, 0.85);
  for (guint s = 0; s < m->n_series; s++)
    for (guint c = 0; c < m->n_categories; c++)
      {
        VxChartRect r = vx_chart_bars_bar_rect (l, m, c, s);
        double v = value_of (m, c, s), e = error_of (m, c, s), x, cap, y0, y1;
        if (r.width <= 0 || e <= 0)
          continue;
        x = r.x + r.width / 2;
        cap = MIN (r.width * 0.3, ctx->font * 0.5);
        y0 = vx_chart_layout_y_to_px (l, MAX (v - e, l->y_min));
        y1 = vx_chart_layout_y_to_px (l, MIN (v + e, l->y_max));
        cairo_move_to (cr, x, y0);
        cairo_line_to (cr, x, y1);
        cairo_move_to (cr, x - cap, y0);
        cairo_line_to (cr, x + cap, y0);
        cairo_move_to (cr, x - cap, y1);
        cairo_line_to (cr, x + cap, y1);
      }
  cairo_stroke (cr);
}

void
vx_chart_bars_render_full (cairo_t *cr, double width, double height,
                           const VxChartBars *m, VxChartLayout *layout)
{
  VxChartCtx ctx;
  VxAxisSpec xs = { 0 }, ys = { 0 };
  VxCartesian cart;
  double lo = 0, hi = 0;

  g_return_if_fail (cr != NULL);
  _vx_chart_begin (&ctx, cr, width, height, m ? &m->base : NULL, layout);
  if (!bars_have_data (m))
    {
      _vx_chart_no_data (&ctx, m ? &m->base : NULL);
      _vx_chart_end (&ctx);
      return;
    }
  legend (&ctx, m);

  for (guint s = 0; s < m->n_series; s++)
    for (guint c = 0; c < m->n_categories; c++)
      {
        double v = value_of (m, c, s), e = error_of (m, c, s);
        if (!isfinite (v))
          continue;
        lo = MIN (lo, v - e);
        hi = MAX (hi, v + e);
      }
  if (m->y_max > m->y_min)
    {
      lo = m->y_min;
      hi = m->y_max;
    }
  else
    {
      /* Head room for value labels above the tallest bar. */
      double span = hi - lo;
      if (hi > 0)
        hi += span * (m->show_values ? 0.1 : 0.03);
      if (lo < 0)
        lo -= span * (m->show_values ? 0.1 : 0.03);
    }
  xs = (VxAxisSpec) { m->x_title, 0, 0, FALSE, FALSE, m->categories, m->n_categories };
  ys = (VxAxisSpec) { m->y_title, lo, hi, FALSE, !(m->y_max > m->y_min) };
  _vx_chart_cartesian_layout (&ctx, &xs, &ys, &cart);
  _vx_chart_cartesian_grid (&ctx, &cart);

  cairo_save (cr);
  cairo_rectangle (cr, cart.plot.x, cart.plot.y - ctx.font, cart.plot.width, cart.plot.height + 2 * ctx.font);
  cairo_clip (cr);
  draw_bars (&ctx, m);
  cairo_restore (cr);
  if (m->show_values)
    draw_value_labels (&ctx, m);
  if (cart.y.min < 0 && cart.y.max > 0)
    {
      double y0 = round (vx_chart_axis_to_px (&cart.y, 0.0)) + 0.5;
      cairo_save (cr);
      cairo_set_line_width (cr, _vx_chart_line_width (&ctx));
      vx_chart_color_set_source (cr, &ctx.theme->axis, 1.0);
      cairo_move_to (cr, cart.plot.x, y0);
      cairo_line_to (cr, cart.plot.x + cart.plot.width, y0);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  _vx_chart_cartesian_axes (&ctx, &cart);
  _vx_chart_end (&ctx);
}

VX_CHART_DEFINE_ENTRY_POINTS (bars, VxChartBars)

VxChartTable *
vx_chart_bars_to_table (const VxChartBars *m)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  VxChartTable *t;

  g_return_val_if_fail (m != NULL, NULL);
  g_ptr_array_add (cols, g_strdup ("category"));
  for (guint s = 0; s < m->n_series; s++)
    {
      const char *label = m->series[s].label ? m->series[s].label : "value";
      g_ptr_array_add (cols, g_strdup (label));
      if (m->series[s].errors)
        g_ptr_array_add (cols, g_strdup_printf ("%s error", label));
    }
  t = vx_chart_table_new (cols->len, (const char *const *) cols->pdata);
  for (guint c = 0; c < m->n_categories; c++)
    {
      vx_chart_table_add_string (t, m->categories ? m->categories[c] : NULL);
      for (guint s = 0; s < m->n_series; s++)
        {
          vx_chart_table_add_number (t, value_of (m, c, s));
          if (m->series[s].errors)
            vx_chart_table_add_number (t, m->series[s].errors[c]);
        }
    }
  return t;
}
