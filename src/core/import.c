/*
 * import.c — CSV migration of assets (core/import.h): reading the file,
 * each row through the layout of import_map.c, custody and retirement,
 * all in one batch: in one transaction, or in an import job's slices
 * (import_job.c).
 */
#include "store/store.h"
#include "core/import.h"
#include "core/place.h"

#include <csv.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/asset.h"
#include "core/attr.h"
#include "core/fields.h"
#include "core/import_priv.h"
#include "core/internal.h"
#include "core/jsonw.h"
#include "util/buf.h"
#include "util/text.h"

#define CHUNK (64 * 1024)
#define ROW_MAX (1024 * 1024)          /* bytes of one row, fields and all */
#define PROGRESS_EVERY 2000

/* ==== a string map (holders met so far) ================================ */

/* Open addressing, keys owned; the values are holder ids.  One entry per
 * distinct badge, username, e-mail or name: bounded by the holders. */
struct strmap {
	char **keys;
	int64_t *vals;
	size_t cap, n;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int strmap_get(const struct strmap *m, const char *k, int64_t *v)
{
	if (!m->cap)
		return 0;
	for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return 0;
		if (strcmp(m->keys[i], k) == 0) {
			*v = m->vals[i];
			return 1;
		}
	}
}

static int strmap_put(struct strmap *m, const char *k, int64_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;
		struct strmap g = { calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(int64_t)), ncap,
			            0 };
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -1;
		}
		for (i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = hash_str(m->keys[i]) & (ncap - 1);
			while (g.keys[j])
				j = (j + 1) & (ncap - 1);
			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
			g.n++;
		}
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	for (i = hash_str(k) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], k) == 0) {
			m->vals[i] = v;
			return 0;
		}
	m->keys[i] = strdup(k);
	if (!m->keys[i])
		return -1;
	m->vals[i] = v;
	m->n++;
	return 0;
}

static void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ==== parse state ====================================================== */

struct parse {
	struct store *st;
	struct event_writer *w;
	struct at_errors *e;
	struct import_report *rep;
	const struct import_options *o;
	struct plan *plan;                   /* the current row's, reused */
	struct import_layout L;
	int have_layout;
	/* the current record: fields as NUL-separated text in `row` */
	struct buf row;
	size_t off[AT_IMPORT_MAX_COLS];
	size_t nfields;
	int too_many_fields, row_too_big;
	size_t rownum;                       /* 1-based record number */
	size_t refused;                      /* rows refused */
	int row_refused;                     /* the current one is */
	int latin1_hint;                     /* a row was not UTF-8 */
	enum at_code fatal;
	struct strmap holders;               /* "b"/"u"/"e"/"n" + key -> holder id */
	struct strmap seen;                  /* "i" + id: holders given custody */
	struct strmap cases;                 /* case name -> 2 x slots (+1: a fixed size) */
	char now[AT_TIME_LEN + 1];
	size_t bytes, total;
	/* Applying an import job (import_job.c): commit every SLICE_ROWS
	 * rows; the first `skip` rows were applied before a crash. */
	const struct import_slices *sl;
	size_t slice_rows;                   /* applied since the last commit */
	size_t committed;                    /* rows committed (the job's rows_done) */
};

static const char *field(const struct parse *p, size_t i)
{
	return i < p->nfields ? p->row.data + p->off[i] : "";
}

/* The value of destination `d` ("" when no column or no cell). */
static const char *val(const struct parse *p, enum import_dest d)
{
	return p->L.at[d] >= 0 ? field(p, (size_t)p->L.at[d]) : "";
}

/* Nothing but blanks? */
static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* Windows-1252's characters at 0x80-0x9F (0: undefined there). */
static const unsigned short cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
	0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
	0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* Append Latin-1 bytes as UTF-8.  An undefined byte becomes U+0081 & co,
 * a control character the field check then refuses with its row. */
static int add_latin1(struct buf *b, const unsigned char *s, size_t n)
{
	char u[3];

	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c >= 0x80 && c <= 0x9f && cp1252[c - 0x80])
			c = cp1252[c - 0x80];
		if (c < 0x80) {
			if (buf_addc(b, (char)c) < 0)
				return -1;
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | (c >> 6));
			u[1] = (char)(0x80 | (c & 0x3f));
			if (buf_add(b, u, 2) < 0)
				return -1;
		} else {
			u[0] = (char)(0xe0 | (c >> 12));
			u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			if (buf_add(b, u, 3) < 0)
				return -1;
		}
	}
	return 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct parse *p = ctx;
	int rc;

	if (p->nfields >= AT_IMPORT_MAX_COLS) {
		p->too_many_fields = 1;
		return;
	}
	p->off[p->nfields++] = p->row.len;
	rc = p->o->encoding == IMPORT_LATIN1 ? add_latin1(&p->row, data, len)
	                                     : buf_add(&p->row, data, len);
	if (rc < 0 || buf_addc(&p->row, '\0') < 0)
		p->row_too_big = 1;
}

/* ==== per-row helpers ================================================== */

/* Is `s` valid UTF-8?  `bad` gets the offset of the first bad byte. */
static int utf8_ok(const char *s, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (u[i]) {
		unsigned c = u[i];
		size_t n = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
		                                                   : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
		if (n == 0)
			goto bad;
		for (size_t k = 1; k < n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				goto bad;
		if ((c == 0xe0 && u[i + 1] < 0xa0) || (c == 0xed && u[i + 1] >= 0xa0) ||
		    (c == 0xf0 && u[i + 1] < 0x90) || (c == 0xf4 && u[i + 1] >= 0x90))
			goto bad;
		i += n;
	}
	return 1;
bad:
	*bad = i;
	return 0;
}

/* A refused row: one item, "row N (TAG): <message>". */
__attribute__((format(printf, 4, 5))) static void refuse(struct parse *p, enum at_code code,
                                                         const char *tag, const char *fmt, ...)
{
	char input[32], msg[AT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(input, sizeof(input), "row %zu", p->rownum);
	if (p->e->nitems < AT_IMPORT_MAX_REFUSED) {
		if (tag && *tag)
			at_item(p->e, input, code, "row %zu (%.64s): %s", p->rownum, tag, msg);
		else
			at_item(p->e, input, code, "row %zu: %s", p->rownum, msg);
	}
	/* An example per refused row: its first reason. */
	if (!p->row_refused++ && p->rep->nexamples[IMPORT_REFUSED] < AT_IMPORT_EXAMPLES) {
		struct import_example *x =
			&p->rep->examples[IMPORT_REFUSED][p->rep->nexamples[IMPORT_REFUSED]++];
		x->row = p->rownum;
		snprintf(x->tag, sizeof(x->tag), "%s", tag ? tag : "");
		snprintf(x->text, sizeof(x->text), "%s", msg);
	}
}

/* An example line of an outcome, for the report. */
__attribute__((format(printf, 4, 5))) static void example(struct parse *p,
                                                          enum import_outcome o,
                                                          const char *tag, const char *fmt,
                                                          ...)
{
	struct import_example *x;
	va_list ap;

	if (p->rep->nexamples[o] >= AT_IMPORT_EXAMPLES)
		return;
	x = &p->rep->examples[o][p->rep->nexamples[o]++];
	x->row = p->rownum;
	snprintf(x->tag, sizeof(x->tag), "%s", tag);
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
}

/* Count a status value for the report's status table. */
static void count_status(struct parse *p, const char *status, const char *to)
{
	struct import_report *r = p->rep;
	char name[AT_ATTR_NAME_MAX + 1];
	size_t i;

	text_clean_field(status, name, sizeof(name), AT_ATTR_NAME_MAX, 0, 0, "", NULL);
	for (i = 0; i < r->nstatuses; i++)
		if (strcmp(r->statuses[i].name, name) == 0) {
			r->statuses[i].rows++;
			return;
		}
	if (r->nstatuses == AT_IMPORT_STATUS_MAX) {
		r->statuses_other++;
		return;
	}
	snprintf(r->statuses[i].name, sizeof(r->statuses[i].name), "%s", name);
	snprintf(r->statuses[i].to, sizeof(r->statuses[i].to), "%s", to);
	r->statuses[i].rows = 1;
	r->nstatuses++;
}

/* ==== holders ========================================================== */

/* Who a custody row names. */
struct person {
	const char *name, *badge, *username, *email;
};

static void key_of(char *out, size_t cap, char kind, const char *v)
{
	size_t j = 0;

	out[j++] = kind;
	for (; *v && j + 1 < cap; v++)
		out[j++] = (kind == 'e' && *v >= 'A' && *v <= 'Z') ? (char)(*v + 32) : *v;
	out[j] = '\0';
}

/* Put k -> v in `m`; a job's new or changed entry also goes into its
 * keys, in the row's transaction, so that a roll forward knows it.
 * -1: out of memory; -2: the job's key not written (in p->e). */
static int map_put(struct parse *p, struct strmap *m, const char *k, int64_t v)
{
	char key[AT_PERSON_MAX + AT_NAME_MAX + 4];
	int64_t old = 0;
	int had = strmap_get(m, k, &old);

	if (strmap_put(m, k, v) < 0)
		return -1;
	if (!p->sl || (had && old == v))
		return 0;
	/* Holders' keys carry their kind's letter; case names get 'c'. */
	snprintf(key, sizeof(key), "%s%s", m == &p->cases ? "c" : "", k);
	return store_job_key_put(p->st, p->sl->job, key, v, p->e) == AT_OK ? 0 : -2;
}

/* Remember holder `id` under every key of `who`. */
static int remember(struct parse *p, const struct person *who, int64_t id)
{
	char k[AT_PERSON_MAX + 2];
	int r;

	if (who->badge[0]) {
		key_of(k, sizeof(k), 'b', who->badge);
		if ((r = map_put(p, &p->holders, k, id)) < 0)
			return r;
	}
	if (who->username[0]) {
		key_of(k, sizeof(k), 'u', who->username);
		if ((r = map_put(p, &p->holders, k, id)) < 0)
			return r;
	}
	if (who->email[0]) {
		key_of(k, sizeof(k), 'e', who->email);
		if ((r = map_put(p, &p->holders, k, id)) < 0)
			return r;
	}
	if (who->name[0]) {
		key_of(k, sizeof(k), 'n', who->name);
		if ((r = map_put(p, &p->holders, k, id)) < 0)
			return r;
	}
	return 0;
}

/* Holder `id` met earlier in the file, by the first key the row gives. */
static int cached(struct parse *p, const struct person *who, int64_t *id)
{
	char k[AT_PERSON_MAX + 2];

	if (who->badge[0]) {
		key_of(k, sizeof(k), 'b', who->badge);
		return strmap_get(&p->holders, k, id);
	}
	if (who->username[0]) {
		key_of(k, sizeof(k), 'u', who->username);
		return strmap_get(&p->holders, k, id);
	}
	if (who->email[0]) {
		key_of(k, sizeof(k), 'e', who->email);
		return strmap_get(&p->holders, k, id);
	}
	key_of(k, sizeof(k), 'n', who->name);
	return strmap_get(&p->holders, k, id);
}

/*
 * Find the holder in the database: by badge (employee number); else by
 * username, as a badge or an e-mail address; else by e-mail; else by
 * name.  The first key the row gives decides: a badge that matches nobody
 * means a new holder, not a search by name.  AT_NOT_FOUND: make one.
 */
static enum at_code find_holder(struct parse *p, const struct person *who, struct holder *h,
                                char *why)
{
	enum at_code c;

	if (who->badge[0])
		return store_holder_by_badge(p->st, who->badge, h);
	if (who->username[0]) {
		c = store_holder_by_badge(p->st, who->username, h);
		if (c != AT_NOT_FOUND || !strchr(who->username, '@'))
			return c;
		c = store_holder_by_email(p->st, who->username, h);
		if (c == AT_AMBIGUOUS)
			snprintf(why, AT_MSG_MAX, "two holders have the e-mail address %s",
			         who->username);
		return c;
	}
	if (who->email[0]) {
		c = store_holder_by_email(p->st, who->email, h);
		if (c == AT_AMBIGUOUS)
			snprintf(why, AT_MSG_MAX, "two holders have the e-mail address %s; give an "
			         "employee number", who->email);
		return c;
	}
	c = store_holder_by_name(p->st, who->name, h);
	if (c == AT_AMBIGUOUS)
		snprintf(why, AT_MSG_MAX, "two holders are named %s; give an employee number or "
		         "e-mail address", who->name);
	return c;
}

/* List a new holder in the report. */
static void list_new_holder(struct parse *p, const struct holder *h)
{
	struct import_report *r = p->rep;
	struct import_new_holder *n;

	r->holders_new++;
	if (r->nnew_holders >= AT_IMPORT_LIST_MAX)
		return;
	if (!r->new_holders) {
		r->new_holders = calloc(AT_IMPORT_LIST_MAX, sizeof(*r->new_holders));
		if (!r->new_holders)
			return;
	}
	n = &r->new_holders[r->nnew_holders++];
	n->row = p->rownum;
	snprintf(n->name, sizeof(n->name), "%s", h->name);
	snprintf(n->badge, sizeof(n->badge), "%s", h->badge);
	snprintf(n->email, sizeof(n->email), "%s", h->email);
}

/*
 * The holder a custody row names: met earlier in the file, found in the
 * database, or created now (HOLDER_CREATED, in this batch).  A new
 * holder's badge is the employee number, else the username when it can
 * be scanned (printable ASCII) and is not an e-mail address.  AT_OK with
 * `h`; else the row's refusal was reported, or a storage failure set
 * p->fatal.
 */
static enum at_code row_holder(struct parse *p, const struct person *who, const char *tag,
                               struct holder *h, int *is_new)
{
	struct at_errors he = AT_ERRORS_INIT;
	char why[AT_MSG_MAX] = "", badge[AT_PERSON_MAX + 1] = "", email[AT_PERSON_MAX + 1] = "";
	char idkey[32];
	int64_t id, dummy;
	int met;
	enum at_code c;

	*is_new = 0;
	met = cached(p, who, &id);
	if (met && p->rep->nexamples[IMPORT_CUSTODY] >= AT_IMPORT_EXAMPLES) {
		/* Met before, so active (a refused holder is not remembered) and
		 * unchanged since: only an example's text would need the record. */
		h->id = id;
		h->name[0] = h->badge[0] = h->email[0] = '\0';
		h->active = 1;
		c = AT_OK;
	} else if (met) {
		c = store_holder_by_id(p->st, id, h);
	} else {
		c = find_holder(p, who, h, why);
	}
	if (c == AT_NOT_FOUND) {
		if (who->badge[0])
			snprintf(badge, sizeof(badge), "%s", who->badge);
		else if (who->username[0] && !strchr(who->username, '@') &&
		         text_clean_scan(who->username, badge, sizeof(badge), NULL) < 0)
			badge[0] = '\0';
		if (who->email[0])
			snprintf(email, sizeof(email), "%s", who->email);
		else if (strchr(who->username, '@'))
			snprintf(email, sizeof(email), "%s", who->username);
		c = holder_create_in(p->st, p->w,
		                     who->name[0] ? who->name
		                     : who->username[0] ? who->username
		                     : who->email[0] ? who->email : who->badge,
		                     badge[0] ? badge : NULL, email[0] ? email : NULL,
		                     (int64_t)p->rownum, h, &he);
		if (c == AT_OK) {
			*is_new = 1;
			list_new_holder(p, h);
		} else {
			snprintf(why, sizeof(why), "the new holder is refused: %s",
			         he.nitems ? he.items[0].message : he.message);
		}
	} else if (c == AT_OK && !h->active) {
		snprintf(why, sizeof(why), "%s is deactivated and cannot take custody", h->name);
		c = AT_HOLDER_INACTIVE;
	}
	at_errors_free(&he);
	if (c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL) {
		p->fatal = c;
		at_fail(p->e, c, "row %zu: database error: %s", p->rownum, store_errmsg(p->st));
		return c;
	}
	if (c != AT_OK) {
		refuse(p, c, tag, "%s", why[0] ? why : "the holder cannot be found");
		return c;
	}
	if ((met = remember(p, who, h->id)) < 0) {
		p->fatal = met == -2 ? p->e->code : AT_INTERNAL;
		if (met == -1)
			at_fail(p->e, AT_INTERNAL, "out of memory");
		return p->fatal;
	}
	snprintf(idkey, sizeof(idkey), "i%lld", (long long)h->id);
	if (!strmap_get(&p->seen, idkey, &dummy)) {
		p->rep->holders++;
		strmap_put(&p->seen, idkey, 1);
	}
	return AT_OK;
}

/* ==== one row ========================================================== */

/* What a row asks for, worked out before anything is written. */
struct plan {
	struct asset_input in;
	size_t nattrs;
	char building[AT_FIELD_MAX * 2 + 1], room[AT_FIELD_MAX * 2 + 1];
	const char *status;
	enum status_kind kind;
	int has_cond;
	enum asset_condition cond;
	char status_to[96];
	int custody;
	struct person who;
	char kept_type[16];                  /* "location"/"asset": a kept checkout */
	char kept_name[32];
	char since[AT_TIME_LEN + 1];
	char due[11];
	char reason[AT_REASON_MAX + 1];
	int64_t position;
	int via_last_slot;                   /* custody passes through its last slot */
	char last_lost[AT_NAME_MAX + 16];    /* "CASE/POS" when that slot was taken */
	/* Last and not cleared per row: only its first nattrs are read. */
	struct attr_change attrs[AT_IMPORT_MAX_COLS + 2];
};

/* Keep the non-empty value of column i as its attribute. */
static void keep(struct plan *pl, const struct parse *p, size_t i)
{
	const char *v = field(p, i);

	if (!blank(v) && pl->nattrs < sizeof(pl->attrs) / sizeof(pl->attrs[0])) {
		pl->attrs[pl->nattrs].name = p->L.col[i].attr;
		pl->attrs[pl->nattrs++].value = v;
	}
}

/* Every cell of the row is UTF-8 (in UTF-8 mode); else the refusal, one
 * item per bad cell, naming the column and the way out. */
static int check_encoding(struct parse *p, const char *tag)
{
	size_t bad, tag_bad, n = 0;

	if (p->o->encoding == IMPORT_LATIN1)
		return 0;
	for (size_t i = 0; i < p->nfields; i++) {
		const char *v = field(p, i);
		if (utf8_ok(v, &bad))
			continue;
		n++;
		p->latin1_hint = 1;
		/* `bad` is v's: the tag's own check must not overwrite it. */
		refuse(p, AT_INVALID, utf8_ok(tag, &tag_bad) ? tag : NULL,
		       "%s is not valid UTF-8 (byte 0x%02X): the file looks like Latin-1 or "
		       "Windows-1252; import it with --encoding latin1",
		       i < p->L.ncols ? p->L.col[i].header : "a cell past the last column",
		       (unsigned char)v[bad]);
	}
	return n ? -1 : 0;
}

/* Decide the state: the status (or our state, or HomeBox's archived)
 * and the custody columns.  0, or -1 with the row refused. */
static int plan_state(struct parse *p, struct plan *pl, const char *tag)
{
	const char *type = val(p, ID_CHECKOUT_TYPE), *state = val(p, ID_STATE);
	int checked_out = p->L.at[ID_CHECKED_OUT] >= 0 ? import_yes_no(val(p, ID_CHECKED_OUT)) : 2;
	int named;

	pl->status = val(p, ID_STATUS);
	if (p->L.at[ID_STATE] >= 0 && !blank(state)) {
		char up[16];
		enum asset_state s;
		snprintf(up, sizeof(up), "%s", state);
		for (char *c = up; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 32);
		if (asset_state_parse(up, &s) < 0) {
			refuse(p, AT_INVALID, tag, "state must be STORAGE, IN_CUSTODY or RETIRED, not "
			       "'%.40s'", state);
			return -1;
		}
		pl->kind = s == ASSET_STORAGE ? SK_STORAGE : s == ASSET_IN_CUSTODY ? SK_CUSTODY
		                                                                   : SK_RETIRED;
		snprintf(pl->status_to, sizeof(pl->status_to), "%s", asset_state_name(s));
		pl->status = state;
	} else if (import_status_map(&p->L, pl->status, &pl->kind, &pl->has_cond, &pl->cond,
	                             pl->status_to) < 0) {
		refuse(p, AT_INVALID, tag,
		       "status '%.60s' has no mapping: add --status '%.60s=STORAGE' (or IN_CUSTODY, "
		       "RETIRED; :GOOD, :DAMAGED or :FAULTY)", pl->status, pl->status);
		return -1;
	}
	if (p->L.at[ID_STATUS] >= 0 && !blank(pl->status))
		count_status(p, pl->status, pl->status_to);
	if (p->L.at[ID_ARCHIVED] >= 0) {
		int a = import_yes_no(val(p, ID_ARCHIVED));
		if (a < 0) {
			refuse(p, AT_INVALID, tag, "archived must be true or false, not '%.20s'",
			       val(p, ID_ARCHIVED));
			return -1;
		}
		if (a == 1) {
			pl->kind = SK_RETIRED;
			pl->status = "archived";
		}
	}
	if (checked_out < 0) {
		refuse(p, AT_INVALID, tag, "%s must be yes or no, not '%.20s'",
		       p->L.col[p->L.at[ID_CHECKED_OUT]].header, val(p, ID_CHECKED_OUT));
		return -1;
	}
	pl->who.name = val(p, ID_HOLDER_NAME);
	pl->who.badge = val(p, ID_HOLDER_BADGE);
	pl->who.username = val(p, ID_HOLDER_USERNAME);
	pl->who.email = val(p, ID_HOLDER_EMAIL);
	if (!blank(type) && strcasecmp(type, "user") != 0) {
		if (strcasecmp(type, "location") != 0 && strcasecmp(type, "asset") != 0) {
			refuse(p, AT_INVALID, tag, "%s must be user, location or asset, not '%.20s'",
			       p->L.col[p->L.at[ID_CHECKOUT_TYPE]].header, type);
			return -1;
		}
		/* A checkout to a place or a thing: nobody holds it. */
		if (!blank(pl->who.name)) {
			snprintf(pl->kept_type, sizeof(pl->kept_type), "%s",
			         strcasecmp(type, "location") == 0 ? "location" : "asset");
			snprintf(pl->kept_name, sizeof(pl->kept_name), "Checked out to %s",
			         pl->kept_type);
		}
		return 0;
	}
	named = !blank(pl->who.name) || !blank(pl->who.badge) || !blank(pl->who.username) ||
	        !blank(pl->who.email);
	if (checked_out == 1 && !named) {
		refuse(p, AT_INVALID, tag, "it is checked out, but the row names nobody it is checked "
		       "out to");
		return -1;
	}
	pl->custody = named && checked_out != 0 && pl->kind != SK_STORAGE;
	if (pl->kind == SK_CUSTODY && !pl->custody) {
		refuse(p, AT_INVALID, tag, "'%.40s' means in custody, but the row names no holder",
		       pl->status);
		return -1;
	}
	if (pl->kind == SK_RETIRED && pl->custody) {
		refuse(p, AT_CONFLICT, tag,
		       "'%.40s' retires it, but it is checked out to %.60s: check it in at the source, "
		       "or map the status with --status", pl->status,
		       !blank(pl->who.name) ? pl->who.name : !blank(pl->who.username) ? pl->who.username
		       : !blank(pl->who.badge) ? pl->who.badge : pl->who.email);
		return -1;
	}
	return 0;
}

/* The dates of a custody: since (never in the future), due. */
static int plan_dates(struct parse *p, struct plan *pl, const char *tag)
{
	char why[AT_WHY_MAX], date[11];
	const char *since = val(p, ID_SINCE), *due = val(p, ID_DUE);

	memcpy(pl->since, p->now, sizeof(pl->since));
	if (!blank(since)) {
		if (import_parse_date(since, date, pl->since, why) < 0) {
			refuse(p, AT_INVALID, tag, "%s: %s", p->L.col[p->L.at[ID_SINCE]].header, why);
			return -1;
		}
		if (strcmp(pl->since, p->now) > 0) {
			refuse(p, AT_INVALID, tag, "%s %.10s is in the future",
			       p->L.col[p->L.at[ID_SINCE]].header, pl->since);
			return -1;
		}
	}
	if (!blank(due) && import_parse_date(due, pl->due, NULL, why) < 0) {
		refuse(p, AT_INVALID, tag, "%s: %s", p->L.col[p->L.at[ID_DUE]].header, why);
		return -1;
	}
	return 0;
}

/* The asset's fields and attributes from the row. */
static void plan_fields(struct parse *p, struct plan *pl)
{
	static const enum import_dest plain[] = { ID_TAG, ID_SERIAL, ID_MANUFACTURER, ID_TYPE,
		                                  ID_MODEL, ID_MODEL_CODE, ID_NOTES };
	static const enum asset_field fld[] = { AF_TAG, AF_SERIAL, AF_MANUFACTURER, AF_TYPE,
		                                AF_MODEL, AF_MODEL_CODE, AF_NOTES };
	const struct import_layout *L = &p->L;
	const char *room = val(p, ID_ROOM), *cas = val(p, ID_CASE);

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (L->at[plain[i]] >= 0)
			*asset_input_field(&pl->in, &asset_fields[fld[i]]) = val(p, plain[i]);
	if (L->at[ID_BUILDING] >= 0) {
		pl->in.building = val(p, ID_BUILDING);
		pl->in.room = blank(room) ? L->default_room : room;
	} else if (L->at[ID_LOCATION] >= 0) {
		import_split_location(val(p, ID_LOCATION), L->default_room, pl->building,
		                      sizeof(pl->building), pl->room, sizeof(pl->room));
		pl->in.building = pl->building;
		pl->in.room = blank(room) ? pl->room : room;
	}
	if (!blank(val(p, ID_CONDITION)))
		pl->in.condition = val(p, ID_CONDITION);
	else if (pl->has_cond)
		pl->in.condition = asset_condition_name(pl->cond);
	if (!blank(cas)) {
		pl->in.slot_case = cas;
		pl->in.slot_position = text_parse_int(val(p, ID_POSITION), 1, 1000, &pl->position) == 0
		                               ? (int)pl->position
		                               : -1;
	} else if (pl->custody && !blank(val(p, ID_LAST_CASE)) &&
	           text_parse_int(val(p, ID_LAST_POSITION), 1, 1000, &pl->position) == 0) {
		/* Created in the slot it left, then given out: its STOCK_OUT
		 * records the slot a Stock-In returns it to, as at the source. */
		pl->in.slot_case = val(p, ID_LAST_CASE);
		pl->in.slot_position = (int)pl->position;
		pl->via_last_slot = 1;
	}
	/* Kept: the columns that are attributes, the status as it read, and
	 * what a custody column says about a row nobody holds. */
	for (size_t i = 0; i < p->nfields && i < L->ncols; i++) {
		enum import_dest d = L->col[i].dest;
		if (d == ID_ATTR || d == ID_STATUS)
			keep(pl, p, i);
		else if (!pl->custody && (d == ID_HOLDER_BADGE || d == ID_HOLDER_USERNAME ||
		                          d == ID_HOLDER_EMAIL || d == ID_SINCE || d == ID_DUE ||
		                          (d == ID_HOLDER_NAME && !pl->kept_type[0])))
			keep(pl, p, i);
	}
	if (pl->kept_type[0] && pl->nattrs < sizeof(pl->attrs) / sizeof(pl->attrs[0])) {
		pl->attrs[pl->nattrs].name = pl->kept_name;
		pl->attrs[pl->nattrs++].value = pl->who.name;
	}
	pl->in.attrs = pl->attrs;
	pl->in.nattrs = pl->nattrs;
}

/* Check a storage failure: fatal, the import stops. */
static int fatal_code(enum at_code c)
{
	return c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL;
}

/* Put a created asset in custody of `h` (STOCK_OUT, its since and due). */
static enum at_code give_custody(struct parse *p, struct asset *a, const struct holder *h,
                                 const struct plan *pl, struct at_errors *re)
{
	struct jw_member m[3] = {
		{ "since", JW_STR, pl->since, 0, 0 },
		{ "import_row", JW_INT, NULL, (int64_t)p->rownum, 0 },
		{ "due", JW_STR, pl->due, 0, 1 },
	};
	struct event ev;
	struct buf details;
	enum at_code c;

	memset(&ev, 0, sizeof(ev));
	ev.type = "STOCK_OUT";
	ev.asset_tag = a->tag;
	ev.holder_id = h->id;
	/* Out of the slot it was created in (its last slot at the source),
	 * which a Stock-In without a slot returns it to. */
	ev.from_case = a->case_id ? a->case_name : NULL;
	ev.from_position = a->case_id ? a->position : 0;
	a->last_case_id = a->case_id;
	a->last_position = a->position;
	memcpy(a->last_case_name, a->case_name, sizeof(a->last_case_name));
	a->case_id = 0;
	a->position = 0;
	a->state = ASSET_IN_CUSTODY;
	a->holder_id = h->id;
	snprintf(a->holder_name, sizeof(a->holder_name), "%s", h->name);
	snprintf(a->due, sizeof(a->due), "%s", pl->due);
	memcpy(a->custody_since, pl->since, sizeof(a->custody_since));
	c = store_asset_save(p->st, a, re);
	if (c != AT_OK)
		return c;
	buf_init(&details, 0);
	jsonw_object(&details, m, 3, 1);
	c = event_append_text(p->w, &ev, details.data, re);
	buf_free(&details);
	return c;
}

/* Retire a created asset, the status being the reason (ASSET_RETIRED). */
static enum at_code retire(struct parse *p, struct asset *a, const struct plan *pl,
                           struct at_errors *re)
{
	struct event ev;
	char details[40];
	enum at_code c;

	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_RETIRED";
	ev.asset_tag = a->tag;
	ev.reason = pl->reason;
	if (a->case_id) {
		ev.from_case = a->case_name;
		ev.from_position = a->position;
	}
	a->state = ASSET_RETIRED;
	a->case_id = 0;
	a->position = 0;
	memcpy(a->retired_at, p->w->at, sizeof(a->retired_at));
	c = store_asset_save(p->st, a, re);
	if (c != AT_OK)
		return c;
	snprintf(details, sizeof(details), "{\"import_row\":%zu}", p->rownum);
	return event_append_text(p->w, &ev, details, re);
}

/* List a kept checkout in the report. */
static void list_kept(struct parse *p, const struct plan *pl, const char *tag)
{
	struct import_report *r = p->rep;
	struct import_kept *k;

	r->kept_checkouts++;
	if (r->nkept >= AT_IMPORT_LIST_MAX)
		return;
	if (!r->kept) {
		r->kept = calloc(AT_IMPORT_LIST_MAX, sizeof(*r->kept));
		if (!r->kept)
			return;
	}
	k = &r->kept[r->nkept++];
	k->row = p->rownum;
	snprintf(k->tag, sizeof(k->tag), "%s", tag);
	snprintf(k->type, sizeof(k->type), "%s", pl->kept_type);
	snprintf(k->to, sizeof(k->to), "%s", pl->who.name);
}

/* The refusal of creating the asset, as row items. */
static void refuse_items(struct parse *p, const char *tag, const struct at_errors *re)
{
	if (re->nitems == 0)
		refuse(p, re->code, tag, "%s", re->message);
	for (size_t i = 0; i < re->nitems; i++)
		refuse(p, re->items[i].code, tag, "%s", re->items[i].message);
}

/* Was creating the asset refused for its slot alone? */
static int only_slot_refused(const struct at_errors *re)
{
	if (!re->nitems)
		return 0;
	for (size_t i = 0; i < re->nitems; i++)
		if (re->items[i].code != AT_SLOT_OCCUPIED)
			return 0;
	return 1;
}

/* List a new case in the report. */
static void list_new_case(struct parse *p, const struct case_info *c)
{
	struct import_report *r = p->rep;
	struct import_new_case *n;

	r->cases_new++;
	if (r->nnew_cases >= AT_IMPORT_LIST_MAX)
		return;
	if (!r->new_cases) {
		r->new_cases = calloc(AT_IMPORT_LIST_MAX, sizeof(*r->new_cases));
		if (!r->new_cases)
			return;
	}
	n = &r->new_cases[r->nnew_cases++];
	n->row = p->rownum;
	snprintf(n->name, sizeof(n->name), "%s", c->name);
	n->slots = c->slot_count;
}

/*
 * The case of the row's slot: in the database, or created now
 * (CASE_CREATED, in this batch) with the file's case_slots or, without
 * it, as many slots as the highest position the file gives it (grown,
 * CASE_RESIZED, as rows need).  A case already in the database is left
 * as it is: a position beyond its slots is the row's refusal.  0, or -1
 * when the row was refused or a storage failure set p->fatal.
 */
static int row_case(struct parse *p, struct plan *pl, const char *tag)
{
	struct at_errors ce = AT_ERRORS_INIT;
	struct case_info cs;
	char extra[48];
	const char *slots_text = val(p, ID_CASE_SLOTS), *b = val(p, ID_CASE_BUILDING),
	           *r = val(p, ID_CASE_ROOM);
	int64_t known = 0, slots = pl->in.slot_position;
	int fixed = !blank(slots_text), put;
	enum at_code c;

	c = store_case_by_name(p->st, pl->in.slot_case, &cs);
	if (c == AT_OK && (!strmap_get(&p->cases, cs.name, &known) || (known & 1) ||
	                   pl->in.slot_position <= cs.slot_count))
		return 0; /* not this import's, or big enough */
	if (c != AT_OK && c != AT_NOT_FOUND) {
		p->fatal = c;
		at_fail(p->e, c, "row %zu: reading case %s: %s", p->rownum, pl->in.slot_case,
		        store_errmsg(p->st));
		return -1;
	}
	if (c == AT_NOT_FOUND && fixed &&
	    text_parse_int(slots_text, 1, AT_MAX_SLOTS, &slots) < 0) {
		refuse(p, AT_INVALID, tag, "case_slots must be a whole number from 1 to %d, not "
		       "'%.16s'", AT_MAX_SLOTS, slots_text);
		return -1;
	}
	snprintf(extra, sizeof(extra), "{\"import_row\":%zu}", p->rownum);
	if (c == AT_OK)
		c = case_grow_in(p->st, p->w, &cs, pl->in.slot_position, extra, &ce);
	else
		c = case_create_in(p->st, p->w, pl->in.slot_case, slots,
		                   p->L.at[ID_CASE_BUILDING] < 0 ? pl->in.building : b,
		                   p->L.at[ID_CASE_ROOM] < 0 ? pl->in.room : r, NULL,
		                   extra, &cs, &ce);
	if (c == AT_OK && (put = map_put(p, &p->cases, cs.name, 2 * (int64_t)cs.slot_count +
	                                 fixed)) < 0)
		c = put == -2 ? at_fail(&ce, p->e->code, "%s", p->e->message)
		    : at_fail(&ce, AT_INTERNAL, "out of memory");
	if (c == AT_OK && !known)
		list_new_case(p, &cs);
	if (fatal_code(c)) {
		p->fatal = c;
		at_fail(p->e, c, "row %zu: %s", p->rownum, ce.message);
	} else if (c != AT_OK) {
		refuse_items(p, tag, &ce);
	}
	at_errors_free(&ce);
	return c == AT_OK ? 0 : -1;
}

/* Create the asset of one data row, and its custody or retirement. */
static void import_row(struct parse *p)
{
	struct at_errors re = AT_ERRORS_INIT;
	struct plan *pl = p->plan;
	struct holder h;
	struct asset a;
	const char *tag;
	char cleaned[AT_TAG_MAX + 1];
	int is_new = 0;
	enum at_code c = AT_OK;

	memset(pl, 0, offsetof(struct plan, attrs));
	p->rep->rows++;
	tag = val(p, ID_TAG);
	if (text_clean_scan(tag, cleaned, sizeof(cleaned), NULL) == 0)
		tag = cleaned;
	if (p->too_many_fields || p->nfields > p->L.ncols) {
		for (size_t i = p->L.ncols; i < p->nfields; i++)
			if (!blank(field(p, i))) {
				refuse(p, AT_INVALID, tag,
				       "it has more cells than the header has columns (%zu); a quote may be "
				       "missing", p->L.ncols);
				goto out;
			}
		if (p->too_many_fields) {
			refuse(p, AT_TOO_LARGE, tag, "more than %d cells", AT_IMPORT_MAX_COLS);
			goto out;
		}
	}
	if (check_encoding(p, tag) < 0 || plan_state(p, pl, tag) < 0 ||
	    (pl->custody && plan_dates(p, pl, tag) < 0))
		goto out;
	plan_fields(p, pl);
	if (pl->custody && pl->in.slot_case && !pl->via_last_slot) {
		refuse(p, AT_INVALID, tag, "it is checked out to someone, so it cannot be in slot "
		       "%.64s/%.8s too", pl->in.slot_case, val(p, ID_POSITION));
		goto out;
	}
	if (pl->kind == SK_RETIRED &&
	    text_clean_field(pl->status, pl->reason, sizeof(pl->reason), AT_REASON_MAX, 1, 0,
	                     "status", NULL) < 0)
		snprintf(pl->reason, sizeof(pl->reason), "retired before the import");

	if (pl->in.slot_case && pl->in.slot_position > 0 && p->o->slot_seen)
		p->o->slot_seen(p->o->sctx, pl->in.slot_case, pl->in.slot_position);
	if (pl->in.slot_case && pl->in.slot_position > 0 && row_case(p, pl, tag) < 0)
		goto out; /* reported */
	c = asset_create_in(p->st, p->w, &pl->in, (int64_t)p->rownum, &a, &re);
	if (c != AT_OK && pl->via_last_slot && only_slot_refused(&re)) {
		/* Its last slot holds another asset now: given out from no slot. */
		snprintf(pl->last_lost, sizeof(pl->last_lost), "%.64s/%d", pl->in.slot_case,
		         pl->in.slot_position);
		at_errors_free(&re);
		pl->in.slot_case = NULL;
		c = asset_create_in(p->st, p->w, &pl->in, (int64_t)p->rownum, &a, &re);
	}
	if (c == AT_OK && pl->custody) {
		c = row_holder(p, &pl->who, a.tag, &h, &is_new);
		if (c != AT_OK)
			goto out; /* reported */
		c = give_custody(p, &a, &h, pl, &re);
	} else if (c == AT_OK && pl->kind == SK_RETIRED) {
		c = retire(p, &a, pl, &re);
	}
	if (fatal_code(c) || (c != AT_OK && fatal_code(re.code))) {
		p->fatal = fatal_code(c) ? c : re.code;
		at_fail(p->e, p->fatal, "row %zu: %s", p->rownum, re.message);
		goto out;
	}
	if (c != AT_OK) {
		refuse_items(p, tag, &re);
		goto out;
	}
	p->rep->created++;
	if (pl->custody) {
		p->rep->count[IMPORT_CUSTODY]++;
		example(p, IMPORT_CUSTODY, a.tag, "in custody of %s%s%s%s since %.10s%s%s%s%s%s",
		        h.name, h.badge[0] ? " (" : "", h.badge, h.badge[0] ? ")" : "", pl->since,
		        pl->due[0] ? ", due " : "", pl->due, is_new ? "; a new holder" : "",
		        pl->last_lost[0] ? "; its last slot is taken, not kept: " : "",
		        pl->last_lost);
	} else if (pl->kind == SK_RETIRED) {
		p->rep->count[IMPORT_RETIRED]++;
		example(p, IMPORT_RETIRED, a.tag, "retired: %s", pl->reason);
	} else {
		p->rep->count[IMPORT_STORAGE]++;
		if (a.case_id)
			example(p, IMPORT_STORAGE, a.tag, "in storage in slot %s/%d, %s, %s / %s",
			        a.case_name, a.position, asset_condition_name(a.condition), a.building,
			        a.room);
		else
			example(p, IMPORT_STORAGE, a.tag, "in storage, in no slot, %s, %s / %s",
			        asset_condition_name(a.condition), a.building, a.room);
	}
	if (pl->kept_type[0])
		list_kept(p, pl, a.tag);
out:
	at_errors_free(&re);
}

/* A key the job wrote before a crash (map_put), back in its map; the
 * slots ('s') are the gate's, not the rows'. */
static int load_key(void *ctx, const char *key, int64_t value)
{
	struct parse *p = ctx;

	if (!key || key[0] == 's')
		return 0;
	if (key[0] == 'c')
		return strmap_put(&p->cases, key + 1, value);
	return strmap_put(&p->holders, key, value);
}

/*
 * Between two transactions of an import job, the writers that wait get
 * their turn.  On SQLite a writer waiting on the lock polls every half
 * millisecond (drv_sqlite's busy handler): a millisecond's pause lets
 * one of another process in.  An operation of this process in op_begin
 * (op_writers_waiting) is waited for until it has its lock, for up to
 * YIELD_MAX_US: each transaction of the job would otherwise begin again
 * before the waiter's next poll, and the scan wait behind several (it
 * waited 114 ms behind the kept file's deletes, bench/README.md).
 * PostgreSQL queues the waiters on the head row's lock and serves them
 * in turn; the job's own writes to its parts take no lock they need.
 */
#define YIELD_MAX_US 20000

void import_yield(struct store *st)
{
	struct timespec gap = { 0, 1000 * 1000 }, nap = { 0, 100 * 1000 };

	if (store_is_sqlite(st))
		nanosleep(&gap, NULL);
	for (int us = 0; us < YIELD_MAX_US && op_writers_waiting() > 0; us += 100)
		nanosleep(&nap, NULL);
}

/*
 * The search index merged by a job (store.h, store_search_merge), in the
 * job's transaction: up to SEARCH_MERGE_STEPS steps of SEARCH_MERGE_PAGES
 * pages (a millisecond or two each), none while an operation of this
 * process waits to write.  FTS5's own merging writes about six pages for
 * each new one; these steps keep up with a slice of 100 Snipe-IT rows
 * (bench/README.md).  0 when nothing was left to merge, or on a failure,
 * which leaves the rest to FTS5's own merging: the index is whole either
 * way.
 */
#define SEARCH_MERGE_PAGES 64
#define SEARCH_MERGE_STEPS 4

static int search_merge_some(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	int worked = 1;

	for (int i = 0; worked && i < SEARCH_MERGE_STEPS && !op_writers_waiting(); i++)
		if (store_search_merge(st, SEARCH_MERGE_PAGES, &worked, &e) != AT_OK)
			worked = 0;
	at_errors_free(&e);
	return worked;
}

void import_search_merged(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	int more = store_is_sqlite(st);

	while (more && store_begin(st, &e) == AT_OK) {
		more = search_merge_some(st);
		if (store_commit(st, &e) != AT_OK) {
			store_rollback(st);
			break;
		}
		import_yield(st);
	}
	at_errors_free(&e);
}

/*
 * Commit the rows of this slice with the job's progress, and begin the
 * next.  A slice ends at IMPORT_SLICE_ROWS rows, or after the row in
 * hand when an operation of this process waits to write
 * (op_writers_waiting): a scan waits for one row, not a slice.
 */
static void slice_commit(struct parse *p)
{
	enum at_code c = store_asset_flush(p->st, p->e);

	if (c == AT_OK)
		c = event_writer_flush(p->w, p->e);
	if (c == AT_OK && store_is_sqlite(p->st))
		search_merge_some(p->st);
	if (c == AT_OK)
		c = store_job_progress(p->st, p->sl->job, (int64_t)p->committed,
		                       (int64_t)p->rep->rows, (int64_t)time(NULL), NULL, p->e);
	if (c == AT_OK)
		c = store_commit(p->st, p->e);
	if (c != AT_OK) {
		p->fatal = c;
		return;
	}
	p->committed = p->rep->rows;
	p->slice_rows = 0;
	import_yield(p->st);
	c = store_begin(p->st, p->e);
	if (c == AT_OK) {
		op_hook_begun();
		c = event_writer_continue(p->w, p->e);
	}
	if (c != AT_OK)
		p->fatal = c;
}

static void on_record(int term, void *ctx)
{
	struct parse *p = ctx;
	size_t seen;

	(void)term;
	p->rownum++;
	if (p->fatal)
		goto next;
	if (p->row_too_big) {
		p->fatal = AT_TOO_LARGE;
		at_fail(p->e, AT_TOO_LARGE, "row %zu is longer than %d bytes", p->rownum, ROW_MAX);
		goto next;
	}
	if (!p->have_layout) {
		size_t bad;
		char *names[AT_IMPORT_MAX_COLS];
		if (p->too_many_fields) {
			p->fatal = AT_TOO_LARGE;
			at_fail(p->e, AT_TOO_LARGE, "the header has more than %d columns",
			        AT_IMPORT_MAX_COLS);
			goto next;
		}
		for (size_t i = 0; i < p->nfields; i++) {
			names[i] = p->row.data + p->off[i];
			if (!utf8_ok(names[i], &bad)) {
				p->fatal = AT_INVALID;
				at_fail(p->e, AT_INVALID, "the header row is not valid UTF-8: the file looks "
				        "like Latin-1 or Windows-1252; import it with --encoding latin1");
				goto next;
			}
		}
		if (import_layout_build(&p->L, names, p->nfields, p->o, p->rep, p->e) != AT_OK)
			p->fatal = p->e->code ? p->e->code : AT_INVALID;
		p->have_layout = 1;
		goto next;
	}
	seen = 0;
	for (size_t i = 0; i < p->nfields; i++)
		seen |= !blank(field(p, i));
	if (!seen)
		goto next;
	if (p->rep->rows >= AT_IMPORT_MAX_ROWS) {
		p->fatal = AT_TOO_LARGE;
		at_fail(p->e, AT_TOO_LARGE, "an import holds at most %d rows", AT_IMPORT_MAX_ROWS);
		goto next;
	}
	if (p->sl && p->rep->rows < p->sl->skip) {
		p->rep->rows++; /* applied before the roll forward */
		goto next;
	}
	p->row_refused = 0;
	import_row(p);
	/* A row is refused once, whatever number of reasons it gave. */
	if (p->row_refused && !p->fatal)
		p->refused++;
	if (p->sl && !p->fatal) {
		/* The check passed and the gate kept out what could change
		 * that: a refusal now is not the file's fault, and the rows
		 * before it are committed.  import_job_run() says so. */
		if (p->row_refused)
			p->fatal = AT_CONFLICT;
		else if (++p->slice_rows >= IMPORT_SLICE_ROWS || op_writers_waiting())
			slice_commit(p);
	}
	if (p->o->progress && p->rep->rows % PROGRESS_EVERY == 0) {
		p->o->progress(p->o->pctx, p->rep->rows, p->bytes, p->total);
		op_hook_import_progress();
	}
next:
	buf_reset(&p->row);
	p->nfields = 0;
	p->too_many_fields = 0;
	p->row_too_big = 0;
}

/* ==== reading the file ================================================= */

/* libcsv's blank test: spaces around unquoted fields are trimmed, but a
 * tab is a delimiter in a tab-separated file, not a blank. */
static int is_space(unsigned char c)
{
	return c == ' ';
}

/* The delimiter of the header line: the most frequent of , ; and tab
 * outside quotes (',' on a tie or when there is none). */
static char sniff_delimiter(const char *s, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;

	for (size_t i = 0; i < n && (quoted || (s[i] != '\n' && s[i] != '\r')); i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ',')
			comma++;
		else if (!quoted && s[i] == ';')
			semi++;
		else if (!quoted && s[i] == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Feed the whole input to the parser.  AT_OK or the failure in `e`. */
static enum at_code feed(struct parse *p, struct csv_parser *csv, import_read_fn rd, void *rctx)
{
	char *chunk = malloc(CHUNK);
	int first = 1;
	long n;
	enum at_code c = AT_OK;

	if (!chunk)
		return at_fail(p->e, AT_INTERNAL, "out of memory");
	while ((n = rd(rctx, chunk, CHUNK)) > 0) {
		char *d = chunk;
		size_t len = (size_t)n;
		p->bytes += len;
		if (first) {
			first = 0;
			if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) {
				d += 3;
				len -= 3;
			}
			p->rep->delimiter = sniff_delimiter(d, len);
			csv_set_delim(csv, (unsigned char)p->rep->delimiter);
		}
		if (csv_parse(csv, d, len, on_field, on_record, p) != len) {
			c = at_fail(p->e, AT_MALFORMED, "the CSV is malformed near row %zu: %s",
			            p->rownum + 1, csv_strerror(csv_error(csv)));
			break;
		}
		/* libcsv grows its buffer for a field as long as it lasts. */
		if (csv->entry_pos > ROW_MAX) {
			c = at_fail(p->e, AT_TOO_LARGE, "row %zu has a cell longer than %d bytes",
			            p->rownum + 1, ROW_MAX);
			break;
		}
		if (p->fatal)
			break;
	}
	if (n < 0 && c == AT_OK)
		c = at_fail(p->e, AT_INVALID, "the CSV cannot be read to its end");
	if (c == AT_OK && !p->fatal && csv_fini(csv, on_field, on_record, p) != 0)
		c = at_fail(p->e, AT_MALFORMED, "the CSV is malformed near row %zu: %s",
		            p->rownum + 1, csv_strerror(csv_error(csv)));
	free(chunk);
	return c;
}

void import_report_free(struct import_report *r)
{
	if (!r)
		return;
	free(r->cols);
	free(r->new_holders);
	free(r->new_cases);
	free(r->kept);
	r->cols = NULL;
	r->new_holders = NULL;
	r->new_cases = NULL;
	r->kept = NULL;
	r->ncols = r->nnew_holders = r->nnew_cases = r->nkept = 0;
}

/*
 * A dry run aside: the same run on a scratch store that reads `st`
 * through, `st` held in one read snapshot meanwhile.  The scratch takes
 * the writes; `st` is only read, so its writers go on (a 100,000-row
 * check held them for seconds in place).
 */
enum at_code import_check_aside(struct store *st, const char *actor,
                                const struct import_options *o, import_read_fn rd, void *rctx,
                                struct import_report *rep, struct at_errors *e)
{
	struct import_options in = *o;
	struct store *scratch = NULL;
	enum at_code c;

	in.dry_run_in_place = 1;
	c = store_begin_read(st, e);
	if (c != AT_OK)
		return c;
	c = store_open("", STORE_CREATE | STORE_SCRATCH, &scratch, e);
	if (c == AT_OK)
		c = store_overlay(scratch, st, e);
	if (c == AT_OK)
		c = import_engine(scratch, actor, &in, rd, rctx, rep, e, NULL);
	store_close(scratch);
	store_rollback(st);
	return c;
}

enum at_code import_run(struct store *st, const char *actor, const struct import_options *o,
                        import_read_fn rd, void *rctx, struct import_report *rep,
                        struct at_errors *e)
{
	static const struct import_options defaults;

	if (!o)
		o = &defaults;
	if (!o->dry_run)
		return import_job_run(st, actor, o, rd, rctx, rep, e);
	if (!o->dry_run_in_place)
		return import_check_aside(st, actor, o, rd, rctx, rep, e);
	return import_engine(st, actor, o, rd, rctx, rep, e, NULL);
}

enum at_code import_engine(struct store *st, const char *actor, const struct import_options *o,
                           import_read_fn rd, void *rctx, struct import_report *rep,
                           struct at_errors *e, const struct import_slices *sl)
{
	struct csv_parser csv;
	struct event_writer w;
	struct timespec t0;
	struct parse *p = NULL;
	enum at_code c;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(rep, 0, sizeof(*rep));
	rep->dry_run = o->dry_run;
	snprintf(rep->format, sizeof(rep->format), "csv");
	snprintf(rep->encoding, sizeof(rep->encoding), "%s",
	         o->encoding == IMPORT_LATIN1 ? "latin1" : "utf-8");
	rep->delimiter = ',';
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return at_fail(e, AT_INTERNAL, "cannot start the CSV parser");
	csv_set_space_func(&csv, is_space);
	p = calloc(1, sizeof(*p));
	if (p)
		p->plan = malloc(sizeof(*p->plan));
	if (!p || !p->plan) {
		free(p);
		csv_free(&csv);
		return at_fail(e, AT_INTERNAL, "out of memory");
	}
	store_bulk(st, 1);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK) {
		store_bulk(st, 0);
		csv_free(&csv);
		free(p->plan);
		free(p);
		return c;
	}
	w.dry_run = o->dry_run;
	if (sl) {
		memcpy(w.batch_id, sl->batch_id, sizeof(w.batch_id));
		w.own_job = sl->job;
	}
	c = event_writer_bulk(&w, e);
	/* Assets too go in many to a statement (store_asset_defer). */
	if (c == AT_OK)
		c = store_asset_defer(st, 1, e);
	if (c != AT_OK) {
		event_writer_release(&w);
		store_rollback(st);
		store_bulk(st, 0);
		csv_free(&csv);
		free(p->plan);
		free(p);
		return c;
	}
	p->st = st;
	p->w = &w;
	p->e = e;
	p->rep = rep;
	p->o = o;
	p->sl = sl;
	if (sl && sl->skip) {
		p->committed = sl->skip;
		c = store_job_keys(st, sl->job, load_key, p);
		if (c != AT_OK) {
			c = at_fail(e, c, "cannot read the import job's keys: %s", store_errmsg(st));
			goto out;
		}
	}
	p->total = o->total_bytes;
	memcpy(p->now, w.at, sizeof(p->now));
	buf_init(&p->row, ROW_MAX + AT_IMPORT_MAX_COLS * 4);
	c = feed(p, &csv, rd, rctx);
	if (c != AT_OK)
		goto out;
	if (p->fatal) {
		c = p->fatal == AT_INTERNAL ? at_fail(e, AT_INTERNAL, "out of memory")
		    : e->code ? e->code : p->fatal;
		goto out;
	}
	if (!p->have_layout) {
		c = at_fail(e, AT_INVALID, "the CSV is empty: it needs a header row");
		goto out;
	}
	rep->count[IMPORT_REFUSED] = p->refused;
	if (p->refused) {
		c = at_fail(e, e->nitems ? e->items[0].code : AT_INVALID,
		            "%zu of %zu rows refused; nothing was imported%s%s", p->refused, rep->rows,
		            p->refused > AT_IMPORT_MAX_REFUSED ? " (the first reasons are shown)" : "",
		            p->latin1_hint ? "; the file is not UTF-8: try --encoding latin1" : "");
		goto out;
	}
	if (rep->rows == 0) {
		c = at_fail(e, AT_INVALID, "the CSV has a header but no rows");
		goto out;
	}
	/* The last assets and events in, a dry run's too: their checks run. */
	c = store_asset_flush(st, e);
	if (c == AT_OK)
		c = event_writer_flush(&w, e);
	if (c == AT_OK && sl) {
		/* The last slice ends the job: done, its working rows gone. */
		char at[AT_TIME_LEN + 1];
		text_now(at);
		c = store_job_progress(st, sl->job, (int64_t)p->committed, (int64_t)rep->rows,
		                       (int64_t)time(NULL), at, e);
		if (c == AT_OK)
			c = store_job_clear(st, sl->job, e);
		if (c == AT_OK)
			c = store_search_automerge(st, 1, e);
	}
	if (c != AT_OK)
		goto out;
	if (o->dry_run) {
		/* Everything was checked by doing it; now undo it. */
		store_rollback(st);
		c = AT_OK;
		goto done;
	}
	c = AT_OK;
out:
	c = op_end(st, c, e);
	if (c == AT_OK && !o->dry_run)
		snprintf(rep->batch_id, sizeof(rep->batch_id), "%s", w.batch_id);
	else if (c != AT_OK)
		rep->created = 0;
done:
	store_asset_defer(st, 0, NULL);
	event_writer_release(&w);
	store_bulk(st, 0);
	if (o->progress)
		o->progress(o->pctx, rep->rows, p->bytes, p->total);
	rep->seconds = seconds_since(&t0);
	import_layout_free(&p->L);
	strmap_free(&p->holders);
	strmap_free(&p->seen);
	strmap_free(&p->cases);
	buf_free(&p->row);
	free(p->plan);
	free(p);
	csv_free(&csv);
	return c;
}

/* ==== in memory, and the simple form =================================== */

struct mem_reader {
	const char *data;
	size_t len, pos;
};

static long mem_read(void *ctx, char *buf, size_t cap)
{
	struct mem_reader *m = ctx;
	size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;

	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (long)n;
}

enum at_code import_buffer(struct store *st, const char *actor, const struct import_options *o,
                           const char *csv, size_t len, struct import_report *rep,
                           struct at_errors *e)
{
	struct mem_reader m = { csv, len, 0 };

	return import_run(st, actor, o, mem_read, &m, rep, e);
}

enum at_code import_assets(struct store *st, const char *actor, const char *csv, size_t len,
                           int dry_run, struct import_result *res, struct at_errors *e)
{
	struct import_options o;
	struct import_report rep;
	enum at_code c;

	memset(&o, 0, sizeof(o));
	o.dry_run = dry_run;
	c = import_buffer(st, actor, &o, csv, len, &rep, e);
	memset(res, 0, sizeof(*res));
	snprintf(res->format, sizeof(res->format), "%s", rep.format);
	res->rows = rep.rows;
	res->created = rep.created;
	res->dry_run = dry_run;
	snprintf(res->batch_id, sizeof(res->batch_id), "%s", rep.batch_id);
	import_report_free(&rep);
	return c;
}
