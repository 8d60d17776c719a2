// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: the VFIO device: open/close, region read/write/mmap, ioctls.
 *
 * Regions (offset = index << VPLANE_OFFSET_SHIFT in the device fd):
 *   VFIO_PCI_CONFIG_REGION_INDEX  256 bytes config space
 *   VFIO_PCI_BAR0_REGION_INDEX    VRAM, read/write/mmap
 *   VFIO_PCI_BAR2_REGION_INDEX    MMIO registers, read/write
 *   VPLANE_REGION_EDID(h)         GFX EDID region of head h
 * Every access is checked as offset + count <= region size without
 * overflow before anything is touched.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vplane.h"

static int vplane_open_device(struct vfio_device *vdev)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	unsigned int h;

	mutex_lock(&vgpu->lock);
	vgpu->open = true;
	/* consumers re-query: their heads now wait for the guest */
	for (h = 0; h < vgpu->nr_heads; h++)
		__vplane_display_mode(vgpu, h);
	mutex_unlock(&vgpu->lock);
	return 0;
}

/*
 * Last close: stop everything, drop pins and cached objects, free VRAM.
 * Runs before the container forgets the device, so unpinning still works.
 * Exported dma-bufs are not affected.
 */
static void vplane_close_device(struct vfio_device *vdev)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	unsigned int h;

	mutex_lock(&vgpu->lock);
	vgpu->open = false;
	__vplane_regs_reset(vgpu);
	__vplane_pobj_flush(vgpu);
	__vplane_vram_free(vgpu);
	vplane_cfg_init(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++)
		vplane_edid_init(vgpu, h);
	/*
	 * display consumers see the same as after VFIO_DEVICE_RESET: the
	 * VM is gone, every plane and flip sequence starts over
	 */
	__vplane_display_reset(vgpu);
	__vplane_input_release_all(vgpu);
	mutex_unlock(&vgpu->lock);
	vplane_irq_release_trigger(vgpu);
}

static u64 region_size(struct vplane_vgpu *vgpu, u64 index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return VPLANE_CFG_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return vgpu->vram_size;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return VPLANE_MMIO_SIZE;
	}
	if (index >= VFIO_PCI_NUM_REGIONS && index < VPLANE_NUM_REGIONS(vgpu))
		return VPLANE_EDID_REGION_SIZE;
	return 0;
}

/* One naturally aligned access of 1, 2 or 4 bytes, vgpu->lock held. */
static int region_access(struct vplane_vgpu *vgpu, u64 index, u64 off, u8 *buf,
			 u32 n, bool write)
{
	u32 val;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		if (write)
			__vplane_cfg_write(vgpu, off, buf, n);
		else
			__vplane_cfg_read(vgpu, off, buf, n);
		return 0;
	case VFIO_PCI_BAR2_REGION_INDEX:
		if (write) {
			val = n == 4   ? get_unaligned_le32(buf)
			      : n == 2 ? get_unaligned_le16(buf)
				       : buf[0];
			__vplane_mmio_write(vgpu, off, n, val);
		} else {
			val = __vplane_mmio_read(vgpu, off, n);
			if (n == 4)
				put_unaligned_le32(val, buf);
			else if (n == 2)
				put_unaligned_le16(val, buf);
			else
				buf[0] = val;
		}
		return 0;
	}
	return __vplane_edid_region_rw(vgpu, index - VFIO_PCI_NUM_REGIONS, off,
				       buf, n, write);
}

/* VRAM through read/write, a page at a time, never faulting under lock. */
static ssize_t vram_rw(struct vplane_vgpu *vgpu, char __user *ubuf,
		       size_t count, u64 off, bool write)
{
	size_t done = 0;

	while (done < count) {
		unsigned long poff = off & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - poff);
		struct page *page;
		unsigned long left;
		void *kaddr;

		page = vplane_vram_get_page(vgpu, off >> PAGE_SHIFT);
		if (!page)
			return done ? done : -ENOMEM;

		kaddr = kmap_local_page(page);
		if (write)
			left = copy_from_user(kaddr + poff, ubuf + done, n);
		else
			left = copy_to_user(ubuf + done, kaddr + poff, n);
		kunmap_local(kaddr);
		put_page(page);
		if (left)
			return done ? done : -EFAULT;
		done += n;
		off += n;
		cond_resched();
	}
	return done;
}

static ssize_t vplane_rw(struct vplane_vgpu *vgpu, char __user *ubuf,
			 size_t count, loff_t *ppos, bool write)
{
	u64 index, off, size;
	size_t done = 0;
	ssize_t ret;

	if (*ppos < 0)
		return -EINVAL;
	index = (u64)*ppos >> VPLANE_OFFSET_SHIFT;
	off = (u64)*ppos & VPLANE_OFFSET_MASK;
	size = region_size(vgpu, index);
	if (!size || count > size || off > size - count)
		return -EINVAL;

	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		ret = vram_rw(vgpu, ubuf, count, off, write);
		if (ret > 0)
			*ppos += ret;
		return ret;
	}

	while (done < count) {
		size_t left = count - done;
		u8 buf[4];
		u32 n;
		int err;

		if (left >= 4 && IS_ALIGNED(off, 4))
			n = 4;
		else if (left >= 2 && IS_ALIGNED(off, 2))
			n = 2;
		else
			n = 1;

		if (write && copy_from_user(buf, ubuf + done, n))
			return done ? done : -EFAULT;
		mutex_lock(&vgpu->lock);
		err = region_access(vgpu, index, off, buf, n, write);
		mutex_unlock(&vgpu->lock);
		if (err)
			return done ? done : err;
		if (!write && copy_to_user(ubuf + done, buf, n))
			return done ? done : -EFAULT;
		done += n;
		off += n;
		*ppos += n;
	}
	return done;
}

static ssize_t vplane_read(struct vfio_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos)
{
	return vplane_rw(vgpu_from_vdev(vdev), buf, count, ppos, false);
}

static ssize_t vplane_write(struct vfio_device *vdev, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	return vplane_rw(vgpu_from_vdev(vdev), (char __user *)buf, count, ppos,
			 true);
}

#define BAR0_PGOFF \
	(VPLANE_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) >> PAGE_SHIFT)
#define PGOFF_MASK (VPLANE_OFFSET_MASK >> PAGE_SHIFT)

static vm_fault_t vram_fault(struct vm_fault *vmf)
{
	struct vplane_vgpu *vgpu = vmf->vma->vm_private_data;
	unsigned long pgoff = vmf->pgoff & PGOFF_MASK;
	struct page *page;

	/* not vgpu->lock: see vplane_vgpu.vram_lock */
	page = vplane_vram_get_page(vgpu, pgoff);
	if (!page)
		return pgoff < vgpu->vram_npages ? VM_FAULT_OOM
						 : VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vram_vm_ops = {
	.fault = vram_fault,
};

/* Only BAR0 (VRAM) can be mapped, and only inside its size. */
static int vplane_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	unsigned long start, npages = vma_pages(vma);

	if ((vma->vm_pgoff & ~PGOFF_MASK) != BAR0_PGOFF)
		return -EINVAL;
	start = vma->vm_pgoff & PGOFF_MASK;
	if (start >= vgpu->vram_npages || npages > vgpu->vram_npages - start)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	vplane_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vram_vm_ops;
	vma->vm_private_data = vgpu;
	return 0;
}

/* ---- ioctls ------------------------------------------------------------- */

static long ioctl_get_info(struct vplane_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VPLANE_NUM_REGIONS(vgpu);
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Region @info->index: offset, size and flags into @info, the EDID
 * region's type capability into @caps (the caller frees caps->buf).
 */
static int region_info_fill(struct vplane_vgpu *vgpu,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps)
{
	if (info->index >= VPLANE_NUM_REGIONS(vgpu))
		return -EINVAL;

	info->offset = VPLANE_INDEX_TO_OFFSET(info->index);
	info->size = region_size(vgpu, info->index);
	info->flags = 0;
	info->cap_offset = 0;
	if (info->size)
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	if (info->index == VFIO_PCI_BAR0_REGION_INDEX)
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;

	if (info->index >= VFIO_PCI_NUM_REGIONS) {
		struct vfio_region_info_cap_type cap = {
			.header.id = VFIO_REGION_INFO_CAP_TYPE,
			.header.version = 1,
			.type = VFIO_REGION_TYPE_GFX,
			.subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
		};

		return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
	}
	return 0;
}

/* Where the VFIO core answers GET_REGION_INFO (vplane_compat.h). */
static int __maybe_unused vplane_get_region_info_caps(
	struct vfio_device *vdev, struct vfio_region_info *info,
	struct vfio_info_cap *caps)
{
	return region_info_fill(vgpu_from_vdev(vdev), info, caps);
}

/* Where the driver answers it: older kernels. */
static long ioctl_get_region_info(struct vplane_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = region_info_fill(vgpu, &info, &caps);
	if (ret) {
		kfree(caps.buf);
		return ret;
	}

	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf,
					 caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long ioctl_get_irq_info(struct vplane_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.flags = 0;
	info.count = 0;
	if (info.index == VFIO_PCI_MSI_IRQ_INDEX ||
	    info.index == VFIO_PCI_REQ_IRQ_INDEX) {
		info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		info.count = 1;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long ioctl_set_irqs(struct vplane_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(
		&hdr,
		hdr.index == VFIO_PCI_MSI_IRQ_INDEX ||
				hdr.index == VFIO_PCI_REQ_IRQ_INDEX
			? 1
			: 0,
		VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	return vplane_irq_set(vgpu, &hdr, arg + minsz);
}

static long ioctl_reset(struct vplane_vgpu *vgpu)
{
	unsigned int h;

	mutex_lock(&vgpu->lock);
	__vplane_regs_reset(vgpu);
	__vplane_pobj_flush(vgpu);
	vplane_cfg_init(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++)
		vgpu->heads[h].idle_reason = VPLANE_DISPLAY_REASON_RESET;
	__vplane_display_reset(vgpu);
	__vplane_input_release_all(vgpu);
	mutex_unlock(&vgpu->lock);
	return 0;
}

static long ioctl_query_plane(struct vplane_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_gfx_plane_info, region_index);
	struct vfio_device_gfx_plane_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	if (info.flags & VFIO_GFX_PLANE_TYPE_PROBE) {
		/* dma-bufs only; VFIO_GFX_PLANE_TYPE_REGION is unsupported */
		if (info.flags ==
		    (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF))
			return 0;
		return -EINVAL;
	}
	if (info.flags != VFIO_GFX_PLANE_TYPE_DMABUF)
		return -EINVAL;

	ret = vplane_query_plane(vgpu, &info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long vplane_ioctl(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	void __user *uarg = (void __user *)arg;
	u32 id;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return ioctl_get_info(vgpu, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return ioctl_get_region_info(vgpu, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return ioctl_get_irq_info(vgpu, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return ioctl_set_irqs(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		return ioctl_reset(vgpu);
	case VPLANE_VFIO_GET_DISPLAY_FD:
		return vplane_display_open_fd(vgpu);
	case VFIO_DEVICE_QUERY_GFX_PLANE:
		return ioctl_query_plane(vgpu, uarg);
	case VFIO_DEVICE_GET_GFX_DMABUF:
		if (get_user(id, (u32 __user *)uarg))
			return -EFAULT;
		return vplane_get_dmabuf(vgpu, id, vgpu->vmm_quota);
	}
	return -ENOTTY;
}

static void vplane_request(struct vfio_device *vdev, unsigned int count)
{
	vplane_irq_request(vgpu_from_vdev(vdev), count);
}

/*
 * A VMM binds the device to an iommufd (the device cdev, or the iommufd
 * that stands in for the VFIO container): vfio_pin_pages() goes through an
 * iommufd access from now on, and iommufd itself refuses pins in a range
 * it is unmapping or in an IOAS it detaches, so vplane_dma_unmap() holds
 * no range (vplane_plane.c). Called before open_device, after
 * close_device.
 */
static int __maybe_unused vplane_bind_iommufd(struct vfio_device *vdev,
					      struct iommufd_ctx *ictx,
					      u32 *out_device_id)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	int ret;

	ret = vplane_vfio_emulated_bind(vdev, ictx, out_device_id);
	if (ret)
		return ret;
	mutex_lock(&vgpu->lock);
	vgpu->iommufd_bound = true;
	/* holds of an earlier open through type1 do not apply */
	vgpu->nr_unmapping = 0;
	mutex_unlock(&vgpu->lock);
	return 0;
}

static void __maybe_unused vplane_unbind_iommufd(struct vfio_device *vdev)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);

	/* after: destroying the access calls dma_unmap (0..ULONG_MAX) */
	vplane_vfio_emulated_unbind(vdev);
	mutex_lock(&vgpu->lock);
	vgpu->iommufd_bound = false;
	mutex_unlock(&vgpu->lock);
}

const struct vfio_device_ops vplane_dev_ops = {
	.name = "vplane",
	.init = vplane_vgpu_init,
	.release = vplane_vgpu_release,
	.open_device = vplane_open_device,
	.close_device = vplane_close_device,
	.read = vplane_read,
	.write = vplane_write,
	.mmap = vplane_mmap,
	.ioctl = vplane_ioctl,
	.dma_unmap = vplane_dma_unmap,
	.request = vplane_request,
	/* clang-format off */
	VPLANE_VFIO_IOMMUFD_OPS(vplane_bind_iommufd, vplane_unbind_iommufd)
	VPLANE_VFIO_REGION_INFO_OP(vplane_get_region_info_caps)
	/* clang-format on */
};
