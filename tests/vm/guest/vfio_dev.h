/* SPDX-License-Identifier: MIT */
/*
 * vfio_dev: open an mdev the way a VMM does (group, type1 container, device
 * fd) and reach its regions. Used by in-guest tests that play VMM.
 */
#ifndef VPLANE_TESTS_VFIO_DEV_H
#define VPLANE_TESTS_VFIO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

struct vfio_dev {
	int container; /* owned, -1 when closed */
	int group;     /* owned */
	int device;    /* owned */
	struct vfio_region_info bar0, bar2;
	uint8_t *vram; /* BAR0 mapping, NULL if not mappable */
};

/* Opens /sys/bus/mdev/devices/@uuid through its IOMMU group. */
bool vfio_dev_open(struct vfio_dev *dev, const char *uuid);
/* The same on a container of IOMMU type @iommu (VFIO_TYPE1v2_IOMMU pins). */
bool vfio_dev_open_iommu(struct vfio_dev *dev, const char *uuid, int iommu);
void vfio_dev_close(struct vfio_dev *dev);

bool vfio_dev_region(struct vfio_dev *dev, uint32_t index,
		     struct vfio_region_info *info);
/* Exact-size pread/pwrite at @off inside region @r. */
bool vfio_dev_read(struct vfio_dev *dev, const struct vfio_region_info *r,
		   uint64_t off, void *buf, size_t len);
bool vfio_dev_write(struct vfio_dev *dev, const struct vfio_region_info *r,
		    uint64_t off, const void *buf, size_t len);

/* bochs DISPI registers (16 bit) at BAR2 + 0x500, as bochs-drm uses them. */
enum {
	DISPI_ID = 0,
	DISPI_XRES,
	DISPI_YRES,
	DISPI_BPP,
	DISPI_ENABLE,
	DISPI_BANK,
	DISPI_VIRT_WIDTH,
	DISPI_VIRT_HEIGHT,
	DISPI_X_OFFSET,
	DISPI_Y_OFFSET,
};
#define DISPI_ENABLED	  0x01
#define DISPI_LFB_ENABLED 0x40
#define DISPI_NOCLEARMEM  0x80

bool vfio_dev_dispi_write(struct vfio_dev *dev, unsigned int index,
			  uint16_t value);
/* Sets a 32 bpp mode with the framebuffer at VRAM offset 0. */
bool vfio_dev_bochs_mode(struct vfio_dev *dev, uint16_t width, uint16_t height);

/* Monotonic microseconds. */
double vfio_dev_now_us(void);

#endif
