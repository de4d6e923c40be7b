/*
 * import_watch.h — the server's background thread that finishes an import
 * a crash left half applied (core/import.h: import_recover).
 *
 * A committed import is applied in slices under a job; while the job is
 * open, other writers may record only Stock-Out, Stock-In, force-vacate
 * and audits.  If the process applying it dies, its heartbeat stops, and
 * after IMPORT_STALE_S seconds this thread (in any server on the
 * database) rolls it forward from the file the job kept.
 */
#ifndef AT_WEB_IMPORT_WATCH_H
#define AT_WEB_IMPORT_WATCH_H

struct import_watch;

/* Start it; NULL if the thread cannot start (said on stderr). */
struct import_watch *import_watch_start(const char *db_path);
/* Stop it (a roll forward in progress finishes its slice first). */
void import_watch_stop(struct import_watch *w);

#endif
