// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config_stream.h"

void vpd_config_print_usage(FILE *f)
{
	fprintf(f,
		"usage: vplaned [options]\n"
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
		"  --input-control P    who controls a head's input when two "
		"sources want it:\n"
		"                       first (keeps it until it leaves; "
		"default) or last\n"
		"  --seat-focus F       kiosk keyboard focus: pointer (the "
		"head under the\n"
		"                       pointer, default) or click\n"
		"  --seat-release KEYS  kiosk combination that releases "
		"everything and\n"
		"                       forwards nothing until a click "
		"(default\n"
		"                       " VPD_SEAT_RELEASE_DEFAULT ")\n"
		"  --seat-next KEYS     kiosk combination that shows the "
		"next head on the\n"
		"                       output under the pointer "
		"(default\n"
		"                       " VPD_SEAT_NEXT_DEFAULT ")\n"
		"  --config FILE        read settings from FILE (see "
		"server/config.h)\n"
		"  --verbose            debug logging\n"
		"  --help               this text\n");
	vpd_config_stream_usage(f);
}

const char *vpd_backend_kind_name(enum vpd_backend_kind kind)
{
	switch (kind) {
	case VPD_BACKEND_HEADLESS:
		return "headless";
	case VPD_BACKEND_DRM:
		return "drm";
	case VPD_BACKEND_WAYLAND:
		return "wayland";
	default:
		return "auto";
	}
}

static bool parse_backend(const char *s, enum vpd_backend_kind *out)
{
	if (!strcmp(s, "headless"))
		*out = VPD_BACKEND_HEADLESS;
	else if (!strcmp(s, "drm"))
		*out = VPD_BACKEND_DRM;
	else if (!strcmp(s, "wayland"))
		*out = VPD_BACKEND_WAYLAND;
	else if (!strcmp(s, "auto"))
		*out = VPD_BACKEND_AUTO;
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

/* The display node a vGPU setting names: /dev/vplane/<uuid> for a
 * UUID (any case), else the path as given. */
static char *vgpu_node(const char *uuid, const char *path)
{
	char *node;

	if (path)
		return strdup(path);
	if (asprintf(&node, "/dev/vplane/%s", uuid) < 0)
		return NULL;
	for (char *c = node + strlen("/dev/vplane/"); *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return node;
}

/* True if both settings name one vGPU: the same node path, or two
 * paths to one device (a symlink, another name of the node). */
static bool same_vgpu(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(a, b))
		return true;
	if (stat(a, &sa) || stat(b, &sb))
		return false;
	if (S_ISCHR(sa.st_mode) && S_ISCHR(sb.st_mode))
		return sa.st_rdev == sb.st_rdev;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* @where: "FILE:LINE" or "--vgpu"/"--vgpu-path" for messages. A vGPU
 * given twice (by UUID, path, or both) is refused: it would be shown
 * and served twice under one name. */
static bool add_vgpu(struct vpd_config *config, const char *uuid,
		     const char *path, const char *where)
{
	struct vpd_config_vgpu *v;
	char *node;

	if (uuid && !uuid_valid(uuid)) {
		fprintf(stderr, "vplaned: %s: '%s' is not a vGPU UUID\n", where,
			uuid);
		return false;
	}
	node = vgpu_node(uuid, path);
	if (!node) {
		fprintf(stderr, "vplaned: out of memory\n");
		return false;
	}
	for (size_t i = 0; i < config->nr_vgpus; i++) {
		v = &config->vgpus[i];
		if (!same_vgpu(node, v->node))
			continue;
		fprintf(stderr,
			"vplaned: %s: vGPU %s is given twice (first at %s)\n",
			where, uuid ? uuid : path, v->where);
		free(node);
		return false;
	}
	v = realloc(config->vgpus, (config->nr_vgpus + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "vplaned: out of memory\n");
		free(node);
		return false;
	}
	config->vgpus = v;
	v = &config->vgpus[config->nr_vgpus];
	*v = (struct vpd_config_vgpu){
		.uuid = uuid ? strdup(uuid) : NULL,
		.path = path ? strdup(path) : NULL,
		.node = node,
		.where = strdup(where),
	};
	config->nr_vgpus++;
	if ((!v->uuid && !v->path) || !v->where) {
		fprintf(stderr, "vplaned: out of memory\n");
		return false;
	}
	return true;
}

/* The seat settings (seat-focus, seat-release, seat-next) of @key, given
 * at @where; false after saying why. */
static bool parse_seat(struct vpd_config *config, const char *key,
		       const char *value, const char *where)
{
	struct vpd_seat_combo *combo = !strcmp(key, "seat-release")
					       ? &config->seat_release
					       : &config->seat_next;

	if (!strcmp(key, "seat-focus")) {
		if (strcmp(value, "pointer") && strcmp(value, "click")) {
			fprintf(stderr,
				"vplaned: %s: seat-focus takes pointer or "
				"click, not '%s'\n",
				where, value);
			return false;
		}
		config->seat_click_focus = !strcmp(value, "click");
		return true;
	}
	if (vpd_seat_combo_parse(value, combo))
		return true;
	fprintf(stderr,
		"vplaned: %s: %s: '%s' is not a key combination (modifiers "
		"and one key, e.g. %s)\n",
		where, key, value, VPD_SEAT_RELEASE_DEFAULT);
	return false;
}

static bool is_seat_key(const char *key)
{
	return !strcmp(key, "seat-focus") || !strcmp(key, "seat-release") ||
	       !strcmp(key, "seat-next");
}

static bool set_string(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src);
	if (!*dst)
		fprintf(stderr, "vplaned: out of memory\n");
	return *dst;
}

/* Settings a file may give more than once (each adds one). */
static bool repeatable(const char *key)
{
	return !strcmp(key, "vgpu") || !strcmp(key, "vgpu-path") ||
	       !strcmp(key, "record");
}

/* Split @line (modified) into at most three words; the count. */
static int split(char *line, char **words)
{
	int n = 0;

	for (char *save = NULL, *w = strtok_r(line, " \t\r\v\f", &save); w;
	     w = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (n == 3)
			break;
		words[n++] = w;
	}
	return n;
}

static bool parse_input_control(struct vpd_config *config, const char *s)
{
	if (strcmp(s, "first") && strcmp(s, "last"))
		return false;
	config->input_control_last = !strcmp(s, "last");
	return true;
}

/* One "key value" line of @file. */
static bool parse_setting(struct vpd_config *config, const char *key,
			  const char *value, const char *file,
			  unsigned int lineno)
{
	char where[64 + PATH_MAX];
	bool ok;

	snprintf(where, sizeof(where), "%s:%u", file, lineno);
	if (!strcmp(key, "vgpu"))
		return add_vgpu(config, value, NULL, where);
	if (!strcmp(key, "vgpu-path"))
		return add_vgpu(config, NULL, value, where);
	if (!strcmp(key, "backend")) {
		ok = parse_backend(value, &config->backend);
		if (!ok)
			fprintf(stderr,
				"vplaned: %s: unknown backend '%s' "
				"(headless, drm, wayland, auto)\n",
				where, value);
		return ok;
	}
	if (!strcmp(key, "all-vgpus")) {
		ok = !strcmp(value, "yes") || !strcmp(value, "no");
		config->all_vgpus = !strcmp(value, "yes");
		if (!ok)
			fprintf(stderr,
				"vplaned: %s: all-vgpus takes yes or no, not "
				"'%s'\n",
				where, value);
		return ok;
	}
	if (!strcmp(key, "input-control")) {
		ok = parse_input_control(config, value);
		if (!ok)
			fprintf(stderr,
				"vplaned: %s: input-control takes first or "
				"last, not '%s'\n",
				where, value);
		return ok;
	}
	if (!strcmp(key, "socket"))
		return set_string(&config->socket, value);
	if (!strcmp(key, "vfio-socket"))
		return set_string(&config->vfio_socket, value);
	if (is_seat_key(key))
		return parse_seat(config, key, value, where);
	if (vpd_config_stream_is_key(key)) {
		ok = vpd_config_stream_key(config, key, value, file, lineno);
		if (!ok)
			fprintf(stderr, "vplaned: %s: bad %s setting\n", where,
				key);
		return ok;
	}
	fprintf(stderr, "vplaned: %s: unknown setting '%s'\n", where, key);
	return false;
}

/* Lines of any length; a setting given twice in one file (but the
 * repeatable ones) is refused, naming both lines. */
static bool parse_file(struct vpd_config *config, const char *file)
{
	FILE *f = fopen(file, "re");
	struct seen {
		char *key;
		unsigned int lineno;
	} *seen = NULL;
	size_t nr_seen = 0, cap = 0;
	char *line = NULL;
	unsigned int lineno = 0;
	bool ok = true;

	if (!f) {
		fprintf(stderr, "vplaned: cannot read config %s: %s\n", file,
			strerror(errno));
		return false;
	}
	while (ok && getline(&line, &cap, f) >= 0) {
		char *words[3];
		int n;

		lineno++;
		line[strcspn(line, "#\n")] = 0;
		n = split(line, words);
		if (!n)
			continue;
		if (n != 2) {
			fprintf(stderr,
				"vplaned: %s:%u: expected 'key value'\n", file,
				lineno);
			ok = false;
			break;
		}
		for (size_t i = 0; !repeatable(words[0]) && i < nr_seen; i++) {
			if (strcmp(seen[i].key, words[0]))
				continue;
			fprintf(stderr,
				"vplaned: %s:%u: %s is set twice (first at "
				"line %u)\n",
				file, lineno, words[0], seen[i].lineno);
			ok = false;
		}
		if (!ok)
			break;
		if (!repeatable(words[0])) {
			struct seen *s =
				realloc(seen, (nr_seen + 1) * sizeof(*seen));

			if (!s || !(s[nr_seen].key = strdup(words[0]))) {
				fprintf(stderr, "vplaned: out of memory\n");
				free(s ? s : seen);
				seen = NULL;
				nr_seen = 0;
				ok = false;
				break;
			}
			seen = s;
			s[nr_seen++].lineno = lineno;
		}
		ok = parse_setting(config, words[0], words[1], file, lineno);
	}
	if (ok && ferror(f)) {
		fprintf(stderr, "vplaned: cannot read config %s: %s\n", file,
			strerror(errno));
		ok = false;
	}
	for (size_t i = 0; i < nr_seen; i++)
		free(seen[i].key);
	free(seen);
	free(line);
	fclose(f);
	return ok;
}

bool vpd_config_parse(struct vpd_config *config, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vgpu", required_argument, NULL, 'u' },
		{ "vgpu-path", required_argument, NULL, 'p' },
		{ "all-vgpus", no_argument, NULL, 'a' },
		{ "backend", required_argument, NULL, 'b' },
		{ "socket", required_argument, NULL, 's' },
		{ "vfio-socket", required_argument, NULL, 'V' },
		{ "seat-focus", required_argument, NULL, 'F' },
		{ "seat-release", required_argument, NULL, 'R' },
		{ "seat-next", required_argument, NULL, 'N' },
		{ "input-control", required_argument, NULL, 'I' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		VPD_CONFIG_STREAM_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*config = (struct vpd_config){ .backend = VPD_BACKEND_AUTO };
	if (!vpd_seat_combo_parse(VPD_SEAT_RELEASE_DEFAULT,
				  &config->seat_release) ||
	    !vpd_seat_combo_parse(VPD_SEAT_NEXT_DEFAULT, &config->seat_next)) {
		fprintf(stderr, "vplaned: no xkb keysyms for the default "
				"seat combinations\n");
		return false;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'u':
			ok = add_vgpu(config, optarg, NULL, "--vgpu");
			break;
		case 'p':
			ok = add_vgpu(config, NULL, optarg, "--vgpu-path");
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
		case 'F':
			ok = parse_seat(config, "seat-focus", optarg,
					"--seat-focus");
			break;
		case 'R':
			ok = parse_seat(config, "seat-release", optarg,
					"--seat-release");
			break;
		case 'N':
			ok = parse_seat(config, "seat-next", optarg,
					"--seat-next");
			break;
		case 'I':
			ok = parse_input_control(config, optarg);
			if (!ok)
				fprintf(stderr,
					"vplaned: --input-control takes first "
					"or last, not '%s'\n",
					optarg);
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
			if (vpd_config_stream_is_opt(c)) {
				ok = vpd_config_stream_arg(config, c, optarg);
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
	return config->help || vpd_config_stream_check(config);
}

void vpd_config_finish(struct vpd_config *config)
{
	size_t i;

	for (i = 0; i < config->nr_vgpus; i++) {
		free(config->vgpus[i].uuid);
		free(config->vgpus[i].path);
		free(config->vgpus[i].node);
		free(config->vgpus[i].where);
	}
	free(config->vgpus);
	free(config->socket);
	vpd_config_stream_finish(config);
	free(config->vfio_socket);
	*config = (struct vpd_config){ 0 };
}
