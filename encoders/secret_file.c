// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "secret_file.h"

int enc_secret_file_open(const char *path, const char *what, bool secret,
			 struct stat *st, char *err, size_t err_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	/* the mode of what was opened, not of what the path names later */
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		snprintf(err, err_size, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (secret && (st->st_mode & 07777 & ~ENC_SECRET_FILE_MODE)) {
		snprintf(err, err_size,
			 "%s has mode %04o: %s must not be readable by others "
			 "or writable by the group (chmod 600 %s)",
			 path, (unsigned int)(st->st_mode & 07777), what, path);
		close(fd);
		return -1;
	}
	return fd;
}

FILE *enc_secret_file_fopen(const char *path, const char *what, char *err,
			    size_t err_size)
{
	struct stat st;
	FILE *f;
	int fd = enc_secret_file_open(path, what, true, &st, err, err_size);

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
