/*
 * upload.c — multipart uploads spooled to disk, and the uploads directory
 * (web/upload.h).  The body is parsed as it arrives (web/multipart.h):
 * only file content reaches the disk, and memory holds the parser's state
 * and the text fields.
 */
#include "web/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/db.h"
#include "core/user.h"
#include "web/multipart.h"

#define UPLOAD_PARTS_MAX 64
#define UPLOAD_FILES_MAX 4
#define UPLOAD_TEXT_MAX ((size_t)1 << 20)     /* all the text fields together */

struct spooled_file {
	char name[MULTIPART_NAME_MAX + 1];
	struct web_upload up;
	uint64_t off;
};

/* An upload in progress: the body is parsed as it arrives; file parts
 * go to the spool file, text parts to `text` as an urlencoded form. */
struct web_spool {
	int fd;
	uint64_t len, cap;                   /* body bytes received, and the most */
	uint64_t spooled;                    /* file bytes in the spool file */
	int not_multipart;
	struct mp_stream ms;
	struct mp_part parts[UPLOAD_PARTS_MAX];
	struct buf text;
	size_t text_raw;
	struct spooled_file files[UPLOAD_FILES_MAX];
	size_t nfiles;
};

static char upload_dir[4096];
static int server_lock = -1;

/* ==== the directory ==================================================== */

int web_upload_init(const char *db_path)
{
	DIR *d;
	struct dirent *de;
	char p[sizeof(upload_dir) + 300], base[sizeof(upload_dir) - 16];

	if (db_local_base(db_path, base, sizeof(base)) < 0) {
		fprintf(stderr, "assettrack: the path for the uploads of %s is too long\n", db_path);
		return -1;
	}
	snprintf(upload_dir, sizeof(upload_dir), "%s.uploads", base);
	if (mkdir(upload_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "assettrack: cannot make %s: %s\n", upload_dir, strerror(errno));
		upload_dir[0] = '\0';
		return -1;
	}
	/* The mark of a server on this database (web_server_running): held
	 * shared for the process's life, released by the kernel however it
	 * ends. */
	snprintf(p, sizeof(p), "%s/.server", upload_dir);
	if (server_lock < 0 && (server_lock = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
		flock(server_lock, LOCK_SH);
	/* What is there was left by a run that did not finish its imports
	 * or restores, and nobody can go on with them now.  Only old files
	 * go: another server on the same database may be using new ones. */
	d = opendir(upload_dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", upload_dir, de->d_name);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && time(NULL) - sb.st_mtime > 3600)
			unlink(p);
	}
	closedir(d);
	return 0;
}

const char *web_upload_dir(void)
{
	return upload_dir;
}

int web_server_running(const char *db_path)
{
	char p[sizeof(upload_dir) + 32], base[sizeof(upload_dir) - 16];
	int fd, busy;

	if (db_local_base(db_path, base, sizeof(base)) < 0)
		return 0;
	snprintf(p, sizeof(p), "%s.uploads/.server", base);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

/* ==== parsing it as it comes =========================================== */

/* Append `s` (n bytes) percent-encoded but for unreserved characters. */
static int add_encoded(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			if (buf_addc(b, (char)c) < 0)
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			if (buf_add(b, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}

/* Copy a NUL-terminated `src` into `dst` (cap bytes), cut if need be.
 * (snprintf("%s") here made GCC's -Wrestrict guess that the part and
 * the spool overlap; they never do.) */
static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A part begins: a file gets its place in the spool file, a text field
 * its "name=" in the form. */
static enum at_code on_part(void *ctx, size_t i, char *why)
{
	struct web_spool *sp = ctx;
	const struct mp_part *pt = &sp->parts[i];
	struct spooled_file *f;

	if (!pt->is_file) {
		if ((sp->text.len && buf_addc(&sp->text, '&') < 0) ||
		    add_encoded(&sp->text, pt->name, strlen(pt->name)) < 0 ||
		    buf_addc(&sp->text, '=') < 0) {
			snprintf(why, AT_MSG_MAX, "the form's text fields are too large");
			return AT_TOO_LARGE;
		}
		return AT_OK;
	}
	if (sp->nfiles == UPLOAD_FILES_MAX) {
		snprintf(why, AT_MSG_MAX, "more than %d files in one form", UPLOAD_FILES_MAX);
		return AT_TOO_LARGE;
	}
	f = &sp->files[sp->nfiles++];
	copy_text(f->name, sizeof(f->name), pt->name);
	copy_text(f->up.filename, sizeof(f->up.filename), pt->filename);
	copy_text(f->up.ctype, sizeof(f->up.ctype), pt->ctype);
	f->off = sp->spooled;
	return AT_OK;
}

/* Content: a file's to disk, a text field's into the form (capped). */
static enum at_code on_data(void *ctx, size_t i, const char *data, size_t n, char *why)
{
	struct web_spool *sp = ctx;

	if (!sp->parts[i].is_file) {
		sp->text_raw += n;
		if (sp->text_raw > UPLOAD_TEXT_MAX || add_encoded(&sp->text, data, n) < 0) {
			snprintf(why, AT_MSG_MAX, "the form's text fields pass %zu bytes",
			         UPLOAD_TEXT_MAX);
			return AT_TOO_LARGE;
		}
		return AT_OK;
	}
	sp->files[sp->nfiles - 1].up.len += n;
	sp->spooled += n;
	while (n) {
		ssize_t w = write(sp->fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(why, AT_MSG_MAX, "cannot store the upload: %s",
			         strerror(w < 0 ? errno : ENOSPC));
			return AT_STORAGE;
		}
		data += w;
		n -= (size_t)w;
	}
	return AT_OK;
}

/* ==== spooling the body ================================================ */

int web_spool_begin(struct request *rq, uint64_t *cap)
{
	const struct route *r;
	struct web_spool *sp;
	char path[sizeof(upload_dir) + 32], boundary[MULTIPART_BOUNDARY_MAX + 1];
	int mismatch;

	*cap = 0;
	/* Uploads are posts; everything else skips the second route match. */
	if (strcmp(rq->method, "POST") != 0)
		return 0;
	r = web_route_find(rq, &mismatch);
	if (!r || !(r->flags & ROUTE_UPLOAD))
		return 0;
	/* Only someone the route allows may put a file on this disk; anyone
	 * else's body is dropped, and the dispatcher says why as usual. */
	rq->st = web_thread_store();
	if (!rq->st || web_authenticate(rq) != AT_OK || !(r->roles & ROLE_BIT(rq->user.role)) ||
	    !upload_dir[0])
		return 1;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -1;
	snprintf(path, sizeof(path), "%s/spool-XXXXXX", upload_dir);
	sp->fd = mkstemp(path);
	if (sp->fd < 0) {
		free(sp);
		return -1;
	}
	/* Nameless from now on: it goes with the request, or the process. */
	unlink(path);
	sp->cap = (r->flags & ROUTE_CSV_BODY) ? WEB_UPLOAD_CSV_LIMIT : WEB_UPLOAD_LIMIT;
	/* Each text byte may become three (%HH). */
	buf_init(&sp->text, UPLOAD_TEXT_MAX * 3 + 4096);
	sp->not_multipart = multipart_boundary(web_header(rq, "Content-Type"), boundary) < 0 ||
	                    multipart_stream_init(&sp->ms, boundary, sp->parts, UPLOAD_PARTS_MAX,
	                                          on_part, on_data, sp) < 0;
	*cap = sp->cap;
	rq->spool = sp;
	return 1;
}

int web_spool_add(struct request *rq, const char *data, size_t n)
{
	struct web_spool *sp = rq->spool;

	if (!sp || n > sp->cap - sp->len)
		return -1;
	sp->len += n;
	/* A body that is not multipart, or that the parser has refused, is
	 * read to its end and dropped; the dispatcher says why. */
	if (!sp->not_multipart)
		multipart_stream_feed(&sp->ms, data, n);
	return 0;
}

void web_spool_end(struct request *rq)
{
	if (!rq->spool)
		return;
	close(rq->spool->fd);
	buf_free(&rq->spool->text);
	free(rq->spool);
	rq->spool = NULL;
}

/* ==== the complete body ================================================ */

enum at_code web_upload_parse(struct request *rq, char *why)
{
	struct web_spool *sp = rq->spool;
	enum at_code c;

	if (!sp || sp->not_multipart) {
		snprintf(why, AT_MSG_MAX, "send this form as multipart/form-data with a boundary");
		return AT_MALFORMED;
	}
	c = multipart_stream_end(&sp->ms);
	if (c != AT_OK) {
		snprintf(why, AT_MSG_MAX, "%s", sp->ms.why);
		return c;
	}
	return form_parse(sp->text.data, sp->text.len, FORM_MAX_FIELDS, &rq->form, why);
}

/* ==== the file part ==================================================== */

static const struct spooled_file *find_file(struct request *rq, const char *name)
{
	struct web_spool *sp = rq->spool;

	for (size_t i = 0; sp && i < sp->nfiles; i++)
		if (strcmp(sp->files[i].name, name) == 0)
			return &sp->files[i];
	return NULL;
}

const struct web_upload *web_upload_file(struct request *rq, const char *name)
{
	const struct spooled_file *f = find_file(rq, name);

	return f ? &f->up : NULL;
}

enum at_code web_upload_save(struct request *rq, const char *name, const char *path,
                             struct at_errors *e)
{
	const struct spooled_file *f = find_file(rq, name);
	char chunk[65536];
	uint64_t off, left;
	int out;

	if (!f)
		return at_fail(e, AT_NOT_FOUND, "the form had no file '%s'", name);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return at_fail(e, errno == EEXIST ? AT_CONFLICT : AT_STORAGE, "cannot create %s: %s",
		               path, strerror(errno));
	for (off = f->off, left = f->up.len; left;) {
		ssize_t r = pread(rq->spool->fd, chunk, left < sizeof(chunk) ? left : sizeof(chunk),
		                  (off_t)off);
		ssize_t w = r > 0 ? write(out, chunk, (size_t)r) : -1;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || w != r) {
			enum at_code c = at_fail(e, AT_STORAGE, "cannot save the upload: %s",
			                         strerror(errno ? errno : EIO));
			close(out);
			unlink(path);
			return c;
		}
		off += (uint64_t)r;
		left -= (uint64_t)r;
	}
	if (close(out) < 0) {
		unlink(path);
		return at_fail(e, AT_STORAGE, "cannot save the upload: %s", strerror(errno));
	}
	return AT_OK;
}
