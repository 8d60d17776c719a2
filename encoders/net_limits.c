// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#define ENC_NET_LIMITS_GLIB
#include "log_sink.h"
#include "fd_limit.h"
#include "net_limits.h"

struct enc_net_limits
enc_net_limits_resolve(const struct enc_net_limits *limits)
{
	struct enc_net_limits l =
		limits ? *limits : (struct enc_net_limits){ 0 };

	if (!l.max_clients)
		l.max_clients = ENC_NET_DEFAULT_MAX_CLIENTS;
	if (!l.max_per_address)
		l.max_per_address = ENC_NET_DEFAULT_MAX_PER_ADDRESS;
	if (l.max_per_address > l.max_clients)
		l.max_per_address = l.max_clients;
	if (!l.idle_timeout_s)
		l.idle_timeout_s = ENC_NET_DEFAULT_IDLE_TIMEOUT_S;
	return l;
}

/* --- the accept loop ------------------------------------------------- */

struct enc_listen_guard {
	GSocket *sock; /* a reference */
	GMainContext *context;
	char what[32];
	enc_listen_accept_fn accept_fn;
	void *data;
	GSource *watch, *backoff;
	bool limited; /* logged, waiting for descriptors */
};

static void watch_start(struct enc_listen_guard *g);

static gboolean handle_backoff(gpointer data)
{
	struct enc_listen_guard *g = data;

	g_source_unref(g->backoff);
	g->backoff = NULL;
	watch_start(g);
	return G_SOURCE_REMOVE;
}

/* At the descriptor limit: stop watching for a moment, log once. */
static void back_off(struct enc_listen_guard *g, int err)
{
	if (!g->limited)
		log_error(
			"%s: out of descriptors (%s; clients may use %d): not "
			"accepting connections until some close",
			g->what, strerror(err), enc_fd_client_limit());
	g->limited = true;
	g_source_destroy(g->watch);
	g_source_unref(g->watch);
	g->watch = NULL;
	g->backoff = g_timeout_source_new(ENC_FD_BACKOFF_MS);
	g_source_set_callback(g->backoff, handle_backoff, g, NULL);
	g_source_attach(g->backoff, g->context);
}

static gboolean handle_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct enc_listen_guard *g = data;

	if (!enc_fd_room(g_socket_get_fd(sock))) {
		back_off(g, errno);
		return G_SOURCE_REMOVE;
	}
	if (!g->accept_fn(sock, g->data)) {
		back_off(g, errno ? errno : EMFILE);
		return G_SOURCE_REMOVE;
	}
	if (g->limited) {
		log_info("%s: accepting connections again", g->what);
		g->limited = false;
	}
	return G_SOURCE_CONTINUE;
}

static void watch_start(struct enc_listen_guard *g)
{
	g->watch = g_socket_create_source(g->sock, G_IO_IN, NULL);
	g_source_set_callback(g->watch,
			      (GSourceFunc)(void (*)(void))handle_readable, g,
			      NULL);
	g_source_attach(g->watch, g->context);
}

struct enc_listen_guard *
enc_listen_guard_new(GSocket *sock, GMainContext *context, const char *what,
		     enc_listen_accept_fn accept_fn, void *data)
{
	struct enc_listen_guard *g = g_new0(struct enc_listen_guard, 1);

	enc_fd_limit_init();
	g->sock = g_object_ref(sock);
	g->context = context;
	g_strlcpy(g->what, what, sizeof(g->what));
	g->accept_fn = accept_fn;
	g->data = data;
	watch_start(g);
	return g;
}

void enc_listen_guard_destroy(struct enc_listen_guard *g)
{
	if (!g)
		return;
	if (g->watch) {
		g_source_destroy(g->watch);
		g_source_unref(g->watch);
	}
	if (g->backoff) {
		g_source_destroy(g->backoff);
		g_source_unref(g->backoff);
	}
	g_object_unref(g->sock);
	g_free(g);
}

/* --- connection counts ----------------------------------------------- */

struct enc_conn_count {
	gint refs; /* the owner's and each counted connection's */
	GMutex lock;
	struct enc_net_limits limits;
	GHashTable *by_address; /* address -> count (GUINT_TO_POINTER) */
	unsigned int total;
	gint64 last_log; /* the last refusal logged */
};

struct enc_conn_count *enc_conn_count_new(const struct enc_net_limits *limits)
{
	struct enc_conn_count *c = g_new0(struct enc_conn_count, 1);

	c->refs = 1;
	g_mutex_init(&c->lock);
	c->limits = enc_net_limits_resolve(limits);
	c->by_address =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return c;
}

struct enc_conn_count *enc_conn_count_ref(struct enc_conn_count *c)
{
	g_atomic_int_inc(&c->refs);
	return c;
}

void enc_conn_count_free(struct enc_conn_count *c)
{
	if (!c || !g_atomic_int_dec_and_test(&c->refs))
		return;
	g_hash_table_unref(c->by_address);
	g_mutex_clear(&c->lock);
	g_free(c);
}

bool enc_conn_count_add(struct enc_conn_count *c, const char *address)
{
	unsigned int n;
	bool ok;

	if (!address)
		address = "?";
	g_mutex_lock(&c->lock);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(c->by_address, address));
	ok = c->total < c->limits.max_clients && n < c->limits.max_per_address;
	if (ok) {
		c->total++;
		g_hash_table_replace(c->by_address, g_strdup(address),
				     GUINT_TO_POINTER(n + 1));
	}
	g_mutex_unlock(&c->lock);
	return ok;
}

void enc_conn_count_remove(struct enc_conn_count *c, const char *address)
{
	unsigned int n;

	if (!address)
		address = "?";
	g_mutex_lock(&c->lock);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(c->by_address, address));
	if (n > 1)
		g_hash_table_replace(c->by_address, g_strdup(address),
				     GUINT_TO_POINTER(n - 1));
	else
		g_hash_table_remove(c->by_address, address);
	if (n && c->total)
		c->total--;
	g_mutex_unlock(&c->lock);
}

unsigned int enc_conn_count_total(struct enc_conn_count *c)
{
	unsigned int n;

	g_mutex_lock(&c->lock);
	n = c->total;
	g_mutex_unlock(&c->lock);
	return n;
}

bool enc_conn_count_log_refusal(struct enc_conn_count *c)
{
	static const gint64 interval = 10 * G_USEC_PER_SEC;
	gint64 now = g_get_monotonic_time();
	bool log;

	g_mutex_lock(&c->lock);
	log = !c->last_log || now - c->last_log >= interval;
	if (log)
		c->last_log = now;
	g_mutex_unlock(&c->lock);
	return log;
}
