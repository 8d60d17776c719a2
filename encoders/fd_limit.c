// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fd_limit.h"

#define RESERVE_MIN 16
#define RESERVE_MAX 256

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int client_limit = 1024 - RESERVE_MIN;

static void init_once(void)
{
	struct rlimit rl;
	rlim_t reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = { rl.rlim_max, rl.rlim_max };

		/* select(2) users are not in this process */
		if (!setrlimit(RLIMIT_NOFILE, &raised))
			rl.rlim_cur = rl.rlim_max;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	reserve = rl.rlim_cur / 8;
	if (reserve < RESERVE_MIN)
		reserve = RESERVE_MIN;
	if (reserve > RESERVE_MAX)
		reserve = RESERVE_MAX;
	client_limit = rl.rlim_cur > reserve ? (int)(rl.rlim_cur - reserve) : 0;
}

void enc_fd_limit_init(void)
{
	pthread_once(&once, init_once);
}

int enc_fd_client_limit(void)
{
	enc_fd_limit_init();
	return client_limit;
}

bool enc_fd_client_ok(int fd)
{
	return fd >= 0 && fd < enc_fd_client_limit();
}

bool enc_fd_room(int fd)
{
	int probe = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	bool ok;

	if (probe < 0)
		return false;
	ok = enc_fd_client_ok(probe);
	close(probe);
	if (!ok)
		errno = EMFILE;
	return ok;
}

bool enc_fd_exhausted_errno(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	       err == ENOMEM;
}
