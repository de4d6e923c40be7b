/*
 * place.h — cases, their slots, and the admin corrections that put assets
 * into slots or take them out (SPEC §5).  One transaction each; refusals
 * in `e` (non-NULL).  Slot labels read "CASE/POS".
 */
#ifndef AT_CORE_PLACE_H
#define AT_CORE_PLACE_H

#include "core/types.h"

#define AT_MAX_SLOTS 1000

/* Create a case with slots 1..nslots (CASE_CREATED).  building, room,
 * notes may be NULL. */
enum at_code case_create(struct store *st, const char *actor, const char *name, int64_t nslots,
                         const char *building, const char *room, const char *notes,
                         struct case_info *out, struct at_errors *e);

/* Grow a case (CASE_RESIZED) and/or change building, room, notes
 * (CASE_UPDATED).  nslots 0 = unchanged; NULL text = unchanged, "" clears.
 * Shrinking is refused. */
enum at_code case_update(struct store *st, const char *actor, const char *name, int64_t nslots,
                         const char *building, const char *room, const char *notes,
                         struct case_info *out, struct at_errors *e);

/* Put an unslotted asset in STORAGE into an empty slot (SLOT_ASSIGN). */
enum at_code slot_assign(struct store *st, const char *actor, const char *tag,
                         const char *case_name, int64_t position, struct asset *out,
                         struct at_errors *e);

/* Move a slotted asset in STORAGE to another empty slot (SLOT_MOVE). */
enum at_code slot_move(struct store *st, const char *actor, const char *tag,
                       const char *case_name, int64_t position, struct asset *out,
                       struct at_errors *e);

/* Take whatever is in a slot out of it, leaving it in STORAGE unslotted
 * (FORCE_VACATE).  A written reason is required. */
enum at_code slot_force_vacate(struct store *st, const char *actor, const char *case_name,
                               int64_t position, const char *reason, struct asset *out,
                               struct at_errors *e);

/*
 * Parse a slot label: "CASE/POS" (what a slot label scans as) or
 * "CASE:POS" (the CLI's stock-in form).  The case part is everything
 * before the last separator.  Returns -1 if it is not a label.
 */
int slot_label_parse(const char *label, char *case_name, size_t cap, int64_t *position);

#endif
