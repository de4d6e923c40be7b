/*
 * import.h — bulk creation of assets from CSV, all or nothing.
 *
 * Two formats are recognised by their header row (names compared
 * case-insensitively, column order free):
 *   - AssetTrack's own `export assets`: asset_tag, serial_number,
 *     manufacturer, equipment_type, model, model_code, building, room,
 *     notes, condition, case, position (state, holder and timestamps are
 *     ignored: imported assets start in STORAGE, in the slot named by
 *     case/position when given, else unslotted);
 *   - Snipe-IT's asset CSV: "Asset Tag", "Serial", "Manufacturer",
 *     "Category", "Model Name"/"Model", "Model Number"/"Model No.",
 *     "Location", "Notes".  Snipe-IT has no room: "Room" is used when
 *     present, else the room is recorded as "unassigned" (visible, and
 *     correctable with an update).
 *
 * Every row is validated; every failing row is reported ("row 17: ...")
 * and then nothing is created.  Otherwise all assets are created in one
 * transaction sharing one batch id.  A dry run does the same work and
 * rolls it back, so it reports exactly what a real run would.
 */
#ifndef AT_CORE_IMPORT_H
#define AT_CORE_IMPORT_H

#include <stddef.h>

#include "core/event.h"
#include "core/types.h"

#define AT_IMPORT_MAX_ROWS 200000

struct import_result {
	char format[16];              /* "assettrack" or "snipe-it" */
	size_t rows;                  /* data rows read */
	size_t created;               /* assets created (or that would be) */
	int dry_run;
	char batch_id[AT_BATCH_ID_LEN + 1];
};

enum at_code import_assets(struct store *st, const char *actor, const char *csv, size_t len,
                           int dry_run, struct import_result *res, struct at_errors *e);

#endif
