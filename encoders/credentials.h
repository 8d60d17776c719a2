/* SPDX-License-Identifier: MIT */
/*
 * Viewer credentials for the RTSP server, from a file of lines
 *
 *   [VGPUS ]user:password        the password itself
 *   [VGPUS ]user:vplane:HA1      htdigest's format: HA1 is the hex MD5 of
 *                                "user:vplane:password" (htdigest FILE
 *                                vplane user), no password stored
 *
 * ('#' in column 1 starts a comment; blank lines are skipped). VGPUS,
 * when present, is an access list (access.h: vGPU names or patterns
 * separated by commas) and the line's viewer may watch those vGPUs
 * only; a line without one names every vGPU ("*"). The list is the
 * first word when a blank comes before the first ':' (a user name has
 * no blanks). A user appears once. A line whose password would read
 * "vplane:" and 32 hex digits is taken as htdigest's. The file holds
 * secrets, so it is refused unless its mode grants nothing beyond 0640
 * (owner read/write, group read: 0600, 0640 or stricter) and it is a
 * regular file. No GStreamer here: the unit suite tests it directly.
 */
#ifndef ENC_CREDENTIALS_H
#define ENC_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

/* The digest realm the server announces; htdigest lines must name it. */
#define ENC_CREDENTIALS_REALM	"vplane"
#define ENC_CREDENTIALS_HA1_LEN 32

struct enc_credential {
	char *user;	 /* owned */
	char *password;	 /* owned; NULL with @ha1 */
	char *ha1;	 /* owned, lowercase hex; NULL with @password */
	char *access;	 /* owned: an access list (access.h), "*": every vGPU */
	bool every_vgpu; /* the line named no vGPUs */
};

struct enc_credentials {
	struct enc_credential *list; /* owned */
	size_t count;
};

/*
 * Fill @creds (initialised here) from @path (borrowed). False with a
 * one-line reason in @err (size @err_size) saying what to fix: missing
 * or unreadable file, mode too open (with the chmod that fixes it), a
 * malformed line, a bad vGPU list, an htdigest line for another realm or
 * a user named twice (with the line's number), no credentials at all.
 */
bool enc_credentials_load(const char *path, struct enc_credentials *creds,
			  char *err, size_t err_size);

/* Free and zero; the passwords are wiped first. */
void enc_credentials_finish(struct enc_credentials *creds);

#endif /* ENC_CREDENTIALS_H */
