/* vx-error.c: the error domain of libvitx */
#define G_LOG_DOMAIN "vx-error"
#include "config.h"

#include "vx-error.h"

G_DEFINE_QUARK (vx-error-quark, vx_error)

const char *
vx_error_code_to_string (VxErrorCode code)
{
  switch (code)
    {
    case VX_ERROR_IO: return "i/o error";
    case VX_ERROR_FORMAT: return "bad file format";
    case VX_ERROR_UNSUPPORTED: return "unsupported";
    case VX_ERROR_SHAPE: return "shape mismatch";
    case VX_ERROR_VALUE: return "bad value";
    case VX_ERROR_INVALID_ARG: return "invalid argument";
    case VX_ERROR_EMPTY: return "empty";
    case VX_ERROR_CANCELLED: return "cancelled";
    default: return "unknown error";
    }
}
