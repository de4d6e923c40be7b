/*
 * batch.c — one batch read back from the event log (core/batch.h): its
 * first and last events through the events_batch index, a walk over a
 * custody-sized batch for its holders and kinds, one page of its lines,
 * and each line's asset described as it is now.
 */
#include "core/batch.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/read.h"
#include "store/store.h"

/* ==== the batch id ==================================================== */

int batch_id_parse(const char *text, char *out)
{
	size_t i;

	for (i = 0; text[i] && i < AT_BATCH_ID_LEN; i++) {
		char c = text[i];
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? c != '-' : text_hexval((unsigned char)c) < 0)
			return 0;
		out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	out[i] = '\0';
	return i == AT_BATCH_ID_LEN && text[i] == '\0';
}

/* ==== the first and last events ======================================= */

/* What the batch's first (or last) event says about the whole batch. */
struct batch_end {
	int found;
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	char type[32];
	char actor[AT_PERSON_MAX + 1];
	int64_t holder_id;
	char due[11];
	char hash[AT_HASH_HEX + 1];
};

/* The due date a Stock-Out's details carry ("" none, or not a date). */
static void details_due(const char *details, char out[11])
{
	json_t *d = details ? json_loads(details, 0, NULL) : NULL;
	const char *due = json_string_value(json_object_get(d, "due"));

	out[0] = '\0';
	if (due && strlen(due) == 10)
		memcpy(out, due, 11);
	json_decref(d);
}

static int take_end(void *ctx, const struct event *ev)
{
	struct batch_end *x = ctx;

	x->found = 1;
	x->seq = ev->seq;
	memcpy(x->at, ev->at, sizeof(x->at));
	snprintf(x->type, sizeof(x->type), "%s", ev->type);
	snprintf(x->actor, sizeof(x->actor), "%s", ev->actor);
	x->holder_id = ev->holder_id;
	if (strcmp(ev->type, "STOCK_OUT") == 0)
		details_due(ev->details, x->due);
	memcpy(x->hash, ev->hash, sizeof(x->hash));
	return 1;
}

/* The batch's first (`last` 0) or last event, through events_batch. */
static enum at_code batch_end(struct store *st, const char *id, int last, struct batch_end *x,
                              struct at_errors *e)
{
	struct event_filter f;

	memset(x, 0, sizeof(*x));
	memset(&f, 0, sizeof(f));
	f.batch_id = id;
	f.descending = last;
	f.limit = 1;
	return read_events(st, &f, take_end, x, e);
}

/* ==== the whole batch's holders and kinds ============================== */

struct batch_walk {
	int64_t holder_id;                 /* the first event's */
	const char *type;                  /* the first event's */
	int holders_vary, types_vary;
};

static int walk_event(void *ctx, const struct event *ev)
{
	struct batch_walk *w = ctx;

	if (ev->holder_id && ev->holder_id != w->holder_id)
		w->holders_vary = 1;
	if (strcmp(ev->type, w->type) != 0)
		w->types_vary = 1;
	return w->holders_vary && w->types_vary;
}

/* Do the batch's events name one holder, and are they one kind?  Only
 * batches of custody size are walked (core/batch.h). */
static enum at_code batch_walk(struct store *st, struct batch *b, struct at_errors *e)
{
	struct batch_walk w = { b->holder.id, b->type, 0, 0 };
	struct event_filter f;
	enum at_code c;

	b->kind = BATCH_OTHER;
	if (b->count > BATCH_PAGE_MAX)
		return AT_OK;
	memset(&f, 0, sizeof(f));
	f.batch_id = b->batch_id;
	if ((c = read_events(st, &f, walk_event, &w, e)) != AT_OK)
		return c;
	b->holders_vary = w.holders_vary;
	if (!w.types_vary && strcmp(b->type, "STOCK_OUT") == 0)
		b->kind = BATCH_STOCK_OUT;
	else if (!w.types_vary && strcmp(b->type, "STOCK_IN") == 0)
		b->kind = BATCH_STOCK_IN;
	return AT_OK;
}

/* ==== one page of lines ================================================ */

struct batch_page {
	struct batch *b;
	int limit, oom;
};

/* A copy of `s` (NULL stays NULL); sets *oom when memory ran out. */
static char *dup_text(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

static int take_line(void *ctx, const struct event *ev)
{
	struct batch_page *pg = ctx;
	struct batch *b = pg->b;
	struct batch_line *l;

	if ((int)b->n == pg->limit) {
		/* The extra row only proves that more follow. */
		b->next_after = b->lines[b->n - 1].seq;
		return 1;
	}
	l = &b->lines[b->n++];
	l->seq = ev->seq;
	memcpy(l->at, ev->at, sizeof(l->at));
	snprintf(l->type, sizeof(l->type), "%s", ev->type);
	snprintf(l->tag, sizeof(l->tag), "%s", ev->asset_tag ? ev->asset_tag : "");
	snprintf(l->from_case, sizeof(l->from_case), "%s", ev->from_case ? ev->from_case : "");
	l->from_position = ev->from_position;
	snprintf(l->to_case, sizeof(l->to_case), "%s", ev->to_case ? ev->to_case : "");
	l->to_position = ev->to_position;
	l->holder_id = ev->holder_id;
	snprintf(l->holder_name, sizeof(l->holder_name), "%s",
	         ev->holder_name ? ev->holder_name : "");
	snprintf(l->actor, sizeof(l->actor), "%s", ev->actor);
	l->reason = dup_text(ev->reason, &pg->oom);
	l->details = dup_text(ev->details, &pg->oom);
	memcpy(l->prev_hash, ev->prev_hash, sizeof(l->prev_hash));
	memcpy(l->hash, ev->hash, sizeof(l->hash));
	return pg->oom;
}

/* Describe each line's asset as it is now: one indexed probe per line,
 * made after the event read so no two statements interleave. */
static enum at_code describe_lines(struct store *st, struct batch *b, struct at_errors *e)
{
	struct asset *a = malloc(sizeof(*a));
	enum at_code c = AT_OK;

	if (!a)
		return at_fail(e, AT_INTERNAL, "out of memory reading batch %s", b->batch_id);
	for (size_t i = 0; i < b->n && c == AT_OK; i++) {
		struct batch_line *l = &b->lines[i];
		if (!l->tag[0])
			continue;
		c = store_asset_by_tag(st, l->tag, a);
		if (c == AT_NOT_FOUND) {
			c = AT_OK; /* assets are never deleted; verify says so if one is */
			continue;
		}
		if (c != AT_OK)
			break;
		l->described = 1;
		memcpy(l->serial, a->serial, sizeof(l->serial));
		memcpy(l->manufacturer, a->manufacturer, sizeof(l->manufacturer));
		memcpy(l->equipment_type, a->equipment_type, sizeof(l->equipment_type));
		memcpy(l->model, a->model, sizeof(l->model));
	}
	free(a);
	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

/* Read the lines after `after_seq`, at most `limit`, and describe them. */
static enum at_code batch_lines(struct store *st, struct batch *b, int limit, int64_t after_seq,
                                struct at_errors *e)
{
	struct batch_page pg = { b, limit, 0 };
	struct event_filter f;
	enum at_code c;

	b->lines = calloc((size_t)limit, sizeof(*b->lines));
	if (!b->lines)
		return at_fail(e, AT_INTERNAL, "out of memory reading batch %s", b->batch_id);
	memset(&f, 0, sizeof(f));
	f.batch_id = b->batch_id;
	f.after_seq = after_seq;
	f.limit = limit + 1;
	if ((c = read_events(st, &f, take_line, &pg, e)) != AT_OK)
		return c;
	if (pg.oom)
		return at_fail(e, AT_INTERNAL, "out of memory reading batch %s", b->batch_id);
	return describe_lines(st, b, e);
}

/* ==== the batch ======================================================== */

/* The facts the first and last events give, and the holder in full. */
static enum at_code batch_head(struct store *st, struct batch *b, struct at_errors *e)
{
	struct batch_end first, last;
	enum at_code c;

	if ((c = batch_end(st, b->batch_id, 0, &first, e)) != AT_OK)
		return c;
	if (!first.found)
		return at_fail(e, AT_NOT_FOUND, "there is no batch %s", b->batch_id);
	if ((c = batch_end(st, b->batch_id, 1, &last, e)) != AT_OK)
		return c;
	memcpy(b->type, first.type, sizeof(b->type));
	memcpy(b->at, first.at, sizeof(b->at));
	memcpy(b->actor, first.actor, sizeof(b->actor));
	memcpy(b->due, first.due, sizeof(b->due));
	b->first_seq = first.seq;
	b->count = last.seq - first.seq + 1;
	b->head.seq = last.seq;
	memcpy(b->head.hash, last.hash, sizeof(b->head.hash));
	b->holder.id = first.holder_id;
	if (!first.holder_id)
		return AT_OK;
	c = store_holder_by_id(st, first.holder_id, &b->holder);
	/* Holders are never deleted: one that is gone is a damaged database
	 * (verify says so); the batch is still shown, its lines name the id. */
	if (c == AT_NOT_FOUND) {
		memset(&b->holder, 0, sizeof(b->holder));
		b->holder.id = first.holder_id;
		return AT_OK;
	}
	if (c != AT_OK)
		return storage_fail(st, e, c);
	b->has_holder = 1;
	return AT_OK;
}

enum at_code read_batch(struct store *st, const char *batch_id, int limit, int64_t after_seq,
                        struct batch *out, struct at_errors *e)
{
	enum at_code c;

	memset(out, 0, sizeof(*out));
	if (limit < 1 || limit > BATCH_PAGE_MAX)
		return at_fail(e, AT_INVALID, "limit must be 1 to %d, not %d", BATCH_PAGE_MAX, limit);
	if (after_seq < 0)
		return at_fail(e, AT_INVALID, "after must be an event seq number");
	if (!batch_id_parse(batch_id, out->batch_id))
		return at_fail(e, AT_NOT_FOUND,
		               "there is no batch '%.40s': a batch id is 36 characters of UUID",
		               batch_id);
	if ((c = batch_head(st, out, e)) == AT_OK && (c = batch_walk(st, out, e)) == AT_OK)
		c = batch_lines(st, out, limit, after_seq, e);
	if (c != AT_OK) {
		batch_free(out);
		return c;
	}
	if (out->holders_vary)
		out->has_holder = 0;
	return AT_OK;
}

void batch_free(struct batch *b)
{
	for (size_t i = 0; b->lines && i < b->n; i++) {
		free(b->lines[i].reason);
		free(b->lines[i].details);
	}
	free(b->lines);
	b->lines = NULL;
	b->n = 0;
}

void batch_line_event(const struct batch *b, const struct batch_line *l, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = l->seq;
	memcpy(ev->at, l->at, sizeof(ev->at));
	ev->type = l->type;
	ev->asset_tag = l->tag[0] ? l->tag : NULL;
	ev->from_case = l->from_case[0] ? l->from_case : NULL;
	ev->from_position = l->from_position;
	ev->to_case = l->to_case[0] ? l->to_case : NULL;
	ev->to_position = l->to_position;
	ev->holder_id = l->holder_id;
	ev->holder_name = l->holder_name[0] ? l->holder_name : NULL;
	ev->actor = l->actor;
	ev->reason = l->reason;
	ev->batch_id = b->batch_id;
	ev->details = l->details ? l->details : "{}";
	memcpy(ev->prev_hash, l->prev_hash, sizeof(ev->prev_hash));
	memcpy(ev->hash, l->hash, sizeof(ev->hash));
}
