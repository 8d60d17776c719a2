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

#include "vfio.h"
#include "vplane.h"

#define LOG_ERR(fmt, ...) \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

bool sim_vfio_open(struct sim_vfio *v, const char *uuid, bool bochs_only)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	uint32_t i;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = v->irq_fd = -1;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		LOG_ERR("no mdev %s: %s", uuid, strerror(errno));
		return false;
	}
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		LOG_ERR("/dev/vfio/vfio: %s", strerror(errno));
		goto err;
	}
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		LOG_ERR("%s: %s", path, strerror(errno));
		goto err;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		LOG_ERR("group %s not viable", path);
		goto err;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container)) {
		LOG_ERR("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		goto err;
	}
	/* vfio_pin_pages() needs the v2 type1 semantics */
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		LOG_ERR("VFIO_SET_IOMMU type1v2: %s", strerror(errno));
		goto err;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0) {
		LOG_ERR("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
		goto err;
	}
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &info)) {
		LOG_ERR("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
		goto err;
	}
	v->num_regions = info.num_regions < SIM_MAX_REGIONS ? info.num_regions
							    : SIM_MAX_REGIONS;
	for (i = 0; i < v->num_regions; i++) {
		v->region[i].argsz = sizeof(v->region[i]);
		v->region[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO,
			  &v->region[i])) {
			LOG_ERR("GET_REGION_INFO %u: %s", i, strerror(errno));
			goto err;
		}
	}
	if (bochs_only) {
		/* any bochs-compatible vGPU: DISPI at the usual offset */
		if (v->region[VFIO_PCI_BAR2_REGION_INDEX].size <
		    VPLANE_MMIO_DISPI + 2 * (VPLANE_DISPI_VIRT_HEIGHT + 1)) {
			LOG_ERR("%s has no bochs DISPI registers", uuid);
			goto err;
		}
	} else if (v->region[VFIO_PCI_BAR2_REGION_INDEX].size <
			   VPLANE_MMIO_SIZE ||
		   sim_mmio_read(v, VPLANE_REG_MAGIC) != VPLANE_MAGIC) {
		LOG_ERR("%s is not a vplane device", uuid);
		goto err;
	}
	return true;
err:
	sim_vfio_close(v);
	return false;
}

void sim_vfio_close(struct sim_vfio *v)
{
	if (v->vram)
		munmap(v->vram, v->region[VFIO_PCI_BAR0_REGION_INDEX].size);
	v->vram = NULL;
	if (v->irq_fd >= 0)
		close(v->irq_fd);
	v->irq_fd = -1;
	if (v->device >= 0)
		close(v->device);
	v->device = -1;
	if (v->ram) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = v->ram_gpa,
			.size = v->ram_size,
		};

		ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
		munmap(v->ram, v->ram_size);
	}
	v->ram = NULL;
	if (v->group >= 0)
		close(v->group);
	v->group = -1;
	if (v->container >= 0)
		close(v->container);
	v->container = -1;
}

bool sim_vfio_map_vram(struct sim_vfio *v)
{
	struct vfio_region_info *r = &v->region[VFIO_PCI_BAR0_REGION_INDEX];
	void *p;

	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		 (off_t)r->offset);
	if (p == MAP_FAILED) {
		LOG_ERR("mmap VRAM: %s", strerror(errno));
		return false;
	}
	v->vram = p;
	return true;
}

bool sim_vfio_add_ram(struct sim_vfio *v, uint64_t gpa, size_t size)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	int fd = memfd_create("vplane-sim-ram", MFD_CLOEXEC);
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

bool sim_vfio_enable_msi(struct sim_vfio *v)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		LOG_ERR("eventfd: %s", strerror(errno));
		return false;
	}
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd, sizeof(fd));
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, set)) {
		LOG_ERR("VFIO_DEVICE_SET_IRQS: %s", strerror(errno));
		close(fd);
		return false;
	}
	v->irq_fd = fd;
	return true;
}

uint32_t sim_mmio_read(struct sim_vfio *v, uint32_t off)
{
	uint32_t val = 0;
	off_t pos = (off_t)v->region[VFIO_PCI_BAR2_REGION_INDEX].offset + off;

	if (pread(v->device, &val, sizeof(val), pos) != sizeof(val))
		LOG_ERR("MMIO read 0x%x: %s", off, strerror(errno));
	return val;
}

void sim_mmio_write(struct sim_vfio *v, uint32_t off, uint32_t val)
{
	off_t pos = (off_t)v->region[VFIO_PCI_BAR2_REGION_INDEX].offset + off;

	if (pwrite(v->device, &val, sizeof(val), pos) != sizeof(val))
		LOG_ERR("MMIO write 0x%x: %s", off, strerror(errno));
}

void sim_dispi_write(struct sim_vfio *v, unsigned int index, uint16_t val)
{
	off_t pos = (off_t)v->region[VFIO_PCI_BAR2_REGION_INDEX].offset +
		    VPLANE_MMIO_DISPI + 2 * index;

	if (pwrite(v->device, &val, sizeof(val), pos) != sizeof(val))
		LOG_ERR("DISPI write %u: %s", index, strerror(errno));
}

static struct vfio_region_info *edid_region(struct sim_vfio *v,
					    unsigned int head)
{
	uint32_t index = VPLANE_REGION_EDID(head);

	if (index >= v->num_regions ||
	    v->region[index].size < VPLANE_EDID_REGION_SIZE) {
		LOG_ERR("no EDID region for head %u", head);
		return NULL;
	}
	return &v->region[index];
}

static bool edid_region_write(struct sim_vfio *v, struct vfio_region_info *r,
			      uint64_t off, const void *buf, size_t len)
{
	if (pwrite(v->device, buf, len, (off_t)(r->offset + off)) !=
	    (ssize_t)len) {
		LOG_ERR("EDID region write of %zu bytes at 0x%llx: %s", len,
			(unsigned long long)off, strerror(errno));
		return false;
	}
	return true;
}

bool sim_vfio_edid_info(struct sim_vfio *v, unsigned int head,
			struct vfio_region_gfx_edid *info)
{
	struct vfio_region_info *r = edid_region(v, head);

	if (!r)
		return false;
	if (pread(v->device, info, sizeof(*info), (off_t)r->offset) !=
	    sizeof(*info)) {
		LOG_ERR("EDID region read: %s", strerror(errno));
		return false;
	}
	return true;
}

bool sim_vfio_set_edid(struct sim_vfio *v, unsigned int head,
		       const uint8_t *blob, size_t len)
{
	struct vfio_region_info *r = edid_region(v, head);
	struct vfio_region_gfx_edid info;
	uint32_t val;

	if (!r || !sim_vfio_edid_info(v, head, &info))
		return false;
	if (len > info.edid_max_size) {
		LOG_ERR("EDID of %zu bytes, head %u takes %u at most", len,
			head, info.edid_max_size);
		return false;
	}
	val = VFIO_DEVICE_GFX_LINK_STATE_DOWN;
	if (!edid_region_write(
		    v, r, offsetof(struct vfio_region_gfx_edid, link_state),
		    &val, sizeof(val)) ||
	    !edid_region_write(v, r, info.edid_offset, blob, len))
		return false;
	val = (uint32_t)len;
	if (!edid_region_write(v, r,
			       offsetof(struct vfio_region_gfx_edid, edid_size),
			       &val, sizeof(val)))
		return false;
	val = VFIO_DEVICE_GFX_LINK_STATE_UP;
	return edid_region_write(
		v, r, offsetof(struct vfio_region_gfx_edid, link_state), &val,
		sizeof(val));
}
