// SPDX-License-Identifier: MIT
/*
 * driver-abi: vplane's device ABI as a VMM sees it: config space (IDs,
 * class, BAR sizing, command register, MSI capability), region and IRQ
 * info (with the EDID capability), bounds checks on region access, the
 * register block's identity, and VFIO_DEVICE_RESET.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vp_dev.h"

static uint32_t cfg32(struct vmm_vgpu *d, unsigned int off)
{
	uint32_t v = 0;

	if (vp_region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, off, &v, 4, false) !=
	    4)
		VP_FAIL("config read 0x%x: %s", off, strerror(errno));
	return v;
}

static void cfg_write32(struct vmm_vgpu *d, unsigned int off, uint32_t v)
{
	if (vp_region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, off, &v, 4, true) !=
	    4)
		VP_FAIL("config write 0x%x: %s", off, strerror(errno));
}

static void check_config(struct vmm_vgpu *d)
{
	uint64_t vram = d->region[VFIO_PCI_BAR0_REGION_INDEX].size;
	uint32_t v, cap;
	uint8_t byte;

	v = cfg32(d, 0);
	VP_CHECK(v == (VPLANE_PCI_DEVICE_ID << 16 | VPLANE_PCI_VENDOR_ID),
		 "ids 0x%08x", v);
	v = cfg32(d, 0x08);
	VP_CHECK((v >> 8) == VPLANE_PCI_CLASS, "class 0x%06x", v >> 8);
	VP_CHECK((v & 0xff) == VPLANE_PCI_REVISION, "revision %u", v & 0xff);
	v = cfg32(d, 0x2c);
	VP_CHECK(v == (VPLANE_PCI_SUBDEVICE_ID << 16 | VPLANE_PCI_SUBVENDOR_ID),
		 "subsystem 0x%08x", v);

	/* BAR sizing: all ones reads back the size mask plus flags */
	cfg_write32(d, 0x10, 0xffffffff);
	v = cfg32(d, 0x10);
	VP_CHECK(v == ((uint32_t) ~(vram - 1) | 0x8), "BAR0 sizing 0x%08x", v);
	cfg_write32(d, 0x10, 0xe0000000);
	VP_CHECK(cfg32(d, 0x10) == 0xe0000008, "BAR0 address 0x%08x",
		 cfg32(d, 0x10));
	cfg_write32(d, 0x18, 0xffffffff);
	v = cfg32(d, 0x18);
	VP_CHECK(v == (uint32_t) ~(VPLANE_MMIO_SIZE - 1), "BAR2 sizing 0x%08x",
		 v);
	cfg_write32(d, 0x14, 0xffffffff);
	VP_CHECK(cfg32(d, 0x14) == 0, "BAR1 not implemented reads 0x%08x",
		 cfg32(d, 0x14));

	/* command: memory + master writable, IO not */
	cfg_write32(d, 0x04, 0x0007);
	v = cfg32(d, 0x04);
	VP_CHECK((v & 0xffff) == 0x0006, "command 0x%04x", v & 0xffff);
	VP_CHECK(v >> 16 & 0x10, "status lacks capability list");

	cap = cfg32(d, 0x34) & 0xff;
	VP_CHECK(cap == VPLANE_PCI_MSI_CAP, "cap pointer 0x%x", cap);
	v = cfg32(d, cap);
	VP_CHECK((v & 0xff) == 0x05, "cap id 0x%x (want MSI)", v & 0xff);
	VP_CHECK((v >> 16) & 0x80, "MSI not 64-bit capable");
	cfg_write32(d, cap, 0xffff0000);
	v = cfg32(d, cap) >> 16;
	VP_CHECK(v == 0x81, "MSI control after write 0x%x", v);

	/* bounds: offset + count past 256 fails, reads inside work */
	VP_CHECK(vp_region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, 255, &v, 4,
			      false) < 0,
		 "read across config end allowed");
	VP_CHECK(vp_region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, 255, &byte, 1,
			      false) == 1,
		 "last config byte unreadable");
	VP_CHECK(vp_region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, 256, &byte, 1,
			      false) < 0,
		 "config byte 256 readable");
}

static void check_regions(struct vmm_vgpu *d, unsigned int heads)
{
	struct {
		struct vfio_region_info info;
		struct vfio_region_info_cap_type cap;
	} edid;
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	unsigned int h, i;
	uint32_t v;

	VP_CHECK(d->num_regions == VFIO_PCI_NUM_REGIONS + heads,
		 "num_regions %u", d->num_regions);
	VP_CHECK(d->region[0].flags & VFIO_REGION_INFO_FLAG_MMAP,
		 "BAR0 not mmap-able");
	VP_CHECK(d->region[2].size == VPLANE_MMIO_SIZE, "BAR2 size 0x%llx",
		 (unsigned long long)d->region[2].size);
	VP_CHECK(d->region[7].size == 256, "config size %llu",
		 (unsigned long long)d->region[7].size);
	for (i = 3; i < 7; i++)
		VP_CHECK(d->region[i].size == 0, "region %u size nonzero", i);

	for (h = 0; h < heads; h++) {
		memset(&edid, 0, sizeof(edid));
		edid.info.argsz = sizeof(edid);
		edid.info.index = VPLANE_REGION_EDID(h);
		if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &edid)) {
			VP_FAIL("EDID region info: %s", strerror(errno));
			continue;
		}
		VP_CHECK(edid.info.flags & VFIO_REGION_INFO_FLAG_CAPS &&
				 edid.info.cap_offset == sizeof(edid.info) &&
				 edid.cap.header.id ==
					 VFIO_REGION_INFO_CAP_TYPE &&
				 edid.cap.type == VFIO_REGION_TYPE_GFX &&
				 edid.cap.subtype ==
					 VFIO_REGION_SUBTYPE_GFX_EDID,
			 "head %u EDID capability missing", h);
	}
	/* too small argsz for the capability: told the size needed */
	memset(&edid, 0, sizeof(edid));
	edid.info.argsz = sizeof(edid.info);
	edid.info.index = VPLANE_REGION_EDID(0);
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &edid) &&
			 edid.info.argsz == sizeof(edid) &&
			 edid.info.cap_offset == 0,
		 "short argsz: argsz %u", edid.info.argsz);
	edid.info.argsz = sizeof(edid);
	edid.info.index = d->num_regions;
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &edid) &&
			 errno == EINVAL,
		 "region past the end accepted");

	irq.index = VFIO_PCI_MSI_IRQ_INDEX;
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_GET_IRQ_INFO, &irq) &&
			 irq.count == 1 && (irq.flags & VFIO_IRQ_INFO_EVENTFD),
		 "MSI irq info count %u flags 0x%x", irq.count, irq.flags);
	irq.index = VFIO_PCI_REQ_IRQ_INDEX;
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_GET_IRQ_INFO, &irq) &&
			 irq.count == 1 && (irq.flags & VFIO_IRQ_INFO_EVENTFD),
		 "request irq info count %u flags 0x%x", irq.count, irq.flags);
	irq.index = VFIO_PCI_INTX_IRQ_INDEX;
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_GET_IRQ_INFO, &irq) &&
			 irq.count == 0,
		 "INTx count %u", irq.count);

	/* MMIO bounds */
	VP_CHECK(vp_region_rw(d, 2, VPLANE_MMIO_SIZE - 2, &v, 4, false) < 0,
		 "MMIO read across end allowed");
	VP_CHECK(vp_region_rw(d, 2, (uint64_t)1 << 39, &v, 4, false) < 0,
		 "MMIO read far past end allowed");
	VP_CHECK(vp_region_rw(d, 0, d->region[0].size, &v, 1, false) < 0,
		 "VRAM read past end allowed");
	VP_CHECK(pread(d->device, &v, 4, (off_t)40 << 40) < 0,
		 "read of unknown region allowed");
}

static void check_registers(struct vmm_vgpu *d, unsigned int heads)
{
	struct vfio_device_gfx_plane_info info;

	VP_CHECK(vp_mmio_read(d, VPLANE_REG_MAGIC) == VPLANE_MAGIC, "magic");
	VP_CHECK(vp_mmio_read(d, VPLANE_REG_VERSION) == VPLANE_VERSION,
		 "version");
	VP_CHECK(vp_mmio_read(d, VPLANE_REG_NUM_HEADS) == heads, "heads");
	VP_CHECK(vp_mmio_read(d, VPLANE_REG_VRAM_SIZE) == d->region[0].size,
		 "vram size");
	VP_CHECK(vp_dispi_read(d, VPLANE_DISPI_ID) == VPLANE_DISPI_ID5,
		 "dispi id 0x%x", vp_dispi_read(d, VPLANE_DISPI_ID));
	VP_CHECK(vp_dispi_read(d, VPLANE_DISPI_VIDEO_MEMORY_64K) ==
			 d->region[0].size >> 16,
		 "dispi video memory");
	VP_CHECK(vp_mmio_read(d, VPLANE_MMIO_QEXT_SIZE) == 8, "qext size");

	/* probe: DMABUF yes, REGION no */
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF;
	info.drm_plane_type = 1;
	VP_CHECK(!ioctl(d->device, VFIO_DEVICE_QUERY_GFX_PLANE, &info),
		 "probe DMABUF: %s", strerror(errno));
	info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION;
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_QUERY_GFX_PLANE, &info) &&
			 errno == EINVAL,
		 "probe REGION answered");
	VP_CHECK(vp_query(d, heads, 1, &info) == -EINVAL,
		 "query of head %u accepted", heads);
	VP_CHECK(vp_query(d, 0, 0, &info) == -EINVAL, "overlay query accepted");
	VP_CHECK(vp_query(d, 0, 1, &info) == 0 && info.drm_format == 0 &&
			 info.dmabuf_id == 0,
		 "fresh device primary not disabled");
	VP_CHECK(vp_query(d, 0, 2, &info) == 0 && info.drm_format == 0 &&
			 info.x_hot == 0,
		 "fresh device cursor not zeros");
}

static void check_reset(struct vmm_vgpu *d)
{
	uint32_t v;

	vp_dispi_write(d, VPLANE_DISPI_XRES, 800);
	vp_head_enable(d, 0, 640, 480);
	cfg_write32(d, 0x04, 0x0006);
	VP_CHECK(ioctl(d->device, VFIO_DEVICE_RESET) == 0, "reset: %s",
		 strerror(errno));
	VP_CHECK(vp_dispi_read(d, VPLANE_DISPI_XRES) == 0, "xres after reset");
	VP_CHECK(vp_mmio_read(d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL) == 0,
		 "head ctrl after reset");
	v = cfg32(d, 0x04) & 0xffff;
	VP_CHECK(v == 0, "command after reset 0x%x", v);
}

static int run(const char *type, unsigned int heads)
{
	struct vmm_vgpu d;
	char uuid[40];

	if (!vp_mdev_create("vplane", type, uuid))
		return 1;
	if (vp_dev_open(&d, uuid)) {
		check_config(&d);
		check_regions(&d, heads);
		check_registers(&d, heads);
		check_reset(&d);
		vp_dev_close(&d);
	}
	vp_mdev_remove(uuid);
	return 0;
}

int main(void)
{
	run("vplane-1head", 1);
	run("vplane-2head", 2);
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-abi: config space, regions, irqs, registers, reset "
	       "ok\n");
	return 0;
}
