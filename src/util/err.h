/*
 * err.h — the one error vocabulary of AssetTrack.
 *
 * Every function that can refuse or fail returns an `enum at_code`.  A
 * refusal the user caused (bad input, wrong state, conflict) is a result;
 * AT_STORAGE and AT_INTERNAL mean the database or the program is broken.
 * One table maps each code to its stable API name, its HTTP status and its
 * CLI exit code (SPEC §6, §7), so front ends never invent their own mapping.
 *
 * Batch operations report every failing input: `struct at_errors` collects
 * {input, code, message} items, plus one top-level code and message.
 */
#ifndef AT_UTIL_ERR_H
#define AT_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum at_code {
	AT_OK = 0,
	AT_INVALID,           /* a field value is not acceptable (422) */
	AT_MALFORMED,         /* request cannot be parsed (400) */
	AT_NOT_FOUND,         /* asset, case, slot, holder... unknown (404) */
	AT_SLOT_NOT_FOUND,    /* case exists but has no such position (404) */
	AT_CONFLICT,          /* generic conflict with current state (409) */
	AT_DUPLICATE,         /* uniqueness: tag, match key, serial, name (409) */
	AT_SLOT_OCCUPIED,     /* destination slot holds another asset (409) */
	AT_SLOT_EMPTY,        /* slot holds nothing to act on (409) */
	AT_NOT_IN_STORAGE,    /* operation needs STORAGE (409) */
	AT_NOT_IN_CUSTODY,    /* operation needs IN_CUSTODY (409) */
	AT_NOT_SLOTTED,       /* operation needs a slotted asset (409) */
	AT_ALREADY_SLOTTED,   /* operation needs an unslotted asset (409) */
	AT_RETIRED,           /* asset is retired (409) */
	AT_HOLDER_INACTIVE,   /* holder deactivated (409) */
	AT_DUPLICATE_IN_BATCH,/* the same input twice in one batch (422) */
	AT_AMBIGUOUS,         /* an input names more than one thing (409) */
	AT_TOO_LARGE,         /* body or batch over its limit (413) */
	AT_UNAUTHORIZED,      /* no or bad credentials (401) */
	AT_FORBIDDEN,         /* role may not do this (403) */
	AT_USAGE,             /* command line misuse (exit 2) */
	AT_BUSY,              /* database locked past the busy timeout (503) */
	AT_STORAGE,           /* database error (500, exit 3) */
	AT_INTERNAL,          /* program error (500, exit 3) */
	AT_CODE__MAX
};

/* Stable upper-case name used in API errors ("SLOT_OCCUPIED"). */
const char *at_code_name(enum at_code c);
/* HTTP status for a code (SPEC §7). */
int at_code_http(enum at_code c);
/* CLI exit code (SPEC §6): 0 done, 1 refused, 2 usage, 3 storage/internal. */
int at_code_exit(enum at_code c);

#define AT_MSG_MAX 512
#define AT_INPUT_MAX 160

struct at_item_error {
	char input[AT_INPUT_MAX];  /* what the user gave, cleaned, or "" */
	enum at_code code;
	char message[AT_MSG_MAX];
};

/*
 * Error report of one operation.  `code`/`message` is the top-level
 * outcome; `items` lists per-input failures of a batch (possibly none).
 * Initialise with AT_ERRORS_INIT or at_errors_init(); release with
 * at_errors_free().  Core operations require a non-NULL report: they
 * decide success from it, so callers that do not care pass a local one.
 */
struct at_errors {
	enum at_code code;
	char message[AT_MSG_MAX];
	struct at_item_error *items;
	size_t nitems, cap;
};

#define AT_ERRORS_INIT { AT_OK, "", NULL, 0, 0 }

void at_errors_init(struct at_errors *e);
void at_errors_free(struct at_errors *e);
/* Forget everything reported so far (keeps the allocation). */
void at_errors_reset(struct at_errors *e);

/* Set the top-level code and message; returns `code` for tail calls. */
enum at_code at_fail(struct at_errors *e, enum at_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append one per-item failure.  Returns `code`.  Out of memory degrades to
 * dropping the item, never to a crash; the top-level code still says no. */
enum at_code at_item(struct at_errors *e, const char *input, enum at_code code,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* After collecting items: set the top-level outcome from them (the first
 * item's code, "N of M items refused") and return it, or AT_OK if none. */
enum at_code at_items_done(struct at_errors *e, size_t total);

#endif
