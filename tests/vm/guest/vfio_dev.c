// SPDX-License-Identifier: MIT
#include "vfio_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LOG_ERR(...)                                            \
	do {                                                    \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                   \
		fputc('\n', stderr);                            \
	} while (0)

static int group_number(const char *uuid)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		LOG_ERR("%s: %s", link, strerror(errno));
		return -1;
	}
	target[n] = '\0';
	return atoi(basename(target));
}

bool vfio_dev_region(struct vfio_dev *dev, uint32_t index,
		     struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(dev->device, VFIO_DEVICE_GET_REGION_INFO, info)) {
		LOG_ERR("region %u info: %s", index, strerror(errno));
		return false;
	}
	return true;
}

bool vfio_dev_open(struct vfio_dev *dev, const char *uuid)
{
	return vfio_dev_open_iommu(dev, uuid, VFIO_TYPE1_IOMMU);
}

bool vfio_dev_open_iommu(struct vfio_dev *dev, const char *uuid, int iommu)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int group;

	memset(dev, 0, sizeof(*dev));
	dev->container = dev->group = dev->device = -1;
	group = group_number(uuid);
	if (group < 0)
		return false;
	dev->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	dev->group = open(path, O_RDWR | O_CLOEXEC);
	if (dev->container < 0 || dev->group < 0) {
		LOG_ERR("open container or %s: %s", path, strerror(errno));
		goto err_close;
	}
	if (ioctl(dev->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		LOG_ERR("group %d not viable", group);
		goto err_close;
	}
	if (ioctl(dev->group, VFIO_GROUP_SET_CONTAINER, &dev->container) ||
	    ioctl(dev->container, VFIO_SET_IOMMU, iommu)) {
		LOG_ERR("group %d container/type1: %s", group, strerror(errno));
		goto err_close;
	}
	dev->device = ioctl(dev->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (dev->device < 0) {
		LOG_ERR("get device fd %s: %s", uuid, strerror(errno));
		goto err_close;
	}
	if (!vfio_dev_region(dev, VFIO_PCI_BAR0_REGION_INDEX, &dev->bar0) ||
	    !vfio_dev_region(dev, VFIO_PCI_BAR2_REGION_INDEX, &dev->bar2))
		goto err_close;
	if (dev->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		void *map =
			mmap(NULL, dev->bar0.size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, dev->device, (off_t)dev->bar0.offset);

		if (map == MAP_FAILED) {
			LOG_ERR("mmap BAR0: %s", strerror(errno));
			goto err_close;
		}
		dev->vram = map;
	}
	return true;

err_close:
	vfio_dev_close(dev);
	return false;
}

void vfio_dev_close(struct vfio_dev *dev)
{
	if (dev->vram)
		munmap(dev->vram, dev->bar0.size);
	dev->vram = NULL;
	if (dev->device >= 0)
		close(dev->device);
	if (dev->group >= 0)
		close(dev->group);
	if (dev->container >= 0)
		close(dev->container);
	dev->device = dev->group = dev->container = -1;
}

bool vfio_dev_read(struct vfio_dev *dev, const struct vfio_region_info *r,
		   uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(dev->device, buf, len, (off_t)(r->offset + off));

	if (n != (ssize_t)len) {
		LOG_ERR("read region %u +0x%llx: %s", r->index,
			(unsigned long long)off,
			n < 0 ? strerror(errno) : "short");
		return false;
	}
	return true;
}

bool vfio_dev_write(struct vfio_dev *dev, const struct vfio_region_info *r,
		    uint64_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(dev->device, buf, len, (off_t)(r->offset + off));

	if (n != (ssize_t)len) {
		LOG_ERR("write region %u +0x%llx: %s", r->index,
			(unsigned long long)off,
			n < 0 ? strerror(errno) : "short");
		return false;
	}
	return true;
}

bool vfio_dev_dispi_write(struct vfio_dev *dev, unsigned int index,
			  uint16_t value)
{
	return vfio_dev_write(dev, &dev->bar2, 0x500 + 2 * index, &value,
			      sizeof(value));
}

bool vfio_dev_bochs_mode(struct vfio_dev *dev, uint16_t width, uint16_t height)
{
	return vfio_dev_dispi_write(dev, DISPI_ENABLE, 0) &&
	       vfio_dev_dispi_write(dev, DISPI_BPP, 32) &&
	       vfio_dev_dispi_write(dev, DISPI_XRES, width) &&
	       vfio_dev_dispi_write(dev, DISPI_YRES, height) &&
	       vfio_dev_dispi_write(dev, DISPI_BANK, 0) &&
	       vfio_dev_dispi_write(dev, DISPI_VIRT_WIDTH, width) &&
	       vfio_dev_dispi_write(dev, DISPI_VIRT_HEIGHT, height) &&
	       vfio_dev_dispi_write(dev, DISPI_X_OFFSET, 0) &&
	       vfio_dev_dispi_write(dev, DISPI_Y_OFFSET, 0) &&
	       vfio_dev_dispi_write(dev, DISPI_ENABLE,
				    DISPI_ENABLED | DISPI_LFB_ENABLED |
					    DISPI_NOCLEARMEM);
}

double vfio_dev_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}
