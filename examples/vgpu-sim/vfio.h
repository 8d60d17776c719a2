/* SPDX-License-Identifier: MIT */
/*
 * The VMM half of the simulator: open a vplane mdev through its VFIO group
 * and a type1v2 container, access its regions, give it "guest RAM" and
 * receive its MSI through an eventfd.
 */
#ifndef VPLANE_SIM_VFIO_H
#define VPLANE_SIM_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#define SIM_MAX_REGIONS 16

struct sim_vfio {
	int container; /* owned, -1 if none */
	int group;     /* owned, -1 if none */
	int device;    /* owned, -1 if none */
	int irq_fd;    /* owned eventfd for the MSI, -1 if none */
	uint32_t num_regions;
	struct vfio_region_info region[SIM_MAX_REGIONS];
	void *vram; /* BAR0 mapping or NULL */
	void *ram;  /* guest RAM mapping or NULL */
	uint64_t ram_gpa;
	size_t ram_size;
};

/* Open the mdev @uuid (a vplane device, or with @bochs_only any device
 * with bochs DISPI registers); on failure logs, cleans up, returns false. */
bool sim_vfio_open(struct sim_vfio *v, const char *uuid, bool bochs_only);
/* Undo everything sim_vfio_open() and the calls below set up. */
void sim_vfio_close(struct sim_vfio *v);

bool sim_vfio_map_vram(struct sim_vfio *v);
/* A memfd of @size mapped for DMA at @gpa. */
bool sim_vfio_add_ram(struct sim_vfio *v, uint64_t gpa, size_t size);
/* Route the MSI to a fresh eventfd (v->irq_fd). */
bool sim_vfio_enable_msi(struct sim_vfio *v);

uint32_t sim_mmio_read(struct sim_vfio *v, uint32_t off);
void sim_mmio_write(struct sim_vfio *v, uint32_t off, uint32_t val);
void sim_dispi_write(struct sim_vfio *v, unsigned int index, uint16_t val);

/* The fields of @head's VFIO GFX_EDID region (size and mode limits) into
 * @info; false, after logging, if the device has no such region. */
bool sim_vfio_edid_info(struct sim_vfio *v, unsigned int head,
			struct vfio_region_gfx_edid *info);
/* What a VMM does to give @head a new monitor: link down, write @len
 * bytes of @blob (borrowed) into the region, set edid_size, link up. */
bool sim_vfio_set_edid(struct sim_vfio *v, unsigned int head,
		       const uint8_t *blob, size_t len);

#endif
