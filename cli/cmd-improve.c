/* pwb improve: send a preset's prompt, its test rows (read-only) and the
 * rows that failed in its last evaluation (an `eval -o` file, or the run
 * log) to the improve meta-prompt; write the proposed version beside it,
 * print what changed and a diff; with --eval, run both versions over the
 * same rows at once and compare. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "cli/eval-report.h"
#include "cli/meta-call.h"
#include "core/assert.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/eval.h"
#include "core/evalrows.h"
#include "core/file.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char help[] =
	"usage: pwb improve FILE [options]\n"
	"Ask Claude for a better version of the preset FILE from the rows that\n"
	"failed in its last evaluation (their answers and the assertions'\n"
	"reasons). The test rows and assertions are sent read-only: a proposal\n"
	"that changes tests: or assert: is refused. Writes NEW, prints the list\n"
	"of changes and a diff against FILE (meta-prompt: improve.yaml).\n"
	"  --from RESULTS   the failing rows from this `pwb eval -o` file (default:\n"
	"                   the last eval of this version in the run log)\n"
	"  -o NEW           where to write the new version (default: FILE with\n"
	"                   .improved before the extension)\n"
	"  --model M        the model that proposes (default: the meta-prompt's)\n"
	"  --eval           then run both versions over the same rows and compare\n"
	"                   (pass rate, cost, latency, rows better or worse)\n"
	"Exit: 0 written (with --eval: every row of NEW passed); 1 the proposal was\n"
	"refused (nothing written), or with --eval a row of NEW failed; 2 bad\n"
	"input; 3 API error; 4 network or protocol error; 130 interrupted.\n";

struct improve_args {
	const char *file, *from, *out, *model;
	int eval;
};

/* 0, 1 for --help, or EXIT_INPUT (printed). */
static int parse_args(int argc, char **argv, struct improve_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			cli_print_help(help);
			return 1;
		} else if (!strcmp(o, "--from") || !strcmp(o, "-o") || !strcmp(o, "--model")) {
			if (!v) {
				cli_msg(stderr, "pwb improve: %s needs a value\n", o);
				return EXIT_INPUT;
			}
			i++;
			if (!strcmp(o, "--from"))
				a->from = v;
			else if (!strcmp(o, "-o"))
				a->out = v;
			else
				a->model = v;
		} else if (!strcmp(o, "--eval")) {
			a->eval = 1;
		} else if (o[0] == '-' && o[1]) {
			cli_msg(stderr, "pwb improve: unknown option '%s'\n\n", o);
			fputs(help, stderr);
			return EXIT_INPUT;
		} else if (!a->file) {
			a->file = o;
		} else {
			cli_msg(stderr, "pwb improve: one FILE only\n");
			return EXIT_INPUT;
		}
	}
	if (!a->file) {
		cli_msg(stderr, "pwb improve: missing FILE\n\n%s", help);
		return EXIT_INPUT;
	}
	if (!strcmp(a->file, "-")) {
		cli_msg(stderr, "pwb improve: FILE must be a file (the new version goes beside it)\n");
		return EXIT_INPUT;
	}
	return 0;
}

/* "dir/p.yaml" -> "dir/p.improved.yaml"; "p" -> "p.improved". */
static char *default_out(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return xasprintf("%s.improved", file);
	return xasprintf("%.*s.improved%s", (int)(dot - file), file, dot);
}

/* ---- the failing rows ---------------------------------------------------- */

struct failures {
	struct meta_failure *v;
	size_t n;
	char **owned; /* strings the entries point into */
	size_t nowned;
};

static const char *keep(struct failures *f, char *s)
{
	f->owned = xrealloc(f->owned, (f->nowned + 1) * sizeof *f->owned);
	f->owned[f->nowned++] = s;
	return s;
}

static void failures_add(struct failures *f, long row, const char *description,
			 const char *vars_json, const char *outcome, const char *output,
			 const char *assertions_json)
{
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	f->v[f->n++] = (struct meta_failure){
		.row = row,
		.description = description ? keep(f, xstrdup(description)) : NULL,
		.vars_json = vars_json ? keep(f, xstrdup(vars_json)) : NULL,
		.outcome = outcome ? keep(f, xstrdup(outcome)) : NULL,
		.output = output ? keep(f, xstrdup(output)) : NULL,
		.assertions_json = assertions_json ? keep(f, xstrdup(assertions_json)) : NULL,
	};
}

static void failures_free(struct failures *f)
{
	for (size_t i = 0; i < f->nowned; i++)
		free(f->owned[i]);
	free(f->owned);
	free(f->v);
}

static int not_passed(const char *outcome)
{
	return outcome && (!strcmp(outcome, "failed") || !strcmp(outcome, "error"));
}

static char *json_item_text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;
}

/* --from RESULTS: the failed and errored lines; when some lines are of
 * this version, only those (a comparison file holds other columns).
 * 0, or EXIT_INPUT (printed). */
static int failures_from_file(const char *path, const char *version, struct failures *f)
{
	struct buf b;
	buf_init(&b, 0);
	const char *why = NULL;
	if (file_read_regular(path, &b, &why) < 0) {
		cli_msg(stderr, "pwb improve: %s: %s\n", path, why ? why : strerror(errno));
		buf_done(&b);
		return EXIT_INPUT;
	}
	int mine = 0, lineno = 0, rc = 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		const char *p = b.data ? b.data : "";
		lineno = 0;
		while (*p && !rc) {
			const char *line = p;
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			lineno++;
			cJSON *o = cJSON_ParseWithLength(p, len);
			p += len + (nl ? 1 : 0);
			if (!o) {
				if (strspn(line, " \t\r") < len) {
					cli_msg(stderr, "pwb improve: %s:%d: not a JSON line\n", path, lineno);
					rc = EXIT_INPUT;
				}
				continue;
			}
			const cJSON *ver = cJSON_GetObjectItemCaseSensitive(o, "version");
			int this = cJSON_IsString(ver) && version && *version &&
				   !strcmp(ver->valuestring, version);
			if (pass == 0) {
				mine |= this;
			} else if (!mine || this) {
				const cJSON *row = cJSON_GetObjectItemCaseSensitive(o, "row");
				const cJSON *oc = cJSON_GetObjectItemCaseSensitive(o, "outcome");
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "description");
				const cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "output");
				if (cJSON_IsNumber(row) && cJSON_IsString(oc) && not_passed(oc->valuestring)) {
					char *vars = json_item_text(o, "vars");
					char *as = json_item_text(o, "assertions");
					failures_add(f, (long)row->valuedouble,
						     cJSON_IsString(d) ? d->valuestring : NULL, vars,
						     oc->valuestring,
						     cJSON_IsString(out) ? out->valuestring : NULL, as);
					free(vars);
					free(as);
				}
			}
			cJSON_Delete(o);
		}
	}
	buf_done(&b);
	return rc;
}

/* The row's own variables as a JSON object (the run log does not keep
 * them: the rows do). */
static char *row_vars_json(const struct testrows *rows, long i)
{
	if (!rows || i < 0 || (size_t)i >= rows->n)
		return NULL;
	const struct testrow *r = &rows->v[i];
	cJSON *o = cJSON_CreateObject();
	for (size_t k = 0; k < r->nvars; k++)
		cJSON_AddStringToObject(o, r->vars[k].name, r->vars[k].value);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The last finished eval of this version in the run log. */
static void failures_from_log(struct runlog *log, const char *version, const char *file,
			      const struct testrows *rows, struct failures *f)
{
	struct runlog_eval_result_line *lines = NULL;
	size_t n = 0;
	long long run = 0;
	if (!log) {
		cli_msg(stderr, "pwb improve: the run log is off: improving without failing rows "
			"(give --from RESULTS)\n");
		return;
	}
	if (!*version || runlog_last_eval_results(log, version, &run, &lines, &n) < 0 || !run) {
		cli_msg(stderr, "pwb improve: no evaluation of this version of %s in the run log "
			"(run `pwb eval %s` first, or give --from RESULTS); improving without "
			"failing rows\n", file, file);
		runlog_eval_result_lines_free(lines, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!not_passed(lines[i].outcome))
			continue;
		struct assert_answer ans;
		assert_answer_from_message(lines[i].message_json, &ans);
		char *vars = lines[i].vars_json ? xstrdup(lines[i].vars_json)
						: row_vars_json(rows, lines[i].row);
		failures_add(f, lines[i].row, lines[i].description, vars, lines[i].outcome, ans.text,
			     lines[i].assertions_json);
		free(vars);
		assert_answer_done(&ans);
	}
	runlog_eval_result_lines_free(lines, n);
}

/* ---- --eval: both versions over the same rows ---------------------------- */

struct compare {
	struct eval_report *report;
	struct runlog *log;
	long long run_ids[2];
	const struct testrows *rows;
	signed char *outcome[2]; /* per row: -1 none, 1 passed, 0 not */
	int write_failed;
};

static void on_result(void *ud, const struct eval_result *res)
{
	struct compare *c = ud;
	if (eval_report_add(c->report, res) < 0)
		c->write_failed = 1;
	if (res->column < 2 && res->repeat == 0)
		c->outcome[res->column][res->row] = res->outcome == EVAL_PASSED;
	if (c->log && c->run_ids[res->column] > 0) {
		char *aj = eval_report_checks_json(res);
		struct runlog_eval_row er = {
			.run_id = c->run_ids[res->column],
			.row = (long)res->row,
			.repeat = (long)res->repeat,
			.description = c->rows->v[res->row].description,
			.outcome = eval_outcome_name(res->outcome),
			.assertions_json = aj,
			.answer_id = res->answer_id,
		};
		runlog_eval_result(c->log, &er);
		free(aj);
	}
}

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	return c && atoi(c) > 0 ? atoi(c) : 120;
}

static void print_moves(const struct compare *c, int better)
{
	int any = 0;
	cli_msg(stdout, "%s:", better ? "better" : "worse");
	for (size_t i = 0; i < c->rows->n; i++) {
		int o = c->outcome[0][i], n = c->outcome[1][i];
		if (o < 0 || n < 0 || (better ? !(n && !o) : !(o && !n)))
			continue;
		const char *d = c->rows->v[i].description;
		cli_msg(stdout, "%s row %zu%s%s%s", any++ ? "," : "", i + 1, d ? " (" : "", d ? d : "",
			d ? ")" : "");
	}
	cli_msg(stdout, "%s\n", any ? "" : " none");
}

/* Run FILE (column 0) and NEW (column 1) over rows; print the table and
 * the comparison. Returns eval's exit code for NEW. */
static int compare_versions(struct preset *old, struct preset *new, const struct testrows *rows,
			    const char *key, struct runlog *log)
{
	struct compare c = { .log = log, .rows = rows };
	struct eval_report_column cols[2];
	char versions[2][RUNLOG_VERSION_ID_SIZE];
	char *abs[2];
	struct preset *ps[2] = { old, new };
	for (int i = 0; i < 2; i++) {
		const struct session *s = preset_session(ps[i]);
		logcall_version(log, ps[i], versions[i]);
		abs[i] = logcall_preset_path(ps[i]);
		cols[i] = (struct eval_report_column){
			.preset = preset_path(ps[i]), .version = versions[i],
			.model = s->model ? s->model : "", .label = preset_path(ps[i]), .session = s,
		};
		c.outcome[i] = xmalloc(rows->n ? rows->n : 1);
		memset(c.outcome[i], -1, rows->n ? rows->n : 1);
	}
	struct api_config cfg;
	int rc = EXIT_INPUT;
	struct loop *loop = NULL;
	struct eval *e = NULL;
	c.report = eval_report_new(rows, 1, cols, 2, NULL, 0);
	if (cli_api_config(&cfg, preset_session(old), key))
		goto out;
	loop = loop_new();
	struct eval_options opt = { .concurrency = 4, .repeat = 1, .budget_usd = -1, .log = log,
				    .command = "improve" };
	struct eval_hooks hooks = { .on_result = on_result, .ud = &c };
	e = eval_new(loop, &cfg, &opt, &hooks);
	for (int i = 0; i < 2; i++) {
		eval_add_column(e, cols[i].label, cols[i].session, NULL, versions[i], abs[i]);
		c.run_ids[i] = runlog_eval_start(log, versions[i], abs[i] ? abs[i] : cols[i].preset,
						 cols[i].model);
	}
	eval_set_rows(e, rows, NULL);
	cli_sigint_install(loop, NULL);
	int canceled = 0;
	eval_start(e);
	while (!eval_finished(e)) {
		if (cli_interrupted() && !canceled) {
			canceled = 1;
			eval_cancel(e);
			continue;
		}
		loop_once(loop, 1000);
	}
	cli_sigint_remove(loop);
	struct eval_report_counts k[2];
	for (int i = 0; i < 2; i++) {
		eval_report_column_counts(c.report, (size_t)i, &k[i]);
		struct runlog_eval_summary sum = {
			.passed = (long)k[i].passed, .failed = (long)k[i].failed,
			.errors = (long)k[i].errors, .skipped = (long)(k[i].skipped + k[i].expired),
			.total = (long)(k[i].passed + k[i].failed + k[i].errors + k[i].skipped +
					k[i].canceled + k[i].expired),
		};
		runlog_eval_finish(log, c.run_ids[i], &sum);
	}
	fputs("\n", stdout);
	eval_report_print(c.report, stdout, isatty(STDOUT_FILENO), term_width());
	print_moves(&c, 1);
	print_moves(&c, 0);
	const struct eval_report_counts *kn = &k[1];
	if (canceled || cli_interrupted())
		rc = EXIT_INTERRUPTED;
	else if (kn->network_errors)
		rc = EXIT_NETWORK;
	else if (kn->api_errors)
		rc = EXIT_API;
	else if (kn->errors)
		rc = EXIT_INPUT;
	else if (kn->failed || kn->skipped || kn->expired)
		rc = 1;
	else
		rc = EXIT_OK;
out:
	api_config_done(&cfg);
	eval_free(e);
	eval_report_free(c.report);
	if (loop)
		loop_free(loop);
	for (int i = 0; i < 2; i++) {
		free(abs[i]);
		free(c.outcome[i]);
	}
	return rc;
}

/* ---- the command ----------------------------------------------------------- */

/* tests: "rows.csv" is relative to the preset: when NEW goes to another
 * folder, point it at the same file by its absolute path. */
static void keep_rows_file(struct session *s, const char *file, const char *out)
{
	cJSON *t = s->tests_json ? cJSON_Parse(s->tests_json) : NULL;
	const char *rel = cJSON_IsString(t) ? t->valuestring : NULL;
	if (rel && !strncmp(rel, "file://", 7))
		rel += 7;
	char *from = file_dir_of(file), *to = file_dir_of(out);
	char *rf = realpath(from, NULL), *rt = realpath(to, NULL);
	if (rel && *rel != '/' && rf && rt && strcmp(rf, rt)) {
		char *abs = xasprintf("%s/%s", rf, rel);
		cJSON *j = cJSON_CreateString(abs);
		free(s->tests_json);
		s->tests_json = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		free(abs);
	}
	free(from);
	free(to);
	free(rf);
	free(rt);
	cJSON_Delete(t);
}

/* The new version is what eval accepts: valid, and the rows give every
 * variable it uses. Printed; 1 when not. */
static int check_new(struct preset *p, const struct testrows *rows)
{
	struct diag_list d;
	diag_list_init(&d);
	preset_validate(p, &d);
	if (rows)
		evalrows_check(rows, preset_session(p), &d);
	int bad = diag_count(&d, DIAG_ERROR) > 0;
	if (bad) {
		cli_msg(stderr, "pwb improve: the proposal is not a valid version of the preset "
			"(nothing written):\n");
		cli_print_diags(stderr, &d, 1);
	}
	diag_list_done(&d);
	return bad;
}

static char *read_text(const char *path)
{
	struct buf b;
	buf_init(&b, 0);
	if (file_read_regular(path, &b, NULL) < 0) {
		buf_done(&b);
		return NULL;
	}
	return b.data ? buf_take(&b) : (buf_done(&b), xstrdup(""));
}

int cmd_improve(int argc, char **argv)
{
	struct improve_args a = { 0 };
	struct cli_sets none = { 0 };
	struct preset *p = NULL, *next = NULL, *meta = NULL, *written = NULL;
	struct testrows *rows = NULL;
	struct failures fails = { 0 };
	struct runlog *log = NULL;
	char *key = NULL, *out = NULL, *input = NULL, *changes = NULL, *err = NULL;
	char *old_text = NULL, *new_text = NULL, *diff = NULL;
	char *prompt = NULL, *tests = NULL, *ftext = NULL;
	int rc = parse_args(argc, argv, &a);
	if (rc == 1) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = EXIT_INPUT;
	if (cli_load_preset(a.file, &none, &p, NULL))
		goto out;
	struct session *s = preset_session(p);
	if (s->tests_json) {
		struct diag_list d;
		diag_list_init(&d);
		rows = evalrows_load(p, NULL, &d);
		cli_print_diags(stderr, &d, 1);
		diag_list_done(&d);
		if (!rows)
			goto out;
	}
	if (a.eval && (!rows || !rows->n)) {
		cli_msg(stderr, "pwb improve: --eval needs test rows (tests:) in %s\n", a.file);
		goto out;
	}
	out = a.out ? xstrdup(a.out) : default_out(a.file);
	char *rf = realpath(a.file, NULL), *ro = realpath(out, NULL);
	int same = !strcmp(out, a.file) || (rf && ro && !strcmp(rf, ro));
	free(rf);
	free(ro);
	if (same) {
		cli_msg(stderr, "pwb improve: -o NEW must not be FILE itself\n");
		goto out;
	}
	if (cli_get_key(&key, NULL))
		goto out;
	cli_set_output_key(key);
	char *lerr = NULL;
	log = runlog_open(NULL, key, &lerr);
	if (!log && lerr)
		cli_msg(stderr, "pwb improve: warning: run log not read or written: %s\n", lerr);
	free(lerr);
	char version[RUNLOG_VERSION_ID_SIZE] = "";
	logcall_version(log, p, version);
	if (a.from) {
		if (failures_from_file(a.from, version, &fails))
			goto out;
	} else {
		failures_from_log(log, version, a.file, rows, &fails);
	}
	if (a.from && !fails.n)
		cli_msg(stderr, "pwb improve: no row failed in %s: asking for a better version "
			"anyway\n", a.from);

	struct diag_list d;
	diag_list_init(&d);
	meta = meta_load("improve", &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (!meta)
		goto out;
	struct session *ms = preset_session(meta);
	prompt = meta_prompt_text(s);
	tests = meta_tests_text(s);
	ftext = meta_failures_text(fails.v, fails.n);
	session_set_var(ms, "prompt", prompt);
	session_set_var(ms, "tests", tests);
	session_set_var(ms, "failures", ftext);
	rc = meta_call_run("improve", meta, a.model, key, &input);
	if (rc)
		goto out;

	rc = EXIT_CHANGED;
	if (cli_load_preset(a.file, &none, &next, NULL)) {
		rc = EXIT_INPUT;
		goto out;
	}
	if (meta_improve_apply(input, preset_session(next), &changes, &err)) {
		cli_msg(stderr, "pwb improve: %s (nothing written)\n", err);
		goto out;
	}
	keep_rows_file(preset_session(next), a.file, out);
	if (check_new(next, rows))
		goto out;
	diag_list_init(&d);
	enum preset_save_result sr = preset_save(next, out, 0, key, &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (sr != PRESET_SAVED) {
		cli_msg(stderr, "pwb improve: %s not written\n", out);
		rc = sr == PRESET_SAVE_KEY_SHAPED ? EXIT_CHANGED : EXIT_INPUT;
		goto out;
	}
	cli_msg(stdout, "changes:\n");
	cli_data(stdout, *changes ? changes : "- (none listed)\n",
		 strlen(*changes ? changes : "- (none listed)\n"));
	cli_data_end(stdout);
	/* Both canonical: the diff shows what changed, not how FILE was typed. */
	old_text = preset_emit(s);
	new_text = read_text(out);
	diff = replay_diff(old_text ? old_text : "", new_text ? new_text : "");
	cli_msg(stdout, "\n--- %s (canonical)\n+++ %s\n", a.file, out);
	cli_data(stdout, diff, strlen(diff));
	cli_data_end(stdout);
	cli_msg(stdout, "wrote %s\n", out);
	rc = EXIT_OK;
	if (a.eval) {
		fflush(stdout);
		if (cli_load_preset(out, &none, &written, NULL)) {
			rc = EXIT_INPUT;
			goto out;
		}
		rc = compare_versions(p, written, rows, key, log);
	}
out:
	free(prompt);
	free(tests);
	free(ftext);
	free(old_text);
	free(new_text);
	free(diff);
	free(changes);
	free(err);
	free(input);
	free(out);
	free(key);
	failures_free(&fails);
	runlog_close(log);
	testrows_free(rows);
	preset_free(written);
	preset_free(next);
	preset_free(meta);
	preset_free(p);
	return rc;
}
