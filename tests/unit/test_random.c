/*
 * test_random.c — randomized model test of the whole custody engine.
 *
 * Thousands of random operations, valid and invalid, against a small
 * world (60 possible assets, 32 slots in 3 cases, 4 holders) so that
 * collisions are frequent.  A simple in-test model predicts each outcome:
 * a refused operation must change nothing (no state, no event), a
 * successful one must leave exactly the predicted state and number of
 * events.  At the end verify_run must pass and a full replay of the log
 * must reproduce every asset.
 *
 * The seed is printed; AT_SEED=<n> reruns a failure.  AT_OPS=<n>
 * overrides the number of operations (default 3000, 1000 under
 * AT_SANITIZED).
 */
#include "testlib.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NA 60
#define NCASE 3
#define NH 4
#define NSERIAL 400

static const char *const case_names[NCASE + 1] = { "RC-1", "RC-2", "RC-3", "RC-NOPE" };
static const int case_size[NCASE] = { 10, 10, 12 };
static const char *const cond_names[] = { "GOOD", "DAMAGED", "FAULTY" };

struct m_asset {
	int exists;
	char tag[AT_TAG_MAX + 1];
	char serial_key[64];
	enum asset_state state;
	enum asset_condition cond;
	int c, p;               /* case index, position; c = -1: unslotted */
	int64_t holder;
	char due[11];
	int last_c, last_p;     /* slot left at the last Stock-Out; -1: unknown */
};

struct model {
	struct m_asset a[NA];
	int active[NH + 1];
	int64_t hid[NH + 1];
	char badge[NH + 1][16];
};

struct world {
	struct store *st;
	struct model m;
	uint64_t rng;
	long op;               /* operation number, for messages */
	char what[1024];       /* description of the current operation */
	unsigned notes;
	long stats_ok, stats_refused;
	int kind;              /* current operation kind */
	long kind_ok[10], kind_n[10];
};

static const char *const kind_names[10] = { "create", "update",   "retire",    "assign",
	                                    "move",   "vacate",   "stock-out", "stock-in",
	                                    "replace", "holder" };

static uint32_t rnd(struct world *w, uint32_t n)
{
	return t_rand_below(&w->rng, n);
}

static int chance(struct world *w, int percent)
{
	return (int)rnd(w, 100) < percent;
}

/* ---- model helpers --------------------------------------------------- */

static void serial_key(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s), i = 0, j = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	while (n > i && isspace((unsigned char)s[n - 1]))
		n--;
	for (; i < n && j + 1 < cap; i++)
		out[j++] = (char)tolower((unsigned char)s[i]);
	out[j] = '\0';
}

static int occupant(const struct model *m, int c, int p)
{
	for (int i = 0; i < NA; i++)
		if (m->a[i].exists && m->a[i].c == c && m->a[i].p == p)
			return i;
	return -1;
}

static int slot_exists(int c, int p)
{
	return c >= 0 && c < NCASE && p >= 1 && p <= case_size[c];
}

static int serial_used(const struct model *m, const char *key, int except)
{
	for (int i = 0; i < NA; i++)
		if (i != except && m->a[i].exists && strcmp(m->a[i].serial_key, key) == 0)
			return 1;
	return 0;
}

static int holds_any(const struct model *m, int64_t holder)
{
	for (int i = 0; i < NA; i++)
		if (m->a[i].exists && m->a[i].state == ASSET_IN_CUSTODY && m->a[i].holder == holder)
			return 1;
	return 0;
}

static void key_of(const char *tag, char *out, size_t cap)
{
	size_t j = 0;

	for (; *tag && j + 1 < cap; tag++) {
		if (*tag == '-' || *tag == ' ')
			continue;
		out[j++] = (char)toupper((unsigned char)*tag);
	}
	out[j] = '\0';
}

/* SPEC §4 against the model: -1 not found, -2 unprintable, else index. */
static int m_resolve(const struct model *m, const char *in)
{
	char clean[AT_INPUT_MAX], key[AT_INPUT_MAX], k2[AT_INPUT_MAX];
	size_t s = 0, e = strlen(in);

	while (s < e && ((unsigned char)in[s] <= 0x20 || in[s] == 0x7f))
		s++;
	while (e > s && ((unsigned char)in[e - 1] <= 0x20 || in[e - 1] == 0x7f))
		e--;
	for (size_t i = s; i < e; i++)
		if ((unsigned char)in[i] < 0x20 || (unsigned char)in[i] >= 0x7f)
			return -2;
	if (e - s >= sizeof(clean))
		return -1;
	memcpy(clean, in + s, e - s);
	clean[e - s] = '\0';
	for (int i = 0; i < NA; i++)
		if (m->a[i].exists && strcmp(m->a[i].tag, clean) == 0)
			return i;
	key_of(clean, key, sizeof(key));
	for (int i = 0; i < NA; i++) {
		if (!m->a[i].exists)
			continue;
		key_of(m->a[i].tag, k2, sizeof(k2));
		if (strcmp(k2, key) == 0)
			return i;
	}
	return -1;
}

/* ---- input generators ----------------------------------------------- */

/* A spelling of asset j's tag: canonical (or base) or a scanner variant. */
static void tag_variant(struct world *w, int j, char *out, size_t cap, int scanner)
{
	char base[32];
	const char *t;

	snprintf(base, sizeof(base), "RT-%03d", j);
	t = w->m.a[j].exists ? w->m.a[j].tag : base;
	switch (rnd(w, scanner ? 6 : 3)) {
	case 0:
		snprintf(out, cap, "%s", t);
		break;
	case 1: { /* lower-case */
		size_t i;
		for (i = 0; t[i] && i + 1 < cap; i++)
			out[i] = (char)tolower((unsigned char)t[i]);
		out[i] = '\0';
		break;
	}
	case 2: { /* dashes stripped, upper-case */
		key_of(t, out, cap);
		break;
	}
	case 3:
		snprintf(out, cap, "%s\r\n", t);
		break;
	case 4:
		snprintf(out, cap, "\t%s\t", t);
		break;
	default:
		snprintf(out, cap, "\x02%s\x03", t);
		break;
	}
}

static void serial_variant(struct world *w, char *out, size_t cap)
{
	int n = (int)rnd(w, NSERIAL);

	switch (rnd(w, 4)) {
	case 0:
		snprintf(out, cap, "SER-%d", n);
		break;
	case 1:
		snprintf(out, cap, "ser-%d", n);
		break;
	case 2:
		snprintf(out, cap, "  SER-%d ", n);
		break;
	default:
		snprintf(out, cap, "Ser-%d", n);
		break;
	}
}

/* A random slot: mostly real ones, sometimes missing case or position. */
static void random_slot(struct world *w, int *c, int *p)
{
	if (chance(w, 4)) {
		*c = NCASE; /* no such case */
		*p = 1;
		return;
	}
	*c = (int)rnd(w, NCASE);
	*p = 1 + (int)rnd(w, (uint32_t)case_size[*c] + (chance(w, 10) ? 1 : 0));
}

/* Predicates for picking plausible targets. */
enum pick { P_ANY, P_LIVE, P_STORAGE, P_SLOTTED, P_UNSLOTTED, P_CUSTODY, P_OLD };

static int fits(const struct m_asset *a, enum pick k)
{
	if (!a->exists)
		return 0;
	switch (k) {
	case P_LIVE:
		return a->state != ASSET_RETIRED;
	case P_STORAGE:
		return a->state == ASSET_STORAGE;
	case P_SLOTTED:
		return a->state == ASSET_STORAGE && a->c >= 0;
	case P_UNSLOTTED:
		return a->state == ASSET_STORAGE && a->c < 0;
	case P_CUSTODY:
		return a->state == ASSET_IN_CUSTODY;
	case P_OLD:
		return a->state == ASSET_IN_CUSTODY || (a->state == ASSET_STORAGE && a->c >= 0);
	default:
		return 1;
	}
}

/* With `percent` probability an asset fitting `k` (if there is one),
 * else any index: refusals stay frequent but successes are common too. */
static int pick_asset(struct world *w, enum pick k, int percent)
{
	int fit[NA], n = 0;

	if (chance(w, percent)) {
		for (int i = 0; i < NA; i++)
			if (fits(&w->m.a[i], k))
				fit[n++] = i;
		if (n)
			return fit[rnd(w, (uint32_t)n)];
	}
	return (int)rnd(w, NA);
}

/* With `percent` probability an empty slot (if any), else random_slot. */
static void pick_slot(struct world *w, int percent, int *c, int *p)
{
	int n = 0, fc[64], fp[64];

	if (chance(w, percent)) {
		for (int ci = 0; ci < NCASE; ci++)
			for (int pi = 1; pi <= case_size[ci]; pi++)
				if (occupant(&w->m, ci, pi) < 0 && n < 64) {
					fc[n] = ci;
					fp[n++] = pi;
				}
		if (n) {
			int r = (int)rnd(w, (uint32_t)n);
			*c = fc[r];
			*p = fp[r];
			return;
		}
	}
	random_slot(w, c, p);
}

/* ---- checking -------------------------------------------------------- */

static void fail_op(struct world *w, const char *problem)
{
	print_error("random op #%ld: %s\n  problem: %s\n", w->op, w->what, problem);
	fail();
}

static void check_asset(struct world *w, int j)
{
	const struct m_asset *ma = &w->m.a[j];
	struct asset a;
	char key[64], msg[512];
	enum at_code c;

	if (!ma->exists) {
		char base[32];
		snprintf(base, sizeof(base), "RT-%03d", j);
		key_of(base, key, sizeof(key));
		c = store_asset_by_key(w->st, key, &a);
		if (c != AT_NOT_FOUND) {
			snprintf(msg, sizeof(msg), "asset %s exists (%s) but the model says it does not",
			         base, a.tag);
			fail_op(w, msg);
		}
		return;
	}
	c = store_asset_by_tag(w->st, ma->tag, &a);
	if (c != AT_OK) {
		snprintf(msg, sizeof(msg), "asset %s missing: %s", ma->tag, at_code_name(c));
		fail_op(w, msg);
	}
	serial_key(a.serial, key, sizeof(key));
	if (a.state != ma->state || a.condition != ma->cond || a.holder_id != ma->holder ||
	    strcmp(a.due, ma->due) != 0 || strcmp(key, ma->serial_key) != 0 ||
	    (ma->c < 0 && a.case_id != 0) ||
	    (ma->c >= 0 && (strcmp(a.case_name, case_names[ma->c]) != 0 || a.position != ma->p))) {
		snprintf(msg, sizeof(msg),
		         "asset %s: db state=%s cond=%s holder=%lld due='%s' serial='%s' slot=%s/%d; "
		         "model state=%s cond=%s holder=%lld due='%s' serial='%s' slot=%s/%d",
		         ma->tag, asset_state_name(a.state), asset_condition_name(a.condition),
		         (long long)a.holder_id, a.due, key, a.case_id ? a.case_name : "-",
		         a.position, asset_state_name(ma->state), asset_condition_name(ma->cond),
		         (long long)ma->holder, ma->due, ma->serial_key,
		         ma->c >= 0 ? case_names[ma->c] : "-", ma->c >= 0 ? ma->p : 0);
		fail_op(w, msg);
	}
}

static void check_world(struct world *w)
{
	for (int j = 0; j < NA; j++)
		check_asset(w, j);
	for (int h = 1; h <= NH; h++) {
		struct holder ho;
		if (store_holder_by_id(w->st, w->m.hid[h], &ho) != AT_OK || ho.active != w->m.active[h])
			fail_op(w, "a holder's active flag differs from the model");
	}
}

/* Compare an outcome with the prediction; on refusal nothing may have
 * changed, on success exactly `nev` events must have been written. */
static void outcome(struct world *w, enum at_code got, int expect_ok, int64_t n0, int64_t nev,
                    const struct at_errors *e, size_t min_items)
{
	int64_t n1 = t_events(w->st);
	char msg[256];

	if ((got == AT_OK) != expect_ok || got == AT_STORAGE || got == AT_INTERNAL ||
	    got == AT_BUSY) {
		t_dump("report", e);
		snprintf(msg, sizeof(msg), "returned %s, model expected %s", at_code_name(got),
		         expect_ok ? "success" : "a refusal");
		fail_op(w, msg);
	}
	if (got == AT_OK && n1 != n0 + nev) {
		snprintf(msg, sizeof(msg), "success wrote %lld events, expected %lld",
		         (long long)(n1 - n0), (long long)nev);
		fail_op(w, msg);
	}
	if (got != AT_OK && n1 != n0) {
		snprintf(msg, sizeof(msg), "refusal wrote %lld events", (long long)(n1 - n0));
		fail_op(w, msg);
	}
	if (got != AT_OK && e->nitems < min_items) {
		t_dump("report", e);
		snprintf(msg, sizeof(msg), "refusal reported %zu items, expected at least %zu",
		         e->nitems, min_items);
		fail_op(w, msg);
	}
	w->kind_n[w->kind]++;
	if (got == AT_OK) {
		w->stats_ok++;
		w->kind_ok[w->kind]++;
	} else {
		w->stats_refused++;
	}
}

/* ---- operations ------------------------------------------------------ */

static void op_create(struct world *w, struct at_errors *e)
{
	int j = (int)rnd(w, NA), c = -1, p = 0, valid_tag = 1, fields_ok = 1, ok;
	char tag[48], serial[48], key[64];
	struct asset_input in;
	int64_t n0 = t_events(w->st);
	enum at_code got;

	tag_variant(w, j, tag, sizeof(tag), 0);
	if (chance(w, 8)) {
		static const char *const bad[] = { "-RT", "RT/", "RT ", "RT:" };
		snprintf(tag, sizeof(tag), "%s%03d", bad[rnd(w, 4)], j);
		valid_tag = 0;
	}
	serial_variant(w, serial, sizeof(serial));
	serial_key(serial, key, sizeof(key));
	memset(&in, 0, sizeof(in));
	in.tag = tag;
	in.serial = serial;
	in.manufacturer = "Acme";
	in.equipment_type = "Radio";
	in.building = "HQ";
	in.room = "R1";
	if (chance(w, 5)) {
		in.manufacturer = chance(w, 50) ? NULL : " ";
		fields_ok = 0;
	}
	if (chance(w, 50)) {
		pick_slot(w, 70, &c, &p);
		in.slot_case = case_names[c];
		in.slot_position = p;
	}
	ok = valid_tag && fields_ok && !w->m.a[j].exists && !serial_used(&w->m, key, -1) &&
	     (c < 0 || (slot_exists(c, p) && occupant(&w->m, c, p) < 0));
	snprintf(w->what, sizeof(w->what), "create tag='%s' serial='%s' slot=%s/%d", tag, serial,
	         c >= 0 ? case_names[c] : "-", p);
	at_errors_reset(e);
	got = asset_create(w->st, T_ACTOR, &in, NULL, e);
	outcome(w, got, ok, n0, c >= 0 ? 2 : 1, e, 0);
	if (got == AT_OK) {
		struct m_asset *a = &w->m.a[j];
		memset(a, 0, sizeof(*a));
		a->exists = 1;
		snprintf(a->tag, sizeof(a->tag), "%s", tag);
		snprintf(a->serial_key, sizeof(a->serial_key), "%s", key);
		a->state = ASSET_STORAGE;
		a->cond = COND_GOOD;
		a->c = c;
		a->p = c >= 0 ? p : 0;
		a->last_c = a->last_p = -1;
	}
}

static void op_update(struct world *w, struct at_errors *e)
{
	int j = pick_asset(w, P_LIVE, 85), ok, cond = -1;
	char tag[48], serial[48] = "", key[64] = "", notes[32];
	struct asset_input in;
	int64_t n0 = t_events(w->st);
	struct m_asset *a = &w->m.a[j];
	enum at_code got;

	tag_variant(w, j, tag, sizeof(tag), 0);
	snprintf(notes, sizeof(notes), "n%u", ++w->notes);
	memset(&in, 0, sizeof(in));
	in.notes = notes;
	if (chance(w, 40)) {
		serial_variant(w, serial, sizeof(serial));
		serial_key(serial, key, sizeof(key));
		in.serial = serial;
	}
	if (chance(w, 25)) {
		cond = (int)rnd(w, 3);
		in.condition = cond_names[cond];
	}
	ok = a->exists && a->state != ASSET_RETIRED && (!in.serial || !serial_used(&w->m, key, j));
	snprintf(w->what, sizeof(w->what), "update '%s' serial='%s' condition=%s", tag, serial,
	         cond >= 0 ? cond_names[cond] : "-");
	at_errors_reset(e);
	got = asset_update(w->st, T_ACTOR, tag, &in, NULL, e);
	outcome(w, got, ok, n0, 1, e, 0);
	if (got == AT_OK) {
		if (in.serial)
			snprintf(a->serial_key, sizeof(a->serial_key), "%s", key);
		if (cond >= 0)
			a->cond = (enum asset_condition)cond;
	}
}

static void op_retire(struct world *w, struct at_errors *e)
{
	int j = pick_asset(w, P_STORAGE, 70), ok;
	char tag[48];
	const char *reason = chance(w, 85) ? "end of life" : "";
	int64_t n0 = t_events(w->st);
	struct m_asset *a = &w->m.a[j];
	enum at_code got;

	tag_variant(w, j, tag, sizeof(tag), 0);
	ok = a->exists && a->state == ASSET_STORAGE && reason[0];
	snprintf(w->what, sizeof(w->what), "retire '%s' reason='%s'", tag, reason);
	at_errors_reset(e);
	got = asset_retire(w->st, T_ACTOR, tag, reason, NULL, e);
	outcome(w, got, ok, n0, 1, e, 0);
	if (got == AT_OK) {
		a->state = ASSET_RETIRED;
		a->c = -1;
		a->p = 0;
	}
}

static void op_assign_or_move(struct world *w, struct at_errors *e, int move)
{
	int j = pick_asset(w, move ? P_SLOTTED : P_UNSLOTTED, 80), c, p, ok;
	char tag[48];
	int64_t n0 = t_events(w->st);
	struct m_asset *a = &w->m.a[j];
	enum at_code got;

	tag_variant(w, j, tag, sizeof(tag), 0);
	pick_slot(w, 80, &c, &p);
	ok = a->exists && a->state == ASSET_STORAGE && (move ? a->c >= 0 : a->c < 0) &&
	     slot_exists(c, p) && occupant(&w->m, c, p) < 0;
	snprintf(w->what, sizeof(w->what), "%s '%s' to %s/%d", move ? "move" : "assign", tag,
	         case_names[c], p);
	at_errors_reset(e);
	got = move ? slot_move(w->st, T_ACTOR, tag, case_names[c], p, NULL, e)
	           : slot_assign(w->st, T_ACTOR, tag, case_names[c], p, NULL, e);
	outcome(w, got, ok, n0, 1, e, 0);
	if (got == AT_OK) {
		a->c = c;
		a->p = p;
	}
}

static void op_vacate(struct world *w, struct at_errors *e)
{
	int c, p, ok, occ;
	const char *reason = chance(w, 90) ? "foam torn" : "";
	int64_t n0 = t_events(w->st);
	enum at_code got;

	random_slot(w, &c, &p);
	/* aim at occupied slots most of the time */
	if (chance(w, 60)) {
		int j = (int)rnd(w, NA);
		if (w->m.a[j].exists && w->m.a[j].c >= 0) {
			c = w->m.a[j].c;
			p = w->m.a[j].p;
		}
	}
	occ = slot_exists(c, p) ? occupant(&w->m, c, p) : -1;
	ok = occ >= 0 && reason[0];
	snprintf(w->what, sizeof(w->what), "vacate %s/%d reason='%s'", case_names[c], p, reason);
	at_errors_reset(e);
	got = slot_force_vacate(w->st, T_ACTOR, case_names[c], p, reason, NULL, e);
	outcome(w, got, ok, n0, 1, e, 0);
	if (got == AT_OK) {
		w->m.a[occ].c = -1;
		w->m.a[occ].p = 0;
	}
}

static void op_stock_out(struct world *w, struct at_errors *e)
{
	char buf[8][48], *whatp;
	const char *tags[8];
	int idx[8], k = 1 + (int)rnd(w, chance(w, 70) ? 2 : 6), hk = 1 + (int)rnd(w, NH), ok = 1, nbad = 0;
	struct holder_ref h;
	const char *due;
	int64_t n0 = t_events(w->st), holder;
	struct custody_result res;
	enum at_code got;
	size_t left;

	memset(&h, 0, sizeof(h));
	if (chance(w, 5)) {
		holder = 9999;
		h.id = holder;
		ok = 0;
	} else {
		holder = w->m.hid[hk];
		if (chance(w, 50))
			h.text = w->m.badge[hk];
		else
			h.id = holder;
		if (!w->m.active[hk])
			ok = 0;
	}
	due = chance(w, 75) ? T_DUE : chance(w, 80) ? NULL : "2000-01-01";
	if (due && strcmp(due, "2000-01-01") == 0)
		ok = 0;
	for (int i = 0; i < k; i++) {
		int r = (int)rnd(w, 100);
		if (r < 92 || i == 0) {
			/* prefer assets that could go out */
			int j = pick_asset(w, P_SLOTTED, 93);
			tag_variant(w, j, buf[i], sizeof(buf[i]), 1);
		} else if (r < 95) {
			snprintf(buf[i], sizeof(buf[i]), "ZZ-%u", rnd(w, 100));
		} else if (r < 97) {
			snprintf(buf[i], sizeof(buf[i]), "RT\x01%03u", rnd(w, NA));
		} else {
			int prev = (int)rnd(w, (uint32_t)i);
			int j = m_resolve(&w->m, buf[prev]);
			if (j >= 0)
				tag_variant(w, j, buf[i], sizeof(buf[i]), 1);
			else
				memcpy(buf[i], buf[prev], sizeof(buf[i]));
		}
		tags[i] = buf[i];
		idx[i] = m_resolve(&w->m, buf[i]);
		{
			int dup = 0, bad;
			for (int q = 0; q < i; q++)
				if (idx[i] >= 0 && idx[q] == idx[i])
					dup = 1;
			bad = idx[i] < 0 || w->m.a[idx[i]].state != ASSET_STORAGE ||
			      w->m.a[idx[i]].c < 0;
			if (bad || dup)
				ok = 0;
			if (bad && !dup) {
				int first = 1;
				for (int q = 0; q < i; q++)
					if (strcmp(buf[q], buf[i]) == 0)
						first = 0;
				nbad += first;
			}
		}
	}
	whatp = w->what;
	left = sizeof(w->what);
	{
		int n = snprintf(whatp, left, "stock-out holder=%s due=%s items:",
		                 h.text ? h.text : "(id)", due ? due : "-");
		whatp += n;
		left -= (size_t)n;
		for (int i = 0; i < k && left > 40; i++) {
			n = snprintf(whatp, left, " [%s]->%d", tags[i], idx[i]);
			whatp += n;
			left -= (size_t)n;
		}
	}
	/* refusals of the holder or due date need not list item errors */
	memset(&res, 0, sizeof(res));
	at_errors_reset(e);
	got = custody_stock_out(w->st, T_ACTOR, h, due, tags, (size_t)k, &res, e);
	outcome(w, got, ok, n0, k, e,
	        (holder == 9999 || !w->m.active[hk] || (due && strcmp(due, T_DUE) != 0))
	                ? 0
	                : (size_t)nbad);
	if (got == AT_OK) {
		if (res.n != (size_t)k)
			fail_op(w, "result lists a different number of assets");
		for (int i = 0; i < k; i++) {
			struct m_asset *a = &w->m.a[idx[i]];
			if (strcmp(res.assets[i].tag, a->tag) != 0)
				fail_op(w, "a result tag is not canonical");
			a->last_c = a->c;
			a->last_p = a->p;
			a->c = -1;
			a->p = 0;
			a->state = ASSET_IN_CUSTODY;
			a->holder = holder;
			snprintf(a->due, sizeof(a->due), "%s", due ? due : "");
		}
	}
	custody_result_free(&res);
}

static void op_stock_in(struct world *w, struct at_errors *e)
{
	char buf[6][48];
	struct stock_in_item items[6];
	int idx[6], dc[6], dp[6], k = 1 + (int)rnd(w, chance(w, 70) ? 2 : 4), ok = 1, nbad = 0;
	int64_t n0 = t_events(w->st);
	struct custody_result res;
	enum at_code got;
	int n;

	memset(items, 0, sizeof(items));
	n = snprintf(w->what, sizeof(w->what), "stock-in:");
	for (int i = 0; i < k; i++) {
		int j = pick_asset(w, P_CUSTODY, 93), bad = 0;
		if (chance(w, 3))
			snprintf(buf[i], sizeof(buf[i]), "ZZ-%u", rnd(w, 100));
		else
			tag_variant(w, j, buf[i], sizeof(buf[i]), 1);
		items[i].tag = buf[i];
		idx[i] = m_resolve(&w->m, buf[i]);
		if (idx[i] >= 0 && w->m.a[idx[i]].last_c >= 0 && chance(w, 70)) {
			dc[i] = w->m.a[idx[i]].last_c; /* default destination */
			dp[i] = w->m.a[idx[i]].last_p;
		} else {
			pick_slot(w, 85, &dc[i], &dp[i]);
			items[i].case_name = case_names[dc[i]];
			items[i].position = dp[i];
		}
		if (idx[i] < 0 || w->m.a[idx[i]].state != ASSET_IN_CUSTODY)
			bad = 1;
		else if (!slot_exists(dc[i], dp[i]) || occupant(&w->m, dc[i], dp[i]) >= 0)
			bad = 1;
		{
			int repeat = 0;
			for (int q = 0; q < i; q++) {
				if ((idx[i] >= 0 && idx[q] == idx[i]) || strcmp(buf[q], buf[i]) == 0) {
					ok = 0; /* the same asset (or input) twice */
					repeat = 1;
				}
				if (dc[q] == dc[i] && dp[q] == dp[i])
					ok = 0; /* one destination twice */
			}
			/* Items bad on their own must each be reported; a repeat
			 * may be reported once or twice. */
			if (bad) {
				ok = 0;
				nbad += !repeat;
			}
		}
		if ((size_t)n < sizeof(w->what) - 60)
			n += snprintf(w->what + n, sizeof(w->what) - (size_t)n, " [%s]->%d@%s/%d%s",
			              buf[i], idx[i], case_names[dc[i]], dp[i],
			              items[i].case_name ? "" : "(default)");
	}
	memset(&res, 0, sizeof(res));
	at_errors_reset(e);
	got = custody_stock_in(w->st, T_ACTOR, items, (size_t)k, &res, e);
	outcome(w, got, ok, n0, k, e, nbad > 0 ? (size_t)nbad : 0);
	if (got == AT_OK) {
		for (int i = 0; i < k; i++) {
			struct m_asset *a = &w->m.a[idx[i]];
			if (strcmp(res.assets[i].tag, a->tag) != 0)
				fail_op(w, "a result tag is not canonical");
			a->state = ASSET_STORAGE;
			a->holder = 0;
			a->due[0] = '\0';
			a->c = dc[i];
			a->p = dp[i];
		}
	}
	custody_result_free(&res);
}

static void op_replace(struct world *w, struct at_errors *e)
{
	int jo = pick_asset(w, P_OLD, 85), jn = chance(w, 5) ? jo : pick_asset(w, P_STORAGE, 85);
	int ok, cond = -2;
	char to[48], tn[48];
	const char *reason = chance(w, 90) ? "faulty" : "";
	const char *cname = NULL;
	int64_t n0 = t_events(w->st);
	struct m_asset *o = &w->m.a[jo], *r = &w->m.a[jn];
	struct asset oo, ro;
	enum at_code got;

	tag_variant(w, jo, to, sizeof(to), 1);
	tag_variant(w, jn, tn, sizeof(tn), 1);
	if (chance(w, 50)) {
		cond = (int)rnd(w, 4);
		cname = cond < 3 ? cond_names[cond] : "BENT";
	}
	ok = o->exists && r->exists && jo != jn && reason[0] && cond != 3 &&
	     (o->state == ASSET_IN_CUSTODY || (o->state == ASSET_STORAGE && o->c >= 0)) &&
	     r->state == ASSET_STORAGE;
	snprintf(w->what, sizeof(w->what), "replace '%s'(%d) by '%s'(%d) reason='%s' cond=%s", to,
	         jo, tn, jn, reason, cname ? cname : "-");
	at_errors_reset(e);
	got = asset_replace(w->st, T_ACTOR, to, tn, reason, cname, &oo, &ro, e);
	outcome(w, got, ok, n0, 2, e, 0);
	if (got == AT_OK) {
		int rc = r->c, rp = r->p;
		if (o->state == ASSET_IN_CUSTODY) {
			r->state = ASSET_IN_CUSTODY;
			r->holder = o->holder;
			memcpy(r->due, o->due, sizeof(r->due));
			r->c = -1;
			r->p = 0;
			r->last_c = r->last_p = -1; /* no Stock-Out: default unknown */
		} else {
			r->c = o->c;
			r->p = o->p;
		}
		o->state = ASSET_STORAGE;
		o->holder = 0;
		o->due[0] = '\0';
		o->c = rc;
		o->p = rc >= 0 ? rp : 0;
		o->cond = cond >= 0 && cond < 3 ? (enum asset_condition)cond : COND_FAULTY;
	}
}

static void op_holder(struct world *w, struct at_errors *e)
{
	int hk = 1 + (int)rnd(w, NH), to = !w->m.active[hk], ok;
	int64_t n0 = t_events(w->st);
	struct holder out;
	enum at_code got;

	ok = to == 1 || !holds_any(&w->m, w->m.hid[hk]);
	snprintf(w->what, sizeof(w->what), "holder %s active=%d", w->m.badge[hk], to);
	at_errors_reset(e);
	got = holder_update(w->st, T_ACTOR, w->m.hid[hk], NULL, NULL, NULL, to, &out, e);
	outcome(w, got, ok, n0, 1, e, 0);
	if (got == AT_OK)
		w->m.active[hk] = to;
}

/* ---- the test -------------------------------------------------------- */

static void compare_replay(struct world *w)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *rs = NULL;
	struct store *live = w->st;

	T_OK(replay_until(live, NULL, &rs, NULL, NULL, NULL, &e), &e);
	assert_non_null(rs);
	/* The replayed world must equal the model too. */
	w->st = rs;
	snprintf(w->what, sizeof(w->what), "final replay of the whole log");
	check_world(w);
	w->st = live;
	store_close(rs);
	at_errors_free(&e);
}

static void test_random_operations(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct at_errors e = AT_ERRORS_INIT;
	const char *ops_env = getenv("AT_OPS");
	long nops = t_sanitized() ? 1000 : 3000;

	assert_non_null(w);
	if (ops_env && *ops_env)
		nops = strtol(ops_env, NULL, 10);
	w->st = T_ST(state);
	w->rng = t_seed("test_random");
	for (int c = 0; c < NCASE; c++)
		t_case(w->st, case_names[c], case_size[c]);
	for (int h = 1; h <= NH; h++) {
		char name[32];
		snprintf(name, sizeof(name), "Holder %d", h);
		snprintf(w->m.badge[h], sizeof(w->m.badge[h]), "HB-%d", h);
		w->m.hid[h] = t_holder(w->st, name, w->m.badge[h]);
		w->m.active[h] = 1;
	}
	for (int j = 0; j < NA; j++)
		w->m.a[j].c = w->m.a[j].last_c = -1;

	for (w->op = 1; w->op <= nops; w->op++) {
		uint32_t r = rnd(w, 100);

		static const uint32_t upto[10] = { 10, 18, 19, 28, 36, 41, 64, 86, 96, 100 };

		for (w->kind = 0; r >= upto[w->kind]; w->kind++)
			;
		switch (w->kind) {
		case 0: op_create(w, &e); break;
		case 1: op_update(w, &e); break;
		case 2: op_retire(w, &e); break;
		case 3: op_assign_or_move(w, &e, 0); break;
		case 4: op_assign_or_move(w, &e, 1); break;
		case 5: op_vacate(w, &e); break;
		case 6: op_stock_out(w, &e); break;
		case 7: op_stock_in(w, &e); break;
		case 8: op_replace(w, &e); break;
		default: op_holder(w, &e); break;
		}
		check_world(w);
	}
	printf("test_random: %ld operations, %ld succeeded, %ld refused, %lld events\n", nops,
	       w->stats_ok, w->stats_refused, (long long)t_events(w->st));
	for (int k = 0; k < 10; k++)
		printf("  %-9s %5ld of %5ld succeeded\n", kind_names[k], w->kind_ok[k], w->kind_n[k]);
	/* a meaningful mix, not a run of refusals */
	assert_true(w->stats_ok > nops / 5);
	assert_true(w->stats_refused > nops / 10);
	T_VERIFY_OK(w->st);
	compare_replay(w);
	at_errors_free(&e);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_operations, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
