/* Presets: a session kept as a YAML file (format version 1,
 * pwb-preset(5)). libyaml reads and writes; errors name file:line:column.
 * A struct preset is a loaded file: its session, where each field came
 * from, and what is needed to save it back safely. */
#ifndef PWB_PRESET_H
#define PWB_PRESET_H

#include <stddef.h>

struct session;
struct diag_list;

struct preset;

/* Load path ("-" reads standard input, named "<stdin>" in diagnostics).
 * Problems go to diags with file:line:col (errors and warnings, key-shaped
 * strings included). Returns NULL when the file cannot be read or is not
 * YAML of the right shape at all; otherwise a preset, which may still carry
 * errors in diags (check diag_count). Caller frees with preset_free. */
struct preset *preset_load_file(const char *path, struct diag_list *diags);
/* The same from memory; name is used in diagnostics. */
struct preset *preset_load_string(const char *name, const char *text, size_t len,
				  struct diag_list *diags);
/* An empty preset (new session), not yet tied to a file. */
struct preset *preset_new(void);
void preset_free(struct preset *p);

/* The session; owned by the preset, changes are saved by preset_save. */
struct session *preset_session(struct preset *p);
/* The file it was loaded from or last saved to (NULL for a new one). */
const char *preset_path(const struct preset *p);
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

enum preset_save_flags {
	PRESET_SAVE_FORCE = 1, /* overwrite a file changed on disk; allow key-shaped strings */
};

enum preset_save_result {
	PRESET_SAVED,
	PRESET_SAVE_FAILED,    /* I/O: diags say why; the old file is untouched */
	PRESET_SAVE_CHANGED,   /* the file changed on disk since it was loaded (no FORCE) */
	PRESET_SAVE_KEY_SHAPED,/* a key-shaped string is in the session (no FORCE), or the
				  configured key itself (whatever the flags) */
	PRESET_SAVE_INVALID,   /* the session has errors */
};

/* Save atomically to path (NULL: the preset's own path): temporary file in
 * the same folder, fsync, rename, fsync of the folder; a symlink is written
 * through to its target and keeps its mode; the previous version is kept as
 * path~. secret, when not NULL, is the configured API key: it is never
 * written (the save fails instead). */
enum preset_save_result preset_save(struct preset *p, const char *path, int flags,
				    const char *secret, struct diag_list *diags);

/* The canonical YAML text of a session (what preset_save writes), malloc'd;
 * never NULL: a JSON field that does not parse is written as a string (where
 * preset_save refuses with PRESET_SAVE_INVALID). */
char *preset_emit(const struct session *s);

#endif
