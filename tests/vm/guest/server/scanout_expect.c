// SPDX-License-Identifier: MIT
/*
 * vp-scanout-expect: the kiosk tests' oracle for vkms's CRC.
 *
 *   vp-scanout-expect dump UUID OUT.ppm
 *     writes head 0's primary plane as the display node shows it (an
 *     observer: vplaned keeps the ack role) to a binary PPM; XRGB8888 only.
 *   vp-scanout-expect crc IMAGE.ppm
 *     with vplaned stopped: opens vkms at its preferred mode (the one
 *     vplaned's kiosk sets), draws IMAGE into a dumb buffer where vplaned
 *     puts a head (centred, aspect kept, on black: fit_box() in
 *     server/output.c) and prints "crc 0x%08x" of it on screen.
 *
 * Scaling is nearest-neighbour, which is what wlroots 0.15's pixman
 * renderer does (it sets no filter: pixman's default is NEAREST); only
 * scales where that is exact are meant to be compared (1:1, or integer).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vplane/display.h>

#include "kms_util.h"

struct image {
	uint32_t width, height;
	uint8_t *rgb; /* width * height * 3 */
};

static int dump(const char *uuid, const char *path)
{
	struct vplane_display_plane plane;
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct vp_display *display = vp_display_create_from_uuid(uuid);
	const uint8_t *map;
	FILE *out;
	int fd;

	if (!display) {
		fprintf(stderr, "cannot open the display node of %s: %s\n",
			uuid, strerror(errno));
		return 1;
	}
	if (!vp_display_query_plane(display, 0, VPLANE_DISPLAY_PLANE_PRIMARY,
				    &plane) ||
	    !(plane.flags & VPLANE_DISPLAY_PLANE_ENABLED)) {
		fprintf(stderr, "head 0 has no primary plane\n");
		return 1;
	}
	if (plane.drm_format != DRM_FORMAT_XRGB8888) {
		fprintf(stderr, "primary plane format %.4s, not XR24\n",
			(const char *)&plane.drm_format);
		return 1;
	}
	fd = vp_display_get_dmabuf(display, plane.dmabuf_id);
	if (fd < 0) {
		fprintf(stderr, "no dma-buf for id %u\n", plane.dmabuf_id);
		return 1;
	}
	map = mmap(NULL, plane.size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap of the dma-buf");
		return 1;
	}
	if (plane.flags & VPLANE_DISPLAY_PLANE_NEEDS_SYNC)
		ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	out = fopen(path, "wb");
	if (!out) {
		perror(path);
		return 1;
	}
	fprintf(out, "P6\n%u %u\n255\n", plane.width, plane.height);
	for (uint32_t y = 0; y < plane.height; y++) {
		const uint32_t *row =
			(const uint32_t *)(map + (size_t)y * plane.stride);

		for (uint32_t x = 0; x < plane.width; x++) {
			uint8_t px[3] = { (uint8_t)(row[x] >> 16),
					  (uint8_t)(row[x] >> 8),
					  (uint8_t)row[x] };

			fwrite(px, 1, 3, out);
		}
	}
	if (plane.flags & VPLANE_DISPLAY_PLANE_NEEDS_SYNC) {
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	}
	if (fclose(out)) {
		perror(path);
		return 1;
	}
	printf("# head 0: %ux%u (head mode %ux%u), flip %u\n", plane.width,
	       plane.height, plane.head_width, plane.head_height,
	       plane.flip_seq);
	munmap((void *)map, plane.size);
	close(fd);
	vp_display_destroy(display);
	return 0;
}

static bool read_ppm(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	unsigned int w, h, max;
	size_t n;

	if (!f) {
		perror(path);
		return false;
	}
	if (fscanf(f, "P6 %u %u %u", &w, &h, &max) != 3 || max != 255 ||
	    fgetc(f) == EOF || !w || !h || w > 8192 || h > 8192) {
		fprintf(stderr, "%s: not an 8-bit binary PPM\n", path);
		fclose(f);
		return false;
	}
	n = (size_t)w * h * 3;
	img->rgb = malloc(n);
	if (!img->rgb || fread(img->rgb, 1, n, f) != n) {
		fprintf(stderr, "%s: short image\n", path);
		fclose(f);
		return false;
	}
	fclose(f);
	img->width = w;
	img->height = h;
	return true;
}

/* server/output.c fit_box(): centred, aspect kept, integer arithmetic */
static void fit(uint32_t out_w, uint32_t out_h, uint32_t w, uint32_t h,
		uint32_t box[4])
{
	box[0] = 0, box[1] = 0, box[2] = w, box[3] = h;
	if (w == out_w && h == out_h)
		return;
	if ((uint64_t)out_w * h <= (uint64_t)out_h * w) {
		box[2] = out_w;
		box[3] = (uint32_t)((uint64_t)h * out_w / w);
	} else {
		box[3] = out_h;
		box[2] = (uint32_t)((uint64_t)w * out_h / h);
	}
	box[0] = (out_w - box[2]) / 2;
	box[1] = (out_h - box[3]) / 2;
}

static int crc(const char *path)
{
	struct kms_dev dev;
	struct kms_dumb fb;
	struct image img;
	uint32_t box[4], value;

	if (!read_ppm(path, &img) || !kms_open_driver_preferred(&dev, "vkms"))
		return 1;
	if (!kms_dumb_create(&dev, &fb, dev.mode.hdisplay, dev.mode.vdisplay))
		return 1;
	fit(fb.width, fb.height, img.width, img.height, box);
	for (uint32_t y = 0; y < fb.height; y++) {
		uint32_t *row = (uint32_t *)(fb.map + (size_t)y * fb.pitch);

		for (uint32_t x = 0; x < fb.width; x++) {
			const uint8_t *p;
			uint64_t sx, sy;

			if (x < box[0] || x >= box[0] + box[2] || y < box[1] ||
			    y >= box[1] + box[3]) {
				row[x] = 0xff000000; /* the renderer's clear */
				continue;
			}
			/* the source pixel whose area holds this pixel's
			 * centre */
			sy = (2 * (uint64_t)(y - box[1]) + 1) * img.height /
			     (2 * (uint64_t)box[3]);
			sx = (2 * (uint64_t)(x - box[0]) + 1) * img.width /
			     (2 * (uint64_t)box[2]);
			p = img.rgb + 3 * (sy * img.width + sx);
			row[x] = 0xff000000u | (uint32_t)p[0] << 16 |
				 (uint32_t)p[1] << 8 | p[2];
		}
	}
	if (!kms_crc_start(&dev) || !kms_show(&dev, &fb, NULL, 0, 0) ||
	    !kms_crc_stable(&dev, &value))
		return 1;
	printf("# %ux%u image at %u,%u %ux%u on vkms %ux%u\n", img.width,
	       img.height, box[0], box[1], box[2], box[3], fb.width, fb.height);
	printf("crc 0x%08" PRIx32 "\n", value);
	kms_dumb_destroy(&dev, &fb);
	kms_close(&dev);
	free(img.rgb);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "dump"))
		return dump(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "crc"))
		return crc(argv[2]);
	fprintf(stderr, "usage: vp-scanout-expect dump UUID OUT.ppm\n"
			"       vp-scanout-expect crc IMAGE.ppm\n");
	return 2;
}
