/* The Message Batches API (api.md "Batches"): custom_id codes, building
 * create bodies within the batch limits, and drivers on the core loop for
 * create, poll, results (streamed line by line), cancel, get and list.
 * Nothing here blocks: every operation reports through callbacks from
 * loop_once, like api_call.
 *
 * An evaluation drives it so: a batch_builder pulls (custom_id, params)
 * per row and gives one batch's body and ids; batch_run_create sends it,
 * on_created records it in the run log (runlog_batch_record) before any
 * poll, on_status shows request_counts, on_result grades each line
 * (batch_custom_id_decode gives row, repeat, column back), on_done marks
 * it RUNLOG_BATCH_DONE and builds the next batch, if any. A second run
 * finds unfinished ones (runlog_batch_find_unfinished) and calls
 * batch_run_resume with their ids; batch_find_created finds one created
 * but never recorded. */
#ifndef PWB_BATCH_H
#define PWB_BATCH_H

#include <stddef.h>

#include "core/api.h"

struct loop;

/* ---- custom_id -------------------------------------------------------- */

/* 1..64 characters of [A-Za-z0-9_-] (the API's rule). */
#define BATCH_CUSTOM_ID_MAX 64

/* 1 when id follows the API's custom_id rule. */
int batch_custom_id_valid(const char *id);
/* "r<row>-k<repeat>-c<column>" (e.g. "r12-k0-c1") into out. 0, or -1 for a
 * negative number. */
int batch_custom_id_encode(long row, long repeat, long column, char out[BATCH_CUSTOM_ID_MAX + 1]);
/* Back from exactly that form (no sign, no leading zeros, no extra text).
 * 0, or -1 for anything else. */
int batch_custom_id_decode(const char *id, long *row, long *repeat, long *column);

/* ---- limits and building bodies --------------------------------------- */

struct batch_limits {
	size_t max_requests; /* 100,000 */
	size_t max_bytes;    /* 256 MB, the whole create body */
};
/* The API's limits. For tests only: PWB_BATCH_MAX_REQUESTS and
 * PWB_BATCH_MAX_BYTES (positive integers, never above the API's) lower them. */
void batch_limits_init(struct batch_limits *l);

/* Yields the next request: 1 with *custom_id and *params_json (both
 * malloc'd, taken by the builder; params is the create body of one
 * Messages request, a JSON object), 0 when there are no more, -1 on an
 * error (the builder reports it as "the request source failed"). */
typedef int (*batch_next_fn)(void *ud, char **custom_id, char **params_json);

struct batch_builder;
/* A builder pulling requests from next; limits NULL means batch_limits_init. */
struct batch_builder *batch_builder_new(const struct batch_limits *limits, batch_next_fn next,
					void *ud);
void batch_builder_free(struct batch_builder *b); /* NULL: no-op */

/* One batch: the create body {"requests":[{"custom_id":..,"params":{..}},..]}
 * taking requests until the next would pass a limit. Only this batch's
 * JSON is held. Returns 1 with *body (malloc'd, caller frees), *ids (a
 * malloc'd NULL-terminated array of the batch's custom_ids in order; free
 * with batch_ids_free) and *count; 0 when no request is left; -1 with
 * *error (malloc'd): a custom_id that breaks the rule or repeats within the
 * batch, params that is not a JSON object, one request alone larger than
 * max_bytes, or the source failing. */
int batch_builder_next(struct batch_builder *b, char **body, char ***ids, size_t *count,
		       char **error);
void batch_ids_free(char **ids); /* NULL: no-op */

/* ---- a batch as the API describes it ---------------------------------- */

struct batch_counts {
	long processing, succeeded, errored, canceled, expired;
};

struct batch_info {
	char *id;                /* msgbatch_... */
	char *processing_status; /* in_progress, canceling, ended */
	struct batch_counts counts;
	char *created_at, *expires_at, *ended_at, *cancel_initiated_at, *archived_at; /* NULL: null */
	char *results_url;       /* NULL until ended */
};
void batch_info_done(struct batch_info *b);
/* Fill b from a MessageBatch JSON text. 0, or -1 (not a MessageBatch: no id). */
int batch_info_parse(struct batch_info *b, const char *json);
/* 1 when processing_status is "ended". */
int batch_info_ended(const struct batch_info *b);
/* The request total: the sum of the counts. */
long batch_counts_total(const struct batch_counts *c);

/* ---- results lines ---------------------------------------------------- */

enum batch_result_type { BATCH_SUCCEEDED, BATCH_ERRORED, BATCH_CANCELED, BATCH_EXPIRED };
/* "succeeded", "errored", "canceled", "expired". */
const char *batch_result_type_name(enum batch_result_type t);

/* One results line; every pointer is valid only during the callback. */
struct batch_result {
	const char *custom_id;
	enum batch_result_type type;
	const char *message_json;  /* succeeded: the Message (compact JSON), else NULL */
	const char *error_type;    /* errored: the API error's type and message, else NULL */
	const char *error_message;
	long line;                 /* 1-based line number in the results */
};
typedef void (*batch_result_fn)(void *ud, const struct batch_result *r);

/* A line-by-line reader of a results body fed in chunks at any split.
 * When expected ids are given (copied), a custom_id not among them, or
 * seen twice, is a protocol error naming it; with none, only duplicates
 * are. */
struct batch_results;
struct batch_results *batch_results_new(const char *const *expected_ids, size_t n,
					batch_result_fn fn, void *ud);
void batch_results_free(struct batch_results *r); /* NULL: no-op */
/* Feed bytes: complete lines go to fn. 0, or -1 after the first error
 * (batch_results_error says it; nothing more is taken). */
int batch_results_feed(struct batch_results *r, const char *bytes, size_t n);
/* The body has ended: a last line without newline is taken; with expected
 * ids, any not seen is an error naming the first. 0 or -1. */
int batch_results_end(struct batch_results *r);
const char *batch_results_error(const struct batch_results *r); /* NULL when none */
long batch_results_count(const struct batch_results *r);        /* lines taken */

/* ---- one request to the Batches endpoints ----------------------------- */

struct batch_op;
typedef void (*batch_op_done_fn)(void *ud, struct batch_op *op);

/* Each starts one api_call (the core's retries) and calls done once from
 * the loop; free the op with batch_op_free (also cancels). The answer is
 * read with the accessors below. id must be a well-formed batch id (only
 * [A-Za-z0-9_-]); a bad one fails with API_FAIL_PROTOCOL from the loop. */
struct batch_op *batch_create(struct loop *loop, const struct api_config *cfg, const char *body,
			      batch_op_done_fn done, void *ud);
/* The same taking body (malloc'd): a body of up to 256 MB is not held twice. */
struct batch_op *batch_create_take(struct loop *loop, const struct api_config *cfg, char *body,
				   batch_op_done_fn done, void *ud);
struct batch_op *batch_get(struct loop *loop, const struct api_config *cfg, const char *id,
			   batch_op_done_fn done, void *ud);
struct batch_op *batch_cancel(struct loop *loop, const struct api_config *cfg, const char *id,
			      batch_op_done_fn done, void *ud);
/* One page of the list, newest first: limit 1..1000 (0: the API's default),
 * after_id NULL for the first page. */
struct batch_op *batch_list(struct loop *loop, const struct api_config *cfg, long limit,
			    const char *after_id, batch_op_done_fn done, void *ud);
/* The raw results of batch id: each body chunk goes to on_bytes as it
 * arrives (return nonzero to stop with API_FAIL_PROTOCOL). */
struct batch_op *batch_results_raw(struct loop *loop, const struct api_config *cfg, const char *id,
				   int (*on_bytes)(void *ud, const char *bytes, size_t n),
				   batch_op_done_fn done, void *ud);
/* For a batch created but never recorded (a crash between the create
 * answer and the log write): the batches created at or after since_epoch
 * (Unix seconds) with exactly request_count requests, paging through the
 * list (newest first) until older ones. The matches, newest first, come
 * from batch_op_list (has_more 0). */
struct batch_op *batch_find_created(struct loop *loop, const struct api_config *cfg,
				    double since_epoch, long request_count, batch_op_done_fn done,
				    void *ud);
/* Unix seconds of an RFC 3339 time ("2026-11-01T00:06:00.123456Z" or with
 * an offset), -1 when malformed. */
double batch_time_epoch(const char *rfc3339);
void batch_op_free(struct batch_op *op);
void batch_op_cancel(struct batch_op *op); /* done runs with API_FAIL_CANCELED */

enum api_failure batch_op_failure(const struct batch_op *op);
/* A one-line reason when failed ("HTTP 404 not_found_error: ..."); owned. */
const char *batch_op_error(const struct batch_op *op);
/* The raw JSON answer (create, get, cancel, list); owned; "" for results. */
const char *batch_op_body(const struct batch_op *op);
/* The MessageBatch of create, get and cancel; NULL otherwise. */
const struct batch_info *batch_op_info(const struct batch_op *op);
/* The page of a list (or the matches of batch_find_created): its batches
 * (owned by op), has_more and last_id. */
const struct batch_info *batch_op_list(const struct batch_op *op, size_t *count, int *has_more,
				       const char **last_id);

/* ---- the whole life of one batch: create, poll, results --------------- */

enum batch_phase {
	BATCH_PHASE_CREATING,
	BATCH_PHASE_POLLING,     /* a GET in flight, or waiting for the next */
	BATCH_PHASE_DOWNLOADING, /* results streaming */
	BATCH_PHASE_DONE,
};

struct batch_run_options {
	long poll_ms;        /* between polls; default 30000 */
	/* The batch's custom_ids (copied): results must match them exactly. */
	const char *const *custom_ids;
	size_t n_custom_ids;
	int max_poll_errors; /* consecutive failed polls before giving up; default 10 */
};

struct batch_run;
struct batch_run_hooks {
	/* The create answered: record the batch now, before any poll. */
	void (*on_created)(void *ud, const struct batch_info *b);
	/* Every poll answer (request_counts, processing_status). */
	void (*on_status)(void *ud, const struct batch_info *b);
	/* A poll failed and will be tried again after delay_ms. */
	void (*on_poll_error)(void *ud, const char *why, long delay_ms);
	batch_result_fn on_result; /* each results line, as it arrives */
	/* Once, at the end (results all read, failed, or stopped). on_done may
	 * free the run; the other hooks may call batch_run_stop, never free. */
	void (*on_done)(void *ud, struct batch_run *run);
	void *ud;
};

/* Create a batch from body (copied), then poll it until ended, then stream
 * its results to on_result. */
struct batch_run *batch_run_create(struct loop *loop, const struct api_config *cfg,
				   const char *body, const struct batch_run_options *opts,
				   const struct batch_run_hooks *hooks);
/* The same taking body (malloc'd). */
struct batch_run *batch_run_create_take(struct loop *loop, const struct api_config *cfg, char *body,
					const struct batch_run_options *opts,
					const struct batch_run_hooks *hooks);
/* Resume an existing batch: poll (the first at once), then results. */
struct batch_run *batch_run_resume(struct loop *loop, const struct api_config *cfg,
				   const char *batch_id, const struct batch_run_options *opts,
				   const struct batch_run_hooks *hooks);
/* Stop (Ctrl-C): never cancels the batch on the API side; on_done runs
 * with API_FAIL_CANCELED. */
void batch_run_stop(struct batch_run *run);
void batch_run_free(struct batch_run *run); /* stops first, without on_done */

enum batch_phase batch_run_phase(const struct batch_run *run);
/* API_FAIL_NONE once results were all read; API_FAIL_PROTOCOL for a bad
 * results line (unknown or duplicate custom_id, missing ones, not JSON). */
enum api_failure batch_run_failure(const struct batch_run *run);
const char *batch_run_error(const struct batch_run *run); /* NULL when none */
/* The last MessageBatch seen (id empty/NULL before the create answered). */
const struct batch_info *batch_run_info(const struct batch_run *run);

#endif
