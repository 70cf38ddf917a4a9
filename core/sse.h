/* A pure incremental Server-Sent Events parser, framed as the official SDKs
 * do it (TS LineDecoder + SSEDecoder): bytes in at any split point, events
 * out through a callback. Lines end at LF, CRLF or a lone CR; lines starting
 * with ':' are comments; the field name runs to the first colon (a line
 * without one is a field with an empty value); one leading space of the value
 * is dropped; several data lines are joined with "\n"; a blank line
 * dispatches the event if it has a name or data; unknown fields are ignored.
 * An event still open when the input ends (no blank line after it) is
 * discarded, as the SDKs do.
 * No I/O, no clock. Owner: whoever calls sse_new frees. */
#ifndef PWB_SSE_H
#define PWB_SSE_H

#include <stddef.h>

struct sse;

/* One dispatched event. event is NULL when no event: line came; data is ""
 * when no data: line came. Both are NUL-terminated and valid only during the
 * callback. */
struct sse_event {
	const char *event;
	size_t event_len;
	const char *data;
	size_t data_len;
	size_t data_lines; /* how many data: lines were joined */
};

/* Return 0 to go on; a positive value stops sse_feed, which returns it. */
typedef int (*sse_event_fn)(void *ud, const struct sse_event *ev);

#define SSE_ERR_TOO_LARGE (-1) /* a line or an event passed the cap */

/* cap bounds the bytes buffered for one line and for one event's data
 * (0: no cap). fn must not be NULL. */
struct sse *sse_new(size_t cap, sse_event_fn fn, void *ud);
void sse_free(struct sse *p);
/* Parse n bytes. Returns 0, SSE_ERR_TOO_LARGE (the parser is then dead and
 * every later call returns it again), or the callback's nonzero value (the
 * rest of this chunk is not parsed). */
int sse_feed(struct sse *p, const char *data, size_t n);
/* The input ended: a last line without its line end and an event without
 * its blank line are discarded. Returns 1 when something was discarded,
 * else 0. The parser is reset and may be fed again. */
int sse_finish(struct sse *p);

#endif
