// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_stream.h"
#include "recording.h"

static const struct {
	const char *key; /* config file */
	int opt;
} keys[] = {
	{ "stream", VPD_OPT_STREAM },
	{ "rtsp-address", VPD_OPT_RTSP_ADDRESS },
	{ "rtsp-port", VPD_OPT_RTSP_PORT },
	{ "rtsp-credentials", VPD_OPT_RTSP_CREDENTIALS },
	{ "rtsp-auth", VPD_OPT_RTSP_NO_AUTH },
	{ "rtsp-tls-cert", VPD_OPT_RTSP_TLS_CERT },
	{ "rtsp-tls-key", VPD_OPT_RTSP_TLS_KEY },
	{ "encoder", VPD_OPT_ENCODER },
	{ "stream-chroma", VPD_OPT_STREAM_CHROMA },
	{ "stream-ack-hold-ms", VPD_OPT_STREAM_ACK_HOLD },
	{ "record", VPD_OPT_RECORD },
	{ "record-dir", VPD_OPT_RECORD_DIR },
	{ "record-max-mb", VPD_OPT_RECORD_MAX_MB },
	{ "record-max-files", VPD_OPT_RECORD_MAX_FILES },
	{ "record-max-seconds", VPD_OPT_RECORD_MAX_SECONDS },
	{ "webrtc", VPD_OPT_WEBRTC },
	{ "webrtc-address", VPD_OPT_WEBRTC_ADDRESS },
	{ "webrtc-port", VPD_OPT_WEBRTC_PORT },
	{ "webrtc-token-file", VPD_OPT_WEBRTC_TOKEN_FILE },
};

void vpd_config_stream_usage(FILE *f)
{
	fprintf(f,
		"Streaming (headless backend; see README, Streaming):\n"
		"  --stream             serve every head over RTSP at\n"
		"                       rtsp://ADDRESS:PORT/<vgpu>/<head>\n"
		"  --rtsp-address ADDR  bind address (default 127.0.0.1)\n"
		"  --rtsp-port N        port (default 8554)\n"
		"  --rtsp-credentials FILE  'user:password' lines for digest "
		"auth;\n"
		"                       the file must be mode 0600 or 0640\n"
		"  --rtsp-no-auth       no authentication (anyone who can "
		"connect)\n"
		"  --rtsp-tls-cert FILE, --rtsp-tls-key FILE  PEM certificate "
		"and its\n"
		"                       private key (mode 0600 or 0640): serve "
		"rtsps:// only\n"
		"  --encoder NAME       use this encoder (x264enc, "
		"openh264enc,\n"
		"                       vah264enc, ...) instead of the first "
		"that works\n"
		"  --stream-chroma 420|444  444: full-resolution colour "
		"(H.264 High 4:4:4,\n"
		"                       x264 only; not every viewer plays it)\n"
		"  --stream-ack-hold-ms N  the longest a guest's flip-done "
		"waits for the\n"
		"                       encoder to read the frame (default %d; "
		"keep it\n"
		"                       below vplane.ko's ack_timeout_ms)\n"
		"  --record VGPU/HEAD=FILE  record that head (as in its RTSP "
		"URL) to a\n"
		"                       new Matroska file FILE in the record "
		"directory until\n"
		"                       vplaned exits, going on in FILE's name "
		"with .1, .2,\n"
		"                       ... at each size change (repeatable)\n"
		"  --record-dir DIR     the directory recordings go to (new "
		"files only,\n"
		"                       never through a symlink); without it "
		"nothing is\n"
		"                       recorded\n"
		"  --record-max-mb N    bound on the bytes of all files in it "
		"(default %d)\n"
		"  --record-max-files N bound on the files in it (default %d)\n"
		"  --record-max-seconds N  bound on one recording's length "
		"(default %d)\n"
		"  --webrtc             also serve each head to browsers "
		"(WebRTC) at\n"
		"                       "
		"http://ADDRESS:PORT/?token=TOKEN#<vgpu>/"
		"<head>\n"
		"                       (implies --stream)\n"
		"  --webrtc-address ADDR  bind address, also the only media "
		"address\n"
		"                       offered (default 127.0.0.1; 0.0.0.0: "
		"every interface)\n"
		"  --webrtc-port N      port (default 8080)\n"
		"  --webrtc-token-file FILE  the viewers' tokens: "
		"'[VGPUS ]TOKEN[ control]'\n"
		"                       lines, tokens of at least 16 URL-safe "
		"characters;\n"
		"                       'control': may type and point, not "
		"only watch;\n"
		"                       mode 0600 or 0640\n",
		VPD_STREAM_ACK_HOLD_DEFAULT_MS, ENC_RECORD_DEFAULT_MAX_MB,
		ENC_RECORD_DEFAULT_MAX_FILES, ENC_RECORD_DEFAULT_MAX_SECONDS);
}

static bool set(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src);
	if (!*dst)
		fprintf(stderr, "vplaned: out of memory\n");
	return *dst;
}

static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool limit(const char *s, unsigned long min, unsigned long max,
		  const char *what, unsigned int *out)
{
	if (parse_uint(s, min, max, out))
		return true;
	fprintf(stderr, "vplaned: %s '%s' is not %lu..%lu\n", what, s, min,
		max);
	return false;
}

static bool parse_port(const char *s, unsigned int *port)
{
	return parse_uint(s, 1, 65535, port);
}

bool vpd_config_stream_arg(struct vpd_config *config, int c, const char *arg)
{
	switch (c) {
	case VPD_OPT_STREAM:
		config->stream = true;
		return true;
	case VPD_OPT_RTSP_ADDRESS:
		return set(&config->rtsp_address, arg);
	case VPD_OPT_RTSP_PORT:
		if (parse_port(arg, &config->rtsp_port))
			return true;
		fprintf(stderr, "vplaned: RTSP port '%s' is not 1..65535\n",
			arg);
		return false;
	case VPD_OPT_RTSP_CREDENTIALS:
		return set(&config->rtsp_credentials, arg);
	case VPD_OPT_RTSP_NO_AUTH:
		config->rtsp_no_auth = true;
		return true;
	case VPD_OPT_RTSP_TLS_CERT:
		return set(&config->rtsp_tls_cert, arg);
	case VPD_OPT_RTSP_TLS_KEY:
		return set(&config->rtsp_tls_key, arg);
	case VPD_OPT_ENCODER:
		return set(&config->stream_encoder, arg);
	case VPD_OPT_STREAM_CHROMA:
		if (!strcmp(arg, "420") || !strcmp(arg, "444")) {
			config->stream_chroma444 = !strcmp(arg, "444");
			return true;
		}
		fprintf(stderr,
			"vplaned: stream chroma '%s' is not 420 or 444\n", arg);
		return false;
	case VPD_OPT_RECORD: {
		const char *eq = strchr(arg, '=');

		if (!eq || eq == arg || !eq[1] || !strchr(arg, '/') ||
		    strchr(arg, '/') > eq) {
			fprintf(stderr,
				"vplaned: record '%s' is not VGPU/HEAD=FILE\n",
				arg);
			return false;
		}
		if (config->nr_stream_record ==
		    sizeof(config->stream_record) /
			    sizeof(config->stream_record[0])) {
			fprintf(stderr, "vplaned: too many recordings\n");
			return false;
		}
		return set(&config->stream_record[config->nr_stream_record++],
			   arg);
	}
	case VPD_OPT_RECORD_DIR:
		if (arg[0] == '/')
			return set(&config->record_dir, arg);
		fprintf(stderr,
			"vplaned: record directory '%s' is not an absolute "
			"path\n",
			arg);
		return false;
	case VPD_OPT_RECORD_MAX_MB:
		return limit(arg, 1, 1u << 30, "record-max-mb",
			     &config->record_max_mb);
	case VPD_OPT_RECORD_MAX_FILES:
		return limit(arg, 1, 1000000, "record-max-files",
			     &config->record_max_files);
	case VPD_OPT_RECORD_MAX_SECONDS:
		return limit(arg, 1, 366u * 24 * 3600, "record-max-seconds",
			     &config->record_max_seconds);
	case VPD_OPT_WEBRTC:
		config->webrtc = config->stream = true;
		return true;
	case VPD_OPT_WEBRTC_ADDRESS:
		return set(&config->webrtc_address, arg);
	case VPD_OPT_WEBRTC_PORT:
		if (parse_port(arg, &config->webrtc_port))
			return true;
		fprintf(stderr, "vplaned: WebRTC port '%s' is not 1..65535\n",
			arg);
		return false;
	case VPD_OPT_WEBRTC_TOKEN_FILE:
		return set(&config->webrtc_token_file, arg);
	case VPD_OPT_STREAM_ACK_HOLD:
		if (parse_uint(arg, 1, 60000, &config->stream_ack_hold_ms))
			return true;
		fprintf(stderr,
			"vplaned: stream ack hold '%s' is not 1..60000 ms\n",
			arg);
		return false;
	default:
		return false;
	}
}

bool vpd_config_stream_is_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].key, key))
			return true;
	return false;
}

static bool yes_no(const char *value, bool *out)
{
	if (strcmp(value, "yes") && strcmp(value, "no"))
		return false;
	*out = !strcmp(value, "yes");
	return true;
}

bool vpd_config_stream_key(struct vpd_config *config, const char *key,
			   const char *value, const char *file,
			   unsigned int lineno)
{
	bool auth;

	if (!strcmp(key, "stream")) {
		if (yes_no(value, &config->stream))
			return true;
	} else if (!strcmp(key, "webrtc")) {
		if (yes_no(value, &config->webrtc)) {
			config->stream = config->stream || config->webrtc;
			return true;
		}
	} else if (!strcmp(key, "rtsp-auth")) {
		if (yes_no(value, &auth)) {
			config->rtsp_no_auth = !auth;
			return true;
		}
	} else {
		size_t i;

		for (i = 0; strcmp(keys[i].key, key); i++)
			;
		if (keys[i].opt != VPD_OPT_RTSP_PORT)
			return vpd_config_stream_arg(config, keys[i].opt,
						     value);
		if (parse_port(value, &config->rtsp_port))
			return true;
		fprintf(stderr,
			"vplaned: %s:%u: rtsp-port '%s' is not "
			"1..65535\n",
			file, lineno, value);
		return false;
	}
	fprintf(stderr, "vplaned: %s:%u: %s takes yes or no, not '%s'\n", file,
		lineno, key, value);
	return false;
}

bool vpd_config_stream_check(const struct vpd_config *config)
{
	if (config->nr_stream_record && !config->record_dir) {
		fprintf(stderr, "vplaned: --record needs --record-dir (the "
				"directory recordings go to)\n");
		return false;
	}
	/* one recording a head: "VGPU/HEAD=" compared */
	for (unsigned int i = 0; i < config->nr_stream_record; i++) {
		const char *a = config->stream_record[i];
		size_t len = (size_t)(strchr(a, '=') - a) + 1;

		for (unsigned int j = 0; j < i; j++) {
			if (strncmp(a, config->stream_record[j], len))
				continue;
			fprintf(stderr, "vplaned: %.*s is recorded twice\n",
				(int)len - 1, a);
			return false;
		}
	}
	return true;
}

void vpd_config_stream_finish(struct vpd_config *config)
{
	free(config->record_dir);
	free(config->rtsp_address);
	free(config->rtsp_credentials);
	free(config->rtsp_tls_cert);
	free(config->rtsp_tls_key);
	free(config->stream_encoder);
	free(config->webrtc_address);
	free(config->webrtc_token_file);
	for (unsigned int i = 0; i < config->nr_stream_record; i++)
		free(config->stream_record[i]);
}
