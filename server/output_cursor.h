/* SPDX-License-Identifier: MIT */
/*
 * The guest's cursor plane on an output (output.c calls this before each
 * commit).
 *
 * On the DRM backend (kiosk) the guest's cursor image goes onto the KMS
 * cursor plane (copied once per image into a buffer of the driver's
 * cursor size), so direct scanout of the primary plane stays on while
 * the guest shows a cursor. Elsewhere, or when the plane refuses the buffer (a size other
 * than the driver's cursor size, a format it lacks), the image goes
 * through wlr_output_cursor: a hardware cursor where wlroots can make one,
 * otherwise wlroots draws it (which turns direct scanout off while it is
 * visible).
 */
#ifndef VPD_OUTPUT_CURSOR_H
#define VPD_OUTPUT_CURSOR_H

struct vpd_output;
struct wlr_box;

/*
 * Show the cursor of @output's head (none when it has no head or no
 * cursor) with the head drawn in @box (output pixels) from a head
 * @head_w pixels wide: the cursor position scales with it.
 */
void vpd_output_cursor_update(struct vpd_output *output,
			      const struct wlr_box *box, int head_w);

#endif
