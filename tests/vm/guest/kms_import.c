// SPDX-License-Identifier: MIT
/*
 * kms-import: a vplane plane scanned out by a real KMS driver with zero
 * copies. The guest draws into VRAM through the bochs path; the upstream
 * GFX plane API hands the plane out as a dma-buf; vkms imports it (PRIME),
 * makes it a framebuffer and scans it out. vkms's CRC of that must equal
 * the CRC of the same pixels in a dumb buffer, and a redraw by the guest
 * must reach the screen with no new import: the pixels are the guest's own
 * pages.
 *
 *   kms-import <mdev uuid>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "guest.h"
#include "kms_util.h"
#include "vmm.h"

static uint32_t pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	return ((x * 5 + seed) & 0xff) << 16 | ((y * 3 + seed) & 0xff) << 8 |
	       ((x ^ y) & 0xff);
}

static void draw(uint8_t *base, uint32_t pitch, uint32_t w, uint32_t h,
		 uint32_t seed)
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(base + (size_t)y * pitch);

		for (uint32_t x = 0; x < w; x++)
			row[x] = pattern(x, y, seed);
	}
}

/* CRC of the same pixels through a dumb buffer: the reference. */
static bool reference_crc(struct kms_dev *kms, uint32_t seed, uint32_t *crc)
{
	struct kms_dumb fb;
	bool ok;

	if (!kms_dumb_create(kms, &fb, kms->mode.hdisplay, kms->mode.vdisplay))
		return false;
	draw(fb.map, fb.pitch, fb.width, fb.height, seed);
	ok = kms_show(kms, &fb, NULL, 0, 0) && kms_crc_stable(kms, crc);
	kms_dumb_destroy(kms, &fb);
	return ok;
}

int main(int argc, char **argv)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint32_t handle, fb_id, w, h, crc_import, crc_ref, crc_redraw, crc_ref2;
	struct vmm_vgpu dev;
	struct kms_dev kms;
	int dmabuf, failures = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: kms-import UUID\n");
		return 2;
	}
	if (!kms_open_driver(&kms, "vkms") || !kms_crc_start(&kms) ||
	    !vmm_open(&dev, argv[1], VFIO_TYPE1_IOMMU) || !vmm_map_vram(&dev))
		return 1;
	w = kms.mode.hdisplay;
	h = kms.mode.vdisplay;

	/* the guest: a bochs mode of the screen's size, pattern 1 */
	if (!guest_bochs_mode(&dev, (uint16_t)w, (uint16_t)h))
		return 1;
	draw(dev.vram, w * 4, w, h, 1);

	/* the host: upstream query and export, as QEMU would */
	if (vmm_query_plane(&dev, DRM_PLANE_TYPE_PRIMARY, &info) ||
	    !info.dmabuf_id) {
		fprintf(stderr, "FAIL: no primary plane: %s\n",
			strerror(errno));
		return 1;
	}
	dmabuf = vmm_get_dmabuf(&dev, info.dmabuf_id);
	if (dmabuf < 0) {
		fprintf(stderr, "FAIL: GET_GFX_DMABUF: %s\n", strerror(errno));
		return 1;
	}

	/* vkms imports it and scans it out */
	if (drmPrimeFDToHandle(kms.fd, dmabuf, &handle)) {
		fprintf(stderr, "FAIL: vkms cannot import: %s\n",
			strerror(errno));
		return 1;
	}
	handles[0] = handle;
	pitches[0] = info.stride;
	if (drmModeAddFB2(kms.fd, w, h, info.drm_format, handles, pitches,
			  offsets, &fb_id, 0)) {
		fprintf(stderr, "FAIL: AddFB2 of the import: %s\n",
			strerror(errno));
		return 1;
	}
	if (!kms_show_fb(&kms, fb_id, w, h, NULL, 0, 0) ||
	    !kms_crc_stable(&kms, &crc_import))
		return 1;
	if (!reference_crc(&kms, 1, &crc_ref))
		return 1;

	/* the guest redraws; the same framebuffer shows it */
	draw(dev.vram, w * 4, w, h, 2);
	if (!kms_show_fb(&kms, fb_id, w, h, NULL, 0, 0) ||
	    !kms_crc_stable(&kms, &crc_redraw))
		return 1;
	if (!reference_crc(&kms, 2, &crc_ref2))
		return 1;

	printf("# kms-import %ux%u: vplane dma-buf CRC 0x%08" PRIx32
	       " vs dumb buffer 0x%08" PRIx32
	       "; after a guest redraw 0x%08" PRIx32 " vs 0x%08" PRIx32 "\n",
	       w, h, crc_import, crc_ref, crc_redraw, crc_ref2);
	if (crc_import != crc_ref) {
		fprintf(stderr,
			"FAIL: the imported plane shows other pixels\n");
		failures++;
	}
	if (crc_redraw != crc_ref2 || crc_redraw == crc_import) {
		fprintf(stderr, "FAIL: the guest's redraw did not reach the "
				"screen through the same buffer\n");
		failures++;
	}
	drmModeRmFB(kms.fd, fb_id);
	drmCloseBufferHandle(kms.fd, handle);
	close(dmabuf);
	kms_close(&kms);
	vmm_close(&dev);
	return failures ? 1 : 0;
}
