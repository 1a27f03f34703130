/* vx-model-io.h: ViT models as safetensors files in timm naming
 *
 * Tensor names: patch_embed.proj.weight/.bias, cls_token, [dist_token], pos_embed,
 * blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.{weight,bias},
 * norm.weight/.bias, head.weight/.bias, [head_dist.weight/.bias].
 *
 * __metadata__ keys written and read by libvitx (all strings):
 *   vitx.img_size vitx.patch_size vitx.in_chans vitx.num_classes vitx.embed_dim
 *   vitx.depth vitx.num_heads vitx.mlp_hidden vitx.distilled
 *   vitx.mean, vitx.std        comma-separated per-channel floats
 *   vitx.class_names           JSON array of strings
 *   provenance (free form):    vitx.train_command vitx.seed vitx.epochs
 *                              vitx.wall_time_s vitx.test_top1 vitx.dataset ...
 * Without vitx.* keys the architecture is inferred from tensor shapes
 * (heads = D / 64 as in DeiT, unless D is not a multiple of 64) and the
 * normalisation defaults to ImageNet's.
 */
#pragma once

#include "vx-model.h"
#include "vx-safetensors.h"

G_BEGIN_DECLS

VxModel *vx_model_load           (const char *path, GError **error);
VxModel *vx_model_from_safetensors (const VxSafetensors *st, GError **error);
/* atomic write; stores the architecture, normalisation, class names and all metadata */
gboolean vx_model_save           (const VxModel *m, const char *path, GError **error);
/* the architecture inferred from shapes alone (used when metadata is missing) */
gboolean vx_arch_infer           (const VxSafetensors *st, VxArch *out, GError **error);

G_END_DECLS
