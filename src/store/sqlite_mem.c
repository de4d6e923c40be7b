/*
 * sqlite_mem.c — SQLite's small allocations from per-thread free lists
 * (SQLITE_CONFIG_MALLOC), issue #9 item 4.
 *
 * Debian's SQLite is built with SQLITE_OMIT_LOOKASIDE, so every cursor
 * and every text value a statement copies is a malloc() and a free(): 17
 * of each in a scanner lookup, most of them the same sizes again and
 * again on the same thread.  glibc's per-thread cache holds seven blocks
 * of a size, and past that each free() takes its slower path
 * (bench/README.md, "Lookups").  Here each thread keeps up to KEEP blocks
 * of each power-of-two size from 16 bytes to 2 KiB; larger ones (page
 * buffers) go straight to malloc().  A thread's blocks are freed when it
 * ends.  At most 16 × 4 KiB is kept per thread.
 *
 * Not in the sanitizer build: ASan must see each allocation and free as
 * SQLite makes it.
 */
#include "store/sqlite_mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define AT_SQLITE_MEM 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define AT_SQLITE_MEM 0
#endif
#endif
#ifndef AT_SQLITE_MEM
#define AT_SQLITE_MEM 1
#endif

#if AT_SQLITE_MEM

/* Each block: 16 bytes of header (its size; while free, the next free
 * block), then what SQLite asked for, 16-aligned as malloc's. */
#define HDR 16
#define MIN_SHIFT 4
#define CLASSES 8 /* 16, 32, ..., 2048 bytes, header included */
#define KEEP 16

struct cache {
	unsigned char *head[CLASSES];
	unsigned n[CLASSES];
	int registered;
};

static _Thread_local struct cache tl;
static pthread_key_t end_key;

/* The class of a block of `total` bytes (header included), or -1. */
static inline int class_of(size_t total)
{
	if (total > ((size_t)1 << (MIN_SHIFT + CLASSES - 1)))
		return -1;
	if (total <= ((size_t)1 << MIN_SHIFT))
		return 0;
	return (int)(sizeof(unsigned long) * 8) - __builtin_clzl((unsigned long)(total - 1)) -
	       MIN_SHIFT;
}

static inline size_t *size_at(unsigned char *b)
{
	return (size_t *)(void *)b;
}

static inline unsigned char **next_at(unsigned char *b)
{
	return (unsigned char **)(void *)(b + sizeof(size_t));
}

/* pthread key destructor: the ending thread's blocks back to malloc. */
static void thread_end(void *arg)
{
	struct cache *c = arg;

	for (int i = 0; i < CLASSES; i++) {
		while (c->head[i]) {
			unsigned char *b = c->head[i];
			c->head[i] = *next_at(b);
			free(b);
		}
		c->n[i] = 0;
	}
	c->registered = 0;
}

/* SQLite asks for n > 0 only (sqlite3Malloc answers 0 itself), and
 * never frees NULL through xFree (sqlite3_free returns first). */
static void *mem_malloc(int n)
{
	size_t total = (size_t)n + HDR;
	int c = class_of(total);
	unsigned char *b;

	if (c >= 0 && tl.head[c]) {
		b = tl.head[c];
		tl.head[c] = *next_at(b);
		tl.n[c]--;
		return b + HDR;
	}
	if (c >= 0)
		total = (size_t)1 << (MIN_SHIFT + c);
	b = malloc(total);
	if (!b)
		return NULL;
	*size_at(b) = total;
	return b + HDR;
}

static void mem_free(void *p)
{
	unsigned char *b;
	size_t total;
	int c;

	b = (unsigned char *)p - HDR;
	total = *size_at(b);
	/* A kept size is a power of two up to the largest class, and its
	 * class is its bit's place; anything larger came from malloc as is. */
	c = total <= ((size_t)1 << (MIN_SHIFT + CLASSES - 1))
	            ? __builtin_ctzl((unsigned long)total) - MIN_SHIFT : -1;
	if (c >= 0 && tl.n[c] < KEEP) {
		if (!tl.registered) {
			/* Non-NULL, so the destructor runs when the thread ends. */
			if (pthread_setspecific(end_key, &tl) != 0) {
				free(b);
				return;
			}
			tl.registered = 1;
		}
		*next_at(b) = tl.head[c];
		tl.head[c] = b;
		tl.n[c]++;
		return;
	}
	free(b);
}

static int mem_size(void *p)
{
	return p ? (int)(*size_at((unsigned char *)p - HDR) - HDR) : 0;
}

static void *mem_realloc(void *p, int n)
{
	void *q;
	int have;

	if (!p)
		return mem_malloc(n);
	have = mem_size(p);
	if (n <= have)
		return p;
	q = mem_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, (size_t)have);
	mem_free(p);
	return q;
}

static int mem_roundup(int n)
{
	int c = n > 0 ? class_of((size_t)n + HDR) : -1;

	return c >= 0 ? (int)(((size_t)1 << (MIN_SHIFT + c)) - HDR) : n;
}

static int mem_init(void *arg)
{
	(void)arg;
	return pthread_key_create(&end_key, thread_end) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

static void mem_shutdown(void *arg)
{
	(void)arg;
}

void sqlite_mem_install(void)
{
	static const sqlite3_mem_methods m = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
	};

	/* Refused (SQLITE_MISUSE) once SQLite has initialised: then its own
	 * allocator stays, which is correct, only slower. */
	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

#else

void sqlite_mem_install(void)
{
}

#endif
