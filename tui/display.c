#include "tui/display.h"
#include "core/utf8.h"
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/view-eval.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"

#include <curses.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

static SCREEN *scr;
static FILE *scr_out, *scr_in;
static int virt;
static int active;
static int colors;

static void paste_mode(int on)
{
	if (virt)
		return;
	const char *s = on ? "\033[?2004h" : "\033[?2004l";
	if (write(STDOUT_FILENO, s, strlen(s)) < 0) {
		/* nothing to do: the terminal is gone */
	}
}

int display_init(int virtual_screen, int w, int h)
{
	virt = virtual_screen;
	if (virt) {
		scr_out = fopen("/dev/null", "we");
		scr_in = fopen("/dev/null", "re");
		if (!scr_out || !scr_in) {
			fprintf(stderr, "pwb: cannot open /dev/null\n");
			return -1;
		}
		/* a pinned terminal type, so dumps never depend on the caller's */
		scr = newterm("xterm-256color", scr_out, scr_in);
		if (!scr)
			scr = newterm("xterm", scr_out, scr_in);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "pwb: the workbench needs a terminal (see pwb --help for the headless commands)\n");
			return -1;
		}
		const char *term = getenv("TERM");
		scr = newterm(term && *term ? term : "xterm", stdout, stdin);
	}
	if (!scr) {
		fprintf(stderr, "pwb: cannot start the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	set_term(scr);
	active = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	meta(stdscr, TRUE);
	leaveok(stdscr, FALSE);
	if (has_colors() && !getenv("NO_COLOR")) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_GREEN, -1);
		init_pair(3, COLOR_CYAN, -1);
		colors = 1;
	}
	if (virt)
		resizeterm(h, w);
	paste_mode(1);
	(void)colors;
	return 0;
}

void display_done(void)
{
	if (!active)
		return;
	paste_mode(0);
	curs_set(1);
	endwin();
	active = 0;
	if (scr) {
		delscreen(scr);
		scr = NULL;
	}
	if (scr_out)
		fclose(scr_out);
	if (scr_in)
		fclose(scr_in);
	scr_out = scr_in = NULL;
}

void display_suspend(void)
{
	if (virt || !active)
		return;
	paste_mode(0);
	endwin();
}

void display_resume(void)
{
	if (virt || !active)
		return;
	reset_prog_mode();
	paste_mode(1);
	display_winch();
	clearok(curscr, TRUE);
}

void display_resize(int w, int h)
{
	if (w > 0 && h > 0)
		resizeterm(h, w);
}

void display_winch(void)
{
	if (virt)
		return;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

enum layout_kind display_layout(void)
{
	if (COLS < 80 || LINES < 24)
		return LAYOUT_SINGLE;
	if (COLS >= 120)
		return LAYOUT_WIDE;
	return LAYOUT_STACKED;
}

static void hline_title(int y, int x, int w, const char *title, int focused)
{
	attrset(focused ? A_BOLD | A_REVERSE : A_BOLD);
	move(y, x);
	int col = 0;
	cchar_t hl;
	/* the focused pane's title line is doubled: visible without colour and in dumps */
	setcchar(&hl, focused ? L"\u2550" : L"\u2500", 0, 0, NULL);
	if (w > 0) {
		add_wch(&hl);
		col++;
	}
	size_t n = strlen(title);
	int tw = textwrap_width(title, n);
	if (tw > w - 2)
		tw = w - 2;
	if (tw > 0) {
		attrset(focused ? A_BOLD | A_REVERSE : A_BOLD);
		text_draw(y, x + col, tw, title, n, 0);
		/* text_draw resets attributes; redraw with the title's */
		mvchgat(y, x + col, tw, focused ? A_BOLD | A_REVERSE : A_BOLD, 0, NULL);
		col += tw;
		move(y, x + col);
	}
	attrset(focused ? A_BOLD : A_NORMAL);
	for (; col < w; col++)
		add_wch(&hl);
	attrset(A_NORMAL);
}

static void pane_title(struct app *a, int id, char *out, size_t n)
{
	const char *name = a->panes[id].ops->name;
	switch (id) {
	case PANE_MESSAGES:
		snprintf(out, n, " %s (%zu) ", name, a->nturns);
		break;
	case PANE_RESPONSE:
		if (a->nanswers) {
			/* a failed run (last, until the next) is no answer: not counted */
			size_t count = a->nanswers - (a->answers[a->nanswers - 1]->error ? 1 : 0);
			if (a->shown < count)
				snprintf(out, n, " %s %zu/%zu ", name, a->shown + 1, count);
			else if (count)
				snprintf(out, n, " %s: error (%zu %s) ", name, count, count == 1 ? "answer" : "answers");
			else
				snprintf(out, n, " %s: error ", name);
		} else
			snprintf(out, n, " %s ", name);
		break;
	default:
		snprintf(out, n, " %s ", name);
	}
}

static void layout(struct app *a, struct rect *r)
{
	int H = LINES - 2, W = COLS;
	for (int i = 0; i < NPANES; i++)
		r[i] = (struct rect){ 0, 0, 0, 0 };
	enum layout_kind k = display_layout();
	if (a->zoom || k == LAYOUT_SINGLE || a->view_kind != VIEW_NONE) {
		r[a->focus] = (struct rect){ 0, 0, H, W };
		return;
	}
	if (k == LAYOUT_WIDE) {
		int lw = W * 11 / 20;
		int sh = H / 3;
		r[PANE_SYSTEM] = (struct rect){ 0, 0, sh, lw };
		r[PANE_MESSAGES] = (struct rect){ sh, 0, H - sh, lw };
		int ph = H * 2 / 5;
		r[PANE_PARAMS] = (struct rect){ 0, lw + 1, ph, W - lw - 1 };
		r[PANE_RESPONSE] = (struct rect){ ph, lw + 1, H - ph, W - lw - 1 };
		return;
	}
	int sh = H / 5, mh = H * 3 / 10, ph = H / 5;
	if (app_answer(a) || a->run.call) {
		/* an answer is what one reads now: at least half the rows; the
		 * system prompt keeps the rows its text uses (one, often) */
		int rest = H / 2;
		int sys_rows = a->system_ed ? (int)a->system_ed->nlines : 1;
		sh = sys_rows + 1 < 2 ? 2 : sys_rows + 1;
		if (sh > rest / 3)
			sh = rest / 3 < 2 ? 2 : rest / 3;
		ph = rest / 3 + 1 > 4 ? 4 : rest / 3 + 1;
		if (ph < 2)
			ph = 2;
		mh = rest - sh - ph;
	}
	r[PANE_SYSTEM] = (struct rect){ 0, 0, sh, W };
	r[PANE_MESSAGES] = (struct rect){ sh, 0, mh, W };
	r[PANE_PARAMS] = (struct rect){ sh + mh, 0, ph, W };
	r[PANE_RESPONSE] = (struct rect){ sh + mh + ph, 0, H - sh - mh - ph, W };
}

static void fmt_cost(char *out, size_t n, double usd)
{
	if (usd < 0.01)
		snprintf(out, n, "$%.4f", usd);
	else
		snprintf(out, n, "$%.2f", usd);
}

/* Counts as people read them: 39k, 1M (rounded down: never more than is left). */
static void fmt_count(char *out, size_t n, long v)
{
	if (v >= 1000000)
		snprintf(out, n, "%ldM", v / 1000000);
	else if (v >= 10000)
		snprintf(out, n, "%ldk", v / 1000);
	else
		snprintf(out, n, "%ld", v);
}

/* The state of the shown answer: the run's while it is the live one, else
 * how that answer ended. */
static void status_state(struct app *a, char *out, size_t n)
{
	struct answer *ans = app_answer(a);
	int live = a->run.call && (!ans || a->shown + 1 == a->nanswers);
	if (view_eval_status(a, out, n)) {
		/* an evaluation's progress */
	} else if (a->run.replay) {
		snprintf(out, n, "replaying");
	} else if (a->run.state == RS_ESTIMATING) {
		snprintf(out, n, "estimating");
	} else if (live && a->run.state == RS_SENDING) {
		snprintf(out, n, "sending");
	} else if (live && a->run.state == RS_STREAMING) {
		long long el = ans ? app_now(a) - ans->t_first : 0;
		if (ans && el > 0 && ans->t_first > 0)
			snprintf(out, n, "streaming %.0f tok/s", (ans->out_chars / 4.0) * 1000.0 / (double)el);
		else
			snprintf(out, n, "streaming");
	} else if (live && a->run.state == RS_RETRYING) {
		long long left = a->run.retry_due - app_now(a);
		snprintf(out, n, "retrying in %llds", ((left < 0 ? 0 : left) + 999) / 1000);
	} else if (!ans) {
		snprintf(out, n, "idle");
	} else if (ans->error) {
		snprintf(out, n, "error");
	} else if (ans->canceled) {
		snprintf(out, n, "canceled");
	} else if (ans->stop_reason && strcmp(ans->stop_reason, "end_turn") != 0) {
		snprintf(out, n, "done: %s", ans->stop_reason);
	} else {
		snprintf(out, n, "done");
	}
}

enum { STATUS_PARTS = 7, STATUS_PART_MAX = 160 };

/* The parts of the status line, most important first (issue 11's order):
 * state, the shown answer's cost, the session's cost and budget, model,
 * file, tokens, rate limit. Returns how many. */
static int status_parts(struct app *a, char part[STATUS_PARTS][STATUS_PART_MAX])
{
	int np = 0;
	char t[64], u[64];
	status_state(a, part[np++], STATUS_PART_MAX);
	struct answer *ans = app_answer(a);
	int used = ans && ans->done && ans->usage.input_tokens >= 0;
	if (used) {
		if (ans->cost_known)
			fmt_cost(t, sizeof t, ans->cost);
		snprintf(part[np++], STATUS_PART_MAX, "answer %s", ans->cost_known ? t : "$?");
	}
	fmt_cost(t, sizeof t, a->session_cost);
	int k = snprintf(part[np], STATUS_PART_MAX, "session %s%s", t, a->session_cost_unknown ? "+?" : "");
	if (a->budget >= 0) {
		fmt_cost(u, sizeof u, a->budget);
		snprintf(part[np] + k, STATUS_PART_MAX - (size_t)k, " of %s", u);
	}
	np++;
	snprintf(part[np++], STATUS_PART_MAX, "%s",
		 a->sess && a->sess->model ? a->sess->model : "(no model)");
	const char *name = a->sess && a->sess->name ? a->sess->name : NULL;
	const char *path = a->preset ? preset_path(a->preset) : NULL;
	if (!name && path) {
		const char *sl = strrchr(path, '/');
		name = sl ? sl + 1 : path;
	}
	snprintf(part[np++], STATUS_PART_MAX, "%s%s", name ? name : "(new)", a->modified ? " [+]" : "");
	if (used) {
		const struct usage *us = &ans->usage;
		k = snprintf(part[np], STATUS_PART_MAX, "in %ld out %ld", us->input_tokens,
			     us->output_tokens > 0 ? us->output_tokens : 0);
		if (us->cache_read_input_tokens > 0 || us->cache_creation_input_tokens > 0)
			snprintf(part[np] + k, STATUS_PART_MAX - (size_t)k, " cache %ld+%ld",
				 us->cache_creation_input_tokens > 0 ? us->cache_creation_input_tokens : 0,
				 us->cache_read_input_tokens > 0 ? us->cache_read_input_tokens : 0);
		np++;
	}
	if (a->run.rl_requests >= 0 || a->run.rl_tokens >= 0) {
		struct buf b;
		buf_init(&b, 0);
		if (a->run.rl_requests >= 0) {
			fmt_count(t, sizeof t, a->run.rl_requests);
			buf_printf(&b, "requests %s", t);
			if (a->run.rl_requests_limit > 0) {
				fmt_count(u, sizeof u, a->run.rl_requests_limit);
				buf_printf(&b, "/%s", u);
			}
		}
		if (a->run.rl_tokens >= 0) {
			fmt_count(t, sizeof t, a->run.rl_tokens);
			buf_printf(&b, "%stokens %s", b.len ? ", " : "", t);
			if (a->run.rl_tokens_limit > 0) {
				fmt_count(u, sizeof u, a->run.rl_tokens_limit);
				buf_printf(&b, "/%s", u);
			}
		}
		if (a->run.rl_reset_due > 0) {
			long long left = a->run.rl_reset_due - app_now(a);
			if (left > 0)
				buf_printf(&b, ", resets %llds", (left + 999) / 1000);
		}
		snprintf(part[np++], STATUS_PART_MAX, "%s", buf_str(&b));
		buf_done(&b);
	}
	return np;
}

/* As many parts as fit, whole, in their order: the least important go
 * first, and no word is cut (one part alone too wide is cut at a space). */
static void status_line(struct app *a)
{
	char part[STATUS_PARTS][STATUS_PART_MAX];
	int np = status_parts(a, part);
	char s[STATUS_PARTS * (STATUS_PART_MAX + 8)];
	size_t k = 0;
	int width = 0;
	static const char sep[] = " \u2502 ";
	for (int i = 0; i < np; i++) {
		size_t pl = strlen(part[i]);
		int pw = textwrap_width(part[i], pl);
		int need = pw + (i ? 3 : 1);
		if (width + need > COLS) {
			if (i == 0) {
				/* the state alone is too wide: its words that fit */
				size_t cut = 0;
				for (size_t j = 0; j < pl; j++)
					if (part[0][j] == ' ' && 1 + textwrap_width(part[0], j) <= COLS)
						cut = j;
				pl = cut;
				s[k++] = ' ';
				memcpy(s + k, part[0], pl);
				k += pl;
			}
			break;
		}
		if (i) {
			memcpy(s + k, sep, sizeof sep - 1);
			k += sizeof sep - 1;
		} else {
			s[k++] = ' ';
		}
		memcpy(s + k, part[i], pl);
		k += pl;
		width += need;
	}
	text_draw(LINES - 2, 0, COLS, s, k, 0);
	mvchgat(LINES - 2, 0, COLS, A_REVERSE, 0, NULL);
}

/* A question wider than the line: its answer keys (from keys_off, else
 * the last "(...)") stay visible; the question is cut before them with an
 * ellipsis. */
static void draw_question_keys_kept(int y, int w, const char *q, size_t keys_off)
{
	size_t n = strlen(q);
	while (n && q[n - 1] == ' ')
		n--;
	const char *keys = keys_off && keys_off < n ? q + keys_off : NULL;
	for (size_t i = n; !keys && i-- > 0;)
		if (q[i] == '(') {
			keys = q + i;
			break;
		}
	int kw = keys ? textwrap_width(keys, (size_t)(q + n - keys)) : 0;
	if (!keys || kw + 3 > w) {
		text_draw(y, 0, w, q, strlen(q), LA_BOLD);
		return;
	}
	int head = w - kw - 3;
	text_draw(y, 0, head, q, (size_t)(keys - q), LA_BOLD);
	text_draw(y, head, 2, "\u2026 ", strlen("\u2026 "), LA_BOLD);
	text_draw(y, head + 2, kw + 1, keys, (size_t)(q + n - keys), LA_BOLD);
}

static void message_line(struct app *a, int *cy, int *cx)
{
	int y = LINES - 1;
	if (a->prompt.kind != PR_NONE) {
		const char *q = a->prompt.text ? a->prompt.text : "";
		int qw = textwrap_width(q, strlen(q));
		/* a line prompt keeps room to type; a question may use the line */
		int room = a->prompt.kind == PR_LINE ? 10 : 1;
		if (qw > COLS - room)
			qw = COLS - room;
		if (a->prompt.kind != PR_LINE && textwrap_width(q, strlen(q)) > qw)
			draw_question_keys_kept(y, qw, q, a->prompt.keys_off);
		else
			text_draw(y, 0, qw, q, strlen(q), LA_BOLD);
		if (a->prompt.kind == PR_LINE && a->prompt.ed) {
			int fy = -1, fx = -1;
			editor_draw(a->prompt.ed, y, qw, 1, COLS - qw, 1, 0, &fy, &fx);
			*cy = fy, *cx = fx;
		} else {
			text_draw(y, qw, COLS - qw, "", 0, 0);
			*cy = y;
			*cx = qw < COLS ? qw : COLS - 1;
		}
		return;
	}
	const char *m = a->msg ? a->msg : "";
	text_draw(y, 0, COLS, m, strlen(m), a->msg_error ? LA_ERROR : 0);
}

void display_render(struct app *a)
{
	struct rect r[NPANES];
	layout(a, r);
	int cy = -1, cx = -1;
	erase();
	enum layout_kind k = display_layout();
	for (int i = 0; i < NPANES; i++) {
		if (r[i].h <= 0 || r[i].w <= 0)
			continue;
		struct pane *p = &a->panes[i];
		int focused = i == a->focus;
		char title[160];
		if (a->view_kind != VIEW_NONE) {
			p = &a->view;
			snprintf(title, sizeof title, " %s ", p->title ? p->title : p->ops->name);
		} else {
			pane_title(a, i, title, sizeof title);
		}
		if ((k == LAYOUT_SINGLE || a->zoom) && a->view_kind == VIEW_NONE) {
			size_t tl = strlen(title);
			snprintf(title + tl, sizeof title - tl, "[%d/4%s] ", i + 1,
				 a->zoom ? " zoomed" : "");
		}
		hline_title(r[i].y, r[i].x, r[i].w, title, focused);
		p->r = (struct rect){ r[i].y + 1, r[i].x, r[i].h - 1, r[i].w };
		if (p->r.h > 0)
			p->ops->draw(a, p, p->r, focused);
		if (focused) {
			int y, x;
			getyx(stdscr, y, x);
			cy = y, cx = x;
		}
	}
	if (k == LAYOUT_WIDE && !a->zoom && a->view_kind == VIEW_NONE) {
		int x = r[PANE_SYSTEM].w;
		for (int y = 0; y < LINES - 2; y++)
			mvadd_wch(y, x, WACS_VLINE);
	}
	/* the focused pane leaves the cursor where it wants it, or hides it */
	int want_cursor = a->view_kind == VIEW_NONE && a->panes[a->focus].ops->editor &&
			  a->panes[a->focus].ops->editor(a, &a->panes[a->focus]) != NULL;
	status_line(a);
	int my = -1, mx = -1;
	message_line(a, &my, &mx);
	if (a->prompt.kind != PR_NONE) {
		cy = my, cx = mx;
		want_cursor = 1;
	}
	if (want_cursor && cy >= 0) {
		curs_set(1);
		move(cy, cx);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

void display_dump(FILE *out)
{
	int cy, cx;
	getyx(stdscr, cy, cx);
	fprintf(out, "screen %dx%d cursor %d,%d\n", COLS, LINES, cy, cx);
	for (int y = 0; y < LINES; y++) {
		char line[4096];
		size_t k = 0;
		for (int x = 0; x < COLS && k + 8 < sizeof line;) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			int w = 1;
			if (mvwin_wch(stdscr, y, x, &cc) == OK &&
			    getcchar(&cc, wc, &at, &pair, NULL) != ERR && wc[0]) {
				for (int j = 0; wc[j] && j < CCHARW_MAX; j++) {
					char u[8];
					size_t n = utf8_put((uint32_t)wc[j], u);
					memcpy(line + k, u, n);
					k += n;
				}
				w = wcwidth(wc[0]);
				if (w < 1)
					w = 1;
			} else {
				line[k++] = ' ';
			}
			x += w;
		}
		while (k && line[k - 1] == ' ')
			k--;
		line[k] = 0;
		fprintf(out, "%s\n", line);
	}
	move(cy, cx);
}

void display_osc52(const char *text, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = (n + 2) / 3 * 4 + 32;
	char *o = xmalloc(cap);
	size_t k = 0;
	k += (size_t)snprintf(o, cap, "\033]52;c;");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)text[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)text[i + 2];
		o[k++] = b64[(v >> 18) & 63];
		o[k++] = b64[(v >> 12) & 63];
		o[k++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		o[k++] = i + 2 < n ? b64[v & 63] : '=';
	}
	o[k++] = '\a';
	if (!virt) {
		/* tmux passes OSC 52 on with set-clipboard on; nothing else needed */
		size_t off = 0;
		while (off < k) {
			ssize_t w = write(STDOUT_FILENO, o + off, k - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	free(o);
}
