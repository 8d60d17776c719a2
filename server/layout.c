// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>

#include "log_sink.h"
#include "layout.h"
#include "output.h"
#include "server.h"
#include "head.h"

struct vpd_output *vpd_layout_find_output(struct vpd_server *server,
					  const char *name)
{
	struct vpd_output *output;

	wl_list_for_each(output, &server->outputs, link) {
		if (!strcmp(output->wlr_output->name, name))
			return output;
	}
	return NULL;
}

/* "HEADLESS-1, HEADLESS-2" into @buf, for error messages. */
static void list_outputs(struct vpd_server *server, char *buf, size_t size)
{
	struct vpd_output *output;
	size_t len = 0;

	buf[0] = 0;
	wl_list_for_each(output, &server->outputs, link) {
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 output->wlr_output->name);

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	if (!len)
		snprintf(buf, size, "none");
}

/* Commit a new scale on its own, so that it cannot be lost to the
 * rollback of a refused direct-scanout try in the next frame. */
static bool set_scale(struct wlr_output *wo, double scale)
{
	if (wo->scale == (float)scale)
		return true;
	wlr_output_set_scale(wo, (float)scale);
	if (wlr_output_commit(wo))
		return true;
	wlr_output_rollback(wo);
	return false;
}

enum vpd_layout_error vpd_layout_attach(struct vpd_server *server,
					struct vpd_head *head,
					const char *output_name, int32_t x,
					int32_t y, double scale, char *msg,
					size_t msg_size)
{
	struct vpd_output *output;
	struct vpd_head *shown;
	char names[256];

	if (!(scale > 0.0 && scale <= VPD_LAYOUT_MAX_SCALE)) {
		snprintf(msg, msg_size, "scale %g is not in (0, %g]", scale,
			 VPD_LAYOUT_MAX_SCALE);
		return VPD_LAYOUT_INVALID_SCALE;
	}
	if (x < -VPD_LAYOUT_MAX_COORD || x > VPD_LAYOUT_MAX_COORD ||
	    y < -VPD_LAYOUT_MAX_COORD || y > VPD_LAYOUT_MAX_COORD) {
		snprintf(msg, msg_size, "position %d,%d is outside +-%d", x, y,
			 VPD_LAYOUT_MAX_COORD);
		return VPD_LAYOUT_INVALID_POSITION;
	}
	output = vpd_layout_find_output(server, output_name);
	if (!output) {
		list_outputs(server, names, sizeof(names));
		snprintf(msg, msg_size, "no output named '%s' (outputs: %s)",
			 output_name, names);
		return VPD_LAYOUT_NO_SUCH_OUTPUT;
	}
	if (!set_scale(output->wlr_output, scale)) {
		snprintf(msg, msg_size, "%s refused scale %g", output_name,
			 scale);
		return VPD_LAYOUT_OUTPUT_FAILED;
	}

	shown = output->head;
	if (shown && shown != head)
		shown->held = true; /* the operator replaced it */
	if (head->output && head->output != output)
		vpd_output_set_head(head->output, NULL);
	head->held = false;
	vpd_output_set_head(output, head);
	/* moves it when it is in the layout already */
	wlr_output_layout_add(server->layout, output->wlr_output, x, y);
	log_info("control: vGPU head %s on %s at %d,%d scale %g", head->name,
		 output_name, x, y, scale);
	return VPD_LAYOUT_OK;
}

void vpd_layout_detach(struct vpd_server *server, struct vpd_head *head)
{
	head->held = true;
	if (!head->output)
		return;
	log_info("control: vGPU head %s taken off %s", head->name,
		 head->output->wlr_output->name);
	vpd_output_set_head(head->output, NULL);
}
