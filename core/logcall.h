/* Recording one API call's answer in the run log, the same way from every
 * front end (pwb run, pwb replay, the workbench; pwb eval shares the
 * version). Builds struct runlog_answer from what the call left: the
 * Message, its usage and cost (core/cost), the outcome and the error as
 * `run --json` reports them. Every function accepts a NULL log (PWB_LOG=off,
 * --no-log, or a log that could not be opened) and then records nothing. */
#ifndef PWB_LOGCALL_H
#define PWB_LOGCALL_H

#include "core/api.h"
#include "core/runlog.h"

struct preset;

/* The preset's file as an absolute path (realpath), so `pwb log FILE`
 * finds it from any directory. malloc'd; NULL when the preset has no file
 * (standard input, a new session) or the file is gone. */
char *logcall_preset_path(const struct preset *p);

/* Record p's version: the canonical text of its session without
 * response: and tests: (neither changes what is asked), under its
 * realpath, or the text alone when it has no file. out gets the id, ""
 * when log is NULL or recording failed. Returns 0, or -1 (runlog_error). */
int logcall_version(struct runlog *log, struct preset *p, char out[RUNLOG_VERSION_ID_SIZE]);

/* One request as sent, and whose it was. Strings may be NULL. */
struct logcall_request {
	const char *command;            /* "run", "replay", "tui" */
	const struct api_config *cfg;   /* API version, betas and base URL it went to */
	const char *body;               /* the JSON body, as sent */
	const char *model;              /* asked for; the answer's own model wins */
	const char *version_id;         /* logcall_version's ("" or NULL: none) */
	const char *preset_path;        /* absolute, as logcall_preset_path gives */
};

/* The outcome name of a failure, as `run --json` and the log write it:
 * "complete", "canceled", "truncated" or "error". Static. */
const char *logcall_outcome(enum api_failure f);

/* The error as `run --json` reports it ({type, message, http_status,
 * request_id}), or NULL when f is API_FAIL_NONE or API_FAIL_CANCELED.
 * e may be NULL: then the type says what kind of failure f is (network,
 * timeout, protocol, truncated, api_error) and the message is
 * fallback_message, or "failed". malloc'd. */
char *logcall_error_json(enum api_failure f, const struct api_error *e,
			 const char *fallback_message);

/* Record the answer of a finished call (the partial Message too, when it
 * failed midway). latency_ms: from sending to done (-1: not measured).
 * Returns the answer id (> 0), 0 when log is NULL, -1 on failure. */
long long logcall_record(struct runlog *log, const struct logcall_request *rq,
			 const struct api_call *call, long latency_ms);

/* The same from the parts, for front ends that no longer hold the call
 * (replay): message_json may be NULL; e may be NULL, error_text then says
 * what failed. */
long long logcall_record_message(struct runlog *log, const struct logcall_request *rq,
				 const char *message_json, enum api_failure f,
				 const struct api_error *e, const char *error_text,
				 long latency_ms);

#endif
