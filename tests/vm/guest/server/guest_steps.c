// SPDX-License-Identifier: MIT
/*
 * vp-guest-steps UUID: a VMM and its guest, one step per line of stdin,
 * for tests that look at what vplaned shows between the steps. Prints
 * "ok STEP" once a step is done (flushed), "FAIL ..." and exits 1 if not.
 *
 *   open            open the vGPU like a VMM (group, container, device)
 *   head W H        enable vplane head 0 at WxH with a grey VRAM plane
 *   bochs W H       set a 32-bpp bochs DISPI mode as QemuVideoDxe does
 *   off             the guest turns head 0 (and DISPI) off
 *   reset           VFIO_DEVICE_RESET by the VMM
 *   close           the VMM closes the device
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <drm_fourcc.h>

#include "vp_dev.h"

static void bochs_mode(struct vmm_vgpu *d, unsigned int w, unsigned int h)
{
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
	vp_dispi_write(d, VPLANE_DISPI_BPP, 32);
	vp_dispi_write(d, VPLANE_DISPI_XRES, w);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_WIDTH, w);
	vp_dispi_write(d, VPLANE_DISPI_YRES, h);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_HEIGHT, h);
	vp_dispi_write(d, VPLANE_DISPI_X_OFFSET, 0);
	vp_dispi_write(d, VPLANE_DISPI_Y_OFFSET, 0);
	vp_dispi_write(d, VPLANE_DISPI_ENABLE,
		       VPLANE_DISPI_ENABLED | VPLANE_DISPI_LFB_ENABLED);
}

static bool head_mode(struct vmm_vgpu *d, unsigned int w, unsigned int h)
{
	uint8_t *vram = vp_map_vram(d);
	uint64_t bytes = (uint64_t)w * 4 * h;

	if (!vram)
		return false;
	memset(vram, 0x80,
	       bytes < d->region[0].size ? bytes : d->region[0].size);
	munmap(vram, d->region[0].size);
	vp_head_enable(d, 0, w, h);
	vp_plane_set(d, 0, VPLANE_PLANE_PRIMARY, DRM_FORMAT_XRGB8888, w, h,
		     w * 4, VPLANE_DOMAIN_VRAM, 0);
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP,
		      VPLANE_FLIP_PLANE(VPLANE_PLANE_PRIMARY));
	return true;
}

int main(int argc, char **argv)
{
	struct vmm_vgpu d = VMM_VGPU_INIT;
	char line[128], step[16];
	unsigned int w, h;
	bool ok;

	if (argc != 2) {
		fprintf(stderr, "usage: %s UUID < steps\n", argv[0]);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		int n = sscanf(line, "%15s %u %u", step, &w, &h);

		if (n < 1)
			continue;
		ok = true;
		if (!strcmp(step, "open")) {
			ok = vp_dev_open(&d, argv[1]);
		} else if (!strcmp(step, "head") && n == 3) {
			ok = d.device >= 0 && head_mode(&d, w, h);
		} else if (!strcmp(step, "bochs") && n == 3) {
			ok = d.device >= 0;
			if (ok)
				bochs_mode(&d, w, h);
		} else if (!strcmp(step, "off")) {
			ok = d.device >= 0;
			if (ok) {
				vp_mmio_write(&d,
					      VPLANE_MMIO_HEAD(0) +
						      VPLANE_HEAD_CTRL,
					      0);
				vp_dispi_write(&d, VPLANE_DISPI_ENABLE, 0);
			}
		} else if (!strcmp(step, "reset")) {
			ok = d.device >= 0 &&
			     !ioctl(d.device, VFIO_DEVICE_RESET);
		} else if (!strcmp(step, "close")) {
			ok = d.device >= 0;
			vp_dev_close(&d);
		} else {
			ok = false;
		}
		if (!ok || vp_failures) {
			printf("FAIL %s: %s\n", step, strerror(errno));
			return 1;
		}
		printf("ok %s\n", step);
		fflush(stdout);
	}
	vp_dev_close(&d);
	return 0;
}
