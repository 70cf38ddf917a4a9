#include "core/buf.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = b->alloc = 0;
	b->cap = cap;
}

void buf_done(struct buf *b)
{
	free(b->data);
	buf_init(b, b->cap);
}

static void buf_grow(struct buf *b, size_t need)
{
	if (need + 1 <= b->alloc)
		return;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need + 1)
		n *= 2;
	b->data = xrealloc(b->data, n);
	b->alloc = n;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->cap && b->len + n > b->cap)
		return -1;
	buf_grow(b, b->len + n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (b->cap && b->len + (size_t)n > b->cap)
		return -1;
	buf_grow(b, b->len + (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_take(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");
	buf_init(b, b->cap);
	return s;
}
