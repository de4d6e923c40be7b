/*
 * walpages.c — what a Stock-Out and a Stock-In write, page by page.
 *
 * Drives the engine (atcore) directly, no HTTP: for each repetition, a
 * Stock-Out of `size` tags to a holder (custody_stock_out), then the
 * Stock-In of the same tags to the slots they left (custody_stock_in),
 * so each repetition starts from the same state — the slices
 * bench/latency and bench/floor_sqlite use.  Every database file goes
 * through a counting VFS (walshim.h), so for each operation it reports
 * the WAL frames its commit appended, which b-tree (table or index) each
 * frame's page belongs to, page reads and checkpoint writes.  Pages are
 * mapped to b-trees with SQLite's dbstat table after the run (no b-tree
 * shrinks here: events are never deleted, asset rows never move).
 *
 * The connection is the product's (store_open); `--autocheckpoint N`
 * sets wal_autocheckpoint on it (0: none, as the server's connections;
 * default SQLite's 1000, as the CLI's).  Under callgrind,
 * `--toggle-collect=custody_stock_out --toggle-collect=custody_stock_in`
 * gives each operation's instructions.
 *
 * Usage: walpages --db COPY --tags FILE --holder ID [--size 500] [--reps 5]
 *                 [--warmup 1] [--skip TAGS] [--autocheckpoint N] [--named 1]
 *                 [--checkpoint-between 1]
 * --named 1: the Stock-In names each destination (case and position), as
 * a client that sends them does, instead of leaving it to the default.
 * --checkpoint-between 1: after each Stock-Out and Stock-In, untimed, a
 * checkpoint that empties the WAL, as floor_sqlite's option of that name.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "core/custody.h"
#include "walshim.h"

#define ACTOR "bench.walpages"
#define MAXREPS WALSHIM_MAXREPS

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const struct at_errors *e)
{
	fprintf(stderr, "walpages: %s: %s\n", what, e ? e->message : "failed");
	for (size_t i = 0; e && i < e->nitems && i < 5; i++)
		fprintf(stderr, "walpages:   %s: %s\n", e->items[i].input, e->items[i].message);
	exit(3);
}

/* The slots a Stock-Out emptied, for a Stock-In that names them. */
struct slot_ref {
	char case_name[AT_NAME_MAX + 1];
	int position;
};

static void stock_out(struct store *st, char **tags, int n, int64_t holder, struct walshim_run *r,
                      struct slot_ref *left)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref h = { holder, NULL, 0 };
	double t0;

	walshim_reset();
	t0 = now_ms();
	if (custody_stock_out(st, ACTOR, h, NULL, (const char *const *)tags, (size_t)n, &res,
	                      &e) != AT_OK)
		die("stock-out", &e);
	walshim_take(r, now_ms() - t0);
	for (size_t i = 0; i < res.n; i++) {
		snprintf(left[i].case_name, sizeof(left[i].case_name), "%s",
		         res.assets[i].last_case_name);
		left[i].position = res.assets[i].last_position;
	}
	custody_result_free(&res);
}

/* Stock-In to the slots they left: named (`left`), or left to the
 * engine's default (NULL), which is the same slot. */
static void stock_in(struct store *st, char **tags, int n, const struct slot_ref *left,
                     struct walshim_run *r)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item *items = calloc((size_t)n, sizeof(*items));
	double t0;

	if (!items)
		die("out of memory", NULL);
	for (int i = 0; i < n; i++) {
		items[i].tag = tags[i];
		if (left) {
			items[i].case_name = left[i].case_name;
			items[i].position = left[i].position;
		}
	}
	walshim_reset();
	t0 = now_ms();
	if (custody_stock_in(st, ACTOR, items, (size_t)n, &res, &e) != AT_OK)
		die("stock-in", &e);
	walshim_take(r, now_ms() - t0);
	custody_result_free(&res);
	free(items);
}

/* ==== main ============================================================= */

static char **read_tags(const char *file, size_t *n)
{
	char line[256], **tags = NULL;
	size_t cap = 0;
	FILE *f = fopen(file, "r");

	*n = 0;
	if (!f) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			tags = realloc(tags, cap * sizeof(*tags));
			if (!tags)
				exit(3);
		}
		tags[(*n)++] = strdup(line);
	}
	fclose(f);
	return tags;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *tagfile = NULL;
	long size = 500, reps = 5, warmup = 1, autockpt = -1, skip = 0, named = 0, between = 0;
	struct slot_ref left[AT_MAX_BATCH];
	int64_t holder = 0;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;
	struct walshim_run outs[MAXREPS], ins[MAXREPS];
	size_t ntags, off;
	char **tags;

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--db") == 0)
			path = v;
		else if (strcmp(a, "--tags") == 0)
			tagfile = v;
		else if (strcmp(a, "--holder") == 0)
			holder = strtoll(v, NULL, 10);
		else if (strcmp(a, "--size") == 0)
			size = strtol(v, NULL, 10);
		else if (strcmp(a, "--reps") == 0)
			reps = strtol(v, NULL, 10);
		else if (strcmp(a, "--warmup") == 0)
			warmup = strtol(v, NULL, 10);
		else if (strcmp(a, "--skip") == 0)
			skip = strtol(v, NULL, 10);
		else if (strcmp(a, "--autocheckpoint") == 0)
			autockpt = strtol(v, NULL, 10);
		else if (strcmp(a, "--named") == 0)
			named = strtol(v, NULL, 10);
		else if (strcmp(a, "--checkpoint-between") == 0)
			between = strtol(v, NULL, 10);
		else
			path = NULL, i = argc;
	}
	if (!path || !tagfile || holder <= 0 || size < 1 || size > AT_MAX_BATCH || reps < 1 ||
	    reps > MAXREPS || warmup < 0 || skip < 0) {
		fprintf(stderr, "usage: walpages --db COPY --tags FILE --holder ID [--size 500] "
		                "[--reps 5] [--warmup 1] [--skip TAGS] [--autocheckpoint N] "
		                "[--named 1] [--checkpoint-between 1]\n");
		return 2;
	}
	tags = read_tags(tagfile, &ntags);
	if ((size_t)((warmup + reps) * size + skip) > ntags) {
		fprintf(stderr, "walpages: %s has too few tags (%zu)\n", tagfile, ntags);
		return 2;
	}
	if (walshim_install() < 0 || store_open(path, 0, &st, &e) != AT_OK)
		die("open", &e);
	if (autockpt >= 0 && store_wal_autocheckpoint(st, (int)autockpt) != AT_OK)
		die("wal_autocheckpoint", NULL);
	off = (size_t)skip;
	for (long r = -warmup; r < reps; r++) {
		struct walshim_run o, in;
		stock_out(st, tags + off, (int)size, holder, &o, left);
		stock_in(st, tags + off, (int)size, named ? left : NULL, &in);
		if (between && store_wal_checkpoint(st, STORE_CKPT_TRUNCATE, NULL, NULL, &e) != AT_OK)
			die("checkpoint", &e);
		off += (size_t)size;
		if (r >= 0) {
			outs[r] = o;
			ins[r] = in;
		} else {
			walshim_run_free(&o);
			walshim_run_free(&in);
		}
	}
	store_close(st);
	walshim_report(path, "stock_out", outs, (int)reps, (int)size);
	walshim_report(path, "stock_in", ins, (int)reps, (int)size);
	for (long r = 0; r < reps; r++) {
		walshim_run_free(&outs[r]);
		walshim_run_free(&ins[r]);
	}
	return 0;
}
