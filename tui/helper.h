/* The workbench's helpers that ask Claude through a meta-prompt
 * (core/meta: generate rows, generate a prompt, improve): one forced-tool
 * request at a time, sent on the app's loop (never a nested wait), recorded
 * in the run log and counted in the session's spend like any answer. The
 * continuation gets the forced tool's input. */
#ifndef PWB_TUI_HELPER_H
#define PWB_TUI_HELPER_H

struct app;
struct preset;

/* Called once: input_json is the tool's input (NULL when the call failed,
 * was canceled or did not call the tool: the message line says why). ud
 * is the caller's; the continuation frees it. */
typedef void (*helper_done_fn)(struct app *a, const char *input_json, void *ud);

/* Send meta (taken; its variables set) asking for what ("3 test rows").
 * Returns 0 when sent; -1 when it cannot be (another helper runs, no key,
 * the budget, a bad request: said on the message line; meta freed, done
 * not called). */
int helper_start(struct app *a, struct preset *meta, const char *what, helper_done_fn done,
		 void *ud);
/* A helper request is in flight. */
int helper_busy(const struct app *a);
/* Cancel it (the continuation gets NULL at the next pass). */
void helper_cancel(struct app *a);
/* After each loop pass: finish a done request (log, spend, continuation). */
void helper_pass(struct app *a);
/* At exit: drop a request in flight; its continuation gets NULL (to free
 * its ud). */
void helper_free(struct app *a);

#endif
