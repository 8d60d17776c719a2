/* SPDX-License-Identifier: MIT */
/*
 * Viewer credentials for the RTSP server, from a file of
 * "user:password" lines ('#' starts a comment; blank lines are
 * skipped). The file holds secrets, so it is refused unless its mode
 * grants nothing beyond 0640 (owner read/write, group read: 0600, 0640
 * or stricter) and it is a regular file. No GStreamer here: the unit
 * suite tests it directly.
 */
#ifndef VP_CREDENTIALS_H
#define VP_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

struct vp_credential {
	char *user;	/* owned */
	char *password; /* owned */
};

struct vp_credentials {
	struct vp_credential *list; /* owned */
	size_t count;
};

/*
 * Fill @creds (initialised here) from @path (borrowed). False with a
 * one-line reason in @err (size @err_size) saying what to fix: missing
 * or unreadable file, mode too open (with the chmod that fixes it), a
 * malformed line (with its number), no credentials at all.
 */
bool vp_credentials_load(const char *path, struct vp_credentials *creds,
			 char *err, size_t err_size);

/* Free and zero; the passwords are wiped first. */
void vp_credentials_finish(struct vp_credentials *creds);

#endif /* VP_CREDENTIALS_H */
