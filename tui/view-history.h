/* The History view (F12): this preset's versions in the run log, newest
 * first; a version's diff against the working text; restoring a version
 * into the editors (undoable from the view). */
#ifndef PWB_TUI_VIEW_HISTORY_H
#define PWB_TUI_VIEW_HISTORY_H

struct app;

/* Fill the view (app_open_view) from the run log. */
void view_history_open(struct app *a);
/* Put the session of text (a preset's YAML) into the editors as one
 * change (the preset's file stays), keeping tests: and response: when
 * keep_tests. 0, or -1 when text is not a preset. */
int view_history_swap_in(struct app *a, const char *text, int keep_tests);
/* At exit: free the text kept for undoing a restore. */
void view_history_free(struct app *a);

#endif
