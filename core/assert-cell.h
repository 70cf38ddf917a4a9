/* Assertions written in a CSV cell (promptfoo's __expected columns):
 * `[not-]TYPE[(N)][:VALUE]` (list values split by assert_list_to_json).
 * The reading rules and where they differ from promptfoo's are in
 * docs/eval-differences.md. */
#ifndef PWB_ASSERT_CELL_H
#define PWB_ASSERT_CELL_H

struct assertion;

/* Read a CSV assertion cell, `[not-]TYPE[(N)][:VALUE]` (see
 * docs/eval-differences.md): the cell is trimmed; an empty cell gives NULL
 * and no error; `grade:` and `llm-rubric:` are llm-rubric; a cell asking for
 * code (javascript:, python:, fn:, eval:, file://...) gives NULL and *error;
 * list types split VALUE with assert_list_to_json; for cost and latency a
 * number VALUE is the threshold; any other cell is an `equals` of the whole
 * trimmed cell. Not validated (call assertion_validate). *error malloc'd. */
struct assertion *assertion_from_cell(const char *cell, char **error);

#endif
