#include "core/sse.h"
#include "core/buf.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

struct sse {
	sse_event_fn fn;
	void *ud;
	struct buf line;  /* a line split across chunks */
	struct buf event; /* the event name so far */
	struct buf data;  /* data lines joined with "\n" */
	size_t data_lines;
	int skip_lf;      /* the last chunk ended with CR: a leading LF ends nothing */
	int dead;
};

struct sse *sse_new(size_t cap, sse_event_fn fn, void *ud)
{
	struct sse *p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->ud = ud;
	buf_init(&p->line, cap);
	buf_init(&p->event, cap);
	buf_init(&p->data, cap);
	return p;
}

void sse_free(struct sse *p)
{
	if (!p)
		return;
	buf_done(&p->line);
	buf_done(&p->event);
	buf_done(&p->data);
	free(p);
}

static void sse_reset_event(struct sse *p)
{
	buf_clear(&p->event);
	buf_clear(&p->data);
	p->data_lines = 0;
}

static int sse_dispatch(struct sse *p)
{
	if (p->event.len == 0 && p->data_lines == 0)
		return 0;
	struct sse_event ev = {
		.event = p->event.len ? buf_str(&p->event) : NULL,
		.event_len = p->event.len,
		.data = buf_str(&p->data),
		.data_len = p->data.len,
		.data_lines = p->data_lines,
	};
	int rc = p->fn(p->ud, &ev);
	sse_reset_event(p);
	return rc;
}

/* One complete line, its line end already removed. */
static int sse_line(struct sse *p, const char *s, size_t n)
{
	if (n == 0)
		return sse_dispatch(p);
	if (s[0] == ':')
		return 0;
	const char *colon = memchr(s, ':', n);
	size_t name_len = colon ? (size_t)(colon - s) : n;
	const char *v = colon ? colon + 1 : s + n;
	size_t vlen = (size_t)(s + n - v);
	if (vlen && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (name_len == 5 && memcmp(s, "event", 5) == 0) {
		buf_clear(&p->event);
		if (buf_append(&p->event, v, vlen) < 0)
			return SSE_ERR_TOO_LARGE;
	} else if (name_len == 4 && memcmp(s, "data", 4) == 0) {
		if (p->data_lines && buf_append(&p->data, "\n", 1) < 0)
			return SSE_ERR_TOO_LARGE;
		if (buf_append(&p->data, v, vlen) < 0)
			return SSE_ERR_TOO_LARGE;
		p->data_lines++;
	}
	/* id, retry and unknown fields: nothing pwb uses */
	return 0;
}

int sse_feed(struct sse *p, const char *s, size_t n)
{
	if (p->dead)
		return SSE_ERR_TOO_LARGE;
	size_t i = 0;
	if (p->skip_lf && n) {
		if (s[0] == '\n')
			i = 1;
		p->skip_lf = 0;
	}
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '\n' && s[j] != '\r')
			j++;
		if (j == n) {
			if (buf_append(&p->line, s + i, n - i) < 0)
				goto too_large;
			break;
		}
		int rc;
		if (p->line.len) {
			if (buf_append(&p->line, s + i, j - i) < 0)
				goto too_large;
			rc = sse_line(p, p->line.data, p->line.len);
			buf_clear(&p->line);
		} else {
			rc = sse_line(p, s + i, j - i);
		}
		if (s[j] == '\r') {
			if (j + 1 < n) {
				if (s[j + 1] == '\n')
					j++;
			} else {
				p->skip_lf = 1;
			}
		}
		i = j + 1;
		if (rc == SSE_ERR_TOO_LARGE)
			goto too_large;
		if (rc)
			return rc;
	}
	return 0;
too_large:
	p->dead = 1;
	return SSE_ERR_TOO_LARGE;
}

int sse_finish(struct sse *p)
{
	int pending = p->line.len || p->event.len || p->data_lines;
	buf_clear(&p->line);
	sse_reset_event(p);
	p->skip_lf = 0;
	return pending ? 1 : 0;
}
