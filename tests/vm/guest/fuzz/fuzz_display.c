// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: the display node (/dev/vplane/<uuid> and
 * VPLANE_VFIO_GET_DISPLAY_FD).  Several fds at once with different access
 * modes, some kept across device close, reset and mdev removal; every
 * ioctl with random argsz, flags, heads, planes, ids, ioctl encodings and
 * pointers (NULL, PROT_NONE, straddling a guard page, read-only); event
 * reads of random sizes into good and bad buffers; the ack role taken and
 * dropped from several fds; flips acked, held and released by close; a
 * reader blocked over mdev removal; INPUT with random counts, devices,
 * heads, event pointers and now and then one bad event (nobody grabs the
 * input devices here, so a call that passes every check gets ENOTCONN).
 * (The event stream: fuzz_events.c.)
 *
 * The model (struct fz_display) knows which fd holds the ack role and how
 * many acks the node counted, and checks the driver against
 * uapi/vplane_display.h: the role rules (EPERM for read-only fds and
 * non-holders, EBUSY while another fd holds it, release on close and
 * drop completing a waiting flip), argsz/flags/pointer handling (EINVAL,
 * EFAULT, nothing written past the struct, dispatch on the number alone),
 * ENODEV and POLLHUP once the vGPU is gone, QUERY_PLANE agreeing with
 * VFIO_DEVICE_QUERY_GFX_PLANE, and dma-bufs from the node passing the same
 * checks as those from the VFIO device.
 *
 * QUERY_PLANE is called with its out fields filled with 0x5a: they must
 * come back zero for a disabled plane, not echo the caller's bytes (a bug
 * this fuzzer found: the driver wrote the caller's struct back).
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EVSZ   sizeof(struct vplane_display_event)
#define CANARY 0xa5

/* ---- helpers -------------------------------------------------------------- */

static unsigned int slot_of(struct fuzz *f, const struct fz_disp *d)
{
	return (unsigned int)(d - f->disp.fds);
}

/*
 * Argument pages: RW, PROT_NONE, read-only, PROT_NONE.  A struct can sit
 * in the middle of the RW page with a canary behind it, end exactly at the
 * first guard, reach into it, or live in the read-only page.
 */
static uint8_t *pages;

uint8_t *fz_disp_pages(struct fuzz *f)
{
	if (!pages) {
		uint8_t *p = mmap(NULL, 4 * FZ_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		FZ_CHECK(f, p != MAP_FAILED, "mmap argument pages");
		FZ_CHECK(f,
			 !mprotect(p + FZ_PAGE, FZ_PAGE, PROT_NONE) &&
				 !mprotect(p + 2 * FZ_PAGE, FZ_PAGE,
					   PROT_READ) &&
				 !mprotect(p + 3 * FZ_PAGE, FZ_PAGE, PROT_NONE),
			 "mprotect argument pages");
		pages = p;
	}
	return pages;
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum place {
	PLACE_NORMAL, /* inside the RW page, canary behind */
	PLACE_EXACT,  /* ends where the PROT_NONE page starts */
	PLACE_TIGHT,  /* its last 8 bytes in the PROT_NONE page */
	PLACE_RO,     /* read-only page: reads work, writes fault */
	PLACE_NULL,
	PLACE_NONE, /* inside the PROT_NONE page */
};

static const char *const place_names[] = {
	[PLACE_NORMAL] = "normal", [PLACE_EXACT] = "exact",
	[PLACE_TIGHT] = "tight",   [PLACE_RO] = "read-only",
	[PLACE_NULL] = "NULL",	   [PLACE_NONE] = "PROT_NONE",
};

static enum place pick_place(struct fuzz *f)
{
	unsigned int r = fz_below(f, 100);

	return r < 70	? PLACE_NORMAL
	       : r < 78 ? PLACE_EXACT
	       : r < 85 ? PLACE_TIGHT
	       : r < 91 ? PLACE_RO
	       : r < 95 ? PLACE_NULL
			: PLACE_NONE;
}

static uint32_t pick_argsz(struct fuzz *f, uint32_t size, enum place place)
{
	unsigned int r = fz_below(f, 100);

	if (place == PLACE_EXACT && r < 60)
		return fz_one_in(f, 2) ? size + 64 : 0xffffffff;
	if (r < 70)
		return size;
	if (r < 75)
		return 0;
	if (r < 80)
		return size - 1;
	if (r < 84)
		return 8;
	if (r < 88)
		return size + 8 * (uint32_t)fz_below(f, 16);
	if (r < 92)
		return 0xffffffff;
	return (uint32_t)fz_rand(f);
}

static uint32_t pick_flags(struct fuzz *f)
{
	if (fz_below(f, 12))
		return 0;
	return fz_one_in(f, 2) ? 1u << fz_below(f, 32) : (uint32_t)fz_rand(f);
}

/* The outcome of the common argsz/flags/copy-in step, 0 if it passes. */
static int arg_in_errno(enum place place, uint32_t argsz, uint32_t flags,
			uint32_t size)
{
	if (place == PLACE_NULL || place == PLACE_NONE)
		return EFAULT;
	if (argsz < size || flags)
		return EINVAL;
	return place == PLACE_TIGHT ? EFAULT : 0;
}

/*
 * Calls display ioctl @nr on @fd with the @size bytes of @arg placed as
 * @place; afterwards @arg holds what the driver left there.  The command
 * encodes direction and size at random now and then: the driver must
 * dispatch on the number alone.
 */
static int call(struct fuzz *f, int fd, unsigned int nr, void *arg,
		uint32_t size, enum place place, int *err)
{
	uint8_t *pg = fz_disp_pages(f), *p = NULL;
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE,
				 VPLANE_DISPLAY_IOCTL_MAGIC, nr, size);
	size_t off = 0;
	unsigned int i;
	int ret;

	if (fz_one_in(f, 6))
		cmd = _IOC(fz_below(f, 4), VPLANE_DISPLAY_IOCTL_MAGIC, nr,
			   fz_below(f, 1u << _IOC_SIZEBITS));
	switch (place) {
	case PLACE_NORMAL:
		off = 8 * fz_below(f, (FZ_PAGE - size - 64) / 8);
		p = pg + off;
		memcpy(p, arg, size);
		memset(p + size, CANARY, 64);
		break;
	case PLACE_EXACT:
		p = pg + FZ_PAGE - size;
		memcpy(p, arg, size);
		break;
	case PLACE_TIGHT:
		p = pg + FZ_PAGE - size + 8;
		memcpy(p, arg, size - 8);
		break;
	case PLACE_RO:
		p = pg + 3 * FZ_PAGE - size;
		FZ_CHECK(f,
			 !mprotect(pg + 2 * FZ_PAGE, FZ_PAGE,
				   PROT_READ | PROT_WRITE),
			 "mprotect");
		memcpy(p, arg, size);
		FZ_CHECK(f, !mprotect(pg + 2 * FZ_PAGE, FZ_PAGE, PROT_READ),
			 "mprotect");
		break;
	case PLACE_NULL:
		break;
	case PLACE_NONE:
		p = pg + FZ_PAGE + 8 * fz_below(f, 64);
		break;
	}
	ret = ioctl(fd, cmd, p);
	*err = ret < 0 ? errno : 0;
	if (place == PLACE_NORMAL) {
		for (i = 0; i < 64; i++)
			FZ_CHECK(f, p[size + i] == CANARY,
				 "display ioctl %u (argsz %u) wrote byte %u "
				 "past its %u-byte struct",
				 nr, *(uint32_t *)arg, i, size);
	}
	if (place == PLACE_NORMAL || place == PLACE_EXACT || place == PLACE_RO)
		memcpy(arg, p, size);
	return ret;
}

static uint32_t head_reg(struct fuzz *f, unsigned int h, uint32_t reg)
{
	return fz_mmio_read(f, VPLANE_MMIO_HEAD(h) + reg);
}

/* ---- fds ---------------------------------------------------------------- */

static int open_node(const char *uuid, int flags)
{
	char path[96];

	snprintf(path, sizeof(path), "/dev/vplane/%s", uuid);
	return open(path, flags | O_CLOEXEC);
}

static void close_slot(struct fuzz *f, struct fz_disp *d)
{
	if (d->fd < 0)
		return;
	fz_trace(f, "close display slot %u (fd %d%s%s)", slot_of(f, d), d->fd,
		 fz_disp_gone(f, d) ? ", gone" : "",
		 f->disp.holder == (int)slot_of(f, d) ? ", ack holder" : "");
	if (f->disp.holder == (int)slot_of(f, d))
		f->disp.holder = -1;
	close(d->fd);
	d->fd = -1;
}

/* Open a display fd of the current vGPU into slot @d (closing its fd). */
static void open_slot(struct fuzz *f, struct fz_disp *d)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	bool vfio = fz_one_in(f, 3), nonblock = fz_below(f, 4) != 0;
	int mode = modes[fz_below(f, 4)], fd, fl;

	close_slot(f, d);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (vfio) {
		/* the argument is ignored: give it garbage now and then */
		fd = ioctl(f->dev.device, VPLANE_VFIO_GET_DISPLAY_FD,
			   fz_one_in(f, 4) ? (unsigned long)fz_rand(f) : 0ul);
		FZ_CHECK(f, fd >= 0, "VPLANE_VFIO_GET_DISPLAY_FD: %s",
			 strerror(errno));
		fl = fcntl(fd, F_GETFL);
		FZ_CHECK(f, (fl & O_ACCMODE) == O_RDWR,
			 "display fd from VFIO has flags 0x%x, not O_RDWR", fl);
		mode = O_RDWR;
		if (nonblock)
			FZ_CHECK(f, !fcntl(fd, F_SETFL, fl | O_NONBLOCK),
				 "F_SETFL: %s", strerror(errno));
	} else {
		fd = open_node(f->uuid, mode | (nonblock ? O_NONBLOCK : 0));
		FZ_CHECK(f, fd >= 0, "open /dev/vplane/%s mode %d: %s", f->uuid,
			 mode, strerror(errno));
	}
	FZ_CHECK(f, fcntl(fd, F_GETFD) == FD_CLOEXEC,
		 "display fd %d without FD_CLOEXEC", fd);
	d->fd = fd;
	d->gen = f->disp.gen;
	d->readable = mode != O_WRONLY;
	d->writable = mode != O_RDONLY;
	d->nonblock = nonblock;
	d->via_vfio = vfio;
	f->disp.opens++;
	fz_trace(f, "open display slot %u: fd %d via %s mode %d%s",
		 slot_of(f, d), fd, vfio ? "VFIO" : "node", mode,
		 nonblock ? " nonblock" : "");
}

/* Any open slot, or (with @current) one of the live vGPU; opens if none. */
struct fz_disp *fz_disp_pick(struct fuzz *f, bool current)
{
	unsigned int i, n = 0, idx[FZ_MAX_DISP];

	for (i = 0; i < FZ_MAX_DISP; i++) {
		struct fz_disp *d = &f->disp.fds[i];

		if (d->fd >= 0 && (!current || !fz_disp_gone(f, d)))
			idx[n++] = i;
	}
	if (n && !fz_one_in(f, 20))
		return &f->disp.fds[idx[fz_below(f, n)]];
	/* a free slot if there is one, else replace one */
	for (i = 0; i < FZ_MAX_DISP; i++)
		if (f->disp.fds[i].fd < 0)
			break;
	if (i == FZ_MAX_DISP)
		i = fz_below(f, FZ_MAX_DISP);
	open_slot(f, &f->disp.fds[i]);
	return &f->disp.fds[i];
}

void fz_display_init(struct fuzz *f)
{
	unsigned int i;

	memset(&f->disp, 0, sizeof(f->disp));
	for (i = 0; i < FZ_MAX_DISP; i++)
		f->disp.fds[i].fd = -1;
	f->disp.holder = -1;
}

/* ---- ioctls --------------------------------------------------------------- */

static void ioctl_info(struct fuzz *f, struct fz_disp *d, enum place place)
{
	struct vplane_display_info info;
	const uint32_t size = sizeof(info);
	int ret, err, want;

	memset(&info, 0x5a, sizeof(info));
	info.argsz = pick_argsz(f, size, place);
	info.flags = pick_flags(f);
	want = fz_disp_gone(f, d)
		       ? ENODEV
		       : arg_in_errno(place, info.argsz, info.flags, size);
	if (!want && place == PLACE_RO)
		want = EFAULT;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_GET_INFO), &info, size,
		   place, &err);
	fz_trace(f, "GET_INFO slot %u %s: %d %s", slot_of(f, d),
		 place_names[place], ret, ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want, "GET_INFO %s", place_names[place]);
	if (ret)
		return;
	FZ_CHECK(f,
		 info.argsz == size &&
			 info.api_version == VPLANE_DISPLAY_API_VERSION &&
			 info.nr_heads == f->nr_heads &&
			 info.max_width == f->max_width &&
			 info.max_height == f->max_height &&
			 info.cursor_max == VPLANE_CURSOR_MAX &&
			 info.vram_size == f->vram_size &&
			 info.event_size == EVSZ &&
			 info.queue_len == FZ_DISP_QUEUE_LEN,
		 "GET_INFO: argsz %u api %u heads %u max %ux%u cursor %u "
		 "vram 0x%llx event %u queue %u",
		 info.argsz, info.api_version, info.nr_heads, info.max_width,
		 info.max_height, info.cursor_max,
		 (unsigned long long)info.vram_size, info.event_size,
		 info.queue_len);
	FZ_CHECK(f,
		 memchr(info.uuid, 0, sizeof(info.uuid)) &&
			 memchr(info.type, 0, sizeof(info.type)) &&
			 !strcmp(info.uuid, f->uuid),
		 "GET_INFO names uuid '%.40s' type '%.32s' (vGPU %s)",
		 info.uuid, info.type, f->uuid);
	if (f->type) {
		size_t a = strlen(f->type), b = strlen(info.type);

		FZ_CHECK(f, b && a >= b && !strcmp(f->type + a - b, info.type),
			 "GET_INFO type '%s' for mdev type %s", info.type,
			 f->type);
	}
}

static uint32_t pick_head(struct fuzz *f)
{
	unsigned int r = fz_below(f, 100);

	return r < 85	? fz_below(f, f->nr_heads)
	       : r < 92 ? f->nr_heads
	       : r < 96 ? VPLANE_MAX_HEADS
			: (uint32_t)fz_rand(f);
}

/* A good QUERY_PLANE answer must say what VFIO's query says. */
static void check_plane(struct fuzz *f, const struct vplane_display_plane *pl,
			bool has_reason)
{
	struct vfio_device_gfx_plane_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = VPLANE_QUERY_HEAD(pl->head) |
				  (pl->plane == VPLANE_DISPLAY_PLANE_CURSOR
					   ? FZ_PLANE_CURSOR
					   : FZ_PLANE_PRIMARY),
	};
	bool on = pl->flags & VPLANE_DISPLAY_PLANE_ENABLED;
	uint32_t hs, seq;

	FZ_CHECK(f, !ioctl(f->dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, &info),
		 "VFIO query h%u p%u: %s", pl->head, pl->plane,
		 strerror(errno));
	FZ_CHECK(f, pl->argsz == sizeof(*pl), "QUERY_PLANE argsz %u",
		 pl->argsz);
	/* vplane's planes are cached RAM: NEEDS_SYNC stays clear */
	FZ_CHECK(f, !(pl->flags & ~VPLANE_DISPLAY_PLANE_ENABLED),
		 "QUERY_PLANE flags 0x%x", pl->flags);
	FZ_CHECK(f, on == (pl->dmabuf_id != 0),
		 "QUERY_PLANE h%u p%u flags 0x%x with id %u", pl->head,
		 pl->plane, pl->flags, pl->dmabuf_id);
	/* a plane not shown always says why; a shown one never does (the
	 * reason fields came back only if the caller's argsz held them) */
	FZ_CHECK(f,
		 !has_reason ||
			 (on == (pl->reason == VPLANE_DISPLAY_REASON_NONE) &&
			  pl->reason <= VPLANE_DISPLAY_REASON_HOST &&
			  (pl->reason == VPLANE_DISPLAY_REASON_LIMIT ||
			   !(pl->req_width | pl->req_height))),
		 "QUERY_PLANE h%u p%u flags 0x%x reason %u status %u req "
		 "%ux%u",
		 pl->head, pl->plane, pl->flags, pl->reason, pl->status,
		 pl->req_width, pl->req_height);
	FZ_CHECK(f,
		 info.dmabuf_id == pl->dmabuf_id &&
			 info.drm_format == pl->drm_format &&
			 info.drm_format_mod == pl->drm_format_mod &&
			 info.width == pl->width && info.height == pl->height &&
			 info.stride == pl->stride && info.size == pl->size &&
			 info.x_pos == (uint32_t)pl->x &&
			 info.y_pos == (uint32_t)pl->y &&
			 info.x_hot == pl->x_hot && info.y_hot == pl->y_hot,
		 "h%u p%u: node says id %u %ux%u stride %u size %u at %d,%d "
		 "hot %x,%x; VFIO says id %u %ux%u stride %u size %llu at "
		 "%d,%d hot %x,%x",
		 pl->head, pl->plane, pl->dmabuf_id, pl->width, pl->height,
		 pl->stride, pl->size, pl->x, pl->y, pl->x_hot, pl->y_hot,
		 info.dmabuf_id, info.width, info.height, info.stride,
		 (unsigned long long)info.size, info.x_pos, info.y_pos,
		 info.x_hot, info.y_hot);
	seq = head_reg(f, pl->head, VPLANE_HEAD_FLIP_SEQ);
	FZ_CHECK(f, pl->flip_seq == seq,
		 "QUERY_PLANE h%u flip_seq %u, FLIP_SEQ %u", pl->head,
		 pl->flip_seq, seq);
	hs = head_reg(f, pl->head, VPLANE_HEAD_STATUS);
	if (hs & VPLANE_HEAD_STATUS_MODE_OK)
		FZ_CHECK(f,
			 pl->head_width == head_reg(f, pl->head,
						    VPLANE_HEAD_WIDTH) &&
				 pl->head_height ==
					 head_reg(f, pl->head,
						  VPLANE_HEAD_HEIGHT) &&
				 pl->refresh_mhz >= VPLANE_REFRESH_MIN &&
				 pl->refresh_mhz <= VPLANE_REFRESH_MAX,
			 "QUERY_PLANE h%u: head %ux%u at %u mHz", pl->head,
			 pl->head_width, pl->head_height, pl->refresh_mhz);
	if (!on) {
		FZ_CHECK(f,
			 !pl->drm_format && !pl->drm_format_mod && !pl->width &&
				 !pl->height && !pl->stride && !pl->size &&
				 !pl->x && !pl->y && !pl->x_hot && !pl->y_hot,
			 "QUERY_PLANE h%u p%u disabled, but fields set: "
			 "format 0x%x id %u %ux%u stride %u size %u",
			 pl->head, pl->plane, pl->drm_format, pl->dmabuf_id,
			 pl->width, pl->height, pl->stride, pl->size);
		FZ_CHECK(f,
			 (hs & VPLANE_HEAD_STATUS_MODE_OK) ||
				 (!pl->head_width && !pl->head_height &&
				  !pl->refresh_mhz),
			 "QUERY_PLANE h%u p%u: head off and plane disabled, "
			 "but head %ux%u at %u mHz",
			 pl->head, pl->plane, pl->head_width, pl->head_height,
			 pl->refresh_mhz);
		return;
	}
	FZ_CHECK(f, !fz_id_dead(f, pl->dmabuf_id),
		 "QUERY_PLANE answered id %u, whose object was destroyed",
		 pl->dmabuf_id);
	FZ_CHECK(f,
		 pl->size && pl->size % FZ_PAGE == 0 &&
			 pl->size <= fz_owned_bytes(f) && pl->width &&
			 pl->height &&
			 (uint64_t)pl->stride * pl->height <= pl->size,
		 "QUERY_PLANE id %u: %ux%u stride %u size 0x%x", pl->dmabuf_id,
		 pl->width, pl->height, pl->stride, pl->size);
}

/* QUERY_PLANE; returns the id of an enabled plane when all went well. */
static uint32_t ioctl_query(struct fuzz *f, struct fz_disp *d, enum place place,
			    bool sane)
{
	/* version 1 (up to refresh_mhz) is the least the driver takes */
	const uint32_t v1 = offsetof(struct vplane_display_plane, reason);
	struct vplane_display_plane pl;
	const uint32_t size = sizeof(pl);
	uint32_t argsz;
	int ret, err, want;

	/* stale "out" fields from the caller: see the known bug above */
	memset(&pl, 0x5a, sizeof(pl));
	pl.argsz = sane ? size : pick_argsz(f, size, place);
	pl.flags = sane ? 0 : pick_flags(f);
	pl.head = sane ? fz_below(f, f->nr_heads) : pick_head(f);
	pl.plane = sane || fz_below(f, 8) ? fz_below(f, VPLANE_NUM_PLANES)
		   : fz_one_in(f, 2)	  ? VPLANE_NUM_PLANES
					  : (uint32_t)fz_rand(f);
	want = fz_disp_gone(f, d) ? ENODEV
				  : arg_in_errno(place, pl.argsz, pl.flags, v1);
	argsz = pl.argsz;
	/* a version-1 argsz never reaches the unmapped last 8 bytes */
	if (want == EFAULT && place == PLACE_TIGHT && argsz <= size - 8)
		want = 0;
	if (!want && (pl.head >= f->nr_heads || pl.plane >= VPLANE_NUM_PLANES))
		want = EINVAL;
	if (!want && place == PLACE_RO)
		want = EFAULT;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_QUERY_PLANE), &pl, size,
		   place, &err);
	fz_trace(f, "QUERY_PLANE slot %u %s h%u p%u: %d %s id %u",
		 slot_of(f, d), place_names[place], pl.head, pl.plane, ret,
		 ret ? strerror(err) : "", ret ? 0 : pl.dmabuf_id);
	FZ_EXPECT(f, ret, err, want, "QUERY_PLANE %s h%u p%u",
		  place_names[place], pl.head, pl.plane);
	if (ret)
		return 0;
	check_plane(f, &pl, argsz >= size);
	return pl.dmabuf_id;
}

/* GET_DMABUF of @id; a dma-buf it gives is checked and kept. */
static void ioctl_dmabuf(struct fuzz *f, struct fz_disp *d, enum place place,
			 uint32_t id, bool sane)
{
	struct vplane_display_dmabuf db;
	const uint32_t size = sizeof(db);
	const struct fz_obj *known;
	struct fz_obj obj = { .id = 0 };
	int ret, err, want;

	db.argsz = sane ? size : pick_argsz(f, size, place);
	db.flags = sane ? 0 : pick_flags(f);
	db.dmabuf_id = id;
	db.fd = (int32_t)fz_rand(f);
	want = fz_disp_gone(f, d)
		       ? ENODEV
		       : arg_in_errno(place, db.argsz, db.flags, size);
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_GET_DMABUF), &db, size,
		   place, &err);
	fz_trace(f, "GET_DMABUF slot %u %s id %u: %d %s", slot_of(f, d),
		 place_names[place], id, ret, ret < 0 ? strerror(err) : "");
	if (want || ret < 0) {
		FZ_CHECK(f,
			 want ? ret < 0 && err == want
			      : err == ENOENT || err == ENOSPC,
			 "GET_DMABUF %s id %u: %s, expected %s",
			 place_names[place], id,
			 ret < 0 ? strerror(err) : "a dma-buf",
			 want ? strerror(want) : "a dma-buf, ENOENT or ENOSPC");
		return;
	}
	FZ_CHECK(f, id && !fz_id_dead(f, id),
		 "GET_DMABUF of id %u succeeded, but that object was destroyed",
		 id);
	if (place != PLACE_RO)
		FZ_CHECK(f, db.fd == ret && db.argsz == size,
			 "GET_DMABUF returned fd %d but stored fd %d argsz %u",
			 ret, db.fd, db.argsz);
	FZ_CHECK(f,
		 fcntl(ret, F_GETFD) == FD_CLOEXEC &&
			 (fcntl(ret, F_GETFL) & O_ACCMODE) == O_RDONLY,
		 "dma-buf fd from the node: fd flags %d, file flags 0x%x",
		 fcntl(ret, F_GETFD), fcntl(ret, F_GETFL));
	f->disp.dmabufs++;
	known = fz_obj_find(f, id);
	if (known)
		obj = *known;
	fz_dmabuf_check(f, ret, known ? &obj : NULL);
	fz_keep(f, ret, known ? &obj : NULL);
}

static void ioctl_take(struct fuzz *f, struct fz_disp *d, enum place place)
{
	int slot = (int)slot_of(f, d), ret, err, want;
	int holder = f->disp.holder;

	want = fz_disp_gone(f, d)	       ? ENODEV
	       : !d->writable		       ? EPERM
	       : holder >= 0 && holder != slot ? EBUSY
					       : 0;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_TAKE_ACK_ROLE),
		   &(uint64_t){ 0 }, 8, place, &err);
	fz_trace(f, "TAKE_ACK_ROLE slot %u (holder %d): %d %s", slot, holder,
		 ret, ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want, "TAKE_ACK_ROLE slot %u (%s, holder %d)",
		  slot, d->writable ? "writable" : "read-only", holder);
	if (!ret)
		f->disp.holder = slot;
}

static void ioctl_drop(struct fuzz *f, struct fz_disp *d, enum place place)
{
	int slot = (int)slot_of(f, d), ret, err, want;

	want = fz_disp_gone(f, d) ? ENODEV : f->disp.holder != slot ? EPERM : 0;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_DROP_ACK_ROLE),
		   &(uint64_t){ 0 }, 8, place, &err);
	fz_trace(f, "DROP_ACK_ROLE slot %u (holder %d): %d %s", slot,
		 f->disp.holder, ret, ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want, "DROP_ACK_ROLE slot %u (holder %d)", slot,
		  f->disp.holder);
	if (!ret)
		f->disp.holder = -1;
}

/* ACK_FLIP of @seq on @head; returns the call's result. */
static int ioctl_ack(struct fuzz *f, struct fz_disp *d, enum place place,
		     uint32_t head, uint32_t seq, bool sane)
{
	struct vplane_display_ack ack;
	const uint32_t size = sizeof(ack);
	int slot = (int)slot_of(f, d), ret, err, want;
	uint32_t now_seq = 0;

	ack.argsz = sane ? size : pick_argsz(f, size, place);
	ack.flags = sane ? 0 : pick_flags(f);
	ack.head = head;
	ack.seq = seq;
	if (head < f->nr_heads)
		now_seq = head_reg(f, head, VPLANE_HEAD_FLIP_SEQ);
	want = fz_disp_gone(f, d)
		       ? ENODEV
		       : arg_in_errno(place, ack.argsz, ack.flags, size);
	if (!want && f->disp.holder != slot)
		want = EPERM;
	if (!want && head >= f->nr_heads)
		want = EINVAL;
	/* a sequence the guest has not latched yet */
	if (!want && (int32_t)(now_seq - seq) < 0)
		want = EINVAL;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_ACK_FLIP), &ack, size,
		   place, &err);
	fz_trace(f, "ACK_FLIP slot %u %s h%u seq %u (FLIP_SEQ %u): %d %s", slot,
		 place_names[place], head, seq, now_seq, ret,
		 ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want,
		  "ACK_FLIP slot %u %s h%u seq %u (FLIP_SEQ %u, holder %d)",
		  slot, place_names[place], head, seq, now_seq, f->disp.holder);
	if (!ret) {
		f->disp.acks++;
		f->disp.acks_ok++;
	}
	return ret;
}

static void ioctl_stats(struct fuzz *f, struct fz_disp *d, enum place place)
{
	struct vplane_display_stats st;
	const uint32_t size = sizeof(st);
	int ret, err, want;

	memset(&st, 0x5a, sizeof(st));
	st.argsz = pick_argsz(f, size, place);
	st.flags = pick_flags(f);
	want = fz_disp_gone(f, d)
		       ? ENODEV
		       : arg_in_errno(place, st.argsz, st.flags, size);
	if (!want && place == PLACE_RO)
		want = EFAULT;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_GET_STATS), &st, size,
		   place, &err);
	fz_trace(f, "GET_STATS slot %u %s: %d %s", slot_of(f, d),
		 place_names[place], ret, ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want, "GET_STATS %s", place_names[place]);
	if (!ret)
		fz_disp_check_stats(f, d, &st);
}

/*
 * One event for @keyboard's device (or a pointer's), valid unless @bad:
 * then a type, code or value the device does not declare.
 */
static struct vplane_input_event input_event_pick(struct fuzz *f, bool keyboard,
						  bool bad)
{
	static const struct vplane_input_event kbd_ok[] = {
		{ EV_KEY, 30, 1 },  { EV_KEY, 30, 0 },	{ EV_KEY, 1, 2 },
		{ EV_KEY, 248, 1 }, { EV_KEY, 248, 0 }, { EV_SYN, 0, 0 },
	};
	static const struct vplane_input_event ptr_ok[] = {
		{ EV_ABS, 0, 0 },      { EV_ABS, 1, VPLANE_INPUT_ABS_MAX },
		{ EV_KEY, 0x110, 1 },  { EV_KEY, 0x110, 0 },
		{ EV_KEY, 0x114, 1 },  { EV_REL, 8, -VPLANE_INPUT_REL_MAX },
		{ EV_REL, 0x0c, 120 }, { EV_SYN, 0, 0 },
	};
	static const struct vplane_input_event bad_any[] = {
		{ 4, 4, 30 },	/* EV_MSC */
		{ 0x11, 0, 1 }, /* EV_LED */
		{ 0xffff, 0, 0 },      { EV_KEY, 0, 1 },
		{ EV_KEY, 0x300, 1 },  { EV_KEY, 0xffff, 1 },
		{ EV_KEY, 30, 3 },     { EV_SYN, 3, 0 },
		{ EV_SYN, 0, 1 },      { EV_REL, 0, 1 },
		{ EV_ABS, 0, -1 },     { EV_ABS, 1, VPLANE_INPUT_ABS_MAX + 1 },
		{ EV_ABS, 2, 0 },      { EV_REL, 8, VPLANE_INPUT_REL_MAX + 1 },
		{ EV_ABS, 0xffff, 0 }, { EV_REL, 0xffff, 1 },
	};
	static const struct vplane_input_event bad_kbd[] = {
		{ EV_KEY, 0x110, 1 },
		{ EV_REL, 8, 1 },
		{ EV_ABS, 0, 1 },
	};
	static const struct vplane_input_event bad_ptr[] = {
		{ EV_KEY, 30, 1 },
		{ EV_KEY, 0x110, 2 },
		{ EV_KEY, 0x14a, 1 }, /* BTN_TOUCH */
	};

	if (!bad)
		return keyboard ? kbd_ok[fz_below(f, LEN(kbd_ok))]
				: ptr_ok[fz_below(f, LEN(ptr_ok))];
	if (fz_one_in(f, 3))
		return keyboard ? bad_kbd[fz_below(f, LEN(bad_kbd))]
				: bad_ptr[fz_below(f, LEN(bad_ptr))];
	return bad_any[fz_below(f, LEN(bad_any))];
}

/*
 * VPLANE_DISPLAY_INPUT with a random argument, count, device, head and
 * events pointer; one bad event now and then. Nobody grabs the vGPU's
 * input devices here, so a call that passes every check is refused with
 * ENOTCONN: the expected errno follows the driver's order of checks.
 */
static void ioctl_input(struct fuzz *f, struct fz_disp *d, enum place place)
{
	static struct vplane_input_event evs[VPLANE_INPUT_MAX_EVENTS + 1];
	struct vplane_display_input in;
	const uint32_t size = sizeof(in);
	int slot = (int)slot_of(f, d), ret, err, want;
	unsigned int r = fz_below(f, 100), i, n;
	bool keyboard, dev_ok, evs_ok = true, ptr_ok = true;

	in.argsz = pick_argsz(f, size, place);
	in.flags = pick_flags(f);
	in.pad = fz_one_in(f, 12) ? (uint32_t)fz_rand(f) | 1 : 0;
	in.count = r < 80   ? 1 + (uint32_t)fz_below(f, 8)
		   : r < 85 ? VPLANE_INPUT_MAX_EVENTS
		   : r < 90 ? 0
		   : r < 95 ? VPLANE_INPUT_MAX_EVENTS + 1
			    : (uint32_t)fz_rand(f);
	in.device = fz_below(f, 10) ? (uint32_t)fz_below(f, 2)
				    : (uint32_t)fz_rand(f);
	in.head = in.device == VPLANE_INPUT_KEYBOARD && fz_below(f, 4)
			  ? 0
			  : pick_head(f);
	keyboard = in.device == VPLANE_INPUT_KEYBOARD;
	dev_ok = (keyboard && in.head == 0) ||
		 (in.device == VPLANE_INPUT_POINTER && in.head < f->nr_heads);
	n = in.count <= VPLANE_INPUT_MAX_EVENTS ? in.count : 0;
	for (i = 0; i < n; i++)
		evs[i] = input_event_pick(f, keyboard, false);
	if (n && fz_one_in(f, 4)) {
		evs[fz_below(f, n)] = input_event_pick(f, keyboard, true);
		evs_ok = false;
	}
	r = fz_below(f, 100);
	if (r < 85) {
		in.events = (uint64_t)(uintptr_t)evs;
	} else if (r < 90) {
		in.events = 0;
		ptr_ok = false;
	} else if (r < 95) { /* inside the PROT_NONE page */
		in.events = (uint64_t)(uintptr_t)(fz_disp_pages(f) + FZ_PAGE);
		ptr_ok = false;
	} else { /* the kernel's half */
		in.events = 0xffff800000000000ull + 8 * fz_below(f, 1u << 20);
		ptr_ok = false;
	}

	want = fz_disp_gone(f, d)
		       ? ENODEV
		       : arg_in_errno(place, in.argsz, in.flags, size);
	if (!want &&
	    (in.pad || !in.count || in.count > VPLANE_INPUT_MAX_EVENTS))
		want = EINVAL;
	if (!want && !ptr_ok)
		want = EFAULT;
	if (!want && f->disp.holder != slot)
		want = EPERM;
	if (!want && (!dev_ok || !evs_ok))
		want = EINVAL;
	if (!want)
		want = ENOTCONN;
	ret = call(f, d->fd, _IOC_NR(VPLANE_DISPLAY_INPUT), &in, size, place,
		   &err);
	fz_trace(f, "INPUT slot %u %s dev %u h%u n %u: %d %s", slot,
		 place_names[place], in.device, in.head, in.count, ret,
		 ret ? strerror(err) : "");
	FZ_EXPECT(f, ret, err, want,
		  "INPUT slot %u %s argsz %u flags 0x%x dev %u h%u n %u "
		  "(holder %d)",
		  slot, place_names[place], in.argsz, in.flags, in.device,
		  in.head, in.count, f->disp.holder);
}

/* Anything but ioctl and read: write, lseek and mmap are refused. */
static void misc_calls(struct fuzz *f, struct fz_disp *d)
{
	uint8_t *pg = fz_disp_pages(f);
	ssize_t n;
	void *p;

	switch (fz_below(f, 3)) {
	case 0:
		n = write(d->fd, pg, fz_below(f, 2 * EVSZ));
		fz_trace(f, "write slot %u: %zd", slot_of(f, d), n);
		FZ_CHECK(f, n < 0 && errno == (d->writable ? EINVAL : EBADF),
			 "write to a display fd: %zd (%s)", n,
			 n < 0 ? strerror(errno) : "");
		break;
	case 1:
		n = lseek(d->fd, fz_below(f, 4096), SEEK_SET);
		FZ_CHECK(f, n < 0 && errno == ESPIPE,
			 "lseek on a display fd: %zd (%s)", n,
			 n < 0 ? strerror(errno) : "");
		break;
	default:
		if (!d->readable)
			return;
		p = mmap(NULL, FZ_PAGE, PROT_READ, MAP_SHARED, d->fd, 0);
		FZ_CHECK(f, p == MAP_FAILED, "mmap of a display fd worked");
		if (p != MAP_FAILED)
			munmap(p, FZ_PAGE);
	}
}

void fz_op_disp_ioctl(struct fuzz *f)
{
	struct fz_disp *d = fz_disp_pick(f, false);
	enum place place = pick_place(f);
	unsigned int r = fz_below(f, 100), nr;
	unsigned long cmd;
	int ret, err, want;

	if (r < 14) {
		ioctl_info(f, d, place);
	} else if (r < 30) {
		ioctl_query(f, d, place, false);
	} else if (r < 42) {
		ioctl_dmabuf(f, d, place,
			     fz_one_in(f, 4) ? f->disp.event_id : fz_pick_id(f),
			     false);
	} else if (r < 50) {
		ioctl_take(f, d, place);
	} else if (r < 56) {
		ioctl_drop(f, d, place);
	} else if (r < 72) {
		uint32_t h = pick_head(f), seq = 0;

		if (h < f->nr_heads) {
			seq = head_reg(f, h, VPLANE_HEAD_FLIP_SEQ);
			seq += fz_one_in(f, 3) ? (uint32_t)fz_rand(f)
					       : (uint32_t)fz_below(f, 5) - 2;
		}
		ioctl_ack(f, d, place, h, seq, false);
	} else if (r < 84) {
		ioctl_stats(f, d, place);
	} else if (r < 90) {
		misc_calls(f, d);
	} else if (r < 93) {
		ioctl_input(f, d, place);
	} else if (r < 96) { /* numbers the node does not know */
		nr = fz_one_in(f, 2) ? 8 + fz_below(f, 0x40 - 8)
				     : 0x40 + fz_below(f, 0xc0);
		cmd = _IOC(fz_below(f, 4), VPLANE_DISPLAY_IOCTL_MAGIC, nr,
			   fz_below(f, 256));
		ret = ioctl(d->fd, cmd, fz_disp_pages(f));
		err = errno;
		want = fz_disp_gone(f, d) ? ENODEV : ENOTTY;
		fz_trace(f, "display ioctl nr 0x%x: %d", nr, ret);
		FZ_EXPECT(f, ret, err, want, "unknown display ioctl nr 0x%x",
			  nr);
	} else { /* another driver's magic, never one the VFS handles */
		static const unsigned int magics[] = { ';', 0xb5, 0xb7, 'd' };

		nr = fz_below(f, 8);
		cmd = _IOC(fz_below(f, 4), magics[fz_below(f, 4)], nr,
			   fz_below(f, 256));
		ret = ioctl(d->fd, cmd, fz_disp_pages(f));
		err = errno;
		fz_trace(f, "foreign ioctl 0x%lx: %d", cmd, ret);
		FZ_EXPECT(f, ret, err, ENOTTY, "foreign ioctl 0x%lx", cmd);
	}
}

/* ---- dma-bufs through the node -------------------------------------------- */

void fz_op_disp_dmabuf(struct fuzz *f)
{
	struct fz_disp *d = fz_disp_pick(f, !fz_one_in(f, 8));
	uint32_t id;

	id = ioctl_query(f, d, PLACE_NORMAL, true);
	if (!id || fz_one_in(f, 4))
		id = fz_one_in(f, 3) ? f->disp.event_id : fz_pick_id(f);
	ioctl_dmabuf(f, d, fz_one_in(f, 10) ? PLACE_RO : PLACE_NORMAL, id,
		     true);
}

/* ---- fds ------------------------------------------------------------------ */

void fz_op_disp_open(struct fuzz *f)
{
	unsigned int r = fz_below(f, 100), i = fz_below(f, FZ_MAX_DISP);
	struct fz_disp *d = &f->disp.fds[i];
	char bogus[40];
	int fd;

	if (r < 45) {
		open_slot(f, d);
	} else if (r < 80) {
		if (d->fd >= 0 && fz_one_in(f, 2))
			fz_disp_drain(f, d);
		close_slot(f, d);
	} else if (r < 90) {
		/* a node that does not exist */
		snprintf(bogus, sizeof(bogus), "%08x-0000-0000-0000-%012llx",
			 (uint32_t)fz_rand(f),
			 (unsigned long long)(fz_rand(f) >> 16));
		fd = open_node(fz_one_in(f, 4) ? "" : bogus, O_RDWR);
		FZ_CHECK(f, fd < 0, "opened /dev/vplane/%s", bogus);
	} else {
		/* the same fd number keeps working after dup-and-close */
		if (d->fd < 0)
			return;
		fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);
		FZ_CHECK(f, fd >= 0, "dup display fd: %s", strerror(errno));
		close(d->fd);
		d->fd = fd;
		fz_trace(f, "dup display slot %u to fd %d", i, fd);
	}
}

/* ---- the ack role and flips ----------------------------------------------- */

/* The current holder's slot, after taking the role if nobody holds it. */
static struct fz_disp *ensure_holder(struct fuzz *f)
{
	struct fz_disp *d;
	unsigned int i;

	if (f->disp.holder >= 0)
		return &f->disp.fds[f->disp.holder];
	for (i = 0; i < FZ_MAX_DISP; i++) {
		d = &f->disp.fds[i];
		if (d->fd >= 0 && d->writable && !fz_disp_gone(f, d))
			break;
	}
	if (i == FZ_MAX_DISP) {
		for (i = 0; i < FZ_MAX_DISP; i++)
			if (f->disp.fds[i].fd < 0)
				break;
		if (i == FZ_MAX_DISP)
			i = fz_below(f, FZ_MAX_DISP);
		d = &f->disp.fds[i];
		do
			open_slot(f, d);
		while (!d->writable);
	}
	ioctl_take(f, d, PLACE_NORMAL);
	FZ_CHECK(f, f->disp.holder == (int)i, "could not take the ack role");
	return d;
}

/* Make head @h scan out (a valid mode) so that its flips wait. */
static void head_on(struct fuzz *f, unsigned int h)
{
	uint32_t base = VPLANE_MMIO_HEAD(h);

	if ((head_reg(f, h, VPLANE_HEAD_STATUS) & VPLANE_HEAD_STATUS_MODE_OK) &&
	    !fz_one_in(f, 8))
		return;
	fz_mmio_write(f, base + VPLANE_HEAD_WIDTH, 64 + fz_below(f, 640));
	fz_mmio_write(f, base + VPLANE_HEAD_HEIGHT, 64 + fz_below(f, 480));
	fz_mmio_write(f, base + VPLANE_HEAD_REFRESH,
		      fz_one_in(f, 2)
			      ? VPLANE_REFRESH_DEFAULT
			      : VPLANE_REFRESH_MIN +
					fz_below(f, VPLANE_REFRESH_MAX));
	fz_mmio_write(f, base + VPLANE_HEAD_CTRL, VPLANE_HEAD_CTRL_ENABLE);
}

/*
 * With the ack role held, flip a scanning-out head: the flip waits for
 * the holder (or the timeout).  An ack of it, dropping the role or
 * closing the holder's fd must complete it at once.
 */
static void flip_and_ack(struct fuzz *f)
{
	unsigned int h = fz_below(f, f->nr_heads);
	struct fz_disp *holder = ensure_holder(f), *other;
	struct vplane_display_stats st0, st1;
	uint32_t s0, s, done;
	const char *how = NULL;

	head_on(f, h);
	FZ_CHECK(f, fz_disp_get_stats(f, holder, &st0), "stats of the holder");
	s0 = head_reg(f, h, VPLANE_HEAD_FLIP_SEQ);
	fz_mmio_write(f, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_FLIP,
		      1 + fz_below(f, 3));
	s = head_reg(f, h, VPLANE_HEAD_FLIP_SEQ);
	done = head_reg(f, h, VPLANE_HEAD_FLIP_DONE_SEQ);
	FZ_CHECK(f, fz_disp_get_stats(f, holder, &st1), "stats of the holder");
	fz_trace(f, "flip h%u held for slot %u: seq %u -> %u, done %u", h,
		 slot_of(f, holder), s0, s, done);
	FZ_CHECK(f, s == s0 + 1, "FLIP on h%u: FLIP_SEQ %u -> %u", h, s0, s);
	FZ_CHECK(f, st1.flips == st0.flips + 1,
		 "one flip, but GET_STATS flips %llu -> %llu",
		 (unsigned long long)st0.flips, (unsigned long long)st1.flips);
	if (done != s)
		f->disp.held++; /* timing: under TCG it may have timed out */

	switch (fz_below(f, 7)) {
	case 0:
	case 1:
		FZ_CHECK(f, !ioctl_ack(f, holder, PLACE_NORMAL, h, s, true),
			 "ack of the newest flip");
		how = "ack";
		break;
	case 2: /* an old one: fine, but need not complete the newest */
		ioctl_ack(f, holder, PLACE_NORMAL, h, s - 1 - fz_below(f, 3),
			  true);
		break;
	case 3: /* a future one, and from an observer */
		ioctl_ack(f, holder, PLACE_NORMAL, h, s + 1 + fz_below(f, 1000),
			  true);
		other = fz_disp_pick(f, true);
		if (other != holder) {
			ioctl_ack(f, other, PLACE_NORMAL, h, s, true);
			ioctl_take(f, other, PLACE_NORMAL);
		}
		break;
	case 4:
		close_slot(f, holder);
		how = "close";
		break;
	case 5:
		ioctl_drop(f, holder, PLACE_NORMAL);
		how = "drop";
		break;
	default:
		break; /* left waiting: a later ack, close or timeout */
	}
	if (!how)
		return;
	done = head_reg(f, h, VPLANE_HEAD_FLIP_DONE_SEQ);
	FZ_CHECK(f, done == s,
		 "after %s of the ack role h%u: FLIP_DONE_SEQ %u, FLIP_SEQ %u",
		 how, h, done, s);
	if (strcmp(how, "ack"))
		f->disp.released++;
}

void fz_op_disp_ack(struct fuzz *f)
{
	switch (fz_below(f, 6)) {
	case 0:
		ioctl_take(f, fz_disp_pick(f, false), PLACE_NORMAL);
		break;
	case 1:
		ioctl_drop(f, fz_disp_pick(f, false), PLACE_NORMAL);
		break;
	default:
		flip_and_ack(f);
	}
}

/* ---- mdev removal --------------------------------------------------------- */

/*
 * A thread blocks in read() on its own fd of the node; removal must wake
 * it with ENODEV.  (A thread, not a child: a child would hold the VFIO
 * fds, and removal waits for the device to be closed.)
 */
static struct {
	pthread_t thread;
	int fd;	    /* owned by the main thread; the reader borrows it */
	int result; /* 0: ended with ENODEV, else errno, -1: read gave 0 */
} reader = { .fd = -1 };

static void *reader_main(void *arg)
{
	uint8_t buf[FZ_DISP_QUEUE_LEN * EVSZ];
	ssize_t n;

	(void)arg;
	do
		n = read(reader.fd, buf, sizeof(buf));
	while (n > 0);
	reader.result = n < 0 ? (errno == ENODEV ? 0 : errno) : -1;
	return NULL;
}

static void start_reader(struct fuzz *f)
{
	int ret;

	reader.fd = open_node(f->uuid, O_RDONLY);
	FZ_CHECK(f, reader.fd >= 0, "open node for the reader: %s",
		 strerror(errno));
	ret = pthread_create(&reader.thread, NULL, reader_main, NULL);
	FZ_CHECK(f, !ret, "pthread_create: %s", strerror(ret));
	f->disp.reader = 1;
	f->disp.readers++;
}

static void reap_reader(struct fuzz *f)
{
	const char *slow = getenv("VPLANE_SLOWDOWN");
	int secs = 10 * (slow && atoi(slow) > 0 ? atoi(slow) : 1), ret;
	struct timespec until;

	if (!f->disp.reader)
		return;
	f->disp.reader = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	ret = pthread_timedjoin_np(reader.thread, NULL, &until);
	FZ_CHECK(f, !ret,
		 "a reader blocked in read() was not woken by the vGPU's "
		 "removal in %d s (%s)",
		 secs, strerror(ret));
	close(reader.fd);
	reader.fd = -1;
	fz_trace(f, "blocked reader ended: %d", reader.result);
	FZ_CHECK(f, !reader.result,
		 "blocked reader after removal: last read %s, not ENODEV",
		 reader.result > 0 ? strerror(reader.result) : "gave 0");
}

void fz_display_before_remove(struct fuzz *f)
{
	if (fz_one_in(f, 2))
		fz_disp_pick(f, true);
	if (fz_one_in(f, 2)) {
		/* a flip waits for its ack when the device closes */
		struct fz_disp *holder = ensure_holder(f);
		unsigned int h = fz_below(f, f->nr_heads);

		head_on(f, h);
		fz_mmio_write(f, VPLANE_MMIO_HEAD(h) + VPLANE_HEAD_FLIP,
			      VPLANE_FLIP_PLANE(fz_below(f, 2)));
		fz_trace(f, "flip h%u waits for slot %u across removal", h,
			 slot_of(f, holder));
	}
	if (fz_one_in(f, 2))
		start_reader(f);
}

void fz_display_after_remove(struct fuzz *f, const char *old_uuid)
{
	unsigned int i;
	int fd, ret;

	f->disp.gen++;
	f->disp.holder = -1;
	f->disp.acks = 0;
	f->disp.flips = 0;
	f->disp.ack_timeouts = 0;
	reap_reader(f);
	fd = open_node(old_uuid, O_RDONLY);
	FZ_CHECK(f, fd < 0 && errno == ENOENT,
		 "open /dev/vplane/%s after removal: %d %s", old_uuid, fd,
		 fd < 0 ? strerror(errno) : "");
	for (i = 0; i < FZ_MAX_DISP; i++) {
		struct fz_disp *d = &f->disp.fds[i];
		struct vplane_display_info info = { .argsz = sizeof(info) };

		if (d->fd < 0)
			continue;
		fz_disp_poll(f, d);
		ret = ioctl(d->fd, VPLANE_DISPLAY_GET_INFO, &info);
		FZ_CHECK(f, ret < 0 && errno == ENODEV,
			 "GET_INFO after removal: %d %s", ret,
			 ret < 0 ? strerror(errno) : "");
		if (fz_one_in(f, 2))
			fz_disp_drain(f, d);
	}
}

void fz_display_finish(struct fuzz *f)
{
	unsigned int i;

	reap_reader(f);
	for (i = 0; i < FZ_MAX_DISP; i++) {
		struct fz_disp *d = &f->disp.fds[i];

		if (d->fd < 0)
			continue;
		fz_disp_drain(f, d);
		close_slot(f, d);
	}
}
