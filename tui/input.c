#include "tui/input.h"
#include "core/utf8.h"
#include "tui/app.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "tui/frame.h"
#include "tui/keymap.h"
#include "core/buf.h"
#include "core/loop.h"
#include "core/util.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ST_NORMAL, ST_ESC, ST_CSI, ST_PASTE, ST_PASTE_END };

static int st;
static char csi[16];
static size_t ncsi;
static struct buf paste;
static size_t end_match; /* chars of "\033[201~" matched inside a paste */
static int k_cleft = -1, k_cright = -1;

static const char paste_end[] = "\033[201~";

void input_done(void)
{
	buf_done(&paste);
}

static int paste_cr; /* the last pasted character was a CR */

static void paste_add_cp(uint32_t cp)
{
	char u[4];
	/* CR LF and CR are one newline, as terminals send Enter */
	if (cp == '\n' && paste_cr) {
		paste_cr = 0;
		return;
	}
	paste_cr = cp == '\r';
	if (cp == '\r')
		cp = '\n';
	size_t n = utf8_put(cp, u);
	buf_append(&paste, u, n);
}

static void deliver(struct app *a, int key)
{
	app_key(a, key);
}

static void csi_final(struct app *a, int fin)
{
	csi[ncsi] = 0;
	if (fin == '~' && strcmp(csi, "200") == 0) {
		st = ST_PASTE;
		paste_cr = 0;
		buf_clear(&paste);
		end_match = 0;
		return;
	}
	st = ST_NORMAL;
	int k = -1;
	/* sequences curses did not decode (raw script bytes, unknown terminals) */
	switch (fin) {
	case 'A': k = K_SPECIAL | KEY_UP; break;
	case 'B': k = K_SPECIAL | KEY_DOWN; break;
	case 'C': k = K_SPECIAL | KEY_RIGHT; break;
	case 'D': k = K_SPECIAL | KEY_LEFT; break;
	case 'H': k = K_SPECIAL | KEY_HOME; break;
	case 'F': k = K_SPECIAL | KEY_END; break;
	case 'Z': k = K_SPECIAL | KEY_BTAB; break;
	case '~':
		switch (atoi(csi)) {
		case 2: k = K_SPECIAL | KEY_IC; break;
		case 3: k = K_SPECIAL | KEY_DC; break;
		case 5: k = K_SPECIAL | KEY_PPAGE; break;
		case 6: k = K_SPECIAL | KEY_NPAGE; break;
		case 1: case 7: k = K_SPECIAL | KEY_HOME; break;
		case 4: case 8: k = K_SPECIAL | KEY_END; break;
		}
		break;
	}
	if (k >= 0 && strchr(csi, ';') && (fin == 'C' || fin == 'D') && strstr(csi, ";5"))
		k = fin == 'C' ? K_CRIGHT : K_CLEFT;
	if (k >= 0)
		deliver(a, k);
}

/* One decoded unit: a code point or K_SPECIAL|curses key. */
static void feed(struct app *a, int k)
{
	switch (st) {
	case ST_NORMAL:
		if (k == K_ESC)
			st = ST_ESC;
		else
			deliver(a, k);
		return;
	case ST_ESC:
		if (k == '[') {
			st = ST_CSI;
			ncsi = 0;
			return;
		}
		st = ST_NORMAL;
		if (k == K_ESC) {
			deliver(a, K_ESC);
			st = ST_ESC;
			return;
		}
		if ((k < 32 && k != 127) || (k & K_SPECIAL)) {
			/* Esc then Ctrl-R typed quickly: two keys (no Alt+Ctrl bindings) */
			deliver(a, K_ESC);
			deliver(a, k);
			return;
		}
		if (k == 127)
			k = K_SPECIAL | KEY_BACKSPACE;
		deliver(a, K_META | k);
		return;
	case ST_CSI:
		if (k >= 0x40 && k <= 0x7e) {
			csi_final(a, k);
			return;
		}
		if (k >= 0x20 && k < 0x40 && ncsi + 1 < sizeof csi) {
			csi[ncsi++] = (char)k;
			return;
		}
		st = ST_NORMAL; /* garbage: drop the sequence */
		return;
	case ST_PASTE:
	case ST_PASTE_END:
		if (k & K_SPECIAL) {
			/* curses decoded a key sequence inside the paste: keep no command */
			return;
		}
		if ((char)k == paste_end[end_match] && k < 128) {
			end_match++;
			if (paste_end[end_match] == 0) {
				st = ST_NORMAL;
				end_match = 0;
				app_paste(a, buf_str(&paste), paste.len);
				buf_clear(&paste);
			}
			return;
		}
		for (size_t i = 0; i < end_match; i++)
			paste_add_cp((unsigned char)paste_end[i]);
		end_match = 0;
		if (k == K_ESC) {
			end_match = 1;
			return;
		}
		paste_add_cp((uint32_t)k);
		return;
	}
}

void input_flush(struct app *a)
{
	if (st == ST_ESC) {
		st = ST_NORMAL;
		deliver(a, K_ESC);
	} else if (st == ST_CSI) {
		st = ST_NORMAL;
		deliver(a, K_META | '[');
		for (size_t i = 0; i < ncsi; i++)
			deliver(a, (unsigned char)csi[i]);
	}
}

static int map_curses_key(int code)
{
	if (k_cleft < 0) {
		k_cleft = key_defined("\033[1;5D");
		k_cright = key_defined("\033[1;5C");
		if (k_cleft <= 0)
			k_cleft = 0;
		if (k_cright <= 0)
			k_cright = 0;
	}
	if (code == KEY_ENTER)
		return K_ENTER;
	if (k_cleft && code == k_cleft)
		return K_CLEFT;
	if (k_cright && code == k_cright)
		return K_CRIGHT;
	return K_SPECIAL | code;
}

void input_read_tty(struct app *a)
{
	wint_t wc;
	int r;
	while ((r = get_wch(&wc)) != ERR) {
		int k;
		if (r == KEY_CODE_YES) {
			if (wc == KEY_RESIZE)
				continue; /* SIGWINCH goes through the signal pipe */
			k = map_curses_key((int)wc);
		} else {
			k = (int)wc;
			if (k == 127 && st != ST_PASTE && st != ST_PASTE_END && st != ST_ESC)
				k = K_SPECIAL | KEY_BACKSPACE;
		}
		feed(a, k);
		if (a->quit)
			return;
	}
	/* curses already waited ESCDELAY after a lone ESC */
	if (st == ST_ESC)
		input_flush(a);
}

void input_feed_bytes(struct app *a, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_next(s + i, n - i, &cp);
		int k = (int)cp;
		if (k == 127 && st == ST_NORMAL)
			k = K_SPECIAL | KEY_BACKSPACE;
		feed(a, k);
	}
	if (st == ST_ESC)
		input_flush(a);
}

/* --- script mode --------------------------------------------------------- */

static long long real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *out_dir(void)
{
	const char *d = getenv("PWB_SCRIPT_OUT");
	return d && *d ? d : ".";
}

static FILE *open_out(const char *name)
{
	char *p = xasprintf("%s/%s", out_dir(), name);
	FILE *f = fopen(p, "we");
	if (!f)
		fprintf(stderr, "pwb: script: cannot write %s: %s\n", p, strerror(errno));
	free(p);
	return f;
}

static int screen_has(const char *text)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	if (!f)
		return 0;
	display_dump(f);
	fclose(f);
	int found = mem && strstr(mem, text) != NULL;
	free(mem);
	return found;
}

static const char *state_name(const struct app *a)
{
	switch (a->run.state) {
	case RS_IDLE: return a->run.replay ? "replaying" : a->run.last_failed ? "error" : "idle";
	case RS_ESTIMATING: return "estimating";
	case RS_SENDING: return "sending";
	case RS_STREAMING: return "streaming";
	case RS_RETRYING: return "retrying";
	}
	return "?";
}

/* C-style escapes: \e \n \r \t \\ \xNN. */
static size_t unescape(const char *s, char *out)
{
	size_t k = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[k++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'e': out[k++] = 27; break;
		case 'n': out[k++] = '\n'; break;
		case 'r': out[k++] = '\r'; break;
		case 't': out[k++] = '\t'; break;
		case 'x': {
			char h[3] = { s[1], s[1] ? s[2] : 0, 0 };
			out[k++] = (char)strtol(h, NULL, 16);
			s += h[1] ? 2 : 1;
			break;
		}
		default: out[k++] = *s;
		}
	}
	return k;
}

static void type_line(struct app *a, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (s[i] == '<') {
			const char *e = strchr(s + i + 1, '>');
			/* "<M->>" and "<M-<>" end one further */
			if (e && e == s + i + 3 && s[i + 1] == 'M' && s[i + 2] == '-' && e[1] == '>')
				e++;
			if (e) {
				int k = keymap_parse_key(s + i, (size_t)(e - (s + i)) + 1);
				if (k >= 0) {
					app_key(a, k);
					i = (size_t)(e - s) + 1;
					continue;
				}
			}
		}
		uint32_t cp;
		i += utf8_next(s + i, n - i, &cp);
		app_key(a, (int)cp);
	}
}

static int wait_for(struct app *a, const char *what, const char *arg)
{
	long long deadline = real_ms() + 20000;
	for (;;) {
		int done = 0;
		if (strcmp(what, "idle") == 0)
			done = !app_busy(a);
		else if (strcmp(what, "state") == 0)
			done = strcmp(state_name(a), arg) == 0;
		else if (strcmp(what, "text") == 0) {
			app_validate(a);
			display_render(a);
			done = screen_has(arg);
		}
		if (done)
			return 0;
		if (real_ms() > deadline) {
			fprintf(stderr, "pwb: script: @wait-%s %s timed out (state %s)\n", what,
				arg ? arg : "", state_name(a));
			return -1;
		}
		frame_step(a, FRAME_SCRIPT_POLL_MS);
	}
}

/* One @directive of a script (arg may be NULL). Returns 0, or -1. */
static int directive(struct app *a, const char *path, int lineno, const char *d, const char *arg)
{
	int rc = 0;
	if (strcmp(d, "wait-idle") == 0) {
		rc = wait_for(a, "idle", NULL);
	} else if (strcmp(d, "wait-state") == 0 && arg) {
		rc = wait_for(a, "state", arg);
	} else if (strcmp(d, "wait-text") == 0 && arg) {
		rc = wait_for(a, "text", arg);
	} else if (strcmp(d, "dump-screen") == 0 && arg) {
		/* what the loop shows once typing pauses */
		app_validate(a);
		display_render(a);
		FILE *o = open_out(arg);
		if (!o) {
			rc = -1;
		} else {
			display_dump(o);
			fclose(o);
		}
	} else if (strcmp(d, "dump-state") == 0 && arg) {
		app_sync(a);
		FILE *o = open_out(arg);
		if (!o) {
			rc = -1;
		} else {
			app_dump_state(a, o);
			fclose(o);
		}
	} else if (strcmp(d, "dump-keys") == 0 && arg) {
		FILE *o = open_out(arg);
		if (!o) {
			rc = -1;
		} else {
			struct buf b;
			buf_init(&b, 0);
			int n = keymap_check(&b);
			fprintf(o, "key table check: %d problem%s\n%s\n", n, n == 1 ? "" : "s",
				buf_str(&b));
			buf_clear(&b);
			keymap_help(&b);
			fputs(buf_str(&b), o);
			buf_done(&b);
			fclose(o);
		}
	} else if (strcmp(d, "resize") == 0 && arg) {
		int w, h;
		if (sscanf(arg, "%dx%d", &w, &h) == 2) {
			display_resize(w, h);
			app_dirty(a);
		} else {
			rc = -1;
		}
	} else if (strcmp(d, "raw") == 0 && arg) {
		char *b = xmalloc(strlen(arg) + 1);
		size_t n = unescape(arg, b);
		input_feed_bytes(a, b, n);
		free(b);
	} else if (strcmp(d, "paste") == 0 && arg) {
		char *b = xmalloc(strlen(arg) + 16);
		memcpy(b, "\033[200~", 6);
		size_t n = 6 + unescape(arg, b + 6);
		memcpy(b + n, "\033[201~", 6);
		input_feed_bytes(a, b, n + 6);
		free(b);
	} else if (strcmp(d, "render") == 0) {
		/* one frame, as the loop draws it after a key (for timing) */
		display_render(a);
	} else if (strcmp(d, "pass") == 0) {
		/* one loop pass, as the terminal loop makes it; with MS it
		 * may wait that long for I/O (it returns as soon as
		 * something arrives) */
		long ms = arg ? atol(arg) : 0;
		frame_step(a, ms < 0 ? 0 : ms > FRAME_IDLE_POLL_MS ? FRAME_IDLE_POLL_MS : ms);
	} else {
		fprintf(stderr, "pwb: %s:%d: unknown directive @%s\n", path, lineno, d);
		rc = -1;
	}
	return rc;
}

int input_run_script(struct app *a, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "pwb: cannot read script %s: %s\n", path, strerror(errno));
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0, lineno = 0;
	while (!a->quit && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '\\') {
			type_line(a, line + 1);
			continue;
		}
		if (line[0] != '@') {
			type_line(a, line);
			continue;
		}
		char *arg = strchr(line, ' ');
		if (arg)
			*arg++ = 0;
		const char *d = line + 1;
		rc = directive(a, path, lineno, d, arg);
		if (rc) {
			fprintf(stderr, "pwb: %s:%d: directive failed\n", path, lineno);
			break;
		}
	}
	free(line);
	fclose(f);
	return rc ? 1 : 0;
}
