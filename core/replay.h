/* Replay: regenerate a preset's recorded answers and say what changed
 * (pwb(1), replay). The recorded response is regenerated from the full
 * message list; with all_turns every assistant turn of messages is also
 * regenerated from the recorded history before it. A turn is the same when
 * its text is the same and its tool_use blocks have the same names and the
 * same input (canonical JSON). Also: storing a complete answer as the
 * preset's response (pwb run --record). */
#ifndef PWB_REPLAY_H
#define PWB_REPLAY_H

#include <stddef.h>

#include "core/api.h"

struct preset;
struct session;
struct stream;
struct loop;
struct diag_list;

enum replay_status { REPLAY_SAME, REPLAY_CHANGED, REPLAY_ERROR };

struct replay_turn {
	long index;             /* index into messages, or -1 for the response */
	enum replay_status status;
	char *recorded_json;    /* recorded content blocks (JSON array) */
	char *new_json;         /* new content blocks, NULL on error */
	char *new_message_json; /* the whole new Message, NULL on error */
	char *diff;             /* line diff of the text ("" when same), NULL on error */
	char *error;            /* one-line error text, NULL unless REPLAY_ERROR */
	enum api_failure failure; /* API_FAIL_NONE unless the call failed */
};

struct replay_result {
	struct replay_turn *turns;
	size_t n;
	size_t same, changed, errors;
	int canceled; /* a SIGINT stopped it; turns after the canceled one did not run */
};

struct replay;

struct replay_hooks {
	/* Called after each turn, in order (for progressive output). */
	void (*on_turn)(void *ud, const struct replay_turn *t);
	/* Called once when the last turn is done or the replay was canceled
	 * (replay_start only; the replay may be freed from here). */
	void (*on_done)(void *ud, struct replay *r);
	/* Set to the running call while it runs (NULL between calls), so a
	 * SIGINT handler can cancel it. */
	struct api_call **current;
	void *ud;
};

/* An error before anything is sent (no recorded response to compare with
 * and nothing to replay): returns -1 with the reason in diags. */
int replay_check_plan(const struct session *s, int all_turns, struct diag_list *diags);

/* Start replaying every turn through the API with cfg (streaming), one
 * call at a time, advanced by loop's callbacks: nothing here waits. cfg
 * must outlive the replay; s is copied. Per-turn failures are recorded in
 * the result and the rest continue; a cancel stops. Returns the replay
 * (free it with replay_free), or NULL when the plan is empty (diags say
 * why; nothing sent). */
struct replay *replay_start(struct loop *loop, const struct api_config *cfg,
			    const struct session *s, int all_turns,
			    const struct replay_hooks *hooks, struct diag_list *diags);
/* Stop: the running turn ends as canceled and no later turn starts
 * (on_turn for the canceled turn, then on_done, may run from here). */
void replay_cancel(struct replay *r);
/* 1 once every turn ran or the replay was canceled. */
int replay_finished(const struct replay *r);
/* The turns so far (owned by the replay). */
const struct replay_result *replay_result_of(const struct replay *r);
/* Cancel what runs (without on_done) and free; NULL is a no-op. */
void replay_free(struct replay *r);

/* replay_start, then drive the loop until it is finished (the headless
 * pwb replay). out is filled (replay_result_done frees it). Returns 0, or
 * -1 when the plan is empty (diags say why; nothing sent). */
int replay_run(struct loop *loop, const struct api_config *cfg, const struct session *s,
	       int all_turns, const struct replay_hooks *hooks, struct replay_result *out,
	       struct diag_list *diags);
void replay_result_done(struct replay_result *r);

/* Write the new answers of changed turns into s (assistant turns keep a
 * plain string when they were one and the answer is text only; the
 * response gets content, stop_reason, usage, model, at = now). Returns the
 * number of turns written. */
size_t replay_apply(struct session *s, const struct replay_result *r);

/* Same/changed comparison of two content-block arrays (JSON). 1 when same. */
int replay_same(const char *recorded_blocks_json, const char *new_blocks_json);
/* The text used for the diff: text blocks joined, one "[tool_use NAME
 * {canonical input}]" line per tool_use. malloc'd. */
char *replay_text(const char *blocks_json);
/* A line diff (unified style, 3 lines of context, "@@ -a,b +c,d @@" hunks),
 * "" when equal. malloc'd. */
char *replay_diff(const char *a, const char *b);

/* The --json document:
 * {"turns":[{"turn":N|"response","status":"same"|"changed"|"error","recorded":[...],
 *   "new":[...]|null,"diff":"..."|null,"error":"..."|null}],
 *  "summary":{"same":N,"changed":N,"errors":N}}. malloc'd. */
char *replay_result_json(const struct replay_result *r);

/* A response object {content, stop_reason, stop_sequence?, usage, model,
 * at} from a whole Message (JSON) and the time at ("2026-11-28T10:00:00Z";
 * NULL: now, UTC). malloc'd; NULL when message_json is not a Message. */
char *replay_response_from_message(const char *message_json, const char *at);

/* Store a complete answer (stream outcome COMPLETE) as p's response and
 * save p atomically (preset_save with PRESET_SAVE_FORCE when force; secret
 * is never written). Returns an enum preset_save_result: PRESET_SAVED, or
 * the reason it did not save (PRESET_SAVE_FAILED also for an answer that is
 * not complete: an error, truncated or canceled answer leaves the file
 * untouched); the session keeps its old response then. Reasons in diags. */
int replay_record(struct preset *p, const struct stream *s, int force, const char *secret,
		  struct diag_list *diags);

#endif
