// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "stats_line.h"
#include "vplane-manager-unstable-v1-client-protocol.h"

static const char *const counter_names[] = {
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FLIPS] = "flips",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FLIPS_DROPPED] = "flips_dropped",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FRAMES_PRESENTED] = "frames_presented",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_ACKS] = "acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_ACK_FAILURES] = "ack_failures",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_LAST_LATENCY_NS] = "last_latency_ns",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_FRAMES_DIRECT] =
		"output_frames_direct",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_FRAMES_COMPOSITED] =
		"output_frames_composited",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_FLIPS] = "vgpu_flips",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_EVENTS] = "vgpu_events",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_COALESCED] = "vgpu_coalesced",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_OVERFLOWS] = "vgpu_overflows",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_ACKS] = "vgpu_acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_ACK_TIMEOUTS] = "vgpu_ack_timeouts",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_ENCODED] =
		"stream_frames_encoded",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAMES] = "stream_keyframes",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_BYTES] = "stream_bytes",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_VIEWERS] = "stream_viewers",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_LATE_ACKS] = "stream_late_acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAME_REQUESTS] =
		"stream_keyframe_requests",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAMES_FORCED] =
		"stream_keyframes_forced",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_DROPPED] =
		"stream_frames_dropped",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_ENCODE_US] = "stream_encode_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_ENCODE_US_MAX] =
		"stream_encode_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_SENT] =
		"stream_frames_sent",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_QUEUE_US] = "stream_queue_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_QUEUE_US_MAX] =
		"stream_queue_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_TO_SINK] =
		"stream_frames_to_sink",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_SINK_US] = "stream_sink_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_SINK_US_MAX] =
		"stream_sink_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_CPU_MAPS] = "cpu_maps",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_MODE_EVENTS] = "mode_events",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_STARTS] =
		"output_direct_starts",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_REFUSALS] =
		"output_direct_refusals",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_NOW] = "output_direct_now",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_WEBRTC_VIEWERS] =
		"stream_webrtc_viewers",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_WEBRTC_CONNECTED] =
		"stream_webrtc_connected",
};

const char *vpctl_counter_name(uint32_t counter)
{
	if (counter >= sizeof(counter_names) / sizeof(counter_names[0]))
		return NULL;
	return counter_names[counter];
}

void vpctl_stats_line_clear(struct vpctl_stats_line *line)
{
	line->len = 0;
	line->text[0] = 0;
}

/* A word more, if it fits whole (a line never ends in half a word). */
static void add(struct vpctl_stats_line *line, const char *fmt, ...)
{
	size_t room = sizeof(line->text) - line->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line->text + line->len, room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < room)
		line->len += (size_t)n;
	else
		line->text[line->len] = 0;
}

void vpctl_stats_line_counter(struct vpctl_stats_line *line, uint32_t counter,
			      uint32_t hi, uint32_t lo)
{
	const char *name = vpctl_counter_name(counter);

	/* a newer server's counters are skipped, as the protocol asks */
	if (name)
		add(line, " %s=%llu", name, (unsigned long long)hi << 32 | lo);
}

void vpctl_stats_line_encoder(struct vpctl_stats_line *line, const char *name,
			      uint32_t hardware)
{
	add(line, " encoder=%s(%s)", name, hardware ? "hardware" : "software");
}

void vpctl_stats_line_encoder_input(struct vpctl_stats_line *line,
				    uint32_t width, uint32_t height,
				    uint32_t format)
{
	char fourcc[5];
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)(format >> (8 * i));

		fourcc[i] = c >= 0x20 && c < 0x7f && c != ' ' ? c : '?';
	}
	fourcc[4] = 0;
	add(line, " encoder_input=%ux%u:%s", width, height, fourcc);
}

void vpctl_stats_line_recording(struct vpctl_stats_line *line, const char *file)
{
	char word[4 * 4096 + 16];
	size_t n = 0;
	const unsigned char *c;

	for (c = (const unsigned char *)file; *c && n + 5 < sizeof(word); c++) {
		if (*c <= ' ' || *c == '\\' || *c == 0x7f)
			n += (size_t)snprintf(word + n, sizeof(word) - n,
					      "\\x%02x", *c);
		else
			word[n++] = (char)*c;
	}
	word[n] = 0;
	add(line, " recording=%s", word);
}
