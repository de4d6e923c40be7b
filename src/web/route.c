/*
 * route.c — the one route table and the checks every request passes
 * before its handler runs (Redis's processCommand): route, authentication,
 * role, CSRF, body size and body well-formedness, in that order, in one
 * function.
 */
#include <assert.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/encode.h"
#include "core/jsonw.h"
#include "core/session.h"
#include "core/user.h"
#include "util/text.h"
#include "web/web.h"
#include "web/api.h"
#include "web/api_meta.h"
#include "web/page.h"
#include "web/upload.h"

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

/* ==== the route table ================================================= */

#define PAGE ROUTE_HTML
#define PAGE_POST (ROUTE_HTML | ROUTE_FORM_BODY)
/* A form with a file: multipart, spooled to disk (web/upload.h). */
#define PAGE_UPLOAD (ROUTE_HTML | ROUTE_FORM_BODY | ROUTE_UPLOAD)

static const struct route routes[] = {
	/* JSON API v1 (SPEC §7) */
	{ "POST", "/api/v1/login", api_login, ANY_ROLE, ROUTE_PUBLIC | ROUTE_JSON_BODY },
	{ "POST", "/api/v1/logout", api_logout, ANY_ROLE, ROUTE_PUBLIC },
	{ "GET", "/api/v1/me", api_me, ANY_ROLE, 0 },
	{ "GET", "/api/v1/openapi.json", api_openapi, ANY_ROLE, ROUTE_PUBLIC | ROUTE_OWN_TXN },
	{ "GET", "/api/v1/assets", list_assets, ANY_ROLE, 0 },
	{ "POST", "/api/v1/assets", create_asset, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assets/{}", get_asset, ANY_ROLE, ROUTE_SCAN },
	{ "PATCH", "/api/v1/assets/{}", update_asset, ADMIN_ONLY, ROUTE_JSON_BODY | ROUTE_SCAN },
	{ "POST", "/api/v1/assets/{}/retire", retire_asset, ADMIN_ONLY, ROUTE_JSON_BODY | ROUTE_SCAN },
	{ "POST", "/api/v1/assets/{}/replace", replace_asset, ADMIN_ONLY, ROUTE_JSON_BODY | ROUTE_SCAN },
	{ "GET", "/api/v1/assets/{}/events", asset_events, ANY_ROLE, ROUTE_SCAN },
	{ "GET", "/api/v1/cases", list_cases, ANY_ROLE, 0 },
	{ "POST", "/api/v1/cases", create_case, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/cases/{}", get_case, ANY_ROLE, 0 },
	{ "PATCH", "/api/v1/cases/{}", update_case, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/assign", slot_assign_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/move", slot_move_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/force-vacate", slot_vacate_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/custody/stock-out", stock_out, OPERATOR_UP, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/custody/stock-in", stock_in, OPERATOR_UP, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/holders", list_holders, ANY_ROLE, 0 },
	{ "POST", "/api/v1/holders", create_holder, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/holders/{}", get_holder, ANY_ROLE, 0 },
	{ "PATCH", "/api/v1/holders/{}", update_holder, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/events", list_events, ANY_ROLE, 0 },
	{ "GET", "/api/v1/reports/custody", report_custody_h, ANY_ROLE, ROUTE_SLOW },
	{ "GET", "/api/v1/reports/unslotted", report_unslotted_h, ANY_ROLE, ROUTE_SLOW },
	{ "GET", "/api/v1/reports/occupancy", report_occupancy_h, ANY_ROLE, ROUTE_SLOW },
	{ "GET", "/api/v1/reports/holders/{}", report_holder_h, ANY_ROLE, ROUTE_SLOW },
	{ "GET", "/api/v1/reports/retired", report_retired_h, ANY_ROLE, ROUTE_SLOW },
	{ "GET", "/api/v1/verify", verify_h, ANY_ROLE, ROUTE_OWN_TXN | ROUTE_SLOW },
	{ "POST", "/api/v1/import/assets", import_h, ADMIN_ONLY, ROUTE_CSV_BODY | ROUTE_SLOW },
	{ "POST", "/api/v1/audits", create_audit, OPERATOR_UP, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/audits", list_audits, ANY_ROLE, 0 },
	{ "GET", "/api/v1/audits/{}", get_audit, ANY_ROLE, 0 },
	{ "POST", "/api/v1/audits/{}/apply", apply_audit, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/batches/{}", get_batch, ANY_ROLE, 0 },

	/* Web UI (SPEC §8.1) */
	{ "GET", "/static/{}", page_static, ANY_ROLE, ROUTE_PUBLIC | PAGE },
	{ "GET", "/favicon.ico", page_favicon, ANY_ROLE, ROUTE_PUBLIC | PAGE },
	{ "GET", "/login", page_login_get, ANY_ROLE, ROUTE_PUBLIC | PAGE },
	{ "POST", "/login", page_login_post, ANY_ROLE, ROUTE_PUBLIC | PAGE_POST },
	{ "POST", "/logout", page_logout_post, ANY_ROLE, ROUTE_PUBLIC | PAGE_POST },
	{ "GET", "/", page_dashboard, ANY_ROLE, PAGE },
	{ "GET", "/stock-out", page_stock_out_get, OPERATOR_UP, PAGE },
	{ "POST", "/stock-out", page_stock_out_post, OPERATOR_UP, PAGE_POST },
	{ "GET", "/stock-in", page_stock_in_get, OPERATOR_UP, PAGE },
	{ "POST", "/stock-in", page_stock_in_post, OPERATOR_UP, PAGE_POST },
	{ "GET", "/assets", page_assets, ANY_ROLE, PAGE },
	{ "GET", "/assets/{}", page_asset, ANY_ROLE, PAGE | ROUTE_SCAN },
	{ "POST", "/assets/{}", page_asset_post, ADMIN_ONLY, PAGE_POST | ROUTE_SCAN },
	{ "GET", "/admin/assets/new", page_asset_new_get, ADMIN_ONLY, PAGE },
	{ "POST", "/admin/assets/new", page_asset_new_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/cases", page_cases, ANY_ROLE, PAGE },
	{ "POST", "/cases", page_case_new_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/cases/{}", page_case, ANY_ROLE, PAGE },
	{ "GET", "/holders", page_holders, ANY_ROLE, PAGE },
	{ "POST", "/holders", page_holders_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/holders/{}", page_holder, ANY_ROLE, PAGE },
	{ "POST", "/holders/{}", page_holder_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/corrections", page_corrections_get, ADMIN_ONLY, PAGE },
	{ "POST", "/corrections", page_corrections_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/replace", page_replace_get, ADMIN_ONLY, PAGE },
	{ "POST", "/replace", page_replace_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/reports", page_reports, ANY_ROLE, PAGE },
	{ "GET", "/reports/custody", page_report_custody, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/reports/unslotted", page_report_unslotted, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/reports/occupancy", page_report_occupancy, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/reports/retired", page_report_retired, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/reports/holders", page_report_holders, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/reports/holders/{}", page_report_holder, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "GET", "/events", page_events, ANY_ROLE, PAGE },
	{ "GET", "/audit", page_audit_get, OPERATOR_UP, PAGE },
	{ "POST", "/audit", page_audit_post, OPERATOR_UP, PAGE_POST },
	{ "POST", "/audit/apply", page_audit_apply_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/labels", page_labels_get, ANY_ROLE, PAGE },
	{ "POST", "/labels", page_labels_post, ANY_ROLE, PAGE_POST | ROUTE_SLOW },
	{ "GET", "/labels/{}", page_labels_file, ANY_ROLE, PAGE | ROUTE_SLOW },
	{ "POST", "/labels/{}", page_labels_file, ANY_ROLE, PAGE_POST | ROUTE_SLOW },
	{ "GET", "/receipts/{}", page_receipt, ANY_ROLE, PAGE },
	{ "GET", "/import", page_import_get, ADMIN_ONLY, PAGE },
	{ "POST", "/import", page_import_post, ADMIN_ONLY, PAGE_UPLOAD | ROUTE_CSV_BODY },
	{ "GET", "/import/{}", page_import_job, ADMIN_ONLY, PAGE },
	{ "POST", "/import/{}", page_import_job_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/admin/backup", page_backup_get, ADMIN_ONLY, PAGE },
	{ "POST", "/admin/backup/download", page_backup_download, ADMIN_ONLY,
	  PAGE_POST | ROUTE_SLOW },
	{ "POST", "/admin/backup/restore", page_backup_restore_post, ADMIN_ONLY, PAGE_UPLOAD },
	{ "GET", "/admin/backup/restore/{}", page_backup_restore_job, ADMIN_ONLY, PAGE },
	{ "POST", "/admin/backup/restore/{}", page_backup_restore_job_post, ADMIN_ONLY, PAGE_POST },
	{ "GET", "/admin/users", page_users, ADMIN_ONLY, PAGE },
	{ "POST", "/admin/users", page_users_post, ADMIN_ONLY, PAGE_POST },
};

/* ==== finding a route ================================================= */

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/*
 * Routes by key: a path's first segment, or for the API the segment
 * after "/api/v1/" ("/api/v1/assets", "/cases", "/").  Every pattern's
 * key is literal (checked when the index is built), so a path can match
 * only the routes of its own key: those are tried, in table order,
 * rather than all of them (1,200 instructions a lookup, bench/README.md).
 */
struct route_group {
	const char *key;             /* in the first route's pattern */
	size_t len;
	unsigned first, n;           /* its routes: order[first .. first+n) */
};

static unsigned route_order[NROUTES];
static struct route_group route_groups[NROUTES];
static size_t route_ngroups;
static pthread_once_t route_once = PTHREAD_ONCE_INIT;

static size_t route_key_len(const char *p)
{
	size_t n = strncmp(p, "/api/v1/", 8) == 0 ? 8 : *p == '/';

	while (p[n] && p[n] != '/')
		n++;
	return n;
}

/* The group whose key is the `len` bytes at `key`: its index, or
 * route_ngroups when there is none. */
static size_t route_group_of(const char *key, size_t len)
{
	size_t g;

	for (g = 0; g < route_ngroups; g++)
		if (route_groups[g].len == len && memcmp(route_groups[g].key, key, len) == 0)
			break;
	return g;
}

static void route_index(void)
{
	unsigned at = 0;

	for (size_t i = 0; i < NROUTES; i++) {
		const char *key = routes[i].pattern;
		size_t len = route_key_len(key), g = route_group_of(key, len);
		assert(!memchr(key, '{', len)); /* a key must be literal */
		if (g == route_ngroups)
			route_groups[route_ngroups++] = (struct route_group){ key, len, 0, 0 };
		route_groups[g].n++;
	}
	for (size_t g = 0; g < route_ngroups; g++) {
		route_groups[g].first = at;
		at += route_groups[g].n;
		route_groups[g].n = 0;
	}
	for (size_t i = 0; i < NROUTES; i++) {
		const char *key = routes[i].pattern;
		size_t g = route_group_of(key, route_key_len(key));
		route_order[route_groups[g].first + route_groups[g].n++] = (unsigned)i;
	}
}

/* Find the route; *method_mismatch set if the path exists for another
 * method. */
const struct route *web_route_find(struct request *rq, int *method_mismatch)
{
	const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;
	size_t len = route_key_len(rq->path);
	const struct route_group *grp;
	size_t g;

	*method_mismatch = 0;
	pthread_once(&route_once, route_index);
	g = route_group_of(rq->path, len);
	grp = g < route_ngroups ? &route_groups[g] : NULL;
	for (unsigned i = 0; grp && i < grp->n; i++) {
		const struct route *r = &routes[route_order[grp->first + i]];
		/* The key is the same literal in both: matched from after it. */
		if (!match(r->pattern + len, rq->path + len, rq))
			continue;
		if (strcmp(r->method, method) == 0)
			return r;
		*method_mismatch = 1;
	}
	return NULL;
}

/* Paths outside /api/ are the browser's: their refusals are pages. */
static int wants_html(const struct request *rq)
{
	return strncmp(rq->path, "/api/", 5) != 0;
}

/* Refuse a request: a page for the browser's paths, JSON for the API's. */
static void refuse(struct request *rq, enum at_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void refuse(struct request *rq, enum at_code code, const char *fmt, ...)
{
	char msg[AT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (wants_html(rq)) {
		static const char *const titles[] = {
			[AT_MALFORMED] = "Bad request", [AT_NOT_FOUND] = "Page not found",
			[AT_FORBIDDEN] = "Not allowed", [AT_TOO_LARGE] = "Too large",
			[AT_STORAGE] = "Database error", [AT_BUSY] = "Busy",
			[AT_INTERNAL] = "Internal error",
		};
		const char *t = (size_t)code < sizeof(titles) / sizeof(titles[0]) && titles[code]
		                        ? titles[code] : "Refused";
		page_error(rq, at_code_http(code), t, "%s", msg);
	} else {
		web_reply_fail(rq, code, "%s", msg);
	}
}

/* The CSRF token a write carries: the form field on form routes, the
 * X-CSRF-Token header on JSON ones. */
static int csrf_ok(struct request *rq)
{
	const char *t = (rq->route->flags & ROUTE_FORM_BODY) ? form_get(&rq->form, "csrf_token")
	                                                       : web_header(rq, "X-CSRF-Token");

	return t && rq->csrf[0] && web_secret_eq(t, rq->csrf);
}

/*
 * Every stored text is UTF-8 (core refuses anything else, and PostgreSQL
 * could hold nothing else), so a path segment that is not names nothing:
 * 404, as the lookup itself would answer on SQLite, without asking the
 * database (PostgreSQL refuses such a parameter outright).  A scanned
 * tag (ROUTE_SCAN) is core's to refuse, naming the odd byte.  A query
 * parameter that is not (server.c noted it: rq->bad_query) is a
 * malformed request: 400.  0 when the request was refused.
 */
static int request_utf8(struct request *rq)
{
	for (int i = 0; i < rq->nparams && !(rq->route->flags & ROUTE_SCAN); i++)
		if (!jsonw_utf8_valid(rq->params[i])) {
			refuse(rq, AT_NOT_FOUND, "nothing is named by a path that is not valid UTF-8");
			return 0;
		}
	if (rq->bad_query) {
		char name[64];
		text_utf8_repair(rq->bad_query, name, sizeof(name));
		refuse(rq, AT_MALFORMED, "query parameter %s is not valid UTF-8", name);
		return 0;
	}
	return 1;
}

static void dispatch_checked(struct request *rq, int *read_txn_out)
{
	const struct route *r;
	json_error_t jerr;
	int mismatch = 0, read_txn, writing;
	char why[AT_MSG_MAX];
	enum at_code c;

	/* Found already by the access callback (server.c, is_slow) unless
	 * there was no route to find. */
	r = rq->route ? rq->route : web_route_find(rq, &mismatch);
	if (!r && mismatch) {
		char msg[AT_MSG_MAX], path[512];
		/* The path may be any bytes; the answer must be UTF-8. */
		text_utf8_repair(rq->path, path, sizeof(path));
		snprintf(msg, sizeof(msg), "%s is not allowed on %s", rq->method, path);
		if (wants_html(rq)) {
			page_error(rq, 405, "Not allowed", "%s", msg);
			return;
		}
		web_reply_json(rq, 405,
		               json_pack("{s:{s:s, s:s, s:[]}}", "error", "code",
		                         "METHOD_NOT_ALLOWED", "message", msg, "items"));
		return;
	}
	if (!r) {
		if (wants_html(rq))
			refuse(rq, AT_NOT_FOUND, "There is no page at %s.", rq->path);
		else
			web_reply_fail(rq, AT_NOT_FOUND, "no such endpoint: %s", rq->path);
		return;
	}
	rq->route = r;
	if (!request_utf8(rq))
		return;
	rq->st = web_thread_store();
	if (!rq->st) {
		/* A database server that is down may be back in a moment (503);
		 * a file that cannot be opened will not. */
		refuse(rq, db_is_server(rq->cfg->db_path) ? AT_BUSY : AT_STORAGE,
		       "the database cannot be opened");
		return;
	}
	writing = strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0;
	/* A read answers from one snapshot: authentication and the handler's
	 * queries share one read transaction, so SQLite takes its WAL read
	 * lock once per request instead of once per statement.  Held open
	 * by the token cache's PRAGMA data_version rather than by BEGIN and
	 * ROLLBACK (db_read_snapshot). */
	read_txn = strcmp(r->method, "GET") == 0 && !(r->flags & ROUTE_OWN_TXN) &&
	           db_read_snapshot(rq->st, NULL) == AT_OK;
	*read_txn_out = read_txn;
	rq->read_txn = read_txn;
	/* Pages know who is asking even when anyone may see them (the login
	 * page sends a logged-in user home; logout needs the session). */
	c = (r->flags & ROUTE_PUBLIC) && (!(r->flags & ROUTE_HTML) || (r->handler == page_static || r->handler == page_favicon))
	            ? AT_UNAUTHORIZED
	            : web_authenticate(rq);
	if (c == AT_STORAGE || c == AT_BUSY) {
		refuse(rq, c, "cannot check credentials: %s", db_errmsg(rq->st));
		return;
	}
	if (c == AT_OK) {
		/* Same size, so it fits (snprintf cost a lookup 600
		 * instructions). */
		static_assert(sizeof(rq->actor) == sizeof(rq->user.username), "actor is a username");
		rq->authed = 1;
		memcpy(rq->actor, rq->user.username, strlen(rq->user.username) + 1);
	}
	if (!(r->flags & ROUTE_PUBLIC)) {
		if (c != AT_OK) {
			if (r->flags & ROUTE_HTML)
				web_redirect(rq, "/login");
			else
				web_reply_fail(rq, AT_UNAUTHORIZED,
				               "log in, or send Authorization: Bearer <token>");
			return;
		}
		if (!(r->roles & ROLE_BIT(rq->user.role))) {
			refuse(rq, AT_FORBIDDEN, "%s (%s) may not %s %s", rq->user.username,
			       user_role_name(rq->user.role), rq->method, rq->path);
			return;
		}
		/* Cookies ride along on cross-site requests; a write must also
		 * prove it came from our page by echoing the session's token. */
		if (rq->via_cookie && writing && !(r->flags & ROUTE_FORM_BODY) && !csrf_ok(rq)) {
			refuse(rq, AT_FORBIDDEN, "missing or wrong X-CSRF-Token for a cookie session");
			return;
		}
	}
	if (rq->too_large) {
		refuse(rq, AT_TOO_LARGE, "request body is larger than %llu bytes",
		       (unsigned long long)((r->flags & ROUTE_UPLOAD)
		                                    ? ((r->flags & ROUTE_CSV_BODY) ? WEB_UPLOAD_CSV_LIMIT
		                                                                   : WEB_UPLOAD_LIMIT)
		                            : (r->flags & ROUTE_CSV_BODY) ? WEB_CSV_LIMIT
		                                                          : rq->cfg->json_limit));
		return;
	}
	if (!(r->flags & ROUTE_CSV_BODY) && rq->body.len > rq->cfg->json_limit) {
		refuse(rq, AT_TOO_LARGE, "request body is larger than %zu bytes", rq->cfg->json_limit);
		return;
	}
	if (r->flags & ROUTE_FORM_BODY) {
		c = (r->flags & ROUTE_UPLOAD)
		            ? web_upload_parse(rq, why)
		            : form_parse(rq->body.data, rq->body.len, FORM_MAX_FIELDS, &rq->form, why);
		if (c != AT_OK) {
			refuse(rq, c, "the form could not be read: %s", why);
			return;
		}
		/* A form post from a session must carry its token (the login
		 * form has no session yet). */
		if (rq->authed && rq->via_cookie && !csrf_ok(rq)) {
			refuse(rq, AT_FORBIDDEN,
			       "This form is out of date or did not come from AssetTrack (its "
			       "security token is missing or wrong). Nothing was changed; reload "
			       "the page and try again.");
			return;
		}
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
void web_dispatch(struct request *rq)
{
	int read_txn = 0;

	/* Shared with every other request; a restore waits for it (hold.c). */
	web_hold_shared();
	dispatch_checked(rq, &read_txn);
	if (read_txn)
		db_read_end(rq->st);
	/* After the snapshot ends: a write inside it would be rolled back. */
	if (rq->touch_session)
		session_touch(rq->st, rq->touch_session);
	web_hold_release();
	if (!rq->replied)
		web_reply_fail(rq, AT_INTERNAL, "handler gave no answer");
}
