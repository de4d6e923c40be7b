/*
 * checkpointer.h — the server's background thread that writes signed
 * checkpoints (core/checkpoint.h) every `every` events, or every
 * `interval` seconds when the log has grown.
 */
#ifndef AT_WEB_CHECKPOINTER_H
#define AT_WEB_CHECKPOINTER_H

#include <stdint.h>

struct checkpointer;

/* Start it (NULL paths: beside the database).  NULL if `every` <= 0
 * (checkpoints off) or the thread cannot start (said on stderr). */
struct checkpointer *checkpointer_start(const char *db_path, const char *file, const char *key,
                                        int64_t every, int interval);
/* Stop it; a checkpoint in progress is abandoned, never half-written. */
void checkpointer_stop(struct checkpointer *k);

#endif
