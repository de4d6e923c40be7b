/*
 * verify.c — invariants, hash chain, and replay of the event log.
 *
 * Replay is a second, independent implementation of what each event type
 * means, applied to an empty in-memory database with the same schema.  If
 * the live tables were changed without an event, or an event was changed
 * after the fact, the replayed state or the hash chain differs.
 *
 * Events of one batch are applied in two phases: first every asset that an
 * event moves out of a slot leaves it, then every event takes effect.  That
 * is how one transaction can swap two assets between slots (replace) while
 * the scratch schema still holds "one slot, one asset" at every step.
 */
#include "store/store.h"
#include "core/verify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "core/attr.h"
#include "core/event.h"
#include "core/internal.h"
#include "util/text.h"

#define MAX_PROBLEMS 1000
#define PROGRESS_EVERY 20000

void verify_report_free(struct verify_report *r)
{
	if (!r)
		return;
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

__attribute__((format(printf, 3, 4))) static void problem(struct verify_report *r,
                                                          const char *code, const char *fmt,
                                                          ...)
{
	struct verify_problem *p;
	va_list ap;

	if (!r)
		return;
	r->ok = 0;
	if (r->nproblems >= MAX_PROBLEMS) {
		r->dropped++;
		return;
	}
	if (r->nproblems == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		p = realloc(r->problems, ncap * sizeof(*p));
		if (!p) {
			r->dropped++;
			return;
		}
		r->problems = p;
		r->cap = ncap;
	}
	p = &r->problems[r->nproblems++];
	snprintf(p->code, sizeof(p->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

void verify_add_problem(struct verify_report *r, const char *code, const char *message)
{
	problem(r, code, "%s", message);
}

/* ==== replay ========================================================== */

/* An event copied out of the iterator, kept until its batch is applied. */
struct ev_copy {
	struct event ev;
	json_t *details;
};

struct replay {
	struct store *scratch;
	int scratch_flags;                 /* STORE_SCRATCH_LARGE or 0 */
	struct verify_report *r;
	struct ev_copy *batch;
	size_t n, cap;
	/* hash chain state (verify only) */
	int check_chain;
	int64_t last_seq;
	char last_hash[AT_HASH_HEX + 1];
	int64_t seen, total;
	verify_progress_cb progress;
	void *pctx;
	enum at_code fatal;
	const char *until;           /* as-of replay: skip events after this */
	int64_t after_seq;           /* replay the events after this one */
	/* signed checkpoints the replay passes, ascending: each one's state
	 * digest is compared when the replay reaches its seq */
	const struct checkpoint *cks;
	size_t ncks, next_ck;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void free_copy(struct ev_copy *c)
{
	free((char *)c->ev.type);
	free((char *)c->ev.asset_tag);
	free((char *)c->ev.from_case);
	free((char *)c->ev.to_case);
	free((char *)c->ev.actor);
	free((char *)c->ev.reason);
	free((char *)c->ev.batch_id);
	json_decref(c->details);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void set_field(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v ? v : "");
}

#define SET(dst, v) set_field((dst), sizeof(dst), (v))

/* Scratch case id of a slot named in an event; 0 if unknown. */
static int64_t scratch_case(struct replay *rp, const char *name)
{
	return name ? store_case_id(rp->scratch, name) : 0;
}

/* Describe an event for problem messages. */
static void ev_label(const struct event *ev, char *out, size_t cap)
{
	snprintf(out, cap, "event #%lld (%s%s%s)", (long long)ev->seq, ev->type,
	         ev->asset_tag ? " " : "", ev->asset_tag ? ev->asset_tag : "");
}

/* Apply {NAME: {old, new}} to an asset's attributes: a null new value
 * removes the name.  Text that cannot be rebuilt is left empty, and the
 * comparison reports the difference. */
static void apply_attr_changes(struct asset *a, json_t *changes)
{
	json_t *obj = attrs_to_json(a->attributes), *ch;
	const char *name;

	json_object_foreach(changes, name, ch) {
		json_t *nv = json_object_get(ch, "new");
		if (obj && json_is_string(nv))
			json_object_set(obj, name, nv);
		else if (obj)
			json_object_del(obj, name);
	}
	if (!obj || attrs_text(obj, a->attributes, sizeof(a->attributes)) < 0)
		a->attributes[0] = '\0';
	json_decref(obj);
}

/* Apply the changes object {field: {old, new}} of an ASSET_UPDATED. */
static void apply_asset_changes(struct asset *a, json_t *changes)
{
	const char *key;
	json_t *ch;

	json_object_foreach(changes, key, ch) {
		const char *v = json_string_value(json_object_get(ch, "new"));
		if (strcmp(key, "serial_number") == 0)
			SET(a->serial, v);
		else if (strcmp(key, "manufacturer") == 0)
			SET(a->manufacturer, v);
		else if (strcmp(key, "equipment_type") == 0)
			SET(a->equipment_type, v);
		else if (strcmp(key, "model") == 0)
			SET(a->model, v);
		else if (strcmp(key, "model_code") == 0)
			SET(a->model_code, v);
		else if (strcmp(key, "building") == 0)
			SET(a->building, v);
		else if (strcmp(key, "room") == 0)
			SET(a->room, v);
		else if (strcmp(key, "notes") == 0)
			SET(a->notes, v);
		else if (strcmp(key, "condition") == 0 && v)
			asset_condition_parse(v, &a->condition);
		else if (strcmp(key, "attributes") == 0)
			apply_attr_changes(a, ch);
	}
}

/* Put `a` into the slot an event names as its destination (or none). */
static int place(struct replay *rp, struct asset *a, const char *case_name, int position)
{
	a->case_id = 0;
	a->position = 0;
	if (!case_name)
		return 0;
	a->case_id = scratch_case(rp, case_name);
	a->position = position;
	return a->case_id ? 0 : -1;
}

static enum at_code apply_case_event(struct replay *rp, const struct event *ev, json_t *d,
                                     struct at_errors *e)
{
	struct case_info c;
	int old;

	memset(&c, 0, sizeof(c));
	if (strcmp(ev->type, "CASE_CREATED") == 0) {
		SET(c.name, jstr(d, "case"));
		c.slot_count = (int)json_integer_value(json_object_get(d, "slots"));
		SET(c.building, jstr(d, "building"));
		SET(c.room, jstr(d, "room"));
		SET(c.notes, jstr(d, "notes"));
		SET(c.created_at, ev->at);
		SET(c.updated_at, ev->at);
		return store_case_insert(rp->scratch, &c, e);
	}
	if (store_case_by_name(rp->scratch, jstr(d, "case"), &c) != AT_OK)
		return at_fail(e, AT_NOT_FOUND, "case %s does not exist at this point",
		               jstr(d, "case"));
	old = c.slot_count;
	if (strcmp(ev->type, "CASE_RESIZED") == 0) {
		c.slot_count = (int)json_integer_value(json_object_get(d, "new_slots"));
	} else {
		json_t *changes = json_object_get(d, "changes"), *ch;
		const char *key;
		json_object_foreach(changes, key, ch) {
			const char *v = json_string_value(json_object_get(ch, "new"));
			if (strcmp(key, "building") == 0)
				SET(c.building, v);
			else if (strcmp(key, "room") == 0)
				SET(c.room, v);
			else if (strcmp(key, "notes") == 0)
				SET(c.notes, v);
		}
	}
	SET(c.updated_at, ev->at);
	return store_case_save(rp->scratch, &c, old, e);
}

static enum at_code apply_holder_event(struct replay *rp, const struct event *ev, json_t *d,
                                       struct at_errors *e)
{
	struct holder h;

	memset(&h, 0, sizeof(h));
	if (strcmp(ev->type, "HOLDER_CREATED") == 0) {
		h.id = ev->holder_id;
		SET(h.name, jstr(d, "name"));
		SET(h.badge, jstr(d, "badge"));
		SET(h.email, jstr(d, "email"));
		h.active = json_is_true(json_object_get(d, "active"));
		SET(h.created_at, ev->at);
		SET(h.updated_at, ev->at);
		return store_holder_insert(rp->scratch, &h, e);
	}
	if (store_holder_by_id(rp->scratch, ev->holder_id, &h) != AT_OK)
		return at_fail(e, AT_NOT_FOUND, "holder #%lld does not exist at this point",
		               (long long)ev->holder_id);
	{
		json_t *changes = json_object_get(d, "changes"), *ch;
		const char *key;
		json_object_foreach(changes, key, ch) {
			json_t *nv = json_object_get(ch, "new");
			if (strcmp(key, "name") == 0)
				SET(h.name, json_string_value(nv));
			else if (strcmp(key, "badge") == 0)
				SET(h.badge, json_string_value(nv));
			else if (strcmp(key, "email") == 0)
				SET(h.email, json_string_value(nv));
			else if (strcmp(key, "active") == 0)
				h.active = json_is_true(nv);
		}
	}
	SET(h.updated_at, ev->at);
	return store_holder_save(rp->scratch, &h, e);
}

/* Phase 2: the full effect of one event on the scratch database. */
static enum at_code apply_event(struct replay *rp, const struct event *ev, json_t *d,
                                struct at_errors *e)
{
	struct asset a, other;
	const char *t = ev->type;

	if (strncmp(t, "CASE_", 5) == 0)
		return apply_case_event(rp, ev, d, e);
	if (strncmp(t, "HOLDER_", 7) == 0)
		return apply_holder_event(rp, ev, d, e);
	if (strcmp(t, "AUDIT_RECORDED") == 0)
		return AT_OK;
	if (!ev->asset_tag)
		return at_fail(e, AT_INVALID, "event has no asset tag");
	memset(&a, 0, sizeof(a));
	if (strcmp(t, "ASSET_CREATED") == 0) {
		SET(a.tag, ev->asset_tag);
		SET(a.serial, jstr(d, "serial_number"));
		SET(a.manufacturer, jstr(d, "manufacturer"));
		SET(a.equipment_type, jstr(d, "equipment_type"));
		SET(a.model, jstr(d, "model"));
		SET(a.model_code, jstr(d, "model_code"));
		SET(a.building, jstr(d, "building"));
		SET(a.room, jstr(d, "room"));
		SET(a.notes, jstr(d, "notes"));
		if (asset_condition_parse(jstr(d, "condition"), &a.condition) < 0)
			a.condition = COND_GOOD;
		if (json_object_get(d, "attributes") &&
		    attrs_text(json_object_get(d, "attributes"), a.attributes,
		               sizeof(a.attributes)) < 0)
			a.attributes[0] = '\0';
		a.state = ASSET_STORAGE;
		SET(a.created_at, ev->at);
		SET(a.updated_at, ev->at);
		return store_asset_insert(rp->scratch, &a, e);
	}
	if (store_asset_by_tag(rp->scratch, ev->asset_tag, &a) != AT_OK)
		return at_fail(e, AT_NOT_FOUND, "asset %s does not exist at this point",
		               ev->asset_tag);
	if (strcmp(t, "ASSET_UPDATED") == 0) {
		apply_asset_changes(&a, json_object_get(d, "changes"));
	} else if (strcmp(t, "ASSET_RETIRED") == 0) {
		a.state = ASSET_RETIRED;
		a.case_id = 0;
		a.position = 0;
		SET(a.retired_at, ev->at);
	} else if (strcmp(t, "SLOT_ASSIGN") == 0 || strcmp(t, "SLOT_MOVE") == 0) {
		if (place(rp, &a, ev->to_case, ev->to_position) < 0 || !ev->to_case)
			return at_fail(e, AT_NOT_FOUND, "destination slot unknown");
	} else if (strcmp(t, "FORCE_VACATE") == 0) {
		a.case_id = 0;
		a.position = 0;
	} else if (strcmp(t, "STOCK_OUT") == 0) {
		a.state = ASSET_IN_CUSTODY;
		a.holder_id = ev->holder_id;
		SET(a.due, jstr(d, "due"));
		/* An imported custody began before the log knew the asset. */
		SET(a.custody_since, json_is_string(json_object_get(d, "since"))
		                             ? jstr(d, "since") : ev->at);
		a.last_case_id = scratch_case(rp, ev->from_case);
		a.last_position = a.last_case_id ? ev->from_position : 0;
		a.case_id = 0;
		a.position = 0;
	} else if (strcmp(t, "STOCK_IN") == 0) {
		a.state = ASSET_STORAGE;
		a.holder_id = 0;
		a.due[0] = '\0';
		a.custody_since[0] = '\0';
		if (place(rp, &a, ev->to_case, ev->to_position) < 0 || !ev->to_case)
			return at_fail(e, AT_NOT_FOUND, "destination slot unknown");
	} else if (strcmp(t, "ASSET_REPLACED") == 0) {
		if (strcmp(jstr(d, "role"), "replaced") == 0) {
			a.state = ASSET_STORAGE;
			a.holder_id = 0;
			a.due[0] = '\0';
			a.custody_since[0] = '\0';
			asset_condition_parse(jstr(d, "condition"), &a.condition);
			if (place(rp, &a, ev->to_case, ev->to_position) < 0)
				return at_fail(e, AT_NOT_FOUND, "destination slot unknown");
		} else if (strcmp(jstr(d, "state"), "IN_CUSTODY") == 0) {
			if (store_asset_by_tag(rp->scratch, jstr(d, "replaces"), &other) != AT_OK)
				return at_fail(e, AT_NOT_FOUND, "replaced asset %s unknown",
				               jstr(d, "replaces"));
			a.state = ASSET_IN_CUSTODY;
			a.holder_id = ev->holder_id;
			SET(a.due, jstr(d, "due"));
			SET(a.custody_since, ev->at);
			a.case_id = 0;
			a.position = 0;
			a.last_case_id = other.last_case_id;
			a.last_position = other.last_position;
		} else if (place(rp, &a, ev->to_case, ev->to_position) < 0) {
			return at_fail(e, AT_NOT_FOUND, "destination slot unknown");
		}
	} else {
		return at_fail(e, AT_INVALID, "unknown event type %s", t);
	}
	SET(a.updated_at, ev->at);
	if (strcmp(t, "ASSET_UPDATED") == 0)
		return store_asset_save_meta(rp->scratch, &a, e);
	return store_asset_save(rp->scratch, &a, e);
}

/* The replay has applied every event up to `seq`: compare the state
 * with each signed checkpoint at it. */
static void check_checkpoints(struct replay *rp, int64_t seq)
{
	struct at_errors e = AT_ERRORS_INIT;
	char digest[AT_HASH_HEX + 1];

	for (; rp->next_ck < rp->ncks && rp->cks[rp->next_ck].seq <= seq; rp->next_ck++) {
		const struct checkpoint *ck = &rp->cks[rp->next_ck];
		if (ck->seq < seq) {
			problem(rp->r, "CHECKPOINT_STATE_MISMATCH",
			        "checkpoint %lld falls inside the batch that ends at event %lld: the "
			        "log was rewritten",
			        (long long)ck->seq, (long long)seq);
		} else if (checkpoint_state_digest(rp->scratch, digest, &e) != AT_OK) {
			problem(rp->r, "CHECKPOINT_STATE_MISMATCH", "checkpoint %lld: %s",
			        (long long)ck->seq, e.message);
		} else if (strcmp(digest, ck->state) != 0) {
			problem(rp->r, "CHECKPOINT_STATE_MISMATCH",
			        "the state the log replays to at event %lld differs from the signed "
			        "checkpoint of %s: the log up to it was rewritten",
			        (long long)ck->seq, ck->at);
		}
	}
	at_errors_free(&e);
}

/* Apply the buffered batch in two phases; problems are recorded. */
static void flush_batch(struct replay *rp)
{
	struct at_errors e = AT_ERRORS_INIT;
	char label[160];
	size_t i;
	int64_t last = rp->n ? rp->batch[rp->n - 1].ev.seq : 0;

	int has_from = 0, has_to = 0;

	/* Only a batch that both empties and fills slots (a replacement's
	 * swap) can need phase one; Stock-Out only empties, Stock-In only
	 * fills, and skipping it halves the work of replaying them. */
	for (i = 0; i < rp->n; i++) {
		has_from |= rp->batch[i].ev.from_case != NULL;
		has_to |= rp->batch[i].ev.to_case != NULL;
	}
	for (i = 0; has_from && has_to && rp->n > 1 && i < rp->n; i++) {
		const struct event *ev = &rp->batch[i].ev;
		struct asset a;
		if (!ev->from_case || !ev->asset_tag)
			continue;
		if (store_asset_by_tag(rp->scratch, ev->asset_tag, &a) == AT_OK && a.case_id) {
			a.case_id = 0;
			a.position = 0;
			store_asset_save(rp->scratch, &a, NULL);
		}
	}
	for (i = 0; i < rp->n; i++) {
		struct ev_copy *c = &rp->batch[i];
		at_errors_reset(&e);
		if (!c->details) {
			ev_label(&c->ev, label, sizeof(label));
			problem(rp->r, "EVENT_DETAILS", "%s: details are not a JSON object", label);
		} else if (apply_event(rp, &c->ev, c->details, &e) != AT_OK) {
			ev_label(&c->ev, label, sizeof(label));
			problem(rp->r, "REPLAY_FAILED", "%s cannot be replayed: %s", label,
			        e.message);
		}
		free_copy(c);
	}
	rp->n = 0;
	at_errors_free(&e);
	if (rp->ncks)
		check_checkpoints(rp, last);
}

static void check_chain(struct replay *rp, const struct event *ev)
{
	char h[AT_HASH_HEX + 1];

	if (ev->seq != rp->last_seq + 1)
		problem(rp->r, "EVENT_SEQ_GAP", "event #%lld follows #%lld: the log has a gap",
		        (long long)ev->seq, (long long)rp->last_seq);
	if (strcmp(ev->prev_hash, rp->last_hash) != 0)
		problem(rp->r, "HASH_CHAIN_BROKEN",
		        "event #%lld: prev_hash does not match the hash of the event before it",
		        (long long)ev->seq);
	event_compute_hash(ev, h);
	if (strcmp(h, ev->hash) != 0)
		problem(rp->r, "HASH_MISMATCH",
		        "event #%lld (%s%s%s) was altered: its content does not match its hash",
		        (long long)ev->seq, ev->type, ev->asset_tag ? " " : "",
		        ev->asset_tag ? ev->asset_tag : "");
	rp->last_seq = ev->seq;
	memcpy(rp->last_hash, ev->hash, sizeof(rp->last_hash));
}

static int on_event(void *ctx, const struct event *ev)
{
	struct replay *rp = ctx;
	struct ev_copy *c;

	if (rp->check_chain)
		check_chain(rp, ev);
	/* As of an instant: later events do not count.  (Skipped, not a stop:
	 * a clock set back could put an earlier `at` after a later one.) */
	if (rp->until && strcmp(ev->at, rp->until) > 0)
		return 0;
	if (rp->n && strcmp(rp->batch[0].ev.batch_id, ev->batch_id) != 0)
		flush_batch(rp);
	if (rp->n == rp->cap) {
		size_t ncap = rp->cap ? rp->cap * 2 : 64;
		struct ev_copy *nb = realloc(rp->batch, ncap * sizeof(*nb));
		if (!nb) {
			rp->fatal = AT_INTERNAL;
			return 1;
		}
		rp->batch = nb;
		rp->cap = ncap;
	}
	c = &rp->batch[rp->n++];
	memset(c, 0, sizeof(*c));
	c->ev = *ev;
	c->ev.type = dup_or_null(ev->type);
	c->ev.asset_tag = dup_or_null(ev->asset_tag);
	c->ev.from_case = dup_or_null(ev->from_case);
	c->ev.to_case = dup_or_null(ev->to_case);
	c->ev.actor = dup_or_null(ev->actor);
	c->ev.reason = dup_or_null(ev->reason);
	c->ev.batch_id = dup_or_null(ev->batch_id);
	c->ev.holder_name = NULL;
	c->ev.details = NULL;
	c->details = json_loads(ev->details, JSON_REJECT_DUPLICATES, NULL);
	if (c->details && !json_is_object(c->details)) {
		json_decref(c->details);
		c->details = NULL;
	}
	if (!c->ev.type || !c->ev.batch_id) {
		rp->fatal = AT_INTERNAL;
		return 1;
	}
	rp->seen++;
	if (rp->progress && rp->seen % PROGRESS_EVERY == 0)
		rp->progress(rp->pctx, "replaying events", rp->seen, rp->total);
	return 0;
}

/* Replay into rp->scratch (already open). */
static enum at_code run_replay(struct replay *rp, struct store *live, const char *until,
                               struct at_errors *e)
{
	struct event_filter f = { .whole_log = 1, .after_seq = rp->after_seq };
	enum at_code c;

	rp->until = until;
	if (!rp->after_seq) {
		memset(rp->last_hash, '0', AT_HASH_HEX);
		rp->last_hash[AT_HASH_HEX] = '\0';
	}
	rp->last_seq = rp->after_seq;
	/* Only a progress total, but verify never answers from a database it
	 * could not read: a failed read is a storage error, here too. */
	rp->total = store_event_count(live);
	if (rp->total < 0)
		return at_fail(e, AT_STORAGE, "cannot count the events: %s", store_errmsg(live));
	rp->total -= rp->after_seq;
	if (store_begin(rp->scratch, e) != AT_OK)
		return e->code;
	c = store_event_list(live, &f, on_event, rp);
	if (c == AT_OK && rp->n)
		flush_batch(rp);
	for (size_t i = 0; i < rp->n; i++)
		free_copy(&rp->batch[i]);
	rp->n = 0;
	free(rp->batch);
	rp->batch = NULL;
	rp->cap = 0;
	if (c == AT_OK && rp->fatal)
		c = rp->fatal;
	if (c != AT_OK) {
		store_rollback(rp->scratch);
		return at_fail(e, c, "cannot read the event log: %s", store_errmsg(live));
	}
	if (rp->progress)
		rp->progress(rp->pctx, "replaying events", rp->seen, rp->total);
	return store_commit(rp->scratch, e);
}

enum at_code replay_until(struct store *st, const char *until, struct store **out,
                          struct verify_report *r, verify_progress_cb progress, void *pctx,
                          struct at_errors *e)
{
	struct replay rp;
	enum at_code c;

	memset(&rp, 0, sizeof(rp));
	rp.r = r;
	rp.progress = progress;
	rp.pctx = pctx;
	*out = NULL;
	c = store_open("", STORE_CREATE | STORE_SCRATCH, &rp.scratch, e);
	if (c != AT_OK)
		return c;
	c = run_replay(&rp, st, until, e);
	if (c != AT_OK) {
		store_close(rp.scratch);
		return c;
	}
	*out = rp.scratch;
	return AT_OK;
}

/* ==== comparison ====================================================== */

struct cmp {
	struct store *scratch;
	struct verify_report *r;
	int64_t n;
	verify_progress_cb progress;
	void *pctx;
	int64_t total;
};

#define DIFF_TEXT(what, field)                                                           \
	if (strcmp(live->field, rep.field) != 0)                                         \
		problem(x->r, "REPLAY_MISMATCH", "%s: %s is '%.80s' but the event log says '%.80s'", \
		        name, what, live->field, rep.field)

#define DIFF_INT(what, field)                                                            \
	if (live->field != rep.field)                                                    \
		problem(x->r, "REPLAY_MISMATCH", "%s: %s is %lld but the event log says %lld", \
		        name, what, (long long)live->field, (long long)rep.field)

static void slot_text(int64_t case_id, const char *case_name, int pos, char *out, size_t cap)
{
	if (case_id)
		snprintf(out, cap, "%s/%d", case_name, pos);
	else
		snprintf(out, cap, "none");
}

static int cmp_asset(void *ctx, const struct asset *live)
{
	struct cmp *x = ctx;
	struct asset rep;
	const char *name = live->tag;
	char ls[96], rs[96];

	x->n++;
	if (x->progress && x->n % PROGRESS_EVERY == 0)
		x->progress(x->pctx, "comparing assets", x->n, x->total);
	if (store_asset_by_tag(x->scratch, live->tag, &rep) != AT_OK) {
		problem(x->r, "UNLOGGED_ASSET", "%s exists but no event created it", live->tag);
		return 0;
	}
	DIFF_TEXT("serial number", serial);
	DIFF_TEXT("manufacturer", manufacturer);
	DIFF_TEXT("equipment type", equipment_type);
	DIFF_TEXT("model", model);
	DIFF_TEXT("model code", model_code);
	DIFF_TEXT("building", building);
	DIFF_TEXT("room", room);
	DIFF_TEXT("notes", notes);
	DIFF_TEXT("attributes", attributes);
	if (live->state != rep.state)
		problem(x->r, "REPLAY_MISMATCH", "%s: state is %s but the event log says %s", name,
		        asset_state_name(live->state), asset_state_name(rep.state));
	if (live->condition != rep.condition)
		problem(x->r, "REPLAY_MISMATCH", "%s: condition is %s but the event log says %s",
		        name, asset_condition_name(live->condition),
		        asset_condition_name(rep.condition));
	DIFF_INT("holder id", holder_id);
	DIFF_TEXT("due date", due);
	DIFF_TEXT("custody start", custody_since);
	slot_text(live->case_id, live->case_name, live->position, ls, sizeof(ls));
	slot_text(rep.case_id, rep.case_name, rep.position, rs, sizeof(rs));
	if (strcmp(ls, rs) != 0)
		problem(x->r, "REPLAY_MISMATCH", "%s: slot is %s but the event log says %s", name,
		        ls, rs);
	slot_text(live->last_case_id, live->last_case_name, live->last_position, ls, sizeof(ls));
	slot_text(rep.last_case_id, rep.last_case_name, rep.last_position, rs, sizeof(rs));
	if (strcmp(ls, rs) != 0)
		problem(x->r, "REPLAY_MISMATCH",
		        "%s: last Stock-Out slot is %s but the event log says %s", name, ls, rs);
	DIFF_TEXT("created_at", created_at);
	DIFF_TEXT("updated_at", updated_at);
	DIFF_TEXT("retired_at", retired_at);
	return 0;
}

static int cmp_holder(void *ctx, const struct holder *live)
{
	struct cmp *x = ctx;
	struct holder rep;
	char name[64];

	x->n++;
	snprintf(name, sizeof(name), "holder #%lld", (long long)live->id);
	if (store_holder_by_id(x->scratch, live->id, &rep) != AT_OK) {
		problem(x->r, "UNLOGGED_HOLDER", "%s (%s) exists but no event created it", name,
		        live->name);
		return 0;
	}
	DIFF_TEXT("name", name);
	DIFF_TEXT("badge", badge);
	DIFF_TEXT("email", email);
	DIFF_INT("active", active);
	DIFF_TEXT("created_at", created_at);
	DIFF_TEXT("updated_at", updated_at);
	return 0;
}

static int cmp_case(void *ctx, const struct case_info *live)
{
	struct cmp *x = ctx;
	struct case_info rep;
	char name[96];

	x->n++;
	snprintf(name, sizeof(name), "case %s", live->name);
	if (store_case_by_name(x->scratch, live->name, &rep) != AT_OK) {
		problem(x->r, "UNLOGGED_CASE", "%s exists but no event created it", name);
		return 0;
	}
	DIFF_INT("slot count", slot_count);
	DIFF_TEXT("building", building);
	DIFF_TEXT("room", room);
	DIFF_TEXT("notes", notes);
	DIFF_TEXT("created_at", created_at);
	DIFF_TEXT("updated_at", updated_at);
	return 0;
}

/* Things the log created that the live tables lack. */
struct missing {
	struct store *live;
	struct verify_report *r;
	enum at_code fail;       /* a lookup that could not read the live tables */
};

/* A lookup that failed is neither "present" nor "missing": it stops the
 * pass, which then reports a storage error, never a verdict of ok. */
static int missing_stop(struct missing *m, enum at_code c)
{
	if (c != AT_OK && c != AT_NOT_FOUND)
		m->fail = c;
	return m->fail != AT_OK;
}

static int missing_asset(void *ctx, const struct asset *rep)
{
	struct missing *m = ctx;
	struct asset a;
	enum at_code c = store_asset_by_tag(m->live, rep->tag, &a);

	if (c == AT_NOT_FOUND)
		problem(m->r, "MISSING_ASSET", "the event log creates %s but it is not in the database",
		        rep->tag);
	return missing_stop(m, c);
}

static int missing_holder(void *ctx, const struct holder *rep)
{
	struct missing *m = ctx;
	struct holder h;
	enum at_code c = store_holder_by_id(m->live, rep->id, &h);

	if (c == AT_NOT_FOUND)
		problem(m->r, "MISSING_HOLDER",
		        "the event log creates holder #%lld (%s) but it is not in the database",
		        (long long)rep->id, rep->name);
	return missing_stop(m, c);
}

static int missing_case(void *ctx, const struct case_info *rep)
{
	struct missing *m = ctx;
	struct case_info ci;
	enum at_code c = store_case_by_name(m->live, rep->name, &ci);

	if (c == AT_NOT_FOUND)
		problem(m->r, "MISSING_CASE",
		        "the event log creates case %s but it is not in the database", rep->name);
	return missing_stop(m, c);
}

static int on_invariant(void *ctx, const char *code, const char *message)
{
	problem(ctx, code, "%s", message);
	return 0;
}

/* Where a copied head (an anchor, a checkpoint) stands against the log. */
enum head_verdict { HEAD_HOLDS, HEAD_BEYOND, HEAD_OTHER };

/* AT_OK and the verdict in `*v` (with the log's hash at `seq` in `hash`),
 * or a storage error. */
static enum at_code head_check(struct store *st, int64_t seq, const char *want,
                               enum head_verdict *v, char hash[AT_HASH_HEX + 1],
                               struct at_errors *e)
{
	enum at_code c = store_event_hash_at(st, seq, hash);

	if (c == AT_NOT_FOUND)
		*v = HEAD_BEYOND;
	else if (c != AT_OK)
		return storage_fail(st, e, c);
	else
		*v = strcmp(hash, want) == 0 ? HEAD_HOLDS : HEAD_OTHER;
	return AT_OK;
}

/* Each checkpoint's head against the log (the anchors' check, with the
 * checkpoints' own problem codes); the ones that hold go to `ok`. */
static enum at_code check_checkpoint_heads(struct store *st, const struct checkpoint *cks,
                                           size_t n, struct checkpoint *ok, size_t *nok,
                                           struct verify_report *r, struct at_errors *e)
{
	char hash[AT_HASH_HEX + 1];
	enum head_verdict v = HEAD_HOLDS;

	*nok = 0;
	for (size_t i = 0; i < n; i++) {
		if (head_check(st, cks[i].seq, cks[i].head, &v, hash, e) != AT_OK)
			return e->code;
		if (v == HEAD_BEYOND)
			problem(r, "CHECKPOINT_BEYOND_CHAIN",
			        "the checkpoint of %s is at event %lld, beyond the log: events after "
			        "it were removed",
			        cks[i].at, (long long)cks[i].seq);
		else if (v == HEAD_OTHER)
			problem(r, "CHECKPOINT_HASH_MISMATCH",
			        "event %lld has hash %.12s..., not %.12s... as signed in the checkpoint "
			        "of %s: the log up to it was rewritten",
			        (long long)cks[i].seq, hash, cks[i].head, cks[i].at);
		else
			ok[(*nok)++] = cks[i];
	}
	return AT_OK;
}

/* Start the replay from the newest checkpoint's saved state, if it is the
 * state that checkpoint signed; else leave rp at the start of the log. */
static enum at_code start_from_checkpoint(struct replay *rp, const struct checkpoint_paths *p,
                                          const struct checkpoint *ck, struct verify_report *r,
                                          struct at_errors *e)
{
	char path[AT_PATH_MAX + 8], digest[AT_HASH_HEX + 1];
	struct at_errors le = AT_ERRORS_INIT;
	enum at_code c;

	snprintf(path, sizeof(path), "%s.state", p->file);
	c = store_load(rp->scratch, path, &le);
	if (c == AT_OK)
		c = checkpoint_state_digest(rp->scratch, digest, &le);
	if (c == AT_OK && strcmp(digest, ck->state) == 0) {
		rp->after_seq = ck->seq;
		memcpy(rp->last_hash, ck->head, sizeof(rp->last_hash));
		r->from_seq = ck->seq;
		at_errors_free(&le);
		return AT_OK;
	}
	/* The saved state is only a shortcut: without it the whole log is
	 * replayed, which proves the same and more. */
	snprintf(r->note, sizeof(r->note),
	         "the state saved with checkpoint %lld %s; the whole log was replayed",
	         (long long)ck->seq,
	         c == AT_OK ? "does not match its signed digest" : le.message);
	at_errors_free(&le);
	store_close(rp->scratch);
	rp->scratch = NULL;
	return store_open("", STORE_CREATE | STORE_SCRATCH | rp->scratch_flags, &rp->scratch, e);
}

/* Compare the live tables with the replayed ones, both ways. */
static enum at_code compare_replay(struct store *st, struct store *scratch,
                                   struct verify_report *r, verify_progress_cb progress,
                                   void *pctx, struct at_errors *e)
{
	struct cmp x;
	struct missing m = { st, r, AT_OK };
	struct asset_filter all;
	enum at_code c;

	memset(&x, 0, sizeof(x));
	x.scratch = scratch;
	x.r = r;
	x.progress = progress;
	x.pctx = pctx;
	x.total = store_asset_count(st, 0, ASSET_STORAGE);
	if (x.total < 0) /* a progress total, but unreadable is unreadable */
		return at_fail(e, AT_STORAGE, "cannot count the assets: %s", store_errmsg(st));
	memset(&all, 0, sizeof(all));
	c = store_asset_list(st, &all, cmp_asset, &x);
	r->assets = x.n;
	if (c == AT_OK)
		c = store_asset_list(scratch, &all, missing_asset, &m);
	if (c == AT_OK)
		c = store_holder_list(st, 0, 0, cmp_holder, &x);
	if (c == AT_OK && m.fail == AT_OK)
		c = store_holder_list(scratch, 0, 0, missing_holder, &m);
	if (c == AT_OK && m.fail == AT_OK)
		c = store_case_list(st, NULL, 0, cmp_case, &x);
	if (c == AT_OK && m.fail == AT_OK)
		c = store_case_list(scratch, NULL, 0, missing_case, &m);
	if (c == AT_OK)
		c = m.fail;
	if (c != AT_OK)
		return at_fail(e, c, "cannot compare the replay: %s", store_errmsg(st));
	return AT_OK;
}

enum at_code verify_run(struct store *st, struct verify_report *r, verify_progress_cb progress,
                        void *pctx, struct at_errors *e)
{
	return verify_run_ex(st, NULL, r, progress, pctx, e);
}

enum at_code verify_run_ex(struct store *st, const struct verify_opts *o,
                           struct verify_report *r, verify_progress_cb progress, void *pctx,
                           struct at_errors *e)
{
	struct replay rp;
	struct checkpoint *cks = NULL, *good = NULL;
	size_t ncks = 0, ngood = 0;
	enum at_code c;

	memset(r, 0, sizeof(*r));
	memset(&rp, 0, sizeof(rp));
	r->ok = 1;
	if (o && o->scratch)
		*o->scratch = NULL;
	/* One read snapshot for checks, log and comparison alike. */
	c = store_begin_read(st, e);
	if (c != AT_OK)
		return c;
	if (progress)
		progress(pctx, "checking invariants", 0, 0);
	c = store_check_invariants(st, on_invariant, r);
	if (c != AT_OK) {
		c = at_fail(e, c, "invariant checks failed to run: %s", store_errmsg(st));
		goto out;
	}
	op_hook_verify(); /* the snapshot is taken: SQLite takes it at the first read */
	if (o && o->checkpoints) {
		c = checkpoint_load(o->checkpoints, &cks, &ncks, r, e);
		if (c == AT_OK && ncks && !(good = malloc(ncks * sizeof(*good))))
			c = at_fail(e, AT_INTERNAL, "out of memory");
		if (c == AT_OK)
			c = check_checkpoint_heads(st, cks, ncks, good, &ngood, r, e);
		if (c != AT_OK)
			goto out;
	}
	rp.r = r;
	rp.check_chain = 1;
	rp.progress = progress;
	rp.pctx = pctx;
	rp.scratch_flags = o && o->large_cache ? STORE_SCRATCH_LARGE : 0;
	c = store_open("", STORE_CREATE | STORE_SCRATCH | rp.scratch_flags, &rp.scratch, e);
	if (c == AT_OK && o && o->since_checkpoint && ngood)
		c = start_from_checkpoint(&rp, o->checkpoints, &good[ngood - 1], r, e);
	if (c != AT_OK)
		goto out;
	/* The checkpoints the replay will pass. */
	rp.cks = good;
	rp.ncks = ngood;
	while (rp.next_ck < rp.ncks && rp.cks[rp.next_ck].seq <= rp.after_seq)
		rp.next_ck++;
	c = run_replay(&rp, st, NULL, e);
	if (c != AT_OK)
		goto out;
	r->events = rp.seen;
	c = compare_replay(st, rp.scratch, r, progress, pctx, e);
	if (c != AT_OK)
		goto out;
	if (o && o->head) {
		o->head->seq = rp.last_seq;
		memcpy(o->head->hash, rp.last_hash, sizeof(o->head->hash));
	}
	if (o && o->scratch) {
		*o->scratch = rp.scratch;
		rp.scratch = NULL;
	}
	if (progress)
		progress(pctx, "done", r->events, r->events);
out:
	store_rollback(st);
	store_close(rp.scratch);
	free(cks);
	free(good);
	return c;
}

/* ==== anchors ========================================================= */

enum at_code verify_head(struct store *st, struct anchor *out, struct at_errors *e)
{
	enum at_code c = store_event_last(st, &out->seq, out->hash);

	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

enum at_code verify_anchors(struct store *st, const struct anchor *anchors, size_t n,
                            struct verify_report *r, struct at_errors *e)
{
	char hash[AT_HASH_HEX + 1];
	enum head_verdict v = HEAD_HOLDS;

	for (size_t i = 0; i < n; i++) {
		if (head_check(st, anchors[i].seq, anchors[i].hash, &v, hash, e) != AT_OK)
			return e->code;
		if (v == HEAD_BEYOND)
			problem(r, "ANCHOR_BEYOND_CHAIN",
			        "the anchor %lld:%.12s... is beyond the log, which is shorter: events "
			        "after it were removed",
			        (long long)anchors[i].seq, anchors[i].hash);
		else if (v == HEAD_OTHER)
			problem(r, "ANCHOR_MISMATCH",
			        "event %lld has hash %.12s..., not the anchored %.12s...: the log up to "
			        "it was rewritten",
			        (long long)anchors[i].seq, hash, anchors[i].hash);
	}
	return AT_OK;
}
