/* vitx-train-output.c: what `vitx train` shows and logs while it trains */
#define G_LOG_DOMAIN "vitx-train"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "vitx-train.h"
#include "vx-error.h"

#define CSV_HEADER "epoch,lr,loss,train_acc,test_acc,seconds\n"

/* ---- cancellation ------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  if (interrupted)
    {
      signal (sig, SIG_DFL);
      raise (sig);
    }
  interrupted = 1;
}

void
vitx_train_catch_interrupt (gboolean on)
{
  signal (SIGINT, on ? on_sigint : SIG_DFL);
}

gboolean
vitx_train_ui_cancelled (void *user)
{
  return interrupted != 0;
}

/* ---- progress and epoch lines --------------------------------------------------------- */

void
vitx_train_format_duration (char *buf, size_t len, double s)
{
  if (s < 0 || !isfinite (s))
    g_strlcpy (buf, "?", len);
  else if (s >= 3600)
    g_snprintf (buf, len, "%dh%02dm", (int) (s / 3600), (int) fmod (s / 60, 60));
  else if (s >= 60)
    g_snprintf (buf, len, "%dm%02ds", (int) (s / 60), (int) fmod (s, 60));
  else
    g_snprintf (buf, len, "%.0fs", s);
}

void
vitx_train_ui_progress (void *user, const VxTrainProgress *p)
{
  VitxTrainUi *ui = user;
  char eta[32];
  vitx_train_format_duration (eta, sizeof eta, p->eta_s);
  g_autofree char *text = NULL;
  if (p->phase == VX_TRAIN_PHASE_TRAIN)
    text = g_strdup_printf ("epoch %d/%d  %d/%d  loss %.4f  acc %.1f%%  lr %.2e  %.0f img/s  ETA %s",
                            p->epoch + 1, p->epochs, p->done, p->total, p->loss,
                            100 * p->train_acc, p->lr, p->images_per_s, eta);
  else
    text = g_strdup_printf ("epoch %d/%d  evaluating %d/%d  ETA %s", p->epoch + 1, p->epochs,
                            p->done, p->total, eta);

  if (ui->tty)
    {
      int width = 24, fill = p->total > 0 ? (int) ((double) p->done / p->total * width + 0.5) : 0;
      char bar[32];
      for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
      bar[width] = 0;
      int len = fprintf (ui->out, "\r[%s] %s", bar, text);
      for (int i = len; i < ui->last_len; i++)
        fputc (' ', ui->out);
      ui->last_len = len;
      fflush (ui->out);
      return;
    }
  gint64 now = g_get_monotonic_time ();
  if (now - ui->last_plain >= 30 * G_USEC_PER_SEC)
    {
      ui->last_plain = now;
      fprintf (ui->out, "%s\n", text);
      fflush (ui->out);
    }
}

static void
add_epoch_json (JsonBuilder *b, const VxTrainEpoch *e)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epoch");
  json_builder_add_int_value (b, e->epoch);
  json_builder_set_member_name (b, "lr");
  json_builder_add_double_value (b, e->lr);
  json_builder_set_member_name (b, "loss");
  json_builder_add_double_value (b, e->loss);
  json_builder_set_member_name (b, "train_acc");
  json_builder_add_double_value (b, e->train_acc);
  json_builder_set_member_name (b, "test_acc");
  json_builder_add_double_value (b, e->test_acc);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, e->seconds);
  json_builder_set_member_name (b, "images_per_s");
  json_builder_add_double_value (b, e->images_per_s);
  json_builder_end_object (b);
}

void
vitx_train_ui_epoch (void *user, const VxTrainEpoch *e)
{
  VitxTrainUi *ui = user;
  if (ui->tty && ui->last_len > 0)
    {
      fprintf (ui->out, "\r%*s\r", ui->last_len, "");
      ui->last_len = 0;
    }
  char test[32];
  if (e->test_acc >= 0)
    g_snprintf (test, sizeof test, "%.2f%%", 100 * e->test_acc);
  else
    g_strlcpy (test, "-", sizeof test);
  fprintf (ui->out, "epoch %d: loss %.4f  train acc %.2f%%  test acc %s  lr %.2e  "
           "%.0f img/s  %.1f s  (checkpoint %s)\n", e->epoch, e->loss, 100 * e->train_acc, test,
           e->lr, e->images_per_s, e->seconds, ui->checkpoint);
  fflush (ui->out);
  ui->last_plain = g_get_monotonic_time ();

  if (ui->csv)
    {
      char lr[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (lr, sizeof lr, "%.6e", e->lr);
      fprintf (ui->csv, "%d,%s,%.6f,%.6f,%.6f,%.2f\n", e->epoch, lr, e->loss, e->train_acc,
               e->test_acc, e->seconds);
      fflush (ui->csv);
    }
  if (ui->epochs)
    add_epoch_json (ui->epochs, e);
}

/* ---- the CSV log -------------------------------------------------------------------------- */

/* On resume the old log is cut back to the checkpoint's epochs: a run killed
 * after writing a row but before its checkpoint would otherwise repeat it. */
FILE *
vitx_train_open_csv (const char *path, int keep_epochs, GError **error)
{
  g_autoptr (GString) kept = g_string_new (CSV_HEADER);
  g_autofree char *old = NULL;
  if (keep_epochs > 0 && g_file_get_contents (path, &old, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (old, "\n", -1);
      for (int i = 1; lines[i]; i++)
        {
          int epoch = atoi (lines[i]);
          if (lines[i][0] && epoch >= 1 && epoch <= keep_epochs)
            g_string_append_printf (kept, "%s\n", lines[i]);
        }
    }
  FILE *f = g_fopen (path, "w");
  if (!f)
    {
      g_set_error (error, VX_ERROR, VX_ERROR_IO, "%s: cannot write the log: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  fputs (kept->str, f);
  fflush (f);
  return f;
}
