/* The display: curses set-up (wide characters, raw, no echo, keypad,
 * nodelay, short ESC delay, bracketed paste), the layout of the panes,
 * the status and message lines, one render pass per loop pass ending in
 * the only doupdate(), and screen dumps. In script mode curses draws to
 * /dev/null on a virtual screen of a pinned size. */
#ifndef PWB_TUI_DISPLAY_H
#define PWB_TUI_DISPLAY_H

#include <stdio.h>

struct app;

enum layout_kind { LAYOUT_WIDE, LAYOUT_STACKED, LAYOUT_SINGLE };

/* Start curses: on the terminal, or (virtual) on /dev/null at w x h.
 * Returns 0, or -1 with a message on stderr. */
int display_init(int virtual_screen, int w, int h);
/* Restore the terminal (bracketed paste off). Safe to call twice. */
void display_done(void);
/* Give the terminal away (suspend, $EDITOR) and take it back. */
void display_suspend(void);
void display_resume(void);
/* The terminal size changed (SIGWINCH), or a script asks for w x h. */
void display_resize(int w, int h);
void display_winch(void);
/* Lay out and draw everything; the one doupdate() of the pass. */
void display_render(struct app *a);
enum layout_kind display_layout(void);
/* Write the virtual screen as text (header line with size and cursor). */
void display_dump(FILE *out);
/* Copy text to the clipboard with OSC 52 (through tmux when inside it). */
void display_osc52(const char *text, size_t n);

#endif
