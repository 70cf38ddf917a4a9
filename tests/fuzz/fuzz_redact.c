/* libFuzzer target: key redaction (core/redact.c). The input is text in
 * which the bytes '\x01', '\x02' and '\x03' stand for the key, its prefix
 * and its base64, so the fuzzer mixes them with anything. Properties: the
 * result holds no form of the key (redact_holds_key is false, and the key's
 * first REDACT_PREFIX_LEN characters never appear), and redacting in
 * pseudo-random pieces (struct redact_stream) gives exactly the result of
 * redacting the whole. */
#include "core/buf.h"
#include "core/redact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static const char key[] = "sk-ant-api03-FuZzKeY0123456789abcdefghijklmnopqrstuvwxyzABCDEF-AAAA";
/* base64 of key, standard alphabet */
static const char key_b64[] =
	"c2stYW50LWFwaTAzLUZ1WnpLZVkwMTIzNDU2Nzg5YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXpBQkNERUYtQUFBQQ==";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in;
	buf_init(&in, 0);
	for (size_t i = 0; i < size && i < 4096; i++) {
		if (data[i] == 1)
			buf_puts(&in, key);
		else if (data[i] == 2)
			buf_append(&in, key, REDACT_PREFIX_LEN);
		else if (data[i] == 3)
			buf_puts(&in, key_b64);
		else
			buf_append(&in, &data[i], 1);
	}
	size_t whole_len;
	char *whole = redact_key_n(in.data ? in.data : "", in.len, key, &whole_len);
	if (redact_holds_key(whole, whole_len, key))
		FUZZ_FAIL("a form of the key survived redaction");
	for (size_t i = 0; i + REDACT_PREFIX_LEN <= whole_len; i++)
		if (memcmp(whole + i, key, REDACT_PREFIX_LEN) == 0)
			FUZZ_FAIL("the key's prefix survived at %zu", i);

	uint64_t seed = fuzz_seed(data, size);
	struct redact_stream rs;
	struct buf out;
	buf_init(&out, 0);
	redact_stream_init(&rs, key);
	for (size_t off = 0; off < in.len;) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t piece = 1 + (size_t)(seed >> 33) % 40;
		if (piece > in.len - off)
			piece = in.len - off;
		redact_stream_feed(&rs, in.data + off, piece, &out);
		off += piece;
	}
	redact_stream_finish(&rs, &out);
	if (out.len != whole_len || memcmp(out.data ? out.data : "", whole, whole_len) != 0)
		FUZZ_FAIL("redacting in pieces differs from redacting the whole");
	redact_stream_done(&rs);
	buf_done(&out);
	buf_done(&in);
	free(whole);
	return 0;
}
