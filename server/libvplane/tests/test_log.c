// SPDX-License-Identifier: MIT
/*
 * libvplane's logging (vplane/log.h): the callback gets "[file:line]
 * message" for lines up to the verbosity, a message longer than the
 * library's buffer whole, errno kept.
 */
#include <stdlib.h>

#include "check.h"
#include "log.h"

static char *last_log;
static int calls;

static void capture_log(enum vp_log_importance importance, const char *fmt,
			va_list args) __attribute__((format(printf, 2, 0)));

static void capture_log(enum vp_log_importance importance, const char *fmt,
			va_list args)
{
	(void)importance;
	free(last_log);
	CHECK(vasprintf(&last_log, fmt, args) >= 0);
	calls++;
}

int main(void)
{
	char *msg = malloc(5001), *want = NULL;
	int line;

	CHECK(msg != NULL);
	memset(msg, 'm', 5000);
	msg[5000] = 0;
	vp_log_init(VP_LOG_INFO, capture_log);

	errno = EXDEV;
	line = __LINE__ + 1;
	vp_log(VP_LOG_ERROR, "%s", msg);
	CHECK(errno == EXDEV);
	CHECK(asprintf(&want, "[test_log.c:%d] %s", line, msg) > 0);
	CHECK(calls == 1 && last_log && !strcmp(last_log, want));
	free(want);

	line = __LINE__ + 1;
	vp_log(VP_LOG_INFO, "short %d", 1);
	CHECK(asprintf(&want, "[test_log.c:%d] short 1", line) > 0);
	CHECK(calls == 2 && last_log && !strcmp(last_log, want));
	free(want);

	vp_log(VP_LOG_DEBUG, "over the verbosity");
	vp_log(VP_LOG_SILENT, "never");
	CHECK(calls == 2);

	free(last_log);
	free(msg);
	return check_result("libvplane-log");
}
