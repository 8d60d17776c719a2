/* SPDX-License-Identifier: MIT */
/*
 * The bounds every network listener (RTSP, WebRTC) keeps, and the
 * accept loop that backs off at the descriptor limit (fd_limit.h):
 * a listener out of descriptors stops accepting for ENC_FD_BACKOFF_MS,
 * logs once, and accepts again by itself when descriptors free up.
 */
#ifndef ENC_NET_LIMITS_H
#define ENC_NET_LIMITS_H

#include <stdbool.h>

#define ENC_NET_DEFAULT_MAX_CLIENTS	64
#define ENC_NET_DEFAULT_MAX_PER_ADDRESS 16
#define ENC_NET_DEFAULT_IDLE_TIMEOUT_S	60

struct enc_net_limits {
	/* open connections in total, and from one peer address (a
	 * connection over either is closed at once); 0: the default */
	unsigned int max_clients, max_per_address;
	/*
	 * 0: the default. A connection that has not started a session
	 * (RTSP: no SETUP; HTTP: a request not sent in full, or an idle
	 * keep-alive connection) is closed after this long; a WebRTC
	 * offer unanswered this long ends its viewer; RTSP sessions time
	 * out after this without a keep-alive (60 s: gst-rtsp-server's own
	 * default).
	 */
	unsigned int idle_timeout_s;
};

/* @limits with every 0 replaced by its default. */
struct enc_net_limits
enc_net_limits_resolve(const struct enc_net_limits *limits);

#ifdef ENC_NET_LIMITS_GLIB
#include <gio/gio.h>

struct enc_listen_guard;

/*
 * Accept one connection on @sock (readable, and there is room for a
 * descriptor). False when accept failed for want of descriptors or
 * memory: the guard backs off.
 */
typedef bool (*enc_listen_accept_fn)(GSocket *sock, void *data);

/* Watch @sock on @context (call on its thread). @what names the
 * listener in the log ("RTSP", "WebRTC"). */
struct enc_listen_guard *
enc_listen_guard_new(GSocket *sock, GMainContext *context, const char *what,
		     enc_listen_accept_fn accept_fn, void *data);

/* Stop watching (on the context's thread). NULL is a no-op. */
void enc_listen_guard_destroy(struct enc_listen_guard *guard);

/*
 * Count one connection from @address; false (nothing counted) when
 * that would pass @limits. Thread-safe.
 */
struct enc_conn_count;
struct enc_conn_count *enc_conn_count_new(const struct enc_net_limits *limits);
/* Drop a reference (the last frees it). NULL is a no-op. */
void enc_conn_count_free(struct enc_conn_count *count);
struct enc_conn_count *enc_conn_count_ref(struct enc_conn_count *count);
bool enc_conn_count_add(struct enc_conn_count *count, const char *address);
void enc_conn_count_remove(struct enc_conn_count *count, const char *address);
unsigned int enc_conn_count_total(struct enc_conn_count *count);
/* Log this refusal? (one line per 10 s: a flood of refused
 * connections does not flood the log) */
bool enc_conn_count_log_refusal(struct enc_conn_count *count);
#endif

#endif /* ENC_NET_LIMITS_H */
