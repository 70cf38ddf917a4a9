/* pwb: argument dispatch. With no command (or a FILE) it opens the
 * workbench; a command name runs the headless command. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "send a preset's request and print the answer" },
	{ "request", cmd_request, "print the exact JSON body pwb would send" },
	{ "count", cmd_count, "count input tokens and estimate the cost" },
	{ "models", cmd_models, "list model ids (live with a key, else built in)" },
	{ "validate", cmd_validate, "check presets and report every problem" },
	{ "replay", cmd_replay, "re-run a recorded session and show what changed" },
	{ "export", cmd_export, "write the request as C, Python, JavaScript or curl" },
	{ "eval", cmd_eval, "run the test rows and check every answer (assertions)" },
	{ "log", cmd_log, "list recorded answers and preset versions, show, diff" },
	{ "batch", cmd_batch, "list, inspect, cancel Message Batches; stream their results" },
	{ "generate", cmd_generate, "write a new preset (prompt, variables, test rows) for a task" },
	{ "improve", cmd_improve, "propose a better version of a preset from its failing rows" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pwb [--budget USD] [FILE]  open the workbench (on a preset FILE; --budget:\n"
		"                                  no run that would take the session past USD)\n"
		"       pwb COMMAND [ARGS...]      run a headless command\n"
		"       pwb --help | --version\n"
		"       pwb COMMAND --help\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nThe API key comes from ANTHROPIC_API_KEY, else from a .env file in the\n"
		"current directory; ANTHROPIC_BASE_URL overrides https://api.anthropic.com\n"
		"(plain http:// only to a loopback host, unless PWB_ALLOW_INSECURE=1).\n"
		"The key is redacted from everything pwb prints, in any form. pwb makes no\n"
		"core dumps (they would hold the key) unless PWB_CORE_DUMPS=1.\n"
		"Exit codes: 0 complete, 1 replay --check found changes or an eval row\n"
		"failed (improve, generate: an unusable proposal), 2 bad input,\n"
		"3 API error (not retryable), 4 network or protocol, 130 interrupted.\n");
}

/* A core dump of pwb holds the API key: none, unless asked for to debug. */
static void forbid_core_dumps(void)
{
	const char *want = getenv("PWB_CORE_DUMPS");
	if (want && strcmp(want, "1") == 0)
		return;
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* A headless command's exit code, with stdout's final flush checked: output
 * lost on a full disk or a closed pipe is a failure (exit 2). */
static int finish_command(int rc)
{
	int out = cli_finish_stdout();
	return out && rc < EXIT_INPUT ? out : rc;
}

int main(int argc, char **argv)
{
	forbid_core_dumps();
	if (argc >= 2) {
		const char *a = argv[1];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
			usage(stdout);
			return finish_command(EXIT_OK);
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("pwb %s\n", PWB_VERSION);
			return finish_command(EXIT_OK);
		}
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(a, commands[i].name) == 0)
				return finish_command(commands[i].fn(argc - 1, argv + 1));
		if (a[0] == '-' && a[1] == '-' && strcmp(a, "--") != 0 &&
		    strncmp(a, "--budget", 8) != 0 && strncmp(a, "--script", 8) != 0) {
			cli_msg(stderr, "pwb: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_INPUT;
		}
	}
	return tui_main(argc, argv);
}
