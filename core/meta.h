/* Meta-prompts: the presets that ask Claude to write or improve a prompt
 * (`pwb generate`, `pwb improve`, and the workbench's helpers). Each is an
 * ordinary preset (presets/meta/NAME.yaml) whose tool_choice forces one
 * tool: the tool's input_schema carries the structured result, so nothing
 * is parsed out of prose. This module finds and loads them, and turns the
 * forced tool call's input into a session (generate) or a new version of
 * one (improve). Nothing here sends anything. */
#ifndef PWB_META_H
#define PWB_META_H

#include <stddef.h>

struct preset;
struct session;
struct diag_list;

/* Where the meta-prompt NAME ("generate", "improve") is read from, first
 * found: $XDG_CONFIG_HOME/pwb/meta/NAME.yaml (else ~/.config/pwb/meta/),
 * the source tree's presets/meta/ (when pwb runs from a build in it), the
 * installed PWB_PREFIX/share/pwb/presets/meta/. malloc'd; NULL when none
 * exists. */
char *meta_find(const char *name);

/* Load and validate the meta-prompt NAME. It must force one tool
 * (tool_choice {type: tool, name}). Returns the preset (preset_free), or
 * NULL with the problems in diags (a missing file says where pwb looked). */
struct preset *meta_load(const char *name, struct diag_list *diags);

/* The tool a session's tool_choice forces, malloc'd; NULL when it forces
 * none. */
char *meta_forced_tool(const struct session *s);

/* The input of the tool_use block calling tool in an API Message, as
 * compact JSON (malloc'd); NULL with *error (malloc'd) when the message
 * has no such call or its input is not an object. */
char *meta_tool_input(const char *message_json, const char *tool, char **error);

/* --- generate -------------------------------------------------------- */

/* Fill s (a new session: model and the rest left as they are) from the
 * generate tool's input: name, description, system, the user turn
 * template, max_tokens, temperature, tests (rows with vars for every
 * variable the template uses; the first row's values become the
 * preset's variables:) and assert. Returns 0, or -1 with *error
 * (malloc'd): a missing part, a row without a value for a variable the
 * prompt uses, a variable named but not used. */
int meta_generate_apply(const char *input_json, struct session *s, char **error);

/* --- improve --------------------------------------------------------- */

/* What the improver sees of a session: its canonical YAML without tests:,
 * assert: and response: (malloc'd). */
char *meta_prompt_text(const struct session *s);
/* The rows and assertions it gets read-only, as YAML (tests: and assert:
 * only; "(none)" when the preset has neither). malloc'd. */
char *meta_tests_text(const struct session *s);

/* One row that did not pass, as an eval results line or the run log has
 * it. Any string may be NULL. */
struct meta_failure {
	long row;                    /* 0-based */
	const char *description;
	const char *vars_json;       /* object */
	const char *outcome;         /* "failed", "error" */
	const char *output;          /* the answer's text */
	const char *assertions_json; /* [{type, value, pass, reason}] */
};
/* The failing rows as text for the improver: each row's variables, its
 * answer and every failed assertion with its reason. "(none)" for n = 0.
 * malloc'd. */
char *meta_failures_text(const struct meta_failure *f, size_t n);

/* Apply the improve tool's input to s (a copy of the current session):
 * system, messages, max_tokens, temperature replace what s has when
 * given; the recorded response: is dropped. A proposal that carries tests or assert different from s's is
 * refused (the improver gets them read-only). Returns 0 with *changes
 * (malloc'd, one "- what: why" line per change, "" when none given), or
 * -1 with *error (malloc'd). */
int meta_improve_apply(const char *input_json, struct session *s, char **changes, char **error);

#endif
