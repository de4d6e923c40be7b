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

#include "store/store.h"
#include "util/buf.h"
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
	json_t *json;               /* parsed body of ROUTE_JSON_BODY routes */
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
};

/* ---- replies (web/reply.c) ------------------------------------------ */

/* Send `body` (stolen) as JSON with `status`. */
void web_reply_json(struct request *rq, int status, json_t *body);
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

/* Query argument or NULL. */
const char *web_query(struct request *rq, const char *name);
/* Request header or NULL. */
const char *web_header(struct request *rq, const char *name);

/* ---- API (web/api.c) ------------------------------------------------ */

extern const struct route api_routes[];
extern const size_t api_nroutes;

#endif
