/* vx-xbar-params.h: every crossbar parameter, described once
 *
 * One row per parameter of a VxXbarConfig: its names (command-line flag, JSON
 * member, explorer settings key), label, unit, default, the range a config
 * may hold, the narrower range the explorer's controls and settings schema
 * offer, step and digits of those controls, the docs/MODEL.md section and
 * equation it enters, and for enumerations the value names (nicks) with
 * labels. The command line, the JSON reader and writer, the explorer's
 * controls and the settings-schema test all read this table, so a default
 * or a range is written here and nowhere else.
 *
 * A new parameter: a field in VxXbarConfig, a row here (its place in the
 * table is its place in the config JSON, so new rows go last); with a flag
 * it is a command-line option at once. For the explorer, a key in
 * resources/org.vitx.Explorer.gschema.xml with the row's default and
 * controls' range (tests/test-params.c fails until they agree) and a widget
 * in resources/vx-controls.ui configured in vx-controls.c.
 */
#pragma once

#include <glib.h>

#include "vx-xbar.h"

G_BEGIN_DECLS

typedef enum {
  VX_XBAR_PARAM_DOUBLE,
  VX_XBAR_PARAM_INT,
  VX_XBAR_PARAM_BOOL,
  VX_XBAR_PARAM_ENUM,     /* an int field; choices name every value */
  VX_XBAR_PARAM_MASK,     /* a guint of bits 1 << choice.value (the analog products) */
  VX_XBAR_PARAM_UINT64,   /* the seed */
  VX_XBAR_PARAM_PRESET,   /* the preset's name (a string field); choices are the presets */
} VxXbarParamType;

typedef enum {
  VX_XBAR_PARAM_LOG_SCALE = 1 << 0,  /* controls move on a logarithmic axis */
  VX_XBAR_PARAM_POW2      = 1 << 1,  /* controls offer powers of two */
  VX_XBAR_PARAM_MIN_OPEN  = 1 << 2,  /* the range excludes min: (min, max] */
  VX_XBAR_PARAM_DERIVED   = 1 << 3,  /* written to JSON for readers, ignored when read (on_off) */
} VxXbarParamFlags;

typedef struct {
  int value;
  const char *nick;         /* command line, JSON and settings-schema name */
  const char *label;        /* what a dropdown shows */
} VxXbarParamChoice;

typedef struct _VxXbarParam VxXbarParam;

struct _VxXbarParam {
  const char *key;          /* the command-line flag without dashes ("sigma-r"); NULL: none */
  const char *json_key;     /* member of the config JSON ("sigma_r") */
  const char *settings_key; /* the explorer's settings key; NULL: the explorer has none */
  const char *name;         /* the quantity in messages ("sigma_R (read noise)") */
  const char *label;        /* control title, '_' before the mnemonic */
  const char *unit;         /* "" when dimensionless */
  VxXbarParamType type;
  guint flags;              /* VxXbarParamFlags */
  double def;               /* the RRAM (paper) preset's value (a mask for MASK) */
  double min, max;          /* what a config may hold (max may be INFINITY) */
  double ui_min, ui_max;    /* what the explorer's controls and settings offer */
  double step;              /* the controls' step */
  int digits;               /* the controls' decimals */
  const char *section;      /* docs/MODEL.md section and equation ("3, eq. 3") */
  const char *equation;     /* the formula it enters (plain UTF-8), or NULL */
  const char *description;  /* a sentence for tooltips and --help-crossbar (ASCII: the
                               command line may run in the C locale) */
  const VxXbarParamChoice *choices;
  int n_choices;
  /* where the value lives: a field at offset, or (offset == G_MAXSIZE) get/set */
  gsize offset;
  double (*get) (const VxXbarConfig *cfg);
  void   (*set) (VxXbarConfig *cfg, double v);
};

/* the table, in the order of the config's JSON */
const VxXbarParam *vx_xbar_params (guint *n);
/* by command-line key, JSON member or settings key; NULL if none */
const VxXbarParam *vx_xbar_param_by_key          (const char *key);
const VxXbarParam *vx_xbar_param_by_json_key     (const char *json_key);
const VxXbarParam *vx_xbar_param_by_settings_key (const char *settings_key);

/* the label without its mnemonic underscore, newly allocated */
char       *vx_xbar_param_plain_label (const VxXbarParam *p);

/* Typed accessors; each checks the parameter's type. */
double      vx_xbar_param_get_double (const VxXbarParam *p, const VxXbarConfig *cfg);
void        vx_xbar_param_set_double (const VxXbarParam *p, VxXbarConfig *cfg, double v);
/* INT, BOOL, ENUM and PRESET (the preset's index) */
int         vx_xbar_param_get_int    (const VxXbarParam *p, const VxXbarConfig *cfg);
void        vx_xbar_param_set_int    (const VxXbarParam *p, VxXbarConfig *cfg, int v);
guint       vx_xbar_param_get_mask   (const VxXbarParam *p, const VxXbarConfig *cfg);
void        vx_xbar_param_set_mask   (const VxXbarParam *p, VxXbarConfig *cfg, guint mask);
guint64     vx_xbar_param_get_uint64 (const VxXbarParam *p, const VxXbarConfig *cfg);
void        vx_xbar_param_set_uint64 (const VxXbarParam *p, VxXbarConfig *cfg, guint64 v);
/* any numeric, BOOL or ENUM parameter as a double (for range checks and controls) */
double      vx_xbar_param_get_number (const VxXbarParam *p, const VxXbarConfig *cfg);

/* choices: by nick (case-insensitive) or value; NULL if none */
const VxXbarParamChoice *vx_xbar_param_choice_by_nick  (const VxXbarParam *p, const char *nick);
const VxXbarParamChoice *vx_xbar_param_choice_by_value (const VxXbarParam *p, int value);
/* "a, b or c" of the nicks, newly allocated */
char       *vx_xbar_param_nicks_text (const VxXbarParam *p);

/* is v inside [min, max] (or (min, max])? ui: the controls' range instead */
gboolean    vx_xbar_param_in_range   (const VxXbarParam *p, double v, gboolean ui);
/* "[0, 1000]", "(0, 1]", "1..16", "> 0": the range as messages write it */
char       *vx_xbar_param_range_text (const VxXbarParam *p, gboolean ui);
/* FALSE with VX_ERROR_INVALID_ARG "<where>: --gamma 1001 is outside [0, 1000] (...)":
 * the parameter is named as `as`, or NULL: by its flag ("--gamma"), or without
 * one by its JSON member; then its range, its quantity and where it enters */
gboolean    vx_xbar_param_check      (const VxXbarParam *p, double v, const char *where,
                                      const char *as, GError **error);

G_END_DECLS
