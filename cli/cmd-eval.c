/* pwb eval: run a preset's test rows (or --tests FILE) through one or more
 * presets or models on one loop, check every answer, print a table or
 * JSON, and remember it all in the run log. The engine is core/eval; this
 * file parses the arguments, loads and checks the inputs, drives the loop
 * (progress line, Ctrl-C) and picks the exit code. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "cli/eval-report.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/eval.h"
#include "core/evalbatch.h"
#include "core/evalrows.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/logcall.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char help[] =
	"usage: pwb eval FILE [FILE...] [options]\n"
	"Run the preset's test rows (tests:) and check every answer against its\n"
	"assertions. Several FILEs, or --models, run the same rows side by side.\n"
	"  --tests PATH          rows from this .csv, .jsonl or .yaml file instead\n"
	"  --concurrency N       requests in flight at most (default 4)\n"
	"  --repeat N            run each row N times (default 1)\n"
	"  --models M1,M2,...    run the preset with each model\n"
	"  --grader MODEL        model for llm-rubric (default: the preset's)\n"
	"  --budget USD          start no row that could take the spend past USD\n"
	"  --cache               answer from the run log when the same request got\n"
	"                        a complete answer before (nothing sent)\n"
	"  --filter-failing RESULTS   only the rows that failed or errored in RESULTS\n"
	"  --baseline RESULTS    list regressions and fixes against RESULTS;\n"
	"                        a regression fails the run\n"
	"  -o RESULTS            write JSON Lines, one object per row, as rows finish\n"
	"  --json                print one JSON document instead of the table\n"
	"  --no-log              record nothing in the run log\n"
	"  --batch               get the answers through the Message Batches API\n"
	"                        (half price, within 24 hours); running the same\n"
	"                        command again resumes its unfinished batches\n"
	"  --poll S              with --batch: seconds between polls (default 30)\n"
	"  --new                 with --batch: create new batches, never resume\n"
	"  --max-retries N       retries per request (default 2)\n"
	"  --timeout S           seconds per request attempt (default 600)\n"
	"  -s NAME=VALUE         set a variable for every row (rows override it)\n"
	"Exit: 0 every row passed; 1 a row failed, was skipped or regressed;\n"
	"2 bad input; 3 API error; 4 network or protocol error; 130 interrupted.\n";

struct args {
	const char **files;
	size_t nfiles;
	const char *tests;
	long concurrency, repeat, max_retries;
	double timeout_s, budget;
	char *models;    /* as given, comma-separated */
	const char *grader;
	int cache, json, no_log, batch, force_new;
	double poll_s;
	const char *filter_failing, *baseline, *out;
	struct cli_sets sets;
};

static int num_arg(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || !*v || *end || errno || n < lo || n > hi) {
		cli_msg(stderr, "pwb eval: %s needs a whole number from %ld to %ld\n", opt, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

static int real_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double d = v ? strtod(v, &end) : 0;
	if (!v || !*v || *end || !(d >= lo) || d > hi) {
		cli_msg(stderr, "pwb eval: %s needs a number from %g to %g\n", opt, lo, hi);
		return -1;
	}
	*out = d;
	return 0;
}

/* 0, 1 for --help, or EXIT_INPUT (printed). */
static int parse_args(int argc, char **argv, struct args *a)
{
	a->concurrency = 4;
	a->repeat = 1;
	a->max_retries = 2;
	a->timeout_s = 600;
	a->budget = -1;
	a->files = xcalloc((size_t)argc, sizeof *a->files);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                                  \
	do {                                                                           \
		if (!v) {                                                              \
			cli_msg(stderr, "pwb eval: %s needs a value\n", o);            \
			return EXIT_INPUT;                                             \
		}                                                                      \
		i++;                                                                   \
	} while (0)
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			cli_print_help(help);
			return 1;
		} else if (!strcmp(o, "--tests")) {
			NEEDS_VALUE();
			a->tests = v;
		} else if (!strcmp(o, "--concurrency") || !strcmp(o, "-j")) {
			NEEDS_VALUE();
			if (num_arg(o, v, 1, 256, &a->concurrency))
				return EXIT_INPUT;
		} else if (!strcmp(o, "--repeat")) {
			NEEDS_VALUE();
			if (num_arg(o, v, 1, 1000, &a->repeat))
				return EXIT_INPUT;
		} else if (!strcmp(o, "--models")) {
			NEEDS_VALUE();
			free(a->models);
			a->models = xstrdup(v);
		} else if (!strcmp(o, "--grader")) {
			NEEDS_VALUE();
			a->grader = v;
		} else if (!strcmp(o, "--budget")) {
			NEEDS_VALUE();
			if (real_arg(o, v, 0, 1e9, &a->budget))
				return EXIT_INPUT;
		} else if (!strcmp(o, "--cache")) {
			a->cache = 1;
		} else if (!strcmp(o, "--filter-failing")) {
			NEEDS_VALUE();
			a->filter_failing = v;
		} else if (!strcmp(o, "--baseline")) {
			NEEDS_VALUE();
			a->baseline = v;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			NEEDS_VALUE();
			a->out = v;
		} else if (!strcmp(o, "--json")) {
			a->json = 1;
		} else if (!strcmp(o, "--no-log")) {
			a->no_log = 1;
		} else if (!strcmp(o, "--batch")) {
			a->batch = 1;
		} else if (!strcmp(o, "--new")) {
			a->force_new = 1;
		} else if (!strcmp(o, "--poll")) {
			NEEDS_VALUE();
			if (real_arg(o, v, 0.01, 86400, &a->poll_s))
				return EXIT_INPUT;
		} else if (!strcmp(o, "--max-retries")) {
			NEEDS_VALUE();
			if (num_arg(o, v, 0, 100, &a->max_retries))
				return EXIT_INPUT;
		} else if (!strcmp(o, "--timeout")) {
			NEEDS_VALUE();
			if (real_arg(o, v, 0.001, 86400 * 7, &a->timeout_s))
				return EXIT_INPUT;
		} else if (!strcmp(o, "-s")) {
			NEEDS_VALUE();
			if (cli_sets_add(&a->sets, v))
				return EXIT_INPUT;
		} else if (!strncmp(o, "-s", 2) && o[2]) {
			if (cli_sets_add(&a->sets, o + 2))
				return EXIT_INPUT;
		} else if (o[0] == '-' && o[1]) {
			cli_msg(stderr, "pwb eval: unknown option '%s'\n\n", o);
			fputs(help, stderr);
			return EXIT_INPUT;
		} else {
			a->files[a->nfiles++] = o;
		}
#undef NEEDS_VALUE
	}
	if (!a->nfiles) {
		cli_msg(stderr, "pwb eval: missing FILE\n\n%s", help);
		return EXIT_INPUT;
	}
	if (!a->batch && (a->force_new || a->poll_s > 0)) {
		cli_msg(stderr, "pwb eval: --new and --poll go with --batch\n");
		return EXIT_INPUT;
	}
	if (a->batch && a->cache) {
		cli_msg(stderr, "pwb eval: --cache does not go with --batch\n");
		return EXIT_INPUT;
	}
	return 0;
}

/* ---- inputs ------------------------------------------------------------- */

/* The rows: --tests, else the first preset's tests:. NULL on errors (printed). */
static struct testrows *load_rows(const struct args *a, struct preset *first)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *rows = evalrows_load(first, a->tests, &d);
	cli_print_diags(stderr, &d, 0);
	int bad = diag_count(&d, DIAG_ERROR) > 0;
	diag_list_done(&d);
	if (bad) {
		testrows_free(rows);
		return NULL;
	}
	return rows;
}

/* Every row gives each variable every column's prompt uses. */
static int check_rows(const struct testrows *rows, struct preset **presets, size_t n)
{
	struct diag_list d;
	diag_list_init(&d);
	for (size_t i = 0; i < n; i++)
		evalrows_check(rows, preset_session(presets[i]), &d);
	cli_print_diags(stderr, &d, 0);
	int bad = diag_count(&d, DIAG_ERROR) > 0;
	diag_list_done(&d);
	return bad ? EXIT_INPUT : 0;
}

/* ---- the run -------------------------------------------------------------- */

struct run {
	struct eval *e;
	struct eval_report *report;
	struct runlog *log;
	long long *run_ids;   /* per column */
	const struct testrows *rows;
	const struct eval_report_column *cols;
	size_t ncols;
	int progress;         /* stderr is a terminal */
	long long t0;
	struct loop *loop;
	unsigned timer;
	int write_failed;
	struct evalbatch *batch; /* --batch */
	double batch_estimate;
};

static void on_result(void *ud, const struct eval_result *res)
{
	struct run *r = ud;
	if (eval_report_add(r->report, res) < 0)
		r->write_failed = 1;
	if (r->log && r->run_ids[res->column] > 0) {
		const struct testrow *row = &r->rows->v[res->row];
		char *aj = eval_checks_json(res);
		struct runlog_eval_row er = {
			.run_id = r->run_ids[res->column],
			.row = (long)res->row,
			.repeat = (long)res->repeat,
			.description = row->description,
			.vars_json = NULL,
			.outcome = eval_outcome_name(res->outcome),
			.assertions_json = aj,
			.answer_id = res->answer_id,
		};
		runlog_eval_result(r->log, &er);
		free(aj);
	}
}

static void batch_progress_line(struct run *r, int final)
{
	struct evalbatch_progress p;
	evalbatch_progress(r->batch, &p);
	double secs = (double)(loop_now_ms(r->loop) - r->t0) / 1000.0;
	fprintf(stderr, "\r\033[2Kbatches %zu/%zu: %ld processing, %ld succeeded, %ld errored, "
		"%ld canceled, %ld expired; %.0fs; about $%.4f at batch prices",
		p.batches_done, p.batches, p.counts.processing, p.counts.succeeded, p.counts.errored,
		p.counts.canceled, p.counts.expired, secs, r->batch_estimate);
	if (final)
		fputs("\r\033[2K", stderr);
	fflush(stderr);
}

static void progress_line(struct run *r, int final)
{
	if (r->batch) {
		batch_progress_line(r, final);
		return;
	}
	struct eval_progress p;
	eval_progress(r->e, &p);
	double secs = (double)(loop_now_ms(r->loop) - r->t0) / 1000.0;
	double rate = secs > 0 ? (double)p.done / secs : 0;
	fprintf(stderr, "\r\033[2K%zu/%zu rows, %zu passed, %zu failed, %zu errors, $%.4f",
		p.done, p.total, p.passed, p.failed, p.errors, p.spent_usd);
	if (rate > 0) {
		fprintf(stderr, ", %.1f rows/s", rate);
		if (p.done < p.total)
			fprintf(stderr, ", ETA %.0fs", (double)(p.total - p.done) / rate);
	}
	if (p.limit > 0 && p.rate_limited)
		fprintf(stderr, " (rate limited: %d in flight)", p.limit);
	if (final)
		fputs("\r\033[2K", stderr);
	fflush(stderr);
}

static void on_tick(void *ud)
{
	struct run *r = ud;
	progress_line(r, 0);
	r->timer = loop_add_timer(r->loop, 100, on_tick, r);
}

static void on_batch_note(void *ud, const char *text)
{
	struct run *r = ud;
	if (r->progress)
		fputs("\r\033[2K", stderr);
	cli_msg(stderr, "pwb eval: %s\n", text);
}

static void on_batch_status(void *ud)
{
	struct run *r = ud;
	if (r->progress)
		progress_line(r, 0);
}

/* The evaluation's identity for resuming: its preset versions. */
static char *batch_log_key(const struct eval_report_column *cols, size_t n)
{
	char *key = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", key, i ? "+" : "", cols[i].version);
		free(key);
		key = next;
	}
	return key;
}

/* --batch: build, resume or create, poll, take the results. Returns -1
 * when nothing could start (printed), 1 when interrupted, else 0. */
static int run_batch(struct run *r, const struct args *a, const struct api_config *cfg)
{
	char *key = batch_log_key(r->cols, r->ncols);
	struct evalbatch_options o = {
		.poll_ms = a->poll_s > 0 ? (long)(a->poll_s * 1000) : 30000,
		.force_new = a->force_new,
		.log_key = key,
	};
	struct evalbatch_hooks h = { .on_note = on_batch_note, .on_status = on_batch_status, .ud = r };
	r->batch = evalbatch_new(r->e, r->loop, cfg, r->log, &o, &h);
	free(key);
	double est = 0;
	if (evalbatch_prepare(r->batch, &est) < 0) {
		cli_msg(stderr, "pwb eval: %s\n", evalbatch_error(r->batch));
		return -1;
	}
	r->batch_estimate = est;
	eval_start_external(r->e);
	if (a->budget >= 0 && est > a->budget) {
		cli_msg(stderr, "pwb eval: the new requests may cost up to $%.4f at batch prices, "
			"more than --budget $%.4f: no batch created\n", est, a->budget);
		size_t cursor = 0, row, rep, col;
		while (eval_next_cell(r->e, &cursor, &row, &rep, &col))
			eval_take_failure(r->e, row, rep, col, EVAL_SKIPPED, NULL, NULL);
		return 0;
	}
	evalbatch_start(r->batch);
	int stopped = 0;
	while (!evalbatch_finished(r->batch) || !eval_finished(r->e)) {
		if (cli_interrupted() && !stopped) {
			stopped = 1;
			evalbatch_stop(r->batch);
			eval_cancel(r->e);
			continue;
		}
		loop_once(r->loop, 1000);
	}
	if (r->progress)
		progress_line(r, 1);
	enum api_failure f = evalbatch_failure(r->batch);
	if (f != API_FAIL_NONE && f != API_FAIL_CANCELED)
		cli_msg(stderr, "pwb eval: %s\n", evalbatch_error(r->batch));
	if (stopped) {
		const char *const *ids = evalbatch_ids(r->batch);
		cli_msg(stderr, "pwb eval: stopped polling; the batches keep running on Anthropic's "
			"side. Run the same command again to resume%s", ids[0] ? " (" : ".\n");
		for (size_t i = 0; ids[i]; i++)
			cli_msg(stderr, "%s%s", i ? ", " : "", ids[i]);
		if (ids[0])
			cli_msg(stderr, "; `pwb batch list` shows them).\n");
		return 1;
	}
	return 0;
}

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	return c && atoi(c) > 0 ? atoi(c) : 120;
}

/* Split "a,b,c" into a NULL-terminated list of copies. */
static char **split_models(const char *list, size_t *n)
{
	char **v = NULL;
	*n = 0;
	const char *p = list;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && (*p == ' '))
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			v = xrealloc(v, (*n + 2) * sizeof *v);
			v[(*n)++] = xstrndup(p, len);
			v[*n] = NULL;
		}
		p = e ? e + 1 : NULL;
	}
	return v;
}

int cmd_eval(int argc, char **argv)
{
	struct args a = { 0 };
	struct run r = { 0 };
	int rc = parse_args(argc, argv, &a);
	struct preset **presets = NULL;
	struct testrows *rows = NULL;
	unsigned char *only = NULL;
	char *key = NULL;
	char **models = NULL;
	size_t nmodels = 0;
	struct runlog *log = NULL;
	FILE *jsonl = NULL;
	char *out_tmp = NULL;
	struct eval_report_column *cols = NULL;
	char (*versions)[RUNLOG_VERSION_ID_SIZE] = NULL;
	char **labels = NULL;
	size_t ncols = 0;
	struct loop *loop = NULL;
	struct eval *e = NULL;
	struct eval_report *report = NULL;
	struct api_config cfg;
	int have_cfg = 0;
	long long *run_ids = NULL;
	if (rc == 1) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = EXIT_INPUT;

	presets = xcalloc(a.nfiles, sizeof *presets);
	for (size_t i = 0; i < a.nfiles; i++)
		if (cli_load_preset(a.files[i], &a.sets, &presets[i], NULL) != 0)
			goto out;
	if (!(rows = load_rows(&a, presets[0])))
		goto out;
	if (check_rows(rows, presets, a.nfiles))
		goto out;
	if (a.models) {
		models = split_models(a.models, &nmodels);
		if (!nmodels) {
			fprintf(stderr, "pwb eval: --models needs at least one model id\n");
			goto out;
		}
	}
	if (a.filter_failing) {
		char *err = NULL;
		only = eval_report_failing_rows(a.filter_failing, rows->n, &err);
		if (!only) {
			cli_msg(stderr, "pwb eval: %s\n", err);
			free(err);
			goto out;
		}
	}
	if (cli_get_key(&key, NULL) != 0)
		goto out;

	if (!a.no_log) {
		char *path = runlog_default_path();
		if (path) {
			char *err = NULL;
			log = runlog_open(path, key, &err);
			if (!log && err)
				cli_msg(stderr, "pwb eval: warning: run log not written: %s\n", err);
			free(err);
			free(path);
		}
	}
	if (a.cache && !log) {
		fprintf(stderr, "pwb eval: --cache needs the run log (it is off or could not be opened)\n");
		goto out;
	}

	/* The columns: each preset, or each preset with each model. */
	size_t per = nmodels ? nmodels : 1;
	ncols = a.nfiles * per;
	cols = xcalloc(ncols, sizeof *cols);
	labels = xcalloc(ncols, sizeof *labels);
	versions = xcalloc(a.nfiles, sizeof *versions);
	for (size_t i = 0; i < a.nfiles; i++)
		logcall_version(log, presets[i], versions[i]);
	for (size_t i = 0; i < a.nfiles; i++)
		for (size_t m = 0; m < per; m++) {
			struct eval_report_column *c = &cols[i * per + m];
			const struct session *s = preset_session(presets[i]);
			c->preset = preset_path(presets[i]) ? preset_path(presets[i]) : "<stdin>";
			c->version = versions[i];
			c->model = nmodels ? models[m] : (s->model ? s->model : "");
			c->session = s;
			if (a.nfiles > 1 && nmodels)
				labels[i * per + m] = xasprintf("%s %s", c->preset, c->model);
			else
				labels[i * per + m] = xstrdup(a.nfiles > 1 ? c->preset : c->model);
			c->label = labels[i * per + m];
		}

	if (a.out) {
		/* -o may name the --baseline file: then write beside it and rename
		 * at the end, so the baseline is read before it is replaced. */
		char *ra = a.baseline ? realpath(a.baseline, NULL) : NULL;
		char *ro = realpath(a.out, NULL);
		if (ra && ro && !strcmp(ra, ro))
			out_tmp = xasprintf("%s.pwb-%ld.tmp", a.out, (long)getpid());
		free(ra);
		free(ro);
		jsonl = fopen(out_tmp ? out_tmp : a.out, "w");
		if (!jsonl) {
			cli_msg(stderr, "pwb eval: %s: %s\n", out_tmp ? out_tmp : a.out, strerror(errno));
			goto out;
		}
	}
	report = eval_report_new(rows, (size_t)a.repeat, cols, ncols, jsonl, a.json);

	have_cfg = 1;
	if (cli_api_config(&cfg, preset_session(presets[0]), key))
		goto out;
	cfg.max_retries = (int)a.max_retries;
	cfg.timeout_ms = (long)(a.timeout_s * 1000);

	loop = loop_new();
	r.report = report;
	r.log = log;
	r.rows = rows;
	r.cols = cols;
	r.ncols = ncols;
	r.loop = loop;
	r.progress = isatty(STDERR_FILENO);
	struct eval_options opt = {
		.concurrency = (int)a.concurrency,
		.repeat = (int)a.repeat,
		.grader_model = a.grader,
		.budget_usd = a.budget,
		.cache = a.cache,
		.log = log,
		.command = "eval",
	};
	struct eval_hooks hooks = { .on_result = on_result, .ud = &r };
	e = eval_new(loop, &cfg, &opt, &hooks);
	r.e = e;
	run_ids = xcalloc(ncols, sizeof *run_ids);
	r.run_ids = run_ids;
	for (size_t c = 0; c < ncols; c++) {
		char *abs = realpath(cols[c].preset, NULL);
		eval_add_column(e, cols[c].label, cols[c].session, cols[c].model, cols[c].version, abs);
		run_ids[c] = runlog_eval_start(log, cols[c].version, abs ? abs : cols[c].preset,
					       cols[c].model);
		free(abs);
	}
	eval_set_rows(e, rows, only);

	cli_sigint_install(loop, NULL);
	r.t0 = loop_now_ms(loop);
	if (r.progress)
		r.timer = loop_add_timer(loop, 100, on_tick, &r);
	int canceled = 0;
	if (a.batch) {
		int br = run_batch(&r, &a, &cfg);
		if (br < 0) {
			rc = EXIT_INPUT;
			goto out;
		}
		canceled = br == 1;
	} else {
		eval_start(e);
		while (!eval_finished(e)) {
			if (cli_interrupted() && !canceled) {
				canceled = 1;
				eval_cancel(e);
				continue;
			}
			loop_once(loop, 1000);
		}
	}
	if (r.timer)
		loop_cancel_timer(loop, r.timer);
	if (r.progress)
		progress_line(&r, 1);
	cli_sigint_remove(loop);

	struct eval_report_counts k;
	for (size_t c = 0; c < ncols; c++) {
		eval_report_column_counts(report, c, &k);
		struct runlog_eval_summary sum = { 0 };
		sum.passed = (long)k.passed;
		sum.failed = (long)k.failed;
		sum.errors = (long)k.errors;
		sum.skipped = (long)(k.skipped + k.expired);
		sum.total = (long)(k.passed + k.failed + k.errors + k.skipped + k.canceled + k.expired);
		runlog_eval_finish(log, run_ids[c], &sum);
	}
	eval_report_counts(report, &k);
	if (jsonl) {
		int bad = fclose(jsonl) != 0 || r.write_failed;
		jsonl = NULL;
		if (bad) {
			cli_msg(stderr, "pwb eval: %s: writing the results failed\n", a.out);
			rc = EXIT_INPUT;
			goto out;
		}
	}
	if (a.baseline) {
		char *err = NULL;
		if (eval_report_baseline(report, a.baseline, &err) < 0) {
			cli_msg(stderr, "pwb eval: %s\n", err);
			free(err);
			rc = EXIT_INPUT;
			goto out;
		}
		eval_report_counts(report, &k);
	}
	if (out_tmp && rename(out_tmp, a.out) != 0) {
		cli_msg(stderr, "pwb eval: %s: %s\n", a.out, strerror(errno));
		rc = EXIT_INPUT;
		goto out;
	}
	free(out_tmp);
	out_tmp = NULL;
	if (a.json) {
		eval_report_json(report, stdout);
	} else {
		eval_report_print(report, stdout, isatty(STDOUT_FILENO), term_width());
		if (a.batch)
			printf("costs at batch prices (half of standard)\n");
	}

	if (canceled || cli_interrupted())
		rc = EXIT_INTERRUPTED;
	else if (k.network_errors || (r.batch && evalbatch_failure(r.batch) != API_FAIL_NONE))
		rc = EXIT_NETWORK;
	else if (k.api_errors)
		rc = EXIT_API;
	else if (k.errors)
		rc = EXIT_INPUT; /* a request that could not be built */
	else if (k.failed || k.skipped || k.expired || k.regressions)
		rc = 1;
	else
		rc = EXIT_OK;
out:
	if (jsonl)
		fclose(jsonl);
	if (out_tmp) {
		unlink(out_tmp);
		free(out_tmp);
	}
	evalbatch_free(r.batch);
	eval_free(e);
	eval_report_free(report);
	if (loop)
		loop_free(loop);
	if (have_cfg)
		api_config_done(&cfg);
	runlog_close(log);
	free(run_ids);
	for (size_t i = 0; labels && i < ncols; i++)
		free(labels[i]);
	free(labels);
	free(versions);
	free(cols);
	for (size_t i = 0; i < nmodels; i++)
		free(models[i]);
	free(models);
	free(key);
	free(only);
	testrows_free(rows);
	for (size_t i = 0; presets && i < a.nfiles; i++)
		preset_free(presets[i]);
	free(presets);
	free(a.files);
	free(a.models);
	cli_sets_done(&a.sets);
	return rc;
}
