/* SPDX-License-Identifier: MIT */
/*
 * vplaned's configuration: command line, optionally a config file.
 *
 * Config file (--config FILE), one setting a line (any length), '#'
 * comments; a setting given twice in a file is refused (file:line), but
 * vgpu, vgpu-path and record, which add one each; a vGPU given twice (by
 * UUID, by path, or both, in files or options) is refused:
 *   vgpu <uuid>                 a vGPU display node (/dev/vplane/<uuid>)
 *   vgpu-path <path>            a display node by path
 *   backend headless|drm|wayland|auto
 *   socket <name>               the Wayland socket name
 *   all-vgpus yes|no            show every vGPU, present and future
 *   vfio-socket <path>          accept VFIO device fds of upstream-only
 *                               vGPUs (mbochs, GVT-g) from VMMs here
 *   seat-focus pointer|click    the kiosk's keyboard focus follows the
 *                               pointer (default) or a click (seat.h)
 *   seat-release <combo>        the kiosk's "release" and "next head"
 *   seat-next <combo>           combinations (seat_combo.h; defaults
 *                               ctrl+alt+shift+Escape, ctrl+alt+shift+n)
 *   input-control first|last    who controls a head's input when two
 *                               sources want it (input.h; default first)
 * and the streaming settings of config_stream.h.
 * Command-line options given after --config override scalar settings;
 * vGPUs from both are used.
 */
#ifndef VPD_CONFIG_H
#define VPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "seat_combo.h"

enum vpd_backend_kind {
	VPD_BACKEND_AUTO,
	VPD_BACKEND_HEADLESS,
	VPD_BACKEND_DRM,
	VPD_BACKEND_WAYLAND,
};

struct vpd_config_vgpu {
	char *uuid;  /* NULL when given by path */
	char *path;  /* NULL when given by uuid */
	char *node;  /* owned: the display node's path either way */
	char *where; /* owned: "FILE:LINE" or the option, for messages */
};

struct vpd_config {
	enum vpd_backend_kind backend;
	struct vpd_config_vgpu *vgpus; /* owned */
	size_t nr_vgpus;
	char *socket;	   /* owned; NULL: wl_display_add_socket_auto */
	bool all_vgpus;	   /* watch /dev/vplane: every vGPU gets shown */
	char *vfio_socket; /* owned; NULL: none (see vfio_socket.h) */
	/* input-control last: the newest input origin takes a head over
	 * (input.h VPD_INPUT_POLICY_LAST); false: the first keeps it */
	bool input_control_last;
	/* streaming: see config_stream.h */
	bool stream;
	char *rtsp_address;	/* owned; NULL: 127.0.0.1 */
	unsigned int rtsp_port; /* 0: 8554 */
	char *rtsp_credentials; /* owned */
	bool rtsp_no_auth;
	/* owned; NULL: plain RTSP */
	char *rtsp_tls_cert, *rtsp_tls_key;
	bool webrtc;		  /* serve the WebRTC viewer too */
	char *webrtc_address;	  /* owned; NULL: 127.0.0.1 */
	unsigned int webrtc_port; /* 0: 8080 */
	char *webrtc_token_file;  /* owned */
	char *stream_encoder;	  /* owned; NULL: the first that works */
	bool stream_chroma444;
	unsigned int stream_ack_hold_ms; /* 0: the default */
	char *stream_record[8];		 /* owned "<vgpu>/<head>=FILE" */
	unsigned int nr_stream_record;
	char *record_dir; /* owned; NULL: nothing is recorded */
	/* 0: the defaults of recording.h */
	unsigned int record_max_mb, record_max_files, record_max_seconds;
	/* the kiosk's seat (seat.h) */
	bool seat_click_focus;
	struct vpd_seat_combo seat_release, seat_next;
	bool verbose;
	bool help;
};

/*
 * Fill @config (borrowed, initialised here) from @argv. False after
 * printing a one-line reason to stderr (bad option, unreadable config
 * file). --help sets config->help.
 */
bool vpd_config_parse(struct vpd_config *config, int argc, char **argv);

void vpd_config_finish(struct vpd_config *config);

void vpd_config_print_usage(FILE *f);

const char *vpd_backend_kind_name(enum vpd_backend_kind kind);

#endif /* VPD_CONFIG_H */
