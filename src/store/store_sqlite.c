/*
 * store_sqlite.c — what only a SQLite connection has, behind store.h's
 * functions: its pragmas, WAL checkpoints, the backup API (backups,
 * scratch databases loaded from a file), and the schema's migrations by
 * PRAGMA user_version.  Every statement of the domain is store.c's,
 * through the driver (drv.h).
 */
#include "store/store_impl.h"

#include <stdio.h>
#include <string.h>

#include "store/drv.h"
#include "store/drv_sqlite.h"
#include "store/schema.h"

/* SQLite's failure `rc` on `db` in our vocabulary, with its message:
 * store.c's fail_code() for the calls made here without the driver. */
static enum at_code lite_fail(sqlite3 *db, int rc, struct at_errors *e)
{
	enum at_code c = drv_sqlite_code(rc);
	const char *msg = sqlite3_errmsg(db);

	if (c == AT_BUSY)
		return at_fail(e, AT_BUSY, "the database is busy; try again (%s)", msg);
	if (c == AT_DUPLICATE || c == AT_CONFLICT)
		return at_fail(e, c, "refused by the database: %s", msg);
	return at_fail(e, AT_STORAGE, "database error: %s", msg);
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ==== schema ========================================================== */

int store_schema_version(struct store *st)
{
	struct store_sqlite *l = store_sqlite_of(st);
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (!l)
		return store_other_schema_version(st);
	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

enum at_code store_migrate(struct store *st, int *from, struct at_errors *e)
{
	struct store_sqlite *l = store_sqlite_of(st);
	int v = store_schema_version(st);
	char pragma[64];

	if (from)
		*from = v;
	if (!l)
		return at_fail(e, AT_INVALID, "not on PostgreSQL");
	if (v < 0)
		return at_fail(e, AT_STORAGE, "cannot read the schema version: %s",
		               sqlite3_errmsg(l->db));
	if (v > schema_nmigrations)
		return at_fail(e, AT_STORAGE,
		               "database schema version %d is newer than this program (%d); "
		               "upgrade assettrack",
		               v, schema_nmigrations);
	if (v == schema_nmigrations)
		return AT_OK;
	if (exec_sql(l->db, "BEGIN IMMEDIATE") != SQLITE_OK)
		return lite_fail(l->db, sqlite3_extended_errcode(l->db), e);
	/* Re-read under the write lock: another process may have migrated. */
	v = store_schema_version(st);
	for (; v < schema_nmigrations; v++) {
		if (exec_sql(l->db, schema_migrations[v]) != SQLITE_OK)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec_sql(l->db, pragma) != SQLITE_OK)
			goto fail;
	}
	if (exec_sql(l->db, "COMMIT") != SQLITE_OK)
		goto fail;
	return AT_OK;
fail: {
	enum at_code c = at_fail(e, AT_STORAGE, "schema migration to version %d failed: %s",
	                         v + 1, sqlite3_errmsg(l->db));
	exec_sql(l->db, "ROLLBACK");
	return c;
}
}

/* ==== settings ======================================================== */

/* Manual WAL checkpoints (store_wal_manual): set once by the server
 * before its connections open, read when each opens. */
static store_wal_fn g_wal_fn;
static void *g_wal_ctx;

void store_wal_manual(store_wal_fn fn, void *ctx)
{
	g_wal_fn = fn;
	g_wal_ctx = ctx;
}

/* sqlite3_wal_hook: after a commit, with the write lock released. */
static int wal_committed(void *ctx, sqlite3 *db, const char *name, int frames)
{
	struct store_sqlite *l = ctx;

	(void)db;
	(void)name;
	l->wal_fn(l->wal_ctx, frames);
	return SQLITE_OK;
}

/* A connection store_open() makes in manual mode.  Registering a WAL hook
 * replaces SQLite's automatic checkpoint (which is one); the pragma says
 * so for whoever reads the settings. */
static void wal_manual_on(struct store_sqlite *l)
{
	l->wal_fn = g_wal_fn;
	l->wal_ctx = g_wal_ctx;
	exec_sql(l->db, "PRAGMA wal_autocheckpoint = 0");
	sqlite3_wal_hook(l->db, wal_committed, l);
}

enum at_code store_sqlite_setup(struct store_sqlite *l, const char *path, int flags,
                                struct at_errors *e)
{
	int memory = strcmp(path, ":memory:") == 0 || (flags & STORE_SCRATCH);

	if (!memory && !(flags & STORE_READONLY)) {
		/* WAL: readers never wait for the writer.  synchronous=FULL: a
		 * commit that returned survives power loss (SPEC §3.10). */
		if (exec_sql(l->db, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
		    exec_sql(l->db, "PRAGMA synchronous = FULL") != SQLITE_OK)
			return lite_fail(l->db, sqlite3_extended_errcode(l->db), e);
	}
	if (memory || (flags & STORE_BULK))
		exec_sql(l->db, "PRAGMA synchronous = OFF");
	/* A scratch database is thrown away on any failure: no journal.  Nor
	 * foreign keys: the replay is compared field by field with the live
	 * tables, which do enforce them, so checking twice buys nothing. */
	if (flags & STORE_SCRATCH) {
		exec_sql(l->db, "PRAGMA journal_mode = OFF");
		exec_sql(l->db, "PRAGMA foreign_keys = OFF");
	}
	/* Page cache per connection.  At 100,000 assets the hot interior
	 * pages fit in 4 MiB; the leaf pages a scan lands on are random, so a
	 * bigger cache buys few hits (8 MiB: 1.4 preads per lookup, from the
	 * OS page cache) while a server with four workers must stay inside
	 * 64 MiB.  A replay's scratch database spills to its temporary file,
	 * so 2 MiB is enough for it in the server; the command line's verify
	 * takes 64 MiB (STORE_SCRATCH_LARGE): at 100,000 assets 38.8 -> 30.7
	 * s, 8.8 -> 0.6 s of system time (bench/README.md, "Scale"). */
	exec_sql(l->db, (flags & STORE_SCRATCH_LARGE) ? "PRAGMA cache_size = -65536"
	                : (flags & STORE_SCRATCH)     ? "PRAGMA cache_size = -2048"
	                                              : "PRAGMA cache_size = -4096");
	if (g_wal_fn && !memory && !(flags & STORE_READONLY))
		wal_manual_on(l);
	return AT_OK;
}

enum at_code store_bulk(struct store *st, int on)
{
	/*
	 * Statement journals in memory: every INSERT of a big transaction
	 * keeps one (its triggers may abort it), and once one outgrows 64 KiB
	 * SQLite moves it to a temporary file for the rest of the
	 * transaction; a 100,000-row import then made 2 million small
	 * writes, half its time.  Each one holds only the pages a statement
	 * touched twice, so memory stays small.  Temporary tables and sorts
	 * go to memory too while it is on: the import's are the rows of one
	 * bulk insert, which SQLite holds before inserting them (the table
	 * has a trigger).
	 *
	 * And 8 MiB of page cache, not store_open's 4: beside the pages an
	 * import appends, its indexes in random order (serials, holders)
	 * outgrow 4 MiB, and a page spilled to the WAL and changed again is
	 * read back and written again.  At 100,000 rows: 183,000 writes
	 * instead of 206,000, 90,000 reads instead of 115,000.
	 */
	static const char *const sql[2] = {
		"PRAGMA temp_store = DEFAULT; PRAGMA cache_size = -4096",
		"PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192",
	};
	struct store_sqlite *l = store_sqlite_of(st);

	if (!l)
		return AT_OK;
	return exec_sql(l->db, sql[on != 0]) == SQLITE_OK ? AT_OK : AT_STORAGE;
}

void store_release_memory(struct store *st)
{
	struct store_sqlite *l = store_sqlite_of(st);

	if (l)
		sqlite3_db_release_memory(l->db);
}

/* ==== WAL checkpoints ================================================= */

enum at_code store_wal_autocheckpoint(struct store *st, int frames)
{
	struct store_sqlite *l = store_sqlite_of(st);

	if (!l)
		return AT_OK;
	return sqlite3_wal_autocheckpoint(l->db, frames) == SQLITE_OK ? AT_OK : AT_STORAGE;
}

enum at_code store_wal_checkpoint(struct store *st, enum store_ckpt mode, int *frames,
                                  int *moved, struct at_errors *e)
{
	struct store_sqlite *l = store_sqlite_of(st);
	int log = -1, done = -1, rc;

	if (!l) {
		/* No WAL to move: nothing waits. */
		if (frames)
			*frames = 0;
		if (moved)
			*moved = 0;
		return AT_OK;
	}
	if (mode == STORE_CKPT_TRUNCATE) {
		drv_sqlite_busy_wait(l->db, 0);
		rc = sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
		drv_sqlite_busy_wait(l->db, DRV_BUSY_TIMEOUT_MS);
	} else {
		rc = sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	}
	if (frames)
		*frames = log;
	if (moved)
		*moved = done;
	return rc == SQLITE_OK ? AT_OK : lite_fail(l->db, rc, e);
}

/* ==== backup and load ================================================= */

enum at_code store_backup(struct store *st, const char *path, struct at_errors *e)
{
	struct store_sqlite *l = store_sqlite_of(st);
	sqlite3 *dst = NULL;
	sqlite3_backup *b = NULL;
	enum at_code c = AT_OK;
	int rc;

	if (!l)
		return at_fail(e, AT_INVALID, "backup to a file is not on PostgreSQL yet: "
		               "back it up with pg_dump -Fc");
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		c = at_fail(e, AT_STORAGE, "cannot create backup %s: %s", path,
		            dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", l->db, "main");
	if (!b) {
		c = at_fail(e, AT_STORAGE, "cannot start backup to %s: %s", path,
		            sqlite3_errmsg(dst));
		goto out;
	}
	/* Copy in steps so writers on other connections are not starved. */
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_DONE) {
		c = at_fail(e, AT_STORAGE, "backup to %s failed: %s", path, sqlite3_errstr(rc));
		goto out;
	}
	/* A backup is a plain rollback-journal file: one file to copy. */
	exec_sql(dst, "PRAGMA journal_mode = DELETE");
out:
	if (b)
		sqlite3_backup_finish(b);
	sqlite3_close(dst);
	return c;
}

enum at_code store_load(struct store *st, const char *path, struct at_errors *e)
{
	struct store_sqlite *l = store_sqlite_of(st);
	sqlite3 *src = NULL;
	sqlite3_backup *b = NULL;
	enum at_code c = AT_OK;
	int rc;

	if (!l)
		return at_fail(e, AT_INVALID, "loading a file is not on PostgreSQL yet");
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		c = at_fail(e, AT_NOT_FOUND, "cannot open %s: %s", path,
		            src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(l->db, "main", src, "main");
	if (!b) {
		c = at_fail(e, AT_STORAGE, "cannot load %s: %s", path, sqlite3_errmsg(l->db));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_DONE) {
		c = at_fail(e, rc == SQLITE_NOTADB ? AT_INVALID : AT_STORAGE,
		            "cannot load %s: %s", path, sqlite3_errstr(rc));
		goto out;
	}
	/* The copy carries the file's user_version; refuse another schema. */
	if (store_schema_version(st) != schema_nmigrations)
		c = at_fail(e, AT_INVALID, "%s has schema version %d, not %d", path,
		            store_schema_version(st), schema_nmigrations);
out:
	sqlite3_close(src);
	return c;
}
