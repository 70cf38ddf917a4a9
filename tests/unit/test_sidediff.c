/* core/sidediff: the line rows of two prompts (common lines paired, a
 * removed line beside the added one) and the differing words of two
 * answers. */
#include "core/sidediff.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

/* The marked words of s as one string ("a|b"). */
static void marked(const char *s, const unsigned char *m, char *out)
{
	size_t k = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (m[i] && i && !m[i - 1] && k)
			out[k++] = '|';
		if (m[i])
			out[k++] = s[i];
	}
	out[k] = 0;
}

static void test_lines(void)
{
	struct sidediff_row *r;
	size_t n;
	sidediff_lines("one\ntwo\nthree\nfour", "one\nTWO\nthree\nfour\nfive", &r, &n);
	CHECK_INT(n, 5);
	CHECK_INT(r[0].a, 0); CHECK_INT(r[0].b, 0); CHECK_INT(r[0].changed, 0);
	CHECK_INT(r[1].a, 1); CHECK_INT(r[1].b, 1); CHECK_INT(r[1].changed, 1);
	CHECK_INT(r[2].changed, 0);
	CHECK_INT(r[4].a, -1); CHECK_INT(r[4].b, 4); CHECK_INT(r[4].changed, 1);
	free(r);
	sidediff_lines("a\nb", "a\nb", &r, &n);
	CHECK_INT(n, 2);
	CHECK_INT(r[0].changed + r[1].changed, 0);
	free(r);
	sidediff_lines("", "x", &r, &n);
	CHECK_INT(n, 1);
	CHECK_INT(r[0].a, -1);
	free(r);
	size_t len;
	const char *p = sidediff_line("x\nyy\nz", 1, &len);
	CHECK_INT(len, 2);
	CHECK(strncmp(p, "yy", 2) == 0);
	sidediff_line("x", 4, &len);
	CHECK_INT(len, 0);
}

static void test_words(void)
{
	unsigned char *ma, *mb;
	char got[256];
	const char *a = "The cat sat on the mat.", *b = "The dog sat on the  mat today.";
	size_t n = sidediff_words(a, b, &ma, &mb);
	CHECK_INT(n, 5); /* "mat." is not "mat" */
	marked(a, ma, got);
	CHECK_STR(got, "cat|mat.");
	marked(b, mb, got);
	CHECK_STR(got, "dog|mat|today.");
	free(ma);
	free(mb);
	CHECK_INT(sidediff_words("same words", "same\nwords", &ma, &mb), 0);
	free(ma);
	free(mb);
}

static void test_message_text(void)
{
	char *t = sidediff_message_text("{\"content\": [{\"type\": \"text\", \"text\": \"Hi\"}]}");
	CHECK_STR(t, "Hi");
	free(t);
	t = sidediff_message_text(NULL);
	CHECK_STR(t, "");
	free(t);
}

int main(void)
{
	RUN(test_lines);
	RUN(test_words);
	RUN(test_message_text);
	return tap_done();
}
