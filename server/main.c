// SPDX-License-Identifier: MIT
/*
 * vplaned: a wlroots compositor that shows vplane vGPU heads on outputs
 * (DRM kiosk with direct scanout, or headless for a VDI host) without
 * copying pixels. Each file's header comment says what it owns.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "log_sink.h"
#include "config.h"
#include "log_bridge.h"
#include "server.h"

static int handle_signal(int signal, void *data)
{
	struct vpd_server *server = data;

	log_info("signal %d: shutting down", signal);
	wl_display_terminate(server->display);
	return 0;
}

int main(int argc, char **argv)
{
	struct wl_event_source *sigterm, *sigint;
	struct vpd_config config;
	struct vpd_server server;
	struct wl_event_loop *loop;
	int ret = 1;

	if (!vpd_config_parse(&config, argc, argv)) {
		vpd_config_finish(&config);
		return 2;
	}
	if (config.help) {
		vpd_config_print_usage(stdout);
		vpd_config_finish(&config);
		return 0;
	}
	vpd_log_bridge_init(config.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	/* a viewer or client that goes away mid-write must cost its own
	 * connection, never the server: GSocket and libwayland send with
	 * MSG_NOSIGNAL, but not every library vplaned loads promises to */
	signal(SIGPIPE, SIG_IGN);

	if (!vpd_server_init(&server, &config))
		goto out_config;
	loop = wl_display_get_event_loop(server.display);
	sigterm =
		wl_event_loop_add_signal(loop, SIGTERM, handle_signal, &server);
	sigint = wl_event_loop_add_signal(loop, SIGINT, handle_signal, &server);
	if (!vpd_server_start(&server))
		goto out_server;

	setenv("WAYLAND_DISPLAY", server.socket, 1);
	log_info("vplaned: listening on WAYLAND_DISPLAY=%s (%s backend)",
		 server.socket, vpd_backend_kind_name(config.backend));
	wl_display_run(server.display);
	ret = 0;

out_server:
	if (sigint)
		wl_event_source_remove(sigint);
	if (sigterm)
		wl_event_source_remove(sigterm);
	vpd_server_finish(&server);
out_config:
	vpd_config_finish(&config);
	return ret;
}
