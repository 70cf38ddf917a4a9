/* Running: sending the configuration through core/api.h on the shared
 * loop, streaming into an answer, cancel, retries, errors, the cost meter,
 * the budget, count_tokens estimates and the model list. */
#ifndef PWB_TUI_RUN_H
#define PWB_TUI_RUN_H

struct app;
struct answer;

/* Run (checks validation, key and budget first). */
void run_start(struct app *a);
/* Send without the budget check (after the user agreed). */
void run_send(struct app *a);
void run_cancel(struct app *a);
/* Estimate the cost of the next run (count_tokens, or a rough count). */
void run_estimate(struct app *a, int for_run);
/* Fetch the model list when a key is present. */
void run_fetch_models(struct app *a);
/* After each loop pass: free finished calls, follow the call's state. */
void run_pass(struct app *a);
/* Free everything (cancels a running call), the run log closed. */
void run_done(struct app *a);
/* Open the run log once at start (a failure is one message, never fatal);
 * every answer is then recorded there (command "tui"). */
void run_log_open(struct app *a);
/* Answers. */
void answer_free(struct answer *ans);
/* Show the preset's recorded response (if any) as the first answer, then
 * the preset's latest answers from the run log (newest last, shown). */
void run_load_recorded(struct app *a);
/* Append the shown answer as an assistant turn and open a user turn. */
void run_keep_answer(struct app *a);
/* Record the shown (complete) answer as the session's response: (as pwb
 * run --record does; saved with the preset), remembering the request it
 * answered. */
void run_record_answer(struct app *a);
/* Copy the shown answer's text (its prefill first) with OSC 52; with
 * code, one fenced code block of it instead: the next one each time. */
void run_copy_answer(struct app *a, int code);
/* 1 when the session's response: was recorded for another request than
 * the one the editors hold now (the user is told on save). */
int run_response_stale(struct app *a);

#endif
