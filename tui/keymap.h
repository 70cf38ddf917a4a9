/* Keys as data: symbolic key names (<C-r>, <Tab>, <S-Tab>, <F1>, <M-x>),
 * the default bindings, the user keymap ($XDG_CONFIG_HOME/pwb/keys.yaml),
 * lookup along a pane's scope chain, the table check and the help text.
 * One parser serves the defaults, keys.yaml, the help screen and the test
 * scripts. */
#ifndef PWB_TUI_KEYMAP_H
#define PWB_TUI_KEYMAP_H

#include <stddef.h>

#include "tui/actions.h"

struct buf;

/* A key: a Unicode code point (control characters 0..31 as themselves),
 * or K_SPECIAL + a curses KEY_* code, possibly with K_META (Alt). */
#define K_SPECIAL 0x1000000
#define K_META 0x2000000
#define K_CLEFT (K_SPECIAL | 0xF01)  /* ctrl-left, mapped from kLFT5 */
#define K_CRIGHT (K_SPECIAL | 0xF02)
#define K_ESC 27
#define K_ENTER 13
#define K_TAB 9

/* The scopes looked up, in order, when a pane is focused; GLOBAL last. */
struct scope_chain {
	const char *name;
	enum scope s[4];
	size_t n;
};
/* The chains a pane can be in, named (indexes into keymap_chains). */
enum key_chain {
	CHAIN_SYSTEM,   /* the system prompt */
	CHAIN_MESSAGES, /* the messages */
	CHAIN_PARAMS,   /* the parameters list */
	CHAIN_FIELD,    /* a one-line field: parameters, prompts */
	CHAIN_BROWSE,   /* response, help, replay */
	CHAIN_EXPORT,   /* the export view */
	CHAIN_LIST,     /* open a preset, choose a model */
	CHAIN_EVAL,     /* the Evaluate view */
	CHAIN_HISTORY,  /* the History view */
	CHAIN_COUNT
};
extern const struct scope_chain keymap_chains[CHAIN_COUNT];

/* Parse one key name ("<C-r>", "x", "<LT>"). Returns the key or -1. */
int keymap_parse_key(const char *name, size_t len);
/* Write the name of key into out (at least 24 bytes). */
void keymap_key_name(int key, char *out, size_t n);

/* Load the defaults (idempotent, resets any user bindings). */
void keymap_init(void);
/* Read a keys.yaml ("action: <key>" or "action: [<k1>, <k2>]" per line).
 * Each action named replaces its default keys. Problems (unknown action,
 * bad key, a conflict) are appended to err; on any problem the defaults
 * stay in force. Returns 0 when the file was applied or does not exist. */
int keymap_load_file(const char *path, struct buf *err);

/* The action bound to key for a chain (scopes in order, then GLOBAL). */
enum action keymap_lookup(const struct scope_chain *chain, int key);
/* The first key bound to action as shown in hints ("Ctrl-R", "F4",
 * "Alt-y", "Esc"; "(unbound)" when none). Points into a static slot per
 * action, valid until the next call for the same action. */
const char *keymap_label(enum action a);
/* 1 when key is one of action's keys (whatever the scope). */
int keymap_is(enum action a, int key);

/* Check the table: every action has a key, no key means two things in one
 * chain. Problems are appended to out (one per line). Returns the count. */
int keymap_check(struct buf *out);
/* The help text: per scope, each action with its keys and help. */
void keymap_help(struct buf *out);
/* The scope an action is looked up in; the action named name[0..len)
 * (ACT_NONE when none). */
enum scope action_scope(enum action a);
enum action action_by_name(const char *name, size_t len);

#endif
