/* pwb eval's output (see eval-report.h). Outside text (descriptions,
 * variables, reasons) reaches the table through show(), which escapes it
 * for a terminal. */
#include "cli/eval-report.h"
#include "core/assert.h"
#include "core/eval.h"
#include "core/session.h"
#include "core/termout.h"
#include "core/testrows.h"
#include "core/utf8.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cell {
	unsigned char taken;
	unsigned char outcome; /* enum eval_outcome */
	unsigned char failure_kind; /* 0, 3 or 4 */
	int cost_known;
	double cost;
	long latency;
	long in_tokens, out_tokens;
	char *reason;          /* the first failing check's reason, or the error */
};

struct eval_report {
	const struct testrows *rows;
	size_t repeat, ncols;
	struct eval_report_column *cols;
	FILE *jsonl;
	cJSON *kept;           /* --json: the result objects */
	struct cell *cells;    /* [row][repeat][col] */
	struct eval_report_counts counts;
	/* --baseline */
	int has_baseline;
	char *baseline_path;
	size_t *regressed, nregressed; /* cell indices */
	size_t *fixed, nfixed;
};

static size_t cell_index(const struct eval_report *r, size_t row, size_t rep, size_t col)
{
	return (row * r->repeat + rep) * r->ncols + col;
}

struct eval_report *eval_report_new(const struct testrows *rows, size_t repeat,
				    const struct eval_report_column *cols, size_t ncols,
				    FILE *jsonl, int keep_json)
{
	struct eval_report *r = xcalloc(1, sizeof *r);
	r->rows = rows;
	r->repeat = repeat ? repeat : 1;
	r->ncols = ncols;
	r->cols = xcalloc(ncols ? ncols : 1, sizeof *r->cols);
	memcpy(r->cols, cols, ncols * sizeof *cols);
	r->jsonl = jsonl;
	if (keep_json)
		r->kept = cJSON_CreateArray();
	size_t n = rows->n * r->repeat * ncols;
	r->cells = xcalloc(n ? n : 1, sizeof *r->cells);
	return r;
}

void eval_report_free(struct eval_report *r)
{
	if (!r)
		return;
	size_t n = r->rows->n * r->repeat * r->ncols;
	for (size_t i = 0; i < n; i++)
		free(r->cells[i].reason);
	free(r->cells);
	free(r->cols);
	cJSON_Delete(r->kept);
	free(r->baseline_path);
	free(r->regressed);
	free(r->fixed);
	free(r);
}

/* ---- one result as JSON ------------------------------------------------ */

static cJSON *raw_or_null(const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;
	return v ? v : cJSON_CreateNull();
}

static cJSON *result_object(const struct eval_report *r, const struct eval_result *res)
{
	const struct eval_report_column *c = &r->cols[res->column];
	char *json = eval_result_json(res, &r->rows->v[res->row], c->session, c->preset,
				      c->version, c->model);
	cJSON *o = raw_or_null(json);
	free(json);
	return o;
}

int eval_report_add(struct eval_report *r, const struct eval_result *res)
{
	struct cell *c = &r->cells[cell_index(r, res->row, res->repeat, res->column)];
	c->taken = 1;
	c->outcome = (unsigned char)res->outcome;
	c->cost_known = res->cost_known && res->message_json;
	c->cost = res->cost_usd;
	c->latency = res->latency_ms;
	c->in_tokens = res->usage.input_tokens > 0 ? res->usage.input_tokens : 0;
	c->out_tokens = res->usage.output_tokens > 0 ? res->usage.output_tokens : 0;
	switch (res->outcome) {
	case EVAL_PASSED: r->counts.passed++; break;
	case EVAL_FAILED:
		r->counts.failed++;
		for (size_t i = 0; i < res->nchecks; i++)
			if (!res->checks[i].pass) {
				c->reason = xstrdup(res->checks[i].reason);
				break;
			}
		break;
	case EVAL_ERROR:
		r->counts.errors++;
		c->failure_kind = res->failure == API_FAIL_HTTP ? 3 : 4;
		if (res->error && res->error->type && !strcmp(res->error->type, "invalid_request"))
			c->failure_kind = 0; /* a body pwb could not build: bad input, not the API */
		if (c->failure_kind == 3)
			r->counts.api_errors++;
		else if (c->failure_kind == 4)
			r->counts.network_errors++;
		if (res->error) {
			char *d = api_error_describe(res->error);
			c->reason = d;
		}
		break;
	case EVAL_SKIPPED:
		r->counts.skipped++;
		c->reason = xasprintf("skipped (%s)", res->skip_reason ? res->skip_reason : "budget");
		break;
	case EVAL_CANCELED: r->counts.canceled++; break;
	case EVAL_EXPIRED:
		r->counts.expired++;
		c->reason = xstrdup("expired (the batch ended before this request ran)");
		break;
	}
	if (!r->jsonl && !r->kept)
		return 0;
	cJSON *o = result_object(r, res);
	int rc = 0;
	if (r->jsonl) {
		char *line = cJSON_PrintUnformatted(o);
		if (fputs(line, r->jsonl) == EOF || fputc('\n', r->jsonl) == EOF ||
		    fflush(r->jsonl) == EOF)
			rc = -1;
		free(line);
	}
	if (r->kept)
		cJSON_AddItemToArray(r->kept, o);
	else
		cJSON_Delete(o);
	return rc;
}

void eval_report_counts(const struct eval_report *r, struct eval_report_counts *out)
{
	*out = r->counts;
}

void eval_report_column_counts(const struct eval_report *r, size_t column,
			       struct eval_report_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t row = 0; row < r->rows->n; row++)
		for (size_t k = 0; k < r->repeat; k++) {
			const struct cell *c = &r->cells[cell_index(r, row, k, column)];
			if (!c->taken)
				continue;
			switch (c->outcome) {
			case EVAL_PASSED: out->passed++; break;
			case EVAL_FAILED: out->failed++; break;
			case EVAL_ERROR: out->errors++; break;
			case EVAL_SKIPPED: out->skipped++; break;
			case EVAL_CANCELED: out->canceled++; break;
			case EVAL_EXPIRED: out->expired++; break;
			}
		}
}

/* ---- previous results files ---------------------------------------------- */

/* Calls fn for each JSON object line of path. -1 with *error when unreadable. */
static int each_result(const char *path, void (*fn)(void *ud, const cJSON *o), void *ud,
		       char **error)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*error = xasprintf("%s: cannot read the results file", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len <= 1)
			continue;
		cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
		if (!cJSON_IsObject(o)) {
			*error = xasprintf("%s:%ld: not a JSON object (pwb eval -o writes one per line)",
					   path, lineno);
			cJSON_Delete(o);
			rc = -1;
			break;
		}
		fn(ud, o);
		cJSON_Delete(o);
	}
	free(line);
	fclose(f);
	return rc;
}

static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static long num_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15
		? (long)v->valuedouble : -1;
}

struct failing {
	unsigned char *flags;
	size_t n;
};

static void mark_failing(void *ud, const cJSON *o)
{
	struct failing *f = ud;
	long row = num_of(o, "row");
	const char *out = str_of(o, "outcome");
	if (row >= 0 && (size_t)row < f->n && (!strcmp(out, "failed") || !strcmp(out, "error")))
		f->flags[row] = 1;
}

unsigned char *eval_report_failing_rows(const char *results_path, size_t nrows, char **error)
{
	struct failing f = { xcalloc(nrows ? nrows : 1, 1), nrows };
	if (each_result(results_path, mark_failing, &f, error) < 0) {
		free(f.flags);
		return NULL;
	}
	return f.flags;
}

/* The baseline's outcome per cell: matched by row, repeat and the column's
 * preset and model; a baseline with one column matches every column. */
struct base {
	struct eval_report *r;
	signed char *outcome;  /* per cell: -1 unknown, else passed(1)/not(0) */
	char **presets, **models;
	size_t nkeys;
};

static void take_base(void *ud, const cJSON *o)
{
	struct base *b = ud;
	struct eval_report *r = b->r;
	long row = num_of(o, "row"), rep = num_of(o, "repeat");
	if (row < 0 || (size_t)row >= r->rows->n || rep < 0 || (size_t)rep >= r->repeat)
		return;
	const char *out = str_of(o, "outcome");
	if (strcmp(out, "passed") && strcmp(out, "failed") && strcmp(out, "error"))
		return; /* skipped or canceled rows say nothing */
	const char *preset = str_of(o, "preset"), *model = str_of(o, "model");
	for (size_t c = 0; c < r->ncols; c++) {
		int match = r->ncols == 1 ||
			    (str_eq(preset, r->cols[c].preset) && str_eq(model, r->cols[c].model));
		if (match)
			b->outcome[cell_index(r, (size_t)row, (size_t)rep, c)] = !strcmp(out, "passed");
	}
}

int eval_report_baseline(struct eval_report *r, const char *results_path, char **error)
{
	size_t n = r->rows->n * r->repeat * r->ncols;
	struct base b = { .r = r, .outcome = xmalloc(n ? n : 1) };
	memset(b.outcome, -1, n ? n : 1);
	if (each_result(results_path, take_base, &b, error) < 0) {
		free(b.outcome);
		return -1;
	}
	r->has_baseline = 1;
	free(r->baseline_path);
	r->baseline_path = xstrdup(results_path);
	for (size_t i = 0; i < n; i++) {
		const struct cell *c = &r->cells[i];
		if (!c->taken || b.outcome[i] < 0)
			continue;
		int now = c->outcome == EVAL_PASSED;
		int counted = c->outcome == EVAL_PASSED || c->outcome == EVAL_FAILED ||
			      c->outcome == EVAL_ERROR;
		if (!counted)
			continue;
		if (b.outcome[i] && !now) {
			r->regressed = xrealloc(r->regressed, (r->nregressed + 1) * sizeof(size_t));
			r->regressed[r->nregressed++] = i;
		} else if (!b.outcome[i] && now) {
			r->fixed = xrealloc(r->fixed, (r->nfixed + 1) * sizeof(size_t));
			r->fixed[r->nfixed++] = i;
		}
	}
	r->counts.regressions = r->nregressed;
	r->counts.fixes = r->nfixed;
	free(b.outcome);
	return (int)r->nregressed;
}

/* ---- the table ---------------------------------------------------------------- */

/* Text from outside made one line and safe for a terminal (core/termout
 * decides what is escaped): newlines and tabs become spaces; cut to at
 * most width code points (0: no cut), padded to width when pad. */
static void show(FILE *out, const char *s, int width, int pad)
{
	size_t len = 0;
	char *e = termout_escape(s ? s : "", s ? strlen(s) : 0, &len);
	int used = 0;
	size_t i = 0;
	while (i < len && (width <= 0 || used < width)) {
		uint32_t cp;
		size_t n = utf8_next(e + i, len - i, &cp);
		if (cp == '\n' || cp == '\t' || cp == '\r')
			fputc(' ', out);
		else
			fwrite(e + i, 1, n, out);
		i += n;
		used++;
	}
	for (; pad && used < width; used++)
		fputc(' ', out);
	free(e);
}

static char *row_name(const struct eval_report *r, size_t row)
{
	const struct testrow *t = &r->rows->v[row];
	if (t->description && *t->description)
		return xstrdup(t->description);
	struct { char *s; size_t n, cap; } b = { 0 };
	b.s = xstrdup("");
	for (size_t i = 0; i < t->nvars; i++) {
		char *next = xasprintf("%s%s%s=%s", b.s, i ? " " : "", t->vars[i].name,
				       t->vars[i].value ? t->vars[i].value : "");
		free(b.s);
		b.s = next;
	}
	return b.s;
}

/* Passed count over the repeats of one row and column, and whether any
 * was not PASSED. */
static void row_verdict(const struct eval_report *r, size_t row, size_t col, size_t *passed,
			size_t *taken, const struct cell **first_bad)
{
	*passed = *taken = 0;
	*first_bad = NULL;
	for (size_t k = 0; k < r->repeat; k++) {
		const struct cell *c = &r->cells[cell_index(r, row, k, col)];
		if (!c->taken)
			continue;
		(*taken)++;
		if (c->outcome == EVAL_PASSED)
			(*passed)++;
		else if (!*first_bad)
			*first_bad = c;
	}
}

static const char *verdict_word(const struct cell *bad)
{
	if (!bad)
		return "PASS";
	switch (bad->outcome) {
	case EVAL_FAILED: return "FAIL";
	case EVAL_ERROR: return "ERROR";
	case EVAL_SKIPPED: return "SKIP";
	case EVAL_CANCELED: return "CANCEL";
	case EVAL_EXPIRED: return "EXPIRED";
	default: return "PASS";
	}
}

static void verdict_text(const struct eval_report *r, size_t row, size_t col, char *buf,
			 size_t n, const struct cell **bad)
{
	size_t passed, taken;
	row_verdict(r, row, col, &passed, &taken, bad);
	if (!taken)
		snprintf(buf, n, "-");
	else if (r->repeat > 1)
		snprintf(buf, n, "%s %zu/%zu", verdict_word(*bad), passed, taken);
	else
		snprintf(buf, n, "%s", verdict_word(*bad));
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static void print_summary(const struct eval_report *r, FILE *out, size_t col, const char *label)
{
	size_t pass = 0, fail = 0, err = 0, skip = 0, cancel = 0, expired = 0, nlat = 0;
	long in = 0, outt = 0;
	double cost = 0;
	int cost_unknown = 0;
	long *lat = xmalloc((r->rows->n * r->repeat + 1) * sizeof *lat);
	for (size_t row = 0; row < r->rows->n; row++)
		for (size_t k = 0; k < r->repeat; k++) {
			const struct cell *c = &r->cells[cell_index(r, row, k, col)];
			if (!c->taken)
				continue;
			switch (c->outcome) {
			case EVAL_PASSED: pass++; break;
			case EVAL_FAILED: fail++; break;
			case EVAL_ERROR: err++; break;
			case EVAL_SKIPPED: skip++; break;
			case EVAL_CANCELED: cancel++; break;
			case EVAL_EXPIRED: expired++; break;
			}
			in += c->in_tokens;
			outt += c->out_tokens;
			if (c->cost_known)
				cost += c->cost;
			else if (c->outcome == EVAL_PASSED || c->outcome == EVAL_FAILED)
				cost_unknown = 1;
			if (c->latency >= 0 && (c->outcome == EVAL_PASSED || c->outcome == EVAL_FAILED))
				lat[nlat++] = c->latency;
		}
	size_t total = pass + fail + err + skip + cancel + expired;
	if (label) {
		show(out, label, 0, 0);
		fputs(": ", out);
	}
	fprintf(out, "%zu/%zu passed (%.1f%%)", pass, total, total ? 100.0 * (double)pass / (double)total : 0.0);
	fprintf(out, ", %zu failed, %zu errors", fail, err);
	if (skip)
		fprintf(out, ", %zu skipped", skip);
	if (cancel)
		fprintf(out, ", %zu canceled", cancel);
	if (expired)
		fprintf(out, ", %zu expired", expired);
	fprintf(out, "; %ld input + %ld output tokens, %s$%.6f", in, outt,
		cost_unknown ? "at least " : "", cost);
	if (nlat) {
		qsort(lat, nlat, sizeof *lat, cmp_long);
		size_t p95 = (size_t)ceil(0.95 * (double)nlat);
		fprintf(out, "; latency median %ld ms, p95 %ld ms",
			nlat % 2 ? lat[nlat / 2] : (lat[nlat / 2 - 1] + lat[nlat / 2]) / 2,
			lat[p95 ? p95 - 1 : 0]);
	}
	fputc('\n', out);
	free(lat);
}

static void print_single(struct eval_report *r, FILE *out, int width)
{
	int namew = width >= 100 ? 32 : 20;
	int reasonw = width - 6 - namew - 2 - 13 - 2 - 24;
	if (reasonw < 16)
		reasonw = 16;
	fprintf(out, "%4s  %-*s  %-12s %-*s %11s %10s\n", "row", namew, "description", "result",
		reasonw, "reason", "cost", "latency");
	for (size_t row = 0; row < r->rows->n; row++) {
		char v[32];
		const struct cell *bad;
		verdict_text(r, row, 0, v, sizeof v, &bad);
		if (!strcmp(v, "-"))
			continue; /* not run (--filter-failing) */
		fprintf(out, "%4zu  ", row + 1);
		char *name = row_name(r, row);
		show(out, name, namew, 1);
		free(name);
		fprintf(out, "  %-12s ", v);
		show(out, bad && bad->reason ? bad->reason : "", reasonw, 1);
		const struct cell *c0 = &r->cells[cell_index(r, row, 0, 0)];
		if (c0->cost_known)
			fprintf(out, " %11.6f", c0->cost);
		else
			fprintf(out, " %11s", "-");
		if (c0->latency >= 0)
			fprintf(out, " %7ld ms\n", c0->latency);
		else
			fprintf(out, " %10s\n", "-");
	}
	fputc('\n', out);
	print_summary(r, out, 0, NULL);
}

static int row_differs(const struct eval_report *r, size_t row)
{
	char first[32], v[32];
	const struct cell *bad;
	verdict_text(r, row, 0, first, sizeof first, &bad);
	for (size_t c = 1; c < r->ncols; c++) {
		verdict_text(r, row, c, v, sizeof v, &bad);
		if (strcmp(v, first))
			return 1;
	}
	return 0;
}

static void print_compare(struct eval_report *r, FILE *out, int width)
{
	int namew = 24;
	int colw = (width - 6 - namew) / (int)r->ncols - 2;
	if (colw < 12)
		colw = 12;
	fprintf(out, "%4s  %-*s", "row", namew, "description");
	for (size_t c = 0; c < r->ncols; c++) {
		fputs("  ", out);
		show(out, r->cols[c].label, colw, 1);
	}
	fputc('\n', out);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t row = 0; row < r->rows->n; row++) {
			if (row_differs(r, row) != !pass)
				continue;
			char v[32];
			const struct cell *bad;
			verdict_text(r, row, 0, v, sizeof v, &bad);
			if (!strcmp(v, "-"))
				continue;
			fprintf(out, "%4zu%c ", row + 1, pass ? ' ' : '*');
			char *name = row_name(r, row);
			show(out, name, namew, 1);
			free(name);
			for (size_t c = 0; c < r->ncols; c++) {
				verdict_text(r, row, c, v, sizeof v, &bad);
				fprintf(out, "  %-*s", colw, v);
			}
			fputc('\n', out);
		}
	}
	fputs("\n(* verdicts differ)\n", out);
	for (size_t c = 0; c < r->ncols; c++)
		print_summary(r, out, c, r->cols[c].label);
}

static void print_baseline(struct eval_report *r, FILE *out)
{
	if (!r->has_baseline)
		return;
	fprintf(out, "against ");
	show(out, r->baseline_path, 0, 0);
	fprintf(out, ": %zu regressions, %zu fixes\n", r->nregressed, r->nfixed);
	for (int k = 0; k < 2; k++) {
		size_t *v = k ? r->fixed : r->regressed;
		size_t n = k ? r->nfixed : r->nregressed;
		for (size_t i = 0; i < n; i++) {
			size_t cell = v[i];
			size_t col = cell % r->ncols, rep = cell / r->ncols % r->repeat;
			size_t row = cell / r->ncols / r->repeat;
			fprintf(out, "  %s row %zu", k ? "fixed    " : "regressed", row + 1);
			if (r->repeat > 1)
				fprintf(out, " repeat %zu", rep + 1);
			if (r->ncols > 1) {
				fputs(" (", out);
				show(out, r->cols[col].label, 0, 0);
				fputc(')', out);
			}
			char *name = row_name(r, row);
			fputs(": ", out);
			show(out, name, 60, 0);
			free(name);
			if (!k && r->cells[cell].reason) {
				fputs(": ", out);
				show(out, r->cells[cell].reason, 80, 0);
			}
			fputc('\n', out);
		}
	}
}

void eval_report_print(struct eval_report *r, FILE *out, int tty, int width)
{
	if (width < 60)
		width = tty ? 60 : 120;
	if (r->ncols > 1)
		print_compare(r, out, width);
	else
		print_single(r, out, width);
	print_baseline(r, out);
}

static cJSON *summary_json(const struct eval_report *r, size_t col)
{
	cJSON *o = cJSON_CreateObject();
	size_t pass = 0, fail = 0, err = 0, skip = 0, cancel = 0, expired = 0;
	double cost = 0;
	long in = 0, outt = 0;
	for (size_t row = 0; row < r->rows->n; row++)
		for (size_t k = 0; k < r->repeat; k++) {
			const struct cell *c = &r->cells[cell_index(r, row, k, col)];
			if (!c->taken)
				continue;
			pass += c->outcome == EVAL_PASSED;
			fail += c->outcome == EVAL_FAILED;
			err += c->outcome == EVAL_ERROR;
			skip += c->outcome == EVAL_SKIPPED;
			cancel += c->outcome == EVAL_CANCELED;
			expired += c->outcome == EVAL_EXPIRED;
			if (c->cost_known)
				cost += c->cost;
			in += c->in_tokens;
			outt += c->out_tokens;
		}
	const struct eval_report_column *c = &r->cols[col];
	cJSON_AddStringToObject(o, "preset", c->preset ? c->preset : "");
	cJSON_AddStringToObject(o, "version", c->version ? c->version : "");
	cJSON_AddStringToObject(o, "model", c->model ? c->model : "");
	cJSON_AddNumberToObject(o, "total", (double)(pass + fail + err + skip + cancel + expired));
	cJSON_AddNumberToObject(o, "passed", (double)pass);
	cJSON_AddNumberToObject(o, "failed", (double)fail);
	cJSON_AddNumberToObject(o, "errors", (double)err);
	cJSON_AddNumberToObject(o, "skipped", (double)skip);
	cJSON_AddNumberToObject(o, "canceled", (double)cancel);
	cJSON_AddNumberToObject(o, "expired", (double)expired);
	cJSON_AddNumberToObject(o, "input_tokens", (double)in);
	cJSON_AddNumberToObject(o, "output_tokens", (double)outt);
	cJSON_AddNumberToObject(o, "cost_usd", cost);
	return o;
}

void eval_report_json(struct eval_report *r, FILE *out)
{
	cJSON *doc = cJSON_CreateObject();
	if (r->kept)
		cJSON_AddItemReferenceToObject(doc, "results", r->kept);
	else
		cJSON_AddArrayToObject(doc, "results");
	cJSON *cols = cJSON_AddArrayToObject(doc, "summary");
	for (size_t c = 0; c < r->ncols; c++)
		cJSON_AddItemToArray(cols, summary_json(r, c));
	if (r->has_baseline) {
		cJSON *b = cJSON_AddObjectToObject(doc, "baseline");
		cJSON_AddStringToObject(b, "path", r->baseline_path);
		cJSON *reg = cJSON_AddArrayToObject(b, "regressions");
		cJSON *fix = cJSON_AddArrayToObject(b, "fixes");
		for (int k = 0; k < 2; k++) {
			size_t *v = k ? r->fixed : r->regressed;
			size_t n = k ? r->nfixed : r->nregressed;
			for (size_t i = 0; i < n; i++) {
				cJSON *e = cJSON_CreateObject();
				size_t cell = v[i];
				cJSON_AddNumberToObject(e, "row", (double)(cell / r->ncols / r->repeat));
				cJSON_AddNumberToObject(e, "repeat", (double)(cell / r->ncols % r->repeat));
				cJSON_AddStringToObject(e, "model", r->cols[cell % r->ncols].model);
				cJSON_AddItemToArray(k ? fix : reg, e);
			}
		}
	} else {
		cJSON_AddNullToObject(doc, "baseline");
	}
	char *s = cJSON_Print(doc);
	fputs(s, out);
	fputc('\n', out);
	free(s);
	cJSON_Delete(doc);
}
