// SPDX-License-Identifier: MIT
/* The RTSP credentials file: modes refused and accepted, the format,
 * and that every refusal says what to fix. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/libvplane/tests/check.h"
#include "credentials.h"

static char dir[] = "/tmp/vp-cred-XXXXXX";

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static bool load(const char *path, struct vp_credentials *c, char *err)
{
	return vp_credentials_load(path, c, err, 512);
}

static void test_modes(void)
{
	static const mode_t ok_modes[] = { 0600, 0640, 0400, 0440 };
	static const mode_t bad_modes[] = { 0644, 0660, 0604, 0666, 0610 };
	struct vp_credentials c;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(ok_modes) / sizeof(ok_modes[0]); i++) {
		const char *p = write_file("ok", "alice:secret\n", ok_modes[i]);

		CHECK(load(p, &c, err));
		CHECK(c.count == 1);
		vp_credentials_finish(&c);
	}
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		const char *p =
			write_file("bad", "alice:secret\n", bad_modes[i]);

		err[0] = 0;
		CHECK(!load(p, &c, err));
		CHECK(strstr(err, "chmod 600") && strstr(err, "mode"));
		CHECK(c.count == 0 && !c.list);
	}
	CHECK(!load("/nonexistent/creds", &c, err));
	CHECK(strstr(err, "cannot open"));
	CHECK(!load(dir, &c, err)); /* a directory */
	CHECK(strstr(err, "not a regular file"));
}

static void test_format(void)
{
	struct vp_credentials c;
	char err[512];
	const char *p;

	p = write_file("fmt",
		       "# viewers\n\nalice:secret\nbob:pa:ss word  \n"
		       "  # only a '#' in column 1 starts a comment\n",
		       0600);
	/* line 5 is not a comment, and not user:password */
	CHECK(!load(p, &c, err));
	CHECK(strstr(err, ":5:"));

	p = write_file("fmt", "# viewers\n\nalice:secret\nbob:pa:ss word  \n",
		       0600);
	CHECK(load(p, &c, err));
	CHECK(c.count == 2);
	CHECK(c.count == 2 && !strcmp(c.list[0].user, "alice") &&
	      !strcmp(c.list[0].password, "secret"));
	CHECK(c.count == 2 && !strcmp(c.list[1].user, "bob") &&
	      !strcmp(c.list[1].password, "pa:ss word"));
	vp_credentials_finish(&c);
	CHECK(c.count == 0 && !c.list);

	CHECK(!load(write_file("e", "# nobody\n\n", 0600), &c, err));
	CHECK(strstr(err, "no 'user:password'"));
	CHECK(!load(write_file("e", "alice\n", 0600), &c, err));
	CHECK(strstr(err, ":1: expected"));
	CHECK(!load(write_file("e", "alice:\n", 0600), &c, err));
	CHECK(!load(write_file("e", ":secret\n", 0600), &c, err));
	CHECK(!load(write_file("e", "al ice:secret\n", 0600), &c, err));
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 99;
	test_modes();
	test_format();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return check_result("credentials");
}
