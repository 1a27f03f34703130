/* vx-application.h: the GtkApplication of ViT-X Explorer (app id org.vitx.Explorer) */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VX_TYPE_APPLICATION (vx_application_get_type ())
G_DECLARE_FINAL_TYPE (VxApplication, vx_application, VX, APPLICATION, GtkApplication)

VxApplication *vx_application_new          (GApplicationFlags extra_flags);
GSettings     *vx_application_get_settings (VxApplication *self);

G_END_DECLS
