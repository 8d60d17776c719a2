/* SPDX-License-Identifier: MIT */
/*
 * EDID for the simulator: the VMM builds a 128-byte EDID 1.4 base block
 * whose preferred mode (first detailed timing descriptor) is WxH at
 * 60 Hz, and the guest decodes the preferred size of one it read back.
 */
#ifndef VPLANE_SIM_EDID_H
#define VPLANE_SIM_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_EDID_SIZE	 128
/* a detailed timing holds 12-bit sizes */
#define SIM_EDID_MAX_DIM 4095

/* Fill @out with a base block preferring @width x @height at 60 Hz
 * (reduced-blanking timing). False, after printing why, when the mode
 * does not fit a detailed timing descriptor. */
bool sim_edid_build(uint8_t out[SIM_EDID_SIZE], uint32_t width,
		    uint32_t height);

/* Check @edid (@len bytes: header, base block checksum) and decode the
 * size of its first detailed timing. False, after printing why, if it is
 * not a valid base block or has no detailed timing first. */
bool sim_edid_preferred(const uint8_t *edid, size_t len, uint32_t *width,
			uint32_t *height);

#endif
