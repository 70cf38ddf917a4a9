#include "core/csvedit.h"
#include "core/buf.h"
#include "core/util.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct record {
	char **cells;
	size_t n;
};

struct csvedit {
	struct record *r;    /* r[0] is the header */
	size_t n, cap;
	const char *eol;     /* "\r\n" or "\n", as the file's first line */
	int bom;             /* the file started with a UTF-8 byte order mark */
	struct record cur;   /* while parsing */
};

static void on_cell(void *s, size_t len, void *ud)
{
	struct csvedit *c = ud;
	c->cur.cells = xrealloc(c->cur.cells, (c->cur.n + 1) * sizeof *c->cur.cells);
	c->cur.cells[c->cur.n++] = xstrndup(s ? s : "", len);
}

static void on_record(int ch, void *ud)
{
	(void)ch;
	struct csvedit *c = ud;
	if (c->n == c->cap)
		c->r = xrealloc(c->r, (c->cap = c->cap ? c->cap * 2 : 16) * sizeof *c->r);
	c->r[c->n++] = c->cur;
	c->cur.cells = NULL;
	c->cur.n = 0;
}

static int no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

struct csvedit *csvedit_parse(const char *data, size_t len, char **error)
{
	struct csvedit *c = xcalloc(1, sizeof *c);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		c->bom = 1;
		data += 3;
		len -= 3;
	}
	const char *nl = memchr(data, '\n', len);
	c->eol = nl && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
	struct csv_parser p;
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		abort();
	csv_set_space_func(&p, no_space);
	int ok = csv_parse(&p, data, len, on_cell, on_record, c) == len;
	if (ok)
		csv_fini(&p, on_cell, on_record, c);
	csv_free(&p);
	if (!ok || !c->n) {
		*error = xstrdup(ok ? "the CSV file has no header row" : "the CSV file cannot be read");
		csvedit_free(c);
		return NULL;
	}
	return c;
}

static void record_free(struct record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cells[i]);
	free(r->cells);
}

void csvedit_free(struct csvedit *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		record_free(&c->r[i]);
	record_free(&c->cur);
	free(c->r);
	free(c);
}

size_t csvedit_rows(const struct csvedit *c)
{
	return c->n - 1;
}

/* Cells up to n (short records padded with ""). */
static void widen(struct record *r, size_t n)
{
	if (r->n >= n)
		return;
	r->cells = xrealloc(r->cells, n * sizeof *r->cells);
	while (r->n < n)
		r->cells[r->n++] = xstrdup("");
}

void csvedit_set(struct csvedit *c, size_t row, const char *name, const char *value)
{
	if (row + 1 >= c->n)
		return;
	struct record *h = &c->r[0];
	size_t col = 0;
	while (col < h->n && strcmp(h->cells[col], name) != 0)
		col++;
	if (col == h->n) {
		widen(h, col + 1);
		free(h->cells[col]);
		h->cells[col] = xstrdup(name);
	}
	struct record *r = &c->r[row + 1];
	widen(r, col + 1);
	free(r->cells[col]);
	r->cells[col] = xstrdup(value);
}

void csvedit_insert(struct csvedit *c, size_t at)
{
	if (at > c->n - 1)
		at = c->n - 1;
	if (c->n == c->cap)
		c->r = xrealloc(c->r, (c->cap *= 2) * sizeof *c->r);
	memmove(&c->r[at + 2], &c->r[at + 1], (c->n - at - 1) * sizeof *c->r);
	c->r[at + 1] = (struct record){ 0 };
	widen(&c->r[at + 1], c->r[0].n);
	c->n++;
}

void csvedit_delete(struct csvedit *c, size_t row)
{
	if (row + 1 >= c->n)
		return;
	record_free(&c->r[row + 1]);
	memmove(&c->r[row + 1], &c->r[row + 2], (c->n - row - 2) * sizeof *c->r);
	c->n--;
}

static void field(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '))) {
		buf_puts(b, "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				buf_puts(b, "\"");
			buf_append(b, p, 1);
		}
		buf_puts(b, "\"");
	} else {
		buf_puts(b, s);
	}
}

char *csvedit_emit(const struct csvedit *c)
{
	struct buf b;
	buf_init(&b, 0);
	if (c->bom)
		buf_puts(&b, "\xEF\xBB\xBF");
	for (size_t i = 0; i < c->n; i++) {
		/* every record as wide as the header, so columns stay aligned */
		size_t n = c->r[i].n > c->r[0].n ? c->r[i].n : c->r[0].n;
		size_t start = b.len;
		for (size_t k = 0; k < n; k++) {
			if (k)
				buf_puts(&b, ",");
			field(&b, k < c->r[i].n ? c->r[i].cells[k] : "");
		}
		if (b.len == start)
			buf_puts(&b, "\"\""); /* an empty line would be no record */
		buf_puts(&b, c->eol);
	}
	return buf_take(&b);
}
