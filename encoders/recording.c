// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_sink.h"
#include "mailbox.h"
#include "recording.h"
#include "stream_consumer.h"

/* How long the end of a file may take (muxer index, file close). */
#define FINISH_TIMEOUT_US (5 * G_USEC_PER_SEC)

struct enc_record_dir {
	char *path;
	int fd; /* O_DIRECTORY, owned */
	uint64_t max_bytes;
	unsigned int max_files, max_seconds;
	/* bytes in the directory: set by a scan (the event loop's
	 * thread), grown by every recording's parser thread */
	atomic_uint_fast64_t used;
};

/*
 * One file of a recording: appsrc (a consumer of the stream) !
 * h264parse ! matroskamux ! fdsink, at one picture size. GStreamer's
 * threads only set the atomics, signal @cond and post the mails; the
 * finisher thread ends the pipeline; the event loop's thread owns
 * everything else.
 */
struct segment_mail {
	struct enc_mail mail; /* first: notes are found from their mail */
	struct segment *seg;
};

enum stop_cause {
	STOP_NONE,
	STOP_BYTES,
	STOP_DURATION,
};

struct segment {
	/* posted under @lock and only while @live; @finished by the
	 * finisher, last: the reader frees the segment on that one */
	struct segment_mail resized;  /* the stream changed size */
	struct segment_mail limit;    /* a bound was reached */
	struct segment_mail failed;   /* the pipeline failed */
	struct segment_mail finished; /* ended and closed */
	struct enc_recording *rec;
	struct enc_stream_consumer *consumer;
	GstElement *pipeline; /* owned */
	GstAppSrc *src;	      /* in the pipeline */
	char *name;	      /* in the record directory */
	int fd;		      /* the file, owned; -1: closed */
	GThread *finisher;    /* once ended */
	/* the parser's streaming thread, until @resized is posted */
	int width, height;
	atomic_bool stopping; /* nothing more goes into this file */
	atomic_int cause;     /* enum stop_cause, with @limit */
	atomic_uint_fast64_t frames;
	GMutex lock;
	GCond cond;
	bool live;	      /* under lock: started and not ended */
	bool done, error;     /* under lock: EOS or an error came */
	char why[640];	      /* under lock: the error */
	struct segment *next; /* enc_recording.ending */
};

struct enc_recording {
	struct enc_stream *stream; /* a reference */
	struct enc_record_dir *dir;
	char *name;		 /* as asked: the first file */
	unsigned int files;	 /* started so far */
	gint64 started_us;	 /* the first file's start */
	struct segment *current; /* NULL once stopped */
	struct segment *ending;	 /* ended, waiting for the finisher */
	struct enc_mailbox box;
	enc_recording_ended_fn ended;
	void *data;
	char last[640];	  /* what the last finished file holds, for people */
	char reason[640]; /* why it stopped by itself; "" if it did not */
	bool unclean;	  /* a file did not end cleanly */
	bool stopped;	  /* stop asked, or stopped by itself */
};

static struct segment *segment_from_mail(struct enc_mail *mail)
{
	return ((struct segment_mail *)mail)->seg;
}

/* ---- the directory ---- */

struct enc_record_dir *
enc_record_dir_create(const char *path, const struct enc_record_limits *limits)
{
	struct enc_record_dir *dir = g_new0(struct enc_record_dir, 1);

	dir->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir->fd < 0) {
		log_error("record directory %s: %s", path, strerror(errno));
		g_free(dir);
		return NULL;
	}
	dir->path = g_strdup(path);
	/* "/x/" and "/x" name the same directory: no trailing slash */
	while (strlen(dir->path) > 1 && g_str_has_suffix(dir->path, "/"))
		dir->path[strlen(dir->path) - 1] = 0;
	dir->max_bytes = limits->max_bytes
				 ? limits->max_bytes
				 : (uint64_t)ENC_RECORD_DEFAULT_MAX_MB << 20;
	dir->max_files = limits->max_files ? limits->max_files
					   : ENC_RECORD_DEFAULT_MAX_FILES;
	dir->max_seconds = limits->max_seconds ? limits->max_seconds
					       : ENC_RECORD_DEFAULT_MAX_SECONDS;
	log_info("recordings go to %s (at most %llu MB in %u files, %u s "
		 "each)",
		 dir->path, (unsigned long long)(dir->max_bytes >> 20),
		 dir->max_files, dir->max_seconds);
	return dir;
}

void enc_record_dir_destroy(struct enc_record_dir *dir)
{
	if (!dir)
		return;
	close(dir->fd);
	g_free(dir->path);
	g_free(dir);
}

const char *enc_record_dir_get_path(const struct enc_record_dir *dir)
{
	return dir->path;
}

const char *enc_record_dir_name(const struct enc_record_dir *dir,
				const char *file, char *why, size_t size)
{
	size_t len = strlen(dir->path);
	const char *name = file;

	if (file[0] == '/') {
		/* "/" as the directory: its files are "/name" */
		if (len == 1)
			len = 0;
		if (strncmp(file, dir->path, len) || file[len] != '/') {
			g_snprintf(why, size,
				   "%s is not in the record directory %s", file,
				   dir->path);
			return NULL;
		}
		name = file + len + 1;
	}
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		g_snprintf(why, size,
			   "'%s' is not a file name in the record directory "
			   "%s",
			   file, dir->path);
		return NULL;
	}
	return name;
}

/* Count the directory's regular files and their bytes (the byte count
 * becomes the bound's base). False (with @why) if it cannot be read. */
static bool dir_scan(struct enc_record_dir *dir, unsigned int *files, char *why,
		     size_t size)
{
	int fd = dup(dir->fd);
	uint64_t bytes = 0;
	struct dirent *e;
	DIR *d;

	*files = 0;
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		g_snprintf(why, size, "cannot read the record directory %s: %s",
			   dir->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	rewinddir(d); /* the dup shares the offset */
	while ((e = readdir(d))) {
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		(*files)++;
		bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	atomic_store(&dir->used, bytes);
	return true;
}

/* ---- GStreamer's threads ---- */

/* Under seg->lock: post @mail if the segment is still live. */
static void post_locked(struct segment *seg, struct segment_mail *mail)
{
	if (seg->live)
		enc_mailbox_post(&seg->rec->box, &mail->mail);
}

/* The parser's streaming thread: a bound reached: nothing more goes
 * into this file, the recording stops. */
static GstPadProbeReturn stop_at_limit(struct segment *seg,
				       enum stop_cause cause)
{
	if (!atomic_exchange(&seg->stopping, true)) {
		atomic_store(&seg->cause, cause);
		g_mutex_lock(&seg->lock);
		post_locked(seg, &seg->limit);
		g_mutex_unlock(&seg->lock);
	}
	return GST_PAD_PROBE_DROP;
}

/* An access unit: counted, and against the bounds. */
static GstPadProbeReturn handle_parse_buffer(struct segment *seg,
					     GstBuffer *buffer)
{
	struct enc_record_dir *dir = seg->rec->dir;
	uint64_t size = gst_buffer_get_size(buffer);

	if (atomic_load(&seg->stopping))
		return GST_PAD_PROBE_DROP;
	if (atomic_fetch_add(&dir->used, size) + size > dir->max_bytes)
		return stop_at_limit(seg, STOP_BYTES);
	if (g_get_monotonic_time() - seg->rec->started_us >
	    (gint64)dir->max_seconds * G_USEC_PER_SEC)
		return stop_at_limit(seg, STOP_DURATION);
	atomic_fetch_add(&seg->frames, 1);
	return GST_PAD_PROBE_OK;
}

/* The parser's streaming thread: count access units; at a size change
 * stop this file (the new size goes into the next one). */
static GstPadProbeReturn handle_parse_data(GstPad *pad, GstPadProbeInfo *info,
					   gpointer data)
{
	struct segment *seg = data;
	GstEvent *event;
	GstCaps *caps;
	GstStructure *s;
	int width = 0, height = 0;

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
		return handle_parse_buffer(seg,
					   GST_PAD_PROBE_INFO_BUFFER(info));
	event = GST_PAD_PROBE_INFO_EVENT(info);
	if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS)
		return GST_PAD_PROBE_OK;
	if (atomic_load(&seg->stopping))
		return GST_PAD_PROBE_DROP;
	gst_event_parse_caps(event, &caps);
	s = gst_caps_get_structure(caps, 0);
	gst_structure_get_int(s, "width", &width);
	gst_structure_get_int(s, "height", &height);
	if (!seg->width || (width == seg->width && height == seg->height) ||
	    !atomic_load(&seg->frames)) {
		seg->width = width;
		seg->height = height;
		return GST_PAD_PROBE_OK;
	}
	log_info("recording %s: the head went from %dx%d to %dx%d", seg->name,
		 seg->width, seg->height, width, height);
	atomic_store(&seg->stopping, true);
	g_mutex_lock(&seg->lock);
	post_locked(seg, &seg->resized);
	g_mutex_unlock(&seg->lock);
	return GST_PAD_PROBE_DROP;
}

/* Any thread: the end of the file, or a failure. */
static GstBusSyncReply handle_bus_message(GstBus *bus, GstMessage *msg,
					  gpointer data)
{
	struct segment *seg = data;
	GError *err = NULL;
	gchar *debug = NULL;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &err, &debug);
		log_error("recording %s: %s: %s (%s)", seg->name,
			  GST_OBJECT_NAME(msg->src), err->message,
			  debug ? debug : "");
		g_mutex_lock(&seg->lock);
		if (!seg->done) {
			seg->done = seg->error = true;
			g_snprintf(seg->why, sizeof(seg->why), "%s: %s",
				   seg->name, err->message);
			g_cond_broadcast(&seg->cond);
			post_locked(seg, &seg->failed);
		}
		g_mutex_unlock(&seg->lock);
		g_clear_error(&err);
		g_free(debug);
		break;
	case GST_MESSAGE_EOS:
		g_mutex_lock(&seg->lock);
		seg->done = true;
		g_cond_broadcast(&seg->cond);
		g_mutex_unlock(&seg->lock);
		break;
	default:
		break;
	}
	return GST_BUS_DROP;
}

/* The finisher: wait for the muxer's EOS (bounded), stop the
 * pipeline, close the file, tell the event loop. */
static gpointer finish_segment(gpointer data)
{
	struct segment *seg = data;
	gint64 deadline = g_get_monotonic_time() + FINISH_TIMEOUT_US;

	g_mutex_lock(&seg->lock);
	while (!seg->done &&
	       g_cond_wait_until(&seg->cond, &seg->lock, deadline))
		;
	if (!seg->done) {
		seg->error = true;
		g_snprintf(seg->why, sizeof(seg->why),
			   "%s: not finished within %d s", seg->name,
			   (int)(FINISH_TIMEOUT_US / G_USEC_PER_SEC));
	}
	g_mutex_unlock(&seg->lock);
	gst_element_set_state(seg->pipeline, GST_STATE_NULL);
	if (fsync(seg->fd) && errno != EINVAL && !seg->error) {
		seg->error = true;
		g_snprintf(seg->why, sizeof(seg->why), "%s: %s", seg->name,
			   strerror(errno));
	}
	close(seg->fd);
	seg->fd = -1;
	enc_mailbox_post(&seg->rec->box, &seg->finished.mail);
	return NULL;
}

/* ---- the event loop's thread ---- */

static GstElement *add(GstBin *bin, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e) {
		log_error("GStreamer element %s is missing", factory);
		return NULL;
	}
	gst_bin_add(bin, e);
	return e;
}

static bool build(struct segment *seg)
{
	GstElement *src, *parse, *mux, *sink;
	GstPad *pad;
	GstBus *bus;

	seg->pipeline = gst_pipeline_new("recording");
	src = add(GST_BIN(seg->pipeline), "appsrc");
	parse = add(GST_BIN(seg->pipeline), "h264parse");
	mux = add(GST_BIN(seg->pipeline), "matroskamux");
	sink = add(GST_BIN(seg->pipeline), "fdsink");
	if (!src || !parse || !mux || !sink)
		return false;
	/* fdsink seeks for the muxer's index, never closes the fd */
	g_object_set(sink, "fd", seg->fd, "sync", FALSE, "async", FALSE, NULL);
	if (!gst_element_link_many(src, parse, mux, sink, NULL)) {
		log_error("recording %s: cannot link the pipeline", seg->name);
		return false;
	}
	seg->src = GST_APP_SRC(src);
	pad = gst_element_get_static_pad(parse, "src");
	gst_pad_add_probe(pad,
			  GST_PAD_PROBE_TYPE_BUFFER |
				  GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  handle_parse_data, seg, NULL);
	gst_object_unref(pad);
	bus = gst_element_get_bus(seg->pipeline);
	gst_bus_set_sync_handler(bus, handle_bus_message, seg, NULL);
	gst_object_unref(bus);
	return true;
}

/* The recording's Nth file: NAME, then NAME's stem with .1, .2, ...
 * before its extension (rec.mkv, rec.1.mkv, ...). */
static char *file_name(const char *name, unsigned int n)
{
	const char *dot = strrchr(name, '.');

	if (!n)
		return g_strdup(name);
	if (!dot || dot == name)
		return g_strdup_printf("%s.%u", name, n);
	return g_strdup_printf("%.*s.%u%s", (int)(dot - name), name, n, dot);
}

/* A segment that never started, or whose finisher has posted. */
static void segment_free(struct segment *seg)
{
	if (seg->finisher)
		g_thread_join(seg->finisher);
	else if (seg->pipeline)
		gst_element_set_state(seg->pipeline, GST_STATE_NULL);
	if (seg->pipeline)
		gst_object_unref(seg->pipeline);
	if (seg->fd >= 0)
		close(seg->fd);
	g_mutex_clear(&seg->lock);
	g_cond_clear(&seg->cond);
	g_free(seg->name);
	g_free(seg);
}

/* A new, empty regular file @name in the directory, or -1 with @why. */
static int create_file(struct enc_recording *rec, const char *name, char *why,
		       size_t size)
{
	struct enc_record_dir *dir = rec->dir;
	unsigned int files;
	int fd;

	if (!dir_scan(dir, &files, why, size))
		return -1;
	if (files >= dir->max_files) {
		g_snprintf(why, size,
			   "the record directory %s holds %u files (the bound, "
			   "--record-max-files)",
			   dir->path, files);
		return -1;
	}
	if (atomic_load(&dir->used) >= dir->max_bytes) {
		g_snprintf(why, size,
			   "the record directory %s is full (%llu MB, "
			   "--record-max-mb)",
			   dir->path,
			   (unsigned long long)(dir->max_bytes >> 20));
		return -1;
	}
	/* a new regular file, nothing else: an existing name (a file, a
	 * directory, a FIFO, a symlink even dangling) is refused */
	fd = openat(dir->fd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		g_snprintf(why, size, "cannot create %s/%s: %s", dir->path,
			   name, strerror(errno));
	return fd;
}

/* The next file, attached to the stream (which is asked for a keyframe:
 * a file starts with one). NULL with @why. */
static struct segment *segment_start(struct enc_recording *rec, char *why,
				     size_t size)
{
	struct segment *seg = g_new0(struct segment, 1);
	bool failed;

	seg->rec = rec;
	seg->fd = -1;
	seg->resized.seg = seg->limit.seg = seg->failed.seg =
		seg->finished.seg = seg;
	g_mutex_init(&seg->lock);
	g_cond_init(&seg->cond);
	seg->name = file_name(rec->name, rec->files);
	seg->fd = create_file(rec, seg->name, why, size);
	if (seg->fd < 0)
		goto err;
	if (!build(seg)) {
		g_snprintf(why, size, "cannot build the pipeline for %s",
			   seg->name);
		goto err_unlink;
	}
	/* live and leaky before it plays; frames wait in it meanwhile */
	seg->consumer = enc_stream_attach(rec->stream, seg->src);
	if (!seg->consumer) {
		g_snprintf(why, size, "cannot attach %s to the stream",
			   seg->name);
		goto err_unlink;
	}
	if (gst_element_set_state(seg->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		g_snprintf(why, size, "cannot start the pipeline for %s",
			   seg->name);
		goto err_detach;
	}
	g_mutex_lock(&seg->lock);
	/* an error while starting was not posted (not live yet) */
	failed = seg->done;
	if (failed)
		g_snprintf(why, size, "%s", seg->why);
	else
		seg->live = true;
	g_mutex_unlock(&seg->lock);
	if (failed)
		goto err_detach;
	rec->files++;
	log_info("recording to %s/%s (Matroska)", rec->dir->path, seg->name);
	return seg;
err_detach:
	enc_stream_detach(rec->stream, seg->consumer);
err_unlink:
	/* ours and empty (nothing was written before PLAYING) */
	unlinkat(rec->dir->fd, seg->name, 0);
err:
	log_error("recording: %s", why);
	segment_free(seg);
	return NULL;
}

/* Stop feeding @seg; its finisher sends the end of stream through the
 * muxer (index, duration) and closes it; it waits in rec->ending. */
static void segment_end(struct enc_recording *rec, struct segment *seg)
{
	enc_stream_detach(rec->stream, seg->consumer);
	seg->consumer = NULL;
	g_mutex_lock(&seg->lock);
	seg->live = false; /* no more notes: @finished is the last */
	g_mutex_unlock(&seg->lock);
	gst_app_src_end_of_stream(seg->src);
	seg->next = rec->ending;
	rec->ending = seg;
	seg->finisher = g_thread_new("vp-rec-end", finish_segment, seg);
}

/* The file is finished (or failed) and closed: say so, free it. */
static void segment_finish(struct enc_recording *rec, struct segment *seg)
{
	struct segment **p;

	for (p = &rec->ending; *p; p = &(*p)->next) {
		if (*p == seg) {
			*p = seg->next;
			break;
		}
	}
	/* the finisher has posted (or, at teardown, is about to): its
	 * writes to seg->why and error come before the join */
	if (seg->finisher) {
		g_thread_join(seg->finisher);
		seg->finisher = NULL;
	}
	if (seg->error) {
		g_snprintf(rec->last, sizeof(rec->last),
			   "%s/%s: not finished cleanly (%s)", rec->dir->path,
			   seg->name, seg->why);
		rec->unclean = true;
		log_error("recording %s", rec->last);
	} else {
		g_snprintf(rec->last, sizeof(rec->last),
			   "%s/%s: %llu frames of %dx%d", rec->dir->path,
			   seg->name,
			   (unsigned long long)atomic_load(&seg->frames),
			   seg->width, seg->height);
		log_info("recording %s", rec->last);
	}
	segment_free(seg);
}

struct enc_recording *enc_recording_create(struct enc_stream *stream,
					   struct enc_record_dir *dir,
					   const char *name,
					   enc_recording_ended_fn ended,
					   void *data, char *why, size_t size)
{
	struct enc_recording *rec;
	GstCaps *caps = enc_stream_get_caps(stream);
	bool h264 = gst_structure_has_name(gst_caps_get_structure(caps, 0),
					   "video/x-h264");

	gst_caps_unref(caps);
	if (!h264) {
		g_snprintf(why, size, "only H.264 streams are recorded");
		log_error("recording %s: %s", name, why);
		return NULL;
	}
	rec = g_new0(struct enc_recording, 1);
	if (!enc_mailbox_init(&rec->box)) {
		g_snprintf(why, size, "no eventfd");
		g_free(rec);
		return NULL;
	}
	rec->stream = enc_stream_ref(stream);
	rec->dir = dir;
	rec->name = g_strdup(name);
	rec->ended = ended;
	rec->data = data;
	rec->started_us = g_get_monotonic_time();
	rec->current = segment_start(rec, why, size);
	if (!rec->current) {
		enc_recording_destroy(rec);
		return NULL;
	}
	return rec;
}

bool enc_recording_get_file(const struct enc_recording *rec, char *path,
			    size_t size)
{
	if (rec->stopped || !rec->current)
		return false;
	g_snprintf(path, size, "%s/%s", rec->dir->path, rec->current->name);
	return true;
}

int enc_recording_get_fd(struct enc_recording *rec)
{
	return rec->box.fd;
}

/* The current file failed or a bound was reached (@why): end it, and
 * the recording with it. */
static void stop_by_itself(struct enc_recording *rec, const char *why)
{
	g_snprintf(rec->reason, sizeof(rec->reason), "%s", why);
	log_error("recording %s/%s stopped: %s", rec->dir->path, rec->name,
		  why);
	rec->stopped = true;
	if (rec->current)
		segment_end(rec, rec->current);
	rec->current = NULL;
}

static void handle_limit(struct enc_recording *rec, struct segment *seg)
{
	char why[160];

	if (atomic_load(&seg->cause) == STOP_BYTES)
		g_snprintf(why, sizeof(why),
			   "the record directory %s reached its bound of %llu "
			   "MB (--record-max-mb)",
			   rec->dir->path,
			   (unsigned long long)(rec->dir->max_bytes >> 20));
	else
		g_snprintf(why, sizeof(why),
			   "the recording reached its bound of %u s "
			   "(--record-max-seconds)",
			   rec->dir->max_seconds);
	stop_by_itself(rec, why);
}

static void handle_resized(struct enc_recording *rec, struct segment *seg)
{
	char why[640];
	struct segment *next = segment_start(rec, why, sizeof(why));

	/* the next file (it asks for a keyframe), then the end of this one */
	segment_end(rec, seg);
	rec->current = next;
	if (!next)
		stop_by_itself(rec, why);
}

void enc_recording_dispatch(struct enc_recording *rec)
{
	struct enc_mail *mail = enc_mailbox_take(&rec->box), *next;
	char summary[1400];

	for (; mail; mail = next) {
		struct segment *seg = segment_from_mail(mail);

		next = mail->next; /* before a finished segment is freed */
		if (mail == &seg->finished.mail) {
			segment_finish(rec, seg);
			continue;
		}
		/* notes of a file already ended are stale */
		if (seg != rec->current)
			continue;
		if (mail == &seg->resized.mail) {
			handle_resized(rec, seg);
		} else if (mail == &seg->limit.mail) {
			handle_limit(rec, seg);
		} else {
			char why[640];

			g_mutex_lock(&seg->lock);
			g_snprintf(why, sizeof(why), "%s", seg->why);
			g_mutex_unlock(&seg->lock);
			stop_by_itself(rec, why);
		}
	}
	if (rec->current || rec->ending || !rec->stopped || !rec->ended)
		return;
	g_snprintf(summary, sizeof(summary), "%s%s%s%u file(s), the last %s",
		   rec->reason[0] ? "stopped: " : "", rec->reason,
		   rec->reason[0] ? "; " : "", rec->files,
		   rec->last[0] ? rec->last : "never written");
	/* last: the callee may destroy the recording */
	rec->ended(rec->data, !rec->unclean && !rec->reason[0], summary);
}

bool enc_recording_stop(struct enc_recording *rec)
{
	if (rec->stopped)
		return false;
	rec->stopped = true;
	if (rec->current)
		segment_end(rec, rec->current);
	rec->current = NULL;
	return true;
}

void enc_recording_destroy(struct enc_recording *rec)
{
	struct segment *seg;

	if (!rec)
		return;
	if (rec->current)
		segment_end(rec, rec->current);
	rec->current = NULL;
	/* wait for every file's end here: teardown */
	while ((seg = rec->ending))
		segment_finish(rec, seg);
	/* the notes of freed segments go with the mailbox */
	enc_mailbox_finish(&rec->box);
	enc_stream_unref(rec->stream);
	g_free(rec->name);
	g_free(rec);
}
