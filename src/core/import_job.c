/*
 * import_job.c — a committed import as a job: all or nothing without
 * holding every other writer for the whole file (issue #9).
 *
 * A 100,000-row import in one transaction held the write lock for about
 * ten seconds: every Stock-Out waited.  A commit now goes:
 *
 *  1. Open a job (import_jobs, schema version 10).  From here the event
 *     writer's gate (core/event.h) lets other writers append only what
 *     cannot change the import's outcome: Stock-Out, force-vacate,
 *     audits, and Stock-In to a slot the job does not fill.
 *  2. Keep the file in the job, 1 MiB at a time (each its own short
 *     transaction), so that a crash can be rolled forward from it.
 *  3. Check it aside (import_check_aside: a scratch store reading the
 *     database through, no write lock), collecting the slots it fills.
 *     A refused row ends the job (cancelled) with the check's report.
 *  4. Activate it in one short transaction: if a Stock-In went to one of
 *     those slots while the check ran, check again; else 'applying'.
 *  5. Apply it (import_engine) in slices of up to IMPORT_SLICE_ROWS rows
 *     (fewer when another operation waits to write), each committed with
 *     the job's progress, all under the job's batch id.
 *     The last slice marks it done and deletes its keys; its kept file
 *     goes after, a part to a transaction (drop_parts).
 *
 * A job found applying with a heartbeat older than IMPORT_STALE_S (its
 * process died) is finished by import_recover(), from its kept file,
 * passing over the rows already committed; the holders and cases it met
 * come back from its keys.  The events are append-only, so a job that
 * began applying can only be finished, never undone; one that died while
 * checking had applied nothing and is cancelled.
 *
 * Readers see an applying import's rows appear slice by slice.
 */
#include "store/store.h"
#include "core/import.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/import_priv.h"
#include "core/internal.h"
#include "util/text.h"

/* A part of a kept file: 128 KiB (some 170 KiB of base64), a few
 * milliseconds of a writer's time to store or delete (a MiB held the
 * others 30-50 ms: bench/README.md).  The reader takes any size, so
 * parts an older binary kept are read the same. */
#define PART_BYTES (128 * 1024)
#define FILE_MAX ((size_t)512 * 1024 * 1024)
#define CHECK_TRIES 3
#define SLOTS_PER_TXN 2000

/* ==== the options, kept as JSON ======================================= */

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static char *options_text(const struct import_options *o)
{
	json_t *j = json_pack("{s:o, s:o, s:s?, s:s}", "maps", strings(o->maps, o->nmaps),
	                      "statuses", strings(o->statuses, o->nstatuses), "default_room",
	                      o->default_room, "encoding",
	                      o->encoding == IMPORT_LATIN1 ? "latin1" : "utf-8");
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return text;
}

/* The options a job was given, pointing into `root` (kept until done). */
struct kept_options {
	json_t *root;
	const char **maps, **statuses;
	struct import_options o;
};

static const char **string_list(json_t *a, size_t *n)
{
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));
	size_t i;
	json_t *x;

	*n = 0;
	if (!v)
		return NULL;
	json_array_foreach(a, i, x)
		if (json_is_string(x))
			v[(*n)++] = json_string_value(x);
	return v;
}

static int options_load(const char *text, struct kept_options *k)
{
	const char *enc;

	memset(k, 0, sizeof(*k));
	k->root = json_loads(text, 0, NULL);
	if (!json_is_object(k->root))
		return -1;
	k->maps = string_list(json_object_get(k->root, "maps"), &k->o.nmaps);
	k->statuses = string_list(json_object_get(k->root, "statuses"), &k->o.nstatuses);
	if (!k->maps || !k->statuses)
		return -1;
	k->o.maps = k->maps;
	k->o.statuses = k->statuses;
	k->o.default_room = json_string_value(json_object_get(k->root, "default_room"));
	enc = json_string_value(json_object_get(k->root, "encoding"));
	k->o.encoding = enc && strcmp(enc, "latin1") == 0 ? IMPORT_LATIN1 : IMPORT_UTF8;
	return 0;
}

static void options_free(struct kept_options *k)
{
	free(k->maps);
	free(k->statuses);
	json_decref(k->root);
}

/* ==== the file, kept in the job ======================================= */

struct part_reader {
	struct store *st;
	int64_t job, n;
	unsigned char *raw;      /* the part in hand, decoded */
	size_t cap, len, pos;
};

static long part_read(void *ctx, char *buf, size_t cap)
{
	struct part_reader *r = ctx;
	size_t n;

	if (r->pos == r->len) {
		char *text = NULL;
		enum at_code c = store_job_part_get(r->st, r->job, r->n, &text);

		if (c == AT_NOT_FOUND)
			return 0;
		if (c != AT_OK)
			return -1;
		r->n++;
		r->pos = 0;
		size_t tlen = strlen(text), need = tlen / 4 * 3 + 3;
		if (need > r->cap) {
			unsigned char *nr = realloc(r->raw, need);
			if (!nr) {
				free(text);
				return -1;
			}
			r->raw = nr;
			r->cap = need;
		}
		c = sodium_base642bin(r->raw, r->cap, text, tlen, NULL, &r->len, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) == 0 ? AT_OK : AT_INVALID;
		free(text);
		if (c != AT_OK || r->len == 0)
			return -1;
	}
	n = r->len - r->pos < cap ? r->len - r->pos : cap;
	memcpy(buf, r->raw + r->pos, n);
	r->pos += n;
	return (long)n;
}

/* This process, as a job's owner: "HOST PID". */
static void owner_of_me(char out[320])
{
	char host[256] = "";

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(out, 320, "%.255s %ld", host, (long)getpid());
}

/* 1 when `owner` is a process of this host that is gone: its job need
 * not wait for the heartbeat to go stale. */
static int owner_gone(const char *owner)
{
	char me[320];
	const char *sp = strrchr(owner, ' ');
	long pid;

	owner_of_me(me);
	if (!sp || strncmp(owner, me, (size_t)(sp - owner) + 1) != 0)
		return 0;
	pid = strtol(sp + 1, NULL, 10);
	return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The job's heartbeat renewed from *hb, in the caller's transaction
 * (AT_CONFLICT: another process renewed it, so the job is not ours). */
static enum at_code renew(struct store *st, int64_t job, int64_t *hb, struct at_errors *e)
{
	int64_t now = (int64_t)time(NULL);
	char me[320];
	enum at_code c;

	owner_of_me(me);
	c = store_job_claim(st, job, *hb, now, me, e);

	if (c == AT_CONFLICT)
		return at_fail(e, AT_CONFLICT, "the import job was taken over by another process");
	if (c == AT_OK)
		*hb = now;
	return c;
}

/* Read the whole input into the job's parts, a part to a transaction
 * (import_yield between). */
static enum at_code keep_file(struct store *st, int64_t job, int64_t *hb, import_read_fn rd,
                              void *rctx, size_t *bytes, struct at_errors *e)
{
	size_t enc_cap = sodium_base64_ENCODED_LEN(PART_BYTES, sodium_base64_VARIANT_ORIGINAL);
	unsigned char *raw = malloc(PART_BYTES);
	char *text = malloc(enc_cap);
	enum at_code c = AT_OK;
	int64_t n = 0;
	int eof = 0;

	*bytes = 0;
	if (!raw || !text)
		c = at_fail(e, AT_INTERNAL, "out of memory");
	while (c == AT_OK && !eof) {
		size_t len = 0;
		long got = 0;

		while (len < PART_BYTES && (got = rd(rctx, (char *)raw + len, PART_BYTES - len)) > 0)
			len += (size_t)got;
		if (len < PART_BYTES) {
			eof = 1;
			if (got < 0) {
				c = at_fail(e, AT_INVALID, "the CSV cannot be read to its end");
				break;
			}
		}
		if (len == 0)
			break;
		*bytes += len;
		if (*bytes > FILE_MAX) {
			c = at_fail(e, AT_TOO_LARGE, "an import file is at most %zu MiB",
			            FILE_MAX >> 20);
			break;
		}
		sodium_bin2base64(text, enc_cap, raw, len, sodium_base64_VARIANT_ORIGINAL);
		c = store_begin(st, e);
		if (c != AT_OK)
			break;
		c = renew(st, job, hb, e);
		if (c == AT_OK)
			c = store_job_part_put(st, job, n++, text, e);
		c = c == AT_OK ? store_commit(st, e) : c;
		if (c != AT_OK)
			store_rollback(st);
		else
			import_yield(st);
	}
	free(raw);
	free(text);
	return c;
}

/* ==== the slots it fills ============================================== */

struct slot_keys {
	char **v;
	size_t n, cap;
	int oom;
};

static void slot_seen(void *ctx, const char *case_name, int64_t position)
{
	struct slot_keys *k = ctx;
	char key[AT_NAME_MAX + 32];

	if (k->oom)
		return;
	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 256;
		char **nv = realloc(k->v, ncap * sizeof(*nv));
		if (!nv) {
			k->oom = 1;
			return;
		}
		k->v = nv;
		k->cap = ncap;
	}
	snprintf(key, sizeof(key), "s%lld:%s", (long long)position, case_name);
	if (!(k->v[k->n] = strdup(key)))
		k->oom = 1;
	else
		k->n++;
}

static void slot_keys_free(struct slot_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

static enum at_code keep_slots(struct store *st, int64_t job, int64_t *hb,
                               const struct slot_keys *k, struct at_errors *e)
{
	enum at_code c = AT_OK;

	for (size_t i = 0; c == AT_OK && i < k->n; i += SLOTS_PER_TXN) {
		c = store_begin(st, e);
		if (c != AT_OK)
			break;
		c = renew(st, job, hb, e);
		for (size_t j = i; c == AT_OK && j < k->n && j < i + SLOTS_PER_TXN; j++)
			c = store_job_key_put(st, job, k->v[j], 1, e);
		c = c == AT_OK ? store_commit(st, e) : c;
		if (c != AT_OK)
			store_rollback(st);
		else
			import_yield(st);
	}
	return c;
}

/* ==== the job's life =================================================== */

/* The kept files of ended jobs, a part to a transaction (import_yield
 * between): a writer waits for one part's delete at most.  A failure
 * leaves the rest for the next import. */
static void drop_parts(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	int dropped = 1;

	while (dropped) {
		enum at_code c = store_begin(st, &e);
		if (c == AT_OK)
			c = store_job_drop_part(st, &dropped, &e);
		c = c == AT_OK ? store_commit(st, &e) : c;
		if (c != AT_OK) {
			store_rollback(st);
			break;
		}
		import_yield(st);
	}
	at_errors_free(&e);
}

/* End job `j` (cancelled or failed) with `note`, its working rows gone. */
static void job_end(struct store *st, struct import_job *j, const char *state, const char *note)
{
	struct at_errors e = AT_ERRORS_INIT;
	char at[AT_TIME_LEN + 1];

	text_now(at);
	snprintf(j->state, sizeof(j->state), "%s", state);
	j->ended_at = at;
	j->note = note;
	if (store_begin(st, &e) == AT_OK) {
		if (store_job_update(st, j, &e) == AT_OK && store_job_clear(st, j->id, &e) == AT_OK &&
		    store_search_automerge(st, 1, &e) == AT_OK)
			store_commit(st, &e);
		else
			store_rollback(st);
	}
	j->ended_at = j->note = NULL;
	at_errors_free(&e);
	drop_parts(st);
}

/* The last event's seq, read now. */
static enum at_code head_seq(struct store *st, int64_t *seq, struct at_errors *e)
{
	char hash[AT_HASH_HEX + 1];
	enum at_code c = store_event_last(st, seq, hash);

	return c == AT_OK ? AT_OK : at_fail(e, c, "cannot read the event log: %s",
	                                    store_errmsg(st));
}

/* The refusal or failure of an applying job's engine run, told whole. */
static enum at_code apply_failed(struct store *st, struct import_job *j, enum at_code c,
                                 struct at_errors *e)
{
	struct import_job now;
	char note[AT_MSG_MAX];
	int open = store_job_get_open(st, &now) == AT_OK && now.id == j->id;
	int64_t done = open ? now.rows_done : j->rows_done;

	store_job_free(&now);
	if (e->nitems) {
		/* A row refused after the check passed: the rows before it are
		 * in, and nothing can take them out again.  Never expected (the
		 * gate keeps out what could cause it); said plainly if it is. */
		snprintf(note, sizeof(note), "%s", e->items[0].message);
		if (open)
			job_end(st, j, "failed", note);
		return at_fail(e, AT_CONFLICT, "the import stopped while being applied: %s; %lld of "
		               "%lld rows were applied and stay (batch %s)", note, (long long)done,
		               (long long)j->rows_total, j->batch_id);
	}
	if (!open)
		return c;
	if (done == 0) {
		/* Nothing of it was committed: it ends here, as a failed
		 * transaction would, and the gate opens again. */
		snprintf(note, sizeof(note), "%s", e->message);
		job_end(st, j, "cancelled", note);
		return c;
	}
	snprintf(note, sizeof(note), "%s", e->message);
	return at_fail(e, c, "the import stopped after %lld of %lld rows: %s; it is finished "
	               "when the server starts or the next import runs", (long long)done,
	               (long long)j->rows_total, note);
}

/* Apply job `j` from row j->rows_done on. */
static enum at_code apply(struct store *st, struct import_job *j,
                          const struct import_options *o, struct import_report *rep,
                          struct at_errors *e)
{
	struct import_options in = *o;
	struct import_slices sl;
	struct part_reader pr = { .st = st, .job = j->id };
	enum at_code c;

	in.dry_run = in.dry_run_in_place = 0;
	in.slot_seen = NULL;
	memset(&sl, 0, sizeof(sl));
	sl.job = j->id;
	memcpy(sl.batch_id, j->batch_id, sizeof(sl.batch_id));
	sl.skip = (size_t)j->rows_done;
	c = import_engine(st, j->actor, &in, part_read, &pr, rep, e, &sl);
	free(pr.raw);
	if (c != AT_OK)
		return apply_failed(st, j, c, e);
	import_search_merged(st);
	drop_parts(st);
	return AT_OK;
}

enum at_code import_recover(struct store *st, int stale_seconds, struct import_report *rep,
                            struct at_errors *e)
{
	struct import_report scratch;
	struct kept_options k;
	struct import_job j;
	int64_t now = (int64_t)time(NULL);
	enum at_code c = store_job_get_open(st, &j);

	if (c == AT_NOT_FOUND)
		return AT_OK;
	if (c != AT_OK) {
		store_job_free(&j);
		return at_fail(e, c, "cannot read the import jobs: %s", store_errmsg(st));
	}
	if (now - j.heartbeat < stale_seconds && !owner_gone(j.owner)) {
		c = at_fail(e, AT_CONFLICT, "an import is being %s (%lld of %lld rows); try again "
		            "when it ends", strcmp(j.state, "applying") == 0 ? "applied" : "checked",
		            (long long)j.rows_done, (long long)j.rows_total);
		store_job_free(&j);
		return c;
	}
	/* Ours now, unless another process took it first. */
	c = store_begin(st, e);
	if (c == AT_OK) {
		c = renew(st, j.id, &j.heartbeat, e);
		c = c == AT_OK ? store_commit(st, e) : c;
		if (c != AT_OK)
			store_rollback(st);
	}
	if (c != AT_OK) {
		store_job_free(&j);
		return c;
	}
	if (strcmp(j.state, "applying") != 0) {
		job_end(st, &j, "cancelled", "interrupted while checking; nothing was applied");
		store_job_free(&j);
		return AT_OK;
	}
	if (options_load(j.options, &k) < 0) {
		options_free(&k);
		store_job_free(&j);
		return at_fail(e, AT_INTERNAL, "the interrupted import's options cannot be read");
	}
	c = apply(st, &j, &k.o, rep ? rep : &scratch, e);
	if (!rep)
		import_report_free(&scratch);
	options_free(&k);
	store_job_free(&j);
	return c;
}

/* Open a job for this import: AT_CONFLICT when another is open. */
static enum at_code job_open(struct store *st, const char *actor,
                             const struct import_options *o, struct import_job *j,
                             struct at_errors *e)
{
	char at[AT_TIME_LEN + 1];
	enum at_code c;

	memset(j, 0, sizeof(*j));
	event_new_uuid(j->batch_id);
	snprintf(j->actor, sizeof(j->actor), "%s", actor);
	snprintf(j->state, sizeof(j->state), "checking");
	j->options = options_text(o);
	if (!j->options)
		return at_fail(e, AT_INTERNAL, "out of memory");
	text_now(at);
	j->created_at = at;
	j->heartbeat = (int64_t)time(NULL);
	owner_of_me(j->owner);
	c = store_begin(st, e);
	if (c != AT_OK)
		return c;
	c = head_seq(st, &j->since_seq, e);
	if (c == AT_OK)
		c = store_job_open(st, j, &j->id, e);
	c = c == AT_OK ? store_commit(st, e) : c;
	if (c != AT_OK)
		store_rollback(st);
	j->created_at = NULL;
	if (c == AT_DUPLICATE || c == AT_CONFLICT) {
		/* Opened by another import since import_recover() looked. */
		at_errors_reset(e);
		return at_fail(e, AT_CONFLICT, "another import is being applied; try again when it "
		               "ends");
	}
	return c;
}

/*
 * Check the kept file aside until no Stock-In went to a slot it fills
 * while it was checked, then make the job 'applying'.  AT_OK with the
 * check's report in `rep`; else the check's refusal (the job cancelled).
 */
static enum at_code check_and_activate(struct store *st, const char *actor,
                                       const struct import_options *o, struct import_job *j,
                                       struct import_report *rep, struct at_errors *e)
{
	struct import_options in = *o;
	enum at_code c = AT_OK;

	in.dry_run = 1;
	in.dry_run_in_place = 0;
	in.slot_seen = slot_seen;
	for (int tries = 0; tries < CHECK_TRIES; tries++) {
		struct part_reader pr = { .st = st, .job = j->id };
		struct slot_keys keys = { NULL, 0, 0, 0 };
		int64_t conflicts = 0;

		in.sctx = &keys;
		if (tries)
			import_report_free(rep);
		c = head_seq(st, &j->since_seq, e);
		if (c == AT_OK)
			c = import_check_aside(st, actor, &in, part_read, &pr, rep, e);
		free(pr.raw);
		if (c == AT_OK && keys.oom)
			c = at_fail(e, AT_INTERNAL, "out of memory");
		if (c == AT_OK)
			c = keep_slots(st, j->id, &j->heartbeat, &keys, e);
		slot_keys_free(&keys);
		if (c != AT_OK)
			return c;
		/* Activate: one short transaction. */
		c = store_begin(st, e);
		if (c != AT_OK)
			return c;
		c = renew(st, j->id, &j->heartbeat, e);
		if (c == AT_OK)
			c = store_job_slot_conflicts(st, j->id, j->since_seq, &conflicts);
		if (c == AT_OK && conflicts == 0) {
			snprintf(j->state, sizeof(j->state), "applying");
			j->rows_total = (int64_t)rep->rows;
			c = store_job_update(st, j, e);
			/* The slices merge the search index between them
			 * (import.c); the last one turns this back on. */
			if (c == AT_OK)
				c = store_search_automerge(st, 0, e);
		}
		c = c == AT_OK ? store_commit(st, e) : c;
		if (c != AT_OK) {
			store_rollback(st);
			return c;
		}
		if (conflicts == 0)
			return AT_OK;
	}
	import_report_free(rep);
	return at_fail(e, AT_CONFLICT, "slots the import fills kept being stocked in while it was "
	               "checked (%d times); try again", CHECK_TRIES);
}

/* The file's first bytes, read ahead to tell a small file, then the
 * rest of it. */
struct ahead {
	char *data;
	size_t len, pos;
	import_read_fn rd;
	void *rctx;
};

static long ahead_read(void *ctx, char *buf, size_t cap)
{
	struct ahead *a = ctx;
	size_t n;

	if (a->pos == a->len)
		return a->rd ? a->rd(a->rctx, buf, cap) : 0;
	n = a->len - a->pos < cap ? a->len - a->pos : cap;
	memcpy(buf, a->data + a->pos, n);
	a->pos += n;
	return (long)n;
}

static enum at_code as_job(struct store *st, const char *actor, const struct import_options *o,
                           struct ahead *in, struct import_report *rep, struct at_errors *e)
{
	struct import_report check;
	struct import_job j;
	size_t bytes = 0;
	enum at_code c;

	memset(&check, 0, sizeof(check));
	c = job_open(st, actor, o, &j, e);
	if (c != AT_OK) {
		store_job_free(&j);
		return c;
	}
	c = keep_file(st, j.id, &j.heartbeat, ahead_read, in, &bytes, e);
	j.bytes = (int64_t)bytes;
	if (c == AT_OK)
		c = check_and_activate(st, actor, o, &j, &check, e);
	if (c != AT_OK) {
		char note[AT_MSG_MAX];
		snprintf(note, sizeof(note), "%s", e->message);
		job_end(st, &j, "cancelled", note);
		*rep = check;
		rep->dry_run = 0;
		store_job_free(&j);
		return c;
	}
	import_report_free(&check);
	c = apply(st, &j, o, rep, e);
	store_job_free(&j);
	return c;
}

enum at_code import_job_run(struct store *st, const char *actor, const struct import_options *o,
                            import_read_fn rd, void *rctx, struct import_report *rep,
                            struct at_errors *e)
{
	size_t over = o->slices_over ? o->slices_over : IMPORT_SLICES_OVER;
	struct ahead in = { malloc(over + 1), 0, 0, NULL, NULL };
	enum at_code c;
	long got = 0;

	memset(rep, 0, sizeof(*rep));
	if (!in.data)
		return at_fail(e, AT_INTERNAL, "out of memory");
	/* An import a crash left half applied is finished first. */
	c = import_recover(st, IMPORT_STALE_S, NULL, e);
	while (c == AT_OK && in.len <= over &&
	       (got = rd(rctx, in.data + in.len, over + 1 - in.len)) > 0)
		in.len += (size_t)got;
	if (c == AT_OK && got < 0)
		c = at_fail(e, AT_INVALID, "the CSV cannot be read to its end");
	if (c == AT_OK && in.len <= over) {
		/* Small: one transaction, all or nothing as it always was. */
		c = import_engine(st, actor, o, ahead_read, &in, rep, e, NULL);
	} else if (c == AT_OK) {
		in.rd = rd;
		in.rctx = rctx;
		c = as_job(st, actor, o, &in, rep, e);
	}
	free(in.data);
	return c;
}
