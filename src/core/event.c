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

enum at_code event_writer_begin(struct event_writer *w, struct store *st, const char *actor,
                                struct at_errors *e)
{
	enum at_code c;

	memset(w, 0, sizeof(*w));
	w->st = st;
	w->actor = actor;
	text_now(w->at);
	event_new_uuid(w->batch_id);
	c = store_event_last(st, &w->seq, w->hash);
	if (c != AT_OK)
		return at_fail(e, c, "cannot read the event log: %s", store_errmsg(st));
	return AT_OK;
}

static void put_text(struct buf *b, const char *s)
{
	if (!s) {
		buf_addc(b, 'n');
	} else {
		buf_addc(b, 's');
		buf_adds(b, s);
	}
	buf_addc(b, 0x1e);
}

static void put_int(struct buf *b, int64_t v, int present)
{
	if (!present)
		buf_addc(b, 'n');
	else
		buf_printf(b, "i%lld", (long long)v);
	buf_addc(b, 0x1e);
}

void event_compute_hash(const struct event *ev, char out[AT_HASH_HEX + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct buf b;

	buf_init(&b, 0);
	put_text(&b, ev->prev_hash);
	put_int(&b, ev->seq, 1);
	put_text(&b, ev->at);
	put_text(&b, ev->type);
	put_text(&b, ev->asset_tag);
	put_text(&b, ev->from_case);
	put_int(&b, ev->from_position, ev->from_case != NULL);
	put_text(&b, ev->to_case);
	put_int(&b, ev->to_position, ev->to_case != NULL);
	put_int(&b, ev->holder_id, ev->holder_id != 0);
	put_text(&b, ev->actor);
	put_text(&b, ev->reason);
	put_text(&b, ev->batch_id);
	put_text(&b, ev->details ? ev->details : "{}");
	crypto_hash_sha256(digest, (const unsigned char *)b.data, b.len);
	buf_free(&b);
	sodium_bin2hex(out, AT_HASH_HEX + 1, digest, sizeof(digest));
}

char *event_details_text(json_t *details)
{
	if (!details)
		return strdup("{}");
	return json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

enum at_code event_append(struct event_writer *w, struct event *ev, json_t *details,
                          struct at_errors *e)
{
	char *text = event_details_text(details);
	enum at_code c;

	if (!text)
		return at_fail(e, AT_INTERNAL, "out of memory serialising event details");
	ev->seq = w->seq + 1;
	memcpy(ev->at, w->at, sizeof(ev->at));
	ev->actor = w->actor;
	ev->batch_id = w->batch_id;
	ev->details = text;
	memcpy(ev->prev_hash, w->hash, sizeof(ev->prev_hash));
	event_compute_hash(ev, ev->hash);
	c = store_event_insert(w->st, ev, e);
	ev->details = NULL;
	free(text);
	if (c != AT_OK)
		return c;
	w->seq = ev->seq;
	memcpy(w->hash, ev->hash, sizeof(w->hash));
	w->written++;
	return AT_OK;
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
