/* vx-error.h: the error domain of libvitx
 *
 * Every failure that leaves the library is a GError in VX_ERROR with one of
 * these codes; the message always names the file (when there is one) and the
 * problem.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VX_ERROR (vx_error_quark ())

typedef enum {
  VX_ERROR_IO,            /* file missing, unreadable, unwritable */
  VX_ERROR_FORMAT,        /* bad magic, malformed header, truncated payload */
  VX_ERROR_UNSUPPORTED,   /* valid file, but something we do not handle (dtype, layout) */
  VX_ERROR_SHAPE,         /* tensor shapes disagree with the architecture */
  VX_ERROR_VALUE,         /* NaN/Inf weights, out-of-range numbers */
  VX_ERROR_INVALID_ARG,   /* absurd parameters from the caller */
  VX_ERROR_EMPTY,         /* a dataset with no images, an empty grid */
  VX_ERROR_CANCELLED,     /* the caller's cancel callback asked to stop */
} VxErrorCode;

GQuark      vx_error_quark        (void);
const char *vx_error_code_to_string (VxErrorCode code);

G_END_DECLS
