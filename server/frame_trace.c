// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wlr/backend.h>
#include <wlr/types/wlr_output.h>

#include "log_sink.h"
#include "dmabuf_buffer.h"
#include "frame_trace.h"
#include "output.h"
#include "server.h"
#include "head.h"

struct vpd_frame_trace {
	struct vpd_server *server;
	FILE *file;
	struct wl_listener new_output;
	struct wl_list outputs; /* traced_output.link */
};

/* One wlr_output and its newest commit, until presented. */
struct traced_output {
	struct vpd_frame_trace *trace;
	struct wlr_output *wlr_output;
	bool pending;
	uint32_t commit_seq;
	uint32_t dmabuf_id;
	uint64_t commit_ns;
	struct wl_listener commit;
	struct wl_listener present;
	struct wl_listener destroy;
	struct wl_list link; /* vpd_frame_trace.outputs */
};

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* The guest buffer the output's commit showed: its head's primary plane,
 * scanned out directly or composited (wlroots 0.15's commit event does
 * not name a directly scanned-out buffer); 0 if it shows no head. */
static uint32_t shown_dmabuf_id(struct vpd_server *server,
				struct wlr_output *wo)
{
	struct vpd_output *output;

	wl_list_for_each(output, &server->outputs, link) {
		struct vpd_head *src = output->head;

		if (output->wlr_output != wo)
			continue;
		if (src && src->primary)
			return src->primary->dmabuf_id;
		return 0;
	}
	return 0;
}

static void handle_output_commit(struct wl_listener *listener, void *data)
{
	struct traced_output *to = wl_container_of(listener, to, commit);
	struct wlr_output_event_commit *event = data;

	if (!(event->committed & WLR_OUTPUT_STATE_BUFFER))
		return;
	/* wlroots counted this commit before telling us */
	to->pending = true;
	to->commit_seq = to->wlr_output->commit_seq;
	to->commit_ns = ts_ns(event->when);
	to->dmabuf_id = shown_dmabuf_id(to->trace->server, to->wlr_output);
}

static void handle_output_present(struct wl_listener *listener, void *data)
{
	struct traced_output *to = wl_container_of(listener, to, present);
	struct wlr_output_event_present *event = data;

	if (!to->pending || event->commit_seq != to->commit_seq)
		return;
	to->pending = false;
	fprintf(to->trace->file, "%s %u %llu %llu %d\n", to->wlr_output->name,
		to->dmabuf_id, (unsigned long long)to->commit_ns,
		event->presented && event->when
			? (unsigned long long)ts_ns(event->when)
			: 0ull,
		event->presented ? 1 : 0);
}

static void traced_output_destroy(struct traced_output *to)
{
	wl_list_remove(&to->commit.link);
	wl_list_remove(&to->present.link);
	wl_list_remove(&to->destroy.link);
	wl_list_remove(&to->link);
	free(to);
}

static void handle_output_destroy(struct wl_listener *listener, void *data)
{
	struct traced_output *to = wl_container_of(listener, to, destroy);

	traced_output_destroy(to);
}

static void handle_backend_new_output(struct wl_listener *listener, void *data)
{
	struct vpd_frame_trace *trace =
		wl_container_of(listener, trace, new_output);
	struct wlr_output *wo = data;
	struct traced_output *to = calloc(1, sizeof(*to));

	if (!to) {
		log_errno("frame trace: calloc");
		return;
	}
	to->trace = trace;
	to->wlr_output = wo;
	to->commit.notify = handle_output_commit;
	wl_signal_add(&wo->events.commit, &to->commit);
	to->present.notify = handle_output_present;
	wl_signal_add(&wo->events.present, &to->present);
	to->destroy.notify = handle_output_destroy;
	wl_signal_add(&wo->events.destroy, &to->destroy);
	wl_list_insert(&trace->outputs, &to->link);
}

bool vpd_frame_trace_create(struct vpd_server *server,
			    struct vpd_frame_trace **out)
{
	const char *path = getenv("VPLANED_FRAME_TRACE");
	struct vpd_frame_trace *trace;

	*out = NULL;
	if (!path || !*path)
		return true;
	trace = calloc(1, sizeof(*trace));
	if (!trace) {
		log_errno("calloc");
		return false;
	}
	trace->file = fopen(path, "we");
	if (!trace->file) {
		log_error("VPLANED_FRAME_TRACE: cannot create %s: %s", path,
			  strerror(errno));
		free(trace);
		return false;
	}
	/* a bench's worth of lines in memory: no write on the frame path */
	setvbuf(trace->file, NULL, _IOFBF, 1 << 20);
	trace->server = server;
	wl_list_init(&trace->outputs);
	trace->new_output.notify = handle_backend_new_output;
	wl_signal_add(&server->backend->events.new_output, &trace->new_output);
	log_info("frame trace: every output commit to %s", path);
	*out = trace;
	return true;
}

void vpd_frame_trace_destroy(struct vpd_frame_trace *trace)
{
	struct traced_output *to, *tmp;

	if (!trace)
		return;
	wl_list_for_each_safe(to, tmp, &trace->outputs, link)
		traced_output_destroy(to);
	wl_list_remove(&trace->new_output.link);
	if (fclose(trace->file))
		log_error("frame trace: writing it failed: %s",
			  strerror(errno));
	free(trace);
}
