/*
 * hold.c — holding every request off while the database is swapped
 * (web/web.h: web_hold_shared, web_exclusive).
 *
 * One process-wide read-write lock: every request (web_dispatch), every
 * background job that reads or writes the database (web/jobs.c) and the
 * checkpointer's writes hold it shared; a restore takes it exclusively,
 * so it runs when nothing else is in flight and nothing new starts until
 * it is done.  Writers are preferred: a steady stream of scans must not
 * keep a waiting restore out for ever.  Nothing takes it twice in one
 * thread (a preferred writer would deadlock such a reader).
 */
#include "web/web.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_rwlock_t hold;
static pthread_once_t hold_once = PTHREAD_ONCE_INIT;

static void hold_init(void)
{
	pthread_rwlockattr_t a;

	if (pthread_rwlockattr_init(&a) != 0 ||
	    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) != 0 ||
	    pthread_rwlock_init(&hold, &a) != 0) {
		fputs("assettrack: cannot make the request lock\n", stderr);
		abort();
	}
	pthread_rwlockattr_destroy(&a);
}

void web_hold_shared(void)
{
	pthread_once(&hold_once, hold_init);
	pthread_rwlock_rdlock(&hold);
}

void web_hold_release(void)
{
	pthread_rwlock_unlock(&hold);
}

void web_exclusive(void (*fn)(void *ctx), void *ctx)
{
	pthread_once(&hold_once, hold_init);
	/* The caller is a request, holding the shared side: let it go first
	 * (a read lock cannot be upgraded), and take it back after. */
	pthread_rwlock_unlock(&hold);
	pthread_rwlock_wrlock(&hold);
	fn(ctx);
	pthread_rwlock_unlock(&hold);
	pthread_rwlock_rdlock(&hold);
}
