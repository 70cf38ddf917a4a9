/* The run log: every answer pwb receives, the preset versions that asked
 * for them, and eval runs, kept in one SQLite database (README "The run
 * log"). This module owns every SQL statement; callers never see SQLite.
 * A log that cannot be opened is a warning for the caller, never a failed
 * run: every function accepts a NULL handle (PWB_LOG=off, or open failed)
 * and then records nothing. The API key is never stored: every text passes
 * through redaction of the key given to runlog_open. */
#ifndef PWB_RUNLOG_H
#define PWB_RUNLOG_H

#include <stddef.h>

struct runlog;

/* The outcome an answer must have to be served from the cache (the
 * stream outcome names: "complete", "error", "truncated", "canceled"). */
#define RUNLOG_OUTCOME_COMPLETE "complete"

/* A version id: the first 8 hex digits of the SHA-256 of a preset's
 * canonical text (without response: and tests:), plus the NUL. */
#define RUNLOG_VERSION_ID_SIZE 9

/* Where the log lives: $PWB_LOG, else $XDG_DATA_HOME/pwb/log.db, else
 * ~/.local/share/pwb/log.db. malloc'd; NULL when PWB_LOG=off (or no home). */
char *runlog_default_path(void);

/* Open (creating folder 0700 and file 0600, WAL, busy timeout, migrating
 * to the newest schema). path NULL means runlog_default_path(). key is the
 * configured API key (may be NULL), never stored. Returns the handle, or
 * NULL: with *error a malloc'd reason when it failed (a database newer
 * than this pwb is refused untouched; no HOME to put it in), *error NULL
 * when the log is off (PWB_LOG=off, or path "off"). */
struct runlog *runlog_open(const char *path, const char *key, char **error);
/* Close and free; NULL is a no-op. */
void runlog_close(struct runlog *log);
/* The last failure's message (owned by log; "" when none). */
const char *runlog_error(const struct runlog *log);
/* The schema version this pwb writes (PRAGMA user_version). */
int runlog_schema_version(void);

/* The version id of a canonical text into out (8 hex + NUL). */
void runlog_version_id(const char *canonical_text, char out[RUNLOG_VERSION_ID_SIZE]);

/* Record a version of the preset at preset_path (name may be NULL; a
 * NULL path records the text alone). preset_path should be absolute
 * (realpath), so `pwb log FILE` finds it from any directory. The same text
 * is stored once, and is a version of each path it was recorded for, in
 * the order first recorded (going back to an old text adds no new
 * version). out gets its id. 0, or -1 (runlog_error);
 * 0 with out "" when log is NULL. */
int runlog_record_version(struct runlog *log, const char *preset_path, const char *name,
			  const char *canonical_text, char out[RUNLOG_VERSION_ID_SIZE]);

/* One answer and the request that got it. Any string may be NULL. */
struct runlog_answer {
	const char *body;         /* the request body JSON, as sent */
	const char *api_version;  /* anthropic-version */
	const char *betas;        /* anthropic-beta, comma-separated */
	const char *base_url;
	const char *version_id;   /* from runlog_record_version */
	const char *preset_path;  /* absolute, as for runlog_record_version */
	const char *command;      /* "run", "eval", "replay", "tui" */
	const char *model;
	const char *message_json; /* the whole Message */
	const char *usage_json;
	double cost_usd;
	long latency_ms;
	const char *outcome;      /* RUNLOG_OUTCOME_COMPLETE, "error", ... */
	const char *error_json;
	int cached;               /* 1: answered from the log, nothing sent */
};

/* Record it; returns the answer id (> 0), 0 when log is NULL, -1 on failure. */
long long runlog_record_answer(struct runlog *log, const struct runlog_answer *a);

/* The cache: the newest complete answer to exactly this body, API version,
 * betas and base URL. Returns its Message JSON (malloc'd) and *answer_id
 * (may be NULL), or NULL when none (or log NULL). */
char *runlog_cache_lookup(struct runlog *log, const char *body, const char *api_version,
			  const char *betas, const char *base_url, long long *answer_id);

/* An eval run: start returns its id (> 0; 0 when log NULL; -1 failure). */
long long runlog_eval_start(struct runlog *log, const char *version_id, const char *preset_path,
			    const char *model);
struct runlog_eval_summary {
	long passed, failed, errors, skipped, total;
	double cost_usd;
};
/* Close the run with its summary. 0 or -1. */
int runlog_eval_finish(struct runlog *log, long long run_id, const struct runlog_eval_summary *s);

struct runlog_eval_row {
	long long run_id;
	long row;                /* index in the test rows */
	long repeat;             /* 0-based repeat */
	const char *description;
	const char *vars_json;
	const char *outcome;     /* "passed", "failed", "error", "skipped", "canceled" */
	const char *assertions_json;
	long long answer_id;     /* 0: no answer */
};
/* One row's result; returns its id (> 0; 0 when log NULL; -1 failure). */
long long runlog_eval_result(struct runlog *log, const struct runlog_eval_row *r);
/* A person's grade 1..5 of a result (0 clears it). 0, or -1 (bad grade, no
 * such result). */
int runlog_set_grade(struct runlog *log, long long result_id, int grade);

/* One row's result of an eval run, as recorded (`pwb improve` reads the
 * last eval of a version). Strings malloc'd, NULL when not recorded. */
struct runlog_eval_result_line {
	long row, repeat;
	char *description;
	char *vars_json;
	char *outcome;
	char *assertions_json;
	char *message_json;      /* the answer's Message; NULL when none */
};
/* The results of the newest finished eval run of version_id, in row order
 * into a malloc'd array (runlog_eval_result_lines_free); *run_id gets the
 * run (0, and count 0, when the version has none or log is NULL). 0 or -1. */
int runlog_last_eval_results(struct runlog *log, const char *version_id, long long *run_id,
			     struct runlog_eval_result_line **out, size_t *count);
void runlog_eval_result_lines_free(struct runlog_eval_result_line *lines, size_t count);

/* For `pwb log`: one line per answer. */
struct runlog_answer_line {
	long long id;
	char *created_at;     /* "2026-11-30T03:00:00.123Z" */
	char *command;
	char *model;
	char *preset_path;    /* NULL when none was given */
	char *version_id;     /* NULL when none was given */
	char *outcome;
	double cost_usd;
	int cached;
	char *first_line;     /* of the answer's text ("" when none) */
};
/* The latest n answers, newest first, into a malloc'd array (*out, *count;
 * runlog_answer_lines_free frees). 0 or -1. */
int runlog_latest(struct runlog *log, long n, struct runlog_answer_line **out, size_t *count);
void runlog_answer_lines_free(struct runlog_answer_line *lines, size_t count);

/* A complete answer of one preset, in full (for the workbench to show
 * again after a restart). Strings malloc'd; NULL when not recorded. */
struct runlog_preset_answer {
	long long id;
	char *created_at;
	char *model;
	char *version_id;
	char *message_json;
	char *usage_json;
	double cost_usd;
	char *body;           /* the request body as sent */
};
/* The latest n complete answers (not cached) recorded for preset_path by
 * the workbench, run or replay, leaving out the rows of evaluations,
 * newest LAST, into a malloc'd array (runlog_preset_answers_free frees).
 * 0 (count 0 when none, or log or path NULL) or -1 (runlog_error). */
int runlog_preset_answers(struct runlog *log, const char *preset_path, long n,
			  struct runlog_preset_answer **out, size_t *count);
void runlog_preset_answers_free(struct runlog_preset_answer *answers, size_t count);

/* One version of a preset path. */
struct runlog_version_line {
	char id[RUNLOG_VERSION_ID_SIZE];
	char *created_at;
	char *model;       /* the text's top-level model: ("" when none) */
	char *summary;     /* change since the previous version, one line;
			    * "first version" for the oldest */
	char *evals;       /* pass rate of each eval of it, newest first:
			    * "3/4 passed, 4/4 passed"; "" when none */
	long answers;      /* answers recorded with this version */
	double mean_grade; /* the last eval's mean human grade (1-5) */
	long graded;       /* how many of its rows were graded (0: no mean) */
};
/* The versions of preset_path, newest first, at most n (n <= 0: all).
 * runlog_version_lines_free frees. 0 or -1. */
int runlog_versions(struct runlog *log, const char *preset_path, long n,
		    struct runlog_version_line **out, size_t *count);
void runlog_version_lines_free(struct runlog_version_line *lines, size_t count);

/* One answer in full, a JSON object {id, created_at, command, model,
 * version_id, preset_path, outcome, cost_usd, latency_ms, cached, message,
 * usage, error, request: {body, api_version, betas, base_url}}. malloc'd;
 * NULL when there is no such answer. */
char *runlog_answer_json(struct runlog *log, long long id);
/* A version's canonical text by id (or a unique prefix of at least 4
 * hex digits). malloc'd; NULL when none (runlog_error says why). */
char *runlog_version_text(struct runlog *log, const char *id);
/* A unified line diff of two versions (replay_diff), "" when the same.
 * malloc'd; NULL when either is unknown (runlog_error). */
char *runlog_version_diff(struct runlog *log, const char *id_a, const char *id_b);

/* ---- Message Batches: which batch holds which rows, for resuming ---- */

/* The state pwb writes once a batch's results were all read; any other
 * state (the API's processing_status) means unfinished. */
#define RUNLOG_BATCH_DONE "done"

struct runlog_batch {
	const char *batch_id;         /* msgbatch_... (unique) */
	const char *version_id;       /* the preset version that built it */
	const char *rows_fingerprint; /* the caller's hash of the rows (and models, repeats) */
	const char *custom_ids_json;  /* the custom_id map, as the caller wants it back */
	const char *state;            /* processing_status, or RUNLOG_BATCH_DONE */
	const char *created_at;       /* the API's created_at; NULL: now */
	long request_count;
};
/* Record a created batch (again for the same batch_id: replaced). 0, -1
 * (runlog_error), 0 when log is NULL. */
int runlog_batch_record(struct runlog *log, const struct runlog_batch *b);
/* Set a recorded batch's state. 0, or -1 (no such batch, or a failure). */
int runlog_batch_set_state(struct runlog *log, const char *batch_id, const char *state);

/* A recorded batch, every string malloc'd (runlog_batch_lines_free). */
struct runlog_batch_line {
	char *batch_id, *version_id, *rows_fingerprint, *custom_ids_json, *state;
	char *created_at, *updated_at; /* updated_at NULL until a state change */
	long request_count;
};
/* The unfinished batches (state not RUNLOG_BATCH_DONE) of version_id and
 * rows_fingerprint, oldest first (a split run has several). 0 (count 0
 * when none, or log NULL) or -1. */
int runlog_batch_find_unfinished(struct runlog *log, const char *version_id,
				 const char *rows_fingerprint, struct runlog_batch_line **out,
				 size_t *count);
/* The latest n recorded batches (n <= 0: all), newest first. 0 or -1. */
int runlog_batches(struct runlog *log, long n, struct runlog_batch_line **out, size_t *count);
void runlog_batch_lines_free(struct runlog_batch_line *lines, size_t count);

/* What changed from old_text to new_text (canonical preset YAML) in one
 * line, by top-level key: "system +2 -1 lines; temperature 0.7 -> 0.3;
 * messages +1 turn; tools added". "no change" when equal. malloc'd. */
char *runlog_change_summary(const char *old_text, const char *new_text);

#endif
