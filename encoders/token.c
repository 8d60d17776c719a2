// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "secret_file.h"
#include "token.h"

/* Characters that pass through a URL query unescaped. */
static bool url_safe(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-._~") == strlen(s);
}

static bool add(struct enc_tokens *tokens, const char *secret,
		const char *access, bool every_vgpu, bool control)
{
	struct enc_token *list =
		realloc(tokens->list, (tokens->count + 1) * sizeof(*list));
	struct enc_token *t;

	if (!list)
		return false;
	tokens->list = list;
	t = &list[tokens->count];
	*t = (struct enc_token){ .every_vgpu = every_vgpu, .control = control };
	t->access = strdup(access);
	if (!t->access)
		return false;
	snprintf(t->secret, sizeof(t->secret), "%s", secret);
	tokens->count++;
	return true;
}

/* Split @line in place into at most @max words separated by blanks;
 * the number of words, or max + 1 if there are more. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;

	for (;;) {
		line += strspn(line, " \t");
		if (!*line)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = line;
		line += strcspn(line, " \t");
		if (*line)
			*line++ = 0;
	}
}

/* One non-comment line: [VGPUS ]TOKEN[ PERMISSION]. A permission
 * ("view" or "control") is never mistaken for a token: it is shorter
 * than ENC_TOKEN_MIN_LEN. */
static bool parse_line(char *line, struct enc_tokens *tokens, const char *where,
		       char *err, size_t err_size)
{
	const char *access = ENC_ACCESS_EVERY_VGPU;
	char why[160], *words[3], *secret;
	size_t n = split_words(line, words, 3);
	bool control = false;

	if (n >= 2 && n <= 3 &&
	    (!strcmp(words[n - 1], ENC_TOKEN_CONTROL) ||
	     !strcmp(words[n - 1], ENC_TOKEN_VIEW))) {
		control = !strcmp(words[n - 1], ENC_TOKEN_CONTROL);
		n--;
	}
	if (n < 1 || n > 2) {
		snprintf(err, err_size,
			 "%s: expected '[VGPUS ]TOKEN[ view|control]'", where);
		return false;
	}
	secret = words[n - 1];
	if (n == 2) {
		if (!enc_access_valid(words[0], why, sizeof(why))) {
			snprintf(err, err_size, "%s: %s", where, why);
			return false;
		}
		access = words[0];
	}
	if (strlen(secret) > ENC_TOKEN_MAX_LEN) {
		snprintf(err, err_size, "%s: token longer than %d characters",
			 where, ENC_TOKEN_MAX_LEN);
		return false;
	}
	if (strlen(secret) < ENC_TOKEN_MIN_LEN || !url_safe(secret)) {
		snprintf(err, err_size,
			 "%s: expected '[VGPUS ]TOKEN[ view|control]', a token "
			 "of at least "
			 "%d characters of A-Z a-z 0-9 - . _ ~ (e.g. from "
			 "'openssl rand -hex 16')",
			 where, ENC_TOKEN_MIN_LEN);
		return false;
	}
	if (enc_tokens_match(tokens, secret)) {
		snprintf(err, err_size, "%s: the same token twice", where);
		return false;
	}
	if (!add(tokens, secret, access, n == 1, control)) {
		snprintf(err, err_size, "out of memory");
		return false;
	}
	return true;
}

static bool parse(FILE *f, const char *path, struct enc_tokens *tokens,
		  char *err, size_t err_size)
{
	/* a vGPU list, a blank, a token */
	char line[ENC_TOKEN_MAX_LEN + 1024], where[300];
	unsigned int lineno = 0;
	bool ok = true;
	size_t n;

	while (ok && fgets(line, sizeof(line), f)) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		n = strcspn(line, "\r\n");
		if (!line[n] && !feof(f)) {
			snprintf(err, err_size, "%s: line too long", where);
			ok = false;
		} else {
			while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
				n--;
			line[n] = 0;
			if (n && line[0] != '#')
				ok = parse_line(line, tokens, where, err,
						err_size);
		}
		explicit_bzero(line, sizeof(line));
	}
	if (!ok)
		return false;
	if (ferror(f)) {
		snprintf(err, err_size, "%s: read error: %s", path,
			 strerror(errno));
		return false;
	}
	if (!tokens->count) {
		snprintf(err, err_size, "%s: no token line", path);
		return false;
	}
	return true;
}

bool enc_tokens_load(const char *path, struct enc_tokens *tokens, char *err,
		     size_t err_size)
{
	FILE *f;
	bool ok;

	*tokens = (struct enc_tokens){ 0 };
	f = enc_secret_file_fopen(path, "a token", err, err_size);
	if (!f)
		return false;
	ok = parse(f, path, tokens, err, err_size);
	fclose(f);
	if (!ok)
		enc_tokens_finish(tokens);
	return ok;
}

void enc_tokens_finish(struct enc_tokens *tokens)
{
	size_t i;

	for (i = 0; i < tokens->count; i++) {
		explicit_bzero(tokens->list[i].secret,
			       sizeof(tokens->list[i].secret));
		free(tokens->list[i].access);
	}
	free(tokens->list);
	*tokens = (struct enc_tokens){ 0 };
}

const struct enc_token *enc_tokens_match(const struct enc_tokens *tokens,
					 const char *given)
{
	const struct enc_token *found = NULL;
	size_t i;

	for (i = 0; i < tokens->count; i++)
		if (enc_token_matches(tokens->list[i].secret, given))
			found = &tokens->list[i];
	return found;
}

bool enc_token_matches(const char *token, const char *given)
{
	size_t n = strlen(token), i;
	unsigned char diff = 0;

	if (!given || strlen(given) != n)
		return false;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(token[i] ^ given[i]);
	return diff == 0;
}
