/*
 * jobs.c — uploaded files kept between requests, and their background
 * work (web/jobs.h).  One mutex guards the table and every job's
 * bookkeeping; the work itself runs outside it.
 */
#include "web/jobs.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/backup.h"
#include "web/offload.h"
#include "web/upload.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweeper_cv = PTHREAD_COND_INITIALIZER;
static struct job *jobs[JOBS_MAX];
static int nrunning, sweeper_on, sweeper_stop;
static pthread_t sweeper;
static char g_db_path[4096];

static void sweep(time_t now);

/* Forget idle jobs (and remove their files) once a minute, not only when
 * someone next uploads or looks. */
static void *sweep_loop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!sweeper_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 60;
		pthread_cond_timedwait(&sweeper_cv, &mu, &until);
		if (!sweeper_stop)
			sweep(time(NULL));
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void jobs_init(const char *db_path)
{
	snprintf(g_db_path, sizeof(g_db_path), "%s", db_path);
	sweeper_stop = 0;
	sweeper_on = pthread_create(&sweeper, NULL, sweep_loop, NULL) == 0;
}

void job_token(char *out)
{
	unsigned char raw[JOB_TOKEN_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, JOB_TOKEN_LEN + 1, raw, sizeof(raw));
}

void job_file(char *out, size_t cap, const char *what, const char *token, const char *sfx)
{
	snprintf(out, cap, "%s/%s-%s%s", web_upload_dir(), what, token, sfx);
}

/* ==== lifetime ========================================================= */

static void job_free(struct job *j)
{
	backup_remove_file(j->path);
	if (j->free_data)
		j->free_data(j->data);
	free(j);
}

/* Drop the table's hold on slot i (under mu); free if nobody else has it. */
static void forget(int i)
{
	struct job *j = jobs[i];

	jobs[i] = NULL;
	j->ended = 1;
	if (j->refs == 0)
		job_free(j);
}

/* Forget jobs idle too long (under mu). */
static void sweep(time_t now)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i] && !jobs[i]->running && now - jobs[i]->touched > JOB_IDLE_S)
			forget(i);
}

struct job *job_new(enum job_kind kind, int64_t user_id, const char *token, const char *path,
                    const char *name, uint64_t size)
{
	struct job *j = calloc(1, sizeof(*j));
	int slot = -1, mine = 0;

	pthread_mutex_lock(&mu);
	sweep(time(NULL));
	for (int i = 0; i < JOBS_MAX; i++) {
		if (!jobs[i] && slot < 0)
			slot = i;
		else if (jobs[i] && jobs[i]->user_id == user_id)
			mine++;
	}
	if (!j || slot < 0 || mine >= JOBS_PER_USER) {
		pthread_mutex_unlock(&mu);
		backup_remove_file(path);
		free(j);
		return NULL;
	}
	snprintf(j->token, sizeof(j->token), "%s", token);
	j->user_id = user_id;
	j->kind = kind;
	snprintf(j->path, sizeof(j->path), "%s", path);
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->size = size;
	snprintf(j->db_path, sizeof(j->db_path), "%s", g_db_path);
	j->touched = time(NULL);
	j->refs = 1;
	jobs[slot] = j;
	pthread_mutex_unlock(&mu);
	return j;
}

struct job *job_get(const char *token, enum job_kind kind, int64_t user_id)
{
	struct job *found = NULL;
	time_t now = time(NULL);

	if (!token || strlen(token) != JOB_TOKEN_LEN)
		return NULL;
	pthread_mutex_lock(&mu);
	sweep(now);
	for (int i = 0; i < JOBS_MAX && !found; i++) {
		struct job *j = jobs[i];
		/* A token is a secret: compared in constant time. */
		if (j && j->kind == kind && j->user_id == user_id &&
		    sodium_memcmp(j->token, token, JOB_TOKEN_LEN) == 0) {
			j->refs++;
			j->touched = now;
			found = j;
		}
	}
	pthread_mutex_unlock(&mu);
	return found;
}

void job_put(struct job *j)
{
	int free_it;

	if (!j)
		return;
	pthread_mutex_lock(&mu);
	free_it = --j->refs == 0 && j->ended;
	pthread_mutex_unlock(&mu);
	if (free_it)
		job_free(j);
}

void job_end(struct job *j)
{
	pthread_mutex_lock(&mu);
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i] == j)
			forget(i);
	pthread_mutex_unlock(&mu);
}

/* ==== background work ================================================== */

static void *run(void *arg)
{
	struct job *j = arg;

	web_thread_background();
	j->work(j);
	pthread_mutex_lock(&mu);
	j->running = 0;
	j->touched = time(NULL);
	nrunning--;
	pthread_mutex_unlock(&mu);
	job_put(j);
	return NULL;
}

int job_start(struct job *j, void (*work)(struct job *j))
{
	pthread_attr_t a;
	pthread_t t;
	int rc;

	pthread_mutex_lock(&mu);
	if (j->running || j->ended) {
		pthread_mutex_unlock(&mu);
		return -1;
	}
	j->running = 1;
	j->refs++;
	j->work = work;
	j->phase[0] = '\0';
	j->count = j->done = j->total = 0;
	nrunning++;
	pthread_mutex_unlock(&mu);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, run, j);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		pthread_mutex_lock(&mu);
		j->running = 0;
		j->refs--;
		nrunning--;
		pthread_mutex_unlock(&mu);
		return -1;
	}
	return 0;
}

int job_running(struct job *j)
{
	int r;

	pthread_mutex_lock(&mu);
	r = j->running;
	pthread_mutex_unlock(&mu);
	return r;
}

void job_status(struct job *j, char *phase, size_t cap, int64_t *count, int64_t *done,
                int64_t *total)
{
	pthread_mutex_lock(&mu);
	snprintf(phase, cap, "%s", j->phase);
	*count = j->count;
	*done = j->done;
	*total = j->total;
	pthread_mutex_unlock(&mu);
}

void job_progress(struct job *j, const char *phase, int64_t count, int64_t done, int64_t total)
{
	pthread_mutex_lock(&mu);
	snprintf(j->phase, sizeof(j->phase), "%s", phase);
	j->count = count;
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&mu);
}

void jobs_shutdown(void)
{
	/* Work in progress is a preview, a commit or a check: each is one
	 * transaction or none, so one cut short by the process's end leaves
	 * nothing half done.  Waiting a little lets the short ones finish. */
	for (int waited = 0; waited < 5000; waited += 20) {
		int busy;
		pthread_mutex_lock(&mu);
		busy = nrunning;
		pthread_mutex_unlock(&mu);
		if (!busy)
			break;
		usleep(20000);
	}
	pthread_mutex_lock(&mu);
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i] && !jobs[i]->running)
			forget(i);
	sweeper_stop = 1;
	pthread_cond_signal(&sweeper_cv);
	pthread_mutex_unlock(&mu);
	if (sweeper_on)
		pthread_join(sweeper, NULL);
	sweeper_on = 0;
}
