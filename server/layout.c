// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/util/log.h>

#include "layout.h"
#include "output.h"
#include "server.h"
#include "source.h"

struct vp_output *vp_layout_find_output(struct vp_server *server,
					const char *name)
{
	struct vp_output *output;

	wl_list_for_each(output, &server->outputs, link) {
		if (!strcmp(output->wlr_output->name, name))
			return output;
	}
	return NULL;
}

/* "HEADLESS-1, HEADLESS-2" into @buf, for error messages. */
static void list_outputs(struct vp_server *server, char *buf, size_t size)
{
	struct vp_output *output;
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

enum vp_layout_error vp_layout_attach(struct vp_server *server,
				      struct vp_source *source,
				      const char *output_name, int32_t x,
				      int32_t y, double scale, char *msg,
				      size_t msg_size)
{
	struct vp_output *output;
	struct vp_source *shown;
	char names[256];

	if (!(scale > 0.0 && scale <= VP_LAYOUT_MAX_SCALE)) {
		snprintf(msg, msg_size, "scale %g is not in (0, %g]", scale,
			 VP_LAYOUT_MAX_SCALE);
		return VP_LAYOUT_INVALID_SCALE;
	}
	if (x < -VP_LAYOUT_MAX_COORD || x > VP_LAYOUT_MAX_COORD ||
	    y < -VP_LAYOUT_MAX_COORD || y > VP_LAYOUT_MAX_COORD) {
		snprintf(msg, msg_size, "position %d,%d is outside +-%d", x, y,
			 VP_LAYOUT_MAX_COORD);
		return VP_LAYOUT_INVALID_POSITION;
	}
	output = vp_layout_find_output(server, output_name);
	if (!output) {
		list_outputs(server, names, sizeof(names));
		snprintf(msg, msg_size, "no output named '%s' (outputs: %s)",
			 output_name, names);
		return VP_LAYOUT_NO_SUCH_OUTPUT;
	}
	if (!set_scale(output->wlr_output, scale)) {
		snprintf(msg, msg_size, "%s refused scale %g", output_name,
			 scale);
		return VP_LAYOUT_OUTPUT_FAILED;
	}

	shown = output->source;
	if (shown && shown != source)
		shown->held = true; /* the operator replaced it */
	if (source->output && source->output != output)
		vp_output_set_source(source->output, NULL);
	source->held = false;
	vp_output_set_source(output, source);
	/* moves it when it is in the layout already */
	wlr_output_layout_add(server->layout, output->wlr_output, x, y);
	wlr_log(WLR_INFO, "control: vGPU head %s on %s at %d,%d scale %g",
		source->name, output_name, x, y, scale);
	return VP_LAYOUT_OK;
}

void vp_layout_detach(struct vp_server *server, struct vp_source *source)
{
	source->held = true;
	if (!source->output)
		return;
	wlr_log(WLR_INFO, "control: vGPU head %s taken off %s", source->name,
		source->output->wlr_output->name);
	vp_output_set_source(source->output, NULL);
}
