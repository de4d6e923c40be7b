/*
 * testlib.c — helpers shared by the cmocka unit tests (see testlib.h).
 */
#include "testlib.h"

#include "core/db.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ==== database fixtures ================================================ */

/*
 * With AT_BACKEND=postgresql (and AT_PG_URI, the cluster CTest starts),
 * each test's database is a new PostgreSQL database instead of a file:
 * a copy of a template migrated once per process (CREATE DATABASE ...
 * TEMPLATE copies files, much faster than migrating anew), dropped by
 * t_db_remove().  CTest runs the unit tests that use no SQLite-only
 * feature a second time this way (tests/CMakeLists.txt, AT_UNIT_PG).
 */
static int is_pg(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0;
}

int t_on_pg(void)
{
	const char *b = getenv("AT_BACKEND");

	return b && strcmp(b, "postgresql") == 0 && getenv("AT_PG_URI");
}

/* AT_PG_URI with its database `name` instead of the one it names. */
static void pg_uri_of(char *out, size_t cap, const char *name)
{
	const char *uri = getenv("AT_PG_URI");
	const char *scheme = strstr(uri, "://");
	const char *host_end = scheme ? strchr(scheme + 3, '/') : NULL;
	const char *query = strchr(uri, '?');

	assert_non_null(host_end);
	snprintf(out, cap, "%.*s/%s%s", (int)(host_end - uri), uri, name, query ? query : "");
}

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* One statement as the cluster's superuser on its own database. */
static void pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("AT_PG_URI"));
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot reach the test cluster: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, no_notices, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static char template[64];

static void pg_drop_template(void)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", template);
	pg_admin(sql);
}

static void pg_db_path(char *out, size_t cap, const char *label)
{
	static unsigned counter;
	char sql[256], name[64];

	if (!template[0]) {
		struct store *st;

		/* a URI's checkpoint files go here, not into the working folder */
		setenv("ASSETTRACK_STATE_DIR", AT_TEST_TMP, 0);

		snprintf(template, sizeof(template), "at_unit_tpl_%ld", (long)getpid());
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", template);
		pg_admin(sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", template);
		pg_admin(sql);
		pg_uri_of(out, cap, template);
		st = t_store_open(out);
		store_close(st);
		atexit(pg_drop_template);
	}
	snprintf(name, sizeof(name), "at_%.20s_%ld_%u", label, (long)getpid(), counter++);
	for (char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			*c = '_';
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", name, template);
	pg_admin(sql);
	pg_uri_of(out, cap, name);
}

void t_db_path(char *out, size_t cap, const char *label)
{
	if (t_on_pg())
		pg_db_path(out, cap, label);
	else
		t_db_path_file(out, cap, label);
}

void t_db_path_file(char *out, size_t cap, const char *label)
{
	static unsigned counter;

	for (;;) {
		snprintf(out, cap, "%s/at-%s-%ld-%u.db", AT_TEST_TMP, label, (long)getpid(),
		         counter++);
		if (access(out, F_OK) != 0)
			return;
	}
}

void t_db_remove(const char *path)
{
	/* ...and the signed checkpoints and keys beside it (core/checkpoint.h). */
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal", ".checkpoints",
		                              ".checkpoints.state", ".checkpoints.state.tmp", ".checkpoints.lock",
		                              ".checkpoint-key", ".checkpoint-key.pub" };
	char p[T_PATH_MAX + 32];
	size_t first = 0;

	if (is_pg(path)) {
		const char *name = strstr(path + 13, "/");
		size_t n = name ? strcspn(name + 1, "?") : 0;
		char base[T_PATH_MAX];

		snprintf(p, sizeof(p), "DROP DATABASE IF EXISTS %.*s WITH (FORCE)", (int)n, name + 1);
		pg_admin(p);
		if (db_local_base(path, base, sizeof(base)) < 0)
			return;
		path = base;
		first = 1; /* the database itself is gone */
	}
	for (size_t i = first; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

struct store *t_store_open(const char *path)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;
	enum at_code c = store_open(path, STORE_CREATE, &st, &e);

	if (c != AT_OK) {
		t_dump("store_open", &e);
		at_errors_free(&e);
		fail_msg("cannot open test database %s", path);
	}
	at_errors_free(&e);
	assert_non_null(st);
	return st;
}

int t_setup(void **state)
{
	struct t_db *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	t_db_path(d->path, sizeof(d->path), "unit");
	if (t_on_pg())
		t_db_path_file(d->files, sizeof(d->files), "unit-files");
	else
		snprintf(d->files, sizeof(d->files), "%s", d->path);
	d->st = t_store_open(d->path);
	*state = d;
	return 0;
}

int t_teardown(void **state)
{
	struct t_db *d = *state;

	if (!d)
		return 0;
	store_close(d->st);
	t_db_remove(d->path);
	if (strcmp(d->files, d->path) != 0)
		t_db_remove(d->files);
	free(d);
	*state = NULL;
	return 0;
}

void t_reopen(struct t_db *d)
{
	store_close(d->st);
	d->st = NULL;
	d->st = t_store_open(d->path);
}

/* ==== result checks ==================================================== */

void t_dump(const char *what, const struct at_errors *e)
{
	if (!e) {
		print_error("  %s: (no error report)\n", what);
		return;
	}
	print_error("  %s: code %s, message \"%s\", %zu item(s)\n", what, at_code_name(e->code),
	            e->message, e->nitems);
	for (size_t i = 0; i < e->nitems; i++)
		print_error("    item %zu: input \"%s\" code %s: %s\n", i, e->items[i].input,
		            at_code_name(e->items[i].code), e->items[i].message);
}

void t_expect_code(enum at_code got, enum at_code want, const struct at_errors *e,
                   const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s:%d: %s\n  returned %s, expected %s\n", file, line, expr,
	            at_code_name(got), at_code_name(want));
	t_dump("report", e);
	_fail(file, line);
}

void t_expect_code2(enum at_code got, enum at_code want1, enum at_code want2,
                    const struct at_errors *e, const char *expr, const char *file, int line)
{
	if (got == want1 || got == want2)
		return;
	print_error("%s:%d: %s\n  returned %s, expected %s or %s\n", file, line, expr,
	            at_code_name(got), at_code_name(want1), at_code_name(want2));
	t_dump("report", e);
	_fail(file, line);
}

void t_expect_refused(enum at_code got, const struct at_errors *e, const char *expr,
                      const char *file, int line)
{
	if (got != AT_OK && got != AT_STORAGE && got != AT_INTERNAL)
		return;
	print_error("%s:%d: %s\n  returned %s, expected a refusal\n", file, line, expr,
	            at_code_name(got));
	t_dump("report", e);
	_fail(file, line);
}

size_t t_items(const struct at_errors *e, const char *input, int code)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nitems; i++) {
		if (input && strcmp(e->items[i].input, input) != 0)
			continue;
		if (code >= 0 && (int)e->items[i].code != code)
			continue;
		n++;
	}
	return n;
}

int t_contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return 0;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

int t_mentions(const struct at_errors *e, const char *needle)
{
	if (t_contains_ci(e->message, needle))
		return 1;
	for (size_t i = 0; i < e->nitems; i++)
		if (t_contains_ci(e->items[i].input, needle) ||
		    t_contains_ci(e->items[i].message, needle))
			return 1;
	return 0;
}

/* ==== building things ================================================== */

int64_t t_holder(struct store *st, const char *name, const char *badge)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;

	memset(&h, 0, sizeof(h));
	T_OK(holder_create(st, T_ACTOR, name, badge, NULL, &h, &e), &e);
	at_errors_free(&e);
	assert_true(h.id > 0);
	return h.id;
}

void t_case(struct store *st, const char *name, int64_t nslots)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	T_OK(case_create(st, T_ACTOR, name, nslots, "HQ", "Store room", NULL, &c, &e), &e);
	at_errors_free(&e);
}

struct asset_input t_input(const char *tag)
{
	static char serial[8][AT_FIELD_MAX + 1];
	static unsigned next;
	struct asset_input in;
	char *s = serial[next++ % 8];

	snprintf(s, AT_FIELD_MAX + 1, "SN-%s", tag);
	memset(&in, 0, sizeof(in));
	in.tag = tag;
	in.serial = s;
	in.manufacturer = "Acme";
	in.equipment_type = "Radio";
	in.building = "HQ";
	in.room = "Store room";
	return in;
}

void t_asset(struct store *st, const char *tag, const char *case_name, int pos)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input(tag);

	in.slot_case = case_name;
	in.slot_position = pos;
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	at_errors_free(&e);
}

void t_stock_out(struct store *st, int64_t holder_id, ...)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[64];
	size_t n = 0;
	struct holder_ref h = { .id = holder_id };
	va_list ap;
	const char *t;

	va_start(ap, holder_id);
	while ((t = va_arg(ap, const char *)) != NULL && n < 64)
		tags[n++] = t;
	va_end(ap);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_out(st, T_ACTOR, h, T_DUE, tags, n, &res, &e), &e);
	custody_result_free(&res);
	at_errors_free(&e);
}

struct asset t_get(struct store *st, const char *tag)
{
	struct asset a;
	enum at_code c = store_asset_by_tag(st, tag, &a);

	if (c != AT_OK)
		fail_msg("asset %s: store_asset_by_tag returned %s", tag, at_code_name(c));
	return a;
}

/* ==== events =========================================================== */

int64_t t_events(struct store *st)
{
	return store_event_count(st);
}

static int count_cb(void *ctx, const struct event *ev)
{
	(void)ev;
	(*(int64_t *)ctx)++;
	return 0;
}

int64_t t_events_of(struct store *st, const char *type, const char *batch_id)
{
	struct event_filter f;
	int64_t n = 0;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.batch_id = batch_id;
	assert_int_equal(store_event_list(st, &f, count_cb, &n), AT_OK);
	return n;
}

struct rows_ctx {
	struct t_event *v;
	size_t n, cap;
	int oom;
};

static void copy_text(char *out, size_t cap, const char *s)
{
	snprintf(out, cap, "%s", s ? s : "");
}

static int rows_cb(void *ctx, const struct event *ev)
{
	struct rows_ctx *r = ctx;
	struct t_event *t;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct t_event *nv = realloc(r->v, ncap * sizeof(*nv));
		if (!nv) {
			r->oom = 1;
			return 1;
		}
		r->v = nv;
		r->cap = ncap;
	}
	t = &r->v[r->n];
	memset(t, 0, sizeof(*t));
	t->seq = ev->seq;
	copy_text(t->at, sizeof(t->at), ev->at);
	copy_text(t->type, sizeof(t->type), ev->type);
	copy_text(t->asset_tag, sizeof(t->asset_tag), ev->asset_tag);
	copy_text(t->from_case, sizeof(t->from_case), ev->from_case);
	t->from_position = ev->from_case ? ev->from_position : 0;
	copy_text(t->to_case, sizeof(t->to_case), ev->to_case);
	t->to_position = ev->to_case ? ev->to_position : 0;
	t->holder_id = ev->holder_id;
	copy_text(t->actor, sizeof(t->actor), ev->actor);
	copy_text(t->reason, sizeof(t->reason), ev->reason);
	t->has_reason = ev->reason != NULL;
	copy_text(t->batch_id, sizeof(t->batch_id), ev->batch_id);
	t->details = strdup(ev->details ? ev->details : "{}");
	if (!t->details) {
		r->oom = 1;
		return 1;
	}
	copy_text(t->prev_hash, sizeof(t->prev_hash), ev->prev_hash);
	copy_text(t->hash, sizeof(t->hash), ev->hash);
	r->n++;
	return 0;
}

struct t_event *t_event_rows(struct store *st, const struct event_filter *f, size_t *n)
{
	struct rows_ctx r = { NULL, 0, 0, 0 };
	struct event_filter all;

	if (!f) {
		memset(&all, 0, sizeof(all));
		f = &all;
	}
	assert_int_equal(store_event_list(st, f, rows_cb, &r), AT_OK);
	assert_false(r.oom);
	*n = r.n;
	return r.v;
}

void t_events_free(struct t_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].details);
	free(v);
}

struct t_event t_last_event(struct store *st)
{
	struct event_filter f;
	struct t_event *v, last;
	size_t n;

	memset(&f, 0, sizeof(f));
	f.descending = 1;
	f.limit = 1;
	v = t_event_rows(st, &f, &n);
	if (n != 1) {
		t_events_free(v, n);
		fail_msg("expected an event, found none");
	}
	last = v[0];
	free(v); /* details now owned by `last` */
	return last;
}

/* ==== snapshot ========================================================= */

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= s[i];
		*h *= 0x100000001b3ULL;
	}
}

static void fnv_s(uint64_t *h, const char *s)
{
	fnv(h, s, strlen(s) + 1);
}

static void fnv_i(uint64_t *h, int64_t v)
{
	fnv(h, &v, sizeof(v));
}

static int snap_asset(void *ctx, const struct asset *a)
{
	uint64_t *h = ctx;

	fnv_i(h, a->id);
	fnv_s(h, a->tag);
	fnv_s(h, a->serial);
	fnv_s(h, a->manufacturer);
	fnv_s(h, a->equipment_type);
	fnv_s(h, a->model);
	fnv_s(h, a->model_code);
	fnv_s(h, a->building);
	fnv_s(h, a->room);
	fnv_s(h, a->notes);
	fnv_i(h, a->state);
	fnv_i(h, a->condition);
	fnv_i(h, a->holder_id);
	fnv_s(h, a->due);
	fnv_s(h, a->custody_since);
	fnv_i(h, a->case_id);
	fnv_i(h, a->position);
	fnv_i(h, a->last_case_id);
	fnv_i(h, a->last_position);
	fnv_s(h, a->created_at);
	fnv_s(h, a->updated_at);
	fnv_s(h, a->retired_at);
	return 0;
}

static int snap_case(void *ctx, const struct case_info *c)
{
	uint64_t *h = ctx;

	fnv_i(h, c->id);
	fnv_s(h, c->name);
	fnv_i(h, c->slot_count);
	fnv_s(h, c->building);
	fnv_s(h, c->room);
	fnv_s(h, c->notes);
	fnv_i(h, c->occupied);
	fnv_s(h, c->updated_at);
	return 0;
}

static int snap_holder(void *ctx, const struct holder *ho)
{
	uint64_t *h = ctx;

	fnv_i(h, ho->id);
	fnv_s(h, ho->name);
	fnv_s(h, ho->badge);
	fnv_s(h, ho->email);
	fnv_i(h, ho->active);
	fnv_s(h, ho->updated_at);
	return 0;
}

uint64_t t_snapshot(struct store *st)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct asset_filter f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(store_asset_list(st, &f, snap_asset, &h), AT_OK);
	assert_int_equal(store_case_list(st, NULL, 0, snap_case, &h), AT_OK);
	assert_int_equal(store_holder_list(st, 0, 0, snap_holder, &h), AT_OK);
	fnv_i(&h, store_event_count(st));
	return h;
}

/* ==== verification ===================================================== */

int t_verify(struct store *st, char *code_out)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	enum at_code c;
	int ok;

	memset(&r, 0, sizeof(r));
	c = verify_run(st, &r, NULL, NULL, &e);
	if (c != AT_OK) {
		t_dump("verify_run", &e);
		at_errors_free(&e);
		verify_report_free(&r);
		fail_msg("verify_run could not run: %s", at_code_name(c));
	}
	ok = r.ok;
	if (code_out)
		snprintf(code_out, 48, "%s", r.nproblems ? r.problems[0].code : "");
	if (!ok || r.nproblems) {
		print_error("  verify: ok=%d, %lld events, %zu problem(s)\n", r.ok,
		            (long long)r.events, r.nproblems);
		for (size_t i = 0; i < r.nproblems && i < 20; i++)
			print_error("    %s: %s\n", r.problems[i].code, r.problems[i].message);
	}
	/* A verdict of ok with problems listed would be self-contradictory. */
	if (ok && r.nproblems)
		ok = 0;
	verify_report_free(&r);
	at_errors_free(&e);
	return ok;
}

/* ==== raw SQLite ======================================================= */

/* SQLite's "DROP TRIGGER name;" in PostgreSQL's words, "DROP TRIGGER
 * name ON table;": every trigger of the schema is named after its table
 * (schema.c, schema_pg.c).  Into `out`, which must be large enough. */
static void pg_dialect(const char *sql, char *out, size_t cap)
{
	static const char *const tables[] = { "security_log", "events", "asset_counts",
		                              "assets", "slots", "cases", "holders" };
	size_t o = 0;

	while (*sql && o + 1 < cap) {
		const char *name = strncmp(sql, "DROP TRIGGER ", 13) == 0 ? sql + 13 : NULL;
		size_t n = name ? strcspn(name, "; ") : 0;

		if (name && name[n] == ';') {
			const char *table = NULL;

			for (size_t i = 0; !table && i < sizeof(tables) / sizeof(tables[0]); i++)
				if (strncmp(name, tables[i], strlen(tables[i])) == 0)
					table = tables[i];
			o += (size_t)snprintf(out + o, cap - o, "DROP TRIGGER %.*s ON %s", (int)n, name,
			                      table ? table : "unknown_table");
			sql = name + n;
			continue;
		}
		out[o++] = *sql++;
	}
	out[o < cap ? o : cap - 1] = '\0';
}

/* t_sql on PostgreSQL: the text as one simple query (its statements in
 * one transaction), as the cluster's superuser.  0 or 1 as SQLite's
 * SQLITE_OK or SQLITE_ERROR. */
static int pg_sql(const char *uri, const char *sql, char *err)
{
	PGconn *c = PQconnectdb(uri);
	size_t cap = strlen(sql) * 2 + 64;
	char *text = malloc(cap);
	PGresult *r;
	ExecStatusType st;
	int rc;

	assert_non_null(text);
	pg_dialect(sql, text, cap);
	PQsetNoticeProcessor(c, no_notices, NULL);
	r = PQstatus(c) == CONNECTION_OK ? PQexec(c, text) : NULL;
	free(text);
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : 1;

	if (err)
		snprintf(err, 256, "%s", rc ? PQerrorMessage(c) : "not an error");
	PQclear(r);
	PQfinish(c);
	return rc;
}

static int64_t pg_sql_int(const char *uri, const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	int64_t v = -1;

	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

int t_sql(const char *path, const char *sql, char *err)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	if (is_pg(path))
		return pg_sql(path, sql, err);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	}
	if (err)
		snprintf(err, 256, "%s", msg ? msg : (db ? sqlite3_errmsg(db) : "no db"));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

int64_t t_sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (is_pg(path))
		return pg_sql_int(path, sql);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* ==== the CLI binary =================================================== */

struct cap {
	char *p;
	size_t n, cap;
};

static int cap_add(struct cap *c, const char *s, size_t n)
{
	if (c->n + n + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 4096;
		char *np;
		while (c->n + n + 1 > ncap)
			ncap *= 2;
		np = realloc(c->p, ncap);
		if (!np)
			return -1;
		c->p = np;
		c->cap = ncap;
	}
	memcpy(c->p + c->n, s, n);
	c->n += n;
	c->p[c->n] = '\0';
	return 0;
}

void t_run_argv(struct t_run *r, char *const argv[], const char *input)
{
	t_run_argv_env(r, argv, input, NULL, NULL);
}

void t_run_argv_env(struct t_run *r, char *const argv[], const char *input,
                    const char *env_name, const char *env_value)
{
	int in[2], out[2], err[2], status = 0;
	struct cap co = { NULL, 0, 0 }, ce = { NULL, 0, 0 };
	pid_t pid;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		unsetenv("ASSETTRACK_DB");
		if (env_name)
			setenv(env_name, env_value, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input) {
		/* Inputs are small: they fit the pipe buffer, no deadlock. */
		size_t left = strlen(input);
		const char *p = input;
		signal(SIGPIPE, SIG_IGN);
		while (left) {
			ssize_t w = write(in[1], p, left);
			if (w <= 0)
				break;
			p += w;
			left -= (size_t)w;
		}
	}
	close(in[1]);
	cap_add(&co, "", 0);
	cap_add(&ce, "", 0);
	{
		struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
		int open_fds = 2;
		char chunk[4096];
		while (open_fds > 0) {
			if (poll(pf, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (int i = 0; i < 2; i++) {
				ssize_t got;
				if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				got = read(pf[i].fd, chunk, sizeof(chunk));
				if (got > 0) {
					cap_add(i ? &ce : &co, chunk, (size_t)got);
				} else if (got == 0 || errno != EINTR) {
					close(pf[i].fd);
					pf[i].fd = -1;
					open_fds--;
				}
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	else
		r->status = -1;
	r->out = co.p;
	r->err = ce.p;
	assert_non_null(r->out);
	assert_non_null(r->err);
}

void t_cli(struct t_run *r, const char *db, ...)
{
	char *argv[64];
	size_t n = 0;
	va_list ap;
	const char *a;

	argv[n++] = (char *)AT_BINARY;
	argv[n++] = (char *)"--db";
	argv[n++] = (char *)db;
	va_start(ap, db);
	while ((a = va_arg(ap, const char *)) != NULL && n < 63)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	t_run_argv(r, argv, NULL);
}

void t_run_free(struct t_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* ==== misc ============================================================= */

int t_sanitized(void)
{
	const char *s = getenv("AT_SANITIZED");

	return s && *s && strcmp(s, "0") != 0;
}

uint64_t t_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t t_rand_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(t_rand(s) % n) : 0;
}

uint64_t t_seed(const char *test_name)
{
	const char *env = getenv("AT_SEED");
	uint64_t seed = 0;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		int fd = open("/dev/urandom", O_RDONLY);
		if (fd < 0 || read(fd, &seed, sizeof(seed)) != (ssize_t)sizeof(seed))
			seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
		if (fd >= 0)
			close(fd);
	}
	printf("%s: seed %llu (rerun with AT_SEED=%llu)\n", test_name, (unsigned long long)seed,
	       (unsigned long long)seed);
	fflush(stdout);
	return seed;
}
