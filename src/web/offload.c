/*
 * offload.c — slow requests run on threads of their own.
 *
 * libmicrohttpd's thread pool gives each connection to one worker thread
 * for its lifetime, and a worker serves its connections one callback at a
 * time.  A request that takes seconds (verifying the log, a full report,
 * an import) would freeze every other connection of that worker: an
 * operator's scan waited 20 s behind a `GET /api/v1/verify` in
 * bench/mixed.sh.  So routes marked ROUTE_SLOW are not run in the
 * callback: the connection is suspended, the request is queued here, one
 * of a few offload threads runs web_dispatch() on it (with its own
 * database connection, web_thread_store()), and the connection is resumed.
 * The answer cannot be queued from this thread (libmicrohttpd allows
 * MHD_queue_response() only inside its access callback), so it is kept
 * in the request and queued by the callback MHD makes on resuming
 * (web_offload_answer(); libmicrohttpd's "asyncresponses" pattern).
 */
#include "web/offload.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_OFFLOAD_THREADS 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static struct request *head, *tail;  /* FIFO of requests to run */
static pthread_t threads[MAX_OFFLOAD_THREADS];
static int nthreads, stopping;

void web_thread_background(void)
{
	/* Linux: a thread is a task of its own, with its own nice value. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WEB_BACKGROUND_NICE);
}

static void *offload_main(void *arg)
{
	(void)arg;
	web_thread_background();
	for (;;) {
		struct request *rq;

		pthread_mutex_lock(&mu);
		while (!head && !stopping)
			pthread_cond_wait(&more, &mu);
		if (!head) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		rq = head;
		head = rq->offload_next;
		if (!head)
			tail = NULL;
		pthread_mutex_unlock(&mu);

		rq->offload_next = NULL;
		rq->deferred = 1;
		web_dispatch(rq);
		/* A handler that queued nothing (out of memory) still ends the
		 * request: MHD then closes the connection. */
		rq->offload_done = 1;
		MHD_resume_connection(rq->conn);
	}
}

int web_offload_start(int n)
{
	if (n > MAX_OFFLOAD_THREADS)
		n = MAX_OFFLOAD_THREADS;
	stopping = 0;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, offload_main, NULL) != 0)
			break;
	return nthreads > 0 ? 0 : -1;
}

void web_offload_stop(void)
{
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&more);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

int web_offload(struct request *rq)
{
	if (!nthreads)
		return -1;
	/* Suspend before anyone can resume: the thread that takes the
	 * request may finish before this callback returns. */
	MHD_suspend_connection(rq->conn);
	pthread_mutex_lock(&mu);
	rq->offload_next = NULL;
	if (tail)
		tail->offload_next = rq;
	else
		head = rq;
	tail = rq;
	pthread_cond_signal(&more);
	pthread_mutex_unlock(&mu);
	return 0;
}

void web_queue(struct request *rq, int status, struct MHD_Response *r)
{
	if (rq->deferred) {
		rq->kept_status = status;
		rq->kept_answer = r;
		return;
	}
	MHD_queue_response(rq->conn, (unsigned)status, r);
	MHD_destroy_response(r);
}

int web_offload_answer(struct request *rq)
{
	struct MHD_Response *r = rq->kept_answer;

	if (!rq->offload_done)
		return 0;
	rq->offload_done = 0;
	rq->deferred = 0;
	rq->kept_answer = NULL;
	if (!r)
		return -1;
	MHD_queue_response(rq->conn, (unsigned)rq->kept_status, r);
	MHD_destroy_response(r);
	return 1;
}
