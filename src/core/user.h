/*
 * user.h — logins and API tokens.  Passwords are argon2id (libsodium
 * crypto_pwhash_str); API tokens are 256-bit random strings of which only
 * the SHA-256 is stored.  Every change is written to the security log.
 */
#ifndef AT_CORE_USER_H
#define AT_CORE_USER_H

#include "core/types.h"

#define AT_TOKEN_LEN 64   /* 32 random bytes as lower-case hex */
#define AT_PASSWORD_MIN 8
#define AT_PASSWORD_MAX 1024

enum at_code user_add(struct store *st, const char *actor, const char *username,
                      enum user_role role, const char *password, struct user *out,
                      struct at_errors *e);

/* New API token for `username`; `token` (AT_TOKEN_LEN+1) gets the secret,
 * shown once. */
enum at_code user_token_create(struct store *st, const char *actor, const char *username,
                               const char *label, char *token, struct at_errors *e);

/* Revoke every API token of `username`; `*count` gets how many. */
enum at_code user_tokens_revoke(struct store *st, const char *actor, const char *username,
                                int64_t *count, struct at_errors *e);

/* Check a password; AT_OK with the user, AT_UNAUTHORIZED otherwise. */
enum at_code user_check_password(struct store *st, const char *username, const char *password,
                                 struct user *u);

/* The active user an API token belongs to, or AT_UNAUTHORIZED. */
enum at_code user_by_token(struct store *st, const char *token, struct user *u);

/*
 * Login throttling, kept in the database so a restart forgives nothing.
 * Counted per (username, client address) and per client address, so one
 * attacker can slow down their own guesses, not lock every user out:
 *   - per (user, address): after LOGIN_USER_FREE failures, each further
 *     attempt waits 2^(n - LOGIN_USER_FREE) s, at most LOGIN_MAX_WAIT;
 *   - per address: the same from LOGIN_ADDR_FREE failures (any users).
 * A success clears that user's count from that address.  Each first
 * lockout is written to the security log (LOGIN_LOCKOUT).
 */
#define LOGIN_USER_FREE 3
#define LOGIN_ADDR_FREE 20
#define LOGIN_MAX_WAIT 300

/* Seconds before `username` may try again from `addr` (0: now). */
long login_wait(struct store *st, const char *username, const char *addr);

/* Record an attempt's outcome (one write transaction). */
enum at_code login_note(struct store *st, const char *username, const char *addr, int ok,
                        struct at_errors *e);

/* SHA-256 hex of a token. */
void user_token_hash(const char *token, char out[AT_HASH_HEX + 1]);

#endif
