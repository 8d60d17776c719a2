// SPDX-License-Identifier: MIT
/*
 * EDID 1.4 base block (VESA E-EDID release A, revision 2), as much of it
 * as a virtual monitor needs: identification, a digital input, sRGB
 * chromaticity, no established or standard timings, the preferred mode
 * as the first detailed timing, a product name and dummy descriptors.
 */
#include <stdio.h>
#include <string.h>

#include "edid.h"

#define LOG_ERR(fmt, ...) \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

#define REFRESH_HZ	60
/* reduced blanking: fixed horizontal blank, vertical blank >= 460 us */
#define H_FRONT		48
#define H_SYNC		32
#define H_BLANK		160
#define V_FRONT		3
#define V_SYNC		6
#define V_BACK_MIN	6
#define V_BLANK_MIN_US	460
#define CLOCK_MAX_10KHZ 0xffffu

#define DESC_OFFSET 54
#define DESC_SIZE   18
#define NUM_DESC    4

static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0x00 };

/* millimetres of @px pixels at 96 dpi */
static uint32_t px_to_mm(uint32_t px)
{
	return (px * 254 + 480) / 960;
}

static uint8_t checksum(const uint8_t *b)
{
	unsigned int i, sum = 0;

	for (i = 0; i < SIM_EDID_SIZE - 1; i++)
		sum += b[i];
	return (uint8_t)(0x100 - (sum & 0xff));
}

/* CIE xy coordinates in 1/1024 units, 10 bits each */
static void put_chromaticity(uint8_t *b)
{
	/* sRGB primaries and D65: red, green, blue, white; x then y */
	static const uint16_t xy[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };
	unsigned int i;

	b[25] = (uint8_t)((xy[0] & 3) << 6 | (xy[1] & 3) << 4 |
			  (xy[2] & 3) << 2 | (xy[3] & 3));
	b[26] = (uint8_t)((xy[4] & 3) << 6 | (xy[5] & 3) << 4 |
			  (xy[6] & 3) << 2 | (xy[7] & 3));
	for (i = 0; i < 8; i++)
		b[27 + i] = (uint8_t)(xy[i] >> 2);
}

static bool put_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	uint32_t frame_us = 1000000 / REFRESH_HZ;
	/* lines of blank so that it lasts V_BLANK_MIN_US at least */
	uint32_t vblank = (h * V_BLANK_MIN_US + frame_us - V_BLANK_MIN_US - 1) /
			  (frame_us - V_BLANK_MIN_US);
	uint64_t clock;
	uint32_t hmm = px_to_mm(w), vmm = px_to_mm(h);

	if (vblank < V_FRONT + V_SYNC + V_BACK_MIN)
		vblank = V_FRONT + V_SYNC + V_BACK_MIN;
	clock = ((uint64_t)(w + H_BLANK) * (h + vblank) * REFRESH_HZ + 5000) /
		10000;
	if (clock > CLOCK_MAX_10KHZ) {
		LOG_ERR("%ux%u at %u Hz needs a pixel clock above 655.35 MHz",
			w, h, REFRESH_HZ);
		return false;
	}
	d[0] = (uint8_t)clock;
	d[1] = (uint8_t)(clock >> 8);
	d[2] = (uint8_t)w;
	d[3] = (uint8_t)H_BLANK;
	d[4] = (uint8_t)((w >> 8) << 4 | (H_BLANK >> 8));
	d[5] = (uint8_t)h;
	d[6] = (uint8_t)vblank;
	d[7] = (uint8_t)((h >> 8) << 4 | (vblank >> 8));
	d[8] = (uint8_t)H_FRONT;
	d[9] = (uint8_t)H_SYNC;
	d[10] = (uint8_t)((V_FRONT & 0xf) << 4 | (V_SYNC & 0xf));
	d[11] = (uint8_t)((H_FRONT >> 8) << 6 | (H_SYNC >> 8) << 4 |
			  (V_FRONT >> 4) << 2 | (V_SYNC >> 4));
	d[12] = (uint8_t)hmm;
	d[13] = (uint8_t)vmm;
	d[14] = (uint8_t)((hmm >> 8) << 4 | (vmm >> 8));
	d[15] = 0; /* no borders */
	d[16] = 0;
	/* progressive, digital separate sync, hsync +, vsync - */
	d[17] = 0x1a;
	return true;
}

/* a display descriptor: @tag, then up to 13 bytes of text (0x0a, padded) */
static void put_descriptor(uint8_t *d, uint8_t tag, const char *text)
{
	size_t n = text ? strlen(text) : 0;

	memset(d, 0, DESC_SIZE);
	d[3] = tag;
	if (!text)
		return;
	if (n > 13)
		n = 13;
	memcpy(d + 5, text, n);
	if (n < 13) {
		d[5 + n] = 0x0a;
		memset(d + 6 + n, 0x20, 13 - n - 1);
	}
}

bool sim_edid_build(uint8_t out[SIM_EDID_SIZE], uint32_t width, uint32_t height)
{
	/* "VPL": three 5-bit letters, 'A' = 1, big-endian */
	uint16_t vendor = ('V' - '@') << 10 | ('P' - '@') << 5 | ('L' - '@');
	uint32_t i;

	if (!width || !height || width > SIM_EDID_MAX_DIM ||
	    height > SIM_EDID_MAX_DIM) {
		LOG_ERR("%ux%u does not fit an EDID detailed timing (1..%u)",
			width, height, SIM_EDID_MAX_DIM);
		return false;
	}
	memset(out, 0, SIM_EDID_SIZE);
	memcpy(out, header, sizeof(header));
	out[8] = (uint8_t)(vendor >> 8);
	out[9] = (uint8_t)vendor;
	out[10] = 0x01; /* product code, little-endian */
	out[11] = 0x00;
	out[12] = 0x01; /* serial number */
	out[16] = 0;	/* week unknown */
	out[17] = 2024 - 1990;
	out[18] = 1; /* EDID 1.4 */
	out[19] = 4;
	out[20] = 0xa0; /* digital, 8 bits per colour */
	out[21] = (uint8_t)((px_to_mm(width) + 5) / 10); /* cm */
	out[22] = (uint8_t)((px_to_mm(height) + 5) / 10);
	out[23] = 120; /* gamma 2.2: (2.2 - 1) * 100 */
	/* sRGB default colour space, RGB 4:4:4, preferred timing is native */
	out[24] = 0x06;
	put_chromaticity(out);
	/* established timings (35..37) none; standard timings unused */
	for (i = 38; i < DESC_OFFSET; i++)
		out[i] = 0x01;
	if (!put_timing(out + DESC_OFFSET, width, height))
		return false;
	put_descriptor(out + DESC_OFFSET + DESC_SIZE, 0xfc, "vplane-sim");
	put_descriptor(out + DESC_OFFSET + 2 * DESC_SIZE, 0x10, NULL);
	put_descriptor(out + DESC_OFFSET + 3 * DESC_SIZE, 0x10, NULL);
	out[126] = 0; /* no extension blocks */
	out[127] = checksum(out);
	return true;
}

bool sim_edid_preferred(const uint8_t *edid, size_t len, uint32_t *width,
			uint32_t *height)
{
	const uint8_t *d = edid + DESC_OFFSET;

	if (len < SIM_EDID_SIZE || memcmp(edid, header, sizeof(header))) {
		LOG_ERR("not an EDID base block (%zu bytes)", len);
		return false;
	}
	if (checksum(edid) != edid[127]) {
		LOG_ERR("EDID checksum 0x%02x, expected 0x%02x", edid[127],
			checksum(edid));
		return false;
	}
	if (!d[0] && !d[1]) {
		LOG_ERR("EDID's first descriptor is not a detailed timing");
		return false;
	}
	*width = d[2] | (uint32_t)(d[4] >> 4) << 8;
	*height = d[5] | (uint32_t)(d[7] >> 4) << 8;
	if (!*width || !*height) {
		LOG_ERR("EDID's preferred timing is %ux%u", *width, *height);
		return false;
	}
	return true;
}
