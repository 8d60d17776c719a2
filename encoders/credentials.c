// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "credentials.h"
#include "secret_file.h"

static void credential_finish(struct enc_credential *c)
{
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	if (c->ha1)
		explicit_bzero(c->ha1, strlen(c->ha1));
	free(c->user);
	free(c->password);
	free(c->ha1);
	free(c->access);
}

/* Takes @c's strings, even on failure. */
static bool add(struct enc_credentials *creds, struct enc_credential *c)
{
	struct enc_credential *list;

	if (!c->user || (!c->password && !c->ha1) || !c->access)
		goto err;
	list = realloc(creds->list, (creds->count + 1) * sizeof(*list));
	if (!list)
		goto err;
	creds->list = list;
	list[creds->count++] = *c;
	return true;
err:
	credential_finish(c);
	return false;
}

/* Strip the newline and trailing blanks; true if anything is left. */
static bool trim(char *line)
{
	size_t n = strcspn(line, "\r\n");

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	line[n] = 0;
	return n && line[0] != '#';
}

static bool is_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdefABCDEF") == n && !s[n];
}

static bool known_user(const struct enc_credentials *creds, const char *user)
{
	size_t i;

	for (i = 0; i < creds->count; i++)
		if (!strcmp(creds->list[i].user, user))
			return true;
	return false;
}

/* One non-comment line: [VGPUS ]user:password or user:realm:HA1. */
static bool parse_line(char *line, struct enc_credentials *creds,
		       const char *where, char *err, size_t err_size)
{
	struct enc_credential c = { 0 };
	char why[160], *entry = line, *colon, *secret, *realm_end;
	const char *access = ENC_ACCESS_EVERY_VGPU;
	size_t blank = strcspn(line, " \t");

	if (blank < strcspn(line, ":") && line[blank]) {
		/* "VGPUS user:...": the list, then the entry */
		line[blank] = 0;
		if (!enc_access_valid(line, why, sizeof(why))) {
			snprintf(err, err_size, "%s: %s", where, why);
			return false;
		}
		access = line;
		entry = line + blank + 1;
		entry += strspn(entry, " \t");
	} else {
		c.every_vgpu = true;
	}
	colon = strchr(entry, ':');
	if (!colon || colon == entry || !colon[1] ||
	    strcspn(entry, " \t") < (size_t)(colon - entry)) {
		snprintf(err, err_size,
			 "%s: expected '[VGPUS ]user:password' or "
			 "'[VGPUS ]user:" ENC_CREDENTIALS_REALM ":HA1' (a user "
			 "without blanks, a non-empty password)",
			 where);
		return false;
	}
	*colon = 0;
	secret = colon + 1;
	if (known_user(creds, entry)) {
		snprintf(err, err_size, "%s: user '%s' appears twice", where,
			 entry);
		return false;
	}
	realm_end = strchr(secret, ':');
	if (realm_end && is_hex(realm_end + 1, ENC_CREDENTIALS_HA1_LEN) &&
	    strcspn(secret, " \t") > (size_t)(realm_end - secret)) {
		/* htdigest: user:realm:HA1 */
		*realm_end = 0;
		if (strcmp(secret, ENC_CREDENTIALS_REALM)) {
			snprintf(err, err_size,
				 "%s: htdigest realm '%.64s', expected "
				 "'" ENC_CREDENTIALS_REALM
				 "' (htdigest FILE " ENC_CREDENTIALS_REALM
				 " %s)",
				 where, secret, entry);
			return false;
		}
		c.ha1 = strdup(realm_end + 1);
		for (char *h = c.ha1; h && *h; h++)
			*h = (char)tolower((unsigned char)*h);
	} else {
		c.password = strdup(secret);
	}
	c.user = strdup(entry);
	c.access = strdup(access);
	if (!add(creds, &c)) {
		snprintf(err, err_size, "out of memory");
		return false;
	}
	return true;
}

static bool parse(FILE *f, const char *path, struct enc_credentials *creds,
		  char *err, size_t err_size)
{
	char line[512], where[300];
	unsigned int lineno = 0;
	bool ok = true;

	while (ok && fgets(line, sizeof(line), f)) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, err_size, "%s: line too long", where);
			ok = false;
		} else if (trim(line)) {
			ok = parse_line(line, creds, where, err, err_size);
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
	if (!creds->count) {
		snprintf(err, err_size, "%s: no 'user:password' line", path);
		return false;
	}
	return true;
}

bool enc_credentials_load(const char *path, struct enc_credentials *creds,
			  char *err, size_t err_size)
{
	FILE *f;
	bool ok;

	*creds = (struct enc_credentials){ 0 };
	f = enc_secret_file_fopen(path, "credentials", err, err_size);
	if (!f)
		return false;
	ok = parse(f, path, creds, err, err_size);
	fclose(f);
	if (!ok)
		enc_credentials_finish(creds);
	return ok;
}

void enc_credentials_finish(struct enc_credentials *creds)
{
	size_t i;

	for (i = 0; i < creds->count; i++)
		credential_finish(&creds->list[i]);
	free(creds->list);
	*creds = (struct enc_credentials){ 0 };
}
