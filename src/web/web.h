/*
 * web.h — the HTTP front end: libmicrohttpd server, request lifecycle,
 * route table and the checks every request passes before its handler.
 *
 * Layering: web/ calls core/ exactly as cli/ does; nothing here decides
 * whether an operation is allowed beyond authentication and role.
 */
#ifndef AT_WEB_WEB_H
#define AT_WEB_WEB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/db.h"
#include "core/read.h"
#include "core/types.h"
#include "util/buf.h"
#include "web/form.h"
#include "util/err.h"

#define WEB_JSON_LIMIT ((size_t)1 << 20)      /* 1 MiB (SPEC §7) */
#define WEB_CSV_LIMIT ((size_t)64 << 20)      /* 64 MiB for CSV import */
#define WEB_MAX_PARAMS 4

struct web_config {
	const char *db_path;
	const char *listen;         /* HOST:PORT, default 127.0.0.1:8080 */
	int threads;                /* worker threads, default 2 x cores, max 64 */
	const char *tls_cert;       /* PEM files; both or neither */
	const char *tls_key;
	size_t json_limit;          /* 0: WEB_JSON_LIMIT */
	int quiet;                  /* no access log */
	/* Signed checkpoints (web/checkpointer.h): every N events (0: off),
	 * or every interval seconds when the log grew; files beside the
	 * database unless named. */
	int64_t checkpoint_every;
	int checkpoint_interval;
	const char *checkpoints;
	const char *checkpoint_key;
};

/* Run the server until SIGINT/SIGTERM; returns a process exit code. */
int web_serve(const struct web_config *cfg);

/* Roles allowed on a route, as a bit mask of 1 << enum user_role. */
#define ROLE_BIT(r) (1u << (r))
#define ANY_ROLE (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AUDITOR))
#define OPERATOR_UP (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_ADMIN))
#define ADMIN_ONLY ROLE_BIT(ROLE_ADMIN)

struct request;

/* A handler answers through web_reply_*; returns nothing: every path must
 * reply exactly once (asserted). */
typedef void (*web_handler)(struct request *rq);

enum route_flags {
	ROUTE_PUBLIC = 1,           /* no authentication (login) */
	ROUTE_JSON_BODY = 2,        /* body must be a JSON object */
	ROUTE_CSV_BODY = 4,         /* body is CSV, 64 MiB limit */
	ROUTE_OWN_TXN = 8,          /* a GET that opens its own transaction */
	ROUTE_HTML = 16,            /* a page: refusals are pages, and nobody
	                             * logged in is sent to /login */
	ROUTE_FORM_BODY = 32,       /* urlencoded form; CSRF token in a field */
	ROUTE_UPLOAD = 64,          /* with ROUTE_FORM_BODY: multipart/form-data,
	                             * spooled to disk (web/upload.h) */
	ROUTE_SLOW = 128,           /* may take seconds: runs on an offload
	                             * thread, not the connection's (offload.h) */
	ROUTE_SCAN = 256,           /* its {} is a scanned tag: core cleans it
	                             * and refuses odd bytes (422) itself, so
	                             * route.c's UTF-8 check leaves it alone */
};

struct route {
	const char *method;
	const char *pattern;        /* "/api/v1/assets/{}/retire" */
	web_handler handler;
	unsigned roles;
	unsigned flags;
};

/* Per-request state: allocated on the first callback, freed when the
 * request completes (libmicrohttpd's simplepost.c pattern). */
struct request {
	void *conn;                 /* struct MHD_Connection * */
	const char *method;
	char path[1024];
	const struct route *route;
	char params[WEB_MAX_PARAMS][256];
	int nparams;
	struct buf body;
	int too_large;
	const char *bad_query;      /* a query parameter's name whose name or
	                             * value is not UTF-8 (server.c finds it in
	                             * its pass over the headers; route.c
	                             * refuses the request) */
	json_t *json;               /* parsed body of ROUTE_JSON_BODY routes */
	struct form form;           /* parsed body of ROUTE_FORM_BODY routes */
	struct web_spool *spool;    /* ROUTE_UPLOAD: the body on disk (web/upload.c) */
	struct store *st;           /* this worker thread's connection */
	int authed;
	int via_cookie;
	int read_txn;               /* a GET inside one read transaction */
	int64_t touch_session;      /* session whose idle timer to refresh */
	struct user user;
	char actor[AT_PERSON_MAX + 1];
	char csrf[80];
	uint64_t t0_us;
	int status;
	size_t bytes;
	int replied;
	const struct web_config *cfg;
	/* ROUTE_SLOW requests (web/offload.c): the queue, and the answer
	 * kept until libmicrohttpd's callback can queue it. */
	struct request *offload_next;
	int deferred, offload_done;
	int kept_status;
	void *kept_answer;          /* struct MHD_Response * */
};

/* ---- replies (web/reply.c) ------------------------------------------ */

/* Send `body` (stolen) as JSON with `status`. */
void web_reply_json(struct request *rq, int status, json_t *body);
/* Send `b`'s text, JSON already (taken; `b` is left empty), with `status`
 * and the same headers. */
void web_reply_json_text(struct request *rq, int status, struct buf *b);
/* Send an error in the SPEC §7 shape with the status for its code. */
void web_reply_error(struct request *rq, const struct at_errors *e);
/* Send a batch refusal: 409 or 422 by its items (web_batch_status). */
void web_reply_batch_error(struct request *rq, const struct at_errors *e);
/* Shorthand: one-off error with code and message. */
void web_reply_fail(struct request *rq, enum at_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Status for a batch refusal: 422 if every item is a field problem, 409 if
 * any conflicts with current state (SPEC §7). */
int web_batch_status(const struct at_errors *e);
/* Send `data` (malloc'd, ownership taken: no copy of a large body). */
void web_reply_owned(struct request *rq, int status, const char *ctype, char *data, size_t len);
/*
 * Send a download (200, Content-Disposition: attachment; filename=...;
 * none when `filename` is NULL: an answer, not a file) streamed in parts, so its size does not bound memory: `fill` appends the
 * next part to its (emptied) buffer and returns 1 while more follow, 0
 * after the last, -1 to cut the answer off (a failure after the first
 * bytes cannot change the status any more).  It runs after the handler
 * has returned, outside the request's snapshot, on the connection's
 * worker thread.  `release` (may be NULL) frees `ctx` when the answer is
 * done or abandoned, or at once if it cannot be started.
 */
typedef int (*web_fill_fn)(void *ctx, struct buf *b);
void web_reply_download(struct request *rq, const char *ctype, const char *filename,
                        web_fill_fn fill, void (*release)(void *ctx), void *ctx);

/* Query argument or NULL. */
const char *web_query(struct request *rq, const char *name);
/* Request header or NULL. */
const char *web_header(struct request *rq, const char *name);

/* Send `b`'s HTML (taken; `b` is left empty) with `status`. */
void web_reply_html(struct request *rq, int status, struct buf *b);
/* 303 See Other to `location` (a path on this server). */
void web_redirect(struct request *rq, const char *location);
/* The same with one extra header (Set-Cookie); `h` may be NULL. */
void web_redirect_hdr(struct request *rq, const char *location, const char *h, const char *v);
/* Send `data` (static, not copied) with `ctype` and extra headers: for
 * embedded files.  `etag` may be NULL. */
void web_reply_static(struct request *rq, const char *ctype, const unsigned char *data,
                      size_t len, const char *etag);
/* JSON reply with one extra header (Set-Cookie, Retry-After); `h` may be
 * NULL. */
void web_reply_json_hdr(struct request *rq, int status, json_t *body, const char *h,
                        const char *v);
/* Cookie value or NULL. */
const char *web_cookie(struct request *rq, const char *name);

/* ---- internals shared by server.c, route.c, auth.c ------------------ */

#define WEB_COOKIE "at_session"

/* This worker thread's database connection (opened on first use). */
struct store *web_thread_store(void);
/* 1 when serving TLS (cookies get Secure). */
extern int web_tls_on;
/* Decode %HH in a path or query value in place; a decoded NUL becomes
 * DEL (0x7f), which every text check refuses, so "AT-1%00junk" cannot
 * pass as "AT-1".  Returns the new length. */
size_t web_url_unescape(char *s);
/* The route for rq->method and rq->path (its {} segments into
 * rq->params), or NULL; *method_mismatch when the path has routes for
 * other methods only. */
const struct route *web_route_find(struct request *rq, int *method_mismatch);
/* Route, check and run one request whose body has arrived. */
void web_dispatch(struct request *rq);

/*
 * Holding requests off while the database is swapped (web/hold.c).  Every
 * request runs holding the shared side (web_dispatch), and so do
 * background jobs and checkpoints that use the database; web_exclusive(),
 * called from a handler, runs fn(ctx) once nothing else holds it, and
 * nothing new starts until fn returns.
 */
void web_hold_shared(void);
void web_hold_release(void);
void web_exclusive(void (*fn)(void *ctx), void *ctx);
/* Authenticate from a Bearer token or the session cookie. */
enum at_code web_authenticate(struct request *rq);
/* Constant-time comparison of two NUL-terminated secrets. */
int web_secret_eq(const char *a, const char *b);

/*
 * Check a password under the login throttle and start a session.
 * AT_OK: `token` and `csrf` (AT_SECRET_HEX + 1) hold the new session's
 * secrets and `cookie` (256) its Set-Cookie value.  AT_UNAUTHORIZED: wrong
 * username or password, or `*retry_after` > 0 seconds when throttled.
 * Other codes: storage failure, in `e`.
 */
enum at_code web_login(struct request *rq, const char *name, const char *pass, struct user *u,
                       char *csrf, char *cookie, long *retry_after, struct at_errors *e);
/* End the request's session (if any); `cookie` (256) gets the clearing
 * Set-Cookie value. */
void web_logout(struct request *rq, char *cookie);

/* JSON session routes (auth.c). */
void api_login(struct request *rq);
void api_logout(struct request *rq);
void api_me(struct request *rq);

#endif
