// SPDX-License-Identifier: MIT
/*
 * vplaned's configuration parser (config.c, config_stream.c) on hostile
 * files: a long comment's tail is not a setting (lines of any length), a
 * long value arrives whole, a setting given twice in a file is refused
 * naming both lines, the same vGPU given twice (by UUID, by path, both,
 * in a file or on the command line) is refused with file:line, the same
 * head recorded twice is refused; the kiosk seat's settings. Messages
 * are checked on stderr.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "../libvplane/tests/check.h"
#include "config.h"

static char dir[] = "/tmp/vp-config-XXXXXX";
static char err[8192];

/* Parse vplaned ARGS... with @text as the config file (if not NULL);
 * stderr into err. */
static bool parse(struct vpd_config *config, const char *text, ...)
{
	char file[256], *argv[16] = { "vplaned" };
	int argc = 1, saved = dup(2), fd;
	const char *a;
	va_list ap;
	bool ok;
	FILE *f;

	snprintf(file, sizeof(file), "%s/vplaned.conf", dir);
	if (text) {
		f = fopen(file, "w");
		CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
		argv[argc++] = "--config";
		argv[argc++] = file;
	}
	va_start(ap, text);
	while ((a = va_arg(ap, const char *)) && argc < 15)
		argv[argc++] = (char *)a;
	va_end(ap);
	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0);
	fflush(stderr);
	dup2(fd, 2);
	ok = vpd_config_parse(config, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	memset(err, 0, sizeof(err));
	CHECK(pread(fd, err, sizeof(err) - 1, 0) >= 0);
	close(fd);
	if (err[0])
		fprintf(stderr, "  stderr: %s", err);
	return ok;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = 0;
	return s;
}

int main(void)
{
	struct vpd_config config;
	char *text, *pad, *path;

	CHECK(mkdtemp(dir));

	/* input-control: first by default, last from the file or option,
	 * the option over the file, anything else refused */
	CHECK(parse(&config, NULL, NULL) && !config.input_control_last);
	vpd_config_finish(&config);
	CHECK(parse(&config, "input-control last\n", NULL) &&
	      config.input_control_last);
	vpd_config_finish(&config);
	CHECK(parse(&config, "input-control last\n", "--input-control", "first",
		    NULL) &&
	      !config.input_control_last);
	vpd_config_finish(&config);
	CHECK(!parse(&config, "input-control newest\n", NULL) &&
	      strstr(err, "input-control takes first or last"));
	vpd_config_finish(&config);
	CHECK(!parse(&config, NULL, "--input-control", "", NULL) &&
	      strstr(err, "--input-control takes first or last"));
	vpd_config_finish(&config);

	/* the tail of a long comment is not a setting, wherever it falls */
	for (size_t n = 400; n < 2200; n += 97) {
		pad = repeat('x', n);
		CHECK(asprintf(&text,
			       "rtsp-auth yes\n# %s rtsp-auth no\n# %s "
			       "webrtc yes\n",
			       pad, pad) > 0);
		CHECK(parse(&config, text, NULL));
		CHECK(!config.rtsp_no_auth && !config.webrtc);
		vpd_config_finish(&config);
		free(text);
		free(pad);
	}
	/* the review's case: a comment whose 512th byte starts a setting
	 * (fgets into 512 bytes made "rtsp-auth no" a line of its own) */
	pad = repeat('x', 509);
	CHECK(asprintf(&text, "rtsp-auth yes\n# %srtsp-auth no\n", pad) > 0);
	CHECK(parse(&config, text, NULL));
	CHECK(!config.rtsp_no_auth);
	vpd_config_finish(&config);
	free(text);
	free(pad);
	/* a long value arrives whole */
	pad = repeat('c', 3000);
	CHECK(asprintf(&path, "/%s/creds", pad) > 0);
	CHECK(asprintf(&text, "rtsp-credentials %s\n", path) > 0);
	CHECK(parse(&config, text, NULL));
	CHECK(config.rtsp_credentials &&
	      !strcmp(config.rtsp_credentials, path));
	vpd_config_finish(&config);
	free(text);
	free(path);
	free(pad);
	/* a long line that is a bad setting is refused, not split */
	pad = repeat('v', 700);
	CHECK(asprintf(&text, "backend %s\n", pad) > 0);
	CHECK(!parse(&config, text, NULL));
	CHECK(strstr(err, "vplaned.conf:1: unknown backend"));
	vpd_config_finish(&config);
	free(text);
	free(pad);

	/* a setting given twice in a file */
	CHECK(!parse(&config, "rtsp-auth yes\nstream yes\nrtsp-auth no\n",
		     NULL));
	CHECK(strstr(err, "vplaned.conf:3: rtsp-auth is set twice (first at "
			  "line 1)"));
	vpd_config_finish(&config);
	CHECK(!parse(&config, "rtsp-port 1\nrtsp-port 2\n", NULL));
	CHECK(strstr(err, "vplaned.conf:2: rtsp-port is set twice"));
	vpd_config_finish(&config);

	/* the same vGPU twice: by UUID, by path, by both, in any case */
	CHECK(!parse(&config,
		     "vgpu 5cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n"
		     "# another line\n"
		     "vgpu 5cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n",
		     NULL));
	CHECK(strstr(err, "vplaned.conf:3: vGPU "
			  "5cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c is given twice "
			  "(first at "));
	CHECK(strstr(err, "vplaned.conf:1)"));
	vpd_config_finish(&config);
	CHECK(!parse(
		&config,
		"vgpu 5CF0A8B4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n"
		"vgpu-path /dev/vplane/5cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n",
		NULL));
	CHECK(strstr(err, "vplaned.conf:2: vGPU /dev/vplane/"));
	vpd_config_finish(&config);
	CHECK(!parse(&config, "vgpu-path /dev/null\n", "--vgpu-path",
		     "/dev/null", NULL));
	CHECK(strstr(err, "--vgpu-path: vGPU /dev/null is given twice (first "
			  "at ") &&
	      strstr(err, "vplaned.conf:1)"));
	vpd_config_finish(&config);
	CHECK(!parse(&config, NULL, "--vgpu", "abc", "--vgpu", "abc", NULL));
	CHECK(strstr(err, "--vgpu: vGPU abc is given twice"));
	vpd_config_finish(&config);
	/* two names of one device node (a symlink) */
	CHECK(asprintf(&path, "%s/null-link", dir) > 0);
	CHECK(symlink("/dev/null", path) == 0);
	CHECK(!parse(&config, NULL, "--vgpu-path", "/dev/null", "--vgpu-path",
		     path, NULL));
	CHECK(strstr(err, "is given twice"));
	vpd_config_finish(&config);
	unlink(path);
	free(path);
	/* different vGPUs are fine, repeatable settings repeat */
	CHECK(parse(&config,
		    "vgpu 5cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n"
		    "vgpu 6cf0a8b4-8c1f-4c4c-9b39-1f2d3e4a5b6c\n"
		    "record-dir /tmp\n"
		    "record a/0=a.mkv\nrecord b/0=b.mkv\n",
		    NULL));
	CHECK(config.nr_vgpus == 2 && config.nr_stream_record == 2);
	vpd_config_finish(&config);
	/* the same head recorded twice */
	CHECK(!parse(&config,
		     "record-dir /tmp\nrecord a/0=a.mkv\n"
		     "record a/0=b.mkv\n",
		     NULL));
	CHECK(strstr(err, "a/0 is recorded twice"));
	vpd_config_finish(&config);
	/* --record needs --record-dir */
	CHECK(!parse(&config, NULL, "--record", "a/0=a.mkv", NULL));
	CHECK(strstr(err, "--record needs --record-dir"));
	vpd_config_finish(&config);

	/* the kiosk's seat: defaults, the file, options over the file, and
	 * a combination that is not one refused with its place */
	CHECK(parse(&config, NULL, NULL));
	CHECK(!config.seat_click_focus);
	CHECK(config.seat_release.keysym == XKB_KEY_Escape &&
	      config.seat_next.keysym == XKB_KEY_n);
	vpd_config_finish(&config);
	CHECK(parse(&config, "seat-focus click\nseat-next ctrl+alt+F12\n",
		    "--seat-release", "super+q", NULL));
	CHECK(config.seat_click_focus);
	CHECK(config.seat_next.keysym == XKB_KEY_F12);
	CHECK(config.seat_release.keysym == XKB_KEY_q);
	vpd_config_finish(&config);
	CHECK(!parse(&config, "seat-release Escape\n", NULL));
	CHECK(strstr(err, "vplaned.conf:1: seat-release: 'Escape' is not a key "
			  "combination"));
	vpd_config_finish(&config);
	CHECK(!parse(&config, NULL, "--seat-focus", "hover", NULL));
	CHECK(strstr(err, "--seat-focus: seat-focus takes pointer or click"));
	vpd_config_finish(&config);

	{
		char file[256];

		snprintf(file, sizeof(file), "%s/vplaned.conf", dir);
		unlink(file);
		rmdir(dir);
	}
	return check_result("config");
}
