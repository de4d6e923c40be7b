/*
 * checkpoint.h — signed checkpoints of the event log, kept outside the
 * database file.
 *
 * A checkpoint says "the log up to SEQ, whose head is HASH, was verified,
 * and the state it replays to has digest STATE", signed with an Ed25519
 * key the database's writer need not be able to read.  Checkpoints are
 * lines appended to a file (one per checkpoint, each also naming the hash
 * of the line before it, so a line cut from the middle shows):
 *
 *   assettrack-checkpoint v1 seq=N head=HEX state=HEX at=TIME key=ID prev=HEX sig=HEX
 *
 * The signature covers the line's bytes before " sig=".  Beside the file,
 * FILE.state holds the replayed state at the newest checkpoint (a SQLite
 * file); `verify --since-checkpoint` loads it, checks its digest against
 * the signed line, and replays only the events after it.  The exact
 * layouts are in docs/checkpoints.md.
 *
 * Keys: KEY holds the 32-byte Ed25519 seed in hex (mode 0600, created on
 * first use); KEY.pub the public key in hex, which is all verify needs.
 */
#ifndef AT_CORE_CHECKPOINT_H
#define AT_CORE_CHECKPOINT_H

#include "core/types.h"
#include "core/verify.h"

#define AT_CKPT_KEYID_HEX 16

/* Where checkpoints live.  Any may be NULL: checkpoint_paths_default()
 * fills the missing ones from the database path. */
struct checkpoint_paths {
	const char *file;            /* the append-only file of lines */
	const char *key;             /* secret key (checkpoint writing) */
	const char *pub;             /* public key (verify) */
};

/* Defaults: DB.checkpoints, DB.checkpoint-key and KEY.pub.  The strings
 * are written into `store` (3 × AT_PATH_MAX). */
#define AT_PATH_MAX 4096
void checkpoint_paths_default(struct checkpoint_paths *p, const char *db_path,
                              char store[3][AT_PATH_MAX]);

struct checkpoint {
	int64_t seq;
	char head[AT_HASH_HEX + 1];
	char state[AT_HASH_HEX + 1];
	char at[AT_TIME_LEN + 1];
	char key[AT_CKPT_KEYID_HEX + 1];
	char prev[AT_HASH_HEX + 1];
	char line_hash[AT_HASH_HEX + 1]; /* SHA-256 of this line, the next one's prev */
	int line;                        /* 1-based line number in the file */
};

/* Read the file, check each line's form, signature (against the public
 * key at p->pub) and link to the line before, and return the good lines
 * in file order (caller frees).  Each bad line is a problem in `r`
 * (CHECKPOINT_MALFORMED, CHECKPOINT_BAD_SIGNATURE, CHECKPOINT_OTHER_KEY,
 * CHECKPOINT_LINE_REMOVED, CHECKPOINT_ORDER).  AT_NOT_FOUND (and `e`) if
 * the file or the public key cannot be read. */
enum at_code checkpoint_load(const struct checkpoint_paths *p, struct checkpoint **out,
                             size_t *n, struct verify_report *r, struct at_errors *e);

/* SHA-256 (hex) of the state in `st`: store_state_rows() hashed. */
enum at_code checkpoint_state_digest(struct store *st, char out[AT_HASH_HEX + 1],
                                     struct at_errors *e);

/*
 * Verify (from the newest checkpoint when there is one; the whole log
 * otherwise) and, if everything holds and the log grew since the last
 * checkpoint, save the state and append a signed line.  The key is
 * created on first use.  AT_OK with r->ok == 0: refused, problems in `r`
 * (nothing written); `*written` says whether a line was appended; `out`
 * is the newest checkpoint either way (seq 0 if none).  AT_CONFLICT if
 * the checkpoint file itself has problems (run verify).
 */
enum at_code checkpoint_write(struct store *st, const struct checkpoint_paths *p,
                              struct checkpoint *out, int *written, struct verify_report *r,
                              verify_progress_cb progress, void *pctx, struct at_errors *e);

#endif
