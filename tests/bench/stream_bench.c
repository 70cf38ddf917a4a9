/* Benchmark helper: the SSE parser and message assembly alone, in process
 * (no network, no process start): the same generated stream as the
 * throughput case (N text deltas of K bytes), fed in 16 KiB pieces as
 * libcurl hands them over, with the text_delta fast path on and off.
 * Prints JSON: {"bytes": ..., "fast_ms": [...], "cjson_ms": [...]}.
 *   stream_bench DELTAS SIZE RUNS */
#include "core/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add(char **p, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*p = realloc(*p, *cap);
		if (!*p)
			abort();
	}
	memcpy(*p + *len, s, n + 1);
	*len += n;
}

/* The body tests/server.py generates for {"generate": {"deltas": N, "size": K}}. */
static char *generate(long deltas, long size, size_t *len)
{
	char *p = NULL, line[512];
	size_t cap = 0;
	*len = 0;
	add(&p, len, &cap,
	    "event: message_start\ndata: {\"type\": \"message_start\", \"message\": {\"id\": "
	    "\"msg_generated\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [], "
	    "\"model\": \"claude-test-opus-9\", \"stop_reason\": null, \"stop_sequence\": null, "
	    "\"usage\": {\"input_tokens\": 10, \"output_tokens\": 1}}}\n\n");
	add(&p, len, &cap,
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
	char text[256];
	if (size > 200)
		size = 200;
	for (long i = 0; i < deltas; i++) {
		memset(text, 'a' + (int)(i % 26), (size_t)size);
		text[size] = '\0';
		snprintf(line, sizeof line,
			 "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
			 "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}\n\n",
			 text);
		add(&p, len, &cap, line);
	}
	add(&p, len, &cap,
	    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
	snprintf(line, sizeof line,
		 "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		 "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":%ld}}\n\n",
		 deltas);
	add(&p, len, &cap, line);
	add(&p, len, &cap, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
	return p;
}

static double once(const char *body, size_t len, int fast, size_t *text_len)
{
	double t0 = now_ms();
	struct stream *s = stream_new(64u << 20);
	stream_set_fast_path(s, fast);
	for (size_t off = 0; off < len; off += 16384) {
		size_t n = len - off < 16384 ? len - off : 16384;
		if (stream_feed(s, body + off, n) != 0)
			break;
	}
	stream_end(s);
	char *json = stream_message_json(s);
	double t1 = now_ms();
	if (stream_outcome(s) != STREAM_COMPLETE) {
		fprintf(stderr, "stream_bench: outcome %d\n", (int)stream_outcome(s));
		exit(1);
	}
	struct stream_block b;
	*text_len = stream_block(s, 0, &b) == 0 ? b.text_len : 0;
	free(json);
	stream_free(s);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: stream_bench DELTAS SIZE RUNS\n");
		return 2;
	}
	long deltas = atol(argv[1]), size = atol(argv[2]);
	int runs = atoi(argv[3]);
	size_t len, text_len = 0;
	char *body = generate(deltas, size, &len);
	/* fast and cJSON runs interleaved, so the allocator's state is shared alike */
	double fast_ms[64], cjson_ms[64];
	size_t cjson_len = 0;
	if (runs > 64)
		runs = 64;
	once(body, len, 1, &text_len);
	once(body, len, 0, &cjson_len);
	for (int i = 0; i < runs; i++) {
		fast_ms[i] = once(body, len, 1, &text_len);
		cjson_ms[i] = once(body, len, 0, &cjson_len);
	}
	if (text_len != (size_t)(deltas * size) || cjson_len != text_len) {
		fprintf(stderr, "stream_bench: text of %zu / %zu bytes\n", text_len, cjson_len);
		return 1;
	}
	printf("{\"bytes\": %zu, \"fast_ms\": [", len);
	for (int i = 0; i < runs; i++)
		printf("%s%.3f", i ? ", " : "", fast_ms[i]);
	printf("], \"cjson_ms\": [");
	for (int i = 0; i < runs; i++)
		printf("%s%.3f", i ? ", " : "", cjson_ms[i]);
	printf("]");
	printf("}\n");
	free(body);
	return 0;
}
