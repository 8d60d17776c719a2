// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: EDID per head.
 *
 * The VMM side is the upstream VFIO_REGION_SUBTYPE_GFX_EDID region, one
 * per head: struct vfio_region_gfx_edid at offset 0, the blob at
 * edid_offset.  The update cycle is link down, write blob and edid_size,
 * link up.  Blob writes go to a staging buffer; link up latches it, so the
 * guest never sees a half-written EDID.  Each link change sets the head's
 * HOTPLUG interrupt status.
 *
 * The guest side is a read-only window per head in BAR2 (head 0's also at
 * offset 0, where bochs-drm looks), plus the preferred mode decoded from
 * the first detailed timing descriptor in the head registers.
 */

#include "vplane.h"

#define DEFAULT_WIDTH  1024
#define DEFAULT_HEIGHT 768

static const u8 edid_header[8] = { 0x00, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0x00 };

static void set_default_mode(struct vplane_vgpu *vgpu, struct vplane_edid *e)
{
	e->pref_width = min_t(u32, DEFAULT_WIDTH, vgpu->type->max_width);
	e->pref_height = min_t(u32, DEFAULT_HEIGHT, vgpu->type->max_height);
	e->pref_refresh = VPLANE_REFRESH_DEFAULT;
}

/*
 * Decode the preferred mode from the first detailed timing descriptor
 * (bytes 54..71 of the base block).  Anything odd keeps the default.
 */
static void parse_preferred(struct vplane_vgpu *vgpu, struct vplane_edid *e)
{
	const u8 *d = &e->blob[54];
	u32 clock_10khz, hact, hblank, vact, vblank;
	u64 total, mhz;

	set_default_mode(vgpu, e);
	if (e->size < 128 || memcmp(e->blob, edid_header, sizeof(edid_header)))
		return;

	clock_10khz = d[0] | d[1] << 8;
	if (!clock_10khz)
		return; /* not a timing descriptor */
	hact = d[2] | (d[4] & 0xf0) << 4;
	hblank = d[3] | (d[4] & 0x0f) << 8;
	vact = d[5] | (d[7] & 0xf0) << 4;
	vblank = d[6] | (d[7] & 0x0f) << 8;
	if (!hact || !vact || hact > vgpu->type->max_width ||
	    vact > vgpu->type->max_height)
		return;

	e->pref_width = hact;
	e->pref_height = vact;
	/* all small: (4095 + 4095)^2 and 65535 * 1e7 fit easily in u64 */
	total = (u64)(hact + hblank) * (vact + vblank);
	mhz = div64_u64((u64)clock_10khz * 10000 * 1000, total);
	if (mhz >= VPLANE_REFRESH_MIN && mhz <= VPLANE_REFRESH_MAX)
		e->pref_refresh = mhz;
}

void vplane_edid_init(struct vplane_vgpu *vgpu, unsigned int head)
{
	struct vplane_edid *e = &vgpu->heads[head].edid;

	memset(e, 0, sizeof(*e));
	e->regs.edid_offset = VPLANE_EDID_BLOB_OFFSET;
	e->regs.edid_max_size = VPLANE_EDID_MAX;
	e->regs.max_xres = vgpu->type->max_width;
	e->regs.max_yres = vgpu->type->max_height;
	e->regs.link_state = VFIO_DEVICE_GFX_LINK_STATE_UP;
	e->connected = true;
	set_default_mode(vgpu, e);
}

static int set_link(struct vplane_vgpu *vgpu, unsigned int head, u32 state)
{
	struct vplane_edid *e = &vgpu->heads[head].edid;

	switch (state) {
	case VFIO_DEVICE_GFX_LINK_STATE_UP:
		memcpy(e->blob, e->staging, e->regs.edid_size);
		memset(e->blob + e->regs.edid_size, 0,
		       sizeof(e->blob) - e->regs.edid_size);
		e->size = e->regs.edid_size;
		e->connected = true;
		parse_preferred(vgpu, e);
		break;
	case VFIO_DEVICE_GFX_LINK_STATE_DOWN:
		e->connected = false;
		break;
	default:
		return -EINVAL;
	}
	e->regs.link_state = state;
	vplane_irq_raise(vgpu, VPLANE_INT_HOTPLUG(head));
	__vplane_display_mode(vgpu, head);
	return 0;
}

static int regs_write(struct vplane_vgpu *vgpu, unsigned int head, u64 off,
		      const void *buf, u32 count)
{
	struct vplane_edid *e = &vgpu->heads[head].edid;
	u32 val;

	if (count != 4 || !IS_ALIGNED(off, 4))
		return -EINVAL;
	memcpy(&val, buf, 4);

	switch (off) {
	case offsetof(struct vfio_region_gfx_edid, edid_size):
		if (val > VPLANE_EDID_MAX)
			return -EINVAL;
		e->regs.edid_size = val;
		return 0;
	case offsetof(struct vfio_region_gfx_edid, link_state):
		return set_link(vgpu, head, val);
	}
	return -EINVAL; /* read-only fields */
}

/*
 * Access the EDID region of @head.  The caller checked that
 * @off + @count lies inside VPLANE_EDID_REGION_SIZE.
 */
int __vplane_edid_region_rw(struct vplane_vgpu *vgpu, unsigned int head,
			    u64 off, void *buf, u32 count, bool write)
{
	struct vplane_edid *e = &vgpu->heads[head].edid;
	u64 end = off + count;

	lockdep_assert_held(&vgpu->lock);

	if (end <= sizeof(e->regs)) {
		if (write)
			return regs_write(vgpu, head, off, buf, count);
		memcpy(buf, (u8 *)&e->regs + off, count);
		return 0;
	}
	if (off >= VPLANE_EDID_BLOB_OFFSET &&
	    end <= VPLANE_EDID_BLOB_OFFSET + VPLANE_EDID_MAX) {
		off -= VPLANE_EDID_BLOB_OFFSET;
		if (write)
			memcpy(e->staging + off, buf, count);
		else
			memcpy(buf, e->staging + off, count);
		return 0;
	}
	if (off >= sizeof(e->regs) && end <= VPLANE_EDID_BLOB_OFFSET) {
		/* gap: reads as zero, writes ignored */
		if (!write)
			memset(buf, 0, count);
		return 0;
	}
	return -EINVAL;
}

/*
 * Guest read of @count bytes at @off in head @head's EDID window; zero
 * while disconnected or past the blob.  Little-endian like all registers.
 */
u32 __vplane_edid_guest_read(struct vplane_vgpu *vgpu, unsigned int head,
			     u32 off, u32 count)
{
	struct vplane_edid *e = &vgpu->heads[head].edid;
	u32 val = 0, i;

	lockdep_assert_held(&vgpu->lock);
	if (!e->connected)
		return 0;
	for (i = 0; i < count && i < 4; i++)
		if (off + i < e->size)
			val |= (u32)e->blob[off + i] << (8 * i);
	return val;
}
