/* core/redact: the key, its prefix and its base64 never survive. */
#include "core/buf.h"
#include "core/redact.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static const char key[] = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefghijklmnopqrstuvwxyzAA";

static char *b64(const char *in, size_t n, int url)
{
	static const char *std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char *safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url ? safe : std;
	char *out = malloc(n / 3 * 4 + 8), *o = out;
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		*o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63], *o++ = a[v >> 6 & 63], *o++ = a[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)s[i] << 16;
		*o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63], *o++ = '=', *o++ = '=';
	} else if (n - i == 2) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		*o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63], *o++ = a[v >> 6 & 63], *o++ = '=';
	}
	*o = '\0';
	return out;
}

static void test_exact(void)
{
	char *t = malloc(strlen(key) + 32);
	sprintf(t, "request-id %s!", key);
	char *r = redact_key(t, key);
	CHECK_STR(r, "request-id " REDACT_MARKER "!");
	CHECK(redact_holds_key(t, strlen(t), key));
	free(r);
	free(t);
}

static void test_prefix(void)
{
	char t[64];
	snprintf(t, sizeof t, "id=%.*s and more", REDACT_PREFIX_LEN, key);
	char *r = redact_key(t, key);
	CHECK_STR(r, "id=" REDACT_MARKER " and more");
	free(r);
	/* one character short of the prefix is not the key */
	snprintf(t, sizeof t, "id=%.*s.", REDACT_PREFIX_LEN - 1, key);
	r = redact_key(t, key);
	CHECK_STR(r, t);
	free(r);
	/* the masked form stays */
	r = redact_key("sk-ant-api03-…zzAA", key);
	CHECK_STR(r, "sk-ant-api03-…zzAA");
	free(r);
}

static void test_base64_alignments(void)
{
	for (int url = 0; url < 2; url++) {
		for (int align = 0; align < 3; align++) {
			char in[256];
			snprintf(in, sizeof in, "%.*s%s tail", align, "xyz", key);
			char *enc = b64(in, strlen(in), url);
			char *t = malloc(strlen(enc) + 16);
			sprintf(t, "b64 <%s> end", enc);
			CHECK(redact_holds_key(t, strlen(t), key));
			char *r = redact_key(t, key);
			CHECK(strstr(r, REDACT_MARKER) != NULL);
			CHECK(strstr(r, "end") != NULL);
			/* nothing of the encoded key is left */
			char *middle = b64(key + 3, 18, url);
			CHECK(strstr(r, middle) == NULL);
			free(middle);
			free(r);
			free(t);
			free(enc);
		}
	}
}

static void test_nul_and_plain(void)
{
	const char t[] = "a\0b";
	size_t n;
	char *r = redact_key_n(t, 3, key, &n);
	CHECK_INT(n, 3);
	CHECK(memcmp(r, t, 3) == 0);
	free(r);
	r = redact_key("nothing here", NULL);
	CHECK_STR(r, "nothing here");
	free(r);
	CHECK(redact_key(NULL, key) == NULL);
	char *slot = strdup(key);
	redact_in_place(&slot, key);
	CHECK_STR(slot, REDACT_MARKER);
	free(slot);
}

static void test_short_key(void)
{
	char *r = redact_key("x sk-test-1 y", "sk-test-1");
	CHECK_STR(r, "x " REDACT_MARKER " y");
	free(r);
}

/* Text fed in two pieces cut at every point, and one byte at a time,
 * comes out as the whole text redacted at once. */
static void check_pieces(const char *t)
{
	size_t n = strlen(t);
	char *want = redact_key(t, key);
	for (size_t cut = 0; cut <= n; cut++) {
		struct redact_stream rs;
		struct buf b;
		buf_init(&b, 0);
		redact_stream_init(&rs, key);
		redact_stream_feed(&rs, t, cut, &b);
		redact_stream_feed(&rs, t + cut, n - cut, &b);
		redact_stream_finish(&rs, &b);
		if (strcmp(buf_str(&b), want) != 0) {
			printf("#   cut at %zu: got '%s', expected '%s'\n", cut, buf_str(&b), want);
			tap_case_failed = 1;
		}
		buf_done(&b);
		redact_stream_done(&rs);
	}
	struct redact_stream rs;
	struct buf b;
	buf_init(&b, 0);
	redact_stream_init(&rs, key);
	for (size_t i = 0; i < n; i++)
		redact_stream_feed(&rs, t + i, 1, &b);
	redact_stream_finish(&rs, &b);
	CHECK_STR(buf_str(&b), want);
	buf_done(&b);
	redact_stream_done(&rs);
	free(want);
}

static void test_stream_pieces(void)
{
	char t[512];
	snprintf(t, sizeof t, "the key is %s, yes.", key);
	check_pieces(t);
	snprintf(t, sizeof t, "%s", key);
	check_pieces(t);
	snprintf(t, sizeof t, "prefix %.*s and more", REDACT_PREFIX_LEN + 3, key);
	check_pieces(t);
	char *enc = b64(key, strlen(key), 0);
	snprintf(t, sizeof t, "b64: %s end", enc);
	check_pieces(t);
	free(enc);
	enc = b64(key, strlen(key), 1);
	snprintf(t, sizeof t, "%s", enc);
	check_pieces(t);
	free(enc);
	check_pieces("plain text with no key at all, and some-key-like_chars_ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	/* no key: passes through */
	struct redact_stream rs;
	struct buf b;
	buf_init(&b, 0);
	redact_stream_init(&rs, NULL);
	redact_stream_feed(&rs, "abc", 3, &b);
	redact_stream_finish(&rs, &b);
	CHECK_STR(buf_str(&b), "abc");
	buf_done(&b);
	redact_stream_done(&rs);
}

int main(void)
{
	RUN(test_exact);
	RUN(test_prefix);
	RUN(test_base64_alignments);
	RUN(test_nul_and_plain);
	RUN(test_short_key);
	RUN(test_stream_pieces);
	return tap_done();
}
