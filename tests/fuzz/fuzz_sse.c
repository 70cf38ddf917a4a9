/* libFuzzer target: the SSE parser and message assembly (core/stream.c).
 * Every input is fed several ways (whole, one byte at a time or in
 * pseudo-random chunks, with the text_delta fast path on and off when the
 * core offers a switch) and the results must agree exactly: the events
 * delivered, the outcome, the error type and the assembled message JSON.
 * A disagreement aborts, so libFuzzer keeps it as a crash. A last run with
 * a small size cap only checks memory safety. */
#include "core/stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

/* FNV-1a over the event sequence: kind, index, block type, text. */
struct evhash {
	uint64_t h;
	size_t n;
};

static void hash_bytes(struct evhash *e, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		e->h ^= b[i];
		e->h *= 1099511628211ULL;
	}
}

static void on_event(void *ud, const struct stream_event *ev)
{
	struct evhash *e = ud;
	uint32_t kind = (uint32_t)ev->kind;
	uint64_t idx = ev->index;
	e->n++;
	hash_bytes(e, &kind, sizeof kind);
	if (ev->kind == STREAM_EV_MESSAGE_START || ev->kind == STREAM_EV_MESSAGE_DELTA ||
	    ev->kind == STREAM_EV_MESSAGE_STOP)
		return;
	hash_bytes(e, &idx, sizeof idx);
	if (ev->block_type)
		hash_bytes(e, ev->block_type, strlen(ev->block_type) + 1);
	if (ev->text) {
		/* text/len for deltas; a NUL-terminated error type otherwise */
		size_t len = ev->kind == STREAM_EV_ERROR && ev->len == 0 ? strlen(ev->text) : ev->len;
		hash_bytes(e, ev->text, len);
	}
}

struct result {
	enum stream_outcome outcome;
	char *error_type;
	char *json;
	struct evhash ev;
	size_t nblocks;
};

/* Walk every accessor so a dangling pointer in any of them shows. */
static void touch(const struct stream *s)
{
	volatile size_t sink = 0;
	struct usage u;
	const char *p;
	if ((p = stream_message_id(s)))
		sink += strlen(p);
	if ((p = stream_model(s)))
		sink += strlen(p);
	if ((p = stream_stop_reason(s)))
		sink += strlen(p);
	if ((p = stream_stop_sequence(s)))
		sink += strlen(p);
	if ((p = stream_error_message(s)))
		sink += strlen(p);
	stream_usage(s, &u);
	size_t n = stream_block_count(s);
	for (size_t i = 0; i <= n; i++) {
		struct stream_block b;
		if (stream_block(s, i, &b) != 0) {
			if (i != n)
				FUZZ_FAIL("stream_block(%zu) failed below count %zu", i, n);
			continue;
		}
		if (i == n)
			FUZZ_FAIL("stream_block(%zu) succeeded at count", i);
		if (b.type)
			sink += strlen(b.type);
		if (b.text)
			for (size_t k = 0; k < b.text_len; k++)
				sink += (unsigned char)b.text[k];
		if (b.signature)
			sink += strlen(b.signature);
		if (b.id)
			sink += strlen(b.id);
		if (b.name)
			sink += strlen(b.name);
		if (b.input_json)
			sink += strlen(b.input_json);
		if (b.partial_json)
			sink += strlen(b.partial_json);
	}
	sink += stream_bytes(s);
	(void)sink;
}

/* mode 0: whole; 1: one byte at a time; 2: pseudo-random chunks seeded by
 * the input. fast: 1 on, 0 off (ignored without a switch). */
static void assemble(const uint8_t *data, size_t size, int mode, int fast, size_t cap,
		     struct result *r)
{
	struct stream *s = stream_new(cap);
	memset(r, 0, sizeof *r);
	r->ev.h = 1469598103934665603ULL;
	fuzz_stream_fast_path(s, fast);
	stream_set_listener(s, on_event, &r->ev);
	size_t off = 0;
	uint64_t seed = fuzz_seed(data, size);
	while (off < size) {
		size_t n;
		if (mode == 0)
			n = size;
		else if (mode == 1)
			n = 1;
		else {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			n = 1 + (size_t)((seed >> 33) % 97);
		}
		if (n > size - off)
			n = size - off;
		/* feed a private copy so reads past the chunk are caught */
		char *chunk = malloc(n);
		memcpy(chunk, data + off, n);
		int rc = stream_feed(s, chunk, n);
		free(chunk);
		off += n;
		if (rc != 0 && stream_outcome(s) == STREAM_RUNNING)
			FUZZ_FAIL("stream_feed returned %d while the outcome is RUNNING", rc);
		if (rc != 0)
			break;
		if (stream_bytes(s) != off)
			FUZZ_FAIL("stream_bytes %zu after feeding %zu", stream_bytes(s), off);
	}
	touch(s);
	stream_end(s);
	touch(s);
	r->outcome = stream_outcome(s);
	if (r->outcome == STREAM_RUNNING)
		FUZZ_FAIL("outcome still RUNNING after stream_end");
	const char *et = stream_error_type(s);
	if ((r->outcome == STREAM_ERROR || r->outcome == STREAM_TRUNCATED) && !et)
		FUZZ_FAIL("outcome %d without an error type", (int)r->outcome);
	r->error_type = et ? strdup(et) : NULL;
	r->json = stream_message_json(s);
	if (!!r->json != !!stream_has_message(s))
		FUZZ_FAIL("stream_message_json %s but stream_has_message %d",
			  r->json ? "set" : "NULL", stream_has_message(s));
	if (r->json)
		fuzz_check_json(r->json, "stream_message_json");
	r->nblocks = stream_block_count(s);
	stream_free(s);
}

static void result_done(struct result *r)
{
	free(r->error_type);
	free(r->json);
}

static void compare(const struct result *a, const struct result *b, const char *what)
{
	if (a->outcome != b->outcome)
		FUZZ_FAIL("%s: outcome %d vs %d", what, (int)a->outcome, (int)b->outcome);
	if (!fuzz_str_eq(a->error_type, b->error_type))
		FUZZ_FAIL("%s: error type %s vs %s", what, a->error_type ? a->error_type : "NULL",
			  b->error_type ? b->error_type : "NULL");
	if (a->ev.n != b->ev.n || a->ev.h != b->ev.h)
		FUZZ_FAIL("%s: event sequences differ (%zu vs %zu events)", what, a->ev.n, b->ev.n);
	if (a->nblocks != b->nblocks)
		FUZZ_FAIL("%s: %zu vs %zu blocks", what, a->nblocks, b->nblocks);
	if (!fuzz_str_eq(a->json, b->json))
		FUZZ_FAIL("%s: message JSON differs:\n  %s\n  %s", what, a->json ? a->json : "NULL",
			  b->json ? b->json : "NULL");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole_fast, whole_slow, split;
	assemble(data, size, 0, 1, 0, &whole_fast);
	assemble(data, size, 0, 0, 0, &whole_slow);
	if (fuzz_have_fast_path_switch())
		compare(&whole_fast, &whole_slow, "fast path vs cJSON path");
	/* byte-at-a-time is the harshest split; keep it to inputs where it is cheap */
	assemble(data, size, size <= 2048 ? 1 : 2, 1, 0, &split);
	compare(&whole_fast, &split, "whole vs split feed");
	result_done(&split);
	assemble(data, size, 2, 0, 0, &split);
	compare(&whole_slow, &split, "whole vs split feed (cJSON path)");
	result_done(&split);
	/* a cap somewhere inside the input: memory safety only */
	if (size > 8) {
		assemble(data, size, 2, 1, size / 2, &split);
		result_done(&split);
	}
	result_done(&whole_fast);
	result_done(&whole_slow);
	return 0;
}
