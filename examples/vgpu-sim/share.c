// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "share.h"

int sim_share_device(const char *path, const char *name, int device_fd)
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
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "--share-fd %s: path too long\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "--share-fd %s: cannot connect: %s\n", path,
			strerror(errno));
		goto err;
	}
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &device_fd, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "--share-fd %s: send: %s\n", path,
			strerror(errno));
		goto err;
	}
	n = recv(fd, answer, sizeof(answer) - 1, 0);
	if (n <= 0) {
		fprintf(stderr, "--share-fd %s: no answer: %s\n", path,
			n < 0 ? strerror(errno) : "connection closed");
		goto err;
	}
	answer[n] = 0;
	if (strcmp(answer, "ok")) {
		fprintf(stderr, "--share-fd %s: vplaned says: %s\n", path,
			answer);
		goto err;
	}
	return fd;

err:
	if (fd >= 0)
		close(fd);
	return -1;
}
