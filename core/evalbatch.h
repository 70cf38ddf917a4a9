/* An evaluation answered through the Message Batches API (`pwb eval
 * --batch`): one request per (row, repeat, column), exactly the body of
 * eval_body, in as many batches as the limits ask; each batch recorded in
 * the run log before it is polled, so running the same evaluation again
 * resumes it instead of creating another. Results are handed to the eval
 * engine as they stream in (eval_take_answer / eval_take_failure), which
 * checks them as it checks real-time answers.
 *
 * A batch is first recorded as "pending-..." (state "creating") before its
 * create request goes out, and replaced by its real id once the API
 * answers: a crash in between leaves the pending record, and the next run
 * looks the batch up in the API's list by creation time and request count. */
#ifndef PWB_EVALBATCH_H
#define PWB_EVALBATCH_H

#include <stddef.h>

#include "core/api.h"
#include "core/batch.h"

struct eval;
struct loop;
struct runlog;

struct evalbatch_options {
	long poll_ms;        /* between polls (default 30000) */
	int force_new;       /* --new: never resume */
	const char *log_key; /* the evaluation's identity in the log (its preset versions) */
};

struct evalbatch_hooks {
	/* One line for the user: a batch created or resumed, a batch that may
	 * exist, what to run to resume. */
	void (*on_note)(void *ud, const char *text);
	/* The request counts changed. */
	void (*on_status)(void *ud);
	void *ud;
};

struct evalbatch;

/* e, loop, cfg and log are borrowed (log may be NULL: nothing to resume
 * from, nothing recorded). */
struct evalbatch *evalbatch_new(struct eval *e, struct loop *loop, const struct api_config *cfg,
				struct runlog *log, const struct evalbatch_options *opt,
				const struct evalbatch_hooks *hooks);
void evalbatch_free(struct evalbatch *b); /* stops polling first; NULL: no-op */

/* Build every body once (to fingerprint the rows) and find the unfinished
 * batches of this evaluation in the log. *new_estimate gets the cost, at
 * batch prices, of the requests that would be created. 0, or -1 with
 * evalbatch_error (a body that cannot be built). */
int evalbatch_prepare(struct evalbatch *b, double *new_estimate);
/* Resume what was found and create batches for the rest; everything else
 * happens from the loop. */
void evalbatch_start(struct evalbatch *b);
/* Ctrl-C: stop polling (the batches keep running on the API's side). */
void evalbatch_stop(struct evalbatch *b);
/* Every batch has delivered its results, failed or been stopped. */
int evalbatch_finished(const struct evalbatch *b);
/* API_FAIL_NONE, API_FAIL_CANCELED after evalbatch_stop, or the first
 * failure (evalbatch_error says it). */
enum api_failure evalbatch_failure(const struct evalbatch *b);
const char *evalbatch_error(const struct evalbatch *b);

struct evalbatch_progress {
	size_t batches, batches_done, requests;
	struct batch_counts counts; /* summed over each batch's last status */
	size_t resumed;             /* batches taken from the log */
};
void evalbatch_progress(const struct evalbatch *b, struct evalbatch_progress *out);
/* The ids of the batches created or resumed (NULL-terminated, owned). */
const char *const *evalbatch_ids(const struct evalbatch *b);

#endif
