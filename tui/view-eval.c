#include "tui/view-eval.h"
#include "tui/app.h"
#include "tui/assist.h"
#include "tui/editor.h"
#include "tui/helper.h"
#include "tui/sidebyside.h"
#include "tui/view-history.h"
#include "tui/keymap.h"
#include "core/csvedit.h"
#include "core/diag.h"
#include "core/eval.h"
#include "core/evalrows.h"
#include "core/evaltable.h"
#include "core/file.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/redact.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/util.h"

#include <curses.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Concurrency of the workbench's runs: as `pwb eval`'s default. */
enum { EVAL_VIEW_CONCURRENCY = 4 };

struct evalrun {
	struct testrows *rows;
	struct evaltable *table;
	char *load_error;       /* why there are no rows, or NULL */
	/* the run (e NULL when none) */
	struct eval *e;
	struct session *sess;   /* the snapshot the run sends: edits go on meanwhile */
	unsigned char *only;    /* the rows this run covers */
	long long run_id[2];    /* in the run log, per column */
	struct runlog_eval_summary sum[2]; /* what each column's rows came to */
	char version[RUNLOG_VERSION_ID_SIZE];
	char *preset_path;
	long long t0;
	/* the comparison: another model, or a version from the run log */
	char *cmp_label;        /* NULL: none */
	char *cmp_model;        /* the model to compare with, or NULL */
	char *cmp_file;         /* the preset file compared with, or NULL */
	char cmp_version[RUNLOG_VERSION_ID_SIZE];
	struct preset *cmp_preset; /* the version's, NULL for a model */
	/* the last row edit, for undo: tests: before it, and where each row
	 * of the edited table was before it (-1: new) */
	int can_undo;
	char *undo_tests;
	long *undo_map;
	struct evaltable *undo_table; /* the table before it: the results the
				       * edit dropped (a deleted row's) */
	char *edit_var;         /* the variable the edit prompt is for */
	/* generated rows, marked until kept (or undone): rows gen_first.. */
	size_t gen_first, gen_count;
	/* an improve proposal, shown over the table until accepted or rejected */
	struct session *proposal;
	char *proposal_changes; /* "- what: why" lines */
	char *proposal_cur, *proposal_new; /* the prompts as the improver saw them */
	size_t proposal_top;
	/* tests: names a CSV file whose rows are edited here: its text as
	 * edited (written back on Ctrl-S, columns kept) and path; NULL until
	 * the first edit */
	char *csv_text, *csv_path;
	int csv_dirty;
	int undo_csv;           /* undo_tests is a CSV text */
	/* the view: sel is a row, top a position in the shown order */
	size_t sel, top, first_var;
	int differ_first;       /* rows whose verdicts differ shown first */
	size_t *order, *pos;    /* position -> row, row -> position (differ_first) */
};

/* The shown order: with differ_first, the rows whose verdicts differ, then
 * the others, each in row order (O(rows): rebuilt per frame and key). */
static void order_build(struct evalrun *ev)
{
	size_t n = ev->table ? ev->table->nrows : 0;
	if (!ev->differ_first || !n)
		return;
	ev->order = xrealloc(ev->order, n * sizeof *ev->order);
	ev->pos = xrealloc(ev->pos, n * sizeof *ev->pos);
	size_t k = 0;
	for (int pass = 1; pass >= 0; pass--)
		for (size_t r = 0; r < n; r++)
			if (evaltable_differs(ev->table, r) == pass)
				ev->order[k++] = r;
	for (size_t p = 0; p < n; p++)
		ev->pos[ev->order[p]] = p;
}

static size_t pos_of(const struct evalrun *ev, size_t row)
{
	return ev->differ_first && ev->table->nrows ? ev->pos[row] : row;
}

static size_t row_at(const struct evalrun *ev, size_t p)
{
	return ev->differ_first && ev->table->nrows ? ev->order[p] : p;
}

/* The pane's own state: the open row, shown over the table. */
struct evalpane {
	struct textbuf *detail;
};

static void evalrun_rows_free(struct evalrun *ev)
{
	evaltable_free(ev->table);
	testrows_free(ev->rows);
	free(ev->load_error);
	ev->table = NULL;
	ev->rows = NULL;
	ev->load_error = NULL;
}

static void run_close(struct app *a, struct evalrun *ev, int canceled)
{
	if (!ev->e)
		return;
	struct eval_progress p;
	eval_progress(ev->e, &p);
	for (int c = 0; c < 2; c++) {
		if (ev->run_id[c] > 0)
			runlog_eval_finish(a->log, ev->run_id[c], &ev->sum[c]);
		ev->run_id[c] = 0;
	}
	eval_free(ev->e);
	ev->e = NULL;
	session_free(ev->sess);
	ev->sess = NULL;
	free(ev->only);
	ev->only = NULL;
	free(ev->preset_path);
	ev->preset_path = NULL;
	if (!canceled)
		app_message(a, 0, "evaluation done: %zu passed, %zu failed, %zu errors%s", p.passed,
			    p.failed, p.errors, p.skipped ? " (some skipped: the budget)" : "");
}

int view_eval_running(const struct app *a)
{
	return a->eval && a->eval->e;
}

void view_eval_pass(struct app *a)
{
	/* the engine is freed here, never inside its own callback */
	if (view_eval_running(a) && eval_finished(a->eval->e)) {
		run_close(a, a->eval, 0);
		app_dirty(a);
	}
}

static void compare_clear(struct evalrun *ev)
{
	free(ev->cmp_label);
	free(ev->cmp_model);
	free(ev->cmp_file);
	ev->cmp_file = NULL;
	preset_free(ev->cmp_preset);
	ev->cmp_label = ev->cmp_model = NULL;
	ev->cmp_preset = NULL;
	ev->cmp_version[0] = 0;
	ev->differ_first = 0;
	if (ev->table)
		evaltable_set_compare(ev->table, NULL);
}

static void undo_clear(struct evalrun *ev)
{
	free(ev->undo_tests);
	free(ev->undo_map);
	evaltable_free(ev->undo_table);
	ev->undo_tests = NULL;
	ev->undo_map = NULL;
	ev->undo_table = NULL;
	ev->can_undo = 0;
}

static void proposal_clear(struct evalrun *ev)
{
	session_free(ev->proposal);
	free(ev->proposal_changes);
	free(ev->proposal_cur);
	free(ev->proposal_new);
	ev->proposal = NULL;
	ev->proposal_changes = ev->proposal_cur = ev->proposal_new = NULL;
	ev->proposal_top = 0;
}

void view_eval_free(struct app *a)
{
	if (!a->eval)
		return;
	undo_clear(a->eval);
	proposal_clear(a->eval);
	free(a->eval->csv_text);
	free(a->eval->csv_path);
	free(a->eval->edit_var);
	free(a->eval->order);
	free(a->eval->pos);
	run_close(a, a->eval, 1);
	compare_clear(a->eval);
	evalrun_rows_free(a->eval);
	free(a->eval);
	a->eval = NULL;
}

int view_eval_status(struct app *a, char *out, size_t n)
{
	if (!view_eval_running(a))
		return 0;
	struct eval_progress p;
	eval_progress(a->eval->e, &p);
	long long el = app_now(a) - a->eval->t0;
	char eta[32] = "";
	if (p.done && p.done < p.total && el > 0) {
		long long left = el * (long long)(p.total - p.done) / (long long)p.done;
		snprintf(eta, sizeof eta, " ETA %llds", (left + 999) / 1000);
	}
	snprintf(out, n, p.spent_usd < 0.01 ? "eval %zu/%zu, %zu passed, %zu errors, $%.5f%s"
					     : "eval %zu/%zu, %zu passed, %zu errors, $%.4f%s",
		 p.done, p.total, p.passed, p.errors, p.spent_usd, eta);
	return 1;
}

/* The rows of the working preset (tests: as edited). */
static void load_rows(struct app *a, struct evalrun *ev)
{
	evalrun_rows_free(ev);
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	if (ev->csv_text) {
		/* tests: may name another file now (History, an edit): its rows then */
		char *path = evalrows_file_path(a->sess->tests_json, preset_path(a->preset));
		if (!path || strcmp(path, ev->csv_path) != 0) {
			if (ev->csv_dirty)
				app_message(a, 1, "tests: changed: the unsaved edits of %s are dropped",
					    ev->csv_path);
			free(ev->csv_text);
			free(ev->csv_path);
			ev->csv_text = ev->csv_path = NULL;
			ev->csv_dirty = 0;
		}
		free(path);
	}
	if (ev->csv_text) {
		ev->rows = testrows_parse_csv(ev->csv_path, ev->csv_text, strlen(ev->csv_text), &d);
		if (ev->rows)
			testrows_add_common(ev->rows, a->sess->assert_json, preset_path(a->preset),
					    preset_locate_value, a->preset, &d);
	} else {
		ev->rows = evalrows_load(a->preset, NULL, &d);
	}
	if (!ev->rows || !ev->rows->n) {
		const struct diag *e = NULL;
		for (size_t i = 0; i < d.n && !e; i++)
			if (d.v[i].level == DIAG_ERROR)
				e = &d.v[i];
		ev->load_error = e ? xasprintf("%s%s%s", e->path ? e->path : "", e->path ? ": " : "",
					       e->message)
				   : xstrdup("this preset has no test rows: add them under tests: "
					     "(a list, or a .csv, .jsonl or .yaml file)");
	}
	ev->table = evaltable_new(ev->rows);
	/* a CSV file's rows are edited by their place in it */
	for (size_t i = 0; ev->csv_text && i < ev->table->nrows; i++)
		ev->table->json_index[i] = (long)i;
	if (ev->cmp_label)
		evaltable_set_compare(ev->table, ev->cmp_label);
	if (ev->sel >= ev->table->nrows)
		ev->sel = ev->table->nrows ? ev->table->nrows - 1 : 0;
	if (ev->first_var >= ev->table->nvars)
		ev->first_var = 0;
	diag_list_done(&d);
}

void view_eval_open(struct app *a)
{
	if (!a->eval)
		a->eval = xcalloc(1, sizeof *a->eval);
	a->view.title = xasprintf("Evaluate: %s runs all, %s the row, %s the failing, %s opens, 1-5 grade, %s closes",
				  keymap_label(ACT_RUN), keymap_label(ACT_EVAL_RUN_ROW),
				  keymap_label(ACT_EVAL_RERUN_FAILING), keymap_label(ACT_EVAL_OPEN_ROW),
				  keymap_label(ACT_CLOSE));
	/* a run holds its rows; otherwise the preset's tests: may have changed,
	 * and the rows that did not keep their results */
	if (!view_eval_running(a)) {
		struct evaltable *old = a->eval->table;
		a->eval->table = NULL;
		load_rows(a, a->eval);
		if (old)
			evaltable_take_same(a->eval->table, old);
		evaltable_free(old);
	}
}

static void on_result(void *ud, const struct eval_result *r)
{
	struct app *a = ud;
	struct evalrun *ev = a->eval;
	evaltable_set_result(ev->table, r);
	if (r->column < 2 && r->row < ev->rows->n) {
		/* kept for the export: the line `pwb eval -o` writes */
		int cmp = r->column == 1;
		const struct session *cs = cmp && ev->cmp_preset ? preset_session(ev->cmp_preset) : ev->sess;
		const char *model = cmp && ev->cmp_model ? ev->cmp_model : cs->model;
		evaltable_set_result_json(ev->table, r->row, r->column,
					  eval_result_json(r, &ev->rows->v[r->row], cs, ev->preset_path,
							   cmp && ev->cmp_preset ? ev->cmp_version : ev->version,
							   model));
	}
	if (r->column < 2) {
		struct runlog_eval_summary *k = &ev->sum[r->column];
		k->total++;
		k->passed += r->outcome == EVAL_PASSED;
		k->failed += r->outcome == EVAL_FAILED;
		k->errors += r->outcome == EVAL_ERROR;
		k->skipped += r->outcome == EVAL_SKIPPED || r->outcome == EVAL_CANCELED;
		if (r->cost_known)
			k->cost_usd += r->cost_usd;
	}
	if (r->cost_known)
		a->session_cost += r->cost_usd;
	else if (r->message_json)
		a->session_cost_unknown = 1;
	if (r->column < 2 && ev->run_id[r->column] > 0) {
		char *aj = eval_checks_json(r);
		struct runlog_eval_row er = {
			.run_id = ev->run_id[r->column],
			.row = (long)r->row,
			.repeat = (long)r->repeat,
			.description = ev->rows->v[r->row].description,
			.outcome = eval_outcome_name(r->outcome),
			.assertions_json = aj,
			.answer_id = r->answer_id,
		};
		long long id = runlog_eval_result(a->log, &er);
		if (id > 0 && r->row < ev->table->nrows && r->column == 0)
			ev->table->cells[r->row].result_id = id;
		free(aj);
	}
	app_dirty(a);
}

/* Run the rows with only[i] set (only NULL: all); a run of all reloads the
 * rows from the preset first. */
static void run_rows(struct app *a, unsigned char *only)
{
	struct evalrun *ev = a->eval;
	if (view_eval_running(a)) {
		app_message(a, 1, "an evaluation is running (%s cancels it)", keymap_label(ACT_CANCEL));
		free(only);
		return;
	}
	if (!a->have_key) {
		app_message(a, 1, "an evaluation sends requests: it needs an API key (ANTHROPIC_API_KEY or .env)");
		free(only);
		return;
	}
	if (!only)
		load_rows(a, ev);
	if (!ev->table->nrows) {
		app_message(a, 1, "%s", ev->load_error ? ev->load_error : "no rows");
		free(only);
		return;
	}
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	if (evalrows_check(ev->rows, a->sess, &d) > 0) {
		char *t = app_diag_text(&d.v[0]);
		app_message(a, 1, "not run: %s", t);
		free(t);
		diag_list_done(&d);
		free(only);
		return;
	}
	diag_list_done(&d);
	if (a->budget >= 0 && a->session_cost >= a->budget) {
		app_message(a, 1, "not run: the session's cost has reached the budget");
		free(only);
		return;
	}
	ev->sess = session_clone(a->sess);
	logcall_version(a->log, a->preset, ev->version);
	ev->preset_path = a->log ? logcall_preset_path(a->preset) : NULL;
	struct eval_options opt = {
		.concurrency = EVAL_VIEW_CONCURRENCY,
		.repeat = 1,
		.budget_usd = a->budget >= 0 ? a->budget - a->session_cost : -1,
		.log = a->log,
		.command = "tui",
	};
	struct eval_hooks hooks = { .on_result = on_result, .ud = a };
	ev->e = eval_new(a->loop, &a->cfg, &opt, &hooks);
	const char *model = ev->sess->model ? ev->sess->model : "";
	eval_add_column(ev->e, model, ev->sess, NULL, ev->version, ev->preset_path);
	memset(ev->sum, 0, sizeof ev->sum);
	ev->run_id[0] = runlog_eval_start(a->log, ev->version, ev->preset_path, model);
	if (ev->cmp_label) {
		/* the same rows through the other model, or the logged version */
		const struct session *cs = ev->cmp_preset ? preset_session(ev->cmp_preset) : ev->sess;
		const char *cm = ev->cmp_model ? ev->cmp_model : (cs->model ? cs->model : "");
		const char *cv = ev->cmp_preset ? ev->cmp_version : ev->version;
		eval_add_column(ev->e, ev->cmp_label, cs, ev->cmp_model, cv, ev->preset_path);
		ev->run_id[1] = runlog_eval_start(a->log, cv, ev->preset_path, cm);
	}
	ev->only = only;
	eval_set_rows(ev->e, ev->rows, only);
	for (size_t i = 0; i < ev->table->nrows; i++)
		if (!only || only[i])
			evaltable_set_pending(ev->table, i);
	ev->t0 = app_now(a);
	app_message(a, 0, "evaluating %s rows (%s cancels; finished rows stay)",
		    only ? "the chosen" : "all", keymap_label(ACT_CANCEL));
	/* results reported at once (a body that cannot be built) come through
	 * on_result now: the table is ready for them */
	eval_start(ev->e);
}

static int is_version_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

void view_eval_compare(struct app *a, const char *what)
{
	if (!a->eval)
		a->eval = xcalloc(1, sizeof *a->eval);
	struct evalrun *ev = a->eval;
	if (view_eval_running(a)) {
		app_message(a, 1, "an evaluation is running: compare when it is done");
		return;
	}
	compare_clear(ev);
	size_t n = strlen(what);
	while (n && what[n - 1] == ' ')
		n--;
	while (*what == ' ')
		what++, n--;
	if (!n) {
		app_message(a, 0, "no comparison");
		app_dirty(a);
		return;
	}
	char *w = xstrndup(what, n);
	char *text = is_version_id(w) ? runlog_version_text(a->log, w) : NULL;
	if (text) {
		struct diag_list d;
		diag_list_init(&d);
		ev->cmp_preset = preset_load_string(w, text, strlen(text), &d);
		diag_list_done(&d);
		runlog_version_id(text, ev->cmp_version); /* the whole id, w may be a prefix */
		free(text);
		if (!ev->cmp_preset) {
			app_message(a, 1, "version %s cannot be read as a preset", w);
			free(w);
			return;
		}
		ev->cmp_label = xasprintf("version %s", ev->cmp_version);
	} else if (strchr(w, '/') || strstr(w, ".yaml") || strstr(w, ".yml")) {
		/* another preset file: the same rows through its prompt */
		struct diag_list d;
		diag_list_init(&d);
		ev->cmp_preset = preset_load_file(w, &d);
		int bad = !ev->cmp_preset || diag_count(&d, DIAG_ERROR) > 0;
		char *why = NULL;
		for (size_t i = 0; bad && !why && i < d.n; i++)
			if (d.v[i].level == DIAG_ERROR)
				why = app_diag_text(&d.v[i]);
		diag_list_done(&d);
		if (bad) {
			app_message(a, 1, "%s cannot be compared: %s", w, why && *why ? why : "not a preset");
			free(why);
			preset_free(ev->cmp_preset);
			ev->cmp_preset = NULL;
			free(w);
			return;
		}
		logcall_version(a->log, ev->cmp_preset, ev->cmp_version);
		ev->cmp_label = xstrdup(w);
		ev->cmp_file = xstrdup(w);
	} else {
		ev->cmp_model = xstrdup(w);
		ev->cmp_label = xstrdup(w);
	}
	if (ev->table)
		evaltable_set_compare(ev->table, ev->cmp_label);
	app_message(a, 0, "comparing with %s: %s runs both", ev->cmp_label, keymap_label(ACT_RUN));
	free(w);
	app_dirty(a);
}

/* The session's tests: becomes tests (taken); the rows are read again
 * and keep their results: map[i] is old row i's new index (-1: gone);
 * back[j] (taken) new row j's old index, kept for undo. */
static void rows_edited(struct app *a, char *tests, const long *map, long *back, const char *msg)
{
	struct evalrun *ev = a->eval;
	undo_clear(ev);
	ev->gen_count = 0; /* another edit keeps generated rows */
	ev->undo_map = back;
	ev->can_undo = 1;
	if (ev->csv_text) {
		ev->undo_csv = 1;
		ev->undo_tests = ev->csv_text;
		ev->csv_text = tests;
		ev->csv_dirty = 1;
	} else {
		ev->undo_csv = 0;
		ev->undo_tests = a->sess->tests_json;
		a->sess->tests_json = tests;
	}
	app_changed(a);
	struct evaltable *old = ev->table;
	ev->table = NULL; /* kept from load_rows' free: its results move over */
	load_rows(a, ev);
	evaltable_take_results(ev->table, old, map);
	ev->undo_table = old; /* what is left in it: the dropped results */
	if (ev->sel >= ev->table->nrows)
		ev->sel = ev->table->nrows ? ev->table->nrows - 1 : 0;
	app_message(a, 0, "%s (%s undoes; %s saves the preset)", msg, keymap_label(ACT_EVAL_UNDO),
		    keymap_label(ACT_SAVE));
}

/* tests (taken) is the old rows with added more at the end: every old row
 * keeps its results. Returns how many rows there were before. */
static size_t rows_appended(struct app *a, char *tests, size_t added, const char *msg)
{
	size_t n = a->eval->table->nrows;
	long *map = xcalloc(n + 1, sizeof *map), *back = xcalloc(n + added + 1, sizeof *back);
	for (size_t i = 0; i < n; i++)
		map[i] = (long)i;
	for (size_t j = 0; j < n + added; j++)
		back[j] = j < n ? (long)j : -1;
	rows_edited(a, tests, map, back, msg);
	free(map);
	return n;
}

/* The whole of the regular file path (malloc'd, *len bytes), or NULL. */
static char *read_all(const char *path, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	if (file_read_regular(path, &b, NULL) != 0) {
		buf_done(&b);
		return NULL;
	}
	*len = b.len;
	return buf_take(&b);
}

/* When tests: names a .csv file, start editing it here: its text is kept
 * and the rows read from it again. Returns -1 (said) when it names one
 * that cannot be edited as it is; 0 otherwise. */
static int csv_open(struct app *a)
{
	struct evalrun *ev = a->eval;
	app_sync(a);
	char *path = evalrows_file_path(a->sess->tests_json, preset_path(a->preset));
	size_t n = path ? strlen(path) : 0;
	if (!path || n < 4 || strcasecmp(path + n - 4, ".csv") != 0) {
		free(path);
		return 0; /* the preset's own list (or another kind of file: refused later) */
	}
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *rows = testrows_load_file(path, NULL, NULL, &d);
	size_t len = 0;
	char *text = NULL, *err = NULL;
	struct csvedit *ce = NULL;
	int ok = rows && !diag_count(&d, DIAG_ERROR);
	if (ok) {
		text = read_all(path, &len);
		ce = text ? csvedit_parse(text, len, &err) : NULL;
		/* every record a row: the edits land where the table shows them */
		ok = ce && csvedit_rows(ce) == rows->n && strlen(text) == len;
	}
	if (!ok) {
		app_message(a, 1, "%s cannot be edited here (fix its errors first): edit that file", path);
		free(text);
		free(path);
	} else {
		ev->csv_text = text;
		ev->csv_path = path;
		ev->csv_dirty = 0;
		struct evaltable *old = ev->table;
		ev->table = NULL;
		load_rows(a, ev);
		if (old)
			evaltable_take_same(ev->table, old);
		evaltable_free(old);
	}
	free(err);
	csvedit_free(ce);
	testrows_free(rows);
	diag_list_done(&d);
	return ok ? 0 : -1;
}

/* The CSV text after one edit: op 'd' deletes row, 'a' adds a row after
 * row (-1: first) with the table's variables empty, 's' sets row's name
 * to value. malloc'd. */
static char *csv_edited(struct evalrun *ev, int op, long row, const char *name, const char *value)
{
	char *err = NULL;
	struct csvedit *ce = csvedit_parse(ev->csv_text, strlen(ev->csv_text), &err);
	free(err);
	if (!ce)
		return NULL;
	if (op == 'd') {
		csvedit_delete(ce, (size_t)row);
	} else if (op == 'a') {
		size_t at = (size_t)(row + 1);
		csvedit_insert(ce, at);
		for (size_t v = 0; v < ev->table->nvars; v++)
			csvedit_set(ce, at, ev->table->varnames[v], "");
	} else {
		csvedit_set(ce, (size_t)row, name, value);
	}
	char *t = csvedit_emit(ce);
	csvedit_free(ce);
	return t;
}

int view_eval_save_rows(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (!ev || !ev->csv_text || !ev->csv_dirty)
		return 0;
	/* the rows file is written like the preset: never with the key in it */
	if (a->key && *a->key && redact_holds_key(ev->csv_text, strlen(ev->csv_text), a->key)) {
		app_message(a, 1, "the rows were not written to %s: they hold the configured API key "
			    "(%s), which pwb never writes; remove it from the row", ev->csv_path,
			    app_key_source(a));
		return -1;
	}
	const char *step = NULL;
	/* the file's own mode is kept when it has one */
	struct stat st;
	unsigned mode = stat(ev->csv_path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
	int ok = file_write_atomic(ev->csv_path, ev->csv_text, strlen(ev->csv_text), mode, &step) == 0;
	if (!ok) {
		app_message(a, 1, "the rows were not written to %s (%s: %s)", ev->csv_path,
			    step ? step : "writing", strerror(errno));
	} else {
		ev->csv_dirty = 0;
		app_message(a, 0, "saved %s and its rows %s", preset_path(a->preset), ev->csv_path);
	}
	return ok ? 0 : -1;
}

/* Rows can be edited: no run, and the rows are the preset's own list (or
 * a CSV file's, kept here until saved). */
static int editable(struct app *a, int need_row)
{
	struct evalrun *ev = a->eval;
	if (view_eval_running(a)) {
		app_message(a, 1, "an evaluation is running: edit the rows when it is done");
		return 0;
	}
	if (!ev->csv_text && csv_open(a))
		return 0;
	if (need_row && (!ev->table->nrows || ev->table->json_index[ev->sel] < 0)) {
		app_message(a, 1, ev->table->nrows ? "this row is in a file (tests: names it): edit that file"
						   : "no row");
		return 0;
	}
	return 1;
}

static void edit_failed(struct app *a, char *err)
{
	app_message(a, 1, "%s", err ? err : "cannot edit the rows");
	free(err);
}

static void add_row(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (!editable(a, 0))
		return;
	size_t n = ev->table->nrows;
	long after = n ? ev->table->json_index[ev->sel] : -1;
	if (n && after < 0) {
		app_message(a, 1, "this row is in a file (tests: names it): edit that file");
		return;
	}
	/* the new row asks for the table's variables, or the prompt's */
	const char *const *names = (const char *const *)(n ? ev->table->varnames : a->varnames);
	size_t nn = n ? ev->table->nvars : a->nvarnames;
	char *err = NULL;
	char *t = ev->csv_text ? csv_edited(ev, 'a', after, NULL, NULL)
			       : evaltable_json_add_row(a->sess->tests_json, after, names, nn, &err);
	if (!t) {
		edit_failed(a, err);
		return;
	}
	size_t at = n ? ev->sel + 1 : 0;
	long *map = xcalloc(n + 1, sizeof *map), *back = xcalloc(n + 2, sizeof *back);
	for (size_t i = 0; i < n; i++)
		map[i] = (long)(i < at ? i : i + 1);
	for (size_t j = 0; j < n + 1; j++)
		back[j] = j < at ? (long)j : j == at ? -1 : (long)j - 1;
	rows_edited(a, t, map, back, "row added");
	free(map);
	ev->sel = at < ev->table->nrows ? at : ev->sel;
}

static void delete_row(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (!editable(a, 1))
		return;
	char *err = NULL;
	char *t = ev->csv_text ? csv_edited(ev, 'd', ev->table->json_index[ev->sel], NULL, NULL)
			       : evaltable_json_delete_row(a->sess->tests_json,
							   ev->table->json_index[ev->sel], &err);
	if (!t) {
		edit_failed(a, err);
		return;
	}
	size_t n = ev->table->nrows, at = ev->sel;
	long *map = xcalloc(n + 1, sizeof *map), *back = xcalloc(n + 1, sizeof *back);
	for (size_t i = 0; i < n; i++)
		map[i] = i < at ? (long)i : i == at ? -1 : (long)i - 1;
	for (size_t j = 0; j + 1 < n; j++)
		back[j] = (long)(j < at ? j : j + 1);
	char msg[64];
	snprintf(msg, sizeof msg, "row %zu deleted", at + 1);
	rows_edited(a, t, map, back, msg);
	free(map);
}

static void edit_cell(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (!editable(a, 1))
		return;
	if (!ev->table->nvars) {
		app_message(a, 1, "this row has no variables to edit");
		return;
	}
	const char *name = ev->table->varnames[ev->first_var];
	str_set(&ev->edit_var, name);
	app_prompt_line(a, PF_EVAL_EDIT, ev->table->values[ev->sel * ev->table->nvars + ev->first_var],
			"Row %zu, %s: ", ev->sel + 1, name);
}

void view_eval_edit_cell(struct app *a, const char *value)
{
	struct evalrun *ev = a->eval;
	if (!ev || !ev->edit_var || !editable(a, 1))
		return;
	char *err = NULL;
	char *t = ev->csv_text ? csv_edited(ev, 's', ev->table->json_index[ev->sel], ev->edit_var, value)
			       : evaltable_json_set_var(a->sess->tests_json,
							ev->table->json_index[ev->sel], ev->edit_var,
							value, &err);
	if (!t) {
		edit_failed(a, err);
		return;
	}
	/* the edited row's result no longer answers it: only the others move */
	size_t n = ev->table->nrows;
	long *map = xcalloc(n + 1, sizeof *map), *back = xcalloc(n + 1, sizeof *back);
	for (size_t i = 0; i < n; i++) {
		map[i] = i == ev->sel ? -1 : (long)i;
		back[i] = map[i];
	}
	char msg[96];
	snprintf(msg, sizeof msg, "row %zu: %s changed", ev->sel + 1, ev->edit_var);
	rows_edited(a, t, map, back, msg);
	free(map);
}

static void undo_edit(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (!ev->can_undo) {
		app_message(a, 0, "no row edit to undo");
		return;
	}
	if (!editable(a, 0))
		return;
	if (ev->undo_csv) {
		free(ev->csv_text);
		ev->csv_text = ev->undo_tests;
		ev->csv_dirty = 1;
	} else {
		free(a->sess->tests_json);
		a->sess->tests_json = ev->undo_tests;
	}
	ev->undo_tests = NULL;
	app_changed(a);
	struct evaltable *old = ev->table;
	ev->table = NULL;
	load_rows(a, ev);
	/* the results since the edit, then what the edit dropped */
	evaltable_take_results(ev->table, old, ev->undo_map);
	evaltable_free(old);
	struct evaltable *before = ev->undo_table;
	if (before && before->nrows == ev->table->nrows) {
		long *map = xcalloc(before->nrows + 1, sizeof *map);
		for (size_t i = 0; i < before->nrows; i++)
			map[i] = ev->table->cells[i].state == ET_EMPTY ? (long)i : -1;
		evaltable_take_results(ev->table, before, map);
		free(map);
	}
	undo_clear(ev);
	if (ev->sel >= ev->table->nrows)
		ev->sel = ev->table->nrows ? ev->table->nrows - 1 : 0;
	app_message(a, 0, ev->gen_count ? "generated rows discarded" : "row edit undone");
	ev->gen_count = 0;
}

void view_eval_import(struct app *a, const char *path)
{
	struct evalrun *ev = a->eval;
	if (!ev || !editable(a, 0))
		return;
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *rows = evalrows_load_file(path, &d);
	const struct diag *e = NULL;
	for (size_t i = 0; i < d.n && !e; i++)
		if (d.v[i].level == DIAG_ERROR)
			e = &d.v[i];
	if (!rows || e || !rows->n) {
		char *t = e ? app_diag_text(e) : xasprintf("%s: no rows", path);
		app_message(a, 1, "not imported: %s", t);
		free(t);
		testrows_free(rows);
		diag_list_done(&d);
		return;
	}
	diag_list_done(&d);
	char *err = NULL;
	char *t = evaltable_json_append_rows(a->sess->tests_json, rows, &err);
	size_t added = rows->n;
	testrows_free(rows);
	if (!t) {
		edit_failed(a, err);
		return;
	}
	char msg[160];
	snprintf(msg, sizeof msg, "%zu rows imported from %.100s", added, path);
	size_t n = rows_appended(a, t, added, msg);
	if (n < ev->table->nrows)
		ev->sel = n;
}

void view_eval_export(struct app *a, const char *path)
{
	struct evalrun *ev = a->eval;
	if (!ev || !ev->table)
		return;
	size_t n = strlen(path);
	int jsonl = (n > 6 && strcmp(path + n - 6, ".jsonl") == 0) ||
		    (n > 5 && strcmp(path + n - 5, ".json") == 0);
	char *text = jsonl ? evaltable_export_jsonl(ev->table) : evaltable_export_csv(ev->table);
	/* through a temporary file: a failed write leaves an old file whole */
	int ok = file_write_atomic(path, text, strlen(text), 0644, NULL) == 0;
	if (ok)
		app_message(a, 0, "results written to %s (%s)", path, jsonl ? "JSON Lines" : "CSV");
	else
		app_message(a, 1, "cannot write %s: %s", path, strerror(errno));
	free(text);
}

static void on_generated(struct app *a, const char *input, void *ud)
{
	(void)ud;
	struct evalrun *ev = a->eval;
	if (!input || !ev)
		return;
	if (view_eval_running(a)) {
		app_message(a, 1, "generated rows dropped: an evaluation is running");
		return;
	}
	app_sync(a);
	app_validate(a);
	char *err = NULL;
	size_t added = 0;
	char *t = evaltable_json_append_generated(a->sess->tests_json, input,
						  (const char *const *)a->varnames, a->nvarnames,
						  &added, &err);
	if (!t) {
		edit_failed(a, err);
		return;
	}
	size_t n = rows_appended(a, t, added, "");
	ev->gen_first = n;
	ev->gen_count = added;
	if (n < ev->table->nrows)
		ev->sel = n;
	app_message(a, 0, "%zu rows generated (marked +): %s keeps them, %s discards them", added,
		    keymap_label(ACT_EVAL_KEEP_ROWS), keymap_label(ACT_EVAL_UNDO));
}

void view_eval_generate(struct app *a, const char *count)
{
	struct evalrun *ev = a->eval;
	char *end;
	long n = strtol(count, &end, 10);
	if (!ev || !editable(a, 0))
		return;
	if (*end || n < 1 || n > 50) {
		app_message(a, 1, "generate: a number of rows from 1 to 50");
		return;
	}
	app_sync(a);
	app_validate(a); /* the prompt's variables, as typed */
	if (a->sess->tests_json && a->sess->tests_json[0] == '"') {
		app_message(a, 1, "the rows are in a file (tests: names it): generate into the preset's own list");
		return;
	}
	if (!a->nvarnames) {
		app_message(a, 1, "the prompt has no {{variables}}: no rows to generate");
		return;
	}
	struct preset *meta = assist_meta_load(a, "rows");
	if (!meta) {
		return;
	}
	struct session *ms = preset_session(meta);
	char *tool = meta_forced_tool(ms);
	char *prompt = meta_prompt_text(a->sess), *rows = meta_tests_text(a->sess);
	session_set_var(ms, "prompt", prompt);
	session_set_var(ms, "rows", rows);
	session_set_var(ms, "count", count);
	/* the schema names this prompt's variables: each row fills them all */
	char *tools = evaltable_rows_tool(tool ? tool : "write_rows",
					  "Return the new test rows, each with a value for every variable.",
					  (const char *const *)a->varnames, a->nvarnames);
	session_json_set(ms, "tools", tools);
	free(tools);
	free(tool);
	free(prompt);
	free(rows);
	char what[48];
	snprintf(what, sizeof what, "%ld test row%s", n, n == 1 ? "" : "s");
	helper_start(a, meta, what, on_generated, NULL);
}

static void on_improved(struct app *a, const char *input, void *ud)
{
	(void)ud;
	struct evalrun *ev = a->eval;
	if (!input || !ev)
		return;
	app_sync(a);
	struct session *p = session_clone(a->sess);
	char *changes = NULL, *err = NULL;
	if (meta_improve_apply(input, p, &changes, &err)) {
		app_message(a, 1, "proposal refused: %s", err);
		free(err);
		session_free(p);
		return;
	}
	proposal_clear(ev);
	ev->proposal = p;
	ev->proposal_changes = changes;
	ev->proposal_cur = meta_prompt_text(a->sess);
	ev->proposal_new = meta_prompt_text(p);
	app_message(a, 0, "a new version is proposed%s: %s accepts it (both run over the rows), %s rejects it",
		    a->view_kind == VIEW_EVAL ? "" : " (in the Evaluate view)",
		    keymap_label(ACT_EVAL_OPEN_ROW), keymap_label(ACT_CLOSE));
}

static void improve(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (view_eval_running(a)) {
		app_message(a, 1, "an evaluation is running: improve when it is done");
		return;
	}
	size_t nfail = 0;
	char *failures = evaltable_failures_text(ev->table, &nfail);
	if (!nfail) {
		free(failures);
		app_message(a, 1, "no failing row to improve from: %s runs the rows first",
			    keymap_label(ACT_RUN));
		return;
	}
	struct preset *meta = assist_meta_load(a, "improve");
	if (!meta) {
		free(failures);
		return;
	}
	app_sync(a);
	struct session *ms = preset_session(meta);
	char *prompt = meta_prompt_text(a->sess), *tests = meta_tests_text(a->sess);
	session_set_var(ms, "prompt", prompt);
	session_set_var(ms, "tests", tests);
	session_set_var(ms, "failures", failures);
	free(prompt);
	free(tests);
	free(failures);
	char what[64];
	snprintf(what, sizeof what, "a better version (%zu failing row%s)", nfail, nfail == 1 ? "" : "s");
	helper_start(a, meta, what, on_improved, NULL);
}

/* The proposal goes into the editors (one change: History's undo takes it
 * back) and the text before it becomes the comparison: both run. */
static void proposal_accept(struct app *a)
{
	struct evalrun *ev = a->eval;
	if (view_eval_running(a)) {
		app_message(a, 1, "an evaluation is running: accept when it is done");
		return;
	}
	app_sync(a);
	char *before = preset_emit(a->sess);
	char *text = preset_emit(ev->proposal);
	int rc = view_history_swap_in(a, text, 1);
	free(text);
	if (rc != 0) {
		app_message(a, 1, "the proposal cannot be read as a preset");
		free(before);
		return;
	}
	proposal_clear(ev);
	compare_clear(ev);
	struct diag_list d;
	diag_list_init(&d);
	ev->cmp_preset = preset_load_string("before", before, strlen(before), &d);
	diag_list_done(&d);
	free(a->restore_undo);
	a->restore_undo = before;
	if (!ev->cmp_preset) {
		app_message(a, 1, "the text before cannot be compared");
		return;
	}
	logcall_version(a->log, ev->cmp_preset, ev->cmp_version);
	ev->cmp_label = xstrdup("before improve");
	if (ev->table)
		evaltable_set_compare(ev->table, ev->cmp_label);
	run_rows(a, NULL);
	app_message(a, 0, "proposal accepted: A is the new version, B the one before (%s %s undoes)",
		    keymap_label(ACT_HISTORY), keymap_label(ACT_HISTORY_UNDO));
}

static void grade(struct app *a, int g)
{
	struct evalrun *ev = a->eval;
	if (!ev->table->nrows)
		return;
	struct evaltable_cell *c = &ev->table->cells[ev->sel];
	if (c->state != ET_DONE) {
		app_message(a, 1, "row %zu has no answer to grade yet", ev->sel + 1);
		return;
	}
	evaltable_set_grade(ev->table, ev->sel, g);
	const char *where = "not recorded: no run log";
	if (c->result_id > 0)
		where = runlog_set_grade(a->log, c->result_id, g) == 0 ? "in the run log" : NULL;
	if (!where)
		app_message(a, 1, "grade not recorded: %s", runlog_error(a->log));
	else if (g)
		app_message(a, 0, "row %zu graded %d (%s)", ev->sel + 1, g, where);
	else
		app_message(a, 0, "row %zu: grade cleared (%s)", ev->sel + 1, where);
}

static void detail_line(struct textbuf *t, const char *s, size_t n)
{
	int attr = 0;
	if (n >= 6 && strncmp(s, "+ pass", 6) == 0)
		attr = LA_ADDED;
	else if (n >= 6 && strncmp(s, "- FAIL", 6) == 0)
		attr = LA_REMOVED;
	else if (n >= 6 && strncmp(s, "Error:", 6) == 0)
		attr = LA_ERROR;
	else if (n >= 2 && strncmp(s, "@@", 2) == 0)
		attr = LA_META;
	textbuf_append_line(t, s, n, attr);
}

static void open_row(struct app *a, struct evalpane *vp)
{
	struct evalrun *ev = a->eval;
	if (!ev->table->nrows)
		return;
	const struct evaltable *t = ev->table;
	const struct evaltable_cell *c = &t->cells[ev->sel];
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "Row %zu%s%s  (%s: back to the table)\n", ev->sel + 1,
		   t->descriptions[ev->sel] ? ": " : "",
		   t->descriptions[ev->sel] ? t->descriptions[ev->sel] : "", keymap_label(ACT_CLOSE));
	for (size_t v = 0; v < t->nvars; v++)
		buf_printf(&b, "%s = %s\n", t->varnames[v], t->values[ev->sel * t->nvars + v]);
	buf_puts(&b, "\n");
	if (c->state == ET_DONE) {
		buf_printf(&b, "Outcome: %s", eval_outcome_name(c->outcome));
		if (c->grade)
			buf_printf(&b, ", grade %d/5", c->grade);
		buf_puts(&b, "\n\n");
		buf_puts(&b, c->detail ? c->detail : "");
	} else {
		buf_puts(&b, c->state == ET_PENDING ? "(running)\n" : "(not run yet)\n");
	}
	if (t->cmp) {
		const struct evaltable_cell *k = &t->cmp[ev->sel];
		buf_printf(&b, "\n@@ %s: %s\n\n", t->cmp_label,
			   k->state == ET_DONE ? eval_outcome_name(k->outcome)
			   : k->state == ET_PENDING ? "(running)" : "(not run yet)");
		if (k->state == ET_DONE)
			buf_puts(&b, k->detail ? k->detail : "");
	}
	textbuf_free(vp->detail);
	vp->detail = textbuf_new();
	vp->detail->readonly = 1;
	const char *p = buf_str(&b);
	for (;;) {
		const char *nl = strchr(p, '\n');
		if (!nl) {
			if (*p)
				detail_line(vp->detail, p, strlen(p));
			break;
		}
		detail_line(vp->detail, p, (size_t)(nl - p));
		p = nl + 1;
	}
	buf_done(&b);
}

/* The proposal over the table: what changed and why, then the current
 * prompt beside the proposed one, the changed lines marked. */
static void proposal_draw(struct evalrun *ev, struct rect r)
{
	char head[256];
	snprintf(head, sizeof head, "Proposed version: %s accepts it (both run over the rows), %s rejects it",
		 keymap_label(ACT_EVAL_OPEN_ROW), keymap_label(ACT_CLOSE));
	text_draw(r.y, r.x, r.w, head, strlen(head), LA_BOLD);
	int y = r.y + 1;
	const char *c = ev->proposal_changes && *ev->proposal_changes ? ev->proposal_changes
								       : "(no change list given)\n";
	/* the change list takes at most a third of the room */
	int maxc = r.h / 3;
	for (int k = 0; *c && k < maxc; k++) {
		size_t n = strcspn(c, "\n");
		text_draw(y++, r.x, r.w, c, n, LA_META);
		c += n + (c[n] == '\n');
	}
	struct rect d = { y, r.x, r.h - (y - r.y), r.w };
	sidebyside_draw_lines(d, "current", ev->proposal_cur, "proposed", ev->proposal_new,
			      &ev->proposal_top);
}

static void eval_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)focused;
	struct evalpane *vp = p->priv;
	struct evalrun *ev = a->eval;
	if (ev->proposal) {
		proposal_draw(ev, r);
		return;
	}
	if (vp->detail) {
		editor_draw(vp->detail, r.y, r.x, r.h, r.w, 0, 0, NULL, NULL);
		return;
	}
	struct buf b;
	buf_init(&b, 0);
	struct evaltable_summary s;
	evaltable_summarize(ev->table, &s);
	buf_printf(&b, "%s%s  %zu rows  ", ev->cmp_label ? "A: " : "",
		   a->sess->model ? a->sess->model : "(no model)", s.rows);
	evaltable_summary_text(&s, &b);
	text_draw(r.y, r.x, r.w, buf_str(&b), b.len, LA_BOLD);
	if (ev->cmp_label && ev->table->cmp && r.h > 3) {
		/* each side its own header */
		evaltable_summarize_side(ev->table, 1, &s);
		size_t differ = 0;
		for (size_t i = 0; i < ev->table->nrows; i++)
			differ += (size_t)evaltable_differs(ev->table, i);
		buf_clear(&b);
		buf_printf(&b, "B: %s  ", ev->cmp_label);
		evaltable_summary_text(&s, &b);
		buf_printf(&b, "  %zu verdict%s differ%s (\u2260)%s", differ, differ == 1 ? "" : "s",
			   differ == 1 ? "s" : "",
			   ev->differ_first ? ", shown first" : "");
		text_draw(r.y + 1, r.x, r.w, buf_str(&b), b.len, LA_BOLD);
		r.y++;
		r.h--;
	}
	if (r.h < 2)
		goto out;
	if (!ev->table->nrows) {
		const char *m = ev->load_error ? ev->load_error : "no rows";
		text_draw(r.y + 1, r.x, r.w, m, strlen(m), LA_ERROR);
		for (int i = 2; i < r.h; i++)
			text_draw(r.y + i, r.x, r.w, "", 0, 0);
		goto out;
	}
	struct evaltable_layout l;
	/* one column for the selection mark (the reverse video alone is lost
	 * in a dump and on some terminals) */
	evaltable_layout(ev->table, r.w - 2, ev->first_var, &l);
	ev->first_var = l.first_var;
	buf_clear(&b);
	buf_puts(&b, "  ");
	evaltable_header_line(ev->table, &l, &b);
	text_draw(r.y + 1, r.x, r.w, buf_str(&b), b.len, LA_META);
	/* only the visible rows: the cost of a frame does not grow with the table */
	size_t h = r.h > 2 ? (size_t)(r.h - 2) : 0;
	order_build(ev);
	size_t sp = pos_of(ev, ev->sel);
	if (sp < ev->top)
		ev->top = sp;
	if (h && sp >= ev->top + h)
		ev->top = sp - h + 1;
	for (size_t i = 0; i < h; i++) {
		int y = r.y + 2 + (int)i;
		if (ev->top + i >= ev->table->nrows) {
			text_draw(y, r.x, r.w, "", 0, 0);
			continue;
		}
		size_t row = row_at(ev, ev->top + i);
		buf_clear(&b);
		buf_puts(&b, row == ev->sel ? "\u25b8" : " ");
		buf_puts(&b, ev->gen_count && row >= ev->gen_first && row - ev->gen_first < ev->gen_count
				     ? "+" : " ");
		evaltable_row_line(ev->table, &l, row, &b);
		const struct evaltable_cell *c = &ev->table->cells[row];
		int attr = c->state == ET_DONE && (c->outcome == EVAL_FAILED || c->outcome == EVAL_ERROR)
				   ? LA_ERROR
				   : 0;
		text_draw(y, r.x, r.w, buf_str(&b), b.len, attr);
		if (row == ev->sel)
			mvchgat(y, r.x, r.w, A_REVERSE, 0, NULL);
	}
out:
	buf_done(&b);
}

static int eval_action(struct app *a, struct pane *p, enum action act)
{
	struct evalpane *vp = p->priv;
	struct evalrun *ev = a->eval;
	size_t n = ev->table->nrows;
	size_t page = p->r.h > 3 ? (size_t)(p->r.h - 3) : 1;
	order_build(ev);
	size_t sp = n ? pos_of(ev, ev->sel) : 0;
	if (ev->proposal) {
		switch (act) {
		case ACT_EVAL_OPEN_ROW: proposal_accept(a); return 1;
		case ACT_CLOSE:
			proposal_clear(ev);
			app_message(a, 0, "proposal rejected: nothing changed");
			return 1;
		case ACT_SCROLL_UP: if (ev->proposal_top) ev->proposal_top--; return 1;
		case ACT_SCROLL_DOWN: ev->proposal_top++; return 1;
		case ACT_SCROLL_PAGE_UP: ev->proposal_top = ev->proposal_top > page ? ev->proposal_top - page : 0; return 1;
		case ACT_SCROLL_PAGE_DOWN: ev->proposal_top += page; return 1;
		case ACT_SCROLL_TOP: ev->proposal_top = 0; return 1;
		case ACT_CANCEL:
		case ACT_EVALUATE:
		case ACT_HISTORY:
			break;
		default:
			if (act == ACT_RUN || (act >= ACT_EVAL_RUN_ROW && act <= ACT_EVAL_IMPROVE)) {
				app_message(a, 0, "a proposal is open: %s accepts it, %s rejects it",
					    keymap_label(ACT_EVAL_OPEN_ROW), keymap_label(ACT_CLOSE));
				return 1;
			}
			break;
		}
	}
	if (vp->detail) {
		int w = p->r.w > 0 ? p->r.w : 80, h = p->r.h > 0 ? p->r.h : 10;
		switch (act) {
		case ACT_CLOSE:
			textbuf_free(vp->detail);
			vp->detail = NULL;
			return 1;
		case ACT_SCROLL_UP: textbuf_scroll(vp->detail, -1, w, h); return 1;
		case ACT_SCROLL_DOWN: textbuf_scroll(vp->detail, 1, w, h); return 1;
		case ACT_SCROLL_PAGE_UP: textbuf_scroll(vp->detail, -(h - 1), w, h); return 1;
		case ACT_SCROLL_PAGE_DOWN: textbuf_scroll(vp->detail, h - 1, w, h); return 1;
		case ACT_SCROLL_TOP: vp->detail->top_line = vp->detail->top_row = 0; return 1;
		case ACT_SCROLL_BOTTOM: textbuf_view_end(vp->detail, w, h); return 1;
		default: break;
		}
	}
	switch (act) {
	case ACT_RUN:
		run_rows(a, NULL);
		return 1;
	case ACT_CANCEL:
		if (!view_eval_running(a))
			return 0;
		eval_cancel(ev->e);
		app_message(a, 0, "evaluation canceled: finished rows stay");
		run_close(a, ev, 1);
		return 1;
	case ACT_EVAL_RUN_ROW:
		if (n) {
			unsigned char *only = xcalloc(n, 1);
			only[ev->sel] = 1;
			run_rows(a, only);
		}
		return 1;
	case ACT_EVAL_RERUN_FAILING: {
		if (!n)
			return 1;
		unsigned char *only = xcalloc(n, 1);
		if (!evaltable_failing(ev->table, only)) {
			free(only);
			app_message(a, 0, "no row failed");
			return 1;
		}
		run_rows(a, only);
		return 1;
	}
	case ACT_EVAL_OPEN_ROW:
		open_row(a, vp);
		return 1;
	case ACT_EVAL_COMPARE:
		app_prompt_line(a, PF_EVAL_COMPARE,
				ev->cmp_model ? ev->cmp_model : ev->cmp_file ? ev->cmp_file : ev->cmp_version,
				"Compare with (a model, a version id from History, or a preset file; empty: none): ");
		return 1;
	case ACT_EVAL_EDIT_CELL:
		edit_cell(a);
		return 1;
	case ACT_EVAL_IMPORT:
		if (editable(a, 0))
			app_prompt_line(a, PF_EVAL_IMPORT, "", "Import rows from (a .csv, .jsonl or .yaml file): ");
		return 1;
	case ACT_EVAL_EXPORT:
		app_prompt_line(a, PF_EVAL_EXPORT, "results.csv",
				"Export the results to (.csv, or .jsonl for JSON Lines): ");
		return 1;
	case ACT_EVAL_IMPROVE:
		improve(a);
		return 1;
	case ACT_EVAL_GENERATE:
		if (editable(a, 0))
			app_prompt_line(a, PF_EVAL_GENERATE, "3", "Generate how many rows? ");
		return 1;
	case ACT_EVAL_KEEP_ROWS:
		if (!ev->gen_count) {
			app_message(a, 0, "no generated rows to keep (%s generates some)",
				    keymap_label(ACT_EVAL_GENERATE));
			return 1;
		}
		app_message(a, 0, "kept %zu generated rows (%s saves the preset)", ev->gen_count,
			    keymap_label(ACT_SAVE));
		ev->gen_count = 0;
		undo_clear(ev);
		return 1;
	case ACT_EVAL_ADD_ROW:
		add_row(a);
		return 1;
	case ACT_EVAL_DELETE_ROW:
		delete_row(a);
		return 1;
	case ACT_EVAL_UNDO:
		undo_edit(a);
		return 1;
	case ACT_EVAL_COLUMN_LEFT:
		if (ev->first_var)
			ev->first_var--;
		return 1;
	case ACT_EVAL_COLUMN_RIGHT:
		if (ev->first_var + 1 < ev->table->nvars)
			ev->first_var++;
		return 1;
	case ACT_EVAL_GRADE_CLEAR: grade(a, 0); return 1;
	case ACT_EVAL_GRADE_1: grade(a, 1); return 1;
	case ACT_EVAL_GRADE_2: grade(a, 2); return 1;
	case ACT_EVAL_GRADE_3: grade(a, 3); return 1;
	case ACT_EVAL_GRADE_4: grade(a, 4); return 1;
	case ACT_EVAL_GRADE_5: grade(a, 5); return 1;
	case ACT_EVAL_DIFFER_FIRST:
		if (!ev->cmp_label) {
			app_message(a, 0, "no comparison: %s adds one", keymap_label(ACT_EVAL_COMPARE));
			return 1;
		}
		ev->differ_first = !ev->differ_first;
		ev->top = 0;
		return 1;
	/* the cursor moves through the shown order */
	case ACT_SCROLL_UP:
		if (sp)
			ev->sel = row_at(ev, sp - 1);
		return 1;
	case ACT_SCROLL_DOWN:
		if (sp + 1 < n)
			ev->sel = row_at(ev, sp + 1);
		return 1;
	case ACT_SCROLL_PAGE_UP:
		ev->sel = row_at(ev, sp > page ? sp - page : 0);
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		ev->sel = row_at(ev, sp + page < n ? sp + page : (n ? n - 1 : 0));
		return 1;
	case ACT_SCROLL_TOP:
		ev->sel = row_at(ev, 0);
		return 1;
	case ACT_SCROLL_BOTTOM:
		ev->sel = row_at(ev, n ? n - 1 : 0);
		return 1;
	default:
		return 0;
	}
}

static void eval_dump(struct app *a, struct pane *p, struct buf *out)
{
	(void)p;
	struct evalrun *ev = a->eval;
	for (size_t r = 0; r < ev->table->nrows; r++) {
		const struct evaltable_cell *c = &ev->table->cells[r];
		buf_printf(out, "row %zu: %s %zu/%zu grade %d\n", r + 1,
			   c->state == ET_DONE ? eval_outcome_name(c->outcome) : "-", c->passed, c->total,
			   c->grade);
	}
}

static void eval_pane_free(struct app *a, struct pane *p)
{
	(void)a;
	struct evalpane *vp = p->priv;
	textbuf_free(vp->detail);
}

const struct pane_ops pane_eval_ops = {
	.name = "Evaluate",
	.chain = CHAIN_EVAL,
	.private_size = sizeof(struct evalpane),
	.draw = eval_draw,
	.action = eval_action,
	.dump = eval_dump,
	.free = eval_pane_free,
};
