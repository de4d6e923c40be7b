/*
 * The asset search (GET /api/v1/assets?q=, the asset list's search box)
 * against its definition: q is a plain substring of the tag, serial,
 * manufacturer, model, notes or an attribute value, ASCII letters folded.
 * Since schema 7 it runs three ways (store.c): through the trigram index
 * when q's candidates are few, by a walk in tag order when they are many,
 * and by that walk alone when q has no trigram (under three characters,
 * or a control character).  Every way must give exactly what this file
 * computes from the assets themselves, page after page.
 */
#include "testlib.h"

#include "core/asset.h"
#include "core/read.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NASSETS 260
#define NDENSE 2100 /* past store.c's SEARCH_CANDIDATES_MAX (2000) */

struct fields {
	char tag[32], serial[64], manufacturer[64], model[64], notes[160], attr[96];
};

static struct fields *made;
static size_t nmade;

/* Pieces the fields are made of: ASCII in both cases, LIKE's wildcards
 * and escape, quotes (FTS5's string delimiter), non-ASCII letters (which
 * the index folds and LIKE does not), and a few repeats. */
static const char *const pieces[] = {
	"Dell", "dELL", "Latitude", "ThinkPad", "x1", "%", "_", "\\", "\"", "'", "É", "é",
	"Ørsted", "straße", "STRASSE", "日本", "🙂", " ", "-", "7", "42", "abc", "ABC", "a\"b",
	"100%", "a_b", "zz", "Zz", "screen", "SCREEN", "cracked", "hinge",
};
#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Bracketed, so that core's trimming leaves the text as it is. */
static void make_text(char *out, size_t cap, int npieces)
{
	size_t o = 1;

	out[0] = '[';
	for (int i = 0; i < npieces; i++) {
		const char *p = pieces[rnd() % NPIECES];
		size_t n = strlen(p);
		if (o + n + 2 >= cap)
			break;
		memcpy(out + o, p, n);
		o += n;
	}
	out[o++] = ']';
	out[o] = '\0';
}

/* q within s, ASCII letters folded (SQLite's LIKE). */
static int has_substring(const char *s, const char *q)
{
	size_t n = strlen(q);

	for (; *s; s++) {
		size_t i = 0;
		while (i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)q[i]))
			i++;
		if (i == n)
			return 1;
	}
	return n == 0;
}

static int matches(const struct fields *a, const char *q)
{
	return has_substring(a->tag, q) || has_substring(a->serial, q) ||
	       has_substring(a->manufacturer, q) || has_substring(a->model, q) ||
	       has_substring(a->notes, q) || (a->attr[0] && has_substring(a->attr, q));
}

static void create(struct store *st, struct fields *a)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct attr_change ch = { "colour", a->attr };

	memset(&in, 0, sizeof(in));
	in.tag = a->tag;
	in.serial = a->serial;
	in.manufacturer = a->manufacturer;
	in.model = a->model;
	in.notes = a->notes[0] ? a->notes : NULL;
	in.equipment_type = "Laptop";
	in.building = "HQ";
	in.room = "1";
	if (a->attr[0]) {
		in.attrs = &ch;
		in.nattrs = 1;
	}
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	at_errors_free(&e);
}

static void make_assets(struct store *st, size_t n, const char *common)
{
	made = realloc(made, (nmade + n) * sizeof(*made));
	assert_non_null(made);
	for (size_t i = 0; i < n; i++) {
		struct fields *a = &made[nmade];

		memset(a, 0, sizeof(*a));
		snprintf(a->tag, sizeof(a->tag), "%s-%05zu", common ? "DN" : "SR", nmade);
		make_text(a->serial, sizeof(a->serial), 3);
		/* unique serials: the piece text, then the number */
		snprintf(a->serial + strlen(a->serial), sizeof(a->serial) - strlen(a->serial),
		         "#%zu", nmade);
		make_text(a->manufacturer, sizeof(a->manufacturer), 1 + (int)(rnd() % 2));
		make_text(a->model, sizeof(a->model), 1 + (int)(rnd() % 3));
		if (common)
			snprintf(a->notes, sizeof(a->notes), "%s %zu", common, i);
		else if (rnd() % 3)
			make_text(a->notes, sizeof(a->notes), 1 + (int)(rnd() % 6));
		if (rnd() % 2)
			make_text(a->attr, sizeof(a->attr), 1 + (int)(rnd() % 4));
		create(st, a);
		nmade++;
	}
}

struct got {
	char (*tag)[32];
	size_t n, cap;
};

static int take(void *ctx, const struct asset *a)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->tag = realloc(g->tag, g->cap * sizeof(*g->tag));
		assert_non_null(g->tag);
	}
	snprintf(g->tag[g->n++], sizeof(g->tag[0]), "%s", a->tag);
	return 0;
}

static int by_tag(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* When set: each page reads at most this many assets where no index
 * serves q (asset_filter's walk_max), and the pages cut short by it are
 * counted. */
static int g_walk_max;
static int g_walk_cuts;

/* Every page of `limit` for q, joined, against the assets filtered here;
 * returns how many matched. */
static size_t check_query(struct store *st, const char *q, int limit)
{
	char walked[AT_TAG_MAX + 1];
	struct at_errors e = AT_ERRORS_INIT;
	const char **want = malloc(nmade * sizeof(*want));
	struct got g = { 0 };
	struct asset_filter f;
	size_t nwant = 0;
	char after[32] = "";

	assert_non_null(want);
	for (size_t i = 0; i < nmade; i++)
		if (matches(&made[i], q))
			want[nwant++] = made[i].tag;
	qsort(want, nwant, sizeof(*want), by_tag);
	for (;;) {
		size_t before = g.n;

		memset(&f, 0, sizeof(f));
		f.q = q;
		f.limit = limit;
		f.after_tag = after[0] ? after : NULL;
		f.walk_max = g_walk_max;
		f.walked_to = walked;
		T_OK(read_assets(st, &f, take, &g, &e), &e);
		if (walked[0]) {
			/* Cut short by the walk: less than a page, and past the
			 * cursor and every asset it gave. */
			assert_true(g_walk_max > 0);
			assert_true(g.n - before < (size_t)limit);
			assert_true(strcmp(walked, after) > 0);
			assert_true(g.n == before || strcmp(walked, g.tag[g.n - 1]) >= 0);
			g_walk_cuts++;
			snprintf(after, sizeof(after), "%s", walked);
			continue;
		}
		if (g.n == before || g.n - before < (size_t)limit)
			break;
		snprintf(after, sizeof(after), "%s", g.tag[g.n - 1]);
	}
	if (g.n != nwant)
		fail_msg("q '%s' (pages of %d): %zu assets, %zu expected", q, limit, g.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		if (strcmp(g.tag[i], want[i]) != 0)
			fail_msg("q '%s': asset %zu is %s, %s expected", q, i, g.tag[i], want[i]);
	free(g.tag);
	free(want);
	at_errors_free(&e);
	return nwant;
}

/* Substrings of the stored fields (whole pieces and cut ones, with
 * their case flipped), pieces alone, and strings nothing holds. */
static void check_many(struct store *st, int rounds, int *found_some, int *found_none)
{
	for (int r = 0; r < rounds; r++) {
		const struct fields *a = &made[rnd() % nmade];
		const char *src[] = { a->tag, a->serial, a->manufacturer, a->model, a->notes, a->attr };
		const char *s = src[rnd() % 6];
		char q[64];
		size_t len = strlen(s), from, n;

		if (r % 5 == 4) {
			snprintf(q, sizeof(q), "%s", pieces[rnd() % NPIECES]);
		} else if (r % 7 == 6) {
			snprintf(q, sizeof(q), "nothing-has-%d", r);
		} else if (len == 0) {
			continue;
		} else {
			from = rnd() % len;
			n = 1 + rnd() % 12;
			if (from + n > len)
				n = len - from;
			/* whole characters: SQLite's LIKE compares characters */
			while (from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
				from++, n--;
			while (from + n < len && ((unsigned char)s[from + n] & 0xC0) == 0x80)
				n++;
			if ((ssize_t)n <= 0)
				continue;
			memcpy(q, s + from, n);
			q[n] = '\0';
			for (size_t i = 0; i < n; i++)
				if (rnd() % 2 && isalpha((unsigned char)q[i]))
					q[i] = (char)(isupper((unsigned char)q[i]) ? tolower((unsigned char)q[i])
					                                            : toupper((unsigned char)q[i]));
		}
		if (check_query(st, q, (r % 3) ? 7 : 100))
			(*found_some)++;
		else
			(*found_none)++;
	}
}

static void test_search_matches_its_definition(void **state)
{
	struct store *st = T_ST(state);
	int some = 0, none = 0;

	nmade = 0;
	make_assets(st, NASSETS, NULL);
	check_many(st, 600, &some, &none);
	assert_true(some > 300);
	assert_true(none > 50);
	/* pinned: folded ASCII only, literal wildcards, quotes */
	assert_int_equal(check_query(st, "nothing-has-this", 10), 0);
	check_query(st, "É", 10);
	check_query(st, "\"", 10);
	check_query(st, "a\"b", 10);
	check_query(st, "100%", 10);
	check_query(st, "a_b", 3);
	check_query(st, "straSSE", 5);
	check_query(st, "日本", 5);
	check_query(st, "🙂 ", 5);
}

/* A change of the searched fields moves the asset in the index: found
 * by its new text only (the index is told the old text to forget). */
static void test_search_follows_updates(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct attr_change ch = { "colour", "vermilion" };

	nmade = 0;
	make_assets(st, 40, NULL);
	snprintf(made[5].notes, sizeof(made[5].notes), "%s", "battery swollen, quarantined");
	snprintf(made[5].attr, sizeof(made[5].attr), "%s", "vermilion");
	memset(&in, 0, sizeof(in));
	in.notes = made[5].notes;
	in.attrs = &ch;
	in.nattrs = 1;
	T_OK(asset_update(st, T_ACTOR, made[5].tag, &in, NULL, &e), &e);
	assert_int_equal(check_query(st, "SWOLLEN, quar", 10), 1);
	assert_int_equal(check_query(st, "ermili", 10), 1);
	snprintf(made[5].notes, sizeof(made[5].notes), "%s", "battery replaced");
	in.notes = made[5].notes;
	in.attrs = NULL;
	in.nattrs = 0;
	T_OK(asset_update(st, T_ACTOR, made[5].tag, &in, NULL, &e), &e);
	assert_int_equal(check_query(st, "swollen", 10), 0);
	assert_int_equal(check_query(st, "battery rep", 10), 1);
	assert_int_equal(check_query(st, "vermilion", 10), 1);
	for (int r = 0; r < 5; r++) {
		int some = 0, none = 0;
		check_many(st, 40, &some, &none);
	}
	/* The index itself, without the LIKEs after it: the old text is
	 * gone (a stale entry would only cost a candidate, and would hide
	 * from every check above).  FTS5's, so SQLite's only. */
	T_SQLITE_ONLY("the trigram index is FTS5's");
	assert_int_equal(t_sql_int(T_DB(state)->path,
	                           "SELECT count(*) FROM assets_search WHERE assets_search "
	                           "MATCH '\"swo\" AND \"oll\" AND \"len\"'"),
	                 0);
	assert_int_equal(t_sql_int(T_DB(state)->path,
	                           "SELECT count(*) FROM assets_search WHERE assets_search "
	                           "MATCH '\"ver\" AND \"mil\" AND \"ion\"'"),
	                 1);
	at_errors_free(&e);
}

/* Many candidates: the walk in tag order, pages of 50 and of 7, and a q
 * shared by more assets than the index path takes. */
static void test_search_many_candidates(void **state)
{
	struct store *st = T_ST(state);
	int some = 0, none = 0;

	nmade = 0;
	make_assets(st, NDENSE, "common-note");
	make_assets(st, 50, NULL);
	assert_int_equal(check_query(st, "common-note", 50), NDENSE);
	assert_int_equal(check_query(st, "COMMON-NOTE 20", 7), 111); /* 20, 200-209, 2000-2099 */
	assert_int_equal(check_query(st, "common-note 2099", 7), 1);
	check_many(st, 60, &some, &none);
	assert_true(some > 10);
}

/* A walk capped at 17 assets a page (the server reads 40,000): short
 * queries (and any on PostgreSQL) come page by page, some pages cut
 * short and continued after the last tag read, and still give exactly
 * the assets that match, in order. */
static void test_search_walk_capped(void **state)
{
	struct store *st = T_ST(state);
	int some = 0, none = 0;

	nmade = 0;
	make_assets(st, NASSETS, NULL);
	g_walk_max = 17;
	g_walk_cuts = 0;
	check_query(st, "zz", 7);
	check_query(st, "7", 100);
	check_query(st, "%", 7);
	assert_true(g_walk_cuts > 10);
	check_many(st, 60, &some, &none);
	assert_true(some > 10);
	g_walk_max = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_matches_its_definition, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_search_follows_updates, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_search_many_candidates, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_search_walk_capped, t_setup, t_teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	free(made);
	return r;
}
