/*
 * walckpt.h — the server's WAL checkpointer: a background thread copies
 * the write-ahead log back into the database, so that no client's commit
 * does it.
 *
 * Left to itself SQLite checkpoints inside the commit that leaves 1,000
 * frames in the WAL: that commit's client waits for the copy and an fsync
 * of the database (about 28 ms in a 500-asset Stock-Out at 100,000
 * assets), and with batches of 50 it was always a Stock-In that paid
 * (issue #9).  While the checkpointer runs, every connection the server
 * opens has automatic checkpoints off and tells it, after each commit, how
 * many frames the WAL holds (core/db.h, db_wal_manual).  It then:
 *   - copies the WAL into the database (PASSIVE: waits for nobody) once a
 *     commit leaves `frames` frames or more in it, so the next writer
 *     starts the WAL over from its beginning;
 *   - empties the WAL file (TRUNCATE) once no commit has come for
 *     `idle_ms`, or a little later if a reader is in the way: it never
 *     waits, so it never holds a writer off;
 *   - empties it too when stopped.
 * Writers that come back to back leave the thread no moment between two
 * commits to finish a copy in, and the log only starts over at a commit
 * that finds it all copied: so the commit that leaves WALCKPT_LIMIT
 * thresholds of frames in the WAL (32 MiB by default) waits for the
 * copy, and the next one starts the log over.  Below that, nobody waits.
 * The CLI keeps SQLite's automatic checkpoints.
 */
#ifndef AT_WEB_WALCKPT_H
#define AT_WEB_WALCKPT_H

/* Defaults: SQLite's own threshold, and a second without commits.  The
 * limit, in thresholds: see below. */
#define WALCKPT_FRAMES 1000
#define WALCKPT_IDLE_MS 1000
#define WALCKPT_LIMIT 8

struct walckpt;

/* What the thread has done, for tests and logs. */
struct walckpt_stats {
	long commits;          /* commits it was told of */
	long passive;          /* PASSIVE checkpoints run */
	long truncated;        /* TRUNCATE checkpoints that emptied the WAL */
	long busy;             /* TRUNCATE checkpoints a reader or writer put off */
	long failed;           /* checkpoints that failed otherwise (said on stderr) */
	long waited;           /* commits that waited for a copy at the limit */
	long moved;            /* frames copied into the database, in all */
	long covered;          /* commits the last successful checkpoint covered */
	int wal_frames;        /* frames in the WAL at the last commit or checkpoint */
};

/*
 * Start the thread (its own connection to `db_path`) and turn automatic
 * checkpoints off for the connections opened after this call, in the whole
 * process: call it before the workers open theirs.  `frames` and `idle_ms`
 * <= 0 take the defaults.  NULL if the thread cannot start (said on
 * stderr); automatic checkpoints then stay on.
 */
struct walckpt *walckpt_start(const char *db_path, int frames, int idle_ms);
/* Stop the thread after a last checkpoint that empties the WAL (if no
 * other connection is reading), and turn automatic checkpoints back on
 * for connections opened after this.  NULL is a no-op. */
void walckpt_stop(struct walckpt *k);
void walckpt_stats(struct walckpt *k, struct walckpt_stats *out);

#endif
