// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: BAR2 MMIO registers.
 *
 * Two register sets share the BAR:
 * - a bochs DISPI-compatible block (plus QEMU's extended regs and the EDID
 *   window at 0), so an unmodified bochs-drm drives head 0;
 * - vplane's own block: global registers, then per head the mode, the
 *   FLIP doorbell and the pending register set of each plane.
 * Head 0 scans out vplane's planes once its CTRL.ENABLE is set; until then
 * it scans out what DISPI describes.  uapi/vplane.h has the map.
 */

#include "vplane.h"

static void dispi_reset(struct vplane_vgpu *vgpu)
{
	memset(vgpu->dispi, 0, sizeof(vgpu->dispi));
	vgpu->dispi[VPLANE_DISPI_ID] = VPLANE_DISPI_ID5;
	vgpu->dispi[VPLANE_DISPI_VIDEO_MEMORY_64K] =
		min_t(u64, vgpu->vram_size >> 16, U16_MAX);
	__vplane_bochs_update(vgpu);
}

static void plane_regs_reset(struct vplane_plane_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->hot_x = VPLANE_HOT_NONE;
	regs->hot_y = VPLANE_HOT_NONE;
}

/*
 * Register reset (VFIO_DEVICE_RESET, close, release): heads off, planes
 * released, interrupts cleared.  VRAM contents and the EDID the VMM set
 * survive, as on real hardware.
 */
void __vplane_regs_reset(struct vplane_vgpu *vgpu)
{
	unsigned int h, p;

	lockdep_assert_held(&vgpu->lock);
	for (h = 0; h < vgpu->nr_heads; h++) {
		struct vplane_head *head = &vgpu->heads[h];

		__vplane_head_stop_timer(vgpu, h);
		head->ctrl = 0;
		head->width = 0;
		head->height = 0;
		head->refresh = VPLANE_REFRESH_DEFAULT;
		head->idle_reason = VPLANE_DISPLAY_REASON_WAITING;
		for (p = 0; p < VPLANE_NUM_PLANES; p++) {
			struct vplane_plane *plane = &head->planes[p];

			__vplane_plane_release(vgpu, plane);
			plane_regs_reset(&plane->pending);
			plane_regs_reset(&plane->active);
			plane->status = VPLANE_PLANE_STATUS_DISABLED;
		}
	}
	dispi_reset(vgpu);
	vplane_irq_reset(vgpu);
}

static bool head_mode_ok(struct vplane_vgpu *vgpu, struct vplane_head *head)
{
	return (head->ctrl & VPLANE_HEAD_CTRL_ENABLE) && head->width &&
	       head->width <= vgpu->type->max_width && head->height &&
	       head->height <= vgpu->type->max_height;
}

/* The head scans out vplane planes (enabled with a valid mode). */
bool __vplane_head_active(struct vplane_vgpu *vgpu, unsigned int head)
{
	lockdep_assert_held(&vgpu->lock);
	return head_mode_ok(vgpu, &vgpu->heads[head]);
}

/* ---- bochs DISPI ------------------------------------------------------- */

static u16 dispi_read(struct vplane_vgpu *vgpu, u32 index)
{
	bool caps = vgpu->dispi[VPLANE_DISPI_ENABLE] & VPLANE_DISPI_GETCAPS;

	if (index >= VPLANE_DISPI_COUNT)
		return 0;
	if (caps) {
		switch (index) {
		case VPLANE_DISPI_XRES:
			return VPLANE_DISPI_MAX_XRES;
		case VPLANE_DISPI_YRES:
			return VPLANE_DISPI_MAX_YRES;
		case VPLANE_DISPI_BPP:
			return 32;
		}
	}
	return vgpu->dispi[index];
}

static void dispi_write(struct vplane_vgpu *vgpu, u32 index, u16 val)
{
	switch (index) {
	case VPLANE_DISPI_ID:
	case VPLANE_DISPI_VIDEO_MEMORY_64K:
		/* read-only here: the ID is fixed at the newest version */
		return;
	case VPLANE_DISPI_XRES ... VPLANE_DISPI_Y_OFFSET:
		vgpu->heads[0].idle_reason = 0;
		if (vgpu->dispi[index] == val)
			return;
		vgpu->dispi[index] = val;
		/* bochs has no doorbell: every change may be a new frame */
		__vplane_bochs_update(vgpu);
		__vplane_display_bochs(vgpu);
		return;
	}
}

/* ---- vplane blocks ------------------------------------------------------ */

static u32 global_read(struct vplane_vgpu *vgpu, u32 off)
{
	switch (off) {
	case VPLANE_REG_MAGIC:
		return VPLANE_MAGIC;
	case VPLANE_REG_VERSION:
		return VPLANE_VERSION;
	case VPLANE_REG_NUM_HEADS:
		return vgpu->nr_heads;
	case VPLANE_REG_CAPS:
		return VPLANE_CAP_GUEST_RAM | VPLANE_CAP_CURSOR |
		       VPLANE_CAP_EDID | VPLANE_CAP_VBLANK;
	case VPLANE_REG_VRAM_SIZE:
		return vgpu->vram_size;
	case VPLANE_REG_MAX_WIDTH:
		return vgpu->type->max_width;
	case VPLANE_REG_MAX_HEIGHT:
		return vgpu->type->max_height;
	case VPLANE_REG_CURSOR_MAX:
		return VPLANE_CURSOR_MAX;
	case VPLANE_REG_INT_STATUS:
	case VPLANE_REG_INT_ENABLE:
		return vplane_irq_read(vgpu, off);
	case VPLANE_REG_ADDR_ALIGN:
		return VPLANE_ADDR_ALIGN;
	case VPLANE_REG_MAX_STRIDE:
		return VPLANE_MAX_STRIDE;
	}
	return 0;
}

static void global_write(struct vplane_vgpu *vgpu, u32 off, u32 val)
{
	switch (off) {
	case VPLANE_REG_INT_STATUS:
	case VPLANE_REG_INT_ENABLE:
		vplane_irq_write(vgpu, off, val);
		break;
	}
}

static u32 head_read(struct vplane_vgpu *vgpu, struct vplane_head *head,
		     u32 off)
{
	struct vplane_edid *edid = &head->edid;
	u32 val = 0;

	switch (off) {
	case VPLANE_HEAD_CTRL:
		return head->ctrl;
	case VPLANE_HEAD_WIDTH:
		return head->width;
	case VPLANE_HEAD_HEIGHT:
		return head->height;
	case VPLANE_HEAD_REFRESH:
		return head->refresh;
	case VPLANE_HEAD_FLIP_SEQ:
		return __vplane_flip_seq(vgpu, head->index);
	case VPLANE_HEAD_FLIP_DONE_SEQ:
		return vplane_flip_done_seq(vgpu, head->index);
	case VPLANE_HEAD_VBLANK_COUNT:
		return vplane_irq_vblank_count(vgpu, head->index);
	case VPLANE_HEAD_CONNECTOR:
		if (edid->connected)
			val |= VPLANE_CONN_CONNECTED;
		if (edid->connected && edid->size)
			val |= VPLANE_CONN_EDID;
		return val;
	case VPLANE_HEAD_EDID_SIZE:
		return edid->connected ? edid->size : 0;
	case VPLANE_HEAD_PREF_WIDTH:
		return edid->pref_width;
	case VPLANE_HEAD_PREF_HEIGHT:
		return edid->pref_height;
	case VPLANE_HEAD_PREF_REFRESH:
		return edid->pref_refresh;
	case VPLANE_HEAD_STATUS:
		return head_mode_ok(vgpu, head) ? VPLANE_HEAD_STATUS_MODE_OK
						: 0;
	}
	return 0;
}

static void head_write(struct vplane_vgpu *vgpu, struct vplane_head *head,
		       u32 off, u32 val)
{
	bool was_active = __vplane_head_active(vgpu, head->index);
	u32 old_w = head->width, old_h = head->height, old_r = head->refresh;
	u32 old_ctrl = head->ctrl;

	head->idle_reason = 0;
	switch (off) {
	case VPLANE_HEAD_CTRL:
		head->ctrl = val & VPLANE_HEAD_CTRL_ENABLE;
		break;
	case VPLANE_HEAD_WIDTH:
		head->width = val;
		break;
	case VPLANE_HEAD_HEIGHT:
		head->height = val;
		break;
	case VPLANE_HEAD_REFRESH:
		head->refresh = val;
		break;
	case VPLANE_HEAD_FLIP:
		/* the flip's lifecycle is vplane_flip.c's */
		__vplane_flip(vgpu, head->index, val);
		return;
	default:
		return;
	}
	__vplane_head_update_timer(vgpu, head->index);
	/* a head that goes away leaves no button of its pointer down */
	if (was_active && !__vplane_head_active(vgpu, head->index))
		__vplane_input_head_off(vgpu, head->index);
	/*
	 * tell consumers about the mode they see, not every register write;
	 * turning the head on or off changes why it shows nothing
	 */
	if (was_active != __vplane_head_active(vgpu, head->index) ||
	    old_ctrl != head->ctrl ||
	    (was_active && (old_w != head->width || old_h != head->height ||
			    old_r != head->refresh)))
		__vplane_display_mode(vgpu, head->index);
}

static u32 plane_read(struct vplane_plane *plane, u32 off)
{
	const struct vplane_plane_regs *r = &plane->pending;

	switch (off) {
	case VPLANE_PLANE_CTRL:
		return r->ctrl;
	case VPLANE_PLANE_FORMAT:
		return r->format;
	case VPLANE_PLANE_WIDTH:
		return r->width;
	case VPLANE_PLANE_HEIGHT:
		return r->height;
	case VPLANE_PLANE_STRIDE:
		return r->stride;
	case VPLANE_PLANE_DOMAIN:
		return r->domain;
	case VPLANE_PLANE_ADDR_LO:
		return r->addr_lo;
	case VPLANE_PLANE_ADDR_HI:
		return r->addr_hi;
	case VPLANE_PLANE_POS_X:
		return (u32)r->pos_x;
	case VPLANE_PLANE_POS_Y:
		return (u32)r->pos_y;
	case VPLANE_PLANE_HOT_X:
		return r->hot_x;
	case VPLANE_PLANE_HOT_Y:
		return r->hot_y;
	case VPLANE_PLANE_STATUS:
		return plane->status;
	case VPLANE_PLANE_ACTIVE_ID:
		return plane->obj ? plane->obj->id : 0;
	}
	return 0;
}

static void plane_write(struct vplane_plane *plane, u32 off, u32 val)
{
	struct vplane_plane_regs *r = &plane->pending;

	switch (off) {
	case VPLANE_PLANE_CTRL:
		r->ctrl = val & VPLANE_PLANE_CTRL_ENABLE;
		break;
	case VPLANE_PLANE_FORMAT:
		r->format = val;
		break;
	case VPLANE_PLANE_WIDTH:
		r->width = val;
		break;
	case VPLANE_PLANE_HEIGHT:
		r->height = val;
		break;
	case VPLANE_PLANE_STRIDE:
		r->stride = val;
		break;
	case VPLANE_PLANE_DOMAIN:
		r->domain = val;
		break;
	case VPLANE_PLANE_ADDR_LO:
		r->addr_lo = val;
		break;
	case VPLANE_PLANE_ADDR_HI:
		r->addr_hi = val;
		break;
	case VPLANE_PLANE_POS_X:
		r->pos_x = (s32)val;
		break;
	case VPLANE_PLANE_POS_Y:
		r->pos_y = (s32)val;
		break;
	case VPLANE_PLANE_HOT_X:
		r->hot_x = val;
		break;
	case VPLANE_PLANE_HOT_Y:
		r->hot_y = val;
		break;
	}
}

/*
 * Decode an offset in the per-head area into head, plane (or -1 for the
 * head registers) and register offset.  False when it names nothing.
 */
static bool decode_head(struct vplane_vgpu *vgpu, u32 off, unsigned int *h,
			int *p, u32 *reg)
{
	u32 rel;

	if (off < VPLANE_MMIO_HEAD(0) ||
	    off >= VPLANE_MMIO_HEAD(vgpu->nr_heads))
		return false;
	rel = off - VPLANE_MMIO_HEAD(0);
	*h = rel / 0x400;
	rel %= 0x400;
	if (rel < 0x100) {
		*p = -1;
		*reg = rel;
		return true;
	}
	rel -= 0x100;
	if (rel >= VPLANE_NUM_PLANES * 0x100)
		return false;
	*p = rel / 0x100;
	*reg = rel % 0x100;
	return true;
}

/*
 * Read @count (1, 2 or 4, naturally aligned, inside the BAR) bytes at @off.
 * The guest controls all of it; unknown offsets read as zero.
 */
u32 __vplane_mmio_read(struct vplane_vgpu *vgpu, u32 off, u32 count)
{
	unsigned int h;
	u32 reg;
	int p;

	lockdep_assert_held(&vgpu->lock);

	if (off < VPLANE_EDID_MAX)
		return __vplane_edid_guest_read(vgpu, 0, off, count);
	if (off >= VPLANE_MMIO_DISPI &&
	    off < VPLANE_MMIO_DISPI + 2 * VPLANE_DISPI_COUNT) {
		if (count != 2)
			return 0;
		return dispi_read(vgpu, (off - VPLANE_MMIO_DISPI) / 2);
	}
	if (off >= VPLANE_MMIO_EDID(0) &&
	    off < VPLANE_MMIO_EDID(vgpu->nr_heads)) {
		h = (off - VPLANE_MMIO_EDID(0)) / VPLANE_EDID_MAX;
		return __vplane_edid_guest_read(vgpu, h, off % VPLANE_EDID_MAX,
						count);
	}

	/* everything below is 32-bit registers only */
	if (count != 4)
		return 0;
	if (off == VPLANE_MMIO_QEXT_SIZE)
		return 8;
	if (off == VPLANE_MMIO_QEXT_BYTEORDER)
		return 0x1e1e1e1e;
	if (off >= VPLANE_MMIO_GLOBAL && off < VPLANE_MMIO_HEAD(0))
		return global_read(vgpu, off);
	if (decode_head(vgpu, off, &h, &p, &reg)) {
		if (p < 0)
			return head_read(vgpu, &vgpu->heads[h], reg);
		return plane_read(&vgpu->heads[h].planes[p], reg);
	}
	return 0;
}

/* Write counterpart of __vplane_mmio_read(); unknown offsets are ignored. */
void __vplane_mmio_write(struct vplane_vgpu *vgpu, u32 off, u32 count, u32 val)
{
	unsigned int h;
	u32 reg;
	int p;

	lockdep_assert_held(&vgpu->lock);

	if (off >= VPLANE_MMIO_DISPI &&
	    off < VPLANE_MMIO_DISPI + 2 * VPLANE_DISPI_COUNT) {
		if (count == 2)
			dispi_write(vgpu, (off - VPLANE_MMIO_DISPI) / 2, val);
		return;
	}
	if (count != 4)
		return;
	if (off >= VPLANE_MMIO_GLOBAL && off < VPLANE_MMIO_HEAD(0)) {
		global_write(vgpu, off, val);
		return;
	}
	if (decode_head(vgpu, off, &h, &p, &reg)) {
		if (p < 0) {
			head_write(vgpu, &vgpu->heads[h], reg, val);
		} else {
			vgpu->heads[h].idle_reason = 0;
			plane_write(&vgpu->heads[h].planes[p], reg, val);
		}
	}
	/* QEXT byteorder writes are ignored: vplane is little-endian only */
}
