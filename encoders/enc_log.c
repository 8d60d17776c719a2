// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "enc_log.h"

static vp_enc_log_fn log_fn;

void vp_enc_log_init(vp_enc_log_fn fn)
{
	log_fn = fn;
}

void vp_enc_log_at(enum vp_enc_log_level level, const char *file, int line,
		   const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	char msg[512];
	int n;
	va_list args;

	n = snprintf(msg, sizeof(msg), "[%s:%d] ", base ? base + 1 : file,
		     line);
	va_start(args, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, args);
	va_end(args);
	if (log_fn)
		log_fn(level, msg);
	else if (level != VP_ENC_LOG_DEBUG)
		fprintf(stderr, "%s\n", msg);
}
