/* The Evaluate view (F11): the preset's test rows in a table
 * (core/evaltable), run through core/eval on the workbench's loop: rows
 * fill in as answers arrive while keys keep working; grades go to the run
 * log. The rows and results live in a->eval while the view is closed, so
 * a run goes on behind the other panes. */
#ifndef PWB_TUI_VIEW_EVAL_H
#define PWB_TUI_VIEW_EVAL_H

#include <stddef.h>

struct app;

/* Fill the view (app_open_view): load the rows unless a run holds them. */
void view_eval_open(struct app *a);
/* After each loop pass: close a finished run (records its summary). */
void view_eval_pass(struct app *a);
/* An evaluation is running. */
int view_eval_running(const struct app *a);
/* The status line's state while a run goes on ("eval 3/10 ..."); 0 when
 * none runs. */
int view_eval_status(struct app *a, char *out, size_t n);
/* Compare with what (a model id, or a version id of the run log; "" stops
 * comparing): its answers and verdicts beside the table's own at the next
 * run. */
void view_eval_compare(struct app *a, const char *what);
/* The edit-cell prompt was answered: the selected row's variable gets
 * value (the preset's tests: changes; undoable in the view). */
void view_eval_edit_cell(struct app *a, const char *value);
/* The import prompt was answered: the rows of the file at path (CSV,
 * JSON Lines or YAML) are appended to the preset's tests: (undoable). */
void view_eval_import(struct app *a, const char *path);
/* The export prompt was answered: the results go to path, JSON Lines for
 * .jsonl/.json, else CSV. */
void view_eval_export(struct app *a, const char *path);
/* The generate prompt was answered (count: how many rows): ask Claude
 * (presets/meta/rows.yaml, a string property per variable) on the loop;
 * the rows are appended and marked until kept or undone. */
void view_eval_generate(struct app *a, const char *count);
/* At Ctrl-S, after the preset is saved: the rows of the CSV file tests:
 * names, when edited in the view, are written back to it (columns kept).
 * 0, or -1 when it cannot be written (said). */
int view_eval_save_rows(struct app *a);
/* At exit: cancel a run (finished rows stay in the log), free the rows. */
void view_eval_free(struct app *a);

#endif
