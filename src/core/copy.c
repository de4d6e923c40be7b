/*
 * copy.c — a whole database into another (copy.h).
 */
#include "core/copy.h"

#include <stdio.h>
#include <string.h>

#include "core/backup.h"
#include "core/checkpoint.h"
#include "store/store.h"
#include "util/text.h"

struct copy_progress {
	verify_progress_cb fn;
	void *ctx;
};

/* store_copy's table names as the phase "copying TABLE". */
static void copy_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
	const struct copy_progress *p = ctx;
	char phase[64];

	snprintf(phase, sizeof(phase), "copying %s", table);
	p->fn(p->ctx, phase, done, total);
}

/* What the source is, read inside its snapshot: the head and the digest
 * the copy must reach. */
static enum at_code source_facts(struct store *src, struct copy_result *res,
                                 struct at_errors *e)
{
	enum at_code c = verify_head(src, &res->head, e);

	return c == AT_OK ? checkpoint_state_digest(src, res->state, e) : c;
}

/* Rows of the source into the destination, one transaction each side. */
static enum at_code copy_rows(struct store *src, struct store *dst, const char *source,
                              const char *actor, struct copy_result *res,
                              struct copy_progress *p, struct at_errors *e)
{
	enum at_code c = store_begin_read(src, e);

	if (c != AT_OK)
		return c;
	if ((c = source_facts(src, res, e)) != AT_OK)
		goto out;
	store_bulk(dst, 1);
	if ((c = store_begin(dst, e)) != AT_OK)
		goto out;
	c = store_copy(src, dst, p->fn ? copy_progress : NULL, p, e);
	if (c == AT_OK && source) {
		char now[AT_TIME_LEN + 1], details[96];

		text_now(now);
		snprintf(details, sizeof(details), "{\"events\":%lld,\"head\":\"%.16s\"}",
		         (long long)res->head.seq, res->head.hash);
		if (store_security_log(dst, now, actor, "DATABASE_COPIED", source, details) != AT_OK)
			c = at_fail(e, AT_STORAGE, "cannot record the copy in its security log: %s",
			            store_errmsg(dst));
	}
	if (c == AT_OK)
		c = store_commit(dst, e);
	if (c != AT_OK)
		store_rollback(dst);
out:
	store_bulk(dst, 0);
	store_rollback(src);
	return c;
}

/* The committed copy, proved (copy.h). */
static enum at_code copy_prove(struct store *dst, const struct copy_result *want,
                               verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	struct verify_report r = { 0 };
	struct anchor head;
	char state[AT_HASH_HEX + 1];
	enum at_code c = verify_run(dst, &r, progress, pctx, e);

	if (c != AT_OK)
		goto out;
	if (!r.ok) {
		c = at_fail(e, AT_INVALID, "the copy does not verify (%zu problems); the source "
		                           "does not either: run verify on it", r.nproblems);
		for (size_t i = 0; i < r.nproblems; i++)
			at_item(e, r.problems[i].code, AT_INVALID, "%s", r.problems[i].message);
		goto out;
	}
	if ((c = verify_head(dst, &head, e)) != AT_OK ||
	    (c = checkpoint_state_digest(dst, state, e)) != AT_OK)
		goto out;
	if (head.seq != want->head.seq || strcmp(head.hash, want->head.hash) != 0)
		c = at_fail(e, AT_INTERNAL, "the copy's head %lld:%.12s... is not the source's "
		                            "%lld:%.12s...", (long long)head.seq, head.hash,
		            (long long)want->head.seq, want->head.hash);
	else if (strcmp(state, want->state) != 0)
		c = at_fail(e, AT_INTERNAL, "the copy's state digest %.12s... is not the source's "
		                            "%.12s...", state, want->state);
out:
	verify_report_free(&r);
	return c;
}

enum at_code copy_database(struct store *src, struct store *dst, const char *source,
                           const char *actor, struct copy_result *res,
                           verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	struct copy_progress p = { progress, pctx };
	enum at_code c;

	memset(res, 0, sizeof(*res));
	c = copy_rows(src, dst, source, actor, res, &p, e);
	if (c == AT_OK)
		c = copy_prove(dst, res, progress, pctx, e);
	/* A verified chain has no gap: its head's seq is its length. */
	if (c == AT_OK) {
		res->events = res->head.seq;
		res->assets = store_asset_count(dst, 0, 0);
	}
	return c;
}

enum at_code copy_to_new_file(struct store *src, const char *path, struct copy_result *res,
                              verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	struct store *dst = NULL;
	enum at_code c = backup_claim_file(path, e);

	if (c != AT_OK)
		return c;
	c = store_open(path, STORE_CREATE, &dst, e);
	if (c == AT_OK)
		c = copy_database(src, dst, NULL, NULL, res, progress, pctx, e);
	store_close(dst);
	if (c != AT_OK)
		backup_remove_file(path);
	return c;
}
