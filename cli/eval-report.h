/* What `pwb eval` prints and writes: the JSON Lines of -o as rows finish,
 * the table (one column per preset or model, verdicts that differ first),
 * the summary, the --json document, and the --baseline comparison.
 * It keeps one small record per (row, repeat, column) for the table; the
 * full results go out as they come (with --json they are kept). */
#ifndef PWB_CLI_EVAL_REPORT_H
#define PWB_CLI_EVAL_REPORT_H

#include <stdio.h>
#include <stddef.h>

struct eval_result;
struct testrows;
struct session;

struct eval_report;

struct eval_report_column {
	const char *preset;   /* the preset's path */
	const char *version;  /* its version id, "" when not logged */
	const char *model;
	const char *label;    /* the column's name in the table */
	const struct session *session;
};

/* rows and columns are borrowed. jsonl (may be NULL) gets one line per
 * result as it arrives; keep_json keeps the objects for eval_report_json. */
struct eval_report *eval_report_new(const struct testrows *rows, size_t repeat,
				    const struct eval_report_column *cols, size_t ncols,
				    FILE *jsonl, int keep_json);
void eval_report_free(struct eval_report *r);

/* Take one result. Returns 0, or -1 when writing the JSON line failed. */
int eval_report_add(struct eval_report *r, const struct eval_result *res);

/* The rows (indices) whose outcome in a previous -o file was failed or
 * error: a malloc'd flag per row (nrows of them). NULL with *error
 * (malloc'd) when the file cannot be read. */
unsigned char *eval_report_failing_rows(const char *results_path, size_t nrows, char **error);

/* Compare with a previous -o file: regressions (passed there, not now) and
 * fixes. Returns the number of regressions, or -1 with *error. */
int eval_report_baseline(struct eval_report *r, const char *results_path, char **error);

/* The table and summaries (tty: cut to width columns). */
void eval_report_print(struct eval_report *r, FILE *out, int tty, int width);
/* The --json document: {"results": [...], "summary": {...}, "columns": [...],
 * "baseline": {...}|null}. */
void eval_report_json(struct eval_report *r, FILE *out);

/* Counts over everything taken. */
struct eval_report_counts {
	size_t passed, failed, errors, skipped, canceled, expired;
	size_t api_errors;      /* errors of kind exit 3 */
	size_t network_errors;  /* errors of kind exit 4 */
	size_t regressions, fixes;
};
void eval_report_counts(const struct eval_report *r, struct eval_report_counts *out);
/* The same for one column (no regressions or fixes). */
void eval_report_column_counts(const struct eval_report *r, size_t column,
			       struct eval_report_counts *out);

#endif
