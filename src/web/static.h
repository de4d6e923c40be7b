/*
 * static.h — the files the web UI serves from inside the binary (SPEC §8:
 * "All assets (CSS, JS, fonts) are inside the binary").
 *
 * The table and static_find() are generated at build time by
 * cmake/embed.cmake into static_gen.c from src/web/static/ and Debian's
 * Bootstrap 5 CSS.  Nothing is read from disk at run time.
 *
 * Everything here is read-only and lives for the whole process, so any
 * thread may use it without locking and nothing is ever freed.
 */
#ifndef AT_WEB_STATIC_H
#define AT_WEB_STATIC_H

#include <stddef.h>

struct static_file {
	const char *name;          /* "bootstrap.min.css", "app.css", "app.js", "favicon.svg" */
	const char *content_type;  /* "text/css; charset=utf-8", "image/svg+xml", ... */
	const unsigned char *data; /* len bytes; not NUL-terminated */
	size_t len;
	const char *etag;          /* quoted strong ETag from the content: "\"3f2a9c01d5e6b7a8\"" */
};

/* The embedded file called `name` (a base name, no '/'), or NULL. */
const struct static_file *static_find(const char *name);

#endif
