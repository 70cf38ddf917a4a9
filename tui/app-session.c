/* The configuration in the editors: load a session into them, write their text back, the {{variables}} and validation (app.h). */
#include "tui/app.h"
#include "tui/editor.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

/* --- the configuration <-> editors --------------------------------------- */

static char *pretty_json(const char *json)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	if (!j)
		return xstrdup(json ? json : "");
	char *p = cJSON_Print(j);
	cJSON_Delete(j);
	char *out = xstrdup(p);
	cJSON_free(p);
	/* cJSON indents with tabs; two spaces read better in a pane */
	struct buf b;
	buf_init(&b, 0);
	int bol = 1;
	for (const char *s = out; *s; s++) {
		if (*s == '\t')
			buf_puts(&b, bol ? "  " : " "); /* indent, or after "key": */
		else
			buf_append(&b, s, 1);
		bol = *s == '\n' || (bol && *s == '\t');
	}
	free(out);
	return buf_take(&b);
}

static char *compact_json(const char *text, int *ok)
{
	cJSON *j = cJSON_Parse(text);
	if (!j) {
		*ok = 0;
		return NULL;
	}
	char *p = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *out = xstrdup(p);
	cJSON_free(p);
	*ok = 1;
	return out;
}

struct turn *app_turn_insert(struct app *a, size_t at, const char *role, const char *text,
			     int json)
{
	if (a->nturns == a->aturns) {
		a->aturns = a->aturns ? a->aturns * 2 : 8;
		a->turns = xrealloc(a->turns, a->aturns * sizeof *a->turns);
	}
	memmove(a->turns + at + 1, a->turns + at, (a->nturns - at) * sizeof *a->turns);
	a->nturns++;
	struct turn *t = &a->turns[at];
	memset(t, 0, sizeof *t);
	t->role = xstrdup(role);
	t->ed = textbuf_new();
	t->json = json;
	if (json) {
		char *p = pretty_json(text);
		textbuf_set_text(t->ed, p);
		free(p);
	} else {
		textbuf_set_text(t->ed, text);
	}
	t->synced_gen = (unsigned long)-1;
	return t;
}

void app_turn_remove(struct app *a, size_t at)
{
	free(a->turns[at].role);
	textbuf_free(a->turns[at].ed);
	memmove(a->turns + at, a->turns + at + 1, (a->nturns - at - 1) * sizeof *a->turns);
	a->nturns--;
}

/* --- undoable turn operations ------------------------------------------- */

enum { TURN_UNDO_MAX = 100 };

/* Changes whenever a turn's text does (a text edit since a turn operation
 * means the text's undo comes first). */
static unsigned long turn_text_gens(const struct app *a)
{
	unsigned long sum = a->nturns;
	for (size_t i = 0; i < a->nturns; i++)
		sum = sum * 31 + a->turns[i].ed->gen;
	return sum;
}

static void turn_undo_free_entry(struct turn_undo *u)
{
	if (u->kind == TU_DELETE) {
		free(u->turn.role);
		textbuf_free(u->turn.ed);
	}
}

static struct turn_undo *turn_undo_push(struct app *a, int kind, size_t i, size_t j)
{
	if (a->nturn_undo == TURN_UNDO_MAX) {
		turn_undo_free_entry(&a->turn_undo[0]);
		memmove(a->turn_undo, a->turn_undo + 1, (a->nturn_undo - 1) * sizeof *a->turn_undo);
		a->nturn_undo--;
	}
	if (a->nturn_undo == a->aturn_undo) {
		a->aturn_undo = a->aturn_undo ? a->aturn_undo * 2 : 8;
		a->turn_undo = xrealloc(a->turn_undo, a->aturn_undo * sizeof *a->turn_undo);
	}
	struct turn_undo *u = &a->turn_undo[a->nturn_undo++];
	memset(u, 0, sizeof *u);
	u->kind = kind;
	u->i = i;
	u->j = j;
	return u;
}

void app_turn_undo_clear(struct app *a)
{
	for (size_t k = 0; k < a->nturn_undo; k++)
		turn_undo_free_entry(&a->turn_undo[k]);
	free(a->turn_undo);
	a->turn_undo = NULL;
	a->nturn_undo = a->aturn_undo = 0;
}

void app_turn_delete(struct app *a, size_t at)
{
	if (at >= a->nturns)
		return;
	struct turn_undo *u = turn_undo_push(a, TU_DELETE, at, at);
	u->turn = a->turns[at];
	memmove(a->turns + at, a->turns + at + 1, (a->nturns - at - 1) * sizeof *a->turns);
	a->nturns--;
	if (a->cur_turn >= a->nturns && a->cur_turn > 0)
		a->cur_turn--;
	u->text_gens = turn_text_gens(a);
	app_changed(a);
}

static void swap_turns(struct app *a, size_t i, size_t j)
{
	struct turn tmp = a->turns[i];
	a->turns[i] = a->turns[j];
	a->turns[j] = tmp;
	a->turns[i].synced_gen = a->turns[j].synced_gen = (unsigned long)-1;
}

void app_turn_move(struct app *a, size_t i, size_t j)
{
	if (i == j || i >= a->nturns || j >= a->nturns)
		return;
	swap_turns(a, i, j);
	a->cur_turn = j;
	turn_undo_push(a, TU_MOVE, i, j)->text_gens = turn_text_gens(a);
	app_changed(a);
}

static void switch_role(struct turn *t)
{
	const char *nr = strcmp(t->role, "user") == 0 ? "assistant" : "user";
	free(t->role);
	t->role = xstrdup(nr);
	t->synced_gen = (unsigned long)-1;
}

void app_turn_switch_role(struct app *a, size_t at)
{
	if (at >= a->nturns)
		return;
	switch_role(&a->turns[at]);
	turn_undo_push(a, TU_ROLE, at, at)->text_gens = turn_text_gens(a);
	app_changed(a);
}

int app_turn_undo(struct app *a, int fresh_only)
{
	if (!a->nturn_undo)
		return 0;
	struct turn_undo *u = &a->turn_undo[a->nturn_undo - 1];
	if (fresh_only && u->text_gens != turn_text_gens(a))
		return 0;
	const char *what = "";
	switch (u->kind) {
	case TU_DELETE:
		if (u->i > a->nturns)
			u->i = a->nturns;
		if (a->nturns == a->aturns) {
			a->aturns = a->aturns ? a->aturns * 2 : 8;
			a->turns = xrealloc(a->turns, a->aturns * sizeof *a->turns);
		}
		memmove(a->turns + u->i + 1, a->turns + u->i, (a->nturns - u->i) * sizeof *a->turns);
		a->turns[u->i] = u->turn;
		a->turns[u->i].synced_gen = (unsigned long)-1;
		a->nturns++;
		u->kind = TU_MOVE; /* the turn now belongs to the list again */
		what = "deleted turn back";
		break;
	case TU_MOVE:
		if (u->i < a->nturns && u->j < a->nturns)
			swap_turns(a, u->i, u->j);
		what = "turn moved back";
		break;
	case TU_ROLE:
		if (u->i < a->nturns)
			switch_role(&a->turns[u->i]);
		what = "role switched back";
		break;
	}
	a->cur_turn = u->i < a->nturns ? u->i : a->nturns ? a->nturns - 1 : 0;
	a->nturn_undo--;
	app_changed(a);
	app_message(a, 0, "undone: %s", what);
	return 1;
}

/* --- attachments ---------------------------------------------------------- */

/* path as the preset reads it: relative to its folder when the file is
 * inside it, else absolute. malloc'd. */
static char *path_for_preset(const struct app *a, const char *path)
{
	const char *base = a->sess->base_dir;
	if (!base || !strcmp(base, "."))
		return xstrdup(path);
	char *full = realpath(path, NULL);
	char *dir = realpath(base, NULL);
	char *out = NULL;
	size_t n = dir ? strlen(dir) : 0;
	if (full && dir && !strncmp(full, dir, n) && full[n] == '/')
		out = xstrdup(full + n + 1);
	else
		out = xstrdup(full ? full : path);
	free(full);
	free(dir);
	return out;
}

void app_turn_attach(struct app *a, const char *path)
{
	if (!a->nturns || strcmp(a->turns[a->cur_turn].role, "user") != 0) {
		app_message(a, 1, "not attached: a file goes in a user turn (put the cursor in one)");
		return;
	}
	/* the first bytes say what it is; the size is checked when it is sent */
	FILE *f = fopen(path, "rbe");
	unsigned char magic[16];
	size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
	if (f)
		fclose(f);
	const char *mt = f ? request_sniff_media_type(magic, got) : NULL;
	if (!f || !mt) {
		app_message(a, 1, "not attached: %s %s", path,
			    !f ? strerror(errno) : "is not a PNG, JPEG, GIF or WebP image, nor a PDF");
		return;
	}
	int image = !strncmp(mt, "image/", 6);
	struct turn *t = &a->turns[a->cur_turn];
	char *text = textbuf_text(t->ed);
	cJSON *arr = t->json ? cJSON_Parse(text) : cJSON_CreateArray();
	if (!cJSON_IsArray(arr)) {
		app_message(a, 1, "not attached: this turn's content blocks are not valid JSON; fix them first");
		cJSON_Delete(arr);
		free(text);
		return;
	}
	if (!t->json && *text) {
		cJSON *tb = cJSON_CreateObject();
		cJSON_AddStringToObject(tb, "type", "text");
		cJSON_AddStringToObject(tb, "text", text);
		cJSON_AddItemToArray(arr, tb);
	}
	char *stored = path_for_preset(a, path);
	cJSON *blk = cJSON_CreateObject();
	cJSON_AddStringToObject(blk, "type", image ? "image" : "document");
	cJSON_AddStringToObject(blk, "path", stored);
	cJSON_AddItemToArray(arr, blk);
	char *json = cJSON_PrintUnformatted(arr);
	char *pretty = pretty_json(json);
	textbuf_set_text(t->ed, pretty);
	t->json = 1;
	t->synced_gen = (unsigned long)-1;
	app_changed(a);
	app_message(a, 0, "attached %s as %s (%s); it is read when the request is sent", stored,
		    image ? "an image" : "a document", mt);
	free(pretty);
	cJSON_free(json);
	cJSON_Delete(arr);
	free(stored);
	free(text);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void app_prompt_complete_path(struct app *a)
{
	char *typed = textbuf_text(a->prompt.ed);
	const char *slash = strrchr(typed, '/');
	char *dir = slash ? xstrndup(typed, (size_t)(slash - typed) + 1) : xstrdup("");
	const char *prefix = slash ? slash + 1 : typed;
	size_t plen = strlen(prefix);
	DIR *d = opendir(*dir ? dir : ".");
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, plen) != 0 || !strcmp(e->d_name, ".") ||
		    !strcmp(e->d_name, "..") || (!plen && e->d_name[0] == '.'))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	free(a->prompt.text);
	if (!n) {
		a->prompt.text = xasprintf("Attach (no file starts with %s): ", typed);
	} else {
		qsort(names, n, sizeof *names, cmp_names);
		/* the longest start they share */
		size_t k = strlen(names[0]);
		for (size_t i = 1; i < n; i++) {
			size_t j = 0;
			while (j < k && names[i][j] == names[0][j])
				j++;
			k = j;
		}
		char *done = xasprintf("%s%.*s", dir, (int)k, names[0]);
		struct stat st;
		int is_dir = n == 1 && stat(done, &st) == 0 && S_ISDIR(st.st_mode);
		char *line = xasprintf("%s%s", done, is_dir ? "/" : "");
		textbuf_set_text(a->prompt.ed, line);
		textbuf_cursor_end(a->prompt.ed);
		/* the question shows the choices (a message would hide under it) */
		if (n > 1) {
			struct buf list;
			buf_init(&list, 0);
			for (size_t i = 0; i < n && list.len < 60; i++)
				buf_printf(&list, "%s%s", i ? "  " : "", names[i]);
			a->prompt.text = xasprintf("Attach (%zu match: %.60s%s): ", n, buf_str(&list),
						   list.len > 60 ? "..." : "");
			buf_done(&list);
		} else {
			a->prompt.text = xstrdup(ATTACH_QUESTION);
		}
		free(line);
		free(done);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(typed);
	app_dirty(a);
}

void app_load_session(struct app *a)
{
	app_turn_undo_clear(a);
	struct session *s = a->sess;
	while (a->nturns)
		app_turn_remove(a, a->nturns - 1);
	if (!a->system_ed)
		a->system_ed = textbuf_new();
	a->system_json = s->system == NULL && s->system_blocks_json != NULL;
	if (a->system_json) {
		char *p = pretty_json(s->system_blocks_json);
		textbuf_set_text(a->system_ed, p);
		free(p);
	} else {
		textbuf_set_text(a->system_ed, s->system);
	}
	a->system_synced_gen = a->system_ed->gen;
	for (size_t i = 0; i < s->nmessages; i++) {
		struct session_message *m = &s->messages[i];
		int json = m->text == NULL && m->blocks_json != NULL;
		struct turn *t = app_turn_insert(a, a->nturns, m->role ? m->role : "user",
						 json ? m->blocks_json : m->text, json);
		t->synced_gen = t->ed->gen;
	}
	if (a->nturns == 0) {
		/* an empty session starts with one user turn to type into */
		struct turn *t = app_turn_insert(a, 0, "user", "", 0);
		(void)t;
	}
	a->cur_turn = 0;
	a->diags_stale = 1;
	app_dirty(a);
}

void app_sync(struct app *a)
{
	struct session *s = a->sess;
	if (a->system_ed->gen != a->system_synced_gen) {
		char *t = textbuf_text(a->system_ed);
		if (a->system_json) {
			int ok;
			char *c = compact_json(t, &ok);
			if (ok) {
				str_set(&s->system_blocks_json, c);
				str_set(&s->system, NULL);
			} else {
				/* kept as typed; validation reports it */
				str_set(&s->system_blocks_json, t);
			}
			free(c);
		} else {
			if (*t || s->system)
				str_set(&s->system, *t ? t : NULL);
			if (!*t)
				str_set(&s->system, NULL);
			str_set(&s->system_blocks_json, NULL);
		}
		free(t);
		a->system_synced_gen = a->system_ed->gen;
	}
	/* messages: rebuild the list only when its shape changed */
	int shape = s->nmessages != a->nturns;
	for (size_t i = 0; !shape && i < a->nturns; i++)
		shape = !str_eq(s->messages[i].role, a->turns[i].role);
	if (shape) {
		while (s->nmessages)
			session_remove_message(s, s->nmessages - 1);
		for (size_t i = 0; i < a->nturns; i++) {
			session_add_message(s, a->turns[i].role, "", NULL);
			a->turns[i].synced_gen = (unsigned long)-1;
		}
	}
	for (size_t i = 0; i < a->nturns; i++) {
		struct turn *t = &a->turns[i];
		if (t->synced_gen == t->ed->gen)
			continue;
		struct session_message *m = &s->messages[i];
		char *txt = textbuf_text(t->ed);
		if (t->json) {
			int ok;
			char *c = compact_json(txt, &ok);
			str_set(&m->blocks_json, ok ? c : txt);
			str_set(&m->text, NULL);
			free(c);
		} else {
			str_set(&m->text, txt);
			str_set(&m->blocks_json, NULL);
		}
		free(txt);
		t->synced_gen = t->ed->gen;
	}
}

static void add_varname(struct app *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->nvarnames; i++)
		if (strlen(a->varnames[i]) == len && strncmp(a->varnames[i], name, len) == 0)
			return;
	a->varnames = xrealloc(a->varnames, (a->nvarnames + 1) * sizeof *a->varnames);
	a->varnames[a->nvarnames++] = xstrndup(name, len);
}

static void on_var(void *ud, const char *name, size_t len, size_t offset)
{
	(void)offset;
	add_varname(ud, name, len);
}

/* The variables the prompts use, in order of appearance, then the ones
 * only defined. */
static void collect_varnames(struct app *a)
{
	for (size_t i = 0; i < a->nvarnames; i++)
		free(a->varnames[i]);
	a->nvarnames = 0;
	struct session *s = a->sess;
	if (s->system)
		vars_scan(s->system, on_var, a);
	if (s->system_blocks_json)
		vars_scan(s->system_blocks_json, on_var, a);
	for (size_t i = 0; i < s->nmessages; i++) {
		if (s->messages[i].text)
			vars_scan(s->messages[i].text, on_var, a);
		if (s->messages[i].blocks_json)
			vars_scan(s->messages[i].blocks_json, on_var, a);
	}
	for (size_t i = 0; i < s->nvars; i++)
		add_varname(a, s->vars[i].name, strlen(s->vars[i].name));
}

void app_validate(struct app *a)
{
	if (!a->diags_stale)
		return;
	app_sync(a);
	diag_list_done(&a->diags);
	diag_list_init(&a->diags);
	session_validate(a->sess, &a->diags);
	collect_varnames(a);
	/* JSON turns that do not parse are the TUI's own check */
	for (size_t i = 0; i < a->nturns; i++) {
		if (!a->turns[i].json || !a->sess->messages[i].blocks_json)
			continue;
		cJSON *j = cJSON_Parse(a->sess->messages[i].blocks_json);
		if (!j)
			diag_add(&a->diags, DIAG_ERROR, NULL, "messages[%zu].content: not valid JSON", i);
		cJSON_Delete(j);
	}
	a->diags_stale = 0;
}

char *app_diag_text(const struct diag *d)
{
	static const char *const required[] = { "model", "max_tokens", NULL };
	for (size_t i = 0; d->path && required[i]; i++)
		if (strcmp(d->path, required[i]) == 0 && strstr(d->message, ": missing"))
			return xasprintf("%s: missing; press %s on %s in the parameters (%s)", d->path,
					 keymap_label(ACT_FIELD_EDIT), d->path,
					 keymap_label(ACT_FOCUS_PARAMS));
	return xstrdup(d->message);
}

const struct diag *app_diag_for(struct app *a, const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < a->diags.n; i++) {
		const struct diag *d = &a->diags.v[i];
		if (d->level != DIAG_ERROR)
			continue;
		if (d->path && strncmp(d->path, prefix, n) == 0 &&
		    (d->path[n] == 0 || d->path[n] == '.' || d->path[n] == '['))
			return d;
	}
	return NULL;
}
