/*
 * test_events.c — the append-only, hash-chained event log (core/event.h,
 * schema triggers; SPEC §2 "Event", §3.5–6).
 */
#include "testlib.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* A database with some of every kind of event. */
static void busy_db(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item back[] = { { "AT-0001", NULL, 0 }, { "AT-0002", "CASE-B", 1 } };
	struct case_info c;
	struct holder h;
	struct asset o, r;
	int64_t dana, eve;

	t_case(st, "CASE-A", 10);
	t_case(st, "CASE-B", 4);
	dana = t_holder(st, "Dana Ruiz", "B-1");
	eve = t_holder(st, "Eve Long", NULL);
	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_asset(st, "AT-0003", "CASE-A", 3);
	t_asset(st, "AT-0004", NULL, 0);
	t_asset(st, "AT-0005", "CASE-A", 5);
	t_stock_out(st, dana, "AT-0001", "AT-0002", NULL);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_in(st, T_ACTOR, back, 2, &res, &e), &e);
	custody_result_free(&res);
	t_stock_out(st, eve, "AT-0003", NULL);
	T_OK(asset_replace(st, T_ACTOR, "AT-0003", "AT-0005", "broken", NULL, &o, &r, &e), &e);
	T_OK(slot_assign(st, T_ACTOR, "AT-0004", "CASE-B", 3, NULL, &e), &e);
	T_OK(slot_move(st, T_ACTOR, "AT-0004", "CASE-B", 4, NULL, &e), &e);
	T_OK(slot_force_vacate(st, T_ACTOR, "CASE-B", 4, "foam torn", NULL, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0004", "obsolete", NULL, &e), &e);
	T_OK(case_update(st, T_ACTOR, "CASE-B", 6, NULL, NULL, NULL, &c, &e), &e);
	T_OK(holder_update(st, T_ACTOR, dana, "Dana Ruiz-Ortega", NULL, NULL, -1, &h, &e), &e);
	{
		struct asset_input in;
		memset(&in, 0, sizeof(in));
		in.notes = "checked";
		T_OK(asset_update(st, T_ACTOR, "AT-0001", &in, NULL, &e), &e);
	}
	at_errors_free(&e);
}

struct chain {
	int64_t n;
	char prev[AT_HASH_HEX + 1];
	char last_at[AT_TIME_LEN + 1];
	char problem[512];
};

static int is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int chain_cb(void *ctx, const struct event *ev)
{
	struct chain *c = ctx;
	char h[AT_HASH_HEX + 1];

	c->n++;
	if (ev->seq != c->n) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld where %lld expected",
		         (long long)ev->seq, (long long)c->n);
		return 1;
	}
	if (strcmp(ev->prev_hash, c->prev) != 0) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: prev_hash %s, previous hash %s",
		         (long long)ev->seq, ev->prev_hash, c->prev);
		return 1;
	}
	if (!is_lower_hex(ev->hash, AT_HASH_HEX)) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: hash %s is not lower-case hex",
		         (long long)ev->seq, ev->hash);
		return 1;
	}
	event_compute_hash(ev, h);
	if (strcmp(h, ev->hash) != 0) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: stored hash %s, recomputed %s",
		         (long long)ev->seq, ev->hash, h);
		return 1;
	}
	if (strlen(ev->at) != AT_TIME_LEN || ev->at[AT_TIME_LEN - 1] != 'Z' ||
	    strcmp(ev->at, c->last_at) < 0) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: time %s after %s",
		         (long long)ev->seq, ev->at, c->last_at);
		return 1;
	}
	if (!ev->batch_id || strlen(ev->batch_id) != AT_BATCH_ID_LEN) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: batch id '%s'",
		         (long long)ev->seq, ev->batch_id ? ev->batch_id : "(null)");
		return 1;
	}
	if (!ev->actor || strcmp(ev->actor, T_ACTOR) != 0) {
		snprintf(c->problem, sizeof(c->problem), "seq %lld: actor '%s'", (long long)ev->seq,
		         ev->actor ? ev->actor : "(null)");
		return 1;
	}
	memcpy(c->prev, ev->hash, sizeof(c->prev));
	memcpy(c->last_at, ev->at, sizeof(c->last_at));
	return 0;
}

/*
 * Known answer: an event whose hash was computed outside this code, with
 * the byte layout docs/hash-chain.md gives:
 *   RS=$'\x1e'; Z=$(printf '0%.0s' $(seq 64))
 *   printf '%s' "s$Z${RS}i1${RS}s2026-01-02T03:04:05.678Z${RS}sSTOCK_OUT${RS}sAT-0001${RS}\
 *   sPELI-07${RS}i3${RS}n${RS}n${RS}i42${RS}salice${RS}n${RS}\
 *   s00000000-0000-4000-8000-000000000000${RS}s{\"due\":\"2026-01-09\"}${RS}" | sha256sum
 * (one line; the backslash-newlines above are only for this comment).
 */
static void test_hash_known_answer(void **state)
{
	struct event ev;
	char hash[AT_HASH_HEX + 1];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	memset(ev.prev_hash, '0', AT_HASH_HEX);
	ev.seq = 1;
	snprintf(ev.at, sizeof(ev.at), "2026-01-02T03:04:05.678Z");
	ev.type = "STOCK_OUT";
	ev.asset_tag = "AT-0001";
	ev.from_case = "PELI-07";
	ev.from_position = 3;
	ev.holder_id = 42;
	ev.actor = "alice";
	ev.batch_id = "00000000-0000-4000-8000-000000000000";
	ev.details = "{\"due\":\"2026-01-09\"}";
	event_compute_hash(&ev, hash);
	assert_string_equal(hash, "4d1254f7c1b1deea36b214a6f2d1e1f94ca0348a5760331b819609af111bd319");
}

static void test_chain_links_every_event(void **state)
{
	struct store *st = T_ST(state);
	struct event_filter f;
	struct chain c;

	busy_db(st);
	memset(&c, 0, sizeof(c));
	memcpy(c.prev, zeros, sizeof(c.prev)); /* first prev_hash: 64 zeros */
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_event_list(st, &f, chain_cb, &c), AT_OK);
	if (c.problem[0])
		fail_msg("%s", c.problem);
	assert_int_equal(c.n, t_events(st));
	assert_true(c.n >= 20);
	T_VERIFY_OK(st);
}

static void test_chain_first_prev_hash_zeros(void **state)
{
	struct store *st = T_ST(state);
	struct t_event *v;
	size_t n;

	t_case(st, "CASE-A", 1);
	v = t_event_rows(st, NULL, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].seq, 1);
	assert_string_equal(v[0].prev_hash, zeros);
	assert_string_not_equal(v[0].hash, zeros);
	t_events_free(v, n);
}

static void test_hash_covers_every_field(void **state)
{
	struct store *st = T_ST(state);
	struct event ev, ev2;
	char base[AT_HASH_HEX + 1], h[AT_HASH_HEX + 1];

	(void)st;
	memset(&ev, 0, sizeof(ev));
	ev.seq = 7;
	memcpy(ev.at, "2026-03-02T10:15:30.123Z", AT_TIME_LEN + 1);
	ev.type = "STOCK_OUT";
	ev.asset_tag = "AT-0001";
	ev.from_case = "CASE-A";
	ev.from_position = 3;
	ev.holder_id = 2;
	ev.actor = "alice";
	ev.reason = NULL;
	ev.batch_id = "6f1c1a4e-2a43-4d0e-9a59-4c1f7c0c1b11";
	ev.details = "{\"due\":\"2099-12-31\"}";
	memcpy(ev.prev_hash, zeros, sizeof(ev.prev_hash));
	event_compute_hash(&ev, base);
	assert_true(is_lower_hex(base, AT_HASH_HEX));
	event_compute_hash(&ev, h);
	assert_string_equal(h, base); /* deterministic */

#define CHANGED(stmt)                                     \
	do {                                              \
		ev2 = ev;                                 \
		stmt;                                     \
		event_compute_hash(&ev2, h);              \
		if (strcmp(h, base) == 0)                 \
			fail_msg("hash ignores: %s", #stmt); \
	} while (0)
	CHANGED(ev2.seq = 8);
	CHANGED(ev2.at[22] = '4');
	CHANGED(ev2.type = "STOCK_IN");
	CHANGED(ev2.asset_tag = "AT-0002");
	CHANGED(ev2.asset_tag = NULL);
	CHANGED(ev2.from_case = "CASE-B");
	CHANGED(ev2.from_position = 4);
	CHANGED(ev2.from_case = NULL);
	CHANGED((ev2.to_case = "CASE-A", ev2.to_position = 3));
	CHANGED(ev2.holder_id = 3);
	CHANGED(ev2.holder_id = 0);
	CHANGED(ev2.actor = "mallory");
	CHANGED(ev2.reason = "");
	CHANGED(ev2.reason = "x");
	CHANGED(ev2.batch_id = "6f1c1a4e-2a43-4d0e-9a59-4c1f7c0c1b12");
	CHANGED(ev2.details = "{\"due\":\"2099-12-30\"}");
	CHANGED(ev2.prev_hash[0] = '1');
#undef CHANGED
	/* moving text between adjacent fields changes the hash too */
	ev2 = ev;
	ev2.asset_tag = "AT-0001CASE-A";
	ev2.from_case = "";
	event_compute_hash(&ev2, h);
	assert_string_not_equal(h, base);
}

/* ---- triggers --------------------------------------------------------- */

static int64_t max_seq(const char *path)
{
	return t_sql_int(path, "SELECT max(seq) FROM events");
}

static void test_trigger_update_refused(void **state)
{
	struct t_db *d = T_DB(state);
	char err[256];
	int rc;

	busy_db(d->st);
	rc = t_sql(d->path, "UPDATE events SET actor = 'mallory' WHERE seq = 3", err);
	assert_int_not_equal(rc, SQLITE_OK);
	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM events WHERE actor = 'mallory'"),
	                 0);
	rc = t_sql(d->path, "UPDATE events SET hash = prev_hash", err);
	assert_int_not_equal(rc, SQLITE_OK);
	rc = t_sql(d->path, "UPDATE events SET details = '{}' WHERE seq = 1", err);
	assert_int_not_equal(rc, SQLITE_OK);
	T_VERIFY_OK(d->st);
}

static void test_trigger_delete_refused(void **state)
{
	struct t_db *d = T_DB(state);
	char err[256];
	int64_t n;
	int rc;

	busy_db(d->st);
	n = t_events(d->st);
	rc = t_sql(d->path, "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)", err);
	assert_int_not_equal(rc, SQLITE_OK);
	rc = t_sql(d->path, "DELETE FROM events", err);
	assert_int_not_equal(rc, SQLITE_OK);
	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM events"), n);
	assert_int_equal(t_events(d->st), n);
	T_VERIFY_OK(d->st);
}

/* Insert a raw event row through a connection of its own (t_sql: a raw
 * sqlite3 one, or libpq on PostgreSQL); 0 (SQLITE_OK) when it got in.
 * The values are numbers and hex digits: written into the text. */
static int raw_insert(const char *path, int64_t seq, const char *prev_hash, const char *hash)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "INSERT INTO events(seq, at, type, asset_tag, actor, batch_id, details, "
	         "prev_hash, hash) VALUES (%lld, '2026-03-02T10:15:30.123Z', 'ASSET_UPDATED', "
	         "'AT-0001', 'mallory', '00000000-0000-4000-8000-000000000000', '{}', '%s', '%s')",
	         (long long)seq, prev_hash, hash);
	return t_sql(path, sql, NULL);
}

static void last_hash(struct store *st, char out[AT_HASH_HEX + 1])
{
	int64_t seq;

	assert_int_equal(store_event_last(st, &seq, out), AT_OK);
}

static const char forged[] = "abababababababababababababababababababababababababababababababab";

static void test_trigger_insert_wrong_seq(void **state)
{
	struct t_db *d = T_DB(state);
	char prev[AT_HASH_HEX + 1];
	int64_t n;

	busy_db(d->st);
	n = max_seq(d->path);
	last_hash(d->st, prev);
	assert_int_not_equal(raw_insert(d->path, n + 2, prev, forged), SQLITE_OK); /* gap */
	assert_int_not_equal(raw_insert(d->path, n, prev, forged), SQLITE_OK);     /* reuse */
	assert_int_not_equal(raw_insert(d->path, 0, zeros, forged), SQLITE_OK);
	assert_int_not_equal(raw_insert(d->path, n + 100, prev, forged), SQLITE_OK);
	assert_int_equal(max_seq(d->path), n);
	T_VERIFY_OK(d->st);
}

static void test_trigger_insert_wrong_prev_hash(void **state)
{
	struct t_db *d = T_DB(state);
	char prev[AT_HASH_HEX + 1];
	int64_t n;

	busy_db(d->st);
	n = max_seq(d->path);
	last_hash(d->st, prev);
	assert_int_not_equal(raw_insert(d->path, n + 1, forged, forged), SQLITE_OK);
	assert_int_not_equal(raw_insert(d->path, n + 1, zeros, forged), SQLITE_OK);
	{
		/* the hash of an earlier event is not the previous hash */
		struct t_event *v;
		size_t k;
		v = t_event_rows(d->st, NULL, &k);
		assert_true(k >= 2);
		assert_int_not_equal(raw_insert(d->path, n + 1, v[k - 2].hash, forged), SQLITE_OK);
		t_events_free(v, k);
	}
	assert_int_equal(max_seq(d->path), n);
	T_VERIFY_OK(d->st);
}

static void test_trigger_insert_right_links_accepted_but_hash_caught(void **state)
{
	struct t_db *d = T_DB(state);
	char prev[AT_HASH_HEX + 1], code[48];
	int64_t n;

	/* Control for the two tests above: the triggers refuse only the bad
	 * link.  A row with the right seq and prev_hash gets in, and then it
	 * is verify's hash check that catches the forgery. */
	busy_db(d->st);
	n = max_seq(d->path);
	last_hash(d->st, prev);
	assert_int_equal(raw_insert(d->path, n + 1, prev, forged), SQLITE_OK);
	assert_int_equal(max_seq(d->path), n + 1);
	assert_int_equal(t_verify(d->st, code), 0);
	assert_true(code[0] != '\0');
}

static void test_refused_operation_writes_no_event(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t n;
	char prev[AT_HASH_HEX + 1], after[AT_HASH_HEX + 1];

	busy_db(st);
	n = t_events(st);
	last_hash(st, prev);
	T_REFUSED(slot_assign(st, T_ACTOR, "AT-0404", "CASE-A", 9, NULL, &e), &e);
	T_REFUSED(asset_retire(st, T_ACTOR, "AT-0002", "", NULL, &e), &e);
	assert_int_equal(t_events(st), n);
	last_hash(st, after);
	assert_string_equal(prev, after);
	/* the next successful operation continues the chain seamlessly */
	t_asset(st, "AT-0100", NULL, 0);
	{
		struct t_event ev = t_last_event(st);
		assert_int_equal(ev.seq, n + 1);
		assert_string_equal(ev.prev_hash, prev);
		free(ev.details);
	}
	at_errors_free(&e);
}

static void test_event_list_filters(void **state)
{
	struct store *st = T_ST(state);
	struct event_filter f;
	struct t_event *v;
	size_t n;

	busy_db(st);
	memset(&f, 0, sizeof(f));
	f.asset_tag = "AT-0001";
	v = t_event_rows(st, &f, &n);
	assert_true(n >= 5); /* created, slot, out, in, updated */
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].asset_tag, "AT-0001");
		if (i)
			assert_true(v[i].seq > v[i - 1].seq);
	}
	t_events_free(v, n);

	memset(&f, 0, sizeof(f));
	f.type = "STOCK_OUT";
	v = t_event_rows(st, &f, &n);
	assert_int_equal(n, 3);
	t_events_free(v, n);

	memset(&f, 0, sizeof(f));
	f.descending = 1;
	f.limit = 3;
	v = t_event_rows(st, &f, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].seq, t_events(st));
	assert_int_equal(v[2].seq, t_events(st) - 2);
	t_events_free(v, n);
}

/* Every page shape the list statements have (whole log, one asset, one
 * holder, one batch; oldest or newest first; from the start or after a
 * cursor; with or without a limit) against the whole log filtered here:
 * each shape has its own statement, and the newest-first cursor and the
 * holder's statement were rewritten for their indexes (issue #9). */
static void test_event_list_pages_match_the_log(void **state)
{
	struct store *st = T_ST(state);
	struct event_filter f;
	struct t_event *all, *v;
	size_t n_all, n;
	int64_t holders[] = { 0, 1, 2, 99 };
	const char *tags[] = { NULL, "AT-0001", "AT-0004" };
	int shapes = 0, nonempty = 0;
	size_t out = 0;

	busy_db(st);
	memset(&f, 0, sizeof(f));
	all = t_event_rows(st, &f, &n_all);
	assert_true(n_all >= 20 && n_all < 256);
	while (out < n_all && strcmp(all[out].type, "STOCK_OUT") != 0)
		out++;
	assert_true(out < n_all);
	for (size_t h = 0; h < sizeof(holders) / sizeof(holders[0]); h++)
		for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
			for (int batch = 0; batch < 2; batch++)
				for (int desc = 0; desc < 2; desc++)
					for (int64_t after = 0; after <= (int64_t)n_all; after += 7)
						for (int limit = 0; limit <= 2; limit += 2) {
							int64_t want[256];
							size_t k = 0;

							memset(&f, 0, sizeof(f));
							f.holder_id = holders[h];
							f.asset_tag = tags[t];
							/* the batch of the first Stock-Out */
							f.batch_id = batch ? all[out].batch_id : NULL;
							f.descending = desc;
							f.after_seq = after;
							f.limit = limit;
							for (size_t j = 0; j < n_all; j++) {
								size_t i = desc ? n_all - 1 - j : j;
								const struct t_event *x = &all[i];

								if ((f.holder_id && x->holder_id != f.holder_id) ||
								    (f.asset_tag && strcmp(x->asset_tag, f.asset_tag)) ||
								    (f.batch_id && strcmp(x->batch_id, f.batch_id)) ||
								    (after && (desc ? x->seq >= after : x->seq <= after)))
									continue;
								if (limit && k == (size_t)limit)
									break;
								want[k++] = x->seq;
							}
							v = t_event_rows(st, &f, &n);
							if (n != k)
								fail_msg("holder %lld tag %s batch %d desc %d after %lld "
								         "limit %d: %zu events, %zu expected",
								         (long long)f.holder_id, f.asset_tag ? f.asset_tag : "-",
								         batch, desc, (long long)after, limit, n, k);
							for (size_t i = 0; i < n; i++)
								assert_int_equal(v[i].seq, want[i]);
							t_events_free(v, n);
							shapes++;
							nonempty += k > 0;
						}
	t_events_free(all, n_all);
	assert_true(shapes > 300);
	assert_true(nonempty > 100);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, t_setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_known_answer),
		T(test_chain_links_every_event),
		T(test_chain_first_prev_hash_zeros),
		T(test_hash_covers_every_field),
		T(test_trigger_update_refused),
		T(test_trigger_delete_refused),
		T(test_trigger_insert_wrong_seq),
		T(test_trigger_insert_wrong_prev_hash),
		T(test_trigger_insert_right_links_accepted_but_hash_caught),
		T(test_refused_operation_writes_no_event),
		T(test_event_list_filters),
		T(test_event_list_pages_match_the_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
