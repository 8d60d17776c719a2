/* SPDX-License-Identifier: MIT */
/*
 * In-guest test helpers for vplane.ko: the VMM and guest of
 * examples/vgpu-player (vmm.h, guest.h) with every failure counted as a
 * test failure (VP_FAIL prints file:line and bumps vp_failures), plus
 * the tests' own debugfs reader.
 */
#ifndef VP_DEV_H
#define VP_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>

#include "guest.h"
#include "vmm.h"
#include "vplane.h"

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

/* mdev lifecycle through sysfs; parent "vplane" or "mbochs"; @uuid_out
 * holds VMM_UUID_LEN bytes. */
bool vp_mdev_create(const char *parent, const char *type, char *uuid_out);
bool vp_mdev_remove(const char *uuid);

/* Open group + container (TYPE1v2) + device.  Borrows nothing. */
bool vp_dev_open(struct vmm_vgpu *d, const char *uuid);
void vp_dev_close(struct vmm_vgpu *d);
/* Only the device fd: the container and group stay open. */
void vp_dev_close_device(struct vmm_vgpu *d);

uint32_t vp_mmio_read(struct vmm_vgpu *d, uint32_t off);
void vp_mmio_write(struct vmm_vgpu *d, uint32_t off, uint32_t val);
uint16_t vp_dispi_read(struct vmm_vgpu *d, unsigned int index);
void vp_dispi_write(struct vmm_vgpu *d, unsigned int index, uint16_t val);
/* A raw pread/pwrite in region @index (no bounds check: hostile tests
 * reach past the end on purpose); the syscall's result. */
ssize_t vp_region_rw(struct vmm_vgpu *d, unsigned int index, uint64_t off,
		     void *buf, size_t len, bool write);

/* BAR0 mapping, the caller's to munmap; NULL on failure. */
void *vp_map_vram(struct vmm_vgpu *d);

/* Guest RAM: a memfd mapped at @iova through VFIO_IOMMU_MAP_DMA, the
 * caller's to munmap (and to unmap for DMA, or the container does). */
void *vp_guest_ram(struct vmm_vgpu *d, uint64_t iova, size_t size);
bool vp_guest_ram_unmap(struct vmm_vgpu *d, uint64_t iova, size_t size);

/* QUERY_GFX_PLANE for @head/@type; returns the ioctl result (0/-errno). */
int vp_query(struct vmm_vgpu *d, unsigned int head, uint32_t type,
	     struct vfio_device_gfx_plane_info *info);
/* GET_GFX_DMABUF: the fd or -errno. */
int vp_get_dmabuf(struct vmm_vgpu *d, uint32_t id);

/* Program a vplane plane's pending registers (position 0,0; enabled). */
void vp_plane_set(struct vmm_vgpu *d, unsigned int head, unsigned int plane,
		  uint32_t format, uint32_t w, uint32_t h, uint32_t stride,
		  uint32_t domain, uint64_t addr);
/* WIDTH, HEIGHT, then CTRL = ENABLE (no modeset off first). */
void vp_head_enable(struct vmm_vgpu *d, unsigned int head, uint32_t w,
		    uint32_t h);

/* debugfs: value of @key in the vGPU's (uuid) or global (NULL) stats. */
long long vp_debugfs(const char *uuid, const char *key);

#endif
