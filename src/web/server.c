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

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/encode.h"
#include "core/session.h"
#include "core/user.h"
#include "util/text.h"

#define MAX_THREADS 64
#define SHUTDOWN_GRACE_MS 10000
#define COOKIE_NAME "at_session"
/* Per-connection buffer for request line, headers and body chunks.  MHD
 * zeroes it on every request, so its 32 KiB default cost a fifth of a
 * lookup's instructions (callgrind); 8 KiB still holds any sane header
 * block, and bodies arrive in pieces anyway. */
#define CONN_MEMORY (8 * 1024)
/* Oversized bodies up to this are read and discarded before the 413. */
#define DRAIN_MAX ((uint64_t)256 << 20)

/* ==== per-thread database connections ================================= */

static const char *g_db_path;
static _Thread_local struct store *tl_store;
static pthread_mutex_t stores_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_THREADS + 8];
static int nstores;
static atomic_int in_flight;

/* This worker's connection, opened on first use.  NULL if it cannot be. */
static struct store *thread_store(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;

	if (tl_store)
		return tl_store;
	if (store_open(g_db_path, 0, &st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: worker cannot open %s: %s\n", g_db_path, e.message);
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
		store_close(st);
	return tl_store;
}

static void close_stores(void)
{
	pthread_mutex_lock(&stores_mu);
	for (int i = 0; i < nstores; i++)
		store_close(stores[i]);
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

const char *web_query(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static const char *cookie(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

/* ==== replies ========================================================= */

static void add_common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
}

void web_reply_owned(struct request *rq, int status, const char *ctype, char *data, size_t len)
{
	struct MHD_Response *r;

	assert(!rq->replied);
	rq->replied = 1;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	add_common_headers(r);
	MHD_queue_response(rq->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	rq->status = status;
	rq->bytes = len;
}

/* JSON reply with optional extra header (Set-Cookie, Retry-After). */
/* Most answers (a scanned asset: ~700 bytes) are serialised into this
 * per-thread buffer and copied once into the response; json_dumps would
 * grow a string through a dozen reallocations and then duplicate it. */
static _Thread_local char tl_json[32768];

static void reply_json_hdr(struct request *rq, int status, json_t *body, const char *h,
                           const char *v)
{
	size_t len = body ? json_dumpb(body, tl_json, sizeof(tl_json), JSON_COMPACT) : 0;
	enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_MUST_COPY;
	char *text = tl_json;
	struct MHD_Response *r;

	if (len == 0 || len > sizeof(tl_json)) {
		/* Too big for the buffer (long lists), or failed: the slow way. */
		text = body ? json_dumps(body, JSON_COMPACT) : NULL;
		mode = MHD_RESPMEM_MUST_FREE;
		if (!text) {
			text = strdup("{\"error\":{\"code\":\"INTERNAL\",\"message\":"
			              "\"out of memory\",\"items\":[]}}");
			status = 500;
		}
		len = text ? strlen(text) : 0;
	}
	json_decref(body);
	assert(!rq->replied);
	rq->replied = 1;
	if (!text)
		return;
	r = MHD_create_response_from_buffer(len, text, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(text);
		return;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	add_common_headers(r);
	if (h)
		MHD_add_response_header(r, h, v);
	MHD_queue_response(rq->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	rq->status = status;
	rq->bytes = len;
}

void web_reply_json(struct request *rq, int status, json_t *body)
{
	reply_json_hdr(rq, status, body, NULL, NULL);
}

int web_batch_status(const struct at_errors *e)
{
	for (size_t i = 0; i < e->nitems; i++)
		if (at_code_http(e->items[i].code) != 422)
			return 409;
	return 422;
}

void web_reply_error(struct request *rq, const struct at_errors *e)
{
	web_reply_json(rq, at_code_http(e->code), errors_to_json(e));
}

void web_reply_batch_error(struct request *rq, const struct at_errors *e)
{
	int status = at_code_http(e->code);

	/* Batch refusals are 409 or 422 (SPEC §7); 413 and 5xx stay. */
	if (e->nitems && status != 413 && status < 500)
		status = web_batch_status(e);
	web_reply_json(rq, status, errors_to_json(e));
}

void web_reply_fail(struct request *rq, enum at_code code, const char *fmt, ...)
{
	struct at_errors e = AT_ERRORS_INIT;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	web_reply_json(rq, at_code_http(code), errors_to_json(&e));
}

/* ==== login throttling ================================================ */

/*
 * Failed logins per username: after 3 failures, each further attempt must
 * wait 2^(n-3) seconds (capped at 5 minutes) or gets 429.  In memory: a
 * restart forgives, which is acceptable for a LAN service.
 */
#define THROTTLE_SLOTS 256

static struct {
	char name[65];
	int failures;
	time_t next_ok;
} throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned name_slot(const char *name)
{
	unsigned h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % THROTTLE_SLOTS;
}

/* Seconds to wait before `name` may try again (0: now). */
static long throttle_wait(const char *name)
{
	unsigned i = name_slot(name);
	time_t now = time(NULL);
	long w = 0;

	pthread_mutex_lock(&throttle_mu);
	if (strcmp(throttle[i].name, name) == 0 && throttle[i].next_ok > now)
		w = (long)(throttle[i].next_ok - now);
	pthread_mutex_unlock(&throttle_mu);
	return w;
}

static void throttle_note(const char *name, int ok)
{
	unsigned i = name_slot(name);

	pthread_mutex_lock(&throttle_mu);
	if (strcmp(throttle[i].name, name) != 0) {
		snprintf(throttle[i].name, sizeof(throttle[i].name), "%s", name);
		throttle[i].failures = 0;
		throttle[i].next_ok = 0;
	}
	if (ok) {
		throttle[i].failures = 0;
		throttle[i].next_ok = 0;
	} else if (++throttle[i].failures >= 3) {
		int n = throttle[i].failures - 3;
		long delay = n >= 8 ? 300 : (1L << n);
		throttle[i].next_ok = time(NULL) + (delay > 300 ? 300 : delay);
	}
	pthread_mutex_unlock(&throttle_mu);
}

/* ==== session routes (public) ========================================= */

static int tls_on;

static void handle_login(struct request *rq)
{
	json_t *u = json_object_get(rq->json, "username"), *p = json_object_get(rq->json, "password");
	char token[AT_SECRET_HEX + 1], csrf[AT_SECRET_HEX + 1], cookie_v[256];
	struct at_errors e = AT_ERRORS_INIT;
	const char *name, *pass;
	struct user user;
	enum at_code c;
	long wait;

	if (!json_is_string(u) || !json_is_string(p) || json_object_size(rq->json) != 2) {
		web_reply_fail(rq, AT_INVALID, "login takes {\"username\": text, \"password\": text}");
		return;
	}
	name = json_string_value(u);
	pass = json_string_value(p);
	wait = throttle_wait(name);
	if (wait > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%ld", wait);
		e.code = AT_UNAUTHORIZED;
		snprintf(e.message, sizeof(e.message),
		         "too many failed logins for %s; try again in %ld seconds", name, wait);
		reply_json_hdr(rq, 429, errors_to_json(&e), "Retry-After", secs);
		return;
	}
	c = user_check_password(rq->st, name, pass, &user);
	throttle_note(name, c == AT_OK);
	if (c == AT_UNAUTHORIZED) {
		web_reply_fail(rq, AT_UNAUTHORIZED, "wrong username or password");
		return;
	}
	if (c != AT_OK || session_create(rq->st, &user, token, csrf, &e) != AT_OK) {
		if (e.code == AT_OK)
			at_fail(&e, AT_STORAGE, "cannot start a session: %s", store_errmsg(rq->st));
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	snprintf(cookie_v, sizeof(cookie_v), COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s",
	         token, tls_on ? "; Secure" : "");
	reply_json_hdr(rq, 200,
	               json_pack("{s:{s:s, s:s}, s:s}", "user", "username", user.username, "role",
	                         user_role_name(user.role), "csrf_token", csrf),
	               "Set-Cookie", cookie_v);
	sodium_memzero(token, sizeof(token));
}

static void handle_logout(struct request *rq)
{
	const char *tok = cookie(rq, COOKIE_NAME);

	if (tok)
		session_end(rq->st, tok);
	reply_json_hdr(rq, 200, json_pack("{s:b}", "ok", 1), "Set-Cookie",
	               COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void handle_me(struct request *rq)
{
	web_reply_json(rq, 200,
	               json_pack("{s:s, s:s, s:s?}", "username", rq->user.username, "role",
	                         user_role_name(rq->user.role), "csrf_token",
	                         rq->via_cookie ? rq->csrf : NULL));
}

static const struct route session_routes[] = {
	{ "POST", "/api/v1/login", handle_login, ANY_ROLE, ROUTE_PUBLIC | ROUTE_JSON_BODY },
	{ "POST", "/api/v1/logout", handle_logout, ANY_ROLE, ROUTE_PUBLIC },
	{ "GET", "/api/v1/me", handle_me, ANY_ROLE, 0 },
};

/* ==== routing ========================================================= */

/* Match `path` against `pattern`, capturing {} segments. */
static int match(const char *pattern, const char *path, struct request *rq)
{
	int n = 0;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || len >= sizeof(rq->params[0]) || n >= WEB_MAX_PARAMS)
				return 0;
			memcpy(rq->params[n], path, len);
			rq->params[n][len] = '\0';
			n++;
			pattern += 2;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern || *path)
		return 0;
	rq->nparams = n;
	return 1;
}

/* Find the route; *method_mismatch set if the path exists for another
 * method. */
static const struct route *find_route(struct request *rq, int *method_mismatch)
{
	const struct route *tables[] = { session_routes, api_routes };
	size_t sizes[] = { sizeof(session_routes) / sizeof(session_routes[0]), api_nroutes };
	const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;

	*method_mismatch = 0;
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizes[t]; i++) {
			const struct route *r = &tables[t][i];
			if (!match(r->pattern, rq->path, rq))
				continue;
			if (strcmp(r->method, method) == 0)
				return r;
			*method_mismatch = 1;
		}
	}
	return NULL;
}

/* Constant-time comparison of two NUL-terminated secrets. */
static int secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la == lb && sodium_memcmp(a, b, la) == 0;
}

/*
 * Per-thread cache of API tokens this thread has checked, for the scanner
 * lookups that make up most requests.  An entry is good only while the
 * database is unchanged since it was checked (PRAGMA data_version, read
 * inside the request's snapshot): any commit anywhere — a revoked token,
 * a deactivated user — empties the cache before the next cached answer.
 * Writes never use it.
 */
#define TOKEN_CACHE 16

static _Thread_local struct {
	char token[AT_TOKEN_LEN + 1];
	struct user user;
} tl_tokens[TOKEN_CACHE];
static _Thread_local int tl_ntokens, tl_next;
static _Thread_local int64_t tl_version = -1;

static enum at_code token_user(struct request *rq, const char *tok)
{
	enum at_code c;
	int64_t v;

	if (!rq->read_txn) {
		tl_ntokens = 0; /* this thread may be about to change users */
		return user_by_token(rq->st, tok, &rq->user);
	}
	v = store_data_version(rq->st);
	if (v < 0 || v != tl_version) {
		tl_ntokens = 0;
		tl_version = v;
	}
	for (int i = 0; i < tl_ntokens; i++) {
		if (sodium_memcmp(tl_tokens[i].token, tok, AT_TOKEN_LEN) == 0) {
			rq->user = tl_tokens[i].user;
			return AT_OK;
		}
	}
	c = user_by_token(rq->st, tok, &rq->user);
	if (c == AT_OK && v >= 0) {
		int i = tl_ntokens < TOKEN_CACHE ? tl_ntokens++ : (tl_next++ % TOKEN_CACHE);
		memcpy(tl_tokens[i].token, tok, AT_TOKEN_LEN + 1);
		tl_tokens[i].user = rq->user;
	}
	return c;
}

/* Authenticate from a Bearer token or the session cookie. */
static enum at_code authenticate(struct request *rq)
{
	const char *auth = web_header(rq, "Authorization");
	const char *tok;

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return AT_UNAUTHORIZED;
		tok = auth + 7;
		while (*tok == ' ')
			tok++;
		if (strlen(tok) != AT_TOKEN_LEN)
			return AT_UNAUTHORIZED;
		return token_user(rq, tok);
	}
	tok = cookie(rq, COOKIE_NAME);
	if (!tok)
		return AT_UNAUTHORIZED;
	rq->via_cookie = 1;
	return session_lookup(rq->st, tok, &rq->user, rq->csrf, &rq->touch_session);
}

static void dispatch_checked(struct request *rq, int *read_txn_out)
{
	const struct route *r;
	json_error_t jerr;
	int mismatch, read_txn;
	enum at_code c;

	r = find_route(rq, &mismatch);
	if (!r && mismatch) {
		char msg[AT_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s is not allowed on %s", rq->method, rq->path);
		web_reply_json(rq, 405,
		               json_pack("{s:{s:s, s:s, s:[]}}", "error", "code",
		                         "METHOD_NOT_ALLOWED", "message", msg, "items"));
		return;
	}
	if (!r) {
		web_reply_fail(rq, AT_NOT_FOUND, "no such endpoint: %s", rq->path);
		return;
	}
	rq->route = r;
	rq->st = thread_store();
	if (!rq->st) {
		web_reply_fail(rq, AT_STORAGE, "the database cannot be opened");
		return;
	}
	/* A read answers from one snapshot: authentication and the handler's
	 * queries share one read transaction, so SQLite takes its WAL read
	 * lock once per request instead of once per statement. */
	read_txn = strcmp(r->method, "GET") == 0 && !(r->flags & ROUTE_OWN_TXN) &&
	           store_begin_read(rq->st, NULL) == AT_OK;
	*read_txn_out = read_txn;
	rq->read_txn = read_txn;
	if (!(r->flags & ROUTE_PUBLIC)) {
		c = authenticate(rq);
		if (c == AT_STORAGE || c == AT_BUSY) {
			web_reply_fail(rq, c, "cannot check credentials: %s", store_errmsg(rq->st));
			return;
		}
		if (c != AT_OK) {
			web_reply_fail(rq, AT_UNAUTHORIZED,
			               "log in, or send Authorization: Bearer <token>");
			return;
		}
		rq->authed = 1;
		snprintf(rq->actor, sizeof(rq->actor), "%s", rq->user.username);
		if (!(r->roles & ROLE_BIT(rq->user.role))) {
			web_reply_fail(rq, AT_FORBIDDEN, "%s (%s) may not %s %s", rq->user.username,
			               user_role_name(rq->user.role), rq->method, rq->path);
			return;
		}
		/* Cookies ride along on cross-site requests; a write must also
		 * prove it came from our page by echoing the session's token. */
		if (rq->via_cookie && strcmp(rq->method, "GET") != 0 &&
		    strcmp(rq->method, "HEAD") != 0) {
			const char *t = web_header(rq, "X-CSRF-Token");
			if (!t || !secret_eq(t, rq->csrf)) {
				web_reply_fail(rq, AT_FORBIDDEN,
				               "missing or wrong X-CSRF-Token for a cookie session");
				return;
			}
		}
	}
	if (rq->too_large) {
		web_reply_fail(rq, AT_TOO_LARGE, "request body is larger than %zu bytes",
		               (r->flags & ROUTE_CSV_BODY) ? WEB_CSV_LIMIT : rq->cfg->json_limit);
		return;
	}
	if (!(r->flags & ROUTE_CSV_BODY) && rq->body.len > rq->cfg->json_limit) {
		web_reply_fail(rq, AT_TOO_LARGE, "request body is larger than %zu bytes",
		               rq->cfg->json_limit);
		return;
	}
	if (r->flags & ROUTE_JSON_BODY) {
		rq->json = json_loadb(rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!rq->json) {
			web_reply_fail(rq, AT_MALFORMED, "malformed JSON at line %d column %d: %s",
			               jerr.line, jerr.column, jerr.text);
			return;
		}
		if (!json_is_object(rq->json)) {
			web_reply_fail(rq, AT_MALFORMED, "the request body must be a JSON object");
			return;
		}
	}
	r->handler(rq);
}

/* Run the checks and the handler; end the request's read transaction. */
static void dispatch(struct request *rq)
{
	int read_txn = 0;

	dispatch_checked(rq, &read_txn);
	if (read_txn)
		store_rollback(rq->st);
	/* After the snapshot ends: a write inside it would be rolled back. */
	if (rq->touch_session)
		session_touch(rq->st, rq->touch_session);
	if (!rq->replied)
		web_reply_fail(rq, AT_INTERNAL, "handler gave no answer");
}

/* ==== libmicrohttpd callbacks ========================================= */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode %HH in paths and query values.  A decoded NUL would silently cut
 * the string short ("AT-1%00junk" would find AT-1), so it becomes DEL,
 * which every text check refuses as unprintable.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s;
	const char *r = s;

	(void)cls;
	(void)c;
	while (*r) {
		int hi, lo;
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
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
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		rq->conn = conn;
		rq->method = method;
		rq->cfg = cfg;
		rq->t0_us = now_us();
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		/* Import bodies may be larger; every other body is JSON. */
		buf_init(&rq->body, strstr(url, "/import/") ? WEB_CSV_LIMIT : cfg->json_limit);
		atomic_fetch_add(&in_flight, 1);
		*con_cls = rq;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			int64_t n;
			if (text_parse_int(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > rq->body.cap) {
				rq->too_large = 1;
				/* Answering before the client has sent its body makes MHD
				 * close the connection under it (clients see a reset, not
				 * the 413); so a modest excess is read and dropped, and
				 * only an absurd one is refused at once. */
				if ((uint64_t)n > DRAIN_MAX) {
					web_reply_fail(rq, AT_TOO_LARGE,
					               "request body of %lld bytes is over the %zu byte "
					               "limit", (long long)n, rq->body.cap);
					return MHD_YES;
				}
			}
		}
		return MHD_YES;
	}
	if (rq->replied) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!rq->too_large && buf_add(&rq->body, upload_data, *upload_data_size) < 0)
			rq->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	dispatch(rq);
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
	json_decref(rq->json);
	buf_free(&rq->body);
	free(rq);
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
	int rc = 0;

	if (store_user_count(st) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(pw) - 1; i++)
		pw[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	pw[sizeof(pw) - 1] = '\0';
	if (user_add(st, "system", "admin", ROLE_ADMIN, pw, NULL, &e) != AT_OK) {
		fprintf(stderr, "assettrack: cannot create the first admin: %s\n", e.message);
		rc = -1;
	} else {
		printf("\n  First start: created the admin account.\n"
		       "    username: admin\n    password: %s\n"
		       "  This password is shown once.  Log in with\n"
		       "    curl -c cookies -d '{\"username\":\"admin\",\"password\":\"%s\"}' "
		       "%s://%s/api/v1/login\n"
		       "  or make an API token: assettrack --db %s user token admin\n\n",
		       pw, pw, cfg->tls_cert ? "https" : "http", cfg->listen, cfg->db_path);
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
	char *cert = NULL, *key = NULL;
	unsigned flags;
	sigset_t sigs;
	int ipv6 = 0, sig = 0, rc = 3;

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
	/* Large answers (a 13 MB custody report) are built in one growing
	 * buffer.  glibc would otherwise raise its mmap threshold after the
	 * first such free and serve the next from a thread arena, where
	 * growth copies and the memory stays with the arena; a fixed
	 * threshold keeps big blocks in mmap (grown by mremap, returned on
	 * free), which keeps the server's peak near its working set. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);

	/* Create or migrate the schema once, before any worker opens it. */
	if (store_open(cfg.db_path, STORE_CREATE, &st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: %s\n", e.message);
		goto out;
	}
	if (first_admin(st, &cfg) < 0)
		goto out;
	store_close(st);
	st = NULL;

	/* TURBO: fewer syscalls per request (no shutdown() before close, accept4). */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
	        MHD_USE_ERROR_LOG;
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
		tls_on = 1;
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
	printf("AssetTrack serving %s on %s://%s/ with %d threads (Ctrl-C stops)\n",
	       cfg.db_path, cert ? "https" : "http", cfg.listen, cfg.threads);
	fflush(stdout);

	sigwait(&sigs, &sig);
	fprintf(stderr, "assettrack: %s received; finishing requests in flight\n",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	/* Stop accepting, let requests in flight finish, then stop. */
	MHD_quiesce_daemon(d);
	for (int waited = 0; atomic_load(&in_flight) > 0 && waited < SHUTDOWN_GRACE_MS;
	     waited += 10)
		usleep(10000);
	MHD_stop_daemon(d);
	d = NULL;
	rc = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	close_stores();
	store_close(st);
	free(cert);
	free(key);
	at_errors_free(&e);
	return rc;
}
