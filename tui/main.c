/* pwb [--budget USD] [--script FILE] [FILE]: the workbench. Sets up the
 * loop (keyboard and signal pipe as extra fds of the one curl_multi_poll),
 * the display and the panes, offers to restore unsaved work, then runs the
 * loop (or a test script) and restores the terminal. */
#include "tui/tui.h"
#include "tui/app.h"
#include "tui/autosave.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "tui/frame.h"
#include "tui/input.h"
#include "tui/keymap.h"
#include "tui/helper.h"
#include "tui/assist.h"
#include "tui/run.h"
#include "tui/views.h"
#include "tui/view-eval.h"
#include "tui/view-history.h"
#include "tui/signals.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct pane_ops *const pane_ops[NPANES] = {
	[PANE_SYSTEM] = &pane_system_ops,
	[PANE_MESSAGES] = &pane_messages_ops,
	[PANE_PARAMS] = &pane_params_ops,
	[PANE_RESPONSE] = &pane_response_ops,
};

static int sigfd = -1;

static void on_stdin(void *ud, int fd)
{
	(void)fd;
	struct app *a = ud;
	if (!a->suspended)
		input_read_tty(a);
}

void app_stdin_watch(struct app *a, int on)
{
	if (a->script_mode)
		return;
	if (on)
		loop_add_fd(a->loop, STDIN_FILENO, on_stdin, a);
	else
		loop_remove_fd(a->loop, STDIN_FILENO);
}

static void on_signal(void *ud, int fd)
{
	(void)fd;
	struct app *a = ud;
	int bits = signals_read();
	if (bits & SIGB_CHLD)
		app_child_exited(a);
	if (bits & (SIGB_TERM | SIGB_HUP)) {
		/* save the work, then leave through the normal path */
		autosave_write(a);
		a->killed = 1;
		a->quit = 1;
		a->exit_code = 128 + ((bits & SIGB_TERM) ? SIGTERM : SIGHUP);
		return;
	}
	if (bits & SIGB_INT) {
		if (a->run.call || a->run.aux)
			run_cancel(a);
		if (a->run.replay)
			views_replay_cancel(a);
	}
	if (bits & SIGB_TSTP)
		app_suspend(a);
	if (bits & SIGB_CONT) {
		if (!a->suspended) {
			display_resume();
		}
	}
	if (bits & SIGB_WINCH)
		display_winch();
	app_dirty(a);
}

static void usage(void)
{
	fprintf(stderr, "usage: pwb [--budget USD] [--script FILE] [FILE]\n");
}

static void utf8_locale(void)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8") != 0) {
		/* wide characters need a UTF-8 locale; C.UTF-8 is always there on Debian */
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "en_US.UTF-8");
	}
}

/* The defaults, then keys.yaml. Returns -1 when keys.yaml was refused,
 * with the first reason in err. */
static int load_keymap(struct buf *err)
{
	keymap_init();
	const char *xc = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path = NULL;
	if (xc && *xc)
		path = xasprintf("%s/pwb/keys.yaml", xc);
	else if (home && *home)
		path = xasprintf("%s/.config/pwb/keys.yaml", home);
	if (!path)
		return 0;
	int rc = keymap_load_file(path, err);
	free(path);
	if (rc != 0 && err->data) {
		char *nl = strchr(err->data, '\n');
		if (nl)
			*nl = 0;
	}
	return rc;
}

static void app_free(struct app *a)
{
	helper_free(a);
	assist_free(a);
	view_eval_free(a);
	view_history_free(a);
	run_done(a);
	views_replay_free(a);
	app_close_view(a);
	for (int i = 0; i < NPANES; i++) {
		if (a->panes[i].ops && a->panes[i].ops->free)
			a->panes[i].ops->free(a, &a->panes[i]);
		free(a->panes[i].priv);
	}
	while (a->nturns)
		app_turn_remove(a, a->nturns - 1);
	app_turn_undo_clear(a);
	free(a->turns);
	textbuf_free(a->system_ed);
	textbuf_free(a->prompt.ed);
	preset_free(a->preset);
	diag_list_done(&a->diags);
	for (size_t i = 0; i < a->nvarnames; i++)
		free(a->varnames[i]);
	free(a->varnames);
	free(a->msg);
	free(a->prompt.text);
	free(a->prompt.pending_path);
	free(a->budget_text);
	free(a->key);
	free(a->default_path);
	free(a->ext.path);
	api_config_done(&a->cfg);
	if (a->loop)
		loop_free(a->loop);
	textbuf_killring_done();
	input_done();
}

struct args {
	const char *file, *script, *budget;
};

/* Returns 0, or 2 with the reason on stderr. */
static int parse_args(int argc, char **argv, struct args *o)
{
	o->file = NULL;
	o->script = getenv("PWB_SCRIPT");
	o->budget = NULL;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--budget") == 0 && i + 1 < argc)
			o->budget = argv[++i];
		else if (strncmp(s, "--budget=", 9) == 0)
			o->budget = s + 9;
		else if (strcmp(s, "--script") == 0 && i + 1 < argc)
			o->script = argv[++i];
		else if (strncmp(s, "--script=", 9) == 0)
			o->script = s + 9;
		else if (strcmp(s, "--") == 0 && i + 1 < argc)
			o->file = argv[++i];
		else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "pwb: unknown option '%s'\n", s);
			usage();
			return 2;
		} else if (!o->file)
			o->file = s;
		else {
			usage();
			return 2;
		}
	}
	if (o->script && !*o->script)
		o->script = NULL;
	return 0;
}

/* The configuration, before the screen: a file that cannot be read is
 * reported on a normal terminal. A FILE that is not there yet is where a
 * save goes. Returns the preset, or NULL after printing why. */
static struct preset *load_preset(struct app *a, const char *file)
{
	if (!file)
		return app_new_preset();
	struct stat st;
	if (stat(file, &st) != 0 && errno == ENOENT) {
		a->default_path = xstrdup(file);
		return app_new_preset();
	}
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_file(file, &d);
	if (!p) {
		diag_print_all(stderr, &d);
		fprintf(stderr, "pwb: cannot open %s\n", file);
	}
	diag_list_done(&d);
	return p;
}

/* The message line at start: the main keys as bound, then what is wrong
 * (no key, a refused keys.yaml, the file's first error). */
static void start_messages(struct app *a, const char *file, const char *keys_error)
{
	app_message(a, 0, "%s help \u00b7 %s run \u00b7 %s next pane \u00b7 %s save \u00b7 %s quit",
		    keymap_label(ACT_HELP), keymap_label(ACT_RUN), keymap_label(ACT_NEXT_PANE),
		    keymap_label(ACT_SAVE), keymap_label(ACT_QUIT));
	if (!a->have_key)
		app_message(a, 1, "%s", KEYS_MISSING_MESSAGE);
	if (keys_error)
		app_message(a, 1, "keys.yaml ignored: %s", keys_error);
	if (!file || a->default_path)
		return;
	struct diag_list d;
	diag_list_init(&d);
	preset_validate(a->preset, &d);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == DIAG_ERROR) {
			app_message(a, 1, "%s: %s", d.v[i].path ? d.v[i].path : file, d.v[i].message);
			break;
		}
	diag_list_done(&d);
}

static void find_key(struct app *a)
{
	struct diag_list kd;
	diag_list_init(&kd);
	a->key_source = keys_find(".env", &a->key, &kd);
	if (a->key_source != KEY_NONE && a->key) {
		a->have_key = 1;
		str_set(&a->cfg.api_key, a->key);
	}
	diag_list_done(&kd);
}

/* The question about an autosave a pwb that died left: whose work (the
 * file's name), when it was written, and three answers; keeping it is what
 * closing the question does. */
static void offer_restore(struct app *a, const char *orphan)
{
	char *file = autosave_orphan_file(orphan);
	const char *base = file && *file ? strrchr(file, '/') : NULL;
	base = base ? base + 1 : (file && *file ? file : "a new session");
	char when[32] = "";
	struct stat st;
	if (stat(orphan, &st) == 0) {
		time_t now = time(NULL);
		struct tm t, n;
		localtime_r(&st.st_mtime, &t);
		localtime_r(&now, &n);
		int today = t.tm_year == n.tm_year && t.tm_yday == n.tm_yday;
		char mon[8];
		strftime(mon, sizeof mon, "%b", &t);
		if (today)
			strftime(when, sizeof when, "%H:%M", &t);
		else
			snprintf(when, sizeof when, "%s %d %02d:%02d", mon, t.tm_mday, t.tm_hour, t.tm_min);
	}
	/* the time first: on a narrow line the question is cut at its end */
	app_prompt_choice(a, PF_RESTORE, "rdk", "(r)estore (d)iscard (k)eep",
			  "Unsaved work%s%s, %s:", *when ? ", " : "", when, base);
	free(file);
}

/* Stop what runs, restore the terminal, keep or remove the autosave. */
static void shut_down(struct app *a)
{
	loop_remove_fd(a->loop, sigfd);
	if (a->ext.pid > 0) {
		kill(a->ext.pid, SIGTERM);
		a->ext.pid = 0;
	}
	run_cancel(a);
	run_pass(a);
	display_done();
	signals_done();
	if (a->killed)
		autosave_release(a);
	else
		autosave_remove(a);
}

int tui_main(int argc, char **argv)
{
	struct args o;
	if (parse_args(argc, argv, &o) != 0)
		return 2;
	struct app app;
	struct app *a = &app;
	memset(a, 0, sizeof *a);
	a->budget = -1;
	a->run.rl_requests = a->run.rl_tokens = -1;
	a->run.rl_requests_limit = a->run.rl_tokens_limit = -1;
	a->autosave.lock_fd = -1;
	a->script_mode = o.script != NULL;
	diag_list_init(&a->diags);
	if (o.budget) {
		char *end;
		double v = strtod(o.budget, &end);
		if (end == o.budget || *end || v < 0) {
			fprintf(stderr, "pwb: --budget wants an amount in USD, e.g. 0.50\n");
			return 2;
		}
		a->budget = v;
		a->budget_text = xstrdup(o.budget);
	}
	utf8_locale();
	struct preset *p = load_preset(a, o.file);
	if (!p) {
		free(a->budget_text);
		diag_list_done(&a->diags);
		return 2;
	}

	a->loop = loop_new();
	api_config_init(&a->cfg);
	find_key(a);
	sigfd = signals_init(!a->script_mode);
	if (display_init(a->script_mode, 80, 24) != 0) {
		preset_free(p);
		signals_done();
		app_free(a);
		return 2;
	}
	for (int i = 0; i < NPANES; i++) {
		a->panes[i].ops = pane_ops[i];
		a->panes[i].priv = xcalloc(1, pane_ops[i]->private_size ? pane_ops[i]->private_size : 1);
	}
	a->focus = PANE_MESSAGES;
	/* the hints name the keys in force: read keys.yaml first */
	struct buf kerr;
	buf_init(&kerr, 0);
	int keys_refused = load_keymap(&kerr) != 0;
	app_set_preset(a, p);
	start_messages(a, o.file, keys_refused ? buf_str(&kerr) : NULL);
	buf_done(&kerr);
	run_log_open(a);
	run_load_recorded(a);
	if (autosave_init(a) == 0) {
		char *orphan = autosave_find_orphan(a, o.file);
		if (orphan) {
			a->prompt.pending_path = orphan;
			offer_restore(a, orphan);
		}
	}
	if (o.file && !a->default_path)
		app_recent_add(o.file);
	run_fetch_models(a);

	int rc = 0;
	loop_add_fd(a->loop, sigfd, on_signal, a);
	if (a->script_mode) {
		rc = input_run_script(a, o.script);
	} else {
		loop_add_fd(a->loop, STDIN_FILENO, on_stdin, a);
		a->dirty = 1;
		while (!a->quit)
			frame_step(a, FRAME_IDLE_POLL_MS);
		loop_remove_fd(a->loop, STDIN_FILENO);
	}
	shut_down(a);
	if (!rc)
		rc = a->exit_code;
	app_free(a);
	return rc;
}
