/* {{variables}} in system and message text.
 * Syntax: {{name}} or {{ name }}, name [A-Za-z_][A-Za-z0-9_]*; any other
 * {{...}} stays literal; \{{ writes a literal {{. */
#ifndef PWB_VARS_H
#define PWB_VARS_H

#include <stddef.h>

struct session;
struct diag_list;

/* Expand the variables of s in text. An undefined name is an error in
 * diags naming it and path (where it is used). used, when not NULL, has one
 * flag per s->vars entry, set for every variable referenced.
 * Returns a malloc'd string the caller frees (never NULL). */
char *vars_expand(const struct session *s, const char *text, const char *path,
		  struct diag_list *diags, unsigned char *used);

/* Call fn for every variable reference in text (name without braces, and its
 * byte offset). Returns the number of references. */
size_t vars_scan(const char *text, void (*fn)(void *ud, const char *name, size_t len,
					      size_t offset), void *ud);

/* 1 when text contains anything vars_expand would change (a reference or \{{). */
int vars_present(const char *text);

#endif
