/*
 * session.c — browser sessions.
 */
#include "store/store.h"
#include "core/session.h"

#include <sodium.h>
#include <string.h>

#include "core/user.h"
#include "util/text.h"

/* Refresh last_seen at most this often: a write per page view would make
 * every reader contend for the write lock. */
#define TOUCH_EVERY_SECONDS 60

static void random_hex(char *out)
{
	unsigned char raw[AT_SECRET_HEX / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, AT_SECRET_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

enum at_code session_create(struct store *st, const struct user *u, char *token, char *csrf,
                            struct at_errors *e)
{
	char hash[AT_HASH_HEX + 1], now[AT_TIME_LEN + 1];
	enum at_code c;

	if (sodium_init() < 0)
		return at_fail(e, AT_INTERNAL, "libsodium failed to initialise");
	random_hex(token);
	random_hex(csrf);
	user_token_hash(token, hash);
	text_now(now);
	c = store_session_insert(st, hash, u->id, csrf, now, e);
	if (c == AT_OK)
		store_security_log(st, now, u->username, "LOGIN", u->username, NULL);
	return c;
}

enum at_code session_touch(struct store *st, int64_t id)
{
	char now[AT_TIME_LEN + 1];

	text_now(now);
	return store_session_touch(st, id, now);
}

enum at_code session_lookup(struct store *st, const char *token, struct user *u, char *csrf,
                            int64_t *touch_id)
{
	char hash[AT_HASH_HEX + 1], now[AT_TIME_LEN + 1];
	struct session s;
	int64_t seen, t;
	enum at_code c;

	*touch_id = 0;
	if (strlen(token) != AT_SECRET_HEX)
		return AT_UNAUTHORIZED;
	user_token_hash(token, hash);
	c = store_session_get(st, hash, &s);
	if (c == AT_NOT_FOUND)
		return AT_UNAUTHORIZED;
	if (c != AT_OK)
		return c;
	text_now(now);
	t = text_time_epoch(now);
	seen = text_time_epoch(s.last_seen);
	if (s.ended || seen < 0 || t - seen > AT_SESSION_IDLE_SECONDS)
		return AT_UNAUTHORIZED;
	c = store_user_by_id(st, s.user_id, u);
	if (c != AT_OK || !u->active)
		return c == AT_OK || c == AT_NOT_FOUND ? AT_UNAUTHORIZED : c;
	*touch_id = t - seen > TOUCH_EVERY_SECONDS ? s.id : 0;
	if (csrf)
		memcpy(csrf, s.csrf, AT_SECRET_HEX + 1);
	return AT_OK;
}

enum at_code session_end(struct store *st, const char *token)
{
	char hash[AT_HASH_HEX + 1], now[AT_TIME_LEN + 1];
	struct session s;

	user_token_hash(token, hash);
	if (store_session_get(st, hash, &s) != AT_OK)
		return AT_OK;
	text_now(now);
	return store_session_end(st, s.id, now);
}
