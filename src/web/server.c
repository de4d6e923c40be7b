/*
 * server.c — libmicrohttpd daemon, request lifecycle and the checks every
 * request passes before its handler runs (Redis's processCommand): route,
 * authentication, role, CSRF, body size and JSON well-formedness, in that
 * order, in one function.
 *
 * Threads: MHD's thread pool (epoll).  Each worker thread lazily opens its
 * own SQLite connection; writers are serialised by SQLite (BEGIN IMMEDIATE
 * + busy timeout) and readers never wait for them (WAL).
 */
#include "web/web.h"
#include "web/checkpointer.h"
#include "web/import_watch.h"
#include "web/config.h"
#include "web/jobs.h"
#include "web/offload.h"
#include "web/upload.h"
#include "web/walckpt.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/encode.h"
#include "core/jsonw.h"
#include "core/session.h"
#include "core/user.h"
#include "util/text.h"

#define MAX_THREADS 64
/* Threads for ROUTE_SLOW requests (reports, verify, import, labels,
 * backups): few at a time, each with its own database connection. */
#define OFFLOAD_THREADS 2
#define SHUTDOWN_GRACE_MS 10000
/* Per-connection buffer for request line, headers and body chunks.  MHD
 * zeroes it on every request, so its 32 KiB default cost a fifth of a
 * lookup's instructions (callgrind); 8 KiB still holds any sane header
 * block, and bodies arrive in pieces anyway. */
#define CONN_MEMORY (8 * 1024)
/* Oversized bodies up to this are read and discarded before the 413. */
#define DRAIN_MAX ((uint64_t)256 << 20)

/* ==== per-thread database connections ================================= */

static const char *g_db_path;
static char g_db_shown[1024]; /* g_db_path without a URI's password */
static _Thread_local struct store *tl_store;
static pthread_mutex_t stores_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_THREADS + 8];
static int nstores;
static atomic_int in_flight;

/* This worker's connection, opened on first use.  NULL if it cannot be. */
struct store *web_thread_store(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;

	if (tl_store) {
		if (db_usable(tl_store))
			return tl_store;
		/* The database server ended this connection (a restart, an
		 * administrator): open another rather than fail every request
		 * this worker takes from now on. */
		fprintf(stderr, "assettrack: the connection to %s was lost; opening another\n",
		        g_db_shown);
		pthread_mutex_lock(&stores_mu);
		for (int i = 0; i < nstores; i++)
			if (stores[i] == tl_store) {
				stores[i] = stores[--nstores];
				break;
			}
		pthread_mutex_unlock(&stores_mu);
		db_close(tl_store);
		tl_store = NULL;
	}
	if (db_open(g_db_path, 0, &st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: worker cannot open %s: %s\n", g_db_shown, e.message);
		at_errors_free(&e);
		return NULL;
	}
	pthread_mutex_lock(&stores_mu);
	if (nstores < (int)(sizeof(stores) / sizeof(stores[0]))) {
		stores[nstores++] = st;
		tl_store = st;
	}
	pthread_mutex_unlock(&stores_mu);
	if (!tl_store)
		db_close(st);
	return tl_store;
}

static void close_stores(void)
{
	pthread_mutex_lock(&stores_mu);
	for (int i = 0; i < nstores; i++)
		db_close(stores[i]);
	nstores = 0;
	pthread_mutex_unlock(&stores_mu);
}

/* ==== small helpers =================================================== */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Decode %HH in paths and query values.  A decoded NUL would silently cut
 * the string short ("AT-1%00junk" would find AT-1), so it becomes DEL,
 * which every text check refuses as unprintable.
 */
size_t web_url_unescape(char *s)
{
	char *w = strchr(s, '%');
	const char *r = w;

	/* Most paths have nothing to decode: one scan finds that. */
	if (!w)
		return strlen(s);
	while (*r) {
		int hi, lo;
		if (r[0] == '%' && (hi = text_hexval(r[1])) >= 0 && (lo = text_hexval(r[2])) >= 0) {
			char v = (char)(hi * 16 + lo);
			*w++ = v ? v : 0x7f;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return web_url_unescape(s);
}

/* The headers that frame a request's body (RFC 9112 §6.3). */
struct framing {
	int content_lengths;          /* how many Content-Length headers */
	int differ;                   /* with different values */
	int chunked;                  /* Transfer-Encoding present too */
	const char *first;            /* the first Content-Length's value */
	size_t first_len;
	const char *bad_query;        /* a query parameter that is not UTF-8 */
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
	struct framing *f = cls;

	/* The same pass looks at the query's parameters (route.c refuses one
	 * that is not UTF-8): one walk of the list MHD keeps, not two. */
	if (kind == MHD_GET_ARGUMENT_KIND) {
		if (!f->bad_query && (!jsonw_utf8_valid(key) || (value && !jsonw_utf8_valid(value))))
			f->bad_query = key;
		return MHD_YES;
	}
	if (key_size == 14 && strncasecmp(key, "Content-Length", 14) == 0) {
		if (f->content_lengths++ == 0) {
			f->first = value;
			f->first_len = value_size;
		} else if (value_size != f->first_len || memcmp(value, f->first, value_size) != 0) {
			f->differ = 1;
		}
	} else if (key_size == 17 && strncasecmp(key, "Transfer-Encoding", 17) == 0) {
		f->chunked = 1;
	}
	return MHD_YES;
}

/*
 * Is the body's length ambiguous?  Two Content-Length headers that
 * disagree, or Content-Length beside Transfer-Encoding, are how requests
 * are smuggled past a proxy that reads the other one: RFC 9112 §6.3 says
 * refuse (and close the connection, which answering now does).  `*cl`
 * gets the (first) Content-Length or NULL: the same pass over the
 * headers finds it.
 */
static int framing_ambiguous(struct MHD_Connection *conn, const char **cl,
                             const char **bad_query)
{
	struct framing f = { 0, 0, 0, NULL, 0, NULL };

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, count_framing,
	                            &f);
	*cl = f.first;
	*bad_query = f.bad_query;
	return f.differ || (f.chunked && f.content_lengths);
}

/*
 * A new request's state, all zero but for the two big text arrays (2 KiB
 * of 2.9): the path, which is copied in at once, and the route's
 * captures, which the router writes before anyone reads them.  Clearing
 * them on every request was a tenth of a scanner lookup's instructions
 * (bench/README.md); every other field, present or added later, is
 * cleared as calloc would.
 */
/*
 * One finished request's memory is kept per thread for the next: at 2.9
 * KiB it is past malloc's per-thread cache, and malloc and free took a
 * lookup 750 instructions.  The key's destructor frees it when the
 * thread ends.
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void spare_init(void)
{
	spare_ok = pthread_key_create(&spare_key, free) == 0;
}

static struct request *request_alloc(void)
{
	struct request *rq;

	pthread_once(&spare_once, spare_init);
	if (spare_ok && (rq = pthread_getspecific(spare_key)) != NULL) {
		pthread_setspecific(spare_key, NULL);
		return rq;
	}
	return malloc(sizeof(*rq));
}

static void request_release(struct request *rq)
{
	if (spare_ok && !pthread_getspecific(spare_key) && pthread_setspecific(spare_key, rq) == 0)
		return;
	free(rq);
}

static struct request *request_new(const char *url)
{
	struct request *rq = request_alloc();
	const size_t path = offsetof(struct request, path), path_end = path + sizeof(rq->path);
	const size_t params = offsetof(struct request, params);
	const size_t params_end = params + sizeof(rq->params);
	size_t n = strlen(url);
	char *p = (char *)rq;

	static_assert(offsetof(struct request, path) < offsetof(struct request, params),
	              "request_new clears around path, then params");
	if (!rq)
		return NULL;
	memset(p, 0, path);
	memset(p + path_end, 0, params - path_end);
	memset(p + params_end, 0, sizeof(*rq) - params_end);
	/* As snprintf("%s") would: cut to fit, always terminated. */
	if (n >= sizeof(rq->path))
		n = sizeof(rq->path) - 1;
	memcpy(rq->path, url, n);
	rq->path[n] = '\0';
	rq->params[0][0] = '\0';
	return rq;
}

/* Route the request (web_dispatch() keeps the route found) and say
 * whether it may take seconds (ROUTE_SLOW): those run on an offload
 * thread (web/offload.c). */
static int is_slow(struct request *rq)
{
	int mismatch;

	rq->route = web_route_find(rq, &mismatch);
	return rq->route && (rq->route->flags & ROUTE_SLOW);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	const struct web_config *cfg = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		const char *cl;
		uint64_t cap = 0;
		int up;
		rq = request_new(url);
		if (!rq)
			return MHD_NO;
		rq->conn = conn;
		rq->method = method;
		rq->cfg = cfg;
		rq->t0_us = now_us();
		/* Import bodies may be larger; every other body is JSON.  Only a
		 * POST, PUT or PATCH carries one (no strstr for each lookup). */
		buf_init(&rq->body, method[0] == 'P' && strstr(url, "/import/") ? WEB_CSV_LIMIT
		                                                                  : cfg->json_limit);
		atomic_fetch_add(&in_flight, 1);
		*con_cls = rq;
		/* A file upload goes to disk, and only for a user who may make it
		 * (web/upload.h); anyone else's is dropped (cap 0). */
		up = web_spool_begin(rq, &cap);
		if (up < 0) {
			web_reply_fail(rq, AT_STORAGE, "cannot store the upload: %s", strerror(errno));
			return MHD_YES;
		}
		if (up == 0)
			cap = rq->body.cap;
		else if (cap == 0)
			rq->too_large = 1;
		if (framing_ambiguous(conn, &cl, &rq->bad_query)) {
			web_reply_fail(rq, AT_MALFORMED,
			               "the body's length is ambiguous: Content-Length headers that "
			               "disagree, or Content-Length with Transfer-Encoding");
			return MHD_YES;
		}
		if (cl) {
			int64_t n;
			if (text_parse_int(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > cap) {
				rq->too_large = 1;
				/* Answering before the client has sent its body makes MHD
				 * close the connection under it (clients see a reset, not
				 * the 413); so a modest excess is read and dropped, and
				 * only an absurd one is refused at once. */
				if ((uint64_t)n > DRAIN_MAX) {
					web_reply_fail(rq, AT_TOO_LARGE,
					               "request body of %lld bytes is over the %zu byte "
					               "limit", (long long)n, (size_t)cap);
					return MHD_YES;
				}
			}
		}
		return MHD_YES;
	}
	/* Resumed after an offload thread ran it: queue its answer. */
	switch (web_offload_answer(rq)) {
	case 1:
		return MHD_YES;
	case -1:
		return MHD_NO;
	default:
		break;
	}
	if (rq->replied) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (rq->spool) {
			if (!rq->too_large && web_spool_add(rq, upload_data, *upload_data_size) < 0)
				rq->too_large = 1;
		} else if (!rq->too_large && buf_add(&rq->body, upload_data, *upload_data_size) < 0) {
			rq->too_large = 1;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!is_slow(rq) || web_offload(rq) < 0)
		web_dispatch(rq);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	const struct web_config *cfg = cls;
	struct request *rq = *con_cls;
	char at[AT_TIME_LEN + 1];

	(void)conn;
	(void)toe;
	if (!rq)
		return;
	if (!cfg->quiet) {
		text_now(at);
		fprintf(stderr, "%s %s %s %d %zu %lluus %s\n", at, rq->method, rq->path,
		        rq->status ? rq->status : 500, rq->bytes,
		        (unsigned long long)(now_us() - rq->t0_us),
		        rq->authed ? rq->user.username : "-");
	}
	/* An offloaded answer its connection closed before it was queued. */
	if (rq->kept_answer)
		MHD_destroy_response(rq->kept_answer);
	json_decref(rq->json);
	web_spool_end(rq);
	form_free(&rq->form);
	buf_free(&rq->body);
	request_release(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

/* ==== startup and shutdown ============================================ */

/* Parse HOST:PORT (IPv6 as [addr]:port) into a socket address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                        int *ipv6)
{
	char host[256];
	const char *colon;
	struct addrinfo hints, *res = NULL;
	int64_t port;
	size_t hl;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return -1;
		hl = (size_t)(close - listen - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, listen + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - listen);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, listen, hl);
	}
	host[hl] = '\0';
	if (text_parse_int(colon + 1, 1, 65535, &port) < 0)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res) != 0 || !res)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	*ipv6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	fclose(f);
	if (b.overflow) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* On an empty user table, create "admin" with a random password and
 * print it once. */
static int first_admin(struct store *st, const struct web_config *cfg)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	struct at_errors e = AT_ERRORS_INIT;
	char pw[21];
	enum at_code c;
	int rc = 0;

	if (db_user_count(st) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(pw) - 1; i++)
		pw[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	pw[sizeof(pw) - 1] = '\0';
	c = user_add(st, "system", "admin", ROLE_ADMIN, pw, NULL, &e);
	if (c == AT_DUPLICATE && db_user_count(st) > 0) {
		/* Two servers started on one new database at once (issue #11):
		 * the other made admin between our count and our insert. */
		fprintf(stderr, "assettrack: another server created the first admin at the same "
		                "moment: its password is in that server's output\n");
	} else if (c != AT_OK) {
		fprintf(stderr, "assettrack: cannot create the first admin: %s\n", e.message);
		rc = -1;
	} else {
		/* Under systemd stdout is the journal: this is its one copy there;
		 * the file (if configured) stays until admin first logs in. */
		const char *file = web_config_write_password(pw) == 0 ? web_config_password_file()
		                                                      : NULL;
		printf("\n  First start: created the admin account.\n"
		       "    username: admin\n    password: %s\n"
		       "  This password is shown once.  Open %s://%s/ in a browser and log\n"
		       "  in, or make an API token: assettrack --db %s user token admin\n",
		       pw, cfg->tls_cert ? "https" : "http", cfg->listen, g_db_shown);
		if (file)
			printf("  It is also in %s (mode 0600) until admin first logs in.\n", file);
		putchar('\n');
		fflush(stdout);
	}
	sodium_memzero(pw, sizeof(pw));
	at_errors_free(&e);
	return rc;
}

int web_serve(const struct web_config *cfg_in)
{
	struct web_config cfg = *cfg_in;
	struct at_errors e = AT_ERRORS_INIT;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct MHD_Daemon *d = NULL;
	struct store *st = NULL;
	struct checkpointer *ck = NULL;
	struct import_watch *iw = NULL;
	struct walckpt *wal = NULL;
	char *cert = NULL, *key = NULL;
	unsigned flags;
	sigset_t sigs;
	int ipv6 = 0, sig = 0, rc = 3;

	/* What the command line left unset: the environment, then the file
	 * ASSETTRACK_CONFIG names (web/config.h). */
	if (web_config_load(&cfg) < 0)
		return 2;
	if (!cfg.listen)
		cfg.listen = "127.0.0.1:8080";
	if (!cfg.json_limit)
		cfg.json_limit = WEB_JSON_LIMIT;
	if (cfg.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.threads = n > 0 ? (int)(n * 2) : 4;
	}
	if (cfg.threads > MAX_THREADS)
		cfg.threads = MAX_THREADS;
	if (parse_listen(cfg.listen, &ss, &sslen, &ipv6) < 0) {
		fprintf(stderr, "assettrack: cannot listen on '%s': use HOST:PORT\n", cfg.listen);
		return 2;
	}
	if (!!cfg.tls_cert != !!cfg.tls_key) {
		fprintf(stderr, "assettrack: TLS needs both --tls-cert and --tls-key\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 3;
	g_db_path = cfg.db_path;
	db_display(cfg.db_path, g_db_shown, sizeof(g_db_shown));
	/* Large answers (a 13 MB custody report) are built in one growing
	 * buffer.  glibc would otherwise raise its mmap threshold after the
	 * first such free and serve the next from a thread arena, where
	 * growth copies and the memory stays with the arena; a fixed
	 * threshold keeps big blocks in mmap (grown by mremap, returned on
	 * free), which keeps the server's peak near its working set. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);

	/* Create or migrate the schema once, before any worker opens it. */
	if (db_open(cfg.db_path, DB_CREATE, &st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: %s\n", e.message);
		goto out;
	}
	if (first_admin(st, &cfg) < 0)
		goto out;
	db_close(st);
	st = NULL;
	if (web_upload_init(cfg.db_path) < 0)
		goto out;
	jobs_init(cfg.db_path);
	/* WAL checkpoints in the background, never in a client's commit: on
	 * before any worker, job or checkpointer opens a connection. */
	wal = walckpt_start(cfg.db_path, 0, 0);

	/* TURBO: fewer syscalls per request (no shutdown() before close, accept4). */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
	        MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (cfg.tls_cert) {
		cert = read_file(cfg.tls_cert);
		key = read_file(cfg.tls_key);
		if (!cert || !key) {
			fprintf(stderr, "assettrack: cannot read TLS certificate or key\n");
			rc = 2;
			goto out;
		}
		flags |= MHD_USE_TLS;
		web_tls_on = 1;
	}

	/* Workers inherit this mask, so only sigwait() below sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cert)
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &cfg, MHD_OPTION_SOCK_ADDR,
		                     (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
		                     (unsigned)cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
		                     on_completed, &cfg, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
		                     MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		                     MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
		                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		                     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &cfg, MHD_OPTION_SOCK_ADDR,
		                     (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
		                     (unsigned)cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
		                     on_completed, &cfg, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
		                     MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		                     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "assettrack: cannot listen on %s: %s\n", cfg.listen,
		        errno ? strerror(errno) : "libmicrohttpd refused to start");
		goto out;
	}
	if (web_offload_start(OFFLOAD_THREADS) < 0) {
		fprintf(stderr, "assettrack: cannot start the offload threads\n");
		goto out;
	}
	ck = checkpointer_start(cfg.db_path, cfg.checkpoints, cfg.checkpoint_key,
	                        cfg.checkpoint_every, cfg.checkpoint_interval);
	/* An import a crash left half applied is finished in the background
	 * (writers that could change its outcome get 409 until then). */
	iw = import_watch_start(cfg.db_path);
	printf("AssetTrack serving %s with %d threads (Ctrl-C stops).\n"
	       "  Open %s://%s/ in a browser.\n",
	       g_db_shown, cfg.threads, cert ? "https" : "http", cfg.listen);
	fflush(stdout);

	sigwait(&sigs, &sig);
	fprintf(stderr, "assettrack: %s received; finishing requests in flight\n",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	/* Stop accepting, let requests in flight finish, then stop. */
	MHD_quiesce_daemon(d);
	for (int waited = 0; atomic_load(&in_flight) > 0 && waited < SHUTDOWN_GRACE_MS;
	     waited += 10)
		usleep(10000);
	/* Slow requests still running end first: their connections are
	 * suspended, and MHD must resume them before it stops. */
	web_offload_stop();
	MHD_stop_daemon(d);
	d = NULL;
	checkpointer_stop(ck);
	ck = NULL;
	rc = 0;
out:
	web_offload_stop();
	if (d)
		MHD_stop_daemon(d);
	jobs_shutdown();
	import_watch_stop(iw);
	checkpointer_stop(ck);
	close_stores();
	walckpt_stop(wal); /* last: every connection it hears from is closed */
	db_close(st);
	free(cert);
	free(key);
	at_errors_free(&e);
	return rc;
}
