// SPDX-License-Identifier: MIT
/*
 * enc_recording with the real x264 encoder and Matroska muxer, fed memfd
 * frames, recording into a temporary record directory:
 * - names that exist are never opened (a file is not truncated, a
 *   symlink not followed, a FIFO not opened: no blocking), names with
 *   '/', "..", or an absolute path elsewhere are refused;
 * - when the next file (after a size change) cannot be made (a
 *   directory has its name, the name is past NAME_MAX, the directory
 *   was deleted, the file-count bound) the recording stops by itself,
 *   the ended callback says why, nothing is used after free (run it in
 *   a b_sanitize=address build);
 * - the byte bound and the duration bound stop a recording, the file
 *   is still a whole Matroska file;
 * - enc_recording_stop() returns at once; the ended callback comes from
 *   dispatch when the file is complete.
 * Skips (77) if x264enc is not installed.
 */
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <glib/gstdio.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "recording.h"
#include "stream_consumer.h"

#define MAX_W 320
#define MAX_H 240

static struct enc_stream *stream;
static int frame_fd;
static uint8_t *pixels;
static unsigned int serial;

struct ended {
	bool called, clean;
	char summary[1024];
};

static void handle_ended(void *data, bool clean, const char *summary)
{
	struct ended *e = data;

	e->called = true;
	e->clean = clean;
	snprintf(e->summary, sizeof(e->summary), "%s", summary);
	fprintf(stderr, "ended (%s): %s\n", clean ? "clean" : "not clean",
		summary);
}

static void release(void *data)
{
}

/* Dispatch the stream and @rec for up to @ms. */
static void pump(struct enc_recording *rec, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = enc_stream_get_fd(stream), .events = POLLIN },
			{ .fd = rec ? enc_recording_get_fd(rec) : -1,
			  .events = POLLIN },
		};
		gint64 left = (end - g_get_monotonic_time()) / 1000;

		if (left <= 0)
			return;
		if (poll(pfd, 2, (int)left) <= 0)
			continue;
		if (pfd[0].revents)
			enc_stream_dispatch(stream);
		if (pfd[1].revents)
			enc_recording_dispatch(rec);
	}
}

/* @n frames of @w x @h (a keyframe first), each followed by a pump. */
static void feed(struct enc_recording *rec, int w, int h, int n)
{
	for (int i = 0; i < n; i++) {
		struct enc_frame frame = {
			.fd = frame_fd,
			.memory = ENC_FRAME_MEMFD,
			.drm_format = DRM_FORMAT_XRGB8888,
			.width = (uint32_t)w,
			.height = (uint32_t)h,
			.stride = MAX_W * 4,
			.size = MAX_W * 4 * MAX_H,
			.release = release,
		};

		/* noise: a few kB per frame even encoded */
		uint32_t *px = (uint32_t *)pixels;

		for (size_t k = 0; k < MAX_W * MAX_H; k++)
			px[k] = g_random_int() ^ serial;
		serial++;
		enc_stream_push(stream, &frame, i == 0);
		pump(rec, 30);
	}
}

/* Feed until @e->called (or @ms). */
static void feed_until_ended(struct enc_recording *rec, struct ended *e, int w,
			     int h, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (!e->called && g_get_monotonic_time() < end)
		feed(rec, w, h, 1);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	return remove(path);
}

/* The temporary directory and everything in it. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static char *path_in(const char *dir, const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static bool is_matroska(const char *path, off_t *size)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, magic, 4) == 4 && !memcmp(magic, "\x1a\x45\xdf\xa3", 4) &&
	     fstat(fd, &st) == 0;
	if (ok && size)
		*size = st.st_size;
	close(fd);
	return ok;
}

static struct enc_record_dir *make_dir(char *tmpl, unsigned int max_kb,
				       unsigned int max_files,
				       unsigned int max_seconds)
{
	struct enc_record_limits limits = {
		.max_bytes = (uint64_t)max_kb * 1024,
		.max_files = max_files,
		.max_seconds = max_seconds,
	};

	CHECK(g_mkdtemp(tmpl));
	return enc_record_dir_create(tmpl, &limits);
}

/* Names that exist, or are not a file name in the directory. */
static void test_refused_names(void)
{
	char tmpl[] = "/tmp/vp-rec-XXXXXX", outside[] = "/tmp/vp-out-XXXXXX";
	struct enc_record_dir *dir = make_dir(tmpl, 0, 0, 0);
	char *p, why[320];
	struct ended e = { 0 };
	int fd;

	CHECK(dir && g_mkdtemp(outside));
	/* an existing file keeps its bytes */
	p = path_in(tmpl, "old.mkv");
	CHECK(g_file_set_contents(p, "precious", -1, NULL));
	CHECK(!enc_recording_create(stream, dir, "old.mkv", handle_ended, &e,
				    why, sizeof(why)));
	CHECK(strstr(why, "File exists"));
	{
		gchar *text = NULL;

		CHECK(g_file_get_contents(p, &text, NULL, NULL) &&
		      !strcmp(text, "precious"));
		g_free(text);
	}
	g_free(p);
	/* a symlink, even dangling, is not followed */
	p = path_in(outside, "target.mkv");
	{
		char *link = path_in(tmpl, "link.mkv");

		CHECK(symlink(p, link) == 0);
		CHECK(!enc_recording_create(stream, dir, "link.mkv",
					    handle_ended, &e, why,
					    sizeof(why)));
		CHECK(access(p, F_OK) != 0); /* not created through it */
		g_free(link);
	}
	g_free(p);
	/* a FIFO is not opened (an open would block: alarm fails it) */
	p = path_in(tmpl, "fifo.mkv");
	CHECK(mkfifo(p, 0600) == 0);
	alarm(10);
	CHECK(!enc_recording_create(stream, dir, "fifo.mkv", handle_ended, &e,
				    why, sizeof(why)));
	alarm(0);
	g_free(p);
	/* names: one component in this directory only */
	CHECK(!enc_record_dir_name(dir, "../escape.mkv", why, sizeof(why)));
	CHECK(!enc_record_dir_name(dir, "..", why, sizeof(why)));
	CHECK(!enc_record_dir_name(dir, "sub/x.mkv", why, sizeof(why)));
	CHECK(!enc_record_dir_name(dir, "", why, sizeof(why)));
	CHECK(!enc_record_dir_name(dir, "/etc/passwd", why, sizeof(why)));
	p = g_strdup_printf("%s/../x.mkv", tmpl);
	CHECK(!enc_record_dir_name(dir, p, why, sizeof(why)));
	g_free(p);
	p = g_strdup_printf("%s-other/x.mkv", tmpl);
	CHECK(!enc_record_dir_name(dir, p, why, sizeof(why)));
	g_free(p);
	p = path_in(tmpl, "x.mkv");
	CHECK(enc_record_dir_name(dir, p, why, sizeof(why)) &&
	      !strcmp(enc_record_dir_name(dir, p, why, sizeof(why)), "x.mkv"));
	g_free(p);
	CHECK(!e.called);
	/* nothing new was made in either directory */
	fd = open(outside, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	close(fd);
	enc_record_dir_destroy(dir);
	remove_tree(tmpl);
	remove_tree(outside);
}

/* The next file cannot be made: the recording stops, says why. */
static void test_next_file_fails(const char *how)
{
	char tmpl[] = "/tmp/vp-rec-XXXXXX";
	struct enc_record_dir *dir =
		make_dir(tmpl, 0, !strcmp(how, "max-files") ? 1 : 0, 0);
	char name[300], why[320], *p;
	struct ended e = { 0 };
	struct enc_recording *rec;
	const char *want;

	CHECK(dir);
	if (!strcmp(how, "long")) {
		/* 250 + ".mkv" fits NAME_MAX, "<250>.1.mkv" does not */
		memset(name, 'r', 250);
		strcpy(name + 250, ".mkv");
		want = "File name too long";
	} else {
		strcpy(name, "rec.mkv");
		want = !strcmp(how, "directory") ? "File exists"
		       : !strcmp(how, "deleted") ? "No such file"
						 : "--record-max-files";
	}
	if (!strcmp(how, "directory")) {
		p = path_in(tmpl, "rec.1.mkv");
		CHECK(g_mkdir(p, 0700) == 0);
		g_free(p);
	}
	rec = enc_recording_create(stream, dir, name, handle_ended, &e, why,
				   sizeof(why));
	CHECK(rec);
	if (!rec)
		return;
	feed(rec, 320, 240, 10);
	if (!strcmp(how, "deleted")) {
		p = path_in(tmpl, name);
		CHECK(g_unlink(p) == 0 && g_rmdir(tmpl) == 0);
		g_free(p);
	}
	feed_until_ended(rec, &e, 256, 192, 10000);
	CHECK(e.called && !e.clean);
	CHECK(strstr(e.summary, "stopped:") && strstr(e.summary, want));
	fprintf(stderr, "%s: %s\n", how, e.summary);
	/* the first file is whole (unless the directory is gone) */
	if (strcmp(how, "deleted")) {
		p = path_in(tmpl, name);
		CHECK(is_matroska(p, NULL));
		g_free(p);
	}
	enc_recording_destroy(rec);
	enc_record_dir_destroy(dir);
	remove_tree(tmpl);
}

/* The byte bound and the duration bound. */
static void test_bounds(void)
{
	char tmpl[] = "/tmp/vp-rec-XXXXXX", tmpl2[] = "/tmp/vp-rec-XXXXXX";
	struct enc_record_dir *dir = make_dir(tmpl, 1024, 0, 0);
	struct ended e = { 0 };
	struct enc_recording *rec;
	char why[320], *p;
	off_t size = 0;

	CHECK(dir);
	rec = enc_recording_create(stream, dir, "big.mkv", handle_ended, &e,
				   why, sizeof(why));
	CHECK(rec);
	if (!rec)
		return;
	/* noise-like frames: each a few kB */
	feed_until_ended(rec, &e, 320, 240, 20000);
	CHECK(e.called && !e.clean && strstr(e.summary, "--record-max-mb"));
	p = path_in(tmpl, "big.mkv");
	CHECK(is_matroska(p, &size));
	fprintf(stderr, "byte bound 1 MB: file %lld bytes\n", (long long)size);
	/* the frames stay within the bound; the index adds a little */
	CHECK(size > 0 && size <= 1024 * 1024 + 8192);
	g_free(p);
	enc_recording_destroy(rec);
	enc_record_dir_destroy(dir);
	remove_tree(tmpl);

	dir = make_dir(tmpl2, 0, 0, 1);
	memset(&e, 0, sizeof(e));
	rec = enc_recording_create(stream, dir, "long.mkv", handle_ended, &e,
				   why, sizeof(why));
	CHECK(rec);
	if (!rec)
		return;
	feed_until_ended(rec, &e, 320, 240, 5000);
	CHECK(e.called && !e.clean &&
	      strstr(e.summary, "--record-max-seconds"));
	p = path_in(tmpl2, "long.mkv");
	CHECK(is_matroska(p, NULL));
	g_free(p);
	enc_recording_destroy(rec);
	enc_record_dir_destroy(dir);
	remove_tree(tmpl2);
}

/* Stop returns at once; the answer comes from dispatch. */
static void test_async_stop(void)
{
	char tmpl[] = "/tmp/vp-rec-XXXXXX";
	struct enc_record_dir *dir = make_dir(tmpl, 0, 0, 0);
	struct ended e = { 0 };
	struct enc_recording *rec;
	char why[320], *p;
	gint64 t0, stop_us;

	CHECK(dir);
	rec = enc_recording_create(stream, dir, "stop.mkv", handle_ended, &e,
				   why, sizeof(why));
	CHECK(rec);
	if (!rec)
		return;
	feed(rec, 320, 240, 10);
	t0 = g_get_monotonic_time();
	CHECK(enc_recording_stop(rec));
	stop_us = g_get_monotonic_time() - t0;
	CHECK(!enc_recording_stop(rec));
	fprintf(stderr, "enc_recording_stop returned in %lld us\n",
		(long long)stop_us);
	CHECK(stop_us < 20000);
	for (int t = 0; t < 100 && !e.called; t++)
		pump(rec, 50);
	CHECK(e.called && e.clean && strstr(e.summary, "stop.mkv: "));
	p = path_in(tmpl, "stop.mkv");
	CHECK(is_matroska(p, NULL));
	g_free(p);
	enc_recording_destroy(rec);
	enc_record_dir_destroy(dir);
	remove_tree(tmpl);
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	GstElementFactory *factory;

	gst_init(NULL, NULL);
	factory = gst_element_factory_find("x264enc");
	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return 77;
	}
	gst_object_unref(factory);
	frame_fd = memfd_create("frame", MFD_CLOEXEC);
	CHECK(frame_fd >= 0 && ftruncate(frame_fd, MAX_W * 4 * MAX_H) == 0);
	pixels = mmap(NULL, MAX_W * 4 * MAX_H, PROT_READ | PROT_WRITE,
		      MAP_SHARED, frame_fd, 0);
	CHECK(pixels != MAP_FAILED);
	stream = enc_stream_create("test", x264, NULL);
	CHECK(stream);
	if (!stream || pixels == MAP_FAILED)
		return check_result("recording");

	test_refused_names();
	test_next_file_fails("directory");
	test_next_file_fails("long");
	test_next_file_fails("deleted");
	test_next_file_fails("max-files");
	test_bounds();
	test_async_stop();

	enc_stream_destroy(stream);
	munmap(pixels, MAX_W * 4 * MAX_H);
	close(frame_fd);
	return check_result("recording");
}
