/*
 * drv_overhead.c — what the SQLite driver (store/drv_sqlite.h) costs
 * against raw sqlite3 calls on the lookup path (issue #11).
 *
 * A real table: the schema at AT_SCHEMA_VERSION (schema.c) in a temporary
 * WAL file with every page cached, N assets (a third in slots, a third in
 * custody, some with attributes), their holders and cases.  The statement
 * is store.c's asset lookup by tag (26 columns, three joins), prepared
 * once; each lookup resets it, binds the tag, steps, and reads every
 * column into a struct asset as store.c's read_asset() does.  Three ways:
 *
 *   raw     sqlite3_* calls, exactly store.c's today (stmt_get, one_row,
 *           done)
 *   table   through the driver table, drv_sqlite.step(s) etc.: an
 *           indirect call per value
 *   inline  store.c's planned wrappers (drv_sqlite.h): a test of which
 *           driver, then the inline call
 *
 * Also a scan (every asset in tag order, one statement) the three ways,
 * and what phase 2 adds beside the rows: a read transaction around a
 * lookup, and a savepoint + release pair (real savepoints on SQLite).
 * Rounds alternate the ways; the median of the rounds is printed.
 *
 * Usage: drv_overhead [--assets N] [--lookups M] [--rounds R]
 * Prints "RESULT what ns_per_row" lines and the overheads.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/types.h"
#include "store/drv_sqlite.h"
#include "store/schema.h"

#define ASSET_SELECT                                                                        \
	"a.id, a.tag, a.serial, a.manufacturer, a.equipment_type, a.model, a.model_code, " \
	"a.building, a.room, a.notes, a.state, a.condition, a.holder_id, h.name, a.due, "  \
	"a.custody_since, a.case_id, c.name, a.position, a.last_case_id, lc.name, "        \
	"a.last_position, a.created_at, a.updated_at, a.retired_at, a.attributes "
#define ASSET_JOINS                                                                         \
	"LEFT JOIN holders h ON h.id = a.holder_id "                                        \
	"LEFT JOIN cases c ON c.id = a.case_id LEFT JOIN cases lc ON lc.id = a.last_case_id "
/* store.c's STMT_ASSET_BY_TAG and (unfiltered) STMT_ASSET_LIST order. */
static const char by_tag_sql[] = "SELECT " ASSET_SELECT "FROM assets a " ASSET_JOINS
                                 "WHERE a.tag = ?1";
static const char scan_sql[] = "SELECT " ASSET_SELECT "FROM assets a " ASSET_JOINS
                               "ORDER BY a.tag LIMIT ?1";

static void die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "drv_overhead: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(3);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ==== the three ways, one reader each ================================== */

/* What the compiler cannot see through: which driver, and its table. */
struct conn {
	int lite;
	const struct drv *drv;
};

static struct conn *volatile g_conn;

/* The per-value calls of each way.  raw_* take a sqlite3_stmt. */
#define RAW_TEXT(s, i) ((const char *)sqlite3_column_text((s), (i)))
#define RAW_BYTES(s, i) ((size_t)sqlite3_column_bytes((s), (i)))
#define RAW_INT64(s, i) sqlite3_column_int64((s), (i))

#define TAB_TEXT(s, i) (k->drv->column_text((s), (i)))
#define TAB_BYTES(s, i) (k->drv->column_bytes((s), (i)))
#define TAB_INT64(s, i) (k->drv->column_int64((s), (i)))

/* `lite` is read once per reader into a local: k->lite itself would be
 * loaded again after every memcpy (which might have written it). */
#define INL_TEXT(s, i) (lite ? drv_sqlite_column_text((s), (i)) : k->drv->column_text((s), (i)))
#define INL_BYTES(s, i) (lite ? drv_sqlite_column_bytes((s), (i)) : k->drv->column_bytes((s), (i)))
#define INL_INT64(s, i) (lite ? drv_sqlite_column_int64((s), (i)) : k->drv->column_int64((s), (i)))

/* store.c's read_asset(), the column calls named by WAY. */
#define DEFINE_READER(name, stmt_t, WAY)                                                  \
	static void name(const struct conn *k, stmt_t s, struct asset *a)                  \
	{                                                                                  \
		const int lite = k->lite;                                                  \
		const char *t;                                                             \
		(void)k;                                                                   \
		(void)lite;                                                                \
		memset(a, 0, offsetof(struct asset, attributes));                          \
		a->id = WAY##_INT64(s, 0);                                                 \
		COLT(WAY, s, 1, a->tag);                                                   \
		COLT(WAY, s, 2, a->serial);                                                \
		COLT(WAY, s, 3, a->manufacturer);                                          \
		COLT(WAY, s, 4, a->equipment_type);                                        \
		COLT(WAY, s, 5, a->model);                                                 \
		COLT(WAY, s, 6, a->model_code);                                            \
		COLT(WAY, s, 7, a->building);                                              \
		COLT(WAY, s, 8, a->room);                                                  \
		COLT(WAY, s, 9, a->notes);                                                 \
		t = WAY##_TEXT(s, 10);                                                     \
		if (!t || asset_state_parse(t, &a->state) < 0)                             \
			a->state = ASSET_STORAGE;                                          \
		t = WAY##_TEXT(s, 11);                                                     \
		if (!t || asset_condition_parse(t, &a->condition) < 0)                     \
			a->condition = COND_GOOD;                                          \
		a->holder_id = WAY##_INT64(s, 12);                                         \
		COLT(WAY, s, 13, a->holder_name);                                          \
		COLT(WAY, s, 14, a->due);                                                  \
		COLT(WAY, s, 15, a->custody_since);                                        \
		a->case_id = WAY##_INT64(s, 16);                                           \
		COLT(WAY, s, 17, a->case_name);                                            \
		a->position = (int)WAY##_INT64(s, 18);                                     \
		a->last_case_id = WAY##_INT64(s, 19);                                      \
		COLT(WAY, s, 20, a->last_case_name);                                       \
		a->last_position = (int)WAY##_INT64(s, 21);                                \
		COLT(WAY, s, 22, a->created_at);                                           \
		COLT(WAY, s, 23, a->updated_at);                                           \
		COLT(WAY, s, 24, a->retired_at);                                           \
		COLT(WAY, s, 25, a->attributes);                                           \
	}

/* store.c's col_text(): the text, then its length, copied and capped. */
#define COLT(WAY, s, i, field)                                                    \
	do {                                                                      \
		const char *t_ = WAY##_TEXT(s, i);                                \
		size_t n_ = t_ ? WAY##_BYTES(s, i) : 0;                           \
		if (n_ >= sizeof(field))                                          \
			n_ = sizeof(field) - 1;                                   \
		if (n_)                                                           \
			memcpy((field), t_, n_);                                  \
		(field)[n_] = '\0';                                               \
	} while (0)

DEFINE_READER(read_raw, sqlite3_stmt *, RAW)
DEFINE_READER(read_tab, struct drv_stmt *, TAB)
DEFINE_READER(read_inl, struct drv_stmt *, INL)

/* One lookup each way; returns 1 when the asset was found.  Not inlined
 * into main(), so that callgrind counts each way on its own. */
#define NOINLINE __attribute__((noinline))

static NOINLINE int look_raw(const struct conn *k, sqlite3_stmt *s, const char *tag, struct asset *a)
{
	int found;

	sqlite3_reset(s); /* stmt_get */
	sqlite3_clear_bindings(s);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW; /* one_row */
	if (found)
		read_raw(k, s, a);
	sqlite3_reset(s); /* done */
	return found;
}

static NOINLINE int look_tab(const struct conn *k, struct drv_stmt *s, const char *tag, struct asset *a)
{
	int found;

	k->drv->reset(s);
	k->drv->bind_text(s, 1, tag);
	found = k->drv->step(s) == DRV_ROW;
	if (found)
		read_tab(k, s, a);
	k->drv->reset(s);
	return found;
}

static NOINLINE int look_inl(const struct conn *k, struct drv_stmt *s, const char *tag, struct asset *a)
{
	int found;

	if (k->lite)
		drv_sqlite_reset(s);
	else
		k->drv->reset(s);
	if (k->lite)
		drv_sqlite_bind_text(s, 1, tag);
	else
		k->drv->bind_text(s, 1, tag);
	found = (k->lite ? drv_sqlite_step(s) : k->drv->step(s)) == DRV_ROW;
	if (found)
		read_inl(k, s, a);
	if (k->lite)
		drv_sqlite_reset(s);
	else
		k->drv->reset(s);
	return found;
}

/* Every asset in tag order; returns the rows read. */
static NOINLINE long scan_raw(const struct conn *k, sqlite3_stmt *s, struct asset *a)
{
	long n = 0;

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, INT64_MAX);
	while (sqlite3_step(s) == SQLITE_ROW) {
		read_raw(k, s, a);
		n++;
	}
	sqlite3_reset(s);
	return n;
}

static NOINLINE long scan_tab(const struct conn *k, struct drv_stmt *s, struct asset *a)
{
	long n = 0;

	k->drv->reset(s);
	k->drv->bind_int64(s, 1, INT64_MAX);
	while (k->drv->step(s) == DRV_ROW) {
		read_tab(k, s, a);
		n++;
	}
	k->drv->reset(s);
	return n;
}

static NOINLINE long scan_inl(const struct conn *k, struct drv_stmt *s, struct asset *a)
{
	long n = 0;

	if (k->lite)
		drv_sqlite_reset(s);
	else
		k->drv->reset(s);
	if (k->lite)
		drv_sqlite_bind_int64(s, 1, INT64_MAX);
	else
		k->drv->bind_int64(s, 1, INT64_MAX);
	while ((k->lite ? drv_sqlite_step(s) : k->drv->step(s)) == DRV_ROW) {
		read_inl(k, s, a);
		n++;
	}
	if (k->lite)
		drv_sqlite_reset(s);
	else
		k->drv->reset(s);
	return n;
}

/* ==== the database ===================================================== */

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, db);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die(sql, db);
	return s;
}

static void step_done(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert", db);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* N assets: a third slotted, a third in custody of 100 holders, the rest
 * unslotted; every fifth with attributes. */
static void fill(sqlite3 *db, int n)
{
	sqlite3_stmt *h, *c, *sl, *a;
	int ncases = n / 150 + 1;
	char tag[32], serial[32], name[32];

	exec(db, "BEGIN");
	for (int i = 0; i < schema_nmigrations; i++)
		exec(db, schema_migrations[i]);
	h = prep(db, "INSERT INTO holders(name, badge, created_at, updated_at) "
	             "VALUES (?1, ?1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
	c = prep(db, "INSERT INTO cases(name, slot_count, building, room, created_at, updated_at) "
	             "VALUES (?1, 50, 'HQ', 'Store 1', 't', 't')");
	sl = prep(db, "INSERT INTO slots(case_id, position) VALUES (?1, ?2)");
	a = prep(db, "INSERT INTO assets(tag, serial, manufacturer, equipment_type, model, "
	             "building, room, state, holder_id, due, custody_since, case_id, position, "
	             "created_at, updated_at, attributes) VALUES (?1, ?2, 'Zebra', 'Scanner', "
	             "'TC52', 'HQ', 'Store 1', ?3, ?4, ?5, ?6, ?7, ?8, "
	             "'2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', ?9)");
	for (int i = 1; i <= 100; i++) {
		snprintf(name, sizeof(name), "Holder %03d", i);
		sqlite3_bind_text(h, 1, name, -1, SQLITE_TRANSIENT);
		step_done(db, h);
	}
	for (int i = 1; i <= ncases; i++) {
		snprintf(name, sizeof(name), "CASE-%04d", i);
		sqlite3_bind_text(c, 1, name, -1, SQLITE_TRANSIENT);
		step_done(db, c);
		for (int p = 1; p <= 50; p++) {
			sqlite3_bind_int(sl, 1, i);
			sqlite3_bind_int(sl, 2, p);
			step_done(db, sl);
		}
	}
	for (int i = 0; i < n; i++) {
		snprintf(tag, sizeof(tag), "AT-%06d", i);
		snprintf(serial, sizeof(serial), "SN%08d", i * 7919);
		sqlite3_bind_text(a, 1, tag, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 2, serial, -1, SQLITE_TRANSIENT);
		if (i % 3 == 1) {
			sqlite3_bind_text(a, 3, "IN_CUSTODY", -1, SQLITE_STATIC);
			sqlite3_bind_int(a, 4, i % 100 + 1);
			sqlite3_bind_text(a, 5, "2026-12-31", -1, SQLITE_STATIC);
			sqlite3_bind_text(a, 6, "2026-03-01T10:00:00.000Z", -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_text(a, 3, "STORAGE", -1, SQLITE_STATIC);
		}
		if (i % 3 == 0) {
			sqlite3_bind_int(a, 7, i / 3 / 50 + 1);
			sqlite3_bind_int(a, 8, i / 3 % 50 + 1);
		}
		if (i % 5 == 0)
			sqlite3_bind_text(a, 9, "{\"color\":\"red\",\"owner\":\"IT\"}", -1,
			                  SQLITE_STATIC);
		step_done(db, a);
	}
	sqlite3_finalize(h);
	sqlite3_finalize(c);
	sqlite3_finalize(sl);
	sqlite3_finalize(a);
	exec(db, "COMMIT");
}

/* ==== measuring ======================================================== */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n <= 64 values (left in their order). */
static double median(const double *v, int n)
{
	double w[64];

	memcpy(w, v, (size_t)n * sizeof(*v));
	qsort(w, (size_t)n, sizeof(*w), cmp_double);
	return n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
}

static long arg_long(int argc, char **argv, const char *name, long def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return strtol(argv[i + 1], NULL, 10);
	return def;
}

enum way { RAW, TAB, INL, WAYS };
static const char *const way_name[WAYS] = { "raw", "table", "inline" };

int main(int argc, char **argv)
{
	long nassets = arg_long(argc, argv, "--assets", 20000);
	long nlook = arg_long(argc, argv, "--lookups", 20000);
	int rounds = (int)arg_long(argc, argv, "--rounds", 9);
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *dc = NULL;
	struct conn k = { 1, &drv_sqlite };
	const struct conn *kk;
	sqlite3 *db;
	sqlite3_stmt *raw_tag, *raw_scan;
	struct drv_stmt *tag_s, *scan_s;
	char path[128], (*tags)[16];
	double look[WAYS][64], scan[WAYS][64], txn[2][64], sp[64];
	struct asset *a = malloc(sizeof(*a));
	long found = 0;

	if (nassets < 100 || nlook < 1 || rounds < 1 || rounds > 64 || !a) {
		fprintf(stderr, "usage: drv_overhead [--assets N>=100] [--lookups M] [--rounds 1..64]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/tmp/drv_overhead-%ld.db", (long)getpid());
	if (drv_sqlite.open(path, DRV_CREATE, &dc, &e) != AT_OK) {
		fprintf(stderr, "drv_overhead: %s\n", e.message);
		return 3;
	}
	db = drv_sqlite_db(dc);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	         "PRAGMA cache_size = -65536");
	fill(db, (int)nassets);

	/* Lookups in a scrambled order, every one a hit. */
	tags = malloc((size_t)nlook * sizeof(*tags));
	if (!tags)
		return 3;
	srand(42);
	for (long i = 0; i < nlook; i++)
		snprintf(tags[i], sizeof(tags[i]), "AT-%06ld", (long)(rand() % nassets));
	raw_tag = prep(db, by_tag_sql);
	raw_scan = prep(db, scan_sql);
	if (drv_sqlite.prepare(dc, by_tag_sql, &tag_s) != AT_OK ||
	    drv_sqlite.prepare(dc, scan_sql, &scan_s) != AT_OK)
		die("prepare", db);
	g_conn = &k;
	kk = g_conn;

	/* Warm the cache and the branch predictors. */
	scan_raw(kk, raw_scan, a);
	for (long i = 0; i < nlook; i++)
		found += look_raw(kk, raw_tag, tags[i], a);

	for (int r = 0; r < rounds; r++) {
		for (int w0 = 0; w0 < WAYS; w0++) {
			int w = (w0 + r) % WAYS;
			double t0 = now_ns();
			long rows;

			for (long i = 0; i < nlook; i++)
				found += w == RAW ? look_raw(kk, raw_tag, tags[i], a)
				         : w == TAB ? look_tab(kk, tag_s, tags[i], a)
				                    : look_inl(kk, tag_s, tags[i], a);
			look[w][r] = (now_ns() - t0) / (double)nlook;
			t0 = now_ns();
			rows = w == RAW ? scan_raw(kk, raw_scan, a)
			       : w == TAB ? scan_tab(kk, scan_s, a)
			                  : scan_inl(kk, scan_s, a);
			if (rows != nassets)
				die("scan", db);
			scan[w][r] = (now_ns() - t0) / (double)rows;
		}
		/* A lookup inside a read transaction: store.c's cached BEGIN
		 * DEFERRED and COMMIT against the driver's. */
		{
			sqlite3_stmt *b = prep(db, "BEGIN DEFERRED"), *cm = prep(db, "COMMIT");
			double t0 = now_ns();

			for (long i = 0; i < nlook; i++) {
				step_done(db, b);
				found += look_raw(kk, raw_tag, tags[i], a);
				step_done(db, cm);
			}
			txn[0][r] = (now_ns() - t0) / (double)nlook;
			sqlite3_finalize(b);
			sqlite3_finalize(cm);
			t0 = now_ns();
			for (long i = 0; i < nlook; i++) {
				if (drv_sqlite.begin_read(dc) != AT_OK)
					die("begin_read", db);
				found += look_inl(kk, tag_s, tags[i], a);
				if (drv_sqlite.commit(dc) != AT_OK)
					die("commit", db);
			}
			txn[1][r] = (now_ns() - t0) / (double)nlook;
		}
		/* Savepoint and release around nothing, in a write transaction. */
		{
			double t0;

			if (drv_sqlite.begin_write(dc) != AT_OK)
				die("begin_write", db);
			t0 = now_ns();
			for (long i = 0; i < nlook; i++)
				if (drv_sqlite.savepoint(dc) != AT_OK || drv_sqlite.release(dc) != AT_OK)
					die("savepoint", db);
			sp[r] = (now_ns() - t0) / (double)nlook;
			drv_sqlite.rollback(dc);
		}
	}
	if (found < nlook)
		die("lookups missed", db);

	printf("drv_overhead: %ld assets, %ld lookups a round, %d rounds (median ns)\n", nassets,
	       nlook, rounds);
	{
		double lm[WAYS], sm[WAYS];

		for (int w = 0; w < WAYS; w++) {
			lm[w] = median(look[w], rounds);
			sm[w] = median(scan[w], rounds);
			printf("RESULT lookup_%s %.1f\n", way_name[w], lm[w]);
			printf("RESULT scan_row_%s %.1f\n", way_name[w], sm[w]);
		}
		printf("RESULT lookup_in_read_txn_raw %.1f\n", median(txn[0], rounds));
		printf("RESULT lookup_in_read_txn_drv %.1f\n", median(txn[1], rounds));
		printf("RESULT savepoint_release_pair %.1f\n", median(sp, rounds));
		/* The overheads as the median of each round's difference: the
		 * ways ran back to back, so a busy moment costs all three. */
		for (int w = TAB; w < WAYS; w++) {
			double dl[64], ds[64];

			for (int r = 0; r < rounds; r++) {
				dl[r] = look[w][r] - look[RAW][r];
				ds[r] = scan[w][r] - scan[RAW][r];
			}
			printf("RESULT overhead_lookup_%s %+.1f (%+.1f%%)\n", way_name[w],
			       median(dl, rounds), 100 * median(dl, rounds) / lm[RAW]);
			printf("RESULT overhead_scan_row_%s %+.1f (%+.1f%%)\n", way_name[w],
			       median(ds, rounds), 100 * median(ds, rounds) / sm[RAW]);
		}
	}
	sqlite3_finalize(raw_tag);
	sqlite3_finalize(raw_scan);
	drv_sqlite.close(dc);
	unlink(path);
	{
		char side[160];

		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	free(tags);
	free(a);
	at_errors_free(&e);
	return 0;
}
