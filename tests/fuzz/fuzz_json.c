/* libFuzzer target: response JSON handling. The input is a whole non-stream
 * response body given to stream_take_json (a Message, an error body, or
 * anything else); the assembled message must be valid JSON and taking it
 * back must give the same message (a fixed point). Its first two lines also
 * go through the retry-header parsing of core/api.c (retry-after-ms,
 * retry-after as seconds or an HTTP date, x-should-retry), which reads
 * server-controlled text too. */
#include "core/api.h"
#include "core/stream.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static char *take(const char *body, size_t n, int *rc, enum stream_outcome *outcome)
{
	struct stream *s = stream_new(0);
	*rc = stream_take_json(s, body, n);
	*outcome = stream_outcome(s);
	if (*rc == 0 && *outcome != STREAM_COMPLETE)
		FUZZ_FAIL("stream_take_json returned 0 with outcome %d", (int)*outcome);
	if (*rc != 0 && *outcome == STREAM_COMPLETE)
		FUZZ_FAIL("stream_take_json returned %d with outcome COMPLETE", *rc);
	/* touch what a caller reads */
	volatile size_t sink = 0;
	const char *p;
	if ((p = stream_stop_reason(s)))
		sink += strlen(p);
	if ((p = stream_model(s)))
		sink += strlen(p);
	if ((p = stream_error_type(s)))
		sink += strlen(p);
	if ((p = stream_error_message(s)))
		sink += strlen(p);
	struct usage u;
	stream_usage(s, &u);
	size_t nb = stream_block_count(s);
	for (size_t i = 0; i < nb; i++) {
		struct stream_block b;
		if (stream_block(s, i, &b) != 0)
			FUZZ_FAIL("stream_block(%zu) failed below count %zu", i, nb);
		if (b.type)
			sink += strlen(b.type);
		for (size_t k = 0; b.text && k < b.text_len; k++)
			sink += (unsigned char)b.text[k];
		if (b.input_json)
			sink += strlen(b.input_json);
		if (b.name)
			sink += strlen(b.name);
	}
	(void)sink;
	char *json = stream_message_json(s);
	if (json)
		fuzz_check_json(json, "stream_message_json");
	stream_free(s);
	return json;
}

static void headers(const uint8_t *data, size_t size)
{
	/* line 1: retry-after-ms, line 2: retry-after, line 3: x-should-retry */
	char *lines[3] = { NULL, NULL, NULL };
	size_t off = 0;
	for (int i = 0; i < 3 && off <= size; i++) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		if (len > 256)
			break;
		lines[i] = malloc(len + 1);
		memcpy(lines[i], data + off, len);
		lines[i][len] = '\0';
		off += len + 1;
		if (!nl)
			break;
	}
	double r = size ? data[0] / 256.0 : 0.0;
	for (int n = 0; n < 4; n++) {
		long d = api_retry_delay_ms(n, lines[0], lines[1], r, 1795000000LL);
		if (d < 0)
			FUZZ_FAIL("api_retry_delay_ms gave %ld", d);
	}
	long d1 = api_retry_delay_ms(0, NULL, lines[0], 0.5, 1795000000LL);
	(void)d1;
	static const long statuses[] = { 0, 200, 400, 408, 409, 429, 500, 529 };
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		(void)api_should_retry(statuses[i], lines[2]);
	for (int i = 0; i < 3; i++)
		free(lines[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, not NUL-terminated, so reads past n are caught */
	char *body = malloc(size ? size : 1);
	memcpy(body, data, size);
	int rc;
	enum stream_outcome oc;
	char *first = take(body, size, &rc, &oc);
	free(body);
	if (rc == 0 && first) {
		int rc2;
		enum stream_outcome oc2;
		char *second = take(first, strlen(first), &rc2, &oc2);
		if (rc2 != 0)
			FUZZ_FAIL("the assembled message does not take back: %s", first);
		char *third = second ? take(second, strlen(second), &rc2, &oc2) : NULL;
		if (!fuzz_str_eq(second, third))
			FUZZ_FAIL("taking the message back is not a fixed point:\n  %s\n  %s",
				  second ? second : "NULL", third ? third : "NULL");
		free(second);
		free(third);
	}
	free(first);
	headers(data, size);
	return 0;
}
