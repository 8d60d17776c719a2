// SPDX-License-Identifier: GPL-2.0-only
/*
 * vp_unmap_gate: a test-only mediated device for the VM tests.  It pins
 * nothing and has no regions; its only job is its type1 dma_unmap
 * callback, which waits at a gate the test opens (vp_unmap_gate.h).
 *
 * type1 (6.1) unmaps a range with pins in it by calling every device's
 * dma_unmap in turn, then looking again; a device whose callback takes
 * time is allowed (GVT-g's takes its own locks), and while it runs the
 * other devices' ranges are exposed: what a driver pins there again
 * makes type1 retry, and the eleventh retry is a BUG_ON.  Under TCG that
 * window is too short to hit by chance; this device makes it as long as
 * the test needs, without touching the driver under test.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/wait.h>

#include "vp_unmap_gate.h"
#include "vplane_compat.h"

#define GATE_NAME "vp_unmap_gate"

struct gate {
	struct vfio_device vdev;
	spinlock_t lock;
	wait_queue_head_t wq;
	bool armed;
	u64 parked;  /* callbacks that reached the gate */
	u64 opened;  /* callbacks the gate let through */
	u64 park_ns; /* CLOCK_MONOTONIC of the last arrival */
	struct vp_gate_stats stats;
};

static struct gate *gate_from_vdev(struct vfio_device *vdev)
{
	return container_of(vdev, struct gate, vdev);
}

/* type1: [iova, iova + length) is being unmapped; wait at the gate. */
static void gate_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct gate *g = gate_from_vdev(vdev);
	long left;
	u64 seq;

	spin_lock(&g->lock);
	g->stats.calls++;
	if (!g->armed) {
		spin_unlock(&g->lock);
		return;
	}
	g->park_ns = ktime_get_ns();
	seq = ++g->parked;
	spin_unlock(&g->lock);
	wake_up_all(&g->wq);

	left = wait_event_timeout(
		g->wq, READ_ONCE(g->opened) >= seq || !READ_ONCE(g->armed),
		msecs_to_jiffies(VP_GATE_HOLD_MS));
	if (!left) {
		spin_lock(&g->lock);
		g->stats.timeouts++;
		spin_unlock(&g->lock);
	}
}

static long gate_wait(struct gate *g, struct vp_gate_wait __user *arg)
{
	struct vp_gate_wait w;
	long left;

	if (copy_from_user(&w, arg, sizeof(w)))
		return -EFAULT;
	left = wait_event_interruptible_timeout(
		g->wq, READ_ONCE(g->parked) > w.parked || !READ_ONCE(g->armed),
		msecs_to_jiffies(VP_GATE_WAIT_MS));
	if (left < 0)
		return left;
	if (!READ_ONCE(g->armed))
		return -ENODEV;
	if (!left)
		return -ETIMEDOUT;
	spin_lock(&g->lock);
	w.parked = g->parked;
	w.park_ns = g->park_ns;
	spin_unlock(&g->lock);
	return copy_to_user(arg, &w, sizeof(w)) ? -EFAULT : 0;
}

static long gate_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	struct gate *g = gate_from_vdev(vdev);
	struct vfio_device_info info;
	struct vp_gate_stats stats;
	u32 armed;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		info.flags = VFIO_DEVICE_FLAGS_PCI;
		return copy_to_user((void __user *)arg, &info, sizeof(info))
			       ? -EFAULT
			       : 0;
	case VP_GATE_ARM:
		if (get_user(armed, (u32 __user *)arg))
			return -EFAULT;
		WRITE_ONCE(g->armed, !!armed);
		wake_up_all(&g->wq);
		return 0;
	case VP_GATE_WAIT:
		return gate_wait(g, (struct vp_gate_wait __user *)arg);
	case VP_GATE_OPEN:
		WRITE_ONCE(g->opened, READ_ONCE(g->parked));
		wake_up_all(&g->wq);
		return 0;
	case VP_GATE_STATS:
		spin_lock(&g->lock);
		stats = g->stats;
		spin_unlock(&g->lock);
		return copy_to_user((void __user *)arg, &stats, sizeof(stats))
			       ? -EFAULT
			       : 0;
	}
	return -ENOTTY;
}

/* Runs before type1 forgets the device: no callback may stay waiting. */
static void gate_close_device(struct vfio_device *vdev)
{
	struct gate *g = gate_from_vdev(vdev);

	WRITE_ONCE(g->armed, false);
	wake_up_all(&g->wq);
}

static int gate_init_dev(struct vfio_device *vdev)
{
	struct gate *g = gate_from_vdev(vdev);

	spin_lock_init(&g->lock);
	init_waitqueue_head(&g->wq);
	return 0;
}

static void gate_release_dev(struct vfio_device *vdev)
{
	vplane_vfio_free_device(vdev);
}

static const struct vfio_device_ops gate_ops = {
	.name = GATE_NAME,
	.init = gate_init_dev,
	.release = gate_release_dev,
	.close_device = gate_close_device,
	.ioctl = gate_ioctl,
	.dma_unmap = gate_dma_unmap,
	/* clang-format off */
	VPLANE_VFIO_IOMMUFD_OPS(vplane_vfio_emulated_bind,
				vplane_vfio_emulated_unbind)
	/* clang-format on */
};

static int gate_probe(struct mdev_device *mdev)
{
	struct gate *g;
	int ret;

	g = vfio_alloc_device(gate, vdev, &mdev->dev, &gate_ops);
	if (IS_ERR(g))
		return PTR_ERR(g);
	ret = vfio_register_emulated_iommu_dev(&g->vdev);
	if (ret) {
		vfio_put_device(&g->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, g);
	return 0;
}

static void gate_remove(struct mdev_device *mdev)
{
	struct gate *g = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&g->vdev);
	vfio_put_device(&g->vdev);
}

static struct mdev_type gate_type = {
	.sysfs_name = "gate",
	.pretty_name = "unmap gate",
};

static struct mdev_type *gate_types[] = { &gate_type };

static struct mdev_driver gate_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.max_instances = 4,
	.driver = {
		.name = GATE_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = gate_probe,
	.remove = gate_remove,
};

static struct class *gate_class;
static struct device gate_parent_dev;
static struct mdev_parent gate_parent;

static void gate_parent_release(struct device *dev)
{
}

static int __init gate_init(void)
{
	int ret;

	ret = mdev_register_driver(&gate_driver);
	if (ret)
		return ret;
	gate_class = vplane_class_create(GATE_NAME);
	if (IS_ERR(gate_class)) {
		ret = PTR_ERR(gate_class);
		goto err_driver;
	}
	gate_parent_dev.class = gate_class;
	gate_parent_dev.release = gate_parent_release;
	dev_set_name(&gate_parent_dev, "%s", GATE_NAME);
	ret = device_register(&gate_parent_dev);
	if (ret) {
		put_device(&gate_parent_dev);
		goto err_class;
	}
	ret = mdev_register_parent(&gate_parent, &gate_parent_dev, &gate_driver,
				   gate_types, ARRAY_SIZE(gate_types));
	if (ret)
		goto err_device;
	return 0;

err_device:
	device_unregister(&gate_parent_dev);
err_class:
	class_destroy(gate_class);
err_driver:
	mdev_unregister_driver(&gate_driver);
	return ret;
}

static void __exit gate_exit(void)
{
	mdev_unregister_parent(&gate_parent);
	device_unregister(&gate_parent_dev);
	class_destroy(gate_class);
	mdev_unregister_driver(&gate_driver);
}

module_init(gate_init);
module_exit(gate_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vplane tests: an mdev whose dma_unmap waits at a gate");
