/* Shared plumbing of the headless commands (cli/common.h). */
#include "cli/common.h"
#include "cli/cmd.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/redact.h"
#include "core/sigpipe.h"
#include "core/termout.h"
#include "core/buf.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int valid_var_name(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	return 1;
}

int cli_sets_add(struct cli_sets *sets, const char *arg)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;
	if (!eq || !valid_var_name(arg, (size_t)(eq - arg))) {
		cli_msg(stderr, "pwb: -s expects NAME=VALUE with NAME a variable name "
			"([A-Za-z_][A-Za-z0-9_]*), got '%s'\n", arg ? arg : "");
		return EXIT_INPUT;
	}
	sets->v = xrealloc(sets->v, (sets->n + 1) * sizeof *sets->v);
	sets->v[sets->n++] = (char *)arg;
	return 0;
}

void cli_sets_done(struct cli_sets *sets)
{
	free(sets->v);
	sets->v = NULL;
	sets->n = 0;
}

/* "FILE:LINE:COL: error: message" of one diagnostic, malloc'd. */
static char *diag_text(const struct diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return xstrdup(d->message);
	diag_print(f, d);
	fclose(f);
	while (len && (text[len - 1] == '\n'))
		text[--len] = '\0';
	return text;
}

static void first_error(const struct diag_list *d, char **out)
{
	if (!out)
		return;
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level == DIAG_ERROR) {
			*out = diag_text(&d->v[i]);
			return;
		}
	}
}

int cli_load_preset(const char *path, const struct cli_sets *sets, struct preset **out,
		    char **json_errors)
{
	*out = NULL;
	if (json_errors)
		*json_errors = NULL;
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_file(path, &d);
	if (p && sets) {
		struct session *s = preset_session(p);
		for (size_t i = 0; i < sets->n; i++) {
			const char *eq = strchr(sets->v[i], '=');
			char *name = xstrndup(sets->v[i], (size_t)(eq - sets->v[i]));
			session_set_var(s, name, eq + 1);
			free(name);
		}
	}
	if (p)
		preset_validate(p, &d);
	cli_print_diags(stderr, &d, 0);
	if (!p || diag_count(&d, DIAG_ERROR) > 0) {
		first_error(&d, json_errors);
		if (json_errors && !*json_errors)
			*json_errors = xasprintf("%s: cannot load the preset",
						 strcmp(path, "-") == 0 ? "<stdin>" : path);
		if (!p || diag_count(&d, DIAG_ERROR) == 0)
			cli_msg(stderr, "pwb: %s: cannot load the preset\n",
				strcmp(path, "-") == 0 ? "<stdin>" : path);
		preset_free(p);
		diag_list_done(&d);
		return EXIT_INPUT;
	}
	diag_list_done(&d);
	*out = p;
	return 0;
}

static enum key_source key_source;

const char *cli_key_source(void)
{
	switch (key_source) {
	case KEY_ENV: return "ANTHROPIC_API_KEY in the environment";
	case KEY_DOTENV: return "ANTHROPIC_API_KEY in ./.env";
	default: return "nowhere";
	}
}

int cli_get_key(char **key, const char **err_type)
{
	*key = NULL;
	struct diag_list d;
	diag_list_init(&d);
	char *k = NULL;
	key_source = keys_find(".env", &k, &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (key_source == KEY_NONE || !k || !*k) {
		free(k);
		cli_msg(stderr, "pwb: %s\n", KEYS_MISSING_MESSAGE);
		if (err_type)
			*err_type = "missing_key";
		return EXIT_INPUT;
	}
	if (keys_is_admin(k)) {
		free(k);
		cli_msg(stderr, "pwb: %s\n", KEYS_ADMIN_MESSAGE);
		if (err_type)
			*err_type = "invalid_key";
		return EXIT_INPUT;
	}
	*key = k;
	return 0;
}

int cli_api_config(struct api_config *cfg, const struct session *s, const char *key)
{
	api_config_init(cfg);
	str_set(&cfg->api_key, key);
	if (s) {
		str_set(&cfg->api_version, session_api_version(s));
		free(cfg->betas);
		cfg->betas = request_betas(s);
	}
	char *why = NULL;
	if (api_base_url_check(cfg->base_url, &why) != 0) {
		cli_msg(stderr, "pwb: %s\n", why);
		free(why);
		return EXIT_INPUT;
	}
	return 0;
}

/* SIGINT through the shared self-pipe: the loop wakes and cancels. */
static struct api_call **sig_call;

static void on_sig_pipe(void *ud, int fd)
{
	(void)ud;
	(void)fd;
	sigset_t got;
	sigemptyset(&got);
	sigpipe_drain(&got);
	if (sigismember(&got, SIGINT) && sig_call && *sig_call)
		api_call_cancel(*sig_call);
}

void cli_sigint_install(struct loop *loop, struct api_call **call)
{
	static const int sigs[] = { SIGINT };
	sig_call = call;
	signal(SIGPIPE, SIG_IGN);
	if (sigpipe_install(sigs, 1) == 0)
		loop_add_fd(loop, sigpipe_fd(), on_sig_pipe, NULL);
}

void cli_sigint_remove(struct loop *loop)
{
	if (sigpipe_fd() < 0)
		return;
	loop_remove_fd(loop, sigpipe_fd());
	sigpipe_remove();
	sig_call = NULL;
}

int cli_interrupted(void)
{
	return sigpipe_seen(SIGINT);
}

void cli_print_help(const char *text)
{
	fputs(text, stdout);
}

int cli_holds_configured_key(const char *text)
{
	char *key = NULL;
	keys_find(".env", &key, NULL);
	int found = key && *key && redact_holds_key(text, strlen(text), key);
	if (key) {
		/* Do not leave a copy of the key in freed memory. */
		memset(key, 0, strlen(key));
		free(key);
	}
	return found;
}

int cli_take_arg(const char *cmd, const char *help, int argc, char **argv, int *i,
		 struct cli_sets *sets, const char **file)
{
	const char *a = argv[*i];
	if (!strncmp(a, "-s", 2)) {
		const char *v = a[2] ? a + 2 : (*i + 1 < argc ? argv[++*i] : NULL);
		if (!v) {
			cli_msg(stderr, "pwb %s: -s needs NAME=VALUE\n", cmd);
			return EXIT_INPUT;
		}
		return cli_sets_add(sets, v);
	}
	if (a[0] == '-' && a[1]) {
		cli_msg(stderr, "pwb %s: unknown option '%s'\n%s", cmd, a, help);
		return EXIT_INPUT;
	}
	if (*file) {
		cli_msg(stderr, "pwb %s: one FILE only (got '%s' and '%s')\n", cmd, *file, a);
		return EXIT_INPUT;
	}
	*file = a;
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static int raw_output;
static char *output_key; /* the key to redact; found quietly when not set */
static int output_key_known;

struct data_sink {
	FILE *f;
	int ready;
	int tty;
	struct redact_stream red; /* a key cut between two pieces is still found */
	struct termout esc;
};
static struct data_sink sinks[2];

static void sink_write(struct data_sink *k, const char *text, size_t len, int finish)
{
	struct buf red, esc;
	buf_init(&red, 0);
	redact_stream_feed(&k->red, text, len, &red);
	if (finish)
		redact_stream_finish(&k->red, &red);
	if (k->tty && !raw_output) {
		buf_init(&esc, 0);
		termout_feed(&k->esc, red.data ? red.data : "", red.len, &esc);
		if (finish)
			termout_finish(&k->esc, &esc);
		fwrite(esc.data ? esc.data : "", 1, esc.len, k->f);
		buf_done(&esc);
	} else {
		fwrite(red.data ? red.data : "", 1, red.len, k->f);
	}
	buf_done(&red);
}

static const char *the_key(void);

static struct data_sink *sink_for(FILE *f)
{
	struct data_sink *k = f == stdout ? &sinks[0] : f == stderr ? &sinks[1] : NULL;
	if (k && !k->ready) {
		k->f = f;
		k->tty = isatty(fileno(f));
		redact_stream_init(&k->red, the_key());
		termout_init(&k->esc);
		k->ready = 1;
	}
	return k;
}

void cli_set_raw(int raw)
{
	raw_output = raw;
}

void cli_set_output_key(const char *key)
{
	if (output_key)
		memset(output_key, 0, strlen(output_key));
	free(output_key);
	output_key = key ? xstrdup(key) : NULL;
	output_key_known = 1;
	for (int i = 0; i < 2; i++) {
		if (!sinks[i].ready)
			continue;
		sink_write(&sinks[i], "", 0, 1);
		redact_stream_done(&sinks[i].red);
		redact_stream_init(&sinks[i].red, output_key);
	}
}

static const char *the_key(void)
{
	if (!output_key_known) {
		keys_find(".env", &output_key, NULL);
		output_key_known = 1;
	}
	return output_key;
}

void cli_data(FILE *f, const char *text, size_t len)
{
	struct data_sink *k = sink_for(f);
	if (k) {
		sink_write(k, text, len, 0);
	} else {
		size_t rl;
		char *r = redact_key_n(text, len, the_key(), &rl);
		fwrite(r, 1, rl, f);
		free(r);
	}
}

void cli_data_end(FILE *f)
{
	struct data_sink *k = sink_for(f);
	if (k)
		sink_write(k, "", 0, 1);
}

/* Redacted and escaped, whatever the destination. */
static void write_escaped(FILE *f, const char *text, size_t len)
{
	size_t rl, el;
	char *r = redact_key_n(text, len, the_key(), &rl);
	char *e = termout_escape(r, rl, &el);
	fwrite(e, 1, el, f);
	free(e);
	free(r);
}

void cli_msg(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	write_escaped(f, text, strlen(text));
	free(text);
}

void cli_print_diags(FILE *f, const struct diag_list *d, int errors_only)
{
	for (size_t i = 0; i < d->n; i++) {
		if (errors_only && d->v[i].level != DIAG_ERROR)
			continue;
		char *text = diag_text(&d->v[i]);
		cli_msg(f, "%s\n", text);
		free(text);
	}
}

int cli_finish_stdout(void)
{
	cli_data_end(stderr);
	cli_data_end(stdout);
	int failed = ferror(stdout);
	if (fflush(stdout) != 0)
		failed = 1;
	if (fclose(stdout) != 0)
		failed = 1;
	if (failed) {
		cli_msg(stderr, "pwb: cannot write to standard output: %s\n",
			errno ? strerror(errno) : "write error");
		return EXIT_INPUT;
	}
	return 0;
}

int cli_exit_code(enum api_failure f)
{
	switch (f) {
	case API_FAIL_NONE: return EXIT_OK;
	case API_FAIL_HTTP: return EXIT_API;
	case API_FAIL_CANCELED: return EXIT_INTERRUPTED;
	default: return EXIT_NETWORK;
	}
}
