// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gst/rtsp-server/rtsp-server.h>

#include <sys/mman.h>
#include <unistd.h>

#include "access.h"
#include "credentials.h"
#include "log_sink.h"
#include "loop_thread.h"
#define ENC_NET_LIMITS_GLIB
#include "net_limits.h"
#include "rtsp.h"
#include "stream_consumer.h"
#include "throttle.h"
#include "tls_identity.h"

#define VIEWER_ROLE	      "viewer"
/* a media's enc_stream (object data) */
#define STREAM_KEY	      "vplane-stream"
/* set on a client whose request found a head with no picture yet */
#define NOT_READY_KEY	      "vplane-not-ready"
/* a token's access list (access.h): the vGPUs its viewer may watch */
#define ACCESS_KEY	      "vplane.access"
/* a throttled attempt's 401 waits this long; at most this many wait */
#define THROTTLED_REPLY_MS    1000
#define THROTTLED_REPLIES_MAX 64

struct enc_rtsp {
	GstRTSPServer *server;
	GstRTSPMountPoints *mounts;
	struct enc_loop_thread thread; /* where the server lives */
	GSocket *socket;	       /* listening */
	struct enc_listen_guard *listener;
	GSource *session_watch; /* expires the pool's sessions */
	struct enc_net_limits limits;
	struct enc_conn_count *conns;
	unsigned int port;
	bool has_auth; /* a GstRTSPAuth: factories need the viewer role */
	bool tls;      /* rtsps:// only */
};

/* --- a media factory over one enc_stream ------------------------------ */

#define ENC_TYPE_RTSP_FACTORY (enc_rtsp_factory_get_type())
G_DECLARE_FINAL_TYPE(EncRtspFactory, enc_rtsp_factory, ENC, RTSP_FACTORY,
		     GstRTSPMediaFactory)

struct _EncRtspFactory {
	GstRTSPMediaFactory parent;
	struct enc_stream *stream; /* a reference */
	bool h264;
	/* in the cache key: bumped as the shared media starts its teardown
	 * (see EncRtspMedia) */
	atomic_uint generation;
};

G_DEFINE_TYPE(EncRtspFactory, enc_rtsp_factory, GST_TYPE_RTSP_MEDIA_FACTORY)

/*
 * The head's shared media. When its last viewer leaves, the media is torn
 * down (unprepared) and cannot be used again, but it stays in the
 * factory's cache until the teardown ends: a DESCRIBE crossing the
 * teardown would find it, fail to prepare it and answer 503, which most
 * players (ffmpeg) take as final. So the teardown first moves the
 * factory to a new cache key: a viewer that comes now gets a new media.
 */
#define ENC_TYPE_RTSP_MEDIA (enc_rtsp_media_get_type())
G_DECLARE_FINAL_TYPE(EncRtspMedia, enc_rtsp_media, ENC, RTSP_MEDIA,
		     GstRTSPMedia)

struct _EncRtspMedia {
	GstRTSPMedia parent;
	GWeakRef factory; /* EncRtspFactory: a media may outlive its mount */
};

G_DEFINE_TYPE(EncRtspMedia, enc_rtsp_media, GST_TYPE_RTSP_MEDIA)

/* Under the media's state lock, before anything is torn down. */
static gboolean media_unprepare(GstRTSPMedia *base)
{
	EncRtspFactory *factory =
		g_weak_ref_get(&ENC_RTSP_MEDIA(base)->factory);

	if (factory) {
		atomic_fetch_add(&factory->generation, 1);
		g_object_unref(factory);
	}
	return GST_RTSP_MEDIA_CLASS(enc_rtsp_media_parent_class)
		->unprepare(base);
}

static void media_finalize(GObject *object)
{
	g_weak_ref_clear(&ENC_RTSP_MEDIA(object)->factory);
	G_OBJECT_CLASS(enc_rtsp_media_parent_class)->finalize(object);
}

static void enc_rtsp_media_class_init(EncRtspMediaClass *klass)
{
	GST_RTSP_MEDIA_CLASS(klass)->unprepare = media_unprepare;
	G_OBJECT_CLASS(klass)->finalize = media_finalize;
}

static void enc_rtsp_media_init(EncRtspMedia *media)
{
	g_weak_ref_init(&media->factory, NULL);
}

/* The cache key: the URL's, and the generation (see EncRtspMedia). */
static gchar *factory_gen_key(GstRTSPMediaFactory *base, const GstRTSPUrl *url)
{
	EncRtspFactory *factory = ENC_RTSP_FACTORY(base);
	gchar *key = GST_RTSP_MEDIA_FACTORY_CLASS(enc_rtsp_factory_parent_class)
			     ->gen_key(base, url);
	gchar *with_generation;

	if (!key)
		return NULL;
	with_generation = g_strdup_printf("%s#%u", key,
					  atomic_load(&factory->generation));
	g_free(key);
	return with_generation;
}

/* The media's bin: appsrc (the stream's consumer) ! payloader. */
static GstElement *factory_create_element(GstRTSPMediaFactory *base,
					  const GstRTSPUrl *url)
{
	EncRtspFactory *factory = ENC_RTSP_FACTORY(base);
	GstElement *bin = gst_bin_new(NULL);
	GstElement *src = gst_element_factory_make("appsrc", "src");
	GstElement *pay = gst_element_factory_make(
		factory->h264 ? "rtph264pay" : "rtpvp8pay", "pay0");

	if (!src || !pay) {
		log_error("appsrc or the RTP payloader is missing");
		goto err;
	}
	/* No parameter sets from the payloader: the stream carries SPS
	 * and PPS at the head of every keyframe's access unit already
	 * (h264parse, encoder_chain.c). rtph264pay's own insertion
	 * (config-interval) puts them before every IDR *slice*, i.e.
	 * between the slices of one picture when the encoder cuts it in
	 * several (x264 sliced threads): that starts a new access unit,
	 * so decoders (ffmpeg) cut the keyframe in two, conceal half of
	 * each part and every later frame predicts from garbage. */
	g_object_set(pay, "pt", 96, NULL);
	if (factory->h264)
		g_object_set(pay, "config-interval", 0, NULL);
	gst_bin_add_many(GST_BIN(bin), src, pay, NULL);
	if (!gst_element_link(src, pay)) {
		log_error("cannot link appsrc to the payloader");
		gst_object_unref(bin);
		return NULL;
	}
	return bin;
err:
	if (src)
		gst_object_unref(src);
	if (pay)
		gst_object_unref(pay);
	gst_object_unref(bin);
	return NULL;
}

struct attachment {
	struct enc_stream *stream; /* a reference */
	struct enc_stream_consumer *consumer;
};

static void free_attachment(gpointer data, GClosure *closure)
{
	struct attachment *a = data;

	enc_stream_detach(a->stream, a->consumer);
	enc_stream_unref(a->stream);
	g_free(a);
}

/* The media is stopped: its appsrc leaves the stream. */
static void handle_media_unprepared(GstRTSPMedia *media, gpointer data)
{
	struct attachment *a = data;

	enc_stream_detach(a->stream, a->consumer);
	a->consumer = NULL;
}

/* A new shared media: attach its appsrc to the stream. */
static void factory_configure(GstRTSPMediaFactory *base, GstRTSPMedia *media)
{
	EncRtspFactory *factory = ENC_RTSP_FACTORY(base);
	GstElement *bin, *src;
	struct attachment *a;

	GST_RTSP_MEDIA_FACTORY_CLASS(enc_rtsp_factory_parent_class)
		->configure(base, media);
	if (ENC_IS_RTSP_MEDIA(media))
		g_weak_ref_set(&ENC_RTSP_MEDIA(media)->factory, factory);
	bin = gst_rtsp_media_get_element(media);
	src = gst_bin_get_by_name(GST_BIN(bin), "src");
	gst_object_unref(bin);
	if (!src)
		return;
	a = g_new0(struct attachment, 1);
	a->stream = enc_stream_ref(factory->stream);
	a->consumer = enc_stream_attach(a->stream, GST_APP_SRC(src));
	if (!a->consumer)
		gst_app_src_end_of_stream(GST_APP_SRC(src)); /* head gone */
	/* the attachment's reference keeps it alive as long as the media */
	g_object_set_data(G_OBJECT(media), STREAM_KEY, a->stream);
	g_signal_connect_data(media, "unprepared",
			      G_CALLBACK(handle_media_unprepared), a,
			      free_attachment, 0);
	gst_object_unref(src);
}

/*
 * A head with nothing to show (no frame yet, or its encoder failed until
 * the next mode) gets no media: find_media() answers at once (an error
 * status) instead of preparing a media that waits up to 20 s for a
 * first frame. Called after the mount lookup and the role checks, so
 * only a viewer allowed to see the head learns this.
 */
static GstRTSPMedia *factory_construct(GstRTSPMediaFactory *base,
				       const GstRTSPUrl *url)
{
	EncRtspFactory *factory = ENC_RTSP_FACTORY(base);

	if (!enc_stream_is_ready(factory->stream)) {
		GstRTSPContext *ctx = gst_rtsp_context_get_current();

		log_debug("RTSP: %s has no picture yet", url->abspath);
		/* gst-rtsp-server answers "no media" with 400; the client's
		 * send-message handler makes it 503 */
		if (ctx && ctx->client)
			g_object_set_data(G_OBJECT(ctx->client), NOT_READY_KEY,
					  GINT_TO_POINTER(1));
		return NULL;
	}
	return GST_RTSP_MEDIA_FACTORY_CLASS(enc_rtsp_factory_parent_class)
		->construct(base, url);
}

static void factory_finalize(GObject *object)
{
	EncRtspFactory *factory = ENC_RTSP_FACTORY(object);

	if (factory->stream)
		enc_stream_unref(factory->stream);
	G_OBJECT_CLASS(enc_rtsp_factory_parent_class)->finalize(object);
}

static void enc_rtsp_factory_class_init(EncRtspFactoryClass *klass)
{
	GstRTSPMediaFactoryClass *fc = GST_RTSP_MEDIA_FACTORY_CLASS(klass);

	fc->create_element = factory_create_element;
	fc->configure = factory_configure;
	fc->construct = factory_construct;
	fc->gen_key = factory_gen_key;
	G_OBJECT_CLASS(klass)->finalize = factory_finalize;
}

static void enc_rtsp_factory_init(EncRtspFactory *factory)
{
}

/* --- clients --------------------------------------------------------- */

/* set on a media's RTP sink once its frames are counted */
#define WATCHED_KEY "vplane-watched"

/* The media's RTP sinks (gst-rtsp-server's TCP appsinks, made at SETUP)
 * count the frames reaching them for the stream's stats, once each. */
static void watch_media_sinks(GstRTSPMedia *media, struct enc_stream *stream)
{
	GstElement *bin = gst_rtsp_media_get_element(media);
	GstObject *pipeline =
		bin ? gst_object_get_parent(GST_OBJECT(bin)) : NULL;
	GstIterator *it;
	GValue item = G_VALUE_INIT;

	if (bin)
		gst_object_unref(bin);
	if (!pipeline)
		return;
	it = gst_bin_iterate_all_by_element_factory_name(GST_BIN(pipeline),
							 "appsink");
	while (it && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GObject *sink = g_value_get_object(&item);

		if (!g_object_get_data(sink, WATCHED_KEY)) {
			g_object_set_data(sink, WATCHED_KEY,
					  GINT_TO_POINTER(1));
			enc_stream_watch_sink(stream, GST_ELEMENT(sink));
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	if (it)
		gst_iterator_free(it);
	gst_object_unref(pipeline);
}

/* A client starts playing a shared media that may be mid-GOP: ask its
 * stream for a keyframe now. */
static void handle_client_play_request(GstRTSPClient *client,
				       GstRTSPContext *ctx, gpointer data)
{
	struct enc_stream *stream =
		ctx->media ? g_object_get_data(G_OBJECT(ctx->media), STREAM_KEY)
			   : NULL;

	if (!stream)
		return;
	watch_media_sinks(ctx->media, stream);
	enc_stream_request_keyframe(stream);
}

/*
 * Bytes a client's socket may hold unsent. Interleaved RTP goes out on
 * the RTSP connection; a slow client's backlog must reach the stream's
 * time-bounded queue (stream.c), which drops it, instead of piling up in
 * the kernel (the send buffer grows to megabytes: minutes of a small
 * stream). Bytes in flight are not limited, so throughput is not.
 */
#define CLIENT_NOTSENT_BYTES (16 * 1024)

/*
 * The answer to a request for a head with no picture yet (see
 * factory_construct()): 503 Service Unavailable, retry in a second,
 * instead of gst-rtsp-server's 400 for a media it could not make. On
 * the client's thread, right after the construct of the same request.
 */
static void handle_client_send_message(GstRTSPClient *client,
				       GstRTSPContext *ctx,
				       GstRTSPMessage *message, gpointer data)
{
	GstRTSPStatusCode code;

	if (!g_object_get_data(G_OBJECT(client), NOT_READY_KEY))
		return;
	g_object_set_data(G_OBJECT(client), NOT_READY_KEY, NULL);
	if (gst_rtsp_message_get_type(message) != GST_RTSP_MESSAGE_RESPONSE ||
	    gst_rtsp_message_parse_response(message, &code, NULL, NULL) !=
		    GST_RTSP_OK ||
	    code != GST_RTSP_STS_BAD_REQUEST)
		return;
	message->type_data.response.code = GST_RTSP_STS_SERVICE_UNAVAILABLE;
	g_free(message->type_data.response.reason);
	message->type_data.response.reason = g_strdup(
		gst_rtsp_status_as_text(GST_RTSP_STS_SERVICE_UNAVAILABLE));
	gst_rtsp_message_add_header(message, GST_RTSP_HDR_RETRY_AFTER, "1");
}

/* One connected client: its place in the counts and its idle timer. */
/*
 * Each client has its own thread (see enc_rtsp_create) and may report
 * "closed" after enc_rtsp_destroy() has freed the server: so nothing here
 * points into struct enc_rtsp; the counts are shared by reference.
 */
struct client_info {
	struct enc_conn_count *conns; /* a reference */
	unsigned int idle_timeout_s;
	GstRTSPClient *client; /* not a reference: the handler's owner */
	char address[64];
	GSocket *socket; /* a reference: closed when the client goes */
	bool counted;
	GSource *idle; /* closes it while it has no session */
};

static void client_info_stop(struct client_info *ci)
{
	if (ci->idle) {
		g_source_destroy(ci->idle);
		g_source_unref(ci->idle);
		ci->idle = NULL;
	}
	if (ci->counted)
		enc_conn_count_remove(ci->conns, ci->address);
	ci->counted = false;
	/* gst-rtsp-server leaves an RTSPS socket open when the TLS
	 * handshake failed (plain text to the rtsps port): a descriptor
	 * leaked per connection. The client is gone: so is its socket. */
	if (ci->socket) {
		g_socket_close(ci->socket, NULL);
		g_object_unref(ci->socket);
		ci->socket = NULL;
	}
}

static void free_client_info(gpointer data, GClosure *closure)
{
	struct client_info *ci = data;

	client_info_stop(ci);
	enc_conn_count_free(ci->conns);
	g_free(ci);
}

static void handle_client_closed(GstRTSPClient *client, gpointer data)
{
	client_info_stop(data);
}

/* Close @client's connection (its peer sees the end now, over TLS
 * too) and let the client's own thread drop it. Each client lives in
 * a thread of the server's pool, whose watch sees the end of the socket
 * and closes the client there: closing it from here as well raced with
 * that, and gst_rtsp_client_close() touched the watch the other thread
 * had just freed (valgrind, in listeners' idle test; in CI a corrupted
 * heap killed the process). Only a client not attached yet, with no
 * socket, is closed here. */
static void close_client_conn(GstRTSPClient *client)
{
	GstRTSPConnection *conn = gst_rtsp_client_get_connection(client);
	GSocket *sock = conn ? gst_rtsp_connection_get_read_socket(conn) : NULL;

	if (sock) {
		g_socket_shutdown(sock, TRUE, TRUE, NULL);
		return;
	}
	g_object_ref(client); /* the close may drop the last but this */
	gst_rtsp_client_close(client);
	g_object_unref(client);
}

static gboolean close_client_now(gpointer data)
{
	close_client_conn(data);
	return G_SOURCE_REMOVE;
}

/* Close @client from the main loop (it is attached after
 * "client-connected" returns). */
static void close_client_later(struct enc_rtsp *rtsp, GstRTSPClient *client)
{
	GSource *idle = g_idle_source_new();

	g_source_set_callback(idle, close_client_now, g_object_ref(client),
			      g_object_unref);
	g_source_attach(idle, rtsp->thread.context);
	g_source_unref(idle);
}

/* Every idle timeout: a client with no session (one that never sent a
 * SETUP, or is half-way through a request, or whose session ended)
 * goes. Sessions themselves time out in the pool. */
static gboolean handle_client_idle(gpointer data)
{
	struct client_info *ci = data;
	GList *sessions =
		gst_rtsp_client_session_filter(ci->client, NULL, NULL);

	if (sessions) {
		g_list_free_full(sessions, g_object_unref);
		return G_SOURCE_CONTINUE;
	}
	log_info("RTSP: client from %s: no session for %u s, closed",
		 ci->address, ci->idle_timeout_s);
	g_source_unref(ci->idle);
	ci->idle = NULL;
	close_client_conn(ci->client);
	return G_SOURCE_REMOVE;
}

/* Sessions expire the idle timeout after their last keep-alive
 * (a SETUP never followed by PLAY, a client gone without TEARDOWN). */
static void handle_new_session(GstRTSPClient *client, GstRTSPSession *session,
			       gpointer data)
{
	struct enc_rtsp *rtsp = data;

	gst_rtsp_session_set_timeout(session, rtsp->limits.idle_timeout_s);
}

/* Keep little unsent in @conn's socket (CLIENT_NOTSENT_BYTES). */
static void set_notsent_lowat(GstRTSPConnection *conn)
{
	GSocket *sock =
		conn ? gst_rtsp_connection_get_write_socket(conn) : NULL;
	GError *error = NULL;

	if (sock && g_socket_get_family(sock) != G_SOCKET_FAMILY_UNIX &&
	    !g_socket_set_option(sock, IPPROTO_TCP, TCP_NOTSENT_LOWAT,
				 CLIENT_NOTSENT_BYTES, &error)) {
		log_debug("RTSP: TCP_NOTSENT_LOWAT: %s", error->message);
		g_clear_error(&error);
	}
}

static void handle_server_client_connected(GstRTSPServer *server,
					   GstRTSPClient *client, gpointer data)
{
	struct enc_rtsp *rtsp = data;
	GstRTSPConnection *conn = gst_rtsp_client_get_connection(client);
	struct client_info *ci = g_new0(struct client_info, 1);

	ci->conns = enc_conn_count_ref(rtsp->conns);
	ci->idle_timeout_s = rtsp->limits.idle_timeout_s;
	ci->client = client;
	g_strlcpy(ci->address, conn ? gst_rtsp_connection_get_ip(conn) : "?",
		  sizeof(ci->address));
	if (conn && gst_rtsp_connection_get_read_socket(conn))
		ci->socket =
			g_object_ref(gst_rtsp_connection_get_read_socket(conn));
	g_signal_connect_data(client, "closed",
			      G_CALLBACK(handle_client_closed), ci,
			      free_client_info, 0);
	if (!enc_conn_count_add(rtsp->conns, ci->address)) {
		if (enc_conn_count_log_refusal(rtsp->conns))
			log_error("RTSP: connection from %s refused: over %u "
				  "in total or %u from one address "
				  "(logged once per 10 s)",
				  ci->address, rtsp->limits.max_clients,
				  rtsp->limits.max_per_address);
		close_client_later(rtsp, client);
		return;
	}
	ci->counted = true;
	/* a TCP-interleaved client whose session ended goes after this */
	g_object_set(client, "post-session-timeout",
		     (gint)rtsp->limits.idle_timeout_s, NULL);
	ci->idle = g_timeout_source_new_seconds(rtsp->limits.idle_timeout_s);
	g_source_set_callback(ci->idle, handle_client_idle, ci, NULL);
	g_source_attach(ci->idle, rtsp->thread.context);
	g_signal_connect(client, "play-request",
			 G_CALLBACK(handle_client_play_request), NULL);
	g_signal_connect(client, "send-message",
			 G_CALLBACK(handle_client_send_message), NULL);
	set_notsent_lowat(conn);
	g_signal_connect(client, "new-session", G_CALLBACK(handle_new_session),
			 rtsp);
}

static gboolean handle_session_watch(GstRTSPSessionPool *pool, gpointer data)
{
	gst_rtsp_session_pool_cleanup(pool);
	return G_SOURCE_CONTINUE;
}

/* On the RTSP thread, after the descriptor check. */
static bool accept_client(GSocket *sock, void *data)
{
	struct enc_rtsp *rtsp = data;

	errno = 0;
	gst_rtsp_server_io_func(sock, G_IO_IN, rtsp->server);
	return true;
}

/* --- authentication and access --------------------------------------- */

/*
 * gst-rtsp-server's digest authentication, with two checks of ours on
 * every request's URL (GST_RTSP_AUTH_CHECK_URL, which the client makes
 * before it looks anything up):
 * - an address whose failed attempts are spent (throttle.h) is not even
 *   checked: its credentials get a 401 a second later;
 * - an authenticated viewer may watch the vGPUs of its token's access
 *   list only; any other path gets the 404 a missing mount gets, so a
 *   viewer cannot tell a vGPU it may not watch from one that is not
 *   there.
 * The RTSP thread only: no lock.
 */
#define ENC_TYPE_RTSP_AUTH (enc_rtsp_auth_get_type())
G_DECLARE_FINAL_TYPE(EncRtspAuth, enc_rtsp_auth, ENC, RTSP_AUTH, GstRTSPAuth)

struct _EncRtspAuth {
	GstRTSPAuth parent;
	struct enc_throttle throttle;
	unsigned int delayed; /* throttled 401s waiting */
};

G_DEFINE_TYPE(EncRtspAuth, enc_rtsp_auth, GST_TYPE_RTSP_AUTH)

struct delayed_reply {
	EncRtspAuth *auth;     /* a reference */
	GstRTSPClient *client; /* a reference */
	GstRTSPMessage *reply; /* owned */
};

static gboolean send_delayed_reply(gpointer data)
{
	struct delayed_reply *d = data;

	gst_rtsp_client_send_message(d->client, NULL, d->reply);
	return G_SOURCE_REMOVE;
}

static void free_delayed_reply(gpointer data)
{
	struct delayed_reply *d = data;

	d->auth->delayed--;
	gst_rtsp_message_free(d->reply);
	g_object_unref(d->client);
	g_object_unref(d->auth);
	g_free(d);
}

static const char *peer_address(GstRTSPContext *ctx)
{
	const char *ip =
		ctx->conn ? gst_rtsp_connection_get_ip(ctx->conn) : NULL;

	return ip ? ip : "?";
}

static bool has_credentials(GstRTSPContext *ctx)
{
	char *value = NULL;

	return gst_rtsp_message_get_header(ctx->request,
					   GST_RTSP_HDR_AUTHORIZATION, &value,
					   0) == GST_RTSP_OK &&
	       value;
}

/* The digest's user name, printable and short, for the log. */
static void claimed_user(GstRTSPContext *ctx, char *user, size_t size)
{
	GstRTSPAuthCredential **creds = gst_rtsp_message_parse_auth_credentials(
		ctx->request, GST_RTSP_HDR_AUTHORIZATION);
	GstRTSPAuthParam **param;
	size_t n = 0;

	user[0] = 0;
	for (param = creds && creds[0] ? creds[0]->params : NULL;
	     param && *param; param++) {
		const char *v = (*param)->value;

		if (strcmp((*param)->name, "username") || !v)
			continue;
		for (; *v && n + 1 < size; v++)
			user[n++] = g_ascii_isgraph(*v) ? *v : '?';
		user[n] = 0;
		break;
	}
	if (creds)
		gst_rtsp_auth_credentials_free(creds);
}

/* The parent's digest check; a failure is counted against the address
 * and logged (first failure, then a line a second per address). */
static gboolean auth_authenticate(GstRTSPAuth *base, GstRTSPContext *ctx)
{
	EncRtspAuth *auth = ENC_RTSP_AUTH(base);
	gboolean ok = GST_RTSP_AUTH_CLASS(enc_rtsp_auth_parent_class)
			      ->authenticate(base, ctx);
	unsigned long refused;
	unsigned int unlogged;
	char user[40];

	if (ctx->token || !has_credentials(ctx))
		return ok;
	if (enc_throttle_fail(&auth->throttle, peer_address(ctx),
			      g_get_monotonic_time(), &unlogged, &refused)) {
		claimed_user(ctx, user, sizeof(user));
		log_info("RTSP: failed authentication from %s (user '%s'; "
			 "since the last line %u more, %lu not checked: too "
			 "many)",
			 peer_address(ctx), user, unlogged, refused);
	}
	return ok;
}

/*
 * A 401 with a fresh digest challenge. @later: the reply to a guess of
 * an address whose failures are spent, sent a while later (while no
 * more than THROTTLED_REPLIES_MAX wait; beyond, at once: that address
 * gets no more checks either way).
 */
static void reply_unauthorized(EncRtspAuth *auth, GstRTSPContext *ctx,
			       bool later)
{
	GstRTSPAuthClass *klass = GST_RTSP_AUTH_GET_CLASS(auth);
	GSource *source, *current = g_main_current_source();
	struct delayed_reply *d;

	gst_rtsp_message_init_response(
		ctx->response, GST_RTSP_STS_UNAUTHORIZED,
		gst_rtsp_status_as_text(GST_RTSP_STS_UNAUTHORIZED),
		ctx->request);
	klass->generate_authenticate_header(GST_RTSP_AUTH(auth), ctx);
	if (!later || auth->delayed >= THROTTLED_REPLIES_MAX) {
		gst_rtsp_client_send_message(ctx->client, NULL, ctx->response);
		return;
	}
	d = g_new0(struct delayed_reply, 1);
	d->auth = g_object_ref(auth);
	d->client = g_object_ref(ctx->client);
	gst_rtsp_message_copy(ctx->response, &d->reply);
	auth->delayed++;
	source = g_timeout_source_new(THROTTLED_REPLY_MS);
	g_source_set_callback(source, send_delayed_reply, d,
			      free_delayed_reply);
	/* the context of the client's watch, which is dispatching this */
	g_source_attach(source, current ? g_source_get_context(current)
					: g_main_context_get_thread_default());
	g_source_unref(source);
}

static void reply_not_found(GstRTSPContext *ctx)
{
	gst_rtsp_message_init_response(
		ctx->response, GST_RTSP_STS_NOT_FOUND,
		gst_rtsp_status_as_text(GST_RTSP_STS_NOT_FOUND), ctx->request);
	gst_rtsp_client_send_message(ctx->client, NULL, ctx->response);
}

/*
 * The URL check, before the client looks anything up: every method but
 * OPTIONS needs a viewer (gst-rtsp-server 1.22's own URL check lets
 * DESCRIBE through, so that a missing mount answered 404 and an existing
 * one 401), and the viewer's access list must name the path's vGPU.
 */
static gboolean auth_check(GstRTSPAuth *base, GstRTSPContext *ctx,
			   const gchar *check)
{
	EncRtspAuth *auth = ENC_RTSP_AUTH(base);
	GstRTSPAuthClass *parent =
		GST_RTSP_AUTH_CLASS(enc_rtsp_auth_parent_class);
	const char *access;

	if (strcmp(check, GST_RTSP_AUTH_CHECK_URL))
		return parent->check(base, ctx, check);
	if (!ctx->token && has_credentials(ctx) &&
	    !enc_throttle_allow(&auth->throttle, peer_address(ctx),
				g_get_monotonic_time())) {
		reply_unauthorized(auth, ctx, true);
		return FALSE;
	}
	if (!parent->check(base, ctx, check))
		return FALSE;
	if (ctx->method == GST_RTSP_OPTIONS)
		return TRUE;
	if (!ctx->token)
		GST_RTSP_AUTH_GET_CLASS(base)->authenticate(base, ctx);
	if (!ctx->token) {
		reply_unauthorized(auth, ctx, false);
		return FALSE;
	}
	access = gst_rtsp_token_get_string(ctx->token, ACCESS_KEY);
	if (!ctx->uri || !enc_access_allows_path(access, ctx->uri->abspath)) {
		reply_not_found(ctx);
		return FALSE;
	}
	return TRUE;
}

static void enc_rtsp_auth_class_init(EncRtspAuthClass *klass)
{
	GstRTSPAuthClass *ac = GST_RTSP_AUTH_CLASS(klass);

	ac->authenticate = auth_authenticate;
	ac->check = auth_check;
}

static void enc_rtsp_auth_init(EncRtspAuth *auth)
{
	enc_throttle_init(&auth->throttle);
}

/* A viewer's token: the role every mount admits, and its vGPUs. */
static GstRTSPToken *viewer_token(const char *access)
{
	return gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE,
				  G_TYPE_STRING, VIEWER_ROLE, ACCESS_KEY,
				  G_TYPE_STRING, access, NULL);
}

/*
 * An htdigest user (HA1, no password): gst-rtsp-server takes those from
 * a file only, so one line goes through a memfd read back by its
 * /proc/self/fd path.
 */
static bool add_htdigest_user(GstRTSPAuth *auth,
			      const struct enc_credential *cred,
			      GstRTSPToken *token)
{
	int fd = memfd_create("vplane-htdigest", MFD_CLOEXEC);
	char *line, path[64];
	bool ok;

	if (fd < 0) {
		log_error("RTSP credentials: memfd_create: %s",
			  g_strerror(errno));
		return false;
	}
	line = g_strdup_printf("%s:" ENC_CREDENTIALS_REALM ":%s\n", cred->user,
			       cred->ha1);
	ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
	explicit_bzero(line, strlen(line));
	g_free(line);
	g_snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ok = ok && gst_rtsp_auth_parse_htdigest(auth, path, token);
	close(fd);
	if (!ok)
		log_error("RTSP credentials: cannot add htdigest user %s",
			  cred->user);
	return ok;
}

/* --- the server ------------------------------------------------------ */

/* Digest users from the credentials file into @auth, each with a token
 * naming the vGPUs it may watch. */
static bool add_users(GstRTSPAuth *auth, const struct enc_rtsp_options *options)
{
	struct enc_credentials creds;
	char err[512];
	bool ok = true;
	size_t i;

	if (!options->credentials_file) {
		log_error("RTSP needs a credentials file "
			  "(--rtsp-credentials FILE with user:password "
			  "lines, mode 0600), or --rtsp-no-auth");
		return false;
	}
	if (!enc_credentials_load(options->credentials_file, &creds, err,
				  sizeof(err))) {
		log_error("RTSP credentials: %s", err);
		return false;
	}
	gst_rtsp_auth_set_supported_methods(auth, GST_RTSP_AUTH_DIGEST);
	gst_rtsp_auth_set_realm(auth, ENC_CREDENTIALS_REALM);
	for (i = 0; ok && i < creds.count; i++) {
		const struct enc_credential *c = &creds.list[i];
		GstRTSPToken *token = viewer_token(c->access);

		if (c->ha1)
			ok = add_htdigest_user(auth, c, token);
		else
			gst_rtsp_auth_add_digest(auth, c->user, c->password,
						 token);
		gst_rtsp_token_unref(token);
		if (ok)
			log_info("RTSP: viewer %s may watch %s%s", c->user,
				 c->every_vgpu ? "every vGPU" : c->access,
				 c->every_vgpu ? " (its line names none)" : "");
	}
	if (ok)
		log_info("RTSP: digest authentication, %zu user(s) from %s",
			 creds.count, options->credentials_file);
	enc_credentials_finish(&creds);
	return ok;
}

/* The certificate RTSPS presents. */
static bool add_tls(GstRTSPAuth *auth, const struct enc_rtsp_options *options)
{
	GTlsCertificate *identity;
	char err[512];

	if (!options->tls_cert_file || !options->tls_key_file) {
		log_error(
			"RTSPS needs both a certificate and its key "
			"(--rtsp-tls-cert FILE and --rtsp-tls-key FILE, PEM); "
			"only the %s was given",
			options->tls_cert_file ? "certificate" : "key");
		return false;
	}
	identity =
		enc_tls_identity_load(options->tls_cert_file,
				      options->tls_key_file, err, sizeof(err));
	if (!identity) {
		log_error("RTSPS: %s", err);
		return false;
	}
	gst_rtsp_auth_set_tls_certificate(auth, identity);
	g_object_unref(identity);
	log_info("RTSPS: TLS only, certificate %s", options->tls_cert_file);
	return true;
}

/*
 * The server's GstRTSPAuth: digest users, and/or the TLS certificate.
 * Without authentication but with TLS, everyone gets the viewer role
 * (the auth object exists only to carry the certificate).
 */
static bool setup_auth(struct enc_rtsp *rtsp,
		       const struct enc_rtsp_options *options)
{
	bool tls = options->tls_cert_file || options->tls_key_file;
	GstRTSPAuth *auth;
	bool ok = true;

	if (options->no_auth)
		log_info("RTSP: authentication is off: anyone who can "
			 "reach %s:%u may watch",
			 options->address, options->port);
	if (options->no_auth && !tls)
		return true;
	auth = g_object_new(ENC_TYPE_RTSP_AUTH, NULL);
	if (options->no_auth) {
		GstRTSPToken *token = viewer_token(ENC_ACCESS_EVERY_VGPU);

		gst_rtsp_auth_set_default_token(auth, token);
		gst_rtsp_token_unref(token);
	} else {
		ok = add_users(auth, options);
	}
	if (ok && tls)
		ok = add_tls(auth, options);
	if (ok) {
		gst_rtsp_server_set_auth(rtsp->server, auth);
		rtsp->has_auth = true;
		rtsp->tls = tls;
	}
	g_object_unref(auth);
	return ok;
}

struct enc_rtsp *enc_rtsp_create(const struct enc_rtsp_options *options)
{
	struct enc_rtsp *rtsp = g_new0(struct enc_rtsp, 1);
	GstRTSPThreadPool *threads;
	GstRTSPSessionPool *pool;
	GSocketAddress *local;
	char port[16];
	GError *error = NULL;

	gst_init(NULL, NULL);
	rtsp->limits = enc_net_limits_resolve(&options->limits);
	rtsp->conns = enc_conn_count_new(&rtsp->limits);
	rtsp->server = gst_rtsp_server_new();
	rtsp->mounts = gst_rtsp_server_get_mount_points(rtsp->server);
	g_snprintf(port, sizeof(port), "%u", options->port);
	gst_rtsp_server_set_address(rtsp->server, options->address);
	gst_rtsp_server_set_service(rtsp->server, port);
	if (!setup_auth(rtsp, options))
		goto err;
	g_signal_connect(rtsp->server, "client-connected",
			 G_CALLBACK(handle_server_client_connected), rtsp);
	pool = gst_rtsp_server_get_session_pool(rtsp->server);
	gst_rtsp_session_pool_set_max_sessions(pool, rtsp->limits.max_clients);
	rtsp->session_watch = gst_rtsp_session_pool_create_watch(pool);
	g_source_set_callback(rtsp->session_watch,
			      (GSourceFunc)(void (*)(void))handle_session_watch,
			      rtsp, NULL);
	/*
	 * A thread per client (gst-rtsp-server's default is one thread for
	 * all): preparing a media waits for the head's first encoded frame
	 * (gst_rtsp_media_prepare blocks), and no head's wait may delay
	 * another head's clients. The connection bounds bound the threads.
	 */
	threads = gst_rtsp_server_get_thread_pool(rtsp->server);
	gst_rtsp_thread_pool_set_max_threads(threads, -1);
	g_object_unref(threads);
	g_object_unref(pool);

	/* our own accept loop (gst_rtsp_server_create_source's spins at
	 * the descriptor limit): the server's socket, accepted by its
	 * io_func once there is room. The kernel queues as many as we
	 * would serve (gst-rtsp-server's backlog is 5): a burst of
	 * connections while this thread is busy waits instead of having
	 * its SYNs dropped and retried seconds later. */
	gst_rtsp_server_set_backlog(rtsp->server,
				    (gint)rtsp->limits.max_clients);
	rtsp->socket =
		gst_rtsp_server_create_socket(rtsp->server, NULL, &error);
	if (!rtsp->socket) {
		log_error("RTSP: cannot listen on %s:%u: %s", options->address,
			  options->port, error ? error->message : "?");
		g_clear_error(&error);
		goto err;
	}
	local = g_socket_get_local_address(rtsp->socket, NULL);
	rtsp->port = local ? g_inet_socket_address_get_port(
				     G_INET_SOCKET_ADDRESS(local))
			   : 0;
	if (local)
		g_object_unref(local);
	enc_loop_thread_init(&rtsp->thread);
	g_source_attach(rtsp->session_watch, rtsp->thread.context);
	rtsp->listener =
		enc_listen_guard_new(rtsp->socket, rtsp->thread.context, "RTSP",
				     accept_client, rtsp);
	enc_loop_thread_start(&rtsp->thread, "vplane-rtsp");
	log_info("RTSP: listening on %s://%s:%u/<vgpu>/<head>",
		 rtsp->tls ? "rtsps" : "rtsp", options->address, rtsp->port);
	return rtsp;
err:
	if (rtsp->session_watch) {
		g_source_destroy(rtsp->session_watch);
		g_source_unref(rtsp->session_watch);
	}
	g_object_unref(rtsp->mounts);
	g_object_unref(rtsp->server);
	enc_conn_count_free(rtsp->conns);
	g_free(rtsp);
	return NULL;
}

static GstRTSPFilterResult close_client(GstRTSPServer *server,
					GstRTSPClient *client, gpointer data)
{
	return GST_RTSP_FILTER_REMOVE;
}

/* On the RTSP thread: clients are closed where they live. */
static void stop_on_thread(void *data)
{
	struct enc_rtsp *rtsp = data;

	enc_listen_guard_destroy(rtsp->listener);
	rtsp->listener = NULL;
	g_source_destroy(rtsp->session_watch);
	gst_rtsp_server_client_filter(rtsp->server, close_client, NULL);
}

void enc_rtsp_destroy(struct enc_rtsp *rtsp)
{
	if (!rtsp)
		return;
	enc_loop_thread_stop(&rtsp->thread, stop_on_thread, rtsp);
	g_source_unref(rtsp->session_watch);
	g_socket_close(rtsp->socket, NULL);
	g_object_unref(rtsp->socket);
	g_object_unref(rtsp->mounts);
	g_object_unref(rtsp->server);
	enc_conn_count_free(rtsp->conns);
	enc_loop_thread_finish(&rtsp->thread);
	g_free(rtsp);
}

unsigned int enc_rtsp_get_port(struct enc_rtsp *rtsp)
{
	return rtsp->port;
}

void enc_rtsp_add(struct enc_rtsp *rtsp, const char *path,
		  struct enc_stream *stream)
{
	EncRtspFactory *factory = g_object_new(ENC_TYPE_RTSP_FACTORY, NULL);
	GstCaps *caps = enc_stream_get_caps(stream);
	GstRTSPMediaFactory *base = GST_RTSP_MEDIA_FACTORY(factory);

	factory->stream = enc_stream_ref(stream);
	factory->h264 = gst_structure_has_name(gst_caps_get_structure(caps, 0),
					       "video/x-h264");
	gst_caps_unref(caps);
	gst_rtsp_media_factory_set_shared(base, TRUE);
	gst_rtsp_media_factory_set_media_gtype(base, ENC_TYPE_RTSP_MEDIA);
	/* RTSPS: media only interleaved in the TLS connection; a SETUP
	 * asking for UDP (plain RTP, unencrypted) gets 461 */
	if (rtsp->tls)
		gst_rtsp_media_factory_set_protocols(base,
						     GST_RTSP_LOWER_TRANS_TCP);
	if (rtsp->has_auth)
		gst_rtsp_media_factory_add_role(
			base, VIEWER_ROLE, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
			G_TYPE_BOOLEAN, TRUE,
			GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN,
			TRUE, NULL);
	/* the mount points take the factory */
	gst_rtsp_mount_points_add_factory(rtsp->mounts, path, base);
	log_info("RTSP: serving %s", path);
}

void enc_rtsp_remove(struct enc_rtsp *rtsp, const char *path)
{
	gst_rtsp_mount_points_remove_factory(rtsp->mounts, path);
}
