/* SPDX-License-Identifier: MIT */
/*
 * Recording a stream to Matroska files: one more consumer of the
 * head's encoded stream (stream_consumer.h), so it costs no second
 * encode: appsrc ! h264parse ! matroskamux ! filesink. It starts at the
 * stream's next keyframe (asked for at once) and, since a consumer is
 * attached, every flip of the head is encoded while it records.
 *
 * A Matroska track has one picture size, so a recording follows the
 * head's size changes by files: when the size changes, the current file
 * is finished (index, duration) and the recording goes on in the next,
 * FILE's name with .1, .2, ... before its extension (rec.mkv, rec.1.mkv,
 * rec.2.mkv). The switch happens on the event loop's thread, in
 * vp_recording_dispatch(); the frames encoded meanwhile (until the
 * keyframe the new file asks for) are not recorded.
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef VP_RECORDING_H
#define VP_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

struct vp_recording;
struct vp_stream;

/*
 * Record @stream (a reference is taken) to @file (borrowed; created or
 * truncated). NULL after logging why.
 */
struct vp_recording *vp_recording_create(struct vp_stream *stream,
					 const char *file);

/* Readable when vp_recording_dispatch() has work; owned by it. */
int vp_recording_get_fd(struct vp_recording *recording);

/* The event loop's thread: start the next file after a size change,
 * log and free finished files. */
void vp_recording_dispatch(struct vp_recording *recording);

/*
 * Detach, end the file (the muxer writes its index and duration: waits
 * up to a few seconds for it), log the frames written, free. NULL is a
 * no-op.
 */
void vp_recording_destroy(struct vp_recording *recording);

/*
 * vp_recording_destroy(), saying in @summary (@size bytes) how many
 * files were written and what the last one holds ("3 file(s), the last
 * /x/rec.2.mkv: 57 frames of 320x240"). False if a file did not end
 * cleanly (logged).
 */
bool vp_recording_stop(struct vp_recording *recording, char *summary,
		       size_t size);

#endif /* VP_RECORDING_H */
