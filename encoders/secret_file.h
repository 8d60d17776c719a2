/* SPDX-License-Identifier: MIT */
/*
 * Opening a file that holds secrets (viewer credentials, the WebRTC
 * token, the RTSPS private key): it must be a regular file whose mode
 * grants nothing beyond 0640 (owner read/write, group read), checked on
 * the opened file, not on what the path may name a moment later. No
 * GStreamer here: the unit suite links it.
 */
#ifndef ENC_SECRET_FILE_H
#define ENC_SECRET_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Nothing outside owner read/write and group read. */
#define ENC_SECRET_FILE_MODE 0640

/*
 * Open @path (borrowed) read-only and fill @st. With @secret, refuse a
 * mode beyond ENC_SECRET_FILE_MODE; @what names the contents in that
 * error ("credentials", "a token", ...). The fd (O_CLOEXEC), or -1 with a
 * one-line reason in @err (size @err_size) that says what to fix.
 */
int enc_secret_file_open(const char *path, const char *what, bool secret,
			 struct stat *st, char *err, size_t err_size);

/* enc_secret_file_open() with @secret, as a stdio stream; NULL with the
 * reason in @err. */
FILE *enc_secret_file_fopen(const char *path, const char *what, char *err,
			    size_t err_size);

#endif /* ENC_SECRET_FILE_H */
