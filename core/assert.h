/* Assertions: one check of one answer ("contains: refund", "not-regex:
 * ^Sorry", "cost(0.002)"...). One const table in assert.c holds every type
 * (name, whether it takes a value or a threshold, its check and its
 * validation); the `not-` prefix is handled once, outside the table. The
 * CSV reader, `pwb validate` and the help text all read that table.
 *
 * Values are kept as JSON text (a string, a list of strings, a schema, a
 * tool call) so that no parser type appears here. Checks never touch the
 * network: llm-rubric is graded by a request the scheduler sends
 * (assert_rubric_request) and whose answer it hands back to assert_check. */
#ifndef PWB_ASSERT_H
#define PWB_ASSERT_H

#include <stddef.h>

struct diag_list;
struct session_var;

/* Where a field of a preset or rows file came from: a callback that maps a
 * path such as "tests[3].assert[1].value" to its line and column (1-based).
 * Returns 1 when known. */
typedef int (*assert_locate_fn)(void *ud, const char *path, int *line, int *col);

struct assertion {
	char *type;          /* the table's name, without "not-" */
	int negate;          /* "not-" was given */
	char *value_json;    /* the value as JSON text, or NULL when none */
	int has_threshold;
	double threshold;
	/* where it was written, for diagnostics (file may be NULL; 0 = unknown) */
	char *file;
	int line, col;
	char *path;          /* "tests[3].assert[1]", or NULL */
};

/* --- the table ------------------------------------------------------- */

/* The number of assertion types, and the name of the i-th (table order). */
size_t assert_type_count(void);
const char *assert_type_name(size_t i);
/* 1 when name (without "not-") is a supported type. */
int assert_type_known(const char *name);
/* The help text: one line per type, "  not-? NAME[(THRESHOLD)][:VALUE]  what
 * it checks", generated from the table. malloc'd; the caller frees. */
char *assert_help_text(void);
/* The kind of value a type takes. */
enum assert_value_kind {
	ASSERT_VALUE_NONE,   /* no value */
	ASSERT_VALUE_STRING, /* a string (numbers and booleans taken as their text) */
	ASSERT_VALUE_LIST,   /* a list of strings, or one comma-separated string */
	ASSERT_VALUE_SCHEMA, /* a JSON Schema */
	ASSERT_VALUE_TOOL,   /* a tool name, or {name, input} */
};
/* The value kind of type name (without "not-") and whether it takes a
 * threshold. 0, or -1 for an unknown type. */
int assert_type_shape(const char *name, enum assert_value_kind *value, int *takes_threshold);

/* 1 when name is a type that asks for code (javascript, python, fn:,
 * file://, webhook...): always refused, never run. */
int assert_is_code_type(const char *name);

/* --- building and validating ----------------------------------------- */

/* Parse one assertion object ({type, value?, threshold?}) given as JSON
 * text. Problems go to diags at the assertion's position (path is looked up
 * with locate: "PATH.type", "PATH.value", "PATH.threshold", then PATH),
 * and the assertion is still returned when its type is known so that one
 * run reports every problem; NULL when it cannot be used at all. The result
 * is malloc'd: free with assertion_free. */
struct assertion *assertion_from_json(const char *json, const char *file, const char *path,
				      assert_locate_fn locate, void *locate_ud,
				      struct diag_list *diags);

/* Make an assertion from parts (value_json may be NULL); no validation. */
struct assertion *assertion_new(const char *type, int negate, const char *value_json,
				int has_threshold, double threshold);
struct assertion *assertion_copy(const struct assertion *a);
void assertion_free(struct assertion *a);
/* Set where the assertion was written (file and path copied). */
void assertion_set_position(struct assertion *a, const char *file, int line, int col,
			    const char *path);

/* Check a's type, negation, value and threshold: unknown type, code type,
 * `not-` on cost or latency, missing or ill-typed value, regex that does not
 * compile (with its offset), schema with an unsupported keyword, threshold
 * that is not a number. Each problem is a diag_add_at at a's position.
 * Returns the number of errors added. */
int assertion_validate(const struct assertion *a, struct diag_list *diags);

/* Split a comma-separated list into a JSON array of strings: items trimmed,
 * an item may be double-quoted to hold commas or spaces (\", \\ and ""
 * inside the quotes). Returns malloc'd JSON text, or NULL with *error
 * (malloc'd) for an empty list or an unterminated quote. */
char *assert_list_to_json(const char *text, char **error);

/* The assertion written back as one line, "not-contains: refund" style. malloc'd. */
char *assertion_describe(const struct assertion *a);

/* --- what the checks look at ----------------------------------------- */

struct assert_answer {
	char *text;            /* the text blocks joined with "\n\n" (never NULL) */
	char *tool_calls_json; /* JSON array of the tool_use blocks (never NULL) */
	char *stop_reason;     /* NULL when absent */
	double cost_usd;       /* < 0 when unknown */
	double latency_ms;     /* < 0 when unknown */
};

/* Fill out from an API Message (JSON text): text blocks joined with "\n\n"
 * (thinking and tool_use left out), the tool_use blocks, the stop reason.
 * cost_usd and latency_ms are set to -1 for the caller to fill. Returns 1,
 * or 0 when message_json is not a JSON object (out is still filled, empty).
 * Free with assert_answer_done. */
int assert_answer_from_message(const char *message_json, struct assert_answer *out);
/* An answer that is just text (no tool calls, no stop reason). */
void assert_answer_from_text(const char *text, struct assert_answer *out);
void assert_answer_done(struct assert_answer *a);

struct assert_result {
	int pass;
	double score;  /* 1 or 0, or the grader's score for llm-rubric */
	char *reason;  /* malloc'd: what was expected and what was found */
};

/* Run one assertion. vars (nvars of them, may be NULL) expand {{variables}}
 * in string values (core/vars.h rules; an undefined name stays literal).
 * grader_message is the grader's API Message for an llm-rubric assertion
 * (NULL for other types; for llm-rubric NULL fails with "not graded").
 * Always fills out; free out->reason. Returns out->pass. */
int assert_check(const struct assertion *a, const struct assert_answer *ans,
		 const struct session_var *vars, size_t nvars, const char *grader_message,
		 struct assert_result *out);
void assert_result_done(struct assert_result *r);

/* --- llm-rubric --------------------------------------------------------- */

/* The name of the tool the grader is forced to call. */
#define ASSERT_GRADER_TOOL "grade"

/* The Messages API request body (JSON text, malloc'd) that asks model to
 * grade output against the rubric of a (an llm-rubric assertion, its
 * {{variables}} expanded with vars): a forced tool call whose input is
 * {pass: boolean, score: number 0..1, reason: string}. max_tokens 1024. */
char *assert_rubric_request(const struct assertion *a, const char *model, const char *output,
			    const struct session_var *vars, size_t nvars);

/* Read the grader's API Message: the forced tool call's input. Returns 1
 * and sets *pass, *score, *reason (malloc'd), or 0 with *reason saying what
 * was wrong with the grader's answer. */
int assert_rubric_parse(const char *message_json, int *pass, double *score, char **reason);

#endif
