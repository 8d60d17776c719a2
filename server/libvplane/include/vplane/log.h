/* SPDX-License-Identifier: MIT */
/*
 * libvplane logging. The library logs each failure once, where it
 * happened, as "[file:line] message"; by default errors go to stderr.
 * Logging never changes errno.
 */
#ifndef VPLANE_LOG_H
#define VPLANE_LOG_H

#include <stdarg.h>

enum vp_log_importance {
	VP_LOG_SILENT = 0,
	VP_LOG_ERROR,
	VP_LOG_INFO,
	VP_LOG_DEBUG,
};

typedef void (*vp_log_func_t)(enum vp_log_importance importance,
			      const char *fmt, va_list args);

/*
 * Log messages up to @verbosity through @callback (NULL: stderr). Not
 * thread-safe: call it before any other libvplane function.
 */
void vp_log_init(enum vp_log_importance verbosity, vp_log_func_t callback);

#endif /* VPLANE_LOG_H */
