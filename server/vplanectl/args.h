/* SPDX-License-Identifier: MIT */
/*
 * vplanectl's command line, parsed without side effects (unit-tested in
 * tests/test_args.c): the command, its operands and options.
 */
#ifndef VPCTL_ARGS_H
#define VPCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum vpctl_command {
	VPCTL_HELP, /* --help, or no command */
	VPCTL_LIST,
	VPCTL_ATTACH,
	VPCTL_DETACH,
	VPCTL_STATS,
	VPCTL_RECORD_START, /* record start HEAD FILE */
	VPCTL_RECORD_STOP,  /* record stop HEAD */
	VPCTL_KEY,	    /* key HEAD CHORD... */
	VPCTL_HOLD,	    /* hold HEAD CHORD... */
	VPCTL_TYPE,	    /* type HEAD TEXT */
	VPCTL_CLICK,	    /* click HEAD X Y [BUTTON] */
	VPCTL_MOVE,	    /* move HEAD X Y */
	VPCTL_WHEEL,	    /* wheel HEAD N */
};

#define VPCTL_KEYS_MAX 32 /* chords on one key command line */

#define VPCTL_NAME_MAX 40 /* a vGPU name: the mdev UUID or a node path */

struct vpctl_args {
	enum vpctl_command command;
	const char *socket; /* vplaned's Wayland socket; NULL: default */
	/* attach, detach, stats, record: the head */
	char vgpu[VPCTL_NAME_MAX];
	uint32_t head;
	/* attach */
	const char *output;
	int32_t x, y;
	double scale;
	/* record start: the file, as given (vplanectl makes it absolute) */
	const char *file;
	/* stats */
	bool watch;
	uint32_t interval_ms;
	uint32_t count; /* batches to print with --watch, 0: until stopped */
	/* key, hold: the chords as given (keys.h parses them) */
	const char *keys[VPCTL_KEYS_MAX];
	uint32_t nr_keys;
	/* type: the text */
	const char *text;
	/* click, move: x, y above (head pixels); click: the button */
	uint32_t button; /* BTN_LEFT.. */
	/* wheel: detents, positive up */
	int32_t wheel;
};

/*
 * Fill @args (borrowed; strings point into @argv) from @argv. False with
 * a one-line reason (no trailing newline) in @err of @err_size bytes.
 */
bool vpctl_parse_args(struct vpctl_args *args, int argc, char **argv, char *err,
		      size_t err_size);

/* "NAME/N" or "NAME" (head 0) into @vgpu (VPCTL_NAME_MAX bytes) and
 * @head. False for an empty or too long name or a bad index. */
bool vpctl_parse_head(const char *s, char *vgpu, uint32_t *head);

/* "X,Y" with integers in +-1048576. */
bool vpctl_parse_position(const char *s, int32_t *x, int32_t *y);

/* A decimal in (0, 16]. */
bool vpctl_parse_scale(const char *s, double *scale);

/* The control socket's path for vplaned's Wayland socket @socket (NULL:
 * @wayland_display, else "wayland-0"), relative to @runtime_dir unless
 * absolute. False if it does not fit in @size bytes or no runtime dir. */
bool vpctl_control_path(char *out, size_t size, const char *socket,
			const char *wayland_display, const char *runtime_dir);

void vpctl_print_usage(FILE *f);

#endif /* VPCTL_ARGS_H */
