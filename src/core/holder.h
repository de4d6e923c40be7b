/*
 * holder.h — people who can hold custody.  Holders are deactivated, never
 * deleted; a holder who still holds assets cannot be deactivated.
 */
#ifndef AT_CORE_HOLDER_H
#define AT_CORE_HOLDER_H

#include "core/types.h"

/* Create a holder (HOLDER_CREATED).  badge and email may be NULL. */
enum at_code holder_create(struct store *st, const char *actor, const char *name,
                           const char *badge, const char *email, struct holder *out,
                           struct at_errors *e);

/* Change name/badge/email (NULL unchanged, "" clears badge/email) and
 * active (-1 unchanged, 0, 1): HOLDER_UPDATED with old and new values. */
enum at_code holder_update(struct store *st, const char *actor, int64_t id, const char *name,
                           const char *badge, const char *email, int active,
                           struct holder *out, struct at_errors *e);

/*
 * Resolve a holder named by a person: a badge (scanned) or a numeric id.
 * If the text is both some holder's badge and another holder's id, that is
 * AT_AMBIGUOUS (never a pick).  `why` AT_MSG_MAX.
 */
enum at_code holder_resolve(struct store *st, const char *text, struct holder *h, char *why);

/* A holder by badge only (scanner-cleaned).  `why` AT_MSG_MAX. */
enum at_code holder_by_badge(struct store *st, const char *badge, struct holder *h, char *why);

#endif
