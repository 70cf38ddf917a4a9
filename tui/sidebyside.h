/* Two texts side by side, the differences highlighted (core/sidediff):
 * the answers view (two answers of the session, the differing words
 * marked; stacked under 120 columns) and the drawing the Evaluate view's
 * improve proposal uses (the current prompt beside the proposed one, the
 * changed lines marked - and +). */
#ifndef PWB_TUI_SIDEBYSIDE_H
#define PWB_TUI_SIDEBYSIDE_H

#include <stddef.h>

#include "tui/app.h"

/* Side by side from this width; below, one above the other. */
enum { SIDEBYSIDE_MIN_COLS = 120 };

/* Draw the line diff of a (left, titled ta) and b (right, tb) into r from
 * row top (scrolled; kept in range): the changed lines marked "-" and "+"
 * and highlighted, long lines wrapped. */
void sidebyside_draw_lines(struct rect r, const char *ta, const char *a, const char *tb,
			   const char *b, size_t *top);

/* Open the answers view: the shown answer (F6/F7) beside the one before it
 * (or after it, for the first). */
void sidebyside_open_answers(struct app *a);

#endif
