/*
 * db.c — database lifecycle for front ends (core/db.h), over store/.
 */
#include "core/db.h"
#include "core/import.h"

#include "store/store.h"
#include "store/drv_pg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_is_server(const char *db)
{
	return drv_pg_is_uri(db);
}

/* Append n bytes of s to out (o used of cap), cut to fit. */
static void put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n >= cap)
		n = cap - 1 - *o;
	memcpy(out + *o, s, n);
	*o += n;
}

void db_display(const char *db, char *out, size_t cap)
{
	const char *auth, *at, *rest, *qs;
	size_t o = 0;

	if (!cap)
		return;
	if (!db_is_server(db)) {
		snprintf(out, cap, "%s", db ? db : "");
		return;
	}
	auth = strstr(db, "://") + 3;
	put(out, cap, &o, db, (size_t)(auth - db));
	/* user[:password]@ comes before the host, path and parameters */
	at = strchr(auth, '@');
	if (at && at > auth + strcspn(auth, "/?"))
		at = NULL;
	if (at) {
		size_t user = strcspn(auth, ":@");
		if (user) {
			put(out, cap, &o, auth, user);
			put(out, cap, &o, "@", 1);
		}
	}
	rest = at ? at + 1 : auth;
	qs = strchr(rest, '?');
	put(out, cap, &o, rest, qs ? (size_t)(qs - rest) : strlen(rest));
	if (qs) {
		char sep = '?';

		for (const char *kv = qs + 1; *kv;) {
			size_t n = strcspn(kv, "&");

			if (n && strncmp(kv, "password=", 9) != 0) {
				put(out, cap, &o, &sep, 1);
				put(out, cap, &o, kv, n);
				sep = '&';
			}
			kv += n + (kv[n] == '&');
		}
	}
	out[o] = '\0';
}

int db_local_base(const char *db, char *out, size_t cap)
{
	char shown[2048], name[64] = "";
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *dir = getenv("ASSETTRACK_STATE_DIR"), *path;
	size_t n = 0;
	int w;

	if (!db_is_server(db)) {
		w = snprintf(out, cap, "%s", db);
		return w < 0 || (size_t)w >= cap ? -1 : 0;
	}
	db_display(db, shown, sizeof(shown));
	crypto_hash_sha256(h, (const unsigned char *)shown, strlen(shown));
	/* the database's name: the URI's path, or a dbname= parameter */
	path = strstr(db, "://") + 3;
	path += strcspn(path, "/?");
	if (*path == '/')
		for (path++; *path && *path != '?' && n + 1 < sizeof(name); path++)
			if ((*path >= 'a' && *path <= 'z') || (*path >= 'A' && *path <= 'Z') ||
			    (*path >= '0' && *path <= '9') || *path == '-' || *path == '_')
				name[n++] = *path;
	name[n] = '\0';
	w = snprintf(out, cap, "%s/assettrack-pg-%s%s%02x%02x%02x%02x", dir && *dir ? dir : ".",
	             name, n ? "-" : "", h[0], h[1], h[2], h[3]);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

/*
 * An import a crash interrupted (core/import_job.c) is finished when the
 * database is opened to work on, as SQLite rolls back a hot journal: a
 * job that began applying was decided, and only its rows' slices remain.
 * Its process must be gone (on this host) or silent for IMPORT_STALE_S
 * seconds; one still running is left to finish.  A failure here is said
 * and left for the next open: the database is usable meanwhile (the
 * import's gate holds off only what could change its outcome).
 */
void db_finish_import(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	enum at_code c;

	memset(&rep, 0, sizeof(rep));
	c = import_recover(st, IMPORT_STALE_S, &rep, &e);
	if (c == AT_OK && rep.rows)
		fprintf(stderr, "assettrack: finished an import a crash interrupted: %zu more rows "
		        "applied (batch %s)\n", rep.created, rep.batch_id);
	else if (c != AT_OK && c != AT_CONFLICT)
		fprintf(stderr, "assettrack: an import a crash interrupted is not finished yet: %s\n",
		        e.message);
	import_report_free(&rep);
	at_errors_free(&e);
}

enum at_code db_open(const char *path, int flags, struct store **out, struct at_errors *e)
{
	enum at_code c = store_open(path,
	                            ((flags & DB_CREATE) ? STORE_CREATE : 0) |
	                                    ((flags & DB_READONLY) ? STORE_READONLY : 0),
	                            out, e);

	if (c == AT_OK && (flags & DB_CREATE))
		db_finish_import(*out);
	return c;
}

void db_close(struct store *st)
{
	store_close(st);
}

int db_usable(struct store *st)
{
	return store_usable(st);
}

enum at_code db_grant_app(struct store *st, const char *app, struct at_errors *e)
{
	return store_grant_app(st, app, e);
}

int db_schema_version(struct store *st)
{
	return store_schema_version(st);
}

enum at_code db_backup(struct store *st, const char *path, struct at_errors *e)
{
	return store_backup(st, path, e);
}

const char *db_errmsg(struct store *st)
{
	return store_errmsg(st);
}

void db_release_memory(struct store *st)
{
	store_release_memory(st);
}

enum at_code db_read_begin(struct store *st, struct at_errors *e)
{
	return store_begin_read(st, e);
}

void db_read_end(struct store *st)
{
	store_rollback(st);
}

enum at_code db_read_snapshot(struct store *st, struct at_errors *e)
{
	return store_read_snapshot(st, e);
}

int64_t db_data_version(struct store *st)
{
	return store_data_version(st);
}

int64_t db_event_count(struct store *st)
{
	return store_event_count(st);
}

int64_t db_user_count(struct store *st)
{
	return store_user_count(st);
}

void db_wal_manual(db_wal_fn fn, void *ctx)
{
	store_wal_manual(fn, ctx);
}

enum at_code db_wal_checkpoint(struct store *st, int truncate, int *frames, int *moved,
                               struct at_errors *e)
{
	return store_wal_checkpoint(st, truncate ? STORE_CKPT_TRUNCATE : STORE_CKPT_PASSIVE, frames,
	                            moved, e);
}
