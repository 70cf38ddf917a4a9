#include "core/stream.h"
#include "core/buf.h"
#include "core/sse.h"
#include "core/utf8.h"
#include "core/util.h"

#include <cJSON.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One event or line never needs more than this when the caller set no cap. */
#define STREAM_DEFAULT_EVENT_CAP ((size_t)64 << 20)

enum block_kind { BK_OTHER, BK_TEXT, BK_THINKING, BK_TOOL };

struct block {
	enum block_kind kind;
	cJSON *shell;        /* content_block as received: every field kept */
	struct buf text;     /* text of a text block, thinking of a thinking block */
	struct buf partial;  /* the joined input_json_delta fragments */
	int has_partial;     /* an input_json_delta came (even "") */
	cJSON *input;        /* the parsed input once complete; NULL while not */
	char *input_json;    /* compact print of input */
	int complete;
};

struct stream {
	size_t max_bytes, bytes;
	struct sse *sse;
	stream_event_fn fn;
	void *ud;
	enum stream_outcome outcome;
	char *err_type, *err_msg;
	cJSON *msg;          /* the message snapshot; content lives in blocks */
	struct block *blocks;
	size_t nblocks, ablocks;
	int fast;            /* the text_delta fast path is on */
	size_t fast_hits;
	struct buf scratch;  /* the fast path's decoded text */
	size_t nul_repaired, utf8_repaired; /* see repair_json */
};

static int on_sse(void *ud, const struct sse_event *ev);

struct stream *stream_new(size_t max_bytes)
{
	struct stream *s = xcalloc(1, sizeof *s);
	s->max_bytes = max_bytes;
	s->sse = sse_new(max_bytes ? max_bytes : STREAM_DEFAULT_EVENT_CAP, on_sse, s);
	s->outcome = STREAM_RUNNING;
	s->fast = 1;
	buf_init(&s->scratch, 0);
	return s;
}

static void block_done(struct block *b)
{
	cJSON_Delete(b->shell);
	buf_done(&b->text);
	buf_done(&b->partial);
	cJSON_Delete(b->input);
	free(b->input_json);
}

void stream_free(struct stream *s)
{
	if (!s)
		return;
	sse_free(s->sse);
	for (size_t i = 0; i < s->nblocks; i++)
		block_done(&s->blocks[i]);
	free(s->blocks);
	cJSON_Delete(s->msg);
	free(s->err_type);
	free(s->err_msg);
	buf_done(&s->scratch);
	free(s);
}

void stream_set_listener(struct stream *s, stream_event_fn fn, void *ud)
{
	s->fn = fn;
	s->ud = ud;
}

void stream_set_fast_path(struct stream *s, int on)
{
	s->fast = on != 0;
}

size_t stream_fast_path_hits(const struct stream *s)
{
	return s->fast_hits;
}

static void emit(struct stream *s, enum stream_event_kind kind, size_t index,
		 const char *text, size_t len)
{
	if (!s->fn)
		return;
	struct stream_event ev = {
		.kind = kind,
		.index = index,
		.text = text,
		.len = len,
	};
	if (index < s->nblocks && (kind == STREAM_EV_BLOCK_START || kind == STREAM_EV_BLOCK_STOP ||
				    kind == STREAM_EV_TEXT || kind == STREAM_EV_THINKING))
		ev.block_type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			s->blocks[index].shell, "type"));
	s->fn(s->ud, &ev);
}

/* End the stream with outcome (ERROR or TRUNCATED) unless it already ended. */
static void stream_set_failed(struct stream *s, enum stream_outcome outcome, const char *type,
			      const char *message)
{
	if (s->outcome != STREAM_RUNNING)
		return;
	s->outcome = outcome;
	str_set(&s->err_type, type);
	str_set(&s->err_msg, message);
	emit(s, STREAM_EV_ERROR, 0, s->err_type, s->err_type ? strlen(s->err_type) : 0);
}

static void protocol(struct stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void protocol(struct stream *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[512];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	stream_set_failed(s, STREAM_ERROR, "protocol", tmp);
}

/* Replace or add obj[key] = item (item is taken). */
static void obj_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/* Compact JSON in a malloc'd string (cJSON's allocator may differ). */
static char *json_print(const cJSON *j)
{
	char *out = cJSON_PrintUnformatted(j);
	if (!out)
		abort(); /* cJSON fails only when out of memory */
	char *copy = xstrdup(out);
	cJSON_free(out);
	return copy;
}

/* Text from the server is kept with two visible repairs, never silently
 * cut: a JSON \u0000 becomes U+2400 (a C string would end there) and bytes
 * that are not UTF-8 become U+FFFD (the same text then reaches the screen,
 * an explicit save and the autosave). Returns a malloc'd repaired copy of
 * p, or NULL when nothing needs repair; counts into *nul and *bad. */
static char *repair_json(const char *p, size_t n, size_t *len, size_t *nul, size_t *bad)
{
	int need = !utf8_valid(p, n);
	for (size_t i = 0; !need && i + 6 <= n; i++)
		if (p[i] == '\\' && p[i + 1] == 'u' && !memcmp(p + i + 2, "0000", 4))
			need = 1;
	if (!need)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	int in_str = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80) {
			size_t l = utf8_seq_len(p + i, n - i);
			if (l) {
				buf_append(&b, p + i, l);
				i += l;
			} else {
				buf_puts(&b, UTF8_REPLACEMENT);
				++*bad;
				i++;
			}
			continue;
		}
		if (c == '"') {
			in_str = !in_str;
		} else if (in_str && c == '\\' && i + 1 < n) {
			if (p[i + 1] == 'u' && i + 6 <= n && !memcmp(p + i + 2, "0000", 4)) {
				buf_puts(&b, "\\u2400");
				++*nul;
				i += 6;
				continue;
			}
			buf_append(&b, p + i, 2); /* an escaped quote or backslash stays one unit */
			i += 2;
			continue;
		}
		buf_append(&b, p + i, 1);
		i++;
	}
	*len = b.len;
	return buf_take(&b);
}

/* Parse exactly one JSON value: cJSON alone would accept trailing text,
 * which JSON.parse in the SDKs rejects. NULL when not valid. Repairs as
 * repair_json says, counted in s (when not NULL). */
static cJSON *json_parse(struct stream *s, const char *p, size_t n)
{
	size_t nul = 0, bad = 0, rlen = 0;
	char *fixed = repair_json(p, n, &rlen, &nul, &bad);
	if (fixed) {
		p = fixed;
		n = rlen;
		if (s) {
			s->nul_repaired += nul;
			s->utf8_repaired += bad;
		}
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(p, n, &end, 0);
	if (j) {
		while (end && end < p + n &&
		       (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
			end++;
		if (!end || end != p + n) {
			cJSON_Delete(j);
			j = NULL;
		}
	}
	free(fixed);
	return j;
}

static enum block_kind kind_of(const char *type)
{
	if (strcmp(type, "text") == 0)
		return BK_TEXT;
	if (strcmp(type, "thinking") == 0)
		return BK_THINKING;
	/* The block types whose input arrives as input_json_delta (TS SDK
	 * tracksToolInput). */
	if (strcmp(type, "tool_use") == 0 || strcmp(type, "server_tool_use") == 0 ||
	    strcmp(type, "mcp_tool_use") == 0)
		return BK_TOOL;
	return BK_OTHER;
}

/* Append a block made from shell (taken). Returns its index, or -1 when the
 * shell is not an object with a string type (shell then freed). */
static long block_add(struct stream *s, cJSON *shell)
{
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(shell, "type"));
	if (!cJSON_IsObject(shell) || !type) {
		cJSON_Delete(shell);
		return -1;
	}
	if (s->nblocks == s->ablocks) {
		s->ablocks = s->ablocks ? s->ablocks * 2 : 8;
		s->blocks = xrealloc(s->blocks, s->ablocks * sizeof *s->blocks);
	}
	struct block *b = &s->blocks[s->nblocks];
	memset(b, 0, sizeof *b);
	b->kind = kind_of(type);
	b->shell = shell;
	buf_init(&b->text, 0);
	buf_init(&b->partial, 0);
	const char *field = b->kind == BK_TEXT ? "text" : b->kind == BK_THINKING ? "thinking" : NULL;
	if (field) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(shell, field));
		if (t)
			buf_puts(&b->text, t);
	}
	return (long)s->nblocks++;
}

/* The block is complete: parse the joined input (an empty one keeps the
 * start value, normally {}). A parse failure leaves input NULL and the raw
 * text in partial. */
static void block_finish(struct block *b)
{
	b->complete = 1;
	if (b->kind != BK_TOOL)
		return;
	cJSON_Delete(b->input);
	b->input = NULL;
	free(b->input_json);
	b->input_json = NULL;
	if (b->partial.len)
		b->input = json_parse(NULL, b->partial.data, b->partial.len);
	else
		b->input = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b->shell, "input"), 1);
	if (b->input)
		b->input_json = json_print(b->input);
}

/* Take the content array of a whole Message as complete blocks, announced. */
static int adopt_content(struct stream *s)
{
	/* The children move out; the array stays in place so the message
	 * keeps its field order. */
	cJSON *content = cJSON_GetObjectItemCaseSensitive(s->msg, "content");
	if (!content) {
		cJSON_AddItemToObject(s->msg, "content", cJSON_CreateArray());
		return 0;
	}
	if (!cJSON_IsArray(content)) {
		protocol(s, "the message content is not an array");
		return -1;
	}
	while (content->child) {
		cJSON *item = cJSON_DetachItemViaPointer(content, content->child);
		long i = block_add(s, item);
		if (i < 0) {
			protocol(s, "a content block without a type");
			return -1;
		}
		block_finish(&s->blocks[i]);
		emit(s, STREAM_EV_BLOCK_START, (size_t)i, NULL, 0);
		struct block *b = &s->blocks[i];
		if (b->kind == BK_TEXT || b->kind == BK_THINKING)
			emit(s, b->kind == BK_TEXT ? STREAM_EV_TEXT : STREAM_EV_THINKING, (size_t)i,
			     buf_str(&b->text), b->text.len);
		emit(s, STREAM_EV_BLOCK_STOP, (size_t)i, NULL, 0);
	}
	return 0;
}

/* The block an event's "index" names, or NULL (a protocol error is set). */
static struct block *event_block(struct stream *s, const cJSON *j, const char *name, size_t *index)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(j, "index");
	if (!cJSON_IsNumber(ix) || ix->valuedouble < 0 || ix->valuedouble != floor(ix->valuedouble)) {
		protocol(s, "a %s event without a valid index", name);
		return NULL;
	}
	if (ix->valuedouble >= (double)s->nblocks) {
		protocol(s, "a %s event for block %.0f, which was never started", name,
			 ix->valuedouble);
		return NULL;
	}
	*index = (size_t)ix->valuedouble;
	return &s->blocks[*index];
}

static void on_message_start(struct stream *s, cJSON *j)
{
	if (s->msg) {
		protocol(s, "a second message_start");
		return;
	}
	cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(j, "message");
	if (!cJSON_IsObject(m)) {
		cJSON_Delete(m);
		protocol(s, "a message_start event without a message object");
		return;
	}
	s->msg = m;
	emit(s, STREAM_EV_MESSAGE_START, 0, NULL, 0);
	/* The snapshot's content is normally []; whatever it holds is kept. */
	adopt_content(s);
}

static void on_block_start(struct stream *s, cJSON *j)
{
	cJSON *cb = cJSON_DetachItemFromObjectCaseSensitive(j, "content_block");
	long i = block_add(s, cb);
	if (i < 0) {
		protocol(s, "a content_block_start event without a typed content_block");
		return;
	}
	emit(s, STREAM_EV_BLOCK_START, (size_t)i, NULL, 0);
}

static void text_append(struct stream *s, struct block *b, size_t index, const char *t, size_t n)
{
	size_t old = b->text.len;
	buf_append(&b->text, t, n);
	emit(s, b->kind == BK_TEXT ? STREAM_EV_TEXT : STREAM_EV_THINKING, index, b->text.data + old,
	     n);
}

static void on_block_delta(struct stream *s, cJSON *j)
{
	size_t index;
	struct block *b = event_block(s, j, "content_block_delta", &index);
	if (!b)
		return;
	cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
	const char *dt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "type"));
	if (!cJSON_IsObject(d) || !dt) {
		protocol(s, "a content_block_delta event without a typed delta");
		return;
	}
	/* A delta that does not fit its block is skipped, as the SDK does. */
	if (strcmp(dt, "text_delta") == 0) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "text"));
		if (t && b->kind == BK_TEXT)
			text_append(s, b, index, t, strlen(t));
	} else if (strcmp(dt, "thinking_delta") == 0) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "thinking"));
		if (t && b->kind == BK_THINKING)
			text_append(s, b, index, t, strlen(t));
	} else if (strcmp(dt, "signature_delta") == 0) {
		cJSON *sig = cJSON_DetachItemFromObjectCaseSensitive(d, "signature");
		if (cJSON_IsString(sig) && b->kind == BK_THINKING)
			obj_set(b->shell, "signature", sig);
		else
			cJSON_Delete(sig);
	} else if (strcmp(dt, "input_json_delta") == 0) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "partial_json"));
		if (t && b->kind == BK_TOOL && !b->complete) {
			buf_puts(&b->partial, t);
			b->has_partial = 1;
		}
	} else if (strcmp(dt, "citations_delta") == 0) {
		cJSON *c = cJSON_DetachItemFromObjectCaseSensitive(d, "citation");
		cJSON *list = cJSON_GetObjectItemCaseSensitive(b->shell, "citations");
		if (c && b->kind == BK_TEXT) {
			if (!cJSON_IsArray(list)) {
				list = cJSON_CreateArray();
				obj_set(b->shell, "citations", list);
			}
			cJSON_AddItemToArray(list, c);
		} else {
			cJSON_Delete(c);
		}
	}
}

static void on_block_stop(struct stream *s, cJSON *j)
{
	size_t index;
	struct block *b = event_block(s, j, "content_block_stop", &index);
	if (!b || b->complete)
		return;
	block_finish(b);
	emit(s, STREAM_EV_BLOCK_STOP, index, NULL, 0);
}

static void on_message_delta(struct stream *s, cJSON *j)
{
	static const char *const delta_keys[] = {
		"stop_reason", "stop_sequence", "stop_details", "container",
	};
	/* Cumulative counters that only overwrite when present and non-null. */
	static const char *const usage_keys[] = {
		"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
		"cache_creation", "server_tool_use", "output_tokens_details",
	};
	cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
	if (cJSON_IsObject(d)) {
		for (size_t i = 0; i < sizeof delta_keys / sizeof *delta_keys; i++) {
			cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(d, delta_keys[i]);
			if (v)
				obj_set(s->msg, delta_keys[i], v);
		}
	}
	cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
	if (cJSON_IsObject(u)) {
		cJSON *mu = cJSON_GetObjectItemCaseSensitive(s->msg, "usage");
		if (!cJSON_IsObject(mu)) {
			mu = cJSON_CreateObject();
			obj_set(s->msg, "usage", mu);
		}
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(u, "output_tokens");
		if (v)
			obj_set(mu, "output_tokens", v);
		for (size_t i = 0; i < sizeof usage_keys / sizeof *usage_keys; i++) {
			v = cJSON_GetObjectItemCaseSensitive(u, usage_keys[i]);
			if (v && !cJSON_IsNull(v))
				obj_set(mu, usage_keys[i], cJSON_DetachItemViaPointer(u, v));
		}
	}
	emit(s, STREAM_EV_MESSAGE_DELTA, 0, NULL, 0);
}

static void on_error_event(struct stream *s, cJSON *j)
{
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
	stream_set_failed(s, STREAM_ERROR, type ? type : "api_error",
			  msg ? msg : "an error event without a message");
}

/* --- the text_delta fast path --------------------------------------------
 * The API sends most events as exactly
 *   {"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"..."}}
 * possibly with trailing spaces. This recognises only that byte shape and a
 * string cJSON would decode the same way; anything else (other key order,
 * inner whitespace, a NUL or control character, a lone surrogate, a block
 * that is not text) returns 0 and the event goes through cJSON. */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decode the JSON string body at p (after the opening quote) into o.
 * Returns the position just after the closing quote, or NULL to fall back. */
static const char *fast_string(const char *p, const char *end, struct buf *o, size_t *nul)
{
	while (p < end) {
		const char *run = p;
		while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		if (p > run)
			buf_append(o, run, (size_t)(p - run));
		if (p == end || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '"')
			return p + 1;
		/* a backslash */
		if (end - p < 2)
			return NULL;
		char c = p[1];
		p += 2;
		switch (c) {
		case '"': buf_append(o, "\"", 1); break;
		case '\\': buf_append(o, "\\", 1); break;
		case '/': buf_append(o, "/", 1); break;
		case 'b': buf_append(o, "\b", 1); break;
		case 'f': buf_append(o, "\f", 1); break;
		case 'n': buf_append(o, "\n", 1); break;
		case 'r': buf_append(o, "\r", 1); break;
		case 't': buf_append(o, "\t", 1); break;
		case 'u': {
			uint32_t cp;
			size_t used = utf8_json_escape(p - 2, (size_t)(end - (p - 2)), &cp);
			if (!used || (cp >= 0xD800 && cp < 0xE000))
				return NULL; /* cJSON's path decides about lone surrogates */
			p += used - 2;
			if (cp == 0) {
				/* a NUL would end the C string: shown as U+2400 instead */
				++*nul;
				cp = STREAM_NUL_SHOWN_AS;
			}
			utf8_append(o, cp);
			break;
		}
		default:
			return NULL;
		}
	}
	return NULL;
}

/* Returns 1 when the event was handled here, 0 to use cJSON. */
static int fast_text_delta(struct stream *s, const char *p, size_t n)
{
	static const char head[] = "{\"type\":\"content_block_delta\",\"index\":";
	static const char mid[] = ",\"delta\":{\"type\":\"text_delta\",\"text\":\"";
	const char *end = p + n;
	if (!s->msg || n < sizeof head - 1 || memcmp(p, head, sizeof head - 1) != 0)
		return 0;
	if (!utf8_valid(p, n))
		return 0; /* json_parse repairs it */
	p += sizeof head - 1;
	size_t index = 0;
	int digits = 0;
	while (p < end && *p >= '0' && *p <= '9' && digits < 9) {
		index = index * 10 + (size_t)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || (digits > 1 && p[-digits] == '0'))
		return 0;
	if ((size_t)(end - p) < sizeof mid - 1 || memcmp(p, mid, sizeof mid - 1) != 0)
		return 0;
	p += sizeof mid - 1;
	if (index >= s->nblocks || s->blocks[index].kind != BK_TEXT)
		return 0;
	buf_clear(&s->scratch);
	p = fast_string(p, end, &s->scratch, &s->nul_repaired);
	if (!p || p == end || *p != '}')
		return 0;
	p++;
	while (p < end && is_ws(*p))
		p++;
	if (p == end || *p != '}')
		return 0;
	p++;
	while (p < end && is_ws(*p))
		p++;
	if (p != end)
		return 0;
	s->fast_hits++;
	text_append(s, &s->blocks[index], index, buf_str(&s->scratch), s->scratch.len);
	return 1;
}

/* --- SSE events -------------------------------------------------------- */

enum ev_name { EV_UNKNOWN, EV_PING, EV_MSTART, EV_BSTART, EV_BDELTA, EV_BSTOP, EV_MDELTA, EV_MSTOP, EV_ERROR };

static enum ev_name ev_lookup(const char *name)
{
	static const struct {
		const char *name;
		enum ev_name ev;
	} names[] = {
		{ "content_block_delta", EV_BDELTA }, { "content_block_start", EV_BSTART },
		{ "content_block_stop", EV_BSTOP },   { "message_start", EV_MSTART },
		{ "message_delta", EV_MDELTA },       { "message_stop", EV_MSTOP },
		{ "ping", EV_PING },                  { "error", EV_ERROR },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].ev;
	return EV_UNKNOWN;
}

static int on_sse(void *ud, const struct sse_event *ev)
{
	struct stream *s = ud;
	/* Data without an event name, pings and unknown events: skipped, as
	 * the SDKs do (new event types may be added). */
	if (!ev->event)
		return 0;
	enum ev_name k = ev_lookup(ev->event);
	if (k == EV_UNKNOWN || k == EV_PING)
		return 0;
	if (k == EV_BDELTA && s->fast && fast_text_delta(s, ev->data, ev->data_len))
		return 0;
	cJSON *j = json_parse(s, ev->data, ev->data_len);
	if (k == EV_ERROR && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "error"))) {
		/* An error whatever its data says; text that is not JSON becomes
		 * the message, as the TS SDK does. */
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(ev->data_len < 400 ? ev->data_len : 400),
			 ev->data);
		stream_set_failed(s, STREAM_ERROR, "api_error",
				  cJSON_IsObject(j) || !ev->data_len ? "an error event without details" : tmp);
		cJSON_Delete(j);
		return 1;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		protocol(s, "malformed JSON in the data of a %s event", ev->event);
		return 1;
	}
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type"));
	if (k != EV_ERROR && (!type || strcmp(type, ev->event) != 0)) {
		protocol(s, "a %s event whose data has type %s", ev->event, type ? type : "(none)");
		cJSON_Delete(j);
		return 1;
	}
	if (!s->msg && k != EV_MSTART && k != EV_ERROR) {
		protocol(s, "a %s event before message_start", ev->event);
		cJSON_Delete(j);
		return 1;
	}
	switch (k) {
	case EV_MSTART: on_message_start(s, j); break;
	case EV_BSTART: on_block_start(s, j); break;
	case EV_BDELTA: on_block_delta(s, j); break;
	case EV_BSTOP: on_block_stop(s, j); break;
	case EV_MDELTA: on_message_delta(s, j); break;
	case EV_MSTOP:
		s->outcome = STREAM_COMPLETE;
		emit(s, STREAM_EV_MESSAGE_STOP, 0, NULL, 0);
		break;
	case EV_ERROR: on_error_event(s, j); break;
	default: break;
	}
	cJSON_Delete(j);
	return s->outcome == STREAM_RUNNING ? 0 : 1;
}

static int over_cap(struct stream *s, size_t n)
{
	s->bytes += n;
	if (!s->max_bytes || s->bytes <= s->max_bytes)
		return 0;
	char tmp[128];
	snprintf(tmp, sizeof tmp, "the response passed the size cap of %zu bytes", s->max_bytes);
	stream_set_failed(s, STREAM_ERROR, "response_too_large", tmp);
	return 1;
}

int stream_feed(struct stream *s, const char *p, size_t n)
{
	if (s->outcome != STREAM_RUNNING)
		return -1;
	if (over_cap(s, n))
		return -1;
	if (sse_feed(s->sse, p, n) == SSE_ERR_TOO_LARGE) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "an SSE event passed the size cap of %zu bytes",
			 s->max_bytes ? s->max_bytes : STREAM_DEFAULT_EVENT_CAP);
		stream_set_failed(s, STREAM_ERROR, "response_too_large", tmp);
	}
	return s->outcome == STREAM_RUNNING ? 0 : -1;
}

int stream_take_json(struct stream *s, const char *body, size_t n)
{
	if (s->outcome != STREAM_RUNNING || s->msg)
		return -1;
	if (over_cap(s, n))
		return -1;
	cJSON *j = json_parse(s, body, n);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		protocol(s, "the response body is not a JSON object");
		return -1;
	}
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type"));
	if (type && strcmp(type, "error") == 0) {
		on_error_event(s, j);
		cJSON_Delete(j);
		return -1;
	}
	if ((type && strcmp(type, "message") != 0) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "content"))) {
		protocol(s, "the response body is not a Message (type %s)", type ? type : "missing");
		cJSON_Delete(j);
		return -1;
	}
	s->msg = j;
	emit(s, STREAM_EV_MESSAGE_START, 0, NULL, 0);
	if (adopt_content(s) < 0)
		return -1;
	emit(s, STREAM_EV_MESSAGE_DELTA, 0, NULL, 0);
	s->outcome = STREAM_COMPLETE;
	emit(s, STREAM_EV_MESSAGE_STOP, 0, NULL, 0);
	return 0;
}

void stream_end(struct stream *s)
{
	if (s->outcome != STREAM_RUNNING)
		return;
	sse_finish(s->sse);
	stream_set_failed(s, STREAM_TRUNCATED, "truncated", "the stream ended without message_stop");
}

void stream_cancel(struct stream *s)
{
	if (s->outcome == STREAM_RUNNING)
		s->outcome = STREAM_CANCELED;
}

void stream_fail(struct stream *s, enum stream_outcome outcome, const char *type,
		 const char *message)
{
	if (outcome != STREAM_TRUNCATED)
		outcome = STREAM_ERROR;
	stream_set_failed(s, outcome, type ? type : outcome == STREAM_TRUNCATED ? "truncated" : "network",
			  message ? message : "");
}

enum stream_outcome stream_outcome(const struct stream *s)
{
	return s->outcome;
}

const char *stream_error_type(const struct stream *s)
{
	return (s->outcome == STREAM_ERROR || s->outcome == STREAM_TRUNCATED) ? s->err_type : NULL;
}

const char *stream_error_message(const struct stream *s)
{
	return (s->outcome == STREAM_ERROR || s->outcome == STREAM_TRUNCATED) ? s->err_msg : NULL;
}

int stream_has_message(const struct stream *s)
{
	return s->msg != NULL;
}

static const char *msg_str(const struct stream *s, const char *key)
{
	return s->msg ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->msg, key)) : NULL;
}

const char *stream_message_id(const struct stream *s)
{
	return msg_str(s, "id");
}

const char *stream_model(const struct stream *s)
{
	return msg_str(s, "model");
}

const char *stream_stop_reason(const struct stream *s)
{
	return msg_str(s, "stop_reason");
}

const char *stream_stop_sequence(const struct stream *s)
{
	return msg_str(s, "stop_sequence");
}

static long count_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	/* A count that is negative or would not fit a long is no count. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble >= 9.0e18)
		return -1;
	return (long)v->valuedouble;
}

void stream_usage(const struct stream *s, struct usage *out)
{
	usage_init(out);
	const cJSON *u = s->msg ? cJSON_GetObjectItemCaseSensitive(s->msg, "usage") : NULL;
	if (!cJSON_IsObject(u))
		return;
	out->input_tokens = count_of(u, "input_tokens");
	out->output_tokens = count_of(u, "output_tokens");
	out->cache_creation_input_tokens = count_of(u, "cache_creation_input_tokens");
	out->cache_read_input_tokens = count_of(u, "cache_read_input_tokens");
	const cJSON *cc = cJSON_GetObjectItemCaseSensitive(u, "cache_creation");
	out->cache_creation_5m = count_of(cc, "ephemeral_5m_input_tokens");
	out->cache_creation_1h = count_of(cc, "ephemeral_1h_input_tokens");
}

size_t stream_block_count(const struct stream *s)
{
	return s->nblocks;
}

int stream_block(const struct stream *s, size_t i, struct stream_block *out)
{
	if (i >= s->nblocks)
		return -1;
	const struct block *b = &s->blocks[i];
	memset(out, 0, sizeof *out);
	out->type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b->shell, "type"));
	if (b->kind == BK_TEXT || b->kind == BK_THINKING) {
		out->text = buf_str(&b->text);
		out->text_len = b->text.len;
	}
	out->signature = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b->shell, "signature"));
	out->id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b->shell, "id"));
	out->name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b->shell, "name"));
	if (b->kind == BK_TOOL) {
		out->input_json = b->complete ? b->input_json : NULL;
		out->partial_json = b->has_partial ? buf_str(&b->partial) : NULL;
	}
	out->complete = b->complete;
	return 0;
}

char *stream_message_json(const struct stream *s)
{
	if (!s->msg)
		return NULL;
	cJSON *m = cJSON_Duplicate(s->msg, 1);
	cJSON *content = cJSON_CreateArray();
	for (size_t i = 0; i < s->nblocks; i++) {
		const struct block *b = &s->blocks[i];
		cJSON *item = cJSON_Duplicate(b->shell, 1);
		if (b->kind == BK_TEXT)
			obj_set(item, "text", cJSON_CreateString(buf_str(&b->text)));
		else if (b->kind == BK_THINKING)
			obj_set(item, "thinking", cJSON_CreateString(buf_str(&b->text)));
		else if (b->kind == BK_TOOL)
			/* Incomplete or unparsable input is null, never a guess. */
			obj_set(item, "input", b->complete && b->input ? cJSON_Duplicate(b->input, 1)
								   : cJSON_CreateNull());
		cJSON_AddItemToArray(content, item);
	}
	obj_set(m, "content", content);
	if (!cJSON_GetObjectItemCaseSensitive(m, "usage"))
		cJSON_AddItemToObject(m, "usage", cJSON_CreateNull());
	char *out = json_print(m);
	cJSON_Delete(m);
	return out;
}

size_t stream_bytes(const struct stream *s)
{
	return s->bytes;
}

const char *stream_repair_notice(const struct stream *s)
{
	if (s->utf8_repaired && s->nul_repaired)
		return "the answer held bytes that are not UTF-8 (shown as U+FFFD) and NUL characters "
		       "(shown as U+2400)";
	if (s->utf8_repaired)
		return "the answer held bytes that are not UTF-8: shown and kept as U+FFFD";
	if (s->nul_repaired)
		return "the answer held NUL characters: shown and kept as U+2400";
	return NULL;
}
