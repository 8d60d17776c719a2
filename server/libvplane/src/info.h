/* SPDX-License-Identifier: MIT */
/* Internal: validation of what VPLANE_DISPLAY_GET_INFO returned. */
#ifndef VP_INFO_H
#define VP_INFO_H

#include <stdbool.h>

#include <vplane_display.h>

/* The version-1 size of struct vplane_display_info: what the driver must
 * fill at least. */
#define VP_INFO_V1_SIZE sizeof(struct vplane_display_info)

/*
 * Check @info (borrowed) as returned by GET_INFO called with argsz =
 * sizeof(*info): a driver writes back argsz as the size it knows, which
 * must cover version 1. Logs the first problem and sets errno to EPROTO.
 */
bool vp_info_check(const struct vplane_display_info *info);

#endif /* VP_INFO_H */
