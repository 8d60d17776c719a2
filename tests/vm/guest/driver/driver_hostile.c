// SPDX-License-Identifier: MIT
/*
 * driver-hostile: a guest programming nonsense gets a disabled plane (all
 * zeros from QUERY_GFX_PLANE, a reason in the plane STATUS register) and
 * never a dma-buf over memory it does not own; the kernel log stays clean
 * (the harness checks that).  Then a register fuzz and bad ioctls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "vp_dev.h"

#define GPA_BASE 0x40000000ull
#define GPA_SIZE (8u << 20)
#define P	 VPLANE_PLANE_PRIMARY
#define C	 VPLANE_PLANE_CURSOR
#define NONE	 0xffffffffu

struct prog {
	const char *name;
	unsigned int plane;
	uint32_t domain; /* baseline domain */
	struct {
		uint32_t reg, val;
	} set[3];
	uint32_t want; /* expected STATUS */
};

#define S(r, v)                                 \
	{                                       \
		VPLANE_PLANE_##r, (uint32_t)(v) \
	}

static const struct prog progs[] = {
	{ "format 0", P, 0, { S(FORMAT, 0) }, VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "format YUYV",
	  P,
	  0,
	  { S(FORMAT, DRM_FORMAT_YUYV) },
	  VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "format C8",
	  P,
	  0,
	  { S(FORMAT, DRM_FORMAT_C8) },
	  VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "format NV12",
	  P,
	  0,
	  { S(FORMAT, DRM_FORMAT_NV12) },
	  VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "width 0", P, 0, { S(WIDTH, 0) }, VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "height 0", P, 0, { S(HEIGHT, 0) }, VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "width max+1",
	  P,
	  0,
	  { S(WIDTH, 1921), S(STRIDE, 8192) },
	  VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "height max+1",
	  P,
	  0,
	  { S(HEIGHT, 1201) },
	  VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "width ~0",
	  P,
	  0,
	  { S(WIDTH, 0xffffffff) },
	  VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "height ~0",
	  P,
	  0,
	  { S(HEIGHT, 0xffffffff) },
	  VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "stride < width*cpp",
	  P,
	  0,
	  { S(STRIDE, 640 * 4 - 4) },
	  VPLANE_PLANE_STATUS_BAD_STRIDE },
	{ "stride 0", P, 0, { S(STRIDE, 0) }, VPLANE_PLANE_STATUS_BAD_STRIDE },
	{ "stride ~0",
	  P,
	  0,
	  { S(STRIDE, 0xffffffff) },
	  VPLANE_PLANE_STATUS_BAD_STRIDE },
	{ "stride 2^31",
	  P,
	  0,
	  { S(STRIDE, 0x80000000) },
	  VPLANE_PLANE_STATUS_BAD_STRIDE },
	{ "stride unaligned",
	  P,
	  0,
	  { S(STRIDE, 2562) },
	  VPLANE_PLANE_STATUS_BAD_STRIDE },
	{ "stride*height past VRAM",
	  P,
	  0,
	  { S(STRIDE, 65536), S(HEIGHT, 1200) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "offset = VRAM size",
	  P,
	  0,
	  { S(ADDR_LO, 16 << 20) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "offset+size past VRAM",
	  P,
	  0,
	  { S(ADDR_LO, (16 << 20) - 4096) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "VRAM offset high dword",
	  P,
	  0,
	  { S(ADDR_HI, 1) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "VRAM offset ~0 page",
	  P,
	  0,
	  { S(ADDR_HI, 0xffffffff), S(ADDR_LO, 0xfffff000) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "misaligned 0x100",
	  P,
	  0,
	  { S(ADDR_LO, 0x100) },
	  VPLANE_PLANE_STATUS_BAD_ALIGN },
	{ "misaligned 4095",
	  P,
	  0,
	  { S(ADDR_LO, 4095) },
	  VPLANE_PLANE_STATUS_BAD_ALIGN },
	{ "domain 2", P, 0, { S(DOMAIN, 2) }, VPLANE_PLANE_STATUS_BAD_DOMAIN },
	{ "domain ~0",
	  P,
	  0,
	  { S(DOMAIN, 0xffffffff) },
	  VPLANE_PLANE_STATUS_BAD_DOMAIN },
	{ "GPA unmapped",
	  P,
	  1,
	  { S(ADDR_LO, 0x80000000) },
	  VPLANE_PLANE_STATUS_PIN_FAILED },
	{ "GPA half mapped",
	  P,
	  1,
	  { S(ADDR_LO, GPA_BASE + GPA_SIZE - 4096) },
	  VPLANE_PLANE_STATUS_PIN_FAILED },
	{ "GPA 0", P, 1, { S(ADDR_LO, 0) }, VPLANE_PLANE_STATUS_PIN_FAILED },
	{ "GPA wraps 2^64",
	  P,
	  1,
	  { S(ADDR_HI, 0xffffffff), S(ADDR_LO, 0xfffff000) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "GPA past 2^52",
	  P,
	  1,
	  { S(ADDR_HI, 0x00100000) },
	  VPLANE_PLANE_STATUS_BAD_RANGE },
	{ "primary x -1", P, 0, { S(POS_X, -1) }, VPLANE_PLANE_STATUS_BAD_POS },
	{ "primary y -100000",
	  P,
	  0,
	  { S(POS_Y, -100000) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "primary x INT_MAX",
	  P,
	  0,
	  { S(POS_X, 0x7fffffff) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "primary y INT_MIN",
	  P,
	  0,
	  { S(POS_Y, 0x80000000) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "cursor 257 wide",
	  C,
	  1,
	  { S(WIDTH, 257), S(STRIDE, 2048) },
	  VPLANE_PLANE_STATUS_BAD_SIZE },
	{ "cursor XRGB",
	  C,
	  1,
	  { S(FORMAT, DRM_FORMAT_XRGB8888) },
	  VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "cursor RGB565",
	  C,
	  1,
	  { S(FORMAT, DRM_FORMAT_RGB565) },
	  VPLANE_PLANE_STATUS_BAD_FORMAT },
	{ "cursor hot x = width",
	  C,
	  1,
	  { S(HOT_X, 64), S(HOT_Y, 0) },
	  VPLANE_PLANE_STATUS_BAD_HOT },
	{ "cursor hot only x",
	  C,
	  1,
	  { S(HOT_X, 5) },
	  VPLANE_PLANE_STATUS_BAD_HOT },
	{ "cursor hot y huge",
	  C,
	  1,
	  { S(HOT_X, 0), S(HOT_Y, 0x7fffffff) },
	  VPLANE_PLANE_STATUS_BAD_HOT },
	{ "cursor fully left",
	  C,
	  1,
	  { S(POS_X, -64) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "cursor x INT_MIN",
	  C,
	  1,
	  { S(POS_X, 0x80000000) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "cursor y past max",
	  C,
	  1,
	  { S(POS_Y, 1200) },
	  VPLANE_PLANE_STATUS_BAD_POS },
	{ "cursor GPA unmapped",
	  C,
	  1,
	  { S(ADDR_LO, 0x10000000) },
	  VPLANE_PLANE_STATUS_PIN_FAILED },
	{ "ctrl garbage w/o enable",
	  P,
	  0,
	  { S(CTRL, 0xfffffffe) },
	  VPLANE_PLANE_STATUS_DISABLED },
};

static void baseline(struct vmm_vgpu *d, unsigned int plane, uint32_t domain)
{
	uint32_t base = VPLANE_MMIO_PLANE(0, plane);

	if (plane == P)
		vp_plane_set(d, 0, P, DRM_FORMAT_XRGB8888, 640, 480, 2560,
			     domain, domain ? GPA_BASE : 0);
	else
		vp_plane_set(d, 0, C, DRM_FORMAT_ARGB8888, 64, 64, 256, domain,
			     domain ? GPA_BASE + (4u << 20) : 4u << 20);
	vp_mmio_write(d, base + VPLANE_PLANE_HOT_X, NONE);
	vp_mmio_write(d, base + VPLANE_PLANE_HOT_Y, NONE);
}

static bool query_zero(struct vmm_vgpu *d, unsigned int plane)
{
	struct vfio_device_gfx_plane_info info, zero;

	if (vp_query(d, 0, plane == P ? 1 : 2, &info))
		return false;
	memset(&zero, 0, sizeof(zero));
	zero.argsz = info.argsz;
	zero.flags = info.flags;
	zero.drm_plane_type = info.drm_plane_type;
	return !memcmp(&info, &zero, sizeof(info));
}

static void run_progs(struct vmm_vgpu *d)
{
	uint32_t flipreg = VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP;
	unsigned int i, j, n = sizeof(progs) / sizeof(progs[0]);
	struct vfio_device_gfx_plane_info info;

	for (i = 0; i < n; i++) {
		const struct prog *p = &progs[i];
		uint32_t base = VPLANE_MMIO_PLANE(0, p->plane), st;

		baseline(d, p->plane, p->domain);
		vp_mmio_write(d, flipreg, 1u << p->plane);
		st = vp_mmio_read(d, base + VPLANE_PLANE_STATUS);
		if (st != VPLANE_PLANE_STATUS_OK) {
			VP_FAIL("%s: baseline status %u", p->name, st);
			continue;
		}
		for (j = 0; j < 3 && p->set[j].reg | p->set[j].val; j++)
			vp_mmio_write(d, base + p->set[j].reg, p->set[j].val);
		vp_mmio_write(d, flipreg, 1u << p->plane);
		st = vp_mmio_read(d, base + VPLANE_PLANE_STATUS);
		VP_CHECK(st == p->want, "%s: status %u, want %u", p->name, st,
			 p->want);
		VP_CHECK(query_zero(d, p->plane), "%s: query not all zeros",
			 p->name);
		VP_CHECK(vp_mmio_read(d, base + VPLANE_PLANE_ACTIVE_ID) == 0,
			 "%s: active id", p->name);
	}
	printf("# %u invalid plane programs rejected\n", n);

	/* head mode nonsense: planes valid, head not scanning out */
	baseline(d, P, 0);
	vp_mmio_write(d, flipreg, 1);
	VP_CHECK(!query_zero(d, P), "baseline invisible");
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_WIDTH, 0);
	VP_CHECK(query_zero(d, P), "head width 0 still scans out");
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_WIDTH, 100000);
	VP_CHECK(query_zero(d, P), "head width 100000 scans out");
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_REFRESH, 0);
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_WIDTH, 640);
	VP_CHECK(!query_zero(d, P), "refresh 0 should fall back, not fail");
	(void)info;
}

static void dispi_progs(struct vmm_vgpu *d)
{
	static const struct {
		const char *name;
		uint16_t xres, yres, bpp, vw, xo, yo;
	} dp[] = {
		{ "bpp 8", 640, 480, 8, 640, 0, 0 },
		{ "bpp 16", 640, 480, 16, 640, 0, 0 },
		{ "bpp 0xffff", 640, 480, 0xffff, 640, 0, 0 },
		{ "xres 0", 0, 480, 32, 0, 0, 0 },
		{ "xres 0xffff", 0xffff, 480, 32, 0xffff, 0, 0 },
		{ "yres 0xffff", 640, 0xffff, 32, 640, 0, 0 },
		{ "y offset past VRAM", 640, 480, 32, 640, 0, 0xffff },
		{ "virt width huge", 640, 480, 32, 0xffff, 0, 100 },
		{ "x offset unaligned", 640, 480, 32, 640, 1, 0 },
	};
	unsigned int i;

	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL, 0);
	for (i = 0; i < sizeof(dp) / sizeof(dp[0]); i++) {
		vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
		vp_dispi_write(d, VPLANE_DISPI_XRES, dp[i].xres);
		vp_dispi_write(d, VPLANE_DISPI_YRES, dp[i].yres);
		vp_dispi_write(d, VPLANE_DISPI_BPP, dp[i].bpp);
		vp_dispi_write(d, VPLANE_DISPI_VIRT_WIDTH, dp[i].vw);
		vp_dispi_write(d, VPLANE_DISPI_X_OFFSET, dp[i].xo);
		vp_dispi_write(d, VPLANE_DISPI_Y_OFFSET, dp[i].yo);
		vp_dispi_write(d, VPLANE_DISPI_ENABLE, VPLANE_DISPI_ENABLED);
		VP_CHECK(query_zero(d, P), "dispi %s: plane shown", dp[i].name);
	}
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
	printf("# %zu invalid DISPI modes rejected\n",
	       sizeof(dp) / sizeof(dp[0]));
}

/* Random writes all over BAR2 in every width; nothing may break. */
static void fuzz(struct vmm_vgpu *d)
{
	struct vfio_device_gfx_plane_info info;
	unsigned int i, flips = 0;
	uint64_t v;

	srand(1234);
	for (i = 0; i < 20000; i++) {
		uint32_t off = (uint32_t)rand() % VPLANE_MMIO_SIZE;
		unsigned int len = 1u << (rand() % 4);

		v = (uint64_t)rand() << 32 | (uint32_t)rand();
		if (rand() % 4 == 0) {
			/* aim at the vplane registers */
			off = 0x1000 + ((uint32_t)rand() % 0x1400);
			off &= ~3u;
			len = 4;
		}
		if (off + len > VPLANE_MMIO_SIZE)
			continue;
		if (off == VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP)
			flips++;
		vp_region_rw(d, 2, off, &v, len, rand() % 2);
		if (i % 100 == 0) {
			vp_query(d, 0, 1, &info);
			vp_query(d, 0, 2, &info);
		}
	}
	printf("# fuzz: 20000 random BAR2 accesses survived\n");
}

static void bad_ioctls(struct vmm_vgpu *d)
{
	char buf[sizeof(struct vfio_irq_set) + 4];
	struct vfio_irq_set *set = (void *)buf;
	struct vfio_device_gfx_plane_info info = { 0 };
	int32_t fd = 9999;

	info.argsz = 8;
	info.flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_QUERY_GFX_PLANE, &info) &&
			 errno == EINVAL,
		 "short argsz query accepted");
	VP_CHECK(vp_get_dmabuf(d, 0) == -ENOENT, "dmabuf id 0");
	VP_CHECK(vp_query(d, 255, 1, &info) == -EINVAL, "head 255");

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd, 4);
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_SET_IRQS, set) && errno == EBADF,
		 "bad eventfd accepted: %s", strerror(errno));
	set->index = VFIO_PCI_INTX_IRQ_INDEX;
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_SET_IRQS, set) && errno == EINVAL,
		 "INTx set accepted");
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->count = 2;
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_SET_IRQS, set) && errno == EINVAL,
		 "two MSI vectors accepted");
	VP_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, d->device,
		      d->region[2].offset) == MAP_FAILED,
		 "MMIO bar mmap");
	VP_CHECK(mmap(NULL, d->region[0].size + 4096, PROT_READ, MAP_SHARED,
		      d->device, d->region[0].offset) == MAP_FAILED,
		 "VRAM mmap past the end");
	VP_CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d->device,
		      d->region[0].offset) == MAP_FAILED,
		 "private VRAM mmap");
}

int main(void)
{
	struct vmm_vgpu d;
	char uuid[40];
	void *ram;

	if (!vp_mdev_create("vplane", "vplane-1head", uuid))
		return 1;
	if (!vp_dev_open(&d, uuid))
		goto out;
	ram = vp_guest_ram(&d, GPA_BASE, GPA_SIZE);
	if (ram) {
		vp_head_enable(&d, 0, 640, 480);
		run_progs(&d);
		dispi_progs(&d);
		fuzz(&d);
		bad_ioctls(&d);
		VP_CHECK(vp_debugfs(uuid, "plane_objects") <= 16,
			 "plane cache over its bound: %lld",
			 vp_debugfs(uuid, "plane_objects"));
	}
	vp_dev_close(&d);
	if (ram)
		munmap(ram, GPA_SIZE);
out:
	vp_mdev_remove(uuid);
	VP_CHECK(vp_debugfs(NULL, "pinned_pages") == 0, "pins left");
	VP_CHECK(vp_debugfs(NULL, "plane_objects") == 0, "objects left");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-hostile ok\n");
	return 0;
}
