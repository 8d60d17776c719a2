// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "secret_file.h"

static bool add(struct vp_credentials *creds, const char *user,
		const char *password)
{
	struct vp_credential *list =
		realloc(creds->list, (creds->count + 1) * sizeof(*list));

	if (!list)
		return false;
	creds->list = list;
	list[creds->count].user = strdup(user);
	list[creds->count].password = strdup(password);
	if (!list[creds->count].user || !list[creds->count].password) {
		free(list[creds->count].user);
		free(list[creds->count].password);
		return false;
	}
	creds->count++;
	return true;
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

static bool parse(FILE *f, const char *path, struct vp_credentials *creds,
		  char *err, size_t err_size)
{
	char line[512];
	unsigned int lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		char *colon;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, err_size, "%s:%u: line too long", path,
				 lineno);
			return false;
		}
		if (!trim(line))
			continue;
		colon = strchr(line, ':');
		if (!colon || colon == line || !colon[1] ||
		    strcspn(line, " \t") < (size_t)(colon - line)) {
			snprintf(err, err_size,
				 "%s:%u: expected 'user:password' (a user "
				 "without blanks, a non-empty password)",
				 path, lineno);
			return false;
		}
		*colon = 0;
		if (!add(creds, line, colon + 1)) {
			snprintf(err, err_size, "out of memory");
			return false;
		}
	}
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

bool vp_credentials_load(const char *path, struct vp_credentials *creds,
			 char *err, size_t err_size)
{
	FILE *f;
	bool ok;

	*creds = (struct vp_credentials){ 0 };
	f = vp_secret_file_fopen(path, "credentials", err, err_size);
	if (!f)
		return false;
	ok = parse(f, path, creds, err, err_size);
	fclose(f);
	if (!ok)
		vp_credentials_finish(creds);
	return ok;
}

void vp_credentials_finish(struct vp_credentials *creds)
{
	size_t i;

	for (i = 0; i < creds->count; i++) {
		explicit_bzero(creds->list[i].password,
			       strlen(creds->list[i].password));
		free(creds->list[i].user);
		free(creds->list[i].password);
	}
	free(creds->list);
	*creds = (struct vp_credentials){ 0 };
}
