// SPDX-License-Identifier: MIT
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "monotonic.h"
#include "vplane.h"

/* bochs-drm's "do not clear VRAM" enable bit; vplane.h has no name for
 * it because the device has nothing to clear. */
#define DISPI_NOCLEARMEM 0x80

#define LOG_ERR(fmt, ...) \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

bool guest_read32(struct vmm_vgpu *v, uint32_t off, uint32_t *val)
{
	*val = 0;
	return vmm_read(v, VFIO_PCI_BAR2_REGION_INDEX, off, val, sizeof(*val));
}

bool guest_write32(struct vmm_vgpu *v, uint32_t off, uint32_t val)
{
	return vmm_write(v, VFIO_PCI_BAR2_REGION_INDEX, off, &val, sizeof(val));
}

bool guest_dispi_read(struct vmm_vgpu *v, unsigned int index, uint16_t *val)
{
	*val = 0;
	return vmm_read(v, VFIO_PCI_BAR2_REGION_INDEX,
			VPLANE_MMIO_DISPI + 2 * index, val, sizeof(*val));
}

bool guest_dispi_write(struct vmm_vgpu *v, unsigned int index, uint16_t val)
{
	return vmm_write(v, VFIO_PCI_BAR2_REGION_INDEX,
			 VPLANE_MMIO_DISPI + 2 * index, &val, sizeof(val));
}

bool guest_bochs_mode(struct vmm_vgpu *v, uint16_t width, uint16_t height)
{
	return guest_dispi_write(v, VPLANE_DISPI_ENABLE, 0) &&
	       guest_dispi_write(v, VPLANE_DISPI_BPP, 32) &&
	       guest_dispi_write(v, VPLANE_DISPI_XRES, width) &&
	       guest_dispi_write(v, VPLANE_DISPI_YRES, height) &&
	       guest_dispi_write(v, VPLANE_DISPI_BANK, 0) &&
	       guest_dispi_write(v, VPLANE_DISPI_VIRT_WIDTH, width) &&
	       guest_dispi_write(v, VPLANE_DISPI_VIRT_HEIGHT, height) &&
	       guest_dispi_write(v, VPLANE_DISPI_X_OFFSET, 0) &&
	       guest_dispi_write(v, VPLANE_DISPI_Y_OFFSET, 0) &&
	       guest_dispi_write(v, VPLANE_DISPI_ENABLE,
				 VPLANE_DISPI_ENABLED |
					 VPLANE_DISPI_LFB_ENABLED |
					 DISPI_NOCLEARMEM);
}

bool guest_head_on(struct vmm_vgpu *v, unsigned int head, uint32_t width,
		   uint32_t height, uint32_t refresh_mhz)
{
	uint32_t base = VPLANE_MMIO_HEAD(head);

	return guest_write32(v, base + VPLANE_HEAD_WIDTH, width) &&
	       guest_write32(v, base + VPLANE_HEAD_HEIGHT, height) &&
	       (!refresh_mhz ||
		guest_write32(v, base + VPLANE_HEAD_REFRESH, refresh_mhz)) &&
	       guest_write32(v, base + VPLANE_HEAD_CTRL,
			     VPLANE_HEAD_CTRL_ENABLE);
}

bool guest_head_off(struct vmm_vgpu *v, unsigned int head)
{
	return guest_write32(v, VPLANE_MMIO_HEAD(head) + VPLANE_HEAD_CTRL, 0);
}

bool guest_head_mode_ok(struct vmm_vgpu *v, unsigned int head)
{
	uint32_t status;

	return guest_read32(v, VPLANE_MMIO_HEAD(head) + VPLANE_HEAD_STATUS,
			    &status) &&
	       (status & VPLANE_HEAD_STATUS_MODE_OK);
}

bool guest_plane_set(struct vmm_vgpu *v, unsigned int head, unsigned int plane,
		     const struct guest_plane *p)
{
	uint32_t base = VPLANE_MMIO_PLANE(head, plane);

	return guest_write32(v, base + VPLANE_PLANE_FORMAT, p->format) &&
	       guest_write32(v, base + VPLANE_PLANE_WIDTH, p->width) &&
	       guest_write32(v, base + VPLANE_PLANE_HEIGHT, p->height) &&
	       guest_write32(v, base + VPLANE_PLANE_STRIDE, p->stride) &&
	       guest_write32(v, base + VPLANE_PLANE_DOMAIN, p->domain) &&
	       guest_plane_addr(v, head, plane, p->addr) &&
	       guest_write32(v, base + VPLANE_PLANE_POS_X, (uint32_t)p->x) &&
	       guest_write32(v, base + VPLANE_PLANE_POS_Y, (uint32_t)p->y) &&
	       guest_write32(v, base + VPLANE_PLANE_CTRL,
			     VPLANE_PLANE_CTRL_ENABLE);
}

bool guest_plane_addr(struct vmm_vgpu *v, unsigned int head, unsigned int plane,
		      uint64_t addr)
{
	uint32_t base = VPLANE_MMIO_PLANE(head, plane);

	return guest_write32(v, base + VPLANE_PLANE_ADDR_LO, (uint32_t)addr) &&
	       guest_write32(v, base + VPLANE_PLANE_ADDR_HI,
			     (uint32_t)(addr >> 32));
}

bool guest_flip(struct vmm_vgpu *v, unsigned int head, uint32_t mask,
		uint32_t *seq)
{
	uint32_t base = VPLANE_MMIO_HEAD(head);

	return guest_write32(v, base + VPLANE_HEAD_FLIP, mask) &&
	       (!seq || guest_read32(v, base + VPLANE_HEAD_FLIP_SEQ, seq));
}

bool guest_flip_done_seq(struct vmm_vgpu *v, unsigned int head, uint32_t *seq)
{
	return guest_read32(
		v, VPLANE_MMIO_HEAD(head) + VPLANE_HEAD_FLIP_DONE_SEQ, seq);
}

/* Clears from *@pending every head whose flip @seq[h] is done. */
static bool check_done(struct vmm_vgpu *v, uint32_t *pending,
		       const uint32_t *seq)
{
	uint32_t done;
	unsigned int h;

	for (h = 0; h < 32; h++) {
		if (!(*pending & 1u << h))
			continue;
		if (!guest_flip_done_seq(v, h, &done))
			return false;
		if ((int32_t)(done - seq[h]) >= 0)
			*pending &= ~(1u << h);
	}
	return true;
}

/* What a guest's interrupt handler does: consume the MSI, then clear
 * INT_STATUS so the next flip-done interrupts again. */
static bool take_interrupt(struct vmm_vgpu *v, int timeout_ms)
{
	struct pollfd pfd = { .fd = v->msi, .events = POLLIN };
	uint32_t status;
	uint64_t count;
	int n;

	if (v->msi < 0) {
		usleep(1000);
		return true;
	}
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			LOG_ERR("poll MSI: %s", strerror(errno));
		return false;
	}
	if (!n)
		return true;
	if (read(v->msi, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		LOG_ERR("read MSI: %s", strerror(errno));
		return false;
	}
	return guest_read32(v, VPLANE_REG_INT_STATUS, &status) &&
	       guest_write32(v, VPLANE_REG_INT_STATUS, status);
}

bool guest_wait_flip_done(struct vmm_vgpu *v, uint32_t *pending,
			  const uint32_t *seq, unsigned int timeout_ms)
{
	uint64_t deadline = monotonic_ms() + timeout_ms, now;

	for (;;) {
		if (!check_done(v, pending, seq))
			return false;
		if (!*pending)
			return true;
		now = monotonic_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return false;
		}
		if (!take_interrupt(v, (int)(deadline - now) + 1))
			return false;
	}
}
