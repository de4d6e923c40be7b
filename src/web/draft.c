/*
 * draft.c — the per-session batch drafts of the Stock-Out and Stock-In
 * pages (web/draft.h): a fixed table of DRAFT_SESSIONS entries under one
 * mutex, searched linearly (1,024 short key compares cost less than the
 * page's first query), least recently used first out.
 */
#include "web/draft.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* ==== one draft ======================================================= */

void draft_init(struct draft *d)
{
	memset(d, 0, sizeof(*d));
	d->next_id = 1;
}

void draft_free(struct draft *d)
{
	free(d->lines);
	draft_init(d);
}

int draft_empty(const struct draft *d)
{
	return d->n == 0 && !d->holder[0] && !d->holder_id && !d->due[0];
}

/* Whitespace or a control character: what scanners put around a scan. */
static int is_edge(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

void draft_set_text(char *dst, size_t cap, const char *src)
{
	size_t len;

	if (cap == 0)
		return;
	if (!src)
		src = "";
	while (*src && is_edge((unsigned char)*src))
		src++;
	len = strlen(src);
	while (len > 0 && is_edge((unsigned char)src[len - 1]))
		len--;
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

unsigned draft_add(struct draft *d, const char *scan, const char *case_name, const char *slot)
{
	struct draft_line *l;

	if (d->n >= AT_MAX_BATCH)
		return 0;
	if (d->n == d->alloc) {
		size_t want = d->alloc ? d->alloc * 2 : 8;
		if (want > AT_MAX_BATCH)
			want = AT_MAX_BATCH;
		l = realloc(d->lines, want * sizeof(*l));
		if (!l)
			return 0;
		d->lines = l;
		d->alloc = want;
	}
	l = &d->lines[d->n++];
	memset(l, 0, sizeof(*l));
	l->id = d->next_id++;
	draft_set_text(l->scan, sizeof(l->scan), scan);
	draft_set_text(l->case_name, sizeof(l->case_name), case_name);
	draft_set_text(l->slot, sizeof(l->slot), slot);
	return l->id;
}

struct draft_line *draft_find(struct draft *d, unsigned id)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->lines[i].id == id)
			return &d->lines[i];
	return NULL;
}

int draft_remove(struct draft *d, unsigned id)
{
	struct draft_line *l = draft_find(d, id);
	size_t i;

	if (!l)
		return -1;
	i = (size_t)(l - d->lines);
	memmove(l, l + 1, (d->n - i - 1) * sizeof(*l));
	d->n--;
	return 0;
}

/* Deep copy of `src` into `dst` (initialised here); -1 out of memory. */
static int draft_copy(struct draft *dst, const struct draft *src)
{
	*dst = *src;
	dst->lines = NULL;
	dst->alloc = 0;
	if (src->n == 0) {
		dst->n = 0;
		return 0;
	}
	dst->lines = malloc(src->n * sizeof(*dst->lines));
	if (!dst->lines) {
		draft_init(dst);
		return -1;
	}
	memcpy(dst->lines, src->lines, src->n * sizeof(*dst->lines));
	dst->alloc = src->n;
	return 0;
}

/* ==== the table ======================================================= */

struct entry {
	char key[DRAFT_KEY_MAX];      /* "" : free */
	uint64_t used;                /* tick of the last use */
	struct draft d[DRAFT_KIND__MAX];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry table[DRAFT_SESSIONS];
static uint64_t tick;

/* A session key: non-empty, printable ASCII, shorter than DRAFT_KEY_MAX. */
static int key_ok(const char *key)
{
	size_t n = 0;

	if (!key)
		return 0;
	for (; key[n]; n++)
		if ((unsigned char)key[n] <= 0x20 || (unsigned char)key[n] >= 0x7f)
			return 0;
	return n > 0 && n < DRAFT_KEY_MAX;
}

/* The entry of `key`, or NULL.  Caller holds the lock. */
static struct entry *entry_find(const char *key)
{
	for (size_t i = 0; i < DRAFT_SESSIONS; i++)
		if (table[i].key[0] && strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

/* Forget an entry's drafts.  Caller holds the lock. */
static void entry_clear(struct entry *en)
{
	for (int k = 0; k < DRAFT_KIND__MAX; k++)
		draft_free(&en->d[k]);
	en->key[0] = '\0';
	en->used = 0;
}

/* A free entry for `key`, evicting the least recently used session when
 * none is free.  Caller holds the lock. */
static struct entry *entry_new(const char *key)
{
	struct entry *en = NULL;

	for (size_t i = 0; i < DRAFT_SESSIONS; i++) {
		if (!table[i].key[0]) {
			en = &table[i];
			break;
		}
		if (!en || table[i].used < en->used)
			en = &table[i];
	}
	entry_clear(en);
	memcpy(en->key, key, strlen(key) + 1);
	for (int k = 0; k < DRAFT_KIND__MAX; k++)
		draft_init(&en->d[k]);
	return en;
}

/* Drop the entry if none of its drafts holds anything.  Caller holds the
 * lock. */
static void entry_prune(struct entry *en)
{
	for (int k = 0; k < DRAFT_KIND__MAX; k++)
		if (!draft_empty(&en->d[k]))
			return;
	entry_clear(en);
}

int draft_load(const char *key, enum draft_kind k, struct draft *out)
{
	struct entry *en;
	int r = 0;

	draft_init(out);
	if (!key_ok(key) || (unsigned)k >= DRAFT_KIND__MAX)
		return -1;
	pthread_mutex_lock(&lock);
	en = entry_find(key);
	if (en) {
		en->used = ++tick;
		r = draft_copy(out, &en->d[k]);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int draft_edit(const char *key, enum draft_kind k, draft_edit_fn fn, void *ctx,
               struct draft *out)
{
	struct entry *en;
	int r = 0;

	if (out)
		draft_init(out);
	if (!key_ok(key) || (unsigned)k >= DRAFT_KIND__MAX)
		return -1;
	pthread_mutex_lock(&lock);
	en = entry_find(key);
	if (!en)
		en = entry_new(key);
	en->used = ++tick;
	if (fn)
		fn(&en->d[k], ctx);
	if (out)
		r = draft_copy(out, &en->d[k]);
	entry_prune(en);
	pthread_mutex_unlock(&lock);
	return r;
}

size_t draft_sessions(void)
{
	size_t n = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < DRAFT_SESSIONS; i++)
		n += table[i].key[0] != '\0';
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned draft_remove_id(const char *action)
{
	int64_t id;

	if (!action || strncmp(action, "remove:", 7) != 0 ||
	    text_parse_int(action + 7, 1, 0xffffffffLL, &id) < 0)
		return 0;
	return (unsigned)id;
}
