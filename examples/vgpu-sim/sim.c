// SPDX-License-Identifier: MIT
/*
 * vplane-sim: a VMM and a guest in one process, driving a vplane vGPU.
 *
 * As VMM it opens the mdev through VFIO (group, type1v2 container), maps
 * "guest RAM" (a memfd) for DMA and routes the MSI to an eventfd.  As
 * guest it programs heads and planes through BAR2 (the vplane block, or
 * DISPI with --bochs), draws an animated, stamped test pattern into VRAM
 * or guest RAM, moves a cursor, rings the flip doorbell at the chosen
 * rate and waits for flip-done.  See draw.h for the stamp format.
 * With --edid-switch it plays both sides of a monitor change: the VMM
 * writes a new EDID, the guest reads it back through its EDID window and
 * modesets to the preferred mode.
 * Both roles go through the vgpu-player library (examples/vgpu-player:
 * vmm.h, guest.h), which the in-guest tests share.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "monotonic.h"
#include "draw.h"
#include "edid.h"
#include "guest.h"
#include "handover_send.h"
#include "vmm.h"
#include "vplane.h"
#include "vplane_display.h"

#define PAGE	4096u
#define RAM_GPA 0x100000000ull

struct options {
	const char *uuid;
	const char *create; /* mdev type to create and remove, or NULL */
	const char *share;  /* vplaned --vfio-socket to hand the fd to */
	bool share_display; /* hand it the display fd, not the device */
	unsigned int heads; /* 0: all the device has */
	uint32_t width;
	uint32_t height;
	uint32_t format;
	double rate;	       /* flips per second */
	uint32_t refresh;      /* head refresh, Hz */
	unsigned long frames;  /* 0: until interrupted */
	bool hold;	       /* after frames: keep the last one shown */
	uint32_t switch_frame; /* 0: no mode switch */
	uint32_t switch_width, switch_height;
	uint32_t edid_frame; /* 0: no EDID change */
	uint32_t edid_width, edid_height;
	bool guest_ram;
	bool bochs;
	bool cursor;
	bool quiet;
	unsigned int flip_timeout_ms; /* flip-done later than this: timeout */
};

struct head {
	struct sim_fb buf[2];
	uint64_t addr[2]; /* VRAM offset or GPA */
	uint8_t *cursor;
	uint64_t cursor_addr;
	unsigned int back;
	uint32_t seq;
};

struct sim {
	struct options opt;
	struct vmm_vgpu vfio;
	struct head head[VPLANE_MAX_HEADS];
	unsigned int nr_heads;
	double lat_sum_ms;
	double lat_max_ms;
	unsigned long lat_count;
	unsigned long timeouts;
	bool failed; /* a --mode-switch or --edid-switch failed */
};

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vplane-sim (--uuid UUID | --create TYPE) [options]\n"
		   "  --uuid UUID        existing vplane mdev (with --bochs: "
		   "any bochs-\n"
		   "                     compatible mdev, e.g. mbochs)\n"
		   "  --create TYPE      create an mdev of TYPE (e.g. "
		   "vplane-1head), remove at exit\n"
		   "  --heads N          heads to drive (default: all)\n"
		   "  --mode WxH         resolution (default 1024x768)\n"
		   "  --format F         xrgb8888 argb8888 xbgr8888 abgr8888 "
		   "rgb565\n"
		   "  --rate HZ          flips per second (default 60)\n"
		   "  --refresh HZ       head refresh rate (default 60)\n"
		   "  --frames N         stop after N frames (default: until "
		   "SIGINT)\n"
		   "  --hold             after --frames, keep the last frame "
		   "on screen\n"
		   "                     (device open) until SIGINT/SIGTERM\n"
		   "  --mode-switch N:WxH  at frame N every head changes to "
		   "WxH (a guest\n"
		   "                     modeset: head off, new mode, head "
		   "on)\n"
		   "  --edid-switch N:WxH  at frame N the VMM gives every "
		   "head a new EDID\n"
		   "                     preferring WxH@60 (link down, "
		   "EDID region, link up);\n"
		   "                     the guest reads it from its EDID "
		   "window and modesets\n"
		   "                     to the preferred mode\n"
		   "  --domain vram|ram  where the framebuffers live (default "
		   "vram)\n"
		   "  --bochs            drive head 0 through the bochs DISPI "
		   "registers\n"
		   "  --no-cursor        no cursor plane\n"
		   "  --quiet            only the summary\n"
		   "  --share-fd SOCKET  hand the VFIO device fd to vplaned's "
		   "--vfio-socket\n"
		   "                     (as a VMM does for upstream-only "
		   "vGPUs)\n"
		   "  --share-display SOCKET  hand vplaned the display fd "
		   "instead\n"
		   "                     (VPLANE_VFIO_GET_DISPLAY_FD: flip "
		   "events and acks)\n"
		   "  --flip-timeout MS  a flip-done later than this counts "
		   "as a timeout\n"
		   "                     (default 1000, or "
		   "$VPLANE_SIM_FLIP_TIMEOUT_MS; raise it on\n"
		   "                     slow debug kernels and loaded "
		   "hosts)\n");
}

static bool parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "create", required_argument, NULL, 'c' },
		{ "heads", required_argument, NULL, 'H' },
		{ "mode", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "rate", required_argument, NULL, 'r' },
		{ "refresh", required_argument, NULL, 'R' },
		{ "frames", required_argument, NULL, 'n' },
		{ "hold", no_argument, NULL, 'o' },
		{ "mode-switch", required_argument, NULL, 'M' },
		{ "edid-switch", required_argument, NULL, 'E' },
		{ "domain", required_argument, NULL, 'd' },
		{ "bochs", no_argument, NULL, 'b' },
		{ "no-cursor", no_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "flip-timeout", required_argument, NULL, 'T' },
		{ "share-fd", required_argument, NULL, 'S' },
		{ "share-display", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){
		.width = 1024,
		.height = 768,
		.format = DRM_FORMAT_XRGB8888,
		.rate = 60,
		.refresh = 60,
		.cursor = true,
		.flip_timeout_ms = 1000,
	};
	if (getenv("VPLANE_SIM_FLIP_TIMEOUT_MS")) {
		unsigned long ms =
			strtoul(getenv("VPLANE_SIM_FLIP_TIMEOUT_MS"), NULL, 10);

		if (ms && ms <= 600000)
			o->flip_timeout_ms = (unsigned int)ms;
	}
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->uuid = optarg;
			break;
		case 'c':
			o->create = optarg;
			break;
		case 'H':
			o->heads = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			if (sscanf(optarg, "%ux%u", &o->width, &o->height) !=
			    2) {
				fprintf(stderr, "bad --mode %s\n", optarg);
				return false;
			}
			break;
		case 'f':
			o->format = sim_format_parse(optarg);
			if (!o->format) {
				fprintf(stderr, "unknown --format %s\n",
					optarg);
				return false;
			}
			break;
		case 'r':
			o->rate = strtod(optarg, NULL);
			break;
		case 'R':
			o->refresh = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o->frames = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			o->hold = true;
			break;
		case 'M':
			if (sscanf(optarg, "%u:%ux%u", &o->switch_frame,
				   &o->switch_width, &o->switch_height) != 3 ||
			    !o->switch_frame || !o->switch_width ||
			    !o->switch_height) {
				fprintf(stderr, "bad --mode-switch %s\n",
					optarg);
				return false;
			}
			break;
		case 'E':
			/* %u would take "-1" as a huge frame number */
			if (!isdigit((unsigned char)optarg[0]) ||
			    sscanf(optarg, "%u:%ux%u", &o->edid_frame,
				   &o->edid_width, &o->edid_height) != 3 ||
			    !o->edid_frame || !o->edid_width ||
			    !o->edid_height ||
			    o->edid_width > SIM_EDID_MAX_DIM ||
			    o->edid_height > SIM_EDID_MAX_DIM) {
				fprintf(stderr,
					"bad --edid-switch %s: want N:WxH, "
					"N >= 1, W and H 1..%u\n",
					optarg, SIM_EDID_MAX_DIM);
				return false;
			}
			break;
		case 'd':
			if (!strcmp(optarg, "ram")) {
				o->guest_ram = true;
			} else if (strcmp(optarg, "vram")) {
				fprintf(stderr, "bad --domain %s\n", optarg);
				return false;
			}
			break;
		case 'b':
			o->bochs = true;
			break;
		case 'C':
			o->cursor = false;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'S':
			o->share = optarg;
			break;
		case 'D':
			o->share = optarg;
			o->share_display = true;
			break;
		case 'T':
			o->flip_timeout_ms =
				(unsigned int)strtoul(optarg, NULL, 0);
			if (!o->flip_timeout_ms ||
			    o->flip_timeout_ms > 600000) {
				fprintf(stderr, "bad --flip-timeout %s\n",
					optarg);
				return false;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return false;
		}
	}
	if (!o->uuid == !o->create) {
		usage(stderr);
		return false;
	}
	if (o->rate <= 0 || o->rate > 10000 || !o->width || !o->height) {
		fprintf(stderr, "bad rate or mode\n");
		return false;
	}
	if (o->bochs && (o->guest_ram || o->format != DRM_FORMAT_XRGB8888)) {
		fprintf(stderr, "--bochs scans out XRGB8888 from VRAM only\n");
		return false;
	}
	if (o->bochs && (o->switch_frame || o->edid_frame)) {
		fprintf(stderr, "--mode-switch and --edid-switch need "
				"vplane's head registers, not --bochs\n");
		return false;
	}
	if (o->hold && !o->frames) {
		fprintf(stderr, "--hold needs --frames\n");
		return false;
	}
	return true;
}

/* A register the guest reads; 0 if the access failed (guest.c logged
 * it), as a failed read of real hardware would read back garbage. */
static uint32_t reg(struct sim *s, uint32_t off)
{
	uint32_t val;

	return guest_read32(&s->vfio, off, &val) ? val : 0;
}

/* A vplane device, or with @bochs_only any device with bochs DISPI
 * registers (mbochs); false after saying which it is not. */
static bool check_device(struct vmm_vgpu *v, bool bochs_only)
{
	uint64_t bar2 = v->region[VFIO_PCI_BAR2_REGION_INDEX].size;
	uint32_t magic = 0;

	if (bochs_only) {
		/* any bochs-compatible vGPU: DISPI at the usual offset */
		if (bar2 <
		    VPLANE_MMIO_DISPI + 2 * (VPLANE_DISPI_VIRT_HEIGHT + 1)) {
			fprintf(stderr, "%s has no bochs DISPI registers\n",
				v->uuid);
			return false;
		}
		return true;
	}
	if (bar2 < VPLANE_MMIO_SIZE ||
	    !guest_read32(v, VPLANE_REG_MAGIC, &magic) ||
	    magic != VPLANE_MAGIC) {
		fprintf(stderr, "%s is not a vplane device\n", v->uuid);
		return false;
	}
	return true;
}

/* Lay out two framebuffers and a cursor per head in VRAM or guest RAM. */
static bool setup_memory(struct sim *s)
{
	const struct options *o = &s->opt;
	uint32_t cpp = sim_format_cpp(o->format);
	/* room for the largest mode of a --mode-switch or --edid-switch */
	uint32_t max_w =
		max_u32(o->width, max_u32(o->switch_width, o->edid_width));
	uint32_t max_h =
		max_u32(o->height, max_u32(o->switch_height, o->edid_height));
	uint32_t stride = (uint32_t)align_up((uint64_t)max_w * cpp, 256);
	uint64_t fb_size = align_up((uint64_t)stride * max_h, PAGE);
	uint64_t cur_size =
		align_up(SIM_CURSOR_SIZE * SIM_CURSOR_SIZE * 4, PAGE);
	uint64_t total, off = 0, first_fb2;
	uint8_t *base;
	unsigned int h, b;

	if (o->bochs) {
		/* second buffer at a page-aligned row so the y offset works */
		uint32_t y = o->height;

		stride = o->width * 4;
		while ((uint64_t)y * stride % PAGE)
			y++;
		first_fb2 = (uint64_t)y * stride;
		fb_size = align_up(first_fb2 + (uint64_t)stride * o->height,
				   PAGE);
		total = fb_size;
	} else {
		first_fb2 = fb_size;
		total = (uint64_t)s->nr_heads * (2 * fb_size + cur_size);
	}

	if (o->guest_ram) {
		if (!vmm_add_ram(&s->vfio, RAM_GPA, total))
			return false;
		base = s->vfio.ram;
	} else {
		if (total > s->vfio.region[VFIO_PCI_BAR0_REGION_INDEX].size) {
			fprintf(stderr,
				"%llu bytes of framebuffers do not fit in "
				"VRAM; try --domain ram\n",
				(unsigned long long)total);
			return false;
		}
		if (!vmm_map_vram(&s->vfio))
			return false;
		base = s->vfio.vram;
	}

	for (h = 0; h < s->nr_heads; h++) {
		struct head *hd = &s->head[h];

		for (b = 0; b < 2; b++) {
			uint64_t at = off + (b ? first_fb2 : 0);

			hd->buf[b] = (struct sim_fb){
				.data = base + at,
				.width = o->width,
				.height = o->height,
				.stride = stride,
				.format = o->format,
			};
			hd->addr[b] = (o->guest_ram ? RAM_GPA : 0) + at;
		}
		off += o->bochs ? fb_size : 2 * fb_size;
		if (!o->bochs) {
			hd->cursor = base + off;
			hd->cursor_addr = (o->guest_ram ? RAM_GPA : 0) + off;
			sim_draw_cursor(hd->cursor, SIM_CURSOR_SIZE * 4,
					SIM_CURSOR_SIZE / 2);
			off += cur_size;
		}
	}
	return true;
}

static bool plane_regs(struct sim *s, unsigned int h, unsigned int p,
		       uint32_t format, uint32_t w, uint32_t hgt,
		       uint32_t stride, uint64_t addr)
{
	const struct guest_plane plane = {
		.format = format,
		.width = w,
		.height = hgt,
		.stride = stride,
		.domain = s->opt.guest_ram ? VPLANE_DOMAIN_GUEST_RAM
					   : VPLANE_DOMAIN_VRAM,
		.addr = addr,
	};

	return guest_plane_set(&s->vfio, h, p, &plane);
}

static bool setup_bochs(struct sim *s)
{
	const struct options *o = &s->opt;
	const struct sim_fb *fb = &s->head[0].buf[0];
	struct vmm_vgpu *v = &s->vfio;

	return guest_dispi_write(v, VPLANE_DISPI_ENABLE, 0) &&
	       guest_dispi_write(v, VPLANE_DISPI_BPP, 32) &&
	       guest_dispi_write(v, VPLANE_DISPI_XRES, (uint16_t)o->width) &&
	       guest_dispi_write(v, VPLANE_DISPI_YRES, (uint16_t)o->height) &&
	       guest_dispi_write(v, VPLANE_DISPI_VIRT_WIDTH,
				 (uint16_t)o->width) &&
	       guest_dispi_write(v, VPLANE_DISPI_VIRT_HEIGHT,
				 (uint16_t)(s->head[0].addr[1] / fb->stride +
					    o->height)) &&
	       guest_dispi_write(v, VPLANE_DISPI_ENABLE,
				 VPLANE_DISPI_ENABLED |
					 VPLANE_DISPI_LFB_ENABLED);
}

static bool setup_heads(struct sim *s)
{
	const struct options *o = &s->opt;
	struct vmm_vgpu *v = &s->vfio;
	uint32_t irqs = 0;
	unsigned int h;

	if (o->bochs)
		return setup_bochs(s);

	for (h = 0; h < s->nr_heads; h++) {
		uint32_t cursor = VPLANE_MMIO_PLANE(h, VPLANE_PLANE_CURSOR);
		struct head *hd = &s->head[h];

		if (!guest_head_on(v, h, o->width, o->height,
				   o->refresh * 1000))
			return false;
		if (!guest_head_mode_ok(v, h)) {
			fprintf(stderr, "head %u refuses %ux%u\n", h, o->width,
				o->height);
			return false;
		}
		if (!plane_regs(s, h, VPLANE_PLANE_PRIMARY, o->format, o->width,
				o->height, hd->buf[0].stride, hd->addr[0]))
			return false;
		if (o->cursor &&
		    (!plane_regs(s, h, VPLANE_PLANE_CURSOR, DRM_FORMAT_ARGB8888,
				 SIM_CURSOR_SIZE, SIM_CURSOR_SIZE,
				 SIM_CURSOR_SIZE * 4, hd->cursor_addr) ||
		     !guest_write32(v, cursor + VPLANE_PLANE_HOT_X,
				    SIM_CURSOR_SIZE / 2) ||
		     !guest_write32(v, cursor + VPLANE_PLANE_HOT_Y,
				    SIM_CURSOR_SIZE / 2)))
			return false;
		hd->seq = reg(s, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_FLIP_SEQ);
		irqs |= VPLANE_INT_FLIP_DONE(h);
	}
	return vmm_enable_msi(v) &&
	       guest_write32(v, VPLANE_REG_INT_STATUS, 0xffffffffu) &&
	       guest_write32(v, VPLANE_REG_INT_ENABLE, irqs);
}

/* The cursor of head @h at @frame: a Lissajous path over the head. */
static void move_cursor(struct sim *s, unsigned int h, uint32_t frame)
{
	const struct options *o = &s->opt;
	uint32_t base = VPLANE_MMIO_PLANE(h, VPLANE_PLANE_CURSOR);
	double t = frame / 60.0;
	int32_t cx = (int32_t)((o->width / 2) * (1 + 0.9 * sin(t * 1.3 + h)));
	int32_t cy = (int32_t)((o->height / 2) * (1 + 0.9 * sin(t * 1.7)));

	guest_write32(&s->vfio, base + VPLANE_PLANE_POS_X,
		      (uint32_t)(cx - SIM_CURSOR_SIZE / 2));
	guest_write32(&s->vfio, base + VPLANE_PLANE_POS_Y,
		      (uint32_t)(cy - SIM_CURSOR_SIZE / 2));
}

/* Present the back buffer of every head, then wait for all flip-dones. */
static void flip_all(struct sim *s, uint32_t frame)
{
	const struct options *o = &s->opt;
	struct vmm_vgpu *v = &s->vfio;
	uint64_t t0 = monotonic_ns();
	uint32_t seq[VPLANE_MAX_HEADS], pending = 0;
	unsigned int h;
	double ms;

	if (o->bochs) {
		struct head *hd = &s->head[0];

		guest_dispi_write(
			v, VPLANE_DISPI_Y_OFFSET,
			(uint16_t)(hd->back ? hd->addr[1] / hd->buf[0].stride
					    : 0));
		hd->back ^= 1;
		return;
	}

	for (h = 0; h < s->nr_heads; h++) {
		struct head *hd = &s->head[h];
		uint32_t mask = VPLANE_FLIP_PLANE(VPLANE_PLANE_PRIMARY);

		guest_plane_addr(v, h, VPLANE_PLANE_PRIMARY,
				 hd->addr[hd->back]);
		if (o->cursor) {
			move_cursor(s, h, frame);
			mask |= VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR);
		}
		guest_flip(v, h, mask, NULL);
		seq[h] = ++hd->seq;
		hd->back ^= 1;
		pending |= 1u << h;
	}

	if (!guest_wait_flip_done(v, &pending, seq, o->flip_timeout_ms)) {
		if (errno == ETIMEDOUT) {
			s->timeouts++;
			fprintf(stderr, "frame %u: no flip-done within %u ms\n",
				frame, o->flip_timeout_ms);
		}
		return;
	}
	ms = (monotonic_ns() - t0) / 1e6;
	s->lat_sum_ms += ms;
	s->lat_count++;
	if (ms > s->lat_max_ms)
		s->lat_max_ms = ms;
}

/* A guest driver's modeset of head @h: head off, new mode, head on, the
 * primary plane reprogrammed at the new size. */
static bool set_head_mode(struct sim *s, unsigned int h, uint32_t width,
			  uint32_t height)
{
	const struct options *o = &s->opt;
	struct vmm_vgpu *v = &s->vfio;
	struct head *hd = &s->head[h];
	unsigned int b;

	if (!guest_head_off(v, h) || !guest_head_on(v, h, width, height, 0))
		return false;
	if (!guest_head_mode_ok(v, h)) {
		fprintf(stderr, "head %u refuses %ux%u\n", h, width, height);
		return false;
	}
	for (b = 0; b < 2; b++) {
		hd->buf[b].width = width;
		hd->buf[b].height = height;
	}
	if (!plane_regs(s, h, VPLANE_PLANE_PRIMARY, o->format, width, height,
			hd->buf[0].stride, hd->addr[hd->back]))
		return false;
	hd->seq = reg(s, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_FLIP_SEQ);
	return true;
}

/* --mode-switch: every head changes to the same mode. */
static bool switch_mode(struct sim *s)
{
	const struct options *o = &s->opt;
	unsigned int h;

	for (h = 0; h < s->nr_heads; h++)
		if (!set_head_mode(s, h, o->switch_width, o->switch_height))
			return false;
	if (!o->quiet)
		printf("mode %ux%u\n", o->switch_width, o->switch_height);
	return true;
}

/* --edid-switch, before the first frame: the VMM refuses a mode above
 * the limits the vGPU type advertises in each head's EDID region. */
static bool check_edid_switch(struct sim *s)
{
	const struct options *o = &s->opt;
	struct vfio_region_gfx_edid info;
	unsigned int h;

	for (h = 0; o->edid_frame && h < s->nr_heads; h++) {
		if (!vmm_edid_info(&s->vfio, h, &info))
			return false;
		if (o->edid_width > info.max_xres ||
		    o->edid_height > info.max_yres) {
			fprintf(stderr,
				"--edid-switch %ux%u: head %u of this vGPU "
				"type takes at most %ux%u\n",
				o->edid_width, o->edid_height, h, info.max_xres,
				info.max_yres);
			return false;
		}
	}
	return true;
}

/* The guest after a hot-plug of head @h: connector state, then the EDID
 * read through its MMIO window, the preferred size into @width/@height. */
static bool guest_read_edid(struct sim *s, unsigned int h, uint32_t *width,
			    uint32_t *height)
{
	uint32_t base = VPLANE_MMIO_HEAD(h);
	uint32_t status = reg(s, VPLANE_REG_INT_STATUS);
	uint32_t conn = reg(s, base + VPLANE_HEAD_CONNECTOR);
	uint32_t size = reg(s, base + VPLANE_HEAD_EDID_SIZE);
	uint8_t edid[VPLANE_EDID_MAX];
	uint32_t off, word, pw, ph;

	if (!(status & VPLANE_INT_HOTPLUG(h))) {
		fprintf(stderr, "head %u: no hot-plug after the EDID change\n",
			h);
		return false;
	}
	guest_write32(&s->vfio, VPLANE_REG_INT_STATUS, VPLANE_INT_HOTPLUG(h));
	if (!(conn & VPLANE_CONN_CONNECTED) || !(conn & VPLANE_CONN_EDID) ||
	    size < SIM_EDID_SIZE || size > sizeof(edid)) {
		fprintf(stderr,
			"head %u: connector 0x%x with %u bytes of EDID after "
			"the EDID change\n",
			h, conn, size);
		return false;
	}
	for (off = 0; off < size; off += 4) {
		word = reg(s, VPLANE_MMIO_EDID(h) + off);
		memcpy(edid + off, &word, 4); /* registers are little-endian */
	}
	if (!sim_edid_preferred(edid, size, width, height))
		return false;
	/* the device decodes the same descriptor into its head registers */
	pw = reg(s, base + VPLANE_HEAD_PREF_WIDTH);
	ph = reg(s, base + VPLANE_HEAD_PREF_HEIGHT);
	if (pw != *width || ph != *height) {
		fprintf(stderr,
			"head %u: EDID prefers %ux%u, PREF_WIDTH/HEIGHT say "
			"%ux%u\n",
			h, *width, *height, pw, ph);
		return false;
	}
	return true;
}

/* --edid-switch: the VMM gives every head a monitor preferring the new
 * mode; the guest notices, reads the EDID and follows. */
static bool switch_edid(struct sim *s)
{
	const struct options *o = &s->opt;
	uint8_t edid[SIM_EDID_SIZE];
	uint32_t w = 0, hgt = 0;
	unsigned int h;

	if (!sim_edid_build(edid, o->edid_width, o->edid_height))
		return false;
	for (h = 0; h < s->nr_heads; h++)
		if (!vmm_set_edid(&s->vfio, h, edid, sizeof(edid)))
			return false;
	for (h = 0; h < s->nr_heads; h++) {
		if (!guest_read_edid(s, h, &w, &hgt) ||
		    !set_head_mode(s, h, w, hgt))
			return false;
	}
	if (!o->quiet) {
		printf("edid %ux%u\n", w, hgt);
		printf("mode %ux%u\n", w, hgt);
	}
	return true;
}

static void run(struct sim *s)
{
	const struct options *o = &s->opt;
	uint64_t period = (uint64_t)(1e9 / o->rate), start = monotonic_ns();
	uint64_t last_report = start;
	uint32_t frame;
	unsigned int h;

	for (frame = 0; !stop && (!o->frames || frame < o->frames); frame++) {
		uint64_t next = start + (frame + 1) * period, now;
		struct timespec ts;

		if ((o->switch_frame && frame == o->switch_frame &&
		     !switch_mode(s)) ||
		    (o->edid_frame && frame == o->edid_frame &&
		     !switch_edid(s))) {
			s->failed = true;
			break;
		}
		for (h = 0; h < s->nr_heads; h++) {
			struct head *hd = &s->head[h];

			sim_draw_frame(&hd->buf[hd->back], frame,
				       monotonic_ns(), h);
		}
		flip_all(s, frame);

		now = monotonic_ns();
		if (!o->quiet && now - last_report >= 1000000000u) {
			printf("frame %u, flip-done avg %.2f ms max %.2f ms\n",
			       frame,
			       s->lat_count ? s->lat_sum_ms / s->lat_count : 0,
			       s->lat_max_ms);
			fflush(stdout);
			last_report = now;
		}
		if (next > now) {
			ts.tv_sec = (time_t)(next / 1000000000u);
			ts.tv_nsec = (long)(next % 1000000000u);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL);
		}
	}
	if (o->hold && !stop && !s->failed) {
		sigset_t block, old;

		/* the last flip is done (flip_all waited): it is on screen */
		printf("# vplane-sim: holding frame %u\n", frame - 1);
		fflush(stdout);
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, &old);
		while (!stop)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	printf("# vplane-sim: %u frames, %u head(s) %ux%u %.4s in %s%s, "
	       "%.1f fps target; flip-done avg %.2f ms max %.2f ms, %lu "
	       "timeouts\n",
	       frame, s->nr_heads, o->width, o->height,
	       (const char *)&o->format, o->guest_ram ? "guest RAM" : "VRAM",
	       o->bochs ? " (bochs)" : "", o->rate,
	       s->lat_count ? s->lat_sum_ms / s->lat_count : 0, s->lat_max_ms,
	       s->timeouts);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = handle_signal };
	static struct sim s;
	char created[VMM_UUID_LEN] = "";
	unsigned int dev_heads;
	int share_fd = -1, ret = 1;

	if (!parse_options(&s.opt, argc, argv))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (s.opt.create) {
		if (!vmm_mdev_create("vplane", s.opt.create, created))
			return 1;
		s.opt.uuid = created;
	}
	/* vfio_pin_pages(), so guest RAM planes, needs type1v2 */
	if (!vmm_open(&s.vfio, s.opt.uuid, VFIO_TYPE1v2_IOMMU))
		goto out_remove;
	if (!check_device(&s.vfio, s.opt.bochs))
		goto out_close;

	/* bochs DISPI alone needs none of vplane's registers (mbochs has
	 * none): one head */
	dev_heads = s.opt.bochs ? 1 : reg(&s, VPLANE_REG_NUM_HEADS);
	s.nr_heads = s.opt.heads ? s.opt.heads : dev_heads;
	if (s.opt.bochs)
		s.nr_heads = 1;
	if (!s.nr_heads || s.nr_heads > dev_heads ||
	    s.nr_heads > VPLANE_MAX_HEADS) {
		fprintf(stderr, "device has %u head(s)\n", dev_heads);
		goto out_close;
	}
	if (!check_edid_switch(&s) || !setup_memory(&s) || !setup_heads(&s))
		goto out_close;
	if (s.opt.share) {
		/* the VMM keeps its device; vplaned gets a display fd */
		int fd = s.opt.share_display ? ioctl(s.vfio.device,
						     VPLANE_VFIO_GET_DISPLAY_FD)
					     : s.vfio.device;

		if (fd < 0) {
			perror("VPLANE_VFIO_GET_DISPLAY_FD");
			goto out_close;
		}
		share_fd = vplane_handover_send("vplane-sim", s.opt.share,
						s.opt.uuid, fd);
		if (s.opt.share_display)
			close(fd);
		if (share_fd < 0)
			goto out_close;
	}
	run(&s);
	if (share_fd >= 0)
		close(share_fd);
	ret = s.timeouts || s.failed ? 1 : 0;

out_close:
	vmm_close(&s.vfio);
out_remove:
	if (created[0])
		vmm_mdev_remove(created);
	return ret;
}
