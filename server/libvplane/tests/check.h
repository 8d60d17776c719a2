/* SPDX-License-Identifier: MIT */
/* Minimal assertions for the libvplane unit tests: a failed CHECK prints
 * file:line and the expression, and makes the test exit 1. */
#ifndef VP_TEST_CHECK_H
#define VP_TEST_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: %s (errno %d: %s)\n", \
				__FILE__, __LINE__, #cond, errno,          \
				strerror(errno));                          \
			check_failures++;                                  \
		}                                                          \
	} while (0)

static inline int check_result(const char *name)
{
	fprintf(stderr, "%s: %s (%d failed checks)\n", name,
		check_failures ? "FAIL" : "ok", check_failures);
	return check_failures ? 1 : 0;
}

/* True if @fd is an open fd of this process. */
static inline bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

static inline bool fd_is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

#endif /* VP_TEST_CHECK_H */
