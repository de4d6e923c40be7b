/*
 * types.h — the domain's types: assets, cases, holders, users, events,
 * their state enums and name tables, and the filters and callbacks of the
 * read API (core/read.h).
 *
 * Declared by core/ so that front ends (cli/, web/) never see store/:
 * store/ fills these records from SQL, core/ decides with them, front ends
 * show them.  Records have fixed-size text fields whose caps match the
 * schema's CHECK constraints, so reading a row never allocates.
 * Iterators call `cb` once per row with a borrowed record; a non-zero
 * return from `cb` stops the iteration.
 */
#ifndef AT_CORE_TYPES_H
#define AT_CORE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/text.h"

#define AT_HASH_HEX 64

/*
 * An anchor: the event log's head copied somewhere the database's writer
 * cannot reach (a receipt, a log, a ticket), as "SEQ:HASH".  A chain that
 * was cut back or rewritten no longer has that hash at that seq, even
 * when it is consistent in itself (core/event.h, core/verify.h).
 */
struct anchor {
	int64_t seq;
	char hash[AT_HASH_HEX + 1];
};
/* Length of "SEQ:HASH" with the longest seq, and its NUL. */
#define AT_ANCHOR_MAX (20 + 1 + AT_HASH_HEX + 1)

/* The database handle: opaque outside store/ (core/db.h opens it). */
struct store;

enum asset_state { ASSET_STORAGE, ASSET_IN_CUSTODY, ASSET_RETIRED, ASSET_STATE__MAX };
enum asset_condition { COND_GOOD, COND_DAMAGED, COND_FAULTY, COND__MAX };

const char *asset_state_name(enum asset_state s);
int asset_state_parse(const char *s, enum asset_state *out);
const char *asset_condition_name(enum asset_condition c);
int asset_condition_parse(const char *s, enum asset_condition *out);

/* Asset attributes (core/attr.h): how many, how long, and the cap of
 * their canonical JSON text, mirrored by the schema (migration 4). */
#define AT_ATTR_COUNT_MAX 32
#define AT_ATTR_NAME_MAX 64
#define AT_ATTR_VALUE_MAX 500
#define AT_ATTRS_MAX 4000

struct asset {
	int64_t id;
	char tag[AT_TAG_MAX + 1];
	char serial[AT_FIELD_MAX + 1];
	char manufacturer[AT_FIELD_MAX + 1];
	char equipment_type[AT_FIELD_MAX + 1];
	char model[AT_FIELD_MAX + 1];
	char model_code[AT_FIELD_MAX + 1];
	char building[AT_FIELD_MAX + 1];
	char room[AT_FIELD_MAX + 1];
	char notes[AT_NOTES_MAX + 1];
	enum asset_state state;
	enum asset_condition condition;
	int64_t holder_id;                     /* 0: none */
	char holder_name[AT_PERSON_MAX + 1];   /* read-only join */
	char due[11];                          /* "" or YYYY-MM-DD */
	char custody_since[AT_TIME_LEN + 1];   /* "" unless IN_CUSTODY */
	int64_t case_id;                       /* 0: unslotted */
	char case_name[AT_NAME_MAX + 1];       /* read-only join */
	int position;
	int64_t last_case_id;                  /* slot left at last Stock-Out */
	char last_case_name[AT_NAME_MAX + 1];
	int last_position;
	char created_at[AT_TIME_LEN + 1];
	char updated_at[AT_TIME_LEN + 1];
	char retired_at[AT_TIME_LEN + 1];
	/* Last: a reader that has no use for them can skip the biggest field. */
	char attributes[AT_ATTRS_MAX + 1];     /* canonical JSON object, "" none */
};

struct case_info {
	int64_t id;
	char name[AT_NAME_MAX + 1];
	int slot_count;
	char building[AT_FIELD_MAX + 1];
	char room[AT_FIELD_MAX + 1];
	char notes[AT_NOTES_MAX + 1];
	int occupied;                          /* read-only: slots holding an asset */
	char created_at[AT_TIME_LEN + 1];
	char updated_at[AT_TIME_LEN + 1];
};

/* The import job that is open (core/import.c), as the event writer's
 * gate sees it; job 0: none. */
struct job_gate {
	int64_t job;
	int applying;                          /* else still checking */
	int64_t rows_done, rows_total;
};

struct holder {
	int64_t id;
	char name[AT_PERSON_MAX + 1];
	char badge[AT_PERSON_MAX + 1];         /* "" none */
	char email[AT_PERSON_MAX + 1];         /* "" none */
	int active;
	char created_at[AT_TIME_LEN + 1];
	char updated_at[AT_TIME_LEN + 1];
};

enum user_role { ROLE_OPERATOR, ROLE_ADMIN, ROLE_AUDITOR, ROLE__MAX };
const char *user_role_name(enum user_role r);
int user_role_parse(const char *s, enum user_role *out);

struct user {
	int64_t id;
	char username[AT_PERSON_MAX + 1];
	enum user_role role;
	char pw_hash[128];                     /* libsodium crypto_pwhash_STRBYTES */
	int active;
	char created_at[AT_TIME_LEN + 1];
};

/* One event-log row.  Text pointers are borrowed: on insert, from the
 * caller; in an iterator callback, valid only during the callback. */
struct event {
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	const char *type;
	const char *asset_tag;                 /* NULL if not about one asset */
	const char *from_case;                 /* NULL: none */
	int from_position;
	const char *to_case;
	int to_position;
	int64_t holder_id;                     /* 0: none */
	const char *holder_name;               /* iterator only: join, may be NULL */
	const char *actor;
	const char *reason;                    /* NULL: none */
	const char *batch_id;
	const char *details;                   /* canonical JSON object text */
	char prev_hash[AT_HASH_HEX + 1];
	char hash[AT_HASH_HEX + 1];
};

struct asset_filter {
	int has_state;
	enum asset_state state;
	const char *q;             /* substring of tag/serial/manufacturer/model/notes
	                            * or of an attribute's value */
	int64_t holder_id;         /* 0: any */
	int64_t case_id;           /* 0: any */
	int unslotted;             /* STORAGE and in no slot */
	int overdue_before;        /* due < `today` */
	const char *today;
	const char *after_tag;     /* keyset cursor */
	int limit;                 /* 0: no limit */
	/* A page (limit > 0) searched for q without an index (q shorter than
	 * three characters; any q on PostgreSQL) reads at most walk_max
	 * assets in tag order (0: all).  If that stops it short of a page,
	 * `walked_to` (AT_TAG_MAX + 1, may be NULL) gets the last tag read:
	 * the next page starts after it.  Else it is "". */
	int walk_max;
	char *walked_to;
};
typedef int (*asset_cb)(void *ctx, const struct asset *a);

typedef int (*case_cb)(void *ctx, const struct case_info *c);

typedef int (*holder_cb)(void *ctx, const struct holder *h);

struct event_filter {
	const char *asset_tag;
	const char *type;
	const char *since;         /* at >= since */
	const char *until;         /* at <= until (as-of) */
	const char *batch_id;
	int64_t holder_id;
	int64_t after_seq;         /* keyset cursor (ascending) or before (descending) */
	int limit;                 /* 0: no limit */
	int descending;
	int whole_log;             /* replay: every event, ascending, no holder
	                            * names; all other fields ignored */
};
typedef int (*event_cb)(void *ctx, const struct event *ev);

typedef int (*user_cb)(void *ctx, const struct user *u);

/* One security-log row (logins, users, tokens); borrowed in callbacks.
 * subject and details may be NULL. */
struct security_entry {
	const char *at, *actor, *action, *subject, *details;
};
typedef int (*security_cb)(void *ctx, const struct security_entry *x);

/* A browser session row. */
struct session {
	int64_t id;
	int64_t user_id;
	char csrf[AT_HASH_HEX + 1];
	char created_at[AT_TIME_LEN + 1];
	char last_seen[AT_TIME_LEN + 1];
	int ended;
};

typedef int (*problem_cb)(void *ctx, const char *code, const char *message);

#endif
