/*
 * event.c — appending hash-chained events.
 */
#include "store/store.h"
#include "core/event.h"

#include "util/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void event_new_uuid(char out[AT_BATCH_ID_LEN + 1])
{
	unsigned char r[16];

	if (sodium_init() < 0)
		abort(); /* no secure randomness: nothing sensible to do */
	randombytes_buf(r, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, AT_BATCH_ID_LEN + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
	         r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
	         r[14], r[15]);
}

/* The log's head and the open import job, read now; the writer's time
 * (set by the caller from the clock) moved up to the head's if behind. */
static enum at_code read_head(struct event_writer *w, struct at_errors *e)
{
	char head_at[AT_TIME_LEN + 1];
	enum at_code c = store_event_head_gate(w->st, &w->seq, w->hash, head_at, &w->gate);

	if (c != AT_OK)
		return at_fail(e, c, "cannot read the event log: %s", store_errmsg(w->st));
	/* Time never runs backwards along the log: an event is no earlier
	 * than the one before it, whatever this machine's clock says (two
	 * servers' clocks differ; one clock may be stepped back).  As-of
	 * reports and "events since" read the log by time and count on it.
	 * The times have one fixed format, so their text order is theirs.
	 * A time a test fixed is its own (text_now_fixed: test builds). */
	if (!text_now_fixed() && strcmp(w->at, head_at) < 0)
		memcpy(w->at, head_at, sizeof(w->at));
	return AT_OK;
}

enum at_code event_writer_begin(struct event_writer *w, struct store *st, const char *actor,
                                struct at_errors *e)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	w->actor = actor;
	text_now(w->at);
	event_new_uuid(w->batch_id);
	return read_head(w, e);
}

enum at_code event_writer_continue(struct event_writer *w, struct at_errors *e)
{
	text_now(w->at);
	return read_head(w, e);
}

/* The gate of an open import job (event.h): AT_OK, or the refusal. */
static enum at_code gate_pass(struct event_writer *w, const struct event *ev,
                              struct at_errors *e)
{
	char key[AT_NAME_MAX + 32];
	enum at_code c;

	if (!w->gate.job || w->gate.job == w->own_job || w->dry_run)
		return AT_OK;
	if (strcmp(ev->type, "STOCK_OUT") == 0 || strcmp(ev->type, "FORCE_VACATE") == 0 ||
	    strcmp(ev->type, "AUDIT_RECORDED") == 0)
		return AT_OK;
	if (strcmp(ev->type, "STOCK_IN") == 0) {
		/* Checking: its slots are not known yet; the job looks for
		 * Stock-Ins to them before it applies a row. */
		if (!w->gate.applying || !ev->to_case)
			return AT_OK;
		snprintf(key, sizeof(key), "s%lld:%s", (long long)ev->to_position, ev->to_case);
		c = store_job_key_has(w->st, w->gate.job, key);
		if (c == AT_NOT_FOUND)
			return AT_OK;
		if (c != AT_OK)
			return at_fail(e, AT_STORAGE, "cannot read the import job: %s",
			               store_errmsg(w->st));
		return at_fail(e, AT_CONFLICT, "slot %s/%lld is being filled by an import (%lld of "
		               "%lld rows applied); try again when it ends", ev->to_case,
		               (long long)ev->to_position, (long long)w->gate.rows_done,
		               (long long)w->gate.rows_total);
	}
	if (!w->gate.applying)
		return at_fail(e, AT_CONFLICT, "an import is being checked; only Stock-Out, Stock-In, "
		               "force-vacate and audits can be recorded until it ends (seconds); try "
		               "again then");
	return at_fail(e, AT_CONFLICT, "an import is being applied (%lld of %lld rows); only "
	               "Stock-Out, Stock-In, force-vacate and audits can be recorded until it ends; "
	               "try again then", (long long)w->gate.rows_done,
	               (long long)w->gate.rows_total);
}

/*
 * The canonical encoding (event.h) goes straight into the hash, piece by
 * piece: the same bytes as building it in a buffer first, without the
 * copy (a tenth of an import's time went to that buffer).
 */
static void put_text(crypto_hash_sha256_state *h, const char *s)
{
	static const unsigned char null_field[2] = { 'n', 0x1e };
	static const unsigned char sep = 0x1e, tag = 's';

	if (!s) {
		crypto_hash_sha256_update(h, null_field, 2);
		return;
	}
	crypto_hash_sha256_update(h, &tag, 1);
	crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
	crypto_hash_sha256_update(h, &sep, 1);
}

static void put_int(crypto_hash_sha256_state *h, int64_t v, int present)
{
	char num[32];
	int n;

	if (!present) {
		put_text(h, NULL);
		return;
	}
	n = snprintf(num, sizeof(num), "i%lld\x1e", (long long)v);
	crypto_hash_sha256_update(h, (const unsigned char *)num, (unsigned long long)n);
}

void event_compute_hash(const struct event *ev, char out[AT_HASH_HEX + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;

	crypto_hash_sha256_init(&h);
	put_text(&h, ev->prev_hash);
	put_int(&h, ev->seq, 1);
	put_text(&h, ev->at);
	put_text(&h, ev->type);
	put_text(&h, ev->asset_tag);
	put_text(&h, ev->from_case);
	put_int(&h, ev->from_position, ev->from_case != NULL);
	put_text(&h, ev->to_case);
	put_int(&h, ev->to_position, ev->to_case != NULL);
	put_int(&h, ev->holder_id, ev->holder_id != 0);
	put_text(&h, ev->actor);
	put_text(&h, ev->reason);
	put_text(&h, ev->batch_id);
	put_text(&h, ev->details ? ev->details : "{}");
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(out, AT_HASH_HEX + 1, digest, sizeof(digest));
}

char *event_details_text(json_t *details)
{
	if (!details)
		return strdup("{}");
	return json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

/* ==== bulk mode ======================================================== */

/* Events appended but not inserted yet, their strings copied into `text`
 * (NUL-terminated, by offset: the buffer may move as it grows). */
#define NSTR 8
struct event_pending {
	struct event *ev;
	size_t (*off)[NSTR];
	struct buf text;
	size_t n, cap;                     /* cap: store_event_bulk() */
};

static size_t keep_str(struct buf *b, const char *s)
{
	size_t o = b->len;

	if (!s)
		return (size_t)-1;
	buf_add(b, s, strlen(s) + 1);
	return o;
}

static const char *str_at(const struct buf *b, size_t o)
{
	return o == (size_t)-1 ? NULL : b->data + o;
}

enum at_code event_writer_bulk(struct event_writer *w, struct at_errors *e)
{
	struct event_pending *p = calloc(1, sizeof(*p));

	if (p) {
		p->cap = store_event_bulk(w->st);
		p->ev = calloc(p->cap, sizeof(*p->ev));
		p->off = calloc(p->cap, sizeof(*p->off));
	}
	if (!p || !p->ev || !p->off) {
		if (p) {
			free(p->ev);
			free(p->off);
		}
		free(p);
		return at_fail(e, AT_INTERNAL, "out of memory");
	}
	buf_init(&p->text, 0);
	w->bulk = p;
	return AT_OK;
}

enum at_code event_writer_flush(struct event_writer *w, struct at_errors *e)
{
	struct event_pending *p = w->bulk;
	enum at_code c;

	if (!p || p->n == 0)
		return AT_OK;
	if (p->text.overflow)
		return at_fail(e, AT_INTERNAL, "out of memory keeping events");
	for (size_t i = 0; i < p->n; i++) {
		struct event *ev = &p->ev[i];
		ev->type = str_at(&p->text, p->off[i][0]);
		ev->asset_tag = str_at(&p->text, p->off[i][1]);
		ev->from_case = str_at(&p->text, p->off[i][2]);
		ev->to_case = str_at(&p->text, p->off[i][3]);
		ev->actor = str_at(&p->text, p->off[i][4]);
		ev->reason = str_at(&p->text, p->off[i][5]);
		ev->batch_id = str_at(&p->text, p->off[i][6]);
		ev->details = str_at(&p->text, p->off[i][7]);
	}
	c = store_event_insert_many(w->st, p->ev, p->n, e);
	p->n = 0;
	buf_reset(&p->text);
	return c;
}

void event_writer_release(struct event_writer *w)
{
	if (!w->bulk)
		return;
	buf_free(&w->bulk->text);
	free(w->bulk->ev);
	free(w->bulk->off);
	free(w->bulk);
	w->bulk = NULL;
}

/* Keep a finished event (seq, hashes set) for the next flush. */
static enum at_code keep_event(struct event_writer *w, const struct event *ev,
                               struct at_errors *e)
{
	struct event_pending *p = w->bulk;
	size_t i = p->n++;

	p->ev[i] = *ev;
	p->ev[i].holder_name = NULL;
	p->off[i][0] = keep_str(&p->text, ev->type);
	p->off[i][1] = keep_str(&p->text, ev->asset_tag);
	p->off[i][2] = keep_str(&p->text, ev->from_case);
	p->off[i][3] = keep_str(&p->text, ev->to_case);
	p->off[i][4] = keep_str(&p->text, ev->actor);
	p->off[i][5] = keep_str(&p->text, ev->reason);
	p->off[i][6] = keep_str(&p->text, ev->batch_id);
	p->off[i][7] = keep_str(&p->text, ev->details ? ev->details : "{}");
	return p->n == p->cap ? event_writer_flush(w, e) : AT_OK;
}

/* ==== appending ======================================================== */

enum at_code event_append_text(struct event_writer *w, struct event *ev, const char *details,
                               struct at_errors *e)
{
	enum at_code c = gate_pass(w, ev, e);

	if (c != AT_OK)
		return c;
	ev->seq = w->seq + 1;
	memcpy(ev->at, w->at, sizeof(ev->at));
	ev->actor = w->actor;
	ev->batch_id = w->batch_id;
	ev->details = details;
	memcpy(ev->prev_hash, w->hash, sizeof(ev->prev_hash));
	if (w->dry_run) {
		memset(ev->hash, '0', AT_HASH_HEX);
		ev->hash[AT_HASH_HEX] = '\0';
	} else {
		event_compute_hash(ev, ev->hash);
	}
	c = w->bulk ? keep_event(w, ev, e) : store_event_insert(w->st, ev, e);
	ev->details = NULL;
	if (c != AT_OK)
		return c;
	w->seq = ev->seq;
	memcpy(w->hash, ev->hash, sizeof(w->hash));
	w->written++;
	return AT_OK;
}

enum at_code event_append(struct event_writer *w, struct event *ev, json_t *details,
                          struct at_errors *e)
{
	char *text = event_details_text(details);
	enum at_code c;

	if (!text)
		return at_fail(e, AT_INTERNAL, "out of memory serialising event details");
	c = event_append_text(w, ev, text, e);
	free(text);
	return c;
}

/* ==== anchors ========================================================= */

int anchor_parse(const char *text, struct anchor *a, char *why)
{
	const char *colon = text ? strchr(text, ':') : NULL;
	char num[24];
	size_t n;

	if (!colon || (size_t)(colon - text) >= sizeof(num)) {
		snprintf(why, AT_WHY_MAX, "an anchor reads SEQ:HASH (as `assettrack head` prints)");
		return -1;
	}
	n = (size_t)(colon - text);
	memcpy(num, text, n);
	num[n] = '\0';
	if (text_parse_int(num, 1, INT64_MAX, &a->seq) < 0) {
		snprintf(why, AT_WHY_MAX, "'%.20s' is not an event number", num);
		return -1;
	}
	colon++;
	if (strlen(colon) != AT_HASH_HEX || strspn(colon, "0123456789abcdefABCDEF") != AT_HASH_HEX) {
		snprintf(why, AT_WHY_MAX, "an anchor's hash is 64 hex digits");
		return -1;
	}
	for (size_t i = 0; i <= AT_HASH_HEX; i++)
		a->hash[i] = (char)((colon[i] >= 'A' && colon[i] <= 'F') ? colon[i] + 32 : colon[i]);
	return 0;
}

void anchor_format(const struct anchor *a, char *out)
{
	snprintf(out, AT_ANCHOR_MAX, "%lld:%s", (long long)a->seq, a->hash);
}
