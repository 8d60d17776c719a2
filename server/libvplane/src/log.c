// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum vp_log_importance log_verbosity = VP_LOG_ERROR;
static vp_log_func_t log_callback;

static const char *const log_prefix[] = {
	[VP_LOG_SILENT] = "",
	[VP_LOG_ERROR] = "libvplane error",
	[VP_LOG_INFO] = "libvplane info",
	[VP_LOG_DEBUG] = "libvplane debug",
};

static void log_stderr(enum vp_log_importance importance, const char *fmt,
		       va_list args) __attribute__((format(printf, 2, 0)));

static void log_stderr(enum vp_log_importance importance, const char *fmt,
		       va_list args)
{
	if (importance > VP_LOG_DEBUG)
		importance = VP_LOG_DEBUG;
	fprintf(stderr, "%s: ", log_prefix[importance]);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

void vp_log_init(enum vp_log_importance verbosity, vp_log_func_t callback)
{
	log_verbosity = verbosity;
	log_callback = callback;
}

static void emit(enum vp_log_importance importance, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(enum vp_log_importance importance, const char *fmt, ...)
{
	vp_log_func_t callback = log_callback ? log_callback : log_stderr;
	va_list args;

	va_start(args, fmt);
	callback(importance, fmt, args);
	va_end(args);
}

void vp_log_at(enum vp_log_importance importance, const char *file, int line,
	       const char *fmt, ...)
{
	int saved_errno = errno;
	const char *base = strrchr(file, '/');
	char msg[512], *heap = NULL;
	const char *text = msg;
	va_list args;
	int n;

	if (importance == VP_LOG_SILENT || importance > log_verbosity)
		return;
	va_start(args, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	/* a longer message is formatted again whole, never cut silently */
	if (n >= (int)sizeof(msg)) {
		heap = malloc((size_t)n + 1);
		if (heap) {
			va_start(args, fmt);
			vsnprintf(heap, (size_t)n + 1, fmt, args);
			va_end(args);
			text = heap;
		}
	}
	emit(importance,
	     heap || n < (int)sizeof(msg) ? "[%s:%d] %s"
					  : "[%s:%d] %s [... cut]",
	     base ? base + 1 : file, line, text);
	free(heap);
	errno = saved_errno;
}
