/* The rows an evaluation runs: where they come from (a preset's tests:, or
 * a --tests file of CSV, JSON Lines or YAML) and the checks made before
 * anything is sent. Shared by `pwb eval` and the workbench. */
#ifndef PWB_EVALROWS_H
#define PWB_EVALROWS_H

#include <stddef.h>

struct preset;
struct session;
struct testrows;
struct diag_list;

/* The rows of preset p: from tests_path when not NULL (the preset's
 * top-level assert: still applies), else from its tests:. Problems go to
 * diags; NULL when there is nothing to run (an error says why). The caller
 * frees with testrows_free. */
struct testrows *evalrows_load(struct preset *p, const char *tests_path, struct diag_list *diags);

/* The rows of a file alone (CSV, JSON Lines or YAML by its extension),
 * without any preset's assert:. NULL with errors in diags. */
struct testrows *evalrows_load_file(const char *path, struct diag_list *diags);

/* When tests_json names a rows file (a JSON string, maybe after
 * "file://"): its path, relative to the preset file's folder (malloc'd).
 * NULL when tests: is a list or unset. */
char *evalrows_file_path(const char *tests_json, const char *preset_file);

/* Every row must give each variable the prompt of s uses (system and
 * messages) unless s's variables: do. Returns the errors added to diags. */
int evalrows_check(const struct testrows *rows, const struct session *s, struct diag_list *diags);

#endif
