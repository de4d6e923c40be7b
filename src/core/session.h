/*
 * session.h — browser sessions for the web UI.
 *
 * The cookie carries a 256-bit random secret; the database keeps only its
 * SHA-256, so a copied database file grants no logins.  Each session has
 * its own CSRF token that cookie-authenticated writes must echo.
 * Sessions end after AT_SESSION_IDLE_SECONDS without use (SPEC §7: 12 idle
 * hours) or at logout.
 */
#ifndef AT_CORE_SESSION_H
#define AT_CORE_SESSION_H

#include "core/types.h"

#define AT_SESSION_IDLE_SECONDS (12 * 3600)
#define AT_SECRET_HEX 64

/* New session for `u`: `token` and `csrf` (AT_SECRET_HEX+1 each) get the
 * cookie secret and the CSRF token. */
enum at_code session_create(struct store *st, const struct user *u, char *token, char *csrf,
                            struct at_errors *e);

/* The user and CSRF token of a live session.  AT_UNAUTHORIZED for
 * unknown, ended or expired sessions.  When its idle timer is due for a
 * refresh, `*touch_id` gets the session id (else 0): the caller passes it
 * to session_touch() outside any read transaction. */
enum at_code session_lookup(struct store *st, const char *token, struct user *u, char *csrf,
                            int64_t *touch_id);

/* Record use of session `id` now (refreshes its idle timer). */
enum at_code session_touch(struct store *st, int64_t id);

/* End the session (logout).  Unknown tokens are ignored. */
enum at_code session_end(struct store *st, const char *token);

#endif
