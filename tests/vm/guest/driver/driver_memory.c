// SPDX-License-Identifier: MIT
/*
 * driver-memory: what vplane.ko does with the memory behind a plane.
 *
 *   readonly    every dma-buf (VFIO device and display node, observer and
 *               ack-role fds, VRAM and guest RAM) is read-only: O_RDONLY,
 *               no writable or upgradable mapping, no write SYNC, no
 *               writable re-open.
 *   ropin       a plane in guest RAM the VMM mapped read-only is shown.
 *   reserved    a plane over memory that is not RAM (a PFNMAP of /dev/mem
 *               the VMM mapped into the container) is refused: PIN_FAILED,
 *               no id, no pin, no dma-buf.
 *   ids         after the 32-bit dmabuf_id counter wraps, no id a live
 *               dma-buf holds is given to another framebuffer.
 *   budget      VRAM held by dma-bufs of removed vGPUs still counts against
 *               mem_budget_mb until the last dma-buf is closed.
 *   unmap-race  threads flip and query guest-RAM planes while another
 *               loops VFIO_IOMMU_UNMAP_DMA/MAP_DMA over them; a test
 *               device in the same container (tests/vm/kmod) holds type1
 *               between vplane's unmap callback and its second look, and
 *               in that window every kind of pin is asked for: the range
 *               is never pinned again while type1 is unmapping it (type1
 *               BUG_ONs after ten retries), another vGPU's range is.
 *
 * No argument runs them all (unmap-race last); one argument runs one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "monotonic.h"
#include "vp_dev.h"
#include "vp_unmap_gate.h"
#include "vplane_display.h"

#define GPA_BASE 0x40000000ull
#define RAM_SIZE (4u << 20)
#define W	 256
#define H	 128
#define STRIDE	 (W * 4)
#define LEN	 (STRIDE * H)

#define HEAD0		VPLANE_MMIO_HEAD(0)
#define PLANE0(reg)	(VPLANE_MMIO_PLANE(0, 0) + (reg))
#define FLIP_PRIMARY(d) vp_mmio_write(d, HEAD0 + VPLANE_HEAD_FLIP, 1)

static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed + (i >> 10));
}

static uint32_t plane_status(struct vmm_vgpu *d)
{
	return vp_mmio_read(d, PLANE0(VPLANE_PLANE_STATUS));
}

static uint32_t plane_id(struct vmm_vgpu *d)
{
	return vp_mmio_read(d, PLANE0(VPLANE_PLANE_ACTIVE_ID));
}

/* Flip head 0's primary to @w x @h at @addr in @domain; STATUS after. */
static uint32_t flip_to(struct vmm_vgpu *d, uint32_t domain, uint64_t addr,
			uint32_t w, uint32_t h, uint32_t stride)
{
	vp_plane_set(d, 0, 0, DRM_FORMAT_XRGB8888, w, h, stride, domain, addr);
	FLIP_PRIMARY(d);
	return plane_status(d);
}

static bool open_vgpu(struct vmm_vgpu *d, char *uuid, const char *type)
{
	if (!vp_mdev_create("vplane", type, uuid))
		return false;
	if (!vp_dev_open(d, uuid)) {
		vp_mdev_remove(uuid);
		return false;
	}
	return true;
}

static void close_vgpu(struct vmm_vgpu *d, const char *uuid)
{
	vp_dev_close(d);
	vp_mdev_remove(uuid);
}

static bool map_dma(struct vmm_vgpu *d, void *vaddr, uint64_t iova, size_t size,
		    uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };

	map.flags = flags;
	map.vaddr = (uintptr_t)vaddr;
	map.iova = iova;
	map.size = size;
	return !ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map);
}

static bool unmap_dma(struct vmm_vgpu *d, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };

	unmap.iova = iova;
	unmap.size = size;
	return !ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

/* ---- readonly ----------------------------------------------------------- */

static int sync_ioctl(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

/*
 * Everything a holder of dma-buf @fd could write guest memory through is
 * refused, while reading still works and shows @want.
 */
static void check_readonly(int fd, const uint8_t *want, size_t len,
			   const char *what)
{
	char path[64];
	uint8_t *p;
	int fl, re;

	fl = fcntl(fd, F_GETFL);
	VP_CHECK(fl >= 0 && (fl & O_ACCMODE) == O_RDONLY,
		 "%s: dma-buf opened with mode 0x%x, not O_RDONLY", what,
		 fl & O_ACCMODE);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	VP_CHECK(p == MAP_FAILED, "%s: writable shared mmap allowed", what);
	if (p != MAP_FAILED) {
		p[0] ^= 0xff; /* the write the test proves possible */
		munmap(p, len);
	}

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	VP_CHECK(p != MAP_FAILED, "%s: read-only mmap: %s", what,
		 strerror(errno));
	if (p != MAP_FAILED) {
		VP_CHECK(!want || !memcmp(p, want, len),
			 "%s: mapped pixels differ", what);
		VP_CHECK(mprotect(p, len, PROT_READ | PROT_WRITE) != 0,
			 "%s: mprotect to PROT_WRITE allowed", what);
		munmap(p, len);
	}

	VP_CHECK(sync_ioctl(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0,
		 "%s: read SYNC start refused", what);
	VP_CHECK(sync_ioctl(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0,
		 "%s: read SYNC end refused", what);
	VP_CHECK(sync_ioctl(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) != 0,
		 "%s: write SYNC start allowed", what);
	VP_CHECK(sync_ioctl(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) != 0,
		 "%s: read-write SYNC start allowed", what);
	VP_CHECK(sync_ioctl(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) != 0,
		 "%s: write SYNC end allowed", what);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	re = open(path, O_RDWR | O_CLOEXEC);
	VP_CHECK(re < 0, "%s: re-opened read-write through %s", what, path);
	if (re >= 0)
		close(re);
}

static int node_dmabuf(int node, uint32_t id)
{
	struct vplane_display_dmabuf db = { .argsz = sizeof(db) };
	int fd;

	db.dmabuf_id = id;
	fd = ioctl(node, VPLANE_DISPLAY_GET_DMABUF, &db);
	return fd < 0 ? -errno : fd;
}

static void readonly_domain(struct vmm_vgpu *d, const char *uuid,
			    uint32_t domain, uint64_t addr, const uint8_t *want)
{
	const char *dom = domain == VPLANE_DOMAIN_VRAM ? "vram" : "guest-ram";
	struct vfio_device_gfx_plane_info info;
	const char *what[] = { "vfio", "observer", "ack-role" };
	char path[128], label[64];
	int node[3] = { -1, -1, -1 }, fd, i;

	VP_CHECK(flip_to(d, domain, addr, W, H, STRIDE) ==
			 VPLANE_PLANE_STATUS_OK,
		 "%s plane status %u", dom, plane_status(d));
	if (vp_query(d, 0, 1, &info) || !info.dmabuf_id) {
		VP_FAIL("%s: no plane to export", dom);
		return;
	}
	snprintf(path, sizeof(path), "/dev/vplane/%s", uuid);
	node[1] = open(path, O_RDONLY | O_CLOEXEC);
	node[2] = open(path, O_RDWR | O_CLOEXEC);
	VP_CHECK(node[1] >= 0 && node[2] >= 0, "open %s: %s", path,
		 strerror(errno));
	if (node[2] >= 0)
		VP_CHECK(!ioctl(node[2], VPLANE_DISPLAY_TAKE_ACK_ROLE),
			 "TAKE_ACK_ROLE: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		snprintf(label, sizeof(label), "%s %s", dom, what[i]);
		if (i == 0)
			fd = vp_get_dmabuf(d, info.dmabuf_id);
		else
			fd = node[i] < 0 ? -EBADF
					 : node_dmabuf(node[i], info.dmabuf_id);
		if (fd < 0) {
			VP_FAIL("%s: GET_DMABUF: %s", label, strerror(-fd));
			continue;
		}
		check_readonly(fd, want, LEN, label);
		close(fd);
	}
	for (i = 1; i < 3; i++)
		if (node[i] >= 0)
			close(node[i]);
}

static void test_readonly(void)
{
	uint8_t *ram, *vram, *want = malloc(LEN);
	struct vmm_vgpu d;
	char uuid[40];

	if (!want || !open_vgpu(&d, uuid, "vplane-1head"))
		goto out;
	vp_head_enable(&d, 0, W, H);
	pattern(want, LEN, 5);

	vram = vp_map_vram(&d);
	if (vram) {
		memcpy(vram + (1 << 20), want, LEN);
		readonly_domain(&d, uuid, VPLANE_DOMAIN_VRAM, 1 << 20, want);
		munmap(vram, d.region[VFIO_PCI_BAR0_REGION_INDEX].size);
	}
	ram = vp_guest_ram(&d, GPA_BASE, RAM_SIZE);
	if (ram) {
		memcpy(ram, want, LEN);
		readonly_domain(&d, uuid, VPLANE_DOMAIN_GUEST_RAM, GPA_BASE,
				want);
		/* the guest's memory is unchanged by everything tried */
		VP_CHECK(!memcmp(ram, want, LEN), "guest memory was written");
		munmap(ram, RAM_SIZE);
	}
	close_vgpu(&d, uuid);
	printf("# readonly: dma-bufs of VRAM and guest RAM, from the VFIO fd, "
	       "an observer and the ack role: no write path\n");
out:
	free(want);
}

/* ---- ropin -------------------------------------------------------------- */

static void test_ropin(void)
{
	uint8_t *rw, *ro, *p, *want = malloc(LEN);
	struct vfio_device_gfx_plane_info info;
	struct vmm_vgpu d;
	char uuid[40];
	uint32_t st;
	int mfd, fd;

	if (!want || !open_vgpu(&d, uuid, "vplane-1head"))
		goto out;
	mfd = memfd_create("vp-ro-ram", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, RAM_SIZE)) {
		VP_FAIL("memfd: %s", strerror(errno));
		goto out_close;
	}
	rw = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ro = mmap(NULL, RAM_SIZE, PROT_READ, MAP_SHARED, mfd, 0);
	close(mfd);
	if (rw == MAP_FAILED || ro == MAP_FAILED) {
		VP_FAIL("mmap memfd: %s", strerror(errno));
		goto out_close;
	}
	pattern(want, LEN, 9);
	memcpy(rw, want, LEN);
	/* the VMM maps this guest memory read-only (a ROM, a RO memslot) */
	if (!map_dma(&d, ro, GPA_BASE, RAM_SIZE, VFIO_DMA_MAP_FLAG_READ)) {
		VP_FAIL("MAP_DMA read-only: %s", strerror(errno));
		goto out_close;
	}
	vp_head_enable(&d, 0, W, H);
	st = flip_to(&d, VPLANE_DOMAIN_GUEST_RAM, GPA_BASE, W, H, STRIDE);
	VP_CHECK(st == VPLANE_PLANE_STATUS_OK,
		 "plane in read-only guest RAM: status %u (10 = PIN_FAILED)",
		 st);
	if (st == VPLANE_PLANE_STATUS_OK && !vp_query(&d, 0, 1, &info) &&
	    info.dmabuf_id) {
		fd = vp_get_dmabuf(&d, info.dmabuf_id);
		VP_CHECK(fd >= 0, "GET_DMABUF: %s", strerror(-fd));
		if (fd >= 0) {
			p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
			VP_CHECK(p != MAP_FAILED && !memcmp(p, want, LEN),
				 "read-only pinned pixels differ");
			if (p != MAP_FAILED)
				munmap(p, LEN);
			close(fd);
		}
	}
	unmap_dma(&d, GPA_BASE, RAM_SIZE);
	VP_CHECK(vp_debugfs(uuid, "pinned_pages") == 0, "pins after unmap");
	printf("# ropin: plane in read-only mapped guest RAM: status %u\n", st);
	munmap(rw, RAM_SIZE);
	munmap(ro, RAM_SIZE);
out_close:
	close_vgpu(&d, uuid);
out:
	free(want);
}

/* ---- reserved ----------------------------------------------------------- */

#define ROM_PHYS 0xf0000ull /* the x86 BIOS area: reserved, not RAM */
#define ROM_SIZE 0x10000u

static void test_reserved(void)
{
	struct vfio_device_gfx_plane_info info;
	struct vmm_vgpu d;
	char uuid[40];
	uint32_t st;
	void *rom;
	int mem, fd;

	mem = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (mem < 0) {
		VP_FAIL("open /dev/mem: %s", strerror(errno));
		return;
	}
	rom = mmap(NULL, ROM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem,
		   ROM_PHYS);
	close(mem);
	if (rom == MAP_FAILED) {
		VP_FAIL("mmap /dev/mem 0x%llx: %s", ROM_PHYS, strerror(errno));
		return;
	}
	if (!open_vgpu(&d, uuid, "vplane-1head"))
		goto out;
	/* the VMM maps a PFNMAP of non-RAM (a BAR, /dev/mem) as guest RAM */
	if (!map_dma(&d, rom, GPA_BASE, ROM_SIZE,
		     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) {
		VP_FAIL("MAP_DMA of /dev/mem: %s", strerror(errno));
		goto out_close;
	}
	vp_head_enable(&d, 0, 64, 64);
	st = flip_to(&d, VPLANE_DOMAIN_GUEST_RAM, GPA_BASE, 64, 64, 256);
	VP_CHECK(st == VPLANE_PLANE_STATUS_PIN_FAILED,
		 "plane over reserved memory: status %u, want PIN_FAILED", st);
	VP_CHECK(!vp_query(&d, 0, 1, &info) && !info.dmabuf_id,
		 "plane over reserved memory has id %u", info.dmabuf_id);
	if (info.dmabuf_id) {
		fd = vp_get_dmabuf(&d, info.dmabuf_id);
		VP_CHECK(fd < 0, "reserved memory exported as a dma-buf");
		if (fd >= 0)
			close(fd);
	}
	VP_CHECK(vp_debugfs(uuid, "pinned_pages") == 0,
		 "reserved pages pinned: %lld",
		 vp_debugfs(uuid, "pinned_pages"));
	/* a cursor and a retried query do no better */
	vp_mmio_write(&d, VPLANE_MMIO_PLANE(0, 1) + VPLANE_PLANE_HOT_X,
		      VPLANE_HOT_NONE);
	vp_mmio_write(&d, VPLANE_MMIO_PLANE(0, 1) + VPLANE_PLANE_HOT_Y,
		      VPLANE_HOT_NONE);
	vp_plane_set(&d, 0, 1, DRM_FORMAT_ARGB8888, 64, 64, 256,
		     VPLANE_DOMAIN_GUEST_RAM, GPA_BASE + 0x4000);
	vp_mmio_write(&d, HEAD0 + VPLANE_HEAD_FLIP, 2);
	VP_CHECK(vp_mmio_read(&d,
			      VPLANE_MMIO_PLANE(0, 1) + VPLANE_PLANE_STATUS) ==
			 VPLANE_PLANE_STATUS_PIN_FAILED,
		 "cursor over reserved memory not refused");
	VP_CHECK(!vp_query(&d, 0, 2, &info) && !info.dmabuf_id,
		 "cursor over reserved memory has an id");
	VP_CHECK(vp_debugfs(NULL, "page_sets") == 0,
		 "page sets of reserved "
		 "memory: %lld",
		 vp_debugfs(NULL, "page_sets"));
	unmap_dma(&d, GPA_BASE, ROM_SIZE);
	printf("# reserved: planes over /dev/mem 0x%llx: status %u\n", ROM_PHYS,
	       st);
out_close:
	close_vgpu(&d, uuid);
out:
	munmap(rom, ROM_SIZE);
}

/* ---- ids ---------------------------------------------------------------- */

static bool set_next_id(const char *uuid, unsigned long long id)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vplane/%s/next_id",
		 uuid);
	f = fopen(path, "we");
	if (!f) {
		VP_FAIL("open %s: %s", path, strerror(errno));
		return false;
	}
	ok = fprintf(f, "%llu\n", id) > 0;
	ok &= fclose(f) == 0;
	VP_CHECK(ok, "write %s", path);
	return ok;
}

/* VRAM framebuffer number @n: W x H at offset n * LEN (16 MiB VRAM). */
static uint32_t flip_vram(struct vmm_vgpu *d, unsigned int n)
{
	uint32_t st =
		flip_to(d, VPLANE_DOMAIN_VRAM, (uint64_t)n * LEN, W, H, STRIDE);

	VP_CHECK(st == VPLANE_PLANE_STATUS_OK, "VRAM fb %u: status %u", n, st);
	return plane_id(d);
}

static void test_ids(void)
{
	uint32_t held[4], id, wraps = 0;
	uint8_t *vram, *p;
	int fds[4], i, j;
	struct vmm_vgpu d;
	char uuid[40];

	if (!open_vgpu(&d, uuid, "vplane-1head"))
		return;
	vp_head_enable(&d, 0, W, H);
	vram = vp_map_vram(&d);
	if (!vram)
		goto out;
	for (i = 0; i < 100; i++)
		memset(vram + (size_t)i * LEN, i, LEN);

	/* a consumer (QEMU) caches four buffers by id and keeps them */
	for (i = 0; i < 4; i++) {
		held[i] = flip_vram(&d, i);
		fds[i] = vp_get_dmabuf(&d, held[i]);
		VP_CHECK(fds[i] >= 0, "GET_DMABUF %u", held[i]);
	}
	/* their objects are evicted: only the dma-bufs know the ids now */
	for (i = 4; i < 40; i++)
		flip_vram(&d, i);
	/* the counter reaches the top of its 32 bits and wraps */
	if (!set_next_id(uuid, 0xfffffff0ull))
		goto out_fds;
	for (i = 40; i < 100; i++) {
		id = flip_vram(&d, i);
		VP_CHECK(id != 0, "fb %d got id 0", i);
		if (id < 0x1000)
			wraps++;
		for (j = 0; j < 4; j++)
			VP_CHECK(id != held[j],
				 "id %u of a live dma-buf given to another "
				 "framebuffer (fb %d) after the wrap",
				 id, i);
	}
	VP_CHECK(wraps > 0, "the id counter did not wrap");
	/* what the consumer holds still shows what it was exported for */
	for (i = 0; i < 4; i++) {
		if (fds[i] < 0)
			continue;
		p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fds[i], 0);
		VP_CHECK(p != MAP_FAILED && p[0] == i && p[LEN - 1] == i,
			 "held dma-buf %u changed", held[i]);
		if (p != MAP_FAILED)
			munmap(p, LEN);
	}
	printf("# ids: %u ids after the wrap, none of the 4 held ids (%u..%u) "
	       "reused\n",
	       wraps, held[0], held[3]);
out_fds:
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	munmap(vram, d.region[VFIO_PCI_BAR0_REGION_INDEX].size);
out:
	close_vgpu(&d, uuid);
}

/* ---- budget ------------------------------------------------------------- */

static long long available(const char *type)
{
	char path[160], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/vplane/mdev_supported_types/%s/"
		 "available_instances",
		 type);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		VP_FAIL("read %s", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return strtoll(buf, NULL, 10);
}

/* A vGPU whose whole 16 MiB of VRAM is one plane, exported, then removed. */
static int vram_holder(void)
{
	struct vfio_device_gfx_plane_info info;
	struct vmm_vgpu d;
	char uuid[40];
	int fd = -1;

	if (!open_vgpu(&d, uuid, "vplane-1head"))
		return -1;
	vp_head_enable(&d, 0, 1920, 256);
	if (flip_to(&d, VPLANE_DOMAIN_VRAM, 0, 1920, 256, 65536) !=
	    VPLANE_PLANE_STATUS_OK)
		VP_FAIL("full-VRAM plane refused");
	else if (vp_query(&d, 0, 1, &info) || !info.dmabuf_id)
		VP_FAIL("full-VRAM plane: no id");
	else
		fd = vp_get_dmabuf(&d, info.dmabuf_id);
	close_vgpu(&d, uuid);
	return fd;
}

static void test_budget(void)
{
	long long slots = available("vplane-1head"), held_mb;
	int fds[64], n = 0, i;
	char uuid[40], path[160];
	FILE *f;

	if (slots <= 0 || slots > 64) {
		VP_FAIL("available_instances %lld", slots);
		return;
	}
	for (i = 0; i < slots; i++) {
		fds[n] = vram_holder();
		if (fds[n] < 0)
			break;
		n++;
		printf("# holder %d: vGPUs %lld, dma-bufs %lld, available "
		       "%lld\n",
		       n, vp_debugfs(NULL, "vgpus"),
		       vp_debugfs(NULL, "dmabufs"), available("vplane-1head"));
	}
	VP_CHECK(n == slots, "only %d of %lld holders", n, slots);
	held_mb = 16LL * n;
	/* every MiB of the budget is held by a dma-buf of a removed vGPU */
	VP_CHECK(available("vplane-1head") == 0,
		 "%lld MiB of VRAM held by dma-bufs, yet %lld more instances "
		 "offered",
		 held_mb, available("vplane-1head"));
	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/vplane/mdev_supported_types/"
		 "vplane-1head/create");
	f = fopen("/proc/sys/kernel/random/uuid", "re");
	if (f && fgets(uuid, sizeof(uuid), f)) {
		uuid[strcspn(uuid, "\n")] = 0;
		fclose(f);
		f = fopen(path, "we");
		if (f) {
			int ok = fputs(uuid, f) >= 0;

			ok &= fclose(f) == 0;
			VP_CHECK(!ok,
				 "vGPU created beyond mem_budget_mb with "
				 "%lld MiB still held",
				 held_mb);
			if (ok)
				vp_mdev_remove(uuid);
		}
	} else if (f) {
		fclose(f);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	VP_CHECK(available("vplane-1head") == slots,
		 "budget not returned after the last dma-buf: %lld of %lld",
		 available("vplane-1head"), slots);
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	printf("# budget: %d removed vGPUs' dma-bufs held %lld MiB; no "
	       "instance beyond the budget until they closed\n",
	       n, held_mb);
}

/* ---- unmap-race --------------------------------------------------------- */

/*
 * type1 calls every device in the container back, one after the other, and
 * looks for pins again only once all have returned.  The gate device
 * (tests/vm/kmod/vp_unmap_gate.c), opened before vplane, is called after
 * it and waits until the test has acted: in each such window the test
 * flips, queries through the VFIO device and the display node, and finds
 * out whether vplane pinned the range again.  A driver that does makes
 * type1 retry, and the eleventh retry of one unmap is a BUG_ON (a kernel
 * panic in the VM).  Threads flip and query all along as well.
 *
 * The first UNMAP_DMA's windows last RACE_SLOW_MS, past vplane's first
 * hold: its first window may pin (type1 retries), a later one acting
 * within the doubled hold may not.  Windows that took longer than the
 * hold under load are printed, not judged.
 */
#define RACE_CYCLES    3   /* UNMAP/MAP cycles */
#define RACE_WINDOW_OK 0.1 /* s: well inside vplane's first hold */
#define RACE_SLOW_MS   300 /* cycle 0: a peer slower than the first hold */
#define CURSOR_GPA     (GPA_BASE + (1u << 20))
#define HEAD1_GPA      (GPA_BASE + (2u << 20))
#define OTHER_GPA      0x100000000ull /* vGPU b's plane: not unmapped */

struct race {
	struct vmm_vgpu a, b, gate;
	uint8_t *ram;
	atomic_bool stop;
	atomic_long flips, queries;
	atomic_uint cycle; /* the UNMAP_DMA under way */
};

/* vGPU a's planes in the range: head 0's primary and cursor, head 1's. */
#define RACE_PLANES 3

static void race_flip(struct race *r)
{
	vp_mmio_write(&r->a, HEAD0 + VPLANE_HEAD_FLIP, 3);
	vp_mmio_write(&r->a, VPLANE_MMIO_HEAD(1) + VPLANE_HEAD_FLIP, 1);
}

/* Bit n: plane n (head 0 primary, head 0 cursor, head 1 primary) is OK. */
static unsigned int race_shown_mask(struct race *r)
{
	static const uint32_t reg[RACE_PLANES] = {
		VPLANE_MMIO_PLANE(0, 0),
		VPLANE_MMIO_PLANE(0, 1),
		VPLANE_MMIO_PLANE(1, 0),
	};
	unsigned int i, mask = 0;

	for (i = 0; i < RACE_PLANES; i++)
		if (vp_mmio_read(&r->a, reg[i] + VPLANE_PLANE_STATUS) ==
		    VPLANE_PLANE_STATUS_OK)
			mask |= 1u << i;
	return mask;
}

static void *race_flipper(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		race_flip(r);
		atomic_fetch_add(&r->flips, 1);
		usleep(200); /* a guest flips at most every vblank */
	}
	return NULL;
}

static void *race_querier(void *arg)
{
	struct vfio_device_gfx_plane_info info;
	struct vplane_display_plane pl;
	struct race *r = arg;
	char path[128];
	int node;

	snprintf(path, sizeof(path), "/dev/vplane/%s", r->a.uuid);
	node = open(path, O_RDONLY | O_CLOEXEC);
	while (!atomic_load(&r->stop)) {
		vp_query(&r->a, 0, 1, &info);
		vp_query(&r->a, 0, 2, &info);
		vp_query(&r->a, 1, 1, &info);
		if (node >= 0) {
			memset(&pl, 0, sizeof(pl));
			pl.argsz = sizeof(pl);
			ioctl(node, VPLANE_DISPLAY_QUERY_PLANE, &pl);
		}
		atomic_fetch_add(&r->queries, 1);
		usleep(200);
	}
	if (node >= 0)
		close(node);
	return NULL;
}

/* A display consumer's query of @head's primary: its dmabuf_id. */
static uint32_t node_query(int node, unsigned int head)
{
	struct vplane_display_plane pl;

	memset(&pl, 0, sizeof(pl));
	pl.argsz = sizeof(pl);
	pl.head = head;
	return ioctl(node, VPLANE_DISPLAY_QUERY_PLANE, &pl) ? 0 : pl.dmabuf_id;
}

/*
 * In a gate window: does anything pin vGPU a's range again?  Every way a
 * pin is asked for: a guest flip of every plane there, the VMM's query of
 * each, a display consumer's query.  Returns what came back pinned, 0 if
 * none (bits as RACE_WINDOW_BITS says).
 */
#define RACE_WINDOW_BITS                                                   \
	"bits 0-2 flip of head 0 primary/cursor, head 1 primary; 3-5 VMM " \
	"query of those; 6-7 display query of head 0/1"

static unsigned int race_window(struct race *r, int node)
{
	struct vfio_device_gfx_plane_info info;
	unsigned int pinned;

	race_flip(r);
	pinned = race_shown_mask(r);
	if (!vp_query(&r->a, 0, 1, &info) && info.dmabuf_id)
		pinned |= 1u << 3;
	if (!vp_query(&r->a, 0, 2, &info) && info.dmabuf_id)
		pinned |= 1u << 4;
	if (!vp_query(&r->a, 1, 1, &info) && info.dmabuf_id)
		pinned |= 1u << 5;
	if (node_query(node, 0))
		pinned |= 1u << 6;
	if (node_query(node, 1))
		pinned |= 1u << 7;
	return pinned;
}

/* Open mdev @uuid like vp_dev_open(), in the container of @into. */
static bool join_container(struct vmm_vgpu *d, const struct vmm_vgpu *into,
			   const char *uuid)
{
	if (!vmm_open_shared(d, uuid, into)) {
		VP_FAIL("%s into the container of %s", uuid, into->uuid);
		return false;
	}
	return true;
}

/* Flip a's planes until both are shown again (the hold has ended). */
static bool race_shown(struct race *r, double limit)
{
	double t0 = (monotonic_ns() / 1e9);

	while ((monotonic_ns() / 1e9) - t0 < limit) {
		race_flip(r);
		if (race_shown_mask(r) == (1u << RACE_PLANES) - 1)
			return true;
		usleep(20000);
	}
	return false;
}

static void *race_unmapper(void *arg)
{
	struct race *r = arg;
	unsigned int c;

	for (c = 0; c < RACE_CYCLES && !atomic_load(&r->stop); c++) {
		/* type1 calls back only for a range with pins in it */
		if (!race_shown(r, 30)) {
			VP_FAIL("cycle %u: planes not shown after MAP_DMA: "
				"0x%x",
				c, race_shown_mask(r));
			break;
		}
		atomic_store(&r->cycle, c);
		if (!unmap_dma(&r->a, GPA_BASE, RAM_SIZE)) {
			VP_FAIL("UNMAP_DMA: %s", strerror(errno));
			break;
		}
		if (!map_dma(&r->a, r->ram, GPA_BASE, RAM_SIZE,
			     VFIO_DMA_MAP_FLAG_READ |
				     VFIO_DMA_MAP_FLAG_WRITE)) {
			VP_FAIL("MAP_DMA again: %s", strerror(errno));
			break;
		}
	}
	atomic_store(&r->stop, true);
	/* wakes the controller's VP_GATE_WAIT */
	ioctl(r->gate.device, VP_GATE_ARM, &(uint32_t){ 0 });
	return NULL;
}

static bool race_setup(struct race *r, char *ua, char *ub, char *ug)
{
	/* the gate's device first: type1 calls the last registered first */
	if (!vp_mdev_create("vp_unmap_gate", "vp_unmap_gate-gate", ug) ||
	    !vp_dev_open(&r->gate, ug))
		return false;
	if (!vp_mdev_create("vplane", "vplane-1head", ub) ||
	    !join_container(&r->b, &r->gate, ub))
		return false;
	if (!vp_mdev_create("vplane", "vplane-2head", ua) ||
	    !join_container(&r->a, &r->gate, ua))
		return false;
	if (!vp_guest_ram(&r->b, OTHER_GPA, RAM_SIZE))
		return false;
	r->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->ram == MAP_FAILED) {
		r->ram = NULL;
		VP_FAIL("mmap: %s", strerror(errno));
		return false;
	}
	memset(r->ram, 0x22, RAM_SIZE);
	if (!map_dma(&r->a, r->ram, GPA_BASE, RAM_SIZE,
		     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) {
		VP_FAIL("MAP_DMA: %s", strerror(errno));
		return false;
	}
	vp_head_enable(&r->a, 0, W, H);
	vp_plane_set(&r->a, 0, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
		     VPLANE_DOMAIN_GUEST_RAM, GPA_BASE);
	vp_plane_set(&r->a, 0, 1, DRM_FORMAT_ARGB8888, 64, 64, 256,
		     VPLANE_DOMAIN_GUEST_RAM, CURSOR_GPA);
	vp_head_enable(&r->a, 1, W, H);
	vp_plane_set(&r->a, 1, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
		     VPLANE_DOMAIN_GUEST_RAM, HEAD1_GPA);
	vp_head_enable(&r->b, 0, W, H);
	vp_plane_set(&r->b, 0, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
		     VPLANE_DOMAIN_GUEST_RAM, OTHER_GPA);
	FLIP_PRIMARY(&r->b);
	VP_CHECK(plane_status(&r->b) == VPLANE_PLANE_STATUS_OK,
		 "other vGPU's plane status %u", plane_status(&r->b));
	if (ioctl(r->gate.device, VP_GATE_ARM, &(uint32_t){ 1 })) {
		VP_FAIL("VP_GATE_ARM: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Close a device that shares the gate's container, and its group. */
static void race_close(struct vmm_vgpu *d)
{
	if (d->device >= 0)
		close(d->device);
	if (d->group >= 0)
		close(d->group);
}

static void race_teardown(struct race *r, const char *ua, const char *ub,
			  const char *ug)
{
	if (r->ram) {
		unmap_dma(&r->a, GPA_BASE, RAM_SIZE);
		munmap(r->ram, RAM_SIZE);
	}
	race_close(&r->a);
	race_close(&r->b);
	if (r->gate.container >= 0)
		vp_dev_close(&r->gate);
	if (*ua)
		vp_mdev_remove(ua);
	if (*ub)
		vp_mdev_remove(ub);
	if (*ug)
		vp_mdev_remove(ug);
}

static void test_unmap_race(void)
{
	struct race *r = calloc(1, sizeof(*r));
	char ua[40] = "", ub[40] = "", ug[40] = "", path[128];
	struct vp_gate_wait gw = { 0 };
	struct vp_gate_stats gs = { 0 };
	unsigned int i, c, nth = 0, windows = 0, pinned;
	unsigned int per_cycle[RACE_CYCLES] = { 0 }, slow[RACE_CYCLES] = { 0 };
	long long calls0;
	pthread_t th[5];
	int node = -1;
	double t0, t1;

	if (!r)
		return;
	r->a.device = r->b.device = r->gate.container = -1;
	r->a.group = r->b.group = -1;
	r->a.container = r->b.container = -1;
	if (!race_setup(r, ua, ub, ug))
		goto out;
	snprintf(path, sizeof(path), "/dev/vplane/%s", ua);
	node = open(path, O_RDONLY | O_CLOEXEC);
	VP_CHECK(node >= 0, "open %s: %s", path, strerror(errno));
	if (node < 0)
		goto out;
	calls0 = vp_debugfs(ua, "unmap_calls");

	pthread_create(&th[nth++], NULL, race_flipper, r);
	for (i = 0; i < 2; i++)
		pthread_create(&th[nth++], NULL, race_querier, r);
	pthread_create(&th[nth++], NULL, race_unmapper, r);
	printf("# unmap-race: %d UNMAP/MAP cycles through the gate, the first "
	       "with a peer callback of %d ms\n",
	       RACE_CYCLES, RACE_SLOW_MS);
	for (;;) {
		/* a callback waits at the gate: vplane's has returned */
		if (ioctl(r->gate.device, VP_GATE_WAIT, &gw)) {
			VP_CHECK(errno == ENODEV, "VP_GATE_WAIT: %s",
				 strerror(errno));
			break;
		}
		t0 = gw.park_ns / 1e9;
		c = atomic_load(&r->cycle) % RACE_CYCLES;
		if (c == 0)
			usleep(RACE_SLOW_MS * 1000);
		pinned = race_window(r, node);
		t1 = (monotonic_ns() / 1e9);
		/* the other vGPU's range is not being unmapped */
		FLIP_PRIMARY(&r->b);
		VP_CHECK(plane_status(&r->b) == VPLANE_PLANE_STATUS_OK,
			 "window %u: other vGPU's plane status %u", windows,
			 plane_status(&r->b));
		ioctl(r->gate.device, VP_GATE_OPEN);
		windows++;
		per_cycle[c]++;
		if (t1 - t0 > RACE_WINDOW_OK) {
			/* past vplane's hold a pin is allowed, type1 retries */
			printf("# unmap-race: cycle %u window %u at %.3f s: "
			       "%s\n",
			       c, per_cycle[c], t1 - t0,
			       pinned ? "pinned" : "held");
			slow[c]++;
			/* but the hold that proved too short has doubled */
			VP_CHECK(!pinned || c || per_cycle[c] == 1 ||
					 t1 - t0 > RACE_WINDOW_OK + 0.3,
				 "cycle %u window %u (%.3f s): pinned again "
				 "while type1 unmaps: no hold outgrew a %d ms "
				 "peer callback",
				 c, per_cycle[c], t1 - t0, RACE_SLOW_MS);
			continue;
		}
		VP_CHECK(!pinned,
			 "window %u (%.3f s): pinned again while type1 is "
			 "unmapping the range: 0x%x (" RACE_WINDOW_BITS ")",
			 windows, t1 - t0, pinned);
	}
	atomic_store(&r->stop, true);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);

	ioctl(r->gate.device, VP_GATE_STATS, &gs);
	printf("# unmap-race: %u gate windows in %d UNMAP_DMA (%u with the "
	       "slow peer), %ld flips, %ld queries beside\n",
	       windows, RACE_CYCLES, per_cycle[0], atomic_load(&r->flips),
	       atomic_load(&r->queries));
	printf("# unmap-race: vplane callbacks %lld, pins held off %lld, "
	       "gate timeouts %llu\n",
	       vp_debugfs(ua, "unmap_calls") - calls0,
	       vp_debugfs(ua, "unmap_holds"), (unsigned long long)gs.timeouts);
	VP_CHECK(gs.timeouts == 0, "%llu gate callbacks timed out",
		 (unsigned long long)gs.timeouts);
	VP_CHECK(vp_debugfs(ua, "unmap_calls") - calls0 == windows,
		 "%lld vplane callbacks, %u gate windows",
		 vp_debugfs(ua, "unmap_calls") - calls0, windows);
	/* type1 looks again only after a window past vplane's hold */
	for (c = 0; c < RACE_CYCLES; c++)
		VP_CHECK(per_cycle[c] >= 1 && per_cycle[c] <= 1 + slow[c],
			 "cycle %u: %u gate windows, %u past the hold", c,
			 per_cycle[c], slow[c]);
	VP_CHECK(vp_debugfs(ua, "unmap_holds") > 0, "no pin was held off");
	/* once the VMM stops unmapping, the planes come back */
	t0 = (monotonic_ns() / 1e9);
	VP_CHECK(race_shown(r, 20), "planes not shown again after the unmaps");
	printf("# unmap-race: shown again after %.1f s\n",
	       (monotonic_ns() / 1e9) - t0);
out:
	if (node >= 0)
		close(node);
	race_teardown(r, ua, ub, ug);
	free(r);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "readonly", test_readonly },
		{ "ropin", test_ropin },
		{ "reserved", test_reserved },
		{ "ids", test_ids },
		{ "budget", test_budget },
		{ "unmap-race", test_unmap_race },
	};
	unsigned int i;
	bool any = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name))
			continue;
		any = true;
		printf("# %s\n", tests[i].name);
		tests[i].fn();
	}
	if (!any) {
		fprintf(stderr, "unknown test %s\n", argv[1]);
		return 2;
	}
	VP_CHECK(vp_debugfs(NULL, "vgpus") == 0, "vGPUs left");
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	VP_CHECK(vp_debugfs(NULL, "pinned_pages") == 0, "pins left");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-memory ok\n");
	return 0;
}
