// SPDX-License-Identifier: MIT
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "access.h"

/* Longest vGPU name or pattern considered (vGPU names are far shorter:
 * a UUID, or a display node's file name). */
#define PATTERN_MAX 255

static const char pattern_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz"
				    "0123456789-_.*?[]!";

bool enc_access_valid(const char *list, char *err, size_t err_size)
{
	const char *p = list;

	if (!*list) {
		snprintf(err, err_size, "an empty vGPU list");
		return false;
	}
	for (;;) {
		size_t n = strspn(p, pattern_chars);

		if (!n || n > PATTERN_MAX) {
			snprintf(err, err_size,
				 "vGPU list '%.64s': expected vGPU names or "
				 "patterns (A-Z a-z 0-9 - _ . * ? [ ] !, at "
				 "most %d characters) separated by commas",
				 list, PATTERN_MAX);
			return false;
		}
		p += n;
		if (!*p)
			return true;
		if (*p != ',' || !p[1]) {
			snprintf(err, err_size,
				 "vGPU list '%.64s': unexpected '%c' (names "
				 "are separated by single commas)",
				 list, *p);
			return false;
		}
		p++;
	}
}

/* @vgpu matches one pattern of @list. */
static bool matches(const char *list, const char *vgpu, size_t vgpu_len)
{
	char name[PATTERN_MAX + 1], pattern[PATTERN_MAX + 1];
	const char *p = list;

	if (!vgpu_len || vgpu_len > PATTERN_MAX)
		return false;
	memcpy(name, vgpu, vgpu_len);
	name[vgpu_len] = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n && n <= PATTERN_MAX) {
			memcpy(pattern, p, n);
			pattern[n] = 0;
			if (fnmatch(pattern, name, 0) == 0)
				return true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

bool enc_access_allows(const char *list, const char *vgpu)
{
	return list && vgpu && matches(list, vgpu, strlen(vgpu));
}

bool enc_access_allows_path(const char *list, const char *path)
{
	if (!list || !path || path[0] != '/')
		return false;
	path++;
	return matches(list, path, strcspn(path, "/?"));
}
