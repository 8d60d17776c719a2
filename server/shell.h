/* SPDX-License-Identifier: MIT */
/*
 * Minimal xdg-shell: a client's toplevel is drawn at the top-left of
 * every output, over the vGPU head, while it is mapped (which turns
 * direct scanout off for that time). No input, no window management.
 */
#ifndef VP_SHELL_H
#define VP_SHELL_H

#include <stdbool.h>
#include <time.h>

struct vp_server;
struct vp_shell;
struct wlr_output;
struct wlr_renderer;

struct vp_shell *vp_shell_create(struct vp_server *server);
void vp_shell_destroy(struct vp_shell *shell);

/* True while a client window is mapped. NULL shell: false. */
bool vp_shell_has_views(const struct vp_shell *shell);

/* Draw the mapped windows with @renderer (between begin and end) using
 * the projection @proj, and send their frame-done at @now. */
void vp_shell_render(struct vp_shell *shell, struct wlr_output *output,
		     struct wlr_renderer *renderer, const float proj[9],
		     const struct timespec *now);

#endif /* VP_SHELL_H */
