/* Presets: a session kept as a YAML file (format version 1,
 * pwb-preset(5)). libyaml reads and writes; errors name file:line:column.
 * A struct preset is a loaded file: its session, where each field came
 * from, and what is needed to save it back safely.
 *
 * Canonical key order (what preset_save writes): pwb, name, description,
 * model, api_version, betas, max_tokens, temperature, top_p, top_k,
 * stop_sequences, thinking, output_config, service_tier, speed,
 * inference_geo, container, metadata, diagnostics, cache_control, tools,
 * tool_choice, system, variables, messages, assert, tests, response.
 * assert (a list of assertions for every row) and tests (a list of rows,
 * or a path to a .csv/.jsonl/.yaml file of rows) are never sent to the
 * API: the session keeps them as JSON text (assert_json, tests_json). */
#ifndef PWB_PRESET_H
#define PWB_PRESET_H

#include <stddef.h>

struct session;
struct diag_list;

struct preset;

/* The preset's parts, each with its own header. */
#include "core/preset-load.h" /* preset_load_file, preset_load_string */
#include "core/preset-emit.h" /* preset_emit */
#include "core/preset-save.h" /* preset_save and its results */

/* An empty preset (new session), not yet tied to a file. */
struct preset *preset_new(void);
void preset_free(struct preset *p);

/* The session; owned by the preset, changes are saved by preset_save. */
struct session *preset_session(struct preset *p);
/* The file it was loaded from or last saved to (NULL for a new one). */
const char *preset_path(const struct preset *p);
/* The name diagnostics use: the path, "<stdin>", or the name given to
 * preset_load_string. Never NULL for a loaded preset. */
const char *preset_name(const struct preset *p);
/* Where a field came from in the file, by its path as diagnostics write it
 * ("tests[3].vars.city", "assert[0].type", "messages[1].content"): its
 * value's line and column (key = 0) or its key's (key = 1), 1-based; a path
 * that was not in the file gives its nearest parent that was. Returns 1 when
 * a position was found, 0 when not (then *line = *col = 1). */
int preset_locate(const struct preset *p, const char *path, int key, int *line, int *col);
/* The same for a value, in the shape of a locate callback (ud is the
 * struct preset; assert_locate_fn in the evaluation core). */
int preset_locate_value(void *ud, const char *path, int *line, int *col);
/* 1 when the loaded file had comments (saving drops them). */
int preset_had_comments(const struct preset *p);
/* Put the session's variables back as the file has them (as loaded or last
 * saved), undoing the -s overrides of one command before a save such as
 * run --record. */
void preset_restore_file_vars(struct preset *p);

/* Check every rule (pwb-preset(5) VALIDATION) against the session; problems go
 * to diags, with positions when the field came from the file. */
void preset_validate(struct preset *p, struct diag_list *diags);

/* Validate a session that has no file (the TUI's immediate checks). */
void session_validate(const struct session *s, struct diag_list *diags);

#endif
