/* SPDX-License-Identifier: MIT */
/*
 * vplaned's streaming settings (issue 7), parsed for config.c:
 *
 *   command line               config file
 *   --stream                   stream yes|no      serve every head (RTSP)
 *   --rtsp-address ADDR        rtsp-address ADDR  default 127.0.0.1
 *   --rtsp-port N              rtsp-port N        default 8554
 *   --rtsp-credentials FILE    rtsp-credentials FILE  user:password lines,
 *                                                 mode 0600/0640
 *   --rtsp-no-auth             rtsp-auth no       anyone may watch
 *   --webrtc                   webrtc yes|no      also serve a WebRTC viewer
 *                                                 page (implies --stream)
 *   --webrtc-address ADDR      webrtc-address ADDR  default 127.0.0.1; also
 *                                                 the media (ICE) address
 *   --webrtc-port N            webrtc-port N      default 8080
 *   --webrtc-token-file FILE   webrtc-token-file FILE  the viewers' token,
 *                                                 mode 0600/0640
 *   --encoder NAME             encoder NAME       force one (still probed)
 *   --stream-chroma 420|444    stream-chroma ...  444: H.264 High 4:4:4
 *                                                 (x264 only; default 420)
 *   --stream-ack-hold-ms N     stream-ack-hold-ms N  the longest a flip's
 *                                                 ack waits for the encoder
 *                                                 to read the frame
 *                                                 (default 50; keep it below
 *                                                 vplane.ko's ack_timeout_ms)
 *   --record VGPU/HEAD=FILE    record VGPU/HEAD=FILE  record that head to a
 *                                                 Matroska file in the
 *                                                 record directory until
 *                                                 exit (repeatable, up to 8)
 *   --record-dir DIR           record-dir DIR     the only directory
 *                                                 recordings go to (new
 *                                                 files only); none: no
 *                                                 recording
 *   --record-max-mb N          record-max-mb N    bytes of all files in it
 *                                                 (default 4096)
 *   --record-max-files N       record-max-files N files in it (default 256)
 *   --record-max-seconds N     record-max-seconds N  one recording's length
 *                                                 (default 86400)
 */
#ifndef VPD_CONFIG_STREAM_H
#define VPD_CONFIG_STREAM_H

#include <stdbool.h>
#include <stdio.h>

struct vpd_config;

/* The default of stream-ack-hold-ms: below vplane.ko's default
 * ack_timeout_ms (100), so the driver does not time the flip out first. */
#define VPD_STREAM_ACK_HOLD_DEFAULT_MS 50

enum {
	VPD_OPT_STREAM = 0x100, /* past every short option */
	VPD_OPT_RTSP_ADDRESS,
	VPD_OPT_RTSP_PORT,
	VPD_OPT_RTSP_CREDENTIALS,
	VPD_OPT_RTSP_NO_AUTH,
	VPD_OPT_RTSP_TLS_CERT,
	VPD_OPT_RTSP_TLS_KEY,
	VPD_OPT_ENCODER,
	VPD_OPT_STREAM_CHROMA,
	VPD_OPT_STREAM_ACK_HOLD,
	VPD_OPT_RECORD,
	VPD_OPT_WEBRTC,
	VPD_OPT_WEBRTC_ADDRESS,
	VPD_OPT_WEBRTC_PORT,
	VPD_OPT_WEBRTC_TOKEN_FILE,
	VPD_OPT_RECORD_DIR,
	VPD_OPT_RECORD_MAX_MB,
	VPD_OPT_RECORD_MAX_FILES,
	VPD_OPT_RECORD_MAX_SECONDS,
	VPD_OPT_STREAM_END,
};

/* getopt_long entries, for config.c's table */
#define VPD_CONFIG_STREAM_LONGOPTS                                             \
	{ "stream", no_argument, NULL, VPD_OPT_STREAM },                       \
		{ "rtsp-address", required_argument, NULL,                     \
		  VPD_OPT_RTSP_ADDRESS },                                      \
		{ "rtsp-port", required_argument, NULL, VPD_OPT_RTSP_PORT },   \
		{ "rtsp-credentials", required_argument, NULL,                 \
		  VPD_OPT_RTSP_CREDENTIALS },                                  \
		{ "rtsp-no-auth", no_argument, NULL, VPD_OPT_RTSP_NO_AUTH },   \
		{ "rtsp-tls-cert", required_argument, NULL,                    \
		  VPD_OPT_RTSP_TLS_CERT },                                     \
		{ "rtsp-tls-key", required_argument, NULL,                     \
		  VPD_OPT_RTSP_TLS_KEY },                                      \
		{ "encoder", required_argument, NULL, VPD_OPT_ENCODER },       \
		{ "stream-chroma", required_argument, NULL,                    \
		  VPD_OPT_STREAM_CHROMA },                                     \
		{ "record", required_argument, NULL, VPD_OPT_RECORD },         \
		{ "record-dir", required_argument, NULL, VPD_OPT_RECORD_DIR }, \
		{ "record-max-mb", required_argument, NULL,                    \
		  VPD_OPT_RECORD_MAX_MB },                                     \
		{ "record-max-files", required_argument, NULL,                 \
		  VPD_OPT_RECORD_MAX_FILES },                                  \
		{ "record-max-seconds", required_argument, NULL,               \
		  VPD_OPT_RECORD_MAX_SECONDS },                                \
		{ "webrtc", no_argument, NULL, VPD_OPT_WEBRTC },               \
		{ "webrtc-address", required_argument, NULL,                   \
		  VPD_OPT_WEBRTC_ADDRESS },                                    \
		{ "webrtc-port", required_argument, NULL,                      \
		  VPD_OPT_WEBRTC_PORT },                                       \
		{ "webrtc-token-file", required_argument, NULL,                \
		  VPD_OPT_WEBRTC_TOKEN_FILE },                                 \
	{                                                                      \
		"stream-ack-hold-ms", required_argument, NULL,                 \
			VPD_OPT_STREAM_ACK_HOLD                                \
	}

static inline bool vpd_config_stream_is_opt(int c)
{
	return c >= VPD_OPT_STREAM && c < VPD_OPT_STREAM_END;
}

/* Apply option @c with @arg (NULL for flags). False after printing a
 * one-line reason to stderr. */
bool vpd_config_stream_arg(struct vpd_config *config, int c, const char *arg);

/* True if @key is a streaming setting of the config file. */
bool vpd_config_stream_is_key(const char *key);

/* Apply config-file setting @key @value (@file:@lineno for errors). */
bool vpd_config_stream_key(struct vpd_config *config, const char *key,
			   const char *value, const char *file,
			   unsigned int lineno);

void vpd_config_stream_usage(FILE *f);

/* Settings that depend on each other, after every option and file:
 * false after printing why (--record without --record-dir). */
bool vpd_config_stream_check(const struct vpd_config *config);
void vpd_config_stream_finish(struct vpd_config *config);

#endif /* VPD_CONFIG_STREAM_H */
