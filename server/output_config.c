// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_output_management_v1.h>

#include "log_sink.h"
#include "control.h"
#include "layout.h"
#include "output.h"
#include "output_config.h"
#include "server.h"
#include "head.h"

/*
 * wlroots 0.16+ would simplify this file: wlr_output_state lets each
 * head's new state be built and tested without the output's pending
 * state and rollback, and 0.17's wlr_output_configuration_v1_build_state
 * fills it from the configuration head; 0.18's wlr_backend_test can
 * then test all outputs of one backend in one go.
 */

struct vpd_output_config {
	struct vpd_server *server;
	struct wlr_output_manager_v1 *manager;
	struct wl_event_source *idle; /* a pending configuration update */
	struct wl_listener layout_change;
	struct wl_listener apply;
	struct wl_listener test;
};

static struct vpd_output *find_output(struct vpd_server *server,
				      struct wlr_output *wo)
{
	struct vpd_output *output;

	wl_list_for_each(output, &server->outputs, link) {
		if (output->wlr_output == wo)
			return output;
	}
	return NULL;
}

/* The current state of every output, to every client. */
static void send_configuration(void *data)
{
	struct vpd_output_config *oc = data;
	struct wlr_output_configuration_v1 *config;
	struct vpd_output *output;

	oc->idle = NULL;
	config = wlr_output_configuration_v1_create();
	if (!config) {
		log_error("output management: out of memory");
		return;
	}
	wl_list_for_each(output, &oc->server->outputs, link) {
		struct wlr_output *wo = output->wlr_output;
		struct wlr_output_configuration_head_v1 *ch =
			wlr_output_configuration_head_v1_create(config, wo);
		struct wlr_output_layout_output *lo;

		if (!ch) {
			log_error("output management: out of memory");
			wlr_output_configuration_v1_destroy(config);
			return;
		}
		lo = wlr_output_layout_get(oc->server->layout, wo);
		if (lo) {
			ch->state.x = lo->x;
			ch->state.y = lo->y;
		}
	}
	/* takes config */
	wlr_output_manager_v1_set_configuration(oc->manager, config);
}

static void schedule_update(struct vpd_output_config *oc)
{
	if (oc->idle)
		return;
	oc->idle = wl_event_loop_add_idle(
		wl_display_get_event_loop(oc->server->display),
		send_configuration, oc);
}

/* Whether @ch may be applied at all; why not in the log. */
static bool head_acceptable(struct vpd_output_config *oc,
			    struct wlr_output_configuration_head_v1 *ch)
{
	struct wlr_output *wo = ch->state.output;
	struct vpd_output *output = find_output(oc->server, wo);
	struct vpd_head *src;
	int32_t w, h;

	if (!output) {
		log_info("output management: %s is not ours", wo->name);
		return false;
	}
	if (!ch->state.enabled)
		return true;
	if (ch->state.transform != WL_OUTPUT_TRANSFORM_NORMAL) {
		log_info("output management: %s: only the normal transform is "
			 "supported",
			 wo->name);
		return false;
	}
	if (!(ch->state.scale > 0.0f)) {
		log_info("output management: %s: scale %f", wo->name,
			 (double)ch->state.scale);
		return false;
	}
	src = output->head;
	w = ch->state.mode ? ch->state.mode->width
			   : ch->state.custom_mode.width;
	h = ch->state.mode ? ch->state.mode->height
			   : ch->state.custom_mode.height;
	if (oc->server->headless && src && src->width &&
	    ((uint32_t)w != src->width || (uint32_t)h != src->height)) {
		log_info("output management: %s follows the %ux%u mode of vGPU "
			 "head %s; detach the head to give it %dx%d",
			 wo->name, src->width, src->height, src->name, w, h);
		return false;
	}
	return true;
}

/* @ch's state as the output's pending state. */
static void stage(struct wlr_output_configuration_head_v1 *ch)
{
	struct wlr_output *wo = ch->state.output;

	wlr_output_enable(wo, ch->state.enabled);
	if (!ch->state.enabled)
		return;
	if (ch->state.mode)
		wlr_output_set_mode(wo, ch->state.mode);
	else if (ch->state.custom_mode.width > 0 &&
		 ch->state.custom_mode.height > 0)
		wlr_output_set_custom_mode(wo, ch->state.custom_mode.width,
					   ch->state.custom_mode.height,
					   ch->state.custom_mode.refresh);
	wlr_output_set_scale(wo, ch->state.scale);
}

/* Test every head first, so that a refused one changes nothing; 0.15
 * has no atomic test across outputs, so a commit can still fail. */
static bool test_all(struct vpd_output_config *oc,
		     struct wlr_output_configuration_v1 *config)
{
	struct wlr_output_configuration_head_v1 *ch;

	wl_list_for_each(ch, &config->heads, link) {
		bool ok;

		if (!head_acceptable(oc, ch))
			return false;
		stage(ch);
		ok = wlr_output_test(ch->state.output);
		wlr_output_rollback(ch->state.output);
		if (!ok) {
			log_info("output management: %s refused it",
				 ch->state.output->name);
			return false;
		}
	}
	return true;
}

static bool apply_all(struct vpd_output_config *oc,
		      struct wlr_output_configuration_v1 *config)
{
	struct wlr_output_configuration_head_v1 *ch;
	bool ok = true;

	wl_list_for_each(ch, &config->heads, link) {
		struct wlr_output *wo = ch->state.output;
		struct vpd_output *output = find_output(oc->server, wo);

		if (!ch->state.enabled && output->head)
			vpd_layout_detach(oc->server, output->head);
		stage(ch);
		if (!wlr_output_commit(wo)) {
			wlr_output_rollback(wo);
			log_error("output management: %s: commit failed",
				  wo->name);
			ok = false;
			continue;
		}
		if (ch->state.enabled) {
			wlr_output_layout_add(oc->server->layout, wo,
					      ch->state.x, ch->state.y);
			vpd_output_damage(output);
		} else {
			wlr_output_layout_remove(oc->server->layout, wo);
		}
		log_info("output management: %s %s %dx%d at %d,%d scale %.2f",
			 wo->name, wo->enabled ? "on" : "off", wo->width,
			 wo->height, ch->state.x, ch->state.y,
			 (double)wo->scale);
	}
	return ok;
}

static void handle_manager_apply(struct wl_listener *listener, void *data)
{
	struct vpd_output_config *oc = wl_container_of(listener, oc, apply);
	struct wlr_output_configuration_v1 *config = data;

	if (test_all(oc, config) && apply_all(oc, config))
		wlr_output_configuration_v1_send_succeeded(config);
	else
		wlr_output_configuration_v1_send_failed(config);
	wlr_output_configuration_v1_destroy(config); /* ours */
	schedule_update(oc);
}

static void handle_manager_test(struct wl_listener *listener, void *data)
{
	struct vpd_output_config *oc = wl_container_of(listener, oc, test);
	struct wlr_output_configuration_v1 *config = data;

	if (test_all(oc, config))
		wlr_output_configuration_v1_send_succeeded(config);
	else
		wlr_output_configuration_v1_send_failed(config);
	wlr_output_configuration_v1_destroy(config);
}

static void handle_layout_change(struct wl_listener *listener, void *data)
{
	struct vpd_output_config *oc =
		wl_container_of(listener, oc, layout_change);

	schedule_update(oc);
}

struct vpd_output_config *vpd_output_config_create(struct vpd_server *server,
						   struct vpd_control *control)
{
	struct vpd_output_config *oc = calloc(1, sizeof(*oc));

	if (!oc) {
		log_errno("calloc");
		return NULL;
	}
	oc->server = server;
	oc->manager = wlr_output_manager_v1_create(server->display);
	if (!oc->manager ||
	    !vpd_control_restrict_global(control, oc->manager->global)) {
		log_error("cannot create the output management global");
		free(oc);
		return NULL;
	}
	oc->apply.notify = handle_manager_apply;
	wl_signal_add(&oc->manager->events.apply, &oc->apply);
	oc->test.notify = handle_manager_test;
	wl_signal_add(&oc->manager->events.test, &oc->test);
	oc->layout_change.notify = handle_layout_change;
	wl_signal_add(&server->layout->events.change, &oc->layout_change);
	/*
	 * Clients wait for a first done, even with no outputs, and
	 * wlr-randr waits for one with a non-zero serial. wlroots 0.15
	 * sends done on bind with the manager's serial, which stays 0 until
	 * a configuration differs from the last one: an empty list the first
	 * time does not. Marking it dirty makes that first (possibly empty)
	 * configuration take a fresh serial.
	 */
	oc->manager->current_configuration_dirty = true;
	schedule_update(oc);
	return oc;
}

void vpd_output_config_destroy(struct vpd_output_config *oc)
{
	if (!oc)
		return;
	if (oc->idle)
		wl_event_source_remove(oc->idle);
	wl_list_remove(&oc->apply.link);
	wl_list_remove(&oc->test.link);
	wl_list_remove(&oc->layout_change.link);
	free(oc);
}
