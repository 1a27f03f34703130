/* vx-task.h: running a job on GLib's thread pool for a GTK object
 *
 * GTask keeps its source object until the task is finalised, and the last
 * reference to a task run with g_task_run_in_thread() is often dropped by the
 * pool thread, after the main thread's callback has already run. A widget that
 * was closed in the meantime (an export dialog, a view of a window being
 * destroyed) would then be finalised on that thread, inside GTK, which is not
 * thread-safe; ThreadSanitizer shows exactly this with an instrumented GLib.
 *
 * vx_task_run() therefore gives the task no source object. The owner's
 * reference travels as the callback's user_data, and the callback, which GLib
 * always runs on the main thread (cancelled or not, after the thread function
 * has returned), takes it back: begin the callback with
 *     g_autoptr (VxSomething) self = user_data;
 * The task data is freed wherever the task dies, so it must hold no GTK object.
 */
#pragma once

#include <gio/gio.h>

static inline void
vx_task_run (gpointer owner, GCancellable *cancellable, gboolean check_cancellable,
             gpointer task_data, GDestroyNotify task_data_free, GTaskThreadFunc func,
             GAsyncReadyCallback done)
{
  GTask *task = g_task_new (NULL, cancellable, done, g_object_ref (owner));
  g_task_set_task_data (task, task_data, task_data_free);
  g_task_set_check_cancellable (task, check_cancellable);
  g_task_run_in_thread (task, func);
  g_object_unref (task);
}

/* Queues func (data) to run on context's thread (NULL: the default context, the
 * main thread's) and data_free (data) after it, there too. Unlike
 * g_main_context_invoke_full(), it never runs func in place: that one calls
 * func on the calling thread whenever the context is free to acquire, which it
 * is between two g_main_context_iteration() calls. */
static inline void
vx_main_post (GMainContext *context, GSourceFunc func, gpointer data, GDestroyNotify data_free)
{
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, data_free);
  g_source_set_static_name (source, "[vitx] main-thread post");
  g_source_attach (source, context);
  g_source_unref (source);
}
