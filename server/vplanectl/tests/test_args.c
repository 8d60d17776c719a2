// SPDX-License-Identifier: MIT
/* vplanectl's command line: every command, option and refusal. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "args.h"

/* Parse a NULL-terminated argument list (argv[0] added). */
static bool parse(struct vpctl_args *args, char *err, const char *first, ...)
{
	char *argv[16] = { "vplanectl" };
	const char *a;
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	err[0] = 0;
	return vpctl_parse_args(args, argc, argv, err, 256);
}

static void test_commands(void)
{
	struct vpctl_args a;
	char err[256];

	CHECK(parse(&a, err, NULL));
	CHECK(a.command == VPCTL_HELP);
	CHECK(parse(&a, err, "--help", NULL) && a.command == VPCTL_HELP);
	CHECK(parse(&a, err, "list", "-h", NULL) && a.command == VPCTL_HELP);
	CHECK(parse(&a, err, "list", NULL) && a.command == VPCTL_LIST);
	CHECK(!a.socket);

	CHECK(parse(&a, err, "--socket", "vp-0", "list", NULL));
	CHECK(a.socket && !strcmp(a.socket, "vp-0"));
	CHECK(parse(&a, err, "list", "--socket=vp-1", NULL));
	CHECK(a.socket && !strcmp(a.socket, "vp-1"));
	CHECK(parse(&a, err, "-s", "/run/vp", "list", NULL));

	CHECK(parse(&a, err, "attach", "abc-1/1", "HEADLESS-2", "--pos",
		    "-10,20", "--scale=1.5", NULL));
	CHECK(a.command == VPCTL_ATTACH && !strcmp(a.vgpu, "abc-1") &&
	      a.head == 1 && !strcmp(a.output, "HEADLESS-2") && a.x == -10 &&
	      a.y == 20 && a.scale == 1.5);
	CHECK(parse(&a, err, "attach", "abc", "DP-1", NULL));
	CHECK(a.head == 0 && a.x == 0 && a.y == 0 && a.scale == 1.0);

	CHECK(parse(&a, err, "detach", "abc/0", NULL));
	CHECK(a.command == VPCTL_DETACH && !strcmp(a.vgpu, "abc"));

	CHECK(parse(&a, err, "stats", "abc/1", NULL));
	CHECK(a.command == VPCTL_STATS && !a.watch && a.head == 1);
	CHECK(parse(&a, err, "stats", "abc/1", "--watch", NULL));
	CHECK(a.watch && a.interval_ms == 1000 && a.count == 0);
	CHECK(parse(&a, err, "stats", "abc/1", "--watch", "--interval", "250",
		    "--count", "3", NULL));
	CHECK(a.interval_ms == 250 && a.count == 3);

	CHECK(parse(&a, err, "record", "start", "abc/1", "rec.mkv", NULL));
	CHECK(a.command == VPCTL_RECORD_START && !strcmp(a.vgpu, "abc") &&
	      a.head == 1 && !strcmp(a.file, "rec.mkv"));
	CHECK(parse(&a, err, "record", "stop", "abc", NULL));
	CHECK(a.command == VPCTL_RECORD_STOP && a.head == 0);
}

static void test_refusals(void)
{
	struct vpctl_args a;
	char err[256];

	CHECK(!parse(&a, err, "frobnicate", NULL));
	CHECK(strstr(err, "unknown command 'frobnicate'"));
	CHECK(!parse(&a, err, "list", "--bogus", NULL));
	CHECK(strstr(err, "unknown option '--bogus'"));
	CHECK(!parse(&a, err, "list", "extra", NULL));
	CHECK(!parse(&a, err, "--socket", NULL));
	CHECK(strstr(err, "needs a value"));
	CHECK(!parse(&a, err, "attach", "abc/0", NULL));
	CHECK(strstr(err, "attach needs HEAD and OUTPUT"));
	CHECK(!parse(&a, err, "detach", NULL));
	CHECK(!parse(&a, err, "record", NULL));
	CHECK(strstr(err, "record needs start HEAD FILE or stop HEAD"));
	CHECK(!parse(&a, err, "record", "pause", "abc", NULL));
	CHECK(!parse(&a, err, "record", "start", "abc", NULL));
	CHECK(strstr(err, "record start needs HEAD and FILE"));
	CHECK(!parse(&a, err, "record", "stop", "abc", "f.mkv", NULL));
	CHECK(strstr(err, "record stop needs exactly one HEAD"));
	CHECK(!parse(&a, err, "detach", "a/0", "b/0", NULL));
	CHECK(!parse(&a, err, "stats", "/0", NULL));
	CHECK(strstr(err, "bad HEAD"));
	CHECK(!parse(&a, err, "stats", "abc/99", NULL));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--pos", "1", NULL));
	CHECK(strstr(err, "bad --pos"));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--pos", "1,x", NULL));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--pos", "2000000,0",
		     NULL));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--scale", "0", NULL));
	CHECK(strstr(err, "bad --scale"));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--scale", "-1", NULL));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--scale", "17", NULL));
	CHECK(!parse(&a, err, "attach", "abc", "DP-1", "--scale", "nan", NULL));
	CHECK(!parse(&a, err, "detach", "abc", "--pos", "1,1", NULL));
	CHECK(strstr(err, "--pos is an option of attach"));
	CHECK(!parse(&a, err, "list", "--watch", NULL));
	CHECK(strstr(err, "--watch is an option of stats"));
	CHECK(!parse(&a, err, "stats", "abc", "--interval", "500", NULL));
	CHECK(strstr(err, "needs --watch"));
	CHECK(!parse(&a, err, "stats", "abc", "--watch", "--interval", "50",
		     NULL));
	CHECK(!parse(&a, err, "stats", "abc", "--watch", "--count", "0", NULL));
}

static void test_heads(void)
{
	char vgpu[VPCTL_NAME_MAX];
	uint32_t head;

	CHECK(vpctl_parse_head("d3f0c7a2-1111-2222-3333-444455556666/1", vgpu,
			       &head));
	CHECK(!strcmp(vgpu, "d3f0c7a2-1111-2222-3333-444455556666") &&
	      head == 1);
	/* a node path: only a numeric last component is a head */
	CHECK(vpctl_parse_head("/dev/vplane/abc", vgpu, &head));
	CHECK(!strcmp(vgpu, "/dev/vplane/abc") && head == 0);
	CHECK(vpctl_parse_head("/dev/vplane/abc/2", vgpu, &head));
	CHECK(!strcmp(vgpu, "/dev/vplane/abc") && head == 2);
	CHECK(!vpctl_parse_head("", vgpu, &head));
	CHECK(!vpctl_parse_head("abc/64", vgpu, &head));
	CHECK(!vpctl_parse_head("0123456789012345678901234567890123456789/0",
				vgpu, &head));
}

static void test_control_path(void)
{
	char p[64];

	CHECK(vpctl_control_path(p, sizeof(p), "vp-0", "wayland-1", "/run/u"));
	CHECK(!strcmp(p, "/run/u/vp-0-control"));
	CHECK(vpctl_control_path(p, sizeof(p), NULL, "wayland-1", "/run/u"));
	CHECK(!strcmp(p, "/run/u/wayland-1-control"));
	CHECK(vpctl_control_path(p, sizeof(p), NULL, NULL, "/run/u"));
	CHECK(!strcmp(p, "/run/u/wayland-0-control"));
	/* WAYLAND_DISPLAY set for wlr-randr names the control socket */
	CHECK(vpctl_control_path(p, sizeof(p), NULL, "vp-0-control", "/r"));
	CHECK(!strcmp(p, "/r/vp-0-control"));
	CHECK(vpctl_control_path(p, sizeof(p), "/srv/vp", NULL, NULL));
	CHECK(!strcmp(p, "/srv/vp-control"));
	CHECK(!vpctl_control_path(p, sizeof(p), "vp-0", NULL, NULL));
	CHECK(!vpctl_control_path(p, 8, "vp-0", NULL, "/run/u"));
}

static void test_input(void)
{
	struct vpctl_args a;
	char err[256];

	CHECK(parse(&a, err, "key", "u/1", "ctrl+alt+f2", "enter", NULL) &&
	      a.command == VPCTL_KEY && a.head == 1 && a.nr_keys == 2 &&
	      !strcmp(a.keys[1], "enter"));
	CHECK(parse(&a, err, "hold", "u", "shift", NULL) &&
	      a.command == VPCTL_HOLD && a.nr_keys == 1);
	CHECK(!parse(&a, err, "key", "u", NULL) && strstr(err, "key needs"));
	CHECK(parse(&a, err, "type", "u", "Hello, world", NULL) &&
	      a.command == VPCTL_TYPE && !strcmp(a.text, "Hello, world"));
	CHECK(!parse(&a, err, "type", "u", "a", "b", NULL));
	CHECK(parse(&a, err, "click", "u", "319", "239", NULL) &&
	      a.command == VPCTL_CLICK && a.x == 319 && a.y == 239 &&
	      a.button == 0x110);
	CHECK(parse(&a, err, "click", "u", "0", "0", "right", NULL) &&
	      a.button == 0x111);
	CHECK(!parse(&a, err, "click", "u", "0", "0", "thumb", NULL) &&
	      strstr(err, "bad BUTTON"));
	CHECK(!parse(&a, err, "click", "u", "-1", "0", NULL));
	CHECK(!parse(&a, err, "click", "u", "16384", "0", NULL));
	CHECK(parse(&a, err, "move", "u", "5", "6", NULL) &&
	      a.command == VPCTL_MOVE && a.x == 5 && a.y == 6);
	CHECK(!parse(&a, err, "move", "u", "5", "6", "left", NULL));
	CHECK(parse(&a, err, "wheel", "u", "-3", NULL) &&
	      a.command == VPCTL_WHEEL && a.wheel == -3);
	CHECK(!parse(&a, err, "wheel", "u", "0", NULL));
	CHECK(!parse(&a, err, "wheel", "u", "274", NULL));
	/* only key and hold take more than four operands */
	CHECK(!parse(&a, err, "attach", "u", "OUT", "x", "y", NULL) &&
	      strstr(err, "unexpected argument 'y'"));
}

int main(void)
{
	test_commands();
	test_input();
	test_refusals();
	test_heads();
	test_control_path();
	if (check_failures) {
		fprintf(stderr, "%d check(s) failed\n", check_failures);
		return 1;
	}
	printf("vplanectl args: all checks passed\n");
	return 0;
}
