/* The parameters pane: one row per request field (and pwb's own: api
 * version, betas, name, budget) in order of use: model, max_tokens,
 * temperature, thinking, the {{variables}} with their values, the rest,
 * and the rarely used request fields folded under one "more" row that
 * expands in place. A one-line value is edited in place; a variable's value
 * and the structured fields (JSON, pretty-printed) open a multi-line editor
 * under their row (Enter: a new line, field-accept: done; $EDITOR works on
 * it too). The session is validated after every change and every error of
 * a field is listed under it, wrapped, never clamped nor cut. */
#include "tui/pane-params.h"
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/cost.h"
#include "core/session.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

enum row_kind { R_MODEL, R_NUM, R_STOP, R_JSON, R_API_VERSION, R_BETAS, R_NAME, R_DESC, R_BUDGET,
		R_VARS_HEADER, R_VAR, R_MORE };

struct row {
	enum row_kind kind;
	char label[128]; /* a copy: validation replaces app->varnames */
	char **slot;     /* R_NUM, R_JSON, R_NAME... */
	size_t var;      /* R_VAR: index into app->varnames */
	int folded;      /* under the "more" row */
};

struct params {
	size_t sel, top;
	struct textbuf *field; /* non-NULL while a row is edited */
	size_t editing;
	int multiline;         /* the field is a multi-line editor under its row */
	char *field_error;     /* why the edited text was not taken (JSON syntax) */
	int more_open;         /* the folded rows are shown */
	const struct preset *seen; /* the preset the rows and scroll belong to */
	struct row *rows;
	size_t nrows, arows;
	/* which rows sel and editing are, by kind and label: the variables
	 * found by validation come and go, so indexes alone would drift */
	struct row_id {
		int set;
		enum row_kind kind;
		char label[128];
	} sel_id, edit_id;
};

/* The request fields few presets use, folded under "more". */
static const char *const folded_fields[] = {
	"metadata", "service_tier", "container", "inference_geo", "speed", "diagnostics",
	"output_config", NULL,
};

static int is_folded(const char *name)
{
	for (size_t i = 0; folded_fields[i]; i++)
		if (strcmp(folded_fields[i], name) == 0)
			return 1;
	return 0;
}

static void add_row(struct params *p, enum row_kind k, const char *label, char **slot, size_t var,
		    int folded)
{
	if (p->nrows == p->arows) {
		p->arows = p->arows ? p->arows * 2 : 32;
		p->rows = xrealloc(p->rows, p->arows * sizeof *p->rows);
	}
	struct row *r = &p->rows[p->nrows++];
	r->kind = k;
	snprintf(r->label, sizeof r->label, "%s", label);
	r->slot = slot;
	r->var = var;
	r->folded = folded;
}

static void stop_edit(struct params *p)
{
	textbuf_free(p->field);
	p->field = NULL;
	p->multiline = 0;
	free(p->field_error);
	p->field_error = NULL;
}

static void id_of(const struct row *r, struct row_id *id)
{
	id->set = 1;
	id->kind = r->kind;
	snprintf(id->label, sizeof id->label, "%s", r->label);
}

static size_t find_row(const struct params *p, const struct row_id *id)
{
	for (size_t k = 0; k < p->nrows; k++)
		if (p->rows[k].kind == id->kind && strcmp(p->rows[k].label, id->label) == 0)
			return k;
	return (size_t)-1;
}

/* Note which rows sel and editing are (after anything that moves them). */
static void remember(struct params *p)
{
	p->sel_id.set = p->edit_id.set = 0;
	if (p->sel < p->nrows)
		id_of(&p->rows[p->sel], &p->sel_id);
	if (p->field && p->editing < p->nrows)
		id_of(&p->rows[p->editing], &p->edit_id);
}

/* Rows are rebuilt on each use: cheap (a few dozen) and always in step
 * with the session and the variables found. Another preset starts at the
 * top with "more" folded. */
static void build_rows(struct app *a, struct params *p)
{
	if (p->seen != a->preset) {
		p->seen = a->preset;
		stop_edit(p);
		p->sel = p->top = 0;
		p->more_open = 0;
		p->sel_id.set = p->edit_id.set = 0;
		/* the variable rows come from validation: have them from the
		 * first key on */
		app_validate(a);
	}
	struct session *s = a->sess;
	p->nrows = 0;
	add_row(p, R_MODEL, "model", &s->model, 0, 0);
	add_row(p, R_NUM, "max_tokens", &s->max_tokens, 0, 0);
	add_row(p, R_NUM, "temperature", &s->temperature, 0, 0);
	add_row(p, R_JSON, "thinking", session_json_slot(s, "thinking"), 0, 0);
	add_row(p, R_VARS_HEADER, "variables", NULL, 0, 0);
	for (size_t i = 0; i < a->nvarnames; i++)
		add_row(p, R_VAR, a->varnames[i], NULL, i, 0);
	add_row(p, R_NUM, "top_p", &s->top_p, 0, 0);
	add_row(p, R_NUM, "top_k", &s->top_k, 0, 0);
	add_row(p, R_STOP, "stop_sequences", NULL, 0, 0);
	for (size_t i = 0; session_json_field_names[i]; i++) {
		const char *f = session_json_field_names[i];
		if (strcmp(f, "thinking") != 0 && !is_folded(f))
			add_row(p, R_JSON, f, session_json_slot(s, f), 0, 0);
	}
	add_row(p, R_API_VERSION, "api_version", &s->api_version, 0, 0);
	add_row(p, R_BETAS, "betas", NULL, 0, 0);
	add_row(p, R_NAME, "name", &s->name, 0, 0);
	add_row(p, R_DESC, "description", &s->description, 0, 0);
	add_row(p, R_BUDGET, "budget (USD)", NULL, 0, 0);
	add_row(p, R_MORE, "more", NULL, 0, 0);
	if (p->more_open)
		for (size_t i = 0; folded_fields[i]; i++)
			add_row(p, R_JSON, folded_fields[i], session_json_slot(s, folded_fields[i]), 0, 1);
	/* the same rows as before, wherever they are now */
	size_t k;
	if (p->sel_id.set && (k = find_row(p, &p->sel_id)) != (size_t)-1)
		p->sel = k;
	if (p->field && p->edit_id.set) {
		if ((k = find_row(p, &p->edit_id)) != (size_t)-1)
			p->editing = k;
		else
			stop_edit(p); /* its variable is gone from the prompts */
	}
	if (p->sel >= p->nrows)
		p->sel = p->nrows - 1;
	remember(p);
}

static char *strlist_json(const struct strlist *l)
{
	if (!l->set)
		return NULL;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->v[i]));
	char *p = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	char *out = xstrdup(p);
	cJSON_free(p);
	return out;
}

static char *betas_text(const struct strlist *l)
{
	if (!l->set)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
	return buf_take(&b);
}

/* The row's value as text (malloc'd) or NULL when unset. */
static char *row_value(struct app *a, const struct row *r)
{
	switch (r->kind) {
	case R_STOP:
		return strlist_json(&a->sess->stop_sequences);
	case R_BETAS:
		return betas_text(&a->sess->betas);
	case R_BUDGET:
		return a->budget >= 0 ? xasprintf("%s", a->budget_text ? a->budget_text : "") : NULL;
	case R_VAR: {
		const char *v = session_get_var(a->sess, a->varnames[r->var]);
		return v ? xstrdup(v) : NULL;
	}
	case R_VARS_HEADER:
	case R_MORE:
		return NULL;
	default:
		return r->slot && *r->slot ? xstrdup(*r->slot) : NULL;
	}
}

static const char *row_path(const struct row *r)
{
	switch (r->kind) {
	case R_STOP: return "stop_sequences";
	case R_BETAS: return "betas";
	case R_VAR: case R_VARS_HEADER: case R_MORE: return NULL;
	default: return r->label;
	}
}

static int multiline_kind(enum row_kind k)
{
	return k == R_VAR || k == R_JSON;
}

/* Whether diagnostic d is about the field at path. */
static int diag_is_for(const struct diag *d, const char *path)
{
	size_t n = strlen(path);
	return d->level == DIAG_ERROR && d->path && strncmp(d->path, path, n) == 0 &&
	       (d->path[n] == 0 || d->path[n] == '.' || d->path[n] == '[');
}

/* The error messages listed under row r (malloc'd, NULL-terminated; the
 * caller frees each and the vector), or NULL when none. The "more" row,
 * folded, lists the errors of the fields it hides. */
static char **row_errors(struct app *a, const struct params *p, const struct row *r)
{
	const char *paths[16];
	size_t np = 0;
	if (r->kind == R_MORE) {
		if (p->more_open)
			return NULL;
		for (size_t i = 0; folded_fields[i]; i++)
			paths[np++] = folded_fields[i];
	} else if (row_path(r)) {
		paths[np++] = row_path(r);
	}
	char **v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < a->diags.n; i++) {
		const struct diag *d = &a->diags.v[i];
		for (size_t k = 0; k < np; k++) {
			if (!diag_is_for(d, paths[k]))
				continue;
			/* the message often starts with the field name: once is
			 * enough, except under "more" where it says which */
			char *dt = app_diag_text(d);
			const char *m = dt;
			size_t pl = strlen(paths[k]);
			if (r->kind != R_MORE && strncmp(m, paths[k], pl) == 0 && m[pl] == ':')
				m += pl + 1 + (m[pl + 1] == ' ');
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = xasprintf("\u2717 %s", m);
			v[n] = NULL;
			free(dt);
			break;
		}
	}
	return v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void row_label(const struct row *row, char *out, size_t n)
{
	if (row->kind == R_VAR)
		snprintf(out, n, "  {{%s}}", row->label);
	else if (row->folded)
		snprintf(out, n, "  %s", row->label);
	else
		snprintf(out, n, "%s", row->label);
}

/* The value column: after the longest label, at most half the pane. */
static int label_width(struct app *a, const struct params *p, int w)
{
	(void)a;
	int lw = 15;
	for (size_t k = 0; k < p->nrows; k++) {
		char label[96];
		if (p->rows[k].kind == R_VARS_HEADER)
			continue;
		row_label(&p->rows[k], label, sizeof label);
		int lw1 = textwrap_width(label, strlen(label)) + 1;
		if (lw1 > lw)
			lw = lw1;
	}
	return lw > w / 2 ? w / 2 : lw;
}

/* Error lines are drawn from this column, wrapped at the pane's width. */
enum { ERR_INDENT = 2 };

static size_t wrapped_rows(const char *s, int w)
{
	const size_t *st;
	return textwrap_rows(s, strlen(s), w, &st);
}

/* The multi-line editor's height: its lines and one more, at least 3,
 * at most what the pane has under the row. */
static int box_height(const struct params *p, int pane_h)
{
	int want = (int)p->field->nlines + 1;
	if (want < 3)
		want = 3;
	if (want > pane_h - 1)
		want = pane_h - 1;
	return want < 1 ? 1 : want;
}

/* Screen rows row k takes at width w in a pane of height h. */
static int row_height(struct app *a, struct params *p, size_t k, int w, int h)
{
	const struct row *r = &p->rows[k];
	int n = 1;
	int ew = w - ERR_INDENT > 1 ? w - ERR_INDENT : 1;
	if (p->field && k == p->editing) {
		if (p->multiline)
			n += box_height(p, h);
		if (p->field_error)
			n += (int)wrapped_rows(p->field_error, ew);
		return n;
	}
	char **errs = row_errors(a, p, r);
	for (size_t i = 0; errs && errs[i]; i++)
		n += (int)wrapped_rows(errs[i], ew);
	free_strv(errs);
	return n;
}

/* Draw s wrapped from column ERR_INDENT, from screen row y, at most
 * ymax - y rows. Returns the rows drawn. */
static int draw_wrapped(const char *s, int attr, int y, int ymax, int x, int w)
{
	const size_t *st;
	size_t len = strlen(s);
	int ew = w - ERR_INDENT > 1 ? w - ERR_INDENT : 1;
	size_t n = textwrap_rows(s, len, ew, &st);
	/* keep the starts: text_draw does not wrap, but copy to be safe */
	size_t *starts = xmalloc(n * sizeof *starts);
	memcpy(starts, st, n * sizeof *starts);
	int drawn = 0;
	for (size_t i = 0; i < n && y + drawn < ymax; i++, drawn++) {
		size_t b = starts[i], e = i + 1 < n ? starts[i + 1] : len;
		text_draw(y + drawn, x, ERR_INDENT, "", 0, 0);
		text_draw(y + drawn, x + ERR_INDENT, ew, s + b, e - b, attr);
	}
	free(starts);
	return drawn;
}

/* The value as shown on the row: its first line, and how many more. */
static void value_line(const struct row *row, const char *val, char *out, size_t n)
{
	if (!val) {
		snprintf(out, n, "%s", row->kind == R_VAR ? "(undefined)" : "-");
		return;
	}
	size_t first = strcspn(val, "\n");
	size_t more = 0;
	for (const char *q = val + first; *q; q++)
		more += *q == '\n';
	if (!more)
		snprintf(out, n, "%s", val);
	else
		snprintf(out, n, "%.*s  \u2026 +%zu line%s", (int)first, val, more, more == 1 ? "" : "s");
}

/* The "more" row: folded, which of its fields are set. */
static void more_line(struct app *a, const struct params *p, char *out, size_t n)
{
	size_t k = (size_t)snprintf(out, n, "%s", p->more_open ? "\u25be " : "\u25b8 ");
	size_t set = 0;
	for (size_t i = 0; folded_fields[i] && k < n; i++) {
		char **slot = session_json_slot(a->sess, folded_fields[i]);
		if (slot && *slot)
			k += (size_t)snprintf(out + k, n - k, "%s%s", set++ ? ", " : "set: ", folded_fields[i]);
	}
	if (!set && k < n)
		snprintf(out + k, n - k, "%s", p->more_open ? "" : "metadata, service_tier, container, "
				      "inference_geo, speed, diagnostics, output_config");
}

/* Keep the selected row in view and the view inside the rows. */
static void scroll_to_sel(struct app *a, struct params *p, int w, int h)
{
	if (p->sel < p->top)
		p->top = p->sel;
	for (;;) {
		int used = 0;
		for (size_t k = p->top; k <= p->sel; k++)
			used += row_height(a, p, k, w, h);
		if (used <= h || p->top >= p->sel)
			break;
		p->top++;
	}
	/* no empty rows at the bottom while rows above are hidden */
	while (p->top > 0) {
		int used = 0;
		for (size_t k = p->top - 1; k < p->nrows && used <= h; k++)
			used += row_height(a, p, k, w, h);
		if (used > h)
			break;
		p->top--;
	}
}

static void params_draw(struct app *a, struct pane *pn, struct rect r, int focused)
{
	struct params *p = pn->priv;
	/* diagnostics as of the last validation (the loop refreshes them once
	 * typing pauses; a committed field validates at once) */
	build_rows(a, p);
	if (r.h <= 0 || r.w <= 0)
		return;
	scroll_to_sel(a, p, r.w, r.h);
	int cur_y = -1, cur_x = -1;
	int y = r.y, ymax = r.y + r.h;
	for (size_t k = p->top; k < p->nrows && y < ymax; k++) {
		const struct row *row = &p->rows[k];
		int sel = focused && k == p->sel;
		char label[96];
		if (row->kind == R_VARS_HEADER) {
			snprintf(label, sizeof label, "{{variables}}%s",
				 a->nvarnames ? "" : "  (none in the prompts)");
			text_draw(y++, r.x, r.w, label, strlen(label), LA_META);
			continue;
		}
		row_label(row, label, sizeof label);
		int lcol = label_width(a, p, r.w);
		text_draw(y, r.x, lcol, label, strlen(label), sel ? LA_BOLD : 0);
		if (sel)
			mvchgat(y, r.x, lcol - 1 > 0 ? lcol - 1 : 1, A_REVERSE | A_BOLD, 0, NULL);
		int vx = r.x + lcol, vw = r.w - lcol;
		if (p->field && k == p->editing) {
			if (!p->multiline) {
				if (vw > 0)
					editor_draw(p->field, y, vx, 1, vw, 1, 0, &cur_y, &cur_x);
				y++;
			} else {
				char hint[160];
				snprintf(hint, sizeof hint, "editing: %s new line, %s accepts, %s cancels",
					 keymap_label(ACT_NEWLINE), keymap_label(ACT_FIELD_ACCEPT),
					 keymap_label(ACT_CLOSE));
				if (vw > 0)
					text_draw(y, vx, vw, hint, strlen(hint), LA_DIM);
				y++;
				int bh = box_height(p, r.h);
				if (bh > ymax - y)
					bh = ymax - y;
				if (bh > 0) {
					for (int i = 0; i < bh; i++)
						text_draw(y + i, r.x, ERR_INDENT, "", 0, 0);
					editor_draw(p->field, y, r.x + ERR_INDENT, bh, r.w - ERR_INDENT, 1, 0,
						    &cur_y, &cur_x);
					y += bh;
				}
			}
			if (p->field_error && y < ymax)
				y += draw_wrapped(p->field_error, LA_ERROR, y, ymax, r.x, r.w);
			continue;
		}
		char line[1024];
		int attr;
		char *val = NULL;
		if (row->kind == R_MORE) {
			more_line(a, p, line, sizeof line);
			attr = LA_DIM;
		} else {
			val = row_value(a, row);
			value_line(row, val, line, sizeof line);
			attr = val ? 0 : (row->kind == R_VAR ? LA_ERROR : LA_DIM);
		}
		/* the reasons, whole, under the row */
		char **errs = row_errors(a, p, row);
		if (errs && row->kind != R_MORE)
			attr = LA_ERROR;
		if (vw > 0)
			text_draw(y, vx, vw, line, strlen(line), attr);
		y++;
		for (size_t i = 0; errs && errs[i] && y < ymax; i++)
			y += draw_wrapped(errs[i], LA_ERROR, y, ymax, r.x, r.w);
		free_strv(errs);
		free(val);
	}
	for (; y < ymax; y++)
		text_draw(y, r.x, r.w, "", 0, 0);
	if (cur_y >= 0)
		move(cur_y, cur_x);
}

/* JSON pretty-printed with two-space indentation (malloc'd), or NULL when
 * json does not parse. */
static char *pretty_json(const char *json)
{
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return NULL;
	char *p = cJSON_Print(j);
	cJSON_Delete(j);
	struct buf b;
	buf_init(&b, 0);
	int bol = 1;
	for (const char *s = p; *s; s++) {
		if (*s == '\t')
			buf_puts(&b, bol ? "  " : " ");
		else
			buf_append(&b, s, 1);
		bol = *s == '\n' || (bol && *s == '\t');
	}
	cJSON_free(p);
	return buf_take(&b);
}

static void start_edit(struct app *a, struct params *p, int free_text)
{
	const struct row *row = &p->rows[p->sel];
	if (row->kind == R_VARS_HEADER)
		return;
	if (row->kind == R_MORE) {
		/* opened: the row goes to the top so what it shows is in view */
		p->more_open = !p->more_open;
		if (p->more_open)
			p->top = p->sel;
		return;
	}
	if (row->kind == R_MODEL && !free_text) {
		app_open_view(a, VIEW_MODEL);
		return;
	}
	char *val = row_value(a, row);
	p->field = textbuf_new();
	p->multiline = multiline_kind(row->kind);
	p->field->single_line = !p->multiline;
	char *pretty = row->kind == R_JSON && val ? pretty_json(val) : NULL;
	textbuf_set_text(p->field, pretty ? pretty : val);
	textbuf_cursor_end(p->field);
	p->editing = p->sel;
	free(pretty);
	free(val);
	if (p->multiline)
		app_message(a, 0, "editing %s: %s accepts, %s cancels, %s opens $EDITOR; empty unsets",
			    row->label, keymap_label(ACT_FIELD_ACCEPT), keymap_label(ACT_CLOSE),
			    keymap_label(ACT_EXTERNAL_EDITOR));
	else
		app_message(a, 0, "editing %s: %s accepts, %s cancels; empty unsets", row->label,
			    keymap_label(ACT_NEWLINE), keymap_label(ACT_CLOSE));
}

/* Where cJSON stopped in t, as "line L, column C". */
static char *json_error_at(const char *t)
{
	const char *e = cJSON_GetErrorPtr();
	if (!e || e < t || e > t + strlen(t))
		return xstrdup("not valid JSON");
	int line = 1, col = 1;
	for (const char *q = t; q < e; q++) {
		if (*q == '\n')
			line++, col = 1;
		else
			col++;
	}
	return xasprintf("not valid JSON: line %d, column %d", line, col);
}

/* Store the edited text; returns 0, or -1 (stay in the field) with a message. */
static int commit(struct app *a, struct params *p)
{
	const struct row *row = &p->rows[p->editing];
	char *t = textbuf_text(p->field);
	/* the rows are rebuilt after validation: keep the label */
	char *label = xstrdup(row->label);
	int rc = 0;
	free(p->field_error);
	p->field_error = NULL;
	switch (row->kind) {
	case R_STOP:
		if (!*t) {
			strlist_clear(&a->sess->stop_sequences);
			break;
		}
		{
			cJSON *j = cJSON_Parse(t);
			int ok = j && cJSON_IsArray(j);
			for (cJSON *it = ok ? j->child : NULL; it; it = it->next)
				ok &= cJSON_IsString(it);
			if (!ok) {
				app_message(a, 1, "stop_sequences: write a JSON array of strings, e.g. [\"\\n\\nEND\"]");
				rc = -1;
			} else {
				strlist_clear(&a->sess->stop_sequences);
				a->sess->stop_sequences.set = 1;
				for (cJSON *it = j->child; it; it = it->next)
					strlist_push(&a->sess->stop_sequences, it->valuestring);
			}
			cJSON_Delete(j);
		}
		break;
	case R_BETAS:
		strlist_clear(&a->sess->betas);
		if (*t) {
			a->sess->betas.set = 1;
			for (char *tok = strtok(t, ", "); tok; tok = strtok(NULL, ", "))
				strlist_push(&a->sess->betas, tok);
		}
		break;
	case R_BUDGET:
		if (!*t) {
			a->budget = -1;
			str_set(&a->budget_text, NULL);
			break;
		}
		{
			char *end;
			double v = strtod(t, &end);
			if (end == t || *end || v < 0) {
				app_message(a, 1, "budget: write an amount in USD, e.g. 0.50");
				rc = -1;
			} else {
				a->budget = v;
				str_set(&a->budget_text, t);
			}
		}
		break;
	case R_VAR:
		session_set_var(a->sess, a->varnames[row->var], t);
		break;
	case R_JSON: {
		/* text that does not parse stays in the editor, with where */
		cJSON *j = *t ? cJSON_Parse(t) : NULL;
		if (*t && !j) {
			char *why = json_error_at(t);
			p->field_error = xasprintf("\u2717 %s", why);
			app_message(a, 1, "%s: %s; fix it, or %s cancels", label, why,
				    keymap_label(ACT_CLOSE));
			free(why);
			rc = -1;
			break;
		}
		if (j) {
			char *c = cJSON_PrintUnformatted(j);
			str_set(row->slot, c);
			cJSON_free(c);
			cJSON_Delete(j);
		} else {
			str_set(row->slot, NULL);
		}
		break;
	}
	default:
		str_set(row->slot, *t ? t : NULL);
	}
	free(t);
	if (rc == 0) {
		app_changed(a);
		app_validate(a);
		const char *path = row_path(row);
		size_t nerr = 0;
		const struct diag *first = NULL;
		for (size_t i = 0; path && i < a->diags.n; i++)
			if (diag_is_for(&a->diags.v[i], path) && !nerr++)
				first = &a->diags.v[i];
		if (nerr > 1)
			app_message(a, 1, "%s: %zu problems, listed under the field", path, nerr);
		else if (first && strncmp(first->message, path, strlen(path)) == 0)
			app_message(a, 1, "%s", first->message);
		else if (first)
			app_message(a, 1, "%s: %s", path, first->message);
		else
			app_message(a, 0, "%s set", label);
	}
	free(label);
	return rc;
}

static int params_action_in(struct app *a, struct pane *pn, enum action act)
{
	struct params *p = pn->priv;
	build_rows(a, p);
	if (p->field) {
		switch (act) {
		case ACT_NEWLINE:
			if (p->multiline) {
				editor_action(p->field, act, 1);
				return 1;
			}
			/* fall through - a one-line field is done */
		case ACT_FIELD_ACCEPT:
			if (commit(a, p) == 0)
				stop_edit(p);
			return 1;
		case ACT_CLOSE:
			stop_edit(p);
			app_message(a, 0, "unchanged");
			return 1;
		case ACT_NEXT_PANE:
		case ACT_PREV_PANE:
		case ACT_RUN:
		case ACT_SAVE:
			if (commit(a, p) != 0)
				return 1;
			stop_edit(p);
			return 0;
		case ACT_EXTERNAL_EDITOR:
			return 0;
		default:
			if (action_scope(act) == SCOPE_TEXT) {
				int page = pn->r.h > 3 ? pn->r.h - 3 : 1;
				editor_action(p->field, act, p->multiline ? page : 1);
				return 1;
			}
			return 0;
		}
	}
	switch (act) {
	case ACT_SCROLL_UP:
		if (p->sel > 0)
			p->sel--;
		if (p->rows[p->sel].kind == R_VARS_HEADER && p->sel > 0)
			p->sel--;
		return 1;
	case ACT_SCROLL_DOWN:
		if (p->sel + 1 < p->nrows)
			p->sel++;
		if (p->rows[p->sel].kind == R_VARS_HEADER && p->sel + 1 < p->nrows)
			p->sel++;
		return 1;
	case ACT_SCROLL_PAGE_UP:
		p->sel = p->sel > (size_t)pn->r.h ? p->sel - (size_t)pn->r.h : 0;
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		p->sel += (size_t)pn->r.h;
		if (p->sel >= p->nrows)
			p->sel = p->nrows - 1;
		return 1;
	case ACT_SCROLL_TOP:
		p->sel = 0;
		return 1;
	case ACT_SCROLL_BOTTOM:
		p->sel = p->nrows - 1;
		return 1;
	case ACT_FIELD_EDIT:
		start_edit(a, p, 0);
		return 1;
	case ACT_FIELD_CLEAR: {
		enum row_kind k = p->rows[p->sel].kind;
		if (k == R_VARS_HEADER || k == R_MORE)
			return 1;
		p->editing = p->sel;
		p->field = textbuf_new();
		commit(a, p);
		stop_edit(p);
		return 1;
	}
	case ACT_CLOSE:
		return 1;
	default:
		return 0;
	}
}

static void params_text_in(struct app *a, struct pane *pn, const char *s, size_t n)
{
	struct params *p = pn->priv;
	build_rows(a, p);
	if (!p->field) {
		/* a paste on a row edits it (a multi-line value keeps its
		 * newlines); single keys are commands here */
		if (n == 1) {
			app_message(a, 0, "%s edits the selected parameter", keymap_label(ACT_FIELD_EDIT));
			return;
		}
		enum row_kind k = p->rows[p->sel].kind;
		if (k == R_MODEL || k == R_VARS_HEADER || k == R_MORE)
			return;
		start_edit(a, p, 0);
		textbuf_set_text(p->field, "");
	}
	textbuf_insert(p->field, s, n);
}

static int params_action(struct app *a, struct pane *pn, enum action act)
{
	int r = params_action_in(a, pn, act);
	remember(pn->priv);
	return r;
}

static void params_text(struct app *a, struct pane *pn, const char *s, size_t n)
{
	params_text_in(a, pn, s, n);
	remember(pn->priv);
}

static struct textbuf *params_editor(struct app *a, struct pane *pn)
{
	(void)a;
	struct params *p = pn->priv;
	return p->field;
}

static enum key_chain params_chain(struct app *a, struct pane *pn)
{
	(void)a;
	struct params *p = pn->priv;
	return p->field ? CHAIN_FIELD : CHAIN_PARAMS;
}

static void params_free(struct app *a, struct pane *pn)
{
	(void)a;
	struct params *p = pn->priv;
	if (!p)
		return;
	stop_edit(p);
	free(p->rows);
}

void pane_params_edit_model(struct app *a, struct pane *pn)
{
	struct params *p = pn->priv;
	build_rows(a, p);
	p->sel = 0;
	start_edit(a, p, 1);
	remember(p);
}

const struct pane_ops pane_params_ops = {
	.name = "Parameters",
	.chain = CHAIN_PARAMS,
	.private_size = sizeof(struct params),
	.draw = params_draw,
	.action = params_action,
	.text = params_text,
	.editor = params_editor,
	.current_chain = params_chain,
	.free = params_free,
};
