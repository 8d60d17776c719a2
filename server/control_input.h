/* SPDX-License-Identifier: MIT */
/*
 * zvplane_input_v1 (control protocol version 6): a control client's
 * input origin for one head, vplanectl's key, type, click, move and
 * wheel. Each object is one origin of the input core (input.h); its
 * requests become vpd_input_send() calls, a refusal the refused event.
 * The control socket's access rule (control.h: the socket's owner and
 * group) decides who may create one.
 */
#ifndef VPD_CONTROL_INPUT_H
#define VPD_CONTROL_INPUT_H

#include <stdint.h>

#include <wayland-server-core.h>

struct vpd_head;
struct vpd_input;

/*
 * Create the zvplane_input_v1 object @id of @client at @version for
 * @head (borrowed; NULL if the client's head object was removed: every
 * request is then refused with no_head). Posts no_memory on failure.
 */
void vpd_control_input_create(struct vpd_input *input, struct wl_client *client,
			      uint32_t version, uint32_t id,
			      struct vpd_head *head);

#endif /* VPD_CONTROL_INPUT_H */
