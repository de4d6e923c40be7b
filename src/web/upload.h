/*
 * upload.h — file uploads: multipart/form-data bodies of ROUTE_UPLOAD
 * routes, spooled to disk as they arrive, and the server's directory for
 * files kept between requests.
 *
 * A CSV to import may be 64 MiB and a database to restore gigabytes, so
 * such a body never goes through memory: at the request's first callback
 * (its headers), the route is found and the user authenticated; only a
 * user the route allows gets a spool file (in the uploads directory,
 * unlinked at once, so it goes away with the request or the process);
 * anyone else's body is read and dropped, and the dispatcher answers as
 * for any request (the login page, 403).  The body is parsed as it
 * arrives (web/multipart.h): file content goes to the spool file, the
 * text fields (1 MiB at most) to memory.  When it is complete the
 * dispatcher makes the text fields rq->form, exactly as if they had been
 * posted urlencoded (same checks, same CSRF field), and the file stays in
 * the spool until the handler copies it out (web_upload_save).
 */
#ifndef AT_WEB_UPLOAD_H
#define AT_WEB_UPLOAD_H

#include <stdint.h>

#include "web/web.h"

/* Body caps of upload routes: an import's CSV (SPEC §7: 64 MiB, plus room
 * for the form's other fields), anything else (a database to restore). */
#define WEB_UPLOAD_CSV_LIMIT (WEB_CSV_LIMIT + ((uint64_t)1 << 20))
#define WEB_UPLOAD_LIMIT ((uint64_t)16 << 30)

/* The file part of an upload. */
struct web_upload {
	char filename[256];                  /* as the browser named it ("" none chosen) */
	char ctype[128];
	uint64_t len;
};

/* Make the uploads directory "<db>.uploads" (mode 0700) and empty it of
 * what a previous run left; 0 or -1 (said on stderr).  Once, at start. */
int web_upload_init(const char *db_path);
/* The uploads directory ("" before web_upload_init). */
const char *web_upload_dir(void);
/* Is a server running on the database at `db_path`?  Every server holds
 * a shared lock on "<db>.uploads/.server" while it runs (taken by
 * web_upload_init); the CLI's restore asks, and refuses (its admin page
 * holds the server's requests off around the swap; the CLI cannot). */
int web_server_running(const char *db_path);

/*
 * At a request's first callback: is this an upload route?  0 if not.
 * Otherwise 1, and `*cap` is the most body it may have: the route's cap
 * when the user may use it (a spool file is then open), or 0 when not
 * (the body is dropped).  -1 if the spool file cannot be made.
 */
int web_spool_begin(struct request *rq, uint64_t *cap);
/* Append a chunk of the body; -1 past the cap or on a write error. */
int web_spool_add(struct request *rq, const char *data, size_t n);
/* Release the spool (the request is complete); safe without one. */
void web_spool_end(struct request *rq);

/* Parse the spooled body (the dispatcher, for ROUTE_UPLOAD routes):
 * AT_OK with rq->form filled; AT_MALFORMED / AT_TOO_LARGE with `why`
 * (AT_MSG_MAX bytes). */
enum at_code web_upload_parse(struct request *rq, char *why);

/* The file sent in field `name`, or NULL if the form had none. */
const struct web_upload *web_upload_file(struct request *rq, const char *name);

/* Copy the file of field `name` into the new file `path` (mode 0600,
 * never overwriting: AT_CONFLICT).  AT_NOT_FOUND without such a field. */
enum at_code web_upload_save(struct request *rq, const char *name, const char *path,
                             struct at_errors *e);

#endif
