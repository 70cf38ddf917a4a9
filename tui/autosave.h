/* Never lose work: the whole working state (the session as preset YAML,
 * unsaved edits included, plus which file it belongs to) is written to
 * $XDG_STATE_HOME/pwb/autosave-PID.yaml a moment after each change: mode
 * 0600, a temporary file renamed over the old one. Each instance holds a
 * lock (autosave-PID.lock, fcntl) for its life, so an autosave whose lock
 * is free belongs to an instance that died: pwb offers to restore it. A
 * clean exit removes the autosave. The configured key is replaced by a
 * marker. */
#ifndef PWB_TUI_AUTOSAVE_H
#define PWB_TUI_AUTOSAVE_H

struct app;

/* Plain letters and dashes: safe inside any YAML scalar style. */
#define AUTOSAVE_KEY_MARKER "PWB-REMOVED-THE-CONFIGURED-API-KEY"

/* Find the folder and take this instance's lock. Returns 0 or -1
 * (autosave is then off, and the message line says why). */
int autosave_init(struct app *a);
/* A change happened: write within a second. */
void autosave_schedule(struct app *a);
/* Write now (also from SIGTERM/SIGHUP). */
void autosave_write(struct app *a);
/* Clean exit: remove this instance's autosave and lock. */
void autosave_remove(struct app *a);
/* Release the lock without removing the file (dying on a signal). */
void autosave_release(struct app *a);
/* An autosave left by an instance that died: of file when given (its
 * absolute path), else of any session. malloc'd path or NULL. */
char *autosave_find_orphan(struct app *a, const char *file);
/* Load it into the app (0), or -1 with a message. Removes the orphan
 * (its content now lives in this instance's autosave). */
int autosave_restore(struct app *a, const char *path);
/* The file an autosave belongs to (its absolute path; "" for a new
 * session), malloc'd, or NULL when it cannot be read. */
char *autosave_orphan_file(const char *path);
/* Remove an orphan the user declined. */
void autosave_discard(const char *path);

#endif
