// SPDX-License-Identifier: MIT
#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "access.h"
#include "enc_log.h"
#include "stream_consumer.h"
#include "throttle.h"
#include "token.h"
#include "webrtc.h"
#include "webrtc_peer.h"

/* generated from www/viewer.gresource.xml */
GResource *vp_www_get_resource(void);

#define WS_PREFIX     "/ws"
/* the viewer page, compiled in (www/viewer.gresource.xml) */
#define PAGE	      "/org/vplane/www/viewer.html"
/* WebSocket close code for a refused viewer (4000-4999: private use) */
#define CLOSE_REFUSED 4404

struct vp_webrtc {
	SoupServer *server;
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	unsigned int port;
	char address[64];
	struct vp_tokens tokens;
	struct vp_throttle throttle; /* wrong tokens, per address */
	GBytes *page;

	GMutex lock;
	GHashTable *streams; /* under lock: path -> vp_stream reference */

	GList *viewers; /* thread only: struct viewer */
	unsigned int next_id;
};

/* One WebSocket and the peer it negotiates for (the thread only). */
struct viewer {
	struct vp_webrtc *webrtc;
	SoupWebsocketConnection *ws; /* a reference */
	struct vp_webrtc_peer *peer;
	char name[96];
	GSource *end; /* pending teardown */
};

/*
 * The viewer's token (NULL: none or wrong). An address that keeps
 * guessing is slowed down: while its budget of failures is spent, its
 * token is not even compared. Failures are logged with the address, at
 * most a line a second per address.
 */
static const struct vp_token *token_ok(struct vp_webrtc *webrtc,
				       SoupServerMessage *msg)
{
	GUri *uri = soup_server_message_get_uri(msg);
	const char *query = g_uri_get_query(uri);
	const char *peer = soup_server_message_get_remote_host(msg);
	GHashTable *params = query ? soup_form_decode(query) : NULL;
	const struct vp_token *token = NULL;
	gint64 now = g_get_monotonic_time();
	unsigned long refused;
	unsigned int unlogged;

	if (!peer)
		peer = "?";
	if (vp_throttle_allow(&webrtc->throttle, peer, now))
		token = vp_tokens_match(
			&webrtc->tokens,
			params ? g_hash_table_lookup(params, "token") : NULL);
	if (params)
		g_hash_table_unref(params);
	if (!token &&
	    vp_throttle_fail(&webrtc->throttle, peer, now, &unlogged, &refused))
		enc_log(INFO,
			"WebRTC: failed authentication from %s (wrong or no "
			"token; since the last line %u more, %lu not "
			"checked: too many)",
			peer, unlogged, refused);
	return token;
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
	struct vp_webrtc *webrtc = data;
	gsize size;
	const char *page;

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
	soup_message_headers_append(
		soup_server_message_get_response_headers(msg), "Cache-Control",
		"no-store");
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "text/html; charset=utf-8",
					 SOUP_MEMORY_STATIC, page, size);
}

/* Before the WebSocket handshake: no token, no upgrade (a status set
 * here ends the request with it). */
static void handle_ws_early(SoupServer *server, SoupServerMessage *msg,
			    const char *path, GHashTable *query, gpointer data)
{
	struct vp_webrtc *webrtc = data;

	if (token_ok(webrtc, msg))
		return;
	refuse(msg, SOUP_STATUS_UNAUTHORIZED, "401: wrong or no token\n");
}

static void viewer_free(struct viewer *v)
{
	struct vp_webrtc *webrtc = v->webrtc;

	webrtc->viewers = g_list_remove(webrtc->viewers, v);
	if (v->end) {
		g_source_destroy(v->end);
		g_source_unref(v->end);
	}
	vp_webrtc_peer_destroy(v->peer);
	g_signal_handlers_disconnect_by_data(v->ws, v);
	if (soup_websocket_connection_get_state(v->ws) ==
	    SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(
			v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
	g_object_unref(v->ws);
	enc_log(INFO, "WebRTC %s: viewer gone", v->name);
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
	g_source_attach(v->end, v->webrtc->context);
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

	enc_log(INFO, "WebRTC %s: %s", v->name, reason);
	if (soup_websocket_connection_get_state(v->ws) ==
	    SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(
			v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, reason);
	viewer_end_later(v);
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
	if (!vp_webrtc_peer_handle_message(v->peer, text)) {
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
	enc_log(INFO, "WebRTC: viewer refused: %s", why);
	soup_websocket_connection_close(ws, CLOSE_REFUSED, why);
}

/* A viewer's WebSocket at /ws/<vgpu>/<head> (token checked already). */
static void handle_ws(SoupServer *server, SoupServerMessage *msg,
		      const char *path, SoupWebsocketConnection *ws,
		      gpointer data)
{
	static const struct vp_webrtc_peer_callbacks callbacks = {
		.send = send_to_viewer,
		.ended = handle_peer_ended,
	};
	struct vp_webrtc *webrtc = data;
	const char *head = path + strlen(WS_PREFIX);
	const struct vp_token *token = token_ok(webrtc, msg);
	struct vp_stream *stream = NULL;
	struct viewer *v;

	/* The token's vGPUs only, decided before any lookup: a head it may
	 * not watch is refused exactly as a head that does not exist. */
	if (!token || !vp_access_allows_path(token->access, head)) {
		close_refused(ws, "no such head (is it streamed?)");
		return;
	}
	g_mutex_lock(&webrtc->lock);
	stream = g_hash_table_lookup(webrtc->streams, head);
	if (stream)
		vp_stream_ref(stream);
	g_mutex_unlock(&webrtc->lock);
	if (!stream) {
		close_refused(ws, "no such head (is it streamed?)");
		return;
	}
	v = g_new0(struct viewer, 1);
	v->webrtc = webrtc;
	v->ws = g_object_ref(ws);
	g_snprintf(v->name, sizeof(v->name), "%s#%u", head, ++webrtc->next_id);
	webrtc->viewers = g_list_prepend(webrtc->viewers, v);
	g_signal_connect(ws, "message", G_CALLBACK(handle_ws_message), v);
	g_signal_connect(ws, "closed", G_CALLBACK(handle_ws_closed), v);
	enc_log(INFO, "WebRTC %s: viewer from %s", v->name,
		soup_server_message_get_remote_host(msg));
	v->peer = vp_webrtc_peer_create(v->name, stream, webrtc->address,
					webrtc->context, &callbacks, v);
	vp_stream_unref(stream);
	if (!v->peer) {
		soup_websocket_connection_close(
			ws, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
			"cannot start the media pipeline");
		viewer_end_later(v);
	}
}

static gpointer run_thread(gpointer data)
{
	struct vp_webrtc *webrtc = data;

	g_main_context_push_thread_default(webrtc->context);
	g_main_loop_run(webrtc->loop);
	g_main_context_pop_thread_default(webrtc->context);
	return NULL;
}

static bool listen_on(struct vp_webrtc *webrtc,
		      const struct vp_webrtc_options *options)
{
	GInetAddress *inet = g_inet_address_new_from_string(options->address);
	GSocketAddress *addr;
	GError *error = NULL;
	GSList *uris;
	bool ok;

	if (!inet) {
		enc_log(ERROR, "WebRTC: '%s' is not an IP address",
			options->address);
		return false;
	}
	addr = g_inet_socket_address_new(inet, (guint16)options->port);
	g_object_unref(inet);
	ok = soup_server_listen(webrtc->server, addr, 0, &error);
	g_object_unref(addr);
	if (!ok) {
		enc_log(ERROR, "WebRTC: cannot listen on %s:%u: %s",
			options->address, options->port, error->message);
		g_clear_error(&error);
		return false;
	}
	uris = soup_server_get_uris(webrtc->server);
	webrtc->port = uris ? (unsigned int)g_uri_get_port(uris->data) : 0;
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return true;
}

/* The server and its sources belong to @context: create them with it
 * as the thread default. */
struct vp_webrtc *vp_webrtc_create(const struct vp_webrtc_options *options)
{
	struct vp_webrtc *webrtc = g_new0(struct vp_webrtc, 1);
	char err[512];

	gst_init(NULL, NULL);
	if (!options->token_file) {
		enc_log(ERROR,
			"WebRTC needs a token file (--webrtc-token-file "
			"FILE: one line of at least %d URL-safe "
			"characters, mode 0600)",
			VP_TOKEN_MIN_LEN);
		g_free(webrtc);
		return NULL;
	}
	vp_throttle_init(&webrtc->throttle);
	if (!vp_tokens_load(options->token_file, &webrtc->tokens, err,
			    sizeof(err))) {
		enc_log(ERROR, "WebRTC token: %s", err);
		g_free(webrtc);
		return NULL;
	}
	webrtc->page =
		g_resource_lookup_data(vp_www_get_resource(), PAGE, 0, NULL);
	if (!webrtc->page) {
		enc_log(ERROR, "WebRTC: the viewer page is not compiled in");
		goto err_token;
	}
	g_strlcpy(webrtc->address, options->address, sizeof(webrtc->address));
	g_mutex_init(&webrtc->lock);
	webrtc->streams =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
				      (GDestroyNotify)vp_stream_unref);
	webrtc->context = g_main_context_new();
	webrtc->loop = g_main_loop_new(webrtc->context, FALSE);

	g_main_context_push_thread_default(webrtc->context);
	webrtc->server = soup_server_new("server-header", "vplaned ", NULL);
	soup_server_add_handler(webrtc->server, "/", handle_page_request,
				webrtc, NULL);
	soup_server_add_early_handler(webrtc->server, WS_PREFIX,
				      handle_ws_early, webrtc, NULL);
	soup_server_add_websocket_handler(webrtc->server, WS_PREFIX, NULL, NULL,
					  handle_ws, webrtc, NULL);
	if (!listen_on(webrtc, options)) {
		g_main_context_pop_thread_default(webrtc->context);
		goto err_server;
	}
	g_main_context_pop_thread_default(webrtc->context);
	webrtc->thread = g_thread_new("vplane-webrtc", run_thread, webrtc);
	enc_log(INFO,
		"WebRTC: viewer page at http://%s:%u/?token=...#<vgpu>/<head>",
		options->address, webrtc->port);
	return webrtc;

err_server:
	g_object_unref(webrtc->server);
	g_main_loop_unref(webrtc->loop);
	g_main_context_unref(webrtc->context);
	g_hash_table_unref(webrtc->streams);
	g_mutex_clear(&webrtc->lock);
	g_bytes_unref(webrtc->page);
err_token:
	vp_tokens_finish(&webrtc->tokens);
	g_free(webrtc);
	return NULL;
}

/* On the thread: viewers end where they live. */
static gboolean stop_on_thread(gpointer data)
{
	struct vp_webrtc *webrtc = data;

	while (webrtc->viewers)
		viewer_free(webrtc->viewers->data);
	soup_server_disconnect(webrtc->server);
	g_main_loop_quit(webrtc->loop);
	return G_SOURCE_REMOVE;
}

void vp_webrtc_destroy(struct vp_webrtc *webrtc)
{
	if (!webrtc)
		return;
	g_main_context_invoke(webrtc->context, stop_on_thread, webrtc);
	g_thread_join(webrtc->thread);
	/* sources the viewers left (their notes) are freed with it */
	g_object_unref(webrtc->server);
	g_main_loop_unref(webrtc->loop);
	g_main_context_unref(webrtc->context);
	g_hash_table_unref(webrtc->streams);
	g_mutex_clear(&webrtc->lock);
	g_bytes_unref(webrtc->page);
	vp_tokens_finish(&webrtc->tokens);
	g_free(webrtc);
}

unsigned int vp_webrtc_get_port(struct vp_webrtc *webrtc)
{
	return webrtc->port;
}

bool vp_webrtc_add(struct vp_webrtc *webrtc, const char *path,
		   struct vp_stream *stream)
{
	g_mutex_lock(&webrtc->lock);
	g_hash_table_replace(webrtc->streams, g_strdup(path),
			     vp_stream_ref(stream));
	g_mutex_unlock(&webrtc->lock);
	enc_log(INFO, "WebRTC: serving %s", path);
	return true;
}

void vp_webrtc_remove(struct vp_webrtc *webrtc, const char *path)
{
	g_mutex_lock(&webrtc->lock);
	g_hash_table_remove(webrtc->streams, path);
	g_mutex_unlock(&webrtc->lock);
}
