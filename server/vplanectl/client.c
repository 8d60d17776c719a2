// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "vplane-manager-unstable-v1-client-protocol.h"

static void handle_head_index(void *data, struct zvplane_head_v1 *proxy,
			      uint32_t index)
{
	struct vpctl_head *head = data;

	head->index = index;
}

static void handle_head_mode(void *data, struct zvplane_head_v1 *proxy,
			     uint32_t width, uint32_t height,
			     uint32_t refresh_mhz)
{
	struct vpctl_head *head = data;

	head->width = width;
	head->height = height;
	head->refresh_mhz = refresh_mhz;
}

static void handle_head_enabled(void *data, struct zvplane_head_v1 *proxy,
				uint32_t enabled)
{
	struct vpctl_head *head = data;

	head->enabled = enabled;
}

static void handle_head_format(void *data, struct zvplane_head_v1 *proxy,
			       uint32_t format)
{
	struct vpctl_head *head = data;

	head->format = format;
}

static void handle_head_gone(void *data, struct zvplane_head_v1 *proxy)
{
	struct vpctl_head *head = data;

	head->gone = true;
}

static void handle_head_output(void *data, struct zvplane_head_v1 *proxy,
			       const char *name, int32_t x, int32_t y,
			       wl_fixed_t scale)
{
	struct vpctl_head *head = data;

	head->shown = true;
	snprintf(head->output, sizeof(head->output), "%s", name);
	head->x = x;
	head->y = y;
	head->scale = wl_fixed_to_double(scale);
}

static void handle_head_no_output(void *data, struct zvplane_head_v1 *proxy)
{
	struct vpctl_head *head = data;

	head->shown = false;
	head->output[0] = 0;
}

static void handle_head_removed(void *data, struct zvplane_head_v1 *proxy)
{
	struct vpctl_head *head = data;

	head->removed = true;
}

static const struct zvplane_head_v1_listener head_listener = {
	.index = handle_head_index,
	.mode = handle_head_mode,
	.enabled = handle_head_enabled,
	.format = handle_head_format,
	.gone = handle_head_gone,
	.output = handle_head_output,
	.no_output = handle_head_no_output,
	.removed = handle_head_removed,
};

static void handle_vgpu_name(void *data, struct zvplane_vgpu_v1 *proxy,
			     const char *name)
{
	struct vpctl_vgpu *vgpu = data;

	snprintf(vgpu->name, sizeof(vgpu->name), "%s", name);
}

static void handle_vgpu_type(void *data, struct zvplane_vgpu_v1 *proxy,
			     const char *type)
{
	struct vpctl_vgpu *vgpu = data;

	snprintf(vgpu->type, sizeof(vgpu->type), "%s", type);
}

static void handle_vgpu_source_kind(void *data, struct zvplane_vgpu_v1 *proxy,
				    uint32_t kind)
{
	struct vpctl_vgpu *vgpu = data;

	vgpu->kind = kind;
}

static void handle_vgpu_head(void *data, struct zvplane_vgpu_v1 *proxy,
			     struct zvplane_head_v1 *head_proxy)
{
	struct vpctl_vgpu *vgpu = data;
	struct vpctl_head *head = calloc(1, sizeof(*head));

	if (!head) {
		fprintf(stderr, "vplanectl: out of memory\n");
		exit(1);
	}
	head->vgpu = vgpu;
	head->proxy = head_proxy;
	head->scale = 1.0;
	zvplane_head_v1_add_listener(head_proxy, &head_listener, head);
	wl_list_insert(vgpu->heads.prev, &head->link);
}

static void handle_vgpu_removed(void *data, struct zvplane_vgpu_v1 *proxy)
{
	struct vpctl_vgpu *vgpu = data;

	vgpu->removed = true;
}

static const struct zvplane_vgpu_v1_listener vgpu_listener = {
	.name = handle_vgpu_name,
	.type = handle_vgpu_type,
	.source_kind = handle_vgpu_source_kind,
	.head = handle_vgpu_head,
	.removed = handle_vgpu_removed,
};

static void handle_manager_vgpu(void *data, struct zvplane_manager_v1 *proxy,
				struct zvplane_vgpu_v1 *vgpu_proxy)
{
	struct vpctl_client *client = data;
	struct vpctl_vgpu *vgpu = calloc(1, sizeof(*vgpu));

	if (!vgpu) {
		fprintf(stderr, "vplanectl: out of memory\n");
		exit(1);
	}
	vgpu->proxy = vgpu_proxy;
	wl_list_init(&vgpu->heads);
	zvplane_vgpu_v1_add_listener(vgpu_proxy, &vgpu_listener, vgpu);
	wl_list_insert(client->vgpus.prev, &vgpu->link);
}

static void handle_manager_done(void *data, struct zvplane_manager_v1 *proxy,
				uint32_t serial)
{
	struct vpctl_client *client = data;

	client->done = true;
}

static void handle_manager_finished(void *data,
				    struct zvplane_manager_v1 *proxy)
{
}

static const struct zvplane_manager_v1_listener manager_listener = {
	.vgpu = handle_manager_vgpu,
	.done = handle_manager_done,
	.finished = handle_manager_finished,
};

static void handle_registry_global(void *data, struct wl_registry *registry,
				   uint32_t name, const char *interface,
				   uint32_t version)
{
	struct vpctl_client *client = data;

	if (strcmp(interface, zvplane_manager_v1_interface.name))
		return;
	/* version 2: stream counters and the encoder in stats; 3:
	 * recording on request; 4: the cpu_maps counter; 6: input */
	client->manager =
		wl_registry_bind(registry, name, &zvplane_manager_v1_interface,
				 version < 6 ? version : 6);
	zvplane_manager_v1_add_listener(client->manager, &manager_listener,
					client);
}

static void handle_registry_global_remove(void *data,
					  struct wl_registry *registry,
					  uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_registry_global,
	.global_remove = handle_registry_global_remove,
};

bool vpctl_client_connect(struct vpctl_client *client, const char *path)
{
	*client = (struct vpctl_client){ 0 };
	wl_list_init(&client->vgpus);
	client->display = wl_display_connect(path);
	if (!client->display) {
		int err = errno;

		fprintf(stderr,
			"vplanectl: cannot connect to vplaned's control socket "
			"%s: %s%s\n",
			path, strerror(err),
			err == ENOENT || err == ECONNREFUSED
				? " (is vplaned running? --socket names its "
				  "Wayland socket)"
			: err == EACCES ? " (the socket's owner or group may "
					  "manage vplaned)"
					: "");
		return false;
	}
	client->registry = wl_display_get_registry(client->display);
	wl_registry_add_listener(client->registry, &registry_listener, client);
	if (wl_display_roundtrip(client->display) < 0) {
		fprintf(stderr, "vplanectl: lost the connection to %s\n", path);
		return false;
	}
	if (!client->manager) {
		fprintf(stderr,
			"vplanectl: %s does not offer the vplane manager "
			"(zvplane_manager_v1): not vplaned's control socket?\n",
			path);
		return false;
	}
	while (!client->done) {
		if (!vpctl_client_dispatch(client))
			return false;
	}
	return true;
}

bool vpctl_client_dispatch(struct vpctl_client *client)
{
	if (wl_display_dispatch(client->display) >= 0)
		return true;
	fprintf(stderr, "vplanectl: lost the connection to vplaned: %s\n",
		strerror(errno));
	return false;
}

struct vpctl_head *vpctl_client_find_head(struct vpctl_client *client,
					  const char *name, uint32_t index)
{
	struct vpctl_vgpu *vgpu, *found = NULL;
	struct vpctl_head *head;
	size_t len = strlen(name);
	int matches = 0;

	wl_list_for_each(vgpu, &client->vgpus, link) {
		if (vgpu->removed)
			continue;
		if (!strcmp(vgpu->name, name)) {
			found = vgpu;
			matches = 1;
			break;
		}
		if (!strncmp(vgpu->name, name, len)) {
			found = vgpu;
			matches++;
		}
	}
	if (matches != 1) {
		fprintf(stderr, "vplanectl: %s vGPU named '%s'%s\n",
			matches ? "more than one" : "no", name,
			matches ? " (give more of the UUID)"
				: " (see vplanectl list)");
		return NULL;
	}
	wl_list_for_each(head, &found->heads, link) {
		if (head->index == index && !head->removed)
			return head;
	}
	fprintf(stderr, "vplanectl: vGPU %s has no head %u (it has %d)\n",
		found->name, index, wl_list_length(&found->heads));
	return NULL;
}

void vpctl_client_finish(struct vpctl_client *client)
{
	struct vpctl_vgpu *vgpu, *vtmp;
	struct vpctl_head *head, *htmp;

	wl_list_for_each_safe(vgpu, vtmp, &client->vgpus, link) {
		wl_list_for_each_safe(head, htmp, &vgpu->heads, link) {
			zvplane_head_v1_destroy(head->proxy);
			free(head);
		}
		zvplane_vgpu_v1_destroy(vgpu->proxy);
		free(vgpu);
	}
	if (client->manager)
		zvplane_manager_v1_destroy(client->manager);
	if (client->registry)
		wl_registry_destroy(client->registry);
	if (client->display)
		wl_display_disconnect(client->display);
}
