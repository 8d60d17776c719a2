/* SPDX-License-Identifier: MIT */
/*
 * A one-way mailbox from GStreamer's threads to the event loop thread:
 * a mutex-guarded list of notes and an eventfd that becomes readable
 * when there are notes. The posting side only appends and writes the
 * eventfd; everything the notes are about is done by the reader, on the
 * event loop's thread (so GStreamer threads never touch compositor
 * state: the wlroots rule in STYLE.md).
 */
#ifndef ENC_MAILBOX_H
#define ENC_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>

struct enc_mail {
	struct enc_mail *next; /* owned by the mailbox while posted */
};

struct enc_mailbox {
	pthread_mutex_t lock;
	struct enc_mail *head, **tail; /* under lock */
	int fd;			       /* eventfd, owned; CLOEXEC, NONBLOCK */
};

/* False (logged) if no eventfd can be made. */
bool enc_mailbox_init(struct enc_mailbox *box);
/* Notes still posted are dropped (their owners free them). */
void enc_mailbox_finish(struct enc_mailbox *box);

/* Any thread: queue @mail (borrowed until taken) and wake the reader. */
void enc_mailbox_post(struct enc_mailbox *box, struct enc_mail *mail);

/* Reader: take every posted note, oldest first, as a NULL-terminated
 * list; clears the eventfd. */
struct enc_mail *enc_mailbox_take(struct enc_mailbox *box);

#endif /* ENC_MAILBOX_H */
