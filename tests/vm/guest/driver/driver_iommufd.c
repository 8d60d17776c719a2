// SPDX-License-Identifier: MIT
/*
 * driver-iommufd: a vGPU played through iommufd instead of a VFIO
 * container, as a VMM on a newer kernel does (QEMU's iommufd backend).
 *
 * The VMM opens /dev/iommu, allocates an IOAS, opens the vGPU's device
 * cdev (/dev/vfio/devices/vfioN, from /sys/bus/mdev/devices/UUID/vfio-dev),
 * binds it to the iommufd (vplane's bind_iommufd: the emulated access),
 * attaches it to the IOAS (attach_ioas) and maps "guest RAM" there. Then:
 *
 *   - a guest flip of a plane in that RAM pins it (pinned_pages), the
 *     VMM's query exports it and the dma-buf reads the guest's pixels;
 *   - IOAS_UNMAP of the range calls vplane's dma_unmap through iommufd
 *     (unmap_calls), every pin is dropped and the plane reports UNMAPPED;
 *     a flip then fails to pin (PIN_FAILED: iommufd refuses it, vplane
 *     holds no range as it does under type1);
 *   - the device is detached (detach_ioas), attached to a second IOAS with
 *     other pixels at the same GPA, and the next flip pins and reads those;
 *   - a detach with the plane pinned unpins it (iommufd's dma_unmap over
 *     the whole IOAS), and it pins again once attached;
 *   - closing the device fd (unbind_iommufd) while pinned drops the pins,
 *     and the vGPU then pins at once through a type1 container;
 *   - removing the vGPU leaves none of vplane's objects.
 *
 * Needs a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV (the
 * debian13 debug kernel; Debian's own kernels have them off): elsewhere it
 * fails, and the group that runs it (iommufd) runs only on that kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "iommufd_uapi.h"
#include "vp_dev.h"

#define GPA_BASE 0x40000000ull
#define RAM_SIZE (4u << 20)
#define W	 256
#define H	 128
#define STRIDE	 (W * 4)
#define LEN	 (STRIDE * H)

#define PLANE0(reg) (VPLANE_MMIO_PLANE(0, 0) + (reg))

struct iommufd_vmm {
	struct vmm_vgpu dev; /* device = the cdev fd; no group, container */
	int iommufd;
	uint32_t ioas[2];
	uint8_t *ram[2]; /* one memfd mapping per IOAS, RAM_SIZE each */
};

static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 9));
}

/* /dev/vfio/devices/vfioN of mdev @uuid into @path; false if none. */
static bool find_cdev(const char *uuid, char *path, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	d = opendir(dir);
	if (!d) {
		VP_FAIL("%s: %s (no VFIO device cdev: "
			"CONFIG_VFIO_DEVICE_CDEV?)",
			dir, strerror(errno));
		return false;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
			found = true;
			break;
		}
	closedir(d);
	VP_CHECK(found, "no vfioN in %s", dir);
	return found;
}

static bool read_regions(struct vmm_vgpu *v)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t i;

	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &info)) {
		VP_FAIL("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
		return false;
	}
	v->num_regions = info.num_regions;
	for (i = 0; i < info.num_regions && i < VMM_MAX_REGIONS; i++) {
		v->region[i].argsz = sizeof(v->region[i]);
		v->region[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO,
			  &v->region[i])) {
			VP_FAIL("GET_REGION_INFO %u: %s", i, strerror(errno));
			return false;
		}
	}
	return true;
}

static bool ioas_alloc(struct iommufd_vmm *m, uint32_t *id)
{
	struct vp_iommu_ioas_alloc a = { .size = sizeof(a) };

	if (ioctl(m->iommufd, VP_IOMMU_IOAS_ALLOC, &a)) {
		VP_FAIL("IOMMU_IOAS_ALLOC: %s", strerror(errno));
		return false;
	}
	*id = a.out_ioas_id;
	return true;
}

static bool attach(struct iommufd_vmm *m, uint32_t ioas)
{
	struct vp_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };

	at.pt_id = ioas;
	if (ioctl(m->dev.device, VP_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) {
		VP_FAIL("ATTACH_IOMMUFD_PT %u: %s", ioas, strerror(errno));
		return false;
	}
	return true;
}

static bool detach(struct iommufd_vmm *m)
{
	struct vp_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	if (ioctl(m->dev.device, VP_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt)) {
		VP_FAIL("DETACH_IOMMUFD_PT: %s", strerror(errno));
		return false;
	}
	return true;
}

/* A memfd of RAM_SIZE filled with pattern @seed, mapped at GPA_BASE in
 * IOAS @n (read/write, as guest RAM is), into m->ram[n]. */
static bool add_ram(struct iommufd_vmm *m, unsigned int n, uint32_t seed)
{
	struct vp_iommu_ioas_map map = { .size = sizeof(map) };
	int fd = memfd_create("vp-iommufd-ram", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, RAM_SIZE)) {
		VP_FAIL("memfd: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	m->ram[n] =
		mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->ram[n] == MAP_FAILED) {
		m->ram[n] = NULL;
		VP_FAIL("mmap memfd: %s", strerror(errno));
		return false;
	}
	pattern(m->ram[n], LEN, seed);
	map.flags = VP_IOMMU_IOAS_MAP_FIXED_IOVA | VP_IOMMU_IOAS_MAP_READABLE |
		    VP_IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = m->ioas[n];
	map.user_va = (uintptr_t)m->ram[n];
	map.length = RAM_SIZE;
	map.iova = GPA_BASE;
	if (ioctl(m->iommufd, VP_IOMMU_IOAS_MAP, &map)) {
		VP_FAIL("IOMMU_IOAS_MAP at 0x%llx: %s", GPA_BASE,
			strerror(errno));
		return false;
	}
	return true;
}

static bool unmap_ram(struct iommufd_vmm *m, unsigned int n)
{
	struct vp_iommu_ioas_unmap un = { .size = sizeof(un) };

	un.ioas_id = m->ioas[n];
	un.iova = GPA_BASE;
	un.length = RAM_SIZE;
	if (ioctl(m->iommufd, VP_IOMMU_IOAS_UNMAP, &un)) {
		VP_FAIL("IOMMU_IOAS_UNMAP: %s", strerror(errno));
		return false;
	}
	VP_CHECK(un.length == RAM_SIZE, "IOAS_UNMAP unmapped %llu bytes",
		 (unsigned long long)un.length);
	return true;
}

/*
 * The guest flips head 0's primary to guest RAM at GPA_BASE; the VMM
 * queries it, exports it and reads it. True if it showed @want.
 */
static bool flip_and_read(struct vmm_vgpu *dev, const uint8_t *want,
			  const char *what)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t st;
	uint8_t *p;
	bool same;
	int fd;

	vp_plane_set(dev, 0, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
		     VPLANE_DOMAIN_GUEST_RAM, GPA_BASE);
	vp_mmio_write(dev, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP, 1);
	st = vp_mmio_read(dev, PLANE0(VPLANE_PLANE_STATUS));
	if (st != VPLANE_PLANE_STATUS_OK) {
		VP_FAIL("%s: plane in guest RAM: status %u (10 = PIN_FAILED)",
			what, st);
		return false;
	}
	if (vp_query(dev, 0, 1, &info) || !info.dmabuf_id) {
		VP_FAIL("%s: QUERY_GFX_PLANE gave no dma-buf", what);
		return false;
	}
	fd = vp_get_dmabuf(dev, info.dmabuf_id);
	if (fd < 0) {
		VP_FAIL("%s: GET_GFX_DMABUF: %s", what, strerror(-fd));
		return false;
	}
	p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		VP_FAIL("%s: mmap dma-buf: %s", what, strerror(errno));
		return false;
	}
	same = !memcmp(p, want, LEN);
	munmap(p, LEN);
	VP_CHECK(same, "%s: the dma-buf does not show the guest's pixels",
		 what);
	return same;
}

static long long pins(const char *uuid)
{
	return vp_debugfs(uuid, "pinned_pages");
}

static uint32_t plane_status(struct iommufd_vmm *m)
{
	return vp_mmio_read(&m->dev, PLANE0(VPLANE_PLANE_STATUS));
}

/* A flip that must not pin: nothing is mapped at GPA_BASE for the device
 * (unmapped, or no IOAS attached). iommufd refuses the pin itself, so the
 * plane reports PIN_FAILED, not a type1-style hold (UNMAPPED). */
static void flip_unmapped(struct iommufd_vmm *m, const char *uuid,
			  const char *what)
{
	uint32_t st;

	vp_mmio_write(&m->dev, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP, 1);
	st = plane_status(m);
	VP_CHECK(st == VPLANE_PLANE_STATUS_PIN_FAILED,
		 "%s: flip gave plane status %u, not PIN_FAILED (10)", what,
		 st);
	VP_CHECK(pins(uuid) == 0, "%s: %lld pages pinned", what, pins(uuid));
}

/* The device dropped its pin over GPA_BASE through dma_unmap. */
static void check_unpinned(struct iommufd_vmm *m, const char *uuid,
			   long long calls_before, const char *what)
{
	long long calls = vp_debugfs(uuid, "unmap_calls");

	VP_CHECK(calls > calls_before, "%s did not reach vplane's dma_unmap",
		 what);
	VP_CHECK(pins(uuid) == 0, "%lld pages pinned after %s", pins(uuid),
		 what);
	VP_CHECK(plane_status(m) == VPLANE_PLANE_STATUS_UNMAPPED,
		 "after %s the plane reports status %u, not UNMAPPED (11)",
		 what, plane_status(m));
	printf("# %s unpinned (%lld unmap calls)\n", what,
	       calls - calls_before);
}

/*
 * Right after the cdev's close, the same vGPU through its VFIO group and a
 * type1 container: a guest-RAM plane pins at once (iommufd's unbind,
 * whose access calls dma_unmap over everything, left no type1 hold).
 */
static void legacy_after(const char *uuid, uint8_t *want)
{
	struct vmm_vgpu d = VMM_VGPU_INIT;
	uint8_t *ram;

	if (!vp_dev_open(&d, uuid))
		return;
	ram = vp_guest_ram(&d, GPA_BASE, RAM_SIZE);
	if (!ram) {
		VP_FAIL("type1 guest RAM at 0x%llx", GPA_BASE);
		vp_dev_close(&d);
		return;
	}
	pattern(ram, LEN, 5);
	pattern(want, LEN, 5);
	vp_head_enable(&d, 0, W, H);
	if (flip_and_read(&d, want, "type1 after iommufd"))
		VP_CHECK(pins(uuid) == LEN / 4096,
			 "type1 after iommufd: %lld pages pinned", pins(uuid));
	vp_dev_close(&d);
	munmap(ram, RAM_SIZE);
	VP_CHECK(pins(uuid) == 0,
		 "%lld pages pinned after the container's "
		 "close",
		 pins(uuid));
	printf("# then through a type1 container: pinned and read at once\n");
}

static void run(struct iommufd_vmm *m, const char *uuid)
{
	struct vp_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint8_t *want = malloc(LEN);
	long long calls, holds;
	char cdev[PATH_MAX];

	if (!want || !find_cdev(uuid, cdev, sizeof(cdev)))
		goto out;
	m->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (m->iommufd < 0) {
		VP_FAIL("/dev/iommu: %s (CONFIG_IOMMUFD?)", strerror(errno));
		goto out;
	}
	if (!ioas_alloc(m, &m->ioas[0]) || !ioas_alloc(m, &m->ioas[1]))
		goto out;
	m->dev.device = open(cdev, O_RDWR | O_CLOEXEC);
	if (m->dev.device < 0) {
		VP_FAIL("%s: %s", cdev, strerror(errno));
		goto out;
	}
	/* a cdev answers nothing but BIND before it is bound */
	VP_CHECK(ioctl(m->dev.device, VFIO_DEVICE_GET_INFO, &info) < 0,
		 "an unbound cdev answered VFIO_DEVICE_GET_INFO");
	bind.iommufd = m->iommufd;
	if (ioctl(m->dev.device, VP_VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		VP_FAIL("BIND_IOMMUFD: %s", strerror(errno));
		goto out;
	}
	if (!attach(m, m->ioas[0]) || !read_regions(&m->dev) ||
	    !add_ram(m, 0, 3))
		goto out;
	printf("# bound %s (devid %u) to iommufd, attached to IOAS %u\n", cdev,
	       bind.out_devid, m->ioas[0]);

	vp_head_enable(&m->dev, 0, W, H);
	pattern(want, LEN, 3);
	if (!flip_and_read(&m->dev, want, "IOAS 1"))
		goto out;
	VP_CHECK(pins(uuid) == LEN / 4096, "IOAS 1: %lld pages pinned, not %d",
		 pins(uuid), LEN / 4096);
	holds = vp_debugfs(uuid, "unmap_holds");

	/* IOAS_UNMAP under the pinned plane: iommufd calls dma_unmap */
	calls = vp_debugfs(uuid, "unmap_calls");
	if (!unmap_ram(m, 0))
		goto out;
	check_unpinned(m, uuid, calls, "IOAS_UNMAP");
	flip_unmapped(m, uuid, "IOAS 1 unmapped");

	/* detach_ioas, then the same GPA in another IOAS holds other pixels,
	 * shown at the first flip: no hold after an iommufd unmap */
	if (!detach(m))
		goto out;
	flip_unmapped(m, uuid, "detached");
	if (!attach(m, m->ioas[1]) || !add_ram(m, 1, 77))
		goto out;
	pattern(want, LEN, 77);
	if (!flip_and_read(&m->dev, want, "IOAS 2 after detach"))
		goto out;
	VP_CHECK(pins(uuid) == LEN / 4096, "IOAS 2: %lld pages pinned",
		 pins(uuid));

	/* detach with the plane pinned: dma_unmap over the whole IOAS */
	calls = vp_debugfs(uuid, "unmap_calls");
	if (!detach(m))
		goto out;
	check_unpinned(m, uuid, calls, "DETACH_IOMMUFD_PT");
	if (!attach(m, m->ioas[1]) ||
	    !flip_and_read(&m->dev, want, "IOAS 2 attached again"))
		goto out;
	VP_CHECK(vp_debugfs(uuid, "unmap_holds") == holds,
		 "%lld pins refused by a type1 unmap hold under iommufd",
		 vp_debugfs(uuid, "unmap_holds") - holds);

	/* unbind_iommufd with the plane pinned: close drops every pin */
	close(m->dev.device);
	m->dev.device = -1;
	VP_CHECK(pins(uuid) == 0, "%lld pages pinned after the device's close",
		 pins(uuid));
	printf("# IOAS %u: pinned and read after detach and again after a "
	       "detach with the plane pinned; close unbound and unpinned\n",
	       m->ioas[1]);
	legacy_after(uuid, want);
out:
	free(want);
}

int main(void)
{
	struct iommufd_vmm m = { .dev = VMM_VGPU_INIT, .iommufd = -1 };
	char uuid[VMM_UUID_LEN];
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vp_mdev_create("vplane", "vplane-1head", uuid))
		return 1;
	run(&m, uuid);
	if (m.dev.device >= 0)
		close(m.dev.device);
	if (m.iommufd >= 0)
		close(m.iommufd);
	for (i = 0; i < 2; i++)
		if (m.ram[i])
			munmap(m.ram[i], RAM_SIZE);
	if (!vp_mdev_remove(uuid))
		VP_FAIL("remove %s", uuid);
	VP_CHECK(vp_debugfs(NULL, "pinned_pages") == 0,
		 "global pinned_pages %lld", vp_debugfs(NULL, "pinned_pages"));
	VP_CHECK(vp_debugfs(NULL, "vgpus") == 0, "vGPUs left");
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-iommufd ok\n");
	return 0;
}
