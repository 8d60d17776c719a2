// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

#include "output.h"
#include "server.h"
#include "shell.h"

struct vp_shell {
	struct vp_server *server;
	struct wlr_xdg_shell *xdg_shell;
	struct wl_list views; /* vp_view.link */
	size_t mapped;
	struct wl_listener new_surface;
};

struct vp_view {
	struct vp_shell *shell;
	struct wlr_xdg_surface *xdg_surface;
	bool mapped;
	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener commit;
	struct wl_listener destroy;
	struct wl_list link; /* vp_shell.views */
};

struct render_ctx {
	struct wlr_renderer *renderer;
	const float *proj;
	const struct timespec *now;
	struct wlr_output *output;
	struct wlr_presentation *presentation; /* may be NULL */
};

static void damage_all(struct vp_shell *shell)
{
	struct vp_output *output;

	wl_list_for_each(output, &shell->server->outputs, link)
		vp_output_damage(output);
}

static void handle_view_map(struct wl_listener *listener, void *data)
{
	struct vp_view *view = wl_container_of(listener, view, map);

	view->mapped = true;
	view->shell->mapped++;
	damage_all(view->shell);
}

static void handle_view_unmap(struct wl_listener *listener, void *data)
{
	struct vp_view *view = wl_container_of(listener, view, unmap);

	view->mapped = false;
	view->shell->mapped--;
	damage_all(view->shell);
}

static void handle_view_commit(struct wl_listener *listener, void *data)
{
	struct vp_view *view = wl_container_of(listener, view, commit);

	if (view->mapped)
		damage_all(view->shell);
}

static void handle_view_destroy(struct wl_listener *listener, void *data)
{
	struct vp_view *view = wl_container_of(listener, view, destroy);

	if (view->mapped)
		handle_view_unmap(&view->unmap, NULL);
	wl_list_remove(&view->map.link);
	wl_list_remove(&view->unmap.link);
	wl_list_remove(&view->commit.link);
	wl_list_remove(&view->destroy.link);
	wl_list_remove(&view->link);
	free(view);
}

static void handle_xdg_shell_new_surface(struct wl_listener *listener,
					 void *data)
{
	struct vp_shell *shell = wl_container_of(listener, shell, new_surface);
	struct wlr_xdg_surface *xdg_surface = data;
	struct vp_view *view;

	/* popups are drawn with their toplevel by for_each_surface */
	if (xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL)
		return;
	view = calloc(1, sizeof(*view));
	if (!view) {
		wlr_log_errno(WLR_ERROR, "calloc");
		return;
	}
	view->shell = shell;
	view->xdg_surface = xdg_surface;
	view->map.notify = handle_view_map;
	wl_signal_add(&xdg_surface->events.map, &view->map);
	view->unmap.notify = handle_view_unmap;
	wl_signal_add(&xdg_surface->events.unmap, &view->unmap);
	view->commit.notify = handle_view_commit;
	wl_signal_add(&xdg_surface->surface->events.commit, &view->commit);
	view->destroy.notify = handle_view_destroy;
	wl_signal_add(&xdg_surface->events.destroy, &view->destroy);
	wl_list_insert(shell->views.prev, &view->link);
}

static void render_surface(struct wlr_surface *surface, int sx, int sy,
			   void *data)
{
	struct render_ctx *ctx = data;
	struct wlr_texture *texture = wlr_surface_get_texture(surface);
	struct wlr_box box = {
		.x = sx,
		.y = sy,
		.width = surface->current.width,
		.height = surface->current.height,
	};
	float mat[9];

	if (texture) {
		wlr_matrix_project_box(mat, &box, surface->current.transform, 0,
				       ctx->proj);
		wlr_render_texture_with_matrix(ctx->renderer, texture, mat,
					       1.0f);
	}
	wlr_surface_send_frame_done(surface, ctx->now);
	/* presentation-time: feedback follows this output's present event */
	if (ctx->presentation)
		wlr_presentation_surface_sampled_on_output(
			ctx->presentation, surface, ctx->output);
}

void vp_shell_render(struct vp_shell *shell, struct wlr_output *output,
		     struct wlr_renderer *renderer, const float proj[9],
		     const struct timespec *now)
{
	struct render_ctx ctx = { renderer, proj, now, output,
				  shell ? shell->server->presentation : NULL };
	struct vp_view *view;

	if (!shell)
		return;
	wl_list_for_each(view, &shell->views, link) if (view->mapped)
		wlr_xdg_surface_for_each_surface(view->xdg_surface,
						 render_surface, &ctx);
}

bool vp_shell_has_views(const struct vp_shell *shell)
{
	return shell && shell->mapped > 0;
}

struct vp_shell *vp_shell_create(struct vp_server *server)
{
	struct vp_shell *shell = calloc(1, sizeof(*shell));

	if (!shell) {
		wlr_log_errno(WLR_ERROR, "calloc");
		return NULL;
	}
	shell->server = server;
	wl_list_init(&shell->views);
	shell->xdg_shell = wlr_xdg_shell_create(server->display);
	if (!shell->xdg_shell) {
		wlr_log(WLR_ERROR, "cannot create the xdg-shell global");
		free(shell);
		return NULL;
	}
	shell->new_surface.notify = handle_xdg_shell_new_surface;
	wl_signal_add(&shell->xdg_shell->events.new_surface,
		      &shell->new_surface);
	return shell;
}

/* The xdg_shell global lives until the display is destroyed; views go
 * with their clients. */
void vp_shell_destroy(struct vp_shell *shell)
{
	if (!shell)
		return;
	wl_list_remove(&shell->new_surface.link);
	free(shell);
}
