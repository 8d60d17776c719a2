// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "secret_file.h"
#include "token.h"

/* Characters that pass through a URL query unescaped. */
static bool url_safe(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-._~") == strlen(s);
}

static bool parse(FILE *f, const char *path, char *token, char *err,
		  size_t err_size)
{
	char line[VP_TOKEN_MAX_LEN + 2];
	size_t n;

	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, err_size,
				 "%s: token longer than %d characters", path,
				 VP_TOKEN_MAX_LEN);
			return false;
		}
		n = strcspn(line, "\r\n");
		line[n] = 0;
		if (!n || line[0] == '#')
			continue;
		if (n < VP_TOKEN_MIN_LEN || !url_safe(line)) {
			snprintf(err, err_size,
				 "%s: the token must be at least %d characters "
				 "of A-Z a-z 0-9 - . _ ~ (e.g. from "
				 "'openssl rand -hex 16')",
				 path, VP_TOKEN_MIN_LEN);
			explicit_bzero(line, sizeof(line));
			return false;
		}
		memcpy(token, line, n + 1);
		explicit_bzero(line, sizeof(line));
		return true;
	}
	if (ferror(f))
		snprintf(err, err_size, "%s: read error: %s", path,
			 strerror(errno));
	else
		snprintf(err, err_size, "%s: no token line", path);
	return false;
}

bool vp_token_load(const char *path, char *token, char *err, size_t err_size)
{
	FILE *f = vp_secret_file_fopen(path, "a token", err, err_size);
	bool ok;

	if (!f)
		return false;
	ok = parse(f, path, token, err, err_size);
	fclose(f);
	return ok;
}

bool vp_token_matches(const char *token, const char *given)
{
	size_t n = strlen(token), i;
	unsigned char diff = 0;

	if (!given || strlen(given) != n)
		return false;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(token[i] ^ given[i]);
	return diff == 0;
}
