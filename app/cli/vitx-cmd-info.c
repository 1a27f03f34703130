/* vitx-cmd-info.c: `vitx info [--model] MODEL` */
#define G_LOG_DOMAIN "vitx-info"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vitx-commands.h"

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, compare_keys);
  return keys;
}

static void
print_json (const VxModel *m, const GPtrArray *keys)
{
  const VxArch *a = &m->arch;
  double gflops = vx_arch_flops_per_image (a) / 1e9;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, m->path);
  json_builder_set_member_name (b, "architecture");
  json_builder_begin_object (b);
#define INT(name, v) json_builder_set_member_name (b, name); json_builder_add_int_value (b, v)
  INT ("img_size", a->img_size);
  INT ("patch_size", a->patch_size);
  INT ("in_chans", a->in_chans);
  INT ("num_classes", a->num_classes);
  INT ("embed_dim", a->embed_dim);
  INT ("depth", a->depth);
  INT ("num_heads", a->num_heads);
  INT ("head_dim", vx_arch_head_dim (a));
  INT ("mlp_hidden", a->mlp_hidden);
  INT ("tokens", vx_arch_num_tokens (a));
  json_builder_set_member_name (b, "distilled");
  json_builder_add_boolean_value (b, a->distilled);
  json_builder_end_object (b);
  INT ("parameters", (gint64) m->params.n);
#undef INT
  json_builder_set_member_name (b, "gflops_per_image");
  json_builder_add_double_value (b, gflops);
  json_builder_set_member_name (b, "class_names");
  json_builder_begin_array (b);
  for (int k = 0; m->class_names[k]; k++)
    json_builder_add_string_value (b, m->class_names[k]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  for (guint i = 0; i < keys->len; i++)
    {
      json_builder_set_member_name (b, keys->pdata[i]);
      json_builder_add_string_value (b, vx_model_get_meta (m, keys->pdata[i]));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  vitx_print_json (b);
}

static void
print_text (const VxModel *m, const GPtrArray *keys)
{
  const VxArch *a = &m->arch;
  double gflops = vx_arch_flops_per_image (a) / 1e9;
  printf ("model        %s\n", m->path);
  printf ("architecture ViT%s: image %dx%dx%d, patch %d, %d tokens, dim %d, depth %d, "
          "%d heads of %d, MLP %d, %d classes\n",
          a->distilled ? " (distilled)" : "", a->in_chans, a->img_size, a->img_size,
          a->patch_size, vx_arch_num_tokens (a), a->embed_dim, a->depth, a->num_heads,
          vx_arch_head_dim (a), a->mlp_hidden, a->num_classes);
  printf ("parameters   %zu (%.2f M)\n", m->params.n, m->params.n / 1e6);
  printf ("FLOPs        %.4f GFLOP per image\n", gflops);
  printf ("normalise    mean");
  for (int c = 0; c < a->in_chans && c < 3; c++)
    printf (" %.4f", m->mean[c]);
  printf (", std");
  for (int c = 0; c < a->in_chans && c < 3; c++)
    printf (" %.4f", m->std[c]);
  printf ("\nclasses      ");
  for (int k = 0; m->class_names[k] && k < 12; k++)
    printf ("%s%s", k ? ", " : "", m->class_names[k]);
  if (a->num_classes > 12)
    printf (", ... (%d in all)", a->num_classes);
  printf ("\n");
  if (keys->len)
    printf ("metadata\n");
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = keys->pdata[i];
      if (g_str_equal (k, "vitx.class_names"))
        continue;
      printf ("  %-22s %s\n", k, vx_model_get_meta (m, k));
    }
}

/* the model file: --model FILE, or the positional MODEL of earlier versions (the same
 * file named twice is fine); NULL for the shipped model. FALSE after printing the error. */
static gboolean
info_model_path (const char *option, int argc, char **argv, const char **path)
{
  if (argc > 2)
    {
      vitx_error ("info", "expected one model file, got %d arguments", argc - 1);
      return FALSE;
    }
  const char *positional = argc == 2 ? argv[1] : NULL;
  if (option && positional)
    {
      g_autofree char *a = g_canonicalize_filename (option, NULL);
      g_autofree char *b = g_canonicalize_filename (positional, NULL);
      if (strcmp (a, b) != 0)
        {
          vitx_error ("info", "--model %s and the argument %s name different files; give one",
                      option, positional);
          return FALSE;
        }
    }
  *path = option ? option : positional;
  return TRUE;
}

int
vitx_cmd_info (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      "Model (safetensors; default: the shipped model); the same as the argument MODEL", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[MODEL] - describe a model");
  g_option_context_set_description (ctx,
    "Prints the architecture, parameter count, FLOPs per image and the metadata\n"
    "(provenance) of a safetensors model: --model FILE, or MODEL (the same; both\n"
    "only if they name the same file). Without either: the shipped model.\n"
    "Exit status: 0 success, 1 the model could not be read, 2 bad command line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!vitx_parse (ctx, "info", &argc, &argv))
    return VITX_EXIT_USAGE;
  const char *path = NULL;
  if (!info_model_path (model_path, argc, argv, &path))
    return VITX_EXIT_USAGE;
  g_autoptr (VxModel) m = vitx_load_model ("info", path);
  if (!m)
    return VITX_EXIT_FAILURE;

  g_autoptr (GPtrArray) keys = sorted_keys (m->metadata);
  if (json)
    print_json (m, keys);
  else
    print_text (m, keys);
  return VITX_EXIT_OK;
}
