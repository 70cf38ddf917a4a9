/* Shared plumbing of the headless commands (cli/common.h). */
#include "cli/common.h"
#include "cli/cmd.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
		fprintf(stderr, "pwb: -s expects NAME=VALUE with NAME a variable name "
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
	diag_print_all(stderr, &d);
	if (!p || diag_count(&d, DIAG_ERROR) > 0) {
		first_error(&d, json_errors);
		if (json_errors && !*json_errors)
			*json_errors = xasprintf("%s: cannot load the preset",
						 strcmp(path, "-") == 0 ? "<stdin>" : path);
		if (!p || diag_count(&d, DIAG_ERROR) == 0)
			fprintf(stderr, "pwb: %s: cannot load the preset\n",
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
	diag_print_all(stderr, &d);
	diag_list_done(&d);
	if (key_source == KEY_NONE || !k || !*k) {
		free(k);
		fprintf(stderr, "pwb: %s\n", KEYS_MISSING_MESSAGE);
		if (err_type)
			*err_type = "missing_key";
		return EXIT_INPUT;
	}
	if (keys_is_admin(k)) {
		free(k);
		fprintf(stderr, "pwb: %s\n", KEYS_ADMIN_MESSAGE);
		if (err_type)
			*err_type = "invalid_key";
		return EXIT_INPUT;
	}
	*key = k;
	return 0;
}

void cli_api_config(struct api_config *cfg, const struct session *s, const char *key)
{
	api_config_init(cfg);
	str_set(&cfg->api_key, key);
	if (s) {
		str_set(&cfg->api_version, session_api_version(s));
		free(cfg->betas);
		cfg->betas = request_betas(s);
	}
}

/* SIGINT: the handler only writes a byte to a pipe the loop watches. */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t interrupted;
static struct api_call **sig_call;
static struct sigaction old_action;

static void on_sigint(int sig)
{
	(void)sig;
	int saved = errno;
	interrupted = 1;
	if (sig_pipe[1] >= 0) {
		ssize_t r = write(sig_pipe[1], "i", 1);
		(void)r;
	}
	errno = saved;
}

static void on_sig_pipe(void *ud, int fd)
{
	(void)ud;
	char b[64];
	while (read(fd, b, sizeof b) > 0)
		;
	if (sig_call && *sig_call)
		api_call_cancel(*sig_call);
}

void cli_sigint_install(struct loop *loop, struct api_call **call)
{
	sig_call = call;
	if (sig_pipe[0] < 0) {
		if (pipe(sig_pipe) != 0) {
			sig_pipe[0] = sig_pipe[1] = -1;
			return;
		}
		for (int i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	loop_add_fd(loop, sig_pipe[0], on_sig_pipe, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_action);
	signal(SIGPIPE, SIG_IGN);
}

void cli_sigint_remove(struct loop *loop)
{
	if (sig_pipe[0] < 0)
		return;
	sigaction(SIGINT, &old_action, NULL);
	loop_remove_fd(loop, sig_pipe[0]);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	sig_call = NULL;
}

int cli_interrupted(void)
{
	return interrupted;
}

void cli_print_help(const char *text)
{
	fputs(text, stdout);
}

int cli_holds_configured_key(const char *text)
{
	char *key = NULL;
	keys_find(".env", &key, NULL);
	int found = key && *key && strstr(text, key) != NULL;
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
			fprintf(stderr, "pwb %s: -s needs NAME=VALUE\n", cmd);
			return EXIT_INPUT;
		}
		return cli_sets_add(sets, v);
	}
	if (a[0] == '-' && a[1]) {
		fprintf(stderr, "pwb %s: unknown option '%s'\n%s", cmd, a, help);
		return EXIT_INPUT;
	}
	if (*file) {
		fprintf(stderr, "pwb %s: one FILE only (got '%s' and '%s')\n", cmd, *file, a);
		return EXIT_INPUT;
	}
	*file = a;
	return 0;
}
