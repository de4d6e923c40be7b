/*
 * reply.c — answers and their headers: JSON, errors in the SPEC §7 shape,
 * owned bodies; request accessors.
 */
#include <assert.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/encode.h"
#include "core/session.h"
#include "core/user.h"
#include "util/text.h"
#include "web/web.h"
#include "web/offload.h"

const char *web_query(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *web_cookie(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

/* ==== replies ========================================================= */

/*
 * Every answer: nosniff, no-store.  Referrer-Policy only on what a
 * browser may show as a document with links (pages, downloads, anything
 * not JSON): a JSON answer has nothing to send a Referer from, and each
 * header costs libmicrohttpd a calloc and two strdups, about 1,100
 * instructions of a scanner lookup (bench/README.md, "Lookups").
 */
static void add_common_headers(struct MHD_Response *r, const char *ctype)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (!ctype || strncmp(ctype, "application/json", 16) != 0)
		MHD_add_response_header(r, "Referrer-Policy", "same-origin");
}

void web_reply_owned(struct request *rq, int status, const char *ctype, char *data, size_t len)
{
	struct MHD_Response *r;

	assert(!rq->replied);
	rq->replied = 1;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	add_common_headers(r, ctype);
	web_queue(rq, status, r);
	rq->status = status;
	rq->bytes = len;
}

/* ---- downloads, streamed ---- */

/* A download in progress: the part being sent and where it stands. */
struct stream {
	web_fill_fn fill;
	void (*release)(void *ctx);
	void *ctx;
	struct buf part;
	size_t off;                 /* bytes of `part` already sent */
	int state;                  /* fill's last answer: 1 more, 0 end, -1 failed */
};

/* MHD asks for the next bytes: hand out the part, and when it is all
 * sent, ask for the next.  A failure ends the answer with an error, so
 * the client sees a broken download, never a short file that looks
 * whole. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	while (s->off == s->part.len) {
		if (s->state == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&s->part);
		s->off = 0;
		s->state = s->fill(s->ctx, &s->part);
		if (s->state < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = s->part.len - s->off;
	if (n > max)
		n = max;
	memcpy(out, s->part.data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->release)
		s->release(s->ctx);
	buf_free(&s->part);
	free(s);
}

void web_reply_download(struct request *rq, const char *ctype, const char *filename,
                        web_fill_fn fill, void (*release)(void *ctx), void *ctx)
{
	char disp[160], name[96];
	struct MHD_Response *r = NULL;
	struct stream *s = calloc(1, sizeof(*s));
	size_t i;

	/* The name is ours, but only these characters need no quoting. */
	for (i = 0; filename && filename[i] && i + 1 < sizeof(name); i++)
		name[i] = strchr("-._", filename[i]) || (filename[i] >= '0' && filename[i] <= '9') ||
		                          ((filename[i] | 0x20) >= 'a' && (filename[i] | 0x20) <= 'z')
		                  ? filename[i] : '_';
	name[i] = '\0';
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	if (s) {
		s->fill = fill;
		s->release = release;
		s->ctx = ctx;
		s->state = 1;
		buf_init(&s->part, 0);
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s,
		                                      stream_free);
	}
	if (!r) {
		if (s)
			stream_free(s);
		else if (release)
			release(ctx);
		web_reply_fail(rq, AT_INTERNAL, "out of memory starting a download");
		return;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	if (filename)
		MHD_add_response_header(r, "Content-Disposition", disp);
	add_common_headers(r, ctype);
	assert(!rq->replied);
	rq->replied = 1;
	web_queue(rq, 200, r);
	rq->status = 200;
	rq->bytes = 0;
}

/* JSON reply with optional extra header (Set-Cookie, Retry-After). */
/* Most answers (a scanned asset: ~700 bytes) are serialised into this
 * per-thread buffer and copied once into the response; json_dumps would
 * grow a string through a dozen reallocations and then duplicate it. */
static _Thread_local char tl_json[32768];

void web_reply_json_hdr(struct request *rq, int status, json_t *body, const char *h,
                           const char *v)
{
	size_t len = body ? json_dumpb(body, tl_json, sizeof(tl_json), JSON_COMPACT) : 0;
	enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_MUST_COPY;
	char *text = tl_json;
	struct MHD_Response *r;

	if (len == 0 || len > sizeof(tl_json)) {
		/* Too big for the buffer (long lists), or failed: the slow way. */
		text = body ? json_dumps(body, JSON_COMPACT) : NULL;
		mode = MHD_RESPMEM_MUST_FREE;
		if (!text) {
			text = strdup("{\"error\":{\"code\":\"INTERNAL\",\"message\":"
			              "\"out of memory\",\"items\":[]}}");
			status = 500;
		}
		len = text ? strlen(text) : 0;
	}
	json_decref(body);
	assert(!rq->replied);
	rq->replied = 1;
	if (!text)
		return;
	r = MHD_create_response_from_buffer(len, text, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(text);
		return;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	add_common_headers(r, "application/json");
	if (h)
		MHD_add_response_header(r, h, v);
	web_queue(rq, status, r);
	rq->status = status;
	rq->bytes = len;
}

void web_reply_json(struct request *rq, int status, json_t *body)
{
	web_reply_json_hdr(rq, status, body, NULL, NULL);
}

void web_reply_json_text(struct request *rq, int status, struct buf *b)
{
	size_t len = b->len;

	/* The buffer's memory becomes the response's: no copy. */
	web_reply_owned(rq, status, "application/json; charset=utf-8", buf_detach(b), len);
}

int web_batch_status(const struct at_errors *e)
{
	for (size_t i = 0; i < e->nitems; i++)
		if (at_code_http(e->items[i].code) != 422)
			return 409;
	return 422;
}

void web_reply_error(struct request *rq, const struct at_errors *e)
{
	web_reply_json(rq, at_code_http(e->code), errors_to_json(e));
}

void web_reply_batch_error(struct request *rq, const struct at_errors *e)
{
	int status = at_code_http(e->code);

	/* Batch refusals are 409 or 422 (SPEC §7); 413 and 5xx stay. */
	if (e->nitems && status != 413 && status < 500)
		status = web_batch_status(e);
	web_reply_json(rq, status, errors_to_json(e));
}

void web_reply_fail(struct request *rq, enum at_code code, const char *fmt, ...)
{
	struct at_errors e = AT_ERRORS_INIT;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	web_reply_json(rq, at_code_http(code), errors_to_json(&e));
}

/* ==== pages, redirects and embedded files ============================= */

/* Pages may load only what this server serves: no inline script or
 * style, no other origin, no framing (clickjacking). */
#define PAGE_CSP                                                                          \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "     \
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "          \
	"frame-ancestors 'none'"

static void add_page_headers(struct MHD_Response *r)
{
	add_common_headers(r, NULL);
	MHD_add_response_header(r, "Content-Security-Policy", PAGE_CSP);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* Queue `r` (destroyed here) with `status`; NULL `r` drops the answer. */
static void queue(struct request *rq, int status, struct MHD_Response *r, size_t len)
{
	assert(!rq->replied);
	rq->replied = 1;
	if (!r)
		return;
	web_queue(rq, status, r);
	rq->status = status;
	rq->bytes = len;
}

void web_reply_html(struct request *rq, int status, struct buf *b)
{
	size_t len = b->len;
	char *data = buf_detach(b);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);

	if (!r)
		free(data);
	else {
		MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
		add_page_headers(r);
	}
	queue(rq, status, r, len);
}

void web_redirect_hdr(struct request *rq, const char *location, const char *h, const char *v)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"",
	                                                         MHD_RESPMEM_PERSISTENT);

	if (r) {
		MHD_add_response_header(r, "Location", location);
		add_page_headers(r);
		if (h)
			MHD_add_response_header(r, h, v);
	}
	queue(rq, 303, r, 0);
}

void web_redirect(struct request *rq, const char *location)
{
	web_redirect_hdr(rq, location, NULL, NULL);
}

void web_reply_static(struct request *rq, const char *ctype, const unsigned char *data,
                      size_t len, const char *etag)
{
	const char *inm = web_header(rq, "If-None-Match");
	struct MHD_Response *r;
	int status = 200;

	if (etag && inm && strcmp(inm, etag) == 0) {
		status = 304;
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		len = 0;
	} else {
		r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
	}
	if (r) {
		MHD_add_response_header(r, "Content-Type", ctype);
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		/* Revalidated by ETag: a new binary's files are seen at once. */
		MHD_add_response_header(r, "Cache-Control", "no-cache");
		if (etag)
			MHD_add_response_header(r, "ETag", etag);
	}
	queue(rq, status, r, len);
}
