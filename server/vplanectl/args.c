// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

#define MAX_COORD      1048576
#define MAX_SCALE      16.0
#define DEFAULT_WATCH  1000 /* ms */
#define CONTROL_SUFFIX "-control"

void vpctl_print_usage(FILE *f)
{
	fprintf(f,
		"usage: vplanectl [--socket NAME] COMMAND [ARGS] [OPTIONS]\n"
		"Manage vplaned: its vGPUs, their heads, the layout, "
		"statistics.\n"
		"\n"
		"Commands:\n"
		"  list                       every vGPU and head: mode, "
		"format,\n"
		"                             enabled, the output showing it "
		"and where\n"
		"  attach HEAD OUTPUT         show HEAD on OUTPUT (e.g. "
		"HEADLESS-1);\n"
		"                             the head it showed is taken "
		"off\n"
		"      --pos X,Y              position in the output layout "
		"(default 0,0)\n"
		"      --scale S              output scale, 0 < S <= 16 "
		"(default 1)\n"
		"  detach HEAD                take HEAD off its output (it "
		"shows the placeholder)\n"
		"  stats HEAD                 the head's counters, once (a\n"
		"                             streamed head: its encoder and\n"
		"                             stream counters too)\n"
		"      --watch                print them again when they "
		"change\n"
		"      --interval MS          at most every MS ms with "
		"--watch (>= 100,\n"
		"                             default 1000)\n"
		"      --count N              stop after N lines with "
		"--watch\n"
		"  record start HEAD FILE     record HEAD (vplaned --stream) "
		"to FILE, a new\n"
		"                             Matroska file in vplaned's "
		"--record-dir (a\n"
		"                             name, or an absolute path in "
		"it; FILE.1, .2,\n"
		"                             ... after size changes)\n"
		"  record stop HEAD           stop; the files are complete "
		"when it returns\n"
		"  key HEAD CHORD...          press and release each CHORD "
		"on the VM's\n"
		"                             keyboard: key names without "
		"KEY_ (a, f2,\n"
		"                             enter, ctrl, alt, shift, super) "
		"joined by +\n"
		"                             (ctrl+alt+f2)\n"
		"  hold HEAD CHORD...         press them and keep them down "
		"until vplanectl\n"
		"                             is stopped (SIGTERM, ctrl-c): "
		"then vplaned\n"
		"                             releases them\n"
		"  type HEAD TEXT             type TEXT as a US keyboard "
		"would (printable\n"
		"                             ASCII, newline, tab; the "
		"guest's layout must be US)\n"
		"  click HEAD X Y [BUTTON]    move to pixel X,Y of the head's "
		"mode and\n"
		"                             click BUTTON (left, right, "
		"middle, side,\n"
		"                             extra; default left)\n"
		"  move HEAD X Y              move the pointer to pixel X,Y\n"
		"  wheel HEAD N               turn the wheel N detents (up "
		"if positive)\n"
		"\n"
		"HEAD is VGPU/N (head N of the vGPU named VGPU, its UUID; a "
		"unique\n"
		"prefix will do) or VGPU alone for head 0.\n"
		"\n"
		"Options:\n"
		"  -s, --socket NAME          vplaned's Wayland socket (its "
		"--socket);\n"
		"                             default $WAYLAND_DISPLAY, else "
		"wayland-0.\n"
		"                             vplanectl connects to "
		"NAME-control, the\n"
		"                             control socket next to it in "
		"$XDG_RUNTIME_DIR\n"
		"                             (NAME may be a path)\n"
		"  -h, --help                 this text\n"
		"\n"
		"Exit status: 0 done, 1 vplaned refused or is unreachable, 2 "
		"bad usage.\n");
}

static bool fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return false;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool vpctl_parse_head(const char *s, char *vgpu, uint32_t *head)
{
	const char *slash = strrchr(s, '/');
	size_t len = strlen(s);
	long index = 0;

	/* a trailing "/N" is the head; node paths contain slashes too */
	if (slash && slash[1] &&
	    strspn(slash + 1, "0123456789") == strlen(slash + 1)) {
		if (!parse_long(slash + 1, 0, 63, &index))
			return false;
		len = (size_t)(slash - s);
	}
	if (len == 0 || len >= VPCTL_NAME_MAX)
		return false;
	memcpy(vgpu, s, len);
	vgpu[len] = 0;
	*head = (uint32_t)index;
	return true;
}

bool vpctl_parse_position(const char *s, int32_t *x, int32_t *y)
{
	const char *comma = strchr(s, ',');
	char xs[16];
	long lx, ly;

	if (!comma || (size_t)(comma - s) >= sizeof(xs))
		return false;
	memcpy(xs, s, (size_t)(comma - s));
	xs[comma - s] = 0;
	if (!parse_long(xs, -MAX_COORD, MAX_COORD, &lx) ||
	    !parse_long(comma + 1, -MAX_COORD, MAX_COORD, &ly))
		return false;
	*x = (int32_t)lx;
	*y = (int32_t)ly;
	return true;
}

bool vpctl_parse_scale(const char *s, double *scale)
{
	char *end;
	double v;

	if (!*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || !(v > 0.0) || v > MAX_SCALE)
		return false;
	*scale = v;
	return true;
}

bool vpctl_control_path(char *out, size_t size, const char *socket,
			const char *wayland_display, const char *runtime_dir)
{
	const char *name = socket ? socket
			   : wayland_display && *wayland_display
				   ? wayland_display
				   : "wayland-0";
	size_t len = strlen(name), slen = strlen(CONTROL_SUFFIX);
	/* WAYLAND_DISPLAY may name the control socket already (wlr-randr) */
	const char *suffix =
		len > slen && !strcmp(name + len - slen, CONTROL_SUFFIX)
			? ""
			: CONTROL_SUFFIX;
	int n;

	if (name[0] == '/')
		n = snprintf(out, size, "%s%s", name, suffix);
	else if (runtime_dir && *runtime_dir)
		n = snprintf(out, size, "%s/%s%s", runtime_dir, name, suffix);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

/* The value of option @argv[*i] (--opt V or --opt=V), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool command_of(const char *s, enum vpctl_command *out)
{
	static const struct {
		const char *name;
		enum vpctl_command command;
	} commands[] = {
		{ "list", VPCTL_LIST },
		{ "attach", VPCTL_ATTACH },
		{ "detach", VPCTL_DETACH },
		{ "stats", VPCTL_STATS },
		{ "record", VPCTL_RECORD_START },
		{ "help", VPCTL_HELP },
		{ "key", VPCTL_KEY },
		{ "type", VPCTL_TYPE },
		{ "click", VPCTL_CLICK },
		{ "move", VPCTL_MOVE },
		{ "wheel", VPCTL_WHEEL },
		{ "hold", VPCTL_HOLD },
	};
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(s, commands[i].name)) {
			*out = commands[i].command;
			return true;
		}
	}
	return false;
}

/* X Y in head pixels: 0..16383 (a mode's size is far below) */
static bool parse_pixel(const char *xs, const char *ys, struct vpctl_args *args)
{
	long x, y;

	if (!parse_long(xs, 0, 16383, &x) || !parse_long(ys, 0, 16383, &y))
		return false;
	args->x = (int32_t)x;
	args->y = (int32_t)y;
	return true;
}

static bool parse_button(const char *s, uint32_t *button)
{
	static const char *const names[] = { "left", "right", "middle", "side",
					     "extra" };
	uint32_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*button = 0x110 + i; /* BTN_LEFT + i */
			return true;
		}
	}
	return false;
}

/* The operands of key, type, click, move and wheel (after HEAD). */
static bool parse_input(struct vpctl_args *args, const char *const *operands,
			int nr_operands, char *err, size_t err_size)
{
	const char *name = operands[0];
	long v;
	int i;

	switch (args->command) {
	case VPCTL_KEY:
	case VPCTL_HOLD:
		if (nr_operands < 3)
			return fail(err, err_size,
				    "%s needs HEAD and a key (e.g. enter, "
				    "ctrl+alt+f2)",
				    name);
		for (i = 2; i < nr_operands; i++)
			args->keys[args->nr_keys++] = operands[i];
		return true;
	case VPCTL_TYPE:
		if (nr_operands != 3)
			return fail(err, err_size, "type needs HEAD and TEXT");
		args->text = operands[2];
		return true;
	case VPCTL_CLICK:
	case VPCTL_MOVE:
		if (nr_operands < 4 ||
		    (args->command == VPCTL_MOVE && nr_operands > 4))
			return fail(err, err_size, "%s needs HEAD X Y%s", name,
				    args->command == VPCTL_CLICK ? " [BUTTON]"
								 : "");
		if (!parse_pixel(operands[2], operands[3], args))
			return fail(err, err_size,
				    "bad X Y '%s %s' (pixels of the head, "
				    "0 to 16383)",
				    operands[2], operands[3]);
		args->button = 0x110;
		if (nr_operands == 5 &&
		    !parse_button(operands[4], &args->button))
			return fail(err, err_size,
				    "bad BUTTON '%s' (left, right, middle, "
				    "side, extra)",
				    operands[4]);
		return true;
	default:
		if (nr_operands != 3 ||
		    !parse_long(operands[2], -273, 273, &v) || !v)
			return fail(err, err_size,
				    "wheel needs HEAD and N, detents: -273 to "
				    "273, not 0");
		args->wheel = (int32_t)v;
		return true;
	}
}

bool vpctl_parse_args(struct vpctl_args *args, int argc, char **argv, char *err,
		      size_t err_size)
{
	/* 4 but for key's chords */
	const char *operands[VPCTL_KEYS_MAX + 2];
	const char *pos = NULL, *scale = NULL, *interval = NULL, *count = NULL;
	int nr_operands = 0, i;
	bool help = false;
	long v;

	*args = (struct vpctl_args){ .command = VPCTL_HELP, .scale = 1.0 };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const char **slot = NULL;

		/* "-3" is an operand (wheel), not an option */
		if (a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9')) {
			if (nr_operands == VPCTL_KEYS_MAX + 2)
				return fail(err, err_size,
					    "unexpected argument '%s'", a);
			operands[nr_operands++] = a;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
			continue;
		}
		if (!strcmp(a, "--watch")) {
			args->watch = true;
			continue;
		}
		if (!strcmp(a, "-s") ||
		    (len == 8 && !strncmp(a, "--socket", 8)))
			slot = &args->socket;
		else if (len == 5 && !strncmp(a, "--pos", 5))
			slot = &pos;
		else if (len == 7 && !strncmp(a, "--scale", 7))
			slot = &scale;
		else if (len == 10 && !strncmp(a, "--interval", 10))
			slot = &interval;
		else if (len == 7 && !strncmp(a, "--count", 7))
			slot = &count;
		else
			return fail(err, err_size, "unknown option '%s'", a);
		*slot = option_value(argc, argv, &i, eq);
		if (!*slot)
			return fail(err, err_size, "option '%s' needs a value",
				    a);
	}
	if (help || !nr_operands)
		return true; /* VPCTL_HELP */
	if (!command_of(operands[0], &args->command))
		return fail(err, err_size, "unknown command '%s'", operands[0]);
	/* key and hold take any number of chords, click a fifth operand */
	i = args->command == VPCTL_CLICK ? 5 : 4;
	if (nr_operands > i && args->command != VPCTL_KEY &&
	    args->command != VPCTL_HOLD)
		return fail(err, err_size, "unexpected argument '%s'",
			    operands[i]);
	if (args->command == VPCTL_RECORD_START) {
		/* "record start|stop ...": the head is the next operand */
		if (nr_operands < 2 || (strcmp(operands[1], "start") &&
					strcmp(operands[1], "stop")))
			return fail(
				err, err_size,
				"record needs start HEAD FILE or stop HEAD");
		if (!strcmp(operands[1], "stop"))
			args->command = VPCTL_RECORD_STOP;
		nr_operands--;
		memmove(operands, operands + 1,
			(size_t)nr_operands * sizeof(operands[0]));
	}

	switch (args->command) {
	case VPCTL_HELP:
		return true;
	case VPCTL_LIST:
		if (nr_operands != 1)
			return fail(err, err_size,
				    "list takes no arguments, got '%s'",
				    operands[1]);
		break;
	case VPCTL_ATTACH:
		if (nr_operands != 3)
			return fail(err, err_size,
				    "attach needs HEAD and OUTPUT");
		args->output = operands[2];
		break;
	case VPCTL_RECORD_START:
		if (nr_operands != 3)
			return fail(err, err_size,
				    "record start needs HEAD and FILE");
		if (!operands[2][0])
			return fail(err, err_size, "empty FILE");
		args->file = operands[2];
		break;
	case VPCTL_KEY:
	case VPCTL_HOLD:
	case VPCTL_TYPE:
	case VPCTL_CLICK:
	case VPCTL_MOVE:
	case VPCTL_WHEEL:
		if (!parse_input(args, operands, nr_operands, err, err_size))
			return false;
		break;
	case VPCTL_DETACH:
	case VPCTL_STATS:
	case VPCTL_RECORD_STOP:
		if (nr_operands != 2)
			return fail(err, err_size, "%s needs exactly one HEAD",
				    args->command == VPCTL_RECORD_STOP
					    ? "record stop"
					    : operands[0]);
		break;
	}
	if (args->command != VPCTL_LIST &&
	    !vpctl_parse_head(operands[1], args->vgpu, &args->head))
		return fail(err, err_size,
			    "bad HEAD '%s' (expected VGPU/N or VGPU)",
			    operands[1]);
	if ((pos || scale) && args->command != VPCTL_ATTACH)
		return fail(err, err_size, "--%s is an option of attach",
			    pos ? "pos" : "scale");
	if ((args->watch || interval || count) && args->command != VPCTL_STATS)
		return fail(err, err_size, "--%s is an option of stats",
			    args->watch ? "watch"
			    : interval	? "interval"
					: "count");
	if ((interval || count) && !args->watch)
		return fail(err, err_size, "--%s needs --watch",
			    interval ? "interval" : "count");
	if (pos && !vpctl_parse_position(pos, &args->x, &args->y))
		return fail(err, err_size,
			    "bad --pos '%s' (expected X,Y, integers within "
			    "+-%d)",
			    pos, MAX_COORD);
	if (scale && !vpctl_parse_scale(scale, &args->scale))
		return fail(err, err_size,
			    "bad --scale '%s' (expected a number in (0, %g])",
			    scale, MAX_SCALE);
	args->interval_ms = DEFAULT_WATCH;
	if (interval) {
		if (!parse_long(interval, 100, 3600000, &v))
			return fail(err, err_size,
				    "bad --interval '%s' (milliseconds, 100 "
				    "to 3600000)",
				    interval);
		args->interval_ms = (uint32_t)v;
	}
	if (count) {
		if (!parse_long(count, 1, INT_MAX, &v))
			return fail(err, err_size,
				    "bad --count '%s' (a positive integer)",
				    count);
		args->count = (uint32_t)v;
	}
	return true;
}
