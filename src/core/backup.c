/*
 * backup.c — backups and restores of the whole database (core/backup.h).
 */
#include "core/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_file.h"
#include "util/text.h"

/* ==== summaries ======================================================== */

static void summary_from(struct backup_summary *sum, const struct store_file_info *in)
{
	memset(sum, 0, sizeof(*sum));
	sum->schema = in->user_version;
	sum->assets = in->assets;
	sum->events = in->events;
	sum->holders = in->holders;
	sum->cases = in->cases;
	sum->users = in->users;
	memcpy(sum->newest_event, in->newest_event, sizeof(sum->newest_event));
}

enum at_code backup_summary_of(const char *db_path, struct backup_summary *sum,
                               struct at_errors *e)
{
	struct store_file_info info;
	enum at_code c = store_file_probe(db_path, 0, &info, e);

	summary_from(sum, &info);
	return c;
}

void backup_remove_file(const char *path)
{
	static const char *const sfx[] = { "", "-journal", "-wal", "-shm" };
	char p[AT_PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

/* ==== backup =========================================================== */

enum at_code backup_claim_file(const char *path, struct at_errors *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return at_fail(e, errno == EEXIST ? AT_CONFLICT : AT_STORAGE,
		               "cannot create %s: %s", path, strerror(errno));
	close(fd);
	return AT_OK;
}

enum at_code backup_write(struct store *st, const char *path, const char *actor,
                          int64_t *events, struct at_errors *e)
{
	char now[AT_TIME_LEN + 1], details[64];
	enum at_code c = backup_claim_file(path, e);

	if (c != AT_OK)
		return c;
	c = store_backup(st, path, e);
	if (c != AT_OK) {
		backup_remove_file(path);
		return c;
	}
	*events = store_event_count(st);
	text_now(now);
	snprintf(details, sizeof(details), "{\"events\":%lld}", (long long)*events);
	/* The copy is made: a log entry that fails to be written does not
	 * undo it, but is said. */
	if (store_security_log(st, now, actor, "DATABASE_BACKUP", "download", details) != AT_OK)
		fprintf(stderr, "assettrack: backup made, but the security log entry failed: %s\n",
		        store_errmsg(st));
	return AT_OK;
}

/* ==== checking a file ================================================== */

enum at_code backup_stage(const char *file, const char *staged, struct at_errors *e)
{
	return store_file_copy(file, staged, e);
}

/* The schema version and page size a restore must match: the live file's. */
static enum at_code live_facts(const char *db_path, struct store_file_info *live,
                               struct at_errors *e)
{
	enum at_code c = store_file_probe(db_path, 0, live, e);

	if (c == AT_OK && !live->assettrack)
		c = at_fail(e, AT_STORAGE, "%s is not an AssetTrack database", db_path);
	return c;
}

/* The file's kind, version and page size against the live database's. */
static enum at_code check_kind(const char *name, const struct store_file_info *f,
                               const struct store_file_info *live, struct at_errors *e)
{
	if (!f->assettrack)
		return at_fail(e, AT_INVALID,
		               "%s is a SQLite database, but not an AssetTrack one (it lacks "
		               "AssetTrack's tables)", name);
	if (f->user_version > live->user_version)
		return at_fail(e, AT_INVALID,
		               "%s has schema version %d, newer than this assettrack's %d: restore "
		               "it with the assettrack that wrote it", name, f->user_version,
		               live->user_version);
	if (f->user_version < live->user_version)
		return at_fail(e, AT_INVALID,
		               "%s has schema version %d, older than this assettrack's %d: upgrade "
		               "a copy first (assettrack --db COPY init), then restore the copy",
		               name, f->user_version, live->user_version);
	if (f->page_size != live->page_size)
		return at_fail(e, AT_INVALID,
		               "%s uses %d-byte pages and this database %d-byte ones; make a "
		               "backup of it with assettrack backup and restore that", name,
		               f->page_size, live->page_size);
	if (strcmp(f->integrity, "ok") != 0) {
		at_item(e, "INTEGRITY", AT_INVALID, "%s", f->integrity);
		return at_fail(e, AT_INVALID, "%s is damaged: SQLite's integrity check failed",
		               name);
	}
	return AT_OK;
}

/* A full verify of the file opened read-only; each problem an item. */
static enum at_code check_verify(const char *path, const char *name,
                                 verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	struct verify_report r;
	struct store *st = NULL;
	enum at_code c;

	memset(&r, 0, sizeof(r));
	c = store_open(path, STORE_READONLY, &st, e);
	if (c == AT_OK)
		c = verify_run(st, &r, progress, pctx, e);
	store_close(st);
	if (c != AT_OK)
		return c;
	if (!r.ok) {
		for (size_t i = 0; i < r.nproblems; i++)
			at_item(e, r.problems[i].code, AT_INVALID, "%s", r.problems[i].message);
		c = at_fail(e, AT_INVALID, "%s does not verify: %zu problem%s in %lld events; "
		            "nothing was replaced", name, r.nproblems + r.dropped,
		            r.nproblems + r.dropped == 1 ? "" : "s", (long long)r.events);
	}
	verify_report_free(&r);
	return c;
}

enum at_code backup_check(const char *path, const char *name, const char *db_path,
                          struct backup_summary *sum, verify_progress_cb progress, void *pctx,
                          struct at_errors *e)
{
	struct store_file_info f, live;
	enum at_code c;

	memset(sum, 0, sizeof(*sum));
	c = store_file_probe(path, STORE_PROBE_INTEGRITY, &f, e);
	if (c != AT_OK) {
		/* The staged copy's path means nothing to the user: say theirs. */
		if (c == AT_INVALID)
			at_fail(e, c, "%s is not a usable SQLite database", name);
		return c;
	}
	summary_from(sum, &f);
	c = live_facts(db_path, &live, e);
	if (c == AT_OK)
		c = check_kind(name, &f, &live, e);
	if (c == AT_OK)
		c = check_verify(path, name, progress, pctx, e);
	return c;
}

/* ==== replacing the database =========================================== */

/* "20260302-140305" from now (UTC). */
static void stamp_now(char out[16])
{
	char now[AT_TIME_LEN + 1];

	text_now(now);
	/* YYYY-MM-DDTHH:MM:SS.mmmZ */
	snprintf(out, 16, "%.4s%.2s%.2s-%.2s%.2s%.2s", now, now + 5, now + 8, now + 11, now + 14,
	         now + 17);
}

/* Claim DB.replaced-STAMP (or -STAMP-N) exclusively; its suffix into sfx. */
static enum at_code claim_kept(const char *db_path, char *kept, size_t cap, char *sfx,
                               size_t sfx_cap, struct at_errors *e)
{
	char stamp[16];
	int fd = -1;

	stamp_now(stamp);
	for (int n = 1; n < 100 && fd < 0; n++) {
		if (n == 1)
			snprintf(sfx, sfx_cap, ".replaced-%s", stamp);
		else
			snprintf(sfx, sfx_cap, ".replaced-%s-%d", stamp, n);
		snprintf(kept, cap, "%s%s", db_path, sfx);
		fd = open(kept, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return at_fail(e, AT_STORAGE, "cannot create %s: %s", kept, strerror(errno));
	close(fd);
	return AT_OK;
}

/* Move the signed checkpoints of the replaced log aside (with `sfx`). */
static void checkpoints_aside(const char *db_path, const char *sfx, char *moved, size_t cap)
{
	char paths[3][AT_PATH_MAX], from[AT_PATH_MAX + 16], to[AT_PATH_MAX + 64];
	struct checkpoint_paths p = { 0 };

	moved[0] = '\0';
	checkpoint_paths_default(&p, db_path, paths);
	snprintf(to, sizeof(to), "%s%s", p.file, sfx);
	if (rename(p.file, to) == 0)
		snprintf(moved, cap, "%s", to);
	snprintf(from, sizeof(from), "%s.state", p.file);
	snprintf(to, sizeof(to), "%s.state%s", p.file, sfx);
	rename(from, to);
}

/* DATABASE_RESTORED in the restored database's security log. */
static void log_restore(struct store *st, const char *actor, const char *source,
                        const struct restore_result *res)
{
	char now[AT_TIME_LEN + 1], details[AT_PATH_MAX + 128], src[200];
	const char *base = strrchr(res->kept, '/');
	json_t *j;
	char *text;

	text_utf8_repair(source, src, sizeof(src));
	j = json_pack("{s:s, s:I, s:I}", "kept", base ? base + 1 : res->kept, "events",
	              (json_int_t)res->after.events, "replaced_events",
	              (json_int_t)res->before.events);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	snprintf(details, sizeof(details), "%s", text ? text : "");
	free(text);
	json_decref(j);
	text_now(now);
	if (store_security_log(st, now, actor, "DATABASE_RESTORED", src, details) != AT_OK)
		fprintf(stderr, "assettrack: restored, but the security log entry failed: %s\n",
		        store_errmsg(st));
}

enum at_code backup_replace(struct store *st, const char *db_path, const char *staged,
                            const char *source, const char *actor, struct restore_result *res,
                            struct at_errors *e)
{
	char sfx[48];
	enum at_code c;

	memset(res, 0, sizeof(*res));
	c = backup_summary_of(db_path, &res->before, e);
	if (c == AT_OK)
		c = claim_kept(db_path, res->kept, sizeof(res->kept), sfx, sizeof(sfx), e);
	if (c != AT_OK)
		return c;
	/* A complete copy through the backup API: it reads through the
	 * write-ahead log, so nothing committed is left behind in it. */
	c = store_backup(st, res->kept, e);
	if (c == AT_OK)
		c = store_load(st, staged, e);
	if (c != AT_OK) {
		backup_remove_file(res->kept);
		res->kept[0] = '\0';
		return c;
	}
	checkpoints_aside(db_path, sfx, res->checkpoints_kept, sizeof(res->checkpoints_kept));
	store_file_wal_truncate(db_path);
	if (backup_summary_of(db_path, &res->after, NULL) != AT_OK)
		memset(&res->after, 0, sizeof(res->after));
	log_restore(st, actor, source, res);
	return AT_OK;
}

enum at_code backup_restore(struct store *st, const char *db_path, const char *file,
                            const char *actor, struct restore_result *res,
                            verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	struct backup_summary sum;
	char staged[AT_PATH_MAX + 64];
	enum at_code c;

	memset(res, 0, sizeof(*res));
	snprintf(staged, sizeof(staged), "%s.restore-%ld.tmp", db_path, (long)getpid());
	backup_remove_file(staged);
	c = backup_stage(file, staged, e);
	if (c == AT_OK)
		c = backup_check(staged, file, db_path, &sum, progress, pctx, e);
	if (c == AT_OK)
		c = backup_replace(st, db_path, staged, file, actor, res, e);
	backup_remove_file(staged);
	return c;
}
