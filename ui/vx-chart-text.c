/* vx-chart-text.c: fitting, wrapping and drawing every piece of chart text
 *
 * Text is fitted in this order: the full size on one line, a slightly smaller
 * single line, wrapped at word boundaries (when the caller allows more than
 * one line), smaller and wrapped down to a legible floor, and only then
 * ellipsized; an ellipsized piece is counted, so tests can hold the charts to
 * "nothing truncated" at the sizes the explorer uses.
 */
#define G_LOG_DOMAIN "vx-charts"
#include "config.h"

#include <math.h>
#include <string.h>

#include "vx-chart-private.h"

static _Thread_local VxChartTextObserver text_observer;
static _Thread_local gpointer text_observer_data;

void
vx_chart_set_text_observer (VxChartTextObserver observer, gpointer user_data)
{
  text_observer = observer;
  text_observer_data = user_data;
}

static void
rect_union (VxChartRect *acc, const VxChartRect *r, gboolean first)
{
  double x0, y0, x1, y1;

  if (first)
    {
      *acc = *r;
      return;
    }
  x0 = MIN (acc->x, r->x);
  y0 = MIN (acc->y, r->y);
  x1 = MAX (acc->x + acc->width, r->x + r->width);
  y1 = MAX (acc->y + acc->height, r->y + r->height);
  acc->x = x0;
  acc->y = y0;
  acc->width = x1 - x0;
  acc->height = y1 - y0;
}

double
_vx_chart_role_size (VxChartCtx *ctx, VxChartTextRole role)
{
  switch (role)
    {
    case VX_CHART_TEXT_TITLE: return ctx->font * 1.3;
    case VX_CHART_TEXT_SUBTITLE: return ctx->font * 0.95;
    case VX_CHART_TEXT_AXIS_TITLE: return ctx->font;
    case VX_CHART_TEXT_TICK: return ctx->font * 0.88;
    case VX_CHART_TEXT_LEGEND: return ctx->font * 0.92;
    case VX_CHART_TEXT_VALUE: return ctx->font * 0.82;
    case VX_CHART_TEXT_NO_DATA: return ctx->font * 1.5;
    default: return ctx->font;
    }
}

/* ---- glyphs the fonts at hand lack or draw ambiguously -------------------------- */

/* Code points missing from common sans fonts, and one that reads the same. */
static const struct {
  gunichar from, to;
} glyph_fallbacks[] = {
  { 0x3008, 0x27e8 }, { 0x3009, 0x27e9 },  /* CJK angle brackets */
  { 0x2329, 0x27e8 }, { 0x232a, 0x27e9 },  /* deprecated angle brackets */
  { 0x2212, '-' },                          /* minus sign */
  { 0x2009, ' ' }, { 0x202f, ' ' },         /* thin spaces */
};

static char *
substitute_fallbacks (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      for (guint i = 0; i < G_N_ELEMENTS (glyph_fallbacks); i++)
        if (glyph_fallbacks[i].from == c)
          {
            c = glyph_fallbacks[i].to;
            break;
          }
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* The mean-value brackets of "⟨SNR⟩": DejaVu Sans draws U+27E8/U+27E9 so
 * narrow that below ~20 px they read as parentheses, "(SNR)", which is a
 * different quantity. They are drawn as two strokes of the text colour in a
 * box of the text's line height instead. Sizes in em of the layout's font. */
#define BRACKET_ADVANCE 0.5
#define BRACKET_TOP     (-0.76)
#define BRACKET_BOTTOM  0.12

enum {
  BRACKET_LEFT = 1 << 0,
  BRACKET_BOLD = 1 << 1,
};

static void
draw_bracket (cairo_t *cr, PangoAttrShape *attr, gboolean do_path, gpointer data)
{
  int kind = GPOINTER_TO_INT (attr->data);
  double em = (double) attr->logical_rect.width / PANGO_SCALE / BRACKET_ADVANCE;
  double lw = em * (kind & BRACKET_BOLD ? 0.13 : 0.085);
  double x, y, tip, open, top, bottom;

  (void) data;
  /* The charts only show layouts; none is turned into an outline path. */
  if (do_path || !cairo_has_current_point (cr))
    return;
  cairo_get_current_point (cr, &x, &y);
  top = y + BRACKET_TOP * em;
  bottom = y + BRACKET_BOTTOM * em;
  /* Offsets from the side the bracket opens away from. */
  tip = em * 0.07 + lw / 2;
  open = em * (BRACKET_ADVANCE - 0.07) - lw / 2;
  if (kind & BRACKET_LEFT)
    {
      tip += x;
      open += x;
    }
  else
    {
      tip = x + em * BRACKET_ADVANCE - tip;
      open = x + em * BRACKET_ADVANCE - open;
    }
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_set_line_width (cr, lw);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_move_to (cr, open, top);
  cairo_line_to (cr, tip, (top + bottom) / 2);
  cairo_line_to (cr, open, bottom);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
set_text_with_brackets (PangoLayout *pl, const char *text, double size, gboolean bold)
{
  PangoAttrList *attrs = NULL;
  PangoRectangle logical, ink;

  pango_layout_set_text (pl, text, -1);
  logical = (PangoRectangle) { 0, (int) (-0.9 * size * PANGO_SCALE),
                               (int) (BRACKET_ADVANCE * size * PANGO_SCALE), (int) (1.1 * size * PANGO_SCALE) };
  ink = (PangoRectangle) { (int) (0.07 * size * PANGO_SCALE), (int) (BRACKET_TOP * size * PANGO_SCALE),
                           (int) ((BRACKET_ADVANCE - 0.14) * size * PANGO_SCALE),
                           (int) ((BRACKET_BOTTOM - BRACKET_TOP) * size * PANGO_SCALE) };
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      PangoAttribute *a;
      int kind;
      if (c != 0x27e8 && c != 0x27e9)
        continue;
      kind = (c == 0x27e8 ? BRACKET_LEFT : 0) | (bold ? BRACKET_BOLD : 0);
      a = pango_attr_shape_new_with_data (&ink, &logical, GINT_TO_POINTER (kind), NULL, NULL);
      a->start_index = (guint) (p - text);
      a->end_index = (guint) (g_utf8_next_char (p) - text);
      if (!attrs)
        attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, a);
    }
  pango_layout_set_attributes (pl, attrs);
  if (attrs)
    {
      pango_cairo_context_set_shape_renderer (pango_layout_get_context (pl), draw_bracket, NULL, NULL);
      pango_attr_list_unref (attrs);
    }
}

static PangoLayout *
make_layout (VxChartCtx *ctx, const char *text, VxChartTextRole role, double size)
{
  PangoLayout *pl = pango_cairo_create_layout (ctx->cr);
  PangoFontDescription *desc = pango_font_description_new ();
  gboolean bold = role == VX_CHART_TEXT_TITLE || role == VX_CHART_TEXT_NO_DATA;

  size = MAX (size, 1.0);
  pango_cairo_context_set_font_options (pango_layout_get_context (pl), ctx->font_options);
  pango_layout_context_changed (pl);
  pango_font_description_set_family (desc, ctx->theme->font_family);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (pl, desc);
  pango_font_description_free (desc);
  pango_layout_set_single_paragraph_mode (pl, TRUE);
  set_text_with_brackets (pl, text, size, bold);
  if (pango_layout_get_unknown_glyphs_count (pl) > 0)
    {
      g_autofree char *alt = substitute_fallbacks (text);
      set_text_with_brackets (pl, alt, size, bold);
    }
  return pl;
}

static void
layout_size (PangoLayout *pl, double *w, double *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (pl, NULL, &logical);
  *w = (double) logical.width / PANGO_SCALE;
  *h = (double) logical.height / PANGO_SCALE;
}

static void
set_wrap (PangoLayout *pl, double max_width, double xalign)
{
  pango_layout_set_width (pl, (int) floor (MAX (max_width, 1.0) * PANGO_SCALE));
  pango_layout_set_wrap (pl, PANGO_WRAP_WORD);
  pango_layout_set_alignment (pl, xalign < 0.25 ? PANGO_ALIGN_LEFT
                                  : xalign > 0.75 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_CENTER);
}

/* Wrapped at word boundaries on at most max_lines lines, none wider than
 * max_width (pango breaks inside a word only when the word alone is wider). */
/* "γ = 5" is one term: a line break inside it reads as two. */
static char *
glue_equations (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, " = ", -1);

  return g_strjoinv ("\u00a0=\u00a0", parts);
}

static PangoLayout *
try_wrapped (VxChartCtx *ctx, const char *text, VxChartTextRole role, double size,
             double max_width, guint max_lines, double xalign)
{
  g_autofree char *glued = glue_equations (text);
  PangoLayout *pl = make_layout (ctx, glued, role, size);
  PangoLayoutIter *it;
  gboolean ok = TRUE;
  double w, h;

  set_wrap (pl, max_width, xalign);
  layout_size (pl, &w, &h);
  if ((guint) pango_layout_get_line_count (pl) > max_lines || w > max_width + 0.01)
    ok = FALSE;
  /* A break inside a word reads as two words: only shrinking may avoid it. */
  it = pango_layout_get_iter (pl);
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (it);
      const char *t = pango_layout_get_text (pl);
      int end = line->start_index + line->length;
      if (ok && end > 0 && t[end] != '\0' && !g_unichar_isspace (g_utf8_get_char (t + end))
          && !g_unichar_isspace (g_utf8_get_char (g_utf8_prev_char (t + end))) && t[end - 1] != '-'
          && t[end - 1] != '/')
        ok = FALSE;
    }
  while (ok && pango_layout_iter_next_line (it));
  pango_layout_iter_free (it);
  if (!ok)
    g_clear_object (&pl);
  return pl;
}

static PangoLayout *
fit_layout (VxChartCtx *ctx, const char *text, VxChartTextRole role, double max_width,
            guint max_lines, double xalign)
{
  double size = _vx_chart_role_size (ctx, role);
  gboolean small = role == VX_CHART_TEXT_TICK || role == VX_CHART_TEXT_VALUE;
  double floor_size = MAX (6.0, size * (small ? 0.8 : 0.7));
  PangoLayout *pl = make_layout (ctx, text, role, size);
  double w, h, shrunk;

  /* Callers pass back a measured width through sums that lose an ulp. */
  max_width += 1e-3;
  layout_size (pl, &w, &h);
  if (w <= max_width)
    return pl;
  shrunk = MAX (floor_size, size * max_width / w * 0.98);
  /* More than one line allowed: a slightly smaller single line reads best,
   * then the full size wrapped, then smaller and wrapped. */
  if (max_lines > 1 && shrunk < size * 0.85)
    {
      for (int i = 0; i < 8; i++)
        {
          double s = MAX (floor_size, size * pow (0.9, i));
          PangoLayout *wrapped = try_wrapped (ctx, text, role, s, max_width, max_lines, xalign);
          if (wrapped)
            {
              g_object_unref (pl);
              return wrapped;
            }
          if (s <= floor_size)
            break;
        }
    }
  if (size > floor_size)
    {
      g_object_unref (pl);
      pl = make_layout (ctx, text, role, shrunk);
      layout_size (pl, &w, &h);
      if (w <= max_width)
        return pl;
    }
  if (max_lines > 1)
    {
      set_wrap (pl, max_width, xalign);
      pango_layout_set_height (pl, -(int) max_lines);
    }
  else
    pango_layout_set_width (pl, (int) floor (MAX (max_width, 1.0) * PANGO_SCALE));
  pango_layout_set_ellipsize (pl, PANGO_ELLIPSIZE_END);
  return pl;
}

void
_vx_chart_text_size (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                     double *width, double *height)
{
  g_autoptr (PangoLayout) pl = NULL;
  double w = 0.0, h = 0.0;

  if (text && *text)
    {
      pl = make_layout (ctx, text, role, _vx_chart_role_size (ctx, role));
      layout_size (pl, &w, &h);
    }
  else
    h = _vx_chart_role_size (ctx, role) * 1.2;
  if (width)
    *width = w;
  if (height)
    *height = h;
}

gboolean
_vx_chart_text_fit_size (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                         double max_width, guint max_lines, double *width, double *height)
{
  g_autoptr (PangoLayout) pl = NULL;
  double w = 0.0, h = _vx_chart_role_size (ctx, role) * 1.2;
  gboolean whole = TRUE;

  if (text && *text && max_width > 0.0)
    {
      pl = fit_layout (ctx, text, role, max_width, MAX (max_lines, 1), 0.5);
      layout_size (pl, &w, &h);
      w = MIN (w, max_width);
      whole = !pango_layout_is_ellipsized (pl);
    }
  if (width)
    *width = w;
  if (height)
    *height = h;
  return whole;
}

static void
record_text (VxChartCtx *ctx, PangoLayout *pl, const char *text, VxChartTextRole role,
             const VxChartRect *r)
{
  VxChartLayout *l = ctx->layout;
  VxChartTextInfo info = { text, role, *r, pango_layout_is_ellipsized (pl),
                           (guint) pango_layout_get_unknown_glyphs_count (pl) };

  rect_union (&l->text_bounds, r, l->n_texts == 0);
  l->n_texts++;
  l->n_texts_truncated += info.truncated ? 1 : 0;
  l->n_unknown_glyphs += info.n_unknown_glyphs;
  if (text_observer)
    text_observer (&info, text_observer_data);
}

VxChartRect
_vx_chart_text_lines (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                      double x, double y, double xalign, double yalign, double max_width,
                      guint max_lines, const VxChartColor *color, gboolean vertical)
{
  VxChartRect r = { x, y, 0, 0 };
  g_autoptr (PangoLayout) pl = NULL;
  PangoRectangle logical;
  double limit = vertical ? ctx->height : ctx->width;
  double x0, y0;

  if (!text || !*text || ctx->width < 1.0 || ctx->height < 1.0)
    return r;
  if (max_width <= 0.0 || max_width > limit)
    max_width = limit;
  /* Lines of upright text are centred on each other, like the fitted size. */
  pl = fit_layout (ctx, text, role, max_width, MAX (max_lines, 1), vertical ? 0.5 : xalign);
  pango_layout_get_extents (pl, NULL, &logical);
  r.width = MIN ((double) logical.width / PANGO_SCALE, max_width);
  r.height = (double) logical.height / PANGO_SCALE;
  if (vertical)
    {
      double t = r.width;
      r.width = r.height;
      r.height = t;
    }
  r.x = x - xalign * r.width;
  r.y = y - yalign * r.height;
  /* Keep every glyph on the surface, whatever the caller asked. */
  x0 = r.x;
  y0 = r.y;
  r.x = CLAMP (r.x, 0.0, MAX (0.0, ctx->width - r.width));
  r.y = CLAMP (r.y, 0.0, MAX (0.0, ctx->height - r.height));
  if (fabs (r.x - x0) > 0.5 || fabs (r.y - y0) > 0.5)
    ctx->layout->n_texts_moved++;

  cairo_save (ctx->cr);
  vx_chart_color_set_source (ctx->cr, color ? color : &ctx->theme->foreground, 1.0);
  if (vertical)
    {
      cairo_translate (ctx->cr, r.x, r.y + r.height);
      cairo_rotate (ctx->cr, -G_PI / 2);
    }
  else
    cairo_translate (ctx->cr, r.x, r.y);
  cairo_move_to (ctx->cr, -(double) logical.x / PANGO_SCALE, -(double) logical.y / PANGO_SCALE);
  pango_cairo_update_layout (ctx->cr, pl);
  pango_cairo_show_layout (ctx->cr, pl);
  cairo_restore (ctx->cr);
  record_text (ctx, pl, text, role, &r);
  return r;
}

VxChartRect
_vx_chart_text (VxChartCtx *ctx, const char *text, VxChartTextRole role,
                double x, double y, double xalign, double yalign,
                double max_width, const VxChartColor *color, gboolean vertical)
{
  return _vx_chart_text_lines (ctx, text, role, x, y, xalign, yalign, max_width, 1, color, vertical);
}
