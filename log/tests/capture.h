/* SPDX-License-Identifier: MIT */
/*
 * For tests of the log sink: what a test logs between capture_begin()
 * and capture_end() lands in a memfd standing in for stderr (fd 2 itself
 * is swapped, so the sink's real write path runs), then is read back.
 * Needs check.h (server/libvplane/tests) included first.
 */
#ifndef LOG_TEST_LOG_CAPTURE_H
#define LOG_TEST_LOG_CAPTURE_H

#include <regex.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int capture_saved_stderr = -1;
static int capture_fd = -1;

static inline void capture_begin(void)
{
	capture_fd = memfd_create("stderr", MFD_CLOEXEC);
	capture_saved_stderr = dup(STDERR_FILENO);
	CHECK(capture_fd >= 0 && capture_saved_stderr >= 0);
	CHECK(dup2(capture_fd, STDERR_FILENO) == STDERR_FILENO);
}

/* Restores stderr; returns what was written, NUL-terminated (free it). */
static inline char *capture_end(void)
{
	off_t size;
	char *text;

	CHECK(dup2(capture_saved_stderr, STDERR_FILENO) == STDERR_FILENO);
	close(capture_saved_stderr);
	size = lseek(capture_fd, 0, SEEK_END);
	CHECK(size >= 0);
	text = calloc(1, (size_t)size + 1);
	CHECK(text && pread(capture_fd, text, (size_t)size, 0) == size);
	close(capture_fd);
	return text;
}

/* @text matches the POSIX extended regex @pattern (anchor it); says
 * what it got if not. */
static inline bool matches(const char *text, const char *pattern)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "bad pattern '%s'\n", pattern);
		return false;
	}
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok)
		fprintf(stderr, "got:\n%.2000s\nwanted: %s\n", text, pattern);
	return ok;
}

/* The elapsed time and the space after it. */
#define TIME_RE "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "

#endif /* LOG_TEST_LOG_CAPTURE_H */
