/* Shared plumbing of the headless commands: loading FILE with -s
 * overrides, the API key, the client configuration, and SIGINT. Every
 * function that fails has already printed why on stderr and returns the
 * exit code to use. */
#ifndef PWB_CLI_COMMON_H
#define PWB_CLI_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include "core/api.h"

struct preset;
struct session;
struct api_config;
struct api_call;
struct loop;
struct diag_list;

/* -s NAME=VALUE overrides collected from the command line. */
struct cli_sets {
	char **v; /* "NAME=VALUE" strings as given (not owned) */
	size_t n;
};
/* Record one -s argument; returns 0, or EXIT_INPUT (printed) when malformed. */
int cli_sets_add(struct cli_sets *sets, const char *arg);
void cli_sets_done(struct cli_sets *sets);

/* The arguments every FILE command shares, after its own options were
 * tried: -s NAME=VALUE (or -sNAME=VALUE) into sets, the one FILE into
 * *file, and any other option refused. *i may advance past a value.
 * Returns 0 when taken, or EXIT_INPUT (printed, help shown for an
 * unknown option). */
int cli_take_arg(const char *cmd, const char *help, int argc, char **argv, int *i,
		 struct cli_sets *sets, const char **file);

/* Load FILE ("-" = stdin, shown as <stdin>), apply the overrides, validate
 * (preset_validate) and print every diagnostic to stderr. Warnings do not
 * fail. Returns 0 with *out set (caller frees with preset_free), or
 * EXIT_INPUT. When json_errors is not NULL, the first error's text is also
 * stored there (malloc'd) for --json output. */
int cli_load_preset(const char *path, const struct cli_sets *sets, struct preset **out,
		    char **json_errors);

/* Find the API key (environment, else ./.env), print .env warnings, refuse
 * an admin key. Returns 0 with *key (malloc'd), or EXIT_INPUT (missing or
 * admin key; the message says where pwb looks). *err_type, when not NULL,
 * gets "missing_key" or "invalid_key" for --json. */
int cli_get_key(char **key, const char **err_type);
/* Where the key of the last successful cli_get_key came from, for hints
 * ("ANTHROPIC_API_KEY in the environment" or "... in ./.env"). */
const char *cli_key_source(void);

/* Fill cfg (api_config_init'ed by this call, api_config_done it even on
 * failure) for session s and key (copied): base URL from
 * ANTHROPIC_BASE_URL, version and betas from the session. Returns 0, or
 * EXIT_INPUT (printed) for a malformed or plain-http base URL. */
int cli_api_config(struct api_config *cfg, const struct session *s, const char *key);

/* SIGINT: from now on a SIGINT cancels *call (when not NULL) through the
 * shared signal self-pipe (core/sigpipe.h) the loop watches. */
void cli_sigint_install(struct loop *loop, struct api_call **call);
void cli_sigint_remove(struct loop *loop);
/* 1 once a SIGINT arrived since cli_sigint_install (for commands that stop
 * more than one call: eval, batch). */
int cli_interrupted(void);

/* 1 when text contains the configured API key (environment or ./.env) in
 * any form core/redact.h knows (whole, its prefix, base64):
 * output that would show it must not be written. Finds the key quietly. */
int cli_holds_configured_key(const char *text);

/* Output. Every string that came from the network or a file reaches
 * stdout or stderr through these: the configured key (any form, see
 * core/redact.h) is always replaced, and core/termout.h decides what a
 * terminal may see. */

/* --raw: answer text goes to a terminal exactly, as to a pipe. */
void cli_set_raw(int raw);
/* The key to redact (copied); without this call the configured key
 * (environment, else ./.env) is found quietly at the first output. */
void cli_set_output_key(const char *key);
/* Answer text and other data (JSON, exports) to f: redacted; escaped when
 * f is a terminal unless --raw, exact otherwise. Pieces of one stream may
 * cut a UTF-8 sequence; cli_data_end writes what is held back. */
void cli_data(FILE *f, const char *text, size_t len);
void cli_data_end(FILE *f);
/* A message (diagnostic, error, status line) formatted with outside
 * strings in it: redacted and escaped whatever the destination
 * (newline and tab kept). */
void cli_msg(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each diagnostic of d as cli_msg "FILE:LINE:COL: level: message" lines;
 * only errors when errors_only. */
void cli_print_diags(FILE *f, const struct diag_list *d, int errors_only);
/* End of the process's output: flush and close stdout. Returns 0, or
 * EXIT_INPUT with a message on stderr when any write to it failed. */
int cli_finish_stdout(void);

/* The exit code of a failed call (README "Exit codes"): 3 for an API error
 * that is not retryable, 130 canceled, 4 the rest of the network side. */
int cli_exit_code(enum api_failure f);

/* Print --help text for a command: usage lines and options. */
void cli_print_help(const char *text);

#endif
