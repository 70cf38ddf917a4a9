#include "core/sidediff.h"
#include "core/replay.h"
#include "core/util.h"

#include <cjson/cJSON.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Past this many tokens (each side, after the common start and end) the
 * middle is taken as wholly changed: the table is n*m cells. */
enum { SIDEDIFF_MAX_TOKENS = 3000 };

struct tok {
	const char *p;
	size_t n;
};

static int tok_eq(const struct tok *x, const struct tok *y)
{
	return x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

/* keep_a[i] / keep_b[j] = 1 for the tokens of a longest common
 * subsequence. */
static void lcs(const struct tok *a, size_t na, const struct tok *b, size_t nb,
		unsigned char *keep_a, unsigned char *keep_b)
{
	size_t s = 0, ea = na, eb = nb;
	while (s < na && s < nb && tok_eq(&a[s], &b[s])) {
		keep_a[s] = keep_b[s] = 1;
		s++;
	}
	while (ea > s && eb > s && tok_eq(&a[ea - 1], &b[eb - 1])) {
		keep_a[--ea] = 1;
		keep_b[--eb] = 1;
	}
	size_t n = ea - s, m = eb - s;
	if (!n || !m || n > SIDEDIFF_MAX_TOKENS || m > SIDEDIFF_MAX_TOKENS)
		return;
	/* L[i][j]: the LCS length of a[s+i..ea) and b[s+j..eb) */
	uint16_t *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define AT(i, j) L[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			AT(i, j) = tok_eq(&a[s + i], &b[s + j]) ? (uint16_t)(AT(i + 1, j + 1) + 1)
				   : AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
	size_t i = 0, j = 0;
	while (i < n && j < m) {
		if (tok_eq(&a[s + i], &b[s + j])) {
			keep_a[s + i++] = 1;
			keep_b[s + j++] = 1;
		} else if (AT(i + 1, j) >= AT(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef AT
	free(L);
}

static struct tok *split_lines(const char *s, size_t *n)
{
	size_t cap = 16, k = 0;
	struct tok *t = xcalloc(cap, sizeof *t);
	const char *p = s;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (k == cap)
			t = xrealloc(t, (cap *= 2) * sizeof *t);
		t[k++] = (struct tok){ p, len };
		p += len + (nl != NULL);
	}
	*n = k;
	return t;
}

const char *sidediff_line(const char *s, long i, size_t *len)
{
	const char *p = s;
	for (; i > 0 && p; i--) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p) {
		*len = 0;
		return "";
	}
	*len = strcspn(p, "\n");
	return p;
}

void sidediff_lines(const char *a, const char *b, struct sidediff_row **rows, size_t *n)
{
	size_t na, nb;
	struct tok *ta = split_lines(a ? a : "", &na), *tb = split_lines(b ? b : "", &nb);
	unsigned char *ka = xcalloc(na + 1, 1), *kb = xcalloc(nb + 1, 1);
	lcs(ta, na, tb, nb, ka, kb);
	struct sidediff_row *r = xcalloc(na + nb + 1, sizeof *r);
	size_t k = 0, i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && ka[i] && kb[j]) {
			r[k++] = (struct sidediff_row){ (long)i++, (long)j++, 0 };
			continue;
		}
		/* a run of removed lines beside a run of added ones */
		size_t i0 = i, j0 = j;
		while (i < na && !ka[i])
			i++;
		while (j < nb && !kb[j])
			j++;
		for (size_t d = 0; d < i - i0 || d < j - j0; d++)
			r[k++] = (struct sidediff_row){ d < i - i0 ? (long)(i0 + d) : -1,
							d < j - j0 ? (long)(j0 + d) : -1, 1 };
	}
	free(ta);
	free(tb);
	free(ka);
	free(kb);
	*rows = r;
	*n = k;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static struct tok *split_words(const char *s, size_t *n)
{
	size_t cap = 16, k = 0;
	struct tok *t = xcalloc(cap, sizeof *t);
	for (const char *p = s; *p;) {
		while (*p && is_space(*p))
			p++;
		if (!*p)
			break;
		const char *q = p;
		while (*q && !is_space(*q))
			q++;
		if (k == cap)
			t = xrealloc(t, (cap *= 2) * sizeof *t);
		t[k++] = (struct tok){ p, (size_t)(q - p) };
		p = q;
	}
	*n = k;
	return t;
}

static size_t mark(const char *s, const struct tok *t, size_t n, const unsigned char *keep,
		   unsigned char **out)
{
	size_t len = strlen(s), changed = 0;
	*out = xcalloc(len + 1, 1);
	for (size_t i = 0; i < n; i++)
		if (!keep[i]) {
			memset(*out + (t[i].p - s), 1, t[i].n);
			changed++;
		}
	return changed;
}

size_t sidediff_words(const char *a, const char *b, unsigned char **ma, unsigned char **mb)
{
	a = a ? a : "";
	b = b ? b : "";
	size_t na, nb;
	struct tok *ta = split_words(a, &na), *tb = split_words(b, &nb);
	unsigned char *ka = xcalloc(na + 1, 1), *kb = xcalloc(nb + 1, 1);
	lcs(ta, na, tb, nb, ka, kb);
	size_t changed = mark(a, ta, na, ka, ma) + mark(b, tb, nb, kb, mb);
	free(ta);
	free(tb);
	free(ka);
	free(kb);
	return changed;
}

char *sidediff_message_text(const char *message_json)
{
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	cJSON *c = m ? cJSON_GetObjectItemCaseSensitive(m, "content") : NULL;
	char *blocks = cJSON_IsArray(c) ? cJSON_PrintUnformatted(c) : NULL;
	cJSON_Delete(m);
	char *t = blocks ? replay_text(blocks) : xstrdup("");
	free(blocks);
	return t;
}
