/*
 * test_fault.c — storage faults inside operations (issue #7; SPEC §3.7,
 * §3.10, §6, §7): an I/O error or a full disk at any write, sync or read
 * of an operation makes it report AT_STORAGE, changes nothing, leaves a
 * database that verifies, and leaves the connection fit for the next
 * operation.
 *
 * The fault VFS (tests/support/vfs_fault.h) wraps SQLite's unix VFS.  For
 * each operation — Stock-Out of 5, Stock-In of 5 into given slots,
 * replace, create with a slot, CSV import of 4, slot move, retire — the
 * test first counts the writes, syncs and reads the operation makes on a
 * fresh copy of a prepared database (twice: the counts must be stable,
 * so N names the same call in every run), then for every N from 1 to the
 * count (at most CAP values, spread evenly and always including the first
 * and the last) and for SQLITE_IOERR_* and SQLITE_FULL: copies the
 * database, opens it, arms the Nth call, runs the operation and checks
 *   - the fault fired and the operation returned exactly AT_STORAGE, with
 *     SQLite's message ("disk I/O error" / "database or disk is full");
 *   - the same handle shows the state before: every row the snapshot
 *     digests (assets, cases, holders, event count) and each touched
 *     asset's state, holder and slot;
 *   - verify_run() is ok on that handle;
 *   - the files as a crash would leave them (database and WAL copied
 *     while the handle is open) open to the state before or the state
 *     after, never between, and verify.  A failed WAL sync can leave a
 *     complete commit frame in the WAL: the process never sees it (the
 *     commit reported failure and rolled back; the next commit overwrites
 *     it), but a crash before that replays it.  SPEC §3.10 allows that
 *     (before or after); the count of such images is printed;
 *   - the same handle then runs the operation again successfully, to the
 *     exact state after.
 * N = count + 1 must not fire and the operation must succeed.
 *
 * The store's WAL is checkpointed only after 1000 pages, so the runs above
 * never checkpoint.  A second pass makes SQLite checkpoint after every
 * commit (an auto extension gives each new connection a statement trace
 * that sets wal_autocheckpoint = 1): the calls after the commit's own are
 * the checkpoint's, and SQLite ignores a checkpoint's failure
 * (sqlite3WalDefaultHook), so a fault there must leave the operation
 * successful, at the state after, durable in a crash image, and
 * verifying; the commit's last call must still fail it.
 *
 * A third test fails each read verify_run() makes: each must be a STORAGE
 * error, never a verdict.
 *
 * The clock is fixed (ASSETTRACK_FAKE_NOW), so the state after is the
 * same digest in every run.  CAP is 40 (16 under AT_SANITIZED);
 * AT_FAULT_CAP=<n> overrides.
 */
#include "testlib.h"
#include "vfs_fault.h"

#include "core/import.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAKE_NOW "2026-03-02T10:00:00.000Z"
#define MAX_TAGS 6

static char g_tpl[T_PATH_MAX];   /* the prepared database, never opened again */
static int64_t g_dana;
static long g_cap;

/* ==== files =========================================================== */

/* Copy `from` to `to` (created); returns 0, or -1 if `from` does not
 * exist and `optional`. */
static int copy_file(const char *from, const char *to, int optional)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	if (in < 0 && optional && errno == ENOENT)
		return -1;
	if (in < 0)
		fail_msg("open %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		fail_msg("create %s: %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			fail_msg("write %s: %s", to, strerror(errno));
	if (n < 0)
		fail_msg("read %s: %s", from, strerror(errno));
	close(in);
	close(out);
	return 0;
}

/* A fresh copy of the template at a new path, opened as the server's
 * workers open theirs (no create, no migration). */
static struct store *open_copy(char *path, size_t cap)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;

	t_db_path(path, cap, "fault");
	copy_file(g_tpl, path, 0);
	T_OK(store_open(path, 0, &st, &e), &e);
	at_errors_free(&e);
	return st;
}

/* Copy the database and its WAL as a crash right now would leave them
 * (no -shm: the next open rebuilds the index from the WAL). */
static void crash_image(const char *path, char *crash, size_t cap)
{
	char from[T_PATH_MAX + 8], to[T_PATH_MAX + 8];

	t_db_path(crash, cap, "fault-crash");
	copy_file(path, crash, 0);
	snprintf(from, sizeof(from), "%s-wal", path);
	snprintf(to, sizeof(to), "%s-wal", crash);
	copy_file(from, to, 1);
}

/* ==== the operations ================================================== */

static const char *const out_tags[] = { "SO-1", "SO-2", "SO-3", "SO-4", "SO-5" };
static const char *const in_tags[] = { "SI-1", "SI-2", "SI-3", "SI-4", "SI-5" };

static enum at_code op_stock_out(struct store *st, struct at_errors *e)
{
	struct custody_result res;
	struct holder_ref h = { .id = g_dana };
	enum at_code c = custody_stock_out(st, T_ACTOR, h, T_DUE, out_tags, 5, &res, e);

	custody_result_free(&res);
	return c;
}

static enum at_code op_stock_in(struct store *st, struct at_errors *e)
{
	struct stock_in_item items[5];
	struct custody_result res;
	enum at_code c;

	for (int i = 0; i < 5; i++) {
		items[i].tag = in_tags[i];
		items[i].case_name = "CASE-B";
		items[i].position = i + 1;
	}
	c = custody_stock_in(st, T_ACTOR, items, 5, &res, e);
	custody_result_free(&res);
	return c;
}

static enum at_code op_replace(struct store *st, struct at_errors *e)
{
	return asset_replace(st, T_ACTOR, "RP-OLD", "RP-NEW", "cracked screen", NULL, NULL, NULL,
	                     e);
}

static enum at_code op_create(struct store *st, struct at_errors *e)
{
	struct asset_input in = t_input("NEW-1");

	in.slot_case = "CASE-A";
	in.slot_position = 20;
	return asset_create(st, T_ACTOR, &in, NULL, e);
}

static enum at_code op_import(struct store *st, struct at_errors *e)
{
	static const char csv[] =
		"asset_tag,serial_number,manufacturer,equipment_type,building,room,case,position\n"
		"IM-1,SN-IM-1,Acme,Radio,HQ,Store room,CASE-B,6\n"
		"IM-2,SN-IM-2,Acme,Radio,HQ,Store room,CASE-B,7\n"
		"IM-3,SN-IM-3,Acme,Laptop,HQ,Store room,,\n"
		"IM-4,SN-IM-4,Acme,Laptop,HQ,Store room,,\n";
	struct import_result res;

	return import_assets(st, T_ACTOR, csv, sizeof(csv) - 1, 0, &res, e);
}

static enum at_code op_slot_move(struct store *st, struct at_errors *e)
{
	return slot_move(st, T_ACTOR, "MV-1", "CASE-B", 9, NULL, e);
}

static enum at_code op_retire(struct store *st, struct at_errors *e)
{
	return asset_retire(st, T_ACTOR, "RT-1", "end of life", NULL, e);
}

struct op {
	const char *name;
	enum at_code (*run)(struct store *st, struct at_errors *e);
	const char *tags[MAX_TAGS];      /* the assets it creates or changes */
};

static const struct op ops[] = {
	{ "Stock-Out", op_stock_out, { "SO-1", "SO-2", "SO-3", "SO-4", "SO-5" } },
	{ "Stock-In", op_stock_in, { "SI-1", "SI-2", "SI-3", "SI-4", "SI-5" } },
	{ "replace", op_replace, { "RP-OLD", "RP-NEW" } },
	{ "create", op_create, { "NEW-1" } },
	{ "import", op_import, { "IM-1", "IM-2", "IM-3", "IM-4" } },
	{ "slot move", op_slot_move, { "MV-1" } },
	{ "retire", op_retire, { "RT-1" } },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* ==== states ========================================================== */

/* Where one asset is: enough to see half an operation. */
struct where {
	int exists;
	int state;
	int64_t holder_id, case_id;
	int position;
};

struct state {
	uint64_t digest;                 /* t_snapshot */
	int64_t events;
	struct where w[MAX_TAGS];
};

static struct state g_before[NOPS];      /* the template (every op starts here) */
static struct state g_after[NOPS];       /* after each op, from the count run */

static void state_of(struct store *st, const struct op *op, struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->digest = t_snapshot(st);
	s->events = t_events(st);
	for (int i = 0; i < MAX_TAGS && op->tags[i]; i++) {
		struct asset a;
		enum at_code c = store_asset_by_tag(st, op->tags[i], &a);
		if (c == AT_NOT_FOUND)
			continue;
		assert_int_equal(c, AT_OK);
		s->w[i].exists = 1;
		s->w[i].state = (int)a.state;
		s->w[i].holder_id = a.holder_id;
		s->w[i].case_id = a.case_id;
		s->w[i].position = a.position;
	}
}

static int state_eq(const struct state *a, const struct state *b)
{
	return a->digest == b->digest && a->events == b->events &&
	       memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

/* The state of `st` must be `want` (the before or after state of op);
 * `ctx` names the case for the failure message. */
static void expect_state(struct store *st, const struct op *op, const struct state *want,
                         const char *which, const char *ctx)
{
	struct state got;

	state_of(st, op, &got);
	if (got.events != want->events)
		fail_msg("%s: %lld events, the state %s has %lld", ctx, (long long)got.events, which,
		         (long long)want->events);
	for (int i = 0; i < MAX_TAGS && op->tags[i]; i++) {
		const struct where *g = &got.w[i], *w = &want->w[i];
		if (memcmp(g, w, sizeof(*g)) != 0)
			fail_msg("%s: %s is %s (state %d, holder %lld, case %lld/%d), not as %s "
			         "(%s, state %d, holder %lld, case %lld/%d): a partial operation",
			         ctx, op->tags[i], g->exists ? "present" : "absent", g->state,
			         (long long)g->holder_id, (long long)g->case_id, g->position, which,
			         w->exists ? "present" : "absent", w->state, (long long)w->holder_id,
			         (long long)w->case_id, w->position);
	}
	if (got.digest != want->digest)
		fail_msg("%s: the database differs from the state %s", ctx, which);
}

/* ==== the template ==================================================== */

/* Create an asset in a slot and stock it out to Dana. */
static void asset_out(struct store *st, const char *tag, int pos)
{
	t_asset(st, tag, "CASE-A", pos);
	t_stock_out(st, g_dana, tag, (const char *)NULL);
}

static void make_template(void)
{
	struct store *st;
	char wal[T_PATH_MAX + 8];

	t_db_path(g_tpl, sizeof(g_tpl), "fault-tpl");
	st = t_store_open(g_tpl);
	g_dana = t_holder(st, "Dana Ruiz", "B-1001");
	t_case(st, "CASE-A", 30);
	t_case(st, "CASE-B", 10);
	for (int i = 0; i < 5; i++)
		t_asset(st, out_tags[i], "CASE-A", i + 1);
	for (int i = 0; i < 5; i++)
		asset_out(st, in_tags[i], 6 + i);
	asset_out(st, "RP-OLD", 11);
	t_asset(st, "RP-NEW", "CASE-A", 12);
	t_asset(st, "MV-1", "CASE-A", 13);
	t_asset(st, "RT-1", "CASE-A", 14);
	T_VERIFY_OK(st);
	store_close(st);
	/* Closing the last connection checkpoints and removes the WAL: the
	 * template is one file, so copying it copies the database. */
	snprintf(wal, sizeof(wal), "%s-wal", g_tpl);
	assert_int_not_equal(access(wal, F_OK), 0);
}

/* ==== counting ======================================================== */

/* Run op on a fresh copy with the VFS counting; counts[] gets its calls.
 * The operation must succeed; `after` (may be NULL) gets the state. */
static void count_op(const struct op *op, long counts[VFS_FAULT_KINDS], struct state *after)
{
	struct at_errors e = AT_ERRORS_INIT;
	char path[T_PATH_MAX];
	struct store *st = open_copy(path, sizeof(path));

	vfs_fault_arm(VFS_FAULT_WRITE, 0, VFS_FAULT_IOERR);
	T_OK(op->run(st, &e), &e);
	vfs_fault_disarm();
	assert_int_equal(vfs_fault_fired(), 0);
	for (int k = 0; k < VFS_FAULT_KINDS; k++)
		counts[k] = vfs_fault_count((enum vfs_fault_kind)k);
	if (after) {
		state_of(st, op, after);
		T_VERIFY_OK(st);
	}
	at_errors_free(&e);
	store_close(st);
	t_db_remove(path);
}

/* ==== one faulted run ================================================= */

struct tally {
	long tried, fired, failed, succeeded, crash_after;
};

/* What a run must show: the operation failed (state before) or, for a
 * fault after the commit, succeeded (state after); or nothing fired. */
enum expect { EXPECT_FAIL, EXPECT_OK_FIRED, EXPECT_OK_UNFIRED };

static void run_faulted(size_t oi, enum vfs_fault_kind kind, long n, enum vfs_fault_error err,
                        enum expect want, struct tally *t)
{
	const struct op *op = &ops[oi];
	const char *pin = err == VFS_FAULT_FULL ? "database or disk is full" : "disk I/O error";
	struct at_errors e = AT_ERRORS_INIT;
	char path[T_PATH_MAX], crash[T_PATH_MAX], ctx[160];
	struct store *st = open_copy(path, sizeof(path)), *cst;
	struct state img;
	enum at_code c;
	long fired;

	snprintf(ctx, sizeof(ctx), "%s, %s fault %ld (%s)", op->name, vfs_fault_kind_name(kind), n,
	         vfs_fault_error_name(err));
	vfs_fault_arm(kind, n, err);
	at_errors_reset(&e);
	c = op->run(st, &e);
	vfs_fault_disarm();
	fired = vfs_fault_fired();
	t->tried++;
	t->fired += fired;

	if (want == EXPECT_FAIL) {
		if (fired != 1)
			fail_msg("%s: the fault did not fire (%ld calls counted)", ctx,
			         vfs_fault_count(kind));
		if (c != AT_STORAGE || e.code != AT_STORAGE || !t_contains_ci(e.message, pin)) {
			t_dump(ctx, &e);
			fail_msg("%s: returned %s, expected STORAGE with \"%s\"", ctx, at_code_name(c),
			         pin);
		}
		t->failed++;
		expect_state(st, op, &g_before[oi], "before", ctx);
	} else {
		if (fired != (want == EXPECT_OK_FIRED))
			fail_msg("%s: %ld faults fired, expected %d (fired in %s)", ctx, fired,
			         want == EXPECT_OK_FIRED, vfs_fault_file_name(vfs_fault_fired_file()));
		if (c != AT_OK) {
			t_dump(ctx, &e);
			fail_msg("%s: returned %s; a fault after the commit must not fail it", ctx,
			         at_code_name(c));
		}
		t->succeeded++;
		expect_state(st, op, &g_after[oi], "after", ctx);
	}
	if (!t_verify(st, NULL))
		fail_msg("%s: verify fails on the same handle after the fault", ctx);

	/* A crash now: the files must open to before or after. */
	crash_image(path, crash, sizeof(crash));
	cst = t_store_open(crash);
	state_of(cst, op, &img);
	if (state_eq(&img, &g_after[oi])) {
		t->crash_after += want == EXPECT_FAIL;
	} else if (want != EXPECT_FAIL || !state_eq(&img, &g_before[oi])) {
		fail_msg("%s: a crash image is neither the state before nor after%s", ctx,
		         want != EXPECT_FAIL ? " (the operation succeeded: it must be after)" : "");
	}
	if (!t_verify(cst, NULL))
		fail_msg("%s: a crash image does not verify", ctx);
	store_close(cst);
	t_db_remove(crash);

	/* The handle serves the next operation: the same one, now clean. */
	if (want == EXPECT_FAIL) {
		at_errors_reset(&e);
		c = op->run(st, &e);
		if (c != AT_OK) {
			t_dump(ctx, &e);
			fail_msg("%s: the same handle cannot run the operation again: %s", ctx,
			         at_code_name(c));
		}
		expect_state(st, op, &g_after[oi], "after (rerun)", ctx);
		if (!t_verify(st, NULL))
			fail_msg("%s: verify fails after the rerun", ctx);
	}
	at_errors_free(&e);
	store_close(st);
	t_db_remove(path);
}

/* The i-th of k values spread evenly over 1..count (first and last
 * included). */
static long spread(long i, long k, long count)
{
	return k <= 1 ? count : 1 + i * (count - 1) / (k - 1);
}

static const enum vfs_fault_kind kinds[] = { VFS_FAULT_WRITE, VFS_FAULT_SYNC, VFS_FAULT_READ,
	                                     VFS_FAULT_TRUNCATE };
static const enum vfs_fault_error errs[] = { VFS_FAULT_IOERR, VFS_FAULT_FULL };

/* ==== tests =========================================================== */

static void print_row(const char *op, enum vfs_fault_kind kind, enum vfs_fault_error err,
                      long count, const struct tally *t)
{
	printf("  %-10s %-8s %-5s calls %3ld  tried %3ld  fired %3ld  failed %3ld  ok %3ld  "
	       "crash image after %ld\n",
	       op, vfs_fault_kind_name(kind), vfs_fault_error_name(err), count, t->tried, t->fired,
	       t->failed, t->succeeded, t->crash_after);
}

/* Every write, sync and read of each operation, failed in turn. */
static void test_fault_every_call_of_each_operation(void **state)
{
	long fired_by_kind[VFS_FAULT_KINDS] = { 0 };
	struct timespec t0, t1;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("fault: every call of each operation (cap %ld per combination)\n", g_cap);
	for (size_t oi = 0; oi < NOPS; oi++) {
		long counts[VFS_FAULT_KINDS], again[VFS_FAULT_KINDS];

		count_op(&ops[oi], counts, &g_after[oi]);
		count_op(&ops[oi], again, NULL);
		for (int k = 0; k < VFS_FAULT_KINDS; k++)
			if (counts[k] != again[k])
				fail_msg("%s: %ld then %ld %s calls: the counts must be stable", ops[oi].name,
				         counts[k], again[k], vfs_fault_kind_name((enum vfs_fault_kind)k));
		/* Every operation writes and syncs its commit (synchronous=FULL). */
		assert_true(counts[VFS_FAULT_WRITE] > 0);
		assert_true(counts[VFS_FAULT_SYNC] > 0);
		for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
			enum vfs_fault_kind kind = kinds[ki];
			long count = counts[kind], k = count < g_cap ? count : g_cap;

			for (size_t ei = 0; ei < sizeof(errs) / sizeof(errs[0]); ei++) {
				struct tally t = { 0 };
				for (long i = 0; i < k; i++)
					run_faulted(oi, kind, spread(i, k, count), errs[ei], EXPECT_FAIL, &t);
				/* One past the last call: nothing to fail. */
				run_faulted(oi, kind, count + 1, errs[ei], EXPECT_OK_UNFIRED, &t);
				fired_by_kind[kind] += t.fired;
				print_row(ops[oi].name, kind, errs[ei], count, &t);
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fault: fired %ld write, %ld sync, %ld read, %ld truncate faults in %.1f s\n",
	       fired_by_kind[VFS_FAULT_WRITE], fired_by_kind[VFS_FAULT_SYNC],
	       fired_by_kind[VFS_FAULT_READ], fired_by_kind[VFS_FAULT_TRUNCATE],
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_true(fired_by_kind[VFS_FAULT_WRITE] > 0);
	assert_true(fired_by_kind[VFS_FAULT_SYNC] > 0);
	assert_true(fired_by_kind[VFS_FAULT_READ] > 0);
}

/* Each statement (re)sets wal_autocheckpoint to 1 on its connection:
 * an auto extension cannot set it directly, because sqlite3_open_v2
 * applies the default (1000 pages) after running auto extensions. */
static int checkpoint_every_commit_trace(unsigned type, void *db, void *p, void *x)
{
	(void)type;
	(void)p;
	(void)x;
	sqlite3_wal_autocheckpoint(db, 1);
	return 0;
}

/* An auto extension: every new connection checkpoints after each commit. */
static int checkpoint_every_commit(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
	(void)err;
	(void)api;
	return sqlite3_trace_v2(db, SQLITE_TRACE_STMT, checkpoint_every_commit_trace, db);
}

/* A fault in the checkpoint that follows a commit: the commit stands. */
static void test_fault_in_checkpoint_after_commit(void **state)
{
	long fired = 0, tried_after = 0;

	(void)state;
	printf("fault: checkpoint after every commit\n");
	for (size_t oi = 0; oi < NOPS; oi++) {
		long plain[VFS_FAULT_KINDS], ckpt[VFS_FAULT_KINDS];

		count_op(&ops[oi], plain, &g_after[oi]);
		assert_int_equal(sqlite3_auto_extension((void (*)(void))checkpoint_every_commit),
		                 SQLITE_OK);
		count_op(&ops[oi], ckpt, NULL);
		for (size_t ki = 0; ki < 3; ki++) {
			enum vfs_fault_kind kind = kinds[ki];
			long extra = ckpt[kind] - plain[kind], k = extra < g_cap ? extra : g_cap;
			struct tally t = { 0 };

			/* The checkpoint writes the database and syncs the WAL and the
			 * database: it adds calls of each kind. */
			if (extra <= 0)
				fail_msg("%s: a checkpoint added no %s calls (%ld, %ld)", ops[oi].name,
				         vfs_fault_kind_name(kind), plain[kind], ckpt[kind]);
			/* The last call of the commit still fails it... */
			run_faulted(oi, kind, plain[kind], VFS_FAULT_IOERR, EXPECT_FAIL, &t);
			/* ...and every call after it is the checkpoint's. */
			for (long i = 0; i < k; i++)
				run_faulted(oi, kind, plain[kind] + spread(i, k, extra), VFS_FAULT_IOERR,
				            EXPECT_OK_FIRED, &t);
			fired += t.fired;
			tried_after += t.succeeded;
			print_row(ops[oi].name, kind, VFS_FAULT_IOERR, ckpt[kind], &t);
		}
		sqlite3_cancel_auto_extension((void (*)(void))checkpoint_every_commit);
	}
	printf("fault: %ld checkpoint faults, each left its operation committed\n", tried_after);
	assert_true(tried_after > 0);
	assert_true(fired > 0);
}

/* verify_run() must not say "ok" when it could not read the database: a
 * read fault anywhere in it is AT_STORAGE.  (It said ok for a fault in its
 * last pass, which looks up each replayed asset, holder and case in the
 * live tables and took any failure for "present".) */
static void test_fault_verify_read_error_is_storage_not_ok(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	char path[T_PATH_MAX];
	struct store *st;
	long count, k, fired = 0;

	(void)state;
	st = open_copy(path, sizeof(path));
	vfs_fault_arm(VFS_FAULT_READ, 0, VFS_FAULT_IOERR);
	T_VERIFY_OK(st);
	vfs_fault_disarm();
	count = vfs_fault_count(VFS_FAULT_READ);
	store_close(st);
	t_db_remove(path);
	assert_true(count > 0);
	k = count < g_cap ? count : g_cap;
	for (long i = 0; i < k; i++) {
		long n = spread(i, k, count);
		struct verify_report r;
		enum at_code c;

		st = open_copy(path, sizeof(path));
		memset(&r, 0, sizeof(r));
		at_errors_reset(&e);
		vfs_fault_arm(VFS_FAULT_READ, n, VFS_FAULT_IOERR);
		c = verify_run(st, &r, NULL, NULL, &e);
		vfs_fault_disarm();
		assert_int_equal(vfs_fault_fired(), 1);
		fired++;
		if (c != AT_STORAGE || !t_contains_ci(e.message, "disk I/O error"))
			fail_msg("verify with read %ld of %ld failing: returned %s (ok=%d, \"%s\"), "
			         "expected STORAGE",
			         n, count, at_code_name(c), r.ok, e.message);
		verify_report_free(&r);
		/* The handle still verifies once the disk reads again. */
		T_VERIFY_OK(st);
		store_close(st);
		t_db_remove(path);
	}
	printf("fault: verify made %ld reads; failed %ld of them, each a STORAGE error\n", count,
	       fired);
	at_errors_free(&e);
}

static int group_setup(void **state)
{
	(void)state;
	make_template();
	{
		char path[T_PATH_MAX];
		struct store *st = open_copy(path, sizeof(path));
		for (size_t oi = 0; oi < NOPS; oi++)
			state_of(st, &ops[oi], &g_before[oi]);
		store_close(st);
		t_db_remove(path);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	t_db_remove(g_tpl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_every_call_of_each_operation),
		cmocka_unit_test(test_fault_in_checkpoint_after_commit),
		cmocka_unit_test(test_fault_verify_read_error_is_storage_not_ok),
	};
	const char *cap = getenv("AT_FAULT_CAP");

	/* Before any connection: every database opened from here on goes
	 * through the fault VFS. */
	if (vfs_fault_install() < 0) {
		fprintf(stderr, "cannot install the fault VFS\n");
		return 1;
	}
	setenv("ASSETTRACK_FAKE_NOW", FAKE_NOW, 1);
	g_cap = cap && *cap ? strtol(cap, NULL, 10) : t_sanitized() ? 16 : 40;
	if (g_cap < 1)
		g_cap = 1;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
