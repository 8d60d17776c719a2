// SPDX-License-Identifier: MIT
/* The RTSP credentials file: modes refused and accepted, the format,
 * and that every refusal says what to fix. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/libvplane/tests/check.h"
#include "access.h"
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

static bool load(const char *path, struct enc_credentials *c, char *err)
{
	return enc_credentials_load(path, c, err, 512);
}

static void test_modes(void)
{
	static const mode_t ok_modes[] = { 0600, 0640, 0400, 0440 };
	static const mode_t bad_modes[] = { 0644, 0660, 0604, 0666, 0610 };
	struct enc_credentials c;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(ok_modes) / sizeof(ok_modes[0]); i++) {
		const char *p = write_file("ok", "alice:secret\n", ok_modes[i]);

		CHECK(load(p, &c, err));
		CHECK(c.count == 1);
		enc_credentials_finish(&c);
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
	struct enc_credentials c;
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
	enc_credentials_finish(&c);
	CHECK(c.count == 0 && !c.list);

	CHECK(!load(write_file("e", "# nobody\n\n", 0600), &c, err));
	CHECK(strstr(err, "no 'user:password'"));
	CHECK(!load(write_file("e", "alice\n", 0600), &c, err));
	CHECK(strstr(err, ":1: expected"));
	CHECK(!load(write_file("e", "alice:\n", 0600), &c, err));
	CHECK(!load(write_file("e", ":secret\n", 0600), &c, err));
	CHECK(!load(write_file("e", " alice:secret\n", 0600), &c, err));
	CHECK(!load(write_file("e", "vm-a al ice:secret\n", 0600), &c, err));
}

/* Per-vGPU viewers: a list before the entry limits it; no list is every
 * vGPU; bad lists and a user named twice are refused with the line. */
static void test_access(void)
{
	struct enc_credentials c;
	char err[512];
	const char *p;

	p = write_file("acl",
		       "# per VM\nvm-a alice:secret\n"
		       "vm-b-*,vm-c \t bob:pa:ss word\ncarol:x y:z\n",
		       0600);
	CHECK(load(p, &c, err));
	CHECK(c.count == 3);
	if (c.count == 3) {
		CHECK(!strcmp(c.list[0].user, "alice") &&
		      !strcmp(c.list[0].password, "secret") &&
		      !strcmp(c.list[0].access, "vm-a") &&
		      !c.list[0].every_vgpu);
		CHECK(!strcmp(c.list[1].user, "bob") &&
		      !strcmp(c.list[1].password, "pa:ss word") &&
		      !strcmp(c.list[1].access, "vm-b-*,vm-c"));
		CHECK(!strcmp(c.list[2].user, "carol") &&
		      !strcmp(c.list[2].password, "x y:z") &&
		      !strcmp(c.list[2].access, "*") && c.list[2].every_vgpu);
		CHECK(enc_access_allows_path(c.list[0].access, "/vm-a/0"));
		CHECK(!enc_access_allows_path(c.list[0].access, "/vm-b/0"));
		CHECK(enc_access_allows_path(c.list[1].access, "/vm-b-1/0"));
		CHECK(!enc_access_allows_path(c.list[1].access, "/vm-a/0"));
	}
	enc_credentials_finish(&c);

	CHECK(!load(write_file("e", "alice:a\nvm-a alice:b\n", 0600), &c, err));
	CHECK(strstr(err, ":2:") && strstr(err, "twice"));
	CHECK(!load(write_file("e", "vm-a, alice:b\n", 0600), &c, err));
	CHECK(strstr(err, ":1:") && strstr(err, "vGPU list"));
	CHECK(!load(write_file("e", "vm/a alice:b\n", 0600), &c, err));
	CHECK(strstr(err, ":1:"));
	CHECK(!load(write_file("e", "vm-a alice\n", 0600), &c, err));
	CHECK(strstr(err, ":1: expected"));
}

/* htdigest lines: user:vplane:HA1, no password kept; another realm is
 * refused, naming the command that makes the right line. */
static void test_htdigest(void)
{
	/* HA1 of alice:vplane:secret */
	static const char ha1[] = "551ebe8d81b1a0bb83ae478f53cdfbd8";
	struct enc_credentials c;
	char err[512], text[256];

	snprintf(text, sizeof(text), "alice:vplane:%s\nvm-b bob:vplane:%s\n",
		 ha1, "0123456789ABCDEF0123456789abcdef");
	CHECK(load(write_file("ht", text, 0600), &c, err));
	CHECK(c.count == 2);
	if (c.count == 2) {
		CHECK(!c.list[0].password && !strcmp(c.list[0].ha1, ha1));
		CHECK(c.list[0].every_vgpu);
		CHECK(!c.list[1].password &&
		      !strcmp(c.list[1].ha1,
			      "0123456789abcdef0123456789abcdef"));
		CHECK(!strcmp(c.list[1].access, "vm-b"));
	}
	enc_credentials_finish(&c);

	snprintf(text, sizeof(text), "alice:other:%s\n", ha1);
	CHECK(!load(write_file("ht", text, 0600), &c, err));
	CHECK(strstr(err, ":1:") && strstr(err, "realm 'other'") &&
	      strstr(err, "htdigest FILE vplane alice"));
	/* not 32 hex digits: a password that contains colons */
	CHECK(load(write_file("ht", "alice:vplane:0123\n", 0600), &c, err));
	CHECK(c.count == 1 && c.list[0].password &&
	      !strcmp(c.list[0].password, "vplane:0123"));
	enc_credentials_finish(&c);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 99;
	test_modes();
	test_format();
	test_access();
	test_htdigest();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return check_result("credentials");
}
