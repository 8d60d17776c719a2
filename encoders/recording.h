/* SPDX-License-Identifier: MIT */
/*
 * Recording a stream to a Matroska file: one more consumer of the
 * head's encoded stream (stream_consumer.h), so it costs no second
 * encode: appsrc ! h264parse ! matroskamux ! filesink. It starts at the
 * stream's next keyframe (asked for at once) and, since a consumer is
 * attached, every flip of the head is encoded while it records.
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef VP_RECORDING_H
#define VP_RECORDING_H

struct vp_recording;
struct vp_stream;

/*
 * Record @stream (a reference is taken) to @file (borrowed; created or
 * truncated). NULL after logging why.
 */
struct vp_recording *vp_recording_create(struct vp_stream *stream,
					 const char *file);

/*
 * Detach, end the file (the muxer writes its index and duration: waits
 * up to a few seconds for it), log the frames written, free. NULL is a
 * no-op.
 */
void vp_recording_destroy(struct vp_recording *recording);

#endif /* VP_RECORDING_H */
