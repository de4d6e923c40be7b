/*
 * store_file.c — whole database files (store/store_file.h): probe, copy,
 * tidy the write-ahead log.  Each function opens its own connection on a
 * path and closes it before returning.
 */
#include "store/store_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Our tables: a file with all of them is an AssetTrack database. */
#define OUR_TABLES \
	"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN " \
	"('events', 'assets', 'holders', 'cases', 'slots', 'users')"
#define N_OUR_TABLES 6

/* Map an open or read failure on a file that is not ours (yet). */
static enum at_code file_fail(struct at_errors *e, sqlite3 *db, int rc, const char *path)
{
	int prim = rc & 0xff;
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (prim == SQLITE_CANTOPEN)
		return at_fail(e, AT_NOT_FOUND, "cannot open %s: %s", path,
		               errno ? strerror(errno) : msg);
	if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
		return at_fail(e, AT_INVALID, "%s is not a usable SQLite database (%s)", path, msg);
	return at_fail(e, AT_STORAGE, "cannot read %s: %s", path, msg);
}

/* First column of `sql`'s first row as an integer; *rc gets the result. */
static int64_t one_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0;

	*rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (*rc == SQLITE_OK) {
		*rc = sqlite3_step(s);
		if (*rc == SQLITE_ROW) {
			v = sqlite3_column_int64(s, 0);
			*rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return v;
}

/* First column of `sql`'s first row as text into out (cap); NULL is "". */
static int one_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	out[0] = '\0';
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);
			snprintf(out, cap, "%s", t ? (const char *)t : "");
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

static int open_ro(const char *path, sqlite3 **db)
{
	int rc;

	errno = 0;
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		sqlite3_busy_timeout(*db, 10000);
	return rc;
}

/* The row counts and newest event of one of our files. */
static int probe_counts(sqlite3 *db, struct store_file_info *info)
{
	int rc;

	info->assets = one_int(db, "SELECT count(*) FROM assets", &rc);
	/* The last seq is the count (seq runs 1..N without gaps, which
	 * verify checks) and costs one lookup, not a scan of a million. */
	if (rc == SQLITE_OK)
		info->events = one_int(db, "SELECT coalesce(max(seq), 0) FROM events", &rc);
	if (rc == SQLITE_OK)
		info->holders = one_int(db, "SELECT count(*) FROM holders", &rc);
	if (rc == SQLITE_OK)
		info->cases = one_int(db, "SELECT count(*) FROM cases", &rc);
	if (rc == SQLITE_OK)
		info->users = one_int(db, "SELECT count(*) FROM users", &rc);
	if (rc == SQLITE_OK)
		rc = one_text(db, "SELECT at FROM events ORDER BY seq DESC LIMIT 1",
		              info->newest_event, sizeof(info->newest_event));
	return rc;
}

enum at_code store_file_probe(const char *path, int flags, struct store_file_info *info,
                              struct at_errors *e)
{
	sqlite3 *db = NULL;
	enum at_code c = AT_OK;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = open_ro(path, &db);
	if (rc != SQLITE_OK) {
		c = file_fail(e, db, rc, path);
		goto out;
	}
	/* The first read is what finds out whether it is a database at all. */
	info->assettrack = one_int(db, OUR_TABLES, &rc) == N_OUR_TABLES;
	if (rc == SQLITE_OK)
		info->user_version = (int)one_int(db, "PRAGMA user_version", &rc);
	if (rc == SQLITE_OK)
		info->page_size = (int)one_int(db, "PRAGMA page_size", &rc);
	if (rc == SQLITE_OK && (flags & STORE_PROBE_INTEGRITY))
		rc = one_text(db, "PRAGMA quick_check(1)", info->integrity, sizeof(info->integrity));
	if (rc == SQLITE_OK && info->assettrack)
		rc = probe_counts(db, info);
	if (rc != SQLITE_OK)
		c = file_fail(e, db, rc, path);
out:
	sqlite3_close(db);
	return c;
}

enum at_code store_file_copy(const char *src, const char *dst, struct at_errors *e)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b = NULL;
	enum at_code c = AT_OK;
	int rc, fd, made = 0;

	/* Create it exclusively first: a copy never overwrites anything. */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return at_fail(e, errno == EEXIST ? AT_CONFLICT : AT_STORAGE, "cannot create %s: %s",
		               dst, strerror(errno));
	close(fd);
	made = 1;
	rc = open_ro(src, &from);
	if (rc == SQLITE_OK)
		one_int(from, "SELECT count(*) FROM sqlite_master", &rc);
	if (rc != SQLITE_OK) {
		c = file_fail(e, from, rc, src);
		goto out;
	}
	if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		c = at_fail(e, AT_STORAGE, "cannot open %s: %s", dst,
		            to ? sqlite3_errmsg(to) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		c = at_fail(e, AT_STORAGE, "cannot copy %s: %s", src, sqlite3_errmsg(to));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		c = file_fail(e, NULL, rc, src);
		goto out;
	}
	/* The copy came over in the source's journal mode: make it one file. */
	if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		c = at_fail(e, AT_STORAGE, "cannot finish %s: %s", dst, sqlite3_errmsg(to));
out:
	sqlite3_close(from);
	sqlite3_close(to);
	if (c != AT_OK && made)
		unlink(dst);
	return c;
}

void store_file_wal_truncate(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(db, 2000);
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	}
	sqlite3_close(db);
}
