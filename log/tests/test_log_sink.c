// SPDX-License-Identifier: MIT
/*
 * The one log sink (log/log_sink.h) writing to its real stderr (fd 2
 * swapped for a memfd, or a pty for the terminal format): the line
 * format, levels and threshold, errno kept, a line longer than any
 * buffer written whole, and lines of threads never mixed.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <termios.h>

#include "check.h"
#include "capture.h"
#include "log_sink.h"

static void vwrite(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vwrite(enum log_level level, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_sink_vwrite(level, fmt, args);
	va_end(args);
}

/* "HH:MM:SS.mmm [LEVEL] [file:line] message", the location either put
 * in by the sink (the last path component) or already in the message. */
static void test_format(void)
{
	char *out;

	log_sink_init(LOG_LEVEL_DEBUG);
	capture_begin();
	log_sink_write_at(LOG_LEVEL_INFO, "../encoders/rtsp.c", 42, "hello %d",
			  7);
	log_sink_write_at(LOG_LEVEL_DEBUG, "plain.c", 1, "no dir");
	vwrite(LOG_LEVEL_ERROR, "[%s:%d] failed: %s", "../server/output.c", 9,
	       "why");
	out = capture_end();
	/* the clock started with this process's first line: seconds ago */
	CHECK(matches(out, "^00:00:[0-9]{2}\\.[0-9]{3} \\[INFO\\] "
			   "\\[rtsp\\.c:42\\] hello 7\n"
			   "00:00:[0-9]{2}\\.[0-9]{3} \\[DEBUG\\] "
			   "\\[plain\\.c:1\\] no dir\n"
			   "00:00:[0-9]{2}\\.[0-9]{3} \\[ERROR\\] "
			   "\\[\\.\\./server/output\\.c:9\\] failed: why\n$"));
	free(out);
}

/* Written iff the level is not SILENT and at or above the threshold; a
 * level (or threshold) past DEBUG is DEBUG. */
static void test_threshold(void)
{
	static const int levels[] = { 0, 1, 2, 3, 7 };
	static const char *const names[] = { "", "ERROR", "INFO", "DEBUG",
					     "DEBUG" };
	int t, i;

	for (t = LOG_LEVEL_SILENT; t <= 4; t++) {
		for (i = 0; i < 5; i++) {
			int level = levels[i],
			    effective = level > 3 ? 3 : level;
			bool want = level != 0 && effective <= (t > 3 ? 3 : t);
			char pattern[128];
			char *out;

			log_sink_init((enum log_level)t);
			CHECK(log_sink_wants((enum log_level)level) == want);
			capture_begin();
			log_sink_write_at((enum log_level)level, "t.c", level,
					  "x");
			out = capture_end();
			snprintf(pattern, sizeof(pattern),
				 "^" TIME_RE "\\[%s\\] \\[t\\.c:%d\\] x\n$",
				 names[i], level);
			if (want)
				CHECK(matches(out, pattern));
			else if (*out)
				CHECK(!"written under the threshold");
			free(out);
		}
	}
}

static void test_errno_kept(void)
{
	char *out;

	log_sink_init(LOG_LEVEL_INFO);
	capture_begin();
	errno = EXDEV;
	log_sink_write_at(LOG_LEVEL_ERROR, "e.c", 1, "written");
	CHECK(errno == EXDEV);
	log_sink_write_at(LOG_LEVEL_DEBUG, "e.c", 2, "dropped");
	CHECK(errno == EXDEV);
	vwrite(LOG_LEVEL_ERROR, "written too");
	CHECK(errno == EXDEV);
	out = capture_end();
	CHECK(matches(out,
		      "^" TIME_RE "\\[ERROR\\] \\[e\\.c:1\\] written\n" TIME_RE
		      "\\[ERROR\\] written too\n$"));
	free(out);
}

/* Messages around the sink's stack buffer and far past it come out
 * whole, in one line each. */
static void test_long_lines(void)
{
	static const size_t sizes[] = { 0,    1,    1022, 1023,
					1024, 1025, 4096, 100000 };
	char *msg = malloc(100001);
	size_t i, k;

	CHECK(msg != NULL);
	for (k = 0; k < 100000; k++)
		msg[k] = (char)('a' + k % 26);
	log_sink_init(LOG_LEVEL_INFO);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *out, *text;
		size_t n = sizes[i];
		char saved = msg[n];

		msg[n] = 0;
		capture_begin();
		log_sink_write_at(LOG_LEVEL_INFO, "long.c", 3, "%s", msg);
		vwrite(LOG_LEVEL_INFO, "[x.c:4] %s", msg);
		out = capture_end();
		msg[n] = saved;
		/* the first line's message, then the second's */
		text = strstr(out, "[long.c:3] ");
		CHECK(text && !strncmp(text + 11, msg, n) &&
		      text[11 + n] == '\n');
		text = text ? strstr(text + 11 + n, "[x.c:4] ") : NULL;
		CHECK(text && !strncmp(text + 8, msg, n) &&
		      !strcmp(text + 8 + n, "\n"));
		CHECK(strlen(out) ==
		      2 * (strlen("00:00:00.000 [INFO] ") + n + 1) +
			      strlen("[long.c:3] ") + strlen("[x.c:4] "));
		free(out);
	}
	free(msg);
}

#define THREADS	   4
#define LINES	   40
#define LINE_CHARS 3000

static void *log_lines(void *data)
{
	char letter = (char)(intptr_t)data;
	char msg[LINE_CHARS + 1];
	int i;

	memset(msg, letter, LINE_CHARS);
	msg[LINE_CHARS] = 0;
	for (i = 0; i < LINES; i++)
		log_sink_write_at(LOG_LEVEL_INFO, "thread.c", letter, "%s",
				  msg);
	return NULL;
}

/* Long lines from several threads at once: each line is whole, one
 * thread's letter, none lost. */
static void test_threads(void)
{
	pthread_t threads[THREADS];
	int count[THREADS] = { 0 };
	char *out, *line, *save = NULL;
	int t, total = 0;

	log_sink_init(LOG_LEVEL_INFO);
	capture_begin();
	for (t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, log_lines,
			       (void *)(intptr_t)('A' + t));
	for (t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	out = capture_end();
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), total++) {
		char *msg = strstr(line, "] [thread.c:");
		int letter = msg ? atoi(msg + 12) : 0;
		size_t k;

		msg = msg ? strstr(msg + 12, "] ") : NULL;
		if (!msg || letter < 'A' || letter >= 'A' + THREADS ||
		    strlen(msg + 2) != LINE_CHARS) {
			CHECK(!"a line mixed or cut");
			continue;
		}
		for (k = 0; k < LINE_CHARS && msg[2 + k] == letter; k++)
			;
		CHECK(k == LINE_CHARS);
		count[letter - 'A']++;
	}
	CHECK(total == THREADS * LINES);
	for (t = 0; t < THREADS; t++)
		CHECK(count[t] == LINES);
	free(out);
}

/* On a terminal the level is a colour, reset at the line's end. */
static void test_terminal(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int slave = -1, saved = dup(STDERR_FILENO);
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	char out[256] = "";
	struct termios tio;
	size_t got = 0;

	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	if (master >= 0)
		slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(slave >= 0 && tcgetattr(slave, &tio) == 0);
	if (slave < 0)
		return;
	cfmakeraw(&tio); /* no \n -> \r\n */
	CHECK(tcsetattr(slave, TCSANOW, &tio) == 0);
	log_sink_init(LOG_LEVEL_INFO);
	CHECK(dup2(slave, STDERR_FILENO) == STDERR_FILENO);
	log_sink_write_at(LOG_LEVEL_ERROR, "tty.c", 5, "red");
	log_sink_write_at(LOG_LEVEL_INFO, "tty.c", 6, "blue");
	CHECK(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
	close(saved);
	close(slave);
	while (got < sizeof(out) - 1 && poll(&pfd, 1, 1000) == 1) {
		ssize_t n = read(master, out + got, sizeof(out) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		out[got] = 0;
		if (strstr(out, "blue\x1B[0m\n"))
			break;
	}
	close(master);
	CHECK(matches(out, "^" TIME_RE "\x1B\\[1;31m\\[tty\\.c:5\\] red\x1B"
			   "\\[0m\n" TIME_RE
			   "\x1B\\[1;34m\\[tty\\.c:6\\] blue\x1B\\[0m\n$"));
}

int main(void)
{
	test_format();
	test_threshold();
	test_errno_kept();
	test_long_lines();
	test_threads();
	test_terminal();
	return check_result("log-sink");
}
