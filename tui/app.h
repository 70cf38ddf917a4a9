/* The workbench state and the global action switch. One struct app lives
 * for the whole run; panes are const ops tables (tmux's window_mode) that
 * draw into a rectangle and handle the actions of their scopes. */
#ifndef PWB_TUI_APP_H
#define PWB_TUI_APP_H

#include <stddef.h>
#include <stdio.h>

#include "core/api.h"
#include "core/buf.h"
#include "core/cost.h"
#include "core/redact.h"
#include "core/diag.h"
#include "core/runlog.h"
#include "tui/actions.h"
#include "tui/keymap.h"

struct app;
struct pane;
struct textbuf;
struct preset;
struct session;
struct loop;
struct replay;
struct evalrun;
struct helper;

struct rect {
	int y, x, h, w;
};

struct pane_ops {
	const char *name;    /* title, unless the pane has its own */
	enum key_chain chain;
	size_t private_size; /* allocated and zeroed by the engine */
	void (*draw)(struct app *a, struct pane *p, struct rect r, int focused);
	/* Returns 1 when the action was handled. */
	int (*action)(struct app *a, struct pane *p, enum action act);
	/* Typed or pasted text; NULL: the pane takes no text. */
	void (*text)(struct app *a, struct pane *p, const char *s, size_t n);
	/* The editor $EDITOR works on, or NULL. */
	struct textbuf *(*editor)(struct app *a, struct pane *p);
	/* The chain in force now (a field being edited changes it); NULL: chain. */
	enum key_chain (*current_chain)(struct app *a, struct pane *p);
	void (*dump)(struct app *a, struct pane *p, struct buf *out);
	void (*free)(struct app *a, struct pane *p);
};

struct pane {
	const struct pane_ops *ops;
	void *priv;
	struct rect r;
	char *title; /* malloc'd, freed with the pane; NULL: ops->name */
};

enum pane_id { PANE_SYSTEM, PANE_MESSAGES, PANE_PARAMS, PANE_RESPONSE, NPANES };

extern const struct pane_ops pane_system_ops, pane_messages_ops, pane_params_ops,
	pane_response_ops, pane_view_ops, pane_list_ops, pane_eval_ops, pane_history_ops,
	pane_answers_ops;

struct turn {
	char *role;          /* "user" or "assistant" */
	struct textbuf *ed;
	int json;            /* the editor holds a JSON array of content blocks */
	unsigned long synced_gen;
};

/* One undoable turn operation (app-session.c). */
struct turn_undo {
	enum { TU_DELETE, TU_MOVE, TU_ROLE } kind;
	size_t i, j;             /* the turn's index (a move: from i to j) */
	struct turn turn;        /* TU_DELETE: the deleted turn, owned here */
	unsigned long text_gens; /* the turns' text generations after it */
};

/* One answer of this session, shown in the response pane. */
struct answer {
	struct textbuf *view; /* rendered lines (read-only) */
	char *message_json;  /* the assembled Message, NULL when none */
	char *model;
	struct usage usage;
	int cost_known;
	double cost;
	char *stop_reason;
	char *error;         /* one-line error, NULL when none */
	int canceled, done;
	int follow;          /* the view follows the end */
	char cur_type[16];   /* type of the block being streamed */
	/* the key (any form, also cut between two deltas) never reaches the
	 * view: deltas go through a redacting stream; rs_attr is the line
	 * attribute of what it holds back */
	struct redact_stream rs;
	int rs_attr;
	long cur_index;
	long long t_start, t_first;
	long out_chars;
	/* retries made before this answer, and why ("HTTP 429 rate_limit_error,
	 * ..."; malloc'd, NULL when none): once the answer starts they become
	 * its one line above the text (run.c) */
	int retries;
	char *retry_why;
	int retries_folded;
	char *body;          /* the request that got it, as sent (NULL: unknown) */
	char *meta;          /* its first line: prompt version and parameters */
	char *prefill;       /* the assistant text it continues (sent), or NULL */
	int prefill_shown;
	int code_pick;       /* the code block copy-code copies next */
};

enum run_state { RS_IDLE, RS_ESTIMATING, RS_SENDING, RS_STREAMING, RS_RETRYING };

enum prompt_kind { PR_NONE, PR_YESNO, PR_CHOICE, PR_LINE };

/* What a prompt answers (the continuation of the action that asked). */
enum prompt_for {
	PF_NONE, PF_QUIT, PF_NEW, PF_OPEN_FILE, PF_SAVE_AS, PF_OVERWRITE, PF_SAVE_KEY,
	PF_SAVE_CHANGED, PF_RESTORE, PF_BUDGET_UNKNOWN, PF_EXPORT_WRITE, PF_SAVE_COMMENTS,
	PF_SAVE_KEY_MARKER, PF_SAVE_MKDIR, PF_EVAL_COMPARE, PF_EVAL_EDIT, PF_ATTACH,
	PF_EVAL_IMPORT, PF_EVAL_EXPORT, PF_EVAL_GENERATE,
	PF_GENERATE_TASK, PF_GENERATE_UNDO,
};

enum view_kind { VIEW_NONE, VIEW_HELP, VIEW_EXPORT, VIEW_REPLAY, VIEW_OPEN, VIEW_MODEL, VIEW_EVAL,
		 VIEW_HISTORY, VIEW_ANSWERS };

/* A request, an estimate, the model list or a replay in flight, and what
 * the last response said about limits: changes with every loop pass. */
struct app_run {
	struct api_call *call;    /* POST /v1/messages */
	int call_done;
	enum run_state state;
	int last_failed;
	long long retry_due;
	/* the last response's rate limits (-1: not sent); the reset is due at
	 * app_now() ms (0: unknown) */
	long rl_requests, rl_requests_limit, rl_tokens, rl_tokens_limit;
	long long rl_reset_due;
	struct api_call *aux;     /* count_tokens */
	int aux_done;
	int aux_for_run;          /* the estimate gates a run (budget) */
	struct api_call *mcall;   /* GET /v1/models */
	int mcall_done;
	char **models;
	size_t nmodels;
	struct replay *replay;    /* running on the loop (views.c), NULL when none */
	struct buf replay_out;    /* the replay's report so far */
	/* what the running call's answer is recorded with (run.c) */
	char *log_body;           /* the body sent */
	char *log_path;           /* the preset's realpath, NULL when none */
	char log_version[RUNLOG_VERSION_ID_SIZE];
};

/* The question on the message line and what continues after it. */
struct app_prompt {
	enum prompt_kind kind;
	enum prompt_for pf;
	char *text;
	struct textbuf *ed;       /* the typed line (PR_LINE) */
	char *pending_path;       /* for prompts that continue with a path */
	int pending_flags;
	char choices[8];          /* PR_CHOICE: the answer letters; the last is
				     what the close and cancel keys choose */
	size_t keys_off;          /* where the answer keys start in text (0: at
				     its last "(") */
	int quit_after_save;      /* quit once the save asked for at quit succeeds */
};

/* The autosave file, its lock, and what the user was told about it. */
struct app_autosave {
	unsigned timer;
	char *path;
	char *dir;
	int lock_fd;
	int key_redacted_told;
	int key_shaped_told;
};

/* $EDITOR while it owns the terminal. */
struct app_external {
	int pid;                  /* the child, 0 when none */
	char *path;               /* the temporary file */
	struct textbuf *ed;       /* the text it edits */
	int pane;
};

struct app {
	struct loop *loop;
	struct pane panes[NPANES];
	struct pane view;         /* the overlay (help, export, replay, lists) */
	enum view_kind view_kind;
	int focus;                /* enum pane_id */
	int zoom;
	int quit;
	int exit_code;
	int script_mode;

	/* the configuration */
	struct preset *preset;
	struct session *sess;     /* preset_session(preset) */
	struct textbuf *system_ed;
	int system_json;
	struct turn *turns;
	size_t nturns, aturns, cur_turn;
	unsigned long system_synced_gen;
	int modified;
	struct diag_list diags;   /* session_validate, refreshed after changes */
	int diags_stale;
	long long last_change;    /* when the configuration last changed */
	char **varnames;          /* {{variables}} used in the prompts, then defined ones */
	size_t nvarnames;

	/* the key and the connection */
	struct api_config cfg;
	int have_key;
	char *key;                /* the configured key (never written) */
	int key_source;           /* enum key_source: where it came from */
	struct runlog *log;       /* the run log, NULL when off or not opened */

	struct app_run run;

	/* the answers of this session */
	struct answer **answers;
	size_t nanswers, shown;
	double session_cost;
	int session_cost_unknown;
	double budget;            /* < 0: none */
	char *budget_text;

	/* the message line and the question on it */
	char *msg;
	int msg_error;
	struct app_prompt prompt;

	/* input */
	int verbatim;             /* the next key is inserted literally */

	/* display */
	int dirty;
	long long last_frame;     /* real clock, frame.c */
	int suspended;            /* the terminal belongs to someone else */
	struct app_external ext;

	struct app_autosave autosave;
	int killed;               /* quit on SIGTERM/SIGHUP: keep the autosave */
	int comments_ok;          /* the user agreed to drop the file's comments */
	int bad_utf8_told;        /* said once that a kept answer had invalid UTF-8 */
	char *default_path;       /* FILE given but not there yet: save goes here */
	/* the request body the session's response: answers (as loaded, or the
	 * answer recorded with ACT_RECORD_ANSWER); NULL: none or unknown */
	char *response_for;
	/* deleted, moved and role-switched turns, undoable (app-session.c) */
	struct turn_undo *turn_undo;
	size_t nturn_undo, aturn_undo;

	struct evalrun *eval;     /* the Evaluate view's rows and run (view-eval.c), NULL until opened */
	char *restore_undo;       /* the session text before a History restore (view-history.c) */
	struct helper *helper;    /* a meta-prompt request in flight (helper.c), or NULL */
	char *generate_undo;      /* the session before a generated prompt (assist.c) */
	int run_left_pane;        /* one-pane layout: the pane Ctrl-R left for the
				   * response, plus 1 (0: none); the focus keys go back */
};

/* Set the message line (printf-style); error marks it as an error. */
void app_message(struct app *a, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ask a question on the message line. */
void app_prompt_yesno(struct app *a, enum prompt_for pf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A question with several answers, one letter each (choices, e.g. "rkd");
 * keys is how the line shows them ("(r)estore (k)eep (d)iscard"), kept
 * visible when the question is cut. */
void app_prompt_choice(struct app *a, enum prompt_for pf, const char *choices, const char *keys,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void app_prompt_line(struct app *a, enum prompt_for pf, const char *initial, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

/* Something changed in the configuration: modified mark, validation and
 * autosave are scheduled. */
void app_changed(struct app *a);
void app_dirty(struct app *a);
/* Write the editors' text into the session (only those that changed). */
void app_sync(struct app *a);
/* Revalidate now when stale. */
void app_validate(struct app *a);
/* The first diagnostic (error level) whose path starts with prefix, or NULL. */
const struct diag *app_diag_for(struct app *a, const char *prefix);
/* A diagnostic in the workbench's words: a missing model or max_tokens
 * names the keys that set it, never the YAML that would. malloc'd. */
char *app_diag_text(const struct diag *d);

/* Keys while a question is on the message line (app-prompt.c). */
void app_prompt_key(struct app *a, int key);
/* Save to path (NULL: the preset's own) with PRESET_SAVE_* flags; save
 * as (asks before overwriting); a new empty session (app-files.c). */
void app_save(struct app *a, const char *path, int flags);
void app_save_as(struct app *a, const char *path);
/* The recent presets (opened or saved), most recent first, kept in the
 * state folder ($XDG_STATE_HOME/pwb/recent, one absolute path a line).
 * app_recent_load returns how many; the caller frees the array and its
 * strings. */
void app_recent_add(const char *path);
size_t app_recent_load(char ***paths);
/* Create path's folder (the user agreed), then save as path. */
void app_save_as_mkdir(struct app *a, const char *path);
/* The configured key is in the session: put the autosave's marker in its
 * place (in the editors too), then save. */
void app_save_with_marker(struct app *a, const char *path, int flags);
void app_new(struct app *a);
/* The model of a new session: $PWB_MODEL, else the newest Sonnet of the
 * built-in list. */
const char *app_default_model(void);
/* A new session that can be sent at once (default model, max_tokens
 * 1024). Caller owns it. */
struct preset *app_new_preset(void);
/* Edit the focused text in $VISUAL / $EDITOR (app-external.c). */
void app_external_edit(struct app *a);
/* The pane keys go to: the open view, else the focused pane. */
struct pane *app_current_pane(struct app *a);

/* Load a session into the editors (after open, new, restore). */
void app_load_session(struct app *a);
void app_do_action(struct app *a, enum action act);
/* Dispatch a key (from the terminal or a script). */
void app_key(struct app *a, int key);
/* Insert pasted text into the focused text (never as key commands). */
void app_paste(struct app *a, const char *s, size_t n);

/* Replace the preset (takes ownership) and load it into the editors. */
void app_set_preset(struct app *a, struct preset *p);
/* Open a preset file; 0 or -1 with a message. */
int app_open_file(struct app *a, const char *path);
/* The $EDITOR child exited (SIGCHLD). */
void app_child_exited(struct app *a);
void app_suspend(struct app *a);
/* After each loop pass. */
void app_pass(struct app *a);
void app_dump_state(struct app *a, FILE *out);
/* Watch the keyboard (off while $EDITOR owns the terminal); in main.c. */
void app_stdin_watch(struct app *a, int on);

/* Turns. */
struct turn *app_turn_insert(struct app *a, size_t at, const char *role, const char *text,
			     int json);
void app_turn_remove(struct app *a, size_t at);
/* The user's turn operations, each one undo step: delete (the turn is
 * kept for undo), move turn i to j (neighbours), switch the role. */
void app_turn_delete(struct app *a, size_t at);
void app_turn_move(struct app *a, size_t i, size_t j);
void app_turn_switch_role(struct app *a, size_t at);
/* Undo the latest turn operation; when fresh_only, only if no text of a
 * turn changed since (else the text's own undo comes first). Returns 1
 * when something was undone. */
int app_turn_undo(struct app *a, int fresh_only);
/* Forget the turn operations (a new session, exit). */
void app_turn_undo_clear(struct app *a);
/* Attach the file at path (typed: relative to the current folder) to the
 * current user turn as {type: image|document, path: ...} (the path as the
 * preset will read it, relative to its folder); the turn becomes content
 * blocks. The kind comes from the file's first bytes; the request reads
 * the file when it is sent (core/request.h). */
void app_turn_attach(struct app *a, const char *path);
/* Tab in a path prompt: complete the typed path to the longest name the
 * matching files share (a folder gets its "/"); several are listed on the
 * message line. */
void app_prompt_complete_path(struct app *a);
#define ATTACH_QUESTION "Attach an image or PDF (path, Tab completes): "

/* The answer shown (NULL when none). */
struct answer *app_answer(struct app *a);
/* Set the model (the model list); ask for a model id in the parameters. */
void app_set_model(struct app *a, const char *model);
void app_edit_model(struct app *a);
/* Open an overlay view with text (help, export, replay), or a list. */
void app_open_view(struct app *a, enum view_kind k);
void app_close_view(struct app *a);
long long app_now(struct app *a);
/* Where the configured key came from, in words ("ANTHROPIC_API_KEY in ./.env"). */
const char *app_key_source(const struct app *a);
int app_busy(const struct app *a);

#endif
