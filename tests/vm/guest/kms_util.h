/* SPDX-License-Identifier: MIT */
/*
 * kms_util: the small KMS toolkit in-guest tests share: open a KMS device by
 * driver name, dumb buffers, an atomic "show these planes" commit, and the
 * CRTC CRC from debugfs (the pixel-exact oracle).
 */
#ifndef VPLANE_TESTS_KMS_UTIL_H
#define VPLANE_TESTS_KMS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <xf86drmMode.h>

struct kms_props {
	uint32_t conn_crtc_id;
	uint32_t crtc_mode_id, crtc_active;
	uint32_t fb_id, crtc_id, src_x, src_y, src_w, src_h;
	uint32_t crtc_x, crtc_y, crtc_w, crtc_h;
};

struct kms_dev {
	int fd; /* owned, -1 when closed */
	char path[64];
	unsigned int minor;
	uint32_t connector_id, crtc_id, primary_id, overlay_id;
	int crtc_index;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	struct kms_props props;
	int crc_fd; /* owned, -1 when not capturing */
};

struct kms_dumb {
	uint32_t width, height, pitch, handle, fb_id;
	uint64_t size;
	uint8_t *map;
};

/*
 * Opens the first /dev/dri/card* whose driver is @driver, with atomic and
 * universal planes, and picks a connected connector, its CRTC, the smallest
 * mode of at least 640x480 (TCG composes every frame on the CPU), and the
 * CRTC's primary and first overlay plane. Logs and returns false on failure.
 */
bool kms_open_driver(struct kms_dev *dev, const char *driver);
/* The same with the connector's preferred mode (what vplaned's kiosk
 * sets), for CRCs to compare with a compositor's. */
bool kms_open_driver_preferred(struct kms_dev *dev, const char *driver);
void kms_close(struct kms_dev *dev);

/* An XRGB8888 dumb buffer with a framebuffer and a CPU mapping. */
bool kms_dumb_create(struct kms_dev *dev, struct kms_dumb *fb, uint32_t width,
		     uint32_t height);
void kms_dumb_destroy(struct kms_dev *dev, struct kms_dumb *fb);

/*
 * Blocking atomic commit: @primary full screen, @overlay (may be NULL, which
 * disables the overlay plane) at @x,@y in its own size.
 */
bool kms_show(struct kms_dev *dev, const struct kms_dumb *primary,
	      const struct kms_dumb *overlay, int32_t x, int32_t y);
/* Same with a bare framebuffer id for the primary (e.g. an imported one). */
bool kms_show_fb(struct kms_dev *dev, uint32_t fb_id, uint32_t width,
		 uint32_t height, const struct kms_dumb *overlay, int32_t x,
		 int32_t y);

/* Selects the CRTC's CRC source (debugfs crc/control = auto). */
bool kms_crc_start(struct kms_dev *dev);
/*
 * The CRC of what is on screen now: captures only for this call (opens
 * crc/data), drops the first frames, then waits for three consecutive
 * equal CRCs (5 s at most).
 */
bool kms_crc_stable(struct kms_dev *dev, uint32_t *crc);
void kms_crc_stop(struct kms_dev *dev);

#endif
