// SPDX-License-Identifier: MIT
/*
 * What of the display can be checked without the device: GET_INFO
 * validation (argsz, api_version, event_size), the open errors and their
 * messages, and that create_from_fd takes its fd even when it fails.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "info.h"
#include "vplane/display.h"
#include "vplane/log.h"

static char last_log[1024];

static void capture_log(enum vp_log_importance importance, const char *fmt,
			va_list args) __attribute__((format(printf, 2, 0)));

static void capture_log(enum vp_log_importance importance, const char *fmt,
			va_list args)
{
	(void)importance;
	vsnprintf(last_log, sizeof(last_log), fmt, args);
}

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

static struct vplane_display_info good_info(void)
{
	struct vplane_display_info info = {
		.argsz = sizeof(info),
		.api_version = VPLANE_DISPLAY_API_VERSION,
		.nr_heads = 2,
		.max_width = 4096,
		.max_height = 4096,
		.cursor_max = 64,
		.ack_timeout_ms = 100,
		.vram_size = 64 << 20,
		.event_size = sizeof(struct vplane_display_event),
		.queue_len = 64,
	};

	strcpy(info.uuid, "3b4e0c2a-5c1f-4f0e-9d37-5a0f6b8a2c11");
	strcpy(info.type, "vplane-1");
	return info;
}

static void test_info_check(void)
{
	struct vplane_display_info info = good_info();

	CHECK(sizeof(info) == 120); /* the v1 ABI */
	CHECK(vp_info_check(&info));

	/* a newer driver that knows more fields is fine */
	info.argsz = sizeof(info) + 64;
	CHECK(vp_info_check(&info));

	/* a driver that filled less than version 1 */
	info = good_info();
	info.argsz = offsetof(struct vplane_display_info, uuid);
	errno = 0;
	CHECK(!vp_info_check(&info) && errno == EPROTO);
	CHECK(strstr(last_log, "filled") != NULL);

	info = good_info();
	info.api_version = 0;
	CHECK(!vp_info_check(&info) && errno == EPROTO);
	info.api_version = VPLANE_DISPLAY_API_VERSION + 1;
	CHECK(!vp_info_check(&info) && errno == EPROTO);
	CHECK(strstr(last_log, "api_version") != NULL);

	info = good_info();
	info.event_size = sizeof(struct vplane_display_event) - 8;
	CHECK(!vp_info_check(&info));
	info.event_size = sizeof(struct vplane_display_event) + 4;
	CHECK(!vp_info_check(&info));
	info.event_size = 4096;
	CHECK(!vp_info_check(&info));
	CHECK(strstr(last_log, "event_size") != NULL);
	info.event_size = sizeof(struct vplane_display_event) + 16;
	CHECK(vp_info_check(&info));

	info = good_info();
	info.nr_heads = 0;
	CHECK(!vp_info_check(&info));

	info = good_info();
	memset(info.uuid, 'a', sizeof(info.uuid));
	CHECK(!vp_info_check(&info));
	info = good_info();
	memset(info.type, 'a', sizeof(info.type));
	CHECK(!vp_info_check(&info));
}

static void test_from_fd_takes_fd(void)
{
	int sv[2], before;

	errno = 0;
	CHECK(!vp_display_create_from_fd(-1) && errno == EBADF);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	before = count_fds();
	errno = 0;
	CHECK(!vp_display_create_from_fd(sv[0]));
	CHECK(errno == ENOTTY);
	CHECK(strstr(last_log, "not a vplane display node") != NULL);
	/* taken even on failure: closed */
	CHECK(!fd_is_open(sv[0]));
	CHECK(count_fds() == before - 1);
	close(sv[1]);
}

static void test_open_errors(void)
{
	char path[] = "/tmp/vplane-test-XXXXXX";
	int before = count_fds(), fd;

	errno = 0;
	CHECK(!vp_display_create_from_uuid("../../etc/passwd"));
	CHECK(errno == EINVAL);
	CHECK(!vp_display_create_from_uuid("") && errno == EINVAL);
	CHECK(!vp_display_create_from_uuid(
		      "0123456789abcdef0123456789abcdef01234567") &&
	      errno == EINVAL); /* longer than info.uuid holds */

	errno = 0;
	CHECK(!vp_display_create_from_uuid(
		"00000000-0000-0000-0000-00000000dead"));
	CHECK(errno == ENOENT);
	CHECK(strstr(last_log,
		     "/dev/vplane/00000000-0000-0000-0000-00000000dead") &&
	      strstr(last_log, "no display node"));

	/* a character device that is not a display node */
	errno = 0;
	CHECK(!vp_display_create_from_path("/dev/null") && errno == ENOTTY);
	CHECK(strstr(last_log, "not a vplane display node") != NULL);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	CHECK(!vp_display_create_from_path(path) && errno == ENOTTY);
	CHECK(strstr(last_log, "not a character device") != NULL);

	/* permission denied, as an unprivileged user */
	CHECK(chmod(path, 0600) == 0);
	if (geteuid() == 0) {
		pid_t pid = fork();
		int status = -1;

		if (pid == 0) {
			bool ok;

			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(2);
			errno = 0;
			ok = !vp_display_create_from_path(path) &&
			     errno == EACCES &&
			     strstr(last_log, "run as root or in that group");
			_exit(ok ? 0 : 1);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		CHECK(chmod(path, 0) == 0);
		errno = 0;
		CHECK(!vp_display_create_from_path(path) && errno == EACCES);
		CHECK(strstr(last_log, "run as root or in that group"));
	}
	unlink(path);

	/* failures leak no fd */
	CHECK(count_fds() == before);
	vp_display_destroy(NULL);
}

int main(void)
{
	vp_log_init(VP_LOG_DEBUG, capture_log);
	test_info_check();
	test_from_fd_takes_fd();
	test_open_errors();
	return check_result("display");
}
