#include "core/diag.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdlib.h>

void diag_list_init(struct diag_list *l)
{
	l->v = NULL;
	l->n = l->alloc = 0;
}

void diag_list_done(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].path);
		free(l->v[i].message);
	}
	free(l->v);
	diag_list_init(l);
}

static struct diag *diag_push(struct diag_list *l, enum diag_level level, char *message)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof *l->v);
	}
	struct diag *d = &l->v[l->n++];
	d->level = level;
	d->file = NULL;
	d->line = d->col = 0;
	d->path = NULL;
	d->message = message;
	return d;
}

struct diag *diag_add(struct diag_list *l, enum diag_level level, const char *path,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_push(l, level, xvasprintf(fmt, ap));
	va_end(ap);
	d->path = xstrdup(path);
	return d;
}

struct diag *diag_add_at(struct diag_list *l, enum diag_level level, const char *file,
			 int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_push(l, level, xvasprintf(fmt, ap));
	va_end(ap);
	d->file = xstrdup(file);
	d->line = line;
	d->col = col;
	return d;
}

size_t diag_count(const struct diag_list *l, enum diag_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].level == level;
	return n;
}

void diag_print(FILE *out, const struct diag *d)
{
	if (d->file) {
		fputs(d->file, out);
		if (d->line > 0)
			fprintf(out, ":%d:%d", d->line, d->col > 0 ? d->col : 1);
		fputs(": ", out);
	}
	fprintf(out, "%s: %s\n", d->level == DIAG_ERROR ? "error" : "warning", d->message);
}

void diag_print_all(FILE *out, const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		diag_print(out, &l->v[i]);
}

void diag_print_level(FILE *out, const struct diag_list *l, enum diag_level level)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].level == level)
			diag_print(out, &l->v[i]);
}
