// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_stream.h"

void vp_config_print_usage(FILE *f)
{
	fprintf(f, "usage: vplaned [options]\n"
		   "Show vplane vGPU heads on Wayland outputs, without copying "
		   "pixels.\n"
		   "  --vgpu UUID          show the vGPU /dev/vplane/UUID "
		   "(repeatable)\n"
		   "  --vgpu-path PATH     show the vGPU display node at PATH "
		   "(repeatable)\n"
		   "  --all-vgpus          show every vGPU in /dev/vplane, "
		   "including\n"
		   "                       those created later (dropped when "
		   "removed)\n"
		   "  --backend B          headless (one output per head), drm "
		   "(kiosk:\n"
		   "                       direct scanout), wayland (a window "
		   "per head on\n"
		   "                       $WAYLAND_DISPLAY), auto (wlroots "
		   "picks); default auto\n"
		   "  --socket NAME        Wayland socket name (default: first "
		   "free wayland-N)\n"
		   "  --vfio-socket PATH   accept the VFIO device fds of "
		   "upstream-only vGPUs\n"
		   "                       (mbochs, GVT-g) from VMMs on this "
		   "unix socket\n"
		   "  --config FILE        read settings from FILE (see "
		   "server/config.h)\n"
		   "  --verbose            debug logging\n"
		   "  --help               this text\n");
	vp_config_stream_usage(f);
}

const char *vp_backend_kind_name(enum vp_backend_kind kind)
{
	switch (kind) {
	case VP_BACKEND_HEADLESS:
		return "headless";
	case VP_BACKEND_DRM:
		return "drm";
	case VP_BACKEND_WAYLAND:
		return "wayland";
	default:
		return "auto";
	}
}

static bool parse_backend(const char *s, enum vp_backend_kind *out)
{
	if (!strcmp(s, "headless"))
		*out = VP_BACKEND_HEADLESS;
	else if (!strcmp(s, "drm"))
		*out = VP_BACKEND_DRM;
	else if (!strcmp(s, "wayland"))
		*out = VP_BACKEND_WAYLAND;
	else if (!strcmp(s, "auto"))
		*out = VP_BACKEND_AUTO;
	else
		return false;
	return true;
}

/* Hex digits and dashes, the shape of an mdev UUID. */
static bool uuid_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < 40 && strspn(s, "0123456789abcdefABCDEF-") == n;
}

static bool add_vgpu(struct vp_config *config, const char *uuid,
		     const char *path)
{
	struct vp_config_vgpu *v;

	if (uuid && !uuid_valid(uuid)) {
		fprintf(stderr, "vplaned: '%s' is not a vGPU UUID\n", uuid);
		return false;
	}
	v = realloc(config->vgpus, (config->nr_vgpus + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "vplaned: out of memory\n");
		return false;
	}
	config->vgpus = v;
	v = &config->vgpus[config->nr_vgpus];
	*v = (struct vp_config_vgpu){
		.uuid = uuid ? strdup(uuid) : NULL,
		.path = path ? strdup(path) : NULL,
	};
	if (!v->uuid && !v->path) {
		fprintf(stderr, "vplaned: out of memory\n");
		return false;
	}
	config->nr_vgpus++;
	return true;
}

static bool set_string(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src);
	if (!*dst)
		fprintf(stderr, "vplaned: out of memory\n");
	return *dst;
}

static bool parse_file(struct vp_config *config, const char *file)
{
	FILE *f = fopen(file, "re");
	char line[512];
	unsigned int lineno = 0;
	bool ok = true;

	if (!f) {
		fprintf(stderr, "vplaned: cannot read config %s: %s\n", file,
			strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f)) {
		char key[64], value[400], extra[2];
		int n;

		lineno++;
		line[strcspn(line, "#\n")] = 0;
		n = sscanf(line, "%63s %399s %1s", key, value, extra);
		if (n <= 0)
			continue;
		if (n != 2) {
			fprintf(stderr,
				"vplaned: %s:%u: expected 'key value'\n", file,
				lineno);
			ok = false;
		} else if (!strcmp(key, "vgpu")) {
			ok = add_vgpu(config, value, NULL);
		} else if (!strcmp(key, "vgpu-path")) {
			ok = add_vgpu(config, NULL, value);
		} else if (!strcmp(key, "backend")) {
			ok = parse_backend(value, &config->backend);
			if (!ok)
				fprintf(stderr,
					"vplaned: %s:%u: unknown backend '%s' "
					"(headless, drm, wayland, auto)\n",
					file, lineno, value);
		} else if (!strcmp(key, "all-vgpus")) {
			ok = !strcmp(value, "yes") || !strcmp(value, "no");
			config->all_vgpus = !strcmp(value, "yes");
			if (!ok)
				fprintf(stderr,
					"vplaned: %s:%u: all-vgpus takes yes "
					"or "
					"no, not '%s'\n",
					file, lineno, value);
		} else if (!strcmp(key, "socket")) {
			ok = set_string(&config->socket, value);
		} else if (!strcmp(key, "vfio-socket")) {
			ok = set_string(&config->vfio_socket, value);
		} else if (vp_config_stream_is_key(key)) {
			ok = vp_config_stream_key(config, key, value, file,
						  lineno);
		} else {
			fprintf(stderr,
				"vplaned: %s:%u: unknown setting '%s'\n", file,
				lineno, key);
			ok = false;
		}
	}
	fclose(f);
	return ok;
}

bool vp_config_parse(struct vp_config *config, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vgpu", required_argument, NULL, 'u' },
		{ "vgpu-path", required_argument, NULL, 'p' },
		{ "all-vgpus", no_argument, NULL, 'a' },
		{ "backend", required_argument, NULL, 'b' },
		{ "socket", required_argument, NULL, 's' },
		{ "vfio-socket", required_argument, NULL, 'V' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		VP_CONFIG_STREAM_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*config = (struct vp_config){ .backend = VP_BACKEND_AUTO };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'u':
			ok = add_vgpu(config, optarg, NULL);
			break;
		case 'p':
			ok = add_vgpu(config, NULL, optarg);
			break;
		case 'a':
			config->all_vgpus = true;
			break;
		case 'b':
			ok = parse_backend(optarg, &config->backend);
			if (!ok)
				fprintf(stderr,
					"vplaned: unknown --backend '%s' "
					"(headless, drm, wayland, auto)\n",
					optarg);
			break;
		case 's':
			ok = set_string(&config->socket, optarg);
			break;
		case 'V':
			ok = set_string(&config->vfio_socket, optarg);
			break;
		case 'c':
			ok = parse_file(config, optarg);
			break;
		case 'v':
			config->verbose = true;
			break;
		case 'h':
			config->help = true;
			break;
		case ':':
			fprintf(stderr, "vplaned: option '%s' needs a value\n",
				argv[optind - 1]);
			ok = false;
			break;
		default:
			if (vp_config_stream_is_opt(c)) {
				ok = vp_config_stream_arg(config, c, optarg);
				break;
			}
			fprintf(stderr,
				"vplaned: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			ok = false;
			break;
		}
		if (!ok)
			return false;
	}
	if (optind < argc) {
		fprintf(stderr,
			"vplaned: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return false;
	}
	return config->help || vp_config_stream_check(config);
}

void vp_config_finish(struct vp_config *config)
{
	size_t i;

	for (i = 0; i < config->nr_vgpus; i++) {
		free(config->vgpus[i].uuid);
		free(config->vgpus[i].path);
	}
	free(config->vgpus);
	free(config->socket);
	vp_config_stream_finish(config);
	free(config->vfio_socket);
	*config = (struct vp_config){ 0 };
}
