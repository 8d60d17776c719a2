/* SPDX-License-Identifier: MIT */
/*
 * Layout changes an operator asks for (the control protocol): put a
 * vGPU head on a named output at a position and scale, or take it off.
 * They take effect the way the configured layout does: through
 * vpd_output_set_head() (the output commits at its next frame) and the
 * output layout. A head taken off by the operator is "held": vplaned no
 * longer gives it an output on its own (a new headless output does not
 * pick it up) until it is attached again.
 */
#ifndef VPD_LAYOUT_H
#define VPD_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vpd_server;
struct vpd_head;
struct vpd_output;

/* Limits of what vpd_layout_attach() accepts. */
#define VPD_LAYOUT_MAX_COORD 1048576
#define VPD_LAYOUT_MAX_SCALE 16.0

enum vpd_layout_error {
	VPD_LAYOUT_OK,
	VPD_LAYOUT_NO_SUCH_OUTPUT,
	VPD_LAYOUT_INVALID_SCALE,
	VPD_LAYOUT_INVALID_POSITION,
	VPD_LAYOUT_OUTPUT_FAILED,
};

/* The output named @name (borrowed), or NULL. */
struct vpd_output *vpd_layout_find_output(struct vpd_server *server,
					  const char *name);

/*
 * Show @head on the output named @output_name at @x, @y of the output
 * layout with @scale. A head the output showed is detached (held); the
 * output that showed @head before shows black. On failure nothing
 * changes and @msg (of @msg_size bytes) says why in words.
 */
enum vpd_layout_error vpd_layout_attach(struct vpd_server *server,
					struct vpd_head *head,
					const char *output_name, int32_t x,
					int32_t y, double scale, char *msg,
					size_t msg_size);

/* Take @head off its output (which shows black) and hold it. */
void vpd_layout_detach(struct vpd_server *server, struct vpd_head *head);

#endif /* VPD_LAYOUT_H */
