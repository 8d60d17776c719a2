/* SPDX-License-Identifier: MIT */
/*
 * In-guest test helpers for vplane.ko: create an mdev, open it through a
 * VFIO group and type1 container like a VMM, and poke its regions.
 * Failures print file:line and the errno.
 */
#ifndef VP_DEV_H
#define VP_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "vplane.h"

#define VP_MAX_REGIONS 16

struct vp_dev {
	char uuid[40];
	int container; /* -1 when none */
	int group;
	int device;
	uint32_t num_regions;
	struct vfio_region_info region[VP_MAX_REGIONS];
};

#define VP_FAIL(...) vp_fail(__FILE__, __LINE__, __VA_ARGS__)
#define VP_CHECK(cond, ...)                   \
	do {                                  \
		if (!(cond)) {                \
			VP_FAIL(__VA_ARGS__); \
		}                             \
	} while (0)

extern int vp_failures;
void vp_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mdev lifecycle through sysfs; parent "vplane" or "mbochs". */
bool vp_mdev_create(const char *parent, const char *type, char *uuid_out);
bool vp_mdev_remove(const char *uuid);

/* Open group + container (TYPE1v2) + device.  Borrows nothing. */
bool vp_dev_open(struct vp_dev *d, const char *uuid);
void vp_dev_close(struct vp_dev *d);
/* Only the device fd: the container and group stay open. */
void vp_dev_close_device(struct vp_dev *d);

uint32_t vp_mmio_read(struct vp_dev *d, uint32_t off);
void vp_mmio_write(struct vp_dev *d, uint32_t off, uint32_t val);
uint16_t vp_dispi_read(struct vp_dev *d, unsigned int index);
void vp_dispi_write(struct vp_dev *d, unsigned int index, uint16_t val);
ssize_t vp_region_rw(struct vp_dev *d, unsigned int index, uint64_t off,
		     void *buf, size_t len, bool write);

/* BAR0 mapping; NULL on failure. */
void *vp_map_vram(struct vp_dev *d);

/* Guest RAM: a memfd mapped at @iova through VFIO_IOMMU_MAP_DMA. */
void *vp_guest_ram(struct vp_dev *d, uint64_t iova, size_t size);
bool vp_guest_ram_unmap(struct vp_dev *d, uint64_t iova, size_t size);

/* QUERY_GFX_PLANE for @head/@type; returns the ioctl result (0/-errno). */
int vp_query(struct vp_dev *d, unsigned int head, uint32_t type,
	     struct vfio_device_gfx_plane_info *info);
int vp_get_dmabuf(struct vp_dev *d, uint32_t id);

/* Program a vplane plane's pending registers. */
void vp_plane_set(struct vp_dev *d, unsigned int head, unsigned int plane,
		  uint32_t format, uint32_t w, uint32_t h, uint32_t stride,
		  uint32_t domain, uint64_t addr);
void vp_head_enable(struct vp_dev *d, unsigned int head, uint32_t w,
		    uint32_t h);

/* debugfs: value of @key in the vGPU's (uuid) or global (NULL) stats. */
long long vp_debugfs(const char *uuid, const char *key);

#endif
