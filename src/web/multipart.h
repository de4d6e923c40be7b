/*
 * multipart.h — a capped parser for multipart/form-data bodies (RFC 7578),
 * the way browsers upload files.
 *
 * The parser is a stream: the body is fed in chunks as it arrives, and a
 * part's content is handed to a callback as it goes by, never collected,
 * so a file of any size costs a few bytes of state here (the server
 * writes file parts straight to disk, web/upload.c).  multipart_parse()
 * is the same over a body in memory.  Parsing only finds parts: content
 * is not decoded (browsers send it as is), nor checked to be text.
 *
 * Accepted shape, strictly: an optional preamble, then for each part the
 * delimiter "--BOUNDARY" (after CRLF, or at the very start) with optional
 * spaces or tabs and CRLF, header lines ending in CRLF (at most
 * MULTIPART_HEADERS_MAX bytes in all), an empty line, the content, and
 * the CRLF that begins the next delimiter; the last delimiter is
 * "--BOUNDARY--", after which anything is ignored.  Each part needs
 * Content-Disposition: form-data with a name.  A delimiter followed by
 * anything else (the boundary inside content), a body that ends before
 * the last delimiter, a header line without a colon, a name or file name
 * over its cap (refused, never cut), and more parts than the caller has
 * room for are refused.
 */
#ifndef AT_WEB_MULTIPART_H
#define AT_WEB_MULTIPART_H

#include <stddef.h>

#include "util/err.h"

#define MULTIPART_BOUNDARY_MAX 70     /* RFC 2046 */
#define MULTIPART_HEADERS_MAX 8192    /* one part's header block */
#define MULTIPART_NAME_MAX 128
#define MULTIPART_FILENAME_MAX 255

struct mp_part {
	char name[MULTIPART_NAME_MAX + 1];
	int is_file;                          /* it had a filename parameter */
	char filename[MULTIPART_FILENAME_MAX + 1]; /* its last path segment; may be "" */
	char ctype[128];                      /* Content-Type, "" if none */
	size_t off, len;                      /* the content's place in the body */
};

/*
 * The boundary of a Content-Type header value such as
 * `multipart/form-data; boundary=----X` (the value may be quoted) into
 * `out` (MULTIPART_BOUNDARY_MAX + 1 bytes).  -1 if the type is not
 * multipart/form-data or the boundary is missing, empty, too long or has
 * characters RFC 2046 does not allow.
 */
int multipart_boundary(const char *ctype, char *out);

/* ---- the stream ------------------------------------------------------ */

/* Called when part `i`'s headers have been read (parts[i] is filled but
 * for its len), and with each piece of its content; a code other than
 * AT_OK stops the parse with it (and the callback's words in `why`). */
typedef enum at_code (*mp_part_cb)(void *ctx, size_t i, char *why);
typedef enum at_code (*mp_data_cb)(void *ctx, size_t i, const char *data, size_t n, char *why);

struct mp_stream {
	/* What the caller gave. */
	char delim[MULTIPART_BOUNDARY_MAX + 5];    /* "\r\n--BOUNDARY" */
	size_t dlen;
	struct mp_part *parts;
	size_t max;
	mp_part_cb on_part;                        /* may be NULL */
	mp_data_cb on_data;                        /* may be NULL */
	void *ctx;
	/* Where it is. */
	size_t n;                                  /* parts begun */
	size_t pos;                                /* body bytes consumed */
	int state;
	size_t match;                              /* delimiter bytes matched */
	char hbuf[MULTIPART_HEADERS_MAX + 4];
	size_t hlen;
	enum at_code failed;                       /* AT_OK until refused */
	char why[AT_MSG_MAX];
};

/* Start parsing with `boundary` (MULTIPART_BOUNDARY_MAX bytes at most:
 * -1 otherwise) into parts[0..max). */
int multipart_stream_init(struct mp_stream *s, const char *boundary, struct mp_part *parts,
                          size_t max, mp_part_cb on_part, mp_data_cb on_data, void *ctx);
/* Feed the next `n` bytes.  AT_OK to go on; once refused (AT_MALFORMED,
 * AT_TOO_LARGE or the callback's code) it stays refused, s->why says why,
 * and more bytes are ignored. */
enum at_code multipart_stream_feed(struct mp_stream *s, const char *data, size_t n);
/* The body is complete: AT_OK if it ended properly (then s->n parts are
 * whole), else the refusal, with s->why. */
enum at_code multipart_stream_end(struct mp_stream *s);

/* ---- a body in memory ------------------------------------------------ */

/*
 * Parse `len` bytes of `body` with `boundary` into parts[0..max); *n gets
 * how many.  AT_OK; AT_MALFORMED with `why` (AT_MSG_MAX bytes, or NULL);
 * AT_TOO_LARGE when it has more than `max` parts.
 */
enum at_code multipart_parse(const char *body, size_t len, const char *boundary,
                             struct mp_part *parts, size_t max, size_t *n, char *why);

#endif
