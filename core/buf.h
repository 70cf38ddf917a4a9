/* A growable byte buffer, always NUL-terminated, with an optional cap.
 * Every buffer fed from the network has a cap: hitting it is an error the
 * caller reports, never a crash. Embedded: buf_init/buf_done. */
#ifndef PWB_BUF_H
#define PWB_BUF_H

#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap;   /* 0: no cap */
};

void buf_init(struct buf *b, size_t cap);
void buf_done(struct buf *b);
/* Append n bytes. Returns 0, or -1 (nothing appended) when the cap would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(struct buf *b);
/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_str(const struct buf *b);
/* Hand the malloc'd string to the caller (never NULL) and reset the buffer. */
char *buf_take(struct buf *b);

#endif
