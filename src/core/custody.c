/*
 * custody.c — Stock-Out and Stock-In batches.
 *
 * Both follow the same shape: take the write lock, resolve and check every
 * item (collecting every failure), and only if none failed apply all
 * changes and write one event per asset.  The whole batch is one
 * transaction, so a crash leaves all of it or none of it.
 */
#include "store/store.h"
#include "core/custody.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asset.h"
#include "core/holder.h"
#include "core/internal.h"
#include "core/place.h"
#include "util/text.h"

void custody_result_free(struct custody_result *r)
{
	if (!r)
		return;
	free(r->assets);
	r->assets = NULL;
	r->n = 0;
}

/* Index of an earlier item with the same asset id, or -1. */
static long find_dup(const struct asset *as, const int *ok, size_t upto, int64_t id)
{
	for (size_t i = 0; i < upto; i++)
		if (ok[i] && as[i].id == id)
			return (long)i;
	return -1;
}

/* Allocate the per-item work arrays of a batch. */
static enum at_code batch_alloc(size_t n, struct asset **as, int **ok, struct at_errors *e)
{
	*as = calloc(n, sizeof(**as));
	*ok = calloc(n, sizeof(**ok));
	if (!*as || !*ok) {
		free(*as);
		free(*ok);
		*as = NULL;
		*ok = NULL;
		return at_fail(e, AT_INTERNAL, "out of memory for a batch of %zu items", n);
	}
	return AT_OK;
}

/* Check batch size; AT_OK or a refusal. */
static enum at_code batch_size_ok(size_t n, const char *what, struct at_errors *e)
{
	if (n == 0)
		return at_fail(e, AT_INVALID, "nothing to %s: scan at least one asset", what);
	if (n > AT_MAX_BATCH)
		return at_fail(e, AT_TOO_LARGE, "a batch holds at most %d assets, not %zu",
		               AT_MAX_BATCH, n);
	return AT_OK;
}

/* Resolve item i into as[i]; on failure add an item and return non-OK.
 * Duplicates of an earlier item are refused. */
static enum at_code resolve_item(struct store *st, const char *tag, size_t i, struct asset *as,
                                 int *ok, struct at_errors *e)
{
	char cleaned[AT_INPUT_MAX], why[AT_MSG_MAX];
	enum at_code c = asset_resolve(st, tag ? tag : "", &as[i], cleaned, why);
	long d;

	if (c == AT_STORAGE || c == AT_BUSY)
		return c;
	if (c != AT_OK) {
		at_item(e, cleaned, c, "%s", why);
		return c;
	}
	d = find_dup(as, ok, i, as[i].id);
	if (d >= 0) {
		at_item(e, cleaned, AT_DUPLICATE_IN_BATCH, "%s is in this batch twice (items %ld and %zu)",
		        as[i].tag, d + 1, i + 1);
		return AT_DUPLICATE_IN_BATCH;
	}
	return AT_OK;
}

/* Commit (the events the writer keeps in bulk mode first: op_start) or
 * roll back; after a commit, hand the assets (kept up to date in memory
 * as they were saved, join fields included) to `res`.  Reading 500 rows
 * back after the commit cost 7% of a batch for nothing new. */
static enum at_code finish(struct store *st, enum at_code c, struct asset *as, size_t n,
                           struct event_writer *w, struct custody_result *res,
                           struct at_errors *e)
{
	if (c == AT_OK)
		c = event_writer_flush(w, e);
	c = op_end(st, c, e);
	event_writer_release(w);
	if (c != AT_OK || !res)
		return c;
	snprintf(res->batch_id, sizeof(res->batch_id), "%s", w->batch_id);
	res->head.seq = w->seq;
	memcpy(res->head.hash, w->hash, sizeof(res->head.hash));
	res->assets = as;
	res->n = n;
	return AT_OK;
}

/*
 * Open the batch's transaction and event writer, in bulk mode: its events
 * go in STORE_EVENT_BULK to a statement, at the end.  The schema's CHECK
 * on the event type is an IN list, which SQLite builds into a temporary
 * b-tree, fills and frees once per statement run: a third of a one-row
 * insert's instructions (issue #9).  finish() flushes and releases.
 */
static enum at_code op_start(struct store *st, const char *actor, struct event_writer *w,
                             struct at_errors *e)
{
	enum at_code c = op_begin(st, actor, w, e);

	if (c == AT_OK && (c = event_writer_bulk(w, e)) != AT_OK)
		store_rollback(st);
	return c;
}

/* ==== Stock-Out ======================================================= */

enum at_code custody_stock_out(struct store *st, const char *actor, struct holder_ref holder,
                               const char *due, const char *const *tags, size_t n,
                               struct custody_result *res, struct at_errors *e)
{
	char due_clean[16] = "", today[11], why[AT_MSG_MAX], where[AT_MSG_MAX];
	char *details_text = NULL;
	struct asset *as = NULL;
	int *ok = NULL;
	struct holder h;
	struct event_writer w;
	struct event ev;
	json_t *details = NULL;
	enum at_code c;
	size_t i;

	if (res)
		memset(res, 0, sizeof(*res));
	if ((c = batch_size_ok(n, "stock out", e)) != AT_OK)
		return c;
	/* NULL is "no due date"; any text, even empty or blank, must be a
	 * date: an empty string is a malformed date, not a way to say none. */
	if (due) {
		int bad = text_clean_field(due, due_clean, sizeof(due_clean), 10, 0, 0, "due", why) < 0;
		if (!bad && !due_clean[0]) {
			snprintf(why, sizeof(why), "an empty due date is not a date: give YYYY-MM-DD, "
			                           "or none");
			bad = 1;
		}
		if (bad || text_valid_date(due_clean, why) < 0)
			return at_fail(e, AT_INVALID, "due date: %s", why);
		text_today(today);
		if (strcmp(due_clean, today) < 0)
			return at_fail(e, AT_INVALID, "due date %s is in the past (today is %s)",
			               due_clean, today);
	}
	if ((c = batch_alloc(n, &as, &ok, e)) != AT_OK)
		return c;

	c = op_start(st, actor, &w, e);
	if (c != AT_OK)
		goto done;
	if (holder.text && holder.badge_only)
		c = holder_by_badge(st, holder.text, &h, why);
	else if (holder.text)
		c = holder_resolve(st, holder.text, &h, why);
	else if ((c = store_holder_by_id(st, holder.id, &h)) == AT_NOT_FOUND)
		snprintf(why, sizeof(why), "there is no holder #%lld", (long long)holder.id);
	if (c == AT_STORAGE || c == AT_BUSY)
		goto storage;
	if (c != AT_OK) {
		at_item(e, holder.text ? holder.text : "holder", c, "%s", why);
	} else if (!h.active) {
		at_item(e, h.badge[0] ? h.badge : h.name, AT_HOLDER_INACTIVE,
		        "%s is deactivated and cannot take custody", h.name);
	}
	if ((c = asset_prefetch(st, tags, n)) != AT_OK)
		goto storage;
	for (i = 0; i < n; i++) {
		c = resolve_item(st, tags[i], i, as, ok, e);
		if (c == AT_STORAGE || c == AT_BUSY)
			goto storage;
		if (c != AT_OK)
			continue;
		if (as[i].state != ASSET_STORAGE) {
			asset_whereabouts(&as[i], where, sizeof(where));
			at_item(e, as[i].tag,
			        as[i].state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_STORAGE,
			        "%s: %s; Stock-Out needs an asset in storage", as[i].tag, where);
		} else if (!as[i].case_id) {
			at_item(e, as[i].tag, AT_NOT_SLOTTED,
			        "%s: in storage but in no slot; assign it a slot before Stock-Out",
			        as[i].tag);
		}
		ok[i] = 1;
	}
	if (e->nitems) {
		c = at_items_done(e, n);
		goto out;
	}

	/* Every event of the batch has the same details: written once. */
	details = json_object();
	json_set_text(details, "due", due_clean);
	details_text = event_details_text(details);
	if (!details_text) {
		c = at_fail(e, AT_INTERNAL, "out of memory serialising event details");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct asset *a = &as[i];
		memset(&ev, 0, sizeof(ev));
		ev.type = "STOCK_OUT";
		ev.asset_tag = a->tag;
		ev.from_case = a->case_name;
		ev.from_position = a->position;
		ev.holder_id = h.id;
		a->last_case_id = a->case_id;
		a->last_position = a->position;
		memcpy(a->last_case_name, a->case_name, sizeof(a->last_case_name));
		a->case_id = 0;
		a->position = 0;
		a->state = ASSET_IN_CUSTODY;
		a->holder_id = h.id;
		memcpy(a->holder_name, h.name, sizeof(a->holder_name));
		snprintf(a->due, sizeof(a->due), "%s", due_clean);
		memcpy(a->custody_since, w.at, sizeof(a->custody_since));
		memcpy(a->updated_at, w.at, sizeof(a->updated_at));
		c = event_append_text(&w, &ev, details_text, e);
		if (c != AT_OK)
			goto out;
		a->case_name[0] = '\0'; /* after the event, which quotes it */
	}
	c = store_assets_save_custody(st, as, n, e);
	goto out;
storage:
	c = storage_fail(st, e, c);
out:
	c = finish(st, c, as, n, &w, res, e);
	if (c == AT_OK && res)
		as = NULL; /* owned by res now */
done:
	json_decref(details);
	free(details_text);
	free(as);
	free(ok);
	return c;
}

/* ==== Stock-In ======================================================== */

/* A destination chosen for item i: case id and position. */
struct dest {
	int64_t case_id;
	int position;
	char case_name[AT_NAME_MAX + 1];
};

/*
 * A Stock-In's reads made ahead where that saves round trips (PostgreSQL:
 * store_reads_ahead): its assets, then the slots they go back to when no
 * destination is given, each in one statement.  The checks below then
 * read them as before.  Destinations given by case name are left to
 * those checks (they look the case up by name first).
 */
static enum at_code read_ahead_in(struct store *st, const struct stock_in_item *items, size_t n)
{
	const char **tags;
	int64_t *cases;
	int *pos;
	size_t m = 0;
	enum at_code c = AT_OK;
	char why[AT_MSG_MAX];
	struct asset a;

	if (!store_reads_ahead(st) || n < 2)
		return AT_OK;
	tags = malloc(n * sizeof(*tags));
	cases = malloc(n * sizeof(*cases));
	pos = malloc(n * sizeof(*pos));
	if (tags && cases && pos) {
		for (size_t i = 0; i < n; i++)
			tags[i] = items[i].tag;
		c = asset_prefetch(st, tags, n);
		for (size_t i = 0; c == AT_OK && i < n; i++) {
			if (items[i].case_name || !items[i].tag)
				continue;
			enum at_code r = asset_resolve(st, items[i].tag, &a, NULL, why);
			if (r == AT_STORAGE || r == AT_BUSY)
				c = r;
			else if (r == AT_OK && a.state == ASSET_IN_CUSTODY && a.last_case_id) {
				cases[m] = a.last_case_id;
				pos[m++] = a.last_position;
			}
		}
		if (c == AT_OK && m)
			c = store_slot_prefetch(st, cases, pos, m);
	}
	free(tags);
	free(cases);
	free(pos);
	return c;
}

enum at_code custody_stock_in(struct store *st, const char *actor,
                              const struct stock_in_item *items, size_t n,
                              struct custody_result *res, struct at_errors *e)
{
	char why[AT_MSG_MAX], where[AT_MSG_MAX], cname[AT_NAME_MAX + 1];
	struct asset *as = NULL, other;
	struct dest *dst = NULL;
	int *ok = NULL;
	struct case_info cs;
	struct event_writer w;
	struct event ev;
	enum at_code c;
	size_t i;

	if (res)
		memset(res, 0, sizeof(*res));
	if ((c = batch_size_ok(n, "stock in", e)) != AT_OK)
		return c;
	if ((c = batch_alloc(n, &as, &ok, e)) != AT_OK)
		return c;
	dst = calloc(n, sizeof(*dst));
	if (!dst) {
		c = at_fail(e, AT_INTERNAL, "out of memory for a batch of %zu items", n);
		goto done;
	}

	c = op_start(st, actor, &w, e);
	if (c != AT_OK)
		goto done;
	if ((c = read_ahead_in(st, items, n)) != AT_OK)
		goto storage;
	for (i = 0; i < n; i++) {
		const struct stock_in_item *it = &items[i];
		c = resolve_item(st, it->tag, i, as, ok, e);
		if (c == AT_STORAGE || c == AT_BUSY)
			goto storage;
		if (c != AT_OK)
			continue;
		ok[i] = 1;
		if (as[i].state != ASSET_IN_CUSTODY) {
			asset_whereabouts(&as[i], where, sizeof(where));
			at_item(e, as[i].tag,
			        as[i].state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_CUSTODY,
			        "%s: %s; Stock-In needs an asset in custody", as[i].tag, where);
			continue;
		}
		/* Destination: the given slot, else the one it left at Stock-Out. */
		if (it->case_name) {
			if (text_clean_field(it->case_name, cname, sizeof(cname), AT_NAME_MAX, 1, 0,
			                     "case", why) < 0) {
				at_item(e, as[i].tag, AT_INVALID, "%s: %s", as[i].tag, why);
				continue;
			}
			c = place_find_slot(st, cname, it->position, &cs, why);
			if (c == AT_STORAGE || c == AT_BUSY)
				goto storage;
			if (c != AT_OK) {
				at_item(e, as[i].tag, c, "%s: %s", as[i].tag, why);
				continue;
			}
			dst[i].case_id = cs.id;
			dst[i].position = (int)it->position;
			snprintf(dst[i].case_name, sizeof(dst[i].case_name), "%s", cs.name);
		} else if (as[i].last_case_id) {
			dst[i].case_id = as[i].last_case_id;
			dst[i].position = as[i].last_position;
			snprintf(dst[i].case_name, sizeof(dst[i].case_name), "%s",
			         as[i].last_case_name);
		} else {
			at_item(e, as[i].tag, AT_INVALID,
			        "%s left no slot at Stock-Out; give its destination (%s@CASE:POS)",
			        as[i].tag, as[i].tag);
			continue;
		}
		c = store_asset_in_slot(st, dst[i].case_id, dst[i].position, &other);
		if (c == AT_OK) {
			at_item(e, as[i].tag, AT_SLOT_OCCUPIED,
			        it->case_name ? "%s: slot %s/%d holds %s"
			                      : "%s: its slot %s/%d now holds %s; give another "
			                        "destination",
			        as[i].tag, dst[i].case_name, dst[i].position, other.tag);
			dst[i].case_id = 0;
			continue;
		}
		if (c != AT_NOT_FOUND)
			goto storage;
		for (size_t j = 0; j < i; j++) {
			if (dst[j].case_id == dst[i].case_id && dst[j].position == dst[i].position) {
				at_item(e, as[i].tag, AT_DUPLICATE_IN_BATCH,
				        "%s: slot %s/%d is also the destination of %s", as[i].tag,
				        dst[i].case_name, dst[i].position, as[j].tag);
				dst[i].case_id = 0;
				break;
			}
		}
	}
	if (e->nitems) {
		c = at_items_done(e, n);
		goto out;
	}

	for (i = 0; i < n; i++) {
		struct asset *a = &as[i];
		memset(&ev, 0, sizeof(ev));
		ev.type = "STOCK_IN";
		ev.asset_tag = a->tag;
		ev.to_case = dst[i].case_name;
		ev.to_position = dst[i].position;
		ev.holder_id = a->holder_id;
		a->state = ASSET_STORAGE;
		a->holder_id = 0;
		a->due[0] = '\0';
		a->custody_since[0] = '\0';
		a->holder_name[0] = '\0';
		a->case_id = dst[i].case_id;
		a->position = dst[i].position;
		memcpy(a->case_name, dst[i].case_name, sizeof(a->case_name));
		memcpy(a->updated_at, w.at, sizeof(a->updated_at));
		c = event_append_text(&w, &ev, "{}", e);
		if (c != AT_OK)
			goto out;
	}
	c = store_assets_save_custody(st, as, n, e);
	goto out;
storage:
	c = storage_fail(st, e, c);
out:
	c = finish(st, c, as, n, &w, res, e);
	if (c == AT_OK && res)
		as = NULL;
done:
	free(as);
	free(ok);
	free(dst);
	return c;
}
