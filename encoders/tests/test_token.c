// SPDX-License-Identifier: MIT
/* The WebRTC token file: modes refused and accepted, the format, and the
 * comparison. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/libvplane/tests/check.h"
#include "access.h"
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

static struct enc_tokens tokens;

/* Load @text; the first token's secret into @token. */
static bool load(const char *text, mode_t mode, char *token, char *err)
{
	bool ok;

	enc_tokens_finish(&tokens);
	ok = enc_tokens_load(write_file(text, mode), &tokens, err, 512);
	if (ok)
		memcpy(token, tokens.list[0].secret, ENC_TOKEN_MAX_LEN + 1);
	return ok;
}

/* Per-vGPU tokens: each token watches its own list, a bare token every
 * vGPU, and a bad list or the same token twice is refused by line. */
static void test_access(void)
{
	const struct enc_token *a, *b, *all;
	char token[ENC_TOKEN_MAX_LEN + 1], err[512];

	CHECK(load("# per VM\nvm-a aaaaaaaaaaaaaaaa\n"
		   "vm-b-*,vm-c\tbbbbbbbbbbbbbbbb\n"
		   "cccccccccccccccc\n",
		   0600, token, err));
	CHECK(tokens.count == 3);
	a = enc_tokens_match(&tokens, "aaaaaaaaaaaaaaaa");
	b = enc_tokens_match(&tokens, "bbbbbbbbbbbbbbbb");
	all = enc_tokens_match(&tokens, "cccccccccccccccc");
	CHECK(a && b && all);
	CHECK(!enc_tokens_match(&tokens, "vm-a"));
	CHECK(!enc_tokens_match(&tokens, "aaaaaaaaaaaaaaa"));
	CHECK(!enc_tokens_match(&tokens, NULL));
	if (!a || !b || !all)
		return;
	CHECK(!a->every_vgpu && !b->every_vgpu && all->every_vgpu);
	CHECK(enc_access_allows_path(a->access, "/vm-a/0"));
	CHECK(!enc_access_allows_path(a->access, "/vm-b/0"));
	CHECK(!enc_access_allows_path(a->access, "/vm-ab/0"));
	CHECK(enc_access_allows_path(b->access, "/vm-b-2/1"));
	CHECK(enc_access_allows_path(b->access, "/vm-c/0"));
	CHECK(!enc_access_allows_path(b->access, "/vm-a/0"));
	CHECK(enc_access_allows_path(all->access, "/anything/0"));

	CHECK(!load("vm-a aaaaaaaaaaaaaaaa\nvm-b aaaaaaaaaaaaaaaa\n", 0600,
		    token, err));
	CHECK(strstr(err, ":2:") && strstr(err, "twice"));
	CHECK(!load("vm-a,,vm-b aaaaaaaaaaaaaaaa\n", 0600, token, err));
	CHECK(strstr(err, ":1:") && strstr(err, "vGPU list"));
	CHECK(!load("vm/a aaaaaaaaaaaaaaaa\n", 0600, token, err));
	CHECK(strstr(err, ":1:"));
	CHECK(!load("vm-a\n", 0600, token, err)); /* a list, no token */
}

/* The permission word: view by default, control when the line says so,
 * with or without a vGPU list; a third word of anything else refused. */
static void test_control(void)
{
	const struct enc_token *a, *b, *c, *d, *e;
	char token[ENC_TOKEN_MAX_LEN + 1], err[512];

	CHECK(load("vm-a aaaaaaaaaaaaaaaa control\n"
		   "bbbbbbbbbbbbbbbb control\n"
		   "vm-c cccccccccccccccc view\n"
		   "dddddddddddddddd\n"
		   "control eeeeeeeeeeeeeeee\n",
		   0600, token, err));
	a = enc_tokens_match(&tokens, "aaaaaaaaaaaaaaaa");
	b = enc_tokens_match(&tokens, "bbbbbbbbbbbbbbbb");
	c = enc_tokens_match(&tokens, "cccccccccccccccc");
	d = enc_tokens_match(&tokens, "dddddddddddddddd");
	e = enc_tokens_match(&tokens, "eeeeeeeeeeeeeeee");
	CHECK(a && b && c && d && e);
	if (!a || !b || !c || !d || !e)
		return;
	CHECK(a->control && !a->every_vgpu && !strcmp(a->access, "vm-a"));
	CHECK(b->control && b->every_vgpu);
	CHECK(!c->control && !strcmp(c->access, "vm-c"));
	CHECK(!d->control && d->every_vgpu);
	/* a vGPU may be called "control": first word, a list */
	CHECK(!e->control && !strcmp(e->access, "control"));
	CHECK(!load("vm-a aaaaaaaaaaaaaaaa admin\n", 0600, token, err));
	CHECK(strstr(err, ":1:") && strstr(err, "view|control"));
	CHECK(!load("vm-a aaaaaaaaaaaaaaaa control control\n", 0600, token,
		    err));
	CHECK(!load("control\n", 0600, token, err));
	CHECK(!load("vm-a control\n", 0600, token, err));
	CHECK(strstr(err, "at least 16"));
}

int main(void)
{
	char token[ENC_TOKEN_MAX_LEN + 1], err[512], cmd[64];
	char longer[ENC_TOKEN_MAX_LEN + 8];

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
	CHECK(!load("0123456789abcdef\n# another viewer\nshort\n", 0600, token,
		    err));
	CHECK(strstr(err, ":3:") && strstr(err, "at least 16"));
	CHECK(!enc_tokens_load("/nonexistent/token", &tokens, err,
			       sizeof(err)));
	CHECK(strstr(err, "cannot open"));
	/* the comparison */
	CHECK(enc_token_matches("0123456789abcdef", "0123456789abcdef"));
	CHECK(!enc_token_matches("0123456789abcdef", "0123456789abcdeF"));
	CHECK(!enc_token_matches("0123456789abcdef", "0123456789abcde"));
	CHECK(!enc_token_matches("0123456789abcdef", "0123456789abcdef0"));
	CHECK(!enc_token_matches("0123456789abcdef", ""));
	CHECK(!enc_token_matches("0123456789abcdef", NULL));
	test_access();
	test_control();
	enc_tokens_finish(&tokens);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return check_result("token");
}
