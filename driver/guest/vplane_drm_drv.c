// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane-drm: PCI binding, device checks and the DRM driver.
 *
 * The device has QEMU stdvga's IDs (1234:1111) so that an unmodified
 * bochs-drm drives head 0; vplane-drm matches the subsystem IDs
 * (1234:7670) as well, which only a vplane vGPU carries. Both drivers
 * match it then, and the PCI core gives it to the one registered first:
 * a guest loads vplane-drm before bochs (the modprobe.d softdep shipped
 * with the DKMS package, vplane-drm.conf), or unbinds bochs-drm and
 * writes the device to vplane-drm's bind file.
 */
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <linux/aperture.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "vplane_drm.h"
#include "vplane_drm_compat.h"

/* The largest mode DRM's own limits make sense for. */
#define VPLANE_DRM_MAX_DIM 16384

DEFINE_DRM_GEM_FOPS(vplane_drm_fops);

static const struct drm_driver vplane_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC |
			   VPLANE_DRM_CURSOR_HOTSPOT,
	.fops = &vplane_drm_fops,
	.name = VPLANE_DRM_NAME,
	.desc = "vplane vGPU",
	VPLANE_DRM_DRIVER_DATE.major = 0,
	.minor = 1,
	DRM_GEM_VRAM_DRIVER,
	VPLANE_DRM_FBDEV_DRIVER_OPS
};

/*
 * Reads the device's identity and limits; refuses what this driver was
 * not written for. Values from the device are bounded before use.
 */
static int vplane_drm_check_device(struct vplane_drm *vdrm,
				   struct pci_dev *pdev)
{
	u32 version, vram;

	if (vplane_drm_read(vdrm, VPLANE_REG_MAGIC) != VPLANE_MAGIC)
		return -ENODEV;
	version = vplane_drm_read(vdrm, VPLANE_REG_VERSION);
	if (version >> 16 != VPLANE_VERSION >> 16) {
		drm_err(&vdrm->drm, "device ABI %u.%u, driver knows %u.x\n",
			version >> 16, version & 0xffff, VPLANE_VERSION >> 16);
		return -ENODEV;
	}
	vdrm->num_heads = vplane_drm_read(vdrm, VPLANE_REG_NUM_HEADS);
	vdrm->max_width = vplane_drm_read(vdrm, VPLANE_REG_MAX_WIDTH);
	vdrm->max_height = vplane_drm_read(vdrm, VPLANE_REG_MAX_HEIGHT);
	vdrm->cursor_max = min_t(u32, VPLANE_CURSOR_MAX,
				 vplane_drm_read(vdrm, VPLANE_REG_CURSOR_MAX));
	if (!vdrm->num_heads || vdrm->num_heads > VPLANE_MAX_HEADS ||
	    !vdrm->max_width || vdrm->max_width > VPLANE_DRM_MAX_DIM ||
	    !vdrm->max_height || vdrm->max_height > VPLANE_DRM_MAX_DIM ||
	    !vdrm->cursor_max)
		return -ENODEV;
	/* what both the BAR and the device's own VRAM_SIZE say */
	vram = vplane_drm_read(vdrm, VPLANE_REG_VRAM_SIZE);
	vdrm->vram_base = pci_resource_start(pdev, VPLANE_VRAM_BAR);
	vdrm->vram_size = min_t(resource_size_t, vram,
				pci_resource_len(pdev, VPLANE_VRAM_BAR));
	if (!vdrm->vram_size)
		return -ENODEV;
	return 0;
}

static int vplane_drm_map(struct vplane_drm *vdrm, struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	resource_size_t start = pci_resource_start(pdev, VPLANE_MMIO_BAR);
	resource_size_t len = pci_resource_len(pdev, VPLANE_MMIO_BAR);
	resource_size_t vram = pci_resource_start(pdev, VPLANE_VRAM_BAR);
	resource_size_t vram_len = pci_resource_len(pdev, VPLANE_VRAM_BAR);

	if (len < VPLANE_MMIO_SIZE)
		return -ENODEV;
	if (!devm_request_mem_region(dev, start, len, VPLANE_DRM_NAME) ||
	    !devm_request_mem_region(dev, vram, vram_len, VPLANE_DRM_NAME))
		return -EBUSY;
	vdrm->mmio = devm_ioremap(dev, start, VPLANE_MMIO_SIZE);
	return vdrm->mmio ? 0 : -ENOMEM;
}

static int vplane_drm_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct vplane_drm *vdrm;
	int ret;

	/* the firmware's framebuffer (efifb, simpledrm) lives in our VRAM */
	ret = aperture_remove_conflicting_pci_devices(pdev, VPLANE_DRM_NAME);
	if (ret)
		return ret;
	vdrm = devm_drm_dev_alloc(&pdev->dev, &vplane_drm_driver,
				  struct vplane_drm, drm);
	if (IS_ERR(vdrm))
		return PTR_ERR(vdrm);
	pci_set_drvdata(pdev, vdrm);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev); /* MSI writes are bus-master writes */
	ret = vplane_drm_map(vdrm, pdev);
	if (ret)
		return ret;
	ret = vplane_drm_check_device(vdrm, pdev);
	if (ret)
		return ret;
	ret = drmm_vram_helper_init(&vdrm->drm, vdrm->vram_base,
				    vdrm->vram_size);
	if (ret)
		return ret;
	ret = vplane_drm_kms_init(vdrm);
	if (ret)
		return ret;
	ret = vplane_drm_irq_init(vdrm);
	if (ret)
		return ret;
	ret = drm_dev_register(&vdrm->drm, 0);
	if (ret) {
		vplane_drm_irq_fini(vdrm);
		return ret;
	}
	drm_info(&vdrm->drm, "%u heads, max %ux%u, %llu MiB VRAM\n",
		 vdrm->num_heads, vdrm->max_width, vdrm->max_height,
		 (unsigned long long)vdrm->vram_size >> 20);
	vplane_drm_fbdev_setup(&vdrm->drm);
	return 0;
}

static void vplane_drm_remove(struct pci_dev *pdev)
{
	struct vplane_drm *vdrm = pci_get_drvdata(pdev);

	drm_dev_unplug(&vdrm->drm);
	/* turning the heads off sends every waiting event itself */
	drm_atomic_helper_shutdown(&vdrm->drm);
	vplane_drm_irq_fini(vdrm);
}

static void vplane_drm_shutdown(struct pci_dev *pdev)
{
	struct vplane_drm *vdrm = pci_get_drvdata(pdev);

	drm_atomic_helper_shutdown(&vdrm->drm);
}

static const struct pci_device_id vplane_drm_pci_ids[] = {
	{ PCI_DEVICE_SUB(VPLANE_PCI_VENDOR_ID, VPLANE_PCI_DEVICE_ID,
			 VPLANE_PCI_SUBVENDOR_ID, VPLANE_PCI_SUBDEVICE_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, vplane_drm_pci_ids);

static struct pci_driver vplane_drm_pci_driver = {
	.name = VPLANE_DRM_NAME,
	.id_table = vplane_drm_pci_ids,
	.probe = vplane_drm_probe,
	.remove = vplane_drm_remove,
	.shutdown = vplane_drm_shutdown,
};

module_pci_driver(vplane_drm_pci_driver);

MODULE_DESCRIPTION("DRM/KMS driver for vplane vGPUs (guest side)");
MODULE_LICENSE("GPL");
