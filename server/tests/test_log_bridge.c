// SPDX-License-Identifier: MIT
/*
 * vpd_log_bridge_init(): wlroots' lines (vplaned's wlr_log() calls and
 * libwayland-server's, which wlroots forwards) and libvplane's reach the
 * one sink with their levels mapped, under the sink's threshold, and
 * wlroots reports that threshold back. The real wlroots, libwayland and
 * libvplane log here; fd 2 is swapped for a memfd to read the lines.
 */
#include <stdlib.h>

#include <vplane/display.h>
#include <wayland-server-core.h>

#include "log_sink.h"
#include "../libvplane/tests/check.h"
#include "../../log/tests/capture.h"
#include "log_bridge.h"

static void test_level_maps(void)
{
	CHECK(vpd_log_level_from_wlr(WLR_SILENT) == LOG_LEVEL_SILENT);
	CHECK(vpd_log_level_from_wlr(WLR_ERROR) == LOG_LEVEL_ERROR);
	CHECK(vpd_log_level_from_wlr(WLR_INFO) == LOG_LEVEL_INFO);
	CHECK(vpd_log_level_from_wlr(WLR_DEBUG) == LOG_LEVEL_DEBUG);
	CHECK(vpd_log_level_from_wlr(WLR_LOG_IMPORTANCE_LAST) ==
	      LOG_LEVEL_DEBUG);
	CHECK(vpd_log_level_to_wlr(LOG_LEVEL_SILENT) == WLR_SILENT);
	CHECK(vpd_log_level_to_wlr(LOG_LEVEL_ERROR) == WLR_ERROR);
	CHECK(vpd_log_level_to_wlr(LOG_LEVEL_INFO) == WLR_INFO);
	CHECK(vpd_log_level_to_wlr(LOG_LEVEL_DEBUG) == WLR_DEBUG);
	CHECK(vpd_log_level_from_vplane(VP_LOG_SILENT) == LOG_LEVEL_SILENT);
	CHECK(vpd_log_level_from_vplane(VP_LOG_ERROR) == LOG_LEVEL_ERROR);
	CHECK(vpd_log_level_from_vplane(VP_LOG_INFO) == LOG_LEVEL_INFO);
	CHECK(vpd_log_level_from_vplane(VP_LOG_DEBUG) == LOG_LEVEL_DEBUG);
	CHECK(vpd_log_level_from_vplane((enum vp_log_importance)9) ==
	      LOG_LEVEL_DEBUG);
	CHECK(vpd_log_level_to_vplane(LOG_LEVEL_SILENT) == VP_LOG_SILENT);
	CHECK(vpd_log_level_to_vplane(LOG_LEVEL_ERROR) == VP_LOG_ERROR);
	CHECK(vpd_log_level_to_vplane(LOG_LEVEL_INFO) == VP_LOG_INFO);
	CHECK(vpd_log_level_to_vplane(LOG_LEVEL_DEBUG) == VP_LOG_DEBUG);
}

/* libwayland-server's complaint, which wlroots forwards at info level */
static void wayland_complains(void)
{
	struct wl_display *display = wl_display_create();

	CHECK(display != NULL);
	unsetenv("XDG_RUNTIME_DIR");
	CHECK(wl_display_add_socket(display, "vp-log-test") < 0);
	wl_display_destroy(display);
}

static void test_routes(void)
{
	char *out;

	vpd_log_bridge_init(LOG_LEVEL_INFO);
	CHECK(wlr_log_get_verbosity() == WLR_INFO);
	capture_begin();
	log_error("e %d", 1);
	log_info("i");
	log_debug("not at info");
	CHECK(vp_display_create_from_path("/nonexistent/vplane-log-test") ==
	      NULL);
	wayland_complains();
	out = capture_end();
	CHECK(matches(out, "^" TIME_RE "\\[ERROR\\] \\[[^]]*test_log_bridge\\."
			   "c:[0-9]+\\] e 1\n" TIME_RE
			   "\\[INFO\\] \\[[^]]*test_log_bridge\\.c:[0-9]+\\] "
			   "i\n" TIME_RE "\\[ERROR\\] \\[display\\.c:[0-9]+\\] "
			   "[^\n]*vplane-log-test[^\n]*\n" TIME_RE
			   "\\[INFO\\] \\[wayland\\] [^\n]*XDG_RUNTIME_DIR[^"
			   "\n]*\n$"));
	free(out);

	vpd_log_bridge_init(LOG_LEVEL_DEBUG);
	CHECK(wlr_log_get_verbosity() == WLR_DEBUG);
	capture_begin();
	log_debug("d");
	out = capture_end();
	CHECK(matches(out, "^" TIME_RE "\\[DEBUG\\] \\[[^]]*test_log_bridge\\."
			   "c:[0-9]+\\] d\n$"));
	free(out);

	/* errors only: wlroots' and libwayland's info is dropped too */
	vpd_log_bridge_init(LOG_LEVEL_ERROR);
	CHECK(wlr_log_get_verbosity() == WLR_ERROR);
	capture_begin();
	log_info("not at error");
	wayland_complains();
	CHECK(vp_display_create_from_path("/nonexistent/vplane-log-test") ==
	      NULL);
	out = capture_end();
	CHECK(matches(out, "^" TIME_RE "\\[ERROR\\] \\[display\\.c:[0-9]+\\] "
			   "[^\n]*vplane-log-test[^\n]*\n$"));
	free(out);

	vpd_log_bridge_init(LOG_LEVEL_SILENT);
	capture_begin();
	log_error("silent");
	CHECK(vp_display_create_from_path("/nonexistent/vplane-log-test") ==
	      NULL);
	out = capture_end();
	CHECK(!strcmp(out, ""));
	free(out);
}

int main(void)
{
	test_level_maps();
	test_routes();
	return check_result("log-bridge");
}
