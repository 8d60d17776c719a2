// SPDX-License-Identifier: MIT
/*
 * vp-wl-paint SECONDS: a Wayland client of vplaned's public socket (the
 * server.sh public-client test). Prints "global INTERFACE VERSION" for
 * every global it is offered, then tries to put pixels on the screen: a
 * 256x256 xdg_toplevel filled with magenta (#ff00ff) that it keeps
 * mapped for SECONDS ("mapped", exit 0). Without the globals a window
 * needs it says which is missing ("cannot map: no ...", exit 3).
 */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

#define SIZE	256
#define MAGENTA 0xffff00ffu /* ARGB8888 */

struct client {
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	bool configured;
};

static void handle_ping(void *data, struct xdg_wm_base *wm_base,
			uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = handle_ping,
};

static void handle_global(void *data, struct wl_registry *registry,
			  uint32_t name, const char *interface,
			  uint32_t version)
{
	struct client *c = data;

	printf("global %s %u\n", interface, version);
	if (!strcmp(interface, wl_compositor_interface.name))
		c->compositor = wl_registry_bind(registry, name,
						 &wl_compositor_interface, 1);
	else if (!strcmp(interface, wl_shm_interface.name))
		c->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	else if (!strcmp(interface, xdg_wm_base_interface.name)) {
		c->wm_base = wl_registry_bind(registry, name,
					      &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	}
}

static void handle_global_remove(void *data, struct wl_registry *registry,
				 uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

static void handle_surface_configure(void *data,
				     struct xdg_surface *xdg_surface,
				     uint32_t serial)
{
	struct client *c = data;

	xdg_surface_ack_configure(xdg_surface, serial);
	c->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = handle_surface_configure,
};

static struct wl_buffer *magenta_buffer(struct wl_shm *shm)
{
	size_t size = SIZE * SIZE * 4, i;
	int fd = memfd_create("vp-wl-paint", MFD_CLOEXEC);
	struct wl_shm_pool *pool;
	struct wl_buffer *buffer;
	uint32_t *px;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return NULL;
	px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		return NULL;
	for (i = 0; i < SIZE * SIZE; i++)
		px[i] = MAGENTA;
	munmap(px, size);
	pool = wl_shm_create_pool(shm, fd, (int32_t)size);
	buffer = wl_shm_pool_create_buffer(pool, 0, SIZE, SIZE, SIZE * 4,
					   WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return buffer;
}

int main(int argc, char **argv)
{
	struct client c = { 0 };
	struct wl_display *display = wl_display_connect(NULL);
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wl_buffer *buffer;
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	time_t end;

	if (!display) {
		fprintf(stderr, "cannot connect to the Wayland display\n");
		return 1;
	}
	wl_registry_add_listener(wl_display_get_registry(display),
				 &registry_listener, &c);
	wl_display_roundtrip(display);
	if (!c.compositor || !c.shm || !c.wm_base) {
		printf("cannot map: no %s\n", !c.compositor ? "wl_compositor"
					      : !c.shm	    ? "wl_shm"
							    : "xdg_wm_base");
		fflush(stdout);
		wl_display_disconnect(display);
		return 3;
	}
	surface = wl_compositor_create_surface(c.compositor);
	xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, surface);
	xdg_surface_add_listener(xdg_surface, &xdg_surface_listener, &c);
	toplevel = xdg_surface_get_toplevel(xdg_surface);
	xdg_toplevel_set_title(toplevel, "vp-wl-paint");
	wl_surface_commit(surface);
	while (!c.configured)
		if (wl_display_dispatch(display) < 0)
			return 1;
	buffer = magenta_buffer(c.shm);
	if (!buffer)
		return 1;
	wl_surface_attach(surface, buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, SIZE, SIZE);
	wl_surface_commit(surface);
	wl_display_roundtrip(display);
	printf("mapped\n");
	fflush(stdout);
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		struct pollfd p = { wl_display_get_fd(display), POLLIN, 0 };

		wl_display_flush(display);
		if (poll(&p, 1, 200) > 0 && wl_display_dispatch(display) < 0)
			return 1;
	}
	wl_display_disconnect(display);
	return 0;
}
