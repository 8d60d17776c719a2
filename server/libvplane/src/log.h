/* SPDX-License-Identifier: MIT */
/* Internal: the "[file:line] message" logger behind vplane/log.h. */
#ifndef VP_INTERNAL_LOG_H
#define VP_INTERNAL_LOG_H

#include <errno.h>
#include <string.h>

#include "vplane/log.h"

void vp_log_at(enum vp_log_importance importance, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define vp_log(importance, fmt, ...) \
	vp_log_at(importance, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
/* Appends strerror(errno); errno is kept. */
#define vp_log_errno(importance, fmt, ...)                                   \
	vp_log_at(importance, __FILE__, __LINE__, fmt ": %s", ##__VA_ARGS__, \
		  strerror(errno))

#endif /* VP_INTERNAL_LOG_H */
