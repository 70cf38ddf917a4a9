#include "core/evaltable.h"
#include "core/assert.h"
#include "core/meta.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/textwrap.h"
#include "core/utf8.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t var_index(struct evaltable *t, const char *name)
{
	for (size_t i = 0; i < t->nvars; i++)
		if (strcmp(t->varnames[i], name) == 0)
			return i;
	t->varnames = xrealloc(t->varnames, (t->nvars + 1) * sizeof *t->varnames);
	t->varnames[t->nvars] = xstrdup(name);
	return t->nvars++;
}

static int char_width(uint32_t cp, int col)
{
	if (cp < 32 || cp == 127 || (cp >= 0x80 && cp < 0xa0) || utf8_is_bidi_control(cp))
		return 1; /* shown as a space */
	int w = textwrap_char_width(cp, col);
	return w > 0 ? w : 0;
}

/* The display width of s's first line, control characters as one column. */
static int first_line_width(const char *s)
{
	int w = 0;
	size_t n = strcspn(s, "\n");
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next(s + i, n - i, &cp);
		w += char_width(cp, w);
		i += k ? k : 1;
	}
	return w;
}

struct evaltable *evaltable_new(const struct testrows *rows)
{
	struct evaltable *t = xcalloc(1, sizeof *t);
	size_t n = rows ? rows->n : 0;
	for (size_t r = 0; r < n; r++)
		for (size_t v = 0; v < rows->v[r].nvars; v++)
			var_index(t, rows->v[r].vars[v].name);
	t->nrows = n;
	t->values = xcalloc(n * t->nvars + 1, sizeof *t->values);
	t->descriptions = xcalloc(n + 1, sizeof *t->descriptions);
	t->cells = xcalloc(n + 1, sizeof *t->cells);
	t->json_index = xcalloc(n + 1, sizeof *t->json_index);
	t->var_width = xcalloc(t->nvars + 1, sizeof *t->var_width);
	for (size_t v = 0; v < t->nvars; v++)
		t->var_width[v] = first_line_width(t->varnames[v]);
	for (size_t r = 0; r < n; r++) {
		const struct testrow *row = &rows->v[r];
		if (row->description)
			t->descriptions[r] = xstrdup(row->description);
		long k;
		char end;
		t->json_index[r] = row->path && sscanf(row->path, "tests[%ld%c", &k, &end) == 2 &&
						   end == ']'
					   ? k
					   : -1;
		for (size_t v = 0; v < t->nvars; v++) {
			const char *val = testrow_var(row, t->varnames[v]);
			t->values[r * t->nvars + v] = xstrdup(val ? val : "");
			int w = first_line_width(val ? val : "");
			if (w > t->var_width[v])
				t->var_width[v] = w;
		}
		t->cells[r].latency_ms = -1;
	}
	return t;
}

static void cell_clear(struct evaltable_cell *c)
{
	free(c->first_line);
	free(c->detail);
	free(c->output);
	free(c->result_json);
	memset(c, 0, sizeof *c);
	c->latency_ms = -1;
}

void evaltable_set_compare(struct evaltable *t, const char *label)
{
	if (t->cmp) {
		for (size_t r = 0; r < t->nrows; r++)
			cell_clear(&t->cmp[r]);
		free(t->cmp);
		t->cmp = NULL;
	}
	free(t->cmp_label);
	t->cmp_label = NULL;
	if (!label)
		return;
	t->cmp_label = xstrdup(label);
	t->cmp = xcalloc(t->nrows + 1, sizeof *t->cmp);
	for (size_t r = 0; r < t->nrows; r++)
		t->cmp[r].latency_ms = -1;
}

void evaltable_free(struct evaltable *t)
{
	if (!t)
		return;
	evaltable_set_compare(t, NULL);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t v = 0; v < t->nvars; v++)
			free(t->values[r * t->nvars + v]);
		free(t->descriptions[r]);
		cell_clear(&t->cells[r]);
	}
	for (size_t v = 0; v < t->nvars; v++)
		free(t->varnames[v]);
	free(t->varnames);
	free(t->values);
	free(t->descriptions);
	free(t->json_index);
	free(t->cells);
	free(t->var_width);
	free(t);
}

void evaltable_set_pending(struct evaltable *t, size_t row)
{
	if (row >= t->nrows)
		return;
	cell_clear(&t->cells[row]);
	t->cells[row].state = ET_PENDING;
	if (t->cmp) {
		cell_clear(&t->cmp[row]);
		t->cmp[row].state = ET_PENDING;
	}
}

int evaltable_differs(const struct evaltable *t, size_t row)
{
	if (!t->cmp || row >= t->nrows)
		return 0;
	const struct evaltable_cell *a = &t->cells[row], *b = &t->cmp[row];
	return a->state == ET_DONE && b->state == ET_DONE &&
	       (a->outcome == EVAL_PASSED) != (b->outcome == EVAL_PASSED);
}

void evaltable_set_result(struct evaltable *t, const struct eval_result *r)
{
	if (r->row >= t->nrows || r->column > 1 || (r->column == 1 && !t->cmp))
		return;
	struct evaltable_cell *c = r->column ? &t->cmp[r->row] : &t->cells[r->row];
	cell_clear(c);
	c->state = ET_DONE;
	c->outcome = r->outcome;
	c->cost_known = r->cost_known;
	c->cost_usd = r->cost_usd;
	c->latency_ms = r->latency_ms;
	c->answer_id = r->answer_id;
	c->total = r->nchecks;
	for (size_t i = 0; i < r->nchecks; i++)
		c->passed += r->checks[i].pass != 0;
	const char *out = r->output ? r->output : "";
	struct buf d;
	buf_init(&d, 0);
	if (r->outcome == EVAL_ERROR) {
		const char *type = r->error && r->error->type ? r->error->type : "error";
		const char *msg = r->error && r->error->message ? r->error->message : "failed";
		c->first_line = xasprintf("%s: %s", type, msg);
		buf_printf(&d, "Error: %s: %s\n", type, msg);
	} else if (r->outcome == EVAL_SKIPPED || r->outcome == EVAL_CANCELED) {
		const char *why = r->skip_reason && strcmp(r->skip_reason, eval_outcome_name(r->outcome))
					  ? r->skip_reason : NULL;
		c->first_line = xasprintf("%s%s%s%s", eval_outcome_name(r->outcome), why ? " (" : "",
					  why ? why : "", why ? ")" : "");
	} else {
		c->first_line = xstrndup(out, strcspn(out, "\n"));
	}
	c->output = xstrdup(out);
	if (*out) {
		buf_puts(&d, out);
		if (out[strlen(out) - 1] != '\n')
			buf_puts(&d, "\n");
	}
	if (r->nchecks)
		buf_printf(&d, "\nAssertions: %zu/%zu passed\n", c->passed, c->total);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct eval_check *k = &r->checks[i];
		/* the reason names the assertion and what was found */
		char *what = k->reason && *k->reason ? NULL : assertion_describe(k->assertion);
		buf_printf(&d, "%s %s\n", k->pass ? "+ pass" : "- FAIL", what ? what : k->reason);
		free(what);
	}
	c->detail = buf_take(&d);
}

void evaltable_set_grade(struct evaltable *t, size_t row, int grade)
{
	if (row < t->nrows && grade >= 0 && grade <= 5)
		t->cells[row].grade = grade;
}

size_t evaltable_failing(const struct evaltable *t, unsigned char *only)
{
	size_t n = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct evaltable_cell *c = &t->cells[r];
		only[r] = c->state == ET_DONE && c->outcome != EVAL_PASSED;
		n += only[r];
	}
	return n;
}

void evaltable_summarize(const struct evaltable *t, struct evaltable_summary *s)
{
	evaltable_summarize_side(t, 0, s);
}

void evaltable_summarize_side(const struct evaltable *t, int side, struct evaltable_summary *s)
{
	memset(s, 0, sizeof *s);
	s->rows = t->nrows;
	long grades = 0;
	const struct evaltable_cell *cells = side && t->cmp ? t->cmp : t->cells;
	if (side && !t->cmp)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct evaltable_cell *c = &cells[r];
		if (c->state == ET_PENDING)
			s->pending++;
		if (c->state != ET_DONE)
			continue;
		s->done++;
		switch (c->outcome) {
		case EVAL_PASSED: s->passed++; break;
		case EVAL_FAILED: s->failed++; break;
		case EVAL_ERROR: s->errors++; break;
		default: s->other++; break;
		}
		if (c->cost_known)
			s->cost_usd += c->cost_usd;
		else if (c->outcome == EVAL_PASSED || c->outcome == EVAL_FAILED)
			s->cost_unknown = 1;
		if (c->grade) {
			s->graded++;
			grades += c->grade;
		}
	}
	s->mean_grade = s->graded ? (double)grades / (double)s->graded : 0;
}

void evaltable_summary_text(const struct evaltable_summary *s, struct buf *out)
{
	/* the pass rate is over the rows that got a verdict */
	size_t judged = s->passed + s->failed + s->errors;
	if (judged)
		buf_printf(out, "%zu/%zu %.0f%%", s->passed, judged,
			   100.0 * (double)s->passed / (double)judged);
	else
		buf_puts(out, "not run");
	if (s->graded)
		buf_printf(out, "  grade %.1f (%zu)", s->mean_grade, s->graded);
	else
		buf_puts(out, "  no grades");
	/* small sums keep a digit that shows (a row costs fractions of a cent) */
	buf_printf(out, s->cost_usd < 0.01 ? "  $%.5f%s" : "  $%.4f%s", s->cost_usd,
		   s->cost_unknown ? "+?" : "");
}

void evaltable_layout(const struct evaltable *t, int width, size_t first_var,
		      struct evaltable_layout *l)
{
	memset(l, 0, sizeof *l);
	if (t->nvars && first_var >= t->nvars)
		first_var = t->nvars - 1;
	l->first_var = t->nvars ? first_var : 0;
	int fixed = ET_W_ROW + 1 + ET_W_CHECKS + 1 + ET_W_COST + 1 + ET_W_LATENCY + 1 +
		    ET_W_GRADE + 1;
	if (t->cmp)
		fixed += 1 + 1 + ET_W_CHECKS + 1 + ET_W_ANSWER_MIN + 1; /* mark, checks, answer */
	int left = width - fixed;
	for (size_t v = l->first_var; v < t->nvars && l->nshown < 16; v++) {
		int w = t->var_width[v];
		if (w < 3)
			w = 3;
		if (w > ET_W_VAR_MAX)
			w = ET_W_VAR_MAX;
		/* the first variable always shows, narrowed when it must */
		if (left - (w + 1) < ET_W_ANSWER_MIN) {
			if (l->nshown)
				break;
			w = left - 1 - ET_W_ANSWER_MIN;
			if (w < 3)
				break;
		}
		l->var_w[l->nshown++] = w;
		left -= w + 1;
	}
	l->answer_w = left - 1 > 1 ? left - 1 : 1;
	if (t->cmp) {
		/* the two answers share what is left */
		int both = l->answer_w + ET_W_ANSWER_MIN;
		l->answer_w = both / 2;
		l->cmp_answer_w = both - l->answer_w;
	}
}

void evaltable_pad(struct buf *out, const char *s, int w)
{
	size_t n = strcspn(s, "\n");
	/* the whole first line fits when it is the whole text and narrow enough */
	int fits = s[n] == 0 && first_line_width(s) <= w;
	int room = fits ? w : w - 1, used = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next(s + i, n - i, &cp);
		if (!k)
			k = 1;
		int cw = char_width(cp, used);
		if (used + cw > room)
			break;
		if (cp < 32 || cp == 127 || (cp >= 0x80 && cp < 0xa0) || utf8_is_bidi_control(cp))
			buf_append(out, " ", 1);
		else
			buf_append(out, s + i, k);
		used += cw;
		i += k;
	}
	if (!fits && w > 0) {
		buf_puts(out, "\u2026");
		used++;
	}
	for (; used < w; used++)
		buf_append(out, " ", 1);
	buf_append(out, " ", 1);
}

const char *evaltable_mark(const struct evaltable_cell *c)
{
	if (c->state == ET_PENDING)
		return "\u2026";
	if (c->state != ET_DONE)
		return " ";
	switch (c->outcome) {
	case EVAL_PASSED: return "\u2713";
	case EVAL_FAILED: return "\u2717";
	case EVAL_ERROR: return "!";
	default: return "-";
	}
}

void evaltable_header_line(const struct evaltable *t, const struct evaltable_layout *l,
			   struct buf *out)
{
	evaltable_pad(out, "#", ET_W_ROW);
	for (size_t i = 0; i < l->nshown; i++)
		evaltable_pad(out, t->varnames[l->first_var + i], l->var_w[i]);
	evaltable_pad(out, "answer", l->answer_w);
	evaltable_pad(out, "checks", ET_W_CHECKS);
	evaltable_pad(out, "cost", ET_W_COST);
	evaltable_pad(out, "latency", ET_W_LATENCY);
	evaltable_pad(out, "grade", ET_W_GRADE);
	if (t->cmp) {
		evaltable_pad(out, "", 1);
		evaltable_pad(out, t->cmp_label, l->cmp_answer_w);
		evaltable_pad(out, "checks", ET_W_CHECKS);
	}
}

static void checks_text(const struct evaltable_cell *c, char *s, size_t n)
{
	if (c->state == ET_DONE && c->total)
		snprintf(s, n, "%s %zu/%zu", evaltable_mark(c), c->passed, c->total);
	else
		snprintf(s, n, "%s", evaltable_mark(c));
}

static const char *answer_text(const struct evaltable_cell *c)
{
	return c->state == ET_DONE ? c->first_line : c->state == ET_PENDING ? "\u2026" : "";
}

void evaltable_row_line(const struct evaltable *t, const struct evaltable_layout *l, size_t row,
			struct buf *out)
{
	char s[64];
	const struct evaltable_cell *c = &t->cells[row];
	snprintf(s, sizeof s, "%zu", row + 1);
	evaltable_pad(out, s, ET_W_ROW);
	for (size_t i = 0; i < l->nshown; i++)
		evaltable_pad(out, t->values[row * t->nvars + l->first_var + i], l->var_w[i]);
	evaltable_pad(out, answer_text(c), l->answer_w);
	checks_text(c, s, sizeof s);
	evaltable_pad(out, s, ET_W_CHECKS);
	if (c->state == ET_DONE && c->cost_known &&
	    (c->cost_usd > 0 || c->outcome == EVAL_PASSED || c->outcome == EVAL_FAILED))
		snprintf(s, sizeof s, "$%.5f", c->cost_usd);
	else
		snprintf(s, sizeof s, "%s", "");
	evaltable_pad(out, s, ET_W_COST);
	if (c->state == ET_DONE && c->latency_ms >= 0)
		snprintf(s, sizeof s, "%.1fs", (double)c->latency_ms / 1000.0);
	else
		s[0] = 0;
	evaltable_pad(out, s, ET_W_LATENCY);
	if (c->grade)
		snprintf(s, sizeof s, "%d/5", c->grade);
	else
		s[0] = 0;
	evaltable_pad(out, s, ET_W_GRADE);
	if (t->cmp) {
		/* the verdicts differ: marked, so a regression is seen at a glance */
		evaltable_pad(out, evaltable_differs(t, row) ? "\u2260" : "", 1);
		evaltable_pad(out, answer_text(&t->cmp[row]), l->cmp_answer_w);
		checks_text(&t->cmp[row], s, sizeof s);
		evaltable_pad(out, s, ET_W_CHECKS);
	}
}

void evaltable_take_results(struct evaltable *dst, struct evaltable *src, const long *map)
{
	for (size_t r = 0; r < src->nrows; r++) {
		long d = map[r];
		if (d < 0 || (size_t)d >= dst->nrows)
			continue;
		cell_clear(&dst->cells[d]);
		dst->cells[d] = src->cells[r];
		memset(&src->cells[r], 0, sizeof src->cells[r]);
		if (dst->cmp && src->cmp) {
			cell_clear(&dst->cmp[d]);
			dst->cmp[d] = src->cmp[r];
			memset(&src->cmp[r], 0, sizeof src->cmp[r]);
		}
	}
}

static const char *value_of(const struct evaltable *t, size_t row, const char *name)
{
	for (size_t v = 0; v < t->nvars; v++)
		if (strcmp(t->varnames[v], name) == 0)
			return t->values[row * t->nvars + v];
	return "";
}

static int same_row(const struct evaltable *a, const struct evaltable *b, size_t r)
{
	if (!str_eq(a->descriptions[r], b->descriptions[r]))
		return 0;
	for (size_t v = 0; v < a->nvars; v++)
		if (strcmp(a->values[r * a->nvars + v], value_of(b, r, a->varnames[v])) != 0)
			return 0;
	for (size_t v = 0; v < b->nvars; v++)
		if (strcmp(b->values[r * b->nvars + v], value_of(a, r, b->varnames[v])) != 0)
			return 0;
	return 1;
}

void evaltable_take_same(struct evaltable *dst, struct evaltable *src)
{
	size_t n = src->nrows;
	long *map = xcalloc(n + 1, sizeof *map);
	for (size_t r = 0; r < n; r++)
		map[r] = r < dst->nrows && same_row(dst, src, r) ? (long)r : -1;
	evaltable_take_results(dst, src, map);
	free(map);
}

/* The tests: list parsed, or NULL with *error. */
static cJSON *rows_list(const char *tests_json, char **error)
{
	cJSON *a = tests_json ? cJSON_Parse(tests_json) : cJSON_CreateArray();
	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		*error = xstrdup("the rows are in a file (tests: names it): edit that file");
		return NULL;
	}
	return a;
}

static char *rows_done(cJSON *a)
{
	char *out = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return out;
}

char *evaltable_json_delete_row(const char *tests_json, long index, char **error)
{
	cJSON *a = rows_list(tests_json, error);
	if (!a)
		return NULL;
	if (index < 0 || index >= cJSON_GetArraySize(a)) {
		cJSON_Delete(a);
		*error = xasprintf("no row %ld in tests:", index + 1);
		return NULL;
	}
	cJSON_DeleteItemFromArray(a, (int)index);
	return rows_done(a);
}

char *evaltable_json_add_row(const char *tests_json, long after, const char *const *names,
			     size_t n, char **error)
{
	cJSON *a = rows_list(tests_json, error);
	if (!a)
		return NULL;
	if (after < -1 || after >= cJSON_GetArraySize(a)) {
		cJSON_Delete(a);
		*error = xasprintf("no row %ld in tests:", after + 1);
		return NULL;
	}
	cJSON *row = cJSON_CreateObject();
	cJSON *vars = cJSON_AddObjectToObject(row, "vars");
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(vars, names[i], "");
	/* rebuilt in order: cJSON_InsertItemInArray fails in some cJSON releases */
	cJSON *out = cJSON_CreateArray();
	if (after < 0)
		cJSON_AddItemToArray(out, row);
	for (long i = 0; cJSON_GetArraySize(a) > 0; i++) {
		cJSON_AddItemToArray(out, cJSON_DetachItemFromArray(a, 0));
		if (i == after)
			cJSON_AddItemToArray(out, row);
	}
	cJSON_Delete(a);
	return rows_done(out);
}

char *evaltable_json_set_var(const char *tests_json, long index, const char *name,
			     const char *value, char **error)
{
	cJSON *a = rows_list(tests_json, error);
	if (!a)
		return NULL;
	cJSON *row = index >= 0 ? cJSON_GetArrayItem(a, (int)index) : NULL;
	if (!cJSON_IsObject(row)) {
		cJSON_Delete(a);
		*error = xasprintf("no row %ld in tests:", index + 1);
		return NULL;
	}
	cJSON *vars = cJSON_GetObjectItemCaseSensitive(row, "vars");
	if (!cJSON_IsObject(vars)) {
		cJSON_DeleteItemFromObjectCaseSensitive(row, "vars");
		vars = cJSON_AddObjectToObject(row, "vars");
	}
	cJSON *v = cJSON_CreateString(value);
	if (cJSON_GetObjectItemCaseSensitive(vars, name))
		cJSON_ReplaceItemInObjectCaseSensitive(vars, name, v);
	else
		cJSON_AddItemToObject(vars, name, v);
	return rows_done(a);
}

void evaltable_set_result_json(struct evaltable *t, size_t row, size_t column, char *json)
{
	struct evaltable_cell *c = row >= t->nrows || column > 1 || (column == 1 && !t->cmp) ? NULL
				   : column ? &t->cmp[row] : &t->cells[row];
	if (!c || c->state != ET_DONE) {
		free(json);
		return;
	}
	free(c->result_json);
	c->result_json = json;
}

/* A row of the import as a tests: entry: {description, vars, assert}. */
static cJSON *row_object(const struct testrow *r)
{
	cJSON *o = cJSON_CreateObject();
	if (r->description)
		cJSON_AddStringToObject(o, "description", r->description);
	cJSON *vars = cJSON_AddObjectToObject(o, "vars");
	for (size_t i = 0; i < r->nvars; i++)
		cJSON_AddStringToObject(vars, r->vars[i].name, r->vars[i].value ? r->vars[i].value : "");
	if (r->nasserts) {
		cJSON *as = cJSON_AddArrayToObject(o, "assert");
		for (size_t i = 0; i < r->nasserts; i++) {
			const struct assertion *k = r->asserts[i];
			cJSON *a = cJSON_CreateObject();
			char *type = xasprintf("%s%s", k->negate ? "not-" : "", k->type);
			cJSON_AddStringToObject(a, "type", type);
			free(type);
			cJSON *v = k->value_json ? cJSON_Parse(k->value_json) : NULL;
			if (v)
				cJSON_AddItemToObject(a, "value", v);
			if (k->has_threshold)
				cJSON_AddNumberToObject(a, "threshold", k->threshold);
			cJSON_AddItemToArray(as, a);
		}
	}
	return o;
}

char *evaltable_json_append_rows(const char *tests_json, const struct testrows *rows, char **error)
{
	cJSON *a = rows_list(tests_json, error);
	if (!a)
		return NULL;
	for (size_t i = 0; i < rows->n; i++)
		cJSON_AddItemToArray(a, row_object(&rows->v[i]));
	return rows_done(a);
}

char *evaltable_export_jsonl(const struct evaltable *t)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t r = 0; r < t->nrows; r++)
		for (int side = 0; side < (t->cmp ? 2 : 1); side++) {
			const struct evaltable_cell *c = side ? &t->cmp[r] : &t->cells[r];
			cJSON *o = c->state == ET_DONE && c->result_json ? cJSON_Parse(c->result_json)
									 : NULL;
			if (!o)
				continue;
			/* the person's grade: what the workbench adds to eval -o's line */
			if (c->grade)
				cJSON_AddNumberToObject(o, "grade", c->grade);
			else
				cJSON_AddNullToObject(o, "grade");
			char *line = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
			buf_puts(&b, line);
			buf_puts(&b, "\n");
			free(line);
		}
	return buf_take(&b);
}

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line
 * break or edge spaces. */
static void csv_field(struct buf *b, const char *s, int last)
{
	size_t n = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));
	if (quote) {
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
	buf_puts(b, last ? "\r\n" : ",");
}

static void csv_cell(struct buf *b, const struct evaltable_cell *c, int last)
{
	char num[64];
	int done = c->state == ET_DONE;
	csv_field(b, done ? eval_outcome_name(c->outcome) : "", 0);
	csv_field(b, done && c->output ? c->output : done && c->first_line ? c->first_line : "", 0);
	snprintf(num, sizeof num, "%zu", c->passed);
	csv_field(b, done ? num : "", 0);
	snprintf(num, sizeof num, "%zu", c->total);
	csv_field(b, done ? num : "", 0);
	snprintf(num, sizeof num, "%.6f", c->cost_usd);
	csv_field(b, done && c->cost_known ? num : "", 0);
	snprintf(num, sizeof num, "%ld", c->latency_ms);
	csv_field(b, done && c->latency_ms >= 0 ? num : "", 0);
	snprintf(num, sizeof num, "%d", c->grade);
	csv_field(b, c->grade ? num : "", last);
}

char *evaltable_export_csv(const struct evaltable *t)
{
	static const char *const cols[] = { "outcome", "answer", "passed", "total",
					    "cost_usd", "latency_ms", "grade" };
	struct buf b;
	buf_init(&b, 0);
	csv_field(&b, "row", 0);
	csv_field(&b, "__description", 0);
	for (size_t v = 0; v < t->nvars; v++)
		csv_field(&b, t->varnames[v], 0);
	for (int side = 0; side < (t->cmp ? 2 : 1); side++)
		for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
			char *name = xasprintf("%s%s", side ? "compare_" : "", cols[i]);
			csv_field(&b, name, i + 1 == sizeof cols / sizeof *cols && side == (t->cmp ? 1 : 0));
			free(name);
		}
	for (size_t r = 0; r < t->nrows; r++) {
		char num[32];
		snprintf(num, sizeof num, "%zu", r + 1);
		csv_field(&b, num, 0);
		csv_field(&b, t->descriptions[r] ? t->descriptions[r] : "", 0);
		for (size_t v = 0; v < t->nvars; v++)
			csv_field(&b, t->values[r * t->nvars + v], 0);
		csv_cell(&b, &t->cells[r], !t->cmp);
		if (t->cmp)
			csv_cell(&b, &t->cmp[r], 1);
	}
	return buf_take(&b);
}

char *evaltable_rows_tool(const char *tool, const char *description, const char *const *names,
			  size_t n)
{
	cJSON *tools = cJSON_CreateArray();
	cJSON *t = cJSON_CreateObject();
	cJSON_AddItemToArray(tools, t);
	cJSON_AddStringToObject(t, "name", tool);
	if (description)
		cJSON_AddStringToObject(t, "description", description);
	cJSON *schema = cJSON_AddObjectToObject(t, "input_schema");
	cJSON_AddStringToObject(schema, "type", "object");
	cJSON *rows = cJSON_AddObjectToObject(cJSON_AddObjectToObject(schema, "properties"), "rows");
	cJSON_AddStringToObject(rows, "type", "array");
	cJSON *item = cJSON_AddObjectToObject(rows, "items");
	cJSON_AddStringToObject(item, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(item, "properties");
	cJSON *req = cJSON_AddArrayToObject(item, "required");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "description"), "type", "string");
	for (size_t i = 0; i < n; i++) {
		if (cJSON_GetObjectItemCaseSensitive(props, names[i]))
			continue;
		cJSON_AddStringToObject(cJSON_AddObjectToObject(props, names[i]), "type", "string");
		cJSON_AddItemToArray(req, cJSON_CreateString(names[i]));
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(schema, "required"), cJSON_CreateString("rows"));
	return rows_done(tools);
}

char *evaltable_json_append_generated(const char *tests_json, const char *input_json,
				      const char *const *names, size_t n, size_t *added,
				      char **error)
{
	*added = 0;
	cJSON *in = cJSON_Parse(input_json);
	cJSON *rows = in ? cJSON_GetObjectItemCaseSensitive(in, "rows") : NULL;
	if (!cJSON_IsArray(rows) || !cJSON_GetArraySize(rows)) {
		cJSON_Delete(in);
		*error = xstrdup("the answer has no rows");
		return NULL;
	}
	cJSON *a = rows_list(tests_json, error);
	if (!a) {
		cJSON_Delete(in);
		return NULL;
	}
	cJSON *r;
	cJSON_ArrayForEach(r, rows)
	{
		if (!cJSON_IsObject(r))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "description");
		if (cJSON_IsString(d) && *d->valuestring)
			cJSON_AddStringToObject(o, "description", d->valuestring);
		cJSON *vars = cJSON_AddObjectToObject(o, "vars");
		/* only the prompt's variables, every one of them: a row the
		 * prompt can run */
		for (size_t i = 0; i < n; i++) {
			if (cJSON_GetObjectItemCaseSensitive(vars, names[i]))
				continue;
			cJSON *v = cJSON_GetObjectItemCaseSensitive(r, names[i]);
			cJSON_AddStringToObject(vars, names[i], cJSON_IsString(v) ? v->valuestring : "");
		}
		cJSON_AddItemToArray(a, o);
		(*added)++;
	}
	cJSON_Delete(in);
	if (!*added) {
		cJSON_Delete(a);
		*error = xstrdup("the answer has no rows");
		return NULL;
	}
	return rows_done(a);
}

char *evaltable_failures_text(const struct evaltable *t, size_t *n)
{
	struct meta_failure *f = xcalloc(t->nrows + 1, sizeof *f);
	cJSON **keep = xcalloc(t->nrows + 1, sizeof *keep);
	char **strs = xcalloc(2 * t->nrows + 1, sizeof *strs);
	size_t k = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct evaltable_cell *c = &t->cells[r];
		if (c->state != ET_DONE || c->outcome == EVAL_PASSED || !c->result_json)
			continue;
		cJSON *o = cJSON_Parse(c->result_json);
		if (!o)
			continue;
		keep[k] = o;
		cJSON *as = cJSON_GetObjectItemCaseSensitive(o, "assertions");
		cJSON *vars = cJSON_GetObjectItemCaseSensitive(o, "vars");
		strs[2 * k] = vars ? cJSON_PrintUnformatted(vars) : NULL;
		strs[2 * k + 1] = as ? cJSON_PrintUnformatted(as) : NULL;
		f[k] = (struct meta_failure){
			.row = (long)r,
			.description = t->descriptions[r],
			.vars_json = strs[2 * k],
			.outcome = eval_outcome_name(c->outcome),
			.output = c->output,
			.assertions_json = strs[2 * k + 1],
		};
		k++;
	}
	char *text = meta_failures_text(f, k);
	for (size_t i = 0; i < k; i++) {
		cJSON_Delete(keep[i]);
		free(strs[2 * i]);
		free(strs[2 * i + 1]);
	}
	free(keep);
	free(strs);
	free(f);
	*n = k;
	return text;
}
