/*
 * err.c — error names, status mapping and the batch error collector.
 */
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int http;
	int exit;
} codes[AT_CODE__MAX] = {
	[AT_OK]                 = { "OK", 200, 0 },
	[AT_INVALID]            = { "INVALID", 422, 1 },
	[AT_MALFORMED]          = { "MALFORMED", 400, 1 },
	[AT_NOT_FOUND]          = { "NOT_FOUND", 404, 1 },
	[AT_SLOT_NOT_FOUND]     = { "SLOT_NOT_FOUND", 404, 1 },
	[AT_CONFLICT]           = { "CONFLICT", 409, 1 },
	[AT_DUPLICATE]          = { "DUPLICATE", 409, 1 },
	[AT_SLOT_OCCUPIED]      = { "SLOT_OCCUPIED", 409, 1 },
	[AT_SLOT_EMPTY]         = { "SLOT_EMPTY", 409, 1 },
	[AT_NOT_IN_STORAGE]     = { "NOT_IN_STORAGE", 409, 1 },
	[AT_NOT_IN_CUSTODY]     = { "NOT_IN_CUSTODY", 409, 1 },
	[AT_NOT_SLOTTED]        = { "NOT_SLOTTED", 409, 1 },
	[AT_ALREADY_SLOTTED]    = { "ALREADY_SLOTTED", 409, 1 },
	[AT_RETIRED]            = { "RETIRED", 409, 1 },
	[AT_HOLDER_INACTIVE]    = { "HOLDER_INACTIVE", 409, 1 },
	[AT_DUPLICATE_IN_BATCH] = { "DUPLICATE_IN_BATCH", 422, 1 },
	[AT_AMBIGUOUS]          = { "AMBIGUOUS", 409, 1 },
	[AT_TOO_LARGE]          = { "TOO_LARGE", 413, 1 },
	[AT_UNAUTHORIZED]       = { "UNAUTHORIZED", 401, 1 },
	[AT_FORBIDDEN]          = { "FORBIDDEN", 403, 1 },
	[AT_USAGE]              = { "USAGE", 400, 2 },
	[AT_BUSY]               = { "BUSY", 503, 3 },
	[AT_STORAGE]            = { "STORAGE", 500, 3 },
	[AT_INTERNAL]           = { "INTERNAL", 500, 3 },
};

const char *at_code_name(enum at_code c)
{
	return (c >= 0 && c < AT_CODE__MAX) ? codes[c].name : "INTERNAL";
}

int at_code_http(enum at_code c)
{
	return (c >= 0 && c < AT_CODE__MAX) ? codes[c].http : 500;
}

int at_code_exit(enum at_code c)
{
	return (c >= 0 && c < AT_CODE__MAX) ? codes[c].exit : 3;
}

void at_errors_init(struct at_errors *e)
{
	memset(e, 0, sizeof(*e));
}

void at_errors_free(struct at_errors *e)
{
	if (!e)
		return;
	free(e->items);
	memset(e, 0, sizeof(*e));
}

void at_errors_reset(struct at_errors *e)
{
	if (!e)
		return;
	e->code = AT_OK;
	e->message[0] = '\0';
	e->nitems = 0;
}

enum at_code at_fail(struct at_errors *e, enum at_code code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

enum at_code at_item(struct at_errors *e, const char *input, enum at_code code,
                     const char *fmt, ...)
{
	struct at_item_error *it;
	va_list ap;

	if (!e)
		return code;
	if (e->nitems == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 8;
		struct at_item_error *n = realloc(e->items, ncap * sizeof(*n));
		if (!n) {
			e->code = code;
			return code;
		}
		e->items = n;
		e->cap = ncap;
	}
	it = &e->items[e->nitems++];
	snprintf(it->input, sizeof(it->input), "%s", input ? input : "");
	it->code = code;
	va_start(ap, fmt);
	vsnprintf(it->message, sizeof(it->message), fmt, ap);
	va_end(ap);
	return code;
}

enum at_code at_items_done(struct at_errors *e, size_t total)
{
	if (!e || e->nitems == 0)
		return (e && e->code != AT_OK) ? e->code : AT_OK;
	if (e->nitems == 1)
		return at_fail(e, e->items[0].code, "%s", e->items[0].message);
	/* A batch counts its inputs; a single request counts its problems. */
	if (total > e->nitems)
		return at_fail(e, e->items[0].code, "%zu of %zu items refused; nothing was changed",
		               e->nitems, total);
	return at_fail(e, e->items[0].code, "%zu problems, nothing was changed; first: %s",
	               e->nitems, e->items[0].message);
}
