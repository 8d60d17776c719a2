/* SPDX-License-Identifier: MIT */
/*
 * The guest's half of playing a vGPU: the register writes a guest driver
 * makes on BAR2 (the bochs DISPI block and vplane's own block), reached
 * through the VMM's device fd the way a VMM forwards trapped MMIO. The
 * registers are driver/uapi/vplane.h; what they mean is driver/ABI.md.
 *
 * Every function logs why it failed (with file:line) and returns false;
 * the multi-register ones stop at the first failed access.
 */
#ifndef VPLANE_PLAYER_GUEST_H
#define VPLANE_PLAYER_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

/* One 32-bit vplane register at BAR2 offset @off. */
bool guest_read32(struct vmm_vgpu *v, uint32_t off, uint32_t *val);
bool guest_write32(struct vmm_vgpu *v, uint32_t off, uint32_t val);

/* One 16-bit bochs DISPI register (VPLANE_DISPI_*), as bochs-drm uses
 * them at BAR2 + VPLANE_MMIO_DISPI. */
bool guest_dispi_read(struct vmm_vgpu *v, unsigned int index, uint16_t *val);
bool guest_dispi_write(struct vmm_vgpu *v, unsigned int index, uint16_t val);
/* bochs-drm's modeset: a 32 bpp @width x @height mode scanning out from
 * VRAM offset 0 (virtual size = mode, no offsets, memory not cleared). */
bool guest_bochs_mode(struct vmm_vgpu *v, uint16_t width, uint16_t height);

/* Head @head on at @width x @height (and @refresh_mhz unless 0): writes
 * WIDTH, HEIGHT, REFRESH, then CTRL = ENABLE. An enabled head takes the
 * new mode as is; guest_head_off() first makes it a full modeset. */
bool guest_head_on(struct vmm_vgpu *v, unsigned int head, uint32_t width,
		   uint32_t height, uint32_t refresh_mhz);
bool guest_head_off(struct vmm_vgpu *v, unsigned int head);
/* Whether the device accepted @head's mode (HEAD_STATUS MODE_OK). */
bool guest_head_mode_ok(struct vmm_vgpu *v, unsigned int head);

/* A plane's pending registers (latched by the next flip that names it). */
struct guest_plane {
	uint32_t format; /* DRM_FORMAT_* */
	uint32_t width, height, stride;
	uint32_t domain; /* VPLANE_DOMAIN_VRAM or _GUEST_RAM */
	uint64_t addr;	 /* VRAM offset or guest physical address */
	int32_t x, y;	 /* position on the head */
};

/* Writes every field of @p into @head's @plane (VPLANE_PLANE_*) and sets
 * CTRL = ENABLE. Hotspots are left alone. */
bool guest_plane_set(struct vmm_vgpu *v, unsigned int head, unsigned int plane,
		     const struct guest_plane *p);
/* Only the scan-out address, for a page flip between buffers. */
bool guest_plane_addr(struct vmm_vgpu *v, unsigned int head, unsigned int plane,
		      uint64_t addr);

/* Rings @head's flip doorbell for the planes in @mask (VPLANE_FLIP_*);
 * with @seq, reads back the sequence the flip latched. */
bool guest_flip(struct vmm_vgpu *v, unsigned int head, uint32_t mask,
		uint32_t *seq);
/* Reads @head's FLIP_DONE_SEQ. */
bool guest_flip_done_seq(struct vmm_vgpu *v, unsigned int head, uint32_t *seq);

/*
 * Waits until every head h in *@pending reports flip-done for @seq[h] (or
 * later), sleeping on the MSI eventfd (vmm_enable_msi(); without it the
 * wait is a poll of the registers) and clearing INT_STATUS on each
 * interrupt like a guest's handler. Heads done leave *@pending. True
 * when none is left; false when @timeout_ms passed (errno ETIMEDOUT), a
 * signal interrupted the wait (EINTR) or an access failed.
 */
bool guest_wait_flip_done(struct vmm_vgpu *v, uint32_t *pending,
			  const uint32_t *seq, unsigned int timeout_ms);

#endif
