/* SPDX-License-Identifier: MIT */
/*
 * A one-way mailbox from GStreamer's threads to the event loop thread:
 * a mutex-guarded list of notes and an eventfd that becomes readable
 * when there are notes. The posting side only appends and writes the
 * eventfd; everything the notes are about is done by the reader, on the
 * event loop's thread (so GStreamer threads never touch compositor
 * state: the wlroots rule in STYLE.md).
 */
#ifndef VP_MAILBOX_H
#define VP_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>

struct vp_mail {
	struct vp_mail *next; /* owned by the mailbox while posted */
};

struct vp_mailbox {
	pthread_mutex_t lock;
	struct vp_mail *head, **tail; /* under lock */
	int fd;			      /* eventfd, owned; CLOEXEC, NONBLOCK */
};

/* False (logged) if no eventfd can be made. */
bool vp_mailbox_init(struct vp_mailbox *box);
/* Notes still posted are dropped (their owners free them). */
void vp_mailbox_finish(struct vp_mailbox *box);

/* Any thread: queue @mail (borrowed until taken) and wake the reader. */
void vp_mailbox_post(struct vp_mailbox *box, struct vp_mail *mail);

/* Reader: take every posted note, oldest first, as a NULL-terminated
 * list; clears the eventfd. */
struct vp_mail *vp_mailbox_take(struct vp_mailbox *box);

#endif /* VP_MAILBOX_H */
