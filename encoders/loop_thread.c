// SPDX-License-Identifier: MIT
#include "loop_thread.h"

void enc_loop_thread_init(struct enc_loop_thread *t)
{
	t->context = g_main_context_new();
	t->loop = g_main_loop_new(t->context, FALSE);
	t->thread = NULL;
}

static gpointer run(gpointer data)
{
	struct enc_loop_thread *t = data;

	g_main_context_push_thread_default(t->context);
	g_main_loop_run(t->loop);
	g_main_context_pop_thread_default(t->context);
	return NULL;
}

void enc_loop_thread_start(struct enc_loop_thread *t, const char *name)
{
	t->thread = g_thread_new(name, run, t);
}

/* What the stopping thread hands over; on its stack, which outlives the
 * call: it joins the loop's thread before returning. */
struct stop_call {
	struct enc_loop_thread *t;
	void (*stop)(void *data);
	void *data;
};

static gboolean stop_on_thread(gpointer data)
{
	struct stop_call *call = data;

	call->stop(call->data);
	g_main_loop_quit(call->t->loop);
	return G_SOURCE_REMOVE;
}

void enc_loop_thread_stop(struct enc_loop_thread *t, void (*stop)(void *data),
			  void *data)
{
	struct stop_call call = { .t = t, .stop = stop, .data = data };
	/* a source, not g_main_context_invoke: that runs the call right here
	 * if this thread can take the context (the loop not yet running) */
	GSource *source = g_idle_source_new();

	g_source_set_priority(source, G_PRIORITY_HIGH);
	g_source_set_callback(source, stop_on_thread, &call, NULL);
	g_source_attach(source, t->context);
	g_source_unref(source);
	g_thread_join(t->thread);
	t->thread = NULL;
}

void enc_loop_thread_finish(struct enc_loop_thread *t)
{
	g_main_loop_unref(t->loop);
	g_main_context_unref(t->context);
	t->loop = NULL;
	t->context = NULL;
}
