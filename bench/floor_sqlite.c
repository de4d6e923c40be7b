/*
 * floor_sqlite.c — the direct-SQLite floor for Stock-Out and Stock-In.
 *
 * The same writes a Stock-Out makes, with nothing else: per asset, read
 * its row by tag, update it to IN_CUSTODY with the holder (vacating its
 * slot, remembering it as the last slot), and append one STOCK_OUT event
 * whose SHA-256 hash chains to the previous one; the whole batch in one
 * BEGIN IMMEDIATE transaction, WAL, synchronous=FULL, foreign_keys=ON
 * (plus the product's cache_size, passed with --pragma by bench/run.sh) —
 * the pragmas store_open() sets in the product — on a copy of the same
 * database, so the schema's indexes, CHECKs and triggers cost the floor
 * what they cost the product.  No HTTP, no JSON parsing, no validation layer, no read-back.
 *
 * The events are byte-for-byte what the product writes (same canonical
 * encoding, same details), so `assettrack verify` passes on the copy after
 * a floor run: the floor does the real work, not a shortcut.
 *
 * Stock-In (timed too) returns each batch to the slots it left, so every
 * repetition starts from the same state.
 *
 * Usage: floor_sqlite --db COPY --tags FILE --holder ID
 *                     [--sizes 1,50,500] [--reps 30,20,12] [--warmup N]
 *                     [--pragma "PRAGMA cache_size = -65536"]
 *                     [--checkpoint-between 1] [--pages 1]
 * --checkpoint-between 1: no checkpoint inside a commit (wal_autocheckpoint
 * = 0); the WAL is copied back and emptied between repetitions, untimed,
 * as the server's background checkpointer does it beside its requests.
 * --pages 1: every file through the counting VFS of bench/walshim.c, and
 * per size the WAL frames and pages per asset of each b-tree, as
 * bench/walpages prints them for the product.
 * Tags are consumed in file order: for each size, (warmup + reps) slices
 * of `size` consecutive tags — the same slices bench/latency uses.
 * Prints "RESULT op size median_ms p95_ms reps" lines.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "walshim.h"

#define MAXN 16
#define ACTOR "bench.floor"

static sqlite3 *db;
static sqlite3_stmt *s_asset, *s_holder, *s_last, *s_out, *s_in, *s_slot_busy, *s_ins_ev;

static void die(const char *what)
{
	fprintf(stderr, "floor_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(3);
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void now_text(char out[25])
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(out, 25, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

static void uuid(char out[37])
{
	unsigned char r[16];

	randombytes_buf(r, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
	         r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
	         r[14], r[15]);
}

/* ==== the event chain (the product's canonical encoding) ============== */

struct chain {
	int64_t seq;
	char hash[65];
};

static void put(crypto_hash_sha256_state *h, const char *kind, const char *v)
{
	static const unsigned char rs = 0x1e;

	crypto_hash_sha256_update(h, (const unsigned char *)kind, 1);
	if (v)
		crypto_hash_sha256_update(h, (const unsigned char *)v, strlen(v));
	crypto_hash_sha256_update(h, &rs, 1);
}

static void put_s(crypto_hash_sha256_state *h, const char *v)
{
	put(h, v ? "s" : "n", v);
}

static void put_i(crypto_hash_sha256_state *h, int64_t v, int present)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	put(h, present ? "i" : "n", present ? num : NULL);
}

/* Append one event (one asset, a from or a to slot, a holder). */
static void append_event(struct chain *c, const char *at, const char *type, const char *tag,
                         const char *from_case, int from_pos, const char *to_case, int to_pos,
                         int64_t holder, const char *batch, const char *details)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	char hash[65];
	int64_t seq = c->seq + 1;
	sqlite3_stmt *s = s_ins_ev;

	crypto_hash_sha256_init(&h);
	put_s(&h, c->hash);
	put_i(&h, seq, 1);
	put_s(&h, at);
	put_s(&h, type);
	put_s(&h, tag);
	put_s(&h, from_case);
	put_i(&h, from_pos, from_case != NULL);
	put_s(&h, to_case);
	put_i(&h, to_pos, to_case != NULL);
	put_i(&h, holder, holder != 0);
	put_s(&h, ACTOR);
	put_s(&h, NULL); /* reason */
	put_s(&h, batch);
	put_s(&h, details);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hash, sizeof(hash), d, sizeof(d));

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, tag, -1, SQLITE_STATIC);
	if (from_case) {
		sqlite3_bind_text(s, 5, from_case, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 6, from_pos);
	}
	if (to_case) {
		sqlite3_bind_text(s, 7, to_case, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 8, to_pos);
	}
	sqlite3_bind_int64(s, 9, holder);
	sqlite3_bind_text(s, 10, ACTOR, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, batch, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, c->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert event");
	sqlite3_reset(s);
	c->seq = seq;
	memcpy(c->hash, hash, sizeof(hash));
}

static void chain_begin(struct chain *c)
{
	sqlite3_reset(s_last);
	if (sqlite3_step(s_last) == SQLITE_ROW) {
		c->seq = sqlite3_column_int64(s_last, 0);
		snprintf(c->hash, sizeof(c->hash), "%s", (const char *)sqlite3_column_text(s_last, 1));
	} else {
		c->seq = 0;
		memset(c->hash, '0', 64);
		c->hash[64] = '\0';
	}
	sqlite3_reset(s_last);
}

/* ==== one batch ======================================================== */

/* Stock-Out `n` tags to `holder`; returns the milliseconds it took.  Not
 * inlined, so that callgrind --toggle-collect=stock_out can count it. */
__attribute__((noinline)) static double stock_out(char **tags, int n, int64_t holder)
{
	char at[25], batch[37], case_name[80];
	struct chain c;
	double t0 = now_ms();

	exec("BEGIN IMMEDIATE");
	now_text(at);
	uuid(batch);
	chain_begin(&c);
	sqlite3_reset(s_holder);
	sqlite3_bind_int64(s_holder, 1, holder);
	if (sqlite3_step(s_holder) != SQLITE_ROW || sqlite3_column_int(s_holder, 0) != 1)
		die("holder missing or inactive");
	sqlite3_reset(s_holder);
	for (int i = 0; i < n; i++) {
		int64_t id, case_id;
		int pos;

		sqlite3_reset(s_asset);
		sqlite3_bind_text(s_asset, 1, tags[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s_asset) != SQLITE_ROW)
			die(tags[i]);
		id = sqlite3_column_int64(s_asset, 0);
		if (strcmp((const char *)sqlite3_column_text(s_asset, 1), "STORAGE") != 0 ||
		    sqlite3_column_type(s_asset, 2) == SQLITE_NULL) {
			fprintf(stderr, "floor_sqlite: %s is not in storage in a slot\n", tags[i]);
			exit(1);
		}
		case_id = sqlite3_column_int64(s_asset, 2);
		pos = sqlite3_column_int(s_asset, 3);
		snprintf(case_name, sizeof(case_name), "%s", (const char *)sqlite3_column_text(s_asset, 4));
		sqlite3_reset(s_asset);

		sqlite3_reset(s_out);
		sqlite3_bind_int64(s_out, 1, holder);
		sqlite3_bind_text(s_out, 2, at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s_out, 3, case_id);
		sqlite3_bind_int(s_out, 4, pos);
		sqlite3_bind_int64(s_out, 5, id);
		if (sqlite3_step(s_out) != SQLITE_DONE)
			die("update asset (out)");
		sqlite3_reset(s_out);
		append_event(&c, at, "STOCK_OUT", tags[i], case_name, pos, NULL, 0, holder, batch,
		             "{\"due\":null}");
	}
	exec("COMMIT");
	return now_ms() - t0;
}

/* Stock-In `n` tags to the slots they left; returns milliseconds. */
__attribute__((noinline)) static double stock_in(char **tags, int n)
{
	char at[25], batch[37], case_name[80];
	struct chain c;
	double t0 = now_ms();

	exec("BEGIN IMMEDIATE");
	now_text(at);
	uuid(batch);
	chain_begin(&c);
	for (int i = 0; i < n; i++) {
		int64_t id, holder, case_id;
		int pos;

		sqlite3_reset(s_asset);
		sqlite3_bind_text(s_asset, 1, tags[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s_asset) != SQLITE_ROW)
			die(tags[i]);
		id = sqlite3_column_int64(s_asset, 0);
		if (strcmp((const char *)sqlite3_column_text(s_asset, 1), "IN_CUSTODY") != 0) {
			fprintf(stderr, "floor_sqlite: %s is not in custody\n", tags[i]);
			exit(1);
		}
		holder = sqlite3_column_int64(s_asset, 5);
		case_id = sqlite3_column_int64(s_asset, 6);
		pos = sqlite3_column_int(s_asset, 7);
		snprintf(case_name, sizeof(case_name), "%s", (const char *)sqlite3_column_text(s_asset, 8));
		sqlite3_reset(s_asset);

		/* The destination must be empty. */
		sqlite3_reset(s_slot_busy);
		sqlite3_bind_int64(s_slot_busy, 1, case_id);
		sqlite3_bind_int(s_slot_busy, 2, pos);
		if (sqlite3_step(s_slot_busy) == SQLITE_ROW) {
			fprintf(stderr, "floor_sqlite: the slot %s left is occupied\n", tags[i]);
			exit(1);
		}
		sqlite3_reset(s_slot_busy);

		sqlite3_reset(s_in);
		sqlite3_bind_text(s_in, 1, at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s_in, 2, id);
		if (sqlite3_step(s_in) != SQLITE_DONE)
			die("update asset (in)");
		sqlite3_reset(s_in);
		append_event(&c, at, "STOCK_IN", tags[i], NULL, 0, case_name, pos, holder, batch, "{}");
	}
	exec("COMMIT");
	return now_ms() - t0;
}

/* ==== statistics and main ============================================== */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
	int k = (int)((p / 100.0) * n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static int parse_list(const char *s, int *out)
{
	int n = 0;

	while (*s && n < MAXN) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < 1 || v > 1000)
			return -1;
		out[n++] = (int)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *tagfile = NULL, *extra = NULL;
	int sizes[MAXN] = { 1, 50, 500 }, reps[MAXN] = { 30, 20, 12 }, nsizes = 3, nreps = 3;
	int warmup = 1, between = 0, pages = 0;
	int64_t holder = 0;
	char **tags = NULL, line[256];
	size_t ntags = 0, cap = 0, off = 0;
	FILE *f;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			path = argv[i + 1];
		else if (strcmp(argv[i], "--tags") == 0)
			tagfile = argv[i + 1];
		else if (strcmp(argv[i], "--holder") == 0)
			holder = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--sizes") == 0)
			nsizes = parse_list(argv[i + 1], sizes);
		else if (strcmp(argv[i], "--reps") == 0)
			nreps = parse_list(argv[i + 1], reps);
		else if (strcmp(argv[i], "--warmup") == 0)
			warmup = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--pragma") == 0)
			extra = argv[i + 1];
		else if (strcmp(argv[i], "--checkpoint-between") == 0)
			between = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--pages") == 0)
			pages = atoi(argv[i + 1]);
		else
			path = NULL, i = argc;
	}
	if (!path || !tagfile || holder <= 0 || nsizes < 1 || nreps != nsizes || warmup < 0) {
		fprintf(stderr, "usage: floor_sqlite --db COPY --tags FILE --holder ID "
		                "[--sizes 1,50,500] [--reps 30,20,12] [--warmup N] [--pragma SQL] "
		                "[--checkpoint-between 1] [--pages 1]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 3;
	if (!(f = fopen(tagfile, "r"))) {
		perror(tagfile);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (ntags == cap) {
			cap = cap ? cap * 2 : 1024;
			tags = realloc(tags, cap * sizeof(*tags));
			if (!tags)
				return 3;
		}
		tags[ntags++] = strdup(line);
	}
	fclose(f);

	if (pages && walshim_install() < 0)
		die("walshim");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		die(path);
	sqlite3_busy_timeout(db, 10000);
	exec("PRAGMA foreign_keys = ON");
	exec("PRAGMA journal_mode = WAL");
	exec("PRAGMA synchronous = FULL");
	/* bench/run.sh passes the product's page cache size here (read from
	 * store_open in src/store/store.c); by hand it also serves to explore
	 * what bounds the floor (cache_size, mmap_size, wal_autocheckpoint). */
	if (extra)
		exec(extra);
	if (between)
		exec("PRAGMA wal_autocheckpoint = 0");

	s_asset = prep("SELECT a.id, a.state, a.case_id, a.position, c.name, a.holder_id, "
	               "a.last_case_id, a.last_position, lc.name FROM assets a "
	               "LEFT JOIN cases c ON c.id = a.case_id "
	               "LEFT JOIN cases lc ON lc.id = a.last_case_id WHERE a.tag = ?1");
	s_holder = prep("SELECT active FROM holders WHERE id = ?1");
	s_last = prep("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
	s_out = prep("UPDATE assets SET state = 'IN_CUSTODY', holder_id = ?1, due = NULL, "
	             "custody_since = ?2, updated_at = ?2, case_id = NULL, position = NULL, "
	             "last_case_id = ?3, last_position = ?4 WHERE id = ?5");
	s_in = prep("UPDATE assets SET state = 'STORAGE', holder_id = NULL, due = NULL, "
	            "custody_since = NULL, updated_at = ?1, case_id = last_case_id, "
	            "position = last_position WHERE id = ?2");
	s_slot_busy = prep("SELECT 1 FROM assets WHERE case_id = ?1 AND position = ?2");
	s_ins_ev = prep("INSERT INTO events(seq, at, type, asset_tag, from_case, from_position, "
	                "to_case, to_position, holder_id, actor, reason, batch_id, details, "
	                "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	                "?12, ?13, ?14, ?15)");

	for (int k = 0; k < nsizes; k++) {
		int n = sizes[k], r = reps[k];
		double *t_out = calloc((size_t)r, sizeof(double));
		double *t_in = calloc((size_t)r, sizeof(double));
		struct walshim_run *p_out = calloc((size_t)r, sizeof(*p_out));
		struct walshim_run *p_in = calloc((size_t)r, sizeof(*p_in));

		if (!t_out || !t_in || !p_out || !p_in)
			return 3;
		for (int rep = -warmup; rep < r; rep++) {
			double to, ti;
			struct walshim_run po, pi;
			if (off + (size_t)n > ntags) {
				fprintf(stderr, "floor_sqlite: %s has too few tags (%zu)\n", tagfile,
				        ntags);
				return 2;
			}
			walshim_reset();
			to = stock_out(tags + off, n, holder);
			walshim_take(&po, to);
			walshim_reset();
			ti = stock_in(tags + off, n);
			walshim_take(&pi, ti);
			off += (size_t)n;
			if (between)
				exec("PRAGMA wal_checkpoint(TRUNCATE)");
			if (rep >= 0) {
				t_out[rep] = to;
				t_in[rep] = ti;
			}
			if (rep >= 0 && rep < WALSHIM_MAXREPS) {
				p_out[rep] = po;
				p_in[rep] = pi;
			} else {
				walshim_run_free(&po);
				walshim_run_free(&pi);
			}
		}
		qsort(t_out, (size_t)r, sizeof(double), cmp_double);
		qsort(t_in, (size_t)r, sizeof(double), cmp_double);
		printf("RESULT floor_stock_out %d %.3f %.3f %d\n", n, pct(t_out, r, 50),
		       pct(t_out, r, 95), r);
		printf("RESULT floor_stock_in %d %.3f %.3f %d\n", n, pct(t_in, r, 50),
		       pct(t_in, r, 95), r);
		if (pages) {
			walshim_report(path, "floor_stock_out", p_out, r, n);
			walshim_report(path, "floor_stock_in", p_in, r, n);
		}
		fflush(stdout);
		for (int rep = 0; rep < r && rep < WALSHIM_MAXREPS; rep++) {
			walshim_run_free(&p_out[rep]);
			walshim_run_free(&p_in[rep]);
		}
		free(p_out);
		free(p_in);
		free(t_out);
		free(t_in);
	}
	sqlite3_finalize(s_asset);
	sqlite3_finalize(s_holder);
	sqlite3_finalize(s_last);
	sqlite3_finalize(s_out);
	sqlite3_finalize(s_in);
	sqlite3_finalize(s_slot_busy);
	sqlite3_finalize(s_ins_ev);
	sqlite3_close(db);
	return 0;
}
