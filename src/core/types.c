/*
 * types.c — name tables of the domain's enums (core/types.h).
 */
#include "store/store.h"
#include "core/types.h"

#include <assert.h>
#include <strings.h>

static const char *const state_names[ASSET_STATE__MAX] = { "STORAGE", "IN_CUSTODY", "RETIRED" };
static const char *const cond_names[COND__MAX] = { "GOOD", "DAMAGED", "FAULTY" };
static const char *const role_names[ROLE__MAX] = { "operator", "admin", "auditor" };

static int parse_name(const char *const *names, int n, const char *s, int *out)
{
	for (int i = 0; i < n; i++) {
		/* Accept any letter case: "faulty" and "FAULTY" mean the same. */
		if (strcasecmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

const char *asset_state_name(enum asset_state s)
{
	assert(s >= 0 && s < ASSET_STATE__MAX);
	return state_names[s];
}

int asset_state_parse(const char *s, enum asset_state *out)
{
	int v;

	if (parse_name(state_names, ASSET_STATE__MAX, s, &v) < 0)
		return -1;
	*out = (enum asset_state)v;
	return 0;
}

const char *asset_condition_name(enum asset_condition c)
{
	assert(c >= 0 && c < COND__MAX);
	return cond_names[c];
}

int asset_condition_parse(const char *s, enum asset_condition *out)
{
	int v;

	if (parse_name(cond_names, COND__MAX, s, &v) < 0)
		return -1;
	*out = (enum asset_condition)v;
	return 0;
}

const char *user_role_name(enum user_role r)
{
	assert(r >= 0 && r < ROLE__MAX);
	return role_names[r];
}

int user_role_parse(const char *s, enum user_role *out)
{
	int v;

	if (parse_name(role_names, ROLE__MAX, s, &v) < 0)
		return -1;
	*out = (enum user_role)v;
	return 0;
}
