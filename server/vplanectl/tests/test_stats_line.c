// SPDX-License-Identifier: MIT
/*
 * A batch of zvplane_head_stats_v1 events decoded into vplanectl stats'
 * words: every counter the protocol names has a name (a new counter
 * without one would vanish from the output tests read), version 5's
 * counters and encoder_input, and a newer server's unknown counter.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "stats_line.h"
#include "vplane-manager-unstable-v1-client-protocol.h"

#define LAST ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_WEBRTC_CONNECTED

static void test_every_counter_named(void)
{
	uint32_t c;

	CHECK(!vpctl_counter_name(0));
	for (c = ZVPLANE_HEAD_STATS_V1_COUNTER_FLIPS; c <= LAST; c++) {
		const char *name = vpctl_counter_name(c);

		if (!name || !name[0] || strchr(name, ' ') ||
		    strchr(name, '=')) {
			fprintf(stderr, "counter %u: bad name '%s'\n", c,
				name ? name : "(none)");
			check_failures++;
		}
	}
	CHECK(!vpctl_counter_name(LAST + 1));
	CHECK(!vpctl_counter_name(UINT32_MAX));
}

static void test_version_5(void)
{
	struct vpctl_stats_line line = { 0 };

	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_MODE_EVENTS, 0, 2);
	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_STARTS, 0,
		1);
	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_REFUSALS, 0,
		3);
	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_DIRECT_NOW, 0, 0);
	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_WEBRTC_VIEWERS, 1,
		5);
	vpctl_stats_line_counter(
		&line, ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_WEBRTC_CONNECTED, 0,
		4);
	/* a newer server's counter: skipped */
	vpctl_stats_line_counter(&line, LAST + 1, 0, 9);
	vpctl_stats_line_encoder(&line, "x264enc", 0);
	vpctl_stats_line_encoder_input(&line, 321, 241, 0x34325258 /* XR24 */);
	CHECK(!strcmp(line.text,
		      " mode_events=2 output_direct_starts=1"
		      " output_direct_refusals=3 output_direct_now=0"
		      " stream_webrtc_viewers=4294967301"
		      " stream_webrtc_connected=4"
		      " encoder=x264enc(software) encoder_input=321x241:XR24"));
	CHECK(line.len == strlen(line.text));
	if (strcmp(line.text, "") && check_failures)
		fprintf(stderr, "line:%s\n", line.text);

	/* a fourcc with blanks stays one word */
	vpctl_stats_line_clear(&line);
	CHECK(line.len == 0 && !line.text[0]);
	vpctl_stats_line_encoder_input(&line, 8, 2, 0x20203852 /* "R8  " */);
	CHECK(!strcmp(line.text, " encoder_input=8x2:R8??"));

	/* the recording's file: one word, whatever its name */
	vpctl_stats_line_clear(&line);
	vpctl_stats_line_recording(&line, "/rec/head0.1.mkv");
	CHECK(!strcmp(line.text, " recording=/rec/head0.1.mkv"));
	vpctl_stats_line_clear(&line);
	vpctl_stats_line_recording(&line, "/rec/a b\\c\td\x7f.mkv");
	CHECK(!strcmp(line.text,
		      " recording=/rec/a\\x20b\\x5cc\\x09d\\x7f.mkv"));
}

/* A line never ends in half a word: a word that does not fit is left
 * out whole. */
static void test_full_line(void)
{
	struct vpctl_stats_line line = { 0 };
	size_t before;
	int i;

	for (i = 0; i < 200; i++)
		vpctl_stats_line_counter(
			&line, ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_BYTES,
			UINT32_MAX, UINT32_MAX);
	CHECK(line.len < sizeof(line.text));
	CHECK(line.len == strlen(line.text));
	before = line.len;
	vpctl_stats_line_encoder(&line, "x264enc", 1);
	CHECK(line.len == before || strstr(line.text, "encoder=x264enc("));
	CHECK(line.text[line.len - 1] == '5'); /* 18446744073709551615 */
}

int main(void)
{
	test_every_counter_named();
	test_version_5();
	test_full_line();
	if (check_failures)
		fprintf(stderr, "%d failure(s)\n", check_failures);
	return check_failures ? 1 : 0;
}
