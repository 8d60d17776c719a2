// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include <wlr/types/wlr_output.h>

#include "log_sink.h"
#include "encoder_probe.h"
#include "output.h"
#include "output_stream.h"
#include "recording.h"
#include "rtsp.h"
#include "server.h"
#include "head.h"
#include "streaming.h"
#include "viewer_input.h"
#include "webrtc.h"

static bool start_webrtc(struct vpd_streaming *streaming)
{
	const struct vpd_config *config = streaming->server->config;
	struct enc_webrtc_options webrtc = {
		.address = config->webrtc_address ? config->webrtc_address
						  : ENC_WEBRTC_DEFAULT_ADDRESS,
		.port = config->webrtc_port ? config->webrtc_port
					    : ENC_WEBRTC_DEFAULT_PORT,
		.token_file = config->webrtc_token_file,
		/* the same certificate as RTSPS: https:// and wss:// */
		.tls_cert_file = config->rtsp_tls_cert,
		.tls_key_file = config->rtsp_tls_key,
	};

	/* viewers whose token says "control" send keyboard and pointer */
	streaming->viewer_input = vpd_viewer_input_create(streaming->server);
	if (!streaming->viewer_input)
		return false;
	webrtc.input = vpd_viewer_input_sink(streaming->viewer_input);
	/* browsers decode 4:2:0 H.264 only */
	if (config->stream_chroma444)
		log_error("WebRTC: --stream-chroma 444 streams are "
			  "not played by browsers; use 420");
	streaming->webrtc = enc_webrtc_create(&webrtc);
	return streaming->webrtc;
}

struct vpd_streaming *vpd_streaming_create(struct vpd_server *server)
{
	const struct vpd_config *config = server->config;
	struct enc_rtsp_options rtsp = {
		.address = config->rtsp_address ? config->rtsp_address
						: ENC_RTSP_DEFAULT_ADDRESS,
		.port = config->rtsp_port ? config->rtsp_port
					  : ENC_RTSP_DEFAULT_PORT,
		.credentials_file = config->rtsp_credentials,
		.no_auth = config->rtsp_no_auth,
		.tls_cert_file = config->rtsp_tls_cert,
		.tls_key_file = config->rtsp_tls_key,
	};
	struct vpd_streaming *streaming;

	if (!server->headless) {
		log_error("streaming needs --backend headless "
			  "(one output per head)");
		return NULL;
	}
	streaming = calloc(1, sizeof(*streaming));
	if (!streaming) {
		log_errno("calloc");
		return NULL;
	}
	streaming->server = server;
	streaming->encoder =
		enc_encoder_choose(ENC_CODEC_H264, config->stream_encoder);
	if (!streaming->encoder)
		goto err;
	streaming->rtsp = enc_rtsp_create(&rtsp);
	if (!streaming->rtsp)
		goto err;
	if (config->webrtc && !start_webrtc(streaming))
		goto err_rtsp;
	if (config->record_dir) {
		struct enc_record_limits limits = {
			.max_bytes = (uint64_t)config->record_max_mb << 20,
			.max_files = config->record_max_files,
			.max_seconds = config->record_max_seconds,
		};

		streaming->record_dir =
			enc_record_dir_create(config->record_dir, &limits);
		if (!streaming->record_dir)
			goto err_webrtc;
	}
	return streaming;
err_webrtc:
	enc_webrtc_destroy(streaming->webrtc);
err_rtsp:
	vpd_viewer_input_destroy(streaming->viewer_input);
	enc_rtsp_destroy(streaming->rtsp);
err:
	free(streaming);
	return NULL;
}

void vpd_streaming_destroy(struct vpd_streaming *streaming)
{
	if (!streaming)
		return;
	enc_record_dir_destroy(streaming->record_dir);
	enc_webrtc_destroy(streaming->webrtc);
	/* after the transport: no viewer's event comes later */
	vpd_viewer_input_destroy(streaming->viewer_input);
	enc_rtsp_destroy(streaming->rtsp);
	free(streaming);
}

/* "/<vgpu>/<head>" of the head @output shows; false if none. */
static bool head_path(struct vpd_output *output, char *path, size_t size)
{
	struct vpd_head *head = output->head;
	const char *vgpu;

	if (!head)
		return false;
	/* a vGPU opened by path is named by its node's file name */
	vgpu = strrchr(head->vgpu->name, '/');
	vgpu = vgpu ? vgpu + 1 : head->vgpu->name;
	snprintf(path, size, "/%s/%u", vgpu, head->index);
	return true;
}

void vpd_streaming_add_output(struct vpd_streaming *streaming,
			      struct vpd_output *output)
{
	char path[96];
	bool shown = head_path(output, path, sizeof(path));

	/* a stream names the head it shows: when the output shows another
	 * head (or none), the old path goes (its viewers and recording
	 * end) and the new head's path is served */
	if (output->stream && (!shown || strcmp(output->stream->path, path) ||
			       output->stream->head != output->head)) {
		log_info("%s: stream %s ends: the output shows %s",
			 output->wlr_output->name, output->stream->path,
			 shown ? path + 1 : "no head");
		vpd_output_stream_destroy(output->stream);
	}
	if (!shown || output->stream)
		return;
	if (!vpd_output_stream_create(streaming, output, path))
		log_error("%s: not streamed", output->wlr_output->name);
}
