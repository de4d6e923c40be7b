/*
 * user.c — logins (argon2id) and API tokens (stored as SHA-256).
 */
#include "store/store.h"
#include "core/user.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "util/text.h"

void user_token_hash(const char *token, char out[AT_HASH_HEX + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, AT_HASH_HEX + 1, d, sizeof(d));
}

/* Usernames: 1-64 of letters, digits, '.', '_', '-', '@'. */
static int valid_username(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return 0;
	}
	return 1;
}

enum at_code user_add(struct store *st, const char *actor, const char *username,
                      enum user_role role, const char *password, struct user *out,
                      struct at_errors *e)
{
	struct user u, other;
	struct event_writer w;
	size_t plen = password ? strlen(password) : 0;
	enum at_code c;

	memset(&u, 0, sizeof(u));
	if (!username || !valid_username(username))
		at_item(e, "username", AT_INVALID,
		        "a username is 1 to 64 letters, digits, '.', '_', '-' or '@'");
	if (plen < AT_PASSWORD_MIN || plen > AT_PASSWORD_MAX)
		at_item(e, "password", AT_INVALID, "a password has %d to %d characters",
		        AT_PASSWORD_MIN, AT_PASSWORD_MAX);
	if (role < 0 || role >= ROLE__MAX)
		at_item(e, "role", AT_INVALID, "role must be admin, operator or auditor");
	if (e->nitems)
		return at_items_done(e, e->nitems);
	if (sodium_init() < 0)
		return at_fail(e, AT_INTERNAL, "libsodium failed to initialise");
	snprintf(u.username, sizeof(u.username), "%s", username);
	u.role = role;
	u.active = 1;
	/* Hash before taking the write lock: argon2id is deliberately slow. */
	if (crypto_pwhash_str(u.pw_hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return at_fail(e, AT_INTERNAL, "out of memory hashing the password");

	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = store_user_by_name(st, u.username, &other);
	if (c == AT_OK) {
		c = at_fail(e, AT_DUPLICATE, "user %s already exists", u.username);
		goto out;
	}
	if (c != AT_NOT_FOUND) {
		c = storage_fail(st, e, c);
		goto out;
	}
	memcpy(u.created_at, w.at, sizeof(u.created_at));
	c = store_user_insert(st, &u, e);
	if (c == AT_OK)
		c = store_security_log(st, w.at, actor, "USER_ADDED", u.username,
		                       user_role_name(u.role));
	if (c == AT_OK && out)
		*out = u;
out:
	sodium_memzero(u.pw_hash, sizeof(u.pw_hash));
	return op_end(st, c, e);
}

enum at_code user_token_create(struct store *st, const char *actor, const char *username,
                               const char *label, char *token, struct at_errors *e)
{
	unsigned char raw[AT_TOKEN_LEN / 2];
	char hash[AT_HASH_HEX + 1], lab[AT_FIELD_MAX + 1];
	struct user u;
	struct event_writer w;
	enum at_code c;

	if (field_clean(e, "label", label, lab, sizeof(lab), AT_FIELD_MAX, 0, 0) < 0)
		return at_items_done(e, 1);
	if (sodium_init() < 0)
		return at_fail(e, AT_INTERNAL, "libsodium failed to initialise");
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = store_user_by_name(st, username ? username : "", &u);
	if (c == AT_NOT_FOUND) {
		c = at_fail(e, AT_NOT_FOUND, "there is no user named '%s'",
		            username ? username : "");
		goto out;
	}
	if (c != AT_OK) {
		c = storage_fail(st, e, c);
		goto out;
	}
	if (!u.active) {
		c = at_fail(e, AT_CONFLICT, "user %s is deactivated", u.username);
		goto out;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, AT_TOKEN_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	user_token_hash(token, hash);
	c = store_token_insert(st, u.id, hash, lab, w.at, e);
	if (c == AT_OK)
		c = store_security_log(st, w.at, actor, "TOKEN_CREATED", u.username, lab);
out:
	if (c != AT_OK && token)
		token[0] = '\0';
	return op_end(st, c, e);
}

enum at_code user_tokens_revoke(struct store *st, const char *actor, const char *username,
                                int64_t *count, struct at_errors *e)
{
	struct event_writer w;
	struct user u;
	char n[24];
	enum at_code c;

	*count = 0;
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = store_user_by_name(st, username ? username : "", &u);
	if (c == AT_NOT_FOUND) {
		c = at_fail(e, AT_NOT_FOUND, "there is no user named '%s'", username ? username : "");
		goto out;
	}
	if (c != AT_OK) {
		c = storage_fail(st, e, c);
		goto out;
	}
	*count = store_token_revoke_all(st, u.id, w.at);
	if (*count < 0) {
		c = storage_fail(st, e, AT_STORAGE);
		goto out;
	}
	snprintf(n, sizeof(n), "%lld", (long long)*count);
	c = store_security_log(st, w.at, actor, "TOKENS_REVOKED", u.username, n);
out:
	return op_end(st, c, e);
}

/* A valid hash to verify against when the user does not exist, so the
 * answer takes as long either way.  Made once, whichever thread is first. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ok;

static void make_dummy(void)
{
	dummy_ok = crypto_pwhash_str(dummy_hash, "not-a-password", 14,
	                             crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

enum at_code user_check_password(struct store *st, const char *username, const char *password,
                                 struct user *u)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	enum at_code c;

	if (sodium_init() < 0)
		return AT_INTERNAL;
	c = store_user_by_name(st, username, u);
	if (c != AT_OK && c != AT_NOT_FOUND)
		return c;
	if (c == AT_NOT_FOUND || !u->active) {
		pthread_once(&once, make_dummy);
		if (dummy_ok && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			return AT_UNAUTHORIZED; /* cannot happen; same answer anyway */
		return AT_UNAUTHORIZED;
	}
	if (crypto_pwhash_str_verify(u->pw_hash, password, strlen(password)) != 0)
		return AT_UNAUTHORIZED;
	return AT_OK;
}

enum at_code user_by_token(struct store *st, const char *token, struct user *u)
{
	char hash[AT_HASH_HEX + 1];
	enum at_code c;

	user_token_hash(token, hash);
	c = store_token_user(st, hash, u);
	return c == AT_NOT_FOUND ? AT_UNAUTHORIZED : c;
}

/* ==== login throttling ================================================ */

/* The throttle keys of an attempt. */
static void login_keys(const char *username, const char *addr, char *user_key, char *addr_key,
                       size_t cap)
{
	snprintf(user_key, cap, "user:%.64s@%.64s", username, addr);
	snprintf(addr_key, cap, "addr:%.64s", addr);
}

/* Now, as epoch seconds (the clock of events, so tests can fix it). */
static int64_t login_now(char at[AT_TIME_LEN + 1])
{
	text_now(at);
	return text_time_epoch(at);
}

long login_wait(struct store *st, const char *username, const char *addr)
{
	char user_key[160], addr_key[160], at[AT_TIME_LEN + 1];
	int64_t now = login_now(at), f, next, wait = 0;

	login_keys(username, addr, user_key, addr_key, sizeof(user_key));
	if (store_throttle_get(st, user_key, &f, &next) == AT_OK && next > now)
		wait = next - now;
	if (store_throttle_get(st, addr_key, &f, &next) == AT_OK && next - now > wait)
		wait = next - now;
	return (long)wait;
}

/* Count one more failure for `key`; after `free_tries` each waits twice as
 * long.  Logs LOGIN_LOCKOUT the first time the key is locked. */
static enum at_code login_fail(struct store *st, const char *key, int64_t free_tries,
                               const char *subject, const char *addr, int64_t now,
                               const char *at, struct at_errors *e)
{
	int64_t f, next, wait = 0;
	enum at_code c = store_throttle_get(st, key, &f, &next);
	char details[200];

	if (c != AT_OK)
		return storage_fail(st, e, c);
	f++;
	if (f >= free_tries) {
		int64_t n = f - free_tries;
		wait = n >= 9 ? LOGIN_MAX_WAIT : (int64_t)1 << n;
		if (wait > LOGIN_MAX_WAIT)
			wait = LOGIN_MAX_WAIT;
	}
	c = store_throttle_put(st, key, f, wait ? now + wait : 0, at, e);
	if (c == AT_OK && f == free_tries) {
		snprintf(details, sizeof(details),
		         "{\"address\":\"%.64s\",\"failures\":%lld,\"wait_seconds\":%lld}", addr,
		         (long long)f, (long long)wait);
		c = store_security_log(st, at, "system", "LOGIN_LOCKOUT", subject, details);
	}
	return c;
}

enum at_code login_note(struct store *st, const char *username, const char *addr, int ok,
                        struct at_errors *e)
{
	char user_key[160], addr_key[160], at[AT_TIME_LEN + 1], subject[160];
	int64_t now = login_now(at), f, next;
	enum at_code c;

	login_keys(username, addr, user_key, addr_key, sizeof(user_key));
	if (ok && store_throttle_get(st, user_key, &f, &next) == AT_OK && f == 0)
		return AT_OK; /* nothing to clear: no write for every good login */
	if ((c = store_begin(st, e)) != AT_OK)
		return c;
	if (ok) {
		c = store_throttle_put(st, user_key, 0, 0, at, e);
	} else {
		snprintf(subject, sizeof(subject), "%.64s", username);
		c = login_fail(st, user_key, LOGIN_USER_FREE, subject, addr, now, at, e);
		snprintf(subject, sizeof(subject), "address %.64s", addr);
		if (c == AT_OK)
			c = login_fail(st, addr_key, LOGIN_ADDR_FREE, subject, addr, now, at, e);
	}
	if (c != AT_OK) {
		store_rollback(st);
		return c == AT_OK ? AT_STORAGE : c;
	}
	return store_commit(st, e);
}
