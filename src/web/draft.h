/*
 * draft.h — the batch a Stock-Out or Stock-In page is previewing, kept on
 * the server, in memory, per browser session.
 *
 * A draft is what the operator has scanned so far and not yet committed:
 * the holder and due date (Stock-Out) and the scanned lines (Stock-In:
 * each with the destination typed for it).  Nothing here is validated:
 * the page re-checks every line against the database on every render,
 * and core re-checks everything again at commit.  Drafts are not
 * persisted; a restart forgets them, which loses scans, never custody.
 *
 * The table is keyed by the session's CSRF token (64 hex characters,
 * unique per session), holds one draft per kind per session, at most
 * DRAFT_SESSIONS sessions (the least recently used is forgotten first),
 * and at most AT_MAX_BATCH lines per draft.  One mutex guards it; every
 * call copies in or out, so no caller ever holds a pointer into it.
 */
#ifndef AT_WEB_DRAFT_H
#define AT_WEB_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "core/custody.h"
#include "util/err.h"
#include "util/text.h"

#define DRAFT_SESSIONS 1024
#define DRAFT_KEY_MAX 80

enum draft_kind { DRAFT_STOCK_OUT, DRAFT_STOCK_IN, DRAFT_AUDIT, DRAFT_KIND__MAX };
/* DRAFT_AUDIT (web/page_audit.c): the physical audit's scans, in order;
 * `holder` names the audited case, or `holder_id` the audited holder. */

/*
 * Text fields keep what was typed with its ends trimmed, cut to their
 * size.  Each is one byte longer than the longest valid value, so a cut
 * value is still too long and is refused rather than silently shortened
 * into something valid.
 */
struct draft_line {
	unsigned id;                      /* unique in its draft, never reused */
	char scan[AT_INPUT_MAX];          /* the scanned text */
	char case_name[AT_NAME_MAX + 2];  /* Stock-In destination, as typed */
	char slot[12];
};

struct draft {
	char holder[AT_PERSON_MAX + 2];   /* Stock-Out: badge, name or id typed */
	int64_t holder_id;                /* picked from the list (0: none);
	                                   * then `holder` is that name */
	char due[12];
	struct draft_line *lines;         /* in scan order */
	size_t n, alloc;
	unsigned next_id;
};

/* An empty draft. */
void draft_init(struct draft *d);
/* Release the lines; the draft is left empty. */
void draft_free(struct draft *d);
/* Nothing in it: no holder, no due date, no line. */
int draft_empty(const struct draft *d);

/* Copy `src` into a draft text field of `cap` bytes: ASCII whitespace and
 * control characters trimmed off both ends (what a scanner adds), cut to
 * cap - 1 bytes. */
void draft_set_text(char *dst, size_t cap, const char *src);

/* Append a line (texts trimmed as draft_set_text).  Returns its id, or 0
 * when the draft already holds AT_MAX_BATCH lines or memory ran out. */
unsigned draft_add(struct draft *d, const char *scan, const char *case_name, const char *slot);
/* The line with `id`, or NULL. */
struct draft_line *draft_find(struct draft *d, unsigned id);
/* Remove the line with `id`; 0, or -1 if there is none. */
int draft_remove(struct draft *d, unsigned id);

/* A change to a stored draft, made under the table's lock: it must not
 * block (no database, no I/O). */
typedef void (*draft_edit_fn)(struct draft *d, void *ctx);

/*
 * Copy session `key`'s draft of kind `k` into `out` (initialised here;
 * release with draft_free), empty if it has none.  Counts as a use for
 * the LRU order.  Returns 0, or -1 when `key` is not a session key or
 * memory ran out (then `out` is empty).
 */
int draft_load(const char *key, enum draft_kind k, struct draft *out);

/*
 * Apply `fn` to session `key`'s draft of kind `k` (an empty one if it has
 * none; a new session may evict the least recently used one), then copy
 * the result into `out` when it is not NULL.  A draft left empty is
 * dropped.  Returns 0, or -1 as draft_load (then nothing changed).
 */
int draft_edit(const char *key, enum draft_kind k, draft_edit_fn fn, void *ctx,
               struct draft *out);

/* The line a "Remove" button names: its value is "remove:<id>".  The
 * id, else 0. */
unsigned draft_remove_id(const char *action);

/* Sessions holding a draft now (for tests). */
size_t draft_sessions(void);

#endif
