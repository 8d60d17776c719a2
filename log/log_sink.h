/* SPDX-License-Identifier: MIT */
/*
 * The one log sink of vplaned and encoders/: one set of levels, one line
 * format, one place that decides the threshold and where lines go.
 *
 * A line is "HH:MM:SS.mmm [LEVEL] [file:line] message": the time since
 * the sink started (its first line or vp_log_sink_init(), whichever came
 * first), the level, where the line was logged, the message. On a
 * terminal the level is shown as a colour instead of "[LEVEL]" (as
 * wlroots' own logger did). Lines go to stderr, each in one writev()
 * and one thread's at a time, so lines of different threads never mix;
 * a message of any length is written whole.
 *
 * Who writes here: encoders/ through enc_log() (enc_log.h: an alias of
 * vp_log_sink_write_at()); vplaned's own files through wlroots' wlr_log(),
 * whose lines, like wlroots' and libvplane's own, reach
 * vp_log_sink_vwrite() through the callbacks server/log_bridge.c installs.
 *
 * Thread-safe: GStreamer's threads log through enc_log(). No wlroots,
 * GStreamer or libvplane here: encoders/ and its tests link this alone.
 */
#ifndef VP_LOG_SINK_H
#define VP_LOG_SINK_H

#include <stdarg.h>
#include <stdbool.h>

/* Most to least important; the same numbers as wlroots' and libvplane's
 * levels, though server/log_bridge.c maps them explicitly. */
enum vp_log_level {
	VP_LOG_LEVEL_SILENT = 0, /* as a threshold: nothing is written */
	VP_LOG_LEVEL_ERROR,	 /* a failure, logged once where it happened */
	VP_LOG_LEVEL_INFO,	 /* what an operator follows: starts, clients */
	VP_LOG_LEVEL_DEBUG,	 /* per-frame detail (vplaned --verbose) */
};

/*
 * From now on write the lines at @threshold or more important (a level
 * past DEBUG counts as DEBUG). Before the first call the threshold is
 * INFO. Starts the clock of the elapsed times if no line has yet. May be
 * called again, from any thread, to change the threshold.
 */
void vp_log_sink_init(enum vp_log_level threshold);

/* Whether a line at @level is written now (SILENT: never). */
bool vp_log_sink_wants(enum vp_log_level level);

/*
 * Write one line at @level (a level past DEBUG is DEBUG), its message
 * formatted from @fmt and @args as is: callers whose messages carry their
 * own "[file:line] " (wlroots', libvplane's) come in here. Dropped if
 * @level is under the threshold. errno is kept.
 */
void vp_log_sink_vwrite(enum vp_log_level level, const char *fmt, va_list args)
	__attribute__((format(printf, 2, 0)));

/* The same, with "[file:line] " put before the message (@file's last
 * path component). */
void vp_log_sink_write_at(enum vp_log_level level, const char *file, int line,
			  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* VP_LOG_SINK_H */
