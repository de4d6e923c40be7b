/*
 * walckpt.c — the server's WAL checkpointer (web/walckpt.h).
 *
 * Commits tell the thread how full the WAL is (on_commit, on the
 * committing thread: a mutex and maybe a signal, nothing more).  The
 * thread sleeps until a commit passes the threshold, or until the server
 * has been without commits for `idle_ms`, and checkpoints on its own
 * connection.  It does not take the request lock (web/hold.c): a
 * checkpoint only moves pages SQLite already committed, under SQLite's
 * own locks, so a restore swapping the data in through another connection
 * needs nothing from it.
 */
#include "web/walckpt.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db.h"

struct walckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;             /* wakes the thread */
	pthread_cond_t done;           /* a checkpoint ended (writers at the limit) */
	struct store *st;              /* the thread's connection */
	int threshold, limit, idle_ms;
	long tried;                    /* commits the last checkpoint began after */
	int stop;
	int due;                       /* a commit passed the threshold */
	int dirty;                     /* a commit since the WAL was last emptied */
	struct timespec idle_at;       /* when to empty it, if no commit comes first */
	struct walckpt_stats stats;
};

static struct timespec after_ms(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static int reached(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* The running checkpointer, if any: a connection opened while it ran
 * may commit after it stopped (none should: the server closes them
 * first), and must then find nobody rather than freed memory. */
static pthread_mutex_t current_mu = PTHREAD_MUTEX_INITIALIZER;
static struct walckpt *current;

/*
 * A commit that leaves the WAL at the limit waits for the checkpoint
 * that copies it (at most this long): back-to-back writers never leave
 * the thread a moment between two commits to finish one in, and the log
 * only starts over at a commit that finds it all copied; so it would
 * grow for as long as they keep coming.  The one commit in `limit`
 * frames that waits is the price of a bound (WALCKPT_LIMIT).
 */
#define LIMIT_WAIT_MS 2000

static void wait_copied(struct walckpt *k)
{
	struct timespec until = after_ms(LIMIT_WAIT_MS);
	long mine = k->stats.commits;

	k->stats.waited++;
	while (!k->stop && k->tried < mine)
		if (pthread_cond_timedwait(&k->done, &k->mu, &until) != 0)
			break;
}

/* After each commit of a server connection (db_wal_manual). */
static void on_commit(void *ctx, int frames)
{
	struct walckpt *k;

	(void)ctx;
	pthread_mutex_lock(&current_mu);
	k = current;
	if (!k) {
		pthread_mutex_unlock(&current_mu);
		return;
	}
	pthread_mutex_lock(&k->mu);
	k->stats.commits++;
	k->stats.wal_frames = frames;
	k->idle_at = after_ms(k->idle_ms);
	/* The thread sleeps without a deadline while the WAL is empty: the
	 * first commit after that arms its idle clock. */
	if (frames >= k->threshold || !k->dirty) {
		k->due |= frames >= k->threshold;
		pthread_cond_signal(&k->cv);
	}
	k->dirty = 1;
	if (frames >= k->limit)
		wait_copied(k);
	pthread_mutex_unlock(&k->mu);
	pthread_mutex_unlock(&current_mu);
}

/* One checkpoint, outside the mutex; its outcome into the stats, under
 * it.  Returns the code. */
static enum at_code checkpoint(struct walckpt *k, int truncate)
{
	struct at_errors e = AT_ERRORS_INIT;
	int frames = -1, moved = -1;
	long commits = k->stats.commits;
	enum at_code c;

	pthread_mutex_unlock(&k->mu);
	c = db_wal_checkpoint(k->st, truncate, &frames, &moved, &e);
	if (c != AT_OK && c != AT_BUSY)
		fprintf(stderr, "assettrack: WAL checkpoint failed: %s\n", e.message);
	at_errors_free(&e);
	pthread_mutex_lock(&k->mu);
	k->tried = commits;
	pthread_cond_broadcast(&k->done);
	if (c == AT_OK) {
		if (truncate)
			k->stats.truncated++;
		else
			k->stats.passive++;
		if (moved > 0)
			k->stats.moved += moved;
		k->stats.covered = commits;
		k->stats.wal_frames = frames;
	} else if (c == AT_BUSY) {
		k->stats.busy++;
	} else {
		k->stats.failed++;
	}
	return c;
}

static void *run(void *arg)
{
	struct walckpt *k = arg;

	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		if (k->due) {
			k->due = 0;
			checkpoint(k, 0);
			continue;
		}
		if (!k->dirty) {
			pthread_cond_wait(&k->cv, &k->mu);
			continue;
		}
		if (!reached(&k->idle_at)) {
			pthread_cond_timedwait(&k->cv, &k->mu, &k->idle_at);
			continue;
		}
		long commits = k->stats.commits;
		if (checkpoint(k, 1) == AT_OK && k->stats.commits == commits)
			k->dirty = 0;
		else if (k->stats.commits == commits)
			k->idle_at = after_ms(k->idle_ms); /* a reader: try again later */
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

struct walckpt *walckpt_start(const char *db_path, int frames, int idle_ms)
{
	struct at_errors e = AT_ERRORS_INIT;
	pthread_condattr_t ca;
	struct walckpt *k = calloc(1, sizeof(*k));

	if (!k) {
		fprintf(stderr, "assettrack: WAL checkpointer off: out of memory\n");
		return NULL;
	}
	k->threshold = frames > 0 ? frames : WALCKPT_FRAMES;
	k->limit = k->threshold * WALCKPT_LIMIT;
	k->idle_ms = idle_ms > 0 ? idle_ms : WALCKPT_IDLE_MS;
	if (db_open(db_path, 0, &k->st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: WAL checkpointer off: %s\n", e.message);
		at_errors_free(&e);
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cv, &ca);
	pthread_cond_init(&k->done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&current_mu);
	if (current) {
		pthread_mutex_unlock(&current_mu);
		fprintf(stderr, "assettrack: WAL checkpointer off: one runs already\n");
		goto fail;
	}
	current = k;
	pthread_mutex_unlock(&current_mu);
	/* Before the thread, so no commit can come between the two unseen;
	 * and undone if the thread cannot start. */
	db_wal_manual(on_commit, NULL);
	if (pthread_create(&k->thread, NULL, run, k) != 0) {
		fprintf(stderr, "assettrack: WAL checkpointer off: cannot start a thread: %s\n",
		        strerror(errno));
		db_wal_manual(NULL, NULL);
		pthread_mutex_lock(&current_mu);
		current = NULL;
		pthread_mutex_unlock(&current_mu);
		goto fail;
	}
	return k;
fail:
	pthread_cond_destroy(&k->done);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	db_close(k->st);
	free(k);
	return NULL;
}

void walckpt_stop(struct walckpt *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_cond_broadcast(&k->done);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	/* Connections opened from now on checkpoint automatically again;
	 * those still open (none, in the server) have nobody to tell. */
	db_wal_manual(NULL, NULL);
	pthread_mutex_lock(&current_mu);
	current = NULL;
	pthread_mutex_unlock(&current_mu);
	pthread_mutex_lock(&k->mu);
	if (checkpoint(k, 1) != AT_OK)
		checkpoint(k, 0);
	pthread_mutex_unlock(&k->mu);
	db_close(k->st);
	pthread_cond_destroy(&k->done);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

void walckpt_stats(struct walckpt *k, struct walckpt_stats *out)
{
	pthread_mutex_lock(&k->mu);
	*out = k->stats;
	pthread_mutex_unlock(&k->mu);
}
