/*
 * asset.h — assets: scanner lookup, create, update, retire.
 *
 * Every mutating function here is one transaction (BEGIN IMMEDIATE):
 * it validates every input, re-checks every precondition under the write
 * lock, changes the rows and writes the events, and commits — or changes
 * nothing and returns the refusal with its reasons in `e` (non-NULL).
 * `actor` is recorded on every event ("alice", "cli:root").
 */
#ifndef AT_CORE_ASSET_H
#define AT_CORE_ASSET_H

#include "core/attr.h"
#include "core/types.h"

/*
 * Resolve scanner or typed input to an asset (SPEC §4): clean the input,
 * try the exact tag, else the match key.  Never guesses further.  On
 * refusal `why` (AT_MSG_MAX) explains: AT_INVALID (unprintable bytes),
 * AT_NOT_FOUND, AT_AMBIGUOUS.  `cleaned` (AT_INPUT_MAX, may be NULL) gets
 * the cleaned input for error reports.
 */
enum at_code asset_resolve(struct store *st, const char *input, struct asset *a,
                           char *cleaned, char *why);
/*
 * Before resolving a batch's inputs[0..n-1] one by one: read their assets
 * ahead in one statement where that saves round trips (PostgreSQL,
 * store_asset_prefetch); asset_resolve() then answers the same.  Inputs
 * that are no tag are left to asset_resolve() to refuse.  AT_OK or the
 * database's failure.
 */
enum at_code asset_prefetch(struct store *st, const char *const *inputs, size_t n);
/* The same, for showing the asset (SPEC's asset object: the scanner
 * lookup's answer): reads only what that shows, so custody_since and the
 * last slot (last_case_id, last_case_name, last_position) are left empty.
 * Not for an operation that goes on to change the asset. */
enum at_code asset_lookup(struct store *st, const char *input, struct asset *a, char *cleaned,
                          char *why);

/* Text fields of an asset as given by a person: NULL means "not given"
 * (on update: unchanged; "" on update clears an optional field). */
struct asset_input {
	const char *tag, *serial, *manufacturer, *equipment_type, *building, *room;
	const char *model, *model_code, *notes, *condition;
	const char *slot_case;        /* create only: optional slot */
	int slot_position;
	/* Attributes (core/attr.h) to set, or with an empty value to remove;
	 * on create, the asset's first set. */
	const struct attr_change *attrs;
	size_t nattrs;
};

/* Create an asset in STORAGE (ASSET_CREATED, + SLOT_ASSIGN if a slot is
 * given).  Refusals: AT_INVALID per field (items name the field),
 * AT_DUPLICATE (tag, match key, serial), slot errors.  `out` may be NULL. */
enum at_code asset_create(struct store *st, const char *actor, const struct asset_input *in,
                          struct asset *out, struct at_errors *e);

/* Update metadata, condition and attributes (ASSET_UPDATED with old and
 * new values; attributes as {"attributes": {NAME: {old, new}}}).
 * `in->tag` must be NULL or name the same asset: tags never change. */
enum at_code asset_update(struct store *st, const char *actor, const char *tag,
                          const struct asset_input *in, struct asset *out, struct at_errors *e);

/* Retire an asset in STORAGE, vacating its slot (ASSET_RETIRED). */
enum at_code asset_retire(struct store *st, const char *actor, const char *tag,
                          const char *reason, struct asset *out, struct at_errors *e);

/*
 * Replace a faulty device without breaking custody (ASSET_REPLACED on
 * both, one batch).  `old` is IN_CUSTODY or STORAGE slotted; `repl` is
 * STORAGE.  The replacement takes the old asset's holder (and due date) or
 * slot; the old asset takes the replacement's former slot or becomes
 * unslotted, in STORAGE with `condition` (NULL: FAULTY).
 */
enum at_code asset_replace(struct store *st, const char *actor, const char *old_tag,
                           const char *repl_tag, const char *reason, const char *condition,
                           struct asset *old_out, struct asset *repl_out, struct at_errors *e);

/* Label of an asset's slot "CASE/POS" or "" when unslotted. */
void asset_slot_label(const struct asset *a, char *out, size_t cap);

/* One sentence on where an asset is, for refusals:
 * "in custody of Dana Ruiz since 2026-03-02", "in slot PELI-07/12". */
void asset_whereabouts(const struct asset *a, char *out, size_t cap);

#endif
