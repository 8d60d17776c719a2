// SPDX-License-Identifier: MIT
/*
 * The sink (log_sink.h): filter a line by the threshold, format its
 * message (on the stack, on the heap when longer), then emit() it, the
 * one place that decides where a line goes. Today that is stderr, with
 * the elapsed time and the level in front; journald (issue 18) would take
 * the same struct line there, with a priority for its level and the
 * location as fields.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log_sink.h"

/* Most messages fit here and cost no allocation; longer ones are
 * formatted again on the heap. */
#define STACK_MESSAGE 1024

static atomic_int threshold = LOG_LEVEL_INFO;
static pthread_once_t clock_started = PTHREAD_ONCE_INIT;
static struct timespec start_time;
/* One line at a time: a pipe takes a write whole only up to PIPE_BUF,
 * and a short write goes on in a second one. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[LOG_LEVEL_SILENT] = "",
	[LOG_LEVEL_ERROR] = "[ERROR]",
	[LOG_LEVEL_INFO] = "[INFO]",
	[LOG_LEVEL_DEBUG] = "[DEBUG]",
};

/* On a terminal the level is a colour, as wlroots' logger shows it. */
static const char *const level_colors[] = {
	[LOG_LEVEL_SILENT] = "",
	[LOG_LEVEL_ERROR] = "\x1B[1;31m",
	[LOG_LEVEL_INFO] = "\x1B[1;34m",
	[LOG_LEVEL_DEBUG] = "\x1B[1;90m",
};

/* One line, as every destination gets it. */
struct line {
	enum log_level level;
	const char *file; /* NULL: the location is in the message */
	int line;
	const char *message;
	size_t message_len;
};

static void start_clock(void)
{
	clock_gettime(CLOCK_MONOTONIC, &start_time);
}

static enum log_level clamp(enum log_level level)
{
	return (unsigned int)level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : level;
}

void log_sink_init(enum log_level level)
{
	pthread_once(&clock_started, start_clock);
	atomic_store(&threshold, (int)clamp(level));
}

bool log_sink_wants(enum log_level level)
{
	level = clamp(level);
	return level != LOG_LEVEL_SILENT &&
	       (int)level <=
		       atomic_load_explicit(&threshold, memory_order_relaxed);
}

/* writev() until all of @iov is written (a signal or a full pipe may
 * stop it short); a line stderr cannot take is dropped. */
static void write_all(int fd, struct iovec *iov, int count)
{
	while (count > 0) {
		ssize_t n = writev(fd, iov, count);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (; count > 0 && (size_t)n >= iov->iov_len; iov++, count--)
			n -= (ssize_t)iov->iov_len;
		if (count > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
}

#define IOV(p, n)  ((struct iovec){ .iov_base = (void *)(p), .iov_len = (n) })
#define IOV_STR(s) IOV(s, strlen(s))

/* "HH:MM:SS.mmm [LEVEL] [file:line] message\n" in one writev(), one
 * thread at a time. */
static void emit_stderr(const struct line *line)
{
	bool colored = isatty(STDERR_FILENO);
	char head[64], where[24];
	struct iovec iov[6];
	struct timespec now;
	long long ms;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = ((long long)(now.tv_sec - start_time.tv_sec) * 1000000000LL +
	      (now.tv_nsec - start_time.tv_nsec)) /
	     1000000;
	snprintf(head, sizeof(head),
		 colored ? "%02lld:%02lld:%02lld.%03lld %s"
			 : "%02lld:%02lld:%02lld.%03lld %s ",
		 ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000,
		 colored ? level_colors[line->level]
			 : level_names[line->level]);
	iov[n++] = IOV_STR(head);
	if (line->file) {
		const char *base = strrchr(line->file, '/');

		snprintf(where, sizeof(where), ":%d] ", line->line);
		iov[n++] = IOV_STR("[");
		iov[n++] = IOV_STR(base ? base + 1 : line->file);
		iov[n++] = IOV_STR(where);
	}
	iov[n++] = IOV(line->message, line->message_len);
	iov[n++] = IOV_STR(colored ? "\x1B[0m\n" : "\n");
	pthread_mutex_lock(&write_lock);
	write_all(STDERR_FILENO, iov, n);
	pthread_mutex_unlock(&write_lock);
}

/* Where lines go: the one place to add a destination. */
static void emit(const struct line *line)
{
	emit_stderr(line);
}

/* Out of memory for a long message: its start, ending in a note that
 * says it was cut (never cut silently). */
static size_t mark_cut(char *buf, size_t size, int full_len)
{
	char note[64];
	int n = snprintf(note, sizeof(note), " [... cut: %d bytes, no memory]",
			 full_len);

	memcpy(buf + size - 1 - n, note, (size_t)n + 1);
	return size - 1;
}

static void write_line(enum log_level level, const char *file, int line,
		       const char *fmt, va_list args)
	__attribute__((format(printf, 4, 0)));

static void write_line(enum log_level level, const char *file, int line,
		       const char *fmt, va_list args)
{
	struct line l = { .level = clamp(level), .file = file, .line = line };
	char stack[STACK_MESSAGE], *heap = NULL;
	va_list copy;
	int n;

	pthread_once(&clock_started, start_clock);
	va_copy(copy, args);
	n = vsnprintf(stack, sizeof(stack), fmt, copy);
	va_end(copy);
	if (n < 0) { /* not formattable (EOVERFLOW): say what it was */
		l.message = fmt;
		l.message_len = strlen(fmt);
	} else if ((size_t)n < sizeof(stack)) {
		l.message = stack;
		l.message_len = (size_t)n;
	} else if ((heap = malloc((size_t)n + 1))) {
		vsnprintf(heap, (size_t)n + 1, fmt, args);
		l.message = heap;
		l.message_len = (size_t)n;
	} else {
		l.message = stack;
		l.message_len = mark_cut(stack, sizeof(stack), n);
	}
	emit(&l);
	free(heap);
}

void log_sink_vwrite(enum log_level level, const char *fmt, va_list args)
{
	int saved_errno = errno;

	if (log_sink_wants(level))
		write_line(level, NULL, 0, fmt, args);
	errno = saved_errno;
}

void log_sink_write_at(enum log_level level, const char *file, int line,
		       const char *fmt, ...)
{
	int saved_errno = errno;
	va_list args;

	if (log_sink_wants(level)) {
		va_start(args, fmt);
		write_line(level, file, line, fmt, args);
		va_end(args);
	}
	errno = saved_errno;
}
