/* Every form of the key, found and replaced (core/redact.h). */
#include "core/redact.h"
#include "core/buf.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Shortest base64 run that counts: 18 bytes of key, far past chance. */
#define B64_NEEDLE 24
#define MAX_NEEDLES 8

static const char b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct needle {
	char text[32]; /* B64_NEEDLE or REDACT_PREFIX_LEN, and a NUL */
	size_t len;
	int base64; /* extends over base64 characters; else over key characters */
};

static int is_key_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static int is_b64_char(unsigned char c)
{
	return is_key_char(c) || c == '+' || c == '/' || c == '=';
}

/* The base64 of key placed at byte alignment align (0..2) in a longer
 * encoded text: only the characters that depend on key bytes alone are
 * stable, so the needle starts after the mixed ones. */
static int b64_needle(const char *key, size_t kl, int align, int url, struct needle *n)
{
	size_t total = (size_t)align + kl;
	unsigned char *in = xcalloc(total + 3, 1);
	memcpy(in + align, key, kl);
	size_t groups = total / 3; /* full groups only: the last partial one is mixed */
	char *enc = xmalloc(groups * 4 + 1);
	for (size_t g = 0; g < groups; g++) {
		unsigned v = (unsigned)in[3 * g] << 16 | (unsigned)in[3 * g + 1] << 8 | in[3 * g + 2];
		for (int k = 0; k < 4; k++)
			enc[4 * g + (size_t)k] = b64_std[(v >> (18 - 6 * k)) & 63];
	}
	size_t skip = align == 0 ? 0 : (size_t)align + 1;
	int ok = groups * 4 >= skip + B64_NEEDLE;
	if (ok) {
		memcpy(n->text, enc + skip, B64_NEEDLE);
		n->text[B64_NEEDLE] = '\0';
		n->len = B64_NEEDLE;
		n->base64 = 1;
		for (size_t i = 0; url && i < n->len; i++)
			n->text[i] = n->text[i] == '+' ? '-' : n->text[i] == '/' ? '_' : n->text[i];
	}
	free(enc);
	free(in);
	return ok;
}

static size_t make_needles(const char *key, struct needle *v)
{
	size_t kl = strlen(key), n = 0;
	v[n].len = kl < REDACT_PREFIX_LEN ? kl : REDACT_PREFIX_LEN;
	memcpy(v[n].text, key, v[n].len);
	v[n].text[v[n].len] = '\0';
	v[n].base64 = 0;
	n++;
	for (int url = 0; url < 2; url++)
		for (int align = 0; align < 3; align++)
			if (b64_needle(key, kl, align, url, &v[n]))
				n++;
	return n;
}

/* The earliest match of any needle at or after from: its span, widened
 * over the characters the encoding could continue with. */
static int find_match(const char *t, size_t len, size_t from, const struct needle *v,
		      size_t nv, const char *key, size_t *start, size_t *end)
{
	int found = 0; /* 1: the key or its prefix, 2: base64 */
	for (size_t i = 0; i < nv; i++) {
		if (!v[i].len || v[i].len > len)
			continue;
		for (size_t p = from; p + v[i].len <= len; p++) {
			if (found && p >= *start)
				break;
			if (t[p] != v[i].text[0] || memcmp(t + p, v[i].text, v[i].len) != 0)
				continue;
			size_t s = p, e = p + v[i].len;
			if (v[i].base64) {
				/* The rest of the run. The mixed characters before the
				 * needle carry only bits of the dummy bytes and of the
				 * key's public "s": they stay, which keeps a match from
				 * reaching back into text already written. */
				while (e < len && is_b64_char((unsigned char)t[e]))
					e++;
			} else {
				size_t kl = strlen(key);
				/* the exact key first; then any key characters after the prefix */
				if (len - p >= kl && memcmp(t + p, key, kl) == 0)
					e = p + kl;
				while (e < len && is_key_char((unsigned char)t[e]))
					e++;
			}
			*start = s;
			*end = e;
			found = v[i].base64 ? 2 : 1;
			break;
		}
	}
	return found;
}

char *redact_key_n(const char *text, size_t len, const char *key, size_t *out_len)
{
	struct buf b;
	buf_init(&b, 0);
	struct needle v[MAX_NEEDLES];
	size_t nv = key && *key ? make_needles(key, v) : 0;
	size_t pos = 0, s, e;
	while (nv && find_match(text, len, pos, v, nv, key, &s, &e)) {
		buf_append(&b, text + pos, s - pos);
		buf_puts(&b, REDACT_MARKER);
		pos = e;
	}
	buf_append(&b, text + pos, len - pos);
	if (out_len)
		*out_len = b.len;
	return buf_take(&b);
}

char *redact_key(const char *text, const char *key)
{
	return text ? redact_key_n(text, strlen(text), key, NULL) : NULL;
}

void redact_in_place(char **slot, const char *key)
{
	if (!*slot || !key || !*key)
		return;
	char *r = redact_key(*slot, key);
	free(*slot);
	*slot = r;
}

int redact_holds_key(const char *text, size_t len, const char *key)
{
	struct needle v[MAX_NEEDLES];
	size_t nv = key && *key ? make_needles(key, v) : 0, s, e;
	return nv && find_match(text, len, 0, v, nv, key, &s, &e);
}

/* ---- pieces ------------------------------------------------------------ */

void redact_stream_init(struct redact_stream *rs, const char *key)
{
	memset(rs, 0, sizeof *rs);
	rs->key = key && *key ? xstrdup(key) : NULL;
}

void redact_stream_done(struct redact_stream *rs)
{
	if (rs->key) {
		memset(rs->key, 0, strlen(rs->key));
		free(rs->key);
	}
	memset(rs, 0, sizeof *rs);
}

void redact_stream_feed(struct redact_stream *rs, const char *text, size_t len, struct buf *out)
{
	if (!rs->key) {
		buf_append(out, text, len);
		return;
	}
	/* a match cut at the end of the last piece goes on */
	while (rs->in_match && len) {
		unsigned char c = (unsigned char)*text;
		if (!(rs->in_match == 2 ? is_b64_char(c) : is_key_char(c))) {
			rs->in_match = 0;
			break;
		}
		text++;
		len--;
	}
	if (!len)
		return;
	struct buf all;
	buf_init(&all, 0);
	buf_append(&all, rs->hold, rs->nhold);
	buf_append(&all, text, len);
	rs->nhold = 0;
	struct needle v[MAX_NEEDLES];
	size_t nv = make_needles(rs->key, v), pos = 0, s, e;
	int kind;
	while ((kind = find_match(all.data, all.len, pos, v, nv, rs->key, &s, &e))) {
		buf_append(out, all.data + pos, s - pos);
		buf_puts(out, REDACT_MARKER);
		pos = e;
		if (e == all.len)
			rs->in_match = kind;
	}
	/* Hold back only a tail that could begin a match with the next piece:
	 * the longest one that is the start of a needle. Text that cannot be
	 * the key flows on at once. */
	size_t keep = 0, rest = all.len - pos;
	for (size_t i = 0; i < nv; i++)
		for (size_t k = v[i].len - 1; k > keep; k--)
			if (k <= rest && memcmp(all.data + all.len - k, v[i].text, k) == 0) {
				keep = k;
				break;
			}
	buf_append(out, all.data + pos, all.len - pos - keep);
	memcpy(rs->hold, all.data + all.len - keep, keep);
	rs->nhold = keep;
	buf_done(&all);
}

void redact_stream_flush(struct redact_stream *rs, struct buf *out)
{
	/* shorter than any needle: nothing in it to find */
	buf_append(out, rs->hold, rs->nhold);
	rs->nhold = 0;
}

void redact_stream_finish(struct redact_stream *rs, struct buf *out)
{
	redact_stream_flush(rs, out);
	rs->in_match = 0;
}
