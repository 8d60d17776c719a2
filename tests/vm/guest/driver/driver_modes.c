// SPDX-License-Identifier: MIT
/*
 * driver-modes: every mode a bochs guest may set is shown, the bochs
 * scanout never blanks between bochs-drm's two offset writes, and the
 * display node says why a head shows nothing.
 *
 * - ovmf: the GOP mode list Debian's OVMF (QemuVideoDxe) builds from
 *   DISPI VIDEO_MEMORY_64K alone, programmed as QemuVideoDxe does, on
 *   both types: each mode is shown (a dma-buf of the mode's size), since
 *   the firmware saw nothing that would refuse it; a mode that does not
 *   fit VRAM is refused with the reason "limit".
 * - offsets: bochs-drm's page flip (VIRT_WIDTH, X_OFFSET, Y_OFFSET) at
 *   pitches that are not a page multiple, between two page-aligned
 *   buffers: the plane (and every FLIP event) keeps the last valid
 *   buffer between the writes.
 * - reasons: QUERY_PLANE's reason for closed, waiting, off, reset by the
 *   VMM, a mode over the limit (vplane head and bochs), invalid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "vp_dev.h"
#include "vplane_display.h"

#define PRIMARY 1 /* DRM_PLANE_TYPE_PRIMARY */
#define PAGE	4096u

/* QemuVideoDxe's bochs mode table (edk2 OvmfPkg, 32 bpp each). */
static const struct {
	uint16_t w, h;
} gop_modes[] = {
	{ 640, 480 },	{ 800, 480 },	{ 800, 600 },	{ 832, 624 },
	{ 960, 640 },	{ 1024, 600 },	{ 1024, 768 },	{ 1152, 864 },
	{ 1152, 870 },	{ 1280, 720 },	{ 1280, 760 },	{ 1280, 768 },
	{ 1280, 800 },	{ 1280, 960 },	{ 1280, 1024 }, { 1360, 768 },
	{ 1366, 768 },	{ 1400, 1050 }, { 1440, 900 },	{ 1600, 900 },
	{ 1600, 1200 }, { 1680, 1050 }, { 1920, 1080 }, { 1920, 1200 },
	{ 1920, 1440 }, { 2000, 2000 }, { 2048, 1536 }, { 2048, 2048 },
	{ 2560, 1440 }, { 2560, 1600 }, { 2560, 2048 }, { 2800, 2100 },
	{ 3200, 2400 }, { 3840, 2160 }, { 4096, 2160 }, { 7680, 4320 },
	{ 8192, 4320 },
};

static const char *const reason_names[] = {
	"none", "off", "waiting", "closed", "reset", "limit", "invalid", "host",
};

static const char *reason_name(uint32_t r)
{
	return r < sizeof(reason_names) / sizeof(reason_names[0])
		       ? reason_names[r]
		       : "?";
}

static int display_open(const char *uuid)
{
	char path[80];
	int fd;

	snprintf(path, sizeof(path), "/dev/vplane/%s", uuid);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		VP_FAIL("open %s: %s", path, strerror(errno));
	return fd;
}

static bool query(int dfd, unsigned int head, unsigned int plane,
		  struct vplane_display_plane *pl)
{
	*pl = (struct vplane_display_plane){ .argsz = sizeof(*pl),
					     .head = head,
					     .plane = plane };
	if (ioctl(dfd, VPLANE_DISPLAY_QUERY_PLANE, pl)) {
		VP_FAIL("QUERY_PLANE h%u p%u: %s", head, plane,
			strerror(errno));
		return false;
	}
	/* an older driver: the reason fields stay zero */
	VP_CHECK(pl->argsz >= sizeof(*pl), "QUERY_PLANE argsz %u: no reason",
		 pl->argsz);
	return true;
}

/* Head 0's primary is not shown, for @want (and @req_w x @req_h). */
static void expect_reason(int dfd, uint32_t want, uint32_t req_w,
			  uint32_t req_h, const char *what)
{
	struct vplane_display_plane pl;

	if (!query(dfd, 0, VPLANE_DISPLAY_PLANE_PRIMARY, &pl))
		return;
	VP_CHECK(!(pl.flags & VPLANE_DISPLAY_PLANE_ENABLED) &&
			 pl.reason == want && pl.req_width == req_w &&
			 pl.req_height == req_h,
		 "%s: flags 0x%x reason %s (status %u, %ux%u), expected %s "
		 "(%ux%u)",
		 what, pl.flags, reason_name(pl.reason), pl.status,
		 pl.req_width, pl.req_height, reason_name(want), req_w, req_h);
	printf("# %s: reason %s\n", what, reason_name(pl.reason));
}

/* Discard queued events. */
static void drain(int dfd)
{
	struct vplane_display_event ev;

	while (read(dfd, &ev, sizeof(ev)) == sizeof(ev))
		;
}

/* Every queued FLIP of head 0's primary names a buffer; count them. */
static unsigned int flips_shown(int dfd, const char *what)
{
	struct vplane_display_event ev;
	unsigned int n = 0;

	while (read(dfd, &ev, sizeof(ev)) == sizeof(ev)) {
		if (ev.type != VPLANE_EVENT_FLIP || ev.head || ev.plane)
			continue;
		VP_CHECK(ev.dmabuf_id, "%s: FLIP event %u blanks the head",
			 what, ev.seq);
		n++;
	}
	return n;
}

/* Program a bochs mode the way QemuVideoDxe's mode set does. */
static void gop_set_mode(struct vmm_vgpu *d, uint16_t w, uint16_t h)
{
	vp_dispi_write(d, VPLANE_DISPI_ENABLE, 0);
	vp_dispi_write(d, VPLANE_DISPI_BANK, 0);
	vp_dispi_write(d, VPLANE_DISPI_X_OFFSET, 0);
	vp_dispi_write(d, VPLANE_DISPI_Y_OFFSET, 0);
	vp_dispi_write(d, VPLANE_DISPI_BPP, 32);
	vp_dispi_write(d, VPLANE_DISPI_XRES, w);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_WIDTH, w);
	vp_dispi_write(d, VPLANE_DISPI_YRES, h);
	vp_dispi_write(d, VPLANE_DISPI_VIRT_HEIGHT, h);
	vp_dispi_write(d, VPLANE_DISPI_ENABLE,
		       VPLANE_DISPI_ENABLED | VPLANE_DISPI_LFB_ENABLED);
}

/* The plane shows a @w x @h XRGB8888 mode; its dma-buf has its size. */
static bool mode_shown(struct vmm_vgpu *d, int dfd, uint32_t w, uint32_t h)
{
	uint64_t size =
		((uint64_t)w * 4 * h + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	struct vfio_device_gfx_plane_info info;
	struct vplane_display_plane pl;
	struct vplane_display_dmabuf db = { .argsz = sizeof(db) };
	off_t end;

	if (!query(dfd, 0, VPLANE_DISPLAY_PLANE_PRIMARY, &pl))
		return false;
	if (!(pl.flags & VPLANE_DISPLAY_PLANE_ENABLED))
		return false;
	VP_CHECK(pl.width == w && pl.height == h && pl.stride == w * 4 &&
			 pl.size == size && pl.head_width == w &&
			 pl.head_height == h &&
			 pl.drm_format == DRM_FORMAT_XRGB8888 &&
			 pl.reason == VPLANE_DISPLAY_REASON_NONE,
		 "%ux%u shown as %ux%u stride %u size %u head %ux%u reason %u",
		 w, h, pl.width, pl.height, pl.stride, pl.size, pl.head_width,
		 pl.head_height, pl.reason);
	VP_CHECK(!vp_query(d, 0, PRIMARY, &info) &&
			 info.dmabuf_id == pl.dmabuf_id,
		 "%ux%u: VFIO query says id %u, node %u", w, h, info.dmabuf_id,
		 pl.dmabuf_id);
	db.dmabuf_id = pl.dmabuf_id;
	if (ioctl(dfd, VPLANE_DISPLAY_GET_DMABUF, &db) < 0) {
		VP_FAIL("%ux%u: GET_DMABUF %u: %s", w, h, pl.dmabuf_id,
			strerror(errno));
		return false;
	}
	end = lseek(db.fd, 0, SEEK_END);
	VP_CHECK(end == (off_t)size, "%ux%u: dma-buf of %lld bytes, not %llu",
		 w, h, (long long)end, (unsigned long long)size);
	close(db.fd);
	return true;
}

static void test_ovmf(const char *type, unsigned int want_offered)
{
	unsigned int i, offered = 0, shown = 0, over_caps = 0;
	uint32_t avail, cap_w, cap_h, max_w;
	struct vmm_vgpu d;
	char uuid[40];
	int dfd;

	if (!vp_mdev_create("vplane", type, uuid))
		return;
	dfd = display_open(uuid);
	if (dfd < 0)
		goto out;
	expect_reason(dfd, VPLANE_DISPLAY_REASON_CLOSED, 0, 0, "before open");
	if (!vp_dev_open(&d, uuid))
		goto out_dfd;
	expect_reason(dfd, VPLANE_DISPLAY_REASON_WAITING, 0, 0, "after open");

	/* QemuVideoBochsModeSetup: VIDEO_MEMORY_64K is all it reads */
	avail = (uint32_t)vp_dispi_read(&d, VPLANE_DISPI_VIDEO_MEMORY_64K) *
		65536;
	vp_dispi_write(&d, VPLANE_DISPI_ENABLE, VPLANE_DISPI_GETCAPS);
	cap_w = vp_dispi_read(&d, VPLANE_DISPI_XRES);
	cap_h = vp_dispi_read(&d, VPLANE_DISPI_YRES);
	vp_dispi_write(&d, VPLANE_DISPI_ENABLE, 0);
	max_w = vp_mmio_read(&d, VPLANE_REG_MAX_WIDTH);

	for (i = 0; i < sizeof(gop_modes) / sizeof(gop_modes[0]); i++) {
		uint32_t w = gop_modes[i].w, h = gop_modes[i].h;

		if ((uint64_t)w * h * 4 > avail)
			continue;
		offered++;
		gop_set_mode(&d, w, h);
		if (mode_shown(&d, dfd, w, h)) {
			shown++;
			continue;
		}
		/*
		 * The firmware offered it from VIDEO_MEMORY_64K alone:
		 * refusing it, even one over GETCAPS (which QemuVideoDxe
		 * never reads), is a refusal the guest cannot see.
		 */
		if (w > cap_w || h > cap_h)
			over_caps++;
		VP_FAIL("%s: GOP mode %ux%u (fits VIDEO_MEMORY_64K %u; GETCAPS "
			"%ux%u) is not shown",
			type, w, h, avail >> 16, cap_w, cap_h);
	}
	VP_CHECK(offered == want_offered, "%s: %u GOP modes, expected %u", type,
		 offered, want_offered);
	printf("# %s: VIDEO_MEMORY_64K %u -> %u GOP modes, %u shown, %u "
	       "refused over GETCAPS %ux%u (vplane heads: max width %u)\n",
	       type, avail >> 16, offered, shown, over_caps, cap_w, cap_h,
	       max_w);

	/* what does not fit VRAM is a mode over the limit */
	gop_set_mode(&d, 8192, 4096);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_LIMIT, 8192, 4096,
		      "bochs 8192x4096");
	/* vplane's head: the type's limit, in HEAD_STATUS and the reason */
	vp_dispi_write(&d, VPLANE_DISPI_ENABLE, 0);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_OFF, 0, 0, "bochs off");
	vp_head_enable(&d, 0, max_w + 640, 1600);
	VP_CHECK(!(vp_mmio_read(&d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_STATUS) &
		   VPLANE_HEAD_STATUS_MODE_OK),
		 "%s: head mode %ux1600 accepted", type, max_w + 640);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_LIMIT, max_w + 640, 1600,
		      "vplane head over the limit");
	vp_head_enable(&d, 0, 640, 480);
	vp_plane_set(&d, 0, VPLANE_PLANE_PRIMARY, DRM_FORMAT_XRGB8888, 640, 480,
		     640 * 4, VPLANE_DOMAIN_VRAM, 100); /* misaligned */
	vp_mmio_write(&d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP, 1);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_INVALID, 0, 0,
		      "misaligned plane");
	if (ioctl(d.device, VFIO_DEVICE_RESET))
		VP_FAIL("VFIO_DEVICE_RESET: %s", strerror(errno));
	expect_reason(dfd, VPLANE_DISPLAY_REASON_RESET, 0, 0, "after reset");
	vp_dispi_write(&d, VPLANE_DISPI_BPP, 32);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_OFF, 0, 0,
		      "guest programs after reset");
	vp_dev_close(&d);
	expect_reason(dfd, VPLANE_DISPLAY_REASON_CLOSED, 0, 0, "after close");
out_dfd:
	close(dfd);
out:
	vp_mdev_remove(uuid);
}

static uint32_t shown_id(struct vmm_vgpu *d, int dfd, const char *what)
{
	struct vfio_device_gfx_plane_info info;
	struct vplane_display_plane pl;

	if (!query(dfd, 0, VPLANE_DISPLAY_PLANE_PRIMARY, &pl))
		return 0;
	VP_CHECK(pl.dmabuf_id, "%s: head blank (reason %s, status %u)", what,
		 reason_name(pl.reason), pl.status);
	VP_CHECK(!vp_query(d, 0, PRIMARY, &info) &&
			 info.dmabuf_id == pl.dmabuf_id,
		 "%s: VFIO query id %u, node %u", what, info.dmabuf_id,
		 pl.dmabuf_id);
	return pl.dmabuf_id;
}

/*
 * bochs_hw_setbase(): offset = buffer address, vy = offset / pitch, vx =
 * (offset % pitch) / 4, written X then Y. Two page-aligned buffers.
 */
static void test_offsets(void)
{
	static const uint16_t widths[] = { 800, 1366, 1400, 1680, 1920 };
	unsigned int i, moves = 0, events = 0;
	struct vmm_vgpu d;
	char uuid[40];
	uint8_t *vram;
	int dfd;

	if (!vp_mdev_create("vplane", "vplane-1head", uuid))
		return;
	dfd = display_open(uuid);
	if (dfd < 0 || !vp_dev_open(&d, uuid))
		goto out;
	vram = vp_map_vram(&d);
	for (i = 0; vram && i < sizeof(widths) / sizeof(widths[0]); i++) {
		uint32_t w = widths[i], h = 601, pitch = w * 4;
		uint64_t b = ((uint64_t)pitch * h + PAGE - 1) &
			     ~(uint64_t)(PAGE - 1);
		uint16_t vx = (b % pitch) / 4, vy = b / pitch;
		uint32_t id_a, id_b = 0, id;
		char what[64];
		int k;

		if (pitch % PAGE == 0 || b % pitch == 0)
			VP_FAIL("%u: pitch %u does not test the transient", w,
				pitch);
		memset(vram, 0x11, b);
		memset(vram + b, 0x22, b);
		gop_set_mode(&d, w, h);
		vp_dispi_write(&d, VPLANE_DISPI_VIRT_HEIGHT, 2 * h + 2);
		snprintf(what, sizeof(what), "%ux%u buffer A", w, h);
		id_a = shown_id(&d, dfd, what);
		drain(dfd);
		for (k = 0; k < 4; k++) {
			bool to_b = !(k & 1);

			/* X first: a state that is no page-aligned buffer */
			vp_dispi_write(&d, VPLANE_DISPI_VIRT_WIDTH, w);
			vp_dispi_write(&d, VPLANE_DISPI_X_OFFSET,
				       to_b ? vx : 0);
			snprintf(what, sizeof(what), "%ux%u between X and Y %s",
				 w, h, to_b ? "A->B" : "B->A");
			id = shown_id(&d, dfd, what);
			VP_CHECK(id == (to_b ? id_a : id_b),
				 "%s: shows id %u, not the last valid", what,
				 id);
			/* read now: the Y write's FLIP would supersede it */
			events += flips_shown(dfd, what);
			vp_dispi_write(&d, VPLANE_DISPI_Y_OFFSET,
				       to_b ? vy : 0);
			snprintf(what, sizeof(what), "%ux%u after Y %s", w, h,
				 to_b ? "A->B" : "B->A");
			id = shown_id(&d, dfd, what);
			if (to_b)
				id_b = id;
			VP_CHECK(id && (to_b ? id != id_a : id == id_a),
				 "%s: id %u (A %u)", what, id, id_a);
			events += flips_shown(dfd, what);
			moves++;
		}
	}
	printf("# offsets: %u moves X then Y at 5 pitches that are no page "
	       "multiple, %u FLIP events (after each write), none blank\n",
	       moves, events);
	VP_CHECK(events >= 2 * moves, "only %u FLIP events for %u moves",
		 events, moves);
	if (vram)
		munmap(vram, d.region[0].size);
	vp_dev_close(&d);
out:
	if (dfd >= 0)
		close(dfd);
	vp_mdev_remove(uuid);
}

int main(void)
{
	/* 16 MiB: 30 modes up to 2560x1600; 64 MiB: 35 up to 4096x2160 */
	test_ovmf("vplane-1head", 30);
	test_ovmf("vplane-2head", 35);
	test_offsets();
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-modes: OVMF GOP modes shown, offsets never blank, "
	       "reasons ok\n");
	return 0;
}
