/* SSE framing as the TS SDK LineDecoder + SSEDecoder do it. */
#include "tests/unit/tap.h"

#include "core/buf.h"
#include "core/sse.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Every dispatched event is logged as "[name|data]" (name "-" when absent). */
struct log {
	struct buf text;
	int count;
	int stop_after; /* return 7 from the callback after this many events; 0: never */
};

static int on_event(void *ud, const struct sse_event *ev)
{
	struct log *l = ud;
	CHECK(ev->data[ev->data_len] == '\0');
	CHECK(!ev->event || ev->event[ev->event_len] == '\0');
	buf_puts(&l->text, "[");
	if (ev->event)
		buf_append(&l->text, ev->event, ev->event_len);
	else
		buf_puts(&l->text, "-");
	buf_puts(&l->text, "|");
	buf_append(&l->text, ev->data, ev->data_len);
	buf_puts(&l->text, "]");
	l->count++;
	return (l->stop_after && l->count >= l->stop_after) ? 7 : 0;
}

/* Parse text whole, then split at every point into two chunks, then in
 * 1-byte chunks; every way must log want. Returns sse_finish's value. */
static int parse_all_ways(const char *text, const char *want)
{
	size_t n = strlen(text);
	int fin = -1;
	for (size_t k = 0; k <= n + 1; k++) {
		struct log l = { .count = 0 };
		buf_init(&l.text, 0);
		struct sse *p = sse_new(0, on_event, &l);
		if (k <= n) { /* two chunks */
			CHECK_INT(sse_feed(p, text, k), 0);
			CHECK_INT(sse_feed(p, text + k, n - k), 0);
		} else { /* 1-byte chunks */
			for (size_t i = 0; i < n; i++)
				CHECK_INT(sse_feed(p, text + i, 1), 0);
		}
		int f = sse_finish(p);
		if (fin < 0)
			fin = f;
		CHECK_INT(f, fin);
		if (strcmp(buf_str(&l.text), want) != 0) {
			printf("#   split %zu of \"%s\"\n", k, text);
			CHECK_STR(buf_str(&l.text), want);
		}
		sse_free(p);
		buf_done(&l.text);
	}
	return fin;
}

static void test_lf(void)
{
	parse_all_ways("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n", "[a|1][b|2]");
}

static void test_crlf(void)
{
	parse_all_ways("event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n", "[a|1][b|2]");
}

static void test_cr_only(void)
{
	parse_all_ways("event: a\rdata: 1\r\revent: b\rdata: 2\r\r", "[a|1][b|2]");
}

static void test_mixed_line_ends(void)
{
	/* A CRLF is one line end even when split; CR then LF of the next line
	 * is not a blank line. */
	parse_all_ways("event: a\r\ndata: 1\r\ndata: 2\n\r\nevent: b\rdata: 3\n\r", "[a|1\n2][b|3]");
}

static void test_comments(void)
{
	parse_all_ways(": hello\n:\nevent: a\n: inside\ndata: 1\n\n:only a comment\n\n",
		       "[a|1]");
}

static void test_multiline_data(void)
{
	parse_all_ways("data: one\ndata: two\ndata:\ndata: four\n\n", "[-|one\ntwo\n\nfour]");
}

static void test_no_trailing_blank_line(void)
{
	CHECK_INT(parse_all_ways("event: a\ndata: 1\n\nevent: b\ndata: 2\n", "[a|1]"), 1);
	CHECK_INT(parse_all_ways("event: a\ndata: 1\n\nevent: b\ndata: 2", "[a|1]"), 1);
	CHECK_INT(parse_all_ways("event: a\ndata: 1\n\n", "[a|1]"), 0);
}

static void test_leading_space(void)
{
	/* Only one space goes; no space is fine; colons in the value stay. */
	parse_all_ways("data:  two spaces\n\ndata:none\n\ndata: a:b: c\n\ndata:\t tab\n\n",
		       "[-| two spaces][-|none][-|a:b: c][-|\t tab]");
}

static void test_field_without_colon(void)
{
	/* "data" alone is a data line with an empty value; "event" alone an
	 * empty name, which does not count as a name. */
	parse_all_ways("data\n\nevent\n\nevent: x\ndata\ndata\n\n", "[-|][x|\n]");
}

static void test_unknown_fields(void)
{
	parse_all_ways("id: 5\nretry: 100\nfoo: bar\nevent: a\nDATA: no\nEvent: no\ndata: 1\n\n"
		       "id: 6\n\n",
		       "[a|1]");
}

static void test_event_only_and_blank_runs(void)
{
	parse_all_ways("\n\n\nevent: ping\n\n\n\nevent: a\nevent: b\ndata: x\n\n", "[ping|][b|x]");
}

static void test_nul_in_data(void)
{
	struct log l = { .count = 0 };
	buf_init(&l.text, 0);
	struct sse *p = sse_new(0, on_event, &l);
	static const char in[] = "data: a\0b\n\n";
	CHECK_INT(sse_feed(p, in, sizeof in - 1), 0);
	CHECK_INT(l.count, 1);
	CHECK_INT(l.text.len, 7);
	CHECK(memcmp(l.text.data, "[-|a\0b]", 7) == 0);
	sse_free(p);
	buf_done(&l.text);
}

static void test_cap(void)
{
	struct log l = { .count = 0 };
	buf_init(&l.text, 0);
	/* A line longer than the cap, split across chunks. */
	struct sse *p = sse_new(16, on_event, &l);
	CHECK_INT(sse_feed(p, "data: 0123456789", 16), 0);
	CHECK_INT(sse_feed(p, "abcdef\n\n", 8), SSE_ERR_TOO_LARGE);
	CHECK_INT(sse_feed(p, "data: x\n\n", 9), SSE_ERR_TOO_LARGE); /* stays dead */
	CHECK_INT(l.count, 0);
	sse_free(p);
	/* Data lines that add up past the cap, each under it. */
	p = sse_new(16, on_event, &l);
	CHECK_INT(sse_feed(p, "data: 01234567\n", 15), 0);
	CHECK_INT(sse_feed(p, "data: 01234567\n\n", 16), SSE_ERR_TOO_LARGE);
	CHECK_INT(l.count, 0);
	sse_free(p);
	/* Under the cap all is well. */
	p = sse_new(16, on_event, &l);
	CHECK_INT(sse_feed(p, "data: 0123456789abcdef\n\n", 24), 0);
	CHECK_STR(buf_str(&l.text), "[-|0123456789abcdef]");
	sse_free(p);
	buf_done(&l.text);
}

static void test_callback_stops(void)
{
	struct log l = { .count = 0, .stop_after = 1 };
	buf_init(&l.text, 0);
	struct sse *p = sse_new(0, on_event, &l);
	CHECK_INT(sse_feed(p, "data: 1\n\ndata: 2\n\n", 18), 7);
	CHECK_STR(buf_str(&l.text), "[-|1]");
	sse_free(p);
	buf_done(&l.text);
}

static void test_finish_resets(void)
{
	struct log l = { .count = 0 };
	buf_init(&l.text, 0);
	struct sse *p = sse_new(0, on_event, &l);
	CHECK_INT(sse_feed(p, "data: half", 10), 0);
	CHECK_INT(sse_finish(p), 1);
	CHECK_INT(sse_finish(p), 0);
	CHECK_INT(sse_feed(p, "data: new\r", 10), 0);
	CHECK_INT(sse_finish(p), 1);
	/* After finish, a leading LF is just an empty line. */
	CHECK_INT(sse_feed(p, "\ndata: x\n\n", 10), 0);
	CHECK_STR(buf_str(&l.text), "[-|x]");
	sse_free(p);
	buf_done(&l.text);
	sse_free(NULL);
}

int main(void)
{
	RUN(test_lf);
	RUN(test_crlf);
	RUN(test_cr_only);
	RUN(test_mixed_line_ends);
	RUN(test_comments);
	RUN(test_multiline_data);
	RUN(test_no_trailing_blank_line);
	RUN(test_leading_space);
	RUN(test_field_without_colon);
	RUN(test_unknown_fields);
	RUN(test_event_only_and_blank_runs);
	RUN(test_nul_in_data);
	RUN(test_cap);
	RUN(test_callback_stops);
	RUN(test_finish_resets);
	return tap_done();
}
