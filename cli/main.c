/* pwb: argument dispatch. With no command (or a FILE) it opens the
 * workbench; a command name runs the headless command. */
#include "cli/cmd.h"
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

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
		"current directory; ANTHROPIC_BASE_URL overrides https://api.anthropic.com.\n"
		"Exit codes: 0 complete, 1 replay --check found changes, 2 bad input,\n"
		"3 API error (not retryable), 4 network or protocol, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2) {
		const char *a = argv[1];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("pwb %s\n", PWB_VERSION);
			return EXIT_OK;
		}
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(a, commands[i].name) == 0)
				return commands[i].fn(argc - 1, argv + 1);
		if (a[0] == '-' && a[1] == '-' && strcmp(a, "--") != 0 &&
		    strncmp(a, "--budget", 8) != 0 && strncmp(a, "--script", 8) != 0) {
			fprintf(stderr, "pwb: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_INPUT;
		}
	}
	return tui_main(argc, argv);
}
