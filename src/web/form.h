/*
 * form.h — a capped parser for application/x-www-form-urlencoded bodies
 * and query strings.
 *
 * Parsing only decodes: every name and value that comes out is well-formed
 * UTF-8 without NUL bytes, but may still hold control characters, be empty
 * or be too long; the route's field table checks that (util/text.h).
 * The whole result is one allocation, released by form_free().
 */
#ifndef AT_WEB_FORM_H
#define AT_WEB_FORM_H

#include <stddef.h>

#include "util/err.h"

#define FORM_MAX_FIELDS 2100   /* a 1,000-line Stock-In (tag, case, slot per line) plus its other fields */

struct form_field {
	char *name;
	char *value;
};

struct form {
	struct form_field *f;    /* in body order; NULL when n == 0 */
	size_t n;
};

/*
 * Parse `len` bytes of `body` (NULL allowed when len is 0) into `out`.
 * Fields are separated by '&'; empty ones ("a=1&&b=2", a trailing '&') are
 * skipped; a field without '=' has the value "".  '+' is a space and %HH a
 * byte.  Returns AT_OK, or refuses with AT_MALFORMED on a bad %-escape, a
 * NUL byte (raw or decoded), invalid UTF-8 (overlong, surrogate, stray
 * continuation, truncated, above U+10FFFF) in a name or value, or an empty
 * name; AT_TOO_LARGE on more than `max_fields` fields; AT_INTERNAL when out
 * of memory.  On refusal *out is left empty and `why` (AT_MSG_MAX bytes, or
 * NULL) says what is wrong.  Release a successful result with form_free().
 */
enum at_code form_parse(const char *body, size_t len, size_t max_fields, struct form *out,
                        char *why);

/* First value of `name`, or NULL if the form has no such field. */
const char *form_get(const struct form *f, const char *name);

/* Store up to `max` values of `name` in `vals`, in body order; returns how
 * many were stored.  The strings belong to the form. */
size_t form_get_all(const struct form *f, const char *name, const char **vals, size_t max);

/* Release the fields and leave the form empty; safe to call twice. */
void form_free(struct form *f);

#endif
