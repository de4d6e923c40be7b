/*
 * checkpointer.c — the server's signed checkpoints (core/checkpoint.h),
 * written by a background thread every N events, or every interval when
 * the log has grown at all, so that a routine `verify --since-checkpoint`
 * stays cheap and the head is held outside the database without anyone
 * having to remember to run `assettrack checkpoint`.
 *
 * The thread has its own connection and reads the head every POLL_S
 * seconds (one indexed query).  A checkpoint verifies first; one that does
 * not verify is refused, logged loudly with its problems, and tried again
 * only after the interval.
 */
#include "web/checkpointer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/checkpoint.h"
#include "core/db.h"
#include "core/verify.h"
#include "web/web.h"

#define POLL_S 2

struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, busy;
	char db_path[AT_PATH_MAX];
	char paths[3][AT_PATH_MAX];
	struct checkpoint_paths p;
	int64_t every;
	int interval;
};

static void log_refusal(const struct verify_report *r)
{
	fprintf(stderr, "assettrack: checkpoint refused: the log does not verify (%zu problem%s)\n",
	        r->nproblems + r->dropped, r->nproblems + r->dropped == 1 ? "" : "s");
	for (size_t i = 0; i < r->nproblems && i < 10; i++)
		fprintf(stderr, "assettrack:   %s: %s\n", r->problems[i].code, r->problems[i].message);
}

/* One checkpoint; returns the seq now checkpointed (or `last` if none). */
static int64_t write_one(struct checkpointer *k, struct store *st, int64_t last)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct checkpoint ck;
	int written = 0;

	memset(&r, 0, sizeof(r));
	if (checkpoint_write(st, &k->p, &ck, &written, &r, NULL, NULL, &e) != AT_OK)
		fprintf(stderr, "assettrack: checkpoint failed: %s\n", e.message);
	else if (!r.ok)
		log_refusal(&r);
	else if (written)
		fprintf(stderr, "assettrack: checkpoint %lld:%.16s... signed into %s\n",
		        (long long)ck.seq, ck.head, k->p.file);
	if (ck.seq > last)
		last = ck.seq;
	verify_report_free(&r);
	at_errors_free(&e);
	return last;
}

/* The newest checkpoint's seq in the file (0 if none or unreadable). */
static int64_t newest(const struct checkpoint_paths *p)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct checkpoint *cks = NULL;
	size_t n = 0;
	int64_t seq = 0;

	if (checkpoint_load(p, &cks, &n, NULL, &e) == AT_OK && n)
		seq = cks[n - 1].seq;
	free(cks);
	at_errors_free(&e);
	return seq;
}

static void *run(void *arg)
{
	struct checkpointer *k = arg;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;
	int64_t last = newest(&k->p);
	time_t since = time(NULL);

	if (db_open(k->db_path, 0, &st, &e) != AT_OK) {
		fprintf(stderr, "assettrack: checkpoints off: %s\n", e.message);
		at_errors_free(&e);
		return NULL;
	}
	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		struct timespec until;
		struct anchor head;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += POLL_S;
		pthread_cond_timedwait(&k->cv, &k->mu, &until);
		if (k->stop)
			break;
		at_errors_reset(&e);
		/* A connection the database server ended: another, as the
		 * workers do (web_thread_store); on failure, try at the next
		 * poll. */
		if (!st || !db_usable(st)) {
			db_close(st);
			st = NULL;
			if (db_open(k->db_path, 0, &st, &e) != AT_OK) {
				st = NULL;
				continue;
			}
		}
		if (verify_head(st, &head, &e) != AT_OK || head.seq <= last)
			continue;
		if (head.seq - last < k->every && time(NULL) - since < k->interval)
			continue;
		k->busy = 1;
		pthread_mutex_unlock(&k->mu);
		/* Not while a restore swaps the database and sets the old log's
		 * checkpoints aside (web/hold.c). */
		web_hold_shared();
		last = write_one(k, st, last);
		web_hold_release();
		since = time(NULL);
		pthread_mutex_lock(&k->mu);
		k->busy = 0;
	}
	pthread_mutex_unlock(&k->mu);
	db_close(st);
	at_errors_free(&e);
	return NULL;
}

struct checkpointer *checkpointer_start(const char *db_path, const char *file, const char *key,
                                        int64_t every, int interval)
{
	struct checkpointer *k;

	if (every <= 0)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	snprintf(k->db_path, sizeof(k->db_path), "%s", db_path);
	k->p.file = file;
	k->p.key = key;
	checkpoint_paths_default(&k->p, k->db_path, k->paths);
	k->every = every;
	k->interval = interval > 0 ? interval : 3600;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pthread_create(&k->thread, NULL, run, k) != 0) {
		fprintf(stderr, "assettrack: checkpoints off: cannot start a thread: %s\n",
		        strerror(errno));
		free(k);
		return NULL;
	}
	return k;
}

void checkpointer_stop(struct checkpointer *k)
{
	int busy;

	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	busy = k->busy;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	/* A checkpoint verifying a long log is not waited for: it writes its
	 * state under a temporary name and its line in one append, so an
	 * abandoned one leaves nothing half-written. */
	if (busy) {
		fprintf(stderr, "assettrack: a checkpoint in progress was abandoned\n");
		pthread_detach(k->thread);
		return;
	}
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k);
}
