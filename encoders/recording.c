// SPDX-License-Identifier: MIT
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "enc_log.h"
#include "mailbox.h"
#include "recording.h"
#include "stream_consumer.h"

/* How long the end of a file may take (muxer index, file close). */
#define FINISH_TIMEOUT (5 * GST_SECOND)

/*
 * One file of a recording: appsrc (a consumer of the stream) !
 * h264parse ! matroskamux ! filesink, at one picture size. GStreamer's
 * threads only set the atomics, signal @cond and post the mails; the
 * event loop's thread owns everything else.
 */
struct segment_mail {
	struct vp_mail mail; /* first: notes are found from their mail */
	struct segment *seg;
};

struct segment {
	/* posted under @lock, and never once @done: the ended note is a
	 * segment's last, so the reader may free it on that one */
	struct segment_mail resized; /* the stream changed size */
	struct segment_mail ended;   /* the sink saw EOS, or an error */
	struct vp_recording *rec;
	struct vp_stream_consumer *consumer;
	GstElement *pipeline; /* owned */
	GstAppSrc *src;	      /* in the pipeline */
	char *file;
	/* the parser's streaming thread, until @resized is posted */
	int width, height;
	atomic_bool resizing; /* nothing more goes into this file */
	atomic_uint_fast64_t frames;
	GMutex lock;
	GCond cond;
	bool done, failed;    /* under lock */
	struct segment *next; /* vp_recording.ending */
};

struct vp_recording {
	struct vp_stream *stream; /* a reference */
	char *file;		  /* as asked: the first file */
	unsigned int files;	  /* started so far */
	struct segment *current;  /* NULL once stopped */
	struct segment *ending;	  /* EOS sent, waiting for the sink */
	struct vp_mailbox box;
	char last[256]; /* what the last finished file holds, for people */
	bool unclean;	/* a file did not end cleanly */
};

static struct segment *segment_from_mail(struct vp_mail *mail)
{
	return ((struct segment_mail *)mail)->seg;
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

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		if (atomic_load(&seg->resizing))
			return GST_PAD_PROBE_DROP;
		atomic_fetch_add(&seg->frames, 1);
		return GST_PAD_PROBE_OK;
	}
	event = GST_PAD_PROBE_INFO_EVENT(info);
	if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS)
		return GST_PAD_PROBE_OK;
	if (atomic_load(&seg->resizing))
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
	enc_log(INFO, "recording %s: the head went from %dx%d to %dx%d",
		seg->file, seg->width, seg->height, width, height);
	atomic_store(&seg->resizing, true);
	g_mutex_lock(&seg->lock);
	if (!seg->done)
		vp_mailbox_post(&seg->rec->box, &seg->resized.mail);
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
	bool failed = false;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &err, &debug);
		enc_log(ERROR, "recording %s: %s: %s (%s)", seg->file,
			GST_OBJECT_NAME(msg->src), err->message,
			debug ? debug : "");
		g_clear_error(&err);
		g_free(debug);
		failed = true;
		break;
	case GST_MESSAGE_EOS:
		break;
	default:
		return GST_BUS_DROP;
	}
	g_mutex_lock(&seg->lock);
	if (!seg->done) {
		seg->done = true;
		seg->failed = failed;
		g_cond_broadcast(&seg->cond);
		vp_mailbox_post(&seg->rec->box, &seg->ended.mail);
	}
	g_mutex_unlock(&seg->lock);
	return GST_BUS_DROP;
}

static GstElement *add(GstBin *bin, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e) {
		enc_log(ERROR, "GStreamer element %s is missing", factory);
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
	sink = add(GST_BIN(seg->pipeline), "filesink");
	if (!src || !parse || !mux || !sink)
		return false;
	g_object_set(sink, "location", seg->file, "sync", FALSE, "async", FALSE,
		     NULL);
	if (!gst_element_link_many(src, parse, mux, sink, NULL)) {
		enc_log(ERROR, "recording %s: cannot link the pipeline",
			seg->file);
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

/* The recording's Nth file: FILE, then FILE's stem with .1, .2, ...
 * before its extension (rec.mkv, rec.1.mkv, ...). */
static char *file_name(const char *file, unsigned int n)
{
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(file, '.');

	if (!n)
		return g_strdup(file);
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : file))
		return g_strdup_printf("%s.%u", file, n);
	return g_strdup_printf("%.*s.%u%s", (int)(dot - file), file, n, dot);
}

static void segment_free(struct segment *seg)
{
	if (seg->pipeline) {
		gst_element_set_state(seg->pipeline, GST_STATE_NULL);
		gst_object_unref(seg->pipeline);
	}
	g_mutex_clear(&seg->lock);
	g_cond_clear(&seg->cond);
	g_free(seg->file);
	g_free(seg);
}

/* The next file, attached to the stream (which is asked for a keyframe:
 * a file starts with one). NULL after logging why. */
static struct segment *segment_start(struct vp_recording *rec)
{
	struct segment *seg = g_new0(struct segment, 1);

	seg->rec = rec;
	seg->resized.seg = seg;
	seg->ended.seg = seg;
	g_mutex_init(&seg->lock);
	g_cond_init(&seg->cond);
	seg->file = file_name(rec->file, rec->files);
	if (!build(seg))
		goto err;
	/* live and leaky before it plays; frames wait in it meanwhile */
	seg->consumer = vp_stream_attach(rec->stream, seg->src);
	if (!seg->consumer)
		goto err;
	if (gst_element_set_state(seg->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		enc_log(ERROR,
			"recording %s: cannot start (can the file be "
			"written?)",
			seg->file);
		goto err_detach;
	}
	rec->files++;
	enc_log(INFO, "recording to %s (Matroska)", seg->file);
	return seg;
err_detach:
	vp_stream_detach(rec->stream, seg->consumer);
err:
	segment_free(seg);
	return NULL;
}

/* Stop feeding @seg and send the end of stream through its muxer (it
 * writes the index and duration); it waits in rec->ending. */
static void segment_end(struct vp_recording *rec, struct segment *seg)
{
	vp_stream_detach(rec->stream, seg->consumer);
	seg->consumer = NULL;
	gst_app_src_end_of_stream(seg->src);
	seg->next = rec->ending;
	rec->ending = seg;
}

/* The file is finished (or failed): say so, free it. */
static void segment_finish(struct vp_recording *rec, struct segment *seg)
{
	struct segment **p;

	for (p = &rec->ending; *p; p = &(*p)->next) {
		if (*p == seg) {
			*p = seg->next;
			break;
		}
	}
	if (seg->failed || !seg->done) {
		g_snprintf(rec->last, sizeof(rec->last),
			   "%s: not finished cleanly", seg->file);
		rec->unclean = true;
		enc_log(ERROR, "recording %s", rec->last);
	} else {
		g_snprintf(rec->last, sizeof(rec->last),
			   "%s: %llu frames of %dx%d", seg->file,
			   (unsigned long long)atomic_load(&seg->frames),
			   seg->width, seg->height);
		enc_log(INFO, "recording %s", rec->last);
	}
	segment_free(seg);
}

struct vp_recording *vp_recording_create(struct vp_stream *stream,
					 const char *file)
{
	struct vp_recording *rec = g_new0(struct vp_recording, 1);
	GstCaps *caps = vp_stream_get_caps(stream);
	bool h264 = gst_structure_has_name(gst_caps_get_structure(caps, 0),
					   "video/x-h264");

	gst_caps_unref(caps);
	if (!h264) {
		enc_log(ERROR, "recording %s: only H.264 streams are recorded",
			file);
		g_free(rec);
		return NULL;
	}
	if (!vp_mailbox_init(&rec->box)) {
		g_free(rec);
		return NULL;
	}
	rec->stream = vp_stream_ref(stream);
	rec->file = g_strdup(file);
	rec->current = segment_start(rec);
	if (!rec->current) {
		vp_recording_destroy(rec);
		return NULL;
	}
	return rec;
}

int vp_recording_get_fd(struct vp_recording *rec)
{
	return rec->box.fd;
}

void vp_recording_dispatch(struct vp_recording *rec)
{
	struct vp_mail *mail = vp_mailbox_take(&rec->box), *next;

	for (; mail; mail = next) {
		struct segment *seg = segment_from_mail(mail);

		next = mail->next; /* before an ended segment is freed */
		if (mail == &seg->ended.mail) {
			if (seg == rec->current) {
				/* failed while recording: stop */
				vp_stream_detach(rec->stream, seg->consumer);
				rec->current = NULL;
				seg->next = rec->ending;
				rec->ending = seg;
			}
			segment_finish(rec, seg);
		} else if (seg == rec->current) {
			/* the next file (it asks for a keyframe), then the
			 * end of this one */
			rec->current = segment_start(rec);
			segment_end(rec, seg);
		}
	}
}

void vp_recording_destroy(struct vp_recording *rec)
{
	if (rec)
		vp_recording_stop(rec, NULL, 0);
}

bool vp_recording_stop(struct vp_recording *rec, char *summary, size_t size)
{
	gint64 deadline = g_get_monotonic_time() + FINISH_TIMEOUT / 1000;
	struct segment *seg;
	bool clean;

	if (rec->current)
		segment_end(rec, rec->current);
	rec->current = NULL;
	/* wait for every file's end here: vplaned is exiting */
	while ((seg = rec->ending)) {
		g_mutex_lock(&seg->lock);
		while (!seg->done &&
		       g_cond_wait_until(&seg->cond, &seg->lock, deadline))
			;
		g_mutex_unlock(&seg->lock);
		segment_finish(rec, seg);
	}
	/* the notes of freed segments go with the mailbox */
	vp_mailbox_finish(&rec->box);
	if (rec->stream)
		vp_stream_unref(rec->stream);
	if (summary)
		g_snprintf(summary, size, "%u file(s), the last %s", rec->files,
			   rec->last[0] ? rec->last : "never written");
	clean = !rec->unclean;
	g_free(rec->file);
	g_free(rec);
	return clean;
}
