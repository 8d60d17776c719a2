// SPDX-License-Identifier: MIT
/*
 * vnc_map.c: a VNC client's absolute position, as wlroots 0.15 hands it
 * over (x / extent, a double), lands on the head pixel an exact integer
 * computation gives, for every output pixel of many sizes, with and
 * without a letterbox; the bars and hostile fractions clamp to the
 * head's edge.
 */
#include <math.h>
#include <stdint.h>

#include "../libvplane/tests/check.h"
#include "vnc_map.h"

/* Every output pixel o of an @output-pixel axis showing a @head-pixel
 * head in the box [@offset, @offset + @box): the pixel integer
 * arithmetic gives, as wlroots' quotient arrives. */
static void check_axis(uint32_t output, int32_t offset, uint32_t box,
		       uint32_t head)
{
	uint32_t o;
	int bad = 0;

	for (o = 0; o < output; o++) {
		double fraction = (double)o / output; /* wlroots */
		int64_t want;
		int32_t got =
			vpd_vnc_map_axis(fraction, output, offset, box, head);

		if ((int64_t)o < offset)
			want = 0;
		else if ((int64_t)o >= offset + (int64_t)box)
			want = head - 1;
		else
			want = ((int64_t)o - offset) * head / box;
		if (got != want && bad++ < 5)
			fprintf(stderr,
				"output %u box %d+%u head %u: pixel %u -> "
				"%d, want %lld\n",
				output, offset, box, head, o, got,
				(long long)want);
	}
	CHECK(bad == 0);
}

int main(void)
{
	static const uint32_t sizes[] = { 1,	2,    3,    7,	  17,	240,
					  320,	768,  799,  1024, 1080, 1366,
					  1920, 2560, 3840, 4096, 8192 };
	size_t i;

	/* no letterbox: the output is the head (headless outputs) */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_axis(sizes[i], 0, sizes[i], sizes[i]);
	/* letterboxes: bars on both sides, scale up, down and odd */
	check_axis(1920, 240, 1440, 1024); /* 1024x768 on 1920x1080 */
	check_axis(1080, 0, 1080, 768);
	check_axis(1024, 32, 960, 320); /* 3x */
	check_axis(640, 0, 640, 320);	/* 2x */
	check_axis(800, 0, 800, 1024);	/* scaled down */
	check_axis(1366, 1, 1365, 799);
	/* hostile fractions clamp to the head */
	CHECK(vpd_vnc_map_axis(NAN, 320, 0, 320, 320) == 0);
	CHECK(vpd_vnc_map_axis(-1.0, 320, 0, 320, 320) == 0);
	CHECK(vpd_vnc_map_axis(-INFINITY, 320, 0, 320, 320) == 0);
	CHECK(vpd_vnc_map_axis(2.0, 320, 0, 320, 320) == 319);
	CHECK(vpd_vnc_map_axis(INFINITY, 320, 0, 320, 320) == 319);
	CHECK(vpd_vnc_map_axis(1.0, 320, 0, 320, 320) == 319);
	/* an empty box or head: pixel 0, no division by zero */
	CHECK(vpd_vnc_map_axis(0.5, 320, 0, 0, 320) == 0);
	CHECK(vpd_vnc_map_axis(0.5, 320, 0, 320, 0) == 0);
	return check_result("server-vnc-map");
}
