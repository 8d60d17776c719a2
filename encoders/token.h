/* SPDX-License-Identifier: MIT */
/*
 * The WebRTC viewer token: one secret string in a file ('#' starts a
 * comment line; the first other line is the token). The file is refused
 * unless it is a regular file whose mode grants nothing beyond 0640, as
 * for the RTSP credentials. No GStreamer here: the unit suite tests it.
 */
#ifndef VP_TOKEN_H
#define VP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* Shorter tokens are refused: a token is a password sent in a URL. */
#define VP_TOKEN_MIN_LEN 16
#define VP_TOKEN_MAX_LEN 256

/*
 * Read the token of @path (borrowed) into @token (VP_TOKEN_MAX_LEN + 1
 * bytes). False with a one-line reason in @err (size @err_size) saying
 * what to fix: missing file, mode too open (with the chmod that fixes
 * it), no token, a token too short or with characters a URL would have
 * to escape.
 */
bool vp_token_load(const char *path, char *token, char *err, size_t err_size);

/* @given (NULL: none) equals @token, in time independent of where they
 * differ. */
bool vp_token_matches(const char *token, const char *given);

#endif /* VP_TOKEN_H */
