/*
 * import_watch.c — finish an import a crash left half applied
 * (web/import_watch.h).  One indexed read of the open job every POLL_S
 * seconds on the thread's own connection.
 */
#include "web/import_watch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db.h"
#include "web/offload.h"
#include "web/web.h"

#define POLL_S 5

struct import_watch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char db_path[4096];                  /* as web/jobs.h keeps it */
};

/* One look: finish a stale job, if there is one; not while a restore
 * swaps the database (web/hold.c). */
static void look(struct store *st)
{
	web_hold_shared();
	db_finish_import(st);
	web_hold_release();
}

static void *run(void *arg)
{
	struct import_watch *w = arg;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;

	web_thread_background();
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec until;

		if (!st || !db_usable(st)) {
			db_close(st);
			st = NULL;
			at_errors_reset(&e);
			if (db_open(w->db_path, 0, &st, &e) != AT_OK)
				st = NULL;
		}
		if (st) {
			pthread_mutex_unlock(&w->mu);
			look(st);
			pthread_mutex_lock(&w->mu);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += POLL_S;
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	db_close(st);
	at_errors_free(&e);
	return NULL;
}

struct import_watch *import_watch_start(const char *db_path)
{
	struct import_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	snprintf(w->db_path, sizeof(w->db_path), "%s", db_path);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		fprintf(stderr, "assettrack: cannot start the import watch\n");
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return NULL;
	}
	return w;
}

void import_watch_stop(struct import_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
