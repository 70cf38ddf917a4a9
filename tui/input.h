/* Input: key decoding on top of curses (Alt as ESC-prefix, bracketed paste
 * ESC[200~ ... ESC[201~ decoded here, since ncurses 6.4 does not), and the
 * script mode of the tests (keys and directives from a file). */
#ifndef PWB_TUI_INPUT_H
#define PWB_TUI_INPUT_H

#include <stddef.h>

struct app;

/* Drain the terminal (wget_wch until ERR) through the decoder. */
void input_read_tty(struct app *a);
/* Feed raw bytes through the same decoder (script @raw and @paste). */
void input_feed_bytes(struct app *a, const char *s, size_t n);
/* Resolve a lone ESC or a partial sequence once no more input came. */
void input_flush(struct app *a);
void input_done(void);

/* Run a test script: returns the exit status (0 ok, 1 a wait timed out or
 * a directive failed). Dumps go to $PWB_SCRIPT_OUT (default "."). */
int input_run_script(struct app *a, const char *path);

#endif
