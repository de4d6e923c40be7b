/*
 * db.c — database lifecycle for front ends (core/db.h), over store/.
 */
#include "core/db.h"

#include "store/store.h"

enum at_code db_open(const char *path, int flags, struct store **out, struct at_errors *e)
{
	return store_open(path, (flags & DB_CREATE) ? STORE_CREATE : 0, out, e);
}

void db_close(struct store *st)
{
	store_close(st);
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
