// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

bool vp_mdev_create(const char *parent, const char *type, char *uuid_out)
{
	if (!vmm_mdev_create(parent, type, uuid_out)) {
		VP_FAIL("create %s mdev of type %s", parent, type);
		return false;
	}
	return true;
}

bool vp_mdev_remove(const char *uuid)
{
	if (!vmm_mdev_remove(uuid)) {
		VP_FAIL("remove mdev %s", uuid);
		return false;
	}
	return true;
}

bool vp_dev_open(struct vmm_vgpu *d, const char *uuid)
{
	if (!vmm_open(d, uuid, VFIO_TYPE1v2_IOMMU)) {
		VP_FAIL("open %s", uuid);
		return false;
	}
	return true;
}

void vp_dev_close_device(struct vmm_vgpu *d)
{
	vmm_close_device(d);
}

void vp_dev_close(struct vmm_vgpu *d)
{
	vmm_close(d);
}

ssize_t vp_region_rw(struct vmm_vgpu *d, unsigned int index, uint64_t off,
		     void *buf, size_t len, bool write)
{
	uint64_t pos = d->region[index].offset + off;

	if (write)
		return pwrite(d->device, buf, len, pos);
	return pread(d->device, buf, len, pos);
}

uint32_t vp_mmio_read(struct vmm_vgpu *d, uint32_t off)
{
	uint32_t v;

	if (!guest_read32(d, off, &v))
		VP_FAIL("mmio read 0x%x", off);
	return v;
}

void vp_mmio_write(struct vmm_vgpu *d, uint32_t off, uint32_t val)
{
	if (!guest_write32(d, off, val))
		VP_FAIL("mmio write 0x%x", off);
}

uint16_t vp_dispi_read(struct vmm_vgpu *d, unsigned int index)
{
	uint16_t v;

	if (!guest_dispi_read(d, index, &v))
		VP_FAIL("dispi read %u", index);
	return v;
}

void vp_dispi_write(struct vmm_vgpu *d, unsigned int index, uint16_t val)
{
	if (!guest_dispi_write(d, index, val))
		VP_FAIL("dispi write %u", index);
}

void *vp_map_vram(struct vmm_vgpu *d)
{
	void *p;

	if (!vmm_map_vram(d)) {
		VP_FAIL("map VRAM");
		return NULL;
	}
	p = d->vram;
	d->vram = NULL; /* the caller's now */
	return p;
}

void *vp_guest_ram(struct vmm_vgpu *d, uint64_t iova, size_t size)
{
	void *p;

	if (!vmm_add_ram(d, iova, size)) {
		VP_FAIL("guest RAM at 0x%llx", (unsigned long long)iova);
		return NULL;
	}
	p = d->ram;
	d->ram = NULL; /* the caller's now */
	return p;
}

bool vp_guest_ram_unmap(struct vmm_vgpu *d, uint64_t iova, size_t size)
{
	if (!vmm_dma_unmap(d, iova, size)) {
		VP_FAIL("UNMAP_DMA 0x%llx", (unsigned long long)iova);
		return false;
	}
	return true;
}

int vp_query(struct vmm_vgpu *d, unsigned int head, uint32_t type,
	     struct vfio_device_gfx_plane_info *info)
{
	return vmm_query_plane(d, VPLANE_QUERY_HEAD(head) | type, info);
}

int vp_get_dmabuf(struct vmm_vgpu *d, uint32_t id)
{
	return vmm_get_dmabuf(d, id);
}

void vp_plane_set(struct vmm_vgpu *d, unsigned int head, unsigned int plane,
		  uint32_t format, uint32_t w, uint32_t h, uint32_t stride,
		  uint32_t domain, uint64_t addr)
{
	const struct guest_plane p = {
		.format = format,
		.width = w,
		.height = h,
		.stride = stride,
		.domain = domain,
		.addr = addr,
	};

	if (!guest_plane_set(d, head, plane, &p))
		VP_FAIL("plane %u of head %u", plane, head);
}

void vp_head_enable(struct vmm_vgpu *d, unsigned int head, uint32_t w,
		    uint32_t h)
{
	if (!guest_head_on(d, head, w, h, 0))
		VP_FAIL("head %u on at %ux%u", head, w, h);
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
