// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: emulated PCI configuration space.
 *
 * 256 bytes of type 0 header plus an MSI capability.  Writes go through a
 * per-byte write mask, which also gives BAR sizing for free: a BAR's mask
 * only covers the address bits above its size, so writing all ones reads
 * back ~(size - 1) | flags as the PCI spec wants.
 */

#include <linux/pci.h>

#include "vplane.h"

#define MSI_CAP VPLANE_PCI_MSI_CAP

static void cfg_set16(struct vplane_vgpu *vgpu, u32 off, u16 val)
{
	put_unaligned_le16(val, &vgpu->cfg[off]);
}

static void cfg_set32(struct vplane_vgpu *vgpu, u32 off, u32 val)
{
	put_unaligned_le32(val, &vgpu->cfg[off]);
}

static void wmask_set16(struct vplane_vgpu *vgpu, u32 off, u16 val)
{
	put_unaligned_le16(val, &vgpu->cfg_wmask[off]);
}

static void wmask_set32(struct vplane_vgpu *vgpu, u32 off, u32 val)
{
	put_unaligned_le32(val, &vgpu->cfg_wmask[off]);
}

/*
 * Build the power-on config space.  Also used by VFIO_DEVICE_RESET, which
 * behaves like a function level reset.
 */
void vplane_cfg_init(struct vplane_vgpu *vgpu)
{
	u64 mmio_size = VPLANE_MMIO_SIZE;

	memset(vgpu->cfg, 0, sizeof(vgpu->cfg));
	memset(vgpu->cfg_wmask, 0, sizeof(vgpu->cfg_wmask));

	cfg_set16(vgpu, PCI_VENDOR_ID, VPLANE_PCI_VENDOR_ID);
	cfg_set16(vgpu, PCI_DEVICE_ID, VPLANE_PCI_DEVICE_ID);
	cfg_set16(vgpu, PCI_STATUS, PCI_STATUS_CAP_LIST);
	vgpu->cfg[PCI_REVISION_ID] = VPLANE_PCI_REVISION;
	vgpu->cfg[PCI_CLASS_PROG] = VPLANE_PCI_CLASS & 0xff;
	cfg_set16(vgpu, PCI_CLASS_DEVICE, VPLANE_PCI_CLASS >> 8);
	vgpu->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	cfg_set16(vgpu, PCI_SUBSYSTEM_VENDOR_ID, VPLANE_PCI_SUBVENDOR_ID);
	cfg_set16(vgpu, PCI_SUBSYSTEM_ID, VPLANE_PCI_SUBDEVICE_ID);
	vgpu->cfg[PCI_CAPABILITY_LIST] = MSI_CAP;
	/* no INTx: interrupt pin stays 0 */

	wmask_set16(vgpu, PCI_COMMAND,
		    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_SERR |
			    PCI_COMMAND_INTX_DISABLE);
	vgpu->cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	vgpu->cfg_wmask[PCI_LATENCY_TIMER] = 0xff;
	vgpu->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;

	/* BAR0: VRAM, 32-bit prefetchable memory */
	cfg_set32(vgpu, PCI_BASE_ADDRESS_0,
		  PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32 |
			  PCI_BASE_ADDRESS_MEM_PREFETCH);
	wmask_set32(vgpu, PCI_BASE_ADDRESS_0,
		    (u32) ~(vgpu->vram_size - 1) & PCI_BASE_ADDRESS_MEM_MASK);

	/* BAR2: MMIO registers, 32-bit memory */
	cfg_set32(vgpu, PCI_BASE_ADDRESS_2,
		  PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32);
	wmask_set32(vgpu, PCI_BASE_ADDRESS_2,
		    (u32) ~(mmio_size - 1) & PCI_BASE_ADDRESS_MEM_MASK);

	/* MSI: one vector, 64-bit address, no per-vector masking */
	vgpu->cfg[MSI_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	vgpu->cfg[MSI_CAP + PCI_CAP_LIST_NEXT] = 0;
	cfg_set16(vgpu, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	wmask_set16(vgpu, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	wmask_set32(vgpu, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfffffffc);
	wmask_set32(vgpu, MSI_CAP + PCI_MSI_ADDRESS_HI, 0xffffffff);
	wmask_set16(vgpu, MSI_CAP + PCI_MSI_DATA_64, 0xffff);
}

/* Caller checked off + count <= VPLANE_CFG_SIZE. */
void __vplane_cfg_read(struct vplane_vgpu *vgpu, u32 off, void *buf, u32 count)
{
	lockdep_assert_held(&vgpu->lock);
	memcpy(buf, &vgpu->cfg[off], count);
}

/* Caller checked off + count <= VPLANE_CFG_SIZE. */
void __vplane_cfg_write(struct vplane_vgpu *vgpu, u32 off, const void *buf,
			u32 count)
{
	const u8 *src = buf;
	u32 i;

	lockdep_assert_held(&vgpu->lock);
	for (i = 0; i < count; i++) {
		u8 mask = vgpu->cfg_wmask[off + i];

		vgpu->cfg[off + i] =
			(vgpu->cfg[off + i] & ~mask) | (src[i] & mask);
	}
}
