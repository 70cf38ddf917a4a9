/* The evaluation engine (see eval.h). Jobs are built lazily: at most a few
 * times the concurrency wait in the scheduler, so a 100,000-row table costs
 * memory for the rows, not for 100,000 request bodies. */
#include "core/eval.h"
#include "core/assert.h"
#include "core/diag.h"
#include "core/loop.h"
#include "core/request.h"
#include "core/runlog.h"
#include "core/sched.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/testrows.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct column {
	char *label;
	char *model;
	char *version_id;
	char *preset_path;
	const struct session *s;
	struct api_config cfg; /* the engine's, with this session's version and betas */
};

struct job;

/* What the scheduler holds: a row's answer (grade NULL) or one grader call. */
struct handle {
	struct job *job;
	struct grade *grade;
};

/* An llm-rubric grader call of a job. */
struct grade {
	struct handle h;
	size_t check;       /* index of the assertion among the row's */
	char *message;      /* the grader's Message, NULL until answered */
	int canceled;
};

struct job {
	struct job *prev, *next; /* the engine's live jobs */
	struct handle h;
	size_t row, repeat, column;
	struct session *s;   /* the column's session with the row's variables */
	char *body;
	char *model;
	char *message;
	struct usage usage;
	int cost_known;
	double cost;
	long latency;
	int cached;
	long long answer_id;
	enum api_failure failure;
	struct api_error err;
	int has_err;
	struct grade *grades;
	size_t ngrades, grades_pending;
	struct eval_check *checks;
	size_t nchecks;
	enum eval_outcome outcome;
	const char *skip_reason;
};

struct eval {
	struct loop *loop;
	struct api_config cfg;
	struct eval_options opt;
	struct eval_hooks hooks;
	struct sched *sched;
	struct column *cols;
	size_t ncols;
	const struct testrows *rows;
	const unsigned char *only;
	/* the next (row, repeat, column) to build */
	size_t next_row, next_repeat, next_col;
	int started, canceled, exhausted;
	struct job *live;     /* jobs built and not yet reported */
	struct eval_progress prog;
};

const char *eval_outcome_name(enum eval_outcome o)
{
	switch (o) {
	case EVAL_PASSED: return "passed";
	case EVAL_FAILED: return "failed";
	case EVAL_ERROR: return "error";
	case EVAL_SKIPPED: return "skipped";
	case EVAL_CANCELED: return "canceled";
	case EVAL_EXPIRED: return "expired";
	}
	return "error";
}

char *eval_checks_json(const struct eval_result *r)
{
	cJSON *as = cJSON_CreateArray();
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct eval_check *k = &r->checks[i];
		cJSON *a = cJSON_CreateObject();
		char *type = xasprintf("%s%s", k->assertion->negate ? "not-" : "", k->assertion->type);
		cJSON_AddStringToObject(a, "type", type);
		free(type);
		cJSON *v = k->assertion->value_json ? cJSON_Parse(k->assertion->value_json) : NULL;
		cJSON_AddItemToObject(a, "value", v ? v : cJSON_CreateNull());
		if (k->assertion->has_threshold)
			cJSON_AddNumberToObject(a, "threshold", k->assertion->threshold);
		cJSON_AddBoolToObject(a, "pass", k->pass);
		cJSON_AddNumberToObject(a, "score", k->score);
		cJSON_AddStringToObject(a, "reason", k->reason ? k->reason : "");
		cJSON_AddItemToArray(as, a);
	}
	char *s = cJSON_PrintUnformatted(as);
	cJSON_Delete(as);
	return s;
}

static cJSON *raw_or_null(const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;
	return v ? v : cJSON_CreateNull();
}

char *eval_result_json(const struct eval_result *res, const struct testrow *row,
		       const struct session *s, const char *preset, const char *version,
		       const char *model)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "preset", preset ? preset : "");
	cJSON_AddStringToObject(o, "version", version ? version : "");
	cJSON_AddStringToObject(o, "model", model ? model : "");
	cJSON_AddNumberToObject(o, "row", (double)res->row);
	cJSON_AddNumberToObject(o, "repeat", (double)res->repeat);
	if (row->description)
		cJSON_AddStringToObject(o, "description", row->description);
	else
		cJSON_AddNullToObject(o, "description");
	cJSON *vars = cJSON_AddObjectToObject(o, "vars");
	size_t n = 0;
	struct session_var *v = testrow_merged_vars(row, s, &n);
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(vars, v[i].name, v[i].value ? v[i].value : "");
	free(v);
	cJSON_AddStringToObject(o, "outcome", eval_outcome_name(res->outcome));
	if (res->skip_reason)
		cJSON_AddStringToObject(o, "reason", res->skip_reason);
	cJSON_AddStringToObject(o, "output", res->output ? res->output : "");
	cJSON_AddItemToObject(o, "message", raw_or_null(res->message_json));
	cJSON *u = cJSON_AddObjectToObject(o, "usage");
	if (res->usage.input_tokens >= 0)
		cJSON_AddNumberToObject(u, "input_tokens", (double)res->usage.input_tokens);
	if (res->usage.output_tokens >= 0)
		cJSON_AddNumberToObject(u, "output_tokens", (double)res->usage.output_tokens);
	if (res->usage.cache_creation_input_tokens >= 0)
		cJSON_AddNumberToObject(u, "cache_creation_input_tokens",
					(double)res->usage.cache_creation_input_tokens);
	if (res->usage.cache_read_input_tokens >= 0)
		cJSON_AddNumberToObject(u, "cache_read_input_tokens",
					(double)res->usage.cache_read_input_tokens);
	if (res->cost_known && res->message_json)
		cJSON_AddNumberToObject(o, "cost_usd", res->cost_usd);
	else
		cJSON_AddNullToObject(o, "cost_usd");
	if (res->latency_ms >= 0)
		cJSON_AddNumberToObject(o, "latency_ms", (double)res->latency_ms);
	else
		cJSON_AddNullToObject(o, "latency_ms");
	char *checks = eval_checks_json(res);
	cJSON_AddItemToObject(o, "assertions", raw_or_null(checks));
	free(checks);
	if (res->error) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "type", res->error->type ? res->error->type : "error");
		cJSON_AddStringToObject(e, "message", res->error->message ? res->error->message : "");
		if (res->error->http_status)
			cJSON_AddNumberToObject(e, "http_status", (double)res->error->http_status);
		else
			cJSON_AddNullToObject(e, "http_status");
		if (res->error->request_id)
			cJSON_AddStringToObject(e, "request_id", res->error->request_id);
		else
			cJSON_AddNullToObject(e, "request_id");
	} else {
		cJSON_AddNullToObject(o, "error");
	}
	cJSON_AddBoolToObject(o, "cached", res->cached);
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

static void config_copy(struct api_config *dst, const struct api_config *src)
{
	*dst = *src;
	dst->base_url = xstrdup(src->base_url);
	dst->api_key = xstrdup(src->api_key);
	dst->api_version = xstrdup(src->api_version);
	dst->betas = xstrdup(src->betas);
}

static void on_call_done(void *ud, void *jobp, struct api_call *call, long latency_ms);
static void on_call_skip(void *ud, void *jobp, enum sched_skip why);

struct eval *eval_new(struct loop *loop, const struct api_config *cfg,
		      const struct eval_options *opt, const struct eval_hooks *hooks)
{
	struct eval *e = xcalloc(1, sizeof *e);
	e->loop = loop;
	config_copy(&e->cfg, cfg);
	e->opt = *opt;
	if (e->opt.concurrency < 1)
		e->opt.concurrency = 1;
	if (e->opt.repeat < 1)
		e->opt.repeat = 1;
	e->hooks = *hooks;
	struct sched_hooks sh = { .on_done = on_call_done, .on_skip = on_call_skip, .ud = e };
	e->sched = sched_new(loop, e->opt.concurrency, &sh);
	sched_set_budget(e->sched, e->opt.budget_usd);
	return e;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	session_free(j->s);
	free(j->body);
	free(j->model);
	free(j->message);
	free(j->err.type);
	free(j->err.message);
	free(j->err.request_id);
	for (size_t i = 0; i < j->ngrades; i++)
		free(j->grades[i].message);
	free(j->grades);
	for (size_t i = 0; i < j->nchecks; i++)
		free((char *)j->checks[i].reason);
	free(j->checks);
	free(j);
}

void eval_free(struct eval *e)
{
	if (!e)
		return;
	/* Jobs in flight are owned through the scheduler's handles: cancel
	 * without callbacks, then nothing references them. */
	sched_free(e->sched);
	while (e->live) {
		struct job *j = e->live;
		e->live = j->next;
		job_free(j);
	}
	for (size_t i = 0; i < e->ncols; i++) {
		free(e->cols[i].label);
		free(e->cols[i].model);
		free(e->cols[i].version_id);
		free(e->cols[i].preset_path);
		api_config_done(&e->cols[i].cfg);
	}
	free(e->cols);
	api_config_done(&e->cfg);
	free(e);
}

size_t eval_add_column(struct eval *e, const char *label, const struct session *s,
		       const char *model, const char *version_id, const char *preset_path)
{
	e->cols = xrealloc(e->cols, (e->ncols + 1) * sizeof *e->cols);
	struct column *c = &e->cols[e->ncols];
	memset(c, 0, sizeof *c);
	c->label = xstrdup(label);
	c->model = xstrdup(model ? model : s->model);
	c->version_id = version_id && *version_id ? xstrdup(version_id) : NULL;
	c->preset_path = xstrdup(preset_path);
	c->s = s;
	config_copy(&c->cfg, &e->cfg);
	free(c->cfg.api_version);
	c->cfg.api_version = xstrdup(session_api_version(s));
	free(c->cfg.betas);
	c->cfg.betas = request_betas(s);
	return e->ncols++;
}

const char *eval_column_label(const struct eval *e, size_t column)
{
	return column < e->ncols ? e->cols[column].label : "";
}

const char *eval_column_model(const struct eval *e, size_t column)
{
	return column < e->ncols && e->cols[column].model ? e->cols[column].model : "";
}

void eval_set_rows(struct eval *e, const struct testrows *rows, const unsigned char *only)
{
	e->rows = rows;
	e->only = only;
}

static size_t nrows(const struct eval *e)
{
	return e->rows ? e->rows->n : 0;
}

static int row_selected(const struct eval *e, size_t row)
{
	return !e->only || e->only[row];
}

/* ---- reporting ---------------------------------------------------------- */

static char *usage_json(const struct usage *u)
{
	cJSON *o = cJSON_CreateObject();
	if (u->input_tokens >= 0)
		cJSON_AddNumberToObject(o, "input_tokens", (double)u->input_tokens);
	if (u->output_tokens >= 0)
		cJSON_AddNumberToObject(o, "output_tokens", (double)u->output_tokens);
	if (u->cache_creation_input_tokens >= 0)
		cJSON_AddNumberToObject(o, "cache_creation_input_tokens",
					(double)u->cache_creation_input_tokens);
	if (u->cache_read_input_tokens >= 0)
		cJSON_AddNumberToObject(o, "cache_read_input_tokens",
					(double)u->cache_read_input_tokens);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static char *error_json(const struct job *j)
{
	if (!j->has_err)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", j->err.type ? j->err.type : "error");
	cJSON_AddStringToObject(o, "message", j->err.message ? j->err.message : "");
	if (j->err.http_status)
		cJSON_AddNumberToObject(o, "http_status", (double)j->err.http_status);
	else
		cJSON_AddNullToObject(o, "http_status");
	if (j->err.request_id)
		cJSON_AddStringToObject(o, "request_id", j->err.request_id);
	else
		cJSON_AddNullToObject(o, "request_id");
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void record_answer(struct eval *e, struct job *j, const char *body, const char *message,
			  const struct usage *u, double cost, long latency, const char *command)
{
	if (!e->opt.log)
		return;
	const struct column *c = &e->cols[j->column];
	char *uj = usage_json(u);
	char *ej = error_json(j);
	const char *outcome = "complete";
	if (j->failure == API_FAIL_CANCELED)
		outcome = "canceled";
	else if (j->failure != API_FAIL_NONE)
		outcome = "error";
	struct runlog_answer a = {
		.body = body,
		.api_version = c->cfg.api_version,
		.betas = c->cfg.betas,
		.base_url = c->cfg.base_url,
		.version_id = c->version_id,
		.preset_path = c->preset_path,
		.command = command,
		.model = j->model,
		.message_json = message,
		.usage_json = uj,
		.cost_usd = cost,
		.latency_ms = latency,
		.outcome = outcome,
		.error_json = ej,
		.cached = 0,
	};
	long long id = runlog_record_answer(e->opt.log, &a);
	if (body == j->body && id > 0)
		j->answer_id = id;
	free(uj);
	free(ej);
}

static void report(struct eval *e, struct job *j)
{
	struct eval_progress *p = &e->prog;
	p->done++;
	switch (j->outcome) {
	case EVAL_PASSED: p->passed++; break;
	case EVAL_FAILED: p->failed++; break;
	case EVAL_ERROR: p->errors++; break;
	case EVAL_SKIPPED: p->skipped++; break;
	case EVAL_CANCELED: p->canceled++; break;
	case EVAL_EXPIRED: p->expired++; break;
	}
	struct eval_result r;
	memset(&r, 0, sizeof r);
	r.row = j->row;
	r.repeat = j->repeat;
	r.column = j->column;
	r.outcome = j->outcome;
	r.skip_reason = j->skip_reason;
	r.body = j->body;
	struct assert_answer ans;
	memset(&ans, 0, sizeof ans);
	if (j->message)
		assert_answer_from_message(j->message, &ans);
	r.output = ans.text ? ans.text : "";
	r.message_json = j->message;
	r.usage = j->usage;
	r.cost_known = j->cost_known;
	r.cost_usd = j->cost;
	r.latency_ms = j->message ? j->latency : -1;
	r.checks = j->checks;
	r.nchecks = j->nchecks;
	r.failure = j->failure;
	r.error = j->has_err ? &j->err : NULL;
	r.cached = j->cached;
	r.answer_id = j->answer_id;
	if (e->hooks.on_result)
		e->hooks.on_result(e->hooks.ud, &r);
	if (j->message)
		assert_answer_done(&ans);
	if (j->prev)
		j->prev->next = j->next;
	else if (e->live == j)
		e->live = j->next;
	if (j->next)
		j->next->prev = j->prev;
	job_free(j);
}

/* ---- the checks ----------------------------------------------------------- */

static const struct testrow *row_of(const struct eval *e, const struct job *j)
{
	return &e->rows->v[j->row];
}

/* Every assertion of the row (its own, then the top-level ones). */
static size_t row_assertions(const struct eval *e, const struct job *j,
			     const struct assertion *const **out)
{
	const struct testrow *r = row_of(e, j);
	*out = (const struct assertion *const *)r->asserts;
	return r->nasserts;
}

static void run_checks(struct eval *e, struct job *j)
{
	const struct assertion *const *as;
	size_t n = row_assertions(e, j, &as);
	struct assert_answer ans;
	assert_answer_from_message(j->message, &ans);
	ans.cost_usd = j->cost_known ? j->cost : -1;
	ans.latency_ms = (double)j->latency;
	j->checks = xcalloc(n ? n : 1, sizeof *j->checks);
	j->nchecks = n;
	int all = 1;
	for (size_t i = 0; i < n; i++) {
		const char *grader = NULL;
		for (size_t g = 0; g < j->ngrades; g++)
			if (j->grades[g].check == i)
				grader = j->grades[g].message;
		struct assert_result res;
		assert_check(as[i], &ans, j->s->vars, j->s->nvars, grader, &res);
		j->checks[i].assertion = as[i];
		j->checks[i].pass = res.pass;
		j->checks[i].score = res.score;
		j->checks[i].reason = res.reason; /* taken */
		if (!res.pass)
			all = 0;
	}
	assert_answer_done(&ans);
	j->outcome = all ? EVAL_PASSED : EVAL_FAILED;
}

/* ---- jobs ------------------------------------------------------------------- */

static double estimate(const char *model, const char *body, long max_tokens)
{
	double usd = 0;
	/* About 3 bytes of JSON per input token errs on the high side. */
	if (!cost_estimate(model, (long)(strlen(body) / 3), max_tokens, &usd))
		return 0;
	return usd;
}

static void usage_from_message(const char *message, struct usage *u)
{
	usage_init(u);
	cJSON *m = cJSON_Parse(message);
	const cJSON *us = cJSON_GetObjectItemCaseSensitive(m, "usage");
	const struct {
		const char *name;
		long *slot;
	} f[] = {
		{ "input_tokens", &u->input_tokens },
		{ "output_tokens", &u->output_tokens },
		{ "cache_creation_input_tokens", &u->cache_creation_input_tokens },
		{ "cache_read_input_tokens", &u->cache_read_input_tokens },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(us, f[i].name);
		if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15)
			*f[i].slot = (long)v->valuedouble;
	}
	cJSON_Delete(m);
}

/* Add what one answer cost; an unknown price makes the total unknown. */
static void add_cost(struct job *j, const char *model, const struct usage *u, double *one)
{
	double usd = 0;
	if (cost_of_usage(model, u, &usd))
		j->cost += usd;
	else
		j->cost_known = 0;
	*one = usd;
}

static void set_error(struct job *j, const struct api_error *err, const char *type,
		      const char *message)
{
	free(j->err.type);
	free(j->err.message);
	free(j->err.request_id);
	memset(&j->err, 0, sizeof j->err);
	j->err.type = xstrdup(err ? err->type : type);
	j->err.message = xstrdup(err ? err->message : message);
	j->err.http_status = err ? err->http_status : 0;
	j->err.request_id = err ? xstrdup(err->request_id) : NULL;
	j->has_err = 1;
}

static const char *grader_model(const struct eval *e, const struct job *j)
{
	return e->opt.grader_model && *e->opt.grader_model ? e->opt.grader_model : j->model;
}

static void complete(struct eval *e, struct job *j)
{
	int canceled = 0;
	for (size_t g = 0; g < j->ngrades; g++)
		canceled |= j->grades[g].canceled;
	if (canceled) {
		j->outcome = EVAL_CANCELED;
		j->skip_reason = "canceled";
		j->failure = API_FAIL_CANCELED;
	} else if (j->has_err) {
		j->outcome = EVAL_ERROR; /* a grader's call failed */
	} else {
		run_checks(e, j);
	}
	report(e, j);
}

/* The answer is in: send the graders its llm-rubric assertions need, or
 * check it now. */
static void answered(struct eval *e, struct job *j)
{
	const struct assertion *const *as;
	size_t n = row_assertions(e, j, &as);
	size_t nr = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(as[i]->type, "llm-rubric"))
			nr++;
	if (!nr) {
		complete(e, j);
		return;
	}
	struct assert_answer ans;
	assert_answer_from_message(j->message, &ans);
	j->grades = xcalloc(nr, sizeof *j->grades);
	const char *gm = grader_model(e, j);
	const struct column *c = &e->cols[j->column];
	for (size_t i = 0; i < n; i++) {
		if (strcmp(as[i]->type, "llm-rubric"))
			continue;
		struct grade *g = &j->grades[j->ngrades++];
		g->h.job = j;
		g->h.grade = g;
		g->check = i;
		char *body = assert_rubric_request(as[i], gm, ans.text, j->s->vars, j->s->nvars);
		char *hit = e->opt.cache && e->opt.log
			? runlog_cache_lookup(e->opt.log, body, c->cfg.api_version, c->cfg.betas,
					      c->cfg.base_url, NULL)
			: NULL;
		if (hit) {
			g->message = hit;
			struct usage u;
			double one;
			usage_from_message(hit, &u);
			add_cost(j, gm, &u, &one);
		} else {
			j->grades_pending++;
			sched_add(e->sched, &c->cfg, body, 0, estimate(gm, body, 1024), 1, &g->h);
		}
		free(body);
	}
	assert_answer_done(&ans);
	if (!j->grades_pending)
		complete(e, j);
}

static struct job *job_new(struct eval *e, size_t row, size_t repeat, size_t column)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->h.job = j;
	j->row = row;
	j->repeat = repeat;
	j->column = column;
	j->latency = -1;
	j->cost_known = 1;
	usage_init(&j->usage);
	j->next = e->live;
	if (e->live)
		e->live->prev = j;
	e->live = j;
	return j;
}

/* A job with its session (the row's variables, the column's model) and
 * body. NULL when the body cannot be built: the row is then reported as
 * an error. */
static struct job *prepare(struct eval *e, size_t row, size_t repeat, size_t column)
{
	struct job *j = job_new(e, row, repeat, column);
	const struct column *c = &e->cols[column];
	j->model = xstrdup(c->model);
	j->s = session_clone(c->s);
	const struct testrow *tr = row_of(e, j);
	for (size_t i = 0; i < tr->nvars; i++)
		session_set_var(j->s, tr->vars[i].name, tr->vars[i].value);
	if (c->model) {
		free(j->s->model);
		j->s->model = xstrdup(c->model);
	}
	struct diag_list diags;
	diag_list_init(&diags);
	j->body = request_build(j->s, REQUEST_MESSAGES, 0, &diags);
	if (!j->body) {
		const char *why = "the request could not be built";
		for (size_t i = 0; i < diags.n; i++)
			if (diags.v[i].level == DIAG_ERROR) {
				why = diags.v[i].message;
				break;
			}
		set_error(j, NULL, "invalid_request", why);
		j->failure = API_FAIL_HTTP;
		j->outcome = EVAL_ERROR;
		diag_list_done(&diags);
		report(e, j);
		return NULL;
	}
	diag_list_done(&diags);
	return j;
}

/* Build one job and send it (or answer it from the cache). */
static void launch(struct eval *e, size_t row, size_t repeat, size_t column)
{
	struct job *j = prepare(e, row, repeat, column);
	if (!j)
		return;
	const struct column *c = &e->cols[column];
	if (e->opt.cache && e->opt.log) {
		long long id = 0;
		char *hit = runlog_cache_lookup(e->opt.log, j->body, c->cfg.api_version, c->cfg.betas,
						c->cfg.base_url, &id);
		if (hit) {
			double one;
			j->message = hit;
			j->cached = 1;
			j->answer_id = id;
			j->latency = 0;
			usage_from_message(hit, &j->usage);
			add_cost(j, j->model, &j->usage, &one);
			answered(e, j);
			return;
		}
	}
	sched_add(e->sched, &c->cfg, j->body, 0,
		  estimate(j->model, j->body, j->s->max_tokens ? atol(j->s->max_tokens) : 4096), 0,
		  &j->h);
}

static size_t row_total(const struct eval *e)
{
	size_t n = 0;
	for (size_t r = 0; r < nrows(e); r++)
		if (row_selected(e, r))
			n++;
	return n;
}

/* Keep the scheduler fed with a few jobs beyond what runs. */
static void pump(struct eval *e)
{
	size_t want = (size_t)e->opt.concurrency * 2 + 2;
	while (!e->canceled && !e->exhausted && sched_queued(e->sched) < want) {
		if (e->next_row >= nrows(e)) {
			e->exhausted = 1;
			break;
		}
		size_t row = e->next_row, rep = e->next_repeat, col = e->next_col;
		if (++e->next_col >= e->ncols) {
			e->next_col = 0;
			if (++e->next_repeat >= (size_t)e->opt.repeat) {
				e->next_repeat = 0;
				e->next_row++;
			}
		}
		if (row_selected(e, row))
			launch(e, row, rep, col);
	}
}

void eval_start(struct eval *e)
{
	e->started = 1;
	e->prog.total = row_total(e) * (size_t)e->opt.repeat * e->ncols;
	if (!e->ncols)
		e->exhausted = 1;
	pump(e);
}

static void on_call_done(void *ud, void *hp, struct api_call *call, long latency_ms)
{
	struct eval *e = ud;
	struct handle *h = hp;
	struct job *j = h->job;
	struct grade *g = h->grade;
	enum api_failure f = api_call_failure(call);
	const struct stream *st = api_call_stream(call);
	char *message = f == API_FAIL_NONE && st ? stream_message_json(st) : NULL;
	const char *model = g ? grader_model(e, j) : j->model;
	struct usage u;
	usage_init(&u);
	double one = 0;
	if (message) {
		usage_from_message(message, &u);
		add_cost(j, model, &u, &one);
		sched_add_spent(e->sched, one);
	}
	if (!g) {
		j->failure = f;
		j->latency = latency_ms;
		j->usage = u;
		j->message = message;
		if (f == API_FAIL_NONE && !message) {
			j->failure = API_FAIL_PROTOCOL;
			set_error(j, NULL, "protocol", "no message in the answer");
		} else if (f != API_FAIL_NONE) {
			set_error(j, api_call_error(call), f == API_FAIL_CANCELED ? "canceled" : "error",
				  f == API_FAIL_CANCELED ? "canceled" : "the call failed");
		}
		record_answer(e, j, j->body, message, &u, one, latency_ms,
			      e->opt.command ? e->opt.command : "eval");
		if (j->failure == API_FAIL_NONE) {
			answered(e, j);
		} else {
			j->outcome = f == API_FAIL_CANCELED ? EVAL_CANCELED : EVAL_ERROR;
			if (f == API_FAIL_CANCELED)
				j->skip_reason = "canceled";
			report(e, j);
		}
	} else {
		g->message = message;
		if (f == API_FAIL_CANCELED) {
			g->canceled = 1;
		} else if (f != API_FAIL_NONE || !message) {
			j->failure = f != API_FAIL_NONE ? f : API_FAIL_PROTOCOL;
			set_error(j, api_call_error(call), "protocol", "the grader gave no message");
		}
		record_answer(e, j, NULL, message, &u, one, latency_ms, "grader");
		if (--j->grades_pending == 0)
			complete(e, j);
	}
	pump(e);
}

static void on_call_skip(void *ud, void *hp, enum sched_skip why)
{
	struct eval *e = ud;
	struct handle *h = hp;
	struct job *j = h->job;
	if (h->grade) {
		if (why == SCHED_SKIP_CANCELED)
			h->grade->canceled = 1; /* else: not graded, the check fails saying so */
		if (--j->grades_pending == 0)
			complete(e, j);
	} else {
		j->outcome = why == SCHED_SKIP_BUDGET ? EVAL_SKIPPED : EVAL_CANCELED;
		j->skip_reason = why == SCHED_SKIP_BUDGET ? "budget" : "canceled";
		report(e, j);
	}
	pump(e);
}

void eval_cancel(struct eval *e)
{
	if (e->canceled)
		return;
	e->canceled = 1;
	sched_cancel(e->sched);
	/* Rows never built are reported canceled too, so the counts add up. */
	while (!e->exhausted) {
		if (e->next_row >= nrows(e)) {
			e->exhausted = 1;
			break;
		}
		size_t row = e->next_row, rep = e->next_repeat, col = e->next_col;
		if (++e->next_col >= e->ncols) {
			e->next_col = 0;
			if (++e->next_repeat >= (size_t)e->opt.repeat) {
				e->next_repeat = 0;
				e->next_row++;
			}
		}
		if (!row_selected(e, row))
			continue;
		struct job *j = job_new(e, row, rep, col);
		j->outcome = EVAL_CANCELED;
		j->skip_reason = "canceled";
		j->failure = API_FAIL_CANCELED;
		report(e, j);
	}
}

int eval_finished(const struct eval *e)
{
	return e->started && e->exhausted && !e->live && sched_idle(e->sched);
}

void eval_progress(const struct eval *e, struct eval_progress *out)
{
	*out = e->prog;
	out->in_flight = sched_in_flight(e->sched);
	out->spent_usd = sched_spent(e->sched);
	out->limit = sched_limit(e->sched);
	out->rate_limited = sched_rate_limited(e->sched);
}

/* ---- answers from elsewhere (batches) ------------------------------------ */

void eval_start_external(struct eval *e)
{
	e->started = 1;
	e->exhausted = 1;
	e->prog.total = row_total(e) * (size_t)e->opt.repeat * e->ncols;
}

size_t eval_columns(const struct eval *e)
{
	return e->ncols;
}

size_t eval_repeats(const struct eval *e)
{
	return (size_t)e->opt.repeat;
}

size_t eval_row_count(const struct eval *e)
{
	return nrows(e);
}

int eval_next_cell(struct eval *e, size_t *cursor, size_t *row, size_t *repeat, size_t *column)
{
	size_t per_row = (size_t)e->opt.repeat * e->ncols;
	while (per_row && *cursor < nrows(e) * per_row) {
		size_t c = (*cursor)++;
		*row = c / per_row;
		*repeat = c % per_row / e->ncols;
		*column = c % e->ncols;
		if (row_selected(e, *row))
			return 1;
	}
	return 0;
}

/* The session of a row in a column (the caller frees). */
static struct session *row_session(struct eval *e, size_t row, size_t column)
{
	const struct column *c = &e->cols[column];
	struct session *s = session_clone(c->s);
	const struct testrow *tr = &e->rows->v[row];
	for (size_t i = 0; i < tr->nvars; i++)
		session_set_var(s, tr->vars[i].name, tr->vars[i].value);
	if (c->model) {
		free(s->model);
		s->model = xstrdup(c->model);
	}
	return s;
}

char *eval_body(struct eval *e, size_t row, size_t column, char **error)
{
	*error = NULL;
	struct session *s = row_session(e, row, column);
	struct diag_list diags;
	diag_list_init(&diags);
	char *body = request_build(s, REQUEST_MESSAGES, 0, &diags);
	if (!body) {
		const char *why = "the request could not be built";
		for (size_t i = 0; i < diags.n; i++)
			if (diags.v[i].level == DIAG_ERROR) {
				why = diags.v[i].message;
				break;
			}
		*error = xstrdup(why);
	}
	diag_list_done(&diags);
	session_free(s);
	return body;
}

double eval_estimate(struct eval *e, size_t row, size_t column, int batch)
{
	char *err = NULL;
	char *body = eval_body(e, row, column, &err);
	double usd = 0;
	if (body) {
		const struct column *c = &e->cols[column];
		const char *mt = c->s->max_tokens;
		long out = mt ? atol(mt) : 4096;
		long in = (long)(strlen(body) / 3);
		if (!(batch ? cost_estimate_batch(c->model, in, out, &usd)
			    : cost_estimate(c->model, in, out, &usd)))
			usd = 0;
	}
	free(body);
	free(err);
	return usd;
}

void eval_take_answer(struct eval *e, size_t row, size_t repeat, size_t column,
		      const char *message_json, int batch)
{
	struct job *j = prepare(e, row, repeat, column);
	if (!j)
		return;
	j->message = xstrdup(message_json);
	j->latency = -1; /* not measured: the batch ran on Anthropic's side */
	usage_from_message(message_json, &j->usage);
	double usd = 0;
	if (batch ? cost_of_usage_batch(j->model, &j->usage, &usd)
		  : cost_of_usage(j->model, &j->usage, &usd))
		j->cost += usd;
	else
		j->cost_known = 0;
	sched_add_spent(e->sched, usd);
	record_answer(e, j, j->body, j->message, &j->usage, usd, -1,
		      e->opt.command ? e->opt.command : "eval");
	answered(e, j);
	pump(e);
}

void eval_take_failure(struct eval *e, size_t row, size_t repeat, size_t column,
		       enum eval_outcome outcome, const char *type, const char *message)
{
	struct job *j = job_new(e, row, repeat, column);
	j->outcome = outcome;
	if (outcome == EVAL_ERROR) {
		set_error(j, NULL, type ? type : "error", message ? message : "");
		j->failure = API_FAIL_HTTP;
	} else if (outcome == EVAL_CANCELED) {
		j->failure = API_FAIL_CANCELED;
		j->skip_reason = "canceled";
	} else if (outcome == EVAL_SKIPPED) {
		j->skip_reason = "budget";
	} else {
		j->skip_reason = eval_outcome_name(outcome);
	}
	report(e, j);
}
