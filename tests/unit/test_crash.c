/*
 * test_crash.c — a crash at any instant leaves the database at the state
 * before or after each operation, never between (SPEC §3.7, §3.10).
 *
 * A child process cycles through five writes, the batch ones and those
 * that change two rows' places at once:
 *
 *   Stock-Out of all BATCH assets of case CRASH   (BATCH STOCK_OUT events)
 *   replace one of them, in custody, by the spare in SPARE/1
 *                                                  (2 ASSET_REPLACED)
 *   create an asset in the next slot of case NEW   (ASSET_CREATED, SLOT_ASSIGN)
 *   import IMPORT_ROWS assets from CSV, unslotted  (IMPORT_ROWS ASSET_CREATED):
 *     every other one in one transaction, the others as an import job
 *     (core/import_job.c: the file kept, checked aside, applied in slices
 *     of up to 100 rows), which a kill leaves open for the roll forward
 *   Stock-In of all BATCH assets in custody        (BATCH STOCK_IN)
 *
 * and the parent SIGKILLs it after a random short delay (0-40 ms; under
 * sanitizers every third round longer so that operations complete too),
 * many times.  Each operation is one transaction, one batch id, and its
 * own actor ("crash-stock-out", ...), so the log alone says which
 * operation wrote a batch.  A restarted child reads the last event's
 * actor to know which operation comes next.
 *
 * After each kill the parent finishes an import job the kill left open
 * (import_recover, as the next command to open the database would: its
 * process is gone), counting those, then checks that
 *   - verify_run is ok (hash chain, invariants, replay = state);
 *   - every batch the child wrote holds exactly its operation's events,
 *     in order, consecutively (no operation is present in part);
 *   - every asset agrees with the last event about it: in custody of the
 *     Stock-Out's holder, in the Stock-In's or the slot assignment's slot,
 *     unslotted after import, and after a replacement both assets where
 *     the two ASSET_REPLACED events put them;
 *   - custody holds 0 or BATCH assets and case CRASH the rest;
 *   - every acknowledged operation is in the log in full and its assets
 *     exist; the log did not shrink and its last event before the round
 *     is unchanged (nothing committed is lost).
 *
 * The child reports through a pipe: "B<k>" from inside each transaction,
 * right after BEGIN (the engine's test hook; k is the operation), and
 * "A<k><batch id>\n" when the operation's call returned AT_OK.  A kill
 * whose last report was "B<k>" landed inside an open transaction of
 * operation k: the test counts those per operation and requires some
 * (each of the five when it runs at least ALL_KINDS_ROUNDS rounds).
 *
 * verify replays the whole log after each kill, so the database is built
 * afresh every ROUNDS_PER_DB rounds: 1,000 rounds on one growing log
 * would take hours, and nothing checked here depends on the log's length
 * (each database still sees dozens of operations, each child's WAL
 * recovered by the next open).
 *
 * The seed is printed; AT_SEED=<n> reruns it.  30 rounds, sanitized or
 * not; AT_CRASH_ROUNDS=<n> overrides (`make bench-crash`: 1000).
 */
#include "testlib.h"
#include "hooks_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/import.h"

#define BATCH 300
#define IMPORT_ROWS 250
#define NEW_SLOTS 1000
#define ROUNDS_PER_DB 10
#define ALL_KINDS_ROUNDS 300
#define HOLDER_BADGE "B-CRASH"

/* ==== the operations ================================================== */

enum op { OP_OUT, OP_REPLACE, OP_CREATE, OP_IMPORT, OP_IN, OP__MAX };

/* What one operation writes: `events` events, the first of type `first`
 * and the others of type `rest`, all by `actor`. */
static const struct op_kind {
	const char *name, *actor, *first, *rest;
	int events;
} kinds[OP__MAX] = {
	[OP_OUT] = { "stock-out", "crash-stock-out", "STOCK_OUT", "STOCK_OUT", BATCH },
	[OP_REPLACE] = { "replace", "crash-replace", "ASSET_REPLACED", "ASSET_REPLACED", 2 },
	[OP_CREATE] = { "create", "crash-create", "ASSET_CREATED", "SLOT_ASSIGN", 2 },
	[OP_IMPORT] = { "import", "crash-import", "ASSET_CREATED", "ASSET_CREATED", IMPORT_ROWS },
	[OP_IN] = { "stock-in", "crash-stock-in", "STOCK_IN", "STOCK_IN", BATCH },
};

/* The operation whose actor this is; -1 for the fixture's events. */
static int kind_of_actor(const char *actor)
{
	for (int k = 0; k < OP__MAX; k++)
		if (actor && strcmp(actor, kinds[k].actor) == 0)
			return k;
	return -1;
}

/* ==== the child ======================================================= */

static int report_fd = -1;
static enum op child_op;

/* The child's report of "inside a transaction of child_op now". */
static void report_begun(void)
{
	char msg[2] = { 'B', (char)('0' + child_op) };

	if (write(report_fd, msg, 2) != 2)
		_exit(12);
}

/* The child's report of an acknowledged operation.  One write of less
 * than PIPE_BUF: the parent reads a whole line or none. */
static void report_ack(enum op k, const char *batch_id)
{
	char line[AT_BATCH_ID_LEN + 4];
	int n = snprintf(line, sizeof(line), "A%c%s\n", '0' + k, batch_id);

	if (write(report_fd, line, (size_t)n) != n)
		_exit(13);
}

static void child_die(const char *what, enum at_code c, const struct at_errors *e)
{
	fprintf(stderr, "crash child: %s: %s: %s\n", what, at_code_name(c),
	        e && e->message[0] ? e->message : "");
	if (e)
		for (size_t i = 0; i < e->nitems && i < 3; i++)
			fprintf(stderr, "  %s: %s\n", e->items[i].input, e->items[i].message);
	_exit(20 + (int)c);
}

struct last_event {
	char actor[AT_PERSON_MAX + 1];
	char batch_id[AT_BATCH_ID_LEN + 1];
	int64_t seq;
};

static int last_cb(void *ctx, const struct event *ev)
{
	struct last_event *l = ctx;

	snprintf(l->actor, sizeof(l->actor), "%s", ev->actor ? ev->actor : "");
	snprintf(l->batch_id, sizeof(l->batch_id), "%s", ev->batch_id ? ev->batch_id : "");
	l->seq = ev->seq;
	return 0;
}

/* The newest event of the log. */
static enum at_code last_event(struct store *st, struct last_event *l)
{
	struct event_filter f;

	memset(&f, 0, sizeof(f));
	memset(l, 0, sizeof(*l));
	f.descending = 1;
	f.limit = 1;
	return store_event_list(st, &f, last_cb, l);
}

struct tag_list {
	char v[BATCH][AT_TAG_MAX + 1];
	const char *p[BATCH];
	size_t n;
	int overflow;
};

static int tag_cb(void *ctx, const struct asset *a)
{
	struct tag_list *l = ctx;

	if (l->n == BATCH) {
		l->overflow = 1;
		return 1;
	}
	snprintf(l->v[l->n], sizeof(l->v[0]), "%s", a->tag);
	l->p[l->n] = l->v[l->n];
	l->n++;
	return 0;
}

/* Exactly BATCH tags of the assets matching `f` into `l`, or the child
 * dies: the cycle keeps BATCH assets together in case CRASH or in custody. */
static void list_batch(struct store *st, const struct asset_filter *f, struct tag_list *l)
{
	enum at_code c;

	l->n = 0;
	l->overflow = 0;
	c = store_asset_list(st, f, tag_cb, l);
	if ((c != AT_OK && !l->overflow) || l->overflow || l->n != BATCH) {
		fprintf(stderr, "crash child: %zu%s assets found, not %d (%s)\n", l->n,
		        l->overflow ? "+" : "", BATCH, at_code_name(c));
		_exit(14);
	}
}

/* The first n >= 1 for which the tag <prefix><n, 4 digits><suffix> does
 * not exist. */
static int next_free(struct store *st, const char *prefix, const char *suffix)
{
	char tag[AT_TAG_MAX + 1];
	struct asset a;
	enum at_code c;

	for (int n = 1;; n++) {
		snprintf(tag, sizeof(tag), "%s%04d%s", prefix, n, suffix);
		c = store_asset_by_tag(st, tag, &a);
		if (c == AT_NOT_FOUND)
			return n;
		if (c != AT_OK)
			child_die("asset lookup", c, NULL);
	}
}

struct child {
	struct store *st;
	int64_t holder, crash_case;
	int next_new, next_import;        /* numbers of the next ones made */
	struct tag_list tags;
	struct stock_in_item items[BATCH];
	char csv[IMPORT_ROWS * 96 + 128];
};

/* The batch id of the operation that just committed: the newest event's
 * (only the child writes), which must be that operation's. */
static void committed_batch(struct child *cx, enum op k, char *batch_id)
{
	struct last_event l;
	enum at_code c = last_event(cx->st, &l);

	if (c != AT_OK)
		child_die("last event", c, NULL);
	if (strcmp(l.actor, kinds[k].actor) != 0) {
		fprintf(stderr, "crash child: the newest event is by %s, not %s\n", l.actor,
		        kinds[k].actor);
		_exit(15);
	}
	snprintf(batch_id, AT_BATCH_ID_LEN + 1, "%s", l.batch_id);
}

static enum at_code child_stock_out(struct child *cx, char *batch_id, struct at_errors *e)
{
	struct asset_filter f = { .has_state = 1, .state = ASSET_STORAGE, .case_id = cx->crash_case };
	struct holder_ref h = { .id = cx->holder };
	struct custody_result res;
	enum at_code c;

	list_batch(cx->st, &f, &cx->tags);
	memset(&res, 0, sizeof(res));
	c = custody_stock_out(cx->st, kinds[OP_OUT].actor, h, T_DUE, cx->tags.p, BATCH, &res, e);
	if (c == AT_OK)
		snprintf(batch_id, AT_BATCH_ID_LEN + 1, "%s", res.batch_id);
	custody_result_free(&res);
	return c;
}

static enum at_code child_stock_in(struct child *cx, char *batch_id, struct at_errors *e)
{
	struct asset_filter f = { .has_state = 1, .state = ASSET_IN_CUSTODY };
	struct custody_result res;
	enum at_code c;

	list_batch(cx->st, &f, &cx->tags);
	/* No destination: each returns to the slot it left (the replacement
	 * to the one the asset it replaced left). */
	for (size_t i = 0; i < BATCH; i++) {
		memset(&cx->items[i], 0, sizeof(cx->items[i]));
		cx->items[i].tag = cx->tags.p[i];
	}
	memset(&res, 0, sizeof(res));
	c = custody_stock_in(cx->st, kinds[OP_IN].actor, cx->items, BATCH, &res, e);
	if (c == AT_OK)
		snprintf(batch_id, AT_BATCH_ID_LEN + 1, "%s", res.batch_id);
	custody_result_free(&res);
	return c;
}

/* One asset in custody is replaced by the spare in SPARE/1; the replaced
 * one takes SPARE/1 and is the next round's spare. */
static enum at_code child_replace(struct child *cx, char *batch_id, struct at_errors *e)
{
	struct asset_filter f = { .has_state = 1, .state = ASSET_IN_CUSTODY, .limit = 1 };
	struct case_info spare;
	struct asset old, repl;
	enum at_code c;

	cx->tags.n = 0;
	c = store_asset_list(cx->st, &f, tag_cb, &cx->tags);
	if (c == AT_OK && cx->tags.n != 1)
		c = AT_NOT_FOUND;
	if (c != AT_OK || (c = store_asset_by_tag(cx->st, cx->tags.v[0], &old)) != AT_OK)
		child_die("asset in custody", c, NULL);
	if ((c = store_case_by_name(cx->st, "SPARE", &spare)) != AT_OK ||
	    (c = store_asset_in_slot(cx->st, spare.id, 1, &repl)) != AT_OK)
		child_die("the spare", c, NULL);
	c = asset_replace(cx->st, kinds[OP_REPLACE].actor, old.tag, repl.tag, "crash test", NULL,
	                  NULL, NULL, e);
	if (c == AT_OK)
		committed_batch(cx, OP_REPLACE, batch_id);
	return c;
}

static enum at_code child_create(struct child *cx, char *batch_id, struct at_errors *e)
{
	char tag[AT_TAG_MAX + 1];
	struct asset_input in;
	enum at_code c;

	if (cx->next_new > NEW_SLOTS) {
		fprintf(stderr, "crash child: case NEW is full\n");
		_exit(16);
	}
	snprintf(tag, sizeof(tag), "NEW-%04d", cx->next_new);
	in = t_input(tag);
	in.slot_case = "NEW";
	in.slot_position = cx->next_new;
	c = asset_create(cx->st, kinds[OP_CREATE].actor, &in, NULL, e);
	if (c == AT_OK) {
		committed_batch(cx, OP_CREATE, batch_id);
		cx->next_new++;
	}
	return c;
}

/* IMPORT_ROWS new assets IMP<n>-001 ... in our export's CSV format, through
 * the call `assettrack import assets` makes. */
static enum at_code child_import(struct child *cx, char *batch_id, struct at_errors *e)
{
	struct import_result res;
	size_t len;
	enum at_code c;

	len = (size_t)snprintf(cx->csv, sizeof(cx->csv),
	                       "asset_tag,serial_number,manufacturer,equipment_type,building,room\n");
	for (int r = 1; r <= IMPORT_ROWS; r++) {
		int n = snprintf(cx->csv + len, sizeof(cx->csv) - len,
		                 "IMP%04d-%03d,SN-IMP%04d-%03d,Acme,Radio,HQ,Store room\n",
		                 cx->next_import, r, cx->next_import, r);
		if (n < 0 || (size_t)n >= sizeof(cx->csv) - len)
			_exit(17);
		len += (size_t)n;
	}
	if (cx->next_import % 2) {
		/* An import job whatever its size: three slices. */
		struct import_options o = { .slices_over = 1 };
		struct import_report rep;

		c = import_buffer(cx->st, kinds[OP_IMPORT].actor, &o, cx->csv, len, &rep, e);
		if (c == AT_OK && rep.created != IMPORT_ROWS)
			_exit(19);
		if (c == AT_OK)
			snprintf(batch_id, AT_BATCH_ID_LEN + 1, "%s", rep.batch_id);
		import_report_free(&rep);
	} else {
		memset(&res, 0, sizeof(res));
		c = import_assets(cx->st, kinds[OP_IMPORT].actor, cx->csv, len, 0, &res, e);
		if (c == AT_OK && res.created != IMPORT_ROWS)
			_exit(18);
		if (c == AT_OK)
			snprintf(batch_id, AT_BATCH_ID_LEN + 1, "%s", res.batch_id);
	}
	if (c == AT_OK)
		cx->next_import++;
	return c;
}

static enum at_code (*const child_ops[OP__MAX])(struct child *, char *, struct at_errors *) = {
	[OP_OUT] = child_stock_out, [OP_REPLACE] = child_replace, [OP_CREATE] = child_create,
	[OP_IMPORT] = child_import, [OP_IN] = child_stock_in,
};

/* The victim: the five operations in turn, forever, starting after the
 * one that wrote the newest event (the fixture's: Stock-Out first). */
static void child(const char *path)
{
	static struct child cx;
	struct at_errors e = AT_ERRORS_INIT;
	struct last_event l;
	struct holder h;
	enum at_code c;
	int k;

	if ((c = store_open(path, 0, &cx.st, &e)) != AT_OK)
		child_die("store_open", c, &e);
	if ((c = store_holder_by_badge(cx.st, HOLDER_BADGE, &h)) != AT_OK)
		child_die("holder", c, NULL);
	cx.holder = h.id;
	cx.crash_case = store_case_id(cx.st, "CRASH");
	cx.next_new = next_free(cx.st, "NEW-", "");
	cx.next_import = next_free(cx.st, "IMP", "-001");
	if ((c = last_event(cx.st, &l)) != AT_OK)
		child_die("last event", c, NULL);
	k = kind_of_actor(l.actor);
	t_hook_begun = report_begun;
	for (child_op = k < 0 ? OP_OUT : (enum op)((k + 1) % OP__MAX);;
	     child_op = (enum op)((child_op + 1) % OP__MAX)) {
		char batch_id[AT_BATCH_ID_LEN + 1];

		at_errors_reset(&e);
		c = child_ops[child_op](&cx, batch_id, &e);
		if (c != AT_OK)
			child_die(kinds[child_op].name, c, &e);
		report_ack(child_op, batch_id);
	}
}

/* ==== the parent's checks ============================================= */

struct batch_info {
	char id[AT_BATCH_ID_LEN + 1];
	int kind;                 /* enum op, or -1: the fixture's */
	int n;
};

struct log_scan {
	struct batch_info *v;
	size_t n, cap;
	int64_t events, last_seq;
	char problem[256];
};

/* One event of the whole log, in seq order: group it into its batch. */
static int scan_cb(void *ctx, const struct event *ev)
{
	struct log_scan *s = ctx;
	struct batch_info *last = s->n ? &s->v[s->n - 1] : NULL;
	int k = kind_of_actor(ev->actor);

	s->events++;
	if (ev->seq != s->last_seq + 1) {
		snprintf(s->problem, sizeof(s->problem), "seq %lld follows %lld",
		         (long long)ev->seq, (long long)s->last_seq);
		return 1;
	}
	s->last_seq = ev->seq;
	/* A batch's events are consecutive: one transaction writes them. */
	if (last && strcmp(last->id, ev->batch_id) == 0) {
		if (k != last->kind || (k >= 0 && strcmp(ev->type, kinds[k].rest) != 0)) {
			snprintf(s->problem, sizeof(s->problem), "batch %s: event %lld is %s by %s",
			         last->id, (long long)ev->seq, ev->type, ev->actor);
			return 1;
		}
		last->n++;
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].id, ev->batch_id) == 0) {
			snprintf(s->problem, sizeof(s->problem), "batch %s is split in the log",
			         ev->batch_id);
			return 1;
		}
	}
	if (k >= 0 && strcmp(ev->type, kinds[k].first) != 0) {
		snprintf(s->problem, sizeof(s->problem), "%s batch %s starts with %s", kinds[k].name,
		         ev->batch_id, ev->type);
		return 1;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct batch_info *nv = realloc(s->v, ncap * sizeof(*nv));
		if (!nv) {
			snprintf(s->problem, sizeof(s->problem), "out of memory");
			return 1;
		}
		s->v = nv;
		s->cap = ncap;
	}
	last = &s->v[s->n++];
	snprintf(last->id, sizeof(last->id), "%s", ev->batch_id);
	last->kind = k;
	last->n = 1;
	return 0;
}

static const struct batch_info *find_batch(const struct log_scan *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

/* The newest event about one asset, copied out of the iterator. */
struct asset_event {
	int found;
	char type[32];
	char to_case[AT_NAME_MAX + 1];         /* "" none */
	int to_position;
	int64_t holder_id;
	int replaced;                          /* ASSET_REPLACED, role "replaced" */
};

static int asset_event_cb(void *ctx, const struct event *ev)
{
	struct asset_event *a = ctx;

	a->found = 1;
	snprintf(a->type, sizeof(a->type), "%s", ev->type);
	snprintf(a->to_case, sizeof(a->to_case), "%s", ev->to_case ? ev->to_case : "");
	a->to_position = ev->to_position;
	a->holder_id = ev->holder_id;
	/* details is canonical compact JSON */
	a->replaced = ev->details && strstr(ev->details, "\"role\":\"replaced\"") != NULL;
	return 0;
}

/* In the slot the event put it in (none if the event names none). */
static int in_slot_of(const struct asset *a, const struct asset_event *ev)
{
	if (!ev->to_case[0])
		return a->case_id == 0;
	return a->case_id != 0 && strcmp(a->case_name, ev->to_case) == 0 &&
	       a->position == ev->to_position;
}

/* Does the asset stand where the newest event about it put it? */
static int agrees(const struct asset *a, const struct asset_event *ev)
{
	int stored = a->state == ASSET_STORAGE && a->holder_id == 0;

	if (strcmp(ev->type, "STOCK_OUT") == 0)
		return a->state == ASSET_IN_CUSTODY && a->holder_id == ev->holder_id && !a->case_id;
	if (strcmp(ev->type, "STOCK_IN") == 0 || strcmp(ev->type, "SLOT_ASSIGN") == 0)
		return stored && in_slot_of(a, ev);
	if (strcmp(ev->type, "ASSET_CREATED") == 0)
		return stored && a->case_id == 0;
	if (strcmp(ev->type, "ASSET_REPLACED") == 0 && ev->replaced)
		return stored && a->condition == COND_FAULTY && in_slot_of(a, ev);
	if (strcmp(ev->type, "ASSET_REPLACED") == 0 && ev->holder_id)
		return a->state == ASSET_IN_CUSTODY && a->holder_id == ev->holder_id && !a->case_id;
	if (strcmp(ev->type, "ASSET_REPLACED") == 0)
		return stored && in_slot_of(a, ev);
	return 0;
}

struct tags {
	char (*v)[AT_TAG_MAX + 1];
	size_t n, cap;
};

static int all_tags_cb(void *ctx, const struct asset *a)
{
	struct tags *t = ctx;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		void *nv = realloc(t->v, ncap * sizeof(*t->v));
		if (!nv)
			return 1;
		t->v = nv;
		t->cap = ncap;
	}
	snprintf(t->v[t->n++], sizeof(t->v[0]), "%s", a->tag);
	return 0;
}

/* Every asset agrees with the newest event about it, and the BATCH
 * assets of the cycle are all in custody or all in case CRASH. */
static void check_state(struct store *st, int round)
{
	int64_t out = store_asset_count(st, 1, ASSET_IN_CUSTODY);
	struct asset_filter af;
	struct event_filter f;
	struct case_info crash, spare;
	struct tags t = { NULL, 0, 0 };

	assert_int_equal(store_case_by_name(st, "CRASH", &crash), AT_OK);
	assert_int_equal(store_case_by_name(st, "SPARE", &spare), AT_OK);
	if (!((out == 0 && crash.occupied == BATCH) || (out == BATCH && crash.occupied == 0)) ||
	    spare.occupied != 1)
		fail_msg("round %d: %lld assets in custody, %d in case CRASH, %d in SPARE: "
		         "a partial operation", round, (long long)out, crash.occupied, spare.occupied);
	memset(&af, 0, sizeof(af));
	assert_int_equal(store_asset_list(st, &af, all_tags_cb, &t), AT_OK);
	for (size_t i = 0; i < t.n; i++) {
		struct asset_event ev;
		struct asset a;

		memset(&ev, 0, sizeof(ev));
		memset(&f, 0, sizeof(f));
		f.asset_tag = t.v[i];
		f.descending = 1;
		f.limit = 1;
		assert_int_equal(store_asset_by_tag(st, t.v[i], &a), AT_OK);
		assert_int_equal(store_event_list(st, &f, asset_event_cb, &ev), AT_OK);
		if (!ev.found || !agrees(&a, &ev)) {
			free(t.v);
			fail_msg("round %d: %s is %s (holder %lld, slot %s/%d), but its last event is "
			         "%s (holder %lld, to %s/%d)", round, a.tag, asset_state_name(a.state),
			         (long long)a.holder_id, a.case_name, a.position, ev.type,
			         (long long)ev.holder_id, ev.to_case, ev.to_position);
		}
	}
	free(t.v);
}

/* What the child reported before it was killed. */
struct ack {
	int kind;
	char id[AT_BATCH_ID_LEN + 1];
};

struct reports {
	struct ack *acked;
	size_t nacked, cap;      /* since the database was built */
	int begun;               /* kind of the transaction open at the kill, -1: none */
};

/* The state the log had before a round: it may only grow. */
struct baseline {
	int64_t events;
	char hash[AT_HASH_HEX + 1];
};

static int exists_cb(void *ctx, const struct event *ev)
{
	struct store *st = *(struct store **)ctx;
	struct asset a;

	return store_asset_by_tag(st, ev->asset_tag, &a) == AT_OK ? 0 : 1;
}

/* Every acknowledged operation is in the log in full and its assets
 * exist; the log kept every event it had before the round. */
static void check_kept(struct store *st, const struct log_scan *s, const struct reports *r,
                       struct baseline *b, int round)
{
	char hash[AT_HASH_HEX + 1];

	if (s->events < b->events)
		fail_msg("round %d: the log shrank from %lld to %lld events", round,
		         (long long)b->events, (long long)s->events);
	assert_int_equal(store_event_hash_at(st, b->events, hash), AT_OK);
	if (strcmp(hash, b->hash) != 0)
		fail_msg("round %d: event %lld changed", round, (long long)b->events);
	for (size_t i = 0; i < r->nacked; i++) {
		const struct ack *a = &r->acked[i];
		const struct batch_info *bi = find_batch(s, a->id);
		struct event_filter f;

		if (!bi || bi->kind != a->kind)
			fail_msg("round %d: acknowledged %s %s is not in the log", round,
			         kinds[a->kind].name, a->id);
		/* scan_cb and check_log made sure it holds all its events */
		memset(&f, 0, sizeof(f));
		f.batch_id = a->id;
		if (store_event_list(st, &f, exists_cb, &st) != AT_OK)
			fail_msg("round %d: an asset of acknowledged %s %s is missing", round,
			         kinds[a->kind].name, a->id);
	}
	b->events = s->events;
	assert_int_equal(store_event_hash_at(st, b->events, b->hash), AT_OK);
}

/* Every batch the child wrote holds exactly its operation's events. */
static void check_log(const struct log_scan *s, int round, int64_t complete[OP__MAX])
{
	for (int k = 0; k < OP__MAX; k++)
		complete[k] = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct batch_info *bi = &s->v[i];
		if (bi->kind < 0)
			continue;
		if (bi->n != kinds[bi->kind].events)
			fail_msg("round %d: %s batch %s has %d events, not %d", round,
			         kinds[bi->kind].name, bi->id, bi->n, kinds[bi->kind].events);
		complete[bi->kind]++;
	}
}

/* An import job the kill left open, finished (applying) or cancelled
 * (checking) as the next command to open the database would; 1 when
 * there was one. */
static int finish_job(struct store *st, int round)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_job j;
	enum at_code c = store_job_get_open(st, &j);

	store_job_free(&j);
	if (c == AT_NOT_FOUND)
		return 0;
	assert_int_equal(c, AT_OK);
	/* Its process is gone: no waiting for its heartbeat to go stale. */
	if (import_recover(st, IMPORT_STALE_S, NULL, &e) != AT_OK)
		fail_msg("round %d: the import job the kill left is not finished: %s", round,
		         e.message);
	assert_int_equal(store_job_get_open(st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	at_errors_free(&e);
	return 1;
}

/* All the checks after one kill; `complete` gets the number of each
 * operation in the log, `jobs` one more if an import job was left open. */
static void check_after_kill(const char *path, const struct reports *r, struct baseline *b,
                             int round, int64_t complete[OP__MAX], int *jobs)
{
	struct store *st = t_store_open(path);
	struct log_scan s;
	struct event_filter f;

	*jobs += finish_job(st, round);
	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_event_list(st, &f, scan_cb, &s), AT_OK);
	if (s.problem[0]) {
		free(s.v);
		fail_msg("round %d: %s", round, s.problem);
	}
	check_log(&s, round, complete);
	check_kept(st, &s, r, b, round);
	free(s.v);
	check_state(st, round);
	if (!t_verify(st, NULL))
		fail_msg("round %d: verify failed after the kill", round);
	store_close(st);
}

/* Read everything the killed child wrote to the pipe. */
static void read_reports(int fd, struct reports *r)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	r->begun = -1;
	for (size_t i = 0; i < len;) {
		char kind = i + 1 < len ? buf[i + 1] : '?';
		const char *id, *end;

		assert_true(kind >= '0' && kind < '0' + OP__MAX);
		if (buf[i] == 'B') {
			r->begun = kind - '0';
			i += 2;
			continue;
		}
		assert_true(buf[i] == 'A');
		id = buf + i + 2;
		end = memchr(id, '\n', len - (i + 2));
		assert_non_null(end);
		assert_int_equal(end - id, AT_BATCH_ID_LEN);
		if (r->nacked == r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 64;
			void *nv = realloc(r->acked, ncap * sizeof(*r->acked));
			assert_non_null(nv);
			r->acked = nv;
			r->cap = ncap;
		}
		r->acked[r->nacked].kind = kind - '0';
		memcpy(r->acked[r->nacked].id, id, AT_BATCH_ID_LEN);
		r->acked[r->nacked].id[AT_BATCH_ID_LEN] = '\0';
		r->nacked++;
		r->begun = -1;
		i = (size_t)(end - buf) + 1;
	}
	free(buf);
}

/* ==== the test ======================================================== */

static char path[T_PATH_MAX];

static int teardown(void **state)
{
	(void)state;
	if (path[0])
		t_db_remove(path);
	return 0;
}

/* A new database for the next rounds: BATCH assets in case CRASH, a
 * spare in SPARE/1, an empty case NEW, the holder.  Built in bulk mode:
 * the crash test is about what the child does, not the setup's fsyncs. */
static void new_database(struct baseline *b)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st;
	char tag[16];

	if (path[0])
		t_db_remove(path);
	t_db_path(path, sizeof(path), "crash");
	if (store_open(path, STORE_CREATE | STORE_BULK, &st, &e) != AT_OK) {
		t_dump("store_open", &e);
		fail();
	}
	t_case(st, "CRASH", BATCH);
	t_case(st, "SPARE", 1);
	t_case(st, "NEW", NEW_SLOTS);
	t_holder(st, "Crash Holder", HOLDER_BADGE);
	for (int i = 0; i < BATCH; i++) {
		snprintf(tag, sizeof(tag), "AT-%04d", i + 1);
		t_asset(st, tag, "CRASH", i + 1);
	}
	t_asset(st, "SP-0001", "SPARE", 1);
	b->events = store_event_count(st);
	assert_int_equal(store_event_hash_at(st, b->events, b->hash), AT_OK);
	store_close(st);
	at_errors_free(&e);
}

/* Fork the child, let it run `ms`, SIGKILL it, collect its reports. */
static void run_and_kill(long ms, struct reports *r, int round)
{
	struct timespec delay;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		child(path);
	}
	close(fds[1]);
	delay.tv_sec = ms / 1000;
	delay.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
		;
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		fail_msg("round %d: the child ended by itself (status 0x%x) before the kill", round,
		         status);
	read_reports(fds[0], r);
	close(fds[0]);
}

static int crash_rounds(void)
{
	const char *env = getenv("AT_CRASH_ROUNDS");
	int64_t n;

	if (!env || !*env)
		return 30;
	if (text_parse_int(env, 1, 1000000, &n) != 0)
		fail_msg("AT_CRASH_ROUNDS=%s: give a number of rounds from 1 to 1000000", env);
	return (int)n;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_crash_kill_during_every_write(void **state)
{
	uint64_t rng = t_seed("test_crash");
	int rounds = crash_rounds(), in_txn[OP__MAX] = { 0 }, in_txn_all = 0, dbs = 0, kills = 0;
	int jobs = 0;
	int64_t acked[OP__MAX] = { 0 }, complete[OP__MAX] = { 0 }, in_log[OP__MAX] = { 0 };
	struct reports rep = { NULL, 0, 0, -1 };
	struct baseline base;
	struct timespec t0;
	size_t before;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int round = 1;; round++) {
		/* 0-40 ms lands inside the child's first operations.  A sanitized
		 * build needs longer than that for one batch, so there every
		 * third round waits longer and operations complete too.  Past
		 * `rounds`, while an operation has never completed (a loaded
		 * machine: the child did not get that far), rounds go on with
		 * longer waits, up to twice as many again; and while no kill has
		 * landed inside a transaction, with waits up to 400 ms. */
		long ms = t_sanitized() && round % 3 == 0 ? 300 + (long)t_rand_below(&rng, 700)
		                                         : (long)t_rand_below(&rng, 41);
		int all_done = 1;

		for (int k = 0; k < OP__MAX; k++)
			all_done &= in_log[k] + complete[k] >= 1;
		if (round > rounds && ((all_done && in_txn_all >= 1) || round > 3 * rounds))
			break;
		if (round > rounds && !all_done)
			ms = (t_sanitized() ? 1000 : 200) + (long)t_rand_below(&rng, 2000);
		else if (round > rounds)
			/* none inside a transaction yet: on a loaded machine the
			 * child may not reach its first operation within 40 ms
			 * (PostgreSQL in CI: 90 kills, none inside one), so
			 * anywhere in its first 400 ms */
			ms = (long)t_rand_below(&rng, 401);

		if ((round - 1) % ROUNDS_PER_DB == 0) {
			/* the previous database's operations are counted; its acks
			 * mean nothing to the new one */
			for (int k = 0; k < OP__MAX; k++)
				in_log[k] += complete[k], complete[k] = 0;
			rep.nacked = 0;
			new_database(&base);
			dbs++;
		}
		before = rep.nacked;
		run_and_kill(ms, &rep, round);
		for (size_t i = before; i < rep.nacked; i++)
			acked[rep.acked[i].kind]++;
		if (rep.begun >= 0) {
			in_txn[rep.begun]++;
			in_txn_all++;
		}
		check_after_kill(path, &rep, &base, round, complete, &jobs);
		kills = round;
	}
	for (int k = 0; k < OP__MAX; k++)
		in_log[k] += complete[k];
	printf("test_crash: %d kills in %.1f s on %d databases; %d inside an open transaction; "
	       "%d left an import job open, finished after\n",
	       kills, seconds_since(&t0), dbs, in_txn_all, jobs);
	printf("test_crash: %-10s %8s %14s %10s\n", "operation", "kills in", "acknowledged",
	       "complete");
	printf("test_crash: %-10s %8s %14s %10s\n", "", "its txn", "(all in log)", "in the log");
	for (int k = 0; k < OP__MAX; k++)
		printf("test_crash: %-10s %8d %14lld %10lld\n", kinds[k].name, in_txn[k],
		       (long long)acked[k], (long long)in_log[k]);
	/* the children did real work between the kills, and kills did land
	 * inside transactions: the test exercised what it claims */
	for (int k = 0; k < OP__MAX; k++) {
		if (in_log[k] < 1)
			fail_msg("no %s completed in %d rounds", kinds[k].name, kills);
	}
	assert_true(in_txn_all >= 1);
	if (rounds >= ALL_KINDS_ROUNDS) {
		for (int k = 0; k < OP__MAX; k++)
			if (in_txn[k] < 1)
				fail_msg("no kill landed inside a %s in %d rounds", kinds[k].name, rounds);
		if (jobs < 1)
			fail_msg("no kill left an import job open in %d rounds", rounds);
	}
	free(rep.acked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crash_kill_during_every_write, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
