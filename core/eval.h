/* An evaluation: test rows run through one or more columns (a preset, or
 * a preset with another model), each answer checked by its assertions.
 * A driver over core/sched on the caller's loop: it never waits, and
 * reports each result through on_result as soon as the row is done, so
 * memory does not grow with finished rows. The headless `pwb eval` and the
 * workbench drive the same engine; only the sink differs.
 *
 * Ownership: sessions, rows and the run log given to the engine are
 * borrowed and must outlive it; results passed to on_result are valid
 * during the callback only. */
#ifndef PWB_EVAL_H
#define PWB_EVAL_H

#include <stddef.h>

#include "core/api.h"
#include "core/cost.h"

struct loop;
struct session;
struct testrow;
struct testrows;
struct assertion;
struct runlog;

enum eval_outcome {
	EVAL_PASSED,
	EVAL_FAILED,
	EVAL_ERROR,    /* the API call (or a grader's) failed */
	EVAL_SKIPPED,  /* never started: the budget */
	EVAL_CANCELED, /* eval_cancel */
	EVAL_EXPIRED,  /* a batch request that expired before it ran */
};

/* "passed", "failed", "error", "skipped", "canceled", "expired". */
const char *eval_outcome_name(enum eval_outcome o);

struct eval_check {
	const struct assertion *assertion;
	int pass;
	double score;
	const char *reason;
};

struct eval_result {
	size_t row, repeat, column;
	enum eval_outcome outcome;
	const char *skip_reason;    /* "budget" or "canceled" when SKIPPED/CANCELED */
	const char *body;           /* the request body sent (or that would be) */
	const char *output;         /* the text the assertions saw; "" when none */
	const char *message_json;   /* the API Message, or NULL */
	struct usage usage;
	int cost_known;
	double cost_usd;            /* answer plus graders */
	long latency_ms;            /* -1 when no answer */
	const struct eval_check *checks;
	size_t nchecks;
	enum api_failure failure;   /* API_FAIL_NONE unless ERROR/CANCELED */
	const struct api_error *error; /* NULL when none */
	int cached;                 /* answered from the run log, nothing sent */
	long long answer_id;        /* in the run log; 0 when not recorded */
};

/* A result's checks as a JSON array of {type, value, threshold?, pass,
 * score, reason}: what -o files and the run log keep. malloc'd. */
char *eval_checks_json(const struct eval_result *r);
/* A result as one JSON object (the line `pwb eval -o` writes: preset,
 * version, model, row, description, vars as sent, outcome, output,
 * message, usage, cost, latency, assertions, error, cached), row being the
 * result's row and s the session it ran with. malloc'd. */
char *eval_result_json(const struct eval_result *res, const struct testrow *row,
		       const struct session *s, const char *preset, const char *version,
		       const char *model);

struct eval_options {
	int concurrency;            /* calls in flight at most (>= 1) */
	int repeat;                 /* each row this many times (>= 1) */
	const char *grader_model;   /* llm-rubric; NULL: the column's model */
	double budget_usd;          /* < 0: none */
	int cache;                  /* answer from the run log when the same body got a complete answer */
	struct runlog *log;         /* NULL: nothing recorded, no cache */
	const char *command;        /* recorded as the answer's command ("eval") */
};

struct eval_hooks {
	void (*on_result)(void *ud, const struct eval_result *r);
	void *ud;
};

struct eval;

/* cfg: the connection (base URL, key, retries, timeouts); each column uses
 * it with its own session's API version and betas. */
struct eval *eval_new(struct loop *loop, const struct api_config *cfg,
		      const struct eval_options *opt, const struct eval_hooks *hooks);
/* Cancels what is in flight without reporting it. NULL is a no-op. */
void eval_free(struct eval *e);

/* Add a column: session s (borrowed) with model (NULL: the session's).
 * label names it in reports; version_id and preset_path (an absolute path;
 * either may be NULL) are recorded with its answers. Returns the column
 * index. */
size_t eval_add_column(struct eval *e, const char *label, const struct session *s,
		       const char *model, const char *version_id, const char *preset_path);
const char *eval_column_label(const struct eval *e, size_t column);
const char *eval_column_model(const struct eval *e, size_t column);

/* The rows (borrowed). Only the rows whose index has only[i] != 0 run when
 * only is not NULL (--filter-failing); the others are not reported. */
void eval_set_rows(struct eval *e, const struct testrows *rows, const unsigned char *only);

/* Queue every (row, repeat, column) and start. Bodies that cannot be built
 * are reported at once as errors (type "invalid_request"). */
void eval_start(struct eval *e);
/* Stop starting rows; rows in flight are canceled; every unfinished row is
 * reported CANCELED. */
void eval_cancel(struct eval *e);
/* Every queued row has been reported. */
int eval_finished(const struct eval *e);

/* Answers from elsewhere (the Message Batches API): eval_start_external
 * starts without sending anything; the caller builds each body with
 * eval_body and hands each answer or failure back. Checks (and llm-rubric
 * graders, sent in real time) and reports work as for real-time rows. */
void eval_start_external(struct eval *e);
/* The request body of a row in a column (as `pwb request --no-stream`
 * gives it), malloc'd; NULL with *error (malloc'd) when it cannot be built. */
char *eval_body(struct eval *e, size_t row, size_t column, char **error);
/* The upper estimate of one row's cost in a column, at batch prices when
 * batch is set (0 when the price is unknown). */
double eval_estimate(struct eval *e, size_t row, size_t column, int batch);
/* A row's answer arrived: message_json is the API Message; batch prices
 * it at the batch rate. */
void eval_take_answer(struct eval *e, size_t row, size_t repeat, size_t column,
		      const char *message_json, int batch);
/* A row ended without an answer: outcome EVAL_ERROR (with the API's error
 * type and message), EVAL_CANCELED or EVAL_EXPIRED. */
void eval_take_failure(struct eval *e, size_t row, size_t repeat, size_t column,
		       enum eval_outcome outcome, const char *type, const char *message);
/* Rows selected (only[]), repeats and columns: the (row, repeat, column)
 * triples an evaluation covers, in order; 0 when there are no more. */
int eval_next_cell(struct eval *e, size_t *cursor, size_t *row, size_t *repeat, size_t *column);
size_t eval_columns(const struct eval *e);
size_t eval_repeats(const struct eval *e);
size_t eval_row_count(const struct eval *e); /* all rows, selected or not */

struct eval_progress {
	size_t total, done, passed, failed, errors, skipped, canceled, expired;
	size_t in_flight;
	double spent_usd;
	int limit;            /* concurrency in force */
	unsigned rate_limited;
};
void eval_progress(const struct eval *e, struct eval_progress *out);

#endif
