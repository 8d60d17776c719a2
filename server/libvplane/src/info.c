// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "info.h"
#include "log.h"
#include "vplane/event.h"

static bool fail(void)
{
	errno = EPROTO;
	return false;
}

bool vp_info_check(const struct vplane_display_info *info)
{
	if (info->argsz < VP_INFO_V1_SIZE) {
		vp_log(VP_LOG_ERROR,
		       "display info: the driver filled %u bytes, version 1 "
		       "needs %zu",
		       info->argsz, VP_INFO_V1_SIZE);
		return fail();
	}
	if (info->api_version != VPLANE_DISPLAY_API_VERSION) {
		vp_log(VP_LOG_ERROR,
		       "display info: api_version %u, libvplane speaks %u",
		       info->api_version, VPLANE_DISPLAY_API_VERSION);
		return fail();
	}
	if (!vp_event_record_size_valid(info->event_size)) {
		vp_log(VP_LOG_ERROR,
		       "display info: event_size %u (need a multiple of 8 in "
		       "%zu..%u)",
		       info->event_size, sizeof(struct vplane_display_event),
		       VP_EVENT_RECORD_MAX);
		return fail();
	}
	if (info->nr_heads == 0) {
		vp_log(VP_LOG_ERROR, "display info: no heads");
		return fail();
	}
	if (!memchr(info->uuid, 0, sizeof(info->uuid)) ||
	    !memchr(info->type, 0, sizeof(info->type))) {
		vp_log(VP_LOG_ERROR,
		       "display info: uuid or type not NUL-terminated");
		return fail();
	}
	return true;
}
