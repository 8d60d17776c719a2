// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vp_dev.h"

int vp_failures;

void vp_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	vp_failures++;
}

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		VP_FAIL("open %s: %s", path, strerror(errno));
		return false;
	}
	n = write(fd, s, strlen(s));
	close(fd);
	if (n != (ssize_t)strlen(s)) {
		VP_FAIL("write %s to %s: %s", s, path, strerror(errno));
		return false;
	}
	return true;
}

bool vp_mdev_create(const char *parent, const char *type, char *uuid_out)
{
	char path[PATH_MAX];
	FILE *f = fopen("/proc/sys/kernel/random/uuid", "re");

	if (!f || !fgets(uuid_out, 40, f)) {
		VP_FAIL("uuid: %s", strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	uuid_out[strcspn(uuid_out, "\n")] = 0;
	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/%s/mdev_supported_types/%s/create",
		 parent, type);
	return write_file(path, uuid_out);
}

bool vp_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	return write_file(path, "1");
}

bool vp_dev_open(struct vp_dev *d, const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	ssize_t n;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->device = -1;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		VP_FAIL("readlink %s: %s", path, strerror(errno));
		return false;
	}
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->container < 0 || d->group < 0) {
		VP_FAIL("open container/group %s: %s", path, strerror(errno));
		goto err;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		VP_FAIL("group not viable");
		goto err;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) {
		VP_FAIL("SET_CONTAINER: %s", strerror(errno));
		goto err;
	}
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		VP_FAIL("SET_IOMMU TYPE1v2: %s", strerror(errno));
		goto err;
	}
	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->device < 0) {
		VP_FAIL("GET_DEVICE_FD: %s", strerror(errno));
		goto err;
	}
	if (ioctl(d->device, VFIO_DEVICE_GET_INFO, &info)) {
		VP_FAIL("GET_INFO: %s", strerror(errno));
		goto err;
	}
	d->num_regions = info.num_regions;
	for (i = 0; i < info.num_regions && i < VP_MAX_REGIONS; i++) {
		d->region[i].argsz = sizeof(d->region[i]);
		d->region[i].index = i;
		if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO,
			  &d->region[i])) {
			VP_FAIL("GET_REGION_INFO %u: %s", i, strerror(errno));
			goto err;
		}
	}
	return true;
err:
	vp_dev_close(d);
	return false;
}

void vp_dev_close_device(struct vp_dev *d)
{
	if (d->device >= 0)
		close(d->device);
	d->device = -1;
}

void vp_dev_close(struct vp_dev *d)
{
	vp_dev_close_device(d);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->group = d->container = -1;
}

ssize_t vp_region_rw(struct vp_dev *d, unsigned int index, uint64_t off,
		     void *buf, size_t len, bool write)
{
	uint64_t pos = d->region[index].offset + off;

	if (write)
		return pwrite(d->device, buf, len, pos);
	return pread(d->device, buf, len, pos);
}

uint32_t vp_mmio_read(struct vp_dev *d, uint32_t off)
{
	uint32_t v = 0;

	if (vp_region_rw(d, VFIO_PCI_BAR2_REGION_INDEX, off, &v, 4, false) != 4)
		VP_FAIL("mmio read 0x%x: %s", off, strerror(errno));
	return v;
}

void vp_mmio_write(struct vp_dev *d, uint32_t off, uint32_t val)
{
	if (vp_region_rw(d, VFIO_PCI_BAR2_REGION_INDEX, off, &val, 4, true) !=
	    4)
		VP_FAIL("mmio write 0x%x: %s", off, strerror(errno));
}

uint16_t vp_dispi_read(struct vp_dev *d, unsigned int index)
{
	uint16_t v = 0;

	if (vp_region_rw(d, VFIO_PCI_BAR2_REGION_INDEX,
			 VPLANE_MMIO_DISPI + 2 * index, &v, 2, false) != 2)
		VP_FAIL("dispi read %u: %s", index, strerror(errno));
	return v;
}

void vp_dispi_write(struct vp_dev *d, unsigned int index, uint16_t val)
{
	if (vp_region_rw(d, VFIO_PCI_BAR2_REGION_INDEX,
			 VPLANE_MMIO_DISPI + 2 * index, &val, 2, true) != 2)
		VP_FAIL("dispi write %u: %s", index, strerror(errno));
}

void *vp_map_vram(struct vp_dev *d)
{
	struct vfio_region_info *r = &d->region[VFIO_PCI_BAR0_REGION_INDEX];
	void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->device, r->offset);

	if (p == MAP_FAILED) {
		VP_FAIL("mmap VRAM: %s", strerror(errno));
		return NULL;
	}
	return p;
}

void *vp_guest_ram(struct vp_dev *d, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	int fd = memfd_create("vp-guest-ram", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, size)) {
		VP_FAIL("memfd: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		VP_FAIL("mmap memfd: %s", strerror(errno));
		return NULL;
	}
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p;
	map.iova = iova;
	map.size = size;
	if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map)) {
		VP_FAIL("MAP_DMA: %s", strerror(errno));
		munmap(p, size);
		return NULL;
	}
	return p;
}

bool vp_guest_ram_unmap(struct vp_dev *d, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };

	unmap.iova = iova;
	unmap.size = size;
	if (ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		VP_FAIL("UNMAP_DMA: %s", strerror(errno));
		return false;
	}
	return true;
}

int vp_query(struct vp_dev *d, unsigned int head, uint32_t type,
	     struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	info->drm_plane_type = VPLANE_QUERY_HEAD(head) | type;
	return ioctl(d->device, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
}

int vp_get_dmabuf(struct vp_dev *d, uint32_t id)
{
	int fd = ioctl(d->device, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return fd < 0 ? -errno : fd;
}

void vp_plane_set(struct vp_dev *d, unsigned int head, unsigned int plane,
		  uint32_t format, uint32_t w, uint32_t h, uint32_t stride,
		  uint32_t domain, uint64_t addr)
{
	uint32_t base = VPLANE_MMIO_PLANE(head, plane);

	vp_mmio_write(d, base + VPLANE_PLANE_FORMAT, format);
	vp_mmio_write(d, base + VPLANE_PLANE_WIDTH, w);
	vp_mmio_write(d, base + VPLANE_PLANE_HEIGHT, h);
	vp_mmio_write(d, base + VPLANE_PLANE_STRIDE, stride);
	vp_mmio_write(d, base + VPLANE_PLANE_DOMAIN, domain);
	vp_mmio_write(d, base + VPLANE_PLANE_ADDR_LO, (uint32_t)addr);
	vp_mmio_write(d, base + VPLANE_PLANE_ADDR_HI, (uint32_t)(addr >> 32));
	vp_mmio_write(d, base + VPLANE_PLANE_POS_X, 0);
	vp_mmio_write(d, base + VPLANE_PLANE_POS_Y, 0);
	vp_mmio_write(d, base + VPLANE_PLANE_CTRL, VPLANE_PLANE_CTRL_ENABLE);
}

void vp_head_enable(struct vp_dev *d, unsigned int head, uint32_t w, uint32_t h)
{
	uint32_t base = VPLANE_MMIO_HEAD(head);

	vp_mmio_write(d, base + VPLANE_HEAD_WIDTH, w);
	vp_mmio_write(d, base + VPLANE_HEAD_HEIGHT, h);
	vp_mmio_write(d, base + VPLANE_HEAD_CTRL, VPLANE_HEAD_CTRL_ENABLE);
}

long long vp_debugfs(const char *uuid, const char *key)
{
	char path[PATH_MAX], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	if (uuid)
		snprintf(path, sizeof(path),
			 "/sys/kernel/debug/vplane/%s/stats", uuid);
	else
		snprintf(path, sizeof(path), "/sys/kernel/debug/vplane/stats");
	f = fopen(path, "re");
	if (!f) {
		VP_FAIL("open %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			val = strtoll(line + klen + 1, NULL, 0);
	fclose(f);
	return val;
}
