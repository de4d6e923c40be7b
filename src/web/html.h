/*
 * html.h — the escaping HTML writer (kcgi's khtml_*).
 *
 * Every byte of markup a page sends goes through these functions: text and
 * attribute values are escaped here, never by the caller, and elements are
 * opened and closed through a stack so nesting is checked.  Output goes to
 * a capped `struct buf`; an append that would pass the cap sets `failed`,
 * after which nothing more is written (the buffer keeps a clean prefix)
 * and html_finish() returns -1 so the page is replaced by an error.
 *
 * What is written is always well-formed UTF-8: invalid sequences become
 * U+FFFD, control characters other than \n and \t (NUL, C0, DEL, C1) are
 * dropped, and & < > " ' are written as entities in text and attributes.
 *
 * Escaping does not make a URL safe: href/src/action values must be built
 * by the caller from fixed prefixes and checked parts, never taken whole
 * from input ("javascript:" is perfectly well escaped).  Nor does it make
 * text meaningful inside <script> or <style>; use them only for src/href.
 *
 * Misuse — closing with nothing open, nesting deeper than HTML_DEPTH, a
 * non-literal-looking element or attribute name, finishing with elements
 * open — is a programming bug and asserts.
 */
#ifndef AT_WEB_HTML_H
#define AT_WEB_HTML_H

#include <stdarg.h>
#include <stddef.h>

#include "util/buf.h"

#define HTML_DEPTH 64
/* html_textf output longer than this counts as an overflow, not a cut. */
#define HTML_TEXTF_MAX 1024

struct html {
	struct buf *out;
	const char *stack[HTML_DEPTH];   /* open element names (static strings) */
	int depth;
	int failed;                      /* an append overflowed */
};

/* Terminates the name/value attribute list of html_open and friends. */
#define HTML_END ((const char *)0)

/* Start writing to `out` (appending to whatever it holds).  `out` must
 * outlive the writer; the writer owns nothing and needs no release. */
void html_init(struct html *h, struct buf *out);

/* <!DOCTYPE html> */
void html_doctype(struct html *h);

/*
 * Open an element; then name/value attribute pairs, terminated by HTML_END:
 *   html_open(h, "div", "class", "row", "id", id, HTML_END);
 * A NULL value skips that attribute (handy for optional ones); a value of
 * "" for a boolean attribute (checked, required, autofocus, disabled,
 * selected, hidden, multiple, novalidate, readonly) writes just the name.
 * Values are attribute-escaped.  `tag` must be a string that lives as long
 * as the writer (a literal): it is kept on the stack for the closing tag.
 * Element and attribute names are asserted to be [a-z][a-z0-9-]*; a void
 * element asserts (use html_void).
 */
void html_open(struct html *h, const char *tag, ...);
/* html_open with the attribute list as a va_list (for wrappers). */
void html_vopen(struct html *h, const char *tag, va_list ap);

/* A void element (input, meta, link, br, hr, img, ...): same arguments as
 * html_open, nothing to close.  Asserts `tag` is a void element. */
void html_void(struct html *h, const char *tag, ...);

/* Close the innermost open element.  Asserts one is open. */
void html_close(struct html *h);

/* Close elements until depth == `depth`, as returned earlier by html_depth
 * (so a helper can unwind whatever it opened).  Asserts 0 <= depth <= now. */
void html_closeto(struct html *h, int depth);

/* Number of elements now open. */
int html_depth(const struct html *h);

/* Escaped text content of a C string; NULL writes nothing. */
void html_text(struct html *h, const char *s);

/* Escaped text content of `n` bytes, which may contain NUL (dropped). */
void html_textn(struct html *h, const char *s, size_t n);

/* printf-format into a bounded temporary (HTML_TEXTF_MAX bytes), then
 * write it escaped.  Longer output marks the writer failed. */
void html_textf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A decimal integer as text. */
void html_int(struct html *h, long long v);

/* <tag attrs>text</tag> in one call: attributes as html_open, text
 * escaped; `text` may be NULL for an empty element. */
void html_elem(struct html *h, const char *tag, const char *text, ...);

/* Finish: asserts every element is closed; returns 0, or -1 if any append
 * failed (the buffer then holds an incomplete page: do not send it). */
int html_finish(struct html *h);

/*
 * Length of the well-formed UTF-8 sequence at `s`, of which `n` >= 1 bytes
 * are readable; 0 if there is none, and then *bad (if non-NULL) gets the
 * length of the maximal ill-formed subpart (Unicode §3.9, >= 1): the bytes
 * one U+FFFD stands for.  Refuses overlongs, surrogates, stray continuation
 * bytes, truncated sequences and anything above U+10FFFF.  Shared with
 * form.c; util/text.c has an unexported, unbounded twin this could replace.
 */
size_t html_utf8_len(const char *s, size_t n, size_t *bad);

#endif
