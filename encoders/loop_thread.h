/* SPDX-License-Identifier: MIT */
/*
 * A GLib main loop on a thread of its own, the life the RTSP and WebRTC
 * servers share: its context is made first (the server attaches its
 * sources to it, and may make objects with it as the thread default),
 * then the thread runs the loop; at the end a stop function runs on that
 * thread (so what lives there is closed where it lives), the loop quits
 * and the thread is joined, and only then is the context let go.
 */
#ifndef ENC_LOOP_THREAD_H
#define ENC_LOOP_THREAD_H

#include <glib.h>

struct enc_loop_thread {
	GMainContext *context; /* owned; the thread's default context */
	GMainLoop *loop;       /* owned */
	GThread *thread;       /* NULL until started, and after the join */
};

/* The context and loop, no thread yet. */
void enc_loop_thread_init(struct enc_loop_thread *t);

/* Runs the loop on a new thread named @name. */
void enc_loop_thread_start(struct enc_loop_thread *t, const char *name);

/* Runs @stop(@data) on the thread, quits the loop and joins the thread.
 * Called from any other thread, once, after start. */
void enc_loop_thread_stop(struct enc_loop_thread *t, void (*stop)(void *data),
			  void *data);

/* Lets go of the loop and the context (after stop, or if never
 * started). */
void enc_loop_thread_finish(struct enc_loop_thread *t);

#endif /* ENC_LOOP_THREAD_H */
