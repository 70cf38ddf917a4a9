#include "tui/keymap.h"
#include "core/utf8.h"
#include "core/buf.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct action_info {
	const char *name, *help;
	enum scope scope;
};

static const struct action_info actions[ACT_COUNT] = {
	[ACT_NONE] = { "none", "", SCOPE_GLOBAL },
#define ACTION_INFO(e, s, n, h) [ACT_##e] = { n, h, SCOPE_##s },
	ACTIONS(ACTION_INFO)
#undef ACTION_INFO
};

static const char *const scope_names[SCOPE_COUNT] = {
#define SCOPE_NAME(e, n, h) [SCOPE_##e] = n,
	SCOPES(SCOPE_NAME)
#undef SCOPE_NAME
};
static const char *const scope_titles[SCOPE_COUNT] = {
#define SCOPE_TITLE(e, n, h) [SCOPE_##e] = h,
	SCOPES(SCOPE_TITLE)
#undef SCOPE_TITLE
};

const struct scope_chain keymap_chains[CHAIN_COUNT] = {
	[CHAIN_SYSTEM] = { .name = "system prompt", .s = { SCOPE_TEXT, SCOPE_GLOBAL }, .n = 2 },
	[CHAIN_MESSAGES] = { .name = "messages", .s = { SCOPE_MESSAGES, SCOPE_TEXT, SCOPE_GLOBAL }, .n = 3 },
	[CHAIN_PARAMS] = { .name = "parameters", .s = { SCOPE_PARAMS, SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 3 },
	[CHAIN_FIELD] = { .name = "field", .s = { SCOPE_TEXT, SCOPE_GLOBAL }, .n = 2 },
	[CHAIN_BROWSE] = { .name = "response", .s = { SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 2 },
	[CHAIN_EXPORT] = { .name = "export", .s = { SCOPE_EXPORT, SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 3 },
	[CHAIN_LIST] = { .name = "list", .s = { SCOPE_LIST, SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 3 },
	[CHAIN_EVAL] = { .name = "evaluate", .s = { SCOPE_EVAL, SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 3 },
	[CHAIN_HISTORY] = { .name = "history", .s = { SCOPE_HISTORY, SCOPE_BROWSE, SCOPE_GLOBAL }, .n = 3 },
};

struct default_binding {
	enum action action;
	const char *keys; /* space-separated key names */
};

static const struct default_binding defaults[] = {
	{ ACT_RUN, "<C-r>" },
	{ ACT_CANCEL, "<C-c>" },
	{ ACT_NEXT_PANE, "<Tab>" },
	{ ACT_PREV_PANE, "<S-Tab>" },
	{ ACT_HELP, "<F1>" },
	{ ACT_SAVE, "<C-s>" },
	{ ACT_SAVE_AS, "<F2> <M-s>" },
	{ ACT_OPEN, "<C-o>" },
	{ ACT_NEW, "<C-n>" },
	{ ACT_QUIT, "<C-q>" },
	{ ACT_SUSPEND, "<C-z>" },
	{ ACT_EXPORT, "<F3> <M-o>" },
	{ ACT_REPLAY, "<F4> <M-y>" },
	{ ACT_ESTIMATE, "<F5> <M-$>" },
	{ ACT_PREV_ANSWER, "<F6> <M-,>" },
	{ ACT_NEXT_ANSWER, "<F7> <M-.>" },
	{ ACT_KEEP_ANSWER, "<F8> <M-k>" },
	{ ACT_EXTERNAL_EDITOR, "<F9> <M-e>" },
	{ ACT_MARKDOWN, "<M-m>" },
	{ ACT_ZOOM, "<F10> <M-z>" },
	{ ACT_REDRAW, "<C-l>" },
	{ ACT_FOCUS_SYSTEM, "<M-1>" },
	{ ACT_FOCUS_MESSAGES, "<M-2>" },
	{ ACT_FOCUS_PARAMS, "<M-3>" },
	{ ACT_FOCUS_RESPONSE, "<M-4>" },
	{ ACT_RECORD_ANSWER, "<M-r>" },
	{ ACT_COPY_ANSWER, "<M-c>" },
	{ ACT_COPY_CODE, "<M-C>" },
	{ ACT_LEFT, "<Left> <C-b>" },
	{ ACT_RIGHT, "<Right> <C-f>" },
	{ ACT_UP, "<Up>" },
	{ ACT_DOWN, "<Down>" },
	{ ACT_LINE_START, "<Home> <C-a>" },
	{ ACT_LINE_END, "<End> <C-e>" },
	{ ACT_WORD_LEFT, "<M-b> <C-Left>" },
	{ ACT_WORD_RIGHT, "<M-f> <C-Right>" },
	{ ACT_PAGE_UP, "<PgUp>" },
	{ ACT_PAGE_DOWN, "<PgDn>" },
	{ ACT_TEXT_START, "<M-<>" },
	{ ACT_TEXT_END, "<M->>" },
	{ ACT_BACKSPACE, "<Backspace> <C-h>" },
	{ ACT_DELETE, "<Del> <C-d>" },
	{ ACT_KILL_LINE, "<C-k>" },
	{ ACT_KILL_LINE_START, "<C-u>" },
	{ ACT_KILL_WORD_BACK, "<C-w> <M-Backspace>" },
	{ ACT_KILL_WORD, "<M-d>" },
	{ ACT_YANK, "<C-y>" },
	{ ACT_UNDO, "<C-_>" },
	{ ACT_VERBATIM, "<C-v>" },
	{ ACT_NEWLINE, "<Enter> <C-j>" },
	{ ACT_FIELD_ACCEPT, "<C-x>" },
	{ ACT_TURN_ADD_USER, "<M-u>" },
	{ ACT_TURN_ADD_ASSISTANT, "<M-a>" },
	{ ACT_TURN_DELETE, "<M-x>" },
	{ ACT_TURN_UP, "<M-p>" },
	{ ACT_TURN_DOWN, "<M-n>" },
	{ ACT_TURN_ROLE, "<M-t>" },
	{ ACT_ATTACH, "<M-i>" },
	{ ACT_FIELD_EDIT, "<Enter>" },
	{ ACT_FIELD_CLEAR, "<Del>" },
	{ ACT_HELP_ALT, "?" },
	{ ACT_SCROLL_UP, "<Up> k" },
	{ ACT_SCROLL_DOWN, "<Down> j" },
	{ ACT_SCROLL_PAGE_UP, "<PgUp>" },
	{ ACT_SCROLL_PAGE_DOWN, "<PgDn> <Space>" },
	{ ACT_SCROLL_TOP, "<Home> g" },
	{ ACT_SCROLL_BOTTOM, "<End> G" },
	{ ACT_CLOSE, "<Esc> q" },
	{ ACT_EXPORT_LANG, "l <Right>" },
	{ ACT_EXPORT_WRITE, "w" },
	{ ACT_EXPORT_COPY, "c" },
	{ ACT_EXPORT_STREAM, "s" },
	{ ACT_LIST_CHOOSE, "<Enter>" },
	{ ACT_EVALUATE, "<F11> <M-v>" },
	{ ACT_HISTORY, "<F12> <M-h>" },
	{ ACT_COMPARE_ANSWERS, "<M-D>" },
	{ ACT_GENERATE_PROMPT, "<M-w>" },
	{ ACT_EVAL_RUN_ROW, "r" },
	{ ACT_EVAL_RERUN_FAILING, "f" },
	{ ACT_EVAL_OPEN_ROW, "<Enter>" },
	{ ACT_EVAL_COMPARE, "c" },
	{ ACT_EVAL_DIFFER_FIRST, "o" },
	{ ACT_EVAL_EDIT_CELL, "e" },
	{ ACT_EVAL_ADD_ROW, "a" },
	{ ACT_EVAL_DELETE_ROW, "d" },
	{ ACT_EVAL_UNDO, "u" },
	{ ACT_EVAL_COLUMN_LEFT, "<Left> h" },
	{ ACT_EVAL_COLUMN_RIGHT, "<Right> l" },
	{ ACT_EVAL_GRADE_CLEAR, "0" },
	{ ACT_EVAL_GRADE_1, "1" },
	{ ACT_EVAL_GRADE_2, "2" },
	{ ACT_EVAL_GRADE_3, "3" },
	{ ACT_EVAL_GRADE_4, "4" },
	{ ACT_EVAL_GRADE_5, "5" },
	{ ACT_EVAL_IMPORT, "i" },
	{ ACT_EVAL_EXPORT, "x" },
	{ ACT_EVAL_GENERATE, "n" },
	{ ACT_EVAL_KEEP_ROWS, "y" },
	{ ACT_EVAL_IMPROVE, "p" },
	{ ACT_HISTORY_DIFF, "<Enter>" },
	{ ACT_HISTORY_RESTORE, "r" },
	{ ACT_HISTORY_ANSWERS, "a" },
	{ ACT_HISTORY_UNDO, "u" },
};

#define MAX_KEYS 4
static int bound[ACT_COUNT][MAX_KEYS];
static size_t nbound[ACT_COUNT];

static const struct {
	const char *name;
	int key;
} named[] = {
	{ "Tab", K_TAB },
	{ "S-Tab", K_SPECIAL | KEY_BTAB },
	{ "Enter", K_ENTER },
	{ "Esc", K_ESC },
	{ "Space", ' ' },
	{ "LT", '<' },
	{ "Backspace", K_SPECIAL | KEY_BACKSPACE },
	{ "Del", K_SPECIAL | KEY_DC },
	{ "Ins", K_SPECIAL | KEY_IC },
	{ "Up", K_SPECIAL | KEY_UP },
	{ "Down", K_SPECIAL | KEY_DOWN },
	{ "Left", K_SPECIAL | KEY_LEFT },
	{ "Right", K_SPECIAL | KEY_RIGHT },
	{ "S-Up", K_SPECIAL | KEY_SR },
	{ "S-Down", K_SPECIAL | KEY_SF },
	{ "S-Left", K_SPECIAL | KEY_SLEFT },
	{ "S-Right", K_SPECIAL | KEY_SRIGHT },
	{ "C-Left", K_CLEFT },
	{ "C-Right", K_CRIGHT },
	{ "Home", K_SPECIAL | KEY_HOME },
	{ "End", K_SPECIAL | KEY_END },
	{ "PgUp", K_SPECIAL | KEY_PPAGE },
	{ "PgDn", K_SPECIAL | KEY_NPAGE },
	{ "C-Space", 0 },
};

int keymap_parse_key(const char *name, size_t len)
{
	if (len == 0)
		return -1;
	if (name[0] != '<' || len == 1) {
		/* a single character (UTF-8) */
		size_t n = utf8_seq_len(name, len);
		uint32_t cp;
		if (!n)
			return -1;
		utf8_next(name, len, &cp);
		return n == len ? (int)cp : -1;
	}
	if (name[len - 1] != '>')
		return -1;
	const char *in = name + 1;
	size_t n = len - 2;
	int meta = 0;
	if (n > 2 && in[0] == 'M' && in[1] == '-') {
		meta = K_META;
		in += 2;
		n -= 2;
	}
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i].name) == n && strncasecmp(named[i].name, in, n) == 0)
			return meta | named[i].key;
	if (n >= 2 && (in[0] == 'F' || in[0] == 'f') && n <= 3) {
		int f = atoi(in + 1);
		if (f >= 1 && f <= 24)
			return meta | K_SPECIAL | KEY_F(f);
	}
	if (n == 3 && (in[0] == 'C' || in[0] == 'c') && in[1] == '-') {
		int c = (unsigned char)in[2];
		if (c >= 'a' && c <= 'z')
			return meta | (c - 'a' + 1);
		if (c >= 'A' && c <= 'Z')
			return meta | (c - 'A' + 1);
		if (c >= '@' && c <= '_')
			return meta | (c - '@');
		if (c == '?')
			return meta | K_SPECIAL | KEY_BACKSPACE;
		return -1;
	}
	if (meta) {
		/* <M-x>: one character */
		int k = keymap_parse_key(in, n);
		if (k >= 0 && !(k & K_META))
			return meta | k;
	}
	return -1;
}

void keymap_key_name(int key, char *out, size_t n)
{
	const char *m = (key & K_META) ? "M-" : "";
	int k = key & ~K_META;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == k && strcmp(named[i].name, "LT") != 0) {
			snprintf(out, n, "<%s%s>", m, named[i].name);
			return;
		}
	if (k & K_SPECIAL) {
		int c = k & ~K_SPECIAL;
		if (c >= KEY_F(1) && c <= KEY_F(24))
			snprintf(out, n, "<%sF%d>", m, c - KEY_F(0));
		else
			snprintf(out, n, "<%s0x%x>", m, c);
		return;
	}
	if (k < 32) {
		if (k >= 1 && k <= 26)
			snprintf(out, n, "<%sC-%c>", m, 'a' + k - 1);
		else
			snprintf(out, n, "<%sC-%c>", m, '@' + k);
		return;
	}
	char u[8] = { 0 };
	if (k == '<')
		strcpy(u, "LT");
	else
		utf8_put((uint32_t)k, u);
	if (*m || k == '<')
		snprintf(out, n, "<%s%s>", m, u);
	else
		snprintf(out, n, "%s", u);
}

static void bind_keys(enum action a, const char *keys)
{
	nbound[a] = 0;
	const char *p = keys;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		/* a key name ends at a space, except inside <...> */
		const char *e = p;
		if (strncmp(p, "<M->>", 5) == 0) {
			e = p + 5; /* the one name that contains its own closing '>' */
		} else if (*p == '<' && p[1]) {
			e = strchr(p + 2, '>');
			e = e ? e + 1 : p + strlen(p);
		} else {
			while (*e && *e != ' ')
				e++;
		}
		int k = keymap_parse_key(p, (size_t)(e - p));
		if (k >= 0 && nbound[a] < MAX_KEYS)
			bound[a][nbound[a]++] = k;
		p = e;
	}
}

void keymap_init(void)
{
	memset(nbound, 0, sizeof nbound);
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		bind_keys(defaults[i].action, defaults[i].keys);
}

enum scope action_scope(enum action a)
{
	return actions[a].scope;
}

enum action action_by_name(const char *name, size_t len)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (strlen(actions[a].name) == len && strncmp(actions[a].name, name, len) == 0)
			return (enum action)a;
	return ACT_NONE;
}

enum action keymap_lookup(const struct scope_chain *chain, int key)
{
	for (size_t i = 0; i < chain->n; i++)
		for (int a = 1; a < ACT_COUNT; a++) {
			if (actions[a].scope != chain->s[i])
				continue;
			for (size_t j = 0; j < nbound[a]; j++)
				if (bound[a][j] == key)
					return (enum action)a;
		}
	return ACT_NONE;
}

const char *keymap_label(enum action a)
{
	static char labels[ACT_COUNT][40];
	char *out = labels[a], name[32];
	if (!nbound[a]) {
		snprintf(out, sizeof labels[a], "(unbound)");
		return out;
	}
	keymap_key_name(bound[a][0], name, sizeof name);
	size_t n = strlen(name);
	if (n < 3 || name[0] != '<' || name[n - 1] != '>' || !strcmp(name, "<LT>")) {
		snprintf(out, sizeof labels[a], "%s", !strcmp(name, "<LT>") ? "<" : name);
		return out;
	}
	name[n - 1] = 0;
	const char *k = name + 1, *alt = "";
	if (!strncmp(k, "M-", 2) && k[2]) {
		alt = "Alt-";
		k += 2;
	}
	if (!strncmp(k, "C-", 2) && k[2] && !k[3])
		snprintf(out, sizeof labels[a], "%sCtrl-%c", alt,
			 k[2] >= 'a' && k[2] <= 'z' ? k[2] - 'a' + 'A' : k[2]);
	else
		snprintf(out, sizeof labels[a], "%s%s", alt, k);
	return out;
}

int keymap_is(enum action a, int key)
{
	for (size_t j = 0; j < nbound[a]; j++)
		if (bound[a][j] == key)
			return 1;
	return 0;
}

int keymap_check(struct buf *out)
{
	int problems = 0;
	for (int a = 1; a < ACT_COUNT; a++)
		if (nbound[a] == 0) {
			buf_printf(out, "action %s has no key\n", actions[a].name);
			problems++;
		}
	for (size_t c = 0; c < CHAIN_COUNT; c++) {
		const struct scope_chain *ch = &keymap_chains[c];
		for (int a = 1; a < ACT_COUNT; a++) {
			int in = 0;
			for (size_t i = 0; i < ch->n; i++)
				in |= actions[a].scope == ch->s[i];
			if (!in)
				continue;
			for (size_t j = 0; j < nbound[a]; j++)
				for (int b = a + 1; b < ACT_COUNT; b++) {
					int in2 = 0;
					for (size_t i = 0; i < ch->n; i++)
						in2 |= actions[b].scope == ch->s[i];
					if (!in2)
						continue;
					for (size_t k = 0; k < nbound[b]; k++)
						if (bound[b][k] == bound[a][j]) {
							char kn[32];
							keymap_key_name(bound[a][j], kn, sizeof kn);
							buf_printf(out, "%s: key %s means both %s and %s\n",
								   ch->name, kn, actions[a].name,
								   actions[b].name);
							problems++;
						}
				}
		}
	}
	return problems;
}

void keymap_help(struct buf *out)
{
	for (int s = 0; s < SCOPE_COUNT; s++) {
		buf_printf(out, "%s\n", scope_titles[s]);
		for (int a = 1; a < ACT_COUNT; a++) {
			if (actions[a].scope != (enum scope)s)
				continue;
			char keys[96] = "";
			size_t kl = 0;
			for (size_t j = 0; j < nbound[a]; j++) {
				char kn[32];
				keymap_key_name(bound[a][j], kn, sizeof kn);
				kl += (size_t)snprintf(keys + kl, sizeof keys - kl, "%s%s",
						       j ? " " : "", kn);
				if (kl >= sizeof keys)
					break;
			}
			buf_printf(out, "  %-22s %-18s %s\n", keys, actions[a].name, actions[a].help);
		}
		buf_puts(out, "\n");
	}
	(void)scope_names;
}

/* Bind the keys of one keys.yaml value ("<k1>, <k2>", quoted or bare) to
 * action a, replacing its keys. Returns the number of problems (in err). */
static int bind_value(enum action a, char *v, const char *path, int lineno, struct buf *err)
{
	int problems = 0;
	nbound[a] = 0;
	char *tok = v;
	while (*tok) {
		while (*tok == ' ' || *tok == ',')
			tok++;
		if (!*tok)
			break;
		char *e = tok;
		if (*tok == '"' || *tok == '\'') {
			char qc = *tok++;
			e = strchr(tok, qc);
			if (!e)
				e = tok + strlen(tok);
		} else if (strncmp(tok, "<M->>", 5) == 0) {
			e = tok + 5;
		} else if (*tok == '<' && tok[1]) {
			e = strchr(tok + 2, '>');
			e = e ? e + 1 : tok + strlen(tok);
		} else {
			while (*e && *e != ',' && *e != ' ')
				e++;
		}
		int k = keymap_parse_key(tok, (size_t)(e - tok));
		if (k < 0) {
			buf_printf(err, "%s:%d: unknown key '%.*s'\n", path, lineno,
				   (int)(e - tok), tok);
			problems++;
		} else if (nbound[a] < MAX_KEYS) {
			bound[a][nbound[a]++] = k;
		}
		tok = *e ? e + 1 : e;
	}
	return problems;
}

/* keys.yaml: a flat mapping, one "action: key" or "action: [k1, k2]" per
 * line, '#' comments. Small enough to read without a YAML library, and
 * strict: anything else is reported. */
int keymap_load_file(const char *path, struct buf *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t saved_n[ACT_COUNT];
	int saved[ACT_COUNT][MAX_KEYS];
	memcpy(saved_n, nbound, sizeof saved_n);
	for (int a = 0; a < ACT_COUNT; a++)
		memcpy(saved[a], bound[a], sizeof saved[a]);
	int problems = 0, lineno = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *p = line;
		char *hash = NULL;
		/* a '#' starts a comment unless it is inside <...> or quotes */
		for (char *q = p; *q; q++)
			if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t')) {
				hash = q;
				break;
			}
		if (hash)
			*hash = 0;
		size_t l = strlen(p);
		while (l && (p[l - 1] == '\n' || p[l - 1] == '\r' || p[l - 1] == ' ' ||
			     p[l - 1] == '\t'))
			p[--l] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || strcmp(p, "---") == 0)
			continue;
		char *colon = strchr(p, ':');
		if (!colon) {
			buf_printf(err, "%s:%d: expected 'action: <key>'\n", path, lineno);
			problems++;
			continue;
		}
		size_t nl = (size_t)(colon - p);
		while (nl && p[nl - 1] == ' ')
			nl--;
		enum action a = action_by_name(p, nl);
		if (a == ACT_NONE) {
			buf_printf(err, "%s:%d: unknown action '%.*s'\n", path, lineno, (int)nl, p);
			problems++;
			continue;
		}
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '[' && v[vl - 1] == ']') {
			v[vl - 1] = 0;
			v++;
		}
		problems += bind_value(a, v, path, lineno, err);
	}
	fclose(f);
	if (!problems)
		problems = keymap_check(err);
	if (problems) {
		memcpy(nbound, saved_n, sizeof saved_n);
		for (int a = 0; a < ACT_COUNT; a++)
			memcpy(bound[a], saved[a], sizeof saved[a]);
		return -1;
	}
	return 0;
}
