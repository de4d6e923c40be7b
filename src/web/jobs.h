/*
 * jobs.h — an uploaded file kept between the requests of one admin flow,
 * and the slow work done on it in the background while a page shows how
 * far it got.
 *
 * An import is previewed, perhaps previewed again with other options,
 * then committed, all from the one file uploaded; a restore is checked,
 * then confirmed.  So the file stays on the server under a random token
 * (32 hex digits), for the user who uploaded it only, in the uploads
 * directory (web/upload.h), and goes when its flow ends (job_end: commit,
 * restore, discard), after JOB_IDLE_S seconds untouched, or when the
 * server stops.  At most JOBS_MAX are kept at once, JOBS_PER_USER per
 * user: one more is refused until one ends.
 *
 * A preview of 100,000 rows takes seconds, and checking a large database
 * longer, so that work runs in a thread of its own (job_start); the page
 * that started it redirects to the job's page, which reloads itself every
 * second (a Refresh, no JavaScript needed) showing the progress until the
 * result is there.  Work on the database holds the request lock shared
 * (web/hold.c), like a request.
 *
 * Jobs are reference-counted: job_get() and job_start() take a reference,
 * job_put() drops one; an ended job is freed (and its file removed) when
 * the last reference goes.
 */
#ifndef AT_WEB_JOBS_H
#define AT_WEB_JOBS_H

#include <stdint.h>
#include <time.h>

#define JOBS_MAX 16
#define JOBS_PER_USER 4
#define JOB_IDLE_S (30 * 60)
#define JOB_TOKEN_LEN 32

enum job_kind { JOB_IMPORT, JOB_RESTORE };

struct job {
	char token[JOB_TOKEN_LEN + 1];
	int64_t user_id;
	enum job_kind kind;
	char path[4200];                 /* the file kept (removed with the job) */
	char name[256];                  /* as uploaded */
	uint64_t size;
	char db_path[4096];              /* the live database */
	/* Kind-specific state: what was asked and what came back.  Written
	 * by the work only while it runs, read by pages only when not. */
	void *data;
	void (*free_data)(void *data);
	/* Progress of the running work (job_progress / job_status). */
	char phase[64];
	int64_t count, done, total;      /* things handled; done of total (bytes) */
	/* Private to jobs.c. */
	int running, refs, ended;
	time_t touched;
	void (*work)(struct job *j);
};

/* Remember where the database is; call once before any job. */
void jobs_init(const char *db_path);

/*
 * A new job of `kind` for `user_id` under `token` (job_token), keeping
 * the file `path` (moved into the job: it is removed when the job goes)
 * that the user named `name`.
 * NULL when JOBS_MAX jobs (or JOBS_PER_USER of this user's) are kept, or
 * out of memory; the file is then removed.  The job comes with one
 * reference (job_put when done with it).
 */
struct job *job_new(enum job_kind kind, int64_t user_id, const char *token, const char *path,
                    const char *name, uint64_t size);
/* The job with `token` of `kind` belonging to `user_id`, with a
 * reference, its idle time reset; NULL if there is none (or it expired). */
struct job *job_get(const char *token, enum job_kind kind, int64_t user_id);
void job_put(struct job *j);

/* Run work(j) in a thread of its own.  -1 if it is running already or no
 * thread can be made. */
int job_start(struct job *j, void (*work)(struct job *j));
/* Is its work running?  Progress as the work last said. */
int job_running(struct job *j);
void job_status(struct job *j, char *phase, size_t cap, int64_t *count, int64_t *done,
                int64_t *total);
/* For the work: say how far it is: `count` things handled in `phase`, and
 * `done` of `total` units (total 0: unknown). */
void job_progress(struct job *j, const char *phase, int64_t count, int64_t done, int64_t total);

/* End the job: it is forgotten at once, and freed with its file when
 * the last reference goes (a running work keeps one). */
void job_end(struct job *j);

/* Stop: wait a little for running work, then forget every job. */
void jobs_shutdown(void);

/* A path in the uploads directory for a job's files: "<dir>/<what>-<token><sfx>". */
void job_file(char *out, size_t cap, const char *what, const char *token, const char *sfx);
/* A fresh random token (JOB_TOKEN_LEN + 1 bytes). */
void job_token(char *out);

#endif
