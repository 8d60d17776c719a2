// SPDX-License-Identifier: MIT
/* The WebRTC token file: modes refused and accepted, the format, and the
 * comparison. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/libvplane/tests/check.h"
#include "token.h"

static char dir[] = "/tmp/vp-token-XXXXXX";

static const char *write_file(const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/token", dir);
	unlink(path);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static bool load(const char *text, mode_t mode, char *token, char *err)
{
	return vp_token_load(write_file(text, mode), token, err, 512);
}

int main(void)
{
	char token[VP_TOKEN_MAX_LEN + 1], err[512], cmd[64];
	char longer[VP_TOKEN_MAX_LEN + 8];

	if (!mkdtemp(dir))
		return 99;
	/* accepted: comments and blank lines first, modes 0600/0640 */
	CHECK(load("# viewers\n\n0123456789abcdef-._~\n", 0600, token, err));
	CHECK(!strcmp(token, "0123456789abcdef-._~"));
	CHECK(load("0123456789abcdefAB", 0640, token, err)); /* no newline */
	CHECK(!strcmp(token, "0123456789abcdefAB"));
	/* refused, saying what to fix */
	CHECK(!load("0123456789abcdef\n", 0644, token, err));
	CHECK(strstr(err, "mode 0644") && strstr(err, "chmod 600"));
	CHECK(!load("0123456789abcdef\n", 0660, token, err));
	CHECK(!load("short\n", 0600, token, err));
	CHECK(strstr(err, "at least 16"));
	CHECK(!load("0123456789 abcdef\n", 0600, token, err)); /* blank */
	CHECK(!load("0123456789abcdef&x=1\n", 0600, token, err));
	CHECK(!load("# only a comment\n", 0600, token, err));
	CHECK(strstr(err, "no token"));
	memset(longer, 'a', sizeof(longer) - 2);
	longer[sizeof(longer) - 2] = '\n';
	longer[sizeof(longer) - 1] = 0;
	CHECK(!load(longer, 0600, token, err));
	CHECK(strstr(err, "longer than"));
	CHECK(!vp_token_load("/nonexistent/token", token, err, sizeof(err)));
	CHECK(strstr(err, "cannot open"));
	/* the comparison */
	CHECK(vp_token_matches("0123456789abcdef", "0123456789abcdef"));
	CHECK(!vp_token_matches("0123456789abcdef", "0123456789abcdeF"));
	CHECK(!vp_token_matches("0123456789abcdef", "0123456789abcde"));
	CHECK(!vp_token_matches("0123456789abcdef", "0123456789abcdef0"));
	CHECK(!vp_token_matches("0123456789abcdef", ""));
	CHECK(!vp_token_matches("0123456789abcdef", NULL));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return check_result("token");
}
