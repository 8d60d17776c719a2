/* SPDX-License-Identifier: MIT */
/*
 * Recording a stream to Matroska files: one more consumer of the
 * head's encoded stream (stream_consumer.h), so it costs no second
 * encode: appsrc ! h264parse ! matroskamux ! fdsink. It starts at the
 * stream's next keyframe (asked for at once) and, since a consumer is
 * attached, every flip of the head is encoded while it records.
 *
 * Files go only into the record directory (enc_record_dir), opened
 * relative to its fd with O_CREAT | O_EXCL | O_NOFOLLOW: a recording
 * never follows a symlink, never truncates or appends to an existing
 * file and never opens a FIFO or device; a name is one path component
 * (no '/', no "..").
 *
 * A Matroska track has one picture size, so a recording follows the
 * head's size changes by files: when the size changes, the current file
 * is finished (index, duration) and the recording goes on in the next,
 * NAME's stem with .1, .2, ... before its extension (rec.mkv, rec.1.mkv,
 * rec.2.mkv). The switch happens on the event loop's thread, in
 * enc_recording_dispatch(); the frames encoded meanwhile (until the
 * keyframe the new file asks for) are not recorded.
 *
 * Nothing here blocks the event loop: a file's end (EOS through the
 * muxer, the pipeline's stop, the close) runs on a thread of its own,
 * which posts to the recording's mailbox when done. A recording stops
 * by itself when a file fails, when its next file cannot be made (the
 * name taken, too long, the directory gone, the file count bound) or at
 * a bound (the directory's bytes, the recording's duration); the reason
 * goes to the log and to the ended callback.
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef ENC_RECORDING_H
#define ENC_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct enc_recording;
struct enc_record_dir;
struct enc_stream;

/* Bounds of a record directory (0: the default). */
struct enc_record_limits {
	/* bytes of all regular files in the directory, ours and others':
	 * a recording stops when its frames would pass it */
	uint64_t max_bytes;
	/* regular files in the directory: no new file past it */
	unsigned int max_files;
	/* one recording's length, from its first file's start */
	unsigned int max_seconds;
};

#define ENC_RECORD_DEFAULT_MAX_MB      4096
#define ENC_RECORD_DEFAULT_MAX_FILES   256
#define ENC_RECORD_DEFAULT_MAX_SECONDS (24 * 3600)

/*
 * The directory @path (borrowed; an existing directory), opened once
 * (O_DIRECTORY): later renames of @path do not move recordings. NULL
 * after logging why.
 */
struct enc_record_dir *
enc_record_dir_create(const char *path, const struct enc_record_limits *limits);
/* Every recording into @dir is destroyed first. NULL is a no-op. */
void enc_record_dir_destroy(struct enc_record_dir *dir);

const char *enc_record_dir_get_path(const struct enc_record_dir *dir);

/*
 * @file as a name in @dir: a single path component ("rec.mkv"), or an
 * absolute path whose directory is exactly @dir's path
 * ("/var/lib/vplaned/recordings/rec.mkv"). Returns a pointer into
 * @file, or NULL with @why (@size bytes) saying what is wrong.
 */
const char *enc_record_dir_name(const struct enc_record_dir *dir,
				const char *file, char *why, size_t size);

/*
 * Runs from enc_recording_dispatch() when the recording has ended: every
 * file is finished and closed. @clean: every file ended cleanly and the
 * recording was not stopped by a failure or a bound. @summary says what
 * was written and, if it stopped by itself, why. The callee may destroy
 * the recording.
 */
typedef void (*enc_recording_ended_fn)(void *data, bool clean,
				       const char *summary);

/*
 * Record @stream (a reference is taken) to @name (borrowed: a single
 * path component, see enc_record_dir_name()) in @dir (borrowed; outlives
 * the recording). NULL with @why (@size bytes) saying why, also logged.
 */
struct enc_recording *enc_recording_create(struct enc_stream *stream,
					   struct enc_record_dir *dir,
					   const char *name,
					   enc_recording_ended_fn ended,
					   void *data, char *why, size_t size);

/*
 * The file being written now, as a path (the record directory's and the
 * file's name) into @path of @size bytes. False once the recording
 * stopped (asked, or by itself): its files may still be finishing. The
 * event loop's thread.
 */
bool enc_recording_get_file(const struct enc_recording *recording, char *path,
			    size_t size);

/* Readable when enc_recording_dispatch() has work; owned by it. */
int enc_recording_get_fd(struct enc_recording *recording);

/* The event loop's thread: start the next file after a size change,
 * stop at a failure or a bound, log and free finished files; last, the
 * ended callback once everything has ended. */
void enc_recording_dispatch(struct enc_recording *recording);

/*
 * Stop recording: the current file is ended (the muxer writes its index
 * and duration) without waiting; the ended callback follows from
 * enc_recording_dispatch(). False if it was stopped already.
 */
bool enc_recording_stop(struct enc_recording *recording);

/*
 * Stop and free now, for teardown: waits for the files' ends (each
 * bounded by a few seconds). The ended callback does not run. NULL is a
 * no-op.
 */
void enc_recording_destroy(struct enc_recording *recording);

#endif /* ENC_RECORDING_H */
