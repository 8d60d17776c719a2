// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: mediated vGPU display device over VFIO mdev.
 *
 * Module setup: the mdev parent device and its types, the memory budget
 * the types draw from, and the per-instance create/destroy path.
 *
 * Kernel API notes (this targets Debian 12's 6.1):
 * - 6.1 already has the reworked mdev core: struct mdev_type embedded in
 *   the driver's type, mdev_register_parent(), mdev_driver.get_available
 *   and .show_description (the old mdev_parent_ops and
 *   supported_type_groups are gone since 6.1-rc1).
 * - 6.1 vfio_device: vfio_alloc_device() calls ops->init, the last put
 *   calls ops->release, which must end with vfio_free_device().  From 6.2
 *   the core frees the memory itself and vfio_free_device() is gone.
 * - 6.2+ also wants .bind_iommufd/.unbind_iommufd/.attach_ioas (the
 *   vfio_iommufd_emulated_* helpers) for emulated-IOMMU devices.
 * - class_create() lost its owner argument in 6.4.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vplane.h"

static unsigned int mem_budget_mb = 256;
module_param(mem_budget_mb, uint, 0444);
MODULE_PARM_DESC(
	mem_budget_mb,
	"MiB of VRAM all vplane instances together may use (default 256)");

unsigned int vplane_max_cached_planes = 16;
module_param_named(max_cached_planes, vplane_max_cached_planes, uint, 0444);
MODULE_PARM_DESC(
	max_cached_planes,
	"plane objects (dmabuf ids) cached per vGPU, LRU (default 16, min 4)");

unsigned int vplane_max_pinned_mb = 256;
module_param_named(max_pinned_mb, vplane_max_pinned_mb, uint, 0444);
MODULE_PARM_DESC(
	max_pinned_mb,
	"MiB of guest RAM one vGPU may keep pinned for planes (default 256)");

unsigned int vplane_max_dmabufs = 64;
module_param_named(max_dmabufs, vplane_max_dmabufs, uint, 0444);
MODULE_PARM_DESC(
	max_dmabufs,
	"live dma-bufs per opener (the VMM, each display-node fd) before GET_GFX_DMABUF / GET_DMABUF fail (default 64)");

struct vplane_global_stats vplane_global;

static atomic_t avail_mb;
static struct class *vplane_class;
static struct device vplane_parent_dev;
static struct mdev_parent vplane_parent;

static struct vplane_type vplane_types[] = {
	{
		.type.sysfs_name = "1head",
		.type.pretty_name = "vplane 1 head 1920x1200 16M",
		.heads = 1,
		.vram_mb = 16,
		.max_width = 1920,
		.max_height = 1200,
	},
	{
		.type.sysfs_name = "2head",
		.type.pretty_name = "vplane 2 heads 3840x2160 64M",
		.heads = 2,
		.vram_mb = 64,
		.max_width = 3840,
		.max_height = 2160,
	},
};

static struct mdev_type *vplane_mdev_types[] = {
	&vplane_types[0].type,
	&vplane_types[1].type,
};

static const struct vplane_type *type_from_mdev(struct mdev_type *mtype)
{
	return container_of(mtype, struct vplane_type, type);
}

static void budget_give(unsigned int mb);

/*
 * The vGPU and all its dma-bufs are gone: only now is its VRAM free (a
 * dma-buf of a VRAM plane holds VRAM pages), so only now does its share
 * of the budget come back.
 */
static void stats_release(struct kref *kref)
{
	struct vplane_stats *stats =
		container_of(kref, struct vplane_stats, kref);

	WARN_ON(!list_empty(&stats->ids));
	budget_give(stats->vram_mb);
	mutex_destroy(&stats->ids_lock);
	kfree(stats);
}

/* Drop a reference taken by the vGPU or by one of its dma-bufs. */
void vplane_stats_put(struct vplane_stats *stats)
{
	kref_put(&stats->kref, stats_release);
}

/* A dma-buf of object @id is born: @id is not reused while it lives. */
void vplane_stats_hold_id(struct vplane_stats *stats,
			  struct vplane_id_hold *hold, u32 id)
{
	hold->id = id;
	mutex_lock(&stats->ids_lock);
	list_add(&hold->link, &stats->ids);
	mutex_unlock(&stats->ids_lock);
}

void vplane_stats_release_id(struct vplane_stats *stats,
			     struct vplane_id_hold *hold)
{
	mutex_lock(&stats->ids_lock);
	list_del(&hold->link);
	mutex_unlock(&stats->ids_lock);
}

/*
 * Does a live dma-buf carry @id?  A consumer that caches buffers by id
 * (QEMU does) holds them, so such an id given to another framebuffer
 * would show it the old buffer.  At most max_dmabufs entries per opener.
 */
bool vplane_stats_id_held(struct vplane_stats *stats, u32 id)
{
	struct vplane_id_hold *hold;
	bool held = false;

	mutex_lock(&stats->ids_lock);
	list_for_each_entry(hold, &stats->ids, link) {
		if (hold->id == id) {
			held = true;
			break;
		}
	}
	mutex_unlock(&stats->ids_lock);
	return held;
}

static bool budget_take(unsigned int mb)
{
	int avail = atomic_read(&avail_mb);

	do {
		if (avail < 0 || (unsigned int)avail < mb)
			return false;
	} while (!atomic_try_cmpxchg(&avail_mb, &avail, avail - mb));
	return true;
}

static void budget_give(unsigned int mb)
{
	atomic_add(mb, &avail_mb);
}

/* vfio_device_ops.init: called by vfio_alloc_device() from probe */
int vplane_vgpu_init(struct vfio_device *vdev)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	const struct vplane_type *type = type_from_mdev(mdev->type);
	unsigned int i;
	int ret;

	if (!budget_take(type->vram_mb))
		return -ENOSPC;

	vgpu->mdev = mdev;
	vgpu->type = type;
	vgpu->nr_heads = type->heads;
	vgpu->vram_size = (u64)type->vram_mb << 20;
	vgpu->vram_npages = vgpu->vram_size >> PAGE_SHIFT;
	mutex_init(&vgpu->lock);
	mutex_init(&vgpu->vram_lock);
	INIT_LIST_HEAD(&vgpu->pobj_lru);
	vgpu->next_id = 1;

	ret = -ENOMEM;
	vgpu->vram =
		kvcalloc(vgpu->vram_npages, sizeof(*vgpu->vram), GFP_KERNEL);
	if (!vgpu->vram)
		goto err_budget;

	vgpu->stats = kzalloc(sizeof(*vgpu->stats), GFP_KERNEL);
	if (!vgpu->stats)
		goto err_vram;
	kref_init(&vgpu->stats->kref);
	mutex_init(&vgpu->stats->ids_lock);
	INIT_LIST_HEAD(&vgpu->stats->ids);
	/* from here the budget goes back with the last stats reference */
	vgpu->stats->vram_mb = type->vram_mb;
	/* the VMM's dma-buf bound (every VFIO device fd together) */
	vgpu->vmm_quota = vplane_quota_new();
	if (!vgpu->vmm_quota)
		goto err_stats;

	for (i = 0; i < vgpu->nr_heads; i++) {
		vgpu->heads[i].vgpu = vgpu;
		vgpu->heads[i].index = i;
		vplane_edid_init(vgpu, i);
	}
	vplane_irq_init(vgpu);
	vplane_cfg_init(vgpu);
	mutex_lock(&vgpu->lock);
	__vplane_regs_reset(vgpu);
	mutex_unlock(&vgpu->lock);

	atomic_inc(&vplane_global.vgpus);
	return 0;

err_stats:
	vplane_stats_put(vgpu->stats); /* gives the budget back */
	kvfree(vgpu->vram);
	return ret;
err_vram:
	kvfree(vgpu->vram);
err_budget:
	budget_give(type->vram_mb);
	return ret;
}

/* vfio_device_ops.release: the last vfio_put_device() */
void vplane_vgpu_release(struct vfio_device *vdev)
{
	struct vplane_vgpu *vgpu = vgpu_from_vdev(vdev);

	vplane_debugfs_remove(vgpu);
	mutex_lock(&vgpu->lock);
	__vplane_regs_reset(vgpu);
	__vplane_pobj_flush(vgpu);
	__vplane_vram_free(vgpu);
	mutex_unlock(&vgpu->lock);
	vplane_irq_release_trigger(vgpu);
	kvfree(vgpu->vram);
	/* the budget comes back when the last dma-buf lets go, too */
	vplane_quota_put(vgpu->vmm_quota);
	vplane_stats_put(vgpu->stats);
	atomic_dec(&vplane_global.vgpus);
	mutex_destroy(&vgpu->vram_lock);
	mutex_destroy(&vgpu->lock);
	/* 6.1 only: the driver frees; 6.2+ the core does. */
	vfio_free_device(vdev);
}

static int vplane_probe(struct mdev_device *mdev)
{
	struct vplane_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(vplane_vgpu, vdev, &mdev->dev,
				 &vplane_dev_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);

	/*
	 * Publish the VFIO device last, complete: a VMM may open it the
	 * moment it is registered and ask for its display at once.
	 */
	dev_set_drvdata(&mdev->dev, vgpu);
	/* the display node injects into these: they come first, go last */
	ret = vplane_input_create(vgpu);
	if (ret)
		goto err_put;
	ret = vplane_display_create(vgpu);
	if (ret)
		goto err_input;
	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret)
		goto err_display;
	vplane_debugfs_add(vgpu);
	dev_info(&mdev->dev, "created %s, %u MiB VRAM\n",
		 vgpu->type->type.pretty_name, vgpu->type->vram_mb);
	return 0;

err_display:
	vplane_display_destroy(vgpu);
err_input:
	vplane_input_destroy(vgpu);
err_put:
	vfio_put_device(&vgpu->vdev);
	return ret;
}

static void vplane_remove(struct mdev_device *mdev)
{
	struct vplane_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	/* Display consumers see POLLHUP now, not when the VMM lets go. */
	vplane_display_destroy(vgpu);
	/* No injection runs now; readers get the releases, then ENODEV. */
	vplane_input_destroy(vgpu);
	/* Waits until the VMM closed the device; dma-bufs may stay. */
	vfio_unregister_group_dev(&vgpu->vdev);
	vfio_put_device(&vgpu->vdev);
}

static unsigned int vplane_get_available(struct mdev_type *mtype)
{
	const struct vplane_type *type = type_from_mdev(mtype);
	int avail = atomic_read(&avail_mb);

	return avail > 0 ? (unsigned int)avail / type->vram_mb : 0;
}

static ssize_t vplane_show_description(struct mdev_type *mtype, char *buf)
{
	const struct vplane_type *type = type_from_mdev(mtype);

	return sysfs_emit(
		buf,
		"virtual display: %u head%s up to %ux%u, %u MiB VRAM, bochs-compatible head 0, cursor, flip-done interrupt, EDID\n",
		type->heads, type->heads > 1 ? "s" : "", type->max_width,
		type->max_height, type->vram_mb);
}

static struct mdev_driver vplane_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = VPLANE_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = vplane_probe,
	.remove = vplane_remove,
	.get_available = vplane_get_available,
	.show_description = vplane_show_description,
};

static void parent_dev_release(struct device *dev)
{
	/* static object */
}

static int __init vplane_init(void)
{
	int ret;

	if (vplane_max_cached_planes < 4)
		vplane_max_cached_planes = 4;
	if (mem_budget_mb > INT_MAX)
		mem_budget_mb = INT_MAX;
	atomic_set(&avail_mb, mem_budget_mb);

	vplane_debugfs_init();
	ret = vplane_display_init();
	if (ret)
		goto err_debugfs;

	ret = mdev_register_driver(&vplane_driver);
	if (ret)
		goto err_display;

	vplane_class = class_create(THIS_MODULE, VPLANE_NAME);
	if (IS_ERR(vplane_class)) {
		ret = PTR_ERR(vplane_class);
		goto err_driver;
	}

	vplane_parent_dev.class = vplane_class;
	vplane_parent_dev.release = parent_dev_release;
	dev_set_name(&vplane_parent_dev, "%s", VPLANE_NAME);
	ret = device_register(&vplane_parent_dev);
	if (ret)
		goto err_put_dev;

	ret = mdev_register_parent(&vplane_parent, &vplane_parent_dev,
				   &vplane_driver, vplane_mdev_types,
				   ARRAY_SIZE(vplane_mdev_types));
	if (ret)
		goto err_unregister_dev;

	pr_info("ready, %u MiB budget\n", mem_budget_mb);
	return 0;

err_unregister_dev:
	device_unregister(&vplane_parent_dev);
	goto err_class;
err_put_dev:
	put_device(&vplane_parent_dev);
err_class:
	class_destroy(vplane_class);
err_driver:
	mdev_unregister_driver(&vplane_driver);
err_display:
	vplane_display_exit();
err_debugfs:
	vplane_debugfs_exit();
	return ret;
}

static void __exit vplane_exit(void)
{
	mdev_unregister_parent(&vplane_parent);
	device_unregister(&vplane_parent_dev);
	class_destroy(vplane_class);
	mdev_unregister_driver(&vplane_driver);
	vplane_display_exit();
	vplane_debugfs_exit();
}

module_init(vplane_init);
module_exit(vplane_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vplane mediated vGPU display device");
MODULE_IMPORT_NS(DMA_BUF);
