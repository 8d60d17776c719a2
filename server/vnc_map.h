/* SPDX-License-Identifier: MIT */
/*
 * Where a virtual pointer's absolute position lands on a head: the pure
 * arithmetic of vnc_input.c, apart so a unit test can check every pixel.
 *
 * zwlr_virtual_pointer_v1.motion_absolute carries an integer position
 * and its extent (wayvnc: the output's pixel and the output's size);
 * wlroots 0.15 hands the compositor only their quotient as a double.
 * The output pixel is that fraction times the output's size; the head's
 * pixel is that pixel's place in the box the output draws the head in
 * (output.h: vpd_output_head_box(), the letterbox), like the kiosk's
 * seat maps its cursor (seat.c).
 */
#ifndef VPD_VNC_MAP_H
#define VPD_VNC_MAP_H

#include <stdint.h>

/*
 * The head pixel (0..@head_size - 1) on one axis for @fraction
 * (x / extent as wlroots computed it) of an output @output_size pixels
 * wide whose head box starts at @box_offset and is @box_size pixels
 * long (> 0) for a head of @head_size pixels (> 0). A position on the
 * letterbox bar, or a hostile fraction (negative, over 1, NaN), is
 * clamped to the head's nearest edge pixel: a VNC client's pointer
 * over the bar rests on the head's edge, it never leaves the head.
 */
int32_t vpd_vnc_map_axis(double fraction, uint32_t output_size,
			 int32_t box_offset, uint32_t box_size,
			 uint32_t head_size);

#endif /* VPD_VNC_MAP_H */
