/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vplane: every kernel-version difference the driver builds across, in one
 * place (Debian 12's 6.1 up to the newest kernel Debian ships).
 *
 * Each entry names the kernel version (and commit subject) that changed the
 * interface. The driver's files call the helpers below and carry no
 * version checks of their own. Adding a kernel series: build against its
 * headers (tests/vm/vmrun module ... --kernel ...), add what fails here.
 *
 * No other file needs a guard for:
 * - no_llseek: a file_operations without .llseek is not seekable on every
 *   supported kernel (Debian's 6.1 already defines no_llseek as NULL);
 *   6.12 removed the name ("fs: remove no_llseek").
 * - vfio_device_ops.bind_iommufd/unbind_iommufd/attach_ioas/detach_ioas:
 *   VPLANE_VFIO_IOMMUFD_OPS below fills them where the kernel has them;
 *   .get_region_info_caps: VPLANE_VFIO_REGION_INFO_OP.
 */
#ifndef VPLANE_COMPAT_H
#define VPLANE_COMPAT_H

#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/version.h>
#include <linux/vfio.h>

/* 6.12: "move asm/unaligned.h to linux/unaligned.h" */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * vfio_device_ops.release ends with this. 6.1: the driver frees the
 * vfio_device; 6.2 "vfio: Remove vfio_free_device": the core does.
 */
static inline void vplane_vfio_free_device(struct vfio_device *vdev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	vfio_free_device(vdev);
#endif
}

/*
 * The emulated-IOAS ops of an mdev driver. 6.2 added them ("vfio-iommufd:
 * Support iommufd for emulated VFIO devices"); from 6.4
 * vfio_register_emulated_iommu_dev() fails without them when
 * CONFIG_IOMMUFD is on; 6.6 added .detach_ioas. @bind and @unbind are
 * vplane_vfio_emulated_bind()/_unbind() below or a driver's own around
 * them (vplane's notes that its pins go through iommufd). Without
 * CONFIG_IOMMUFD nothing binds through iommufd and the ops stay NULL.
 */
struct iommufd_ctx;

#if IS_ENABLED(CONFIG_IOMMUFD) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define VPLANE_VFIO_IOMMUFD_OPS(bind, unbind)             \
	.bind_iommufd = bind, .unbind_iommufd = unbind,   \
	.attach_ioas = vfio_iommufd_emulated_attach_ioas, \
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#elif IS_ENABLED(CONFIG_IOMMUFD) && \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define VPLANE_VFIO_IOMMUFD_OPS(bind, unbind)           \
	.bind_iommufd = bind, .unbind_iommufd = unbind, \
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
#else
#define VPLANE_VFIO_IOMMUFD_OPS(bind, unbind)
#endif

#if IS_ENABLED(CONFIG_IOMMUFD) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline int vplane_vfio_emulated_bind(struct vfio_device *vdev,
					    struct iommufd_ctx *ictx,
					    u32 *out_device_id)
{
	return vfio_iommufd_emulated_bind(vdev, ictx, out_device_id);
}

static inline void vplane_vfio_emulated_unbind(struct vfio_device *vdev)
{
	vfio_iommufd_emulated_unbind(vdev);
}
#else
static inline int vplane_vfio_emulated_bind(struct vfio_device *vdev,
					    struct iommufd_ctx *ictx,
					    u32 *out_device_id)
{
	return -EOPNOTSUPP;
}

static inline void vplane_vfio_emulated_unbind(struct vfio_device *vdev)
{
}
#endif

/*
 * 6.19 (merged for 6.19-rc1, Dec 2025): 775f726a742a "vfio: Add
 * get_region_info_caps op" and 56c069307dfd "vfio: Remove the
 * get_region_info op": the VFIO core answers VFIO_DEVICE_GET_REGION_INFO
 * itself through this op (-EINVAL without it) and no longer passes it to
 * the driver's ioctl; before, the ioctl did.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define VPLANE_VFIO_REGION_INFO_OP(fn) .get_region_info_caps = fn,
#else
#define VPLANE_VFIO_REGION_INFO_OP(fn)
#endif

/* 6.2 "driver core: make struct device_type.devnode() take a const *" */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define VPLANE_DEVNODE_CONST const
#else
#define VPLANE_DEVNODE_CONST
#endif

/* 6.4 "driver core: class: remove module * from class_create()" */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define vplane_class_create(name) class_create(name)
#else
#define vplane_class_create(name) class_create(THIS_MODULE, name)
#endif

/*
 * 6.3 "mm: introduce vma->vm_flags wrapper functions": vm_flags is const
 * and written through these; before, the driver writes the field.
 */
static inline void vplane_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void vplane_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* 6.8 "eventfd: simplify eventfd_signal()": the count argument is gone */
static inline void vplane_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.13 "hrtimers: Introduce hrtimer_setup() to replace hrtimer_init()";
 * hrtimer_init() is gone by 7.x ("hrtimers: Delete hrtimer_init()").
 */
static inline void
vplane_hrtimer_setup(struct hrtimer *timer,
		     enum hrtimer_restart (*function)(struct hrtimer *),
		     clockid_t clock_id, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, function, clock_id, mode);
#else
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
#endif
}

/* 6.13 "module: Convert symbol namespace to string literal" */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VPLANE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#else
#define VPLANE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif /* VPLANE_COMPAT_H */
