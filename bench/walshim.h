/*
 * walshim.h — a counting SQLite VFS for the benchmark tools (never the
 * product): what a transaction writes to the WAL, page by page.
 *
 * It wraps the default VFS and registers itself as the default, so every
 * connection opened afterwards goes through it.  It counts, since the
 * last walshim_reset():
 *   - WAL frames appended, each with the page number its header names
 *     (so a page written twice in one commit, which SQLite overwrites in
 *     place, counts once, and the header rewrites of that case are not
 *     frames either);
 *   - page-sized reads of the database file and of the WAL (cache misses
 *     of SQLite's page cache; the OS may still have them);
 *   - page-sized writes to the database file (checkpoints copying frames
 *     back) and fsyncs of either.
 * Single-threaded: the tools drive one connection.
 */
#ifndef AT_BENCH_WALSHIM_H
#define AT_BENCH_WALSHIM_H

#include <stddef.h>
#include <stdint.h>

struct walshim_counts {
	long frames;           /* WAL frames appended */
	long wal_rewrites;     /* page data written again over a frame of this commit */
	long db_reads;         /* page reads of the database file */
	long wal_reads;        /* page reads of the WAL */
	long db_writes;        /* page writes to the database file (checkpoint) */
	long syncs;            /* fsyncs (database file and WAL) */
	long wal_restarts;     /* the WAL header rewritten: the log started over */
	int page_size;
};

/* Register the shim over the default VFS (once); 0 on success. */
int walshim_install(void);
/* Zero the counters and forget the pages recorded. */
void walshim_reset(void);
void walshim_get(struct walshim_counts *c);
/* The page numbers of the frames appended since the reset, in order. */
size_t walshim_pages(const uint32_t **pages);

/* ---- per operation: counts, time, pages; the summary ---- */

#define WALSHIM_MAXREPS 64

struct walshim_run {
	struct walshim_counts c;
	double ms;
	uint32_t *pages;           /* its frames' page numbers, malloc'd */
	size_t npages;
};

/* The counts and pages since the last reset, for an operation that took
 * `ms`. */
void walshim_take(struct walshim_run *r, double ms);
void walshim_run_free(struct walshim_run *r);
/*
 * Print, for `reps` runs (at most WALSHIM_MAXREPS) of operation `op` on
 * `size` assets: medians of time, frames (WAL bytes, pages per asset) and
 * page reads, how many had a checkpoint inside, and the pages per asset
 * of each b-tree, its pages named with SQLite's dbstat table on the
 * database at `db_path` as it is now (pages allocated by the runs
 * included: b-trees only grow here).  Text, then "RESULT pages ..." and
 * "RESULT tree ..." lines.
 */
void walshim_report(const char *db_path, const char *op, const struct walshim_run *runs,
                    int reps, int size);

#endif
