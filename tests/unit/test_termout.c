/* core/termout: what reaches a terminal cannot drive it. */
#include "core/buf.h"
#include "core/termout.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static void check_escape(const char *in, size_t n, const char *want)
{
	char *got = termout_escape(in, n, NULL);
	CHECK_STR(got, want);
	free(got);
}

static void test_c0_and_del(void)
{
	check_escape("a\x1b]52;c;Zm9v\x07z", 14, "a^[]52;c;Zm9v^Gz");
	check_escape("\x1b[2J", 4, "^[[2J");
	check_escape("x\r\n\ty\x7f", 6, "x^M\n\ty^?");
	check_escape("a\0b", 3, "a^@b");
	CHECK(!termout_needs_escape("plain\ttext\n", 11));
	CHECK(termout_needs_escape("\x1b", 1));
}

static void test_c1_bidi_invalid(void)
{
	check_escape("\xc2\x9b" "2J", 4, "<9b>2J");           /* U+009B encoded */
	check_escape("\x9b" "2J", 3, "<9b>2J");               /* raw byte */
	check_escape("\xe2\x80\xae" "abc", 6, "<U+202E>abc"); /* RLO */
	check_escape("\xe2\x81\xa6", 3, "<U+2066>");
	check_escape("\xff\xfe", 2, "<ff><fe>");
	check_escape("\xc0\xaf", 2, "<c0><af>");              /* overlong */
	check_escape("\xed\xa0\x80", 3, "<ed><a0><80>");      /* surrogate */
	check_escape("caf\xc3\xa9 \xe2\x9c\x93", 9, "caf\xc3\xa9 \xe2\x9c\x93");
	check_escape("\xe2\x80", 2, "<e2><80>");              /* cut short at the end */
}

static void test_stream_split(void)
{
	/* é, ✓ and U+202E cut at every point still come out whole */
	const char in[] = "\xc3\xa9\xe2\x9c\x93\xe2\x80\xae!";
	size_t n = sizeof in - 1;
	for (size_t cut = 0; cut <= n; cut++) {
		struct termout t;
		struct buf b;
		buf_init(&b, 0);
		termout_init(&t);
		termout_feed(&t, in, cut, &b);
		termout_feed(&t, in + cut, n - cut, &b);
		termout_finish(&t, &b);
		CHECK_STR(buf_str(&b), "\xc3\xa9\xe2\x9c\x93<U+202E>!");
		buf_done(&b);
	}
	/* byte by byte */
	struct termout t;
	struct buf b;
	buf_init(&b, 0);
	termout_init(&t);
	for (size_t i = 0; i < n; i++)
		termout_feed(&t, in + i, 1, &b);
	termout_finish(&t, &b);
	CHECK_STR(buf_str(&b), "\xc3\xa9\xe2\x9c\x93<U+202E>!");
	buf_done(&b);
	/* an incomplete sequence left at the end is shown as bytes */
	buf_init(&b, 0);
	termout_init(&t);
	termout_feed(&t, "a\xe2\x9c", 3, &b);
	termout_finish(&t, &b);
	CHECK_STR(buf_str(&b), "a<e2><9c>");
	buf_done(&b);
}

int main(void)
{
	RUN(test_c0_and_del);
	RUN(test_c1_bidi_invalid);
	RUN(test_stream_split);
	return tap_done();
}
