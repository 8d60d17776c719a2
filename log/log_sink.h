/* SPDX-License-Identifier: MIT */
/*
 * The one log sink of vplaned and encoders/: one set of levels, one line
 * format, one place that decides the threshold and where lines go.
 *
 * A line is "HH:MM:SS.mmm [LEVEL] [file:line] message": the time since
 * the sink started (its first line or log_sink_init(), whichever came
 * first), the level, where the line was logged, the message. On a
 * terminal the level is shown as a colour instead of "[LEVEL]" (as
 * wlroots' own logger did). Lines go to stderr, each in one writev()
 * and one thread's at a time, so lines of different threads never mix;
 * a message of any length is written whole.
 *
 * Who writes here: vplaned's files and encoders/ through log_error(),
 * log_info(), log_debug() and log_errno() below; wlroots' and libvplane's
 * lines reach log_sink_vwrite() through the callbacks server/log_bridge.c
 * installs.
 *
 * Thread-safe: GStreamer's threads log here too. No wlroots,
 * GStreamer or libvplane here: encoders/ and its tests link this alone.
 */
#ifndef LOG_SINK_H
#define LOG_SINK_H

#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Most to least important; the same numbers as wlroots' and libvplane's
 * levels, though server/log_bridge.c maps them explicitly. */
enum log_level {
	LOG_LEVEL_SILENT = 0, /* as a threshold: nothing is written */
	LOG_LEVEL_ERROR,      /* a failure, logged once where it happened */
	LOG_LEVEL_INFO,	      /* what an operator follows: starts, clients */
	LOG_LEVEL_DEBUG,      /* per-frame detail (vplaned --verbose) */
};

/*
 * From now on write the lines at @threshold or more important (a level
 * past DEBUG counts as DEBUG). Before the first call the threshold is
 * INFO. Starts the clock of the elapsed times if no line has yet. May be
 * called again, from any thread, to change the threshold.
 */
void log_sink_init(enum log_level threshold);

/* Whether a line at @level is written now (SILENT: never). */
bool log_sink_wants(enum log_level level);

/*
 * Write one line at @level (a level past DEBUG is DEBUG), its message
 * formatted from @fmt and @args as is: callers whose messages carry their
 * own "[file:line] " (wlroots', libvplane's) come in here. Dropped if
 * @level is under the threshold. errno is kept.
 */
void log_sink_vwrite(enum log_level level, const char *fmt, va_list args)
	__attribute__((format(printf, 2, 0)));

/* The same, with "[file:line] " put before the message (@file's last
 * path component). */
void log_sink_write_at(enum log_level level, const char *file, int line,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * How vplaned and the encoders log: "[file:line] message" at one level,
 * once where a failure happens. log_at() takes the level as a value;
 * log_errno() adds ": strerror(errno)" (errno as it is when the
 * arguments are evaluated).
 */
#define log_error(fmt, ...)                                         \
	log_sink_write_at(LOG_LEVEL_ERROR, __FILE__, __LINE__, fmt, \
			  ##__VA_ARGS__)
#define log_info(fmt, ...)                                         \
	log_sink_write_at(LOG_LEVEL_INFO, __FILE__, __LINE__, fmt, \
			  ##__VA_ARGS__)
#define log_debug(fmt, ...)                                         \
	log_sink_write_at(LOG_LEVEL_DEBUG, __FILE__, __LINE__, fmt, \
			  ##__VA_ARGS__)
#define log_at(level, fmt, ...) \
	log_sink_write_at(level, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define log_errno(fmt, ...)                                                \
	log_sink_write_at(LOG_LEVEL_ERROR, __FILE__, __LINE__, fmt ": %s", \
			  ##__VA_ARGS__, strerror(errno))

#endif /* LOG_SINK_H */
