/*
 * auth.c — who is asking: API tokens (with a per-thread cache), browser
 * sessions, login throttling, and the session routes of the JSON API.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/encode.h"
#include "core/session.h"
#include "core/user.h"
#include "util/text.h"
#include "web/web.h"
#include "web/config.h"

/* ==== client address ================================================== */

/* The client's address as text ("127.0.0.1", "::1"): the socket's peer,
 * never a header a client could forge. */
static void client_address(struct request *rq, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		          (socklen_t)cap);
}

/* ==== login and logout ================================================ */

int web_tls_on;

enum at_code web_login(struct request *rq, const char *name, const char *pass, struct user *u,
                       char *csrf, char *cookie_v, long *retry_after, struct at_errors *e)
{
	char token[AT_SECRET_HEX + 1], addr[INET6_ADDRSTRLEN + 1];
	struct at_errors te = AT_ERRORS_INIT;
	enum at_code c;

	client_address(rq, addr, sizeof(addr));
	*retry_after = login_wait(rq->st, name, addr);
	if (*retry_after > 0)
		return AT_UNAUTHORIZED;
	c = user_check_password(rq->st, name, pass, u);
	if (c == AT_OK || c == AT_UNAUTHORIZED) {
		/* A throttle that cannot be written must not let guesses through
		 * unnoticed: the login fails as a storage error. */
		if (login_note(rq->st, name, addr, c == AT_OK, &te) != AT_OK) {
			at_fail(e, te.code, "%s", te.message);
			at_errors_free(&te);
			return e->code;
		}
	}
	if (c == AT_UNAUTHORIZED)
		return c;
	if (c != AT_OK || session_create(rq->st, u, token, csrf, e) != AT_OK) {
		if (e->code == AT_OK)
			at_fail(e, AT_STORAGE, "cannot start a session: %s", db_errmsg(rq->st));
		return e->code;
	}
	snprintf(cookie_v, 256, WEB_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
	         web_tls_on ? "; Secure" : "");
	sodium_memzero(token, sizeof(token));
	web_config_login_seen(u->username);
	return AT_OK;
}

void web_logout(struct request *rq, char *cookie_v)
{
	const char *tok = web_cookie(rq, WEB_COOKIE);

	if (tok)
		session_end(rq->st, tok);
	snprintf(cookie_v, 256, WEB_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
	         web_tls_on ? "; Secure" : "");
}

/* ==== JSON session routes (public) ==================================== */

void api_login(struct request *rq)
{
	json_t *u = json_object_get(rq->json, "username"), *p = json_object_get(rq->json, "password");
	char csrf[AT_SECRET_HEX + 1], cookie_v[256];
	struct at_errors e = AT_ERRORS_INIT;
	const char *name;
	struct user user;
	enum at_code c;
	long wait;

	if (!json_is_string(u) || !json_is_string(p) || json_object_size(rq->json) != 2) {
		web_reply_fail(rq, AT_INVALID, "login takes {\"username\": text, \"password\": text}");
		return;
	}
	name = json_string_value(u);
	c = web_login(rq, name, json_string_value(p), &user, csrf, cookie_v, &wait, &e);
	if (c == AT_UNAUTHORIZED && wait > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%ld", wait);
		e.code = AT_UNAUTHORIZED;
		snprintf(e.message, sizeof(e.message),
		         "too many failed logins for %s; try again in %ld seconds", name, wait);
		web_reply_json_hdr(rq, 429, errors_to_json(&e), "Retry-After", secs);
	} else if (c == AT_UNAUTHORIZED) {
		web_reply_fail(rq, AT_UNAUTHORIZED, "wrong username or password");
	} else if (c != AT_OK) {
		web_reply_error(rq, &e);
	} else {
		web_reply_json_hdr(rq, 200,
		                   json_pack("{s:{s:s, s:s}, s:s}", "user", "username", user.username,
		                             "role", user_role_name(user.role), "csrf_token", csrf),
		                   "Set-Cookie", cookie_v);
	}
	at_errors_free(&e);
}

void api_logout(struct request *rq)
{
	char cookie_v[256];

	web_logout(rq, cookie_v);
	web_reply_json_hdr(rq, 200, json_pack("{s:b}", "ok", 1), "Set-Cookie", cookie_v);
}

void api_me(struct request *rq)
{
	web_reply_json(rq, 200,
	               json_pack("{s:s, s:s, s:s?}", "username", rq->user.username, "role",
	                         user_role_name(rq->user.role), "csrf_token",
	                         rq->via_cookie ? rq->csrf : NULL));
}

/* ==== authentication ================================================== */

/* Constant-time comparison of two NUL-terminated secrets. */
int web_secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la == lb && sodium_memcmp(a, b, la) == 0;
}

/*
 * Per-thread cache of API tokens this thread has checked, for the scanner
 * lookups that make up most requests.  An entry is good only while the
 * database is unchanged since it was checked (PRAGMA data_version, read
 * inside the request's snapshot): any commit anywhere — a revoked token,
 * a deactivated user — empties the cache before the next cached answer.
 * Writes never use it.
 */
#define TOKEN_CACHE 16

static _Thread_local struct {
	char token[AT_TOKEN_LEN + 1];
	struct user user;
} tl_tokens[TOKEN_CACHE];
static _Thread_local int tl_ntokens, tl_next;
static _Thread_local int64_t tl_version = -1;

static enum at_code token_user(struct request *rq, const char *tok)
{
	enum at_code c;
	int64_t v;

	if (!rq->read_txn) {
		tl_ntokens = 0; /* this thread may be about to change users */
		return user_by_token(rq->st, tok, &rq->user);
	}
	v = db_data_version(rq->st);
	if (v < 0 || v != tl_version) {
		tl_ntokens = 0;
		tl_version = v;
	}
	/* Constant time, 64 bytes at once (sodium_memcmp's byte loop was 530
	 * instructions a lookup). */
	static_assert(AT_TOKEN_LEN == crypto_verify_64_BYTES, "a token is 64 bytes");
	for (int i = 0; i < tl_ntokens; i++) {
		if (crypto_verify_64((const unsigned char *)tl_tokens[i].token,
		                     (const unsigned char *)tok) == 0) {
			rq->user = tl_tokens[i].user;
			return AT_OK;
		}
	}
	c = user_by_token(rq->st, tok, &rq->user);
	if (c == AT_OK && v >= 0) {
		int i = tl_ntokens < TOKEN_CACHE ? tl_ntokens++ : (tl_next++ % TOKEN_CACHE);
		memcpy(tl_tokens[i].token, tok, AT_TOKEN_LEN + 1);
		tl_tokens[i].user = rq->user;
	}
	return c;
}

/*
 * Where the Authorization and Cookie headers' values lie in
 * libmicrohttpd's read buffer, and where each header line starts: one
 * pass over the headers finds all of it (header_has_nul below).
 */
#define SCAN_KEYS 32

struct hdr_scan {
	struct {
		const char *name;
		size_t name_len;
		const char *value;
		size_t len;
	} h[2];
	const char *keys[SCAN_KEYS];
	int nkeys;                  /* > SCAN_KEYS: some were not kept */
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
	struct hdr_scan *s = cls;

	(void)kind;
	for (int i = 0; i < 2; i++)
		if (!s->h[i].value && key_size == s->h[i].name_len &&
		    strncasecmp(key, s->h[i].name, key_size) == 0) {
			s->h[i].value = value;
			s->h[i].len = value_size;
		}
	if (s->nkeys < SCAN_KEYS)
		s->keys[s->nkeys] = key;
	s->nkeys++;
	return MHD_YES;
}

/* With more headers than SCAN_KEYS kept: the nearest line after `after`
 * from a second pass. */
static enum MHD_Result find_next(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t key_size, const char *value, size_t value_size)
{
	const char **next = cls;

	(void)kind;
	(void)key_size;
	(void)value;
	(void)value_size;
	if (key > next[0] && (!next[1] || key < next[1]))
		next[1] = key;
	return MHD_YES;
}

/*
 * Does header `i` of the scan hold a NUL byte?  Credentials are compared
 * whole: "TOKEN\0junk" must not pass as TOKEN.  libmicrohttpd cuts a
 * value at its first NUL (value_size is strlen) but parses in place,
 * ending each line by zeroing its CR LF: so the bytes from the value's
 * end to the next header line (or, for the last header, its own line
 * end) are all zero unless the value went on after a NUL.
 */
static int header_has_nul(struct request *rq, const struct hdr_scan *s, int i)
{
	const char *value = s->h[i].value, *next = NULL, *end;

	if (!value)
		return 0;
	if (s->nkeys <= SCAN_KEYS) {
		for (int k = 0; k < s->nkeys; k++)
			if (s->keys[k] > value && (!next || s->keys[k] < next))
				next = s->keys[k];
	} else {
		const char *ctx[2] = { value, NULL };
		MHD_get_connection_values_n(rq->conn, MHD_HEADER_KIND, find_next, ctx);
		next = ctx[1];
	}
	end = next ? next : value + s->h[i].len + 2;
	for (const char *p = value + s->h[i].len; p < end; p++)
		if (*p)
			return 1;
	return 0;
}

/* Authenticate from a Bearer token or the session cookie. */
enum at_code web_authenticate(struct request *rq)
{
	struct hdr_scan s = { { { "Authorization", 13, NULL, 0 }, { "Cookie", 6, NULL, 0 } },
		              { NULL }, 0 };
	const char *auth, *tok;

	/* Any request that may write (a token revoked from a browser session,
	 * a user deactivated) empties this thread's token cache: PRAGMA
	 * data_version does not change for this connection's own commits, so
	 * the cache could not see them. */
	if (!rq->read_txn)
		tl_ntokens = 0;
	MHD_get_connection_values_n(rq->conn, MHD_HEADER_KIND, scan_header, &s);
	if (header_has_nul(rq, &s, 0) || header_has_nul(rq, &s, 1))
		return AT_UNAUTHORIZED;
	/* The first Authorization header, as MHD_lookup_connection_value
	 * would give it. */
	auth = s.h[0].value;
	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return AT_UNAUTHORIZED;
		tok = auth + 7;
		while (*tok == ' ')
			tok++;
		if (strlen(tok) != AT_TOKEN_LEN)
			return AT_UNAUTHORIZED;
		return token_user(rq, tok);
	}
	tok = web_cookie(rq, WEB_COOKIE);
	if (!tok)
		return AT_UNAUTHORIZED;
	rq->via_cookie = 1;
	return session_lookup(rq->st, tok, &rq->user, rq->csrf, &rq->touch_session);
}
