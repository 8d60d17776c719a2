/* SPDX-License-Identifier: MIT */
/*
 * One line of `vplanectl stats`: a batch of zvplane_head_stats_v1 events
 * decoded into " name=value" words, without side effects (unit-tested in
 * tests/test_stats_line.c). Tests and scripts read these words: a
 * counter's name is the protocol's counter enum entry name.
 */
#ifndef VPCTL_STATS_LINE_H
#define VPCTL_STATS_LINE_H

#include <stddef.h>
#include <stdint.h>

struct vpctl_stats_line {
	char text[2048]; /* the words so far, each after a space */
	size_t len;
};

/* Forget the words: the next batch starts. */
void vpctl_stats_line_clear(struct vpctl_stats_line *line);

/* The counter event: " NAME=VALUE" (VALUE = @hi * 2^32 + @lo); a counter
 * vplanectl does not know (a newer server) adds nothing. */
void vpctl_stats_line_counter(struct vpctl_stats_line *line, uint32_t counter,
			      uint32_t hi, uint32_t lo);

/* The encoder event: " encoder=NAME(hardware|software)". */
void vpctl_stats_line_encoder(struct vpctl_stats_line *line, const char *name,
			      uint32_t hardware);

/* The encoder_input event: " encoder_input=WxH:FOURCC" (the DRM fourcc's
 * four characters, '?' for any not printable). */
void vpctl_stats_line_encoder_input(struct vpctl_stats_line *line,
				    uint32_t width, uint32_t height,
				    uint32_t format);

/* The recording event: " recording=FILE", FILE's blanks, backslashes and
 * control characters as \xHH so that it stays one word. */
void vpctl_stats_line_recording(struct vpctl_stats_line *line,
				const char *file);

/* A counter's name, NULL for one vplanectl does not know. */
const char *vpctl_counter_name(uint32_t counter);

#endif /* VPCTL_STATS_LINE_H */
