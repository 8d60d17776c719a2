/* SPDX-License-Identifier: MIT */
/*
 * What an output shows when it has no guest frame to show: a solid
 * colour with a label saying which head it is for and why it is empty
 * (the driver's reason: turned off by the guest, waiting for it, the VM
 * not running, reset by the VMM, a mode over the vGPU's limit, an invalid
 * plane, host resources; or removed, a plane vplaned cannot use, no vGPU
 * attached), so an operator looking at a kiosk or a VDI stream knows at
 * once. Drawn with the renderer (rectangles of a built-in 5x7 font:
 * no font files, no text library), only when the output composites.
 */
#ifndef VPD_PLACEHOLDER_H
#define VPD_PLACEHOLDER_H

#include <stddef.h>

struct vpd_head;
struct wlr_renderer;

/* The placeholder's two colours (RGBA, 0..1), for tests and docs. */
extern const float vpd_placeholder_background[4];
extern const float vpd_placeholder_text[4];

/*
 * Why @head (may be NULL) has nothing to show, in upper case: a static
 * string or @buf (@size bytes, 64 is enough) filled in.
 */
const char *vpd_placeholder_reason(const struct vpd_head *head, char *buf,
				   size_t size);

/*
 * Clear the @width x @height target (inside wlr_renderer_begin/end) to
 * the placeholder colour and draw @head's label, centred, as large as
 * fits. @proj is the output's projection.
 */
void vpd_placeholder_render(struct wlr_renderer *renderer, const float proj[9],
			    int width, int height, const struct vpd_head *head);

#endif /* VPD_PLACEHOLDER_H */
