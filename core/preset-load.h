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

#endif
