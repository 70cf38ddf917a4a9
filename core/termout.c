/* Text made safe for a terminal (core/termout.h). */
#include "core/termout.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "core/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Escape text[0..len); returns how many bytes were consumed (less than
 * len when an incomplete sequence ends the text and hold is set). */
static size_t escape_into(const unsigned char *s, size_t len, int hold, struct buf *out)
{
	size_t i = 0, plain = 0; /* plain: start of the run copied as is */
	char tmp[16];
	while (i < len) {
		uint32_t cp = 0;
		int n = utf8_decode_strict((const char *)s + i, len - i, &cp);
		if (n < 0 && hold)
			break;
		if (n == 1 && cp >= 0x20 && cp != 0x7f) {
			i++;
			continue;
		}
		if (n == 1 && (cp == '\n' || cp == '\t')) {
			i++;
			continue;
		}
		if (n > 1 && !(cp <= 0x9f) && !utf8_is_bidi_control(cp)) {
			i += (size_t)n;
			continue;
		}
		buf_append(out, s + plain, i - plain);
		if (n == 1)
			snprintf(tmp, sizeof tmp, "^%c", cp == 0x7f ? '?' : (char)(cp + 64));
		else if (n > 1 && cp <= 0x9f)
			snprintf(tmp, sizeof tmp, "<%02x>", cp);
		else if (n > 1)
			snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
		else
			snprintf(tmp, sizeof tmp, "<%02x>", s[i]);
		buf_puts(out, tmp);
		i += n > 0 ? (size_t)n : 1;
		plain = i;
	}
	buf_append(out, s + plain, i - plain);
	return i;
}

void termout_init(struct termout *t)
{
	memset(t, 0, sizeof *t);
}

void termout_feed(struct termout *t, const char *text, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char *joined = NULL;
	if (t->npending) {
		/* a sequence cut by the last piece: read it again with this one */
		joined = xmalloc(t->npending + len);
		memcpy(joined, t->pending, t->npending);
		memcpy(joined + t->npending, text, len);
		len += t->npending;
		s = joined;
	}
	size_t used = escape_into(s, len, 1, out);
	t->npending = len - used; /* at most 3: escape_into holds only a cut sequence */
	memcpy(t->pending, s + used, t->npending);
	free(joined);
}

void termout_finish(struct termout *t, struct buf *out)
{
	escape_into(t->pending, t->npending, 0, out);
	t->npending = 0;
}

char *termout_escape(const char *text, size_t len, size_t *out_len)
{
	struct buf b;
	buf_init(&b, 0);
	escape_into((const unsigned char *)text, len, 0, &b);
	if (out_len)
		*out_len = b.len;
	return buf_take(&b);
}

int termout_needs_escape(const char *text, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	escape_into((const unsigned char *)text, len, 0, &b);
	int changed = b.len != len || memcmp(b.data ? b.data : "", text, len) != 0;
	buf_done(&b);
	return changed;
}
