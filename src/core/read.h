/*
 * read.h — every read a front end makes: lists with filters and keyset
 * pages, a case with its slots, a holder with what they hold, the event
 * log, users, and the dashboard.  The CLI, the JSON API and the web pages
 * call these, so they show the same answer from the same function.
 *
 * Each returns AT_OK or fills `e` (non-NULL) with the reason: a read that
 * fails is reported, never answered as an empty list.  For a read made of
 * several queries, open a snapshot first (db_read_begin, core/db.h).
 */
#ifndef AT_CORE_READ_H
#define AT_CORE_READ_H

#include "core/types.h"

/* How many assets a page of a search without an index reads at most
 * (asset_filter's walk_max), for the API and the web page: about 25 ms of
 * LIKEs at 0.6 us an asset, where a rare two-letter search once walked a
 * million assets (544-692 ms, bench/README.md "Scale").  A page cut short
 * says where to go on (walked_to). */
#define READ_WALK_MAX 40000

/* Assets matching `f`, ordered by tag. */
enum at_code read_assets(struct store *st, const struct asset_filter *f, asset_cb cb, void *ctx,
                         struct at_errors *e);
/* Every attribute name any asset has (core/attr.h), in order, once each
 * (the columns of `export assets`). */
typedef int (*attr_name_fn)(void *ctx, const char *name);
enum at_code read_attr_names(struct store *st, attr_name_fn cb, void *ctx, struct at_errors *e);
/* How many assets (in state `s` when has_state). */
int64_t read_asset_count(struct store *st, int has_state, enum asset_state s);

/* Assets in custody whose due date is before today. */
int64_t read_overdue_count(struct store *st);

/* Resolve a `case` query value (a name) to the filter's case id:
 * AT_NOT_FOUND with a message if there is no such case. */
enum at_code read_case_id(struct store *st, const char *name, int64_t *id, struct at_errors *e);

/* Cases ordered by name, after `after` (NULL: from the first). */
enum at_code read_cases(struct store *st, const char *after, int limit, case_cb cb, void *ctx,
                        struct at_errors *e);
/* One case by name; AT_NOT_FOUND says so in words. */
enum at_code read_case(struct store *st, const char *name, struct case_info *c,
                       struct at_errors *e);

/* A case and what each slot holds, read with one query for the slots. */
struct case_slots {
	struct case_info c;
	struct asset **slot;         /* c.slot_count entries; NULL: empty */
	int oom;                     /* internal: a slot could not be copied */
};
enum at_code read_case_slots(struct store *st, const char *name, struct case_slots *out,
                             struct at_errors *e);
void case_slots_free(struct case_slots *cs);

/* Holders ordered by id, after `after_id`. */
enum at_code read_holders(struct store *st, int64_t after_id, int limit, holder_cb cb, void *ctx,
                          struct at_errors *e);
/* Active holders matching typed text: part of the name, or exactly the
 * badge or id (the Stock-Out holder picker). */
enum at_code read_holder_search(struct store *st, const char *q, int limit, holder_cb cb,
                                void *ctx, struct at_errors *e);
/* One holder by id; AT_NOT_FOUND says so. */
enum at_code read_holder(struct store *st, int64_t id, struct holder *h, struct at_errors *e);
/* What holder `id` holds now, ordered by tag. */
enum at_code read_holder_assets(struct store *st, int64_t id, asset_cb cb, void *ctx,
                                struct at_errors *e);

/* Events matching `f`. */
enum at_code read_events(struct store *st, const struct event_filter *f, event_cb cb, void *ctx,
                         struct at_errors *e);

/* The security log (logins, lockouts, users, tokens), newest first, at
 * most `limit` rows (0: all). */
enum at_code read_security_log(struct store *st, int limit, security_cb cb, void *ctx,
                               struct at_errors *e);

/* Every login, ordered by username. */
enum at_code read_users(struct store *st, user_cb cb, void *ctx, struct at_errors *e);

/*
 * The lower bound of a time filter ("since"): a canonical time, or a bare
 * date YYYY-MM-DD meaning the start of that day (UTC).  Upper bounds
 * ("as of") use text_parse_time, where a bare date means its end.
 * Returns -1 with `why` (AT_WHY_MAX) if it is neither.
 */
int read_since_bound(const char *in, char out[AT_TIME_LEN + 1], char *why);

/* The dashboard: counts, the longest-out and overdue assets, recent
 * events.  Lists are capped at DASH_ROWS rows each. */
#define DASH_ROWS 8
struct dash_event {
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	char type[24];
	char asset_tag[AT_TAG_MAX + 1];
	char actor[AT_PERSON_MAX + 1];
	char batch_id[40];
};
struct dashboard {
	int64_t count[ASSET_STATE__MAX];
	int64_t overdue;
	struct asset longest[DASH_ROWS];
	int nlongest;
	struct asset overdue_rows[DASH_ROWS];
	int noverdue_rows;
	struct dash_event recent[DASH_ROWS];
	int nrecent;
};
enum at_code read_dashboard(struct store *st, struct dashboard *d, struct at_errors *e);

#endif
