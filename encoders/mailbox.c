// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log_sink.h"
#include "mailbox.h"

bool enc_mailbox_init(struct enc_mailbox *box)
{
	box->head = NULL;
	box->tail = &box->head;
	box->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (box->fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		return false;
	}
	pthread_mutex_init(&box->lock, NULL);
	return true;
}

void enc_mailbox_finish(struct enc_mailbox *box)
{
	if (box->fd < 0)
		return;
	pthread_mutex_destroy(&box->lock);
	close(box->fd);
	box->fd = -1;
}

void enc_mailbox_post(struct enc_mailbox *box, struct enc_mail *mail)
{
	uint64_t one = 1;

	mail->next = NULL;
	pthread_mutex_lock(&box->lock);
	*box->tail = mail;
	box->tail = &mail->next;
	pthread_mutex_unlock(&box->lock);
	/* a full counter (2^64 - 2 wakes) cannot happen: the reader
	 * clears it; EAGAIN would still leave it readable */
	if (write(box->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("eventfd write: %s", strerror(errno));
}

struct enc_mail *enc_mailbox_take(struct enc_mailbox *box)
{
	struct enc_mail *list;
	uint64_t count;

	if (read(box->fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_error("eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&box->lock);
	list = box->head;
	box->head = NULL;
	box->tail = &box->head;
	pthread_mutex_unlock(&box->lock);
	return list;
}
