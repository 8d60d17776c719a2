// SPDX-License-Identifier: MIT
/*
 * kms-crc: proves that vkms's CRC is a pixel-exact oracle.
 *
 * Shows dumb buffers on vkms's primary plane with an atomic modeset and reads
 * the CRTC's CRC from debugfs. Asserts that the same pixels give the same CRC
 * twice, different pixels a different CRC, and that an overlay plane placed
 * over the primary changes it. Later tests compare a CRC from the zero-copy
 * path with the CRC of the same pixels shown through a dumb buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kms_util.h"

static void fill_gradient(struct kms_dumb *fb, uint32_t seed)
{
	for (uint32_t y = 0; y < fb->height; y++) {
		uint32_t *row = (uint32_t *)(fb->map + (size_t)y * fb->pitch);

		for (uint32_t x = 0; x < fb->width; x++)
			row[x] = ((x * 255 / fb->width) << 16) |
				 ((y * 255 / fb->height) << 8) | (seed & 0xff);
	}
}

static void fill_solid(struct kms_dumb *fb, uint32_t argb)
{
	for (uint32_t y = 0; y < fb->height; y++) {
		uint32_t *row = (uint32_t *)(fb->map + (size_t)y * fb->pitch);

		for (uint32_t x = 0; x < fb->width; x++)
			row[x] = argb;
	}
}

int main(void)
{
	struct kms_dev dev;
	struct kms_dumb a, b, ov;
	uint32_t crc_a1, crc_b, crc_a2, crc_ov, crc_a3;
	int failures = 0;

	if (!kms_open_driver(&dev, "vkms"))
		return 1;
	printf("vkms: card %s, crtc %u, mode %ux%u, primary %u, overlay %u\n",
	       dev.path, dev.crtc_id, dev.mode.hdisplay, dev.mode.vdisplay,
	       dev.primary_id, dev.overlay_id);
	if (!dev.overlay_id) {
		fprintf(stderr,
			"vkms has no overlay plane (enable_overlay=1?)\n");
		return 1;
	}
	if (!kms_dumb_create(&dev, &a, dev.mode.hdisplay, dev.mode.vdisplay) ||
	    !kms_dumb_create(&dev, &b, dev.mode.hdisplay, dev.mode.vdisplay) ||
	    !kms_dumb_create(&dev, &ov, 64, 64))
		return 1;
	fill_gradient(&a, 0x11);
	fill_gradient(&b, 0x12); /* differs from a in the low blue bit only */
	fill_solid(&ov, 0xffff00ff);

	if (!kms_crc_start(&dev))
		return 1;
	if (!kms_show(&dev, &a, NULL, 0, 0) || !kms_crc_stable(&dev, &crc_a1))
		return 1;
	if (!kms_show(&dev, &b, NULL, 0, 0) || !kms_crc_stable(&dev, &crc_b))
		return 1;
	if (!kms_show(&dev, &a, NULL, 0, 0) || !kms_crc_stable(&dev, &crc_a2))
		return 1;
	if (!kms_show(&dev, &a, &ov, 100, 50) || !kms_crc_stable(&dev, &crc_ov))
		return 1;
	if (!kms_show(&dev, &a, NULL, 0, 0) || !kms_crc_stable(&dev, &crc_a3))
		return 1;
	printf("# crc pattern A 0x%08" PRIx32 ", B 0x%08" PRIx32
	       ", A again 0x%08" PRIx32 ", A+overlay 0x%08" PRIx32
	       ", A after overlay 0x%08" PRIx32 "\n",
	       crc_a1, crc_b, crc_a2, crc_ov, crc_a3);

	if (crc_a1 != crc_a2 || crc_a1 != crc_a3) {
		fprintf(stderr, "FAIL: the same pixels gave different CRCs\n");
		failures++;
	}
	if (crc_a1 == crc_b) {
		fprintf(stderr,
			"FAIL: one changed bit per pixel kept the CRC\n");
		failures++;
	}
	if (crc_ov == crc_a1) {
		fprintf(stderr,
			"FAIL: an overlay over the primary kept the CRC\n");
		failures++;
	}
	kms_crc_stop(&dev);
	kms_dumb_destroy(&dev, &ov);
	kms_dumb_destroy(&dev, &b);
	kms_dumb_destroy(&dev, &a);
	kms_close(&dev);
	return failures ? 1 : 0;
}
