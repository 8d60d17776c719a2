/* SPDX-License-Identifier: MIT */
/*
 * The VMM's half of playing a vGPU: open an mdev through its VFIO group
 * and a type1 container the way QEMU does, reach its regions, give it
 * "guest RAM" and route its MSI to an eventfd. The guest's half (the
 * registers it programs) is guest.h. Shared by vplane-sim and the
 * in-guest tests (tests/vm/guest), so each of them plays the VMM the
 * same way.
 *
 * Every function that can fail logs why (with file:line) and returns
 * false; callers that keep a failure count add it. The two upstream
 * GFX ioctls are the exception: they return -errno and log nothing.
 */
#ifndef VPLANE_PLAYER_VMM_H
#define VPLANE_PLAYER_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#define VMM_MAX_REGIONS 16
#define VMM_UUID_LEN	40

struct vmm_vgpu {
	char uuid[VMM_UUID_LEN];
	int container;	       /* owned unless shares_container, -1 if none */
	int group;	       /* owned, -1 if none */
	int device;	       /* owned, -1 if none */
	int msi;	       /* owned eventfd of the MSI, -1 if none */
	bool shares_container; /* vmm_open_shared(): another's container */
	/* what the device reports; region[] holds the first
	 * VMM_MAX_REGIONS of them */
	uint32_t num_regions;
	struct vfio_region_info region[VMM_MAX_REGIONS];
	/* BAR0 mapping (vmm_map_vram) and guest RAM (vmm_add_ram), or NULL.
	 * A caller may take either by setting the field to NULL: then it
	 * munmaps, and ends RAM's DMA mapping with vmm_dma_unmap() (or the
	 * container's close does). */
	uint8_t *vram;
	uint8_t *ram;
	uint64_t ram_gpa;
	size_t ram_size;
};

/* A closed vGPU, for one that vmm_close() may meet before vmm_open(). */
#define VMM_VGPU_INIT                                                 \
	{                                                             \
		.container = -1, .group = -1, .device = -1, .msi = -1 \
	}

/* What the administrator (or libvirt, mdevctl) does before a VMM starts:
 * creates an mdev of @type under @parent ("vplane", "mbochs") with a
 * fresh UUID, written to @uuid (VMM_UUID_LEN bytes). */
bool vmm_mdev_create(const char *parent, const char *type, char *uuid);
/* Removes the mdev @uuid (blocks while a VMM still holds it). */
bool vmm_mdev_remove(const char *uuid);

/*
 * Opens /sys/bus/mdev/devices/@uuid: its group, a container of IOMMU
 * type @iommu (VFIO_TYPE1v2_IOMMU is what vfio_pin_pages, so guest RAM
 * planes, need; VFIO_TYPE1_IOMMU is enough otherwise) and the device fd,
 * and reads every region's info. Checks nothing about the kind of
 * device. On failure logs, undoes what it did and returns false.
 */
bool vmm_open(struct vmm_vgpu *v, const char *uuid, int iommu);
/* A second device in the container of @into (borrowed, and it must
 * outlive @v), as QEMU puts every device of a VM in one container: DMA
 * mappings are the container's, so shared. */
bool vmm_open_shared(struct vmm_vgpu *v, const char *uuid,
		     const struct vmm_vgpu *into);
/* Undoes vmm_open() and every call below; safe on a closed @v (after
 * vmm_close(), a failed vmm_open() or VMM_VGPU_INIT). */
void vmm_close(struct vmm_vgpu *v);
/* Closes only the device fd, with the VRAM mapping and the MSI eventfd
 * (the routing dies with the fd): the group and container, so DMA
 * mappings, stay. */
void vmm_close_device(struct vmm_vgpu *v);
/* After vmm_close_device() (or in its place: it closes first): a new
 * device fd from the same group and a fresh region table. */
bool vmm_reopen_device(struct vmm_vgpu *v);

/* The info of region @index, or NULL (after logging) if the device has
 * no such region. */
const struct vfio_region_info *vmm_region(struct vmm_vgpu *v, uint32_t index);
/* Exact-size pread/pwrite of @len bytes at @off inside region @index;
 * false after logging on an error or a short transfer. */
bool vmm_read(struct vmm_vgpu *v, uint32_t index, uint64_t off, void *buf,
	      size_t len);
bool vmm_write(struct vmm_vgpu *v, uint32_t index, uint64_t off,
	       const void *buf, size_t len);

/* Maps BAR0 (VRAM) into v->vram; false if BAR0 is not mappable. */
bool vmm_map_vram(struct vmm_vgpu *v);
/* A memfd of @size mapped for DMA at @gpa, into v->ram (one range per
 * vGPU; vmm_close() unmaps it). */
bool vmm_add_ram(struct vmm_vgpu *v, uint64_t gpa, size_t size);
/* Ends the DMA mapping of [@gpa, @gpa + @size), as a VMM does when guest
 * memory goes away. */
bool vmm_dma_unmap(struct vmm_vgpu *v, uint64_t gpa, size_t size);
/* Routes the MSI to a fresh non-blocking eventfd, v->msi. */
bool vmm_enable_msi(struct vmm_vgpu *v);
/* Routes IRQ @index (VFIO_PCI_*_IRQ_INDEX) to @fd (borrowed; -1 turns
 * the trigger off). */
bool vmm_set_irq(struct vmm_vgpu *v, uint32_t index, int fd);

/* VFIO_DEVICE_QUERY_GFX_PLANE for a dma-buf plane of type @plane_type
 * (DRM_PLANE_TYPE_*, or'ed with VPLANE_QUERY_HEAD(n) for vplane's head
 * n) into @info. Returns 0 or -errno and logs nothing: asking is also
 * how tests probe refusals. */
int vmm_query_plane(struct vmm_vgpu *v, uint32_t plane_type,
		    struct vfio_device_gfx_plane_info *info);
/* VFIO_DEVICE_GET_GFX_DMABUF of @id: the new fd (the caller owns it),
 * or -errno; logs nothing. */
int vmm_get_dmabuf(struct vmm_vgpu *v, uint32_t id);

/* The fields of @head's VFIO GFX_EDID region (size and mode limits)
 * into @info; false, after logging, if the device has no such region. */
bool vmm_edid_info(struct vmm_vgpu *v, unsigned int head,
		   struct vfio_region_gfx_edid *info);
/* What a VMM does to give @head a new monitor: link down, write @len
 * bytes of @blob (borrowed) into the region, set edid_size, link up. */
bool vmm_set_edid(struct vmm_vgpu *v, unsigned int head, const uint8_t *blob,
		  size_t len);

#endif
