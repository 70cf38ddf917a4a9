/* pwb request FILE: print the exact JSON body pwb run would send, and
 * nothing else. No network, no key. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/diag.h"
#include "core/preset.h"
#include "core/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb request FILE [--no-stream] [-s NAME=VALUE]...\n"
	"\n"
	"Print the exact JSON body that 'pwb run FILE' would send in the same mode\n"
	"(with \"stream\": true unless --no-stream), followed by a newline. FILE '-'\n"
	"reads the preset from standard input. Nothing is sent. A request that\n"
	"contains the configured API key is refused (exit 2).\n"
	"\n"
	"  --no-stream      the body of a non-streaming request\n"
	"  -s NAME=VALUE    set the variable {{NAME}} (repeatable)\n";

int cmd_request(int argc, char **argv)
{
	int stream = 1, rc = EXIT_OK;
	const char *file = NULL;
	struct cli_sets sets = { 0 };
	struct preset *p = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			goto out;
		} else if (!strcmp(a, "--no-stream")) {
			stream = 0;
		} else if ((rc = cli_take_arg("request", help, argc, argv, &i, &sets, &file)) != 0) {
			goto out;
		}
	}
	if (!file) {
		cli_msg(stderr, "pwb request: missing FILE\nusage: pwb request FILE [--no-stream] [-s NAME=VALUE]...\n");
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = cli_load_preset(file, &sets, &p, NULL)) != 0)
		goto out;
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(preset_session(p), REQUEST_MESSAGES, stream, &d);
	/* cli_load_preset already printed the warnings, with positions. */
	cli_print_diags(stderr, &d, 1);
	diag_list_done(&d);
	if (!body) {
		rc = EXIT_INPUT;
		goto out;
	}
	if (cli_holds_configured_key(body)) {
		cli_msg(stderr, "pwb request: the request contains the configured API key; "
			"pwb never prints it: remove it from the preset\n");
		free(body);
		rc = EXIT_INPUT;
		goto out;
	}
	cli_data(stdout, body, strlen(body));
	cli_data(stdout, "\n", 1);
	free(body);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_msg(stderr, "pwb request: cannot write to standard output\n");
		rc = EXIT_INPUT;
	}
out:
	preset_free(p);
	cli_sets_done(&sets);
	return rc;
}
