/*
 * checkpoint.c — signed checkpoints of the event log (core/checkpoint.h).
 */
#include "store/store.h"
#include "core/checkpoint.h"
#include "core/db.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "util/text.h"

#define LINE_MAGIC "assettrack-checkpoint v1"
#define CKPT_LINE_MAX 1024
#define SIG_HEX (crypto_sign_BYTES * 2)

void checkpoint_paths_default(struct checkpoint_paths *p, const char *db_path,
                              char store[3][AT_PATH_MAX])
{
	char base[AT_PATH_MAX - 32];

	/* A URI's files are named after db_local_base; a file's beside it. */
	if (db_local_base(db_path, base, sizeof(base)) < 0)
		snprintf(base, sizeof(base), "%s", db_path);
	if (!p->file) {
		snprintf(store[0], AT_PATH_MAX, "%s.checkpoints", base);
		p->file = store[0];
	}
	if (!p->key) {
		snprintf(store[1], AT_PATH_MAX, "%s.checkpoint-key", base);
		p->key = store[1];
	}
	if (!p->pub) {
		snprintf(store[2], AT_PATH_MAX, "%s.pub", p->key);
		p->pub = store[2];
	}
}

/* ==== keys ============================================================ */

static void key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                   char out[AT_CKPT_KEYID_HEX + 1])
{
	sodium_bin2hex(out, AT_CKPT_KEYID_HEX + 1, pk, AT_CKPT_KEYID_HEX / 2);
}

/* The first line of `path` as `n` bytes of hex; -1 with errno (EINVAL if
 * it is not such a line). */
static int read_hex_file(const char *path, unsigned char *out, size_t n)
{
	char line[256];
	size_t len;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		errno = EINVAL;
		return -1;
	}
	fclose(f);
	len = strcspn(line, "\r\n");
	if (len != n * 2 ||
	    sodium_hex2bin(out, n, line, len, NULL, NULL, NULL) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Write `text` to a new file `path` (O_EXCL: never over another key). */
static int write_new_file(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		int saved = errno;
		close(fd);
		unlink(path);
		errno = saved ? saved : EIO;
		return -1;
	}
	return close(fd);
}

/* The signing key at p->key, created (with p->pub beside it) on first
 * use.  The seed never leaves this function's buffers unwiped. */
static enum at_code key_load(const struct checkpoint_paths *p,
                             unsigned char sk[crypto_sign_SECRETKEYBYTES],
                             unsigned char pk[crypto_sign_PUBLICKEYBYTES], struct at_errors *e)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char hex[crypto_sign_SEEDBYTES * 2 + 2];
	char pub[crypto_sign_PUBLICKEYBYTES * 2 + 2];
	enum at_code c = AT_OK;

	if (read_hex_file(p->key, seed, sizeof(seed)) == 0) {
		crypto_sign_seed_keypair(pk, sk, seed);
		goto out;
	}
	if (errno != ENOENT) {
		c = at_fail(e, AT_STORAGE, "cannot read the checkpoint key %s: %s", p->key,
		            errno == EINVAL ? "not a key file" : strerror(errno));
		goto out;
	}
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_bin2hex(hex, sizeof(hex) - 1, seed, sizeof(seed));
	strcat(hex, "\n");
	sodium_bin2hex(pub, sizeof(pub) - 1, pk, crypto_sign_PUBLICKEYBYTES);
	strcat(pub, "\n");
	/* The public half first: a key without it could sign lines that
	 * nothing can check. */
	if ((write_new_file(p->pub, pub, 0644) != 0 && errno != EEXIST) ||
	    write_new_file(p->key, hex, 0600) != 0)
		c = at_fail(e, AT_STORAGE, "cannot create the checkpoint key %s: %s", p->key,
		            strerror(errno));
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(hex, sizeof(hex));
	return c;
}

/* ==== lines =========================================================== */

/* The signed part of a line (everything before " sig="). */
static int format_signed(const struct checkpoint *ck, char *out, size_t cap)
{
	return snprintf(out, cap, LINE_MAGIC " seq=%lld head=%s state=%s at=%s key=%s prev=%s",
	                (long long)ck->seq, ck->head, ck->state, ck->at, ck->key, ck->prev);
}

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void sha256_hex(const char *data, size_t len, char out[AT_HASH_HEX + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)data, len);
	sodium_bin2hex(out, AT_HASH_HEX + 1, d, sizeof(d));
}

/* Parse one line (no newline) into `ck` and its signature; -1 unless it
 * is exactly the canonical form format_signed() writes. */
static int parse_line(const char *line, struct checkpoint *ck,
                      unsigned char sig[crypto_sign_BYTES], size_t *signed_len)
{
	char seq[24], sighex[SIG_HEX + 2], again[CKPT_LINE_MAX];
	int end = -1;
	const char *s;

	memset(ck, 0, sizeof(*ck));
	if (sscanf(line,
	           LINE_MAGIC " seq=%20[0-9] head=%64[0-9a-f] state=%64[0-9a-f] at=%31[^ ] "
	                      "key=%16[0-9a-f] prev=%64[0-9a-f] sig=%129[0-9a-f]%n",
	           seq, ck->head, ck->state, ck->at, ck->key, ck->prev, sighex, &end) != 7 ||
	    end < 0 || line[end] != '\0')
		return -1;
	if (!is_hex(ck->head, AT_HASH_HEX) || !is_hex(ck->state, AT_HASH_HEX) ||
	    !is_hex(ck->key, AT_CKPT_KEYID_HEX) || !is_hex(ck->prev, AT_HASH_HEX) ||
	    !is_hex(sighex, SIG_HEX) || strlen(ck->at) > AT_TIME_LEN)
		return -1;
	ck->seq = strtoll(seq, NULL, 10);
	if (ck->seq < 1 ||
	    sodium_hex2bin(sig, crypto_sign_BYTES, sighex, SIG_HEX, NULL, NULL, NULL) != 0)
		return -1;
	/* Canonical: the text signed is the text we would have written. */
	*signed_len = (size_t)format_signed(ck, again, sizeof(again));
	s = strstr(line, " sig=");
	if (!s || (size_t)(s - line) != *signed_len || strncmp(line, again, *signed_len) != 0)
		return -1;
	return 0;
}

__attribute__((format(printf, 3, 4))) static void add_problem(struct verify_report *r,
                                                              const char *code,
                                                              const char *fmt, ...)
{
	char msg[AT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	verify_add_problem(r, code, msg);
}

static int push(struct checkpoint **v, size_t *n, size_t *cap, const struct checkpoint *ck)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct checkpoint *p = realloc(*v, ncap * sizeof(*p));
		if (!p)
			return -1;
		*v = p;
		*cap = ncap;
	}
	(*v)[(*n)++] = *ck;
	return 0;
}

enum at_code checkpoint_load(const struct checkpoint_paths *p, struct checkpoint **out,
                             size_t *n, struct verify_report *r, struct at_errors *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	char id[AT_CKPT_KEYID_HEX + 1], prev[AT_HASH_HEX + 1];
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	ssize_t len;
	int lineno = 0;
	int64_t last_seq = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	if (sodium_init() < 0)
		return at_fail(e, AT_INTERNAL, "libsodium failed to initialise");
	f = fopen(p->file, "r");
	if (!f)
		return at_fail(e, errno == ENOENT ? AT_NOT_FOUND : AT_STORAGE,
		               "cannot read the checkpoint file %s: %s", p->file, strerror(errno));
	if (read_hex_file(p->pub, pk, sizeof(pk)) != 0) {
		fclose(f);
		return at_fail(e, errno == ENOENT ? AT_NOT_FOUND : AT_INVALID,
		               "cannot read the checkpoint public key %s: %s", p->pub,
		               errno == EINVAL ? "not a key file" : strerror(errno));
	}
	key_id(pk, id);
	memset(prev, '0', AT_HASH_HEX);
	prev[AT_HASH_HEX] = '\0';
	while ((len = getline(&line, &linecap, f)) >= 0) {
		struct checkpoint ck;
		size_t signed_len;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((size_t)len >= CKPT_LINE_MAX || parse_line(line, &ck, sig, &signed_len) != 0) {
			add_problem(r, "CHECKPOINT_MALFORMED", "%s line %d is not a checkpoint line",
			            p->file, lineno);
		} else if (strcmp(ck.key, id) != 0) {
			add_problem(r, "CHECKPOINT_OTHER_KEY",
			            "%s line %d is signed by key %s, not by %s (%s)", p->file, lineno,
			            ck.key, id, p->pub);
		} else if (crypto_sign_verify_detached(sig, (const unsigned char *)line, signed_len,
		                                       pk) != 0) {
			add_problem(r, "CHECKPOINT_BAD_SIGNATURE",
			            "%s line %d (seq %lld): the signature does not match: the line "
			            "was altered",
			            p->file, lineno, (long long)ck.seq);
		} else {
			if (strcmp(ck.prev, prev) != 0)
				add_problem(r, "CHECKPOINT_LINE_REMOVED",
				            "%s line %d (seq %lld) does not follow the line before it: "
				            "a checkpoint was removed or changed",
				            p->file, lineno, (long long)ck.seq);
			if (ck.seq <= last_seq)
				add_problem(r, "CHECKPOINT_ORDER",
				            "%s line %d: seq %lld does not follow seq %lld", p->file,
				            lineno, (long long)ck.seq, (long long)last_seq);
			ck.line = lineno;
			sha256_hex(line, (size_t)len, ck.line_hash);
			if (ck.seq > last_seq) {
				last_seq = ck.seq;
				if (push(out, n, &cap, &ck) < 0) {
					fclose(f);
					free(line);
					free(*out);
					*out = NULL;
					return at_fail(e, AT_INTERNAL, "out of memory");
				}
			}
		}
		sha256_hex(line, (size_t)len, prev);
	}
	fclose(f);
	free(line);
	if (r)
		r->checkpoints = *n;
	return AT_OK;
}

/* ==== state digest ==================================================== */

static void hash_row(void *ctx, const char *bytes, size_t len)
{
	crypto_hash_sha256_update(ctx, (const unsigned char *)bytes, len);
}

enum at_code checkpoint_state_digest(struct store *st, char out[AT_HASH_HEX + 1],
                                     struct at_errors *e)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	enum at_code c;

	crypto_hash_sha256_init(&h);
	c = store_state_rows(st, hash_row, &h);
	if (c != AT_OK)
		return storage_fail(st, e, c);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, AT_HASH_HEX + 1, d, sizeof(d));
	return AT_OK;
}

/* ==== writing ========================================================= */

/* fsync the directory holding `path`, so a rename in it is durable. */
static void sync_dir(const char *path)
{
	char copy[AT_PATH_MAX];
	int fd;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The replayed state beside the file, replaced atomically. */
static enum at_code save_state(struct store *scratch, const char *file, struct at_errors *e)
{
	char tmp[AT_PATH_MAX + 16], final[AT_PATH_MAX + 16];
	enum at_code c;

	snprintf(tmp, sizeof(tmp), "%s.state.tmp", file);
	snprintf(final, sizeof(final), "%s.state", file);
	unlink(tmp);
	c = store_backup(scratch, tmp, e);
	if (c != AT_OK)
		return c;
	if (sync_file(tmp) != 0 || rename(tmp, final) != 0) {
		c = at_fail(e, AT_STORAGE, "cannot save the checkpoint state %s: %s", final,
		            strerror(errno));
		unlink(tmp);
		return c;
	}
	sync_dir(final);
	return AT_OK;
}

static enum at_code append_line(const char *file, const char *line, struct at_errors *e)
{
	size_t len = strlen(line);
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return at_fail(e, AT_STORAGE, "cannot open the checkpoint file %s: %s", file,
		               strerror(errno));
	/* One write of the whole line: with O_APPEND, lines never interleave. */
	if (write(fd, line, len) != (ssize_t)len || fsync(fd) != 0) {
		int saved = errno;
		close(fd);
		return at_fail(e, AT_STORAGE, "cannot append to the checkpoint file %s: %s", file,
		               strerror(saved ? saved : EIO));
	}
	close(fd);
	sync_dir(file);
	return AT_OK;
}

/*
 * Several writers may share one checkpoint file: two servers on one
 * database (issue #11), or a server and `assettrack checkpoint`.  Each
 * holds FILE.lock (flock, exclusive) from reading the file to appending
 * its line, so the second reads the first's line and finds nothing left
 * to sign, instead of appending a second line that follows the same one
 * (CHECKPOINT_ORDER).  -1 (errno set) when the lock cannot be had.
 */
static int lock_file(const char *file)
{
	char path[AT_PATH_MAX + 8];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", file);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
	return fd;
}

static enum at_code checkpoint_write_locked(struct store *st, const struct checkpoint_paths *p,
                                            struct checkpoint *out, int *written,
                                            struct verify_report *r, verify_progress_cb progress,
                                            void *pctx, struct at_errors *e);

enum at_code checkpoint_write(struct store *st, const struct checkpoint_paths *p,
                              struct checkpoint *out, int *written, struct verify_report *r,
                              verify_progress_cb progress, void *pctx, struct at_errors *e)
{
	int fd = lock_file(p->file);
	enum at_code c;

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		*written = 0;
		return at_fail(e, AT_STORAGE, "cannot lock the checkpoint file %s.lock: %s", p->file,
		               strerror(errno));
	}
	c = checkpoint_write_locked(st, p, out, written, r, progress, pctx, e);
	close(fd); /* and the lock with it */
	return c;
}

static enum at_code checkpoint_write_locked(struct store *st, const struct checkpoint_paths *p,
                                            struct checkpoint *out, int *written,
                                            struct verify_report *r, verify_progress_cb progress,
                                            void *pctx, struct at_errors *e)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
	char line[CKPT_LINE_MAX], sighex[SIG_HEX + 1];
	struct verify_report pre;
	struct verify_opts o = { 0 };
	struct checkpoint *cks = NULL, ck;
	struct store *scratch = NULL;
	struct anchor head;
	size_t n = 0;
	int len;
	enum at_code c;

	memset(out, 0, sizeof(*out));
	memset(&pre, 0, sizeof(pre));
	*written = 0;
	pre.ok = 1;
	/* A damaged checkpoint file is not added to: that would bury it. */
	c = checkpoint_load(p, &cks, &n, &pre, e);
	if (c == AT_NOT_FOUND && access(p->file, F_OK) != 0) {
		at_errors_reset(e);
		c = AT_OK;
	} else if (c == AT_OK && !pre.ok) {
		c = at_fail(e, AT_CONFLICT,
		            "the checkpoint file %s has problems (%s: %s); run 'assettrack verify'",
		            p->file, pre.problems[0].code, pre.problems[0].message);
	}
	verify_report_free(&pre);
	if (c != AT_OK)
		goto out;
	if (n)
		*out = cks[n - 1];

	o.checkpoints = n ? p : NULL;
	o.since_checkpoint = 1;
	o.scratch = &scratch;
	o.head = &head;
	c = verify_run_ex(st, &o, r, progress, pctx, e);
	if (c != AT_OK || !r->ok || head.seq == 0 || head.seq == out->seq)
		goto out;

	memset(&ck, 0, sizeof(ck));
	ck.seq = head.seq;
	memcpy(ck.head, head.hash, sizeof(ck.head));
	if ((c = checkpoint_state_digest(scratch, ck.state, e)) != AT_OK ||
	    (c = key_load(p, sk, pk, e)) != AT_OK ||
	    (c = save_state(scratch, p->file, e)) != AT_OK)
		goto out;
	text_now(ck.at);
	key_id(pk, ck.key);
	if (n) {
		memcpy(ck.prev, cks[n - 1].line_hash, sizeof(ck.prev));
	} else {
		memset(ck.prev, '0', AT_HASH_HEX);
		ck.prev[AT_HASH_HEX] = '\0';
	}
	len = format_signed(&ck, line, sizeof(line));
	crypto_sign_detached(sig, NULL, (const unsigned char *)line, (size_t)len, sk);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	snprintf(line + len, sizeof(line) - (size_t)len, " sig=%s\n", sighex);
	c = append_line(p->file, line, e);
	if (c == AT_OK) {
		line[strlen(line) - 1] = '\0';
		sha256_hex(line, strlen(line), ck.line_hash);
		ck.line = out->line + 1;
		*out = ck;
		*written = 1;
	}
out:
	sodium_memzero(sk, sizeof(sk));
	store_close(scratch);
	free(cks);
	return c;
}
