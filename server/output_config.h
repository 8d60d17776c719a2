/* SPDX-License-Identifier: MIT */
/*
 * wlr-output-management (zwlr_output_manager_v1) for tools such as
 * wlr-randr and kanshi: outputs' modes, positions, scales and enabled
 * state are listed, tested and applied. Only control-socket clients see
 * it (control.h): run them with WAYLAND_DISPLAY=<socket>-control.
 *
 * A headless output showing a vGPU head follows the guest's mode, so a
 * different mode for it is refused (detach the head first, see
 * layout.h); positions and scales are free. Disabling an output takes
 * its head off (held). Transforms other than normal are refused: the
 * composited path draws untransformed.
 */
#ifndef VPD_OUTPUT_CONFIG_H
#define VPD_OUTPUT_CONFIG_H

struct vpd_server;
struct vpd_control;
struct vpd_output_config;

/* NULL after logging why. */
struct vpd_output_config *vpd_output_config_create(struct vpd_server *server,
						   struct vpd_control *control);

/* NULL is a no-op. The global itself lives until the display goes. */
void vpd_output_config_destroy(struct vpd_output_config *oc);

#endif /* VPD_OUTPUT_CONFIG_H */
