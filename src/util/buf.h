/*
 * buf.h — a capped growable byte buffer (git's strbuf with curl's cap).
 *
 * Invariants: `data` is never NULL and always NUL-terminated, even after a
 * failed append; `len` excludes the NUL.  A buffer refuses to grow beyond
 * `cap` bytes (0 = AT_BUF_DEFAULT_CAP) so one input cannot exhaust memory:
 * appends then return -1 and set `overflow`, leaving the content as it was.
 */
#ifndef AT_UTIL_BUF_H
#define AT_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define AT_BUF_DEFAULT_CAP ((size_t)256 << 20)

struct buf {
	char *data;
	size_t len, alloc, cap;
	int overflow;
};

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Make room for `n` more bytes (one allocation instead of several when
 * the size is known); -1 past the cap or out of memory. */
int buf_reserve(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hand over the string; the buffer is re-initialised empty.  Caller frees. */
char *buf_detach(struct buf *b);

#endif
