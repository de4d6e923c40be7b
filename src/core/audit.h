/*
 * audit.h — physical audits (SPEC §5, §6): what was scanned in a case, or
 * shown by a holder, compared with what the database says; the comparison
 * recorded as one AUDIT_RECORDED event; and the corrections it suggests,
 * applied by an admin in one transaction.
 *
 * A case audit takes the scans in the order they were made.  A slot label
 * "CASE/POS" (or "CASE:POS") of the audited case sets the current slot for
 * the asset scans after it.  Every other scan resolves like every scan
 * (exact tag, else match key; SPEC §4) and is
 *   matched     the database has it in this case: in the current slot, or
 *               anywhere in the case when no slot label came before it
 *               (its slot then is not checked: scanned_pos 0);
 *   misplaced   the database has it in this case, in another slot than the
 *               current one;
 *   unexpected  the database has it elsewhere: in another case's slot, in
 *               storage in no slot, in custody, retired, or has no asset
 *               by that tag (unknown);
 *   duplicate   scanned before in this audit: only its first scan counts.
 * Assets the database has in this case that were not scanned are missing.
 * A scan that is none of these (a label of another case, a slot the case
 * does not have, unprintable text, an empty scan) is an error: listed, and
 * it clears the current slot, so the scans after it are never blamed on a
 * slot they may not be in.
 *
 * Without slot labels, scans are NOT taken to be in slot order (the n-th
 * scan in slot n).  One skipped or doubled scan would shift every later
 * one and turn a single gap into a cascade of false "misplaced" lines that
 * an admin might then "correct".  Every slot has a label (CASE/POS) that
 * costs one scan and makes the position evidence; without labels an audit
 * still proves what is in the case, and says so.
 *
 * A holder audit takes the tags of what a holder shows or hands back:
 * matched ("seen": in their custody), missing ("not seen": in their
 * custody, not scanned), unexpected ("not theirs": anything else, saying
 * where it is), duplicates and errors.  It suggests no corrections.
 *
 * Audits change nothing but the event log, and only when saved.
 */
#ifndef AT_CORE_AUDIT_H
#define AT_CORE_AUDIT_H

#include <jansson.h>

#include "core/custody.h"
#include "core/event.h"
#include "core/types.h"

/* A full 1,000-slot case scanned label + asset is 2,000 scans. */
#define AT_AUDIT_MAX_SCANS 2000

enum audit_kind {
	AUDIT_MATCHED,       /* holder audit: seen */
	AUDIT_MISSING,       /* holder audit: not seen */
	AUDIT_MISPLACED,     /* case audits only */
	AUDIT_UNEXPECTED,    /* holder audit: not theirs */
	AUDIT_DUPLICATE,
	AUDIT_ERROR,
	AUDIT_KIND__MAX
};
/* The list's JSON name: "matched", "missing", "misplaced", "unexpected",
 * "duplicates", "errors"; a holder audit's "not_seen" and "not_theirs". */
const char *audit_kind_name(enum audit_kind k, int holder_audit);

/* Where the database has an unexpected (not theirs) asset. */
enum audit_where {
	AW_ELSEWHERE,        /* in storage, in a slot of another case (holder
	                      * audit: in any slot) */
	AW_UNSLOTTED,        /* in storage, in no slot */
	AW_IN_CUSTODY,       /* with a holder (holder audit: another one) */
	AW_RETIRED,
	AW_UNKNOWN,          /* no asset has that tag */
	AW__MAX
};
/* "elsewhere", "unslotted", "in_custody", "retired", "unknown". */
const char *audit_where_name(enum audit_where w);

/* One line of an audit's answer. */
struct audit_line {
	enum audit_kind kind;
	int scan;                            /* 1-based index of the scan; 0: missing */
	char input[AT_INPUT_MAX];            /* the scan, cleaned ("" for missing) */
	char tag[AT_TAG_MAX + 1];            /* canonical tag; "" unknown, error */
	int scanned_pos;                     /* the current slot at the scan; 0: none */
	int db_pos;                          /* the slot of the audited case the
	                                      * database has it in; 0: none */
	enum audit_where where;              /* unexpected only */
	char where_case[AT_NAME_MAX + 1];    /* AW_ELSEWHERE: its slot */
	int where_pos;
	int64_t holder_id;                   /* AW_IN_CUSTODY: with whom */
	char holder_name[AT_PERSON_MAX + 1];
	int first_scan;                      /* duplicate: the scan it repeats */
	enum at_code code;                   /* error: its code and why */
	char message[AT_MSG_MAX];
};

/* One sentence on an unexpected line, for people: "in storage in slot
 * PELI-08/2", "in custody of Dana Ruiz (#3)", "no asset has this tag". */
void audit_where_text(const struct audit_line *l, char *out, size_t cap);

/* A suggested correction (case audits). */
enum audit_fix_kind {
	AUDIT_FIX_MOVE,      /* SLOT_MOVE from its slot into the scanned one */
	AUDIT_FIX_ASSIGN,    /* SLOT_ASSIGN of an unslotted asset into it */
	AUDIT_FIX_VACATE,    /* FORCE_VACATE of a missing asset's slot */
	AUDIT_FIX__MAX
};
/* "move", "assign", "vacate". */
const char *audit_fix_name(enum audit_fix_kind k);

struct audit_fix {
	int id;                              /* 1, 2, ... within its audit */
	enum audit_fix_kind kind;
	char tag[AT_TAG_MAX + 1];
	char from_case[AT_NAME_MAX + 1];     /* move, vacate: its slot now; "" assign */
	int from_pos;
	int to_pos;                          /* move, assign: slot of the audited case */
};

/* An audit's answer.  Lines are kept by kind in scan order, missing ones
 * in slot order; fixes in the order they are suggested. */
struct audit_result {
	int holder_audit;
	struct case_info c;                  /* case audits */
	struct holder h;                     /* holder audits */
	size_t nscans;
	int last_slot;                       /* case audits: the current slot after
	                                      * the last scan, 0: none */
	struct audit_line *lines;
	size_t nlines;
	size_t count[AUDIT_KIND__MAX];
	struct audit_fix *fixes;
	size_t nfixes;
	/* Saved: the AUDIT_RECORDED event (seq 0: not saved). */
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	char actor[AT_PERSON_MAX + 1];
	char batch_id[AT_BATCH_ID_LEN + 1];
};
void audit_result_free(struct audit_result *r);

/*
 * Audit case `case_name` with `scans` (n <= AT_AUDIT_MAX_SCANS; 0 is an
 * audit of a case found empty).  Without `save` it only reads: call it
 * inside a read snapshot (db_read_begin) for an answer from one instant.
 * With `save` it is one write transaction (call it outside any): the
 * comparison is made under the write lock and recorded as one
 * AUDIT_RECORDED event whose details are audit_to_json's answer; nothing
 * else changes.  Refusals: AT_NOT_FOUND (no such case), AT_INVALID (bad
 * case name), AT_TOO_LARGE.  Missing or unexpected assets are findings,
 * not refusals.  `res` is filled on AT_OK; release with audit_result_free.
 */
enum at_code audit_run(struct store *st, const char *actor, const char *case_name,
                       const char *const *scans, size_t n, int save,
                       struct audit_result *res, struct at_errors *e);

/* Audit holder `holder` (id, badge, or from the CLI either; as for
 * Stock-Out) with the tags scanned.  Inactive holders may be audited.
 * Transactions, saving and refusals as audit_run. */
enum at_code audit_holder(struct store *st, const char *actor, struct holder_ref holder,
                          const char *const *scans, size_t n, int save,
                          struct audit_result *res, struct at_errors *e);

/*
 * The answer as JSON (SPEC §6): {"case": NAME, "slot_count"} or
 * {"holder": {"id", "name"}}, then "scans", "counts" {list: n}, one array
 * per list (audit_kind_name), "corrections" (case audits) and "saved":
 * {"seq", "at", "actor", "batch_id"} or null.  The saved details are this
 * without "saved".  New reference, NULL out of memory.
 */
json_t *audit_to_json(const struct audit_result *r);

/* A saved audit read back from its AUDIT_RECORDED event `seq`:
 * AT_NOT_FOUND if there is no such event or it is not an audit. */
enum at_code audit_get(struct store *st, int64_t seq, struct audit_result *res,
                       struct at_errors *e);

/* What audit_apply did. */
struct audit_applied {
	char batch_id[AT_BATCH_ID_LEN + 1];
	struct anchor head;                  /* the chain's head after it */
	size_t napplied;                     /* corrections applied */
	size_t nevents;                      /* events written (a swap of two
	                                      * slots passes through a free one) */
};

/*
 * Apply the corrections `ids` (n of them, each once) of the saved case
 * audit `seq` in ONE transaction, all or nothing, each written as its
 * normal correction event (SLOT_MOVE, SLOT_ASSIGN, FORCE_VACATE with the
 * reason "missing at audit YYYY-MM-DD"), every one with {"audit_seq": seq}
 * in its details.  Vacates go first, then each move or assign once its
 * destination is free; slots that trade places pass one asset through a
 * free slot of the case.  Each asset must still be where the audit saw
 * it (AT_CONFLICT otherwise) and each destination free by its turn
 * (AT_SLOT_OCCUPIED); every failing correction is an item.  Admins only:
 * the front ends check the role.
 */
enum at_code audit_apply(struct store *st, const char *actor, int64_t seq, const int *ids,
                         size_t n, struct audit_applied *out, struct at_errors *e);

/* A case and its last audit. */
struct audit_summary {
	char case_name[AT_NAME_MAX + 1];
	int slot_count;
	int64_t seq;                         /* 0: never audited (the rest empty) */
	char at[AT_TIME_LEN + 1];
	char actor[AT_PERSON_MAX + 1];
	int64_t count[AUDIT_KIND__MAX];
};
typedef int (*audit_summary_cb)(void *ctx, const struct audit_summary *s);

/*
 * Cases by name after `after` (NULL: from the first), at most `limit`
 * (0: all), each with its last audit; `stale_days` >= 0 keeps only those
 * never audited or last audited more than that many days ago.  Read from
 * the AUDIT_RECORDED events in one pass (see store_audit_cases on cost).
 */
enum at_code audit_cases(struct store *st, const char *after, int stale_days, int limit,
                         audit_summary_cb cb, void *ctx, struct at_errors *e);

/* The last audit of case `case_name`: AT_OK with `out` filled (seq 0
 * when it was never audited), or a read failure. */
enum at_code audit_last(struct store *st, const char *case_name, struct audit_summary *out,
                        struct at_errors *e);

/* {"case", "slot_count", "last_audit": {"seq", "at", "actor", "counts"}
 * or null}.  New reference, NULL out of memory. */
json_t *audit_summary_to_json(const struct audit_summary *s);

#endif
