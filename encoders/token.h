/* SPDX-License-Identifier: MIT */
/*
 * The WebRTC viewer tokens: a file of lines
 *
 *   [VGPUS ]TOKEN[ PERMISSION]
 *
 * ('#' starts a comment line; blank lines are skipped), one viewer a
 * line. PERMISSION is "view" (the default: watch only) or "control"
 * (watch, and send keyboard and pointer input to the vGPU over the
 * viewer page's data channel). VGPUS, when present, is an access list (access.h: vGPU names or
 * patterns separated by commas): that token's viewer may watch those
 * vGPUs only; a line of a token alone names every vGPU ("*"). The file
 * is refused unless it is a regular file whose mode grants nothing
 * beyond 0640, as for the RTSP credentials. No GStreamer here: the unit
 * suite tests it.
 */
#ifndef ENC_TOKEN_H
#define ENC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* Shorter tokens are refused: a token is a password sent in a URL. */
#define ENC_TOKEN_MIN_LEN 16
#define ENC_TOKEN_MAX_LEN 256
/* a line's last word, the token's permission */
#define ENC_TOKEN_VIEW	  "view"
#define ENC_TOKEN_CONTROL "control"

struct enc_token {
	char secret[ENC_TOKEN_MAX_LEN + 1];
	char *access;	 /* owned: an access list (access.h), "*": every vGPU */
	bool every_vgpu; /* the line named no vGPUs */
	bool control;	 /* may send input, not only watch */
};

struct enc_tokens {
	struct enc_token *list; /* owned */
	size_t count;
};

/*
 * Fill @tokens (initialised here) from @path (borrowed). False with a
 * one-line reason in @err (size @err_size) saying what to fix: missing
 * file, mode too open (with the chmod that fixes it), no token, a token
 * too short or with characters a URL would have to escape, a bad vGPU
 * list, the same token twice (with the line's number).
 */
bool enc_tokens_load(const char *path, struct enc_tokens *tokens, char *err,
		     size_t err_size);

/* Wipe and free; zero @tokens. */
void enc_tokens_finish(struct enc_tokens *tokens);

/*
 * The token of @tokens that @given (NULL: none) is, or NULL. Every token
 * is compared, each in time independent of where they differ.
 */
const struct enc_token *enc_tokens_match(const struct enc_tokens *tokens,
					 const char *given);

/* @given (NULL: none) equals @token, in time independent of where they
 * differ. */
bool enc_token_matches(const char *token, const char *given);

#endif /* ENC_TOKEN_H */
