/* Allocation wrappers and small string helpers shared by the core.
 * Out of memory aborts here, in one place, so callers never check. */
#ifndef PWB_UTIL_H
#define PWB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh malloc'd string; the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list (not consumed: the caller still va_ends it). */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Replace *slot with a copy of s (or NULL), freeing the old value. */
void str_set(char **slot, const char *s);
int str_eq(const char *a, const char *b); /* NULL-safe equality */

#endif
