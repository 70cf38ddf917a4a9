/* Diagnostics: errors and warnings about a session or a preset, each with
 * the field it concerns (a path such as "messages[2].content" or
 * "thinking.budget_tokens") and, when known, a source position. The core
 * never prints; front ends print a list with diag_print. */
#ifndef PWB_DIAG_H
#define PWB_DIAG_H

#include <stdio.h>
#include <stddef.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_level level;
	char *file;    /* NULL when not from a file */
	int line, col; /* 1-based; 0 when unknown */
	char *path;    /* field path, or NULL for the whole document */
	char *message;
};

struct diag_list {
	struct diag *v;
	size_t n, alloc;
};

void diag_list_init(struct diag_list *l);
void diag_list_done(struct diag_list *l);
/* Append a diagnostic; path may be NULL. Returns the new entry (owned by the list). */
struct diag *diag_add(struct diag_list *l, enum diag_level level, const char *path,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct diag *diag_add_at(struct diag_list *l, enum diag_level level, const char *file,
			 int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
size_t diag_count(const struct diag_list *l, enum diag_level level);
/* Print "FILE:LINE:COL: error: message" (parts that are unknown are left out). */
void diag_print(FILE *out, const struct diag *d);
void diag_print_all(FILE *out, const struct diag_list *l);
/* Print only the entries of one level. */
void diag_print_level(FILE *out, const struct diag_list *l, enum diag_level level);

#endif
