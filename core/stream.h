/* One Messages API response, assembled into a Message exactly as the
 * official SDKs' MessageStream does (tests/fixtures/README.md): SSE bytes
 * (any split) or a whole JSON body in, events and the message out.
 * Pure: no I/O, no clock. Owner: whoever calls stream_new frees. */
#ifndef PWB_STREAM_H
#define PWB_STREAM_H

#include <stddef.h>

#include "core/cost.h"

struct stream;

enum stream_outcome {
	STREAM_RUNNING,   /* still receiving */
	STREAM_COMPLETE,  /* message_stop seen, or a whole JSON Message taken */
	STREAM_ERROR,     /* an error event, or a protocol failure (see stream_error) */
	STREAM_TRUNCATED, /* the body ended without message_stop */
	STREAM_CANCELED,  /* stream_cancel; the partial message is kept */
};

enum stream_event_kind {
	STREAM_EV_MESSAGE_START,
	STREAM_EV_BLOCK_START,    /* index, block_type */
	STREAM_EV_TEXT,           /* index, text/len: a text_delta */
	STREAM_EV_THINKING,       /* index, text/len: a thinking_delta */
	STREAM_EV_BLOCK_STOP,     /* index, block_type; tool_use input is parsed by now */
	STREAM_EV_MESSAGE_DELTA,  /* stop reason and usage updated */
	STREAM_EV_MESSAGE_STOP,
	STREAM_EV_ERROR,          /* text: error type; sent whenever the outcome
				     becomes ERROR or TRUNCATED */
};

struct stream_event {
	enum stream_event_kind kind;
	size_t index;
	const char *block_type;
	const char *text;
	size_t len;
};

typedef void (*stream_event_fn)(void *ud, const struct stream_event *ev);

/* max_bytes caps the bytes buffered for one response (0: no cap); passing it
 * fails the stream with error type "response_too_large". */
struct stream *stream_new(size_t max_bytes);
void stream_free(struct stream *s);
/* Events are delivered synchronously from stream_feed (and stream_take_json,
 * which announces the whole message the same way); fn may be NULL. */
void stream_set_listener(struct stream *s, stream_event_fn fn, void *ud);
/* The text_delta fast path (on by default) decodes the exact byte shape the
 * API sends for text deltas without cJSON; any other shape goes through
 * cJSON. Turning it off exists to prove both give the same result. */
void stream_set_fast_path(struct stream *s, int on);
/* How many events the fast path decoded (for tests and benchmarks). */
size_t stream_fast_path_hits(const struct stream *s);

/* Feed raw SSE bytes. Returns 0, or -1 once the stream has ended or failed
 * (malformed SSE or JSON, cap, error event): stream_outcome says which. */
int stream_feed(struct stream *s, const char *p, size_t n);
/* Take a whole non-stream JSON body (a Message). Returns 0 or -1 (protocol). */
int stream_take_json(struct stream *s, const char *body, size_t n);
/* The body ended: without message_stop the outcome becomes TRUNCATED. */
void stream_end(struct stream *s);
/* Stop now, keeping the partial message; the outcome becomes CANCELED. */
void stream_cancel(struct stream *s);
/* Fail from outside (a dropped connection mid-stream, an idle timeout):
 * outcome ERROR or TRUNCATED as given, partial message kept. */
void stream_fail(struct stream *s, enum stream_outcome outcome, const char *type,
		 const char *message);

enum stream_outcome stream_outcome(const struct stream *s);
/* The error when the outcome is ERROR/TRUNCATED: the API's error type from an
 * error event ("overloaded_error"), or pwb's own ("protocol",
 * "response_too_large", "truncated"). NULL otherwise. */
const char *stream_error_type(const struct stream *s);
const char *stream_error_message(const struct stream *s);

/* The message so far (valid until the next feed). */
int stream_has_message(const struct stream *s); /* message_start seen */
const char *stream_message_id(const struct stream *s);
const char *stream_model(const struct stream *s);
const char *stream_stop_reason(const struct stream *s);   /* NULL until known */
const char *stream_stop_sequence(const struct stream *s); /* NULL when none */
void stream_usage(const struct stream *s, struct usage *out);

struct stream_block {
	const char *type;       /* "text", "thinking", "tool_use", or any other (opaque) */
	const char *text;       /* text of a text block, thinking of a thinking block */
	size_t text_len;
	const char *signature;  /* thinking blocks */
	const char *id, *name;  /* tool_use blocks */
	const char *input_json; /* tool_use: compact JSON of the parsed input; NULL
				   while incomplete or when the input did not parse */
	const char *partial_json; /* tool_use: the raw joined input_json_delta text */
	int complete;           /* content_block_stop seen */
};
size_t stream_block_count(const struct stream *s);
/* Fill out with block i; returns 0, or -1 when i is out of range. */
int stream_block(const struct stream *s, size_t i, struct stream_block *out);

/* The assembled Message in the API's non-stream shape, compact JSON,
 * malloc'd (caller frees); NULL before message_start. Unknown block types
 * and unknown fields are kept as received. */
char *stream_message_json(const struct stream *s);

/* Text is kept whole: a JSON \u0000 becomes U+2400 (STREAM_NUL_SHOWN_AS)
 * and bytes that are not UTF-8 become U+FFFD, so the screen, an explicit save
 * and the autosave all hold the same text. When that happened, a sentence
 * to show once as a warning (static); NULL when the text was clean. */
#define STREAM_NUL_SHOWN_AS 0x2400u
const char *stream_repair_notice(const struct stream *s);

/* Total bytes fed so far. */
size_t stream_bytes(const struct stream *s);

#endif
