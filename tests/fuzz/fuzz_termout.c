/* libFuzzer target: terminal escaping (core/termout.c). Whatever the input,
 * the escaped form is valid UTF-8 and holds no C0 control but \n and \t, no
 * DEL, no C1 control (U+0080-U+009F) and no bidi override; feeding the same
 * input in pseudo-random pieces through a struct termout gives exactly the
 * escaped form of the whole; text that needs no escaping comes out as is. */
#include "core/buf.h"
#include "core/termout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

/* Checks the properties of escaped output; aborts on the first failure. */
static void check_safe(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], cp;
		size_t len;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				FUZZ_FAIL("control byte 0x%02x at %zu", c, i);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			FUZZ_FAIL("invalid UTF-8 lead byte 0x%02x at %zu", c, i);
		if (i + len > n)
			FUZZ_FAIL("UTF-8 sequence cut at the end (%zu)", i);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				FUZZ_FAIL("invalid continuation byte at %zu", i + k);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			FUZZ_FAIL("overlong, surrogate or out of range U+%04X at %zu", cp, i);
		if (cp <= 0x9f)
			FUZZ_FAIL("C1 control U+%04X at %zu", cp, i);
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			FUZZ_FAIL("bidi override U+%04X at %zu", cp, i);
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t whole_len;
	char *whole = termout_escape((const char *)data, size, &whole_len);
	check_safe((const unsigned char *)whole, whole_len);
	if (whole[whole_len] != '\0')
		FUZZ_FAIL("not NUL-terminated");
	if (!termout_needs_escape((const char *)data, size) &&
	    (whole_len != size || memcmp(whole, data, size) != 0))
		FUZZ_FAIL("text that needs no escaping was changed");

	/* the same input in pieces */
	uint64_t seed = fuzz_seed(data, size);
	struct termout t;
	struct buf b;
	buf_init(&b, 0);
	termout_init(&t);
	for (size_t off = 0; off < size;) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t piece = 1 + (size_t)(seed >> 33) % 7;
		if (piece > size - off)
			piece = size - off;
		termout_feed(&t, (const char *)data + off, piece, &b);
		off += piece;
	}
	termout_finish(&t, &b);
	if (b.len != whole_len || memcmp(b.data ? b.data : "", whole, whole_len) != 0)
		FUZZ_FAIL("escaping in pieces differs from escaping the whole");
	buf_done(&b);
	free(whole);
	return 0;
}
