/* vx-paths.h: where the shipped data lives
 *
 * Looked up in order: $VITX_DATADIR, <prefix>/share/vitx-explorer of the prefix
 * the running executable is installed in (found from its own path, so a
 * relocated install or one unpacked under a DESTDIR finds its own data), the
 * source tree's data/ (when running from the build tree), the configured
 * installed data directory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the data directory (holding models/), or NULL if none exists; owned by libvitx */
const char *vx_data_dir (void);
/* data/models/<name>; name NULL: the standard shipped model, or the small one
 * when the standard one is not there. Newly allocated, NULL if it does not exist */
char *vx_default_model_path (const char *name);
/* the directory of Debian's dataset-fashion-mnist package (may not exist) */
const char *vx_fashion_mnist_dir (void);

#define VX_DEFAULT_MODEL_NAME "vit-fmnist-std.safetensors"
#define VX_SMALL_MODEL_NAME "vit-fmnist-small.safetensors"

G_END_DECLS
