// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "access.h"
#include "log_sink.h"
#include "loop_thread.h"
#define ENC_NET_LIMITS_GLIB
#include "net_limits.h"
#include "stream_consumer.h"
#include "throttle.h"
#include "tls_identity.h"
#include "token.h"
#include "webrtc.h"
#include "webrtc_peer.h"

/* generated from www/viewer.gresource.xml */
GResource *enc_www_get_resource(void);

#define WS_PREFIX     "/ws"
/* the viewer page, compiled in (www/viewer.gresource.xml) */
#define PAGE	      "/org/vplane/www/viewer.html"
/* WebSocket close code for a refused viewer (4000-4999: private use) */
#define CLOSE_REFUSED 4404
/* the cookie the page sets so that its WebSocket needs no token in
 * its URL (HttpOnly, SameSite=Strict, Path=/ws) */
#define TOKEN_COOKIE  "vplane_token"

struct enc_webrtc {
	SoupServer *server;
	struct enc_loop_thread thread; /* where the server lives */
	unsigned int port;
	char address[64];
	struct enc_tokens tokens;
	struct enc_throttle throttle; /* wrong tokens, per address */
	GBytes *page;
	GTlsCertificate *tls; /* NULL: plain HTTP */
	GSocket *socket;      /* listening */
	struct enc_listen_guard *listener;
	struct enc_net_limits limits;
	struct enc_conn_count *conns;
	unsigned int max_viewers, max_viewers_per_head;

	GMutex lock;
	GHashTable *streams; /* under lock: path -> enc_stream reference */

	GList *viewers; /* thread only: struct viewer */
	unsigned int next_id;
	struct enc_webrtc_input input;
	GThread *warm_up; /* joined at destroy (see enc_webrtc_create) */
};

/* One WebSocket and the peer it negotiates for (the thread only). */
struct viewer {
	struct enc_webrtc *webrtc;
	SoupWebsocketConnection *ws; /* a reference */
	struct enc_webrtc_peer *peer;
	char name[96];
	char head[64];
	unsigned int id;
	bool control; /* its token may send input: a data channel offered */
	GSource *end; /* pending teardown */
	GSource *no_answer; /* the offer's deadline */
};

/* The token of a request: the Authorization header ("Bearer TOKEN"),
 * the page's cookie (the WebSocket), or the query (the page's URL, kept
 * for links; the page then drops it from the address bar). */
static char *request_token(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *auth = soup_message_headers_get_one(h, "Authorization");
	const char *cookie = soup_message_headers_get_list(h, "Cookie");
	const char *query = g_uri_get_query(soup_server_message_get_uri(msg));
	char *token = NULL;

	if (auth && !g_ascii_strncasecmp(auth, "Bearer ", 7))
		return g_strdup(auth + 7);
	if (cookie) {
		GHashTable *c = soup_header_parse_semi_param_list(cookie);

		token = g_strdup(g_hash_table_lookup(c, TOKEN_COOKIE));
		soup_header_free_param_list(c);
		if (token)
			return token;
	}
	if (query) {
		GHashTable *params = soup_form_decode(query);

		token = g_strdup(g_hash_table_lookup(params, "token"));
		g_hash_table_unref(params);
	}
	return token;
}

/*
 * The viewer's token (NULL: none or wrong), from request_token(). An
 * address that keeps guessing is slowed down: while its budget of
 * failures is spent, its token is not even compared. Failures are logged with the address, at
 * most a line a second per address.
 */
static const struct enc_token *token_ok(struct enc_webrtc *webrtc,
					SoupServerMessage *msg)
{
	const char *peer = soup_server_message_get_remote_host(msg);
	char *given = request_token(msg);
	const struct enc_token *token = NULL;
	gint64 now = g_get_monotonic_time();
	unsigned long refused;
	unsigned int unlogged;

	if (!peer)
		peer = "?";
	if (enc_throttle_allow(&webrtc->throttle, peer, now))
		token = enc_tokens_match(&webrtc->tokens, given);
	if (given) {
		explicit_bzero(given, strlen(given));
		g_free(given);
	}
	if (!token && enc_throttle_fail(&webrtc->throttle, peer, now, &unlogged,
					&refused))
		log_info("WebRTC: failed authentication from %s (wrong or no "
			 "token; since the last line %u more, %lu not "
			 "checked: too many)",
			 peer, unlogged, refused);
	return token;
}

/* Every response: no Referer to anywhere (the page's URL may hold the
 * token), nothing cached. */
static void add_policy_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
}

/*
 * A WebSocket from a browser carries Origin: it must be the page's own
 * (this server, as the request names it in Host), so no other site's
 * page can open a viewer with the cookie. Clients that are not
 * browsers send none.
 */
static bool origin_ok(struct enc_webrtc *webrtc, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *origin = soup_message_headers_get_one(h, "Origin");
	const char *host = soup_message_headers_get_one(h, "Host");
	char *expected;
	bool ok;

	if (!origin)
		return true;
	if (!host)
		return false;
	expected = g_strdup_printf("%s://%s", webrtc->tls ? "https" : "http",
				   host);
	ok = !g_ascii_strcasecmp(origin, expected);
	g_free(expected);
	return ok;
}

static void refuse(SoupServerMessage *msg, unsigned int status, const char *why)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "text/plain; charset=utf-8",
					 SOUP_MEMORY_COPY, why, strlen(why));
}

/* GET /?token=TOKEN: the viewer page. */
static void handle_page_request(SoupServer *server, SoupServerMessage *msg,
				const char *path, GHashTable *query,
				gpointer data)
{
	struct enc_webrtc *webrtc = data;
	gsize size;
	const char *page;
	char *token, *cookie;

	add_policy_headers(msg);
	if (strcmp(soup_server_message_get_method(msg), "GET") &&
	    strcmp(soup_server_message_get_method(msg), "HEAD")) {
		refuse(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "GET only\n");
		return;
	}
	if (strcmp(path, "/") && strcmp(path, "/index.html")) {
		refuse(msg, SOUP_STATUS_NOT_FOUND,
		       "not found: open /?token=TOKEN#<vgpu>/<head>\n");
		return;
	}
	if (!token_ok(webrtc, msg)) {
		refuse(msg, SOUP_STATUS_UNAUTHORIZED,
		       "401: wrong or no token (?token=...)\n");
		return;
	}
	page = g_bytes_get_data(webrtc->page, &size);
	/* the page's WebSocket authenticates with this, not its URL */
	token = request_token(msg);
	cookie = g_strdup_printf("%s=%s; Path=%s; HttpOnly; SameSite=Strict%s",
				 TOKEN_COOKIE, token, WS_PREFIX,
				 webrtc->tls ? "; Secure" : "");
	soup_message_headers_replace(
		soup_server_message_get_response_headers(msg), "Set-Cookie",
		cookie);
	explicit_bzero(cookie, strlen(cookie));
	explicit_bzero(token, strlen(token));
	g_free(cookie);
	g_free(token);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "text/html; charset=utf-8",
					 SOUP_MEMORY_STATIC, page, size);
}

/* Before the WebSocket handshake: no token, no upgrade (a status set
 * here ends the request with it). */
static void handle_ws_early(SoupServer *server, SoupServerMessage *msg,
			    const char *path, GHashTable *query, gpointer data)
{
	struct enc_webrtc *webrtc = data;

	add_policy_headers(msg);
	if (!origin_ok(webrtc, msg)) {
		log_info("WebRTC: %s refused to %s: a page of another origin",
			 path, soup_server_message_get_remote_host(msg));
		refuse(msg, SOUP_STATUS_FORBIDDEN,
		       "403: not from this server's page\n");
		return;
	}
	if (token_ok(webrtc, msg))
		return;
	refuse(msg, SOUP_STATUS_UNAUTHORIZED, "401: wrong or no token\n");
}

static void viewer_free(struct viewer *v)
{
	struct enc_webrtc *webrtc = v->webrtc;

	webrtc->viewers = g_list_remove(webrtc->viewers, v);
	if (v->no_answer) {
		g_source_destroy(v->no_answer);
		g_source_unref(v->no_answer);
	}
	if (v->end) {
		g_source_destroy(v->end);
		g_source_unref(v->end);
	}
	enc_webrtc_peer_destroy(v->peer);
	/* after the peer: none of its input comes later */
	if (v->control)
		webrtc->input.event(webrtc->input.data, v->id, v->head, v->name,
				    NULL);
	g_signal_handlers_disconnect_by_data(v->ws, v);
	if (soup_websocket_connection_get_state(v->ws) ==
	    SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(
			v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
	g_object_unref(v->ws);
	log_info("WebRTC %s: viewer gone", v->name);
	g_free(v);
}

static gboolean handle_viewer_end(gpointer data)
{
	struct viewer *v = data;

	g_source_unref(v->end);
	v->end = NULL;
	viewer_free(v);
	return G_SOURCE_REMOVE;
}

/* Tear the viewer down from the main loop, not from inside one of its
 * own callbacks. */
static void viewer_end_later(struct viewer *v)
{
	if (v->end)
		return;
	v->end = g_idle_source_new();
	g_source_set_callback(v->end, handle_viewer_end, v, NULL);
	g_source_attach(v->end, v->webrtc->thread.context);
}

static void send_to_viewer(void *data, const char *json)
{
	struct viewer *v = data;

	if (soup_websocket_connection_get_state(v->ws) ==
	    SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(v->ws, json);
}

static void handle_peer_ended(void *data, const char *reason)
{
	struct viewer *v = data;

	log_info("WebRTC %s: %s", v->name, reason);
	if (soup_websocket_connection_get_state(v->ws) ==
	    SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(
			v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, reason);
	viewer_end_later(v);
}

/* webrtcbin's thread: v's fields read here never change while the peer
 * lives. */
static void handle_peer_input(void *data, const struct enc_input_event *event)
{
	struct viewer *v = data;

	v->webrtc->input.event(v->webrtc->input.data, v->id, v->head, v->name,
			       event);
}

static void handle_ws_message(SoupWebsocketConnection *ws, gint type,
			      GBytes *message, gpointer data)
{
	struct viewer *v = data;
	gsize size;
	const char *bytes = g_bytes_get_data(message, &size);
	char *text;

	if (type != SOUP_WEBSOCKET_DATA_TEXT || !v->peer || v->end)
		return;
	text = g_strndup(bytes, size);
	if (!enc_webrtc_peer_handle_message(v->peer, text)) {
		soup_websocket_connection_close(
			ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
			"not an answer or candidate");
		viewer_end_later(v);
	}
	g_free(text);
}

static void handle_ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
	viewer_end_later(data);
}

/* Close @ws at once with @code and @why: no peer, no media. */
static void close_refused(SoupWebsocketConnection *ws, const char *why)
{
	log_info("WebRTC: viewer refused: %s", why);
	soup_websocket_connection_close(ws, CLOSE_REFUSED, why);
}

/* An offer unanswered for the idle timeout: the viewer goes. */
static gboolean handle_no_answer(gpointer data)
{
	struct viewer *v = data;

	g_source_unref(v->no_answer);
	v->no_answer = NULL;
	if (v->peer && !enc_webrtc_peer_answered(v->peer))
		handle_peer_ended(v, "no answer to the offer in time");
	return G_SOURCE_REMOVE;
}

/* The deadline for an answer, from now: at connection and again when
 * the offer goes out. The viewer's time to answer is counted from its
 * offer, not from its connection: vplaned's own pipeline start and offer
 * (tens of seconds under emulation, on a loaded host) are not the
 * viewer's, and a browser's first WebRTC connection may itself take
 * most of the limit there. The first period bounds a peer that never
 * makes an offer. */
static void arm_no_answer(struct viewer *v)
{
	if (v->no_answer) {
		g_source_destroy(v->no_answer);
		g_source_unref(v->no_answer);
	}
	v->no_answer =
		g_timeout_source_new_seconds(v->webrtc->limits.idle_timeout_s);
	g_source_set_callback(v->no_answer, handle_no_answer, v, NULL);
	g_source_attach(v->no_answer, v->webrtc->thread.context);
}

static void handle_peer_offered(void *data)
{
	arm_no_answer(data);
}

/* Viewers of @head, and in all. */
static unsigned int count_viewers(struct enc_webrtc *webrtc, const char *head,
				  unsigned int *total)
{
	unsigned int n = 0;
	GList *l;

	*total = 0;
	for (l = webrtc->viewers; l; l = l->next) {
		struct viewer *v = l->data;

		if (v->end)
			continue;
		++*total;
		n += !strcmp(v->head, head);
	}
	return n;
}

/* A viewer's WebSocket at /ws/<vgpu>/<head> (token checked already). */
static void handle_ws(SoupServer *server, SoupServerMessage *msg,
		      const char *path, SoupWebsocketConnection *ws,
		      gpointer data)
{
	static const struct enc_webrtc_peer_callbacks view_only = {
		.send = send_to_viewer,
		.ended = handle_peer_ended,
		.offered = handle_peer_offered,
	};
	static const struct enc_webrtc_peer_callbacks control = {
		.send = send_to_viewer,
		.ended = handle_peer_ended,
		.input = handle_peer_input,
		.offered = handle_peer_offered,
	};
	struct enc_webrtc *webrtc = data;
	const char *head = path + strlen(WS_PREFIX);
	const struct enc_token *token = token_ok(webrtc, msg);
	struct enc_stream *stream = NULL;
	struct viewer *v;
	unsigned int total;

	/* The token's vGPUs only, decided before any lookup: a head it may
	 * not watch is refused exactly as a head that does not exist. */
	if (!token || !enc_access_allows_path(token->access, head)) {
		close_refused(ws, "no such head (is it streamed?)");
		return;
	}
	if (count_viewers(webrtc, head, &total) >=
		    webrtc->max_viewers_per_head ||
	    total >= webrtc->max_viewers) {
		close_refused(ws, "too many viewers (of this head or in all)");
		return;
	}
	g_mutex_lock(&webrtc->lock);
	stream = g_hash_table_lookup(webrtc->streams, head);
	if (stream)
		enc_stream_ref(stream);
	g_mutex_unlock(&webrtc->lock);
	if (!stream) {
		close_refused(ws, "no such head (is it streamed?)");
		return;
	}
	v = g_new0(struct viewer, 1);
	v->webrtc = webrtc;
	v->ws = g_object_ref(ws);
	v->id = ++webrtc->next_id;
	g_snprintf(v->name, sizeof(v->name), "%s#%u", head, v->id);
	g_strlcpy(v->head, head, sizeof(v->head));
	v->control = token->control && webrtc->input.event;
	/* the page's browser answers pings: a dead one times out */
	soup_websocket_connection_set_keepalive_interval(
		ws, MAX(1, webrtc->limits.idle_timeout_s / 3));
	webrtc->viewers = g_list_prepend(webrtc->viewers, v);
	g_signal_connect(ws, "message", G_CALLBACK(handle_ws_message), v);
	g_signal_connect(ws, "closed", G_CALLBACK(handle_ws_closed), v);
	log_info("WebRTC %s: viewer from %s, %s", v->name,
		 soup_server_message_get_remote_host(msg),
		 v->control	  ? "may control (an input channel offered)"
		 : token->control ? "view only (vplaned takes no input)"
				  : "view only (its token does not control)");
	enc_stream_count_webrtc(stream, ENC_STREAM_WEBRTC_VIEWER);
	v->peer = enc_webrtc_peer_create(v->name, stream, webrtc->address,
					 webrtc->thread.context,
					 v->control ? &control : &view_only, v);
	enc_stream_unref(stream);
	if (!v->peer) {
		soup_websocket_connection_close(
			ws, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
			"cannot start the media pipeline");
		viewer_end_later(v);
		return;
	}
	arm_no_answer(v);
}

/* A connection's place in the counts, released with its socket. */
struct conn_entry {
	struct enc_conn_count *conns;
	char address[64];
};

static void handle_conn_gone(gpointer data, GObject *where_the_object_was)
{
	struct conn_entry *e = data;

	enc_conn_count_remove(e->conns, e->address);
	enc_conn_count_free(e->conns);
	g_free(e);
}

/* On the thread, after the descriptor check: accept, count, bound its
 * idle time, wrap it in TLS, hand it to libsoup. */
static bool accept_conn(GSocket *listen, void *data)
{
	struct enc_webrtc *webrtc = data;
	GSocketConnection *conn;
	GSocketAddress *remote = NULL, *local = NULL;
	GIOStream *stream;
	struct conn_entry *e;
	GError *error = NULL;
	GSocket *sock;
	bool ok = true;

	sock = g_socket_accept(listen, NULL, &error);
	if (!sock) {
		if (g_error_matches(error, G_IO_ERROR,
				    G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
		    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)) {
			errno = EMFILE;
			ok = false;
		}
		g_clear_error(&error);
		return ok;
	}
	e = g_new0(struct conn_entry, 1);
	e->conns = webrtc->conns;
	remote = g_socket_get_remote_address(sock, NULL);
	local = g_socket_get_local_address(sock, NULL);
	if (G_IS_INET_SOCKET_ADDRESS(remote)) {
		char *a = g_inet_address_to_string(
			g_inet_socket_address_get_address(
				G_INET_SOCKET_ADDRESS(remote)));

		g_strlcpy(e->address, a, sizeof(e->address));
		g_free(a);
	}
	if (!remote || !local ||
	    !enc_conn_count_add(webrtc->conns, e->address)) {
		if (enc_conn_count_log_refusal(webrtc->conns))
			log_error("WebRTC: connection from %s refused: over %u "
				  "in total or %u from one address "
				  "(logged once per 10 s)",
				  e->address, webrtc->limits.max_clients,
				  webrtc->limits.max_per_address);
		g_free(e);
		goto out;
	}
	/* no request within this, or silence this long: libsoup's reads
	 * fail and it closes the connection */
	g_socket_set_timeout(sock, webrtc->limits.idle_timeout_s);
	conn = g_socket_connection_factory_create_connection(sock);
	enc_conn_count_ref(e->conns);
	g_object_weak_ref(G_OBJECT(conn), handle_conn_gone, e);
	stream = G_IO_STREAM(conn);
	if (webrtc->tls) {
		stream = G_IO_STREAM(g_tls_server_connection_new(
			stream, webrtc->tls, &error));
		g_object_unref(conn);
		if (!stream) {
			log_error("WebRTC: TLS: %s", error->message);
			g_clear_error(&error);
			goto out;
		}
	}
	if (!soup_server_accept_iostream(webrtc->server, stream, local, remote,
					 &error)) {
		log_error("WebRTC: %s", error->message);
		g_clear_error(&error);
	}
	g_object_unref(stream);
	g_object_unref(remote);
	g_object_unref(local);
	g_object_unref(sock); /* the connection's now */
	return true;
out:
	if (remote)
		g_object_unref(remote);
	if (local)
		g_object_unref(local);
	g_socket_close(sock, NULL);
	g_object_unref(sock);
	return true;
}

static bool listen_on(struct enc_webrtc *webrtc,
		      const struct enc_webrtc_options *options)
{
	GInetAddress *inet = g_inet_address_new_from_string(options->address);
	GSocketAddress *addr, *bound;
	GError *error = NULL;

	if (!inet) {
		log_error("WebRTC: '%s' is not an IP address",
			  options->address);
		return false;
	}
	addr = g_inet_socket_address_new(inet, (guint16)options->port);
	webrtc->socket = g_socket_new(g_inet_address_get_family(inet),
				      G_SOCKET_TYPE_STREAM,
				      G_SOCKET_PROTOCOL_TCP, &error);
	g_object_unref(inet);
	if (webrtc->socket) {
		g_socket_set_blocking(webrtc->socket, FALSE);
		/* as many queued as we would serve (GLib's default is 10):
		 * see rtsp.c */
		g_socket_set_listen_backlog(webrtc->socket,
					    (gint)webrtc->limits.max_clients);
		if (!g_socket_bind(webrtc->socket, addr, TRUE, &error) ||
		    !g_socket_listen(webrtc->socket, &error))
			g_clear_object(&webrtc->socket);
	}
	g_object_unref(addr);
	if (!webrtc->socket) {
		log_error("WebRTC: cannot listen on %s:%u: %s",
			  options->address, options->port, error->message);
		g_clear_error(&error);
		return false;
	}
	bound = g_socket_get_local_address(webrtc->socket, NULL);
	webrtc->port = bound ? g_inet_socket_address_get_port(
				       G_INET_SOCKET_ADDRESS(bound))
			     : 0;
	if (bound)
		g_object_unref(bound);
	webrtc->listener =
		enc_listen_guard_new(webrtc->socket, webrtc->thread.context,
				     "WebRTC", accept_conn, webrtc);
	return true;
}

static gpointer warm_up(gpointer data)
{
	enc_webrtc_peer_warm_up();
	return NULL;
}

/* The server and its sources belong to @context: create them with it
 * as the thread default. */
struct enc_webrtc *enc_webrtc_create(const struct enc_webrtc_options *options)
{
	struct enc_webrtc *webrtc = g_new0(struct enc_webrtc, 1);
	char err[512];

	gst_init(NULL, NULL);
	if (!options->token_file) {
		log_error("WebRTC needs a token file (--webrtc-token-file "
			  "FILE: one line of at least %d URL-safe "
			  "characters, mode 0600)",
			  ENC_TOKEN_MIN_LEN);
		g_free(webrtc);
		return NULL;
	}
	enc_throttle_init(&webrtc->throttle);
	if (!enc_tokens_load(options->token_file, &webrtc->tokens, err,
			     sizeof(err))) {
		log_error("WebRTC token: %s", err);
		g_free(webrtc);
		return NULL;
	}
	webrtc->page =
		g_resource_lookup_data(enc_www_get_resource(), PAGE, 0, NULL);
	if (!webrtc->page) {
		log_error("WebRTC: the viewer page is not compiled in");
		goto err_token;
	}
	if (options->tls_cert_file || options->tls_key_file) {
		if (!options->tls_cert_file || !options->tls_key_file) {
			log_error("WebRTC HTTPS needs both a certificate "
				  "and its key");
			goto err_page;
		}
		webrtc->tls = enc_tls_identity_load(options->tls_cert_file,
						    options->tls_key_file, err,
						    sizeof(err));
		if (!webrtc->tls) {
			log_error("WebRTC HTTPS: %s", err);
			goto err_page;
		}
	}
	webrtc->limits = enc_net_limits_resolve(&options->limits);
	webrtc->conns = enc_conn_count_new(&webrtc->limits);
	webrtc->max_viewers = options->max_viewers
				      ? options->max_viewers
				      : ENC_WEBRTC_DEFAULT_MAX_VIEWERS;
	webrtc->max_viewers_per_head =
		options->max_viewers_per_head
			? options->max_viewers_per_head
			: ENC_WEBRTC_DEFAULT_MAX_VIEWERS_PER_HEAD;
	g_strlcpy(webrtc->address, options->address, sizeof(webrtc->address));
	webrtc->input = options->input;
	g_mutex_init(&webrtc->lock);
	webrtc->streams =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
				      (GDestroyNotify)enc_stream_unref);
	enc_loop_thread_init(&webrtc->thread);

	g_main_context_push_thread_default(webrtc->thread.context);
	webrtc->server = soup_server_new("server-header", "vplaned ", NULL);
	soup_server_add_handler(webrtc->server, "/", handle_page_request,
				webrtc, NULL);
	soup_server_add_early_handler(webrtc->server, WS_PREFIX,
				      handle_ws_early, webrtc, NULL);
	soup_server_add_websocket_handler(webrtc->server, WS_PREFIX, NULL, NULL,
					  handle_ws, webrtc, NULL);
	if (!listen_on(webrtc, options)) {
		g_main_context_pop_thread_default(webrtc->thread.context);
		goto err_server;
	}
	g_main_context_pop_thread_default(webrtc->thread.context);
	enc_loop_thread_start(&webrtc->thread, "vplane-webrtc");
	/* the first viewer must not wait for vplaned's own DTLS key and
	 * transport plugins (enc_webrtc_peer_warm_up()) */
	/* joined, not detached: a process told to stop during it would
	 * otherwise run OpenSSL's exit-time clean-up under its feet
	 * (valgrind: reads of freed memory in the throwaway peer) */
	webrtc->warm_up = g_thread_new("vplane-webrtc-key", warm_up, NULL);
	log_info("WebRTC: viewer page at %s://%s:%u/?token=...#<vgpu>/<head>",
		 webrtc->tls ? "https" : "http", options->address,
		 webrtc->port);
	return webrtc;

err_server:
	g_object_unref(webrtc->server);
	enc_conn_count_free(webrtc->conns);
	if (webrtc->tls)
		g_object_unref(webrtc->tls);
	enc_loop_thread_finish(&webrtc->thread);
	g_hash_table_unref(webrtc->streams);
	g_mutex_clear(&webrtc->lock);
err_page:
	g_bytes_unref(webrtc->page);
err_token:
	enc_tokens_finish(&webrtc->tokens);
	g_free(webrtc);
	return NULL;
}

/* On the thread: viewers end where they live. */
static void stop_on_thread(void *data)
{
	struct enc_webrtc *webrtc = data;

	enc_listen_guard_destroy(webrtc->listener);
	webrtc->listener = NULL;
	while (webrtc->viewers)
		viewer_free(webrtc->viewers->data);
	soup_server_disconnect(webrtc->server);
}

void enc_webrtc_destroy(struct enc_webrtc *webrtc)
{
	if (!webrtc)
		return;
	if (webrtc->warm_up)
		g_thread_join(webrtc->warm_up);
	enc_loop_thread_stop(&webrtc->thread, stop_on_thread, webrtc);
	/* sources the viewers left (their notes) are freed with it */
	g_object_unref(webrtc->server);
	g_socket_close(webrtc->socket, NULL);
	g_object_unref(webrtc->socket);
	if (webrtc->tls)
		g_object_unref(webrtc->tls);
	enc_loop_thread_finish(&webrtc->thread);
	g_hash_table_unref(webrtc->streams);
	g_mutex_clear(&webrtc->lock);
	g_bytes_unref(webrtc->page);
	enc_tokens_finish(&webrtc->tokens);
	/* connections libsoup lets go of later hold their own reference */
	enc_conn_count_free(webrtc->conns);
	g_free(webrtc);
}

void enc_webrtc_add(struct enc_webrtc *webrtc, const char *path,
		    struct enc_stream *stream)
{
	g_mutex_lock(&webrtc->lock);
	g_hash_table_replace(webrtc->streams, g_strdup(path),
			     enc_stream_ref(stream));
	g_mutex_unlock(&webrtc->lock);
	log_info("WebRTC: serving %s", path);
}

void enc_webrtc_remove(struct enc_webrtc *webrtc, const char *path)
{
	g_mutex_lock(&webrtc->lock);
	g_hash_table_remove(webrtc->streams, path);
	g_mutex_unlock(&webrtc->lock);
}
