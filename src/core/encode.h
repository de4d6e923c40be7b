/*
 * encode.h — the JSON shapes of SPEC §7, shared by the CLI (--json) and
 * the HTTP API so both front ends answer with exactly the same objects.
 *
 * Every encoder returns a new reference the caller owns (json_decref), or
 * NULL when memory ran out; none of them fails for any other reason.
 * Empty optional text fields are encoded as null, never as "".
 */
#ifndef AT_CORE_ENCODE_H
#define AT_CORE_ENCODE_H

#include <jansson.h>

#include "core/types.h"
#include "util/err.h"

/* {"case", "position"}, or null when `case_name` is NULL or empty. */
json_t *slot_to_json(const char *case_name, int position);

/*
 * An asset: {"asset_tag", "serial_number", "manufacturer", "equipment_type",
 * "model", "model_code", "building", "room", "notes", "state", "condition",
 * "holder": {"id","name"}|null, "due": "YYYY-MM-DD"|null,
 * "slot": {"case","position"}|null, "created_at", "updated_at"}, plus
 * "retired_at" when the asset is retired, and "attributes": {NAME: text}
 * ({} when it has none).
 */
json_t *asset_to_json(const struct asset *a);

/*
 * An event: {"seq", "at", "type", "asset_tag", "from", "to", "holder",
 * "actor", "reason", "batch_id", "details", "prev_hash", "hash"}.  The
 * details text is parsed back into an object; text that is not JSON (a
 * damaged row) is passed through as a string so nothing is hidden.
 */
json_t *event_to_json(const struct event *ev);

/* A case: {"name", "slot_count", "occupied", "building", "room", "notes",
 * "created_at", "updated_at"}.  Callers add "slots" where they list them. */
json_t *case_to_json(const struct case_info *c);

/* A holder: {"id", "name", "badge", "email", "active", "created_at",
 * "updated_at"}. */
json_t *holder_to_json(const struct holder *h);

/*
 * An error report: {"error": {"code", "message", "items": [{"input",
 * "code", "message"}...]}}.  `items` is always present (possibly empty).
 * A report with no message gets the code's name as its message.
 */
json_t *errors_to_json(const struct at_errors *e);

#endif
