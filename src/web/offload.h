/*
 * offload.h — requests of ROUTE_SLOW routes run on offload threads, so a
 * long one never holds up the other connections of its MHD worker
 * (web/offload.c says how).
 */
#ifndef AT_WEB_OFFLOAD_H
#define AT_WEB_OFFLOAD_H

#include "web/web.h"

struct MHD_Response;

/*
 * The calling thread yields the CPU to the others: the offload threads
 * and the background jobs (an import, a restore, the import watch) run at
 * nice WEB_BACKGROUND_NICE, so that on a machine whose cores they keep
 * busy an operator's scan, served by an MHD worker, is not kept waiting
 * for a core (bench/README.md, "Latency under mixed load").  On Linux
 * setpriority(PRIO_PROCESS) takes a thread id; where it fails the thread
 * simply keeps its priority.
 */
#define WEB_BACKGROUND_NICE 10
void web_thread_background(void);

/* Start / stop `n` offload threads (stop: after the queue is empty). */
int web_offload_start(int n);
void web_offload_stop(void);

/* In the access callback, the body complete: suspend the connection and
 * queue the request.  -1 when there are no offload threads (run it
 * inline then). */
int web_offload(struct request *rq);

/* Queue answer `r` (taken) with `status`: at once in the access callback,
 * or, on an offload thread, kept for web_offload_answer(). */
void web_queue(struct request *rq, int status, struct MHD_Response *r);

/* In the access callback: a resumed request's kept answer queued (1), no
 * answer was made (-1: close the connection), or the request was not
 * offloaded (0). */
int web_offload_answer(struct request *rq);

#endif
