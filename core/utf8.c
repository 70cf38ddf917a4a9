/* UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
#include "core/utf8.h"
#include "core/buf.h"
#include "core/util.h"

/* The valid sequence at str: its length and *cp, or 0 (*cp = U+FFFD). */
static size_t decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	*cp = 0xFFFD;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
		     (c & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n)
		return 0;
	uint32_t v = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
		return 0;
	*cp = v;
	return len;
}

size_t utf8_seq_len(const char *s, size_t n)
{
	uint32_t cp;
	return decode(s, n, &cp);
}

size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
	if (n == 0) {
		*cp = 0xFFFD;
		return 0;
	}
	size_t l = decode(s, n, cp);
	return l ? l : 1;
}

static size_t encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp < 0xE000)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_put(uint32_t cp, char *out)
{
	size_t n = encode(cp, out);
	return n ? n : encode(0xFFFD, out);
}

void utf8_append(struct buf *b, uint32_t cp)
{
	char tmp[4];
	buf_append(b, tmp, utf8_put(cp, tmp));
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

size_t utf8_json_escape(const char *s, size_t n, uint32_t *cp)
{
	uint32_t hi, lo;
	if (n < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &hi) < 0)
		return 0;
	*cp = hi;
	if (hi >= 0xD800 && hi < 0xDC00 && n >= 12 && s[6] == '\\' && s[7] == 'u' &&
	    hex4(s + 8, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
		*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
		return 12;
	}
	return 6;
}

int utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if ((unsigned char)s[i] < 0x80) { /* ASCII runs are the common case */
			i++;
			continue;
		}
		size_t l = utf8_seq_len(s + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

size_t utf8_append_repaired(struct buf *b, const char *s, size_t n)
{
	size_t replaced = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		size_t l;
		while (j < n && (l = utf8_seq_len(s + j, n - j)) != 0)
			j += l;
		if (j > i)
			buf_append(b, s + i, j - i);
		if (j < n) {
			buf_puts(b, UTF8_REPLACEMENT);
			replaced++;
			j++;
		}
		i = j;
	}
	return replaced;
}

char *utf8_repair(const char *s, size_t n, size_t *replaced)
{
	struct buf b;
	buf_init(&b, 0);
	size_t r = utf8_append_repaired(&b, s, n);
	if (replaced)
		*replaced = r;
	return buf_take(&b);
}

int utf8_decode_strict(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[0], min;
	int len;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
		/* reject early so that a cut-short overlong start is not held */
		if (i == 1 && len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f)))
			return 0;
		if (i == 1 && len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f)))
			return 0;
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int utf8_is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}
