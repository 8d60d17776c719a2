// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: dma-buf export of plane objects (VFIO_DEVICE_GET_GFX_DMABUF).
 *
 * Every GET exports a new dma-buf.  Its private data holds its own
 * reference on the plane object's page set and on the vGPU's counters,
 * nothing else: it stays valid after guest-RAM unmap, VFIO_DEVICE_RESET,
 * device close and mdev removal, and its release touches no device state.
 * dma_buf_export() takes a reference on this module (exp_info.owner), so
 * rmmod is refused while a dma-buf lives.
 *
 * A dma-buf is a read-only view of guest memory (scanout only reads):
 * its file is O_RDONLY, a CPU mapping can never be writable (VM_WRITE
 * refused, VM_MAYWRITE cleared, whoever's file the vma belongs to), CPU
 * access brackets for writing are refused, devices get a DMA_TO_DEVICE
 * mapping whatever they ask for (an IOMMU maps it read-only; a mapping
 * for device writes only is refused), and the kernel vmap is read-only.
 *
 * 6.1 locking: map/unmap may or may not be called with the reservation
 * lock held (6.2 made it always held for map/unmap and vmap), so the
 * exporter keeps its own lock for its mapping list and vmap state.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vplane.h"

struct vplane_dmabuf {
	struct vplane_pages *pages;    /* own reference */
	struct vplane_stats *stats;    /* own reference */
	struct vplane_quota *quota;    /* own reference: the opener's bound */
	struct vplane_id_hold id_hold; /* keeps id from being reused */
	u64 size;
	u32 id;

	struct mutex lock;
	struct list_head mappings; /* vplane_mapping.link */
	void *vaddr;
	unsigned int vmap_count;
};

/* One device mapping made by map_dma_buf; always DMA_TO_DEVICE. */
struct vplane_mapping {
	struct list_head link; /* vplane_dmabuf.mappings */
	struct device *dev;
	struct sg_table sgt;
};

/*
 * Would CPU access in direction @dir write the buffer?  DMA_BUF_IOCTL_SYNC
 * passes SYNC_READ as DMA_FROM_DEVICE, SYNC_WRITE as DMA_TO_DEVICE and
 * SYNC_RW as DMA_BIDIRECTIONAL.
 */
static bool cpu_writes(enum dma_data_direction dir)
{
	return dir != DMA_FROM_DEVICE;
}

/*
 * The importer reads the buffer, never writes it: any direction but
 * DMA_FROM_DEVICE (device writes only) is mapped DMA_TO_DEVICE, so an
 * IOMMU gives the device a read-only mapping.  (PRIME imports ask for
 * DMA_BIDIRECTIONAL by habit; refusing those would refuse every KMS
 * importer.)
 */
static struct sg_table *vplane_map_dma_buf(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir)
{
	struct vplane_dmabuf *vbuf = attach->dmabuf->priv;
	struct vplane_mapping *m;
	int ret;

	if (dir == DMA_FROM_DEVICE || dir == DMA_NONE)
		return ERR_PTR(-EPERM);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);

	/* segments no longer than the importing device can map */
	ret = sg_alloc_table_from_pages_segment(
		&m->sgt, vbuf->pages->pages, vbuf->pages->npages, 0, vbuf->size,
		dma_get_max_seg_size(attach->dev), GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = dma_map_sgtable(attach->dev, &m->sgt, DMA_TO_DEVICE, 0);
	if (ret)
		goto err_table;

	m->dev = attach->dev;
	mutex_lock(&vbuf->lock);
	list_add(&m->link, &vbuf->mappings);
	mutex_unlock(&vbuf->lock);
	atomic_inc(&vplane_global.mappings);
	return &m->sgt;

err_table:
	sg_free_table(&m->sgt);
err_free:
	kfree(m);
	return ERR_PTR(ret);
}

static void vplane_unmap_dma_buf(struct dma_buf_attachment *attach,
				 struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	struct vplane_dmabuf *vbuf = attach->dmabuf->priv;
	struct vplane_mapping *m =
		container_of(sgt, struct vplane_mapping, sgt);

	mutex_lock(&vbuf->lock);
	list_del(&m->link);
	mutex_unlock(&vbuf->lock);
	dma_unmap_sgtable(attach->dev, sgt, DMA_TO_DEVICE, 0);
	sg_free_table(sgt);
	kfree(m);
	atomic_dec(&vplane_global.mappings);
}

/*
 * DMA_BUF_IOCTL_SYNC start: the CPU is about to read.  Devices only read
 * the buffer, so there is nothing to pull back; a bracket for writing
 * (SYNC_WRITE, SYNC_RW) is refused, there being no way to write.
 */
static int vplane_begin_cpu_access(struct dma_buf *buf,
				   enum dma_data_direction dir)
{
	struct vplane_dmabuf *vbuf = buf->priv;
	struct vplane_mapping *m;

	if (cpu_writes(dir))
		return -EPERM;
	mutex_lock(&vbuf->lock);
	list_for_each_entry(m, &vbuf->mappings, link)
		dma_sync_sgtable_for_cpu(m->dev, &m->sgt, DMA_TO_DEVICE);
	mutex_unlock(&vbuf->lock);
	return 0;
}

/* DMA_BUF_IOCTL_SYNC end: the CPU only read; nothing to push out. */
static int vplane_end_cpu_access(struct dma_buf *buf,
				 enum dma_data_direction dir)
{
	return cpu_writes(dir) ? -EPERM : 0;
}

static int vplane_vmap(struct dma_buf *buf, struct iosys_map *map)
{
	struct vplane_dmabuf *vbuf = buf->priv;
	int ret = 0;

	mutex_lock(&vbuf->lock);
	if (!vbuf->vaddr) {
		/* read-only: a kernel importer (vkms composing) reads */
		vbuf->vaddr = vmap(vbuf->pages->pages, vbuf->pages->npages,
				   VM_MAP, PAGE_KERNEL_RO);
		if (!vbuf->vaddr) {
			ret = -ENOMEM;
			goto out;
		}
		atomic_inc(&vplane_global.vmaps);
	}
	vbuf->vmap_count++;
	iosys_map_set_vaddr(map, vbuf->vaddr);
out:
	mutex_unlock(&vbuf->lock);
	return ret;
}

static void vplane_vunmap(struct dma_buf *buf, struct iosys_map *map)
{
	struct vplane_dmabuf *vbuf = buf->priv;

	mutex_lock(&vbuf->lock);
	if (!WARN_ON(!vbuf->vmap_count) && !--vbuf->vmap_count) {
		vunmap(vbuf->vaddr);
		vbuf->vaddr = NULL;
		atomic_dec(&vplane_global.vmaps);
	}
	mutex_unlock(&vbuf->lock);
}

static vm_fault_t vplane_dmabuf_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vplane_dmabuf *vbuf = vma->vm_private_data;

	if (vmf->pgoff >= vbuf->pages->npages)
		return VM_FAULT_SIGBUS;
	/*
	 * Insert by pfn: the pages may be anonymous guest RAM, which must not
	 * be mapped as file pages.  The vma holds the dma-buf file, which
	 * holds our page references, for as long as the pfns are mapped.
	 */
	return vmf_insert_pfn(vma, vmf->address,
			      page_to_pfn(vbuf->pages->pages[vmf->pgoff]));
}

static const struct vm_operations_struct vplane_dmabuf_vm_ops = {
	.fault = vplane_dmabuf_fault,
};

static int vplane_dmabuf_mmap(struct dma_buf *buf, struct vm_area_struct *vma)
{
	struct vplane_dmabuf *vbuf = buf->priv;
	unsigned long npages = vbuf->pages->npages;

	/*
	 * MAP_SHARED only.  (VM_MAYSHARE: the core clears VM_SHARED of a
	 * shared mapping of a file opened read-only, as ours are.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * Read-only, also through an importer's file (dma_buf_mmap() from a
	 * DRM device opened O_RDWR) and after mprotect().
	 */
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff >= npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -EINVAL;

	vplane_vm_flags_clear(vma, VM_MAYWRITE);
	vplane_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vplane_dmabuf_vm_ops;
	vma->vm_private_data = vbuf;
	return 0;
}

static void vbuf_free(struct vplane_dmabuf *vbuf)
{
	vplane_stats_release_id(vbuf->stats, &vbuf->id_hold);
	vplane_pages_put(vbuf->pages);
	atomic_dec(&vbuf->quota->dmabufs);
	vplane_quota_put(vbuf->quota);
	atomic_dec(&vbuf->stats->dmabufs);
	vplane_stats_put(vbuf->stats);
	atomic_dec(&vplane_global.dmabufs);
	mutex_destroy(&vbuf->lock);
	kfree(vbuf);
}

/* Last reference gone.  Touches only what the dma-buf owns. */
static void vplane_dmabuf_release(struct dma_buf *buf)
{
	struct vplane_dmabuf *vbuf = buf->priv;

	WARN_ON(!list_empty(&vbuf->mappings));
	if (WARN_ON(vbuf->vaddr))
		vunmap(vbuf->vaddr);
	vbuf_free(vbuf);
}

static const struct dma_buf_ops vplane_dmabuf_ops = {
	.map_dma_buf = vplane_map_dma_buf,
	.unmap_dma_buf = vplane_unmap_dma_buf,
	.begin_cpu_access = vplane_begin_cpu_access,
	.end_cpu_access = vplane_end_cpu_access,
	.vmap = vplane_vmap,
	.vunmap = vplane_vunmap,
	.mmap = vplane_dmabuf_mmap,
	.release = vplane_dmabuf_release,
};

static void quota_release(struct kref *kref)
{
	kfree(container_of(kref, struct vplane_quota, kref));
}

/* A new opener's dma-buf bound, charged to the opener's memory cgroup. */
struct vplane_quota *vplane_quota_new(void)
{
	struct vplane_quota *quota =
		kzalloc(sizeof(*quota), GFP_KERNEL_ACCOUNT);

	if (quota)
		kref_init(&quota->kref);
	return quota;
}

void vplane_quota_put(struct vplane_quota *quota)
{
	kref_put(&quota->kref, quota_release);
}

/*
 * VFIO_DEVICE_GET_GFX_DMABUF and the display node's GET_DMABUF: a new
 * read-only dma-buf fd (O_RDONLY | O_CLOEXEC) for the cached plane object
 * @id, or -ENOENT if no such object is cached (any more). Counted against
 * @quota, the caller's own bound: no opener can starve another.
 */
int vplane_get_dmabuf(struct vplane_vgpu *vgpu, u32 id,
		      struct vplane_quota *quota)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vplane_dmabuf *vbuf;
	struct vplane_pobj *obj;
	struct dma_buf *buf;
	int fd;

	vbuf = kzalloc(sizeof(*vbuf), GFP_KERNEL);
	if (!vbuf)
		return -ENOMEM;
	mutex_init(&vbuf->lock);
	INIT_LIST_HEAD(&vbuf->mappings);

	mutex_lock(&vgpu->lock);
	obj = __vplane_pobj_find_id(vgpu, id);
	if (!obj) {
		mutex_unlock(&vgpu->lock);
		kfree(vbuf);
		return -ENOENT;
	}
	if (atomic_inc_return(&quota->dmabufs) > vplane_max_dmabufs) {
		atomic_dec(&quota->dmabufs);
		mutex_unlock(&vgpu->lock);
		kfree(vbuf);
		dev_dbg_ratelimited(vgpu_dev(vgpu), "too many live dma-bufs\n");
		return -ENOSPC;
	}
	refcount_inc(&obj->pages->ref);
	vbuf->pages = obj->pages;
	kref_get(&quota->kref);
	vbuf->quota = quota;
	atomic_inc(&vgpu->stats->dmabufs);
	kref_get(&vgpu->stats->kref);
	vbuf->stats = vgpu->stats;
	vbuf->size = obj->fb.size;
	vbuf->id = obj->id;
	/* the id stays taken until this dma-buf is released */
	vplane_stats_hold_id(vgpu->stats, &vbuf->id_hold, vbuf->id);
	atomic64_inc(&vgpu->stats->dmabufs_total);
	atomic_inc(&vplane_global.dmabufs);
	mutex_unlock(&vgpu->lock);

	exp_info.ops = &vplane_dmabuf_ops;
	exp_info.size = vbuf->size;
	exp_info.flags = O_RDONLY | O_CLOEXEC;
	exp_info.priv = vbuf;
	buf = dma_buf_export(&exp_info);
	if (IS_ERR(buf)) {
		vbuf_free(vbuf);
		return PTR_ERR(buf);
	}

	fd = dma_buf_fd(buf, O_CLOEXEC);
	if (fd < 0)
		dma_buf_put(buf); /* release frees vbuf */
	return fd;
}
