/* SPDX-License-Identifier: MIT */
/*
 * vplanectl's view of vplaned through zvplane_manager_v1: the vGPUs and
 * heads as of the last done event.
 */
#ifndef VPCTL_CLIENT_H
#define VPCTL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-client.h>

#include "args.h"

struct vpctl_head {
	struct vpctl_vgpu *vgpu;
	struct zvplane_head_v1 *proxy;
	uint32_t index;
	uint32_t width, height, refresh_mhz;
	uint32_t format;
	bool enabled, gone, removed;
	bool shown;
	char output[64];
	int32_t x, y;
	double scale;
	struct wl_list link; /* vpctl_vgpu.heads */
};

struct vpctl_vgpu {
	struct zvplane_vgpu_v1 *proxy;
	char name[VPCTL_NAME_MAX];
	char type[32];
	uint32_t kind;
	bool removed;
	struct wl_list heads; /* vpctl_head.link, in index order */
	struct wl_list link;  /* vpctl_client.vgpus */
};

struct vpctl_client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct zvplane_manager_v1 *manager;
	bool done;	      /* the first done arrived */
	struct wl_list vgpus; /* vpctl_vgpu.link */
};

/*
 * Connect to @path (borrowed), bind the manager and wait for the state.
 * False after printing a clear reason to stderr.
 */
bool vpctl_client_connect(struct vpctl_client *client, const char *path);

void vpctl_client_finish(struct vpctl_client *client);

/* The head @index of the vGPU named @name or with the unique prefix
 * @name; NULL after printing why to stderr. */
struct vpctl_head *vpctl_client_find_head(struct vpctl_client *client,
					  const char *name, uint32_t index);

/* One round of events (blocking); false after printing why when the
 * connection is lost. */
bool vpctl_client_dispatch(struct vpctl_client *client);

#endif /* VPCTL_CLIENT_H */
