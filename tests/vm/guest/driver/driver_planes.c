// SPDX-License-Identifier: MIT
/*
 * driver-planes: what the guest writes is what the dma-buf holds.
 * Primary planes in VRAM and in guest RAM for every allowed format, the
 * cursor with position and hotspot, the bochs DISPI path, dmabuf_id
 * stability, the EDID cycle, and flip-done through the MSI eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "monotonic.h"
#include "vp_dev.h"

#define PRIMARY	 1 /* DRM_PLANE_TYPE_PRIMARY */
#define CURSOR	 2 /* DRM_PLANE_TYPE_CURSOR */
#define GPA_BASE 0x40000000ull
#define GPA_SIZE (32u << 20)

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = seed >> 16;
	}
}

/* mmap the dma-buf for @id and compare it with @want (len bytes). */
static void check_dmabuf(struct vmm_vgpu *d, uint32_t id, const void *want,
			 size_t len, uint32_t size, const char *what)
{
	struct dma_buf_sync sync = { 0 };
	int fd = vp_get_dmabuf(d, id);
	void *p;

	if (fd < 0) {
		VP_FAIL("%s: GET_GFX_DMABUF %u: %s", what, id, strerror(-fd));
		return;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		VP_FAIL("%s: mmap dma-buf: %s", what, strerror(errno));
		close(fd);
		return;
	}
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	VP_CHECK(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), "%s: sync start", what);
	VP_CHECK(!memcmp(p, want, len), "%s: dma-buf bytes differ", what);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	VP_CHECK(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), "%s: sync end", what);
	munmap(p, size);
	/* mapping past the end is refused */
	p = mmap(NULL, (size_t)size + 4096, PROT_READ, MAP_SHARED, fd, 0);
	VP_CHECK(p == MAP_FAILED, "%s: mmap past the end allowed", what);
	if (p != MAP_FAILED)
		munmap(p, (size_t)size + 4096);
	close(fd);
}

static void flip(struct vmm_vgpu *d, unsigned int head, uint32_t mask)
{
	vp_mmio_write(d, VPLANE_MMIO_HEAD(head) + VPLANE_HEAD_FLIP, mask);
}

static uint32_t plane_status(struct vmm_vgpu *d, unsigned int h, unsigned int p)
{
	return vp_mmio_read(d, VPLANE_MMIO_PLANE(h, p) + VPLANE_PLANE_STATUS);
}

static const struct {
	uint32_t fourcc;
	uint32_t cpp;
} formats[] = {
	{ DRM_FORMAT_XRGB8888, 4 }, { DRM_FORMAT_ARGB8888, 4 },
	{ DRM_FORMAT_XBGR8888, 4 }, { DRM_FORMAT_ABGR8888, 4 },
	{ DRM_FORMAT_RGB565, 2 },
};

static void test_formats(struct vmm_vgpu *d, uint8_t *vram, uint8_t *ram)
{
	struct vfio_device_gfx_plane_info info;
	unsigned int i, dom;
	char what[64];

	vp_head_enable(d, 0, 640, 480);
	for (dom = 0; dom < 2; dom++) {
		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			uint32_t w = 640, h = 480,
				 stride = w * formats[i].cpp + 256;
			size_t len = (size_t)stride * h;
			uint64_t off = (uint64_t)(i + 1) << 20;
			uint8_t *dst = dom ? ram + off : vram + off;

			snprintf(what, sizeof(what), "%s %.4s",
				 dom ? "gpa" : "vram",
				 (const char *)&formats[i].fourcc);
			fill(dst, len, i * 77 + dom);
			vp_plane_set(d, 0, VPLANE_PLANE_PRIMARY,
				     formats[i].fourcc, w, h, stride,
				     dom ? VPLANE_DOMAIN_GUEST_RAM
					 : VPLANE_DOMAIN_VRAM,
				     dom ? GPA_BASE + off : off);
			flip(d, 0, VPLANE_FLIP_PLANE(VPLANE_PLANE_PRIMARY));
			VP_CHECK(plane_status(d, 0, 0) ==
					 VPLANE_PLANE_STATUS_OK,
				 "%s: status %u", what, plane_status(d, 0, 0));
			if (vp_query(d, 0, PRIMARY, &info)) {
				VP_FAIL("%s: query", what);
				continue;
			}
			VP_CHECK(info.drm_format == formats[i].fourcc &&
					 info.width == w && info.height == h &&
					 info.stride == stride &&
					 info.dmabuf_id && info.size >= len &&
					 info.drm_format_mod == 0,
				 "%s: query answer %.4s %ux%u stride %u id %u",
				 what, (char *)&info.drm_format, info.width,
				 info.height, info.stride, info.dmabuf_id);
			VP_CHECK(vp_mmio_read(d,
					      VPLANE_MMIO_PLANE(0, 0) +
						      VPLANE_PLANE_ACTIVE_ID) ==
					 info.dmabuf_id,
				 "%s: ACTIVE_ID", what);
			check_dmabuf(d, info.dmabuf_id, dst, len, info.size,
				     what);
		}
	}
}

static void test_cursor(struct vmm_vgpu *d, uint8_t *ram)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t base = VPLANE_MMIO_PLANE(0, VPLANE_PLANE_CURSOR);
	uint8_t *cur = ram + (16u << 20);

	fill(cur, 64 * 64 * 4, 4242);
	vp_plane_set(d, 0, VPLANE_PLANE_CURSOR, DRM_FORMAT_ARGB8888, 64, 64,
		     256, VPLANE_DOMAIN_GUEST_RAM, GPA_BASE + (16u << 20));
	vp_mmio_write(d, base + VPLANE_PLANE_POS_X, (uint32_t)-10);
	vp_mmio_write(d, base + VPLANE_PLANE_POS_Y, 20);
	flip(d, 0, VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR));
	VP_CHECK(!vp_query(d, 0, CURSOR, &info) &&
			 info.drm_format == DRM_FORMAT_ARGB8888 &&
			 info.width == 64 && info.x_pos == (uint32_t)-10 &&
			 info.y_pos == 20 && info.x_hot == 0xffffffff &&
			 info.y_hot == 0xffffffff,
		 "cursor without hotspot: fmt 0x%x pos %d,%d hot 0x%x",
		 info.drm_format, (int)info.x_pos, (int)info.y_pos, info.x_hot);
	check_dmabuf(d, info.dmabuf_id, cur, 64 * 64 * 4, info.size, "cursor");

	/* moving and changing the hotspot keeps the id */
	vp_mmio_write(d, base + VPLANE_PLANE_HOT_X, 5);
	vp_mmio_write(d, base + VPLANE_PLANE_HOT_Y, 7);
	vp_mmio_write(d, base + VPLANE_PLANE_POS_X, 300);
	flip(d, 0, VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR));
	{
		uint32_t id = info.dmabuf_id;

		VP_CHECK(!vp_query(d, 0, CURSOR, &info) && info.x_hot == 5 &&
				 info.y_hot == 7 && info.x_pos == 300 &&
				 info.dmabuf_id == id,
			 "cursor move: hot %u,%u pos %u id %u (was %u)",
			 info.x_hot, info.y_hot, info.x_pos, info.dmabuf_id,
			 id);
	}
	/* a cursor in a format other than ARGB8888 is refused */
	vp_mmio_write(d, base + VPLANE_PLANE_FORMAT, DRM_FORMAT_XRGB8888);
	flip(d, 0, VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR));
	VP_CHECK(!vp_query(d, 0, CURSOR, &info) && info.drm_format == 0 &&
			 info.dmabuf_id == 0 && info.x_hot == 0,
		 "XRGB cursor not disabled");
	VP_CHECK(plane_status(d, 0, 1) == VPLANE_PLANE_STATUS_BAD_FORMAT,
		 "cursor status %u", plane_status(d, 0, 1));
}

static void test_ids(struct vmm_vgpu *d)
{
	struct vfio_device_gfx_plane_info a, b;
	uint32_t base = VPLANE_MMIO_PLANE(0, 0);

	vp_plane_set(d, 0, 0, DRM_FORMAT_XRGB8888, 640, 480, 2560,
		     VPLANE_DOMAIN_VRAM, 0);
	flip(d, 0, 1);
	vp_query(d, 0, PRIMARY, &a);
	vp_query(d, 0, PRIMARY, &b);
	VP_CHECK(a.dmabuf_id && a.dmabuf_id == b.dmabuf_id,
		 "id not stable across queries %u %u", a.dmabuf_id,
		 b.dmabuf_id);
	flip(d, 0, 1);
	vp_query(d, 0, PRIMARY, &b);
	VP_CHECK(a.dmabuf_id == b.dmabuf_id, "id changed on identical flip");

	vp_mmio_write(d, base + VPLANE_PLANE_ADDR_LO, 2560 * 480);
	flip(d, 0, 1);
	vp_query(d, 0, PRIMARY, &b);
	VP_CHECK(b.dmabuf_id && b.dmabuf_id != a.dmabuf_id,
		 "id kept across an address change");
	vp_mmio_write(d, base + VPLANE_PLANE_ADDR_LO, 0);
	vp_mmio_write(d, base + VPLANE_PLANE_STRIDE, 4096);
	flip(d, 0, 1);
	vp_query(d, 0, PRIMARY, &b);
	VP_CHECK(b.dmabuf_id && b.dmabuf_id != a.dmabuf_id,
		 "id kept across a stride change");
	vp_mmio_write(d, base + VPLANE_PLANE_STRIDE, 2560);
	flip(d, 0, 1);
	vp_query(d, 0, PRIMARY, &b);
	VP_CHECK(b.dmabuf_id == a.dmabuf_id,
		 "cached object not found again (%u vs %u)", b.dmabuf_id,
		 a.dmabuf_id);
	/* ids of evicted objects are gone */
	VP_CHECK(vp_get_dmabuf(d, 0x7fffffff) == -ENOENT,
		 "unknown id gave a dma-buf");
}

static void test_bochs(struct vmm_vgpu *d, uint8_t *vram)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t id;

	/* vplane head 0 off: DISPI describes the primary */
	vp_mmio_write(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL, 0);
	fill(vram, 800 * 600 * 4, 99);
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
	vp_dispi_write(d, VPLANE_DISPI_BPP, 32);
	vp_dispi_write(d, VPLANE_DISPI_XRES, 800);
	vp_dispi_write(d, VPLANE_DISPI_YRES, 600);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_WIDTH, 800);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_HEIGHT, 1200);
	vp_dispi_write(d, VPLANE_DISPI_ENABLE,
		       VPLANE_DISPI_ENABLED | VPLANE_DISPI_LFB_ENABLED);
	if (vp_query(d, 0, PRIMARY, &info) ||
	    info.drm_format != DRM_FORMAT_XRGB8888 || info.width != 800 ||
	    info.height != 600 || info.stride != 3200 || !info.dmabuf_id) {
		VP_FAIL("bochs mode not visible: %ux%u stride %u id %u",
			info.width, info.height, info.stride, info.dmabuf_id);
		return;
	}
	check_dmabuf(d, info.dmabuf_id, vram, 800 * 600 * 4, info.size,
		     "bochs");
	id = info.dmabuf_id;
	/* bochs-drm page flip: y offset (608 rows keeps it page aligned) */
	fill(vram + 3200 * 608, 800 * 600 * 4, 100);
	vp_dispi_write(d, VPLANE_DISPI_Y_OFFSET, 608);
	vp_query(d, 0, PRIMARY, &info);
	VP_CHECK(info.dmabuf_id && info.dmabuf_id != id,
		 "bochs flip kept the id");
	check_dmabuf(d, info.dmabuf_id, vram + 3200 * 608, 800 * 600 * 4,
		     info.size, "bochs flipped");
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
	vp_query(d, 0, PRIMARY, &info);
	VP_CHECK(info.drm_format == 0 && info.dmabuf_id == 0,
		 "bochs disabled still shows a plane");
	/* an offset that is not page aligned cannot be a dma-buf */
	vp_dispi_write(d, VPLANE_DISPI_Y_OFFSET, 600);
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, VPLANE_DISPI_ENABLED);
	vp_query(d, 0, PRIMARY, &info);
	VP_CHECK(info.drm_format == 0 && info.dmabuf_id == 0,
		 "unaligned bochs offset shows a plane");
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
}

static void make_edid(uint8_t *e, unsigned int w, unsigned int h)
{
	static const uint8_t hdr[8] = {
		0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0
	};
	uint8_t *t = e + 54;
	unsigned int hb = 160, vb = 30, clk, i, sum = 0;

	memset(e, 0, 128);
	memcpy(e, hdr, 8);
	e[18] = 1;
	e[19] = 4;
	/* 60 Hz: clock = (w + hb) * (h + vb) * 60 in 10 kHz units */
	clk = (unsigned int)((unsigned long long)(w + hb) * (h + vb) * 60 /
			     10000);
	t[0] = clk & 0xff;
	t[1] = clk >> 8;
	t[2] = w & 0xff;
	t[3] = hb & 0xff;
	t[4] = (w >> 8) << 4 | hb >> 8;
	t[5] = h & 0xff;
	t[6] = vb & 0xff;
	t[7] = (h >> 8) << 4 | vb >> 8;
	for (i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - (sum & 0xff));
}

static void edid_reg_write(struct vmm_vgpu *d, unsigned int head,
			   unsigned int off, uint32_t v)
{
	if (vp_region_rw(d, VPLANE_REGION_EDID(head), off, &v, 4, true) != 4)
		VP_FAIL("EDID reg 0x%x write: %s", off, strerror(errno));
}

static void test_edid(struct vmm_vgpu *d, unsigned int head)
{
	uint32_t hbase = VPLANE_MMIO_HEAD(head);
	struct vfio_region_gfx_edid regs;
	uint8_t edid[128], got[128];
	unsigned int i;

	if (vp_region_rw(d, VPLANE_REGION_EDID(head), 0, &regs, sizeof(regs),
			 false) != sizeof(regs)) {
		VP_FAIL("EDID regs read: %s", strerror(errno));
		return;
	}
	VP_CHECK(regs.edid_max_size >= 128 && regs.max_xres &&
			 regs.edid_offset >= sizeof(regs),
		 "EDID regs odd");

	make_edid(edid, 1280, 1024);
	vp_mmio_write(d, VPLANE_REG_INT_STATUS, 0xffffffff);
	edid_reg_write(d, head,
		       offsetof(struct vfio_region_gfx_edid, link_state),
		       VFIO_DEVICE_GFX_LINK_STATE_DOWN);
	VP_CHECK(!(vp_mmio_read(d, hbase + VPLANE_HEAD_CONNECTOR) &
		   VPLANE_CONN_CONNECTED),
		 "connected while link down");
	if (vp_region_rw(d, VPLANE_REGION_EDID(head), regs.edid_offset, edid,
			 sizeof(edid), true) != sizeof(edid))
		VP_FAIL("EDID blob write: %s", strerror(errno));
	edid_reg_write(d, head,
		       offsetof(struct vfio_region_gfx_edid, edid_size),
		       sizeof(edid));
	edid_reg_write(d, head,
		       offsetof(struct vfio_region_gfx_edid, link_state),
		       VFIO_DEVICE_GFX_LINK_STATE_UP);

	VP_CHECK(vp_mmio_read(d, hbase + VPLANE_HEAD_CONNECTOR) ==
			 (VPLANE_CONN_CONNECTED | VPLANE_CONN_EDID),
		 "connector");
	VP_CHECK(vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_WIDTH) == 1280 &&
			 vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_HEIGHT) ==
				 1024,
		 "preferred mode %ux%u",
		 vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_WIDTH),
		 vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_HEIGHT));
	VP_CHECK(vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_REFRESH) / 1000 ==
				 59 ||
			 vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_REFRESH) /
					 1000 ==
				 60,
		 "preferred refresh %u",
		 vp_mmio_read(d, hbase + VPLANE_HEAD_PREF_REFRESH));
	VP_CHECK(vp_mmio_read(d, VPLANE_REG_INT_STATUS) &
			 VPLANE_INT_HOTPLUG(head),
		 "no hotplug status");
	for (i = 0; i < 128; i += 4) {
		uint32_t v = vp_mmio_read(d, VPLANE_MMIO_EDID(head) + i);

		memcpy(got + i, &v, 4);
	}
	VP_CHECK(!memcmp(got, edid, 128), "guest EDID window differs");
	if (head == 0) {
		for (i = 0; i < 128; i++) {
			uint8_t b = 0;

			vp_region_rw(d, 2, VPLANE_MMIO_BOCHS_EDID + i, &b, 1,
				     false);
			got[i] = b;
		}
		VP_CHECK(!memcmp(got, edid, 128), "bochs EDID window differs");
	}
	/* oversize edid_size is refused */
	{
		uint32_t v = regs.edid_max_size + 1;

		VP_CHECK(vp_region_rw(d, VPLANE_REGION_EDID(head),
				      offsetof(struct vfio_region_gfx_edid,
					       edid_size),
				      &v, 4, true) < 0,
			 "oversize EDID accepted");
	}
}

static void test_flip_irq(struct vmm_vgpu *d)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (void *)buf;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint32_t hbase = VPLANE_MMIO_HEAD(0), seq;
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	double t0, worst = 0;
	uint64_t cnt;
	int i;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	if (ioctl(d->device, VFIO_DEVICE_SET_IRQS, set)) {
		VP_FAIL("SET_IRQS eventfd: %s", strerror(errno));
		return;
	}
	vp_head_enable(d, 0, 640, 480);
	vp_mmio_write(d, hbase + VPLANE_HEAD_REFRESH, 60000);
	vp_plane_set(d, 0, 0, DRM_FORMAT_XRGB8888, 640, 480, 2560,
		     VPLANE_DOMAIN_VRAM, 0);
	vp_mmio_write(d, VPLANE_REG_INT_STATUS, 0xffffffff);
	vp_mmio_write(d, VPLANE_REG_INT_ENABLE, VPLANE_INT_FLIP_DONE(0));
	while (read(efd, &cnt, sizeof(cnt)) > 0)
		;
	for (i = 0; i < 10; i++) {
		t0 = (monotonic_ns() / 1e6);
		flip(d, 0, 1);
		seq = vp_mmio_read(d, hbase + VPLANE_HEAD_FLIP_SEQ);
		if (poll(&pfd, 1, 500) != 1) {
			VP_FAIL("no flip-done MSI for flip %u", seq);
			break;
		}
		if ((monotonic_ns() / 1e6) - t0 > worst)
			worst = (monotonic_ns() / 1e6) - t0;
		read(efd, &cnt, sizeof(cnt));
		VP_CHECK(vp_mmio_read(d, hbase + VPLANE_HEAD_FLIP_DONE_SEQ) ==
				 seq,
			 "flip-done seq");
		VP_CHECK(vp_mmio_read(d, VPLANE_REG_INT_STATUS) &
				 VPLANE_INT_FLIP_DONE(0),
			 "flip-done status not set");
		vp_mmio_write(d, VPLANE_REG_INT_STATUS,
			      VPLANE_INT_FLIP_DONE(0));
	}
	printf("# flip doorbell to flip-done eventfd, worst of 10 at 60 Hz: "
	       "%.2f ms\n",
	       worst);
	VP_CHECK(vp_mmio_read(d, hbase + VPLANE_HEAD_VBLANK_COUNT) > 0,
		 "vblank counter did not move");
	/* disable */
	set->argsz = sizeof(*set);
	set->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->count = 0;
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_SET_IRQS, set),
		 "SET_IRQS disable: %s", strerror(errno));
	close(efd);
}

int main(void)
{
	uint8_t *vram, *ram;
	struct vmm_vgpu d;
	char uuid[40];

	if (!vp_mdev_create("vplane", "vplane-2head", uuid))
		return 1;
	if (!vp_dev_open(&d, uuid))
		goto out;
	vram = vp_map_vram(&d);
	ram = vp_guest_ram(&d, GPA_BASE, GPA_SIZE);
	if (vram && ram) {
		test_formats(&d, vram, ram);
		test_cursor(&d, ram);
		test_ids(&d);
		test_bochs(&d, vram);
		test_edid(&d, 0);
		test_edid(&d, 1);
		test_flip_irq(&d);
		munmap(vram, d.region[0].size);
	}
	vp_dev_close(&d);
	if (ram)
		munmap(ram, GPA_SIZE);
out:
	vp_mdev_remove(uuid);
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	VP_CHECK(vp_debugfs(NULL, "pinned_pages") == 0, "pins left");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-planes: formats x domains, cursor, ids, bochs, EDID, "
	       "flip-done ok\n");
	return 0;
}
