// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "handover_send.h"

int vplane_handover_send(const char *who, const char *path, const char *name,
			 int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = (void *)name,
			     .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	char answer[200];
	ssize_t n;
	int conn;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "%s: %s: path too long\n", who, path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	conn = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (conn < 0 || connect(conn, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr,
			"%s: %s: cannot connect: %s (is vplaned running with "
			"--vfio-socket %s?)\n",
			who, path, strerror(errno), path);
		goto err;
	}
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(conn, &msg, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "%s: send: %s\n", who, strerror(errno));
		goto err;
	}
	n = recv(conn, answer, sizeof(answer) - 1, 0);
	if (n <= 0) {
		fprintf(stderr, "%s: no answer from vplaned: %s\n", who,
			n < 0 ? strerror(errno) : "connection closed");
		goto err;
	}
	answer[n] = 0;
	if (strcmp(answer, "ok")) {
		fprintf(stderr, "%s: vplaned says: %s\n", who, answer);
		goto err;
	}
	return conn;

err:
	if (conn >= 0)
		close(conn);
	return -1;
}
