/* An evaluation through the Message Batches API (see evalbatch.h). */
#include "core/evalbatch.h"
#include "core/eval.h"
#include "core/loop.h"
#include "core/runlog.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PENDING_PREFIX "pending-"
#define PENDING_STATE "creating"

struct run_slot {
	struct evalbatch *b;
	struct batch_run *run;
	char **ids;          /* the batch's custom_ids (NULL-terminated) */
	size_t nids;
	char *pending_id;    /* the pending record to retire once created */
	struct batch_counts counts;
	int done;
};

struct evalbatch {
	struct eval *e;
	struct loop *loop;
	struct api_config cfg;
	struct runlog *log;
	long poll_ms;
	int force_new;
	char *log_key;
	struct evalbatch_hooks hooks;

	char fingerprint[2 * SHA256_DIGEST_SIZE + 1];
	size_t ncells;
	unsigned char *covered;  /* per cell index: already in a resumed batch */
	unsigned char *reported; /* per cell index: its result arrived */

	struct runlog_batch_line *found; /* unfinished batches of this eval */
	size_t nfound;

	struct batch_builder *builder;
	size_t cursor;           /* eval_next_cell cursor for the builder */
	struct batch_op *find_op; /* looking up a batch whose create was not recorded */
	size_t pending_line;     /* the line of found[] being looked up */

	struct run_slot **slots;
	size_t nslots;
	char **all_ids;          /* evalbatch_ids */
	size_t nall;
	size_t resumed;

	enum api_failure failure;
	char *error;
	int stopped, creating_done, started;
};

static void note(struct evalbatch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct evalbatch *b, const char *fmt, ...)
{
	if (!b->hooks.on_note)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	b->hooks.on_note(b->hooks.ud, s);
	free(s);
}

static void fail(struct evalbatch *b, enum api_failure f, const char *why)
{
	if (b->failure != API_FAIL_NONE && b->failure != API_FAIL_CANCELED)
		return;
	b->failure = f;
	free(b->error);
	b->error = xstrdup(why);
}

struct evalbatch *evalbatch_new(struct eval *e, struct loop *loop, const struct api_config *cfg,
				struct runlog *log, const struct evalbatch_options *opt,
				const struct evalbatch_hooks *hooks)
{
	struct evalbatch *b = xcalloc(1, sizeof *b);
	b->e = e;
	b->loop = loop;
	b->cfg = *cfg;
	b->cfg.base_url = xstrdup(cfg->base_url);
	b->cfg.api_key = xstrdup(cfg->api_key);
	b->cfg.api_version = xstrdup(cfg->api_version);
	b->cfg.betas = xstrdup(cfg->betas);
	b->log = log;
	b->poll_ms = opt->poll_ms > 0 ? opt->poll_ms : 30000;
	b->force_new = opt->force_new;
	b->log_key = xstrdup(opt->log_key ? opt->log_key : "");
	if (hooks)
		b->hooks = *hooks;
	return b;
}

static void slot_free(struct run_slot *s)
{
	if (!s)
		return;
	batch_run_free(s->run);
	batch_ids_free(s->ids);
	free(s->pending_id);
	free(s);
}

void evalbatch_free(struct evalbatch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nslots; i++)
		slot_free(b->slots[i]);
	free(b->slots);
	batch_op_free(b->find_op);
	batch_builder_free(b->builder);
	runlog_batch_lines_free(b->found, b->nfound);
	for (size_t i = 0; i < b->nall; i++)
		free(b->all_ids[i]);
	free(b->all_ids);
	free(b->covered);
	free(b->reported);
	free(b->error);
	free(b->log_key);
	api_config_done(&b->cfg);
	free(b);
}

/* ---- cells ------------------------------------------------------------- */

static size_t cell_index(struct evalbatch *b, long row, long repeat, long column)
{
	/* a cell's index: the cursor order of eval_next_cell */
	size_t ncols = eval_columns(b->e);
	return ((size_t)row * (size_t)eval_repeats(b->e) + (size_t)repeat) * ncols + (size_t)column;
}

static size_t cell_count(struct evalbatch *b)
{
	return eval_row_count(b->e) * (size_t)eval_repeats(b->e) * eval_columns(b->e);
}

/* Mark the custom_ids of a JSON array as covered; 0, or -1 when one is not
 * an id of this evaluation. */
static int cover_ids(struct evalbatch *b, const char *ids_json, char ***out, size_t *nout)
{
	cJSON *arr = cJSON_Parse(ids_json ? ids_json : "");
	const cJSON *it;
	size_t n = 0;
	char **v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *v);
	int rc = cJSON_IsArray(arr) ? 0 : -1;
	cJSON_ArrayForEach(it, arr) {
		long row, rep, col;
		if (!cJSON_IsString(it) ||
		    batch_custom_id_decode(it->valuestring, &row, &rep, &col) < 0 ||
		    cell_index(b, row, rep, col) >= b->ncells) {
			rc = -1;
			break;
		}
		b->covered[cell_index(b, row, rep, col)] = 1;
		v[n++] = xstrdup(it->valuestring);
	}
	cJSON_Delete(arr);
	if (rc < 0) {
		batch_ids_free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* ---- preparing -------------------------------------------------------------- */

int evalbatch_prepare(struct evalbatch *b, double *new_estimate)
{
	*new_estimate = 0;
	b->ncells = cell_count(b);
	b->covered = xcalloc(b->ncells ? b->ncells : 1, 1);
	b->reported = xcalloc(b->ncells ? b->ncells : 1, 1);
	/* The fingerprint: every custom_id with its exact body, in order. */
	struct sha256_ctx h;
	sha256_init(&h);
	size_t cursor = 0, row, rep, col;
	while (eval_next_cell(b->e, &cursor, &row, &rep, &col)) {
		char *err = NULL;
		char *body = eval_body(b->e, row, col, &err);
		if (!body) {
			fail(b, API_FAIL_PROTOCOL, err);
			free(err);
			return -1;
		}
		char id[BATCH_CUSTOM_ID_MAX + 1];
		batch_custom_id_encode((long)row, (long)rep, (long)col, id);
		sha256_update(&h, strlen(id) + 1, (const uint8_t *)id);
		sha256_update(&h, strlen(body) + 1, (const uint8_t *)body);
		free(body);
	}
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(&h, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(b->fingerprint + 2 * i, 3, "%02x", d[i]);
	if (!b->force_new && b->log &&
	    runlog_batch_find_unfinished(b->log, b->log_key, b->fingerprint, &b->found, &b->nfound) < 0) {
		b->found = NULL;
		b->nfound = 0;
	}
	/* What the found batches cover is not created again. */
	for (size_t i = 0; i < b->nfound; i++) {
		char **ids = NULL;
		size_t n = 0;
		if (cover_ids(b, b->found[i].custom_ids_json, &ids, &n) == 0)
			batch_ids_free(ids);
	}
	cursor = 0;
	while (eval_next_cell(b->e, &cursor, &row, &rep, &col))
		if (!b->covered[cell_index(b, (long)row, (long)rep, (long)col)])
			*new_estimate += eval_estimate(b->e, row, col, 1) * 1.0;
	return 0;
}

/* ---- one batch's life ---------------------------------------------------------- */

static void create_next(struct evalbatch *b);
static void check_pending(struct evalbatch *b);

static void remember_id(struct evalbatch *b, const char *id)
{
	b->all_ids = xrealloc(b->all_ids, (b->nall + 2) * sizeof *b->all_ids);
	b->all_ids[b->nall++] = xstrdup(id);
	b->all_ids[b->nall] = NULL;
}

static char *ids_json(char **ids)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; ids && ids[i]; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(ids[i]));
	char *s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

static void on_created(void *ud, const struct batch_info *info)
{
	struct run_slot *s = ud;
	struct evalbatch *b = s->b;
	char *ij = ids_json(s->ids);
	struct runlog_batch rb = {
		.batch_id = info->id,
		.version_id = b->log_key,
		.rows_fingerprint = b->fingerprint,
		.custom_ids_json = ij,
		.state = info->processing_status ? info->processing_status : "in_progress",
		.created_at = info->created_at,
		.request_count = (long)s->nids,
	};
	runlog_batch_record(b->log, &rb);
	if (s->pending_id)
		runlog_batch_set_state(b->log, s->pending_id, RUNLOG_BATCH_DONE);
	free(ij);
	remember_id(b, info->id);
	note(b, "created %s (%zu requests)", info->id, s->nids);
	create_next(b); /* the next batch, if the rows needed more than one */
}

static void on_status(void *ud, const struct batch_info *info)
{
	struct run_slot *s = ud;
	s->counts = info->counts;
	runlog_batch_set_state(s->b->log, info->id, info->processing_status);
	if (s->b->hooks.on_status)
		s->b->hooks.on_status(s->b->hooks.ud);
}

static void on_poll_error(void *ud, const char *why, long delay_ms)
{
	struct run_slot *s = ud;
	note(s->b, "polling failed (%s); again in %.0f s", why, (double)delay_ms / 1000.0);
}

static void on_result(void *ud, const struct batch_result *r)
{
	struct run_slot *s = ud;
	struct evalbatch *b = s->b;
	long row, rep, col;
	if (batch_custom_id_decode(r->custom_id, &row, &rep, &col) < 0)
		return; /* batch_results refuses ids that were not sent */
	size_t ci = cell_index(b, row, rep, col);
	if (ci >= b->ncells || b->reported[ci])
		return;
	b->reported[ci] = 1;
	switch (r->type) {
	case BATCH_SUCCEEDED:
		eval_take_answer(b->e, (size_t)row, (size_t)rep, (size_t)col, r->message_json, 1);
		break;
	case BATCH_ERRORED:
		eval_take_failure(b->e, (size_t)row, (size_t)rep, (size_t)col, EVAL_ERROR,
				  r->error_type, r->error_message);
		break;
	case BATCH_CANCELED:
		eval_take_failure(b->e, (size_t)row, (size_t)rep, (size_t)col, EVAL_CANCELED,
				  NULL, NULL);
		break;
	case BATCH_EXPIRED:
		eval_take_failure(b->e, (size_t)row, (size_t)rep, (size_t)col, EVAL_EXPIRED, NULL,
				  NULL);
		break;
	}
}

/* The rows of a batch whose results never came: errors saying why. */
static void report_missing(struct evalbatch *b, struct run_slot *s, const char *why)
{
	for (size_t i = 0; i < s->nids; i++) {
		long row, rep, col;
		if (batch_custom_id_decode(s->ids[i], &row, &rep, &col) < 0)
			continue;
		size_t ci = cell_index(b, row, rep, col);
		if (ci < b->ncells && !b->reported[ci]) {
			b->reported[ci] = 1;
			eval_take_failure(b->e, (size_t)row, (size_t)rep, (size_t)col, EVAL_ERROR,
					  "batch", why);
		}
	}
}

static void on_done(void *ud, struct batch_run *run)
{
	struct run_slot *s = ud;
	struct evalbatch *b = s->b;
	s->done = 1;
	enum api_failure f = batch_run_failure(run);
	const struct batch_info *info = batch_run_info(run);
	if (f == API_FAIL_NONE) {
		if (info && info->id)
			runlog_batch_set_state(b->log, info->id, RUNLOG_BATCH_DONE);
		s->counts = info ? info->counts : s->counts;
	} else if (f == API_FAIL_CANCELED) {
		/* stopped: the batch keeps running; a later run resumes it */
	} else {
		const char *why = batch_run_error(run) ? batch_run_error(run) : "the batch failed";
		fail(b, f, why);
		if (info && info->id && *info->id)
			report_missing(b, s, why);
		else
			report_missing(b, s, why); /* never created */
		if (s->pending_id)
			runlog_batch_set_state(b->log, s->pending_id, RUNLOG_BATCH_DONE);
		create_next(b); /* a failed create must not leave the others waiting */
	}
	if (b->hooks.on_status)
		b->hooks.on_status(b->hooks.ud);
}

static struct run_slot *slot_new(struct evalbatch *b)
{
	struct run_slot *s = xcalloc(1, sizeof *s);
	s->b = b;
	b->slots = xrealloc(b->slots, (b->nslots + 1) * sizeof *b->slots);
	b->slots[b->nslots++] = s;
	return s;
}

/* body (malloc'd) is taken: a batch's JSON is held once. */
static void start_slot(struct evalbatch *b, struct run_slot *s, char *body, const char *resume_id)
{
	struct batch_run_options o = {
		.poll_ms = b->poll_ms,
		.custom_ids = (const char *const *)s->ids,
		.n_custom_ids = s->nids,
	};
	struct batch_run_hooks h = {
		.on_created = on_created,
		.on_status = on_status,
		.on_poll_error = on_poll_error,
		.on_result = on_result,
		.on_done = on_done,
		.ud = s,
	};
	if (resume_id)
		s->run = batch_run_resume(b->loop, &b->cfg, resume_id, &o, &h);
	else
		s->run = batch_run_create_take(b->loop, &b->cfg, body, &o, &h);
}

/* The builder's source: every cell not covered by a resumed batch. */
static int next_request(void *ud, char **custom_id, char **params)
{
	struct evalbatch *b = ud;
	size_t row, rep, col;
	while (eval_next_cell(b->e, &b->cursor, &row, &rep, &col)) {
		if (b->covered[cell_index(b, (long)row, (long)rep, (long)col)])
			continue;
		char *err = NULL;
		char *body = eval_body(b->e, row, col, &err);
		if (!body) {
			free(err);
			return -1;
		}
		char id[BATCH_CUSTOM_ID_MAX + 1];
		batch_custom_id_encode((long)row, (long)rep, (long)col, id);
		*custom_id = xstrdup(id);
		*params = body;
		return 1;
	}
	return 0;
}

/* Create the next batch of the rows not yet sent; one at a time, each
 * recorded as pending before its create goes out. */
static void create_next(struct evalbatch *b)
{
	if (b->stopped || b->creating_done)
		return;
	if (!b->builder)
		b->builder = batch_builder_new(NULL, next_request, b);
	char *body = NULL, *err = NULL;
	char **ids = NULL;
	size_t n = 0;
	int r = batch_builder_next(b->builder, &body, &ids, &n, &err);
	if (r <= 0) {
		b->creating_done = 1;
		if (r < 0) {
			fail(b, API_FAIL_PROTOCOL, err);
			free(err);
		}
		return;
	}
	struct run_slot *s = slot_new(b);
	s->ids = ids;
	s->nids = n;
	/* pending-<fingerprint's first 12>-<seq>: found again after a crash */
	s->pending_id = xasprintf(PENDING_PREFIX "%.12s-%zu-%lld", b->fingerprint, b->nslots,
				  (long long)time(NULL));
	char *ij = ids_json(ids);
	struct runlog_batch rb = {
		.batch_id = s->pending_id,
		.version_id = b->log_key,
		.rows_fingerprint = b->fingerprint,
		.custom_ids_json = ij,
		.state = PENDING_STATE,
		.created_at = NULL,
		.request_count = (long)n,
	};
	runlog_batch_record(b->log, &rb);
	free(ij);
	start_slot(b, s, body, NULL);
}

/* ---- starting: resume, then create -------------------------------------------- */

static void resume_found(struct evalbatch *b, const char *batch_id, const char *ids_json_text)
{
	struct run_slot *s = slot_new(b);
	if (cover_ids(b, ids_json_text, &s->ids, &s->nids) < 0) {
		s->done = 1;
		return;
	}
	remember_id(b, batch_id);
	b->resumed++;
	note(b, "resuming %s (%zu requests) from the run log", batch_id, s->nids);
	start_slot(b, s, NULL, batch_id);
}

static void on_found(void *ud, struct batch_op *op)
{
	struct evalbatch *b = ud;
	struct runlog_batch_line *l = &b->found[b->pending_line];
	b->find_op = NULL;
	if (batch_op_failure(op) != API_FAIL_NONE) {
		note(b, "a batch of %ld requests may have been created at %s before pwb could "
		     "record it, and the batches cannot be listed now (%s); see `pwb batch list`",
		     l->request_count, l->created_at ? l->created_at : "?", batch_op_error(op));
		fail(b, batch_op_failure(op), "cannot tell whether an unrecorded batch exists");
		batch_op_free(op);
		b->creating_done = 1;
		return;
	}
	size_t n = 0;
	int more = 0;
	const char *last = NULL;
	const struct batch_info *v = batch_op_list(op, &n, &more, &last);
	if (n) {
		/* the newest match is the one pwb created */
		struct runlog_batch rb = {
			.batch_id = v[0].id,
			.version_id = b->log_key,
			.rows_fingerprint = b->fingerprint,
			.custom_ids_json = l->custom_ids_json,
			.state = v[0].processing_status,
			.created_at = v[0].created_at,
			.request_count = l->request_count,
		};
		runlog_batch_record(b->log, &rb);
		note(b, "found %s, created at %s but never recorded (pwb stopped in between)",
		     v[0].id, v[0].created_at ? v[0].created_at : "?");
		char *id = xstrdup(v[0].id);
		runlog_batch_set_state(b->log, l->batch_id, RUNLOG_BATCH_DONE);
		batch_op_free(op);
		resume_found(b, id, l->custom_ids_json);
		free(id);
	} else {
		/* not created: its rows go into a new batch */
		note(b, "the batch pwb was creating at %s does not exist; creating it again",
		     l->created_at ? l->created_at : "?");
		char **ids = NULL;
		size_t nids = 0;
		runlog_batch_set_state(b->log, l->batch_id, RUNLOG_BATCH_DONE);
		if (cover_ids(b, l->custom_ids_json, &ids, &nids) == 0) {
			for (size_t i = 0; i < nids; i++) {
				long row, rep, col;
				if (batch_custom_id_decode(ids[i], &row, &rep, &col) == 0)
					b->covered[cell_index(b, row, rep, col)] = 0;
			}
			batch_ids_free(ids);
		}
		batch_op_free(op);
	}
	b->pending_line++;
	check_pending(b);
}

/* Pending records (a create whose answer was never recorded), one by one,
 * then create what is left. */
static void check_pending(struct evalbatch *b)
{
	for (; b->pending_line < b->nfound; b->pending_line++) {
		struct runlog_batch_line *l = &b->found[b->pending_line];
		if (strncmp(l->batch_id, PENDING_PREFIX, strlen(PENDING_PREFIX)))
			continue;
		double since = batch_time_epoch(l->created_at);
		b->find_op = batch_find_created(b->loop, &b->cfg, since < 0 ? 0 : since - 5,
						l->request_count, on_found, b);
		return;
	}
	create_next(b);
}

void evalbatch_start(struct evalbatch *b)
{
	b->started = 1;
	for (size_t i = 0; i < b->nfound; i++)
		if (strncmp(b->found[i].batch_id, PENDING_PREFIX, strlen(PENDING_PREFIX)))
			resume_found(b, b->found[i].batch_id, b->found[i].custom_ids_json);
	b->pending_line = 0;
	check_pending(b);
}

void evalbatch_stop(struct evalbatch *b)
{
	b->stopped = 1;
	b->creating_done = 1;
	if (b->find_op) {
		batch_op_free(b->find_op);
		b->find_op = NULL;
	}
	for (size_t i = 0; i < b->nslots; i++)
		if (b->slots[i]->run && !b->slots[i]->done)
			batch_run_stop(b->slots[i]->run);
	fail(b, API_FAIL_CANCELED, "stopped");
}

int evalbatch_finished(const struct evalbatch *b)
{
	if (!b->started || b->find_op || !b->creating_done)
		return 0;
	for (size_t i = 0; i < b->nslots; i++)
		if (b->slots[i]->run && !b->slots[i]->done)
			return 0;
	return 1;
}

enum api_failure evalbatch_failure(const struct evalbatch *b)
{
	return b->failure;
}

const char *evalbatch_error(const struct evalbatch *b)
{
	return b->error;
}

void evalbatch_progress(const struct evalbatch *b, struct evalbatch_progress *out)
{
	memset(out, 0, sizeof *out);
	out->batches = b->nslots;
	out->resumed = b->resumed;
	for (size_t i = 0; i < b->nslots; i++) {
		const struct run_slot *s = b->slots[i];
		out->batches_done += s->done;
		out->requests += s->nids;
		out->counts.processing += s->counts.processing;
		out->counts.succeeded += s->counts.succeeded;
		out->counts.errored += s->counts.errored;
		out->counts.canceled += s->counts.canceled;
		out->counts.expired += s->counts.expired;
	}
}

const char *const *evalbatch_ids(const struct evalbatch *b)
{
	static const char *const none[] = { NULL };
	return b->all_ids ? (const char *const *)b->all_ids : none;
}
