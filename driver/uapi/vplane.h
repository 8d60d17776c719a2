/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vplane register ABI: what a guest driver (and a test acting as one) sees
 * of a vplane vGPU, plus the host-side conventions layered on the upstream
 * VFIO graphics API.  driver/ABI.md explains the rules in prose.
 *
 * Usable from userspace (include <linux/types.h> only) and from the kernel.
 * All registers are little-endian.  Registers in the vplane blocks are 32
 * bits wide and must be accessed with naturally aligned 32-bit accesses;
 * other accesses read as zero and are ignored on write.
 */
#ifndef _UAPI_VPLANE_H
#define _UAPI_VPLANE_H

#include <linux/types.h>

/* ---- PCI identity ------------------------------------------------------ */

/* Same IDs as QEMU's stdvga so an unmodified bochs-drm binds to head 0. */
#define VPLANE_PCI_VENDOR_ID	0x1234
#define VPLANE_PCI_DEVICE_ID	0x1111
/* The subsystem IDs tell a vplane-aware driver that the vplane block exists. */
#define VPLANE_PCI_SUBVENDOR_ID 0x1234
#define VPLANE_PCI_SUBDEVICE_ID 0x7670
#define VPLANE_PCI_REVISION	0x01
#define VPLANE_PCI_CLASS	0x030000 /* VGA-compatible display */
#define VPLANE_PCI_MSI_CAP	0x40	 /* config offset of MSI cap */

/* BAR0: VRAM (size from the mdev type). BAR2: MMIO, VPLANE_MMIO_SIZE bytes. */
#define VPLANE_VRAM_BAR	 0
#define VPLANE_MMIO_BAR	 2
#define VPLANE_MMIO_SIZE 0x10000

/* ---- BAR2 layout -------------------------------------------------------- */

/* bochs compatible part (same offsets as QEMU's stdvga MMIO bar) */
#define VPLANE_MMIO_BOCHS_EDID	   0x0000 /* head 0 EDID, 1 KiB, RO */
#define VPLANE_MMIO_DISPI	   0x0500 /* DISPI regs, 16-bit, index*2 */
#define VPLANE_MMIO_QEXT	   0x0600 /* QEMU extended regs */
#define VPLANE_MMIO_QEXT_SIZE	   0x0600 /* RO: 8 */
#define VPLANE_MMIO_QEXT_BYTEORDER 0x0604 /* RO: 0x1e1e1e1e (LE) */

/* DISPI register indices (16-bit registers at VPLANE_MMIO_DISPI + 2 * idx) */
#define VPLANE_DISPI_ID		      0x0
#define VPLANE_DISPI_XRES	      0x1
#define VPLANE_DISPI_YRES	      0x2
#define VPLANE_DISPI_BPP	      0x3
#define VPLANE_DISPI_ENABLE	      0x4
#define VPLANE_DISPI_BANK	      0x5
#define VPLANE_DISPI_VIRT_WIDTH	      0x6
#define VPLANE_DISPI_VIRT_HEIGHT      0x7
#define VPLANE_DISPI_X_OFFSET	      0x8
#define VPLANE_DISPI_Y_OFFSET	      0x9
#define VPLANE_DISPI_VIDEO_MEMORY_64K 0xa
#define VPLANE_DISPI_COUNT	      0xb

#define VPLANE_DISPI_ID5	 0xb0c5
/*
 * The bochs head shows every 32-bpp mode up to this size that fits VRAM
 * (VIDEO_MEMORY_64K), as QEMU's stdvga does; XRES/YRES read these with
 * ENABLE.GETCAPS set. vplane's own heads have the type's smaller limit
 * (VPLANE_REG_MAX_WIDTH/HEIGHT).
 */
#define VPLANE_DISPI_MAX_XRES	 8192
#define VPLANE_DISPI_MAX_YRES	 8192
#define VPLANE_DISPI_ENABLED	 0x01
#define VPLANE_DISPI_GETCAPS	 0x02
#define VPLANE_DISPI_LFB_ENABLED 0x40

/* vplane global block */
#define VPLANE_MMIO_GLOBAL    0x1000
#define VPLANE_REG_MAGIC      0x1000 /* RO: VPLANE_MAGIC */
#define VPLANE_REG_VERSION    0x1004 /* RO: major << 16 | minor */
#define VPLANE_REG_NUM_HEADS  0x1008 /* RO */
#define VPLANE_REG_CAPS	      0x100c /* RO: VPLANE_CAP_* */
#define VPLANE_REG_VRAM_SIZE  0x1010 /* RO: bytes */
#define VPLANE_REG_MAX_WIDTH  0x1014 /* RO: head/primary limit */
#define VPLANE_REG_MAX_HEIGHT 0x1018 /* RO */
#define VPLANE_REG_CURSOR_MAX 0x101c /* RO: max cursor w and h */
#define VPLANE_REG_INT_STATUS 0x1020 /* RW1C: VPLANE_INT_* */
#define VPLANE_REG_INT_ENABLE 0x1024 /* RW */
#define VPLANE_REG_ADDR_ALIGN 0x1028 /* RO: plane address alignment */
#define VPLANE_REG_MAX_STRIDE 0x102c /* RO: bytes */

#define VPLANE_MAGIC   0x4e4c5056 /* "VPLN" */
#define VPLANE_VERSION 0x00010000 /* 1.0 */

#define VPLANE_CAP_GUEST_RAM (1u << 0) /* domain GUEST_RAM */
#define VPLANE_CAP_CURSOR    (1u << 1)
#define VPLANE_CAP_EDID	     (1u << 2)
#define VPLANE_CAP_VBLANK    (1u << 3)

#define VPLANE_MAX_HEADS  4
#define VPLANE_CURSOR_MAX 256
#define VPLANE_ADDR_ALIGN 4096
#define VPLANE_MAX_STRIDE 65536

/* INT_STATUS / INT_ENABLE: 8 bits per head */
#define VPLANE_INT_FLIP_DONE(h) (1u << ((h)*8 + 0))
#define VPLANE_INT_VBLANK(h)	(1u << ((h)*8 + 1))
#define VPLANE_INT_HOTPLUG(h)	(1u << ((h)*8 + 2))

/* per-head block: head registers, then one sub-block per plane */
#define VPLANE_MMIO_HEAD(h)	  (0x2000 + (h)*0x400)
#define VPLANE_HEAD_CTRL	  0x00 /* RW: VPLANE_HEAD_CTRL_* */
#define VPLANE_HEAD_WIDTH	  0x04 /* RW: mode width */
#define VPLANE_HEAD_HEIGHT	  0x08 /* RW: mode height */
#define VPLANE_HEAD_REFRESH	  0x0c /* RW: refresh in mHz */
#define VPLANE_HEAD_FLIP	  0x10 /* WO doorbell: plane mask */
#define VPLANE_HEAD_FLIP_SEQ	  0x14 /* RO: last latched flip */
#define VPLANE_HEAD_FLIP_DONE_SEQ 0x18 /* RO: last completed flip */
#define VPLANE_HEAD_VBLANK_COUNT  0x1c /* RO */
#define VPLANE_HEAD_CONNECTOR	  0x20 /* RO: VPLANE_CONN_* */
#define VPLANE_HEAD_EDID_SIZE	  0x24 /* RO: bytes of EDID */
#define VPLANE_HEAD_PREF_WIDTH	  0x28 /* RO: preferred mode */
#define VPLANE_HEAD_PREF_HEIGHT	  0x2c /* RO */
#define VPLANE_HEAD_PREF_REFRESH  0x30 /* RO: mHz */
#define VPLANE_HEAD_STATUS	  0x34 /* RO: VPLANE_HEAD_STATUS_* */

#define VPLANE_HEAD_CTRL_ENABLE (1u << 0)

#define VPLANE_HEAD_STATUS_MODE_OK (1u << 0) /* enabled, valid mode */

#define VPLANE_CONN_CONNECTED (1u << 0)
#define VPLANE_CONN_EDID      (1u << 1)

#define VPLANE_REFRESH_MIN     1000   /* 1 Hz */
#define VPLANE_REFRESH_MAX     240000 /* 240 Hz */
#define VPLANE_REFRESH_DEFAULT 60000

/* planes: index 0 primary, 1 cursor; FLIP takes a mask of these bits */
#define VPLANE_PLANE_PRIMARY	0
#define VPLANE_PLANE_CURSOR	1
#define VPLANE_NUM_PLANES	2
#define VPLANE_FLIP_PLANE(p)	(1u << (p))
#define VPLANE_MMIO_PLANE(h, p) (VPLANE_MMIO_HEAD(h) + 0x100 + (p)*0x100)

/* plane registers: the pending set (RW), latched by a FLIP doorbell */
#define VPLANE_PLANE_CTRL      0x00 /* VPLANE_PLANE_CTRL_* */
#define VPLANE_PLANE_FORMAT    0x04 /* DRM fourcc */
#define VPLANE_PLANE_WIDTH     0x08
#define VPLANE_PLANE_HEIGHT    0x0c
#define VPLANE_PLANE_STRIDE    0x10 /* bytes */
#define VPLANE_PLANE_DOMAIN    0x14 /* VPLANE_DOMAIN_* */
#define VPLANE_PLANE_ADDR_LO   0x18 /* VRAM offset or GPA */
#define VPLANE_PLANE_ADDR_HI   0x1c
#define VPLANE_PLANE_POS_X     0x20 /* signed */
#define VPLANE_PLANE_POS_Y     0x24 /* signed */
#define VPLANE_PLANE_HOT_X     0x28 /* VPLANE_HOT_NONE if none */
#define VPLANE_PLANE_HOT_Y     0x2c
/* read-only view of the latched (active) state */
#define VPLANE_PLANE_STATUS    0x40 /* VPLANE_PLANE_STATUS_* */
#define VPLANE_PLANE_ACTIVE_ID 0x44 /* dmabuf_id the host sees */

#define VPLANE_PLANE_CTRL_ENABLE (1u << 0)

#define VPLANE_DOMAIN_VRAM	0
#define VPLANE_DOMAIN_GUEST_RAM 1

#define VPLANE_HOT_NONE 0xffffffffu

/* Result of the last latch of a plane (VPLANE_PLANE_STATUS). */
#define VPLANE_PLANE_STATUS_DISABLED	0 /* CTRL.ENABLE clear */
#define VPLANE_PLANE_STATUS_OK		1 /* scanning out */
#define VPLANE_PLANE_STATUS_BAD_FORMAT	2
#define VPLANE_PLANE_STATUS_BAD_SIZE	3 /* width/height 0 or too big */
#define VPLANE_PLANE_STATUS_BAD_STRIDE	4
#define VPLANE_PLANE_STATUS_BAD_ALIGN	5 /* address not aligned */
#define VPLANE_PLANE_STATUS_BAD_RANGE	6 /* outside VRAM / overflow */
#define VPLANE_PLANE_STATUS_BAD_DOMAIN	7
#define VPLANE_PLANE_STATUS_BAD_POS	8
#define VPLANE_PLANE_STATUS_BAD_HOT	9
#define VPLANE_PLANE_STATUS_PIN_FAILED	10 /* GPA not mapped by the VMM */
#define VPLANE_PLANE_STATUS_UNMAPPED	11 /* VMM unmapped it later */
#define VPLANE_PLANE_STATUS_NO_RESOURCE 12 /* pin/object budget */

/* per-head EDID window, read-only, zero while disconnected */
#define VPLANE_MMIO_EDID(h) (0x4000 + (h)*0x400)
#define VPLANE_EDID_MAX	    1024

/* ---- host side: conventions on top of the upstream VFIO API ------------- */

/*
 * VFIO_DEVICE_QUERY_GFX_PLANE: drm_plane_type carries the head in bits
 * 16..23; plain DRM_PLANE_TYPE_PRIMARY / DRM_PLANE_TYPE_CURSOR mean head 0.
 */
#define VPLANE_QUERY_HEAD_SHIFT 16
#define VPLANE_QUERY_HEAD(h)	((__u32)(h) << VPLANE_QUERY_HEAD_SHIFT)
#define VPLANE_QUERY_TYPE_MASK	0xffffu

/*
 * Region indices: the VFIO PCI ones, then one EDID region
 * (VFIO_REGION_SUBTYPE_GFX_EDID) per head, head 0 first.
 */
#define VPLANE_REGION_EDID(h)	(9 + (h)) /* VFIO_PCI_NUM_REGIONS */
#define VPLANE_EDID_REGION_SIZE 0x1000
#define VPLANE_EDID_BLOB_OFFSET 0x800

#endif /* _UAPI_VPLANE_H */
