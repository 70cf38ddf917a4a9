/* The workbench's Evaluate table as data: the test rows (a column per
 * variable) and each row's latest result (answer's first line, assertions
 * passed/total, cost, latency, a person's grade), the header's summary,
 * and the column widths for a screen width. No curses here, so the model
 * is unit-tested on its own; the view (tui/view-eval.c) only draws the
 * visible rows from it. */
#ifndef PWB_EVALTABLE_H
#define PWB_EVALTABLE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/eval.h"

struct testrows;

enum evaltable_state {
	ET_EMPTY,   /* never run (or cleared) */
	ET_PENDING, /* queued or in flight */
	ET_DONE,    /* a result arrived */
};

struct evaltable_cell {
	enum evaltable_state state;
	enum eval_outcome outcome;
	char *first_line;     /* the answer's first line, or "TYPE: message" for an error */
	char *detail;         /* the full answer, then each assertion with its reason */
	size_t passed, total; /* assertions */
	int cost_known;
	double cost_usd;
	long latency_ms;      /* -1: no answer */
	int grade;            /* 1..5, 0 none */
	long long result_id;  /* the eval result in the run log, 0 none */
	long long answer_id;
	char *output;         /* the whole answer text the assertions saw */
	char *result_json;    /* the result as `pwb eval -o` writes it, or NULL */
};

struct evaltable {
	char **varnames;      /* the rows' variables in first-written order */
	size_t nvars;
	size_t nrows;
	char **values;        /* nrows x nvars, "" when a row has none */
	char **descriptions;  /* per row, NULL when none */
	long *json_index;     /* per row: its index in the preset's tests: list,
			       * -1 for a file's rows (not editable here) */
	int *var_width;       /* widest value (display columns) per variable */
	struct evaltable_cell *cells; /* per row */
	/* a comparison: the same rows through another model or version */
	struct evaltable_cell *cmp;   /* per row, NULL without one */
	char *cmp_label;
};

/* A table of rows (copied: rows may be freed after). Caller frees with
 * evaltable_free. */
struct evaltable *evaltable_new(const struct testrows *rows);
void evaltable_free(struct evaltable *t);

/* Compare with label (copied; results cleared), or stop comparing (NULL). */
void evaltable_set_compare(struct evaltable *t, const char *label);
/* A row was queued again: its old results are cleared (grade too), the
 * comparison's too. */
void evaltable_set_pending(struct evaltable *t, size_t row);
/* A result of row r->row arrived (r is copied): column 0 is the table's
 * own, column 1 the comparison's (ignored without one). */
void evaltable_set_result(struct evaltable *t, const struct eval_result *r);
/* 1 when both sides have a verdict for row and one passed, the other not. */
int evaltable_differs(const struct evaltable *t, size_t row);
/* Set the grade (0..5) of a row. */
void evaltable_set_grade(struct evaltable *t, size_t row, int grade);
/* Rows that ran and did not pass (failed, error, skipped, canceled):
 * only[i] = 1 (caller's array of nrows). Returns how many. */
size_t evaltable_failing(const struct evaltable *t, unsigned char *only);

struct evaltable_summary {
	size_t rows, done, pending, passed, failed, errors, other, graded;
	double mean_grade;    /* 0 when none graded */
	double cost_usd;
	int cost_unknown;     /* some done row had no known price */
};
/* The summary of side 0 (the table's own) or 1 (the comparison). */
void evaltable_summarize(const struct evaltable *t, struct evaltable_summary *s);
void evaltable_summarize_side(const struct evaltable *t, int side, struct evaltable_summary *s);
/* "3/4 75%  grade 4.0 (2)  $0.0012" (the header's summary) into out. */
void evaltable_summary_text(const struct evaltable_summary *s, struct buf *out);

/* Move the results of src's rows into dst (a table of the same rows after
 * an edit): map[i] is src row i's row in dst, or -1 (dropped). The
 * comparison moves too when both have one. */
void evaltable_take_results(struct evaltable *dst, struct evaltable *src, const long *map);

/* Move the results of src's rows into dst's rows at the same index that
 * are the same row (description and every variable's value): the rows
 * read again (the view reopened, the preset's tests: edited elsewhere)
 * keep what they had. */
void evaltable_take_same(struct evaltable *dst, struct evaltable *src);

/* Editing the preset's rows: tests_json is the session's tests: (a JSON
 * list of row objects); index a row's json_index. Each returns the new
 * tests: JSON (malloc'd), or NULL with *error (malloc'd) when tests: is
 * not a list or index is out of range. */
char *evaltable_json_delete_row(const char *tests_json, long index, char **error);
/* A new row after index (-1: first; tests_json NULL: a new list) whose
 * vars are names[0..n) with empty values. */
char *evaltable_json_add_row(const char *tests_json, long after, const char *const *names,
			     size_t n, char **error);
/* Set the row's vars.name to value (the vars map is made when missing). */
char *evaltable_json_set_var(const char *tests_json, long index, const char *name,
			     const char *value, char **error);

/* Rows read from a file (testrows_load_file) appended to tests: as
 * {description, vars, assert} entries. */
char *evaltable_json_append_rows(const char *tests_json, const struct testrows *rows,
				 char **error);

/* Generated rows: the tools: list (JSON, malloc'd) of one tool named tool
 * whose input is {rows: [{description?, NAME: string...}]}, a string
 * property per variable names[0..n), all required. */
char *evaltable_rows_tool(const char *tool, const char *description, const char *const *names,
			  size_t n);
/* The tool's input (input_json) appended to tests: as rows with vars for
 * exactly names[0..n) ("" when the answer left one out); *added says how
 * many. NULL with *error when the answer has no rows or tests: is a file. */
char *evaltable_json_append_generated(const char *tests_json, const char *input_json,
				      const char *const *names, size_t n, size_t *added,
				      char **error);

/* The rows of the table's own side that ran and did not pass, as the
 * improver reads them (meta_failures_text: variables, answer, each failed
 * assertion with its reason); *n says how many. malloc'd. */
char *evaltable_failures_text(const struct evaltable *t, size_t *n);

/* A done cell's result line (eval_result_json; taken, freed when the row
 * has no result of that side). */
void evaltable_set_result_json(struct evaltable *t, size_t row, size_t column, char *json);
/* The results for a file (malloc'd): JSON Lines, one line per done cell as
 * `pwb eval -o` writes it plus "grade"; or CSV, a line per row: row,
 * __description, the variables, then outcome, answer, passed, total,
 * cost_usd, latency_ms, grade (again prefixed compare_ for a comparison). */
char *evaltable_export_jsonl(const struct evaltable *t);
char *evaltable_export_csv(const struct evaltable *t);

/* Columns after the variables, fixed widths (the answer takes the rest). */
enum {
	ET_W_ROW = 5,     /* row number */
	ET_W_CHECKS = 7,  /* "✓ 12/12" */
	ET_W_COST = 9,    /* "$0.00012" */
	ET_W_LATENCY = 7, /* "12.3s" */
	ET_W_GRADE = 5,   /* "★4" */
	ET_W_ANSWER_MIN = 16,
	ET_W_VAR_MAX = 24,
};

struct evaltable_layout {
	size_t first_var;  /* the first variable shown (sideways scroll) */
	size_t nshown;     /* variables shown from first_var */
	int var_w[16];     /* their widths (at most 16 shown) */
	int answer_w;
	int cmp_answer_w;  /* the comparison's answer, 0 without one */
};
/* Lay the columns out for width columns, variables from first_var (kept
 * below nvars): as many as fit while the answer keeps ET_W_ANSWER_MIN.
 * With a comparison its mark, answer and checks follow the grade, the two
 * answers sharing the room. */
void evaltable_layout(const struct evaltable *t, int width, size_t first_var,
		      struct evaltable_layout *out);

/* Append s cut to w display columns ("…" when cut; control characters
 * as spaces; only its first line) and padded with spaces to w, then one
 * space. */
void evaltable_pad(struct buf *out, const char *s, int w);
/* The header line and one row's line for a layout (each exactly the
 * layout's width in display columns plus separators). */
void evaltable_header_line(const struct evaltable *t, const struct evaltable_layout *l,
			   struct buf *out);
void evaltable_row_line(const struct evaltable *t, const struct evaltable_layout *l, size_t row,
			struct buf *out);
/* The mark of a cell's verdict: "✓" passed, "✗" failed, "!" error, "-"
 * skipped or canceled, "…" pending, " " never run. */
const char *evaltable_mark(const struct evaltable_cell *c);

#endif
