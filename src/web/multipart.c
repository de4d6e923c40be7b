/*
 * multipart.c — multipart/form-data parsing (web/multipart.h).
 *
 * A state machine fed in chunks: content is scanned for "\r\n--BOUNDARY"
 * (memchr for its CR, then byte by byte; a partial match at a chunk's end
 * is carried over, and given back as content if it was not one), a
 * part's header block is collected (bounded) and parsed whole.  Nothing
 * is copied but the header block.
 */
#include "web/multipart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

__attribute__((format(printf, 2, 3))) static enum at_code bad(char *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, AT_MSG_MAX, fmt, ap);
		va_end(ap);
	}
	return AT_MALFORMED;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* ==== the boundary ===================================================== */

/* RFC 2046 bchars (space only inside). */
static int bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("'()+_,-./:=? ", c) != NULL;
}

int multipart_boundary(const char *ctype, char *out)
{
	const char *p, *v, *end;
	size_t n;

	out[0] = '\0';
	if (!ctype || strncasecmp(ctype, "multipart/form-data", 19) != 0)
		return -1;
	p = ctype + 19;
	while (*p) {
		while (*p == ';' || is_ws(*p))
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
		p = strchr(p, ';');
		if (!p)
			return -1;
	}
	if (!*p)
		return -1;
	v = p + 9;
	if (*v == '"') {
		v++;
		end = strchr(v, '"');
		if (!end)
			return -1;
	} else {
		for (end = v; *end && *end != ';' && !is_ws(*end); end++)
			;
	}
	n = (size_t)(end - v);
	if (n == 0 || n > MULTIPART_BOUNDARY_MAX || v[n - 1] == ' ')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!bchar(v[i]))
			return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* ==== one part's headers ============================================== */

/* A parameter value (token or quoted string) at *p into out (cap);
 * advances *p.  -1 if unterminated or longer than cap - 1. */
static int param_value(const char **p, const char *end, char *out, size_t cap)
{
	const char *v = *p, *e;
	size_t n;

	if (v < end && *v == '"') {
		v++;
		for (e = v; e < end && *e != '"'; e++)
			;
		if (e == end)
			return -1;
		*p = e + 1;
	} else {
		for (e = v; e < end && *e != ';' && !is_ws(*e); e++)
			;
		*p = e;
	}
	n = (size_t)(e - v);
	if (n >= cap)
		return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* The last '/' or '\' separated segment of a file name, in place. */
static void basename_in_place(char *s)
{
	const char *b = s;

	for (const char *q = s; *q; q++)
		if (*q == '/' || *q == '\\')
			b = q + 1;
	memmove(s, b, strlen(b) + 1);
}

/* Content-Disposition: form-data; name="..."[; filename="..."] */
static enum at_code disposition(const char *v, const char *end, struct mp_part *pt, char *why)
{
	char val[1024];
	int have_name = 0;

	if ((size_t)(end - v) < 9 || strncasecmp(v, "form-data", 9) != 0)
		return bad(why, "a part is not form-data");
	v += 9;
	while (v < end) {
		const char *key;
		size_t klen;

		while (v < end && (is_ws(*v) || *v == ';'))
			v++;
		if (v == end)
			break;
		for (key = v; v < end && *v != '=' && *v != ';' && !is_ws(*v); v++)
			;
		klen = (size_t)(v - key);
		while (v < end && is_ws(*v))
			v++;
		if (v == end || *v != '=') {
			continue;
		}
		v++;
		while (v < end && is_ws(*v))
			v++;
		if (param_value(&v, end, val, sizeof(val)) < 0)
			return bad(why, "a part's Content-Disposition has a bad or over-long value");
		if (klen == 4 && strncasecmp(key, "name", 4) == 0) {
			if (have_name || strlen(val) > MULTIPART_NAME_MAX)
				return bad(why, "a part's field name is repeated or longer than %d "
				                "bytes", MULTIPART_NAME_MAX);
			memcpy(pt->name, val, strlen(val) + 1);
			have_name = 1;
		} else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
			if (pt->is_file)
				return bad(why, "a part names its file twice");
			basename_in_place(val);
			if (strlen(val) > MULTIPART_FILENAME_MAX)
				return bad(why, "a file name is longer than %d bytes",
				           MULTIPART_FILENAME_MAX);
			memcpy(pt->filename, val, strlen(val) + 1);
			pt->is_file = 1;
		}
	}
	if (!have_name || !pt->name[0])
		return bad(why, "a part has no field name");
	return AT_OK;
}

/* Parse the header block h[0..n) (lines ending in CRLF). */
static enum at_code part_headers(const char *h, size_t n, struct mp_part *pt, char *why)
{
	int disp = 0;

	while (n) {
		const char *eol = memchr(h, '\r', n), *colon, *v, *ve;
		size_t llen;

		if (!eol || (size_t)(eol - h) + 1 >= n || eol[1] != '\n')
			return bad(why, "a part's header line does not end in CRLF");
		llen = (size_t)(eol - h);
		if (memchr(h, '\n', llen) || memchr(h, '\0', llen))
			return bad(why, "a part's header line holds a line feed or NUL");
		colon = memchr(h, ':', llen);
		if (!colon || colon == h)
			return bad(why, "a part's header line has no name and colon");
		for (v = colon + 1; v < eol && is_ws(*v); v++)
			;
		for (ve = eol; ve > v && is_ws(ve[-1]); ve--)
			;
		if ((size_t)(colon - h) == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
			enum at_code c = disp++ ? bad(why, "a part has two Content-Disposition headers")
			                        : disposition(v, ve, pt, why);
			if (c != AT_OK)
				return c;
		} else if ((size_t)(colon - h) == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
			snprintf(pt->ctype, sizeof(pt->ctype), "%.*s", (int)(ve - v), v);
		}
		n -= llen + 2;
		h = eol + 2;
	}
	if (!disp)
		return bad(why, "a part has no Content-Disposition header");
	return AT_OK;
}

/* ==== the body, as a stream =========================================== */

enum { S_CONTENT, S_AFTER, S_WS, S_CR, S_DASH, S_HEADERS, S_EPILOGUE };

__attribute__((format(printf, 3, 4))) static void refuse(struct mp_stream *s, enum at_code c,
                                                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->failed = c;
}

int multipart_stream_init(struct mp_stream *s, const char *boundary, struct mp_part *parts,
                          size_t max, mp_part_cb on_part, mp_data_cb on_data, void *ctx)
{
	memset(s, 0, sizeof(*s));
	if (!boundary[0] || strlen(boundary) > MULTIPART_BOUNDARY_MAX)
		return -1;
	s->dlen = (size_t)snprintf(s->delim, sizeof(s->delim), "\r\n--%s", boundary);
	s->parts = parts;
	s->max = max;
	s->on_part = on_part;
	s->on_data = on_data;
	s->ctx = ctx;
	s->state = S_CONTENT;
	/* As if the body began with CRLF: a first delimiter at the very
	 * start is then found like every other. */
	s->match = 2;
	return 0;
}

static int in_part(const struct mp_stream *s)
{
	return s->n && s->parts[s->n - 1].len == (size_t)-1;
}

/* Content bytes of the open part (the preamble's are dropped). */
static void emit(struct mp_stream *s, const char *p, size_t n)
{
	enum at_code c;

	if (!n || !in_part(s) || !s->on_data)
		return;
	c = s->on_data(s->ctx, s->n - 1, p, n, s->why);
	if (c != AT_OK)
		s->failed = c;
}

/* Scan content for the delimiter; returns the bytes consumed. */
static size_t scan_content(struct mp_stream *s, const char *d, size_t n)
{
	size_t i = 0;

	while (i < n && s->failed == AT_OK) {
		if (s->match == 0) {
			/* The delimiter starts with CR, and holds no other. */
			const char *cr = memchr(d + i, '\r', n - i);
			size_t run = cr ? (size_t)(cr - (d + i)) : n - i;
			emit(s, d + i, run);
			i += run;
			s->pos += run;
			if (!cr)
				break;
		}
		if (d[i] == s->delim[s->match]) {
			i++;
			s->pos++;
			if (++s->match == s->dlen) {
				if (in_part(s))
					s->parts[s->n - 1].len = s->pos - s->dlen - s->parts[s->n - 1].off;
				s->match = 0;
				s->state = S_AFTER;
				break;
			}
		} else {
			/* What looked like a delimiter was content after all; this
			 * byte is looked at again, from a fresh start. */
			emit(s, s->delim, s->match);
			s->match = 0;
		}
	}
	return i;
}

/* One byte of what follows a delimiter: "--", or blanks and CRLF. */
static void after_delim(struct mp_stream *s, char c)
{
	int next = -1;

	switch (s->state) {
	case S_AFTER:
		next = c == '-' ? S_DASH : is_ws(c) ? S_WS : c == '\r' ? S_CR : -1;
		break;
	case S_WS:
		next = is_ws(c) ? S_WS : c == '\r' ? S_CR : -1;
		break;
	case S_CR:
		next = c == '\n' ? S_HEADERS : -1;
		s->hlen = 0;
		break;
	case S_DASH:
		next = c == '-' ? S_EPILOGUE : -1;
		break;
	}
	if (next < 0)
		refuse(s, AT_MALFORMED, "a boundary line is followed by something other than CRLF");
	else
		s->state = next;
}

/* A part's header block (hbuf[0..blen)) is complete: the part begins. */
static void begin_part(struct mp_stream *s, size_t blen)
{
	struct mp_part *pt;

	if (s->n == s->max) {
		refuse(s, AT_TOO_LARGE, "more than %zu fields in one form", s->max);
		return;
	}
	pt = &s->parts[s->n];
	memset(pt, 0, sizeof(*pt));
	if (part_headers(s->hbuf, blen, pt, s->why) != AT_OK) {
		s->failed = AT_MALFORMED;
		return;
	}
	pt->off = s->pos;
	pt->len = (size_t)-1;                 /* open */
	s->n++;
	s->state = S_CONTENT;
	s->match = 0;
	if (s->on_part) {
		enum at_code c = s->on_part(s->ctx, s->n - 1, s->why);
		if (c != AT_OK)
			s->failed = c;
	}
}

/* Collect header bytes up to the empty line; returns bytes consumed. */
static size_t scan_headers(struct mp_stream *s, const char *d, size_t n)
{
	size_t i = 0;

	while (i < n && s->state == S_HEADERS && s->failed == AT_OK) {
		s->hbuf[s->hlen++] = d[i++];
		s->pos++;
		if (s->hlen == 2 && memcmp(s->hbuf, "\r\n", 2) == 0)
			begin_part(s, 0);
		else if (s->hlen >= 4 && memcmp(s->hbuf + s->hlen - 4, "\r\n\r\n", 4) == 0)
			begin_part(s, s->hlen - 2);
		else if (s->hlen == sizeof(s->hbuf))
			refuse(s, AT_MALFORMED, "a part's headers do not end, or pass %d bytes",
			       MULTIPART_HEADERS_MAX);
	}
	return i;
}

enum at_code multipart_stream_feed(struct mp_stream *s, const char *data, size_t n)
{
	size_t i = 0;

	while (i < n && s->failed == AT_OK) {
		switch (s->state) {
		case S_CONTENT:
			i += scan_content(s, data + i, n - i);
			break;
		case S_HEADERS:
			i += scan_headers(s, data + i, n - i);
			break;
		case S_EPILOGUE:
			s->pos += n - i;
			i = n;
			break;
		default:
			after_delim(s, data[i++]);
			s->pos++;
			break;
		}
	}
	return s->failed;
}

enum at_code multipart_stream_end(struct mp_stream *s)
{
	if (s->failed != AT_OK || s->state == S_EPILOGUE)
		return s->failed;
	if (s->state == S_CONTENT && !in_part(s))
		refuse(s, AT_MALFORMED, "the body holds no boundary line");
	else if (s->state == S_CONTENT)
		refuse(s, AT_MALFORMED, "the body ends inside a part (no closing boundary)");
	else if (s->state == S_HEADERS)
		refuse(s, AT_MALFORMED, "a part's headers do not end, or pass %d bytes",
		       MULTIPART_HEADERS_MAX);
	else
		refuse(s, AT_MALFORMED, "the body ends inside a boundary line");
	return s->failed;
}

/* ==== a body in memory ================================================= */

enum at_code multipart_parse(const char *body, size_t len, const char *boundary,
                             struct mp_part *parts, size_t max, size_t *n, char *why)
{
	struct mp_stream *s = malloc(sizeof(*s));
	enum at_code c;

	*n = 0;
	if (!s) {
		bad(why, "out of memory");
		return AT_INTERNAL;
	}
	if (multipart_stream_init(s, boundary, parts, max, NULL, NULL, NULL) < 0) {
		free(s);
		return bad(why, "the boundary is empty or too long");
	}
	multipart_stream_feed(s, body, len);
	c = multipart_stream_end(s);
	if (c == AT_OK)
		*n = s->n;
	else if (why)
		snprintf(why, AT_MSG_MAX, "%s", s->why);
	free(s);
	return c;
}
