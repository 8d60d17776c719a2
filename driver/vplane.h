/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vplane: mediated vGPU display device, internal interfaces.
 *
 * Locking (outer to inner):
 *   vgpu->lock      mutex: config space, registers, planes, plane objects,
 *                   pins, VRAM pages, EDID.  Calls into vfio_pin_pages() /
 *                   vfio_unpin_pages() happen under it.
 *   vgpu->irq_lock  spinlock (irqsave): interrupt status/enable, MSI
 *                   trigger, per-head flip/vblank sequence state, the ack
 *                   role (vplane_flip.h).  The vblank hrtimer takes only
 *                   this lock.
 * Helpers named __foo() expect vgpu->lock held and assert it.
 */
#ifndef VPLANE_H
#define VPLANE_H

#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>

#include "uapi/vplane.h"
#include "uapi/vplane_display.h"
#include "vplane_compat.h"
#include "vplane_flip.h"

#define VPLANE_NAME "vplane"

#define VPLANE_CFG_SIZE	      256
#define VPLANE_NUM_REGIONS(v) (VFIO_PCI_NUM_REGIONS + (v)->nr_heads)

/*
 * Offsets in the device fd: region index in the top bits, like vfio-pci.
 * 40 bits per region is far more than any region here.
 */
#define VPLANE_OFFSET_SHIFT	  40
#define VPLANE_OFFSET_MASK	  ((1ULL << VPLANE_OFFSET_SHIFT) - 1)
#define VPLANE_INDEX_TO_OFFSET(i) ((u64)(i) << VPLANE_OFFSET_SHIFT)

struct vplane_type {
	struct mdev_type type;
	unsigned int heads;
	unsigned int vram_mb;
	u32 max_width;
	u32 max_height;
};

/*
 * What outlives the vGPU for as long as one of its dma-bufs lives: a
 * dma-buf holds a reference, so its release can account itself without
 * touching device state.  The last reference returns the vGPU's share of
 * mem_budget_mb (a dma-buf may hold VRAM pages) and the dmabuf_ids it
 * kept from reuse.
 */
struct vplane_stats {
	struct kref kref;
	atomic_t dmabufs;	  /* live dma-bufs of this vGPU */
	atomic64_t dmabufs_total; /* exported so far */
	unsigned int vram_mb;	  /* budget taken by the vGPU */
	struct mutex ids_lock;	  /* innermost, may be under vgpu->lock */
	struct list_head ids; /* vplane_id_hold.link: ids of live dma-bufs */
};

/* A dmabuf_id a live dma-buf holds: never given to another object. */
struct vplane_id_hold {
	struct list_head link; /* vplane_stats.ids */
	u32 id;
};

/*
 * One opener's dma-buf bound (the VMM's device fds together, or one
 * display-node fd): live dma-bufs it exported, at most max_dmabufs. Each
 * dma-buf holds a reference, so the count outlives the opener.
 */
struct vplane_quota {
	struct kref kref;
	atomic_t dmabufs;
};

/*
 * A set of page references.  Plane objects and dma-bufs each hold a
 * reference on the set; the set holds one get_page() per page, so the
 * pages stay valid after unpin, unmap, reset, close and mdev removal.
 */
struct vplane_pages {
	refcount_t ref;
	unsigned long npages;
	struct page *pages[];
};

/* What a plane scans out, derived from a snapshot of its registers. */
struct vplane_fb {
	u32 domain;
	u32 format;
	u64 addr; /* VRAM offset or GPA, page aligned */
	u32 width;
	u32 height;
	u32 stride;
	u32 cpp;
	u64 size; /* page aligned */
};

/*
 * A cached plane object: one dmabuf_id for one framebuffer description.
 * Linked in vgpu->pobj_lru, most recently used first.
 */
struct vplane_pobj {
	struct list_head link; /* vplane_vgpu.pobj_lru */
	struct vplane_fb fb;   /* identity (key) */
	u32 id;
	unsigned int users; /* active planes pointing here */
	bool pinned;	    /* holds a vfio pin of fb */
	bool vmm;	    /* the VMM's query returned this id */
	struct vplane_pages *pages;
};

/* Guest-programmed registers of one plane (pending or active set). */
struct vplane_plane_regs {
	u32 ctrl;
	u32 format;
	u32 width;
	u32 height;
	u32 stride;
	u32 domain;
	u32 addr_lo;
	u32 addr_hi;
	s32 pos_x;
	s32 pos_y;
	u32 hot_x;
	u32 hot_y;
};

struct vplane_plane {
	struct vplane_plane_regs pending;
	struct vplane_plane_regs active; /* latched by FLIP */
	u32 status;			 /* VPLANE_PLANE_STATUS_* */
	struct vplane_fb fb;		 /* valid if status == OK */
	struct vplane_pobj *obj;	 /* holds a use, or NULL */
};

struct vplane_edid {
	struct vfio_region_gfx_edid regs; /* the VMM's view */
	u8 staging[VPLANE_EDID_MAX];	  /* written by the VMM */
	u8 blob[VPLANE_EDID_MAX];	  /* latched at link up */
	u32 size;
	bool connected;
	u32 pref_width;
	u32 pref_height;
	u32 pref_refresh; /* mHz */
};

struct vplane_vgpu;
struct vplane_display;
struct vplane_display_plane;
struct vplane_input;

struct vplane_head {
	struct vplane_vgpu *vgpu;
	unsigned int index;

	/* vgpu->lock */
	u32 ctrl;
	u32 width;
	u32 height;
	u32 refresh; /* mHz, as written */
	struct vplane_plane planes[VPLANE_NUM_PLANES];
	/* the id the VMM's last query of each plane returned (0: none) */
	u32 vmm_ids[VPLANE_NUM_PLANES];
	struct vplane_edid edid;
	bool timer_running;
	/*
	 * VPLANE_DISPLAY_REASON_WAITING after open, RESET after the VMM's
	 * reset, 0 once the guest writes the head's registers (DISPI for
	 * head 0): why an open device shows nothing the guest did not ask.
	 */
	u32 idle_reason;

	/* vgpu->irq_lock */
	struct hrtimer vblank;
	ktime_t period;
	u32 vblank_count;
	struct vplane_flip flip; /* vplane_flip.c's */
};

/*
 * A guest-RAM range type1 is unmapping (see vplane_dma_unmap()): no pin in
 * it before @until.  @hold_ms doubles each time type1 calls back for a
 * range that was pinned again after its hold ran out.
 */
struct vplane_unmapping {
	u64 start;
	u64 end;
	unsigned long until; /* jiffies */
	unsigned int hold_ms;
	bool repinned;
};

#define VPLANE_MAX_UNMAPPING 8

struct vplane_vgpu {
	struct vfio_device vdev; /* first: vfio_alloc_device() */
	struct mdev_device *mdev;
	const struct vplane_type *type;
	unsigned int nr_heads;

	struct mutex lock;
	bool open;

	u8 cfg[VPLANE_CFG_SIZE];
	u8 cfg_wmask[VPLANE_CFG_SIZE];

	u64 vram_size;
	unsigned long vram_npages;
	/*
	 * VRAM pages, allocated on first touch, under vram_lock: the BAR0
	 * fault handler runs with the VMM's mmap_lock held, and vgpu->lock is
	 * held while vfio_pin_pages() takes that mmap_lock, so the fault path
	 * must never take vgpu->lock (lockdep found the cycle). vram_lock is
	 * innermost: taken alone or under vgpu->lock, never around anything.
	 */
	struct mutex vram_lock;
	struct page **vram;

	u16 dispi[VPLANE_DISPI_COUNT];
	/*
	 * Head 0's bochs scanout: the last valid DISPI programming (ctrl 0
	 * once the guest turns DISPI off), kept while a programming between
	 * two register writes does not validate; bochs_status says why the
	 * current one is not shown (VPLANE_PLANE_STATUS_*).
	 */
	struct vplane_plane_regs bochs;
	u32 bochs_status;

	struct vplane_head heads[VPLANE_MAX_HEADS];

	struct list_head pobj_lru; /* vplane_pobj.link */
	unsigned int nr_pobjs;
	unsigned long pinned_pages;
	u32 next_id;
	struct vplane_unmapping unmapping[VPLANE_MAX_UNMAPPING];
	unsigned int nr_unmapping;
	/* pins go through iommufd, not type1: no unmapping holds */
	bool iommufd_bound;

	spinlock_t irq_lock;
	u32 int_status;
	u32 int_enable;
	struct eventfd_ctx *msi_trigger;
	struct eventfd_ctx *req_trigger; /* "please release the device" */
	/* the display-node client holding the ack role (vplane_flip.c) */
	const void *ack_holder;

	/* statistics, vgpu->lock unless atomic */
	u64 nr_flips;
	u64 nr_queries;
	u64 nr_pins;
	u64 nr_unpins;
	u64 nr_evictions;
	u64 nr_unmap_calls;  /* dma_unmap callbacks that found a range */
	u64 nr_unmap_holds;  /* pins refused while type1 unmaps */
	u64 nr_irqs;	     /* irq_lock */
	u64 nr_ack_timeouts; /* irq_lock */
	struct vplane_display *display; /* /dev/vplane/<uuid>, vgpu->lock */
	struct vplane_input *input;	/* evdev devices, vgpu->lock */
	struct vplane_stats *stats;
	struct vplane_quota *vmm_quota; /* the VFIO device fds' dma-bufs */
	struct dentry *debugfs;
};

static inline struct vplane_vgpu *vgpu_from_vdev(struct vfio_device *vdev)
{
	return container_of(vdev, struct vplane_vgpu, vdev);
}

static inline struct device *vgpu_dev(struct vplane_vgpu *vgpu)
{
	return mdev_dev(vgpu->mdev);
}

/* vplane_main.c: module-wide limits and counters */
extern unsigned int vplane_max_cached_planes;
extern unsigned int vplane_max_pinned_mb;
extern unsigned int vplane_max_dmabufs;

struct vplane_global_stats {
	atomic_t vgpus;
	atomic_t dmabufs;
	atomic_t pobjs;
	atomic_t page_sets;
	atomic_long_t pinned_pages;
	atomic_t vmaps;
	atomic_t mappings;
	atomic_t displays;	  /* display node objects alive */
	atomic_t display_clients; /* open display fds */
};
extern struct vplane_global_stats vplane_global;

void vplane_stats_put(struct vplane_stats *stats);
void vplane_stats_hold_id(struct vplane_stats *stats,
			  struct vplane_id_hold *hold, u32 id);
void vplane_stats_release_id(struct vplane_stats *stats,
			     struct vplane_id_hold *hold);
bool vplane_stats_id_held(struct vplane_stats *stats, u32 id);

/* vplane_main.c: vfio_device_ops.init / .release */
int vplane_vgpu_init(struct vfio_device *vdev);
void vplane_vgpu_release(struct vfio_device *vdev);

/* vplane_cfg.c */
void vplane_cfg_init(struct vplane_vgpu *vgpu);
void __vplane_cfg_read(struct vplane_vgpu *vgpu, u32 off, void *buf, u32 count);
void __vplane_cfg_write(struct vplane_vgpu *vgpu, u32 off, const void *buf,
			u32 count);

/* vplane_regs.c */
void __vplane_regs_reset(struct vplane_vgpu *vgpu);
u32 __vplane_mmio_read(struct vplane_vgpu *vgpu, u32 off, u32 count);
void __vplane_mmio_write(struct vplane_vgpu *vgpu, u32 off, u32 count, u32 val);
bool __vplane_head_active(struct vplane_vgpu *vgpu, unsigned int head);

/* vplane_irq.c: interrupts, virtual vblank */
void vplane_irq_init(struct vplane_vgpu *vgpu);
void vplane_irq_reset(struct vplane_vgpu *vgpu);
void vplane_irq_raise(struct vplane_vgpu *vgpu, u32 bits);
void vplane_irq_raise_locked(struct vplane_vgpu *vgpu, u32 bits);
u32 vplane_irq_vblank_count(struct vplane_vgpu *vgpu, unsigned int head);
u32 vplane_irq_read(struct vplane_vgpu *vgpu, u32 reg);
void vplane_irq_write(struct vplane_vgpu *vgpu, u32 reg, u32 val);
int vplane_irq_set(struct vplane_vgpu *vgpu, struct vfio_irq_set *hdr,
		   void __user *data);
void vplane_irq_release_trigger(struct vplane_vgpu *vgpu);
void vplane_irq_request(struct vplane_vgpu *vgpu, unsigned int count);
void __vplane_head_update_timer(struct vplane_vgpu *vgpu, unsigned int head);
void __vplane_head_stop_timer(struct vplane_vgpu *vgpu, unsigned int head);

/* vplane_flip.c: the flip lifecycle, declared in vplane_flip.h */

/* vplane_plane.c */
u32 __vplane_fb_check(struct vplane_vgpu *vgpu, unsigned int plane,
		      const struct vplane_plane_regs *regs,
		      struct vplane_fb *fb);
void __vplane_plane_latch(struct vplane_vgpu *vgpu, struct vplane_plane *p,
			  unsigned int plane);
void __vplane_plane_resolve(struct vplane_vgpu *vgpu, struct vplane_plane *p);
void __vplane_plane_release(struct vplane_vgpu *vgpu, struct vplane_plane *p);
struct vplane_pobj *__vplane_pobj_get(struct vplane_vgpu *vgpu,
				      const struct vplane_fb *fb, u32 *status);
void __vplane_pobj_put(struct vplane_vgpu *vgpu, struct vplane_pobj *obj);
struct vplane_pobj *__vplane_pobj_find_id(struct vplane_vgpu *vgpu, u32 id);
void __vplane_pobj_flush(struct vplane_vgpu *vgpu);
void vplane_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length);
int vplane_query_plane(struct vplane_vgpu *vgpu,
		       struct vfio_device_gfx_plane_info *info);
int vplane_describe_plane(struct vplane_vgpu *vgpu,
			  struct vplane_display_plane *pl);
u32 __vplane_bochs_plane_id(struct vplane_vgpu *vgpu);
void __vplane_bochs_update(struct vplane_vgpu *vgpu);
struct page *vplane_vram_get_page(struct vplane_vgpu *vgpu,
				  unsigned long pgoff);
void __vplane_vram_free(struct vplane_vgpu *vgpu);
void vplane_pages_put(struct vplane_pages *pages);

/* vplane_dmabuf.c */
int vplane_get_dmabuf(struct vplane_vgpu *vgpu, u32 id,
		      struct vplane_quota *quota);
struct vplane_quota *vplane_quota_new(void);
void vplane_quota_put(struct vplane_quota *quota);

/* vplane_edid.c */
void vplane_edid_init(struct vplane_vgpu *vgpu, unsigned int head);
int __vplane_edid_region_rw(struct vplane_vgpu *vgpu, unsigned int head,
			    u64 off, void *buf, u32 count, bool write);
u32 __vplane_edid_guest_read(struct vplane_vgpu *vgpu, unsigned int head,
			     u32 off, u32 count);

/* vplane_display.c: the display node */
int vplane_display_init(void);
void vplane_display_exit(void);
int vplane_display_create(struct vplane_vgpu *vgpu);
void vplane_display_destroy(struct vplane_vgpu *vgpu);
int vplane_display_open_fd(struct vplane_vgpu *vgpu);
void __vplane_display_flip(struct vplane_vgpu *vgpu, unsigned int head,
			   u32 plane_mask, u32 seq);
void __vplane_display_bochs(struct vplane_vgpu *vgpu);
void __vplane_display_mode(struct vplane_vgpu *vgpu, unsigned int head);
void __vplane_display_reset(struct vplane_vgpu *vgpu);

/* vplane_input.c: the vGPU's evdev devices */
int vplane_input_create(struct vplane_vgpu *vgpu);
void vplane_input_destroy(struct vplane_vgpu *vgpu);
int vplane_input_inject(struct vplane_vgpu *vgpu, u32 device, u32 head,
			const struct vplane_input_event *evs, u32 count);
void vplane_input_release_all(struct vplane_vgpu *vgpu);
void __vplane_input_release_all(struct vplane_vgpu *vgpu);
void __vplane_input_head_off(struct vplane_vgpu *vgpu, unsigned int head);

/* vplane_vfio.c */
extern const struct vfio_device_ops vplane_dev_ops;

/* vplane_debugfs.c */
void vplane_debugfs_init(void);
void vplane_debugfs_exit(void);
void vplane_debugfs_add(struct vplane_vgpu *vgpu);
void vplane_debugfs_remove(struct vplane_vgpu *vgpu);

#endif /* VPLANE_H */
