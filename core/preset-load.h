/* Reading a preset (part of core/preset.h: include that). */
#ifndef PWB_PRESET_LOAD_H
#define PWB_PRESET_LOAD_H

#include <stddef.h>

struct preset;
struct diag_list;

/* Load path ("-" reads standard input, named "<stdin>" in diagnostics).
 * Only a regular file is read: a FIFO, socket or device is refused at once
 * (opened with O_NONBLOCK, checked with fstat), never waited on.
 * Problems go to diags with file:line:col (errors and warnings, key-shaped
 * strings included). Returns NULL when the file cannot be read or is not
 * YAML of the right shape at all; otherwise a preset, which may still carry
 * errors in diags (check diag_count). Caller frees with preset_free. */
struct preset *preset_load_file(const char *path, struct diag_list *diags);
/* The same from memory; name is used in diagnostics. */
struct preset *preset_load_string(const char *name, const char *text, size_t len,
				  struct diag_list *diags);

/* Read a YAML file of evaluation rows (a list of {description, vars,
 * assert, ...} mappings, as under a preset's tests:) into *rows_json, a
 * malloc'd JSON array, checked for shape only, as tests: is. The returned
 * preset holds only the positions (paths "[i]", "[i].vars.NAME",
 * "[i].assert[j].value"), for preset_locate_value; free it with
 * preset_free. NULL (and *rows_json NULL) on errors, which go to diags. */
struct preset *preset_load_rows(const char *path, char **rows_json, struct diag_list *diags);

#endif
