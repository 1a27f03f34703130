/* vs-sweep-emit.c: the Slurm job-array and GNU parallel scripts of `vitx sweep --emit` */
#define G_LOG_DOMAIN "vs-sweep-emit"
#include "config.h"

#include <string.h>

#include "vs-sweep.h"

/* the options the script sets itself per shard (with a value) or that only
 * make sense here (without) */
static const char *const emit_drop_value[] = {
  "--out", "-o", "--csv", "--emit", "--shards", "--sbatch", "--shard", "--threads", "-t", "--stop-after",
};
static const char *const emit_drop_flag[] = { "--list", "--dry-run" };

/* the command line without the options dropped above, each word shell-quoted */
static char *
emit_kept_args (char **argv)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (int i = 1; argv[i]; i++)
    {
      const char *arg = argv[i];
      gboolean drop = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (emit_drop_value) && !drop; k++)
        {
          const char *name = emit_drop_value[k];
          size_t len = strlen (name);
          if (g_str_equal (arg, name))
            {
              drop = TRUE;
              i += argv[i + 1] ? 1 : 0;
            }
          else if (strncmp (arg, name, len) == 0
                   && (arg[len] == '=' || (name[1] != '-' && arg[len] != 0)))
            drop = TRUE;
        }
      for (guint k = 0; k < G_N_ELEMENTS (emit_drop_flag) && !drop; k++)
        drop = g_str_equal (arg, emit_drop_flag[k]);
      if (drop)
        continue;
      g_autofree char *q = g_shell_quote (arg);
      g_string_append_printf (s, " %s", q);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* "dir/results.jsonl" -> "dir/results" and ".jsonl" */
static void
split_extension (const char *path, char **stem, char **ext)
{
  const char *slash = strrchr (path, '/');
  const char *dot = strrchr (slash ? slash + 1 : path, '.');
  if (!dot || dot == (slash ? slash + 1 : path))
    {
      *stem = g_strdup (path);
      *ext = g_strdup ("");
      return;
    }
  *stem = g_strndup (path, (gsize) (dot - path));
  *ext = g_strdup (dot);
}

char *
vs_sweep_emit_script (const VsSweepEmit *e)
{
  const VsSweepGrid *g = e->grid;
  gboolean slurm = e->slurm;
  guint shards = e->shards;
  int threads = e->threads;
  g_autofree char *stem = NULL, *ext = NULL;
  split_extension (e->out, &stem, &ext);
  g_autofree char *q_exe = g_shell_quote (e->vitx);
  g_autofree char *q_cwd = g_shell_quote (e->cwd);
  g_autofree char *q_out = g_shell_quote (e->out);
  g_autofree char *q_stem = g_shell_quote (stem);
  g_autofree char *q_ext = g_shell_quote (ext);
  g_autofree char *args = emit_kept_args (e->argv);
  g_autofree char *csv = NULL;
  if (e->csv)
    {
      g_autofree char *q = g_shell_quote (e->csv);
      csv = g_strdup_printf (" --csv %s", q);
    }
  g_autoptr (GString) s = g_string_new ("#!/bin/bash\n");
  g_string_append_printf (s,
    "# vitx sweep %s: %u points in %u shards, merged into %s.\n"
    "# Written by `vitx sweep --emit %s` (vitx %s). Shard i runs the points whose\n"
    "# index %% %u == i into its own file; every shard resumes, so running it again\n"
    "# skips the points already in its file.\n"
    "#\n", g->id, g->points, shards, e->out, (slurm ? "slurm" : "parallel"), PACKAGE_VERSION, shards);
  if (slurm)
    g_string_append (s,
      "#   sbatch THIS          the job array: array task i runs shard i\n"
      "#   bash THIS submit     the array, then a merge job that waits for it (afterok)\n");
  g_string_append_printf (s,
    "#   bash THIS local [J]  every shard here through GNU parallel, J at a time\n"
    "#                        (default: the number of cores), then the merge%s\n"
    "#   bash THIS shard I    shard I here (0 <= I < %u)\n"
    "#   bash THIS merge      combine the shard files into %s\n",
    slurm ? "" : " (the default)", shards, e->out);
  if (slurm)
    {
      g_string_append_printf (s,
        "#SBATCH --job-name=vitx-sweep\n"
        "#SBATCH --array=0-%u\n"
        "#SBATCH --cpus-per-task=%d\n"
        "#SBATCH --chdir=%s\n"
        "#SBATCH --output=%s.shard-%%a.log\n", shards - 1, threads, e->cwd, stem);
      for (int i = 0; e->sbatch && e->sbatch[i]; i++)
        g_string_append_printf (s, "#SBATCH %s\n", e->sbatch[i]);
    }
  g_string_append_printf (s,
    "set -euo pipefail\n"
    "\n"
    "VITX=${VITX:-%s}\n"
    "SHARDS=%u\n"
    "cd %s\n"
    "\n"
    "shard_file () { printf '%%s.shard-%%s%%s' %s \"$1\" %s; }\n"
    "\n"
    "run_shard () {\n"
    "  case \"$1\" in\n"
    "    ''|*[!0-9]*) echo \"shard number expected, got '$1'\" >&2; exit 2 ;;\n"
    "  esac\n"
    "  \"$VITX\" sweep%s \\\n"
    "    --threads \"${SLURM_CPUS_PER_TASK:-%d}\" --shard \"$1/$SHARDS\" --out \"$(shard_file \"$1\")\"\n"
    "}\n"
    "\n"
    "merge () {\n"
    "  local files=() i\n"
    "  for ((i = 0; i < SHARDS; i++)); do files+=(\"$(shard_file \"$i\")\"); done\n"
    "  \"$VITX\" sweep merge%s %s \"${files[@]}\"\n"
    "}\n"
    "\n"
    "local_run () {\n"
    "  command -v parallel > /dev/null || { echo 'GNU parallel is not installed (Debian: apt install parallel)' >&2; exit 1; }\n"
    "  local script jobs\n"
    "  script=$(readlink -f \"$0\")\n"
    "  jobs=${1:-$(nproc)}\n"
    "  seq 0 $((SHARDS - 1)) | parallel --will-cite --halt soon,fail=1 -j \"$jobs\" \\\n"
    "    \"bash $(printf %%q \"$script\") shard {}\"\n"
    "  merge\n"
    "}\n"
    "\n"
    "case \"${1:-}\" in\n",
    q_exe, shards, q_cwd, q_stem, q_ext, args, threads, csv ? csv : "", q_out);
  if (slurm)
    g_string_append_printf (s,
      "  submit)\n"
      "    script=$(readlink -f \"$0\")\n"
      "    jobid=$(sbatch --parsable \"$script\")\n"
      "    jobid=${jobid%%%%;*}\n"
      "    echo \"job array $jobid: $SHARDS tasks\"\n"
      "    merge_id=$(sbatch --parsable --dependency=\"afterok:$jobid\" --job-name=vitx-sweep-merge \\\n"
      "      --chdir=%s --output=%s.merge.log --wrap=\"bash $(printf %%q \"$script\") merge\")\n"
      "    echo \"merge job ${merge_id%%%%;*} runs after it\"\n"
      "    ;;\n", q_cwd, q_stem);
  g_string_append (s,
    "  local) local_run \"${2:-}\" ;;\n"
    "  shard) run_shard \"${2:-}\" ;;\n"
    "  merge) merge ;;\n");
  if (slurm)
    g_string_append (s,
      "  '')\n"
      "    if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n"
      "      run_shard \"$SLURM_ARRAY_TASK_ID\"\n"
      "    else\n"
      "      echo \"usage: sbatch $0, or bash $0 submit|local [J]|shard I|merge\" >&2\n"
      "      exit 2\n"
      "    fi\n"
      "    ;;\n");
  else
    g_string_append (s, "  '') local_run \"\" ;;\n");
  g_string_append (s,
    "  *) echo \"unknown action '$1'\" >&2; exit 2 ;;\n"
    "esac\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

