// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane-drm mode setting: per head a CRTC with a primary and a cursor
 * plane, a virtual encoder and a connector whose modes come from the
 * head's EDID window. Planes write the head's pending plane registers;
 * the CRTC's flush rings the FLIP doorbell once for both, so what a
 * commit changes on a head reaches the screen together.
 */
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>
#include <linux/math64.h>

#include "vplane_drm.h"
#include "vplane_drm_compat.h"

static const u32 vplane_drm_primary_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565,
};

static const u32 vplane_drm_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
};

static struct vplane_drm_head *plane_to_head(struct drm_plane *plane)
{
	if (plane->type == DRM_PLANE_TYPE_CURSOR)
		return container_of(plane, struct vplane_drm_head, cursor);
	return container_of(plane, struct vplane_drm_head, primary);
}

static unsigned int plane_index(struct drm_plane *plane)
{
	return plane->type == DRM_PLANE_TYPE_CURSOR ? VPLANE_PLANE_CURSOR
						    : VPLANE_PLANE_PRIMARY;
}

/* Byte offset of the plane's first shown pixel inside its buffer. */
static u64 plane_fb_offset(const struct drm_plane_state *ps)
{
	const struct drm_framebuffer *fb = ps->fb;

	return fb->offsets[0] + (u64)(ps->src.y1 >> 16) * fb->pitches[0] +
	       (u64)(ps->src.x1 >> 16) * fb->format->cpp[0];
}

/*
 * What the device takes and the helpers do not check: a page-aligned
 * start (no panning inside a page), a stride it accepts, and for the
 * cursor the whole image at most cursor_max square.
 */
static int vplane_drm_plane_atomic_check(struct drm_plane *plane,
					 struct vplane_drm_atomic *state)
{
	struct drm_plane_state *ps =
		drm_atomic_get_new_plane_state(state, plane);
	struct vplane_drm *vdrm = to_vplane_drm(plane->dev);
	bool cursor = plane->type == DRM_PLANE_TYPE_CURSOR;
	struct drm_crtc_state *cs = NULL;
	int ret;

	if (ps->crtc)
		cs = drm_atomic_get_new_crtc_state(state, ps->crtc);
	ret = drm_atomic_helper_check_plane_state(ps, cs, DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING, cursor,
						  true);
	if (ret || !ps->visible)
		return ret;
	if (!IS_ALIGNED(plane_fb_offset(ps), VPLANE_ADDR_ALIGN) ||
	    !IS_ALIGNED(ps->fb->pitches[0], 4) ||
	    ps->fb->pitches[0] > VPLANE_MAX_STRIDE)
		return -EINVAL;
	if (cursor &&
	    (ps->src_x || ps->src_y || (ps->src_w >> 16) > vdrm->cursor_max ||
	     (ps->src_h >> 16) > vdrm->cursor_max))
		return -EINVAL;
	return 0;
}

static u32 vplane_drm_hotspot(const struct drm_plane_state *ps, bool y)
{
	s32 hx, hy;

	if (ps->plane->type != DRM_PLANE_TYPE_CURSOR ||
	    !vplane_drm_plane_hotspot(ps, &hx, &hy))
		return VPLANE_HOT_NONE;
	/* the device refuses a hotspot outside the image: say "none" */
	if (hx < 0 || hy < 0 || hx >= ps->src_w >> 16 || hy >= ps->src_h >> 16)
		return VPLANE_HOT_NONE;
	return y ? hy : hx;
}

static void vplane_drm_plane_atomic_update(struct drm_plane *plane,
					   struct vplane_drm_atomic *state)
{
	struct drm_plane_state *ps =
		drm_atomic_get_new_plane_state(state, plane);
	struct vplane_drm_head *head = plane_to_head(plane);
	struct vplane_drm *vdrm = head->vdrm;
	u32 base = VPLANE_MMIO_PLANE(head->index, plane_index(plane));
	struct drm_gem_vram_object *gbo;
	s64 vram;
	u64 addr;

	if (!ps->visible || !ps->fb) {
		vplane_drm_write(vdrm, base + VPLANE_PLANE_CTRL, 0);
		return;
	}
	gbo = drm_gem_vram_of_gem(ps->fb->obj[0]);
	vram = drm_gem_vram_offset(gbo); /* pinned by prepare_fb */
	if (WARN_ON_ONCE(vram < 0)) {
		vplane_drm_write(vdrm, base + VPLANE_PLANE_CTRL, 0);
		return;
	}
	addr = vram + plane_fb_offset(ps);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_FORMAT,
			 ps->fb->format->format);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_WIDTH, ps->src_w >> 16);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_HEIGHT, ps->src_h >> 16);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_STRIDE, ps->fb->pitches[0]);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_DOMAIN, VPLANE_DOMAIN_VRAM);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_ADDR_LO,
			 lower_32_bits(addr));
	vplane_drm_write(vdrm, base + VPLANE_PLANE_ADDR_HI,
			 upper_32_bits(addr));
	/* the cursor's unclipped position, which may be negative */
	vplane_drm_write(vdrm, base + VPLANE_PLANE_POS_X, (u32)ps->crtc_x);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_POS_Y, (u32)ps->crtc_y);
	vplane_drm_write(vdrm, base + VPLANE_PLANE_HOT_X,
			 vplane_drm_hotspot(ps, false));
	vplane_drm_write(vdrm, base + VPLANE_PLANE_HOT_Y,
			 vplane_drm_hotspot(ps, true));
	vplane_drm_write(vdrm, base + VPLANE_PLANE_CTRL,
			 VPLANE_PLANE_CTRL_ENABLE);
}

static void vplane_drm_plane_atomic_disable(struct drm_plane *plane,
					    struct vplane_drm_atomic *state)
{
	struct vplane_drm_head *head = plane_to_head(plane);

	vplane_drm_write(head->vdrm,
			 VPLANE_MMIO_PLANE(head->index, plane_index(plane)) +
				 VPLANE_PLANE_CTRL,
			 0);
}

static const struct drm_plane_helper_funcs vplane_drm_plane_helper_funcs = {
	DRM_GEM_VRAM_PLANE_HELPER_FUNCS,
	.atomic_check = vplane_drm_plane_atomic_check,
	.atomic_update = vplane_drm_plane_atomic_update,
	.atomic_disable = vplane_drm_plane_atomic_disable,
};

static const struct drm_plane_funcs vplane_drm_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

/* Refresh in mHz from the mode's timings, in the range the device takes. */
static u32 vplane_drm_refresh_mhz(const struct drm_display_mode *mode)
{
	u64 frame = (u64)mode->htotal * mode->vtotal;
	u64 mhz;

	if (!frame || mode->clock <= 0)
		return VPLANE_REFRESH_DEFAULT;
	mhz = div64_u64((u64)mode->clock * 1000000, frame);
	return clamp_t(u64, mhz, VPLANE_REFRESH_MIN, VPLANE_REFRESH_MAX);
}

static enum drm_mode_status
vplane_drm_crtc_mode_valid(struct drm_crtc *crtc,
			   const struct drm_display_mode *mode)
{
	struct vplane_drm *vdrm = to_vplane_drm(crtc->dev);

	if (mode->hdisplay > vdrm->max_width ||
	    mode->vdisplay > vdrm->max_height)
		return MODE_BAD;
	return MODE_OK;
}

static void vplane_drm_crtc_atomic_enable(struct drm_crtc *crtc,
					  struct vplane_drm_atomic *state)
{
	struct vplane_drm_head *head = crtc_to_head(crtc);
	const struct drm_display_mode *mode = &crtc->state->adjusted_mode;
	u32 base = VPLANE_MMIO_HEAD(head->index);

	vplane_drm_write(head->vdrm, base + VPLANE_HEAD_WIDTH, mode->hdisplay);
	vplane_drm_write(head->vdrm, base + VPLANE_HEAD_HEIGHT, mode->vdisplay);
	vplane_drm_write(head->vdrm, base + VPLANE_HEAD_REFRESH,
			 vplane_drm_refresh_mhz(mode));
	vplane_drm_write(head->vdrm, base + VPLANE_HEAD_CTRL,
			 VPLANE_HEAD_CTRL_ENABLE);
	drm_crtc_vblank_on(crtc);
}

static void vplane_drm_crtc_atomic_disable(struct drm_crtc *crtc,
					   struct vplane_drm_atomic *state)
{
	struct vplane_drm_head *head = crtc_to_head(crtc);
	struct drm_device *dev = crtc->dev;
	unsigned long flags;

	drm_crtc_vblank_off(crtc);
	vplane_drm_write(head->vdrm,
			 VPLANE_MMIO_HEAD(head->index) + VPLANE_HEAD_CTRL, 0);
	/* an off head flips no more: nothing will report these done */
	vplane_drm_flip_cancel(head);
	/*
	 * A commit that turns the head off has no flush to send its event;
	 * one that only changes the mode (off, then on again) sends it from
	 * the flush that shows its planes.
	 */
	spin_lock_irqsave(&dev->event_lock, flags);
	if (crtc->state->event && !crtc->state->active) {
		drm_crtc_send_vblank_event(crtc, crtc->state->event);
		crtc->state->event = NULL;
	}
	spin_unlock_irqrestore(&dev->event_lock, flags);
}

static void vplane_drm_crtc_atomic_flush(struct drm_crtc *crtc,
					 struct vplane_drm_atomic *state)
{
	struct drm_pending_vblank_event *event = crtc->state->event;

	crtc->state->event = NULL;
	vplane_drm_flip(crtc_to_head(crtc), event);
}

static const struct drm_crtc_helper_funcs vplane_drm_crtc_helper_funcs = {
	.mode_valid = vplane_drm_crtc_mode_valid,
	.atomic_enable = vplane_drm_crtc_atomic_enable,
	.atomic_disable = vplane_drm_crtc_atomic_disable,
	.atomic_flush = vplane_drm_crtc_atomic_flush,
};

static int vplane_drm_enable_vblank(struct drm_crtc *crtc)
{
	struct vplane_drm_head *head = crtc_to_head(crtc);

	vplane_drm_irq_set(head->vdrm, VPLANE_INT_VBLANK(head->index), true);
	return 0;
}

static void vplane_drm_disable_vblank(struct drm_crtc *crtc)
{
	struct vplane_drm_head *head = crtc_to_head(crtc);

	vplane_drm_irq_set(head->vdrm, VPLANE_INT_VBLANK(head->index), false);
}

static const struct drm_crtc_funcs vplane_drm_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.destroy = drm_crtc_cleanup,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = vplane_drm_enable_vblank,
	.disable_vblank = vplane_drm_disable_vblank,
};

static const struct drm_encoder_funcs vplane_drm_encoder_funcs = {
	.destroy = drm_encoder_cleanup,
};

/*
 * EDID blocks from the head's window, in the naturally aligned 32-bit
 * reads the device answers, never past what it says it holds.
 */
static int vplane_drm_read_edid_block(void *data, u8 *buf, unsigned int block,
				      size_t len)
{
	struct vplane_drm_head *head = data;
	u32 size, off, i;
	__le32 word;

	size = vplane_drm_read(head->vdrm, VPLANE_MMIO_HEAD(head->index) +
						   VPLANE_HEAD_EDID_SIZE);
	size = min_t(u32, size, VPLANE_EDID_MAX);
	if (len % 4 || block >= VPLANE_EDID_MAX / EDID_LENGTH || len > size ||
	    block * EDID_LENGTH > size - len)
		return -EINVAL;
	off = VPLANE_MMIO_EDID(head->index) + block * EDID_LENGTH;
	for (i = 0; i < len; i += 4) {
		word = cpu_to_le32(vplane_drm_read(head->vdrm, off + i));
		memcpy(buf + i, &word, sizeof(word));
	}
	return 0;
}

static int vplane_drm_get_modes(struct drm_connector *connector)
{
	struct vplane_drm_head *head =
		container_of(connector, struct vplane_drm_head, connector);
	struct vplane_drm *vdrm = head->vdrm;
	u32 base = VPLANE_MMIO_HEAD(head->index);
	const struct drm_edid *edid;
	u32 pref_w, pref_h;
	int count;

	edid = drm_edid_read_custom(connector, vplane_drm_read_edid_block,
				    head);
	count = vplane_drm_edid_update(connector, edid);
	drm_edid_free(edid);
	if (count)
		return count;
	/* a link without a usable EDID: the standard modes and the preferred */
	count = drm_add_modes_noedid(connector, vdrm->max_width,
				     vdrm->max_height);
	pref_w = vplane_drm_read(vdrm, base + VPLANE_HEAD_PREF_WIDTH);
	pref_h = vplane_drm_read(vdrm, base + VPLANE_HEAD_PREF_HEIGHT);
	drm_set_preferred_mode(connector, pref_w, pref_h);
	return count;
}

static int vplane_drm_detect_ctx(struct drm_connector *connector,
				 struct drm_modeset_acquire_ctx *ctx,
				 bool force)
{
	struct vplane_drm_head *head =
		container_of(connector, struct vplane_drm_head, connector);
	u32 conn = vplane_drm_read(head->vdrm, VPLANE_MMIO_HEAD(head->index) +
						       VPLANE_HEAD_CONNECTOR);

	return conn & VPLANE_CONN_CONNECTED ? connector_status_connected
					    : connector_status_disconnected;
}

static const struct drm_connector_helper_funcs vplane_drm_conn_helper_funcs = {
	.get_modes = vplane_drm_get_modes,
	.detect_ctx = vplane_drm_detect_ctx,
};

static const struct drm_connector_funcs vplane_drm_conn_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static int vplane_drm_head_init(struct vplane_drm *vdrm, unsigned int index)
{
	struct vplane_drm_head *head = &vdrm->heads[index];
	struct drm_device *dev = &vdrm->drm;
	int ret;

	head->vdrm = vdrm;
	head->index = index;

	ret = drm_universal_plane_init(dev, &head->primary, BIT(index),
				       &vplane_drm_plane_funcs,
				       vplane_drm_primary_formats,
				       ARRAY_SIZE(vplane_drm_primary_formats),
				       NULL, DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&head->primary, &vplane_drm_plane_helper_funcs);

	ret = drm_universal_plane_init(dev, &head->cursor, BIT(index),
				       &vplane_drm_plane_funcs,
				       vplane_drm_cursor_formats,
				       ARRAY_SIZE(vplane_drm_cursor_formats),
				       NULL, DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&head->cursor, &vplane_drm_plane_helper_funcs);

	ret = drm_crtc_init_with_planes(dev, &head->crtc, &head->primary,
					&head->cursor, &vplane_drm_crtc_funcs,
					NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&head->crtc, &vplane_drm_crtc_helper_funcs);

	ret = drm_encoder_init(dev, &head->encoder, &vplane_drm_encoder_funcs,
			       DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	head->encoder.possible_crtcs = drm_crtc_mask(&head->crtc);

	ret = drm_connector_init(dev, &head->connector, &vplane_drm_conn_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&head->connector,
				 &vplane_drm_conn_helper_funcs);
	head->connector.polled = DRM_CONNECTOR_POLL_HPD;
	return drm_connector_attach_encoder(&head->connector, &head->encoder);
}

/*
 * The atomic helpers' default tail waits for a vblank; this one waits for
 * the device's flip-done, which the ack role of the host's display server
 * may hold back: old buffers are unpinned only once nothing shows them.
 * Heads are switched before planes so a flip lands on an enabled head.
 */
static void vplane_drm_commit_tail(struct vplane_drm_atomic *state)
{
	struct drm_device *dev = state->dev;

	drm_atomic_helper_commit_modeset_disables(dev, state);
	drm_atomic_helper_commit_modeset_enables(dev, state);
	drm_atomic_helper_commit_planes(dev, state,
					DRM_PLANE_COMMIT_ACTIVE_ONLY);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(dev, state);
	drm_atomic_helper_cleanup_planes(dev, state);
}

static const struct drm_mode_config_helper_funcs vplane_drm_mode_helpers = {
	.atomic_commit_tail = vplane_drm_commit_tail,
};

static const struct drm_mode_config_funcs vplane_drm_mode_funcs = {
	.fb_create = drm_gem_fb_create,
	.mode_valid = drm_vram_helper_mode_valid,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int vplane_drm_kms_init(struct vplane_drm *vdrm)
{
	struct drm_device *dev = &vdrm->drm;
	unsigned int h;
	int ret;

	ret = drmm_mode_config_init(dev);
	if (ret)
		return ret;
	dev->mode_config.min_width = 1;
	dev->mode_config.min_height = 1;
	dev->mode_config.max_width = vdrm->max_width;
	dev->mode_config.max_height = vdrm->max_height;
	dev->mode_config.cursor_width = vdrm->cursor_max;
	dev->mode_config.cursor_height = vdrm->cursor_max;
	dev->mode_config.preferred_depth = 24;
	dev->mode_config.funcs = &vplane_drm_mode_funcs;
	dev->mode_config.helper_private = &vplane_drm_mode_helpers;

	for (h = 0; h < vdrm->num_heads; h++) {
		ret = vplane_drm_head_init(vdrm, h);
		if (ret)
			return ret;
	}
	ret = drm_vblank_init(dev, vdrm->num_heads);
	if (ret)
		return ret;
	drm_mode_config_reset(dev);
	return 0;
}
