/* SPDX-License-Identifier: MIT */
/*
 * Layout changes an operator asks for (the control protocol): put a
 * vGPU head on a named output at a position and scale, or take it off.
 * They take effect the way the configured layout does: through
 * vp_output_set_source() (the output commits at its next frame) and the
 * output layout. A head taken off by the operator is "held": vplaned no
 * longer gives it an output on its own (a new headless output does not
 * pick it up) until it is attached again.
 */
#ifndef VP_LAYOUT_H
#define VP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vp_server;
struct vp_source;
struct vp_output;

/* Limits of what vp_layout_attach() accepts. */
#define VP_LAYOUT_MAX_COORD 1048576
#define VP_LAYOUT_MAX_SCALE 16.0

enum vp_layout_error {
	VP_LAYOUT_OK,
	VP_LAYOUT_NO_SUCH_OUTPUT,
	VP_LAYOUT_INVALID_SCALE,
	VP_LAYOUT_INVALID_POSITION,
	VP_LAYOUT_OUTPUT_FAILED,
};

/* The output named @name (borrowed), or NULL. */
struct vp_output *vp_layout_find_output(struct vp_server *server,
					const char *name);

/*
 * Show @source on the output named @output_name at @x, @y of the output
 * layout with @scale. A head the output showed is detached (held); the
 * output that showed @source before shows black. On failure nothing
 * changes and @msg (of @msg_size bytes) says why in words.
 */
enum vp_layout_error vp_layout_attach(struct vp_server *server,
				      struct vp_source *source,
				      const char *output_name, int32_t x,
				      int32_t y, double scale, char *msg,
				      size_t msg_size);

/* Take @source off its output (which shows black) and hold it. */
void vp_layout_detach(struct vp_server *server, struct vp_source *source);

#endif /* VP_LAYOUT_H */
