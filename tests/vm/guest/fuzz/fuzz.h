/* SPDX-License-Identifier: MIT */
/*
 * vplane-fuzz: a hostile VMM and guest in one process, driving vplane.ko
 * through its VFIO device with random operations.  The state below is the
 * fuzzer's model of the device: what it mapped as guest RAM, which plane
 * objects (dmabuf ids) it knows and what they describe, which ids must be
 * gone, and the dma-buf fds it keeps.  Invariants are checked against it.
 *
 * Files: vplane_fuzz.c (main, op loop, device lifecycle, consumer kill),
 * fuzz_regions.c (region accesses, BAR0 mmaps), fuzz_planes.c (bochs and
 * vplane plane programs),
 * fuzz_ioctl.c (ioctls, guest RAM, dma-buf checks), fuzz_display.c (the
 * display node: fds, ioctls, the ack role, removal), fuzz_events.c (its
 * event stream).
 */
#ifndef VPLANE_FUZZ_H
#define VPLANE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"
#include "vmm.h"
#include "vplane.h"
#include "vplane_display.h"

#define FZ_PAGE 4096ull
#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif
#define FZ_MAX_KEPT	  8   /* dma-buf fds kept across ops */
#define FZ_MAX_OBJS	  64  /* known plane objects (ring) */
#define FZ_MAX_DEAD	  256 /* ids that must not come back (ring) */
#define FZ_MAX_DISP	  6   /* display-node fds open at once */
#define FZ_CLOSE_RING	  8   /* device closes remembered (fuzz_events.c) */
#define FZ_DISP_QUEUE_LEN 64  /* records a display fd's queue holds */

/* Guest RAM: one memfd, mapped for DMA in chunks at contiguous IOVAs. */
#define FZ_RAM_CHUNKS 4
#define FZ_RAM_CHUNK  (2ull << 20)
#define FZ_RAM_SIZE   (FZ_RAM_CHUNKS * FZ_RAM_CHUNK)
#define FZ_RAM_IOVA   0x100000000ull
/* Every guest RAM page starts with these two words: magic, page index. */
enum { CHUNK_UNMAPPED, CHUNK_RAM, CHUNK_HOLE };
#define FZ_RAM_MAGIC 0x4d41524d5a465056ull /* "VPFZMRAM" */

/* DRM values the ABI uses (no libdrm dependency). */
#define FZ_FOURCC(a, b, c, d)                                       \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
	 (uint32_t)(d) << 24)
#define FZ_XRGB8888	 FZ_FOURCC('X', 'R', '2', '4')
#define FZ_ARGB8888	 FZ_FOURCC('A', 'R', '2', '4')
#define FZ_XBGR8888	 FZ_FOURCC('X', 'B', '2', '4')
#define FZ_ABGR8888	 FZ_FOURCC('A', 'B', '2', '4')
#define FZ_RGB565	 FZ_FOURCC('R', 'G', '1', '6')
#define FZ_PLANE_OVERLAY 0
#define FZ_PLANE_PRIMARY 1
#define FZ_PLANE_CURSOR	 2

enum fz_op {
	OP_REGION_READ,
	OP_REGION_WRITE,
	OP_VRAM_MMAP,
	OP_BOCHS,
	OP_PLANE,
	OP_FLIP,
	OP_QUERY,
	OP_GET_DMABUF,
	OP_READ_KEPT,
	OP_INFO_IOCTL,
	OP_SET_IRQS,
	OP_RESET,
	OP_MAP,
	OP_UNMAP,
	OP_REOPEN,
	OP_KILL_CONSUMER,
	OP_MDEV_CYCLE,
	OP_DISP_OPEN,
	OP_DISP_IOCTL,
	OP_DISP_READ,
	OP_DISP_ACK,
	OP_DISP_DMABUF,
	OP_COUNT
};

/* What the fuzzer knows a dmabuf id describes. */
struct fz_obj {
	uint32_t id;	      /* 0: free slot */
	uint32_t domain;      /* VPLANE_DOMAIN_* */
	uint64_t addr;	      /* VRAM offset or GPA */
	uint64_t size;	      /* page aligned */
	unsigned int session; /* fz.session when seen */
};

/* A dma-buf fd the fuzzer keeps open for later reads. */
struct fz_buf {
	int fd;		   /* owned, -1 if the slot is free */
	struct fz_obj obj; /* .id 0 if unknown */
};

/* A display-node fd and what it has read from its event queue. */
struct fz_disp {
	int fd;		  /* owned, -1 if the slot is free */
	unsigned int gen; /* fz_display.gen at open; older: vGPU removed */
	bool readable, writable, nonblock, via_vfio;
	bool lossy; /* records (maybe a RESET) lost since the last drain */
	uint64_t records;	     /* records read (OVERFLOW not counted) */
	uint64_t lost_max;	     /* reads that may have lost a record */
	uint64_t overflow_records;   /* OVERFLOW records since last check */
	uint64_t lost_at_check;	     /* lost_max at the last drain check */
	uint64_t overflows_at_check; /* stats.overflows at that check */
	uint64_t events_seen;	     /* stats.events last seen */
	uint64_t last_ns;	     /* newest record timestamp read */
	uint32_t seq[VPLANE_MAX_HEADS];	   /* newest flip seq read per head */
	uint64_t seq_ns[VPLANE_MAX_HEADS]; /* its timestamp, 0: none */
};

/* The fuzzer's model of the display node of its vGPU. */
struct fz_display {
	struct fz_disp fds[FZ_MAX_DISP];
	unsigned int gen;	      /* bumped when the mdev is removed */
	int holder;		      /* slot holding the ack role, -1: none */
	uint64_t acks;		      /* successful ACK_FLIPs on this node */
	uint64_t flips, ack_timeouts; /* last GET_STATS of this vGPU */
	uint64_t close_ns[FZ_CLOSE_RING]; /* device closes (registers reset) */
	unsigned int next_close;
	uint32_t event_id; /* a dmabuf_id an event carried */
	int reader;	   /* 1 while a reader thread blocks over removal */
	/* figures */
	unsigned long opens, records, acks_ok, held, released, dmabufs;
	unsigned long drains, drains_dropped, readers;
};

struct fuzz {
	uint64_t seed;
	uint64_t rng;
	unsigned long op_index;
	enum fz_op op;
	bool verbose;

	/* device */
	const char *parent, *type; /* for mdev remove/create, or NULL */
	char uuid[VMM_UUID_LEN];
	struct vmm_vgpu dev; /* its region table is the device's */
	bool open;
	unsigned int session; /* bumped on every device close */
	uint64_t vram_size;
	unsigned int nr_heads;
	uint32_t max_width, max_height;

	/* guest RAM */
	int ram_fd;			     /* owned memfd */
	uint8_t *ram;			     /* the VMM's mapping of it */
	uint8_t chunk_mapped[FZ_RAM_CHUNKS]; /* CHUNK_* */
	uint8_t *hole;			     /* FZ_RAM_CHUNK of PROT_NONE */
	bool trigger_ours;		     /* MSI trigger is our eventfd */
	int eventfd;			     /* owned, -1 if none */
	uint8_t *guard; /* one RW page, then a PROT_NONE page */

	/* model */
	struct fz_buf kept[FZ_MAX_KEPT];
	struct fz_obj objs[FZ_MAX_OBJS];
	unsigned int next_obj;
	uint32_t dead[FZ_MAX_DEAD];
	unsigned int next_dead;
	struct fz_display disp;

	/* figures */
	unsigned long counts[OP_COUNT];
	unsigned long dmabufs_read;
	unsigned long long bytes_read;
	unsigned long irqs_seen;
	unsigned long planes_ok;
	unsigned long mdev_cycles;
};

/* ---- vplane_fuzz.c ---- */
extern const char *const fz_op_names[OP_COUNT];
uint64_t fz_rand(struct fuzz *f);
/* Uniform in [0, n); n == 0 gives 0. */
uint64_t fz_below(struct fuzz *f, uint64_t n);
/* True with probability 1/n. */
bool fz_one_in(struct fuzz *f, unsigned int n);
/* Invariant broken: print seed, op and message, the trace, exit 1. */
void fz_fail(struct fuzz *f, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
/* Append to the op trace (printed on failure, or live with -v). */
void fz_trace(struct fuzz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define FZ_FAIL(f, ...) fz_fail(f, __FILE__, __LINE__, __VA_ARGS__)
#define FZ_CHECK(f, cond, ...)                   \
	do {                                     \
		if (!(cond))                     \
			FZ_FAIL(f, __VA_ARGS__); \
	} while (0)

/* @ret of a call failing with @err must be @want (an errno; 0: success). */
#define FZ_EXPECT(f, ret, err, want, what, ...)                              \
	FZ_CHECK(f, (want) ? (ret) < 0 && (err) == (want) : (ret) >= 0,      \
		 what ": got %d (%s), expected %s", __VA_ARGS__, (int)(ret), \
		 (ret) < 0 ? strerror(err) : "ok",                           \
		 (want) ? strerror(want) : "success")

/* ---- fuzz_regions.c, fuzz_planes.c ---- */
uint32_t fz_mmio_read(struct fuzz *f, uint32_t off);
void fz_mmio_write(struct fuzz *f, uint32_t off, uint32_t val);
void fz_op_region(struct fuzz *f, bool write);
void fz_op_vram_mmap(struct fuzz *f);
void fz_op_bochs(struct fuzz *f);
void fz_op_plane(struct fuzz *f);
void fz_op_flip(struct fuzz *f);

/* ---- fuzz_ioctl.c ---- */
bool fz_ram_init(struct fuzz *f);
void fz_ram_finish(struct fuzz *f);
void fz_op_map(struct fuzz *f);
void fz_op_unmap(struct fuzz *f);
void fz_op_query(struct fuzz *f);
void fz_op_get_dmabuf(struct fuzz *f);
void fz_op_read_kept(struct fuzz *f);
void fz_op_info_ioctl(struct fuzz *f);
void fz_op_set_irqs(struct fuzz *f);
void fz_op_reset(struct fuzz *f);
/*
 * Check and fully read dma-buf @fd (borrowed); @obj describes it if known
 * (id != 0).  Fails the run on any broken invariant.
 */
void fz_dmabuf_check(struct fuzz *f, int fd, const struct fz_obj *obj);
/* Take ownership of @fd: keep it, or close it when no slot is free. */
void fz_keep(struct fuzz *f, int fd, const struct fz_obj *obj);
void fz_close_kept(struct fuzz *f);

/* ---- fuzz_display.c ---- */
void fz_display_init(struct fuzz *f);
/* Drain and check every display fd, then close them all. */
void fz_display_finish(struct fuzz *f);
/* The VFIO device was closed (its registers reset, flip seqs restart). */
void fz_display_device_closed(struct fuzz *f);
/* Around mdev removal: open fds, hold flips, block a reader, then check. */
void fz_display_before_remove(struct fuzz *f);
void fz_display_after_remove(struct fuzz *f, const char *old_uuid);
void fz_op_disp_open(struct fuzz *f);
void fz_op_disp_ioctl(struct fuzz *f);
void fz_op_disp_ack(struct fuzz *f);
void fz_op_disp_dmabuf(struct fuzz *f);
/* RW page, PROT_NONE page, read-only page, PROT_NONE page (not fds). */
uint8_t *fz_disp_pages(struct fuzz *f);
/* Any open display fd or (@current) one of the live vGPU; opens if none. */
struct fz_disp *fz_disp_pick(struct fuzz *f, bool current);
static inline bool fz_disp_gone(const struct fuzz *f, const struct fz_disp *d)
{
	return d->gen != f->disp.gen;
}

/* ---- fuzz_events.c ---- */
void fz_op_disp_read(struct fuzz *f);
/* poll(0) on @d: checks POLLHUP against the model, returns revents. */
short fz_disp_poll(struct fuzz *f, struct fz_disp *d);
/* Check a GET_STATS answer on @d against the model and remember it. */
void fz_disp_check_stats(struct fuzz *f, struct fz_disp *d,
			 const struct vplane_display_stats *st);
/* GET_STATS with good arguments; false (ENODEV checked) once gone. */
bool fz_disp_get_stats(struct fuzz *f, struct fz_disp *d,
		       struct vplane_display_stats *st);
/* Read @d empty and check the queue's accounting against GET_STATS. */
void fz_disp_drain(struct fuzz *f, struct fz_disp *d);

/* model helpers (vplane_fuzz.c) */
void fz_obj_add(struct fuzz *f, const struct fz_obj *obj);
const struct fz_obj *fz_obj_find(struct fuzz *f, uint32_t id);
/* Every known object dies (reset, close); or only those in a GPA range. */
void fz_objs_kill_all(struct fuzz *f);
void fz_objs_kill_gpa(struct fuzz *f, uint64_t start, uint64_t end);
bool fz_id_dead(struct fuzz *f, uint32_t id);
/* An id the fuzzer may ask for: known, dead, active, or random. */
uint32_t fz_pick_id(struct fuzz *f);
/* The owned-memory bound for any dma-buf of this vGPU. */
uint64_t fz_owned_bytes(struct fuzz *f);
bool fz_gpa_mapped(struct fuzz *f, uint64_t addr, uint64_t size);

#endif
