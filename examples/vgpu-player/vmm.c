// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"
#include "vplane.h"

#define LOG_ERR(fmt, ...) \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

static bool write_sysfs(const char *path, const char *s)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f) {
		LOG_ERR("%s: %s", path, strerror(errno));
		return false;
	}
	ok = fputs(s, f) >= 0;
	ok = !fclose(f) && ok;
	if (!ok)
		LOG_ERR("write %s to %s: %s", s, path, strerror(errno));
	return ok;
}

bool vmm_mdev_create(const char *parent, const char *type, char *uuid)
{
	char path[PATH_MAX];
	FILE *f = fopen("/proc/sys/kernel/random/uuid", "re");

	if (!f || !fgets(uuid, VMM_UUID_LEN, f)) {
		LOG_ERR("cannot make a uuid: %s", strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	uuid[strcspn(uuid, "\n")] = 0;
	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/%s/mdev_supported_types/%s/create",
		 parent, type);
	return write_sysfs(path, uuid);
}

bool vmm_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	return write_sysfs(path, "1");
}

static bool read_regions(struct vmm_vgpu *v)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t i;

	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &info)) {
		LOG_ERR("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
		return false;
	}
	v->num_regions = info.num_regions;
	memset(v->region, 0, sizeof(v->region));
	for (i = 0; i < info.num_regions && i < VMM_MAX_REGIONS; i++) {
		v->region[i].argsz = sizeof(v->region[i]);
		v->region[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO,
			  &v->region[i])) {
			LOG_ERR("GET_REGION_INFO %u: %s", i, strerror(errno));
			return false;
		}
	}
	return true;
}

static bool open_device(struct vmm_vgpu *v)
{
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->uuid);
	if (v->device < 0) {
		LOG_ERR("VFIO_GROUP_GET_DEVICE_FD %s: %s", v->uuid,
			strerror(errno));
		return false;
	}
	return read_regions(v);
}

/* Resets @v and opens @uuid's group; false after logging. */
static bool open_group(struct vmm_vgpu *v, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = v->msi = -1;
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		LOG_ERR("no mdev %s: %s", uuid, strerror(errno));
		return false;
	}
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		LOG_ERR("%s: %s", path, strerror(errno));
		return false;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		LOG_ERR("group %s not viable", path);
		return false;
	}
	return true;
}

static bool set_container(struct vmm_vgpu *v)
{
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container)) {
		LOG_ERR("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		return false;
	}
	return true;
}

bool vmm_open(struct vmm_vgpu *v, const char *uuid, int iommu)
{
	if (!open_group(v, uuid))
		goto err;
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		LOG_ERR("/dev/vfio/vfio: %s", strerror(errno));
		goto err;
	}
	if (!set_container(v))
		goto err;
	if (ioctl(v->container, VFIO_SET_IOMMU, iommu)) {
		LOG_ERR("VFIO_SET_IOMMU %d: %s", iommu, strerror(errno));
		goto err;
	}
	if (!open_device(v))
		goto err;
	return true;
err:
	vmm_close(v);
	return false;
}

bool vmm_open_shared(struct vmm_vgpu *v, const char *uuid,
		     const struct vmm_vgpu *into)
{
	if (!open_group(v, uuid))
		goto err;
	v->container = into->container;
	v->shares_container = true;
	if (!set_container(v) || !open_device(v))
		goto err;
	return true;
err:
	vmm_close(v);
	return false;
}

void vmm_close_device(struct vmm_vgpu *v)
{
	if (v->vram)
		munmap(v->vram, v->region[VFIO_PCI_BAR0_REGION_INDEX].size);
	v->vram = NULL;
	if (v->msi >= 0)
		close(v->msi);
	v->msi = -1;
	if (v->device >= 0)
		close(v->device);
	v->device = -1;
}

void vmm_close(struct vmm_vgpu *v)
{
	vmm_close_device(v);
	if (v->ram) {
		vmm_dma_unmap(v, v->ram_gpa, v->ram_size);
		munmap(v->ram, v->ram_size);
	}
	v->ram = NULL;
	if (v->group >= 0)
		close(v->group);
	v->group = -1;
	if (v->container >= 0 && !v->shares_container)
		close(v->container);
	v->container = -1;
}

bool vmm_reopen_device(struct vmm_vgpu *v)
{
	vmm_close_device(v);
	return open_device(v);
}

const struct vfio_region_info *vmm_region(struct vmm_vgpu *v, uint32_t index)
{
	if (index >= v->num_regions || index >= VMM_MAX_REGIONS) {
		LOG_ERR("%s has no region %u", v->uuid, index);
		return NULL;
	}
	return &v->region[index];
}

bool vmm_read(struct vmm_vgpu *v, uint32_t index, uint64_t off, void *buf,
	      size_t len)
{
	const struct vfio_region_info *r = vmm_region(v, index);
	ssize_t n;

	if (!r)
		return false;
	n = pread(v->device, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		LOG_ERR("read region %u +0x%llx: %s", index,
			(unsigned long long)off,
			n < 0 ? strerror(errno) : "short");
		return false;
	}
	return true;
}

bool vmm_write(struct vmm_vgpu *v, uint32_t index, uint64_t off,
	       const void *buf, size_t len)
{
	const struct vfio_region_info *r = vmm_region(v, index);
	ssize_t n;

	if (!r)
		return false;
	n = pwrite(v->device, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		LOG_ERR("write region %u +0x%llx: %s", index,
			(unsigned long long)off,
			n < 0 ? strerror(errno) : "short");
		return false;
	}
	return true;
}

bool vmm_map_vram(struct vmm_vgpu *v)
{
	const struct vfio_region_info *r =
		&v->region[VFIO_PCI_BAR0_REGION_INDEX];
	void *p;

	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		LOG_ERR("BAR0 (VRAM) of %s is not mappable", v->uuid);
		return false;
	}
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		 (off_t)r->offset);
	if (p == MAP_FAILED) {
		LOG_ERR("mmap VRAM: %s", strerror(errno));
		return false;
	}
	v->vram = p;
	return true;
}

bool vmm_add_ram(struct vmm_vgpu *v, uint64_t gpa, size_t size)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	int fd = memfd_create("vplane-guest-ram", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		LOG_ERR("memfd of %zu bytes: %s", size, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		LOG_ERR("mmap memfd: %s", strerror(errno));
		return false;
	}
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p;
	map.iova = gpa;
	map.size = size;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		LOG_ERR("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
		munmap(p, size);
		return false;
	}
	v->ram = p;
	v->ram_gpa = gpa;
	v->ram_size = size;
	return true;
}

bool vmm_dma_unmap(struct vmm_vgpu *v, uint64_t gpa, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = gpa,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		LOG_ERR("VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
		return false;
	}
	return true;
}

bool vmm_set_irq(struct vmm_vgpu *v, uint32_t index, int fd)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} irq = {
		.set = {
			.argsz = sizeof(irq),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = index,
			.start = 0,
			.count = 1,
		},
		.fd = fd,
	};

	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &irq)) {
		LOG_ERR("VFIO_DEVICE_SET_IRQS %u: %s", index, strerror(errno));
		return false;
	}
	return true;
}

bool vmm_enable_msi(struct vmm_vgpu *v)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		LOG_ERR("eventfd: %s", strerror(errno));
		return false;
	}
	if (!vmm_set_irq(v, VFIO_PCI_MSI_IRQ_INDEX, fd)) {
		close(fd);
		return false;
	}
	if (v->msi >= 0)
		close(v->msi);
	v->msi = fd;
	return true;
}

int vmm_query_plane(struct vmm_vgpu *v, uint32_t plane_type,
		    struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	info->drm_plane_type = plane_type;
	return ioctl(v->device, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
}

int vmm_get_dmabuf(struct vmm_vgpu *v, uint32_t id)
{
	int fd = ioctl(v->device, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return fd < 0 ? -errno : fd;
}

static const struct vfio_region_info *edid_region(struct vmm_vgpu *v,
						  unsigned int head)
{
	uint32_t index = VPLANE_REGION_EDID(head);

	if (index >= v->num_regions || index >= VMM_MAX_REGIONS ||
	    v->region[index].size < VPLANE_EDID_REGION_SIZE) {
		LOG_ERR("no EDID region for head %u", head);
		return NULL;
	}
	return &v->region[index];
}

bool vmm_edid_info(struct vmm_vgpu *v, unsigned int head,
		   struct vfio_region_gfx_edid *info)
{
	const struct vfio_region_info *r = edid_region(v, head);

	return r && vmm_read(v, r->index, 0, info, sizeof(*info));
}

bool vmm_set_edid(struct vmm_vgpu *v, unsigned int head, const uint8_t *blob,
		  size_t len)
{
	const uint64_t link = offsetof(struct vfio_region_gfx_edid, link_state);
	const uint64_t size = offsetof(struct vfio_region_gfx_edid, edid_size);
	uint32_t index = VPLANE_REGION_EDID(head);
	struct vfio_region_gfx_edid info;
	uint32_t val;

	if (!vmm_edid_info(v, head, &info))
		return false;
	if (len > info.edid_max_size) {
		LOG_ERR("EDID of %zu bytes, head %u takes %u at most", len,
			head, info.edid_max_size);
		return false;
	}
	val = VFIO_DEVICE_GFX_LINK_STATE_DOWN;
	if (!vmm_write(v, index, link, &val, sizeof(val)) ||
	    !vmm_write(v, index, info.edid_offset, blob, len))
		return false;
	val = (uint32_t)len;
	if (!vmm_write(v, index, size, &val, sizeof(val)))
		return false;
	val = VFIO_DEVICE_GFX_LINK_STATE_UP;
	return vmm_write(v, index, link, &val, sizeof(val));
}
