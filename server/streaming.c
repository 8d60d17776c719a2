// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "encoder_probe.h"
#include "output.h"
#include "output_stream.h"
#include "recording.h"
#include "rtsp.h"
#include "server.h"
#include "source.h"
#include "streaming.h"
#include "webrtc.h"

static bool start_webrtc(struct vp_streaming *streaming)
{
	const struct vp_config *config = streaming->server->config;
	struct vp_webrtc_options webrtc = {
		.address = config->webrtc_address ? config->webrtc_address
						  : VP_WEBRTC_DEFAULT_ADDRESS,
		.port = config->webrtc_port ? config->webrtc_port
					    : VP_WEBRTC_DEFAULT_PORT,
		.token_file = config->webrtc_token_file,
		/* the same certificate as RTSPS: https:// and wss:// */
		.tls_cert_file = config->rtsp_tls_cert,
		.tls_key_file = config->rtsp_tls_key,
	};

	/* browsers decode 4:2:0 H.264 only */
	if (config->stream_chroma444)
		wlr_log(WLR_ERROR, "WebRTC: --stream-chroma 444 streams are "
				   "not played by browsers; use 420");
	streaming->webrtc = vp_webrtc_create(&webrtc);
	return streaming->webrtc;
}

struct vp_streaming *vp_streaming_create(struct vp_server *server)
{
	const struct vp_config *config = server->config;
	struct vp_rtsp_options rtsp = {
		.address = config->rtsp_address ? config->rtsp_address
						: VP_RTSP_DEFAULT_ADDRESS,
		.port = config->rtsp_port ? config->rtsp_port
					  : VP_RTSP_DEFAULT_PORT,
		.credentials_file = config->rtsp_credentials,
		.no_auth = config->rtsp_no_auth,
		.tls_cert_file = config->rtsp_tls_cert,
		.tls_key_file = config->rtsp_tls_key,
	};
	struct vp_streaming *streaming;

	if (!server->headless) {
		wlr_log(WLR_ERROR, "streaming needs --backend headless "
				   "(one output per head)");
		return NULL;
	}
	streaming = calloc(1, sizeof(*streaming));
	if (!streaming) {
		wlr_log_errno(WLR_ERROR, "calloc");
		return NULL;
	}
	streaming->server = server;
	streaming->encoder =
		vp_encoder_choose(VP_CODEC_H264, config->stream_encoder);
	if (!streaming->encoder)
		goto err;
	streaming->rtsp = vp_rtsp_create(&rtsp);
	if (!streaming->rtsp)
		goto err;
	if (config->webrtc && !start_webrtc(streaming))
		goto err_rtsp;
	if (config->record_dir) {
		struct vp_record_limits limits = {
			.max_bytes = (uint64_t)config->record_max_mb << 20,
			.max_files = config->record_max_files,
			.max_seconds = config->record_max_seconds,
		};

		streaming->record_dir =
			vp_record_dir_create(config->record_dir, &limits);
		if (!streaming->record_dir)
			goto err_webrtc;
	}
	return streaming;
err_webrtc:
	vp_webrtc_destroy(streaming->webrtc);
err_rtsp:
	vp_rtsp_destroy(streaming->rtsp);
err:
	free(streaming);
	return NULL;
}

void vp_streaming_destroy(struct vp_streaming *streaming)
{
	if (!streaming)
		return;
	vp_record_dir_destroy(streaming->record_dir);
	vp_webrtc_destroy(streaming->webrtc);
	vp_rtsp_destroy(streaming->rtsp);
	free(streaming);
}

/* "/<vgpu>/<head>" of the head @output shows; false if none. */
static bool head_path(struct vp_output *output, char *path, size_t size)
{
	struct vp_source *source = output->source;
	const char *vgpu;

	if (!source)
		return false;
	/* a vGPU opened by path is named by its node's file name */
	vgpu = strrchr(source->vgpu->name, '/');
	vgpu = vgpu ? vgpu + 1 : source->vgpu->name;
	snprintf(path, size, "/%s/%u", vgpu, source->head);
	return true;
}

void vp_streaming_add_output(struct vp_streaming *streaming,
			     struct vp_output *output)
{
	char path[96];
	bool shown = head_path(output, path, sizeof(path));

	/* a stream names the head it shows: when the output shows another
	 * head (or none), the old path goes (its viewers and recording
	 * end) and the new head's path is served */
	if (output->stream && (!shown || strcmp(output->stream->path, path) ||
			       output->stream->source != output->source)) {
		wlr_log(WLR_INFO, "%s: stream %s ends: the output shows %s",
			output->wlr_output->name, output->stream->path,
			shown ? path + 1 : "no head");
		vp_output_stream_destroy(output->stream);
	}
	if (!shown || output->stream)
		return;
	if (!vp_output_stream_create(streaming, output, path))
		wlr_log(WLR_ERROR, "%s: not streamed",
			output->wlr_output->name);
}
