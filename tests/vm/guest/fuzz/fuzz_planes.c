// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: random plane programs through vplane's register block and
 * bochs DISPI, in VRAM and guest RAM.  An accepted plane must be in bounds
 * and have an id; QUERY_GFX_PLANE must describe it, and its dma-buf must
 * hold what the plane shows.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void dispi_write(struct fuzz *f, unsigned int index, uint16_t val)
{
	FZ_CHECK(f, guest_dispi_write(&f->dev, index, val), "DISPI write %u",
		 index);
}

/* ---- plane programs ----------------------------------------------------- */

static uint32_t format_cpp(uint32_t format, unsigned int plane)
{
	if (plane == VPLANE_PLANE_CURSOR)
		return format == FZ_ARGB8888 ? 4 : 0;
	switch (format) {
	case FZ_XRGB8888:
	case FZ_ARGB8888:
	case FZ_XBGR8888:
	case FZ_ABGR8888:
		return 4;
	case FZ_RGB565:
		return 2;
	}
	return 0;
}

static uint32_t pick_dim(struct fuzz *f, uint32_t max)
{
	unsigned int r = fz_below(f, 100);

	if (r < 72)
		return 1 + fz_below(f, max < 256 ? max : 256);
	if (r < 80)
		return max;
	if (r < 85)
		return max + 1;
	if (r < 88)
		return 0;
	if (r < 95)
		return 1 + fz_below(f, max);
	return fz_one_in(f, 2) ? 0xffffffff : (uint32_t)fz_rand(f);
}

static uint32_t pick_stride(struct fuzz *f, uint64_t min)
{
	uint64_t al = (min + 3) & ~3ull;
	unsigned int r = fz_below(f, 100);

	if (r < 62)
		return (uint32_t)al;
	if (r < 77)
		return (uint32_t)(al + 4 * fz_below(f, 64));
	if (r < 82)
		return (uint32_t)(min - 1);
	if (r < 86)
		return VPLANE_MAX_STRIDE;
	if (r < 89)
		return VPLANE_MAX_STRIDE + 4;
	if (r < 92)
		return 0;
	return (uint32_t)fz_rand(f);
}

static uint64_t pick_addr(struct fuzz *f, uint32_t domain, uint64_t size,
			  bool sane)
{
	bool guest = domain == VPLANE_DOMAIN_GUEST_RAM;
	uint64_t base = guest ? FZ_RAM_IOVA : 0;
	uint64_t span = guest ? FZ_RAM_SIZE : f->vram_size;
	uint64_t room = size <= span ? span - size : 0;
	unsigned int r = sane ? fz_below(f, 65) : fz_below(f, 100);

	if (r < 55)
		return base + fz_below(f, room / FZ_PAGE + 1) * FZ_PAGE;
	if (r < 65)
		return base + room; /* ends at the end */
	if (r < 72)
		return base + room + FZ_PAGE; /* one page over */
	if (r < 76)
		return base + span;
	if (r < 81)
		return base + fz_below(f, room / FZ_PAGE + 1) * FZ_PAGE +
		       4 * (1 + fz_below(f, 1023)); /* unaligned */
	if (r < 85)
		return guest ? FZ_RAM_IOVA - FZ_PAGE : 1ull << 32;
	if (r < 89)
		return (1ull << 52) - size;
	if (r < 93)
		return ~0ull - 4095;
	return fz_rand(f) & ~4095ull;
}

struct plane_regs {
	uint32_t r[VPLANE_PLANE_HOT_Y / 4 + 1];
};

/* Program the pending registers of @h/@p with something random. */
static void program_plane(struct fuzz *f, unsigned int h, unsigned int p)
{
	static const uint32_t formats[] = {
		FZ_XRGB8888,
		FZ_ARGB8888,
		FZ_XBGR8888,
		FZ_ABGR8888,
		FZ_RGB565,
		0,
		FZ_FOURCC('N', 'V', '1', '2'),
	};
	bool cursor = p == VPLANE_PLANE_CURSOR;
	uint32_t maxw = cursor ? VPLANE_CURSOR_MAX : f->max_width;
	uint32_t maxh = cursor ? VPLANE_CURSOR_MAX : f->max_height;
	uint32_t base = VPLANE_MMIO_PLANE(h, p), format, w, hh, stride, domain;
	uint32_t cpp;
	uint64_t addr, size;
	struct plane_regs regs;
	unsigned int i, r = fz_below(f, 100);
	bool sane = fz_below(f, 100) < 55;

	format = cursor && r < 75 ? FZ_ARGB8888
		 : r < 55	  ? FZ_XRGB8888
				  : formats[fz_below(f, sizeof(formats) /
								sizeof(formats[0]))];
	cpp = format_cpp(format, p) ? format_cpp(format, p) : 4;
	if (sane) { /* a plane a real driver would program */
		format = cursor ? FZ_ARGB8888
				: formats[fz_below(f, 5)]; /* the valid ones */
		cpp = format_cpp(format, p);
		w = 1 + fz_below(f, maxw < 256 ? maxw : 256);
		hh = 1 + fz_below(f, maxh < 256 ? maxh : 256);
		if (fz_one_in(f, 10)) {
			w = maxw;
			hh = maxh;
		}
		stride = ((w * cpp + 3) & ~3u) +
			 4 * fz_below(f, 4) * fz_below(f, 2);
		domain = fz_below(f, 2) ? VPLANE_DOMAIN_VRAM
					: VPLANE_DOMAIN_GUEST_RAM;
	} else {
		w = pick_dim(f, maxw);
		hh = pick_dim(f, maxh);
		stride = pick_stride(f, (uint64_t)w * cpp);
		r = fz_below(f, 100);
		domain = r < 48	  ? VPLANE_DOMAIN_VRAM
			 : r < 95 ? VPLANE_DOMAIN_GUEST_RAM
			 : r < 98 ? 2
				  : (uint32_t)fz_rand(f);
	}
	size = ((uint64_t)stride * hh + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	addr = pick_addr(f, domain, size, sane);

	regs.r[VPLANE_PLANE_CTRL / 4] = sane		   ? 1
					: fz_one_in(f, 12) ? 0
					: fz_one_in(f, 20) ? ~0u
							   : 1;
	regs.r[VPLANE_PLANE_FORMAT / 4] = format;
	regs.r[VPLANE_PLANE_WIDTH / 4] = w;
	regs.r[VPLANE_PLANE_HEIGHT / 4] = hh;
	regs.r[VPLANE_PLANE_STRIDE / 4] = stride;
	regs.r[VPLANE_PLANE_DOMAIN / 4] = domain;
	regs.r[VPLANE_PLANE_ADDR_LO / 4] = (uint32_t)addr;
	regs.r[VPLANE_PLANE_ADDR_HI / 4] = (uint32_t)(addr >> 32);
	for (i = 0; i < 2; i++) {
		uint32_t lim = i ? f->max_height : f->max_width;
		uint32_t dim = i ? hh : w;

		r = sane ? fz_below(f, 70) : fz_below(f, 100);
		regs.r[VPLANE_PLANE_POS_X / 4 + i] =
			r < 50	 ? 0
			: r < 70 ? fz_below(f, lim)
			: r < 78 ? lim
			: r < 84 ? lim - 1
			: r < 92 ? (uint32_t)(1 - (int64_t)dim) - fz_below(f, 2)
				 : (uint32_t)fz_rand(f);
		r = sane ? fz_below(f, 80) : fz_below(f, 100);
		regs.r[VPLANE_PLANE_HOT_X / 4 + i] =
			r < 40	 ? VPLANE_HOT_NONE
			: r < 80 ? fz_below(f, dim + 1)
			: r < 90 ? dim
				 : (uint32_t)fz_rand(f);
	}
	fz_trace(f,
		 "plane h%u p%u: fmt %08x %ux%u stride %u dom %u addr 0x%llx",
		 h, p, format, w, hh, stride, domain, (unsigned long long)addr);
	for (i = 0; i < sizeof(regs.r) / sizeof(regs.r[0]); i++)
		if (sane || !fz_one_in(f, 40)) /* sometimes leave one stale */
			fz_mmio_write(f, base + 4 * i, regs.r[i]);

	/* sub-word writes to plane registers must be ignored */
	if (fz_one_in(f, 10) && h < f->nr_heads) {
		uint32_t reg = base + 4 * fz_below(f, 12), before, after;
		uint16_t junk = (uint16_t)fz_rand(f);

		before = fz_mmio_read(f, reg);
		FZ_CHECK(f,
			 pwrite(f->dev.device, &junk, 2,
				f->dev.region[VFIO_PCI_BAR2_REGION_INDEX]
						.offset +
					reg + 2 * fz_below(f, 2)) == 2,
			 "16-bit write");
		after = fz_mmio_read(f, reg);
		FZ_CHECK(f, before == after,
			 "16-bit write changed register 0x%x: 0x%x -> 0x%x",
			 reg, before, after);
	}
}

static void program_head(struct fuzz *f, unsigned int h)
{
	uint32_t base = VPLANE_MMIO_HEAD(h), w, hh, refresh;
	unsigned int r = fz_below(f, 100);

	if (r < 10) {
		fz_mmio_write(f, base + VPLANE_HEAD_CTRL, 0);
		return;
	}
	w = r < 85 ? 1 + fz_below(f, f->max_width) : pick_dim(f, f->max_width);
	hh = r < 85 ? 1 + fz_below(f, f->max_height)
		    : pick_dim(f, f->max_height);
	r = fz_below(f, 8);
	refresh = r < 4	   ? VPLANE_REFRESH_DEFAULT
		  : r == 4 ? VPLANE_REFRESH_MAX
		  : r == 5 ? VPLANE_REFRESH_MAX + 1
		  : r == 6 ? 0
			   : (uint32_t)fz_rand(f);
	fz_mmio_write(f, base + VPLANE_HEAD_WIDTH, w);
	fz_mmio_write(f, base + VPLANE_HEAD_HEIGHT, hh);
	fz_mmio_write(f, base + VPLANE_HEAD_REFRESH, refresh);
	fz_mmio_write(f, base + VPLANE_HEAD_CTRL,
		      fz_one_in(f, 10) ? (uint32_t)fz_rand(f)
				       : VPLANE_HEAD_CTRL_ENABLE);
	fz_trace(f, "head %u mode %ux%u refresh %u", h, w, hh, refresh);
}

/*
 * Right after a FLIP latched plane @h/@p: its pending registers are what
 * was latched.  An accepted plane must be in bounds and have an id; the
 * id is recorded with what it describes.
 */
static void check_latched(struct fuzz *f, unsigned int h, unsigned int p,
			  struct fz_obj *out)
{
	uint32_t base = VPLANE_MMIO_PLANE(h, p), r[VPLANE_PLANE_HOT_Y / 4 + 1];
	uint32_t status, id, cpp, maxw, maxh;
	struct fz_obj obj = { 0 };
	uint64_t addr, size;
	unsigned int i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		r[i] = fz_mmio_read(f, base + 4 * i);
	status = fz_mmio_read(f, base + VPLANE_PLANE_STATUS);
	id = fz_mmio_read(f, base + VPLANE_PLANE_ACTIVE_ID);
	fz_trace(f, "latched h%u p%u: status %u id %u", h, p, status, id);
	memset(out, 0, sizeof(*out));
	if (h >= f->nr_heads) {
		FZ_CHECK(f, !status && !id,
			 "head %u does not exist but reads status %u id %u", h,
			 status, id);
		return;
	}
	FZ_CHECK(f, (status == VPLANE_PLANE_STATUS_OK) == (id != 0),
		 "h%u p%u status %u with active id %u", h, p, status, id);
	FZ_CHECK(f, status <= VPLANE_PLANE_STATUS_NO_RESOURCE,
		 "unknown plane status %u", status);
	if (status != VPLANE_PLANE_STATUS_OK)
		return;

	f->planes_ok++;
	cpp = format_cpp(r[VPLANE_PLANE_FORMAT / 4], p);
	maxw = p == VPLANE_PLANE_CURSOR ? VPLANE_CURSOR_MAX : f->max_width;
	maxh = p == VPLANE_PLANE_CURSOR ? VPLANE_CURSOR_MAX : f->max_height;
	addr = (uint64_t)r[VPLANE_PLANE_ADDR_HI / 4] << 32 |
	       r[VPLANE_PLANE_ADDR_LO / 4];
	size = ((uint64_t)r[VPLANE_PLANE_STRIDE / 4] *
			r[VPLANE_PLANE_HEIGHT / 4] +
		FZ_PAGE - 1) &
	       ~(FZ_PAGE - 1);
	FZ_CHECK(f,
		 (r[VPLANE_PLANE_CTRL / 4] & VPLANE_PLANE_CTRL_ENABLE) && cpp &&
			 r[VPLANE_PLANE_WIDTH / 4] &&
			 r[VPLANE_PLANE_WIDTH / 4] <= maxw &&
			 r[VPLANE_PLANE_HEIGHT / 4] &&
			 r[VPLANE_PLANE_HEIGHT / 4] <= maxh &&
			 r[VPLANE_PLANE_STRIDE / 4] >=
				 (uint64_t)r[VPLANE_PLANE_WIDTH / 4] * cpp &&
			 r[VPLANE_PLANE_STRIDE / 4] <= VPLANE_MAX_STRIDE &&
			 !(r[VPLANE_PLANE_STRIDE / 4] & 3) &&
			 !(addr & (FZ_PAGE - 1)),
		 "h%u p%u accepted: ctrl %x fmt %08x %ux%u stride %u addr "
		 "0x%llx",
		 h, p, r[0], r[1], r[2], r[3], r[4], (unsigned long long)addr);
	if (r[VPLANE_PLANE_DOMAIN / 4] == VPLANE_DOMAIN_VRAM)
		FZ_CHECK(f, addr <= f->vram_size && size <= f->vram_size - addr,
			 "h%u p%u accepted VRAM 0x%llx+0x%llx past 0x%llx", h,
			 p, (unsigned long long)addr, (unsigned long long)size,
			 (unsigned long long)f->vram_size);
	else
		FZ_CHECK(f,
			 r[VPLANE_PLANE_DOMAIN / 4] ==
					 VPLANE_DOMAIN_GUEST_RAM &&
				 fz_gpa_mapped(f, addr, size),
			 "h%u p%u accepted domain %u GPA 0x%llx+0x%llx that is "
			 "not mapped",
			 h, p, r[VPLANE_PLANE_DOMAIN / 4],
			 (unsigned long long)addr, (unsigned long long)size);
	obj.id = id;
	obj.domain = r[VPLANE_PLANE_DOMAIN / 4];
	obj.addr = addr;
	obj.size = size;
	obj.session = f->session;
	fz_obj_add(f, &obj);
	*out = obj;
}

/* Query the plane QEMU-style; an accepted plane must answer with its id. */
static void query_latched(struct fuzz *f, unsigned int h, unsigned int p,
			  const struct fz_obj *obj)
{
	struct vfio_device_gfx_plane_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = VPLANE_QUERY_HEAD(h) |
				  (p == VPLANE_PLANE_CURSOR ? FZ_PLANE_CURSOR
							    : FZ_PLANE_PRIMARY),
	};
	uint32_t hs = fz_mmio_read(f, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_STATUS);
	int fd;

	FZ_CHECK(f, !ioctl(f->dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, &info),
		 "query h%u p%u: %s", h, p, strerror(errno));
	if (!(hs & VPLANE_HEAD_STATUS_MODE_OK) || !obj->id)
		return;
	FZ_CHECK(
		f, info.dmabuf_id == obj->id && info.size == obj->size,
		"query h%u p%u: id %u size 0x%llx, plane has id %u size 0x%llx",
		h, p, info.dmabuf_id, (unsigned long long)info.size, obj->id,
		(unsigned long long)obj->size);
	if (fz_one_in(f, 2))
		return;
	fd = ioctl(f->dev.device, VFIO_DEVICE_GET_GFX_DMABUF, &info.dmabuf_id);
	if (fd < 0) {
		FZ_CHECK(f, errno == ENOSPC, "GET id %u of an active plane: %s",
			 obj->id, strerror(errno));
		return;
	}
	fz_dmabuf_check(f, fd, obj);
	fz_keep(f, fd, obj);
}

static void flip(struct fuzz *f, unsigned int h, uint32_t mask, bool query)
{
	struct fz_obj obj;
	unsigned int p;

	fz_mmio_write(f, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_FLIP, mask);
	fz_trace(f, "flip h%u mask 0x%x", h, mask);
	for (p = 0; p < VPLANE_NUM_PLANES; p++) {
		if (!(mask & VPLANE_FLIP_PLANE(p)))
			continue;
		check_latched(f, h, p, &obj);
		if (query && h < f->nr_heads)
			query_latched(f, h, p, &obj);
	}
}

void fz_op_plane(struct fuzz *f)
{
	unsigned int h = fz_below(f, f->nr_heads + fz_one_in(f, 16));
	unsigned int p = fz_below(f, VPLANE_NUM_PLANES);
	uint32_t mask = VPLANE_FLIP_PLANE(p);

	program_plane(f, h, p);
	if (fz_below(f, 3))
		program_head(f, h);
	if (fz_one_in(f, 8))
		return; /* left pending */
	if (fz_one_in(f, 6))
		mask = fz_one_in(f, 2) ? 3 : (uint32_t)fz_rand(f);
	flip(f, h, mask, fz_below(f, 3) == 0);
}

void fz_op_flip(struct fuzz *f)
{
	unsigned int h = fz_below(f, f->nr_heads + fz_one_in(f, 8));

	switch (fz_below(f, 4)) {
	case 0:
		fz_mmio_write(f, VPLANE_REG_INT_ENABLE, (uint32_t)fz_rand(f));
		break;
	case 1:
		fz_mmio_write(f, VPLANE_REG_INT_STATUS, (uint32_t)fz_rand(f));
		break;
	default:
		flip(f, h,
		     fz_one_in(f, 4) ? (uint32_t)fz_rand(f)
				     : 1 + fz_below(f, 3),
		     fz_one_in(f, 2));
	}
}

/* ---- bochs DISPI -------------------------------------------------------- */

void fz_op_bochs(struct fuzz *f)
{
	struct vfio_device_gfx_plane_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = FZ_PLANE_PRIMARY,
	};
	static const uint16_t bpps[] = { 32, 32, 32, 32, 16, 24, 8, 0 };
	uint16_t xres, yres, bpp, vw, vh, xo, yo, en;
	uint64_t stride, addr, size;
	unsigned int r = fz_below(f, 100);
	bool valid;
	int fd;

	xres = r < 75	? 1 + fz_below(f, 512)
	       : r < 85 ? f->max_width
	       : r < 90 ? f->max_width + 1
			: (uint16_t)fz_rand(f);
	r = fz_below(f, 100);
	yres = r < 75	? 1 + fz_below(f, 512)
	       : r < 85 ? f->max_height
	       : r < 90 ? 0
			: (uint16_t)fz_rand(f);
	bpp = bpps[fz_below(f, 8)];
	r = fz_below(f, 10);
	vw = r < 6   ? xres
	     : r < 8 ? xres + fz_below(f, 64)
		     : (uint16_t)fz_rand(f);
	vh = r < 8 ? yres : (uint16_t)fz_rand(f);
	r = fz_below(f, 10);
	xo = r < 7 ? 0 : r < 9 ? 1024 * fz_below(f, 4) : (uint16_t)fz_rand(f);
	yo = fz_below(f, 10) < 7 ? 0
	     : fz_below(f, 2)	 ? fz_below(f, 2048)
				 : (uint16_t)fz_rand(f);
	r = fz_below(f, 10);
	en = r < 7   ? VPLANE_DISPI_ENABLED | VPLANE_DISPI_LFB_ENABLED
	     : r < 8 ? VPLANE_DISPI_ENABLED | VPLANE_DISPI_GETCAPS
	     : r < 9 ? 0
		     : (uint16_t)fz_rand(f);

	dispi_write(f, VPLANE_DISPI_ENABLE, 0);
	dispi_write(f, VPLANE_DISPI_BPP, bpp);
	dispi_write(f, VPLANE_DISPI_XRES, xres);
	dispi_write(f, VPLANE_DISPI_YRES, yres);
	dispi_write(f, VPLANE_DISPI_BANK, 0);
	dispi_write(f, VPLANE_DISPI_VIRT_WIDTH, vw);
	dispi_write(f, VPLANE_DISPI_VIRT_HEIGHT, vh);
	dispi_write(f, VPLANE_DISPI_X_OFFSET, xo);
	dispi_write(f, VPLANE_DISPI_Y_OFFSET, yo);
	dispi_write(f, VPLANE_DISPI_ENABLE, en);
	if (fz_one_in(f, 8)) { /* wrong widths: ignored */
		fz_mmio_write(f, VPLANE_MMIO_DISPI + 4, (uint32_t)fz_rand(f));
		FZ_CHECK(f,
			 pwrite(f->dev.device, &xo, 1,
				f->dev.region[VFIO_PCI_BAR2_REGION_INDEX]
						.offset +
					VPLANE_MMIO_DISPI + 2) == 1,
			 "8-bit write");
	}
	if (fz_one_in(f, 2))
		fz_mmio_write(f, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL, 0);
	fz_trace(f, "dispi %ux%u bpp %u virt %ux%u off %u,%u enable 0x%x", xres,
		 yres, bpp, vw, vh, xo, yo, en);

	FZ_CHECK(f, !ioctl(f->dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, &info),
		 "query bochs: %s", strerror(errno));
	if (fz_mmio_read(f, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_STATUS) &
	    VPLANE_HEAD_STATUS_MODE_OK)
		return; /* head 0 shows vplane planes */

	stride = (uint64_t)(vw > xres ? vw : xres) * 4;
	addr = (uint64_t)yo * stride + (uint64_t)xo * 4;
	size = (stride * yres + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	valid = (en & VPLANE_DISPI_ENABLED) && bpp == 32 && xres && yres &&
		xres <= VPLANE_DISPI_MAX_XRES &&
		yres <= VPLANE_DISPI_MAX_YRES && stride <= VPLANE_MAX_STRIDE &&
		!(addr & (FZ_PAGE - 1)) && addr <= f->vram_size &&
		size <= f->vram_size - addr;
	fz_trace(f,
		 "bochs query: id %u %ux%u stride %u size 0x%llx (expect %s)",
		 info.dmabuf_id, info.width, info.height, info.stride,
		 (unsigned long long)info.size, valid ? "plane" : "none");
	FZ_CHECK(f, valid == (info.dmabuf_id != 0),
		 "bochs mode %ux%u bpp %u virt %u off %u,%u enable 0x%x: "
		 "expected %s, got id %u",
		 xres, yres, bpp, vw, xo, yo, en, valid ? "a plane" : "none",
		 info.dmabuf_id);
	if (!valid)
		return;
	FZ_CHECK(f,
		 info.width == xres && info.height == yres &&
			 info.stride == stride && info.size == size &&
			 info.drm_format == FZ_XRGB8888,
		 "bochs plane described as %ux%u stride %u size 0x%llx",
		 info.width, info.height, info.stride,
		 (unsigned long long)info.size);
	{
		struct fz_obj obj = {
			.id = info.dmabuf_id,
			.domain = VPLANE_DOMAIN_VRAM,
			.addr = addr,
			.size = size,
			.session = f->session,
		};

		fz_obj_add(f, &obj);
		if (fz_one_in(f, 3))
			return;
		fd = ioctl(f->dev.device, VFIO_DEVICE_GET_GFX_DMABUF,
			   &info.dmabuf_id);
		if (fd < 0) {
			FZ_CHECK(f, errno == ENOSPC,
				 "GET of the bochs plane id %u: %s", obj.id,
				 strerror(errno));
			return;
		}
		fz_dmabuf_check(f, fd, &obj);
		fz_keep(f, fd, &obj);
	}
}
