/* Presets: the struct preset itself (its session, the positions of every
 * field in the file, what the file held), its accessors and validation.
 * Reading is preset-load.c, writing YAML preset-emit.c, saving preset-save.c. */
#include "core/preset.h"
#include "core/evalrows.h"
#include "core/testrows.h"
#include "core/preset-private.h"
#include "core/session.h"
#include "core/util.h"
#include "core/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t preset_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void preset_pos_add(struct preset *p, const char *path, int line, int col, int kline, int kcol)
{
	if (p->npos == p->apos) {
		p->apos = p->apos ? p->apos * 2 : 64;
		p->pos = xrealloc(p->pos, p->apos * sizeof *p->pos);
	}
	struct pos *e = &p->pos[p->npos++];
	e->path = xstrdup(path);
	e->line = line;
	e->col = col;
	e->kline = kline ? kline : line;
	e->kcol = kline ? kcol : col;
}

void preset_pos_clear(struct preset *p)
{
	for (size_t i = 0; i < p->npos; i++)
		free(p->pos[i].path);
	free(p->pos);
	p->pos = NULL;
	p->npos = p->apos = 0;
}

/* Position of path, or of its nearest known parent ("a.b[2].c" -> "a.b[2]"
 * -> "a.b" -> "a"); the document start when nothing matches. */
int preset_pos_locate(void *ud, const char *path, int key, int *line, int *col)
{
	struct preset *p = ud;
	char *q = xstrdup(path ? path : "");
	int found = 0;
	while (*q) {
		for (size_t i = 0; i < p->npos; i++)
			if (strcmp(p->pos[i].path, q) == 0) {
				*line = key ? p->pos[i].kline : p->pos[i].line;
				*col = key ? p->pos[i].kcol : p->pos[i].col;
				found = 1;
				break;
			}
		if (found)
			break;
		/* a parent reached this way is the container: its key is better */
		key = 1;
		char *dot = strrchr(q, '.'), *br = strrchr(q, '[');
		char *cut = dot > br ? dot : br;
		if (!cut)
			break;
		*cut = '\0';
	}
	free(q);
	if (!found) {
		*line = 1;
		*col = 1;
	}
	return found;
}

struct preset *preset_new(void)
{
	struct preset *p = xcalloc(1, sizeof *p);
	p->s = session_new();
	return p;
}

/* dst's variables become a copy of src's. */
static void copy_vars(struct session *dst, const struct session *src)
{
	while (dst->nvars)
		session_remove_var(dst, dst->vars[dst->nvars - 1].name);
	for (size_t i = 0; src && i < src->nvars; i++)
		session_set_var(dst, src->vars[i].name, src->vars[i].value);
}

void preset_remember_file_vars(struct preset *p)
{
	if (!p->file_vars)
		p->file_vars = session_new();
	copy_vars(p->file_vars, p->s);
}

void preset_restore_file_vars(struct preset *p)
{
	if (p->file_vars) /* a new preset has no file to go back to */
		copy_vars(p->s, p->file_vars);
}

void preset_free(struct preset *p)
{
	if (!p)
		return;
	session_free(p->s);
	session_free(p->file_vars);
	free(p->path);
	free(p->name);
	preset_pos_clear(p);
	free(p);
}

struct session *preset_session(struct preset *p)
{
	return p->s;
}

const char *preset_path(const struct preset *p)
{
	return p->path;
}

const char *preset_name(const struct preset *p)
{
	return p->name;
}

int preset_locate(const struct preset *p, const char *path, int key, int *line, int *col)
{
	return preset_pos_locate((void *)p, path, key, line, col);
}

int preset_locate_value(void *ud, const char *path, int *line, int *col)
{
	return preset_pos_locate(ud, path, 0, line, col);
}

int preset_had_comments(const struct preset *p)
{
	return p->had_comments;
}


/* ---------------------------------------------------------------- */
/* validation */

void preset_validate(struct preset *p, struct diag_list *diags)
{
	validate_run(p->s, p->name, preset_pos_locate, p, diags);
	if (p->s->tests_json) {
		/* the rows: their shape, assertions, and the variables each gives */
		struct testrows *rows = evalrows_load(p, NULL, diags);
		if (rows)
			evalrows_check(rows, p->s, diags);
		testrows_free(rows);
	}
}

void session_validate(const struct session *s, struct diag_list *diags)
{
	validate_run(s, NULL, NULL, NULL, diags);
}
