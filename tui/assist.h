/* The workbench's prompt generator (issue 15): from an empty session a
 * task description becomes a prompt template with {{variables}},
 * parameters and test rows (the meta-prompt generate.yaml, as `pwb
 * generate`), put into the editors as one change that the same key undoes. */
#ifndef PWB_TUI_ASSIST_H
#define PWB_TUI_ASSIST_H

struct app;
struct preset;

/* Load the meta-prompt name ("generate", "rows", "improve"; core/meta),
 * or say on the message line why it cannot be: NULL then. The caller
 * frees the preset. */
struct preset *assist_meta_load(struct app *a, const char *name);

/* The generate-prompt key: from an empty session, ask for the task; after
 * a generated prompt, offer to undo it; otherwise say why not. */
void assist_generate_key(struct app *a);
/* The task prompt was answered: send the request (on the app's loop). */
void assist_generate_task(struct app *a, const char *task);
/* The undo question was answered yes: back to the session before. */
void assist_generate_undo(struct app *a);
/* At exit: free the text kept for the undo. */
void assist_free(struct app *a);

#endif
