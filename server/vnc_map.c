// SPDX-License-Identifier: MIT
#include <math.h>

#include "vnc_map.h"

/*
 * x / extent, rounded to a double and multiplied back by the size, may
 * come out a hair under the integer x: this much is added before the
 * floor. The product's error is about 2^-52 of a size under 2^16
 * pixels, so the slack repairs it, and it is far too small to move a
 * position that was inside a pixel into the next one.
 */
#define ROUNDING_SLACK 1e-6

int32_t vpd_vnc_map_axis(double fraction, uint32_t output_size,
			 int32_t box_offset, uint32_t box_size,
			 uint32_t head_size)
{
	double pixel;

	if (!box_size || !head_size)
		return 0;
	if (!(fraction >= 0.0)) /* negative or NaN */
		fraction = 0.0;
	if (fraction > 1.0)
		fraction = 1.0;
	pixel = fraction * output_size - box_offset;
	pixel = floor(pixel * head_size / box_size + ROUNDING_SLACK);
	if (pixel < 0.0)
		return 0;
	if (pixel >= head_size)
		return (int32_t)(head_size - 1);
	return (int32_t)pixel;
}
