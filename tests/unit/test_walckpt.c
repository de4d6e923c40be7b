/*
 * test_walckpt.c — WAL checkpoints out of the commit path (web/walckpt.h,
 * core/db.h db_wal_manual; issue #9 item 2).
 *
 * What is counted: the frames the WAL holds after each commit (the hook
 * says), the WAL file's size (a log that started over stops growing; an
 * emptied one is 0 bytes) and the checkpointer's own counts.  Waits are
 * for a condition, with a generous deadline, never for a time.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/db.h"
#include "web/walckpt.h"

#define NASSETS 20
#define ROUNDS 10
#define DEADLINE_MS 30000
/* The WAL's own header, and a frame's (before each 4096-byte page). */
#define WAL_HDR 32
#define FRAME (24 + 4096)

struct fx {
	struct t_db db;
	struct walckpt *k;          /* stopped by the teardown if a test failed */
	int64_t holder;
	char tags[NASSETS][16];
	const char *list[NASSETS];
};

#define FX(state) ((struct fx *)*(state))

static int setup(void **state)
{
	struct fx *f;

	if (t_setup(state) != 0)
		return -1;
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	f->k = NULL;
	t_case(f->db.st, "CASE-W", NASSETS);
	f->holder = t_holder(f->db.st, "Wal Walker", "B-7001");
	for (int i = 0; i < NASSETS; i++) {
		snprintf(f->tags[i], sizeof(f->tags[i]), "AT-W%03d", i + 1);
		t_asset(f->db.st, f->tags[i], "CASE-W", i + 1);
		f->list[i] = f->tags[i];
	}
	return 0;
}

static int teardown(void **state)
{
	if (*state)
		walckpt_stop(FX(state)->k);
	db_wal_manual(NULL, NULL);
	return t_teardown(state);
}

/* One Stock-Out of all the fixture's assets and their Stock-In: two
 * commits, each of some dozens of frames. */
static void round_trip(struct fx *f)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref h = { f->holder, NULL, 0 };
	struct stock_in_item items[NASSETS];

	memset(items, 0, sizeof(items));
	for (int i = 0; i < NASSETS; i++)
		items[i].tag = f->tags[i];
	T_OK(custody_stock_out(f->db.st, T_ACTOR, h, NULL, f->list, NASSETS, &res, &e), &e);
	custody_result_free(&res);
	T_OK(custody_stock_in(f->db.st, T_ACTOR, items, NASSETS, &res, &e), &e);
	custody_result_free(&res);
	at_errors_free(&e);
}

static long wal_size(const struct fx *f)
{
	char wal[T_PATH_MAX + 8];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", f->db.path);
	return stat(wal, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Frames the WAL held after each commit, as the hook told them. */
struct seen {
	int frames[256];
	int n;
};

static void record(void *ctx, int frames)
{
	struct seen *s = ctx;

	if (s->n < (int)(sizeof(s->frames) / sizeof(s->frames[0])))
		s->frames[s->n++] = frames;
}

/* Commits past SQLite's 1,000-frame threshold: in manual mode none of
 * them checkpoints (the log only grows, every frame still to copy); with
 * automatic checkpoints the same commits start the log over. */
static void commit_never_checkpoints_in_manual_mode(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct seen s = { .n = 0 };
	int frames = -1, moved = -1, rounds = 0, manual_frames;

	db_wal_manual(record, &s);
	t_reopen(&f->db);
	while (s.n == 0 || s.frames[s.n - 1] <= 1200) {
		round_trip(f);
		assert_true(++rounds < 60);
	}
	assert_int_equal(s.n, 2 * rounds);
	for (int i = 1; i < s.n; i++)
		assert_true(s.frames[i] > s.frames[i - 1]);
	manual_frames = s.frames[s.n - 1];
	/* Nothing restarted the log: it holds every frame written. */
	assert_int_equal(wal_size(f), WAL_HDR + (long)manual_frames * FRAME);
	/* ...and none had been copied: a checkpoint now copies them all. */
	T_OK(db_wal_checkpoint(f->db.st, 0, &frames, &moved, &e), &e);
	assert_int_equal(frames, manual_frames);
	assert_int_equal(moved, manual_frames);

	/* The control: the same commits with SQLite's automatic checkpoint. */
	db_wal_manual(NULL, NULL);
	t_reopen(&f->db);
	s.n = 0;
	for (int i = 0; i < rounds; i++)
		round_trip(f);
	assert_int_equal(s.n, 0);
	T_OK(db_wal_checkpoint(f->db.st, 0, &frames, &moved, &e), &e);
	assert_true(frames > 0);
	assert_true(frames < 1000);
	assert_true(wal_size(f) < WAL_HDR + (long)manual_frames * FRAME);
	at_errors_free(&e);
}

/* ---- the thread --------------------------------------------------------- */

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

enum want { CAUGHT_UP, TRUNCATED, BUSY_SEEN };

static int reached(const struct walckpt_stats *s, enum want w)
{
	switch (w) {
	case CAUGHT_UP:      /* a checkpoint after the last commit */
		return s->passive >= 1 && s->covered == s->commits;
	case TRUNCATED:
		return s->truncated >= 1;
	case BUSY_SEEN:
		return s->busy >= 1;
	}
	return 0;
}

/* Wait until the checkpointer's counts show `w`; fails after DEADLINE_MS. */
static void wait_for(struct walckpt *k, enum want w, struct walckpt_stats *out)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		walckpt_stats(k, out);
		if (reached(out, w))
			return;
		if (elapsed_ms(&t0) > DEADLINE_MS) {
			print_error("checkpointer: commits %ld passive %ld truncated %ld busy %ld "
			            "failed %ld moved %ld\n", out->commits, out->passive,
			            out->truncated, out->busy, out->failed, out->moved);
			fail_msg("the checkpointer did not get there in %d ms", DEADLINE_MS);
		}
		usleep(5000);
	}
}

/* Past the threshold the thread copies the WAL (PASSIVE) and the next
 * commit starts the log over: round trip after round trip, the WAL file
 * stays the size of one, where without checkpoints it holds them all.
 * Stopping the thread empties it. */
static void thread_checkpoints_past_its_threshold(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct walckpt_stats s;
	struct seen one = { .n = 0 };
	struct walckpt *k;
	int rt;

	/* The frames of one round trip, from an empty WAL, nothing copied. */
	db_wal_manual(record, &one);
	t_reopen(&f->db);
	round_trip(f);
	assert_int_equal(one.n, 2);
	rt = one.frames[1];
	assert_true(rt > 8);
	db_wal_manual(NULL, NULL);
	T_OK(db_wal_checkpoint(f->db.st, 1, NULL, NULL, &e), &e);
	assert_int_equal(wal_size(f), 0);

	k = f->k = walckpt_start(f->db.path, 8, 600000);
	assert_non_null(k);
	t_reopen(&f->db);
	for (int i = 0; i < ROUNDS; i++) {
		round_trip(f);
		wait_for(k, CAUGHT_UP, &s);
	}
	assert_int_equal(s.commits, 2 * ROUNDS);
	assert_true(s.passive >= ROUNDS);
	assert_true(s.moved >= (long)ROUNDS * rt / 2);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.truncated, 0);
	/* The high-water mark of the log: the log starts over at the first
	 * commit after a checkpoint, so it holds a round trip and a half, give
	 * or take the pages a round trip happens to touch; without the thread
	 * it would hold all ROUNDS of them. */
	assert_true(wal_size(f) > WAL_HDR);
	assert_true(wal_size(f) <= WAL_HDR + 3L * rt * FRAME);
	assert_true(3 * rt < ROUNDS * rt / 2);
	walckpt_stop(k);
	f->k = NULL;
	assert_int_equal(wal_size(f), 0);
	T_VERIFY_OK(f->db.st);
	at_errors_free(&e);
}

/* Commits back to back, no pause for the thread: the commit that leaves
 * the WAL at the limit (WALCKPT_LIMIT thresholds) waits for the copy, so
 * the next one starts the log over and the file never holds much more
 * than the limit.  Without that wait it would hold every round trip. */
static void back_to_back_commits_keep_the_wal_bounded(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct walckpt_stats s;
	struct walckpt *k;
	int limit = 8 * WALCKPT_LIMIT;

	/* From an empty WAL: the fixture's own frames are not the thread's. */
	T_OK(db_wal_checkpoint(f->db.st, 1, NULL, NULL, &e), &e);
	assert_int_equal(wal_size(f), 0);
	k = f->k = walckpt_start(f->db.path, 8, 600000);
	assert_non_null(k);
	t_reopen(&f->db);
	for (int i = 0; i < 4 * ROUNDS; i++)
		round_trip(f);
	walckpt_stats(k, &s);
	assert_int_equal(s.commits, 8 * ROUNDS);
	assert_true(s.waited >= 1);
	assert_int_equal(s.failed, 0);
	/* At most the limit, plus the commit that reached it, plus one the
	 * copy may still have been busy with (a commit is under 40 frames). */
	assert_true(wal_size(f) <= WAL_HDR + (long)(limit + 2 * 40) * FRAME);
	assert_true(limit + 2 * 40 < 4 * ROUNDS * 26 / 2);
	walckpt_stop(k);
	f->k = NULL;
	assert_int_equal(wal_size(f), 0);
	T_VERIFY_OK(f->db.st);
	at_errors_free(&e);
}

/* Below the threshold nothing happens until the server is idle; then the
 * WAL file is emptied. */
static void thread_empties_the_wal_when_idle(void **state)
{
	struct fx *f = FX(state);
	struct walckpt_stats s;
	struct walckpt *k = f->k = walckpt_start(f->db.path, 1000000, 20);

	assert_non_null(k);
	t_reopen(&f->db);
	round_trip(f);
	wait_for(k, TRUNCATED, &s);
	assert_int_equal(s.passive, 0);
	assert_int_equal(s.failed, 0);
	assert_int_equal(wal_size(f), 0);
	walckpt_stop(k);
	f->k = NULL;
	T_VERIFY_OK(f->db.st);
}

/* A reader on an older snapshot puts the truncation off (busy, at once:
 * the thread never waits for it, and a commit meanwhile goes through);
 * once it is gone the WAL is emptied. */
static void thread_never_waits_for_a_reader(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct walckpt_stats s;
	struct walckpt *k = f->k = walckpt_start(f->db.path, 1000000, 20);
	struct store *reader = NULL;

	assert_non_null(k);
	t_reopen(&f->db);
	round_trip(f);
	T_OK(db_open(f->db.path, 0, &reader, &e), &e);
	T_OK(db_read_begin(reader, &e), &e);
	assert_true(t_events(reader) > 0);   /* the snapshot is taken */
	round_trip(f);                       /* a commit while it reads */
	wait_for(k, BUSY_SEEN, &s);
	assert_true(wal_size(f) > 0);
	round_trip(f);                       /* writers still go through */
	db_read_end(reader);
	wait_for(k, TRUNCATED, &s);
	assert_int_equal(wal_size(f), 0);
	assert_int_equal(s.failed, 0);
	walckpt_stop(k);
	f->k = NULL;
	db_close(reader);
	T_VERIFY_OK(f->db.st);
	at_errors_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(commit_never_checkpoints_in_manual_mode, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(thread_checkpoints_past_its_threshold, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(back_to_back_commits_keep_the_wal_bounded, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(thread_empties_the_wal_when_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(thread_never_waits_for_a_reader, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
