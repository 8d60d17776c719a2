// SPDX-License-Identifier: MIT
#include "monotonic.h"
#include "kms_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>

#define LOG_ERR(...)                                            \
	do {                                                    \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                   \
		fputc('\n', stderr);                            \
	} while (0)

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props;
	uint32_t id = 0;

	props = drmModeObjectGetProperties(fd, obj, type);
	if (!props)
		return 0;
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && strcmp(p->name, name) == 0)
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static bool prop_value(int fd, uint32_t obj, uint32_t type, const char *name,
		       uint64_t *value)
{
	drmModeObjectProperties *props;
	bool found = false;

	props = drmModeObjectGetProperties(fd, obj, type);
	if (!props)
		return false;
	for (uint32_t i = 0; i < props->count_props && !found; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && strcmp(p->name, name) == 0) {
			*value = props->prop_values[i];
			found = true;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return found;
}

static bool pick_output(struct kms_dev *dev, bool preferred)
{
	drmModeRes *res = drmModeGetResources(dev->fd);
	drmModeConnector *conn = NULL;
	bool ok = false;

	if (!res) {
		LOG_ERR("drmModeGetResources: %s", strerror(errno));
		return false;
	}
	for (int i = 0; i < res->count_connectors && !conn; i++) {
		conn = drmModeGetConnector(dev->fd, res->connectors[i]);
		if (conn &&
		    (conn->connection != DRM_MODE_CONNECTED ||
		     conn->count_modes == 0 ||
		     conn->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)) {
			drmModeFreeConnector(conn);
			conn = NULL;
		}
	}
	if (!conn || res->count_crtcs < 1) {
		LOG_ERR("no connected connector with modes");
		goto out;
	}
	dev->connector_id = conn->connector_id;
	/* vkms has one CRTC that every encoder can drive. */
	dev->crtc_id = res->crtcs[0];
	dev->crtc_index = 0;
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < conn->count_modes; i++) {
		const drmModeModeInfo *m = &conn->modes[i];
		uint64_t px = (uint64_t)m->hdisplay * m->vdisplay;

		if (preferred) {
			/* the mode a compositor starts with */
			if (m->type & DRM_MODE_TYPE_PREFERRED) {
				best = px;
				dev->mode = *m;
				break;
			}
		} else if (m->hdisplay >= 640 && m->vdisplay >= 480 &&
			   px < best) {
			best = px;
			dev->mode = *m;
		}
	}
	ok = best != UINT64_MAX;
	if (!ok)
		LOG_ERR(preferred ? "no preferred mode"
				  : "no mode of at least 640x480");
out:
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	return ok;
}

static bool pick_planes(struct kms_dev *dev)
{
	drmModePlaneRes *pres = drmModeGetPlaneResources(dev->fd);

	if (!pres) {
		LOG_ERR("drmModeGetPlaneResources: %s", strerror(errno));
		return false;
	}
	for (uint32_t i = 0; i < pres->count_planes; i++) {
		drmModePlane *pl = drmModeGetPlane(dev->fd, pres->planes[i]);
		uint64_t type;

		if (!pl)
			continue;
		if ((pl->possible_crtcs & (1u << dev->crtc_index)) &&
		    prop_value(dev->fd, pl->plane_id, DRM_MODE_OBJECT_PLANE,
			       "type", &type)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !dev->primary_id)
				dev->primary_id = pl->plane_id;
			if (type == DRM_PLANE_TYPE_OVERLAY && !dev->overlay_id)
				dev->overlay_id = pl->plane_id;
		}
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(pres);
	if (!dev->primary_id)
		LOG_ERR("no primary plane");
	return dev->primary_id != 0;
}

static bool lookup_props(struct kms_dev *dev)
{
	struct kms_props *p = &dev->props;
	int fd = dev->fd;
	uint32_t pl = dev->primary_id;

	p->conn_crtc_id = prop_id(fd, dev->connector_id,
				  DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
	p->crtc_mode_id =
		prop_id(fd, dev->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID");
	p->crtc_active =
		prop_id(fd, dev->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	/* Plane property ids are global per name in the DRM core. */
	p->fb_id = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "FB_ID");
	p->crtc_id = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "CRTC_ID");
	p->src_x = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "SRC_X");
	p->src_y = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "SRC_Y");
	p->src_w = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "SRC_W");
	p->src_h = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "SRC_H");
	p->crtc_x = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "CRTC_X");
	p->crtc_y = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "CRTC_Y");
	p->crtc_w = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "CRTC_W");
	p->crtc_h = prop_id(fd, pl, DRM_MODE_OBJECT_PLANE, "CRTC_H");
	if (!p->conn_crtc_id || !p->crtc_mode_id || !p->crtc_active ||
	    !p->fb_id || !p->crtc_id || !p->src_x || !p->src_h || !p->crtc_x ||
	    !p->crtc_h) {
		LOG_ERR("a required atomic property is missing");
		return false;
	}
	return true;
}

static bool open_driver(struct kms_dev *dev, const char *driver, bool preferred)
{
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	dev->crc_fd = -1;
	for (int i = 0; i < 16 && dev->fd < 0; i++) {
		drmVersion *ver;
		int fd;

		snprintf(dev->path, sizeof(dev->path), "/dev/dri/card%d", i);
		fd = open(dev->path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		ver = drmGetVersion(fd);
		if (ver && strcmp(ver->name, driver) == 0)
			dev->fd = fd;
		else
			close(fd);
		drmFreeVersion(ver);
	}
	if (dev->fd < 0) {
		LOG_ERR("no /dev/dri/card* is driven by %s", driver);
		return false;
	}
	struct stat st;

	if (fstat(dev->fd, &st) == 0)
		dev->minor = minor(st.st_rdev);
	if (drmSetClientCap(dev->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(dev->fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		LOG_ERR("%s: no atomic modesetting: %s", dev->path,
			strerror(errno));
		goto err_close;
	}
	if (!pick_output(dev, preferred) || !pick_planes(dev) ||
	    !lookup_props(dev))
		goto err_close;
	if (drmModeCreatePropertyBlob(dev->fd, &dev->mode, sizeof(dev->mode),
				      &dev->mode_blob)) {
		LOG_ERR("mode blob: %s", strerror(errno));
		goto err_close;
	}
	return true;

err_close:
	close(dev->fd);
	dev->fd = -1;
	return false;
}

bool kms_open_driver(struct kms_dev *dev, const char *driver)
{
	return open_driver(dev, driver, false);
}

bool kms_open_driver_preferred(struct kms_dev *dev, const char *driver)
{
	return open_driver(dev, driver, true);
}

void kms_close(struct kms_dev *dev)
{
	kms_crc_stop(dev);
	if (dev->fd >= 0) {
		if (dev->mode_blob)
			drmModeDestroyPropertyBlob(dev->fd, dev->mode_blob);
		close(dev->fd);
	}
	dev->fd = -1;
}

bool kms_dumb_create(struct kms_dev *dev, struct kms_dumb *fb, uint32_t width,
		     uint32_t height)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t offset;
	void *map;

	memset(fb, 0, sizeof(*fb));
	if (drmModeCreateDumbBuffer(dev->fd, width, height, 32, 0, &fb->handle,
				    &fb->pitch, &fb->size)) {
		LOG_ERR("create dumb %ux%u: %s", width, height,
			strerror(errno));
		return false;
	}
	fb->width = width;
	fb->height = height;
	handles[0] = fb->handle;
	pitches[0] = fb->pitch;
	if (drmModeAddFB2(dev->fd, width, height, DRM_FORMAT_XRGB8888, handles,
			  pitches, offsets, &fb->fb_id, 0)) {
		LOG_ERR("addfb2: %s", strerror(errno));
		goto err_destroy;
	}
	if (drmModeMapDumbBuffer(dev->fd, fb->handle, &offset)) {
		LOG_ERR("map dumb: %s", strerror(errno));
		goto err_rmfb;
	}
	map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		   (off_t)offset);
	if (map == MAP_FAILED) {
		LOG_ERR("mmap dumb: %s", strerror(errno));
		goto err_rmfb;
	}
	fb->map = map;
	return true;

err_rmfb:
	drmModeRmFB(dev->fd, fb->fb_id);
err_destroy:
	drmModeDestroyDumbBuffer(dev->fd, fb->handle);
	return false;
}

void kms_dumb_destroy(struct kms_dev *dev, struct kms_dumb *fb)
{
	if (fb->map)
		munmap(fb->map, fb->size);
	if (fb->fb_id)
		drmModeRmFB(dev->fd, fb->fb_id);
	if (fb->handle)
		drmModeDestroyDumbBuffer(dev->fd, fb->handle);
	memset(fb, 0, sizeof(*fb));
}

static void plane_props(drmModeAtomicReq *req, const struct kms_props *p,
			uint32_t plane, uint32_t crtc, uint32_t fb, uint32_t w,
			uint32_t h, int32_t x, int32_t y)
{
	drmModeAtomicAddProperty(req, plane, p->fb_id, fb);
	drmModeAtomicAddProperty(req, plane, p->crtc_id, fb ? crtc : 0);
	drmModeAtomicAddProperty(req, plane, p->src_x, 0);
	drmModeAtomicAddProperty(req, plane, p->src_y, 0);
	drmModeAtomicAddProperty(req, plane, p->src_w, (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, plane, p->src_h, (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, plane, p->crtc_x, (uint64_t)(int64_t)x);
	drmModeAtomicAddProperty(req, plane, p->crtc_y, (uint64_t)(int64_t)y);
	drmModeAtomicAddProperty(req, plane, p->crtc_w, w);
	drmModeAtomicAddProperty(req, plane, p->crtc_h, h);
}

bool kms_show_fb(struct kms_dev *dev, uint32_t fb_id, uint32_t width,
		 uint32_t height, const struct kms_dumb *overlay, int32_t x,
		 int32_t y)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	const struct kms_props *p = &dev->props;
	int ret;

	if (!req)
		return false;
	drmModeAtomicAddProperty(req, dev->connector_id, p->conn_crtc_id,
				 dev->crtc_id);
	drmModeAtomicAddProperty(req, dev->crtc_id, p->crtc_mode_id,
				 dev->mode_blob);
	drmModeAtomicAddProperty(req, dev->crtc_id, p->crtc_active, 1);
	plane_props(req, p, dev->primary_id, dev->crtc_id, fb_id, width, height,
		    0, 0);
	if (dev->overlay_id) {
		if (overlay)
			plane_props(req, p, dev->overlay_id, dev->crtc_id,
				    overlay->fb_id, overlay->width,
				    overlay->height, x, y);
		else
			plane_props(req, p, dev->overlay_id, dev->crtc_id, 0, 0,
				    0, 0, 0);
	}
	ret = drmModeAtomicCommit(dev->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET,
				  NULL);
	drmModeAtomicFree(req);
	if (ret) {
		LOG_ERR("atomic commit: %s", strerror(errno));
		return false;
	}
	return true;
}

bool kms_show(struct kms_dev *dev, const struct kms_dumb *primary,
	      const struct kms_dumb *overlay, int32_t x, int32_t y)
{
	return kms_show_fb(dev, primary->fb_id, primary->width, primary->height,
			   overlay, x, y);
}

bool kms_crc_start(struct kms_dev *dev)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/%u/crtc-%d/crc/control", dev->minor,
		 dev->crtc_index);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "auto", 4) != 4) {
		LOG_ERR("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

void kms_crc_stop(struct kms_dev *dev)
{
	if (dev->crc_fd >= 0)
		close(dev->crc_fd);
	dev->crc_fd = -1;
}

/* One "frame crc" line; 0 on success, -EAGAIN when none is queued. */
static int crc_read(int fd, uint32_t *crc)
{
	char line[64];
	unsigned int frame, value;
	ssize_t n = read(fd, line, sizeof(line) - 1);

	if (n < 0)
		return -errno;
	line[n] = '\0';
	/* The frame counter reads "XXXXXXXXXX" when the driver has none. */
	if (sscanf(line, "%x %x", &frame, &value) != 2 &&
	    sscanf(line, "%*s %x", &value) != 1)
		return -EINVAL;
	*crc = value;
	return 0;
}

bool kms_crc_stable(struct kms_dev *dev, uint32_t *crc)
{
	double deadline = (monotonic_ns() / 1e9) + 5.0;
	uint32_t last = 0, value;
	int same = 0, ret;
	char path[128];

	/*
	 * Opening crc/data starts a capture and closing it ends one: capture
	 * only while measuring, so a slow (debug) kernel between two
	 * measurements cannot overflow the kernel's CRC queue (EIO).
	 */
	kms_crc_stop(dev);
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/%u/crtc-%d/crc/data", dev->minor,
		 dev->crtc_index);
	dev->crc_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (dev->crc_fd < 0) {
		LOG_ERR("%s: %s", path, strerror(errno));
		return false;
	}
	/* Drop the first frames: they may predate the last commit. */
	for (int skip = 0; skip < 2 && (monotonic_ns() / 1e9) < deadline;) {
		struct pollfd pfd = { .fd = dev->crc_fd, .events = POLLIN };

		if (poll(&pfd, 1, 500) > 0 &&
		    crc_read(dev->crc_fd, &value) == 0)
			skip++;
	}
	while ((monotonic_ns() / 1e9) < deadline) {
		struct pollfd pfd = { .fd = dev->crc_fd, .events = POLLIN };

		if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
			break;
		ret = crc_read(dev->crc_fd, &value);
		if (ret == -EAGAIN)
			continue;
		if (ret) {
			LOG_ERR("crc read: %s", strerror(-ret));
			return false;
		}
		same = (same && value == last) ? same + 1 : 1;
		last = value;
		if (same == 3) {
			*crc = value;
			kms_crc_stop(dev);
			return true;
		}
	}
	LOG_ERR("no three equal CRCs within 5 s");
	kms_crc_stop(dev);
	return false;
}
