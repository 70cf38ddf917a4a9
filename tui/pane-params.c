/* The parameters pane: one row per request field (and pwb's own: api
 * version, betas, name, budget), then the {{variables}}. A row is edited
 * in place; the session is validated after every change and an invalid
 * value is shown with its reason (and blocks sending), never clamped. */
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
		R_VARS_HEADER, R_VAR };

struct row {
	enum row_kind kind;
	const char *label;
	char **slot;     /* R_NUM, R_JSON, R_NAME... */
	size_t var;      /* R_VAR: index into app->varnames */
};

struct params {
	size_t sel, top;
	struct textbuf *field; /* non-NULL while a row is edited */
	size_t editing;
	struct row *rows;
	size_t nrows, arows;
};

static void add_row(struct params *p, enum row_kind k, const char *label, char **slot, size_t var)
{
	if (p->nrows == p->arows) {
		p->arows = p->arows ? p->arows * 2 : 32;
		p->rows = xrealloc(p->rows, p->arows * sizeof *p->rows);
	}
	p->rows[p->nrows++] = (struct row){ k, label, slot, var };
}

/* Rows are rebuilt on each use: cheap (a few dozen) and always in step
 * with the session and the variables found. */
static void build_rows(struct app *a, struct params *p)
{
	struct session *s = a->sess;
	p->nrows = 0;
	add_row(p, R_MODEL, "model", &s->model, 0);
	add_row(p, R_NUM, "max_tokens", &s->max_tokens, 0);
	add_row(p, R_NUM, "temperature", &s->temperature, 0);
	add_row(p, R_NUM, "top_p", &s->top_p, 0);
	add_row(p, R_NUM, "top_k", &s->top_k, 0);
	add_row(p, R_STOP, "stop_sequences", NULL, 0);
	for (size_t i = 0; session_json_field_names[i]; i++)
		add_row(p, R_JSON, session_json_field_names[i],
			session_json_slot(s, session_json_field_names[i]), 0);
	add_row(p, R_API_VERSION, "api_version", &s->api_version, 0);
	add_row(p, R_BETAS, "betas", NULL, 0);
	add_row(p, R_NAME, "name", &s->name, 0);
	add_row(p, R_DESC, "description", &s->description, 0);
	add_row(p, R_BUDGET, "budget (USD)", NULL, 0);
	add_row(p, R_VARS_HEADER, "variables", NULL, 0);
	for (size_t i = 0; i < a->nvarnames; i++)
		add_row(p, R_VAR, a->varnames[i], NULL, i);
	if (p->sel >= p->nrows)
		p->sel = p->nrows - 1;
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
	case R_VAR: return NULL;
	default: return r->label;
	}
}

static void params_draw(struct app *a, struct pane *pn, struct rect r, int focused)
{
	struct params *p = pn->priv;
	/* diagnostics as of the last validation (the loop refreshes them once
	 * typing pauses; a committed field validates at once) */
	build_rows(a, p);
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)r.h)
		p->top = p->sel - (size_t)r.h + 1;
	int lw = 15;
	int cur_y = -1, cur_x = -1;
	for (int i = 0; i < r.h; i++) {
		size_t k = p->top + (size_t)i;
		int y = r.y + i;
		if (k >= p->nrows) {
			text_draw(y, r.x, r.w, "", 0, 0);
			continue;
		}
		const struct row *row = &p->rows[k];
		int sel = focused && k == p->sel;
		char label[96];
		if (row->kind == R_VARS_HEADER) {
			snprintf(label, sizeof label, "{{variables}}%s",
				 a->nvarnames ? "" : "  (none in the prompts)");
			text_draw(y, r.x, r.w, label, strlen(label), LA_META);
			continue;
		}
		if (row->kind == R_VAR)
			snprintf(label, sizeof label, "  {{%s}}", row->label);
		else
			snprintf(label, sizeof label, "%s", row->label);
		int w0 = textwrap_width(label, strlen(label));
		int lcol = w0 + 1 > lw ? w0 + 1 : lw;
		if (lcol > r.w / 2)
			lcol = r.w / 2;
		text_draw(y, r.x, lcol, label, strlen(label), sel ? LA_BOLD : 0);
		if (sel)
			mvchgat(y, r.x, lcol - 1 > 0 ? lcol - 1 : 1, A_REVERSE | A_BOLD, 0, NULL);
		int vx = r.x + lcol, vw = r.w - lcol;
		if (vw <= 0)
			continue;
		if (p->field && k == p->editing) {
			editor_draw(p->field, y, vx, 1, vw, 1, 0, &cur_y, &cur_x);
			continue;
		}
		char *val = row_value(a, row);
		const char *path = row_path(row);
		const struct diag *d = path ? app_diag_for(a, path) : NULL;
		char line[1024];
		if (row->kind == R_VAR && !val)
			snprintf(line, sizeof line, "(undefined)");
		else
			snprintf(line, sizeof line, "%s", val ? val : "-");
		if (d) {
			/* the message often starts with the field name: once is enough */
			char *dt = app_diag_text(d);
			const char *m = dt;
			size_t pl = strlen(path);
			if (strncmp(m, path, pl) == 0 && m[pl] == ':')
				m += pl + 1 + (m[pl + 1] == ' ');
			size_t l = strlen(line);
			snprintf(line + l, sizeof line - l, "  \u2717 %s", m);
			free(dt);
		}
		text_draw(y, vx, vw, line, strlen(line),
			  d || (row->kind == R_VAR && !val) ? LA_ERROR : (val ? 0 : LA_DIM));
		free(val);
	}
	if (cur_y >= 0)
		move(cur_y, cur_x);
}

static void start_edit(struct app *a, struct params *p, int free_text)
{
	const struct row *row = &p->rows[p->sel];
	if (row->kind == R_VARS_HEADER)
		return;
	if (row->kind == R_MODEL && !free_text) {
		app_open_view(a, VIEW_MODEL);
		return;
	}
	char *val = row_value(a, row);
	p->field = textbuf_new();
	p->field->single_line = 1;
	textbuf_set_text(p->field, val);
	textbuf_cursor_end(p->field);
	p->editing = p->sel;
	free(val);
	app_message(a, 0, "editing %s: %s accepts, %s cancels; empty unsets", row->label,
		    keymap_label(ACT_NEWLINE), keymap_label(ACT_CLOSE));
}

static void stop_edit(struct params *p)
{
	textbuf_free(p->field);
	p->field = NULL;
}

/* Store the edited text; returns 0, or -1 (stay in the field) with a message. */
static int commit(struct app *a, struct params *p)
{
	const struct row *row = &p->rows[p->editing];
	char *t = textbuf_text(p->field);
	/* a variable's label lives in app->varnames, which validation rebuilds */
	char *label = xstrdup(row->label);
	int rc = 0;
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
		/* kept as typed when it does not parse: validation says why */
		cJSON *j = *t ? cJSON_Parse(t) : NULL;
		if (j) {
			char *c = cJSON_PrintUnformatted(j);
			str_set(row->slot, c);
			cJSON_free(c);
			cJSON_Delete(j);
		} else {
			str_set(row->slot, *t ? t : NULL);
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
		const struct diag *d = path ? app_diag_for(a, path) : NULL;
		if (d && strncmp(d->message, path, strlen(path)) == 0)
			app_message(a, 1, "%s", d->message);
		else if (d)
			app_message(a, 1, "%s: %s", path, d->message);
		else
			app_message(a, 0, "%s set", label);
	}
	free(label);
	return rc;
}

static int params_action(struct app *a, struct pane *pn, enum action act)
{
	struct params *p = pn->priv;
	build_rows(a, p);
	if (p->field) {
		switch (act) {
		case ACT_NEWLINE:
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
				editor_action(p->field, act, 1);
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
		if (p->rows[p->sel].kind == R_VARS_HEADER)
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

static void params_text(struct app *a, struct pane *pn, const char *s, size_t n)
{
	struct params *p = pn->priv;
	if (!p->field) {
		/* a paste on a row edits it; single keys are commands here */
		if (n == 1) {
			app_message(a, 0, "%s edits the selected parameter", keymap_label(ACT_FIELD_EDIT));
			return;
		}
		build_rows(a, p);
		if (p->rows[p->sel].kind == R_MODEL || p->rows[p->sel].kind == R_VARS_HEADER)
			return;
		start_edit(a, p, 0);
		textbuf_set_text(p->field, "");
	}
	textbuf_insert(p->field, s, n);
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
