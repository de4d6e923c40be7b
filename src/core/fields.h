/*
 * fields.h — each entity's text fields, declared once (kcgi's kvalid
 * arrays): the name used as JSON key, form field and CSV header; the
 * words people see; the CLI option; the longest value; whether it is
 * required when the entity is created; whether it may span lines; and
 * where it lives in the record (and, for assets, in struct asset_input).
 *
 * Core's validation, the JSON API's body checks, the web forms, the CLI's
 * options and the CSV importer all read these tables, so a field is added
 * or its cap changed in one place.
 */
#ifndef AT_CORE_FIELDS_H
#define AT_CORE_FIELDS_H

#include <stddef.h>

#include "core/asset.h"

enum {
	FIELD_REQUIRED = 1,      /* required on create */
	FIELD_MULTILINE = 2,     /* may hold line breaks (notes) */
	FIELD_SPECIAL = 4,       /* validated by its own rules (tag, condition):
	                          * not by field_clean, and not in the record */
};

struct field_spec {
	const char *name;        /* "serial_number" */
	const char *label;       /* "Serial number" */
	const char *option;      /* CLI option without "--": "serial" */
	size_t max;              /* longest value, bytes */
	unsigned flags;
	size_t rec_offset;       /* char[] in the record (struct asset, ...) */
	size_t rec_size;
	size_t in_offset;        /* const char * in struct asset_input (assets) */
};

enum asset_field {
	AF_TAG, AF_SERIAL, AF_MANUFACTURER, AF_TYPE, AF_BUILDING, AF_ROOM,
	AF_MODEL, AF_MODEL_CODE, AF_NOTES, AF_CONDITION, AF__MAX
};
extern const struct field_spec asset_fields[AF__MAX];

enum holder_field { HF_NAME, HF_BADGE, HF_EMAIL, HF__MAX };
extern const struct field_spec holder_fields[HF__MAX];

enum case_field { CF_NAME, CF_BUILDING, CF_ROOM, CF_NOTES, CF__MAX };
extern const struct field_spec case_fields[CF__MAX];

/* The value pointer of asset field `f` in `in`, to read or to set. */
const char **asset_input_field(struct asset_input *in, const struct field_spec *f);
const char *asset_input_get(const struct asset_input *in, const struct field_spec *f);

/* The text of field `f` in a record (struct asset for asset_fields, ...). */
char *field_in_record(void *rec, const struct field_spec *f);
const char *field_of_record(const void *rec, const struct field_spec *f);

/* The spec called `name` in `specs` (n entries), or NULL. */
const struct field_spec *field_find(const struct field_spec *specs, size_t n, const char *name);

#endif
