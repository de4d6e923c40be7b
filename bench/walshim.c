/*
 * walshim.c — the counting VFS of walshim.h.
 *
 * A WAL frame is a 24-byte header (page number first, big-endian) then
 * the page, written by SQLite as two writes at 32 + k * (24 + page size).
 * A frame is new when its offset is past every frame of the log so far;
 * a header written again at an offset already seen is SQLite fixing the
 * checksums after it overwrote a frame of the same transaction in place
 * (a page spilled from the cache, then changed again), not a new page.
 * The 32-byte WAL header written at offset 0 means the log restarts.
 */
#include "walshim.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shim_file {
	sqlite3_file base;
	int kind;                 /* 1 main database, 2 WAL, 0 other */
	sqlite3_file *real;       /* the wrapped file, allocated after this */
};

static sqlite3_vfs shim_vfs, *real_vfs;
static struct walshim_counts counts;
static sqlite3_int64 wal_end = -1;   /* offset of the last frame header seen */
static uint32_t *pages;
static size_t npages, cap_pages;

static void record_page(uint32_t pgno)
{
	if (npages == cap_pages) {
		size_t cap = cap_pages ? cap_pages * 2 : 4096;
		uint32_t *p = realloc(pages, cap * sizeof(*p));
		if (!p)
			return;
		pages = p;
		cap_pages = cap;
	}
	pages[npages++] = pgno;
}

/* ==== I/O methods: count, then forward ================================ */

#define REAL(f) (((struct shim_file *)(f))->real)

static int shim_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;

	return rc;
}

static int shim_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct shim_file *s = (struct shim_file *)f;

	int rc = s->real->pMethods->xRead(s->real, buf, amt, off);

	/* The database header names the page size (1 means 65536). */
	if (s->kind == 1 && off == 0 && amt >= 18 && rc == SQLITE_OK) {
		const unsigned char *b = buf;
		int ps = b[16] << 8 | b[17];
		if (ps == 1 || (ps >= 512 && (ps & (ps - 1)) == 0))
			counts.page_size = ps == 1 ? 65536 : ps;
	}
	if (counts.page_size && amt == counts.page_size) {
		if (s->kind == 1)
			counts.db_reads++;
		else if (s->kind == 2)
			counts.wal_reads++;
	}
	return rc;
}

static int shim_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	struct shim_file *s = (struct shim_file *)f;
	const unsigned char *b = buf;

	if (s->kind == 2) {
		if (off == 0 && amt == 32) {
			counts.page_size = (int)((uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 |
			                         (uint32_t)b[10] << 8 | b[11]);
			if (counts.page_size == 1)
				counts.page_size = 65536;
			counts.wal_restarts++;
			wal_end = -1;
		} else if (amt == 24) {
			if (off > wal_end) {
				counts.frames++;
				record_page((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
				            (uint32_t)b[2] << 8 | b[3]);
				wal_end = off;
			}
		} else if (counts.page_size && amt == counts.page_size && off < wal_end) {
			counts.wal_rewrites++;
		}
	} else if (s->kind == 1 && counts.page_size && amt == counts.page_size) {
		counts.db_writes++;
	}
	return s->real->pMethods->xWrite(s->real, buf, amt, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
	counts.syncs++;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int shim_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int shim_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int i, int sz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, extend, p);
}

static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int shim_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, p);
}

static int shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods shim_io = {
	3, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_file_size,
	shim_lock, shim_unlock, shim_check_lock, shim_control, shim_sector, shim_caps,
	shim_shm_map, shim_shm_lock, shim_shm_barrier, shim_shm_unmap, shim_fetch, shim_unfetch,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                     int *out_flags)
{
	struct shim_file *s = (struct shim_file *)f;
	int rc;

	(void)vfs;
	s->real = (sqlite3_file *)(s + 1);
	s->kind = (flags & SQLITE_OPEN_MAIN_DB) ? 1 : (flags & SQLITE_OPEN_WAL) ? 2 : 0;
	rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set: set it only when the
	 * real file is open, and the real one's close then runs through ours. */
	s->base.pMethods = s->real->pMethods ? &shim_io : NULL;
	return rc;
}

int walshim_install(void)
{
	if (real_vfs)
		return 0;
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		return -1;
	/* The other VFS methods are the real ones, and read only what a copy
	 * of the real VFS holds (its pAppData, mxPathname). */
	shim_vfs = *real_vfs;
	shim_vfs.zName = "walshim";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	shim_vfs.pNext = NULL;
	return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1;
}

void walshim_reset(void)
{
	int ps = counts.page_size;

	memset(&counts, 0, sizeof(counts));
	counts.page_size = ps;
	npages = 0;
}

void walshim_get(struct walshim_counts *c)
{
	*c = counts;
}

size_t walshim_pages(const uint32_t **p)
{
	*p = pages;
	return npages;
}

/* ==== per operation, and the summary =================================== */

void walshim_take(struct walshim_run *r, double ms)
{
	r->ms = ms;
	r->c = counts;
	r->npages = npages;
	r->pages = malloc(npages * sizeof(*pages) + 1);
	if (!r->pages) {
		fprintf(stderr, "walshim: out of memory\n");
		exit(3);
	}
	memcpy(r->pages, pages, npages * sizeof(*pages));
}

void walshim_run_free(struct walshim_run *r)
{
	free(r->pages);
	r->pages = NULL;
}

/* Page number -> b-tree, from dbstat (through the real VFS, uncounted). */
struct tree_map {
	const char **of;           /* index: page number; NULL: not in a b-tree */
	size_t n;
	char *names[256];
	int nnames;
};

static const char *intern(struct tree_map *m, const char *s)
{
	for (int i = 0; i < m->nnames; i++)
		if (strcmp(m->names[i], s) == 0)
			return m->names[i];
	if (m->nnames == (int)(sizeof(m->names) / sizeof(m->names[0])))
		return "(other)";
	m->names[m->nnames] = strdup(s ? s : "?");
	return m->names[m->nnames++];
}

static void map_pages(struct tree_map *m, const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	memset(m, 0, sizeof(*m));
	intern(m, "(header)");
	intern(m, "(free or new)");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, real_vfs ? real_vfs->zName : NULL) !=
	            SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name, pageno FROM dbstat", -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "walshim: dbstat: %s\n", sqlite3_errmsg(db));
		exit(3);
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_int64 p = sqlite3_column_int64(s, 1);
		if (p < 0)
			continue;
		if ((size_t)p >= m->n) {
			size_t cap = m->n ? m->n : 65536;
			while (cap <= (size_t)p)
				cap *= 2;
			m->of = realloc(m->of, cap * sizeof(*m->of));
			if (!m->of)
				exit(3);
			memset(m->of + m->n, 0, (cap - m->n) * sizeof(*m->of));
			m->n = cap;
		}
		m->of[p] = intern(m, (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static int tree_index(const struct tree_map *m, uint32_t pgno)
{
	const char *name = pgno == 1 ? m->names[0] : pgno < m->n && m->of[pgno] ? m->of[pgno]
	                                                                       : m->names[1];

	for (int i = 0; i < m->nnames; i++)
		if (m->names[i] == name)
			return i;
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void walshim_report(const char *db_path, const char *op, const struct walshim_run *runs,
                    int reps, int size)
{
	double ms[WALSHIM_MAXREPS], frames[WALSHIM_MAXREPS], reads[WALSHIM_MAXREPS];
	double per_tree[256] = { 0 }, fr;
	int ps = runs[0].c.page_size ? runs[0].c.page_size : 4096, ckpts = 0;
	struct tree_map m;

	if (reps > WALSHIM_MAXREPS)
		reps = WALSHIM_MAXREPS;
	map_pages(&m, db_path);
	for (int r = 0; r < reps; r++) {
		ms[r] = runs[r].ms;
		frames[r] = (double)runs[r].c.frames;
		reads[r] = (double)(runs[r].c.db_reads + runs[r].c.wal_reads);
		ckpts += runs[r].c.db_writes > 0;
		for (size_t i = 0; i < runs[r].npages; i++)
			per_tree[tree_index(&m, runs[r].pages[i])] += 1;
	}
	fr = median(frames, reps);
	printf("%-9s %4d assets: %7.2f ms, %6.0f WAL frames = %7.0f KiB (%.2f pages/asset), "
	       "%6.0f page reads (medians of %d); a checkpoint inside %d of them\n",
	       op, size, median(ms, reps), fr, fr * (ps + 24) / 1024, fr / size,
	       median(reads, reps), reps, ckpts);
	printf("RESULT pages %s %d frames %.0f wal_bytes %.0f per_asset %.3f\n", op, size, fr,
	       fr * (ps + 24), fr / size);
	for (int k = 0; k < m.nnames; k++) {
		if (per_tree[k] == 0)
			continue;
		printf("    %-28s %7.3f pages/asset  (%.1f a batch)\n", m.names[k],
		       per_tree[k] / reps / size, per_tree[k] / reps);
		printf("RESULT tree %s %d %s %.4f\n", op, size, m.names[k], per_tree[k] / reps / size);
	}
	for (int k = 0; k < m.nnames; k++)
		free(m.names[k]);
	free(m.of);
}
