/* The parameters pane: the request's fields as rows, edited in place. */
#ifndef PWB_TUI_PANE_PARAMS_H
#define PWB_TUI_PANE_PARAMS_H

struct app;
struct pane;

/* Select the model row and edit it as text (the model list's "type a
 * model id"). pn is the parameters pane. */
void pane_params_edit_model(struct app *a, struct pane *pn);

#endif
