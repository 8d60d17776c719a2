// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: planes, plane objects and the memory behind them.
 *
 * A plane's active registers are validated once, at latch time, into a
 * struct vplane_fb (all guest arithmetic in u64 with overflow checks).  A
 * valid fb is resolved to a plane object: the cached, page-referenced
 * view of that framebuffer, with the dmabuf_id QEMU caches by.  The same
 * fb keeps its object (and id) while the object stays cached; any change
 * gives another object and a new id.  Objects live in a per-vGPU LRU
 * bounded by max_cached_planes; objects in use by an active plane are
 * never evicted.
 *
 * Guest-RAM framebuffers are pinned with vfio_pin_pages() while their
 * object is cached, bounded by max_pinned_mb.  When the VMM unmaps the
 * memory (dma_unmap), the objects over it are unpinned and dropped and
 * the planes using them report UNMAPPED; dma-bufs already exported keep
 * their own page references and stay valid.
 */

#include <drm/drm_fourcc.h>
#include <drm/drm_plane.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "vplane.h"

/* ---- page sets ---------------------------------------------------------- */

static struct vplane_pages *pages_alloc(unsigned long npages)
{
	struct vplane_pages *pages;

	pages = kvzalloc(struct_size(pages, pages, npages), GFP_KERNEL);
	if (!pages)
		return NULL;
	refcount_set(&pages->ref, 1);
	pages->npages = npages;
	atomic_inc(&vplane_global.page_sets);
	return pages;
}

/*
 * Drop one reference to a page set; the last one puts the pages.  Safe from
 * any sleepable context, touches no device state.
 */
void vplane_pages_put(struct vplane_pages *pages)
{
	unsigned long i;

	if (!refcount_dec_and_test(&pages->ref))
		return;
	for (i = 0; i < pages->npages; i++)
		if (pages->pages[i])
			put_page(pages->pages[i]);
	kvfree(pages);
	atomic_dec(&vplane_global.page_sets);
}

/* ---- VRAM --------------------------------------------------------------- */

/*
 * The VRAM page at @pgoff, allocated zeroed on first touch.  No reference
 * is taken for the caller; NULL if out of range or out of memory.
 */
/*
 * VRAM page @pgoff with a reference for the caller, allocated on first
 * touch; NULL past the end or without memory. Takes only vram_lock.
 */
struct page *vplane_vram_get_page(struct vplane_vgpu *vgpu, unsigned long pgoff)
{
	struct page *page;

	if (pgoff >= vgpu->vram_npages)
		return NULL;
	mutex_lock(&vgpu->vram_lock);
	if (!vgpu->vram[pgoff])
		vgpu->vram[pgoff] = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	page = vgpu->vram[pgoff];
	if (page)
		get_page(page);
	mutex_unlock(&vgpu->vram_lock);
	return page;
}

/* Drop the vGPU's VRAM references; mappings and dma-bufs keep theirs. */
void __vplane_vram_free(struct vplane_vgpu *vgpu)
{
	unsigned long i;

	lockdep_assert_held(&vgpu->lock);
	mutex_lock(&vgpu->vram_lock);
	for (i = 0; i < vgpu->vram_npages; i++) {
		if (vgpu->vram[i]) {
			put_page(vgpu->vram[i]);
			vgpu->vram[i] = NULL;
		}
	}
	mutex_unlock(&vgpu->vram_lock);
}

/* ---- validation --------------------------------------------------------- */

static u32 format_cpp(u32 format, unsigned int plane)
{
	if (plane == VPLANE_PLANE_CURSOR)
		return format == DRM_FORMAT_ARGB8888 ? 4 : 0;

	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 4;
	case DRM_FORMAT_RGB565:
		return 2;
	}
	return 0;
}

static bool pos_ok(s32 pos, u32 size, u32 max, unsigned int plane)
{
	s64 lo = plane == VPLANE_PLANE_CURSOR ? 1 - (s64)size : 0;

	return pos >= lo && pos < (s64)max;
}

/*
 * Validate a snapshot of plane registers against a head of at most
 * @head_w x @head_h; fill @fb and return VPLANE_PLANE_STATUS_OK, or return
 * why the plane cannot be shown. Pure arithmetic: whether guest RAM is
 * really mapped is found out when the object is pinned.
 */
static u32 fb_check(struct vplane_vgpu *vgpu, unsigned int plane,
		    const struct vplane_plane_regs *regs, u32 head_w,
		    u32 head_h, struct vplane_fb *fb)
{
	bool cursor = plane == VPLANE_PLANE_CURSOR;
	u32 max_w = cursor ? VPLANE_CURSOR_MAX : head_w;
	u32 max_h = cursor ? VPLANE_CURSOR_MAX : head_h;
	u64 addr, min_stride, bytes, size, end, limit;
	u32 cpp;

	memset(fb, 0, sizeof(*fb));
	if (!(regs->ctrl & VPLANE_PLANE_CTRL_ENABLE))
		return VPLANE_PLANE_STATUS_DISABLED;

	cpp = format_cpp(regs->format, plane);
	if (!cpp)
		return VPLANE_PLANE_STATUS_BAD_FORMAT;

	if (!regs->width || !regs->height || regs->width > max_w ||
	    regs->height > max_h)
		return VPLANE_PLANE_STATUS_BAD_SIZE;

	if (check_mul_overflow((u64)regs->width, (u64)cpp, &min_stride) ||
	    regs->stride < min_stride || regs->stride > VPLANE_MAX_STRIDE ||
	    !IS_ALIGNED(regs->stride, 4))
		return VPLANE_PLANE_STATUS_BAD_STRIDE;

	addr = (u64)regs->addr_hi << 32 | regs->addr_lo;
	if (!IS_ALIGNED(addr, VPLANE_ADDR_ALIGN) || !PAGE_ALIGNED(addr))
		return VPLANE_PLANE_STATUS_BAD_ALIGN;

	if (check_mul_overflow((u64)regs->stride, (u64)regs->height, &bytes) ||
	    check_add_overflow(bytes, (u64)PAGE_SIZE - 1, &size))
		return VPLANE_PLANE_STATUS_BAD_RANGE;
	size &= PAGE_MASK;
	if (check_add_overflow(addr, size, &end))
		return VPLANE_PLANE_STATUS_BAD_RANGE;

	switch (regs->domain) {
	case VPLANE_DOMAIN_VRAM:
		if (end > vgpu->vram_size)
			return VPLANE_PLANE_STATUS_BAD_RANGE;
		break;
	case VPLANE_DOMAIN_GUEST_RAM:
		/* dma_addr_t space the VMM can map; budget checked below */
		if (end > (1ULL << 52))
			return VPLANE_PLANE_STATUS_BAD_RANGE;
		limit = (u64)vplane_max_pinned_mb << 20;
		if (size > limit)
			return VPLANE_PLANE_STATUS_NO_RESOURCE;
		break;
	default:
		return VPLANE_PLANE_STATUS_BAD_DOMAIN;
	}

	if (!pos_ok(regs->pos_x, regs->width, head_w, plane) ||
	    !pos_ok(regs->pos_y, regs->height, head_h, plane))
		return VPLANE_PLANE_STATUS_BAD_POS;

	if (cursor &&
	    !(regs->hot_x == VPLANE_HOT_NONE &&
	      regs->hot_y == VPLANE_HOT_NONE) &&
	    (regs->hot_x >= regs->width || regs->hot_y >= regs->height))
		return VPLANE_PLANE_STATUS_BAD_HOT;

	fb->domain = regs->domain;
	fb->format = regs->format;
	fb->addr = addr;
	fb->width = regs->width;
	fb->height = regs->height;
	fb->stride = regs->stride;
	fb->cpp = cpp;
	fb->size = size;
	return VPLANE_PLANE_STATUS_OK;
}

/* A vplane plane: the type's limit, which the guest reads in MAX_WIDTH. */
u32 __vplane_fb_check(struct vplane_vgpu *vgpu, unsigned int plane,
		      const struct vplane_plane_regs *regs,
		      struct vplane_fb *fb)
{
	return fb_check(vgpu, plane, regs, vgpu->type->max_width,
			vgpu->type->max_height, fb);
}

/* The fb passed validation; only resources may have been missing. */
static bool status_fb_valid(u32 status)
{
	return status == VPLANE_PLANE_STATUS_OK ||
	       status == VPLANE_PLANE_STATUS_PIN_FAILED ||
	       status == VPLANE_PLANE_STATUS_UNMAPPED ||
	       status == VPLANE_PLANE_STATUS_NO_RESOURCE;
}

static bool fb_equal(const struct vplane_fb *a, const struct vplane_fb *b)
{
	return a->domain == b->domain && a->format == b->format &&
	       a->addr == b->addr && a->width == b->width &&
	       a->height == b->height && a->stride == b->stride;
}

/* ---- plane objects ------------------------------------------------------ */

static void unpin_range(struct vplane_vgpu *vgpu, u64 iova,
			unsigned long npages)
{
	while (npages) {
		int n = min_t(unsigned long, npages,
			      VFIO_PIN_PAGES_MAX_ENTRIES);

		vfio_unpin_pages(&vgpu->vdev, iova, n);
		iova += (u64)n << PAGE_SHIFT;
		npages -= n;
	}
}

static void pobj_destroy(struct vplane_vgpu *vgpu, struct vplane_pobj *obj)
{
	unsigned long npages = obj->pages->npages;

	WARN_ON(obj->users);
	if (obj->pinned) {
		unpin_range(vgpu, obj->fb.addr, npages);
		vgpu->pinned_pages -= npages;
		atomic_long_sub(npages, &vplane_global.pinned_pages);
		vgpu->nr_unpins++;
	}
	list_del(&obj->link);
	vgpu->nr_pobjs--;
	vplane_pages_put(obj->pages);
	kfree(obj);
	atomic_dec(&vplane_global.pobjs);
}

/*
 * Is @obj what the VMM's last query of some plane returned? The VMM
 * caches dma-bufs by id (QEMU does) and asks again every refresh, so such
 * an object is in use; an older id the VMM saw (a mode it left) is not:
 * its dma-buf, if the VMM took one, holds its own pages and keeps the id
 * from being reused.
 */
static bool __pobj_vmm_current(struct vplane_vgpu *vgpu,
			       const struct vplane_pobj *obj)
{
	unsigned int h, i;

	if (!obj->vmm)
		return false;
	for (h = 0; h < vgpu->nr_heads; h++)
		for (i = 0; i < VPLANE_NUM_PLANES; i++)
			if (vgpu->heads[h].vmm_ids[i] == obj->id)
				return true;
	return false;
}

/*
 * Evict unused objects from the LRU tail until both limits hold. For a
 * display consumer (@consumer) no object the VMM is using goes
 * (__pobj_vmm_current), so a consumer cannot make the VMM re-import.
 */
static void evict(struct vplane_vgpu *vgpu, unsigned long need_pinned,
		  bool consumer)
{
	unsigned long max_pinned = (unsigned long)vplane_max_pinned_mb
				   << (20 - PAGE_SHIFT);
	struct vplane_pobj *obj, *tmp;

	list_for_each_entry_safe_reverse(obj, tmp, &vgpu->pobj_lru, link) {
		bool too_many = vgpu->nr_pobjs >= vplane_max_cached_planes;
		bool too_pinned = vgpu->pinned_pages + need_pinned > max_pinned;

		if (!too_many && !too_pinned)
			break;
		if (obj->users || (!too_many && !obj->pinned) ||
		    (consumer && __pobj_vmm_current(vgpu, obj)))
			continue;
		pobj_destroy(vgpu, obj);
		vgpu->nr_evictions++;
	}
}

/*
 * A dmabuf_id for a new object.  Ids are 32 bits (the upstream ABI), so
 * the counter wraps after 2^32 objects; an id is never given out again
 * while anything can still know it as another framebuffer: a cached
 * object or a live dma-buf (a consumer caching buffers by id holds
 * them).  At most nr_pobjs + live dma-bufs ids are skipped, so this ends.
 */
static u32 alloc_id(struct vplane_vgpu *vgpu)
{
	u32 id;

	do {
		id = vgpu->next_id++;
		if (!vgpu->next_id)
			vgpu->next_id = 1;
	} while (!id || __vplane_pobj_find_id(vgpu, id) ||
		 vplane_stats_id_held(vgpu->stats, id));
	return id;
}

static int fill_vram(struct vplane_vgpu *vgpu, struct vplane_pages *pages,
		     u64 addr)
{
	unsigned long first = addr >> PAGE_SHIFT, i;

	for (i = 0; i < pages->npages; i++) {
		struct page *page = vplane_vram_get_page(vgpu, first + i);

		if (!page)
			return -ENOMEM;
		pages->pages[i] = page;
	}
	return 0;
}

/*
 * Is @page ordinary RAM?  type1 hands back, besides pages it pinned, the
 * pfns of a PFNMAP the VMM mapped into the container (a device BAR, a
 * /dev/mem window) when they are reserved; ZONE_DEVICE pages (device
 * memory, P2P BARs) have a struct page but no ordinary refcounting.
 * Neither may be referenced, vmapped or mapped like RAM.
 */
static bool page_is_plain_ram(struct page *page)
{
	return !PageReserved(page) && !is_zone_device_page(page);
}

/*
 * Pin [addr, addr + npages) read-only (scanout only reads, and a guest
 * may show memory the VMM mapped read-only) and take our own references.
 */
static int pin_guest(struct vplane_vgpu *vgpu, struct vplane_pages *pages,
		     u64 addr)
{
	unsigned long done = 0, i;
	int ret;

	while (done < pages->npages) {
		int n = min_t(unsigned long, pages->npages - done,
			      VFIO_PIN_PAGES_MAX_ENTRIES);

		ret = vfio_pin_pages(&vgpu->vdev,
				     addr + ((u64)done << PAGE_SHIFT), n,
				     IOMMU_READ, &pages->pages[done]);
		if (ret != n) {
			if (ret > 0)
				unpin_range(vgpu,
					    addr + ((u64)done << PAGE_SHIFT),
					    ret);
			goto err_unpin;
		}
		done += n;
	}
	for (i = 0; i < pages->npages; i++) {
		if (!page_is_plain_ram(pages->pages[i])) {
			dev_dbg_ratelimited(vgpu_dev(vgpu),
					    "0x%llx is not RAM (pfn 0x%lx)\n",
					    addr + ((u64)i << PAGE_SHIFT),
					    page_to_pfn(pages->pages[i]));
			ret = -EFAULT;
			goto err_unpin;
		}
	}
	/* our own references, independent of the pin */
	for (i = 0; i < pages->npages; i++)
		get_page(pages->pages[i]);
	return 0;

err_unpin:
	unpin_range(vgpu, addr, done);
	memset(pages->pages, 0, pages->npages * sizeof(pages->pages[0]));
	return ret < 0 ? ret : -EFAULT;
}

/* ---- ranges type1 is unmapping ------------------------------------------ */

/*
 * type1 (6.1) unmaps a range with pins in it like this: it drops its lock,
 * calls every device's dma_unmap, retakes the lock and looks again; if it
 * finds pins again it retries, and after ten retries it BUG_ONs.  Between
 * our return and its second look (which also waits for every other
 * device's callback, as long as those take) a guest flip or any query
 * could pin the range again.  So a range type1 called back for is held:
 * nothing in it is pinned before the hold ends, and a hold that proved too
 * short (type1 called back again after a pin in the range) doubles.  type1
 * tells a driver neither when the unmap is done nor when the VMM maps the
 * range anew, hence a time: the first hold is far longer than type1 needs,
 * the doubling outgrows any other device's callback before ten retries.
 * iommufd needs no hold: it marks a range it unmaps (iopt_area.
 * prevent_access) and an IOAS it detaches (access->ioas = NULL) before it
 * calls back, and refuses pins there itself until it is done.
 */
#define UNMAP_HOLD_MS	  250
#define UNMAP_HOLD_MAX_MS 8000
#define UNMAP_FORGET_MS	  10000 /* after the hold: forget its doubling */

static bool ranges_overlap(u64 s1, u64 e1, u64 s2, u64 e2)
{
	return s1 < e2 && s2 < e1;
}

static void __unmapping_expire(struct vplane_vgpu *vgpu)
{
	unsigned int i = 0;

	while (i < vgpu->nr_unmapping) {
		struct vplane_unmapping *u = &vgpu->unmapping[i];

		if (time_after(jiffies,
			       u->until + msecs_to_jiffies(UNMAP_FORGET_MS)))
			*u = vgpu->unmapping[--vgpu->nr_unmapping];
		else
			i++;
	}
}

/* type1 is unmapping [start, end): hold it, longer if we were too early. */
static void __unmapping_hold(struct vplane_vgpu *vgpu, u64 start, u64 end)
{
	struct vplane_unmapping *u = NULL, *oldest;
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);
	__unmapping_expire(vgpu);
	for (i = 0; i < vgpu->nr_unmapping && !u; i++)
		if (ranges_overlap(start, end, vgpu->unmapping[i].start,
				   vgpu->unmapping[i].end))
			u = &vgpu->unmapping[i];
	if (!u && vgpu->nr_unmapping < VPLANE_MAX_UNMAPPING) {
		u = &vgpu->unmapping[vgpu->nr_unmapping++];
		u->start = start;
		u->end = end;
		u->hold_ms = UNMAP_HOLD_MS;
		u->repinned = false;
	}
	if (!u) {
		/* full: widen the oldest hold over this range too */
		oldest = &vgpu->unmapping[0];
		for (i = 1; i < vgpu->nr_unmapping; i++)
			if (time_before(vgpu->unmapping[i].until,
					oldest->until))
				oldest = &vgpu->unmapping[i];
		u = oldest;
	}
	if (u->repinned)
		u->hold_ms = min(u->hold_ms * 2, UNMAP_HOLD_MAX_MS);
	u->start = min(u->start, start);
	u->end = max(u->end, end);
	u->repinned = false;
	u->until = jiffies + msecs_to_jiffies(u->hold_ms);
}

/* May [start, end) be pinned now? */
static bool __unmapping_allows(struct vplane_vgpu *vgpu, u64 start, u64 end)
{
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);
	for (i = 0; i < vgpu->nr_unmapping; i++) {
		struct vplane_unmapping *u = &vgpu->unmapping[i];

		if (!ranges_overlap(start, end, u->start, u->end))
			continue;
		if (time_before(jiffies, u->until))
			return false;
		u->repinned = true;
	}
	return true;
}

static struct vplane_pobj *pobj_create(struct vplane_vgpu *vgpu,
				       const struct vplane_fb *fb, u32 *status,
				       bool consumer)
{
	unsigned long npages = fb->size >> PAGE_SHIFT;
	unsigned long max_pinned = (unsigned long)vplane_max_pinned_mb
				   << (20 - PAGE_SHIFT);
	bool guest = fb->domain == VPLANE_DOMAIN_GUEST_RAM;
	struct vplane_pobj *obj;
	int ret;

	if (guest && !__unmapping_allows(vgpu, fb->addr, fb->addr + fb->size)) {
		vgpu->nr_unmap_holds++;
		*status = VPLANE_PLANE_STATUS_UNMAPPED;
		return NULL;
	}
	evict(vgpu, guest ? npages : 0, consumer);
	*status = VPLANE_PLANE_STATUS_NO_RESOURCE;
	if (guest && vgpu->pinned_pages + npages > max_pinned)
		return NULL;
	/* a consumer never grows the cache past its bound */
	if (consumer && vgpu->nr_pobjs >= vplane_max_cached_planes)
		return NULL;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return NULL;
	obj->pages = pages_alloc(npages);
	if (!obj->pages)
		goto err_free;

	if (guest) {
		ret = pin_guest(vgpu, obj->pages, fb->addr);
		if (ret) {
			dev_dbg_ratelimited(vgpu_dev(vgpu),
					    "pin of 0x%llx+0x%llx failed: %d\n",
					    fb->addr, fb->size, ret);
			*status = VPLANE_PLANE_STATUS_PIN_FAILED;
			goto err_pages;
		}
		obj->pinned = true;
		vgpu->pinned_pages += npages;
		atomic_long_add(npages, &vplane_global.pinned_pages);
		vgpu->nr_pins++;
	} else if (fill_vram(vgpu, obj->pages, fb->addr)) {
		goto err_pages;
	}

	obj->fb = *fb;
	obj->id = alloc_id(vgpu);
	/* a consumer's object is the first to go, before any the VMM uses */
	if (consumer)
		list_add_tail(&obj->link, &vgpu->pobj_lru);
	else
		list_add(&obj->link, &vgpu->pobj_lru);
	vgpu->nr_pobjs++;
	atomic_inc(&vplane_global.pobjs);
	*status = VPLANE_PLANE_STATUS_OK;
	return obj;

err_pages:
	vplane_pages_put(obj->pages);
err_free:
	kfree(obj);
	return NULL;
}

/*
 * Find or create the object for @fb and take a use of it; it moves to the
 * LRU head.  NULL with *status set when it cannot be had.
 */
struct vplane_pobj *__vplane_pobj_get(struct vplane_vgpu *vgpu,
				      const struct vplane_fb *fb, u32 *status)
{
	struct vplane_pobj *obj;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry(obj, &vgpu->pobj_lru, link) {
		if (fb_equal(&obj->fb, fb)) {
			list_move(&obj->link, &vgpu->pobj_lru);
			obj->users++;
			*status = VPLANE_PLANE_STATUS_OK;
			return obj;
		}
	}
	obj = pobj_create(vgpu, fb, status, false);
	if (obj)
		obj->users++;
	return obj;
}

/*
 * For a display consumer: the cached object for @fb, or a new one that
 * evicts nothing the VMM saw; the LRU order stays as it is.
 */
static struct vplane_pobj *pobj_get_consumer(struct vplane_vgpu *vgpu,
					     const struct vplane_fb *fb)
{
	struct vplane_pobj *obj;
	u32 status;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry(obj, &vgpu->pobj_lru, link) {
		if (fb_equal(&obj->fb, fb))
			return obj;
	}
	return pobj_create(vgpu, fb, &status, true);
}

/* Drop a use taken by __vplane_pobj_get(); the object stays cached. */
void __vplane_pobj_put(struct vplane_vgpu *vgpu, struct vplane_pobj *obj)
{
	lockdep_assert_held(&vgpu->lock);
	if (!WARN_ON(!obj->users))
		obj->users--;
}

struct vplane_pobj *__vplane_pobj_find_id(struct vplane_vgpu *vgpu, u32 id)
{
	struct vplane_pobj *obj;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry(obj, &vgpu->pobj_lru, link)
		if (obj->id == id)
			return obj;
	return NULL;
}

/* Drop every cached object; planes must have released theirs. */
void __vplane_pobj_flush(struct vplane_vgpu *vgpu)
{
	struct vplane_pobj *obj, *tmp;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry_safe(obj, tmp, &vgpu->pobj_lru, link)
		pobj_destroy(vgpu, obj);
}

/* ---- planes ------------------------------------------------------------- */

void __vplane_plane_release(struct vplane_vgpu *vgpu, struct vplane_plane *p)
{
	lockdep_assert_held(&vgpu->lock);
	if (p->obj) {
		__vplane_pobj_put(vgpu, p->obj);
		p->obj = NULL;
	}
}

/* Give a valid but unresolved plane its object, if it can be had now. */
void __vplane_plane_resolve(struct vplane_vgpu *vgpu, struct vplane_plane *p)
{
	lockdep_assert_held(&vgpu->lock);
	if (p->obj || !status_fb_valid(p->status))
		return;
	p->obj = __vplane_pobj_get(vgpu, &p->fb, &p->status);
}

/* FLIP doorbell: the pending set of plane @plane becomes the active one. */
void __vplane_plane_latch(struct vplane_vgpu *vgpu, struct vplane_plane *p,
			  unsigned int plane)
{
	struct vplane_pobj *old = p->obj;
	struct vplane_fb fb;
	u32 status;

	lockdep_assert_held(&vgpu->lock);
	p->active = p->pending;
	status = __vplane_fb_check(vgpu, plane, &p->active, &fb);
	if (status != VPLANE_PLANE_STATUS_OK &&
	    status != VPLANE_PLANE_STATUS_DISABLED)
		dev_dbg_ratelimited(vgpu_dev(vgpu),
				    "plane %u rejected: status %u\n", plane,
				    status);

	p->fb = fb;
	p->status = status;
	if (old && status == VPLANE_PLANE_STATUS_OK &&
	    fb_equal(&old->fb, &fb)) {
		/* same buffer: keep the object and its id */
		list_move(&old->link, &vgpu->pobj_lru);
		return;
	}

	p->obj = NULL;
	__vplane_plane_resolve(vgpu, p);
	if (old)
		__vplane_pobj_put(vgpu, old);
}

/*
 * The VMM unmaps [iova, iova + length) (or iommufd detaches the IOAS:
 * 0..ULONG_MAX): drop the pins in that range so type1 or iommufd can
 * complete the unmap; under type1, pin nothing there again while it may
 * still be unmapping (see __unmapping_hold()).  dma-bufs keep their page
 * references.
 */
void vplane_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	struct vplane_pobj *obj, *tmp;
	unsigned int h, p;
	u64 end;

	if (check_add_overflow(iova, length, &end))
		end = U64_MAX;

	mutex_lock(&vgpu->lock);
	vgpu->nr_unmap_calls++;
	if (!vgpu->iommufd_bound)
		__unmapping_hold(vgpu, iova, end);
	list_for_each_entry_safe(obj, tmp, &vgpu->pobj_lru, link) {
		if (!obj->pinned || obj->fb.addr >= end ||
		    obj->fb.addr + obj->fb.size <= iova)
			continue;
		for (h = 0; h < vgpu->nr_heads; h++) {
			for (p = 0; p < VPLANE_NUM_PLANES; p++) {
				struct vplane_plane *pl =
					&vgpu->heads[h].planes[p];

				if (pl->obj != obj)
					continue;
				__vplane_plane_release(vgpu, pl);
				pl->status = VPLANE_PLANE_STATUS_UNMAPPED;
			}
		}
		pobj_destroy(vgpu, obj);
	}
	mutex_unlock(&vgpu->lock);
}

/* ---- VFIO_DEVICE_QUERY_GFX_PLANE ---------------------------------------- */

/* What DISPI describes for head 0's primary, as vplane plane registers. */
static void bochs_regs(struct vplane_vgpu *vgpu, struct vplane_plane_regs *r)
{
	const u16 *d = vgpu->dispi;
	u32 virt_width = max(d[VPLANE_DISPI_VIRT_WIDTH], d[VPLANE_DISPI_XRES]);
	u64 addr;

	memset(r, 0, sizeof(*r));
	r->hot_x = VPLANE_HOT_NONE;
	r->hot_y = VPLANE_HOT_NONE;
	if (!(d[VPLANE_DISPI_ENABLE] & VPLANE_DISPI_ENABLED))
		return;
	r->ctrl = VPLANE_PLANE_CTRL_ENABLE;
	/* 32 bpp only: any other depth is a format vplane cannot show */
	r->format = d[VPLANE_DISPI_BPP] == 32 ? DRM_FORMAT_XRGB8888 : 0;
	r->width = d[VPLANE_DISPI_XRES];
	r->height = d[VPLANE_DISPI_YRES];
	r->stride = virt_width * 4;
	r->domain = VPLANE_DOMAIN_VRAM;
	/* u16 * u32 + u16 * 4: cannot overflow u64 */
	addr = (u64)d[VPLANE_DISPI_Y_OFFSET] * r->stride +
	       (u64)d[VPLANE_DISPI_X_OFFSET] * 4;
	r->addr_lo = lower_32_bits(addr);
	r->addr_hi = upper_32_bits(addr);
}

/*
 * The bochs head: every 32-bpp mode up to the DISPI limit (what GETCAPS
 * reads) that fits VRAM, as on QEMU's stdvga; the type's limit is for
 * vplane's own heads, where the guest reads it.
 */
static u32 bochs_check(struct vplane_vgpu *vgpu,
		       const struct vplane_plane_regs *regs,
		       struct vplane_fb *fb)
{
	return fb_check(vgpu, VPLANE_PLANE_PRIMARY, regs, VPLANE_DISPI_MAX_XRES,
			VPLANE_DISPI_MAX_YRES, fb);
}

/*
 * A DISPI register changed (or was reset), vgpu->lock held: a valid
 * programming, or DISPI off, becomes what head 0 shows. An invalid one
 * leaves the last valid plane on screen: bochs-drm moves its scanout with
 * two writes (X, then Y offset) and the state between them need not be a
 * page-aligned framebuffer; the guest's next write makes it valid again.
 */
void __vplane_bochs_update(struct vplane_vgpu *vgpu)
{
	struct vplane_plane_regs regs;
	struct vplane_fb fb;
	u32 status;

	lockdep_assert_held(&vgpu->lock);
	bochs_regs(vgpu, &regs);
	status = bochs_check(vgpu, &regs, &fb);
	vgpu->bochs_status = status;
	if (status == VPLANE_PLANE_STATUS_OK ||
	    status == VPLANE_PLANE_STATUS_DISABLED)
		vgpu->bochs = regs;
}

static void fill_info(struct vfio_device_gfx_plane_info *info,
		      const struct vplane_fb *fb,
		      const struct vplane_plane_regs *regs, u32 id, bool cursor)
{
	info->drm_format = fb->format;
	info->drm_format_mod = DRM_FORMAT_MOD_LINEAR;
	info->width = fb->width;
	info->height = fb->height;
	info->stride = fb->stride;
	info->size = fb->size;
	info->x_pos = (u32)regs->pos_x;
	info->y_pos = (u32)regs->pos_y;
	info->x_hot = cursor ? regs->hot_x : VPLANE_HOT_NONE;
	info->y_hot = cursor ? regs->hot_y : VPLANE_HOT_NONE;
	info->dmabuf_id = id;
}

/*
 * What plane @idx of @head shows now, vgpu->lock held: its framebuffer,
 * the registers it came from and its dmabuf_id.  False for a disabled or
 * invalid plane.  Head 0 shows the bochs DISPI state until the guest
 * enables it through vplane's own registers.
 *
 * The VMM (@vmm) may retry a plane that lost its object (a re-pin after
 * the memory came back, as ABI.md says) and marks the ids it saw. A
 * display consumer changes nothing the guest or the VMM can see: no
 * retry (STATUS and ACTIVE_ID stay), no LRU touch, and a bochs object it
 * needs evicts no id the VMM saw.
 */
static bool __plane_snapshot(struct vplane_vgpu *vgpu, unsigned int head,
			     unsigned int idx, struct vplane_fb *fb,
			     struct vplane_plane_regs *regs, u32 *id, bool vmm)
{
	struct vplane_pobj *obj;
	u32 status;

	lockdep_assert_held(&vgpu->lock);
	if (__vplane_head_active(vgpu, head)) {
		struct vplane_plane *p = &vgpu->heads[head].planes[idx];

		if (vmm)
			__vplane_plane_resolve(vgpu, p);
		if (!p->obj)
			return false;
		if (vmm) {
			list_move(&p->obj->link, &vgpu->pobj_lru);
			p->obj->vmm = true;
			vgpu->heads[head].vmm_ids[idx] = p->obj->id;
		}
		*fb = p->obj->fb;
		*regs = p->active;
		*id = p->obj->id;
		return true;
	}
	if (head != 0 || idx != VPLANE_PLANE_PRIMARY)
		return false;
	*regs = vgpu->bochs;
	if (bochs_check(vgpu, regs, fb) != VPLANE_PLANE_STATUS_OK)
		return false;
	if (!vmm) {
		obj = pobj_get_consumer(vgpu, fb);
		if (!obj)
			return false;
		*fb = obj->fb;
		*id = obj->id;
		return true;
	}
	obj = __vplane_pobj_get(vgpu, fb, &status);
	if (!obj)
		return false;
	obj->vmm = true;
	vgpu->heads[head].vmm_ids[idx] = obj->id;
	*fb = obj->fb;
	*id = obj->id;
	__vplane_pobj_put(vgpu, obj);
	return true;
}

/*
 * dmabuf_id of the bochs framebuffer, 0 if none; vgpu->lock held. For the
 * display node's events: a consumer's, it evicts no id the VMM saw.
 */
u32 __vplane_bochs_plane_id(struct vplane_vgpu *vgpu)
{
	struct vplane_plane_regs regs;
	struct vplane_fb fb;
	u32 id;

	return __plane_snapshot(vgpu, 0, VPLANE_PLANE_PRIMARY, &fb, &regs, &id,
				false)
		       ? id
		       : 0;
}

/*
 * Answer a non-probe query with VFIO_GFX_PLANE_TYPE_DMABUF.  The head is
 * in bits 16..23 of drm_plane_type (0 for plain QEMU).  A disabled or
 * invalid plane answers all zeros.
 */
int vplane_query_plane(struct vplane_vgpu *vgpu,
		       struct vfio_device_gfx_plane_info *info)
{
	u32 type = info->drm_plane_type & VPLANE_QUERY_TYPE_MASK;
	u32 head = info->drm_plane_type >> VPLANE_QUERY_HEAD_SHIFT;
	struct vplane_plane_regs regs;
	struct vplane_fb fb;
	unsigned int idx;
	u32 id;

	if (type == DRM_PLANE_TYPE_PRIMARY)
		idx = VPLANE_PLANE_PRIMARY;
	else if (type == DRM_PLANE_TYPE_CURSOR)
		idx = VPLANE_PLANE_CURSOR;
	else
		return -EINVAL;
	if (head >= vgpu->nr_heads)
		return -EINVAL;

	info->drm_format = 0;
	info->drm_format_mod = 0;
	info->width = 0;
	info->height = 0;
	info->stride = 0;
	info->size = 0;
	info->x_pos = 0;
	info->y_pos = 0;
	info->x_hot = 0;
	info->y_hot = 0;
	info->dmabuf_id = 0;

	mutex_lock(&vgpu->lock);
	vgpu->nr_queries++;
	if (__plane_snapshot(vgpu, head, idx, &fb, &regs, &id, true))
		fill_info(info, &fb, &regs, id, idx == VPLANE_PLANE_CURSOR);
	mutex_unlock(&vgpu->lock);
	return 0;
}

/* A plane the guest enabled is refused: over a limit, or invalid. */
static void invalid_reason(const struct vplane_plane_regs *regs, u32 status,
			   struct vplane_display_plane *pl)
{
	pl->status = status;
	switch (status) {
	case VPLANE_PLANE_STATUS_PIN_FAILED:
	case VPLANE_PLANE_STATUS_UNMAPPED:
	case VPLANE_PLANE_STATUS_NO_RESOURCE:
		pl->reason = VPLANE_DISPLAY_REASON_HOST;
		return;
	case VPLANE_PLANE_STATUS_OK:
		/* valid, but its object could not be had */
		pl->reason = VPLANE_DISPLAY_REASON_HOST;
		pl->status = VPLANE_PLANE_STATUS_NO_RESOURCE;
		return;
	case VPLANE_PLANE_STATUS_BAD_SIZE:
		if (!regs->width || !regs->height)
			break;
		pl->reason = VPLANE_DISPLAY_REASON_LIMIT;
		pl->req_width = regs->width;
		pl->req_height = regs->height;
		return;
	}
	pl->reason = VPLANE_DISPLAY_REASON_INVALID;
}

/*
 * Why plane @idx of @h shows nothing, vgpu->lock held: closed or reset by
 * the VMM, nothing set yet, turned off by the guest, a mode over the
 * limit, or the guest's programming (status) or the host (pin, budget).
 */
static void __plane_reason(struct vplane_vgpu *vgpu, struct vplane_head *h,
			   unsigned int idx, struct vplane_display_plane *pl)
{
	const struct vplane_plane *p = &h->planes[idx];
	struct vplane_plane_regs regs;

	lockdep_assert_held(&vgpu->lock);
	if (!vgpu->open) {
		pl->reason = VPLANE_DISPLAY_REASON_CLOSED;
	} else if (h->idle_reason) {
		pl->reason = h->idle_reason;
	} else if (__vplane_head_active(vgpu, h->index)) {
		if (p->status == VPLANE_PLANE_STATUS_DISABLED)
			pl->reason = VPLANE_DISPLAY_REASON_OFF;
		else
			invalid_reason(&p->active, p->status, pl);
	} else if (h->ctrl & VPLANE_HEAD_CTRL_ENABLE) {
		/* enabled with a mode the head cannot take */
		regs.width = h->width;
		regs.height = h->height;
		invalid_reason(&regs, VPLANE_PLANE_STATUS_BAD_SIZE, pl);
	} else if (h->index == 0 && idx == VPLANE_PLANE_PRIMARY &&
		   vgpu->bochs_status != VPLANE_PLANE_STATUS_DISABLED) {
		bochs_regs(vgpu, &regs);
		invalid_reason(&regs, vgpu->bochs_status, pl);
		/* a bochs mode that does not fit VRAM is over its limit */
		if (vgpu->bochs_status == VPLANE_PLANE_STATUS_BAD_RANGE &&
		    !vgpu->dispi[VPLANE_DISPI_X_OFFSET] &&
		    !vgpu->dispi[VPLANE_DISPI_Y_OFFSET]) {
			pl->reason = VPLANE_DISPLAY_REASON_LIMIT;
			pl->req_width = regs.width;
			pl->req_height = regs.height;
		}
	} else {
		pl->reason = VPLANE_DISPLAY_REASON_OFF;
	}
}

/*
 * VPLANE_DISPLAY_QUERY_PLANE: the upstream answer plus head index, signed
 * position, the flip that latched it and the head's scanout rectangle.
 * A consumer's query has no side effect the guest or the VMM can see.
 * @pl->head and @pl->plane are in; the rest is zero for a disabled plane.
 */
int vplane_describe_plane(struct vplane_vgpu *vgpu,
			  struct vplane_display_plane *pl)
{
	struct vplane_plane_regs regs;
	struct vplane_head *h;
	struct vplane_fb fb;
	u32 id;

	if (pl->head >= vgpu->nr_heads || pl->plane >= VPLANE_NUM_PLANES)
		return -EINVAL;
	h = &vgpu->heads[pl->head];
	mutex_lock(&vgpu->lock);
	vgpu->nr_queries++;
	if (__plane_snapshot(vgpu, pl->head, pl->plane, &fb, &regs, &id,
			     false)) {
		bool cursor = pl->plane == VPLANE_PLANE_CURSOR;

		pl->flags = VPLANE_DISPLAY_PLANE_ENABLED;
		pl->drm_format = fb.format;
		pl->drm_format_mod = DRM_FORMAT_MOD_LINEAR;
		pl->width = fb.width;
		pl->height = fb.height;
		pl->stride = fb.stride;
		pl->size = fb.size;
		pl->x = regs.pos_x;
		pl->y = regs.pos_y;
		pl->x_hot = cursor ? regs.hot_x : VPLANE_HOT_NONE;
		pl->y_hot = cursor ? regs.hot_y : VPLANE_HOT_NONE;
		pl->dmabuf_id = id;
		pl->status = VPLANE_PLANE_STATUS_OK;
		/*
		 * bochs: the last valid plane stays while the guest's
		 * programming between two writes is not (status says why)
		 */
		if (!__vplane_head_active(vgpu, pl->head))
			pl->status = vgpu->bochs_status;
	} else {
		__plane_reason(vgpu, h, pl->plane, pl);
	}
	if (__vplane_head_active(vgpu, pl->head)) {
		pl->head_width = h->width;
		pl->head_height = h->height;
		/* what the vblank timer runs at: out of range means 60 Hz */
		pl->refresh_mhz =
			h->refresh >= VPLANE_REFRESH_MIN &&
					h->refresh <= VPLANE_REFRESH_MAX
				? h->refresh
				: VPLANE_REFRESH_DEFAULT;
	} else if (pl->flags) {
		/* bochs mode: the framebuffer is the mode */
		pl->head_width = fb.width;
		pl->head_height = fb.height;
		pl->refresh_mhz = VPLANE_REFRESH_DEFAULT;
	}
	pl->flip_seq = __vplane_flip_seq(vgpu, pl->head);
	mutex_unlock(&vgpu->lock);
	return 0;
}
