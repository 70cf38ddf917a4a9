/* The rows of an evaluation: each a description, values for the prompt's
 * {{variables}} and the assertions its answer must pass, with where it was
 * written. Rows come from the preset (tests: as a list), or from a .csv,
 * .jsonl or .yaml file the preset names (tests: "rows.csv"); the preset's
 * top-level assert: applies to every row. Nothing here sends anything. */
#ifndef PWB_TESTROWS_H
#define PWB_TESTROWS_H

#include <stddef.h>

#include "core/assert.h"

struct diag_list;
struct session;
struct session_var;

struct testrow {
	char *description;          /* NULL when none */
	struct session_var *vars;   /* the row's own values, in written order */
	size_t nvars;
	struct assertion **asserts; /* the top-level assert: first, then the row's */
	size_t nasserts;
	char *file;                 /* where the row was written, or NULL */
	int line;                   /* its line (a CSV row: the CSV line where it starts), 0 unknown */
	char *path;                 /* "tests[3]", or NULL for a file's rows */
};

struct testrows {
	struct testrow *v;
	size_t n;
};

/* Reads a YAML rows file: the preset loader provides it (YAML to JSON with
 * positions, then testrows_from_json). Returns rows (maybe empty) or NULL
 * with errors in diags. */
typedef struct testrows *(*testrows_yaml_fn)(void *ud, const char *path,
					      struct diag_list *diags);

/* Rows from a JSON array of row objects ({description, vars, assert}).
 * Diagnostics name file and the position locate gives for path_prefix
 * "[i]", "[i].vars.NAME", "[i].assert[j]" (path_prefix e.g. "tests"; may
 * be ""). Returns the rows (bad rows left out) or NULL when rows_json is not
 * an array. Errors go to diags either way. */
struct testrows *testrows_from_json(const char *rows_json, const char *file,
				    const char *path_prefix, assert_locate_fn locate,
				    void *locate_ud, struct diag_list *diags);

/* Rows of a CSV text (RFC 4180 via libcsv; see docs/eval-differences.md):
 * the header names the columns: __expected* assertion cells, __description,
 * every other name a variable. Errors name file and the CSV line. */
struct testrows *testrows_parse_csv(const char *file, const char *data, size_t len,
				    struct diag_list *diags);
/* Rows of a JSON Lines text: one row object per non-blank line. */
struct testrows *testrows_parse_jsonl(const char *file, const char *data, size_t len,
				      struct diag_list *diags);

/* Read a rows file by its extension: .csv, .jsonl, or .yaml/.yml (through
 * yaml, which may be NULL: then a YAML file is an error saying so). */
struct testrows *testrows_load_file(const char *path, testrows_yaml_fn yaml, void *yaml_ud,
				    struct diag_list *diags);

/* The rows of a preset: tests_json is the session's `tests:` as JSON (an
 * array of rows, or a string: a path, maybe after "file://", relative to
 * the preset file preset_file), assert_json its top-level `assert:` (a JSON array or
 * NULL), prepended to every row's assertions. Positions come from locate
 * with the paths "tests[i]...." and "assert[j]". Returns NULL on errors
 * that leave no rows to run (no such file, not a list); an empty result
 * when tests_json is NULL. */
struct testrows *testrows_load(const char *tests_json, const char *assert_json,
			       const char *preset_file, assert_locate_fn locate,
			       void *locate_ud, testrows_yaml_fn yaml, void *yaml_ud,
			       struct diag_list *diags);

/* Prepend the assertions of assert_json (a JSON array) to every row. */
void testrows_add_common(struct testrows *rows, const char *assert_json, const char *file,
			 assert_locate_fn locate, void *locate_ud, struct diag_list *diags);

void testrows_free(struct testrows *rows);

/* The row's own value of name, or NULL. */
const char *testrow_var(const struct testrow *row, const char *name);

/* The variables a row runs with: the session's `variables:` overridden and
 * extended by the row's. Returns a malloc'd array of *n entries whose
 * strings belong to row and s (the caller frees only the array). */
struct session_var *testrow_merged_vars(const struct testrow *row, const struct session *s,
					size_t *n);

/* Every row must give each variable the prompt uses (used, nused names)
 * unless the session's `variables:` does: an error naming the row and the
 * variable at the row's position. Returns the number of errors added. */
int testrows_validate(const struct testrows *rows, const char *const *used, size_t nused,
		      const struct session *s, struct diag_list *diags);

#endif
