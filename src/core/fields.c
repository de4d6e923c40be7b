/*
 * fields.c — the field tables of assets, holders and cases
 * (core/fields.h).
 */
#include "core/fields.h"

#include <stddef.h>
#include <string.h>

#define REC(type, member) offsetof(type, member), sizeof(((type *)0)->member)
#define IN(member) offsetof(struct asset_input, member)

const struct field_spec asset_fields[AF__MAX] = {
	[AF_TAG] = { "asset_tag", "Asset tag", "tag", AT_TAG_MAX,
	             FIELD_REQUIRED | FIELD_SPECIAL, REC(struct asset, tag), IN(tag) },
	[AF_SERIAL] = { "serial_number", "Serial number", "serial", AT_FIELD_MAX, FIELD_REQUIRED,
	                REC(struct asset, serial), IN(serial) },
	[AF_MANUFACTURER] = { "manufacturer", "Manufacturer", "manufacturer", AT_FIELD_MAX,
	                      FIELD_REQUIRED, REC(struct asset, manufacturer), IN(manufacturer) },
	[AF_TYPE] = { "equipment_type", "Equipment type", "type", AT_FIELD_MAX, FIELD_REQUIRED,
	              REC(struct asset, equipment_type), IN(equipment_type) },
	[AF_BUILDING] = { "building", "Building", "building", AT_FIELD_MAX, FIELD_REQUIRED,
	                  REC(struct asset, building), IN(building) },
	[AF_ROOM] = { "room", "Room", "room", AT_FIELD_MAX, FIELD_REQUIRED, REC(struct asset, room),
	              IN(room) },
	[AF_MODEL] = { "model", "Model", "model", AT_FIELD_MAX, 0, REC(struct asset, model),
	               IN(model) },
	[AF_MODEL_CODE] = { "model_code", "Model code", "model-code", AT_FIELD_MAX, 0,
	                    REC(struct asset, model_code), IN(model_code) },
	[AF_NOTES] = { "notes", "Notes", "notes", AT_NOTES_MAX, FIELD_MULTILINE,
	               REC(struct asset, notes), IN(notes) },
	[AF_CONDITION] = { "condition", "Condition", "condition", 16, FIELD_SPECIAL, 0, 0,
	                   IN(condition) },
};

const struct field_spec holder_fields[HF__MAX] = {
	[HF_NAME] = { "name", "Name", "name", AT_PERSON_MAX, FIELD_REQUIRED,
	              REC(struct holder, name), 0 },
	[HF_BADGE] = { "badge", "Badge", "badge", AT_PERSON_MAX, FIELD_SPECIAL,
	               REC(struct holder, badge), 0 },
	[HF_EMAIL] = { "email", "Email", "email", AT_PERSON_MAX, 0, REC(struct holder, email), 0 },
};

const struct field_spec case_fields[CF__MAX] = {
	[CF_NAME] = { "name", "Name", "name", AT_NAME_MAX, FIELD_REQUIRED,
	              REC(struct case_info, name), 0 },
	[CF_BUILDING] = { "building", "Building", "building", AT_FIELD_MAX, 0,
	                  REC(struct case_info, building), 0 },
	[CF_ROOM] = { "room", "Room", "room", AT_FIELD_MAX, 0, REC(struct case_info, room), 0 },
	[CF_NOTES] = { "notes", "Notes", "notes", AT_NOTES_MAX, FIELD_MULTILINE,
	               REC(struct case_info, notes), 0 },
};

const char **asset_input_field(struct asset_input *in, const struct field_spec *f)
{
	return (const char **)(void *)((char *)in + f->in_offset);
}

const char *asset_input_get(const struct asset_input *in, const struct field_spec *f)
{
	return *(const char *const *)(const void *)((const char *)in + f->in_offset);
}

char *field_in_record(void *rec, const struct field_spec *f)
{
	return (char *)rec + f->rec_offset;
}

const char *field_of_record(const void *rec, const struct field_spec *f)
{
	return (const char *)rec + f->rec_offset;
}

const struct field_spec *field_find(const struct field_spec *specs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}
