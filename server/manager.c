// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vplane/display.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>

#include "log_sink.h"
#include "monotonic.h"
#include "control.h"
#include "control_input.h"
#include "dmabuf_buffer.h"
#include "layout.h"
#include "manager.h"
#include "output.h"
#include "output_stream.h"
#include "server.h"
#include "head.h"
#include "streaming.h"
#include "upstream.h"
#include "vplane-manager-unstable-v1-protocol.h"

#define MANAGER_VERSION	      6
#define STATS_MIN_INTERVAL_MS 100
#define NR_COUNTERS	      (ZVPLANE_HEAD_STATS_V1_COUNTER_CPU_MAPS + 1)

/* What a client knows about a head. */
struct head_state {
	uint32_t width, height, refresh_mhz;
	uint32_t format;
	bool enabled, gone, shown;
	char output[64];
	int32_t x, y;
	wl_fixed_t scale;
};

struct tracked_vgpu;

struct tracked_head {
	struct tracked_vgpu *vgpu;
	struct vpd_head *head; /* borrowed; NULL once destroyed */
	uint32_t index;
	bool removed;		  /* clients were told */
	struct head_state sent;	  /* what every client was sent */
	struct wl_list resources; /* zvplane_head_v1, wl_resource_get_link */
	struct wl_list stats;	  /* stats_watch.link */
	struct wl_listener head_state;
	struct wl_listener head_destroy;
};

struct tracked_vgpu {
	struct vpd_manager *manager;
	struct vpd_vgpu *vgpu; /* borrowed; NULL once its heads are gone */
	char name[40];
	char type[32];
	uint32_t kind; /* enum zvplane_vgpu_v1_source_kind */
	bool announced;
	struct tracked_head *heads; /* nr_heads, owned */
	uint32_t nr_heads;
	uint32_t nr_live;	  /* heads whose head still exists */
	struct wl_list resources; /* zvplane_vgpu_v1, wl_resource_get_link */
	struct wl_list link;	  /* vpd_manager.vgpus */
};

struct stats_watch {
	struct wl_resource *resource;
	struct tracked_head *tracked;  /* NULL once the head is removed */
	struct wl_event_source *timer; /* NULL for one-shot */
	uint32_t interval_ms;
	bool sent_any;
	uint64_t last[NR_COUNTERS];
	bool had[NR_COUNTERS];
	struct wl_list link; /* tracked_head.stats */
};

struct vpd_manager {
	struct vpd_server *server;
	struct wl_global *global;
	struct wl_event_source *idle; /* a pending check_state */
	uint32_t serial;
	struct wl_list resources; /* zvplane_manager_v1, not stopped */
	struct wl_list vgpus;	  /* tracked_vgpu.link */
	struct wl_listener new_vgpu;
	struct wl_listener layout_change;
};

static void check_state(void *data);

static void schedule_check(struct vpd_manager *manager)
{
	if (manager->idle)
		return;
	manager->idle = wl_event_loop_add_idle(
		wl_display_get_event_loop(manager->server->display),
		check_state, manager);
	if (!manager->idle)
		log_error("manager: cannot schedule a state check");
}

static void read_state(struct vpd_manager *manager,
		       struct tracked_head *tracked, struct head_state *st)
{
	struct vpd_head *s = tracked->head;

	*st = (struct head_state){ 0 };
	st->width = s->width;
	st->height = s->height;
	st->refresh_mhz = s->refresh_mhz;
	st->enabled = s->primary && !s->gone;
	st->format = st->enabled ? s->primary->format : 0;
	st->gone = s->gone;
	if (s->output) {
		struct wlr_output *wo = s->output->wlr_output;
		struct wlr_output_layout_output *lo =
			wlr_output_layout_get(manager->server->layout, wo);

		st->shown = true;
		snprintf(st->output, sizeof(st->output), "%s", wo->name);
		st->x = lo ? lo->x : 0;
		st->y = lo ? lo->y : 0;
		st->scale = wl_fixed_from_double(wo->scale);
	}
}

/* Everything that differs from @old (NULL: everything) to @res. */
static void send_head_state(struct wl_resource *res,
			    const struct head_state *st,
			    const struct head_state *old)
{
	if (!old || old->width != st->width || old->height != st->height ||
	    old->refresh_mhz != st->refresh_mhz)
		zvplane_head_v1_send_mode(res, st->width, st->height,
					  st->refresh_mhz);
	if (!old || old->enabled != st->enabled)
		zvplane_head_v1_send_enabled(res, st->enabled);
	if (!old || old->format != st->format)
		zvplane_head_v1_send_format(res, st->format);
	if (st->gone && (!old || !old->gone))
		zvplane_head_v1_send_gone(res);
	if (!old || old->shown != st->shown ||
	    strcmp(old->output, st->output) || old->x != st->x ||
	    old->y != st->y || old->scale != st->scale) {
		if (st->shown)
			zvplane_head_v1_send_output(res, st->output, st->x,
						    st->y, st->scale);
		else
			zvplane_head_v1_send_no_output(res);
	}
}

static bool head_state_equal(const struct head_state *a,
			     const struct head_state *b)
{
	return a->width == b->width && a->height == b->height &&
	       a->refresh_mhz == b->refresh_mhz && a->format == b->format &&
	       a->enabled == b->enabled && a->gone == b->gone &&
	       a->shown == b->shown && !strcmp(a->output, b->output) &&
	       a->x == b->x && a->y == b->y && a->scale == b->scale;
}

static void handle_resource_unlink(struct wl_resource *res)
{
	wl_list_remove(wl_resource_get_link(res));
}

/* Keep @res alive for its client, but point it at nothing. */
static void make_inert(struct wl_resource *res)
{
	wl_list_remove(wl_resource_get_link(res));
	wl_list_init(wl_resource_get_link(res));
	wl_resource_set_user_data(res, NULL);
}

static void handle_destroy_request(struct wl_client *client,
				   struct wl_resource *res)
{
	wl_resource_destroy(res);
}

static const struct zvplane_vgpu_v1_interface vgpu_impl = {
	.destroy = handle_destroy_request,
};

static const struct zvplane_head_v1_interface head_impl = {
	.destroy = handle_destroy_request,
};

/* ---- statistics ---- */

static void collect(struct tracked_head *tracked, uint64_t val[NR_COUNTERS],
		    bool have[NR_COUNTERS])
{
	struct vpd_head *s = tracked->head;
	struct vplane_display_stats st;

	memset(have, 0, sizeof(bool) * NR_COUNTERS);
#define SET(c, v)                                               \
	do {                                                    \
		val[ZVPLANE_HEAD_STATS_V1_COUNTER_##c] = (v);   \
		have[ZVPLANE_HEAD_STATS_V1_COUNTER_##c] = true; \
	} while (0)
	SET(FLIPS, s->flips);
	SET(FLIPS_DROPPED, s->flips_dropped);
	SET(FRAMES_PRESENTED, s->frame_ack.frames_presented);
	SET(ACKS, s->acks);
	SET(ACK_FAILURES, s->ack_failures);
	if (s->frame_ack.last_latency_ns)
		SET(LAST_LATENCY_NS, s->frame_ack.last_latency_ns);
	if (s->output) {
		SET(OUTPUT_FRAMES_DIRECT, s->output->frames_direct);
		SET(OUTPUT_FRAMES_COMPOSITED, s->output->frames_composited);
	}
	if (vpd_vgpu_get_stats(s->vgpu, &st)) {
		SET(VGPU_FLIPS, st.flips);
		SET(VGPU_EVENTS, st.events);
		SET(VGPU_COALESCED, st.coalesced);
		SET(VGPU_OVERFLOWS, st.overflows);
		SET(VGPU_ACKS, st.acks);
		SET(VGPU_ACK_TIMEOUTS, st.ack_timeouts);
	}
	if (s->output && s->output->stream) {
		struct vpd_output_stream_stats ss;

		vpd_output_stream_get_stats(s->output->stream, &ss);
		SET(STREAM_FRAMES_ENCODED, ss.frames_encoded);
		SET(STREAM_KEYFRAMES, ss.keyframes);
		SET(STREAM_BYTES, ss.bytes);
		SET(STREAM_VIEWERS, ss.viewers);
		SET(STREAM_LATE_ACKS, ss.late_acks);
		SET(STREAM_KEYFRAME_REQUESTS, ss.keyframe_requests);
		SET(STREAM_KEYFRAMES_FORCED, ss.keyframes_forced);
		SET(STREAM_FRAMES_DROPPED, ss.frames_dropped);
		SET(STREAM_ENCODE_US, ss.encode_us);
		SET(STREAM_ENCODE_US_MAX, ss.encode_us_max);
		SET(STREAM_FRAMES_SENT, ss.frames_sent);
		SET(STREAM_QUEUE_US, ss.queue_us);
		SET(STREAM_QUEUE_US_MAX, ss.queue_us_max);
		SET(STREAM_FRAMES_TO_SINK, ss.frames_to_sink);
		SET(STREAM_SINK_US, ss.sink_us);
		SET(STREAM_SINK_US_MAX, ss.sink_us_max);
	}
	/* process-wide: what tests assert zero on the zero-copy paths */
	SET(CPU_MAPS, vpd_dmabuf_buffer_get_map_count());
#undef SET
}

/* The streamed head's encoder, for clients of version 2 and later. */
static void send_encoder(struct stats_watch *watch)
{
	const struct vpd_head *s = watch->tracked->head;
	struct vpd_output_stream_stats ss;

	if (!s->output || !s->output->stream ||
	    wl_resource_get_version(watch->resource) <
		    ZVPLANE_HEAD_STATS_V1_ENCODER_SINCE_VERSION)
		return;
	vpd_output_stream_get_stats(s->output->stream, &ss);
	zvplane_head_stats_v1_send_encoder(watch->resource, ss.encoder,
					   ss.encoder_hardware ? 1 : 0);
}

/* The version of zvplane_head_stats_v1 that brought counter @c. */
static int counter_since(uint32_t c)
{
	if (c >= ZVPLANE_HEAD_STATS_V1_COUNTER_CPU_MAPS)
		return ZVPLANE_HEAD_STATS_V1_COUNTER_CPU_MAPS_SINCE_VERSION;
	if (c >= ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_ENCODED)
		return ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_ENCODED_SINCE_VERSION;
	return 1;
}

/* Send the counters, unless nothing changed since the last batch and
 * !@force. */
static void send_stats(struct stats_watch *watch, bool force)
{
	uint64_t val[NR_COUNTERS];
	bool have[NR_COUNTERS];
	uint32_t c;

	if (!watch->tracked)
		return;
	collect(watch->tracked, val, have);
	if (!force && watch->sent_any &&
	    !memcmp(have, watch->had, sizeof(have))) {
		for (c = 0; c < NR_COUNTERS; c++)
			if (have[c] && val[c] != watch->last[c])
				break;
		if (c == NR_COUNTERS)
			return;
	}
	for (c = 0; c < NR_COUNTERS; c++) {
		/* a client was promised its version's counters only */
		if (wl_resource_get_version(watch->resource) < counter_since(c))
			continue;
		if (have[c])
			zvplane_head_stats_v1_send_counter(
				watch->resource, c, (uint32_t)(val[c] >> 32),
				(uint32_t)val[c]);
	}
	send_encoder(watch);
	zvplane_head_stats_v1_send_done(watch->resource,
					(uint32_t)monotonic_ms());
	memcpy(watch->last, val, sizeof(val));
	memcpy(watch->had, have, sizeof(have));
	watch->sent_any = true;
}

static int handle_stats_timer(void *data)
{
	struct stats_watch *watch = data;

	send_stats(watch, false);
	wl_event_source_timer_update(watch->timer, (int)watch->interval_ms);
	return 0;
}

static void stats_watch_stop(struct stats_watch *watch)
{
	if (watch->timer)
		wl_event_source_remove(watch->timer);
	watch->timer = NULL;
	watch->tracked = NULL;
	wl_list_remove(&watch->link);
	wl_list_init(&watch->link);
}

static void handle_stats_resource_destroy(struct wl_resource *res)
{
	struct stats_watch *watch = wl_resource_get_user_data(res);

	stats_watch_stop(watch);
	free(watch);
}

static const struct zvplane_head_stats_v1_interface stats_impl = {
	.destroy = handle_destroy_request,
};

/* ---- vGPUs and heads ---- */

static void handle_head_state(struct wl_listener *listener, void *data)
{
	struct tracked_head *tracked =
		wl_container_of(listener, tracked, head_state);
	struct vpd_manager *manager = tracked->vgpu->manager;

	/* with nobody bound there is nothing to tell (a client that
	 * binds gets a fresh check first) */
	if (!wl_list_empty(&manager->resources))
		schedule_check(manager);
}

static void forget_head(struct tracked_head *tracked)
{
	if (!tracked->head)
		return;
	wl_list_remove(&tracked->head_state.link);
	wl_list_remove(&tracked->head_destroy.link);
	tracked->head = NULL;
	if (--tracked->vgpu->nr_live == 0)
		tracked->vgpu->vgpu = NULL; /* about to be freed */
}

static void handle_head_destroy(struct wl_listener *listener, void *data)
{
	struct tracked_head *tracked =
		wl_container_of(listener, tracked, head_destroy);
	struct stats_watch *watch, *tmp;

	wl_list_for_each_safe(watch, tmp, &tracked->stats, link) {
		zvplane_head_stats_v1_send_removed(watch->resource);
		stats_watch_stop(watch);
	}
	forget_head(tracked);
	schedule_check(tracked->vgpu->manager);
}

static struct tracked_vgpu *track_vgpu(struct vpd_manager *manager,
				       struct vpd_vgpu *vgpu)
{
	struct tracked_vgpu *mv = calloc(1, sizeof(*mv));
	uint32_t h;

	if (mv)
		mv->heads = calloc(vgpu->nr_heads ? vgpu->nr_heads : 1,
				   sizeof(*mv->heads));
	if (!mv || !mv->heads) {
		log_errno("calloc");
		free(mv);
		return NULL;
	}
	mv->manager = manager;
	mv->vgpu = vgpu;
	snprintf(mv->name, sizeof(mv->name), "%s", vgpu->name);
	snprintf(mv->type, sizeof(mv->type), "%s", vgpu->type);
	mv->kind = vpd_vgpu_is_upstream(vgpu)
			   ? ZVPLANE_VGPU_V1_SOURCE_KIND_UPSTREAM
			   : ZVPLANE_VGPU_V1_SOURCE_KIND_DISPLAY_NODE;
	wl_list_init(&mv->resources);
	mv->nr_heads = vgpu->nr_heads;
	for (h = 0; h < mv->nr_heads; h++) {
		struct tracked_head *tracked = &mv->heads[h];

		tracked->vgpu = mv;
		tracked->index = h;
		tracked->head = vpd_vgpu_get_head(vgpu, h);
		wl_list_init(&tracked->resources);
		wl_list_init(&tracked->stats);
		tracked->head_state.notify = handle_head_state;
		wl_signal_add(&tracked->head->events.state,
			      &tracked->head_state);
		tracked->head_destroy.notify = handle_head_destroy;
		wl_signal_add(&tracked->head->events.destroy,
			      &tracked->head_destroy);
		mv->nr_live++;
	}
	wl_list_insert(manager->vgpus.prev, &mv->link);
	return mv;
}

static bool is_tracked(struct vpd_manager *manager, struct vpd_vgpu *vgpu)
{
	struct tracked_vgpu *mv;

	wl_list_for_each(mv, &manager->vgpus, link) {
		if (mv->vgpu == vgpu)
			return true;
	}
	return false;
}

/* Remove @mv for every client and free it. */
static void untrack_vgpu(struct tracked_vgpu *mv, bool tell)
{
	struct wl_resource *res, *tmp;
	uint32_t h;

	for (h = 0; h < mv->nr_heads; h++) {
		struct tracked_head *tracked = &mv->heads[h];
		struct stats_watch *watch, *wtmp;

		wl_list_for_each_safe(watch, wtmp, &tracked->stats, link)
			stats_watch_stop(watch);
		wl_resource_for_each_safe(res, tmp, &tracked->resources) {
			if (tell && !tracked->removed)
				zvplane_head_v1_send_removed(res);
			make_inert(res);
		}
		forget_head(tracked);
	}
	wl_resource_for_each_safe(res, tmp, &mv->resources) {
		if (tell)
			zvplane_vgpu_v1_send_removed(res);
		make_inert(res);
	}
	wl_list_remove(&mv->link);
	free(mv->heads);
	free(mv);
}

/* Create @mv's objects for the client of @manager_res and send what
 * every client was sent. */
static void announce_vgpu(struct tracked_vgpu *mv,
			  struct wl_resource *manager_res)
{
	struct wl_client *client = wl_resource_get_client(manager_res);
	uint32_t version = wl_resource_get_version(manager_res);
	struct wl_resource *vres;
	uint32_t h;

	vres = wl_resource_create(client, &zvplane_vgpu_v1_interface,
				  (int)version, 0);
	if (!vres) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(vres, &vgpu_impl, mv,
				       handle_resource_unlink);
	wl_list_insert(&mv->resources, wl_resource_get_link(vres));
	zvplane_manager_v1_send_vgpu(manager_res, vres);
	zvplane_vgpu_v1_send_name(vres, mv->name);
	zvplane_vgpu_v1_send_type(vres, mv->type);
	zvplane_vgpu_v1_send_source_kind(vres, mv->kind);
	for (h = 0; h < mv->nr_heads; h++) {
		struct tracked_head *tracked = &mv->heads[h];
		struct wl_resource *hres;

		if (tracked->removed || !tracked->head)
			continue;
		hres = wl_resource_create(client, &zvplane_head_v1_interface,
					  (int)version, 0);
		if (!hres) {
			wl_client_post_no_memory(client);
			return;
		}
		wl_resource_set_implementation(hres, &head_impl, tracked,
					       handle_resource_unlink);
		wl_list_insert(&tracked->resources, wl_resource_get_link(hres));
		zvplane_vgpu_v1_send_head(vres, hres);
		zvplane_head_v1_send_index(hres, tracked->index);
		send_head_state(hres, &tracked->sent, NULL);
	}
}

/* Bring every client up to date; one done if anything changed. */
static void check_state(void *data)
{
	struct vpd_manager *manager = data;
	struct tracked_vgpu *mv, *tmp;
	struct wl_resource *res;
	struct vpd_vgpu *vgpu;
	bool changed = false;
	uint32_t h;

	manager->idle = NULL;
	wl_list_for_each(vgpu, &manager->server->vgpus, link) {
		if (!is_tracked(manager, vgpu))
			track_vgpu(manager, vgpu); /* logged on failure */
	}
	wl_list_for_each_safe(mv, tmp, &manager->vgpus, link) {
		if (!mv->announced) {
			if (!mv->nr_live) {
				untrack_vgpu(mv, false);
				continue;
			}
			for (h = 0; h < mv->nr_heads; h++)
				read_state(manager, &mv->heads[h],
					   &mv->heads[h].sent);
			wl_resource_for_each(res, &manager->resources)
				announce_vgpu(mv, res);
			mv->announced = true;
			changed = true;
			continue;
		}
		for (h = 0; h < mv->nr_heads; h++) {
			struct tracked_head *tracked = &mv->heads[h];
			struct head_state now;

			if (!tracked->head) {
				if (tracked->removed)
					continue;
				wl_resource_for_each(res, &tracked->resources)
					zvplane_head_v1_send_removed(res);
				tracked->removed = true;
				changed = true;
				continue;
			}
			read_state(manager, tracked, &now);
			if (head_state_equal(&now, &tracked->sent))
				continue;
			wl_resource_for_each(res, &tracked->resources)
				send_head_state(res, &now, &tracked->sent);
			tracked->sent = now;
			changed = true;
		}
		if (!mv->nr_live) {
			untrack_vgpu(mv, true);
			changed = true;
		}
	}
	if (!changed)
		return;
	manager->serial++;
	wl_resource_for_each(res, &manager->resources)
		zvplane_manager_v1_send_done(res, manager->serial);
}

/* ---- the manager object ---- */

static const struct zvplane_layout_result_v1_interface layout_result_impl = {
	.destroy = handle_destroy_request,
};

/*
 * A result object (zvplane_layout_result_v1 or zvplane_record_result_v1:
 * both have only a destructor request) at the manager's version; NULL
 * after posting no_memory.
 */
static struct wl_resource *create_result(struct wl_client *client,
					 struct wl_resource *manager_res,
					 uint32_t id,
					 const struct wl_interface *interface,
					 const void *impl)
{
	struct wl_resource *res = wl_resource_create(
		client, interface, wl_resource_get_version(manager_res), id);

	if (!res) {
		wl_client_post_no_memory(client);
		return NULL;
	}
	wl_resource_set_implementation(res, impl, NULL, NULL);
	return res;
}

/* The manager of a request, or NULL after posting the stopped error. */
static struct vpd_manager *request_manager(struct wl_resource *manager_res)
{
	struct vpd_manager *manager = wl_resource_get_user_data(manager_res);

	if (!manager)
		wl_resource_post_error(manager_res,
				       ZVPLANE_MANAGER_V1_ERROR_STOPPED,
				       "request after stop");
	return manager;
}

static uint32_t failure_reason(enum vpd_layout_error err)
{
	switch (err) {
	case VPD_LAYOUT_NO_SUCH_OUTPUT:
		return ZVPLANE_LAYOUT_RESULT_V1_REASON_NO_SUCH_OUTPUT;
	case VPD_LAYOUT_INVALID_SCALE:
		return ZVPLANE_LAYOUT_RESULT_V1_REASON_INVALID_SCALE;
	case VPD_LAYOUT_INVALID_POSITION:
		return ZVPLANE_LAYOUT_RESULT_V1_REASON_INVALID_POSITION;
	default:
		return ZVPLANE_LAYOUT_RESULT_V1_REASON_OUTPUT_FAILED;
	}
}

static void handle_manager_attach(struct wl_client *client,
				  struct wl_resource *manager_res, uint32_t id,
				  struct wl_resource *head_res,
				  const char *output, int32_t x, int32_t y,
				  wl_fixed_t scale)
{
	struct vpd_manager *manager = request_manager(manager_res);
	struct tracked_head *tracked = wl_resource_get_user_data(head_res);
	struct wl_resource *result;
	enum vpd_layout_error err;
	char msg[384];

	if (!manager)
		return;
	result = create_result(client, manager_res, id,
			       &zvplane_layout_result_v1_interface,
			       &layout_result_impl);
	if (!result)
		return;
	if (!tracked || !tracked->head) {
		zvplane_layout_result_v1_send_failed(
			result, ZVPLANE_LAYOUT_RESULT_V1_REASON_HEAD_REMOVED,
			"the tracked no longer exists");
		return;
	}
	err = vpd_layout_attach(manager->server, tracked->head, output, x, y,
				wl_fixed_to_double(scale), msg, sizeof(msg));
	if (err == VPD_LAYOUT_OK) {
		zvplane_layout_result_v1_send_succeeded(result);
	} else {
		log_info("control: attach %s refused: %s", tracked->head->name,
			 msg);
		zvplane_layout_result_v1_send_failed(result,
						     failure_reason(err), msg);
	}
	schedule_check(manager);
}

static void handle_manager_detach(struct wl_client *client,
				  struct wl_resource *manager_res, uint32_t id,
				  struct wl_resource *head_res)
{
	struct vpd_manager *manager = request_manager(manager_res);
	struct tracked_head *tracked = wl_resource_get_user_data(head_res);
	struct wl_resource *result;

	if (!manager)
		return;
	result = create_result(client, manager_res, id,
			       &zvplane_layout_result_v1_interface,
			       &layout_result_impl);
	if (!result)
		return;
	if (!tracked || !tracked->head) {
		zvplane_layout_result_v1_send_failed(
			result, ZVPLANE_LAYOUT_RESULT_V1_REASON_HEAD_REMOVED,
			"the tracked no longer exists");
		return;
	}
	vpd_layout_detach(manager->server, tracked->head);
	zvplane_layout_result_v1_send_succeeded(result);
	schedule_check(manager);
}

static void handle_manager_get_stats(struct wl_client *client,
				     struct wl_resource *manager_res,
				     uint32_t id, struct wl_resource *head_res,
				     uint32_t interval_ms)
{
	struct vpd_manager *manager = request_manager(manager_res);
	struct tracked_head *tracked = wl_resource_get_user_data(head_res);
	struct stats_watch *watch;

	if (!manager)
		return;
	watch = calloc(1, sizeof(*watch));
	if (!watch) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&watch->link);
	watch->resource =
		wl_resource_create(client, &zvplane_head_stats_v1_interface,
				   wl_resource_get_version(manager_res), id);
	if (!watch->resource) {
		free(watch);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(watch->resource, &stats_impl, watch,
				       handle_stats_resource_destroy);
	if (!tracked || !tracked->head) {
		zvplane_head_stats_v1_send_removed(watch->resource);
		return;
	}
	watch->tracked = tracked;
	wl_list_insert(&tracked->stats, &watch->link);
	send_stats(watch, true);
	if (!interval_ms)
		return;
	watch->interval_ms = interval_ms < STATS_MIN_INTERVAL_MS
				     ? STATS_MIN_INTERVAL_MS
				     : interval_ms;
	watch->timer = wl_event_loop_add_timer(
		wl_display_get_event_loop(manager->server->display),
		handle_stats_timer, watch);
	if (!watch->timer) {
		log_error("manager: cannot add a statistics timer");
		return;
	}
	wl_event_source_timer_update(watch->timer, (int)watch->interval_ms);
}

/* ---- recording (version 3) ---- */

static const struct zvplane_record_result_v1_interface record_result_impl = {
	.destroy = handle_destroy_request,
};

static uint32_t record_reason(enum vpd_record_result r)
{
	switch (r) {
	case VPD_RECORD_ALREADY:
		return ZVPLANE_RECORD_RESULT_V1_REASON_ALREADY_RECORDING;
	case VPD_RECORD_NOT_RECORDING:
		return ZVPLANE_RECORD_RESULT_V1_REASON_NOT_RECORDING;
	case VPD_RECORD_BAD_PATH:
		return ZVPLANE_RECORD_RESULT_V1_REASON_BAD_PATH;
	default:
		return ZVPLANE_RECORD_RESULT_V1_REASON_FAILED;
	}
}

/*
 * A record result object, and the tracked's stream if the tracked can be
 * recorded; else the failure is sent and *os is NULL. NULL (no object)
 * after posting the error.
 */
static struct wl_resource *record_request(struct wl_client *client,
					  struct wl_resource *manager_res,
					  uint32_t id,
					  struct wl_resource *head_res,
					  struct vpd_output_stream **os)
{
	struct tracked_head *tracked = wl_resource_get_user_data(head_res);
	struct wl_resource *res;

	*os = NULL;
	if (!request_manager(manager_res))
		return NULL;
	res = create_result(client, manager_res, id,
			    &zvplane_record_result_v1_interface,
			    &record_result_impl);
	if (!res)
		return NULL;
	if (!tracked || !tracked->head) {
		zvplane_record_result_v1_send_failed(
			res, ZVPLANE_RECORD_RESULT_V1_REASON_HEAD_REMOVED,
			"the tracked no longer exists");
		return res;
	}
	if (!tracked->head->output || !tracked->head->output->stream) {
		zvplane_record_result_v1_send_failed(
			res, ZVPLANE_RECORD_RESULT_V1_REASON_NOT_STREAMED,
			tracked->vgpu->manager->server->streaming
				? "the tracked is not streamed (it is on no "
				  "headless output)"
				: "vplaned is not streaming (start it with "
				  "--stream)");
		return res;
	}
	*os = tracked->head->output->stream;
	return res;
}

static void send_record_result(struct wl_resource *res,
			       enum vpd_record_result r, const char *msg)
{
	if (r == VPD_RECORD_OK) {
		zvplane_record_result_v1_send_succeeded(res, msg);
		return;
	}
	log_info("control: recording refused: %s", msg);
	zvplane_record_result_v1_send_failed(res, record_reason(r), msg);
}

static void handle_manager_record_start(struct wl_client *client,
					struct wl_resource *manager_res,
					uint32_t id,
					struct wl_resource *head_res,
					const char *file)
{
	struct vpd_output_stream *os;
	struct wl_resource *res =
		record_request(client, manager_res, id, head_res, &os);
	char msg[2048];

	if (!os)
		return;
	send_record_result(
		res, vpd_output_stream_record_start(os, file, msg, sizeof(msg)),
		msg);
}

/* A record stop whose answer waits for the files' end. */
struct record_stop {
	struct wl_resource *res; /* NULL once the client destroyed it */
	struct wl_listener res_destroy;
};

static void handle_record_stop_res_destroy(struct wl_listener *listener,
					   void *data)
{
	struct record_stop *stop = wl_container_of(listener, stop, res_destroy);

	wl_list_remove(&stop->res_destroy.link);
	stop->res = NULL;
}

/* From the output stream: the files are complete (or failed). */
static void handle_record_stop_done(void *data, enum vpd_record_result r,
				    const char *msg)
{
	struct record_stop *stop = data;

	if (stop->res) {
		wl_list_remove(&stop->res_destroy.link);
		send_record_result(stop->res, r, msg);
	}
	free(stop);
}

static void handle_manager_record_stop(struct wl_client *client,
				       struct wl_resource *manager_res,
				       uint32_t id,
				       struct wl_resource *head_res)
{
	struct vpd_output_stream *os;
	struct wl_resource *res =
		record_request(client, manager_res, id, head_res, &os);
	struct record_stop *stop;
	enum vpd_record_result r;
	char msg[2048];

	if (!os)
		return;
	stop = calloc(1, sizeof(*stop));
	if (!stop) {
		wl_client_post_no_memory(client);
		return;
	}
	stop->res = res;
	r = vpd_output_stream_record_stop(os, handle_record_stop_done, stop,
					  msg, sizeof(msg));
	if (r != VPD_RECORD_PENDING) {
		free(stop);
		send_record_result(res, r, msg);
		return;
	}
	/* the answer comes when the files are complete; the loop goes on */
	stop->res_destroy.notify = handle_record_stop_res_destroy;
	wl_resource_add_destroy_listener(res, &stop->res_destroy);
}

/* ---- input (version 6) ---- */

static void handle_manager_get_input(struct wl_client *client,
				     struct wl_resource *manager_res,
				     uint32_t id, struct wl_resource *head_res)
{
	struct vpd_manager *manager = request_manager(manager_res);
	struct tracked_head *tracked = wl_resource_get_user_data(head_res);

	if (manager)
		vpd_control_input_create(manager->server->input, client,
					 wl_resource_get_version(manager_res),
					 id, tracked ? tracked->head : NULL);
}

static void handle_manager_stop(struct wl_client *client,
				struct wl_resource *manager_res)
{
	if (!request_manager(manager_res))
		return;
	make_inert(manager_res);
	zvplane_manager_v1_send_finished(manager_res);
}

static const struct zvplane_manager_v1_interface manager_impl = {
	.stop = handle_manager_stop,
	.destroy = handle_destroy_request,
	.attach = handle_manager_attach,
	.detach = handle_manager_detach,
	.get_stats = handle_manager_get_stats,
	.record_start = handle_manager_record_start,
	.record_stop = handle_manager_record_stop,
	.get_input = handle_manager_get_input,
};

static void handle_manager_bind(struct wl_client *client, void *data,
				uint32_t version, uint32_t id)
{
	struct vpd_manager *manager = data;
	struct wl_resource *res;
	struct tracked_vgpu *mv;

	res = wl_resource_create(client, &zvplane_manager_v1_interface,
				 (int)version, id);
	if (!res) {
		wl_client_post_no_memory(client);
		return;
	}
	/* bring the state clients know up to date before this one joins */
	if (manager->idle) {
		wl_event_source_remove(manager->idle);
		manager->idle = NULL;
	}
	check_state(manager);
	wl_resource_set_implementation(res, &manager_impl, manager,
				       handle_resource_unlink);
	wl_list_insert(&manager->resources, wl_resource_get_link(res));
	/* what every client knows; a pending check sends the news to all */
	wl_list_for_each(mv, &manager->vgpus, link) {
		if (mv->announced)
			announce_vgpu(mv, res);
	}
	zvplane_manager_v1_send_done(res, manager->serial);
}

static void handle_server_new_vgpu(struct wl_listener *listener, void *data)
{
	struct vpd_manager *manager =
		wl_container_of(listener, manager, new_vgpu);

	schedule_check(manager);
}

static void handle_layout_change(struct wl_listener *listener, void *data)
{
	struct vpd_manager *manager =
		wl_container_of(listener, manager, layout_change);

	schedule_check(manager);
}

struct vpd_manager *vpd_manager_create(struct vpd_server *server,
				       struct vpd_control *control)
{
	struct vpd_manager *manager = calloc(1, sizeof(*manager));

	if (!manager) {
		log_errno("calloc");
		return NULL;
	}
	manager->server = server;
	wl_list_init(&manager->resources);
	wl_list_init(&manager->vgpus);
	manager->global =
		wl_global_create(server->display, &zvplane_manager_v1_interface,
				 MANAGER_VERSION, manager, handle_manager_bind);
	if (!manager->global ||
	    !vpd_control_restrict_global(control, manager->global)) {
		log_error("cannot create the vplane manager global");
		if (manager->global)
			wl_global_destroy(manager->global);
		free(manager);
		return NULL;
	}
	manager->new_vgpu.notify = handle_server_new_vgpu;
	wl_signal_add(&server->events.new_vgpu, &manager->new_vgpu);
	manager->layout_change.notify = handle_layout_change;
	wl_signal_add(&server->layout->events.change, &manager->layout_change);
	schedule_check(manager); /* vGPUs opened before */
	return manager;
}

void vpd_manager_destroy(struct vpd_manager *manager)
{
	struct tracked_vgpu *mv, *tmp;
	struct wl_resource *res, *rtmp;

	if (!manager)
		return;
	if (manager->idle)
		wl_event_source_remove(manager->idle);
	wl_list_remove(&manager->new_vgpu.link);
	wl_list_remove(&manager->layout_change.link);
	wl_list_for_each_safe(mv, tmp, &manager->vgpus, link)
		untrack_vgpu(mv, false);
	wl_resource_for_each_safe(res, rtmp, &manager->resources)
		make_inert(res);
	wl_global_destroy(manager->global);
	free(manager);
}
