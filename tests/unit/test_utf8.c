/* UTF-8: decoding (and what counts as invalid), encoding, validation and
 * the visible repair that keeps text whole. */
#include "core/buf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

static void test_next(void)
{
	uint32_t cp;
	CHECK_INT(utf8_next("A", 1, &cp), 1);
	CHECK_INT(cp, 'A');
	CHECK_INT(utf8_next("\xc3\xa9", 2, &cp), 2);
	CHECK_INT(cp, 0xE9);
	CHECK_INT(utf8_next("\xe2\x82\xac", 3, &cp), 3);
	CHECK_INT(cp, 0x20AC);
	CHECK_INT(utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	CHECK_INT(cp, 0x1F600);
	/* invalid: taken alone as U+FFFD, so a loop always advances */
	CHECK_INT(utf8_next("\xff", 1, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
	CHECK_INT(utf8_next("\xc0\xaf", 2, &cp), 1); /* overlong '/' */
	CHECK_INT(cp, 0xFFFD);
	CHECK_INT(utf8_next("\xed\xa0\x80", 3, &cp), 1); /* a surrogate */
	CHECK_INT(utf8_next("\xf4\x90\x80\x80", 4, &cp), 1); /* past U+10FFFF */
	CHECK_INT(utf8_next("\xe2\x82", 2, &cp), 1); /* cut short */
	CHECK_INT(utf8_next("", 0, &cp), 0);
	CHECK_INT(utf8_seq_len("\xe2\x82\xac", 3), 3);
	CHECK_INT(utf8_seq_len("\xe2\x82", 2), 0);
}

static void test_put(void)
{
	char o[4];
	CHECK_INT(utf8_put('x', o), 1);
	CHECK(o[0] == 'x');
	CHECK_INT(utf8_put(0x2400, o), 3);
	CHECK(!memcmp(o, "\xe2\x90\x80", 3));
	CHECK_INT(utf8_put(0x10FFFF, o), 4);
	CHECK(!memcmp(o, "\xf4\x8f\xbf\xbf", 4));
	/* no encoding: U+FFFD */
	CHECK_INT(utf8_put(0xD800, o), 3);
	CHECK(!memcmp(o, UTF8_REPLACEMENT, 3));
	CHECK_INT(utf8_put(0x110000, o), 3);
	/* every scalar value round-trips */
	int bad = 0;
	for (uint32_t c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c < 0xE000)
			continue;
		uint32_t back;
		size_t n = utf8_put(c, o);
		if (utf8_next(o, n, &back) != n || back != c)
			bad++;
	}
	CHECK_INT(bad, 0);
}

static void test_valid_and_repair(void)
{
	CHECK(utf8_valid("plain", 5));
	CHECK(utf8_valid("caf\xc3\xa9", 5));
	CHECK(!utf8_valid("caf\xe9", 4));
	CHECK(utf8_valid("", 0));
	size_t r = 0;
	char *s = utf8_repair("a\xffz\xe2\x82", 5, &r);
	CHECK_STR(s, "a" UTF8_REPLACEMENT "z" UTF8_REPLACEMENT UTF8_REPLACEMENT);
	CHECK_INT(r, 3);
	free(s);
	s = utf8_repair("ok \xe2\x82\xac", 6, &r);
	CHECK_STR(s, "ok \xe2\x82\xac");
	CHECK_INT(r, 0);
	free(s);
	struct buf b;
	buf_init(&b, 0);
	utf8_append(&b, 0x20AC);
	utf8_append(&b, 0xDC00);
	CHECK_STR(buf_str(&b), "\xe2\x82\xac" UTF8_REPLACEMENT);
	buf_done(&b);
}

static void test_json_escape(void)
{
	uint32_t cp;
	CHECK_INT(utf8_json_escape("\\u00e9", 6, &cp), 6);
	CHECK_INT(cp, 0xE9);
	CHECK_INT(utf8_json_escape("\\uD83D\\uDE00rest", 16, &cp), 12);
	CHECK_INT(cp, 0x1F600);
	CHECK_INT(utf8_json_escape("\\ud83dx", 7, &cp), 6); /* a lone high surrogate */
	CHECK_INT(cp, 0xD83D);
	CHECK_INT(utf8_json_escape("\\u12G4", 6, &cp), 0);
	CHECK_INT(utf8_json_escape("\\u12", 4, &cp), 0);
	CHECK_INT(utf8_json_escape("\\u0000", 6, &cp), 6);
	CHECK_INT(cp, 0);
}

int main(void)
{
	RUN(test_next);
	RUN(test_put);
	RUN(test_valid_and_repair);
	RUN(test_json_escape);
	return tap_done();
}
