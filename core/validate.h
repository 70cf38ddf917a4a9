/* The validation rules (pwb-preset(5) VALIDATION) over a session, shared by
 * preset_validate (positions from the loaded file) and session_validate
 * (no file). Internal to the core: front ends call those two. */
#ifndef PWB_VALIDATE_H
#define PWB_VALIDATE_H

struct session;
struct diag_list;

/* Where a field came from: fills line and col (1-based) for a field path
 * such as "messages[2].content"; key != 0 asks for the key's position.
 * Returns 1 when known. */
typedef int (*validate_locate_fn)(void *ud, const char *path, int key, int *line, int *col);

/* Check every rule; problems go to diags, with file:line:col when file and
 * locate are given (an unknown path falls back to its parent's position). */
void validate_run(const struct session *s, const char *file, validate_locate_fn locate,
		  void *ud, struct diag_list *diags);

#endif
