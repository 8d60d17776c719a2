// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for socket-modes.sh: after each successful bind() of
 * a unix socket to a path, writes "<mode in octal> <path>" to the file
 * named by $VP_BIND_MODE_LOG. The mode is the socket file's at the
 * moment it appears, before the caller can chmod it: the moment other
 * users could first connect.
 */

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
	const char *log = getenv("VP_BIND_MODE_LOG");
	struct stat st;
	FILE *f;
	int ret;

	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *,
				     socklen_t))dlsym(RTLD_NEXT, "bind");
	ret = real_bind(fd, addr, len);
	if (ret || !log || addr->sa_family != AF_UNIX || !un->sun_path[0])
		return ret;
	f = fopen(log, "ae");
	if (!f)
		return ret;
	if (stat(un->sun_path, &st) == 0)
		fprintf(f, "%04o %s\n", (unsigned int)(st.st_mode & 07777),
			un->sun_path);
	else
		fprintf(f, "???? %s\n", un->sun_path);
	fclose(f);
	return ret;
}
